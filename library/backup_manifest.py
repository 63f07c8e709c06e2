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
    parse_name,
    sha256_file,
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
  - >-
    V(reconcile) records the backup computer's verdicts (O(verdicts), the sweep's
    C(verdicts) of M(backup_ingest)) in the manifests of O(path), a directory, that are
    still pending: a run killed after the backup computer verified a backup but before
    its manifest here was marked left it pending, so the period counted an older backup
    here that the backup computer may have pruned since. Only a backup whose manifest is
    still C(pending) and whose manifest's SHA-256 and content (read here) are the ones the
    backup computer verified is marked; one already verified, one no longer here, or one
    whose content differs (warned about) is left as it is. The backup computer's record is
    the trusted side; nothing of this server's manifests goes there. In check mode, which
    writes nothing, RV(marked) names the ones it would mark, so that the tasks after it
    predict what a real run does (O(mariadb_backup#module:reconciled) of M(mariadb_backup)
    and M(website_files_backup), O(verification) of V(read)).
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  path:
    description: Backup file; its manifest is the same path plus C(.manifest.json). For
      V(reconcile), the directory of the backups.
    type: path
    required: true
  state:
    description: V(read) the manifest, V(mark) it with O(verification), or V(reconcile) the
      manifests of a directory with O(verdicts).
    type: str
    choices: [read, mark, reconcile]
    default: read
  verification:
    description:
      - Verification record (C(status) V(ok) or V(failed), C(reason), ...).
      - >-
        For V(read), in check mode only: the verification a V(mark) or V(reconcile) before
        it in the run would have recorded (check mode writes none), so that the outputs
        show the backup as a real run's read would. A real run reads what was recorded and
        does not use it.
    type: dict
  verdicts:
    description: For V(reconcile), backup name to its C(sha256) and C(verification)
      (status V(ok)) as the backup computer's record holds them.
    type: dict
  copies:
    description: Copies made of the backup (for V(read), added to C(sop_output)).
    type: list
    elements: dict
    default: []
attributes:
  check_mode:
    support: full
    description: V(mark) and V(reconcile) report whether a manifest would change and
      V(reconcile) which it would mark (the backups are read, nothing is written); V(read)
      shows the O(verification) given as recorded.
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

- name: Record the backup computer's verdicts in the manifests still pending
  backup_manifest:
    path: /var/backups/sipp
    state: reconcile
    verdicts: "{{ stored.verdicts }}"
"""

RETURN = r"""
manifest:
  description: The manifest's path (for V(mark), the path it had before a failed backup was
    renamed).
  returned: state=read or state=mark
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
    dump's snapshot, and C(rounded_floats), the rows whose FLOAT values the dump rounded
    (mariadb_backup's C(tables)).
  returned: state=read
  type: dict
objects:
  description: Views, triggers, routines and events with the hash of their definitions.
  returned: state=read
  type: dict
verified:
  description: Whether the backup is verified.
  returned: state=read or state=mark
  type: bool
verification:
  description: The verification's reason (or its status when it gave none).
  returned: state=read or state=mark
  type: str
marked:
  description: The backups of O(path) whose manifest V(reconcile) marked verified (in check
    mode, would mark).
  returned: state=reconcile
  type: list
  elements: str
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
  description: Views the backup left out because they do not open for the dump account
    (mariadb_backup's C(broken_views)).
  returned: state=read
  type: list
  elements: str
broken_view_causes:
  description: The server's cause for each of them (mariadb_backup's
    C(broken_view_causes); empty for a backup made before causes were recorded).
  returned: state=read
  type: dict
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
            "broken_view_causes": manifest.get("broken_view_causes") or {},
            "binlog": manifest.get("binlog") or {}, "copies": copies}


class Refused(Exception):
    """One line: a verdict that is none."""


def record(mpath: str, manifest: dict[str, Any], verification: dict[str, Any], *,
           check: bool) -> bool:
    """Write ``verification`` into the manifest at ``mpath`` (``verified`` true only for
    status ok) unless it holds it already; whether it changed."""
    verified = verification.get("status") == "ok"
    if manifest.get("verification") == verification and manifest.get("verified") == verified:
        return False
    manifest.update(verified=verified, verification=verification)
    if not check:
        write_json_atomic(mpath, manifest)
    return True


