#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: copy a backup and its manifest to removable media, checksummed."""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    HashingWriter,
    as_reconciled,
    damaged_name,
    inventory,
    list_backups,
    manifest_path,
    owned_by,
    parse_name,
    read_manifest,
    sha256_file,
    write_json_atomic,
)
from ansible.module_utils.sop_retention import by_arrival, keep_counts, keep_error, select
from ansible.module_utils.sop_server import mountinfo_rows
from ansible.module_utils.sop_state import StateError, fsync_dir, read_json

DOCUMENTATION = r"""
---
module: backup_copy
short_description: Copy a backup and its manifest to removable media, with its own retention
description:
  - Copies the backup file through C(NAME.partial) (hashed while copying, fsynced), writes
    its manifest, then gives the file its final name; the copy's SHA-256 must equal the
    manifest's.
  - Removable media never stops the SOP. Media that is absent (O(dest) missing or, with
    O(require_mountpoint), not a mount point), read-only, or failing is a warning and
    C(copied=false), and nothing on it is pruned; a C(.partial) left by an interrupted copy
    of this prefix is a warning and is removed (files of other prefixes are not touched).
  - >-
    A medium unmounted during the task (pulled out while the scrub reads a copy) is
    absent too: its mount point, then a directory of the server's own disk, never takes
    the copy. A backup larger than one file on the medium can be (FAT32 holds at most
    4 GiB a file) is a warning naming the limit; nothing of the copy is left. Check mode
    says so beforehand of a medium whose file system C(/proc/self/mountinfo) names vfat
    or msdos (FAT), for a backup above 4 GiB less one byte.
  - >-
    The media has its own retention (O(keep_daily), O(keep_weekly), O(keep_monthly),
    restic/borg C(forget) semantics over the verified copies on it), applied after the
    copy. The copy of this task counts as the medium's newest whatever its name's date (a
    clock set back names it the oldest): it is never pruned.
  - >-
    A full medium keeps itself healthy. A copy that fails for lack of space leaves nothing
    of itself; the medium's retention is then applied to the copies already there (never
    pruning one it keeps) and, when that freed something, the copy is tried once more.
    When it still does not fit, one warning says what fills the medium, naming the room
    the copies of the prefix take on it, its free and the needed bytes. When the copies
    the retention keeps take the room (pruning all but the newest would make it), the
    C(keep_*) options are to be lowered or a larger medium used; when other files fill
    it (no copy of the prefix on it, or too little to make room even if the retention
    kept only the newest), naming the room they take, room is to be freed on it or
    another medium used; when neither would make room, the medium is too small for the
    copy and a larger one is to be used. When the medium refused the copy for another
    cause than its bytes, the warning names that cause instead, never its size: a disk
    quota exceeded (EDQUOT), no free inodes (file entries) left, or no space left (ENOSPC)
    while its free bytes hold the copy (a project quota, its metadata space full). Check
    mode judges by the medium's free bytes and free inodes (a copy takes two, the file and
    its manifest), counting those the leftovers and its retention would free, and names
    the same cause; a quota or another limit of its file system only the write meets.
  - A copy of the backup already on the medium is checked again against its own manifest
    (its size, then its SHA-256 read in a stream) and left alone when whole with the
    backup's manifest. A damaged one (bit rot, a failing stick, a file cut short) is never
    deleted; it is renamed with its manifest to C(NAME.damaged) (then C(NAME.damaged-2)
    and so on), a name that no retention takes for a backup, with a warning naming it, and
    the backup is copied anew. A copy is damaged too when its manifest rotted (none
    readable or none at all, one its content no longer matches, or one that differs from
    the backup's while the content is the backup's). Remove it once examined, as it takes
    room on the medium.
  - >-
    A copy of the backup found up to date on the medium is reported as there
    (C(copied=true), RV(path), RV(sha256)) even when the medium's upkeep after it fails (a
    read-only medium whose retention would prune, a damaged older copy that cannot be set
    aside); the warning and RV(msg) then say so, naming the cause
    (C(copy up to date (PATH), but the medium's upkeep (retention, damaged copies) failed: ...)).
  - A copy whole by its own manifest that is not the backup's content is never set aside
    (the backup's own manifest may be what rotted, on the server); it is left as it is
    and the copy skipped with a warning.
  - The other copies on the medium are scrubbed a little on every run, in the manner of
    C(restic check --read-data-subset). Each one's manifest and size are checked, and
    one of them is read whole and its SHA-256 compared with its manifest's, the one
    checked longest ago (never checked first, then the oldest), so that a medium of N
    copies is read through once every N runs or so, never all at once at USB speed. A
    damaged one (no readable manifest, another size or SHA-256) is set aside with its
    manifest as C(NAME.damaged) like the backup's own copy, with a warning, and the
    retention then does not count it. When each copy was last checked (read back whole,
    or written) is kept on the medium in C(.sop-scrub-PREFIX.json), replaced whole or not
    at all, a name no retention or report takes for a backup; a record that is missing or
    unreadable checked no copy, and one that cannot be written is a warning.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  src:
    description: Backup file (its manifest is beside it).
    type: path
    required: true
  dest:
    description: Directory on the removable media.
    type: path
    required: true
  require_mountpoint:
    description: Treat O(dest) as absent unless it is a mount point.
    type: bool
    default: true
  keep_daily:
    description: Days to keep on the media.
    type: int
    default: 7
  keep_weekly:
    description: ISO weeks to keep on the media.
    type: int
    default: 4
  keep_monthly:
    description: Months to keep on the media.
    type: int
    default: 12
  reconciled:
    description:
      - >-
        In check mode only: the names of backups whose manifest beside O(src) is still
        pending and that M(backup_manifest) V(reconcile) run before in check mode would have
        marked verified (its RV(backup_manifest#module:marked)). Check mode writes no mark,
        so the manifest of O(src), when named, is taken as marked verified, as a real run
        copies it, and the medium's retention predicted counts the copy as verified, as a
        real run's does. The copies already on the medium are judged by their own
        manifests.
      - A real run reads the mark from the manifest and does not use it.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Changes nothing; reports whether it would copy (or would not fit, judged
      from the medium's free space and free inodes, the leftovers it would remove and what
      its retention would prune; or would be larger than one file on a FAT medium can
      be), what it would prune (the retention applied with the copy on the
      medium, as a run applies it), which damaged copy it would set aside and which other
      copy it would scrub (neither that copy read nor the scrub's record written).
"""

