"""library/sipp_audit_summary.py: SQL shape and classification, and against a real
MariaDB the summary, odd user names, and a sys_audittrail whose columns differ
(partial result + precise ``unavailable``)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from conftest import MariaDB
from loader import load, run_module
from sipp_tables import AUDITTRAIL, connection, insert, lit, new_table

mod = load("sipp_audit_summary")

PATTERNS = {"login": ["login%", "masuk%"], "failed_login": ["%fail%", "%gagal%"],
            "delete": ["%delete%", "%hapus%"]}
PARAMS = {"database": "sipp", "table": "sys_audittrail", "columns": {}, "hours": 24,
          "office_hours_start": "00:00",
          "office_hours_end": "23:59", "office_days": [1, 2, 3, 4, 5, 6, 7],
          "timezone": "+07:00", "data_timezone": "+07:00", "login_actions": PATTERNS["login"],
          "failed_login_actions": PATTERNS["failed_login"],
          "delete_actions": PATTERNS["delete"], "max_details": 10,
          "failed_login_warn": 10, "query_timeout": 300}
ODD = "si\tti\n\\x"


@pytest.mark.parametrize(("action", "category"), [
    ("login", "login"), ("Login", "login"), ("login_failed", "failed_login"),
    ("Login Gagal", "failed_login"), ("masuk", "login"), ("delete", "delete"),
    ("Hapus", "delete"), ("update", "other"), ("logout", "other"),
])
def test_classify(action, category):
    assert mod.classify(action, PATTERNS) == category


def test_parse_hhmm():
    assert mod.parse_hhmm("7:30") == "07:30:00"
    with pytest.raises(ValueError, match="HH:MM"):
        mod.parse_hhmm("25:00")


@pytest.mark.parametrize(("start", "end"), [("16:30", "08:00"), ("08:00", "08:00")])
def test_office_hours_not_running_forward_are_refused_naming_the_setting(start, end):
    # every login read as outside office hours before
    bad = mod.settings_error(dict(PARAMS, office_hours_start=start, office_hours_end=end))
    assert bad == {"setting": "office_hours_end",
                   "msg": f"office_hours_end: {end} is not after the start {start} "
                          "(office hours do not run overnight)"}


def test_a_malformed_office_hour_is_named_by_its_option():
    assert mod.settings_error(dict(PARAMS, office_hours_start="25:00")) == {
        "setting": "office_hours_start",
        "msg": "office_hours_start: must be HH:MM, got '25:00'"}


def test_an_office_hour_yaml_read_as_a_number_says_so():
    # office_hours_end: 16:30 unquoted in group_vars is YAML 1.1's base-60 number 990:
    # "must be HH:MM, got '990'" left the court wondering where 990 came from
    assert mod.settings_error(dict(PARAMS, office_hours_end="990")) == {
        "setting": "office_hours_end",
        "msg": "office_hours_end: must be HH:MM, got '990' (YAML reads an unquoted 16:30 "
               "as the number 990: quote it, \"16:30\")"}
    # a number that is no time of the day is only refused
    assert mod.settings_error(dict(PARAMS, office_hours_start="8"))["msg"] == (
        "office_hours_start: must be HH:MM, got '8'")


def test_no_office_day_is_refused_before_connecting(tmp_path):
    # office_days: [] was taken: WEEKDAY(...) NOT IN (-1), every login of the period
    # counted outside office hours, and nothing said why
    msg = ("office_days: empty: name at least one office day, ISO weekday numbers "
           "1 (Monday) to 7 (Sunday)")
    assert mod.settings_error(dict(PARAMS, office_days=[])) == {
        "msg": msg, "setting": "office_days"}
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        "database": "sipp", "office_days": [], "client_binary": "/nonexistent/mariadb"})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (msg, "office_days")


@pytest.mark.parametrize(("hours", "said"), [
    (0, "must be a positive number of hours, not 0"),
    # taken before: NOW() - INTERVAL 1000000000000 HOUR, a period before any date
    (10**12, "must be at most 87600 hours (ten years), not 1000000000000")])
def test_hours_outside_one_to_ten_years_are_refused(tmp_path, hours, said):
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        "database": "sipp", "hours": hours, "client_binary": "/nonexistent/mariadb"})
    assert (rc, result["msg"], result.get("setting")) == (1, f"hours: {said}", "hours")


@pytest.mark.parametrize("value", [-1, 1001])
def test_a_max_details_out_of_its_bounds_is_refused(tmp_path, value):
    # max_details -1 silently dropped each category's last entry; it is the SQL LIMIT of
    # the detail queries, so it is bounded above too
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        "database": "sipp", "max_details": value, "client_binary": "/nonexistent/mariadb"})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (
        f"max_details: must be a whole number from 0 to 1000, got {value}", "max_details")


def test_a_max_details_of_true_is_refused_not_read_as_one(tmp_path):
    # Ansible's int option passes a YAML true through as True: it was the SQL "LIMIT True"
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        "database": "sipp", "max_details": True, "client_binary": "/nonexistent/mariadb"})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (
        "max_details: must be a whole number from 0 to 1000, got True", "max_details")


@pytest.mark.parametrize("value", [True, False, 2.0, 1.5, "3", None])
def test_a_max_details_not_an_integer_is_refused_by_the_check(value):
    assert mod.settings_error(dict(PARAMS, max_details=value)) == {
        "msg": f"max_details: must be a whole number from 0 to 1000, got {value!r}",
        "setting": "max_details"}


@pytest.mark.parametrize(("value", "said"), [
    # a negative one never warned, without a word; true warned of every failed login
    (-1, "must be 0 (never warns) or a positive number of failed logins, not -1"),
    (True, "must be 0 (never warns) or a positive number of failed logins, not True"),
    (10**6, "must be at most 10000 failed logins, not 1000000"),
])
def test_a_failed_login_warning_level_out_of_its_bounds_is_refused(value, said):
    assert mod.settings_error(dict(PARAMS, failed_login_warn=value)) == {
        "msg": f"failed_login_warn: {said}", "setting": "failed_login_warn"}


def test_valid_settings_are_accepted():
    assert mod.settings_error(PARAMS) is None
    assert mod.settings_error(dict(PARAMS, failed_login_warn=0)) is None


def test_outside_expression_uses_weekday_and_time():
    expr = mod.outside_expr("t", "08:00:00", "16:30:00", [1, 2, 3, 4, 5])
    assert expr == ("(WEEKDAY(t) NOT IN (0,1,2,3,4) OR TIME(t) < '08:00:00' "
                    "OR TIME(t) >= '16:30:00')")


def test_sql_is_one_range_scan_grouped_in_sql():
    cols = {"time": "datetime", "user": "username", "action": "action", "ip": "ipaddress",
            "table": None}
    office = ("08:00:00", "16:30:00", [1, 2, 3, 4, 5])
    sql = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24, tz_shift=None,
                        office=office)
    scan = "FROM `sys_audittrail` WHERE `datetime` >= NOW() - INTERVAL 24 HOUR"
    assert sql["main"].count(scan) == 1
    assert sql["main"].endswith("GROUP BY 1, 2;")
    assert sql["table"] == "CONCAT('=', NULL)"
    shifted = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24,
                            tz_shift=420, office=office)
    assert "WEEKDAY(`datetime` + INTERVAL 420 MINUTE)" in shifted["outside"]
    # the range predicate stays on the raw column so the index is used
    assert shifted["where"] == ("`datetime` >= NOW() - INTERVAL 24 HOUR "
                                "AND `datetime` <= NOW() + INTERVAL 300 SECOND")
    unix = mod.build_sql("sys_audittrail", cols, int_clock=True, hours=2, tz_shift=None,
                         office=office)
    assert unix["where"] == ("`datetime` >= UNIX_TIMESTAMP() - 7200 "
                             "AND `datetime` <= UNIX_TIMESTAMP() + 300")


def test_rows_ahead_of_the_clock_are_one_more_range_scan_apart():
    # The period had no upper bound: rows dated hours ahead (a clock set back, a wrong
    # data_timezone) were counted as recent. They are counted apart, with how far ahead
    # the furthest lies, by one scan of the same index.
    cols = {"time": "datetime", "user": None, "action": None, "ip": None, "table": None}
    office = ("08:00:00", "16:30:00", [1, 2, 3, 4, 5])
    sql = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24, tz_shift=None,
                        office=office, data_offset=420)
    wib = "UTC_TIMESTAMP() + INTERVAL 420 MINUTE"
    assert sql["future"] == (
        f"SELECT COUNT(*), TIMESTAMPDIFF(SECOND, {wib}, MAX(`datetime`)) "
        f"FROM `sys_audittrail` WHERE `datetime` > {wib} + INTERVAL 300 SECOND;")
    unix = mod.build_sql("sys_audittrail", cols, int_clock=True, hours=24, tz_shift=None,
                         office=office)
    assert unix["future"] == (
        "SELECT COUNT(*), MAX(`datetime`) - UNIX_TIMESTAMP() "
        "FROM `sys_audittrail` WHERE `datetime` > UNIX_TIMESTAMP() + 300;")


def test_the_warnings_are_in_the_reports_bahasa():
    # the record and the report of activity 3 read "1250 failed SIPP logins in the last
    # 24 hours (threshold 10)" and "... has no index: the audit scan reads the whole
    # table" beside the module's Bahasa warnings
    summary = {"unavailable": [], "future_finding": None, "time_column_indexed": False,
               "columns": {"time": "datetime"}, "failed_logins": 1250}
    params = {"table": "sys_audittrail", "failed_login_warn": 10, "hours": 24}
    assert mod.summary_warnings(summary, params) == [
        "sys_audittrail.datetime tidak berindeks: ringkasan aktivitas membaca seluruh tabel",
        "1.250 login SIPP gagal dalam 24 jam terakhir (batas peringatan 10)"]
    quiet = dict(summary, time_column_indexed=True, failed_logins=9)
    assert mod.summary_warnings(quiet, params) == []


def test_what_the_schema_hides_is_the_caller_s_warning_not_the_module_s():
    # the module warned "... atur opsi columns.user" and the role "... (variabel
    # sipp_maintenance_audit_columns.user)": two warnings of one column in the record
    hidden = mod.unavailable("sys_audittrail", "kolom untuk user tidak ditemukan",
                             setting="columns.user", column="user")
    summary = {"unavailable": [hidden], "future_finding": None, "time_column_indexed": True,
               "columns": {"time": "datetime"}, "failed_logins": 0}
    params = {"table": "sys_audittrail", "failed_login_warn": 10, "hours": 24}
    assert mod.summary_warnings(summary, params) == []


def test_sop_output_is_compact_and_names_the_notable_sources():
    details = [{"action": "login_failed", "user": f"u{i}", "ip": f"10.0.0.{i}", "table": None,
                "count": 100 - i, "first": "a", "last": "b"} for i in range(50)]
    summary = {"hours": 24, "since": "s", "until": "u", "rows": 10**6, "users": 300,
               "logins": 5, "failed_logins": 4950, "logins_outside_office_hours": 1,
               "deletions": 0, "future_rows": 0, "future_finding": None,
               "office_hours": "08:00-16:30",
               "per_user": {f"user{i}": {"total": i, "actions": {"view": i}} for i in range(300)},
               "failed_login_details": details, "outside_office_logins_details": [],
               "deletion_details": [], "unavailable": [],
               "details_cut": ["rincian login gagal: 50 baris pertama dari 812"]}
    out = mod.sop_output(summary)
    assert out["details_cut"] == ["rincian login gagal: 50 baris pertama dari 812"]
    assert out["failed_login_sources"][0] == "u0 10.0.0.0: 100"
    assert len(out["failed_login_sources"]) == 5
    assert out["busiest_users"][0] == "user299: 299"
    assert len(json.dumps(out)) < 4000



def test_each_detail_query_is_limited_in_sql():
    # The detail query had no LIMIT: every group of the period's notable rows was read
    # into the module's memory before the first max_details were kept.
    cols = {"time": "datetime", "user": "username", "action": "action", "ip": "ipaddress",
            "table": "tablename"}
    sql = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24, tz_shift=None,
                        office=("08:00:00", "16:30:00", [1, 2, 3, 4, 5]))
    group = ("GROUP BY CONCAT('=', `action`), CONCAT('=', `username`), "
             "CONCAT('=', `ipaddress`), CONCAT('=', `tablename`)")
    action_in = "AND `action` IN (_utf8mb4 X'" + b"login_failed".hex() + "')"
    failed = mod.detail_sql(sql, "failed_login", ["login_failed"], 50)
    assert failed.startswith("SELECT CONCAT('=', `action`), ")
    assert failed.endswith(f"{action_in} {group} ORDER BY COUNT(*) DESC LIMIT 50;")
    assert f"FROM `sys_audittrail` WHERE {sql['where']} " in failed
    # the outside-office logins: only groups with such a login, the most of them first
    logins = mod.detail_sql(sql, "login", ["login"], 7)
    outside = f"SUM({sql['outside']})"
    assert logins.endswith(f"{group} HAVING {outside} > 0 ORDER BY {outside} DESC LIMIT 7;")
    # the groups a cut list has in all, counted without reading them
    assert mod.group_count_sql(sql, "failed_login", ["login_failed"]) == (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM `sys_audittrail` WHERE {sql['where']} "
        f"{action_in} {group}) AS notable_groups;")


def details_of(monkeypatch, limit: int, detail_rows: list[list[str | None]],
               group_counts: list[str]) -> tuple[dict, list[str]]:
    """The summary of a period with a failed login, a login and a deletion action, the
    detail queries answering detail_rows and the group counts group_counts; and the SQL
    sent after the main query."""
    seen: list[str] = []
    main = [["=admin", "=login_failed", "9", "0", "a", "b"],
            ["=budi", "=login", "3", "2", "a", "b"],
            ["=budi", "=Hapus", "1", "0", "a", "b"],
            ["=budi", "=view", "5", "0", "a", "b"]]

    def fake_query(conn, sql):
        if sql.startswith("SELECT NOW()"):
            return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", "420"]]
        if "GROUP BY 1, 2;" in sql:
            return main
        seen.append(sql)
        if sql.startswith("SELECT COUNT(*) FROM (SELECT 1 "):
            return [[count] for count in group_counts]
        if sql.startswith("SELECT COUNT(*)"):
            return [["0", None]]
        return detail_rows

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        name: (name, "varchar") for name in ("username", "action", "ipaddress", "tablename")}
        | {"datetime": ("datetime", "datetime")})
    monkeypatch.setattr(mod, "indexed_columns", lambda conn, table: {"datetime"})
    summary = mod.audit_summary(None, dict(PARAMS, max_details=limit))
    return summary, seen


def detail_row(action: str, user: str, count: str, outside: str = "0") -> list[str | None]:
    return [f"={action}", f"={user}", "=10.0.0.1", "=perkara", count, outside, "a", "b"]


def test_a_cut_detail_says_how_many_groups_it_lists_of_how_many(monkeypatch):
    rows = [detail_row("login_failed", "admin", "5"), detail_row("login_failed", "budi", "4"),
            detail_row("login", "budi", "3", "2"), detail_row("Hapus", "budi", "1")]
    summary, seen = details_of(monkeypatch, 2, rows, ["7"])
    # one client call for the three categories' limited queries, one for the count of
    # the category that reached its limit (failed logins) alone
    limited = seen[0].split("\n")
    assert len(limited) == 3 and all(q.endswith("LIMIT 2;") for q in limited)
    assert seen[1].startswith("SELECT COUNT(*) FROM (SELECT 1 ") and "\n" not in seen[1]
    # the four actions are cut to the two largest as well
    assert summary["details_cut"] == ["rincian login gagal: 2 baris pertama dari 7",
                                      "kegiatan per jenis: 2 jenis terbanyak dari 4"]
    assert [d["user"] for d in summary["failed_login_details"]] == ["admin", "budi"]
    assert summary["outside_office_logins_details"][0]["count"] == 2
    assert mod.sop_output(summary)["details_cut"] == summary["details_cut"]


def test_per_user_and_per_action_list_the_largest_and_say_how_many_are_left_out():
    # a failed-login flood under 100 000 user names, and an admin with 61 actions: the
    # whole per_user and per_action made a task result of 5.6 MB
    main = [[f"=u{i:06d}", "=login_failed", "1", "0", "a", "b"] for i in range(100_000)]
    main += [["=admin", f"=view {i:02d}", "2", "0", "a", "b"] for i in range(60)]
    main += [["=admin", "=login", "200", "7", "a", "b"]]
    s = mod.summarise(main, [], PATTERNS, 50)
    # the counts are exact
    assert (s["rows"], s["users"], s["failed_logins"], s["logins"]) == (
        100_000 + 120 + 200, 100_001, 100_000, 200)
    assert (s["logins_outside_office_hours"], s["per_user_left_out"]) == (7, 100_001 - 50)
    # the largest first, a tie by name
    assert list(s["per_user"])[:3] == ["admin", "u000000", "u000001"]
    assert len(s["per_user"]) == 50 and "u000049" not in s["per_user"]
    admin = s["per_user"]["admin"]
    assert (admin["total"], admin["actions_left_out"], len(admin["actions"])) == (320, 11, 50)
    assert list(admin["actions"])[:2] == ["login", "view 00"]
    assert "actions_left_out" not in s["per_user"]["u000000"]
    assert list(s["per_action"])[:3] == ["login_failed", "login", "view 00"]
    assert (len(s["per_action"]), s["per_action_left_out"]) == (50, 62 - 50)
    assert mod.groups_cut(s) == ["kegiatan per user: 50 user terbanyak dari 100.001",
                                 "kegiatan per jenis: 50 jenis terbanyak dari 62"]
    assert len(json.dumps(s)) < 10_000


def test_per_user_and_per_action_within_the_limit_are_whole():
    main = [["=admin", "=login", "3", "0", "a", "b"], ["=budi", "=view", "5", "0", "a", "b"]]
    s = mod.summarise(main, [], PATTERNS, 2)
    assert s["per_user"] == {"budi": {"total": 5, "actions": {"view": 5}},
                             "admin": {"total": 3, "actions": {"login": 3}}}
    assert (s["per_action"], s["per_user_left_out"], s["per_action_left_out"]) == (
        {"view": 5, "login": 3}, 0, 0)
    assert mod.groups_cut(s) == []


def test_a_detail_at_its_limit_with_no_more_groups_is_not_cut(monkeypatch):
    rows = [detail_row("login_failed", "admin", "5"), detail_row("Hapus", "budi", "1")]
    summary, seen = details_of(monkeypatch, 1, rows, ["1", "1"])
    # no detail cut: only the users and actions, more than one each, are
    assert summary["details_cut"] == ["kegiatan per user: 1 user terbanyak dari 2",
                                      "kegiatan per jenis: 1 jenis terbanyak dari 4"]
    summary, seen = details_of(monkeypatch, 0, rows, [])
    # no details asked for: no detail query, nothing said cut
    assert summary["details_cut"] == [] and summary["failed_login_details"] == []
    assert not any("LIMIT" in sql for sql in seen)


def main_query(monkeypatch, server_offset: str, columns: dict, params: dict) -> str:
    """The main query the summary sends to a database whose clock is ``server_offset``
    minutes east of UTC, whose table has ``columns`` (no database: the queries are
    captured)."""
    seen: list[str] = []

    def fake_query(conn, sql):
        seen.append(sql)
        if sql.startswith("SELECT NOW()"):
            return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", server_offset]]
        return [["0", None]] if sql.startswith("SELECT COUNT(*)") else []

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: columns)
    monkeypatch.setattr(mod, "indexed_columns", lambda conn, table: {"datetime"})
    mod.audit_summary(None, dict(PARAMS, **params))
    return next(sql for sql in seen if "GROUP BY 1, 2;" in sql)


def scan_of(monkeypatch, server_offset: str, data_timezone: str | None) -> str:
    """The main query's range predicate (main_query)."""
    columns = {"datetime": ("datetime", "datetime"), "username": ("username", "varchar"),
               "action": ("action", "varchar")}
    main = main_query(monkeypatch, server_offset, columns, {"data_timezone": data_timezone})
    return main.split(" WHERE ", 1)[1].split(" GROUP BY", 1)[0]


