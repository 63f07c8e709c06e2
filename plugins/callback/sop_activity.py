# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tags of each task for the `sop` runner (ansible-runner's events carry none), which
no_log results changed something (its events no longer say), the host a failed or
unreachable delegated task ran on (its events name only the inventory host), and which
unreachable results their task ignored (its events do not say)."""

from __future__ import annotations

import json
import os
from typing import IO, Any

from ansible.errors import AnsibleError
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: sop_activity
type: aggregate
short_description: the task tags (and no_log changes) the sop runner maps to SOP activities
description:
  - On every task (and handler) start, appends one JSON line with the task uuid and its
    tags to the file named by E(SOP_ACTIVITY_TAGS_FILE). The tags include the ones a task
    inherits from its block, role, play and C(import_tasks).
  - For each result of a C(no_log) task that changed something (a task's, a handler's,
    an ignored failure's), appends one JSON line with the task uuid, the host's name and
    C(changed) set to true, and nothing else of the result. ansible-runner's events
    replace such a result by C(censored) alone, dropping the C(changed) Ansible keeps;
    without the line the runner would record the activity C(ok), not C(changed).
  - For each unreachable result of a task with C(ignore_unreachable), appends one JSON
    line with the task uuid, the host's name and C(ignore_unreachable) set to true.
    ansible-runner's event does not say the task ignored it; Ansible counts it ok and
    ignored and the play goes on for the host, so the runner records it as it records an
    ignored failure (C(ignore_errors)), not the activity unreachable.
  - At the first play with hosts, appends one JSON line (key C(court)) with the
    court's variables (C(court_name), C(court_kode_satker), C(sop_catalogue_overrides),
    C(sop_schedule)) as the play's first host sees them, so the runner records the court,
    and shows the run on its clock, without reading the inventory itself.
  - Needs no enabling - it is loaded wherever it is on the callback plugin path (the
    project's ansible.cfg puts it there; the C(sop) runner adds the path for its own runs)
    - and does nothing unless E(SOP_ACTIVITY_TAGS_FILE) is set, which only the C(sop)
    runner does. The runner maps tasks to SOP activities by tag.
requirements:
  - its directory on the callback plugin path
options: {}
"""


COURT_VARS = ("court_name", "court_kode_satker", "sop_catalogue_overrides", "sop_schedule")


def _plain(value: Any) -> Any:
    """Ansible's tagged/lazy containers as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


class CallbackModule(CallbackBase):  # type: ignore[misc]  # Ansible ships no type hints
    """Aggregate callback: one JSON line per started task, one per changed no_log result,
    one per failed or unreachable delegated result, one per ignored unreachable result."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "sop_activity"
    # Loaded from the callback path without callbacks_enabled: sop keeps ansible.cfg's.
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self) -> None:
        super().__init__()
        path = os.environ.get("SOP_ACTIVITY_TAGS_FILE")
        # Line-buffered: the runner reads each line as soon as a task starts.
        self._out: IO[str] | None = (
            open(path, "a", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115
        )
        self._court_written = False

    def _write(self, task: Any) -> None:
        if self._out is not None:
            tags = [str(tag) for tag in task.tags]
            self._out.write(json.dumps({"uuid": task._uuid, "tags": tags}) + "\n")

    def v2_playbook_on_play_start(self, play: Any) -> None:
        if self._out is None or self._court_written:
            return
        variables = play.get_variable_manager().get_vars(play=play)
        hosts = variables.get("ansible_play_hosts_all") or []
        if not hosts:
            return  # no host in this play: the next play's
        self._court_written = True
        try:
            seen = variables["hostvars"][hosts[0]]
            court = {key: _plain(seen.get(key)) for key in COURT_VARS}
        except AnsibleError as exc:  # e.g. an undefined variable in a court value
            court = {"error": str(exc).strip().splitlines()[0]}
        self._out.write(json.dumps({"court": court}) + "\n")

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        self._write(task)

    def v2_playbook_on_handler_task_start(self, task: Any) -> None:
        self._write(task)

    def _write_hidden_change(self, result: Any) -> None:
        """A no_log result that changed something: that it did, which ansible-runner's
        event (`censored` only) no longer says. The loop items' own results are not
        needed: the runner counts the task's result, which says the loop changed."""
        if self._out is None:
            return
        res = result.result  # censored by Ansible: `changed` kept, nothing secret
        if ("censored" in res or res.get("_ansible_no_log")) and res.get("changed"):
            line = {"uuid": result.task._uuid, "host": result.host.get_name(), "changed": True}
            self._out.write(json.dumps(line) + "\n")

    def _write_delegation(self, result: Any) -> None:
        """A failed or unreachable result of a delegated task: the host it ran on."""
        host = result.host.get_name()
        delegated = result.task.delegate_to
        if self._out is not None and delegated and str(delegated) != host:
            line = {"uuid": result.task._uuid, "host": host, "delegated_to": str(delegated)}
            self._out.write(json.dumps(line) + "\n")

    def _write_ignored_unreachable(self, result: Any) -> None:
        """An unreachable result its task ignores: that it does, which the event does
        not say."""
        if self._out is not None:
            line = {"uuid": result.task._uuid, "host": result.host.get_name(),
                    "ignore_unreachable": True}
            self._out.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result: Any) -> None:  # a handler's result too
        self._write_hidden_change(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        if ignore_errors:  # counted ok, and changed when it changed something
            self._write_hidden_change(result)
        else:
            self._write_delegation(result)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        if result.task.ignore_unreachable:  # as it was templated for this host
            self._write_ignored_unreachable(result)
        else:
            self._write_delegation(result)

    def v2_playbook_on_stats(self, stats: Any) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
