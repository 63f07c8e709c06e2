# GPL-3.0-or-later
"""sshd's Match blocks: read from sshd_config and the files its Include lines name, as sshd
reads them, and a connection that meets each block, for ``sshd -T -C``. ``sshd -T`` alone
evaluates the configuration for no particular connection: a Match block that weakens a
setting for some connections is seen only by evaluating it for one of them."""

from __future__ import annotations

import dataclasses
import errno
import functools
import glob
import grp
import ipaddress
import os
import pwd
import re
import socket
import stat
from collections.abc import Callable

SSH_DIR = "/etc/ssh"  # where sshd looks for an Include's relative path
MAX_DEPTH = 16  # sshd's SERVCONF_MAX_DEPTH: deeper Includes make sshd refuse its config
# A connection's fields that no Match block names: an account no host has, an address of
# TEST-NET-1 (RFC 5737), its host name the address (sshd's default UseDNS no).
NEUTRAL_USER = "sop-check"
NEUTRAL_ADDRESS = "192.0.2.1"
# The Match criteria a connection given to sshd -T -C can meet: its fields (user for a
# Group too), "all" and "version", which sshd decides itself, and "invalid-user" (OpenSSH
# 10), a flag of -C, for a user no account has. "all" and "invalid-user" take no patterns.
EVALUABLE = ("user", "group", "host", "address", "localaddress", "localport", "rdomain",
             "all", "version", "invalid-user")
FLAGS = ("all", "invalid-user")
NAME_FILLS = ("x", "")  # a name pattern's * filled: "adm*" tried as "admx", then "adm"
# Blocks whose connection is chosen to meet none of the blocks before it that it can avoid
# (avoiding), each compared with every one before it; the connections of later ones, far
# past the ones checked (MAX_CONNECTIONS of security_hardening), are not. And the values
# of a field tried for it, those avoiding a block before first.
REFINED_BLOCKS = 64
TRIALS = 8
# A line's keyword as sshd's strdelim() takes it: up to blanks, "=" or a double quote, then
# blanks, one "=" and blanks after it skipped ("Include =/etc/x" names /etc/x); a double
# quote in it is taken away with what it quotes ('"Match" User x' is a Match line), blanks
# after the closing quote skipped. A quote not closed makes no keyword: sshd ignores the line.
KEYWORD = re.compile(r'[ \t]*([^ \t="]*)(?:"([^"]*)"[ \t]*|=[ \t]*|[ \t]+(?:=[ \t]*)?)?')
# What a backslash escapes in an argument (argv_split): a quote, a backslash, and outside
# quotes a space.
ESCAPED = "'\"\\"


@dataclasses.dataclass(frozen=True)
class Block:
    """A Match line: where it is, its words, and its criteria (lowercased name, patterns)
    with those of the Match block the Include that read its file sits in."""
    where: str
    line: str
    criteria: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return f"Match {self.line} ({self.where})"


def words(line: str) -> list[str]:
    """A configuration line's words as sshd splits them: the keyword as strdelim() takes
    it (a "=" after it a separator, blanks around it or not, its double quotes taken
    away), its arguments as argv_split() does (single or double quotes anywhere in a
    word, a backslash escaping a quote, a backslash or, outside quotes, a space; a word
    starting with # ends the line). A comment line has no words."""
    line = line.rstrip(" \t\r\n\f")  # as sshd strips a line's end
    keyword = KEYWORD.match(line)
    assert keyword is not None  # every part of KEYWORD may be empty
    name = keyword[1] + (keyword[2] or "")
    unclosed = keyword[2] is None and line[keyword.end(1):keyword.end(1) + 1] == '"'
    if not name or name.startswith("#") or unclosed:
        return []
    found = [name]
    rest, index = line[keyword.end():], 0
    while index < len(rest):
        if rest[index] in " \t":
            index += 1
            continue
        if rest[index] == "#":
            break
        word, quote = [], ""
        while index < len(rest):
            char = rest[index]
            if char == "\\" and index + 1 < len(rest) and (
                    rest[index + 1] in ESCAPED or (not quote and rest[index + 1] == " ")):
                index += 1
                word.append(rest[index])
            elif not quote and char in " \t":
                break
            elif not quote and char in "'\"":
                quote = char
            elif char == quote:
                quote = ""
            else:
                word.append(char)
            index += 1
        found.append("".join(word))
    return found


