#!/usr/bin/python
# GPL-3.0-or-later
"""Listening TCP/UDP sockets compared with the host's allowlist."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_listeners
short_description: Compare the listening sockets of a host with its allowlist
description:
  - Lists the listening TCP and UDP sockets with C(ss -H -tulpn) (the owning process
    needs root) and compares each with O(allowed). A listener not allowed is a finding
    naming the protocol, address, port and process.
  - Sockets bound only to the loopback addresses are ignored unless O(include_loopback).
  - ss prints a process name's bytes as they are (any process may choose its name); a
    newline in one does not end the socket's line, and a quote, a comma, a parenthesis
    or a backslash, at its end too, is read as the name's. ss itself shows a name only
    up to its first closing parenthesis (it reads C(/proc/PID/stat) so). The result,
    the finding and the record write a name's control characters as escapes
    (C(\x0a)), a byte that is not UTF-8 as its surrogate escape (C(\udcff)) and a
    backslash doubled, so that a name holding the byte 0xff and one spelled C(\xff)
    read differently.
  - Reports only; never changes anything.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  allowed:
    description:
      - >-
        Allowed listeners, as C(PORT), C(tcp/PORT) or C(udp/PORT) (a bare port means TCP),
        optionally followed by the process name, as in C(tcp/22 sshd) (the rest of the
        entry: a name may hold spaces, C(tcp/8000 gunicorn: master)); without a
        name any process may listen there. The name is matched as the kernel shows it,
        its first 15 bytes (C(systemd-resolved) is C(systemd-resolve) in C(ss)),
        against every process holding the socket (a socket-activated service is held
        by C(systemd) and the service). A process whose name holds a byte that is not
        UTF-8 is allowed by its port only (no entry can name it).
    type: list
    elements: str
    default: []
  include_loopback:
    description: Also compare sockets bound to 127.0.0.0/8 and ::1.
    type: bool
    default: false
  timeout:
    description: Seconds C(ss) may take; a hung one is stopped and fails the module naming it.
      Above 0 and at most 86400 (one day), else the module fails with C(setting) C(timeout).
    type: int
    default: 60
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Listening ports of the web server against its allowlist
  security_listeners:
    allowed: [tcp/22 sshd, tcp/80, tcp/443]
  register: listeners
"""

RETURN = r"""
listeners:
  description: >-
    Every listening socket seen (proto, address, port, process: the first process
    holding it, processes: every one, allowed); a process's name as the finding writes
    it (a newline as C(\x0a), a byte that is not UTF-8 as C(\udcff), a backslash
    doubled); sockets on one address and port held by
    the same processes (a program's workers with SO_REUSEPORT) are one entry, those of
    another program on that port (SO_REUSEPORT too) another entry, judged by itself.
    A socket bound to no port (ss's C(*)) is none.
  returned: success
  type: list
  elements: dict
  sample: [{proto: tcp, address: "0.0.0.0", port: 22, process: sshd, processes: [sshd],
            allowed: true}]
findings:
  description: One finding (kind unexpected_listener) with every listener not allowed.
  returned: success
  type: list
  elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import ipaddress  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_security import SecurityInputError, finding, summary  # noqa: E402
from ansible.module_utils.sop_tree import shown  # noqa: E402

ALLOWED = re.compile(r"^(?:(tcp|udp)/)?(\d{1,5})(?:\s+(.+))?$")
# One process holding a socket, in ss's users:(...) column: ("NAME",pid=N,fd=N), the
# next after a comma. ss prints NAME's bytes as they are, escaping none: a quote, a
# comma, a parenthesis and a backslash are the name's (one at its end was read as an
# escape of the quote: a process named evil\ was none, shown '?'). A holder ends at the
# first '",pid=N,fd=N)' after its start: ss cuts a name at its first ')' (it reads
# /proc/PID/stat so), so no name spells that end, though it may spell '",pid=1,fd=2'.
PROCESS = re.compile(r'\("(.*?)",pid=\d+,fd=\d+\)', re.DOTALL)
COMM_LENGTH = 15  # the kernel keeps a process name's first 15 bytes (TASK_COMM_LEN - 1)
# The start of a socket's line of `ss -H -tulpn` (Netid State Recv-Q Send-Q Local Peer).
# ss prints a process name's bytes as they are, a newline too (any process may name
# itself so): a line that does not start so goes on with the process column of the line
# before. A name's 15 bytes cannot hold such a start of their own.
SOCKET_LINE = re.compile(r"(?:tcp|udp)\s+(?:LISTEN|UNCONN)\s+\d+\s+\d+\s+\S+\s+\S+")


def parse_allowed(entries: list[str]) -> list[tuple[str, int, str | None]]:
    rules = []
    for entry in entries:
        match = ALLOWED.match(entry.strip())
        if not match or not 0 < int(match[2]) < 65536:
            raise SecurityInputError(
                f"allowed listener {entry!r}: expected PORT, tcp/PORT or udp/PORT, then an optional process name")
        rules.append((match[1] or "tcp", int(match[2]), match[3]))
    return rules


def split_address(local: str) -> tuple[str, int | None]:
    """'0.0.0.0:22', '[::]:22', '*:68', '127.0.0.1%lo:53', '[fe80::1]%eth0:546' ->
    (address, port): ss puts an interface after the brackets of an IPv6 address. ss
    writes port 0 as '*' ('*:*', '0.0.0.0:*': a socket bound to no port): port None."""
    address, _, port = local.rpartition(":")
    address = address.split("%")[0].strip("[]")
    if port == "*":
        return address, None
    if not port.isdigit():
        raise SecurityInputError(f"ss printed a local address without a port number: {local!r}")
    return address, int(port)


def parse_ss(text: str) -> list[dict[str, Any]]:
    """Lines of `ss -H -tulpn`: Netid State Recv-Q Send-Q Local Peer [Process], a line
    a process name's newline began joined to its own. A socket bound to no port (ss's
    '*') listens on none and is left out."""
    lines: list[str] = []
    for line in text.split("\n"):
        if SOCKET_LINE.match(line):
            lines.append(line)
        elif lines:
            lines[-1] += "\n" + line
    found = []
    for line in lines:
        fields = line.split()
        address, port = split_address(fields[4])
        if port is None:
            continue
        names = list(dict.fromkeys(PROCESS.findall(line.partition("users:")[2])))
        found.append({"proto": fields[0], "address": address, "port": port,
                      "process": names[0] if names else None, "processes": names})
    return found


def loopback(address: str) -> bool:
    """Whether a listener's address is a loopback one (an IPv4-mapped one too, which the
    ipaddress of Python before 3.13 calls no loopback)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address == "localhost"
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def comm(name: str) -> str:
    """An allowed process ``name`` as the kernel keeps it, its first 15 bytes, as ss's
    output reads (surrogateescape): a UTF-8 character the cut splits is its bytes'
    surrogates, as in the name ss prints."""
    return name.encode("utf-8")[:COMM_LENGTH].decode("utf-8", "surrogateescape")


