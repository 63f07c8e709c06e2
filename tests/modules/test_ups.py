"""library/ups_status.py: NUT's upsc output graded as the SOP grades it; the UPS name
checked before upsc runs, readings outside their physical range named, and the battery's
age checked when a court asks for it. upsc is never run: a script stands in for it on a
temporary PATH."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
from loader import load, run_module

mod = load("ups_status")
options = load("sop_options")

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
    ("OL BOOST", "ok", "online"),
    ("OL DISCHRG CAL", "warning", "status tidak dikenal 'CAL'"),
    ("OL HB", "warning", "status tidak dikenal 'HB'"),
    ("OB DISCHRG LB CAL", "fail", "baterai lemah, memakai baterai (listrik PLN padam), "
                                  "status tidak dikenal 'CAL'"),
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


def test_a_word_the_sop_does_not_know_is_a_warning_beside_online_too():
    # "OL" made the UPS "online" whatever else it said: an APC calibrating its runtime
    # (the load on battery, "OL DISCHRG CAL") or a status word of a newer NUT read as ok
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=60, runtime=600,
                                                        status="OL DISCHRG CAL NEW")))
    assert (ups["status"], ups["flags"]) == ("warning", ["OL", "DISCHRG", "CAL", "NEW"])
    assert ups["message"] == ("UPS ups@backup status tidak dikenal 'CAL NEW', baterai 60%, "
                              "sisa waktu 10 menit, beban 35%")


@pytest.mark.parametrize(("result", "grade", "text"), [
    # usbhid-ups's, snmp-ups's words (mge's in lower case) and another driver's
    ("Done and error", "fail", "uji baterai terakhir gagal (ups.test.result 'Done and error')"),
    ("done and error", "fail", "uji baterai terakhir gagal (ups.test.result 'done and error')"),
    ("Failed", "fail", "uji baterai terakhir gagal (ups.test.result 'Failed')"),
    ("Done and warning", "warning",
     "uji baterai terakhir dengan peringatan (ups.test.result 'Done and warning')"),
    ("Done and passed", "ok", "online"),
    ("No test initiated", "ok", "online"),
    ("In progress", "ok", "online"),
    ("Aborted", "ok", "online"),
])
def test_a_battery_self_test_that_failed_is_named(result, grade, text):
    # a UPS whose battery failed its last self-test (the driver setting no RB) was "online"
    # and ok: the battery that is to carry the load when the mains fail may not
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=100, runtime=1800, status="OL")
                                            + f"ups.test.result: {result}\n"))
    assert ups["status"] == grade
    assert ups["message"] == f"UPS ups@backup {text}, baterai 100%, sisa waktu 30 menit, beban 35%"


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
    # the cause alone was English in the Bahasa report, unlike NUT's own errors
    assert result["ups"]["message"] == (
        "UPS ups@nut tidak dapat dibaca dari server NUT: upsc did not answer within 1 s (a "
        "hung NUT server?) (server NUT tidak menjawab dalam 1 detik: upsd macet, atau "
        "firewall membuang koneksi tanpa menolaknya)")


def fake_upsc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """An upsc that writes its arguments, one a line, to the file returned, then runs
    ``script``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    called = tmp_path / "called"
    (bin_dir / "upsc").write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{called}'\n{script}\n")
    (bin_dir / "upsc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return called


def test_a_nut_server_that_does_not_end_its_list_is_a_failed_read(tmp_path, monkeypatch):
    # upsc prints each variable as the NUT server sends it, for as long as it sends: its
    # output was read whole into the memory of the backup computer, where upsc runs (here
    # 8 MiB, graded online from its last line; an endless list until the timeout)
    fake_upsc(tmp_path, monkeypatch, "yes 'ups.status: OL' | head -c 8388608")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut", "timeout": 20},
                            seconds=30)
    assert rc == 0, result.get("msg")
    assert result["ups"]["status"] == "fail"
    assert result["ups"]["error"] == (
        "upsc printed more than 1024 KiB (a NUT server that does not end its list of "
        "variables?)")
    assert result["ups"]["message"].endswith(
        "variables?) (server NUT mengirim daftar variabel tanpa akhir: upsd rusak, atau "
        "alamat dan port itu bukan server NUT)")


