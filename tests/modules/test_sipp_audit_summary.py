"""library/sipp_audit_summary.py: SQL (one range scan, grouped), classification, summary."""

from __future__ import annotations

import json

import pytest
from loader import load

utils = load("sop_sipp")
mod = load("sipp_audit_summary")

PATTERNS = {"login": ["login%", "masuk%"], "failed_login": ["%fail%", "%gagal%"],
            "delete": ["%delete%", "%hapus%"]}
PARAMS = {"table": "sys_audittrail", "columns": {}, "hours": 24, "office_hours_start": "08:00",
          "office_hours_end": "16:30", "office_days": [1, 2, 3, 4, 5], "timezone": "+07:00",
          "data_timezone": None, "login_actions": PATTERNS["login"],
          "failed_login_actions": PATTERNS["failed_login"],
          "delete_actions": PATTERNS["delete"], "max_details": 10}
COLUMNS = [[c, t] for c, t in (("id", "bigint"), ("datetime", "datetime"), ("ipaddress", "varchar"),
                               ("username", "varchar"), ("tablename", "varchar"),
                               ("formname", "varchar"), ("action", "varchar"),
                               ("title", "varchar"), ("description", "text"))]


@pytest.mark.parametrize(("action", "category"), [
    ("login", "login"), ("Login", "login"), ("login_failed", "failed_login"),
    ("Login Gagal", "failed_login"), ("masuk", "login"), ("delete", "delete"),
    ("Hapus", "delete"), ("update", "other"), ("logout", "other"),
])
def test_classify(action, category):
    assert mod.classify(action, PATTERNS) == category


def test_parse_hhmm():
    assert mod.parse_hhmm("7:30") == "07:30:00"
    with pytest.raises(utils.SippDbError, match="HH:MM"):
        mod.parse_hhmm("25:00")


def test_outside_expression_uses_weekday_and_time():
    expr = mod.outside_expr("t", "08:00:00", "16:30:00", [1, 2, 3, 4, 5])
    assert expr == ("(WEEKDAY(t) NOT IN (0,1,2,3,4) OR TIME(t) < '08:00:00' "
                    "OR TIME(t) >= '16:30:00')")


def test_sql_is_one_range_scan_grouped_in_sql():
    cols = {"time": "datetime", "user": "username", "action": "action", "ip": "ipaddress",
            "table": "tablename"}
    office = ("08:00:00", "16:30:00", [1, 2, 3, 4, 5])
    sql = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24, tz_shift=None,
                        office=office)
    scan = "FROM `sys_audittrail` WHERE `datetime` >= NOW() - INTERVAL 24 HOUR"
    assert sql["main"].count(scan) == 1
    assert sql["main"].endswith("GROUP BY 1, 2;")
    shifted = mod.build_sql("sys_audittrail", cols, int_clock=False, hours=24,
                            tz_shift=("+00:00", "+07:00"), office=office)
    assert "CONVERT_TZ(`datetime`, '+00:00', '+07:00')" in shifted["outside"]
    # the range predicate stays on the raw column so the index is used
    assert shifted["where"] == "`datetime` >= NOW() - INTERVAL 24 HOUR"
    unix = mod.build_sql("sys_audittrail", cols, int_clock=True, hours=2, tz_shift=None,
                         office=office)
    assert unix["where"] == "`datetime` >= UNIX_TIMESTAMP() - 7200"


def test_summarise_counts():
    main_rows = [
        ["budi", "login", "3", "1", "2026-11-20 07:00:00", "2026-11-20 09:00:00"],
        ["budi", "update", "10", "0", "2026-11-20 09:00:00", "2026-11-20 12:00:00"],
        ["admin", "login_failed", "15", "0", "2026-11-20 10:00:00", "2026-11-20 10:05:00"],
        ["siti", "delete", "2", "2", "2026-11-20 22:00:00", "2026-11-20 22:05:00"],
        [None, "view", "1", "0", "2026-11-20 10:00:00", "2026-11-20 10:00:00"],
    ]
    detail_rows = [
        ["login", "budi", "10.0.0.5", "sys_users", "3", "1", "2026-11-20 07:00:00", "x"],
        ["login_failed", "admin", "10.10.20.77", "sys_users", "15", "0", "a", "b"],
        ["delete", "siti", "10.0.0.9", "perkara", "2", "2", "c", "d"],
    ]
    s = mod.summarise(main_rows, detail_rows, PATTERNS, 10)
    assert (s["rows"], s["users"], s["logins"], s["failed_logins"], s["deletions"]) == \
        (31, 4, 3, 15, 2)
    assert s["logins_outside_office_hours"] == 1
    assert s["per_user"]["budi"] == {"total": 13, "actions": {"login": 3, "update": 10}}
    assert s["per_action"]["view"] == 1
    assert mod.UNKNOWN in s["per_user"]
    assert s["failed_login_details"][0]["ip"] == "10.10.20.77"
    assert s["outside_office_logins_details"][0]["count"] == 1
    assert s["deletion_details"][0]["table"] == "perkara"


