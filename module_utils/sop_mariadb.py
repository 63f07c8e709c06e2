# GPL-3.0-or-later
"""The one MariaDB/MySQL layer of the modules: credentials, the batch client, SQL quoting.

Stdlib only (runs on the managed host, Python 3.9+; Debian 12 targets run 3.11).

- Credentials never reach argv nor the disk: the option file is an anonymous memory file
  (``memfd_create``) that the clients open as ``/proc/<pid>/fd/<n>`` with
  ``--defaults-extra-file`` (``--defaults-file`` for mydumper/myloader 0.10); it dies with
  this process, even when the process is killed. Where memory files do not exist, a 0600
  file in a private 0700 directory named after this process is used instead, and every
  later call sweeps the ones whose process is dead.
- ``run_sql`` is the one query runner and ``parse_batch`` the one parser of the client's
  ``--batch`` output (tab, newline, backslash and NUL arrive escaped; NULL as ``NULL``).
- ``quote_string`` writes hexadecimal literals, correct whatever the session's sql_mode
  (``NO_BACKSLASH_ESCAPES`` included).
- ``ping_failure`` reads ``mariadb-admin ping``'s output as the one judgement of whether
  the server answered (server_diagnose, and server maintenance's post-check through the
  ``sop_ping_failure`` filter).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ENGINES = ("auto", "mariadb-dump", "mysqldump", "mydumper")
# Binaries tried, in order, for each role.
CLIENT_BINARIES = ("mariadb", "mysql")
DUMP_BINARIES = ("mariadb-dump", "mysqldump")
# Typical compressed/raw ratios of a SQL dump of case-tracking data (text-heavy rows),
# with headroom: the pre-flight check multiplies the estimate by a margin on top.
COMPRESSION_RATIO = {"zstd": 0.35, "gzip": 0.40}
# Name prefix of the fallback option-file directories: sop-mariadb-<pid>-<random>.
OPTION_DIR_PREFIX = "sop-mariadb-"
# Option-file directories of older versions carry no pid: swept once this old (seconds).
LEGACY_OPTION_DIR_AGE = 24 * 3600
# Seconds a server is given to complete a client's connection (the client's
# --connect-timeout): one that accepts it and never answers (hung, stopped, swapping)
# ended the query's own timeout later (300 s by default, each query of a module).
CONNECT_TIMEOUT = 30
# The client's line for a connection the server never completed: its greeting did not
# come within the connect timeout (ETIMEDOUT, 110).
_HANDSHAKE_TIMEOUT = re.compile(r"reading initial communication packet'?, system error: 110")
# The server's words for a table whose files are damaged (handler errors 126, 127, 130,
# 144 and 145; ER_CRASHED_ON_USAGE and ER_CRASHED_ON_REPAIR): "Incorrect file format 'x'
# (130)" was what mariadb-dump said of a MyISAM table whose index file was overwritten,
# seen in the lab.
_DAMAGED_TABLE = re.compile(r"marked as crashed|is crashed|Incorrect file format|"
                            r"Index for table .* is corrupt|Record file is crashed|"
                            r"\((?:126|127|130|144|145)\)")
DAMAGED_TABLE_HINT = ("the table's files are damaged: repair it (mariadb-check --auto-repair "
                      "for MyISAM and Aria, or restore the table from the last verified "
                      "backup) and run it again")
INT_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
# The largest packet the client and server protocol carries (1 GiB): a row's INSERT,
# its BLOB hex-encoded, is one packet.
MAX_PACKET = 1073741824
# MariaDB's longest database name, in characters (NAME_CHAR_LEN).
MAX_DATABASE_CHARS = 64

# mariadb-admin ping: the length of the line naming why it got no answer, that line
# ('error: 'Too many connections'', 'mariadb-admin: mysqld doesn't answer to ping, error:
# '...''), and the errors refusing only this ping's login.
MAX_PING_LINE = 300
PING_ERROR = re.compile(r"\berror: '(.*)'$")
CREDENTIALS_REFUSED = re.compile(r"^Access denied |password has expired")

# Login options of every module that talks to MariaDB (documented by the
# mariadb_login doc fragment in plugins/doc_fragments/).
LOGIN_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "login_user": {"type": "str"},
    "login_password": {"type": "str", "no_log": True},
    "login_host": {"type": "str"},
    "login_port": {"type": "int"},
    "login_unix_socket": {"type": "str"},
}


class MariaDBError(Exception):
    """A client command failed; the message is one clear line, without secrets."""


class OptionValueError(MariaDBError, ValueError):
    """A login value an option file cannot hold (a line break): a MariaDBError, so that
    every module reports it as its one line, and a ValueError, as it always was."""


def quote_option_value(value: str, name: str = "option values") -> str:
    """Quote a value for a MariaDB/MySQL option file.

    Inside double quotes the client library honours backslash escapes, so backslashes
    and double quotes are escaped; newlines cannot be represented and are refused
    (the error names the value: ``name``, never the value itself).
    """
    if "\n" in value or "\r" in value:
        raise OptionValueError(f"{name} cannot contain line breaks")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# mydumper's sessions in the SQL mode mariadb-dump sets for its own (SET SQL_MODE=''):
# they take the server's global one, and with ANSI_QUOTES there its table definitions
# came out in double quotes, which the restore refused (seen in the lab: every backup
# failed its verification); NO_BACKSLASH_ESCAPES would change how it escapes values.
# In the [mydumper] group: mariadb-dump stops at an init-command under [client].
MYDUMPER_SESSION = "SET SESSION sql_mode=''"


def option_file_text(
    user: str | None,
    password: str | None,
    *,
    host: str | None = None,
    port: int | None = None,
    socket: str | None = None,
    group: str = "client",
    mydumper_session: bool = False,
) -> str:
    """Return the text of a ``[client]`` option file (no secret ever lands in argv),
    with ``mydumper_session`` a ``[mydumper]`` group setting MYDUMPER_SESSION."""
    lines = [f"[{group}]"]
    if user:
        lines.append(f"user={quote_option_value(user, 'the user')}")
    if password:
        lines.append(f"password={quote_option_value(password, 'the password')}")
    if host:
        lines.append(f"host={quote_option_value(host, 'the host')}")
    if port:
        lines.append(f"port={int(port)}")
    if socket:
        lines.append(f"socket={quote_option_value(socket, 'the socket')}")
    if mydumper_session:
        lines += ["[mydumper]", f"init-command={quote_option_value(MYDUMPER_SESSION)}"]
    return "\n".join(lines) + "\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _memory_file(text: str) -> int | None:
    """A 0600 anonymous memory file holding ``text`` (close-on-exec), or None."""
    create = getattr(os, "memfd_create", None)
    if create is None or not os.path.isdir(f"/proc/{os.getpid()}/fd"):
        return None
    try:
        fd: int = create("sop-mariadb-client.cnf")
    except OSError:
        return None
    try:
        # The clients ignore world-writable option files; memory files start 0777.
        os.fchmod(fd, 0o600)
        _write_all(fd, text.encode("utf-8"))
    except OSError:
        os.close(fd)
        return None
    return fd


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_option_files(tmpdir: str | None = None) -> list[str]:
    """Remove option-file directories left by killed processes; return their paths.

    Only this user's ``sop-mariadb-<pid>-*`` directories whose process is gone, and
    pid-less ones of older versions after LEGACY_OPTION_DIR_AGE.
    """
    base = tmpdir or tempfile.gettempdir()
    removed: list[str] = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(OPTION_DIR_PREFIX):
            continue
        path = os.path.join(base, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not os.path.isdir(path) or os.path.islink(path) or info.st_uid != os.geteuid():
            continue
        pid_text = name[len(OPTION_DIR_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and "-" in name[len(OPTION_DIR_PREFIX):]:
            stale = not _pid_alive(int(pid_text))
        else:
            stale = time.time() - info.st_mtime > LEGACY_OPTION_DIR_AGE
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def option_file(
    user: str | None,
    password: str | None,
    *,
    host: str | None = None,
    port: int | None = None,
    socket: str | None = None,
    tmpdir: str | None = None,
    mydumper_session: bool = False,
) -> Iterator[str]:
    """Yield the path of a private option file for ``--defaults-extra-file``
    (option_file_text's).

    A memory file (``/proc/<pid>/fd/<n>``, gone with this process whatever kills it);
    else a 0600 file in a 0700 ``sop-mariadb-<pid>-*`` directory of ``tmpdir``, removed
    afterwards and, after a crash, by the next call's sweep.
    """
    sweep_option_files(tmpdir)
    text = option_file_text(user, password, host=host, port=port, socket=socket,
                            mydumper_session=mydumper_session)
    fd = _memory_file(text)
    if fd is not None:
        try:
            yield f"/proc/{os.getpid()}/fd/{fd}"
        finally:
            os.close(fd)
        return
    directory = tempfile.mkdtemp(prefix=f"{OPTION_DIR_PREFIX}{os.getpid()}-", dir=tmpdir)
    try:
        os.chmod(directory, 0o700)
        path = os.path.join(directory, "client.cnf")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def find_binary(candidates: Sequence[str], path: str | None = None) -> str | None:
    """Return the full path of the first candidate found on PATH, else None."""
    for name in candidates:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def select_engine(requested: str, available: Mapping[str, str | None]) -> tuple[str, str]:
    """Pick the dump engine: ``(engine, binary)``.

    ``available`` maps engine name to its binary path (None when not installed). ``auto``
    prefers mydumper (parallel), then mariadb-dump, then mysqldump.
    """
    if requested not in ENGINES:
        raise MariaDBError(f"unknown engine {requested!r} (choose one of {', '.join(ENGINES)})")
    order = ["mydumper", "mariadb-dump", "mysqldump"] if requested == "auto" else [requested]
    for engine in order:
        binary = available.get(engine)
        if binary:
            return engine, binary
    raise MariaDBError("dump engine {} is not installed on this host".format(" / ".join(order)))


def not_for_mydumper(tables: Sequence[Mapping[str, Any]]) -> list[str]:
    """Names of the tables mydumper must not be run on: those not in InnoDB.

    mydumper 0.10 (Debian 12's) pushes each non-InnoDB table's job to its workers before
    it counts the job; a worker that finishes first leaves the count where no one signals
    the main thread, which then waits forever, its global read lock held and every write
    to the database waiting (mydumper.c, v0.10.1: dump_table, JOB_DUMP_NON_INNODB). From
    0.20 on, mydumper stops at such a table unless given ``--trx-tables=0``, which 0.10
    does not know. With only InnoDB tables every release releases its lock once its
    threads have their snapshots and their jobs are queued.
    """
    return [str(t["name"]) for t in tables if str(t.get("engine") or "").lower() != "innodb"]


def unhex(value: str | None) -> str:
    """A name the server sent as HEX() (its bytes whatever the client's character set), as
    text; bytes no UTF-8 shown as U+FFFD."""
    return bytes.fromhex(value or "").decode("utf-8", "replace")


def backtick_names(client: Sequence[str], database: str) -> list[str]:
    """Names of the tables, views, triggers, routines and events of ``database`` that
    hold a backtick, which mydumper 0.10 (Debian 12's) cannot dump.

    It writes such a name between backticks without doubling the one inside: a table's
    or a view's dump stops with "You have an error in your SQL syntax", a routine's
    crashes mydumper (a segmentation fault), both seen in the lab; a quote or a backslash
    in a name it handles.
    """
    db = quote_string(database)
    sql = " UNION ALL ".join(
        f"SELECT HEX({name}) FROM information_schema.{view} "  # noqa: S608
        f"WHERE {schema}={db} AND INSTR({name}, '`') > 0"
        for name, view, schema in (("TABLE_NAME", "TABLES", "TABLE_SCHEMA"),
                                   ("TRIGGER_NAME", "TRIGGERS", "TRIGGER_SCHEMA"),
                                   ("ROUTINE_NAME", "ROUTINES", "ROUTINE_SCHEMA"),
                                   ("EVENT_NAME", "EVENTS", "EVENT_SCHEMA")))
    rows = run_sql(client, sql + ";\n", timeout=300)
    # a trigger or routine named as its table is named once
    return list(dict.fromkeys(unhex(row[0]) for row in rows))


def invisible_columns(client: Sequence[str], database: str) -> list[str]:
    """``table.column`` of the INVISIBLE columns of ``database``'s tables, whose values
    mydumper 0.10 (Debian 12's) loses: it dumps each table with ``SELECT *``, which leaves
    them out, and writes its INSERTs without them (seen in the lab: the restored column
    was empty and the content checksum failed the verification of every backup)."""
    sql = ("SELECT HEX(TABLE_NAME), HEX(COLUMN_NAME) FROM information_schema.COLUMNS "  # noqa: S608
           f"WHERE TABLE_SCHEMA={quote_string(database)} AND EXTRA LIKE '%INVISIBLE%' "
           "ORDER BY TABLE_NAME, ORDINAL_POSITION;\n")
    return [".".join(unhex(cell) for cell in row[:2]) for row in run_sql(client, sql, timeout=300)]


# Types MariaDB reads from a binary string as their binary form: mydumper 0.10 writes
# their text after SET NAMES binary, which the restore refuses or loads as NULL.
BINARY_READ_TYPES = ("inet4", "inet6", "uuid")


def binary_read_columns(client: Sequence[str], database: str) -> list[str]:
    """``table.column (type)`` of ``database``'s columns of BINARY_READ_TYPES, whose
    values mydumper 0.10 (Debian 12's) loses: it writes them as text ('::ffff:10.0.0.1')
    under ``SET NAMES binary``, where MariaDB takes a string for such a column as its
    16 bytes (seen in the lab: "Incorrect inet6 value", myloader loaded NULL, and the
    content checksum failed the verification of every backup)."""
    types = ", ".join(quote_string(name) for name in BINARY_READ_TYPES)
    sql = ("SELECT HEX(TABLE_NAME), HEX(COLUMN_NAME), LOWER(DATA_TYPE) "  # noqa: S608
           "FROM information_schema.COLUMNS "
           f"WHERE TABLE_SCHEMA={quote_string(database)} AND LOWER(DATA_TYPE) IN ({types}) "
           "ORDER BY TABLE_NAME, ORDINAL_POSITION;\n")
    return [f"{unhex(row[0])}.{unhex(row[1])} ({row[2]})"
            for row in run_sql(client, sql, timeout=300)]


# The SQL mode MariaDB (10.2.4 and later) runs in unless told otherwise: what a restore
# on a fresh server, and the backup computer's verification, create objects under.
DEFAULT_SQL_MODE = ("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,"
                    "NO_ENGINE_SUBSTITUTION")


def own_sql_mode_objects(client: Sequence[str], database: str) -> list[str]:
    """``name (kind)`` of ``database``'s triggers, routines and events created under an
    SQL mode other than DEFAULT_SQL_MODE (a SIPP server run with ``sql_mode=''`` for its
    old PHP): mariadb-dump writes each one's mode before it, mydumper 0.10 none, so its
    restore made them under the restoring server's and the verification failed
    ("trigger:t_bi: definition differs", seen in the lab)."""
    db, mode = quote_string(database), quote_string(DEFAULT_SQL_MODE)
    sql = ("SELECT HEX(TRIGGER_NAME), 'trigger' FROM information_schema.TRIGGERS "  # noqa: S608
           f"WHERE TRIGGER_SCHEMA={db} AND SQL_MODE <> {mode} "
           "UNION ALL SELECT HEX(ROUTINE_NAME), LOWER(ROUTINE_TYPE) FROM "
           f"information_schema.ROUTINES WHERE ROUTINE_SCHEMA={db} AND SQL_MODE <> {mode} "
           "UNION ALL SELECT HEX(EVENT_NAME), 'event' FROM information_schema.EVENTS "
           f"WHERE EVENT_SCHEMA={db} AND SQL_MODE <> {mode} ORDER BY 2, 1;\n")
    return [f"{unhex(row[0])} ({row[1]})" for row in run_sql(client, sql, timeout=300)]


def _shown(names: Sequence[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def database_name_problem(name: str) -> str:
    """Why ``name`` cannot be the database a dump and its client name, or ''.

    Longer than MariaDB's limit the server refuses it with a message about the login; a
    leading '-' makes the command lines (the name is their last argument) read it as an
    option; a control character (a trailing newline from a YAML block scalar) or a space
    at its end names no database MariaDB has (it refuses names ending in a space) and was
    refused only by the server, after the activity's other work."""
    if not name:
        return "the database name is empty"
    if not name.isprintable() or name != name.rstrip():
        return (f"the database name {name!r} holds a control character or ends in a space, "
                "which no MariaDB database name does")
    if len(name) > MAX_DATABASE_CHARS:
        return (f"the database name is {len(name)} characters long, longer than MariaDB's "
                f"limit of {MAX_DATABASE_CHARS}")
    if name.startswith("-"):
        return (f"the database name {name} starts with '-', which the dump and the client "
                "would read as an option")
    return ""


def password_shown_masked(password: str | None, named: Mapping[str, str | None]) -> str:
    """Why ``password`` would garble a module's result, or ''.

    Ansible replaces a no_log value wherever it appears in a module's result, so a password
    that is part of the database name or the backup directory turns the returned paths into
    ``/var/backups/********/...``, which the next task cannot find. ``named`` maps what a
    value is ("database name") to the value."""
    if not password:
        return ""
    parts = [what for what, value in named.items() if value and password in value]
    if not parts:
        return ""
    return (f"the login password is part of the {' and the '.join(parts)}: Ansible hides a "
            "password wherever it appears in a result, so the backup's names and paths would "
            "read '********'; use a password that is not part of them")


def why_not_mydumper(tables: Sequence[Mapping[str, Any]], backticked: Sequence[str] = (),
                     database: str = "", *, invisible: Sequence[str] = (),
                     binary_read: Sequence[str] = (), own_mode: Sequence[str] = ()) -> str:
    """Why mydumper must not dump this database, or '': tables not in InnoDB, names with
    a backtick (``backtick_names``), INVISIBLE columns (``invisible_columns``), columns
    of INET6 or UUID (``binary_read_columns``), objects made under their own SQL mode
    (``own_sql_mode_objects``), a
    database name with a backtick (mydumper 0.10 writes
    it between backticks as it is) or a '/' (0.10 names its files ``<database>.<table>
    -schema.sql`` in its output directory: they cannot be written, and '../' would write
    them outside it)."""
    reasons = []
    if "`" in database:
        reasons.append("a backtick in the database name (mydumper 0.10 does not quote it "
                       "and fails)")
    if "/" in database:
        reasons.append("a '/' in the database name (mydumper 0.10 names its files after it, "
                       "which then cannot be written or land outside its directory)")
    names = not_for_mydumper(tables)
    if names:
        reasons.append(f"not InnoDB: {_shown(names)} (mydumper 0.10 can hang holding its "
                       "global read lock on such tables, every write waiting; 0.20 and later "
                       "stop at them)")
    if backticked:
        reasons.append(f"a backtick in a name: {_shown(backticked)} (mydumper 0.10 does not "
                       "quote it and fails)")
    if invisible:
        reasons.append(f"invisible columns: {_shown(invisible)} (mydumper 0.10 leaves them "
                       "out of the dump: their values would be lost)")
    if binary_read:
        reasons.append(f"columns of a type read from binary: {_shown(binary_read)} (mydumper "
                       "0.10 writes their text under SET NAMES binary: their values would be "
                       "lost)")
    if own_mode:
        reasons.append(f"made under an SQL mode of their own: {_shown(own_mode)} (mydumper "
                       "0.10 does not keep it: they would be restored under the restoring "
                       "server's)")
    return "; ".join(reasons)


def mydumper_refusal(why_not: str) -> str:
    """The one-line error for engine mydumper asked for where why_not_mydumper says no."""
    return f"engine mydumper refused: {why_not}; use engine auto or mariadb-dump"


def no_tables_refusal(database: str) -> str:
    """The one-line error for a database without tables, in mariadb_backup and its
    preflight: a wrong database name (or one emptied) would give an empty backup that
    restores to nothing, taken every day as if all were well."""
    return (f"database {database} has no tables: nothing to back up (is it the right database, "
            "and may the backup account see its tables?)")


def client_argv(binary: str, defaults_file: str, database: str | None = None) -> list[str]:
    """argv of a batch-mode client reading SQL on stdin (tab-separated, no headers).

    ``--batch`` without ``--raw``: tab, newline, backslash and NUL inside values arrive
    escaped, so ``parse_batch`` can split rows and columns safely. ``--local-infile=0``:
    the client never sends a local file with LOAD DATA LOCAL, whatever a statement asks
    (its default sends one; Debian 12's client already ignores a request its own
    statement did not make, which older clients may not). ``--connect-timeout``: a
    server that does not complete the connection within CONNECT_TIMEOUT is an error.
    """
    argv = [binary, "--defaults-extra-file=" + defaults_file, "--batch", "--skip-column-names",
            "--unbuffered", "--default-character-set=utf8mb4", "--local-infile=0",
            f"--connect-timeout={CONNECT_TIMEOUT}"]
    if database:
        argv.append(database)
    return argv


def dump_argv(engine: str, binary: str, defaults_file: str, database: str, *,
              outdir: str | None = None, threads: int = 2) -> list[str]:
    """argv of the dump: a consistent snapshot with routines, triggers, events, hex blobs."""
    if engine in ("mariadb-dump", "mysqldump"):
        # No --databases: the dump carries no CREATE DATABASE/USE, so it restores into
        # any (scratch) database name. --max-allowed-packet: the protocol's largest, as the
        # restore's client: with the default, a 20 MB document row stopped the dump ("Lost
        # connection to server during query", seen in the lab).
        return [binary, "--defaults-extra-file=" + defaults_file, "--single-transaction",
                "--quick", "--routines", "--triggers", "--events", "--hex-blob",
                "--default-character-set=utf8mb4", f"--max-allowed-packet={MAX_PACKET}",
                database]
    if engine == "mydumper":
        if not outdir:
            raise MariaDBError("mydumper needs an output directory")
        # No locking option (0.20 and later refuse --trx-consistency-only); run only on
        # InnoDB tables (not_for_mydumper), where every release's default is consistent
        # and releases its global read lock once its threads have their snapshots.
        return [binary, "--defaults-file=" + defaults_file, "--database", database,
                "--outputdir", outdir, "--threads", str(max(1, threads)),
                "--routines", "--triggers", "--events", "--verbose", "2"]
    raise MariaDBError(f"unknown engine {engine!r}")


def compress_argv(compression: str, level: int | None = None, threads: int = 0) -> list[str]:
    """argv of the stream compressor (stdin to stdout)."""
    if compression == "zstd":
        return ["zstd", "-q", "-c", f"-{level or 3}", f"-T{threads}"]
    if compression == "gzip":
        return ["gzip", "-c", f"-{level or 6}"]
    raise MariaDBError(f"unknown compression {compression!r} (choose zstd or gzip)")


def decompress_argv(path: str) -> list[str]:
    """argv that writes the decompressed content of a backup file to stdout."""
    if path.endswith(".zst"):
        return ["zstd", "-q", "-d", "-c", path]
    if path.endswith(".gz"):
        return ["gzip", "-d", "-c", path]
    raise MariaDBError(f"unknown compression of {path} (expected .zst or .gz)")


def estimate_dump_bytes(data_bytes: int, compression: str, engine: str) -> int:
    """Bytes a backup needs at the target: the compressed file, plus for mydumper its
    uncompressed directory (mydumper 0.10 cannot stream)."""
    compressed = int(data_bytes * COMPRESSION_RATIO.get(compression, 0.5))
    if engine == "mydumper":
        return compressed + int(data_bytes)
    return compressed


def quote_identifier(name: str) -> str:
    """Backquote a table/database/column name for SQL (any sql_mode but ANSI_QUOTES-only)."""
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str) -> str:
    """A utf8mb4 string literal of ``value``, written in hexadecimal.

    ``_utf8mb4 X'...'`` holds any character (quotes, backslashes, NUL, newlines) and
    means the same with or without ``NO_BACKSLASH_ESCAPES``; it compares with the
    column's collation like a quoted literal.
    """
    return "_utf8mb4 X'" + value.encode("utf-8").hex() + "'"


def run_sql(argv: Sequence[str], sql: str, timeout: float | None = None) -> list[list[str | None]]:
    """Run SQL (fed on stdin) through the batch client of ``client_argv``; return its rows.

    Raises MariaDBError with one line: the client's ERROR line, a timeout, or why the
    client could not start.
    """
    try:
        proc = subprocess.run(list(argv), input=sql.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MariaDBError(f"database did not answer within {timeout:g} s") from exc
    except OSError as exc:
        raise MariaDBError(f"cannot run {argv[0]}: {exc.strerror}") from exc
    if proc.returncode != 0:
        raise MariaDBError(first_error_line(proc.stderr) or f"client exited {proc.returncode}")
    return parse_batch(proc.stdout.decode("utf-8", "replace"))


_UNESCAPE = {"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}


def batch_value(cell: str) -> str | None:
    """One value of ``--batch`` output: ``NULL`` is None, escapes are decoded.

    The client prints SQL NULL and the string ``'NULL'`` alike; select text that may
    be either through ``nullable_text`` and read it with ``text_value``.
    """
    if cell == "NULL":
        return None
    if "\\" not in cell:
        return cell
    out = []
    chars = iter(cell)
    for char in chars:
        if char == "\\":
            following = next(chars, "\\")
            out.append(_UNESCAPE.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def parse_batch(output: str) -> list[list[str | None]]:
    """Rows of ``--batch --skip-column-names`` output (see ``batch_value``).

    Every line is a row, an empty one too (one empty string); rows end at newlines only
    (a carriage return inside a value is not escaped).
    """
    lines = output.split("\n")
    if lines[-1] == "":
        lines.pop()  # what follows the last row's newline
    return [[batch_value(cell) for cell in line.split("\t")] for line in lines]


def nullable_text(expression: str) -> str:
    """SQL selecting a text expression so that NULL and the string 'NULL' stay apart."""
    return f"CONCAT('=', {expression})"


def text_value(cell: str | None) -> str | None:
    """The value selected by ``nullable_text``."""
    return None if cell is None else cell[1:]


# Summaries that say a command failed without saying why (tar's last line).
_SUMMARY_LINES = ("Exiting with failure status due to previous errors",)


def first_error_line(stderr: bytes) -> str:
    """The first meaningful line of a client's stderr (ERROR lines first); a connection
    the server never completed and a damaged table say what that means."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines()
             if ln.strip() and not any(summary in ln for summary in _SUMMARY_LINES)]
    line = next((ln for ln in lines if "ERROR" in ln or "error" in ln.lower()),
                lines[0] if lines else "")
    if _HANDSHAKE_TIMEOUT.search(line):
        return f"{line} (the server did not complete the connection: hung or overloaded?)"
    if _DAMAGED_TABLE.search(line):
        return f"{line} ({DAMAGED_TABLE_HINT})"
    return line


@dataclass(frozen=True)
class Connection:
    """How to reach a database with the mariadb/mysql command-line client."""

    binary: str
    database: str
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    socket: str | None = None
    timeout: int = 300


def connection_from_params(params: Mapping[str, Any], binary: str) -> Connection:
    """A Connection from a module's LOGIN_ARGUMENT_SPEC, ``database`` and ``query_timeout``."""
    return Connection(
        binary=binary,
        database=params["database"],
        user=params.get("login_user"),
        password=params.get("login_password"),
        host=params.get("login_host"),
        port=params.get("login_port"),
        socket=params.get("login_unix_socket"),
        timeout=params.get("query_timeout") or 300,
    )


def query(conn: Connection, sql: str) -> list[list[str | None]]:
    """``run_sql`` on ``conn``'s database with a private option file."""
    with option_file(conn.user, conn.password, host=conn.host, port=conn.port,
                     socket=conn.socket) as path:
        return run_sql(client_argv(conn.binary, path, conn.database), sql, conn.timeout)


def table_columns(conn: Connection, table: str) -> dict[str, tuple[str, str]]:
    """Columns of a table as {lower name: (real name, data type)}; empty if missing."""
    sql = (
        "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "  # noqa: S608
        f"WHERE TABLE_SCHEMA = {quote_string(conn.database)} "
        f"AND TABLE_NAME = {quote_string(table)} ORDER BY ORDINAL_POSITION;"
    )
    return {
        row[0].lower(): (row[0], (row[1] or "").lower())
        for row in query(conn, sql)
        if row[0] is not None and len(row) > 1
    }


def indexed_columns(conn: Connection, table: str) -> set[str]:
    """Lower-case names of the columns that lead an index of the table."""
    sql = (
        "SELECT COLUMN_NAME FROM information_schema.STATISTICS "  # noqa: S608
        f"WHERE TABLE_SCHEMA = {quote_string(conn.database)} "
        f"AND TABLE_NAME = {quote_string(table)} AND SEQ_IN_INDEX = 1;"
    )
    return {row[0].lower() for row in query(conn, sql) if row[0] is not None}


# The TABLE_TYPEs of information_schema.TABLES that hold data a dump takes: MariaDB
# names a system-versioned table and a sequence apart from a base table (each is dumped,
# its rows counted and checksummed like one); views are dumped as definitions.
DATA_TABLE_TYPES = "TABLE_TYPE IN ('BASE TABLE','SYSTEM VERSIONED','SEQUENCE')"


def table_listing_sql(database: str) -> str:
    """SQL returning ``name, engine, data_length+index_length`` of the tables holding
    data (DATA_TABLE_TYPES)."""
    # Identifiers and literals are quoted by quote_identifier/quote_string.
    return ("SELECT TABLE_NAME, IFNULL(ENGINE,''), IFNULL(DATA_LENGTH,0)+IFNULL(INDEX_LENGTH,0) "  # noqa: S608
            f"FROM information_schema.TABLES WHERE TABLE_SCHEMA={quote_string(database)} "
            f"AND {DATA_TABLE_TYPES} "
            "ORDER BY TABLE_NAME;\n")


def ping_failure(rc: int, lines: list[str]) -> str | None:
    """Why mariadb-admin ping got no answer, in one line (``lines``: its output, masked),
    or None when the server answered. Its 'error: '...'' line names why (after the
    'connect to server at 'localhost' failed' header, before the 'Check that mariadbd is
    running' hint); a tool failing without one, the first line it wrote. The exit status
    alone does not say: a client error (no socket, the connection lost) exits 1, while
    one the server sent ends the ping with 0 as the server answered: Access denied or an
    expired password (refusing this login; not a cause), or Too many connections
    (refusing every login: a cause)."""
    found = next((m.group(1) for m in map(PING_ERROR.search, lines) if m), None)
    if rc == 0 and (found is None or CREDENTIALS_REFUSED.search(found)):
        return None
    return (found or next(iter(lines), f"kode keluar {rc}"))[:MAX_PING_LINE]
