"""The store's connection layer: SQLite (the standard library's sqlite3) or PostgreSQL
(psycopg 3, imported only for a postgresql URL), and every difference between the two.

SQL is written once with `:name` placeholders; values are always bound, never formatted
into the SQL (only fixed table and column names are). Values are stored as the store
kept them when it was built on SQLAlchemy (stores written then open unchanged): on
SQLite a datetime is text
'YYYY-MM-DD HH:MM:SS.ffffff' in UTC without offset, JSON is JSON text, a boolean 0/1;
PostgreSQL has timestamptz, json and boolean. Rows come back as dicts with datetimes
(timezone-aware), JSON values and booleans on both. Text is UTF-8: a byte a host wrote
that is no UTF-8 (a lone surrogate, as Python keeps it) is stored as its escape text, and
so is a NUL on PostgreSQL, whose text holds none; SQLite text in bytes that are no UTF-8
(not written so by `sop`) is read with U+FFFD in their place.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from sop.errors import ExitCode, SopError
from sop.paths import unwritable

if TYPE_CHECKING:
    import psycopg

Row = dict[str, Any]

# The columns (of every table) whose SQLite storage is converted back on reading.
DATETIME_COLUMNS = frozenset(
    {
        "applied_at", "started_at", "ended_at", "acknowledged_at", "first_at", "last_at",
        "approved_at", "valid_until", "opened_at", "closed_at",
        "installed_at", "removed_at", "claimed_until",
    }
)  # fmt: skip
JSON_COLUMNS = frozenset({"extra_var_names", "hosts", "pelaksana", "outputs", "warnings"})
BOOLEAN_COLUMNS = frozenset({"check_mode", "over_time", "limit_recorded"})
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
# synchronous=FULL (SQLite's default, which WAL's NORMAL gives up): each commit is on disk
# before `sop` goes on. Under NORMAL a power cut took back the commits since the last
# checkpoint: a run's recorded end (the execution then swept `interrupted`), an ack that
# `sop ack` had reported. It costs an fsync per commit (about 2 ms here; a run commits
# once per activity and a few times more: 7 times for the fixture's 2-activity SOP).
SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
# Text SQLite holds in bytes that are no UTF-8 (a row an older `sop`, a hand edit or a
# damaged file wrote: SQLite keeps what it is given), read with U+FFFD in their place
# (Transaction.fetch): sqlite3's own decoding refuses the whole query, and `sop history`,
# `sop report` and `sop list` failed on that one row (exit 6).
SQLITE_TEXT = partial(str, encoding="utf-8", errors="replace")
SQLITE_UNDECODABLE = "Could not decode to UTF-8"  # sqlite3's message then
# Switching a new database to WAL needs its exclusive lock, which SQLite does not wait
# for (busy_timeout does not apply): `sop` processes creating the store at once retry.
SQLITE_WAL_SECONDS = 10.0
# Seconds a PostgreSQL server is given to answer a connection (libpq's connect_timeout),
# unless the URL (`?connect_timeout=N`), its service's entry or PGCONNECT_TIMEOUT sets
# it: without one, an unreachable server held every `sop` command for TCP's two minutes.
CONNECT_TIMEOUT = 10
# libpq's settings that end a connection whose server is gone or cut off mid-query
# (powered off, a network or firewall dropping its packets), unless the URL or its
# service's entry sets them: without them `sop` waited for the kernel (an unanswered
# request retransmitted for some 15 minutes, an idle wait for a reply for ever). An idle
# connection is probed after 30 s of silence, every 10 s, and given up after 3 unanswered
# probes; data the server does not acknowledge within 60 s (tcp_user_timeout, ms) ends
# it too. A server that is there answers the probes: a long query is never cut short so.
KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",
}
# No statement_timeout is sent (libpq's `options`): PgBouncer refuses a connection whose
# startup options name a setting it does not track, and a DBA's ALTER ROLE ... SET would be
# overridden; the keepalives above end a connection to a server that is gone.
# libpq's environment variables of the settings above (the keepalives have none).
PG_ENVIRONMENT = {
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
}
# The directory of the system-wide pg_service.conf when PGSYSCONFDIR names none: Debian's
# libpq's (psycopg's binary wheel's libpq is built with the same).
PG_SYSCONFDIR = "/etc/postgresql-common"
# URL schemes (SQLAlchemy's spellings too, as SOP_DATABASE_URL was given before).
DIALECTS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql",
    "postgresql+psycopg": "postgresql",
}
# SQLite's primary result codes of a file it cannot open or write (SQLITE_PERM,
# SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN): their messages ("unable to
# open database file", "disk I/O error", ...) do not say why.
SQLITE_FILE_ERRORS = frozenset({3, 8, 10, 13, 14})
_PLACEHOLDER = re.compile(r"(?<![:\w]):(\w+)")
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^/\s]*@")
# libpq's parameters holding a password (`postgresql://host/db?password=...`).
_PASSWORD_PARAMETER = re.compile(r"([?&](?:ssl)?password=)[^&#\s\"']*", re.IGNORECASE)


def safe_url(url: str) -> str:
    """The URL as messages may show it: a password replaced by ***."""
    try:
        urlsplit(url).port  # noqa: B018 (raises ValueError for a malformed one)
    except ValueError:
        return f"{url.partition(':')[0]}:... (malformed URL)"
    return _hide_password(url)


def _hide_password(text: str) -> str:
    """`scheme://user:PASSWORD@` as `scheme://user:***@`, and `?password=PASSWORD` (also
    `sslpassword`) as `?password=***`, wherever they occur (a driver's message may quote
    the URL)."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD.sub(r"\1***@", text))


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """`:name` placeholders as psycopg's `%(name)s` (a literal % doubled)."""
    return _PLACEHOLDER.sub(r"%(\1)s", sql.replace("%", "%%"))


