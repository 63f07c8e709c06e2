#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verify a website files archive on the backup computer: checksum and full listing."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_archive_verify
short_description: Verify a website files archive in the backup computer's store (checksum and listing)
description:
  - Runs on the backup computer against the copy in its own store. Computes the archive's
    sha256 and compares it with the one the store's record (O(ledger)) took in, then
    decompresses and lists the whole archive (C(zstd -dc | tar -t), which reads every
    block, into a C(python3) that counts and hashes the names; all three run as the
    unprivileged O(os_user), reading the archive from a descriptor opened here, so a
    flaw a crafted archive exploits does not get root, and with C(oom_score_adj) 1000,
    the first processes the kernel stops when memory runs out, so the names of an archive
    of millions of entries never fill this module's memory) and compares the number of
    entries and the hash of their sorted names with the manifest written by
    website_files_backup. tar writes names in the C locale on both sides. A manifest
    that lists no entries fails the verification, as an empty archive proves nothing.
  - >-
    A name in the archive that no tar can restore (4096 bytes or more, past PATH_MAX, or
    a part of it past NAME_MAX, 255 bytes: a site's account can nest folders that deep,
    and tar archives them) leaves the archive verified (status ok: every entry is as its
    manifest says), but it is not restorable whole: the record's
    C(unrestorable) counts them, C(first_unrestorable) and the reason name the first,
    shortened to its start and its end, and the module warns of them (the SOP record's
    warning, worded as website_files_backup's, which warns of them when it writes the
    archive). security_restore_files' drill fails on the same name.
  - >-
    The archive is opened once, and what is listed is what was hashed, read again from
    that same open file: a file put in its place meanwhile is not what is verified. A
    symbolic link is not followed and anything but a regular file (a FIFO, a device) is
    refused: the store no longer holds the file it took in under that name, and nothing
    is proven about the archive, so the task fails naming it (C(status=error)) and
    nothing is recorded.
  - Appends the result (C(verified), status ok or failed, reason, method C(listing)) to
    the record, which alone decides retention on the backup computer, holding the store's
    lock (C(.ingest.lock) beside O(ledger), the one every ingest, sweep and retention of
    the store holds) for the append only, waited for at most O(lock_timeout) seconds. A
    lock still held then, or a record that cannot be written (its disk full), fails the
    task in one line naming the cause (the lock's holder, as far as C(/proc/locks) tells,
    and the wait); nothing is recorded and the archive stays unverified. An archive the
    record already shows verified is not read again. A manifest whose SHA-256 is no
    longer the one the record took in (changed in the store since) is not trusted; the
    task fails naming it (C(status=error)) and nothing is recorded.
  - Check mode reports what it would check.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  path:
    description: The archive in the store.
    type: path
    required: true
  ledger:
    description: The store's record (C(ledger.jsonl)).
    type: path
    required: true
  os_user:
    description: Unprivileged OS user that decompresses and lists the archive (not root).
    type: str
    default: sop_verify
  timeout:
    description:
      - Seconds the listing may take. Then it is stopped and the task fails without judging
        the archive (C(status=error), nothing recorded). It bounds a hung tool and an
        archive that unpacks to far more than it should (a compressed bomb from a
        compromised web server).
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 3600
  lock_timeout:
    description:
      - >-
        Seconds to wait for the store's lock (C(.ingest.lock) beside O(ledger)) to record
        the result, after the listing (not counted in O(timeout)). V(0) does not wait; a
        negative value fails the task with C(setting) C(lock_timeout).
    type: int
    default: 300
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Verify the site archive on the backup computer
  website_archive_verify:
    path: /srv/backup/website/400999/website-20261130T020000.tar.zst
    ledger: /srv/backup/website/400999/ledger.jsonl
  delegate_to: backup
"""

RETURN = r"""
verified:
  description: The archive matched its record and manifest.
  returned: always
  type: bool
verification:
  description: Status (ok, failed, pending; error when the listing was stopped at its
    timeout, or the archive could not be opened or read or is no regular file), reason,
    method, entries, duration; with status ok, unrestorable and first_unrestorable when
    names in the archive are too long for tar to restore.
  returned: always
  type: dict
"""

import os  # noqa: E402
import pwd  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_files import (  # noqa: E402
    BackupMissing,
    load_backup,
    manifest_path,
    restore_user,
    sha256_fileobj,
)
from ansible.module_utils.sop_backup_ledger import backups, read, record_verified  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_tree import NotRegularFile, open_once  # noqa: E402
from ansible.module_utils.sop_website_files import (  # noqa: E402
    TOO_LONG_FOR_TAR,
    ArchiveError,
    ListingTimeout,
    archive_listing,
    unrestorable_warning,
)


def check(path: str, manifest: dict[str, Any], recorded_sha256: str,
          timeout: int, user: pwd.struct_passwd | None) -> dict[str, Any]:
    """The verification record (status ok or failed); ListingTimeout when it took too
    long, OSError when the archive cannot be read, NotRegularFile when the store holds
    a symbolic link, a FIFO or a device at its name (nothing judged). The archive is
    opened once (open_once: a link is not followed, a FIFO not waited for), hashed, and
    listed from that same open file, as ``user`` (see list_archive): a file renamed into
    its place meanwhile is not what is listed."""
    start = time.monotonic()
    with open_once(path) as archive:
        sha256 = sha256_fileobj(archive)
        if sha256 != recorded_sha256:
            return {"status": "failed", "reason": f"sha256 {sha256} is not the recorded {recorded_sha256}"}
        entries = manifest.get("entries")
        if not isinstance(entries, int) or isinstance(entries, bool) or entries < 1:
            return {"status": "failed", "reason": "the manifest lists no entries: an empty "
                                                  "archive proves nothing"}
        archive.seek(0)
        try:
            listed = archive_listing(path, timeout, user, archive=archive)
        except ListingTimeout:
            raise
        except ArchiveError as exc:  # what the archive holds: a verdict
            return {"status": "failed", "reason": str(exc)}
    if listed.entries != entries or listed.sha256 != manifest.get("listing_sha256"):
        return {"status": "failed", "entries": listed.entries,
                "reason": f"the archive lists {listed.entries} entries, the manifest {entries} (or other names)"}
    record: dict[str, Any] = {"status": "ok", "entries": listed.entries,
                              "duration": round(time.monotonic() - start, 3),
                              "reason": f"sha256 and all {listed.entries} entries match"}
    if listed.unrestorable:  # archived and listed as written, but no tar restores them
        record.update(unrestorable=listed.unrestorable,
                      first_unrestorable=listed.first_unrestorable,
                      reason=f"{record['reason']}, but {listed.unrestorable} of them have a "
                             f"name {TOO_LONG_FOR_TAR}, so no restore with tar writes them: "
                             f"the first {listed.first_unrestorable}")
    return record


def main() -> None:
    module = AnsibleModule(
        argument_spec={"path": {"type": "path", "required": True},
                       "ledger": {"type": "path", "required": True},
                       "timeout": {"type": "int", "default": 3600},
                       "lock_timeout": {"type": "int", "default": 300},
                       "os_user": {"type": "str", "default": "sop_verify"}},
        supports_check_mode=True,
    )
    bad_timeout = (seconds_error(module.params, "timeout")
                   or seconds_error(module.params, "lock_timeout", zero="does not wait"))
    if bad_timeout:
        module.fail_json(**bad_timeout)
    path, ledger = module.params["path"], module.params["ledger"]
    try:
        known = backups(read(ledger)).get(os.path.basename(path))
    except OSError as exc:
        module.fail_json(msg=f"cannot verify {path}: cannot read the backup ledger {ledger}: "
                         f"{exc.strerror}")
    recorded = known.get("manifest_sha256") if known else None
    try:
        manifest = load_backup(path, manifest_path(path),
                               recorded if isinstance(recorded, str) else None)
    except BackupMissing as exc:
        module.fail_json(msg=f"cannot verify {path}: {exc}", verified=False,
                         verification={"status": "error", "reason": str(exc)})
    if known is None:
        module.fail_json(msg=f"cannot verify {path}: not in the record {ledger}")
        return
    if known["verified"]:
        module.exit_json(changed=False, verified=True, verification=known["verification"],
                         msg="already verified (the record says so)")
    if module.check_mode:
        module.exit_json(changed=True, verified=False, verification={"status": "pending"},
                         msg=f"would check the sha256 and the listing of {path}")
    try:
        user = restore_user(module.params["os_user"])
    except LookupError as exc:
        module.fail_json(msg=f"cannot verify {path}: {exc} (nothing recorded)")
        return
    try:
        checked = check(path, manifest, known["sha256"], module.params["timeout"], user)
    except ListingTimeout as exc:
        module.fail_json(msg=f"cannot verify {path}: {exc} (the archive is not judged: it "
                         "stays unverified, nothing recorded)", verified=False,
                         verification={"status": "error", "reason": str(exc)})
        return
    except NotRegularFile as exc:  # the store changed: no verdict on the archive taken in
        module.fail_json(msg=f"cannot verify {path}: {exc}, not the archive the store took "
                         "in (it stays unverified, nothing recorded)", verified=False,
                         verification={"status": "error", "reason": str(exc)})
        return
    except OSError as exc:
        module.fail_json(msg=f"cannot verify {path}: cannot read it: {exc.strerror} (it "
                         "stays unverified, nothing recorded)", verified=False,
                         verification={"status": "error", "reason": str(exc.strerror)})
        return
    record = {"method": "listing", "verified_on": os.uname().nodename, **checked}
    error = record_verified(ledger, path, known["sha256"], record,
                            lock_timeout=module.params["lock_timeout"])
    if error:
        module.fail_json(msg=error, verified=False, verification=record)
    if record.get("unrestorable"):
        module.warn(unrestorable_warning(os.path.basename(path), "terverifikasi",
                                         record["unrestorable"], record["first_unrestorable"]))
    module.exit_json(changed=True, verified=record["status"] == "ok", verification=record)


if __name__ == "__main__":
    main()
