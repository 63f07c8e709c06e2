"""roles/network, run whole by ansible-playbook on localhost in check mode (the
configuration store in a temporary folder, no target in any reachability list): what its
activity records when a setting is wrong."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

from loader import LOCAL_PLAYBOOK, ROOT

PLAY = "- hosts: localhost\n  gather_facts: false\n  roles: [network]\n"


def activity(tmp_path: pathlib.Path, *extra: str, **variables: Any) -> tuple[int, str]:
    """The role run with ``variables`` (and ``extra`` arguments, -e key=value): its exit
    status and the message of its last task ('Failed activities'), else its output."""
    play, given = tmp_path / "play.yml", tmp_path / "vars.json"
    play.write_text(PLAY, encoding="utf-8")
    given.write_text(json.dumps({"network_config_store_path": str(tmp_path / "store"),
                                 **variables}), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "-e", f"@{given}", *extra, str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    try:
        last = json.loads(proc.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        return proc.returncode, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.returncode, str(last.get("msg", ""))


ROUTER = {"name": "rb1", "host": "127.0.0.1", "port": 1, "username": "sop",
          "password": "rahasia-api"}


def test_a_routeros_setting_refused_is_named_by_the_role_variable(tmp_path):
    """routeros_check's refusal reached the rescue through the task that stops the
    activity, not as routeros_check's: 'timeout: must be ...', an option no court sets."""
    rc, message = activity(tmp_path, network_routeros_routers=[ROUTER],
                           network_routeros_timeout=-1)
    assert rc == 2
    assert message == (
        "Kegiatan 2: RouterBoard tidak dapat diperiksa: pengaturan salah: "
        "network_routeros_timeout: must be a positive number of seconds, not -1")