def test_a_ups_is_read_whole_and_its_errors_named(tmp_path, monkeypatch):
    variables = UPSC.format(charge=100, runtime=1800, status="OL")
    fake_upsc(tmp_path, monkeypatch, f"cat <<'END'\n{variables}END")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["message"] == (
        "UPS ups@nut online, baterai 100%, sisa waktu 30 menit, beban 35%")
    fake_upsc(tmp_path / "unknown", monkeypatch,
              "echo 'Init SSL without certificate database' >&2\n"
              "echo 'Error: Unknown UPS' >&2\nexit 1")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["error"] == "Error: Unknown UPS"


@pytest.mark.parametrize(("script", "cause"), [
    # upsc's own words when the NUT server closes the connection in its list
    ("echo 'Error: Server disconnected' >&2\nexit 1", "Error: Server disconnected"),
    # no word on stderr: the last variable printed was taken for the cause
    ("exit 1", "upsc exit 1"),
    ("kill -SEGV $$", "upsc killed by signal 11"),
])
def test_a_list_cut_short_is_a_failed_read_not_its_last_variable(tmp_path, monkeypatch,
                                                                   script, cause):
    # the NUT server closed the connection after some variables: what upsc printed until
    # then is neither graded nor the cause
    head = "battery.charge: 100\nups.load: 35"
    fake_upsc(tmp_path, monkeypatch, f"printf '{head}\\n'\n{script}")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0, result.get("msg")
    assert (result["ups"]["status"], result["ups"]["error"]) == ("fail", cause)
    assert result["ups"]["message"].startswith(f"UPS ups@nut tidak dapat dibaca dari server "
                                               f"NUT: {cause}")
    assert "35" not in result["ups"]["message"]


def test_a_timeout_that_is_no_time_is_refused_in_one_line(tmp_path, monkeypatch):
    # timeout 0 killed upsc at once: every UPS was reported a hung NUT server
    fake_upsc(tmp_path, monkeypatch, "echo 'ups.status: OL'")
    for timeout in (0, -1):
        rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut", "timeout": timeout})
        assert (rc, result["msg"], result.get("setting")) == (
            1, f"timeout: must be a positive number of seconds, not {timeout}", "timeout")


@pytest.mark.parametrize(("nut", "explained"), [
    ("Data stale", "driver NUT tidak menerima data dari UPS: kabel data lepas atau UPS mati"),
    ("Driver not connected", "driver NUT tidak berjalan atau tidak tersambung ke server NUT "
                             "(upsd): periksa layanan nut-driver"),
    # a UPS name ups.conf does not have, upsd not running, a host name no DNS knows, a
    # NUT server whose tcp-wrappers refuse this host: NUT's English alone, before
    ("Unknown UPS", "server NUT tidak mengenal UPS dengan nama ini: periksa nama di ups.conf "
                    "(upsc -l HOST menampilkan nama yang dikenal)"),
    ("Connection failure: Connection refused",
     "server NUT (upsd) tidak dapat dihubungi: layanan nut-server tidak berjalan, alamat atau "
     "port salah, atau diblokir firewall"),
    ("Connection failure: No route to host",
     "server NUT (upsd) tidak dapat dihubungi: layanan nut-server tidak berjalan, alamat atau "
     "port salah, atau diblokir firewall"),
    ("No such host", "nama komputer server NUT tidak dikenal (DNS atau /etc/hosts)"),
    ("Access denied", "server NUT menolak akses dari komputer ini: periksa /etc/hosts.allow "
                      "dan /etc/hosts.deny di server NUT"),
    # a NUT server that closed the connection mid-answer, or kept it open without a word
    # for the 5 s upsclient waits for a line (a hung upsd), a connection cut, a port that
    # is no NUT server's: NUT's English alone, before
    ("Server disconnected", "server NUT memutus koneksi atau tidak menjawab dalam 5 detik: "
                            "upsd macet atau sedang dihentikan"),
    ("Read error: Connection reset by peer",
     "koneksi ke server NUT terputus saat membaca jawabannya (jaringan atau upsd berhenti)"),
    ("Write error: Broken pipe",
     "koneksi ke server NUT terputus saat mengirim permintaan (jaringan atau upsd berhenti)"),
    ("Invalid response from server",
     "jawaban server tidak dapat dibaca: alamat dan port itu bukan server NUT (upsd)"),
    ("Protocol error",
     "jawaban server tidak dapat dibaca: alamat dan port itu bukan server NUT (upsd)"),
    # an ERR code upsclient does not know (upsc never prints the code): English alone, before
    ("Unknown error",
     "server NUT menjawab ERR dengan kode yang tidak dikenal upsc (upsc tidak menampilkan "
     "kodenya: upsd lebih baru dari nut-client di sini?), atau nama komputer server NUT "
     "gagal dicari di DNS"),
])
def test_nuts_errors_are_explained_in_bahasa(tmp_path, monkeypatch, nut, explained):
    # NUT's English words alone left the head of the IT unit guessing what to check
    fake_upsc(tmp_path, monkeypatch, f"echo 'Error: {nut}' >&2\nexit 1")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["error"] == f"Error: {nut}"
    assert result["ups"]["message"] == (
        f"UPS ups@nut tidak dapat dibaca dari server NUT: Error: {nut} ({explained})")


