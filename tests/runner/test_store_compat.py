"""Stores written by sop through SQLAlchemy (before the DB-API store) open, read and keep
working; a store created today has the very same schema (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sop import approvals
from sop.db import Database
from sop.errors import ExitCode, SopError
from sop.migrations import SCHEMA_VERSION, migrate
from sop.store import Store

from .conftest import FIXTURES, CliResult
from .pgserver import PgServer

SQLITE_SCHEMA = [
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    "SELECT m.name, c.* FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
    "WHERE m.type = 'table' ORDER BY m.name, c.cid",
    "SELECT m.name, i.name, i.\"unique\", i.origin, i.partial, x.seqno, x.name "
    "FROM sqlite_master AS m, pragma_index_list(m.name) AS i, pragma_index_info(i.name) AS x "
    "WHERE m.type = 'table' ORDER BY m.name, i.name, x.seqno",
    "SELECT m.name, f.* FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f "
    "WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq",
]
POSTGRESQL_SCHEMA = [
    "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length, "
    "is_nullable, column_default FROM information_schema.columns "
    "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
    "ORDER BY tablename, indexname",
    "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "SELECT sequencename, data_type FROM pg_sequences ORDER BY 1",
]


def load_head_store(url: str) -> None:
    """The fixture's store (SQL as sqlite3 .dump / pg_dump wrote it) into the empty `url`."""
    db = Database(url)
    sql = (FIXTURES / f"store-v5.{db.dialect}.sql").read_text(encoding="utf-8")
    if db.dialect == "sqlite":
        db.conn.executescript(sql)
    else:
        db.conn.execute(sql)  # several statements, no parameters
    db.close()


