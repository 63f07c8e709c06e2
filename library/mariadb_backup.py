#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: streamed, consistent, checksummed MariaDB dump with a manifest."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import functools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.sop_backup_files import (
    MANIFEST_SUFFIX,
    PERIOD_ARGUMENT_SPEC,
    HashingWriter,
    StallGuard,
    backup_name,
    find_verified,
    manifest_path,
    now_iso,
    owned_by,
    period_key,
    rchar,
    sha256_file,
    widen_pipe,
    write_json_atomic,
)
from ansible.module_utils.sop_backup_sql import (
    BINLOG_STATE_SQL,
    CHECKSUM_METHOD,
    Session,
    binlog_position,
    broken_views,
    broken_views_note,
    is_transactional,
    list_tables,
    measure_sql,
    merge,
    open_snapshot,
    parse_measure,
    rounded_floats_note,
    spread,
)
from ansible.module_utils.sop_mariadb import (
    CLIENT_BINARIES,
    DUMP_BINARIES,
    LOGIN_ARGUMENT_SPEC,
    MariaDBError,
    backtick_names,
    binary_read_columns,
    client_argv,
    compress_argv,
    database_name_problem,
    dump_argv,
    estimate_dump_bytes,
    find_binary,
    first_error_line,
    invisible_columns,
    mydumper_refusal,
    no_tables_refusal,
    nullable_text,
    option_file,
    own_sql_mode_objects,
    password_shown_masked,
    run_sql,
    select_engine,
    text_value,
    why_not_mydumper,
)
from ansible.module_utils.sop_options import RANGES, range_error, seconds_error
from ansible.module_utils.sop_secrets import mask_text

