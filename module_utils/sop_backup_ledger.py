# GPL-3.0-or-later
"""The backup computer's own record (ledger) of what arrived and what was verified.

One JSON object per line in ``<store>/ledger.jsonl`` (root, 0600), appended whole or not
at all and fsynced (sop_state.append_json), never rewritten. Only root on the backup
computer writes it: the SIPP server's push key cannot reach it. Events: ``ingested``
(name, sha256 and size computed here, the sha256 the SIPP server reported, the
manifest's name and sha256; since 2026-12 also the stored file's ``inode``,
``mtime_ns`` and ``ctime_ns``), ``verified`` (status ok or failed, reason, method;
since 2026-12 ``shrunk``, the shrink finding of a backup much smaller than the previous
verified one, when there was one), ``pruned``, ``rejected``, ``discarded`` (files in the
incoming directory that were never asked for), ``acknowledged_lost`` (a backup not whole
in the store that the backup computer's admin declared lost: sha256, reason, by, and why
it was not whole),
``restamped`` (a backup whose inode, mtime or ctime changed but whose content retention
found still the recorded sha256, e.g. the store copied to another disk: sha256 and its
new stamp), ``shrink_acknowledged`` (the admin's acknowledgement of the shrink findings
recorded so far: the backup retention held back before them, or the first of them when
none was left to hold, its sha256, reason, by, and the ``findings``, each name and
sha256, it acknowledges). Lines
without a field a later tool added read as before; events a reader does not know are
ignored. Retention on the backup computer reads only this.

Every step that appends to it, or decides from it what to remove, holds the store's lock
(``store_lock``, ``.ingest.lock`` beside the record) while it does: the ingest and the sweep
of the in-tray, retention (its whole read, decision, records and removals) and a
verification's record. A reader that removes nothing (the sweep's verdicts, the age of
the newest backup) takes none: a line is appended whole, and a line being written is no
JSON object yet, ignored.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import stat
import time
from collections.abc import Collection, Iterator
from typing import Any

from ansible.module_utils.sop_backup_files import (
    LockBusy,
    manifest_path,
    not_regular,
    sha256_file,
    take_flock,
)
from ansible.module_utils.sop_clock import parse_moment
from ansible.module_utils.sop_state import append_json
from ansible.module_utils.sop_tree import open_regular

LEDGER_NAME = "ledger.jsonl"
ACKNOWLEDGED_LOST = "acknowledged_lost"
# What the ingest records of the stored file besides its size: a write to it changes
# st_ctime (which only root can set back, by setting the clock), and a file put at its
# name has another inode; both read without reading the file.
STAMP = ("inode", "mtime_ns", "ctime_ns")
# A backup whose stamp changed but whose content is still the recorded SHA-256 (the store
# copied to another disk, or restored from a copy: cp -a and rsync -a give new inodes and
# ctimes): retention re-hashes it once and records its new stamp under this event.
RESTAMPED = "restamped"
# The admin's acknowledgement of shrink findings: from then on they hold nothing back.
SHRINK_ACKNOWLEDGED = "shrink_acknowledged"
# The store's lock file, beside the record (store_lock); named after the ingest, which
# took it first.
STORE_LOCK_NAME = ".ingest.lock"


class StoreLocked(Exception):
    """store_lock's one line: the store's lock not had within its wait, or not at all."""


@contextlib.contextmanager
def store_lock(store: str, seconds: int, what: str, undone: str) -> Iterator[None]:
    """The lock of the store ``store`` (its file STORE_LOCK_NAME), held by every writer of
    its record and every retention of it, waited for at most ``seconds`` (lock_timeout; 0
    does not wait); the lock file then names this process and ``what`` it does
    (note_holder), for one that waits. StoreLocked, before anything is done: ``waited 2 s
    (lock_timeout) for the store's lock PATH, held by HOLDER; UNDONE`` (the holder as
    flock_holder tells, ``undone`` what the caller leaves undone), or ``cannot lock PATH:
    REASON``."""
    path = os.path.join(store, STORE_LOCK_NAME)
    try:
        lock = take_flock(path, time.monotonic() + seconds, what)
    except LockBusy as exc:
        raise StoreLocked(f"waited {exc.waited:.0f} s (lock_timeout) for the store's lock "
                          f"{path}, held by {exc.holder}; {undone}") from None
    except OSError as exc:
        raise StoreLocked(f"cannot lock {path}: {exc.strerror}") from None
    try:
        yield
    finally:
        os.close(lock)


def now_iso() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def append(path: str, event: str, **fields: Any) -> dict[str, Any]:
    """Append one event (with the time) as a whole line and fsync it (sop_state's
    append_json: after a torn line it starts a new one; a line that cannot be written
    whole is taken back and the OSError raised); returns the entry."""
    entry = {"at": now_iso(), "event": event, **fields}
    append_json(path, entry)
    return entry


def record_verified(ledger: str, path: str, sha256: str | None, record: dict[str, Any],
                    shrunk: dict[str, Any] | None = None, *, lock_timeout: int) -> str | None:
    """Append the ``verified`` event of the backup at ``path``, with its shrink finding
    (``shrunk``) when it has one, holding the store's lock (store_lock, waited for at most
    ``lock_timeout`` seconds: an ingest or a retention of the store may be at work); None,
    or the one-line reason it could not be recorded (the lock not had, the ledger's disk
    full: the backup stays unverified, as retention trusts only this record)."""
    extra = {"shrunk": shrunk} if shrunk else {}
    try:
        with store_lock(os.path.dirname(ledger), lock_timeout,
                        f"recording the verification of {path}", "nothing recorded"):
            append(ledger, "verified", name=os.path.basename(path), sha256=sha256, **record,
                   **extra)
    except StoreLocked as exc:
        return f"cannot record the verification of {path} in {ledger}: {exc} (it stays unverified)"
    except OSError as exc:
        return (f"cannot record the verification of {path} in {ledger}: "
                f"{exc.strerror or exc} (it stays unverified)")
    return None


def read(path: str) -> list[dict[str, Any]]:
    """Every event; a line that is no JSON object (torn by a crash mid-append, or damaged
    into bytes that are no UTF-8) is ignored. Opened as append_json writes it: a symbolic
    link at ``path`` is not followed, a FIFO not waited for; OSError names what it is
    (``ledger.jsonl is a FIFO, not a regular file``), as the OSError of any other read."""
    try:
        fd, _info = open_regular(path)
    except FileNotFoundError:
        return []
    except OSError as exc:
        odd = not_regular(path)
        if odd is None:  # no odd file (another error, or replaced meanwhile)
            raise
        raise OSError(exc.errno, f"{os.path.basename(path)} {odd}", path) from None
    with os.fdopen(fd, "rb") as handle:
        lines = handle.read().split(b"\n")
    events = []
    for line in lines:
        try:
            entry = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            continue
        if isinstance(entry, dict):
            events.append(entry)
    return events


def backups(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Backups currently in the store: name -> what the ledger knows of it, in the order
    they were taken in (retention's newest is the last, whatever the clock said).

    ``ingested_at`` is the line's time as written: ``None`` when a line lacks it (written
    by hand or by an older tool); ``parse_time`` tells whether it can be read."""
    return _history(events)[1]


