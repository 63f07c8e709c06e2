"""library/routeros_check.py against a misbehaving or compromised router: a small server
that speaks the RouterOS API's wire protocol (librouteros's own encoder) for the login,
then answers with what a real RouterOS never sends. The module must give that router one
clear error line, never crash (losing every other router's result) or hang."""

from __future__ import annotations

import datetime
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import pytest
import routeros_lab
from conftest import within
from librouteros.protocol import encode_length, encode_sentence
from loader import load, run_module

mod = load("routeros_check")

PARAMS = {**routeros_lab.PARAMS, "timeout": 1}
# The deadline tests: twice the timeout (what one attempt took before) stays far from
# one timeout and its slack on a loaded machine.
SLOW = {**PARAMS, "timeout": 2}


def reply(*words: str) -> bytes:
    return encode_sentence(*words, encoding="utf-8")


def read_sentence(conn: socket.socket) -> list[str]:
    """One sentence the client wrote (lengths below 0x4000 are enough here)."""
    words = []
    while True:
        first = conn.recv(1)
        if not first:
            raise ConnectionError
        n = first[0]
        if n == 0:
            return words
        if n >= 0x80:
            n = ((n & 0x3F) << 8) | conn.recv(1)[0]
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        words.append(data.decode())


Answer = Callable[[socket.socket, list[str]], None]


@contextmanager
def crafted(answer: Answer, login: Answer | None = None,
            host: str = "127.0.0.1") -> Iterator[int]:
    """A router on a free port of ``host``: logs in anybody (or answers ``/login`` with
    ``login``), then ``answer(conn, sentence)``."""
    srv = socket.create_server((host, 0), family=socket.AF_INET6 if ":" in host
                               else socket.AF_INET)
    stop = threading.Event()

    def client(conn: socket.socket) -> None:
        with conn:
            try:
                while not stop.is_set():
                    sentence = read_sentence(conn)
                    if sentence[0] == "/login" and login:
                        login(conn, sentence)
                    elif sentence[0] == "/login":
                        conn.sendall(reply("!done"))
                    else:
                        answer(conn, sentence)
            except OSError:
                pass

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=client, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        srv.close()


def spec(port: int) -> dict[str, object]:
    return {"name": "rb-x", "host": "127.0.0.1", "port": port, "tls": False, "ca_path": None,
            "validate_certs": True, "username": "sop", "password": "pw"}


def one_line(error: str | None) -> str:
    assert error and "\n" not in error
    return error


def test_a_word_without_equals_sign_is_a_clear_error():
    def answer(conn, sentence):
        conn.sendall(reply("!re", "garbage") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert "balasan rusak" in one_line(r["error"]) and r["ok"] is False


def test_a_trap_without_message_is_a_clear_error():
    def answer(conn, sentence):
        conn.sendall(reply("!trap", "=foo=bar") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert "balasan rusak" in one_line(r["error"])


def test_no_resource_row_is_a_clear_error():
    def answer(conn, sentence):
        conn.sendall(reply("!done"))  # every print answers no row

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) and r["ok"] is False


def test_a_crafted_router_does_not_crash_the_module_for_the_others(tmp_path):
    def answer(conn, sentence):
        conn.sendall(reply("!re", "garbage") + reply("!done"))

    with crafted(answer) as port:
        rc, out = run_module("routeros_check", tmp_path, {
            "routers": [spec(port)], "timeout": 2})
    assert rc == 0, out
    assert "balasan rusak" in out["routers"][0]["error"]


def test_an_uptime_older_than_the_calendar_is_that_routers_error(tmp_path):
    # its boot time (now minus the uptime) fell before the year 1: an OverflowError out
    # of the worker, a traceback that lost every other router's result
    def answer(conn, sentence):
        rows = {"/system/resource/print": reply("!re", "=version=7.15.3 (stable)",
                                                "=uptime=99999999w")}
        conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    closed = routeros_lab.free_ports(1)[0]
    with crafted(answer) as port:
        rc, out = run_module("routeros_check", tmp_path, {
            "routers": [spec(port), {**spec(closed), "name": "rb-y"}], "timeout": 2})
    assert rc == 0, out
    assert one_line(out["routers"][0]["error"]) == (
        f"RouterOS di 127.0.0.1:{port} menjawab dengan data yang tidak dikirim RouterOS "
        "(OverflowError)")
    assert "koneksi ditolak" in out["routers"][1]["error"]


def test_a_router_that_never_stops_sending_is_given_up():
    def answer(conn, sentence):
        row = reply("!re", "=name=" + "x" * 1000)
        while True:
            conn.sendall(row * 64)

    with crafted(answer) as port, within(30, "reading an endless reply"):
        r = mod.read_router(spec(port), PARAMS)
    assert "MiB" in one_line(r["error"])


def test_a_router_that_trickles_is_given_up():
    def answer(conn, sentence):
        word = "=name=" + "x" * 100
        conn.sendall(encode_length(3) + b"!re" + encode_length(len(word)))
        for ch in word.encode():  # one byte every 0.2 s: each read gets something in time
            conn.sendall(bytes([ch]))
            threading.Event().wait(0.2)

    params = dict(PARAMS, timeout=0.3)
    with crafted(answer) as port, within(30, "reading a trickling reply"):
        r = mod.read_router(spec(port), params)
    assert "tidak selesai menjawab dalam" in one_line(r["error"])



def test_a_flood_of_short_rows_is_given_up_before_it_fills_memory():
    # 4 MiB of one-word rows (10 bytes each on the wire) were read whole, within the
    # session's 32 MiB: each row became a dict of Python objects, some 90 MB for these
    # 4 MiB and 680 MB (ru_maxrss) for 32 MiB of them, from one router. Each read now
    # counts at least 32 bytes, nearer what its word costs: 32 MiB of such rows peak at
    # 77 MB.
    def answer(conn, sentence):
        if sentence[0] == "/system/identity/print":
            rows = reply("!re", "=a=b") * 10_000  # 100 KB
            for _ in range(40):
                conn.sendall(rows)
            conn.sendall(reply("!done"))
        else:
            conn.sendall(reply("!done"))

    with crafted(answer) as port, within(60, "reading a flood of rows"):
        r = mod.read_router(spec(port), dict(PARAMS, timeout=10))
    assert "mengirim lebih dari 32 MiB dalam satu sesi" in one_line(r["error"])


def test_a_real_routers_largest_session_is_read_whole():
    # What a read costs must not turn a real router away: a log at RouterOS's largest
    # (memory-lines 65535) and a 3 MB export
    log = b"".join(reply("!re", f"=.id=*{i:X}", "=time=2024-05-01 10:00:00",
                         "=topics=system,error,critical",
                         f"=message=login failure for user admin from 10.0.0.{i % 250} via winbox")
                   for i in range(65535))
    resource = reply("!re", "=version=7.15.3 (stable)", "=cpu-load=3", "=uptime=1d")
    export = "/ip address\nadd address=10.0.0.1/24 interface=ether1\n" * 60000

    def answer(conn, sentence):
        rows = {"/log/print": log, "/system/resource/print": resource,
                "/execute": reply("!re", "=ret=" + export)}.get(sentence[0], b"")
        conn.sendall(rows + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), dict(PARAMS, timeout=10))
    assert r["error"] is None
    assert len(r["log_warnings"]) == 65535 and r["export"] == export

