"""library/sipp_sync_status.py: the Pembaharuan Data marker, its age and the verdict."""

from __future__ import annotations

import base64
import datetime as dt
import json
import pathlib
import re
import socket
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
import yaml
from conftest import within
from httpd import PHP_FATAL_PAGE, https_and_http, redirect_loop, send_without_end, serving
from loader import load, run_module

mod = load("sipp_sync_status")
http = load("sop_http")

REGEX = mod.DEFAULT_MARKER_REGEX
WIB = 7 * 60
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc)  # 19:00 WIB  # noqa: UP017


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-21 14:05:00 WIB", "2026-11-21T14:05:00+07:00"),
    ("2026-11-21 14:05", "2026-11-21T14:05:00+07:00"),
    ("21-11-2026 14:05:09", "2026-11-21T14:05:09+07:00"),
    ("21/11/2026 14.05", "2026-11-21T14:05:00+07:00"),
    ("21 November 2026 14:05 WITA", "2026-11-21T14:05:00+08:00"),
    ("Sabtu, 21 Nop 2026 pukul 14.05 WIT", "2026-11-21T14:05:00+09:00"),
    ("21 Agustus 2026, 08:00:00 +07:00", "2026-08-21T08:00:00+07:00"),
])
def test_parse_marker_formats(text, expected):
    assert mod.parse_marker(text, WIB).isoformat() == expected


@pytest.mark.parametrize(("text", "offset"), [
    ("21-11-2026 20:55 Wit", "+09:00"), ("21 Nopember 2026 pukul 19.55 Wita", "+08:00"),
    ("2026-11-21 18:55:00 wib", "+07:00"), ("2026-11-21 11:55 utc", "+00:00"),
])
def test_the_zone_suffix_is_read_whatever_its_case(text, offset):
    # Indonesian pages often write "Wita" or "wib": a suffix not in capitals was ignored
    # and the court's default zone taken instead, so a WIT court whose SIPP is read with
    # the default WIB saw its page, synced five minutes ago, two hours in the future:
    # never fresh, a failed SOP after every sync.
    assert mod.parse_marker(text, WIB).isoformat().endswith(offset)
    verdict = mod.evaluate(f"Pembaharuan Data: {text}", REGEX, WIB, 8, NOW)
    assert (verdict["fresh"], verdict["age_seconds"]) == (True, 300)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-21 14:05 GMT+8", "2026-11-21T14:05:00+08:00"),
    ("2026-11-21 14:05:00 UTC+07:00", "2026-11-21T14:05:00+07:00"),
    ("21/11/2026 14:05 GMT +0930", "2026-11-21T14:05:00+09:30"),
    ("2026-11-21 14:05 GMT-3", "2026-11-21T14:05:00-03:00"),
    ("2026-11-21 14:05 GMT", "2026-11-21T14:05:00+00:00"),
])
def test_an_offset_after_gmt_or_utc_is_read(text, expected):
    # "GMT+8", as servers and pages write a WITA time, was read as GMT itself (+00:00):
    # a page synced a minute ago was eight hours old.
    assert mod.parse_marker(text, WIB).isoformat() == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-21T11:05:00Z", "2026-11-21T11:05:00+00:00"),
    ("2026-11-21T11:05:00.123Z", "2026-11-21T11:05:00+00:00"),
    ("2026-11-21 11:05z", "2026-11-21T11:05:00+00:00"),
])
def test_an_iso_time_in_utc_marked_z_is_read_as_utc(text, expected):
    # ISO 8601's Z (a page writing its date as JavaScript's toISOString does) was not
    # read: the court's zone taken instead, a WIB page synced an hour ago was eight
    # hours old, BASI, and the sync triggered again
    assert mod.parse_marker(text, WIB).isoformat() == expected
    verdict = mod.evaluate(f"Pembaharuan Data: {text}", REGEX, WIB, 8, NOW)
    assert verdict["fresh"] is True and verdict["age_hours"] == 0.9
    # a word after the time that begins with z is no zone
    assert mod.parse_marker("2026-11-21 11:05 zona server", WIB).isoformat().endswith("+07:00")


@pytest.mark.parametrize(("text", "offset"), [
    ("2026-11-21 14:05 GMT+20", "+20:00"), ("2026-11-21 14:05 UTC-13", "-13:00"),
    ("2026-11-21 14:05:00 +14:30", "+14:30"),
])
def test_an_offset_no_clock_keeps_leaves_the_date_unreadable(text, offset):
    # only offsets of 24 hours or more were refused: GMT+20 moved the date by 13 hours
    with pytest.raises(mod.StatusError, match=re.escape(
            f"time zone offset {offset} is not one of -12:00 to +14:00")):
        mod.parse_marker(text, WIB)
    assert mod.parse_marker("2026-11-21 14:05 UTC+14", WIB).isoformat().endswith("+14:00")
    assert mod.parse_marker("2026-11-21 14:05 GMT-12", WIB).isoformat().endswith("-12:00")


@pytest.mark.parametrize(("text", "expected"), [
    # the forms Indonesian pages write: a weekday, a '|' or '-' before the time, "Pukul"
    # capitalised, '.' between hour and minute, a month cut short
    ("Sabtu, 21 November 2026 | 14:05", "2026-11-21T14:05:00+07:00"),
    ("Sabtu, 21-11-2026 | 14:05:33 WIB", "2026-11-21T14:05:33+07:00"),
    ("21 November 2026 - 14:05", "2026-11-21T14:05:00+07:00"),
    ("21 Agu 2026 Pukul 14.05 WITA", "2026-08-21T14:05:00+08:00"),
    ("Senin, 21 Des 2026 Pkl. 08.00 WIB", "2026-12-21T08:00:00+07:00"),
    ("21-Okt-2026 14:05", "2026-10-21T14:05:00+07:00"),
    ("2026/11/21 14:05", "2026-11-21T14:05:00+07:00"),
    # a year of two digits is 20YY
    ("21/11/26 14.05", "2026-11-21T14:05:00+07:00"),
    ("21-11-26 14:05:33 WIB", "2026-11-21T14:05:33+07:00"),
    ("21 Mei '26 14:05", "2026-05-21T14:05:00+07:00"),
    # day first, as Indonesia writes it: 3 December, not March 12
    ("03/12/26 08:00", "2026-12-03T08:00:00+07:00"),
    ("03-12-2026 08:00", "2026-12-03T08:00:00+07:00"),
])
def test_indonesian_forms_are_read(text, expected):
    assert mod.parse_marker(text, WIB).isoformat() == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("21 November 2026 02:05 PM", "2026-11-21T14:05:00+07:00"),
    ("21/11/2026 2:05 p.m. WITA", "2026-11-21T14:05:00+08:00"),
    ("21 Nov 2026 12:05 AM", "2026-11-21T00:05:00+07:00"),
    ("21 Nov 2026 12:05pm", "2026-11-21T12:05:00+07:00"),
    ("21 Nov 2026 09:05:10 am WIB", "2026-11-21T09:05:10+07:00"),
])
def test_a_12_hour_time_is_read_with_its_am_or_pm(text, expected):
    # "02:05 PM" was read as 02:05: a page synced five minutes ago twelve hours old
    # (BASI, a sync triggered for nothing), or one twelve hours stale read as fresh
    assert mod.parse_marker(text, WIB).isoformat() == expected


def test_a_12_hour_time_beyond_12_is_unreadable():
    with pytest.raises(mod.StatusError, match=r"^invalid date in .*hour 14 of a 12-hour"):
        mod.parse_marker("21 Nov 2026 14:05 PM", WIB)


@pytest.mark.parametrize(("month", "number"), [
    ("Januari", 1), ("Februari", 2), ("Maret", 3), ("April", 4), ("Mei", 5), ("Juni", 6),
    ("Juli", 7), ("Agustus", 8), ("September", 9), ("Oktober", 10), ("November", 11),
    ("Desember", 12), ("Agu", 8), ("Agt", 8), ("Ags", 8), ("Okt", 10), ("Des", 12), ("Peb", 2),
])
def test_indonesian_month_names(month, number):
    assert mod.parse_marker(f"1 {month} 2026 14:05", WIB).month == number


