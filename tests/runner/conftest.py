"""Shared fixtures: a fixture catalogue of local-connection SOPs and a private data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sop.cli import main

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


CliResult = tuple[int, str, str]


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
