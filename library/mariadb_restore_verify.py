#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: prove a backup restores with the same content, in a scratch database."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import IO, Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    BackupMissing,
    LockTimeout,
    disk_full,
    ended,
    expendable,
    flock_holder,
    load_backup,
    manifest_path,
    note_holder,
    now_iso,
    restore_user,
    sha256_fileobj,
    wait_flock,
    write_json_atomic,
)
from ansible.module_utils.sop_backup_ledger import backups, read, record_verified
from ansible.module_utils.sop_backup_sql import compare, measure
from ansible.module_utils.sop_bahasa import angka
from ansible.module_utils.sop_mariadb import (
    CLIENT_BINARIES,
    CONNECT_TIMEOUT,
    MAX_PACKET,
    MariaDBError,
    decompress_argv,
    find_binary,
    first_error_line,
    quote_identifier,
    run_sql,
)
from ansible.module_utils.sop_options import RANGES, range_error, seconds_error
from ansible.module_utils.sop_tree import NotRegularFile, open_once

DOCUMENTATION = r"""
---
module: mariadb_restore_verify
short_description: Verify a MariaDB backup by restoring it into a scratch database
description:
  - >-
    Checks the backup file's SHA-256, restores what it hashed (the file is opened once,
    hashed and restored from that same open file, so a file put in its place meanwhile is
    not what is restored; a symbolic link is not followed and anything but a regular file
    is refused: the store no longer holds the file it took in, nothing is proven about
    the backup, and the task fails naming it, C(status=error), nothing recorded) into a
    new scratch database
    C(sop_verify_<time>_<pid>) and compares, table by table, the row count, a content
    checksum and the columns with the manifest (measured in the dump's own snapshot),
    and the definitions of the views, triggers, routines and events (a view the backup
    left out as broken, C(broken_views) in the manifest, that the dump holds all the same
    is no difference). Of a backup taken without row counts (mariadb_backup's
    C(row_counts=false)) only its table list is compared. A manifest that lists no table
    (a backup of an empty or a wrong database, or one without its table list) fails its
    verification: a restore of nothing proves nothing. The scratch
    database is dropped afterwards, also on failure, and so is every other scratch-named
    database the restore created (a crafted dump's C(CREATE DATABASE) of another
    C(sop_verify_) name, with its tables and events), and the backup then fails its
    verification. Scratch databases left by a killed run are dropped at the start of the
    next one.
  - Least privilege. Everything that reads the untrusted backup runs as the unprivileged
    OS user O(os_user) (decompression, C(tar), the client, C(myloader)), which logs in
    to MariaDB over the Unix socket as the account of the same name (C(unix_socket)
    authentication, no password), allowed only C(ALL ON `sop\_verify\_%`.*). The client
    runs with C(--binary-mode --sandbox), so client commands such as C(\!), C(system)
    or C(source) in a crafted dump are not run; the client and C(myloader) refuse
    C(LOAD DATA LOCAL INFILE) (C(--local-infile=0), and for C(myloader) an option file
    saying so), and a mydumper archive that unpacks to anything but plain files and
    folders (a symbolic link to one of this computer's files), or holds a compressed
    file (which C(myloader) would decompress, unread by the checks before it; the SOP's
    dumps compress none), fails before C(myloader) runs, so a crafted dump cannot read this computer's files; definers are stripped, so
    no object runs with another account's rights. Every process of that user runs with
    C(oom_score_adj) 1000 (C(choom)), so when memory runs out the kernel stops them
    first, not this computer's MariaDB or sshd; a dump that makes them grow without end
    (one statement that never ends) fails its verification, killed by SIGKILL.
  - >-
    Statements this computer's MariaDB would skip. A statement in a versioned executable
    comment of six digits above this server's version (C(/*!110800 ...*/) or
    C(/*M!110800 ...*/) on MariaDB 10.11.19, anywhere in a line) is skipped by it, and run
    by a MariaDB of that version or newer, where the backup may be restored by hand as
    root: the verification fails before that statement is sent ("the dump holds a
    statement only MariaDB 11.8.0 or newer runs (/*!110800 ...), which this computer's
    MariaDB 10.11.19 skips ..."), for a crafted dump and for the dump of a newer server
    alike, which verifies once this computer's MariaDB is upgraded to that version.
    mariadb-dump's first line C(/*M!999999\- enable the sandbox mode */), which no
    server runs, and five-digit (MySQL) versions are accepted. A mariadb-dump backup is
    read for them in the stream that feeds the client (C(sed)), a mydumper one in its
    unpacked files before C(myloader) runs (both read as O(os_user)); the server's
    version is asked first. The check reads lines, not SQL: such a text inside a value
    (typed into a SIPP field) fails the verification too.
  - The server should write no binary log (as on a dedicated backup computer; the
    sipp_backup role configures it so); with one, creating routines needs
    C(log_bin_trust_function_creators).
  - With O(ledger) the result is appended to the backup computer's own record; with
    O(update_manifest) it is written into the manifest. A backup already recorded as
    verified with the same SHA-256 is not restored again. A manifest whose SHA-256 is no
    longer the one the record took in (changed in the store since) is not trusted; the
    task fails naming it (C(status=error)) and nothing is recorded.
  - >-
    With O(ledger), a backup that verified is compared with the newest backup before it
    in the record that verified too (the counts of its manifest, whose SHA-256 the record
    took in): each table of at least O(shrink_min_rows) rows there that is gone, or that
    lost more than O(shrink_percent) percent of its rows, is named in RV(shrunk) and in a
    C(finding) of RV(sop_output) (a Temuan the head of the unit is told of). SIPP's case
    data only grows: a compromised or mistaken SIPP server pushing a gutted database, which
    restores and verifies, would otherwise pass unnoticed until retention had pruned the
    older good backups of the days and weeks before. The backup is still verified. The
    finding is recorded with its C(verified) event in the record (C(shrunk)), never in the
    pushed manifest, and backup_retention holds back the last verified backup before it
    until the admin acknowledges it.
  - When the verification cannot run because of this computer (no space to unpack, its
    MariaDB down or out of memory, the verification account missing, a client too old for
    C(--sandbox), a symbolic link or a FIFO at the backup's name, a backup file it cannot
    open or read, another verification holding the lock past O(timeout)) the task fails with
    that cause and nothing is recorded. The backup is not judged and stays unverified
    (C(status=error) in RV(verification)). So too when the restore may not use a table of
    another database (a view, routine or trigger of the SIPP database reading another
    database of the SIPP server, which a restore of this backup alone cannot hold), the
    cause naming that database.
  - >-
    With O(ledger), the result is appended to the record holding the store's lock
    (C(.ingest.lock) beside O(ledger), the one every ingest, sweep and retention of the
    store holds), taken after the restore, for the append only: an ingest or a retention
    of the store at work is waited for, at most O(lock_timeout) seconds. A lock still
    held then, or a record that cannot be written (its disk full), fails the task in one
    line naming the cause (the lock's holder, as far as C(/proc/locks) tells, and the
    wait) with C(status=error) in RV(verification): nothing is recorded and the backup
    stays unverified, as the record alone says what is verified.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  path:
    description: Backup file (C(.sql.zst), C(.sql.gz), C(.tar.zst), C(.tar.gz)).
    type: path
    required: true
  manifest:
    description: Manifest; defaults to O(path) plus C(.manifest.json).
    type: path
  ledger:
    description: The backup computer's record (C(ledger.jsonl)) to append the result to.
    type: path
  os_user:
    description: Unprivileged OS user (and MariaDB account, unix_socket) for the restore.
    type: str
    default: sop_verify
  login_unix_socket:
    description: MariaDB socket; the client's default when omitted.
    type: str
  work_dir:
    description: Where a mydumper archive is unpacked (needs its uncompressed size).
    type: path
    default: /var/tmp
  checksum:
    description:
      - Check the file's SHA-256 against the manifest first.
      - Always done with O(ledger), whose record is under the SHA-256 the store took in, so
        that a result is never recorded under a SHA-256 that was not checked.
    type: bool
    default: true
  update_manifest:
    description: Record the result in the manifest.
    type: bool
    default: false
  fail_on_mismatch:
    description: Fail the task when the verification fails (after recording it).
    type: bool
    default: true
  threads:
    description: myloader threads and parallel checksum sessions; V(0) means the number of CPUs.
    type: int
    default: 0
  timeout:
    description:
      - Seconds the verification may take, from the wait for its lock to the comparison.
        Then everything still running is stopped and the task fails without judging the
        backup (C(status=error)), as for a verification this computer cannot run. It bounds
        a hung loader and a backup that unpacks to far more than it should (a compressed
        bomb from a compromised server).
      - >-
        One verification runs at a time on a computer (the lock
        C(/run/sop-backup-verify.lock), shared by the SIPP backups' and the website
        backups' verifications): the wait for another one counts in this timeout. A lock
        still held when it has passed fails the task the same way, before anything is
        restored, in one line naming the holder as far as C(/proc/locks) tells (its pid,
        command line and the backup it verifies) and how long it waited.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 14400
  lock_timeout:
    description:
      - >-
        With O(ledger), seconds to wait for the store's lock (C(.ingest.lock) beside
        O(ledger)) to record the result, after the restore (not counted in O(timeout)).
        V(0) does not wait; a negative value fails the task with C(setting)
        C(lock_timeout).
    type: int
    default: 300
  stall_timeout:
    description:
      - >-
        Seconds the restore may read nothing of the backup, before it has read all of it.
        Then everything still running is stopped and the task fails without judging the
        backup (C(status=error)): the scratch MariaDB server stopped taking data (hung,
        stopped, or waiting for disk space, which it does without end for MyISAM and Aria
        tables), which the O(timeout) alone told hours later. V(0) turns the check off.
      - >-
        Watched is what the restore reads: the backup file for a mariadb-dump backup
        (until all of it is read; the statements left then are bounded by O(timeout)
        alone), the archive's unpacking, then all myloader reads (the unpacked files and
        the server's answers) for a mydumper backup. One statement that runs this long
        while the restore reads nothing further (an index of a very large table built
        after its rows are loaded) is taken for a stall too: raise it for such a database.
      - Below 0 fails the module with C(setting) C(stall_timeout).
    type: int
    default: 600
  shrink_percent:
    description:
      - A table that lost more than this percentage of its rows since the previous verified
        backup is named in RV(shrunk) (with O(ledger)); V(0) compares nothing (the
        sipp_backup role sets 50; a CMS database, whose logs and caches are purged, is not
        compared).
      - >-
        From 0 to 99; another fails the module with C(setting) C(shrink_percent) (no table
        loses more than 100 percent: 150 found only the tables gone, a negative one nothing).
    type: int
    default: 0
  shrink_min_rows:
    description:
      - Tables with fewer rows in the previous verified backup are not compared.
      - >-
        0 or more (V(0) compares every table); a negative value fails the module with
        C(setting) C(shrink_min_rows).
    type: int
    default: 1000
attributes:
  check_mode:
    support: full
    description: Reads the manifest and reports what it would restore; restores nothing.
"""