@pytest.mark.parametrize("text", [
    "21 November 2026",  # no time: midnight would be a guess
    "14:05 21-11-2026",  # a time before its date
    "21 Foo 2026 14:05",  # no month's name
    "121/11/2026 14:05",  # no day of three digits: never "21/11/2026"
    "21/11/20261 14:05",  # nor a year of five
    "21/11/2026 14:055",
    "Versi 3.2.0",
])
def test_what_is_no_date_with_a_time_stays_unreadable(text):
    with pytest.raises(mod.StatusError, match=r"^no date with a time found in "):
        mod.parse_marker(text, WIB)
    verdict = mod.evaluate(f"Pembaharuan Data: {text}", REGEX, WIB, 8, NOW)
    assert (verdict["last_sync"], verdict["fresh"]) == (None, False)
    assert verdict["message"].startswith("Tanggal 'Pembaharuan Data' tidak terbaca: ")


@pytest.mark.parametrize("text", ["31/02/26 14:05", "2026-13-01 14:05", "21 Nov 2026 24:05"])
def test_a_date_that_does_not_exist_is_unreadable(text):
    with pytest.raises(mod.StatusError, match=r"^invalid date in "):
        mod.parse_marker(text, WIB)


def test_a_year_month_day_date_is_not_read_as_day_first():
    # "2026/11/21": a two-digit year would otherwise find "26/11/21", 26 November 2021
    assert mod.parse_marker("Pembaharuan 2026/11/21 14:05", WIB).date() == dt.date(2026, 11, 21)


def test_parse_marker_rejects_text_without_date():
    with pytest.raises(mod.StatusError, match="no date"):
        mod.parse_marker("belum pernah disinkronkan", WIB)


def test_fresh_page():
    page = '<p>Pembaharuan Data: <span id="x">2026-11-21 18:30:00 WIB</span></p>'
    result = mod.evaluate(page, REGEX, WIB, 8, NOW)
    assert result["fresh"] is True
    assert result["age_seconds"] == 1800
    assert result["age_hours"] == 0.5
    assert "segar" in result["message"]


def test_stale_page():
    page = "Pembaharuan Data : 2026-11-21 09:00:00"
    result = mod.evaluate(page, REGEX, WIB, 8, NOW)
    assert result["fresh"] is False
    assert result["age_hours"] == 10.0
    assert result["message"].startswith("Pembaharuan Data 2026-11-21 09:00:00: umur 10,0 jam")
    assert "BASI" in result["message"]


def test_missing_and_unreadable_marker_are_not_fresh():
    assert mod.evaluate("<html>SIPP</html>", REGEX, WIB, 8, NOW)["fresh"] is False
    result = mod.evaluate("Pembaharuan Data: belum pernah", REGEX, WIB, 8, NOW)
    assert result["fresh"] is False
    assert result["age_seconds"] is None
    assert "tidak terbaca" in result["message"]


# SIPP with display_errors on: the public page is PHP's fatal error, status 200; it read
# "Tanda 'Pembaharuan Data' tidak ditemukan", a page changed or a regex to fix, where SIPP
# could not reach its database. Its stack trace holds the database login.
_SHOWN = ("Fatal error: Uncaught mysqli_sql_exception: Too many connections in "
          "/var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php:135")


def test_a_page_showing_a_php_or_database_error_is_named_not_a_missing_marker():
    result = mod.evaluate(PHP_FATAL_PAGE, REGEX, WIB, 8, NOW)
    moved = mod.evaluate(PHP_FATAL_PAGE, REGEX, WIB, 8, NOW, redirected_to="http://sipp/publik/")
    assert (result["fresh"], result["marker_text"], result["last_sync"]) == (False, None, None)
    said = ("Halaman SIPP publik menampilkan galat PHP/database, tanda 'Pembaharuan Data' "
            f"tidak terbaca: {_SHOWN}")
    assert result["message"] == said
    assert moved["message"] == f"{said}; halaman dialihkan ke http://sipp/publik/"
    assert "Rahasia1" not in json.dumps([result, moved])


def test_a_page_with_its_marker_is_read_whatever_else_it_shows():
    # a notice CodeIgniter shows while the page works is no error page
    page = ("<h4>A PHP Error was encountered</h4><p>Severity: Notice</p>"
            "Pembaharuan Data: 2026-11-21 18:30:00 WIB")
    assert mod.evaluate(page, REGEX, WIB, 8, NOW)["age_seconds"] == 1800


def test_a_marker_regex_whose_date_group_matched_nothing_is_unreadable_not_a_traceback():
    # an optional first group ('(?::\\s*(.+))?') matches the marker without a date: its
    # None was stripped, and the module died with a traceback instead of its verdict
    result = mod.evaluate("Pembaharuan Data", r"Pembaharuan Data(?::\s*(.+))?", WIB, 8, NOW)
    assert (result["fresh"], result["marker_text"]) == (False, "")
    assert result["message"] == ("Tanggal 'Pembaharuan Data' tidak terbaca: "
                                 "no date with a time found in ''")


class ToLogin(BaseHTTPRequestHandler):
    """A public SIPP site sending every visitor to its login page (no marker there)."""

    def do_GET(self):
        if self.path.startswith("/login"):
            body = b"<title>SIPP - Login</title><form>Username Password</form>"
            self.send_response(200)
        else:
            body = b""
            self.send_response(302)
            self.send_header("Location", "/login?next=%2F&token=T0kenLogin")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_redirect_to_a_page_without_the_marker_is_named(tmp_path):
    # the page's redirect to a login page was followed and its "no marker" reported as
    # the public page's own: a sync that looked broken, where the site asks for a login
    with serving(ToLogin) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {"public_url": url + "/#top"})
        rc_own, own = run_module("sipp_sync_status", tmp_path,
                                 {"public_url": url + "/login#top"})
    assert rc == 0, result
    sync = result["sync"]
    assert sync["redirected_to"] == f"{url}/login?next=%2F&token=***"
    assert sync["message"] == ("Tanda 'Pembaharuan Data' tidak ditemukan di halaman SIPP "
                               f"publik; halaman dialihkan ke {url}/login?next=%2F&token=***")
    assert (rc_own, own["sync"]["redirected_to"]) == (0, None), own
    assert own["sync"]["message"].endswith("di halaman SIPP publik")


def test_central_status(monkeypatch):
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (
        200, '{"kode_satker": "400999", "last_sync": "2026-11-21T11:00:00+00:00", "cases": 5}',
        None))
    result = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    assert result["age_seconds"] == 3600
    assert result["data"]["cases"] == 5


@pytest.mark.parametrize(("text", "expected"), [
    # what SIPP MA's server may write: Z (JavaScript, Go, Java), nine digits of a second
    # (Go's RFC3339Nano, Java's Instant), an offset without its colon (PHP's 'O'),
    # a space or a lowercase 't'/'z' (RFC 3339), a fraction after a comma
    ("2026-11-21T07:00:00Z", "2026-11-21T07:00:00+00:00"),
    ("2026-11-21T07:00:00.123456789Z", "2026-11-21T07:00:00.123456+00:00"),
    ("2026-11-21T07:00:00.5+07:00", "2026-11-21T07:00:00.500000+07:00"),
    ("2026-11-21T07:00:00,25-03:30", "2026-11-21T07:00:00.250000-03:30"),
    ("2026-11-21T14:00:00+0700", "2026-11-21T14:00:00+07:00"),
    ("2026-11-21T14:00:00+07", "2026-11-21T14:00:00+07:00"),
    ("2026-11-21t07:00:00z", "2026-11-21T07:00:00+00:00"),
    ("2026-11-21T07:00Z", "2026-11-21T07:00:00+00:00"),
    # no offset: UTC, as before
    ("2026-11-21 07:00:00", "2026-11-21T07:00:00+00:00"),
    (" 2026-11-21T07:00:00Z\n", "2026-11-21T07:00:00+00:00"),
])
def test_iso_forms_of_last_sync_are_read_by_the_module_not_by_python_311(text, expected):
    # datetime.fromisoformat refuses Z, +0700, +07 and nine digits of a fraction before
    # Python 3.11, and Debian 11's SIPP servers run 3.9: every
    # SIPP MA answer was 'unreadable last_sync' there. 3.11 itself refuses 't' and 'z'.
    assert mod.parse_iso(text).isoformat() == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-11-21", "not an ISO 8601 date and time"),  # no time: midnight would be a guess
    ("21/11/2026 07:00", "not an ISO 8601 date and time"),
    ("2026-11-21T07:00:00Z yesterday", "not an ISO 8601 date and time"),
    ("2026-11-21T07:00:00+07:00:00", "not an ISO 8601 date and time"),
    # the basic form: 3.11's fromisoformat reads it, 3.9's does not; read alike on both
    ("20261121T070000Z", "not an ISO 8601 date and time"),
    ("2026-11-21T07:00:00+70:00", "time zone offset '+70:00' is not one of -12:00 to +14:00"),
    ("2026-02-30T07:00:00Z", "day is out of range for month"),
    ("2026-11-21T24:00:00Z", "hour must be in 0..23"),
    ("\uff12\uff10\uff12\uff16-11-21T07:00:00Z", "not an ISO 8601 date and time"),  # full-width
    ("", "not an ISO 8601 date and time"),
])
def test_what_is_no_iso_date_and_time_is_refused_with_its_reason(text, reason):
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
        mod.parse_iso(text)


