"""roles/server_maintenance/tasks/checks.yml: the condition report's thresholds, the
patching's backup age and time limits and court_kode_satker refused before anything runs,
by their modules' own rules (module_utils/sop_options' RANGES, duration_error,
seconds_error and NAME_KINDS, the filters sop_range_error, sop_duration_error,
sop_seconds_error and sop_name_error), whichever activity runs
(playbooks/server_maintenance.yml on localhost in check mode, selecting a tag no activity
has: only the tasks tagged always run, the checks)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import pytest
from loader import LOCAL_PLAYBOOK
from test_role_relative_paths import texts, texts_refused

ROOT = pathlib.Path(__file__).parents[2]


def checks(tmp_path: pathlib.Path, **variables: Any) -> tuple[int, dict[str, Any]]:
    """The playbook's checks alone on localhost with ``variables``: ansible-playbook's
    exit status and the last task's result."""
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps({"server_maintenance_hosts": "localhost", **variables}),
                     encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "--tags", "sop_no_such_activity",
                           "-e", f"@{extra}", str(ROOT / "playbooks" / "server_maintenance.yml")],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    tasks = [task for play in json.loads(proc.stdout)["plays"] for task in play["tasks"]]
    assert tasks, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.returncode, tasks[-1]["hosts"]["localhost"]


@pytest.mark.parametrize(("variables", "cause"), [
    ({"server_maintenance_disk_warn_percent": 150},
     "server_maintenance_disk_warn_percent: must be at most 100 percent, not 150"),
    ({"server_maintenance_memory_warn_percent": 0},
     "server_maintenance_memory_warn_percent: must be a positive number of percent, not 0"),
    # server_precheck took it as no /boot to check (activity 6 alone never ran
    # server_condition, which refuses it)
    ({"server_maintenance_boot_min_free_mb": -1},
     "server_maintenance_boot_min_free_mb: must be 0 (turns the free-space test off) or a "
     "positive number of MiB, not -1"),
    # the pre-check's own threshold, by the same rule: negative passed every file system
    ({"server_maintenance_min_free_mb": -500},
     "server_maintenance_min_free_mb: must be 0 (turns the free-space test off) or a "
     "positive number of MiB, not -500"),
    ({"server_maintenance_load_warn_per_cpu": 1000},
     "server_maintenance_load_warn_per_cpu: must be at most 100 processes per CPU, not 1000"),
    # -e gives a text, read as its number as the module reads it
    ({"server_maintenance_load_warn_per_cpu": "nan"},
     "server_maintenance_load_warn_per_cpu: must be a positive number of processes per "
     "CPU, not nan"),
    ({"server_maintenance_eos_warn_days": -1},
     "server_maintenance_eos_warn_days: must be 0 (its last day only) or a positive number "
     "of days, not -1"),
    ({"server_maintenance_uptime_warn_days": 0},
     "server_maintenance_uptime_warn_days: must be a positive number of days, not 0"),
    ({"server_maintenance_cert_warn_days": 10**6},
     "server_maintenance_cert_warn_days: must be at most 3650 days (ten years), not 1000000"),
    # server_backup_age refused it at activity 6's pre-check (after the approval), or in
    # activity 1 after server_condition's apt-get update; 1e12 made every backup fresh
    ({"server_maintenance_backup_max_age_hours": 0},
     "server_maintenance_backup_max_age_hours: must be a positive number of hours, not 0"),
    ({"server_maintenance_backup_max_age_hours": "1e12"},
     "server_maintenance_backup_max_age_hours: must be at most 87600 hours (ten years), "
     "not 1e+12"),
    # server_updates refused these only after the approval and the pre-checks
    ({"server_maintenance_download_timeout": 0},
     "server_maintenance_download_timeout: must be a positive number of seconds, not 0"),
    ({"server_maintenance_apt_lock_timeout": -1},
     "server_maintenance_apt_lock_timeout: must be 0 (does not wait) or a positive number "
     "of seconds, not -1"),
    ({"server_maintenance_apt_lock_timeout": 86401},
     "server_maintenance_apt_lock_timeout: must be at most 86400 seconds (one day), not 86401"),
    # 0 made timeout(1) wait without a limit for the boot or the ping: a hung boot or
    # MariaDB held the run until its timer's time limit; 1e12 was ansible.builtin.reboot's
    ({"server_maintenance_reboot_timeout": 0},
     "server_maintenance_reboot_timeout: must be a positive number of seconds, not 0"),
    ({"server_maintenance_mariadb_ping_timeout": 10**12},
     "server_maintenance_mariadb_ping_timeout: must be at most 86400 seconds (one day), "
     "not 1000000000000"),
    # it names the court's directory in the SIPP backup store whose ledger the pre-check
    # reads: one level up was another court's
    ({"court_kode_satker": "../400998"},
     "court_kode_satker: must be the court's kode satker, six digits (400999), not "
     "'../400998'")])