def raw_reply(*words: bytes) -> bytes:
    return b"".join(encode_length(len(word)) + word for word in words) + b"\x00"


def test_bytes_that_are_not_utf8_are_kept_not_dropped():
    # librouteros reads each word with errors="ignore": a log line or comment typed in
    # Winbox in the Windows code page ("\xe9quipe", Latin-1 e-acute) lost its bytes in
    # the record ("quipe"). Valid UTF-8 is read as UTF-8; other bytes one for one.
    sop_routeros = load("sop_routeros")

    def answer(conn, sentence):
        conn.sendall(raw_reply(b"!re", b"=.id=*1", b"=message=login failure for \xe9quipe",
                               "=comment=ruang sidang \u00e9".encode())
                     + reply("!done"))

    with crafted(answer) as port:
        api = sop_routeros.connect("127.0.0.1", port, "sop", "p\u00e4ss", tls=False, timeout=2)
        rows = sop_routeros.run(api, "/log/print", detail="\u00e9")
    assert rows == [{".id": "*1", "message": "login failure for \u00e9quipe",
                     "comment": "ruang sidang \u00e9"}]


def test_an_export_with_one_comment_not_in_utf8_keeps_its_utf8_comments():
    # The export is one word: a comment typed in Winbox in the Windows code page (an
    # en dash, 0x96) made the whole word read byte for byte, every UTF-8 comment of it
    # mojibake ("ruang sidang \u00c3\u00a9"), and all of them a change again once that
    # comment was gone
    export = ("/interface ethernet\nset [ find default-name=ether1 ] comment=\"ruang sidang "
              "\u00e9\"\nset [ find default-name=ether2 ] comment=\"lantai 1 ").encode()
    resource = reply("!re", "=version=7.15.3 (stable)", "=uptime=1d")

    def answer(conn, sentence):
        rows = {"/system/resource/print": resource,
                "/execute": raw_reply(b"!re", b"=ret=" + export + b"\x96 2\"\n")}
        conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert r["export"] == export.decode() + "\u0096 2\"\n"


def test_a_ca_file_that_cannot_be_read_is_that_routers_error(tmp_path):
    # ca_path is read before the login: a path mistyped in the inventory, or a file that
    # is no PEM certificate, raised out of the module (a traceback, every router's
    # result lost) instead of being that router's one error line
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    missing = tmp_path / "missing.pem"
    with crafted(lambda conn, sentence: conn.sendall(reply("!done"))) as port:
        rc, out = run_module("routeros_check", tmp_path, {"routers": [
            {**spec(port), "name": "rb-a", "tls": True, "ca_path": str(missing)},
            {**spec(port), "name": "rb-b", "tls": True, "ca_path": str(not_pem)},
        ], "timeout": 2})
    assert rc == 0, out
    errors = [one_line(r["error"]) for r in out["routers"]]
    assert errors == [
        f"berkas CA {missing} untuk RouterOS API di 127.0.0.1:{port} tidak dapat dibaca: "
        "No such file or directory",
        f"berkas CA {not_pem} untuk RouterOS API di 127.0.0.1:{port} tidak memuat "
        "sertifikat yang dapat dipakai",
    ]


def test_a_timeout_that_is_no_time_is_refused_in_one_line(tmp_path):
    # timeout 0 (meant as "no limit") made every socket non-blocking: each router was
    # reported unreachable ("Operation now in progress"), a negative one a router
    # answering "a malformed reply": the network blamed for the inventory's value
    for timeout in (0, -1):
        rc, out = run_module("routeros_check", tmp_path, {
            "routers": [spec(1)], "timeout": timeout})
        assert (rc, out["msg"], out.get("setting")) == (
            1, f"timeout: must be a positive number of seconds, not {timeout:g}", "timeout")


@pytest.mark.parametrize("timeout", [float("nan"), float("inf")])
def test_a_timeout_that_is_no_number_is_refused_in_one_line(tmp_path, timeout):
    # nan and inf passed "more than 0": each router's thread crashed the module with a
    # traceback (ValueError, OverflowError from settimeout)
    rc, out = run_module("routeros_check", tmp_path, {"routers": [spec(1)], "timeout": timeout})
    assert (rc, out["msg"], out.get("setting")) == (
        1, f"timeout: must be a positive number of seconds, not {timeout:g}", "timeout")