class IsoCentral(BaseHTTPRequestHandler):
    """SIPP MA answering last_sync as the path's end says (percent-encoded)."""

    def do_GET(self):
        last = urllib.parse.unquote(self.path.rsplit("/", 1)[1])
        body = json.dumps({"last_sync": last, "cases": 3}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_central_last_sync_in_rfc_3339_lowercase_is_read(tmp_path):
    # 't' and 'z' are RFC 3339's; fromisoformat (3.11 too) called them unreadable
    with serving(IsoCentral) as url:
        result = mod.central_status(f"{url}/api/status/2026-11-21t11%3A00%3A00.123456789z",
                                    5, True, 8, NOW)
    assert "error" not in result, result
    assert result["last_sync"] == "2026-11-21T11:00:00.123456+00:00"
    assert result["age_hours"] == 1.0


def test_an_unreadable_last_sync_is_named_cut_short_with_its_reason(tmp_path):
    # a crafted last_sync was copied whole into the error, and so into the record
    with serving(IsoCentral) as url:
        result = mod.central_status(f"{url}/api/status/{'9' * 5000}", 5, True, 8, NOW)
    assert result["error"].startswith("unreadable last_sync '9999")
    assert result["error"].endswith("...': not an ISO 8601 date and time")
    assert len(result["error"]) < 2 * mod.MAX_MARKER


@pytest.mark.parametrize(("last", "fresh", "message"), [
    ("2026-11-21T11:00:00Z", True,
     "last_sync 2026-11-21T11:00:00+00:00: umur 1,0 jam, batas 8 jam (segar)"),
    ("2026-11-21T01:00:00+00:00", False,
     "last_sync 2026-11-21T01:00:00+00:00: umur 11,0 jam, batas 8 jam (BASI)"),
    ("2026-11-21T12:04:00Z", True,  # four minutes ahead: two clocks a little apart
     "last_sync 2026-11-21T12:04:00+00:00: umur -0,1 jam, batas 8 jam (segar)"),
])
def test_central_last_sync_is_judged_as_the_page_is(last, fresh, message):
    with serving(IsoCentral) as url:
        result = mod.central_status(f"{url}/api/status/{last}", 5, True, 8, NOW)
    assert (result["fresh"], result["in_future"], result["message"]) == (fresh, False, message)


def test_ages_are_written_as_the_reports_write_numbers():
    # The report quotes this line beside its own numbers (`2,2 detik`): never `1234.5 jam`.
    when = NOW - dt.timedelta(hours=1234, minutes=30)
    result = mod.verdict("Pembaharuan Data", when, 1.5, NOW, "jam salah")
    assert result["message"] == "Pembaharuan Data: umur 1.234,5 jam, batas 1,5 jam (BASI)"
    assert result["age_hours"] == 1234.5


def test_a_central_last_sync_in_the_future_is_not_fresh_and_says_why():
    # SIPP MA writing its WIB time without an offset: 18:30 WIB, half an hour ago, is
    # read as 18:30 UTC, six and a half hours ahead. It showed as 'umur -6.5 jam' with
    # nothing flagged, where the public page's date that far ahead is never fresh.
    with serving(IsoCentral) as url:
        result = mod.central_status(f"{url}/api/status/2026-11-21T18:30:00", 5, True, 8, NOW)
    assert (result["age_hours"], result["fresh"], result["in_future"]) == (-6.5, False, True)
    assert result["message"] == (
        "last_sync 2026-11-21T18:30:00+00:00: 6,5 jam di masa depan (jam server atau "
        "SIPP MA salah, atau waktu tanpa zona yang bukan UTC); tidak dianggap segar")


def test_central_status_errors_are_reported(monkeypatch):
    # nothing listens on the discard port: a real refused connection
    error = mod.central_status("http://127.0.0.1:9/api", 5, True, 8, NOW)["error"]
    assert error.startswith("http://127.0.0.1:9/api: ") and "refused" in error.lower()
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (200, "<html>", None))
    assert mod.central_status("http://ma", 5, True, 8, NOW)["error"] == "answer is not JSON"


@pytest.mark.parametrize(("answer", "error"), [
    ('{"kode_satker": "400999", "cases": 5}', "answer has no last_sync"),
    ('{"last_sync": null}', "answer has no last_sync"),
    ('[{"last_sync": "2026-11-21T11:00:00Z"}]', "answer has no last_sync"),
    ('{"last_sync": 1795345200}', "last_sync is no ISO 8601 text but int"),
])
def test_a_central_answer_without_a_last_sync_text_says_so(monkeypatch, answer, error):
    # such an answer gave no verdict, no message and no error: the report showed
    # "SIPP MA -" and never why
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (200, answer, None))
    result = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    assert (result["error"], result.get("fresh")) == (error, None)


class CentralLogin(BaseHTTPRequestHandler):
    """SIPP MA sending the status request to its login page (an expired token), which
    answers 200; and a status page showing PHP's fatal error, with status 200."""

    def do_GET(self):
        if self.path.startswith("/api/status/"):
            body = b""
            self.send_response(302)
            self.send_header("Location", "/login?token=T0kenLogin")
        else:
            body = (PHP_FATAL_PAGE if self.path.startswith("/php") else
                    "<title>SIPP MA - Login</title><form>Username Password</form>").encode()
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_central_answer_that_is_no_status_says_what_it_is(monkeypatch):
    # SIPP MA's status read sent to its login page, or answering PHP's fatal error or a
    # JSON error with status 200, was "answer is not JSON" or "answer has no last_sync":
    # the report never said that SIPP MA asked for a login or why it refused
    with serving(CentralLogin) as url:
        login = mod.central_status(url + "/api/status/400999?token=T0k", 5, True, 8, NOW,
                                   secrets=["T0k"])
        php = mod.central_status(url + "/php/api", 5, True, 8, NOW)
    assert login["error"] == f"answer is not JSON; dialihkan ke {url}/login?token=***"
    assert php["error"] == (
        "answer is not JSON: Fatal error: Uncaught mysqli_sql_exception: Too many "
        "connections in /var/www/html/SIPP/system/database/drivers/mysqli/"
        "mysqli_driver.php:135")
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (
        200, '{"status": "error", "message": "token\\ntidak valid", "cases": 0}', None))
    refused = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    assert refused["error"] == "answer has no last_sync: token tidak valid"


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:9/", None])
def test_a_bad_timezone_is_named_as_the_setting_not_the_page(tmp_path, public_url):
    # The zone was read after the page: "public SIPP page: unknown time zone ..." blamed
    # the page, and a page that did not answer (nothing listens on the discard port) hid
    # the bad setting behind "Connection refused".
    with serving(Central) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": public_url or url + "/", "timezone": "Nowhere/Land"})
    assert rc == 1
    assert result["msg"] == "timezone: unknown time zone 'Nowhere/Land'"
    assert result["setting"] == "timezone"  # the role names its variable by it


def test_an_empty_timezone_is_a_bad_setting_not_a_traceback(tmp_path):
    # zone_error passed an empty value over as not given, and the page's date was then
    # read with offset_minutes(''): a ValueError traceback (sipp_sync_timezone: "").
    with serving(Central) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "timezone": ""})
    assert rc == 1
    assert (result["msg"], result["setting"]) == ("timezone: unknown time zone ''", "timezone")