@pytest.mark.parametrize("runtime", ["nan", "inf", "-inf", "n/a", "unknown"])
def test_a_value_that_is_no_finite_number_is_named_not_shown(runtime):
    # float() reads "nan" and "inf": int() of them raised, a traceback instead of a grade;
    # then such a value, and a driver's "n/a", was left out unsaid, the UPS ok, while a
    # value outside its range (-5) was named: the court did not learn the reading was lost
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=100, runtime=runtime,
                                                        status="OL")))
    assert ups["status"] == "warning" and ups["runtime_seconds"] is None
    assert ups["message"] == (f"UPS ups@backup online, nilai battery.runtime bukan angka: "
                              f"{runtime}, baterai 100%, beban 35%")


def test_a_charge_that_is_no_number_on_battery_is_named():
    # on battery, the charge is what tells how long the load lasts: "n/a" was dropped
    ups = mod.grade("ups@backup", variables(charge="n/a", status="OB DISCHRG"))
    assert (ups["status"], ups["charge_percent"]) == ("warning", None)
    assert ups["message"] == ("UPS ups@backup memakai baterai (listrik PLN padam), nilai "
                              "battery.charge bukan angka: n/a, sisa waktu 30 menit, beban 35%")


def test_a_reading_the_ups_does_not_report_is_only_left_out():
    # many UPSes report no battery.runtime: that is no finding
    text = "battery.charge: 100\nbattery.runtime: \nups.status: OL\n"
    ups = mod.grade("ups@backup", mod.parse(text))
    assert ups["status"] == "ok"
    assert ups["message"] == "UPS ups@backup online, baterai 100%"


@pytest.mark.parametrize("text", [
    UPSC.format(charge=74, runtime=900, status="").replace("ups.status: \n", ""),
    UPSC.format(charge=74, runtime=900, status=""),
])
def test_an_answer_without_ups_status_says_so(text):
    """upsc answered without ups.status (or with it empty): the message read "status
    tidak dikenal ''", a warning, though nothing says the load is protected."""
    ups = mod.grade("ups@backup", mod.parse(text))
    assert (ups["status"], ups["flags"]) == ("fail", [])
    assert ups["message"] == ("UPS ups@backup tidak melaporkan ups.status (keadaan UPS tidak "
                              "diketahui: periksa driver NUT), baterai 74%, sisa waktu 15 "
                              "menit, beban 35%")


# A reading of the range and battery-age tests.
READING = """battery.charge: {charge}
battery.runtime: {runtime}
device.model: Smart-UPS 1500
ups.load: {load}
ups.status: {status}
"""
TODAY = datetime.date(2026, 12, 5)
REFUSED = ("ups: must be a UPS as NUT names it, upsname[@hostname[:port]] (letters, digits, "
           "'.', '_' and '-', not starting with '-'; a port 1-65535), not {!r}")


def variables(charge: object = 100, runtime: object = 1800, load_: object = 35,
              status: str = "OL", **more: str) -> dict[str, str]:
    text = READING.format(charge=charge, runtime=runtime, load=load_, status=status)
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
    assert result["setting"] == "ups"  # the network role names network_ups
    assert not called.exists()


