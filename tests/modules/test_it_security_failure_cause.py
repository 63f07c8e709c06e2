"""roles/it_security's rescues, run by Ansible: the cause an activity's failure is
recorded with is its failed task's message, for a loop each failed item's (Ansible's own
is only 'One or more items failed': a D.7 archive without its manifest, or nmap missing
on the gateway, was recorded as nothing more)."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest
import yaml
from loader import last_message
from test_security_ssh_audit_settings import REFUSE_SINCE

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


# security_ssh_audit's options kegiatan_2.yml sets, a value the module refuses and the
# message after the option's name. Refused without a setting (office hours, time zone) or
# not at all (a threshold of 0), they were recorded in the module's words or not at all.
REFUSED = {
    "burst_failures": (0, "must be at least 1, not 0"),
    "burst_seconds": (10**12, "must be at most 86400 seconds (one day), not 1000000000000"),
    "failure_warn": (0, "must be at least 1, not 0"),
    "penalised_warn": (-1, "must be at least 1, not -1"),
    "success_after_failures": (0, "must be at least 1, not 0"),
    "office_hours_start": ("7.30", "must be HH:MM, got '7.30'"),
    "office_hours_end": ("07:00", "07:00 is not after the start 07:30 (office hours do not "
                                  "run overnight)"),
    "office_days": ([], "empty: name at least one office day, ISO weekday numbers 1 "
                        "(Monday) to 7 (Sunday)"),
    "timezone": ("Asia/Jakrta", "unknown time zone 'Asia/Jakrta'"),
    # refused by journalctl (the fake below, in systemd's words), recorded as 'journalctl
    # failed: Failed to parse timestamp: 2026-13-01'
    "since": ("2026-13-01", "journalctl reads no time from '2026-13-01' (such as -31d, "
                            "2026-11-01 or yesterday)"),
}


def ssh_audit_variables() -> dict[str, str]:
    """The role's variable kegiatan_2.yml sets each option of security_ssh_audit by."""
    tasks = yaml.safe_load((ROOT / "roles/it_security/tasks/kegiatan_2.yml").read_text(
        encoding="utf-8"))
    args = next(t["security_ssh_audit"] for t in tasks if "security_ssh_audit" in t)
    return {option: re.fullmatch(r"\{\{ (\w+) \}\}", value)[1] for option, value in args.items()}


@pytest.mark.parametrize("option", REFUSED)
def test_a_setting_the_ssh_audit_refuses_is_named_by_the_roles_variable(tmp_path, option):
    """The rescue names the variable kegiatan_2.yml passes as the option, not the
    option's own name nor 'it_security_' before it when the role calls it otherwise."""
    value, text = REFUSED[option]
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "journalctl").write_text(f"#!/bin/sh\n{REFUSE_SINCE}\n")
    (tools / "journalctl").chmod(0o755)
    failing = {"name": "Read SSH logins",
               "security_ssh_audit": {option: value, "cursor_file": ""},
               "environment": {"PATH": f"{tools}:/usr/bin:/bin"}, "check_mode": True}
    variable = ssh_audit_variables()[option]
    assert outcome(tmp_path, failing, 2) == (
        f"Kegiatan 2 (C.2): pengaturan salah: {variable}: {text}")


