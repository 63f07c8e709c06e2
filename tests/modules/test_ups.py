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


def fake_upsc(tmp_path, monkeypatch, script):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "upsc").write_text(f"#!/bin/sh\n{script}\n")
    (bin_dir / "upsc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")


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


def test_a_timeout_that_is_no_time_is_refused_in_one_line(tmp_path, monkeypatch):
    # timeout 0 killed upsc at once: every UPS was reported a hung NUT server
    fake_upsc(tmp_path, monkeypatch, "echo 'ups.status: OL'")
    for timeout in (0, -1):
        rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut", "timeout": timeout})
        assert rc == 1 and result["msg"] == f"timeout must be more than 0 seconds, not {timeout}"


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
])
def test_nuts_errors_are_explained_in_bahasa(tmp_path, monkeypatch, nut, explained):
    # NUT's English words alone left the head of the IT unit guessing what to check
    fake_upsc(tmp_path, monkeypatch, f"echo 'Error: {nut}' >&2\nexit 1")
    rc, result = run_module("ups_status", tmp_path, {"ups": "ups@nut"})
    assert rc == 0 and result["ups"]["error"] == f"Error: {nut}"
    assert result["ups"]["message"] == (
        f"UPS ups@nut tidak dapat dibaca dari server NUT: Error: {nut} ({explained})")


@pytest.mark.parametrize("runtime", ["nan", "inf", "-inf"])
def test_a_value_that_is_no_finite_number_is_left_out(runtime):
    # float() reads "nan" and "inf": int() of them raised, a traceback instead of a grade
    ups = mod.grade("ups@backup", mod.parse(UPSC.format(charge=100, runtime=runtime,
                                                        status="OL")))
    assert ups["status"] == "ok" and ups["runtime_seconds"] is None
    assert ups["message"] == "UPS ups@backup online, baterai 100%, beban 35%"


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
