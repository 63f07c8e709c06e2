"""security_ssh_audit's refused options, run as Ansible runs the module: each fails the
module with ``setting`` naming the one option at fault, for the role's rescue to name the
court's variable (roles/it_security's rescue: test_it_security_failure_cause.py)."""

from __future__ import annotations

import pathlib
import shutil

import pytest
from loader import run_module

# The thresholds of a finding: below 1 counts nothing. failure_warn, penalised_warn and
# success_after_failures of 0 were taken without a word, the last making every login a
# finding ('setelah 0 kali gagal').
COUNTS = ["burst_failures", "failure_warn", "penalised_warn", "success_after_failures"]


@pytest.mark.parametrize("value", [0, -3])
@pytest.mark.parametrize("option", COUNTS)
def test_a_count_below_1_is_refused_as_its_setting(tmp_path, option, value):
    rc, result = run_module("security_ssh_audit", tmp_path, {option: value, "cursor_file": ""},
                            30)
    assert (rc, result["setting"], result["msg"]) == (
        1, option, f"{option}: must be at least 1, not {value}")


@pytest.mark.parametrize(("value", "said"), [
    (0, "must be a positive number of seconds, not 0"),
    (-3, "must be a positive number of seconds, not -3"),
    # taken before: a burst's window of the whole period, its failures all kept per
    # address, the period's count (failure_warn) said again as a burst
    (10**12, "must be at most 86400 seconds (one day), not 1000000000000")])
def test_a_burst_window_outside_one_second_to_one_day_is_refused_as_its_setting(
        tmp_path, value, said):
    rc, result = run_module("security_ssh_audit", tmp_path,
                            {"burst_seconds": value, "cursor_file": ""}, 30)
    assert (rc, result["setting"], result["msg"]) == (1, "burst_seconds", f"burst_seconds: {said}")


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


def fake_journalctl(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                    script: str) -> pathlib.Path:
    """A journalctl running ``script`` (sh) as the only one on PATH; the file its
    arguments are written to, one a line, when it runs."""
    tools = tmp_path / "bin"
    tools.mkdir()
    argv = tmp_path / "argv"
    journalctl = tools / "journalctl"
    journalctl.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {argv}\n{script}\n")
    journalctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    return argv


# systemd's journalctl refusing its --since (journalctl.c: log_error("Failed to parse
# timestamp: %s", optarg)), as Debian 12's 252 does for '2026-13-01', '31 hari' and ''
REFUSE_SINCE = """for arg; do case $arg in --since=*)
  echo "Failed to parse timestamp: ${arg#--since=}" >&2; exit 1;; esac; done"""


@pytest.mark.parametrize("since", ["2026-13-01", "31 hari", ""])
def test_a_since_journalctl_does_not_read_is_refused_as_its_setting(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, since: str) -> None:
    # was 'journalctl failed: Failed to parse timestamp: ...' without a setting: the
    # rescue named no variable of the court
    fake_journalctl(tmp_path, monkeypatch, REFUSE_SINCE)
    rc, result = run_module("security_ssh_audit", tmp_path,
                            {"since": since, "cursor_file": ""}, 30)
    assert (rc, result.get("setting"), result["msg"]) == (
        1, "since", f"since: journalctl reads no time from {since!r} (such as -31d, "
                    "2026-11-01 or yesterday)")


@pytest.mark.parametrize("since", ["-30d", "2026-11-01", "yesterday", "2026-11-01 07:30"])
def test_a_since_journalctl_reads_is_given_to_it_as_it_is(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, since: str) -> None:
    argv = fake_journalctl(tmp_path, monkeypatch, "")
    rc, _result = run_module("security_ssh_audit", tmp_path,
                            {"since": since, "cursor_file": ""}, 30)
    assert (rc, argv.read_text().splitlines()[-1]) == (0, f"--since={since}")


def test_another_journalctl_failure_is_not_blamed_on_since(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_journalctl(tmp_path, monkeypatch, "echo 'No journal files were found.' >&2; exit 1")
    rc, result = run_module("security_ssh_audit", tmp_path, {"cursor_file": ""}, 30)
    assert (rc, result.get("setting"), result["msg"]) == (
        1, None, "journalctl failed: No journal files were found.")


@pytest.mark.parametrize(("identifiers", "text"), [
    ([], "empty, name at least one syslog identifier such as sshd"),
    (["sshd", ""], "['sshd', ''] holds an empty one, name each syslog identifier such as "
                   "sshd"),
    ([" "], "[' '] holds an empty one, name each syslog identifier such as sshd"),
])
def test_identifiers_reading_no_sshd_message_are_refused_before_journalctl(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, identifiers: list[str],
        text: str) -> None:
    # [] ran journalctl without -t: every message of the journal was read as sshd's
    argv = fake_journalctl(tmp_path, monkeypatch, "")
    rc, result = run_module("security_ssh_audit", tmp_path,
                            {"identifiers": identifiers, "cursor_file": ""}, 30)
    assert (rc, result.get("setting"), result["msg"]) == (1, "identifiers",
                                                         f"identifiers: {text}")
    assert not argv.exists()