DOCUMENTATION = r"""
---
module: mariadb_backup
short_description: Dump a MariaDB/MySQL database as a streamed, checksummed backup
description:
  - Dumps one database as a consistent snapshot with C(mariadb-dump) or C(mysqldump)
    (C(--single-transaction --routines --triggers --events --hex-blob)), or with
    C(mydumper) (parallel; its output directory is streamed through C(tar)).
  - The dump is streamed through C(zstd -T0) (or C(gzip)) into C(NAME.partial); the
    SHA-256 is computed while streaming; the file is fsynced, its JSON manifest
    C(NAME.manifest.json) written, and only then is the file given its final name, so a
    final-named file always has its manifest (size, sha256, duration, engine, server
    version, per-table measurements, object definitions, binlog position). A backup of
    the same name already there (the clock set back) fails the dump before it starts;
    neither it nor its manifest is replaced.
  - Measured in the dump's own snapshot, per base table, are C(COUNT(*)), a content
    checksum and a hash of the columns, and the definitions of views, triggers,
    routines and events (see the sop_backup_sql module_utils). A global read lock
    (C(FLUSH TABLES WITH READ LOCK), at most 5 s wait) is held from just before our
    snapshot opens until the dump has opened its own; meanwhile the binary log position
    is read and the non-transactional (MyISAM, Aria, ...) tables are measured and dumped,
    so they are consistent with the rest (up to O(lock_budget_mb) of them). Without the
    lock (no RELOAD privilege, or statements running longer than the wait) two snapshots
    bracket the dump's; a table written to in between gets C(rows_min)/C(rows_max) and no
    checksum, and non-transactional tables are recorded as not consistent.
  - Credentials go into a temporary 0600 option file (C(--defaults-extra-file), or
    C(--defaults-file) for mydumper); they never appear on a command line.
  - Idempotent per period; when a verified backup of the current period (for example
    today's date) already exists (and, given O(held), the backup computer's record holds
    it) the module reports C(changed=false) unless O(force).
    The manifest starts with C(verified=false); the verify step marks it verified.
  - A failed or killed dump leaves no backup file and no manifest; older backups are
    never touched.
  - A database without a single table (a wrong database name) is refused, as its backup
    would restore to nothing and no verification could prove anything of it.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
  - backup_period
options:
  database:
    description:
      - Database to dump (at most 64 characters, not starting with C(-)).
    type: str
    required: true
  dest:
    description: Directory for the backup (created 0700 if missing).
    type: path
    required: true
  prefix:
    description: File name prefix (without C(/)); defaults to the database name.
    type: str
  engine:
    description:
      - Dump engine. V(auto) uses C(mydumper) when installed, every table is InnoDB and
        the target has room for its uncompressed directory, else C(mariadb-dump), else
        C(mysqldump). With V(auto), a mydumper that fails or hangs is followed by a dump
        with the next engine (a warning and the result's message say why).
      - >-
        C(mydumper) is not started when the module's own C(FLUSH TABLES WITH READ LOCK)
        was not had within 5 s (a long statement, another session's C(LOCK TABLES)):
        mydumper's lock has no time limit and, waiting, holds every write of the
        database. With V(auto) the next engine dumps (C(--single-transaction), no global
        lock); with V(mydumper) the backup fails saying so.
      - C(mydumper) is never run on a database with a table in another engine (MyISAM,
        Aria, ...), because mydumper 0.10 then can wait forever holding its global read
        lock, every write to SIPP waiting, and 0.20 and later stop at such a table.
        V(mydumper) then fails at once naming the tables; V(auto) uses C(mariadb-dump),
        which dumps them under the lock.
      - Nor on a database where a table, view, trigger, routine or event has a backtick in
        its name, which mydumper 0.10 does not quote (a table's or view's dump stops with an
        SQL syntax error, a routine's crashes it), nor on one whose own name holds a
        backtick or a C(/) (mydumper 0.10 names its files after it), nor on one with an
        INVISIBLE column (mydumper 0.10 dumps C(SELECT *), which leaves such columns out,
        their values would be lost), nor on one with an INET6 or UUID column (mydumper
        0.10 writes their text under C(SET NAMES binary), read back as 16 bytes, refused
        or NULL), nor on one whose triggers, routines or events were made under an SQL
        mode other than MariaDB's default (mydumper 0.10 does not keep an object's mode,
        mariadb-dump does); the same refusal and fallback apply.
    type: str
    choices: [auto, mariadb-dump, mysqldump, mydumper]
    default: auto
  compression:
    description: Stream compressor.
    type: str
    choices: [zstd, gzip]
    default: zstd
  compression_level:
    description:
      - Compression level (default 3 for zstd, 6 for gzip).
      - >-
        From 1 to 19 for zstd (its highest without C(--ultra)), from 1 to 9 for gzip;
        another fails the module with C(setting) C(compression_level).
    type: int
  threads:
    description:
      - mydumper threads, and the number of sessions that measure the tables in the
        dump's snapshot (with the global read lock); V(0) means the number of CPUs.
      - >-
        From 0 to 32; another fails the module with C(setting) C(threads) (a negative
        one was taken as 1).
    type: int
    default: 0
  stall_timeout:
    description:
      - Seconds the dump may go without writing anything before it is stopped and the
        backup fails (no file is left and older backups are untouched). A hung dump would
        otherwise hold the SOP and its lock forever. The same limit bounds the server's
        answers to the sessions around the dump (the global read lock, the snapshots and
        the tables' measurement), so a server that stops answering fails the backup too. With O(engine=auto), a mydumper
        stopped this way is followed by a dump with the next engine (a warning says so).
        V(0) never stops it.
      - >-
        Before a stalled dump is stopped, the server is asked (for at most 10 s) what its
        sessions wait for. When they wait for a lock another session holds (an admin's
        C(LOCK TABLES), a long report), the failure names that lock instead of C(hung?), and
        up to 3 sessions of other accounts that may hold it, those waiting for nothing
        first, then the longest in their state (id, account, seconds, command, the first 60
        characters of the statement, passwords masked and every string literal shown as
        C('?')), to end with C(KILL id) or to wait for. Other accounts' sessions are seen
        with the PROCESS privilege only. A mydumper stopped so is not followed by the next
        engine, which would wait for the same lock.
      - Below 0 fails the module with C(setting) C(stall_timeout).
    type: int
    default: 900
  period:
    description: Idempotence period; V(always) takes a new backup on every run.
    type: str
    choices: [daily, weekly, monthly, always]
    default: daily
  force:
    description: Take a new backup even when a verified one of this period exists.
    type: bool
    default: false
  row_counts:
    description:
      - Record per-table row counts, content checksums and object definitions.
      - The table list is recorded either way; without them each table's C(rows),
        C(checksum) and C(structure) are null and the manifest has no C(objects), so the
        verification checks that the same tables restore, not what they hold.
    type: bool
    default: true
  lock_budget_mb:
    description:
      - Largest total size of non-transactional tables dumped while the global read lock
        holds (writes wait meanwhile); larger ones are dumped without it and reported.
    type: int
    default: 256
notes:
  - Needs the C(mariadb)/C(mysql) client and C(zstd) or C(gzip) on the host.
  - The database user needs SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, SELECT on
    mysql.proc (routines), RELOAD and PROCESS; BINLOG MONITOR to record the binlog file.
  - A I(login_password) that is part of the database name, I(prefix) or I(dest) is refused;
    Ansible hides it wherever it appears in a result, so the returned paths would not exist.
attributes:
  check_mode:
    support: full
    description: Connects read-only and reports what it would dump, writes nothing.
"""

EXAMPLES = r"""
- name: Dump the SIPP database
  mariadb_backup:
    database: sipp
    dest: /var/backups/sipp
    login_user: sop_backup
    login_password: "{{ sipp_db_password }}"
    engine: auto
    compression: zstd
  register: dump
"""

RETURN = r"""
path:
  description: Backup file.
  returned: success
  type: str
  sample: /var/backups/sipp/sipp-20261121T020000.sql.zst
manifest:
  description: Manifest file beside the backup.
  returned: success
  type: str
size:
  description: Size of the backup file in bytes.
  returned: success
  type: int
sha256:
  description: SHA-256 of the backup file, computed while streaming.
  returned: success
  type: str
duration:
  description: Seconds the dump took.
  returned: success
  type: float
engine:
  description: Engine used.
  returned: success
  type: str
server_version:
  description: Database server version.
  returned: success
  type: str
tables:
  description: Per-table row counts (C(rows), or C(rows_min)/C(rows_max); C(rows) null
    without O(row_counts)), and C(rounded_floats) where rows hold a FLOAT value the dump
    rounds to 6 significant digits (MariaDB writes FLOAT so, both dumps take that text,
    and the content checksum, reading the same text, cannot see it; also a warning
    naming the tables, which says to change such columns to DOUBLE).
  returned: success
  type: dict
period:
  description: Period key of the backup, e.g. C(2026-11-21).
  returned: always
  type: str
verified:
  description: Whether the backup is verified (true only for an existing one).
  returned: success
  type: bool
manifest_sha256:
  description: SHA-256 of the manifest file (what the backup computer checks).
  returned: success
  type: str
manifest_size:
  description: Size of the manifest file in bytes.
  returned: success
  type: int
non_transactional:
  description: Non-transactional tables, whether they are consistent with the dump, how.
  returned: success
  type: dict
binlog:
  description: Binary log position of the dump's snapshot, or why none was recorded.
  returned: success
  type: dict
broken_views:
  description: Views left out of the backup because they do not open for the dump
    account (a table, column or function they name is gone, their definer lacks rights,
    or the dump account lacks EXECUTE on a function they call); also in the manifest and
    a warning that names each one's cause and what to do.
  returned: success
  type: list
  elements: str
broken_view_causes:
  description: The server's cause for each view of RV(broken_views) (an empty dict for a
    backup made before causes were recorded); also in the manifest.
  returned: success
  type: dict
  sample:
    v_nomor: execute command denied to user 'sop_backup'@'localhost' for routine
      'sipp.f_nomor'
"""