def _verdict(name: Any, verdict: Any) -> str:
    """The SHA-256 of a verdict of the backup computer (Refused when it is none)."""
    if not isinstance(name, str) or os.path.basename(name) != name or parse_name(name) is None:
        raise Refused(f"verdicts: {name!r} is the name of no backup")
    verification = verdict.get("verification") if isinstance(verdict, dict) else None
    sha256 = verdict.get("sha256") if isinstance(verdict, dict) else None
    if not isinstance(verification, dict) or verification.get("status") != "ok" \
            or not isinstance(sha256, str):
        raise Refused(f"verdicts: {name} is no verdict of the backup computer (a sha256 and a "
                      "verification of status ok)")
    return sha256


def reconcile(module: AnsibleModule, directory: str,
              verdicts: dict[str, Any]) -> list[str]:
    """Mark verified the manifests in ``directory`` still pending of the backups the
    backup computer verified with the same SHA-256 (manifest and content); the names."""
    marked = []
    for name, verdict in sorted(verdicts.items()):
        sha256 = _verdict(name, verdict)
        path = os.path.join(directory, name)
        mpath = manifest_path(path)
        try:
            manifest = load_backup(path, mpath)
        except BackupMissing:  # pruned here, or renamed failed
            continue
        if manifest.get("verified") is True \
                or (manifest.get("verification") or {}).get("status") != "pending":
            continue
        here = manifest.get("sha256")
        if here == sha256:
            try:
                here = sha256_file(path, follow=False)
            except OSError as exc:
                raise Refused(f"cannot read {path}: {exc.strerror}") from None
        if here != sha256:
            module.warn(f"{path} is not the backup the backup computer verified under its "
                        f"name (sha256 {here} here, {sha256} there): left unverified")
            continue
        if record(mpath, manifest, verdict["verification"], check=module.check_mode):
            marked.append(name)
    return marked


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "state": {"type": "str", "default": "read",
                      "choices": ["read", "mark", "reconcile"]},
            "verification": {"type": "dict"},
            "verdicts": {"type": "dict"},
            "copies": {"type": "list", "elements": "dict", "default": []},
        },
        required_if=[("state", "mark", ["verification"]), ("state", "reconcile", ["verdicts"])],
        supports_check_mode=True,
    )
    path, state = module.params["path"], module.params["state"]
    if state == "reconcile":
        try:
            marked = reconcile(module, path, module.params["verdicts"])
        except Refused as exc:
            module.fail_json(msg=str(exc))
        verb = "would mark" if module.check_mode else "marked"
        module.exit_json(changed=bool(marked), marked=marked,
                         msg=f"{verb} verified as the backup computer's record says: "
                             f"{', '.join(marked)}" if marked
                         else "no manifest here is pending for a backup verified there")
    mpath = manifest_path(path)
    try:
        manifest = load_backup(path, mpath)
    except BackupMissing as exc:
        module.fail_json(msg=f"no backup at {path}: {exc}")
    if state == "mark":
        verification = module.params["verification"]
        changed = record(mpath, manifest, verification, check=module.check_mode)
        if changed and not module.check_mode and verification.get("status") != "ok":
            os.rename(path, path + FAILED_SUFFIX)
            os.rename(mpath, path + FAILED_MANIFEST_SUFFIX)
        # No path/sha256 here: the activity's output is recorded once, by a read.
        module.exit_json(changed=changed, manifest=mpath, verified=manifest.get("verified") is True,
                         verification=manifest["verification"].get("reason"))
    if module.check_mode and module.params["verification"] is not None:
        record(mpath, manifest, module.params["verification"], check=True)
    result = outputs(path, manifest, module.params["copies"])
    module.exit_json(changed=False, manifest=mpath, sop_output=result, **result)


if __name__ == "__main__":
    main()
