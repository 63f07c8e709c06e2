#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health and configuration of a Linux gateway (nftables, routes, addresses)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: net_linux_router
short_description: Health and normalised configuration of a Linux gateway (nftables, routes, addresses)
description:
  - Runs on the gateway itself as root (over SSH like any court host). Reads uptime,
    load, memory, IP forwarding, and per interface its state, speed, errors and drops
    from C(/sys/class/net).
  - Returns the configuration as the gateway runs it, normalised for a history of
    changes (M(net_config_store)) - C(nft --stateless list ruleset), C(ip -br address)
    without the interfaces' state column, and C(ip route) for IPv4 and IPv6 without the
    C(linkdown) and C(dead) flags and the lifetime left of learnt routes, so that a pulled
    cable or a route counting down is no configuration change. A byte of their output
    that is not UTF-8 (a comment written in Latin-1, an interface's name) is kept as
    C(\xNN) there.
  - "The addresses leave out IPv6 temporary (privacy) addresses, those C(ip -6 address
    show temporary) lists: the kernel makes them from a SLAAC prefix where
    C(use_tempaddr) is 1 or 2 (Ubuntu's default) and replaces them about daily, which
    would be a configuration change on every run. The stable SLAAC address and an IPv4
    secondary address stay."
  - "The ruleset is read stateless: nft itself leaves out what traffic changes - the
    packets and bytes of counters (in rules, named counter objects, a set's elements),
    the C(used) of quotas, the C(last used) of C(last), the C(expires) of elements. A
    counter object, a quota's limit, a limit or ct object stay, as configuration."
  - "Sets (and maps) filled at runtime keep their definition (type, flags, timeout, size)
    without their elements, as Oxidized leaves out what changes by itself: sets with
    C(flags dynamic) or C(flags timeout) (CrowdSec's firewall bouncer's) or a C(timeout),
    sets a rule fills (C(add @set), C(update @set)), and the ban sets of the blockers
    that have neither flag - every set of fail2ban's tables (C(f2b-table), C(f2b-JAIL),
    C(fail2ban)), fail2ban's sets in any table (C(addr-set-JAIL), C(addr6-set-JAIL)) and
    the sets of sshguard's tables (C(sshguard)). A static set's elements (an allowlist)
    are configuration and stay."
  - Read-only, never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  ignore_interfaces:
    description:
      - Interface name patterns (regular expressions) left out of the health; one that is
        no regular expression is refused before anything is read.
      - >-
        A pattern is matched against the name itself, whose byte that is not UTF-8 is its
        surrogate escape (C(\udce9) in a pattern matches it, as the health writes it),
        a control character itself (C(\x1b)).
    type: list
    elements: str
    default: ['^lo$']
  timeout:
    description:
      - Seconds each of C(nft) and C(ip) may run; one that runs longer (a kernel or a
        netlink socket that hangs) is killed and the module fails, naming it, instead of
        holding the SOP.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 30
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the gateway
  net_linux_router:
  become: true
  register: gateway
"""

RETURN = r"""
health:
  description:
    - Uptime, load, memory, forwarding, interfaces, warnings and problems.
    - >-
      warnings and problems are one line each, in Bahasa Indonesia. An interface's name,
      in them and in interfaces, has its control characters escaped (C(\x1b)), as Linux
      allows them in a name, a byte that is not UTF-8 as its surrogate escape
      (C(\udce9)) and a backslash doubled, so that each escape reads one way only.
  returned: always
  type: dict
  sample:
    uptime_seconds: 86400
    load: [0.1, 0.05, 0.01]
    memory_used_percent: 12.5
    ip_forward: true
    interfaces: [{name: eth0, operstate: up, speed_mbps: 10000, rx_errors: 0, tx_errors: 0, rx_dropped: 0, tx_dropped: 0}]
    warnings: []
    problems: []
config:
  description: The normalised configuration (ruleset, addresses, routes).
  returned: always
  type: str
"""

import os  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_tree import shown  # noqa: E402

# `nft list ruleset`: a table, a named set or map in it (one tab in) and its elements (two
# tabs in, the lines nft wraps ending with a comma)
_TABLE = re.compile(r"^table \S+ (\S+) \{\n.*?^\}$", re.MULTILINE | re.DOTALL)
_SET = re.compile(r"^\t(?:set|map) (\S+) \{\n.*?^\t\}$", re.MULTILINE | re.DOTALL)
_ELEMENTS = re.compile(r"^\t\telements = \{(?:.*,\n)*.*\}\n", re.MULTILINE)
_RUNTIME_SET = re.compile(r"^\t\t(?:flags .*\b(?:dynamic|timeout)\b|timeout )", re.MULTILINE)
_FILLED_BY_RULE = re.compile(r"\b(?:add|update) @([^\s{}]+)")
# Tables whose sets hold a blocker's bans without flag dynamic or timeout: fail2ban's
# nftables actions (f2b-table, a local action's f2b-JAIL, or `table = fail2ban`) and
# sshguard's (ip and ip6); and fail2ban's ban sets whatever their table
_BAN_TABLE = re.compile(r"f2b-.+|fail2ban|sshguard")
_BAN_SET = re.compile(r"addr6?-set-.+")
_ROUTE_STATE = re.compile(r" (?:linkdown|dead|expires -?\d+sec)(?=\s|$)", re.MULTILINE)
NET = Path("/sys/class/net")


def read(path: Path, default: str = "") -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return default


def interfaces(ignore: list[str]) -> list[dict[str, Any]]:
    found = []
    for dev in sorted(NET.iterdir()) if NET.is_dir() else []:
        # a name's byte that is not UTF-8 as its surrogate escape, matched so and written
        # by shown, the one way its escapes read (a surrogate in the result is refused by
        # the controller)
        name = os.fsencode(dev.name).decode("utf-8", "surrogateescape")
        if any(re.search(p, name) for p in ignore):
            continue
        stats = {
            k: int(read(dev / "statistics" / k, "0") or 0)
            for k in ("rx_errors", "tx_errors", "rx_dropped", "tx_dropped")
        }
        speed = read(dev / "speed", "-1")
        found.append(
            {
                "name": shown(name),
                "operstate": read(dev / "operstate", "unknown"),
                "speed_mbps": int(speed)
                if speed.lstrip("-").isdigit() and int(speed) > 0
                else None,
                **stats,
            }
        )
    return found


def memory_used_percent() -> float | None:
    info = {}
    for line in read(Path("/proc/meminfo")).splitlines():
        key, _, value = line.partition(":")
        info[key] = int(value.split()[0]) if value.split() else 0
    total = info.get("MemTotal")
    return round(100 * (1 - info.get("MemAvailable", 0) / total), 1) if total else None


def run(module: AnsibleModule, *argv: str) -> str:
    seconds = module.params["timeout"]
    # a byte that is not UTF-8 (an nft comment written in Latin-1) as \xNN: a surrogate
    # escape in the result was refused by the controller ("invalid UTF8 string value")
    rc, out, err = run_limited(module, list(argv), seconds, errors="backslashreplace")
    if rc is None:
        module.fail_json(msg=f"{' '.join(argv)} tidak selesai dalam {seconds} detik")
    if rc != 0:
        lines = (err or out).strip().splitlines()
        module.fail_json(msg=f"{' '.join(argv)} failed: {lines[-1] if lines else f'exit {rc}'}")
    return str(out)


def runtime_elements(table: re.Match[str]) -> str:
    """A table without the elements of its sets that packets or the blockers fill (flags
    dynamic or timeout, a timeout, a rule's add or update, a blocker's table or fail2ban's
    set): their definitions stay, an administrator's static set stays whole."""
    filled = set(_FILLED_BY_RULE.findall(table[0]))
    bans = _BAN_TABLE.fullmatch(table[1]) is not None

    def drop(block: re.Match[str]) -> str:
        if (bans or block[1] in filled or _BAN_SET.fullmatch(block[1])
                or _RUNTIME_SET.search(block[0])):
            return _ELEMENTS.sub("", block[0])
        return block[0]

    return _SET.sub(drop, table[0])


def normalise(title: str, text: str) -> str:
    """What is configuration, without what the moment adds: the elements of sets filled
    at runtime (bans, a rule's add @set) in a stateless ruleset, the routes' linkdown and
    dead flags and the lifetime left of a learnt route."""
    if title == "nft list ruleset":
        return _TABLE.sub(runtime_elements, text)
    return _ROUTE_STATE.sub("", text)


def addresses(brief: str, temporary: str) -> str:
    """``ip -br address`` (name, state, addresses) without the interfaces' operational
    state (a pulled cable, a modem off) and without the IPv6 temporary addresses that
    ``ip -o -6 address show temporary`` lists (replaced about daily). Not ``ip -br
    address show -temporary``: that flag is IPv4's secondary too, which would leave out
    a second IPv4 address in a subnet, configuration."""
    rotating = {fields[3] for fields in (line.split() for line in temporary.splitlines())
                if len(fields) > 3 and fields[2] == "inet6"}
    return "".join(
        " ".join(fields[:1] + [a for a in fields[2:] if a not in rotating]) + "\n"
        for fields in (line.split() for line in brief.splitlines())
        if fields
    )


def interface_lines(ifaces: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The problems (an interface down) and warnings (one with errors) of ``ifaces``, each
    name as interfaces wrote it (shown: Linux allows all but whitespace, '/' and ':' in
    one, \x1b would reach a terminal showing the report)."""
    problems, warnings = [], []
    for i in ifaces:
        if i["operstate"] == "down":
            problems.append(f"interface {i['name']} mati")
        if i["rx_errors"] or i["tx_errors"]:
            warnings.append(f"interface {i['name']} error rx {i['rx_errors']} "
                            f"tx {i['tx_errors']}")
    return problems, warnings


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "ignore_interfaces": {"type": "list", "elements": "str", "default": ["^lo$"]},
            "timeout": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    bad_timeout = seconds_error(module.params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    for pattern in module.params["ignore_interfaces"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            module.fail_json(msg=f"ignore_interfaces: {pattern!r} is not a regular expression: {exc}")
    nft = module.get_bin_path("nft", required=True)
    ip = module.get_bin_path("ip", required=True)
    # stateless: without the counters' values, quotas' use, last use, elements' expiry
    # (its section keeps the title it had, so that no stored history shows a change)
    ruleset = normalise("nft list ruleset", run(module, nft, "--stateless", "list", "ruleset"))
    sections = [
        ("nft list ruleset", ruleset),
        ("ip -br address", addresses(run(module, ip, "-br", "address"),
                                     run(module, ip, "-o", "-6", "address", "show", "temporary"))),
        ("ip -4 route", normalise("ip -4 route", run(module, ip, "-4", "route"))),
        ("ip -6 route", normalise("ip -6 route", run(module, ip, "-6", "route"))),
    ]
    config = "".join(f"# {title}\n{text.rstrip()}\n\n" for title, text in sections)
    ifaces = interfaces(module.params["ignore_interfaces"])
    forward = read(Path("/proc/sys/net/ipv4/ip_forward")) == "1"
    problems, warnings = [], []
    if not forward:
        problems.append("IP forwarding mati: gateway tidak meneruskan paket")
    if not ruleset.strip():
        warnings.append("tidak ada aturan nftables yang dimuat")
    down, failing = interface_lines(ifaces)
    problems += down
    warnings += failing
    uptime = read(Path("/proc/uptime"), "0").split()[0]
    load = [float(x) for x in read(Path("/proc/loadavg"), "0 0 0").split()[:3]]
    health = {
        "uptime_seconds": int(float(uptime)),
        "load": load,
        "memory_used_percent": memory_used_percent(),
        "ip_forward": forward,
        "interfaces": ifaces,
        "warnings": warnings,
        "problems": problems,
    }
    module.exit_json(changed=False, health=health, config=config)


if __name__ == "__main__":
    main()
