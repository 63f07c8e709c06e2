"""module_utils/sop_net.py and library/net_config_store.py: fault localisation, ping and
HTTP probes against real local targets, a DNS query parsed from a real resolver's wire
format, and the configuration store's files, modes, diffs and history."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import httpd
import pytest
from ansible.module_utils.common.parameters import PASS_VARS
from loader import load, run_module, warning_lines

ROOT = Path(__file__).resolve().parents[2]
net = load("sop_net")
store_mod = load("net_config_store")


def ok(**extra):
    return {"ok": True, **extra}


def bad(**extra):
    return {"ok": False, "error": "x", **extra}


@pytest.mark.parametrize(("checks", "fault"), [
    ({"lan": [ok()], "gateway": [ok()], "dns": [ok(scope="internal")], "upstream": [ok()],
      "central": [ok()]}, None),
    ({"lan": [bad()], "gateway": [bad()], "upstream": [bad()]}, "lan"),
    ({"gateway": [bad()], "dns": [bad(scope="internal")], "upstream": [bad()]}, "gateway"),
    # resolver stopped: internal and outside names fail, the upstream answers
    ({"gateway": [ok()], "dns": [bad(scope="internal"), bad(scope="external")],
      "upstream": [ok()], "central": [ok()]}, "dns"),
    # upstream dropped: outside names fail with it, internal names still answer
    ({"gateway": [ok()], "dns": [ok(scope="internal"), bad(scope="external")],
      "upstream": [bad()], "central": [bad()]}, "upstream"),
    # outside names failing alone are the resolver's
    ({"dns": [ok(scope="internal"), bad(scope="external")], "upstream": [ok()]}, "dns"),
    ({"gateway": [ok()], "upstream": [ok()], "central": [bad()]}, "central"),
])
def test_localise(checks, fault):
    assert net.localise(checks) == fault


needs_ping = pytest.mark.skipif(shutil.which("ping") is None, reason="no ping on this machine")


def test_ping_missing_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    r = net.ping("127.0.0.1", 2, 0.2, 1)
    assert r == {"target": "127.0.0.1", "ok": False, "sent": 2, "received": 0,
                 "loss_percent": 100.0, "error": "perintah ping tidak ada (paket iputils-ping)"}


@needs_ping
def test_ping_loopback_statistics():
    r = net.ping("127.0.0.1", 3, 0.2, 1)
    assert r["ok"] and r["received"] == 3 and r["loss_percent"] == 0.0
    assert r["min_ms"] <= r["avg_ms"] <= r["max_ms"] and r["jitter_ms"] >= 0


@needs_ping
def test_ping_unanswered():
    # TEST-NET-2 (RFC 5737) never answers; TEST-NET-1 is this sandbox's own gateway.
    r = net.ping("198.51.100.7", 2, 0.2, 0.5)
    assert r["ok"] is False and r["loss_percent"] == 100.0 and r["error"]


# iputils ping's own output (20221126) where a reply comes twice: a bridged loop, a
# misbehaving switch or a second host with the same address on the LAN
PING_WITH_DUPLICATES = """PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.
64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.412 ms
64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.498 ms (DUP!)
64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.401 ms
64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.517 ms (DUP!)
64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=0.420 ms
64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=0.566 ms (DUP!)

--- 10.0.0.1 ping statistics ---
4 packets transmitted, 3 received, +3 duplicates, 25% packet loss, time 603ms
rtt min/avg/max/mdev = 0.401/0.469/0.566/0.058 ms
"""


def fake_ping(tmp_path, monkeypatch, output):
    """A ``ping`` on PATH that prints ``output`` and records the locale it ran in."""
    (tmp_path / "out.txt").write_text(output)
    script = tmp_path / "ping"
    script.write_text('#!/bin/sh\necho "LC_ALL=$LC_ALL LANG=$LANG" > "$(dirname "$0")/env.txt"\n'
                      'cat "$(dirname "$0")/out.txt"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    return tmp_path / "env.txt"


def test_ping_counts_duplicate_replies_once(tmp_path, monkeypatch):
    fake_ping(tmp_path, monkeypatch, PING_WITH_DUPLICATES)
    r = net.ping("10.0.0.1", 4, 0.2, 1)
    # from ping's own summary: 4 sent, 3 answered, one lost; the duplicates are not
    # answers (counting every time= gave 6 received and a loss of -50%)
    assert r["sent"] == 4 and r["received"] == 3 and r["loss_percent"] == 25.0
    assert r["duplicates"] == 3
    assert (r["min_ms"], r["max_ms"], r["avg_ms"]) == (0.401, 0.42, 0.411)


def test_ping_runs_in_the_c_locale(tmp_path, monkeypatch):
    # its summary line is parsed: a ping built with translations (NLS) would write it
    # in the caller's language
    env = fake_ping(tmp_path, monkeypatch, PING_WITH_DUPLICATES)
    monkeypatch.setenv("LC_ALL", "id_ID.UTF-8")
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    net.ping("10.0.0.1", 4, 0.2, 1)
    assert env.read_text().split()[0] == "LC_ALL=C"


def test_ping_errors_are_not_answers(tmp_path, monkeypatch):
    fake_ping(tmp_path, monkeypatch, """PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.
From 10.0.0.2 icmp_seq=1 Destination Host Unreachable
From 10.0.0.2 icmp_seq=2 Destination Host Unreachable

--- 10.0.0.9 ping statistics ---
2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1010ms
""")
    r = net.ping("10.0.0.9", 2, 0.2, 1)
    assert r["ok"] is False and r["received"] == 0 and r["loss_percent"] == 100.0
    assert r["error"] == "2 paket terkirim, 0 diterima"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503 if self.path == "/down" else 404 if self.path == "/x" else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_probe():
    srv = httpd.start(Handler)
    base = httpd.url(srv)
    assert net.http_probe(base + "/", 2)["ok"]
    assert net.http_probe(base + "/x", 2)["ok"]  # the service answers
    down = net.http_probe(base + "/down", 2)
    assert not down["ok"] and down["error"] == "status HTTP 503"
    srv.shutdown()
    srv.server_close()
    refused = net.http_probe(base + "/", 2)
    assert not refused["ok"] and "refused" in refused["error"].lower()


def dns_server(answer, host="127.0.0.1"):
    """A UDP responder on ``host`` answering each query with ``answer(query)`` (bytes, or
    a list of datagrams sent 0.2 s apart)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))

    def serve():
        while True:
            try:
                data, peer = sock.recvfrom(512)
                answers = answer(data)
                for n, datagram in enumerate([answers] if isinstance(answers, bytes) else answers):
                    time.sleep(0.2 if n else 0)
                    sock.sendto(datagram, peer)
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return sock


def reply(query, rcode=0, addresses=()):
    qid = query[:2]
    question = query[12:]
    answers = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(a)
                       for a in addresses)
    header = qid + struct.pack(">HHHHH", 0x8180 | rcode, 1, len(addresses), 0, 0)
    return header + question + answers


