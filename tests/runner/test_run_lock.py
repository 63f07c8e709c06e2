"""`sop run` holds the project directory's shared lock for the whole run, as the timers'
units do with flock(1): a run typed by hand during the controller's install (which holds
it exclusively while it replaces the project and its venv) waits until the project is
whole, at most RUN_LOCK_WAIT seconds, and records nothing until then."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sop import schedule

from .conftest import INVENTORY, SOP_BIN, spawn_sop

Cli = Callable[..., tuple[int, str, str]]
WAITING = "waits for the install of the project"


@contextmanager
def _held(project: Path, operation: int) -> Iterator[None]:
    """The project directory locked as the install (LOCK_EX) or a unit's flock(1) (LOCK_SH)."""
    handle = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(handle, operation)
        yield
    finally:
        os.close(handle)


def _recorded(cli: Cli) -> int:
    code, out, err = cli("history", "--query", "length(@)")
    assert code == 0, err
    return int(json.loads(out))


def _demo(work: Path) -> list[str]:
    return ["run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}"]


def test_a_run_by_hand_waits_while_the_project_is_installed(
    cli: Cli, project: Path, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A `sop run` typed by hand was not held off by the controller's install (only the
    timers' flock(1) was): it could read half of a copied project. It now waits, saying
    so in one line, and starts once the install is done; `sop list` needs no lock."""
    with _held(project, fcntl.LOCK_EX):
        run = spawn_sop(sop_env, *_demo(tmp_path / "work"))
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                run.wait(timeout=3)
            assert _recorded(cli) == 0  # nothing recorded while it waits
            code, _, err = cli("list")
            assert code == 0, err
        except BaseException:
            run.kill()
            raise
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    first = out.splitlines()[0]
    assert first == f"sop run {WAITING} {project} to finish (at most 3600 s)", out
    assert _recorded(cli) == 1


def test_a_run_gives_up_after_run_lock_wait(
    cli: Cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install that outlasts RUN_LOCK_WAIT (the units' wait): one line, exit 4 (as the
    units' flock --conflict-exit-code), nothing run or recorded."""
    monkeypatch.setattr(schedule, "RUN_LOCK_WAIT", 1)
    with _held(project, fcntl.LOCK_EX):
        started = time.monotonic()
        code, out, err = cli(*_demo(tmp_path / "work"))
        waited = time.monotonic() - started
    assert code == 4, err
    assert 1 <= waited < 10
    assert WAITING in out
    assert err == (
        f"sop: error: the project {project} was still locked by an install after 1 s: "
        "nothing was run or recorded; run it again once the install is done\n"
    )
    assert _recorded(cli) == 0 and not (tmp_path / "work").exists()


def test_a_run_under_its_units_flock_never_waits(
    cli: Cli, project: Path, sop_env: dict[str, str], tmp_path: Path
) -> None:
    """A timer's run holds the shared lock twice (its unit's flock(1), then `sop run`'s
    own): shared with shared, even while an install already waits for the exclusive
    lock behind the unit's (Linux grants a shared flock beside shared holders), so it
    neither deadlocks nor waits; the install goes on once the run is done."""
    with _held(project, fcntl.LOCK_SH):  # another run in progress
        install = subprocess.Popen([schedule.FLOCK, "--exclusive", str(project), "true"])
        try:
            time.sleep(0.5)
            assert install.poll() is None  # the install waits for the run in progress
            done = subprocess.run(
                [schedule.FLOCK, "--shared", "--nonblock", str(project),
                 SOP_BIN, *_demo(tmp_path / "work")],
                env=sop_env, capture_output=True, text=True, check=False, timeout=120,
            )  # fmt: skip
        except BaseException:
            install.kill()
            raise
    assert done.returncode == 0, done.stderr
    assert WAITING not in done.stdout
    assert install.wait(timeout=30) == 0
    assert _recorded(cli) == 1