class NoSuffix(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Pembaharuan Data: 2026-11-21 18:30:00")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("zone", "offset"), [("WITA", "+08:00"), ("wit", "+09:00")])
def test_a_timezone_written_as_indonesia_names_it_applies(tmp_path, zone, offset):
    # 'timezone: unknown time zone' for WITA, the name a court's admin types
    with serving(NoSuffix) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "timezone": zone})
    assert rc == 0, result
    assert result["sync"]["last_sync"] == f"2026-11-21T18:30:00{offset}"


class Endless(BaseHTTPRequestHandler):
    def do_GET(self):
        send_without_end(self, b"Pembaharuan Data " * 4000)

    def log_message(self, *args):
        pass


def test_a_page_without_end_is_read_no_further_than_the_limit():
    with within(60, "reading the page"), serving(Endless) as url:
        status, page, _ = mod.fetch(url + "/", 5, True)
    assert status == 200 and len(page) == http.MAX_BODY


class Missing(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.end_headers()
        self.wfile.write(b"Pembaharuan Data : 21-11-2026 18:00:00")  # an error page's text

    def log_message(self, *args):
        pass


def test_an_error_page_is_no_answer_whatever_it_says():
    with serving(Missing) as url, pytest.raises(
            mod.StatusError, match=r"/sipp: HTTP 404: Pembaharuan Data : 21-11-2026 18:00:00$"):
        mod.fetch(url + "/sipp", 5, True)


@pytest.mark.parametrize(("body", "said"), [
    (json.dumps({"status": "error", "message": "satker has never synchronised"}),
     "satker has never synchronised"),
    ("<html><title>404</title><h1>Not\r\nFound</h1>\x1b[31m</html>", "404 Not Found [31m"),
    ("{}", "{}"),
    ("x" * 10000, "x" * 197 + "..."),
    (json.dumps({"error": "bad key http://sop:S3cretPw@sippma/?token=T0ken"}),
     "bad key http://***@sippma/?token=***"),
    # a 500 page of PHP's fatal error: the error, never its stack trace's login
    (PHP_FATAL_PAGE, _SHOWN),
    (json.dumps({"message": "SQLSTATE[HY000] [1040] Too many connections"}),
     "SQLSTATE[HY000] [1040] Too many connections"),
    ("", ""),
    # a maintenance page's inline code is no reason (a browser never shows it)
    ("<html><head><style>body{color:red}</style><SCRIPT type=x>var cfg = {a: '<b>'};"
     "</script ></head><body>Sedang perbaikan<script>f()", "Sedang perbaikan"),
])
def test_an_error_answer_gives_its_reason_on_one_bounded_masked_line(body, said):
    # SIPP MA's 404 {"message": "satker has never synchronised"} read only "HTTP 404"
    assert mod.reason(body) == said


def test_sipp_mas_reason_for_an_error_is_in_its_error(tmp_path):
    class Unknown(Central):
        def status(self) -> tuple[int, str]:
            return 404, json.dumps({"message": "satker 400999 has never synchronised\n"})

    rc, result = with_central(tmp_path, Unknown)
    assert rc == 0, result
    assert result["sync"]["central"]["error"].endswith(
        "/api/status/400999: SIPP MA tidak mengenal alamat ini: kode satker atau alamat "
        "status salah, atau satker belum pernah sinkron (HTTP 404: satker 400999 has never "
        "synchronised)")


@pytest.mark.parametrize(("code", "said"), [
    (503, "SIPP MA sedang tidak melayani (pemeliharaan atau beban penuh) (HTTP 503: "
          "Service Unavailable)"),
    # a status without a line of its own is said by its class
    (418, "SIPP MA menolak permintaan (HTTP 418: Service Unavailable)"),
    (507, "server SIPP MA bermasalah (HTTP 507: Service Unavailable)"),
])
def test_sipp_mas_http_error_is_explained_in_bahasa_beside_its_cause(tmp_path, code, said):
    """SIPP MA's error reached the Bahasa report line as its English alone ('HTTP 503:
    Service Unavailable')."""
    class Failing(Central):
        def status(self) -> tuple[int, str]:
            return code, json.dumps({"message": "Service Unavailable"})

    rc, result = with_central(tmp_path, Failing)
    assert rc == 0, result
    central = result["sync"]["central"]
    assert central["error"] == f"{central['url']}: {said}"


def test_sipp_ma_not_answering_is_explained_and_an_unknown_cause_escaped(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with serving(Central) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": f"http://127.0.0.1:{port}/api/status/1"})
    assert rc == 0, result
    assert result["sync"]["central"]["error"] == (
        f"http://127.0.0.1:{port}/api/status/1: SIPP MA menolak koneksi: layanannya tidak "
        "berjalan atau port salah (Connection refused)")
    # a cause no line knows stays as it came, on one line
    crafted = mod.StatusError("x", "https://sippma/api", "got 'HTTP/1.1 2\x1b[2K00'")
    assert mod.explained(crafted) == "https://sippma/api: got 'HTTP/1.1 2\\x1b[2K00'"


def test_a_crafted_page_does_not_hang_the_default_marker_regex():
    # A run of blank lines after the marker and a '<' that never closes: the old default
    # regex (\s*:?\s* splits the run in n^2 ways) took minutes on 20 kB.
    page = "Pembaharuan Data" + "\n" * 20000 + "<"
    with within(3, "searching the marker"):
        result = mod.evaluate(page, mod.DEFAULT_MARKER_REGEX, WIB, 8, NOW)
    assert result["marker_text"] is None and result["fresh"] is False


@pytest.mark.parametrize("page", [
    "Pembaharuan Data : 2026-11-21 18:30:00 WIB",
    "Pembaharuan Data:2026-11-21 18:30:00 WIB",
    "Pembaharuan Data\n<td>\n  <b>2026-11-21 18:30:00 WIB</b>",
    '<p>Pembaharuan Data: <span id="x">2026-11-21 18:30:00 WIB</span></p>',
])
def test_the_default_marker_regex_still_reads_sipp_pages(page):
    assert mod.evaluate(page, mod.DEFAULT_MARKER_REGEX, WIB, 8, NOW)["age_seconds"] == 1800


@pytest.mark.parametrize("page", [
    "<tr><td>Pembaharuan Data</td><td>:</td><td>21-11-2026 18:30:00</td></tr>",
    "<td>Pembaharuan Data</td>\n  <td> : </td>\n  <td><b>2026-11-21 18:30 WIB</b></td>",
    "<b>Pembaharuan Data</b> : 21 November 2026 18:30",
])
def test_a_colon_after_the_markers_tags_is_read_past(page):
    # A table row as Indonesian pages lay one out (label, a cell of its own holding the
    # colon, the value): the colon was taken for the date, "no date with a time found in
    # ':'", and the SOP failed on every run of a court whose page is up to date.
    assert mod.evaluate(page, mod.DEFAULT_MARKER_REGEX, WIB, 8, NOW)["age_seconds"] == 1800


@pytest.mark.parametrize("page", [
    "Pembaharuan Data:&nbsp;21&nbsp;November&nbsp;2026&nbsp;18:30",
    "Pembaharuan Data : 21&#160;Nop&#160;2026,&nbsp;pukul&nbsp;18.30&nbsp;WIB",
])
def test_a_date_spaced_with_html_entities_is_read(page):
    # PHP pages keep a date on one line with &nbsp;: the date was unreadable, the SOP
    # failed on a page synced half an hour ago
    result = mod.evaluate(page, mod.DEFAULT_MARKER_REGEX, WIB, 8, NOW)
    assert (result["age_seconds"], result["fresh"]) == (1800, True)


def test_a_crafted_run_of_colons_and_tags_does_not_hang_the_marker_regex():
    page = "Pembaharuan Data" + ": <i>\n" * 20000 + "<"
    with within(3, "searching the marker"):
        result = mod.evaluate(page, mod.DEFAULT_MARKER_REGEX, WIB, 8, NOW)
    assert result["fresh"] is False


def test_the_role_uses_the_module_default_marker_regex():
    defaults = pathlib.Path(__file__).parents[2] / "roles/sipp_sync/defaults/main.yml"
    role = yaml.safe_load(defaults.read_text(encoding="utf-8"))
    assert role["sipp_sync_marker_regex"] == mod.DEFAULT_MARKER_REGEX


def test_a_marker_line_without_end_is_recorded_cut():
    # A page whose marker line runs on (no '<', no newline) for a megabyte: the record
    # keeps one short line, and the date at its start still reads.
    page = "Pembaharuan Data: 2026-11-21 18:30:00 WIB " + "x" * 1_000_000
    result = mod.evaluate(page, REGEX, WIB, 8, NOW)
    assert result["age_seconds"] == 1800
    assert len(result["marker_text"]) <= mod.MAX_MARKER
    assert len(result["message"]) < 2 * mod.MAX_MARKER


@pytest.mark.parametrize("text", [
    "2099-01-01 00:00:00 WIB",  # a crafted or broken page
    "2026-11-21 21:00:00",  # two hours ahead: a WIT page read as WIB, or a wrong clock
])
def test_a_date_in_the_future_is_not_fresh(text):
    result = mod.evaluate("Pembaharuan Data: " + text, REGEX, WIB, 8, NOW)
    assert result["fresh"] is False
    assert result.get("in_future") is True
    assert "masa depan" in result["message"]


def test_a_date_a_little_ahead_is_clock_skew_and_fresh():
    result = mod.evaluate("Pembaharuan Data: 2026-11-21 19:02:00", REGEX, WIB, 8, NOW)
    assert result["fresh"] is True and result["in_future"] is False
    assert result["age_seconds"] == -120



CRAFTED_CASES = [5, "x" * 100000, {"a": [1, 2, 3]}, True]


class Central(BaseHTTPRequestHandler):
    """A SIPP MA status API and a SIPP public page; `status` says what the API answers."""

    def status(self) -> tuple[int, str]:
        raise NotImplementedError

    def do_GET(self):
        if self.path.startswith("/api/status/"):
            code, body = self.status()
        elif self.path.startswith("/gone"):
            code, body = 404, ""
        else:
            code, body = 200, "Pembaharuan Data: 2026-11-21 18:30:00 WIB"
        self.send_response(code)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def with_central(tmp_path, handler, satker="400999"):
    """sipp_sync_status's exit code and result, ``handler`` serving the public page and
    SIPP MA's status of ``satker``."""
    with serving(handler) as url:
        return run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": f"{url}/api/status/{satker}"})


class CraftedCentral(Central):
    def status(self) -> tuple[int, str]:
        cases = CRAFTED_CASES[int(self.path.rsplit("/", 1)[1])]
        return 200, json.dumps({"last_sync": "2026-11-21T11:00:00+00:00", "cases": cases,
                                "putusan": cases})


@pytest.mark.parametrize(("index", "cases"), [(0, 5), (1, None), (2, None), (3, None)])
def test_only_a_count_of_cases_reaches_the_record(tmp_path, index, cases):
    # What SIPP MA answers is not trusted: a crafted "cases" must not fill the record.
    rc, result = with_central(tmp_path, CraftedCentral, str(index))
    assert rc == 0, result
    for count in ("cases", "putusan"):
        assert result["sop_output"]["central"][count] == cases
        assert result["sync"]["central"][count] == cases



class FutureCentral(Central):
    def status(self) -> tuple[int, str]:
        return 200, json.dumps({"last_sync": "2099-01-01T00:00:00Z", "cases": 1})


def test_the_record_shows_a_central_last_sync_in_the_future(tmp_path):
    rc, result = with_central(tmp_path, FutureCentral)
    assert rc == 0, result
    central = result["sop_output"]["central"]
    assert central["fresh"] is False
    assert "jam di masa depan" in central["message"]
    assert result["sync"]["central"]["in_future"] is True


class NestedCentral(Central):
    def status(self) -> tuple[int, str]:
        return 200, "[" * 100000


def test_a_deeply_nested_central_answer_is_not_json_not_a_traceback(tmp_path):
    # json.loads raises RecursionError (no ValueError) for an answer nested this deep:
    # the module died with a traceback instead of reporting SIPP MA's answer as an error.
    rc, result = with_central(tmp_path, NestedCentral)
    assert rc == 0, result
    assert result["sync"]["central"]["error"] == "answer is not JSON"


class LargeCentral(Central):
    """SIPP MA answering the court's status with every case in it: about 4 MB."""

    def status(self) -> tuple[int, str]:
        cases = [{"nomor_perkara": f"{n}/Pdt.G/2026/PN Contoh", "para_pihak": "x" * 300}
                 for n in range(12000)]
        return 200, json.dumps({"kode_satker": "400999", "last_sync": "2026-11-21T11:00:00Z",
                                "cases": len(cases), "perkara": cases})


def test_a_large_central_answer_is_kept_cut_short(tmp_path):
    # The whole answer (up to 5 MB) was sync.central.data: in the task result, the
    # runner's artifacts and its records. What the role reads of it stays; the rest is
    # its beginning, marked as cut.
    rc, result = with_central(tmp_path, LargeCentral)
    assert rc == 0, result
    central = result["sync"]["central"]
    assert (central["cases"], central["last_sync"]) == (12000, "2026-11-21T11:00:00+00:00")
    assert "data" not in central
    assert central["data_excerpt"].startswith('{"kode_satker": "400999", "last_sync": ')
    assert central["data_excerpt"].endswith(" characters]")
    assert len(json.dumps(result)) < 3 * mod.MAX_CENTRAL_DATA


def test_a_small_central_answer_is_kept_whole(monkeypatch):
    answer = {"kode_satker": "400999", "last_sync": "2026-11-21T11:00:00+00:00", "cases": 5,
              "note": "y" * (mod.MAX_CENTRAL_DATA - 100)}
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (200, json.dumps(answer), None))
    result = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    assert result["data"] == answer
    assert "data_excerpt" not in result


SECRETS = ("S3cretPw", "T0kenPub", "K3yCentral")


class GuardedCentral(Central):
    """SIPP MA asking for the basic credentials of the URL's userinfo."""

    def status(self) -> tuple[int, str]:
        expected = "Basic " + base64.b64encode(b"sop:S3cretPw").decode()
        if self.headers.get("Authorization") != expected:
            return 401, ""
        return 200, json.dumps({"last_sync": "2026-11-21T11:00:00+00:00", "cases": 7})


def test_credentials_in_the_urls_never_reach_the_results(tmp_path):
    # the records (sop_output and the whole module result, its invocation too) never hold
    # a URL's user:password@ nor a token in its query; the credentials still work.
    with serving(GuardedCentral) as url:
        authority = url.split("://", 1)[1]
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": f"{url}/?token=T0kenPub",
            "central_status_url": f"http://sop:S3cretPw@{authority}/api/status/1?key=K3yCentral"})
    assert rc == 0, result
    text = json.dumps(result)
    assert not [secret for secret in SECRETS if secret in text], text
    assert result["sync"]["central"]["cases"] == 7
    assert result["sop_output"]["public_url"] == f"{url}/?token=***"
    assert result["sync"]["central"]["url"] == f"http://***@{authority}/api/status/1?key=***"