def test_dns_answers_nxdomain_and_silence():
    good = dns_server(lambda q: reply(q, addresses=["10.0.0.5", "10.0.0.6"]))
    r = net.dns_query("127.0.0.1", "sipp.pn.court", 1, port=good.getsockname()[1])
    assert r["ok"] and r["addresses"] == ["10.0.0.5", "10.0.0.6"]
    nx = dns_server(lambda q: reply(q, rcode=3))
    r = net.dns_query("127.0.0.1", "nope.pn.court", 1, port=nx.getsockname()[1])
    assert not r["ok"] and r["error"] == "nope.pn.court: NXDOMAIN dari 127.0.0.1"
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    r = net.dns_query("127.0.0.1", "x.court", 0.3, port=silent.getsockname()[1])
    assert r["error"] == "resolver 127.0.0.1 tidak menjawab dalam 0,3 dtk"
    for s in (good, nx, silent):
        s.close()


def item(name, content, state=None):
    return {"name": name, "content": content, "state": state}


def stored_diff(root, before, after):
    """The diff the store returns when rb-a's configuration, stored as ``before``,
    becomes ``after``."""
    store_mod.store(root, item("rb-a", before), {}, 5, False)
    return store_mod.store(root, item("rb-a", after), {}, 5, False)["diff"]


def test_store_first_unchanged_changed_and_history(tmp_path):
    root = tmp_path / "jaringan"
    first = store_mod.store(root, item("rb-a", "set name=a\n", {"log_cursor": "*3"}), {}, 5, False)
    assert first["changed"] and first["first"] and first["diff"] is None
    device = root / "rb-a"
    assert stat.S_IMODE(device.stat().st_mode) == 0o700
    assert stat.S_IMODE((device / "config.txt").stat().st_mode) == 0o600
    states, damaged = store_mod.read_states(root)
    assert (states, damaged) == ({"rb-a": {"log_cursor": "*3"}}, {})
    same = store_mod.store(root, item("rb-a", "set name=a\n", {"log_cursor": "*3"}),
                           states, 5, False)
    assert not same["changed"] and not same["state_changed"]
    check = store_mod.store(root, item("rb-a", "set name=b\n"), states, 5, True)
    assert check["changed"] and (device / "config.txt").read_text() == "set name=a\n"
    changed = store_mod.store(root, item("rb-a", "set name=b\n"), states, 5, False)
    assert "-set name=a\n+set name=b\n" in changed["diff"]
    assert [p.read_text() for p in (device / "history").glob("*.txt")] == ["set name=a\n"]
    assert store_mod.mark_reported(root, "rb-a", changed["report_id"], False)
    unavailable = store_mod.store(root, item("rb-a", None), states, 5, False)
    assert not unavailable["changed"] and (device / "config.txt").read_text() == "set name=b\n"


def test_store_content_with_a_carriage_return_is_unchanged_the_second_time(tmp_path):
    # a comment or a crafted export may keep a lone CR: stored as it came, it must read
    # back as it came, or every run reports a change and adds a history version
    root = tmp_path / "jaringan"
    content = "/system note\nset note=\"a\rb\"\n"
    assert store_mod.store(root, item("rb-a", content), {}, 5, False)["changed"]
    again = store_mod.store(root, item("rb-a", content), {}, 5, False)
    assert not again["changed"] and again["diff"] is None
    assert not (root / "rb-a" / "history").exists()


def test_a_stored_configuration_that_is_not_utf8_is_replaced_not_a_traceback(tmp_path):
    # a config.txt edited or restored by hand in Latin-1 was a UnicodeDecodeError: a
    # traceback, and no device of the run stored
    root = tmp_path / "jaringan"
    content = "/system identity\nset name=rb-a\n/ip address\nadd comment=a\n"
    args = {"path": str(root), "items": [{"name": "rb-a", "content": content}]}
    assert store_mod.store(root, item("rb-a", content), {}, 5, False)["changed"]
    latin1 = content.replace("=a", "=\xe9quipe").encode("latin-1")
    (root / "rb-a" / "config.txt").write_bytes(latin1)
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 0 and out["changed_names"] == ["rb-a"]
    assert "-add comment=\\xe9quipe\n+add comment=a\n" in out["devices"][0]["diff"]
    assert (root / "rb-a" / "config.txt").read_text() == content
    assert [p.read_text() for p in (root / "rb-a" / "history").glob("*.txt")] == [
        content.replace("=a", "=\\xe9quipe")]
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 0 and not out["changed"]


def test_store_refuses_a_name_with_a_trailing_newline(tmp_path):
    rc, out = run_module("net_config_store", tmp_path, {
        "path": str(tmp_path / "jaringan"), "items": [{"name": "rb-a\n", "content": "x\n"}]})
    assert rc == 1 and out["msg"].startswith("device names unusable as file names")
    assert not (tmp_path / "jaringan" / "rb-a\n").exists()


@pytest.mark.parametrize("path", ["", "jaringan", "./jaringan"])
def test_store_refuses_a_path_that_is_not_absolute(tmp_path, monkeypatch, path):
    # "" or a relative path was the store in whatever folder the module ran in (the SSH
    # user's home under become), or refused as that folder's owner's, naming no path
    monkeypatch.chdir(tmp_path)
    rc, out = run_module("net_config_store", tmp_path, {
        "path": path, "items": [{"name": "rb-a", "content": "x\n"}]})
    assert rc == 1 and out["msg"] == f"path: must be an absolute path, not {path!r}"
    # the option refused, for the role's rescue to name its variable (sop_failure_cause)
    assert out["setting"] == "path"


def test_store_refuses_a_negative_keep(tmp_path):
    # keep -3 pruned the three oldest versions and kept the rest (a slice from the end):
    # a typo that silently rewrote the history's length; now refused before any write.
    args = {"path": str(tmp_path / "jaringan"), "items": [{"name": "rb-a", "content": "x\n"}]}
    rc, out = run_module("net_config_store", tmp_path, {**args, "keep": -3})
    assert rc == 1 and out["msg"] == ("keep: must be 0 (keeps none) or a positive number of "
                                      "older versions, not -3")
    assert out["setting"] == "keep"  # the network role's rescue names network_config_store_keep
    # 10000 versions of the largest configuration stored by default are 40 GB
    rc, out = run_module("net_config_store", tmp_path, {**args, "keep": 10001})
    assert rc == 1 and out["msg"] == "keep: must be at most 10000 older versions, not 10001"
    assert not (tmp_path / "jaringan").exists()