ROW_COUNTS_SAME = ("exact COUNT(*) and content checksum in the dump's own snapshot: a snapshot "
                   "opened under FLUSH TABLES WITH READ LOCK, held until the dump had opened "
                   "its snapshot")
ROW_COUNTS_BRACKET = ("exact COUNT(*) and content checksum in two consistent snapshots, opened "
                      "right before the dump and right after the dump's own snapshot (no global "
                      "read lock: {why}); exact where both agree, else the dump's count lies in "
                      "rows_min..rows_max and the checksum is unknown")
# Longest wait for the global read lock (running statements) before falling back.
READ_LOCK_TIMEOUT = 5
CHUNK = 1 << 20
# Bytes the compressor must have read before the dump is surely past its own snapshot
# (mariadb-dump writes a ~1 KiB header before START TRANSACTION, table data after).
PAST_SNAPSHOT_BYTES = 64 * 1024
# How long a failed program's error output is awaited after it exited.
DRAIN_SECONDS = 5


class BackupFailed(Exception):
    """The dump failed; message is one clear line."""


class Pipeline:
    """Processes of one dump; killed and reaped on failure."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.errors: dict[int, list[bytes]] = {}
        self.drains: dict[int, threading.Thread] = {}

    def start(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, stderr=subprocess.PIPE, **kwargs)
        self.procs.append(proc)
        sink: list[bytes] = []
        self.errors[proc.pid] = sink
        stream = proc.stderr

        def drain() -> None:
            if stream is not None:
                for chunk in iter(lambda: stream.read(4096), b""):
                    sink.append(chunk)

        thread = threading.Thread(target=drain, daemon=True)
        thread.start()
        self.drains[proc.pid] = thread
        return proc

    def error(self, proc: subprocess.Popen[bytes]) -> str:
        """The first error line ``proc`` (exited) wrote: its stderr is read to the end
        first, or for at most DRAIN_SECONDS if something it started still holds it open."""
        drain = self.drains.get(proc.pid)
        if drain is not None:
            drain.join(DRAIN_SECONDS)
        return str(first_error_line(b"".join(self.errors.get(proc.pid, []))))

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs:
            proc.wait()


def _check(proc: subprocess.Popen[bytes], pipeline: Pipeline, what: str,
           error: type[BackupFailed] = BackupFailed) -> None:
    proc.wait()
    if proc.returncode != 0:
        detail = pipeline.error(proc)
        if proc.returncode < 0:
            detail = f"killed by signal {-proc.returncode}" + ("; " + detail if detail else "")
        suffix = ": " + detail if detail else ""
        raise error(f"{what} failed (exit {proc.returncode}){suffix}")


def _stream(source: subprocess.Popen[bytes], writer: HashingWriter) -> None:
    assert source.stdout is not None
    fd = source.stdout.fileno()
    widen_pipe(fd)
    while True:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        try:
            writer.write(chunk)
        except OSError as exc:
            raise BackupFailed(f"cannot write {writer.partial_path}: {exc.strerror}") from exc


def _watch(ready: Any, trigger: Any, done: threading.Event) -> threading.Thread:
    """Call ``trigger`` once ``ready()`` holds (polled) or ``done`` is set."""

    def run() -> None:
        while not done.is_set() and not ready():
            done.wait(0.05)
        trigger()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class DumperFailed(BackupFailed):
    """The dump program itself failed (engine auto then tries the next one)."""


class DumpStalled(DumperFailed):
    """The dump stopped writing and was stopped (StallGuard)."""


class DumpWaitedForLock(BackupFailed):
    """The dump stopped writing as it waited for a lock another session holds, and was
    stopped (StallGuard's diagnosis): the next engine would wait for the same lock."""


# How long the stall's diagnosis waits for the server's answer: it asks while the stalled
# dump still waits, before the dump is stopped.
DIAGNOSE_TIMEOUT = 10
# A PROCESSLIST state waiting for another session: a metadata lock (a table's, the schema's,
# a routine's), a table-level lock (LOCK TABLES, MyISAM), the global read lock, a backup or
# commit lock, or a table flush waiting for a long statement on the table.
_LOCK_WAIT = re.compile(r"^Waiting for (?:.* lock|table flush)$")
# What the diagnosis shows: at most 3 other sessions, each statement's first 60 characters.
SHOWN_SESSIONS = 3
INFO_CHARS = 60
# Every session but the asking one and the server's own threads (Daemon), longest in its
# state first; ``own``: of the account the backup connects as (its dump's and its
# measuring sessions). The statement's head only: a multi-MB INSERT is not read whole.
PROCESSLIST_SQL = (
    "SELECT ID, USER = SUBSTRING_INDEX(USER(), '@', 1), USER, HOST, TIME, COMMAND, "  # noqa: S608
    f"{nullable_text('STATE')}, {nullable_text('LEFT(INFO, 200)')} "
    "FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Daemon' "
    "ORDER BY TIME DESC, ID;")
# A string literal of a statement, its end too when the head cut it.
_SQL_LITERAL = re.compile(r"'(?:[^'\\]|\\.|'')*'?|\"(?:[^\"\\]|\\.|\"\")*\"?")


def statement_head(info: str) -> str:
    """The first INFO_CHARS characters of a running statement, on one line, as the records
    may show them: the shared masking (sop_secrets.mask_text: IDENTIFIED BY, SET PASSWORD,
    a secret-looking setting), then every string literal shown as '?' (an INSERT of a
    password hash, a party's name in a WHERE)."""
    shown = _SQL_LITERAL.sub("'?'", mask_text(" ".join(info.split())) or "")
    return shown if len(shown) <= INFO_CHARS else shown[:INFO_CHARS - 3] + "..."


def _session(row: Sequence[str | None]) -> str:
    session_id, _own, user, host, seconds, command, _state, info = row
    account = f"{user}@{host}" if host else str(user)
    head = statement_head(text_value(info) or "")
    return (f"id {session_id} {account[:60]} {seconds} s {command}"
            + (f" '{head}'" if head else ""))


def lock_wait(client: Sequence[str]) -> str | None:
    """Why a stalled dump writes nothing, asked of the server while it still waits
    (StallGuard's ``diagnose``): the locks the backup account's sessions wait for, and the
    other accounts' sessions that may hold them (those not waiting themselves first, then
    the longest in their state), with what to do; None when they wait for no lock. The
    backup account needs PROCESS to see the other accounts' sessions."""
    rows = run_sql(client, PROCESSLIST_SQL, timeout=DIAGNOSE_TIMEOUT)
    waits: list[str] = []
    others = []
    for row in rows:
        state = text_value(row[6]) or ""
        if row[1] != "1":
            others.append((bool(_LOCK_WAIT.match(state)), -int(row[4] or 0), row))
        elif _LOCK_WAIT.match(state) and state[:64] not in waits:
            waits.append(state[:64])
    if not waits:
        return None
    waiting = f"it was waiting for a lock ({', '.join(waits)})"
    if not others:
        return (f"{waiting}; no session of another account is visible (has the backup "
                "account PROCESS?): find the one holding it with SHOW PROCESSLIST as root "
                "and end it (KILL its id), or run the backup later")
    shown = [row for *_order, row in sorted(others, key=lambda o: o[:2])[:SHOWN_SESSIONS]]
    kill = f"KILL {shown[0][0]}" if len(shown) == 1 else "KILL its id"
    return (f"{waiting}; sessions that may hold it, longest first: "
            f"{', '.join(_session(row) for row in shown)}; end the one holding it ({kill}) "
            "or run the backup later")


def _tree_bytes(path: str) -> int:
    with contextlib.suppress(OSError):
        return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())
    return 0


