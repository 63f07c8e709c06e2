"""Every role's path settings are absolute, refused before anything changes whichever
activity runs (ansible-playbook on localhost in check mode, selecting a tag no activity
has: only the tasks tagged always run). `-e sipp_backup_local_dir=relative/dir` wrote the
backup into the SSH user's home, /home/sopadmin/relative/dir, beside the earlier days'."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import pytest
import yaml

from sop.events import failure_cause

ROOT = pathlib.Path(__file__).parents[2]
# A court of one host, localhost, in every group the roles' defaults name.
INVENTORY = {"all": {
    "vars": {"court_kode_satker": "400999", "ansible_connection": "local",
             "ansible_python_interpreter": sys.executable},
    "children": {group: {"hosts": {"localhost": {}}}
                 for group in ("sipp_servers", "web_servers", "backup_hosts", "routers")}}}
# A tag no task has: a run of it runs the tasks tagged always, the role's checks.
NO_ACTIVITY = "sop_no_such_activity"
RELATIVE = "relative/dir"
# Each role's path settings, the value given to each: a list's one path, a group's list.
PATHS: dict[str, dict[str, Any]] = {
    "sipp_backup": {
        name: RELATIVE for name in (
            "sipp_backup_local_dir", "sipp_backup_remote_dir", "sipp_backup_remote_incoming",
            "sipp_backup_ssh_key", "sipp_backup_known_hosts", "sipp_backup_verify_work_dir",
            "sipp_backup_removable_path", "sipp_backup_verify_socket")},
    "website": {
        name: [RELATIVE] if name.endswith("_paths") else RELATIVE for name in (
            "website_root", "website_ca_file", "website_backup_local_dir",
            "website_backup_extra_paths", "website_backup_remote_dir",
            "website_backup_remote_incoming", "website_backup_ssh_key",
            "website_backup_known_hosts", "website_backup_verify_work_dir",
            "website_quarantine_dir", "website_log_paths", "website_log_state_dir",
            "website_integrity_paths", "website_integrity_state_dir")},
    "it_security": {
        "it_security_ssh_cursor_file": RELATIVE,
        "it_security_web_log_paths": ["/var/log/nginx/access.log", RELATIVE],
        "it_security_web_log_state_dir": RELATIVE,
        "it_security_scan_paths_by_group": {"web_servers": ["/var/www"],
                                            "sipp_servers": [RELATIVE]},
        "it_security_scan_paths": [RELATIVE],
        "it_security_drill_sipp_store": RELATIVE,
        "it_security_drill_work_dir": RELATIVE,
        "it_security_drill_website_store": RELATIVE,
        "it_security_sop_command": "sop",
    },
    "network": {"network_config_store_path": RELATIVE},
    "server_incident": {"server_incident_bundle_dir": RELATIVE},
    "server_maintenance": {
        "server_maintenance_cert_paths": ["/etc/ssl/certs/*.pem", "ssl/*.crt"],
        "server_maintenance_backup_store": RELATIVE,
        "server_maintenance_free_paths": ["/", "var"],
    },
    "sipp_maintenance": {"sipp_maintenance_disk_paths": ["/", "var/lib/mysql"]},
}
# The settings whose empty value means none.
OPTIONAL = {"sipp_backup_removable_path", "sipp_backup_verify_socket", "website_ca_file"}


def run(tmp_path: pathlib.Path, role: str, settings: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The role on localhost in check mode with ``settings`` as extra vars, the tag of no
    activity selected: ansible-playbook's exit code and the last task's result.
    server_maintenance by its playbook, which imports each activity's file."""
    code, tasks = _play(tmp_path, role, settings, INVENTORY, "localhost")
    return code, tasks[-1]["hosts"]["localhost"]


def run_hosts(tmp_path: pathlib.Path, role: str,
              hosts: dict[str, dict[str, Any]]) -> tuple[int, dict[str, dict[str, Any]]]:
    """The role as ``run`` runs it, on each of ``hosts`` in one run (each host's settings
    its inventory variables, connected locally as localhost is): ansible-playbook's exit
    code and each host's last task's result."""
    inventory = {"all": {**INVENTORY["all"], "hosts": hosts}}
    code, tasks = _play(tmp_path, role, {}, inventory, ":".join(hosts))
    return code, {host: result for task in tasks for host, result in task["hosts"].items()}


