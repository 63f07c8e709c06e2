"""Review of SOP Pengamanan TI: what an attacker or a real Debian 12 host feeds the
security modules."""

from __future__ import annotations

import json

from loader import load

ssh = load("security_ssh_audit")
common = load("sop_security")

PARAMS = {"burst_failures": 10, "burst_seconds": 60, "failure_warn": 20,
          "success_after_failures": 5, "root_login": True, "trusted_users": []}
MONDAY_10_WIB = 1796007600.0


def journal(entries: list[tuple[float, str]]) -> list[bytes]:
    return [json.dumps({"__CURSOR": f"s=c{i}", "__REALTIME_TIMESTAMP": str(int(t * 1e6)),
                        "MESSAGE": m}).encode() for i, (t, m) in enumerate(entries)]


def test_a_crafted_user_name_does_not_blame_another_address():
    # sshd logs the user name an attacker sends as is: spaces and all. A name ending in
    # "from ADDRESS port N" must not make the failures the court admin's address's.
    audit = ssh.Audit(PARAMS, common.OfficeHours("07:30", "17:00", [1, 2, 3, 4, 5],
                                                 "Asia/Jakarta"))
    spoof = "x from 10.0.0.5 port 1"
    lines = [(MONDAY_10_WIB + i, f"Failed password for invalid user {spoof} from 203.0.113.9 "
              f"port {4000 + i} ssh2") for i in range(12)]
    lines.append((MONDAY_10_WIB + 30, "Accepted publickey for admin from 10.0.0.5 port 5000 ssh2: "
                  "ED25519 SHA256:abc"))
    ssh.analyse(audit, journal(lines))
    assert audit.failures == {"203.0.113.9": 12}
    kinds = {f["kind"]: f for f in audit.findings()}
    assert set(kinds) == {"brute_force"}
    assert kinds["brute_force"]["message"].endswith("203.0.113.9")


def test_a_crafted_user_name_in_a_closed_connection_does_not_blame_another_address():
    audit = ssh.Audit(PARAMS, common.OfficeHours("07:30", "17:00", [1, 2, 3, 4, 5],
                                                 "Asia/Jakarta"))
    ssh.analyse(audit, journal([(MONDAY_10_WIB, "Connection closed by invalid user "
                                 "x 10.0.0.5 port 1 [preauth] 203.0.113.9 port 7 [preauth]")]))
    assert audit.failures == {"203.0.113.9": 1}


sop_summary = load("security_sop_summary")


def test_the_month_summary_counts_runs_in_the_courts_month():
    # The records keep UTC; a run at 02:00 WIB on 1 December is 19:00 UTC on 30 November
    # and belongs to December in the court's report.
    history = [{"id": 1, "sop_id": "sipp-backup", "sop_title": "Backup", "status": "failed",
                "started_at": "2026-11-30T19:00:00+00:00", "check_mode": False, "error": "x"},
               {"id": 2, "sop_id": "sipp-backup", "sop_title": "Backup", "status": "successful",
                "started_at": "2026-10-31T18:00:00+00:00", "check_mode": False}]
    result = sop_summary.summarise(history, [], ("2026-11-01", "2026-12-01", "2027-01-01"),
                                   "Asia/Jakarta")
    (item,) = result["per_sop"]
    assert (item["runs"], item["failed"], item["previous_runs"]) == (1, 1, 1)


import os  # noqa: E402
import time  # noqa: E402

from loader import run_module  # noqa: E402


def fake_tool(folder, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_a_scan_that_never_ends_is_stopped_and_named(tmp_path, monkeypatch):
    # yara's -a limits one file's scan, not the tree's; clamscan had no limit at all.
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "yara", "exec sleep 20\n")
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    web = tmp_path / "www"
    web.mkdir()
    started = time.monotonic()
    rc, result = run_module("security_malware_scan", tmp_path,
                            {"paths": [str(web)], "rules": "rule x { condition: false }",
                             "clamav": "never", "timeout": 1})
    assert time.monotonic() - started < 10
    assert rc == 1 and result["msg"] == f"yara tidak selesai dalam 1 detik di {web}"


def test_a_clamscan_that_never_ends_is_stopped_and_reported(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "yara", "exit 0\n")
    fake_tool(tools, "clamscan", "exec sleep 20\n")
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    web = tmp_path / "www"
    web.mkdir()
    started = time.monotonic()
    rc, result = run_module("security_malware_scan", tmp_path,
                            {"paths": [str(web)], "rules": "rule x { condition: false }",
                             "timeout": 1})
    assert time.monotonic() - started < 10
    assert rc == 0 and result["scanned"]["clamav"] == {
        "used": False, "reason": "clamscan tidak selesai dalam 1 detik"}
