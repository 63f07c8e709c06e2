"""`sop-lab reach` on real containers: names resolve on a podman network with DNS, and
without DNS the check fails with one line naming the cause."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

IMAGE = "localhost/sop-lab:latest"
PREFIX = "sop-reachtest"


def _podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check)


# The lab stage (scripts/test.sh: `-m lab` once `sop-lab up` has built the image and
# checked podman's networks, as root) runs these; the unit stage (`-m "not lab"`) and a
# run without a lab start no container of theirs.
pytestmark = pytest.mark.lab


def _start(network: str, dns: bool) -> Iterator[list[str]]:
    if _podman("image", "exists", IMAGE, check=False).returncode != 0:
        pytest.skip(f"{IMAGE} is not built (sop-lab image)")
    names = [f"{network}-a", f"{network}-b"]
    _podman("rm", "-f", "-t", "0", *names, check=False)  # left by a killed run
    _podman("network", "rm", "-f", network, check=False)
    try:
        _podman("network", "create", *([] if dns else ["--disable-dns"]), network)
        for name in names:
            _podman("run", "-d", "--name", name, "--network", network, IMAGE,
                    "sleep", "infinity")
        yield names
    finally:
        _podman("rm", "-f", "-t", "0", *names, check=False)
        _podman("network", "rm", "-f", network, check=False)


@pytest.fixture()
def with_dns() -> Iterator[list[str]]:
    yield from _start(f"{PREFIX}-dns", dns=True)


@pytest.fixture()
def without_dns() -> Iterator[list[str]]:
    yield from _start(f"{PREFIX}-nodns", dns=False)


def _reach(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(root / ".venv/bin/sop-lab"), "reach", *args],
                          capture_output=True, text=True, check=False)


def test_hosts_on_a_network_with_dns_reach_each_other(project_root: Path,
                                                      with_dns: list[str]) -> None:
    proc = _reach(project_root, *with_dns)
    assert proc.returncode == 0, proc.stderr
    assert "2 hosts resolve and reach each other by name" in proc.stdout


def test_a_port_nobody_listens_on_is_unreachable(project_root: Path,
                                                 with_dns: list[str]) -> None:
    a, b = with_dns
    proc = _reach(project_root, "--port", "22", a, b)
    assert proc.returncode == 1
    assert proc.stderr == (f"sop-lab: error: lab host {a} resolves '{b}' but cannot reach "
                           "it on port 22 (and 1 more)\n")


def test_without_dns_the_cause_is_one_line(project_root: Path,
                                           without_dns: list[str]) -> None:
    a, b = without_dns
    proc = _reach(project_root, a, b)
    assert proc.returncode == 1
    assert proc.stderr == (f"sop-lab: error: lab host {a} cannot resolve '{b}': podman "
                           f"network {PREFIX}-nodns has DNS disabled (created with "
                           "--disable-dns) (and 1 more)\n")
