"""The store's connection layer: connecting to a PostgreSQL server that does not answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop import db
from sop.db import Database
from sop.errors import ExitCode, SopError

pytest.importorskip("psycopg")


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
