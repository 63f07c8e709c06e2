#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Diagnostics of a failing server and the likely cause (SOP Penanganan Gangguan Server)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_diagnose
short_description: Collect a failing server's diagnostics and name the likely cause
description:
  - Collects what an administrator looks at first when a server fails, the diagnostics
    bundle, and names the likely causes in Bahasa Indonesia, most serious first.
  - "The bundle: journal errors of the last O(hours) hours, failed units, space and inode
    use of every data file system, out-of-memory kills, load, the state of the database and
    web services (systemd's ActiveState, SubState, Result), C(mariadb-admin ping), the tail
    of the MariaDB, web server and PHP-FPM error logs, TCP reachability of O(peers), the package
    installs, upgrades and removals of those hours (C(/var/log/dpkg.log)) and their logins;
    and the bundle's sources, where the journal, the package history and the logins were
    read."
  - "The package history is the last 400 lines of C(/var/log/dpkg.log) and, while the
    files read are whole and do not reach back to the hours' start (logrotate moves it to
    C(dpkg.log.1) each month, then compresses it to C(dpkg.log.2.gz)), of its rotations
    before them, newest first, 400 lines in all. A gzipped rotation is streamed (lines of
    8 KiB at most, a longer one left out; at most 32 MiB decompressed); one corrupt,
    truncated or larger is named in not_visible with its damage and ends the history."
  - "journalctl reads the journal in C(/var/log/journal) and C(/run/log/journal). A
    journal kept only in C(/run/log/journal), lost at each boot (no C(/var/log/journal),
    Debian 11's default, or C(Storage=volatile)), is named in not_visible: its reads
    cover only the hours since the last boot. The logins then come from
    C(/var/log/auth.log), which rsyslog keeps across boots (its last 32 MiB, RFC 3339 or
    traditional times), else from that journal, and auth.log's absence is named too."
  - "A log missing or not read (a link or a FIFO put in its place is not followed or
    waited on) is named in the bundle's not_visible, never shown as empty; a missing
    rotation, a host not rotated yet, is not. Bytes that are not UTF-8, in a log or in a
    tool's output, are shown as U+FFFD (the journal is read with C(journalctl --all),
    which writes such a message as it is, not as C([N blob data]))."
  - "A journal read (journal_errors, oom_kills, logins) that C(journalctl) did not make
    whole is named in not_visible with the first line it wrote to stderr (masked as log
    lines are), or its exit status when it wrote none: no permission, an option or a
    C(--grep) this systemd refuses, a journal file ignored as corrupt or truncated (whose
    read exits 0). A C(--grep) matching nothing (exit status 1 and no word, as grep's) is
    an empty list, not a failure."
  - "Log lines are kept as the records may show them (C(mask_log_line) of
    C(module_utils/sop_secrets.py), the rules of C(mask_command)): URL credentials,
    C(NAME=value) words with a secret-looking name, password options of a command line,
    HTTP Authorization and API-key headers, an Ansible Vault payload, the value of an
    option a client refused (C(unknown variable 'pasword=X')), the password an SQL
    statement sets (C(IDENTIFIED BY 'X'), C(SET PASSWORD ... = PASSWORD('X'))), and the
    arguments of a PHP stack frame that logs in (PDO's constructor, C(mysqli_connect), any
    function named for a connection or login) are ***.
    A log's tail is read from its last 64 KiB, and a line cut there is left out: its
    secret could not be known for one."
  - "Causes recognised: a full disk or inode table, a file system that does not answer,
    a stopped or failed database, a
    database being started (C(MariaDB sedang dijalankan (mariadb: activating/start, result
    success)): not serving yet, its crash recovery may take long; one waiting to restart,
    activating/auto-restart, is stopped) or being stopped (C(MariaDB sedang berhenti
    (mariadb: deactivating/stop-sigterm, result success)): no longer serving, not stopped
    yet), a database that does not answer C(mariadb-admin
    ping) in time, or whose unit runs while its ping fails (named by the ping's error line,
    masked as log lines are: C(Too many connections), C(Can't connect to local server
    through socket ...); an C(Access denied) is the server's answer, no cause), a web
    server or PHP-FPM that was killed, stopped, or is being started or stopped,
    other failed units, out-of-memory kills, an overloaded host, unreachable court hosts."
  - "A service is named by its kind: C(MariaDB) (mariadb, mysql), C(Web server NAME)
    (nginx, apache2, httpd), C(PHP-FPM NAME) (the PHP process manager: Debian's
    C(php8.2-fpm), RHEL's C(php-fpm)), any other C(Layanan NAME)."
  - "PHP-FPM's own log is the C(error_log) of the [global] section of its configuration
    (C(/etc/php/VERSION/fpm/php-fpm.conf); RHEL's C(/etc/php-fpm.conf)), a relative one
    under C(/var), else C(/var/log/phpVERSION-fpm.log) (RHEL's
    C(/var/log/php-fpm/error.log)); none when it is C(syslog). Its lines of the O(hours)
    hours and, its unit not running, the unit's journal lines of those hours (PHP-FPM
    writes why its configuration failed to stderr, before it opens its log) name causes,
    one line each: while the unit is down, its listen address taken (C(unable to bind
    listening socket ... Address already in use), C(Another FPM instance seems to already
    listen on ...)), its configuration not opened (C(failed to open configuration
    file)) or wrong (C(ERROR: [/etc/php/8.2/fpm/pool.d/www.conf:NN] ...)), else
    C(FPM initialization failed) alone, the line that follows each of those (named
    C(PHP-FPM php8.2-fpm gagal dijalankan) with it); and, down or running, each pool
    that reached its pm.max_children (named C(PHP-FPM php8.2-fpm: pool www mencapai
    pm.max_children) with its limit: PHP requests wait, nginx answers 502 or 504)."
  - "Out-of-memory kills are read from the journal's last O(log_lines) lines naming one:
    the kernel's, systemd-oomd's (C(Killed /system.slice/mariadb.service due to memory
    pressure ...)) and systemd's of a unit (C(A process of this unit has been killed by
    the OOM killer), C(Failed with result 'oom-kill')). Each kill is counted once and named
    with its source: the kernel's by the pid its lines name (C(kernel mariadbd pid 812
    (mariadb.service))), systemd-oomd's by unit and moment (C(systemd-oomd
    apache2.service); its kills of one unit more than 5 s apart are two), and a
    unit systemd names only when no kill read is that unit's (C(systemd
    mariadb.service)); a kernel's kill and systemd-oomd's of the same unit at the same
    moment (lines at most 5 s apart) are one kill, named with both sources (C(kernel dan
    systemd-oomd mariadbd pid 812 (mariadb.service))); another program's C(Out of memory)
    (PHP's) is none."
  - "Each tool (C(journalctl), C(systemctl), C(mariadb-admin ping)) is stopped after a time
    limit (TIME_LIMITS in C(module_utils/sop_server.py)), never a wait without end. A
    read stopped is named in the bundle's not_visible in one line with the tool and the
    limit (C(journal_errors tidak terbaca (journalctl tidak selesai dalam 120 detik))),
    what the tool wrote until then not shown; a ping stopped is a cause. A C(systemctl)
    read that fails (no systemd as PID 1, a hung manager) is named there too with its
    first error line, never shown as no unit."
  - "A data file system whose C(statvfs) does not answer within 10 seconds (C(statvfs)
    in TIME_LIMITS; a hung NFS server, a dying disk) is a cause naming its mount point
    and the seconds waited (C(Sistem berkas /srv/arsip tidak menjawab dalam 10 detik),
    then the likely cause, a hung NFS server or disk), listed in the bundle's
    mounts_not_answering; the diagnosis does not wait for it. One whose C(statvfs)
    fails (an I/O error of a dying disk, a dead FUSE client's C(ENOTCONN)) is a cause
    naming it and the system's reason (C(Sistem berkas /srv/arsip tidak dapat diukur),
    then the reason, C(Input/output error)), listed in mounts_not_measured; one unmounted meanwhile is
    left out. Network file systems (NFS, CIFS) are not measured here (server_condition
    reports them). An error log not read within those 10 seconds (a PHP-FPM pool's log on
    a hung NFS mount) is named in not_visible the same way, not waited for; so is
    C(/var/log/auth.log) not read within 60 seconds (C(log_read) in TIME_LIMITS), the
    logins then read from the journal, and the package history (C(/var/log/dpkg.log) and
    its rotations) not read within those 60 seconds, no package change shown then. A
    mount table (C(/proc/mounts)) not read (a container without C(/proc)) is named in
    not_visible, no file system measured. So is C(/proc/loadavg) not read within 10
    seconds (lxcfs's file in an LXC container, a hung lxcfs), not read, or not three
    numbers (C(beban (/proc/loadavg tidak menjawab dalam 10 detik))): the bundle's load
    is then null and no load judged."
  - Read-only; supports check mode.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  hours:
    description:
      - How far back the journal, package and login history is read.
      - >-
        1 or more and at most 87600 (ten years), else the module fails with C(setting)
        C(hours).
    type: int
    default: 24
  services:
    description:
      - The database, web server and PHP-FPM units that must run when they are enabled,
        each C(NAME) or C(NAME@INSTANCE) without C(.service).
      - A name that is no such unit name (a glob pattern, which C(systemctl show) expands
        to every loaded unit matching it, their states read as one; one beginning with
        C(-), read as an option; one given with C(.service), never found) fails the module
        with one line naming it.
    type: list
    elements: str
    default: [mariadb, mysql, nginx, apache2]
  full_percent:
    description:
      - Space or inode use (percent) that counts as full.
      - >-
        1 up to 100, else the module fails with one line naming it and C(setting)
        C(full_percent).
    type: int
    default: 97
  min_free_mb:
    description:
      - "Less free space than this (MiB) also counts as full, or less than a tenth of the
        file system's size when that is smaller: a small file system is judged by its
        size (a 62 MiB tmpfs, podman's under C(/var/lib/containers), is not full while
        empty; a 500 MiB C(/var) with 40 MiB free is)."
      - >-
        0 turns that test off (only O(full_percent) counts); up to 1048576 (1 TiB), else
        the module fails with one line naming it and C(setting) C(min_free_mb).
    type: int
    default: 100
  peers:
    description:
      - Court hosts this one must reach over TCP, as C(host), C(host:port), an IPv6
        address (C(2001:db8::1)) or C([2001:db8::1]:443); port 22 by default.
      - Anything else fails the module with one line naming it.
    type: list
    elements: str
    default: []
  load_per_cpu:
    description:
      - A 5-minute load above this per CPU counts as overloaded.
      - >-
        More than 0 and at most 100, else the module fails with one line naming it and
        C(setting) C(load_per_cpu).
    type: float
    default: 2.0
  log_lines:
    description:
      - Lines kept from each log and each journal read.
      - >-
        1 up to 1000, else the module fails with one line naming it and C(setting)
        C(log_lines).
    type: int
    default: 20
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Diagnose the SIPP server
  server_diagnose:
    hours: 6
    peers: [backup, web:80, "[2001:db8::10]:443"]
  register: diagnosis
"""

RETURN = r"""
causes:
  description: The likely causes, most serious first (Bahasa Indonesia); empty when none is visible.
  returned: success
  type: list
  elements: str
  sample: ["Disk penuh: /srv/sipp-data terpakai 100,0% (sisa 0 MB)", "MariaDB berhenti (mariadb: inactive/dead, result success)"]
summary:
  description: One line naming the likely cause.
  returned: success
  type: str
bundle:
  description: Everything collected (journal_errors, failed_units, file_systems,
    mounts_not_answering (mount points whose statvfs did not answer in time),
    mounts_not_measured (path and error of those whose statvfs failed), oom_kills,
    load (null when C(/proc/loadavg) was not read), services, mariadb_ping (rc; output,
    its first 10 lines, masked; error, why the server did not answer, or null;
    timed_out), logs, php_fpm (by PHP-FPM service, its
    error_log, null for syslog, and the lines its causes are read from), peers, packages,
    logins); sources,
    where it was read (journal, its folders holding journal files; packages, the dpkg logs read;
    logins, auth.log or the journal's folders); and not_visible, what this host did not
    show, one Bahasa line each (tools it lacks, such as journalctl, systemctl and
    mariadb-admin, C(journalctl tidak terpasang); reads stopped at their tool's time
    limit; logs missing or not read; the load not read; journal reads not whole; a
    journal lost at each boot, or none).
  returned: success
  type: dict
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output
    (penyebab and ringkasan, the causes and summary; unit_gagal, the failed units;
    layanan, each service's state; tidak_terlihat, the bundle's not_visible, its first
    10 lines, then one line counting the others, which the bundle names; C(dan 3
    lainnya) begins it).
  returned: success
  type: dict
"""

import collections  # noqa: E402
import datetime  # noqa: E402
import errno  # noqa: E402
import functools  # noqa: E402
import glob  # noqa: E402
import gzip  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_clock import parse_moment  # noqa: E402
from ansible.module_utils.sop_mariadb import MAX_PING_LINE, ping_failure  # noqa: E402
from ansible.module_utils.sop_net import split_host_port  # noqa: E402
from ansible.module_utils.sop_options import RANGES, duration_error, range_error  # noqa: E402
from ansible.module_utils.sop_secrets import mask_log_line  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    TIME_LIMITS,
    MeasuredMounts,
    NotAnswered,
    bounded,
    first_line,
    measured_mounts,
    not_answering,
    not_measured,
    run_bounded,
    services_problem,
    timed_out,
)
from ansible.module_utils.sop_tree import open_regular  # noqa: E402

ERROR_LOGS = {
    "mariadb": ["/var/log/mysql/error.log", "/var/log/mariadb/mariadb.log"],
    "mysql": ["/var/log/mysql/error.log"],
    "nginx": ["/var/log/nginx/error.log"],
    "apache2": ["/var/log/apache2/error.log"],
}
DATABASES = ("mariadb", "mysql")
# The kinds of services the causes name, by unit name: the database (MariaDB, mysql its
# alias on Debian), the web servers (Debian's apache2, RHEL's httpd) and PHP-FPM, the PHP
# process manager behind them (Debian's php8.2-fpm, its version in the name; RHEL's
# php-fpm), the names the role's default services add (defaults/main.yml, the same
# pattern).
WEB_SERVERS = ("nginx", "apache2", "httpd")
PHP_FPM = re.compile(r"php([0-9.]*)-fpm")
# PHP-FPM's configuration, whose [global] error_log names its own log, and that log when
# it names none: Debian's by version, RHEL's. A relative error_log is under FPM's
# prefix for it (PHP's localstatedir, /var); 'syslog' is the journal's.
PHP_FPM_FILES = {"debian": ("/etc/php/{version}/fpm/php-fpm.conf", "/var/log/php{version}-fpm.log"),
                 "rhel": ("/etc/php-fpm.conf", "/var/log/php-fpm/error.log")}
PHP_FPM_PREFIX = "/var"
CONF_BYTES = 2**20
# systemd's ActiveStates of a unit that serves (reloading: it reads its configuration
# again, as logrotate's postrotate makes a web server do).
RUNNING = ("active", "reloading")
# The share of a file system's size that is the bound of its free space when less than
# min_free_mb: on one smaller than ten times that, so many MiB free is no full disk.
MIN_FREE_SHARE = 0.1
DPKG_LOG = "/var/log/dpkg.log"
# journald writes to the first when it is there (Storage=auto) or Storage=persistent,
# else to the second, in memory, lost at each boot (Storage=volatile; Debian 11 and older
# without /var/log/journal); rsyslog's login log is then the one kept across boots.
JOURNAL = "/var/log/journal"
RUNTIME_JOURNAL = "/run/log/journal"
AUTH_LOG = "/var/log/auth.log"
MOUNTS = "/proc/mounts"
# The kernel's load averages; in an LXC container lxcfs's FUSE file in its place, whose
# read a hung lxcfs blocks for good: read within TIME_LIMITS["statvfs"].
LOADAVG = "/proc/loadavg"
# dpkg.log lines read (with its rotations', when read), the bytes a log's tail is read
# from, the bytes streamed of auth.log's end or of a gzip rotation, and a line's length.
HISTORY_LINES = 400
TAIL_BYTES = 64 * 1024
SCAN_BYTES = 32 * 2**20
MAX_LINE = 8192
# mariadb-admin ping: its output's lines kept (each cut as ping_failure cuts its line).
PING_LINES = 10
# not_visible's first lines the record keeps (sop_output's tidak_terlihat); the others
# counted in one line after them, all of them in the bundle.
RECORDED_NOT_VISIBLE = 10
# The journal lines of an OOM kill, oom_kills' --grep (PCRE2; with capitals, matched
# case-sensitively): the kernel's ('X invoked oom-killer', 'oom-kill:...', 'Out of memory:
# Killed process N', 'oom_reaper: reaped process N'), systemd's of the unit ('U: A process
# of this unit has been killed by the OOM killer.', 'U: systemd-oomd killed N process(es)
# in this unit.', 'U: Failed with result 'oom-kill'.') and systemd-oomd's (systemd 252:
# 'Killed /system.slice/U due to memory pressure for ...', '... due to memory used ...';
# 254 and later: 'Marked /system.slice/U for killing due to ...').
OOM_GREP = ("Out of memory|oom-kill|oom_reaper|killed by the OOM killer|systemd-oomd killed"
            "|(Killed|for killing) /.* due to (memory|swap)")
# A process the kernel's OOM killer ended, by its pid and name (Debian 10's 4.19: 'Killed
# process N (name)' after 'Kill process N (name)'; 'oom-kill:...,task=name,pid=N'), and the
# cgroup it ran in ('oom-kill:...,task_memcg=/system.slice/mariadb.service,...').
OOM_VICTIM = re.compile(r"(?:[Kk]ill(?:ed)? process |reaped process )(\d+) \(([^)]*)\)"
                        r"|,task=([^,]*),pid=(\d+)")
OOM_MEMCG = re.compile(r"task_memcg=([^,\s]*)")
KERNEL_LINE = re.compile(r"(?:^|\s)kernel: ")
# A cgroup systemd-oomd killed, and a unit systemd says a kill ended: by systemd-oomd, by
# the kernel, or either ('Failed with result 'oom-kill'').
OOMD_KILL = re.compile(r"(?:Killed|Marked) (/\S*) (?:for killing )?due to ")
UNIT_OOM = re.compile(r"(\S+): (?:(systemd-oomd killed)|A process of this unit has been "
                      r"killed by the OOM killer|Failed with result 'oom-kill')")
# The seconds between a kernel OOM kill's lines and systemd-oomd's kill of the same unit
# that make them one kill: the kernel's OOM killer and systemd-oomd (polling memory
# pressure each second, counters lagging about 2 s: oomd-manager.h) both ending the
# unit's process at one moment, logged in whole seconds (short-iso).
SAME_KILL_SECONDS = 5
# An sshd login line of auth.log (OpenSSH 9.8 logs each login as sshd-session).
SSHD_LOGIN = re.compile(r" sshd(?:-session)?\[\d+\]: (?:Accepted|Failed password) ")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# PHP-FPM's lines (fpm_sockets.c, fpm_conf.c, fpm.c, fpm_process_ctl.c; a system error
# followed by ': strerror (errno)'), each beginning with its time in its own log
# ('[05-Dec-2026 10:00:00] ERROR: ...'): why it stopped or could not start, and a pool
# out of children (pm.max_children; ondemand's 'max_children').
FPM_TIME = re.compile(r"\[(\d\d)-([A-Z][a-z]{2})-(\d{4}) (\d\d):(\d\d):(\d\d)(?:\.\d+)?\] ")
FPM_BIND = re.compile(r"unable to bind listening socket for address '([^']*)': (.+)")
FPM_ANOTHER = re.compile(r"Another FPM instance seems to already listen on (\S+)")
FPM_OPEN_CONF = re.compile(r"failed to open configuration file '([^']*)': (.+)")
FPM_CONF_ERROR = re.compile(r"ERROR: \[(/[^\]]*):(\d+)\] (.+)")
FPM_INIT_FAILED = "FPM initialization failed"
FPM_MAX_CHILDREN = re.compile(r"\[pool ([^\]]+)\] server reached (?:pm\.)?max_children "
                              r"setting \((\d+)\)")


def read_tail(path: str, lines: int) -> tuple[list[str], bool]:
    """The last ``lines`` lines of the regular file ``path``, masked, read from its last
    TAIL_BYTES bytes, and whether they begin the file. A line cut at the window's start
    is left out: its masking could not see a secret's name (a PDO constructor's password
    shown as written). Log folders belong to services' accounts (/var/log/mysql): a link
    put in a log's place is not followed (root would copy /etc/shadow into the bundle)
    and a FIFO is not waited on: OSError as open_regular says."""
    fd, info = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        start = max(0, info.st_size - TAIL_BYTES)
        handle.seek(max(0, start - 1))  # the byte before: is the first line whole?
        data = handle.read(TAIL_BYTES + (1 if start else 0))
    if start:
        data = data[data.find(b"\n") + 1:] if b"\n" in data else b""
    text = data.decode("utf-8", "replace").splitlines()
    kept = text[-lines:]
    return [mask_log_line(line) for line in kept], start == 0 and len(kept) == len(text)


def fpm_error_log(text: str) -> str | None:
    """The error_log of a php-fpm.conf's text, as written, set in its [global] section
    (its lines before any section too; a pool's section cannot set it); None when none
    is. A line's ';' begins a comment, a value may be quoted."""
    section, value = "global", None
    for line in map(str.strip, text.splitlines()):
        if line.startswith("["):
            section = line[1:].split("]", 1)[0].strip().lower()
            continue
        key, sep, rest = line.partition("=")
        rest = rest.strip()
        if section == "global" and sep and key.strip() == "error_log":
            value = rest[1:].split(rest[0], 1)[0] if rest[:1] in ('"', "'") \
                else rest.split(";", 1)[0].strip()
    return value or None


def fpm_logged_at(line: str) -> datetime.datetime | None:
    """The time (the host's local time) a line of PHP-FPM's log begins with, or None."""
    match = FPM_TIME.match(line)
    if not match or match.group(2) not in MONTHS:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime.datetime(int(year), MONTHS.index(month) + 1, int(day), int(hour),
                                 int(minute), int(second))
    except ValueError:
        return None


def php_fpm_causes(label: str, lines: list[str], down: bool) -> list[str]:
    """The causes PHP-FPM's ``lines`` name, one line each, each once: while its unit is
    down, why it stopped or could not start (its listen address taken, by another FPM
    too; its configuration not opened or wrong; 'FPM initialization failed' only when no
    line says why, the line that follows each of those); and each pool that reached its
    pm.max_children, PHP requests waiting (nginx answering 502 or 504) while it runs."""
    startup: list[str] = []
    failed = False
    pools: dict[str, str] = {}
    for line in lines:
        bind, another = FPM_BIND.search(line), FPM_ANOTHER.search(line)
        opened, wrong = FPM_OPEN_CONF.search(line), FPM_CONF_ERROR.search(line)
        full = FPM_MAX_CHILDREN.search(line)
        if bind:
            taken = ": sudah dipakai proses lain" \
                if bind.group(2).startswith("Address already in use") else ""
            startup.append(f"{label} tidak dapat membuka soket listen {bind.group(1)}{taken} "
                           f"({bind.group(2)})")
        elif another:
            startup.append(f"{label}: PHP-FPM lain sudah mendengarkan di {another.group(1)}")
        elif opened:
            startup.append(f"{label} tidak dapat membuka berkas konfigurasi {opened.group(1)} "
                           f"({opened.group(2)})")
        elif wrong:
            startup.append(f"{label}: konfigurasi salah di {wrong.group(1)} baris "
                           f"{wrong.group(2)} ({wrong.group(3)})")
        elif full:
            pools[full.group(1)] = full.group(2)
        failed = failed or FPM_INIT_FAILED in line
    found = list(dict.fromkeys(startup)) if down else []
    if down and failed and not found:
        found.append(f"{label} gagal dijalankan ({FPM_INIT_FAILED})")
    return found + [f"{label}: pool {pool} mencapai pm.max_children ({limit}), permintaan PHP "
                    "menunggu" for pool, limit in pools.items()]


def tail_if_there(path: str, lines: int) -> list[str] | None:
    """read_tail's lines of ``path``, None when there is no such file (not even a
    dangling link); OSError as read_tail raises it (os.path.lexists read a dead mount's,
    an NFS server's ESTALE, as no such file)."""
    try:
        return read_tail(path, lines)[0]
    except (FileNotFoundError, NotADirectoryError):
        return None


def unreadable(path: str, exc: OSError) -> str:
    """The bundle's not_visible line for a log that could not be read."""
    if exc.errno == errno.ENOENT:
        return f"{path} tidak ada"
    cause = {errno.ELOOP: "tautan simbolik, tidak diikuti",
             errno.EINVAL: "bukan berkas biasa"}.get(exc.errno or 0) \
        or exc.strerror or str(exc)  # gzip's 'Not a gzipped file' has no errno
    return f"{path} tidak terbaca ({cause})"


def logged_at(line: str) -> datetime.datetime | None:
    """The time a dpkg.log line begins with (the host's local time), or None."""
    try:
        return datetime.datetime.strptime(" ".join(line.split()[:2]), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def package_changes(lines: list[str], since: datetime.datetime, limit: int) -> list[str]:
    """The last ``limit`` installs, upgrades and removals of dpkg.log's ``lines`` made
    since ``since`` (dpkg writes the host's local time: '2026-11-30 10:11:12 upgrade
    rsync:amd64 3.2.7-1 3.2.7-1+deb12u2'); a line without such a time is left out."""
    changes = []
    for line in lines:
        words = line.split()
        if len(words) < 3 or words[2] not in ("install", "upgrade", "remove"):
            continue
        moment = logged_at(line)
        if moment is not None and moment >= since:
            changes.append(line)
    return changes[-limit:]


def whole_lines(handle: io.BufferedIOBase, limit: int, cut: bool = False) -> Iterator[str]:
    """The lines of ``handle``'s next ``limit`` bytes (decoded, a byte not UTF-8
    replaced), read a line of at most MAX_LINE bytes at a time: a longer line, an
    unfinished last one and, when ``cut``, the first are left out (cut, their masking
    could not see a secret's name)."""
    read = 0
    while read < limit:
        chunk = handle.readline(min(MAX_LINE, limit - read))
        if not chunk:
            return
        read += len(chunk)
        if chunk.endswith(b"\n"):
            if not cut:
                yield chunk[:-1].decode("utf-8", "replace")
            cut = False
        else:
            cut = True


def read_gzip(path: str, lines: int) -> list[str]:
    """The last ``lines`` lines of the gzip-compressed regular file ``path``, masked,
    streamed (at most ``lines`` kept, SCAN_BYTES decompressed: OSError EFBIG past them,
    a rotation decompressing without end is not read to its end); OSError as
    open_regular says, or naming the damage of a corrupt or truncated file."""
    fd, _info = open_regular(path)
    with os.fdopen(fd, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as handle:
        try:
            kept = collections.deque(whole_lines(handle, SCAN_BYTES), maxlen=lines)
            if handle.read(1):
                raise OSError(errno.EFBIG, f"lebih dari {SCAN_BYTES // 2**20} MiB setelah "
                              "diekstrak, tidak dibaca")
        except (EOFError, zlib.error) as exc:  # truncated, or data not deflate's
            raise OSError(errno.EIO, f"gzip rusak: {exc}") from None
    return [mask_log_line(line) for line in kept]


def rotations(log: str) -> Iterator[str]:
    """``log``'s rotations, newest first: log.1, log.2.gz, ... (logrotate's compress
    and delaycompress; log.N or log.N.gz alike), up to the first number missing."""
    number = 1
    while True:
        found = [name for name in (f"{log}.{number}", f"{log}.{number}.gz")
                 if os.path.lexists(name)]
        if not found:
            return
        yield found[0]
        number += 1


def package_history(log: str, since: datetime.datetime
                    ) -> tuple[list[str], list[str], list[str]]:
    """The last HISTORY_LINES lines of dpkg's log ``log`` and, while those read are
    whole files not reaching back to ``since``, of its rotations before them (logrotate
    left the window's first hours there: ``log``.1, then ``log``.2.gz, ...); the files
    read; and the not_visible lines of what could not be read. A rotation not read ends
    the history (what it held is not known); a missing ``log`` does not."""
    lines: list[str] = []
    read: list[str] = []
    problems = []
    for path in (log, *rotations(log)):
        try:
            if path.endswith(".gz"):
                older, whole = read_gzip(path, HISTORY_LINES - len(lines)), True
            else:
                older, whole = read_tail(path, HISTORY_LINES - len(lines))
        except OSError as exc:
            problems.append(unreadable(path, exc))
            if path == log:
                continue
            break
        lines = older + lines
        read.append(path)
        first = next((t for t in map(logged_at, older) if t is not None), None)
        if not whole or len(lines) >= HISTORY_LINES or (first is not None and first <= since):
            break
    return lines, read, problems


def syslog_time(line: str, now: datetime.datetime) -> datetime.datetime | None:
    """The host's local time a syslog line begins with, or None: RFC 3339 (rsyslog on
    Debian 12: '2026-01-05T10:00:00.123456+07:00') or the traditional 'Jan  5 10:00:00'
    (no year: this year's, or last year's when that lies more than a day ahead of
    ``now``)."""
    words = line.split(maxsplit=3)
    if not words:
        return None
    try:
        moment = parse_moment(words[0], time_required=True)
        return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        pass
    if len(words) < 3 or words[0] not in MONTHS:
        return None
    text = f"{MONTHS.index(words[0]) + 1} {words[1]} {words[2]}"
    for year in (now.year, now.year - 1):
        try:
            moment = datetime.datetime.strptime(f"{year} {text}", "%Y %m %d %H:%M:%S")
        except ValueError:  # 29 Feb of another year, or no time
            continue
        if moment <= now + datetime.timedelta(days=1):
            return moment
    return None


def auth_logins(path: str, since: datetime.datetime, limit: int) -> list[str]:
    """The last ``limit`` sshd logins (accepted, or a failed password) that the syslog
    file ``path`` (auth.log) logged since ``since``, masked, streamed from its last
    SCAN_BYTES (a line cut there left out); OSError as open_regular says."""
    now = datetime.datetime.now()
    fd, info = open_regular(path)
    kept: collections.deque[str] = collections.deque(maxlen=limit)
    with os.fdopen(fd, "rb") as handle:
        start = max(0, info.st_size - SCAN_BYTES)
        cut = False
        if start:
            handle.seek(start - 1)
            cut = handle.read(1) != b"\n"
        for line in whole_lines(handle, info.st_size - start, cut):
            if SSHD_LOGIN.search(line):
                moment = syslog_time(line, now)
                if moment is not None and moment >= since:
                    kept.append(line)
    return [mask_log_line(line) for line in kept]


def journal_folders() -> list[str]:
    """JOURNAL and RUNTIME_JOURNAL, those holding journal files (journald's
    <folder>/<machine id>/*.journal), which journalctl reads."""
    return [folder for folder in (JOURNAL, RUNTIME_JOURNAL)
            if glob.glob(os.path.join(glob.escape(folder), "*", "*.journal"))]


def journal_problem(rc: int | None, err: str, grep: bool) -> str | None:
    """What kept a journalctl -q read from being whole: the first line it wrote to stderr,
    masked (with -q it writes only warnings and errors: a journal file ignored as corrupt
    or truncated with exit status 0, no permission, an option or a --grep this systemd
    refuses), or its exit status when it wrote none. None for a whole read, for --grep
    matching nothing (exit status 1 and no word, as grep's) and for a tool missing or
    stopped (rc None: named by Collector.run)."""
    if rc is None:
        return None
    first = next((line.strip() for line in err.splitlines() if line.strip()), "")
    if first:
        return mask_log_line(first)
    if rc == 0 or (rc == 1 and grep):
        return None
    return f"kode keluar {rc}"


def read_mounts() -> str:
    """MOUNTS, /proc/mounts (a proc file: read whole, it has no size to seek from)."""
    with open(MOUNTS, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def read_load() -> dict[str, float]:
    """This host's load averages (LOADAVG) and its CPUs; OSError as open() raises it,
    ValueError when its text does not begin with three numbers."""
    with open(LOADAVG, encoding="ascii", errors="replace") as handle:
        words = handle.read().split()[:3]
    try:
        one, five, fifteen = (float(word) for word in words)
    except ValueError:  # fewer than three words, or one that is no number
        raise ValueError("isinya bukan tiga angka beban") from None
    return {"1m": one, "5m": five, "15m": fifteen, "cpus": os.cpu_count() or 1}


def not_read_in_time(path: str) -> str:
    """The not_visible line of a log not read within TIME_LIMITS["log_read"]."""
    return (f"{path} tidak terbaca dalam {angka(TIME_LIMITS['log_read'])} detik "
            "(disk atau NFS macet?)")


def reachable(peer: str, timeout: float = 3.0) -> dict[str, Any]:
    """A TCP connection to ``peer`` (checked by unusable_peers: no ValueError here)."""
    try:
        with socket.create_connection(split_host_port(peer, 22), timeout=timeout):
            return {"peer": peer, "reachable": True}
    except OSError as exc:
        return {"peer": peer, "reachable": False, "error": str(exc)}


def unusable_peers(peers: list[str]) -> list[str]:
    """The peers that name no address: not HOST, HOST:PORT, IPv6 or [IPv6]:PORT, or a
    host that is no DNS name (a label longer than 63 characters or empty: the
    connection's IDNA encoding raised UnicodeError, a traceback)."""
    bad = []
    for peer in peers:
        try:
            split_host_port(peer, 22)[0].encode("idna")
        except ValueError:  # UnicodeError is one
            bad.append(peer)
    return bad


class Collector:
    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.not_visible: list[str] = []
        self.sources: dict[str, list[str]] = {}
        self.since = datetime.datetime.now() - datetime.timedelta(hours=self.params["hours"])

    def note(self, line: str) -> None:
        """Name in not_visible, once, what this host did not show."""
        if line not in self.not_visible:
            self.not_visible.append(line)

    def tool(self, name: str) -> str | None:
        """The path of a tool, or None (named in not_visible): a host without it (no
        journalctl, MariaDB 10.3 or MySQL without mariadb-admin) is still diagnosed,
        not failed with run_command's 'Error executing command.'."""
        path = self.module.get_bin_path(name)
        if not path:
            self.note(f"{name} tidak terpasang")
        return str(path) if path else None

    def run(self, argv: list[str], read: str, limit: str | None = None
            ) -> tuple[int | None, str, str]:
        """The tool's exit status, output and errors (a byte not UTF-8 replaced: a
        surrogate escape in the result breaks the records). A tool the host lacks
        (tool()) and one stopped at its time limit (TIME_LIMITS[limit or argv[0]]) have
        the status None and no output: the latter's, cut where it was stopped, is not
        the bundle's ``read``, which is named in not_visible with the tool and the limit."""
        program = self.tool(argv[0])
        if not program:
            return None, "", ""
        limit = limit or argv[0]
        rc, out, err = run_bounded(self.module, [program, *argv[1:]], limit,
                                   environ_update={"LC_ALL": "C"}, errors="replace")
        if rc is None:
            self.note(f"{read} tidak terbaca ({timed_out(argv, limit)})")
            return None, "", ""
        return rc, out, err

    def systemctl(self, args: list[str], read: str) -> str:
        """systemctl's output; one that failed (no systemd as PID 1, a hung manager) is
        named in not_visible with its first error line, never read as no unit."""
        rc, out, err = self.run(["systemctl", *args], read)
        if rc:
            self.note(f"{read} tidak terbaca (systemctl: {first_line(err, rc)})")
            return ""
        return out

    def journal(self, read: str, *args: str) -> list[str]:
        """The last log_lines journal lines of the hours that ``args`` select, masked; the
        bundle's ``read`` journalctl did not make whole is named in not_visible
        (journal_problem), never shown as a journal without such lines."""
        # --all: a message with a byte not UTF-8 or a control character is written as
        # it is, not as '[N blob data]'
        rc, out, err = self.run(["journalctl", "--no-pager", "-q", "--all", "-o", "short-iso",
                                 "--since", f"-{self.params['hours']}h",
                                 "-n", str(self.params["log_lines"]), *args], read)
        problem = journal_problem(rc, err, "--grep" in args)
        if problem:
            self.note(f"{read} tidak terbaca utuh (journalctl: {problem})")
        lines = out.splitlines()
        return [mask_log_line(line) for line in lines[-self.params["log_lines"]:]]

    def journal_storage(self) -> list[str]:
        """The journal folders journalctl reads (journal_folders); a journal lost at each
        boot (in RUNTIME_JOURNAL: JOURNAL missing, or unused with Storage=volatile) or
        none at all is named in not_visible: its reads show only the hours since the
        last boot, or nothing."""
        folders = journal_folders()
        if RUNTIME_JOURNAL in folders:
            state = "tidak dipakai" if os.path.isdir(JOURNAL) else "tidak ada"
            self.note(f"{JOURNAL} {state}: journal hanya di {RUNTIME_JOURNAL}, "
                      "sejak boot terakhir")
        elif not folders:
            self.note(f"journal tidak ada di {JOURNAL} maupun {RUNTIME_JOURNAL}")
        return folders

    def logins(self, journals: list[str]) -> list[str]:
        """The sshd logins of the hours: the journal's (``journals``, its folders) while
        it is kept across boots, else auth.log's (rsyslog keeps it) when it is there,
        else the journal's since the last boot; auth.log missing, not read or not read
        within TIME_LIMITS["log_read"] then is named in not_visible."""
        if journals and RUNTIME_JOURNAL not in journals:
            self.sources["logins"] = journals
        else:
            # within TIME_LIMITS["log_read"]: auth.log on a hung disk or NFS mount blocks
            # its open and read for good
            try:
                found = bounded(functools.partial(auth_logins, AUTH_LOG, self.since,
                                                  self.params["log_lines"]),
                                TIME_LIMITS["log_read"])
                self.sources["logins"] = [AUTH_LOG]
                return found
            except NotAnswered:
                self.note(not_read_in_time(AUTH_LOG))
                self.sources["logins"] = journals
            except OSError as exc:
                self.note(unreadable(AUTH_LOG, exc))
                self.sources["logins"] = journals
        return self.journal("logins", "-t", "sshd",
                            "-t", "sshd-session",  # OpenSSH 9.8: per login
                            "--grep", "Accepted|Failed password")

    def error_logs(self, services: list[dict[str, Any]],
                   php_fpm: dict[str, str | None]) -> dict[str, list[str]]:
        """The tails of the services' error logs that are there (``php_fpm``, those of
        the PHP-FPM services, php_fpm_log); one there but not read (a link or a FIFO put
        in its place, no permission) is named in not_visible."""
        paths = [p for s in services for p in ERROR_LOGS.get(s["name"], [])]
        logs = {}
        for path in dict.fromkeys([*paths, *filter(None, php_fpm.values())]):
            # within TIME_LIMITS["statvfs"]: a log on a hung NFS mount (a pool's error_log
            # on a shared web root) blocks its stat and open for good
            try:
                tail = bounded(functools.partial(tail_if_there, path, self.params["log_lines"]),
                               TIME_LIMITS["statvfs"])
            except NotAnswered:
                self.note(not_answering(path))
                continue
            except OSError as exc:
                self.note(unreadable(path, exc))
                continue
            if tail is not None:
                logs[path] = tail
        return logs

    def php_fpm_log(self, name: str) -> str | None:
        """The error log of the PHP-FPM service ``name`` (PHP_FPM): the [global]
        error_log of its configuration (fpm_error_log), else its default (PHP_FPM_FILES);
        None when it logs to syslog (the journal). A configuration there but not read
        is named in not_visible, the default log read instead."""
        match = PHP_FPM.fullmatch(name)
        version = match.group(1) if match else ""
        conf, default = (path.format(version=version)
                         for path in PHP_FPM_FILES["debian" if version else "rhel"])
        try:
            fd, _info = open_regular(conf)
            with os.fdopen(fd, "rb") as handle:
                text = handle.read(CONF_BYTES).decode("utf-8", "replace")
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                self.note(unreadable(conf, exc))
            return default
        path = fpm_error_log(text) or default
        return None if path == "syslog" else os.path.join(PHP_FPM_PREFIX, path)

    def php_fpm(self, services: list[dict[str, Any]], paths: dict[str, str | None],
                logs: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
        """Each PHP-FPM service's error log (``paths``) and the lines its causes are read
        from: its log's (``logs``) logged in the hours and, its unit not running, its
        journal's of the hours (PHP-FPM writes why its configuration failed to stderr,
        before it opens its log)."""
        found = {}
        for svc in services:
            if svc["name"] not in paths:
                continue
            path = paths[svc["name"]]
            lines = [line for line in logs.get(path or "", [])
                     if (fpm_logged_at(line) or datetime.datetime.min) >= self.since]
            if svc["active"] not in RUNNING:
                lines += self.journal(f"journal {svc['unit']}", "-u", svc["unit"])
            found[svc["name"]] = {"error_log": path, "lines": lines}
        return found

    def packages(self) -> list[str]:
        """The package changes of the last hours (package_history, package_changes),
        read within TIME_LIMITS["log_read"]: dpkg.log on a hung disk or NFS mount blocks
        its open and read for good; not read by then, it is named in not_visible, no
        package change shown."""
        try:
            lines, self.sources["packages"], problems = bounded(
                functools.partial(package_history, DPKG_LOG, self.since),
                TIME_LIMITS["log_read"])
        except NotAnswered:
            self.note(not_read_in_time(DPKG_LOG))
            self.sources["packages"] = []
            return []
        for line in problems:
            self.note(line)
        return package_changes(lines, self.since, self.params["log_lines"])

    def service(self, name: str) -> dict[str, Any] | None:
        props = dict(line.split("=", 1) for line in self.systemctl(
            ["show", f"{name}.service", "-p",
             "Id,LoadState,ActiveState,SubState,Result,UnitFileState,ExecMainStatus"],
            f"layanan {name}").splitlines() if "=" in line)
        if props.get("LoadState") != "loaded":
            return None
        return {"name": name, "unit": props.get("Id"), "active": props.get("ActiveState"), "sub": props.get("SubState"),
                "result": props.get("Result"), "enabled": props.get("UnitFileState"),
                "exit_status": props.get("ExecMainStatus")}

    def ping(self) -> dict[str, Any]:
        """mariadb-admin ping (mysqladmin where it is missing): one that does not end
        (a hung server accepts the connection, never answers) is timed_out."""
        admin = self.module.get_bin_path("mariadb-admin") \
            or self.module.get_bin_path("mysqladmin")
        if not admin:
            missing = "mariadb-admin/mysqladmin tidak terpasang"
            self.note(missing)
            return {"rc": None, "output": missing}
        rc, out, err = run_bounded(self.module, [str(admin), "ping"], "ping", errors="replace")
        if rc is None:
            return {"rc": None, "timed_out": True, "output": timed_out([str(admin)], "ping")}
        lines = [mask_log_line(line.strip()) for line in (out + "\n" + err).splitlines()
                 if line.strip()]
        output = "\n".join(line[:MAX_PING_LINE] for line in lines[:PING_LINES])
        return {"rc": rc, "output": output, "error": ping_failure(rc, lines)}

    def load(self) -> dict[str, float] | None:
        """read_load() within TIME_LIMITS["statvfs"] (LOADAVG: lxcfs's file in an LXC
        container, a hung lxcfs blocks its read); one not read in time, not read, or not
        the kernel's three numbers is named in not_visible, None: no load judged."""
        try:
            return bounded(read_load, TIME_LIMITS["statvfs"])
        except NotAnswered:
            self.note(f"beban ({LOADAVG} tidak menjawab dalam "
                      f"{angka(TIME_LIMITS['statvfs'])} detik)")
        except OSError as exc:
            self.note(f"beban ({unreadable(LOADAVG, exc)})")
        except ValueError as exc:
            self.note(f"beban ({LOADAVG} tidak terbaca ({exc}))")
        return None

    def mounts(self) -> MeasuredMounts:
        """measured_mounts() of MOUNTS; a mount table not read (no /proc in a container)
        is named in not_visible, no file system measured, never read as none."""
        try:
            text = read_mounts()
        except OSError as exc:
            self.note(f"sistem berkas ({unreadable(MOUNTS, exc)})")
            text = ""
        return measured_mounts(text)

    def collect(self) -> dict[str, Any]:
        services: list[dict[str, Any]] = []
        for name in self.params["services"]:
            found = self.service(name)
            # mysql.service is an alias of mariadb.service on Debian: one unit, named once
            if found and found["unit"] not in [s["unit"] for s in services]:
                services.append(found)
        ping = self.ping() if any(s["name"] in DATABASES for s in services) else None
        journals = self.sources["journal"] = self.journal_storage()
        fpm_logs = {s["name"]: self.php_fpm_log(s["name"]) for s in services
                    if PHP_FPM.fullmatch(s["name"])}
        logs = self.error_logs(services, fpm_logs)
        file_systems, hung, failed = self.mounts()
        return {
            "journal_errors": self.journal("journal_errors", "-p", "err"),
            "failed_units": [line.split()[0] for line in self.systemctl(
                ["list-units", "--state=failed", "--plain", "--no-legend"],
                "failed_units").splitlines() if line.strip()],
            "file_systems": file_systems,
            "mounts_not_answering": hung,
            "mounts_not_measured": failed,
            "oom_kills": self.journal("oom_kills", "--grep", OOM_GREP),
            "load": self.load(),
            "services": services,
            "mariadb_ping": ping,
            "logs": logs,
            "php_fpm": self.php_fpm(services, fpm_logs, logs),
            "peers": [reachable(p) for p in self.params["peers"]],
            "packages": self.packages(),
            "logins": self.logins(journals),
            "sources": self.sources,
            "not_visible": self.not_visible,
        }


class OomKill:
    """One OOM kill and who made it: kernel (a process, by pid; and systemd-oomd too when
    it killed the process's unit at the same moment), systemd-oomd (a unit's cgroup) or
    systemd (a unit it says a kill ended, the kill's own lines not read); ``when``, the
    time of its first line read. A plain class: a dataclass needs its module in
    sys.modules, which a module loaded by path for its documentation is not."""

    def __init__(self, source: str, when: float | None, unit: str | None = None,
                 pid: str | None = None) -> None:
        self.source = source
        self.when = when
        self.unit = unit
        self.pid = pid
        self.name: str | None = None
        self.oomd = False

    def __str__(self) -> str:
        if self.source != "kernel":
            return f"{self.source} {self.unit}"
        source = "kernel dan systemd-oomd" if self.oomd else "kernel"
        if self.pid is None:
            return f"{source} ({self.unit or 'korban tidak tercatat'})"
        victim = f"{source} {self.name or 'proses'} pid {self.pid}"
        return f"{victim} ({self.unit})" if self.unit else victim


def logged_when(line: str) -> float | None:
    """The time (epoch seconds) a journal line (short-iso) begins with, or None."""
    try:
        return parse_moment(line.split(maxsplit=1)[0], time_required=True).timestamp()
    except (ValueError, OverflowError, IndexError):
        return None


def same_kill(kernel: OomKill, oomd: OomKill) -> bool:
    """Whether systemd-oomd's kill ``oomd`` is the kernel's ``kernel``: the same unit's
    process at the same moment (their lines at most SAME_KILL_SECONDS apart)."""
    return kernel.source == "kernel" and kernel.unit == oomd.unit \
        and kernel.when is not None and oomd.when is not None \
        and abs(kernel.when - oomd.when) <= SAME_KILL_SECONDS


def cgroup_unit(path: str) -> str | None:
    """The unit of a cgroup path (/system.slice/mariadb.service), None for the root."""
    return path.rstrip("/").rsplit("/", 1)[-1] or None


def count_oomd_kill(kills: dict[str, OomKill], unit: str, when: float | None) -> None:
    """Count a line of systemd-oomd's kill of ``unit`` logged at ``when``: the unit's last
    kill read (its own line and systemd's come together), unless both times are known and
    more than SAME_KILL_SECONDS apart: then a kill of its own (systemd-oomd kills a unit
    again only after its pressure builds up for its duration again, 20 s and more)."""
    same = [kill for kill in kills.values() if kill.source == "systemd-oomd" and kill.unit == unit]
    last = same[-1].when if same else None
    if same and (last is None or when is None or abs(when - last) <= SAME_KILL_SECONDS):
        return
    kills[f"oomd {unit} {len(same)}"] = OomKill("systemd-oomd", when, unit=unit)


def oom_kills(lines: list[str]) -> list[OomKill]:
    """The OOM kills the journal's ``lines`` (oom_kills, OOM_GREP) name, each once: the
    kernel writes up to four lines per kill, counted by the pid they name (its lines naming
    none, 'X invoked oom-killer' alone, are one kill when none names a pid); systemd-oomd
    and systemd name its kill of a unit's cgroup, counted once per unit and moment
    (count_oomd_kill); systemd names the unit of a kernel kill too ('A process of this
    unit ...', then 'Failed with result 'oom-kill''), counted only when no kill read is the unit's (the
    kernel's lines left before the window: a kernel kill whose unit the window does not
    show is taken for it). systemd-oomd's kill of the unit of a kernel's kill at the same
    moment (same_kill) is that kill, the kernel's and systemd-oomd's at once. Another
    program's line ('PHP Fatal error: Out of memory') is no kill."""
    kills: dict[str, OomKill] = {}
    reported: list[str] = []
    for line in lines:
        when = logged_when(line)
        memcg = OOM_MEMCG.search(line)
        for pid, name, task, task_pid in OOM_VICTIM.findall(line):
            kill = kills.setdefault(pid or task_pid, OomKill("kernel", when, pid=pid or task_pid))
            kill.name = kill.name or name or task
            kill.unit = kill.unit or (cgroup_unit(memcg.group(1)) if memcg else None)
        oomd, said = OOMD_KILL.search(line), UNIT_OOM.search(line)
        unit = cgroup_unit(oomd.group(1)) if oomd \
            else said.group(1) if said and said.group(2) else None
        if unit:
            count_oomd_kill(kills, unit, when)
        elif said:
            reported.append(said.group(1))
    if not any(k.pid for k in kills.values()) and any(map(KERNEL_LINE.search, lines)):
        kills["kernel"] = OomKill("kernel", None)
    for key, oomd_kill in list(kills.items()):
        kernel = next((k for k in kills.values() if same_kill(k, oomd_kill)), None) \
            if oomd_kill.source == "systemd-oomd" else None
        if kernel:
            kernel.oomd = True
            del kills[key]
    for unit in dict.fromkeys(reported):
        if any(kill.unit == unit for kill in kills.values()):
            continue
        unknown = next((k for k in kills.values() if k.source == "kernel" and not k.unit), None)
        if unknown:
            unknown.unit = unit
        else:
            kills[f"systemd {unit}"] = OomKill("systemd", None, unit=unit)
    return list(kills.values())


def starting(service: dict[str, Any]) -> bool:
    """Whether systemd is starting ``service`` (activating: condition, start-pre, start,
    start-post), not waiting to restart it after it stopped (activating/auto-restart;
    systemd 254: auto-restart-queued)."""
    return service["active"] == "activating" \
        and not (service["sub"] or "").startswith("auto-restart")


def service_label(name: str) -> str:
    """How the causes name the service ``name``, by its kind: MariaDB (DATABASES), 'Web
    server NAME' (WEB_SERVERS), 'PHP-FPM NAME' (PHP_FPM), else 'Layanan NAME'."""
    if name in DATABASES:
        return "MariaDB"
    if name in WEB_SERVERS:
        return f"Web server {name}"
    if PHP_FPM.fullmatch(name):
        return f"PHP-FPM {name}"
    return f"Layanan {name}"


def causes(bundle: dict[str, Any], full_percent: int, min_free_mb: int,
           load_per_cpu: float = 2.0) -> list[str]:
    """The likely causes, most serious first (Bahasa Indonesia)."""
    found = []
    for fs in bundle["file_systems"]:
        if fs["used_percent"] >= full_percent \
                or fs["free_mb"] < min(min_free_mb, MIN_FREE_SHARE * fs["size_mb"]):
            found.append(f"Disk penuh: {fs['path']} terpakai {angka(fs['used_percent'], 1)}% "
                         f"(sisa {angka(fs['free_mb'])} MB)")
        if fs["inodes_percent"] >= full_percent:
            found.append(f"Inode habis: {fs['path']} terpakai {angka(fs['inodes_percent'], 1)}%")
    # a hung NFS server or a dying disk: left out of file_systems, named here
    found.extend(f"Sistem berkas {not_answering(path)}"
                 for path in bundle.get("mounts_not_answering", []))
    found.extend(not_measured(mount) for mount in bundle.get("mounts_not_measured", []))
    reported: set[str] = set()
    for svc in bundle["services"]:
        label = service_label(svc["name"])
        stopped = svc["active"] not in RUNNING and svc["enabled"] in ("enabled", "static")
        fpm = bundle.get("php_fpm", {}).get(svc["name"])
        logged = php_fpm_causes(label, fpm["lines"], stopped) if fpm else []
        if not stopped:
            found.extend(logged)
            continue
        reported.add(svc["unit"])
        state = f"{svc['name']}: {svc['active']}/{svc['sub']}, result {svc['result']}"
        if starting(svc):
            # not serving yet, a cause: MariaDB's crash recovery may take long (its ping
            # fails meanwhile, named by this line)
            found.append(f"{label} sedang dijalankan ({state})")
        elif svc["active"] == "deactivating" and svc["result"] != "signal":
            # no longer serving, a cause, but not stopped yet: MariaDB's shutdown may take
            # long (flushing InnoDB), a stop hanging shows its sub-state (stop-sigkill).
            # One killed (result signal) is named as killed while systemd clears its stop
            # phase (final-sigterm, until its cgroup empties)
            found.append(f"{label} sedang berhenti ({state})")
        elif svc["name"] in DATABASES:
            found.append(f"MariaDB berhenti ({state})")
        elif svc["result"] == "signal":
            found.append(f"{label} mati dibunuh sinyal ({state})")
        else:
            found.append(f"{label} tidak berjalan ({state})")
        found.extend(logged)
    ping = bundle.get("mariadb_ping") or {}
    if ping.get("timed_out"):
        found.append(f"MariaDB tidak menjawab ({ping['output']})")
    elif ping.get("error") and any(s["name"] in DATABASES and s["active"] in RUNNING
                                   for s in bundle["services"]):
        # a database unit stopped is named above: its ping's failure says nothing more
        found.append(f"MariaDB tidak menjawab ({ping['error']})")
    # a failed unit named above is named once (under its own name: mysql is mariadb's
    # alias), one disabled (started by hand) is a failed unit like any other
    others = [u for u in bundle["failed_units"] if u not in reported]
    if others:
        found.append("Unit systemd gagal: " + ", ".join(others))
    kills = oom_kills(bundle["oom_kills"])
    if kills:
        found.append(f"Kehabisan memori: {len(kills)} pembunuhan OOM: "
                     + ", ".join(map(str, kills)))
    load = bundle["load"]  # None: not read (named in not_visible)
    if load and load["5m"] > load_per_cpu * load["cpus"]:
        found.append(f"Beban sangat tinggi: {angka_ringkas(load['5m'])} untuk {angka(load['cpus'])} CPU")
    down = [p["peer"] for p in bundle["peers"] if not p["reachable"]]
    if down:
        found.append("Server lain tidak terjangkau: " + ", ".join(down))
    return found


def recorded_not_visible(lines: list[str]) -> list[str]:
    """The bundle's not_visible as the record keeps it: its first RECORDED_NOT_VISIBLE
    lines, then how many more the bundle names ('dan 3 lainnya (lihat bundel)')."""
    if len(lines) <= RECORDED_NOT_VISIBLE:
        return list(lines)
    more = len(lines) - RECORDED_NOT_VISIBLE
    return [*lines[:RECORDED_NOT_VISIBLE], f"dan {angka(more)} lainnya (lihat bundel)"]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "hours": {"type": "int", "default": 24},
            "services": {"type": "list", "elements": "str",
                         "default": ["mariadb", "mysql", "nginx", "apache2"]},
            "full_percent": {"type": "int", "default": 97},
            "min_free_mb": {"type": "int", "default": 100},
            "peers": {"type": "list", "elements": "str", "default": []},
            "load_per_cpu": {"type": "float", "default": 2.0},
            "log_lines": {"type": "int", "default": 20},
        },
        supports_check_mode=True,
    )
    # journalctl refused '--since --5h' and the bundle was silently empty; more than ten
    # years read the whole history
    bad_hours = duration_error(module.params, "hours", unit="hours")
    if bad_hours:
        module.fail_json(**bad_hours)
    # full_percent 0 named every file system full, above 100 none; a negative
    # min_free_mb turned the free-space test off without a word; a load_per_cpu of 0 or
    # less named every host overloaded (NaN none); log_lines 0 kept every line
    # (lines[-0:]), a huge one the whole journal of the hours. The bounds are RANGES',
    # which the role's checks.yml refuses its settings by too (the filter sop_range_error).
    bad_threshold = (range_error(module.params, "log_lines", **RANGES["log_lines"])
                     or range_error(module.params, "full_percent", **RANGES["percent"])
                     or range_error(module.params, "min_free_mb", **RANGES["free_mb"])
                     or range_error(module.params, "load_per_cpu", **RANGES["load_per_cpu"]))
    if bad_threshold:
        module.fail_json(**bad_threshold)
    problem = services_problem(module.params["services"])
    if problem:
        module.fail_json(msg=problem, setting="services")
    bad = unusable_peers(module.params["peers"])
    if bad:
        module.fail_json(msg="peers: not HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT: "
                         + ", ".join(map(repr, bad)), setting="peers")
    bundle = Collector(module).collect()
    found = causes(bundle, module.params["full_percent"], module.params["min_free_mb"],
                   module.params["load_per_cpu"])
    summary = ("Kemungkinan penyebab: " + "; ".join(found)) if found else \
        "Tidak ditemukan penyebab yang jelas pada server ini"
    module.exit_json(changed=False, causes=found, summary=summary, bundle=bundle, sop_output={
        "penyebab": found, "ringkasan": summary,
        "unit_gagal": bundle["failed_units"],
        "layanan": [f"{s['name']} {s['active']}/{s['sub']}" for s in bundle["services"]],
        "tidak_terlihat": recorded_not_visible(bundle["not_visible"])})


if __name__ == "__main__":
    main()
