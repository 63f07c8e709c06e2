"""Start the lab's RouterOS API test service (lab/roles/lab_routeros) on free local ports
for the tests and the scale benchmark; the service itself is NOT RouterOS."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "lab" / "roles" / "lab_routeros" / "files" / "routeros_api_lab.py"
USER, PASSWORD = "sop", "lab-routeros-pw"
# routeros_check's options besides the routers, as its tests read one router
PARAMS = {
    "export": True,
    "show_sensitive": False,
    "states": {},
    "temperature_warn": 70,
    "cpu_warn_percent": 90,
    "memory_warn_percent": 90,
    "timeout": 5,
}


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def certificate(directory: Path, name: str, *more: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` and ``more`` subject names (its own CA)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-addext",
            "subjectAltName=" + ",".join((f"DNS:{name}", *more)),
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def service(
    directory: Path, routers: list[dict[str, object]], cert: tuple[Path, Path] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    config = {"listen": "127.0.0.1", "users": {USER: PASSWORD}, "routers": routers}
    if cert:
        config.update(certificate=str(cert[0]), key=str(cert[1]))
    path = directory / f"routeros-{routers[0]['port']}.json"
    path.write_text(json.dumps(config))
    proc = subprocess.Popen([sys.executable, str(SERVICE), str(path)])
    try:
        deadline = time.monotonic() + 10
        for spec in routers:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", int(str(spec["port"]))), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("the RouterOS API test service did not start") from None
                    time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(5)
