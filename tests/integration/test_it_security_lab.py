"""SOP Pengamanan TI against the lab court (`sop-lab up`, provisioned with lab_security),
over SSH with become: the SSH journal audit (lines read per second on each host), check
mode, a planted listener named in the failure, and the restore drill's times."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ansible_json import failures, result

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]
COURT = ("sipp", "web", "backup", "gw")


def env() -> dict[str, str]:
    return dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
                ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))


def play(*args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/it_security.yml",
                           *args], cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=600, check=False)
    return proc.returncode, json.loads(proc.stdout)


def adhoc(host: str, command: str) -> None:
    subprocess.run([str(ROOT / ".venv/bin/ansible"), host, "-b", "-m", "ansible.builtin.command",
                    "-a", command], cwd=ROOT, env=dict(env(), ANSIBLE_STDOUT_CALLBACK="default"),
                   capture_output=True, text=True, timeout=120, check=True)


def test_ssh_audit_reads_the_journal_of_every_host():
    rc, report = play("--tags", "pola_akses", "-e", "it_security_fail_on_findings=false")
    assert rc == 0, failures(report)
    for host in COURT:
        ssh = result(report, "Read SSH logins from the journal since the previous run", host)["ssh"]
        print(f"{host}: {ssh['lines_read']} lines, {ssh['lines_per_second']} lines/s")
        assert ssh["lines_per_second"] > 0 or ssh["lines_read"] == 0


@pytest.mark.usefixtures("sipp_backup_made", "website_backup_made")  # a clean court has them
def test_check_mode_changes_nothing():
    rc, report = play("--check", "-e", "it_security_fail_on_findings=false")
    assert rc == 0, failures(report)
    assert all(stats["changed"] == 0 for stats in report["stats"].values())


def test_a_new_listener_is_named():
    adhoc("web", "systemd-run --unit=itsec-planted-http python3 -m http.server 8999")
    try:
        rc, report = play("--tags", "pola_akses", "--limit", "web")
    finally:
        adhoc("web", "systemctl stop itsec-planted-http")
    assert rc == 2
    failed = result(report, "Every activity passed", "web")
    assert "tcp/8999 (python3)" in failed["msg"]


@pytest.mark.usefixtures("sipp_backup_made", "website_backup_made")
def test_restore_drill_times_are_recorded():
    rc, report = play("--tags", "uji_restore", "--limit", "backup")
    assert rc == 0, failures(report)
    restored = [
        *result(report, "Restore each chosen database backup into a scratch database, compare "
                "its content, drop it", "backup")["results"],
        *result(report, "Restore each chosen files archive into a scratch folder, compare its "
                "entries, remove it", "backup")["results"],
    ]
    for item in restored:
        print(f"{item['item']['kind']} {Path(item['item']['path']).name}: "
              f"{item['verification']['duration']} s")
        assert item["verification"]["status"] == "ok"
    assert {item["item"]["kind"] for item in restored} == {"sipp", "website_files", "website_db"}
