"""No secret left on disk by a crash.

A run's private data dir (`run/<pid>-<start time>` under the data dir) holds the `-e`
values file and the sop_activity callback's tag file; ansible-runner keeps the vault
password and the environment in memory (`suppress_env_files`), but writes the whole
environment into the artifacts' `command` file, which the runner rewrites without it as
soon as ansible-playbook starts. A `sop` killed before its own clean-up leaves these
behind: every `sop` command first removes the private dirs of dead processes and scrubs
any `command` file still holding an environment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from sop.liveness import is_alive, process_token

RUN_DIR = "run"
ARTIFACTS_DIR = "artifacts"
# A `command` file that does not parse is a crash's half-written one, unless its writer
# may still be writing it.
PARTIAL_WRITE_SECONDS = 60


def private_dir(data_dir: Path) -> Path:
    """A new private data dir owned by this process: run/<pid>-<process start time>."""
    root = data_dir / RUN_DIR
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    pid = os.getpid()
    path = root / f"{pid}-{process_token(pid) or 'x'}"
    path.mkdir(mode=0o700)
    return path


def _owner_alive(name: str) -> bool:
    pid, _, token = name.partition("-")
    if not pid.isdigit():
        return False
    return is_alive(int(pid), None if token in ("", "x") else token)


def scrub_command(command_file: Path) -> None:
    """Keep only the command and cwd of ansible-runner's `command` artifact (it also
    records the environment, secrets included)."""
    try:
        raw = command_file.read_bytes()
    except FileNotFoundError:
        return
    if b'"env"' not in raw:
        return
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            if time.time() - command_file.stat().st_mtime < PARTIAL_WRITE_SECONDS:
                return
        except FileNotFoundError:
            return
        data = {}
    # A file of its own (0600 from the start): another `sop` may scrub this one at once.
    handle, name = tempfile.mkstemp(prefix=".command.", dir=command_file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as scrubbed:
            json.dump({"command": data.get("command"), "cwd": data.get("cwd")}, scrubbed)
        Path(name).replace(command_file)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def sweep(data_dir: Path) -> None:
    """Remove dead processes' private dirs; scrub unscrubbed `command` artifacts."""
    run_root = data_dir / RUN_DIR
    if run_root.is_dir():
        for entry in run_root.iterdir():
            if not _owner_alive(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
    artifacts = data_dir / ARTIFACTS_DIR
    if artifacts.is_dir():
        for command_file in artifacts.glob("*/command"):
            scrub_command(command_file)
