#!/usr/bin/python
# GPL-3.0-or-later
"""SSH authentication from the systemd journal: failures, bursts, root and late logins."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_ssh_audit
short_description: Audit SSH logins from the systemd journal (early warning of attacks)
description:
  - Reads sshd's messages from the systemd journal (Debian 12 logs sshd to journald
    only, there is no C(auth.log)) with C(journalctl -o json), from where the previous
    run stopped (a journal cursor kept on the host in O(cursor_file)) or, on the first
    run, since O(since).
  - Counts failed authentications per source address (a C(Failed ...) line, or a
    connection closed, reset or disconnected before authentication by an invalid or
    authenticating user, or ended by sshd at C(MaxAuthTries), without one; not a connection's opening C(Failed none), which
    sshd logs for an invalid user and counts as no failure itself) and accepted logins, and reports as findings brute-force bursts
    (O(burst_failures) failures from one address within O(burst_seconds)), sources with
    at least O(failure_warn) failures, a successful login from an address after at
    least O(success_after_failures) failures, logins as root, and logins outside office
    hours (O(office_hours_start) to O(office_hours_end) on O(office_days), in
    O(timezone), WIB by default).
  - "A burst's sample names the accounts its failures tried (those sshd took as valid,
    root, and accounts of this host it refused as C(invalid user), such as by
    C(AllowUsers)); the failures for any other name are counted, the name is not
    returned: people type their password into the user field, and it would be kept in
    the SOP's records, reports and notifications."
  - "Counts, per source address, the connections sshd refused because it had penalised
    the address (OpenSSH 9.8+ C(PerSourcePenalties), on by default; a C(drop connection)
    line naming the address and the penalty's reason, such as a failed authentication).
    An address refused at least O(penalised_warn) times is a finding
    (C(penalised_sources)) even when few C(Failed) lines remain, as a penalised
    attacker's connections are refused before they can fail; one refused fewer times is
    only counted (C(penalised_by_source)): sshd's defaults penalise a person too, an
    administrator mistyping a password in a few sessions in a row. sshd stops logging these
    lines while they come faster than about one a second (its C(logging rate-limited)
    line then counts the rest without addresses), so the counts are a lower bound. C(Maxstartups) drops name
    no penalised source and are not counted."
  - Reports the journal lines read per second.
  - C(journalctl)'s output is read as it comes (a month of a host under attack does
    not have to fit in memory), within O(timeout).
  - The cursor is the module's own reading position, not a change to the host,
    C(changed) is always false. In check mode the cursor is not moved.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  since:
    description:
      - Where to start without a cursor (a C(journalctl --since) value, such as C(-31d),
        C(2026-11-01) or C(yesterday)).
      - A value C(journalctl) does not read as a time fails the module with C(setting)
        C(since). It is given to C(journalctl), and so checked, only when there is no
        cursor.
    type: str
    default: "-31d"
  cursor_file:
    description:
      - File keeping the journal cursor between runs; empty reads from O(since) every time.
      - >-
        A file that cannot be read or kept there for its path (a folder, no permission,
        a read-only file system, a file where its folder should be) fails the module with
        C(setting) C(cursor_file).
    type: path
    default: /var/lib/sop/security_ssh_audit.cursor
  identifiers:
    description:
      - Syslog identifiers of sshd's messages. From OpenSSH 9.8 (Debian 13) the messages
        of a login come from C(sshd-session), the listener's own from C(sshd).
      - At least one and none empty, else the module fails with C(setting) C(identifiers)
        (without one C(journalctl) would read every message of the journal, not sshd's).
    type: list
    elements: str
    default: [sshd, sshd-session]
  burst_failures:
    description:
      - Failures from one address within O(burst_seconds) that make a burst.
      - At least 1, else the module fails with C(setting) C(burst_failures).
    type: int
    default: 10
  burst_seconds:
    description:
      - Window of a burst, in seconds.
      - At least 1 and at most 86400 (one day), else the module fails with C(setting)
        C(burst_seconds).
    type: int
    default: 60
  failure_warn:
    description:
      - Failures from one address in the period that make a finding.
      - At least 1, else the module fails with C(setting) C(failure_warn).
    type: int
    default: 20
  penalised_warn:
    description:
      - Connections from one address that sshd refused for its penalty (PerSourcePenalties)
        in the period that make a finding.
      - "sshd_config(5)'s defaults (C(authfail:5s noauth:1s min:15s max:10m)) penalise an
        address once more than 15 s of penalties have accrued, 5 s per session ended after
        a failed authentication: an administrator who mistypes a password in a few sessions
        in a row and tries again at once is refused for some seconds, one or a few
        connections. An attacker's penalty grows to 10 minutes and every connection of it
        is refused, again each time it comes back."
      - At least 1, else the module fails with C(setting) C(penalised_warn).
    type: int
    default: 10
  success_after_failures:
    description:
      - Failures from an address before a successful login from it that make a finding.
      - At least 1, else the module fails with C(setting) C(success_after_failures).
    type: int
    default: 5
  root_login:
    description: Report logins as root.
    type: bool
    default: true
  office_hours_start:
    description:
      - Start of office hours (HH:MM).
      - A time of day, else the module fails with C(setting) C(office_hours_start).
      - >-
        Quoted in YAML: an unquoted 16:00 is the base-60 number 960, which the failure
        names as the time typed.
    type: str
    default: "07:30"
  office_hours_end:
    description:
      - End of office hours (HH:MM).
      - A time of day after O(office_hours_start), else the module fails with C(setting)
        C(office_hours_end).
    type: str
    default: "17:00"
  office_days:
    description:
      - Office days, ISO weekdays (1 = Monday to 7).
      - An empty list (every login would be outside office hours) or a day outside 1 to 7
        fails the module with C(setting) C(office_days).
    type: list
    elements: int
    default: [1, 2, 3, 4, 5]
  timezone:
    description:
      - Time zone of the office hours (an IANA name, or C(WIB), C(WITA) or C(WIT) in any case,
        which are Asia/Jakarta, Asia/Makassar and Asia/Jayapura).
      - A zone it does not know fails the module with C(setting) C(timezone).
    type: str
    default: Asia/Jakarta
  trusted_users:
    description: Accounts whose logins outside office hours are expected (for example the SOP's own account).
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Seconds C(journalctl) may take to give the period's messages; it is stopped
        then and the module fails naming it, the cursor not moved.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 600
attributes:
  check_mode:
    support: full
    description: Reads and reports as usual; the cursor is not moved.
"""

