# GPL-3.0-or-later
"""What a Debian/Ubuntu/RHEL-family server looks like to the server SOPs (read-only).

The end-of-support table, pending package updates (apt simulation, split into security
and other), services needing a restart (needrestart), software RAID, the file systems'
space and inodes, processes that make maintenance unsafe, and certificate expiry. Each
function reads the system or parses a tool's output; nothing here changes the host.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import itertools
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from ansible.module_utils.sop_bahasa import angka, angka_ringkas
from ansible.module_utils.sop_command import run_limited
from ansible.module_utils.sop_secrets import mask_argv

# End of support (the last date security updates are published), by distribution ID
# and VERSION_ID of /etc/os-release. Debian: LTS end; Ubuntu: standard support end;
# CentOS Stream/Rocky: the vendor's end of life. The same table, by product and major.minor
# version, holds the upstream end of security support of PHP and MariaDB (read by
# security_software). Maintained by hand: add a row when a release appears (a missing
# row is reported as "unknown", never as supported). PHP: php.net/eol.php (the branch's
# last release); MariaDB: mariadb.org/about's maintenance policy, its short-term (10.7 to
# 11.2, a year) and rolling releases (11.3 on, until the next release) too.
END_OF_SUPPORT: dict[str, dict[str, str]] = {
    "debian": {"9": "2022-06-30", "10": "2024-06-30", "11": "2026-08-31",
               "12": "2028-06-30", "13": "2030-06-30"},
    "ubuntu": {"18.04": "2023-05-31", "20.04": "2025-05-31", "22.04": "2027-06-01",
               "24.04": "2029-05-31"},
    "centos": {"7": "2024-06-30", "8": "2021-12-31", "9": "2027-05-31"},
    "rocky": {"8": "2029-05-31", "9": "2032-05-31"},
    "almalinux": {"8": "2029-03-01", "9": "2032-05-31"},
    "php": {"5.0": "2005-09-05", "5.1": "2006-08-24", "5.2": "2011-01-06", "5.3": "2014-08-14",
            "5.4": "2015-09-03", "5.5": "2016-07-21", "5.6": "2018-12-31", "7.0": "2019-01-10",
            "7.1": "2019-12-01", "7.2": "2020-11-30", "7.3": "2021-12-06", "7.4": "2022-11-28",
            "8.0": "2023-11-26", "8.1": "2025-12-31", "8.2": "2026-12-31", "8.3": "2027-12-31",
            "8.4": "2028-12-31"},
    "mariadb": {"5.5": "2020-04-11", "10.0": "2019-03-31", "10.1": "2020-10-17",
                "10.2": "2022-05-23", "10.3": "2023-05-25", "10.4": "2024-06-18",
                "10.5": "2025-06-24", "10.6": "2026-07-06", "10.7": "2023-02-09",
                "10.8": "2023-05-20", "10.9": "2023-08-22", "10.10": "2023-11-17",
                "10.11": "2028-02-16", "11.0": "2024-06-06", "11.1": "2024-08-21",
                "11.2": "2024-11-21", "11.3": "2024-05-29", "11.4": "2029-05-29",
                "11.5": "2024-11-21", "11.6": "2025-02-13", "11.7": "2025-05-12",
                "11.8": "2028-06-04", "12.0": "2025-11-18", "12.1": "2026-02-13",
                "12.2": "2026-05-28"},
}

# File system types that hold data worth measuring (not proc, tmpfs, overlay layers...).
DATA_FS_TYPES = ("ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "f2fs", "reiserfs",
                 "jfs", "overlay", "tmpfs")
# Network file systems, measured as data too: a court's backup share on a NAS or another
# server (NFS, CIFS/SMB) fills up and stops answering, and the backups written there fail.
# FUSE's network clients only (sshfs, rclone, s3fs, GlusterFS, CephFS): its other file
# systems are the host's own (lxcfs's /proc files in an LXC container, gvfs and the
# document portal under /run/user, snapfuse's read-only snaps, always full).
NETWORK_FS_TYPES = ("nfs", "nfs4", "cifs", "smb3", "ceph", "fuse.sshfs", "fuse.rclone",
                    "fuse.s3fs", "fuse.glusterfs", "fuse.ceph-fuse")
# A tmpfs is data only at or below these folders (/run, /dev/shm are the system's).
TMPFS_DATA_DIRS = ("/tmp", "/srv", "/var")  # noqa: S108 (mount points)
# Container runtimes' storage: below it each container has mounts of its own (Docker's
# overlay root .../overlay2/ID/merged and shm tmpfs .../containers/ID/mounts/shm,
# Kubernetes' secret volumes), each repeating the file system that holds the storage,
# measured at its own mount point (/, /var, or /var/lib/docker itself).
CONTAINER_STORAGE = ("/var/lib/docker", "/var/lib/containers", "/var/lib/containerd",
                     "/var/lib/kubelet")
# Processes during which maintenance must wait: backups, package managers, other runs
# (regular expressions on the command line). unattended-upgrades.service's idle
# /usr/share/unattended-upgrades/unattended-upgrade-shutdown --wait-for-signal runs all
# the time on Debian and is not an upgrade: only the unattended-upgrade program counts.
# apt, apt-get, aptitude and dpkg are programs of their own, named by the command line's
# first word: an administrator's apt full-upgrade or dpkg --configure -a, or apt's dpkg.
# Another Ansible run: its module file (AnsiballZ_...) without pipelining; with it (this
# project's ansible.cfg) the module runs inside a bare python3 read from stdin, and only
# the shell around it says Ansible started it: 'echo BECOME-SUCCESS-...; python3' (with
# become) and '... && sleep 0' (the command line Ansible's connection ends each one with).
BUSY_PATTERNS = (
    ("mariadb-dump", "backup database sedang berjalan"),
    ("mysqldump", "backup database sedang berjalan"),
    ("mydumper", "backup database sedang berjalan"),
    # the backup computer's end of a SIPP or website backup's push (sipp_backup's forced
    # command, run by sshd, not by Ansible): a reboot there lost that night's backup
    (r"(?:^|[\s/])sop-backup-receive(?:\s|$)", "backup sedang diterima"),
    (r"^(?:\S*/)?(?:apt|apt-get|aptitude)(?:\s|$)", "apt sedang berjalan"),
    (r"(?:^|[\s/])unattended-upgrade(?:\s|$)", "unattended-upgrades sedang berjalan"),
    (r"^(?:\S*/)?dpkg(?:\s|$)", "dpkg sedang berjalan"),
    (r"AnsiballZ_|BECOME-SUCCESS-|&& sleep 0\s*$", "SOP/Ansible lain sedang berjalan"),
)

# 'Inst libc6:i386 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian-Security:12/stable-security
# [i386])': apt qualifies the name of a foreign-architecture package (libc6:i386), never a
# native or architecture-independent one; the last bracket is the candidate's architecture.
# Seconds a tool may run before it is stopped (killed) and reported as not answering:
# a hung disk (smartctl), D-Bus or systemd (timedatectl, systemctl), database
# (mariadb-admin ping) or a huge journal (journalctl --grep) must not stop the SOP.
# restart: a stop and a start, each up to MariaDB's own TimeoutStartSec/TimeoutStopSec
# (900 s in its unit). server_updates' download has its own option (download_timeout).
# statvfs: a mount's space asked of its file system (a hung NFS server, or a dying disk,
# blocks statvfs for good), bounded() in a thread, not a tool.
# apt_clean: server_remediate's apt-get clean, which removes files and takes apt's lock of
# its archives (it waits for no lock: one held fails it at once); a hung cache or dpkg
# folder (an NFS mount, a dying disk) held the incident's run for good.
# apt_update: apt-get update of server_updates and server_condition (apt_update), each try
# while another process holds the lists' lock bounded alone. Generous: a fresh Debian 12
# host fetches some 20 MB of lists, an Ubuntu one with universe some 50 MB, under 7
# minutes at 1 Mbit/s (download_timeout's link); 1800 s leaves a link four times slower,
# shared with the office, time for them. A mirror trickling bytes (apt's Acquire timeouts
# end a silent connection, not a slow one) or a hung /var held it for good. Killed, apt
# keeps the lists it had.
# apt_query: what only reads apt's and dpkg's files: apt-get -s upgrade and -s install
# (a simulation, no lock), apt-mark showhold, apt-cache policy, dpkg-query. Seconds on a
# healthy host; a hung /var (NFS, a dying disk) held them for good.
# log_read: server_diagnose's reads of a log, each bounded() in a thread as statvfs is:
# auth.log's last 32 MiB (SCAN_BYTES), and dpkg.log's package history (its last 400
# lines and the rotations before them, a gzip one up to 32 MiB decompressed); a few
# seconds from a healthy disk, a hung /var/log's for good.
TIME_LIMITS: dict[str, int] = {"smartctl": 60, "timedatectl": 30, "systemctl": 60,
                               "needrestart": 180, "journalctl": 120, "ping": 30,
                               "restart": 1800, "statvfs": 10, "apt_clean": 300,
                               "apt_update": 1800, "apt_query": 300, "log_read": 60}


def run_bounded(module: Any, argv: list[str], limit: str,
                **kwargs: Any) -> tuple[int | None, str, str]:
    """run_limited with TIME_LIMITS[limit] seconds: the exit status None when the tool
    was stopped (timed_out() names it)."""
    return run_limited(module, argv, TIME_LIMITS[limit], **kwargs)


_T = TypeVar("_T")


class NotAnswered(Exception):
    """A call bounded() gave up on: it did not return within its seconds."""


def bounded(call: Callable[[], _T], seconds: float) -> _T:
    """call()'s answer, given up after ``seconds``: a hung NFS mount blocks stat and
    statvfs for good (no signal ends them), so call() runs in a daemon thread, left
    behind when it does not return (the module exits without it). Raises what call()
    raised, or NotAnswered when it did not return in time."""
    answer: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            answer.append(call())
        except BaseException as exc:  # raised again in the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if answer:
        return answer[0]
    if failure:
        raise failure[0]
    raise NotAnswered


def not_answering(path: str) -> str:
    """One line for a mount whose statvfs did not return within TIME_LIMITS["statvfs"]
    ('/srv/arsip tidak menjawab dalam 10 detik (NFS atau disk macet?)')."""
    return (f"{path} tidak menjawab dalam {angka(TIME_LIMITS['statvfs'])} detik "
            "(NFS atau disk macet?)")


def first_line(err: str, rc: int) -> str:
    """A tool's failure on one line: the first line it wrote to stderr (systemctl's
    'System has not been booted with systemd as init system (PID 1). Can't operate.'),
    else its exit status."""
    return next((line.strip() for line in err.splitlines() if line.strip()),
                f"kode keluar {rc}")


def timed_out(argv: list[str], limit: str) -> str:
    """One line for a tool stopped by run_bounded ('smartctl tidak selesai dalam 60 detik')."""
    return stopped(os.path.basename(argv[0]), limit)


def stopped(what: str, limit: str) -> str:
    """One line for the command ``what`` stopped at TIME_LIMITS[limit] ('apt-get -s upgrade
    tidak selesai dalam 300 detik'): apt's are run through env, which timed_out would name."""
    return f"{what} tidak selesai dalam {angka(TIME_LIMITS[limit])} detik"


# A service's name as server_diagnose and server_remediate give it to systemctl (NAME or
# NAME@INSTANCE, '.service' added): systemd's characters ('\x2d' escapes included), no
# glob (systemctl show and restart expand 'php*' to every loaded unit matching it, a
# running one too), no leading '-' (read as an option: -H host runs it on another host).
_SERVICE_NAME = re.compile(r"[A-Za-z0-9:_.\\][A-Za-z0-9:_.\\-]*(?:@[A-Za-z0-9:_.\\-]+)?")


def services_problem(names: list[str]) -> str | None:
    """One line naming the names that are no service unit name without its '.service' (a
    pattern, an option, a name given with '.service', read as 'nginx.service.service'
    and never found, a template without its instance); None when each is one. It starts
    with the option's name and a colon, as sop_failure_cause replaces it by the role's
    variable ('server_incident_services: ...'), each name quoted: an empty one, or one
    with a space around it or a newline in it, is seen ('', ' nginx', 'web\\n')."""
    bad = [name for name in names
           if not _SERVICE_NAME.fullmatch(name) or name.endswith(".service")]
    if not bad:
        return None
    return ("services: not NAME or NAME@INSTANCE of a service unit (systemd's characters, "
            "without .service, no pattern, no leading '-'): " + ", ".join(map(repr, bad)))


_INST = re.compile(r"^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*?)(?: \[([^]]*)\])?\)")


def os_release(text: str) -> dict[str, str]:
    """KEY=value pairs of /etc/os-release (quotes removed)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def end_of_support(release: dict[str, str], today: datetime.date) -> dict[str, Any]:
    """The release's end-of-support date, days left and status (ok, warn, fail, unknown)."""
    distro = release.get("ID", "").lower()
    version = release.get("VERSION_ID", "")
    table = END_OF_SUPPORT.get(distro, {})
    eos = table.get(version) or table.get(version.split(".")[0])
    if eos is None:
        return {"date": None, "days_left": None, "status": "unknown"}
    days = (datetime.date.fromisoformat(eos) - today).days
    return {"date": eos, "days_left": days, "status": "fail" if days < 0 else "ok"}


def pattern_problem(option: str, pattern: str) -> str | None:
    """One line naming ``option`` when ``pattern`` is no regular expression (as modules'
    settings are refused: 'security_pattern: ...'); None when it is one."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"{option}: not a regular expression ({exc}): {pattern!r}"
    return None


def parse_apt_simulation(text: str, security_pattern: str) -> list[dict[str, Any]]:
    """The upgrades of an `apt-get -s upgrade` run: name (as apt names it, libc6:i386 for
    a foreign architecture), installed (None for a new package), candidate, origin, arch
    (the candidate's architecture, None when apt does not say) and whether it comes from
    a security archive (the origin matches the pattern)."""
    security = re.compile(security_pattern)
    upgrades = []
    for line in text.splitlines():
        match = _INST.match(line)
        if match:
            name, installed, candidate, origin, arch = match.groups()
            upgrades.append({"name": name, "installed": installed, "candidate": candidate,
                             "origin": origin, "arch": arch,
                             "security": bool(security.search(origin))})
    return upgrades


def matches_any(name: str, patterns: list[str]) -> bool:
    """Whether a package matches a pattern; apt's libc6:i386 matches as libc6:i386 and as
    libc6 (a hold on a package holds it on every architecture)."""
    bare = name.split(":", 1)[0]
    return any(fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(bare, pattern)
               for pattern in patterns)


def parse_needrestart(text: str) -> dict[str, Any]:
    """needrestart -b: kernel status (0 unknown, 1 current, 2 ABI upgrade, 3 version
    upgrade), the CPU microcode's status (UCSTA: 0 unknown, 1 current, 2 a newer one
    installed, loaded at the next boot) with the running (UCCUR) and installed (UCEXP)
    revisions when it says them (None otherwise), and the services running outdated
    binaries or libraries."""
    status: dict[str, Any] = {"kernel_status": 0, "microcode_status": 0,
                              "microcode_running": None, "microcode_installed": None,
                              "services": []}
    fields = {"NEEDRESTART-UCCUR": "microcode_running", "NEEDRESTART-UCEXP": "microcode_installed"}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("NEEDRESTART-KSTA", "NEEDRESTART-UCSTA"):
            status["kernel_status" if key == "NEEDRESTART-KSTA" else "microcode_status"] = \
                int(value.strip() or 0)
        elif key in fields:
            status[fields[key]] = value.strip() or None
        elif key == "NEEDRESTART-SVC":
            status["services"].append(value.strip())
    return status


def parse_mdstat(text: str) -> list[dict[str, Any]]:
    """Software RAID arrays of /proc/mdstat and whether a member is missing ([U_]).

    The container of a firmware RAID (Intel RST/VROC's IMSM, DDF: 'md127 : inactive
    sda[1](S) sdb[0](S)' over '5288 blocks super external:imsm') is inactive by design
    and holds no data: it is left out (it read as 'RAID md127 tidak aktif' on every such
    server). Its arrays ('super external:/md127/0') are kept."""
    arrays: list[dict[str, Any]] = []
    containers: set[str] = set()
    for line in text.splitlines():
        match = re.match(r"^(md\S+) : (\S+)", line)
        if match:
            arrays.append({"name": match.group(1), "state": match.group(2), "degraded": False})
        elif arrays and re.search(r"\bblocks super external:(?![/-])", line):
            containers.add(arrays[-1]["name"])
        status = re.search(r"\[([U_]+)\]\s*$", line)
        if status and arrays:
            arrays[-1]["degraded"] = "_" in status.group(1)
    return [array for array in arrays if array["name"] not in containers]


def _unescape(field: str) -> str:
    """A /proc/mounts field as the path it is: the kernel writes space, tab, newline
    and backslash as octal escapes (\\040, \\011, \\012, \\134)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounts(text: str, network: bool = False) -> list[tuple[str, str]]:
    """(mount point, type) of the data file systems in /proc/mounts, each once, the
    network ones (NETWORK_FS_TYPES) too when asked; none below a container runtime's
    storage (CONTAINER_STORAGE)."""
    kinds = DATA_FS_TYPES + NETWORK_FS_TYPES if network else DATA_FS_TYPES
    seen: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] in kinds:
            point = _unescape(parts[1])
            # the folder itself or below it: startswith("/tmp") kept /tmpfoo too
            if parts[2] == "tmpfs" and not any(point == top or point.startswith(top + "/")
                                               for top in TMPFS_DATA_DIRS):
                continue
            if any(point.startswith(top + "/") for top in CONTAINER_STORAGE):
                continue
            seen.setdefault(point, parts[2])
    return sorted(seen.items())


def file_system(path: str) -> dict[str, Any]:
    """Space and inode use of the file system holding path (as df computes Use%)."""
    st = os.statvfs(path)
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    free = st.f_bavail * st.f_frsize
    inodes_used = st.f_files - st.f_ffree
    inodes_usable = inodes_used + st.f_favail
    mib = 1024 * 1024
    return {
        "path": path,
        "size_mb": st.f_blocks * st.f_frsize // mib,
        "free_mb": free // mib,
        "used_percent": round(100.0 * used / (used + free), 1) if used + free else 0.0,
        "inodes_percent": round(100.0 * inodes_used / inodes_usable, 1) if inodes_usable else 0.0,
    }


class MeasuredMounts(NamedTuple):
    """measured_mounts()' answer."""

    file_systems: list[dict[str, Any]]  # file_system() of each that answered
    not_answering: list[str]  # mount points whose statvfs did not return in time
    not_measured: list[dict[str, str]]  # path and error (the system's reason)


def measured_mounts(mounts_text: str, network: bool = False) -> MeasuredMounts:
    """file_system() of every data file system of /proc/mounts' text (the network ones
    too when asked, as mounts() lists them), the mount points that did not answer within
    TIME_LIMITS["statvfs"] (a dying disk, an iSCSI or NFS server gone: statvfs blocks
    for good and hung the whole report), and those whose statvfs failed (a dead FUSE
    client's ENOTCONN, a soft NFS mount's EIO, a dying disk's), with the system's reason;
    one unmounted or removed since the text was read is left out (not a traceback)."""
    found, hung, failed = [], [], []
    for point, _type in mounts(mounts_text, network):
        try:
            found.append(bounded(functools.partial(file_system, point), TIME_LIMITS["statvfs"]))
        except NotAnswered:
            hung.append(point)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            failed.append({"path": point, "error": exc.strerror or str(exc)})
    return MeasuredMounts(found, hung, failed)


def not_measured(mount: dict[str, str]) -> str:
    """The finding (server_condition) and cause (server_diagnose) of a mount whose
    statvfs failed ('Sistem berkas /mnt/nas tidak dapat diukur (Transport endpoint is
    not connected)')."""
    return f"Sistem berkas {mount['path']} tidak dapat diukur ({mount['error']})"


class Mount(NamedTuple):
    """One line of /proc/self/mountinfo: its device (MAJ:MIN), mount point (unescaped),
    mount options, file system type and super options."""

    device: str
    point: str
    options: list[str]
    fstype: str
    super_options: list[str]


def mountinfo_rows(mountinfo: str) -> list[Mount]:
    """The mounts of /proc/self/mountinfo's text (lines too short to name their type are
    left out)."""
    rows = []
    for line in mountinfo.splitlines():
        words = line.split()
        # ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
        end = words.index("-", 6) if "-" in words[6:] else len(words)
        if len(words) < end + 2:
            continue
        rows.append(Mount(words[2], _unescape(words[4]), words[5].split(","), words[end + 1],
                          words[end + 3].split(",") if len(words) > end + 3 else []))
    return rows


def mounts_below(top: str, mountinfo: str) -> dict[str, str]:
    """The mount points strictly below the folder ``top`` (each as a path under ``top``
    as given, its links resolved only to match the table) and the type of the file system
    last mounted there, from /proc/self/mountinfo's text: what a walk of ``top`` must not
    enter, or even stat (a hung NFS mount's stat never returns)."""
    real = os.path.realpath(top).rstrip("/")
    return {os.path.join(top, mount.point[len(real) + 1:]): mount.fstype
            for mount in mountinfo_rows(mountinfo) if mount.point.startswith(real + "/")}


# Local disks' file systems, whose turning read-only is a disk error's doing (ext4's
# errors=remount-ro, btrfs's and FAT's own remount after an error): not
# overlay or tmpfs; squashfs and iso9660 (snaps, CD images), read-only by design, are
# no data file system at all.
DISK_FS_TYPES = tuple(kind for kind in DATA_FS_TYPES if kind not in ("overlay", "tmpfs"))


def fstab_options(text: str) -> dict[str, list[str]]:
    """The options of each mount point of /etc/fstab's text (escaped as /proc/mounts')."""
    found = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 4 and not words[0].startswith("#"):
            found[_unescape(words[1])] = words[3].split(",")
    return found


def read_only_mounts(mountinfo: str, fstab: str) -> list[str]:
    """Mount points of local disks' file systems (DISK_FS_TYPES, none below a container
    runtime's storage) read-only though meant read-write, from /proc/self/mountinfo's
    and /etc/fstab's texts: fstab mounts it without ``ro``, or (not in fstab) the mount
    itself is read-write while its file system went read-only, the kernel's doing after
    a disk error (mountinfo's super options; an administrator's ``mount -o remount,ro``
    makes both read-only)."""
    meant = fstab_options(fstab)
    found = set()
    for mount in mountinfo_rows(mountinfo):
        if mount.fstype not in DISK_FS_TYPES:
            continue
        point = mount.point
        mount_ro = "ro" in mount.options
        super_ro = "ro" in mount.super_options
        if not (mount_ro or super_ro) \
                or any(point.startswith(top + "/") for top in CONTAINER_STORAGE):
            continue
        # not in fstab: the mount read-write over a file system gone read-only
        if ("ro" not in meant[point]) if point in meant else (super_ro and not mount_ro):
            found.add(point)
    return sorted(found)


def parse_meminfo(text: str) -> dict[str, int]:
    """kB values of /proc/meminfo's text (server_condition, sipp_host_resources)."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            values[key.strip()] = int(words[0])
    return values


def memory_available(values: dict[str, int]) -> int | None:
    """kB of memory available, from parse_meminfo()'s ``values``: MemAvailable, the
    kernel's estimate; a kernel before 3.14 (an OpenVZ 6 container) writes none, and the
    older estimate free(1) made, MemFree + Buffers + Cached, is taken then (MemFree alone
    counted the page cache as used). None without MemAvailable and MemFree."""
    if "MemAvailable" in values:
        return values["MemAvailable"]
    if "MemFree" not in values:
        return None
    return sum(values.get(key, 0) for key in ("MemFree", "Buffers", "Cached"))


def read_only_problem(point: str) -> str:
    """The finding (server_condition) and refusal (server_precheck) of a mount point
    read_only_mounts names."""
    return (f"Sistem berkas {point} read-only, padahal seharusnya read-write: kemungkinan "
            "galat disk (errors=remount-ro), periksa dmesg")


def read_only_holding(paths: Sequence[str], mountinfo: str, fstab: str) -> list[str]:
    """The mount points read_only_mounts names that hold one of ``paths`` (each's
    longest mount point in /proc/self/mountinfo's text, symbolic links resolved)."""
    gone = set(read_only_mounts(mountinfo, fstab))
    points = [_unescape(words[4]) for words in map(str.split, mountinfo.splitlines())
              if len(words) > 4]
    found = set()
    for path in map(os.path.realpath, paths):
        holding = max((p for p in points if path == p or path.startswith(p.rstrip("/") + "/")),
                      key=len, default=None)
        if holding in gone:
            found.add(holding)
    return sorted(found)


# A /boot of its own is judged by the MiB it has left for one more kernel and its
# initramfs, not by a percentage: old kernels fill a small /boot and the next kernel
# upgrade then fails half-way writing its initramfs (server_condition's finding,
# server_precheck's refusal).
BOOT = "/boot"


def boot_file_system(mounts_text: str) -> dict[str, Any] | None:
    """file_system() of /boot when /proc/mounts' text has it as a data file system of its
    own (as measured_mounts() lists it); None when its kernels are on / (measured
    there) or it was unmounted since. NotAnswered when it did not answer within
    TIME_LIMITS["statvfs"]."""
    if BOOT in dict(mounts(mounts_text)):
        try:
            return bounded(functools.partial(file_system, BOOT), TIME_LIMITS["statvfs"])
        except OSError:
            return None
    return None


def boot_short_of_room(fs: dict[str, Any], min_free_mb: int) -> list[str]:
    """The finding, if any, of a /boot of its own (``fs``: file_system() of its mount)
    with less than ``min_free_mb`` MiB free for one more kernel and its initramfs."""
    if fs["free_mb"] >= min_free_mb:
        return []
    return [f"Disk /boot sisa {angka(fs['free_mb'])} MB, kurang dari {angka(min_free_mb)} MB "
            "untuk satu kernel baru dan initramfs-nya (hapus kernel lama)"]


def busy_processes(proc: str = "/proc") -> list[str]:
    """What runs that makes maintenance unsafe, excluding this process and its parents;
    each command line shown with its passwords masked (a dump given -pSECRET would put
    it in the SOP's records)."""
    own = set()
    pid = os.getpid()
    while pid > 1:
        own.add(pid)
        try:
            with open(f"{proc}/{pid}/stat", encoding="utf-8", errors="replace") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    found = []
    for entry in os.listdir(proc):
        if not entry.isdigit() or int(entry) in own:
            continue
        try:
            with open(f"{proc}/{entry}/cmdline", "rb") as handle:
                words = handle.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        cmdline = " ".join(words)
        for pattern, reason in BUSY_PATTERNS:
            if re.search(pattern, cmdline):
                # per argument, then per word: a process that rewrote its title puts a
                # whole command line in one argument
                shown = " ".join(mask_argv(" ".join(mask_argv(words)).split()))
                found.append(f"{reason} (pid {entry}: {shown[:80]})")
                break
    return found


# openssl writes a certificate's dates with English month names in every locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def cert_days_left(not_after: str, now: datetime.datetime) -> int:
    """Days until an `openssl x509 -enddate` time (e.g. 'Jun  1 12:00:00 2027 GMT').

    The month is read by its English name, not strptime's %b: AnsibleModule sets the
    host's locale, whose month names %b reads (id_ID has no 'May', 'Aug', 'Oct' or
    'Dec'). ValueError when the text is no such time."""
    words = not_after.split()
    if len(words) != 5 or words[0] not in _MONTHS or words[4] != "GMT":
        raise ValueError(f"not an openssl date: {not_after!r}")
    month, day, clock, year, _zone = words
    moment = datetime.datetime.strptime(
        f"{year}-{_MONTHS.index(month) + 1:02d}-{day} {clock}", "%Y-%m-%d %H:%M:%S")
    return (moment.replace(tzinfo=datetime.timezone.utc) - now).days


# apt-cache policy: a version of a package's version table (' *** ' marks the installed
# one) and, below it, the package files publishing it ('        500 URL SUITE/COMP ARCH
# Packages'; /var/lib/dpkg/status for what is installed); its 'Package files:' part gives
# each file's release line ('     release
# v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64';
# a field may hold spaces: 'o=Debian Backports') and its site ('     origin deb.debian.org').
# A version Ubuntu still phases in carries its share: '     249.11-0ubuntu3.6 500 (phased 0%)'.
_POLICY_VERSION = re.compile(r"^ (\*\*\*|   ) (\S+) -?\d+( \(phased \d+%\))?$")
_POLICY_FILE = re.compile(r"^ +-?\d+ (\S.*)$")
DPKG_STATUS = "/var/lib/dpkg/status"


class PolicyVersion(NamedTuple):
    """One version of a package's version table in `apt-cache policy PACKAGE...`."""

    version: str
    installed: bool  # marked ***
    phased: bool  # '(phased N%)': Ubuntu still phases it in
    files: list[str]  # the package files publishing it, each line without its priority


def package_files(text: str) -> dict[str, dict[str, str]]:
    """The release fields (l, v, a, o, c, ...) of each package file of `apt-cache
    policy`'s 'Package files:' part, by its line without the priority, with ``site``,
    the host its 'origin' line names."""
    files: dict[str, dict[str, str]] = {}
    source = None
    for line in text.splitlines():
        match = _POLICY_FILE.match(line)
        words = line.strip()
        if match:
            source = match.group(1)
        elif source and words.startswith("release ") and source not in files:
            files[source] = dict(field.partition("=")[::2]
                                 for field in words[len("release "):].split(","))
        elif source in files and words.startswith("origin ") and len(words.split()) == 2:
            files[source]["site"] = words.split()[1]
    return files


def version_tables(text: str) -> dict[str, list[PolicyVersion]]:
    """The version table of each package of `apt-cache policy PACKAGE...`, newest first."""
    tables: dict[str, list[PolicyVersion]] = {}
    versions: list[PolicyVersion] = []
    for line in text.splitlines():
        version = _POLICY_VERSION.match(line)
        source = _POLICY_FILE.match(line)
        if line and not line[0].isspace():
            versions = tables.setdefault(line.rstrip().rstrip(":"), [])
        elif version:
            versions.append(PolicyVersion(version.group(2), version.group(1) == "***",
                                          bool(version.group(3)), []))
        elif source and versions:
            versions[-1].files.append(source.group(1))
    return tables


def installed_and_candidate(text: str) -> tuple[str | None, str | None]:
    """(installed, candidate) of `apt-cache policy PACKAGE`, its 'Installed:' and
    'Candidate:' lines; None for '(none)'. The candidate is apt's choice by pin priority,
    not the newest version of the table (a newer backports version, priority 100, is
    not it)."""
    values = dict(re.findall(r"^\s+(Installed|Candidate):\s*(\S+)", text, re.M))
    return (None if values.get("Installed", "(none)") == "(none)" else values["Installed"],
            None if values.get("Candidate", "(none)") == "(none)" else values["Candidate"])


def _newer(versions: list[PolicyVersion]) -> list[PolicyVersion]:
    """The versions of a version table above the installed one (all when none is)."""
    return list(itertools.takewhile(lambda version: not version.installed, versions))


def package_file_origins(text: str) -> dict[str, str]:
    """Each package file of `apt-cache policy`'s 'Package files:' part (its line without
    the priority) and its origin as apt's simulation shows it (Label:Version/Archive,
    'Debian-Security:12/stable-security'): the text security_pattern is matched on."""
    return {source: (f"{fields['l']}:" if fields.get("l") else "")
            + (f"{fields['v']}/" if fields.get("v") else "") + fields.get("a", "")
            for source, fields in package_files(text).items()}


def security_versions(text: str, origins: dict[str, str], security_pattern: str) -> dict[str, str]:
    """The newest version newer than the installed one that a security archive publishes,
    of each package of `apt-cache policy PACKAGE...` (version tables list the newest
    first): a security fix apt's candidate hides when a newer version came later from
    another archive (a Debian point release, Ubuntu's -updates pocket)."""
    security = re.compile(security_pattern)
    found: dict[str, str] = {}
    for package, versions in version_tables(text).items():
        fix = next((version.version for version in _newer(versions)
                    if any(security.search(origins.get(source, "")) for source in version.files)),
                   None)
        if fix:
            found[package] = fix
    return found


def installed_from(text: str) -> dict[str, list[str]]:
    """The package files publishing the installed version of each installed package of
    `apt-cache policy PACKAGE...`, dpkg's status file left out. A version no repository
    publishes any more gets those of the version right above it, superseding it (the
    archive its updates come from: Debian's security archive keeps only the newest);
    none (an empty list) when no version is newer: its repository was removed."""
    found: dict[str, list[str]] = {}
    for package, versions in version_tables(text).items():
        for index, version in enumerate(versions):
            if version.installed:
                files = [source for source in version.files if source != DPKG_STATUS]
                found[package] = files or (versions[index - 1].files if index else [])
    return found


class AptError(Exception):
    """apt could not refresh its lists or simulate the upgrade (the message says why)."""


def apt_failure(out: str, err: str, errors: list[str] | None = None) -> str:
    """Why apt or dpkg failed, on one line: ``errors`` when given (apt-get update's E:,
    W: and Err: lines), else their error lines (E:, dpkg: error ...), else the last line
    they wrote; first the line saying a disk is full, when one does, moved there when
    among them (a full /boot stops a kernel's initramfs with only 'gzip: stdout: No
    space left on device', which neither names; a full /var's came after apt-get
    update's long Err: lines)."""
    lines = [line.strip() for line in (out + "\n" + err).splitlines() if line.strip()]
    full = next((line for line in lines if "No space left on device" in line), None)
    if errors is None:
        errors = [line.rstrip(":") for line in lines if line.startswith(("E:", "dpkg: error"))]
    errors = [line for line in errors if line.strip() != full]
    found = _whole_items(list(dict.fromkeys(errors)), 600) if errors else \
        lines[-1][-300:] if lines else "no output"
    return f"{full[:300]}; {found}" if full and full not in found else found


def _whole_items(items: list[str], limit: int) -> str:
    """``items`` joined by '; ', the first ones whole up to about ``limit`` characters and
    how many more there are: a cut from the front began the line mid-word ('orm-lab
    InRelease; Err:2 ...')."""
    kept: list[str] = []
    for item in items:
        if kept and len("; ".join([*kept, item])) > limit:
            break
        kept.append(item[:limit])
    more = len(items) - len(kept)
    return "; ".join(kept) + (f" (+{more} more)" if more else "")


def update_problems(out: str, err: str) -> list[str]:
    """apt-get update's problems, the causes first: its E: lines; each source it could not
    fetch with apt's reason ('Failed to fetch URL (Could not connect to backup:8081 ...)');
    its other W: lines (a GPG error); its Err: lines (which name a source, not why) only
    when nothing else says more. The summary 'Some index files failed to download' goes,
    a warning after a network failure, an error (E:) after another one (a Hash Sum
    mismatch), where it came first and named no cause."""
    lines = [line.strip() for line in (out + "\n" + err).splitlines() if line.strip()]
    errors, fetched, warnings = [], [], []
    for line in lines:
        if line.startswith(("E: Some index files failed", "W: Some index files failed")):
            continue
        if line.startswith(("E: Failed to fetch ", "W: Failed to fetch ")):
            url, _, reason = line[len("W: Failed to fetch "):].partition("  ")
            reason = reason.strip()
            fetched.append(f"Failed to fetch {url.strip()}" + (f" ({reason})" if reason else ""))
        elif line.startswith("E:"):
            errors.append(line)
        elif line.startswith("W:"):
            warnings.append(line)
    found = errors + fetched + warnings
    return found or [line for line in lines if line.startswith(("Err:", "W:"))]


def apt_policy(module: Any, apt_cache: str, names: list[str], seconds: float) -> str:
    """The output of `LC_ALL=C apt-cache policy [NAMES...]` (the package files alone
    without names), apt-cache stopped after ``seconds``; the module fails with one line
    when it does not end ('apt-cache policy tidak selesai dalam 60 detik') or fails
    ('apt-cache policy failed: E: ...')."""
    rc, out, err = run_limited(module, [apt_cache, "policy", *names], seconds,
                               environ_update={"LC_ALL": "C"})
    if rc is None:
        module.fail_json(msg=f"apt-cache policy tidak selesai dalam {angka_ringkas(seconds)} detik")
    if rc != 0:
        module.fail_json(msg="apt-cache policy failed: " + apt_failure(out, err))
    return out


# apt's line when another process holds one of its locks (LC_ALL=C): 'E: Could not get
# lock /var/lib/dpkg/lock-frontend. It is held by process 3320 (python3)'; apt before 1.9
# (Debian 10) names no holder: 'E: Could not get lock /var/lib/apt/lists/lock - open (11:
# Resource temporarily unavailable)'.
APT_LOCK = re.compile(r"^E: Could not get lock (\S+?)(?:\. It is held by (process \d+"
                      r"(?: \([^)]*\))?)| - )", re.MULTILINE)
# apt waiting for dpkg's locks (DPkg::Lock::Timeout above 0) writes on stdout once a second
# 'Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by
# process 3320 (unattended-upgr)...' and, the wait over with the lock still held, only
# 'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another
# process using it?' ('E: Unable to lock the administration directory (/var/lib/dpkg/),
# ...' for dpkg's own lock), no 'E: Could not get lock' (apt 2.6.1, recorded). A wait
# that got the lock in the end leaves its waiting lines before a failure of another kind.
APT_LOCK_WAITING = re.compile(r"^Waiting for cache lock: Could not get lock (\S+?)\. It is held "
                              r"by (process \d+(?: \([^)]*\))?)", re.MULTILINE)
APT_LOCK_NOT_GOT = re.compile(r"^E: Unable to (?:acquire the dpkg frontend lock|lock the "
                              r"administration directory) \(", re.MULTILINE)
# Seconds between two tries of apt-get update while another process holds the lists' lock.
APT_LOCK_RETRY_SECONDS = 5


def apt_lock(output: str) -> tuple[str, str] | None:
    """The lock apt could not get, as its path and who holds it ('process 3320 (python3)',
    or '' when apt does not say), from apt's output; None when no lock stopped it. After
    a wait for dpkg's lock, the holder its last waiting line named."""
    found = APT_LOCK.search(output)
    if found:
        return found.group(1), found.group(2) or ""
    waiting = APT_LOCK_WAITING.findall(output)
    return waiting[-1] if waiting and APT_LOCK_NOT_GOT.search(output) else None


def apt_lock_held(lock: tuple[str, str], seconds: int) -> str:
    """One line, in the report's words, for a lock of apt or dpkg still held by another
    process after ``seconds`` of waiting (0: not waited for); nothing was installed. A
    holder named python3 is a Python program apt cannot name better: unattended-upgrades
    (apt-daily-upgrade.timer) run by python3, or another Ansible run's apt module."""
    path, holder = lock
    who = holder or f"kunci {path}"
    hint = ", misalnya unattended-upgrades" if holder.endswith("(python3)") else ""
    waited = f" lebih dari {angka(seconds)} detik" if seconds > 0 else ""
    return (f"apt/dpkg dipakai proses lain ({who}{hint}){waited}; tidak ada paket yang "
            "dipasang: jalankan lagi setelah proses itu selesai")


def apt_update(run: Any, lock_timeout: int | None) -> None:
    """apt-get update; raises AptError naming apt's problems when it fails. apt waits for
    no lock of its package lists (DPkg::Lock::Timeout is dpkg's only): with
    ``lock_timeout`` seconds, a failure because another process holds the lists' lock
    is tried again every APT_LOCK_RETRY_SECONDS until they have passed, then raises
    apt_lock_held's line; None keeps apt's own failure at once. Each try is stopped at
    TIME_LIMITS["apt_update"] (a mirror too slow, a hung /var): AptError in one line."""
    deadline = time.monotonic() + (lock_timeout or 0)
    while True:
        rc, out, err = run(["env", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C",
                            "apt-get", "-q", "update"], "apt_update")
        if rc is None:
            raise AptError(stopped("apt-get update", "apt_update")
                           + " (mirror lambat atau tidak menjawab, atau disk macet)")
        lines = out.splitlines() + err.splitlines()
        if rc == 0 and not any(line.startswith(("E:", "Err:")) for line in lines):
            return
        lock = apt_lock(out + "\n" + err)
        if lock_timeout is None or lock is None or not lock[0].endswith("/lists/lock"):
            raise AptError("apt-get update failed: "
                           + apt_failure(out, err, update_problems(out, err) or None))
        left = deadline - time.monotonic()
        if left <= 0:
            raise AptError(apt_lock_held(lock, lock_timeout))
        time.sleep(min(APT_LOCK_RETRY_SECONDS, left))


def apt_pending(run: Any, update_cache: bool, security_pattern: str,
                hold: list[str], lock_timeout: int | None = None) -> dict[str, Any]:
    """Refresh the package lists (when asked) and list the pending upgrades: security,
    other, held (dpkg holds and names matching the hold patterns: an administrator's
    decision), kept back (apt's own: the upgrade needs a removal or a dependency apt
    cannot install, so it waits for `apt full-upgrade` or a review; no one held it) and
    phased (Ubuntu's rollout, installed by apt when it reaches the host).

    The simulation takes new packages (--with-new-pkgs): an upgrade needing one, Debian's
    linux-image-amd64 at every kernel ABI change, is pending like any other, not kept
    back (the kernel's security updates were never installed and read as held). The new
    package is no upgrade: it comes with the one needing it.

    An upgrade whose candidate is no security update is one all the same when a security
    archive publishes a version between the installed one and the candidate (a Debian
    point release or Ubuntu's -updates pocket after the security fix): it is marked
    security, with ``security_candidate`` the version a security-only upgrade installs.

    ``lock_timeout``: seconds apt-get update waits for another process holding the lists'
    lock (apt_update); None fails at once, with apt's own line.

    `run(argv, limit)` returns (rc, stdout, stderr), like AnsibleModule.run_command, the
    command stopped after TIME_LIMITS[limit] seconds (run_bounded: rc None), which
    raises AptError naming it (apt-get update "apt_update", the others "apt_query").
    """
    env = ["env", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"]
    if update_cache:
        apt_update(run, lock_timeout)
    rc, out, err = run([*env, "apt-get", "-s", "-o", "Debug::NoLocking=1", "--with-new-pkgs",
                        "upgrade"], "apt_query")
    if rc is None:
        raise AptError(stopped("apt-get -s upgrade", "apt_query"))
    if rc != 0:
        raise AptError("apt-get -s upgrade failed: " + apt_failure(out, err))
    rc, held_out, err = run(["apt-mark", "showhold"], "apt_query")
    if rc is None:
        raise AptError(stopped("apt-mark showhold", "apt_query"))
    if rc != 0:  # no hold read is no hold: a held package would pass as kept back
        raise AptError("apt-mark showhold failed: " + apt_failure("", err))
    dpkg_holds = held_out.split()
    upgrades = [u for u in parse_apt_simulation(out, security_pattern) if u["installed"]]
    for item in upgrades:
        item["held"] = item["name"] in dpkg_holds or matches_any(item["name"], hold)
    _security_fixes(run, upgrades, security_pattern)
    # apt keeps back what is held by dpkg or cannot be installed, and (apt before 2.7.11,
    # Ubuntu 22.04) an upgrade Ubuntu still phases in; apt 2.7.11 lists those apart
    listed = _listed(out, APT_KEPT_BACK)
    kept = [name for name in listed if name not in dpkg_holds and not matches_any(name, hold)]
    held_names = {u["name"] for u in upgrades if u["held"]} | set(listed).difference(kept)
    phased = set(_listed(out, APT_PHASING)) | _phasing(run, kept)
    return {
        "security": [u for u in upgrades if u["security"] and not u["held"]],
        "other": [u for u in upgrades if not u["security"] and not u["held"]],
        "held": sorted(held_names),
        "kept_back": sorted(set(kept) - phased),
        "phased": sorted(phased - held_names),
    }


# The titles of apt's package lists in its simulation (LC_ALL=C): kept back, and (apt
# 2.7.11, Ubuntu 24.04; 'Not upgrading yet' in apt 3's new output) deferred by phasing.
APT_KEPT_BACK = ("The following packages have been kept back:", "Not upgrading:")
APT_PHASING = ("The following upgrades have been deferred due to phasing:",
               "Not upgrading yet due to phasing:")


def _listed(text: str, titles: tuple[str, ...]) -> list[str]:
    """The package names of apt's lists with one of these titles (each name on the
    indented lines below its title)."""
    names: list[str] = []
    listing = False
    for line in text.splitlines():
        if line.startswith(" ") and listing:
            names.extend(line.split())
        else:
            listing = line.strip() in titles
    return names


def _phasing(run: Any, names: list[str]) -> set[str]:
    """Those of the packages apt kept back whose newer version Ubuntu still phases in (a
    '(phased N%)' version above the installed one in `apt-cache policy`): apt before
    2.7.11 lists them as kept back, though no one held them and apt installs them when
    the rollout reaches this host (never a security update: apt does not defer those)."""
    if not names:
        return set()
    rc, out, err = run(["env", "LC_ALL=C", "apt-cache", "policy", *names], "apt_query")
    if rc is None:
        raise AptError(stopped("apt-cache policy", "apt_query"))
    if rc != 0:
        raise AptError("apt-cache policy failed: " + apt_failure("", err))
    return {package for package, versions in version_tables(out).items()
            if any(version.phased for version in _newer(versions))}


def _security_fixes(run: Any, upgrades: list[dict[str, Any]], security_pattern: str) -> None:
    """Mark the upgrades whose candidate comes from another archive but that a security
    archive fixes at a version between the installed one and the candidate: security,
    with that version as security_candidate (what a security-only upgrade installs)."""
    others = [u for u in upgrades if not u["security"] and not u["held"]]
    if not others:
        return
    env = ["env", "LC_ALL=C"]
    rc, files, err = run([*env, "apt-cache", "policy"], "apt_query")
    if rc == 0:
        rc, tables, err = run([*env, "apt-cache", "policy", *[u["name"] for u in others]],
                              "apt_query")
    if rc is None:
        raise AptError(stopped("apt-cache policy", "apt_query"))
    if rc != 0:
        raise AptError("apt-cache policy failed: " + apt_failure("", err))
    fixes = security_versions(tables, package_file_origins(files), security_pattern)
    for item in others:
        if item["name"] in fixes:
            item["security"], item["security_candidate"] = True, fixes[item["name"]]


def dpkg_interrupted(status_dir: str = "/var/lib/dpkg") -> bool:
    """Whether dpkg was stopped in the middle of an install (a power cut, a closed SSH
    session): its journal, files named by digits in updates/, is not empty. apt then
    refuses to install anything until `dpkg --configure -a`, while its simulation, which
    takes no lock, reads as usual (apt's own check, debSystem::CheckUpdates)."""
    try:
        names = os.listdir(os.path.join(status_dir, "updates"))
    except OSError:
        return False
    return any(name.isdigit() for name in names)


def reboot_required(run: Any, needrestart: str | None) -> dict[str, Any]:
    """Whether a reboot is needed (/run/reboot-required, written by kernel and libc
    packages; needrestart's kernel status, and its microcode status: an installed
    intel-microcode or amd64-microcode newer than the running one, which only a boot
    loads) and the services running outdated code.

    `run(argv)` returns (rc, stdout, stderr); rc None when the tool was stopped at its
    time limit (run_bounded with TIME_LIMITS["needrestart"]), then named in not_visible,
    as is a needrestart that failed (its first error line)."""
    reasons = []
    if os.path.exists("/run/reboot-required"):
        try:
            with open("/run/reboot-required.pkgs", encoding="utf-8") as handle:
                packages = sorted(set(handle.read().split()))
        except OSError:
            packages = []
        reasons.append("/run/reboot-required" + (f" ({', '.join(packages)})" if packages else ""))
    services: list[str] = []
    not_visible: list[str] = []
    if needrestart:
        argv = [needrestart, "-b", "-r", "l"]
        rc, out, err = run(argv)
        if rc is None:
            not_visible.append(timed_out(argv, "needrestart"))
        elif rc != 0:  # not 'no service needs a restart'
            not_visible.append(f"needrestart: {first_line(err, rc)}")
        else:
            status = parse_needrestart(out)
            services = status["services"]
            if status["kernel_status"] in (2, 3):
                reasons.append("kernel yang berjalan lebih lama dari yang terpasang")
            if status["microcode_status"] == 2:  # loaded by the kernel at boot only
                revisions = (f" ({status['microcode_running']}, terpasang "
                             f"{status['microcode_installed']})"
                             if status["microcode_running"] and status["microcode_installed"]
                             else "")
                reasons.append("microcode CPU yang berjalan lebih lama dari yang terpasang"
                               + revisions)
    return {"required": bool(reasons), "reasons": reasons, "services": services,
            "not_visible": not_visible}
