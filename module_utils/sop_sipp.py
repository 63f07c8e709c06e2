# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the sipp_* modules: the ``mariadb`` CLI driven with a temporary
0600 option file from sop_mariadb (credentials never in argv), SQL quoting, and column
discovery through ``information_schema`` (SIPP versions name their columns differently).

Stdlib only; Python 3.9+ (Debian 12 targets run 3.11).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ansible.module_utils.sop_mariadb import (
    LOGIN_ARGUMENT_SPEC,
    option_file,
    quote_string,
)

DB_ARGUMENT_SPEC: dict[str, Any] = {
    "database": {"type": "str", "default": "sipp"},
    **LOGIN_ARGUMENT_SPEC,
    "client_binary": {"type": "str"},
    "query_timeout": {"type": "int", "default": 300},
}

INT_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})


class SippDbError(Exception):
    """A query could not run; the message is one line fit for the operator."""


@dataclass(frozen=True)
class DbConn:
    """How to reach the SIPP database with the mariadb/mysql command-line client."""

    binary: str
    database: str
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    socket: str | None = None
    timeout: int = 300


def parse_batch(output: str) -> list[list[str | None]]:
    """Rows of ``--batch --raw --skip-column-names`` output; ``NULL`` becomes None."""
    rows: list[list[str | None]] = []
    for line in output.splitlines():
        if not line:
            continue
        rows.append([None if cell == "NULL" else cell for cell in line.split("\t")])
    return rows


def run_query(conn: DbConn, sql: str) -> list[list[str | None]]:
    """Run SQL (fed on stdin) and return its rows. Raises SippDbError."""
    with option_file(conn.user, conn.password, host=conn.host, port=conn.port,
                     socket=conn.socket) as path:
        argv = [
            conn.binary,
            f"--defaults-extra-file={path}",
            "--batch",
            "--raw",
            "--skip-column-names",
            "--default-character-set=utf8mb4",
            conn.database,
        ]
        try:
            proc = subprocess.run(
                argv,
                input=sql,
                capture_output=True,
                text=True,
                timeout=conn.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SippDbError(f"query timed out after {conn.timeout} s") from exc
        except OSError as exc:
            raise SippDbError(f"cannot run {conn.binary}: {exc.strerror}") from exc
    if proc.returncode != 0:
        message = " ".join(proc.stderr.split()) or f"exit code {proc.returncode}"
        raise SippDbError(message)
    return parse_batch(proc.stdout)


def table_columns(conn: DbConn, table: str) -> dict[str, tuple[str, str]]:
    """Columns of a table as {lower name: (real name, data type)}; empty if missing."""
    sql = (
        "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "  # noqa: S608
        f"WHERE TABLE_SCHEMA = {quote_string(conn.database)} "
        f"AND TABLE_NAME = {quote_string(table)} ORDER BY ORDINAL_POSITION;"
    )
    return {
        str(row[0]).lower(): (str(row[0]), str(row[1]).lower())
        for row in run_query(conn, sql)
        if row[0] is not None and len(row) > 1
    }


def indexed_columns(conn: DbConn, table: str) -> set[str]:
    """Lower-case names of the columns that lead an index of the table."""
    sql = (
        "SELECT COLUMN_NAME FROM information_schema.STATISTICS "  # noqa: S608
        f"WHERE TABLE_SCHEMA = {quote_string(conn.database)} "
        f"AND TABLE_NAME = {quote_string(table)} AND SEQ_IN_INDEX = 1;"
    )
    return {str(row[0]).lower() for row in run_query(conn, sql) if row[0] is not None}


def pick_column(
    columns: dict[str, tuple[str, str]],
    candidates: list[str],
    override: str | None = None,
) -> str | None:
    """The real name of the first candidate present (an override must exist)."""
    if override:
        found = columns.get(override.lower())
        if found is None:
            raise SippDbError(f"column {override!r} does not exist")
        return found[0]
    for candidate in candidates:
        found = columns.get(candidate.lower())
        if found is not None:
            return found[0]
    return None


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


def matches_any(value: str, patterns: list[str]) -> bool:
    """Whether value matches one of the SQL LIKE patterns (case-insensitive)."""
    return any(like_to_regex(p).match(value) for p in patterns)


def conn_from_params(params: dict[str, Any], binary: str) -> DbConn:
    """A DbConn from the module's DB_ARGUMENT_SPEC parameters."""
    return DbConn(
        binary=binary,
        database=params["database"],
        user=params.get("login_user"),
        password=params.get("login_password"),
        host=params.get("login_host"),
        port=params.get("login_port"),
        socket=params.get("login_unix_socket"),
        timeout=params.get("query_timeout") or 300,
    )


_OFFSET_RE = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


def offset_minutes(tz: str) -> int:
    """Minutes east of UTC of '+07:00' / '+0700' offsets or IANA names (no DST in Indonesia)."""
    match = _OFFSET_RE.match(tz.strip())
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return -minutes if match.group(1) == "-" else minutes
    try:
        delta = dt.datetime.now(ZoneInfo(tz)).utcoffset()
    except Exception as exc:
        raise SippDbError(f"unknown time zone {tz!r}") from exc
    if delta is None:
        raise SippDbError(f"unknown time zone {tz!r}")
    return int(delta.total_seconds() // 60)


def format_offset(minutes: int) -> str:
    """'+07:00' for 420."""
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
