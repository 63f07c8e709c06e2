#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: read a backup manifest for the report, or record its verification."""

from __future__ import annotations

import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    FAILED_MANIFEST_SUFFIX,
    FAILED_SUFFIX,
    BackupMissing,
    load_backup,
    manifest_path,
    write_json_atomic,
)

DOCUMENTATION = r"""
---
module: backup_manifest
short_description: Read a backup's JSON manifest or record its verification result
description:
  - V(read) returns the backup's outputs (path, size, sha256, duration, tables, verified)
    at the top level and as one C(sop_output) dict for the C(sop) record.
  - V(mark) records a verification result (from M(mariadb_restore_verify) run on another
    host) in the manifest; C(verified) becomes true only for status C(ok). A backup that
    failed verification is renamed C(NAME.failed) (manifest C(NAME.failed.json)), so
    that nothing with a backup's final name can be taken for a good one. It returns only
    C(manifest), C(verified) and C(verification), so that a run records the backup's
    outputs once.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  path:
    description: Backup file; its manifest is the same path plus C(.manifest.json).
    type: path
    required: true
  state:
    description: V(read) the manifest or V(mark) it with O(verification).
    type: str
    choices: [read, mark]
    default: read
  verification:
    description: Verification record (C(status) V(ok) or V(failed), C(reason), ...).
    type: dict
  copies:
    description: Copies made of the backup (for V(read), added to C(sop_output)).
    type: list
    elements: dict
    default: []
attributes:
  check_mode:
    support: full
    description: V(mark) reports whether the manifest would change.
"""

EXAMPLES = r"""
- name: Record the verification done on the backup host
  backup_manifest:
    path: "{{ dump.path }}"
    state: mark
    verification: "{{ verify.verification }}"

- name: Report the backup
  backup_manifest:
    path: "{{ dump.path }}"
    copies: [{location: "backup:/srv/backup/sipp/400999", sha256_match: true}]
"""

RETURN = r"""
manifest:
  description: The manifest's path (for V(mark), the path it had before a failed backup was
    renamed).
  returned: success
  type: str
path:
  description: Backup file.
  returned: state=read
  type: str
size:
  description: Size in bytes.
  returned: state=read
  type: int
sha256:
  description: SHA-256 of the file.
  returned: state=read
  type: str
duration:
  description: Seconds the dump took.
  returned: state=read
  type: float
engine:
  description: The dump tool (C(mariadb-dump), C(mysqldump) or C(mydumper)).
  returned: state=read
  type: str
server_version:
  description: Version of the database server dumped.
  returned: state=read
  type: str
period:
  description: The retention period the backup belongs to (C(2026-11-21) for a daily one).
  returned: state=read
  type: str
tables:
  description: Per table, the row count, content checksum and column hash measured in the
    dump's snapshot.
  returned: state=read
  type: dict
objects:
  description: Views, triggers, routines and events with the hash of their definitions.
  returned: state=read
  type: dict
verified:
  description: Whether the backup is verified.
  returned: success
  type: bool
verification:
  description: The verification's reason (or its status when it gave none).
  returned: success
  type: str
copies:
  description: O(copies) as given.
  returned: state=read
  type: list
  elements: dict
non_transactional_consistent:
  description: Whether the backup holds the non-transactional tables consistent with the rest.
  returned: state=read
  type: bool
non_transactional_note:
  description: How the non-transactional tables were dumped.
  returned: state=read
  type: str
non_transactional_tables:
  description: MyISAM/Aria/... tables of the database (C(non_transactional_consistent) says
    whether the backup holds them consistent with the rest, C(non_transactional_note) how).
  returned: state=read
  type: list
  elements: str
broken_views:
  description: Views the backup left out because they no longer open (mariadb_backup's
    C(broken_views)).
  returned: state=read
  type: list
  elements: str
binlog:
  description: Binary log position of the dump's snapshot (C(gtid_binlog_pos) on MariaDB or
    C(gtid_executed) on MySQL, C(file), C(position)) for a point-in-time recovery, or why
    there is none.
  returned: state=read
  type: dict
sop_output:
  description: All outputs of the backup as one dict for the C(sop) record.
  returned: state=read
  type: dict
"""


def outputs(path: str, manifest: dict[str, Any], copies: Any) -> dict[str, Any]:
    """The backup's outputs as recorded evidence."""
    verification = manifest.get("verification") or {}
    nontx = manifest.get("non_transactional") or {}
    return {"path": path, "size": manifest.get("size"), "sha256": manifest.get("sha256"),
            "duration": manifest.get("duration"), "engine": manifest.get("engine"),
            "server_version": manifest.get("server_version"), "period": manifest.get("period"),
            "tables": manifest.get("tables") or {}, "objects": manifest.get("objects") or {},
            "verified": manifest.get("verified") is True,
            "verification": verification.get("reason", verification.get("status")),
            "non_transactional_tables": nontx.get("tables", []),
            "non_transactional_consistent": nontx.get("consistent", True),
            "non_transactional_note": nontx.get("how", ""),
            "broken_views": manifest.get("broken_views") or [],
            "binlog": manifest.get("binlog") or {}, "copies": copies}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "state": {"type": "str", "default": "read", "choices": ["read", "mark"]},
            "verification": {"type": "dict"},
            "copies": {"type": "list", "elements": "dict", "default": []},
        },
        required_if=[("state", "mark", ["verification"])],
        supports_check_mode=True,
    )
    path = module.params["path"]
    mpath = manifest_path(path)
    try:
        manifest = load_backup(path, mpath)
    except BackupMissing as exc:
        module.fail_json(msg=f"no backup at {path}: {exc}")
    changed = False
    if module.params["state"] == "mark":
        verification = module.params["verification"]
        verified = verification.get("status") == "ok"
        if manifest.get("verification") != verification or manifest.get("verified") != verified:
            manifest.update(verified=verified, verification=verification)
            changed = True
            if not module.check_mode:
                write_json_atomic(mpath, manifest)
                if not verified:
                    os.rename(path, path + FAILED_SUFFIX)
                    os.rename(mpath, path + FAILED_MANIFEST_SUFFIX)
    if module.params["state"] == "mark":
        # No path/sha256 here: the activity's output is recorded once, by a read.
        module.exit_json(changed=changed, manifest=mpath, verified=manifest.get("verified") is True,
                         verification=manifest["verification"].get("reason"))
    result = outputs(path, manifest, module.params["copies"])
    module.exit_json(changed=changed, manifest=mpath, sop_output=result, **result)


if __name__ == "__main__":
    main()
