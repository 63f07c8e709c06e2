#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summarise SIPP user activity from sys_audittrail (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sipp_audit_summary
short_description: Summarise SIPP user activity of the last hours (sys_audittrail)
description:
  - Connects to the SIPP database with the C(mariadb) (or C(mysql)) command-line client,
    credentials in a temporary 0600 option file, never on the command line.
  - Discovers the columns of the audit table through C(information_schema) (SIPP versions
    name them differently, e.g. C(datetime)/C(waktu)/C(created_at),
    C(username)/C(user_name)/C(userid), C(action)/C(aksi)).
  - Counts per user and action, failed logins, logins outside office hours and
    deletions of the last O(hours) with one range scan on the time column grouped in
    SQL (fast on tables with millions of rows when the time column is indexed; the
    result says whether it is), plus one grouped query for the notable rows.
  - Read-only; never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
  - sipp_db
options:
  table:
    description: The audit trail table.
    type: str
    default: sys_audittrail
  hours:
    description: Summarise the rows of the last this many hours (database clock).
    type: int
    default: 24
  office_hours_start:
    description: Start of office hours (HH:MM, office time zone).
    type: str
    default: "08:00"
  office_hours_end:
    description: End of office hours (HH:MM, office time zone).
    type: str
    default: "16:30"
  office_days:
    description: Office days, ISO numbers (1 = Monday ... 7 = Sunday).
    type: list
    elements: int
    default: [1, 2, 3, 4, 5]
  timezone:
    description:
      - Time zone of the office hours, an IANA name or an offset such as C(+07:00).
    type: str
    default: Asia/Jakarta
  data_timezone:
    description:
      - Time zone in which SIPP writes the audit times. The database server's clock
        when omitted (SIPP stores local wall-clock time).
    type: str
  login_actions:
    description: SQL LIKE patterns (case-insensitive) of the login actions.
    type: list
    elements: str
    default: ["login%", "masuk%", "sign in%"]
  failed_login_actions:
    description: SQL LIKE patterns of failed logins (checked before O(login_actions)).
    type: list
    elements: str
    default: ["%fail%", "%gagal%", "%salah%", "%invalid%"]
  delete_actions:
    description: SQL LIKE patterns of deletions.
    type: list
    elements: str
    default: ["%delete%", "%hapus%"]
  failed_login_warn:
    description: Warn when failed logins in the period reach this number (0 never warns).
    type: int
    default: 10
  columns:
    description:
      - Column names when discovery guesses wrong. Keys C(time), C(user), C(action),
        C(ip), C(table).
    type: dict
    default: {}
  max_details:
    description: How many grouped rows to list for each notable category.
    type: int
    default: 50
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Summarise the last 24 hours of SIPP user activity
  sipp_audit_summary:
    database: sipp
    login_user: sop_backup
    login_password: "{{ sipp_db_password }}"
    hours: 24
    office_hours_start: "07:30"
    office_hours_end: "16:00"
    timezone: Asia/Jakarta
  register: sipp_activity
"""

RETURN = r"""
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {hours: 24, rows: 1843, users: 21, failed_logins: 12, failed_login_sources: ["admin 10.10.20.77: 15"]}
summary:
  description: The activity summary.
  returned: success
  type: dict
  contains:
    hours:
      description: Length of the period.
      type: int
    since:
      description: Start of the period (database clock).
      type: str
    until:
      description: End of the period (database clock).
      type: str
    rows:
      description: Audit rows in the period.
      type: int
    users:
      description: Distinct users in the period.
      type: int
    per_user:
      description: "{user: {total: n, actions: {action: n}}}."
      type: dict
    per_action:
      description: "{action: n}."
      type: dict
    logins:
      description: Successful logins.
      type: int
    failed_logins:
      description: Failed logins.
      type: int
    logins_outside_office_hours:
      description: Successful logins outside office hours or days.
      type: int
    deletions:
      description: Deletions.
      type: int
    failed_login_details:
      description: Failed logins grouped by user and address.
      type: list
      elements: dict
    outside_office_logins_details:
      description: Logins outside office hours grouped by user and address.
      type: list
      elements: dict
    deletion_details:
      description: Deletions grouped by user and table.
      type: list
      elements: dict
    office_hours:
      description: The office hours applied.
      type: str
    time_column_indexed:
      description: Whether an index starts with the time column (else the scan is slow).
      type: bool
    columns:
      description: The columns used.
      type: dict
  sample:
    hours: 24
    rows: 1843
    users: 21
    logins: 64
    failed_logins: 12
    logins_outside_office_hours: 3
    deletions: 5
