#!/usr/bin/python
# GPL-3.0-or-later
"""SSH hardening (sshd -T, and -T -C for the connections of each Match block), an active
firewall (nftables) and fail2ban's bans."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_hardening
short_description: Check SSH hardening, the firewall and fail2ban on a host
description:
  - Reads sshd's effective configuration with C(sshd -T) (root needed). Password login
    (C(passwordauthentication yes), or C(kbdinteractiveauthentication yes) with
    C(usepam yes), where C(authenticationmethods) lets the password complete a login
    alone, as C(any) or a list C(password) do and C(publickey,password) does not), empty
    passwords, and a C(permitrootlogin) value not in O(permit_root_login) are findings.
  - >-
    C(sshd -T) evaluates the configuration for no particular connection, so a C(Match)
    block that weakens a setting for some connections is not in it. The module reads the
    C(Match) lines of O(sshd_config) and of the files its C(Include) lines name, as sshd
    does (globs in lexical order, a relative path in C(/etc/ssh), a glob matching nothing
    skipped, a C(Match) in a file included inside a C(Match) block holding only where both
    do), and evaluates the configuration with C(sshd -T -C) for a connection meeting each
    block (criteria C(User), C(Group), C(Host), C(Address), C(LocalAddress), C(LocalPort),
    C(RDomain), C(Invalid-User), C(Version), C(All); pattern lists with wildcards and
    negations as OpenSSH matches them). The connection's other fields are neutral (user
    C(sop-check), address C(192.0.2.1), host name the address, C(lport) sshd's first
    C(Port) when any block names a C(LocalPort)). A C(Group) is met by a real member of
    the group, as sshd looks the account up. sshd takes a setting from the first block a
    connection meets, so a connection that meets a block before its own too (such as
    C(Match Address *,!10.0.0.0/8) before C(Match User budi)) is changed, a field at a
    time, to one that does not where it can: a value that block's patterns negate
    (C(10.0.0.1)), another port sshd listens on (for the connections of the first 64
    blocks). A weak setting such a connection has and the default evaluation has not is
    a finding naming the connection and its blocks.
  - >-
    Where a block names a C(LocalPort), C(sshd -T) is given a port no block names
    (C(-C lport=65535)): OpenSSH refuses C(-T) without one then, and with it evaluates
    the configuration as for no particular connection.
  - Configuration files are read as sshd reads them (only a newline ends a line, a NUL
    byte ends it and joins the next, bytes that are no UTF-8 kept as they are for the
    connection that names them).
  - At most 32 connections are evaluated (a warning says when there are more). A file
    that cannot be read or is not a regular file (a FIFO, a device), a block no
    connection can meet (C(Match User !root), a group without members) or with a
    criterion sshd cannot evaluate with C(-C), and a connection C(sshd -T -C) fails for
    (a group lookup) are warnings and go unchecked; a connection it does not answer within
    O(timeout) is a warning and ends the C(Match) checks.
  - Reads the nftables ruleset (C(nft list ruleset), root and CAP_NET_ADMIN needed;
    Debian 12's iptables is iptables-nft, so its rules are there too). No chain on the
    input hook that filters is a finding (no firewall). A chain filters when its policy
    is drop or a rule ends in drop or reject, except a rule that drops only invalid
    packets (C(ct state invalid drop)) or only the source addresses of a set (fail2ban's
    bans); comments and log prefixes are not read. Rules of the regular chains a base
    chain reaches by C(jump) or C(goto) (in its own table), also through a verdict map
    (C(vmap), inline or a map of its table), count as its own; a verdict map's drop counts
    as the plain rule of its element would. A rule that accepts every packet (a bare
    C(accept), counted, also by a named counter, logged, or setting only the packet's or
    its connection's data, as C(meta mark), C(priority) or C(nftrace set), C(ct mark),
    C(zone), C(event) or C(label set) to a constant or the packet's mark, C(notrack),
    C(ct helper) or C(timeout set) by name and C(dup to) a constant address do; as one
    left in from a test) ends the chain's reading; what follows it and the policy are
    never reached (a counter a map names, or a value a map gives, is a condition, as a
    packet whose key the map lacks goes on; so are C(limit), C(quota), payload, TCP option
    and C(ct expectation) statements and C(synproxy)). So does a bare C(jump) or C(goto) to a chain that accepts every packet (a bare
    C(accept) with no C(return) before it, nor C(goto) to a chain a packet may end without
    a verdict, there or through further bare jumps); a
    conditional one is an ordinary accept. The packets a C(return) with a match sends out
    of the chain before such a rule do meet the policy, and so do those a C(goto) with a
    match sends to a chain they may end without a verdict (one that does not accept or
    drop every packet), as a chain gone to never comes back; in a base chain with policy
    drop it filters, unless they are only invalid or banned ones. No rule
    after a bare C(return) or C(goto) is reached either, as every packet leaves the chain
    there, back to the rule after the jump that reached it or, in a base chain, to its
    policy (a chain gone to never comes back); after a C(return) or C(goto) with a match,
    as after a C(jump), the chain's rules are read on. A ruleset
    whose C(nftables) service does not start at boot is reported (it does not survive a
    reboot) when O(require_persistent). The service starts at boot when C(systemctl
    is-enabled nftables) prints C(enabled); or when it prints C(static) (no C([Install])
    section, started only when another unit pulls it in), C(indirect) (enabled only under
    another name or through C(Also=)) or C(generated) (written by a systemd generator,
    which also writes its C(.wants/) links again at each boot) and the units the boot
    starts, C(systemctl list-dependencies --all default.target) as systemd has them
    loaded, include C(nftables.service). C(alias) (the name is a symlink to another
    unit's file, as C(display-manager.service) to C(gdm.service)) says nothing of that
    unit's enablement, so the unit it names (the C(Id) C(systemctl show) gives the loaded
    unit) is judged so instead. C(enabled-runtime) (linked in C(/run) only, gone at the
    next boot) and every other state are findings naming the state. A C(systemctl)
    that does not answer within O(timeout), or fails, or is missing leaves the state
    unread, and a C(list-dependencies) that does not answer leaves it unproven - a
    C(firewall_persistence_unread) finding naming why, never one saying the service is
    not enabled.
  - When C(nftables.service)'s unit file changed on disk since systemd loaded it
    (C(systemctl show -p NeedDaemonReload) C(yes), no C(systemctl daemon-reload) since),
    what systemd has loaded, which C(list-dependencies) reads, is not what the next boot
    reads, so the state reported may be stale - a C(nftables_unit_changed) note.
  - Where C(fail2ban-client) answers, reports each jail's current and total bans. A jail
    C(fail2ban-client status) lists that no longer exists when asked for (a reload in
    between) is left out, a C(fail2ban_jail_gone) note, not a failure.
  - Reports only; never changes anything.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  permit_root_login:
    description:
      - Acceptable values of sshd's C(permitrootlogin). C(prohibit-password) and
        C(without-password) are one value (the names of one setting; C(sshd -T) prints
        either, by OpenSSH version), either names both.
      - A value stricter than an acceptable one is acceptable too (strictest first
        C(no), C(forced-commands-only), C(prohibit-password), C(yes)).
      - >-
        At least one, each one of those or C(without-password), else the module fails
        with C(setting) C(permit_root_login) (an unquoted no in YAML is the boolean
        false, given as C(False): it matched no value, and sshd's own no was a finding).
    type: list
    elements: str
    default: ["no", prohibit-password, without-password]
  firewall:
    description: Require a firewall (an nftables chain on the input hook).
    type: bool
    default: true
  require_persistent:
    description: Also require the C(nftables) service to start at boot (enabled, or pulled in by the units the boot starts; see the description), so the ruleset survives a reboot.
    type: bool
    default: true
  timeout:
    description:
      - Seconds each tool (each C(sshd -T), C(nft), C(systemctl), C(fail2ban-client)) may take. A
        hung C(sshd -T) or C(nft) fails the module naming it; a hung C(systemctl) or
        C(fail2ban-client) is a warning, the nftables service's state then unread (a
        C(firewall_persistence_unread) finding) and fail2ban as not answering, and so is a
        hung C(sshd -T -C) (the C(Match) checks end).
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 60
  sshd_config:
    description:
      - The sshd configuration file (C(sshd -f)), whose C(Match) blocks are evaluated.
      - A path with a NUL byte fails the module with C(setting) C(sshd_config).
    type: path
    default: /etc/ssh/sshd_config
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: SSH hardening, firewall and fail2ban
  security_hardening:
    permit_root_login: ["no"]
  register: hardening
"""

