# GPL-3.0-or-later
"""Private files the modules keep between runs: the integrity baseline, the log audit's
read positions, the journal cursor, stored router configurations, backup manifests; and
the append-only records (JSON lines: the backup ledger, the quarantine's record).

Each is replaced whole or not at all (a crash leaves the old content or the new, never
half of one) and is readable by root only; a record gets whole lines or none. Stdlib only
(runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from typing import Any


class StateError(Exception):
    """A state file that cannot be read; the message is one line naming it."""


def fsync_dir(path: str) -> None:
    """Make the names in directory ``path`` durable (after a rename or unlink)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_dir(path: str | os.PathLike[str]) -> None:
    """Create ``path`` and its missing parents 0700. A directory that exists is left as
    it is (the files written in it are 0600): a state directory configured as a shared
    one, /tmp say, must not lose its own mode."""
    os.makedirs(path, mode=0o700, exist_ok=True)


def write_private(path: str | os.PathLike[str], text: str, *, temporary: str | None = None) -> None:
    """Replace ``path`` with ``text`` (UTF-8, mode 0600): written to a temporary file in
    the same directory (``temporary``, or a fresh hidden name), fsynced, renamed over
    ``path``, the directory fsynced. A failure removes the temporary file and raises the
    OSError."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    if temporary is None:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.")
    else:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_dir(directory)


def read_json(path: str, version: int) -> dict[str, Any] | None:
    """The JSON object at ``path`` written with format ``version``; None when there is
    no file yet. StateError when it cannot be read (nested without end included) or has
    another format."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise StateError(f"{path} unreadable: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != version:
        raise StateError(f"{path} has an unknown format")
    return data


def append_json(path: str | os.PathLike[str], entry: dict[str, Any]) -> None:
    """Append ``entry`` as one JSON line to the record ``path`` (created 0600; a link or
    a file that is not a regular one is refused) and fsync it.

    The line is written by one write, so that it stands whole or not at all: a record
    that does not end in a newline (a crash mid-append left a torn line, which readers
    skip) gets one first, so the entry is not glued to the torn line; a write that fails
    or is short (the disk full, a quota, the file size limit) is taken back, truncating
    the record to its size before, and the OSError says why."""
    line = json.dumps(entry, sort_keys=True).encode("ascii") + b"\n"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        before = info.st_size
        if before and os.pread(fd, 1, before - 1) != b"\n":
            line = b"\n" + line
        try:
            written = os.write(fd, line)
            if written < len(line):  # the next write says why (ENOSPC, EFBIG, EDQUOT)
                os.write(fd, line[written:])
                raise OSError(errno.EIO, "short write", os.fspath(path))
            os.fsync(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, before)
                os.fsync(fd)
            raise
    finally:
        os.close(fd)
