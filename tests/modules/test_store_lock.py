"""The backup computer's store lock (sop_backup_ledger.store_lock over
sop_backup_files.wait_flock): every writer of the store's record and every retention of
it holds the one lock the ingest holds, waited for by a blocking flock bounded by a timer,
against a real flock held by another process."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from loader import load, lock_held, run_module

files = load("sop_backup_files")
ledger = load("sop_backup_ledger")


def flock_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The operations of every flock(2) wait_flock makes from now on."""
    calls: list[int] = []
    real = fcntl.flock

    def counted(fd: int, operation: int) -> None:
        calls.append(operation)
        real(fd, operation)

    monkeypatch.setattr(files.fcntl, "flock", counted)
    return calls


def test_a_lock_let_go_is_had_by_one_blocking_flock_not_tries_every_half_second(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """wait_flock tried LOCK_NB every 0.5 s: a lock let go was had up to half a second
    late, and the waiter woke twice a second for the whole wait. It is one blocking flock,
    which the kernel grants when the holder lets go."""
    lock = tmp_path / "lock"
    with lock_held(lock) as (pid, _command), open(lock, "rb+") as handle:
        threading.Timer(1.2, os.kill, (pid, signal.SIGKILL)).start()
        calls = flock_calls(monkeypatch)
        waited = files.wait_flock(handle.fileno(), time.monotonic() + 20)
    # the timer starts before the wait does: on a busy machine the wait measured may be
    # a few ms under 1.2 s (1.199 s seen); had at once it would be about 0
    assert 1.0 <= waited < 5
    assert calls == [fcntl.LOCK_EX]


def test_a_lock_still_held_at_the_deadline_times_out_there_and_leaves_the_alarm_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wait ends at its deadline (LockTimeout, the seconds waited); the process's
    SIGALRM handler and a timer it had set are as before, the timer's time running on."""
    lock = tmp_path / "lock"
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: fired.append(signum))
    try:
        with lock_held(lock), open(lock, "rb+") as handle:
            signal.setitimer(signal.ITIMER_REAL, 30)
            with pytest.raises(files.LockTimeout) as timed_out:
                files.wait_flock(handle.fileno(), time.monotonic() + 0.5)
            left = signal.getitimer(signal.ITIMER_REAL)[0]
            calls = flock_calls(monkeypatch)
            with pytest.raises(files.LockTimeout):  # no time left (lock_timeout 0)
                files.wait_flock(handle.fileno(), time.monotonic())
        assert 0.5 <= timed_out.value.args[0] < 2
        assert 27 < left <= 29.5 and fired == []
        assert calls == [fcntl.LOCK_EX | fcntl.LOCK_NB]
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        time.sleep(0.5)
        assert fired == [signal.SIGALRM]  # the process's own handler, put back
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def verified_line(name: str, at: str) -> list[dict[str, Any]]:
    return [{"at": at, "event": event, "name": name, "sha256": "s", "size": 4, "status": "ok"}
            for event in ("ingested", "verified")]


def write_lines(record: Path, lines: list[dict[str, Any]]) -> None:
    with open(record, "a", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line) + "\n" for line in lines)


def store_with_one_backup(store: Path) -> tuple[Path, str]:
    """A store whose record holds one verified backup taken in three days ago."""
    store.mkdir()
    old = "sipp-20261101T020000.sql.zst"
    (store / old).write_bytes(b"data")
    at = (dt.datetime.now().astimezone() - dt.timedelta(days=3)).isoformat()
    write_lines(store / ledger.LEDGER_NAME, verified_line(old, at))
    return store / ledger.LEDGER_NAME, old


def retention_args(store: Path, record: Path, **more: Any) -> dict[str, Any]:
    return {"path": str(store), "prefix": "sipp", "ledger": str(record), "keep_daily": 1,
            "keep_weekly": 0, "keep_monthly": 0, **more}