def test_a_timeout_over_one_day_is_refused_in_one_line(tmp_path):
    # 1e10 passed the check: each router's settimeout raised OverflowError, a traceback
    # in place of every router's result
    rc, out = run_module("routeros_check", tmp_path, {"routers": [spec(1)], "timeout": 1e10})
    assert (rc, out["msg"], out.get("setting")) == (
        1, "timeout: must be at most 86400 seconds (one day), not 1e+10", "timeout")


@pytest.mark.parametrize(("option", "value", "said"), [
    # 0 warned of every router ("beban CPU 4%"), 150 of none, without a word
    ("cpu_warn_percent", 0, "must be a positive number of percent, not 0"),
    ("memory_warn_percent", 150, "must be at most 100 percent, not 150"),
    ("temperature_warn", -5.0, "must be a positive number of degrees Celsius, not -5"),
    ("temperature_warn", 1e6, "must be at most 125 degrees Celsius, not 1e+06"),
    # 0 and -4 were read as 1 router at a time without a word; each session may hold
    # 32 MiB of a router's answers, 10000 at once exhausted the controller's memory
    ("workers", 0, "must be a positive number of routers read at the same time, not 0"),
    ("workers", -4, "must be a positive number of routers read at the same time, not -4"),
    ("workers", 65, "must be at most 64 routers read at the same time, not 65"),
])
def test_a_warning_level_out_of_range_is_refused_in_one_line(tmp_path, option, value, said):
    rc, out = run_module("routeros_check", tmp_path, {"routers": [spec(1)], option: value})
    assert (rc, out["msg"], out.get("setting")) == (1, f"{option}: {said}", option)


@pytest.mark.parametrize("port", [70000, -1, 0])
def test_a_port_out_of_range_is_refused_in_one_line(tmp_path, port):
    # 70000 was reported as "port 127.0.0.1:70000 is closed" after connecting to port
    # 4464 (the resolver keeps its low 16 bits), -1 as a host that cannot be resolved,
    # 0 was read as no port given (the default port)
    rc, out = run_module("routeros_check", tmp_path, {"routers": [{**spec(1), "port": port}]})
    assert rc == 1 and out["msg"] == f"routers[rb-x].port: must be 1-65535, not {port}"


@pytest.mark.parametrize("host", ["-f", "rb kantor", "10.0.0.1;reboot", ""])
def test_a_host_that_is_no_host_name_or_address_is_refused_in_one_line(tmp_path, host):
    # read as that router's fault ("cannot resolve"), after the others were read
    rc, out = run_module("routeros_check", tmp_path, {"routers": [{**spec(1), "host": host}]})
    assert rc == 1 and out["msg"] == (
        "routers[rb-x].host: must be a host name (letters, digits, '-' and '_', labels "
        f"separated by '.', none starting with '-') or an IP address, not {host!r}")


def legacy_router(password: str, challenge: bytes = bytes(range(0x10, 0x20))
                  ) -> tuple[Answer, Answer]:
    """A RouterOS older than 6.43: it ignores a /login's name and password and answers
    with a challenge, logs in only the MD5 response to it, and ends the session of a
    command sent before."""
    state = {"in": False}

    def login(conn, sentence):
        response = next((w.split("=", 2)[2] for w in sentence if w.startswith("=response=")),
                        None)
        if response is None:
            conn.sendall(reply("!done", "=ret=" + challenge.hex()))
            return
        expected = "00" + hashlib.md5(b"\x00" + password.encode() + challenge).hexdigest()
        state["in"] = response == expected
        conn.sendall(reply("!done") if state["in"]
                     else reply("!trap", "=message=cannot log in") + reply("!done"))

    def answer(conn, sentence):
        if not state["in"]:
            conn.sendall(reply("!fatal", "not logged in"))
        elif sentence[0] == "/system/identity/print":
            conn.sendall(reply("!re", "=name=rb-lama") + reply("!done"))
        else:
            conn.sendall(reply("!done"))

    return answer, login


@pytest.mark.parametrize("challenge", [
    bytes(range(0x10, 0x20)),
    bytes.fromhex("01234567890123456789012345678901"),  # librouteros's parse_word: a number
], ids=["hex", "decimal-digits"])
def test_a_routeros_older_than_6_43_is_logged_in_with_its_challenge(challenge):
    # RouterOS before 6.43 ignores the password of a /login and answers with a
    # challenge: the login "succeeded" and every command then failed with "not logged
    # in", as if the API user lacked rights. MikroTik's advice for clients of both: log
    # in with the password, and answer the challenge when one comes.
    sop_routeros = load("sop_routeros")
    with crafted(*legacy_router("p\u00e4ss", challenge)) as port:
        api = sop_routeros.connect("127.0.0.1", port, "sop", "p\u00e4ss", tls=False, timeout=2)
        try:
            assert sop_routeros.run(api, "/system/identity/print") == [{"name": "rb-lama"}]
        finally:
            api.close()
    with crafted(*legacy_router("right")) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert r["error"] == (f"RouterOS di 127.0.0.1:{port} menolak login pengguna 'sop': "
                          "nama pengguna atau kata sandi salah")


def test_a_health_menu_that_answers_late_is_the_routers_error_not_its_other_answers():
    # Only a refused /system/health (a board without sensors) means "no sensors": a
    # health reply later than the timeout was taken for that too, and the session went
    # on one reply behind, each command reading the one before's answer (the sensors as
    # interfaces, the interfaces as log lines, the log as the export)
    def answer(conn, sentence):
        rows = {
            "/system/resource/print": reply("!re", "=version=7.15.3 (stable)", "=uptime=1d"),
            "/system/health/print": reply("!re", "=name=cpu-temperature", "=value=48"),
            "/interface/print": reply("!re", "=name=ether1", "=type=ether", "=running=false"),
            "/execute": reply("!re", "=ret=/system identity\nset name=rb-x\n"),
        }.get(sentence[0], b"")
        if sentence[0] == "/system/health/print":
            threading.Event().wait(1.5)
        conn.sendall(rows + reply("!done"))

    with crafted(answer) as port, within(30, "reading a late health reply"):
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]).startswith("/system/health/print: ")
    assert r["ok"] is False and "interfaces" not in r and r["export"] is None


