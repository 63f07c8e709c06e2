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
    of the MariaDB and web server error logs, TCP reachability of O(peers), the package
    installs, upgrades and removals of those hours (C(/var/log/dpkg.log)) and their logins."
  - "The package history is the last 400 lines of C(/var/log/dpkg.log) and, when that
    file is read whole and does not reach back to the hours' start (logrotate moves it
    to C(dpkg.log.1) each month), of C(dpkg.log.1) before them, 400 lines in all; older
    rotations (C(dpkg.log.2.gz)) are not read."
  - "A log missing or not read (a link or a FIFO put in its place is not followed or
    waited on) is named in the bundle's not_visible, never shown as empty; a missing
    C(dpkg.log.1), a host not rotated yet, is not."
  - "A journal read (journal_errors, oom_kills, logins) that C(journalctl) did not make
    whole is named in not_visible with the first line it wrote to stderr (masked as log
    lines are), or its exit status when it wrote none: no permission, an option or a
    C(--grep) this systemd refuses, a journal file ignored as corrupt or truncated (whose
    read exits 0). A C(--grep) matching nothing (exit status 1 and no word, as grep's) is
    an empty list, not a failure."
  - "Log lines are kept as the records may show them (C(mask_log_line) of
    C(module_utils/sop_secrets.py)): URL credentials, C(NAME=value) words with a
    secret-looking name, and the arguments of a PHP stack frame that logs in (PDO's
    constructor, C(mysqli_connect), any function named for a connection or login) are ***.
    A log's tail is read from its last 64 KiB, and a line cut there is left out: its
    secret could not be known for one."
  - "Causes recognised: a full disk or inode table, a stopped or failed database, a
    database that does not answer C(mariadb-admin ping) in time, a web server that was
    killed or stopped, other failed units, out-of-memory kills, an overloaded host,
    unreachable court hosts."
  - Each tool (C(journalctl), C(systemctl), C(mariadb-admin ping)) is stopped after a time
    limit (TIME_LIMITS in C(module_utils/sop_server.py)); one stopped is named in the
    bundle's not_visible, never a wait without end.
  - Read-only; supports check mode.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  hours:
    description: How far back the journal, package and login history is read (1 or more).
    type: int
    default: 24
  services:
    description: The database and web units that must run when they are enabled.
    type: list
    elements: str
    default: [mariadb, mysql, nginx, apache2]
  full_percent:
    description: Space or inode use (percent) that counts as full.
    type: int
    default: 97
  min_free_mb:
    description: Less free space than this (MiB) also counts as full.
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
    description: A 5-minute load above this per CPU counts as overloaded.
    type: float
    default: 2.0
  log_lines:
    description: Lines kept from each log (1 or more).
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
  sample: ["Disk penuh: /srv/sipp-data terpakai 100.0% (sisa 0 MB)", "MariaDB berhenti (mariadb: inactive/dead)"]
summary:
  description: One line naming the likely cause.
  returned: success
  type: str
bundle:
  description: Everything collected (journal_errors, failed_units, file_systems, oom_kills,
    load, services, mariadb_ping, logs, peers, packages, logins) and not_visible, what this
    host did not show (tools it lacks, such as journalctl, systemctl and mariadb-admin;
    tools stopped at their time limit; logs missing or not read; journal reads not whole).
  returned: success
  type: dict
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import errno  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_net import split_host_port  # noqa: E402
from ansible.module_utils.sop_secrets import mask_log_line  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    data_file_systems,
    run_bounded,
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
DPKG_LOG = "/var/log/dpkg.log"
# dpkg.log lines read (with dpkg.log.1's, when read), and the bytes a log is read from.
HISTORY_LINES = 400
TAIL_BYTES = 64 * 1024


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


def unreadable(path: str, exc: OSError) -> str:
    """The bundle's not_visible line for a log that could not be read."""
    if exc.errno == errno.ENOENT:
        return f"{path} tidak ada"
    cause = {errno.ELOOP: "tautan simbolik, tidak diikuti",
             errno.EINVAL: "bukan berkas biasa"}.get(exc.errno or 0, exc.strerror)
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


def package_history(log: str, since: datetime.datetime) -> tuple[list[str], list[str]]:
    """The last HISTORY_LINES lines of dpkg's log ``log`` and, when they are the whole
    file and do not reach back to ``since``, of its rotation ``log``.1 before them (the
    monthly logrotate left the window's first hours there); and the not_visible lines of
    what could not be read (no ``log``.1 is a host never rotated: not named)."""
    lines: list[str] = []
    whole = True
    problems = []
    try:
        lines, whole = read_tail(log, HISTORY_LINES)
    except OSError as exc:
        problems.append(unreadable(log, exc))
    first = next((t for t in map(logged_at, lines) if t is not None), None)
    if whole and len(lines) < HISTORY_LINES and (first is None or first > since):
        try:
            older, _whole = read_tail(f"{log}.1", HISTORY_LINES - len(lines))
            lines = older + lines
        except FileNotFoundError:
            pass
        except OSError as exc:
            problems.append(unreadable(f"{log}.1", exc))
    return lines, problems


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
    """/proc/mounts (a proc file: read whole, it has no size to seek from)."""
    with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
        return handle.read()


