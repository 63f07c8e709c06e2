#!/usr/bin/env python3
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab stand-in for the registry's RDAP service (PANDI serves .id and .go.id).

GET /rdap/domain/<name> answers an RFC 9083 domain object with the registration and
expiration events read from the JSON file given (``{"domains": {name: {"registration":
ISO, "expiration": ISO, "registrar": str}}}``, re-read on every request); unknown
names get 404 with an RDAP error object. Lab only. Stdlib only.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG = sys.argv[1] if len(sys.argv) > 1 else "/etc/lab-rdap.json"
PREFIX = "/rdap/domain/"


class Handler(BaseHTTPRequestHandler):
    server_version = "lab-rdap/1"

    def _send(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not self.path.startswith(PREFIX):
            self._send(404, {"errorCode": 404, "title": "Not Found"})
            return
        name = self.path[len(PREFIX):].strip("/").lower()
        with open(CONFIG, encoding="utf-8") as handle:
            domains = json.load(handle).get("domains", {})
        entry = domains.get(name)
        if entry is None:
            self._send(404, {"errorCode": 404, "title": "Not Found", "description": [name]})
            return
        self._send(200, {
            "rdapConformance": ["rdap_level_0"],
            "objectClassName": "domain",
            "ldhName": name,
            "status": ["active"],
            "events": [
                {"eventAction": "registration", "eventDate": entry["registration"]},
                {"eventAction": "expiration", "eventDate": entry["expiration"]},
            ],
            "entities": [{
                "objectClassName": "entity", "roles": ["registrar"],
                "vcardArray": ["vcard", [["fn", {}, "text", entry.get("registrar", "PANDI")]]],
            }],
        })

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("lab-rdap: " + format % args + "\n")


def main() -> None:
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8043
    # The lab's RDAP stand-in answers the whole lab network, as PANDI's server would.
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()  # noqa: S104


if __name__ == "__main__":
    main()
