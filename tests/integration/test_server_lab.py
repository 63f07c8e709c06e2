"""SOP Pemeliharaan Server and Penanganan Gangguan Server against the lab court
(`sop-lab up`, which provisions lab_repo), through the `sop` command with a private
store: the condition report's planted needs, refusal without approval, the approved
rolling run (upgrade, reboot, post-checks), a second run that changes nothing, and an
incident diagnosed and remediated only when asked; then SOP Pengamanan TI passes on the
patched, clean court; and one activity of SIPP backup run alone (`sop run --activity`).
Patching a SIPP server needs a verified SIPP backup younger than
26 hours: the `sipp_backup_made` fixture makes one."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOP = str(ROOT / ".venv/bin/sop")
pytestmark = [pytest.mark.lab]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, sipp_backup_made: None) -> dict[str, str]:
    data = tmp_path_factory.mktemp("sop-server-lab")
    return dict(os.environ, SOP_DATA_DIR=str(data), SOP_PROJECT_DIR=str(ROOT),
                ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), COLUMNS="200")


def sop(env: dict[str, str], *args: str, timeout: int = 1200) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOP, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def last_execution(env: dict[str, str]) -> dict[str, Any]:
    newest = json.loads(sop(env, "history", "--json", "-n", "1").stdout)[0]
    return json.loads(sop(env, "execution", str(newest["id"]), "--json").stdout)


def outputs(execution: dict[str, Any], number: int) -> list[dict[str, Any]]:
    return next(a for a in execution["activities"] if a["number"] == number)["outputs"]


def ssh(host: str, command: str) -> str:
    port = {"sipp": 2221, "web": 2222, "backup": 2223}[host]
    return subprocess.run(
        ["ssh", "-p", str(port), "-i", str(ROOT / ".lab/ssh/id_ed25519"),
         "-o", f"UserKnownHostsFile={ROOT / '.lab/known_hosts'}", "-o", "StrictHostKeyChecking=yes",
         "sopadmin@127.0.0.1", command], capture_output=True, text=True, check=True).stdout


def test_maintenance_refused_then_approved_then_idempotent(env: dict[str, str]) -> None:
    first = sop(env, "run", "server-maintenance", "-i", "inventory/lab")
    assert first.returncode == 1
    assert "Perawatan ditolak: tidak ada persetujuan" in first.stdout + first.stderr
    refused = last_execution(env)
    report = {o["os"]: o for o in outputs(refused, 1) if "os" in o}
    assert report, "the condition report is the activity's output"
    flags = [f for o in outputs(refused, 1) for f in o.get("flags", [])]
    assert any("pembaruan keamanan tertunda: rsync, sop-lab-kernel" in f for f in flags)
    assert any(f.startswith("Perlu reboot") for f in flags)
    assert any("lab-report-export.service" in f for f in flags)
    assert "+lab1" not in ssh("sipp", "dpkg-query -W -f '${Version}' rsync")

    approved = sop(env, "approve", str(refused["id"]), "--by", "Dra. Siti", "--role", "Sekretaris")
    assert approved.returncode == 0, approved.stderr
    boot_before = ssh("sipp", "cut -d' ' -f22 /proc/1/stat")
    run = sop(env, "run", "server-maintenance", "-i", "inventory/lab")
    assert run.returncode == 0, run.stdout[-3000:]
    assert ssh("sipp", "dpkg-query -W -f '${Version}' rsync").endswith("+lab1")
    assert ssh("sipp", "dpkg-query -W -f '${Version}' sop-lab-kernel") == "2"
    assert not ssh("sipp", "dpkg-query -W -f '${Version}' mariadb-common").endswith("+lab1")
    assert ssh("sipp", "cut -d' ' -f22 /proc/1/stat") != boot_before  # really restarted

    again = sop(env, "run", "server-maintenance", "-i", "inventory/lab")
    assert again.returncode == 0
    host_stats = last_execution(env)["host_stats"]
    assert host_stats and all(h["changed"] == 0 for h in host_stats)


@pytest.mark.usefixtures("website_backup_made")
def test_the_patched_court_passes_it_security(env: dict[str, str]) -> None:
    """Once the approved maintenance has installed the planted updates (which SOP
    Pengamanan TI names as pending security updates), the lab court is clean: the IT
    security SOP passes whole, and its record holds the restore drill's times."""
    run = sop(env, "run", "it-security", "-i", "inventory/lab")
    assert run.returncode == 0, run.stdout[-3000:]
    drill = [row for o in outputs(last_execution(env), 16) for row in o.get("restore_drill", [])]
    for row in drill:
        print(f"restore drill {row['kind']} {row['backup']}: {row['seconds']} s")
    assert {row["kind"] for row in drill} == {"sipp", "website_files", "website_db"}
    assert all(row["status"] == "ok" and row["seconds"] > 0 for row in drill)


