"""roles/it_security's list settings given as key=value (`-e
it_security_allowed_listeners=tcp/22,tcp/8080`), a string, which argument_specs accept as
the list they convert it to: the role's Jinja uses them as that list (sop_list), not as
the string's characters. The task of kegiatan_2.yml run by Ansible on localhost, ss faked."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import pytest
import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/it_security/tasks/kegiatan_2.yml"
SS = """#!/bin/sh
echo 'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))'
echo 'tcp LISTEN 0 128 0.0.0.0:8080 0.0.0.0:* users:(("java",pid=2,fd=3))'
"""


def listeners(tmp_path: pathlib.Path, allowed: Any) -> dict[str, Any]:
    """The result of kegiatan_2.yml's listener task with it_security_allowed_listeners
    ``allowed`` and no group's list."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "ss").write_text(SS, encoding="utf-8")
    (tools / "ss").chmod(0o755)
    task = next(t for t in yaml.safe_load(TASKS.read_text(encoding="utf-8"))
                if "security_listeners" in t)
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"it_security_allowed_listeners": allowed,
                      "it_security_allowed_listeners_by_group": {},
                      "it_security_listeners_include_loopback": False},
             "tasks": [dict(task, environment={"PATH": f"{tools}:/usr/bin:/bin"})]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120)
    return json.loads(proc.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]


@pytest.mark.parametrize("allowed", ["tcp/22 sshd,tcp/8080", ["tcp/22 sshd", "tcp/8080"]])
def test_allowed_listeners_given_as_key_value_are_the_list(tmp_path: pathlib.Path,
                                                           allowed: Any) -> None:
    """The string's union with the groups' lists was its characters ('t', 'c', 'p' ...),
    which security_listeners refused: activity 2 failed, no listener compared."""
    result = listeners(tmp_path, allowed)
    assert not result.get("failed"), result
    assert result["findings"] == []
    assert result["sop_output"]["listeners"] == ["tcp/22 sshd", "tcp/8080 java"]
