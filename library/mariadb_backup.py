#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: streamed, consistent, checksummed MariaDB dump with a manifest."""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    PARTIAL_SUFFIX,
    HashingWriter,
    backup_name,
    find_verified,
    manifest_path,
    now_iso,
    period_key,
    write_json_atomic,
)
from ansible.module_utils.sop_mariadb import (
    CLIENT_BINARIES,
    DUMP_BINARIES,
    LOGIN_ARGUMENT_SPEC,
    GlobalReadLock,
    MariaDBError,
    SnapshotCounter,
    client_argv,
    compress_argv,
    dump_argv,
    estimate_dump_bytes,
    find_binary,
    first_error_line,
    merge_counts,
    option_file,
    run_sql,
    select_engine,
    table_listing_sql,
)

DOCUMENTATION = r"""
---
module: mariadb_backup
short_description: Dump a MariaDB/MySQL database as a streamed, checksummed backup
description:
  - Dumps one database as a consistent snapshot with C(mariadb-dump) or C(mysqldump)
    (C(--single-transaction --routines --triggers --events --hex-blob)), or with
    C(mydumper) (parallel; its output directory is streamed through C(tar)).
  - The dump is streamed through C(zstd -T0) (or C(gzip)) into C(NAME.partial); the
    SHA-256 is computed while streaming; the file is fsynced and renamed atomically.
    A JSON manifest C(NAME.manifest.json) is written beside it with size, sha256,
    duration, engine, server version and per-table row counts.
  - Row counts are exact C(COUNT(*)) values in the dump's own snapshot. A global read
    lock (C(FLUSH TABLES WITH READ LOCK), at most 5 s wait) is held from just before our
    snapshot opens until the dump has opened its own (mariadb-dump has streamed table
    data; mydumper has written table files), so both see the same data; the count runs
    concurrently with the dump. Without the lock (no RELOAD privilege, or statements
    running longer than the wait) two snapshots bracket the dump's, opened right before
    it and right after its snapshot exists; a table written to in between gets
    C(rows_min)/C(rows_max). The manifest's C(row_counts) says which method was used.
  - Credentials go into a temporary 0600 option file (C(--defaults-extra-file), or
    C(--defaults-file) for mydumper); they never appear on a command line.
  - Idempotent per period; when a verified backup of the current period (for example
    today's date) already exists the module reports C(changed=false) unless O(force).
    The manifest starts with C(verified=false); the verify step marks it verified.
  - A failed or killed dump leaves no backup file and no manifest; older backups are
    never touched.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
options:
  database:
    description: Database to dump.
    type: str
    required: true
  dest:
    description: Directory for the backup (created 0700 if missing).
    type: path
    required: true
  prefix:
    description: File name prefix; defaults to the database name.
    type: str
  engine:
    description:
      - Dump engine. V(auto) uses C(mydumper) when installed and the target has room
        for its uncompressed directory, else C(mariadb-dump), else C(mysqldump).
    type: str
    choices: [auto, mariadb-dump, mysqldump, mydumper]
    default: auto
  compression:
    description: Stream compressor.
    type: str
    choices: [zstd, gzip]
    default: zstd
  compression_level:
    description: Compression level (default 3 for zstd, 6 for gzip).
    type: int
  threads:
    description: mydumper threads; V(0) means the number of CPUs.
    type: int
    default: 0
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
    description: Record exact per-table row counts in the manifest.
    type: bool
    default: true
notes:
  - Needs the C(mariadb)/C(mysql) client and C(zstd) or C(gzip) on the host.
  - The database user needs SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES and (for
    mydumper) RELOAD.
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
  no_log: true
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
  description: Per-table row counts (C(rows), or C(rows_min)/C(rows_max)).
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
"""


ROW_COUNTS_SAME = ("exact COUNT(*) in the dump's own snapshot: a snapshot opened under "
                   "FLUSH TABLES WITH READ LOCK, held until the dump had opened its snapshot")
ROW_COUNTS_BRACKET = ("exact COUNT(*) in two consistent snapshots, opened right before the dump "
                      "and right after the dump's own snapshot (no global read lock: {why}); "
                      "rows is exact when both agree, else the dump's count lies in "
                      "rows_min..rows_max")
# Longest wait for the global read lock (running statements) before falling back.
READ_LOCK_TIMEOUT = 5
CHUNK = 1 << 20
# Bytes the compressor must have read before the dump is surely past its own snapshot
# (mariadb-dump writes a ~1 KiB header before START TRANSACTION, table data after).
PAST_SNAPSHOT_BYTES = 64 * 1024


class BackupFailed(Exception):
    """The dump failed; message is one clear line."""


