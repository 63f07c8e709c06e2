"""No secret left on disk by a crash.

A run's private data dir (`run/<pid>-<liveness token>` under the data dir) holds the `-e`
values file and the sop_activity callback's tag file; ansible-runner keeps the vault
password and the environment in memory (`suppress_env_files`), but writes the whole
environment into the artifacts' `command` file, which the runner rewrites without it as
soon as ansible-playbook starts. A `sop` killed before its own clean-up leaves these
behind: every `sop` command first removes the private dirs of dead processes and scrubs
any `command` file still holding an environment.

ansible-playbook's callback (ansible-runner's awx_display) hands each event over raw, in
`job_events/<uuid>-partial.json` (written through a `.tmp` file of that name), which the
run's ansible-runner reads, hands the event handler (which masks it) and removes. A `sop`
killed mid-run leaves its playbook's last ones unread, unmasked (a cancel kills the
playbook's process group, which then writes none): every `sop` command removes those
of any artifact dir no live run claims (a run names its artifact dir in its private dir
before its playbook starts).

A run rotates the artifact dirs (SOP_KEEP_ARTIFACTS) itself, not ansible-runner: that one
removes the oldest with no regard for another `sop` removing them at once (two timers) or
for a run still writing its own, and fails the run when a directory is gone meanwhile.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from sop.errors import ExitCode, SopError
from sop.liveness import is_alive, process_token, with_boot
from sop.output import write

RUN_DIR = "run"
ARTIFACTS_DIR = "artifacts"
# A `command` file that does not parse is a crash's half-written one, unless its writer
# may still be writing it.
PARTIAL_WRITE_SECONDS = 60
# In a run's private dir: the name of its artifact dir (under ARTIFACTS_DIR).
CLAIM_FILE = "artifact-dir"
RAW_EVENT = "-partial.json"  # in a name: job_events/<uuid>-partial.json, and its .tmp


def private_dir(data_dir: Path) -> Path:
    """A new private data dir owned by this process: run/<pid>-<token>, the token as a
    record keeps it (`START@BOOT`, liveness.with_boot): a dir a run left before a reboot
    is never taken for one of a process of this boot that has its pid and start time."""
    root = data_dir / RUN_DIR
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    pid = os.getpid()
    path = root / f"{pid}-{with_boot(process_token(pid)) or 'x'}"
    path.mkdir(mode=0o700)
    return path


def make_run_dirs(data_dir: Path) -> None:
    """The data directory's run/ and artifacts/ for a run, made before it is recorded:
    SopError (exit 2, as for a data directory that cannot be made) naming one that is no
    directory (a file of that name failed the run, recorded "internal error:
    FileExistsError")."""
    for path in (data_dir / RUN_DIR, data_dir / ARTIFACTS_DIR):
        try:
            path.mkdir(exist_ok=True, mode=0o700)
        except OSError as exc:
            cause = "not a directory" if path.exists() else exc.strerror
            raise SopError(f"cannot make the data directory's {path}: {cause}") from None


def _owner_alive(name: str) -> bool:
    """Whether the process a private dir's name names lives: `<pid>-<token>`, the token
    with its boot, or a bare start time (an older `sop`'s name, judged by it alone), or
    `x` (none: no /proc)."""
    pid, _, token = name.partition("-")
    if not pid.isdigit():
        return False
    return is_alive(int(pid), None if token in ("", "x") else token)


def claim_artifacts(private: Path, ident: str) -> None:
    """Name the run's artifact dir in its private dir, before its playbook starts: while the
    run's process lives, no sweep removes that dir's raw events."""
    (private / CLAIM_FILE).write_text(ident, encoding="utf-8")


def _claimed(private: Path) -> str:
    try:
        return (private / CLAIM_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""  # not claimed yet, or its run just ended


def _live_claims(data_dir: Path) -> set[str]:
    """The artifact dirs that live runs claim."""
    claims: set[str] = set()
    with suppress(FileNotFoundError):
        for entry in (data_dir / RUN_DIR).iterdir():
            if _owner_alive(entry.name):
                claims.add(_claimed(entry))
    return claims


def _remove_tree(path: Path) -> None:
    """`path` removed, also while another `sop` removes it (each stops at an entry the
    other removed first: what the other left, if any, is removed again)."""
    while True:
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            if not os.path.lexists(path):
                return


def rotate_artifacts(data_dir: Path, keep: int) -> None:
    """Only the newest `keep` artifact dirs (0: every one) are kept, by modification time
    as ansible-runner rotated them (execution ids start again in a new store: the names
    do not order them), and every one a live run claims. A dir another `sop` removed
    meanwhile is no error; any other error is one warning line (the next run rotates
    again): the run goes on."""
    if keep < 1:
        return
    artifacts = data_dir / ARTIFACTS_DIR
    try:
        dated: list[tuple[float, str]] = []
        with os.scandir(artifacts) as entries:
            for entry in entries:
                with suppress(FileNotFoundError):  # removed since it was listed
                    if entry.is_dir(follow_symlinks=False):
                        dated.append((entry.stat(follow_symlinks=False).st_mtime, entry.name))
        dated.sort(reverse=True)
        # Read after the listing: a run claims its artifact dir before it creates it, so
        # every listed dir of a live run is in this set.
        claimed = _live_claims(data_dir)
        for _, name in dated[keep:]:
            if name not in claimed:
                _remove_tree(artifacts / name)
    except FileNotFoundError:  # no artifact dir yet
        return
    except OSError as exc:
        write(
            sys.stderr,
            f"sop: warning: old artifact directories not removed (SOP_KEEP_ARTIFACTS={keep}): "
            f"{exc.filename}: {exc.strerror}\n",
        )


def _raw_events(artifacts: Path) -> list[Path]:
    """The raw events under every artifact dir (os.scandir: a sweep lists some 100 artifact
    dirs of hundreds of events each before every `sop` command)."""
    found: list[Path] = []
    for run in artifacts.glob("*/job_events"):
        with suppress(OSError), os.scandir(run) as events:  # an artifact dir rotated away
            found += [Path(event.path) for event in events if RAW_EVENT in event.name]
    return found


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
    """Remove dead processes' private dirs and the raw events of artifact dirs no live run
    claims; scrub unscrubbed `command` artifacts. SopError (exit 2, as for a store this
    account cannot write) naming the file when the data dir does not let it."""
    try:
        _sweep(data_dir)
    except OSError as exc:
        raise SopError(
            f"cannot clear the data directory {data_dir} of what a killed `sop` left: "
            f"{exc.filename}: {exc.strerror}",
            ExitCode.USAGE,
        ) from None


def _sweep(data_dir: Path) -> None:
    artifacts = data_dir / ARTIFACTS_DIR
    # Listed before the live runs are read: a run starting in between claims its artifact
    # dir before its first event, so none of its files is in this list.
    raw_events = _raw_events(artifacts)
    live: set[str] = set()
    run_root = data_dir / RUN_DIR
    if run_root.is_dir():
        for entry in run_root.iterdir():
            if _owner_alive(entry.name):
                live.add(_claimed(entry))
            else:
                shutil.rmtree(entry, ignore_errors=True)
    for event in raw_events:
        if event.parent.parent.name not in live:
            event.unlink(missing_ok=True)
    for command_file in artifacts.glob("*/command"):
        try:
            scrub_command(command_file)
        except OSError as exc:  # named by the file it scrubs, not its temporary copy's
            raise OSError(exc.errno, exc.strerror, str(command_file)) from None
