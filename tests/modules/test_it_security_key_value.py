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


def test_a_refused_allowlist_leaves_the_journal_read_position(tmp_path: pathlib.Path) -> None:
    """A group's allowlist the module refuses ('tcp/22,sshd', one string in a list) failed
    the activity after the SSH audit had moved its cursor past the journal's lines: their
    findings were never reported, the next run reading on from there. The listeners are
    compared first; the cursor stays."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "ss").write_text(SS, encoding="utf-8")
    entry = json.dumps({"__CURSOR": "s=c1", "__REALTIME_TIMESTAMP": "1796007600000000",
                        "MESSAGE": "Failed password for root from 203.0.113.9 port 1 ssh2"})
    (tools / "journalctl").write_text(f"#!/bin/sh\necho '{entry}'\n", encoding="utf-8")
    for tool in ("ss", "journalctl"):
        (tools / tool).chmod(0o755)
    cursor = tmp_path / "cursor"
    tasks = [t for t in yaml.safe_load(TASKS.read_text(encoding="utf-8"))
             if "security_listeners" in t or "security_ssh_audit" in t]
    defaults = yaml.safe_load((ROOT / "roles/it_security/defaults/main.yml").read_text(
        encoding="utf-8"))
    play = [{"hosts": "localhost", "gather_facts": False,
             "environment": {"PATH": f"{tools}:/usr/bin:/bin"},
             "vars": {**{k: v for k, v in defaults.items() if k.startswith("it_security_ssh_")
                         or k.startswith("it_security_office_")},
                      "it_security_ssh_trusted_users": [],
                      "it_security_timezone": "Asia/Jakarta",
                      "it_security_ssh_cursor_file": str(cursor),
                      "it_security_allowed_listeners": [],
                      "it_security_allowed_listeners_by_group": {"all": ["tcp/22,sshd"]},
                      "it_security_listeners_include_loopback": False},
             "tasks": tasks}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120)
    failed = json.loads(proc.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]
    assert failed["msg"] == ("allowed listener 'tcp/22,sshd': expected PORT, tcp/PORT or "
                             "udp/PORT, then an optional process name"), failed
    assert not cursor.exists()
