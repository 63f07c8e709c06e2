"""plugins/action/sop_warning.py: a role's own warning is the task's `warnings`, which
Ansible shows as `[WARNING]:` and the runner records (a debug message it only shows), run
by ansible-playbook on localhost, in check mode as the documentation says it supports."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml
from loader import LOCAL_PLAYBOOK, ROOT, VAULTED_PLAY_HEAD, load, run_vaulted_play

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: One message
      sop_warning:
        msg: Sertifikat habis dalam 7 hari
    - name: One message per item
      sop_warning:
        msg: "{{ item }} perlu diperpanjang"
      loop: [domain, hosting]
    - name: A list of messages, a blank one among them
      sop_warning:
        msg: [DB_HOST tidak dipakai, " ", DB_PORT tidak dipakai]
    - name: A mapping
      sop_warning:
        msg: {a: 1}
      ignore_errors: true
    - name: A list holding a number
      sop_warning:
        msg: [ada, 3]
      ignore_errors: true
    - name: No message
      sop_warning:
      ignore_errors: true
"""


def run(tmp_path: Path, callback: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "play.yml").write_text(PLAY, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK=callback)
    return subprocess.run([*LOCAL_PLAYBOOK, "--check", str(tmp_path / "play.yml")],
                          capture_output=True, text=True, check=False, env=env, timeout=120,
                          cwd=ROOT)


def test_the_messages_are_the_task_s_warnings(tmp_path: Path) -> None:
    proc = run(tmp_path, "ansible.posix.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: list[dict[str, Any]] = [task["hosts"]["localhost"]
                                     for task in json.loads(proc.stdout)["plays"][0]["tasks"]]
    one, looped, listed, mapping, number, missing = results
    assert (one["changed"], one["msg"], one["warnings"]) == (
        False, "Sertifikat habis dalam 7 hari", ["Sertifikat habis dalam 7 hari"])
    # Ansible gathers the items' warnings into the task's
    assert looped["warnings"] == ["domain perlu diperpanjang", "hosting perlu diperpanjang"]
    assert [item["msg"] for item in looped["results"]] == looped["warnings"]
    assert listed["msg"] == ["DB_HOST tidak dipakai", " ", "DB_PORT tidak dipakai"]
    assert listed["warnings"] == ["DB_HOST tidak dipakai", "DB_PORT tidak dipakai"]
    assert [(r.get("failed"), r["msg"], r.get("warnings")) for r in (mapping, number, missing)] == [
        (True, "sop_warning: 'msg' must be a string or a list of strings, not dict", None),
        (True, "sop_warning: 'msg' item 2 is int, not a string", None),
        (True, "sop_warning: 'msg' is required", None),
    ]


def test_ansible_shows_each_as_a_warning(tmp_path: Path) -> None:
    proc = run(tmp_path, "ansible.builtin.default")
    shown = [line for line in (proc.stdout + proc.stderr).splitlines()
             if line.startswith("[WARNING]: ")]
    assert shown == [f"[WARNING]: {text}" for text in (
        "Sertifikat habis dalam 7 hari", "domain perlu diperpanjang",
        "hosting perlu diperpanjang", "DB_HOST tidak dipakai", "DB_PORT tidak dipakai")]


def test_the_documented_options_are_the_action_s() -> None:
    """library/sop_warning.py documents the action (test_docs_modules reads no
    argument_spec of it): its options are the ones the action accepts."""
    spec = importlib.util.spec_from_file_location("sop_warning_action",
                                                  ROOT / "plugins/action/sop_warning.py")
    assert spec and spec.loader
    action = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(action)
    doc = yaml.safe_load(load("sop_warning").DOCUMENTATION)
    assert set(doc["options"]) == action.ActionModule._VALID_ARGS == {"msg"}


def tasks_of(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks of a tasks file, those in its blocks too."""
    return [found for task in tasks
            for found in ([task] if "block" not in task else tasks_of(
                task["block"] + task.get("rescue", []) + task.get("always", [])))]


def test_no_role_warns_in_a_debug_message() -> None:
    """A debug message is shown, never recorded: the roles' warnings are sop_warning's."""
    files = sorted(ROOT.glob("roles/*/tasks/*.yml"))
    tasks = [(path, task) for path in files
             for task in tasks_of(yaml.safe_load(path.read_text(encoding="utf-8")) or [])]
    debug_warnings = [
        f"{path.relative_to(ROOT)}: {task['name']}" for path, task in tasks
        for debug in [task.get("ansible.builtin.debug")] if isinstance(debug, dict)
        if "PERINGATAN" in str(debug.get("msg")) or debug.get("var") == "warnings"]
    assert debug_warnings == []
    assert any("sop_warning" in task for _, task in tasks)




VAULTED = VAULTED_PLAY_HEAD + """
  tasks:
    - name: A vaulted value given whole
      sop_warning:
        msg: "{{ court_secret }}"
    - name: Among others
      sop_warning:
        msg: ["{{ court_secret }}", tetap terbaca]
"""


def test_a_vaulted_value_given_whole_is_masked(tmp_path: Path) -> None:
    """The runner masks warnings by its text rules, which cannot know a vault's
    plaintext: a vaulted value given as a warning was recorded in the clear."""
    whole, among = run_vaulted_play(tmp_path, VAULTED)
    assert (whole["msg"], whole["warnings"]) == ("***", ["***"])
    assert among["warnings"] == ["***", "tetap terbaca"]
