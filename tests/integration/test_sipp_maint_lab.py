"""SOP Perawatan SIPP against the lab court (`sop-lab up`), over SSH with become: the
playbook end to end, check mode, and the failures it must report in one clear line."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]


def play(*args: str) -> tuple[int, dict[str, Any]]:
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"),
                           "playbooks/sipp_maintenance.yml", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    return proc.returncode, json.loads(proc.stdout)


def results(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Task name -> the sipp host's result."""
    out = {}
    for p in report["plays"]:
        for task in p["tasks"]:
            if "sipp" in task["hosts"]:
                name = task["task"]["name"].split(" : ", 1)[-1]
                out[name] = task["hosts"]["sipp"]
    return out


def failure(report: dict[str, Any]) -> str:
    return next(r["msg"] for r in results(report).values() if r.get("failed"))


def test_both_activities_report_from_the_lab_sipp():
    rc, report = play()
    assert rc == 0
    res = results(report)
    online = res["Count the online users (also proves the database answers)"]["online_users"]
    assert online["users"] >= 1
    assert online["columns"]["last_activity"] == "last_visit"
    summary = res["Summarise the user activity from the audit trail"]["summary"]
    assert summary["failed_logins"] >= 15
    assert summary["deletions"] >= 1
    assert summary["time_column_indexed"] is True
    assert all(not r.get("changed") for r in res.values())
    assert report["stats"]["sipp"]["changed"] == 0
    # the verdict reads in Bahasa Indonesia: the grade too, not 'disk/memori ok'
    verdict = res["SIPP, its database, services and resources are in order"]["msg"]
    assert re.search(r"disk/memori (baik|peringatan: )", verdict), verdict


def test_tags_select_one_activity():
    rc, report = play("--tags", "aktivitas_user")
    assert rc == 0
    names = set(results(report))
    assert "Summarise the user activity from the audit trail" in names
    assert "Count the online users (also proves the database answers)" not in names


def test_check_mode_passes_and_changes_nothing():
    rc, report = play("--check")
    assert rc == 0
    assert report["stats"]["sipp"]["changed"] == 0


def test_wrong_password_is_one_clear_line():
    rc, report = play("--tags", "aktivitas_user", "-e", "sipp_db_password=sandi-keliru")
    assert rc == 2
    msg = failure(report)
    assert msg.startswith("SIPP database sipp: ")
    assert "Access denied" in msg
    assert "\n" not in msg
    assert "sandi-keliru" not in json.dumps(report)


def test_unreachable_application_fails_activity_1():
    rc, report = play("--tags", "monitor_akses", "-e",
                      "sipp_local_url=http://localhost:81/sipp/")
    assert rc == 2
    assert failure(report).startswith(
        "SIPP tidak dapat diakses dengan baik di http://localhost:81")


def test_a_stopped_service_fails_activity_1():
    rc, report = play("--tags", "monitor_akses", "-e",
                      '{"sipp_maintenance_web_services": ["nginx"]}')
    assert rc == 2
    assert failure(report).startswith("Layanan tidak berjalan: nginx.service (inactive)")


def test_disk_threshold_fails_activity_1():
    rc, report = play("--tags", "monitor_akses", "-e",
                      "sipp_maintenance_disk_warn_percent=1 sipp_maintenance_disk_fail_percent=1")
    assert rc == 2
    # the lab's / and /var/lib/mysql are one file system: one line names both
    assert re.fullmatch(r"Sumber daya server SIPP melewati batas: disk /, /var/lib/mysql: "
                        r"terpakai [0-9,]+% \(batas gagal 1%\)", failure(report))


def test_a_failed_activity_does_not_stop_the_next():
    rc, report = play("-e", "sipp_local_url=http://localhost:81/sipp/")
    assert rc == 2
    res = results(report)
    assert res["Summarise the user activity from the audit trail"]["summary"]["rows"] > 0
    assert res["Failed activities"]["msg"].startswith(
        "Kegiatan 1: SIPP tidak dapat diakses dengan baik di http://localhost:81")