def schema(url: str) -> list[list[Any]]:
    db = Database(url)
    with db.transaction() as tx:
        queries = SQLITE_SCHEMA if db.dialect == "sqlite" else POSTGRESQL_SCHEMA
        found = [[tuple(row.values()) for row in tx.rows(query)] for query in queries]
    db.close()
    return found


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, store_url: str, tmp_path: Path) -> str:
    """A second empty store of the same dialect as store_url."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.url(server.create_database())


def test_a_store_written_through_sqlalchemy_reads_and_keeps_working(store_url: str) -> None:
    load_head_store(store_url)
    store = Store(store_url)
    assert store.schema_version == SCHEMA_VERSION
    row = store.execution(1)
    assert (row["status"], row["check_mode"], row["extra_var_names"]) == (
        "successful", False, ["a", "b"],
    )  # fmt: skip
    assert row["hosts"] == ["h1"] and row["playbook_pid"] == 2 and row["partial"] is None
    assert row["started_at"].tzinfo is not None and row["started_at"].year == 2026
    first, order = row["activities"]
    assert first["started_at"] == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert first["ended_at"] == datetime(2026, 1, 2, 3, 4, 8, tzinfo=UTC)
    assert first["outputs"] == [{"path": "/b", "sha256": "x", "ok": True, "n": None}]
    assert (first["over_time"], first["duration_s"], first["pelaksana"]) == (
        False, 2.5, ["Staf IT (Budi)"],
    )  # fmt: skip
    assert (order["status"], order["acknowledged_by"]) == ("acknowledged", "Ani")
    assert row["host_stats"][0]["ok"] == 3
    [approval] = approvals.valid(store, "server-maintenance", datetime(2026, 12, 1, tzinfo=UTC))
    # Approved for 30 days: handed on until its plan (execution 1, of 2026-11-30 17:17) is
    # a week old (approvals.PLAN_MAX_AGE).
    assert approval["hosts"] == ["h1"] and approval["valid_until"].startswith("2026-12-07T17:17:")
    assert approvals.valid(store, "server-maintenance", datetime(2027, 1, 1, tzinfo=UTC)) == []

    new = store.create_execution(
        {"sop_id": "server-maintenance", "sop_title": "Pemeliharaan", "sop_number": "1/X",
         "catalogue_version": "0", "catalogue_hash": "abc", "operator": "ani",
         "trigger": "timer", "court_name": "PN Uji", "hosts": ["h2"], "pid": 1},
        [],
    )  # fmt: skip
    store.finish_execution(new, status="failed", rc=2, error="h2: gagal")
    assert new == 2
    assert [r["id"] for r in store.executions(court="PN Uji")] == [2, 1]
    assert store.latest_per_sop(status="successful")["server-maintenance"]["id"] == 1
    due = store.due_records("PN Uji")[("server-maintenance", "PN Uji")]
    assert due.last_success == (1, row["started_at"])
    store.close()


def test_a_new_store_has_the_schema_sqlalchemy_created(store_url: str, fresh_url: str) -> None:
    """The migrations up to v5 (the fixture's version) make SQLAlchemy's very schema."""
    load_head_store(store_url)
    fresh = Database(fresh_url)
    assert migrate(fresh, target=5) == 5
    fresh.close()
    assert schema(fresh_url) == schema(store_url)


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_store_at_any_version_migrates_forward(
    version: int, store_url: str, fresh_url: str
) -> None:
    db = Database(store_url)
    assert migrate(db, target=version) == version
    db.close()
    assert Store(store_url).schema_version == SCHEMA_VERSION
    Store(fresh_url).close()
    assert schema(store_url) == schema(fresh_url)


def test_unreachable_store_is_one_line_without_password(tmp_path: Path) -> None:
    with pytest.raises(SopError) as missing:
        Store(f"sqlite:///{tmp_path}/no/such/dir/sop.db")
    assert str(missing.value) == (
        f"cannot open the store sqlite:///{tmp_path}/no/such/dir/sop.db: the directory "
        f"{tmp_path}/no/such/dir does not exist (SQLite: unable to open database file)"
    )
    assert missing.value.code == 2  # the admin's setting, not the store's failure
    with pytest.raises(SopError) as refused:
        Store(f"postgresql+psycopg://sop:s3cret@/x?host={tmp_path}&port=1")
    message = str(refused.value)
    assert message.startswith(
        f"cannot open the store postgresql+psycopg://sop:***@/x?host={tmp_path}&port=1: "
    )
    assert "s3cret" not in message and "\n" not in message
    with pytest.raises(SopError) as malformed:
        Store("postgresql://sop:s3cret@[bad/x")
    assert str(malformed.value).startswith("cannot open the store postgresql:... (malformed URL): ")
    assert "s3cret" not in str(malformed.value)
    with pytest.raises(SopError, match=r"^cannot open the store mysql://x: unsupported URL"):
        Store("mysql://x")
    (tmp_path / "garbage.db").write_bytes(b"not a database" * 100)
    with pytest.raises(SopError, match=r"garbage.db: file is not a database$"):
        Store(f"sqlite:///{tmp_path}/garbage.db")


def test_a_database_error_in_a_command_is_one_line(
    cli: Callable[..., CliResult], sop_env: dict[str, str]
) -> None:
    assert cli("history")[0] == 0  # creates the store
    store = Store(f"sqlite:///{sop_env['SOP_DATA_DIR']}/sop.db")
    with store.db.transaction(write=True) as tx:
        tx.execute("ALTER TABLE executions RENAME TO executions_lost")
    store.close()
    code, out, err = cli("history")
    assert code == ExitCode.INTERNAL and out == ""
    assert err == (
        f"sop: error: store sqlite:///{sop_env['SOP_DATA_DIR']}/sop.db: "
        "no such table: executions\n"
    )


def test_a_commit_that_fails_leaves_the_connection_usable(tmp_path: Path) -> None:
    """A COMMIT SQLite refuses (a full disk; here a deferred constraint, which fails the
    same way) left its transaction open: every later transaction of the command, such as
    the runner recording that the save failed, then failed "cannot start a transaction
    within a transaction". The failed one is rolled back; nothing of it is kept."""
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    with db.transaction(write=True) as tx:
        tx.cursor.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        tx.cursor.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, "
                          "p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)")
    with (
        pytest.raises(SopError, match="FOREIGN KEY constraint failed"),
        db.transaction(write=True) as tx,
    ):
        tx.cursor.execute("INSERT INTO c VALUES (1, 99)")
    with db.transaction(write=True) as tx:
        tx.cursor.execute("INSERT INTO p VALUES (1)")
    with db.transaction() as tx:
        assert tx.scalars("SELECT count(*) FROM c") == [0]
        assert tx.scalars("SELECT id FROM p") == [1]