@pytest.mark.parametrize("name", [
    "ups", "ups@nut", "ups-server@backup.pa-contoh.go.id:3493", "UPS_1.rack@192.0.2.10",
    "ups@[2001:db8::1]", "ups@[2001:db8::1]:3493", "ups@[fe80::1%eth0]", "ups@nut:65535",
])
def test_nuts_forms_are_taken(name):
    assert options.target_error(name, "ups") is None


def test_the_ups_is_given_to_upsc_after_the_end_of_its_options(tmp_path, monkeypatch):
    # upsc reads its options with getopt, which takes "--" as their end: a name that
    # looked like an option would be the UPS, never an option
    text = READING.format(charge=100, runtime=1800, load=35, status="OL")
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


@pytest.mark.parametrize(("text", "shown"), [
    ("2023/12/04", "2023/12/04"),
    ("2023-12-04", "2023-12-04"),
    ("12/04/23", "12/04/23, dibaca MM/DD/YY sebagai 2023-12-04"),
])
def test_an_old_battery_is_a_warning_when_the_court_checks_its_age(text, shown):
    ups = mod.grade("ups@backup", variables(battery_date=text), 1000, TODAY)
    assert (ups["status"], ups["battery_date"], ups["battery_age_days"]) == (
        "warning", "2023-12-04", 1097)
    assert ups["message"] == (f"UPS ups@backup online, baterai berumur 1.097 hari "
                              f"(battery.date {shown}), melewati batas 1.000 hari: rencanakan "
                              "penggantian baterai, baterai 100%, sisa waktu 30 menit, beban 35%")


def test_how_a_date_of_two_readings_was_read_is_said():
    # a DD/MM/YY firmware's 05/11/21 (5 November) is also a MM/DD/YY date (11 May): read
    # month first, as NUT's apcsmart UPSes write it, the finding said only "battery.date
    # 05/11/21", its age half a year off for the court to see
    ups = mod.grade("ups@backup", variables(battery_date="05/11/21"), 1000, TODAY)
    assert (ups["status"], ups["battery_date"], ups["battery_age_days"]) == (
        "warning", "2021-05-11", 2034)
    assert "(battery.date 05/11/21, dibaca MM/DD/YY sebagai 2021-05-11), melewati batas" \
        in ups["message"]
    ups = mod.grade("ups@backup", variables(battery_date="01/12/27"), 1000, TODAY)
    assert "battery.date 01/12/27 (dibaca MM/DD/YY sebagai 2027-01-12) jatuh setelah hari " \
        "ini" in ups["message"]


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
    text = READING.format(charge=100, runtime=1800, load=35, status="OL") + (
        "battery.date: 2001/01/01\n")
    fake_upsc(tmp_path, monkeypatch, f"cat <<'END'\n{text}END")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut",
                                                     "battery_max_age_days": 365})
    assert rc == 0 and result["ups"]["status"] == "warning"
    assert "(battery.date 2001/01/01), melewati batas 365 hari" in result["ups"]["message"]
    for days in (-1, -365):
        rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut",
                                                         "battery_max_age_days": days})
        assert (rc, result["msg"], result["setting"]) == (
            1, "battery_max_age_days: must be 0 (checks no age) or a positive number of "
               f"days, not {days}", "battery_max_age_days")


def test_a_battery_age_beyond_ten_years_is_refused_as_its_setting(tmp_path, monkeypatch):
    # taken before: no battery ever old enough to warn, the check silently off
    called = fake_upsc(tmp_path, monkeypatch, "exit 1")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut",
                                                     "battery_max_age_days": 10**12})
    assert (rc, result["msg"], result.get("setting")) == (
        1, "battery_max_age_days: must be at most 3650 days (ten years), not 1000000000000",
        "battery_max_age_days")
    assert not called.exists()  # refused before upsc is asked


def test_a_cause_with_control_characters_is_one_escaped_line(tmp_path, monkeypatch):
    """upsc's last line went into the message as it was: a terminal escape (or another
    control character) it carried reached the report's line unescaped."""
    fake_upsc(tmp_path, monkeypatch, "printf 'Error: Parse error: \\033[2Kok\\a\\n' >&2\nexit 1")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["error"] == "Error: Parse error: \x1b[2Kok\x07"
    assert result["ups"]["message"] == (
        "UPS ups@nut tidak dapat dibaca dari server NUT: Error: Parse error: \\x1b[2Kok\\x07")