def test_incident_diagnosed_and_remediated_only_when_asked(env: dict[str, str]) -> None:
    opened = sop(env, "incident", "open", "--host", "web", "--summary", "Website mati",
                 "--by", "Budi")
    assert opened.returncode == 0
    ssh("web", "sudo systemctl kill --signal=KILL nginx.service; sleep 2")
    diagnosed = sop(env, "run", "server-incident", "-i", "inventory/lab", "--limit", "web")
    assert diagnosed.returncode == 0
    causes = outputs(last_execution(env), 2)[0]["penyebab"]
    assert any(c.startswith("Web server nginx mati dibunuh sinyal") for c in causes)
    assert ssh("web", "systemctl is-active nginx || true").strip() != "active"
    fixed = sop(env, "run", "server-incident", "-i", "inventory/lab", "--limit", "web",
                "-e", '{"server_incident_remediate": ["restart_service"]}')
    assert fixed.returncode == 0
    assert ssh("web", "systemctl is-active nginx").strip() == "active"
    closed = sop(env, "incident", "close", "1", "--by", "Budi", "--resolution", "nginx dijalankan")
    assert closed.returncode == 0
    listed = json.loads(sop(env, "incident", "list", "--json").stdout)[0]
    assert listed["within_limit"] is True and len(listed["diagnostics"]) == 2


def test_one_activity_runs_alone_and_is_not_the_sop_done(env: dict[str, str]) -> None:
    """`sop run --activity`: the SIPP backup's activity 2 alone on the lab (its tag only,
    no preparation run before it), recorded as a partial run that leaves the SOP as it
    was: this store never ran the whole SOP, so it has no last success."""
    run = sop(env, "run", "sipp-backup", "-i", "inventory/lab", "--activity", "2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    execution = last_execution(env)
    assert execution["sop_id"] == "sipp-backup" and execution["partial"] == [2]
    assert execution["status"] == "successful"
    status = {a["number"]: a["status"] for a in execution["activities"]}
    assert status[2] in ("ok", "changed") and {status[n] for n in (1, 3, 4)} == {"not-run"}
    assert any(o.get("sha256") for o in outputs(execution, 2)), outputs(execution, 2)
    entry = next(s for s in json.loads(sop(env, "list", "--json").stdout)
                 if s["id"] == "sipp-backup")
    assert all(court["last_success_id"] is None for court in entry["courts"]), entry
    assert "successful (partial: 2)" in sop(env, "history", "--sop", "sipp-backup").stdout


@pytest.mark.parametrize(("sop_id", "number"), [("sipp-backup", 3), ("server-maintenance", 7)])
def test_a_report_activity_alone_is_skipped_not_a_report_of_nothing(
        env: dict[str, str], sop_id: str, number: int) -> None:
    """Run alone, a report activity had nothing of its run to report: SIPP backup's
    message said "periode - selesai: -, 0.0 MiB" and server maintenance's "0 paket
    diperbarui", both recorded as done."""
    run = sop(env, "run", sop_id, "-i", "inventory/lab", "--activity", str(number))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    execution = last_execution(env)
    assert execution["sop_id"] == sop_id and execution["partial"] == [number]
    status = {a["number"]: a["status"] for a in execution["activities"]}
    assert status[number] == "skipped" and outputs(execution, number) == [], execution
