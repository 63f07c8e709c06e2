#!/usr/bin/env python3
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Receiver of the public SIPP site (lab): the court's sipp-sync POSTs its summary to
/sipp-publik/api/update (through nginx) with the X-Sync-Token header; the receiver
rewrites the public page (atomically) with "Pembaharuan Data: <date time>".

Settings: /etc/sipp-publik-receiver.json {"token", "root", "court_name", "port"}.
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONFIG: dict[str, Any] = {}
PAGE = """<!DOCTYPE html>
<html lang="id">
<head><meta charset="utf-8"><title>SIPP {court} - Penelusuran Perkara</title></head>
<body>
<h1>Sistem Informasi Penelusuran Perkara</h1>
<h2>{court}</h2>
<p class="pembaharuan">Pembaharuan Data: <span id="pembaharuan-data">{stamp}</span></p>
<table>
<tr><th>Perkara terdaftar</th><td>{cases}</td></tr>
<tr><th>Putusan</th><td>{putusan}</td></tr>
<tr><th>Jadwal sidang mendatang</th><td>{jadwal}</td></tr>
<tr><th>Perubahan data terakhir di SIPP</th><td>{last_update}</td></tr>
</table>
</body>
</html>
"""


def render(data: dict[str, Any]) -> str:
    def text(key: str) -> str:
        return html.escape(str(data.get(key) if data.get(key) is not None else "-"))
    return PAGE.format(court=html.escape(CONFIG.get("court_name", "")),
                       stamp=text("pembaharuan_data"), cases=text("cases"),
                       putusan=text("putusan"), jadwal=text("jadwal_mendatang"),
                       last_update=text("last_update"))


def write_atomic(path: str, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class Handler(BaseHTTPRequestHandler):
    server_version = "sipp-publik-receiver/1.0"

    def reply(self, code: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/sipp-publik/api/update":
            self.reply(404, {"error": "not found"})
            return
        if self.headers.get("X-Sync-Token") != CONFIG["token"]:
            self.reply(403, {"error": "invalid token"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(min(length, 1 << 20)))
            stamp = str(data["pembaharuan_data"])
        except (ValueError, KeyError, TypeError):
            self.reply(400, {"error": "JSON with pembaharuan_data required"})
            return
        root = CONFIG["root"]
        write_atomic(os.path.join(root, "status.json"), json.dumps(data, indent=2))
        write_atomic(os.path.join(root, "index.html"), render(data))
        self.reply(200, {"status": "ok", "pembaharuan_data": stamp})

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.client_address[0]} {format % args}\n")


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/etc/sipp-publik-receiver.json"
    with open(path, encoding="utf-8") as handle:
        CONFIG.update(json.load(handle))
    server = ThreadingHTTPServer(("127.0.0.1", int(CONFIG.get("port", 8081))), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
