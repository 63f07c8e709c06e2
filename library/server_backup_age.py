#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Age of the newest verified SIPP backup, from the backup computer's own ledger."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_backup_age
short_description: Age of the newest verified SIPP backup in the backup computer's ledger
description:
  - Runs on the backup computer. Reads the ledger (C(ledger.jsonl)) the C(sipp_backup)
    SOP keeps in O(store), the backup computer's own record that the SIPP server cannot
    write, and returns the newest backup still stored whose restore test passed, with its
    age in hours.
  - A verified backup the ledger lists whose file is not whole in O(store) (deleted by
    hand or a disk clean-up, another size than recorded, changed after it was stored as
    another inode, mtime or ctime than the ingest recorded tells, its manifest gone or
    changed, as C(backup_retention) checks) is no proof of a backup; it is left out, with
    a warning naming it.
  - A backup whose inode, mtime or ctime changed while its size and manifest are as
    recorded (the store copied or moved to another disk, C(cp -a), C(rsync -a); or a
    rewrite of the same size) proves nothing until its content is read again. This check
    reads again only the newest such backup, and only when no whole backup is newer (the
    one it would report; the store may hold tens of GB, read whole by nothing else here),
    by C(backup_retention)'s own re-read (sop_backup_ledger); still its recorded SHA-256,
    it counts (RV(reread)), else it is left out as changed after it was stored. Any other
    such backup is neither counted nor called missing; it is returned in RV(not_reread)
    with a warning of its own (the stamp changed, not read again yet), until the next
    backup run's retention reads it again and records its new stamp (C(restamped)). This
    check records nothing; until then a daily run reads that one backup again each time.
  - C(fresh) is true when that backup is younger than O(max_age_hours). A missing ledger
    means no verified backup (C(fresh) false), not an error; a missing O(store) too, with
    a warning naming it (the backup disk not mounted, or O(store) mistyped). A backup dated more than five
    minutes ahead of this computer's clock (the clock set back since) is not fresh, with a
    warning (its age says nothing of whether backups still arrive).
  - A ledger time without a time zone is this computer's local time; a backup whose time
    is missing or unreadable is not counted and is named in a warning.
  - Read-only; supports check mode.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  store:
    description: The backup store directory holding C(ledger.jsonl).
    type: path
    required: true
  max_age_hours:
    description:
      - A verified backup younger than this is fresh.
      - >-
        Above 0 and at most 87600 (ten years), else the module fails with C(setting)
        C(max_age_hours).
    type: float
    default: 26
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Newest verified SIPP backup
  server_backup_age:
    store: /srv/backup/sipp/400999
    max_age_hours: 26
  delegate_to: "{{ groups['backup_hosts'][0] }}"
  register: backup_age
"""

RETURN = r"""
newest:
  description: The newest verified backup (name, ingested_at, age_hours), or null.
  returned: success
  type: dict
  sample: {name: sipp-400999-20261130T010000.sql.zst, ingested_at: "2026-11-30T01:00:07+07:00", age_hours: 9.5}
fresh:
  description: A verified backup younger than max_age_hours exists.
  returned: success
  type: bool
reread:
  description: The name of the newest backup, its inode, mtime or ctime changed, whose
    content this run read again and found still its recorded SHA-256; null when none was.
  returned: success
  type: str
not_reread:
  description: Verified backups whose inode, mtime or ctime changed (the store copied or
    moved) that this run did not read again; not counted until retention re-reads them.
  returned: success
  type: list
  elements: str
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import os  # noqa: E402
from typing import Any, NamedTuple  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_ledger import (  # noqa: E402
    LEDGER_NAME,
    backups,
    checked,
    not_whole,
    only_restamped,
    parse_time,
    read,
)
from ansible.module_utils.sop_clock import ahead_of_clock  # noqa: E402
from ansible.module_utils.sop_options import duration_error  # noqa: E402


def ingested_at(value: Any) -> datetime.datetime | None:
    """A ledger time as an aware datetime (the ledger's naive local reading made aware:
    comparing naive and aware times raised TypeError); None when unreadable."""
    moment = parse_time(value)
    return moment.astimezone() if moment is not None else None


def undated(events: list[dict[str, Any]]) -> list[str]:
    """Verified backups left out because the ledger gives no readable time of arrival."""
    return sorted(b["name"] for b in backups(events).values()
                  if b["verified"] and ingested_at(b["ingested_at"]) is None)


