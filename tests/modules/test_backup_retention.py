"""library/backup_retention.py against a damaged record (lines of odd JSON types, a
manifest field naming another file), a bad keep count and an unreadable leftover: one
line or the keep rules, never a traceback, never a file that is not the pruned
backup's own."""

from __future__ import annotations

import json
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
