"""Shared network checks for the network SOP: ping statistics (latency, loss, jitter)
from the system's ``ping``, a DNS A query to one chosen resolver over UDP, an HTTP
probe, and the localisation of a fault to one segment of the path a court host uses;
and the host and port of a HOST, HOST:PORT, IPv6 or [IPv6]:PORT address.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import socket
import struct
import subprocess
import time
from typing import Any

from ansible.module_utils.sop_bahasa import angka_ringkas
from ansible.module_utils.sop_http import fetch
from ansible.module_utils.sop_secrets import basic_auth, mask_text, mask_url, url_secrets

SEGMENTS = ("lan", "gateway", "dns", "upstream", "central")
SEGMENT_NAMES = {
    "lan": "LAN",
    "gateway": "gateway",
    "dns": "DNS",
    "upstream": "link upstream (internet)",
    "central": "layanan pusat",
}

_RTT = re.compile(r"time[=<]([\d.]+) ms")
# iputils: "4 packets transmitted, 3 received, +3 duplicates, 25% packet loss, time 603ms"
# (busybox: "... 3 packets received, ..."); duplicates and errors are not answers
_SUMMARY = re.compile(
    r"(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+(\d+) duplicates)?"
)


def split_host_port(text: str, default_port: int) -> tuple[str, int]:
    """(name or address, port) of HOST, HOST:PORT, an IPv6 address, or [IPv6]:PORT (the
    brackets removed), ``default_port`` when none is given; ValueError for anything
    else (an unclosed bracket, a port that is no number from 1 to 65535)."""
    bad = ValueError(f"{text!r}: expected HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT")
    bracketed = re.fullmatch(r"\[([^\]]*)\](?::(\d+))?", text)
    if bracketed:
        name, port = bracketed[1], bracketed[2] or str(default_port)
        if not is_ipv6(name):
            raise bad
    elif text.count(":") > 1:  # an IPv6 address without brackets has no port
        if not is_ipv6(text):
            raise bad
        name, port = text, str(default_port)
    else:
        name, _sep, port = text.partition(":") if ":" in text else (text, "", str(default_port))
        if not name or re.search(r"[\s/\[\]@]", name):
            raise bad
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise bad
    return name, int(port)


def is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def ping(address: str, count: int, interval: float, timeout: float) -> dict[str, Any]:
    """``count`` echo requests; latency min/avg/max, loss and jitter (mean difference of
    consecutive round trips, as RFC 3550 smooths it) in milliseconds."""
    # after "--": an address starting with '-' is never read as ping's option (the
    # caller refuses it first: sop_options.target_error)
    argv = ["ping", "-n", "-c", str(count), "-i", f"{interval:g}", "-W", f"{timeout:g}", "--",
            address]
    limit = count * (interval + timeout) + 5
    unanswered = {"target": address, "ok": False, "sent": count, "received": 0,
                  "loss_percent": 100.0}
    try:
        # its summary line is read: in English, whatever the caller's locale
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=limit,
                              env={**os.environ, "LC_ALL": "C"})
    except FileNotFoundError:
        return {**unanswered, "error": "perintah ping tidak ada (paket iputils-ping)"}
    except subprocess.TimeoutExpired:
        # a name whose resolver does not answer: ping waits for it before any echo
        return {**unanswered,
                "error": f"ping {address} tidak selesai dalam {angka_ringkas(limit)} dtk"}
    # a reply that comes twice, "(DUP!)", is one answer: its round trip is not counted
    rtts = [float(m) for line in proc.stdout.splitlines() if "(DUP!)" not in line
            for m in _RTT.findall(line)]
    summary = _SUMMARY.search(proc.stdout)
    sent, received, duplicates = (
        (int(summary[1]), int(summary[2]), int(summary[3] or 0)) if summary
        else (count, len(rtts), 0)
    )
    loss = round(100 * (sent - received) / sent, 1) if sent else 100.0
    result: dict[str, Any] = {
        "target": address,
        "sent": sent,
        "received": received,
        "duplicates": duplicates,
        "loss_percent": loss,
        "ok": received > 0 and bool(rtts),
        "error": None,
    }
    if rtts:
        diffs = [abs(b - a) for a, b in zip(rtts, rtts[1:])]
        result.update(
            min_ms=min(rtts),
            avg_ms=round(sum(rtts) / len(rtts), 3),
            max_ms=max(rtts),
            jitter_ms=round(sum(diffs) / len(diffs), 3) if diffs else 0.0,
        )
    else:
        lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        result["error"] = (
            lines[-1] if proc.stderr.strip() else f"{sent} paket terkirim, 0 diterima"
        )
    return result


def _dns_name(name: str) -> bytes:
    """The name in DNS wire format; UnicodeError when DNS cannot carry it (an empty
    label or name, a label over 63 characters)."""
    encoded = name.rstrip(".").encode("idna")
    if not encoded:
        raise UnicodeError("empty name")
    return b"".join(bytes([len(p)]) + p for p in encoded.split(b".")) + b"\0"


def _skip_name(data: bytes, offset: int) -> int:
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:
            return offset + 2
        if length == 0:
            return offset + 1
        offset += length + 1


def _a_records(data: bytes, qdcount: int, ancount: int) -> list[str]:
    """The A records of an answer; IndexError or struct.error where it is cut short."""
    addresses = []
    offset = 12
    for _ in range(qdcount):
        offset = _skip_name(data, offset) + 4
    for _ in range(ancount):
        offset = _skip_name(data, offset)
        rtype, _cls, _ttl, rdlength = struct.unpack(">HHIH", data[offset : offset + 10])
        offset += 10
        if offset + rdlength > len(data):
            raise IndexError("record beyond the answer")
        if rtype == 1 and rdlength == 4:
            addresses.append(socket.inet_ntoa(data[offset : offset + 4]))
        offset += rdlength
    return addresses


_RCODES = {1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def _answer(sock: socket.socket, qid: int, deadline: float) -> bytes:
    """The answer to query ``qid`` on a connected socket; socket.timeout at ``deadline``,
    however many other datagrams (answers to other queries) come before it."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout
        sock.settimeout(left)
        data = sock.recv(4096)
        if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
            return data


