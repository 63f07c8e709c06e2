#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: prune old backups with keep-daily/weekly/monthly rules."""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Collection
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import inventory, manifest_path, owned_by
from ansible.module_utils.sop_backup_ledger import (
    ACKNOWLEDGED_LOST,
    RESTAMPED,
    SHRINK_ACKNOWLEDGED,
    StoreLocked,
    acknowledged,
    append,
    backups,
    checked,
    parse_time,
    read,
    shrink_hold,
    store_lock,
    taken_in,
)
from ansible.module_utils.sop_options import duration_error, seconds_error
from ansible.module_utils.sop_retention import by_arrival, keep_counts, keep_error, select

DOCUMENTATION = r"""
---
module: backup_retention
short_description: Prune backups with keep-daily/weekly/monthly rules
description:
  - Applies restic/borg C(forget) semantics to the backups (file plus manifest) of one
    prefix in a directory; only verified backups count, the newest verified backup is
    always kept.
  - Unverified backups, backups that failed verification (C(.failed)) and leftover
    C(.partial) files are removed only when older than O(stale_after_hours) and a newer
    verified backup exists; with no verified backup nothing is removed.
  - Prefixes match exactly (C(sipp) never touches C(sipp-test-...) files).
  - >-
    Without O(ledger) (a server's own local backups) which backup is newer is the date in
    its name. O(current), the backup the run made, counts as the newest whatever that
    date: after a clock set back (a dead CMOS battery) it is named 1 January 2000, and
    without O(current) it is the oldest, pruned right after it was made once the directory
    holds as many backups as the keep rules keep.
  - With O(ledger) (the backup computer) only the record counts, that is which backups exist,
    whether they were verified there, and when they arrived (the backup computer's
    clock, not a date in a file name). Which backup is newer is the order the record
    took them in, never that clock; a clock set back (a dead CMOS battery) does not make
    the backups taken in after it the oldest, pruned at once. Manifests in the directory are not read. Each
    pruned backup is recorded as C(pruned). A backup whose arrival time the record does
    not give (a line written by hand or by an older tool) is kept and never pruned; it
    is returned in RV(kept) with no time and the reason.
  - With O(ledger), a recorded backup that is not whole in O(path) (its file deleted by
    hand or by a disk clean-up, another size than recorded, changed after it was stored,
    as another inode, mtime or ctime than the ingest recorded tells (a rewrite of the same
    size), where the record gives them, and a read of the whole file again shows another
    content than the recorded SHA-256; its manifest gone or another SHA-256 than
    recorded; or the record, damaged, naming another file than its own C(NAME.manifest.json)
    as its manifest, which is then never removed with it) fills no slot of the keep rules;
    the rules choose among the whole ones, so as many real backups are kept as configured and none is pruned
    because a missing one took its day, week or month. It is neither pruned nor recorded
    as pruned (a store whose disk is not mounted loses nothing); it is returned in
    RV(missing) and named in a warning, on every run until it is put back.
  - A backup whose inode, mtime or ctime changed but whose content is still the recorded
    SHA-256 (the store copied to another disk or moved, C(cp -a) or C(rsync -a) give new
    inodes and ctimes) is whole; its new stamp is recorded as C(restamped) (reported
    C(changed)), so it is read again only once, and it is returned in RV(restamped).
  - With O(ledger), O(acknowledged_lost) lets the backup computer's admin end those
    warnings for a backup that will not come back. Each one listed that the record holds
    and that is not whole is recorded as C(acknowledged_lost) (with who and why; the
    record keeps its history, nothing is removed), returned once in RV(acknowledged), and
    from then on is no backup of the record, neither warned about nor counted. One that
    is whole (one whose only change is its inode, mtime or ctime, read again, too), or
    that the record does not hold, fails the task in one line and nothing is recorded; one
    acknowledged already is left alone, and so is one a later push took in again while it
    is whole. The SIPP server cannot write the
    record, so only the admin's inventory can acknowledge a loss.
  - An acknowledgement applies to the loss it was recorded for (the record's events are
    ordered). When a later push takes the name in again and that backup is lost too, the
    entry recorded then (the same name, reason and by) does not acknowledge the new loss;
    the backup is warned about as not whole, and a warning names the entry as recorded
    for the earlier loss; an entry of its own (another reason or by) acknowledges it. One
    loss takes one acknowledgement; two new entries of one name fail the task, and so
    does an entry the record does not hold naming a backup whose earlier loss is recorded
    while it is whole again or no backup of the record (written before a loss, it would
    acknowledge that loss the moment it happened).
  - Several prefixes sharing one record (the website's files and database) each run
    retention with the admin's one list and the others in O(other_prefixes); each run
    records only the entries naming a backup of exactly its O(prefix) (the rule of its
    files, C(website) never takes C(website-db-...)); an entry naming a backup of none of
    them fails the task in one line.
  - >-
    With O(ledger), the shrink findings the record holds (C(shrunk) of a C(verified) event,
    written by mariadb_restore_verify on this computer, never read from a pushed
    manifest: a backup whose tables lost most of their rows since the previous verified
    one, or vanished) hold back a backup. While a finding is not acknowledged, the newest
    verified backup taken in before the first such finding that is still whole in
    O(path) (the last one before the shrink) is kept whatever the keep rules say: a
    database emptied or vandalised (ransomware, an intruder deleting cases) is backed up
    and verified every night after, and the keep rules alone would prune the last good
    backups once they are older than the days, weeks and months kept. It is returned in
    RV(held) and named in a warning (Bahasa) on every run. Findings are never removed
    from the record.
  - >-
    O(shrink_acknowledged) lets the backup computer's admin release it after examining
    the shrink: an entry naming the backup held (or, when no whole verified backup was
    left before the first finding, that finding's backup, as the warning names it) is
    recorded as C(shrink_acknowledged) with who and why and the findings it acknowledges,
    every one recorded so far, and returned once in RV(shrink_acknowledged). A finding
    recorded later holds back the newest verified backup before it, the acknowledged
    ones counting as without a finding. An entry the record holds already (the same name,
    reason and by) is left alone, the list may stay as it is; when it names the backup a
    later finding holds again, a warning says it was recorded for the earlier findings
    and an entry of its own (another reason or by) is needed. An entry naming any other
    backup (written before a shrink, it would release the hold the moment it began), two
    new entries, or an empty reason or by fail the task in one line and no
    acknowledgement is recorded.
  - >-
    With O(ledger), a run that is no check mode holds the store's lock (C(.ingest.lock)
    beside O(ledger), the one every ingest and sweep of the store and every
    verification's record hold) from its read of the record to its last removal, so it
    never judges from a record another writer is adding to, nor does a line of its own
    come between another writer's; check mode takes no lock. A lock still held after
    O(lock_timeout) fails the task in one line naming the lock, its holder as far as
    C(/proc/locks) tells (pid, command line, what it does) and how long it waited,
    before anything is read, pruned or recorded.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  path:
    description: Backup directory.
    type: path
    required: true
  prefix:
    description: Backup file prefix (C(sipp) for C(sipp-20261121T020000.sql.zst)).
    type: str
    required: true
  keep_daily:
    description: Number of days to keep the newest backup of.
    type: int
    default: 7
  keep_weekly:
    description: Number of ISO weeks to keep the newest backup of.
    type: int
    default: 4
  keep_monthly:
    description: Number of months to keep the newest backup of.
    type: int
    default: 12
  ledger:
    description: The backup computer's record (C(ledger.jsonl)); the only source of truth when set.
    type: path
  current:
    description:
      - >-
        Without O(ledger), the file name of the backup this run made (or found made for its
        period): it counts as the newest backup of the directory whatever the date in its
        name, so a clock set back does not make it the oldest, pruned at once. The others
        are ordered by the dates in their names. A name not in O(path) changes nothing.
      - With O(ledger) the record's order already does this; both together fail the task.
    type: str
  reconciled:
    description:
      - >-
        Without O(ledger), in check mode only: the names of backups in O(path) whose
        manifest is still pending and that M(backup_manifest) V(reconcile) run before in
        check mode would have marked verified (its RV(backup_manifest#module:marked)). Check
        mode writes no mark, so they count as verified here, as a real run's marked
        manifests do, and the retention predicted is the one a real run applies (a backup
        made older by one of them pruned, say).
      - A real run reads the marks from the manifests and does not use it. With O(ledger)
        the record alone counts; both together fail the task.
    type: list
    elements: str
    default: []
  stale_after_hours:
    description:
      - Age after which unverified and partial files may be removed.
      - >-
        Above 0 and at most 87600 (ten years), else the module fails with C(setting)
        C(stale_after_hours).
    type: int
    default: 24
  acknowledged_lost:
    description: With O(ledger), backups of O(prefix) the admin acknowledges as lost (not
      whole in O(path) and not coming back), each with the name, the reason and who
      acknowledges it.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The backup's name, as the record lists it.
        type: str
        required: true
      reason:
        description: Why it is lost (recorded).
        type: str
        required: true
      by:
        description: Who acknowledges the loss (recorded).
        type: str
        required: true
  other_prefixes:
    description: With O(acknowledged_lost) or O(shrink_acknowledged), the other prefixes of
      the same record whose own retention runs acknowledge their backups; entries naming
      those are left to them.
    type: list
    elements: str
    default: []
  shrink_acknowledged:
    description: With O(ledger), the admin's acknowledgements of shrink findings, each
      naming the backup held back before them (RV(held)), with the reason and who
      acknowledges them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The backup held back, as RV(held) and the warning name it.
        type: str
        required: true
      reason:
        description: Why the shrink is accepted (recorded).
        type: str
        required: true
      by:
        description: Who acknowledges it (recorded).
        type: str
        required: true
  lock_timeout:
    description:
      - >-
        With O(ledger), seconds to wait for the store's lock (C(.ingest.lock) beside
        O(ledger)) while an ingest, a sweep, a verification's record or another retention
        of the store holds it. V(0) does not wait; a negative value fails the task with
        C(setting) C(lock_timeout).
    type: int
    default: 300
attributes:
  check_mode:
    support: full
    description: Lists what would be pruned, removes nothing; without O(ledger), the
      backups named in O(reconciled) count as marked verified.
"""