def test_a_setting_a_module_refuses_when_it_runs_is_refused_first(
        tmp_path: pathlib.Path, variables: dict[str, Any], cause: str) -> None:
    """server_condition refused its thresholds only when activity 1 ran (after its
    apt-get update), activity 6 alone going on with them; server_backup_age and
    server_updates refused theirs in activity 6, the reboot and the ping were given
    theirs after the upgrade. Refused before anything runs, in one line naming the role's
    variable."""
    rc, result = checks(tmp_path, **variables)
    assert rc == 2 and result.get("failed"), result
    assert result["msg"] == f"pengaturan salah: {cause}"


@pytest.mark.parametrize(("variable", "value", "cause"), [
    # server_condition's and server_updates' "argument 'update_cache' is of type NoneType
    # and we were unable to convert to bool", naming no variable of the role
    ("server_maintenance_update_cache", None, "must be true or false, not null"),
    # the reboot's condition, after the upgrade: "Conditional result (False) was derived
    # from value of type 'NoneType'"
    ("server_maintenance_reboot", None, "must be true or false, not null"),
    # uri's "argument 'validate_certs' is of type NoneType", after the upgrade: the
    # website said not to answer
    ("server_maintenance_website_validate_certs", None, "must be true or false, not null"),
    # the modules' "argument 'hold' is of type NoneType"; true held a package True,
    # MariaDB's upgraded
    ("server_maintenance_hold", None, "must be a list, not null"),
    ("server_maintenance_hold", True, "must be a list, not true"),
    # sop_list's "expected a list, a comma-separated string or a number, not NoneType",
    # naming no variable; true refused as the relative path 'True'
    ("server_maintenance_cert_paths", None, "must be a list, not null"),
    ("server_maintenance_free_paths", True, "must be a list, not true"),
    # null read as no approval; true failed activity 6 in Ansible's words ("The filter
    # plugin 'ansible.builtin.selectattr' failed: 'bool' object is not iterable")
    ("server_maintenance_approvals", None, "must be a list, not null"),
    ("server_maintenance_approvals", False, "must be a list, not false"),
])
def test_a_switch_or_a_list_of_another_type_is_refused_first(
        tmp_path: pathlib.Path, variable: str, value: object, cause: str) -> None:
    """argument_specs lets null, and a list given as true or false, through: refused
    before anything runs, in one line naming the role's variable."""
    rc, result = checks(tmp_path, **{variable: value})
    assert rc == 2 and result.get("failed"), result
    assert result["msg"] == f"pengaturan salah: {variable}: {cause}"


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["security"], "a list"), ({"security": 1}, "a mapping")])
def test_a_text_of_another_type_is_refused_first(tmp_path: pathlib.Path, value: object,
                                                 shown: str) -> None:
    """A text given as null, a list or a mapping (the playbook imports the role's tasks:
    argument_specs never run, server_maintenance_scope's choices unchecked): null read
    as '' or 'None' (the backup host's length failed activity 1 in Ansible's words), a
    list or a mapping written as its text "['security']", the modules given the list.
    Each text (a host each, in one run) refused before anything runs, in one line naming
    the role's variable."""
    assert "server_maintenance_scope" in texts("server_maintenance")
    texts_refused(tmp_path, "server_maintenance", value, shown)


def test_the_defaults_and_zeros_that_mean_something_pass(tmp_path: pathlib.Path) -> None:
    """The defaults pass; 0 MiB (no /boot test), 0 days (flagged on the last day only)
    and 0 s for apt's lock (no wait) are documented meanings, not refused; a six-digit
    court_kode_satker passes, and one unset (as in the first run: the check's vars lookup
    failed on it) is left to the task that reads the store."""
    assert checks(tmp_path)[0] == 0
    rc, result = checks(tmp_path, server_maintenance_boot_min_free_mb=0,
                        server_maintenance_eos_warn_days="0", server_maintenance_cert_warn_days=0)
    assert rc == 0, result
    # 0 s for apt's lock does not wait; -e gives the numbers as text
    rc, result = checks(tmp_path, server_maintenance_apt_lock_timeout="0",
                        server_maintenance_download_timeout="86400",
                        server_maintenance_backup_max_age_hours="0.5",
                        court_kode_satker="400997")
    assert rc == 0, result
