# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `sop` runner's side of ansible-playbook: the run's plan (hosts, court variables)
before any task, a start gate, and the tags of each task (ansible-runner events lack them)."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: sop_activity
type: aggregate
short_description: the sop runner's plan, start gate and task tags
description:
  - When E(SOP_ACTIVITY_GATE) names a directory, at playbook start writes C(plan.json)
    there (the hosts of the plays after C(--limit), the court variables C(court_name),
    C(court_kode_satker), C(sop_catalogue_overrides), or C(error)), then waits for the
    runner's C(decision) file. C(run) goes on, anything else ends ansible-playbook before
    any task (the runner locks the hosts and records the execution meanwhile).
  - On every task (and handler) start, appends one JSON line with the task uuid and its
    tags to the file named by E(SOP_ACTIVITY_TAGS_FILE). The tags include the ones a task
    inherits from its block, role, play and C(import_tasks).
  - The C(sop) runner enables it (E(ANSIBLE_CALLBACKS_ENABLED)) for its own runs and maps
    tasks to SOP activities by tag. Does nothing when the variables are unset.
requirements:
  - enabled in the callbacks_enabled setting
options: {}
"""

COURT_VARS = ("court_name", "court_kode_satker", "sop_catalogue_overrides")
GATE_POLL_SECONDS = 0.005
STOPPED_RC = 250  # the runner refused the run (locked, no hosts, ...): nothing ran


def _plain(value):  # type: ignore[no-untyped-def]
    """Ansible's tagged/lazy containers as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _plan(playbook):  # type: ignore[no-untyped-def]
    """Hosts of the plays (inventory already limited by --limit) and the court variables."""
    plays = playbook.get_plays()
    if not plays:
        return {"hosts": [], "court": {}}
    variable_manager = plays[0].get_variable_manager()
    inventory = variable_manager._inventory
    names = {}
    for play in plays:
        patterns = play.hosts if isinstance(play.hosts, list) else [play.hosts]
        for pattern in patterns:
            text = "all" if pattern is None or "{{" in str(pattern) else str(pattern)
            names.update((host.name, None) for host in inventory.get_hosts(pattern=text))
    court = {}
    any_host = next(iter(names), None) or next(iter(inventory.hosts), None)
    if any_host is not None:
        variables = variable_manager.get_vars(
            host=inventory.get_host(any_host), include_hostvars=False
        )
        court = {key: _plain(variables.get(key)) for key in COURT_VARS}
    return {"hosts": list(names), "court": court}


def _write_atomic(path, text):  # type: ignore[no-untyped-def]
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


class CallbackModule(CallbackBase):
    """Aggregate callback: plan + gate at playbook start, one JSON line per started task."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "sop_activity"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        path = os.environ.get("SOP_ACTIVITY_TAGS_FILE")
        self._gate = os.environ.get("SOP_ACTIVITY_GATE")
        # Line-buffered: the runner reads each line as soon as a task starts.
        self._out = open(path, "a", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115

    def v2_playbook_on_start(self, playbook) -> None:  # type: ignore[no-untyped-def]
        if not self._gate:
            return
        try:
            plan = _plan(playbook)
        except Exception as exc:  # the runner shows it as one line
            message = str(getattr(exc, "message", exc)).strip().splitlines() or [repr(exc)]
            plan = {"error": message[0]}
        _write_atomic(os.path.join(self._gate, "plan.json"), json.dumps(plan))
        if self._wait_for_decision() != "run":
            raise SystemExit(STOPPED_RC)

    def _wait_for_decision(self) -> str:
        """The runner's answer; 'stop' when the runner died (we were re-parented)."""
        decision = os.path.join(self._gate, "decision")
        parent = os.getppid()
        while True:
            try:
                with open(decision, encoding="utf-8") as handle:
                    return handle.read().strip()
            except FileNotFoundError:
                if os.getppid() != parent:
                    return "stop"
                time.sleep(GATE_POLL_SECONDS)

    def _write(self, task) -> None:  # type: ignore[no-untyped-def]
        if self._out is not None:
            tags = [str(tag) for tag in task.tags]
            self._out.write(json.dumps({"uuid": task._uuid, "tags": tags}) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:  # type: ignore[no-untyped-def]
        self._write(task)

    def v2_playbook_on_handler_task_start(self, task) -> None:  # type: ignore[no-untyped-def]
        self._write(task)

    def v2_playbook_on_stats(self, stats) -> None:  # type: ignore[no-untyped-def]
        if self._out is not None:
            self._out.close()
            self._out = None