def dns_query(server: str, name: str, timeout: float, port: int = 53) -> dict[str, Any]:
    """Ask ``server`` (an IPv4 or IPv6 address: a name would be looked up by the system
    resolver, which no timeout bounds) for the A records of ``name``."""
    result: dict[str, Any] = {
        "server": server,
        "name": name,
        "ok": False,
        "addresses": [],
        "response_ms": None,
        "error": None,
    }
    try:
        wire_name = _dns_name(name)
    except UnicodeError:
        result["error"] = f"{name}: bukan nama DNS yang sah"
        return result
    qid = random.randrange(0x10000)  # noqa: S311 - a query id, not a secret
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire_name + struct.pack(">HH", 1, 1)
    try:
        family, _type, _proto, _name, address = socket.getaddrinfo(
            server, port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST)[0]
    except socket.gaierror:
        result["error"] = f"resolver {server}: bukan alamat IPv4 atau IPv6"
        return result
    start = time.monotonic()
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            # connected: only the resolver's own datagrams are read, and a host without
            # a DNS service (ICMP port unreachable) is refused at once
            sock.connect(address)
            sock.send(query)
            data = _answer(sock, qid, start + timeout)
    except socket.timeout:  # TimeoutError from Python 3.10; an OSError of its own on 3.9
        result["error"] = f"resolver {server} tidak menjawab dalam {angka_ringkas(timeout)} dtk"
        return result
    except ConnectionRefusedError:
        result["error"] = f"resolver {server}: tidak ada layanan DNS di port {port}/udp (ditolak)"
        return result
    except OSError as exc:
        result["error"] = f"resolver {server}: {exc.strerror or exc}"
        return result
    result["response_ms"] = round((time.monotonic() - start) * 1000, 1)
    flags, qdcount, ancount = struct.unpack(">HHH", data[2:8])
    if flags & 0x000F:
        result["error"] = f"{name}: {_RCODES.get(flags & 0x000F, flags & 0x000F)} dari {server}"
        return result
    try:
        result["addresses"] = _a_records(data, qdcount, ancount)
    except (IndexError, struct.error):
        # cut short or crafted (a resolver that misbehaves, an answer spoofed on the LAN)
        result["error"] = f"{name}: jawaban rusak dari {server}"
        return result
    result["ok"] = bool(result["addresses"])
    if not result["ok"]:
        result["error"] = f"{name}: tidak ada alamat dari {server}"
    return result


def http_probe(url: str, timeout: float) -> dict[str, Any]:
    """Any HTTP answer below 500 means the service is reachable and serving (its body is
    not read). A user:password@ in the URL is sent as HTTP basic credentials; the result
    shows the URL and its error masked."""
    plain, authorization = basic_auth(url)
    answer = fetch(plain, timeout, limit=0,
                   headers={"Authorization": authorization} if authorization else None)
    status = answer["status"] if answer["status"] >= 0 else None
    ok = status is not None and status < 500
    error = answer["error"] if status is None else None if ok else f"status HTTP {status}"
    return {
        "url": mask_url(url),
        "ok": ok,
        "status": status,
        "error": mask_text(error, url_secrets(url)),
        "response_ms": answer["response_ms"],
    }


def localise(checks: dict[str, list[dict[str, Any]]]) -> str | None:
    """The first segment, in the order a packet travels, whose checks fail: LAN, gateway,
    DNS, upstream, central service. Outside names depend on the upstream link, so when
    only they fail and the upstream fails too, the fault is the upstream's."""
    failed = {seg: any(not c["ok"] for c in checks.get(seg, [])) for seg in SEGMENTS}
    dns_internal = any(not c["ok"] for c in checks.get("dns", []) if c.get("scope") == "internal")
    if failed["dns"] and not dns_internal and failed["upstream"]:
        failed["dns"] = False
    return next((seg for seg in SEGMENTS if failed[seg]), None)