def reachable(peer: str, timeout: float = 3.0) -> dict[str, Any]:
    """A TCP connection to ``peer`` (checked by unusable_peers: no ValueError here)."""
    try:
        with socket.create_connection(split_host_port(peer, 22), timeout=timeout):
            return {"peer": peer, "reachable": True}
    except OSError as exc:
        return {"peer": peer, "reachable": False, "error": str(exc)}


def unusable_peers(peers: list[str]) -> list[str]:
    bad = []
    for peer in peers:
        try:
            split_host_port(peer, 22)
        except ValueError:
            bad.append(peer)
    return bad


class Collector:
    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.not_visible: list[str] = []

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
            self.note(name)
        return str(path) if path else None

    def run(self, argv: list[str]) -> tuple[int | None, str, str]:
        """The tool's exit status, output and errors. A tool the host lacks (tool()) and
        one stopped at its time limit (TIME_LIMITS[argv[0]]) are named in not_visible and
        have the status None, the latter with what it wrote until then."""
        program = self.tool(argv[0])
        if not program:
            return None, "", ""
        rc, out, err = run_bounded(self.module, [program, *argv[1:]], argv[0],
                                   environ_update={"LC_ALL": "C"})
        if rc is None:
            self.note(timed_out(argv, argv[0]))
        return rc, out, err

    def out(self, argv: list[str]) -> str:
        """The tool's output (run())."""
        return self.run(argv)[1]

    def journal(self, read: str, *args: str) -> list[str]:
        """The last log_lines journal lines of the hours that ``args`` select, masked; the
        bundle's ``read`` journalctl did not make whole is named in not_visible
        (journal_problem), never shown as a journal without such lines."""
        rc, out, err = self.run(["journalctl", "--no-pager", "-q", "-o", "short-iso",
                                 "--since", f"-{self.params['hours']}h", *args])
        problem = journal_problem(rc, err, "--grep" in args)
        if problem:
            self.note(f"{read} tidak terbaca utuh (journalctl: {problem})")
        lines = out.splitlines()
        return [mask_log_line(line) for line in lines[-self.params["log_lines"]:]]

    def error_logs(self, services: list[dict[str, Any]]) -> dict[str, list[str]]:
        """The tails of the services' error logs that are there; one there but not read
        (a link or a FIFO put in its place, no permission) is named in not_visible."""
        logs = {}
        for path in dict.fromkeys(p for s in services for p in ERROR_LOGS.get(s["name"], [])):
            if not os.path.lexists(path):
                continue
            try:
                logs[path] = read_tail(path, self.params["log_lines"])[0]
            except OSError as exc:
                self.note(unreadable(path, exc))
        return logs

    def packages(self) -> list[str]:
        """The package changes of the last hours (package_history, package_changes)."""
        try:
            since = datetime.datetime.now() - datetime.timedelta(hours=self.params["hours"])
        except OverflowError:  # hours reaching before year 1: the whole history
            since = datetime.datetime.min
        lines, problems = package_history(DPKG_LOG, since)
        for line in problems:
            self.note(line)
        return package_changes(lines, since, self.params["log_lines"])

    def service(self, name: str) -> dict[str, Any] | None:
        props = dict(line.split("=", 1) for line in self.out(
            ["systemctl", "show", f"{name}.service", "-p",
             "Id,LoadState,ActiveState,SubState,Result,UnitFileState,ExecMainStatus"]).splitlines()
            if "=" in line)
        if props.get("LoadState") != "loaded":
            return None
        return {"name": name, "unit": props.get("Id"), "active": props.get("ActiveState"), "sub": props.get("SubState"),
                "result": props.get("Result"), "enabled": props.get("UnitFileState"),
                "exit_status": props.get("ExecMainStatus")}

    def collect(self) -> dict[str, Any]:
        services: list[dict[str, Any]] = []
        for name in self.params["services"]:
            found = self.service(name)
            # mysql.service is an alias of mariadb.service on Debian: one unit, named once
            if found and found["unit"] not in [s["unit"] for s in services]:
                services.append(found)
        ping: dict[str, Any] | None = None
        if any(s["name"] in DATABASES for s in services):
            admin = self.module.get_bin_path("mariadb-admin") \
                or self.module.get_bin_path("mysqladmin")
            if admin:
                rc, out, err = run_bounded(self.module, [str(admin), "ping"], "ping")
                if rc is None:  # a hung server: it accepts the connection, never answers
                    ping = {"rc": None, "timed_out": True,
                            "output": timed_out([str(admin)], "ping")}
                else:
                    ping = {"rc": rc, "output": (out + err).strip()[-300:]}
            else:
                self.note("mariadb-admin")
                ping = {"rc": None, "output": "mariadb-admin/mysqladmin tidak terpasang"}
        with open("/proc/loadavg", encoding="ascii") as handle:
            load = [float(x) for x in handle.read().split()[:3]]
        return {
            "journal_errors": self.journal("journal_errors", "-p", "err"),
            "failed_units": [line.split()[0] for line in self.out(
                ["systemctl", "list-units", "--state=failed", "--plain", "--no-legend"]
            ).splitlines() if line.strip()],
            "file_systems": data_file_systems(read_mounts()),
            "oom_kills": self.journal("oom_kills", "--grep", "Out of memory|oom-kill|oom_reaper"),
            "load": {"1m": load[0], "5m": load[1], "15m": load[2], "cpus": os.cpu_count() or 1},
            "services": services,
            "mariadb_ping": ping,
            "logs": self.error_logs(services),
            "peers": [reachable(p) for p in self.params["peers"]],
            "packages": self.packages(),
            "logins": self.journal("logins", "-t", "sshd",
                                   "-t", "sshd-session",  # OpenSSH 9.8: per login
                                   "--grep", "Accepted|Failed password"),
            "not_visible": self.not_visible,
        }


