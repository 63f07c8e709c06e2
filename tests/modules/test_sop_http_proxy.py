"""sop_http.tls_certificate (website_check's and website_renewals' certificate check)
through the HTTPS proxy the pages are read through (https_proxy, no_proxy), against a
CONNECT proxy and an HTTPS site in this test process: a network whose only way out is
the proxy, where the site's port asked is closed to a direct connection."""

from __future__ import annotations

import base64
import contextlib
import datetime
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpd
import pytest
from loader import load

http = load("sop_http")
check = load("website_check")

CREDENTIALS = "Basic " + base64.b64encode(b"court:rahasia").decode("ascii")


class Site(BaseHTTPRequestHandler):
    def do_GET(self):
        code, body = (200, b"<title>Pengadilan</title>Selamat datang") if self.path == "/" else (
            404, b"not found")
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class Proxy(BaseHTTPRequestHandler):
    """A CONNECT proxy: every tunnel it opens leads to the site (``site``), whatever port
    was asked; ``required``: the Proxy-Authorization it asks for (407 without it)."""

    site = 0
    required: ClassVar[str | None] = None
    asked: ClassVar[list[tuple[str, str | None]]] = []

    def do_CONNECT(self):
        Proxy.asked.append((self.path, self.headers.get("Proxy-Authorization")))
        if Proxy.required and self.headers.get("Proxy-Authorization") != Proxy.required:
            self.send_response(407, "Proxy Authentication Required")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with socket.create_connection(("127.0.0.1", Proxy.site)) as upstream:
            self.send_response(200, "Connection established")
            self.end_headers()
            back = threading.Thread(target=_pump, args=(upstream, self.connection), daemon=True)
            back.start()
            _pump(self.connection, upstream)
            back.join(10)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up (a check refusing the certificate) is expected."""


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Iterator[dict]:
    """The site (a localhost certificate of a test CA, valid 20 days), the proxy leading
    to it, and a port closed to a direct connection (bound, not listening)."""
    ca, contexts = httpd.tls_contexts(tmp_path_factory.mktemp("tls"), site=20)
    site = httpd.start(Site, server=QuietServer, context=contexts["site"])
    proxy = httpd.start(Proxy, server=QuietServer)
    Proxy.site = site.server_address[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    yield {"ca": ca, "proxy": proxy.server_address[1], "closed": closed.getsockname()[1]}
    closed.close()
    for server in (site, proxy):
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxied(network, monkeypatch):
    """https_proxy names the test proxy; nothing else is set."""
    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "http_proxy",
                 "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{network['proxy']}")
    Proxy.asked.clear()
    Proxy.required = None
    return network


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def test_the_certificate_is_checked_through_the_proxy_the_pages_go_through(proxied):
    """On a network that reaches the web only through a proxy the pages passed (urllib
    honours https_proxy) while the certificate check, connecting directly, failed:
    'sertifikat TLS ... tidak sah: Connection refused'."""
    url = f"https://localhost:{proxied['closed']}/"
    p = {"urls": [url], "expected_text": "Selamat", "max_response_seconds": 5, "timeout": 5,
         "require_https_redirect": False, "ca_file": proxied["ca"], "newest_content": "",
         "feed_url": "", "sitemap_url": "", "freshness_days": 30}
    result = check.check(p)
    assert result["problems"] == []
    (cert,) = result["certificates"]
    assert cert["valid"] and cert["error"] is None and cert["days_left"] in (19, 20)
    assert (f"localhost:{proxied['closed']}", None) in Proxy.asked


def test_an_untrusted_certificate_s_expiry_is_read_through_the_proxy_too(proxied):
    cert = http.tls_certificate("localhost", proxied["closed"], 5, "", now())
    assert not cert["valid"] and cert["error"] == "unable to get local issuer certificate"
    assert cert["days_left"] in (19, 20)  # read without verification, through the tunnel
    assert [path for path, _ in Proxy.asked] == [f"localhost:{proxied['closed']}"] * 2


def test_a_host_no_proxy_names_is_connected_to_directly(proxied, monkeypatch):
    monkeypatch.setenv("no_proxy", "example.org,localhost")
    cert = http.tls_certificate("localhost", proxied["closed"], 5, proxied["ca"], now())
    assert not cert["valid"] and "Connection refused" in cert["error"]
    assert Proxy.asked == []


def test_the_proxy_s_credentials_are_sent_and_never_shown(proxied, monkeypatch):
    Proxy.required = CREDENTIALS
    monkeypatch.setenv("https_proxy", f"http://court:rahasia@127.0.0.1:{proxied['proxy']}")
    cert = http.tls_certificate("localhost", proxied["closed"], 5, proxied["ca"], now())
    assert cert["valid"] and Proxy.asked == [(f"localhost:{proxied['closed']}", CREDENTIALS)]
    monkeypatch.setenv("https_proxy", f"http://court:salah@127.0.0.1:{proxied['proxy']}")
    refused = http.tls_certificate("localhost", proxied["closed"], 5, proxied["ca"], now())
    assert not refused["valid"] and refused["error"] == (
        f"proxy 127.0.0.1:{proxied['proxy']}: Tunnel connection failed: 407 Proxy "
        "Authentication Required")


@pytest.mark.parametrize(("proxy", "error"), [
    ("127.0.0.1:{closed}", "proxy 127.0.0.1:{closed}: Connection refused"),
    ("http://court:rahasia@127.0.0.1:x/", "proxy http://***@127.0.0.1:x/ (https_proxy) is no "
                                          "host:port"),
])
def test_a_proxy_that_cannot_be_used_is_named(proxied, monkeypatch, proxy, error):
    monkeypatch.setenv("https_proxy", proxy.format(closed=proxied["closed"]))
    cert = http.tls_certificate("localhost", proxied["closed"], 5, proxied["ca"], now())
    assert (cert["valid"], cert["error"]) == (False, error.format(closed=proxied["closed"]))


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_page_read_through_a_dead_proxy_names_the_proxy(proxied, monkeypatch, scheme):
    """A dead proxy read as the server's refusal: "https://sippma/...: Connection refused"."""
    closed = proxied["closed"]
    monkeypatch.setenv(f"{scheme}_proxy", f"http://court:rahasia@127.0.0.1:{closed}")
    page = http.fetch(f"{scheme}://sippma.example/api/status/1", 5)
    assert page["error"] == f"proxy 127.0.0.1:{closed} ({scheme}_proxy): Connection refused"
    monkeypatch.setenv("no_proxy", "sippma.example")  # connected to directly: no proxy named
    assert "proxy" not in http.fetch(f"{scheme}://sippma.example/", 5)["error"]


