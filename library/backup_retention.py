#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: prune old backups with keep-daily/weekly/monthly rules."""

from __future__ import annotations

import contextlib
import datetime
import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    MANIFEST_SUFFIX,
    PARTIAL_SUFFIX,
    list_backups,
    manifest_path,
    parse_name,
)
from ansible.module_utils.sop_retention import select

DOCUMENTATION = r"""
---
module: backup_retention
short_description: Prune backups with keep-daily/weekly/monthly rules
description:
  - Applies restic/borg C(forget) semantics to the backups (file plus manifest) of one
    prefix in a directory; only verified backups count, the newest verified backup is
    always kept.
  - Unverified backups and leftover C(.partial) files are removed only when older than
    O(stale_after_hours) and a newer verified backup exists; with no verified backup
    nothing is removed.
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
  stale_after_hours:
    description: Age after which unverified and partial files may be removed.
    type: int
    default: 24
attributes:
  check_mode:
    support: full
    description: Lists what would be pruned, removes nothing.
"""

EXAMPLES = r"""
- name: Apply retention to the local backups
  backup_retention:
    path: /var/backups/sipp
    prefix: sipp
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 12
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
"""


def inventory(directory: str, prefix: str) -> list[dict[str, Any]]:
    """Backups, orphan manifests and partial files of ``prefix`` as retention items."""
    items = [{"name": b["name"], "time": b["time"], "verified": b["verified"],
              "files": [b["path"], manifest_path(b["path"])]} for b in list_backups(directory, prefix)]
    known = {item["name"] for item in items}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not name.startswith(prefix + "-"):
            continue
        if name.endswith(PARTIAL_SUFFIX):
            moment = datetime.datetime.fromtimestamp(os.path.getmtime(path))
            items.append({"name": name, "time": moment, "verified": False, "files": [path]})
        elif name.endswith(MANIFEST_SUFFIX) and name[: -len(MANIFEST_SUFFIX)] not in known:
            info = parse_name(name[: -len(MANIFEST_SUFFIX)])
            if info and info["prefix"] == prefix:
                items.append({"name": name, "time": info["time"], "verified": False, "files": [path]})
    return items


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "prefix": {"type": "str", "required": True},
            "keep_daily": {"type": "int", "default": 7},
            "keep_weekly": {"type": "int", "default": 4},
            "keep_monthly": {"type": "int", "default": 12},
            "stale_after_hours": {"type": "int", "default": 24},
        },
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.isdir(p["path"]):
        module.exit_json(changed=False, kept=[], pruned=[],
                         msg=f"nothing to prune: {p['path']} does not exist (yet)")
    keep = {"daily": p["keep_daily"], "weekly": p["keep_weekly"], "monthly": p["keep_monthly"]}
    try:
        kept, pruned = select(inventory(p["path"], p["prefix"]), keep, datetime.datetime.now(),
                              datetime.timedelta(hours=p["stale_after_hours"]))
    except ValueError as exc:
        module.fail_json(msg=f"retention: {exc}")
    if not module.check_mode:
        for item in pruned:
            for path in item["files"]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def show(item: dict[str, Any], key: str) -> dict[str, Any]:
        return {"name": item["name"], "time": item["time"].isoformat(), key: item[key]}

    module.exit_json(changed=bool(pruned), kept=[show(i, "reasons") for i in kept],
                     pruned=[show(i, "reason") for i in pruned],
                     msg=f"{len(kept)} kept, {len(pruned)} "
                         f"{'to be ' if module.check_mode else ''}pruned")


if __name__ == "__main__":
    main()
