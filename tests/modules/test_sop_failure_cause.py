"""plugins/filter/sop_failure_cause.py: the cause a role's rescue shows of a failed task,
naming the role's variable when a module refused one of its settings."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from loader import filters

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cause():
    return filters("sop_failure_cause")["sop_failure_cause"]


def test_a_refused_setting_is_named_by_the_roles_variable(cause):
    # sop_sipp_schema.zone_error: msg starts with the option's name, setting names it
    result = {"failed": True, "setting": "data_timezone",
              "msg": "data_timezone: unknown time zone 'Asia/Jakrta'"}
    assert cause(result, "sipp_maintenance_") == (
        "pengaturan salah: sipp_maintenance_data_timezone: unknown time zone 'Asia/Jakrta'")


def test_an_option_the_role_sets_by_another_name_is_named_by_that_variable(cause):
    # 'sipp_sync_' + 'timeout' named sipp_sync_timeout, a variable no court has
    result = {"failed": True, "setting": "timeout",
              "msg": "timeout: must be a positive number of seconds"}
    names = {"timeout": "sipp_sync_http_timeout"}
    assert cause(result, "sipp_sync_", names) == (
        "pengaturan salah: sipp_sync_http_timeout: must be a positive number of seconds")
    # an option the mapping does not name keeps the prefix
    zone = {"failed": True, "setting": "timezone", "msg": "timezone: unknown time zone 'X'"}
    assert cause(zone, "sipp_sync_", names) == (
        "pengaturan salah: sipp_sync_timezone: unknown time zone 'X'")
    assert cause({"failed": True, "msg": "HTTP 404"}, "sipp_sync_", names) == "HTTP 404"


def test_any_other_failure_is_its_message(cause):
    assert cause({"failed": True, "msg": "SIPP database sipp: Can't connect"},
                 "sipp_sync_") == "SIPP database sipp: Can't connect"


def _item(item, msg, **result):
    """A failed loop item's result as Ansible registers it (label: the item by default)."""
    return {"failed": True, "msg": msg, "item": item, "ansible_loop_var": "item",
            "_ansible_item_label": item, "_ansible_item_result": True, **result}


def test_a_loop_gives_each_failed_item_s_cause_named_by_its_label(cause):
    """The lab's website backup with the backup computer's disk full during the ingest was
    recorded as 'Kegiatan 2: One or more items failed', Ansible's msg of a loop."""
    result = {"failed": True, "msg": "One or more items failed", "results": [
        _item({"prefix": "website", "files": []},
              "ingest failed: website-20261206T151727.tar.zst: No space left on device: "
              "/dev/shm/website/400999", _ansible_item_label="website"),
        {"changed": False, "item": {"prefix": "website-db"}, "_ansible_item_label": "website-db"},
        {"skipped": True, "item": "x", "_ansible_item_label": "x"},
        _item("website-db", "ingest failed: website-db-20261206T151727.sql.zst: sha256 differs"),
    ]}
    assert cause(result, "website_") == (
        "website: ingest failed: website-20261206T151727.tar.zst: No space left on device: "
        "/dev/shm/website/400999; "
        "website-db: ingest failed: website-db-20261206T151727.sql.zst: sha256 differs")


@pytest.mark.parametrize(("item", "expected"), [
    # a label given: it, not the item
    (_item({"key": "2001:db8::10"}, "down", _ansible_item_label="2001:db8::10"),
     "2001:db8::10: down"),
    # Ansible's default label is the item itself: a dict without a label names nothing
    (_item({"key": "2001:db8::10"}, "down"), "down"),
    # a result without Ansible's label: the item, by the loop's own variable
    ({"failed": True, "msg": "down", "ansible_loop_var": "action", "action": "restart_services"},
     "restart_services: down"),
    ({"failed": True, "msg": "down", "item": {"key": "x"}}, "down"),
    (_item(8080, "down"), "8080: down"),
    (_item(True, "down"), "down"),
])
def test_an_item_is_named_by_its_label_or_itself_a_string_or_number(cause, item, expected):
    assert cause({"failed": True, "msg": "One or more items failed", "results": [item]},
                 "it_security_") == expected


def test_a_refused_setting_of_an_item_is_named_by_the_roles_variable(cause):
    result = {"failed": True, "msg": "One or more items failed", "results": [
        _item("clean_logs", "log_min_age_days: must be 1 or more, not 0",
              setting="log_min_age_days"),
        _item("restart_php", "timeout: must be a positive number of seconds", setting="timeout")]}
    assert cause(result, "server_incident_", {"timeout": "server_incident_http_timeout"}) == (
        "clean_logs: pengaturan salah: server_incident_log_min_age_days: must be 1 or more, "
        "not 0; restart_php: pengaturan salah: server_incident_http_timeout: must be a "
        "positive number of seconds")


@pytest.mark.parametrize(("output", "expected"), [
    # stderr's last non-empty line: the error after any warning before it
    ({"stderr": "Warning: x\nno route to host\n\n", "stdout": "<nmaprun/>"},
     "non-zero return code (no route to host)"),
    # stdout's when stderr is empty
    ({"stderr": "", "stdout": "checking\nmariadb-admin: not found\n"},
     "non-zero return code (mariadb-admin: not found)"),
    # nothing printed: the message alone
    ({"stderr": "", "stdout": "  \n"}, "non-zero return code"),
    # no_log: its output stays hidden
    ({"stderr": "password rahasia refused", "_ansible_no_log": True}, "non-zero return code"),
])
def test_a_command_s_non_zero_return_code_is_followed_by_its_last_line(cause, output, expected):
    single = {"failed": True, "rc": 1, "msg": "non-zero return code", **output}
    assert cause(single, "network_") == expected
    loop = {"failed": True, "msg": "One or more items failed",
            "results": [_item("192.0.2.1", "non-zero return code", rc=1, **output)]}
    assert cause(loop, "network_") == f"192.0.2.1: {expected}"