def criteria(args: list[str]) -> tuple[tuple[str, str], ...]:
    """A Match line's criteria: (name, patterns) pairs; a flag's patterns are empty."""
    pairs = []
    rest = [part for arg in args for part in arg.split("=", 1) if part]
    while rest:
        name = rest.pop(0).lower()
        pairs.append((name, "" if name in FLAGS or not rest else rest.pop(0)))
    return tuple(pairs)


def config_lines(path: str) -> list[str]:
    """A configuration file's lines as sshd's load_server_config() keeps them: split at
    newlines only, a line cut at a NUL byte, its newline with it (the next line goes on
    it). Bytes that are no UTF-8 are kept (lone surrogates): sshd compares bytes, and a
    connection names them as they are (run_command gives them back to sshd as bytes).
    OSError for a file that is not regular (a FIFO waiting for a writer, /dev/zero
    without an end), as for one that cannot be read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, encoding="utf-8", errors="surrogateescape", newline="") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode) and not stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "bukan file biasa")
        text = file.read()  # a folder: IsADirectoryError
    if "\0" in text:
        text = "".join(line.partition("\0")[0] if "\0" in line else line + "\n"
                       for line in text.split("\n"))
    return text.split("\n")


def read_config(path: str, ssh_dir: str = SSH_DIR) -> tuple[list[Block], list[str]]:
    """The Match blocks of sshd_config ``path`` and of the files its Include lines name,
    in sshd's order, and a warning for each file that cannot be read; reading ends at an
    Include more than MAX_DEPTH deep (a loop: sshd refuses the configuration there)."""
    reader = _Reader(ssh_dir)
    reader.read(path, (), 0)
    return reader.blocks, reader.warnings


@dataclasses.dataclass
class _Reader:
    ssh_dir: str
    blocks: list[Block] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    too_deep: bool = False  # an Include past MAX_DEPTH: sshd refuses it all, reading ends

    def read(self, path: str, outer: tuple[tuple[str, str], ...], depth: int) -> None:
        """A file's Match blocks, each with ``outer``'s criteria too (a Match in a file
        included inside a Match block holds only where both hold); Includes in their
        order, each glob's files in lexical order, sshd's Match state again after each."""
        try:
            lines = config_lines(path)
        except OSError as error:
            self.warnings.append(f"konfigurasi sshd {path} tidak dapat dibaca ({error.strerror}): "
                                 "blok Match di dalamnya tidak diperiksa")
            return
        current = outer
        for number, line in enumerate(lines, 1):
            parts = words(line)
            keyword = parts[0].lower() if parts else ""
            if keyword == "match":
                block = Block(f"{path}:{number}", " ".join(parts[1:]),
                              outer + criteria(parts[1:]))
                self.blocks.append(block)
                current = block.criteria
            elif keyword == "include":
                for pattern in parts[1:]:
                    full = pattern if pattern.startswith(("/", "~")) \
                        else os.path.join(self.ssh_dir, pattern)
                    for name in sorted(glob.glob(full)):
                        if depth == MAX_DEPTH:  # sshd's fatal "Too many recursive ..."
                            self.warnings.append(f"Include di {path}:{number} lebih dari "
                                                 f"{MAX_DEPTH} tingkat: tidak dibaca")
                            self.too_deep = True
                        else:
                            self.read(name, current, depth + 1)
                        if self.too_deep:
                            return


def match_pattern(value: str, pattern: str) -> bool:
    """OpenSSH's match_pattern: * any run of characters, ? one. Read once, going back
    only to the last * (a star matches whatever a star before it would): a regular
    expression of one .* per star backtracked for minutes on '*a*a*a...*b'."""
    index = at = mark = 0  # where in ``value``, in ``pattern``, where the last * began
    star = -1  # where in ``pattern`` what follows the last * starts
    while index < len(value):
        if at < len(pattern) and pattern[at] == "*":
            star, at, mark = at + 1, at + 1, index
        elif at < len(pattern) and pattern[at] in ("?", value[index]):
            index, at = index + 1, at + 1
        elif star >= 0:
            mark += 1
            index, at = mark, star
        else:
            return False
    return pattern[at:].strip("*") == ""


def _match_entries(patterns: str, hit: Callable[[str], bool]) -> int:
    """OpenSSH's pattern lists: -1 when a negated entry (!) matches, whatever the order;
    else 1 when a plain one does; else 0 (negated entries alone match nothing)."""
    found = 0
    for entry in patterns.split(","):
        negated = entry.startswith("!")
        if hit(entry[1:] if negated else entry):
            if negated:
                return -1
            found = 1
    return found


def match_list(value: str, patterns: str, lower: bool = False) -> int:
    """match_pattern_list (User, RDomain), lowercased for host names (match_hostname)."""
    if lower:
        value, patterns = value.lower(), patterns.lower()
    return _match_entries(patterns, lambda entry: match_pattern(value, entry))


@functools.lru_cache(maxsize=4096)
def network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """An address list's entry as a network (CIDR, or one address); None for a wildcard.
    Kept: each block's connection is tested against the blocks before it."""
    try:
        return ipaddress.ip_network(entry)
    except ValueError:
        return None