def test_audit_summary_end_to_end_with_fake_db(monkeypatch):
    calls: list[str] = []

    def fake(conn, sql):
        calls.append(sql)
        if "information_schema.COLUMNS" in sql:
            return COLUMNS
        if "information_schema.STATISTICS" in sql:
            return [["id"], ["datetime"], ["username"]]
        if sql.startswith("SELECT NOW()"):
            return [["2026-11-21 12:00:00", "2026-11-20 12:00:00", "0"]]
        if "GROUP BY 1, 2;" in sql:
            return [["admin", "login_failed", "4", "0", "a", "b"],
                    ["budi", "update", "2", "0", "a", "b"]]
        return [["login_failed", "admin", "10.1.1.1", "sys_users", "4", "0", "a", "b"]]

    monkeypatch.setattr(utils, "run_query", fake)
    monkeypatch.setattr(mod, "run_query", fake)
    conn = utils.DbConn(binary="mariadb", database="sipp")
    s = mod.audit_summary(conn, dict(PARAMS))
    assert s["failed_logins"] == 4
    assert s["time_column_indexed"] is True
    assert s["columns"]["time"] == "datetime"
    assert s["office_hours"] == "08:00-16:30 ISO days 1,2,3,4,5 UTC+07:00"
    # server clock UTC, office WIB: the hours are converted
    assert "CONVERT_TZ(`datetime`, '+00:00', '+07:00')" in calls[-2]
    # the detail query only asks for the notable actions
    assert "IN ('login_failed')" in calls[-2] or "IN ('login_failed')" in calls[-1]


def test_other_sipp_versions_column_names(monkeypatch):
    cols = [["id", "int"], ["waktu", "datetime"], ["user_name", "varchar"], ["aksi", "varchar"]]

    def fake(conn, sql):
        if "information_schema.COLUMNS" in sql:
            return cols
        if "information_schema.STATISTICS" in sql:
            return [["id"]]
        if sql.startswith("SELECT NOW()"):
            return [["n", "s", "420"]]
        return []

    monkeypatch.setattr(utils, "run_query", fake)
    monkeypatch.setattr(mod, "run_query", fake)
    s = mod.audit_summary(utils.DbConn(binary="m", database="sipp"), dict(PARAMS))
    assert s["columns"] == {"time": "waktu", "user": "user_name", "action": "aksi",
                            "ip": None, "table": None}
    assert s["time_column_indexed"] is False
    assert s["rows"] == 0


def test_bad_office_days(monkeypatch):
    monkeypatch.setattr(utils, "run_query", lambda conn, sql: COLUMNS)
    with pytest.raises(utils.SippDbError, match="ISO weekday"):
        mod.audit_summary(utils.DbConn(binary="m", database="sipp"),
                          dict(PARAMS, office_days=[0, 8]))


def test_sop_output_is_compact_and_names_the_notable_sources():
    details = [{"action": "login_failed", "user": f"u{i}", "ip": f"10.0.0.{i}", "table": None,
                "count": 100 - i, "first": "a", "last": "b"} for i in range(50)]
    summary = {"hours": 24, "since": "s", "until": "u", "rows": 10**6, "users": 300,
               "logins": 5, "failed_logins": 4950, "logins_outside_office_hours": 1,
               "deletions": 0, "office_hours": "08:00-16:30",
               "per_user": {f"user{i}": {"total": i, "actions": {"view": i}} for i in range(300)},
               "failed_login_details": details, "outside_office_logins_details": [],
               "deletion_details": []}
    out = mod.sop_output(summary)
    assert out["failed_login_sources"][0] == "u0 10.0.0.0: 100"
    assert len(out["failed_login_sources"]) == 5
    assert out["busiest_users"][0] == "user299: 299"
    assert len(json.dumps(out)) < 4000