EXAMPLES = r"""
- name: Apply retention to the local backups
  backup_retention:
    path: /var/backups/sipp
    prefix: sipp
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 12
    current: "{{ sipp_dump.path | basename }}"  # registered by the mariadb_backup task

- name: On the backup computer, acknowledge a backup deleted by a disk clean-up as lost
  backup_retention:
    path: /srv/backup/sipp/400999
    ledger: /srv/backup/sipp/400999/ledger.jsonl
    prefix: sipp
    acknowledged_lost:
      - name: sipp-20261121T020000.sql.zst
        reason: deleted by a disk clean-up on 2026-11-30
        by: Budi (admin PTIP)

- name: On the backup computer, release the backup held back before a shrink found checked
  backup_retention:
    path: /srv/backup/sipp/400999
    ledger: /srv/backup/sipp/400999/ledger.jsonl
    prefix: sipp
    shrink_acknowledged:
      - name: sipp-20261120T020000.sql.zst
        reason: the log table was purged on purpose on 2026-11-21
        by: Budi (admin PTIP)
"""

RETURN = r"""
kept:
  description: Kept backups with the rules that keep them.
  returned: always
  type: list
  elements: dict
pruned:
  description: Removed (or, in check mode, to-be-removed) files with the reason.
  returned: always
  type: list
  elements: dict
missing:
  description: With O(ledger), recorded backups that are not whole in O(path), with the
    reason (name, time, reason); counted by no keep rule, left alone.
  returned: always
  type: list
  elements: dict
restamped:
  description: With O(ledger), recorded backups whose inode, mtime or ctime changed (the
    store copied to another disk or moved, C(cp -a), C(rsync -a)) that were read again and
    still have their recorded SHA-256, so their new stamp was recorded (C(restamped); in
    check mode, would be). One whose content differs is in RV(missing).
  returned: always
  type: list
  elements: str
acknowledged:
  description: Backups recorded as C(acknowledged_lost) in this run (in check mode, that
    would be), with the reason and who (name, reason, by, fault).
  returned: always
  type: list
  elements: dict
held:
  description: With O(ledger), the backup held back as the last verified one before a
    shrink finding not acknowledged (name, time, C(first) the first finding's backup,
    C(findings) every one not acknowledged); empty when none is held.
  returned: always
  type: list
  elements: dict
shrink_acknowledged:
  description: The acknowledgement of shrink findings recorded as C(shrink_acknowledged)
    in this run (in check mode, that would be), with the reason and who (name, reason,
    by, findings).
  returned: always
  type: list
  elements: dict
"""