def match_address(address: str, patterns: str) -> int:
    """addr_match_list: entries are networks (CIDR, or one address) or else wildcards."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return 0

    def hit(entry: str) -> bool:
        listed = network(entry)
        return match_pattern(address, entry) if listed is None else ip in listed
    return _match_entries(patterns, hit)


def user_groups(user: str) -> list[str] | None:
    """The names of a user's groups, as sshd's Match Group reads them; None without the
    account."""
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return None
    names = []
    for gid in os.getgrouplist(user, account.pw_gid):
        try:
            names.append(grp.getgrgid(gid).gr_name)
        except KeyError:
            continue
    return names


def match_groups(user: str, patterns: str) -> int:
    """sshd's Match Group: 1 when one of the user's groups matches and none is negated."""
    results = [match_list(name, patterns) for name in user_groups(user) or []]
    return int(-1 not in results and 1 in results)


def group_members(patterns: str) -> list[str]:
    """Accounts in a group a plain entry of ``patterns`` names (its members, and those
    whose primary group it is): the candidates for a Match Group."""
    groups = {g.gr_gid: g.gr_mem for g in grp.getgrall() if match_list(g.gr_name, patterns) == 1}
    members = {name for names in groups.values() for name in names}
    members.update(account.pw_name for account in pwd.getpwall() if account.pw_gid in groups)
    return sorted(members)


def filled(patterns: list[str], fills: tuple[str, ...]) -> list[str]:
    """Values the plain entries of pattern lists match: each * filled with each of
    ``fills``, each ? with the first fill's first character."""
    values = []
    for entry in (e for listed in patterns for e in listed.split(",") if not e.startswith("!")):
        values += [entry.replace("*", fill).replace("?", fills[0][0]) for fill in fills]
    return [value for value in values if value]


def address_candidates(patterns: list[str]) -> list[str]:
    """Addresses to try for Address or LocalAddress patterns: the neutral one, each
    network's first and last host, wildcards filled to a whole address."""
    values = [NEUTRAL_ADDRESS]
    for entry in (e for listed in patterns for e in listed.split(",") if not e.startswith("!")):
        try:
            network = ipaddress.ip_network(entry)
        except ValueError:
            values += filled([entry], ("1", "1.1", "1.1.1"))
            continue
        hosts = (network[1], network[-2]) if network.num_addresses > 2 else (network[0],)
        values += [str(host) for host in hosts]
    return values


def meets(value: str, test: Callable[[str, str], int], lists: list[str]) -> bool:
    """Whether each of ``lists`` matches ``value`` (``test`` gives 1)."""
    return all(test(value, listed) == 1 for listed in lists)