def causes(bundle: dict[str, Any], full_percent: int, min_free_mb: int,
           load_per_cpu: float = 2.0) -> list[str]:
    """The likely causes, most serious first (Bahasa Indonesia)."""
    found = []
    for fs in bundle["file_systems"]:
        if fs["used_percent"] >= full_percent or fs["free_mb"] < min_free_mb:
            found.append(f"Disk penuh: {fs['path']} terpakai {fs['used_percent']}% "
                         f"(sisa {fs['free_mb']} MB)")
        if fs["inodes_percent"] >= full_percent:
            found.append(f"Inode habis: {fs['path']} terpakai {fs['inodes_percent']}%")
    for svc in bundle["services"]:
        if svc["active"] == "active" or svc["enabled"] not in ("enabled", "static"):
            continue
        state = f"{svc['name']}: {svc['active']}/{svc['sub']}, result {svc['result']}"
        if svc["name"] in DATABASES:
            found.append(f"MariaDB berhenti ({state})")
        elif svc["result"] == "signal":
            found.append(f"Web server {svc['name']} mati dibunuh sinyal ({state})")
        else:
            found.append(f"Web server {svc['name']} tidak berjalan ({state})")
    ping = bundle.get("mariadb_ping") or {}
    if ping.get("timed_out"):
        found.append(f"MariaDB tidak menjawab ({ping['output']})")
    named = {f"{s['name']}.service" for s in bundle["services"]}
    others = [u for u in bundle["failed_units"] if u not in named]
    if others:
        found.append("Unit systemd gagal: " + ", ".join(others))
    if bundle["oom_kills"]:
        found.append(f"Kehabisan memori: {len(bundle['oom_kills'])} proses dihentikan (OOM)")
    load = bundle["load"]
    if load["5m"] > load_per_cpu * load["cpus"]:
        found.append(f"Beban sangat tinggi: {load['5m']} untuk {load['cpus']} CPU")
    down = [p["peer"] for p in bundle["peers"] if not p["reachable"]]
    if down:
        found.append("Server lain tidak terjangkau: " + ", ".join(down))
    return found


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
    for option in ("hours", "log_lines"):
        # journalctl refused '--since --5h' and the bundle was silently empty; lines[-0:]
        # is every line
        if module.params[option] < 1:
            module.fail_json(msg=f"{option}: must be 1 or more, not {module.params[option]}",
                             setting=option)
    bad = unusable_peers(module.params["peers"])
    if bad:
        module.fail_json(msg="peers not HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT: "
                         + ", ".join(bad))
    bundle = Collector(module).collect()
    found = causes(bundle, module.params["full_percent"], module.params["min_free_mb"],
                   module.params["load_per_cpu"])
    summary = ("Kemungkinan penyebab: " + "; ".join(found)) if found else \
        "Tidak ditemukan penyebab yang jelas pada server ini"
    module.exit_json(changed=False, causes=found, summary=summary, bundle=bundle, sop_output={
        "penyebab": found, "ringkasan": summary,
        "unit_gagal": bundle["failed_units"],
        "layanan": [f"{s['name']} {s['active']}/{s['sub']}" for s in bundle["services"]]})


if __name__ == "__main__":
    main()
