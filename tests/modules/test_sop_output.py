"""plugins/action/sop_output.py: a role's output is the task's `sop_output`, which the
runner records as an output of the task's activity (runner/sop/events.extract_outputs),
run by ansible-playbook on localhost, in check mode as the documentation says it supports."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from loader import LOCAL_PLAYBOOK, ROOT, VAULTED_PLAY_HEAD, run_vaulted_play

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: A mapping
      sop_output:
        data: {path: /srv/backup/sipp.sql.gz, size: 1250}
        msg: Backup tersimpan
    - name: One output per item
      sop_output:
        data: {item: "{{ item }}"}
      loop: [domain, hosting]
    - name: A list of mappings
      sop_output:
        data: [{n: 1}, {n: 2}]
    - name: A list holding a string
      sop_output:
        data: [{n: 1}, ditolak]
      ignore_errors: true
    - name: No data
      sop_output:
      ignore_errors: true
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    play = tmp_path_factory.mktemp("sop_output") / "play.yml"
    play.write_text(PLAY, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", str(play)], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [task["hosts"]["localhost"] for task in json.loads(proc.stdout)["plays"][0]["tasks"]]


def test_the_data_is_the_task_s_output_changing_nothing(results: list[dict[str, Any]]) -> None:
    one, looped, listed = results[:3]
    assert (one["changed"], one["msg"], one["sop_output"]) == (
        False, "Backup tersimpan", {"path": "/srv/backup/sipp.sql.gz", "size": 1250})
    assert [(item["changed"], item["sop_output"]) for item in looped["results"]] == [
        (False, {"item": "domain"}), (False, {"item": "hosting"})]
    assert (listed["changed"], listed["sop_output"]) == (False, [{"n": 1}, {"n": 2}])


def test_a_list_item_that_is_no_mapping_is_refused(results: list[dict[str, Any]]) -> None:
    """The runner records a list's mappings only: a string among them was shown as the
    task's output and silently left out of the record."""
    assert [(r.get("failed"), r.get("msg"), r.get("sop_output")) for r in results[3:]] == [
        (True, "sop_output: 'data' item 2 is str, not a mapping", None),
        (True, "sop_output: 'data' must be a mapping or a list of mappings", None),
    ]


VAULTED = VAULTED_PLAY_HEAD + """
    through_a_variable: "{{ court_secret }}"
  tasks:
    - name: Secrets among the data
      sop_output:
        data:
          - {token: "{{ court_secret }}", again: ["{{ through_a_variable }}"], rows: 3}
          - {url: "https://sipp:{{ court_secret }}@pn.example/api", path: /srv/a.tar}
        msg: Dikirim ke https://sipp:{{ court_secret }}@pn.example/api
"""


def test_a_secret_among_the_data_is_masked(tmp_path: Path) -> None:
    """The runner records the data as the action returns it (the events it keeps as
    artifacts are masked, its record of the outputs is not): a vaulted value, or a URL's
    password, was recorded in the clear."""
    (result,) = run_vaulted_play(tmp_path, VAULTED)
    assert result["sop_output"] == [
        {"token": "***", "again": ["***"], "rows": 3},
        {"url": "https://***@pn.example/api", "path": "/srv/a.tar"},
    ]
    assert result["msg"] == "Dikirim ke https://***@pn.example/api"
