#!/usr/bin/python
# GPL-3.0-or-later
"""Restore drill of a website files archive: extract it into scratch, compare, remove."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_restore_files
short_description: Restore a website files archive into scratch and compare it with its manifest
description:
  - The restore drill of SOP Pengamanan TI (D.7) for the website's files archives
    (website_files_backup), on the backup computer. Opens the archive once (a symbolic
    link is not followed, anything but a regular file is refused, as the store no longer
    holds the file it took in and nothing is proven about the archive; the task fails
    naming it, C(status=error), as mariadb_restore_verify's drill does), checks its sha256
    against its manifest, then really restores what was hashed, from the same open file
    (a file put in its place meanwhile is not what is restored),
    C(zstd -dc | tar -x) into a new scratch folder in O(work_dir), run as the
    unprivileged O(os_user) (owners and modes of the archive are not applied). The
    entries tar restored are counted and hashed by a C(python3) of the same user and
    compared, as website_archive_verify compares a listing, with the manifest's number of
    entries and the hash of their sorted names (a manifest that lists no entries fails,
    as an empty archive proves nothing). tar makes each name below the scratch folder
    it holds open, so the scratch folder's own path never makes a name too long; a name
    in the archive itself longer than tar can restore (past PATH_MAX, 4096 bytes, a site's
    folders nested that deep, which tar archives) fails the drill, that name shortened
    in its one-line reason, as no restore with tar writes it. The scratch
    folder is removed afterwards, also on failure. Decompressing, extracting and counting
    stop after O(timeout) seconds (a hung tool or a compressed bomb).
  - A drill this computer cannot run (stopped at O(timeout), no room in O(work_dir),
    O(os_user) missing or root, no regular file at the archive's name, an archive it
    cannot open or read) judges nothing;
    the task fails naming the cause (C(status=error)), as mariadb_restore_verify's
    drill of the same store does.
  - Records nothing in the store (the website SOP's verification is its record); the
    result and its duration are returned for the SOP's record.
  - Check mode only says what it would restore.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  path:
    description: The archive (C(.tar.zst)) in the backup computer's store; its manifest is beside it.
    type: path
    required: true
  os_user:
    description: Unprivileged OS user that decompresses and extracts the archive.
    type: str
    default: sop_verify
  work_dir:
    description: Where the scratch folder is made (needs room for the whole site).
    type: path
    default: /var/tmp
  timeout:
    description: Seconds the restore (decompress, extract, count) may take; it is stopped then.
      Above 0 and at most 86400 (one day), else the module fails with C(setting) C(timeout).
    type: int
    default: 3600
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Restore the newest site archive into scratch
  security_restore_files:
    path: /srv/backup/website/400999/website-20261130T020000.tar.zst
  register: drill
"""

RETURN = r"""
verification:
  description: Status (ok, failed, pending; error when the drill could not run), reason,
    entries and bytes restored, duration in seconds.
  returned: always
  type: dict
  sample: {status: ok, reason: "sha256 and all 1520 entries match", entries: 1520, bytes: 48233411, duration: 2.41}
"""

import os  # noqa: E402
import pwd  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import IO, Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_files import (  # noqa: E402
    BackupMissing,
    disk_full,
    load_backup,
    manifest_path,
    restore_user,
    sha256_fileobj,
)
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_tree import NotRegularFile, open_once  # noqa: E402
from ansible.module_utils.sop_website_files import (  # noqa: E402
    TOO_LONG_FOR_TAR,
    ArchiveError,
    Listing,
    ListingTimeout,
    list_archive,
    shortened,
)

TIMEOUT = 3600  # seconds a restore may take unless the task says otherwise


class DrillFailed(Exception):
    """The archive did not restore with its recorded content; the message says why."""


class DrillError(Exception):
    """The drill could not run, which proves nothing about the archive: its time ran out,
    this computer lacks room or the OS user, the store holds no regular file at the
    archive's name (a symbolic link, a FIFO: not the archive it took in), or the archive
    cannot be read."""


def open_archive(path: str) -> IO[bytes]:
    """The archive ``path`` opened for reading, once: it is hashed and restored through
    this one descriptor. A symbolic link is not followed; a FIFO, a device or a folder is
    refused (and a FIFO not waited for): DrillError, as for one that cannot be opened
    (EACCES, EIO): nothing is proven about the archive."""
    try:
        return open_once(path)
    except NotRegularFile as exc:
        raise DrillError(f"{exc}: not restored") from None
    except OSError as exc:
        raise DrillError(f"cannot read {path}: {exc.strerror}") from None


# tar's message for a name it cannot make (mkdir, open, a link): the name itself longer
# than PATH_MAX (4096 bytes) or a part of it longer than NAME_MAX (255). tar makes each
# name relative to the folder -C opened, so the scratch folder's path never counts.
TOO_LONG = re.compile(r"tar: (.*): Cannot [^:]*: File name too long")


def restore_failure(cause: str) -> str:
    """tar's first ``cause`` of a failed restore as the drill's reason: a name too long
    for any restore with tar is said so, shortened to its start and its end (tar's
    message quotes it whole, over 4096 bytes)."""
    found = TOO_LONG.fullmatch(cause)
    if found is None:
        return f"restore failed: {cause}"
    return (f"restore failed: tar cannot restore {shortened(found.group(1))}: its name is "
            f"{TOO_LONG_FOR_TAR}, here as in any restore of this archive with tar")