def test_the_period_is_the_last_hours_of_the_data_clock(monkeypatch):
    # MariaDB runs in UTC while SIPP writes WIB wall-clock times (data_timezone): the
    # rows of the last 24 hours are those at or after WIB's now minus 24 hours. NOW()
    # (UTC) minus 24 hours reached 7 hours further back: 31 hours of activity.
    wib = "UTC_TIMESTAMP() + INTERVAL 420 MINUTE"
    assert scan_of(monkeypatch, "0", "+07:00") == (
        f"`datetime` >= {wib} - INTERVAL 24 HOUR AND `datetime` <= {wib} + INTERVAL 300 SECOND")
    # the data in the database's clock: NOW(), as before
    local = "`datetime` >= NOW() - INTERVAL 24 HOUR AND `datetime` <= NOW() + INTERVAL 300 SECOND"
    assert scan_of(monkeypatch, "420", None) == local
    assert scan_of(monkeypatch, "420", "+07:00") == local


# --- against a real MariaDB ---------------------------------------------------------

COLS = ["datetime", "ipaddress", "username", "tablename", "action"]


@pytest.fixture
def audit(mariadb: MariaDB) -> str:
    table = new_table(mariadb, "audit", AUDITTRAIL)
    hour_ago = "NOW() - INTERVAL 1 HOUR"
    rows = [[hour_ago, lit("10.10.20.77"), lit("admin"), lit("sys_users"), lit("login_failed")]] * 4
    rows += [
        [hour_ago, lit("10.0.0.5"), lit("budi"), lit("sys_users"), lit("login")],
        [hour_ago, lit("10.0.0.5"), lit("budi"), lit("perkara"), lit("update")],
        [hour_ago, lit("10.0.0.9"), lit(ODD), lit("perkara"), lit("Hapus")],
        [hour_ago, None, lit("NULL"), None, lit("view")],
        [hour_ago, None, None, None, None],
        ["NOW() - INTERVAL 3 DAY", lit("10.0.0.5"), lit("budi"), lit("sys_users"), lit("login")],
    ]
    insert(mariadb, table, COLS, rows)
    return table


