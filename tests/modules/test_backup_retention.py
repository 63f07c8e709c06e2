"""library/backup_retention.py against a damaged record (lines of odd JSON types, a
manifest field naming another file), a bad keep count and an unreadable leftover: one
line or the keep rules, never a traceback, never a file that is not the pruned
backup's own."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from ansible.module_utils import sop_backup_ledger as ledger
from backup_store import stored
from loader import run_module

NAMES = [f"sipp-2026110{day}T020000.sql.zst" for day in (1, 2, 3)]


def store_of_three(store: Path) -> Path:
    """Three verified backups of sipp taken in today, the oldest first; the record."""
    for name in NAMES:
        stored(store, name)
    return store / ledger.LEDGER_NAME


def damaged(record: Path, name: str, event: str, **fields: Any) -> None:
    """The record's ``event`` line of ``name`` with ``fields`` written over."""
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    for line in lines:
        if (line["name"], line["event"]) == (name, event):
            line.update(fields)
    record.write_text("".join(json.dumps(line) + "\n" for line in lines))


def retention(tmp_path: Path, store: Path, **args: Any) -> tuple[int, dict[str, Any]]:
    return run_module("backup_retention", tmp_path, {
        "path": str(store), "prefix": "sipp", "ledger": str(store / ledger.LEDGER_NAME),
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0, **args})


@pytest.mark.parametrize("sha256", [["a"], {"a": 1}])
def test_a_sha256_of_another_json_type_is_no_traceback(tmp_path: Path, sha256: Any) -> None:
    """A record line whose sha256 was a JSON list or object (hand-written, damaged) ended
    retention in a traceback (unhashable type) on every run: nothing was pruned."""
    store = tmp_path / "store"
    record = store_of_three(store)
    for event in ("ingested", "verified"):
        damaged(record, NAMES[0], event, sha256=sha256)
    code, result = retention(tmp_path, store)
    assert code == 0, result["msg"]
    assert [i["name"] for i in result["kept"]] == [NAMES[2]]
    assert [i["name"] for i in result["pruned"]] == [NAMES[1], NAMES[0]]


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-12:00"])
def test_an_arrival_time_outside_the_calendar_here_is_no_arrival_time(
        tmp_path: Path, at: str) -> None:
    """A time the record gives in another zone that is before year 1 or after 9999 in
    this computer's zone ended retention in a traceback (OverflowError); it is read as no
    arrival time: that backup is kept, the others follow the rules."""
    store = tmp_path / "store"
    record = store_of_three(store)
    damaged(record, NAMES[0], "ingested", at=at)
    assert ledger.parse_time(at) is None
    code, result = retention(tmp_path, store)
    assert code == 0, result["msg"]
    assert [(i["name"], i["time"]) for i in result["kept"]][-1] == (NAMES[0], None)
    assert [i["name"] for i in result["pruned"]] == [NAMES[1]]


def test_a_pruned_backup_takes_only_its_own_files(tmp_path: Path) -> None:
    """The record's manifest of a backup was removed with it wherever it pointed: a file
    outside the store, another prefix's backup in progress, the newest verified backup
    (the one always kept). The ingest records NAME.manifest.json only; a record naming
    another file is not whole, never pruned, and no other file is touched."""
    store = tmp_path / "store"
    record = store_of_three(store)
    outside = tmp_path / "precious"
    outside.write_text("x")
    other = store / "sipp-test-20261103T020000.sql.zst.partial"
    other.write_text("x")
    newest = store / NAMES[2]
    for name, victim, manifest in ((NAMES[0], outside, "../precious"),
                                   (NAMES[1], other, other.name)):
        damaged(record, name, "ingested", manifest=manifest,
                manifest_sha256=hashlib.sha256(victim.read_bytes()).hexdigest())
    code, result = retention(tmp_path, store, keep_daily=0)
    assert code == 0, result["msg"]
    assert outside.exists() and other.exists() and newest.exists()
    assert result["pruned"] == []
    assert {i["name"]: i["reason"] for i in result["missing"]} == {
        name: f"the record names another file than {name}.manifest.json as its manifest"
        for name in NAMES[:2]}
    damaged(record, NAMES[0], "ingested", manifest=NAMES[2],
            manifest_sha256=hashlib.sha256(newest.read_bytes()).hexdigest())
    damaged(record, NAMES[1], "ingested", manifest=5)  # a traceback (os.path.join)
    code, result = retention(tmp_path, store, keep_daily=0)
    assert code == 0, result["msg"]
    assert newest.exists() and [i["name"] for i in result["kept"]] == [NAMES[2]]
    assert sorted(i["name"] for i in result["missing"]) == NAMES[:2]


def test_a_bad_keep_count_fails_before_anything_is_recorded(tmp_path: Path) -> None:
    """keep_daily -1 failed the task only after the run had recorded the admin's
    acknowledgement of a lost backup, reported by no run: the next one found it recorded
    already."""
    store = tmp_path / "store"
    record = store_of_three(store)
    (store / NAMES[0]).unlink()
    before = record.read_bytes()
    code, result = retention(tmp_path, store, keep_daily=-1, acknowledged_lost=[
        {"name": NAMES[0], "reason": "disk rusak", "by": "Budi"}])
    assert (code, result["msg"]) == (1, "retention: keep_daily must be >= 0")
    assert record.read_bytes() == before


def test_a_leftover_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """A SIPP server's own backups (no record): a leftover whose time cannot be read (a
    symbolic link to nothing at a partial's name) failed the task saying a re-hashed
    backup's new stamp could not be recorded in the ledger None."""
    for name in NAMES:
        (tmp_path / name).write_bytes(b"data")
        (tmp_path / (name + ".manifest.json")).write_text('{"size": 4, "verified": true}')
    partial = tmp_path / "sipp-20261104T020000.sql.zst.partial"
    partial.symlink_to(tmp_path / "absent")
    code, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "keep_daily": 1})
    assert (code, result["msg"]) == (
        1, f"retention: cannot read the backups of sipp in {tmp_path}: No such file or "
           f"directory: {partial}")
    assert all((tmp_path / name).exists() for name in NAMES)


def test_a_file_it_cannot_remove_is_one_line(tmp_path: Path) -> None:
    """A folder at a stale leftover's name (a SIPP server's own backups): its unlink
    raised IsADirectoryError, a traceback (any error but the file gone already did: a
    file made immutable, a read-only file system)."""
    for name in NAMES:
        (tmp_path / name).write_bytes(b"data")
        (tmp_path / (name + ".manifest.json")).write_text('{"size": 4, "verified": true}')
    folder = tmp_path / "sipp-20261001T020000.sql.zst.partial"
    folder.mkdir()
    os.utime(folder, (1e9, 1e9))
    code, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "keep_daily": 3})
    assert (code, result["msg"]) == (1, f"retention: cannot remove {folder}: Is a directory")
    assert folder.is_dir() and all((tmp_path / name).exists() for name in NAMES)