def extract(archive: IO[bytes], scratch: str, user: pwd.struct_passwd,
            timeout: float) -> Listing:
    """``zstd -dc < archive | tar -x -v -C scratch`` as ``user`` within ``timeout``
    seconds, from the archive's start: the names tar restored, counted and hashed
    (list_archive)."""
    # --ignore-zeros: past an end-of-archive marker too, as website_archive_verify lists it.
    tar = ["tar", "-x", "-v", "--ignore-zeros", "--file=-", "--no-same-owner",
           "--no-same-permissions", "-C", scratch]
    try:
        archive.seek(0)
        return list_archive(archive, tar, timeout=timeout, user=user)
    except ListingTimeout as exc:
        raise DrillError(f"restore {exc}") from None
    except ArchiveError as exc:
        if disk_full(scratch):
            raise DrillError(f"no space left in {os.path.dirname(scratch)} to restore the "
                             f"archive ({exc})") from None
        raise DrillFailed(restore_failure(str(exc))) from None


def restored_bytes(scratch: str) -> int:
    """The size of what was restored under ``scratch`` (everything but folders, a link
    as itself): by find, which follows no link and walks a tree of any depth one folder
    at a time. Listed by path in Python, a file whose path below the scratch folder was
    longer than PATH_MAX (4096 bytes: a site's file nested just short of it, with the
    scratch folder's path before it) was silently left out, and os.walk recursed once
    per level (RecursionError past about 1000)."""
    listed = subprocess.run(["find", scratch, "!", "-type", "d", "-printf", "%s\\n"],
                            stdin=subprocess.DEVNULL, capture_output=True, check=False)
    return sum(int(size) for size in listed.stdout.split())


def remove_scratch(scratch: str) -> None:
    """Remove the scratch folder, however deep: by rm, which neither follows a link nor
    recurses in Python as shutil.rmtree does (RecursionError past about 1000 levels, and
    the restored site stayed in work_dir)."""
    subprocess.run(["rm", "-rf", "--", scratch], stdin=subprocess.DEVNULL,
                   capture_output=True, check=False)


def drill(path: str, manifest: dict[str, Any], os_user: str, work_dir: str,
          timeout: float = TIMEOUT) -> dict[str, Any]:
    clock = time.monotonic()
    record: dict[str, Any] = {"method": "restore", "verified_on": os.uname().nodename}
    try:
        try:
            user = restore_user(os_user)
        except LookupError as exc:
            raise DrillError(str(exc)) from None
        with open_archive(path) as archive:
            try:
                actual = sha256_fileobj(archive)
            except OSError as exc:  # EIO: nothing is proven about the archive
                raise DrillError(f"cannot read {path}: {exc.strerror}") from None
            if actual != manifest.get("sha256"):
                raise DrillFailed(f"sha256 {actual} does not match the manifest "
                                  f"{manifest.get('sha256')}")
            entries = manifest.get("entries")
            if not isinstance(entries, int) or isinstance(entries, bool) or entries < 1:
                raise DrillFailed("the manifest lists no entries: an empty archive proves "
                                  "nothing")
            scratch = tempfile.mkdtemp(prefix="sop-drill-", dir=work_dir)
            try:
                os.chown(scratch, user.pw_uid, user.pw_gid)
                restored = extract(archive, scratch, user, timeout)
                record["bytes"] = restored_bytes(scratch)
            finally:
                remove_scratch(scratch)
        record["entries"] = restored.entries
        if (restored.entries != manifest.get("entries")
                or restored.sha256 != manifest.get("listing_sha256")):
            raise DrillFailed(f"restored {restored.entries} entries, the manifest lists "
                              f"{manifest.get('entries')} (or other names)")
        record.update(status="ok",
                      reason=f"sha256 and all {restored.entries} restored entries match")
    except DrillError as exc:
        record.update(status="error", reason=str(exc))
    except (DrillFailed, OSError) as exc:
        record.update(status="failed", reason=str(exc))
    record["duration"] = round(time.monotonic() - clock, 3)
    return record


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "os_user": {"type": "str", "default": "sop_verify"},
            "work_dir": {"type": "path", "default": "/var/tmp"},  # noqa: S108 (mkdtemp inside)
            "timeout": {"type": "int", "default": TIMEOUT},
        },
        supports_check_mode=True,
    )
    p = module.params
    bad_timeout = seconds_error(p, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    try:
        manifest = load_backup(p["path"], manifest_path(p["path"]))
    except BackupMissing as exc:
        module.fail_json(msg=f"cannot restore {p['path']}: {exc}",
                         verification={"status": "error", "reason": str(exc)})
    if module.check_mode:
        module.exit_json(changed=False, verification={"status": "pending"},
                         msg=f"would restore {p['path']} into scratch in {p['work_dir']}")
    # The scratch folder is made and removed within this task: nothing remains.
    record = drill(p["path"], manifest, p["os_user"], p["work_dir"], p["timeout"])
    if record["status"] == "error":
        module.fail_json(msg=f"cannot restore {p['path']}: {record['reason']} (the drill "
                         "could not run; the archive is not judged)", verification=record)
    module.exit_json(changed=False, verification=record)


if __name__ == "__main__":
    main()