class EchoingCentral(Central):
    """SIPP MA echoing the request (its key in the query) in a long answer, the cut at
    MAX_CENTRAL_DATA falling inside the key."""

    def status(self) -> tuple[int, str]:
        head = '{"pad": "'
        echoed = '", "request": "' + self.path.split("=", 1)[0] + "="
        pad = "y" * (mod.MAX_CENTRAL_DATA - 4 - len(head) - len(echoed))
        return 200, json.dumps({"pad": pad, "request": self.path, "more": "z" * 100})


def test_a_secret_the_cut_of_a_long_central_answer_splits_is_masked(tmp_path):
    # data_excerpt was cut before the result was masked: the key's first characters, no
    # longer the whole secret, were kept as written.
    with serving(EchoingCentral) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": f"{url}/api/status/1?key=K3yCentral"})
    assert rc == 0, result
    excerpt = result["sync"]["central"]["data_excerpt"]
    assert excerpt.endswith(" characters]") and '"request": "/api/status/1?key=' in excerpt
    assert "K3yC" not in json.dumps(result), excerpt[-60:]


def test_credentials_are_masked_in_failures(tmp_path):
    with serving(GuardedCentral) as url:
        authority = url.split("://", 1)[1]
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": f"http://sop:S3cretPw@{authority}/gone?token=T0kenPub"})
    assert rc == 1 and "HTTP 404" in result["msg"], result
    text = json.dumps(result)
    assert not [secret for secret in SECRETS if secret in text], text


