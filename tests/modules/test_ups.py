"""library/ups_status.py: NUT's upsc output graded as the SOP grades it."""

from __future__ import annotations

import pytest
from loader import load

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
    ("BYPASS", "warning", "status tidak dikenal"),
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
