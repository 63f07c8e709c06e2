"""A real HTTP server on 127.0.0.1 for tests: a handler class served from a thread on a
free port (``start``), or for the length of a ``with`` block (``serving``)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start(handler: type[BaseHTTPRequestHandler], *,
          server: type[ThreadingHTTPServer] = ThreadingHTTPServer,
          context: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """Serve ``handler`` until ``shutdown()``; ``context``: HTTPS with that context."""
    srv = server(("127.0.0.1", 0), handler)
    if context is not None:
        srv.socket = context.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


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
