#!/usr/bin/python3
"""RouterOS API test service for the lab: NOT RouterOS.

No real RouterOS runs in the lab (no RouterBoard, no CHR image can be had here). This
service speaks the RouterOS API's wire protocol as MikroTik documents it: words with
the variable-length length prefix (1 to 4 bytes), sentences ended by an empty word,
`/login` with name and password (RouterOS >= 6.43), replies `!re`, `!done`, `!trap`,
`!fatal`, `!empty` (RouterOS >= 7.18, a print with no rows), and `.tag` echoed on every
reply sentence. It serves data shaped like the
documented RouterOS 6 and 7 output of the commands the network SOP reads, and the
configuration export through `/execute script="/export ..." as-string`, the same
command the module sends to a real device. One process listens on many ports, each
port one router (the scale test runs 50 or more). Standard library only.

Configuration (JSON, path as the only argument):
  {"users": {"name": "password"}, "certificate": "/path.pem", "key": "/path.key",
   "routers": [{"port": 8728, "identity": "rb-lab", "version": "7.15.3",
                "model": "RB4011iGS+", "tls": false, "firmware": "7.15.3",
                "sensors": {"cpu-temperature": "78", "board-temperature1": "52"},
                "unmonitored": ["sfp1"]}]}
"sensors" replaces the board's /system/health (voltage 24.3, temperature 41): RouterOS 7
answers one name/value row per sensor, RouterOS 6 one row of columns. "unmonitored" adds
running ports of type ether that /interface/ethernet/monitor answers with a !trap.
`/system/reboot` does what a restart does to what the SOP reads (uptime from zero, the
memory log cleared and its ids started again) without closing the session.
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Any


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return n.to_bytes(1, "big")
    if n < 0x4000:
        return (n | 0x8000).to_bytes(2, "big")
    if n < 0x200000:
        return (n | 0xC00000).to_bytes(3, "big")
    if n < 0x10000000:
        return (n | 0xE0000000).to_bytes(4, "big")
    return b"\xf0" + n.to_bytes(4, "big")


async def read_word(reader: asyncio.StreamReader) -> str:
    first = (await reader.readexactly(1))[0]
    if first < 0x80:
        n = first
    elif first < 0xC0:
        n = ((first & 0x3F) << 8) | (await reader.readexactly(1))[0]
    elif first < 0xE0:
        n = ((first & 0x1F) << 16) | int.from_bytes(await reader.readexactly(2), "big")
    elif first < 0xF0:
        n = ((first & 0x0F) << 24) | int.from_bytes(await reader.readexactly(3), "big")
    else:
        n = int.from_bytes(await reader.readexactly(4), "big")
    return (await reader.readexactly(n)).decode("utf-8", "replace")


def sentence(*words: str) -> bytes:
    out = bytearray()
    for word in words:
        data = word.encode("utf-8")
        out += encode_length(len(data)) + data
    return bytes(out + b"\x00")


def uptime(booted: float) -> str:
    s = int(time.time() - booted)
    w, s = divmod(s, 604800)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = ((w, "w"), (d, "d"), (h, "h"), (m, "m"), (s, "s"))
    return "".join(f"{v}{u}" for v, u in parts if v) or "0s"


@dataclass
class Router:
    port: int
    identity: str
    version: str
    model: str = "RB4011iGS+"
    firmware: str = ""
    tls: bool = False
    sensors: dict[str, str] = field(default_factory=dict)
    unmonitored: list[str] = field(default_factory=list)
    log: list[dict[str, str]] = field(default_factory=list)
    next_log: int = 1
    # as if up for 3 days and 5 hours when the service starts; /system/reboot restarts it
    booted: float = field(default_factory=lambda: time.time() - 3 * 86400 - 5 * 3600)

    @property
    def v7(self) -> bool:
        return int(self.version.split(".")[0]) >= 7

    @property
    def sends_empty(self) -> bool:
        """RouterOS 7.18 and later answer a print with no rows `!empty`, then `!done`."""
        return tuple(int(part) for part in self.version.split(".")[:2]) >= (7, 18)

    def add_log(self, topics: str, message: str) -> None:
        stamp = (
            time.strftime("%Y-%m-%d %H:%M:%S")
            if self.v7
            else time.strftime("%b/%d %H:%M:%S").lower()
        )
        self.log.append(
            {".id": f"*{self.next_log:X}", "time": stamp, "topics": topics, "message": message}
        )
        self.next_log += 1
        del self.log[:-1000]  # RouterOS keeps 1000 lines in memory by default

    def reboot(self) -> None:
        """As RouterOS: the memory log is gone and its ids start again; uptime from 0."""
        self.booted = time.time()
        self.log.clear()
        self.next_log = 1
        self.add_log("system,info", "router rebooted")

    def serial(self) -> str:
        return f"HE{self.port:08X}"

    def resource(self) -> dict[str, str]:
        channel = "stable" if self.v7 else "long-term"
        build = "2024-05-21 11:17:46" if self.v7 else "Sep/06/2023 10:44:10"
        return {
            "uptime": uptime(self.booted),
            "version": f"{self.version} ({channel})",
            "build-time": build,
            "factory-software": "6.45.9",
            "free-memory": "812302336",
            "total-memory": "1073741824",
            "cpu": "ARMv7",
            "cpu-count": "4",
            "cpu-frequency": "1400",
            "cpu-load": str(
                random.randint(  # noqa: S311
                    2, 9
                )
            ),
            "free-hdd-space": "392806400",
            "total-hdd-space": "536870912",
            "architecture-name": "arm",
            "board-name": self.model,
            "platform": "MikroTik",
        }

    def routerboard(self) -> dict[str, str]:
        fw = self.firmware or self.version
        return {
            "routerboard": "true",
            "board-name": self.model,
            "model": self.model,
            "serial-number": self.serial(),
            "firmware-type": "al2",
            "factory-firmware": "6.45.9",
            "current-firmware": fw,
            "upgrade-firmware": self.version,
        }

    def health(self) -> list[dict[str, str]]:
        sensors = self.sensors or {"voltage": "24.3", "temperature": "41"}
        if not self.v7:
            return [dict(sensors)]
        return [
            {".id": f"*{i:X}", "name": name, "value": value,
             "type": "C" if "temperature" in name else "V" if "voltage" in name else ""}
            for i, (name, value) in enumerate(sensors.items(), start=0xD)
        ]

    def interfaces(self) -> list[dict[str, str]]:
        rows = []
        for i, (name, running) in enumerate(
            (("ether1", True), ("ether2", True), ("ether3", False), ("bridge-lan", True),
             *((port, True) for port in self.unmonitored)),
            start=1,
        ):
            kind = "bridge" if name.startswith("bridge") else "ether"
            errors = "17" if name == "ether2" else "0"
            rows.append(
                {
                    ".id": f"*{i}",
                    "name": name,
                    "type": kind,
                    "mtu": "1500",
                    "actual-mtu": "1500",
                    "mac-address": f"48:8F:5A:00:{self.port % 256:02X}:0{i}",
                    "rx-byte": str(123456789 * i),
                    "tx-byte": str(98765432 * i),
                    "rx-packet": str(345678 * i),
                    "tx-packet": str(234567 * i),
                    "rx-error": errors,
                    "tx-error": "0",
                    "rx-drop": "0",
                    "tx-drop": "0",
                    "link-downs": "1",
                    "running": "true" if running else "false",
                    "disabled": "false",
                }
            )
        return rows

    def monitor(self, names: list[str]) -> list[dict[str, str]]:
        up = {r["name"]: r["running"] == "true" for r in self.interfaces()}
        return [
            {
                "name": n,
                "status": "link-ok" if up.get(n) else "no-link",
                **({"rate": "1Gbps", "full-duplex": "true"} if up.get(n) else {}),
            }
            for n in names
        ]

    def packages(self) -> list[dict[str, str]]:
        names = ["routeros"] if self.v7 else ["routeros-arm", "system", "ipv6", "wireless"]
        return [
            {
                ".id": f"*{i}",
                "name": n,
                "version": self.version,
                "build-time": "2024-05-21",
                "scheduled": "",
                "disabled": "false",
            }
            for i, n in enumerate(names, start=1)
        ]

    def export(self, show_sensitive: bool) -> str:
        stamp = (
            time.strftime("%Y-%m-%d %H:%M:%S")
            if self.v7
            else time.strftime("%b/%d/%Y %H:%M:%S").lower()
        )
        psk = "lab-wifi-Secret-123"
        wifi = (
            (
                f"/interface wifi security\nadd authentication-types=wpa2-psk name=kantor"
                f"{' passphrase=' + psk if show_sensitive else ''}\n"
            )
            if self.v7
            else (
                "/interface wireless security-profiles\n"
                "set [ find default=yes ] supplicant-identity=MikroTik\n"
                f"add authentication-types=wpa2-psk mode=dynamic-keys name=kantor"
                f"{' wpa2-pre-shared-key=' + psk if show_sensitive else ''}\n"
            )
        )
        head = (
            f"# {stamp} by RouterOS {self.version}\n# software id = 8ZQN-X2MR\n#\n"
            f"# model = {self.model}\n# serial number = {self.serial()}\n"
        )
        return (
            head
            + "/interface bridge\nadd name=bridge-lan\n"
            + wifi
            + "/interface bridge port\nadd bridge=bridge-lan interface=ether2\n"
            "add bridge=bridge-lan interface=ether3\n"
            "/ip address\nadd address=192.168.88.1/24 interface=bridge-lan network=192.168.88.0\n"
            "/ip dhcp-client\nadd interface=ether1\n"
            "/ip dns\nset allow-remote-requests=yes servers=8.8.8.8\n"
            "/ip firewall filter\n"
            "add action=accept chain=input connection-state=established,related\n"
            "add action=drop chain=input in-interface=ether1\n"
            "/ip firewall nat\nadd action=masquerade chain=srcnat out-interface=ether1\n"
            "/ip service\nset telnet disabled=yes\nset ftp disabled=yes\nset www disabled=yes\n"
            "/system clock\nset time-zone-name=Asia/Jakarta\n"
            f"/system identity\nset name={self.identity}\n"
        )


class Session:
    def __init__(self, router: Router, users: dict[str, str]) -> None:
        self.router, self.users, self.user = router, users, ""

    def handle(
        self, command: str, attrs: dict[str, str], queries: list[str]
    ) -> list[tuple[str, dict[str, str]]]:
        r = self.router
        if command == "/login":
            if (
                self.users.get(attrs.get("name", "")) != attrs.get("password")
                or "name" not in attrs
            ):
                return [("!trap", {"message": "invalid user name or password (6)"}), ("!done", {})]
            self.user = attrs["name"]
            r.add_log("system,info,account", f"user {self.user} logged in via api")
            return [("!done", {})]
        if not self.user:
            return [("!fatal", {"": "not logged in"})]
        if command == "/quit":
            return [("!fatal", {"": "session terminated on request"})]
        rows: list[dict[str, str]] | None = None
        if command == "/system/identity/print":
            rows = [{"name": r.identity}]
        elif command == "/system/identity/set":
            r.identity = attrs.get("name", r.identity)
            r.add_log("system,info", "router identity changed by " + self.user)
            rows = []
        elif command == "/system/resource/print":
            rows = [r.resource()]
        elif command == "/system/routerboard/print":
            rows = [r.routerboard()]
        elif command == "/system/health/print":
            rows = r.health()
        elif command == "/system/package/print":
            rows = r.packages()
        elif command == "/interface/print":
            rows = r.interfaces()
        elif command == "/interface/ethernet/monitor":
            if "once" not in attrs:
                return [
                    ("!trap", {"message": "fake service: only once=yes monitoring is served"}),
                    ("!done", {}),
                ]
            numbers = attrs.get("numbers", "").split(",")
            refused = [n for n in numbers if n in r.unmonitored]
            if refused:  # one port that cannot be monitored fails the whole command
                return [
                    ("!trap", {"message": f"fake service: {refused[0]} cannot be monitored"}),
                    ("!done", {}),
                ]
            rows = r.monitor(numbers)
        elif command == "/log/print":
            rows = [dict(e) for e in r.log]
        elif command in ("/log/warning", "/log/error", "/log/info"):
            topic = command.rsplit("/", 1)[1]
            r.add_log(f"script,{topic}", attrs.get("message", ""))
            rows = []
        elif command == "/execute":
            return self.execute(attrs)
        elif command == "/system/reboot":  # no real restart: the session goes on
            r.reboot()
            rows = []
        if rows is None:
            return [
                ("!trap", {"category": "0", "message": "no such command prefix"}),
                ("!done", {}),
            ]
        for q in queries:  # simple ?name=value equality queries, ANDed
            key, _, value = q[1:].partition("=")
            rows = [row for row in rows if row.get(key) == value]
        if not rows and command.endswith("/print") and r.sends_empty:
            return [("!empty", {}), ("!done", {})]
        return [("!re", row) for row in rows] + [("!done", {})]

    def execute(self, attrs: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
        script = attrs.get("script", "").split()
        if not script or script[0] != "/export":
            return [
                ("!trap", {"message": "fake service: only the /export script is served"}),
                ("!done", {}),
            ]
        flags = set(script[1:])
        unknown = flags - (
            {"show-sensitive", "hide-sensitive", "terse", "verbose"}
            if self.router.v7
            else {"hide-sensitive", "terse", "verbose"}
        )
        if unknown:
            return [
                (
                    "!trap",
                    {"message": f"expected end of command (line 1 column 9) {' '.join(unknown)}"},
                ),
                ("!done", {}),
            ]
        shown = "show-sensitive" in flags if self.router.v7 else "hide-sensitive" not in flags
        text = self.router.export(shown)
        if "as-string" not in attrs:
            return [
                (
                    "!done",
                    {
                        "ret": "*"
                        + format(
                            random.randint(  # noqa: S311
                                1, 0xFFF
                            ),
                            "X",
                        )
                    },
                )
            ]
        return [("!done", {"ret": text})]


async def serve_client(
    router: Router,
    users: dict[str, str],
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    session = Session(router, users)
    try:
        while True:
            words = []
            while (word := await read_word(reader)) != "":
                words.append(word)
            if not words:
                continue
            command, attrs, queries, tag = words[0], {}, [], None
            for w in words[1:]:
                if w.startswith("="):
                    key, _, value = w[1:].partition("=")
                    attrs[key] = value
                elif w.startswith(".tag="):
                    tag = w[5:]
                elif w.startswith("?"):
                    queries.append(w)
            out = bytearray()
            fatal = False
            for reply, data in session.handle(command, attrs, queries):
                if reply == "!fatal":
                    out += sentence("!fatal", data[""])
                    fatal = True
                    break
                tagged = [f".tag={tag}"] if tag is not None else []
                out += sentence(reply, *(f"={k}={v}" for k, v in data.items()), *tagged)
            writer.write(bytes(out))
            await writer.drain()
            if fatal:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        config: dict[str, Any] = json.load(f)
    context = None
    if config.get("certificate"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(config["certificate"], config["key"])
    servers = []
    for spec in config["routers"]:
        router = Router(**spec)
        router.add_log("system,info", "router rebooted")

        def handler(
            rd: asyncio.StreamReader, wr: asyncio.StreamWriter, router: Router = router
        ) -> Any:
            return serve_client(router, config["users"], rd, wr)

        servers.append(
            await asyncio.start_server(
                handler,
                host=config.get("listen", "0.0.0.0"),  # noqa: S104
                port=router.port,
                ssl=context if router.tls else None,
            )
        )
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