RETURN = r"""
sshd:
  description: The sshd settings checked, as C(sshd -T) prints them.
  returned: success
  type: dict
  sample: {passwordauthentication: "no", permitrootlogin: "no", kbdinteractiveauthentication: "no", usepam: "yes", permitemptypasswords: "no"}
sshd_match:
  description:
    - The connections evaluated for the C(Match) blocks (C(sshd -T -C)), each with connection
      (C(-C)'s argument), blocks (the C(Match) lines it meets, with file and line) and
      settings (as RV(sshd)).
    - Empty without C(Match) blocks.
  returned: success
  type: list
  elements: dict
  sample: [{connection: "user=budi,host=192.0.2.1,addr=192.0.2.1", blocks: ["Match User budi (/etc/ssh/sshd_config:120)"], settings: {passwordauthentication: "yes", permitrootlogin: "no"}}]
firewall:
  description:
    - input_chains (chains on the input hook), filtering_chains (those that filter, see the description),
      service_state (what C(systemctl is-enabled nftables) printed; null without C(systemctl) or when it
      did not answer), service_alias_of and service_alias_state (for C(alias), the unit
      C(nftables.service) is an alias of and what C(systemctl is-enabled) printed for it; else null),
      service_enabled (true only for C(enabled), of the aliased unit for C(alias)),
      service_pulled_in_at_boot (for C(static), C(indirect) and C(generated) whether C(systemctl
      list-dependencies --all default.target) lists the unit; null for another state or when it did
      not answer), service_unread (why a state or the boot's units could not be read, one line;
      null when they were) and service_needs_daemon_reload (C(NeedDaemonReload) of
      C(systemctl show nftables.service); null when it was not read).
    - Null when O(firewall) is false, or without C(nft) (then a C(firewall_unread) finding).
  returned: success
  type: dict
fail2ban:
  description: Jails with currently_banned, total_banned and banned addresses; null when fail2ban does not run, is not installed (then a C(fail2ban_missing) note) or C(fail2ban-client) did not answer (then a C(fail2ban_unread) note).
  returned: success
  type: dict
notes:
  description:
    - What is worth knowing but no finding, as findings are written - C(fail2ban_jail_gone) a jail gone between C(fail2ban-client status) and its own status,
      C(nftables_unit_changed) the nftables unit file changed on disk since systemd loaded it (the service's state may be stale),
      C(fail2ban_unread) a C(fail2ban-client) that did not answer within O(timeout) (RV(fail2ban) null, though fail2ban may run),
      C(fail2ban_missing) no C(fail2ban-client) on the host (RV(fail2ban) null, fail2ban not installed rather than not running).
  returned: success
  type: list
  elements: dict
findings:
  description:
    - Findings; kinds ssh_password_auth, ssh_empty_passwords, ssh_root_login, no_firewall, firewall_unread, firewall_not_persistent, firewall_persistence_unread.
    - C(firewall_unread) is a host without C(nft) when O(firewall) (RV(firewall) null) - its firewall cannot be read, never said to be absent.
    - An SSH finding of a C(Match) block's connection names it and the block, with its file and line (C(... untuk koneksi user=budi,host=192.0.2.1,addr=192.0.2.1 sesuai Match User budi) and the place).
  returned: success
  type: list
  elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import os  # noqa: E402
import re  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_security import finding, summary  # noqa: E402
from ansible.module_utils.sop_server import first_line  # noqa: E402
from ansible.module_utils.sop_sshd import Block, connections, read_config, unnamed_port  # noqa: E402

SSHD_KEYS = ("passwordauthentication", "kbdinteractiveauthentication", "usepam",
             "permitemptypasswords", "permitrootlogin", "authenticationmethods")
# permitrootlogin's names of one value: sshd -T prints either, by OpenSSH version.
ROOT_LOGIN_SYNONYMS = {"without-password": "prohibit-password"}
# permitrootlogin's values, strictest first: a value is acceptable when one as strict or
# less is (forced-commands-only allows root only a key with a forced command, what
# prohibit-password allows and more).
ROOT_LOGIN_ORDER = ("no", "forced-commands-only", "prohibit-password", "yes")
# The line sshd ends its configuration errors with ("/etc/ssh/sshd_config: terminating, 1
# bad configuration options"); the lines before it name each option and its line.
SSHD_SUMMARY = re.compile(r": terminating, \d+ bad configuration options$")
MAX_CONNECTIONS = 32  # sshd -T -C evaluations of Match blocks at most, besides sshd -T
TABLE = re.compile(r"^table \S+ \S+ \{\n(.*?)^\}", re.M | re.S)
CHAIN = re.compile(r"^\s*chain (\S+) \{\n(.*?)^\s*\}", re.M | re.S)
# A rule that continues in a regular chain of the same table.
JUMP = re.compile(r"(?:^|\s)(?:jump|goto) (\S+)$")
JUMP_STACK = 16  # the kernel's nesting limit (NFT_JUMP_STACK_SIZE): deeper never runs
# A verdict map: its elements in the rule (key : verdict, ...), or a map of the table.
VMAP = re.compile(r"\bvmap (?:\{([^{}]*)\}|@(\S+))")
MAP = re.compile(r"^\s*map (\S+) \{\n(.*?)^\s*\}", re.M | re.S)
ELEMENTS = re.compile(r"\belements = \{([^{}]*)\}")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# A rule's verdict: drop, or reject with or without its "with ..." (comments removed).
VERDICT = re.compile(r"(?:^|\s)(?:drop|reject(?: with [\w -]+)?)$")
# Statements that do not select packets: counters (anonymous, or a named counter object;
# a counter a map names is looked up, and a packet whose key it lacks ends the rule),
# logging, with every option nft 1.0.6 prints (quoted text already read as ""), and what
# only sets a packet's or its connection's data, nft(8)'s meta and conntrack statements
# (to a constant or the packet's mark: a value a map gives ends the rule for a key it
# lacks, the connection's mark for a packet without one) and notrack; the connection's
# helper or timeout policy (an object named, not one a map gives) and a copy sent to a
# constant address (dup). Not limit or quota: a packet over the rate or quota ends the
# rule; nor a payload, TCP option or ct expectation statement or synproxy: a packet
# without the header (for a payload, IPv6 in an inet table: nft adds a hidden match of
# IPv4) or a connection already confirmed ends the rule, a synproxy SYN is stolen.
NOISE = re.compile(r"\bcounter(?: packets \d+ bytes \d+| name \"\")?"
                   r"|\blog(?: (?:prefix \"\"|group \d+|snaplen \d+|queue-threshold \d+"
                   r"|level \w+|flags (?:tcp |ip )?[\w,]+))*"
                   r"|\b(?:meta (?:mark|priority|nftrace)|ct (?:mark|(?:original |reply )?zone)) set "
                   r"(?:meta mark(?: [&|^] 0x[0-9a-f]+)?|0x[0-9a-f]+|\d+|[0-9a-f]+:[0-9a-f]+|none|root)"
                   r"(?= |$)"
                   r"|\bct (?:event|label) set [\w,]+(?= |$)|\bnotrack\b"
                   r'|\bct (?:helper|timeout) set ""(?= |$)'
                   r'|\bdup to (?:[\d.]+|[\da-f]*:[\da-f:.]*)(?: device "")?(?= |$)')
# A rule's comment, quoted text removed: nft prints it last, after the verdict.
FINAL_COMMENT = re.compile(r" comment \"\"$")
# A drop of only the source addresses in a set (fail2ban's bans): a blocklist.
BLOCKLIST = re.compile(r"\bsaddr @")
# The states of `systemctl is-enabled` (systemctl(1)'s table) that start the nftables
# service at the next boot by themselves. It exits 0 for others too: enabled-runtime
# (linked only in /run, gone at reboot), alias (the name is a symlink to another unit's
# file: that unit's own state decides, see service_at_boot), transient (made at run time
# through the API), and those of PULLED_IN_STATES.
PERSISTENT_STATES = ("enabled",)
# The states of a unit the boot may still start, pulled in by another unit: static (no
# [Install] section: another unit's Wants= or Requires=, or a .wants/ link made by hand),
# indirect (enabled under another name, or through Also=), generated (written by a
# generator, systemd.generator(7), which writes its .wants/ links again at every boot:
# "enabled implicitly by their generator"). Such a unit survives a reboot when the
# units the boot starts (default.target's dependencies) include it; whether it is
# active now says nothing of the next boot.
PULLED_IN_STATES = ("static", "indirect", "generated")
# What each of them means, for the finding when the boot does not pull the unit in.
PULLED_IN_WHY = {
    "static": "tidak di-enable (static: unitnya tanpa bagian [Install])",
    "indirect": "tidak di-enable (indirect: hanya lewat nama lain atau Also=)",
    "generated": "dibuat oleh generator systemd (generated)",
}
BOOT_DEPENDENCIES = ("list-dependencies", "--plain", "--full", "--no-pager", "--all",
                     "default.target")
# How reading a chain ends (judge): in a drop, accepting every packet, or neither.
FILTERS = "filters"
ACCEPTS = "accepts"
NEITHER = ""


def parse_sshd(text: str) -> dict[str, str]:
    settings = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key in SSHD_KEYS:
            settings[key] = value.strip()
    return settings


def password_login(settings: dict[str, str]) -> str | None:
    """How sshd (sshd -T's ``settings``) takes a password without a key, or None: a
    method that asks one (password; keyboard-interactive, a password through PAM) is
    enabled and completes a list of authenticationmethods alone (any: each enabled
    method is a list of its own; publickey,password needs a key too)."""
    enabled = {"password": "passwordauthentication yes"} \
        if settings.get("passwordauthentication") == "yes" else {}
    if settings.get("kbdinteractiveauthentication") == "yes" and settings.get("usepam") == "yes":
        enabled["keyboard-interactive"] = "kbdinteractiveauthentication yes (PAM)"
    lists = settings.get("authenticationmethods", "any").split()
    alone = [methods for methods in ([[m] for m in enabled] if lists == ["any"] else
                                     [[m.split(":")[0] for m in listed.split(",")]
                                      for listed in lists])
             if all(method in enabled for method in methods)]
    return enabled[alone[0][0]] if alone else None


def sshd_findings(settings: dict[str, str], root_ok: list[str],
                  where: str = "") -> list[dict[str, Any]]:
    """The weak settings of one evaluation of sshd's configuration; ``where`` names the
    connection it was for (none: sshd -T's default)."""
    found = []
    which = password_login(settings)
    if which:
        found.append(finding("ssh_password_auth",
                             f"SSH menerima login dengan password ({which}){where}: gunakan kunci saja",
                             samples=[which]))
    if settings.get("permitemptypasswords") == "yes":
        found.append(finding("ssh_empty_passwords", f"SSH mengizinkan password kosong{where}"))
    root = settings.get("permitrootlogin", "")
    same = {ROOT_LOGIN_SYNONYMS.get(value, value) for value in root_ok}
    stricter = ROOT_LOGIN_ORDER[:max((ROOT_LOGIN_ORDER.index(value) + 1 for value in same
                                      if value in ROOT_LOGIN_ORDER), default=0)]
    if ROOT_LOGIN_SYNONYMS.get(root, root) not in same.union(stricter):
        found.append(finding("ssh_root_login",
                             f"SSH mengizinkan login root (permitrootlogin {root}){where}",
                             samples=[f"permitrootlogin {root}"]))
    return found


def root_login_error(root_ok: list[str]) -> str | None:
    """Why the acceptable permitrootlogin values ``root_ok`` judge nothing as meant, or
    None: none at all (sshd's no was a finding), or one sshd -T never prints, which no
    setting matches (YAML's false for an unquoted no, given as ``False``)."""
    if not root_ok:
        return "empty, name at least one acceptable value such as no"
    known = (*ROOT_LOGIN_ORDER, *ROOT_LOGIN_SYNONYMS)
    unknown = [value for value in root_ok if value not in known]
    if not unknown:
        return None
    yaml_read = next((word for value, word in (("False", "no"), ("True", "yes"))
                      if value in unknown), None)
    read_as = (f" (YAML reads an unquoted {yaml_read} as a boolean: quote it, "
               f'"{yaml_read}")' if yaml_read else "")
    return (f"{', '.join(map(repr, unknown))} is no permitrootlogin value, one of "
            f"{', '.join(known)}{read_as}")


def cause(rc: int | None, out: str, err: str) -> str:
    """A failed tool's own last line; sshd's last error before its summary (SSHD_SUMMARY)."""
    lines = (err.strip() or out.strip() or str(rc)).splitlines()
    return ([line for line in lines if not SSHD_SUMMARY.search(line)] or lines)[-1]


def match_connections(module: AnsibleModule, test: list[str], default: str,
                      reported: list[dict[str, Any]], *, blocks: list[Block],
                      warnings: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``test`` (sshd -T) with -C for a connection meeting each Match block of the
    configuration (``blocks``, ``warnings`` of reading them), at most MAX_CONNECTIONS:
    the settings of each, and the findings the default evaluation (``default``, its
    findings ``reported``) does not have, naming the connection and its blocks. A
    connection sshd cannot evaluate is a warning; one it does not answer in time is a
    warning and stops the rest."""
    params = module.params
    specs, unmet = connections(blocks, re.findall(r"^port (\d+)$", default, re.M) or ["22"])
    for warning in warnings + unmet:
        module.warn(warning)
    if len(specs) > MAX_CONNECTIONS:
        module.warn(f"{len(specs)} koneksi dari blok Match; hanya {MAX_CONNECTIONS} yang pertama "
                    "diperiksa")
    shown = {item["message"] for item in reported}
    checked: list[dict[str, Any]] = []
    found = []
    for spec, its in list(specs.items())[:MAX_CONNECTIONS]:
        rc, out, err = run_limited(module, [*test, "-C", spec], params["timeout"])
        if rc is None:
            module.warn(f"sshd -T -C {spec} tidak selesai dalam {params['timeout']} detik: "
                        "koneksi ini dan berikutnya tidak diperiksa")
            break
        if rc != 0:
            module.warn(f"sshd -T -C {spec} gagal ({cause(rc, out, err)}): koneksi ini tidak "
                        "diperiksa")
            continue
        settings = parse_sshd(out)
        checked.append({"connection": spec, "blocks": [str(b) for b in its], "settings": settings})
        where = f" untuk koneksi {spec} sesuai {'; '.join(map(str, its))}"
        plain = sshd_findings(settings, params["permit_root_login"])
        named = sshd_findings(settings, params["permit_root_login"], where)
        if len(plain) != len(named):  # zip(strict=True) is Python 3.10+
            raise ValueError(f"{len(plain)} findings without the connection, {len(named)} with it")
        found += [item for bare, item in zip(plain, named)
                  if bare["message"] not in shown]
    return checked, found


def judge(body: str, chains: dict[str, str], seen: frozenset[str], maps: dict[str, str],
          judged: dict[str, str]) -> str:
    """A chain's body (nft list ruleset's lines) read in order as the kernel runs it:
    FILTERS when its policy is drop, or one of its rules ends in a drop or reject verdict
    and is not one that passes all ordinary traffic anyway (only invalid packets dropped,
    or only the addresses of a set such as fail2ban's bans), or it jumps to (or goes to)
    one of its table's ``chains`` that filters, itself or through a verdict map (one of
    its table's ``maps``, by name); ACCEPTS when a rule that accepts every packet comes
    first: a bare ``accept`` (counted, logged, marked or untracked: see NOISE), or a
    bare ``jump``/``goto`` to a chain that accepts every packet, with no ``return`` (nor
    ``goto`` to a chain they may end without a verdict) before it; nothing after it is
    reached, the policy only by the packets such a rule before it sent out of the chain
    (see sent_out, accepted_all); else NEITHER.
    Nothing after a bare ``return`` or ``goto`` is reached either: every packet leaves
    the chain there, back to its caller or, in a base chain, to its policy (a chain gone
    to never comes back to this one). Quoted text (comments, log prefixes) is not read,
    nor a rule's comment, which nft prints after the verdict (``jump lan comment "..."``).
    Each chain reached is judged once (``judged``): a host's ruleset may reach one chain
    by many rules, level after level; one already on the way (``seen``, a loop) or deeper
    than the kernel runs is not."""
    policy_drop = returns = dropped = False
    for line in body.splitlines():
        rule = FINAL_COMMENT.sub("", QUOTED.sub('""', line).strip())
        if rule.startswith("type "):
            policy = re.search(r"\bpolicy (\w+)\s*;", rule)
            policy_drop = bool(policy and policy[1] == "drop")
            continue
        if statement(rule) == ["accept"]:
            return accepted_all(returns, dropped)
        for each in single_verdicts(rule, maps):
            words = statement(each)
            target = reached(JUMP.search(each), chains, seen, maps, judged)
            if target == FILTERS:
                return FILTERS
            if target == ACCEPTS and len(words) == 2:
                return accepted_all(returns, dropped)
            out = sent_out(words, target)
            if out is not None:
                returns = True
                dropped = dropped or (policy_drop and not exempt(out))
            if target is not None:
                continue
            verdict = VERDICT.search(each)
            if not verdict:
                continue
            if exempt(NOISE.sub(" ", each[:verdict.start()]).split()):
                continue
            return FILTERS
        if leaves(statement(rule)):
            break
    return FILTERS if policy_drop else NEITHER


def reached(jump: re.Match[str] | None, chains: dict[str, str], seen: frozenset[str],
            maps: dict[str, str], judged: dict[str, str]) -> str | None:
    """How the chain a rule jumps or goes to (``jump``, JUMP's match) ends (see judge),
    judged once; None when it is none of the table's ``chains``, or one on the way (a
    loop) or deeper than the kernel runs."""
    if not jump or jump[1] not in chains or jump[1] in seen or len(seen) > JUMP_STACK:
        return None
    if jump[1] not in judged:
        judged[jump[1]] = judge(chains[jump[1]], chains, seen | {jump[1]}, maps, judged)
    return judged[jump[1]]


def sent_out(words: list[str], target: str | None) -> list[str] | None:
    """The matches of a rule (its words, see statement) that sends the packets meeting
    them out of its chain without a verdict, for good: a ``return``, or a ``goto`` to a
    chain they may end without one (judged ``target`` NEITHER), as a chain gone to never
    comes back; None for another rule."""
    if words[-1:] == ["return"]:
        return words[:-1]
    if target == NEITHER and words[-2:-1] == ["goto"]:
        return words[:-2]
    return None


def accepted_all(returns: bool, dropped: bool) -> str:
    """How a chain's reading ends at a rule accepting every packet that reaches it: ACCEPTS,
    or, when a rule before it sent some packets out of the chain (see sent_out), FILTERS
    if it sent (more than exempt ones) to a base chain's policy drop (``dropped``), else
    NEITHER (back to the caller, to a policy accept, or only invalid or banned packets
    dropped)."""
    if not returns:
        return ACCEPTS
    return FILTERS if dropped else NEITHER


def exempt(matches: list[str]) -> bool:
    """Whether a rule's matches (its words before the verdict) select only packets whose
    drop is no firewall: invalid ones, or the source addresses of a set (a blocklist)."""
    return matches == ["ct", "state", "invalid"] or bool(BLOCKLIST.search(" ".join(matches)))


def leaves(words: list[str]) -> bool:
    """Whether a rule's words (see statement) send every packet out of its chain for
    good: a bare ``return``, or a bare ``goto`` (its chain returns to this one's caller)."""
    return words == ["return"] or (len(words) == 2 and words[0] == "goto")


def statement(rule: str) -> list[str]:
    """A rule's words (quoted text and comment already removed) without the statements
    that select no packets (NOISE): ``["accept"]`` for a rule that accepts every packet."""
    return NOISE.sub(" ", rule).split()


def single_verdicts(rule: str, maps: dict[str, str]) -> list[str]:
    """A rule as rules of one verdict each: one with a verdict map stands for one rule per
    element, the element's key in place of the map (``ct state vmap { invalid : drop }``
    as ``ct state invalid drop``); a named map's key is the map (``ip saddr vmap @m`` with
    a drop as ``ip saddr @m drop``, as a named set). A map not in ``maps`` gives none."""
    vmap = VMAP.search(rule)
    if not vmap:
        return [rule]
    prefix = rule[:vmap.start()]
    if vmap[1] is not None:
        pairs = [element.rpartition(" : ") for element in vmap[1].split(",")]
        return [f"{prefix}{key.strip()} {verdict.strip()}" for key, _, verdict in pairs]
    elements = ELEMENTS.search(maps.get(vmap[2], ""))
    verdicts = {e.rpartition(" : ")[2].strip() for e in elements[1].split(",")} if elements \
        else set()
    return [f"{prefix}@{vmap[2]} {verdict}" for verdict in sorted(verdicts)]


def parse_ruleset(text: str) -> dict[str, Any]:
    """Chains on the input hook, and those that filter (see judge)."""
    inputs, filtering = [], []
    for table in TABLE.findall(text):
        chains = dict(CHAIN.findall(table))
        maps = {name: QUOTED.sub('""', body) for name, body in MAP.findall(table)}
        for name, body in chains.items():
            if re.search(r"type filter hook input\b", QUOTED.sub('""', body)):
                inputs.append(name)
                if judge(body, chains, frozenset({name}), maps, {}) == FILTERS:
                    filtering.append(name)
    return {"input_chains": inputs, "filtering_chains": filtering}


def unit_file_state(out: str) -> str | None:
    """The state `systemctl is-enabled` prints, its last line (a SysV service's redirect
    to systemd-sysv-install is told before it); None when it printed none."""
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    return lines[-1] if lines else None


def boot_units(out: str) -> set[str]:
    """The units `systemctl list-dependencies --plain` printed, one a line (indented, and
    after a state glyph where a systemd prints one)."""
    return {line.split()[-1] for line in out.splitlines() if line.split()}


def properties(out: str) -> dict[str, str]:
    """The NAME=VALUE lines `systemctl show` printed."""
    return {name: value.strip() for name, sep, value in
            (line.partition("=") for line in out.splitlines()) if sep}


def unanswered(what: str, rc: int | None, err: str, seconds: int) -> str:
    """Why a systemctl call gave no answer, one line: it did not end within ``seconds``
    (rc None), or its own first error line ('Failed to connect to bus: ...')."""
    if rc is None:
        return f"systemctl tidak menjawab dalam {seconds} detik"
    return f"systemctl {what} gagal: {first_line(err, rc)}"


def service_at_boot(ask: Callable[[list[str]], tuple[int | None, str, str]],
                    systemctl: str | None, seconds: int) -> dict[str, Any]:
    """Whether the nftables service starts at boot, as RV(firewall) reports it: the state
    `systemctl is-enabled` prints (through ``ask``, a bounded run); for alias, the state of
    the unit it is an alias of (systemctl(1): "the name is an alias", which says nothing of
    the unit's own enablement; the loaded unit's Id names it, as display-manager.service's
    is gdm.service); for PULLED_IN_STATES whether default.target's dependencies include
    the unit; and whether its unit file changed on disk since systemd loaded it
    (NeedDaemonReload, so the loaded dependencies may be stale). A call that gives no
    answer sets service_unread (why) and leaves what depends on it None."""
    found: dict[str, Any] = {"service_state": None, "service_alias_of": None,
                             "service_alias_state": None, "service_enabled": False,
                             "service_pulled_in_at_boot": None, "service_unread": None,
                             "service_needs_daemon_reload": None}
    if not systemctl:
        found["service_unread"] = "systemctl tidak ditemukan"
        return found
    rc, out, err = ask([systemctl, "is-enabled", "nftables"])
    state = unit_file_state(out) if rc is not None else None
    if state is None:
        found["service_unread"] = unanswered("is-enabled nftables", rc, err, seconds)
        return found
    found["service_state"] = state
    unit = "nftables.service"
    rc, out, err = ask([systemctl, "show", "--property=Id,NeedDaemonReload", unit])
    shown = properties(out) if rc == 0 else {}
    found["service_needs_daemon_reload"] = {"yes": True, "no": False}.get(
        shown.get("NeedDaemonReload", ""))
    if state == "alias":
        if not shown.get("Id") or shown["Id"] == unit:
            why = (unanswered(f"show {unit}", rc, err, seconds) if rc != 0
                   else "systemctl show tidak menyebut unit tujuannya")
            found["service_unread"] = f"{unit} alias dari unit lain yang tidak terbaca ({why})"
            return found
        unit = found["service_alias_of"] = shown["Id"]
        rc, out, err = ask([systemctl, "is-enabled", unit])
        state = unit_file_state(out) if rc is not None else None
        if state is None:
            found["service_unread"] = unanswered(f"is-enabled {unit}", rc, err, seconds)
            return found
        found["service_alias_state"] = state
    found["service_enabled"] = state in PERSISTENT_STATES
    if state in PULLED_IN_STATES:
        rc, out, err = ask([systemctl, *BOOT_DEPENDENCIES])
        if rc == 0:
            found["service_pulled_in_at_boot"] = unit in boot_units(out)
        else:
            found["service_unread"] = unanswered("list-dependencies", rc, err, seconds)
    return found


def firewall_findings(firewall: dict[str, Any], persistent: bool) -> list[dict[str, Any]]:
    if not firewall["filtering_chains"]:
        what = ("chain input " + ", ".join(firewall["input_chains"]) + " menerima semua lalu lintas"
                if firewall["input_chains"] else "nftables tanpa chain pada hook input")
        return [finding("no_firewall", f"Tidak ada firewall aktif ({what})")]
    pulled_in = firewall.get("service_pulled_in_at_boot")
    if not persistent or firewall["service_enabled"] or pulled_in:
        return []
    alias = firewall.get("service_alias_of")
    state = firewall.get("service_state")
    if state == "alias":  # the unit it names decides, None when not read
        state = firewall.get("service_alias_state")
    unread = firewall.get("service_unread")
    service = f"nftables (alias dari {alias})" if alias else "nftables"
    lost = "aturan hilang setelah reboot"
    if state is None:
        return [finding("firewall_persistence_unread",
                        f"Firewall aktif tetapi status layanan {service} tidak terbaca: {unread}: "
                        "aturan bisa hilang setelah reboot")]
    if state == "enabled-runtime":
        why = ("hanya di-enable sampai reboot berikutnya (enabled-runtime, tautannya di "
               "/run/systemd)")
    elif state in PULLED_IN_WHY and pulled_in is False:
        why = (f"{PULLED_IN_WHY[state]} dan tidak ditarik unit yang dijalankan saat boot "
               "(systemctl list-dependencies default.target)")
    elif state in PULLED_IN_WHY:
        return [finding("firewall_persistence_unread",
                        f"Firewall aktif tetapi layanan {service} {PULLED_IN_WHY[state]}, dan "
                        f"apakah unit yang dijalankan saat boot menariknya tidak terbaca "
                        f"({unread}): aturan bisa hilang setelah reboot")]
    else:
        why = f"tidak di-enable ({state})"
    return [finding("firewall_not_persistent", f"Firewall aktif tetapi layanan {service} {why}: {lost}")]


def reload_note(firewall: dict[str, Any]) -> list[dict[str, Any]]:
    """A note when nftables.service's unit file changed on disk since systemd loaded it:
    what systemd has loaded (its dependencies, its ExecStart) is not what the next boot
    reads, so the state reported may be stale."""
    if not firewall.get("service_needs_daemon_reload"):
        return []
    return [finding("nftables_unit_changed",
                    "Berkas unit nftables.service berubah di disk sejak dimuat systemd (belum "
                    "systemctl daemon-reload): status layanan yang dilaporkan bisa sudah usang")]


def nft_missing() -> dict[str, Any]:
    """The finding of a host without nft: its firewall cannot be read, which is not
    proof that it has none (iptables-legacy rules are not in nftables)."""
    return finding("firewall_unread", "nft tidak terpasang (paket nftables), firewall tidak dapat diperiksa")


def fail2ban_missing() -> dict[str, Any]:
    """The note of a host without fail2ban-client: fail2ban is then null, as when it is
    installed but does not run, though it is not installed at all."""
    return finding("fail2ban_missing", "fail2ban tidak terpasang (fail2ban-client tidak ada)")


def parse_fail2ban_jails(text: str) -> list[str]:
    match = re.search(r"Jail list:\s*(.*)", text)
    return [j.strip() for j in match[1].split(",") if j.strip()] if match else []


def jail_gone(jail: str, text: str) -> bool:
    """Whether fail2ban-client answered that the jail does not exist (a reload between
    `status` listing it and `status JAIL` removed it): 'Sorry but the jail 'sshd' does not
    exist', after 'ERROR NOK: ('sshd',)'."""
    return f"the jail '{jail}' does not exist" in text


def fail2ban_unread(seconds: int) -> dict[str, Any]:
    """The note of a fail2ban-client that did not answer: fail2ban is then null, as when
    it does not run, though it may well run."""
    return finding("fail2ban_unread", f"fail2ban-client tidak menjawab dalam {seconds} detik: "
                   "larangan fail2ban tidak terbaca")


def parse_fail2ban_jail(text: str) -> dict[str, Any]:
    def number(label: str) -> int:
        match = re.search(label + r":\s*(\d+)", text)
        return int(match[1]) if match else 0
    banned = re.search(r"Banned IP list:\s*(.*)", text)
    return {"currently_banned": number("Currently banned"), "total_banned": number("Total banned"),
            "banned": banned[1].split() if banned else []}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "permit_root_login": {"type": "list", "elements": "str",
                                  "default": ["no", "prohibit-password", "without-password"]},
            "firewall": {"type": "bool", "default": True},
            "require_persistent": {"type": "bool", "default": True},
            "timeout": {"type": "int", "default": 60},
            "sshd_config": {"type": "path", "default": "/etc/ssh/sshd_config"},
        },
        supports_check_mode=True,
    )
    params = module.params
    bad_timeout = seconds_error(params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    refused = root_login_error(params["permit_root_login"])
    if refused:
        module.fail_json(msg=f"permit_root_login: {refused}", setting="permit_root_login")
    if "\0" in params["sshd_config"]:  # no file has one; open() and argv raise ValueError
        module.fail_json(msg=f"sshd_config: a path has no NUL byte: {params['sshd_config']!r}",
                         setting="sshd_config")

    def bounded(argv: list[str]) -> tuple[int | None, str, str]:
        """The tool's result; rc None (and a warning) when it did not end in time."""
        rc, out, err = run_limited(module, argv, params["timeout"])
        if rc is None:
            module.warn(f"{os.path.basename(argv[0])} tidak selesai dalam {params['timeout']} detik")
        return rc, out, err

    def run(argv: list[str], what: str) -> str:
        rc, out, err = run_limited(module, argv, params["timeout"])
        if rc is None:
            module.fail_json(msg=f"{os.path.basename(argv[0])} tidak selesai dalam {params['timeout']} detik")
        if rc != 0:
            module.fail_json(msg=f"{what} failed: {cause(rc, out, err)}")
        return str(out)

    sshd = module.get_bin_path("sshd")
    if not sshd:
        module.fail_json(msg="sshd not found (Debian package openssh-server)")
    test = [sshd, "-T", "-f", params["sshd_config"]]
    blocks, unread = read_config(params["sshd_config"])
    port = unnamed_port(blocks)
    default = run([*test, "-C", f"lport={port}"] if port else test, "sshd -T")
    settings = parse_sshd(default)
    found = sshd_findings(settings, params["permit_root_login"])
    matched, weakened = match_connections(module, test, default, found, blocks=blocks,
                                          warnings=unread)
    found += weakened

    firewall: dict[str, Any] | None = None
    notes: list[dict[str, Any]] = []
    fail2ban: dict[str, Any] | None = None
    if params["firewall"]:
        nft = module.get_bin_path("nft")
        if not nft:
            found.append(nft_missing())
        else:
            firewall = parse_ruleset(run([nft, "list", "ruleset"], "nft list ruleset"))
            firewall.update(service_at_boot(bounded, module.get_bin_path("systemctl"),
                                            params["timeout"]))
            found += firewall_findings(firewall, params["require_persistent"])
            notes += reload_note(firewall)

    client = module.get_bin_path("fail2ban-client")
    if not client:
        notes.append(fail2ban_missing())
    else:
        rc, out, _ = bounded([client, "status"])
        if rc is None:
            notes.append(fail2ban_unread(params["timeout"]))
        if rc == 0:
            jails = {}
            for jail in parse_fail2ban_jails(out):
                rc, out, err = bounded([client, "status", jail])
                if rc is None:
                    notes.append(fail2ban_unread(params["timeout"]))
                    break
                if rc != 0 and jail_gone(jail, out + err):
                    notes.append(finding("fail2ban_jail_gone", f"Jail fail2ban {jail} sudah tidak ada "
                                         "saat dibaca (fail2ban dimuat ulang?): dilewati"))
                    continue
                if rc != 0:
                    module.fail_json(msg=f"fail2ban-client status {jail} failed: "
                                         f"{cause(rc, out, err)}")
                jails[jail] = parse_fail2ban_jail(out)
            else:
                fail2ban = jails

    module.exit_json(changed=False, sshd=settings, sshd_match=matched, firewall=firewall, fail2ban=fail2ban,
                     findings=found, notes=notes, sop_output={
                         "sshd": {k: settings.get(k) for k in ("passwordauthentication", "permitrootlogin")},
                         "firewall_input_chains": (firewall or {}).get("input_chains"),
                         "fail2ban_banned": None if fail2ban is None else {
                             j: v["currently_banned"] for j, v in fail2ban.items()},
                         "findings": summary(found), "notes": summary(notes)})


if __name__ == "__main__":
    main()