def test_an_execute_reply_without_an_export_is_no_configuration():
    # /execute's reply without its =ret= was an empty export, stored over the
    # configuration (a diff deleting every line), or, without any row, no export and
    # no word of it: the router was reported in order and nothing kept
    for ending in (reply("!done"), reply("!done", "=ret=")):
        def answer(conn, sentence, ending=ending):
            rows = {"/system/resource/print": reply("!re", "=version=7.15.3", "=uptime=1d")}
            conn.sendall(ending if sentence[0] == "/execute"
                         else rows.get(sentence[0], b"") + reply("!done"))

        with crafted(answer) as port:
            r = mod.read_router(spec(port), PARAMS)
        assert r["error"] is None and r["export"] is None
        assert r["export_error"] == "/execute: balasan tidak memuat ekspor"
        assert "rb-x: ekspor konfigurasi tidak tersedia (/execute: balasan tidak memuat ekspor)" \
            in r["warnings"]


def test_values_are_kept_as_the_text_the_router_sent():
    # librouteros reads a value of digits as a number and yes/no/true/false as a bool:
    # the serial number 007 was reported (and kept in the report) as 7, an identity
    # "yes" as True. Values are the router's text; its flags are still read as flags.
    def answer(conn, sentence):
        rows = {
            "/system/identity/print": reply("!re", "=name=007"),
            "/system/resource/print": reply("!re", "=version=7.15.3 (stable)", "=uptime=1d",
                                            "=board-name=0451"),
            "/system/routerboard/print": reply("!re", "=routerboard=true", "=model=0451",
                                               "=serial-number=007",
                                               "=current-firmware=7.12.1"),
            "/system/package/print": reply("!re", "=name=routeros", "=version=7.15.3",
                                           "=disabled=false")
            + reply("!re", "=name=wifi", "=version=7.99", "=disabled=true"),
            "/interface/print": reply("!re", "=name=0001", "=type=ether", "=running=false",
                                      "=disabled=true", "=rx-error=3"),
        }.get(sentence[0], b"")
        conn.sendall(rows + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), {**PARAMS, "export": False})
    assert r["error"] is None
    assert (r["identity"], r["serial"], r["model"]) == ("007", "007", "0451")
    assert r["firmware_outdated"] is True  # 7.12.1 below 7.15.3, not the disabled 7.99
    assert r["interfaces"] == [{"name": "0001", "type": "ether", "running": False,
                                "disabled": True, "rx_error": 3, "tx_error": 0, "rx_drop": 0,
                                "tx_drop": 0, "link_downs": 0, "rate": None}]
    with crafted(lambda conn, sentence: conn.sendall(
            reply("!re", "=name=yes") + reply("!done"))) as port:
        api = load("sop_routeros").connect("127.0.0.1", port, "sop", "pw", tls=False, timeout=2)
        try:
            assert load("sop_routeros").run(api, "/system/identity/print") == [{"name": "yes"}]
        finally:
            api.close()


@pytest.mark.parametrize(("api_ssl_s_port", "hint"), [
    # TLS to the API's plain port (8728) reaches a service that waits for API words and
    # never answers the handshake: reported as a router that does not answer
    (False, "TLS ke port API biasa? api-ssl adalah 8729"),
    # on api-ssl's own port a silent handshake is a hung router, not a port mix-up
    (True, "router macet atau kelebihan beban?"),
])
def test_tls_to_a_port_that_does_not_answer_it_is_named_so(monkeypatch, api_ssl_s_port, hint):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()  # connections complete in the backlog; nothing is ever sent
    port = srv.getsockname()[1]
    if api_ssl_s_port:
        monkeypatch.setattr(load("sop_routeros"), "API_SSL_PORT", port)
    try:
        r = mod.read_router({**spec(port), "tls": True, "validate_certs": False}, PARAMS)
    finally:
        srv.close()
    assert one_line(r["error"]) == (
        f"RouterOS API di 127.0.0.1:{port} tidak menjawab jabat tangan TLS dalam 1 detik "
        f"({hint})")