"""

import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_mariadb import quote_identifier, quote_string  # noqa: E402
from ansible.module_utils.sop_sipp import (  # noqa: E402
    DB_ARGUMENT_SPEC,
    INT_TYPES,
    DbConn,
    SippDbError,
    conn_from_params,
    format_offset,
    indexed_columns,
    matches_any,
    offset_minutes,
    pick_column,
    run_query,
    table_columns,
)

CANDIDATES: dict[str, list[str]] = {
    "time": ["datetime", "waktu", "created_at", "tanggal", "date_time", "log_time", "timestamp"],
    "user": ["username", "user_name", "userid", "user_id", "user", "pengguna"],
    "action": ["action", "aksi", "activity", "aktivitas", "event"],
    "ip": ["ipaddress", "ip_address", "ip", "host_address"],
    "table": ["tablename", "table_name", "tabel", "formname"],
}
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
UNKNOWN = "(tidak diketahui)"


def _int(value: str | None) -> int:
    return int(float(value)) if value not in (None, "") else 0


def parse_hhmm(value: str) -> str:
    """'8:00' -> '08:00:00'; raises SippDbError."""
    match = _HHMM.match(value.strip())
    if not match:
        raise SippDbError(f"office hours must be HH:MM, got {value!r}")
    return f"{int(match.group(1)):02d}:{match.group(2)}:00"


def outside_expr(time_expr: str, start: str, end: str, days: list[int]) -> str:
    """SQL: 1 when the time is outside office hours or days (WEEKDAY: 0 = Monday)."""
    weekdays = ",".join(str(d - 1) for d in sorted(set(days))) or "-1"
    return (
        f"(WEEKDAY({time_expr}) NOT IN ({weekdays}) OR TIME({time_expr}) < '{start}' "
        f"OR TIME({time_expr}) >= '{end}')"
    )


def build_sql(table: str, cols: dict[str, str | None], *, int_clock: bool, hours: int,
              tz_shift: tuple[str, str] | None, office: tuple[str, str, list[int]]) -> dict[str, str]:
    """The WHERE clause, expressions and queries (one range scan each)."""
    tcol = quote_identifier(cols["time"] or "")
    if int_clock:
        where = f"{tcol} >= UNIX_TIMESTAMP() - {hours * 3600}"
        texpr = f"FROM_UNIXTIME({tcol})"
    else:
        where = f"{tcol} >= NOW() - INTERVAL {hours} HOUR"
        texpr = tcol
    local = f"CONVERT_TZ({texpr}, '{tz_shift[0]}', '{tz_shift[1]}')" if tz_shift else texpr
    outside = outside_expr(local, *office)
    user = f"COALESCE({quote_identifier(cols['user'] or '')}, '')"
    action = f"COALESCE({quote_identifier(cols['action'] or '')}, '')"
    ip = f"COALESCE({quote_identifier(cols['ip']) if cols['ip'] else 'NULL'}, '')"
    tbl_col = f"COALESCE({quote_identifier(cols['table']) if cols['table'] else 'NULL'}, '')"
    tbl = quote_identifier(table)
    main = (
        f"SELECT {user}, {action}, COUNT(*), SUM({outside}), MIN({texpr}), MAX({texpr}) "  # noqa: S608
        f"FROM {tbl} WHERE {where} GROUP BY 1, 2;"
    )
    return {
        "where": where, "texpr": texpr, "outside": outside, "user": user,
        "action": action, "ip": ip, "table": tbl_col, "tbl": tbl, "main": main,
        "clock": f"SELECT NOW(), NOW() - INTERVAL {hours} HOUR, "
                 "ROUND(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) / 60);",
    }


def detail_sql(sql: dict[str, str], actions: list[str]) -> str:
    """Notable rows grouped by action, user, address and table."""
    in_list = ", ".join(quote_string(a) for a in actions)
    return (
        f"SELECT {sql['action']}, {sql['user']}, {sql['ip']}, {sql['table']}, COUNT(*), "  # noqa: S608
        f"SUM({sql['outside']}), MIN({sql['texpr']}), MAX({sql['texpr']}) FROM {sql['tbl']} "
        f"WHERE {sql['where']} AND {sql['action']} IN ({in_list}) GROUP BY 1, 2, 3, 4 "
        "ORDER BY 5 DESC;"
    )


def classify(action: str, patterns: dict[str, list[str]]) -> str:
    """'failed_login', 'login', 'delete' or 'other' (failed checked first)."""
    for category in ("failed_login", "login", "delete"):
        if matches_any(action, patterns[category]):
            return category
    return "other"


def summarise(main_rows: list[list[str | None]], detail_rows: list[list[str | None]],
              patterns: dict[str, list[str]], limit: int) -> dict[str, Any]:
    """Fold the grouped rows into the summary dict."""
    per_user: dict[str, dict[str, Any]] = {}
    per_action: dict[str, int] = {}
    totals = {"rows": 0, "logins": 0, "failed_logins": 0, "deletions": 0,
              "logins_outside_office_hours": 0}
    for row in main_rows:
        user, action = row[0] or UNKNOWN, row[1] or UNKNOWN
        count, outside = _int(row[2]), _int(row[3])
        entry = per_user.setdefault(user, {"total": 0, "actions": {}})
        entry["total"] += count
        entry["actions"][action] = entry["actions"].get(action, 0) + count
        per_action[action] = per_action.get(action, 0) + count
        totals["rows"] += count
        category = classify(row[1] or "", patterns)
        if category == "login":
            totals["logins"] += count
            totals["logins_outside_office_hours"] += outside
        elif category == "failed_login":
            totals["failed_logins"] += count
        elif category == "delete":
            totals["deletions"] += count
    details: dict[str, list[dict[str, Any]]] = {
        "failed_login_details": [], "outside_office_logins_details": [], "deletion_details": []}
    for row in detail_rows:
        category = classify(row[0] or "", patterns)
        item = {"action": row[0], "user": row[1] or UNKNOWN, "ip": row[2] or None,
                "table": row[3] or None, "count": _int(row[4]), "first": row[6], "last": row[7]}
        if category == "failed_login":
            details["failed_login_details"].append(item)
        elif category == "delete":
            details["deletion_details"].append(item)
        elif category == "login" and _int(row[5]) > 0:
            item["count"] = _int(row[5])
            details["outside_office_logins_details"].append(item)
    for key in details:
        details[key] = details[key][:limit]
    result: dict[str, Any] = dict(totals)
    result.update(users=len(per_user), per_user=per_user, per_action=per_action, **details)
    return result


def audit_summary(conn: DbConn, params: dict[str, Any]) -> dict[str, Any]:
    table = params["table"]
    columns = table_columns(conn, table)
    if not columns:
        raise SippDbError(f"table {conn.database}.{table} not found (or no privilege)")
    overrides = {k: str(v) for k, v in (params["columns"] or {}).items() if v}
    cols = {key: pick_column(columns, cands, overrides.get(key)) for key, cands in CANDIDATES.items()}
    for needed in ("time", "user", "action"):
        if cols[needed] is None:
            raise SippDbError(
                f"no {needed} column in {table}; set columns.{needed} "
                f"(found: {', '.join(sorted(columns))})"
            )
    int_clock = columns[str(cols["time"]).lower()][1] in INT_TYPES
    office = (parse_hhmm(params["office_hours_start"]), parse_hhmm(params["office_hours_end"]),
              list(params["office_days"]))
    if any(d < 1 or d > 7 for d in office[2]):
        raise SippDbError("office_days are ISO weekday numbers 1 (Monday) to 7 (Sunday)")
    hours = params["hours"]
    clock_sql = build_sql(table, cols, int_clock=int_clock, hours=hours, tz_shift=None,
                          office=office)["clock"]
    now, since, server_offset = run_query(conn, clock_sql)[0]
    data_offset = (offset_minutes(params["data_timezone"]) if params["data_timezone"]
                   else _int(server_offset))
    office_offset = offset_minutes(params["timezone"])
    tz_shift = None
    if data_offset != office_offset:
        tz_shift = (format_offset(data_offset), format_offset(office_offset))
    sql = build_sql(table, cols, int_clock=int_clock, hours=hours, tz_shift=tz_shift,
                    office=office)
    patterns = {"login": params["login_actions"], "failed_login": params["failed_login_actions"],
                "delete": params["delete_actions"]}
    main_rows = run_query(conn, sql["main"])
    notable = sorted({row[1] or "" for row in main_rows
                      if classify(row[1] or "", patterns) != "other"})
    detail_rows = run_query(conn, detail_sql(sql, notable)) if notable else []
    result = summarise(main_rows, detail_rows, patterns, params["max_details"])
    days = ",".join(str(d) for d in sorted(set(office[2])))
    result.update(
        hours=hours, since=since, until=now,
        office_hours=(f"{office[0][:5]}-{office[1][:5]} ISO days {days} "
                      f"UTC{format_offset(office_offset)}"),
        time_column_indexed=str(cols["time"]).lower() in indexed_columns(conn, table),
        columns=cols,
    )
    return result


def sop_output(summary: dict[str, Any], top: int = 5) -> dict[str, Any]:
    """The counts and the five largest groups of each notable category."""
    def lines(key: str, where: str) -> list[str]:
        return [f"{d['user']} {d.get(where) or '-'}: {d['count']}" for d in summary[key][:top]]
    busiest = sorted(summary["per_user"].items(), key=lambda item: -item[1]["total"])[:top]
    return {
        "hours": summary["hours"], "since": summary["since"], "rows": summary["rows"],
        "users": summary["users"], "logins": summary["logins"],
        "failed_logins": summary["failed_logins"],
        "logins_outside_office_hours": summary["logins_outside_office_hours"],
        "deletions": summary["deletions"], "office_hours": summary["office_hours"],
        "failed_login_sources": lines("failed_login_details", "ip"),
        "outside_office_logins": lines("outside_office_logins_details", "ip"),
        "deletions_by": lines("deletion_details", "table"),
        "busiest_users": [f"{user}: {entry['total']}" for user, entry in busiest],
    }


def main() -> None:
    spec = dict(DB_ARGUMENT_SPEC)
    spec.update(
        table={"type": "str", "default": "sys_audittrail"},
        hours={"type": "int", "default": 24},
        office_hours_start={"type": "str", "default": "08:00"},
        office_hours_end={"type": "str", "default": "16:30"},
        office_days={"type": "list", "elements": "int", "default": [1, 2, 3, 4, 5]},
        timezone={"type": "str", "default": "Asia/Jakarta"},
        data_timezone={"type": "str"},
        login_actions={"type": "list", "elements": "str", "default": ["login%", "masuk%", "sign in%"]},
        failed_login_actions={"type": "list", "elements": "str",
                              "default": ["%fail%", "%gagal%", "%salah%", "%invalid%"]},
        delete_actions={"type": "list", "elements": "str", "default": ["%delete%", "%hapus%"]},
        failed_login_warn={"type": "int", "default": 10},
        columns={"type": "dict", "default": {}},
        max_details={"type": "int", "default": 50},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if params["hours"] <= 0:
        module.fail_json(msg="hours must be a positive number")
    binary = params["client_binary"] or module.get_bin_path("mariadb") or module.get_bin_path("mysql")
    if not binary:
        module.fail_json(msg="neither mariadb nor mysql client found on the host")
    conn = conn_from_params(params, binary)
    try:
        summary = audit_summary(conn, params)
    except SippDbError as exc:
        module.fail_json(msg=f"SIPP database {conn.database}: {exc}")
    if not summary["time_column_indexed"]:
        module.warn(f"{params['table']}.{summary['columns']['time']} has no index: "
                    "the audit scan reads the whole table")
    threshold = params["failed_login_warn"]
    if threshold > 0 and summary["failed_logins"] >= threshold:
        module.warn(f"{summary['failed_logins']} failed SIPP logins in the last "
                    f"{params['hours']} hours (threshold {threshold})")
    module.exit_json(changed=False, summary=summary, sop_output=sop_output(summary))


if __name__ == "__main__":
    main()
