"""library/sipp_http_check.py: answers graded against a real local HTTP server."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
from conftest import within
from httpd import PHP_FATAL_PAGE, Ok, https_and_http, redirect_loop, send_without_end, serving
from loader import load, run_module

mod = load("sipp_http_check")
http = load("sop_http")

PAGE = b"<html><head><title>SIPP - Sistem Informasi\n Penelusuran Perkara</title></head></html>"
PARAMS = {"expected_text": "SIPP", "status_codes": [200], "max_response_seconds": 5}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/endless":
            send_without_end(self, b"<p>SIPP</p>" * 6000)
            return
        if self.path == "/slow":
            time.sleep(0.3)
        code = 503 if self.path == "/down" else 200
        body = b"Service Unavailable" if code == 503 else PAGE
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base():
    with serving(Handler) as url:
        yield url


def check(url, **params):
    return mod.grade(url, mod.request(url, 5, True), dict(PARAMS, **params))


def test_ok_page(base):
    access = check(base + "/sipp/")
    assert access["ok"] is True
    assert access["status"] == 200
    assert access["title"] == "SIPP - Sistem Informasi Penelusuran Perkara"
    assert 0 <= access["response_ms"] < 5000


def test_error_status_and_missing_text(base):
    access = check(base + "/down")
    assert access["ok"] is False
    assert access["problems"] == ["status HTTP 503", "teks 'SIPP' tidak ada di halaman"]


def test_slow_answer(base):
    access = check(base + "/slow", max_response_seconds=0.1)
    assert access["response_ms"] >= 300
    assert access["problems"][0].startswith("waktu respons ")


def test_no_answer():
    access = check("http://127.0.0.1:9/")
    assert access["status"] == -1
    assert access["response_ms"] is None
    assert access["problems"][0].startswith("tidak ada jawaban dari http://127.0.0.1:9/")


def test_a_page_without_end_is_read_no_further_than_the_limit(base):
    with within(60, "reading the page"):
        status, page, _, error, _, _ = mod.request(base + "/endless", 5, True)
    assert status == 200 and error is None and len(page) == http.MAX_BODY


def test_a_page_of_unclosed_titles_does_not_hang_the_grade():
    # '<title>' repeated without '</title>': the old regex rescanned the rest of the page
    # from every '<title>' (minutes for a 5 MB page).
    page = "<title>" * 20000
    with within(3, "grading the page"):
        access = mod.grade("http://sipp/", (200, page, 10, None, None, None), PARAMS)
    assert access["title"] is None and access["ok"] is False


@pytest.mark.parametrize(("page", "title"), [
    (PAGE.decode(), "SIPP - Sistem Informasi Penelusuran Perkara"),
    ("<TITLE lang=id>SIPP &amp; Co</TITLE >", "SIPP & Co"),
    ("<title>A</title><title>B</title>", "A"),
    ("<p>no title</p>", None),
    ("<title>" + "x" * 10000 + "</title>", "x" * 197 + "..."),
])
def test_page_title(page, title):
    assert mod.page_title(page) == title


def test_credentials_in_the_url_never_reach_the_results(tmp_path):
    with serving(Handler) as url:
        rc, result = run_module("sipp_http_check", tmp_path, {
            "url": f"{url}/sipp/?api_token=T0kenHttp", "expected_text": ""})
    assert rc == 0, result
    assert "T0kenHttp" not in json.dumps(result)
    assert result["sop_output"]["sipp_url"] == f"{url}/sipp/?api_token=***"


def test_a_malformed_url_is_a_bad_setting_not_a_traceback(tmp_path):
    # urlsplit raises ValueError for an unclosed IPv6 bracket: sop_http.fetch's scheme
    # check let it out, and the module died with a traceback instead of its one line.
    rc, result = run_module("sipp_http_check", tmp_path, {"url": "http://sipp:Pa55@[::1/sipp/"})
    assert (rc, result["msg"], result["setting"]) == (
        1, "url: 'http://***@[::1/sipp/' is not a valid URL (Invalid IPv6 URL)", "url")
    assert "Pa55" not in json.dumps(result)


class _Seen(Ok):
    """The redirect's target: records the Authorization header it was sent."""

    sent: ClassVar[list[str | None]] = []

    def do_GET(self):
        type(self).sent.append(self.headers.get("Authorization"))
        super().do_GET()