def test_a_configuration_over_max_export_bytes_is_refused_for_its_device_alone(tmp_path):
    """A compromised router could send 32 MiB a session (routeros_check's cap), kept 50
    times: 1.6 GB of the backup computer's disk a router. A configuration larger than
    max_export_bytes (counted in UTF-8, as written) is refused with one line naming the
    device, its stored configuration and history untouched, in check mode too; its state
    is kept and the other devices are stored."""
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", "set name=a\n"), {}, 5, False)
    large = "/system note\nset note=\"" + "é" * 50 + "\"\n"  # 75 characters, 125 bytes
    items = [item("rb-a", large, {"log_cursor": "*9"}), item("rb-b", "set name=b\n")]
    warning = ("rb-a: konfigurasi berukuran 125 byte melebihi batas 100 byte "
               "(max_export_bytes); tidak disimpan, konfigurasi tersimpan sebelumnya dan "
               "riwayatnya tetap")
    for check in (True, False):
        rc, out = run_module("net_config_store", tmp_path, {
            "path": str(root), "items": items, "max_export_bytes": 100,
            "_ansible_check_mode": check})
        assert rc == 0 and warning_lines(out) == [warning], out
        assert out["changed_names"] == ["rb-b"] and out["devices"][0]["refused"] == warning
        assert out["devices"][1]["refused"] is None
    assert (root / "rb-a" / "config.txt").read_text() == "set name=a\n"
    assert not (root / "rb-a" / "history").exists()
    assert json.loads((root / "rb-a" / "state.json").read_text()) == {"log_cursor": "*9"}
    assert (root / "rb-b" / "config.txt").read_text() == "set name=b\n"
    rc, out = run_module("net_config_store", tmp_path, {
        "path": str(root), "items": items, "max_export_bytes": 125})
    assert rc == 0 and warning_lines(out) == [] and out["changed_names"] == ["rb-a"]
    rc, out = run_module("net_config_store", tmp_path, {
        "path": str(root), "items": items, "max_export_bytes": 0})
    assert rc == 1 and out["msg"] == ("max_export_bytes: must be a positive number of "
                                      "bytes, not 0")
    assert out["setting"] == "max_export_bytes"
    rc, out = run_module("net_config_store", tmp_path, {
        "path": str(root), "items": items, "max_export_bytes": 2**26 + 1})
    assert rc == 1 and out["msg"] == ("max_export_bytes: must be at most 67108864 bytes "
                                      "(64 MiB), not 67108865")


def test_the_default_max_export_bytes_is_4_mib(tmp_path):
    root = tmp_path / "jaringan"
    line = "add comment=" + "x" * 1011 + "\n"  # 1 KiB
    largest = store_mod.store(root, item("rb-a", line * 4096), {}, 5, False)
    assert largest["changed"] and largest["refused"] is None
    over = store_mod.store(root, item("rb-b", line * 4096 + "\n"), {}, 5, False)
    assert not over["changed"] and over["refused"].startswith(
        "rb-b: konfigurasi berukuran 4.194.305 byte melebihi batas 4.194.304 byte")
    assert not (root / "rb-b").exists()


def test_store_refuses_a_directory_another_account_can_change(tmp_path):
    # the store holds the routers' exports (secrets with show_sensitive) and the state
    # the next run trusts: a directory another account owns, or one its group or others
    # can write, was used as it was (only its read bits tightened)
    args = {"path": str(tmp_path / "jaringan"), "items": [{"name": "rb-a", "content": "x\n"}]}
    root = tmp_path / "jaringan"
    root.mkdir(mode=0o700)
    root.chmod(0o775)
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 1 and out["msg"] == (
        f"configuration store directory {root} is writable by its group or others (mode 0775)")
    root.chmod(0o755)  # only readable by others: closed to them, and used
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 0 and stat.S_IMODE(root.stat().st_mode) == 0o700
    (root / "rb-a").chmod(0o777)
    with pytest.raises(store_mod.UnsafeStore, match="rb-a is writable by its group or others"):
        store_mod.store(root, item("rb-a", "y\n"), {}, 5, False)
    if os.geteuid() != 0:
        pytest.skip("gives a directory to another account")
    os.chown(root, 65534, 65534)
    rc, out = run_module("net_config_store", tmp_path, {**args, "items": None})
    assert rc == 1 and out["msg"] == (
        f"configuration store directory {root} is owned by "
        f"{store_mod.account(65534)}, not user root")


def test_store_refuses_a_folder_above_it_another_account_can_change(tmp_path):
    # only the store directory itself was checked: in a folder above it that others can
    # write (without the sticky bit), another account could rename the store away and
    # put a link to a directory of its own in its place
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    args = {"path": str(shared / "jaringan"), "items": [{"name": "rb-a", "content": "x\n"}]}
    refused = (f"folder {shared} above the configuration store is writable by its group "
               "or others without the sticky bit (mode 0777): another account could "
               "replace the store with a link")
    for call in (args, {**args, "items": None}, {**args, "_ansible_check_mode": True}):
        rc, out = run_module("net_config_store", tmp_path, call)
        assert rc == 1 and out["msg"] == refused
    assert not (shared / "jaringan").exists()
    # reached through a link: the folders on the link's way are checked, and the folder
    # holding the link
    (shared / "real").mkdir(mode=0o755)
    via = tmp_path / "via"
    via.symlink_to(shared / "real")
    rc, out = run_module("net_config_store", tmp_path, {**args, "path": str(via / "jaringan")})
    assert rc == 1 and out["msg"] == refused
    hop = tmp_path / "hop"
    hop.symlink_to("via/../real")  # relative; ".." is the parent of the link's target
    assert list(store_mod.folders_above(hop / "jaringan"))[-1] == shared / "real"
    assert os.path.realpath(hop / "jaringan") == str(shared / "real" / "jaringan")
    shared.chmod(0o1777)  # sticky, as /tmp: others cannot rename what is not theirs
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 0 and (shared / "jaringan" / "rb-a" / "config.txt").read_text() == "x\n"
    if os.geteuid() != 0:
        pytest.skip("gives a folder to another account")
    shared.chmod(0o755)
    os.chown(shared, 65534, 65534)
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 1 and out["msg"] == (
        f"folder {shared} above the configuration store is owned by "
        f"{store_mod.account(65534)}, not user root")


def test_store_makes_missing_folders_above_it_0700_whatever_the_umask(tmp_path):
    # they were made as mkdir -p makes them, with the umask's mode: under a umask 002
    # they were group-writable, and the next run refused them as folders above the store
    root = tmp_path / "sop" / "net" / "jaringan"
    args = {"path": str(root), "items": [{"name": "rb-a", "content": "x\n"}]}
    umask = os.umask(0o002)
    try:
        first = run_module("net_config_store", tmp_path, args)
        second = run_module("net_config_store", tmp_path, args)
    finally:
        os.umask(umask)
    assert first[0] == 0 and first[1]["changed_names"] == ["rb-a"], first
    assert second[0] == 0 and not second[1]["changed"], second
    for folder in (tmp_path / "sop", tmp_path / "sop" / "net", root):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_store_checks_a_device_directory_before_reading_it(tmp_path):
    # a device directory others can write was refused only when written: its state was
    # read and returned (the log cursor the next run trusts), and its configuration read
    # and compared, in check mode and by a call without items
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", "x\n", {"log_cursor": "*3"}), {}, 5, False)
    (root / "rb-a").chmod(0o777)
    refused = f"configuration store directory {root / 'rb-a'} is writable by its group or others"
    rc, out = run_module("net_config_store", tmp_path, {"path": str(root)})
    assert rc == 1 and out["msg"] == f"{refused} (mode 0777)"
    with pytest.raises(store_mod.UnsafeStore, match=refused):
        store_mod.store(root, item("rb-a", "y\n"), {}, 5, True)


@pytest.mark.parametrize("keep", [12, -16, -10, -4, -1])
def test_dns_malformed_answer_is_one_clear_line(keep):
    # a resolver (misbehaving, or spoofed on the LAN) whose answer is cut short: after
    # the header, inside the question, the answer's name, its fixed part, its address
    srv = dns_server(lambda q: reply(q, addresses=["10.0.0.5"])[:keep])
    r = net.dns_query("127.0.0.1", "sipp.pn.court", 1, port=srv.getsockname()[1])
    srv.close()
    assert r["ok"] is False
    assert r["error"] == "sipp.pn.court: jawaban rusak dari 127.0.0.1"