EXAMPLES = r"""
- name: Copy to the USB disk when it is plugged in
  backup_copy:
    src: /var/backups/sipp/sipp-20261121T020000.sql.zst
    dest: /media/backup-sipp
"""

RETURN = r"""
copied:
  description: Whether the media holds the copy after the task.
  returned: always
  type: bool
path:
  description: The copy.
  returned: when copied (in check mode, when it would be)
  type: str
sha256:
  description: SHA-256 of the copy (equal to the manifest's).
  returned: when copied (in check mode, when it would be)
  type: str
damaged:
  description: Where a damaged copy of the backup found on the media (its SHA-256 or size
    differed from its manifest's, or its manifest was unreadable, missing or not the
    backup's while its content was) was set aside with its manifest (in check mode, where
    it would be); the backup is then copied anew.
  returned: when a damaged copy was found
  type: str
  sample: /media/backup-sipp/sipp-20261121T020000.sql.zst.damaged
scrubbed:
  description: The other copy on the media read whole this run and compared with its
    manifest (in check mode, the one that would be, unread); the one checked longest ago.
  returned: when the media holds another copy of the backup's prefix whose manifest and
    size are right
  type: str
  sample: /media/backup-sipp/sipp-20261101T020000.sql.zst
damaged_others:
  description: Damaged copies of other backups found on the media (no readable manifest,
    or a size, or for the C(scrubbed) copy a SHA-256, other than their manifest's), each
    with where it was set aside with its manifest (in check mode, where it would be); the
    retention does not count them.
  returned: when the media is present
  type: dict
  sample: {"/media/backup-sipp/sipp-20261101T020000.sql.zst":
           "/media/backup-sipp/sipp-20261101T020000.sql.zst.damaged"}
leftovers_removed:
  description: C(.partial) files of this prefix left by interrupted copies, removed (a warning).
  returned: when the media is present
  type: list
  elements: str
pruned:
  description: Old copies removed from the media (names; in check mode, those it would
    remove).
  returned: always
  type: list
  elements: str
"""