def _redirecting_to(target: str) -> type[BaseHTTPRequestHandler]:
    class Redirect(_Seen):
        sent: ClassVar[list[str | None]] = []

        def do_GET(self):
            if self.path.startswith("/moved"):
                return super().do_GET()
            type(self).sent.append(self.headers.get("Authorization"))
            self.send_response(302)
            self.send_header("Location", target or "/moved")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None

    return Redirect


def test_credentials_are_never_sent_on_to_another_site():
    # A URL's user:password@ is sent as basic credentials; urllib copied that header
    # onto a redirect to any other site (another host or port), as curl and requests do
    # not: a site redirecting elsewhere, or anyone in the middle of plain http, got the
    # court's password. The same site keeps them.
    auth = {"Authorization": "Basic c2lwcDpQYTU1"}
    with serving(_Seen) as elsewhere:
        handler = _redirecting_to(elsewhere + "/")
        with serving(handler) as site:
            answer = http.fetch(site + "/", 5, headers=auth)
    assert answer["status"] == 200, answer
    assert handler.sent == [auth["Authorization"]] and _Seen.sent == [None]
    same = _redirecting_to("")
    with serving(same) as site:
        answer = http.fetch(site + "/", 5, headers=auth)
    assert answer["status"] == 200 and same.sent == [auth["Authorization"]] * 2, answer


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_timeout_not_above_zero_is_a_bad_setting_not_a_slow_site(tmp_path, base, timeout):
    # it was sent on: "no complete answer within 0 s (sent too slowly)", or a
    # non-blocking socket's error, reported as SIPP not answering
    rc, result = run_module("sipp_http_check", tmp_path, {"url": base + "/sipp/",
                                                          "timeout": timeout})
    assert (rc, result["msg"], result["setting"]) == (
        1, f"timeout: must be a positive number of seconds, not {timeout}", "timeout")


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0"), (-1.5, "-1.5"), ("inf", "inf"), ("nan", "nan"), ("-inf", "-inf")])
def test_a_response_limit_not_a_positive_finite_number_is_a_bad_setting(tmp_path, base,
                                                                       seconds, shown):
    # 0: every answer was a problem, "waktu respons 3 ms melebihi 0 dtk": SIPP called slow;
    # inf or nan: no answer was ever slow, a limit silently switched off
    rc, result = run_module("sipp_http_check", tmp_path, {
        "url": base + "/sipp/", "max_response_seconds": seconds})
    assert (rc, result["msg"], result["setting"]) == (
        1, f"max_response_seconds: must be a positive number of seconds, not {shown}",
        "max_response_seconds")



@pytest.mark.parametrize("refused", [{"timeout": 0}, {"max_response_seconds": 0}])
def test_a_refused_settings_failure_shows_the_url_masked(tmp_path, refused):
    # the failure's invocation (returned by ansible-core 2.19, recorded by the runner)
    # held the URL as given, user:password@ and token and all
    rc, result = run_module("sipp_http_check", tmp_path, {
        "url": "http://sipp:Pa55word@127.0.0.1:9/sipp/?api_token=T0kenHttp", **refused})
    assert (rc, result["setting"]) == (1, next(iter(refused)))
    assert "Pa55word" not in json.dumps(result) and "T0kenHttp" not in json.dumps(result)
    if "invocation" in result:  # ansible-core 2.21 returns it only when asked
        assert result["invocation"]["module_args"]["url"] == (
            "http://***@127.0.0.1:9/sipp/?api_token=***")


