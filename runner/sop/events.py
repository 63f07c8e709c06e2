"""Turn ansible-runner events into SOP activity results.

ansible-runner's events carry no task tags, so the `sop_activity` callback plugin writes
`{"uuid": task uuid, "tags": [...]}` lines to a file; `TagIndex` reads new lines only when
it meets an unknown task uuid (or is asked for the court). At the first play with hosts
the plugin also writes `{"court": {court_name, court_kode_satker, sop_catalogue_overrides,
sop_schedule}}` as the playbook sees them: the court the runner records (and its clock).
For a no_log result that changed something it writes `{"uuid", "host", "changed": true}`:
ansible-runner's event keeps only `censored` of it, not the `changed` Ansible kept.
For a failed or unreachable result of a delegated task it writes `{"uuid", "host",
"delegated_to"}`: the event names only the inventory host, not the one the task ran on.
For an unreachable result the task ignores (`ignore_unreachable`) it writes `{"uuid",
"host", "ignore_unreachable": true}`: the event does not say so, but Ansible counts it ok
and ignored and the play goes on, as for an ignored failure (`ignore_errors`, which the
event says).
Each automated activity owns ONE tag, and so does a manual activity's optional automated
part (`automated_part`: its tasks' results are that activity's); a task belongs to the
first activity (catalogue order) whose tag it carries (in a partial run, the first of
those chosen); untagged tasks belong to none.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sop.catalogue import Sop
from sop.masking import mask_ansible_error

MAX_OUTPUTS_PER_ACTIVITY = 50
MAX_OUTPUT_CHARS = 4000
# A cause is one line, cut here (marked "…"): long enough for a SOP's summary of every
# failed activity (IT security names each finding of four activities in one message).
MAX_MESSAGE_CHARS = 1000
# The warnings a module returned (`module.warn`), per activity: each distinct one per host,
# masked and cut as a cause is; those past the count are counted, not kept.
MAX_WARNINGS_PER_ACTIVITY = 20
FILE_OUTPUT_KEYS = ("path", "dest", "size", "sha256")
HIDDEN = "(disembunyikan: no_log)"
# The record's closing entry of an activity's warnings past its bound (its host empty):
# how many were left out, which notify counts.
WARNINGS_LEFT_OUT = "({} peringatan lain tidak dicatat)"


class TagIndex:
    """task uuid -> tags, the court's variables and the changed no_log results, read
    lazily from the callback plugin's JSON-lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._partial = ""
        self._tags: dict[str, tuple[str, ...]] = {}
        self._court: dict[str, Any] | None = None
        self._hidden_changes: set[tuple[str, str]] = set()  # (task uuid, host)
        self._delegations: dict[tuple[str, str], str] = {}  # (task uuid, host) -> host
        self._ignored_unreachable: set[tuple[str, str]] = set()  # (task uuid, host)

    def tags(self, uuid: str) -> tuple[str, ...] | None:
        if uuid not in self._tags:
            self._read_new_lines()
        return self._tags.get(uuid)

    def hidden_changes(self) -> Set[tuple[str, str]]:
        """(task uuid, host) of each no_log result that changed something, as reported
        so far (one reported later is not in it yet)."""
        self._read_new_lines()
        return self._hidden_changes

    def ignored_unreachable(self) -> Set[tuple[str, str]]:
        """(task uuid, host) of each unreachable result its task ignored
        (`ignore_unreachable`), as reported so far (one reported later is not in it yet)."""
        self._read_new_lines()
        return self._ignored_unreachable

    def delegated_to(self, uuid: str, host: str) -> str | None:
        """The host a failed or unreachable result of task `uuid` for `host` ran on, when
        the task was delegated to another one, as read so far (`refresh`)."""
        return self._delegations.get((uuid, host))

    def refresh(self) -> None:
        """Read the lines the callback wrote since (the runner does once the playbook
        stopped, before the file goes)."""
        self._read_new_lines()

    def court(self, *, refresh: bool = False) -> dict[str, Any] | None:
        """The court's variables, once the playbook reported them (None before)."""
        if self._court is None and refresh:
            self._read_new_lines()
        return self._court

    def _read_new_lines(self) -> None:
        if self._file is None:
            try:
                self._file = self.path.open(encoding="utf-8")
            except FileNotFoundError:
                return
        for line in self._file:
            if not line.endswith("\n"):
                self._partial += line
                break
            record = json.loads(self._partial + line)
            self._partial = ""
            if "court" in record:
                self._court = record["court"]
            elif "changed" in record:
                self._hidden_changes.add((record["uuid"], record["host"]))
            elif "ignore_unreachable" in record:
                self._ignored_unreachable.add((record["uuid"], record["host"]))
            elif "delegated_to" in record:
                key = (record["uuid"], record["host"])
                self._delegations[key] = str(record["delegated_to"])
            else:
                self._tags[record["uuid"]] = tuple(record["tags"])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _time(event: dict[str, Any]) -> datetime:
    created = event.get("created")
    if not created:
        return datetime.now(UTC)
    value = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _finite(value: Any) -> Any:
    """`value` with each number JSON has not (NaN, an infinity: Ansible's JSON passes
    them on) as its name, the text JSON parsers that take it write: a store's json column
    refuses them, and `--json` could not print the record."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


# How an output longer than MAX_OUTPUT_CHARS is shortened, step by step until it fits:
# each text cut at this many characters, each list and nested mapping at this many items.
_SHRINK_STEPS = ((1000, 50), (400, 20), (200, 10), (80, 5), (40, 2))


def _shrunk(value: Any, chars: int, items: int) -> Any:
    """`value` (plain JSON) with each text cut at `chars` characters ("…" marks it) and
    each list and mapping at `items` entries, the rest counted ("(+N lainnya)")."""
    if isinstance(value, str):
        return value if len(value) <= chars else value[:chars] + "…"
    if isinstance(value, list):
        kept = [_shrunk(item, chars, items) for item in value[:items]]
        return [*kept, f"(+{len(value) - items} lainnya)"] if len(value) > items else kept
    if isinstance(value, dict):
        shown = {key: _shrunk(item, chars, items) for key, item in list(value.items())[:items]}
        if len(value) > items:
            shown["…"] = f"(+{len(value) - items} lainnya)"
        return shown
    return value


def _bounded(output: dict[str, Any]) -> dict[str, Any]:
    """The output as recorded: within MAX_OUTPUT_CHARS as JSON. A longer one keeps every
    key with its values shortened (`_shrunk`, marked ``truncated``), so a network SOP's
    reachability and router health stay recorded beside a long config diff; only an
    output that still does not fit is recorded as its key names."""
    plain = json.loads(json.dumps(output, default=str, ensure_ascii=False))
    if len(json.dumps(plain, ensure_ascii=False)) <= MAX_OUTPUT_CHARS:
        return plain  # type: ignore[no-any-return]
    for chars, items in _SHRINK_STEPS:
        shown = {key: _shrunk(value, chars, items) for key, value in plain.items()}
        shown["truncated"] = True
        if len(json.dumps(shown, ensure_ascii=False)) <= MAX_OUTPUT_CHARS:
            return shown
    return {"truncated": True, "keys": sorted(plain)[:20]}


def extract_outputs(res: Any) -> list[dict[str, Any]]:
    """The outputs a task result declares (see the README's output convention).

    - a top-level `sop_output` mapping (or list of mappings), or one under `ansible_facts`
      (from `ansible.builtin.set_fact: {sop_output: ...}`), recorded as-is;
    - else a file: a result with `sha256` and `path`/`dest` (custom modules), recorded as
      path/dest, size, sha256;
    - loop results are searched item by item; no_log results never are;
    - a number JSON has not (NaN, an infinity) is recorded as its name (`_finite`).
    """
    if not isinstance(res, dict) or "censored" in res or res.get("_ansible_no_log"):
        return []
    items = res.get("results")
    if isinstance(items, list):
        return [out for item in items for out in extract_outputs(item)]
    found: list[dict[str, Any]] = []
    facts = res.get("ansible_facts")
    for declared in (
        res.get("sop_output"),
        facts.get("sop_output") if isinstance(facts, dict) else None,
    ):
        if isinstance(declared, dict):
            found.append(declared)
        elif isinstance(declared, list):
            found.extend(d for d in declared if isinstance(d, dict))
    if not found and "sha256" in res and ("path" in res or "dest" in res):
        found.append({key: res[key] for key in FILE_OUTPUT_KEYS if key in res})
    return [_finite(output) for output in found]


def extract_warnings(res: Any) -> list[str]:
    """The warnings a task result returned (a module's `module.warn`, Ansible's own
    warnings about the task), its loop items' too, masked (`mask_ansible_error`) and cut
    as a failure's cause is; none of a no_log result. Deprecations are Ansible's notes to
    the playbook's author, not the run's: left out."""
    if not isinstance(res, dict) or "censored" in res or res.get("_ansible_no_log"):
        return []
    found = res.get("warnings")
    warnings = [_recorded(str(w)) for w in (found if isinstance(found, list) else []) if w]
    items = res.get("results")
    if isinstance(items, list):
        warnings += [warning for item in items for warning in extract_warnings(item)]
    return warnings


# Lines that say a task failed without saying why: never the recorded cause when the
# result holds anything better.
_GENERIC = (
    "non-zero return code",
    "module failure",
    "see stdout/stderr for the exact error",
    "one or more items failed",
    "all items completed",
)
_CAUSE_FIELDS = ("stderr", "module_stderr", "msg", "module_stdout", "reason")
_PREFIXES = ("Task failed: ",)


def _meaningful(text: Any) -> list[str]:
    lines = []
    for raw in str(text or "").splitlines():
        line = raw.strip()
        for prefix in _PREFIXES:
            line = line.removeprefix(prefix)
        if line and not any(generic in line.lower() for generic in _GENERIC):
            lines.append(line)
    return lines


def failure_cause(res: Any) -> str:
    """A failed result's own cause, one line: the last meaningful line of its stderr (a
    command's or a module's), else its msg; a failed loop item's when the loop's own is
    generic. no_log results stay hidden. The line is recorded, so its secrets (a URL's
    user:password@, --password=X, TOKEN=X, a quoted setting's ``"dbPassword": "x"``) are
    masked (`mask_ansible_error`, as the events kept as artifacts are) before it is cut."""
    if not isinstance(res, dict):
        return ""
    if "censored" in res or res.get("_ansible_no_log"):
        return HIDDEN
    for key in _CAUSE_FIELDS:
        lines = _meaningful(res.get(key))
        if lines:
            # stderr: its last line (the error after any progress/context); msg: its first
            return _recorded(lines[-1] if "std" in key else _headline(lines))
    items = res.get("results")
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and item.get("failed"):
            cause = failure_cause(item)
            if cause:
                return cause
    lines = [line.strip() for line in str(res.get("msg") or "").splitlines() if line.strip()]
    return _recorded(_headline(lines)) if lines else ""


def _headline(lines: list[str]) -> str:
    """A message's first line, with the lines it introduces when it ends with a colon:
    Ansible's argument validation says "Validation of arguments failed:" and the wrong
    variable and value only on the lines after it."""
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {'; '.join(lines[1:])}"
    return lines[0]


# Ansible's unreachable messages that end with the ssh output they quote, empty when the
# host took the connection and then stopped answering (hung, paused, overloaded): the
# record said "... waiting for privilege escalation prompt:" and nothing after it.
_NO_ANSWER = (
    (re.compile(r"^Timeout \(\d+s\) waiting for privilege escalation prompt:\s*$"),
     "the host took the connection but did not answer in time (hung or overloaded, "
     "or sudo asked for a password)"),
    (re.compile(r"^Data could not be sent to remote host .*over ssh:\s*$"),
     "ssh gave no reason (the host stopped answering or the connection dropped)"),
)


# ssh's refusals of a host key (sshconnect.c), which Ansible quotes after its own first
# line and a banner of @ signs the record kept as the cause.
_KEY_CHANGED = re.compile(
    r"REMOTE HOST IDENTIFICATION HAS CHANGED.*?The fingerprint for the (?P<type>\S+) key sent"
    r" by the remote host is\s*(?P<key>\S+?)\.?\s"
    r".*?Add correct host key in (?P<file>.+?) to get rid",
    re.DOTALL)
_KEY_UNKNOWN = re.compile(
    r"No (?P<type>\S+) host key is known for (?P<host>\S+) and you have requested strict checking")


def _host_key_refusal(res: Any) -> str | None:
    """The cause of an unreachable result whose host ssh refused for its host key, in one
    line saying what it means and what to do; None for other results."""
    message = str(res.get("msg") or "") if isinstance(res, dict) else ""
    if "Host key verification failed" not in message:
        return None
    changed = _KEY_CHANGED.search(message)
    if changed:
        key = f"{changed['type']} {changed['key']}"
        return (f"the host answered with another SSH host key ({key}) than "
                f"{os.path.normpath(changed['file'])} holds for it: a reinstalled server, or "
                "another machine in its place; check the key on the server's console, then "
                "replace it (ssh-keygen -R)")
    unknown = _KEY_UNKNOWN.search(message)
    if unknown:
        return (f"no SSH host key of {unknown['host']} is in known_hosts (the file the "
                "inventory's UserKnownHostsFile names, else ~/.ssh/known_hosts): add it, "
                "checked against the server's console (ssh-keyscan, ssh-keygen -lf)")
    return "ssh refused the host's key (Host key verification failed)"


def _result_cause(status: str, res: Any) -> str:
    """A failed or unreachable result's cause as the record and the activity's output say
    it: `failure_cause`, else the status; an unreachable host's saying what an empty ssh
    output or ssh's host key refusal means."""
    if status == "unreachable":
        refusal = _host_key_refusal(res)
        if refusal:
            return _recorded(refusal)
    cause = failure_cause(res) or status
    if status == "unreachable":
        for pattern, meaning in _NO_ANSWER:
            if pattern.match(cause):
                return f"{cause.rstrip().rstrip(':')}: {meaning}"
    return cause


def _recorded(line: str) -> str:
    """The line masked, then cut: a cut first could leave a URL's password without the @
    that marks it."""
    line = mask_ansible_error(line)
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


@dataclass
class ActivityProgress:
    """What happened so far to one automated activity, or to a manual one's automated part."""

    number: int
    tag: str
    limit_seconds: int | None
    counts: Counter[str] = field(default_factory=Counter)
    hosts: set[str] = field(default_factory=set)
    # The record's start and end: the wall-clock times of its first and last event (their
    # `created`), shown as the controller's clock read them.
    started: datetime | None = None
    ended: datetime | None = None
    # When the runner received those events, on its monotonic clock: what its duration
    # is measured on (EventRecorder.clock).
    started_clock: float | None = None
    ended_clock: float | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)  # {"host", "warning"}
    warnings_left_out: set[tuple[str, str]] = field(default_factory=set)
    current_task: str = ""

    @property
    def status(self) -> str:
        """Ansible's worst outcome over the activity's task results."""
        for status in ("unreachable", "failed", "changed", "ok"):
            if self.counts[status]:
                return status
        if self.counts["skipped"]:
            return "skipped"
        return "running" if self.started else "not-run"

    @property
    def ran(self) -> bool:
        """A task of it returned a result other than skipped: a manual activity's
        automated part whose tasks were all skipped (the website's quarantine not asked
        for) did not run."""
        return any(self.counts[status] for status in ("ok", "changed", "failed", "unreachable"))

    @property
    def duration(self) -> float | None:
        """Seconds from its first event to its last as the runner received them, on the
        monotonic clock: a wall clock set back (or forward) meanwhile changes its times,
        not its duration."""
        if self.started_clock is None or self.ended_clock is None:
            return None
        return self.ended_clock - self.started_clock

    @property
    def over_time(self) -> bool | None:
        duration = self.duration
        if duration is None or self.limit_seconds is None:
            return None
        return duration > self.limit_seconds

    def note_start(self, when: datetime, clock: float) -> None:
        """One of its tasks started (or answered) at ``when``, the event received at
        ``clock`` (monotonic): the first received is its start. Not the earliest
        ``when``: after a wall clock set back, that is a later event's."""
        if self.started_clock is None or clock < self.started_clock:
            self.started, self.started_clock = when, clock

    def note_end(self, when: datetime, clock: float) -> None:
        """Its latest event so far, or its stop, at ``when`` (received at ``clock``)."""
        self.ended, self.ended_clock = when, clock

    def add_output(self, output: dict[str, Any]) -> dict[str, Any] | None:
        """The output as recorded (`_bounded`); None past the bound (left out)."""
        if len(self.outputs) >= MAX_OUTPUTS_PER_ACTIVITY:
            return None
        recorded = _bounded(output)
        self.outputs.append(recorded)
        return recorded

    def add_warning(self, host: str, warning: str) -> None:
        """A warning ``host`` returned, once per host: the first ones kept, the others
        past the bound counted."""
        entry = {"host": host, "warning": warning}
        if entry in self.warnings:
            return
        if len(self.warnings) < MAX_WARNINGS_PER_ACTIVITY:
            self.warnings.append(entry)
        else:
            self.warnings_left_out.add((host, warning))

    @property
    def recorded_warnings(self) -> list[dict[str, str]]:
        """The warnings as the record keeps them, closed by how many were left out."""
        if not self.warnings_left_out:
            return list(self.warnings)
        left_out = len(self.warnings_left_out)
        more = {"host": "", "warning": WARNINGS_LEFT_OUT.format(left_out)}
        return [*self.warnings, more]


