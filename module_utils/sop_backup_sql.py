# GPL-3.0-or-later
"""Backup-specific SQL: what a dump contains, measured so that a restore can be compared.

Stdlib only (runs on the managed host). Used on the SIPP server inside the dump's own
snapshot, and on the backup computer against the restored scratch database, with the
same statements, so that both sides compute the same values:

- per base table: ``COUNT(*)``, a content checksum and a structure hash. The checksum is
  the ``SUM`` of ``CRC32`` over every row (one hash per row) (the bytes of all columns as
  binary strings, joined with 0x1F, plus a NULL-flag string), in session time zone
  +00:00: order- and engine-independent (``CHECKSUM TABLE`` depends on the row format),
  one table scan. Only the columns whose bytes would otherwise change are cast to binary
  (see ``column_exprs``): casting every column doubled the cost of checksumming a table
  whose rows are in memory. A row whose BLOB, TEXT and geometry values are longer than
  ``LARGE_ROW`` goes in with an MD5 of each such value instead (see ``row_expr``).
- views, triggers, routines and events: an MD5 of the definition (the definer left out,
  the database's own name normalised), so that a restore under another name and
  another definer compares equal.

Names travel as hex (a tab or newline in a name cannot break the batch output).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import IO, Any, NamedTuple

from ansible.module_utils.sop_mariadb import (
    DATA_TABLE_TYPES,
    MariaDBError,
    first_error_line,
    quote_identifier,
    quote_string,
    run_sql,
    unhex,
)

CHECKSUM_METHOD = ("crc32-v3: COUNT(*) and SUM of CRC32 over each row's columns cast to "
                   "binary and joined with 0x1F plus NULL flags (time zone +00:00), the "
                   "BLOB/TEXT values of a row holding more than 512 KiB of them as MD5s")
NON_TRANSACTIONAL_ENGINES = ("MyISAM", "Aria", "MEMORY", "CSV", "ARCHIVE", "MRG_MyISAM")
_MARKER = "__sop_backup_phase__"
_SESSION_SETUP = ("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
                  "SET SESSION time_zone='+00:00';\n")


def tables_sql(database: str) -> str:
    """``hex(name), engine, bytes`` of every table holding data (DATA_TABLE_TYPES: a
    system-versioned table and a sequence too, measured and verified like the others)."""
    return ("SELECT HEX(TABLE_NAME), IFNULL(ENGINE,''), "  # noqa: S608
            "IFNULL(DATA_LENGTH,0)+IFNULL(INDEX_LENGTH,0) FROM information_schema.TABLES "
            f"WHERE TABLE_SCHEMA={quote_string(database)} AND {DATA_TABLE_TYPES} "
            "ORDER BY TABLE_NAME;\n")


class Column(NamedTuple):
    name: str
    type: str
    charset: str
    collation: str


# Types MariaDB turns into the same ASCII text in a string context whether or not they are
# cast to binary first, and character sets in which that text (and 0x1F) keeps its bytes.
PLAIN_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "bigint", "decimal",
                         "date", "datetime", "timestamp", "time", "year"})
TEXT_TYPES = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext",
                        "enum", "set"})
ASCII_CHARSETS = frozenset({"utf8mb4", "utf8mb3", "utf8", "latin1", "ascii"})
# Types one value of which may be longer than all of a row's other columns together (those
# share 64 KiB): BLOB and TEXT (JSON is LONGTEXT), to 4 GiB, and geometry of many points.
LARGE_TYPES = frozenset({"blob", "mediumblob", "longblob", "text", "mediumtext", "longtext",
                         "geometry", "linestring", "polygon", "multipoint",
                         "multilinestring", "multipolygon", "geometrycollection"})
# Bytes of a row's LARGE_TYPES values above which each goes into its row's string as its
# MD5 (row_expr): a row's string stays below 1 MiB, the smallest max_allowed_packet in use.
LARGE_ROW = 512 * 1024


def column_exprs(columns: Sequence[Column]) -> list[str]:
    """The columns as they go into the row's string: the bytes ``CAST(... AS BINARY)``
    gives, without the cast where MariaDB converts nothing.

    ``CONCAT_WS`` takes the collation of its text arguments: where all of a table's text
    columns share one collation of an ASCII-compatible character set, that text keeps its
    bytes and numbers and dates become the same ASCII as through the cast. Everything
    else (floats, BIT, binary strings, INET6, geometry, mixed collations, wide character
    sets) is cast.
    """
    text = {(c.charset, c.collation) for c in columns if c.type in TEXT_TYPES}
    plain_text = len(text) == 1 and next(iter(text))[0] in ASCII_CHARSETS
    plain = PLAIN_TYPES | (TEXT_TYPES if plain_text else frozenset())
    return [quote_identifier(c.name) if c.type in plain
            else f"CAST({quote_identifier(c.name)} AS BINARY)" for c in columns]


def columns_sql(database: str) -> str:
    """``hex(table), hex(column), data type, character set, collation`` in ordinal order."""
    return ("SELECT HEX(TABLE_NAME), HEX(COLUMN_NAME), LOWER(DATA_TYPE), "  # noqa: S608
            "IFNULL(LOWER(CHARACTER_SET_NAME),''), IFNULL(LOWER(COLLATION_NAME),'') "
            "FROM information_schema.COLUMNS "
            f"WHERE TABLE_SCHEMA={quote_string(database)} "
            "ORDER BY TABLE_NAME, ORDINAL_POSITION;\n")


def broken_views(client: Sequence[str], database: str) -> dict[str, str]:
    """Views that do not open for the dump account, each with the server's cause:
    information_schema lists no column of them. They name a table, column or function
    that is gone, or their definer lacks rights, or the dump account does: a view calling
    a stored function opens for SELECT with its definer's rights, but listing its columns
    (SHOW FIELDS, what mariadb-dump runs) asks the dump account's EXECUTE on the function
    (seen in the lab). A dump cannot take one (mariadb-dump stops at it, mydumper leaves
    it out with a warning): the backup leaves them out and says why."""
    db = quote_string(database)
    rows = run_sql(client, "SELECT HEX(v.TABLE_NAME) FROM information_schema.VIEWS v "  # noqa: S608
                           f"WHERE v.TABLE_SCHEMA={db} AND NOT EXISTS (SELECT 1 FROM "
                           "information_schema.COLUMNS c WHERE c.TABLE_SCHEMA=v.TABLE_SCHEMA "
                           "AND c.TABLE_NAME=v.TABLE_NAME) ORDER BY v.TABLE_NAME;\n",
                   timeout=300)
    causes = {}
    for name in (unhex(row[0]) for row in rows):
        try:  # opens now (repaired meanwhile): not left out
            run_sql(client, f"SHOW FIELDS FROM {quote_identifier(database)}."
                            f"{quote_identifier(name)};\n", timeout=60)
        except MariaDBError as exc:
            causes[name] = _CLIENT_ERROR.sub("", str(exc))
    return causes


# "ERROR 1370 (42000) at line 1: " before the server's words
_CLIENT_ERROR = re.compile(r"^ERROR \d+ \(\w+\)(?: at line \d+)?: ")


def broken_views_note(causes: dict[str, str], names: Sequence[str]) -> str:
    """The warning naming the views left out (``names``), with their causes where known
    (a backup of the period made before, its manifest naming only the views), and what
    to do."""
    listed = ", ".join(f"{name} ({causes[name]})" if name in causes else name
                       for name in names)
    denied = [name for name in names if "command denied" in causes.get(name, "")]
    todo = [] if len(denied) == len(names) else ["repair or drop a view whose table, column "
                                                 "or function is gone"]
    if denied:
        todo.insert(0, "grant the dump account what it is denied (a function a view calls: "
                       "GRANT EXECUTE ON FUNCTION)")
    return f"views left out, the dump account cannot open them: {listed}; {'; '.join(todo)}"


def list_tables(client: Sequence[str], database: str) -> list[dict[str, Any]]:
    """Base tables with engine, size and columns (name, type, character set, collation)."""
    return tables_from_rows(run_sql(client, columns_sql(database), timeout=300),
                            run_sql(client, tables_sql(database), timeout=300))


def tables_from_rows(column_rows: Sequence[Sequence[str | None]],
                     table_rows: Sequence[Sequence[str | None]]) -> list[dict[str, Any]]:
    """``list_tables`` from the rows of ``columns_sql`` and ``tables_sql``."""
    columns: dict[str, list[Column]] = {}
    for row in column_rows:
        columns.setdefault(unhex(row[0]), []).append(
            Column(unhex(row[1]), row[2] or "", row[3] or "", row[4] or ""))
    return [{"name": unhex(row[0]), "engine": row[1], "bytes": int(row[2] or 0),
             "columns": columns.get(unhex(row[0]), [])} for row in table_rows]


def is_transactional(engine: str) -> bool:
    return engine not in NON_TRANSACTIONAL_ENGINES


def rounded_float_sql(columns: Sequence[Column]) -> str:
    """How many rows hold a FLOAT value its text does not give back: MariaDB writes a
    FLOAT with 6 significant digits (1234567 as 1234570), and so do both dumps, which
    take the server's text; the restore holds the rounded value and the content checksum,
    which reads that text too, cannot see it (tried in the lab). A value is rounded when
    its text lies more than half a FLOAT's step (2^(exponent-23), the smallest subnormal's
    below) away from it; ``CAST ... AS FLOAT`` would say so exactly but is unknown to
    MariaDB before 10.4.5 and MySQL before 8.0.17."""
    tests = [f"ABS({name} - CAST({name} AS CHAR)) > GREATEST(POW(2, FLOOR(LOG2(ABS({name}))) "
             f"- 24), POW(2, -150))"
             for name in (quote_identifier(c.name) for c in columns if c.type == "float")]
    return f"IFNULL(SUM({' OR '.join(tests)}),0)" if tests else "0"


def rounded_floats_note(tables: Mapping[str, Any]) -> str:
    """The warning naming the tables (of a manifest's ``tables``) whose FLOAT values the
    dump rounded (rounded_float_sql), or ''."""
    counts = {name: entry["rounded_floats"] for name, entry in sorted(tables.items())
              if isinstance(entry, dict) and _count(entry.get("rounded_floats"))
              and entry["rounded_floats"] > 0}
    if not counts:
        return ""
    listed = ", ".join(f"{name} ({count} row{'' if count == 1 else 's'})"
                       for name, count in counts.items())
    return ("FLOAT values rounded to 6 significant digits, as MariaDB writes them and both "
            f"dumps take them (the backup holds the rounded values): {listed}; change those "
            "FLOAT columns to DOUBLE (lossless) to back them up whole")


def row_expr(columns: Sequence[Column]) -> str:
    """The string of a row whose CRC32 the checksum adds up: its columns (column_exprs)
    joined with 0x1F, then a NULL flag per column.

    ``CONCAT_WS`` gives NULL, and CRC32 and SUM then nothing, for a string longer than
    the server's ``max_allowed_packet`` (16 MiB by default; the backup computer's scratch
    server is tuned to 1 GiB): a row of two 10 MB documents would count on the backup
    computer and not on the SIPP server, and a good backup would fail its verification;
    where both sides left it out, its content would go unchecked. A row whose BLOB, TEXT
    and geometry values hold more than LARGE_ROW bytes therefore goes in with an MD5 of
    each of them (their bytes as stored), chosen by the data alone, so that both servers
    build the same string, short enough for either."""
    values = column_exprs(columns)
    flags = f"CONCAT({', '.join(f'ISNULL({quote_identifier(c.name)})' for c in columns)})"
    row = f"CONCAT_WS(0x1f, {', '.join(values)}, {flags})"
    large = [quote_identifier(c.name) for c in columns if c.type in LARGE_TYPES]
    if not large:
        return row
    hashed = [f"MD5({quote_identifier(c.name)})" if c.type in LARGE_TYPES else value
              for c, value in zip(columns, values)]
    length = " + ".join(f"IFNULL(LENGTH({name}),0)" for name in large)
    return f"IF({length} > {LARGE_ROW}, CONCAT_WS(0x1f, {', '.join(hashed)}, {flags}), {row})"


def table_sql(table: str, columns: Sequence[Column], database: str) -> str:
    """One row ``T, hex(name), count, crc-sum, structure-md5, rounded-float rows`` for
    ``table``."""
    row = row_expr(columns) if columns else "''"
    structure = ("(SELECT MD5("  # noqa: S608
                 "GROUP_CONCAT(CONCAT_WS(0x1f, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,"
                 " IFNULL(COLUMN_DEFAULT,'~'), EXTRA) ORDER BY ORDINAL_POSITION SEPARATOR 0x1e))"
                 " FROM information_schema.COLUMNS WHERE "
                 f"TABLE_SCHEMA={quote_string(database)} AND TABLE_NAME={quote_string(table)})")
    return (f"SELECT 'T', HEX({quote_string(table)}), COUNT(*), IFNULL(SUM(CRC32({row})),0), "  # noqa: S608
            f"{structure}, {rounded_float_sql(columns)} FROM {quote_identifier(table)};\n")


def objects_sql(database: str) -> str:
    """Rows ``O, kind, hex(name), md5`` for views, triggers, routines and events.

    The definer is left out (a verification restore runs as an account that cannot set
    definers) and the database's own name in view definitions is normalised.
    """
    db = quote_string(database)
    own = quote_string(quote_identifier(database) + ".")
    return (
        "SELECT 'O', 'view', HEX(TABLE_NAME), MD5(CONCAT_WS(0x1f, "  # noqa: S608
        f"REPLACE(VIEW_DEFINITION, {own}, '`~`.'), CHECK_OPTION, IS_UPDATABLE, SECURITY_TYPE, "
        f"ALGORITHM)) FROM information_schema.VIEWS WHERE TABLE_SCHEMA={db};\n"
        "SELECT 'O', 'trigger', HEX(TRIGGER_NAME), MD5(CONCAT_WS(0x1f, EVENT_MANIPULATION, "
        "EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_ORDER, ACTION_STATEMENT, SQL_MODE)) "
        f"FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA={db};\n"
        "SELECT 'O', LOWER(r.ROUTINE_TYPE), HEX(r.ROUTINE_NAME), MD5(CONCAT_WS(0x1f, "
        "r.ROUTINE_DEFINITION, r.DTD_IDENTIFIER, r.IS_DETERMINISTIC, r.SQL_DATA_ACCESS, "
        "r.SECURITY_TYPE, r.SQL_MODE, r.ROUTINE_COMMENT, (SELECT GROUP_CONCAT(CONCAT_WS(' ', "
        "p.PARAMETER_MODE, p.PARAMETER_NAME, p.DTD_IDENTIFIER) ORDER BY p.ORDINAL_POSITION) "
        "FROM information_schema.PARAMETERS p WHERE p.SPECIFIC_SCHEMA=r.ROUTINE_SCHEMA AND "
        "p.SPECIFIC_NAME=r.SPECIFIC_NAME AND p.ROUTINE_TYPE=r.ROUTINE_TYPE AND "
        "p.ORDINAL_POSITION > 0))) "
        f"FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA={db};\n"
        "SELECT 'O', 'event', HEX(EVENT_NAME), MD5(CONCAT_WS(0x1f, EVENT_DEFINITION, "
        "EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, SQL_MODE, STARTS, ENDS, "
        f"ON_COMPLETION, EVENT_COMMENT)) FROM information_schema.EVENTS WHERE EVENT_SCHEMA={db};\n")


def parse_measure(rows: list[list[str]]) -> dict[str, Any]:
    """``{"tables": {name: {rows, checksum, structure}}, "objects": {kind:name: md5}}``."""
    tables: dict[str, dict[str, Any]] = {}
    objects: dict[str, str] = {}
    for row in rows:
        if row[0] == "T" and len(row) == 6:
            tables[unhex(row[1])] = {"rows": int(row[2]), "checksum": row[3],
                                      "structure": row[4]}
            if int(row[5]):  # rows whose FLOAT values the dump rounds (rounded_float_sql)
                tables[unhex(row[1])]["rounded_floats"] = int(row[5])
        elif row[0] == "O" and len(row) == 4:
            objects[f"{row[1]}:{unhex(row[2])}"] = row[3]
    return {"tables": tables, "objects": objects}


def measure_sql(database: str, tables: Sequence[dict[str, Any]], objects: bool = True) -> str:
    sql = "".join(table_sql(t["name"], t["columns"], database) for t in tables)
    return sql + (objects_sql(database) if objects else "")


def spread(tables: Sequence[dict[str, Any]], count: int) -> list[list[dict[str, Any]]]:
    """``tables`` in ``count`` groups of about equal size (largest first, each to the
    smallest group), for parallel sessions."""
    groups: list[list[dict[str, Any]]] = [[] for _ in range(max(1, count))]
    sizes = [0] * len(groups)
    for table in sorted(tables, key=lambda t: -t["bytes"]):
        index = sizes.index(min(sizes))
        groups[index].append(table)
        sizes[index] += table["bytes"]
    return groups


def analyze_sql(tables: Sequence[dict[str, Any]]) -> str:
    """``ANALYZE`` the tables without writing to the binary log: InnoDB samples a few pages
    per index and so learns each table's size (milliseconds, not a read of the table)."""
    names = ", ".join(quote_identifier(t["name"]) for t in tables)
    return f"ANALYZE NO_WRITE_TO_BINLOG TABLE {names};\n" if names else ""


