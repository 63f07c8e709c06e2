"""Run one SOP: run its playbook through ansible-runner, record the execution, the
evidence, leave no secret on disk.

ansible-playbook starts first; its `sop_activity` callback reports the plan (the hosts of
the plays after --limit, the court variables) at playbook start and waits at a gate while
this process opens the store, locks those hosts and records the execution (`running`).
So the inventory is read once, by Ansible itself, and sop's own start-up work overlaps
ansible-playbook's. No task runs before the gate opens.
"""

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
from typing import TYPE_CHECKING, Any

from sop import __version__, inventory
from sop.catalogue import FREQUENCY_DAYS, Sop, apply_overrides
from sop.errors import ExitCode, SopError
from sop.events import ActivityProgress, EventRecorder, TagIndex
from sop.extravars import ExtraVars
from sop.inventory import InventoryInfo, VaultOptions
from sop.liveness import process_token

if TYPE_CHECKING:
    from ansible_runner import Runner

    from sop.store import Store

CALLBACK_NAME = "sop_activity"
DEFAULT_KEEP_ARTIFACTS = 100
# How often ansible-runner calls back (its cancel_callback) while ansible-playbook runs;
# its default is 5 s. Until the gate opens: often, so the gate opens soon after the plan.
# Then: SIGINT/SIGTERM cancel within PEXPECT_TIMEOUT_RUNNING, at less CPU than polling.
PEXPECT_TIMEOUT = 0.01
PEXPECT_TIMEOUT_RUNNING = 0.25
VAULT_PROMPT = r"^Vault password:\s*?$"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class RunRequest:
    sop: Sop
    project_dir: Path
    data_dir: Path
    inventory: str  # the source (resolved path or inline host list)
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
    from sop.store import now

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


def _callback_env(tags_file: Path, gate: Path, project_dir: Path) -> dict[str, str]:
    """Enable the sop_activity callback without losing the project's callback settings
    (ansible-runner sets ANSIBLE_CALLBACK_PLUGINS, which hides ansible.cfg's value)."""
    from sop.ansiblecfg import callback_settings

    paths, enabled = callback_settings()
    own = str(project_dir / "plugins" / "callback")
    return {
        "SOP_ACTIVITY_TAGS_FILE": str(tags_file),
        "SOP_ACTIVITY_GATE": str(gate),
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


@contextmanager
def _no_close_delay_after_exit() -> Iterator[None]:
    """ptyprocess's close() sleeps 0.1 s ("give kernel time to update process status")
    before checking the child; ansible-runner closes the pty only once it has seen
    ansible-playbook exit (and reaped it), so that sleep only delays every run's end."""
    from ptyprocess import PtyProcess

    original = PtyProcess.close

    def close(self: Any, force: bool = True) -> None:
        if not self.isalive():
            self.delayafterclose = 0
        original(self, force)

    PtyProcess.close = close
    try:
        yield
    finally:
        PtyProcess.close = original


def _scrub_artifacts(artifact_dir: Path) -> None:
    """ansible-runner's `command` file holds the whole environment: keep only the command."""
    command_file = artifact_dir / "command"
    if command_file.is_file():
        data = json.loads(command_file.read_text(encoding="utf-8"))
        command_file.write_text(
            json.dumps({"command": data.get("command"), "cwd": data.get("cwd")}), encoding="utf-8"
        )


def _read_stdout(artifact_dir: Path) -> str:
    stdout = artifact_dir / "stdout"
    return stdout.read_text(encoding="utf-8", errors="replace") if stdout.is_file() else ""


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


def _start(
    request: RunRequest, store: Store, info: InventoryInfo, automated: bool
) -> tuple[int, list[dict[str, Any]]]:
    """Lock the hosts and record the execution as running (with the court's SOP version)."""
    from sop.locking import start_execution

    sop = apply_overrides(request.sop, info.overrides, info.court_name)
    initial = _initial_activities(sop, store, automated=automated)
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
            "court_name": info.court_name,
            "court_kode_satker": info.court_kode_satker,
            "inventory": info.source,
            "limit_pattern": request.limit,
            "check_mode": request.check,
            "extra_var_names": request.extra_vars.names,
            "hosts": list(info.hosts) if automated else [],
            "pid": pid,
            "pid_start": process_token(pid),
        },
        initial,
    )
    return execution_id, initial


