"""The store's connection layer: connecting to a PostgreSQL server that does not answer,
and the settings that keep a connection from hanging on a server gone mid-query."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop import db
from sop.db import Database
from sop.errors import ExitCode, SopError

pytest.importorskip("psycopg")

# libpq's environment that would change what a test connects to or with.
LIBPQ_ENVIRONMENT = (
    "PGSERVICE", "PGSERVICEFILE", "PGSYSCONFDIR", "PGCONNECT_TIMEOUT", "PGOPTIONS",
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGSSLMODE", "PGGSSENCMODE",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _no_libpq_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """None of this machine's service files or libpq environment reaches a test."""
    for name in LIBPQ_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PGSYSCONFDIR", str(tmp_path / "sysconf"))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local TCP port whose listener takes connections (the kernel's handshake) and
    never answers: a server that hangs, or one a firewall drops the packets to."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("query", "env", "default", "seconds"),
    [
        ("", None, 2, 2),  # sop's own default
        ("", "2", 300, 2),  # PGCONNECT_TIMEOUT, libpq's environment
        ("?connect_timeout=2", "300", 300, 2),  # the URL's, over the environment's
    ],
)
def test_a_server_that_does_not_answer_is_given_up_on(
    silent_port: int,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    env: str | None,
    default: int,
    seconds: int,
) -> None:
    """Without connect_timeout every `sop` command waited for TCP's two minutes: now the
    URL's, PGCONNECT_TIMEOUT's, else CONNECT_TIMEOUT, then one line naming the server."""
    monkeypatch.setattr(db, "CONNECT_TIMEOUT", default)
    if env is None:
        monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("PGCONNECT_TIMEOUT", env)
    url = f"postgresql://sop:Rahasia1@127.0.0.1:{silent_port}/sop{query}"
    started = time.monotonic()
    with pytest.raises(SopError) as caught:
        Database(url)
    assert time.monotonic() - started < seconds + 3
    assert caught.value.code == ExitCode.INTERNAL
    assert str(caught.value) == (
        f"cannot open the store postgresql://sop:***@127.0.0.1:{silent_port}/sop{query}: "
        f"the PostgreSQL server at 127.0.0.1 port {silent_port} did not answer within "
        f"{seconds} s (connect_timeout): down, or a firewall drops the connection"
    )


def test_a_refused_connection_keeps_the_drivers_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port nobody listens on answers at once: libpq's own line, not a timeout."""
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(SopError, match=f'port {port} failed: Connection refused$') as caught:
        Database(f"postgresql://sop@127.0.0.1:{port}/sop")
    assert caught.value.code == ExitCode.INTERNAL


def test_the_default_timeout_is_documented() -> None:
    readme = Path(db.__file__).with_name("README.md").read_text(encoding="utf-8")
    assert f"`connect_timeout` {db.CONNECT_TIMEOUT} s" in " ".join(readme.split())


def _service_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("named_by", ["url", "environment"])
def test_a_service_files_connect_timeout_is_kept(
    silent_port: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, named_by: str
) -> None:
    """A connect_timeout only the service file (pg_service.conf) set was replaced by
    CONNECT_TIMEOUT: libpq ranks a service's setting over PGCONNECT_TIMEOUT and below
    the URL's, and psycopg, which waits for the connection itself, reads no service file."""
    monkeypatch.setattr(db, "CONNECT_TIMEOUT", 8)
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "8")
    services = _service_file(
        tmp_path / "services.conf",
        f"# the store\n[other]\nconnect_timeout=8\n\n[sop]\n  host=127.0.0.1\nport={silent_port}\n"
        "connect_timeout=2\ndbname=sop\n",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    if named_by == "url":
        url = "postgresql://?service=sop"
    else:
        url = "postgresql://"
        monkeypatch.setenv("PGSERVICE", "sop")
    started = time.monotonic()
    with pytest.raises(SopError) as caught:
        Database(url)
    assert time.monotonic() - started < 2 + 3
    assert str(caught.value) == (
        f"cannot open the store {url}: the PostgreSQL server at 127.0.0.1 port {silent_port} "
        "did not answer within 2 s (connect_timeout): down, or a firewall drops the connection"
    )


def test_service_entries_are_read_as_libpq_reads_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The user's file (PGSERVICEFILE, else ~/.pg_service.conf; a URL's servicefile over
    both) holds the entry if it has it, else the system-wide one in PGSYSCONFDIR; the URL
    ranks over the entry, the entry over libpq's environment."""
    _service_file(tmp_path / "sysconf" / "pg_service.conf",
                  "[sop]\nconnect_timeout=3\nkeepalives_idle=7\n[system]\nport=5433\n")
    _service_file(tmp_path / "home" / ".pg_service.conf",
                  "[sop]\nconnect_timeout=4\nconnect_timeout=40\n")
    named = _service_file(tmp_path / "named.conf", "[sop] # the store\nconnect_timeout=5\n")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "9")
    assert db.pg_settings({"service": "sop"})["connect_timeout"] == "4"  # the first one
    assert db.pg_settings({"service": "sop", "connect_timeout": "1"})["connect_timeout"] == "1"
    assert db.pg_settings({"service": "system"}) == {
        "service": "system", "connect_timeout": "9", "port": "5433"
    }
    assert db.pg_settings({"service": "none"}) == {"connect_timeout": "9", "service": "none"}
    assert db.pg_settings({}) == {"connect_timeout": "9"}
    monkeypatch.setenv("PGSERVICE", "sop")
    assert db.pg_settings({"servicefile": str(named)})["connect_timeout"] == "5"
    monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "missing.conf"))
    assert db.pg_settings({}) == {"connect_timeout": "3", "keepalives_idle": "7"}