EXAMPLES = r"""
- name: Restore the stored copy into a scratch database and compare its content
  mariadb_restore_verify:
    path: /srv/backup/sipp/400999/sipp-20261121T020000.sql.zst
    ledger: /srv/backup/sipp/400999/ledger.jsonl
  register: verify
"""

RETURN = r"""
verified:
  description: Whether the backup restored with the manifest's content.
  returned: always
  type: bool
verification:
  description: Status (C(ok), C(failed), or C(error) when the verification could not run),
    reason (at most 2000 characters, as it quotes the manifest), method, time, host, scratch
    database, duration (the wait for the lock included), and lock_wait (the seconds it
    waited for another verification's lock, when it waited a second or more).
  returned: always
  type: dict
tables:
  description: Row counts found in the restored scratch database.
  returned: when restored
  type: dict
path:
  description: The backup verified.
  returned: except in check mode
  type: str
shrunk:
  description: The previous verified backup (C(previous)), its tables of at least
    O(shrink_min_rows) rows gone (C(tables_gone)) and those that lost more than
    O(shrink_percent) percent of their rows (C(tables_shrunk), each C(table), C(rows_before),
    C(rows_now)); null when none did, or no previous verified backup could be read.
  returned: when verified with O(ledger)
  type: dict
sop_output:
  description: The C(finding) naming what RV(shrunk) holds, for the sop record.
  returned: when RV(shrunk) is not null
  type: dict
"""