PING_IN_NETNS = """
import json, socket, sys, threading
import ansible.module_utils
ansible.module_utils.__path__.append({utils!r})
from ansible.module_utils.sop_net import ping
silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
silent.bind(({resolver!r}, 53))  # a resolver that takes the queries and never answers
print(json.dumps(ping("sipp.pn-contoh.court", 1, 0.2, 0.5)))
"""


@needs_ping
def test_ping_of_a_name_while_the_resolver_hangs_is_one_clear_line():
    # the system resolver is the broken segment: ping waits for it longer than ping()
    # allows; real ping, real glibc resolver, in a network namespace of its own
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    with open("/etc/resolv.conf", encoding="utf-8") as handle:
        servers = [line.split()[1] for line in handle if line.startswith("nameserver ")]
    if not servers or ":" in servers[0]:
        pytest.skip("needs an IPv4 nameserver in /etc/resolv.conf")
    code = PING_IN_NETNS.format(utils=str(ROOT / "module_utils"), resolver=servers[0])
    script = (f"ip link set lo up; ip addr add {servers[0]}/32 dev lo 2>/dev/null || true;"
              f' exec "$0" -c "$1"')
    proc = subprocess.run(["unshare", "-rn", "sh", "-ec", script, sys.executable, code],
                          capture_output=True, text=True, check=False, timeout=60,
                          env={**os.environ, "RES_OPTIONS": "timeout:5 attempts:2"})
    if "Operation not permitted" in proc.stderr and not proc.stdout:
        pytest.skip(f"no network namespace here: {proc.stderr.strip()}")
    assert "Traceback" not in proc.stderr, proc.stderr
    r = json.loads(proc.stdout)
    assert r["ok"] is False and r["loss_percent"] == 100.0
    assert r["error"] == "ping sipp.pn-contoh.court tidak selesai dalam 5,7 dtk"


def test_store_keeps_the_stored_configuration_out_of_its_result(tmp_path):
    # an export with secrets (show_sensitive) must land in the root-only store, not in
    # the task result that ansible-runner keeps in the run's artifacts: ansible-core
    # before 2.21 (Debian 12's line is 2.19) has every module return its arguments;
    # 2.21 does when asked (_ansible_inject_invocation, which 2.19 refuses as unknown)
    secret = "lab-wifi-Secret-123"
    content = f"/interface wifi security\nadd name=kantor passphrase={secret}\n"
    args: dict[str, object] = {
        "path": str(tmp_path / "jaringan"), "items": [{"name": "rb-a", "content": content}]}
    if "inject_invocation" in PASS_VARS:
        args["_ansible_inject_invocation"] = True
    rc, out = run_module("net_config_store", tmp_path, args)
    assert "invocation" in out
    assert rc == 0 and out["changed_names"] == ["rb-a"]
    assert secret not in json.dumps(out)
    assert (tmp_path / "jaringan" / "rb-a" / "config.txt").read_text() == content


def test_a_changed_secret_shows_in_the_diff_without_its_value(tmp_path):
    """With show_sensitive the export holds secrets; its diff went into the task result and
    the SOP's record (diff_konfigurasi). The line shows the change, not the value."""
    root = tmp_path / "jaringan"
    before = ('/interface wifi security\nadd name=kantor passphrase=Old-Pass-1 wps=disable\n'
              '/ppp secret\nadd name=vpn password="old \\"pw\\"" service=l2tp\n'
              '/interface wireguard\nadd name=wg0 private-key="T1dELWtleQ=="\n')
    after = before.replace("Old-Pass-1", "New-Pass-2").replace('old \\"pw\\"', "new pw"
                           ).replace("T1dELWtleQ==", "TkVXLWtleQ==")
    after += "/ip ipsec identity\nadd peer=kantor secret=ipsec-psk-3\n"
    store_mod.store(root, item("rb-a", before), {}, 5, False)
    changed = store_mod.store(root, item("rb-a", after), {}, 5, False)
    for value in ("Old-Pass-1", "New-Pass-2", "old", "new pw", "T1dELWtleQ", "TkVXLWtleQ",
                  "ipsec-psk-3"):
        assert value not in changed["diff"], value
    assert "-add name=kantor passphrase=******** wps=disable\n" in changed["diff"]
    assert "+add name=kantor passphrase=******** wps=disable\n" in changed["diff"]
    assert '+add name=vpn password=******** service=l2tp\n' in changed["diff"]
    assert "+add peer=kantor secret=********\n" in changed["diff"]
    assert (root / "rb-a" / "config.txt").read_text() == after