@pytest.mark.mariadb
def test_summary_of_the_period(mariadb: MariaDB, audit: str) -> None:
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit))
    assert (s["rows"], s["users"], s["logins"], s["failed_logins"], s["deletions"]) == \
        (9, 5, 1, 4, 1)
    assert s["unavailable"] == [] and s["time_column_indexed"] is True
    assert s["per_user"][ODD] == {"total": 1, "actions": {"Hapus": 1}}
    assert s["per_user"]["NULL"] == {"total": 1, "actions": {"view": 1}}  # the name, not NULL
    assert s["per_user"][mod.UNKNOWN] == {"total": 1, "actions": {mod.UNKNOWN: 1}}
    assert s["failed_login_details"][0]["ip"] == "10.10.20.77"
    assert s["failed_login_details"][0]["count"] == 4
    assert s["deletion_details"][0]["user"] == ODD
    assert s["deletion_details"][0]["table"] == "perkara"
    assert s["logins_outside_office_hours"] == 0
    assert s["details_cut"] == []


@pytest.mark.mariadb
def test_details_are_limited_and_the_cut_is_said(mariadb: MariaDB, audit: str) -> None:
    insert(mariadb, audit, COLS, [["NOW() - INTERVAL 2 HOUR", lit("10.10.20.78"), lit("admin"),
                                   lit("sys_users"), lit("login_failed")]] * 2)
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit, max_details=1))
    assert s["failed_logins"] == 6
    # the larger group of the two (four rows from .77) is the one listed
    assert [(d["ip"], d["count"]) for d in s["failed_login_details"]] == [("10.10.20.77", 4)]
    assert s["details_cut"] == ["rincian login gagal: 1 baris pertama dari 2",
                                "kegiatan per user: 1 user terbanyak dari 5",
                                "kegiatan per jenis: 1 jenis terbanyak dari 6"]
    assert len(s["deletion_details"]) == 1
    assert (s["per_user"], s["per_user_left_out"]) == ({"admin": {
        "total": 6, "actions": {"login_failed": 6}}}, 4)