def texts_refused(tmp_path: pathlib.Path, role: str, value: Any, shown: str,
                  null_is_none: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Each of the role's texts (``texts``) given ``value``, a host each in one run
    (``run_hosts``), asserted refused by its checks in one line naming it ("must be a text,
    not ``shown``"), no other host failing; with ``value`` null, the texts of
    ``null_is_none`` (those whose null is their none) null together on one more host,
    which must pass. Each host's last result, for the caller's own assertions (a
    password's value never shown)."""
    assert set(null_is_none) <= set(texts(role))
    none = null_is_none if value is None else ()
    hosts = {name: {name: value} for name in texts(role) if name not in none}
    code, results = run_hosts(tmp_path, role,
                              {**hosts, "none": dict.fromkeys(none)} if none else hosts)
    assert code == 2
    assert {host: result["msg"] for host, result in results.items() if result.get("failed")} == {
        name: f"pengaturan salah: {name}: must be a text, not {shown}" for name in hosts}
    return results


def texts(role: str) -> list[str]:
    """The role's text settings (argument_specs type str or path) its checks judge, in
    argument_specs' order: not those with choices, which argument_specs itself refuses
    given as null, a list or a mapping, but for server_maintenance, whose playbook imports
    its tasks (argument_specs never run)."""
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml")
                           .read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]
    return [name for name, spec in specs.items() if spec.get("type") in ("str", "path")
            and ("choices" not in spec or role == "server_maintenance")]


def _play(tmp_path: pathlib.Path, role: str, settings: dict[str, Any], inventory: dict[str, Any],
          hosts: str) -> tuple[int, list[dict[str, Any]]]:
    """ansible-playbook's exit code and tasks run, ``run``'s way on the ``hosts`` of
    ``inventory``."""
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    if role == "server_maintenance":
        play = ROOT / "playbooks" / "server_maintenance.yml"
        settings = {**settings, "server_maintenance_hosts": hosts}
    else:
        play = tmp_path / "play.yml"
        play.write_text(yaml.safe_dump([{"hosts": hosts, "gather_facts": False,
                                         "roles": [role]}]), encoding="utf-8")
    (tmp_path / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run(["ansible-playbook", "-i", str(tmp_path / "hosts.yml"), "--check",
                           "--tags", NO_ACTIVITY,
                           "-e", f"@{tmp_path / 'settings.json'}", str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300,
                          cwd=tmp_path)
    tasks = [task for ran in json.loads(proc.stdout)["plays"] for task in ran["tasks"]]
    assert tasks, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.returncode, tasks


def refused(tmp_path: pathlib.Path, role: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The failed result of ``run`` with ``settings``, the run's exit code 2 (a task
    failed) checked."""
    code, result = run(tmp_path, role, settings)
    assert code == 2 and result.get("failed"), result
    return result


def given_paths(value: str | list[str] | dict[str, list[str]]) -> list[str]:
    """The paths of a setting's value: itself, a list's, each group's list's."""
    if isinstance(value, dict):
        return [path for paths in value.values() for path in paths]
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("role", sorted(PATHS))
def test_the_defaults_pass(tmp_path: pathlib.Path, role: str) -> None:
    """The defaults are absolute (the settings that may be empty are empty): nothing is
    refused."""
    code, result = run(tmp_path, role, {})
    assert code == 0, result


@pytest.mark.parametrize("role", sorted(PATHS))
def test_every_relative_path_is_refused_in_one_line(tmp_path: pathlib.Path, role: str) -> None:
    """Each relative path is named with its setting, one line, in the order the role
    checks them; absolute ones beside them in a list are not."""
    code, result = run(tmp_path, role, PATHS[role])
    assert code == 2 and result.get("failed"), result
    expected = [f"pengaturan salah: {name}: expected an absolute path, got '{path}'"
                for name, value in PATHS[role].items() for path in given_paths(value)
                if not path.startswith("/")]
    assert result["msg"] == "; ".join(expected)


def test_the_record_keeps_the_line_as_the_cause(tmp_path: pathlib.Path) -> None:
    """The runner's cause of the failed check (what `sop run` records) is the line: the
    lab's run wrote the backup into the SSH user's home."""
    code, result = run(tmp_path, "sipp_backup", {"sipp_backup_local_dir": RELATIVE})
    assert code == 2
    assert failure_cause(result) == (
        "pengaturan salah: sipp_backup_local_dir: expected an absolute path, "
        f"got '{RELATIVE}'")


@pytest.mark.parametrize("name", sorted(OPTIONAL))
def test_an_empty_optional_path_is_none(tmp_path: pathlib.Path, name: str) -> None:
    """An empty removable-media path, socket or CA file means none: not refused, where an
    empty backup directory is."""
    role = name.split("_", 1)[0] if name.startswith("website") else "sipp_backup"
    directory = f"{role}_local_dir" if role == "sipp_backup" else "website_backup_local_dir"
    code, result = run(tmp_path, role, {name: "", directory: ""})
    assert code == 2
    assert result["msg"] == (f"pengaturan salah: {directory}: expected an absolute path, "
                             "got ''")


# A list setting given as key=value, a string: its relative path beside an absolute one.
KEY_VALUE = {"website": "website_log_paths", "it_security": "it_security_scan_paths",
             "server_maintenance": "server_maintenance_free_paths",
             "sipp_maintenance": "sipp_maintenance_disk_paths"}


@pytest.mark.parametrize("role", sorted(KEY_VALUE))
def test_a_list_given_as_key_value_is_checked_path_by_path(tmp_path: pathlib.Path,
                                                           role: str) -> None:
    """`-e sipp_maintenance_disk_paths=/,var/lib/mysql` gives a string, which argument_specs
    accept as the list of both paths: checked as one path, '/,var/lib/mysql', it passed
    (it starts with /), and the relative one was measured from the SSH user's home."""
    name = KEY_VALUE[role]
    code, result = run(tmp_path, role, {name: f"/,{RELATIVE}"})
    assert code == 2 and result.get("failed"), result
    assert result["msg"] == (f"pengaturan salah: {name}: expected an absolute path, "
                             f"got '{RELATIVE}'")