SCRATCH_PREFIX = "sop_verify_"
LOCK_PATH = "/run/sop-backup-verify.lock"
# Longest time (seconds) a scratch database's DROP may take, client and server side.
DROP_SECONDS = 300
# Longest wait (seconds) between two looks at a restore's progress (see Stall).
STALL_CHECK_SECONDS = 30
# Definers are removed from the statements that create objects: the scratch account may
# not create objects that run as someone else.
STRIP_DEFINER = r"s/DEFINER=`([^`]|``)*`@`([^`]|``)*`//g"
METHOD = ("restore into a scratch database as an unprivileged account (client --binary-mode "
          "--sandbox, no LOAD DATA LOCAL), then per-table row count, content checksum and "
          "columns, and the definitions of views, triggers, routines and events, compared "
          "with the manifest")


# Exit code of the restore's sed at a statement this server would skip (newer_program).
NEWER_EXIT = 3
# mariadb-dump's first line (10.11.8 and later), a marker for the client that no server
# runs: a statement under that version runs nowhere.
NEVER_RUN = 999999


def version_id(version: str) -> tuple[str, int] | None:
    """The version of a VERSION() answer and the number an executable comment's version
    is compared with: ``10.11.19-MariaDB-log`` ("10.11.19", 101119); None when it names
    no version."""
    found = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if not found:
        return None
    major, minor, patch = (int(part) for part in found.groups())
    return found.group(0), major * 10000 + minor * 100 + patch


def _between(low: str, high: str) -> list[str]:
    """ERE alternatives matching exactly the digit strings from ``low`` to ``high``
    (of one length, ``low`` <= ``high``)."""
    if not low:
        return [""]
    if low[0] == high[0]:
        return [low[0] + tail for tail in _between(low[1:], high[1:])]
    rest = len(low) - 1
    first, last = int(low[0]), int(high[0])
    parts, after = [], []
    if low[1:] != "0" * rest:
        parts = [low[0] + tail for tail in _between(low[1:], "9" * rest)]
        first += 1
    if high[1:] != "9" * rest:
        after = [high[0] + tail for tail in _between("0" * rest, high[1:])]
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(digit + "[0-9]" * min(rest, 1) + (f"{{{rest}}}" if rest > 1 else ""))
    return parts + after


def newer_pattern(server: int) -> str | None:
    """An ERE (for sed and Python alike) of the executable comments a server of
    version ``server`` (version_id) skips and a newer MariaDB runs: ``/*!NNNNNN`` and
    ``/*M!NNNNNN`` of six digits above ``server``, but for NEVER_RUN. A five-digit one
    (MySQL's) runs alike on every MariaDB 10 or later: below 50700 always, from 50700 (MySQL
    5.7 and later) never (seen on 10.11: ``/*!80000`` skipped). None when there is none."""
    if server + 1 > NEVER_RUN - 1:
        return None
    return "/\\*M?!(" + "|".join(_between(f"{server + 1:06d}", f"{NEVER_RUN - 1}")) + ")"


def newer_program(server: int) -> str:
    """sed program lines that stop the stream, exiting NEWER_EXIT, at the first line
    holding an executable comment newer than ``server`` (newer_pattern), unsent, and
    write that comment to stderr; nothing when there can be none."""
    pattern = newer_pattern(server)
    if pattern is None:
        return ""
    return (f"\\%{pattern}%{{\ns%.*({pattern}).*%\\1%w /dev/stderr\n"
            f"Q {NEWER_EXIT}\n}}\n")


def newer_reason(stderr: bytes, server: str) -> str | None:
    """The verdict on a dump holding the comment newer_program wrote to ``stderr``,
    skipped by this computer's MariaDB ``server`` (its version); None when it wrote none."""
    found = re.search(rb"/\*M?!(\d{6})", stderr)
    if not found:
        return None
    number = int(found.group(1))
    needed = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    return (f"the dump holds a statement only MariaDB {needed} or newer runs "
            f"({found.group(0).decode()} ...), which this computer's MariaDB {server} skips: "
            f"what it does is not verified (to verify such a backup, upgrade this computer's "
            f"MariaDB to {needed} or newer)")


# Longest reason recorded: it quotes the manifest's values (the SIPP server's, up to
# MANIFEST_MAX), which must not reach the record, the result and the sop record whole.
REASON_MAX = 2000


def clipped(reason: str) -> str:
    """``reason`` cut to REASON_MAX characters, saying how many were left out."""
    if len(reason) <= REASON_MAX:
        return reason
    return f"{reason[:REASON_MAX]}... ({len(reason) - REASON_MAX} more characters)"


class VerifyFailed(Exception):
    """The backup did not verify; message is one clear line."""


class VerifyError(Exception):
    """The verification could not run: a problem of this computer (no space to unpack, its
    MariaDB down, the verification account missing, no regular file at the backup's name
    in its store), not a verdict on the backup."""


# Errors that say what this computer lacks, not what the backup holds: disk space, memory,
# the MariaDB server (1021 disk full, 1037/1038/1041 out of memory, 1040 too many
# connections, 1203/1226 the account's connection or resource limit, 1114 table full,
# 1153 a row larger than its max_allowed_packet, 2002/2003 cannot connect, 2006 gone away,
# 2013 lost), and a client older than its --sandbox option (MariaDB 10.5.25, 10.6.18,
# 10.11.8). myloader says "Server has gone away" (libmariadb's words; the client's are
# "MySQL server has gone away"): a 20 MB row over this server's 16M max_allowed_packet
# had a good backup renamed .failed (seen in the lab). A crafted dump can only print them
# to have itself left unverified, never verified.
ENVIRONMENT = re.compile(r"No space left on device|Disk quota exceeded|Cannot allocate memory|"
                         r"unknown option '--sandbox'|"
                         r"ERROR (?:1021|1037|1038|1040|1041|1114|1153|1203|1226|2002|2003|"
                         r"2006|2013)\b|The table '[^']*' is full|Disk full|"
                         r"[Ss]erver has gone away|Lost connection to|max_allowed_packet")