UNDATED = "no readable arrival time in the record: kept, never pruned"


def local(directory: str, prefix: str, current: str | None,
          reconciled: Collection[str] = ()) -> list[dict[str, Any]]:
    """The local backups and leftovers of exactly ``prefix`` in the order they were made:
    by the dates in their names, but ``current`` (the backup of this run) last, whatever
    its name says (sop_retention.by_arrival); those named in ``reconciled`` (check mode)
    counted as marked verified (sop_backup_files.as_reconciled). Refused: a file that
    cannot be read (a leftover gone meanwhile, a link to nothing at a partial's name)."""
    try:
        found = inventory(directory, prefix, reconciled)
    except OSError as exc:
        raise Refused(f"cannot read the backups of {prefix} in {directory}: {exc.strerror}"
                      + (f": {exc.filename}" if exc.filename else "")) from None
    return by_arrival(found, current)


def recorded(directory: str, ledger: str, events: list[dict[str, Any]], prefix: str,
             restamped: list[str], *, dry: bool) -> list[dict[str, Any]]:
    """Backups of exactly ``prefix`` as the backup computer's record ``ledger`` knows them
    (``events``, read_record's). One whose inode, mtime or ctime changed is read again:
    still its recorded SHA-256 (the store copied or moved), its new stamp is recorded
    (with ``dry``, only named) and its name added to ``restamped``; else it is not whole,
    named. OSError when the record cannot be written."""
    items = []
    for arrival, (name, entry) in enumerate(backups(events).items()):
        if owned_by(name, prefix) != "backup":
            continue
        files = [os.path.join(directory, name)]
        if entry.get("manifest") == manifest_path(name):  # any other: not whole, never pruned
            files.append(os.path.join(directory, entry["manifest"]))
        fault, again = checked(directory, entry)
        if again is not None:  # the same content: a copy or a move of the store
            if not dry:
                record_event(ledger, events, RESTAMPED, name=name, sha256=entry["sha256"],
                             **again)
            restamped.append(name)
        items.append({"name": name, "sha256": entry["sha256"],
                      "time": parse_time(entry["ingested_at"]), "arrival": arrival,
                      "verified": entry["verified"], "files": files, "missing": fault})
    return items