class Measurer:
    """Row counts, content checksums and object definitions of the dump's snapshot.

    Preferred: a global read lock is taken (its binary log position read), our snapshot
    opened, the non-transactional tables measured (and, by the caller, dumped) while
    the lock holds, the dump started, and the lock released as soon as the dump has its
    own snapshot: both snapshots see the same data. Without the lock (no RELOAD
    privilege, or long-running statements): two snapshots bracket the dump's.
    """

    def __init__(self, client: list[str], database: str, tables: list[dict[str, Any]],
                 *, enabled: bool, lock_budget: int, parallel: int = 1,
                 answer_timeout: float | None = None) -> None:
        self.client, self.database, self.enabled = client, database, enabled
        # how long the lock's and the snapshots' statements may go unanswered (the dump's
        # stall_timeout: these run before the dump writes, where its StallGuard watches)
        self.answer_timeout = answer_timeout
        self.parallel = max(1, parallel)
        self.others: list[Session] = []
        self.tables = tables
        self.nontx = [t for t in tables if not is_transactional(t["engine"])]
        self.lock_budget = lock_budget
        self.lock = Session(client, answer_timeout)
        self.locked = False
        self.nontx_locked = False
        self.binlog: dict[str, Any] = {"binary_log": None, "note": "not recorded (no lock)"}
        self.before: Session | None = None
        self.after: Session | None = None
        self.nontx_rows: list[list[str]] = []
        self.fired = False
        self.error: Exception | None = None
        self.note = ""

    def start(self) -> None:
        self.lock.start()
        rows = self.lock.send(f"SET SESSION lock_wait_timeout={READ_LOCK_TIMEOUT};\n"
                              "FLUSH TABLES WITH READ LOCK;\n" + BINLOG_STATE_SQL)
        if self.lock.timed_out:
            raise BackupFailed(f"{self.lock.error} at FLUSH TABLES WITH READ LOCK; "
                               "no backup was written")
        self.locked = rows is not None
        if rows is not None:
            self.binlog = binlog_position(self.client, rows)
        self.note = ROW_COUNTS_SAME if self.locked else ROW_COUNTS_BRACKET.format(
            why=self.lock.error or "FLUSH TABLES WITH READ LOCK failed")
        if not self.enabled:
            return
        self.before = open_snapshot(self.client, self.answer_timeout)
        if self.locked:
            # More snapshots of the same instant (nothing commits under the lock): the
            # tables are measured in parallel sessions, as mydumper's threads dump them.
            self.others = [open_snapshot(self.client, self.answer_timeout)
                           for _ in range(self.parallel - 1)]
        self.nontx_locked = self.locked and bool(self.nontx) and \
            sum(t["bytes"] for t in self.nontx) <= self.lock_budget
        if self.nontx_locked:
            rows = self.before.send(measure_sql(self.database, self.nontx, objects=False))
            if rows is None:
                raise BackupFailed(f"checksums failed: {self.before.error}")
            self.nontx_rows = rows

    @property
    def lock_waited(self) -> bool:
        """The global read lock was not had within READ_LOCK_TIMEOUT: running statements or
        another session's lock held it off (not a missing RELOAD privilege)."""
        return not self.locked and "Lock wait timeout exceeded" in self.lock.error

    def past_snapshot(self) -> None:
        """The dump has its snapshot: unlock and measure (or open the 'after' snapshot)."""
        if self.fired:
            return
        self.fired = True
        try:
            self.lock.close()
            if not self.enabled:
                return
            assert self.before is not None
            rest = [t for t in self.tables if not (self.nontx_locked and t in self.nontx)]
            sessions = [self.before, *self.others]
            for index, group in enumerate(spread(rest, len(sessions))):
                sessions[index].finish(measure_sql(self.database, group, objects=index == 0)
                                       + "COMMIT;\n")
            if not self.locked:
                self.after = open_snapshot(self.client, self.answer_timeout)
                self.after.finish(measure_sql(self.database, self.tables, objects=False)
                                  + "COMMIT;\n")
        except (MariaDBError, OSError) as exc:  # reported by result()
            self.error = exc

    def result(self) -> dict[str, Any]:
        """``tables`` and ``objects`` as measured; without measurements (row_counts off)
        the tables listed before the dump, each not counted, and no ``objects``: the
        verification then checks that each table restores and no other does, and compares
        no definitions (an empty list made every table and view 'not in the manifest')."""
        if not self.enabled:
            return {"tables": {t["name"]: {"rows": None, "checksum": None, "structure": None}
                               for t in self.tables}}
        if self.error is not None:
            raise BackupFailed(f"checksums failed: {self.error}")
        if not self.fired or self.before is None:
            raise BackupFailed("checksums never started")
        sessions = [self.before, *self.others, *([self.after] if self.after else [])]
        # Their answers, one row a table, watched as the dump's output is: a server that
        # stopped answering while they measure would hold the backup for ever.
        with StallGuard(self.abort, lambda: sum(s.received for s in sessions),
                        int(self.answer_timeout or 0),
                        "MariaDB's measurement of the tables (row counts, checksums)",
                        error=BackupFailed, cause="the server did not answer: hung or overloaded?"):
            before: dict[str, Any] = parse_measure(
                self.nontx_rows + [row for session in (self.before, *self.others)
                                   for row in session.result()])
            if self.after is not None:
                after = parse_measure(self.after.result())
                before["tables"] = merge(before["tables"], after["tables"])
        return before

    def nontransactional(self) -> dict[str, Any]:
        """What the manifest says about MyISAM/Aria/... tables."""
        names = [t["name"] for t in self.nontx]
        if not names:
            return {"tables": [], "consistent": True}
        if self.nontx_locked:
            return {"tables": names, "consistent": True,
                    "how": "dumped under FLUSH TABLES WITH READ LOCK, writes held for the "
                           "time they took"}
        why = ("no global read lock: " + (self.lock.error or "refused")) if not self.locked \
            else f"larger than the lock budget of {self.lock_budget // 2**20} MiB"
        return {"tables": names, "consistent": False,
                "how": f"dumped without a lock ({why}): may not match the rest of the dump"}

    def abort(self) -> None:
        for session in (self.lock, self.before, self.after, *self.others):
            if session is not None:
                session.abort()


