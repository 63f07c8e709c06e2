# GPL-3.0-or-later
"""Files in a tree another account can write (a web root, /var/log), read and removed
as root without following that account's links.

A name checked first and opened later by its path is the classic hole: between the two,
the account that owns the tree replaces a folder on the path with a symbolic link (to
/etc, say) or the file with a link or a FIFO, and root reads, moves or deletes what the
link points to, or waits forever. Here every folder below the configured root is opened
without following a link and the file is opened relative to its folder's descriptor, so
the names that are read or removed stay in the folder that was checked.

A path the administrator gives (a log's) is opened from / the same way, each entry in
the folder held above it; a symbolic link on it is followed only where root alone can
have made it (open_path).

Stdlib only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import re
import stat
from typing import IO

from ansible.module_utils.sop_pathwalk import MAX_LINKS

# O_NONBLOCK: opening a FIFO for reading does not wait for a writer (and the file
# is refused as not regular); on a regular file it changes nothing.
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def open_folder(root: str, relative: str) -> int:
    """A descriptor of folder ``relative`` under ``root``: ``root`` itself is the
    administrator's absolute path, walked as open_path_folder walks it (a link on it
    followed only where root alone can have made it: a root whose folder the site's
    account can write, swapped for a link to /etc, is LinkNotFollowed), every folder
    below it is opened without following a link. OSError ELOOP when one is a link,
    ENOTDIR when one is no folder at all, naming that one (its path from ``root``)."""
    fd = open_path_folder(root)
    try:
        parts = [p for p in relative.split("/") if p not in ("", ".")]
        for depth, part in enumerate(parts):
            if part == "..":
                raise OSError(errno.EPERM, "a path above the root", relative)
            try:
                below = os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            except NotADirectoryError:  # a link or a file: Linux says ENOTDIR for both
                where = os.path.join(root, *parts[:depth + 1])
                if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise OSError(errno.ELOOP, "a symbolic link (not followed)", where) from None
                raise OSError(errno.ENOTDIR, "not a folder", where) from None
            os.close(fd)
            fd = below
    except BaseException:
        os.close(fd)
        raise
    return fd


def _regular(fd: int, name: str) -> tuple[int, os.stat_result]:
    """The open ``fd`` and its status when it is a regular file; else it is closed and
    OSError EINVAL names ``name`` (a FIFO, a device, a socket: not read)."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", name)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def open_regular(name: str, dir_fd: int | None = None, *,
                 follow: bool = False) -> tuple[int, os.stat_result]:
    """``name`` (relative to ``dir_fd``) opened for reading, and its status, when it is
    a regular file; OSError ELOOP when it is a symbolic link (unless ``follow``: then
    what it points to), EINVAL when it is anything else (a FIFO, a device, a socket: not
    read)."""
    fd = os.open(name, READ_FLAGS & ~os.O_NOFOLLOW if follow else READ_FLAGS, dir_fd=dir_fd)
    return _regular(fd, name)


class LinkNotFollowed(OSError):
    """A symbolic link on a path not followed (ELOOP naming it), pointing to ``target``
    (None when it could not be read): ``writer`` can change the folder holding it
    (``owner``, ``group``, ``others``, as ``writers`` says, ``account`` naming the owner
    or the group), so another account than root may have made it; or ``writer`` None: it
    is one past MAX_LINKS on the way (a loop)."""

    def __init__(self, link: str, target: str | None, writer: str | None,
                 account: str | None) -> None:
        cause = (f"its folder is writable by {writer} {account or ''}".rstrip()
                 if writer else f"more than {MAX_LINKS} symbolic links (a loop)")
        super().__init__(errno.ELOOP, f"a symbolic link (not followed: {cause})", link)
        self.link, self.target, self.writer, self.account = link, target, writer, account


def writers(info: os.stat_result) -> tuple[str, str | None] | None:
    """Who besides root can change the folder ``info`` describes, its entries (a link)
    made or replaced: ``("owner", name)`` when root does not own it, ``("others", None)``
    when everyone may write it (a sticky /tmp too: anyone makes a new link there),
    ``("group", name)`` when its group may (a POSIX ACL granting anyone write shows there
    too, as its mask); None when root alone can (sshd's StrictModes, sudo's secure path).
    A name is the account's or group's number when it has none."""
    if info.st_uid != 0:
        try:
            return "owner", pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            return "owner", str(info.st_uid)
    if info.st_mode & stat.S_IWOTH:
        return "others", None
    if info.st_mode & stat.S_IWGRP:
        try:
            return "group", grp.getgrgid(info.st_gid).gr_name
        except KeyError:
            return "group", str(info.st_gid)
    return None


def _parts(path: str) -> list[str]:
    """The entries of ``path`` to walk, last first (popped in order)."""
    return [part for part in reversed(path.split("/")) if part not in ("", ".")]


