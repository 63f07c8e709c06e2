"""Run one SOP: lock and record it, run its playbook through ansible-runner, record the
outcome and the evidence, leave no secret on disk.

The flow, in order: the SOP's target (inventory source + --limit, as given) is locked
and the execution is recorded `running`; only then does ansible-playbook start, through
ansible-runner's documented interface (event_handler, status_handler, cancel_callback).
`sop` never reads the inventory itself: ansible-playbook does. Its first event gives its
pid, recorded so an orphan is found if `sop` is killed; the court's variables come from
the sop_activity callback at the first play and are recorded then (with the court's
catalogue overrides); the hosts it actually ran on come from the events and are recorded
at the end. A malformed inventory or a --limit matching no host ends ansible-playbook
before it touches any host; only then does `sop` read the inventory in-process, to give
the same one-line error it always gave, and removes the record of a run that never ran.
"""

# ansible-runner is imported where used: `sop` starts fast for every command.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from sop import __version__, inventory
from sop.catalogue import Sop, apply_overrides
from sop.durations import format_seconds
from sop.errors import ExitCode, SopError
from sop.events import ActivityProgress, EventRecorder, TagIndex
from sop.extravars import ExtraVars
from sop.inventory import VaultOptions
from sop.liveness import process_token
from sop.locking import target
from sop.masking import mask_ansible_error, mask_event, mask_output_lines
from sop.schedule import TIME_LIMIT_SIGNAL, court_timezone, office_clock
from sop.statuses import cut_short_status
from sop.sweep import (
    ARTIFACTS_DIR,
    claim_artifacts,
    make_run_dirs,
    private_dir,
    rotate_artifacts,
    scrub_command,
)
from sop.untrusted import quoted, shortened

if TYPE_CHECKING:
    from ansible_runner import Runner

    from sop.store import Store

DEFAULT_KEEP_ARTIFACTS = 100
# ansible-runner's `pexpect_timeout` setting: how often it calls cancel_callback while
# ansible-playbook runs, so SIGINT/SIGTERM/SIGHUP cancel within a second (its default: 5 s).
CANCEL_CHECK_SECONDS = 1
# An on-demand SOP has no period: another SOP's success of the last day carries out its
# activities that SOP does.
ON_DEMAND_DELEGATION_S = 86400
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
    # The activities chosen (`sop run --activity`), run by their tags; (): the whole SOP.
    activities: tuple[int, ...] = ()
    # The time limit its timer's service holds the run to (`sop run --time-limit`, the
    # service's TimeoutStartSec); None: none (a run typed by hand).
    time_limit: str | None = None
    # Seconds the run waited for the project's lock while an install held it (cli.cmd_run).
    lock_wait_s: float = 0.0


@dataclass(frozen=True)
class RunResult:
    execution_id: int
    status: str
    rc: int | None
    error: str | None
    # The court's variables were invalid (sop_catalogue_overrides, an identity that is no
    # text): recorded without what `court_left_out` says, bad input.
    court_problem: str | None = None
    court_left_out: str = "the court's catalogue overrides"
    # The zone the inventory's sop_schedule.timezone names (None: it names none, or the
    # playbook never reported the court), or why it names none (bad input: the run is
    # shown on another clock, and recorded, as its playbook ran).
    timezone: str | None = None
    timezone_problem: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        if self.court_problem:
            return ExitCode.USAGE
        return {
            "successful": ExitCode.OK,
            "unreachable": ExitCode.UNREACHABLE,
            "canceled": ExitCode.CANCELED,
        }.get(self.status, ExitCode.SOP_FAILED)


class Progress:
    """What the CLI shows while a SOP runs (the default shows nothing)."""

    def started(self, execution_id: int, target: str) -> None:
        """The execution is recorded and the playbook starts on `target` (inventory and
        --limit, as given)."""

    def activity(self, progress: ActivityProgress) -> None:
        """An event of an automated activity arrived."""

    def finished(self) -> None:
        """The playbook ended (or was canceled)."""


