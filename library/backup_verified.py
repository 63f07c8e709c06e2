#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: the backups a store's own record holds whole and verified."""

from __future__ import annotations

import os
import re
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_ledger import LEDGER_NAME, backups, read, verified_whole

DOCUMENTATION = r"""
---
module: backup_verified
short_description: List the backups a store's record holds whole and verified
description:
  - >-
    Runs on the backup computer. Reads the record C(ledger.jsonl) of O(store), the backup
    computer's own record that the pushing server cannot write, and lists the backups
    whose names match O(pattern) that the record holds, that verified here and whose
    files are whole in O(store), as C(backup_ingest) counts them for its C(verdicts):
    the backups retention keeps as good and a restore would use. A backup whose
    verification failed (its file keeps its name in the store) or was never recorded is
    not listed but returned in RV(unverified); a verified one no longer whole (gone, cut
    short, changed after it was stored, its manifest gone or changed) is returned in
    RV(not_whole), for the caller to name. A backup only copied or moved with the store
    (its inode, mtime or ctime changed, its content still the recorded SHA-256, read
    again) counts as whole.
  - >-
    Files in O(store) that the record does not list are no backup of it and are not
    listed (C(backup_ingest) reports them).
  - >-
    A store not there (its backup SOP never ran, the backup disk not mounted) lists no
    backup (RV(present) false); anything but a directory at its name, a record that
    cannot be read, or a O(pattern) that is no regular expression fails in one line.
  - >-
    Read-only; records nothing (C(backup_retention) records a copied store's new stamps).
version_added: "1.2.0"
author: Court IT SOP maintainers
options:
  store:
    description: The store, the folder holding the backups and their record C(ledger.jsonl).
    type: path
    required: true
  pattern:
    description:
      - >-
        Python regular expression the backup file names must match whole
        (C(re.fullmatch)), for example C(^website-[0-9]{8}T[0-9]{6}\.tar\.zst$): a final
        C($) lets no name with a final newline through (as it did under C(re.match)), and
        a pattern naming only how the names start (C(^website-)) matches none. The record
        names backups only, never their manifests.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: Reads as a real run does; it changes nothing either way.
"""

EXAMPLES = r"""
- name: List the website files archives a restore may use
  backup_verified:
    store: /srv/backup/website/400999
    pattern: '^website-[0-9]{8}T[0-9]{6}\.tar\.zst$'
  register: archives
"""

RETURN = r"""
present:
  description: Whether O(store) is there (a directory).
  returned: success
  type: bool
backups:
  description: The backups of O(pattern) whole and verified, in the order the record took
    them in (the newest last, as retention orders them, whatever the clock said).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The backup's file name.
      type: str
    path:
      description: The backup in O(store).
      type: str
    sha256:
      description: Its SHA-256, computed when the backup computer took it in.
      type: str
unverified:
  description: The record's backups of O(pattern) not verified here, in the record's
    order, with C(status) (C(failed), or C(pending) when no verification is recorded) and
    C(reason) (the failed verification's, else empty).
  returned: success
  type: list
  elements: dict
not_whole:
  description: The record's verified backups of O(pattern) no longer whole in O(store),
    with C(name) and C(reason).
  returned: success
  type: list
  elements: dict
"""


class Refused(Exception):
    """One clear line."""


def listing(store: str, pattern: re.Pattern[str]) -> dict[str, Any]:
    """What the record of ``store`` holds of the backups named by ``pattern``."""
    if not os.path.lexists(store):
        return {"present": False, "backups": [], "unverified": [], "not_whole": []}
    if not os.path.isdir(store):
        raise Refused(f"{store} is not a directory")
    ledger = os.path.join(store, LEDGER_NAME)
    try:
        known = backups(read(ledger))
    except OSError as exc:
        raise Refused(f"cannot read the backup ledger {ledger}: {exc.strerror}") from None
    wanted = {name: entry for name, entry in known.items() if pattern.fullmatch(name)}
    whole, broken = verified_whole(store, wanted)
    return {"present": True,
            "backups": [{"name": name, "path": os.path.join(store, name),
                         "sha256": entry["sha256"]} for name, entry in whole.items()],
            "unverified": [{"name": name, "status": entry["verification"].get("status"),
                            "reason": entry["verification"].get("reason") or ""}
                           for name, entry in wanted.items() if not entry["verified"]],
            "not_whole": [{"name": name, "reason": why} for name, why in broken.items()]}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "store": {"type": "path", "required": True},
            "pattern": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    store = module.params["store"]
    try:
        pattern = re.compile(module.params["pattern"])
    except re.error as exc:
        module.fail_json(msg=f"pattern: not a regular expression ({exc})", setting="pattern")
    try:
        result = listing(store, pattern)
    except Refused as exc:
        module.fail_json(msg=str(exc))
    counts = (f"{len(result['backups'])} whole and verified, {len(result['unverified'])} "
              f"not verified, {len(result['not_whole'])} not whole")
    module.exit_json(changed=False, **result,
                     msg=f"{store}: {counts}" if result["present"]
                     else f"{store} does not exist")


if __name__ == "__main__":
    main()
