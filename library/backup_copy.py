#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: copy a backup and its manifest to removable media, checksummed."""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    HashingWriter,
    manifest_path,
    read_manifest,
    write_json_atomic,
)

DOCUMENTATION = r"""
---
module: backup_copy
short_description: Copy a backup and its manifest to removable media
description:
  - Copies the backup file through C(NAME.partial) (hashed while copying, fsynced,
    renamed) and then its manifest into O(dest); the copy's SHA-256 must equal the
    manifest's.
  - When O(dest) is missing or (with O(require_mountpoint)) not a mount point, the media
    is absent; the module warns and reports C(copied=false) instead of failing.
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
attributes:
  check_mode:
    support: full
    description: Reports whether it would copy.
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
"""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "require_mountpoint": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    src, dest = module.params["src"], module.params["dest"]
    manifest = read_manifest(manifest_path(src))
    if manifest is None or not os.path.isfile(src):
        module.fail_json(msg=f"no backup at {src} (file or manifest missing)")
    if not os.path.isdir(dest) or (module.params["require_mountpoint"] and not os.path.ismount(dest)):
        reason = f"removable media not present: {dest} is not a mounted directory"
        module.warn(reason)
        module.exit_json(changed=False, copied=False, msg=reason)
    target = os.path.join(dest, os.path.basename(src))
    same = (os.path.isfile(target) and os.path.getsize(target) == manifest.get("size")
            and read_manifest(manifest_path(target)) == manifest)
    if same or module.check_mode:
        module.exit_json(changed=not same, copied=same, path=target, sha256=manifest.get("sha256"),
                         msg="copy up to date" if same else f"would copy to {target}")
    writer = HashingWriter(target)
    try:
        with open(src, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                writer.write(chunk)
        if writer.sha256.hexdigest() != manifest.get("sha256"):
            raise OSError(0, "sha256 of the copy does not match the manifest")
        writer.commit()
        write_json_atomic(manifest_path(target), manifest)
    except OSError as exc:
        writer.discard()
        module.fail_json(msg=f"copy to {dest} failed: {exc.strerror or exc}")
    module.exit_json(changed=True, copied=True, path=target, sha256=manifest.get("sha256"),
                     msg=f"copied to {target}")


if __name__ == "__main__":
    main()
