"""Shared fixtures: a fixture catalogue of local-connection SOPs and a private data dir."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sop.cli import main
from sop.store import Store

from .pgserver import MISSING, PgServer, find_bindir

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVENTORY = FIXTURES / "inventory"
SOP_BIN = str(Path(sys.executable).parent / "sop")


@pytest.fixture
def sop_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment pointing sop at the fixture catalogue and a fresh data dir."""
    values = {
        "SOP_CATALOGUE_DIR": str(FIXTURES / "catalogue"),
        "SOP_DATA_DIR": str(tmp_path / "data"),
        "SOP_PROJECT_DIR": str(REPO),
        "COLUMNS": "200",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOP_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOP_TRIGGER", raising=False)
    return {**os.environ, **values}


@pytest.fixture
def project(tmp_path: Path, sop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory of its own (this checkout's entries, linked) as SOP_PROJECT_DIR,
    so that a test locking it, as the controller's install does, holds off no other
    test's run."""
    project = tmp_path / "project"
    project.mkdir()
    for entry in REPO.iterdir():
        (project / entry.name).symlink_to(entry)
    monkeypatch.setenv("SOP_PROJECT_DIR", str(project))
    sop_env["SOP_PROJECT_DIR"] = str(project)
    return project


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the session (skipped only without its binaries)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(MISSING)
    server = PgServer(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = server.root / "server.log"
        detail = log.read_text() if log.exists() else exc.stderr
        server.stop()
        raise RuntimeError(f"cannot start PostgreSQL: {exc.cmd[0]}: {detail}") from None
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store's URL: SQLite in tmp_path, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sop.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


CliResult = tuple[int, str, str]


@pytest.fixture
def store_at(sop_env: dict[str, str]) -> Iterator[Store]:
    """The SQLite store `sop` opens in ``sop_env``'s data dir, opened here too."""
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    yield store
    store.close()


@pytest.fixture
def controller_at_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A controller whose own clock is UTC (as many servers are kept)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def cli(sop_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `sop ARGS` in-process; (exit code, stdout, stderr)."""

    def run(*args: str) -> CliResult:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def spawn_sop(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SOP_BIN, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def craft_execution(
    store: Store,
    sop_id: str,
    started_at: datetime,
    *,
    status: str = "successful",
    court: str | None = "Pengadilan Negeri Uji",
    check_mode: bool = False,
    activities: int = 0,
    partial: str | None = None,
) -> int:
    """Insert a finished execution as if `sop run` had recorded it at `started_at`
    (`partial`: the activities a `sop run --activity` chose, e.g. "2,3")."""
    with store.db.transaction(write=True) as tx:
        execution_id = tx.insert(
            "executions",
            {
                "sop_id": sop_id,
                "sop_title": sop_id.title(),
                "sop_number": "1/TEST",
                "catalogue_version": "0",
                "catalogue_hash": "x",
                "operator": "budi",
                "trigger": "timer",
                "court_name": court,
                "check_mode": check_mode,
                "partial": partial,
                "extra_var_names": [],
                "hosts": ["h1"],
                "started_at": started_at,
                "ended_at": started_at + timedelta(minutes=2),
                "status": status,
                "rc": 0 if status == "successful" else 2,
                "error": None if status == "successful" else "h1: Backup: disk full",
                "pid": 1,
                "hostname": "controller",
            },
        )
        for number in range(1, activities + 1):
            tx.insert(
                "activity_results",
                {
                    "execution_id": execution_id,
                    "number": number,
                    "ref": "",
                    "kegiatan": f"Kegiatan {number}",
                    "pelaksana": ["Staf IT"],
                    "mode": "automated",
                    "tag": f"t{number}",
                    "status": "ok",
                    "hosts": ["h1"],
                    "started_at": started_at,
                    "ended_at": started_at + timedelta(seconds=30),
                    "duration_s": 30.0,
                    "limit_s": 60,
                    "over_time": False,
                    "outputs": [],
                },
            )
    return execution_id