def test_retention_waits_for_the_store_lock_and_judges_the_record_its_holder_left(
        tmp_path: Path) -> None:
    """An ingest held the store's lock and had not yet recorded the newer backup it took
    in: retention, holding no lock, judged from the record as it was then (the old backup
    the newest verified one, kept) and wrote its lines among the ingest's. It waits for
    the lock and judges the record the ingest left: the newer backup kept, the old one
    pruned after it."""
    store = tmp_path / "store"
    record, old = store_with_one_backup(store)
    new = "sipp-20261104T020000.sql.zst"
    lock = store / ".ingest.lock"  # the ingest's, as stores have it
    outcome: dict[str, Any] = {}

    def retention() -> None:
        outcome["run"] = run_module("backup_retention", tmp_path,
                                    retention_args(store, record), seconds=60)  # waits 300 s

    with lock_held(lock, f"taking {new} in") as (pid, _command):
        running = threading.Thread(target=retention)
        running.start()
        time.sleep(1.5)  # retention started and waits; the ingest does its work
        (store / new).write_bytes(b"data")
        write_lines(record, verified_line(new, dt.datetime.now().astimezone().isoformat()))
        os.kill(pid, signal.SIGKILL)
        running.join(60)
    code, result = outcome["run"]
    assert code == 0, result
    assert [i["name"] for i in result["kept"]] == [new]
    assert [i["name"] for i in result["pruned"]] == [old]
    assert [(e["event"], e["name"]) for e in ledger.read(str(record))] == [
        ("ingested", old), ("verified", old), ("ingested", new), ("verified", new),
        ("pruned", old)]
    assert not (store / old).exists()
    said = lock.read_text().split(" ", 1)
    assert said[0].isdigit() and said[1] == f"applying retention to sipp in {store}\n"


def test_retention_behind_a_store_lock_held_too_long_fails_in_one_line_naming_its_holder(
        tmp_path: Path) -> None:
    """A hung ingest holds the store's lock: retention waits lock_timeout, then fails in
    one line naming the lock, its holder and the wait; nothing is pruned or recorded."""
    store = tmp_path / "store"
    record, old = store_with_one_backup(store)
    (store / "sipp-20261104T020000.sql.zst").write_bytes(b"data")  # prunable once judged
    write_lines(record, verified_line("sipp-20261104T020000.sql.zst",
                                      dt.datetime.now().astimezone().isoformat()))
    before = record.read_bytes()
    lock = store / ledger.STORE_LOCK_NAME
    other = "sipp-20261105T020000.sql.zst"
    with lock_held(lock, f"taking {other} in") as (pid, command):
        clock = time.monotonic()
        code, result = run_module("backup_retention", tmp_path,
                                  retention_args(store, record, lock_timeout=1), seconds=30)
        waited = time.monotonic() - clock
    assert code == 1, result
    assert result["msg"] == (
        f"retention: waited 1 s (lock_timeout) for the store's lock {lock}, held by pid "
        f"{pid} ({command}): taking {other} in; nothing was pruned or recorded")
    assert 1 <= waited < 10
    assert record.read_bytes() == before and (store / old).exists()


def test_retention_refuses_a_lock_timeout_below_zero(tmp_path: Path) -> None:
    store = tmp_path / "store"
    record, _old = store_with_one_backup(store)
    code, result = run_module("backup_retention", tmp_path,
                              retention_args(store, record, lock_timeout=-1), seconds=30)
    assert code == 1, result
    assert result["msg"] == ("lock_timeout: must be 0 (does not wait) or a positive number of "
                             "seconds, not -1")
    assert result["setting"] == "lock_timeout"


def test_a_verification_is_recorded_under_the_store_lock_or_not_at_all(tmp_path: Path) -> None:
    """A verification appended its result while an ingest or a retention held the store's
    lock. It waits for the lock (lock_timeout); still held then, it records nothing and
    says why in one line (the backup stays unverified); had in time, it records."""
    store = tmp_path / "store"
    record, old = store_with_one_backup(store)
    before = record.read_bytes()
    lock = store / ledger.STORE_LOCK_NAME
    path = str(store / old)
    with lock_held(lock, "applying retention to sipp in STORE") as (pid, command):
        error = ledger.record_verified(str(record), path, "s", {"status": "ok"},
                                       lock_timeout=1)
        assert error == (
            f"cannot record the verification of {path} in {record}: waited 1 s (lock_timeout) "
            f"for the store's lock {lock}, held by pid {pid} ({command}): applying retention "
            "to sipp in STORE; nothing recorded (it stays unverified)")
        assert record.read_bytes() == before
        threading.Timer(1, os.kill, (pid, signal.SIGKILL)).start()
        assert ledger.record_verified(str(record), path, "s", {"status": "ok"},
                                      lock_timeout=20) is None
    assert ledger.read(str(record))[-1]["event"] == "verified"
    said = lock.read_text().split(" ", 1)
    assert said[1] == f"recording the verification of {path}\n"