class AuthHandler(BaseHTTPRequestHandler):
    """A central service behind HTTP basic credentials; /down is out of service."""

    authorizations: ClassVar[list[str | None]] = []

    def do_GET(self):
        self.authorizations.append(self.headers.get("Authorization"))
        self.send_response(503 if self.path.startswith("/down") else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_central_url_with_credentials_is_probed_and_recorded_masked(tmp_path):
    # network_central_urls defaults to sipp_central_url, which may carry user:password@
    # and a ?token= (sipp_sync sends and masks them): the probe took user:password@ for
    # the host ("nonnumeric port": the segment reported broken) and the summary, the
    # checks and the invocation recorded the password and the token
    with httpd.serving(AuthHandler) as base:
        url = base.replace("http://", "http://court:S3cret-pw@")
        args: dict[str, object] = {"central": [f"{url}/?token=T0ken-9",
                                               f"{url}/down?token=T0ken-9"]}
        if "inject_invocation" in PASS_VARS:
            args["_ansible_inject_invocation"] = True
        rc, out = run_module("net_reachability", tmp_path, args)
    shown = base.replace("http://", "http://***@")
    assert rc == 0, out
    assert AuthHandler.authorizations == ["Basic Y291cnQ6UzNjcmV0LXB3"] * 2  # court:S3cret-pw
    assert "S3cret-pw" not in json.dumps(out) and "T0ken-9" not in json.dumps(out)
    assert [c["ok"] for c in out["checks"]["central"]] == [True, False]
    assert out["checks"]["central"][0]["url"] == f"{shown}/?token=***"
    assert out["summary"] == (
        f"Gangguan di segmen layanan pusat: {shown}/down?token=***: status HTTP 503")


@pytest.mark.parametrize("refused", [{"dns_servers": ["dns.pn.court"]}, {"probes": 0},
                                     {"timeout": 0}, {"interval": -1}])
def test_a_refused_option_keeps_a_central_urls_credentials_out_of_the_result(tmp_path, refused):
    # the invocation was masked only on success: a refused option (a resolver given by
    # name, a timeout of 0) returned the central URL's user:password@ and token in it
    args: dict[str, object] = {"central": ["http://court:S3cret-pw@127.0.0.1:9/?token=T0ken-9"],
                               **refused}
    if "inject_invocation" in PASS_VARS:
        args["_ansible_inject_invocation"] = True
    rc, out = run_module("net_reachability", tmp_path, args)
    assert rc == 1 and out["failed"]
    assert out["invocation"]["module_args"]["central"] == ["http://***@127.0.0.1:9/?token=***"]
    assert "S3cret-pw" not in json.dumps(out) and "T0ken-9" not in json.dumps(out)


def test_snmp_community_names_are_masked_in_the_diff(tmp_path):
    # An SNMP v1/v2c community's name is its password, and a RouterOS export shows it,
    # hide-sensitive too: a renamed community went into the recorded diff. Its menu may
    # lie beyond the hunk's context, and a name elsewhere is no secret.
    communities = "".join(f"add addresses=10.0.{n}.0/24 name=Comm-{n}\n" for n in range(6))
    before = ("/snmp\nset enabled=yes trap-community=Comm-0 trap-version=2\n"
              f"/snmp community\nset [ find default=yes ] disabled=yes name=Old-Public\n"
              f"{communities}/system identity\nset name=rb-a\n")
    after = (before.replace("Old-Public", "New-Public").replace("Comm-0 ", "Comm-9 ")
             .replace("name=Comm-5", "name=Comm-8").replace("set name=rb-a", "set name=rb-b"))
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    for name in ("Comm-", "Public"):
        assert name not in diff, diff
    assert "+set enabled=yes trap-community=******** trap-version=2\n" in diff
    assert "+set [ find default=yes ] disabled=yes name=********\n" in diff
    assert "-add addresses=10.0.5.0/24 name=********\n" in diff
    assert "+add addresses=10.0.5.0/24 name=********\n" in diff
    assert "-set name=rb-a\n+set name=rb-b\n" in diff
    assert (root / "rb-a" / "config.txt").read_text() == after


def test_credentials_in_a_scripts_url_are_masked_in_the_diff(tmp_path):
    # A DDNS or notification script fetches a URL with user:password@ or ?token=, and
    # RouterOS exports its source with secrets hidden too: the diff recorded them
    fetch = ('add name=ddns on-event="/tool fetch url=\\"http://court:S3cret-pw@members.'
             'dyndns.org/nic/update\\?hostname=pa.example&token=T0ken-9\\" keep-result=no"'
             ' start-time=startup\n')
    before = f"/system scheduler\n{fetch}/system identity\nset name=rb-a\n"
    after = before.replace("keep-result=no", "keep-result=yes").replace("rb-a\n", "rb-b\n")
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    assert "S3cret-pw" not in diff and "T0ken-9" not in diff, diff
    assert ('+add name=ddns on-event="/tool fetch url=\\"http://***@members.dyndns.org/nic/'
            'update\\?hostname=pa.example&token=***" keep-result=yes" start-time=startup\n'
            ) in diff  # the value masked up to the quote, its escaping backslash too
    assert "-set name=rb-a\n+set name=rb-b\n" in diff
    assert (root / "rb-a" / "config.txt").read_text() == after


def test_a_telegram_bots_token_in_a_scripts_url_is_masked_in_the_diff(tmp_path):
    # RouterBoard alert scripts post to Telegram's Bot API, its token in the URL's path
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    before = ('/system script\nadd name=lapor source="/tool fetch url=\\"https://api.'
              f'telegram.org/bot{token}/sendMessage\\?chat_id=-100123\\" keep-result=no"\n')
    after = before.replace("keep-result=no", "keep-result=yes")
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    assert "AAHdqTcv" not in diff, diff
    assert "https://api.telegram.org/bot***/sendMessage" in diff
    assert (root / "rb-a" / "config.txt").read_text() == after


def test_a_last_line_without_newline_is_marked_not_run_into_the_next(tmp_path):
    # difflib writes such a line as it is: "-set name=a+set name=b", one line of the
    # record where there were two
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", "/system identity\nset name=a"), {}, 5, False)
    diff = store_mod.store(root, item("rb-a", "/system identity\nset name=b"), {}, 5, False)
    assert diff["diff"].endswith("-set name=a\n\\ No newline at end of file\n"
                                 "+set name=b\n\\ No newline at end of file\n")


@pytest.mark.parametrize(("menu", "line"), [
    ("/interface wireguard peers", "add interface=wg0 preshared-key={} public-key=\"UHViS2V5\""),
    ("/routing ospf interface-template", "add area=backbone auth=md5 auth-id=1 auth-key={}"),
    ("/routing bgp connection", "add name=isp remote.address=203.0.113.1 tcp-md5-key={}"),
    ("/interface wireless security-profiles", "add management-protection-key={} name=kantor"),
    ("/interface macsec", "add cak={} ckn=f2c4660060169391 interface=ether1 name=macsec1"),
    ("/system ntp key", "add key={} key-id=1"),
    ("/container envs", "add key=DB_PASSWORD name=sipp value={}"),
    ("/ip ipsec identity", "add auth-method=pre-shared-key peer=kantor secret={}"),
    ("/interface l2tp-server server", "set enabled=yes ipsec-secret={} use-ipsec=yes"),
    ("/snmp community", "set [ find default=yes ] authentication-password={0} "
                        "encryption-password={0} security=private"),
    ("/ppp secret", "add name=vpn password={} service=l2tp"),
    ("/user-manager user", "add name=staf password={} shared-users=1"),
    ("/ip hotspot user", "add name=tamu password={} server=hotspot1"),
    ("/interface wifi security", "add authentication-types=wpa2-psk name=kantor passphrase={}"),
    ("/interface wifi", "set [ find default-name=wifi1 ] configuration.ssid=PN "
                        "security.passphrase={}"),
    ("/system ntp key", "add key-id=1 key-val={}"),
    ("/routing rip keys", "add chain=rip key={} key-id=1"),
    ("/ip ipsec key psk", "add id=0123456789abcdef key={} peer=kantor"),
    ("/iot lora servers", "add address=eu1.cloud.thethings.network key={} name=ttn"),
    ("/lora servers", "add address=eu1.cloud.thethings.network key={} name=ttn"),
    ("/disk", "set [ find slot=usb1 ] encryption-key={}"),
    ("/tool user-manager user", "add customer=admin password={0} username=u1 "
                                "wireless-enc-algo=104bit-wep wireless-enc-key={0} "
                                "wireless-psk={0}"),
    ("/iot bluetooth peripheral-devices", "set [ find address=DC:2C:6E:0F:C0:3D ] mtik-key={}"),
    ("/user-manager advanced", "set paypal-password={0} paypal-signature={0} paypal-user=pn"),
    ("/interface lte", "set [ find default-name=lte1 ] pin={}"),
    ("/tool sms", "set port=lte1 receive-enabled=yes sim-pin={}"),
])
def test_every_routeros_secret_key_is_masked_in_the_diff(tmp_path, menu, line):
    # RouterOS 7 names a WireGuard peer's pre-shared key preshared-key, OSPF's and BGP's
    # keys auth-key and tcp-md5-key, a wireless profile's 802.11w key
    # management-protection-key, a MACsec interface's key cak: their values went into
    # the recorded diff; so did an NTP authentication key (/system ntp key's key) and a
    # container's environment variable (/container envs' value), which show-sensitive
    # shows: a key or a value only in that menu. The others are the menus' secrets as
    # RouterOS 7 names them, whose values must stay masked. Then the secrets the export
    # showed and the diff recorded: RouterOS 7.9's NTP key (key-val), RIP's key, an IPsec
    # post-quantum PSK, a LoRa gateway's key for its network server, a disk's encryption
    # key, a RouterOS 6 User Manager user's WEP key and WPA PSK, a Bluetooth tag's key,
    # the PayPal API signature, a SIM card's PIN.
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", f"{menu}\n{line.format('Old-Key-1')}\n"), {}, 5, False)
    diff = store_mod.store(root, item("rb-a", f"{menu}\n{line.format('New-Key-2')}\n"),
                           {}, 5, False)["diff"]
    assert "Old-Key-1" not in diff and "New-Key-2" not in diff
    assert f"+{line.format('********')}\n" in diff


def test_a_secret_in_a_scripts_source_is_masked_and_the_source_keeps_its_quotes(tmp_path):
    """A value in a script's source (a variable, \\$pass, or a string quoted \\"...\\")
    ate the quote closing the source (password=\\$pass" shown password=********), and
    of a quoted string with a space it showed what followed the space. The stored file
    keeps the values; the diff (the task's and the record's) masks the value alone."""
    menu = "/system script\n"
    before = (menu + 'add name=vpn source="/ppp secret set vpn password=\\$sandiLama"\n'
              'add name=wifi source="/interface wifi security set kantor '
              'passphrase=\\"Old Phrase\\"" policy=read\n')
    after = before.replace("Lama", "Baru").replace("Old Phrase", "New Phrase")
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    assert "sandi" not in diff and "Phrase" not in diff, diff
    assert '+add name=vpn source="/ppp secret set vpn password=********"\n' in diff
    assert ('+add name=wifi source="/interface wifi security set kantor '
            'passphrase=********" policy=read\n') in diff
    assert (root / "rb-a" / "config.txt").read_text() == after


def test_a_private_key_in_a_scripts_source_is_masked_in_the_diff(tmp_path):
    """A PEM private key a script writes (its lines joined with \\r\\n on the export's
    line) went into the diff whole: no key name announces it."""
    key = ("-----BEGIN PRIVATE KEY-----\\r\\nMIIEvQIBADANBg{}\\r\\n"
           "-----END PRIVATE KEY-----\\r\\n")
    line = 'add name=cert source="/file add name=k.pem contents=\\"' + key + '\\""\n'
    cut = 'add name=cut source="-----BEGIN RSA PRIVATE KEY-----\\r\\nMIIC{}"\n'
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", "/system script\n" + line.format("Old1") + cut.format(
        "Old2")), {}, 5, False)
    diff = store_mod.store(root, item("rb-a", "/system script\n" + line.format("New1") +
                                      cut.format("New2")), {}, 5, False)["diff"]
    assert "MII" not in diff and "New" not in diff and "Old" not in diff, diff
    assert ('+add name=cert source="/file add name=k.pem contents=\\"-----BEGIN PRIVATE '
            'KEY-----********-----END PRIVATE KEY-----\\r\\n\\""\n') in diff
    assert '+add name=cut source="-----BEGIN RSA PRIVATE KEY-----********\n' in diff