def _initial_activities(
    sop: Sop,
    store: Store,
    automated: bool,
    *,
    court: str | None = None,
    chosen: tuple[int, ...] = (),
    timezone: str | None = None,
) -> list[dict[str, Any]]:
    """Rows recorded at start: automated ones not run yet, manual ones pending, delegated
    ones satisfied by a successful run of the other SOP within this SOP's period at the
    court (on its clock, `timezone`), when the court is known (`automated` False: read
    from the inventory); a playbook's court is known once it reports it (`_delegations`,
    then). A partial run (`chosen`) asked for none of the others: not run, nothing waits
    for an ack."""
    from sop.store import now

    rows = []
    delegations = (
        {} if automated else _delegations(sop, store, court, office_clock(timezone), now())
    )
    for activity in sop.activities:
        row: dict[str, Any] = {
            "number": activity.number,
            "ref": activity.ref,
            "kegiatan": activity.kegiatan,
            "pelaksana": list(activity.pelaksana),
            "mode": activity.mode if automated or activity.mode != "automated" else "manual",
            "tag": activity.automated or activity.automated_part,
            "manual_step": activity.manual_step,  # as the catalogue has it now: kept
            "limit_s": activity.limit_seconds,
            "status": "pending-manual",
            "hosts": [],
            "outputs": [],
        }
        if row["mode"] == "automated" or (chosen and activity.number not in chosen):
            row["status"] = "not-run"
        elif activity.automated_by:
            row.update(delegations.get(activity.number) or _not_delegated(activity.automated_by))
        rows.append(row)
    return rows


def _not_delegated(other: str) -> dict[str, Any]:
    return {
        "status": "pending-manual",
        "outputs": [],
        "note": f"belum ada pelaksanaan SOP {other} yang berhasil",
    }


def _delegations(
    sop: Sop, store: Store, court: str | None, zone: tzinfo, at: datetime
) -> dict[int, dict[str, Any]]:
    """Per activity carried out by another SOP, its row's status, outputs and note at
    `at`: delegated when that SOP succeeded within this SOP's period at this court
    (`court` None: a store without court names), for real (a check-mode run performs
    nothing) and whole (a partial run did some of its activities only). The period is
    the one `sop overdue` judges this SOP by (overdue.falls_due: a monthly SOP's is a
    calendar month on the court's clock `zone`); an on-demand SOP, which has none, takes
    a day."""
    from sop.overdue import falls_due

    period = sop.period_seconds or ON_DEMAND_DELEGATION_S
    found: dict[int, dict[str, Any]] = {}
    for activity in sop.activities:
        if not activity.automated_by:
            continue
        done = store.executions(
            sop_id=activity.automated_by,
            status="successful",
            court=court,
            check_mode=False,
            partial=False,
            limit=1,
        )
        if not done or at >= falls_due(sop, period, done[0]["started_at"], zone, ()):
            found[activity.number] = _not_delegated(activity.automated_by)
            continue
        found[activity.number] = {
            "status": "delegated",
            "note": None,
            "outputs": [
                {
                    "sop": activity.automated_by,
                    "execution": done[0]["id"],
                    # on the court's clock, as every time the record shows
                    "started_at": done[0]["started_at"]
                    .astimezone(zone)
                    .isoformat(timespec="seconds"),
                }
            ],
        }
    return found


def _callback_env(tags_file: Path, project_dir: Path) -> dict[str, str]:
    """Load the sop_activity callback. ansible-runner sets ANSIBLE_CALLBACK_PLUGINS (the
    value in the environment, then its own directory), which takes precedence over
    ansible.cfg's callback_plugins: the project's plugins/callback goes into it. The
    plugin needs no enabling (CALLBACK_NEEDS_ENABLED is false), so ansible.cfg's
    callbacks_enabled applies unchanged."""
    given = os.environ.get("ANSIBLE_CALLBACK_PLUGINS", "")
    paths = [p for p in given.split(os.pathsep) if p]
    own = str(project_dir / "plugins" / "callback")
    return {
        "SOP_ACTIVITY_TAGS_FILE": str(tags_file),
        "ANSIBLE_CALLBACK_PLUGINS": os.pathsep.join(dict.fromkeys([*paths, own])),
    }


def _host_key_env() -> dict[str, str]:
    """Keep SSH host keys checked. ansible-runner turns Ansible's check off
    (ANSIBLE_HOST_KEY_CHECKING=False) unless its environment names the setting, and
    Ansible then puts `-o StrictHostKeyChecking=no` before an inventory's own
    `StrictHostKeyChecking=yes` (ssh takes the first): a server answering with another
    key got the run, the SIPP database password included (OpenSSH lets key
    authentication through a changed host key under `no`). Ansible's own default, True,
    unless the admin's environment says otherwise."""
    if "ANSIBLE_HOST_KEY_CHECKING" in os.environ:
        return {}
    return {"ANSIBLE_HOST_KEY_CHECKING": "True"}


