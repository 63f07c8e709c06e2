"""Liveness: a process named by pid, start time and boot."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sop import liveness
from sop.liveness import is_alive, process_token, with_boot
from sop.migrations import COLUMN_LIMITS

OTHER_BOOT = "0123456789abcdef"

pytestmark = pytest.mark.skipif(
    not liveness.BOOT_ID.is_file(), reason="needs Linux's /proc/sys/kernel/random/boot_id"
)


def _start(pid: int) -> str:
    token = process_token(pid)
    assert token is not None and token.isdigit()
    return token


def test_a_token_keeps_its_boot_and_fits_the_store() -> None:
    boot = liveness.BOOT_ID.read_text(encoding="ascii").strip().replace("-", "")
    token = with_boot(_start(os.getpid()))
    assert token == f"{_start(os.getpid())}@{boot[: liveness.BOOT_DIGITS]}"
    assert with_boot(token) == token and with_boot(None) is None
    longest = f"{2**64 - 1}@{boot[: liveness.BOOT_DIGITS]}"  # starttime is 64 bits
    for column in ("pid_start", "playbook_pid_start"):
        assert len(longest) <= COLUMN_LIMITS["executions", column]


def test_a_process_of_this_boot_is_alive_until_it_ends() -> None:
    child = subprocess.Popen(["sleep", "30"])
    token = with_boot(_start(child.pid))
    assert token is not None and is_alive(child.pid, token)
    boot = token.partition("@")[2]
    assert not is_alive(child.pid, f"{int(_start(child.pid)) + 1}@{boot}")
    child.kill()
    child.wait()
    assert not is_alive(child.pid, token)


def test_a_record_of_another_boot_is_never_alive() -> None:
    """After a reboot pids and start times start over: the pid a run had may be a new
    process started at the same clock tick (a timer's catch-up run at boot)."""
    assert not is_alive(os.getpid(), f"{_start(os.getpid())}@{OTHER_BOOT}")


def test_a_token_recorded_before_boots_were_kept_is_judged_by_its_start_time() -> None:
    """A bare start time (an older sop's record): judged as it was then, so a process it
    names that still runs (an orphaned ansible-playbook) keeps its execution running."""
    start = _start(os.getpid())
    assert is_alive(os.getpid(), start)
    assert not is_alive(os.getpid(), str(int(start) + 1))


def test_without_a_boot_id_a_token_is_judged_by_its_start_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/proc without boot_id: tokens are recorded without a boot, and one recorded with
    its boot is judged by its start time, as every token was before."""
    monkeypatch.setattr(liveness, "BOOT_ID", tmp_path / "missing")
    start = _start(os.getpid())
    assert with_boot(start) == start
    assert is_alive(os.getpid(), f"{start}@{OTHER_BOOT}")
    assert not is_alive(os.getpid(), f"{int(start) + 1}@{OTHER_BOOT}")
