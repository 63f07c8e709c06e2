#!/usr/bin/env python3
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab stand-in for the Supreme Court's central SIPP MA (stdlib http.server).

POST /api/sync            JSON from a court's sipp-sync; records its last sync
GET  /api/status/<satker> the court's last sync (404 when it never synced)
GET  /health              {"status": "ok"}
State: one JSON file (atomic rewrite), SIPPMA_STATE or /var/lib/sippma/status.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STATE = os.environ.get("SIPPMA_STATE", "/var/lib/sippma/status.json")
LOCK = threading.Lock()
MAX_BODY = 1 << 20
FIELDS = ("nama_satker", "cases", "putusan", "jadwal_mendatang", "last_update", "synced_at")


def load() -> dict[str, Any]:
    try:
        with open(STATE, encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save(data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(STATE), prefix=".status-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(tmp, STATE)


class Handler(BaseHTTPRequestHandler):
    server_version = "SIPP-MA-lab/1.0"

    def reply(self, code: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path in ("/health", "/health/"):
            self.reply(200, {"status": "ok"})
            return
        if self.path == "/":
            self.reply(
                200, {"service": "SIPP MA (lab)", "api": ["/api/sync", "/api/status/<kode_satker>"]}
            )
            return
        match = re.fullmatch(r"/api/status/([0-9A-Za-z.-]+)/?", self.path)
        if not match:
            self.reply(404, {"error": "not found"})
            return
        with LOCK:
            entry = load().get(match.group(1))
        if entry is None:
            self.reply(
                404, {"error": "satker has never synchronised", "kode_satker": match.group(1)}
            )
        else:
            self.reply(200, entry)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/api/sync":
            self.reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self.reply(400, {"error": "JSON body required"})
            return
        try:
            data = json.loads(self.rfile.read(length))
            kode = str(data["kode_satker"])
        except (ValueError, KeyError, TypeError):
            self.reply(400, {"error": "JSON with kode_satker required"})
            return
        if not re.fullmatch(r"[0-9A-Za-z.-]{1,20}", kode):
            self.reply(400, {"error": "invalid kode_satker"})
            return
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()  # noqa: UP017
        with LOCK:
            state = load()
            previous = state.get(kode, {})
            entry = {key: data.get(key) for key in FIELDS}
            entry.update(
                kode_satker=kode,
                last_sync=now,
                remote_addr=self.client_address[0],
                syncs=int(previous.get("syncs", 0)) + 1,
            )
            state[kode] = entry
            save(state)
        self.reply(200, {"status": "ok", "kode_satker": kode, "last_sync": now})

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.client_address[0]} {format % args}\n")


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()  # noqa: S104


if __name__ == "__main__":
    main()
