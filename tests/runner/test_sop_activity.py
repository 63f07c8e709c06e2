"""The sop_activity callback's lines for no_log results, from what Ansible hands it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from ansible.executor.task_result import CallbackTaskResult, _RawTaskResult
from ansible.inventory.host import Host
from ansible.playbook.task import Task

from .conftest import REPO


def _callback(tags_file: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SOP_ACTIVITY_TAGS_FILE", str(tags_file))
    path = REPO / "plugins" / "callback" / "sop_activity.py"
    spec = importlib.util.spec_from_file_location("sop_activity", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CallbackModule()


def _result(task: Task, host: str, **data: Any) -> CallbackTaskResult:
    """The result as Ansible's strategy hands it to callbacks (censored for no_log)."""
    return _RawTaskResult(Host(host), task, data, {}).as_callback_task_result()


def test_a_changed_no_log_result_is_written_without_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ansible-runner's event keeps only `censored` of a no_log result: the callback says
    that it changed (task uuid, host), nothing else of it; nothing for the others."""
    tags_file = tmp_path / "tags.jsonl"
    callback = _callback(tags_file, monkeypatch)
    hidden, shown = Task(), Task()
    hidden.no_log = True
    secret = {"stdout": "Tr0ub4dor", "cmd": "sync --password=Tr0ub4dor", "rc": 0}
    callback.v2_runner_on_ok(_result(hidden, "h1", changed=True, _ansible_no_log=True, **secret))
    callback.v2_runner_on_ok(_result(hidden, "h2", changed=False, _ansible_no_log=True))
    callback.v2_runner_on_ok(_result(shown, "h1", changed=True, rc=0))  # its event says so
    failed = _result(hidden, "h3", changed=True, failed=True, _ansible_no_log=True, **secret)
    callback.v2_runner_on_failed(failed)  # failed: never counted changed
    callback.v2_runner_on_failed(failed, ignore_errors=True)  # ok, and changed
    callback.v2_playbook_on_stats(None)
    text = tags_file.read_text(encoding="utf-8")
    assert "Tr0ub4dor" not in text
    assert [json.loads(line) for line in text.splitlines()] == [
        {"uuid": hidden._uuid, "host": "h1", "changed": True},
        {"uuid": hidden._uuid, "host": "h3", "changed": True},
    ]


def test_a_failed_or_unreachable_delegated_result_names_the_host_it_ran_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup computer hung during a task of the SIPP server delegated to it: the
    events name `sipp` only; the callback says the task ran on `backup`. Nothing for a
    task not delegated, delegated to its own host, or failed with ignore_errors."""
    tags_file = tmp_path / "tags.jsonl"
    callback = _callback(tags_file, monkeypatch)
    delegated, own, plain = Task(), Task(), Task()
    delegated.delegate_to = "backup"
    own.delegate_to = "sipp"
    callback.v2_runner_on_unreachable(_result(delegated, "sipp", unreachable=True))
    callback.v2_runner_on_failed(_result(delegated, "web", failed=True))
    callback.v2_runner_on_failed(_result(delegated, "gw", failed=True), ignore_errors=True)
    callback.v2_runner_on_unreachable(_result(own, "sipp", unreachable=True))
    callback.v2_runner_on_failed(_result(plain, "sipp", failed=True))
    callback.v2_playbook_on_stats(None)
    lines = tags_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"uuid": delegated._uuid, "host": "sipp", "delegated_to": "backup"},
        {"uuid": delegated._uuid, "host": "web", "delegated_to": "backup"},
    ]


def test_an_unreachable_result_its_task_ignores_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ansible-runner's event does not say a task ignores an unreachable host
    (ignore_unreachable, as templated for the host): the callback does, per host. Nothing
    for a task that does not ignore it (its delegation, if any, as before)."""
    tags_file = tmp_path / "tags.jsonl"
    callback = _callback(tags_file, monkeypatch)
    ignoring, plain = Task(), Task()
    ignoring.ignore_unreachable = True
    ignoring.delegate_to = "backup"
    callback.v2_runner_on_unreachable(_result(ignoring, "sipp", unreachable=True))
    callback.v2_runner_on_unreachable(_result(plain, "web", unreachable=True))
    callback.v2_playbook_on_stats(None)
    lines = tags_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"uuid": ignoring._uuid, "host": "sipp", "ignore_unreachable": True},
    ]