_RESULT_STATUS = {
    "runner_on_ok": "ok",
    "runner_on_failed": "failed",
    "runner_on_skipped": "skipped",
    "runner_on_unreachable": "unreachable",
}


class EventRecorder:
    """ansible-runner `event_handler`: O(1) per event, keeps every event in the artifacts."""

    def __init__(
        self,
        sop: Sop,
        tag_index: TagIndex,
        on_change: Callable[[ActivityProgress], None] | None = None,
        chosen: tuple[int, ...] = (),
    ) -> None:
        self.sop = sop
        self.tag_index = tag_index
        self.on_change = on_change
        # Durations are measured on this clock as each event ARRIVES, not on the events'
        # `created`: those are the wall clock of ansible-playbook's process, and a clock
        # set back during an activity (NTP stepping it, an operator) made the earliest of
        # them a later event's, its duration only the time after the step (0 s: judged
        # within its Mutu Baku). Clamping backward steps would still lose the time
        # before each one. ansible-runner hands each event to the handler as it reads
        # ansible-playbook's output, so arrival lags creation by the same few
        # milliseconds at both ends; `created` stays the record's start and end times.
        self.clock: Callable[[], float] = time.monotonic
        self.activities = {
            a.number: ActivityProgress(a.number, tag, a.limit_seconds)
            for a in sop.activities
            if (tag := a.automated or a.automated_part)
        }
        # A partial run (`chosen`) runs a task for a chosen activity's tag: the task is
        # that activity's even when it also carries the tag of one not chosen.
        self._tag_to_activity = {
            tag: number for tag, number in sop.tag_map().items() if not chosen or number in chosen
        }
        self._task_activity: dict[str, int | None] = {}
        self._unresolved_start: dict[str, tuple[datetime, float]] = {}
        self.stats: dict[str, dict[str, int]] = {}
        self.hosts_seen: set[str] = set()
        # (host, task uuid, one-line cause after the host's label)
        self.failures: list[tuple[str, str, str]] = []
        self._last_task: str | None = None  # the uuid of the task started last
        # no_log results counted ok whose change the callback had not reported yet:
        # (task uuid, host) -> their activity, once per result; changed once it is
        self._hidden_pending: dict[tuple[str, str], list[ActivityProgress]] = {}
        # unreachable results whose task's ignore_unreachable the callback had not reported
        # yet: (task uuid, host) -> their activity and the error recorded in its outputs;
        # ok once it is, without that error
        self._unreachable_pending: dict[
            tuple[str, str], list[tuple[ActivityProgress, dict[str, Any] | None]]
        ] = {}

    def _activity_of(self, uuid: str) -> ActivityProgress | None:
        if uuid in self._task_activity:
            number = self._task_activity[uuid]
            return None if number is None else self.activities[number]
        tags = self.tag_index.tags(uuid)
        if tags is None:
            return None  # not known yet: retried at the task's next event
        # Catalogue order wins when a task carries several activity tags.
        matches = [self._tag_to_activity[t] for t in tags if t in self._tag_to_activity]
        number = min(matches) if matches else None
        self._task_activity[uuid] = number
        # A start seen before the task's tags were written counts once they are known,
        # whichever call learns them (an event, or current() between events).
        start = self._unresolved_start.pop(uuid, None)
        if number is None:
            return None
        activity = self.activities[number]
        if start is not None:
            activity.note_start(*start)
        return activity

    def __call__(self, event: dict[str, Any]) -> bool:
        kind = event.get("event", "")
        data = event.get("event_data") or {}
        if kind == "playbook_on_stats":
            self._record_stats(data)
            return True
        status = _RESULT_STATUS.get(kind)
        if status:
            self._record_host(status, data)
        uuid = data.get("task_uuid")
        if uuid and kind.endswith("task_start"):
            self._last_task = str(uuid)
            self._resolve_late()  # before the runner writes the last activity's row
        if not uuid or not (status or kind.endswith("task_start")):
            return True
        activity = self._activity_of(str(uuid))
        when, clock = _time(event), self.clock()
        if activity is None:
            if uuid not in self._task_activity:  # tags not written yet: remember the start
                self._unresolved_start.setdefault(str(uuid), (when, clock))
            return True
        activity.note_start(when, clock)
        activity.note_end(when, clock)
        activity.current_task = str(data.get("task") or "")
        if status:
            self._record_result(activity, status, data)
        if self.on_change is not None:
            self.on_change(activity)
        return True

    def _record_host(self, status: str, data: dict[str, Any]) -> None:
        """Every task result: the host it ran on; a failure's cause, in order."""
        host = str(data.get("host") or "")
        uuid = str(data.get("task_uuid") or "")
        if host:
            self.hosts_seen.add(host)
        if status == "unreachable":
            cause = _result_cause(status, data.get("res"))
            self.failures.append((host, uuid, f" unreachable: {cause}"))
        elif status == "failed" and not data.get("ignore_errors"):
            cause = _result_cause(status, data.get("res"))
            task = str(data.get("task") or "").strip()
            self.failures.append((host, uuid, f": {task}: {cause}" if task else f": {cause}"))

    def _failure(self, host: str, uuid: str, text: str) -> str:
        """A failure as the record says it: the host, `sipp -> backup` when the task ran
        on another host (delegate_to), as Ansible's output labels it, then the cause."""
        delegated = self.tag_index.delegated_to(uuid, host) if uuid else None
        return f"{host} -> {delegated}{text}" if delegated else f"{host}{text}"

    def error(self) -> str | None:
        """The execution's error: the failure that ended the first host that ended failed
        or unreachable, i.e. that host's LAST failure (the ones before it were rescued:
        a no_log check caught by a rescue that fails with its message); else the first
        failure. An unreachable result its task ignored (ignore_unreachable) is none, as
        an ignored failure is none. The other hosts that ended failed or unreachable are
        named after it (their causes are in the activities' outputs): the record never
        reads as one host's failure when several failed."""
        ignored = self.tag_index.ignored_unreachable()
        failures = [f for f in self.failures if (f[1], f[0]) not in ignored]
        ended_badly = {h for h, s in self.stats.items() if s.get("failures") or s.get("dark")}
        last: dict[str, str] = {}  # keeps the order in which hosts first failed
        for host, uuid, text in failures:
            if host in ended_badly:
                last[host] = self._failure(host, uuid, text)
        if last:
            first, *others = last
            if not others:
                return last[first]
            return f"{last[first]} (also failed: {', '.join(others)})"
        return self._failure(*failures[0]) if failures else None

    def current(self) -> int | None:
        """The activity of the task started last (None: none yet, or an untagged task)."""
        if self._last_task is None:
            return None
        activity = self._activity_of(self._last_task)
        return None if activity is None else activity.number

    def unfinished(self) -> int | None:
        """The activity a cancel or a crash cut short: the current one, unless the playbook
        reported its final stats (it ran to its end). Its earlier tasks' results may say
        ok or changed; its later tasks never ran. A cancel that falls between an
        activity's last task and the next one marks it too: the record never claims more
        than it can show."""
        return None if self.stats else self.current()

    def stopped(self, when: datetime) -> None:
        """The playbook stopped at ``when``: the activity a cancel or a crash cut short
        (`unfinished`) went on until then, not only until its task's last event (a task
        that hung until the run's time limit stopped it took that long). The no_log
        results whose change the callback reported after their event are changed, the
        unreachable results it reported ignored after theirs ok; the failures of delegated
        tasks name the host they ran on (`error`)."""
        number = self.unfinished()
        if number is not None:
            self.activities[number].note_end(when, self.clock())
        self.tag_index.refresh()  # the callback wrote its last line
        self._resolve_late()

    def hosts(self) -> list[str]:
        """The hosts the playbook actually ran on (a task result or the final stats)."""
        return sorted(self.hosts_seen | set(self.stats))

    def _record_result(self, activity: ActivityProgress, status: str, data: dict[str, Any]) -> None:
        host = str(data.get("host", ""))
        res = data.get("res")
        key = (str(data.get("task_uuid") or ""), host)
        if status == "failed" and data.get("ignore_errors"):
            status = "ok"  # and changed when it changed something, as Ansible counts it
        elif status == "unreachable" and key in self.tag_index.ignored_unreachable():
            status = "ok"  # ignore_unreachable: as Ansible counts it (ok, ignored)
        if status == "ok" and isinstance(res, dict) and res.get("changed"):
            status = "changed"
        elif status == "ok" and isinstance(res, dict) and "censored" in res:
            # ansible-runner kept only `censored` of a no_log result: the callback's line
            # says whether it changed something, maybe only after this event
            if key in self.tag_index.hidden_changes():
                status = "changed"
            else:
                self._hidden_pending.setdefault(key, []).append(activity)
        activity.counts[status] += 1
        if host:
            activity.hosts.add(host)
        for warning in extract_warnings(res):
            activity.add_warning(host, warning)
        if status in ("failed", "unreachable"):
            cause = _result_cause(status, res)
            task = data.get("task", "")
            error = activity.add_output({"host": host, "task": task, "error": cause})
            if status == "unreachable":  # the callback may say after this event it is ignored
                self._unreachable_pending.setdefault(key, []).append((activity, error))
            return
        for output in extract_outputs(res):
            activity.add_output({"host": host, "task": data.get("task", ""), **output})

    def _resolve_late(self) -> None:
        """The results whose callback line came after their event. The no_log results
        counted ok whose change the callback has reported since: changed; those it never
        reports (nothing changed) stay ok. The unreachable results it has reported
        ignored since: ok, their error taken out of the activity's outputs; the others
        stay unreachable."""
        if self._hidden_pending:
            reported = self.tag_index.hidden_changes()
            for key in [key for key in self._hidden_pending if key in reported]:
                for activity in self._hidden_pending.pop(key):
                    activity.counts["ok"] -= 1
                    activity.counts["changed"] += 1
        if self._unreachable_pending:
            ignored = self.tag_index.ignored_unreachable()
            for key in [key for key in self._unreachable_pending if key in ignored]:
                for activity, error in self._unreachable_pending.pop(key):
                    activity.counts["unreachable"] -= 1
                    activity.counts["ok"] += 1
                    activity.outputs = [out for out in activity.outputs if out is not error]

    def _record_stats(self, data: dict[str, Any]) -> None:
        for key in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored"):
            for host, count in (data.get(key) or {}).items():
                self.stats.setdefault(str(host), {})[key] = int(count)

    def host_stats(self) -> list[dict[str, Any]]:
        return [
            {
                "host": host,
                "ok": counts.get("ok", 0),
                "changed": counts.get("changed", 0),
                "failures": counts.get("failures", 0),
                "unreachable": counts.get("dark", 0),
                "skipped": counts.get("skipped", 0),
                "rescued": counts.get("rescued", 0),
                "ignored": counts.get("ignored", 0),
            }
            for host, counts in sorted(self.stats.items())
        ]
