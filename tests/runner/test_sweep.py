"""The sweep every `sop` command starts with: dead runs' private dirs, unscrubbed artifacts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from sop import liveness
from sop.liveness import process_token, with_boot
from sop.sweep import claim_artifacts, private_dir, rotate_artifacts, scrub_command, sweep

from .conftest import SOP_BIN


def test_sweep_removes_dead_private_dirs_and_scrubs_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    mine = private_dir(data)
    (mine / "extravars.json").write_text('{"password": "s3cret"}')
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = data / "run" / f"{dead.pid}-{process_token(os.getpid())}"
    stale.mkdir()
    (stale / "extravars.json").write_text('{"password": "s3cret"}')
    command = data / "artifacts" / "7" / "command"
    command.parent.mkdir(parents=True)
    command.write_text(
        json.dumps({"command": ["ansible-playbook"], "cwd": "/p", "env": {"DB_PASSWORD": "s3cret"}})
    )
    partial = data / "artifacts" / "8" / "command"
    partial.parent.mkdir()
    partial.write_text('{"command": ["ansible-playbook"], "cwd": "/p", "env": {"DB_PASS')
    old = data / "artifacts" / "9" / "command"
    old.parent.mkdir()
    old.write_text('{"command": ["ansible-playbook"], "cwd": "/p", "env": {"DB_PASS')
    os.utime(old, (time.time() - 3600, time.time() - 3600))

    sweep(data)

    assert mine.is_dir() and not stale.exists()  # this process lives: its dir stays
    assert json.loads(command.read_text()) == {"command": ["ansible-playbook"], "cwd": "/p"}
    assert "DB_PASS" in partial.read_text()  # maybe still being written: left alone
    assert "DB_PASS" not in old.read_text()  # a crash's half-written file
    assert oct(command.stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(
    not liveness.BOOT_ID.is_file(), reason="needs Linux's /proc/sys/kernel/random/boot_id"
)
def test_a_private_dir_left_before_a_reboot_is_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pids and start times start over at each boot: a run's private dir (its `-e` values,
    the artifact dir it claims) named by its pid and start time alone stayed after a
    reboot, for ever, once a process of the new boot had them both (a timer's catch-up
    run at boot). Its name keeps its boot, as the store's records do; a name without one
    (an older `sop`'s) is judged by its start time, as it was."""
    data = tmp_path / "data"
    mine = private_dir(data)
    claim_artifacts(mine, "7")
    raw = _raw_event(data / "artifacts" / "7", "a1-partial.json")
    pid = os.getpid()
    assert mine.name == f"{pid}-{with_boot(process_token(pid))}"
    older = data / "run" / f"{pid}-{process_token(pid)}"
    older.mkdir()

    sweep(data)
    assert mine.is_dir() and older.is_dir() and raw.exists()  # this process lives

    rebooted = tmp_path / "boot_id"
    rebooted.write_text("01234567-89ab-cdef-0123-456789abcdef\n")
    monkeypatch.setattr(liveness, "BOOT_ID", rebooted)
    sweep(data)
    assert not mine.exists() and not raw.exists()
    assert older.is_dir()  # no boot in its name: the same pid and start time live


def _raw_event(artifact_dir: Path, name: str) -> Path:
    """A raw event as ansible-playbook's callback writes it (the run's ansible-runner
    reads and removes it as it handles the event)."""
    path = artifact_dir / "job_events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"event_data": {"res": {"stdout": "mysql -pS3cret"}}}')
    return path


def test_sweep_removes_the_raw_events_of_runs_no_live_process_claims(tmp_path: Path) -> None:
    """ansible-playbook's raw events (job_events/<uuid>-partial.json, unmasked) stayed on
    disk when `sop` was killed before reading them. They are removed unless their artifact
    dir is claimed by a live run: this process's here, whose are still to be read."""
    data = tmp_path / "data"
    artifacts = data / "artifacts"
    claim_artifacts(private_dir(data), "7")
    live = _raw_event(artifacts / "7", "a1-partial.json")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = data / "run" / f"{dead.pid}-{process_token(os.getpid())}"
    stale.mkdir()
    claim_artifacts(stale, "8")
    killed = [_raw_event(artifacts / "8", name)
              for name in ("b1-partial.json", "b2-partial.json.tmp")]
    handled = artifacts / "8" / "job_events" / "3-b0.json"  # masked as it was handled
    handled.write_text('{"event_data": {"res": {"stdout": "mysql -p***"}}}')
    unclaimed = _raw_event(artifacts / "6", "c1-partial.json")  # its run's dir is gone

    sweep(data)

    assert live.exists() and handled.exists()
    assert not any(path.exists() for path in (*killed, unclaimed))
    assert not stale.exists()


def test_two_commands_scrubbing_one_artifact_at_once_both_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `sop` command sweeps, and a run scrubs its own `command` artifact as its
    playbook starts: two of them may scrub the same file at once. Here the other one
    writes and moves its scrubbed copy in between this one's write and its move."""
    command = tmp_path / "artifacts" / "7" / "command"
    command.parent.mkdir(parents=True)
    scrubbed = {"command": ["ansible-playbook"], "cwd": "/p"}
    command.write_text(json.dumps({**scrubbed, "env": {"A": "1"}}))
    replace = Path.replace
    other: list[bool] = []

    def interleaved(path: Path, target: Path) -> Path:
        if not other:
            other.append(True)
            scrub_command(command)  # the other process, start to end
        return replace(path, target)

    monkeypatch.setattr(Path, "replace", interleaved)
    scrub_command(command)
    assert other and json.loads(command.read_text()) == scrubbed
    assert [p.name for p in command.parent.iterdir()] == ["command"]