class Refused(Exception):
    """One clear line: an acknowledgement that cannot be recorded."""


def read_record(ledger: str) -> list[dict[str, Any]]:
    """Every event of the backup computer's record ``ledger``, read once a run: the steps
    after take this list, and record_event keeps it the record as it is now. Refused: a
    record that cannot be read (a folder, its path given by a typo; permission denied)."""
    try:
        return read(ledger)
    except OSError as exc:
        raise Refused(f"cannot read the backup ledger {ledger}: {exc.strerror}") from None


def record_event(ledger: str, events: list[dict[str, Any]], event: str, **fields: Any) -> None:
    """Append ``event`` to the record ``ledger`` (sop_backup_ledger.append: OSError when it
    cannot be written) and to ``events``, the run's one read of it (read_record), so a
    later step of the run reads what this one recorded, as a read of the record again
    would."""
    events.append(append(ledger, event, **fields))


def own_entries(wanted: list[dict[str, str]], prefix: str, other_prefixes: list[str],
                option: str = "acknowledged_lost") -> list[dict[str, str]]:
    """The entries of ``wanted`` (the list of ``option``) naming a backup of exactly
    ``prefix`` (``owned_by``, the rule of the store's files: ``website`` never takes
    ``website-db-...``); those of one of ``other_prefixes`` are left to that prefix's
    retention. Refused: one of none, an empty reason or by."""
    prefixes = [prefix, *other_prefixes]
    own = []
    for item in wanted:
        for key in ("reason", "by"):
            if not item[key].strip():
                raise Refused(f"{option}: {item['name']} needs a {key}")
        owner = next((p for p in prefixes if owned_by(item["name"], p) == "backup"), None)
        if owner is None:
            raise Refused(f"{option}: {item['name']} is the name of no backup of "
                          f"{' or '.join(prefixes)}")
        if owner == prefix:
            own.append(item)
    return own