@contextmanager
def raw_service(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """A service on a free port calling ``answer(conn)`` for each connection, closing
    it when ``answer`` returns."""
    srv = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn, suppress(OSError):
                answer(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield srv.getsockname()[1]
    finally:
        srv.close()


TLS_ALERT = b"\x15\x03\x03\x00\x02\x02\x46"  # fatal protocol_version, as OpenSSL sends


@pytest.mark.parametrize(("hold", "failure"), [
    (0, "memutus login: Connection unexpectedly closed"),
    (2, "tidak menjawab dalam 1 detik"),
], ids=["closes", "holds"])
def test_a_plain_login_answered_by_a_tls_alert_names_tls(hold, failure):
    # a TLS service on a port other than 8729 answered the API's words with an alert:
    # reported as a login broken off (or, the session held open, a router not answering)
    # with no word of TLS
    def answer(conn):
        conn.recv(100)
        conn.sendall(TLS_ALERT)
        threading.Event().wait(hold)

    with raw_service(answer) as port, within(30, "a TLS alert"):
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (f"RouterOS API di 127.0.0.1:{port} {failure} (port {port} "
                                    "tampaknya memakai TLS (api-ssl): setel tls: true)")


def test_a_plain_service_closing_the_session_is_not_taken_for_tls():
    # closing right after the first sentence fits TLS, but also a service refusing the
    # address: TLS is named only when the port then takes a TLS handshake
    def answer(conn):
        conn.recv(100)

    with raw_service(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (f"RouterOS API di 127.0.0.1:{port} memutus login: "
                                    "Connection unexpectedly closed")


def test_tls_to_the_plain_api_is_named_so():
    # the plain API answers words sent before a login with !fatal (the lab's service
    # does, test_routeros.test_commands_before_login_are_fatal), a TLS ClientHello read
    # as words too once a zero byte ends its sentence: the handshake failed with
    # OpenSSL's reason alone (WRONG_VERSION_NUMBER)
    def answer(conn):
        conn.recv(1000)
        conn.sendall(reply("!fatal", "not logged in"))

    with raw_service(answer) as port:
        r = mod.read_router({**spec(port), "tls": True, "validate_certs": False}, PARAMS)
    assert one_line(r["error"]).startswith(
        f"jabat tangan TLS dengan RouterOS API di 127.0.0.1:{port} gagal: ")
    assert r["error"].endswith(f" (port {port} menjawab tanpa TLS, seperti API biasa: "
                               "setel tls: false, atau pakai port api-ssl 8729)")


@pytest.mark.parametrize("swallows", [False, True], ids=["resets", "closes"])
def test_tls_to_a_plain_api_that_closes_the_handshake_is_named_so(swallows):
    # the plain API may close on a ClientHello read as words instead of answering it:
    # the handshake failed as "Connection reset by peer" (with no word of the plain API,
    # which a plain /quit then shows: RouterOS answers it with !fatal) or, the port's
    # close read by OpenSSL 3.0 as a TLS close, as "failed: None"
    def answer(conn):
        first = conn.recv(2000 if swallows else 10)  # unread bytes make the close a reset
        if first == reply("/quit"):
            conn.sendall(reply("!fatal", "session terminated on request"))

    with raw_service(answer) as port, within(30, "a plain API closing a handshake"):
        r = mod.read_router({**spec(port), "tls": True, "validate_certs": False}, PARAMS)
    assert one_line(r["error"]) == (
        f"jabat tangan TLS dengan RouterOS API di 127.0.0.1:{port} gagal: port menutup "
        f"koneksi (port {port} menjawab tanpa TLS, seperti API biasa: setel tls: false, "
        "atau pakai port api-ssl 8729)")


def test_a_port_closing_tls_and_plain_alike_is_not_taken_for_the_plain_api():
    # closing a handshake fits the plain API, but also a service refusing the address:
    # the plain API is named only when the port answers its /quit with a reply word
    def answer(conn):
        conn.recv(10)

    with raw_service(answer) as port, within(30, "a port closing everything"):
        r = mod.read_router({**spec(port), "tls": True, "validate_certs": False}, PARAMS)
    assert one_line(r["error"]) == (f"jabat tangan TLS dengan RouterOS API di 127.0.0.1:{port} "
                                    "gagal: port menutup koneksi")


@contextmanager
def unanswered() -> Iterator[tuple[str, int]]:
    """An address whose connections are never accepted (a listener with a full backlog:
    the kernel drops their SYN), as a router's address that is down or filtered."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    queued = []
    try:
        for _ in range(16):
            client = socket.socket()
            client.settimeout(0.2)
            queued.append(client)
            try:
                client.connect(srv.getsockname())
            except TimeoutError:
                break
        else:
            pytest.fail("the listener's backlog never filled")
        yield srv.getsockname()
    finally:
        for client in queued:
            client.close()
        srv.close()


def resolving(monkeypatch: pytest.MonkeyPatch, *addresses: tuple[str, int],
              delay: float = 0) -> None:
    """The name rb.test resolved, after ``delay``, to ``addresses`` in that order."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rb.test":
            return real(host, port, *args, **kwargs)
        threading.Event().wait(delay)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)
                for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_addresses_that_never_answer_leave_time_for_the_next_one(monkeypatch):
    # socket.create_connection gives each address of a name the whole timeout: a name
    # whose first two addresses never answered took twice the timeout to connect
    sop_routeros = load("sop_routeros")
    with unanswered() as dead, crafted(lambda conn, sentence: None) as port:
        resolving(monkeypatch, dead, dead, ("127.0.0.1", port))
        started = time.monotonic()
        sop_routeros.connect("rb.test", port, "sop", "pw", tls=False, timeout=2).close()
    assert time.monotonic() - started < 3.2


def test_connecting_to_every_address_takes_one_timeout(monkeypatch):
    with unanswered() as dead, within(30, "addresses that never answer"):
        resolving(monkeypatch, dead, dead)
        started = time.monotonic()
        r = mod.read_router({**spec(dead[1]), "host": "rb.test"}, SLOW)
    assert time.monotonic() - started < 3.2
    assert one_line(r["error"]) == (f"RouterOS API di rb.test:{dead[1]} tidak menerima "
                                    "koneksi dalam 2 detik")


def test_connecting_and_the_tls_handshake_take_one_timeout(monkeypatch):
    # the handshake was given the whole timeout again after connecting: an address that
    # never answered, then a port silent to the handshake, took twice the timeout
    with unanswered() as dead, socket.create_server(("127.0.0.1", 0)) as silent, \
            within(30, "a connection and a handshake that never end"):
        resolving(monkeypatch, dead, silent.getsockname())
        started = time.monotonic()
        r = mod.read_router({**spec(dead[1]), "host": "rb.test", "tls": True,
                             "validate_certs": False}, SLOW)
    assert time.monotonic() - started < 3.2
    assert one_line(r["error"]) == (
        f"RouterOS API di rb.test:{dead[1]} tidak menjawab jabat tangan TLS dalam 2 detik "
        "(TLS ke port API biasa? api-ssl adalah 8729)")


def test_a_name_resolved_after_the_timeout_is_given_up(monkeypatch):
    # the resolver has no time limit of ours: what it took counts, and a name resolved
    # only after the timeout is not connected to with no time left
    with crafted(lambda conn, sentence: None) as port, within(30, "a slow resolver"):
        resolving(monkeypatch, ("127.0.0.1", port), delay=1.1)
        r = mod.read_router({**spec(port), "host": "rb.test"}, PARAMS)
    assert one_line(r["error"]) == ("alamat host RouterOS rb.test tidak ditemukan: resolver "
                                    "baru menjawab setelah batas waktu")


def test_a_host_name_that_is_no_name_is_that_routers_error():
    # a label longer than 63 characters is refused by the IDNA codec before any lookup:
    # its UnicodeError escaped open_api and crashed the module with a traceback
    host = "a" * 64 + ".example"
    r = mod.read_router({**spec(1), "host": host}, PARAMS)
    assert one_line(r["error"]) == (f"alamat host RouterOS {host} tidak ditemukan: bukan nama host "
                                    "(label empty or too long)")


def has_ipv6_loopback() -> bool:
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback address")
def test_a_router_at_an_ipv6_address_is_read():
    # librouteros binds every connection to the IPv4 source 0.0.0.0, so an IPv6 address
    # failed as "cannot resolve RouterOS host ::1: Address family for hostname not
    # supported"
    sop_routeros = load("sop_routeros")
    with crafted(lambda conn, sentence: conn.sendall(reply("!done")), host="::1") as port:
        api = sop_routeros.connect("::1", port, "sop", "pw", tls=False, timeout=2)
        try:
            assert sop_routeros.run(api, "/system/identity/print") == []
        finally:
            api.close()


@pytest.mark.parametrize("show_sensitive", [False, True])
def test_an_execute_refused_for_a_policy_names_the_policies(show_sensitive):
    # a read-only API group (policy=read,api) may be refused /execute: the export error
    # was RouterOS's bare "not enough permissions (9)", naming no policy to grant
    def answer(conn, sentence):
        if sentence[0] == "/execute":
            conn.sendall(reply("!trap", "=message=not enough permissions (9)") + reply("!done"))
            return
        rows = {"/system/resource/print": reply("!re", "=version=7.15.3", "=uptime=1d")}
        conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), {**PARAMS, "show_sensitive": show_sensitive})
    sensitive = "'sensitive' (show_sensitive), " if show_sensitive else ""
    expected = ("/execute: not enough permissions (9) (grup pengguna API tidak memiliki "
                f"policy yang diperlukan /execute: {sensitive}'test' seperti pada grup read "
                "bawaan RouterOS, atau 'write' atau 'policy', yang juga mengizinkan pengguna "
                "ini mengubah router; sensor dibaca tanpa /execute)")
    assert r["error"] is None and r["export"] is None and r["uptime"] == "1d"
    assert one_line(r["export_error"]) == expected
    assert f"rb-x: ekspor konfigurasi tidak tersedia ({expected})" in r["warnings"]
    # another refusal is the router's own words
    assert mod.export_refused(load("sop_routeros").RouterTrap("/execute", "no such command"),
                              False) == "/execute: no such command"