def measure(client: Sequence[str], database: str, parallel: int = 1,
            analyze: bool = False, timeout: float | None = None) -> dict[str, Any]:
    """Measure a (restored) database now, with the same statements as the dump side, in
    ``parallel`` sessions (tables spread by size). ``analyze``: first refresh the tables'
    statistics, whose sizes are stale right after a restore (one page each when the
    server does not recalculate them in the background), so that the spread is even.
    ``timeout``: seconds each statement batch may take."""
    tables = list_tables(client, database)
    if analyze and tables:
        run_sql(client, analyze_sql(tables), timeout=min(300, timeout or 300))
        tables = list_tables(client, database)
    groups = spread(tables, parallel)

    def one(index: int) -> list[list[str]]:
        sql = measure_sql(database, groups[index], objects=index == 0)
        return [[str(cell) for cell in row]
                for row in run_sql(client, "SET SESSION time_zone='+00:00';\n" + sql,
                                   timeout=timeout)]

    with concurrent.futures.ThreadPoolExecutor(len(groups)) as pool:
        results = list(pool.map(one, range(len(groups))))
    return parse_measure([row for rows in results for row in rows])


def _drain(stream: IO[bytes] | None, sink: list[bytes]) -> threading.Thread:
    """A thread appending what ``stream`` gives to ``sink`` as it comes (read1: what is
    there, not 64 KiB at a time, so a watcher of its size sees each answer arrive)."""
    def run() -> None:
        if stream is not None:
            read = getattr(stream, "read1", stream.read)  # a pipe's BufferedReader has read1
            for chunk in iter(lambda: read(65536), b""):
                sink.append(chunk)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class Session:
    """One client session fed statement by statement (a lock or a snapshot).

    ``send(sql, wait=True)`` returns the rows the statements printed, once they ran;
    ``finish(sql)`` sends the last statements, which run in the background, and
    ``result()`` waits for their rows.
    """

    def __init__(self, argv: Sequence[str], answer_timeout: float | None = None) -> None:
        self.argv = list(argv)
        # Seconds ``send`` waits for the server's answer before it stops the client (None:
        # no limit): a server that stopped answering (hung, SIGSTOPped, a dead NFS datadir)
        # took the session, and the SOP with it, for ever.
        self.answer_timeout = answer_timeout
        self.timed_out = False
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._threads: list[threading.Thread] = []
        self.error = ""

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def send(self, sql: str) -> list[list[str]] | None:
        """Run ``sql`` now; its rows, or None (with ``error`` set) when it failed or the
        server did not answer within ``answer_timeout`` (``timed_out`` set, the client
        stopped)."""
        assert self.proc is not None and self.proc.stdin is not None
        assert self.proc.stdout is not None
        timer = None
        if self.answer_timeout:
            timer = threading.Timer(self.answer_timeout, self._no_answer)
            timer.daemon = True
            timer.start()
        try:
            with contextlib.suppress(OSError):  # a dead client: reported below
                self.proc.stdin.write((sql + f"SELECT '{_MARKER}';\n").encode("utf-8"))
                self.proc.stdin.flush()
            rows: list[list[str]] = []
            for raw in iter(self.proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line == _MARKER:
                    return rows
                rows.append(line.split("\t"))
        finally:
            if timer is not None:
                timer.cancel()
        err = self.proc.stderr.read() if self.proc.stderr else b""
        self.proc.wait()
        if self.timed_out:
            self.error = (f"MariaDB did not answer within {self.answer_timeout:g} s "
                          "(hung or overloaded?)")
        else:
            self.error = first_error_line(err) or f"client exited {self.proc.returncode}"
        return None

    def _no_answer(self) -> None:
        self.timed_out = True
        self.abort()

    def finish(self, sql: str) -> None:
        """Send the last statements and return at once: a thread feeds them (a batch
        larger than the pipe would otherwise hold the caller until this client has run
        most of it, and parallel sessions would run one after another)."""
        assert self.proc is not None and self.proc.stdin is not None
        stdin = self.proc.stdin

        def feed() -> None:
            # A client that died (result() says why), or one closed or killed meanwhile.
            with contextlib.suppress(OSError, ValueError):
                stdin.write(sql.encode("utf-8"))
            with contextlib.suppress(OSError, ValueError):
                stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        self._threads = [writer, _drain(self.proc.stdout, self._out),
                         _drain(self.proc.stderr, self._err)]

    @property
    def received(self) -> int:
        """Bytes of answers ``finish``'s statements have printed so far."""
        return sum(len(chunk) for chunk in self._out)

    def result(self) -> list[list[str]]:
        assert self.proc is not None
        self.proc.wait()
        for thread in self._threads:
            thread.join()
        if self.proc.returncode != 0:
            raise MariaDBError(first_error_line(b"".join(self._err))
                               or f"client exited {self.proc.returncode}")
        text = b"".join(self._out).decode("utf-8", "replace")
        return [line.split("\t") for line in text.splitlines() if line]

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def abort(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def open_snapshot(argv: Sequence[str], answer_timeout: float | None = None) -> Session:
    """A session inside ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` (time zone +00:00);
    ``answer_timeout`` as Session's."""
    session = Session(argv, answer_timeout)
    session.start()
    if session.send(_SESSION_SETUP + "START TRANSACTION WITH CONSISTENT SNAPSHOT;\n") is None:
        raise MariaDBError(session.error or "could not open a consistent snapshot")
    return session


# The binary log state, read while the global read lock holds. SHOW VARIABLES (not
# ``@@GLOBAL.gtid_binlog_pos``) because a variable the server lacks is then a missing row,
# not an error that ends the lock session: MariaDB has gtid_binlog_pos, MySQL gtid_executed.
BINLOG_STATE_SQL = ("SHOW GLOBAL VARIABLES WHERE Variable_name IN "
                    "('log_bin', 'gtid_binlog_pos', 'gtid_executed');\n")
_GTID_VARIABLES = ("gtid_binlog_pos", "gtid_executed")


def binlog_position(client: Sequence[str], state_rows: list[list[str]]) -> dict[str, Any]:
    """Binary log position of the locked server (for a later point-in-time recovery).

    ``state_rows`` are the ``name, value`` rows of ``BINLOG_STATE_SQL`` read in the lock
    session; the file and offset come from ``SHOW MASTER STATUS`` in a second session
    (needs BINLOG MONITOR or REPLICATION CLIENT; without it the GTID position alone is
    recorded).
    """
    state = {row[0].lower(): row[1] for row in state_rows if len(row) >= 2}
    if state.get("log_bin", "").upper() != "ON":
        return {"binary_log": False, "note": "the server writes no binary log (log_bin=OFF)"}
    position: dict[str, Any] = {"binary_log": True}
    position.update({name: state[name] for name in _GTID_VARIABLES if name in state})
    try:
        rows = run_sql(client, "SHOW MASTER STATUS;\n", timeout=30)
        if rows:
            position.update(file=rows[0][0], position=int(rows[0][1] or 0))
    except MariaDBError as exc:
        position["note"] = f"file/offset not read: {exc}"
    return position


def merge(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-table entries from two snapshots bracketing the dump's (no global lock).

    Where both agree the table did not change while the dump took its own snapshot and
    the values are exact; otherwise ``rows`` and ``checksum`` are None and the dump's
    count lies in ``rows_min..rows_max``.
    """
    tables: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        low, high = before.get(name), after.get(name)
        if low is not None and low == high:
            tables[name] = dict(low)
        else:
            counts = [t["rows"] for t in (low, high) if t is not None]
            tables[name] = {"rows": None, "checksum": None,
                            "structure": (low or high or {}).get("structure"),
                            "rows_min": min(counts), "rows_max": max(counts)}
    return tables


def _count(value: Any) -> bool:
    """Whether ``value`` is a row count (an int; JSON's true is no count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _uncounted(entry: dict[str, Any]) -> bool:
    """Whether a manifest's table entry records the table only, not its rows (a backup
    taken with row_counts off): ``rows`` null and no ``rows_min``/``rows_max``."""
    return "rows" in entry and entry["rows"] is None \
        and "rows_min" not in entry and "rows_max" not in entry


def _malformed(entry: Any) -> bool:
    """Whether a manifest's table entry is not what a dump writes (the manifest comes
    from the SIPP server: a forged one is a difference, never a crash)."""
    if not isinstance(entry, dict):
        return True
    if entry.get("rows") is not None:
        return not _count(entry["rows"])
    if _uncounted(entry):
        return False
    return not (_count(entry.get("rows_min")) and _count(entry.get("rows_max")))


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Differences between the manifest's measurements and the restored database's."""
    want, got = expected.get("tables") or {}, actual.get("tables") or {}
    if not isinstance(want, dict):
        return ["the manifest's tables are not a table list"]
    problems = [f"table {t} missing after restore" for t in sorted(set(want) - set(got))]
    problems += [f"table {t} not in the manifest" for t in sorted(set(got) - set(want))]
    for name in sorted(set(want) & set(got)):
        entry, restored = want[name], got[name]
        if _malformed(entry):
            problems.append(f"table {name}: the manifest's entry is malformed")
            continue
        if entry.get("rows") is not None:
            if restored["rows"] != entry["rows"]:
                problems.append(f"table {name} has {restored['rows']} rows, manifest "
                                f"{entry['rows']}")
            elif entry.get("checksum") and restored["checksum"] != entry["checksum"]:
                problems.append(f"table {name}: content differs (checksum {restored['checksum']},"
                                f" manifest {entry['checksum']})")
        elif not _uncounted(entry) and not \
                entry["rows_min"] <= restored["rows"] <= entry["rows_max"]:
            problems.append(f"table {name} has {restored['rows']} rows, manifest "
                            f"{entry.get('rows_min')}..{entry.get('rows_max')}")
        if entry.get("structure") and restored.get("structure") != entry["structure"]:
            problems.append(f"table {name}: columns differ")
    if "objects" in expected:
        want_o, got_o = expected["objects"] or {}, actual.get("objects") or {}
        if not isinstance(want_o, dict):
            return [*problems, "the manifest's objects are not an object list"]
        broken = expected.get("broken_views") or []
        if not isinstance(broken, list) or not all(isinstance(n, str) for n in broken):
            return [*problems, "the manifest's broken_views are not a list of names"]
        # A view the backup left out (broken_views) may be in the dump all the same (a
        # mydumper that dumps it, one broken only by its definer's rights, which the
        # restore's stripped definer repairs): not a difference. One the manifest also
        # lists among its objects (never so written) is compared.
        left_out = {f"view:{name}" for name in broken} - set(want_o)
        got_o = {o: md5 for o, md5 in got_o.items() if o not in left_out}
        problems += [f"{o} missing after restore" for o in sorted(set(want_o) - set(got_o))]
        problems += [f"{o} not in the manifest" for o in sorted(set(got_o) - set(want_o))]
        problems += [f"{o}: definition differs" for o in sorted(set(want_o) & set(got_o))
                     if want_o[o] != got_o[o]]
    return problems
