"""library/sipp_online_users.py: SQL built from discovered columns, result shape."""

from __future__ import annotations

import pytest
from loader import load

utils = load("sop_sipp")
mod = load("sipp_online_users")

SIPP_COLUMNS = [["session_id", "varchar"], ["userid", "int"], ["host_address", "varchar"],
                ["login_time", "datetime"], ["last_visit", "datetime"]]


class FakeDb:
    def __init__(self, columns, rows):
        self.columns = columns
        self.rows = rows
        self.sql: list[str] = []

    def __call__(self, conn, sql):
        self.sql.append(sql)
        if "information_schema.COLUMNS" in sql:
            return self.columns
        return self.rows.pop(0)


@pytest.fixture
def conn():
    return utils.DbConn(binary="mariadb", database="sipp")


def test_counts_with_sipp_columns(monkeypatch, conn):
    fake = FakeDb(SIPP_COLUMNS, [
        [["5", "6", "9", "2026-11-21 19:30:02", "2026-11-21 19:31:00"]],
        [["3", "10.10.1.5", "2026-11-21 18:00:00", "2026-11-21 19:30:02"]],
    ])
    monkeypatch.setattr(utils, "run_query", fake)
    monkeypatch.setattr(mod, "run_query", fake)
    result = mod.online_users(conn, "sys_user_online", 15, {}, 50)
    assert result["users"] == 5
    assert result["sessions"] == 6
    assert result["sessions_total"] == 9
    assert result["active"] == [{"user": "3", "host": "10.10.1.5",
                                 "login_time": "2026-11-21 18:00:00",
                                 "last_activity": "2026-11-21 19:30:02"}]
    assert result["columns"] == {"last_activity": "last_visit", "user": "userid",
                                 "host": "host_address", "login_time": "login_time"}
    count_sql = fake.sql[1]
    assert "`last_visit` >= NOW() - INTERVAL 15 MINUTE" in count_sql
    assert "COUNT(DISTINCT CASE WHEN" in count_sql
    assert "LIMIT 50" in fake.sql[2]


def test_empty_table_counts_zero(monkeypatch, conn):
    fake = FakeDb(SIPP_COLUMNS, [[["0", None, "0", None, "2026-11-21 19:31:00"]], []])
    monkeypatch.setattr(mod, "run_query", fake)
    monkeypatch.setattr(utils, "run_query", fake)
    result = mod.online_users(conn, "sys_user_online", 15, {}, 50)
    assert (result["users"], result["sessions"], result["last_activity"]) == (0, 0, None)


def test_unix_timestamp_column_compares_with_unix_time(monkeypatch, conn):
    cols = [["sid", "varchar"], ["user_id", "int"], ["last_activity", "int"]]
    fake = FakeDb(cols, [[["1", "1", "1", "2026-11-21 19:30:02", "x"]], []])
    monkeypatch.setattr(mod, "run_query", fake)
    monkeypatch.setattr(utils, "run_query", fake)
    result = mod.online_users(conn, "sys_user_online", 10, {}, 5)
    assert "`last_activity` >= UNIX_TIMESTAMP() - 600" in fake.sql[1]
    assert result["columns"]["host"] is None


def test_missing_table_and_column_are_clear(monkeypatch, conn):
    fake = FakeDb([], [])
    monkeypatch.setattr(utils, "run_query", fake)
    with pytest.raises(utils.SippDbError, match="not found"):
        mod.online_users(conn, "sys_user_online", 15, {}, 5)
    fake = FakeDb([["session_id", "varchar"], ["userid", "int"]], [])
    monkeypatch.setattr(utils, "run_query", fake)
    with pytest.raises(utils.SippDbError, match=r"no last_activity column.*columns\.last_activity"):
        mod.online_users(conn, "sys_user_online", 15, {}, 5)