def _path_env() -> dict[str, str]:
    """Run the ansible-playbook of the Ansible this process imports (same venv) first."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "ansible-playbook").is_file():
        return {}
    return {"PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", os.defpath)])}


CALLBACK_SILENT = (
    "the sop_activity callback plugin did not run (plugins/callback of the project not loaded, "
    "or it failed: see the run's stdout): the playbook ran, its activities cannot be recorded"
)


# The error of a run canceled by SIGHUP: no one typed Ctrl-C, the session went away.
HANGUP = "stopped: the terminal that started the run closed (SIGHUP)"


class Signals:
    """The signals that stop a run once it is recorded: SIGINT and SIGTERM (Ctrl-C,
    `systemctl stop`, a shutdown) cancel it, and so does SIGHUP (the terminal that started
    it closed: an SSH session dropped), saying so, unless `sop` started with SIGHUP ignored
    (`nohup sop run`: the run outlives its terminal); with a time limit (`sop run --time-limit`:
    its timer's service, schedule.py), or in any `timer`'s run (a unit written before
    --time-limit, its limit not on its command line), the signal systemd sends when the run
    passed that limit fails it, saying so, and that the limit counted the run's wait for the
    project's lock (`lock_wait`, seconds) when it waited."""

    def __init__(self, time_limit: str | None, lock_wait: float, *, timer: bool = False) -> None:
        self.received: list[int] = []
        self.time_limit = time_limit
        self.lock_wait = lock_wait
        self.timer = timer

    def handled(self) -> tuple[signal.Signals, ...]:
        timed = (signal.Signals[TIME_LIMIT_SIGNAL],) if self.time_limit or self.timer else ()
        ignored = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        hangup = () if ignored else (signal.SIGHUP,)
        return (signal.SIGINT, signal.SIGTERM, *hangup, *timed)

    def __call__(self) -> bool:
        """Whether one arrived (ansible-runner's cancel_callback)."""
        return bool(self.received)

    def outcome(self) -> tuple[str, str | None]:
        """The status and error a run they stopped is recorded with."""
        if signal.Signals[TIME_LIMIT_SIGNAL] in self.received:
            limit = f" of {self.time_limit}" if self.time_limit else ""
            counted = (
                f", which counted its wait of {format_seconds(self.lock_wait)} for the "
                "install's lock"
                if self.lock_wait >= 1
                else ""
            )
            return "failed", (
                f"stopped: the run passed its time limit{limit} "
                f"(TimeoutStartSec of its timer's service{counted})"
            )[:300]
        if self.received[:1] == [signal.SIGHUP]:  # the first: not a Ctrl-C before it
            return "canceled", HANGUP
        return "canceled", None


@contextmanager
def _cancel_on_signals(time_limit: str | None, lock_wait: float, timer: bool) -> Iterator[Signals]:
    """Signals' signals during the run stop it (ansible-runner's cancel_callback). Once a
    SIGHUP came, SIGHUP stays ignored after: the terminal is gone, and the second one an
    SSH session's drop sends (the kernel's, then its shell's) killed sop while it showed
    the outcome recorded, its exit status no longer the record's (a canceled run's 5)."""
    signals = Signals(time_limit, lock_wait, timer=timer)

    def handler(signum: int, _frame: FrameType | None) -> None:
        signals.received.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in signals.handled()}
    try:
        yield signals
    finally:
        if signal.SIGHUP in signals.received:
            previous[signal.SIGHUP] = signal.SIG_IGN
        for sig, old in previous.items():
            signal.signal(sig, old)


def _read_stdout(artifact_dir: Path) -> str:
    """The run's output, its ``stdout`` artifact rewritten masked first (a file of its own
    replacing it): a task's text was masked in its event (``mask_event``), but Ansible's
    own lines outside a task (its error and warning lines, which may quote an extra var's
    or an inventory's setting) are written by ansible-runner as the playbook printed them,
    and a vault block's payload lines are masked knowing the header line before them
    (``mask_output_lines``). Its line endings are kept (a pty's \\r\\n), and so are its
    bytes that are not UTF-8 (a command's output in another encoding: evidence as written),
    which the text returned shows as U+FFFD."""
    stdout = artifact_dir / "stdout"
    if not stdout.is_file():
        return ""
    raw = stdout.read_bytes().decode("utf-8", errors="surrogateescape")
    masked = "".join(mask_output_lines(raw.splitlines(keepends=True)))
    data = masked.encode("utf-8", errors="surrogateescape")
    if masked != raw:
        handle, name = tempfile.mkstemp(prefix=".stdout.", dir=artifact_dir)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(name).replace(stdout)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    return data.decode("utf-8", errors="replace")


