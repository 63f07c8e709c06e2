"""module_utils/sop_options: the one check of the modules' time options. A timeout of 0
failed website_integrity's page reads, recorded as the site's fault (page_unreachable),
while website_check refused it: each module checked its own, in its own words, or not at
all."""

from __future__ import annotations

import datetime
import selectors
import socket
import subprocess
import threading

import pytest
from loader import load

options = load("sop_options")


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-5, "-5"), (0.0, "0"), (-0.5, "-0.5"),
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf")])
def test_a_time_that_is_no_positive_finite_number_is_refused_naming_the_option(
        value: float, shown: str) -> None:
    assert options.seconds_error({"timeout": value}, "timeout") == {
        "msg": f"timeout: must be a positive number of seconds, not {shown}",
        "setting": "timeout"}


@pytest.mark.parametrize("value", [1, 30, 0.001, 2.5])
def test_a_positive_time_passes(value: float) -> None:
    assert options.seconds_error({"timeout": value}, "timeout") is None


def test_the_first_refused_of_several_options_is_named() -> None:
    params = {"timeout": 30, "query_timeout": 0, "max_response_seconds": -1}
    assert options.seconds_error(params, "timeout", "query_timeout", "max_response_seconds") \
        == {"msg": "query_timeout: must be a positive number of seconds, not 0",
            "setting": "query_timeout"}


def test_zero_keeps_its_documented_meaning_and_a_negative_is_refused() -> None:
    assert options.seconds_error({"stall_timeout": 0}, "stall_timeout",
                                 zero="never stops it") is None
    assert options.seconds_error({"stall_timeout": -1}, "stall_timeout",
                                 zero="never stops it") == {
        "msg": "stall_timeout: must be 0 (never stops it) or a positive number of seconds, "
               "not -1",
        "setting": "stall_timeout"}
    assert options.seconds_error({"interval": float("inf")}, "interval", zero="no pause")[
        "msg"] == "interval: must be 0 (no pause) or a positive number of seconds, not inf"


@pytest.mark.parametrize(("value", "shown"), [
    (86400.5, "86400.5"), (10**10, "10000000000"), (1e10, "1e+10"), (1e300, "1e+300")])
def test_a_time_over_one_day_is_refused_naming_the_option(value: float, shown: str) -> None:
    # 1e10 s passed the check and socket.settimeout or a threading wait raised
    # OverflowError, a traceback: routeros_check lost every router's result
    expected = {"msg": f"timeout: must be at most 86400 seconds (one day), not {shown}",
                "setting": "timeout"}
    assert options.seconds_error({"timeout": value}, "timeout") == expected
    assert options.seconds_error({"timeout": value}, "timeout", zero="does not wait") \
        == expected


def test_one_day_passes() -> None:
    assert options.seconds_error({"timeout": 86400}, "timeout") is None
    assert options.seconds_error({"timeout": 86400.0}, "timeout", zero="no pause") is None


def test_every_wait_takes_the_longest_time_allowed() -> None:
    """What the modules give a time limit to: a socket (its whole-session deadline too,
    routeros_check's 30 timeouts), threading's waits, and selectors' epoll, whose wait in
    milliseconds is a C int (about 24.8 days)."""
    longest = options.MAX_SECONDS
    left, right = socket.socketpair()
    with left, right, selectors.DefaultSelector() as selector:
        left.settimeout(longest * 30)
        right.sendall(b"x")
        assert left.recv(1) == b"x"
        right.sendall(b"y")
        selector.register(left, selectors.EVENT_READ)
        assert len(selector.select(longest)) == 1
    assert threading.Lock().acquire(timeout=longest)


@pytest.mark.parametrize(("unit", "most"), [("minutes", 5256000), ("hours", 87600),
                                            ("days", 3650)])
def test_a_duration_passes_up_to_ten_years_in_its_unit(unit: str, most: int) -> None:
    assert options.duration_error({"age": most}, "age", unit=unit) is None
    assert options.duration_error({"age": 1}, "age", unit=unit) is None
    assert options.duration_error({"age": most + 1}, "age", unit=unit) == {
        "msg": f"age: must be at most {most} {unit} (ten years), not {most + 1}",
        "setting": "age"}


@pytest.mark.parametrize(("value", "shown"), [
    (10**12, "1000000000000"), (1e12, "1e+12"), (87600.5, "87600.5")])
def test_a_duration_over_ten_years_is_refused_naming_the_option(value: float,
                                                                 shown: str) -> None:
    # backup_retention's stale_after_hours of 1e12 raised OverflowError in timedelta,
    # a traceback; server_backup_age's max_age_hours of 1e12 made every backup fresh
    expected = {"msg": f"max_age_hours: must be at most 87600 hours (ten years), not {shown}",
                "setting": "max_age_hours"}
    assert options.duration_error({"max_age_hours": value}, "max_age_hours",
                                  unit="hours") == expected
    assert options.duration_error({"max_age_hours": value}, "max_age_hours", unit="hours",
                                  zero="no check") == expected


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-1, "-1"), (float("nan"), "nan"), (float("inf"), "inf")])
def test_a_duration_that_is_no_positive_finite_number_is_refused(value: float,
                                                                 shown: str) -> None:
    assert options.duration_error({"hours": value}, "hours", unit="hours") == {
        "msg": f"hours: must be a positive number of hours, not {shown}", "setting": "hours"}


def test_a_duration_of_0_keeps_its_documented_meaning() -> None:
    assert options.duration_error({"battery_max_age_days": 0}, "battery_max_age_days",
                                  unit="days", zero="checks no age") is None
    assert options.duration_error({"battery_max_age_days": -1}, "battery_max_age_days",
                                  unit="days", zero="checks no age") == {
        "msg": "battery_max_age_days: must be 0 (checks no age) or a positive number of "
               "days, not -1",
        "setting": "battery_max_age_days"}


