"""plugins/filter/sop_failure_cause.py: the cause a role's rescue shows of a failed task,
naming the role's variable when a module refused one of its settings."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from ansible.errors import AnsibleFilterError

ROOT = Path(__file__).resolve().parents[2]


def _plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sop_filter_failure_cause", ROOT / "plugins" / "filter" / "sop_failure_cause.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cause():
    return _plugin().FilterModule().filters()["sop_failure_cause"]


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