def _error_line(stdout: str) -> str | None:
    """Ansible's own one-line error (syntax, vault, ...) from the run's output, masked as
    a failed task's cause is (it may quote a URL or command line it could not use) and
    for the ``key: value`` settings it may quote (an inventory's, a vars file's)."""
    for line in reversed(stdout.splitlines()):
        text = _ANSI.sub("", line).strip()
        if text.startswith(("ERROR!", "[ERROR]")):
            return mask_ansible_error(text)[:300]
    return None


def _status(runner_status: str, rc: int | None, stats: dict[str, dict[str, int]]) -> str:
    """The run's outcome. A playbook that reported its final stats ran to its end: a
    cancel that came as it was exiting (ansible-runner's, rc 254) leaves its stats'
    outcome standing, not `canceled` over a backup made, verified and pruned."""
    if runner_status == "canceled" and not stats:
        return "canceled"
    failures = any(s.get("failures") for s in stats.values())
    unreachable = any(s.get("dark") for s in stats.values())
    ended_well = not failures and not unreachable
    if (rc == 0 and runner_status == "successful") or (runner_status == "canceled" and ended_well):
        return "successful"
    return "unreachable" if unreachable and not failures else "failed"


def _activity_rows(
    recorder: EventRecorder,
    initial: list[dict[str, Any]],
    *,
    cut_short: str,
    numbers: set[int] | None = None,
) -> list[dict[str, Any]]:
    """The automated activities' rows as the events tell them so far (only `numbers`,
    if given). The one the playbook is in, or was in when it stopped before its end,
    gets the status `cut_short` (running, canceled or failed) unless it already failed.

    A manual activity's automated part (the catalogue's `automated_part`) is recorded
    once it ran (a result other than skipped) or a stop cut it short before any result:
    its hosts, times, outputs and warnings. Its status only when it failed, its host was
    unreachable or it was cut short; else the row keeps its own (`pending-manual`, or
    `acknowledged` by a `sop ack` meanwhile): the step waits for its ack as a manual one
    does. Its tasks all skipped (not asked for): its row is left as it was recorded."""
    rows = []
    unfinished = recorder.unfinished()
    for row in initial:
        progress = recorder.activities.get(row["number"])
        if progress is None or (numbers is not None and progress.number not in numbers):
            continue
        cut = progress.number == unfinished
        status: str | None = progress.status
        if row["mode"] == "automated":
            if status == "running" or (cut and status not in ("failed", "unreachable")):
                status = cut_short
        else:
            stopped = cut and cut_short != "running"
            if not (progress.ran or (stopped and not progress.counts)):
                continue
            if status not in ("failed", "unreachable"):
                status = cut_short if stopped else None
        # no end, no duration yet (nor after a kill -9)
        going = status == "running" or (status is None and cut and cut_short == "running")
        rows.append(
            {
                "number": row["number"],
                **({} if status is None else {"status": status}),
                "hosts": sorted(progress.hosts),
                "started_at": progress.started,
                "ended_at": None if going else progress.ended,
                "duration_s": None if going else progress.duration,
                "over_time": None if going else progress.over_time,
                "outputs": progress.outputs,
                "warnings": progress.recorded_warnings,
            }
        )
    return rows


def _court_values(sop: Sop, court_name: Any, kode_satker: Any) -> dict[str, Any]:
    """The execution's columns that depend on the court (and its catalogue overrides)."""
    return {
        "court_name": court_name,
        "court_kode_satker": kode_satker,
        "sop_number": sop.number,
        "catalogue_hash": sop.digest[:16],
    }