def _with_options(argv: list[str], options: list[str], tables: list[str] | None = None,
                  drop: tuple[str, ...] = ()) -> list[str]:
    """A dump argv (database last) with extra options before the database name."""
    head = [arg for arg in argv[:-1] if arg not in drop]
    return head + options + argv[-1:] + (tables or [])


def _dump_sql(pipeline: Pipeline, dumps: list[list[str]], comp_cmd: list[str],
              *, writer: HashingWriter, counters: Measurer) -> None:
    """Run ``dumps`` one after the other into one compressor (the non-transactional
    tables first, under the lock; then the main dump, whose snapshot releases it)."""
    read_fd, write_fd = os.pipe()
    try:
        comp = pipeline.start(comp_cmd, stdin=read_fd, stdout=subprocess.PIPE)
    finally:
        os.close(read_fd)
    failures: list[BaseException] = []

    def pump() -> None:
        try:
            _stream(comp, writer)
        except BaseException as exc:  # re-raised below, in the caller's thread
            failures.append(exc)
            # Nothing reads the compressor any more: stop the dumps now, or the one that
            # runs under the global read lock (SIPP's writes held) waits for the stall guard.
            pipeline.kill()

    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()
    done = threading.Event()
    watcher = None
    try:
        for cmd in dumps[:-1]:
            proc = pipeline.start(cmd, stdout=write_fd)
            _check(proc, pipeline, os.path.basename(cmd[0]))
        offset = rchar(comp.pid)
        main = pipeline.start(dumps[-1], stdout=write_fd)
        watcher = _watch(lambda: main.poll() is not None
                         or rchar(comp.pid) > offset + PAST_SNAPSHOT_BYTES,
                         counters.past_snapshot, done)
    except BaseException:
        pipeline.kill()
        if not failures:
            raise
    finally:
        os.close(write_fd)
        pumper.join()
        done.set()
        if watcher is not None:
            watcher.join()
    if failures:
        pipeline.kill()
        raise failures[0]
    _check(main, pipeline, os.path.basename(dumps[-1][0]))
    _check(comp, pipeline, comp_cmd[0])


