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
    credentials in an in-memory option file, never on the command line nor on disk.
  - Discovers the columns of the audit table through C(information_schema) (SIPP versions
    name them differently, e.g. C(datetime)/C(waktu)/C(created_at),
    C(username)/C(user_name)/C(userid), C(action)/C(aksi)).
  - "Counts per user and action, failed logins, logins outside office hours and
    deletions of the last O(hours) with one range scan on the time column grouped in
    SQL (fast on tables with millions of rows when the time column is indexed; the
    result says whether it is), plus one grouped query for the notable rows of each
    category, each limited in SQL to O(max_details) rows (the largest groups first), so
    a court with years of audit rows never reads them all. A category that has more
    groups is counted by one more query and said in RV(summary.details_cut)
    (C(rincian login gagal: 50 baris pertama dari 812)). The counts per user and per
    action list the O(max_details) largest too (a flood of failed logins under 100 000
    user names made a result of megabytes), the totals exact, and say how many they
    leave out."
  - The period ends five minutes (the monitors' shared tolerance for two clocks a little
    apart) after now. Rows dated later are not counted as recent activity; one more scan
    of the time column counts them apart (RV(summary.future_rows)) and names them as a
    finding (RV(summary.future_finding), also a warning) with how many hours the furthest
    lies ahead. Such a date is the SIPP server's clock set back, or a O(data_timezone)
    west of the zone SIPP writes in (C(UTC) where SIPP writes WIB puts the last seven
    hours' rows up to seven hours ahead). Counted as recent they would hide that error;
    dropped, they would hide those hours.
  - A table or column it cannot find does not fail the module, nor does a time column
    holding no moment (a DATE, TIME or YEAR; a date compared with the clock reads as its
    midnight, every row at 00:00). What needs it is null
    (without the time column the whole period, without the user column the per-user
    figures, without the action column the logins, failed logins and deletions), the
    rest is counted, and RV(summary.unavailable) says which table and column are missing
    and which option to set. The module does not warn of it; the caller warns of each
    entry, naming the setting as it calls it (the sipp_maintenance role names its variable).
  - Each query ends on the server after O(query_timeout) seconds too (MariaDB's
    C(max_statement_time), 10.1.8 and later, or the lower one the server already sets;
    MySQL's server is not bounded), not only the client, which left the server reading
    on when given up alone.
  - Read-only; never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
  - sipp_db
  - sipp_zone
options:
  table:
    description: The audit trail table.
    type: str
    default: sys_audittrail
  hours:
    description:
      - Summarise the rows of the last this many hours (database clock, or O(data_timezone)'s).
      - >-
        1 or more and at most 87600 (ten years), else the module fails with C(setting)
        C(hours).
    type: int
    default: 24
  office_hours_start:
    description: Start of office hours (HH:MM, office time zone).
    type: str
    default: "08:00"
  office_hours_end:
    description:
      - End of office hours (HH:MM, office time zone), after O(office_hours_start)
        (office hours do not run overnight).
      - >-
        A value not after O(office_hours_start), or either not HH:MM, fails the module
        before it connects, with C(setting) naming the option. A whole number from 60 to
        1439 is named as the time YAML read it from (an unquoted C(16:30) is the number
        990: quote it).
    type: str
    default: "16:30"
  office_days:
    description:
      - Office days, ISO numbers (1 = Monday ... 7 = Sunday).
      - An empty list (no office day, every login outside office hours) or a number
        outside 1 to 7 fails the module before it connects, with C(setting) naming it.
    type: list
    elements: int
    default: [1, 2, 3, 4, 5]
  timezone:
    description:
      - Time zone of the office hours (an IANA name, C(WIB), C(WITA) or C(WIT), or an
        offset such as C(+07:00); see the notes).
      - The module shifts each audit time by the difference of the two offsets itself
        (SQL interval arithmetic), so every offset the notes name works; MariaDB's
        C(CONVERT_TZ) takes none past C(+13:00) and answers NULL.
    type: str
    default: Asia/Jakarta
  data_timezone:
    description:
      - Time zone in which SIPP writes the audit times (an IANA name, C(WIB), C(WITA) or
        C(WIT), or an offset such as C(+07:00); see the notes). The database server's
        clock when omitted (SIPP stores local wall-clock time).
      - The period is then the last O(hours) of this clock. A Unix-time column is
        always read in the database's clock.
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
    description: Warn when failed logins in the period reach this number (0 never warns;
      a negative number, C(true) or more than 10000 fails the module before it connects,
      with C(setting) C(failed_login_warn)).
    type: int
    default: 10
  columns:
    description:
      - Column names when discovery guesses wrong. Keys C(time), C(user), C(action),
        C(ip), C(table).
      - Another key fails the module before it connects (its message names the keys),
        with C(setting) C(columns).
    type: dict
    default: {}
  max_details:
    description: How many grouped rows to list for each notable category, the SQL
      C(LIMIT) of its query (a whole number 0 to 1000; another value, C(true) too,
      fails the module before it connects, with C(setting) C(max_details)), and how
      many users, actions of each user and actions RV(summary.per_user) and
      RV(summary.per_action) list (the largest; the counts stay exact). 0 lists none
      and queries none.
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
  sample: {hours: 24, rows: 1843, users: 21, failed_logins: 12, failed_login_sources: ["admin 10.10.20.77: 15"],
           details_cut: [], future_rows: 0, future_finding: null, unavailable: []}
summary:
  description: The activity summary.
  returned: success
  type: dict
  contains:
    hours:
      description: Length of the period.
      type: int
    since:
      description: Start of the period, in the clock of the rows' times (O(data_timezone)
        when set and the time column is not a Unix time, else the database clock).
      type: str
    until:
      description: End of the period, in the same clock as RV(summary.since).
      type: str
    rows:
      description: Audit rows in the period.
      type: int
    users:
      description: Distinct users in the period.
      type: int
    per_user:
      description: "{user: {total: n, actions: {action: n}}}: the O(max_details) users
        with the most rows (largest first), each with its O(max_details) most frequent
        actions and, when it has more, C(actions_left_out: n)."
      type: dict
    per_user_left_out:
      description: Users left out of RV(summary.per_user) (RV(summary.users) counts them all).
      type: int
    per_action:
      description: "{action: n}: the O(max_details) most frequent actions, largest first."
      type: dict
    per_action_left_out:
      description: Actions left out of RV(summary.per_action) (the other counts hold them).
      type: int
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
    future_rows:
      description: Rows dated more than five minutes after RV(summary.until), counted in
        none of the figures above (null without the time column).
      type: int
    future_finding:
      description: One line for the report on RV(summary.future_rows) and how far ahead
        the furthest lies (Bahasa Indonesia), or null when there are none.
      type: str
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
    details_cut:
      description: "One line (Bahasa Indonesia) for each of the three details above that
        lists fewer groups than the period has (O(max_details) reached), with how many
        it has (C(rincian penghapusan data: 50 baris pertama dari 61)), and for
        RV(summary.per_user) and RV(summary.per_action) when they leave some out
        (C(kegiatan per user: 50 user terbanyak dari 100.000)); empty when none is cut."
      type: list
      elements: str
    office_hours:
      description: The office hours applied.
      type: str
    time_column_indexed:
      description: Whether an index starts with the time column (else the scan is slow); null without one.
      type: bool
    columns:
      description: The columns used (null for a role no column plays).
      type: dict
    unavailable:
      description: What the schema hides, one entry per missing table or column.
      type: list
      elements: dict
      contains:
        table: {description: The table., type: str}
        column: {description: The role of the missing column (null for the table)., type: str}
        setting: {description: The option that fixes it (C(columns.<role>) or C(table))., type: str}
        affects: {description: What cannot be counted (Bahasa Indonesia)., type: list, elements: str}
        message: {description: One line for the report (Bahasa Indonesia)., type: str}
  sample:
    hours: 24
    rows: 1843
    users: 21
    logins: 64
    failed_logins: 12
    logins_outside_office_hours: 3
    deletions: 5
    future_rows: 0
    future_finding: null
"""

import datetime as dt  # noqa: E402
import heapq  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_clock import FUTURE_TOLERANCE  # noqa: E402
from ansible.module_utils.sop_mariadb import (  # noqa: E402
    CLIENT_BINARIES,
    INT_TYPES,
    Connection,
    MariaDBError,
    connection_from_params,
    find_binary,
    indexed_columns,
    nullable_text,
    quote_identifier,
    quote_string,
    table_columns,
    text_value,
)
from ansible.module_utils.sop_options import (  # noqa: E402
    RANGES,
    duration_error,
    office_hours_error,
    parse_hhmm,
    range_error,
    seconds_error,
)
from ansible.module_utils.sop_sipp_schema import (  # noqa: E402
    COLUMN_CANDIDATES,
    SIPP_DB_ARGUMENT_SPEC,
    columns_error,
    database_error,
    dateless_column,
    format_offset,
    future_finding,
    matches_any,
    missing_column,
    offset_minutes,
    query,
    resolve_columns,
    unavailable,
    zone_error,
)

CANDIDATES = COLUMN_CANDIDATES["sipp_audit_summary"]
# Summary keys each column's absence hides (None in the result).
HIDDEN: dict[str, list[str]] = {
    "time": ["rows", "users", "per_user", "per_user_left_out", "per_action",
             "per_action_left_out", "logins", "failed_logins", "logins_outside_office_hours",
             "deletions", "future_rows"],
    "user": ["users", "per_user", "per_user_left_out"],
    "action": ["per_action", "per_action_left_out", "logins", "failed_logins",
               "logins_outside_office_hours", "deletions"],
    "ip": [],
    "table": [],
}
# The same in the report's words.
AFFECTS: dict[str, list[str]] = {
    "time": ["seluruh ringkasan aktivitas (periode tidak dapat dibatasi)"],
    "user": ["jumlah user", "kegiatan per user"],
    "action": ["kegiatan per jenis", "login", "login gagal", "login di luar jam kerja",
               "penghapusan data"],
    "ip": ["alamat IP pada rincian"],
    "table": ["tabel pada rincian penghapusan"],
}
# Each notable category whose groups are detailed, by its name in the report.
DETAILS: dict[str, str] = {"failed_login": "login gagal", "login": "login di luar jam kerja",
                           "delete": "penghapusan data"}
MAX_DETAILS = 1000
# The per-user and per-action counts cut to max_details, by the report's word for one.
GROUPS: dict[str, str] = {"per_user": "user", "per_action": "jenis"}
UNKNOWN = "(tidak diketahui)"


def _int(value: str | None) -> int:
    return int(float(value)) if value not in (None, "") else 0


def outside_expr(time_expr: str, start: str, end: str, days: list[int]) -> str:
    """SQL: 1 when the time is outside office hours or days (WEEKDAY: 0 = Monday)."""
    weekdays = ",".join(str(d - 1) for d in sorted(set(days))) or "-1"
    return (
        f"(WEEKDAY({time_expr}) NOT IN ({weekdays}) OR TIME({time_expr}) < '{start}' "
        f"OR TIME({time_expr}) >= '{end}')"
    )


def _column(cols: dict[str, str | None], role: str) -> str:
    """The role's column, or NULL when the schema has none."""
    column = cols[role]
    return quote_identifier(column) if column else "NULL"


def build_sql(table: str, cols: dict[str, str | None], *, int_clock: bool, hours: int,
              tz_shift: int | None, office: tuple[str, str, list[int]],
              data_offset: int | None = None) -> dict[str, str]:
    """The WHERE clause, expressions and queries (one range scan each). Needs the time
    column; a missing user, action, ip or table column reads as NULL. The period ends
    sop_clock.FUTURE_TOLERANCE after now; the rows after it are the ``future`` query's
    (their count, and the seconds the furthest lies ahead). ``data_offset``: the
    minutes east of UTC of a time column written in another clock than the database's
    (None: the database's clock, NOW()). ``tz_shift``: the minutes the office clock lies
    ahead of the rows' (None: the same clock), added to a row's time before its office
    hours are judged. Interval arithmetic, not CONVERT_TZ: MariaDB takes an offset only
    from -12:59 to +13:00 (sql/tztime.cc, str_to_offset) and answers NULL past it, every
    login then inside office hours under a +13:00 or +14:00 zone; and it leaves a time
    outside the TIMESTAMP range (after 2038 before MariaDB 11.5) unconverted."""
    tcol = quote_identifier(cols["time"] or "")
    if int_clock:
        lower = f"UNIX_TIMESTAMP() - {hours * 3600}"
        upper = f"UNIX_TIMESTAMP() + {FUTURE_TOLERANCE}"
        ahead = f"MAX({tcol}) - UNIX_TIMESTAMP()"
        texpr = f"FROM_UNIXTIME({tcol})"
    else:
        # the column's own clock, so the period is the last hours of that clock; the
        # range stays on the raw column (constant bounds: the index is used)
        now = ("NOW()" if data_offset is None
               else f"UTC_TIMESTAMP() + INTERVAL {int(data_offset)} MINUTE")
        lower = f"{now} - INTERVAL {hours} HOUR"
        upper = f"{now} + INTERVAL {FUTURE_TOLERANCE} SECOND"
        ahead = f"TIMESTAMPDIFF(SECOND, {now}, MAX({tcol}))"
        texpr = tcol
    where = f"{tcol} >= {lower} AND {tcol} <= {upper}"
    local = f"{texpr} + INTERVAL {int(tz_shift)} MINUTE" if tz_shift else texpr
    outside = outside_expr(local, *office)
    shown = {role: nullable_text(_column(cols, role)) for role in ("user", "action", "ip", "table")}
    tbl = quote_identifier(table)
    main = (
        f"SELECT {shown['user']}, {shown['action']}, COUNT(*), SUM({outside}), "  # noqa: S608
        f"MIN({texpr}), MAX({texpr}) FROM {tbl} WHERE {where} GROUP BY 1, 2;"
    )
    future = f"SELECT COUNT(*), {ahead} FROM {tbl} WHERE {tcol} > {upper};"  # noqa: S608
    return {
        "where": where, "texpr": texpr, "outside": outside, "user": shown["user"],
        "action": shown["action"], "action_column": _column(cols, "action"), "ip": shown["ip"],
        "table": shown["table"], "tbl": tbl, "main": main, "future": future,
    }


def clock_sql(hours: int) -> str:
    """The database clock, the start of the period, and its offset from UTC (minutes)."""
    return (f"SELECT NOW(), NOW() - INTERVAL {int(hours)} HOUR, "
            "ROUND(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) / 60);")


def shifted(clock: str | None, minutes: int) -> str | None:
    """A database time ('YYYY-MM-DD HH:MM:SS') moved by minutes, in the same format (the
    period in the data's clock when that is not the database's)."""
    if not clock or not minutes:
        return clock
    when = dt.datetime.strptime(str(clock)[:19], "%Y-%m-%d %H:%M:%S")
    return (when + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def _groups(sql: dict[str, str], category: str, actions: list[str]) -> str:
    """FROM ... HAVING of a category's notable rows grouped by action, user, address and
    table (the logins: those with a login outside office hours)."""
    in_list = ", ".join(quote_string(a) for a in actions)
    having = f" HAVING SUM({sql['outside']}) > 0" if category == "login" else ""
    return (
        f"FROM {sql['tbl']} WHERE {sql['where']} AND {sql['action_column']} IN ({in_list}) "
        f"GROUP BY {sql['action']}, {sql['user']}, {sql['ip']}, {sql['table']}{having}"
    )


def detail_sql(sql: dict[str, str], category: str, actions: list[str], limit: int) -> str:
    """The ``limit`` largest groups of a category's notable rows (the logins: by their
    count outside office hours)."""
    order = f"SUM({sql['outside']})" if category == "login" else "COUNT(*)"
    return (
        f"SELECT {sql['action']}, {sql['user']}, {sql['ip']}, {sql['table']}, COUNT(*), "
        f"SUM({sql['outside']}), MIN({sql['texpr']}), MAX({sql['texpr']}) "
        f"{_groups(sql, category, actions)} ORDER BY {order} DESC LIMIT {int(limit)};"
    )


def group_count_sql(sql: dict[str, str], category: str, actions: list[str]) -> str:
    """How many groups detail_sql would list without its limit."""
    return f"SELECT COUNT(*) FROM (SELECT 1 {_groups(sql, category, actions)}) AS notable_groups;"  # noqa: S608


def cut_line(category: str, listed: int, total: int) -> str:
    """``rincian login gagal: 50 baris pertama dari 1.812``."""
    return f"rincian {DETAILS[category]}: {angka(listed)} baris pertama dari {angka(total)}"


def notable_details(conn: Connection, sql: dict[str, str], actions: dict[str, list[str]],
                    limit: int) -> tuple[list[list[str | None]], list[str]]:
    """The detail rows of each category's actions (one client call, a query of at most
    ``limit`` rows each), and the cut_line of each category that reached the limit and
    has more groups (counted by one more call)."""
    wanted = [category for category in DETAILS if actions.get(category)] if limit else []
    if not wanted:
        return [], []
    rows = query(conn, "\n".join(detail_sql(sql, c, actions[c], limit) for c in wanted))
    listed = {c: sum(1 for row in rows if text_value(row[0]) in actions[c]) for c in wanted}
    full = [c for c in wanted if listed[c] >= limit]
    totals = query(conn, "\n".join(group_count_sql(sql, c, actions[c]) for c in full)) if full else []
    return rows, [cut_line(c, listed[c], _int(row[0])) for c, row in zip(full, totals)
                  if _int(row[0]) > listed[c]]


_Item = TypeVar("_Item")


def largest(items: dict[str, _Item], limit: int,
            size: Callable[[_Item], int]) -> dict[str, _Item]:
    """The ``limit`` largest of ``items`` by ``size``, largest first (a tie by name)."""
    return dict(heapq.nsmallest(limit, items.items(), key=lambda item: (-size(item[1]), item[0])))


def groups_cut(summary: dict[str, Any]) -> list[str]:
    """``kegiatan per user: 50 user terbanyak dari 100.000`` for per_user and per_action
    when summarise left some out."""
    lines = []
    for key, word in GROUPS.items():
        left_out = summary[f"{key}_left_out"]
        if summary[key] and left_out:
            listed = len(summary[key])
            lines.append(f"kegiatan per {word}: {angka(listed)} {word} terbanyak dari "
                         f"{angka(listed + left_out)}")
    return lines


def classify(action: str, patterns: dict[str, list[str]]) -> str:
    """'failed_login', 'login', 'delete' or 'other' (failed checked first)."""
    for category in ("failed_login", "login", "delete"):
        if matches_any(action, patterns[category]):
            return category
    return "other"


def summarise(main_rows: list[list[str | None]], detail_rows: list[list[str | None]],
              patterns: dict[str, list[str]], limit: int) -> dict[str, Any]:
    """Fold the grouped rows (values selected with nullable_text) into the summary. The
    counts are exact; per_user, each user's actions and per_action list the ``limit``
    largest (a flood of failed logins under 100 000 names made a result of megabytes),
    saying how many they leave out (``per_user_left_out``, ``per_action_left_out``, a
    user's ``actions_left_out`` when it leaves some out)."""
    per_user: dict[str, dict[str, Any]] = {}
    per_action: dict[str, int] = {}
    totals = {"rows": 0, "logins": 0, "failed_logins": 0, "deletions": 0,
              "logins_outside_office_hours": 0}
    for row in main_rows:
        user_value, action_value = text_value(row[0]), text_value(row[1])
        user, action = user_value or UNKNOWN, action_value or UNKNOWN
        count, outside = _int(row[2]), _int(row[3])
        entry = per_user.setdefault(user, {"total": 0, "actions": {}})
        entry["total"] += count
        entry["actions"][action] = entry["actions"].get(action, 0) + count
        per_action[action] = per_action.get(action, 0) + count
        totals["rows"] += count
        category = classify(action_value or "", patterns)
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
        action_value = text_value(row[0])
        category = classify(action_value or "", patterns)
        item = {"action": action_value, "user": text_value(row[1]) or UNKNOWN,
                "ip": text_value(row[2]) or None, "table": text_value(row[3]) or None,
                "count": _int(row[4]), "first": row[6], "last": row[7]}
        if category == "failed_login":
            details["failed_login_details"].append(item)
        elif category == "delete":
            details["deletion_details"].append(item)
        elif category == "login" and _int(row[5]) > 0:
            item["count"] = _int(row[5])
            details["outside_office_logins_details"].append(item)
    for key in details:
        details[key] = details[key][:limit]
    listed = largest(per_user, limit, lambda entry: int(entry["total"]))
    for entry in listed.values():
        if len(entry["actions"]) > limit:
            entry["actions_left_out"] = len(entry["actions"]) - limit
        entry["actions"] = largest(entry["actions"], limit, int)
    result: dict[str, Any] = dict(totals)
    result.update(users=len(per_user), per_user=listed,
                  per_user_left_out=len(per_user) - len(listed),
                  per_action=largest(per_action, limit, int),
                  per_action_left_out=max(len(per_action) - limit, 0), **details)
    return result


def _office(params: dict[str, Any]) -> tuple[str, str, list[int]]:
    """The office hours (HH:MM:SS) and days, which settings_error accepted
    (sop_options.office_hours_error)."""
    return (parse_hhmm(params["office_hours_start"]), parse_hhmm(params["office_hours_end"]),
            list(params["office_days"]))


def settings_error(params: dict[str, Any]) -> dict[str, str] | None:
    """``{msg, setting}`` of the first option refused before connecting (its message
    starts with the option's name), or None."""
    bad_hours = duration_error(params, "hours", unit="hours")
    if bad_hours:
        return bad_hours
    # Ansible's int option passes a YAML true through as True: it was the SQL "LIMIT True"
    max_details = params["max_details"]
    if type(max_details) is not int or not 0 <= max_details <= MAX_DETAILS:
        return {"msg": f"max_details: must be a whole number from 0 to {MAX_DETAILS}, "
                       f"got {max_details!r}", "setting": "max_details"}
    return (office_hours_error(params)
            or range_error(params, "failed_login_warn", **RANGES["failed_login_warn"])
            or database_error(params) or seconds_error(params, "query_timeout")
            or zone_error(params, ["timezone", "data_timezone"]))


def audit_summary(conn: Connection, params: dict[str, Any]) -> dict[str, Any]:
    """The summary of the period; what the schema hides is None and explained in
    ``unavailable``. Raises MariaDBError (database) or ValueError (parameters)."""
    table, hours = params["table"], params["hours"]
    office = _office(params)
    office_offset = offset_minutes(params["timezone"])
    days = ",".join(str(d) for d in sorted(set(office[2])))
    now, since, server_offset = query(conn, clock_sql(hours))[0]
    database_offset = _int(server_offset)
    # the period as the rows' times read: in data_timezone's clock when it is set (a
    # Unix-time column, shown in the database's clock, moves it back below)
    data_offset = (offset_minutes(params["data_timezone"]) if params["data_timezone"]
                   else database_offset)
    result: dict[str, Any] = {
        "hours": hours, "since": shifted(since, data_offset - database_offset),
        "until": shifted(now, data_offset - database_offset), "columns": {},
        "time_column_indexed": None, "unavailable": [],
        "office_hours": (f"{office[0][:5]}-{office[1][:5]} ISO days {days} "
                         f"UTC{format_offset(office_offset)}"),
        **{key: None for key in HIDDEN["time"]}, "future_finding": None,
        "failed_login_details": [], "outside_office_logins_details": [], "deletion_details": [],
        "details_cut": []}
    columns = table_columns(conn, table)
    if not columns:
        result["unavailable"].append(unavailable(
            table, f"tabel {conn.database}.{table} tidak ditemukan (atau tidak ada hak akses)",
            setting="table", affects=AFFECTS["time"]))
        return result
    overrides = {k: str(v) for k, v in (params["columns"] or {}).items() if v}
    cols = resolve_columns(columns, CANDIDATES, overrides)
    result["columns"] = cols
    result["unavailable"] = [
        missing_column(table, role, columns, candidates=CANDIDATES[role], overrides=overrides,
                       affects=AFFECTS[role])
        for role, column in cols.items() if column is None]
    dateless = dateless_column(table, "time", cols, columns, affects=AFFECTS["time"])
    if dateless:
        result["unavailable"].append(dateless)
    if cols["time"] is None:
        return result
    int_clock = columns[cols["time"].lower()][1] in INT_TYPES
    # FROM_UNIXTIME shows a Unix time in the database's clock, whatever data_timezone says
    if int_clock:
        data_offset = database_offset
        result.update(since=since, until=now)
    sql = build_sql(table, cols, int_clock=int_clock, hours=hours,
                    tz_shift=office_offset - data_offset or None,
                    office=office,
                    data_offset=None if data_offset == database_offset else data_offset)
    patterns = {"login": params["login_actions"], "failed_login": params["failed_login_actions"],
                "delete": params["delete_actions"]}
    main_rows = query(conn, sql["main"])
    notable: dict[str, list[str]] = {}
    for action in sorted({value for value in (text_value(row[1]) for row in main_rows)
                          if value is not None}):
        notable.setdefault(classify(action, patterns), []).append(action)
    detail_rows, result["details_cut"] = notable_details(conn, sql, notable,
                                                         params["max_details"])
    result.update(summarise(main_rows, detail_rows, patterns, params["max_details"]))
    future, ahead = query(conn, sql["future"])[0]
    result["future_rows"] = _int(future)
    result["future_finding"] = future_finding(result["future_rows"], _int(ahead), "kegiatan",
                                              str(result["until"]), unix_time=int_clock)
    for role, column in cols.items():
        if column is None:
            result.update({key: None for key in HIDDEN[role]})
    result["details_cut"] += groups_cut(result)
    result["time_column_indexed"] = cols["time"].lower() in indexed_columns(conn, table)
    return result


def sop_output(summary: dict[str, Any], top: int = 5) -> dict[str, Any]:
    """The counts, the five largest groups of each notable category, and what the
    schema hides."""
    def lines(key: str, where: str) -> list[str]:
        return [f"{d['user']} {d.get(where) or '-'}: {d['count']}" for d in summary[key][:top]]
    busiest = sorted((summary["per_user"] or {}).items(), key=lambda item: -item[1]["total"])
    return {
        "hours": summary["hours"], "since": summary["since"], "rows": summary["rows"],
        "users": summary["users"], "logins": summary["logins"],
        "failed_logins": summary["failed_logins"],
        "logins_outside_office_hours": summary["logins_outside_office_hours"],
        "deletions": summary["deletions"], "future_rows": summary["future_rows"],
        "future_finding": summary["future_finding"], "office_hours": summary["office_hours"],
        "failed_login_sources": lines("failed_login_details", "ip"),
        "outside_office_logins": lines("outside_office_logins_details", "ip"),
        "deletions_by": lines("deletion_details", "table"),
        "busiest_users": [f"{user}: {entry['total']}" for user, entry in busiest[:top]],
        "details_cut": summary["details_cut"],
        "unavailable": [entry["message"] for entry in summary["unavailable"]],
    }


def summary_warnings(summary: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """The module's warnings, in Bahasa Indonesia as the activity's record and report
    show them: rows dated ahead of the clock, a time column without an index, and failed
    logins reaching O(failed_login_warn). What the schema hides is the caller's to warn
    of (``unavailable``), naming its own setting: warned here too, the record held it
    twice, once naming the option and once the role's variable."""
    warnings: list[str] = []
    if summary["future_finding"]:
        warnings.append(summary["future_finding"])
    if summary["time_column_indexed"] is False:
        warnings.append(f"{params['table']}.{summary['columns']['time']} tidak berindeks: "
                        "ringkasan aktivitas membaca seluruh tabel")
    threshold = params["failed_login_warn"]
    if threshold > 0 and (summary["failed_logins"] or 0) >= threshold:
        warnings.append(f"{angka(summary['failed_logins'])} login SIPP gagal dalam "
                        f"{angka(params['hours'])} jam terakhir (batas peringatan "
                        f"{angka(threshold)})")
    return warnings


def main() -> None:
    spec = dict(SIPP_DB_ARGUMENT_SPEC)
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
    bad_setting = settings_error(params)
    if bad_setting:
        module.fail_json(**bad_setting)
    bad_columns = columns_error(params["columns"] or {}, list(CANDIDATES))
    if bad_columns:
        module.fail_json(**bad_columns)
    binary = str(params["client_binary"] or find_binary(CLIENT_BINARIES) or "")
    if not binary:
        module.fail_json(msg="neither mariadb nor mysql client found on the host")
    conn = connection_from_params(params, binary)
    try:
        summary = audit_summary(conn, params)
    except MariaDBError as exc:  # first: a login value's OptionValueError is a ValueError too
        module.fail_json(msg=f"SIPP database {conn.database}: {exc}")
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    for warning in summary_warnings(summary, params):
        module.warn(warning)
    module.exit_json(changed=False, summary=summary, sop_output=sop_output(summary))


if __name__ == "__main__":
    main()
