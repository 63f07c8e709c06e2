"""Integration: `sop run` of a real playbook over SSH on the podman lab (sop-lab up)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

import pytest

from .conftest import REPO

Cli = Callable[..., tuple[int, str, str]]


def _lab_up() -> bool:
    if not shutil.which("podman") or not (REPO / ".lab" / "ssh" / "id_ed25519").is_file():
        return False
    env = {**os.environ, "CONTAINERS_CONF": str(REPO / ".lab" / "containers.conf")}
    check = subprocess.run(
        ["podman", "container", "exists", "court-lab-sipp"], env=env, check=False
    )
    return check.returncode == 0


@pytest.mark.lab
@pytest.mark.skipif(not _lab_up(), reason="the lab is not up (sop-lab up)")
def test_lab_run_is_recorded(cli: Cli) -> None:
    code, out, err = cli(
        "run", "lab-ping", "-i", str(REPO / "inventory" / "lab"), "--operator", "lab-test"
    )
    assert code == 0, err
    code, out, _ = cli("history", "--sop", "lab-ping")
    assert "successful" in out and "sipp" in out
    code, out, _ = cli("execution", "1")
    for host in ("sipp", "web", "backup", "gw", "sippma"):
        assert host in out
    assert "checks=2" in out
    code, out, _ = cli("report")
    assert "SOP Uji Lab" in out and "Pengadilan Negeri Lab Kelas II" in out