@pytest.mark.parametrize(("url", "why"), [
    ("localhost/sipp/", "'localhost/sipp/' is not an http(s) URL with a host"),
    ("http://sipp:Pa55word@localhost:99999/", "'http://***@localhost:99999/' is not a valid "
     "URL (Port out of range 0-65535)"),
    ("", "'' is not an http(s) URL with a host"),
])
def test_a_url_no_request_can_go_to_is_a_bad_setting_not_sipp_down(tmp_path, url, why):
    # a scheme left out was graded as SIPP not answering, "tidak ada jawaban dari
    # localhost/sipp/: not an http(s) URL": the role named no variable to correct
    rc, result = run_module("sipp_http_check", tmp_path, {"url": url})
    assert (rc, result["msg"], result.get("setting")) == (1, f"url: {why}", "url")
    assert "Pa55word" not in json.dumps(result)


def test_where_a_redirect_led_is_reported(tmp_path):
    # The redirect was followed and only the URL asked recorded: a page elsewhere (a
    # court website naming SIPP in its menu) graded as SIPP answering, with nothing in
    # the record to tell. Where it led is now reported, and named when the text lacks.
    with serving(_Seen) as elsewhere, \
            serving(_redirecting_to(elsewhere + "/login?sid=S1d")) as site:
        rc, result = run_module("sipp_http_check", tmp_path, {"url": site + "/sipp/#x"})
        rc_text, with_text = run_module("sipp_http_check", tmp_path, {
            "url": site + "/sipp/", "expected_text": "ok"})
    assert rc == 0 and rc_text == 0, result
    assert result["access"]["redirected_to"] == elsewhere + "/login?sid=***"
    assert result["sop_output"]["redirected_to"] == elsewhere + "/login?sid=***"
    assert result["access"]["problems"] == [
        f"teks 'SIPP' tidak ada di halaman yang dialihkan ke {elsewhere}/login?sid=***"]
    assert with_text["access"]["ok"] is True and "S1d" not in json.dumps(with_text)


def test_a_redirect_to_an_address_that_does_not_answer_names_that_address():
    # SIPP answered with a redirect (to its https name, which the server itself may not
    # reach) and the address it led to did not answer: the problem read "tidak ada
    # jawaban dari http://localhost/sipp/: Name or service not known", the URL that did
    # answer blamed and where it led not said, not even in redirected_to.
    with serving(_redirecting_to("http://127.0.0.1:9/sipp/login?sid=S1d")) as site:
        access = check(site + "/sipp/")
    assert (access["ok"], access["status"], access["response_ms"]) == (False, -1, None)
    assert access["redirected_to"] == "http://127.0.0.1:9/sipp/login?sid=***"
    assert access["problems"] == [
        f"{site}/sipp/ dialihkan ke http://127.0.0.1:9/sipp/login?sid=***, yang tidak "
        "menjawab: Connection refused"]


def test_a_page_not_redirected_reports_no_redirect(tmp_path, base):
    rc, result = run_module("sipp_http_check", tmp_path, {"url": base + "/sipp/#top"})
    assert (rc, result["access"]["redirected_to"], result["access"]["ok"]) == (0, None, True)


class _Bounce(BaseHTTPRequestHandler):
    """/to/<address>: a redirect there; anything else the SIPP page."""

    def do_GET(self):
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/"):])
            body = b""
        else:
            self.send_response(200)
            body = PAGE
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """SIPP over HTTPS (a localhost certificate of a test CA) and over plain HTTP."""
    with https_and_http(tmp_path_factory.mktemp("tls"), _Bounce, _Bounce) as urls:
        yield urls