@pytest.mark.mariadb
def test_rows_dated_in_the_future_are_a_finding_not_recent(mariadb: MariaDB, audit: str) -> None:
    # Rows dated three hours ahead of the database clock (failed logins among them)
    # were counted in the last 24 hours. They are counted apart and named, with how far
    # ahead they lie; a row a minute ahead (two clocks a little apart) still counts.
    insert(mariadb, audit, COLS, [
        ["NOW() + INTERVAL 3 HOUR", lit("10.9.9.9"), lit("ahead"), lit("sys_users"),
         lit("login_failed")],
        ["NOW() + INTERVAL 3 HOUR", lit("10.9.9.9"), lit("ahead"), lit("perkara"), lit("Hapus")],
        ["NOW() + INTERVAL 1 MINUTE", lit("10.0.0.5"), lit("near"), lit("perkara"), lit("view")],
    ])
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit, data_timezone=None))
    assert (s["rows"], s["users"], s["failed_logins"], s["deletions"]) == (10, 6, 4, 1)
    assert "ahead" not in s["per_user"] and s["per_user"]["near"]["total"] == 1
    assert s["future_rows"] == 2
    assert s["future_finding"] == (
        f"2 kegiatan bertanggal di masa depan, hingga 3,0 jam setelah {s['until']} "
        "(jam server SIPP salah atau data_timezone tidak sesuai zona waktu SIPP); "
        "tidak dihitung")
    out = mod.sop_output(s)
    assert (out["future_rows"], out["future_finding"]) == (2, s["future_finding"])