@pytest.mark.parametrize(("health", "warning"), [
    (reply("!trap", "=message=not enough permissions (9)") + reply("!done"),
     "rb-x: sensor (suhu, tegangan, catu daya, kipas) tidak dapat dibaca "
     "(/system/health/print: not enough permissions (9) (grup pengguna API tidak memiliki "
     "policy 'read', yang menurut manual RouterOS diperlukan setiap perintah yang tidak "
     "mengubah konfigurasi))"),
    (reply("!trap", "=message=no such command prefix") + reply("!done"), None),
    (reply("!done"), None),
], ids=["refused", "no-menu", "empty"])
def test_a_health_menu_refused_for_a_policy_is_not_a_board_without_sensors(health, warning):
    # every !trap to /system/health was read as a board without sensors (CHR, some hAP):
    # a router refusing it to the API user was reported in order, its temperature,
    # power supplies and fans unread without a word
    def answer(conn, sentence):
        rows = {"/system/resource/print": reply("!re", "=version=7.15.3", "=uptime=1d")}
        conn.sendall(health if sentence[0] == "/system/health/print"
                     else rows.get(sentence[0], b"") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), {**PARAMS, "export": False})
    assert r["error"] is None and r["temperature"] is None and r["health_states"] == {}
    sensors = [w for w in r["warnings"] if "sensor" in w]
    assert sensors == ([one_line(warning)] if warning else [])


def test_ports_refused_by_a_trap_each_are_warnings_for_those_ports():
    # one !trap per port that cannot be monitored is librouteros's MultiTrapError, which
    # was no RouterTrap: the router was reported unreadable, none of its health kept
    def answer(conn, sentence):
        if sentence[0] == "/interface/ethernet/monitor":
            ports = next(w for w in sentence if w.startswith("=numbers=")).split("=", 2)[2]
            traps = b"".join(reply("!trap", f"=message={port}: not an ethernet port")
                             for port in ports.split(",") if port != "ether1")
            rate = reply("!re", "=name=ether1", "=rate=1Gbps") if "ether1" in ports else b""
            conn.sendall(rate + traps + reply("!done"))
            return
        rows = {
            "/system/resource/print": reply("!re", "=version=7.15.3", "=uptime=1d"),
            "/interface/print": b"".join(
                reply("!re", f"=name={name}", "=type=ether", "=running=true")
                for name in ("ether1", "ether2", "ether3")),
        }
        conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), {**PARAMS, "export": False})
    assert r["error"] is None
    assert [i["rate"] for i in r["interfaces"]] == ["1Gbps", None, None]
    assert [w for w in r["warnings"] if "dimonitor" in w] == [
        "rb-x: interface ether2 tidak dapat dimonitor (ether2: not an ethernet port)",
        "rb-x: interface ether3 tidak dapat dimonitor (ether3: not an ethernet port)",
    ]