def distinct_values(column: str) -> str:
    """SQL for the distinct non-null values (column `value`) of an indexed executions
    column, read by one index seek per value (a recursive "loose index scan") rather
    than a scan of every row. `column` is a fixed column name."""
    return (
        f"WITH RECURSIVE v(value) AS (SELECT min({column}) FROM executions UNION ALL "  # noqa: S608 (fixed column names)
        f"SELECT (SELECT min({column}) FROM executions WHERE {column} > v.value) FROM v "
        "WHERE v.value IS NOT NULL) SELECT value FROM v WHERE value IS NOT NULL"
    )


def in_list(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`(:name0, :name1, ...)` and its parameters, for `column IN ...`."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")" if params else "(NULL)", params


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """INSERT of the given (fixed) columns, one `:column` parameter each."""
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608 (fixed names)


class StoreError(SopError):
    """A database error, in one line."""

    def __init__(self, url: str, cause: str, code: ExitCode = ExitCode.INTERNAL) -> None:
        super().__init__(f"store {url}: {cause}", code)
        self.cause = cause


class Transaction:
    """One transaction's statements; rows as dicts with Python values on both dialects."""

    def __init__(self, db: Database, cursor: Any) -> None:
        self.db = db
        self.cursor = cursor  # sqlite3's or psycopg's

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self.cursor.execute(self.db.sql(sql), self.db.params(params or {}))

    def fetch(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The statement's rows, as the driver gives them. Where SQLite holds text in bytes
        that are no UTF-8, the statement (a read: `insert` returns only an id) is run again
        with them read as U+FFFD (SQLITE_TEXT), as every later one of the connection is;
        until then sqlite3 decodes text itself (SQLITE_TEXT, a Python call per value, made
        fetching every row of a 30-court year 1.4 to 1.7 times as long)."""
        try:
            self.execute(sql, params)
            return list(self.cursor.fetchall())
        except sqlite3.OperationalError as exc:
            conn = self.db.conn
            if conn.text_factory is SQLITE_TEXT or not str(exc).startswith(SQLITE_UNDECODABLE):
                raise
            conn.text_factory = SQLITE_TEXT
        self.execute(sql, params)
        return list(self.cursor.fetchall())

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        found = self.fetch(sql, params)
        names = [d[0] for d in self.cursor.description]
        return [self.db.row(names, values) for values in found]

    def first(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def scalars(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return [values[0] for values in self.fetch(sql, params)]

    def insert(self, table: str, values: Mapping[str, Any]) -> int:
        """Insert one row; its generated id."""
        [new_id] = self.scalars(insert_sql(table, list(values)) + " RETURNING id", values)
        return int(new_id)

    def insert_many(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows that all have the same keys."""
        if rows:
            self.cursor.executemany(
                self.db.sql(insert_sql(table, list(rows[0]))), [self.db.params(r) for r in rows]
            )

    def update(self, table: str, values: Mapping[str, Any], where: str, **keys: Any) -> int:
        """UPDATE `table` SET the (fixed) columns of `values` WHERE `where`, whose own
        parameters are `keys` (named apart from the columns, e.g. :key_id); how many rows
        it changed (0: a condition in `where` no longer held, another writer was first)."""
        columns = ", ".join(f'"{c}" = :{c}' for c in values)
        self.execute(f"UPDATE {table} SET {columns} WHERE {where}", {**values, **keys})  # noqa: S608 (fixed names)
        count: int = self.cursor.rowcount
        return count

    def has_table(self, name: str) -> bool:
        if self.db.dialect == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_name = :name"
            )
        return bool(self.scalars(sql, {"name": name}))

    def lock(self, key: int) -> None:
        """Serialise with every controller sharing a PostgreSQL store until this
        transaction ends (a transaction-level advisory lock). SQLite lives on one
        machine: its callers serialise with a file lock."""
        if self.db.dialect == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(:key)", {"key": key})