@pytest.mark.mariadb
def test_renamed_action_column_keeps_the_rest(mariadb: MariaDB, audit: str) -> None:
    mariadb.root_sql(f"ALTER TABLE `{audit}` RENAME COLUMN action TO kegiatan;")
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit))
    assert (s["rows"], s["users"]) == (9, 5)
    assert s["per_user"]["admin"]["total"] == 4
    for hidden in ("per_action", "logins", "failed_logins", "deletions",
                   "logins_outside_office_hours"):
        assert s[hidden] is None, hidden
    [entry] = s["unavailable"]
    assert (entry["table"], entry["column"], entry["setting"]) == (
        audit, "action", "columns.action")
    assert "kegiatan" in entry["message"] and "login gagal" in entry["message"]
    assert mod.sop_output(s)["unavailable"] == [entry["message"]]
    fixed = mod.audit_summary(connection(mariadb),
                              dict(PARAMS, table=audit, columns={"action": "kegiatan"}))
    assert (fixed["failed_logins"], fixed["unavailable"]) == (4, [])


@pytest.mark.mariadb
def test_dropped_user_column_keeps_the_rest(mariadb: MariaDB, audit: str) -> None:
    mariadb.root_sql(f"ALTER TABLE `{audit}` DROP COLUMN username;")
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit))
    assert (s["rows"], s["users"], s["per_user"], s["failed_logins"]) == (9, None, None, 4)
    assert s["failed_login_details"][0]["user"] == mod.UNKNOWN
    assert [u["column"] for u in s["unavailable"]] == ["user"]
    assert mod.sop_output(s)["busiest_users"] == []


