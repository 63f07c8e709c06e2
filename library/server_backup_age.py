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
  - C(fresh) is true when that backup is younger than O(max_age_hours). A missing ledger
    means no verified backup (C(fresh) false), not an error. A backup dated more than five
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
    description: A verified backup younger than this is fresh.
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
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import os  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_ledger import (  # noqa: E402
    LEDGER_NAME,
    backups,
    not_whole,
    parse_time,
    read,
)
from ansible.module_utils.sop_clock import ahead_of_clock  # noqa: E402


def ingested_at(value: Any) -> datetime.datetime | None:
    """A ledger time as an aware datetime (the ledger's naive local reading made aware:
    comparing naive and aware times raised TypeError); None when unreadable."""
    moment = parse_time(value)
    return moment.astimezone() if moment is not None else None


def undated(events: list[dict[str, Any]]) -> list[str]:
    """Verified backups left out because the ledger gives no readable time of arrival."""
    return sorted(b["name"] for b in backups(events).values()
                  if b["verified"] and ingested_at(b["ingested_at"]) is None)


def not_in_store(events: list[dict[str, Any]], store: str) -> dict[str, str]:
    """Verified backups the ledger lists that are not whole in ``store`` (deleted by hand
    or a disk clean-up, cut short), each with why: no proof of a backup."""
    return {b["name"]: why for b in backups(events).values()
            if b["verified"] and (why := not_whole(store, b)) is not None}


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
    path = os.path.join(module.params["store"], LEDGER_NAME)
    try:
        events = read(path)
    except OSError as exc:
        module.fail_json(msg=f"cannot read the backup ledger {path}: {exc.strerror}")
    gone = not_in_store(events, module.params["store"])
    if gone:
        module.warn("backup tercatat di ledger tetapi tidak utuh di penyimpanan, tidak dihitung: "
                    + "; ".join(gone.values()))
    newest = newest_verified(events, datetime.datetime.now().astimezone(), frozenset(gone))
    skipped = undated(events)
    if skipped:
        module.warn("backup tanpa waktu masuk yang terbaca di ledger, tidak dihitung: "
                    + ", ".join(skipped))
    fresh = newest is not None and newest["age_hours"] < module.params["max_age_hours"]
    if newest is not None and ahead_of_clock(newest["age_hours"] * 3600):
        fresh = False
        module.warn(f"backup {newest['name']} tercatat {newest['ingested_at']}, di masa depan "
                    "menurut jam komputer backup (jam dimundurkan?): tidak dianggap baru")
    module.exit_json(changed=False, newest=newest, fresh=fresh, sop_output={
        "backup_terbaru": newest["name"] if newest else None,
        "umur_jam": newest["age_hours"] if newest else None, "fresh": fresh})


if __name__ == "__main__":
    main()