def same_entry(item: dict[str, str], recorded: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first of the ``recorded`` acknowledgements with the reason and by of the admin's
    entry ``item`` (that entry recorded already), or None."""
    return next((e for e in recorded
                 if (e.get("reason"), e.get("by")) == (item["reason"], item["by"])), None)


def spent_on(item: dict[str, str], recorded: list[dict[str, Any]]) -> str | None:
    """The warning for an entry of the admin's list that the record holds already (the same
    reason and by) for an earlier loss of its name, now given for a later loss; else
    None."""
    earlier = same_entry(item, recorded)
    if earlier is None:
        return None
    return (f"acknowledged_lost: {item['name']} ({item['reason']}, {item['by']}) sudah dicatat "
            f"untuk kehilangan sebelumnya ({earlier.get('at')}); backup dengan nama itu "
            "diterima lagi dan kini tidak utuh lagi: konfirmasi kehilangan ini dengan entri "
            "baru (alasan atau nama lain)")


def acknowledge(directory: str, ledger: str, events: list[dict[str, Any]], prefix: str,
                wanted: list[dict[str, str]], *, dry: bool,
                ) -> tuple[list[dict[str, str]], list[str]]:
    """Record each backup of ``wanted`` as lost in ``ledger`` (``events``, read_record's;
    with ``dry``, only name it); all are checked before any is recorded. Returns the new
    acknowledgements, and a warning for each entry the record holds already for an
    earlier loss of a backup not whole again (taken in again since, then lost) that no
    new entry acknowledges: that acknowledgement is not this loss's."""
    state, done = backups(events), acknowledged(events)
    found: list[dict[str, str]] = []
    spent: dict[str, str] = {}
    for item in wanted:
        name, entry = item["name"], state.get(item["name"])
        held = spent_on(item, done.get(name, []))  # this entry is recorded already
        if entry is None:
            if held is not None:
                continue
            if name in done:  # an entry written before a later loss would acknowledge it
                last = done[name][-1]
                raise Refused(f"acknowledged_lost: {name} ({item['reason']}, {item['by']}) is "
                              f"no backup of {prefix} in the record {ledger}: its loss was "
                              f"acknowledged already ({last.get('reason')}, {last.get('by')})")
            raise Refused(f"acknowledged_lost: {name} is no backup of {prefix} in the record "
                          f"{ledger}")
        fault, _ = checked(directory, entry)  # a copy of the store is no loss
        if fault is None and held is not None:  # taken in again since: that loss is recorded
            continue
        if fault is None:
            raise Refused(f"acknowledged_lost: {name} is whole in {directory}: only a backup "
                          "that is not whole can be acknowledged as lost")
        if held is not None:
            spent[name] = held
            continue
        if any(f["name"] == name for f in found):
            raise Refused(f"acknowledged_lost: {name} is listed twice for one loss: one "
                          "acknowledgement a loss")
        found.append({"name": name, "reason": item["reason"], "by": item["by"],
                      "fault": fault, "sha256": entry["sha256"]})
    for item in [] if dry else found:
        try:
            record_event(ledger, events, ACKNOWLEDGED_LOST, **item)
        except OSError as exc:
            raise Refused(f"cannot record {item['name']} as lost in {ledger}: "
                          f"{exc.strerror}") from None
    new = {item["name"] for item in found}
    return ([{k: v for k, v in item.items() if k != "sha256"} for item in found],
            [line for name, line in spent.items() if name not in new])