@pytest.mark.parametrize(("where", "doing", "reason"), [
    # a file where its folder should be: not created, nor read
    ("file/folder/cursor", "read the journal cursor", "Not a directory"),
    # a folder nothing can be created in, root neither (procfs)
    ("/proc/sop-ssh.cursor", "keep the journal cursor in", "No such file or directory"),
])
def test_a_cursor_file_that_cannot_be_used_is_named_by_the_roles_variable(tmp_path, where,
                                                                          doing, reason):
    """A cursor file that could not be read or kept was recorded as 'cannot keep the
    journal cursor in ...', naming no variable of the court's."""
    tools = tmp_path / "bin"
    tools.mkdir()
    entry = json.dumps({"__CURSOR": "s=c1", "__REALTIME_TIMESTAMP": "1796007600000000",
                        "MESSAGE": "Accepted publickey for sopadmin from 10.0.0.5 port 1 ssh2"})
    (tools / "journalctl").write_text(f"#!/bin/sh\necho '{entry}'\n", encoding="utf-8")
    (tools / "journalctl").chmod(0o755)
    (tmp_path / "file").write_text("", encoding="utf-8")
    cursor = tmp_path / where
    failing = {"name": "Read SSH logins", "security_ssh_audit": {"cursor_file": str(cursor)},
               "environment": {"PATH": f"{tools}:/usr/bin:/bin"}}
    assert outcome(tmp_path, failing, 2) == (
        "Kegiatan 2 (C.2): pengaturan salah: it_security_ssh_cursor_file: cannot "
        f"{doing} {cursor}: {reason}")


def test_an_office_hour_yaml_read_as_a_number_is_named_as_typed(tmp_path):
    """An unquoted 16:00 in the inventory reaches the module as the base-60 number 960:
    the cause was "'960' is not a time of day (HH:MM)", a number the court never wrote
    (the role's checks refuse it first, by the same rule: test_it_security_checks.py)."""
    failing = {"name": "Read SSH logins", "check_mode": True,
               "security_ssh_audit": {"office_hours_end": 960, "cursor_file": ""}}
    assert outcome(tmp_path, failing, 2) == (
        "Kegiatan 2 (C.2): pengaturan salah: it_security_office_hours_end: must be HH:MM, "
        "got '960' (YAML reads an unquoted 16:00 as the number 960: quote it, \"16:00\")")


@pytest.mark.parametrize(("args", "text"), [
    ({"site_url": "blog.pn-contoh.go.id"},
     "it_security_wordpress_url: 'blog.pn-contoh.go.id' is not an http(s) URL with a host"),
    ({"available": {"core": 6.1}},
     "it_security_wordpress_available.core 6.1 is a number: write the version quoted (YAML "
     "reads 6.10 as the number 6.1)"),
    ({"root_urls": {"/usr/share/wordpress": "https://blog.pn-contoh.go.id/"}},
     "it_security_wordpress_root_urls: needs site_url (the site xmlrpc.php and the user "
     "names are asked at; the HTTP checks run only with it)"),
    ({"site_url": "https://pn-contoh.go.id/",
      "root_urls": {"/usr/share/wordpress": "blog.pn-contoh.go.id"}},
     "it_security_wordpress_root_urls[/usr/share/wordpress]: 'blog.pn-contoh.go.id' is not "
     "an http(s) URL with a host"),
])
def test_a_setting_security_wordpress_refuses_is_named_by_the_roles_variable(tmp_path, args,
                                                                             text):
    """A site address without its scheme was recorded in the module's words ('site_url:
    ...'), naming no variable of the court's."""
    failing = {"name": "Read WordPress", "check_mode": True, "security_wordpress": {
        "roots": ["/usr/share/wordpress"], "plugin_dirs": [], "apt_package": "", **args}}
    assert outcome(tmp_path, failing, 13) == f"Kegiatan 13 (D.4): pengaturan salah: {text}"


@pytest.mark.parametrize("connect", ["127.0.0.1:8443", "[::1]:8443", "web server"])
def test_a_tls_connect_address_with_a_port_is_named_by_the_roles_variable(tmp_path, connect):
    """127.0.0.1:8443 was resolved as a name: every site a tls_unreachable finding."""
    failing = {"name": "Test TLS", "check_mode": True,
               "security_tls": {"sites": ["pn-contoh.go.id:8443"], "connect": connect}}
    assert outcome(tmp_path, failing, 13) == (
        f"Kegiatan 13 (D.4): pengaturan salah: it_security_tls_connect: {connect!r}: expected "
        "an address or a host name without a port (the port is each site's, NAME:PORT)")