# A statement the verification account may not run because it names a table of another
# database than the scratch one: a view, routine or trigger of the SIPP database reading
# another database of the SIPP server, which a restore of this backup alone cannot hold
# (seen in the lab: a view of `sipp_ref`.`satker` had myloader say "ANY command denied to
# user 'sop_verify'@'localhost' for table `sipp_ref`.`satker`", and every backup was
# renamed .failed). Not a verdict on the backup either: it is left unverified, that
# database named. A crafted dump can only print it to have itself left unverified.
OTHER_DATABASE = re.compile(r"command denied to user '[^']*'@'[^']*' for table "
                            r"`((?:[^`]|``)+)`\.`")


def other_database(reason: str) -> str | None:
    """The database other than a scratch one that ``reason`` (a restore's error) says the
    verification account may not use, or None."""
    match = OTHER_DATABASE.search(reason)
    name = match[1].replace("``", "`") if match else None
    return None if name is None or name.startswith(SCRATCH_PREFIX) else name


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Kill the processes and reap them."""
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.communicate()


class Stall:
    """Whether a restore stopped making progress: ``position()``, the bytes its reading
    process has read so far, did not move for ``seconds`` (while short of ``end``, the
    backup file's size, when it reads that file). The scratch server then takes no data:
    hung, stopped, or waiting for disk space, which MariaDB does without end for MyISAM
    and Aria tables. Once the whole file is read, the last statements may run as long as
    they take (the timeout bounds them)."""

    def __init__(self, position: Callable[[], int | None], seconds: int, what: str,
                 end: int | None = None) -> None:
        self.position, self.seconds, self.what, self.end = position, seconds, what, end
        self.every = min(float(STALL_CHECK_SECONDS), seconds / 2)
        self.read: int | None = None
        self.since = time.monotonic()

    @classmethod
    def of_file(cls, source: IO[bytes], seconds: int) -> Stall:
        """The open file ``source`` read by a child (one open file description: its
        offset is the child's)."""
        fd = source.fileno()
        return cls(lambda: os.lseek(fd, 0, os.SEEK_CUR), seconds, "the restore",
                   os.fstat(fd).st_size)

    def stalled(self) -> bool:
        read, now = self.position(), time.monotonic()
        if read is None or read != self.read or (self.end is not None and read >= self.end):
            self.read, self.since = read, now
            return False
        return now - self.since >= self.seconds

    def reason(self) -> str:
        where = (f"at byte {self.read} of {self.end}" if self.end is not None
                 else f"after {self.read} bytes")
        return (f"{self.what} read nothing of the backup for {self.seconds} s, {where}: the "
                "scratch MariaDB server stopped taking data (hung, stopped, or waiting for "
                "disk space): stopped")


class Runner:
    """Runs the restore's processes as the unprivileged OS user, the first the kernel stops
    when memory runs out."""

    def __init__(self, os_user: str, sock: str | None, *, seconds: int, deadline: float,
                 stall: int = 0) -> None:
        self.seconds, self.deadline, self.stall = seconds, deadline, stall
        try:
            entry = restore_user(os_user)
        except LookupError as exc:
            raise VerifyError(str(exc)) from None
        self.user, self.uid, self.gid = os_user, entry.pw_uid, entry.pw_gid
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "LC_ALL": "C"}
        client = find_binary(CLIENT_BINARIES)
        if not client:
            raise VerifyError("no mariadb/mysql client installed")
        # --no-defaults: no option file of the (root) caller is read. --local-infile=0: a
        # statement of the dump cannot make the client send this computer's files.
        # --connect-timeout: a hung server fails each statement's connection then, not at
        # the statement's own limit (the cleanup of a stalled restore waited 5 minutes a
        # statement on a stopped server).
        self.client = [client, "--no-defaults", "--local-infile=0", f"--user={os_user}",
                       "--protocol=socket", *([f"--socket={sock}"] if sock else []),
                       "--default-character-set=utf8mb4", f"--connect-timeout={CONNECT_TIMEOUT}"]
        self.sock = sock

    def popen(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(expendable(argv), user=self.uid, group=self.gid, extra_groups=[],
                                env=self.env, cwd="/", stderr=subprocess.PIPE, **kwargs)

    def overtime(self) -> VerifyError:
        return VerifyError(f"not finished within {self.seconds} s (timeout): stopped")

    def left(self) -> float:
        """Seconds left before the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.overtime()
        return left

    def wait(self, procs: list[subprocess.Popen[bytes]],
             stall: Stall | None = None) -> list[bytes]:
        """The processes' stderr once all ended. All are killed at the deadline, and when
        ``stall`` says the restore stalled."""
        errors = []
        for proc in reversed(procs):
            while True:
                left = self.deadline - time.monotonic()
                if stall is not None:
                    left = min(left, stall.every)
                try:
                    errors.append(proc.communicate(timeout=max(0.1, left))[1])
                    break
                except subprocess.TimeoutExpired:  # retried: no output is lost
                    if time.monotonic() >= self.deadline:
                        stop(procs)
                        raise self.overtime() from None
                    if stall is not None and stall.stalled():
                        stop(procs)
                        raise VerifyError(stall.reason()) from None
        return errors[::-1]

    def run(self, argv: list[str], watched: bool = False) -> None:
        """Run ``argv``; ``watched``: stopped when it reads nothing for the stall timeout
        (myloader, which reads the unpacked backup and the server's answers)."""
        proc = self.popen(argv, stdout=subprocess.DEVNULL)
        pid = proc.pid
        stall = (Stall(lambda: self.bytes_read(pid), self.stall, os.path.basename(argv[0]))
                 if watched and self.stall else None)
        err = self.wait([proc], stall)[0]
        if proc.returncode != 0:
            raise VerifyFailed(f"{os.path.basename(argv[0])} failed: "
                               f"{first_error_line(err) or ended(proc.returncode)}")

    def bytes_read(self, pid: int) -> int | None:
        """Bytes process ``pid`` (all its threads) has read, files and sockets (``rchar``
        of /proc/PID/io, proc(5)); None when it cannot be told. Read as this user, the
        process's own: root may read another account's only with CAP_SYS_PTRACE, which a
        container's root often lacks."""
        try:
            text = subprocess.run(["cat", f"/proc/{pid}/io"], user=self.uid, group=self.gid,
                                  extra_groups=[], env=self.env, cwd="/", capture_output=True,
                                  timeout=10, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return None
        found = re.search(rb"^rchar: (\d+)$", text, re.MULTILINE)
        return int(found.group(1)) if found else None

    def batch(self, database: str | None = None) -> list[str]:
        """argv of a batch client (used through run_sql, as this user)."""
        return expendable(["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}",
                           "--clear-groups", *self.client, "--batch", "--skip-column-names",
                           *([database] if database else [])])

    def chain(self, stages: list[list[str]], source: IO[bytes], what: str = "restore",
              newer: tuple[int, str] | None = None) -> None:
        """``stage1 < source | stage2 | ...`` from the start of the open file ``source``,
        every stage as this user; a failure of the last stage is called ``what``.
        ``newer``: the index of the stage that runs newer_program and this server's
        version; that stage's stop is the verdict, whatever the others then said."""
        source.seek(0)
        procs = [self.popen(stages[0], stdin=source, stdout=subprocess.PIPE)]
        for index, argv in enumerate(stages[1:], start=1):
            previous = procs[-1].stdout
            last = index == len(stages) - 1
            procs.append(self.popen(argv, stdin=previous,
                                    stdout=subprocess.DEVNULL if last else subprocess.PIPE))
            assert previous is not None
            previous.close()
            procs[-2].stdout = None  # handed to the next stage
        errors = self.wait(procs, Stall.of_file(source, self.stall) if self.stall else None)
        if len(errors) != len(procs):  # zip(strict=True) is Python 3.10+
            raise ValueError(f"{len(errors)} error outputs for {len(procs)} stages")
        if newer is not None and procs[newer[0]].returncode == NEWER_EXIT:
            reason = newer_reason(errors[newer[0]], newer[1])
            if reason:
                raise VerifyFailed(reason)
        failed = [(index, err) for index, (proc, err) in enumerate(zip(procs, errors))
                  if proc.returncode not in (0, -13)]  # -13: SIGPIPE after a later failure
        if failed:
            index, err = failed[-1] if failed[-1][0] == len(stages) - 1 else failed[0]
            stage = what if index == len(stages) - 1 else os.path.basename(stages[index][0])
            raise VerifyFailed(f"{stage} failed: "
                               f"{first_error_line(err) or ended(procs[index].returncode)}")


def end_sessions(runner: Runner, seconds: float) -> None:
    """End the verification account's other sessions in the server (best effort). A
    restore stopped at its time limit leaves its statement running there (the server
    notices no dead client while it computes), holding the locks a DROP DATABASE waits
    for; we hold the host-wide lock, so no other verification is running."""
    with contextlib.suppress(MariaDBError):
        rows = run_sql(runner.batch(), "SELECT ID FROM information_schema.PROCESSLIST WHERE "
                       "USER = SUBSTRING_INDEX(USER(), '@', 1) AND ID <> CONNECTION_ID();\n",
                       timeout=seconds)
        for ident in (row[0] for row in rows if row):
            if ident and ident.isdigit():
                with contextlib.suppress(MariaDBError):  # ended meanwhile
                    run_sql(runner.batch(), f"KILL CONNECTION {ident};\n", timeout=seconds)


def drop_scratch(runner: Runner, name: str, seconds: float) -> None:
    """Drop a scratch database within ``seconds``, in the server too (lock_wait_timeout):
    without a limit the DROP of a stopped restore's database waited for its locks, a day
    by MariaDB's default, holding the verification lock. MariaDBError when it did not."""
    seconds = max(1, int(seconds))
    end_sessions(runner, seconds)
    run_sql(runner.batch(), f"SET SESSION lock_wait_timeout={seconds};\n"
            f"DROP DATABASE IF EXISTS {quote_identifier(name)};\n", timeout=seconds)


def sweep_scratch(runner: Runner, seconds: float = DROP_SECONDS) -> list[str]:
    """Drop scratch databases a killed verification left (we hold the host-wide lock).

    The pattern names its escape ('!'): a backslash is none when the server's sql_mode
    has NO_BACKSLASH_ESCAPES ('sop\\_verify\\_%' then matched no scratch database), and
    SHOW DATABASES LIKE takes no ESCAPE clause."""
    rows = run_sql(runner.batch(), "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                   "WHERE SCHEMA_NAME LIKE 'sop!_verify!_%' ESCAPE '!';\n", timeout=60)
    stale = [name for name in (row[0] for row in rows if row) if name and name.startswith(SCRATCH_PREFIX)]
    for name in stale:
        drop_scratch(runner, name, seconds)
    return stale


# What myloader decompresses itself (mydumper --compress): the SOP's backups hold none,
# and the checks before myloader (newer_pattern) read no compressed file.
COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd", ".lz4", ".bz2", ".xz")


def not_a_plain_file(workdir: str) -> str | None:
    """The first entry of an unpacked archive that is neither a plain file nor a folder,
    or a compressed file (mydumper writes only plain files, as the SOP runs it): a
    symbolic link would make myloader read, as SQL, a file of this computer (or
    /dev/zero, without end); a compressed one myloader would read unchecked."""
    for folder, dirs, files in os.walk(workdir):
        for name in sorted(dirs + files):
            mode = os.lstat(os.path.join(folder, name)).st_mode
            kind = ("symbolic link" if stat.S_ISLNK(mode)
                    else None if stat.S_ISDIR(mode)
                    else "compressed file" if name.endswith(COMPRESSED_SUFFIXES)
                    else None if stat.S_ISREG(mode) else "special file")
            if kind:
                return f"{kind} {os.path.relpath(os.path.join(folder, name), workdir)}"
    return None


def open_backup(path: str) -> IO[bytes]:
    """The backup ``path`` opened for reading, once: it is hashed and restored through
    this one open file. A symbolic link is not followed; a FIFO, a device or a folder is
    refused (and a FIFO not waited for): VerifyError names it, as what the store holds at
    the name is not the backup it took in (a link put there by whoever changed the store
    is no verdict on that backup). One that cannot be opened (EACCES, EIO) is a
    VerifyError too: nothing is proven about the backup."""
    try:
        return open_once(path)
    except NotRegularFile as exc:
        raise VerifyError(str(exc)) from None
    except OSError as exc:
        raise VerifyError(f"cannot read {path}: {exc.strerror}") from None


def server_version(runner: Runner) -> tuple[str, int]:
    """This computer's MariaDB version (``10.11.19``) and its version_id number."""
    try:
        rows = run_sql(runner.batch(), "SELECT VERSION();\n", timeout=runner.left())
    except MariaDBError as exc:
        raise VerifyError(f"MariaDB: {exc}") from None
    answer = str(rows[0][0]) if rows and rows[0] else ""
    version = version_id(answer)
    if version is None:
        raise VerifyError(f"cannot tell this computer's MariaDB version from SELECT VERSION() "
                          f"({answer!r})")
    return version


def restore(runner: Runner, manifest: dict[str, Any], path: str, backup: IO[bytes],
            scratch: str, *, work_dir: str, threads: int) -> None:
    """Restore ``backup`` (the open file of ``path``, whose name tells its compression)
    into ``scratch``. A dump holding a statement this computer's MariaDB would skip as
    too new (newer_pattern) fails before that statement is sent."""
    shown, number = server_version(runner)
    unpack = decompress_argv(path)[:-1]  # read from stdin: the file root opened
    if manifest.get("format") != "mydumper-tar":
        client = [*runner.client, "--batch", "--binary-mode", "--sandbox",
                  f"--max-allowed-packet={MAX_PACKET}", scratch]
        program = newer_program(number) + "/^(\\/\\*!5|CREATE)/" + STRIP_DEFINER
        runner.chain([unpack, ["sed", "-E", program], client], backup, newer=(1, shown))
        return
    loader = find_binary(["myloader"])
    if not loader:
        raise VerifyError(f"myloader (package mydumper) is needed to restore {path}")
    try:
        top = tempfile.mkdtemp(prefix="sop-verify-", dir=work_dir)
    except OSError as exc:
        raise VerifyError(f"cannot unpack into {work_dir}: {exc.strerror}") from None
    try:
        # top (root's) holds myloader's option file, out of reach of what the archive
        # unpacks into workdir (the OS user's): myloader 0.10 has no --local-infile, so
        # the client library is told by an option file to refuse LOAD DATA LOCAL INFILE.
        os.chmod(top, 0o701)  # the OS user may pass through to the two paths it is given
        options = os.path.join(top, "myloader.cnf")
        with open(options, "w", encoding="ascii") as handle:
            handle.write("[client]\nlocal-infile = 0\n")
        os.chmod(options, 0o644)
        workdir = os.path.join(top, "archive")
        os.mkdir(workdir, 0o700)
        os.chown(workdir, runner.uid, runner.gid)
        try:
            runner.chain([unpack, ["tar", "-x", "--no-same-owner", "--no-same-permissions",
                                   "-C", workdir, "-f", "-"]], backup, "unpack")
        except VerifyFailed as exc:
            if disk_full(workdir):
                raise VerifyError(f"no space left in {work_dir} to unpack the backup "
                                  f"({exc})") from None
            raise
        odd = not_a_plain_file(workdir)
        if odd:
            raise VerifyFailed(f"the archive holds a {odd}; a mydumper backup holds only "
                               "plain files")
        # Every file myloader may read, as one stream, read as the OS user.
        with open(os.devnull, "rb") as nothing:
            runner.chain([["find", workdir, "-type", "f", "-exec", "cat", "--", "{}", "+"],
                          ["sed", "-E", "-n", newer_program(number)]], nothing, "scan",
                         newer=(1, shown))
        schema = sorted(glob.glob(os.path.join(workdir, "*-schema*.sql")))
        if schema:
            runner.run(["sed", "-E", "-i", STRIP_DEFINER, *schema])
        sock = ["--socket", runner.sock] if runner.sock else []
        # The scratch database is new: no --overwrite-tables (which myloader 0.21 refuses).
        runner.run([loader, "--defaults-file", options, "--user", runner.user, *sock,
                    "--directory", workdir, "--database", scratch,
                    "--threads", str(threads or os.cpu_count() or 2), "--verbose", "1"],
                   watched=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def take_lock(path: str, seconds: int, deadline: float) -> tuple[int, float]:
    """The verifications' lock (one restore at a time), held by ``deadline``, the end of
    the verification's ``seconds`` (its timeout, which the wait counts in): a descriptor
    to close and the seconds waited. The lock file then names this process and ``path``
    (note_holder), for a verification that waits. One that cannot be taken in time, or
    at all, is this computer's problem, never the backup's: VerifyError, naming who holds
    it (flock_holder) and how long it waited."""
    try:
        lock = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise VerifyError(f"cannot open the lock {LOCK_PATH}: {exc.strerror}") from None
    try:
        waited = wait_flock(lock, deadline)
    except LockTimeout as exc:
        holder = flock_holder(lock) or "a process /proc/locks does not name"
        os.close(lock)
        raise VerifyError(f"not started within {seconds} s (timeout): waited "
                          f"{exc.args[0]:.0f} s for the verification lock {LOCK_PATH}, held by "
                          f"{holder}; nothing restored") from None
    except OSError as exc:
        os.close(lock)
        raise VerifyError(f"cannot lock {LOCK_PATH}: {exc.strerror}") from None
    note_holder(lock, f"verifying {path}")
    return lock, waited


def verify(params: dict[str, Any], manifest: dict[str, Any], path: str) -> dict[str, Any]:
    """Restore and compare; returns the verification record (status ok or failed)."""
    clock = time.monotonic()
    scratch = f"{SCRATCH_PREFIX}{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    record: dict[str, Any] = {"method": METHOD, "verified_at": now_iso(),
                              "verified_on": socket.getfqdn(), "scratch_database": scratch}
    restored: dict[str, Any] = {}
    backup: IO[bytes] | None = None
    deadline = clock + params["timeout"]  # the wait for the lock counts in it
    lock, waited = take_lock(path, params["timeout"], deadline)
    if waited >= 1:
        record["lock_wait"] = round(waited, 3)
    try:
        runner = Runner(params["os_user"], params["login_unix_socket"],
                        seconds=params["timeout"], deadline=deadline,
                        stall=params["stall_timeout"])
        drop_seconds = min(DROP_SECONDS, params["timeout"])
        try:
            swept = sweep_scratch(runner, drop_seconds)
            if swept:
                record["swept"] = swept
        except MariaDBError as exc:
            raise VerifyError(f"MariaDB: {exc}") from None
        backup = open_backup(path)
        if params["checksum"]:
            try:
                actual = sha256_fileobj(backup)
            except OSError as exc:  # EIO: nothing is proven about the backup
                raise VerifyError(f"cannot read {path}: {exc.strerror}") from None
            if actual != manifest.get("sha256"):
                raise VerifyFailed(f"sha256 {actual} does not match the manifest "
                                   f"{manifest.get('sha256')}")
        if not manifest.get("tables"):
            raise VerifyFailed("the manifest lists no tables: a restore of nothing proves "
                               "nothing (a backup of an empty or a wrong database?)")
        try:
            run_sql(runner.batch(), f"CREATE DATABASE {quote_identifier(scratch)} "
                    "CHARACTER SET utf8mb4;\n", timeout=runner.left())
        except MariaDBError as exc:
            raise VerifyError(f"cannot create the scratch database: {exc}") from None
        try:
            restore(runner, manifest, path, backup, scratch, work_dir=params["work_dir"],
                    threads=params["threads"])
            restored = measure(runner.batch(scratch), scratch, timeout=runner.left(),
                               parallel=params["threads"] or os.cpu_count() or 2, analyze=True)
        except BaseException:
            with contextlib.suppress(MariaDBError):  # else swept at the next run
                drop_scratch(runner, scratch, drop_seconds)
                sweep_scratch(runner, drop_seconds)
            raise
        others: list[str] = []
        try:
            drop_scratch(runner, scratch, drop_seconds)
            others = sweep_scratch(runner, drop_seconds)
        except MariaDBError as exc:  # not the backup's fault: swept at the next run
            record["scratch_left"] = str(exc)
        if others:  # the dump's CREATE DATABASE of another sop_verify_ name
            raise VerifyFailed("the restore created databases besides its scratch database: "
                               f"{', '.join(others)} (dropped)")
        expected = {"tables": manifest["tables"]}
        if "objects" in manifest:
            expected["objects"] = manifest["objects"]
        if "broken_views" in manifest:
            expected["broken_views"] = manifest["broken_views"]
        problems = compare(expected, restored)
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise VerifyFailed("; ".join(problems[:10]) + more)
        tables = restored["tables"]
        checked = sum(1 for t in expected["tables"].values() if t.get("checksum"))
        uncounted = sum(1 for t in expected["tables"].values() if t.get("rows") is None
                        and "rows_min" not in t)
        counts = "row counts match" + (
            f" ({uncounted} tables the backup did not count)" if uncounted else "")
        objects = (f"{len(expected['objects'] or {})} views/triggers/routines/events match"
                   if "objects" in expected
                   else "views/triggers/routines/events not recorded by the backup")
        record.update(status="ok", reason=(
            f"restored {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows: "
            f"{counts}, content checksums match for {checked} tables, {objects}"))
    except (VerifyFailed, MariaDBError, OSError) as exc:
        reason = clipped(f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError)
                         else str(exc))
        if time.monotonic() >= deadline:  # a statement's own timeout
            raise VerifyError(f"not finished within {params['timeout']} s (timeout): "
                              f"stopped ({reason})") from None
        if ENVIRONMENT.search(reason):
            raise VerifyError(reason) from None
        other = other_database(reason)
        if other is not None:
            raise VerifyError(
                f"the backup refers to database {other} beside its own (a view, routine or "
                "trigger reading it), which a restore of this backup alone cannot hold: "
                f"{reason}") from None
        record.update(status="failed", reason=reason)
    finally:
        if backup is not None:
            backup.close()
        os.close(lock)
    record["duration"] = round(time.monotonic() - clock, 3)
    record["tables"] = {name: t["rows"] for name, t in (restored.get("tables") or {}).items()}
    return record


def previous_verified(state: dict[str, dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The newest backup the record took in before ``name`` that verified (``state``:
    backups() of the record, in the order taken in), None for none."""
    names = list(state)
    earlier = names[:names.index(name)] if name in state else names
    return next((state[n] for n in reversed(earlier) if state[n]["verified"]), None)


def manifest_rows(manifest: dict[str, Any]) -> dict[str, int]:
    """Each table's row count in a manifest: C(rows), or C(rows_min) of a table written to
    during the dump; a table counted neither way is left out."""
    counts: dict[str, int] = {}
    for name, table in (manifest.get("tables") or {}).items():
        if not isinstance(table, dict):
            continue
        rows = table.get("rows") if table.get("rows") is not None else table.get("rows_min")
        if isinstance(rows, int) and not isinstance(rows, bool):
            counts[str(name)] = rows
    return counts


def shrinkage(before: dict[str, int], now: dict[str, int], percent: int,
              min_rows: int) -> dict[str, Any] | None:
    """The tables of at least ``min_rows`` rows ``before`` that are gone ``now``, and
    those that lost more than ``percent`` percent of their rows; None when none did."""
    if percent <= 0:
        return None
    big = sorted(name for name, rows in before.items() if rows >= min_rows)
    gone = [name for name in big if name not in now]
    shrunk = [{"table": name, "rows_before": before[name], "rows_now": now[name]}
              for name in big
              if name in now and now[name] * 100 < before[name] * (100 - percent)]
    return {"tables_gone": gone, "tables_shrunk": shrunk} if gone or shrunk else None


def compared_with_previous(path: str, state: dict[str, dict[str, Any]],
                           tables: dict[str, int], params: dict[str, Any]) -> dict[str, Any] | None:
    """shrinkage() of the verified backup at ``path`` (restored ``tables``) against the
    previous verified one of the record ``state``, read from its manifest in the same
    store as the record took it in; None when there is none or it cannot be read."""
    previous = previous_verified(state, os.path.basename(path))
    if previous is None or not isinstance(previous.get("manifest"), str):
        return None
    store = os.path.dirname(path)
    try:
        manifest = load_backup(os.path.join(store, previous["name"]),
                               os.path.join(store, previous["manifest"]),
                               previous.get("manifest_sha256"))
    except BackupMissing:
        return None
    found = shrinkage(manifest_rows(manifest), tables, params["shrink_percent"],
                      params["shrink_min_rows"])
    return None if found is None else {"previous": previous["name"], **found}


def _first(names: list[str], separator: str, shown: int = 10) -> str:
    """The first ``shown`` of ``names``, and how many more ('dan 3 lainnya')."""
    more = f"{separator}dan {angka(len(names) - shown)} lainnya" if len(names) > shown else ""
    return separator.join(names[:shown]) + more


def shrink_finding(name: str, shrunk: dict[str, Any]) -> str:
    """The finding (Bahasa, as the reports) of a backup much smaller than the previous
    verified one (shrunk: compared_with_previous)."""
    gone = shrunk["tables_gone"]
    lost = [f"{t['table']} {angka(t['rows_before'])} -> {angka(t['rows_now'])} baris"
            for t in shrunk["tables_shrunk"]]
    parts = [f"tabel hilang: {_first(gone, ', ')}"] if gone else []
    parts += [f"tabel menyusut: {_first(lost, '; ')}"] if lost else []
    return (f"Backup {name} jauh lebih kecil daripada backup terverifikasi sebelumnya "
            f"{shrunk['previous']} ({'; '.join(parts)}): periksa server asalnya (data "
            "terhapus, atau server disusupi?) sebelum retensi menghapus backup lama yang masih "
            "utuh")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "manifest": {"type": "path"},
            "ledger": {"type": "path"},
            "os_user": {"type": "str", "default": "sop_verify"},
            "login_unix_socket": {"type": "str"},
            "work_dir": {"type": "path", "default": "/var/tmp"},  # noqa: S108 (mkdtemp inside)
            "checksum": {"type": "bool", "default": True},
            "update_manifest": {"type": "bool", "default": False},
            "fail_on_mismatch": {"type": "bool", "default": True},
            "threads": {"type": "int", "default": 0},
            "timeout": {"type": "int", "default": 14400},
            "stall_timeout": {"type": "int", "default": 600},
            "lock_timeout": {"type": "int", "default": 300},
            "shrink_percent": {"type": "int", "default": 0},
            "shrink_min_rows": {"type": "int", "default": 1000},
        },
        supports_check_mode=True,
    )
    bad_timeout = (seconds_error(module.params, "timeout")
                   or seconds_error(module.params, "stall_timeout", zero="turns the check off")
                   or seconds_error(module.params, "lock_timeout", zero="does not wait")
                   or range_error(module.params, "shrink_percent", **RANGES["shrink_percent"])
                   or range_error(module.params, "shrink_min_rows", **RANGES["shrink_min_rows"]))
    if bad_timeout:
        module.fail_json(**bad_timeout)
    path = module.params["path"]
    mpath = module.params["manifest"] or manifest_path(path)
    ledger = module.params["ledger"]
    try:
        state = backups(read(ledger)) if ledger else {}
    except OSError as exc:
        module.fail_json(msg=f"cannot verify {path}: cannot read the backup ledger {ledger}: "
                         f"{exc.strerror}")
    known = state.get(os.path.basename(path))
    recorded = known.get("manifest_sha256") if known else None
    try:
        manifest = load_backup(path, mpath, recorded if isinstance(recorded, str) else None)
    except BackupMissing as exc:
        module.fail_json(msg=f"cannot verify {path}: {exc}", verified=False,
                         verification={"status": "error", "reason": str(exc)}, path=path)
    if ledger and known is None:
        module.fail_json(msg=f"cannot verify {path}: not in the record {ledger}")
    if known and known["verified"]:
        module.exit_json(changed=False, verified=True, verification=known["verification"],
                         path=path, msg="already verified (the record says so)")
    if module.check_mode:
        module.exit_json(changed=True, verified=False, verification={"status": "pending"},
                         msg=f"would restore {path} into a scratch database and compare it")
    # The record's result is filed under the SHA-256 the store took in: with a ledger
    # the file is hashed whatever checksum says.
    params = dict(module.params, checksum=module.params["checksum"] or bool(ledger))
    try:
        record = verify(params, manifest, path)
    except VerifyError as exc:
        module.fail_json(msg=f"cannot verify {path} on {socket.getfqdn()}: {exc} (a problem of "
                         "this computer, not of the backup: it stays unverified, neither "
                         "recorded nor marked failed)", verified=False,
                         verification={"status": "error", "reason": str(exc)}, path=path)
    if known and record["status"] == "ok" and known["sha256"] != manifest.get("sha256"):
        record.update(status="failed", reason="the manifest's sha256 is not the recorded one")
    tables = record.pop("tables")
    verified = record["status"] == "ok"
    # recorded with the verification: retention holds back the backup before it
    shrunk = compared_with_previous(path, state, tables, module.params) \
        if ledger and verified else None
    if ledger:
        error = record_verified(ledger, path, known["sha256"] if known else None, record,
                                shrunk, lock_timeout=module.params["lock_timeout"])
        if error:  # not judged as far as the record goes: the role marks no manifest
            module.fail_json(msg=error, verified=False, tables=tables, path=path,
                             verification={"status": "error", "reason": error})
    if module.params["update_manifest"]:
        manifest.update(verified=verified, verification=record)
        write_json_atomic(mpath, manifest)
    result = {"changed": True, "verified": verified, "verification": record, "tables": tables,
              "path": path}
    if ledger and verified:
        result["shrunk"] = shrunk
        if shrunk:
            result["sop_output"] = {"finding": shrink_finding(os.path.basename(path), shrunk)}
    if not verified and module.params["fail_on_mismatch"]:
        module.fail_json(msg="verification of {} failed: {}".format(path, record["reason"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
