# GPL-3.0-or-later
"""Backup files and their JSON manifests (naming, periods, atomic writes).

A backup is ``<prefix>-<YYYYmmddTHHMMSS>.<ext>`` (ext ``sql.zst``, ``sql.gz``,
``tar.zst``, ``tar.gz``) written as ``<name>.partial``; its manifest
``<name>.manifest.json`` is written first and the file renamed to its final name last, so
a final-named file always has its manifest. Only a manifest with ``verified: true`` whose
file exists with the recorded size counts as a backup (idempotence, retention). A backup
that failed verification is renamed ``<name>.failed`` (manifest ``<name>.failed.json``).
A copy found damaged on removable media is set aside as ``<name>.damaged`` (then
``.damaged-2``, ...; manifest ``<name>.damaged.manifest.json``): no backup nor leftover of
any prefix, so retention never prunes it.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import hashlib
import itertools
import json
import os
import pwd
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Collection
from typing import IO, Any

from ansible.module_utils.sop_state import fsync_dir, write_private
from ansible.module_utils.sop_tree import open_regular, shown

MANIFEST_SUFFIX = ".manifest.json"
PARTIAL_SUFFIX = ".partial"
FAILED_SUFFIX = ".failed"
FAILED_MANIFEST_SUFFIX = ".failed.json"
DAMAGED_SUFFIX = ".damaged"
# [0-9], not \d: \d and strptime's year, minutes and seconds take any digit (Arabic-Indic,
# fullwidth), and a pushed file may be named with them.
_NAME_RE = re.compile(
    r"^(?P<prefix>.+)-(?P<stamp>[0-9]{8}T[0-9]{6})\.(?P<ext>(sql|tar)\.(zst|gz))\Z")


def period_key(moment: datetime.datetime, period: str) -> str:
    """The period a backup taken at ``moment`` belongs to (e.g. ``2026-11-21``)."""
    if period == "daily":
        return moment.strftime("%Y-%m-%d")
    if period == "weekly":
        year, week, _ = moment.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if period == "monthly":
        return moment.strftime("%Y-%m")
    if period == "always":
        return moment.strftime("%Y%m%dT%H%M%S")
    raise ValueError(f"unknown period {period!r}")


def backup_name(prefix: str, moment: datetime.datetime, engine: str, compression: str) -> str:
    """File name of a new backup."""
    kind = "tar" if engine == "mydumper" else "sql"
    ext = "zst" if compression == "zstd" else "gz"
    return "{}-{}.{}.{}".format(prefix, moment.strftime("%Y%m%dT%H%M%S"), kind, ext)


def parse_name(name: str) -> dict[str, Any] | None:
    """``{prefix, time, ext}`` of a backup file name, or None (also for a time that is
    no time, month 13 say: names come from other accounts too, the push in-tray)."""
    match = _NAME_RE.match(name)
    if not match:
        return None
    try:
        moment = datetime.datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return {"prefix": match.group("prefix"), "time": moment, "ext": match.group("ext")}


def leftover_of(name: str) -> tuple[str, str] | None:
    """``(backup name, kind)`` of a file that belongs to a backup, or None.

    Kinds: ``backup``, ``manifest``, ``partial`` (an unfinished file or manifest),
    ``failed`` (failed verification). The prefix is matched exactly by the caller through
    ``parse_name`` of the backup name: ``sipp-test-...`` is never a ``sipp`` file.
    """
    kind = "backup"
    for suffix, what in ((PARTIAL_SUFFIX, "partial"), (MANIFEST_SUFFIX, "manifest"),
                         (FAILED_MANIFEST_SUFFIX, "failed"), (FAILED_SUFFIX, "failed")):
        if name.endswith(suffix):
            name, kind = name[: -len(suffix)], what
            if what == "partial" and name.endswith(MANIFEST_SUFFIX):
                name = name[: -len(MANIFEST_SUFFIX)]
            break
    return (name, kind) if parse_name(name) else None


def owned_by(name: str, prefix: str) -> str | None:
    """The kind of ``name`` when it belongs to a backup of exactly ``prefix``, else None."""
    found = leftover_of(name)
    if not found:
        return None
    info = parse_name(found[0])
    return found[1] if info and info["prefix"] == prefix else None


def manifest_path(backup_path: str) -> str:
    return backup_path + MANIFEST_SUFFIX


def damaged_name(backup_path: str) -> str:
    """The first free name, for the file and its manifest, to set the damaged copy
    ``backup_path`` aside under (``NAME.damaged``, ``NAME.damaged-2``, ...)."""
    number = 1
    while True:
        candidate = backup_path + DAMAGED_SUFFIX + (f"-{number}" if number > 1 else "")
        if not (os.path.lexists(candidate) or os.path.lexists(manifest_path(candidate))):
            return candidate
        number += 1


def write_json_atomic(path: str, data: dict[str, Any]) -> None:
    """Write JSON as 0600 through ``path.partial`` (swept with the backups' own leftovers),
    fsync, rename, fsync the directory."""
    write_private(path, json.dumps(data, indent=2, sort_keys=True) + "\n",
                  temporary=path + PARTIAL_SUFFIX)


# Largest manifest read (a real one is a few hundred KiB): manifests arrive from other
# hosts (pushed), and are read by root on the backup computer.
MANIFEST_MAX = 64 << 20
# Most values a manifest read may hold, counted as its commas, "[" and "{" (those in its
# strings too): json makes each 2-byte "[]" a list of 56 bytes and more, so a pushed
# manifest of MANIFEST_MAX bytes of them took 1.4 GiB of a root process on the backup
# computer. A real one holds a few thousand.
MANIFEST_VALUES = 1 << 20


def _manifest_bytes(path: str) -> bytes | None:
    """The bytes of the manifest at ``path``, or None when missing, unreadable, no regular
    file (a symbolic link is not followed, a FIFO not waited for) or larger than
    MANIFEST_MAX."""
    try:
        fd, _info = open_regular(path)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MANIFEST_MAX + 1)
    except OSError:
        return None
    return raw if len(raw) <= MANIFEST_MAX else None


def _parsed(raw: bytes | None) -> dict[str, Any] | None:
    """The JSON object ``raw`` holds, or None (nested without end, or more than
    MANIFEST_VALUES values, included)."""
    if raw is None or sum(map(raw.count, (b",", b"[", b"{"))) > MANIFEST_VALUES:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_manifest(path: str) -> dict[str, Any] | None:
    """The manifest at ``path``, or None when missing, unreadable, no regular file (a
    symbolic link is not followed, a FIFO not waited for), larger than MANIFEST_MAX or not
    a JSON object (nested without end, or more than MANIFEST_VALUES values, included)."""
    return _parsed(_manifest_bytes(path))


def restore_user(name: str) -> pwd.struct_passwd:
    """The OS user a restore runs as: it must exist and must not be root (what a dump
    smuggles in runs with this user's rights only). LookupError says why not."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise LookupError(f"OS user {name} does not exist") from None
    if entry.pw_uid == 0:
        raise LookupError(f"OS user {name} is root: the restore must not run as root")
    return entry


def unprivileged(entry: pwd.struct_passwd) -> dict[str, Any]:
    """subprocess keyword arguments that run a command as ``entry`` (restore_user's), with
    no other group, a minimal environment and / as working folder."""
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": "/",
            "env": {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/"}}


def expendable(argv: list[str]) -> list[str]:
    """``argv`` run by choom(1) (util-linux) with oom_score_adj 1000: under memory pressure
    the kernel stops it before any other process. What reads an untrusted backup can be
    made to grow without end (one SQL statement or line that never ends): that ends its
    verification, never the backup computer's MariaDB, sshd or the receiver of pushes."""
    return ["choom", "-n", "1000", "--", *argv]


def ended(returncode: int) -> str:
    """How a process that said nothing ended: ``exit 1``, ``killed by SIGKILL (...)``."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:  # a real-time signal
        name = f"signal {-returncode}"
    # The timeout's kill is reported as such: a SIGKILL here is the kernel's, which stops
    # the verification's processes first when memory runs out (expendable).
    return f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")


class BackupMissing(Exception):
    """A backup file or its manifest is missing or unreadable, the file is no regular
    file, or the manifest is not the one the store's record took in; the message says
    which."""


# Free space (bytes, inodes) under which a failed restore is blamed on its file system:
# tar says so in several ways ("Cannot write: No space left on device", "Wrote only 4096
# of 10240 bytes").
FULL_BYTES, FULL_INODES = 1 << 20, 16


def disk_full(path: str) -> bool:
    """Whether the file system of ``path`` has (almost) no room left for a normal user."""
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize < FULL_BYTES or (
        info.f_files > 0 and info.f_favail < FULL_INODES)


# What a name that is no regular file is, for a message.
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def not_regular(path: str) -> str | None:
    """What ``path`` is when it is there but no regular file (``is a symbolic link (not
    followed)``, ``is a FIFO, not a regular file``, ...), else None. Looked at, not
    opened: a FIFO is not waited for."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link (not followed)"
    kind = next((name for test, name in _KINDS if test(mode)), "an unknown kind of file")
    return f"is {kind}, not a regular file"


def load_backup(backup_path: str, mpath: str,
                recorded_sha256: str | None = None) -> dict[str, Any]:
    """The manifest of a backup whose file and manifest both exist (BackupMissing if not,
    or if either is no regular file: a symbolic link is not followed). With
    ``recorded_sha256`` (the store's record of the manifest it took in) the bytes read
    must have that SHA-256: a manifest changed in the store since is not trusted
    (BackupMissing), as a verdict drawn from it would be recorded under the backup's."""
    raw = _manifest_bytes(mpath)
    if raw is not None and recorded_sha256 is not None \
            and hashlib.sha256(raw).hexdigest() != recorded_sha256:
        raise BackupMissing(f"manifest {mpath} changed since it was taken in (its SHA-256 is "
                            "not the one the record took in)")
    manifest = _parsed(raw)
    if manifest is None:
        odd = not_regular(mpath)
        raise BackupMissing(f"manifest {mpath} {odd or 'missing or unreadable'}")
    odd = not_regular(backup_path)
    if odd:
        raise BackupMissing(f"file {backup_path} {odd}")
    if not os.path.isfile(backup_path):
        raise BackupMissing(f"file {backup_path} missing")
    return manifest


def is_valid_backup(backup_path: str, manifest: dict[str, Any] | None) -> bool:
    """A verified manifest whose file exists with the recorded size."""
    if not manifest or manifest.get("verified") is not True:
        return False
    try:
        return os.path.getsize(backup_path) == manifest.get("size")
    except OSError:
        return False


def as_reconciled(name: str, manifest: dict[str, Any] | None,
                  reconciled: Collection[str]) -> dict[str, Any] | None:
    """The manifest of the backup ``name`` as check mode counts it: one named in
    ``reconciled`` (a manifest still pending that ``backup_manifest`` ``reconcile``, run
    before in check mode, would have marked verified; check mode wrote no mark) is
    verified, as it is once marked; any other as read."""
    if manifest is None or name not in reconciled:
        return manifest
    return dict(manifest, verified=True)


def list_backups(directory: str, prefix: str,
                 reconciled: Collection[str] = ()) -> list[dict[str, Any]]:
    """Backups (complete files) of ``prefix`` in ``directory``, oldest first; those named
    in ``reconciled`` (check mode only) counted as marked (as_reconciled)."""
    found = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in names:
        info = parse_name(name)
        if not info or info["prefix"] != prefix:
            continue
        path = os.path.join(directory, name)
        manifest = as_reconciled(name, read_manifest(manifest_path(path)), reconciled)
        found.append({"name": name, "path": path, "time": info["time"], "manifest": manifest,
                      "verified": is_valid_backup(path, manifest),
                      "period": (manifest or {}).get("period")})
    return sorted(found, key=lambda item: item["time"])


def inventory(directory: str, prefix: str,
              reconciled: Collection[str] = ()) -> list[dict[str, Any]]:
    """Backups, orphan manifests, failed and partial files of exactly ``prefix``; the
    backups named in ``reconciled`` (check mode only) counted as marked (as_reconciled)."""
    items = [{"name": b["name"], "time": b["time"], "verified": b["verified"],
              "files": [b["path"], manifest_path(b["path"])]}
             for b in list_backups(directory, prefix, reconciled)]
    known = {item["name"] for item in items}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        kind = owned_by(name, prefix)
        if kind is None or kind == "backup" or (
                kind == "manifest" and name[: -len(MANIFEST_SUFFIX)] in known):
            continue
        if kind == "partial":
            moment = datetime.datetime.fromtimestamp(os.path.getmtime(path))
        else:
            found = leftover_of(name)
            info = parse_name(found[0]) if found else None
            if not info:
                continue
            moment = info["time"]
        items.append({"name": name, "time": moment, "verified": False, "files": [path]})
    return items


# The options of find_verified a backup module takes (doc fragment backup_period).
PERIOD_ARGUMENT_SPEC: dict[str, Any] = {
    "held": {"type": "list", "elements": "str"},
    "reconciled": {"type": "list", "elements": "str", "default": []},
}


def find_verified(directory: str, prefix: str, period: str,
                  held: Collection[str] | None = None,
                  reconciled: Collection[str] = ()) -> dict[str, Any] | None:
    """The newest verified backup of ``period`` (a period key), or None. Given ``held``
    (the backups of the prefix the backup computer's record holds whole and verified), a
    backup not named in it does not count: its copy there is damaged or gone, pruned, or
    was never taken in (a new backup computer, a moved store); None trusts the marks here
    (no backup computer). One named in ``reconciled`` (check mode only) counts as verified
    when its file has the recorded size, as it does once marked (as_reconciled)."""
    matches = [b for b in list_backups(directory, prefix, reconciled)
               if b["verified"] and b["period"] == period
               and (held is None or b["name"] in held)]
    return matches[-1] if matches else None


PIPE_SIZE = 1 << 20
# What link() fails with on a file system without hard links (vfat, exfat: EPERM).
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP})


def widen_pipe(fd: int) -> None:
    """Let the process writing into pipe ``fd`` run up to 1 MiB ahead of its reader
    (Linux ``F_SETPIPE_SZ``): with the default 64 KiB the compressor stalls each time
    the reader hashes and writes a chunk. Left as it is where the OS refuses."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Python >= 3.10 on Linux
    if setpipe is not None:
        with contextlib.suppress(OSError):  # above fs.pipe-max-size for this user
            fcntl.fcntl(fd, setpipe, PIPE_SIZE)


def rchar(pid: int) -> int:
    """Bytes process ``pid`` has read so far (``rchar`` of /proc/<pid>/io; 0 when it is
    gone or not readable): what a compressor has taken from the tool before it."""
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# Longest command line of a lock's holder named (flock_holder).
HOLDER_MAX = 200


class LockTimeout(Exception):
    """wait_flock's lock still held at its deadline; its one argument the seconds waited
    (no TimeoutError: on a Python 3.9 host socket.timeout is none, see test_host_python)."""


class _Expired(Exception):
    """wait_flock's timer ran out (raised by its SIGALRM handler)."""


def _expired(_signum: int, _frame: object) -> None:
    raise _Expired


def wait_flock(fd: int, deadline: float) -> float:
    """Take the exclusive flock of the open file ``fd`` by ``deadline`` (time.monotonic());
    the seconds waited. As flock(1) --wait does: a blocking flock(2), which the kernel
    grants the moment the holder lets go, interrupted at the deadline by a one-shot
    ITIMER_REAL timer whose SIGALRM handler raises (so the call is not retried, PEP 475);
    one try that does not wait then (with no time left, the only one: lock_timeout 0)
    settles a lock let go at that very moment. LockTimeout (its one argument the seconds
    waited) when it is still held: a wait without end (a hung holder) held the SOP until
    systemd stopped the run for passing its time limit, which named no cause. OSError when
    flock fails otherwise.

    Called in the main thread (Python runs signal handlers there only; the modules call it
    before they start a thread of their own). The process's SIGALRM handler is put back
    after, and a timer it had set runs on with the time it had left (one due during the
    wait fires right after it)."""
    start = time.monotonic()
    left = deadline - start
    if left > 0:
        earlier = signal.getitimer(signal.ITIMER_REAL)
        previous = signal.signal(signal.SIGALRM, _expired)
        try:
            signal.setitimer(signal.ITIMER_REAL, left)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            return time.monotonic() - start
        except _Expired:
            pass
        finally:
            signal.signal(signal.SIGALRM, previous)
            if earlier[0] > 0:
                signal.setitimer(signal.ITIMER_REAL,
                                 max(earlier[0] - (time.monotonic() - start), 0.001), earlier[1])
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise LockTimeout(time.monotonic() - start) from None
    return time.monotonic() - start


class LockBusy(Exception):
    """take_flock's lock still held at its deadline: ``waited`` seconds, its ``holder`` as
    flock_holder names it."""

    def __init__(self, waited: float, holder: str) -> None:
        super().__init__(waited, holder)
        self.waited, self.holder = waited, holder


def take_flock(path: str, deadline: float, what: str) -> int:
    """The lock file ``path`` (made 0600, no symbolic link followed) open and flocked by
    ``deadline`` (wait_flock), naming this process and ``what`` it does (note_holder) for
    one that waits: its descriptor, for the caller to close. LockBusy when still held at
    the deadline; OSError when it cannot be opened or locked."""
    lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        wait_flock(lock, deadline)
    except LockTimeout as exc:
        holder = flock_holder(lock) or "a process /proc/locks does not name"
        os.close(lock)
        raise LockBusy(exc.args[0], holder) from None
    except BaseException:
        os.close(lock)
        raise
    note_holder(lock, what)
    return lock


def note_holder(fd: int, what: str) -> None:
    """Write into the lock file ``fd`` (its flock held) this process's id and ``what`` it
    does, one line for flock_holder to name, a path's bytes that are not UTF-8 as they
    are (their surrogate escapes encoded back); best effort: a lock file that cannot be
    written, or a surrogate that is no path's byte, is still a lock."""
    with contextlib.suppress(OSError, UnicodeEncodeError):
        line = f"{os.getpid()} {what}\n".encode("utf-8", "surrogateescape")
        os.ftruncate(fd, 0)
        os.pwrite(fd, line, 0)


def _flock_pids(fd: int) -> list[int]:
    """The processes holding a flock of the file open as ``fd``, from /proc/locks (the
    process that took it; those waiting, marked ``->``, left out)."""
    info = os.fstat(fd)
    inode = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    pids = []
    with open("/proc/locks", encoding="ascii", errors="replace") as handle:
        for line in handle:
            fields = line.split()
            # '1: FLOCK  ADVISORY  WRITE 1234 fe:00:2147375 0 EOF'
            if len(fields) < 6 or fields[1] != "FLOCK":
                continue
            device = fields[5].split(":")
            with contextlib.suppress(ValueError):
                if len(device) == 3 and int(fields[4]) > 0 and (
                        int(device[0], 16), int(device[1], 16), int(device[2])) == inode:
                    pids.append(int(fields[4]))
    return pids


def flock_holder(fd: int) -> str | None:
    """Who holds a flock of the lock file open as ``fd``: ``pid 4242 (/usr/bin/python3)``
    (its command line, HOLDER_MAX characters at most as shown, cut before an escape that
    would not fit whole), then what it does when the lock file says so in that process's
    own words (note_holder): ``: verifying <path>``. None when /proc does not tell (no
    /proc/locks, a holder in another PID namespace)."""
    try:
        pids = _flock_pids(fd)
    except OSError:
        return None
    if not pids:
        return None
    pid = pids[0]
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read(HOLDER_MAX * 4).replace(b"\0", b" ").strip()
    except OSError:
        command = b""
    # bytes that are not UTF-8 as their surrogate escapes, which shown writes \udcff:
    # the one way its escapes read (a path spelled \xff is shown \\xff)
    raw = command.decode("utf-8", "surrogateescape")
    text = shown(raw)
    if len(text) > HOLDER_MAX:  # cut between characters, never inside an escape (\udc)
        sizes = itertools.accumulate(len(shown(char)) for char in raw)
        end = next(count for count, size in enumerate(sizes) if size > HOLDER_MAX)
        text = shown(raw[:end]) + "..."
    holder = f"pid {pid}" + (f" ({text})" if text else "")
    try:
        note = os.pread(fd, 4096, 0).decode("utf-8", "surrogateescape").split("\n")[0]
    except OSError:
        note = ""
    said, _, what = note.partition(" ")
    return f"{holder}: {shown(what)}" if said == str(pid) and what else holder


class StallGuard:
    """Calls ``stop`` (kill the backup's processes) when ``progress()`` (bytes written so
    far) has not grown for ``seconds`` (0: never); leaving the ``with`` block then raises
    ``error`` with one line naming ``what`` and ``cause``, instead of the killed tool's
    exit signal. A tool hung on a disk or a network mount that stopped answering, or on
    a server that no longer sends, would otherwise hold the SOP and its lock forever.

    ``diagnose`` (optional) is called once when the stall is found, before ``stop``, while
    the stalled tool still waits: the one line it returns (what the tool waits for, asked
    of the server) replaces `` (cause)`` as ``: text``, raised as ``diagnosed_error`` when
    given (a cause another tool would meet too). It must bound its own time; when it
    returns None or fails, the cause stays. A tool that wrote or ended meanwhile is not
    stopped."""

    def __init__(self, stop: Callable[[], None], progress: Callable[[], int], seconds: int,
                 what: str, *, error: Callable[[str], BaseException],
                 cause: str = "hung?",
                 diagnose: Callable[[], str | None] | None = None,
                 diagnosed_error: Callable[[str], BaseException] | None = None) -> None:
        self.stop, self.progress, self.seconds, self.what = stop, progress, seconds, what
        self.error, self.cause, self.diagnose = error, cause, diagnose
        self.diagnosed_error = diagnosed_error or error
        self.diagnosis: str | None = None
        self.stalled = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StallGuard:
        if self.seconds > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        last, since = self.progress(), time.monotonic()
        while not self._done.wait(min(5.0, self.seconds / 4)):
            current = self.progress()
            if current != last:
                last, since = current, time.monotonic()
            elif time.monotonic() - since >= self.seconds:
                self._diagnose()
                if self._done.is_set() or self.progress() != current:
                    # it wrote, or ended, while the server was asked (the lock it waited for
                    # was let go): no stall, watched on
                    last, since, self.diagnosis = self.progress(), time.monotonic(), None
                    continue
                self.stalled = True
                self.stop()
                return

    def _diagnose(self) -> None:
        if self.diagnose is None:
            return
        try:
            self.diagnosis = self.diagnose()
        except Exception:  # what it could not learn leaves the cause as it was
            self.diagnosis = None

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.stalled:
            why = f": {self.diagnosis}" if self.diagnosis else f" ({self.cause})"
            error = self.diagnosed_error if self.diagnosis else self.error
            raise error(f"{self.what} wrote nothing for {self.seconds} s and was "
                        f"stopped{why}; no backup was written")


class HashingWriter:
    """Write a stream to a ``.partial`` file, hashing it on the way (no re-read).

    Write-behind: every ``flush_every`` bytes a background thread ``fdatasync``s what was
    written so far, so the disk writes while the stream is still being produced and the
    final ``fsync`` waits only for the tail (the model of PostgreSQL's
    ``checkpoint_flush_after``). ``flush_every=0`` turns it off.
    """

    FLUSH_EVERY = 32 << 20

    def __init__(self, final_path: str, flush_every: int = FLUSH_EVERY) -> None:
        self.final_path = final_path
        self.partial_path = final_path + PARTIAL_SUFFIX
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.flush_every = flush_every
        self._flushed_at = 0
        self._flusher: threading.Thread | None = None
        self._flush_error: OSError | None = None
        self.fd = os.open(self.partial_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)

    def write(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        view = memoryview(chunk)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.size += len(chunk)
        if self.flush_every and self.size - self._flushed_at >= self.flush_every and (
                self._flusher is None or not self._flusher.is_alive()):
            self._flushed_at = self.size
            self._flusher = threading.Thread(target=self._flush, daemon=True)
            self._flusher.start()

    def _flush(self) -> None:
        try:
            os.fdatasync(self.fd)
        except OSError as exc:  # reported by sync(): the disk failed or is full
            self._flush_error = exc

    def _join_flusher(self) -> None:
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None

    def sync(self) -> None:
        """fsync and close the partial file (its content is on disk)."""
        self._join_flusher()
        if self._flush_error is not None:
            raise self._flush_error
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1

    def publish(self) -> None:
        """Give the synced file its final name (refusing to replace an existing file)."""
        try:
            os.link(self.partial_path, self.final_path)
        except OSError as exc:
            if exc.errno not in NO_HARD_LINKS:
                raise
            # FAT32 and exFAT (most removable disks) have no hard links: a rename, after
            # making sure that nothing has the final name (the directory is ours alone).
            if os.path.lexists(self.final_path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST),
                                      self.final_path) from None
            os.rename(self.partial_path, self.final_path)
        else:
            os.unlink(self.partial_path)
        fsync_dir(os.path.dirname(os.path.abspath(self.final_path)))

    def commit(self) -> None:
        """fsync, close and rename the partial file to its final name."""
        self.sync()
        self.publish()

    def discard(self) -> None:
        """Close and remove the partial file (nothing that looks valid is left)."""
        self._join_flusher()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.partial_path)


def sha256_fileobj(handle: IO[bytes], chunk_size: int = 1 << 20) -> str:
    """The SHA-256 of what is left to read of the open file ``handle`` (read to its end):
    a caller that hashes a file and then reads it again (lists, restores) rewinds this
    same file, never reopens it by its name, which may meanwhile name another."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(chunk_size), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: str, chunk_size: int = 1 << 20, *, follow: bool = True) -> str:
    """The SHA-256 of the file ``path``; with ``follow`` false, OSError ELOOP when it is
    a symbolic link (a store's file a link put in its place is not read through it) and
    EINVAL when it is no regular file (a FIFO put there is not waited for)."""
    fd = open_regular(path)[0] if not follow else os.open(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        return sha256_fileobj(handle, chunk_size)


def now_iso() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")