def user_candidates(users: list[str], groups: list[str], invalid: bool,
                    more: list[str]) -> list[str]:
    """User names meeting the User and Group lists, ``more`` tried last; with
    invalid-user, those no account has. A Group needs a real member: sshd looks the
    account's groups up."""
    candidates = [m for listed in groups for m in group_members(listed)] if groups \
        else [NEUTRAL_USER, *filled(users, NAME_FILLS)]
    candidates += filled(more, NAME_FILLS)
    if invalid:
        candidates = [name for name in candidates if user_groups(name) is None]
    return [name for name in candidates if meets(name, match_list, users)
            and meets(name, match_groups, groups)]


def host_match(host: str, patterns: str) -> int:
    return match_list(host, patterns, lower=True)


def port_number(text: str) -> int | None:
    """A LocalPort's or lport's port as sshd's a2port() reads it: a number or a service."""
    try:
        return int(text) if text.isdigit() else socket.getservbyname(text, "tcp")
    except OSError:
        return None


def same_port(port: str, pattern: str) -> int:
    number = port_number(port)
    return int(number is not None and number == port_number(pattern))


def unnamed_port(blocks: list[Block]) -> str | None:
    """An lport no block's LocalPort names, where one names a port: sshd -T then needs
    one (OpenSSH 9.2 to 10 refuse it without: "'Match LocalPort' in configuration but
    'lport' not in connection test specification", as for no other criterion), and with
    it evaluates the configuration as for no particular connection, meeting no block
    but Match all. None where no block names a LocalPort."""
    named = {port_number(p) for block in blocks for name, p in block.criteria
             if name == "localport"}
    return str(next(port for port in range(65535, 0, -1) if port not in named)) \
        if named else None


# Each criterion's field of a connection and how sshd's match_cfg_line() tests it.
TESTS: dict[str, tuple[str, Callable[[str, str], int]]] = {
    "user": ("user", match_list), "group": ("user", match_groups),
    "host": ("host", host_match), "address": ("addr", match_address),
    "localaddress": ("laddr", match_address), "localport": ("lport", same_port),
    "rdomain": ("rdomain", match_list)}


def met(criteria: tuple[tuple[str, str], ...], fields: dict[str, str]) -> bool:
    """Whether a connection (sshd -T -C's fields) meets every criterion of a block: one
    on a field the connection lacks is not met (sshd -T's test mode), "invalid-user" only
    by a connection flagged so; "all" and "version" (sshd's own) are."""
    for name, patterns in criteria:
        if name == "invalid-user":
            held = name in fields
        elif name in TESTS:
            field, test = TESTS[name]
            held = field in fields and test(fields[field], patterns) == 1
        else:
            held = name in ("all", "version")
        if not held:
            return False
    return True