def allowed(listener: dict[str, Any], rules: list[tuple[str, int, str | None]]) -> bool:
    return any(proto == listener["proto"] and port == listener["port"]
               and (name is None or comm(name) in listener["processes"])
               for proto, port, name in rules)


def reported(listener: dict[str, Any]) -> dict[str, Any]:
    """``listener`` for the result: its processes' names as shown writes them (a byte
    that is not UTF-8, its surrogate escape here, cannot go in the result: the
    controller refuses it)."""
    return dict(listener, process=listener["process"] and shown(listener["process"]),
                processes=[shown(name) for name in listener["processes"]])


def endpoint(address: str, port: int) -> str:
    """ADDRESS:PORT as ss writes it, an IPv6 address in brackets ('[::]:22', not ':::22')."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def compare(listeners: list[dict[str, Any]], rules: list[tuple[str, int, str | None]],
            include_loopback: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    # One entry per address and port and set of processes: the sockets of one program's
    # workers (SO_REUSEPORT) are one listener, but another program listening on the
    # same port beside it (SO_REUSEPORT too) is one of its own, allowed or not by itself.
    seen: dict[tuple[str, str, int, frozenset[str]], dict[str, Any]] = {}
    for item in listeners:
        if not include_loopback and loopback(item["address"]):
            continue
        seen.setdefault((item["proto"], item["address"], item["port"], frozenset(item["processes"])),
                        dict(item, allowed=allowed(item, rules)))
    checked = sorted(seen.values(), key=lambda i: (i["proto"], i["port"], i["address"]))
    unexpected = [i for i in checked if not i["allowed"]]
    found = [] if not unexpected else [finding(
        "unexpected_listener",
        "Port terbuka yang tidak ada di daftar yang diizinkan: " + ", ".join(
            f"{i['proto']}/{i['port']} ({shown(i['process'] or '?')})" for i in unexpected),
        len(unexpected),
        [f"{i['proto']} {endpoint(i['address'], i['port'])} {shown(i['process'] or '?')}"
         for i in unexpected])]
    return checked, found


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "allowed": {"type": "list", "elements": "str", "default": []},
            "include_loopback": {"type": "bool", "default": False},
            "timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    try:
        rules = parse_allowed(module.params["allowed"])
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    ss = module.get_bin_path("ss")
    if not ss:
        module.fail_json(msg="ss not found (Debian package iproute2)")
    bad_timeout = seconds_error(module.params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    # a process name's byte that is no UTF-8 as its surrogate escape, compared so and
    # written by shown (reported), the one way its escapes read
    rc, out, err = run_limited(module, [ss, "-H", "-tulpn"], module.params["timeout"],
                               errors="surrogateescape")
    if rc is None:
        module.fail_json(msg=f"ss tidak selesai dalam {module.params['timeout']} detik")
    if rc != 0:
        module.fail_json(msg=f"ss failed: {shown((err.strip() or f'exit code {rc}').splitlines()[-1])}")
    try:
        listening = parse_ss(out)
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    checked, found = compare(listening, rules, module.params["include_loopback"])
    result = [reported(i) for i in checked]
    module.exit_json(changed=False, listeners=result, findings=found, sop_output={
        "listeners": [f"{i['proto']}/{i['port']} {i['process'] or '?'}" for i in result],
        "findings": summary(found)})


if __name__ == "__main__":
    main()
