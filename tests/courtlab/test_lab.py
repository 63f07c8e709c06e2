"""The running lab court: every host over SSH, SIPP's data, routing through gw."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab


def _run(cmd: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)


def test_status_reports_every_host_reachable(project_root: Path) -> None:
    proc = _run([str(project_root / ".venv/bin/sop-lab"), "status"], project_root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("sipp", "web", "backup", "gw", "sippma"):
        assert f"court-lab-{name}" in proc.stdout


def test_every_host_answers_and_sipp_has_data(project_root: Path) -> None:
    proc = _run([str(project_root / ".venv/bin/ansible-playbook"), "lab/check.yml"],
                project_root)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "perkara" in proc.stdout


def test_court_lan_reaches_the_central_sipp_through_the_gateway(project_root: Path) -> None:
    proc = _run(["podman", "exec", "court-lab-sipp", "ip", "route", "get", "10.231.20.10"],
                project_root)
    assert "via 10.231.10.254" in proc.stdout
    proc = _run(["podman", "exec", "court-lab-sipp", "curl", "-sS", "-m", "5", "-o",
                 "/dev/null", "-w", "%{http_code}", "http://sippma:8080/health"], project_root)
    assert proc.stdout == "200", proc.stderr
    counters = _run(["podman", "exec", "court-lab-gw", "nft", "list", "table", "ip", "nat"],
                    project_root)
    assert "masquerade" in counters.stdout