# The most bytes one file holds on FAT (vfat, msdos: the FAT32 of most USB disks), 4 GiB
# less one byte (the kernel's fat_fill_super sets s_maxbytes): a write past it fails with
# EFBIG. The file system types /proc/self/mountinfo names FAT with.
FAT_FILE_MAX = (1 << 32) - 1
FAT_TYPES = frozenset({"vfat", "msdos"})
MOUNTINFO = "/proc/self/mountinfo"


def _file_system(device: int) -> str | None:
    """The type /proc/self/mountinfo names the file system of ``device`` (a st_dev) with
    (vfat, exfat, ext4, ...): the file system itself, whichever of its mounts (a bind
    mount, the automount point it is stacked on) the path went through, as no mount
    point is matched; None when the table is unreadable or lacks it (a btrfs subvolume's
    own st_dev)."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open(MOUNTINFO, encoding="utf-8", errors="replace") as handle:
            mounts = mountinfo_rows(handle.read())
    except OSError:
        return None
    return next((mount.fstype for mount in mounts if mount.device == wanted), None)


def _too_large(src: str, dest: str) -> str:
    """Why the backup ``src`` cannot be copied to ``dest``: larger than one file there can
    be (EFBIG at the write; in check mode, FAT found beforehand)."""
    return (f"{os.path.basename(src)} ({os.path.getsize(src)} bytes) is larger than one file "
            f"on {dest} can be (FAT32, the file system of most USB disks, holds at most 4 GiB "
            "a file): format the medium as exFAT or ext4")


def _skipped(check: bool) -> str:
    """The head of the line saying the copy is (in check mode, would be) skipped."""
    return f"removable media copy {'would be ' if check else ''}skipped: "


def _unmounted(dest: str) -> OSError:
    return OSError(0, f"removable media not present: {dest} was unmounted during the task "
                   "(nothing is written on the directory left in its place)")


def _device(dest: str) -> int:
    """The file system of the directory ``dest``, opened: an automount point
    (x-systemd.automount) mounts the medium then, where a stat reads the automount's."""
    fd = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return os.fstat(fd).st_dev
    finally:
        os.close(fd)


def _present(dest: str, device: int) -> None:
    """OSError when ``dest`` is no longer the medium found mounted at the task's start
    (``device``): unmounted since (the medium pulled out during the scrub's long read),
    its mount point is a directory of the server's own disk."""
    try:
        now = _device(dest)
    except OSError:
        raise _unmounted(dest) from None
    if now != device:
        raise _unmounted(dest)