def test_a_message_of_several_lines_from_the_router_is_one_error_line():
    # the message of a !trap (or !fatal) was put into the error as the router sent it,
    # its CR LF breaking the "one line" every problem and warning is
    def answer(conn, sentence):
        if sentence[0] == "/execute":
            conn.sendall(reply("!trap", "=message=failure:\r\nexport aborted\r\n")
                         + reply("!trap", "=message=second\nline") + reply("!done"))
        elif sentence[0] == "/log/print":
            conn.sendall(reply("!fatal", "session ended\r\nby the router"))
        else:
            rows = {"/system/resource/print": reply("!re", "=version=7.15.3", "=uptime=1d")}
            conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    sop_routeros = load("sop_routeros")
    with crafted(answer) as port:
        api = sop_routeros.connect("127.0.0.1", port, "sop", "pw", tls=False, timeout=2)
        try:
            with pytest.raises(sop_routeros.RouterTrap) as trap:
                sop_routeros.run(api, "/execute", script="/export")
            assert one_line(str(trap.value)) == \
                "/execute: failure:, export aborted; second, line"
            with pytest.raises(sop_routeros.RouterError) as fatal:
                sop_routeros.run(api, "/log/print")
            assert one_line(str(fatal.value)) == \
                "/log/print: router menutup sesi (session ended, by the router)"
        finally:
            api.close()


@pytest.mark.parametrize("cut", [
    reply("!re", "=name=rb-x") + encode_length(12) + b"=versi",  # within a word
    reply("!re", "=name=rb-x"),  # between two sentences
], ids=["within a word", "between sentences"])
def test_a_router_closing_the_connection_mid_reply_is_named_so(cut):
    # was librouteros's "Connection unexpectedly closed.", naming neither side
    def answer(conn, sentence):
        conn.sendall(cut)
        conn.shutdown(socket.SHUT_RDWR)

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (
        "/system/identity/print: router menutup koneksi sebelum balasannya selesai")


def test_a_length_byte_routeros_never_sends_is_a_malformed_reply():
    # 0xF8 and up start no length: librouteros's "Unknown controll byte bytearray(b'\xf8')"
    def answer(conn, sentence):
        conn.sendall(reply("!re", "=name=rb-x") + b"\xf8\x00")

    def login(conn, sentence):
        conn.sendall(b"\xff")

    with crafted(answer) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (
        "/system/identity/print: balasan rusak dari router (bukan protokol RouterOS API)")
    with crafted(answer, login) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (
        f"RouterOS API di 127.0.0.1:{port} menjawab login dengan balasan rusak "
        "(bukan protokol RouterOS API)")


@pytest.mark.parametrize("length", [0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000])
def test_words_of_every_length_class_are_read_whole(length):
    # one, two, three and four bytes of length, each at its first and last length
    sop_routeros = load("sop_routeros")
    value = "x" * (length - len("=name="))

    def answer(conn, sentence):
        conn.sendall(reply("!re", "=name=" + value) + reply("!done"))

    with crafted(answer) as port:
        api = sop_routeros.connect("127.0.0.1", port, "sop", "pw", tls=False, timeout=2)
        try:
            assert sop_routeros.run(api, "/system/identity/print") == [{"name": value}]
        finally:
            api.close()


@pytest.mark.parametrize("length", [
    encode_length(0xFFFFFFF),  # the longest of four bytes
    b"\xf0\x10\x00\x00\x00",  # 0xF0 and four bytes: 0x10000000 and longer
    b"\xf0\xff\xff\xff\xff",
], ids=["0xFFFFFFF", "0x10000000", "0xFFFFFFFF"])
def test_a_word_longer_than_a_session_may_send_is_given_up_unread(length):
    # A length of 0x10000000 or more (0xF0, then four bytes) is the API's, but
    # librouteros reads none ("Unknown controll byte"): the router was said to speak no
    # RouterOS API, where one a byte shorter was named for what it is
    def answer(conn, sentence):
        conn.sendall(encode_length(3) + b"!re" + length + b"=name=")

    def login(conn, sentence):
        conn.sendall(length + b"!done")

    with crafted(answer) as port, within(30, "reading an announced word"):
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (
        f"/system/identity/print: RouterOS API di 127.0.0.1:{port} mengirim lebih dari 32 MiB "
        "dalam satu sesi")
    with crafted(answer, login) as port:
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == (
        f"RouterOS API di 127.0.0.1:{port} mengirim lebih dari 32 MiB dalam satu sesi")


def test_a_router_that_stops_answering_after_the_login_is_named_so():
    # was "/system/identity/print: timed out"
    def answer(conn, sentence):
        pass

    with crafted(answer) as port, within(30, "waiting for a silent router"):
        r = mod.read_router(spec(port), PARAMS)
    assert one_line(r["error"]) == "/system/identity/print: tidak ada jawaban dalam 1 detik"


def test_names_the_router_sends_are_escaped_in_its_warning_lines():
    """An interface's name, a sensor's state and a refused port's message went into the
    warnings as the router sent them: a newline in one wrote a line of its own into the
    report (a forged 'rb-x: ... OK'), an ESC reached the terminal showing it."""
    def answer(conn, sentence):
        rows = {
            "/system/resource/print": reply("!re", "=version=7.15.3 (stable)", "=uptime=1d"),
            "/system/health/print": reply("!re", "=name=psu1-state", "=value=fail\x1b[2K"),
            "/interface/print": reply("!re", "=name=ether1\nrb-x: semua baik", "=type=ether",
                                      "=running=true", "=rx-error=2"),
        }.get(sentence[0], b"")
        if sentence[0] == "/interface/ethernet/monitor":
            rows = reply("!trap", "=message=no such\x07item")
        conn.sendall(rows + reply("!done"))

    with crafted(answer) as port:
        r = mod.read_router(spec(port), {**PARAMS, "export": False})
    assert r["error"] is None
    assert r["interfaces"][0]["name"] == "ether1\nrb-x: semua baik"  # kept as sent
    assert r["warnings"] == [
        "rb-x: sensor psu1-state melaporkan fail\\x1b[2K",
        "rb-x: interface ether1\\x0arb-x: semua baik error rx 2 tx 0",
        "rb-x: interface ether1\\x0arb-x: semua baik tidak dapat dimonitor (no such\\x07item)"]


