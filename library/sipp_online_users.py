#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Count SIPP's online users from sys_user_online (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sipp_online_users
short_description: Count the users online in SIPP (sys_user_online)
description:
  - Connects to the SIPP database with the C(mariadb) (or C(mysql)) command-line client,
    credentials in an in-memory option file, never on the command line nor on disk.
  - Discovers the columns of C(sys_user_online) through C(information_schema) (SIPP
    versions differ) and counts the sessions and distinct users whose last activity is
    within O(window_minutes) of the database clock (or of O(data_timezone)'s), in one SQL
    statement.
  - A session whose last activity lies more than five minutes (the monitors' shared
    tolerance for two clocks a little apart) ahead of that clock is not online; it is
    counted apart (RV(online_users.future_sessions)) and named as a finding
    (RV(online_users.future_finding), also a warning) with how many hours the furthest
    lies ahead. Such a date is the SIPP server's clock set back, or a O(data_timezone)
    west of the zone SIPP writes in (C(UTC) where SIPP writes WIB puts every fresh
    session seven hours ahead). Counted as recent it would hide that error; dropped,
    it would hide the sessions.
  - A table or column it cannot find does not fail the module, nor does an activity
    column holding no moment (a DATE, TIME or YEAR; a date compared with the clock reads
    as its midnight); the counts that need it are null, and RV(online_users.unavailable) says which table and column are missing
    and which option to set. The module does not warn of it; the caller warns of each
    entry, naming the setting as it calls it (the sipp_maintenance role names its variable).
  - Also proves that the database is up (the module fails when it cannot connect).
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
    description: Table holding the sessions.
    type: str
    default: sys_user_online
  window_minutes:
    description:
      - A session counts as online when its last activity is this recent (minutes).
      - >-
        1 or more and at most 5256000 (ten years), else the module fails with C(setting)
        C(window_minutes).
    type: int
    default: 15
  columns:
    description:
      - Column names when discovery guesses wrong. Keys C(last_activity), C(user),
        C(host), C(login_time).
      - Another key fails the module before it connects (its message names the keys),
        with C(setting) C(columns).
    type: dict
    default: {}
  max_sessions:
    description: How many of the active sessions to list in the result (0 or more; a
      negative value fails the module before it connects, with C(setting) C(max_sessions)).
    type: int
    default: 50
  data_timezone:
    description:
      - Time zone in which SIPP writes the session times (an IANA name, C(WIB), C(WITA)
        or C(WIT), or an offset such as C(+07:00); see the notes). The database server's
        clock when omitted (SIPP stores local wall-clock time).
      - The window is then the last O(window_minutes) of this clock, and
        RV(online_users.database_time) is this clock's time. A Unix-time column needs no
        time zone and ignores it.
    type: str
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Count the SIPP users active in the last 15 minutes
  sipp_online_users:
    database: sipp
    login_user: sop_backup
    login_password: "{{ sipp_db_password }}"
    window_minutes: 15
  register: sipp_online
  no_log: false
"""

RETURN = r"""
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {online_users: 5, online_sessions: 6, window_minutes: 15, sessions_total: 9,
           future_sessions: 0, future_finding: null, unavailable: []}
online_users:
  description: The count and the active sessions.
  returned: success
  type: dict
  contains:
    window_minutes:
      description: The window used.
      type: int
    users:
      description: Distinct users active within the window (null without user or activity column).
      type: int
    sessions:
      description: Sessions active within the window (null without an activity column).
      type: int
    sessions_total:
      description: Rows in the session table, active or not (null without the table).
      type: int
    future_sessions:
      description: Sessions whose last activity lies more than five minutes ahead of
        RV(online_users.database_time), not counted online (null without an activity column).
      type: int
    future_finding:
      description: One line for the report on RV(online_users.future_sessions) and how
        far ahead the furthest lies (Bahasa Indonesia), or null when there are none.
      type: str
    last_activity:
      description: Most recent activity of any session (as stored), or null.
      type: str
    database_time:
      description: The time the sessions were compared with (the database clock, or
        O(data_timezone)'s clock when set and the column is not a Unix time).
      type: str
    active:
      description: Up to O(max_sessions) active sessions (user, host, login_time, last_activity).
      type: list
      elements: dict
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
    window_minutes: 15
    users: 5
    sessions: 6
    sessions_total: 9
    future_sessions: 0
    future_finding: null
    last_activity: "2026-11-21 19:30:02"
    database_time: "2026-11-21 19:31:00"
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_clock import FUTURE_TOLERANCE  # noqa: E402
from ansible.module_utils.sop_mariadb import (  # noqa: E402
    CLIENT_BINARIES,
    INT_TYPES,
    Connection,
    MariaDBError,
    connection_from_params,
    find_binary,
    nullable_text,
    quote_identifier,
    table_columns,
    text_value,
)
from ansible.module_utils.sop_options import duration_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_sipp_schema import (  # noqa: E402
    COLUMN_CANDIDATES,
    SIPP_DB_ARGUMENT_SPEC,
    columns_error,
    database_error,
    dateless_column,
    future_finding,
    missing_column,
    offset_minutes,
    query,
    resolve_columns,
    unavailable,
    zone_error,
)

CANDIDATES = COLUMN_CANDIDATES["sipp_online_users"]
# What each column's absence hides (Bahasa Indonesia, for the report).
AFFECTS: dict[str, list[str]] = {
    "last_activity": ["user online", "sesi online", "aktivitas terakhir", "daftar sesi aktif"],
    "user": ["user online", "user pada daftar sesi aktif"],
    "host": ["alamat pada daftar sesi aktif"],
    "login_time": ["waktu login pada daftar sesi aktif"],
}


def _to_int(value: str | None) -> int:
    return int(value) if value not in (None, "") else 0


def now_sql(data_offset: int | None) -> str:
    """The time now in the data's clock (minutes east of UTC; None: the database's)."""
    return "NOW()" if data_offset is None else \
        f"UTC_TIMESTAMP() + INTERVAL {int(data_offset)} MINUTE"


def build_queries(table: str, cols: dict[str, str | None], int_clock: bool, window: int,
                  limit: int, *, data_offset: int | None = None) -> tuple[str, str | None]:
    """The count query (``users, sessions, total, last activity, future sessions,
    seconds the furthest lies ahead, now``: NULL for what the columns cannot tell) and
    the listing query (None without an activity column). A session is online when its
    last activity lies within the window, up to sop_clock.FUTURE_TOLERANCE ahead of now;
    further ahead it is counted apart. ``data_offset``: minutes east of UTC of the clock
    the activity times are written in (None: the database's clock)."""
    tbl = quote_identifier(table)
    now = now_sql(data_offset)
    if cols["last_activity"] is None:
        return (f"SELECT NULL, NULL, COUNT(*), NULL, NULL, NULL, {now} "  # noqa: S608
                f"FROM {tbl};"), None
    last = quote_identifier(cols["last_activity"])
    if int_clock:
        now = "NOW()"  # FROM_UNIXTIME shows the database's clock
        cutoff = f"UNIX_TIMESTAMP() - {window * 60}"
        upper = f"UNIX_TIMESTAMP() + {FUTURE_TOLERANCE}"
        # signed: an UNSIGNED column minus a later time is out of range (error 1690)
        ahead = f"CAST(MAX({last}) AS SIGNED) - CAST(UNIX_TIMESTAMP() AS SIGNED)"
        shown, shown_row = f"FROM_UNIXTIME(MAX({last}))", f"FROM_UNIXTIME({last})"
    else:
        # constant bounds on the raw column: an index on it is used
        cutoff = f"{now} - INTERVAL {window} MINUTE"
        upper = f"{now} + INTERVAL {FUTURE_TOLERANCE} SECOND"
        ahead = f"TIMESTAMPDIFF(SECOND, {now}, MAX({last}))"
        shown, shown_row = f"MAX({last})", last
    recent = f"{last} >= {cutoff} AND {last} <= {upper}"
    user = quote_identifier(cols["user"]) if cols["user"] else None
    users = f"COUNT(DISTINCT CASE WHEN {recent} THEN {user} END)" if user else "NULL"
    count_sql = (
        f"SELECT {users}, IFNULL(SUM({recent}), 0), COUNT(*), {shown}, "  # noqa: S608
        f"IFNULL(SUM({last} > {upper}), 0), {ahead}, {now} FROM {tbl};"
    )
    shown_cols = [nullable_text(quote_identifier(c)) if c else "NULL"
                  for c in (cols["user"], cols["host"], cols["login_time"])]
    list_sql = (
        f"SELECT {', '.join(shown_cols)}, {shown_row} FROM {tbl} "  # noqa: S608
        f"WHERE {recent} ORDER BY {last} DESC LIMIT {int(limit)};"
    )
    return count_sql, list_sql


def online_users(conn: Connection, table: str, window: int, overrides: dict[str, str],
                 limit: int, *, data_timezone: str | None = None) -> dict[str, Any]:
    """Count and list the active sessions; what the schema hides is listed in
    ``unavailable`` (the counts it hides are None). ``data_timezone``: the clock SIPP
    writes the activity times in (None: the database's). Raises MariaDBError when the
    database cannot answer, ValueError for an unknown time zone."""
    data_offset = offset_minutes(data_timezone) if data_timezone else None
    result: dict[str, Any] = {
        "window_minutes": window, "users": None, "sessions": None, "sessions_total": None,
        "future_sessions": None, "future_finding": None, "last_activity": None,
        "database_time": None, "active": [], "columns": {}, "unavailable": []}
    columns = table_columns(conn, table)
    if not columns:
        result["unavailable"].append(unavailable(
            table, f"tabel {conn.database}.{table} tidak ditemukan (atau tidak ada hak akses)",
            setting="table", affects=["user online", "sesi online", "jumlah sesi"]))
        result["database_time"] = query(conn, f"SELECT {now_sql(data_offset)};")[0][0]
        return result
    cols = resolve_columns(columns, CANDIDATES, overrides)
    result["columns"] = cols
    result["unavailable"] = [
        missing_column(table, role, columns, candidates=CANDIDATES[role], overrides=overrides,
                       affects=AFFECTS[role])
        for role, column in cols.items() if column is None]
    dateless = dateless_column(table, "last_activity", cols, columns,
                               affects=AFFECTS["last_activity"])
    if dateless:
        result["unavailable"].append(dateless)
    int_clock = bool(cols["last_activity"]) and \
        columns[str(cols["last_activity"]).lower()][1] in INT_TYPES
    count_sql, list_sql = build_queries(table, cols, int_clock, window, limit,
                                        data_offset=data_offset)
    row = query(conn, count_sql)[0]
    result.update(
        users=None if cols["user"] is None or cols["last_activity"] is None else _to_int(row[0]),
        sessions=None if cols["last_activity"] is None else _to_int(row[1]),
        sessions_total=_to_int(row[2]), last_activity=row[3], database_time=row[6])
    if cols["last_activity"] is not None:
        result["future_sessions"] = _to_int(row[4])
        result["future_finding"] = future_finding(
            result["future_sessions"], _to_int(row[5]), "sesi", str(row[6]),
            unix_time=int_clock)
    if list_sql and limit > 0:
        result["active"] = [
            {"user": text_value(r[0]), "host": text_value(r[1]),
             "login_time": text_value(r[2]), "last_activity": r[3]}
            for r in query(conn, list_sql)]
    return result


def settings_error(params: dict[str, Any]) -> dict[str, str] | None:
    """``{msg, setting}`` of the first option refused before connecting (its message
    starts with the option's name), or None."""
    bad_window = duration_error(params, "window_minutes", unit="minutes")
    if bad_window:
        return bad_window
    if params["max_sessions"] < 0:
        return {"msg": f"max_sessions: must be 0 or more, got {params['max_sessions']}",
                "setting": "max_sessions"}
    return (database_error(params) or seconds_error(params, "query_timeout")
            or zone_error(params, ["data_timezone"]))


def main() -> None:
    spec = dict(SIPP_DB_ARGUMENT_SPEC)
    spec.update(
        table={"type": "str", "default": "sys_user_online"},
        window_minutes={"type": "int", "default": 15},
        columns={"type": "dict", "default": {}},
        max_sessions={"type": "int", "default": 50},
        data_timezone={"type": "str"},
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
        result = online_users(
            conn, params["table"], params["window_minutes"],
            {k: str(v) for k, v in (params["columns"] or {}).items() if v},
            params["max_sessions"], data_timezone=params["data_timezone"],
        )
    except MariaDBError as exc:
        module.fail_json(msg=f"SIPP database {conn.database}: {exc}")
    # what the schema hides is the caller's to warn of, naming its own setting: warned
    # here too, the record held each twice (the option here, the role's variable there)
    if result["future_finding"]:
        module.warn(result["future_finding"])
    module.exit_json(changed=False, online_users=result, sop_output={
        "online_users": result["users"], "online_sessions": result["sessions"],
        "window_minutes": result["window_minutes"], "sessions_total": result["sessions_total"],
        "future_sessions": result["future_sessions"],
        "future_finding": result["future_finding"],
        "last_activity": result["last_activity"], "database_time": result["database_time"],
        "unavailable": [entry["message"] for entry in result["unavailable"]]})


if __name__ == "__main__":
    main()