def acknowledged(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The admin's recorded acknowledgements of losses, by name, in the record's order.
    Each applies to the loss of the backup the record held under that name when it was
    recorded (``backups`` lists it no more); a later push of the name is another backup,
    whose loss needs an acknowledgement of its own."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in events:
        if entry.get("event") == ACKNOWLEDGED_LOST and isinstance(entry.get("name"), str):
            found.setdefault(entry["name"], []).append(entry)
    return found


def taken_in(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every backup the record took in, in the order taken in, pruned and lost ones too
    (a name taken in again after that is another backup; an ``ingested`` line of a backup
    still held keeps its place, as in ``backups``): ``name``, ``sha256``, ``verified``,
    ``shrunk`` (the shrink finding recorded with its verification, or None) and
    ``acknowledged`` (whether a ``shrink_acknowledged`` event recorded after it names that
    finding)."""
    return _history(events)[0]


def _history(events: list[dict[str, Any]],
             ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The record's one reading of its backups: ``taken_in``'s list and ``backups``'
    dict. A name is held from its ``ingested`` line until a ``pruned`` line, or an
    ``acknowledged_lost`` line of the sha256 it holds; an ``ingested`` line of a name held
    starts that backup again in its place; a ``verified`` or ``restamped`` line counts
    only with the sha256 held, a ``shrink_acknowledged`` line for the findings it names
    of backups taken in before it (a ``findings`` that is no list, or a finding that is
    no object, names none). A line whose name no file of the store can have (no string,
    a path, a NUL, a lone surrogate no byte encodes: ``_file_name``) names no backup."""
    found: list[dict[str, Any]] = []
    # name -> (what backups tells of the backup held, its entry of found)
    held: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for entry in events:
        name, event = entry.get("name"), entry.get("event")
        if event == SHRINK_ACKNOWLEDGED:
            findings = entry.get("findings")
            done = [(f.get("name"), f.get("sha256")) for f in findings
                    if isinstance(f, dict)] if isinstance(findings, list) else []
            for earlier in found:
                if earlier["shrunk"] and (earlier["name"], earlier["sha256"]) in done:
                    earlier["acknowledged"] = True
        if not isinstance(name, str) or not _file_name(name):
            continue
        backup, history = held.get(name, (None, None))
        if event == "ingested":
            fresh = {"name": name, "sha256": entry.get("sha256"), "verified": False,
                     "shrunk": None, "acknowledged": False}
            if history is None:
                history = fresh
                found.append(history)
            else:
                history.update(fresh)
            held[name] = ({"name": name, "sha256": entry.get("sha256"),
                           "size": entry.get("size"), "manifest": entry.get("manifest"),
                           "manifest_sha256": entry.get("manifest_sha256"),
                           "ingested_at": entry.get("at"),
                           **{key: entry.get(key) for key in STAMP},
                           "verified": False, "verification": {"status": "pending"}}, history)
        elif event == "pruned":
            held.pop(name, None)
        elif backup is None or history is None or entry.get("sha256") != backup["sha256"]:
            continue  # of no backup held, or of another one than that name's now
        elif event == "verified":
            backup["verified"] = history["verified"] = entry.get("status") == "ok"
            # the verification record as the verify step returned it
            backup["verification"] = {k: v for k, v in entry.items() if k not in (
                "at", "event", "name", "sha256", "shrunk")}
            shrunk = entry.get("shrunk")
            history["shrunk"] = shrunk if history["verified"] and isinstance(shrunk, dict) \
                else None
            history["acknowledged"] = False  # an acknowledgement is of the finding before it
        elif event == RESTAMPED:
            backup.update({key: entry.get(key) for key in STAMP})
        elif event == ACKNOWLEDGED_LOST:
            held.pop(name)
    return found, {name: backup for name, (backup, _) in held.items()}


def _file_name(name: str) -> bool:
    """Whether ``name`` can be the name of a file in the store, as the ingest writes the
    record: one name in a folder (no ``/``, not ``.`` or ``..``), with no NUL and no
    character a file name cannot encode. A line naming anything else was damaged or
    written by hand; read as a backup, it ended the readers that look at the files in a
    traceback (ValueError from os.lstat) or had them look outside the store."""
    if name in ("", ".", "..") or "/" in name or "\0" in name:
        return False
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return False
    return True


def shrink_hold(history: list[dict[str, Any]],
                whole: Collection[tuple[str, Any]]) -> dict[str, Any] | None:
    """What the shrink findings not acknowledged yet hold back from pruning, of
    ``history`` (``taken_in``, one prefix's backups): the newest verified backup taken in
    before the first of them that is still a whole backup of the record (``whole``: name
    and sha256, compared, never hashed: a damaged line's sha256 may be a JSON list), or
    None for none left (``name``, ``sha256``); the first finding
    (``first``) and every one not acknowledged (``findings``, each name and sha256).
    None when every finding is acknowledged. Before the first finding no verified backup
    has one that is not acknowledged: the backup held is the last before the shrink."""
    open_ = [i for i, b in enumerate(history)
             if b["verified"] and b["shrunk"] and not b["acknowledged"]]
    if not open_:
        return None
    before = history[:open_[0]]
    anchor = next((b for b in reversed(before)
                   if b["verified"] and (b["name"], b["sha256"]) in whole), None)
    return {"name": anchor["name"] if anchor else None,
            "sha256": anchor["sha256"] if anchor else None,
            "first": history[open_[0]]["name"],
            "findings": [{"name": history[i]["name"], "sha256": history[i]["sha256"]}
                         for i in open_]}


def stamp(info: os.stat_result) -> dict[str, int]:
    """What the ingest records of a stored file to find it changed later (``STAMP``)."""
    return {"inode": info.st_ino, "mtime_ns": info.st_mtime_ns, "ctime_ns": info.st_ctime_ns}


def not_whole(directory: str, entry: dict[str, Any]) -> str | None:
    """Why the backup the record lists as ``entry`` is not whole in ``directory`` (its
    file deleted by hand or by a disk clean-up, cut short, its manifest gone or changed),
    or None. What is cheap is checked: the backup's size as recorded (its content was
    hashed when it was taken in and verified; reading every kept backup on every run is
    not), its inode, mtime and ctime as recorded (a rewrite of the same size changes the
    ctime, which only root can set back), the manifest's SHA-256 (a small file). What the
    record does not give (a line of an older tool) is not checked. A record naming any
    other manifest than the backup's own (``NAME.manifest.json``, the only one the ingest
    takes in) is damaged: that backup is not whole, and no other file is looked at (nor
    removed with it: a path out of the store, another backup)."""
    name, manifest = entry["name"], entry.get("manifest")
    fault = _plain_file(directory, name, entry.get("size"), entry)
    if fault is None and manifest is not None:
        own = manifest_path(name)
        fault = (f"the record names another file than {own} as its manifest" if manifest != own
                 else _plain_file(directory, manifest, None) or _manifest_changed(
                     os.path.join(directory, manifest), entry.get("manifest_sha256")))
    return fault


def _plain_file(directory: str, name: str, size: Any,
                recorded: dict[str, Any] | None = None) -> str | None:
    try:
        info = os.lstat(os.path.join(directory, name))
    except FileNotFoundError:
        return f"{name} is gone from {directory}"
    except OSError as exc:
        return f"{name} in {directory} cannot be read: {exc.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return f"{name} in {directory} is no plain file"
    if isinstance(size, int) and not isinstance(size, bool) and info.st_size != size:
        return f"{name} has {info.st_size} bytes, the record {size}"
    return _changed(name, info, recorded or {})


def _changed(name: str, info: os.stat_result, recorded: dict[str, Any]) -> str | None:
    """Which of the recorded inode, mtime and ctime the file no longer has, or None."""
    now = stamp(info)
    differ = [key for key in STAMP if isinstance(recorded.get(key), int)
              and not isinstance(recorded.get(key), bool) and recorded[key] != now[key]]
    if not differ:
        return None
    return (f"{name} changed after it was stored (its {', '.join(differ)} differ from the "
            "record's)")


def only_restamped(directory: str, entry: dict[str, Any]) -> bool:
    """Whether the backup the record lists as ``entry`` is whole but for its inode, mtime
    or ctime (its size and manifest as recorded): the store copied or moved, or a rewrite
    of the same size, which only a read of its content (``checked``) tells apart. Reads
    no backup."""
    try:
        info = os.lstat(os.path.join(directory, entry["name"]))
    except OSError:
        return False
    return _changed(entry["name"], info, entry) is not None \
        and not_whole(directory, {**entry, **stamp(info)}) is None


def checked(directory: str, entry: dict[str, Any]) -> tuple[str | None, dict[str, int] | None]:
    """Why the recorded backup ``entry`` is not whole (None when it is), and its new stamp
    when only its inode, mtime or ctime changed and a read again found its recorded
    SHA-256 (a copy or a move of the store), else None. Reads the whole file of such a
    backup only (``rehashed``)."""
    fault = not_whole(directory, entry)
    again = rehashed(directory, entry) if fault is not None else None
    if isinstance(again, dict):
        return not_whole(directory, {**entry, **again}), again
    return (again if isinstance(again, str) else fault), None


def verified_whole(directory: str, known: dict[str, dict[str, Any]],
                   ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Of ``known`` (``backups``, or those of them a caller wants): the backups verified
    here whose files are whole in ``directory`` (``checked``: one only copied or moved
    with the store is read again and counts as whole), name -> entry in the record's
    order, the ones retention keeps as good and a restore would use; and the verified
    ones that are not whole, name -> why. A backup not verified here (its verification
    failed, or none is recorded yet) is in neither, and nothing of it is read."""
    whole: dict[str, dict[str, Any]] = {}
    broken: dict[str, str] = {}
    for name, entry in known.items():
        if not entry["verified"]:
            continue
        fault = checked(directory, entry)[0]
        if fault is None:
            whole[name] = entry
        else:
            broken[name] = fault
    return whole, broken


def rehashed(directory: str, entry: dict[str, Any]) -> dict[str, int] | str | None:
    """For a backup whose size is as recorded but whose stamp differs (``_changed``): its
    new stamp when its content is still the recorded SHA-256 (a copy or a move of the
    store), else why it is not whole; None for any other backup (nothing re-hashed). Reads
    the whole file, so only for such a backup, once: retention records the new stamp."""
    name, sha256 = entry["name"], entry.get("sha256")
    path = os.path.join(directory, name)
    try:
        before = os.lstat(path)
    except OSError:
        return None
    if not isinstance(sha256, str) or not stat.S_ISREG(before.st_mode) \
            or before.st_size != entry.get("size") or _changed(name, before, entry) is None:
        return None
    try:
        digest = sha256_file(path, follow=False)
        after = os.lstat(path)
    except OSError as exc:
        return f"{name} in {directory} cannot be read: {exc.strerror}"
    if stamp(after) != stamp(before):
        return f"{name} changed while it was read again"
    if digest != sha256:
        return f"{name} changed after it was stored (its content differs from the record's SHA-256)"
    return stamp(after)


def _manifest_changed(path: str, sha256: Any) -> str | None:
    if not isinstance(sha256, str):
        return None
    try:
        digest = sha256_file(path, follow=False)
    except OSError as exc:
        return f"{os.path.basename(path)} cannot be read: {exc.strerror}"
    if digest != sha256:
        return f"{os.path.basename(path)} has another SHA-256 than the record's"
    return None


def parse_time(value: Any) -> datetime.datetime | None:
    """A ledger time as a naive local datetime (for retention buckets); one without a
    zone is this computer's local time, as the ledger writes it; a missing or unreadable
    one is None (the backup's age is unknown: retention keeps it), and so is one of
    another zone that is before year 1 or after 9999 here (OverflowError)."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_moment(value)
        return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        return None