def _rchar(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Pipeline:
    """Processes of one dump; killed and reaped on failure."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.errors: dict[int, list[bytes]] = {}

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

        threading.Thread(target=drain, daemon=True).start()
        return proc

    def error(self, proc: subprocess.Popen[bytes]) -> str:
        return first_error_line(b"".join(self.errors.get(proc.pid, [])))

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs:
            proc.wait()


def _check(proc: subprocess.Popen[bytes], pipeline: Pipeline, what: str) -> None:
    proc.wait()
    if proc.returncode != 0:
        detail = pipeline.error(proc)
        if proc.returncode < 0:
            detail = f"killed by signal {-proc.returncode}" + ("; " + detail if detail else "")
        suffix = ": " + detail if detail else ""
        raise BackupFailed(f"{what} failed (exit {proc.returncode}){suffix}")


def _stream(source: subprocess.Popen[bytes], writer: HashingWriter) -> None:
    assert source.stdout is not None
    fd = source.stdout.fileno()
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


class Counters:
    """Exact row counts of the dump's snapshot.

    Preferred: a global read lock is taken, our snapshot opened, the dump started, and
    the lock released as soon as the dump has its own snapshot: both snapshots see the
    same data and one COUNT(*) pass is exact. Without the lock (no RELOAD privilege, or
    long-running statements): two snapshots bracket the dump's (``merge_counts``).
    """

    def __init__(self, argv: list[str], tables: list[str], enabled: bool) -> None:
        self.enabled = enabled and bool(tables)
        self.lock = GlobalReadLock(argv)
        self.before = SnapshotCounter(argv, tables)
        self.after = SnapshotCounter(argv, tables)
        self.fired = False
        self.error: Exception | None = None
        self.note = ""

    def open_before(self) -> None:
        if self.enabled:
            locked = self.lock.acquire(READ_LOCK_TIMEOUT)
            self.note = ROW_COUNTS_SAME if locked else ROW_COUNTS_BRACKET.format(
                why=self.lock.error)
            self.before.open()

    def past_snapshot(self) -> None:
        """The dump has its snapshot: unlock and count (or open the 'after' snapshot)."""
        if self.enabled and not self.fired:
            self.fired = True
            try:
                if self.lock.held:
                    self.lock.release()
                    self.before.count()
                else:
                    self.before.count()
                    self.after.open()
                    self.after.count()
            except (MariaDBError, OSError) as exc:  # reported by result()
                self.error = exc

    def result(self) -> dict[str, dict[str, object]]:
        if not self.enabled:
            return {}
        if self.error is not None:
            raise BackupFailed(f"row counts failed: {self.error}")
        if not self.fired:
            raise BackupFailed("row counts never started")
        before = self.before.result()
        if self.note == ROW_COUNTS_SAME:
            return {name: {"rows": rows} for name, rows in sorted(before.items())}
        return merge_counts(before, self.after.result())

    def abort(self) -> None:
        self.lock.abort()
        self.before.abort()
        self.after.abort()


def _dump_sql(pipeline: Pipeline, dump_cmd: list[str], comp_cmd: list[str],
              *, writer: HashingWriter, counters: Counters) -> None:
    dump = pipeline.start(dump_cmd, stdout=subprocess.PIPE)
    comp = pipeline.start(comp_cmd, stdin=dump.stdout, stdout=subprocess.PIPE)
    assert dump.stdout is not None
    dump.stdout.close()
    done = threading.Event()
    watcher = _watch(lambda: dump.poll() is not None or _rchar(comp.pid) > PAST_SNAPSHOT_BYTES,
                     counters.past_snapshot, done)
    try:
        _stream(comp, writer)
    finally:
        done.set()
        watcher.join()
    _check(dump, pipeline, os.path.basename(dump_cmd[0]))
    _check(comp, pipeline, comp_cmd[0])


def _dump_mydumper(pipeline: Pipeline, dump_cmd: list[str], outdir: str, comp_cmd: list[str],
                   *, writer: HashingWriter, counters: Counters) -> None:
    dump = pipeline.start(dump_cmd, stdout=subprocess.DEVNULL)

    def started() -> bool:
        # mydumper writes table files only after all its threads hold their snapshots.
        return dump.poll() is not None or any(
            not name.startswith("metadata") for name in os.listdir(outdir))

    done = threading.Event()
    watcher = _watch(started, counters.past_snapshot, done)
    try:
        _check(dump, pipeline, "mydumper")
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
            "tables": manifest.get("tables", {}), "verified": manifest.get("verified") is True}


def _remove_stale(dest: str, prefix: str) -> list[str]:
    """Leftovers of killed runs (we hold the lock: nobody is writing them)."""
    removed = []
    for name in os.listdir(dest):
        path = os.path.join(dest, name)
        if name.startswith(prefix + "-") and name.endswith(PARTIAL_SUFFIX):
            os.unlink(path)
            removed.append(path)
        elif name.startswith(f".{prefix}-mydumper-") and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def run(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    database, dest = p["database"], p["dest"]
    prefix = p["prefix"] or database
    moment = datetime.datetime.now()
    period = period_key(moment, p["period"])
    if os.path.isdir(dest) and not p["force"]:
        existing = find_verified(dest, prefix, period)
        if existing:
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
                         socket=p["login_unix_socket"]) as opt:
        client_cmd = client_argv(client, opt, database)
        version = run_sql(client_cmd, "SELECT VERSION();", timeout=60)[0][0]
        listing = run_sql(client_cmd, table_listing_sql(database), timeout=300)
        tables = [row[0] for row in listing]
        data_bytes = sum(int(row[2]) for row in listing)
        free = _free_bytes(dest)
        if p["engine"] == "auto" and available["mydumper"] and \
                free < estimate_dump_bytes(data_bytes, p["compression"], "mydumper"):
            available["mydumper"] = None
        engine, binary = select_engine(p["engine"], available)
        name = backup_name(prefix, moment, engine, p["compression"])
        path = os.path.join(dest, name)
        if module.check_mode:
            return {"changed": True, "period": period, "path": path, "engine": engine,
                    "server_version": version,
                    "msg": f"would dump {database} ({len(tables)} tables, "
                           f"{data_bytes // 2**20} MiB) with {engine} into {path}"}
        return _take_backup(p, opt, client_cmd, tables, engine=engine, binary=binary, path=path,
                            period=period, version=version)


def _take_backup(p: dict[str, Any], opt: str, client_cmd: list[str], tables: list[str], *,
                 engine: str, binary: str, path: str, period: str, version: str) -> dict[str, Any]:
    dest, prefix = os.path.dirname(path), p["prefix"] or p["database"]
    lock_fd = os.open(os.path.join(dest, f".{prefix}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BackupFailed(f"another backup of {prefix} is running in {dest}") from exc
        _remove_stale(dest, prefix)
        threads = p["threads"] or os.cpu_count() or 2
        compressor = compress_argv(p["compression"], p["compression_level"])
        started, clock = now_iso(), time.monotonic()
        pipeline = Pipeline()
        counters = Counters(client_cmd, tables, p["row_counts"])
        writer = HashingWriter(path)
        outdir = None
        try:
            counters.open_before()
            if engine == "mydumper":
                outdir = tempfile.mkdtemp(prefix=f".{prefix}-mydumper-", dir=dest)
                cmd = dump_argv(engine, binary, opt, p["database"], outdir=outdir, threads=threads)
                _dump_mydumper(pipeline, cmd, outdir, compressor, writer=writer,
                               counters=counters)
            else:
                cmd = dump_argv(engine, binary, opt, p["database"])
                _dump_sql(pipeline, cmd, compressor, writer=writer, counters=counters)
            counts = counters.result()
            duration = round(time.monotonic() - clock, 3)
            manifest = {
                "manifest_version": 1, "file": os.path.basename(path), "database": p["database"],
                "host": socket.getfqdn(), "server_version": version, "engine": engine,
                "engine_version": _version(binary), "format": "mydumper-tar" if engine == "mydumper" else "sql",
                "compression": p["compression"], "size": writer.size,
                "sha256": writer.sha256.hexdigest(), "started_at": started, "finished_at": now_iso(),
                "duration": duration, "period": period, "period_kind": p["period"],
                "tables": counts, "row_counts": counters.note if counts else "not recorded",
                "verified": False, "verification": {"status": "pending"},
            }
            writer.commit()
        except BaseException:
            pipeline.kill()
            counters.abort()
            writer.discard()
            raise
        finally:
            if outdir:
                shutil.rmtree(outdir, ignore_errors=True)
        try:
            write_json_atomic(manifest_path(path), manifest)
        except OSError as exc:
            os.unlink(path)
            raise BackupFailed(f"cannot write the manifest: {exc.strerror}") from exc
    finally:
        os.close(lock_fd)
    return dict(_summary(manifest, path), changed=True, period=period,
                msg="dumped {} with {} in {:.1f} s".format(p["database"], engine, duration))


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
            "period": {"type": "str", "default": "daily",
                       "choices": ["daily", "weekly", "monthly", "always"]},
            "force": {"type": "bool", "default": False},
            "row_counts": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except (BackupFailed, MariaDBError, ValueError) as exc:
        module.fail_json(msg="backup of {} failed: {}".format(module.params["database"], exc))
    except OSError as exc:
        module.fail_json(msg="backup of {} failed: {}: {}".format(
            module.params["database"], exc.strerror, exc.filename or ""))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
