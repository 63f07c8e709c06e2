"""Run one SOP: record the execution, run its playbook through ansible-runner, record
the evidence, leave no secret on disk."""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from sop import __version__
from sop.catalogue import FREQUENCY_DAYS, Sop
from sop.errors import ExitCode
from sop.events import ActivityProgress, EventRecorder, TagIndex
from sop.extravars import ExtraVars
from sop.inventory import InventoryInfo, VaultOptions
from sop.liveness import process_token
from sop.locking import start_execution
from sop.store import Store, now

CALLBACK_NAME = "sop_activity"
DEFAULT_KEEP_ARTIFACTS = 100
VAULT_PROMPT = r"^Vault password:\s*?$"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class RunRequest:
    sop: Sop
    project_dir: Path
    data_dir: Path
    inventory: InventoryInfo
    limit: str | None
    check: bool
    extra_vars: ExtraVars
    operator: str
    trigger: str
    vault: VaultOptions


@dataclass(frozen=True)
class RunResult:
    execution_id: int
    status: str
    rc: int | None
    error: str | None

    @property
    def exit_code(self) -> ExitCode:
        return {
            "successful": ExitCode.OK,
            "unreachable": ExitCode.UNREACHABLE,
            "canceled": ExitCode.CANCELED,
        }.get(self.status, ExitCode.SOP_FAILED)


class Progress:
    """What the CLI shows while a SOP runs (the default shows nothing)."""

    def started(self, execution_id: int, hosts: Sequence[str]) -> None:
        """The execution is recorded and the playbook starts."""

    def activity(self, progress: ActivityProgress) -> None:
        """An event of an automated activity arrived."""

    def finished(self) -> None:
        """The playbook ended (or was canceled)."""


def _initial_activities(sop: Sop, store: Store, automated: bool) -> list[dict[str, Any]]:
    """Rows recorded at start: automated ones not run yet, manual ones pending, delegated
    ones satisfied by a successful run of the other SOP within this SOP's period."""
    period = timedelta(days=FREQUENCY_DAYS[sop.frequency] or 1)
    rows = []
    for activity in sop.activities:
        row: dict[str, Any] = {
            "number": activity.number,
            "ref": activity.ref,
            "kegiatan": activity.kegiatan,
            "pelaksana": list(activity.pelaksana),
            "mode": activity.mode if automated or activity.mode != "automated" else "manual",
            "tag": activity.automated,
            "limit_s": activity.limit_seconds,
            "status": "pending-manual",
            "hosts": [],
            "outputs": [],
        }
        if row["mode"] == "automated":
            row["status"] = "not-run"
        elif activity.automated_by:
            done = store.executions(
                sop_id=activity.automated_by, status="successful", since=now() - period, limit=1
            )
            if done:
                row["status"] = "delegated"
                row["outputs"] = [
                    {
                        "sop": activity.automated_by,
                        "execution": done[0]["id"],
                        "started_at": done[0]["started_at"].isoformat(),
                    }
                ]
            else:
                row["note"] = f"belum ada pelaksanaan SOP {activity.automated_by} yang berhasil"
        rows.append(row)
    return rows


def _callback_env(project_dir: Path, tags_file: Path) -> dict[str, str]:
    """Enable the sop_activity callback without losing the project's callback settings
    (ansible-runner sets ANSIBLE_CALLBACK_PLUGINS, which hides ansible.cfg's value)."""
    import ansible.constants as C

    paths = [str(p) for p in (C.DEFAULT_CALLBACK_PLUGIN_PATH or [])]
    own = str(project_dir / "plugins" / "callback")
    enabled = [str(c) for c in (C.CALLBACKS_ENABLED or [])]
    return {
        "SOP_ACTIVITY_TAGS_FILE": str(tags_file),
        "ANSIBLE_CALLBACK_PLUGINS": ":".join(dict.fromkeys([*paths, own])),
        "ANSIBLE_CALLBACKS_ENABLED": ",".join(dict.fromkeys([*enabled, CALLBACK_NAME])),
    }


