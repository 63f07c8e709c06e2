# GPL-3.0-or-later
"""sshd's Match blocks: read from sshd_config and the files its Include lines name, as sshd
reads them, and a connection that meets each block, for ``sshd -T -C``. ``sshd -T`` alone
evaluates the configuration for no particular connection: a Match block that weakens a
setting for some connections is seen only by evaluating it for one of them."""

from __future__ import annotations

import dataclasses
import glob
import grp
import ipaddress
import os
import pwd
import re
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
# A line's keyword as sshd's strdelim() takes it: up to blanks or "=", then blanks, one
# "=" and blanks after it skipped ("Include =/etc/x" names /etc/x).
KEYWORD = re.compile(r"[ \t]*([^ \t=]*)(?:=[ \t]*|[ \t]+(?:=[ \t]*)?)?")
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
    it (a "=" after it a separator, blanks around it or not), its arguments as
    argv_split() does (single or double quotes anywhere in a word, a backslash escaping a
    quote, a backslash or, outside quotes, a space; a word starting with # ends the line).
    A comment line has no words."""
    line = line.rstrip(" \t\r\n\f")  # as sshd strips a line's end
    keyword = KEYWORD.match(line)
    assert keyword is not None  # every part of KEYWORD may be empty
    if not keyword[1] or keyword[1].startswith("#"):
        return []
    found = [keyword[1]]
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


def read_config(path: str, ssh_dir: str = SSH_DIR) -> tuple[list[Block], list[str]]:
    """The Match blocks of sshd_config ``path`` and of the files its Include lines name,
    in sshd's order, and a warning for each file that cannot be read."""
    reader = _Reader(ssh_dir)
    reader.read(path, (), 0)
    return reader.blocks, reader.warnings


@dataclasses.dataclass
class _Reader:
    ssh_dir: str
    blocks: list[Block] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def read(self, path: str, outer: tuple[tuple[str, str], ...], depth: int) -> None:
        """A file's Match blocks, each with ``outer``'s criteria too (a Match in a file
        included inside a Match block holds only where both hold); Includes in their
        order, each glob's files in lexical order, sshd's Match state again after each."""
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                text = file.read()
        except OSError as error:
            self.warnings.append(f"konfigurasi sshd {path} tidak dapat dibaca ({error.strerror}): "
                                 "blok Match di dalamnya tidak diperiksa")
            return
        current = outer
        for number, line in enumerate(text.splitlines(), 1):
            parts = words(line)
            keyword = parts[0].lower() if parts else ""
            if keyword == "match":
                block = Block(f"{path}:{number}", " ".join(parts[1:]),
                              outer + criteria(parts[1:]))
                self.blocks.append(block)
                current = block.criteria
            elif keyword == "include" and depth == MAX_DEPTH:
                self.warnings.append(f"Include di {path}:{number} lebih dari {MAX_DEPTH} "
                                     "tingkat: tidak dibaca")
            elif keyword == "include":
                for pattern in parts[1:]:
                    full = pattern if pattern.startswith(("/", "~")) \
                        else os.path.join(self.ssh_dir, pattern)
                    for name in sorted(glob.glob(full)):
                        self.read(name, current, depth + 1)


def match_pattern(value: str, pattern: str) -> bool:
    """OpenSSH's match_pattern: * any run of characters, ? one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


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


def match_address(address: str, patterns: str) -> int:
    """addr_match_list: entries are networks (CIDR, or one address) or else wildcards."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return 0

    def hit(entry: str) -> bool:
        try:
            return ip in ipaddress.ip_network(entry)
        except ValueError:
            return match_pattern(address, entry)
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


def first(values: list[str], test: Callable[[str, str], int], lists: list[str]) -> str | None:
    """The first of ``values`` each of ``lists`` matches."""
    return next((value for value in values if meets(value, test, lists)), None)


def matching_user(users: list[str], groups: list[str], invalid: bool) -> str | None:
    """A user name meeting the User and Group lists; with invalid-user, one no account
    has. A Group needs a real member: sshd looks the account's groups up."""
    candidates = [m for listed in groups for m in group_members(listed)] if groups \
        else [NEUTRAL_USER, *filled(users, NAME_FILLS)]
    if invalid:
        candidates = [name for name in candidates if user_groups(name) is None]
    return next((name for name in candidates if meets(name, match_list, users)
                 and meets(name, match_groups, groups)), None)


def host_match(host: str, patterns: str) -> int:
    return match_list(host, patterns, lower=True)


def connection(block: Block, port: str) -> dict[str, str] | str:
    """The fields of a connection (sshd -T -C) meeting every criterion of ``block``, the
    others neutral (lport ``port``); or why there is none."""
    wanted: dict[str, list[str]] = {}
    for name, patterns in block.criteria:
        if name not in EVALUABLE:
            return f"kriteria {name} tidak dapat dievaluasi dengan sshd -T -C"
        wanted.setdefault(name, []).append(patterns)
    addr = first(address_candidates(wanted.get("address", [])), match_address,
                 wanted.get("address", []))
    hosts = wanted.get("host", [])
    ports = set(wanted.get("localport", [port]))
    fields = {"user": matching_user(wanted.get("user", []), wanted.get("group", []),
                                    "invalid-user" in wanted),
              "host": first([addr or NEUTRAL_ADDRESS, *filled(hosts, NAME_FILLS)], host_match,
                            hosts),
              "addr": addr}
    if "localaddress" in wanted:
        fields["laddr"] = first(address_candidates(wanted["localaddress"]), match_address,
                                wanted["localaddress"])
    fields["lport"] = ports.pop() if len(ports) == 1 else None
    if "rdomain" in wanted:
        fields["rdomain"] = first(filled(wanted["rdomain"], NAME_FILLS), match_list,
                                  wanted["rdomain"])
    if "invalid-user" in wanted:
        fields["invalid-user"] = ""
    complete = {key: value for key, value in fields.items() if value is not None}
    return complete if len(complete) == len(fields) else "tidak ada koneksi contoh yang memenuhinya"


def connections(blocks: list[Block], port: str) -> tuple[dict[str, list[Block]], list[str]]:
    """sshd -T -C's argument for a connection meeting each block, in the blocks' order,
    with the blocks it meets; and a warning for each block none is found for. ``port``
    is sshd's (Port): a connection's lport where any block names a LocalPort, which
    sshd -T -C then needs in every connection."""
    local_port = any(name == "localport" for b in blocks for name, _ in b.criteria)
    found: dict[str, list[Block]] = {}
    warnings = []
    for block in blocks:
        fields = connection(block, port)
        if isinstance(fields, str):
            warnings.append(f"{block}: {fields}, blok tidak diperiksa")
            continue
        if not local_port:
            fields.pop("lport")
        spec = ",".join(f"{key}={value}" if key != "invalid-user" else key
                        for key, value in fields.items())
        found.setdefault(spec, []).append(block)
    return found, warnings