def test_an_https_sipp_redirected_to_plain_http_is_a_tls_downgrade(tls, tmp_path):
    # https://sipp/ -> http://sipp/sipp/ (a proxy's trailing-slash redirect, or a tampered
    # site) was followed and graded ok: SIPP read (a visitor logging in) without TLS. It is a
    # problem naming where it led, not followed, as website_check's page check; a hop over
    # https before it is followed, and http -> https still passes.
    secure, plain = tls
    access = mod.grade(f"{secure}/to/{plain}/sipp/", mod.request(
        f"{secure}/to/{plain}/sipp/", 5, False), PARAMS)
    assert (access["ok"], access["status"], access["expected_text_found"]) == (False, 302, False)
    assert access["problems"] == [
        f"{secure}/to/{plain}/sipp/ dialihkan ke http tanpa TLS: {plain}/sipp/ (tidak diikuti)"]
    url = f"{secure}/to//to/{plain}/sipp/?sid=S1d"
    rc, result = run_module("sipp_http_check", tmp_path, {"url": url, "validate_certs": False})
    assert rc == 0, result
    assert result["access"]["problems"] == [f"{secure}/to//to/{plain}/sipp/?sid=*** "
                                            f"dialihkan ke http tanpa TLS: {plain}/sipp/?sid=*** "
                                            "(tidak diikuti)"]
    assert result["access"]["redirected_to"] == f"{secure}/to/{plain}/sipp/?sid=***"
    assert "S1d" not in json.dumps(result)
    access = mod.grade(f"{plain}/to/{secure}/sipp/", mod.request(
        f"{plain}/to/{secure}/sipp/", 5, False), PARAMS)
    assert (access["ok"], access["redirected_to"]) == (True, f"{secure}/sipp/")


def test_a_redirect_to_another_scheme_is_named_not_followed():
    with serving(_redirecting_to("ftp://files.example/sipp/")) as site:
        access = check(site + "/sipp/")
    assert access["problems"] == [f"{site}/sipp/ dialihkan ke alamat ftp: "
                                  "ftp://files.example/sipp/, bukan http(s) (tidak diikuti)"]


# PHP shows a fatal error with status 200 when display_errors is on (a court's SIPP
# server often has it on), and the path it names holds the expected text: the page was
# graded "Akses SIPP tersedia". The pages sop_http.page_error names are tested with it
# (test_website_check.py).
def test_a_page_showing_a_php_or_database_error_is_no_access():
    access = mod.grade("http://sipp/", (200, PHP_FATAL_PAGE, 10, None, None, None), PARAMS)
    assert (access["ok"], access["expected_text_found"]) == (False, True)
    assert access["problems"] == [
        "halaman menampilkan galat PHP/database: Fatal error: Uncaught mysqli_sql_exception: "
        "Too many connections in "
        "/var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php:135"]
    assert "Rahasia1" not in json.dumps(access)


def test_a_working_page_with_a_notice_is_access():
    page = ("<title>SIPP</title><h4>A PHP Error was encountered</h4><p>Severity: Notice</p>"
            "<p>Message: Undefined index: lang</p>")
    access = mod.grade("http://sipp/", (200, page, 10, None, None, None), PARAMS)
    assert (access["ok"], access["problems"]) == (True, [])


_Loop = redirect_loop({"/sipp/": "/sipp/login", "/sipp/login": "/sipp/"})


def test_a_redirect_loop_is_named_not_a_status():
    # it read "status HTTP 302" and "teks 'SIPP' tidak ada di halaman": SIPP blamed for a
    # status and a text, and the loop, the real cause, not said
    with serving(_Loop) as site:
        loop = check(site + "/sipp/")
        hops = check(site + "/hop/0")
    assert (loop["ok"], loop["expected_text_found"], loop["title"]) == (False, False, None)
    assert loop["problems"] == [f"{site}/sipp/ dialihkan berputar (kembali ke {site}/sipp/): "
                                "halaman tidak terbaca"]
    assert hops["problems"] == [f"{site}/hop/0 dialihkan lebih dari 10 kali: "
                                "halaman tidak terbaca"]
