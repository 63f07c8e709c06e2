# GPL-3.0-or-later
"""MariaDB/MySQL command-line helpers shared by the SIPP backup modules.

Stdlib only (runs on the managed host, Python 3.9+). Credentials never reach argv:
they go into a private 0600 option file passed with ``--defaults-extra-file``
(``--defaults-file`` for mydumper/myloader 0.10, which lack the extra-file option).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

ENGINES = ("auto", "mariadb-dump", "mysqldump", "mydumper")
COMPRESSIONS = ("zstd", "gzip")
# Binaries tried, in order, for each role.
CLIENT_BINARIES = ("mariadb", "mysql")
DUMP_BINARIES = ("mariadb-dump", "mysqldump")
# Typical compressed/raw ratios of a SQL dump of case-tracking data (text-heavy rows),
# with headroom: the pre-flight check multiplies the estimate by a margin on top.
COMPRESSION_RATIO = {"zstd": 0.35, "gzip": 0.40}

# Login options of every module that talks to MariaDB (documented by the
# mariadb_login doc fragment in plugins/doc_fragments/).
LOGIN_ARGUMENT_SPEC = {
    "login_user": {"type": "str"},
    "login_password": {"type": "str", "no_log": True},
    "login_host": {"type": "str"},
    "login_port": {"type": "int"},
    "login_unix_socket": {"type": "str"},
}


class MariaDBError(Exception):
    """A client command failed; the message is one clear line, without secrets."""


def quote_option_value(value: str) -> str:
    """Quote a value for a MariaDB/MySQL option file.

    Inside double quotes the client library honours backslash escapes, so backslashes
    and double quotes are escaped; newlines cannot be represented and are refused.
    """
    if "\n" in value or "\r" in value:
        raise ValueError("option values cannot contain line breaks")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def option_file_text(
    user: str | None,
    password: str | None,
    *,
    host: str | None = None,
    port: int | None = None,
    socket: str | None = None,
    group: str = "client",
) -> str:
    """Return the text of a ``[client]`` option file (no secret ever lands in argv)."""
    lines = [f"[{group}]"]
    if user:
        lines.append(f"user={quote_option_value(user)}")
    if password:
        lines.append(f"password={quote_option_value(password)}")
    if host:
        lines.append(f"host={quote_option_value(host)}")
    if port:
        lines.append(f"port={int(port)}")
    if socket:
        lines.append(f"socket={quote_option_value(socket)}")
    return "\n".join(lines) + "\n"


@contextmanager
def option_file(
    user: str | None,
    password: str | None,
    *,
    host: str | None = None,
    port: int | None = None,
    socket: str | None = None,
    tmpdir: str | None = None,
) -> Iterator[str]:
    """Write a temporary 0600 option file in a private 0700 directory; remove it after."""
    directory = tempfile.mkdtemp(prefix="sop-mariadb-", dir=tmpdir)
    try:
        os.chmod(directory, 0o700)
        path = os.path.join(directory, "client.cnf")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(option_file_text(user, password, host=host, port=port, socket=socket))
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


def select_engine(requested: str, available: dict[str, str | None]) -> tuple[str, str]:
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


def client_argv(binary: str, defaults_file: str, database: str | None = None) -> list[str]:
    """argv of a batch-mode client reading SQL on stdin (tab-separated, no headers)."""
    argv = [binary, "--defaults-extra-file=" + defaults_file, "--batch", "--skip-column-names",
            "--unbuffered", "--default-character-set=utf8mb4"]
    if database:
        argv.append(database)
    return argv


def dump_argv(engine: str, binary: str, defaults_file: str, database: str, *,
              outdir: str | None = None, threads: int = 2) -> list[str]:
    """argv of the dump: a consistent snapshot with routines, triggers, events, hex blobs."""
    if engine in ("mariadb-dump", "mysqldump"):
        # No --databases: the dump carries no CREATE DATABASE/USE, so it restores into
        # any (scratch) database name.
        return [binary, "--defaults-extra-file=" + defaults_file, "--single-transaction",
                "--quick", "--routines", "--triggers", "--events", "--hex-blob",
                "--default-character-set=utf8mb4", database]
    if engine == "mydumper":
        if not outdir:
            raise MariaDBError("mydumper needs an output directory")
        return [binary, "--defaults-file=" + defaults_file, "--database", database,
                "--outputdir", outdir, "--threads", str(max(1, threads)),
                "--trx-consistency-only", "--routines", "--triggers", "--events",
                "--verbose", "2"]
    raise MariaDBError(f"unknown engine {engine!r}")


def restore_argv(binary: str, defaults_file: str, database: str) -> list[str]:
    """argv of a client loading a SQL dump from stdin into ``database``."""
    return [binary, "--defaults-extra-file=" + defaults_file, "--batch",
            "--max-allowed-packet=1073741824", "--default-character-set=utf8mb4", database]


def myloader_argv(binary: str, defaults_file: str, database: str, directory: str,
                  threads: int = 2) -> list[str]:
    """argv of myloader restoring a mydumper directory into ``database``."""
    return [binary, "--defaults-file=" + defaults_file, "--directory", directory,
            "--database", database, "--overwrite-tables", "--threads", str(max(1, threads)),
            "--verbose", "2"]


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
    """Backquote a table/database name for SQL."""
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str) -> str:
    """Single-quote a string literal for SQL (backslash, quote and NUL escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0") + "'"


def run_sql(argv: Sequence[str], sql: str, timeout: float | None = None) -> list[list[str]]:
    """Run SQL through the batch client; return rows (lists of columns)."""
    try:
        proc = subprocess.run(list(argv), input=sql.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MariaDBError(f"database did not answer within {timeout} s") from exc
    if proc.returncode != 0:
        raise MariaDBError(first_error_line(proc.stderr) or f"client exited {proc.returncode}")
    return parse_batch(proc.stdout.decode("utf-8", "replace"))


def parse_batch(output: str) -> list[list[str]]:
    """Parse ``--batch --skip-column-names`` output into rows."""
    return [line.split("\t") for line in output.splitlines() if line != ""]


def first_error_line(stderr: bytes) -> str:
    """The first meaningful line of a client's stderr (ERROR lines first)."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for line in lines:
        if "ERROR" in line or "error" in line.lower():
            return line
    return lines[0] if lines else ""


def table_listing_sql(database: str) -> str:
    """SQL returning ``name, engine, data_length+index_length`` of the base tables."""
    # Identifiers and literals are quoted by quote_identifier/quote_string.
    return ("SELECT TABLE_NAME, IFNULL(ENGINE,''), IFNULL(DATA_LENGTH,0)+IFNULL(INDEX_LENGTH,0) "  # noqa: S608
            f"FROM information_schema.TABLES WHERE TABLE_SCHEMA={quote_string(database)} "
            "AND TABLE_TYPE='BASE TABLE' "
            "ORDER BY TABLE_NAME;\n")


def count_sql(tables: Sequence[str]) -> str:
    """COUNT(*) of each table, one ``name<TAB>count`` row per table."""
    return "".join(f"SELECT {quote_string(t)}, COUNT(*) FROM {quote_identifier(t)};\n"  # noqa: S608
                   for t in tables)


SNAPSHOT_MARKER = "__sop_snapshot_open__"


class SnapshotCounter:
    """Exact per-table COUNT(*) inside one consistent InnoDB snapshot.

    ``open()`` starts ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` and returns once
    the snapshot exists; ``count()`` then sends the COUNT(*) queries (they run in the
    background, reading that snapshot) and ``result()`` waits for them.
    """

    def __init__(self, argv: Sequence[str], tables: Sequence[str]) -> None:
        self.argv = list(argv)
        self.tables = list(tables)
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._threads: list[threading.Thread] = []

    def open(self) -> None:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
                               "START TRANSACTION WITH CONSISTENT SNAPSHOT;\n"
                               f"SELECT '{SNAPSHOT_MARKER}';\n").encode())
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().decode("utf-8", "replace").strip()
        if line != SNAPSHOT_MARKER:
            err = self.proc.stderr.read() if self.proc.stderr else b""
            self.proc.wait()
            raise MariaDBError(first_error_line(err) or "could not open a consistent snapshot")
        self._threads = [_drain(self.proc.stdout, self._out), _drain(self.proc.stderr, self._err)]

    def count(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write((count_sql(self.tables) + "COMMIT;\n").encode("utf-8"))
        self.proc.stdin.close()

    def result(self) -> dict[str, int]:
        assert self.proc is not None
        self.proc.wait()
        for thread in self._threads:
            thread.join()
        if self.proc.returncode != 0:
            raise MariaDBError(first_error_line(b"".join(self._err)) or "row count failed")
        rows = parse_batch(b"".join(self._out).decode("utf-8", "replace"))
        return {row[0]: int(row[1]) for row in rows if len(row) == 2}

    def abort(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


LOCK_MARKER = "__sop_read_lock__"


class GlobalReadLock:
    """``FLUSH TABLES WITH READ LOCK`` held by a client session until ``release()``.

    Held for the moment it takes the dump to open its snapshot, so that a snapshot of
    ours opened meanwhile sees exactly the dump's data. Needs RELOAD; waits at most
    ``timeout`` seconds for running statements (then the caller falls back).
    """

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = list(argv)
        self.proc: subprocess.Popen[bytes] | None = None
        self.held = False
        self.error = ""

    def acquire(self, timeout: int) -> bool:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((f"SET SESSION lock_wait_timeout={int(timeout)};\n"
                               "FLUSH TABLES WITH READ LOCK;\n"
                               f"SELECT '{LOCK_MARKER}';\n").encode())
        self.proc.stdin.flush()
        self.held = self.proc.stdout.readline().decode("utf-8", "replace").strip() == LOCK_MARKER
        if not self.held:
            err = self.proc.stderr.read() if self.proc.stderr else b""
            self.proc.wait()
            self.error = first_error_line(err) or "FLUSH TABLES WITH READ LOCK failed"
        return self.held

    def release(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(b"UNLOCK TABLES;\n")
                self.proc.stdin.close()
            except OSError:
                self.proc.kill()
            self.proc.wait()
        self.held = False

    def abort(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.held = False


def _drain(stream: IO[bytes] | None, sink: list[bytes]) -> threading.Thread:
    def run() -> None:
        if stream is not None:
            for chunk in iter(lambda: stream.read(65536), b""):
                sink.append(chunk)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def merge_counts(before: dict[str, int], after: dict[str, int]) -> dict[str, dict[str, object]]:
    """Per-table row counts for the manifest from the snapshots bracketing the dump.

    ``rows`` is exact when both snapshots agree (the table did not change while the dump
    took its own snapshot); otherwise ``rows`` is None and the dump's count lies in
    ``[rows_min, rows_max]``.
    """
    tables: dict[str, dict[str, object]] = {}
    for name in sorted(set(before) | set(after)):
        low, high = before.get(name), after.get(name)
        if low is not None and low == high:
            tables[name] = {"rows": low}
        else:
            values = [v for v in (low, high) if v is not None]
            tables[name] = {"rows": None, "rows_min": min(values) if values else 0,
                            "rows_max": max(values) if values else 0}
    return tables


def rows_match(expected: dict[str, object], actual: int) -> bool:
    """Whether a restored table's row count agrees with its manifest entry."""
    rows = expected.get("rows")
    if isinstance(rows, int):
        return actual == rows
    low, high = expected.get("rows_min"), expected.get("rows_max")
    return isinstance(low, int) and isinstance(high, int) and low <= actual <= high
