#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: copy a backup and its manifest to removable media, checksummed."""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    HashingWriter,
    inventory,
    manifest_path,
    owned_by,
    parse_name,
    read_manifest,
    write_json_atomic,
)
from ansible.module_utils.sop_retention import select

DOCUMENTATION = r"""
---
module: backup_copy
short_description: Copy a backup and its manifest to removable media, with its own retention
description:
  - Copies the backup file through C(NAME.partial) (hashed while copying, fsynced), writes
    its manifest, then gives the file its final name; the copy's SHA-256 must equal the
    manifest's.
  - Removable media never stops the SOP. Media that is absent (O(dest) missing or, with
    O(require_mountpoint), not a mount point), full, or failing is a warning and
    C(copied=false); a C(.partial) left by an interrupted copy of this prefix is a
    warning and is removed (files of other prefixes are not touched).
  - The media has its own retention (O(keep_daily), O(keep_weekly), O(keep_monthly),
    restic/borg C(forget) semantics over the verified copies on it).
  - A copy with the same size and an identical manifest is left alone.
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
attributes:
  check_mode:
    support: full
    description: Reports whether it would copy and what it would prune.
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
  returned: when copied
  type: str
sha256:
  description: SHA-256 of the copy (equal to the manifest's).
  returned: when copied
  type: str
leftovers_removed:
  description: C(.partial) files of this prefix left by interrupted copies, removed (a warning).
  returned: when the media is present
  type: list
  elements: str
pruned:
  description: Old copies removed from the media (names).
  returned: always
  type: list
  elements: str
"""


def _copy(src: str, target: str, manifest: dict[str, Any]) -> None:
    if os.path.lexists(target):
        # Never replaced, nor its manifest: a copy gets its final name last (publish).
        raise OSError(errno.EEXIST, f"{target} exists and differs from the backup (size "
                      "or manifest); left as it is")
    writer = HashingWriter(target)
    try:
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


def _prune(module: AnsibleModule, dest: str, prefix: str) -> list[str]:
    p = module.params
    keep = {"daily": p["keep_daily"], "weekly": p["keep_weekly"], "monthly": p["keep_monthly"]}
    _, pruned = select(inventory(dest, prefix), keep, datetime.datetime.now(),
                       datetime.timedelta(hours=24))
    if not module.check_mode:
        for item in pruned:
            for path in item["files"]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
    return [item["name"] for item in pruned]


def run(module: AnsibleModule) -> dict[str, Any]:
    src, dest = module.params["src"], module.params["dest"]
    manifest = read_manifest(manifest_path(src))
    info = parse_name(os.path.basename(src))
    if manifest is None or not os.path.isfile(src) or info is None:
        raise OSError(0, f"no backup at {src} (file or manifest missing)")
    if not os.path.isdir(dest) or (module.params["require_mountpoint"]
                                   and not os.path.ismount(dest)):
        raise OSError(0, f"removable media not present: {dest} is not a mounted directory")
    prefix = info["prefix"]
    leftovers = [name for name in sorted(os.listdir(dest)) if owned_by(name, prefix) == "partial"]
    for name in leftovers:
        module.warn(f"removable media: {dest}/{name} is left from an interrupted copy"
                    + ("" if module.check_mode else "; removed"))
        if not module.check_mode:
            os.unlink(os.path.join(dest, name))
    target = os.path.join(dest, os.path.basename(src))
    same = (os.path.isfile(target) and os.path.getsize(target) == manifest.get("size")
            and read_manifest(manifest_path(target)) == manifest)
    if not same and not module.check_mode:
        _copy(src, target, manifest)
    pruned = _prune(module, dest, prefix)
    copied = same or not module.check_mode
    return {"changed": not same or bool(pruned) or bool(leftovers), "copied": copied,
            "path": target, "sha256": manifest.get("sha256"), "pruned": pruned,
            "leftovers_removed": leftovers,
            "msg": "copy up to date" if same else
            f"{'copied' if copied else 'would copy'} to {target}"}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "require_mountpoint": {"type": "bool", "default": True},
            "keep_daily": {"type": "int", "default": 7},
            "keep_weekly": {"type": "int", "default": 4},
            "keep_monthly": {"type": "int", "default": 12},
        },
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename:
            reason += f": {exc.filename}"
        module.warn(f"removable media copy skipped: {reason}")
        result = {"changed": False, "copied": False, "pruned": [],
                  "msg": f"removable media copy skipped: {reason}"}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