def run(
    request: RunRequest, open_store: Callable[[], Store], open_progress: Callable[[], Progress]
) -> RunResult:
    """Run the SOP and record it; the caller maps RunResult.exit_code to the process.

    `open_store` and `open_progress` are called once ansible-playbook is starting, so their
    imports and the store's opening overlap its start-up."""
    playbook = request.sop.playbook_path(request.project_dir)
    if playbook is not None:
        return _run_playbook(request, open_store, open_progress, playbook)
    info = inventory.load(request.inventory, request.limit, request.vault)
    store = open_store()
    execution_id, _ = _start(request, store, info, automated=False)
    store.finish_execution(execution_id, status="successful", rc=0)
    return RunResult(execution_id, "successful", 0, None)


def _read_plan(gate: Path, source: str) -> InventoryInfo | None:
    """The plan the callback writes at playbook start (None: not yet)."""
    try:
        plan = json.loads((gate / "plan.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if "error" in plan:
        raise SopError(f"inventory {source}: {plan['error']}")
    court = plan["court"]
    return InventoryInfo(
        source=source,
        hosts=tuple(plan["hosts"]),
        court_name=court.get("court_name"),
        court_kode_satker=court.get("court_kode_satker"),
        overrides=court.get("sop_catalogue_overrides"),
    )


class _Startup:
    """ansible-runner's cancel_callback, called every PEXPECT_TIMEOUT while ansible-playbook
    runs. Until the gate opens it does sop's start-up, a step per call: open the store and
    the progress display, then (once the callback's plan is there) lock the hosts, record
    the execution and open the gate. A refusal (locked, no hosts, ...) closes the gate,
    cancels the run and is raised once ansible-runner returns. Then: SIGINT/SIGTERM."""

    def __init__(
        self,
        request: RunRequest,
        gate: Path,
        *,
        open_store: Callable[[], Store],
        open_progress: Callable[[], Progress],
        recorder: EventRecorder,
        cancel_requested: Callable[[], bool],
    ) -> None:
        self.request = request
        self.gate = gate
        self.open_store = open_store
        self.open_progress = open_progress
        self.recorder = recorder
        self.cancel_requested = cancel_requested
        self.store: Store | None = None
        self.progress = Progress()
        self.execution_id: int | None = None
        self.initial: list[dict[str, Any]] = []
        self.error: Exception | None = None
        self.recorded = False  # the final result is in the store
        self.runner_config: Any = None  # ansible-runner's RunnerConfig, read every loop

    def __call__(self) -> bool:
        if self.execution_id is not None or self.error is not None:
            return self.error is not None or self.cancel_requested()
        try:
            if self.cancel_requested():
                raise SopError("canceled before the playbook started", ExitCode.CANCELED)
            if self.store is None:
                self.store = self.open_store()
                self.progress = self.open_progress()
                self.recorder.on_change = self.progress.activity
            info = _read_plan(self.gate, self.request.inventory)
            if info is None:
                return False
            if not info.hosts:
                raise SopError(
                    f"no hosts of {self.request.inventory} match the playbook's plays"
                    + (f" and --limit {self.request.limit}" if self.request.limit else "")
                )
            self.execution_id, self.initial = _start(self.request, self.store, info, automated=True)
        except Exception as exc:  # raised by _run_playbook once ansible-playbook is gone
            self.error = exc
            _decide(self.gate, "stop")
            return True
        _decide(self.gate, "run")
        if self.runner_config is not None:
            self.runner_config.pexpect_timeout = PEXPECT_TIMEOUT_RUNNING
        self.progress.started(self.execution_id, info.hosts)
        return False


def _decide(gate: Path, decision: str) -> None:
    """Open (`run`) or close (`stop`) the callback's gate."""
    (gate / "decision.tmp").write_text(decision, encoding="utf-8")
    (gate / "decision.tmp").replace(gate / "decision")


def _runner(request: RunRequest, playbook: Path, private_dir: Path, startup: _Startup) -> Runner:
    from ansible_runner.interface import init_runner

    artifacts_root = request.data_dir / "artifacts"
    artifacts_root.mkdir(parents=True, exist_ok=True, mode=0o700)
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
    return init_runner(
        private_data_dir=str(private_dir),
        project_dir=str(request.project_dir),
        playbook=str(playbook),
        inventory=request.inventory,
        limit=request.limit,
        extravars=request.extra_vars.values or None,
        cmdline=shlex.join(cmdline) if cmdline else None,
        passwords=passwords,
        envvars={
            **_path_env(),
            **_callback_env(startup.recorder.tag_index.path, startup.gate, request.project_dir),
        },
        settings={"pexpect_timeout": PEXPECT_TIMEOUT},
        artifact_dir=str(artifacts_root),
        ident=private_dir.name,  # renamed to the execution id at the end
        rotate_artifacts=keep,
        fact_cache_type="",  # keep ansible.cfg's fact cache
        quiet=True,
        event_handler=startup.recorder,
        cancel_callback=startup,
    )


def _final_artifact_dir(artifact_dir: Path, execution_id: int | None) -> Path:
    """The run's artifacts, scrubbed, named by the execution id (when the name is free)."""
    _scrub_artifacts(artifact_dir)
    if execution_id is None:
        return artifact_dir
    final = artifact_dir.with_name(str(execution_id))
    try:
        artifact_dir.rename(final)
    except OSError:
        return artifact_dir
    return final


def _run_playbook(
    request: RunRequest,
    open_store: Callable[[], Store],
    open_progress: Callable[[], Progress],
    playbook: Path,
) -> RunResult:
    work_root = request.data_dir / "run"
    work_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work_root))
    gate = private_dir / "gate"
    gate.mkdir()
    tag_index = TagIndex(private_dir / "activity-tags.jsonl")
    recorder = EventRecorder(request.sop, tag_index)
    startup: _Startup | None = None
    try:
        with _cancel_on_signals() as cancel_requested:
            startup = _Startup(
                request,
                gate,
                open_store=open_store,
                open_progress=open_progress,
                recorder=recorder,
                cancel_requested=cancel_requested,
            )
            runner = _runner(request, playbook, private_dir, startup)
            startup.runner_config = runner.config
            try:
                with _no_close_delay_after_exit():
                    runner.run()
            finally:
                startup.progress.finished()
                artifact_dir = _final_artifact_dir(
                    Path(runner.config.artifact_dir), startup.execution_id
                )
        if startup.error is not None:
            raise startup.error
        store, execution_id = startup.store, startup.execution_id
        if store is None or execution_id is None:  # ended before its playbook started
            error = _error_line(_read_stdout(artifact_dir))
            raise SopError(f"ansible-playbook: {error or f'ended early (rc {runner.rc})'}")
        status = _status(runner.status, runner.rc, recorder.stats)
        error = _error_line(_read_stdout(artifact_dir)) if status == "failed" else None
        store.finish_execution(
            execution_id,
            status=status,
            rc=runner.rc,
            error=error,
            activities=_final_activities(recorder, startup.initial, canceled=status == "canceled"),
            host_stats=recorder.host_stats(),
            artifact_dir=str(artifact_dir),
        )
        startup.recorded = True
        return RunResult(execution_id, status, runner.rc, error)
    except BaseException as exc:
        if startup and startup.store and startup.execution_id is not None and not startup.recorded:
            startup.store.finish_execution(
                startup.execution_id,
                status="failed",
                rc=None,
                error=f"internal error: {exc!r}"[:300],
            )
        raise
    finally:
        tag_index.close()
        shutil.rmtree(private_dir, ignore_errors=True)