def test_an_ipv6_literal_is_asked_of_the_proxy_in_brackets(proxied):
    """http.client before Python 3.12 sent CONNECT 2001:db8::1:443, an IPv6 literal
    unbracketed, which a proxy reads as the host 2001:db8::1 port... or refuses; the
    tunnel is asked for [2001:db8::1]:443, on every Python."""
    cert = http.tls_certificate("::1", proxied["closed"], 5, proxied["ca"], now())
    assert not cert["valid"]  # the test site's certificate names localhost, not ::1
    assert Proxy.asked and {path for path, _ in Proxy.asked} == {f"[::1]:{proxied['closed']}"}


@pytest.mark.parametrize(("host", "request_line"), [
    ("2001:db8::1", b"CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n"),
    ("pn-bangil.go.id", b"CONNECT pn-bangil.go.id:443 HTTP/1.1\r\nHost: pn-bangil.go.id:443\r\n"),
    ("pengadilan.\u00e9xample.id", b"CONNECT pengadilan.xn--xample-9ua.id:443 HTTP/1.1\r\n"),
])
def test_the_connect_request_names_the_authority(host, request_line):
    sent = http.connect_request(host, 443, None)
    assert sent.startswith(request_line) and sent.endswith(b"\r\n\r\n")
    assert b"Proxy-Authorization: Basic x\r\n" in http.connect_request(host, 443, "Basic x")


def test_a_server_that_never_answers_is_named_with_the_limit_and_step() -> None:
    """A silent server: "the TLS handshake did not answer within 1 s (timed out)", not the
    ssl module's "_ssl.c:975: The handshake operation timed out" or a bare "timed out"."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepted in the backlog only
        port = silent.getsockname()[1]
        page = http.fetch(f"https://127.0.0.1:{port}/", 1)
        plain = http.fetch(f"http://127.0.0.1:{port}/", 1)
        now = datetime.datetime.now(datetime.UTC)
        certificate = http.tls_certificate("127.0.0.1", port, 1, None, now)
    handshake = "the TLS handshake did not answer within 1 s (timed out)"
    assert page["error"] == handshake and certificate["error"] == handshake
    assert plain["error"] == "the server did not answer within 1 s (timed out)"