def test_a_key_or_value_that_is_a_secret_in_its_menu_only_is_masked_there(tmp_path):
    # every container variable's value is masked, whatever its name (a URL's password);
    # key= and value= in other menus are no secret: an NTP server's key-id, a DHCP
    # option's value
    before = ("/container envs\n"
              'add key=DATABASE_URL name=sipp value="mysql://sipp:Old-Pw-1@db/sipp"\n'
              "/ip dhcp-server option\nadd code=42 name=ntp value=\"'10.0.0.1'\"\n"
              "/system ntp client servers\nadd address=10.0.0.1 key-id=1\n")
    after = (before.replace("Old-Pw-1", "New-Pw-2").replace("10.0.0.1", "10.0.0.2")
             .replace("key-id=1", "key-id=2"))
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    assert "Pw-" not in diff, diff
    assert "+add key=DATABASE_URL name=sipp value=********\n" in diff
    assert "+add code=42 name=ntp value=\"'10.0.0.2'\"\n" in diff
    assert "+add address=10.0.0.2 key-id=2\n" in diff


def test_a_zerotier_identity_is_masked_and_what_is_no_secret_stays_shown(tmp_path):
    # a ZeroTier instance's identity (address:0:public key:private key) holds the node's
    # private key and went into the diff whole; a network's id, an 802.1X client's
    # identity (its user name), a wireless profile's supplicant identity, the name of an
    # IPsec key, a key's id and a ping timeout are no secrets and stay shown
    before = ("/zerotier\n"
              'add identity="8056c2e21c:0:Old9a4b:Old-e5f7" interfaces=all name=zt1 port=9993\n'
              "/interface zerotier\n"
              "add instance=zt1 name=zerotier1 network=8056c2e21c000001\n"
              "/interface dot1x client\n"
              "add identity=staf-lama interface=ether1 password=Old-Pw-1\n"
              "/interface wireless security-profiles\n"
              "set [ find default=yes ] supplicant-identity=rb-lama\n"
              "/ip ipsec identity\n"
              "add auth-method=rsa-key key=kunci-lama peer=kantor\n"
              "/ip ipsec key psk\n"
              "add id=0123456789abcdef key=Old-Psk-1 peer=kantor\n"
              "/routing rip keys\n"
              "add chain=rip key=Old-Rip-1 key-id=1\n"
              "/system ntp key\n"
              "add key-id=1 key-val=Old-Ntp-1\n"
              "/system watchdog\n"
              "set ping-timeout=1m\n")
    after = (before.replace("Old", "New").replace("000001", "000002").replace("lama", "baru")
             .replace("0123456789abcdef", "fedcba9876543210").replace("key-id=1", "key-id=2")
             .replace("ping-timeout=1m", "ping-timeout=2m"))
    root = tmp_path / "jaringan"
    diff = stored_diff(root, before, after)
    assert "Old" not in diff and "New" not in diff and "8056c2e21c:" not in diff, diff
    assert "+add identity=******** interfaces=all name=zt1 port=9993\n" in diff
    assert "+add instance=zt1 name=zerotier1 network=8056c2e21c000002\n" in diff
    assert "+add identity=staf-baru interface=ether1 password=********\n" in diff
    assert "+set [ find default=yes ] supplicant-identity=rb-baru\n" in diff
    assert "+add auth-method=rsa-key key=kunci-baru peer=kantor\n" in diff
    assert "+add id=fedcba9876543210 key=******** peer=kantor\n" in diff
    assert "+add chain=rip key=******** key-id=2\n" in diff
    assert "+add key-id=2 key-val=********\n" in diff
    assert "+set ping-timeout=2m\n" in diff
    assert (root / "rb-a" / "config.txt").read_text() == after


@pytest.mark.parametrize("name", ["x" * 64 + ".pn-contoh.court", "sipp..pn-contoh.court", ""])
def test_a_name_dns_cannot_carry_is_one_clear_line(name):
    # a label over 63 characters raised UnicodeError out of the module (a traceback, no
    # result for any segment); an empty label or name went out as a malformed query
    asked = []
    srv = dns_server(lambda q: asked.append(q) or reply(q, addresses=["10.0.0.5"]))
    r = net.dns_query("127.0.0.1", name, 1, port=srv.getsockname()[1])
    srv.close()
    assert r["ok"] is False and asked == []
    assert r["error"] == f"{name}: bukan nama DNS yang sah"