def shrink(ledger: str, events: list[dict[str, Any]], prefix: str,
           items: list[dict[str, Any]], wanted: list[dict[str, str]], *, dry: bool,
           ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[str]]:
    """What the shrink findings of the record ``ledger`` (``events``, read_record's) hold
    back from pruning (``shrink_hold``, of the whole backups among ``items``) once the
    admin's entries ``wanted`` are recorded (with ``dry``, only named): an entry naming
    the backup held (or, none left to hold, the first finding's) acknowledges every
    finding recorded so far. Returns the hold left (None once acknowledged), the new
    acknowledgement, and a warning for an entry the record holds already (the same name,
    reason and by) naming that backup again, as it was recorded for earlier findings.
    Refused: an entry naming anything else, two new entries (an empty reason or by:
    own_entries); nothing is recorded then."""
    # a list, no set: a damaged record's sha256 may be a JSON list, which hashes to none
    hold = shrink_hold([b for b in taken_in(events) if owned_by(b["name"], prefix) == "backup"],
                       [(i["name"], i["sha256"]) for i in items if not i.get("missing")])
    target = (hold["name"] or hold["first"]) if hold else None
    done = [e for e in events if e.get("event") == SHRINK_ACKNOWLEDGED]
    found: list[dict[str, Any]] = []
    spent: list[str] = []
    for item in wanted:
        name = item["name"]
        earlier = same_entry(item, [e for e in done if e.get("name") == name])
        if earlier is not None:  # recorded for earlier findings
            if name == target:
                spent.append(f"shrink_acknowledged: {name} ({item['reason']}, {item['by']}) "
                             f"sudah dicatat untuk penyusutan sebelumnya ({earlier.get('at')}); "
                             "penyusutan baru tercatat: konfirmasi dengan entri baru (alasan "
                             "atau nama lain)")
            continue
        if hold is None or name != target:
            raise Refused(f"shrink_acknowledged: {name} is not held back as the last verified "
                          "backup before a shrink of the data (" + (
                              f"{target} is" if target else "no shrink finding waits for an "
                              "acknowledgement") + ")")
        if found:
            raise Refused(f"shrink_acknowledged: {name} is listed twice for one shrink: one "
                          "acknowledgement a shrink")
        found.append({"name": name, "reason": item["reason"], "by": item["by"],
                      "findings": [f["name"] for f in hold["findings"]]})
    if hold is None or not found:
        return hold, [], spent
    if not dry:
        try:
            record_event(ledger, events, SHRINK_ACKNOWLEDGED, name=target,
                         sha256=hold["sha256"] or hold["findings"][0]["sha256"],
                         reason=found[0]["reason"], by=found[0]["by"],
                         findings=hold["findings"])
        except OSError as exc:
            raise Refused(f"cannot record the acknowledgement of the shrink before {target} "
                          f"in {ledger}: {exc.strerror}") from None
    return None, found, []


def held_line(hold: dict[str, Any]) -> str:
    """The report's line (Bahasa) of what a shrink finding not acknowledged holds back."""
    findings = ", ".join(f["name"] for f in hold["findings"])
    if hold["name"] is None:
        return (f"penyusutan data tercatat pada {findings}, tetapi tidak ada lagi backup "
                "terverifikasi sebelumnya yang utuh untuk dipertahankan; setelah diperiksa, "
                f"konfirmasi penyusutan itu (shrink_acknowledged: {hold['first']})")
    return (f"dipertahankan: backup terakhir sebelum penyusutan data, {hold['name']} "
            f"(penyusutan tercatat pada {findings}); retensi tidak menghapusnya sampai admin "
            f"komputer backup mengonfirmasi penyusutan itu (shrink_acknowledged: {hold['name']})")