secrets = load("sop_secrets")


@pytest.mark.parametrize(("url", "shown"), [
    ("http://sop:pw@ma:8080/api?kode=400&token=t1#access_token=t2",
     "http://***@ma:8080/api?kode=400&token=***#access_token=***"),
    ("https://TOKEN@ma/", "https://***@ma/"),
    ("http://ma/x?API_KEY=k3y&password=pw1;secret=s3c&user=u",
     "http://ma/x?API_KEY=***&password=***;secret=***&user=u"),
    ("http://ma/x?token=", "http://ma/x?token="),
    ("http://a@b:c@ma/x", "http://***@ma/x"),
    # a password holding an unencoded @ (urllib and a browser split at the last @)
    ("https://user:p@ss@host/", "https://***@host/"),
    # or an unencoded / ? #, which ends the host for urllib and a browser: the userinfo runs
    # to the last @, masked whole; a port's digits and a path's @ are kept
    ("https://user:pa/ss@host/x?token=t1", "https://***@host/x?token=***"),
    ("https://user:pa?ss@host/", "https://***@host/"),
    ("https://me@court.id:pa/ss@host/", "https://***@host/"),
    ("https://host:8080/@user/x", "https://host:8080/@user/x"),
    ("https://medium.com/@court/post", "https://medium.com/@court/post"),
    # a Telegram bot's token: the Bot API's path (an alert script) and apprise's host
    ("https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/sendMessage"
     "?chat_id=-100123", "https://api.telegram.org/bot***/sendMessage?chat_id=-100123"),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/-100123", "tgram://***/-100123"),
    ("https://example.org/build/2024:01/12:30", "https://example.org/build/2024:01/12:30"),
    # without its scheme (a setting missing it, quoted by the error refusing it): read as
    # what follows scheme://, its sop: a user's; a host, a port and a path's @ are kept
    ("sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken", "***@sipp.pn-contoh.go.id/?token=***"),
    ("//sop:S3cret@ma/x#access_token=t2", "//***@ma/x#access_token=***"),
    ("user:pa/ss@host:8080/x", "***@host:8080/x"),
    (" https://sop:S3cret@ma/", "***@ma/"),
    ("sipp.pn-contoh.go.id:8080/@user/x?kode=400", "sipp.pn-contoh.go.id:8080/@user/x?kode=400"),
    ("sipp.pn-contoh.go.id", "sipp.pn-contoh.go.id"),
    # a word@ alone is no credential without scheme://: an SSH or git address's user, an
    # e-mail address's, were shown as ***@ and their user replaced everywhere as a secret
    ("git@git.pn-contoh.go.id:ptip/sop.git", "git@git.pn-contoh.go.id:ptip/sop.git"),
    ("git@git.pn-contoh.go.id:22/ptip/sop.git", "git@git.pn-contoh.go.id:22/ptip/sop.git"),
    ("admin@pn-contoh.go.id", "admin@pn-contoh.go.id"),
    ("admin@pn-contoh.go.id/?token=T0ken", "admin@pn-contoh.go.id/?token=***"),
    # a user:password before it still is one, and a userinfo read whole
    ("deploy:S3cret@git.pn-contoh.go.id:ptip/sop.git", "***@git.pn-contoh.go.id:ptip/sop.git"),
    ("git@host:pa/ss@git.pn-contoh.go.id/", "***@git.pn-contoh.go.id/"),
    # with scheme:// (or //) a token@ is one
    ("ssh://T0ken@git.pn-contoh.go.id/sop.git", "ssh://***@git.pn-contoh.go.id/sop.git"),
    ("//T0ken@git.pn-contoh.go.id/sop.git", "//***@git.pn-contoh.go.id/sop.git"),
])
def test_mask_url(url, shown):
    assert secrets.mask_url(url) == shown
    assert not [s for s in secrets.url_secrets(url) if s in shown]


def test_url_secrets_are_each_secret_as_written_and_decoded():
    # What the modules replace in every text of their results; test_mask_url's check
    # against the masked URL holds for any list, the empty one included.
    url = "http://sop:pw%21@ma/api?kode=400&token=t%2B1;API_KEY=k#access_token=t2&page=3"
    found = secrets.url_secrets(url)
    assert sorted(found) == sorted(
        ["sop:pw%21", "sop:pw!", "pw%21", "pw!", "t%2B1", "t+1", "k", "t2"])
    # longest first: a secret inside another is replaced after it
    assert [len(s) for s in found] == sorted((len(s) for s in found), reverse=True)
    assert secrets.url_secrets("https://TOKEN@ma/") == ["TOKEN"]
    assert secrets.url_secrets("http://ma/x?token=&user=u") == []
    assert secrets.url_secrets(None) == []
    assert secrets.url_secrets("https://user:pa/ss@host/") == ["user:pa/ss", "pa/ss"]
    assert secrets.url_secrets("sop:S3cret@ma/?token=T0ken") == ["sop:S3cret", "S3cret", "T0ken"]
    # no secret without scheme:// in a word@ alone: "git" and "admin" were replaced in
    # every text of a result holding such an address
    assert secrets.url_secrets("git@git.pn-contoh.go.id:ptip/sop.git") == []
    assert secrets.url_secrets("admin@pn-contoh.go.id") == []
    assert secrets.url_secrets("deploy:S3cret@git.pn-contoh.go.id:ptip/sop.git") == [
        "deploy:S3cret", "S3cret"]


def test_basic_auth_takes_the_credentials_of_a_url_with_its_scheme_only():
    # a URL without its scheme is no request's (url_error refuses it): kept as it is
    assert secrets.basic_auth("http://sop:pw@ma/x") == ("http://ma/x", "Basic c29wOnB3")
    assert secrets.basic_auth("sop:pw@ma/x") == ("sop:pw@ma/x", None)
    assert secrets.basic_auth("//sop:pw@ma/x") == ("//sop:pw@ma/x", None)


def test_a_url_in_text_whose_password_holds_a_slash_is_masked_whole():
    # _URL read the userinfo only up to the first /: user:pa/ss@host was kept, a host and
    # a port for urllib but a password for whoever reads the record
    assert secrets.mask_text("GET https://user:pa/ss@host/x failed") == (
        "GET https://***@host/x failed")
    assert secrets.mask_log_line("see https://user:pa/ss@host/") == "see https://***@host/"


def test_a_malformed_url_fails_with_one_line(tmp_path):
    # an unclosed IPv6 bracket: a traceback out of sop_http.fetch's scheme check
    rc, result = run_module("sipp_sync_status", tmp_path, {"public_url": "http://u:Pa55@[::1/"})
    assert rc == 1
    assert result["msg"] == "public SIPP page: http://***@[::1/: not a valid URL (Invalid IPv6 URL)"
    assert "Pa55" not in json.dumps(result)


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_timeout_not_above_zero_is_a_bad_setting_not_a_slow_page(tmp_path, timeout):
    # it was sent on: "public SIPP page: ...: no complete answer within 0 s (sent too
    # slowly)" blamed the page for a setting
    with serving(Central) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "timeout": timeout})
    assert (rc, result["msg"], result["setting"]) == (
        1, f"timeout: must be a positive number of seconds, not {timeout}", "timeout")