EXAMPLES = r"""
- name: SSH logins since the previous run
  security_ssh_audit:
    burst_failures: 10
    burst_seconds: 60
    trusted_users: [sopadmin]
  register: ssh_audit
"""

RETURN = r"""
findings:
  description: Findings (kind, message, count, samples); kinds brute_force, many_failures,
    penalised_sources, success_after_failures, root_login, outside_office_hours. No sample
    holds a user name that is no account of this host (a brute_force sample counts them).
  returned: success
  type: list
  elements: dict
ssh:
  description: Counts of the period.
  returned: success
  type: dict
  contains:
    lines_read: {description: Journal lines read., type: int}
    seconds: {description: Time spent reading and analysing., type: float}
    lines_per_second: {description: Journal lines read per second., type: float}
    failures: {description: Failed authentications., type: int}
    accepted: {description: Accepted logins., type: int}
    failures_by_source: {description: The addresses with most failures and their counts., type: dict}
    penalised: {description: "Connections sshd refused as their address was penalised (PerSourcePenalties, OpenSSH 9.8+).", type: int}
    penalised_by_source: {description: "The penalised addresses with most refused connections and their counts, those
      below O(penalised_warn) too.", type: dict}
    from_cursor: {description: Whether reading started at the previous run's cursor., type: bool}
  sample:
    lines_read: 1200
    seconds: 0.05
    lines_per_second: 24000.0
    failures: 40
    accepted: 3
    failures_by_source: {"203.0.113.9": 40}
    penalised: 12
    penalised_by_source: {"203.0.113.9": 12}
    from_cursor: true
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import errno  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict, deque  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    OfficeHours,
    SecurityInputError,
    finding,
    summary,
)
from ansible.module_utils.sop_state import private_dir, write_private  # noqa: E402

# sshd logs the user name a client sends as it is, spaces included: a name ending in
# "from 10.0.0.5 port 1" must not make that address the source. The user is matched
# greedily and the line anchored at its end, so the address is the one sshd appended.
FAILED = re.compile(r"^Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d+) ssh2(?:: .*)?$")
# sshd logs "Failed none" for an invalid user's first request, the method query every
# client opens with; sshd counts no failure for it ("initial try of none auth without
# failure penalty"), nor does this audit: the connection's real attempt, or its close
# before one, counts once.
# OpenSSH's sshpkt_fatal: the peer closed the connection ("Connection closed by"), reset
# it ("Connection reset by") or sent a disconnect ("Disconnected from": a client that
# offered keys the server refused, which sshd logs as no "Failed" line by default);
# or sshd ended it after MaxAuthTries failures ("Disconnecting ...: Too many
# authentication failures", after its "Failed" lines).
CLOSED = re.compile(
    r"^(?:Connection (?:closed|reset) by|Disconnected from|Disconnecting) (invalid|authenticating) "
    r"user (.*) (\S+) port (\d+)(?:: Too many authentication failures)? \[preauth\]$")
# OpenSSH 9.8's PerSourcePenalties: the listener (syslog identifier sshd) refuses a new
# connection from an address it penalised for misbehaving (failed authentications,
# connections without one, LoginGraceTime, crashes) and logs, in sshd.c's
# drop_connection(), "drop connection #N from [ADDR]:PORT on [LADDR]:LPORT penalty: WHY";
# the same line ending in "Maxstartups" or "too many penalised addresses" names no
# penalised source, and is no penalty of this address.
DROPPED = re.compile(r"^drop connection #\d+ from \[([^]]+)\]:(\d+) on \[[^]]+\]:\d+ "
                     r"(penalty: .+)$")
ACCEPTED = re.compile(r"^Accepted (\S+) for (.*) from (\S+) port (\d+) ssh2(?:: .*)?$")
TOP_SOURCES = 10
# The longest journal cursor read (systemd's are about 150 characters).
CURSOR_BYTES = 4096
# Why a cursor file cannot be read or kept that another path would mend: cursor_file's
# fault, named as the setting. A full disk or an I/O error is the host's.
PATH_ERRORS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR,
                         errno.EEXIST, errno.ENOENT, errno.ENAMETOOLONG, errno.ELOOP})
# The end of journalctl's stderr that is kept for the message when it fails.
STDERR_TAIL = 4096
# journalctl's error for a --since it does not read as a time, the value after it (Debian
# 12's systemd 252, older and newer ones alike); it exits then, before reading the journal.
SINCE_REFUSED = "Failed to parse timestamp:"


def account(name: str, invalid: bool) -> str | None:
    """The user name a failure is recorded with: one sshd took as valid, root, or an
    account of this host that sshd refused as an invalid user (AllowUsers, DenyUsers);
    None for any other name, which is not recorded: people type their password into the
    user field, and a name sshd found no account for may be one."""
    if not invalid or name == "root":
        return name
    try:
        pwd.getpwnam(name)
    except (KeyError, ValueError):  # ValueError: a name with a NUL
        return None
    return name


def message_text(value: Any) -> str:
    """journalctl gives MESSAGE as a list of bytes when it is not valid UTF-8."""
    if isinstance(value, list):
        return bytes(value).decode("utf-8", "replace")
    return str(value or "")


class Audit:
    def __init__(self, params: dict[str, Any], office: OfficeHours) -> None:
        self.params, self.office = params, office
        self.failures: Counter[str] = Counter()
        self.failed_connections: set[tuple[str, str]] = set()
        # per address: (time, user name, whether sshd called the user invalid)
        self.recent: dict[str, deque[tuple[float, str, bool]]] = defaultdict(deque)
        self.bursts: dict[str, list[str]] = {}
        self.accepted: list[tuple[float, str, str, str]] = []
        self.after_failures: list[str] = []
        self.penalised: Counter[str] = Counter()
        self.penalty_reasons: dict[str, Counter[str]] = defaultdict(Counter)
        self.lines = 0

    def failure(self, when: float, address: str, user: str, invalid: bool) -> None:
        self.failures[address] += 1
        window = self.recent[address]
        window.append((when, user, invalid))
        while window and when - window[0][0] > self.params["burst_seconds"]:
            window.popleft()
        if len(window) >= self.params["burst_failures"] and address not in self.bursts:
            self.bursts[address] = [f"{self.stamp(window[0][0])}: {len(window)} gagal dalam "
                                    f"{self.params['burst_seconds']} detik ({tried(window)})"]

    def reasons(self, address: str) -> str:
        """sshd's reasons for the penalty of an address, most frequent first."""
        return ", ".join(f"{why} x{n}" for why, n in self.penalty_reasons[address].most_common())

    def stamp(self, epoch: float) -> str:
        return self.office.local(epoch).strftime("%Y-%m-%d %H:%M:%S %Z")

    def line(self, when: float, text: str) -> None:
        self.lines += 1
        match = FAILED.match(text)
        if match and match[1] == "none" and (match[4], match[5]) not in self.failed_connections:
            return  # the client's opening query, logged for an invalid user: no failure
        if match:
            self.failed_connections.add((match[4], match[5]))
            self.failure(when, match[4], match[3], match[2] is not None)
            return
        match = CLOSED.match(text)
        if match:
            if (match[3], match[4]) not in self.failed_connections:
                self.failure(when, match[3], match[2], match[1] == "invalid")
            self.failed_connections.discard((match[3], match[4]))
            return
        match = DROPPED.match(text)
        if match:
            self.penalised[match[1]] += 1
            self.penalty_reasons[match[1]][match[3]] += 1
            return
        match = ACCEPTED.match(text)
        if match:
            method, user, address = match[1], match[2], match[3]
            self.accepted.append((when, user, address, method))
            before = self.failures[address]
            if before >= self.params["success_after_failures"]:
                self.after_failures.append(
                    f"{self.stamp(when)} {user} dari {address} ({method}) setelah {angka(before)} kali gagal")

    def findings(self) -> list[dict[str, Any]]:
        found = []
        if self.bursts:
            found.append(finding(
                "brute_force",
                "Serangan brute-force SSH dari " + ", ".join(sorted(self.bursts)),
                len(self.bursts), [f"{a} {s[0]}" for a, s in sorted(self.bursts.items())]))
        many = {a: n for a, n in self.failures.items() if n >= self.params["failure_warn"]}
        if many:
            found.append(finding(
                "many_failures",
                f"{angka(len(many))} alamat dengan sedikitnya {angka(self.params['failure_warn'])} "
                "kali gagal login SSH",
                sum(many.values()), [f"{a}: {angka(n)}" for a, n in Counter(many).most_common()]))
        # a few refusals are a person's mistyped password too: counted, not a finding
        penalised = Counter({a: n for a, n in self.penalised.items()
                             if n >= self.params["penalised_warn"]})
        if penalised:
            found.append(finding(
                "penalised_sources",
                f"Koneksi SSH ditolak sshd (PerSourcePenalties) sedikitnya "
                f"{angka(self.params['penalised_warn'])} kali dari {angka(len(penalised))} alamat "
                "yang dikenai penalti karena percobaan berulang",
                sum(penalised.values()),
                [f"{a}: {n} ditolak ({self.reasons(a)})" for a, n in penalised.most_common()]))
        if self.after_failures:
            found.append(finding(
                "success_after_failures",
                "Login SSH berhasil setelah banyak kegagalan dari alamat yang sama",
                len(self.after_failures), self.after_failures))
        if self.params["root_login"]:
            roots = [f"{self.stamp(w)} dari {a} ({m})" for w, u, a, m in self.accepted if u == "root"]
            if roots:
                found.append(finding("root_login", "Login SSH langsung sebagai root", len(roots), roots))
        trusted = set(self.params["trusted_users"])
        late = [f"{self.stamp(w)} {u} dari {a}" for w, u, a, _ in self.accepted
                if u not in trusted and self.office.outside(w)]
        if late:
            found.append(finding("outside_office_hours", "Login SSH di luar jam kerja",
                                 len(late), late))
        return found