def _start(
    request: RunRequest,
    sop: Sop,
    store: Store,
    court: dict[str, Any],
    *,
    automated: bool,
    timezone: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Lock the target and record the execution as running (`timezone`: the court's, as
    its inventory names it, when read)."""
    from sop.locking import start_execution

    initial = _initial_activities(
        sop,
        store,
        automated=automated,
        court=court["court_name"],
        chosen=request.activities,
        timezone=timezone,
    )
    pid = os.getpid()
    execution_id = start_execution(
        store,
        request.data_dir,
        {
            "sop_id": sop.id,
            "sop_title": sop.title,
            "catalogue_version": __version__,
            "operator": request.operator,
            "trigger": request.trigger,
            **court,
            "inventory": request.inventory,
            "limit_pattern": request.limit,
            "check_mode": request.check,
            "partial": ",".join(map(str, request.activities)) or None,
            "extra_var_names": request.extra_vars.names,
            "hosts": [],
            "pid": pid,
            "pid_start": process_token(pid),
            "lock_wait_s": round(request.lock_wait_s, 3),
        },
        initial,
    )
    return execution_id, initial


# A run writes its record and artifacts (about 1 MB for one of the project's SOPs) into
# the data directory: a directory that cannot hold them is refused before anything starts,
# instead of a run cut short by a full disk halfway through.
MIN_FREE_BYTES = 64 << 20


def _require_room(data_dir: Path) -> None:
    """SopError (exit 6) when the data directory has less than MIN_FREE_BYTES free."""
    free = shutil.disk_usage(data_dir).free
    if free < MIN_FREE_BYTES:
        raise SopError(
            f"only {free / 2**20:.1f} MiB free in {data_dir}: a run's record and artifacts "
            f"need at least {MIN_FREE_BYTES >> 20} MiB; free some space and run it again",
            ExitCode.INTERNAL,
        )


def _keep_artifacts() -> int:
    """SOP_KEEP_ARTIFACTS: the artifact directories a run keeps (0: every one);
    SopError (nothing recorded yet) when it is no whole number."""
    given = os.environ.get("SOP_KEEP_ARTIFACTS")
    if given is None:
        return DEFAULT_KEEP_ARTIFACTS
    count = given.strip()
    if not (count.isascii() and count.isdigit() and len(count) <= 9):
        raise SopError(
            f"SOP_KEEP_ARTIFACTS={quoted(shortened(given))}: must be a whole number of artifact "
            "directories to keep (0: keep every one)"
        )
    return int(count)


def run(request: RunRequest, store: Store, progress: Progress) -> RunResult:
    """Lock, record, run the SOP and record its outcome; the caller maps RunResult.exit_code
    to the process. SopError (nothing recorded) for bad input: missing playbook, locked
    target, a malformed inventory or no matching host (for a SOP of manual steps only read
    in-process; else refused by ansible-playbook before it touched any host, and the
    execution's record removed again)."""
    playbook = request.sop.playbook_path(request.project_dir)
    _require_room(request.data_dir)
    keep = _keep_artifacts()
    if playbook is None:  # manual steps only: recorded, to be acknowledged
        info = inventory.load(request.inventory, request.limit, request.vault)
        sop = apply_overrides(request.sop, info.overrides, info.court_name, request.inventory)
        timezone = court_timezone(info.schedule, request.inventory)
        court = _court_values(sop, info.court_name, info.court_kode_satker)
        execution_id, _ = _start(request, sop, store, court, automated=False, timezone=timezone)
        store.finish_execution(execution_id, status="successful", rc=0)
        return RunResult(execution_id, "successful", 0, None, timezone=timezone)
    make_run_dirs(request.data_dir)
    court = _court_values(request.sop, None, None)  # until the playbook reports it
    # SIGINT/SIGTERM/SIGHUP from the moment the execution is recorded until its outcome is: a
    # cancel before the playbook starts or while it runs; once it has ended, its outcome
    # is recorded and stands.
    with (
        request.vault.shared_file() as vault_file,
        _cancel_on_signals(
            request.time_limit, request.lock_wait_s, request.trigger == "timer"
        ) as signals,
    ):
        execution_id, initial = _start(request, request.sop, store, court, automated=True)
        try:
            return _run_playbook(
                request,
                store=store,
                progress=progress,
                playbook=playbook,
                execution_id=execution_id,
                initial=initial,
                signals=signals,
                keep=keep,
                vault_file=vault_file,
            )
        except SopError:
            raise  # bad input (its record removed), or the store failed (recorded if it can)
        except BaseException as exc:
            store.finish_execution(
                execution_id, status="failed", rc=None, error=f"internal error: {exc!r}"[:300]
            )
            raise


class _Events:
    """ansible-runner's event_handler: the activity recorder; the ansible-playbook pid
    (every event carries it) recorded once, at the first event; the court, recorded once
    the sop_activity callback reported it (read with the first task's tags); each
    activity's row written as the next one starts (the one started, `running`), so that
    a killed `sop` leaves what was done as evidence."""

    def __init__(
        self,
        recorder: EventRecorder,
        store: Store,
        execution_id: int,
        initial: list[dict[str, Any]],
        source: str,
    ) -> None:
        self.recorder = recorder
        self.source = source  # the inventory the run was given, which its errors name
        self.store = store
        self.execution_id = execution_id
        self.initial = initial
        self.current: int | None = None  # the activity whose start was recorded last
        self.playbook_pid: int | None = None
        self.court_reported = False  # the callback's court line was read
        self.court_recorded = False  # a court was recorded (from the callback or inventory)
        self.court_problem: str | None = None
        self.court_left_out = "the court's catalogue overrides"
        self.timezone: str | None = None  # the court's sop_schedule.timezone
        self.timezone_problem: str | None = None
        # What failed in the handler (the store: a dropped connection, a full disk): the
        # playbook is canceled (`stop`), never left running on unrecorded.
        self.failure: Exception | None = None

    def stop(self) -> bool:
        """Part of ansible-runner's cancel_callback: the handler failed."""
        return self.failure is not None

    def __call__(self, event: dict[str, Any]) -> bool:
        """An exception raised here would go up through ansible-runner's output reader,
        leaving ansible-playbook running; it is kept, and the run canceled. The event is
        masked once handled, before ansible-runner writes it and its text as artifacts."""
        try:
            if self.failure is not None:
                return True  # canceled: ansible-playbook is being stopped
            return self.handle(event)
        except Exception as exc:  # re-raised by _run_playbook once the playbook stopped
            self.failure = exc
            return True
        finally:
            mask_event(event)

    def handle(self, event: dict[str, Any]) -> bool:
        if self.playbook_pid is None and isinstance(event.get("pid"), int):
            self.playbook_pid = int(event["pid"])
            self.store.set_playbook_process(
                self.execution_id, self.playbook_pid, process_token(self.playbook_pid)
            )
        handled = self.recorder(event)
        current = self.recorder.current()
        if current is not None and current != self.current:
            numbers = {current} if self.current is None else {current, self.current}
            self.store.update_activities(
                self.execution_id,
                _activity_rows(self.recorder, self.initial, cut_short="running", numbers=numbers),
            )
            self.current = current
        if not self.court_reported:
            self.poll_court(refresh=False)
        return handled

    def poll_court(self, *, refresh: bool) -> None:
        court = self.recorder.tag_index.court(refresh=refresh)
        if court is None:
            return
        self.court_reported = True
        if "error" in court:  # e.g. a vaulted court_name that does not decrypt
            where = inventory.named(self.source)
            self.court_problem = f"{where}: court variables: {court['error']}"
            self.court_left_out = "the court's variables"
        else:
            self.record_court(court)

    def record_court(self, court: dict[str, Any]) -> None:
        """Record the court's identity, with its catalogue overrides applied to the SOP
        (an invalid override is bad input, reported when the run ends: the playbook is
        not stopped halfway for a label; the run is then judged by the catalogue's Mutu
        Baku). The court's variables arrive at the first play, before its first task."""
        from sop.store import now

        self.court_recorded = True
        sop = self.recorder.sop
        left_out = []
        problems = inventory.identity_problems(court, self.source)
        if problems:  # recorded without them: never a wrong court or kode satker
            self.court_problem = next(iter(problems.values()))
            left_out.append(f"its {' and '.join(problems)}")
            court = {**court, **dict.fromkeys(problems)}
        try:
            overrides = court.get("sop_catalogue_overrides")
            sop = apply_overrides(sop, overrides, court.get("court_name"), self.source)
        except SopError as exc:
            self.court_problem = self.court_problem or str(exc)
            left_out.append("the court's catalogue overrides")
        if left_out:
            self.court_left_out = " and ".join(left_out)
        try:
            self.timezone = court_timezone(court.get("sop_schedule"), self.source)
        except SopError as exc:  # its times are shown on the default clock
            self.timezone_problem = str(exc)
        # The Mutu Baku the court's own SOP document sets: recorded, and what the
        # activities' durations are judged against (`over_time`, computed at their end).
        for activity in sop.activities:
            progress = self.recorder.activities.get(activity.number)
            if progress is not None:
                progress.limit_seconds = activity.limit_seconds
        self.store.set_court(
            self.execution_id,
            _court_values(sop, court.get("court_name"), court.get("court_kode_satker")),
            {
                a.number: {"pelaksana": list(a.pelaksana), "limit_s": a.limit_seconds}
                for a in sop.activities
            },
        )
        # The activities another SOP carries out, delegated by its runs at this court:
        # only rows still waiting for it (a partial run asked for none; one a `sop ack`
        # recorded while the run started keeps that ack: Store.delegate).
        court_name = court.get("court_name")
        delegated = _delegations(
            sop,
            self.store,
            court_name if isinstance(court_name, str) else None,
            office_clock(self.timezone),
            now(),
        )
        self.store.delegate(
            self.execution_id,
            {number: row for number, row in delegated.items() if row["status"] == "delegated"},
        )


def _scrub_on_start(status: dict[str, Any], runner_config: Any) -> None:
    """ansible-runner's status_handler: once ansible-playbook starts (`running`), the
    `command` artifact written just before no longer needs the environment it holds."""
    if status.get("status") == "running":
        scrub_command(Path(runner_config.artifact_dir) / "command")


def _artifact_ident(artifacts_root: Path, execution_id: int) -> str:
    """The artifacts are named by the execution id (unless an older store used it)."""
    ident = str(execution_id)
    return ident if not (artifacts_root / ident).exists() else f"{ident}-{os.getpid()}"


def _runner(
    request: RunRequest,
    *,
    playbook: Path,
    private: Path,
    execution_id: int,
    events: _Events,
    cancel_requested: Callable[[], bool],
    keep: int,
    vault_file: str | None,
) -> Runner:
    from ansible_runner.interface import init_runner

    artifacts_root = request.data_dir / ARTIFACTS_DIR
    artifacts_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    cmdline = ["--check"] if request.check else []
    if request.extra_vars.values:  # a private file, never the command line
        values_file = private / "extravars.json"
        values_file.touch(mode=0o600)
        values_file.write_text(json.dumps(request.extra_vars.values), encoding="utf-8")
        cmdline += ["-e", f"@{values_file}"]
    for file in request.extra_vars.files:
        cmdline += ["-e", f"@{file}"]
    tags = [a.automated for a in request.sop.activities if a.number in request.activities]
    # The password file (a typed password's in memory: VaultOptions.shared_file) in the
    # environment, not on ansible-playbook's command line: what the playbook runs on the
    # controller (`sop -i` in SOP Pengamanan TI) reads the same vault.
    vault_env = {"ANSIBLE_VAULT_PASSWORD_FILE": vault_file} if vault_file else {}
    # The data directory the run records into, for what a playbook keeps on the controller
    # (server_incident's diagnostics bundles): inside the project, an install's rsync
    # --delete removed them.
    data_env = {"SOP_DATA_DIR": str(request.data_dir)}
    ident = _artifact_ident(artifacts_root, execution_id)
    claim_artifacts(private, ident)  # its raw events are its own while it runs
    runner = init_runner(
        private_data_dir=str(private),
        project_dir=str(request.project_dir),
        playbook=str(playbook),
        inventory=request.inventory,
        limit=request.limit,
        tags=",".join(tag for tag in tags if tag) or None,  # tasks tagged `always` run too
        cmdline=shlex.join(cmdline) if cmdline else None,
        envvars={
            **_path_env(),
            **_host_key_env(),
            **_callback_env(events.recorder.tag_index.path, request.project_dir),
            **vault_env,
            **data_env,
        },
        settings={"pexpect_timeout": CANCEL_CHECK_SECONDS},
        suppress_env_files=True,  # envvars and settings stay in memory
        artifact_dir=str(artifacts_root),
        ident=ident,
        rotate_artifacts=0,  # rotated here: ansible-runner's fails on concurrent runs
        fact_cache_type="",  # keep ansible.cfg's fact cache
        quiet=True,
        event_handler=events,
        status_handler=_scrub_on_start,
        cancel_callback=cancel_requested,
    )
    rotate_artifacts(request.data_dir, keep)  # its own dir, now created, among the kept
    return runner


def _refused(request: RunRequest, status: str, events: _Events) -> str | None:
    """Bad input that kept ansible-playbook from touching any host, as one line. Only
    when no host ran, the inventory is read in-process, for the same one-line errors as
    before anything runs (malformed, no host matching --limit, vault) and, when it is
    fine, for the court of the failed execution (the playbook failed before any play:
    syntax, missing role)."""
    if status == "canceled" or events.recorder.hosts():
        return None
    if status == "successful":  # every play skipped: "no hosts matched"
        where = target(request.inventory, request.limit)
        return f"the playbook ran on no host: no host of {where} is in its plays"
    if events.court_recorded:
        return None
    try:
        info = inventory.load(request.inventory, request.limit, request.vault)
    except SopError as exc:
        return str(exc)
    events.record_court(
        {
            "court_name": info.court_name,
            "court_kode_satker": info.court_kode_satker,
            "sop_catalogue_overrides": info.overrides,
            "sop_schedule": info.schedule,
        }
    )
    return None


def _stopped(
    store: Store, execution_id: int, events: _Events, initial: list[dict[str, Any]], runner: Runner
) -> NoReturn:
    """The event handler failed and the playbook was canceled for it. The store's error
    (a SopError: one line) is recorded if the store is back, and raised as one line
    naming the execution; another exception is a bug, recorded by `run`."""
    failure = events.failure
    if not isinstance(failure, SopError):
        raise failure or AssertionError("no failure")
    error = f"{failure}; the playbook was stopped"
    with suppress(SopError):  # still unavailable: the next `sop` command marks it interrupted
        store.finish_execution(
            execution_id,
            status="failed",
            rc=runner.rc,
            error=error[:300],
            hosts=events.recorder.hosts(),
            activities=_activity_rows(events.recorder, initial, cut_short="failed"),
            host_stats=events.recorder.host_stats(),
            artifact_dir=str(runner.config.artifact_dir),
        )
    raise SopError(
        f"{failure} (execution {execution_id}: its playbook was stopped)", failure.code
    ) from None


def _run_playbook(
    request: RunRequest,
    *,
    store: Store,
    progress: Progress,
    playbook: Path,
    execution_id: int,
    initial: list[dict[str, Any]],
    signals: Signals,
    keep: int,
    vault_file: str | None,
) -> RunResult:
    private = private_dir(request.data_dir)
    tag_index = TagIndex(private / "activity-tags.jsonl")
    recorder = EventRecorder(
        request.sop, tag_index, on_change=progress.activity, chosen=request.activities
    )
    events = _Events(recorder, store, execution_id, initial, request.inventory)
    try:
        if signals():  # a signal once recorded: nothing starts
            status, error = signals.outcome()
            store.finish_execution(execution_id, status=status, rc=None, error=error)
            from sop.notify import execution_ended

            execution_ended(store, execution_id)  # told like a run stopped while running
            return RunResult(execution_id, status, None, error)
        runner = _runner(
            request,
            playbook=playbook,
            private=private,
            execution_id=execution_id,
            events=events,
            cancel_requested=lambda: signals() or events.stop(),
            keep=keep,
            vault_file=vault_file,
        )
        progress.started(execution_id, target(request.inventory, request.limit))
        try:
            runner.run()
        finally:
            progress.finished()
        recorder.stopped(datetime.now(UTC))  # its tags file is still there to read
        if not events.court_reported and events.failure is None:  # no play, no task
            events.poll_court(refresh=True)
    finally:
        tag_index.close()
        shutil.rmtree(private, ignore_errors=True)
    artifact_dir = Path(runner.config.artifact_dir)
    scrub_command(artifact_dir / "command")
    output = _ANSI.sub("", _read_stdout(artifact_dir))
    if events.failure is not None:
        _stopped(store, execution_id, events, initial, runner)
    status = _status(runner.status, runner.rc, recorder.stats)
    error = None
    if status != "successful" and signals() and (status == "canceled" or not recorder.stats):
        # stopped by a signal: systemd signals the service's every process, so
        # ansible-playbook may have died of it before ansible-runner canceled it ("failed");
        # one that reported its final stats and ended uncanceled ran to its end: its
        # outcome stands
        status, error = signals.outcome()
    else:
        refused = _refused(request, status, events)
        if refused is not None:  # nothing ran: no execution to keep as evidence
            store.delete_execution(execution_id)
            shutil.rmtree(artifact_dir, ignore_errors=True)
            # its number was shown when it started
            raise SopError(f"{refused} (nothing ran: execution {execution_id} is not kept)")
    if status == "successful" and recorder.stats and not events.court_reported:
        # hosts ran tasks and the callback wrote not even its first line: every activity
        # would read not-run in a successful execution
        status, error = "failed", CALLBACK_SILENT
    if status in ("failed", "unreachable") and error is None:
        error = recorder.error() or _error_line(output)
    store.finish_execution(
        execution_id,
        status=status,
        rc=runner.rc,
        error=error,
        hosts=recorder.hosts(),
        activities=_activity_rows(recorder, initial, cut_short=cut_short_status(status)),
        host_stats=recorder.host_stats(),
        artifact_dir=str(artifact_dir),
    )
    from sop.notify import execution_ended

    execution_ended(store, execution_id)  # never raises: a notification never fails a SOP
    return RunResult(
        execution_id,
        status,
        runner.rc,
        error,
        events.court_problem,
        events.court_left_out,
        events.timezone,
        events.timezone_problem,
    )
