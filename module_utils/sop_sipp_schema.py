# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the sipp_* modules know about SIPP beyond MariaDB (that layer is sop_mariadb):
their database options, which column plays which role in a SIPP table (versions name
them differently, and a date without its time plays no time role), how to report what
a differing schema hides, their queries bounded on the server, LIKE patterns, the
time-zone offsets of SIPP's wall-clock times, and the report's line on rows dated ahead
of the clock they are compared with.

Stdlib only; Python 3.9+ (Debian 12 targets run 3.11).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible.module_utils.sop_bahasa import angka
from ansible.module_utils.sop_clock import MAX_OFFSET, MIN_OFFSET, zone
from ansible.module_utils.sop_mariadb import (
    LOGIN_ARGUMENT_SPEC,
    Connection,
    MariaDBError,
    database_name_problem,
)
from ansible.module_utils.sop_mariadb import query as client_query

# Options of the sipp_* modules that read the database (doc fragments mariadb_login
# and sipp_db).
SIPP_DB_ARGUMENT_SPEC: dict[str, Any] = {
    "database": {"type": "str", "default": "sipp"},
    **LOGIN_ARGUMENT_SPEC,
    "client_binary": {"type": "str"},
    "query_timeout": {"type": "int", "default": 300},
}


def database_error(params: Mapping[str, Any]) -> dict[str, str] | None:
    """The failure of a ``database`` no client can be pointed at (sop_mariadb's
    database_name_problem: empty, too long, a leading '-'), or None. An empty name
    connected to no database: every table read as missing ('tabel .sys_audittrail tidak
    ditemukan'), the court told to set the table; a leading '-' was read as an option."""
    problem = database_name_problem(params["database"] or "")
    return {"msg": f"database: {problem}", "setting": "database"} if problem else None


def bounded(sql: str, seconds: int) -> str:
    """``sql`` after the statement that ends each of its statements on the server after
    ``seconds``, or the lower limit the server already sets (a DBA's global or the
    account's max_statement_time; 0 is none): MariaDB's max_statement_time (10.1.8 on),
    set in the executable comment only MariaDB reads (MySQL, and an older MariaDB, read
    ``SET @sop_sipp_bound = 1``)."""
    limit = int(seconds)
    return ("SET /*M!100108 max_statement_time = IF(@@max_statement_time > 0, "
            f"LEAST(@@max_statement_time, {limit}), {limit}), */ @sop_sipp_bound = 1;\n"
            f"{sql}")


# The row each answer of ``query`` begins with: a client that prints nothing, or not the
# server's answer (client_binary /bin/true), is told apart from a query finding no rows.
ANSWER_MARK = "sop-sipp-answer"


def query(conn: Connection, sql: str) -> list[list[str | None]]:
    """sop_mariadb.query with each statement bounded on the server to ``conn.timeout``
    (``bounded``). The client's timeout only kills the client: the server read on, a
    scan of a large table without an index loading the production database long after
    the module had failed 'database did not answer within 300 s', and one more with each
    run. Raises MariaDBError, one line, when the client's output does not begin with
    ANSWER_MARK's row: a client exiting 0 without printing it ended in an IndexError
    where a module read the first row."""
    rows = client_query(conn, bounded(f"SELECT '{ANSWER_MARK}';\n{sql}", conn.timeout))
    if not rows:
        raise MariaDBError(f"the MariaDB client {conn.binary} printed nothing, not even "
                           "the server's answer (is client_binary a mariadb or mysql client?)")
    if rows[0] != [ANSWER_MARK]:
        raise MariaDBError(f"the MariaDB client {conn.binary} printed something other than "
                           "the server's answer (is client_binary a mariadb or mysql client?)")
    return rows[1:]


