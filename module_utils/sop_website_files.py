# GPL-3.0-or-later
"""Web root archives: ``tar | zstd -T0`` streamed into a hashed ``.partial`` file.

The archive is hashed while it is written (no re-read); tar's verbose listing gives the
entries archived, whose count and hash (COUNT_AND_HASH, in a process of its own on both
sides) go into the manifest so that the copy on the backup computer can be checked by
listing it (``zstd -dc | tar -t``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import subprocess
import sys
import threading
import time
from typing import IO, Any, NamedTuple

from ansible.module_utils.sop_backup_files import (
    HashingWriter,
    StallGuard,
    ended,
    expendable,
    rchar,
    unprivileged,
    widen_pipe,
)

CHUNK = 1 << 20
# How long a tar stopped for a stall is awaited (a wait on a dead mount may outlast SIGKILL).
KILLED_WAIT = 30


def tar_env() -> dict[str, str]:
    """tar writes names in the C locale here and where the archive is listed (the verify
    account's environment): a name such as ``berita-\u00e9.jpg`` is written
    ``berita-\\303\\251.jpg`` in both, whatever locale the module inherited over SSH (in
    C.UTF-8 tar writes it as it is, and the two listings differed)."""
    return {**os.environ, "LC_ALL": "C"}


class ArchiveError(Exception):
    """tar or zstd failed; the message is one clear line."""


class ListingTimeout(ArchiveError):
    """Listing an archive took longer than allowed (a hung tool or a compressed bomb)."""


# Delimiters a --transform expression may take: the first in neither of its names.
DELIMITERS = ",|#%@;:!~=+"


def renaming(source: str, name: str) -> str:
    """tar's --transform expression that stores the file ``source`` (an operand, its
    absolute path) as ``name``, and no other member: an exact match of the whole name
    (a basic regular expression, its special characters escaped), applied to member names
    only (flags S and H: a link's target that names ``source`` stays as it is)."""
    delimiter = next((d for d in DELIMITERS if d not in source + name), None)
    if delimiter is None:
        raise ArchiveError(f"{source!r}: no delimiter for tar's --transform is free")
    pattern = "".join("\\" + c if c in "\\.*[]^$" else c for c in source)
    replacement = "".join("\\" + c if c in "\\&" else c for c in name)
    return f"s{delimiter}^{pattern}${delimiter}{replacement}{delimiter}SH"


def tar_argv(paths: list[str], exclude: list[str],
             rename: dict[str, str] | None = None, skip: list[str] | None = None) -> list[str]:
    """tar creating the archive of ``paths``; ``rename``: {operand: the name it is stored
    under} (a file a link outside the folders points to, stored under the link's name);
    ``skip``: names left out exactly as they are (no pattern: --anchored --no-wildcards,
    which apply to the --exclude options after them only, never the patterns ``exclude``).
    The names tar lists are those stored (--show-transformed-names), as tar -t lists them."""
    argv = ["tar", "--create", "--file=-", "--verbose", "--sparse", "--warning=no-file-changed"]
    argv += [f"--exclude={pattern}" for pattern in exclude]
    argv += ["--anchored", "--no-wildcards", *(f"--exclude={name}" for name in skip)] \
        if skip else []
    argv += [f"--transform={renaming(source, name)}" for source, name in (rename or {}).items()]
    argv += ["--show-transformed-names"] if rename else []
    return [*argv, "--absolute-names", "--", *paths]


SHOWN = 120  # characters shown of the start and of the end of a long name
# What makes a name one no tar restores, here as in any restore with tar.
TOO_LONG_FOR_TAR = ("longer than tar can restore (past PATH_MAX, 4096 bytes, or a part "
                    "past NAME_MAX, 255)")


def shortened(name: str, length: int | None = None) -> str:
    """``name`` as a message shows it: one longer than 2 * SHOWN characters as its start
    and its end and its length, in the record's Bahasa (``(4300 karakter)``; tar's
    message quotes a name whole, over 4096 bytes).
    ``length``: that of the whole name, when ``name`` is already cut to its start and its
    end (as COUNT_AND_HASH writes the first name tar cannot restore)."""
    whole = len(name) if length is None else length
    if whole <= 2 * SHOWN:
        return name
    return f"{name[:SHOWN]}...{name[-SHOWN:]} ({whole} karakter)"


def unrestorable_warning(archive: str, done: str, count: int, first: str) -> str:
    """The SOP record's warning (Bahasa) of the backup ``archive`` (its file name), ``done``
    (dibuat, terverifikasi), whose archive holds ``count`` names no tar restores
    (TOO_LONG_FOR_TAR), ``first`` the first of them, shortened: the backup's and the
    verification's, worded alike."""
    return (f"Backup file situs {archive} {done}, tetapi {count} nama di dalamnya tidak dapat "
            "dipulihkan dengan tar (nama 4096 byte atau lebih, PATH_MAX, atau bagian nama "
            f"lebih dari 255 byte, NAME_MAX), yang pertama {first}: backup ini tidak dapat "
            "dipulihkan utuh")


# The names' count and the sha256 of the sorted names (each followed by a newline),
# computed by the pipeline's last process on both sides: the names of a crafted archive
# (millions of entries) fill that process, which on the backup computer runs like zstd and
# tar as the verify account, and is the kernel's first choice when memory runs out, never
# the root module that reads its one line. With TAR_MESSAGES (the archive's own side, where
# tar's names and messages share its stderr) the lines "tar: ..." are no names: they are
# written to its stderr instead.
# It also counts the names no tar restores (TOO_LONG_FOR_TAR: their size in bytes, tar's
# escapes of the C locale, \ooo \\ \n, one byte each, without the leading "/" tar -x
# takes off nor a folder's trailing one, as tar names it when it cannot make it; a name of
# at most 255 characters, or a part of it, is never one: tar's escapes only lengthen it)
# and writes the first, cut to its start and its end (shortened), after its length:
# "<entries> <sha256> <count>[ <length> <name>]". The backup and the verification warn of
# them (unrestorable_warning: a restore with tar fails on each). 1 000 000 names of 327
# characters: 2.4 s, was 1.3 s.
COUNT_AND_HASH = (
    "import hashlib, re, sys\n"
    "lines = sys.stdin.buffer.read().decode('utf-8', 'surrogateescape').splitlines()\n"
    "if sys.argv[1:] == ['--tar-messages']:\n"
    "    for line in lines:\n"
    "        if line.startswith('tar: '):\n"
    "            sys.stderr.buffer.write(line.encode('utf-8', 'surrogateescape') + b'\\n')\n"
    "    lines = [line for line in lines if not line.startswith('tar: ')]\n"
    "escaped, long_part = re.compile(r'\\\\(?:[0-7]{3}|.)'), re.compile('[^/]{256}')\n"
    "def size(text):\n"
    "    return len(escaped.sub('.', text))\n"
    "restored = (line.strip('/') for line in lines if len(line) > 255)\n"
    "too_long = [name for name in restored if len(name) >= 4096 and size(name) >= 4096\n"
    "            or long_part.search(name)\n"
    "            and any(size(part) > 255 for part in name.split('/'))]\n"
    "names = sorted(lines)\n"
    "digest = hashlib.sha256()\n"
    "for name in names:\n"
    "    digest.update(name.encode('utf-8', 'surrogateescape') + b'\\n')\n"
    "first = too_long[0] if too_long else ''\n"
    f"cut = first if len(first) <= {2 * SHOWN} else first[:{SHOWN}] + first[-{SHOWN}:]\n"
    "named = [len(first), cut] if too_long else []\n"
    "print(len(names), digest.hexdigest(), len(too_long), *named)\n"
)
TAR_MESSAGES = "--tar-messages"
LINE_MAX = 4096  # the counter's answer (COUNT_AND_HASH: one line, a name cut to 2 * SHOWN)
SAID = 16384  # bytes kept of the start and of the end of what each tool writes to stderr


class Listing(NamedTuple):
    entries: int
    sha256: str  # of the sorted names (COUNT_AND_HASH)
    unrestorable: int = 0  # names no tar restores (TOO_LONG_FOR_TAR)
    first_unrestorable: str = ""  # the first of them, shortened


def counter_answer(out: bytes) -> Listing:
    """COUNT_AND_HASH's answer as a Listing, the first name tar cannot restore shortened."""
    entries, digest, unrestorable, *first = out.decode(errors="replace").rstrip("\n").split(" ", 4)
    return Listing(int(entries), digest, int(unrestorable),
                   shortened(first[1], int(first[0])) if first else "")


class _Said(threading.Thread):
    """Reads a tool's stderr to its end, keeping its start and its end only: about a
    crafted archive a tool can say as much as the archive holds."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(daemon=True)
        self.stream, self.head, self.tail = stream, b"", b""
        self.start()

    def run(self) -> None:
        with self.stream:
            for chunk in iter(lambda: self.stream.read(CHUNK), b""):
                self.head += chunk[:SAID - len(self.head)]
                self.tail = (self.tail + chunk)[-SAID:]

    def lines(self) -> list[str]:
        self.join()
        text = self.head if len(self.tail) < SAID else self.head + b"\n" + self.tail
        return [line for line in text.decode(errors="replace").splitlines() if line.strip()]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Kill and reap; the threads reading their stderr then see its end."""
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.wait()
    for proc in procs:
        if proc.stdout is not None:
            proc.stdout.close()


def write_archive(paths: list[str], exclude: list[str], writer: HashingWriter,
                  level: int, stall_seconds: int = 0, *,
                  rename: dict[str, str] | None = None,
                  skip: list[str] | None = None) -> dict[str, Any]:
    """Stream the archive of ``paths`` into ``writer``; entries, listing hash, tar's
    warnings, and the names no tar restores (TOO_LONG_FOR_TAR: their count and the first,
    shortened), counted as the verification counts them. ``rename``: operands stored
    under another name, ``skip``: names left out (tar_argv).

    tar's verbose listing (every entry's name, on its stderr) goes straight into the
    Python that counts and hashes the names (COUNT_AND_HASH, as on the backup computer,
    oom_score_adj 1000): a web root of millions of long names, which the web account can
    make, never fills this root module, which reads one line and tar's last messages.

    tar that writes nothing for ``stall_seconds`` (0: no limit; what zstd has read of it
    counts, so a slow tar zstd has not yet compressed is not stopped) is killed with
    zstd, and ArchiveError says so: a folder on a network mount (NFS, CIFS) that stopped
    answering would otherwise hold the SOP forever."""
    pipe = subprocess.PIPE
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with open("/dev/null", "rb") as devnull:
            procs.append(subprocess.Popen(tar_argv(paths, exclude, rename, skip), stdin=devnull,
                                          stdout=pipe, stderr=pipe, env=tar_env()))
        tar = procs[0]
        procs.append(subprocess.Popen(["zstd", "-q", "-T0", f"-{level}", "-c"], stdin=tar.stdout,
                                      stdout=pipe, stderr=pipe))
        # The module's own interpreter: root runs it here (the verify account of the
        # backup computer takes python3 from PATH instead).
        procs.append(subprocess.Popen(
            expendable([sys.executable, "-I", "-S", "-c", COUNT_AND_HASH, TAR_MESSAGES]),
            stdin=tar.stderr, stdout=pipe, stderr=pipe, env=tar_env()))
    except BaseException:
        _stop(procs)
        raise
    tar, zstd, counter = procs
    for ours in (tar.stdout, tar.stderr):  # read by zstd and the counter only
        if ours is not None:
            ours.close()
    zstd_out, counted = zstd.stdout, counter.stdout
    if zstd_out is None or counted is None or counter.stderr is None:
        raise ArchiveError("tar/zstd pipes not available")
    widen_pipe(zstd_out.fileno())
    said = _Said(counter.stderr)  # tar's messages, passed on by the counter

    def stop() -> None:
        # the counter too: a tar that does not die (a wait on a dead mount) keeps the
        # listing's pipe open, and the counter would wait for its end forever
        for proc in procs:
            proc.kill()

    guard = StallGuard(stop, lambda: writer.size + rchar(zstd.pid), stall_seconds, "tar",
                       error=ArchiveError,
                       cause="a folder on a network mount that stopped answering?")
    try:
        with guard:
            try:
                for chunk in iter(lambda: zstd_out.read(CHUNK), b""):
                    writer.write(chunk)
            except BaseException:
                # A write that failed (disk full) leaves tar and zstd blocked on full pipes:
                # stop all three, or this process waits forever.
                stop()
                raise
            finally:
                zstd_err = zstd.stderr.read() if zstd.stderr else b""
                zstd_rc = zstd.wait()
                try:
                    # a tar killed in a wait on a dead mount may not end: not waited for
                    tar_rc = tar.wait(KILLED_WAIT if guard.stalled else None)
                except subprocess.TimeoutExpired:
                    tar_rc = -1
                zstd_out.close()
    finally:
        # Sorting the names of a large site takes its time once tar has ended: no stall.
        out = counted.read(LINE_MAX)
        counter.wait()
        counted.close()
        said.join()
    errors = said.lines()
    if counter.returncode != 0:
        cause = (errors[-1:] or [ended(counter.returncode)])[0]
        raise ArchiveError(f"counting the names failed: {cause}")
    if tar_rc not in (0, 1) or zstd_rc != 0:
        cause = (errors[0] if errors else zstd_err.decode(errors="replace").strip()) or "unknown"
        raise ArchiveError(f"tar/zstd failed (tar {tar_rc}, zstd {zstd_rc}): {cause}")
    listed = counter_answer(out)
    return {"entries": listed.entries, "listing_sha256": listed.sha256, "warnings": errors[-5:],
            "unrestorable": listed.unrestorable,
            "first_unrestorable": listed.first_unrestorable}


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def list_archive(archive: str | IO[bytes], tar: list[str], timeout: float | None = None,
                 user: pwd.struct_passwd | None = None) -> Listing:
    """``zstd -dc < archive | TAR``, TAR printing the entries' names (``tar --list`` or
    ``tar -x -v``), read to its very end, counted and hashed; within ``timeout`` seconds
    (else all are stopped: ListingTimeout). ArchiveError names the first cause of a failure.
    ``archive``: its path, or a file the caller opened (and closes), read by zstd from its
    descriptor's current position: the very file the caller checked (hashed), whatever
    its name points to meanwhile.

    The archive comes from a server that may be compromised. Our end of each pipe is closed
    once its reader runs, so no tool blocks forever on output the next did not read. With
    ``user`` (the backup computer's unprivileged verify account) every process runs as that
    user, with oom_score_adj 1000, and zstd reads the archive from a descriptor this
    process opened: a flaw that a crafted archive exploits gets that user's rights only,
    and whatever it makes grow is stopped first.
    """
    drop = unprivileged(user) if user is not None else {"env": tar_env()}
    run_as = expendable if user is not None else list
    deadline = None if timeout is None else time.monotonic() + timeout
    pipe = subprocess.PIPE
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with (open(archive, "rb") if isinstance(archive, str)
              else contextlib.nullcontext(archive)) as source:
            procs.append(subprocess.Popen(run_as(["zstd", "-q", "-dc"]), stdin=source,
                                          stdout=pipe, stderr=pipe, **drop))
        # python3 found in PATH (/usr/bin for the verify account): the module's own
        # interpreter may lie where that account cannot run it (a virtualenv in /root).
        for argv in (tar, ["python3", "-I", "-S", "-c", COUNT_AND_HASH]):
            upstream = procs[-1].stdout
            procs.append(subprocess.Popen(run_as(argv), stdin=upstream, stdout=pipe,
                                          stderr=pipe, **drop))
            if upstream is not None:
                upstream.close()
    except BaseException:
        _stop(procs)
        raise
    zstd, listing, counter = procs
    said = [_Said(proc.stderr) for proc in (zstd, listing) if proc.stderr is not None]
    try:
        out, err = counter.communicate(timeout=_left(deadline))
        for proc in (listing, zstd):
            proc.wait(timeout=_left(deadline))
    except subprocess.TimeoutExpired:
        _stop(procs)
        raise ListingTimeout(f"not finished within {timeout:g} s: stopped") from None
    zstd_said, tar_said = (part.lines() for part in said)
    if counter.returncode != 0:
        cause = (err.decode(errors="replace").strip().splitlines()[-1:]
                 or [ended(counter.returncode)])[0]
        raise ArchiveError(f"counting the names: {cause}")
    if zstd.returncode != 0:
        raise ArchiveError((zstd_said[-1:] or [f"zstd: {ended(zstd.returncode)}"])[0])
    if listing.returncode != 0:
        causes = [line for line in tar_said if "Removing leading" not in line]
        raise ArchiveError((causes[:1] or [f"tar: {ended(listing.returncode)}"])[0])
    return counter_answer(out)


def archive_listing(path: str, timeout: float | None = None,
                    user: pwd.struct_passwd | None = None, *,
                    archive: IO[bytes] | None = None) -> Listing:
    """The entries of an archive (``zstd -dc | tar --list``), counted and hashed.
    ``--ignore-zeros`` reads past an end-of-archive marker, so entries hidden after one
    are listed (and differ from the manifest). ``archive``: the file at ``path`` the caller
    opened (and closes), listed from its current position instead of opening ``path``
    again; ``path`` then only names it in errors. See list_archive."""
    tar = ["tar", "--list", "--ignore-zeros", "--file=-", "--absolute-names"]
    try:
        return list_archive(path if archive is None else archive, tar, timeout, user)
    except ListingTimeout as exc:
        raise ListingTimeout(f"listing {path} {exc}") from None
    except ArchiveError as exc:
        raise ArchiveError(f"listing {path} failed: {exc}") from None