def _message(kind: bytes, body: bytes) -> bytes:
    """A message of PostgreSQL's protocol from the server."""
    return kind + struct.pack("!i", 4 + len(body)) + body


class _Postmaster:
    """A TCP listener that completes PostgreSQL's start-up for one client (no password
    asked, ready for queries) and keeps the start-up packet's parameters it received."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port: int = self.listener.getsockname()[1]
        self.startup: dict[str, str] = {}
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        with client:
            client.settimeout(10)
            [length] = struct.unpack("!i", client.recv(4, socket.MSG_WAITALL))
            packet = client.recv(length - 4, socket.MSG_WAITALL)
            # after the protocol version: name, value, ..., an empty name
            words = packet[4:].decode().split("\0")
            self.startup = dict(zip(words[:-2:2], words[1:-2:2], strict=True))
            client.sendall(
                _message(b"R", struct.pack("!i", 0))  # AuthenticationOk
                + _message(b"S", b"server_version\x0016.0\x00")
                + _message(b"S", b"client_encoding\x00UTF8\x00")
                + _message(b"K", struct.pack("!ii", 1, 2))  # BackendKeyData
                + _message(b"Z", b"I")  # ReadyForQuery, idle
            )
            while client.recv(4096):  # until the client hangs up
                pass

    def close(self) -> None:
        self.thread.join(10)
        self.listener.close()


@pytest.fixture
def postmaster() -> Iterator[_Postmaster]:
    server = _Postmaster()
    yield server
    server.close()


def _socket_settings(database: Database) -> dict[str, int]:
    with socket.socket(fileno=os.dup(database.conn.fileno())) as connection:
        return {
            "keepalives": connection.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            "keepalives_idle": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            "keepalives_interval": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            "keepalives_count": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
            "tcp_user_timeout": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
        }


def test_a_connection_gives_up_on_a_server_gone_mid_query(postmaster: _Postmaster) -> None:
    """A server powered off or cut off mid-query held `sop` for the kernel's TCP timeout
    (some 15 minutes; for ever waiting for a reply): the connection has libpq's
    keepalives and tcp_user_timeout; no startup options (PgBouncer refuses them)."""
    database = Database(f"postgresql://sop@127.0.0.1:{postmaster.port}/sop?sslmode=disable")
    try:
        assert _socket_settings(database) == {k: int(v) for k, v in db.KEEPALIVES.items()}
    finally:
        database.close()
    postmaster.close()
    assert "options" not in postmaster.startup  # PgBouncer refuses unknown startup options


def test_a_url_keeps_its_own_settings(postmaster: _Postmaster) -> None:
    """What the URL sets (keepalives, tcp_user_timeout) is kept; the others are added."""
    database = Database(
        f"postgresql://sop@127.0.0.1:{postmaster.port}/sop?sslmode=disable"
        "&keepalives_idle=5&tcp_user_timeout=2000"
    )
    try:
        settings = _socket_settings(database)
    finally:
        database.close()
    postmaster.close()
    assert settings["keepalives_idle"] == 5 and settings["tcp_user_timeout"] == 2000
    assert settings["keepalives_interval"] == int(db.KEEPALIVES["keepalives_interval"])


def test_the_connection_settings_are_documented() -> None:
    readme = " ".join(
        Path(db.__file__).with_name("README.md").read_text(encoding="utf-8").split()
    )
    for keyword, value in db.KEEPALIVES.items():
        assert f"`{keyword}={value}`" in readme