@pytest.mark.parametrize(("value", "said"), [
    (0, "must be a positive number of echo requests, not 0"),
    (-3, "must be a positive number of echo requests, not -3"),
    (101, "must be at most 100 echo requests, not 101"),
    (10**9, "must be at most 100 echo requests, not 1000000000"),
    (1, None), (100, None)])
def test_a_count_is_refused_outside_its_range_in_its_own_unit(value: int,
                                                              said: str | None) -> None:
    """net_reachability's probes: no time, the same check in its own unit and bound, with
    no words for the bound unless given."""
    assert options.range_error({"probes": value}, "probes", unit="echo requests",
                               most=100) == (None if said is None else {
        "msg": f"probes: {said}", "setting": "probes"})


def test_a_bound_said_in_words_is_named_after_it() -> None:
    assert options.range_error({"ms": 6e4 + 0.5}, "ms", unit="milliseconds", most=60000,
                               most_said="one minute") == {
        "msg": "ms: must be at most 60000 milliseconds (one minute), not 60000.5",
        "setting": "ms"}


def test_ten_years_back_is_a_date() -> None:
    """What the modules make of the longest duration: a timedelta, and the time that
    long before now (server_diagnose's since, backup_retention's stale_after)."""
    longest = datetime.timedelta(days=options.MAX_DAYS)
    assert longest == datetime.timedelta(hours=87600) == datetime.timedelta(minutes=5256000)
    assert datetime.datetime.now() - longest < datetime.datetime.now()


def test_a_ca_bundle_that_cannot_be_loaded_is_refused_naming_the_option(tmp_path) -> None:
    """A CA bundle gone, a folder or no PEM file was loaded only when the first page was
    read: a traceback (FileNotFoundError, ssl.SSLError). Empty means the system's trust
    store; a real bundle passes."""
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("no certificate here\n")
    assert options.ca_file_error({"ca_file": str(tmp_path / "gone.pem")}, "ca_file") == {
        "msg": f"ca_file: cannot read the CA bundle {tmp_path / 'gone.pem'}: "
               "No such file or directory", "setting": "ca_file"}
    assert options.ca_file_error({"ca_path": str(tmp_path)}, "ca_path") == {
        "msg": f"ca_path: cannot read the CA bundle {tmp_path}: Is a directory",
        "setting": "ca_path"}
    assert options.ca_file_error({"ca_file": str(not_pem)}, "ca_file") == {
        "msg": f"ca_file: {not_pem} is no CA bundle (PEM certificates): "
               "NO_CERTIFICATE_OR_CRL_FOUND", "setting": "ca_file"}
    assert options.ca_file_error({"ca_file": ""}, "ca_file") is None
    assert options.ca_file_error({"ca_path": None}, "ca_path") is None
    bundle = tmp_path / "court-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=Court CA", "-keyout", str(tmp_path / "ca.key"),
                    "-out", str(bundle)], check=True, capture_output=True)
    assert options.ca_file_error({"ca_file": str(bundle)}, "ca_file") is None


@pytest.mark.parametrize(("url", "said"), [
    # http.client refused it only when the request was sent: the site 'tidak menjawab'
    ("https://sipp.pn-contoh.go.id/SIPP 311", "a space at character 34"),
    ("https://sipp pn-contoh.go.id/", "a space at character 13"),
    # copied from a web page or a document: a no-break space, a tab, a line's end
    ("https://sipp.pn-contoh.go.id/\u00a0", "the character '\\xa0' at character 30"),
    ("\thttps://sipp.pn-contoh.go.id/", "the character '\\t' at character 1"),
    ("https://sipp.pn-contoh.go.id/\n", "the character '\\n' at character 30")])
def test_a_url_holding_whitespace_is_refused_by_its_place(url: str, said: str) -> None:
    assert options.url_text_error(url) == (
        f"holds {said}, which no URL holds: remove it or percent-encode it (%20 for a space)")


def test_a_url_without_whitespace_passes_and_a_refused_one_is_never_quoted() -> None:
    assert options.url_text_error("https://sipp.pn-contoh.go.id/SIPP%20311?x=1") is None
    assert "S3cret" not in str(options.url_text_error("https://u:S3cret@pn.example/a b"))


@pytest.mark.parametrize(("value", "shown"), [
    (None, "None"), (True, "True"), (False, "False"), ("30", "'30'"), ([30], "[30]"),
    ({"s": 30}, "{'s': 30}")])
def test_a_value_that_is_no_number_is_refused_not_compared(value: object, shown: str) -> None:
    """null (an option without a default), true or false (Ansible's int and float options
    pass them on), or what no argument spec converted (the filters' input): comparing it
    raised TypeError, a traceback, and true passed as 1 second, false as the 0 that
    turns a check off."""
    for zero, expected in ((None, "a positive"), ("does not wait", "0 (does not wait) or a "
                                                                   "positive")):
        assert options.seconds_error({"timeout": value}, "timeout", zero=zero) == {
            "msg": f"timeout: must be {expected} number of seconds, not {shown}",
            "setting": "timeout"}
    assert options.duration_error({"hours": value}, "hours", unit="hours") == {
        "msg": f"hours: must be a positive number of hours, not {shown}", "setting": "hours"}
    assert options.range_error({"t": 2, "probes": value}, "t", "probes",
                               unit="echo requests", most=100) == {
        "msg": f"probes: must be a positive number of echo requests, not {shown}",
        "setting": "probes"}
