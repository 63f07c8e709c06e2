"""One run of a SOP per target at a time: a second `sop run` of the same SOP on the same
inventory is refused, naming the execution that holds it, unless both runs name a
different --limit.

The target is what the command line says (inventory source + --limit), not the hosts:
`sop run` does not read the inventory before ansible-playbook does. Two different limits
of one inventory may share hosts; running them at once is the operator's explicit choice.

A run also holds the project directory's shared lock (`project_lock`), as the timers'
units take it with flock(1): the controller's install holds it exclusively while it
replaces the project and its venv, so no run reads half of a copy.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sop.durations import format_seconds
from sop.errors import ExitCode, SopError
from sop.liveness import process_token
from sop.store import Row, Store, now


def target(inventory: str | None, limit: str | None) -> str:
    """What a run works on, as the command line named it."""
    return f"inventory {inventory}" + (f" --limit {limit}" if limit else "")


def holds(running: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a running execution holds the target a new run wants: the same inventory,
    and the same --limit or no limit on either side (all of its hosts)."""
    if running.get("inventory") != wanted.get("inventory"):
        return False
    held, asked = running.get("limit_pattern"), wanted.get("limit_pattern")
    return held is None or asked is None or held == asked


@contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """Serialise check-and-record between `sop` processes of this machine; SopError (exit
    2, nothing recorded) when the data dir does not let this account lock it (a store
    elsewhere, SOP_DATABASE_URL, opened without writing there)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        opened = (data_dir / "run.lock").open("a+")
    except OSError as exc:
        raise SopError(
            f"cannot lock the data directory {data_dir} for the run: {exc.filename}: "
            f"{exc.strerror}",
            ExitCode.USAGE,
        ) from None
    with opened as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_execution(
    store: Store,
    data_dir: Path,
    values: Mapping[str, Any],
    activities: Sequence[Mapping[str, Any]],
) -> int:
    """Record the execution as running unless a running one of the SOP holds its target
    (its `sop` alive, or dead with its ansible-playbook still running), on this controller
    or on another one sharing the store."""

    def refuse(running_executions: list[Row]) -> None:
        for running in running_executions:
            if holds(running, values):
                age = format_seconds((now() - running["started_at"]).total_seconds())
                holder = f"pid {running['pid']} on {running['hostname']}, started {age} ago"
                if running["error"]:  # sop died, its ansible-playbook still runs (reap_stale)
                    holder += f"; {running['error']}"
                elif running["hostname"] != socket.gethostname():
                    holder += (f"; if {running['hostname']} is this controller's former name "
                               f"and the run died: sop reap --hostname {running['hostname']}")
                raise SopError(
                    f"SOP {values['sop_id']} is already running on "
                    f"{target(running['inventory'], running['limit_pattern'])}: "
                    f"execution {running['id']} by {running['operator']} ({holder})",
                    ExitCode.LOCKED,
                )

    with _exclusive(data_dir):
        store.reap_stale()
        return store.create_execution(values, activities, refuse=refuse)


class _Waited(Exception):
    """The project lock's wait ran out (raised by the timer's signal handler)."""


def _shared(handle: int) -> bool:
    """Whether the shared lock was had at once (no exclusive holder)."""
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _shared_within(handle: int, wait: float) -> bool:
    """Wait for the shared lock at most `wait` seconds, as flock(1) --wait does: a
    blocking flock that a one-shot timer's SIGALRM interrupts (its handler raises, so the
    call is not retried). Whether the lock was had."""

    def expired(_signum: int, _frame: object) -> None:
        raise _Waited

    previous = signal.signal(signal.SIGALRM, expired)
    try:
        signal.setitimer(signal.ITIMER_REAL, max(wait, 0.001))
        try:
            fcntl.flock(handle, fcntl.LOCK_SH)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Waited:
        return False
    finally:
        signal.signal(signal.SIGALRM, previous)
    return True


@contextmanager
def project_lock(project_dir: Path, wait: float, waiting: Callable[[], None]) -> Iterator[float]:
    """Hold the project directory's shared flock for a run, giving the seconds waited for
    it. Runs share it, a run under its unit's flock(1) too (Linux grants a shared flock
    beside shared holders, even while an install waits for the exclusive one); while an
    install holds it, `waiting()` is called once and the lock waited for at most `wait`
    seconds, then SopError (exit 4) before anything is run or recorded. Called from the
    main thread (SIGALRM)."""
    try:
        handle = os.open(project_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise SopError(f"cannot lock the project {project_dir}: {exc.strerror}") from None
    try:
        began = time.monotonic()
        if not _shared(handle):
            waiting()
            if not _shared_within(handle, wait):
                raise SopError(
                    f"the project {project_dir} was still locked by an install after "
                    f"{wait:g} s: nothing was run or recorded; run it again once the "
                    "install is done",
                    ExitCode.LOCKED,
                )
        yield time.monotonic() - began
    finally:
        os.close(handle)  # releases the lock


def flock_wait() -> float:
    """Seconds the flock(1) that started this process (a timer's service: schedule.py's
    `_locked`) waited for the project's lock: from its start to this process's, both in
    clock ticks since boot (it forks the command once it holds the lock). 0 when this
    process's parent is no flock(1) (a run typed by hand) or /proc cannot tell."""
    parent = os.getppid()
    try:
        name = Path(f"/proc/{parent}/comm").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0.0
    started, flock_started = process_token(os.getpid()), process_token(parent)
    if name.strip() != "flock" or started is None or flock_started is None:
        return 0.0
    return max(int(started) - int(flock_started), 0) / os.sysconf("SC_CLK_TCK")