def test_a_resolver_given_by_name_is_not_looked_up(tmp_path):
    # a name went to the system resolver (getaddrinfo), which no timeout bounds and
    # which may be the resolver that is down: the check could hang far beyond `timeout`
    r = net.dns_query("localhost", "sipp.pn.court", 1)
    assert r["ok"] is False
    assert r["error"] == "resolver localhost: bukan alamat IPv4 atau IPv6"
    rc, out = run_module("net_reachability", tmp_path,
                         {"dns_servers": ["10.0.0.1", "dns.pn.court"],
                          "internal_names": ["sipp.pn.court"]})
    assert rc == 1 and out["failed"]
    assert out["msg"] == "dns_servers: must be an IPv4 or IPv6 address, not 'dns.pn.court'"
    assert out["setting"] == "dns_servers"  # the network role names network_dns_servers


@pytest.mark.parametrize("option", ["lan", "gateway", "dns_servers", "internal_names",
                                    "external_names", "upstream", "central"])
@pytest.mark.parametrize("entry", ["", " "])
def test_an_empty_entry_in_a_list_is_refused_before_anything_is_probed(
        tmp_path, option, entry):
    # -e network_reach_gateway= gives the list [""]: "" was pinged and the gateway blamed,
    # "Gangguan di segmen gateway: None @ None: ping: : Name or service not known"
    good = "http://127.0.0.1/" if option == "central" else "127.0.0.1"
    rc, out = run_module("net_reachability", tmp_path, {option: [good, entry]})
    assert rc == 1 and out["failed"] and "checks" not in out
    assert out["msg"] == f"{option}: an empty entry in the list (an empty list, [], skips it)"
    assert out["setting"] == option


HOST = ("must be a host name (letters, digits, '-' and '_', labels separated by '.', none "
        "starting with '-') or an IP address")
NAME = ("must be a DNS name (letters, digits, '-' and '_', labels separated by '.', none "
        "starting with '-')")


@pytest.mark.parametrize(("option", "entry", "said"), [
    # given to ping as its options: -f floods the LAN (as root), --help pinged nothing and
    # the segment was blamed
    ("lan", "-f", f"{HOST}, not '-f'"),
    ("gateway", "--help", f"{HOST}, not '--help'"),
    ("upstream", "203.0.113.1 -s 65000", f"{HOST}, not '203.0.113.1 -s 65000'"),
    ("upstream", "isp.example;reboot", f"{HOST}, not 'isp.example;reboot'"),
    ("internal_names", "-sipp.pn.court", f"{NAME}, not '-sipp.pn.court'"),
    ("external_names", "mahkamahagung..go.id", f"{NAME}, not 'mahkamahagung..go.id'"),
    # a URL without its scheme was fetched and failed as the central service's fault
    ("central", "sipp.mahkamahagung.go.id",
     "'sipp.mahkamahagung.go.id' is not an http(s) URL with a host"),
])
def test_a_target_that_is_no_host_name_or_address_is_refused_before_anything_is_probed(
        tmp_path, option, entry, said):
    rc, out = run_module("net_reachability", tmp_path,
                         {"dns_servers": ["127.0.0.1"], option: [entry]})
    assert rc == 1 and out["failed"] and "checks" not in out
    assert (out["msg"], out["setting"]) == (f"{option}: {said}", option)


def test_targets_that_are_host_names_or_addresses_pass(tmp_path, monkeypatch):
    """Each address is given to ping after '--', never where ping reads its options."""
    fake_ping(tmp_path, monkeypatch, PING_WITH_DUPLICATES)
    (tmp_path / "ping").write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$(dirname "$0")/args.txt"\n'
                                   'cat "$(dirname "$0")/out.txt"\n')
    rc, out = run_module("net_reachability", tmp_path, {
        "lan": ["10.0.0.12", "sipp-db.pn_contoh.local."], "gateway": ["fe80::1%eth0"],
        "upstream": ["2001:db8::1"], "probes": 4})
    assert rc == 0, out
    args = sorted((tmp_path / "args.txt").read_text().splitlines())
    assert args == [f"-n -c 4 -i 0.2 -W 2 -- {address}" for address in
                    ["10.0.0.12", "2001:db8::1", "fe80::1%eth0", "sipp-db.pn_contoh.local."]]


def test_a_resolver_at_an_ipv6_address_is_asked():
    # the query went out on an IPv4 socket: a resolver at an IPv6 address (the
    # gateway's, a provider's) failed with "Address family for hostname not supported"
    try:
        srv = dns_server(lambda q: reply(q, addresses=["10.0.0.5"]), host="::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc.strerror}")
    r = net.dns_query("::1", "sipp.pn.court", 1, port=srv.getsockname()[1])
    srv.close()
    assert r["ok"] and r["addresses"] == ["10.0.0.5"] and r["error"] is None


def test_a_resolver_host_without_a_dns_service_is_named_so_at_once():
    # the host answers with ICMP port unreachable (dnsmasq stopped on the gateway): that
    # is no "did not answer within the timeout", and needs no waiting for it
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    start = time.monotonic()
    r = net.dns_query("127.0.0.1", "sipp.pn.court", 2, port=port)
    assert time.monotonic() - start < 1
    assert r["ok"] is False
    assert r["error"] == f"resolver 127.0.0.1: tidak ada layanan DNS di port {port}/udp (ditolak)"


def test_answers_to_other_queries_do_not_extend_the_timeout():
    # every datagram that is not this query's answer restarted the wait: a resolver (or
    # a LAN host spoofing it) sending such answers held the check past its timeout
    def others(query):
        wrong = bytes([query[0] ^ 0xFF]) + query[1:]
        return [reply(wrong, addresses=["10.0.0.66"])] * 10

    srv = dns_server(others)
    start = time.monotonic()
    r = net.dns_query("127.0.0.1", "sipp.pn.court", 0.5, port=srv.getsockname()[1])
    srv.close()
    assert time.monotonic() - start < 1
    assert r["error"] == "resolver 127.0.0.1 tidak menjawab dalam 0,5 dtk"


def test_a_timeout_or_interval_that_is_no_time_is_refused_in_one_line(tmp_path):
    # timeout 0 made every resolver "tidak menjawab dalam 0 dtk" and the SOP reported a
    # DNS fault; a negative interval failed every ping: the network blamed for a setting
    interval = "interval: must be 0 (no pause between echo requests) or a positive number"
    for option, value, message in (
        ("timeout", 0, "timeout: must be a positive number of seconds, not 0"),
        ("timeout", -1, "timeout: must be a positive number of seconds, not -1"),
        ("interval", -0.5, f"{interval} of seconds, not -0.5"),
        # inf and nan were a traceback from the DNS query's socket.settimeout
        ("timeout", "inf", "timeout: must be a positive number of seconds, not inf"),
        ("timeout", "nan", "timeout: must be a positive number of seconds, not nan"),
        ("interval", "inf", f"{interval} of seconds, not inf"),
    ):
        rc, out = run_module("net_reachability", tmp_path, {
            "dns_servers": ["127.0.0.1"], "internal_names": ["sipp.pn.local"],
            "lan": ["127.0.0.1"], option: value})
        assert (rc, out["msg"], out.get("setting")) == (1, message, option), out


