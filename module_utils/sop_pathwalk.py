# GPL-3.0-or-later
"""A path walked as the kernel resolves it, for the checks that must see every entry on
the way, not only the end ``realpath`` gives: the folders whose entries decide where a
path leads (an account that can write one could put a link in place of the next entry),
and each symbolic link followed with its owner (Apache's SymLinksIfOwnerMatch).

Stdlib only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from typing import NamedTuple

# Symbolic links followed in one resolution at most, as Linux's MAXSYMLINKS.
MAX_LINKS = 40


class TooManyLinks(OSError):
    """More than MAX_LINKS symbolic links on the way (the kernel's ELOOP)."""


class Entry(NamedTuple):
    """An entry looked up: its name in ``folder`` (a resolved folder, no link in it),
    its ``os.lstat``, and what it points to when it is a symbolic link."""

    folder: str
    name: str
    info: os.stat_result
    target: str | None

    @property
    def path(self) -> str:
        return os.path.join(self.folder, self.name)

    @property
    def is_link(self) -> bool:
        return self.target is not None


def walk(path: str | os.PathLike[str]) -> Iterator[Entry]:
    """Each entry the kernel looks up to resolve ``path`` (a relative one from the
    working folder's real path), from / down, in order. A symbolic link, the last entry
    too, is followed: the entries of its target come next, from the folder holding the
    link or, an absolute target, from /. ``.`` and ``..`` are no entries: ``..`` is the
    parent of the resolved folder, so after a link the parent of the link's target, as
    the kernel takes it. Raises the OSError of ``os.lstat`` naming the entry that cannot
    be looked up (FileNotFoundError for a missing one, NotADirectoryError for one below a
    file), and TooManyLinks, naming ``path``, on the link past MAX_LINKS."""
    text = os.fspath(path)
    if not text.startswith("/"):
        text = os.path.join(os.getcwd(), text)
    todo = [part for part in reversed(text.split("/")) if part]
    folder, links = "/", 0
    while todo:
        name = todo.pop()
        if name in (".", ".."):
            folder = os.path.dirname(folder) if name == ".." else folder
            continue
        entry = os.path.join(folder, name)
        info = os.lstat(entry)
        target = os.readlink(entry) if stat.S_ISLNK(info.st_mode) else None
        yield Entry(folder, name, info, target)
        if target is None:
            folder = entry
            continue
        links += 1
        if links > MAX_LINKS:
            raise TooManyLinks(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path))
        todo.extend(part for part in reversed(target.split("/")) if part)
        if target.startswith("/"):
            folder = "/"