def prune(module: AnsibleModule) -> dict[str, Any]:
    """The run's reading of its backups, its decision, and (but in check mode) its records
    and removals; fails the module in one line on a refused entry or a record that cannot
    be written."""
    p = module.params
    keep = keep_counts(p)
    lost: list[dict[str, str]] = []
    events: list[dict[str, Any]] = []  # the record, read once (with the ledger)
    try:
        if p["ledger"]:
            wanted = own_entries(p["acknowledged_lost"], p["prefix"], p["other_prefixes"])
            events = read_record(p["ledger"])
            lost, spent = acknowledge(p["path"], p["ledger"], events, p["prefix"], wanted,
                                      dry=module.check_mode)
            for line in spent:
                module.warn(line)
    except Refused as exc:
        module.fail_json(msg=f"retention: {exc}")
    gone = {i["name"] for i in lost}
    restamped: list[str] = []
    hold: dict[str, Any] | None = None
    shrink_acked: list[dict[str, Any]] = []
    try:
        items = recorded(p["path"], p["ledger"], events, p["prefix"], restamped,
                         dry=module.check_mode) if p["ledger"] else \
            local(p["path"], p["prefix"], p["current"],
                  p["reconciled"] if module.check_mode else ())
        items = [i for i in items if i["name"] not in gone]  # already so in check mode
        missing = [i for i in items if i.get("missing")]
        items = [i for i in items if not i.get("missing")]
        if p["ledger"]:
            hold, shrink_acked, spent = shrink(
                p["ledger"], events, p["prefix"], items, own_entries(
                    p["shrink_acknowledged"], p["prefix"], p["other_prefixes"],
                    "shrink_acknowledged"), dry=module.check_mode)
            for line in spent:
                module.warn(line)
        held = {hold["name"]: f"held back: the last verified backup before the shrink found "
                              f"in {hold['first']}, until acknowledged"} \
            if hold and hold["name"] else {}
        kept, pruned = select([i for i in items if i["time"] is not None], keep,
                              datetime.datetime.now(),
                              datetime.timedelta(hours=p["stale_after_hours"]), held)
    except Refused as exc:
        module.fail_json(msg=f"retention: {exc}")
    except ValueError as exc:
        module.fail_json(msg=f"retention: {exc}")
    except OSError as exc:
        module.fail_json(msg=f"retention: cannot record a re-hashed backup's new stamp in "
                             f"{p['ledger']}: {exc.strerror}")
    kept += [dict(i, reasons=[UNDATED]) for i in items if i["time"] is None]
    if not module.check_mode:
        for item in pruned:
            if p["ledger"]:  # recorded first: a backup is never removed unrecorded
                try:
                    record_event(p["ledger"], events, "pruned", name=item["name"],
                                 reason=item["reason"])
                except OSError as exc:
                    module.fail_json(msg=f"retention: cannot record the pruning of "
                                         f"{item['name']} in {p['ledger']}: {exc.strerror}")
            for path in item["files"]:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
                except OSError as exc:  # a folder at its name, an immutable file
                    module.fail_json(msg=f"retention: cannot remove {path}: {exc.strerror}")
    return {"kept": kept, "pruned": pruned, "missing": missing, "lost": lost,
            "restamped": restamped, "hold": hold, "items": items,
            "shrink_acknowledged": shrink_acked}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "prefix": {"type": "str", "required": True},
            "keep_daily": {"type": "int", "default": 7},
            "keep_weekly": {"type": "int", "default": 4},
            "keep_monthly": {"type": "int", "default": 12},
            "ledger": {"type": "path"},
            "current": {"type": "str"},
            "reconciled": {"type": "list", "elements": "str", "default": []},
            "stale_after_hours": {"type": "int", "default": 24},
            "acknowledged_lost": {"type": "list", "elements": "dict", "default": [],
                                  "options": {key: {"type": "str", "required": True}
                                              for key in ("name", "reason", "by")}},
            "other_prefixes": {"type": "list", "elements": "str", "default": []},
            "shrink_acknowledged": {"type": "list", "elements": "dict", "default": [],
                                    "options": {key: {"type": "str", "required": True}
                                                for key in ("name", "reason", "by")}},
            "lock_timeout": {"type": "int", "default": 300},
        },
        mutually_exclusive=[("ledger", "current"), ("ledger", "reconciled")],
        supports_check_mode=True,
    )
    p = module.params
    # before anything is read or recorded (an acknowledgement recorded by a run that
    # then failed was reported by none)
    bad_keep = keep_error(keep_counts(p))
    if bad_keep:
        module.fail_json(msg=f"retention: {bad_keep}")
    bad_timeout = seconds_error(p, "lock_timeout", zero="does not wait")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    # 1e12 raised OverflowError in datetime.timedelta, a traceback; no age is 0 or less
    bad_age = duration_error(p, "stale_after_hours", unit="hours")
    if bad_age:
        module.fail_json(**bad_age)
    for option in ("acknowledged_lost", "shrink_acknowledged"):
        if p[option] and not p["ledger"]:
            module.fail_json(msg=f"retention: {option} needs the ledger (the backup "
                                 "computer's record)")
    if not os.path.isdir(p["path"]):
        module.exit_json(changed=False, kept=[], pruned=[], missing=[], acknowledged=[],
                         restamped=[], held=[], shrink_acknowledged=[],
                         msg=f"nothing to prune: {p['path']} does not exist (yet)")
    # With the record, the whole run holds the store's lock (none in check mode, which
    # writes nothing): its read, the decision, what it records and what it removes. An
    # ingest or a verification recording meanwhile waits, and this run waits for them.
    locked = contextlib.nullcontext() if module.check_mode or not p["ledger"] else store_lock(
        os.path.dirname(p["ledger"]), p["lock_timeout"],
        f"applying retention to {p['prefix']} in {p['path']}", "nothing was pruned or recorded")
    try:
        with locked:
            done = prune(module)
    except StoreLocked as exc:
        module.fail_json(msg=f"retention: {exc}")
    kept, pruned, missing, lost = done["kept"], done["pruned"], done["missing"], done["lost"]
    restamped, hold, items = done["restamped"], done["hold"], done["items"]
    shrink_acked = done["shrink_acknowledged"]

    def show(item: dict[str, Any], key: str) -> dict[str, Any]:
        time = item["time"].isoformat() if item["time"] is not None else None
        return {"name": item["name"], "time": time, key: item[key]}

    if hold:
        module.warn(held_line(hold))
    if missing:
        module.warn(f"{len(missing)} backup tercatat di ledger tetapi tidak utuh di {p['path']} "
                    "(dihapus di luar SOP, ukurannya berubah atau diubah setelah disimpan), tidak "
                    f"dihitung retensi dan tidak dihapus: {', '.join(i['name'] for i in missing)}")
    module.exit_json(changed=bool(pruned or lost or restamped or shrink_acked),
                     kept=[show(i, "reasons") for i in kept],
                     pruned=[show(i, "reason") for i in pruned],
                     missing=[show(dict(i, reason=i["missing"]), "reason") for i in missing],
                     acknowledged=lost, restamped=restamped,
                     held=[dict(show(i, "name"), first=hold["first"],
                                findings=[f["name"] for f in hold["findings"]])
                           for i in items if hold and i["name"] == hold["name"]],
                     shrink_acknowledged=shrink_acked,
                     msg=f"{len(kept)} kept, {len(pruned)} "
                         f"{'to be ' if module.check_mode else ''}pruned"
                         + (f", {len(missing)} missing or not whole" if missing else "")
                         + (f", {len(restamped)} re-hashed after a copy or move of the store"
                            if restamped else "")
                         + (f", {hold['name']} held back before the shrink found in "
                            f"{hold['first']}" if hold and hold["name"] else "")
                         + "".join(f"; {'would record' if module.check_mode else 'recorded'}"
                                   f" the shrink found in {', '.join(i['findings'])} as "
                                   f"acknowledged by {i['by']}: {i['reason']}"
                                   for i in shrink_acked)
                         + "".join(f"; {'would record' if module.check_mode else 'recorded'}"
                                   f" {i['name']} as lost, acknowledged by {i['by']}: "
                                   f"{i['reason']} ({i['fault']})" for i in lost))


if __name__ == "__main__":
    main()
