#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: move pushed backup files into the backup computer's own store."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    PARTIAL_SUFFIX,
    leftover_of,
    manifest_path,
    owned_by,
)
from ansible.module_utils.sop_backup_ledger import (
    ACKNOWLEDGED_LOST,
    LEDGER_NAME,
    StoreLocked,
    append,
    backups,
    checked,
    read,
    stamp,
    store_lock,
    verified_whole,
)
from ansible.module_utils.sop_options import duration_error, seconds_error
from ansible.module_utils.sop_state import fsync_dir

DOCUMENTATION = r"""
---
module: backup_ingest
short_description: Take pushed backup files into a store the pushing account cannot write
description:
  - Runs as root on the backup computer. The SIPP server's push key can only create new
    files in O(incoming) (the forced command C(sop-backup-receive)); this module moves
    the backup and its manifest from there into O(store) (root, 0700, files 0600),
    computes each file's SHA-256 itself, checks it and the size against what the SIPP
    server reported (O(backup), O(manifest)), and appends an C(ingested) event to the
    store's own record C(ledger.jsonl), with the stored backup's inode, mtime and ctime
    (nanoseconds), by which C(backup_retention) and C(server_backup_age) find it changed
    after it was stored without reading it. A file that does not match is removed and
    recorded as C(rejected), and the task fails. The manifest must be the backup's own,
    C(NAME.manifest.json).
  - What is moved is a name; the file then in the store must be the one opened and
    checked in O(incoming) (a plain file with no other link), made root's before it is
    hashed, or it is removed from the store and refused (another file put at the name or
    a link made meanwhile by anything but the receiver). A FIFO at a pushed name is
    refused, never waited on (the store's lock held).
  - A file still open for writing by another process once it is root's in the store (a
    process of the push account that opened it in O(incoming) before the move, which could
    write on after the check) is removed from the store and refused. This is found by a
    read lease (C(fcntl) C(F_SETLEASE) C(F_RDLCK), which Linux refuses with C(EAGAIN)
    while the file is open for writing), taken and released before the file is hashed;
    where the kernel gives no leases (EINVAL, or EAGAIN on a new file of the store too, as
    NFSv4 without a delegation and CIFS without an oplock refuse every lease), the inode,
    mtime and ctime the record keeps name a later write; read before and after the hash,
    they refuse a file written while it was hashed. A file whose check ends in
    another error is removed from the store too.
  - >-
    A name already in the record with the same SHA-256 is left alone (idempotent); with
    another SHA-256, or when its file in the store is no longer whole, it is refused;
    nothing in the store is ever replaced. Without O(backup) the module returns in
    RV(verdicts) the verifications the record holds of the recorded backups still whole
    that verified here: the role records them in the sending server's manifests still
    pending, and the backup modules count as their period's only a backup named there
    (their C(held)), so that one no longer whole, pruned or never taken in here is not
    counted and a new one is taken (the record is the trusted side; nothing goes the
    other way).
  - A backup neither of whose files arrived, which the record shows pruned by this
    computer's retention, fails in one line saying so (when and why), not "did not
    arrive" (the sending server still counts it as its period's backup). Check mode
    fails so too, with the same line (nothing recorded), judging by the record and the
    in-tray as they are (a push that check mode skipped has put nothing there).
    A failed ingest (a full store, say) leaves neither a half copy nor the manifest in
    the store.
  - Files of exactly O(prefix) in O(store) that the record does not list are what an
    ingest or a retention killed half-way left (the ingest holds the store's lock). Half
    copies (C(.partial)) are removed and recorded as C(discarded), so that they do not
    fill the backup computer's disk; complete files are reported (a warning), never
    removed.
  - Other files of exactly O(prefix) in O(incoming) were never asked for (for example a
    forged manifest); they are never taken into the store, reported, and removed (and
    recorded as C(discarded)) once older than O(stale_minutes). Files of other prefixes
    are not touched.
  - Without O(backup) and O(manifest) the module only sweeps, before a push. The files of
    exactly O(prefix) in O(incoming) older than O(stale_minutes) are removed and recorded
    as C(discarded), as after an ingest (none is asked for). The receiver keeps its
    C(--keep-free) share of the in-tray's file system free by refusing pushes, so a flood
    of large files refused every push, hence every ingest, hence the sweep after one; this
    sweep needs no ingest. Nothing in O(store) but its record (and lock) is touched; the
    unrecognized files below are reported by the ingest only.
  - Files in O(incoming) older than O(stale_minutes) that are no file of O(prefix) nor
    of O(other_prefixes) (any name a push key without C(--prefix) could write, the key
    line of an older receiver or of a retired server) are taken in or removed by no
    ingest; they are counted and the oldest named (a warning, and RV(unrecognized)),
    never removed, on every run, check mode and a backup already in the store included.
version_added: "1.1.0"
author: Court IT SOP maintainers
options:
  incoming:
    description: Directory the push account writes into.
    type: path
    required: true
  store:
    description: The store (created root 0700). Anything but a directory at its name (a file
      in its place) fails the task, check mode and the sweep too, with one line naming it.
    type: path
    required: true
  prefix:
    description: Backup file prefix (exact match).
    type: str
    required: true
  backup:
    description: The backup file as reported by the SIPP server (C(name), C(sha256), C(size)).
      Given with O(manifest), or neither (only the sweep before a push).
    type: dict
  manifest:
    description: Its manifest as reported by the SIPP server (C(name), C(sha256), C(size));
      the name is the backup's plus C(.manifest.json).
    type: dict
  stale_minutes:
    description:
      - Age after which unrequested files of O(prefix) in O(incoming) are removed,
        and other files there reported.
      - >-
        Above 0 and at most 5256000 (ten years), else the module fails with C(setting)
        C(stale_minutes).
    type: int
    default: 60
  other_prefixes:
    description: The other prefixes whose files the same O(incoming) receives (their own
      ingest sweeps them), not reported as unrecognized.
    type: list
    elements: str
    default: []
  lock_timeout:
    description:
      - >-
        Seconds an ingest, or a sweep that removes files, waits for the store's lock
        (C(.ingest.lock) in O(store)), which every writer of the store's record holds
        while it works: every ingest and sweep of the store, M(backup_retention) with its
        ledger, and the record of a verification (M(mariadb_restore_verify),
        M(website_archive_verify)); another ingest hashing a backup it takes in holds it
        seconds, minutes for a large one. Still held then, the task fails in one line
        naming the lock, its holder as far as C(/proc/locks) tells (pid, command line and
        what it does: C(taking NAME in), C(sweeping INCOMING), C(applying retention to
        PREFIX in STORE) or C(recording the verification of PATH)) and how long it waited, before anything
        is taken in, removed or recorded: a hung holder no longer holds the run until
        systemd stops it for passing its time limit, which names no cause. Check mode
        takes no lock.
      - V(0) does not wait; a negative value fails the task with C(setting) C(lock_timeout).
    type: int
    default: 300
attributes:
  check_mode:
    support: full
    description: Reports what it would take in (or fails as a real run would on a backup
      this computer's retention pruned) and, without O(backup), which files it would remove
      from O(incoming); moves, removes and records nothing.
"""