# The roles the columns of each module's table play, each with the names SIPP versions give
# its column, the first one the table has taken (resolve_columns). The roles are the keys
# of the module's ``columns`` option (columns_error), by which the sipp_maintenance role
# refuses its settings too (the filter sop_sipp_columns_error).
COLUMN_CANDIDATES: dict[str, dict[str, list[str]]] = {
    "sipp_audit_summary": {
        "time": ["datetime", "waktu", "created_at", "tanggal", "date_time", "log_time",
                 "timestamp"],
        "user": ["username", "user_name", "userid", "user_id", "user", "pengguna"],
        "action": ["action", "aksi", "activity", "aktivitas", "event"],
        "ip": ["ipaddress", "ip_address", "ip", "host_address"],
        "table": ["tablename", "table_name", "tabel", "formname"],
    },
    "sipp_online_users": {
        "last_activity": ["last_visit", "last_activity", "lastvisit", "last_access",
                          "updated_at", "waktu"],
        "user": ["userid", "user_id", "username", "user_name"],
        "host": ["host_address", "ipaddress", "ip_address", "ip"],
        "login_time": ["login_time", "logintime", "created_at"],
    },
}


def resolve_columns(
    columns: Mapping[str, tuple[str, str]],
    candidates: Mapping[str, Sequence[str]],
    overrides: Mapping[str, str],
) -> dict[str, str | None]:
    """Which real column plays each role (None: no candidate exists, or the override
    names no column). ``columns`` is sop_mariadb.table_columns' answer."""
    chosen: dict[str, str | None] = {}
    for role, names in candidates.items():
        override = overrides.get(role)
        wanted = [override] if override else list(names)
        chosen[role] = next((columns[n.lower()][0] for n in wanted if n.lower() in columns), None)
    return chosen


def columns_error(overrides: Mapping[str, Any], roles: Sequence[str]) -> dict[str, str] | None:
    """The failure of a ``columns`` option naming a key no role has (``last_visit`` for
    ``last_activity``): ``msg`` ('columns: unknown key ...', the keys it takes) and
    ``setting`` 'columns'; None when every key is a role. Such an override was ignored,
    and the discovery's guess used as if the court had set nothing."""
    unknown = sorted(str(key) for key in overrides if key not in roles)
    if not unknown:
        return None
    return {"msg": f"columns: unknown key {', '.join(repr(key) for key in unknown)} "
                   f"(keys: {', '.join(roles)})", "setting": "columns"}


def unavailable(table: str, problem: str, *, setting: str | None, column: str | None = None,
                found: Sequence[str] = (), affects: Sequence[str] = (),
                candidates: Sequence[str] = ()) -> dict[str, Any]:
    """An entry of a module's ``unavailable`` list: what cannot be seen, why, and the
    module option that fixes it (Bahasa Indonesia, shown in the SOP report)."""
    parts = [f"{table}: {problem}"]
    if candidates:
        parts.append(f"dicari: {', '.join(candidates)}")
    if found:
        parts.append(f"kolom yang ada: {', '.join(found)}")
    if affects:
        parts.append(f"tidak dapat dihitung: {', '.join(affects)}")
    if setting:
        parts.append(f"atur opsi {setting}")
    return {"table": table, "column": column, "setting": setting, "affects": list(affects),
            "message": "; ".join(parts)}


def missing_column(table: str, role: str, columns: Mapping[str, tuple[str, str]], *,
                   candidates: Sequence[str], overrides: Mapping[str, str],
                   affects: Sequence[str]) -> dict[str, Any]:
    """``unavailable`` entry of a role whose column was not found (or whose override
    names no column)."""
    override = overrides.get(role)
    problem = (f"kolom {override!r} dari columns.{role} tidak ada" if override
               else f"kolom untuk {role} tidak ditemukan")
    return unavailable(table, problem, setting=f"columns.{role}", column=role,
                       found=sorted(real for real, _ in columns.values()), affects=affects,
                       candidates=() if override else candidates)


