#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is it safe to patch this server now? Free space (and room on /boot for a kernel) and
nothing busy (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_precheck
short_description: Check that a server can be patched now (free space, nothing busy)
description:
  - Measures the free space of the file systems holding O(paths) against O(min_free_mb),
    and of C(/boot), when it is a file system of its own, against O(boot_min_free_mb),
    and looks for processes during which patching is unsafe (a database backup
    (mariadb-dump, mysqldump, mydumper), a backup being received on the backup computer
    (C(sop-backup-receive), the SIPP and website backups' push), a package manager (apt,
    apt-get, aptitude, dpkg, unattended-upgrades) or another SOP's Ansible module
    (C(AnsiballZ_), or, pipelined, the shell Ansible runs it in, C(BECOME-SUCCESS-) or
    C(&& sleep 0))), not counting this module and its parents.
  - Fails too when a file system of O(paths) has fewer than 10,000 free inodes (none
    counted on btrfs or vfat), as a kernel upgrade writes thousands of files (its modules,
    dpkg's C(.dpkg-new) copies, the initramfs built in C(/var/tmp)), and a C(/var) whose
    inodes PHP sessions or mail used up has space but fails it half-way with C(No space
    left on device).
  - Fails too when a file system of O(paths) went read-only though meant read-write
    (C(/etc/fstab) mounts it without C(ro), or the kernel remounted it after a disk
    error, C(errors=remount-ro)), naming it, as server_condition reports it.
  - Fails too when dpkg was interrupted in the middle of an install (its journal in
    C(/var/lib/dpkg/updates)), as apt then installs nothing until C(dpkg --configure -a).
  - Fails with one line naming every problem; reports the measurements otherwise.
  - Read-only; supports check mode.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  paths:
    description:
      - Paths whose file systems need O(min_free_mb) free (missing paths are skipped).
      - One that exists but cannot be measured (a dead FUSE or NFS mount, C(ENOTCONN),
        C(ESTALE), an I/O error) is a problem naming it and the system's reason.
      - One whose file system does not answer within 10 seconds (a hung NFS mount, whose
        C(statvfs) never returns; C(TIME_LIMITS) in C(module_utils/sop_server.py)) is a
        problem naming it and the seconds waited (C(/srv/arsip tidak menjawab dalam 10
        detik), then the likely cause, a hung NFS server or disk), and so is a C(/boot)
        of its own that does not answer; the pre-check does not wait for it.
    type: list
    elements: str
    default: [/, /var]
  min_free_mb:
    description:
      - Free space needed on each, in MiB; 0 turns the test off, at most 1 TiB (a
        negative one is refused, as by server_condition).
    type: int
    default: 500
  boot_min_free_mb:
    description:
      - Free space (MiB) C(/boot) needs when it is a file system of its own (checked
        only then), room for one more kernel and its initramfs; a kernel upgrade with
        less fails half-way, writing its initramfs, and leaves dpkg with half-configured
        packages. The same threshold and bounds as server_condition's
        O(boot_min_free_mb).
    type: int
    default: 120
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Safe to patch?
  server_precheck:
    paths: [/, /var]
    min_free_mb: 500
    boot_min_free_mb: 120
"""

RETURN = r"""
file_systems:
  description: path, size_mb, free_mb, used_percent, inodes_percent of each path, and of
    C(/boot) when it is a file system of its own.
  returned: always
  type: list
  elements: dict
busy:
  description: What runs that makes patching unsafe now (pid and command line, passwords masked).
  returned: always
  type: list
  elements: str
"""

import functools  # noqa: E402
import os  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_options import RANGES, range_error  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    BOOT,
    TIME_LIMITS,
    NotAnswered,
    boot_file_system,
    boot_short_of_room,
    bounded,
    busy_processes,
    dpkg_interrupted,
    file_system,
    not_answering,
    read_only_holding,
    read_only_problem,
)

# Free inodes a file system of ``paths`` needs for a kernel upgrade: thousands of module
# files, each unpacked as NAME.dpkg-new, and the initramfs built from copies in /var/tmp.
MIN_FREE_INODES = 10000
DPKG_INTERRUPTED = "dpkg terhenti di tengah pemasangan (jalankan dpkg --configure -a)"
MOUNTS = "/proc/mounts"
MOUNTINFO = "/proc/self/mountinfo"
FSTAB = "/etc/fstab"


def own_boot() -> tuple[dict[str, Any] | None, list[str]]:
    """file_system() of /boot when it is a file system of its own (else None), and the
    problem of a /proc/mounts that cannot be read (/boot's room then unknown) or of a
    /boot that does not answer."""
    try:
        with open(MOUNTS, encoding="utf-8", errors="replace") as handle:
            return boot_file_system(handle.read()), []
    except OSError as exc:
        return None, [f"{MOUNTS} tidak terbaca ({exc.strerror}): ruang /boot tidak diketahui"]
    except NotAnswered:
        return None, [not_answering(BOOT)]


def read_only(paths: list[str]) -> list[str]:
    """A problem for each file system holding one of ``paths`` that went read-only though
    meant read-write (a disk error's remount: nothing can be installed on it, and an
    upgrade fails half-way), read from /proc/self/mountinfo and /etc/fstab; none when
    they cannot be read (server_condition names that). ``paths`` are those measured()
    measured: the links of each are resolved (lstat), which a hung NFS mount's path
    blocks for good as it does statvfs."""
    texts = []
    for path in (MOUNTINFO, FSTAB):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                texts.append(handle.read())
        except OSError:
            texts.append("")
    return [read_only_problem(point) for point in read_only_holding(paths, *texts)]


def _space_and_inodes(path: str) -> tuple[dict[str, Any], os.statvfs_result]:
    return file_system(path), os.statvfs(path)


def measured(paths: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """file_system() of each of ``paths`` (a missing one skipped) and a problem for each
    that exists but cannot be measured (os.path.exists read a dead mount, ENOTCONN or
    ESTALE, as missing and skipped it; any other statvfs error was a traceback), does
    not answer within TIME_LIMITS["statvfs"] (a hung NFS mount's statvfs never returns:
    the whole pre-check hung) or has fewer than MIN_FREE_INODES free inodes."""
    found, problems = [], []
    for path in paths:
        try:
            space, inodes = bounded(functools.partial(_space_and_inodes, path),
                                    TIME_LIMITS["statvfs"])
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            problems.append(f"ruang {path} tidak dapat diukur ({exc.strerror})")
            continue
        except NotAnswered:
            problems.append(not_answering(path))
            continue
        found.append(space)
        # f_files 0: the file system counts no inodes (btrfs, vfat), none can run out
        if inodes.f_files and inodes.f_favail < MIN_FREE_INODES:
            problems.append(f"inode kosong {path} {angka(inodes.f_favail)} "
                            f"(< {angka(MIN_FREE_INODES)})")
    return found, problems


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "str", "default": ["/", "/var"]},
            "min_free_mb": {"type": "int", "default": 500},
            "boot_min_free_mb": {"type": "int", "default": 120},
        },
        supports_check_mode=True,
    )
    # a negative threshold passed every full file system (and a /boot without room for a
    # kernel) without a word: the same rule as server_condition's boot_min_free_mb
    bad_threshold = (range_error(module.params, "min_free_mb", **RANGES["free_mb"])
                     or range_error(module.params, "boot_min_free_mb", **RANGES["free_mb"]))
    if bad_threshold:
        module.fail_json(**bad_threshold)
    minimum = module.params["min_free_mb"]
    file_systems, unmeasured = measured(module.params["paths"])
    boot, unread = own_boot()
    busy = busy_processes()
    problems = [f"ruang kosong {fs['path']} {angka(fs['free_mb'])} MB (< {angka(minimum)} MB)"
                for fs in file_systems if fs["free_mb"] < minimum] + unmeasured \
        + (boot_short_of_room(boot, module.params["boot_min_free_mb"]) if boot else []) \
        + read_only([fs["path"] for fs in file_systems]) + unread + busy \
        + ([DPKG_INTERRUPTED] if dpkg_interrupted() else [])
    if boot and all(fs["path"] != boot["path"] for fs in file_systems):
        file_systems.append(boot)
    if problems:
        module.fail_json(msg="Belum aman untuk perawatan: " + "; ".join(problems),
                         file_systems=file_systems, busy=busy)
    module.exit_json(changed=False, file_systems=file_systems, busy=busy)


if __name__ == "__main__":
    main()