def tried(window: Iterable[tuple[float, str, bool]]) -> str:
    """The users a burst's failures tried: the accounts by name (account), most tried
    first, the other names only counted."""
    known: Counter[str] = Counter()
    unknown = 0
    for _when, name, invalid in window:
        user = account(name, invalid)
        if user is None:
            unknown += 1
        else:
            known[user] += 1
    parts = ["user " + ", ".join(user for user, _n in known.most_common())] if known else []
    if unknown:
        parts.append(f"{angka(unknown)} kali dengan nama yang bukan akun host ini")
    return "; ".join(parts)


def read_cursor(path: str) -> str | None:
    """The cursor kept in ``path``; None without one. SecurityInputError names a file that
    cannot be read or holds no cursor (journal cursors are one short line of ASCII)."""
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(CURSOR_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise cursor_error("cannot read the journal cursor", path, exc) from None
    text = raw.strip()
    if len(raw) > CURSOR_BYTES or not (text.isascii() and text.decode().isprintable()):
        raise SecurityInputError(f"{path} holds no journal cursor: remove it to read from "
                                 "since again")
    return text.decode() or None


def cursor_error(doing: str, path: str, exc: OSError) -> SecurityInputError:
    """The failure of ``doing`` with the cursor file ``path``: named as the setting
    cursor_file when another path would mend it (PATH_ERRORS)."""
    if exc.errno in PATH_ERRORS:
        return SecurityInputError(f"cursor_file: {doing} {path}: {exc.strerror}", "cursor_file")
    return SecurityInputError(f"{doing} {path}: {exc.strerror}")


def write_cursor(path: str, cursor: str) -> None:
    """Atomically: a crash leaves the previous cursor, never half of one."""
    private_dir(os.path.dirname(path) or ".")
    write_private(path, cursor + "\n")


def journal_argv(journalctl: str, params: dict[str, Any], cursor: str | None) -> list[str]:
    argv = [journalctl, "--no-pager", "-q", "-o", "json",
            "--output-fields=MESSAGE,__REALTIME_TIMESTAMP"]
    for identifier in params["identifiers"]:
        argv += ["-t", identifier]
    argv += [f"--after-cursor={cursor}"] if cursor else [f"--since={params['since']}"]
    return argv


def analyse(audit: Audit, lines: Iterable[bytes]) -> str | None:
    """Feeds the journal's JSON lines to the audit; returns the last cursor."""
    cursor = None
    for raw in lines:
        entry = json.loads(raw)
        cursor = entry.get("__CURSOR", cursor)
        audit.line(int(entry.get("__REALTIME_TIMESTAMP", 0)) / 1e6, message_text(entry.get("MESSAGE")))
    return cursor


def read_journal(argv: list[str], audit: Audit,
                 seconds: float) -> tuple[str | None, str | None, str | None, bool]:
    """Runs journalctl, its JSON lines fed to the audit as they come: (last cursor, the
    error of a line that is not JSON, journalctl's error when it failed, whether it was
    stopped after ``seconds``). Its stderr is read meanwhile by a thread (a journalctl
    warning more than a pipe holds would otherwise block it, and this module with it)."""
    tail = bytearray()
    expired = threading.Event()
    last = bad = None
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        stderr = proc.stderr.fileno()

        def drain() -> None:
            for chunk in iter(lambda: os.read(stderr, 65536), b""):
                tail.extend(chunk)
                del tail[:-STDERR_TAIL]

        def stop() -> None:
            if proc.poll() is None:
                expired.set()
                proc.kill()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        timer = threading.Timer(seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            last = analyse(audit, proc.stdout)
        except ValueError as exc:
            bad = str(exc)
            proc.kill()
        finally:
            proc.wait()
            timer.cancel()
            reader.join()
    if expired.is_set():
        return last, bad, None, True
    error = None
    if proc.returncode != 0 and bad is None:
        lines = tail.decode("utf-8", "replace").strip().splitlines()
        error = lines[-1] if lines else f"exit code {proc.returncode}"
    return last, bad, error, False


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "since": {"type": "str", "default": "-31d"},
            "cursor_file": {"type": "path", "default": "/var/lib/sop/security_ssh_audit.cursor"},
            "identifiers": {"type": "list", "elements": "str",
                            "default": ["sshd", "sshd-session"]},
            "burst_failures": {"type": "int", "default": 10},
            "burst_seconds": {"type": "int", "default": 60},
            "failure_warn": {"type": "int", "default": 20},
            "penalised_warn": {"type": "int", "default": 10},
            "success_after_failures": {"type": "int", "default": 5},
            "root_login": {"type": "bool", "default": True},
            "office_hours_start": {"type": "str", "default": "07:30"},
            "office_hours_end": {"type": "str", "default": "17:00"},
            "office_days": {"type": "list", "elements": "int", "default": [1, 2, 3, 4, 5]},
            "timezone": {"type": "str", "default": "Asia/Jakarta"},
            "trusted_users": {"type": "list", "elements": "str", "default": []},
            "timeout": {"type": "int", "default": 600},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        office = OfficeHours(params["office_hours_start"], params["office_hours_end"],
                             params["office_days"], params["timezone"])
    except SecurityInputError as exc:  # the setting, for a role's rescue to name its variable
        module.fail_json(msg=str(exc), setting=exc.setting)
    for name in ("burst_failures", "failure_warn", "penalised_warn", "success_after_failures"):
        if params[name] < 1:  # 0 made every failure a burst, every login a finding
            module.fail_json(msg=f"{name}: must be at least 1, not {params[name]}",
                             setting=name)
    # journalctl without -t reads every message of the journal; -t "" only those whose
    # identifier is empty, none of sshd's
    if not params["identifiers"]:
        module.fail_json(msg="identifiers: empty, name at least one syslog identifier such "
                             "as sshd", setting="identifiers")
    if not all(identifier.strip() for identifier in params["identifiers"]):
        module.fail_json(msg=f"identifiers: {params['identifiers']} holds an empty one, name "
                             "each syslog identifier such as sshd", setting="identifiers")
    # a burst's window longer than a day is the period's count (failure_warn), no burst
    bad_seconds = seconds_error(params, "burst_seconds", "timeout")
    if bad_seconds:
        module.fail_json(**bad_seconds)
    journalctl = module.get_bin_path("journalctl")
    if not journalctl:
        module.fail_json(msg="journalctl not found: this host has no systemd journal to read")
    try:
        cursor = read_cursor(params["cursor_file"])
    except SecurityInputError as exc:  # a damaged file's content is no setting's fault
        module.fail_json(msg=str(exc), **({"setting": exc.setting} if exc.setting else {}))
    audit = Audit(params, office)
    started = time.monotonic()
    try:
        last, bad, error, expired = read_journal(journal_argv(journalctl, params, cursor), audit,
                                                 params["timeout"])
    except OSError as exc:  # found by get_bin_path, yet not run: a broken interpreter line
        module.fail_json(msg=f"cannot run {journalctl}: {exc.strerror}")
    if expired:
        module.fail_json(msg=f"journalctl tidak selesai dalam {params['timeout']} detik")
    if bad is not None:
        module.fail_json(msg=f"journalctl gave a line that is not JSON: {bad}")
    if error is not None and cursor is None and error.startswith(SINCE_REFUSED):
        module.fail_json(msg=f"since: journalctl reads no time from {params['since']!r} "
                             "(such as -31d, 2026-11-01 or yesterday)", setting="since")
    if error is not None:
        module.fail_json(msg=f"journalctl failed: {error}")
    seconds = max(time.monotonic() - started, 1e-6)
    if last and params["cursor_file"] and not module.check_mode:
        try:
            write_cursor(params["cursor_file"], last)
        except OSError as exc:
            failed = cursor_error("cannot keep the journal cursor in", params["cursor_file"], exc)
            module.fail_json(msg=str(failed), **({"setting": failed.setting} if failed.setting else {}))
    found = audit.findings()
    ssh = {"lines_read": audit.lines, "seconds": round(seconds, 3),
           "lines_per_second": round(audit.lines / seconds, 1),
           "failures": sum(audit.failures.values()), "accepted": len(audit.accepted),
           "failures_by_source": dict(audit.failures.most_common(TOP_SOURCES)),
           "penalised": sum(audit.penalised.values()),
           "penalised_by_source": dict(audit.penalised.most_common(TOP_SOURCES)),
           "from_cursor": cursor is not None}
    module.exit_json(changed=False, findings=found, ssh=ssh, sop_output={
        "ssh_lines_read": audit.lines, "ssh_lines_per_second": ssh["lines_per_second"],
        "ssh_failures": ssh["failures"], "ssh_accepted": ssh["accepted"],
        "ssh_penalised": ssh["penalised"],
        "findings": summary(found)})


if __name__ == "__main__":
    main()
