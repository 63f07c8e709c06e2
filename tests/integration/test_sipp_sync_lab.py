"""SOP Sinkronisasi SIPP against the lab court (`sop-lab up`): the sipp host syncs to
SIPP MA and the public SIPP page on web; fresh passes, a second run within the interval
changes nothing, stale data fails the SOP, unreachable SIPP MA fails the preparation."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]
COMMAND = "sipp_sync_command=/usr/local/sbin/sipp-sync"


def play(*args: str) -> tuple[int, dict[str, Any]]:
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/sipp_sync.yml",
                           "-e", COMMAND, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    return proc.returncode, json.loads(proc.stdout)


def results(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {task["task"]["name"].split(" : ", 1)[-1]: task["hosts"]["sipp"]
            for p in report["plays"] for task in p["tasks"] if "sipp" in task["hosts"]}


def failure(report: dict[str, Any]) -> str:
    return next(r["msg"] for r in results(report).values() if r.get("failed"))


def make_public_page_old(hours: int) -> None:
    stamp = subprocess.run(
        ["podman", "exec", "-e", "TZ=Asia/Jakarta", "court-lab-sipp", "date", "-d",
         f"-{hours} hours", "+%Y-%m-%d %H:%M:%S WIB"],
        capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(
        ["podman", "exec", "court-lab-sipp", "curl", "-fsS",
         "-H", "X-Sync-Token: lab-sipp-publik-token",
         "-d", json.dumps({"pembaharuan_data": stamp, "cases": 0}),
         "http://web/sipp-publik/api/update"], capture_output=True, check=True)


def test_stale_data_fails_then_auto_trigger_syncs_then_nothing_changes():
    make_public_page_old(10)
    rc, report = play("-e", "sipp_sync_trigger=never")
    assert rc == 2
    msg = failure(report)
    assert msg.startswith("Data SIPP publik BASI: Pembaharuan Data ")
    assert "umur 10,0 jam, batas 8 jam" in msg

    rc, report = play()
    assert rc == 0
    res = results(report)
    assert res["Run the sync command"]["changed"] is True
    report_sync = res["Read the last sync and SIPP MA's status of this court"]["sync"]
    assert report_sync["fresh"] is True
    assert report_sync["age_seconds"] < 300
    assert report_sync["central"]["data"]["kode_satker"] == "400999"
    assert report_sync["central"]["age_seconds"] < 300
    # Penyamaan data: the lab database's counts, as SIPP MA received them
    comparison = report_sync["comparison"]
    assert comparison["status"] == "equal", comparison
    assert comparison["local"] == local_counts()

    rc, report = play()
    assert rc == 0
    assert report["stats"]["sipp"]["changed"] == 0
    assert results(report)["Run the sync command"].get("skipped") is True


def local_counts() -> dict[str, int]:
    """The lab SIPP database's counts, as the lab's sipp-sync reads them."""
    summary = json.loads(subprocess.run(
        ["podman", "exec", "court-lab-sipp", "sipp-sync", "--dry-run"],
        capture_output=True, text=True, check=True).stdout)["summary"]
    return {"cases": summary["cases"], "putusan": summary["putusan"]}


def test_sipp_ma_counting_more_than_the_local_database_fails_until_a_sync():
    """Penyamaan data against the lab's real MariaDB and SIPP MA: SIPP MA holding 50 cases
    more than the database (data lost locally, or an answer not this court's) fails
    activity 2 naming both numbers, without a sync too; a sync makes them equal."""
    counts = local_counts()
    forged = {"kode_satker": "400999", "cases": counts["cases"] + 50,
              "putusan": counts["putusan"]}
    subprocess.run(["podman", "exec", "court-lab-sipp", "curl", "-fsS", "-H",
                    "Content-Type: application/json", "-d", json.dumps(forged),
                    "http://sippma:8080/api/sync"], capture_output=True, check=True)
    rc, report = play("-e", "sipp_sync_trigger=never")
    assert rc == 2
    msg = failure(report)
    assert msg.startswith("Penyamaan data gagal: SIPP MA mencatat lebih banyak"), msg
    assert "SIPP MA lebih banyak 50" in msg, msg
    rc, report = play("-e", "sipp_sync_trigger=always")
    assert rc == 0
    sync = results(report)["Read the last sync and SIPP MA's status of this court"]["sync"]
    assert sync["comparison"]["status"] == "equal", sync["comparison"]


def test_check_mode_reports_a_due_sync_without_running_it():
    make_public_page_old(3)
    rc, report = play("--check", "-e", "sipp_sync_min_interval=60")
    assert rc == 0
    assert report["stats"]["sipp"]["changed"] == 0
    rc, report = play("--tags", "sinkronisasi")  # leave the lab fresh
    assert rc == 0


def test_unreachable_central_fails_the_preparation():
    rc, report = play("--tags", "persiapan", "-e", "sipp_central_url=http://sippma:9/")
    assert rc == 2
    assert failure(report).startswith(
        "Persiapan gagal: SIPP MA http://sippma:9/ tidak menjawab: SIPP MA menolak koneksi: "
        "layanannya tidak berjalan atau port salah (Connection refused), SIPP publik ")


def test_missing_trigger_configuration_is_clear():
    rc, report = play("--tags", "persiapan", "-e", "sipp_sync_command=")
    assert rc == 2
    assert "tepat satu dari sipp_sync_command atau sipp_sync_url" in failure(report)