@pytest.mark.mariadb
def test_missing_time_column_says_so(mariadb: MariaDB, audit: str) -> None:
    mariadb.root_sql(f"ALTER TABLE `{audit}` RENAME COLUMN datetime TO stamp;")
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table=audit))
    assert s["rows"] is None and s["until"] and s["time_column_indexed"] is None
    [entry] = s["unavailable"]
    assert entry["setting"] == "columns.time" and "stamp" in entry["message"]
    assert mod.sop_output(s)["failed_login_sources"] == []


@pytest.mark.mariadb
def test_missing_table_and_bad_parameters(mariadb: MariaDB) -> None:
    s = mod.audit_summary(connection(mariadb), dict(PARAMS, table="no_audit"))
    assert s["rows"] is None and s["unavailable"][0]["setting"] == "table"
    # office days outside the ISO weekdays are refused before connecting
    refused = mod.settings_error(dict(PARAMS, office_days=[0, 8]))
    assert refused is not None and refused["setting"] == "office_days"
    assert "ISO weekday" in refused["msg"]


def test_a_unix_time_column_is_read_in_the_database_clock(monkeypatch):
    # FROM_UNIXTIME shows the database's clock (UTC here): office hours in WIB shift it
    # from +00:00, whatever data_timezone says.
    seen: list[str] = []

    def fake_query(conn, sql):
        seen.append(sql)
        if sql.startswith("SELECT NOW()"):
            return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", "0"]]
        return [["0", None]] if sql.startswith("SELECT COUNT(*)") else []

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        "datetime": ("datetime", "int"), "action": ("action", "varchar")})
    monkeypatch.setattr(mod, "indexed_columns", lambda conn, table: set())
    mod.audit_summary(None, dict(PARAMS, data_timezone="+08:00"))
    main = next(sql for sql in seen if "GROUP BY 1, 2;" in sql)
    assert "WEEKDAY(FROM_UNIXTIME(`datetime`) + INTERVAL 420 MINUTE)" in main
    assert "`datetime` >= UNIX_TIMESTAMP() - 86400" in main


