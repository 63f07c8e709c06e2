"""A real HTTP server on 127.0.0.1 for tests: a handler class served from a thread on a
free port (``start``), or for the length of a ``with`` block (``serving``)."""

from __future__ import annotations

import contextlib
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def start(handler: type[BaseHTTPRequestHandler], *,
          server: type[ThreadingHTTPServer] = ThreadingHTTPServer,
          context: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """Serve ``handler`` until ``shutdown()``; ``context``: HTTPS with that context."""
    srv = server(("127.0.0.1", 0), handler)
    if context is not None:
        srv.socket = context.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Ok(BaseHTTPRequestHandler):
    """Answers every GET 200 with the body ``ok``, logging nothing."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def tls_contexts(directory: Path, **days: int) -> tuple[str, dict[str, ssl.SSLContext]]:
    """A test CA (made by openssl) and, per keyword, a server context for a localhost
    certificate it signed, valid that many days (0: expired the moment it was made).
    Returns the CA file and the contexts by keyword."""

    def run(*argv: str) -> None:
        subprocess.run(argv, cwd=directory, check=True, capture_output=True)

    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "30", "-subj", "/CN=Test CA",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-subj", "/CN=localhost", "-keyout", "site.key", "-out", "site.csr")
    (directory / "ext").write_text("subjectAltName=DNS:localhost\nauthorityKeyIdentifier=keyid\n")
    contexts = {}
    for name, valid in days.items():
        run("openssl", "x509", "-req", "-in", "site.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", str(valid), "-extfile", "ext", "-out", f"{name}.crt")
        contexts[name] = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        contexts[name].load_cert_chain(directory / f"{name}.crt", directory / "site.key")
    return str(directory / "ca.crt"), contexts


def url(srv: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """The base URL of ``handler`` served for the block."""
    srv = start(handler)
    try:
        yield url(srv)
    finally:
        srv.shutdown()
        srv.server_close()


@contextmanager
def https_and_http(directory: Path, secure: type[BaseHTTPRequestHandler],
                   plain: type[BaseHTTPRequestHandler]) -> Iterator[tuple[str, str]]:
    """The base URLs of ``secure`` over HTTPS (a localhost certificate of a test CA made
    in ``directory``) and of ``plain`` over HTTP, served for the block: a TLS downgrade's
    two ends."""
    _ca, contexts = tls_contexts(directory, site=20)
    servers = [start(secure, context=contexts["site"]), start(plain)]
    try:
        yield (f"https://localhost:{servers[0].server_address[1]}",
               f"http://localhost:{servers[1].server_address[1]}")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def send_slowly(handler: BaseHTTPRequestHandler, chunk: bytes, pause: float) -> None:
    """Answer 200 with a body that never ends, one ``chunk`` every ``pause`` seconds
    (each wait shorter than the client's timeout), until the client hangs up."""
    handler.send_response(200)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while True:
            handler.wfile.write(chunk)
            handler.wfile.flush()
            time.sleep(pause)


def send_without_end(handler: BaseHTTPRequestHandler, chunk: bytes) -> None:
    """Answer 200 with a body that never ends, until the client hangs up."""
    handler.send_response(200)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while True:
            handler.wfile.write(chunk)


# The page PHP shows (status 200 when display_errors is on, as a court's SIPP server often
# has it) when SIPP cannot reach its database: a fatal error whose stack trace holds the
# database login (Rahasia1), one of the pages sop_http.page_error names.
PHP_FATAL_PAGE = (
    "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: Too many connections"
    " in /var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php:135\n"
    "Stack trace:\n#0 /var/www/html/SIPP/system/database/drivers/mysqli/"
    "mysqli_driver.php(135): mysqli->real_connect('localhost', 'sipp', 'Rahasia1', "
    "'sipp', 3306, NULL, 0)\n#1 {main}\n  thrown in <b>/var/www/html/SIPP/x.php</b> "
    "on line <b>135</b><br />\n")


def redirect_loop(back: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    """A handler answering every GET with a 302: ``/hop/N`` to ``/hop/N+1`` without end,
    and each path of ``back`` to its value (a login page sending the visitor back)."""

    class RedirectLoop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/hop/"):
                target = f"/hop/{int(self.path[len('/hop/'):]) + 1}"
            else:
                target = back[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return RedirectLoop