EXAMPLES = r"""
- name: Take the pushed backup into the store
  backup_ingest:
    incoming: /srv/backup/incoming/400999
    store: /srv/backup/sipp/400999
    prefix: sipp
    backup: {name: sipp-20261121T020000.sql.zst, sha256: "{{ dump.sha256 }}", size: "{{ dump.size }}"}
    manifest: {name: sipp-20261121T020000.sql.zst.manifest.json, sha256: "{{ dump.manifest_sha256 }}",
               size: "{{ dump.manifest_size }}"}

- name: Before the push, remove the in-tray's stale files of the prefix nobody asked for
  backup_ingest:
    incoming: /srv/backup/incoming/400999
    store: /srv/backup/sipp/400999
    prefix: sipp
"""

RETURN = r"""
path:
  description: The backup in the store.
  returned: success
  type: str
manifest:
  description: Its manifest in the store.
  returned: success
  type: str
sha256:
  description: SHA-256 computed on the backup computer.
  returned: success
  type: str
verified:
  description: Whether the record already holds a successful verification of it.
  returned: success
  type: bool
unexpected:
  description: Files of the prefix in the incoming directory that were never asked for.
  returned: always
  type: list
  elements: str
swept:
  description: Those of RV(unexpected) older than O(stale_minutes), removed (in check mode,
    that would be removed).
  returned: when the files were taken in, or without O(backup)
  type: list
  elements: str
removed:
  description: Half copies (C(.partial)) of the prefix in the store that the record did not
    list (an interrupted ingest), removed.
  returned: when the files were taken in
  type: list
  elements: str
unrecognized:
  description: Files in the incoming directory older than O(stale_minutes) that belong to
    no backup of O(prefix) or O(other_prefixes) (left there, never removed).
  returned: with O(backup)
  type: dict
  contains:
    count:
      description: How many.
      type: int
    oldest:
      description: The name of the oldest (empty when none).
      type: str
    oldest_age:
      description: Its age in seconds (0 when none).
      type: int
verdicts:
  description:
    - >-
      The backups of O(prefix) the record holds whole that verified here, name to their
      C(sha256) (computed here when taken in) and C(verification) (the record's, as
      M(mariadb_restore_verify) or M(website_archive_verify) returned it, so that
      recording it again changes nothing). Bounded by retention. Their names are the
      backup modules' C(held) option; one no longer whole (gone, cut short, changed after
      it was stored, its manifest changed) is not among them, so a new backup of its
      period is taken.
    - A backup only copied or moved with the store (its content still the recorded
      SHA-256, read again) counts as whole.
  returned: without O(backup)
  type: dict
orphans:
  description: Complete files of the prefix in the store that the record does not list (an
    ingest or a retention interrupted after moving or before removing them), reported only.
  returned: when the files were taken in
  type: list
  elements: str
"""