class Database:
    """One connection to the store at `url`: sqlite:///PATH, or postgresql://... (also
    postgresql+psycopg://..., as SQLAlchemy spelled it; libpq's URI otherwise)."""

    def __init__(self, url: str) -> None:
        self.url = safe_url(url)
        scheme, _, rest = url.partition("://")
        self.dialect = DIALECTS.get(scheme, "")
        self.path = Path(rest.removeprefix("/")) if self.dialect == "sqlite" and rest else None
        if not self.dialect:
            self._refuse("unsupported URL (expected sqlite:///PATH or postgresql://...)")
        if self.dialect == "sqlite":
            self.errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        else:
            try:
                import psycopg  # noqa: PLC0415 (only for a PostgreSQL store)
            except ImportError:
                self._refuse("psycopg is not installed (pip install 'sop[postgresql]')")
            self.errors = (psycopg.Error,)
        try:
            # sqlite3.Connection or psycopg.Connection: the cursors share the DB-API.
            self.conn: Any = (
                self._sqlite(rest) if self.dialect == "sqlite" else self._postgresql(rest)
            )
        except (*self.errors, OSError) as exc:
            self._refuse(*self.failure(exc))

    def _refuse(self, cause: str, code: ExitCode = ExitCode.INTERNAL) -> NoReturn:
        raise SopError(f"cannot open the store {self.url}: {cause}", code)

    def failure(self, exc: BaseException) -> tuple[str, ExitCode]:
        """A driver's error as one line and its exit code. SQLite's failures to open or
        write its file name the real cause (paths.unwritable: a read-only directory or
        file, a full disk), SQLite's own words after it."""
        text = first_line(exc)
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        found = unwritable(self.path) if self.path and code in SQLITE_FILE_ERRORS else None
        return (f"{found[0]} (SQLite: {text})", found[1]) if found else (text, ExitCode.INTERNAL)

    @staticmethod
    def _sqlite(path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(
            path.removeprefix("/") or ":memory:",
            isolation_level=None,  # no implicit transactions: `transaction` begins them
        )
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        deadline = time.monotonic() + SQLITE_WAL_SECONDS
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    conn.close()
                    raise
                time.sleep(0.01)
        return conn

    def _postgresql(self, rest: str) -> psycopg.Connection[tuple[Any, ...]]:
        """The connection, within CONNECT_TIMEOUT and kept alive by KEEPALIVES, unless the
        URL, its service or libpq's environment sets them (`pg_settings`); a server that
        does not answer in time is named in one line (psycopg says only "connection
        timeout expired")."""
        import psycopg  # noqa: PLC0415
        from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: PLC0415

        url = f"postgresql://{rest}"
        params = conninfo_to_dict(url)
        given = pg_settings({key: str(value) for key, value in params.items()})
        added = {key: value for key, value in KEEPALIVES.items() if not given.get(key)}
        # Given to psycopg even when libpq would find it: psycopg waits for the connection
        # itself, by the URL's connect_timeout or PGCONNECT_TIMEOUT only (no service file).
        timeout = given.get("connect_timeout") or str(CONNECT_TIMEOUT)
        try:
            conninfo = make_conninfo(url, connect_timeout=timeout, **added)
            return psycopg.connect(conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            if not first_line(exc).endswith("timeout expired"):
                raise
        host = given.get("host") or given.get("hostaddr")
        port = given.get("port") or 5432
        server = f"{host} port {port}" if host else f"the default socket (port {port})"
        self._refuse(
            f"the PostgreSQL server at {server} did not answer within {timeout} s "
            "(connect_timeout): down, or a firewall drops the connection"
        )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Transaction]:
        """One transaction, committed at the end, rolled back on an exception. A database
        error is a one-line SopError. On SQLite a writing transaction takes the write lock
        first (BEGIN IMMEDIATE), so it never fails upgrading a read."""
        try:
            if self.dialect == "sqlite":
                cursor = self.conn.cursor()
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield Transaction(self, cursor)
                    # A COMMIT SQLite refuses (a full disk) leaves the transaction open,
                    # and every later one of this connection would fail: rolled back too.
                    self.conn.commit()
                except BaseException:
                    self.conn.rollback()
                    raise
            else:
                with self.conn.transaction(), self.conn.cursor() as cursor:
                    yield Transaction(self, cursor)
        except self.errors as exc:
            raise StoreError(self.url, *self.failure(exc)) from None

    def sql(self, text: str) -> str:
        """The statement with this driver's placeholders."""
        return text if self.dialect == "sqlite" else _pyformat(text)

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self.value(value) for key, value in values.items()}

    def value(self, value: Any) -> Any:
        """A Python value as bound: datetimes and JSON (a list or dict) as stored; text
        with each lone surrogate as its escape (`\\udcff`); the rest (booleans too:
        sqlite3 binds 1/0) as they are.

        A name a host wrote in bytes that are no UTF-8 (a file an intruder named so)
        reaches Python as a lone surrogate, which neither driver encodes (a failed task's
        message quoting it: UnicodeEncodeError, and the run's end went unrecorded). In
        JSON it stays exact: json.dumps (psycopg's too) writes JSON's own escape, which
        PostgreSQL's json type keeps as written and a reader decodes back.

        PostgreSQL's text holds no NUL, which a host's message may (a command's binary
        output quoted by a failed task: psycopg refused it, the run's end unrecorded):
        there it is its escape (`\\x00`); SQLite keeps it."""
        if isinstance(value, str):
            text = value.encode("utf-8", "backslashreplace").decode("utf-8")
            return text if self.dialect == "sqlite" else text.replace("\x00", "\\x00")
        if isinstance(value, datetime):
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
            if self.dialect == "sqlite":
                return value.astimezone(UTC).strftime(SQLITE_DATETIME)
        elif isinstance(value, list | dict):
            if self.dialect == "sqlite":
                return json.dumps(value)
            from psycopg.types.json import Json  # noqa: PLC0415

            return Json(value)
        return value

    def row(self, names: Sequence[str], values: Sequence[Any]) -> Row:
        """A fetched row as a dict; on SQLite its stored text and 0/1 made Python values."""
        row = dict(zip(names, values, strict=True))
        if self.dialect == "sqlite":
            for name, value in row.items():
                if value is None:
                    continue
                if name in DATETIME_COLUMNS:
                    row[name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
                elif name in JSON_COLUMNS:
                    row[name] = json.loads(value)
                elif name in BOOLEAN_COLUMNS:
                    row[name] = bool(value)
        return row


def pg_settings(params: Mapping[str, str]) -> dict[str, str]:
    """The connection settings a PostgreSQL URL's `params` (libpq's keywords) come to
    with libpq's precedence: the URL's own, else its service's entry in a service file
    (`service_entry`), else libpq's environment (PG_ENVIRONMENT's keywords); an empty
    value counts as none."""
    service = service_entry(
        params.get("service") or os.environ.get("PGSERVICE") or "",
        params.get("servicefile") or os.environ.get("PGSERVICEFILE") or "",
    )
    settings = {key: os.environ.get(name, "") for key, name in PG_ENVIRONMENT.items()}
    for source in (service, params):
        settings.update({key: value for key, value in source.items() if value})
    return {key: value for key, value in settings.items() if value}


def service_entry(name: str, user_file: str = "") -> dict[str, str]:
    """The settings of service `name` as libpq reads them: its section of the per-user
    service file (`user_file`: the URL's servicefile or PGSERVICEFILE; else
    ~/.pg_service.conf) or, when that file has none, of the system-wide one
    (pg_service.conf in PGSYSCONFDIR, else PG_SYSCONFDIR); a setting given twice counts
    once, the first time. Empty for no name, or no section of that name in a file this
    account can read: libpq then refuses the URL itself."""
    if not name:
        return {}
    files = (
        Path(user_file or Path.home() / ".pg_service.conf"),
        Path(os.environ.get("PGSYSCONFDIR") or PG_SYSCONFDIR) / "pg_service.conf",
    )
    for file in files:
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        entry: dict[str, str] | None = None
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                if entry is not None:
                    break  # the end of its section
                entry = {} if line.startswith(f"[{name}]") else None
            elif entry is not None:
                key, _, value = line.partition("=")
                entry.setdefault(key, value)
        if entry is not None:
            return entry
    return {}


def first_line(exc: BaseException) -> str:
    """A driver's error as one line (psycopg's can hold several), without a password."""
    text = str(exc).strip()
    return _hide_password(text.splitlines()[0]) if text else type(exc).__name__
