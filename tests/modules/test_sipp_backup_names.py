"""roles/sipp_backup's checks (tasks/checks.yml, tag always) refuse the names the backup's
commands would take as something else, before anything changes, whichever activity runs,
by the filter sop_name_error the website role's checks use (test_website_checks.py):
ansible-playbook in check mode on localhost, the role's checks only
(test_role_relative_paths.run)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from loader import ROOT, last_message
from test_role_relative_paths import refused
from test_role_relative_paths import run as run_checks
from test_website_checks import ACCOUNT, HOST, PATH, PREFIX

from sop.events import failure_cause


@pytest.mark.parametrize(("settings", "cause"), [
    # ssh took it as its option on the push's command line, run as root on the SIPP server
    ({"sipp_backup_remote_user": "-oProxyCommand=touch /tmp/owned"},
     f"sipp_backup_remote_user: must be {ACCOUNT}, not '-oProxyCommand=touch /tmp/owned'"),
    # written into the backup computer's SQL (CREATE USER '...'@'localhost')
    ({"sipp_backup_verify_os_user": "x'@'%"},
     f"sipp_backup_verify_os_user: must be {ACCOUNT}, not 'x'@'%'"),
    ({"sipp_backup_host_address": "-backup"},
     f"sipp_backup_host_address: must be {HOST}, not '-backup'"),
    ({"sipp_backup_host_address": "backup host"},
     f"sipp_backup_host_address: must be {HOST}, not 'backup host'"),
    # written into the push key's forced command in authorized_keys and the file names
    ({"sipp_backup_prefix": 'sipp" ,no-pty'},
     f"sipp_backup_prefix: must be {PREFIX}, not 'sipp\" ,no-pty'"),
    # the prefix defaults to the database's name
    ({"sipp_db_name": "../sipp"}, f"sipp_backup_prefix: must be {PREFIX}, not '../sipp'"),
    ({"sipp_backup_remote_incoming": "/srv/backup/in coming"},
     f"sipp_backup_remote_incoming: must be {PATH}, not '/srv/backup/in coming'"),
    ({"sipp_backup_known_hosts": "/root/kh;reboot"},
     f"sipp_backup_known_hosts: must be {PATH}, not '/root/kh;reboot'"),
    ({"sipp_backup_host_ssh_port": "-22"},
     "sipp_backup_host_ssh_port: must be a port from 1 to 65535, not -22"),
    ({"sipp_backup_host_ssh_port": 0},
     "sipp_backup_host_ssh_port: must be a port from 1 to 65535, not 0"),
    # it names the court's directories in the store and the in-tray: one level up was
    # another court's, a '/' a directory of its own
    ({"court_kode_satker": "../400998"},
     "court_kode_satker: must be the court's kode satker, six digits (400999), not "
     "'../400998'"),
    ({"court_kode_satker": "400/999"},
     "court_kode_satker: must be the court's kode satker, six digits (400999), not '400/999'"),
])
def test_a_name_the_backups_commands_would_misread_is_refused_first(
        tmp_path, settings: dict[str, Any], cause: str) -> None:
    assert failure_cause(refused(tmp_path, "sipp_backup", settings)) == f"pengaturan salah: {cause}"


def test_every_wrong_name_is_named_in_one_line_the_keys_path_last(tmp_path) -> None:
    """The record masks what follows a name ending in _key (sop_secrets): the key's path
    is named last, the line itself keeps it."""
    code, result = run_checks(tmp_path, "sipp_backup", {
        "sipp_backup_ssh_key": "/root/$(id)", "sipp_backup_host_ssh_port": 65536,
        "sipp_backup_verify_os_user": "Verify"})
    assert code == 2
    named = ("pengaturan salah: sipp_backup_host_ssh_port: must be a port from 1 to 65535, "
             f"not 65536; sipp_backup_verify_os_user: must be {ACCOUNT}, not 'Verify'; ")
    assert result["msg"] == named + f"sipp_backup_ssh_key: must be {PATH}, not '/root/$(id)'"
    assert failure_cause(result) == named + "sipp_backup_ssh_key: ***"


@pytest.mark.parametrize("settings", [
    {}, {"court_kode_satker": "097123"}, {"sipp_backup_host_address": "10.0.0.5"},
    {"sipp_backup_host_address": "[fe80::2]"},
    {"sipp_backup_host_ssh_port": "2222", "sipp_backup_remote_user": "sip_backup-2"},
    {"sipp_backup_prefix": "pn.bangil_sipp-3", "sipp_backup_ssh_key": "/root/.ssh/sipp+1_ed25519"},
])
def test_good_names_pass(tmp_path, settings: dict[str, Any]) -> None:
    code, result = run_checks(tmp_path, "sipp_backup", settings)
    assert code == 0, result


@pytest.mark.parametrize(("address", "port", "target", "known_name"), [
    ("[fe80::2]", 22, "sipbackup@fe80::2", "fe80::2"),
    ("[fe80::2]", 2222, "sipbackup@fe80::2", "[fe80::2]:2222"),
    ("10.0.0.5", 2222, "sipbackup@10.0.0.5", "[10.0.0.5]:2222"),
])
def test_an_ipv6_address_in_brackets_is_one_ssh_and_known_hosts_take(
        tmp_path, address: str, port: int, target: str, known_name: str) -> None:
    """The checks take '[fe80::2]' (NAME_KINDS' host), but ssh resolved it as a host
    name ("Could not resolve hostname [fe80::2]") and known_hosts named '[[fe80::2]]:2222':
    the push's command line and the known_hosts name use the address without brackets
    (the role's vars/main.yml and ssh_push.yml's own expression)."""
    known = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/ssh_push.yml").read_text())
    known_name_expr = next(task for task in known if "ansible.builtin.known_hosts" in task)[
        "vars"]["sipp_backup__known_name"]
    said = last_message(tmp_path, [{
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [str(ROOT / "roles/sipp_backup/vars/main.yml")],
        "vars": {"sipp_backup_ssh_key": "/root/.ssh/k", "sipp_backup_host_ssh_port": port,
                 "sipp_backup_known_hosts": "/root/.ssh/kh",
                 "sipp_backup_remote_user": "sipbackup", "sipp_backup_host_address": address},
        "tasks": [{"ansible.builtin.debug": {
            "msg": "{{ sipp_backup__ssh }}|" + known_name_expr.strip()}}]}])
    line, name = said.split("|")
    assert line.split()[-1] == target and name == known_name, said
