"""library/ups_status.py: the UPS name checked before upsc runs, readings outside their
physical range named, and the battery's age checked when a court asks for it. upsc is
never run: a script stands in for it on a temporary PATH."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from loader import load, run_module

mod = load("ups_status")

UPSC = """battery.charge: {charge}
battery.runtime: {runtime}
device.model: Smart-UPS 1500
ups.load: {load}
ups.status: {status}
"""
TODAY = datetime.date(2026, 12, 5)
REFUSED = ("ups must be a UPS as NUT names it, upsname[@hostname[:port]] (letters, digits, "
           "'.', '_' and '-', not starting with '-'; a port 1-65535), not {!r}")


def fake_upsc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """An upsc that writes its arguments, one a line, to the file returned, then runs
    ``script``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    called = tmp_path / "called"
    (bin_dir / "upsc").write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{called}'\n{script}\n")
    (bin_dir / "upsc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return called


def variables(charge: object = 100, runtime: object = 1800, load_: object = 35,
              status: str = "OL", **more: str) -> dict[str, str]:
    text = UPSC.format(charge=charge, runtime=runtime, load=load_, status=status)
    return mod.parse(text + "".join(f"{key.replace('_', '.')}: {value}\n"
                                    for key, value in more.items()))


@pytest.mark.parametrize("name", [
    "-l", "-L", "-h", "--", "-ups@nut", "ups@-host", "", "@nut", "ups@", "ups:3493",
    "ups@nut:0", "ups@nut:65536", "ups@nut:", "ups@nut:port", "ups name@nut", "ups@nut\n-l",
    "ups@[2001:db8::1", "ups@nut@other", "ups;id@nut",
])
def test_a_name_not_of_nuts_form_is_refused_before_upsc_runs(tmp_path, monkeypatch, name):
    # "-l" reached upsc as its option: upsc listed the UPSes of localhost, and an answer
    # not about any UPS was graded
    called = fake_upsc(tmp_path, monkeypatch, "echo 'ups.status: OL'")
    rc, result = run_module("ups_status", tmp_path, {"ups": name})
    assert rc == 1 and result["msg"] == REFUSED.format(name)
    assert not called.exists()


@pytest.mark.parametrize("name", [
    "ups", "ups@nut", "ups-server@backup.pa-contoh.go.id:3493", "UPS_1.rack@192.0.2.10",
    "ups@[2001:db8::1]", "ups@[2001:db8::1]:3493", "ups@[fe80::1%eth0]", "ups@nut:65535",
])
def test_nuts_forms_are_taken(name):
    assert mod.valid_ups(name)


def test_the_ups_is_given_to_upsc_after_the_end_of_its_options(tmp_path, monkeypatch):
    # upsc reads its options with getopt, which takes "--" as their end: a name that
    # looked like an option would be the UPS, never an option
    text = UPSC.format(charge=100, runtime=1800, load=35, status="OL")
    called = fake_upsc(tmp_path, monkeypatch, f"cat <<'END'\n{text}END")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["status"] == "ok"
    assert called.read_text().splitlines() == ["--", "ups@nut"]


@pytest.mark.parametrize(("reading", "key", "value", "field"), [
    ({"charge": -5}, "battery.charge", "-5", "charge_percent"),
    ({"charge": "100.5"}, "battery.charge", "100.5", "charge_percent"),
    ({"runtime": -1}, "battery.runtime", "-1", "runtime_seconds"),
    ({"load_": "-0.5"}, "ups.load", "-0.5", "load_percent"),
])
def test_a_reading_outside_its_range_is_named_not_shown(reading, key, value, field):
    # a broken firmware's battery.charge of -5 was "baterai -5%", graded ok
    ups = mod.grade("ups@backup", variables(**reading))
    assert ups["status"] == "warning" and ups[field] is None
    shown = {"charge_percent": "baterai 100%", "runtime_seconds": "sisa waktu 30 menit",
             "load_percent": "beban 35%"}
    assert ups["message"] == ", ".join([f"UPS ups@backup online, nilai {key} tidak wajar: "
                                        f"{value}"] + [text for name, text in shown.items()
                                                       if name != field])


def test_a_reading_outside_its_range_leaves_a_failure_a_failure():
    ups = mod.grade("ups@backup", variables(charge=-5, status="OB LB"))
    assert ups["status"] == "fail"
    assert ups["message"] == ("UPS ups@backup baterai lemah, memakai baterai (listrik PLN "
                              "padam), nilai battery.charge tidak wajar: -5, sisa waktu 30 "
                              "menit, beban 35%")


@pytest.mark.parametrize(("charge", "load_"), [(0, 0), (100, 120)])
def test_readings_at_the_ends_of_their_range_are_readings(charge, load_):
    # an empty battery and an overloaded UPS (the driver's OVER grades it) are real states
    ups = mod.grade("ups@backup", variables(charge=charge, runtime=0, load_=load_))
    assert ups["status"] == "ok" and "tidak wajar" not in ups["message"]
    assert (ups["charge_percent"], ups["runtime_seconds"], ups["load_percent"]) == (
        charge, 0, load_)


@pytest.mark.parametrize("text", ["2023/12/04", "2023-12-04", "12/04/23"])
def test_an_old_battery_is_a_warning_when_the_court_checks_its_age(text):
    ups = mod.grade("ups@backup", variables(battery_date=text), 1000, TODAY)
    assert (ups["status"], ups["battery_date"], ups["battery_age_days"]) == (
        "warning", "2023-12-04", 1097)
    assert ups["message"] == (f"UPS ups@backup online, baterai berumur 1.097 hari "
                              f"(battery.date {text}), melewati batas 1.000 hari: rencanakan "
                              "penggantian baterai, baterai 100%, sisa waktu 30 menit, beban 35%")


def test_the_age_is_not_checked_by_default():
    ups = mod.grade("ups@backup", variables(battery_date="2001/01/01"), today=TODAY)
    assert ups["status"] == "ok" and ups["battery_age_days"] == 9469
    assert ups["message"] == "UPS ups@backup online, baterai 100%, sisa waktu 30 menit, beban 35%"


def test_a_battery_within_the_age_is_no_finding():
    ups = mod.grade("ups@backup", variables(battery_date="2024/12/05"), 730, TODAY)
    assert ups["status"] == "ok" and ups["battery_age_days"] == 730
    assert ups["message"] == "UPS ups@backup online, baterai 100%, sisa waktu 30 menit, beban 35%"


def test_the_date_of_the_change_counts_before_the_date_it_was_made():
    ups = mod.grade("ups@backup", variables(battery_date="2025/06/01",
                                            battery_mfr_date="2019/01/01"), 1000, TODAY)
    assert (ups["status"], ups["battery_date"]) == ("ok", "2025-06-01")
    ups = mod.grade("ups@backup", variables(battery_mfr_date="2019/01/01"), 1000, TODAY)
    assert ups["status"] == "warning" and "(battery.mfr.date 2019/01/01)" in ups["message"]


@pytest.mark.parametrize("text", ["13/11/15", "2023/13/01", "02/30/23", "not set", "2023.12.04"])
def test_a_date_of_no_known_form_is_named_not_guessed(text):
    # an APC firmware writes DD/MM/YY (13/11/15): read as MM/DD/YY it is no date, and it
    # is not turned around
    ups = mod.grade("ups@backup", variables(battery_date=text), 1000, TODAY)
    assert (ups["status"], ups["battery_date"], ups["battery_age_days"]) == (
        "warning", None, None)
    assert ups["message"] == (f"UPS ups@backup online, battery.date '{text}' bukan tanggal yang "
                              "dikenali (YYYY/MM/DD, YYYY-MM-DD atau MM/DD/YY): umur baterai "
                              "tidak dapat diperiksa, baterai 100%, sisa waktu 30 menit, beban 35%")


def test_a_date_after_today_is_named():
    ups = mod.grade("ups@backup", variables(battery_date="2027/01/01"), 1000, TODAY)
    assert (ups["status"], ups["battery_date"], ups["battery_age_days"]) == (
        "warning", "2027-01-01", None)
    assert "battery.date 2027/01/01 jatuh setelah hari ini" in ups["message"]


def test_a_ups_without_a_date_is_noted_not_graded():
    ups = mod.grade("ups@backup", variables(), 1000, TODAY)
    assert ups["status"] == "ok"
    assert ups["message"] == ("UPS ups@backup online, umur baterai tidak dapat diperiksa: UPS "
                              "tidak melaporkan battery.date maupun battery.mfr.date, baterai "
                              "100%, sisa waktu 30 menit, beban 35%")


def test_the_age_option_reaches_the_grade(tmp_path, monkeypatch):
    text = UPSC.format(charge=100, runtime=1800, load=35, status="OL") + (
        "battery.date: 2001/01/01\n")
    fake_upsc(tmp_path, monkeypatch, f"cat <<'END'\n{text}END")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut",
                                                     "battery_max_age_days": 365})
    assert rc == 0 and result["ups"]["status"] == "warning"
    assert "(battery.date 2001/01/01), melewati batas 365 hari" in result["ups"]["message"]
    for days in (-1, -365):
        rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut",
                                                         "battery_max_age_days": days})
        assert rc == 1 and result["msg"] == (
            f"battery_max_age_days must be 0 (no check) or more, not {days}")