def period_of(monkeypatch, server_offset: str, data_timezone: str | None,
              time_type: str = "datetime") -> tuple[str, str]:
    """(since, until) reported on a database whose clock is server_offset minutes east
    of UTC and reads 2026-11-21 12:00:00."""
    def fake_query(conn, sql):
        if sql.startswith("SELECT NOW()"):
            return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", server_offset]]
        return [["0", None]] if sql.startswith("SELECT COUNT(*)") else []

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        "datetime": ("datetime", time_type), "action": ("action", "varchar")})
    monkeypatch.setattr(mod, "indexed_columns", lambda conn, table: {"datetime"})
    summary = mod.audit_summary(None, dict(PARAMS, data_timezone=data_timezone))
    assert mod.sop_output(summary)["since"] == summary["since"]
    return summary["since"], summary["until"]


def test_the_period_is_reported_in_the_data_clock(monkeypatch):
    # MariaDB in UTC (12:00), SIPP writing WIB: the period scanned ends at 19:00 WIB, and
    # the rows' first/last times are WIB: since/until say so, not 12:00 UTC.
    assert period_of(monkeypatch, "0", "+07:00") == ("2026-11-20 19:00:00", "2026-11-21 19:00:00")
    assert period_of(monkeypatch, "0", None) == ("2026-11-20 12:00:00", "2026-11-21 12:00:00")
    assert period_of(monkeypatch, "420", "+07:00") == ("2026-11-20 12:00:00", "2026-11-21 12:00:00")
    # a Unix-time column is shown in the database's clock, whatever data_timezone says
    assert period_of(monkeypatch, "0", "+07:00", "int") == \
        ("2026-11-20 12:00:00", "2026-11-21 12:00:00")