class Judged(NamedTuple):
    """The verified backups of the ledger that the store does not prove (left out)."""

    gone: dict[str, str]  # not whole (name: why)
    not_reread: list[str]  # only their stamp changed, not read again here
    reread: str | None  # the one read again and found whole, counted


def judged(events: list[dict[str, Any]], store: str) -> Judged:
    """Each verified backup checked cheaply (``not_whole``), the newest first; the newest
    candidate whose stamp only changed (the store copied or moved) read again, once
    (``checked``, retention's re-read); any other such one left unread."""
    entries = [(ingested_at(b["ingested_at"]), b) for b in backups(events).values()
               if b["verified"]]
    dated = sorted(((at, b) for at, b in entries if at is not None), key=lambda pair: pair[0],
                   reverse=True)
    gone: dict[str, str] = {}
    unread: list[str] = []
    reread, tried, found = None, False, False
    for at, entry in dated + [(at, b) for at, b in entries if at is None]:
        fault = not_whole(store, entry)
        if fault is not None and only_restamped(store, entry):
            if tried or found or at is None:
                unread.append(entry["name"])
                continue
            tried = True
            fault, _ = checked(store, entry)
            reread = entry["name"] if fault is None else None
        if fault is not None:
            gone[entry["name"]] = fault
        elif at is not None:
            found = True  # the newest whole one: older ones are not read again
    return Judged(gone, unread, reread)


def newest_verified(events: list[dict[str, Any]], now: datetime.datetime,
                    left_out: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The newest verified backup by its arrival, but those named in ``left_out``."""
    verified = [(at, b) for b in backups(events).values()
                if b["verified"] and b["name"] not in left_out
                and (at := ingested_at(b["ingested_at"])) is not None]
    if not verified:
        return None
    at, best = max(verified, key=lambda pair: pair[0])
    age = (now - at).total_seconds() / 3600
    return {"name": best["name"], "ingested_at": best["ingested_at"], "age_hours": round(age, 2)}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "store": {"type": "path", "required": True},
            "max_age_hours": {"type": "float", "default": 26.0},
        },
        supports_check_mode=True,
    )
    # infinity or 1e12 made every backup fresh, however old; 0, a negative or NaN none
    bad_age = duration_error(module.params, "max_age_hours", unit="hours")
    if bad_age:
        module.fail_json(**bad_age)
    path = os.path.join(module.params["store"], LEDGER_NAME)
    if not os.path.isdir(module.params["store"]):  # not the first backup's missing ledger
        module.warn(f"penyimpanan backup {module.params['store']} tidak ada (disk backup "
                    "tidak terpasang atau store salah?)")
    try:
        events = read(path)
    except OSError as exc:
        module.fail_json(msg=f"cannot read the backup ledger {path}: {exc.strerror}")
    found = judged(events, module.params["store"])
    if found.gone:
        module.warn("backup tercatat di ledger tetapi tidak utuh di penyimpanan, tidak dihitung: "
                    + "; ".join(found.gone.values()))
    if found.not_reread:
        module.warn("backup tercatat di ledger yang inode, mtime atau ctime-nya berubah "
                    "(penyimpanan disalin atau dipindah?), belum dibaca ulang, tidak dihitung "
                    "sampai retensi backup berikutnya membacanya ulang: "
                    + ", ".join(found.not_reread))
    newest = newest_verified(events, datetime.datetime.now().astimezone(),
                             frozenset([*found.gone, *found.not_reread]))
    skipped = undated(events)
    if skipped:
        module.warn("backup tanpa waktu masuk yang terbaca di ledger, tidak dihitung: "
                    + ", ".join(skipped))
    fresh = newest is not None and newest["age_hours"] < module.params["max_age_hours"]
    if newest is not None and ahead_of_clock(newest["age_hours"] * 3600):
        fresh = False
        module.warn(f"backup {newest['name']} tercatat {newest['ingested_at']}, di masa depan "
                    "menurut jam komputer backup (jam dimundurkan?): tidak dianggap baru")
    module.exit_json(changed=False, newest=newest, fresh=fresh, reread=found.reread,
                     not_reread=found.not_reread, sop_output={
        "backup_terbaru": newest["name"] if newest else None,
        "umur_jam": newest["age_hours"] if newest else None, "fresh": fresh})


if __name__ == "__main__":
    main()