def candidates(wanted: dict[str, list[str]], ports: list[str], local_port: bool,
               avoided: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each field's values meeting the block's criteria on it (``wanted``), the neutral
    one first, in sshd -T -C's order; a field no value meets has none. ``avoided``
    (criterion, an entry a block before negates) adds values that do not meet such a
    block: the entries !budi, !10.0.0.0/8 or !*.lan of User, Address or Host give budi,
    10.0.0.1 and x.lan; the ports sshd listens on besides the first fail a LocalPort."""
    def negated(name: str) -> list[str]:
        return [entry for criterion, entry in avoided if criterion == name]

    users, addresses, hosts = (wanted.get(name, []) for name in ("user", "address", "host"))
    found = {"user": user_candidates(users, wanted.get("group", []), "invalid-user" in wanted,
                                     negated("user")),
             "host": [],  # in its place in the connection: after user, before addr
             "addr": [a for a in address_candidates(addresses + negated("address"))
                      if meets(a, match_address, addresses)]}
    found["host"] = [h for h in [*(found["addr"][:1] or [NEUTRAL_ADDRESS]),
                                 *filled(hosts + negated("host"), NAME_FILLS)]
                     if meets(h, host_match, hosts)]
    if "localaddress" in wanted:
        found["laddr"] = [a for a in address_candidates(wanted["localaddress"]
                                                        + negated("localaddress"))
                          if meets(a, match_address, wanted["localaddress"])]
    if local_port:
        named = set(wanted.get("localport", []))
        found["lport"] = list(named) if len(named) == 1 else [] if named else ports
    if "rdomain" in wanted:
        found["rdomain"] = [r for r in filled(wanted["rdomain"] + negated("rdomain"), NAME_FILLS)
                            if meets(r, match_list, wanted["rdomain"])]
    if "invalid-user" in wanted:
        found["invalid-user"] = [""]
    return {key: list(dict.fromkeys(values)) for key, values in found.items()}


def avoiding(criteria: tuple[tuple[str, str], ...], fields: dict[str, str],
             before: list[tuple[tuple[str, str], ...]],
             values: Callable[[list[tuple[str, str]]], dict[str, list[str]]]) -> dict[str, str]:
    """``fields`` (meeting ``criteria``) changed, a field at a time, to meet fewer of the
    blocks ``before`` it (their criteria): sshd takes a setting from the first block a
    connection meets, and one meeting a block before as well sees that block's setting,
    the weakening of its own hidden from the check. Such a block is avoided by a value
    its own patterns negate (Match Address *,!10.0.0.0/8 by 10.0.0.1), one of another
    port sshd listens on, or a value of the block's own patterns; a block every
    connection meets (Match all, Match User *) is not. A host name that is the address
    (sshd's default UseDNS no) follows it. At most TRIALS values a field are tried."""
    hit = [other for other in before if met(other, fields)]
    score = len(hit)
    if not score:
        return fields
    avoided = [(name, entry[1:]) for other in hit for name, patterns in other
               for entry in patterns.split(",") if entry.startswith("!")]
    plain, wider = values([]), values(avoided)
    for key, listed in wider.items():
        extra = [value for value in listed if value not in plain[key]]
        for value in extra[:TRIALS] + plain[key][1:TRIALS]:
            trial = dict(fields, **{key: value})
            if key == "addr" and fields["host"] == fields["addr"]:
                trial["host"] = value
            count = sum(met(other, trial) for other in before) if met(criteria, trial) else score
            if count < score:
                fields, score = trial, count
            if not score:
                return fields
    return fields


def connection(block: Block, ports: list[str], local_port: bool,
               before: list[tuple[tuple[str, str], ...]]) -> dict[str, str] | str:
    """The fields of a connection (sshd -T -C) meeting every criterion of ``block``, the
    others neutral (lport the first of sshd's ``ports`` where ``local_port``) unless a
    block ``before`` it is avoided so (avoiding); or why there is none."""
    wanted: dict[str, list[str]] = {}
    for name, patterns in block.criteria:
        if name not in EVALUABLE:
            return f"kriteria {name} tidak dapat dievaluasi dengan sshd -T -C"
        wanted.setdefault(name, []).append(patterns)
    values = functools.partial(candidates, wanted, ports, local_port)
    found = values([])
    if not all(found.values()):
        return "tidak ada koneksi contoh yang memenuhinya"
    return avoiding(block.criteria, {key: listed[0] for key, listed in found.items()}, before,
                    values)


def connections(blocks: list[Block], ports: list[str]) -> tuple[dict[str, list[Block]], list[str]]:
    """sshd -T -C's argument for a connection meeting each block, in the blocks' order,
    with the blocks it meets; and a warning for each block none is found for. ``ports``
    are sshd's (Port), the first a connection's lport where any block names a LocalPort,
    which sshd -T -C then needs in every connection. The connections of the first
    REFINED_BLOCKS blocks avoid the blocks before them (avoiding)."""
    local_port = any(name == "localport" for b in blocks for name, _ in b.criteria)
    found: dict[str, list[Block]] = {}
    warnings = []
    before: dict[tuple[tuple[str, str], ...], None] = {}
    for index, block in enumerate(blocks):
        fields = connection(block, ports, local_port,
                            list(before) if index < REFINED_BLOCKS else [])
        before.setdefault(block.criteria)
        if isinstance(fields, str):
            warnings.append(f"{block}: {fields}, blok tidak diperiksa")
            continue
        spec = ",".join(f"{key}={value}" if key != "invalid-user" else key
                        for key, value in fields.items())
        found.setdefault(spec, []).append(block)
    return found, warnings
