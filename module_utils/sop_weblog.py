# GPL-3.0-or-later
"""Streaming audit of nginx/Apache combined-format access logs (Apache's vhost_combined
too: its leading ``server:port`` field is read as the server's, not as the client).

Stdlib only (runs on the managed host, Python 3.9+).

- ``Tally`` is one bounded partial result: request and status counts, unique visitors
  (exact up to ``VISITOR_EXACT`` distinct ones, then a HyperLogLog estimate, about 1 %),
  top paths and clients with pruned counters (memory does not grow with the file),
  crawlers, and attack-probe findings with first/last seen and sample lines.
- ``scan_task`` reads one byte range of a plain log, or one compressed log (gzip, xz or
  bzip2), in blocks;
  ``audit`` runs the tasks over the CPUs (fork) and merges the tallies in log order.
- ``plan`` finds where the last run stopped (offset and a fingerprint of the first line,
  or of the newest rotated copy's when the log had none, kept in a state file) among the
  live log and its rotated copies (``.1``, ``.2.gz`` ... or ``-YYYYMMDD[.gz]``, also
  ``.xz`` or ``.bz2``), so only
  new lines are read, across rotation, ``copytruncate`` and truncation; a fingerprint of
  the line ending at the offset tells a plain log cut below it and written again.
"""

from __future__ import annotations

import bz2
import dataclasses
import datetime
import errno
import functools
import gzip
import hashlib
import io
import ipaddress
import json
import lzma
import math
import multiprocessing
import os
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Union

from ansible.module_utils.sop_pathwalk import MAX_LINKS
from ansible.module_utils.sop_secrets import mask_text, mask_url
from ansible.module_utils.sop_state import StateError, private_dir, read_json, write_private
from ansible.module_utils.sop_tree import LinkNotFollowed, open_path, open_path_folder
from ansible.module_utils.sop_weblog_patterns import (
    ALLOWED_METHODS,
    DRUPAL_BRUTEFORCE,
    DRUPAL_XMLRPC,
    HEADER_INJECTION,
    WP_BRUTEFORCE,
    agent_class,
    category_title,
    drupal_xmlrpc,
    failed_login,
    header_injection,
    target_categories,
)

BLOCK = 4 << 20  # bytes read at a time
# Of a "line" longer than this (a crash's block of NUL bytes before the next request, a
# binary file given as a log) only its last MAX_LINE bytes are kept: memory stays bounded
# whatever the file, and a request written after the NUL bytes is still read.
MAX_LINE = 1 << 20
TASK_BYTES = 48 << 20  # a plain log is cut into ranges of about this size
PARALLEL_BYTES = 16 << 20  # below this much to read, one process does it all
VISITOR_EXACT = 1 << 17  # distinct visitors counted exactly per tally, then estimated
HLL_P = 14
CACHE_LIMIT = 1 << 16  # distinct targets / agents remembered per tally
# ... and only those of at most this many bytes: over HTTP a field is up to 8 KiB (nginx's
# large_client_header_buffers, Apache's LimitRequestLine), and CACHE_LIMIT of them held
# 1.5 GiB per process; a longer one (no browser's or crawler's) is judged each time.
CACHE_KEY_BYTES = 256
FINGERPRINT_BYTES = 4096
STATE_VERSION = 1
MONTHS = {m.encode(): i + 1 for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))}
# A combined-format line: client, time, request, status, referer, user agent (nginx
# writes a quote inside a field as \x22). Lines with Apache's \" escapes fall back to the
# slower _LINE: _FAST fails on them, except where it ends a referer or a user agent at
# its first \" (a referer 'x" ' was 'x\', the user agent the space after it): such a
# field's last character is a backslash, and scan_block reads that line again with _LINE.
_FAST = re.compile(
    rb'(\S+) \S+ \S+ \[([^\]]{26})\] "([^"]*)" (\d{3}) \S+ "([^"]*)" "([^"]*)"')
# The time field is bounded: a line with many '[' and no ']' (not a log) is still read
# in linear time.
_LINE = re.compile(
    rb'(\S+) \S+ .*?\[([^\]]{1,64})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) \S+ '
    rb'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"')