@pytest.mark.parametrize(("option", "value", "said"), [
    # 1e9 echo requests ran ping for ever; 0 was refused without the setting's name
    ("probes", 0, "must be a positive number of echo requests, not 0"),
    ("probes", 101, "must be at most 100 echo requests, not 101"),
    # a level of 0 or less warned of every target, 1e12 of none however slow
    ("latency_warn_ms", 0, "must be a positive number of milliseconds, not 0"),
    ("latency_warn_ms", -150, "must be a positive number of milliseconds, not -150"),
    ("latency_warn_ms", 1e12, "must be at most 60000 milliseconds (one minute), not 1e+12"),
    ("latency_warn_ms", "nan", "must be a positive number of milliseconds, not nan"),
    # a loss level of 0 or less warned of every target that answered, one over 100 of none
    ("loss_warn_percent", 0, "must be a positive number of percent, not 0"),
    ("loss_warn_percent", -5, "must be a positive number of percent, not -5"),
    ("loss_warn_percent", 100.5, "must be at most 100 percent, not 100.5"),
    ("loss_warn_percent", "inf", "must be a positive number of percent, not inf"),
])
def test_probes_or_a_warning_level_out_of_range_is_refused_in_one_line(
        tmp_path, option, value, said):
    rc, out = run_module("net_reachability", tmp_path, {"lan": ["127.0.0.1"], option: value})
    assert (rc, out["msg"], out.get("setting")) == (1, f"{option}: {said}", option), out
    assert "checks" not in out


@pytest.mark.parametrize(("probes", "latency_warn_ms", "loss_warn_percent"),
                         [(100, 60000, 100), (1, 0.5, 0.5)])
def test_probes_and_warning_levels_in_range_pass(tmp_path, probes, latency_warn_ms,
                                                 loss_warn_percent):
    rc, out = run_module("net_reachability", tmp_path, {
        "probes": probes, "latency_warn_ms": latency_warn_ms,
        "loss_warn_percent": loss_warn_percent})
    assert rc == 0 and out["fault"] is None, out


def test_nothing_to_check_is_not_reported_as_a_good_network(tmp_path):
    # every list empty (the role's defaults) was summed up "Jaringan baik:  terjangkau"
    rc, out = run_module("net_reachability", tmp_path, {})
    assert rc == 0 and out["fault"] is None
    assert out["summary"] == ("Tidak ada yang diperiksa: daftar target (LAN, gateway, DNS, "
                              "upstream, layanan pusat) semuanya kosong")


@pytest.mark.parametrize(("stored", "why"), [
    *((data, "bukan JSON (rusak atau terpotong)") for data in (b'{"log_cursor": "*3"',
                                                               b"\xff\xfe", b"")),
    (None, "tidak dapat dibaca (Is a directory)"),
])
def test_a_state_that_is_no_json_is_a_warning_naming_it(tmp_path, stored, why):
    """A state.json that is no JSON (cut short by a full disk, damaged) was silently read
    as no state: every log warning of the router came back, and nobody knew why. It is
    a warning naming the file, once a run: not again by the call writing the new state."""
    root = tmp_path / "jaringan"
    store_mod.store(root, item("rb-a", "set name=a\n", {"log_cursor": "*1"}), {}, 5, False)
    store_mod.store(root, item("rb-b", "set name=b\n", {"log_cursor": "*2"}), {}, 5, False)
    state = root / "rb-a" / "state.json"
    if stored is None:  # no file to read
        state.unlink()
        state.mkdir()
    else:
        state.write_bytes(stored)
    warning = (f"rb-a: status tersimpan {state} di penyimpanan konfigurasi {why}; "
               "diabaikan, semua peringatan log perangkat ini dibaca ulang")
    rc, result = run_module("net_config_store", tmp_path, {"path": str(root)})
    assert rc == 0 and result["states"] == {"rb-a": {}, "rb-b": {"log_cursor": "*2"}}
    assert warning_lines(result) == [warning]
    stored_again = [item("rb-a", "set name=a\n", {"log_cursor": "*4"})]
    rc, result = run_module("net_config_store", tmp_path, {
        "path": str(root), "items": stored_again, "_ansible_check_mode": True})
    assert rc == 0 and warning_lines(result) == [warning]
    if stored is None:
        return  # (a folder in its place: the new state cannot be written there)
    rc, result = run_module("net_config_store", tmp_path, {"path": str(root),
                                                           "items": stored_again})
    assert rc == 0 and warning_lines(result) == [] and result["changed"], result
    assert json.loads((root / "rb-a" / "state.json").read_text()) == {"log_cursor": "*4"}


def test_a_device_of_another_kind_than_its_directory_records_is_refused(tmp_path):
    # a gateway and a RouterBoard of one name stored their configurations over each
    # other's in one directory, each run's diff one device's against the other's
    root = tmp_path / "jaringan"
    routerboard = {"path": str(root), "items": [
        {"name": "gw-a", "content": "/system identity\nset name=gw-a\n", "kind": "routeros"}]}
    rc, out = run_module("net_config_store", tmp_path, routerboard)
    assert rc == 0 and out["changed_names"] == ["gw-a"]
    record = root / "gw-a" / "kind"
    assert record.read_text() == "routeros\n" and stat.S_IMODE(record.stat().st_mode) == 0o600
    gateway = {"path": str(root), "items": [
        {"name": "gw-b", "content": "table inet b {}\n", "kind": "linux"},
        {"name": "gw-a", "content": "table inet filter {}\n", "kind": "linux"}]}
    for check in (True, False):
        rc, out = run_module("net_config_store", tmp_path,
                             {**gateway, "_ansible_check_mode": check})
        assert rc == 1 and out["msg"] == (
            f"device gw-a is a routeros device in the configuration store {root}, not linux: "
            "a gateway and a RouterBoard of one name would mix their configuration history "
            "there; rename one of them")
    assert (root / "gw-a" / "config.txt").read_text() == "/system identity\nset name=gw-a\n"
    assert not (root / "gw-a" / "history").exists() and not (root / "gw-b").exists()
    rc, out = run_module("net_config_store", tmp_path, routerboard)
    assert rc == 0 and not out["changed"]


def test_a_directory_without_a_kind_is_adopted_by_the_first_kind_stored(tmp_path):
    root = tmp_path / "jaringan"
    old = {"path": str(root), "items": [{"name": "gw-a", "content": "table inet a {}\n"}]}
    rc, out = run_module("net_config_store", tmp_path, old)
    assert rc == 0 and not (root / "gw-a" / "kind").exists()
    rc, out = run_module("net_config_store", tmp_path, {**old, "_ansible_check_mode": True,
                         "items": [{**old["items"][0], "kind": "linux"}]})
    assert rc == 0 and not (root / "gw-a" / "kind").exists()
    # the same configuration: nothing changed but the record, written once
    rc, out = run_module("net_config_store", tmp_path, {
        **old, "items": [{**old["items"][0], "kind": "linux"}]})
    assert rc == 0 and not out["changed"]
    assert (root / "gw-a" / "kind").read_text() == "linux\n"
    rc, out = run_module("net_config_store", tmp_path, {
        **old, "items": [{**old["items"][0], "kind": "routeros"}]})
    assert rc == 1 and out["msg"].startswith("device gw-a is a linux device")
    # an item without a kind is neither checked nor recorded; nor is a device not read
    rc, out = run_module("net_config_store", tmp_path, {**old, "items": [
        {"name": "gw-a", "content": "table inet b {}\n"},
        {"name": "rb-b", "content": None, "kind": "routeros"}]})
    assert rc == 0 and out["changed_names"] == ["gw-a"] and not (root / "rb-b").exists()
