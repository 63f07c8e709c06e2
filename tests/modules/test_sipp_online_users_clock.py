"""library/sipp_online_users.py: which clock "online in the last N minutes" is measured
on (no database: the queries are captured)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from loader import load, run_module

mod = load("sipp_online_users")


def queries_of(monkeypatch, data_timezone: str | None, last_type: str = "datetime",
               table_found: bool = True) -> list[str]:
    seen: list[str] = []

    def fake_query(conn, sql):
        seen.append(sql)
        return [["1", "1", "2", "2026-11-21 19:00:00", "0", None, "2026-11-21 19:01:00"]]

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        "userid": ("userid", "varchar"), "last_visit": ("last_visit", last_type)}
        if table_found else {})
    mod.online_users(SimpleNamespace(database="sipp"), "sys_user_online", 15, {}, 5,
                     data_timezone=data_timezone)
    return seen


def test_sessions_are_compared_with_the_data_clock(monkeypatch):
    # SIPP writes last_visit in WIB while MariaDB runs in UTC: NOW() - 15 minutes is
    # seven hours behind every session, so a session idle for 6 hours counted as online
    # (and with the clocks the other way round nobody ever would).
    wib = "UTC_TIMESTAMP() + INTERVAL 420 MINUTE"
    count_sql, list_sql = queries_of(monkeypatch, "+07:00")
    assert f"`last_visit` >= {wib} - INTERVAL 15 MINUTE" in count_sql
    assert f"`last_visit` >= {wib} - INTERVAL 15 MINUTE" in list_sql
    assert "NOW()" not in count_sql + list_sql
    # database_time is then the data's clock too (last_activity <= database_time)
    assert count_sql.rstrip(";").split(" FROM ")[0].endswith(wib)
    assert queries_of(monkeypatch, "Asia/Makassar")[0].count("INTERVAL 480 MINUTE") == 7


def test_without_data_timezone_the_database_clock_is_used(monkeypatch):
    count_sql, _ = queries_of(monkeypatch, None)
    assert "`last_visit` >= NOW() - INTERVAL 15 MINUTE" in count_sql
    assert "UTC_TIMESTAMP" not in count_sql


def test_a_unix_time_column_needs_no_time_zone(monkeypatch):
    count_sql, _ = queries_of(monkeypatch, "+07:00", last_type="int")
    assert "`last_visit` >= UNIX_TIMESTAMP() - 900" in count_sql


def test_missing_table_reports_the_data_clock(monkeypatch):
    [sql] = queries_of(monkeypatch, "+07:00", table_found=False)
    assert sql == "SELECT UTC_TIMESTAMP() + INTERVAL 420 MINUTE;"


def test_unknown_data_timezone_is_an_error(monkeypatch):
    with pytest.raises(ValueError, match="unknown time zone"):
        queries_of(monkeypatch, "Mars/Olympus")


def test_the_window_ends_a_little_after_the_data_clocks_now(monkeypatch):
    # "Online" had no upper bound: a session dated hours ahead (the data_timezone or the
    # server's clock wrong) counted as online. Up to sop_clock.FUTURE_TOLERANCE ahead it
    # counts; past it, it is counted apart (and how far ahead the furthest lies).
    wib = "UTC_TIMESTAMP() + INTERVAL 420 MINUTE"
    count_sql, list_sql = queries_of(monkeypatch, "+07:00")
    recent = (f"`last_visit` >= {wib} - INTERVAL 15 MINUTE "
              f"AND `last_visit` <= {wib} + INTERVAL 300 SECOND")
    assert f"COUNT(DISTINCT CASE WHEN {recent} THEN `userid` END)" in count_sql
    assert f"SUM({recent})" in count_sql
    assert f"SUM(`last_visit` > {wib} + INTERVAL 300 SECOND)" in count_sql
    assert f"TIMESTAMPDIFF(SECOND, {wib}, MAX(`last_visit`))" in count_sql
    assert f"WHERE {recent} ORDER BY" in list_sql
    unix_sql, _ = queries_of(monkeypatch, None, last_type="int")
    assert ("`last_visit` >= UNIX_TIMESTAMP() - 900 AND `last_visit` <= UNIX_TIMESTAMP() + 300"
            in unix_sql)
    assert "CAST(MAX(`last_visit`) AS SIGNED) - CAST(UNIX_TIMESTAMP() AS SIGNED)" in unix_sql


@pytest.mark.parametrize("last_type", ["date", "time", "year"])
def test_an_activity_column_holding_no_moment_is_unavailable_not_compared(monkeypatch,
                                                                         last_type):
    # a DATE last_visit compared with NOW() - 15 minutes reads as its midnight: no
    # session was ever online (right after midnight, every one of the day), said as
    # "0 user online"
    seen: list[str] = []

    def fake_query(conn, sql):
        seen.append(sql)
        return [[None, None, "2", None, None, None, "2026-11-21 19:01:00"]]

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        "userid": ("userid", "varchar"), "last_visit": ("last_visit", last_type)})
    result = mod.online_users(SimpleNamespace(database="sipp"), "sys_user_online", 15, {}, 5)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (None, None, 2)
    assert seen == ["SELECT NULL, NULL, COUNT(*), NULL, NULL, NULL, NOW() "
                    "FROM `sys_user_online`;"]
    [entry] = [e for e in result["unavailable"] if e["column"] == "last_activity"]
    assert entry["setting"] == "columns.last_activity"
    assert entry["message"].startswith(
        f"sys_user_online: kolom 'last_visit' untuk last_activity bertipe {last_type}, "
        "bukan tanggal dan jam; tidak dapat dihitung: user online, ")


@pytest.mark.parametrize(("minutes", "said"), [
    (0, "must be a positive number of minutes, not 0"),
    # taken before: NOW() - INTERVAL 1000000000000 MINUTE, a window before any date
    (10**12, "must be at most 5256000 minutes (ten years), not 1000000000000")])
def test_a_window_outside_one_minute_to_ten_years_is_refused(tmp_path, minutes, said):
    rc, result = run_module("sipp_online_users", tmp_path, {
        "database": "sipp", "window_minutes": minutes,
        "client_binary": "/nonexistent/mariadb"})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"window_minutes: {said}", "window_minutes")