def _path_env() -> dict[str, str]:
    """Run the ansible-playbook of the Ansible this process imports (same venv) first."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "ansible-playbook").is_file():
        return {}
    return {"PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", os.defpath)])}


@contextmanager
def _cancel_on_signals() -> Iterator[Callable[[], bool]]:
    """SIGINT/SIGTERM during the run cancel it (ansible-runner's cancel_callback)."""
    requested: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        requested.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: bool(requested)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _scrub_artifacts(artifact_dir: Path) -> None:
    """ansible-runner's `command` file holds the whole environment: keep only the command."""
    command_file = artifact_dir / "command"
    if command_file.is_file():
        data = json.loads(command_file.read_text(encoding="utf-8"))
        command_file.write_text(
            json.dumps({"command": data.get("command"), "cwd": data.get("cwd")}), encoding="utf-8"
        )


def _error_line(stdout: str) -> str | None:
    """Ansible's own one-line error (syntax, vault, ...) from the run's output."""
    for line in reversed(stdout.splitlines()):
        text = _ANSI.sub("", line).strip()
        if text.startswith(("ERROR!", "[ERROR]")):
            return text[:300]
    return None


def _status(runner_status: str, rc: int | None, stats: dict[str, dict[str, int]]) -> str:
    if runner_status == "canceled":
        return "canceled"
    if rc == 0 and runner_status == "successful":
        return "successful"
    failures = any(s.get("failures") for s in stats.values())
    unreachable = any(s.get("dark") for s in stats.values())
    return "unreachable" if unreachable and not failures else "failed"


def _final_activities(
    recorder: EventRecorder, initial: list[dict[str, Any]], canceled: bool
) -> list[dict[str, Any]]:
    rows = []
    for row in initial:
        progress = recorder.activities.get(row["number"])
        if row["mode"] != "automated" or progress is None:
            continue
        status = progress.status
        if status == "running":
            status = "canceled" if canceled else "failed"
        rows.append(
            {
                "number": row["number"],
                "status": status,
                "hosts": sorted(progress.hosts),
                "started_at": progress.started,
                "ended_at": progress.ended,
                "duration_s": progress.duration,
                "over_time": progress.over_time,
                "outputs": progress.outputs,
            }
        )
    return rows


def run(request: RunRequest, store: Store, progress: Progress) -> RunResult:
    """Run the SOP and record it; the caller maps RunResult.exit_code to the process."""
    sop = request.sop
    playbook = sop.playbook_path(request.project_dir)
    initial = _initial_activities(sop, store, automated=playbook is not None)
    pid = os.getpid()
    execution_id = start_execution(
        store,
        request.data_dir,
        {
            "sop_id": sop.id,
            "sop_title": sop.title,
            "sop_number": sop.number,
            "catalogue_version": __version__,
            "catalogue_hash": sop.digest[:16],
            "operator": request.operator,
            "trigger": request.trigger,
            "court_name": request.inventory.court_name,
            "court_kode_satker": request.inventory.court_kode_satker,
            "inventory": request.inventory.source,
            "limit_pattern": request.limit,
            "check_mode": request.check,
            "extra_var_names": request.extra_vars.names,
            "hosts": list(request.inventory.hosts) if playbook else [],
            "pid": pid,
            "pid_start": process_token(pid),
        },
        initial,
    )
    if playbook is None:
        store.finish_execution(execution_id, status="successful", rc=0)
        return RunResult(execution_id, "successful", 0, None)
    progress.started(execution_id, request.inventory.hosts)
    try:
        return _run_playbook(request, store, progress, execution_id, playbook, initial=initial)
    except BaseException as exc:
        store.finish_execution(
            execution_id, status="failed", rc=None, error=f"internal error: {exc!r}"[:300]
        )
        raise


def _run_playbook(
    request: RunRequest,
    store: Store,
    progress: Progress,
    execution_id: int,
    playbook: Path,
    *,
    initial: list[dict[str, Any]],
) -> RunResult:
    import ansible_runner

    artifacts_root = request.data_dir / "artifacts"
    artifacts_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    work_root = request.data_dir / "run"
    work_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_dir = Path(tempfile.mkdtemp(prefix=f"{execution_id}-", dir=work_root))
    tags_file = private_dir / "activity-tags.jsonl"
    tag_index = TagIndex(tags_file)
    recorder = EventRecorder(request.sop, tag_index, progress.activity)
    cmdline = ["--check"] if request.check else []
    for file in request.extra_vars.files:
        cmdline += ["-e", f"@{file}"]
    passwords = None
    if request.vault.password is not None:
        cmdline.append("--ask-vault-pass")
        passwords = {VAULT_PROMPT: request.vault.password}
    elif request.vault.password_file:
        cmdline += ["--vault-password-file", request.vault.password_file]
    keep = int(os.environ.get("SOP_KEEP_ARTIFACTS", DEFAULT_KEEP_ARTIFACTS))
    try:
        with _cancel_on_signals() as cancel_requested:
            result = ansible_runner.run(
                private_data_dir=str(private_dir),
                project_dir=str(request.project_dir),
                playbook=str(playbook),
                inventory=request.inventory.source,
                limit=request.limit,
                extravars=request.extra_vars.values or None,
                cmdline=shlex.join(cmdline) if cmdline else None,
                passwords=passwords,
                envvars={**_path_env(), **_callback_env(request.project_dir, tags_file)},
                artifact_dir=str(artifacts_root),
                ident=str(execution_id),
                rotate_artifacts=keep,
                fact_cache_type="",  # keep ansible.cfg's fact cache
                quiet=True,
                event_handler=recorder,
                cancel_callback=cancel_requested,
            )
        progress.finished()
    finally:
        tag_index.close()
        shutil.rmtree(private_dir, ignore_errors=True)
    artifact_dir = Path(result.config.artifact_dir)
    _scrub_artifacts(artifact_dir)
    status = _status(result.status, result.rc, recorder.stats)
    error = None
    if status != "successful":
        error = _error_line(result.stdout.read()) if status == "failed" else None
    store.finish_execution(
        execution_id,
        status=status,
        rc=result.rc,
        error=error,
        activities=_final_activities(recorder, initial, canceled=status == "canceled"),
        host_stats=recorder.host_stats(),
        artifact_dir=str(artifact_dir),
    )
    return RunResult(execution_id, status, result.rc, error)
