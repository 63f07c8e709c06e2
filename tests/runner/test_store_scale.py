"""benchmarks/store_scale.py: the commands it times run on the store it generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from sop.cli import main

from .conftest import REPO


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("store_scale", REPO / "benchmarks/store_scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_it_times_runs_on_a_store_of_fewer_than_42_courts(
    sop_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-court commands named court 042: `--courts 5` stopped at the one-court
    report ("no execution of that court is recorded"), nothing timed after it."""
    bench = _benchmark()
    url = f"sqlite:///{tmp_path / 'scale.db'}"
    bench.generate(url, 3, 3)
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    monkeypatch.delenv("SOP_CATALOGUE_DIR")  # the packaged catalogue, as generated
    for label, args, _ in bench.commands(3):
        assert main(list(args)) in (0, 7), label  # 7: `sop overdue` found overdue SOPs
