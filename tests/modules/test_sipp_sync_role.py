"""roles/sipp_sync: what the operator reads when the preparation fails (ansible-playbook
on localhost, nothing listening on the discard port)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).parents[2]
PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_sync_central_url: http://127.0.0.1:9/
    sipp_sync_public_url: http://127.0.0.1:9/publik/
    sipp_sync_command: /bin/true
  tasks:
    - ansible.builtin.include_role:
        name: sipp_sync
        tasks_from: persiapan
"""


def test_unreachable_sipp_ma_fails_with_one_short_line_naming_the_cause(tmp_path):
    play = tmp_path / "play.yml"
    play.write_text(PLAY, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false",
               ANSIBLE_ROLES_PATH=str(ROOT / "roles"))
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    failed = [line for line in proc.stdout.splitlines()
              if "Persiapan gagal" in line and " => " in line]
    assert failed, proc.stdout[-2000:]
    message = json.loads(failed[0].split(" => ", 1)[1])["msg"]
    assert "Connection refused" in message
    # uri's "Status code was -1 and not [100, 101, ... 499]" is not the cause
    assert "499" not in message and "Status code was" not in message
    assert len(message) < 600
