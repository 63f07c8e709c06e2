"""library/ups_status.py: NUT's upsc output graded as the SOP grades it."""

from __future__ import annotations

import os
import time

import pytest
from loader import load, run_module

mod = load("ups_status")

UPSC = """battery.charge: {charge}
battery.runtime: {runtime}
device.model: Smart-UPS 1500
driver.name: dummy-ups
ups.load: 35
ups.status: {status}
"""


@pytest.mark.parametrize(("status", "grade", "text"), [
    ("OL", "ok", "online"),
    ("OL CHRG", "ok", "online"),
    ("OB DISCHRG", "warning", "memakai baterai"),
    ("OB DISCHRG LB", "fail", "baterai lemah"),
    ("OL RB", "fail", "baterai harus diganti"),
    ("OL OVER", "fail", "beban berlebih"),
    ("OL ALARM", "fail", "alarm"),
    ("OL BYPASS", "warning", "bypass"),
    ("BYPASS", "warning", "bypass"),
    ("OL FSD", "fail", "shutdown paksa"),
    ("OFF", "fail", "UPS mati"),
    ("OB DISCHRG OVER", "fail", "beban berlebih"),
    ("OL TRIM", "ok", "online"),
    ("CAL", "warning", "status tidak dikenal"),
])
def test_grades(status, grade, text):
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=74, runtime=900, status=status)))
    assert ups["status"] == grade
    assert text in ups["message"]
    assert ups["charge_percent"] == 74.0 and ups["runtime_seconds"] == 900
    assert ups["load_percent"] == 35.0 and ups["model"] == "Smart-UPS 1500"


def test_message_in_minutes():
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=100, runtime=1800, status="OL")))
    assert ups["message"] == "UPS ups@backup online, baterai 100%, sisa waktu 30 menit, beban 35%"


def test_alarm_names_the_ups_alarm():
    text = UPSC.format(charge=100, runtime=1800, status="OL ALARM") + (
        "ups.alarm: Internal UPS fault!\n")
    ups = mod.grade("ups@backup", mod.parse(text))
    assert ups["status"] == "fail"
    assert ups["message"].startswith("UPS ups@backup alarm: Internal UPS fault!, baterai 100%")


def test_warnings_are_all_named():
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=60, runtime=600,
                                                        status="OB BYPASS")))
    assert ups["status"] == "warning"
    assert "memakai baterai" in ups["message"] and "bypass" in ups["message"]


def test_a_nut_server_that_never_answers_is_a_failed_read_not_a_hang(tmp_path, monkeypatch):
    # upsc waits as long as a NUT server keeps the connection open without answering (a
    # hung upsd or one behind a dropping firewall): the network SOP hung on it. upsc is not
    # on this machine, so a script stands in for one that never returns.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "upsc").write_text("#!/bin/sh\nexec sleep 60\n")
    (bin_dir / "upsc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    started = time.monotonic()
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut", "timeout": 1}, seconds=30)
    assert rc == 0, result.get("msg")
    assert time.monotonic() - started < 20
    assert result["ups"]["status"] == "fail"
    assert result["ups"]["error"] == "upsc did not answer within 1 s (a hung NUT server?)"
