"""Store: migrations, executions, acknowledgements, stale detection."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from sop.errors import SopError
from sop.liveness import process_token
from sop.migrations import SCHEMA_VERSION
from sop.store import Store


def _store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'sop.db'}")


ACTIVITIES = [
    {"number": 1, "kegiatan": "Otomatis", "mode": "automated", "tag": "a", "status": "not-run"},
    {"number": 2, "kegiatan": "Manual", "mode": "manual", "status": "pending-manual"},
]


def _values(**extra: object) -> dict[str, object]:
    return {
        "sop_id": "demo",
        "sop_title": "Demo",
        "sop_number": "1/X",
        "catalogue_version": "0",
        "catalogue_hash": "abc",
        "operator": "budi",
        "trigger": "manual",
        "hosts": ["h1"],
        "pid": 1,
        "pid_start": None,
        **extra,
    }


def test_migrations_are_versioned_and_idempotent(tmp_path: Path) -> None:
    first = _store(tmp_path)
    assert first.schema_version == SCHEMA_VERSION == 1
    second = _store(tmp_path)
    with second.engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM schema_migrations")).scalars().all()
        journal = conn.execute(text("PRAGMA journal_mode")).scalar()
    assert versions == [1]
    assert journal == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')"))
    with pytest.raises(SopError, match="schema is version 99, newer"):
        _store(tmp_path)


def test_execution_lifecycle_and_ack(tmp_path: Path) -> None:
    store = _store(tmp_path)
    execution_id = store.create_execution(_values(), ACTIVITIES)
    assert store.execution(execution_id)["status"] == "running"
    store.finish_execution(
        execution_id,
        status="successful",
        rc=0,
        activities=[
            {
                "number": 1,
                "status": "ok",
                "hosts": ["h1"],
                "duration_s": 2.0,
                "over_time": False,
                "outputs": [{"path": "/b", "sha256": "x"}],
            }
        ],
        host_stats=[{"host": "h1", "ok": 3}],
    )
    row = store.execution(execution_id)
    assert row["status"] == "successful"
    assert row["activities"][0]["outputs"] == [{"path": "/b", "sha256": "x"}]
    assert row["host_stats"][0]["ok"] == 3
    with pytest.raises(SopError, match="is ok, not a manual step"):
        store.acknowledge(execution_id, 1, "budi", None)
    acked = store.acknowledge(execution_id, 2, "budi", "selesai")
    assert acked["activities"][1]["status"] == "acknowledged"
    with pytest.raises(SopError, match="already acknowledged by budi"):
        store.acknowledge(execution_id, 2, "ani", None)
    assert store.latest_per_sop(status="successful")["demo"]["id"] == execution_id


def test_dead_process_is_marked_interrupted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    child = subprocess.Popen(["sleep", "30"])
    execution_id = store.create_execution(
        _values(pid=child.pid, pid_start=process_token(child.pid)), ACTIVITIES
    )
    assert store.reap_stale() == []
    child.kill()
    child.wait()
    assert store.reap_stale() == [execution_id]
    assert store.execution(execution_id)["status"] == "interrupted"