# What the receiver takes too: a reported value is written into the record.
SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
# What an ingest or a sweep leaves undone when the store's lock is not had (store_lock).
UNDONE = "nothing was taken in, removed or recorded"


class IngestFailed(Exception):
    """One clear line."""


def _hash_fd(fd: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    os.lseek(fd, 0, os.SEEK_SET)
    for chunk in iter(lambda: os.read(fd, 1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def take(incoming: str, store: str, wanted: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """Move one pushed file into the store; its sha256 computed here. Returns it and the
    stored file's inode, mtime and ctime (the ledger's ``stamp``)."""
    name = wanted["name"]
    if "/" in name or name.startswith("."):
        raise IngestFailed(f"invalid file name {name!r}")
    try:
        return _take(incoming, store, wanted)
    except OSError as exc:
        raise IngestFailed(f"{name}: {exc.strerror}: {exc.filename or store}") from None


def _take(incoming: str, store: str, wanted: dict[str, Any]) -> tuple[str, dict[str, int]]:
    name = wanted["name"]
    src, dst = os.path.join(incoming, name), os.path.join(store, name)
    partial = dst + PARTIAL_SUFFIX
    if os.path.lexists(dst):
        raise IngestFailed(f"{dst} exists and is not in the record (refused)")
    try:  # O_NONBLOCK: a FIFO put at the name is refused below, not waited on for ever
        fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise IngestFailed(f"{name} did not arrive in {incoming}") from None
    except OSError as exc:
        raise IngestFailed(f"{name} in {incoming}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        # Two links: the receiver links NAME.partial to NAME, then removes NAME.partial;
        # an ingest between the two is refused here, moving nothing. None runs then: the
        # push the ingest follows returned when the receiver exited, after the removal.
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise IngestFailed(f"{name} in {incoming} is not a plain file (refused)")
        try:
            os.rename(src, dst)
        except OSError as exc:  # another file system: copy, then remove the pushed file
            if exc.errno != errno.EXDEV:
                raise
            try:
                with open(partial, "xb") as out, os.fdopen(os.dup(fd), "rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:  # a full store keeps no half copy
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial)
                raise
            os.rename(partial, dst)
            os.unlink(src)
            os.close(fd)
            fd = os.open(dst, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            _claimed(fd, dst, f"{name} in {incoming}")
            stored = stamp(os.fstat(fd))
            sha256, size = _hash_fd(fd)
            if stamp(os.fstat(fd)) != stored:  # written meanwhile: the hash is of no file
                os.unlink(dst)
                raise IngestFailed(f"{name} in {incoming} was written while it was hashed "
                                   "in the store: removed from the store (refused)")
        except OSError:  # a file taken in but not recorded is no backup: none is left
            with contextlib.suppress(FileNotFoundError):
                os.unlink(dst)
            raise
    finally:
        os.close(fd)
    fsync_dir(store)
    if sha256 != wanted["sha256"] or size != int(wanted["size"]):
        os.unlink(dst)
        raise IngestFailed(f"{name}: sha256 {sha256} ({size} bytes) computed here does not "
                           f"match {wanted['sha256']} ({wanted['size']} bytes) reported by "
                           "the SIPP server; the file was removed")
    return sha256, stored


def _claimed(fd: int, dst: str, what: str) -> None:
    """Make the file moved to ``dst`` root's (0600), and check that it is the file opened
    and checked as ``fd`` with no other link and that nothing else has it open for
    writing (``_open_for_writing``); else remove it from the store and refuse.

    The name is renamed, not the file opened: between the open in the in-tray and the
    rename, something writing the push account's directory other than the receiver
    (which never replaces, renames or removes a name; but a key line without its forced
    command, or a process of that account, can) could put another file at the name, or
    link the file elsewhere. The ledger would then record the SHA-256 of the file read
    while another one sat in the store, still the push account's, which could go on
    writing it: a forged backup. In the store (root's, 0700) nothing changes the name
    after the rename, and once the file is root's 0600 no other account can link it
    (fs.protected_hardlinks), so the checks after the chown hold."""
    held, moved = os.fstat(fd), os.lstat(dst)
    if (held.st_dev, held.st_ino) == (moved.st_dev, moved.st_ino):
        os.fchown(fd, 0, 0)
        os.fchmod(fd, 0o600)
        if os.fstat(fd).st_nlink == 1:
            if not _open_for_writing(fd, os.path.dirname(dst)):
                return
            os.unlink(dst)
            raise IngestFailed(f"{what} is still open for writing by another process, which "
                               "could change it in the store: removed from the store "
                               "(refused)")
    os.unlink(dst)
    raise IngestFailed(f"{what} was replaced or linked elsewhere while it was taken in: "
                       "removed from the store (refused)")


def _open_for_writing(fd: int, store: str) -> bool:
    """Whether another open file still writes the file ``fd`` reads (read-only), taken
    into ``store``.

    A process of the push account that opened the file in the in-tray before the move can
    write on after it (the chown stops only new opens). A read lease, fcntl(2) F_SETLEASE
    F_RDLCK, is refused with EAGAIN while the file is open for writing anywhere (a shared
    writable mapping included: fs/locks.c, check_conflicting_open); it is released at
    once. Where the kernel gives no leases
    (fs.leases-enable = 0, a file system without them: EINVAL) this is not known here:
    the inode, mtime and ctime the record keeps name a later write on the next run.
    NFSv4 without a read delegation and CIFS without an oplock refuse every lease with
    EAGAIN, open for writing or not: EAGAIN counts only when a file of the store that
    nothing can have open for writing gets one (``_leases_given``)."""
    if not _read_lease(fd):
        return False
    return _leases_given(store)


def _read_lease(fd: int) -> bool:
    """Whether a read lease on ``fd`` is refused with EAGAIN (taken, it is released)."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        if exc.errno == errno.EAGAIN:
            return True
        if exc.errno == errno.EINVAL:
            return False
        raise
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return False


def _leases_given(store: str) -> bool:
    """Whether the file system of ``store`` gives a read lease on a file of root's that
    nothing has open for writing (a new one, removed at once)."""
    written, path = tempfile.mkstemp(prefix=".lease-probe-", dir=store)
    try:
        os.close(written)
        probe = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    finally:
        os.unlink(path)
    try:
        return not _read_lease(probe)
    finally:
        os.close(probe)


def sweep(incoming: str, prefix: str, wanted: set[str], stale: float, *, dry: bool,
          ledger: str) -> tuple[list[str], list[str]]:
    """Files of exactly ``prefix`` nobody asked for: reported; removed once stale (with
    ``dry``, only named). Returns (found, removed)."""
    found, removed = [], []
    now = time.time()
    for name in sorted(os.listdir(incoming)):
        if name in wanted or owned_by(name, prefix) is None:
            continue
        path = os.path.join(incoming, name)
        found.append(name)
        try:
            old = now - os.lstat(path).st_mtime > stale
        except FileNotFoundError:
            continue
        if not old:
            continue
        removed.append(name)
        if not dry:
            os.unlink(path)
            append(ledger, "discarded", name=name, reason="in the incoming directory, never "
                   "asked for by the SOP")
    return found, removed


def stored(store: str, prefix: str) -> dict[str, dict[str, Any]]:
    """The verdicts of the backups of ``prefix`` the record holds whole in ``store`` (one
    gone, cut short, rewritten or whose manifest changed is not; one only copied or moved
    with the store is read again and counts as whole, ``checked``) and verified here:
    name -> its ``sha256`` and its ``verification`` as the record holds it."""
    known = backups(read(os.path.join(store, LEDGER_NAME)))
    whole, _broken = verified_whole(store, {name: entry for name, entry in known.items()
                                            if owned_by(name, prefix) == "backup"})
    return {name: {"sha256": entry["sha256"], "verification": entry["verification"]}
            for name, entry in whole.items()}


def refuse_no_directory(store: str) -> None:
    """IngestFailed, one line, when something that is no directory (nor a link to one) is
    at the store's name, such as a file in its place: every step would fail on it with a
    line that does not say so (File exists, Not a directory: STORE/ledger.jsonl). A store
    not there yet passes; another error reading its name is the lstat's, with the path."""
    try:
        mode = os.lstat(store).st_mode
    except FileNotFoundError:
        return
    if os.path.isdir(store):
        return
    what = ("a file" if stat.S_ISREG(mode) else "a symbolic link to no directory"
            if stat.S_ISLNK(mode) else "a special file")
    raise IngestFailed(f"{store} is not a directory ({what} is in its place)")


def sweep_before_push(module: AnsibleModule) -> dict[str, Any]:
    """The mode without ``backup``: the stale files of the prefix nobody asked for removed
    before a push, so that a flood of large files (the push share of the file system
    full, every push refused, no ingest to sweep after) heals as a flood of files does;
    and the verdicts of the recorded backups still whole and verified here, which the
    role records in the sending server's manifests still pending (``backup_manifest``
    ``reconcile``) and whose names are the only backups the backup modules count as their
    period's (``held``)."""
    p = module.params
    incoming, store, prefix = p["incoming"], p["store"], p["prefix"]
    ledger, minutes = os.path.join(store, LEDGER_NAME), p["stale_minutes"]
    refuse_no_directory(store)
    verdicts = stored(store, prefix)
    if not os.path.isdir(incoming):  # check mode before the first run creates it
        return {"changed": False, "unexpected": [], "swept": [], "verdicts": verdicts,
                "msg": f"{incoming} does not exist yet: nothing to sweep"}
    found, stale = sweep(incoming, prefix, set(), minutes * 60, dry=True, ledger=ledger)
    if stale and not module.check_mode:
        os.makedirs(store, mode=0o700, exist_ok=True)
        with store_lock(store, p["lock_timeout"], f"sweeping {incoming}", UNDONE):
            found, stale = sweep(incoming, prefix, set(), minutes * 60, dry=False,
                                 ledger=ledger)
    if stale:
        module.warn(f"{len(stale)} file(s) of {prefix} in {incoming} written more than "
                    f"{minutes} minutes ago were never asked for by the SOP: "
                    f"{'would be ' if module.check_mode else ''}removed before the push")
    verb = "would remove" if module.check_mode else "removed"
    msg = (f"{verb} {len(stale)} file(s) of {prefix} from {incoming} never asked for and "
           f"older than {minutes} minutes" if stale
           else f"no file of {prefix} in {incoming} to sweep")
    return {"changed": bool(stale), "unexpected": found, "swept": stale,
            "verdicts": verdicts, "msg": msg}


def unrecognized(incoming: str, prefixes: list[str], stale: float) -> dict[str, Any]:
    """Entries of ``incoming`` older than ``stale`` seconds that are no file of any of
    ``prefixes``: no ingest takes them in or removes them."""
    now, count, oldest, oldest_time = time.time(), 0, "", 0.0
    try:
        names = os.listdir(incoming)
    except FileNotFoundError:  # check mode before the first run creates it
        names = []
    for name in names:
        if any(owned_by(name, prefix) for prefix in prefixes):
            continue
        try:
            written = os.lstat(os.path.join(incoming, name)).st_mtime
        except FileNotFoundError:
            continue
        if now - written > stale:
            count += 1
            if not oldest or written < oldest_time:
                oldest, oldest_time = name, written
    return {"count": count, "oldest": oldest,
            "oldest_age": int(now - oldest_time) if count else 0}


def _age(seconds: int) -> str:
    return f"{seconds // 86400} days" if seconds >= 2 * 86400 else f"{seconds // 3600} hours"


def warn_unrecognized(module: AnsibleModule, incoming: str, found: dict[str, Any],
                      prefixes: list[str]) -> None:
    if found["count"]:
        module.warn(f"{found['count']} file(s) in {incoming} are no backup of "
                    f"{' or '.join(prefixes)}, the oldest {found['oldest']!r} written "
                    f"{_age(found['oldest_age'])} ago: no ingest takes them in or removes "
                    "them (a push key without --prefix wrote them: an older receiver's, or "
                    "a retired server's key line); examine them, then remove them")


def sweep_store(store: str, prefix: str, known: dict[str, Any], *,
                ledger: str) -> tuple[list[str], list[str]]:
    """Files of exactly ``prefix`` in the store whose backup the record does not list:
    what an ingest or a retention killed half-way left (called with the store's lock
    held). Half copies are removed and recorded as ``discarded``; complete files are
    only reported. Returns (removed, reported)."""
    removed, reported = [], []
    for name in sorted(os.listdir(store)):
        found = leftover_of(name) if owned_by(name, prefix) else None
        if found is None or found[0] in known:
            continue
        if found[1] != "partial":
            reported.append(name)
            continue
        removed.append(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(store, name))
        append(ledger, "discarded", name=name, reason="a half copy in the store, left by an "
               "interrupted ingest")
    return removed, reported


def _size(item: dict[str, Any]) -> int:
    """The size the SIPP server reported for a file, as a whole number of bytes."""
    value = item["size"]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise IngestFailed(f"the size of {item['name']}, {value!r}, is not a number of bytes")


def already(result: dict[str, Any], entry: dict[str, Any],
            backup: dict[str, Any]) -> dict[str, Any]:
    """The result for a backup the record already holds (``entry``): the same file, or
    one that is refused (nothing in the store is replaced), as is one whose file in the
    store is no longer whole (the sweep before the next push leaves it out of its
    ``verdicts``, so that run takes a new backup)."""
    if entry["sha256"] != backup["sha256"]:
        raise IngestFailed(f"{backup['name']} is in the store with sha256 {entry['sha256']}"
                           f", not {backup['sha256']} (nothing is replaced)")
    fault, _stamp = checked(os.path.dirname(result["path"]), entry)
    if fault is not None:
        raise IngestFailed(f"{backup['name']} is recorded but no longer whole in the store: "
                           f"{fault} (nothing is replaced; the next run takes a new backup)")
    return dict(result, verified=entry["verified"], unexpected=[],
                msg=f"{backup['name']} already in the store")


def refuse_pruned(events: list[dict[str, Any]], incoming: str, backup: str,
                  manifest: str) -> None:
    """IngestFailed naming the pruning when neither file of ``backup`` is in ``incoming``
    and the record's last word on the name is this computer's retention pruning it: the
    sending server offers as its period's a backup it has but this computer no longer
    holds (its own record of a newer one's verification never written, say), which "did
    not arrive" would hide."""
    if any(os.path.lexists(os.path.join(incoming, name)) for name in (manifest, backup)):
        return
    last = next((entry for entry in reversed(events) if entry.get("name") == backup
                 and entry.get("event") in ("ingested", "pruned", ACKNOWLEDGED_LOST)), None)
    if last is None or last["event"] != "pruned":
        return
    raise IngestFailed(f"{backup} was stored here and pruned by this computer's retention at "
                       f"{last.get('at', 'an unrecorded time')} "
                       f"({last.get('reason', 'no reason recorded')}): the sending server "
                       "still offers it as its period's backup, which it no longer is here; "
                       "run with force to take a new one")


def run(module: AnsibleModule) -> dict[str, Any]:
    p = module.params
    store, incoming = p["store"], p["incoming"]
    backup, manifest = p["backup"], p["manifest"]
    for item in (backup, manifest):
        if not {"name", "sha256", "size"} <= set(item):
            raise IngestFailed("backup and manifest need name, sha256 and size")
        item["size"] = _size(item)  # read before anything moves into the store
        if not isinstance(item["sha256"], str) or not SHA256.match(item["sha256"]):
            raise IngestFailed(f"the sha256 of {item['name']} is not 64 hexadecimal digits")
    if owned_by(backup["name"], p["prefix"]) != "backup":
        raise IngestFailed(f"{backup['name']} is not a backup of prefix {p['prefix']}")
    own = manifest_path(backup["name"])
    if manifest["name"] != own:  # the verification reads this name, retention removes it
        raise IngestFailed(f"{manifest['name']} is not the manifest of {backup['name']} ({own})")
    prefixes = [p["prefix"], *p["other_prefixes"]]
    found = unrecognized(incoming, prefixes, p["stale_minutes"] * 60)
    warn_unrecognized(module, incoming, found, prefixes)
    ledger = os.path.join(store, LEDGER_NAME)
    path = os.path.join(store, backup["name"])
    result = {"path": path, "manifest": os.path.join(store, manifest["name"]),
              "sha256": backup["sha256"], "changed": False, "unrecognized": found}
    refuse_no_directory(store)
    if not module.check_mode:
        os.makedirs(store, mode=0o700, exist_ok=True)
    # The record is read once, under the lock (none in check mode, which writes nothing):
    # another ingest may have recorded files meanwhile, this backup's included (then its
    # files in the store are no orphans). What this run appends to it after is read by
    # none of its steps.
    with contextlib.nullcontext() if module.check_mode else store_lock(
            store, p["lock_timeout"], f"taking {backup['name']} in", UNDONE):
        events = read(ledger)
        known = backups(events)
        if backup["name"] in known:
            return already(result, known[backup["name"]], backup)
        if module.check_mode:  # the pruning is known read-only: the same failure, unrecorded
            refuse_pruned(events, incoming, backup["name"], manifest["name"])
            return dict(result, changed=True, verified=False, unexpected=[],
                        msg=f"would take {backup['name']} into {store}")
        removed, orphans = sweep_store(store, p["prefix"], known, ledger=ledger)
        try:
            refuse_pruned(events, incoming, backup["name"], manifest["name"])
            manifest_sha, _ = take(incoming, store, manifest)
            try:
                sha256, stored = take(incoming, store, backup)
            except IngestFailed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(result["manifest"])
                raise
        except IngestFailed as exc:
            with contextlib.suppress(OSError):  # a full store cannot record it either
                append(ledger, "rejected", name=backup["name"], reason=str(exc))
            raise
        append(ledger, "ingested", name=backup["name"], sha256=sha256,
               size=int(backup["size"]), reported_sha256=backup["sha256"],
               manifest=manifest["name"], manifest_sha256=manifest_sha, **stored)
        unexpected, swept = sweep(incoming, p["prefix"], {backup["name"], manifest["name"]},
                                  p["stale_minutes"] * 60, dry=False, ledger=ledger)
    for name in unexpected:
        module.warn(f"{incoming}/{name} was never asked for by the SOP: not taken into the "
                    "store")
    for name in orphans:
        module.warn(f"{store}/{name} is not in the record (an ingest or a retention was "
                    "interrupted): not a verified backup; remove it when you have checked it")
    return dict(result, changed=True, verified=False, unexpected=unexpected, swept=swept,
                removed=removed, orphans=orphans,
                msg=f"took {backup['name']} into {store} (sha256 checked here)")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "incoming": {"type": "path", "required": True},
            "store": {"type": "path", "required": True},
            "prefix": {"type": "str", "required": True},
            "backup": {"type": "dict"},
            "manifest": {"type": "dict"},
            "stale_minutes": {"type": "int", "default": 60},
            "other_prefixes": {"type": "list", "elements": "str", "default": []},
            "lock_timeout": {"type": "int", "default": 300},
        },
        required_together=[("backup", "manifest")],
        supports_check_mode=True,
    )
    # 0 or less: a push of the prefix still being written was swept away as stale
    bad_setting = (duration_error(module.params, "stale_minutes", unit="minutes")
                   or seconds_error(module.params, "lock_timeout", zero="does not wait"))
    if bad_setting:
        module.fail_json(**bad_setting)
    try:
        result = (run(module) if module.params["backup"] is not None
                  else sweep_before_push(module))
    except (IngestFailed, StoreLocked) as exc:
        module.fail_json(msg=f"ingest failed: {exc}")
    except OSError as exc:
        module.fail_json(msg=f"ingest failed: {exc.strerror}: {exc.filename or ''}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