# Column types that hold no moment. Compared with NOW() a DATE reads as its midnight: a
# period of hours saw today's rows alone, each at 00:00 (every login outside office
# hours), and a window of minutes no session at all. A TIME or YEAR holds no day.
DATELESS_TYPES = frozenset({"date", "time", "year"})


def dateless_column(table: str, role: str, cols: dict[str, str | None],
                    columns: Mapping[str, tuple[str, str]], *,
                    affects: Sequence[str]) -> dict[str, Any] | None:
    """The ``unavailable`` entry of the column playing ``role`` when its type holds no
    moment (DATELESS_TYPES); it then plays no role (``cols[role]`` becomes None). None
    for any other column, or none."""
    column = cols.get(role)
    data_type = columns[column.lower()][1] if column else ""
    if data_type not in DATELESS_TYPES:
        return None
    cols[role] = None
    return unavailable(table, f"kolom {column!r} untuk {role} bertipe {data_type}, "
                       "bukan tanggal dan jam", setting=f"columns.{role}", column=role,
                       affects=affects)


def like_to_regex(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regex equivalent of a SQL LIKE pattern (% and _)."""
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def matches_any(value: str, patterns: Sequence[str]) -> bool:
    """Whether value matches one of the SQL LIKE patterns (case-insensitive)."""
    return any(like_to_regex(p).match(value) for p in patterns)


_OFFSET_RE = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


def offset_minutes(tz: str) -> int:
    """Minutes east of UTC of '+07:00' / '+0700' offsets, or now in a zone sop_clock.zone
    takes (WIB/WITA/WIT in any case, IANA names; Indonesia keeps no daylight saving time).
    Raises ValueError for an unknown zone or an offset no clock keeps."""
    match = _OFFSET_RE.match(tz)
    if match:
        hours, minutes = int(match.group(2)), int(match.group(3))
        offset = (-1 if match.group(1) == "-" else 1) * (hours * 60 + minutes)
        if minutes >= 60 or not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise ValueError(f"time zone offset {tz!r} is not one of -12:00 to +14:00")
        return offset
    delta = dt.datetime.now(zone(tz)).utcoffset()
    if delta is None:
        raise ValueError(f"unknown time zone {tz!r}")
    return int(delta.total_seconds() // 60)


def zone_error(params: Mapping[str, Any], options: Sequence[str]) -> dict[str, str] | None:
    """The failure of the first of a module's ``options`` whose value (when given, an
    empty one too) is no time zone: ``msg`` ('<option>: unknown time zone ...') and
    ``setting`` (the option, which a role names by its variable); None when every one is
    a zone. Modules check before they connect: a bad setting is never hidden behind, nor
    reported as, the database's or a page's answer."""
    for option in options:
        if params.get(option) is not None:
            try:
                offset_minutes(str(params[option]))
            except ValueError as exc:
                return {"msg": f"{option}: {exc}", "setting": option}
    return None


def format_offset(minutes: int) -> str:
    """'+07:00' for 420."""
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def future_finding(count: int, ahead_seconds: int, what: str, clock: str, *,
                   unix_time: bool) -> str | None:
    """The report's line on ``count`` rows (``what``: 'kegiatan', 'sesi') dated more than
    sop_clock.FUTURE_TOLERANCE ahead of ``clock`` (the time they were compared with),
    the furthest ``ahead_seconds`` ahead; None when there are none. Such rows are counted
    apart, never as recent: the SIPP server's clock set back, or (``unix_time`` False)
    a data_timezone west of the zone SIPP writes in, puts its latest rows there, and the
    line shows by how many hours."""
    if count <= 0:
        return None
    cause = ("jam server SIPP salah" if unix_time
             else "jam server SIPP salah atau data_timezone tidak sesuai zona waktu SIPP")
    return (f"{angka(count)} {what} bertanggal di masa depan, hingga "
            f"{angka(ahead_seconds / 3600.0, 1)} jam setelah {clock} "
            f"({cause}); tidak dihitung")