def _failed_when(**output):
    """A command that exited 0 failed by its failed_when, as Ansible registers it."""
    return {"failed": True, "failed_when_result": True, "changed": True, "rc": 0, "msg": "",
            "stderr": "", "stdout": "", **output}


@pytest.mark.parametrize(("result", "expected"), [
    # stderr's last non-empty line, the line alone (no 'non-zero return code' to follow)
    (_failed_when(stderr="Warning: x\nsop-backup-receive: accepted\n\n", stdout="ok"),
     "sop-backup-receive: accepted"),
    # stdout's when stderr is empty
    (_failed_when(stdout="3.9\n"), "3.9"),
    # nothing printed: the task's failure condition held
    (_failed_when(stdout=" \n"), "kondisi gagal tugas terpenuhi (failed_when)"),
    # a module's result without msg or output (failed_when on what it returned)
    ({"failed": True, "failed_when_result": True, "changed": False},
     "kondisi gagal tugas terpenuhi (failed_when)"),
    # no_log: its output stays hidden
    (_failed_when(stderr="password rahasia refused", stdout="rahasia", _ansible_no_log=True),
     "kondisi gagal tugas terpenuhi (failed_when)"),
    # another failure saying nothing: never an empty cause, and no failed_when named
    ({"failed": True, "msg": "  "}, "tugas gagal tanpa pesan"),
    ({"failed": True}, "tugas gagal tanpa pesan"),
])
def test_a_task_failed_by_its_failed_when_is_never_an_empty_cause(cause, result, expected):
    """A task its failed_when failed has an empty msg: its cause was empty, a loop
    item's only its label ('192.0.2.1: ')."""
    assert cause(result, "network_") == expected
    item = {**result, "item": "192.0.2.1", "ansible_loop_var": "item",
            "_ansible_item_label": "192.0.2.1"}
    loop = {"failed": True, "msg": "One or more items failed", "results": [item]}
    assert cause(loop, "network_") == f"192.0.2.1: {expected}"


def test_a_failed_when_with_the_module_s_own_message_keeps_it(cause):
    # failed_when on what a module returned after it failed: its msg says why
    result = {"failed": True, "failed_when_result": True, "setting": "data_timezone",
              "msg": "data_timezone: unknown time zone 'X'", "stderr": "ignored"}
    assert cause(result, "sipp_maintenance_") == (
        "pengaturan salah: sipp_maintenance_data_timezone: unknown time zone 'X'")
    nonzero = _failed_when(rc=2, msg="non-zero return code", stderr="dpkg-query: error")
    assert cause(nonzero, "x_") == "non-zero return code (dpkg-query: error)"


@pytest.mark.parametrize("results", [[], [{"changed": False, "item": "a"}]])
def test_a_loop_without_a_failed_item_and_without_a_message_is_named(cause, results):
    assert cause({"failed": True, "msg": "", "results": results}, "x_") == (
        "tugas gagal tanpa pesan")


def test_another_message_keeps_its_words_without_the_output(cause):
    # the module said why: its stderr is not added
    result = {"failed": True, "rc": 2, "msg": "[Errno 2] No such file or directory: b'nmap'",
              "stderr": "ignored"}
    assert cause(result, "it_security_") == "[Errno 2] No such file or directory: b'nmap'"


@pytest.mark.parametrize("results", [
    [],  # the loop's items could not be read
    [{"changed": False, "item": "a"}],  # no item failed
    ["Installed: nmap-7.93"],  # a module's own results (dnf's), not a loop's
])
def test_a_result_without_a_failed_item_keeps_its_own_message(cause, results):
    assert cause({"failed": True, "msg": "Depsolve Error", "results": results},
                 "it_security_") == "Depsolve Error"


@pytest.mark.parametrize(("args", "message"), [
    ((None, "sipp_sync_"), "sop_failure_cause: the input must be the failed task's result "
                           "(ansible_failed_result), not NoneType"),
    (("HTTP 404", "sipp_sync_"), "sop_failure_cause: the input must be the failed task's "
                                 "result (ansible_failed_result), not str"),
    (({"setting": "timezone", "msg": "timezone: x"}, None),
     "sop_failure_cause: prefix must be a string, not NoneType"),
    (({"msg": "x"}, "sipp_sync_", ["timeout"]),
     "sop_failure_cause: names must map option names to variable names, not list"),
])
def test_arguments_of_another_type_fail_in_one_line_naming_them(cause, args, message):
    """They failed in Python's words ('NoneType' object has no attribute 'get'), and a
    prefix of None was written before the option's name (Nonetimezone: x)."""
    with pytest.raises(AnsibleFilterError) as refused:
        cause(*args)
    assert str(refused.value) == message


def test_ansible_doc_renders_the_filter():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", "sop_failure_cause"],
                          capture_output=True, text=True, check=False, env=env, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    assert set(doc["options"]) == {"_input", "prefix", "names"}
    assert "pengaturan salah" in " ".join(doc["description"])
    assert "One or more items failed" in " ".join(doc["description"])
    assert "kondisi gagal tugas terpenuhi (failed_when)" in " ".join(doc["description"])
    assert doc["options"]["_input"]["type"] == "dict"
