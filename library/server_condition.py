#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The condition report of a server (SOP Pemeliharaan Server, activity 1), read-only."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_condition
short_description: Report a server's condition and what needs maintenance
description:
  - Reads the operating system and its end of support (a maintained table of Debian,
    Ubuntu, CentOS, Rocky and AlmaLinux releases), uptime, load per CPU, memory, space
    and inode use of every data file system (the space of a C(/boot) of its own by the
    MiB left for one more kernel, O(boot_min_free_mb)), failed systemd units, pending package
    updates split into security and other (apt; held packages, those an administrator
    held with C(apt-mark hold) or O(hold), listed apart, and apart from them the
    upgrades apt keeps back itself, their dependencies changed (a removal or a package
    apt cannot install; they wait for C(apt full-upgrade) or a review, no one held
    them), and the upgrades Ubuntu still phases in, which apt installs when the rollout
    reaches the host and which need no action, so are no line in C(flags); a security
    archive's version between the installed one and a candidate from another archive
    makes the upgrade a security one; a dpkg interrupted in the middle of an install,
    which lets apt install nothing until C(dpkg --configure -a)), whether a reboot is
    required (C(/run/reboot-required), needrestart's kernel and microcode status) and which
    services need a restart, clock synchronisation, software RAID (C(/proc/mdstat)) and
    disk health (C(smartctl), when installed), and certificates expiring soon.
  - >-
    A data file system whose C(statvfs) does not answer within 10 seconds (C(statvfs)
    in TIME_LIMITS, C(module_utils/sop_server.py); a dying disk, a hung iSCSI target)
    is a finding naming its mount point; the report does not wait for it. One whose
    C(statvfs) fails (an I/O error, a dead FUSE client's C(ENOTCONN)) is a finding
    naming it and the system's reason; one unmounted meanwhile is left out.
  - >-
    C(/proc/uptime), C(/proc/loadavg) and C(/proc/meminfo) not read within those 10
    seconds, not read (lxcfs's files in an LXC container: C(Transport endpoint is not
    connected) after lxcfs restarted, a hung lxcfs) or not numbers are named in
    C(not_visible) with the cause (C(beban (/proc/loadavg tidak terbaca: Transport
    endpoint is not connected))); the uptime, load or memory is then null and not judged.
  - >-
    Network file systems are data file systems too, measured and judged as the local
    ones (O(disk_warn_percent)) within the same 10 seconds: NFS (C(nfs), C(nfs4)),
    CIFS/SMB (C(cifs), C(smb3)), CephFS and FUSE's network clients (C(fuse.sshfs),
    C(fuse.rclone), C(fuse.s3fs), C(fuse.glusterfs), C(fuse.ceph-fuse)). A court's
    backup share is often one, and a full or hung share fails the backups written to
    it; a hung one is a finding naming it, never a hung report. FUSE's other file
    systems are the host's own (lxcfs in an LXC container, gvfs, snapfuse's snaps,
    always full) and are not measured.
  - >-
    A local disk's file system (ext2/3/4, XFS, btrfs, ZFS, vfat, f2fs, ReiserFS, JFS;
    not overlay, tmpfs, squashfs or iso9660, nor a container's own mounts) that is
    read-only though meant read-write is a finding naming it and the likely cause, a
    disk error (ext4's C(errors=remount-ro)), to be read in C(dmesg). Meant read-write:
    C(/etc/fstab) mounts it without C(ro), or, not in C(/etc/fstab), the mount is
    read-write in C(/proc/self/mountinfo) while its file system's options say C(ro)
    (the kernel's remount after an error; an administrator's C(mount -o remount,ro)
    makes both read-only and is no finding).
  - >-
    A disk whose C(smartctl -H) exit status has bit 3 (SMART status DISK FAILING) or
    bit 4 (a prefail attribute at or below its threshold now) is unhealthy; bit 5 (the
    status DISK OK, but a usage or prefail attribute was at or below its threshold in
    the past) is a finding of its own, naming the disk (it wears out: watch it and
    ready a replacement).
  - >-
    needrestart's microcode status (C(NEEDRESTART-UCSTA) 2, a newer CPU microcode
    installed than the one running, loaded only at boot) is a reason to reboot, as its
    kernel status is, with the running and installed revisions when it says them.
  - Each finding that needs action is a line in C(flags) (Bahasa Indonesia); what the
    host does not show (no RAID, no smartctl, a non-apt system) is listed in
    C(not_visible).
  - Each tool (C(smartctl), C(timedatectl), C(systemctl), C(needrestart)) is stopped
    after a time limit (TIME_LIMITS in C(module_utils/sop_server.py)); one that did
    not answer is named in C(not_visible), a disk whose SMART query did not end in
    C(flags). A C(systemctl) that fails (no systemd as PID 1, a hung manager) is named
    in C(not_visible) with its first error line, not read as no failed unit.
  - Never changes the host. Refreshing apt's package lists (O(update_cache)) is done in
    check mode too, as it only updates metadata. Lists apt cannot refresh (another apt
    holding their lock, a mirror down, an C(apt-get update) stopped after 1800 seconds,
    TIME_LIMITS' C(apt_update)) leave the pending updates of the lists it has, and apt
    unable to say at all (its simulation, C(apt-mark showhold) or C(apt-cache policy)
    failing or stopped after 300 seconds, C(apt_query)) leaves none; either is a line in
    C(flags), never a failure of the whole report.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  update_cache:
    description: Run C(apt-get update) first (pending updates are then current).
    type: bool
    default: true
  security_pattern:
    description: Regular expression on an update's origin (archive/suite) marking it as a security update.
    type: str
    default: security
  hold:
    description:
      - Package name patterns (fnmatch) never upgraded silently; reported as held.
      - >-
        An empty pattern or one with a space (C( mariadb-*), a space after a comma of
        C(-e NAME=a,b)) fails the module with C(setting) C(hold).
    type: list
    elements: str
    default: []
  disk_warn_percent:
    description:
      - Space or inode use (percent) flagged; the space of C(/boot) on its own file
        system is judged by O(boot_min_free_mb) instead.
      - >-
        1 up to 100, else the module fails with C(setting) C(disk_warn_percent).
    type: int
    default: 85
  boot_min_free_mb:
    description:
      - Free space (MiB) C(/boot) needs when it is a file system of its own (checked
        only then), room for one more kernel and its initramfs. Old kernels fill a small
        C(/boot) and the next kernel upgrade then fails half-way, writing its initramfs,
        leaving dpkg with half-configured packages. A percentage says nothing on a
        256 MiB partition.
      - 120 is one kernel's files on Debian 12, about 90 MiB (vmlinuz about 8 MiB,
        initrd.img up to about 80 MiB with initramfs-tools' C(MODULES=most) and
        firmware, System.map and config about 5 MiB), or Ubuntu 24.04, about 95 MiB,
        with a quarter more for a larger initramfs. Raise it where this host's own
        C(initrd.img-*) files are larger.
      - >-
        0 turns the check off; up to 1048576 (1 TiB), else the module fails with
        C(setting) C(boot_min_free_mb).
    type: int
    default: 120
  eos_warn_days:
    description:
      - Flag a release whose end of support is this close (days).
      - >-
        0 (its last day only) up to 3650 (ten years), else the module fails with
        C(setting) C(eos_warn_days).
    type: int
    default: 180
  load_warn_per_cpu:
    description:
      - Flag a 15-minute load average above this per CPU.
      - >-
        More than 0 and at most 100, else the module fails with C(setting)
        C(load_warn_per_cpu).
    type: float
    default: 1.5
  memory_warn_percent:
    description:
      - Flag memory use above this (percent).
      - >-
        1 up to 100, else the module fails with C(setting) C(memory_warn_percent).
    type: int
    default: 90
  uptime_warn_days:
    description:
      - Flag an uptime longer than this many days (missed kernel updates).
      - >-
        Above 0 and at most 3650 (ten years), else the module fails with C(setting)
        C(uptime_warn_days).
    type: int
    default: 180
  cert_paths:
    description:
      - Certificate files or glob patterns checked for expiry (PEM).
      - >-
        A path that is not absolute (an empty one too) fails the module with C(setting)
        C(cert_paths): it would be read from the folder the module runs in.
    type: list
    elements: str
    default: []
  cert_warn_days:
    description:
      - Flag certificates expiring within this many days.
      - >-
        0 (their last day only) up to 3650 (ten years), else the module fails with
        C(setting) C(cert_warn_days).
    type: int
    default: 30
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Condition report
  server_condition:
    hold: ["mariadb-*"]
    cert_paths: [/etc/letsencrypt/live/*/cert.pem, /etc/ssl/certs/ssl-cert-snakeoil.pem]
  register: condition
"""

RETURN = r"""
condition:
  description: Everything measured.
  returned: success
  type: dict
  contains:
    os: {description: "name, id, version, end_of_support {date, days_left, status}", type: dict}
    uptime_days: {description: "Days since boot (null when /proc/uptime was not read).", type: float}
    load: {description: "1/5/15 minute load and cpus (null when /proc/loadavg was not read)", type: dict}
    memory_used_percent: {description: "Memory in use (MemTotal minus MemAvailable; minus MemFree, Buffers and Cached on a kernel without MemAvailable; null when /proc/meminfo was not read).", type: float}
    file_systems: {description: "path, size_mb, free_mb, used_percent, inodes_percent", type: list, elements: dict}
    mounts_not_answering: {description: "Mount points of data file systems whose statvfs did not answer in time.", type: list, elements: str}
    mounts_not_measured: {description: "Data file systems whose statvfs failed: path and error (the system's reason).", type: list, elements: dict}
    read_only_mounts: {description: "Mount points of local disks' file systems read-only though meant read-write.", type: list, elements: str}
    failed_units: {description: Failed systemd units., type: list, elements: str}
    updates: {description: "security, other (name, installed, candidate, origin, arch), held names (dpkg holds, O(hold)), kept_back names (kept back by apt, held by no one: their dependencies changed) and phased names (Ubuntu's phased updates, deferred by apt until the rollout reaches this host); stale (why apt could not refresh its lists: those it had were read) or error (why apt could not say: none listed)", type: dict}
    reboot_required: {description: "required (bool), reasons (/run/reboot-required, needrestart's kernel or CPU microcode status), services needing a restart", type: dict}
    clock_synchronized: {description: timedatectl's NTPSynchronized (null when unknown)., type: bool}
    raid: {description: Software RAID arrays (name, state, degraded)., type: list, elements: dict}
    disks: {description: "smartctl health per disk (device, healthy; null when the disk shows no SMART verdict; error when smartctl did not finish in time; past_threshold true when an attribute was at or below its threshold in the past, exit status bit 5)", type: list, elements: dict}
    certificates: {description: "path, not_after, days_left; or path and error (no PEM certificate, an expiry date not read)", type: list, elements: dict}
    not_visible: {description: What this host does not show., type: list, elements: str}
    flags: {description: One line per finding that needs action (Bahasa Indonesia)., type: list, elements: str}
  sample:
    os: {name: Debian GNU/Linux 12 (bookworm), id: debian, version: "12",
         end_of_support: {date: "2028-06-30", days_left: 940, status: ok}}
    flags: ["2 pembaruan keamanan tertunda: rsync, sop-lab-kernel", "Perlu reboot: /run/reboot-required (sop-lab-kernel)"]
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import functools  # noqa: E402
import glob  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_options import RANGES, duration_error, range_error  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    BOOT,
    TIME_LIMITS,
    AptError,
    NotAnswered,
    apt_pending,
    boot_short_of_room,
    bounded,
    cert_days_left,
    dpkg_interrupted,
    end_of_support,
    first_line,
    measured_mounts,
    memory_available,
    not_answering,
    not_measured,
    os_release,
    parse_mdstat,
    parse_meminfo,
    pattern_problem,
    read_only_mounts,
    read_only_problem,
    reboot_required,
    run_bounded,
    timed_out,
)

MOUNTS = "/proc/mounts"
MOUNTINFO = "/proc/self/mountinfo"
FSTAB = "/etc/fstab"
# lxcfs serves these in an LXC container (Proxmox): after it restarted, they fail with
# 'Transport endpoint is not connected'; a hung lxcfs blocks their read for good
UPTIME = "/proc/uptime"
LOADAVG = "/proc/loadavg"
MEMINFO = "/proc/meminfo"
# smartctl's exit status bits (smartctl(8)): 3 the SMART status 'DISK FAILING', 4 a
# prefail attribute at or below its threshold now, 5 the status 'DISK OK' but a usage or
# prefail attribute was at or below its threshold some time in the past.
SMART_FAILING = 1 << 3
SMART_PREFAIL_NOW = 1 << 4
SMART_PAST_THRESHOLD = 1 << 5


def _text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def _read(path: str) -> str:
    try:
        return _text(path)
    except OSError:
        return ""


def memory_used_percent(meminfo: str) -> float:
    """Memory in use, percent of MemTotal, from /proc/meminfo's text: MemTotal minus
    memory_available() (MemAvailable, or without it, a kernel before 3.14's, MemFree +
    Buffers + Cached: none available read as 100% used, a finding on every such host).
    0.0 without MemTotal."""
    values = parse_meminfo(meminfo)
    total = values.get("MemTotal", 0)
    if not total:
        return 0.0
    available = memory_available(values) or 0
    return round(100.0 * (total - available) / total, 1)


class Probe:
    """The measurements, each from the system's own files or tools."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.not_visible: list[str] = []

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        """openssl's answer, a byte no UTF-8 (a Latin-1 certificate path) read as U+FFFD: a
        lone surrogate is no text the result can carry."""
        rc, out, err = self.module.run_command(argv, errors="replace")
        return int(rc), str(out), str(err)

    def ask(self, argv: list[str], limit: str) -> tuple[int | None, str, str]:
        """run(), the tool stopped after TIME_LIMITS[limit] seconds (rc None then); its
        bytes that are no UTF-8 (a unit's Latin-1 description, a repository's label)
        replaced as run()'s are."""
        return run_bounded(self.module, argv, limit, errors="replace")

    def tool(self, name: str) -> str | None:
        path = self.module.get_bin_path(name)
        return str(path) if path else None

    def proc(self, path: str, what: str, numbers: int = 0) -> str | None:
        """The text of the /proc file ``path`` (UPTIME, LOADAVG, MEMINFO), read within
        TIME_LIMITS["statvfs"], its first ``numbers`` words numbers; None, named in
        not_visible as ``what`` with the cause, when it is not read or they are not."""
        try:
            text = bounded(functools.partial(_text, path), TIME_LIMITS["statvfs"])
        except NotAnswered:
            why = f"tidak menjawab dalam {angka(TIME_LIMITS['statvfs'])} detik"
        except OSError as exc:
            why = f"tidak terbaca: {exc.strerror or exc}"
        else:
            words = text.split()[:numbers]
            if len(words) == numbers and all(re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", word)
                                             for word in words):
                return text
            why = "tidak terbaca: isinya bukan angka"
        self.not_visible.append(f"{what} ({path} {why})")
        return None

    def failed_units(self) -> list[str]:
        systemctl = self.tool("systemctl")
        if not systemctl:
            self.not_visible.append("systemd (systemctl tidak ada)")
            return []
        argv = [systemctl, "list-units", "--state=failed", "--plain", "--no-legend",
                "--no-pager"]
        rc, out, err = self.ask(argv, "systemctl")
        if rc is None:
            self.not_visible.append(f"unit systemd gagal ({timed_out(argv, 'systemctl')})")
            return []
        if rc != 0:  # no systemd as PID 1, a hung manager: not 'no failed unit'
            self.not_visible.append(f"unit systemd gagal (systemctl: {first_line(err, rc)})")
            return []
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def clock(self) -> bool | None:
        """timedatectl's NTPSynchronized (the kernel's clock state, which chrony, ntpd
        and systemd-timesyncd all set); None, named in not_visible with the cause, when
        it does not say: timedatectl missing, stopped, or failing with its own line (no
        systemd as PID 1, 'Unknown operation show.' before systemd 239)."""
        timedatectl = self.tool("timedatectl")
        why = "timedatectl tidak ada"
        if timedatectl:
            argv = [timedatectl, "show", "-p", "NTPSynchronized", "--value"]
            rc, out, err = self.ask(argv, "timedatectl")
            if rc == 0 and out.strip() in ("yes", "no"):
                return out.strip() == "yes"
            if rc is None:
                why = timed_out(argv, "timedatectl")
            elif rc != 0:
                why = f"timedatectl: {first_line(err, rc)}"
            else:
                why = f"timedatectl: NTPSynchronized tidak terbaca ({out.strip()[:60] or 'kosong'})"
        self.not_visible.append(f"sinkronisasi jam ({why})")
        return None

    def reboot(self) -> dict[str, Any]:
        needrestart = self.tool("needrestart")
        if not needrestart:
            self.not_visible.append("layanan yang perlu restart (needrestart tidak terpasang)")
        status = reboot_required(lambda argv: self.ask(argv, "needrestart"), needrestart)
        self.not_visible.extend(f"layanan yang perlu restart ({line})"
                                for line in status.pop("not_visible"))
        return status

    def disks(self) -> list[dict[str, Any]]:
        smartctl = self.tool("smartctl")
        if not smartctl:
            self.not_visible.append("kesehatan disk (smartctl tidak terpasang)")
            return []
        rc, out, err = self.ask([smartctl, "--scan"], "smartctl")
        if rc is None:
            self.not_visible.append(f"kesehatan disk ({timed_out([smartctl], 'smartctl')})")
            return []
        if rc != 0:
            self.not_visible.append(f"kesehatan disk (smartctl --scan: {first_line(err, rc)})")
            return []
        result: list[dict[str, Any]] = []
        for line in out.splitlines():
            # '/dev/bus/0 -d megaraid,0 # /dev/bus/0 [megaraid_disk_00], SCSI device': the
            # device type is needed to reach a disk behind a RAID controller
            words = line.partition("#")[0].split()
            if not words or not words[0].startswith("/dev/"):
                continue
            device, kind = words[0], ""
            if len(words) >= 3 and words[1] == "-d":
                kind = words[2]
            name = f"{device} [{kind}]" if "," in kind else device
            argv = [smartctl, "-H", *(["-d", kind] if kind else []), device]
            answer, health, _err = self.ask(argv, "smartctl")
            if answer is None:  # a disk that hangs its SMART query is a finding itself
                result.append({"device": name, "healthy": None,
                               "error": timed_out(argv, "smartctl")})
                continue
            rc = answer
            # failing now (exit status bit 3 or 4); no verdict at all (a virtual disk
            # without SMART) is not a failing disk but one this host cannot show
            healthy: bool | None = None
            if rc & (SMART_FAILING | SMART_PREFAIL_NOW) or "FAILED" in health:
                healthy = False
            elif "PASSED" in health or re.search(r"Health Status:\s*OK", health):
                healthy = True
            else:
                self.not_visible.append(f"kesehatan disk {name} (SMART tidak tersedia)")
            disk: dict[str, Any] = {"device": name, "healthy": healthy}
            if rc & SMART_PAST_THRESHOLD and healthy is not False:  # wearing out
                disk["past_threshold"] = True
            result.append(disk)
        if not result:  # virtio disks (/dev/vda) of a virtual machine: smartctl sees none
            self.not_visible.append("kesehatan disk (smartctl --scan tidak menemukan disk)")
        return result

    def certificates(self, patterns: list[str], now: datetime.datetime) -> list[dict[str, Any]]:
        openssl = self.tool("openssl")
        paths = sorted({p for pattern in patterns for p in glob.glob(pattern)})
        if paths and not openssl:
            self.not_visible.append("sertifikat (openssl tidak terpasang)")
            return []
        certs: list[dict[str, Any]] = []
        for path in paths:
            rc, out, err = self.run([str(openssl), "x509", "-enddate", "-noout", "-in", path])
            if rc != 0 or "=" not in out:
                certs.append({"path": path, "error": err.strip()[:200] or "not a PEM certificate"})
                continue
            not_after = out.strip().split("=", 1)[1]
            try:
                days_left = cert_days_left(not_after, now)
            except ValueError:
                certs.append({"path": path, "error": f"unreadable expiry date: {not_after[:80]}"})
                continue
            certs.append({"path": path, "not_after": not_after, "days_left": days_left})
        return certs


def condition(module: AnsibleModule, params: dict[str, Any]) -> dict[str, Any]:
    probe = Probe(module)
    now = datetime.datetime.now(datetime.timezone.utc)
    release = os_release(_read("/etc/os-release"))
    uptime = probe.proc(UPTIME, "uptime", 1)
    loads = probe.proc(LOADAVG, "beban", 3)
    meminfo = probe.proc(MEMINFO, "memori")
    # a court's backup share on NFS or CIFS too: a full or hung share fails the backups
    file_systems, hung, failed = measured_mounts(_read(MOUNTS), network=True)
    mountinfo = _read(MOUNTINFO)
    if not mountinfo:
        probe.not_visible.append(f"sistem berkas read-only ({MOUNTINFO} tidak terbaca)")
    updates: dict[str, Any] = {"security": [], "other": [], "held": [], "kept_back": [],
                               "phased": []}
    if probe.tool("apt-get"):
        updates = {**_updates(probe, params), "dpkg_interrupted": dpkg_interrupted()}
    else:
        probe.not_visible.append("pembaruan paket (bukan sistem apt)")
    mdstat = _read("/proc/mdstat")
    if not mdstat:
        probe.not_visible.append("RAID perangkat lunak (/proc/mdstat tidak ada)")
    return {
        "os": {"name": release.get("PRETTY_NAME", "?"), "id": release.get("ID", "?"),
               "version": release.get("VERSION_ID", "?"),
               "end_of_support": end_of_support(release, now.date())},
        "uptime_days": round(float(uptime.split()[0]) / 86400, 2) if uptime else None,
        "load": dict(zip(("1m", "5m", "15m"), map(float, loads.split()[:3])),
                     cpus=os.cpu_count() or 1) if loads else None,
        "memory_used_percent": memory_used_percent(meminfo) if meminfo is not None else None,
        "file_systems": file_systems,
        "mounts_not_answering": hung,
        "mounts_not_measured": failed,
        "read_only_mounts": read_only_mounts(mountinfo, _read(FSTAB)),
        "failed_units": probe.failed_units(),
        "updates": updates,
        "reboot_required": probe.reboot(),
        "clock_synchronized": probe.clock(),
        "raid": parse_mdstat(mdstat),
        "disks": probe.disks(),
        "certificates": probe.certificates(params["cert_paths"], now),
        "not_visible": probe.not_visible,
    }


def _updates(probe: Probe, params: dict[str, Any]) -> dict[str, Any]:
    """The pending updates. Lists apt cannot refresh (unattended-upgrades holding their
    lock, a mirror down) leave the ones it has (``stale``: why); when apt cannot say at
    all, none (``error``: why, and not visible): the rest of the report is read anyway."""
    args = (params["security_pattern"], params["hold"])
    try:
        return apt_pending(probe.ask, params["update_cache"], *args)
    except AptError as exc:
        refreshed = exc
    try:
        if params["update_cache"]:
            return {**apt_pending(probe.ask, False, *args), "stale": str(refreshed)}
    except AptError as exc:
        refreshed = exc
    probe.not_visible.append(f"pembaruan paket ({refreshed})")
    return {"security": [], "other": [], "held": [], "kept_back": [], "phased": [],
            "error": str(refreshed)}


def flags(report: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """What needs action, one line each (Bahasa Indonesia)."""
    found = []
    eos = report["os"]["end_of_support"]
    if eos["status"] == "unknown":
        found.append(f"Akhir dukungan {report['os']['name']} tidak diketahui (tambahkan ke tabel)")
    elif eos["days_left"] < 0:
        found.append(f"{report['os']['name']} sudah tidak didukung sejak {eos['date']}")
    elif eos["days_left"] <= params["eos_warn_days"]:
        found.append(f"{report['os']['name']} berakhir dukungannya {eos['date']} "
                     f"({eos['days_left']} hari lagi)")
    if report["uptime_days"] is not None and report["uptime_days"] > params["uptime_warn_days"]:
        found.append(f"Uptime {angka_ringkas(report['uptime_days'])} hari (kernel lama masih berjalan?)")
    load = report["load"]  # None: not read (named in not_visible), as uptime and memory
    if load and load["15m"] > params["load_warn_per_cpu"] * load["cpus"]:
        found.append(f"Beban tinggi: {angka_ringkas(load['15m'])} untuk {angka(load['cpus'])} CPU")
    if report["memory_used_percent"] is not None \
            and report["memory_used_percent"] > params["memory_warn_percent"]:
        found.append(f"Memori terpakai {angka(report['memory_used_percent'], 1)}%")
    for fs in report["file_systems"]:
        if fs["path"] == BOOT:  # a mount of its own: judged by room for a kernel
            found.extend(boot_short_of_room(fs, params["boot_min_free_mb"]))
        elif fs["used_percent"] >= params["disk_warn_percent"]:
            found.append(f"Disk {fs['path']} terpakai {angka(fs['used_percent'], 1)}% "
                         f"(sisa {angka(fs['free_mb'])} MB)")
        if fs["inodes_percent"] >= params["disk_warn_percent"]:
            found.append(f"Inode {fs['path']} terpakai {angka(fs['inodes_percent'], 1)}%")
    found.extend(f"Sistem berkas {not_answering(path)}"
                 for path in report["mounts_not_answering"])
    found.extend(not_measured(mount) for mount in report["mounts_not_measured"])
    found.extend(read_only_problem(path) for path in report["read_only_mounts"])
    if report["failed_units"]:
        found.append("Unit systemd gagal: " + ", ".join(report["failed_units"]))
    updates = report["updates"]
    if updates.get("stale"):
        found.append(f"Daftar paket tidak dapat diperbarui ({updates['stale']}): pembaruan "
                     "tertunda menurut daftar yang ada")
    if updates.get("dpkg_interrupted"):
        found.append("dpkg terhenti di tengah pemasangan: tidak ada pembaruan yang dapat "
                     "dipasang sebelum dpkg --configure -a")
    if updates.get("error"):
        found.append(f"Pembaruan paket tidak dapat diperiksa: {updates['error']}")
    for kind, label in (("security", "pembaruan keamanan"), ("other", "pembaruan lain")):
        if updates[kind]:
            found.append(f"{len(updates[kind])} {label} tertunda: "
                         + ", ".join(u["name"] for u in updates[kind]))
    if updates["held"]:
        found.append("Paket ditahan (tidak diperbarui otomatis): " + ", ".join(updates["held"]))
    if updates["kept_back"]:
        found.append("Paket tertahan apt (dependensinya berubah; perlu apt full-upgrade atau "
                     "ditinjau): " + ", ".join(updates["kept_back"]))
    reboot = report["reboot_required"]
    if reboot["required"]:
        found.append("Perlu reboot: " + "; ".join(reboot["reasons"]))
    if reboot["services"]:
        found.append("Layanan perlu restart: " + ", ".join(reboot["services"]))
    if report["clock_synchronized"] is False:
        found.append("Jam server tidak tersinkronisasi (NTP)")
    found.extend(f"RAID {a['name']} terdegradasi" for a in report["raid"] if a["degraded"])
    # an array the kernel could not assemble (members missing at boot) serves no data
    found.extend(f"RAID {a['name']} tidak aktif" for a in report["raid"]
                 if a["state"] == "inactive")
    found.extend(f"Disk {d['device']} tidak sehat (SMART)" for d in report["disks"]
                 if d["healthy"] is False)
    found.extend(f"Disk {d['device']} tidak menjawab SMART ({d['error']})"
                 for d in report["disks"] if d.get("error"))
    found.extend(f"Disk {d['device']} pernah melewati ambang SMART (status masih OK, tetapi "
                 "atribut usage/prefail pernah mencapai ambang): pantau dan siapkan pengganti"
                 for d in report["disks"] if d.get("past_threshold"))
    for cert in report["certificates"]:
        if "error" in cert:
            found.append(f"Sertifikat {cert['path']} tidak terbaca: {cert['error']}")
        elif cert["days_left"] < 0:  # its end passed (days_left counts whole days, floored)
            found.append(f"Sertifikat {cert['path']} sudah berakhir pada {cert['not_after']}")
        elif cert["days_left"] <= params["cert_warn_days"]:
            found.append(f"Sertifikat {cert['path']} berakhir {cert['not_after']} "
                         f"({cert['days_left']} hari lagi)")
    return found


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "update_cache": {"type": "bool", "default": True},
            "security_pattern": {"type": "str", "default": "security"},
            "hold": {"type": "list", "elements": "str", "default": []},
            "disk_warn_percent": {"type": "int", "default": 85},
            "boot_min_free_mb": {"type": "int", "default": 120},
            "eos_warn_days": {"type": "int", "default": 180},
            "load_warn_per_cpu": {"type": "float", "default": 1.5},
            "memory_warn_percent": {"type": "int", "default": 90},
            "uptime_warn_days": {"type": "int", "default": 180},
            "cert_paths": {"type": "list", "elements": "str", "default": []},
            "cert_warn_days": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    problem = pattern_problem("security_pattern", module.params["security_pattern"])
    if problem:
        module.fail_json(msg=problem, setting="security_pattern")
    # a negative one never flagged an end of support or a certificate before it passed,
    # 0 every uptime; a huge one flagged every release and certificate, no uptime
    bad_days = (duration_error(module.params, "eos_warn_days", unit="days",
                               zero="its last day only")
                or duration_error(module.params, "uptime_warn_days", unit="days")
                or duration_error(module.params, "cert_warn_days", unit="days",
                                  zero="their last day only"))
    if bad_days:
        module.fail_json(**bad_days)
    # 0 or less flagged every file system, the memory or every host, above 100 percent
    # none; a negative boot_min_free_mb never flagged a full /boot, NaN no load
    params = module.params
    bad_threshold = (range_error(params, "disk_warn_percent", **RANGES["percent"])
                     or range_error(params, "memory_warn_percent", **RANGES["percent"])
                     or range_error(params, "boot_min_free_mb", **RANGES["free_mb"])
                     or range_error(params, "load_warn_per_cpu", **RANGES["load_per_cpu"]))
    if bad_threshold:
        module.fail_json(**bad_threshold)
    # a relative pattern is read from the folder the module runs in on the host (the SSH
    # user's home), an empty one finds nothing: no certificate checked, without a word;
    # a package name has no space (' mariadb-*', a space after a comma, held nothing)
    relative = [p for p in params["cert_paths"] if not os.path.isabs(p)]
    if relative:
        module.fail_json(msg=f"cert_paths: expected an absolute path, got '{relative[0]}'",
                         setting="cert_paths")
    spaced = [p for p in params["hold"] if not p or p != "".join(p.split())]
    if spaced:
        module.fail_json(msg=f"hold: a package name pattern is not empty and has no space, "
                         f"got '{spaced[0]}'", setting="hold")
    report = condition(module, module.params)
    report["flags"] = flags(report, module.params)
    updates = report["updates"]
    module.exit_json(changed=False, condition=report, sop_output={
        "os": report["os"]["name"],
        "end_of_support": report["os"]["end_of_support"]["date"],
        "uptime_days": report["uptime_days"],
        "security_updates": [u["name"] for u in updates["security"]],
        "other_updates": [u["name"] for u in updates["other"]],
        "held": updates["held"],
        "kept_back": updates["kept_back"],
        "phased": updates["phased"],
        "reboot_required": report["reboot_required"]["required"],
        "failed_units": report["failed_units"],
        "flags": report["flags"],
    })


if __name__ == "__main__":
    main()