def _mydumper_sql(name: str) -> bool:
    """Whether ``name`` is one of the .sql files mydumper writes only after all its threads
    hold their snapshots; before, it writes only its metadata (``metadata.partial``; later
    releases also ``metadata.header``), whose names a database's files can begin with too
    (``metadata.t-schema.sql`` of a database named metadata)."""
    return name.endswith(".sql")


def _dump_mydumper(pipeline: Pipeline, dump_cmd: list[str], outdir: str, comp_cmd: list[str],
                   *, writer: HashingWriter, counters: Measurer) -> None:
    dump = pipeline.start(dump_cmd, stdout=subprocess.DEVNULL)

    def started() -> bool:
        return dump.poll() is not None or any(map(_mydumper_sql, os.listdir(outdir)))

    done = threading.Event()
    watcher = _watch(started, counters.past_snapshot, done)
    try:
        _check(dump, pipeline, "mydumper", DumperFailed)
    finally:
        done.set()
        watcher.join()
    tar = pipeline.start(["tar", "-C", outdir, "-cf", "-", "."], stdout=subprocess.PIPE)
    comp = pipeline.start(comp_cmd, stdin=tar.stdout, stdout=subprocess.PIPE)
    assert tar.stdout is not None
    tar.stdout.close()
    _stream(comp, writer)
    _check(tar, pipeline, "tar")
    _check(comp, pipeline, comp_cmd[0])


def _free_bytes(path: str) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def _version(binary: str) -> str:
    proc = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=False)
    return proc.stdout.decode("utf-8", "replace").strip().splitlines()[0] if proc.stdout else ""


def _summary(manifest: dict[str, Any], path: str) -> dict[str, Any]:
    return {"path": path, "manifest": manifest_path(path), "size": manifest.get("size"),
            "sha256": manifest.get("sha256"), "duration": manifest.get("duration"),
            "engine": manifest.get("engine"), "server_version": manifest.get("server_version"),
            "tables": manifest.get("tables", {}), "verified": manifest.get("verified") is True,
            "manifest_sha256": sha256_file(manifest_path(path)),
            "manifest_size": os.path.getsize(manifest_path(path)),
            "non_transactional": manifest.get("non_transactional", {}),
            "binlog": manifest.get("binlog", {}),
            "broken_views": manifest.get("broken_views", []),
            "broken_view_causes": manifest.get("broken_view_causes", {})}