class Bouncing(BaseHTTPRequestHandler):
    """/to/<address>: a redirect there (its query the address's); else the public page,
    or SIPP MA's status under /api/. ``seen`` lists what each request carried."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/"):])
            body = b""
        else:
            self.send_response(200)
            body = (b'{"last_sync": "2026-11-21T11:00:00+00:00"}' if self.path.startswith("/api/")
                    else b"Pembaharuan Data: 2026-11-21 18:30:00 WIB")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class PlainBouncing(Bouncing):
    seen: ClassVar[list[tuple[str, str | None]]] = []


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """The public page and SIPP MA over HTTPS (a localhost certificate of a test CA), and
    over plain HTTP, which records what reaches it."""
    with https_and_http(tmp_path_factory.mktemp("tls"), Bouncing, PlainBouncing) as urls:
        yield urls


def test_an_https_page_redirected_to_plain_http_is_a_tls_downgrade_not_followed(tls, tmp_path):
    # https://sipp/?token=... -> http://sipp/?token=... (a proxy's redirect keeping the
    # query, or a tampered site) was followed: the URL's token went out in the clear, and
    # a page anyone on the way could write was graded. It fails naming where it led, and
    # nothing reaches plain http; the same for SIPP MA's status; http -> https still passes.
    secure, plain = tls
    PlainBouncing.seen.clear()
    url = f"https://sop:S3cretPw@{secure[len('https://'):]}/to/{plain}/sipp/?token=T0kenPub"
    rc, result = run_module("sipp_sync_status", tmp_path, {"public_url": url,
                                                           "validate_certs": False})
    assert (rc, result["msg"]) == (1, f"public SIPP page: https://***@{secure[len('https://'):]}"
                                      f"/to/{plain}/sipp/?token=*** dialihkan ke http tanpa TLS: "
                                      f"{plain}/sipp/?token=*** (tidak diikuti)"), result
    central = f"{secure}/to/{plain}/api/status/1?key=K3yCentral"
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": f"{secure}/sipp/", "central_status_url": central, "validate_certs": False})
    assert rc == 0, result
    assert result["sync"]["central"]["error"] == (
        f"{secure}/to/{plain}/api/status/1?key=*** dialihkan ke http tanpa TLS: "
        f"{plain}/api/status/1?key=*** (tidak diikuti)")
    assert PlainBouncing.seen == []
    assert not [secret for secret in SECRETS if secret in json.dumps(result)]
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": f"{plain}/to/{secure}/sipp/", "validate_certs": False})
    assert (rc, result["sync"]["redirected_to"]) == (0, f"{secure}/sipp/"), result
    assert result["sync"]["marker_text"] == "2026-11-21 18:30:00 WIB"
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": f"{secure}/to/ftp://files.example/sipp/", "validate_certs": False})
    assert (rc, result["msg"]) == (1, f"public SIPP page: {secure}/to/ftp://files.example/sipp/ "
                                      "dialihkan ke alamat ftp: ftp://files.example/sipp/, "
                                      "bukan http(s) (tidak diikuti)"), result



# Penyamaan data: SIPP MA's counts against the local database's.
LOCAL = {"cases": 1250, "putusan": 980}


@pytest.mark.parametrize(("central", "tolerance", "status", "difference", "message"), [
    ({"cases": 1250, "putusan": 980}, 0, "equal", {"cases": 0, "putusan": 0},
     "Penyamaan data: SIPP lokal dan SIPP MA sama (1.250 perkara, 980 putusan)"),
    ({"cases": 1249, "putusan": 980}, 1, "within_tolerance", {"cases": 1, "putusan": 0},
     "Penyamaan data: SIPP lokal dan SIPP MA sama dalam toleransi 1: perkara: SIPP lokal "
     "1.250, SIPP MA 1.249 (lokal lebih banyak 1, dalam toleransi 1); 980 putusan sama"),
    ({"cases": 1249, "putusan": 978}, 1, "local_larger", {"cases": 1, "putusan": 2},
     "Penyamaan data: SIPP lokal lebih banyak dari SIPP MA: perkara: SIPP lokal 1.250, "
     "SIPP MA 1.249 (lokal lebih banyak 1, dalam toleransi 1); putusan: SIPP lokal 980, "
     "SIPP MA 978 (lokal lebih banyak 2)"),
    # SIPP MA larger on one count outweighs the local database larger on another
    ({"cases": 1240, "putusan": 1980}, 100, "central_larger", {"cases": 10, "putusan": -1000},
     "Penyamaan data: SIPP MA mencatat lebih banyak dari SIPP lokal (data SIPP lokal "
     "terhapus atau hilang, atau jawaban SIPP MA bukan data pengadilan ini): perkara: SIPP "
     "lokal 1.250, SIPP MA 1.240 (lokal lebih banyak 10, dalam toleransi 100); putusan: "
     "SIPP lokal 980, SIPP MA 1.980 (SIPP MA lebih banyak 1.000)"),
    ({"cases": None, "putusan": 980}, 0, "equal", {"cases": None, "putusan": 0},
     "Penyamaan data: SIPP lokal dan SIPP MA sama (980 putusan); perkara tidak dikirim "
     "SIPP MA sebagai jumlah (tidak dibandingkan)"),
])
def test_counts_are_compared_naming_both_numbers_and_the_difference(central, tolerance, status,
                                                                    difference, message):
    result = mod.compare_counts(LOCAL, central, tolerance)
    assert (result["status"], result["difference"], result["message"]) == (
        status, difference, message)
    assert (result["local"], result["central"], result["tolerance"]) == (LOCAL, central, tolerance)


@pytest.mark.parametrize("putusan", ['"980"', "-1", "1e400", "true", "[980]", "980.0",
                                     str(10 ** 12), "null"])
def test_a_putusan_that_is_no_count_is_named_so_not_as_unsent(monkeypatch, putusan):
    # SIPP MA sent putusan, but no count: the line said "putusan tidak dikirim SIPP MA"
    answer = f'{{"last_sync": "2026-11-21T11:00:00Z", "cases": 1250, "putusan": {putusan}}}'
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (200, answer, None))
    central = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    result = mod.count_comparison(central, lambda: dict(LOCAL), 0)
    assert (result["status"], result["message"]) == (
        "equal", "Penyamaan data: SIPP lokal dan SIPP MA sama (1.250 perkara); putusan tidak "
                 "dikirim SIPP MA sebagai jumlah (tidak dibandingkan)")


def _unread() -> dict[str, int]:
    raise AssertionError("the local database was read")


@pytest.mark.parametrize(("central", "why"), [
    (None, "status SIPP MA tidak dibaca (tanpa central_status_url)"),
    ({"url": "http://ma", "error": "http://ma: HTTP 404: satker has never synchronised"},
     "status SIPP MA tidak terbaca: http://ma: HTTP 404: satker has never synchronised"),
    ({"url": "http://ma", "cases": None, "putusan": None, "last_sync": "2026-11-21T11:00:00"},
     "jawaban SIPP MA tidak memuat jumlah perkara dan putusan"),
])
def test_without_counts_from_sipp_ma_the_comparison_is_skipped_and_says_why(central, why):
    # a real SIPP MA may answer without counts: never a failure, nor a database read
    result = mod.count_comparison(central, _unread, 0)
    assert (result["status"], result["local"], result["difference"]) == ("skipped", None, None)
    assert result["message"] == f"Penyamaan data dilewati: {why}"


def test_a_central_answer_with_counts_and_an_error_is_still_compared():
    # an answer without last_sync has an error, yet its counts are SIPP MA's
    result = mod.count_comparison({"error": "answer has no last_sync", "cases": 1250,
                                   "putusan": 980}, lambda: dict(LOCAL), 0)
    assert result["status"] == "equal"


def test_a_database_that_cannot_be_read_is_the_comparisons_error():
    def refused() -> dict[str, int]:
        raise mod.MariaDBError("SIPP database sipp: ERROR 1045 (28000): Access denied")

    result = mod.count_comparison({"cases": 1, "putusan": 1}, refused, 0)
    assert (result["status"], result["local"]) == ("error", None)
    assert result["message"] == ("Penyamaan data tidak dapat diperiksa: SIPP database sipp: "
                                 "ERROR 1045 (28000): Access denied")


def _connection():
    return mod.Connection(binary="/nonexistent/mariadb", database="sipp_pn")


def test_the_local_counts_are_sipp_syncs_counts(monkeypatch):
    asked = []
    monkeypatch.setattr(mod, "query", lambda conn, sql: asked.append(sql) or [["1250", "980"]])
    assert mod.local_counts(_connection()) == LOCAL
    assert asked == ["SELECT (SELECT COUNT(*) FROM perkara), "
                     "(SELECT COUNT(*) FROM perkara_putusan);"]


@pytest.mark.parametrize("rows", [[], [["1250"]], [["1250", None]], [["1250", "-1"]],
                                  [["1250", "980"], ["1", "1"]]])
def test_an_answer_that_is_no_row_of_counts_is_an_error_not_a_traceback(monkeypatch, rows):
    monkeypatch.setattr(mod, "query", lambda conn, sql: rows)
    with pytest.raises(mod.MariaDBError) as caught:
        mod.local_counts(_connection())
    assert str(caught.value).startswith("SIPP database sipp_pn: the counts' query answered ")


def test_a_database_error_names_the_database(monkeypatch):
    def refused(conn, sql):
        raise mod.MariaDBError("ERROR 1146 (42S02): Table 'sipp_pn.perkara_putusan' doesn't exist")

    monkeypatch.setattr(mod, "query", refused)
    with pytest.raises(mod.MariaDBError) as caught:
        mod.local_counts(_connection())
    assert str(caught.value) == ("SIPP database sipp_pn: ERROR 1146 (42S02): Table "
                                 "'sipp_pn.perkara_putusan' doesn't exist")


class CountingCentral(Central):
    def status(self) -> tuple[int, str]:
        return 200, json.dumps({"last_sync": "2026-11-21T11:00:00+00:00", "cases": 1250,
                                "putusan": 981})


def test_the_module_compares_through_the_client_with_its_password_in_the_option_file(tmp_path):
    # the client gets the password in its --defaults-extra-file, never on its command line;
    # no result holds it; the comparison is in the result and the record
    log = tmp_path / "client.log"
    client = tmp_path / "mariadb"
    client.write_text(f"""#!{sys.executable}
