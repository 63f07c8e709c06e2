"""End to end through ansible-runner on localhost (connection local): no lab needed."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

import sop.runner
from sop import schedule
from sop.catalogue import get_sop, load_catalogue
from sop.db import StoreError
from sop.liveness import process_token
from sop.store import Store
from sop.sweep import claim_artifacts

from .conftest import INVENTORY, REPO, SOP_BIN, spawn_sop

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _hangup_default() -> Iterator[None]:
    """SIGHUP as a terminal's shell leaves it, whatever started the tests: under `nohup
    pytest` it is ignored, which sop (and every sop these tests start, as exec keeps an
    ignored signal) reads as a run meant to outlive its session."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGHUP, previous)


def _inventory_of(tmp_path: Path, all_yml: str) -> Path:
    """The fixture inventory with its group_vars/all.yml replaced by ``all_yml``."""
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    (inventory / "group_vars" / "all.yml").write_text(all_yml)
    return inventory


def _execution(data: Path, execution_id: int) -> dict[str, object]:
    with sqlite3.connect(data / "sop.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
        activities = conn.execute(
            "SELECT * FROM activity_results WHERE execution_id = ? ORDER BY number", (execution_id,)
        ).fetchall()
    return {**dict(row), "activities": [dict(a) for a in activities]}


def test_successful_run_records_evidence(cli: Cli, sop_env: dict[str, str], tmp_path: Path) -> None:
    work = tmp_path / "work"
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", "--operator", "budi"
    )
    assert code == 0, err
    data = Path(sop_env["SOP_DATA_DIR"])
    row = _execution(data, 1)
    assert row["status"] == "successful" and row["rc"] == 0
    assert row["operator"] == "budi" and row["court_name"] == "Pengadilan Negeri Uji"
    assert row["sop_number"] == "W99.U1/7/SOP/2025"
    assert json.loads(str(row["extra_var_names"])) == ["demo_dir"]
    first, second, manual, delegated = row["activities"]
    assert first["status"] == "changed" and json.loads(first["hosts"]) == ["localhost"]
    assert second["status"] == "changed"
    outputs = json.loads(second["outputs"])
    assert outputs[0]["path"] == str(work / "dump.sql") and len(outputs[0]["sha256"]) == 64
    assert json.loads(first["pelaksana"]) == ["Staf IT (Budi Santoso)"]
    assert manual["status"] == "pending-manual"
    assert delegated["status"] == "pending-manual"  # local-secret never ran
    artifacts = Path(str(row["artifact_dir"]))
    assert (artifacts / "job_events").is_dir()
    assert "env" not in json.loads((artifacts / "command").read_text())
    assert list((data / "run").iterdir()) == []  # private data dir removed
    # Activity 2's human part (manual_step): acknowledged, its automated status kept.
    code, out, err = cli("ack", "1", "2", "--by", "Siti", "--note", "lemari arsip 3")
    assert code == 0, err
    second = _execution(data, 1)["activities"][1]
    assert (second["status"], second["acknowledged_by"]) == ("changed", "Siti")
    code, _, err = cli("ack", "1", "1", "--by", "Siti")
    assert code == 2 and "activity 1 of execution 1 is changed, not a manual step" in err
    code, out, _ = cli("report", "--format", "md")
    assert code == 0 and "Dikonfirmasi oleh Siti" in out and "lemari arsip 3" in out
    code, out, _ = cli("show", "local-demo")
    assert "+ manual (sop ack): Salinan berkas disimpan di lemari arsip" in out


def test_the_warnings_a_module_returned_are_recorded(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A module's `module.warn` (mariadb_backup's "dumped again with mariadb-dump") was
    only in the artifacts' stdout: it is recorded with its activity and host, once, its
    secret masked, and shown by `sop execution` and the report."""
    fallback = "mydumper failed (exit 1): x; dumped again with mariadb-dump"
    warnings = [fallback, "push https://sipp:Tr0ub4dor@backup.invalid/ slow", fallback]
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path / 'work'}",
        "-e", json.dumps({"demo_warnings": warnings}),
    )  # fmt: skip
    assert code == 0, err
    first, second, *_ = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)["activities"]
    assert json.loads(first["warnings"]) == []
    assert json.loads(second["warnings"]) == [
        {"host": "localhost", "warning": fallback},
        {"host": "localhost", "warning": "push https://***@backup.invalid/ slow"},
    ]
    code, out, _ = cli("execution", "1")
    assert code == 0 and "Peringatan: localhost: mydumper failed" in out  # rich folds the rest
    assert "Tr0ub4dor" not in out
    code, out, _ = cli("report", "--format", "md")
    assert code == 0 and f"| localhost | {fallback} |" in out


def test_a_change_whose_result_is_hidden_is_recorded_changed(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """sipp-sync's sync command runs with no_log: ansible-runner's event keeps only
    `censored` of its result, not its `changed`, and the activity was recorded ok while
    the host stats said changed=1. The work directory exists already: the hidden command
    is activity 1's only change (without it, the activity is ok)."""
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    run = ("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", "--activity", "1")
    code, _, err = cli(*run)
    assert code == 0, err
    code, _, err = cli(*run, "-e", "demo_hidden_change=true")
    assert code == 0, err
    data = Path(sop_env["SOP_DATA_DIR"])
    assert _execution(data, 1)["activities"][0]["status"] == "ok"
    assert _execution(data, 2)["activities"][0]["status"] == "changed"
    with sqlite3.connect(data / "sop.db") as conn:
        query = "SELECT execution_id, changed FROM host_stats ORDER BY execution_id"
        assert conn.execute(query).fetchall() == [(1, 0), (2, 1)]


def test_a_run_keeps_the_human_parts_of_its_catalogue(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An execution records each activity's human part (manual_step) as the catalogue
    had it when the run started: a human part reworded, added or removed later changes
    nothing of what `sop execution`, `sop ack` and the report ask of that execution."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(Path(os.environ["SOP_CATALOGUE_DIR"]), catalogue)
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(catalogue))
    demo = catalogue / "local-demo.yml"
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}")
    assert code == 0, err
    old = "Salinan berkas disimpan di lemari arsip"
    text = demo.read_text(encoding="utf-8")
    demo.write_text(  # activity 2's human part reworded, activity 1 given one
        text.replace(old, "Salinan berkas dikirim ke PTA").replace(
            "    automated: persiapan\n",
            "    automated: persiapan\n    manual_step: Komputer dimatikan\n",
        ),
        encoding="utf-8",
    )
    code, out, err = cli("execution", "1", "--query", "activities[].[number, manual_step]")
    assert (code, json.loads(out)) == (0, [[1, None], [2, old], [3, None], [4, None]]), err
    code, out, err = cli("execution", "1")
    assert code == 0 and "lemari arsip" in out, err
    assert "PTA" not in out and "dimatikan" not in out
    code, out, err = cli("report", "--format", "md")
    assert code == 0 and f"BELUM DIKONFIRMASI: {old}" in out, err
    assert "PTA" not in out and "dimatikan" not in out
    code, _, err = cli("ack", "1", "1", "--by", "Siti")
    assert code == 2 and "activity 1 of execution 1 is changed, not a manual step" in err
    demo.write_text(text.replace(f"    manual_step: {old}\n", ""), encoding="utf-8")  # removed
    code, out, err = cli("ack", "1", "3", "--by", "Budi")
    assert code == 0 and f"Still waiting: 2 ({old})" in out, err
    code, out, err = cli("ack", "1", "2", "--by", "Siti", "--note", "lemari 3")
    assert code == 0 and "Still waiting: 4\n" in out, err  # the delegated activity only
    code, out, _ = cli("execution", "1", "--query", "activities[1].[status, acknowledged_by]")
    assert json.loads(out) == ["changed", "Siti"]


def test_failed_and_check_runs(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "run",
        "local-demo",
        "-i",
        str(INVENTORY),
        "-e",
        f"demo_dir={tmp_path}",
        "-e",
        "demo_fail=true",
    )
    assert code == 1
    assert err.startswith("sop: error: execution 1 failed")
    code, out, _ = cli("execution", "1")
    assert "backup gagal (uji)" in out
    code, out, _ = cli(
        "run", "local-demo", "-i", str(INVENTORY), "--check", "-e", f"demo_dir={tmp_path / 'check'}"
    )
    assert code == 0
    code, out, _ = cli("history")
    assert "(check)" in out and "failed" in out


def test_a_callback_that_did_not_run_fails_the_run_saying_so(
    cli: Cli, project: Path, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """The sop_activity callback maps tasks to activities: when it did not load (an
    Ansible upgrade its import no longer suits), Ansible only warns, and the run was
    recorded successful with every automated activity not-run."""
    (project / "plugins").unlink()
    shutil.copytree(REPO / "plugins", project / "plugins")
    (project / "plugins" / "callback" / "sop_activity.py").write_text(
        "raise ImportError('not for this Ansible')\n", encoding="utf-8"
    )
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}")
    assert code == 1
    assert err.strip() == (
        f"sop: error: execution 1 failed: {sop.runner.CALLBACK_SILENT}"
    )
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "failed" and row["error"] == sop.runner.CALLBACK_SILENT


def test_a_partial_run_runs_and_records_only_the_chosen_activities(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """`sop run --activity 2` runs the playbook with activity 2's tag only: the backup is
    made, the preparation is not run. The record names the selection; the activities not
    chosen are not-run, the manual one and the delegated one too (nobody asked for them:
    nothing waits for an ack). The run is listed, marked, and the SOP is not done.
    The work directory's task carries both activities' tags: run for the backup, it is
    the backup's (it was recorded as activity 1's, which was not chosen)."""
    data = Path(sop_env["SOP_DATA_DIR"])
    work = tmp_path / "work"
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", "--activity", "2"
    )
    assert code == 0, err
    row = _execution(data, 1)
    assert (row["status"], row["partial"], row["check_mode"]) == ("successful", "2", 0)
    statuses = [a["status"] for a in row["activities"]]
    assert statuses == ["not-run", "changed", "not-run", "not-run"]
    assert (work / "dump.sql").is_file()
    code, out, err = cli("list", "--json", "--query", "[?id=='local-demo'].state | [0]")
    assert (code, json.loads(out)) == (0, "new"), err  # a partial run is not the SOP done
    code, out, _ = cli("history")
    assert code == 0 and "successful (partial: 2)" in out
    code, out, _ = cli("execution", "1", "--query", "partial")
    assert (code, json.loads(out)) == (0, [2])
    # A dry run of chosen activities (given twice: chosen once).
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "--check", "-e", f"demo_dir={tmp_path / 'c'}",
        "--activity", "1", "--activity", "1",
    )  # fmt: skip
    assert code == 0, err
    row = _execution(data, 2)
    assert (row["partial"], row["check_mode"]) == ("1", 1)
    assert [a["status"] for a in row["activities"]][:2] == ["changed", "not-run"]
    assert not (tmp_path / "c").exists()


def test_a_manual_activitys_automated_part_is_recorded_and_still_awaits_its_ack(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """local-demo's activity 3 is manual with an automated part (tag tindakan, as the
    website's quarantine is activity 6's). Not asked for (its tasks skipped), the row is
    the manual step it always was. Run, its outputs, hosts and duration are recorded with
    it and it still waits for `sop ack`, which keeps them; failed, it fails the run and
    the activity; in a dry run it is recorded, not awaited."""
    data = Path(sop_env["SOP_DATA_DIR"])
    run = ("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path / 'w'}")
    code, _, err = cli(*run)
    assert code == 0, err
    skipped = _execution(data, 1)["activities"][2]
    assert (skipped["status"], skipped["tag"], skipped["started_at"]) == (
        "pending-manual", "tindakan", None)
    assert (json.loads(skipped["outputs"]), skipped["duration_s"]) == ([], None)
    code, _, err = cli(*run, "-e", "demo_action=true")
    assert code == 0, err
    part = _execution(data, 2)["activities"][2]
    assert part["status"] == "pending-manual" and part["started_at"] is not None
    assert part["duration_s"] is not None and json.loads(part["hosts"]) == ["localhost"]
    recorded = [{"host": "localhost", "task": "Record what the part did as SOP output",
                 "tindakan": "laporan dikirim ke Kasub PTIP"}]
    assert json.loads(part["outputs"]) == recorded
    code, out, err = cli("execution", "2", "--query", "activities[2].[mode, status, outputs]")
    assert (code, json.loads(out)) == (0, ["manual", "pending-manual", recorded]), err
    code, out, err = cli("report", "--format", "md")
    assert code == 0 and "manual (bagian otomatis: tag tindakan)" in out, err
    code, out, err = cli("show", "local-demo")
    assert code == 0 and "+ automated part (recorded with it): tag tindakan" in out, err
    code, out, err = cli("ack", "2", "3", "--by", "Budi")
    assert code == 0, err
    acked = _execution(data, 2)["activities"][2]
    assert (acked["status"], acked["acknowledged_by"]) == ("acknowledged", "Budi")
    assert json.loads(acked["outputs"]) == recorded
    code, _, err = cli(*run, "-e", "demo_action=true", "-e", "demo_action_fail=true")
    assert code == 1 and "tindakan gagal (uji)" in err
    failed = _execution(data, 3)
    assert (failed["status"], failed["activities"][2]["status"]) == ("failed", "failed")
    assert "tindakan gagal (uji)" in failed["activities"][2]["outputs"]
    code, _, err = cli("ack", "3", "3", "--by", "Budi")
    assert code == 2 and "activity 3 of execution 3 is failed, not a manual step" in err
    code, _, err = cli(*run, "-e", "demo_action=true", "--check")
    assert code == 0, err
    dry = _execution(data, 4)["activities"][2]
    assert dry["status"] == "pending-manual" and json.loads(dry["outputs"]) == recorded
    code, out, _ = cli("execution", "4")
    assert "Tidak dikonfirmasi: mode uji" in out


@pytest.mark.parametrize(
    ("sop_id", "key", "message"),
    [
        ("local-demo", "3", "activity 3 of SOP local-demo is a manual step: "
         "it is recorded with `sop ack`, not run (its automated part, tag tindakan, runs "
         "with the whole SOP)"),
        ("local-manual", "A.1", "activity A.1 of SOP local-manual is a manual step: "
         "it is recorded with `sop ack`, not run"),
        ("local-demo", "4", "activity 4 of SOP local-demo is carried out by SOP local-secret: "
         "run that SOP"),
        ("local-demo", "9", "SOP local-demo has no activity '9'"),
        # an empty name chose the first activity without a document reference
        ("local-demo", "", "SOP local-demo has no activity ''"),
    ],
)  # fmt: skip
def test_only_automated_activities_can_be_chosen(
    cli: Cli, sop_id: str, key: str, message: str
) -> None:
    code, out, err = cli("run", sop_id, "-i", str(INVENTORY), "--activity", key)
    assert (code, out, err) == (2, "", f"sop: error: {message}\n")
    assert cli("history", "--json") == (0, "[]\n", "")  # nothing recorded


def test_activities_are_chosen_by_number_or_document_reference() -> None:
    sop = get_sop(load_catalogue(), "it-security")
    assert sop.chosen(["C.8", "2", "C.2"]) == (2, 8)


def _playbook_pid(env: dict[str, str], timeout: float = 30) -> int:
    """Wait until execution 1 records its ansible-playbook pid (its first event)."""
    db = Path(env["SOP_DATA_DIR"]) / "sop.db"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    row = conn.execute(
                        "SELECT playbook_pid FROM executions WHERE id = 1"
                    ).fetchone()
                if row and row[0]:
                    return int(row[0])
            except sqlite3.OperationalError:
                pass  # schema being created
        time.sleep(0.1)
    pytest.fail("sop run did not start ansible-playbook")


def _wait_for_command(command: str, timeout: float = 30) -> None:
    """Wait until a process runs exactly `command` (the playbook's task has started)."""
    deadline = time.monotonic() + timeout
    while subprocess.run(["pgrep", "-fx", command], check=False, capture_output=True).returncode:
        assert time.monotonic() < deadline, f"{command!r} did not start"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive (ours are reaped by init once sop is gone)
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"ansible-playbook {pid} outlived sop by more than {timeout} s")
        time.sleep(0.1)


def _spawn_slow_run(
    sop_env: dict[str, str], work: Path, seconds: int | str = 30, *more: str
) -> subprocess.Popen[str]:
    """A `sop run` whose playbook sleeps: time to lock, kill or signal it (`more`: more
    arguments of the run)."""
    return spawn_sop(
        sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}",
        "-e", f"demo_sleep={seconds}", *more,
    )


def _stopped_at_time_limit(env: dict[str, str], tmp_path: Path, seconds: str,
                           *args: str) -> tuple[int, str]:
    """A slow run (its Persiapan sleeping ``seconds``) given systemd's time-limit signal, as
    systemd signals a timer's service (sop and ansible-playbook): its exit status, stderr."""
    slow = _spawn_slow_run(env, tmp_path, seconds, *args)
    playbook_pid = _playbook_pid(env)
    _wait_for_command(f"sleep {seconds}")  # Persiapan is in its sleep
    for pid in (playbook_pid, slow.pid):
        os.kill(pid, signal.Signals[schedule.TIME_LIMIT_SIGNAL])
    _, err = slow.communicate(timeout=60)
    found = subprocess.run(["pgrep", "-fx", f"sleep {seconds}"], capture_output=True,
                           text=True, check=False)  # fmt: skip
    for pid in found.stdout.split():  # the task's own command, in a session of its own
        os.kill(int(pid), signal.SIGKILL)
    return slow.returncode, err


def test_kill_9_leaves_no_unrecorded_playbook(sop_env: dict[str, str], tmp_path: Path) -> None:
    """kill -9 of sop: its ansible-playbook finishes the task at hand, then dies at its next
    output (the pty is gone) without starting another task; while it lives the SOP stays
    locked, naming it; then the execution is `interrupted`, saying what happened."""
    work = tmp_path / "work"
    slow = _spawn_slow_run(sop_env, work, seconds="8.7")
    playbook_pid = _playbook_pid(sop_env)
    _wait_for_command("sleep 8.7")
    slow.kill()
    slow.wait()
    assert _alive(playbook_pid)
    second = spawn_sop(
        sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}"
    )
    _, err = second.communicate(timeout=60)
    assert second.returncode == 4, err
    assert f"already running on inventory {INVENTORY}: execution 1" in err
    assert f"ansible-playbook (pid {playbook_pid}) is still running, orphaned" in err
    assert err.strip().count("\n") == 0
    _wait_gone(playbook_pid, timeout=30)
    assert not (work / "dump.sql").exists()  # the task after the sleep never ran
    history = spawn_sop(sop_env, "history")
    out, _ = history.communicate(timeout=30)
    assert "interrupted" in out
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "interrupted"
    assert f"ansible-playbook (pid {playbook_pid}) ran on orphaned" in str(row["error"])
    assert _statuses(row) == {1: "interrupted", 2: "not-run", **MANUAL}


MANUAL = {3: "pending-manual", 4: "pending-manual"}  # local-demo's manual activities


def _statuses(execution: dict[str, object]) -> dict[int, str]:
    activities = execution["activities"]
    assert isinstance(activities, list)
    return {a["number"]: a["status"] for a in activities}


def _wait_for_activity(data: Path, number: int, status: str) -> dict[str, object]:
    """Execution 1 once `sop` recorded activity `number` with `status` (it records the
    task's start event, which may arrive after the task's command has started)."""
    deadline = time.monotonic() + 30
    while True:
        row = _execution(data, 1)
        if _statuses(row)[number] == status or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_kill_9_keeps_the_activities_done_as_evidence(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """Each activity's row is written when the next starts: after kill -9 of sop in
    activity 2, activity 1 keeps its result and outputs, activity 2 is interrupted."""
    data = Path(sop_env["SOP_DATA_DIR"])
    slow = spawn_sop(
        sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path / 'w'}",
        "-e", '{"demo_push_command": "sleep 7.3"}',
    )  # fmt: skip
    playbook_pid = _playbook_pid(sop_env)
    _wait_for_command("sleep 7.3")
    live = _wait_for_activity(data, 2, "running")
    assert _statuses(live) == {1: "changed", 2: "running", **MANUAL}
    running = live["activities"][1]  # type: ignore[index]
    assert running["started_at"] and running["ended_at"] is None
    assert running["duration_s"] is None
    slow.kill()
    slow.wait()
    _wait_gone(playbook_pid, timeout=30)
    spawn_sop(sop_env, "history").communicate(timeout=30)  # any sop command reaps it
    row = _execution(data, 1)
    assert row["status"] == "interrupted"
    assert _statuses(row) == {1: "changed", 2: "interrupted", **MANUAL}
    first, second = row["activities"][:2]  # type: ignore[index]
    assert first["ended_at"] and first["hosts"] == '["localhost"]'
    assert second["duration_s"] is None  # how long it ran before the kill is not known


def test_sigterm_cancels(sop_env: dict[str, str], tmp_path: Path) -> None:
    slow = _spawn_slow_run(sop_env, tmp_path)
    _playbook_pid(sop_env)
    _wait_for_command("sleep 30")  # Persiapan is in its sleep
    sent = datetime.now(UTC)
    os.kill(slow.pid, signal.SIGTERM)
    _, err = slow.communicate(timeout=30)
    assert slow.returncode == 5, err
    assert "canceled" in err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "canceled"
    # Persiapan had created its directory and was cut short in its sleep: the record says
    # canceled, not ok; the backup activity never started.
    assert _statuses(row) == {1: "canceled", 2: "not-run", **MANUAL}
    # It went on until the cancel stopped it: it ended then, not at its sleep's start (a
    # run stopped at its time limit in a hung task read as within its Mutu Baku).
    persiapan = row["activities"][0]  # type: ignore[index]
    ended = datetime.fromisoformat(persiapan["ended_at"]).replace(tzinfo=UTC)
    started = datetime.fromisoformat(persiapan["started_at"]).replace(tzinfo=UTC)
    assert ended >= sent
    # measured on the monotonic clock as its events arrived; its times are the wall
    # clock's (left alone here), its start the first event's own `created`: they differ
    # by that event's delivery, milliseconds, a few tenths on a loaded machine
    assert persiapan["duration_s"] == pytest.approx((ended - started).total_seconds(), abs=1)


def _take_terminal() -> None:
    """In the child: its stdin, a pty's end, becomes the controlling terminal of the
    session it leads (as the shell's of an SSH session)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_a_dropped_ssh_session_cancels_the_run_saying_so(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """The admin's SSH session dropped during `sop run`: its terminal hung up, and SIGHUP's
    default action killed sop, leaving the execution `running` until a later command
    marked it `interrupted`. It is canceled at once, saying why; what sop writes after to
    the closed terminal (EIO: the live display's end, the execution, its error line) is no
    traceback and keeps neither the record nor the exit status (5) from being right."""
    master, terminal = os.openpty()
    slow = subprocess.Popen(
        [SOP_BIN, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
         "-e", "demo_sleep=31.7"],
        env={**sop_env, "TERM": "xterm"}, stdin=terminal, stdout=terminal, stderr=terminal,
        start_new_session=True, preexec_fn=_take_terminal,  # noqa: PLW1509 (no thread yet)
    )  # fmt: skip
    os.close(terminal)
    shown = bytearray()
    dropped = threading.Event()

    def read() -> None:  # as ssh would: the live display never fills the pty
        while not dropped.is_set():
            if select.select([master], [], [], 0.1)[0]:
                shown.extend(os.read(master, 65536))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        playbook_pid = _playbook_pid(sop_env)
        _wait_for_command("sleep 31.7")  # Persiapan is in its sleep
    finally:
        dropped.set()
        reader.join()
        os.close(master)  # the session drops: the kernel hangs up its terminal
    slow.wait(timeout=30)
    _wait_gone(playbook_pid, timeout=30)
    subprocess.run(["pkill", "-fx", "sleep 31.7"], check=False)  # the task's own command
    assert b"Execution 1" in shown  # it ran on that terminal, its live display shown
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert (row["status"], row["error"]) == (
        "canceled", "stopped: the terminal that started the run closed (SIGHUP)")
    assert _statuses(row) == {1: "canceled", 2: "not-run", **MANUAL}
    assert slow.returncode == 5


def test_a_hangup_after_the_output_s_reader_left_cancels_the_run(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """`sop run ... | tee run.log` in an SSH session that dropped: tee died of its SIGHUP
    (EPIPE on sop's next line) before sop's own came. The broken pipe's first line (the
    execution's, as the playbook starts) made rich exit: the execution was recorded
    `failed`, "internal error: SystemExit(1)", the playbook never ran. It runs until its
    SIGHUP cancels it, and the result goes on stderr as one line, exit 5."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # tee is gone
    slow = subprocess.Popen(
        [SOP_BIN, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
         "-e", "demo_sleep=32.3"],
        env=sop_env, stdout=write_end, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(write_end)
    _playbook_pid(sop_env)
    _wait_for_command("sleep 32.3")
    os.kill(slow.pid, signal.SIGHUP)  # as its shell, hung up, sends its jobs
    _, err = slow.communicate(timeout=30)
    subprocess.run(["pkill", "-fx", "sleep 32.3"], check=False)
    assert (slow.returncode, err) == (5, (
        "sop: error: execution 1 canceled: stopped: the terminal that started the run "
        "closed (SIGHUP)\n"))
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert (row["status"], row["error"]) == (
        "canceled", "stopped: the terminal that started the run closed (SIGHUP)")
    assert _statuses(row) == {1: "canceled", 2: "not-run", **MANUAL}


def test_a_run_whose_output_cannot_be_written_runs_and_is_recorded(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """`sop run ... --check > /dev/full`, a cron job's `>> /var/log/sop.log` on a full
    /var: the execution's first line raised ENOSPC, the run was recorded `failed` after
    0.1 s, "internal error: OSError(28, 'No space left on device')", the SOP never ran.
    The court's evidence is the store: the SOP runs and is recorded as it ended; one line
    at the end says the output was lost, exit 6, or the run's own exit code (1: failed)."""
    lost = "sop: error: the output could not be written (stdout: No space left on device)\n"
    data = Path(sop_env["SOP_DATA_DIR"])
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [SOP_BIN, "run", "local-demo", "-i", str(INVENTORY), "--check",
             "-e", f"demo_dir={tmp_path / 'check'}"],
            env=sop_env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        row = _execution(data, 1)
        assert (row["status"], row["error"], row["check_mode"]) == ("successful", None, 1)
        assert _statuses(row) == {1: "changed", 2: "changed", **MANUAL}  # it ran
        assert (done.returncode, done.stderr) == (6, lost)
        done = subprocess.run(
            [SOP_BIN, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
             "-e", "demo_fail=true"],
            env=sop_env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300,
            check=False,
        )  # fmt: skip
    failed = "localhost: Fail on request: backup gagal (uji)"
    row = _execution(data, 2)
    assert (row["status"], row["error"]) == ("failed", failed)
    assert (done.returncode, done.stderr) == (
        1, f"sop: error: execution 2 failed: {failed}\n{lost}")


def test_a_run_whose_output_is_closed_runs_and_is_recorded(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """`sop run ... >&-`: the output closed as `sop` started was "internal error:
    AttributeError(...)", the SOP never ran. It runs and is recorded as it ended, and one
    line says the output was lost (stderr closed too: nothing said), exit 6 or the run's
    own exit code (1: failed). A cron line's `2>&-`, nothing written to stderr, loses
    nothing: a successful run exits 0, not 6."""
    data = Path(sop_env["SOP_DATA_DIR"])
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", SOP_BIN, "run", "local-demo", "-i", str(INVENTORY),
         "--check", "-e", f"demo_dir={tmp_path / 'check'}"],
        env=sop_env, stderr=subprocess.PIPE, text=True, timeout=300, check=False,
    )  # fmt: skip
    row = _execution(data, 1)
    assert (row["status"], row["error"], row["check_mode"]) == ("successful", None, 1)
    assert _statuses(row) == {1: "changed", 2: "changed", **MANUAL}  # it ran
    lost = "sop: error: the output could not be written (stdout: closed)\n"
    assert (done.returncode, done.stderr) == (6, lost)
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&- 2>&-', "sh", SOP_BIN, "run", "local-demo", "-i",
         str(INVENTORY), "-e", f"demo_dir={tmp_path}", "-e", "demo_fail=true"],
        env=sop_env, timeout=300, check=False,
    )  # fmt: skip
    row = _execution(data, 2)
    failed = "localhost: Fail on request: backup gagal (uji)"
    assert (row["status"], row["error"], done.returncode) == ("failed", failed, 1)
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" 2>&-', "sh", SOP_BIN, "run", "local-demo", "-i", str(INVENTORY),
         "--check", "-e", f"demo_dir={tmp_path / 'check'}"],
        env=sop_env, stdout=subprocess.PIPE, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert _execution(data, 3)["status"] == "successful"
    assert done.returncode == 0 and "successful" in done.stdout, done.stdout


def test_a_run_past_its_time_limit_is_recorded_failed_saying_so(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A timer's run that passes its service's TimeoutStartSec gets systemd's
    WatchdogSignal (schedule.py: TimeoutStartFailureMode=abort), sent to each of the
    service's processes, ansible-playbook's too. Its default action killed sop, leaving
    the execution `running`, then `interrupted`, with no word of the limit.
    The limit is the one the service's command line gives (`--time-limit`, as
    TimeoutStartSec=): a SOP_TIME_LIMIT set by hand in /etc/sop/environment, which
    overrode the unit's own and changed only the message, is ignored, saying so."""
    env = {**sop_env, "SOP_TIME_LIMIT": "30min"}  # by hand, in the service's environment file
    returncode, err = _stopped_at_time_limit(env, tmp_path, "31.7", "--time-limit", "2h 22min")
    cause = "stopped: the run passed its time limit of 2h 22min (TimeoutStartSec of"
    assert returncode == 1 and f"execution 1 failed: {cause}" in err, err
    assert err.startswith(
        "sop: warning: SOP_TIME_LIMIT='30min' is ignored: this run's time limit is its timer's "
        "service's TimeoutStartSec (2h 22min); set a timer's in the inventory's "
        "sop_schedule.time_limit, then run `sop schedule install`\n"
    ), err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "failed" and str(row["error"]).startswith(cause), row
    assert _statuses(row) == {1: "failed", 2: "not-run", **MANUAL}


def test_an_ignored_sop_time_limit_is_quoted_as_every_value_an_error_quotes(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning names SOP_TIME_LIMIT to its 60th character, then … (untrusted.
    shortened), as every value an error quotes: it was cut at 40 without a mark."""
    monkeypatch.setenv("SOP_TIME_LIMIT", "C:\\" + "9" * 100)
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}")
    assert code == 0 and err.startswith(
        "sop: warning: SOP_TIME_LIMIT='C:\\" + "9" * 57 + "…' is ignored: this run's time "
        "limit is none; set a timer's in the inventory's sop_schedule.time_limit, then run "
        "`sop schedule install`\n"
    ), err


def test_a_timer_unit_written_before_time_limit_still_has_its_run_stopped_recorded(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A timer's service `sop schedule install` wrote before `sop run --time-limit` (its
    limit in Environment=SOP_TIME_LIMIT, none on its command line) runs the new sop until
    the units are installed again: a run its flock(1) held while the controller's install
    replaced the project starts it so. Systemd's WatchdogSignal at the limit killed that
    sop (its default action), leaving the execution `running`, then `interrupted`, and
    the warning said the run had no limit."""
    env = {**sop_env, "SOP_TRIGGER": "timer", "SOP_TIME_LIMIT": "2h 22min"}  # the old unit's
    returncode, err = _stopped_at_time_limit(env, tmp_path, "31.9")
    cause = "stopped: the run passed its time limit (TimeoutStartSec of its timer's service)"
    assert returncode == 1 and f"execution 1 failed: {cause}" in err, err
    assert err.startswith(
        "sop: warning: SOP_TIME_LIMIT='2h 22min' is ignored: this run's time limit is its "
        "timer's service's TimeoutStartSec (not on its command line: a unit written before "
        "`sop run --time-limit`); set a timer's in the inventory's sop_schedule.time_limit, "
        "then run `sop schedule install`\n"
    ), err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert (row["status"], row["error"]) == ("failed", cause), row


def test_no_secret_leaks(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = {
        "inventory": "Inv3ntory-Pa55-7781",
        "cli": "C1i-Pa55-9902",
        "vault": "Vau1t-Pa55-3313",
        "vault_password": "vault-pw-5521",
    }
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        f"  vars:\n    inventory_secret: {secrets['inventory']}\n    court_name: PN Rahasia\n"
    )
    vault = VaultLib([("default", VaultSecret(secrets["vault_password"].encode()))])
    (inventory / "group_vars" / "all.yml").write_bytes(
        vault.encrypt(f"vault_secret: {secrets['vault']}\n")
    )
    password_file = tmp_path / "vault-pass"
    password_file.write_text(secrets["vault_password"] + "\n")

    # cli_pin: a value secret though its name is none of a secret's (a password's is
    # refused on the command line): -e values are never recorded.
    code, _, err = cli(
        "run",
        "local-secret",
        "-i",
        str(inventory),
        "-e",
        f"cli_pin={secrets['cli']}",
        "-e",
        f"demo_dir={tmp_path}",
    )
    assert code == 2 and "holds vaulted values" in err and "\n" not in err.strip()

    wrong_password = tmp_path / "wrong-pass"
    wrong_password.write_text("not-the-password\n")
    code, _, err = cli(
        "run", "local-secret", "-i", str(inventory), "--vault-password-file", str(wrong_password)
    )
    assert code == 2 and "\n" not in err.strip()
    assert "the vault password does not decrypt" in err and "not-the-password" not in err

    # Given in a file or typed, the password reaches ansible-playbook and the `sop -i` the
    # playbook runs on the controller (SOP Pengamanan TI's C.1, C.8, C.9).
    monkeypatch.setattr("sop.cli.getpass.getpass", lambda prompt: secrets["vault_password"])
    for vault in (["--vault-password-file", str(password_file)], ["--ask-vault-pass"]):
        (tmp_path / "secret.txt").unlink(missing_ok=True)
        code, _, err = cli(
            "run",
            "local-secret",
            "-i",
            str(inventory),
            *vault,
            "-e",
            f"cli_pin={secrets['cli']}",
            "-e",
            f"demo_dir={tmp_path}",
            "-e",
            "demo_nested_vault=true",
        )
        assert code == 0, (vault, err)
        assert (tmp_path / "secret.txt").read_text().split() == [
            secrets["inventory"],
            secrets["cli"],
            secrets["vault"],
        ]
    code, report, _ = cli("report")
    assert code == 0 and "PN Rahasia" in report
    code, listed, _ = cli("history", "--json")
    runs = json.loads(listed)
    assert code == 0 and [run["status"] for run in runs] == ["successful", "successful"]
    evidence = [report.encode(), listed.encode()]
    for run in runs:
        code, shown, _ = cli("execution", str(run["id"]))
        assert code == 0, shown
        evidence.append(shown.encode())
    for file in Path(sop_env["SOP_DATA_DIR"]).rglob("*"):
        if file.is_file():
            evidence.append(file.read_bytes())
    for name, secret in secrets.items():
        hits = [blob for blob in evidence if secret.encode() in blob]
        assert not hits, f"{name} secret leaked"


def test_bad_input_is_one_line_and_not_recorded(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """`sop run` does not read the inventory itself: ansible-playbook refuses a malformed
    inventory, a --limit matching no host, or finds no host for its plays; each is the
    one line `sop` always gave, exit 2, and no execution is kept (nothing ran)."""
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "--limit", "nohost")
    assert code == 2, err
    assert re.fullmatch(
        f"sop: error: no hosts of inventory {re.escape(str(INVENTORY))} match --limit nohost "
        r"\(nothing ran: execution \d+ is not kept\)",
        err.strip(),
    ), err
    malformed = tmp_path / "hosts.yml"
    malformed.write_text("all:\n  hosts:\n    a: [\n")
    code, _, err = cli("run", "local-demo", "-i", str(malformed))
    assert code == 2, err
    assert err.startswith(f"sop: error: inventory {malformed} is malformed: YAML")
    assert "\n" not in err.strip()
    empty = tmp_path / "empty.yml"
    empty.write_text("all:\n  hosts: {}\n")
    code, _, err = cli("run", "local-demo", "-i", str(empty))
    assert code == 2, err
    assert err.strip().startswith(
        f"sop: error: the playbook ran on no host: no host of inventory {empty} is in its plays "
        "(nothing ran: execution "
    ), err
    code, out, _ = cli("history")
    assert "local-demo" not in out  # nothing ran, nothing recorded
    data = Path(sop_env["SOP_DATA_DIR"])
    assert list((data / "run").iterdir()) == []
    assert list((data / "artifacts").iterdir()) == []


def test_court_comes_from_the_playbook_and_bad_overrides_are_reported(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """The court's variables reach the record from the playbook (the sop_activity
    callback), vaulted or templated as Ansible resolves them; an invalid
    sop_catalogue_overrides does not stop the playbook halfway: the execution is recorded
    without the overrides and `sop` exits 2 naming the problem."""
    inventory = _inventory_of(
        tmp_path,
        "court_base: Pengadilan Negeri\n"
        "court_name: \"{{ court_base }} Templat\"\n"
        "court_kode_satker: '000002'\n"
        "sop_catalogue_overrides:\n  local-demo:\n    pelaksana:\n      Nobody: Ani\n"
    )
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={work}")
    assert code == 2, err
    assert err.startswith(
        f"sop: error: inventory {inventory}: sop_catalogue_overrides/local-demo/pelaksana: "
        "'Nobody'"
    )
    assert err.strip().endswith(
        "(execution 1 successful, recorded without the court's catalogue overrides)"
    )
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "successful" and json.loads(str(row["hosts"])) == ["localhost"]
    assert row["court_name"] == "Pengadilan Negeri Templat"
    assert row["court_kode_satker"] == "000002"
    assert row["sop_number"] == "1/TEST/SOP/2025"


@pytest.mark.parametrize(
    ("keep", "shown"),
    [
        ("abc", "'abc'"),
        ("-1", "'-1'"),
        ("1.5", "'1.5'"),
        ("9" * 5000, "'" + "9" * 60 + "…'"),  # cut as every name an error quotes
        ("C:\\5", "'C:\\5'"),  # quoted once: repr doubled the backslash
        ("2\x1b[2K", "'2\\x1b[2K'"),  # ...and shown an ESC as '\x5cx1b'
    ],
)  # fmt: skip
def test_a_bad_keep_artifacts_refuses_the_run_before_it_is_recorded(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: str, shown: str
) -> None:
    """A SOP_KEEP_ARTIFACTS that is no count is bad input, named in one line before
    anything runs: not an internal error, nor an execution recorded as failed. Its value
    is quoted as every value an error quotes (untrusted.quoted, untrusted.shortened)."""
    monkeypatch.setenv("SOP_KEEP_ARTIFACTS", keep)
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}")
    assert code == 2 and err.strip() == (
        f"sop: error: SOP_KEEP_ARTIFACTS={shown}: must be a whole number of artifact "
        "directories to keep (0: keep every one)"
    ), err
    code, out, _ = cli("history")
    assert code == 0 and "local-demo" not in out
    assert not work.exists()


def test_keep_artifacts_rotates_past_another_sop_and_a_running_execution(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOP_KEEP_ARTIFACTS=2: the run's own artifact dir and the newest other stay, and an
    older one a running execution (another live `sop`) claims. Another `sop` starting at
    once removes the same old dirs: ansible-runner's rotation then failed this run before
    its playbook started ("internal error"); it runs and is recorded successful."""
    data = Path(sop_env["SOP_DATA_DIR"])
    for age, name in enumerate(["104", "103", "102", "101"], start=1):
        (data / "artifacts" / name / "job_events").mkdir(parents=True)
        os.utime(data / "artifacts" / name, (time.time() - 60 * age,) * 2)
    running = subprocess.Popen(["sleep", "60"])
    try:
        claim = data / "run" / f"{running.pid}-{process_token(running.pid)}"
        claim.mkdir(parents=True)
        claim_artifacts(claim, "101")
        rmtree = shutil.rmtree

        def other_first(path: str, *args: Any, **kwargs: Any) -> None:
            rmtree(path, ignore_errors=True)  # the other `sop`, start to end
            rmtree(path, *args, **kwargs)

        monkeypatch.setenv("SOP_KEEP_ARTIFACTS", "2")
        work = tmp_path / "work"
        with monkeypatch.context() as patched:
            patched.setattr(shutil, "rmtree", other_first)
            code, _, err = cli(
                "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}"
            )
        assert (code, err) == (0, "")
        assert _execution(data, 1)["status"] == "successful"
        assert sorted(p.name for p in (data / "artifacts").iterdir()) == ["1", "101", "104"]
    finally:
        running.kill()
        running.wait()


def test_a_kode_satker_longer_than_the_store_records_is_refused(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A kode satker over the store's 40 characters: SQLite kept it, PostgreSQL refused
    it as the run recorded the court, mid-playbook; now bad input on both (the run kept
    without it, as a kode satker that is no text), and the commands that read the
    inventory refuse it."""
    inventory = _inventory_of(
        tmp_path,
        f"court_name: Pengadilan Negeri Uji\ncourt_kode_satker: '{'4' * 41}'\n"
    )
    line = "court_kode_satker is 41 characters long: the store records at most 40"
    code, _, err = cli("show", "local-demo", "-i", str(inventory))
    assert (code, err.strip()) == (2, f"sop: error: inventory {inventory}: {line}")
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e",
                       f"demo_dir={tmp_path / 'work'}")
    # the court variables its playbook reported, named by the inventory the run was given
    assert code == 2, err
    assert err.startswith(f"sop: error: inventory {inventory}: {line} (execution 1 successful"), err
    assert _execution(Path(sop_env["SOP_DATA_DIR"]), 1)["court_kode_satker"] is None


def test_a_court_identity_that_is_no_text_is_not_recorded(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """An unquoted kode satker with a leading 0 is an octal number to YAML (012345 reads
    as 5349) and a court_name may be a list: neither is recorded as the court's identity.
    The run (already under way when the playbook reports them) is kept without them and
    `sop` exits 2 naming them; the commands that read the inventory refuse it."""
    inventory = _inventory_of(
        tmp_path,
        "court_name: Pengadilan Negeri Uji\ncourt_kode_satker: 012345\n"
    )
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={work}")
    assert code == 2, err
    assert err.strip() == (
        f"sop: error: inventory {inventory}: court_kode_satker: 5349 is not text (write it in "
        "quotes: "
        "unquoted, YAML reads it as a number, an octal one when it starts with 0) "
        "(execution 1 successful, recorded without its court_kode_satker)"
    ), err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "successful"
    assert (row["court_name"], row["court_kode_satker"]) == ("Pengadilan Negeri Uji", None)
    code, _, err = cli("show", "local-demo", "-i", str(inventory))
    assert code == 2 and err.startswith(
        f"sop: error: inventory {inventory}: court_kode_satker: 5349 is not"
    ), err
    (inventory / "group_vars" / "all.yml").write_text("court_name: [PN A, PN B]\n")
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={work}")
    assert code == 2 and err.startswith(
        f"sop: error: inventory {inventory}: court_name: ['PN A', 'PN B'] is not text"
    ), err
    assert _execution(Path(sop_env["SOP_DATA_DIR"]), 2)["court_name"] is None


def test_a_long_identity_that_is_no_text_is_cut_as_every_quoted_name(
    cli: Cli, tmp_path: Path
) -> None:
    """A court_name given as a long list is named to its 60th character, then … (untrusted.
    shortened), as every name an error quotes: inventory cut its own way, at 59."""
    inventory = _inventory_of(
        tmp_path,
        "court_name: [Pengadilan Negeri Uji Satu, Pengadilan Negeri Uji Dua, "
        "Pengadilan Negeri Uji Tiga]\n"
    )
    code, out, err = cli("show", "local-demo", "-i", str(inventory))
    assert (code, out, err) == (
        2, "", f"sop: error: inventory {inventory}: court_name: ['Pengadilan Negeri Uji Satu', "
        "'Pengadilan Negeri Uji Dua', … is not text\n"
    )


def test_run_is_judged_against_the_courts_own_mutu_baku(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A court whose own SOP document sets another time (sop_catalogue_overrides.<sop>.waktu,
    as the playbook reports it) has its run recorded and judged against that time; an
    execution recorded before keeps the standard it was judged against."""
    data = Path(sop_env["SOP_DATA_DIR"])
    work = tmp_path / "work"
    run = ("run", "local-demo", "-e", f"demo_dir={work}", "-e", "demo_sleep=1.5")
    code, _, err = cli(*run, "-i", str(INVENTORY))
    assert code == 0, err
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    court_vars = inventory / "group_vars" / "all.yml"
    court_vars.write_text(
        court_vars.read_text() + "    waktu:\n      1: 1s\n      3: 30m\n", encoding="utf-8"
    )
    code, _, err = cli(*run, "-i", str(inventory))
    assert code == 0, err
    before, after = _execution(data, 1), _execution(data, 2)
    assert before["catalogue_hash"] != after["catalogue_hash"]
    first = before["activities"][0]
    assert (first["limit_s"], first["over_time"]) == (300, 0)  # the catalogue's 5 minutes
    first, _, manual, _ = after["activities"]
    assert float(str(first["duration_s"])) > 1
    assert (first["limit_s"], first["over_time"]) == (1, 1)  # the court's own 1 second
    assert manual["limit_s"] == 1800
    code, out, _ = cli("execution", "2")
    assert code == 0 and "- / 30 menit" in out and "5 menit" not in out
    assert re.search(r"\d+,\d detik / 1 detik OVER", out), out
    code, out, _ = cli("execution", "1")
    assert code == 0 and re.search(r"\d+,\d detik / 5 menit ", out), out
    assert "- / 5 menit" in out and "30 menit" not in out
    code, out, _ = cli("show", "local-demo", "-i", str(inventory))
    assert code == 0 and "1 detik (SOP pengadilan ini)" in out
    assert "30 menit (SOP pengadilan ini)" in out


def test_manual_sop_records_the_courts_own_mutu_baku(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A SOP of manual steps only (no playbook: the inventory read in-process) records the
    court's own time as well."""
    inventory = _inventory_of(
        tmp_path,
        "court_name: Pengadilan Negeri Uji\n"
        "sop_catalogue_overrides:\n  local-manual:\n    waktu:\n      A.1: 2h\n"
    )
    code, _, err = cli("run", "local-manual", "-i", str(inventory))
    assert code == 0, err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["activities"][0]["limit_s"] == 7200


def test_a_bad_mutu_baku_is_reported_and_the_run_kept_on_the_catalogues(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """An unparsable court time does not stop the playbook halfway: the run is recorded
    against the catalogue's Mutu Baku and `sop` exits 2 naming the value and where it is."""
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    court_vars = inventory / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text() + "    waktu:\n      1: 5 menit\n")
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={work}")
    assert code == 2, err
    assert err.startswith(
        f"sop: error: inventory {inventory}: sop_catalogue_overrides/local-demo/waktu/1: "
        "not a duration: "
        "'5 menit' (use 5m, 1h, 1d or ISO 8601 such as PT1H)"
    ), err
    assert err.strip().count("\n") == 0
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["status"] == "successful" and row["activities"][0]["limit_s"] == 300


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("frequency: daily", "frequency: hourly"), "frequency: 'hourly' is not one of"),
        (("    output: Komputer siap\n", ""), "'output' is a required property"),
    ],
)
def test_malformed_catalogue_stops_the_run(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, str],
    expected: str,
) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(Path(os.environ["SOP_CATALOGUE_DIR"]), catalogue)
    demo = catalogue / "local-demo.yml"
    text = demo.read_text(encoding="utf-8")
    assert change[0] in text
    demo.write_text(text.replace(*change), encoding="utf-8")
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(catalogue))
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}")
    assert code == 2 and expected in err and "\n" not in err.strip()
    assert not work.exists()  # the playbook never ran


def test_killed_run_leaves_no_secret_on_disk(sop_env: dict[str, str], tmp_path: Path) -> None:
    """SIGKILL mid-run with a vault password (--ask-vault-pass), a -e secret and a secret
    in the environment: the next `sop` command leaves none of them under the data dir."""
    secrets = {
        "cli": "C1i-Crash-4471",
        "vault_password": "vault-crash-8830",
        "env": "Env-Crash-2290",
    }
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        "  vars:\n    inventory_secret: not-secret-here\n"
    )
    vault = VaultLib([("default", VaultSecret(secrets["vault_password"].encode()))])
    (inventory / "group_vars" / "all.yml").write_bytes(vault.encrypt("vault_secret: v\n"))
    env = {**sop_env, "SOP_TEST_TOKEN": secrets["env"]}
    run = subprocess.Popen(
        [SOP_BIN, "run", "local-secret", "-i", str(inventory), "--ask-vault-pass",
         "-e", f"cli_pin={secrets['cli']}", "-e", f"demo_dir={tmp_path}",
         "-e", "demo_sleep=5.3"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,  # no terminal: getpass reads stdin
    )
    assert run.stdin is not None
    run.stdin.write(secrets["vault_password"] + "\n")
    run.stdin.close()
    playbook_pid = _playbook_pid(sop_env)
    _wait_for_command("sleep 5.3")
    run.kill()
    run.wait()
    data = Path(sop_env["SOP_DATA_DIR"])

    def leaked() -> list[str]:
        blobs = [f.read_bytes() for f in data.rglob("*") if f.is_file()]
        return [name for name, value in secrets.items() if any(value.encode() in b for b in blobs)]

    assert leaked() == ["cli"]  # the -e values file, left by the crash
    history = spawn_sop(sop_env, "history")
    history.communicate(timeout=30)
    assert history.returncode == 0
    assert leaked() == []
    _wait_gone(playbook_pid, timeout=30)


def test_killed_runs_raw_events_are_swept_and_a_live_runs_kept(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    """ansible-playbook outlives a killed `sop` to the end of its task and writes that
    task's event raw (job_events/<uuid>-partial.json: its stdout unmasked) for an
    ansible-runner that is gone. The next `sop` command removes it; while a run lives,
    its private dir claims its artifact dir, whose raw events no sweep touches."""
    data = Path(sop_env["SOP_DATA_DIR"])
    slow = spawn_sop(
        sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path / 'w'}",
        "-e", '{"demo_push_command": "sleep 4.7; echo Raw-Event-5512"}',
    )  # fmt: skip
    playbook_pid = _playbook_pid(sop_env)
    _wait_for_command("sh -c sleep 4.7; echo Raw-Event-5512")
    assert [p.read_text() for p in (data / "run").glob("*/artifact-dir")] == ["1"]
    slow.kill()
    slow.wait()
    _wait_gone(playbook_pid, timeout=30)

    def holding() -> list[str]:
        return [f.name for f in data.rglob("*") if f.is_file() and b"Raw-Event" in f.read_bytes()]

    raw = [name for name in holding() if name != "extravars.json"]  # -e's file: swept too
    assert len(raw) == 1 and raw[0].endswith("-partial.json"), raw
    spawn_sop(sop_env, "history").communicate(timeout=30)
    assert holding() == []
    assert not list((data / "artifacts").glob("*/job_events/*-partial.json*"))


def test_failed_task_cause_is_the_error(cli: Cli, sop_env: dict[str, str], tmp_path: Path) -> None:
    push = (
        "echo 'sending dump.sql'; echo 'Warning: Permanently added host key' >&2; "
        "printf 'ssh: Could not resolve hostname backup [/x]\\033[2K: Name or service not "
        "known\\n' >&2; exit 255"
    )  # [/x]: rich markup; ESC [2K: erases the terminal's line (what a host says is text)
    code, out, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
        "-e", json.dumps({"demo_push_command": push}), "--operator", "[bold]ani[/x]",
    )
    cause = (
        "localhost: Push the dump to the backup computer (on request; fails as the command "
        "does): ssh: Could not resolve hostname backup [/x]\x1b[2K: Name or service not known"
    )
    assert code == 1
    shown_cause = cause.replace("\x1b", "\\x1b")
    assert err.strip() == f"sop: error: execution 1 failed: {shown_cause}"
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert row["error"] == cause
    assert "non-zero return code" not in out
    for command in (("execution", "1"), ("history",)):
        code, shown, _ = cli(*command)
        flat = " ".join(shown.replace("│", " ").split())
        assert code == 0 and "Could not resolve hostname backup [/x]\\x1b[2K" in flat, command
        assert "[bold]ani[/x]" in flat and "\x1b" not in flat
    code, shown, _ = cli("report")
    assert code == 0
    assert "hostname backup \\[/x\\]\\\\x1b\\[2K: Name or service not known" in shown


def test_a_failure_cause_is_recorded_without_its_secrets(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A failed task's stderr or msg quoting a URL's user:password@ or ?token=, or a
    command line's --password=X or -pX, is recorded with those values as ***: the store,
    `sop execution --json`, `sop history` and the report never show the secret."""
    quoted = (
        "rsync https://sipp:Tr0ub4dor1@backup.invalid/upload?token=Tr0ub4dor2 failed: "
        "mysqldump --password=Tr0ub4dor3 -pTr0ub4dor4"
    )
    masked = (
        "rsync https://***@backup.invalid/upload?token=*** failed: mysqldump --password=*** -p***"
    )
    runs = (
        ("Push the dump to the backup computer (on request; fails as the command does)",
         {"demo_push_command": f"echo '{quoted}' >&2; exit 1"}),
        ("Fail on request", {"demo_fail": True, "demo_fail_msg": quoted}),
    )
    data = Path(sop_env["SOP_DATA_DIR"])
    for execution_id, (task, extra) in enumerate(runs, start=1):
        code, _, err = cli(
            "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
            "-e", json.dumps(extra),
        )
        assert code == 1 and "Tr0ub4dor" not in err, err
        row = _execution(data, execution_id)
        assert row["error"] == f"localhost: {task}: {masked}"
        assert json.loads(str(row["activities"][1]["outputs"]))[-1]["error"] == masked
        code, out, _ = cli("execution", str(execution_id), "--json")
        assert code == 0 and masked in out and "Tr0ub4dor" not in out
    for command in (("history",), ("report", "--format", "md"), ("report", "--format", "html")):
        code, out, _ = cli(*command)
        shown = out.replace("\\", "")  # Markdown escapes the stars
        assert code == 0 and "https://***@backup.invalid" in shown, command
        assert "Tr0ub4dor" not in out, command


def test_a_failure_naming_a_file_in_bytes_that_are_no_utf8_is_recorded(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A file an intruder named in bytes that are no UTF-8 reaches a failed task's message
    as Python keeps it, a lone surrogate (a name the controller read: Ansible refuses one
    in a module's result). No text column holds it: recording the run's end raised
    UnicodeEncodeError, sop ended in an internal error, and the record lost the run's
    cause, return code, activity outputs, host counts and artifacts. The byte is recorded
    as its escape text in the error (`\\udcff`), exactly in the outputs (JSON's own)."""
    www = tmp_path / "www"
    www.mkdir()
    (www / os.fsdecode(b"shell\xff.php")).touch()
    name = f"{www}/" + b"shell\xff.php".decode("utf-8", "surrogateescape")
    message = f"webshell: {{{{ lookup('fileglob', '{www}/*') }}}}"  # read on the controller
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path / 'work'}",
        "-e", json.dumps({"demo_fail": True, "demo_fail_msg": message}),
    )  # fmt: skip
    escaped = f"{www}/shell\\udcff.php"
    assert code == 1, err
    cause = f"localhost: Fail on request: webshell: {escaped}"
    assert err.strip() == f"sop: error: execution 1 failed: {cause}"
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert (row["status"], row["rc"], row["error"]) == ("failed", 2, cause)
    outputs = json.loads(str(row["activities"][1]["outputs"]))
    assert outputs[-1]["error"] == f"webshell: {name}" and outputs[0]["sha256"]
    assert row["artifact_dir"] and _statuses(row) == {1: "changed", 2: "failed", **MANUAL}
    with sqlite3.connect(Path(sop_env["SOP_DATA_DIR"]) / "sop.db") as conn:
        assert conn.execute("SELECT failures FROM host_stats").fetchall() == [(1,)]


def test_a_failed_tasks_secret_reaches_no_file_the_run_leaves(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A failed command's stderr quoting a password (mysql -pX, a GRANT's IDENTIFIED BY 'X')
    was masked in the record only: ansible-runner's artifacts (job_events/*.json, stdout)
    kept the task's result as written. No file under the data dir holds it."""
    split = 'S3cr""etX'  # the shell joins it: the secret is in the task's output only
    push = (
        f'echo "mysql -u sipp -p{split}: ERROR 1045 (28000): Access denied" >&2; '
        f"echo \"GRANT ALL ON sipp.* TO sipp IDENTIFIED BY '{split}'\" >&2; exit 1"
    )
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
        "-e", json.dumps({"demo_push_command": push}),
    )  # fmt: skip
    assert code == 1 and err.endswith("IDENTIFIED BY ***\n"), err
    data = Path(sop_env["SOP_DATA_DIR"])
    artifacts = Path(str(_execution(data, 1)["artifact_dir"]))
    failed = [
        json.loads(file.read_text())
        for file in (artifacts / "job_events").glob("*.json")
        if '"runner_on_failed"' in file.read_text()
    ]
    assert len(failed) == 1
    assert failed[0]["event_data"]["res"]["stderr_lines"] == [
        "mysql -u sipp -p*** ERROR 1045 (28000): Access denied",
        "GRANT ALL ON sipp.* TO sipp IDENTIFIED BY ***",
    ]
    assert "IDENTIFIED BY ***" in (artifacts / "stdout").read_text()
    leaked = [
        str(file.relative_to(data))
        for file in data.rglob("*")
        if file.is_file() and b"S3cretX" in file.read_bytes()
    ]
    assert leaked == []


def test_unreachable_host_is_named_with_its_reason(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  hosts:\n    sipp:\n      ansible_host: backup.invalid\n"
        "      ansible_connection: ssh\n      ansible_ssh_common_args: -o ConnectTimeout=5\n"
    )
    code, _, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={tmp_path}")
    assert code == 3, err
    assert err.startswith("sop: error: execution 1 unreachable: sipp unreachable: ")
    assert "backup.invalid" in err and "\n" not in err.strip()
    assert _execution(Path(sop_env["SOP_DATA_DIR"]), 1)["hosts"] == '["sipp"]'


def test_a_store_failure_mid_run_stops_the_playbook_and_says_so(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store failing while the playbook runs (a PostgreSQL connection dropped) raised
    out of the event handler through ansible-runner, which left the playbook and its
    task running, orphaned, and the execution `running` with no error, for the next
    command to mark `interrupted` as if sop had been killed. Now the playbook is
    canceled, sop exits 6 naming the store failure, and the record (once the store is
    back) says what happened."""
    update = Store.update_activities
    failed: list[bool] = []

    def dropped(self: Store, execution_id: int, activities: list[dict[str, object]]) -> None:
        if not failed and any(a.get("status") == "running" for a in activities):
            failed.append(True)  # as activity 1 starts
            raise StoreError(self.db.url, "server closed the connection unexpectedly")
        update(self, execution_id, activities)

    monkeypatch.setattr(Store, "update_activities", dropped)
    started = time.monotonic()
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}",
                       "-e", "demo_sleep=29.3")
    assert code == 6, err
    assert err.strip().count("\n") == 0 and "server closed the connection unexpectedly" in err
    assert "execution 1" in err and "playbook was stopped" in err
    assert time.monotonic() - started < 20
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert isinstance(row["playbook_pid"], int)
    _wait_gone(row["playbook_pid"], timeout=5)
    # ansible-runner's cancel kills ansible-playbook's process group; the task's own
    # command (Ansible starts it in a session of its own) is not in it, as with any cancel.
    subprocess.run(["pkill", "-fx", "sleep 29.3"], check=False)
    assert row["status"] == "failed", row
    assert "server closed the connection unexpectedly" in str(row["error"])
    assert "playbook was stopped" in str(row["error"])
    assert _statuses(row) == {1: "failed", 2: "not-run", **MANUAL}


def test_sigint_before_the_playbook_starts_is_a_cancel(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT after the execution was recorded but before sop caught the signals for the
    playbook was recorded `failed`, "internal error: KeyboardInterrupt()"."""
    private_dir = sop.runner.private_dir

    def interrupted(data_dir: Path) -> Path:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the run's private dir is made
        return private_dir(data_dir)

    monkeypatch.setattr(sop.runner, "private_dir", interrupted)
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}")
    assert code == 5, err
    row = _execution(Path(sop_env["SOP_DATA_DIR"]), 1)
    assert (row["status"], row["error"]) == ("canceled", None)
    assert _statuses(row) == {1: "not-run", 2: "not-run", **MANUAL}
    assert not (tmp_path / "dump.sql").exists()  # nothing ran


def _signalled_at(sop_env: dict[str, str], tmp_path: Path, fail: str, patch: str,
                  ) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    """A local-demo run (failing as ``fail`` says) in a `sop` whose code ``patch`` makes
    send itself SIGTERM at a chosen moment: its process and its execution's row."""
    script = f"import os, signal, sys\nimport sop.runner\n{patch}from sop.cli import main\n" \
        "sys.exit(main(sys.argv[1:]))\n"
    done = subprocess.run(
        [str(Path(SOP_BIN).parent / "python"), "-c", script, "run", "local-demo",
         "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}", "-e", f"demo_fail={fail}",
         "-e", "demo_fail_msg=x"],
        env=sop_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, _execution(Path(sop_env["SOP_DATA_DIR"]), 1)


OUTCOMES = pytest.mark.parametrize(
    ("fail", "code", "status", "error"),
    [("false", 0, "successful", None), ("true", 1, "failed", "localhost: Fail on request: x")],
)


@OUTCOMES
def test_sigterm_as_the_playbook_ends_keeps_its_outcome(
    sop_env: dict[str, str], tmp_path: Path, fail: str, code: int, status: str, error: str | None
) -> None:
    """SIGTERM after the playbook ended but before its outcome was recorded killed sop
    (the default action: sop's handlers were gone), leaving a finished run `running`,
    then `interrupted`. The outcome is recorded, then sop exits. A playbook that ran to
    its end and failed was recorded `canceled`, without its cause."""
    done, row = _signalled_at(sop_env, tmp_path, fail, (
        "read = sop.runner._read_stdout\n"
        "def late(artifact_dir):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)  # the playbook has just ended\n"
        "    return read(artifact_dir)\n"
        "sop.runner._read_stdout = late\n"))
    assert done.returncode == code, (done.returncode, done.stderr)
    assert (row["status"], row["error"]) == (status, error), row
    assert (tmp_path / "dump.sql").exists()


@OUTCOMES
def test_a_cancel_after_the_final_stats_keeps_the_outcome(
    sop_env: dict[str, str], tmp_path: Path, fail: str, code: int, status: str, error: str | None
) -> None:
    """SIGTERM as the playbook reported its final stats (the lab: a backup made, verified
    and pruned, its PLAY RECAP written) made ansible-runner cancel ansible-playbook as it
    was exiting (rc 254): the run was recorded `canceled` with every activity done. It ran
    to its end: its outcome stands."""
    done, row = _signalled_at(sop_env, tmp_path, fail, (
        "handle = sop.runner._Events.handle\n"
        "def late(self, event):\n"
        "    if event.get('event') == 'playbook_on_stats':\n"
        "        os.kill(os.getpid(), signal.SIGTERM)  # the final stats are in\n"
        "    return handle(self, event)\n"
        "sop.runner._Events.handle = late\n"))
    assert done.returncode == code, (done.returncode, done.stderr)
    assert (row["status"], row["error"]) == (status, error), row


@pytest.mark.parametrize(
    ("runner_status", "rc", "stats", "status"),
    [
        ("canceled", 254, {}, "canceled"),  # stopped before its end
        ("canceled", 254, {"h": {"ok": 3}}, "successful"),  # as it exited
        ("canceled", 254, {"h": {"ok": 3, "failures": 1}}, "failed"),
        ("canceled", 254, {"h": {"ok": 3, "dark": 1}}, "unreachable"),
        ("successful", 0, {"h": {"ok": 3}}, "successful"),
        ("failed", 2, {"h": {"ok": 3, "failures": 1, "dark": 1}}, "failed"),
    ],
)
def test_a_run_with_final_stats_ran_to_its_end(
    runner_status: str, rc: int, stats: dict[str, dict[str, int]], status: str
) -> None:
    assert sop.runner._status(runner_status, rc, stats) == status


def test_a_hangup_cancels_saying_so_unless_sop_started_ignoring_it() -> None:
    """SIGHUP is held with SIGINT and SIGTERM, except in a run started with it ignored
    (`nohup sop run`, to outlive the session); its cancel names the closed terminal, a
    Ctrl-C's before it is the Ctrl-C's, the time limit's signal still fails the run."""
    hangup = sop.runner.Signals(None, 0)
    assert signal.SIGHUP in hangup.handled()
    hangup.received.append(signal.SIGHUP)
    assert hangup.outcome() == (
        "canceled", "stopped: the terminal that started the run closed (SIGHUP)")
    typed = sop.runner.Signals(None, 0)
    typed.received += [signal.SIGINT, signal.SIGHUP]
    assert typed.outcome() == ("canceled", None)
    timed = sop.runner.Signals("1h", 0)
    timed.received += [signal.SIGHUP, signal.Signals[schedule.TIME_LIMIT_SIGNAL]]
    assert timed.outcome()[0] == "failed"
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with sop.runner._cancel_on_signals(None, 0, timer=False) as signals:
            assert signal.SIGHUP not in signals.handled()
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_second_hangup_while_the_outcome_is_shown_is_ignored() -> None:
    """A dropped SSH session sends SIGHUP twice (the kernel's hangup, then its shell's to
    its jobs): the second, once the run's outcome was recorded and its handlers gone,
    killed sop by default while it showed the execution, exit -SIGHUP, not 5. After a
    hangup SIGHUP stays ignored; after a Ctrl-C it is as it was."""
    previous, interrupt = signal.getsignal(signal.SIGHUP), signal.getsignal(signal.SIGINT)
    try:
        with sop.runner._cancel_on_signals(None, 0, timer=False) as typed:
            signal.raise_signal(signal.SIGINT)
        assert typed.received == [signal.SIGINT]
        assert signal.getsignal(signal.SIGHUP) == previous
        with sop.runner._cancel_on_signals(None, 0, timer=False) as hung_up:
            signal.raise_signal(signal.SIGHUP)
        assert hung_up.received == [signal.SIGHUP]
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) == interrupt
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_time_limit_passed_after_a_wait_for_the_lock_says_the_wait_counted() -> None:
    """TimeoutStartSec counts a timer's run's wait for the install's lock (up to an hour):
    a run stopped at its limit after such a wait said only that it passed its limit."""
    stopped = sop.runner.Signals("2h 22min", 2400.4)
    stopped.received.append(signal.Signals[schedule.TIME_LIMIT_SIGNAL])
    assert stopped.outcome() == ("failed", (
        "stopped: the run passed its time limit of 2h 22min (TimeoutStartSec of its timer's "
        "service, which counted its wait of 40 menit for the install's lock)"))
    unhindered = sop.runner.Signals("2h 22min", 0.2)
    unhindered.received.append(signal.Signals[schedule.TIME_LIMIT_SIGNAL])
    assert unhindered.outcome() == ("failed", (
        "stopped: the run passed its time limit of 2h 22min (TimeoutStartSec of its timer's "
        "service)"))


def test_a_playbook_is_told_the_data_directory_the_run_records_into(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """server_incident keeps its diagnostics bundles on the controller: inside the project
    (playbooks/../var/incidents), a controller install's rsync --delete removed them. The
    playbook gets the data directory of `--data-dir` too, not only an inherited one."""
    data, seen = tmp_path / "elsewhere", tmp_path / "seen"
    assert sop_env["SOP_DATA_DIR"] != str(data)
    code, _, err = cli(
        "--data-dir", str(data), "run", "local-demo", "-i", str(INVENTORY),
        "-e", f"demo_dir={tmp_path / 'work'}",
        "-e", json.dumps({"demo_push_command": f'printf %s "$SOP_DATA_DIR" > {seen}'}),
    )  # fmt: skip
    assert code == 0, err
    assert seen.read_text() == str(data.resolve())


def test_a_relative_data_directory_is_the_current_directorys(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--data-dir data` ran the playbook with the run's -e values file named relative to
    the current directory, read from the project's, where ansible-playbook runs: the run
    was recorded failed ("Completely failed to parse inventory source"), and the playbook
    was told a data directory inside the project. The records, the -e values and the
    playbook's data directory are all the current directory's."""
    cwd, seen = tmp_path / "cwd", tmp_path / "seen"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    code, _, err = cli(
        "--data-dir", "data", "run", "local-demo", "-i", str(INVENTORY),
        "-e", f"demo_dir={tmp_path / 'work'}",
        "-e", json.dumps({"demo_push_command": f'printf %s "$SOP_DATA_DIR" > {seen}'}),
    )  # fmt: skip
    assert code == 0, err
    assert seen.read_text() == str(cwd / "data")
    with sqlite3.connect(cwd / "data" / "sop.db") as db:
        assert db.execute("SELECT status FROM executions").fetchall() == [("successful",)]
