"""roles/it_security's rescues, run by Ansible: the cause an activity's failure is
recorded with is its failed task's message, for a loop each failed item's (Ansible's own
is only 'One or more items failed': a D.7 archive without its manifest, or nmap missing
on the gateway, was recorded as nothing more)."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
import yaml
from loader import last_message

ROOT = pathlib.Path(__file__).parents[2]
MAIN = ROOT / "roles/it_security/tasks/main.yml"


def outcome(tmp_path: pathlib.Path, failing: dict[str, Any], number: int = 16) -> str:
    """The role's final message when activity ``number``'s tasks are ``failing`` instead."""
    main = yaml.safe_load(MAIN.read_text(encoding="utf-8"))
    activity = next(t for t in main if t["name"].startswith(f"Kegiatan {number} "))
    final = next(t for t in main if t["name"] == "Failed activities")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROOT / "roles/it_security/vars/main.yml")],
             "tasks": [dict(activity, block=[failing]), final]}]
    return last_message(tmp_path, play)


def test_each_failed_item_of_a_loop_is_named(tmp_path):
    failing = {"name": "Restore", "ansible.builtin.fail": {"msg": "cannot restore {{ item }}"},
               "loop": ["/b/web-1.tar.zst", "/b/web-2.tar.zst"], "when": "'2' in item",
               "loop_control": {"label": "{{ item | basename }}"}}
    assert outcome(tmp_path, failing) == (
        "Kegiatan 16 (D.7): web-2.tar.zst: cannot restore /b/web-2.tar.zst")


def test_a_failed_command_item_names_its_error(tmp_path):
    failing = {"name": "Scan", "ansible.builtin.command": {
                   "argv": ["sh", "-c", "echo warning >&2; echo 'no route to host' >&2; exit 1"]},
               "loop": [{"key": "2001:db8::10"}], "loop_control": {"label": "{{ item.key }}"}}
    assert outcome(tmp_path, failing) == (
        "Kegiatan 16 (D.7): 2001:db8::10: non-zero return code (no route to host)")


def test_a_task_without_a_loop_keeps_its_message(tmp_path):
    failing = {"name": "Restore", "ansible.builtin.fail": {"msg": "timeout must be at least 1"}}
    assert outcome(tmp_path, failing) == "Kegiatan 16 (D.7): timeout must be at least 1"


@pytest.mark.parametrize("option", ["burst_failures", "burst_seconds"])
def test_a_burst_setting_the_audit_refuses_is_named_by_the_roles_variable(tmp_path, option):
    """security_ssh_audit's refusal had no setting: recorded as the module's 'burst_failures
    and burst_seconds must be at least 1', neither a variable a court sets."""
    failing = {"name": "Read SSH logins", "security_ssh_audit": {option: 0},
               "check_mode": True}
    assert outcome(tmp_path, failing, 2) == (
        f"Kegiatan 2 (C.2): pengaturan salah: it_security_ssh_{option}: must be at least 1, "
        "not 0")