import json, sys
extra = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--defaults-extra-file=")]
with open({str(log)!r}, "w") as out:
    json.dump({{"argv": sys.argv, "options": open(extra[0]).read()}}, out)
# sop_sipp_schema.query's mark, then the counts
print("sop-sipp-answer\\n1250\\t980")
""")
    client.chmod(0o755)
    with serving(CountingCentral) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": f"{url}/api/status/400999",
            "compare_counts": True, "client_binary": str(client), "login_user": "sop_ro",
            "login_password": "DbPa55w0rd"})
    assert rc == 0, result
    comparison = result["sync"]["comparison"]
    assert (comparison["status"], comparison["difference"]) == (
        "central_larger", {"cases": 0, "putusan": -1})
    assert result["sop_output"]["comparison"] == comparison
    called = json.loads(log.read_text())
    assert 'password="DbPa55w0rd"' in called["options"]
    assert "DbPa55w0rd" not in json.dumps(called["argv"]) + json.dumps(result)


def test_a_client_that_prints_nothing_is_the_comparisons_error(tmp_path):
    # a wrong client_binary (/bin/true) exits 0 printing nothing: named, not a count
    client = tmp_path / "mariadb"
    client.write_text("#!/bin/sh\nexit 0\n")
    client.chmod(0o755)
    with serving(CountingCentral) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": f"{url}/api/status/400999",
            "compare_counts": True, "client_binary": str(client)})
    assert rc == 0, result
    comparison = result["sync"]["comparison"]
    assert (comparison["status"], comparison["message"]) == (
        "error", f"Penyamaan data tidak dapat diperiksa: SIPP database sipp: the MariaDB "
                 f"client {client} printed nothing, not even the server's answer (is "
                 "client_binary a mariadb or mysql client?)")


@pytest.mark.parametrize(("tolerance", "said"), [
    (-1, "must be 0 (no difference tolerated) or a positive number of rows, not -1"),
    # a tolerance of any size passed a sync that sent nothing while the page's date moved
    (1001, "must be at most 1000 rows, not 1001")])
def test_a_count_tolerance_out_of_range_is_named_as_the_setting(tmp_path, tolerance, said):
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": "http://127.0.0.1:9/", "count_tolerance": tolerance})
    assert (rc, result["msg"], result["setting"]) == (
        1, f"count_tolerance: {said}", "count_tolerance")


@pytest.mark.parametrize("query_timeout", [0, -5])
def test_a_query_timeout_not_above_zero_is_named_as_the_setting(tmp_path, query_timeout):
    # as sipp_online_users and sipp_audit_summary refuse it (the same database options):
    # -5 read "database did not answer within -5 s", the database blamed; 0 was 300
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": "http://127.0.0.1:9/", "compare_counts": True,
        "query_timeout": query_timeout})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"query_timeout: must be a positive number of seconds, not {query_timeout}",
        "query_timeout")


def test_without_compare_counts_there_is_no_comparison(tmp_path):
    rc, result = with_central(tmp_path, CountingCentral)
    assert rc == 0, result
    assert "comparison" not in result["sync"] and "comparison" not in result["sop_output"]


@pytest.mark.parametrize(("hours", "said"), [
    (0, "must be a positive number of hours, not 0"),
    (-8, "must be a positive number of hours, not -8"),
    ("inf", "must be a positive number of hours, not inf"),
    ("nan", "must be a positive number of hours, not nan"),
    # taken before: every date younger than it, fresh, a sync stopped for years hidden
    (1e12, "must be at most 87600 hours (ten years), not 1e+12")])
def test_a_max_age_not_a_positive_number_is_named_as_the_setting(tmp_path, hours, said):
    # 0 or less called every sync BASI ("umur 0,1 jam, batas -8 jam"), nan too, and inf
    # every date fresh: a setting's error blamed on SIPP's sync, or hiding a stale one
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": "http://127.0.0.1:9/", "max_age_hours": hours})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"max_age_hours: {said}", "max_age_hours")


LoginLoop = redirect_loop({"/": "/login", "/login": "/", "/api/status/1": "/api/status/1/login",
                           "/api/status/1/login": "/api/status/1"})


def test_a_redirect_loop_is_named_not_a_missing_marker(tmp_path):
    # the chain's last redirect was read as the page: "Tanda 'Pembaharuan Data' tidak
    # ditemukan ...; halaman dialihkan ke .../login", a page without its date, where no
    # page was ever read; SIPP MA's "answer is not JSON" said the same of an empty 302
    with serving(LoginLoop) as url:
        rc, result = run_module("sipp_sync_status", tmp_path, {
            "public_url": url + "/", "central_status_url": url + "/api/status/1"})
        rc_hops, hops = run_module("sipp_sync_status", tmp_path, {"public_url": url + "/hop/0"})
        central = mod.central_status(url + "/api/status/1", 5, True, 8, NOW)
    assert (rc, result["msg"]) == (
        1, f"public SIPP page: {url}/ dialihkan berputar (kembali ke {url}/): "
           "halaman tidak terbaca")
    assert (rc_hops, hops["msg"]) == (
        1, f"public SIPP page: {url}/hop/0 dialihkan lebih dari 10 kali: halaman tidak terbaca")
    assert central["error"] == (f"{url}/api/status/1 dialihkan berputar (kembali ke "
                                f"{url}/api/status/1): halaman tidak terbaca")


@pytest.mark.parametrize("text", ["0000-00-00 00:00:00", "00-00-0000 00:00",
                                  "00/00/0000 00.00 WIB"])
def test_the_zero_date_is_named_as_no_sync_recorded(text):
    # "invalid date in '0000-00-00 00:00:00': month must be in 1..12" (and SIPP MA's "year
    # 0 is out of range"): a reader looked for a wrong month, where MySQL's zero date is
    # SIPP's empty one, no sync recorded
    verdict = mod.evaluate(f"Pembaharuan Data: {text}", REGEX, WIB, 8, NOW)
    assert (verdict["last_sync"], verdict["fresh"]) == (None, False)
    assert verdict["message"] == (f"Tanggal 'Pembaharuan Data' tidak terbaca: no sync date in "
                                  f"{text!r}: the zero date, MySQL's empty date")


def test_sipp_mas_zero_date_is_named_as_no_sync_recorded(monkeypatch):
    monkeypatch.setattr(mod, "fetch", lambda url, t, v, secrets=(): (
        200, '{"last_sync": "0000-00-00 00:00:00", "cases": 5}', None))
    result = mod.central_status("http://ma/api/status/400999", 5, True, 8, NOW)
    assert result["error"] == ("unreadable last_sync '0000-00-00 00:00:00': the zero date, "
                               "MySQL's empty date")
