"""The sweep every `sop` command starts with: dead runs' private dirs, unscrubbed artifacts."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from sop.liveness import process_token
from sop.sweep import claim_artifacts, private_dir, scrub_command, sweep

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