def _artifact_dirs(data: Path, count: int) -> list[Path]:
    """`count` artifact dirs, named as runs name them, the first the oldest (a minute
    apart: rotation orders them by modification time)."""
    made = []
    for number in range(1, count + 1):
        made.append(data / "artifacts" / str(number))
        (made[-1] / "job_events").mkdir(parents=True)
        (made[-1] / "stdout").write_text("ok\n")
        os.utime(made[-1], (time.time() - 60 * (count - number),) * 2)
    return made


def _left(data: Path) -> list[str]:
    return sorted((p.name for p in (data / "artifacts").iterdir()), key=int)


def test_rotation_keeps_the_newest_and_every_one_a_live_run_claims(tmp_path: Path) -> None:
    """The newest `keep` stay, by modification time (not the name: a new store numbers
    its executions from 1 again); of the older ones, the one a live run claims (this
    process, its playbook still writing there) stays too, the one a dead run claimed
    does not."""
    data = tmp_path / "data"
    made = _artifact_dirs(data, 6)
    os.utime(made[0], (time.time() + 60,) * 2)  # "1": a new store's first execution
    claim_artifacts(private_dir(data), "3")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = data / "run" / f"{dead.pid}-{process_token(os.getpid())}"
    stale.mkdir()
    claim_artifacts(stale, "2")

    rotate_artifacts(data, 2)

    assert _left(data) == ["1", "3", "6"]
    rotate_artifacts(data, 0)  # SOP_KEEP_ARTIFACTS=0: every one kept
    assert _left(data) == ["1", "3", "6"]


@pytest.mark.parametrize("other_removes", ["the whole dir", "one of its files"])
def test_rotation_tolerates_another_sop_removing_the_same_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    other_removes: str,
) -> None:
    """Two runs starting at once (two timers) rotate at once: the other one removes a dir
    this one listed, whole or while this one is removing it too. ansible-runner's
    rotation failed the run then (FileNotFoundError, "internal error"); this one is
    done with no word."""
    data = tmp_path / "data"
    _artifact_dirs(data, 4)
    if other_removes == "the whole dir":
        rmtree = shutil.rmtree

        def whole_first(path: Path) -> None:
            rmtree(path)  # the other `sop`, start to end
            rmtree(path)

        monkeypatch.setattr(shutil, "rmtree", whole_first)
    else:
        unlink = os.unlink

        def entry_first(path: str, *, dir_fd: int | None = None) -> None:
            unlink(path, dir_fd=dir_fd)  # the other `sop`, one entry ahead
            unlink(path, dir_fd=dir_fd)

        monkeypatch.setattr(os, "unlink", entry_first)

    rotate_artifacts(data, 1)

    monkeypatch.undo()
    assert _left(data) == ["4"]
    assert capsys.readouterr().err == ""


def test_a_dir_rotation_cannot_remove_is_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rotation runs as a run starts: a dir it cannot remove is named in one warning line
    and the run goes on (the next one tries again)."""
    data = tmp_path / "data"
    made = _artifact_dirs(data, 3)

    def denied(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", denied)
    rotate_artifacts(data, 1)
    assert capsys.readouterr().err == (
        "sop: warning: old artifact directories not removed (SOP_KEEP_ARTIFACTS=1): "
        f"{made[1]}: Permission denied\n"
    )


# Root without the capabilities that let it write any file: its permissions then apply.
NO_DAC = "-dac_override,-dac_read_search"


@pytest.mark.parametrize("left", ["raw event", "command"])
def test_a_data_dir_the_sweep_cannot_write_is_named(
    sop_env: dict[str, str], tmp_path: Path, left: str
) -> None:
    """What a killed run left in a data dir this account cannot write (a read-only copy,
    another account's dir) failed every command, `sop history` too, with "internal
    error: PermissionError(13, 'Permission denied')", exit 6, naming no file. One line
    names the file and the cause, exit 2."""
    data = tmp_path / "data"
    artifact = data / "artifacts" / "7"
    if left == "raw event":
        named = _raw_event(artifact, "u-partial.json")
    else:
        named = artifact / "command"
        artifact.mkdir(parents=True)
        named.write_text(json.dumps({"command": ["a"], "env": {"X": "s3cret"}}))
    held = named.parent
    held.chmod(0o500)
    prefix = ["setpriv", f"--inh-caps={NO_DAC}", f"--bounding-set={NO_DAC}"] \
        if os.geteuid() == 0 else []  # fmt: skip
    try:
        done = subprocess.run(
            [*prefix, SOP_BIN, "--data-dir", str(data), "history"],
            env=sop_env, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
    finally:
        held.chmod(0o700)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == (
        f"sop: error: cannot clear the data directory {data} of what a killed `sop` left: "
        f"{named}: Permission denied\n"
    )
