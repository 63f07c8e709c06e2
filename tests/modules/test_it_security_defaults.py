"""roles/it_security's defaults as Ansible renders them: the accounts whose SSH logins
outside office hours are expected include the backup computer's push users, as the SIPP
and website backup roles name them (their scheduled pushes run at 18:00 WIB: each was a
monthly finding "Login SSH di luar jam kerja" on the backup computer)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: [{defaults}]
  tasks:
    - ansible.builtin.debug:
        msg: "TRUSTED={{{{ it_security_ssh_trusted_users | to_json }}}}"
"""


def trusted(tmp_path: pathlib.Path, *extra: str) -> list[str]:
    play = tmp_path / "play.yml"
    play.write_text(PLAY.format(defaults=ROOT / "roles/it_security/defaults/main.yml"),
                    encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    proc = subprocess.run([*LOCAL_PLAYBOOK, *extra, str(play)], capture_output=True,
                          text=True, check=True, env=env, timeout=120)
    line = next(x for x in proc.stdout.splitlines() if "TRUSTED=" in x)
    return list(json.loads(line.split("TRUSTED=", 1)[1].rstrip('"').replace('\\"', '"')))


def default_of(role: str, name: str) -> str:
    text = (ROOT / "roles" / role / "defaults" / "main.yml").read_text(encoding="utf-8")
    return str(yaml.safe_load(text)[name])


def test_the_backup_push_users_are_expected_outside_office_hours(tmp_path):
    users = trusted(tmp_path, "-e", "ansible_user=itadmin")
    assert users == ["itadmin", default_of("sipp_backup", "sipp_backup_remote_user"),
                     default_of("website", "website_backup_remote_user")]


def test_a_court_s_own_push_user_names_are_followed(tmp_path):
    users = trusted(tmp_path, "-e", "sipp_backup_remote_user=pushsipp",
                    "-e", "website_backup_remote_user=pushweb")
    assert users[1:] == ["pushsipp", "pushweb"]