def outside_of(monkeypatch, server_offset: str, **params: str | None) -> str:
    """The main query's office-hours test (its SUM), for these parameters (main_query)."""
    columns = {"datetime": ("datetime", "datetime"), "action": ("action", "varchar")}
    main = main_query(monkeypatch, server_offset, columns, params)
    return main.split("SUM(", 1)[1].split("), MIN(", 1)[0]


@pytest.mark.parametrize(("timezone", "data_timezone", "shift"), [
    ("+14:00", "+00:00", 840), ("Pacific/Kiritimati", None, 840), ("+13:45", None, 825),
    ("+07:00", "+14:00", -420), ("-12:00", "+13:00", -1500),
])
def test_every_offset_is_shifted_by_the_module_not_by_convert_tz(monkeypatch, timezone,
                                                                data_timezone, shift):
    # CONVERT_TZ(t, '+00:00', '+14:00') is NULL on MariaDB (offsets -12:59 to +13:00
    # only): no login was ever outside office hours, and nothing said so
    outside = outside_of(monkeypatch, "0", timezone=timezone, data_timezone=data_timezone)
    shifted = f"`datetime` + INTERVAL {shift} MINUTE"
    assert outside == (f"(WEEKDAY({shifted}) NOT IN (0,1,2,3,4,5,6) OR TIME({shifted}) < "
                       f"'00:00:00' OR TIME({shifted}) >= '23:59:00')")


def test_the_office_zone_of_the_rows_clock_is_not_shifted(monkeypatch):
    assert outside_of(monkeypatch, "840", timezone="+14:00", data_timezone=None) == (
        "(WEEKDAY(`datetime`) NOT IN (0,1,2,3,4,5,6) OR TIME(`datetime`) < '00:00:00' "
        "OR TIME(`datetime`) >= '23:59:00')")


def test_a_time_column_holding_no_moment_is_unavailable_not_scanned(monkeypatch):
    # a DATE time column (a legacy 'tanggal'): compared with NOW() - 24 hours it read as
    # its midnight, so the summary held today's rows alone and every login at 00:00,
    # "outside office hours", reported as figures
    seen: list[str] = []

    def fake_query(conn, sql):
        seen.append(sql)
        return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", "420"]]

    monkeypatch.setattr(mod, "query", fake_query)
    monkeypatch.setattr(mod, "table_columns", lambda conn, table: {
        "tanggal": ("tanggal", "date"), "username": ("username", "varchar"),
        "action": ("action", "varchar"), "ipaddress": ("ipaddress", "varchar"),
        "tablename": ("tablename", "varchar")})
    s = mod.audit_summary(SimpleNamespace(database="sipp"), dict(PARAMS))
    assert len(seen) == 1, seen  # the clock alone: no scan of the table
    assert s["rows"] is None and s["logins_outside_office_hours"] is None
    assert s["columns"]["time"] is None
    [entry] = s["unavailable"]
    assert (entry["column"], entry["setting"]) == ("time", "columns.time")
    assert entry["message"] == (
        "sys_audittrail: kolom 'tanggal' untuk time bertipe date, bukan tanggal dan jam; "
        "tidak dapat dihitung: seluruh ringkasan aktivitas (periode tidak dapat dibatasi); "
        "atur opsi columns.time")