def test_an_export_holding_an_api_password_is_not_stored_altered(tmp_path):
    # Ansible returns a module's result with every no_log value (each router's password)
    # replaced by ******** wherever it appears: a PPP secret equal to an API password, with
    # show_sensitive, reached the configuration store as "password=********", the stored
    # copy no longer the router's
    def router(secret: str) -> Answer:
        export = (f"/ppp secret\nadd name=kantor password={secret} service=pppoe\n"
                  "/ip address\nadd address=10.0.0.1/24 interface=ether1\n")
        rows = {"/system/resource/print": reply("!re", "=version=7.15.3 (stable)",
                                                "=uptime=1d"),
                "/execute": reply("!re", "=ret=" + export)}
        return lambda conn, sentence: conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    with crafted(router("Pengadilan-2024")) as reused, crafted(router("ppp-only")) as own:
        rc, out = run_module("routeros_check", tmp_path, {
            "routers": [{**spec(reused), "password": "Pengadilan-2024"},
                        {**spec(own), "name": "rb-y", "password": "api-only"}],
            "show_sensitive": True, "timeout": 2})
    assert rc == 0, out
    altered, kept = out["routers"]
    assert altered["export"] is None
    assert "tidak ada di konfigurasi router mana pun" in one_line(altered["export_error"])
    assert altered["warnings"] == [f"rb-x: ekspor konfigurasi tidak tersedia "
                                   f"({altered['export_error']})"]
    assert altered["ok"] is True  # read, its stored export kept: a warning, as any export error
    assert [(i["name"], i["content"]) for i in out["store_items"]] == [
        ("rb-x", None), ("rb-y", kept["export"])]
    assert "password=ppp-only" in kept["export"] and "********" not in kept["export"]


@pytest.mark.parametrize(("word", "shown"), [
    ("!bogus", "'!bogus'"),
    ("!oops\r\nrb-x: semua baik", "'!oops\\x0d\\x0arb-x: semua baik'"),
    ("=ret=" + "x" * 5000, "'=ret=" + "x" * 35 + "...'"),
], ids=["word", "control", "long"])
def test_a_reply_word_the_api_has_not_is_named_not_taken_for_silence(word, shown):
    # librouteros skips a sentence whose reply word is none of !done, !re, !trap,
    # !fatal, !empty and waits for a !done: the router was reported as one that "did
    # not answer within 1 s" (at the login) or "no answer within 1 s" (a command),
    # though it had answered. The error says what came back, on one line, cut short.
    def login(conn, sentence):
        conn.sendall(reply(word))

    def answer(conn, sentence):
        conn.sendall(reply(word))

    with crafted(answer, login=login) as at_login, crafted(answer) as at_command, \
            within(30, "an unknown reply word"):
        first = mod.read_router(spec(at_login), PARAMS)
        later = mod.read_router(spec(at_command), PARAMS)
    assert one_line(first["error"]) == (
        f"RouterOS API di 127.0.0.1:{at_login} menjawab login dengan {shown}, bukan kata "
        "balasan RouterOS API")
    assert one_line(later["error"]) == (
        f"/system/identity/print: router menjawab dengan {shown}, bukan kata balasan "
        "RouterOS API")


def test_a_short_password_does_not_alter_the_state_kept_for_the_next_run(tmp_path):
    # Ansible returns a module's result with every no_log value replaced by ********
    # wherever a text holds it: a router's password "1" turned the log cursor *1F into
    # *********F (read back as *F, 15) and the boot time's digits into ********, so the
    # next run reported the router's log warnings again; "0" is in every boot time
    # (+00:00). The state's values are the keys of dicts, which Ansible leaves alone.
    rows = {"/system/resource/print": reply("!re", "=version=7.15.3 (stable)", "=uptime=1d"),
            "/log/print": reply("!re", "=.id=*1F", "=time=10:00:00", "=topics=system,error",
                                "=message=login failure")}

    def answer(conn, sentence):
        conn.sendall(rows.get(sentence[0], b"") + reply("!done"))

    with crafted(answer) as port:
        routers = [{**spec(port), "name": "rb-a", "password": "1"},
                   {**spec(port), "name": "rb-b", "password": "0"}]
        args = {"routers": routers, "export": False, "timeout": 2}
        rc, first = run_module("routeros_check", tmp_path, args)
        states = {item["name"]: item["state"] for item in first["store_items"]}
        rc_again, again = run_module("routeros_check", tmp_path, {**args, "states": states})
    assert (rc, rc_again) == (0, 0), (first, again)
    assert [len(r["log_warnings"]) for r in first["routers"]] == [1, 1]
    assert [r["log_warnings"] for r in again["routers"]] == [[], []]
    assert [r["restarted"] for r in again["routers"]] == [False, False]
    assert [item["state"] for item in again["store_items"]] == list(states.values())
    booted = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    for state in states.values():
        assert mod.unkept(state["log_cursor"]) == "*1F"
        at = datetime.datetime.fromisoformat(str(mod.unkept(state["booted_at"])))
        assert abs(at - booted) < datetime.timedelta(minutes=1)


def test_a_state_stored_before_its_values_were_kept_as_keys_is_read():
    # state.json written before holds the texts themselves
    assert [mod.unkept(v) for v in ("*1F", {"*1F": True}, None, 31, {})] == [
        "*1F", "*1F", None, None, None]