def _copy(src: str, target: str, manifest: dict[str, Any], device: int) -> None:
    if os.path.lexists(target):
        # Never replaced, nor its manifest: a copy gets its final name last (publish).
        raise OSError(errno.EEXIST, f"{target} exists and differs from the backup (size "
                      "or manifest); left as it is")
    writer = HashingWriter(target)
    try:
        if os.fstat(writer.fd).st_dev != device:  # written where the medium was
            raise _unmounted(os.path.dirname(target))
        with open(src, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                writer.write(chunk)
        if writer.sha256.hexdigest() != manifest.get("sha256"):
            raise OSError(0, "sha256 of the copy does not match the manifest")
        writer.sync()
        write_json_atomic(manifest_path(target), manifest)
        writer.publish()
    except OSError:
        writer.discard()
        with contextlib.suppress(OSError):
            if not os.path.exists(target):
                os.unlink(manifest_path(target))
        raise


# What a write fails with when the medium has no room (blocks, inodes or a quota).
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


def _copied(src: str, target: str, manifest: dict[str, Any], device: int) -> int | None:
    """Copy; the errno the medium refused it with for lack of room (nothing of the copy
    is left), None when copied."""
    try:
        _copy(src, target, manifest, device)
    except OSError as exc:
        if exc.errno == errno.EFBIG:  # "File too large" named the limit, not the medium
            raise OSError(0, _too_large(src, os.path.dirname(target))) from None
        if exc.errno not in NO_ROOM:
            raise
        return exc.errno
    return None


def _on_medium(dest: str, prefix: str, done: dict[str, Any], newest: str,
               adding: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The medium's files of ``prefix`` as its retention sees them: without those the task
    removed or set aside (leftovers of interrupted copies, pruned copies, damaged copies of
    other backups: still there in check mode) and, in check mode, with the copy it would
    make (``adding``). Each in the order of arrival: by its time, but the copy the task
    makes or found up to date (``newest``) arrived last, whatever its name says (with the
    clock set back, a dead CMOS battery, it names the medium's oldest day: by_arrival)."""
    gone = {*done["leftovers_removed"], *done["pruned"],
            *(os.path.basename(path) for path in done["damaged_others"])}
    if adding is not None:
        gone.add(adding["name"])
    items = [item for item in inventory(dest, prefix) if item["name"] not in gone]
    return by_arrival(items + ([adding] if adding is not None else []), newest)


def _prunable(module: AnsibleModule, dest: str, prefix: str, done: dict[str, Any], *,
              newest: str, adding: dict[str, Any] | None = None,
              keep: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """What the medium's retention (``keep``, by default the task's keep_* options) would
    prune of the copies on it (``_on_medium``), ``newest`` the copy of the task."""
    if keep is None:
        keep = keep_counts(module.params)
    _, pruned = select(_on_medium(dest, prefix, done, newest, adding), keep,
                       datetime.datetime.now(), datetime.timedelta(hours=24))
    return pruned


def _prune(module: AnsibleModule, dest: str, prefix: str, done: dict[str, Any], *,
           newest: str, adding: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Apply the medium's retention to the copies on it (listed only in check mode, with
    the copy it would make, ``adding``), ``newest`` the copy of the task: the items
    pruned, their names added to ``done["pruned"]``."""
    pruned = _prunable(module, dest, prefix, done, newest=newest, adding=adding)
    if not module.check_mode:
        for item in pruned:
            for path in item["files"]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
    done["pruned"].extend(item["name"] for item in pruned)
    return pruned


def _copy_making_room(module: AnsibleModule, src: str, target: str, manifest: dict[str, Any],
                      *, prefix: str, device: int, done: dict[str, Any]) -> int | None:
    """Copy, then apply the medium's retention. A copy the medium has no room for applies
    the retention first, over the copies already there (never one it keeps), and is tried
    once more when that freed something. None when the medium holds the copy, else the
    errno its last try was refused with (NO_ROOM)."""
    dest, newest = os.path.dirname(target), os.path.basename(target)
    refused = _copied(src, target, manifest, device)
    if refused is not None and _prune(module, dest, prefix, done, newest=newest):
        refused = _copied(src, target, manifest, device)
    if refused is None:
        _prune(module, dest, prefix, done, newest=newest)  # the copy is now there
    return refused


def _needed(src: str) -> int:
    """Bytes a copy of the backup ``src`` writes on the medium: the file and its manifest."""
    return os.path.getsize(src) + os.path.getsize(manifest_path(src))


def _bytes_text(size: int) -> str:
    """A size in its largest binary unit and in bytes, as English writes numbers
    (module_utils' size_text writes Bahasa Indonesia's ``1.000,5``): ``2.6 MiB (2754860
    bytes)``."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.1f} {unit} ({size} bytes)"
    return f"{size} bytes"


# The least any keep_* options keep: the newest verified copy (and unverified ones too
# young to prune).
KEEP_LEAST = {"daily": 0, "weekly": 0, "monthly": 0}


# Inodes (file entries) a copy takes on the medium: the file and its manifest.
COPY_INODES = 2


def _in_blocks(src: str, block: int) -> int:
    """Bytes the copy of ``src`` takes on a file system of ``block``-byte blocks: the file
    and its manifest, each in whole blocks."""
    block = max(block, 1)
    return sum(-(-os.path.getsize(path) // block) * block for path in (src, manifest_path(src)))


def _free_inodes(dest: str, freed: int = 0) -> int | None:
    """Inodes (file entries) this process can still take on the medium (root also those
    its file system reserves), ``freed`` more (those of the files the task removes before
    the copy, still there in check mode); None when it counts none (FAT: it has none to
    run out of)."""
    info = os.statvfs(dest)
    if info.f_files == 0:
        return None
    return (info.f_ffree if os.geteuid() == 0 else info.f_favail) + freed


def _short_of_inodes(inodes: int | None) -> bool:
    """Whether ``inodes`` (_free_inodes) are too few for the copy and its manifest."""
    return inodes is not None and inodes < COPY_INODES


def _not_bytes(src: str, dest: str, refused: int, *, free: int, room: str,
               freed_inodes: int = 0) -> str | None:
    """Why the medium refused the copy (``refused``, an errno of NO_ROOM) when its bytes
    (``free``; ``room`` says them and the needed bytes) are not the cause: a disk quota,
    no free inodes (``freed_inodes`` more than it has: check mode's, of the files the
    task would remove first), or ENOSPC with room for the copy; None when they are."""
    if refused == errno.EDQUOT:
        return (f"{dest}: disk quota exceeded (a quota of the user, group or project writing "
                f"the copy, not the medium's room; {room}): raise the quota or free room "
                "under it, or use another medium")
    inodes = _free_inodes(dest, freed_inodes)
    if _short_of_inodes(inodes):
        return (f"{dest} has {'no' if inodes == 0 else 'too few'} free inodes (file entries) "
                f"left ({inodes} free, {COPY_INODES} needed for the copy and its manifest; "
                f"{room}): remove files from it or use another medium")
    if free < _in_blocks(src, os.statvfs(dest).f_frsize):
        return None
    return (f"{dest} refused the copy with no space left on device (ENOSPC) though it has "
            f"room for it ({room}{'' if inodes is None else f', {inodes} free inodes'}): not its "
            "size but another limit of its file system (a project quota, its metadata space "
            "full): check it (df, df -i, its quotas) or use another medium")


def _no_room(module: AnsibleModule, src: str, dest: str, prefix: str, done: dict[str, Any],
             *, free: int, check: bool, refused: int | None = None,
             freed_inodes: int = 0) -> str:
    """The one line saying that the copy does not fit on the medium (``free`` bytes left
    for it, counting what the task removes first) and why. When the medium refused it
    (``refused``, the errno) for another cause than its bytes, that cause (_not_bytes,
    ``freed_inodes`` the inodes check mode counts freed first).
    Else what fills it: the copies of ``prefix`` the retention keeps when pruning all but
    the newest would make room (lower the keep_* options); else other files when removing
    them would (free room on the medium or use another); else nothing: the medium is too
    small."""
    needed, name = _needed(src), os.path.basename(src)
    head = _skipped(check)
    room = f"{_bytes_text(free)} free, {_bytes_text(needed)} needed for {name}"
    cause = (None if refused is None
             else _not_bytes(src, dest, refused, free=free, room=room,
                             freed_inodes=freed_inodes))
    if cause is not None:
        return head + cause
    ours = _size([path for item in _on_medium(dest, prefix, done, name, None)
                  for path in item["files"]])
    spare = _size([path for item in _prunable(module, dest, prefix, done, newest=name,
                                              keep=KEEP_LEAST) for path in item["files"]])
    info = os.statvfs(dest)
    # All the medium holds but its free room (``free`` counts some of it) and our copies.
    others = max(0, _free(dest) + (info.f_blocks - info.f_bfree) * info.f_frsize
                 - free - ours)
    if spare and free + spare >= needed:
        return (f"{head}the copies of {prefix} the medium's retention keeps do not fit on "
                f"{dest} (they take {_bytes_text(ours)}; {room}): lower keep_daily, "
                "keep_weekly or keep_monthly, or use a larger medium")
    ours_text = (f"the copies of {prefix} take {_bytes_text(ours)}, too little to make "
                 "room even if the retention kept only the newest" if ours
                 else f"no copy of {prefix} is on it")
    if free + spare + others >= needed:
        return (f"{head}{dest} is full of other files (they take {_bytes_text(others)}; "
                f"{ours_text}; {room}): free room on it or use another medium")
    return (f"{head}{dest} is too small for the copy ({_bytes_text(free + ours + others)} "
            f"in all; {ours_text}; {room}): use a larger medium")


def _free(dest: str) -> int:
    """Bytes this process can still write on the medium (root also those the file
    system reserves for it)."""
    info = os.statvfs(dest)
    return (info.f_bfree if os.geteuid() == 0 else info.f_bavail) * info.f_frsize


def _predict(module: AnsibleModule, src: str, target: str, prefix: str,
             done: dict[str, Any], *, copy: dict[str, Any], device: int) -> tuple[bool, str]:
    """Check mode: whether the copy would fit on the medium (``device``): its bytes and
    inodes, in the room of the leftovers it removes first and, if need be, of what its
    retention prunes before the copy, as the run finds when its write is refused (ENOSPC,
    then the retention and one more try); whether the backup is larger than one file on
    FAT can be, the write's EFBIG; and what the task would do. ``done["pruned"]`` lists
    what the run would prune, the retention applied again once the copy (``copy``, its
    retention item) is there."""
    dest = os.path.dirname(target)
    too_large = os.path.getsize(src) > FAT_FILE_MAX and _file_system(device) in FAT_TYPES
    # The bytes written before the medium refuses the copy: on FAT, the most a file holds.
    needed = FAT_FILE_MAX if too_large else _needed(src)
    gone = [os.path.join(dest, name) for name in done["leftovers_removed"]]
    free, freed = _free(dest) + _size(gone), sum(map(os.path.isfile, gone))
    msg = f"would copy to {target}"
    if needed > free or _short_of_inodes(_free_inodes(dest, freed)):
        room = [path for item in _prune(module, dest, prefix, done, newest=copy["name"])
                for path in item["files"]]
        free, freed = free + _size(room), freed + sum(map(os.path.isfile, room))
        if needed > free or _short_of_inodes(_free_inodes(dest, freed)):
            return False, _no_room(module, src, dest, prefix, done, free=free, check=True,
                                   refused=errno.ENOSPC, freed_inodes=freed)
        msg += " once the medium's retention has made room"
    if too_large:
        return False, _skipped(True) + _too_large(src, dest)
    _prune(module, dest, prefix, done, newest=copy["name"], adding=copy)
    return True, msg


def _size(paths: list[str]) -> int:
    """Bytes of those of ``paths`` that are files."""
    return sum(os.path.getsize(path) for path in paths if os.path.isfile(path))


def _fault(path: str, manifest: dict[str, Any] | None, *, read: bool = True) -> str | None:
    """Why the copy ``path`` on the medium is damaged judged by its own ``manifest``: none
    readable, another size or (``read``) another SHA-256, read in a stream; None when
    whole."""
    if manifest is None:
        return "has no readable manifest"
    size = os.path.getsize(path)
    if size != manifest.get("size"):
        return f"differs from its manifest ({size} bytes, expected {manifest.get('size')})"
    if not read:
        return None
    actual = sha256_file(path)
    if actual != manifest.get("sha256"):
        return f"differs from its manifest (SHA-256 {actual}, expected {manifest.get('sha256')})"
    return None


def _examine(target: str, manifest: dict[str, Any]) -> tuple[bool, str | None]:
    """The copy of the backup (``manifest`` its manifest) already on the medium: whether it
    is up to date, and why it is damaged (None when it is not). A copy whole by its own
    manifest that is no copy of this backup is neither: left alone, it may be the backup
    whose manifest rotted on the server. One whole by its own manifest that holds the
    backup's content under another manifest is damaged."""
    if not os.path.isfile(target):
        return False, None
    own = read_manifest(manifest_path(target))
    fault = _fault(target, own)
    if own is None or fault is not None or own == manifest:
        return fault is None, fault
    if (own.get("size"), own.get("sha256")) == (manifest.get("size"), manifest.get("sha256")):
        return False, "has a manifest that differs from the backup's (same size and SHA-256)"
    return False, None


def _set_aside(module: AnsibleModule, path: str, fault: str, *, anew: bool) -> str:
    """Rename the damaged copy ``path`` (``fault`` says why) aside with its manifest, never
    deleting it, with a warning (in check mode, only the warning); its new name. ``anew``:
    the backup is copied anew."""
    aside = damaged_name(path)
    if module.check_mode:
        what = f"would be set aside as {aside} with its manifest" + (
            " and the backup copied anew" if anew else "")
    else:
        os.rename(path, aside)  # the file first: a manifest alone is no backup
        if os.path.lexists(manifest_path(path)):
            os.rename(manifest_path(path), manifest_path(aside))
        fsync_dir(os.path.dirname(path))
        what = f"set aside as {aside} with its manifest" + (
            "; copying the backup anew" if anew else "")
    module.warn(f"removable media: {path} {fault}: {what}")
    return aside


# The medium's record of when each copy of a prefix was last checked against its manifest:
# a hidden name no backup, leftover or damaged copy has, which no retention, sweep or
# report takes for one.
RECORD_VERSION = 1


def _record_path(dest: str, prefix: str) -> str:
    return os.path.join(dest, f".sop-scrub-{prefix}.json")


def _checked(path: str) -> dict[str, float]:
    """When each copy was last checked (seconds since the epoch, by name) by the record
    ``path``: one that is missing or unreadable checked none."""
    try:
        data = read_json(path, RECORD_VERSION) or {}
    except StateError:
        return {}
    entries = data.get("checked")
    if not isinstance(entries, dict):
        return {}
    return {name: when for name, when in entries.items()
            if isinstance(when, (int, float)) and not isinstance(when, bool)}


def _keep_record(module: AnsibleModule, path: str, checked: dict[str, float], dest: str,
                 prefix: str) -> None:
    """Replace the record ``path`` (whole or not at all) with ``checked`` for the copies of
    ``prefix`` still on the medium (none: no record is made). One that cannot be written is
    a warning, no failure: the next run checks the same copies again."""
    names = {item["name"] for item in list_backups(dest, prefix)}
    kept = {name: when for name, when in sorted(checked.items()) if name in names}
    if not kept and not os.path.lexists(path):
        return
    try:
        write_json_atomic(path, {"version": RECORD_VERSION, "checked": kept})
    except OSError as exc:
        module.warn(f"removable media: {path} not written ({exc.strerror or exc}): the next "
                    "run checks the same copies again")


def _scrub(module: AnsibleModule, dest: str, prefix: str, target: str, *,
           checked: dict[str, float], done: dict[str, Any]) -> None:
    """Check the medium's other copies of ``prefix`` (all but ``target``) against their own
    manifests: each one's manifest and size, and the SHA-256 of the one checked longest ago
    (one never checked first; among equals the oldest), its time put in ``checked``. A
    damaged one is set aside (``done["damaged_others"]``); check mode reads no copy."""
    done["damaged_others"] = {}
    whole = []
    for item in list_backups(dest, prefix):
        if item["path"] == target:
            continue
        fault = _fault(item["path"], item["manifest"], read=False)
        if fault is None:
            whole.append(item)
        else:
            done["damaged_others"][item["path"]] = _set_aside(module, item["path"], fault,
                                                              anew=False)
    if not whole:
        return
    item = min(whole, key=lambda b: (b["name"] in checked, checked.get(b["name"], 0.0),
                                     b["time"]))
    done["scrubbed"] = item["path"]
    if module.check_mode:
        return
    fault = _fault(item["path"], item["manifest"])
    checked[item["name"]] = time.time()
    if fault is not None:
        done["damaged_others"][item["path"]] = _set_aside(module, item["path"], fault,
                                                          anew=False)


def _sweep(module: AnsibleModule, dest: str, prefix: str) -> list[str]:
    """Remove (warning) the .partial files of this prefix left by interrupted copies."""
    leftovers = [name for name in sorted(os.listdir(dest)) if owned_by(name, prefix) == "partial"]
    for name in leftovers:
        module.warn(f"removable media: {dest}/{name} is left from an interrupted copy"
                    + ("" if module.check_mode else "; removed"))
        if not module.check_mode:
            os.unlink(os.path.join(dest, name))
    return leftovers


def _altered(done: dict[str, Any]) -> bool:
    """Whether the medium was changed apart from the copy itself."""
    return bool(done["pruned"] or done.get("leftovers_removed") or done.get("damaged")
                or done.get("damaged_others"))


def run(module: AnsibleModule, done: dict[str, Any]) -> None:
    """Copy and apply retention, recording in ``done`` (the result) what was done. In check
    mode the backup's manifest is taken as the reconcile before would have marked it
    (``reconciled``, as_reconciled)."""
    src, dest = module.params["src"], module.params["dest"]
    manifest = as_reconciled(os.path.basename(src), read_manifest(manifest_path(src)),
                             module.params["reconciled"] if module.check_mode else ())
    info = parse_name(os.path.basename(src))
    if manifest is None or not os.path.isfile(src) or info is None:
        raise OSError(0, f"no backup at {src} (file or manifest missing)")
    if not os.path.isdir(dest) or (module.params["require_mountpoint"]
                                   and not os.path.ismount(dest)):
        raise OSError(0, f"removable media not present: {dest} is not a mounted directory")
    device = _device(dest)
    prefix = info["prefix"]
    done["leftovers_removed"] = _sweep(module, dest, prefix)
    target = os.path.join(dest, os.path.basename(src))
    same, fault = _examine(target, manifest)
    if same:  # the medium holds this backup, whatever of its upkeep below fails
        done.update(copied=True, path=target, sha256=manifest.get("sha256"))
    if fault is not None:
        done["damaged"] = _set_aside(module, target, fault, anew=True)
    record = _record_path(dest, prefix)
    checked = _checked(record)
    if same:  # read back whole just now
        checked[os.path.basename(target)] = time.time()
    _scrub(module, dest, prefix, target, checked=checked, done=done)
    _present(dest, device)  # the scrub reads a whole copy: minutes at USB speed
    if same:
        fits, msg = True, "copy up to date"
        _prune(module, dest, prefix, done, newest=os.path.basename(target))
    elif module.check_mode:
        copy = {"name": os.path.basename(target), "time": info["time"],
                "verified": manifest.get("verified") is True, "files": []}
        fits, msg = _predict(module, src, target, prefix, done, copy=copy, device=device)
    else:
        _keep_record(module, record, checked, dest, prefix)  # kept should the copy fail
        refused = _copy_making_room(module, src, target, manifest, prefix=prefix,
                                    device=device, done=done)
        fits = refused is None
        msg = (f"copied to {target}" if refused is None
               else _no_room(module, src, dest, prefix, done, free=_free(dest),
                             check=False, refused=refused))
        if fits:  # hashed as it was written
            checked[os.path.basename(target)] = time.time()
    if not module.check_mode:
        _keep_record(module, record, checked, dest, prefix)
    if fits:
        done.update(path=target, sha256=manifest.get("sha256"))
    else:
        module.warn(msg)
    done.update(changed=(fits and not same) or _altered(done), msg=msg,
                copied=same or (fits and not module.check_mode))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "require_mountpoint": {"type": "bool", "default": True},
            "keep_daily": {"type": "int", "default": 7},
            "keep_weekly": {"type": "int", "default": 4},
            "keep_monthly": {"type": "int", "default": 12},
            "reconciled": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    bad_keep = keep_error(keep_counts(module.params))
    if bad_keep:  # before anything is copied (select's ValueError was a traceback after it)
        module.fail_json(msg=f"removable media retention: {bad_keep}")
    done: dict[str, Any] = {"copied": False, "pruned": []}
    try:
        run(module, done)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename:
            reason += f": {exc.filename}"
        # A copy found up to date stays reported (copied): only the medium's upkeep failed
        # (a read-only medium whose retention would prune, say).
        msg = (f"copy up to date ({done['path']}), but the medium's upkeep (retention, "
               f"damaged copies) failed: {reason}" if done["copied"]
               else f"removable media copy skipped: {reason}")
        module.warn(msg)
        done.update(changed=_altered(done), msg=msg)
    module.exit_json(**done)


if __name__ == "__main__":
    main()