# The field after the user agent where a log format writes X-Forwarded-For (nginx's
# documented "main": ... "$http_user_agent" "$http_x_forwarded_for"; Apache's
# \"%{X-Forwarded-For}i\" so placed).
_FORWARDED = re.compile(rb' "((?:[^"\\]|\\.)*)"')
# Apache's vhost_combined ("%v:%p %h %l %u %t ..."): the server's name and its port,
# one colon and digits, then the three fields of a combined line before its time. A
# combined line has only those three (its client one of them, even with a port), and an
# IPv6 client has two colons at least: no combined line's client is taken for a server.
_VHOST = re.compile(rb'[^\s:\[\]"]+:\d{1,5} (?=\S+ \S+ \S+ \[)')
# An X-Forwarded-For hop as nginx's realip reads it (ngx_http_get_forwarded_addr_internal):
# one ends at a space or a comma, a run of them one separator ('203.0.113.7
# 198.51.100.2', '203.0.113.7,, 10.0.0.9'). Apache's mod_remoteip splits at commas only
# (Proxies.client).
_HOPS = re.compile(rb"[^ ,]+")
# A rotated copy's name after the log's: logrotate's number (.1) or dateext's date or
# time (-20261205, -%s), then the extension of its compression, if any (no Python on
# Debian 12 reads zstd without a package: a .zst copy is none). Matched whole
# (fullmatch; `$` would match before a final newline) on ASCII digits: the site's
# account names files in its log folder, 'access.log.1\n' or 'access.log.\u0663' is none.
_ROTATED = re.compile(r"[.-]([0-9]+)(?:\.(gz|xz|bz2))?")
# What reads each compression's stream (bounded reads; every member or stream of a file).
_UNPACK: dict[str, Callable[[BinaryIO], io.BufferedIOBase]] = {
    "gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "xz": lzma.LZMAFile, "bz2": bz2.BZ2File}
# A sample line's request target (a path, its query after it), masked as the path of a
# URL (_PATH_BASE before it): a target's //x is a path, as the server read it, no host.
_SAMPLE_TARGET = re.compile(r'"([A-Za-z]+ )(/[^\s"]*)')
_PATH_BASE = "s://h"
SAMPLE_CHARS = 2000  # a sample line longer than this is cut
# What ends a URL in a text (sop_secrets' URLs in text): a sample is masked up to the
# first of these after its cut (no further than SAMPLE_CHARS more), so that a URL the cut
# falls in is masked whole: cut first, https://adm:Rahas1a@host/ cut before its @ was
# kept as https://adm:Rahas, a password's start.
_URL_END = re.compile(r"[\s\"'<>]")
# A path or a client is counted by its first KEY_BYTES, all the result shows of it
# (summary): whoever writes the log makes them a line long, and top_limit of each held
# their whole text (5000 paths of 1 MiB, 5 GiB).
KEY_BYTES = SAMPLE_CHARS * 4


class LogError(Exception):
    """A log cannot be read; the message is one line naming the file and the cause."""


class LinkRefused(LogError):
    """A log not read: a symbolic link on its way, the file ``path`` itself or a folder
    above it (``link``, leading to ``target``, None when it could not be read), that is
    not followed. The web server's account may write the log's folder, or a folder above
    it (a site's own logs folder), and put a link there to have root read another file
    (/etc/shadow): a link is followed only in a folder root alone can change. ``writer``
    (``owner``, ``group``, ``others``: sop_tree's ``writers``, ``account`` naming the
    owner or the group) can write the folder holding this one; None: it is one past
    sop_tree's MAX_LINKS (a loop)."""

    def __init__(self, path: str, link: str, target: str | None, writer: str | None,
                 account: str | None) -> None:
        # the arguments: a worker's pickles it back
        super().__init__(path, link, target, writer, account)
        self.path, self.link, self.target = path, link, target
        self.writer, self.account = writer, account

    def __str__(self) -> str:
        where = "a symbolic link" if self.link == self.path else \
            f"{self.link} is a symbolic link"
        if self.writer is None:
            return f"{self.path}: {where}: not followed (more than {MAX_LINKS} symbolic " \
                   "links on the way: a loop)"
        by = " ".join(filter(None, (self.writer, self.account)))
        return f"{self.path}: {where}: not followed (its folder " \
               f"{os.path.dirname(self.link)} is writable by {by}, not root alone; give " \
               "the log's own path, or move the link away)"


IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def _address(text: bytes) -> IPAddress | None:
    """The IP address ``text`` is (None when it is none)."""
    try:
        return ipaddress.ip_address(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None


def _hop(text: bytes) -> bytes | None:
    """The address an X-Forwarded-For hop names, read as nginx's realip reads one
    (ngx_parse_addr_port): an address, or 'IPv4:port' or '[IPv6]:port' (a port of
    1-65535) without its port; None when it is none of these (a bare '[IPv6]' too)."""
    if _address(text) is not None:
        return text
    if text[:1] == b"[":
        host, colon, port = text[1:].partition(b"]:")
    else:
        host, colon, port = text.partition(b":")
    digits = port.lstrip(b"0")
    if not colon or not port.isdigit() or len(digits) > 5 or not 1 <= int(digits or 0) <= 65535:
        return None
    return host if _address(host) is not None else None


@functools.lru_cache(maxsize=4096)
def _client(text: bytes) -> bytes:
    """A client as it is counted and shown: an IPv4-mapped IPv6 address (::ffff:203.0.113.7,
    as a dual-stack socket logs an IPv4 visitor) as its IPv4 address, the visitor its
    IPv4 requests are; any other as logged."""
    address = _address(text)
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return text if mapped is None else str(mapped).encode()


def _nginx_hops(forwarded: bytes) -> Iterator[bytes | None]:
    """X-Forwarded-For's hops from the right as nginx's realip reads them: separated by
    spaces or commas (_HOPS), a hop with a port its address (_hop), None for one that is
    no address."""
    for part in reversed(_HOPS.findall(forwarded)):
        yield _hop(part)


def _apache_hops(forwarded: bytes) -> Iterator[bytes | None]:
    """X-Forwarded-For's hops from the right as Apache's mod_remoteip reads them
    (remoteip_modify_request, httpd 2.4): split at each comma (strrchr), the spaces
    around a hop (not tabs) trimmed, each hop an IP address as written: None for an
    empty hop (',,'), a space inside one ('203.0.113.7 198.51.100.2' is one hop, no
    address), a port or brackets ('203.0.113.7:51234', '[2001:db8::1]'), and a host name,
    which mod_remoteip would look up in the DNS and the audit does not."""
    for part in reversed(forwarded.split(b",")):
        hop = part.strip(b" ")
        yield hop if _address(hop) is not None else None


class Proxies:
    """The reverse proxies trusted to name a request's client in X-Forwarded-For, as
    nginx's set_real_ip_from with real_ip_recursive and Apache's mod_remoteip with
    RemoteIPInternalProxy read it: from the right, each trusted proxy passed over, the
    first other address is the client (the leftmost when all are trusted); a hop that is
    no address ends the walk (the client is the last address read). Hops are read as
    ``web_server`` ("nginx" or "apache") reads them: _nginx_hops, _apache_hops."""

    def __init__(self, entries: list[str], web_server: str = "nginx") -> None:
        """``entries``: addresses or networks (CIDR); ValueError naming a bad one."""
        networks = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is no IP address or network") from exc
        self.networks = tuple(networks)
        self.web_server = web_server
        self._known: dict[bytes, bool] = {}

    def trusted(self, client: bytes) -> bool:
        """Whether ``client`` is a trusted proxy; an IPv4-mapped IPv6 address
        (::ffff:10.0.0.5, a dual-stack socket's) by its IPv4 address too, as nginx and
        Apache match it."""
        known = self._known.get(client)
        if known is None:
            address = _address(client)
            mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
            known = any(a in n for a in (address, mapped) if a is not None
                        for n in self.networks)
            if len(self._known) > CACHE_LIMIT:
                self._known.clear()
            self._known[client] = known
        return known

    def client(self, proxy: bytes, forwarded: bytes) -> bytes:
        """The client of a request a trusted ``proxy`` passed on with X-Forwarded-For
        ``forwarded``."""
        client = proxy
        hops = _apache_hops if self.web_server == "apache" else _nginx_hops
        for hop in hops(forwarded):
            if hop is None:
                break
            client = hop
            if not self.trusted(hop):
                break
        return client


NO_PROXIES = Proxies([])


class Deadline:
    """The time the audit may take. The web server's account owns its log: one
    truncate() makes it a sparse file of terabytes of NUL bytes that costs no disk (and
    logrotate gzips it into a bomb); reading it would take hours. Past the limit, check()
    raises LogError naming the file. Monotonic time is shared with the forked workers."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self, path: str) -> None:
        if time.monotonic() > self.at:
            raise LogError(f"{path}: not read within {self.seconds:g} s, stopped (a huge or "
                           "sparse log?); the read positions are kept")


NO_LIMIT = Deadline(float("inf"))


# A file planned for reading that is gone or another one when it is read: logrotate ran
# while the audit read (it renames .1 to .2, the live log to .1, compresses the one and
# removes the oldest).
ROTATED_MEANWHILE = ("since the audit began (rotated while it was read): the read "
                     "positions are kept, run it again")

# A file's identity: its device and inode numbers.
Identity = tuple[int, int]


def _refused(path: str, exc: LinkNotFollowed) -> LinkRefused:
    return LinkRefused(path, exc.link, exc.target, exc.writer, exc.account)


def _log_folder(path: str) -> int:
    """A descriptor of the folder holding ``path``, walked from / as sop_tree's
    open_path walks it (LinkRefused naming a link it does not follow); any other OSError
    as the OS gives it."""
    try:
        return open_path_folder(os.path.dirname(os.path.abspath(path)))
    except LinkNotFollowed as exc:
        raise _refused(path, exc) from None


def open_log(path: str, identity: Identity | None = None) -> BinaryIO:
    """``path`` opened for reading when it is a regular file. The web server's account may
    write the log folder, or a folder above it: a link put in a log's place or in a
    folder's on its way (to /etc/shadow, /proc/kmsg) is not followed (LinkRefused naming
    it; only a link in a folder root alone can change is, as sop_tree's open_path walks a
    path) and a FIFO or a device is not waited for (LogError naming it). With the
    ``identity`` the plan saw, a file gone or replaced by another since (logrotate renamed
    the next one into its place) is a LogError too: reading it would count another file's
    lines, or count them twice."""
    try:
        fd, info = open_path(os.path.abspath(path))
    except LinkNotFollowed as exc:
        raise _refused(path, exc) from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise LogError(f"{path}: {exc.filename} is not a folder") from exc
        if exc.errno == errno.EINVAL:
            raise LogError(f"{path}: not a regular file (a FIFO, a device or a socket): "
                           "not read; move it away") from exc
        if exc.errno == errno.ENOENT and identity is not None:
            raise LogError(f"{path}: gone {ROTATED_MEANWHILE}") from exc
        raise LogError(f"{path}: {exc.strerror}") from exc
    if identity is not None and (info.st_dev, info.st_ino) != identity:
        os.close(fd)
        raise LogError(f"{path}: another file {ROTATED_MEANWHILE}")
    return os.fdopen(fd, "rb")


# A request time more than this far ahead of the audit's own clock is forged (or the
# web server's clock is wrong): the line is counted, its time is not "seen".
FUTURE_SECONDS = 86400
# Nor is a time before 2000-01-01T00:00:00Z (a line dated 1970 written by the web
# account, which owns its log, or a server clock reset to its start), nor, in the lines
# after the previous run's position, one more than EARLIER_SECONDS before that run began
# (they were written after it: a request's time is its start, and one may have lasted
# long, or the clock was stepped back a little).
PAST_FLOOR = 946684800.0
EARLIER_SECONDS = 86400
# The finding of the lines (of another finding or a login) whose time was set aside.
FORGED_TIME = "forged_time"

# A request time seen: (POSIX time, ISO 8601 text in the log's own zone offset). Seen
# times are compared as instants: a log's offset changes (the server's zone set from
# +0700 to UTC, a proxy writing UTC), and as text 02:30 +0000 comes before 09:00 +0700.
Seen = tuple[float, str]


def sample(line: bytes) -> str:
    """A log line as a finding shows it: at most SAMPLE_CHARS characters, the values of
    its secret-looking query parameters (a password reset key, a session, a token a
    visitor's link carried), in the request and in the referer, and a referer's
    user:password@ shown as *** (sop_secrets): the audit's result is kept as evidence. A
    byte that is no UTF-8 is its escape, \\xff, as nginx writes one (evidence keeps the
    byte; the runner shows a control character, and a backslash before x, as escapes)."""
    text = line.decode("utf-8", "backslashreplace")
    end = _URL_END.search(text, SAMPLE_CHARS, 2 * SAMPLE_CHARS)
    text = str(mask_text(text[:end.start() if end else 2 * SAMPLE_CHARS]))
    return _SAMPLE_TARGET.sub(lambda m: f'"{m.group(1)}' + str(
        mask_url(_PATH_BASE + m.group(2)))[len(_PATH_BASE):], text)[:SAMPLE_CHARS]


def earlier(a: Seen | None, b: Seen | None) -> Seen | None:
    """The earlier instant of two times seen (``a`` when the same; None is no time)."""
    return a if b is None or (a is not None and a[0] <= b[0]) else b


def later(a: Seen | None, b: Seen | None) -> Seen | None:
    """The later instant of two times seen (``b`` when the same; None is no time)."""
    return a if b is None or (a is not None and a[0] > b[0]) else b


@functools.lru_cache(maxsize=4096)
def _moment(stamp: bytes) -> tuple[str, float]:
    """('2026-10-10T13:55:36+07:00', its POSIX time) of '10/Oct/2026:13:55:36 +0700';
    ('', inf) when the text is no real time (99/Dec/9999, 31/Feb, 25:61, a zone past a
    day). Lines with the same second share one call."""
    if len(stamp) != 26 or stamp[2:3] != b"/" or stamp[6:7] != b"/" or \
            stamp[20:21] != b" " or stamp[21:22] not in (b"+", b"-"):
        return "", math.inf
    day, month, year, clock, zone = stamp[:2], stamp[3:6], stamp[7:11], stamp[12:20], stamp[22:]
    fields = (day, year, clock[:2], clock[3:5], clock[6:], zone[:2], zone[2:])
    if not all(f.isdigit() for f in fields) or clock[2:3] != b":" or clock[5:6] != b":" \
            or stamp[11:12] != b":" or month not in MONTHS:
        return "", math.inf
    d, y, hh, mm, ss, zh, zm = (int(f) for f in fields)
    offset = (zh * 60 + zm) * (-1 if stamp[21:22] == b"-" else 1)
    try:
        if zm >= 60:
            raise ValueError(zone)
        moment = datetime.datetime(y, MONTHS[month], d, hh, mm, ss, tzinfo=datetime.timezone(
            datetime.timedelta(minutes=offset)))
    except (ValueError, OverflowError):
        return "", math.inf
    text = stamp.decode()
    return (f"{text[7:11]}-{MONTHS[month]:02d}-{text[:2]}T{text[12:20]}"
            f"{text[21:24]}:{text[24:26]}", moment.timestamp())


def seen_time(stamp: bytes, not_before: float = -math.inf,
              not_after: float = math.inf) -> Seen | None:
    """'10/Oct/2026:13:55:36 +0700' -> (its POSIX time, '2026-10-10T13:55:36+07:00');
    None for a time that is no real time (99/Dec/9999, 31/Feb) or lies outside
    [``not_before``, ``not_after``] (POSIX times: PAST_FLOOR or the previous run, the
    audit's clock and FUTURE_SECONDS): such a line is still counted, but its forged time
    never becomes a first or last seen."""
    text, when = _moment(stamp)
    return (when, text) if not_before <= when <= not_after else None


class TopCounter:
    """Counts keys with bounded memory: beyond ``limit`` keys the smallest half is dropped
    (their counts folded into ``dropped``, the error bound of every remaining count)."""

    __slots__ = ("counts", "dropped", "limit")

    def __init__(self, limit: int) -> None:
        self.counts: dict[Any, int] = {}
        self.limit = limit
        self.dropped = 0

    def prune(self) -> None:
        if len(self.counts) <= self.limit:
            return
        ordered = sorted(self.counts.items(), key=lambda item: -item[1])
        keep = self.limit // 2
        self.dropped = max(self.dropped, ordered[keep][1])
        self.counts = dict(ordered[:keep])

    def merge(self, other: TopCounter) -> None:
        counts = self.counts
        for key, count in other.counts.items():
            counts[key] = counts.get(key, 0) + count
        self.dropped = max(self.dropped, other.dropped)
        self.prune()

    def top(self, n: int) -> list[tuple[Any, int]]:
        return sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))[:n]


@dataclass
class Finding:
    """One attack category's hits."""

    count: int = 0
    successful: int = 0  # answered 2xx
    first: Seen | None = None
    last: Seen | None = None
    samples: list[str] = field(default_factory=list)
    clients: TopCounter = field(default_factory=lambda: TopCounter(1024))

    def add(self, ip: bytes, when: Seen | None, status: bytes, line: bytes,
            samples: int) -> None:
        self.count += 1
        if status[:1] == b"2":
            self.successful += 1
        self.first = earlier(self.first, when)
        self.last = later(self.last, when)
        if len(self.samples) < samples:
            self.samples.append(sample(line))
        counts = self.clients.counts
        counts[ip] = counts.get(ip, 0) + 1
        if len(counts) > self.clients.limit:
            self.clients.prune()

    def merge(self, other: Finding, samples: int) -> None:
        self.count += other.count
        self.successful += other.successful
        self.first = earlier(self.first, other.first)
        self.last = later(self.last, other.last)
        self.samples = (self.samples + other.samples)[:samples]
        self.clients.merge(other.clients)


class Tally:
    """A bounded partial result of some log lines."""

    def __init__(self, *, top_limit: int = 5000, samples: int = 3,
                 not_after: float | None = None, not_before: float = PAST_FLOOR) -> None:
        # request times outside these (POSIX times) are forged: counted, never seen
        # (seen_time); a line of a finding or a login with such a time is a FORGED_TIME one
        self.not_after = time.time() + FUTURE_SECONDS if not_after is None else not_after
        self.not_before = not_before
        self.lines = 0
        self.requests = 0
        self.malformed = 0
        self.skipped = 0  # partial lines a task began in (_from_line_start)
        self.forwarded = 0  # requests with an X-Forwarded-For field (_FORWARDED)
        self.bytes = 0
        self.first: Seen | None = None  # the earliest and latest request times seen
        self.last: Seen | None = None
        self.statuses: dict[bytes, int] = {}
        self.visitors: set[int] = set()
        self.registers: bytearray | None = None
        self.paths = TopCounter(top_limit)
        self.clients = TopCounter(top_limit)
        self.crawlers: dict[str, int] = {}
        # failed logins per (brute-force category, client) (failed_login)
        self.logins = TopCounter(top_limit)
        self.login_seen: dict[tuple[str, bytes], list[Any]] = {}  # key: [first, last, sample]
        self.findings: dict[str, Finding] = {}
        self.samples = samples
        self._judged: tuple[bytes | None, Seen | None] = (None, None)  # the last line's time

    # -- unique visitors (IP + day + user agent, as GoAccess counts them) ------------
    def _fold(self) -> None:
        if self.registers is None:
            self.registers = bytearray(1 << HLL_P)
        regs, mask = self.registers, (1 << HLL_P) - 1
        width = 64 - HLL_P
        for signed in self.visitors:
            value = signed & 0xFFFFFFFFFFFFFFFF
            index = value & mask
            regs[index] = max(regs[index], width - (value >> HLL_P).bit_length() + 1)
        self.visitors = set()

    def unique_visitors(self) -> tuple[int, bool]:
        """(count, exact)."""
        if self.registers is None:
            return len(self.visitors), True
        if self.visitors:
            self._fold()
        regs = self.registers
        m = len(regs)
        estimate = (0.7213 / (1 + 1.079 / m)) * m * m / sum(2.0 ** -r for r in regs)
        zeros = regs.count(0)
        if estimate <= 2.5 * m and zeros:
            estimate = m * math.log(m / zeros)
        return round(estimate), False

    def judge(self, stamp: bytes) -> Seen | None:
        """The time of ``stamp`` when it is within this tally's bounds (seen_time)."""
        return seen_time(stamp, self.not_before, self.not_after)

    def seen(self, ip: bytes, stamp: bytes, status: bytes, line: bytes) -> Seen | None:
        """The time of a line of a finding or a login (judge); when it is set aside, the
        line is counted, once, in the FORGED_TIME finding."""
        judged, when = self._judged
        if line is judged:  # the same line in another category
            return when
        when = self.judge(stamp)
        self._judged = line, when
        if when is None:
            self._add(FORGED_TIME, ip, None, status, line)
        return when

    def _add(self, category: str, ip: bytes, when: Seen | None, status: bytes,
             line: bytes) -> None:
        finding = self.findings.get(category)
        if finding is None:
            finding = self.findings[category] = Finding()
        finding.add(ip, when, status, line, self.samples)

    def hit(self, category: str, ip: bytes, stamp: bytes, status: bytes, line: bytes) -> None:
        self._add(category, ip, self.seen(ip, stamp, status, line), status, line)

    def login(self, category: str, ip: bytes, stamp: bytes, status: bytes,
              line: bytes) -> None:
        """A failed login of ``ip`` in the brute-force ``category`` (failed_login)."""
        counts = self.logins.counts
        key = (category, ip)
        counts[key] = counts.get(key, 0) + 1
        when = self.seen(ip, stamp, status, line)
        seen = self.login_seen.get(key)
        if seen is None:
            self.login_seen[key] = [when, when, sample(line)]
        else:
            seen[0] = earlier(seen[0], when)
            seen[1] = later(seen[1], when)
        if len(counts) > self.logins.limit:
            self.logins.prune()
            self.login_seen = {k: v for k, v in self.login_seen.items() if k in self.logins.counts}

    def prune(self) -> None:
        self.paths.prune()
        self.clients.prune()
        if len(self.visitors) > VISITOR_EXACT or (self.registers is not None
                                                   and self.visitors):
            self._fold()

    def merge(self, other: Tally) -> None:
        """Add ``other``, which covers later lines."""
        self.lines += other.lines
        self.requests += other.requests
        self.malformed += other.malformed
        self.skipped += other.skipped
        self.forwarded += other.forwarded
        self.bytes += other.bytes
        self.first = earlier(self.first, other.first)
        self.last = later(self.last, other.last)
        for key, count in other.statuses.items():
            self.statuses[key] = self.statuses.get(key, 0) + count
        if other.registers is not None and self.registers is None:
            self.registers = bytearray(1 << HLL_P)
        if self.registers is not None and other.registers is not None:
            self.registers = bytearray(map(max, self.registers, other.registers))
        self.visitors |= other.visitors
        self.prune()
        self.paths.merge(other.paths)
        self.clients.merge(other.clients)
        for name, count in other.crawlers.items():
            self.crawlers[name] = self.crawlers.get(name, 0) + count
        self.logins.merge(other.logins)
        for login, (first, last, sample) in other.login_seen.items():
            mine = self.login_seen.get(login)
            if mine is None:
                self.login_seen[login] = [first, last, sample]
            else:
                mine[0] = earlier(mine[0], first)
                mine[1] = later(mine[1], last)
        self.login_seen = {k: v for k, v in self.login_seen.items() if k in self.logins.counts}
        for category, finding in other.findings.items():
            if category in self.findings:
                self.findings[category].merge(finding, self.samples)
            else:
                self.findings[category] = finding


def scan_block(data: bytes, tally: Tally, targets: dict[bytes, tuple[str, ...]],
               agents: dict[bytes, tuple[str | None, bool, bool]],
               referers: dict[bytes, bool], *, proxies: Proxies = NO_PROXIES,
               cms: str = "") -> None:
    """Count the complete lines of ``data`` into ``tally`` (the hot loop); a request
    from one of the trusted ``proxies`` is the client its X-Forwarded-For field names;
    ``cms`` the site's (target_categories), whose ``targets`` these are."""
    statuses, paths, clients = tally.statuses, tally.paths.counts, tally.clients.counts
    crawlers, vadd = tally.crawlers, tally.visitors.add
    requests = malformed = forwarded = 0
    first = last = b""
    fast, slow = _FAST.match, _LINE.match
    for line in data.split(b"\n"):
        vhost = _VHOST.match(line)
        start = vhost.end() if vhost else 0
        match = fast(line, start)
        # 92: the user agent "x\" sqlmap" read as "x\" (the scanner hidden), or the
        # referer "x\" " as "x\" and the agent as " "; a raw backslash ending them
        # (nginx's escape=none) is no escape: _FAST's reading stays
        if match is None or (92 in line and (line[match.end(6) - 1] == 92
                                             or line[match.end(5) - 1] == 92)):
            if not line:
                continue
            match = slow(line, start) or match
            if match is None:
                malformed += 1
                continue
        ip, stamp, request, status, referer, agent = match.groups()
        if len(ip) > KEY_BYTES:  # no address (nor a trusted proxy's)
            ip = ip[:KEY_BYTES]
        requests += 1
        end = match.end()
        if line[end:end + 2] == b' "' and line[end:end + 4] != b' "-"':
            forwarded += 1
            if proxies.networks and proxies.trusted(ip):
                field = _FORWARDED.match(line, end)
                if field:
                    ip = proxies.client(ip, field.group(1))
        if 58 in ip:  # ':', an IPv6 client: an IPv4-mapped one is its IPv4 address
            ip = _client(ip)
        if not first:
            first = stamp
        last = stamp
        statuses[status] = statuses.get(status, 0) + 1
        clients[ip] = clients.get(ip, 0) + 1
        vadd(hash(stamp[:11]) ^ hash(ip) * 31 ^ hash(agent))
        cls = agents.get(agent)
        if cls is None:
            cls = agent_class(agent)
            if len(agent) <= CACHE_KEY_BYTES:
                agents[agent] = cls
        if cls[0] is not None:
            crawlers[cls[0]] = crawlers.get(cls[0], 0) + 1
        elif cls[1]:
            tally.hit("scanner", ip, stamp, status, line)
        injected = cls[2] or referers.get(referer)
        if injected is None:
            injected = header_injection(referer)
            if len(referer) <= CACHE_KEY_BYTES:
                referers[referer] = injected
        if injected:
            tally.hit(HEADER_INJECTION, ip, stamp, status, line)
        sp1 = request.find(b" ")
        if sp1 < 0:
            # "-": no request line read, a browser's unused preconnection (408, nginx's
            # 400 too); another word is no HTTP (a TLS handshake to the plain port)
            if request != b"-":
                tally.hit("protocol", ip, stamp, status, line)
            continue
        method = request[:sp1]
        sp2 = request.rfind(b" ")
        target = request[sp1 + 1:sp2] if sp2 > sp1 else request[sp1 + 1:]
        q = target.find(b"?")
        path = target if q < 0 else target[:q]
        key = path if len(path) <= KEY_BYTES else path[:KEY_BYTES]
        paths[key] = paths.get(key, 0) + 1
        if method not in ALLOWED_METHODS or sp2 <= sp1:
            tally.hit("protocol", ip, stamp, status, line)
        elif method == b"POST":
            if cms == "drupal" and drupal_xmlrpc(path):
                tally.hit(DRUPAL_XMLRPC, ip, stamp, status, line)
            else:
                login = failed_login(path, status, target[len(path):], referer, cms)
                if login is not None:
                    tally.login(login, ip, stamp, status, line)
        found = targets.get(target)
        if found is None:
            found = target_categories(target, cms)
            if len(target) <= CACHE_KEY_BYTES:
                targets[target] = found
        for category in found:
            tally.hit(category, ip, stamp, status, line)
    tally.requests += requests
    tally.malformed += malformed
    tally.forwarded += forwarded
    tally.lines += requests + malformed
    if first:
        # The block's first and last lines (a log is written in time order) ...
        seen = [tally.judge(first), tally.judge(last)]
        if None in seen:  # ... unless one has a forged time: the block's own (rare)
            times = [t for t in (_request_time(x, tally) for x in data.split(b"\n"))
                     if t is not None]
            seen = [min(times, default=None), max(times, default=None)]
        tally.first = earlier(tally.first, seen[0])
        tally.last = later(tally.last, seen[1])
    tally._judged = (None, None)  # not kept (nor sent back from a worker) with its line


def _request_time(line: bytes, tally: Tally) -> Seen | None:
    """The time of a request line as tally.judge gives it (None for no request line)."""
    vhost = _VHOST.match(line)
    start = vhost.end() if vhost else 0
    match = _FAST.match(line, start) or _LINE.match(line, start)
    return tally.judge(match.group(2)) if match else None


@dataclass(frozen=True)
class Task:
    """Lines to read: a plain file's byte range [start, end), or a compressed file's
    (``compressed``: gz, xz or bz2) decompressed bytes from ``start`` (``end`` -1: to its
    end); request times before
    ``not_before`` are forged (Tally). A ``rotated`` copy is no longer written: its last
    line counts without a newline (copytruncate copied it while it was being written).
    The live log's range ends at its last newline: a line still being written waits.
    ``identity``: the file's when planned (None: not checked; open_log)."""

    path: str
    start: int
    end: int
    compressed: str = ""
    not_before: float = PAST_FLOOR
    rotated: bool = False
    identity: Identity | None = None


def _begin(task: Task) -> int:
    """Where a task's reading begins: the byte before its start, which tells whether the
    start is a line's (_from_line_start)."""
    return max(task.start - 1, 0)


def _plain_blocks(task: Task) -> Iterator[bytes]:
    """The blocks of a plain file's range; EOFError when the file ends before it (renamed
    away by logrotate and a new one created, or cut by copytruncate, since the plan: the
    lines not read would be lost, the next run resuming past them)."""
    with open_log(task.path, task.identity) as handle:
        handle.seek(_begin(task))
        remaining = task.end - _begin(task)
        while remaining > 0:
            data = handle.read(min(BLOCK, remaining))
            if not data:
                raise EOFError("shorter than when the audit began (rotated or cut while it "
                               "was read): the read positions are kept, run it again")
            remaining -= len(data)
            yield data


def _gzip_blocks(task: Task) -> Iterator[bytes]:
    skip = _begin(task)
    fed = False  # the current gzip member has input (an empty file is no error)
    with open_log(task.path, task.identity) as handle:
        inflater = zlib.decompressobj(wbits=47)
        while True:
            raw = handle.read(BLOCK // 4)
            if not raw:
                break
            pending = False  # output may wait inside the inflater
            while raw or pending:
                if inflater.eof:  # a file of several gzip members
                    inflater = zlib.decompressobj(wbits=47)
                fed = True
                # At most BLOCK bytes at a time: 1 MiB of a compressed bomb inflates to
                # 1 GiB, which would be held at once.
                data = inflater.decompress(raw, BLOCK)
                if inflater.eof:
                    raw, pending = inflater.unused_data, False
                else:
                    raw, pending = inflater.unconsumed_tail, len(data) == BLOCK
                if skip:
                    cut = min(skip, len(data))
                    data, skip = data[cut:], skip - cut
                if data:
                    yield data
    if fed and not inflater.eof:  # what `zcat` calls "unexpected end of file"
        raise EOFError("truncated gzip file (it ends before its end-of-stream marker): "
                       "the lines after the cut are lost; repair or move it away")


def _unpacked_blocks(task: Task) -> Iterator[bytes]:
    """The decompressed blocks of an xz or bzip2 file from the byte before the task's
    start (as _gzip_blocks), every stream of it; the reader inflates at most BLOCK bytes a
    read (a compressed bomb is never held at once). An empty file is nothing to read."""
    skip = _begin(task)
    with open_log(task.path, task.identity) as raw:
        if not raw.read(1):
            return
        raw.seek(0)
        with _UNPACK[task.compressed](raw) as handle:
            while True:
                try:
                    data = handle.read(BLOCK)
                except EOFError as exc:  # what `xzcat` calls "unexpected end of input"
                    raise EOFError(
                        f"truncated {task.compressed} file (it ends before its end-of-stream "
                        "marker): the lines after the cut are lost; repair or move it away"
                    ) from exc
                if not data:
                    break
                if skip:
                    cut = min(skip, len(data))
                    data, skip = data[cut:], skip - cut
                if data:
                    yield data


def _from_line_start(blocks: Iterator[bytes], tally: Tally, deadline: Deadline,
                     path: str) -> Iterator[bytes]:
    """The blocks of a task starting past 0 (read from the byte before its start), from
    its first line start on. The start is a line's when that byte is a newline; else the
    log was cut below the position the last run kept and written again (a rotation outside
    logrotate, an account rewriting its own log) and the start is mid-line: the rest of
    that line is skipped, counted in ``tally.skipped``, never read as a request."""
    partial: bool | None = None  # None: the byte before the start not read yet
    for data in blocks:
        cut = 0
        if partial is None:
            partial, cut = data[:1] != b"\n", 1
            tally.skipped += partial
        if partial:
            deadline.check(path)  # a partial line may be a sparse file's terabytes
            newline = data.find(b"\n", cut)
            if newline < 0:
                continue
            partial, cut = False, newline + 1
        if cut < len(data):
            yield data[cut:] if cut else data


# What each distinct request target (per CMS), user agent and referer is, kept by each
# process across its tasks (bounded by CACHE_LIMIT and CACHE_KEY_BYTES).
_TARGETS: dict[str, dict[bytes, tuple[str, ...]]] = {}
_AGENTS: dict[bytes, tuple[str | None, bool, bool]] = {}
_REFERERS: dict[bytes, bool] = {}


def scan_task(task: Task, top_limit: int = 5000, samples: int = 3,
              deadline: Deadline = NO_LIMIT, not_after: float | None = None, *,
              proxies: Proxies = NO_PROXIES, cms: str = "") -> Tally:
    """The tally of one task's complete lines (times before the task's ``not_before`` or
    after ``not_after`` are not seen: see Tally; clients behind trusted ``proxies`` and
    the site's ``cms``: scan_block)."""
    deadline.check(task.path)
    tally = Tally(top_limit=top_limit, samples=samples, not_after=not_after,
                  not_before=task.not_before)
    targets, agents, referers = _TARGETS.setdefault(cms, {}), _AGENTS, _REFERERS
    carry = b""
    blocks = _gzip_blocks(task) if task.compressed == "gz" else \
        _unpacked_blocks(task) if task.compressed else _plain_blocks(task)
    if task.start:
        blocks = _from_line_start(blocks, tally, deadline, task.path)
    try:
        for block in blocks:
            deadline.check(task.path)
            tally.bytes += len(block)
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1
            carry = data[cut:][-MAX_LINE:]
            scan_block(data[:cut], tally, targets, agents, referers, proxies=proxies, cms=cms)
            tally.prune()
            for cache in (targets, agents, referers):
                if len(cache) > CACHE_LIMIT:
                    cache.clear()
    except (OSError, zlib.error, lzma.LZMAError, EOFError) as exc:
        raise LogError(f"{task.path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if carry and task.rotated:  # a rotated copy's last line, without a newline
        scan_block(carry, tally, targets, agents, referers, proxies=proxies, cms=cms)
    tally.prune()
    return tally


def _scan(args: tuple[Task, int, int, Deadline, float, Proxies, str]) -> Tally:
    task, top_limit, samples, deadline, not_after, proxies, cms = args
    return scan_task(task, top_limit, samples, deadline, not_after, proxies=proxies, cms=cms)


def _next_line(handle: BinaryIO, point: int, end: int, deadline: Deadline, path: str) -> int:
    """Where the first line after ``point`` starts (``end`` if none), read in small
    pieces: a line of any length costs no memory."""
    handle.seek(point)
    while point < end:
        deadline.check(path)
        piece = handle.read(1 << 16)
        if not piece:
            break
        newline = piece.find(b"\n")
        if newline >= 0:
            return point + newline + 1
        point += len(piece)
    return end


def split_plain(path: str, start: int, end: int, size: int = TASK_BYTES,
                deadline: Deadline = NO_LIMIT, *,
                identity: Identity | None = None) -> list[Task]:
    """Ranges of about ``size`` bytes of [start, end), each starting at a line start
    (of the file ``identity``, when given; an empty range is not opened: nothing of it
    is read, whatever file now has its name)."""
    if end <= start:
        return []
    cuts = [start]
    with open_log(path, identity) as handle:
        point = start + size
        while point < end:
            position = _next_line(handle, point, end, deadline, path)
            if position >= end:
                break
            cuts.append(position)
            point = position + size
    cuts.append(end)
    return [Task(path, a, b, identity=identity) for a, b in zip(cuts, cuts[1:]) if b > a]


def audit(tasks: list[Task], *, workers: int = 0, top_limit: int = 5000,
          samples: int = 3, deadline: Deadline = NO_LIMIT,
          proxies: Proxies = NO_PROXIES, cms: str = "") -> Tally:
    """Run the tasks (in log order) on ``workers`` processes (0: one per CPU) and merge;
    LogError when ``deadline`` passes first. Request times more than FUTURE_SECONDS
    after the audit's start (its own clock), or before their task's ``not_before``, are
    counted but never first or last seen. A request from one of the trusted ``proxies``
    is its X-Forwarded-For's client; ``cms`` is the site's (scan_block)."""
    not_after = time.time() + FUTURE_SECONDS
    total = Tally(top_limit=top_limit, samples=samples, not_after=not_after)
    count = workers or os.cpu_count() or 1
    # about 4 ranges per process (balance), each between 4 MiB and TASK_BYTES
    size = sum(_planned_size(t) * 8 if t.compressed else t.end - t.start for t in tasks)
    piece = max(4 << 20, min(TASK_BYTES, size // (count * 4) + 1))
    jobs: list[Task] = []
    for task in tasks:
        deadline.check(task.path)  # an empty file has no block to check it on
        jobs.extend([task] if task.compressed else [
            dataclasses.replace(part, not_before=task.not_before, rotated=task.rotated)
            for part in split_plain(task.path, task.start, task.end, piece, deadline,
                                    identity=task.identity)])
    args = [(job, top_limit, samples, deadline, not_after, proxies, cms) for job in jobs]
    if count <= 1 or len(jobs) <= 1 or size < PARALLEL_BYTES:
        for arg in args:
            total.merge(_scan(arg))
        return total
    # fork: the workers share this process's hash seed (unique visitors are hashes)
    with multiprocessing.get_context("fork").Pool(min(count, len(jobs))) as pool:
        for tally in pool.imap(_scan, args):
            total.merge(tally)
    return total


# -- where the last run stopped --------------------------------------------------------

def fingerprint(path: str, compressed: str) -> str | None:
    """sha256 of the file's first line (at most FINGERPRINT_BYTES; ``compressed``: its
    compression, gz, xz or bz2, or ""); None when empty or without a complete first line."""
    try:
        with open_log(path) as raw:
            head = raw.read(FINGERPRINT_BYTES)
            if compressed and head:
                raw.seek(0)
                with _UNPACK[compressed](raw) as handle:
                    head = handle.read(FINGERPRINT_BYTES)
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise LogError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    cut = head.find(b"\n")
    if cut < 0 and len(head) < FINGERPRINT_BYTES:
        return None
    return hashlib.sha256(head[:cut + 1] if cut >= 0 else head).hexdigest()


def rotated(path: str) -> list[tuple[str, str]]:
    """The rotated copies of ``path``, newest first: [(file, its compression: gz, xz, bz2
    or "")]. Of ``.2`` and ``.2.gz`` together (logrotate compressing the one into the
    other, then removing it) only the plain file, which is whole, is one: the compressed
    one may still be being written."""
    directory, name = os.path.split(path)
    found: list[tuple[int, str, str]] = []
    try:
        folder = _log_folder(path)  # LinkRefused: a folder on its way is a link
        try:
            entries = os.listdir(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        raise LogError(f"{directory}: {exc.strerror}") from exc
    for entry in entries:
        if not entry.startswith(name):
            continue
        match = _ROTATED.fullmatch(entry[len(name):])
        if match:
            number = int(match.group(1))
            key = -number if len(match.group(1)) >= 8 else number  # dates: newest first
            found.append((key, os.path.join(directory, entry), match.group(2) or ""))
    plain = {file for _key, file, packed in found if not packed}
    return [(file, packed) for _key, file, packed in sorted(found)
            if not (packed and file[:-len(packed) - 1] in plain)]


def _planned_size(task: Task) -> int:
    """The size of the file a task's path leads to (a link root made is followed: the
    audit reads its target), for balancing the work; LogError when it is gone."""
    try:
        return os.stat(task.path).st_size
    except FileNotFoundError as exc:
        raise LogError(f"{task.path}: gone {ROTATED_MEANWHILE}") from exc


def complete_end(path: str, size: int, deadline: Deadline = NO_LIMIT) -> int:
    """The offset just after the last newline before ``size`` (0 when none)."""
    with open_log(path) as handle:
        position = size
        while position > 0:
            deadline.check(path)
            start = max(0, position - 65536)
            handle.seek(start)
            chunk = handle.read(position - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            position = start
    return 0


@dataclass
class Plan:
    """What to read and the state to keep afterwards."""

    tasks: list[Task]
    state: dict[str, Any]
    resumed: str  # first-run | live | rotated:<file> | cut | cut:<file> | lost


def read_state(state_file: str) -> dict[str, Any] | None:
    try:
        return read_json(state_file, STATE_VERSION)
    except StateError as exc:
        raise LogError(f"state file {exc} (remove it to start over)") from exc


def plan(path: str, state: dict[str, Any] | None, deadline: Deadline = NO_LIMIT) -> Plan:
    """The tasks reading what is new in ``path`` and its rotated copies since ``state``.

    The new state keeps when this run began (``audited_at``, the audit's clock): the lines
    after its position are written later, so the next run sets aside their times more
    than EARLIER_SECONDS before it (not_before of its tasks). A first run, or one that
    lost the position (it reads the older files again), has PAST_FLOOR only."""
    started = time.time()
    found = _plan(path, state, deadline)
    found.state["audited_at"] = started
    since = (state or {}).get("audited_at")
    if found.resumed not in ("first-run", "lost") and isinstance(since, (int, float)):
        # a previous run's clock ahead of this one's (set back since) bounds nothing more
        bound = max(PAST_FLOOR, min(float(since), started) - EARLIER_SECONDS)
        found.tasks = [dataclasses.replace(t, not_before=bound) for t in found.tasks]
    return found


def _plan(path: str, state: dict[str, Any] | None, deadline: Deadline) -> Plan:
    """plan's tasks and new state, without the times' bound."""
    # LinkRefused: a link in the log's place (/dev/stdout) or a folder's on its way;
    # LogError: no regular file (a FIFO, a device: reading would block), unreadable
    with open_log(path) as handle:
        info = os.fstat(handle.fileno())
    end = complete_end(path, info.st_size, deadline)
    live_print = fingerprint(path, "")
    new_state = {"version": STATE_VERSION, "path": path, "offset": end,
                 "fingerprint": live_print, "tail": tail_print(path, end)}
    live = Task(path, 0, end, identity=(info.st_dev, info.st_ino))
    older = rotated(path)
    if live_print is None:  # no line to know the log by: the copies rotated since are new
        new_state["newest"] = _newest_print(older, deadline)
    if state is None:
        return Plan([*(_whole(file, gz) for file, gz in reversed(older)), live], new_state,
                    "first-run")
    offset = int(state.get("offset", 0))
    old_print = state.get("fingerprint")
    if old_print is None:  # the live log had no line last time: nothing of it was read
        # the copies rotated since the newest one then (which was read) are new
        newest = state.get("newest")
        newer, found = _since(older, newest, deadline)
        resumed = "lost" if newest is not None and found is None else \
            f"rotated:{newer[-1].path}" if newer else "live"
        return Plan([*reversed(newer), live], new_state, resumed)
    if live_print == old_print and end >= offset:
        resumed = "live" if _intact(path, offset, state) else "cut"
        return Plan([dataclasses.replace(live, start=offset)], new_state, resumed)
    newer, found = _since(older, old_print, deadline)
    if found is None:
        return Plan([*reversed(newer), live], new_state, "lost")
    file, gz = found
    first = dataclasses.replace(_whole(file, gz), start=offset)
    resumed = f"rotated:{file}" if gz or _intact(file, offset, state) else f"cut:{file}"
    return Plan([first, *reversed(newer), live], new_state, resumed)


def tail_print(path: str, end: int) -> str | None:
    """sha256 of the line of a plain file that ends at ``end`` (at most its last
    FINGERPRINT_BYTES; a file now shorter, what is left of it); None when ``end`` is 0."""
    if end <= 0:
        return None
    start = max(0, end - FINGERPRINT_BYTES)
    try:
        with open_log(path) as handle:
            handle.seek(start)
            data = handle.read(end - start)
    except OSError as exc:
        raise LogError(f"{path}: {exc.strerror}") from exc
    return hashlib.sha256(data[data.rfind(b"\n", 0, len(data) - 1) + 1:]).hexdigest()


def _intact(path: str, offset: int, state: dict[str, Any]) -> bool:
    """Whether the plain file holding the previous run's position still has the line
    that ended there (``state``'s ``tail``; a state kept without one is not checked).
    Else the log was cut below the position and written past it again: the lines written
    between the cut and the position are never read, and even a cut that left a line
    start at the position (nothing skipped) is told."""
    kept = state.get("tail")
    return kept is None or tail_print(path, offset) == kept


def _since(older: list[tuple[str, str]], mark: str | None,
           deadline: Deadline) -> tuple[list[Task], tuple[str, str] | None]:
    """The rotated copies newer than the one whose fingerprint is ``mark`` (newest first,
    each read whole), and that one (None when no copy has it: all are newer)."""
    newer: list[Task] = []
    for file, gz in older:
        deadline.check(file)  # the log folder may be full of "rotated copies"
        if mark is not None and fingerprint(file, gz) == mark:
            return newer, (file, gz)
        newer.append(_whole(file, gz))
    return newer, None


def _whole(file: str, gz: str) -> Task:
    """The task reading the whole of a rotated copy (LogError when it is no regular file,
    or gone: rotated away since it was listed)."""
    with open_log(file) as handle:
        info = os.fstat(handle.fileno())
    return Task(file, 0, -1 if gz else info.st_size, gz, rotated=True,
                identity=(info.st_dev, info.st_ino))


def _newest_print(older: list[tuple[str, str]], deadline: Deadline) -> str | None:
    """The fingerprint of the newest rotated copy that has one (None: none has)."""
    for file, gz in older:
        deadline.check(file)
        found = fingerprint(file, gz)
        if found is not None:
            return found
    return None


def write_state(state_file: str, state: dict[str, Any]) -> None:
    """Replace the state file atomically (a new directory 0700, the file 0600)."""
    try:
        private_dir(os.path.dirname(state_file))
        write_private(state_file, json.dumps(state))
    except OSError as exc:
        raise LogError(f"state file {state_file}: {exc.strerror}") from exc


def state_path(state_dir: str, log: str) -> str:
    """The state file of one log."""
    digest = hashlib.sha256(os.path.abspath(log).encode()).hexdigest()[:16]
    return os.path.join(state_dir, f"{os.path.basename(log)}-{digest}.json")


# -- the result ------------------------------------------------------------------------

# One private (or loopback) address making this percentage of at least this many requests
# is a reverse proxy in front of the web server, logged as every visitor's address (the
# defaults of the module's proxy_share_percent and proxy_min_requests).
PROXY_SHARE_PERCENT = 90
PROXY_MIN_REQUESTS = 200


def behind_proxy(tally: Tally, proxies: Proxies = NO_PROXIES, *,
                 share_percent: int = PROXY_SHARE_PERCENT,
                 min_requests: int = PROXY_MIN_REQUESTS) -> dict[str, Any] | None:
    """The address that seems a reverse proxy without real_ip (nginx's ngx_http_realip,
    Apache's mod_remoteip) in front of the web server, making ``share_percent`` % of at
    least ``min_requests`` requests: every request logged with its address, so the
    per-client counts (brute force, a finding's clients) see one client. ``xff``: the
    lines carry an X-Forwarded-For field after the user agent that listing the address
    in ``proxies`` would read (false: none does, or it is listed already)."""
    found = tally.clients.top(1)
    if not found or tally.requests < min_requests:
        return None
    client, count = found[0]
    address = _address(client)
    if count * 100 < tally.requests * share_percent or address is None \
            or not address.is_private:
        return None
    return {"client": address.compressed, "count": count,
            "share": round(count / tally.requests, 3),
            "xff": tally.forwarded > 0 and not proxies.trusted(client)}


def summary(tally: Tally, *, top: int, bruteforce_threshold: int,
            proxies: Proxies = NO_PROXIES, proxy_share_percent: int = PROXY_SHARE_PERCENT,
            proxy_min_requests: int = PROXY_MIN_REQUESTS) -> dict[str, Any]:
    """The audit result as plain data; a path or a client at most SAMPLE_CHARS characters
    (whoever writes the log makes them a line long: ten 1 MiB lines were a 22 MB result),
    a byte that is no UTF-8 as its escape (sample); ``behind_proxy`` by the thresholds
    ``proxy_share_percent`` and ``proxy_min_requests``."""
    def text(value: bytes) -> str:
        return value[:KEY_BYTES].decode("utf-8", "backslashreplace")[:SAMPLE_CHARS]

    visitors, exact = tally.unique_visitors()
    classes: dict[str, int] = {}
    for status, count in tally.statuses.items():
        key = f"{text(status[:1])}xx" if status[:1].isdigit() else "-"
        classes[key] = classes.get(key, 0) + count
    findings = []
    for category, finding in tally.findings.items():
        findings.append(_finding(
            category, count=finding.count, successful=finding.successful,
            first=finding.first, last=finding.last, samples=finding.samples,
            clients=[{"client": text(ip), "count": n} for ip, n in finding.clients.top(5)]))
    logins = tally.logins.top(len(tally.logins.counts))
    for login in (WP_BRUTEFORCE, DRUPAL_BRUTEFORCE):
        brute = [(ip, n) for (category, ip), n in logins
                 if category == login and n >= bruteforce_threshold]
        if not brute:
            continue
        seen = [tally.login_seen[login, ip] for ip, _n in brute
                if (login, ip) in tally.login_seen]
        findings.append(_finding(
            login, count=sum(n for _ip, n in brute), successful=0,
            first=functools.reduce(earlier, (s[0] for s in seen), None),
            last=functools.reduce(later, (s[1] for s in seen), None),
            samples=[s[2] for s in seen[:tally.samples]],
            clients=[{"client": text(ip), "count": n} for ip, n in brute[:5]]))
    findings.sort(key=lambda f: (-f["count"], f["category"]))
    return {
        "lines": tally.lines, "requests": tally.requests, "malformed": tally.malformed,
        "skipped": tally.skipped,
        "bytes": tally.bytes, "first_seen": _text(tally.first), "last_seen": _text(tally.last),
        "unique_visitors": visitors, "unique_visitors_exact": exact,
        "status_classes": dict(sorted(classes.items())),
        "statuses": {text(k): v for k, v in sorted(tally.statuses.items())},
        "top_paths": [{"path": text(k), "count": v} for k, v in tally.paths.top(top)],
        "top_clients": [{"client": text(k), "count": v} for k, v in tally.clients.top(top)],
        "counts_error_bound": max(tally.paths.dropped, tally.clients.dropped),
        "crawlers": dict(sorted(tally.crawlers.items(), key=lambda i: (-i[1], i[0]))),
        "crawler_requests": sum(tally.crawlers.values()),
        "findings": findings,
        "behind_proxy": behind_proxy(tally, proxies, share_percent=proxy_share_percent,
                                     min_requests=proxy_min_requests),
    }


def _text(when: Seen | None) -> str | None:
    """A time seen as the result shows it: its ISO 8601 text (None for none)."""
    return None if when is None else when[1]


def _finding(category: str, *, count: int, successful: int, first: Seen | None,
             last: Seen | None, samples: list[str],
             clients: list[dict[str, Any]]) -> dict[str, Any]:
    ref, title = category_title(category)
    return {"category": category, "crs": ref, "title": title,
            "name": f"{title} ({category})", "count": count,
            "successful": successful, "first_seen": _text(first), "last_seen": _text(last),
            "clients": clients, "samples": samples}