def _walk(path: str, last_flags: int) -> int:
    """open_path's walk: a descriptor of what the absolute ``path`` leads to, its last
    entry opened with ``last_flags`` (which hold O_NOFOLLOW)."""
    if not path.startswith("/"):
        raise OSError(errno.EINVAL, "not an absolute path", path)
    todo = _parts(path)
    held = [(os.open("/", _DIR_FLAGS), "/")]  # the folders from / down: fd, path
    links = 0
    try:
        while todo:
            name = todo.pop()
            folder, where = held[-1]
            if name == "..":  # the parent of the folder reached, as the kernel takes it
                if len(held) > 1:
                    os.close(held.pop()[0])
                continue
            entry = os.path.join(where, name)
            flags = last_flags if not todo else _DIR_FLAGS | os.O_NOFOLLOW
            try:
                below = os.open(name, flags, dir_fd=folder)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise OSError(exc.errno, exc.strerror, entry) from None
                # a link (ELOOP; O_DIRECTORY: ENOTDIR) or, ENOTDIR, a file on the way
                if not stat.S_ISLNK(os.stat(name, dir_fd=folder,
                                            follow_symlinks=False).st_mode):
                    raise OSError(errno.ENOTDIR, "not a folder", entry) from None
                writer = writers(os.fstat(folder))
                if writer is not None or links == MAX_LINKS:
                    try:
                        target: str | None = os.readlink(name, dir_fd=folder)
                    except OSError:
                        target = None
                    raise LinkNotFollowed(entry, target, *(writer or (None, None))) from None
                # root alone can have made it, nor replace it meanwhile: its target read
                # in the held folder is what it points to
                target = os.readlink(name, dir_fd=folder)
                links += 1
                if target.startswith("/"):
                    while len(held) > 1:
                        os.close(held.pop()[0])
                todo.extend(_parts(target))
                continue
            held.append((below, entry))
        return held.pop()[0]
    finally:
        for fd, _where in held:
            os.close(fd)


def open_path(path: str) -> tuple[int, os.stat_result]:
    """The absolute ``path`` opened for reading, and its status, when it leads to a
    regular file (OSError EINVAL otherwise, as open_regular), walked from / one entry at
    a time, each opened in the folder held above it (nothing resolved by a path that an
    account could swap meanwhile). A symbolic link on the way, the file's own entry too,
    is followed only when root alone can change the folder holding it (owned by root,
    not writable by its group or others: ``writers``), for then root made it: its target,
    read in that held folder, is walked on from / (an absolute one) or from that folder,
    each entry by the same rule. LinkNotFollowed for a link in a folder another account
    can write, or one past MAX_LINKS (a loop); ENOTDIR naming an entry on the way that is
    no folder; any other OSError naming the entry."""
    return _regular(_walk(path, READ_FLAGS), path)


def open_path_folder(path: str) -> int:
    """A descriptor of the folder the absolute ``path`` leads to, walked as open_path
    walks it (ENOTDIR naming an entry that is no folder, the last too)."""
    return _walk(path, _DIR_FLAGS | os.O_NOFOLLOW)


class NotRegularFile(Exception):
    """Why a file to read once is not read: a symbolic link, or no regular file."""


def open_once(path: str) -> IO[bytes]:
    """``path`` opened for reading, to be hashed and read again through this one open
    file (a file renamed into its place meanwhile is not what is read): no symbolic link
    followed, a FIFO, a device or a folder refused and not waited for (NotRegularFile
    naming it); any other OSError as the OS gives it."""
    try:
        fd, _info = open_regular(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(f"{path} is a symbolic link (not followed)") from None
        if exc.errno == errno.EINVAL:
            raise NotRegularFile(f"{path} is not a regular file") from None
        raise
    return os.fdopen(fd, "rb")


def read_start(path: str, limit: int, *, follow: bool = False) -> tuple[bytes, int]:
    """The first ``limit`` bytes of the regular file ``path`` and its size (OSError as
    open_regular says: a FIFO put in its place is not waited for)."""
    fd, info = open_regular(path, follow=follow)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit), info.st_size


def unlink_same(name: str, dir_fd: int, info: os.stat_result) -> None:
    """Remove ``name`` from the folder ``dir_fd`` if it still is the file ``info``
    describes (OSError ESTALE when it was replaced meanwhile), and make it durable."""
    now = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        raise OSError(errno.ESTALE, "replaced by another file meanwhile", name)
    os.unlink(name, dir_fd=dir_fd)
    os.fsync(dir_fd)


# What would end a line of a finding's name or a message (Python's splitlines too): control
# characters, C1 included, and the Unicode line and paragraph separators; a byte of a name
# that is no UTF-8, which Python keeps as a lone surrogate (surrogateescape) and no UTF-8
# result or report can hold; and the backslash that starts every escape, so that a name
# spelled with the four characters \x0a never reads as one holding a newline
_ESCAPED = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def shown(path: str) -> str:
    """``path`` on one line, for a finding's name or a message: each character that
    would break it (a newline the site's account put in a file's name, to write a line
    of its own into the report) as an escape, \\x0a (\\u2028); a byte that is no UTF-8
    as its surrogate's, \\udcff; and a backslash as \\\\, so that each escape reads one
    way only (a name spelled a\\x0ab.php is shown a\\\\x0ab.php)."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\\":
            return "\\\\"
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _ESCAPED.sub(escape, path)
