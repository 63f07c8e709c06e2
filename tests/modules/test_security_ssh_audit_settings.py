"""security_ssh_audit's refused options, run as Ansible runs the module: each fails the
module with ``setting`` naming the one option at fault, for the role's rescue to name the
court's variable (roles/it_security's rescue: test_it_security_failure_cause.py)."""

from __future__ import annotations

import shutil

import pytest
from loader import run_module

# The thresholds of a finding: below 1 counts nothing. failure_warn, penalised_warn and
# success_after_failures of 0 were taken without a word, the last making every login a
# finding ('setelah 0 kali gagal').
COUNTS = ["burst_failures", "burst_seconds", "failure_warn", "penalised_warn",
          "success_after_failures"]


@pytest.mark.parametrize("value", [0, -3])
@pytest.mark.parametrize("option", COUNTS)
def test_a_count_below_1_is_refused_as_its_setting(tmp_path, option, value):
    rc, result = run_module("security_ssh_audit", tmp_path, {option: value, "cursor_file": ""},
                            30)
    assert (rc, result["setting"], result["msg"]) == (
        1, option, f"{option}: must be at least 1, not {value}")


@pytest.mark.parametrize(("args", "setting"), [
    ({"office_hours_start": "7.30"}, "office_hours_start"),
    ({"office_hours_end": "25:00"}, "office_hours_end"),
    ({"office_hours_start": "18:00"}, "office_hours_end"),
    ({"office_days": []}, "office_days"),
    ({"office_days": [1, 9]}, "office_days"),
    ({"timezone": "Asia/Jakrta"}, "timezone"),
])
def test_office_hours_the_module_cannot_use_are_refused_as_their_setting(tmp_path, args,
                                                                          setting):
    # these failed with no setting: the rescue recorded the module's words, no variable
    rc, result = run_module("security_ssh_audit", tmp_path, {**args, "cursor_file": ""}, 30)
    assert (rc, result.get("setting")) == (1, setting)
    assert result["msg"].startswith(f"{setting}: ")


def test_one_is_the_least_count_taken(tmp_path, monkeypatch):
    """1 of every count is taken: the journal is read (a journalctl that gives nothing)."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "journalctl").symlink_to(shutil.which("true") or "/bin/true")
    monkeypatch.setenv("PATH", str(tools))
    rc, result = run_module("security_ssh_audit", tmp_path,
                            {**dict.fromkeys(COUNTS, 1), "cursor_file": ""}, 30)
    assert (rc, result["findings"], result["ssh"]["lines_read"]) == (0, [], 0)