def _remove_stale(dest: str, prefix: str) -> list[str]:
    """Leftovers of killed runs of exactly ``prefix`` (we hold its lock: nobody is
    writing them): unfinished files, manifests without their file, mydumper directories."""
    removed = []
    names = set(os.listdir(dest))
    for name in sorted(names):
        path = os.path.join(dest, name)
        kind = owned_by(name, prefix)
        orphan = kind == "manifest" and name[: -len(MANIFEST_SUFFIX)] not in names
        if kind == "partial" or orphan:
            os.unlink(path)
            removed.append(path)
        elif name.startswith(f".{prefix}-mydumper-") and "-" not in \
                name[len(f".{prefix}-mydumper-"):] and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def run(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    database, dest = p["database"], p["dest"]
    prefix = p["prefix"] or database
    problem = database_name_problem(database) or password_shown_masked(
        p["login_password"], {"database name": database, "file name prefix": p["prefix"],
                              "backup directory": dest})
    if problem:
        raise BackupFailed(problem)
    if "/" in prefix:
        # os.path.join(dest, name) would put the backup, its manifest and lock elsewhere
        raise BackupFailed(f"the file name prefix {prefix} (the database name unless prefix "
                           "is set) holds a '/': set prefix to a name without one")
    moment = datetime.datetime.now()
    period = period_key(moment, p["period"])
    if os.path.isdir(dest) and not p["force"]:
        existing = find_verified(dest, prefix, period, p["held"],
                                 p["reconciled"] if module.check_mode else ())
        if existing:  # verified, or would be (its manifest as marked: reconciled in check mode)
            return dict(_summary(existing["manifest"], existing["path"]), changed=False,
                        period=period, msg="verified backup of {} exists: {}".format(period, existing["path"]))
    if not os.path.isdir(dest):
        if module.check_mode:
            return {"changed": True, "period": period,
                    "msg": f"would create {dest} and dump {database} into it"}
        os.makedirs(dest, mode=0o700)
    client = find_binary(CLIENT_BINARIES)
    if not client:
        raise BackupFailed("no mariadb/mysql client installed")
    compressor = compress_argv(p["compression"], p["compression_level"])
    if not find_binary([compressor[0]]):
        raise BackupFailed(f"{compressor[0]} is not installed")
    available = {"mydumper": find_binary(["mydumper"]),
                 "mariadb-dump": find_binary(DUMP_BINARIES[:1]),
                 "mysqldump": find_binary(DUMP_BINARIES[1:])}
    with option_file(p["login_user"], p["login_password"],
                     host=p["login_host"], port=p["login_port"],
                     socket=p["login_unix_socket"], mydumper_session=True) as opt:
        client_cmd = client_argv(client, opt, database)
        version = run_sql(client_cmd, "SELECT VERSION();", timeout=60)[0][0] or ""
        tables = list_tables(client_cmd, database)
        if not tables:
            raise BackupFailed(no_tables_refusal(database))
        causes = broken_views(client_cmd, database)
        data_bytes = sum(t["bytes"] for t in tables)
        free = _free_bytes(dest)
        if p["engine"] == "auto" and available["mydumper"] and \
                free < estimate_dump_bytes(data_bytes, p["compression"], "mydumper"):
            available["mydumper"] = None
        candidate = p["engine"] == "mydumper" or (p["engine"] == "auto" and available["mydumper"])
        why_not = why_not_mydumper(tables, backtick_names(client_cmd, database), database,
                                   invisible=invisible_columns(client_cmd, database),
                                   binary_read=binary_read_columns(client_cmd, database),
                                   own_mode=own_sql_mode_objects(client_cmd, database)) \
            if candidate else ""
        if why_not and p["engine"] == "mydumper":
            raise BackupFailed(mydumper_refusal(why_not))
        if why_not and p["engine"] == "auto" and available["mydumper"]:
            available["mydumper"] = None
        else:
            why_not = ""
        engine, binary = select_engine(p["engine"], available)
        name = backup_name(prefix, moment, engine, p["compression"])
        path = os.path.join(dest, name)
        if module.check_mode:
            return {"changed": True, "period": period, "path": path, "engine": engine,
                    "server_version": version,
                    "msg": f"would dump {database} ({len(tables)} tables, "
                           f"{data_bytes // 2**20} MiB) with {engine} into {path}"
                           + (f" (mydumper not used: {why_not})" if why_not else "")}
        try:
            result = _take_backup(p, opt, client_cmd, tables, engine=engine, binary=binary,
                                  path=path, period=period, version=version, broken=causes)
            return dict(result, msg=f"{result['msg']} (mydumper not used: {why_not})") \
                if why_not else result
        except DumperFailed as exc:
            if p["engine"] != "auto" or engine != "mydumper":
                raise
            # auto: tonight's backup is not lost to a mydumper that failed or hung; dumped
            # again with the next engine (the failed attempt left nothing behind).
            available["mydumper"] = None
            engine, binary = select_engine("auto", available)
            _warn(module, f"{exc}; dumped again with {engine}")
            path = os.path.join(dest, backup_name(prefix, moment, engine, p["compression"]))
            result = _take_backup(p, opt, client_cmd, tables, engine=engine, binary=binary,
                                  path=path, period=period, version=version, broken=causes)
            return dict(result, msg=f"{result['msg']}, after: {exc}")


def _dumps(engine: str, binary: str, opt: str, database: str, measurer: Measurer, *,
           outdir: str | None, threads: int, broken: Sequence[str] = ()) -> list[list[str]]:
    """The dump commands: for mariadb-dump/mysqldump, the non-transactional tables first
    (run while the global read lock holds) when they fit the lock budget; the broken
    views left out (mariadb-dump stops at one; mydumper leaves them out itself)."""
    if engine == "mydumper":  # only on InnoDB tables (see run)
        return [dump_argv(engine, binary, opt, database, outdir=outdir, threads=threads)]
    main = _with_options(dump_argv(engine, binary, opt, database),
                         [f"--ignore-table={database}.{name}" for name in broken])
    if not measurer.nontx_locked:
        return [main]
    names = [t["name"] for t in measurer.nontx]
    first = _with_options(main, ["--skip-routines", "--skip-events", "--skip-lock-tables"], names)
    return [first, _with_options(main, [f"--ignore-table={database}.{n}" for n in names])]


def _take_backup(p: dict[str, Any], opt: str, client_cmd: list[str],
                 tables: list[dict[str, Any]], *, engine: str, binary: str, path: str,
                 period: str, version: str, broken: dict[str, str]) -> dict[str, Any]:
    dest, prefix = os.path.dirname(path), p["prefix"] or p["database"]
    lock_fd = os.open(os.path.join(dest, f".{prefix}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BackupFailed(f"another backup of {prefix} is running in {dest}") from exc
        _remove_stale(dest, prefix)
        if os.path.lexists(path) or os.path.lexists(manifest_path(path)):
            # the same second's backup (a clock set back): its manifest would be replaced
            raise BackupFailed(f"{path} exists: nothing is replaced (was the clock set back?)")
        threads = p["threads"] or os.cpu_count() or 2
        compressor = compress_argv(p["compression"], p["compression_level"])
        started, clock = now_iso(), time.monotonic()
        pipeline = Pipeline()
        measurer = Measurer(client_cmd, p["database"], tables, enabled=p["row_counts"],
                            lock_budget=p["lock_budget_mb"] * 2**20, parallel=threads,
                            answer_timeout=p["stall_timeout"] or None)
        writer = HashingWriter(path)
        outdir = None
        try:
            measurer.start()
            if engine == "mydumper" and measurer.lock_waited:
                # mydumper's own FLUSH TABLES WITH READ LOCK has no time limit: waiting, it
                # would hold every write of the database until the stall timeout (seen in
                # the lab behind an admin's LOCK TABLES: SIPP's writes waited 40 s of 40)
                raise DumperFailed(
                    f"mydumper not started: FLUSH TABLES WITH READ LOCK was not had within "
                    f"{READ_LOCK_TIMEOUT} s ({measurer.lock.error}), and mydumper's own would "
                    "wait without limit, every write of the database held meanwhile")
            if engine == "mydumper":
                outdir = tempfile.mkdtemp(prefix=f".{prefix}-mydumper-", dir=dest)
                cmd = _dumps(engine, binary, opt, p["database"], measurer, outdir=outdir,
                             threads=threads)[0]
                mydumper_dir = outdir
                with StallGuard(pipeline.kill, lambda: _tree_bytes(mydumper_dir) + writer.size,
                                p["stall_timeout"], engine, error=DumpStalled,
                                diagnose=functools.partial(lock_wait, client_cmd),
                                diagnosed_error=DumpWaitedForLock):
                    _dump_mydumper(pipeline, cmd, outdir, compressor, writer=writer,
                                   counters=measurer)
            else:
                dumps = _dumps(engine, binary, opt, p["database"], measurer, outdir=None,
                               threads=threads, broken=list(broken))
                with StallGuard(pipeline.kill, lambda: writer.size, p["stall_timeout"], engine,
                                error=DumpStalled, diagnose=functools.partial(lock_wait, client_cmd),
                                diagnosed_error=DumpWaitedForLock):
                    _dump_sql(pipeline, dumps, compressor, writer=writer, counters=measurer)
            measured = measurer.result()
            left_out = {f"view:{name}" for name in broken}
            objects = {"objects": {key: value for key, value in measured["objects"].items()
                                   if key not in left_out}} if "objects" in measured else {}
            duration = round(time.monotonic() - clock, 3)
            manifest = {
                "manifest_version": 2, "file": os.path.basename(path), "database": p["database"],
                "host": socket.getfqdn(), "server_version": version, "engine": engine,
                "engine_version": _version(binary), "format": "mydumper-tar" if engine == "mydumper" else "sql",
                "compression": p["compression"], "size": writer.size,
                "sha256": writer.sha256.hexdigest(), "started_at": started, "finished_at": now_iso(),
                "duration": duration, "period": period, "period_kind": p["period"],
                "tables": measured["tables"], **objects,
                "row_counts": measurer.note if measurer.enabled else "not recorded",
                "checksums": CHECKSUM_METHOD if measurer.enabled else "not recorded",
                "non_transactional": measurer.nontransactional(),
                "binlog": measurer.binlog, "broken_views": list(broken),
                "broken_view_causes": broken,
                "verified": False, "verification": {"status": "pending"},
            }
            writer.sync()
            # The manifest first, the final name last: a final-named file always has one.
            write_json_atomic(manifest_path(path), manifest)
            writer.publish()
        except BaseException:
            pipeline.kill()
            measurer.abort()
            writer.discard()
            with contextlib.suppress(FileNotFoundError):
                if not os.path.exists(path):
                    os.unlink(manifest_path(path))
            raise
        finally:
            if outdir:
                shutil.rmtree(outdir, ignore_errors=True)
    finally:
        os.close(lock_fd)
    return dict(_summary(manifest, path), changed=True, period=period,
                msg="dumped {} with {} in {:.1f} s".format(p["database"], engine, duration))


def _warn(module: AnsibleModule, text: str) -> None:
    """module.warn with the no_log option values (login_password) masked: Ansible masks
    them in the rest of the result, but ansible-core 2.19 returns a warning (an event
    object, not a string) as it was given."""
    module.warn(remove_values(text, module.no_log_values))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "database": {"type": "str", "required": True},
            "dest": {"type": "path", "required": True},
            "prefix": {"type": "str"},
            **LOGIN_ARGUMENT_SPEC,
            "engine": {"type": "str", "default": "auto",
                       "choices": ["auto", "mariadb-dump", "mysqldump", "mydumper"]},
            "compression": {"type": "str", "default": "zstd", "choices": ["zstd", "gzip"]},
            "compression_level": {"type": "int"},
            "threads": {"type": "int", "default": 0},
            "stall_timeout": {"type": "int", "default": 900},
            "period": {"type": "str", "default": "daily",
                       "choices": ["daily", "weekly", "monthly", "always"]},
            "force": {"type": "bool", "default": False},
            **PERIOD_ARGUMENT_SPEC,
            "row_counts": {"type": "bool", "default": True},
            "lock_budget_mb": {"type": "int", "default": 256},
        },
        supports_check_mode=True,
    )
    p = module.params
    refused = (seconds_error(p, "stall_timeout", zero="never stops it")
               or (range_error(p, "compression_level", **RANGES[f"{p['compression']} level"])
                   if p["compression_level"] is not None else None)
               or range_error(p, "threads", **RANGES["threads"]))
    if refused:
        module.fail_json(**refused)
    try:
        result = run(module)
        if result.get("broken_views"):
            left_out = broken_views_note(result.get("broken_view_causes") or {},
                                         result["broken_views"])
            _warn(module, left_out)
            result["msg"] = f"{result['msg']}; {left_out}"
        rounded = rounded_floats_note(result.get("tables") or {})
        if rounded:
            _warn(module, rounded)
            result["msg"] = f"{result['msg']}; {rounded}"
    except (BackupFailed, MariaDBError, ValueError) as exc:
        module.fail_json(msg="backup of {} failed: {}".format(module.params["database"], exc))
    except OSError as exc:
        module.fail_json(msg="backup of {} failed: {}: {}".format(
            module.params["database"], exc.strerror, exc.filename or ""))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
