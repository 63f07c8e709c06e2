"""website_check, website_renewals and module_utils/sop_http.py against real local
HTTP and HTTPS servers (certificates made by openssl, an RDAP answer, a feed)."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import socket
import ssl
import subprocess
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpd
import pytest
from conftest import within
from httpd import PHP_FATAL_PAGE
from loader import load, run_module

http = load("sop_http")
check = load("website_check")
renewals = load("website_renewals")

FEED = b"""<rss><channel><lastBuildDate>Wed, 18 Nov 2026 02:00:00 +0000</lastBuildDate>
<item><pubDate>Wed, 18 Nov 2026 02:00:00 +0000</pubDate></item>
<item><pubDate>Wed, 04 Nov 2026 02:00:00 +0000</pubDate></item></channel></rss>"""
EXPIRY = (datetime.datetime.now(datetime.UTC)
          + datetime.timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z")

# RDAP answers of a hostile or broken registry stand-in: each made the module end in a
# traceback instead of a warning naming the domain.
CRAFTED_RDAP = {
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "nested": b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "null-events": b'{"events": null}',
    "number-events": b'{"events": 5}',
    "overflow": json.dumps({"events": [{"eventAction": "expiration",
                                        "eventDate": "9999-12-31T23:59:59-05:00"}]}).encode(),
    "ancient": json.dumps({"events": [{"eventAction": "expiration",
                                       "eventDate": "0099-01-01T00:00:00Z"}]}).encode(),
}
WIB_EXPIRY = json.dumps({"events": [{"eventAction": "expiration",
                                     "eventDate": "2027-01-31T16:59:59Z"}]}).encode()

# A court website with display_errors on: PHP's fatal error answers 200, and the theme's
# header was sent before it ("Selamat datang" on the page). WordPress without its
# database answers 500.
PHP_FATAL = (b"<html><title>Pengadilan</title>Selamat datang<br />\n<b>Fatal error</b>:  "
             b"Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in "
             b"/var/www/html/wp-includes/class-wpdb.php:12\nStack trace:\n#0 "
             b"/var/www/html/x.php(12): PDO->__construct('mysql:host=db', 'wp', 'Rahasia1')")
WP_DB_DOWN = (b"<!DOCTYPE html><html><head><title>Database Error</title></head><body "
              b"id=\"error-page\"><div class=\"wp-die-message\"><h1>Error establishing a "
              b"database connection</h1></div></body></html>")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        if self.path == "/endless":
            httpd.send_without_end(self, b"<p>judi</p>" * 6000)
            return
        if self.path == "/slow":
            httpd.send_slowly(self, b"<p>", 0.2)
            return
        if self.path == "/slow-headers":  # the status line, then a header without end
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Wait: ")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(600):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.2)
            return
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", f"https://localhost:{port}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/hop/"):  # /hop/<n>: a slow redirect to /hop/<n - 1>
            hops = int(self.path[len("/hop/"):])
            time.sleep(0.3)
            self.send_response(302 if hops else 200)
            self.send_header("Location", f"/hop/{hops - 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        loop = {"/loop-a": "/loop-b", "/loop-b": "/loop-a"}  # each redirecting to the other
        if self.path.startswith("/to/") or self.path in loop:  # /to/<address>: to that address
            self.send_response(302)
            self.send_header("Location", loop.get(self.path) or self.path[len("/to/"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        routes = {
            "/": (200, b"<html><title>Pengadilan</title>Selamat datang</html>"),
            "/feed/": (200, FEED),
            "/rdap/domain/pn-x.go.id": (200, json.dumps({"events": [
                {"eventAction": "registration", "eventDate": "2016-01-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": EXPIRY}]}).encode()),
            **{f"/rdap/domain/{name}.id": (200, body) for name, body in CRAFTED_RDAP.items()},
            "/rdap/domain/wib.id": (200, WIB_EXPIRY),
            "/php-fatal": (200, PHP_FATAL),
            "/wp-db-down": (500, WP_DB_DOWN),
        }
        if self.path.startswith("/private/"):  # behind basic auth: court:rahasia
            if self.headers.get("Authorization") != "Basic Y291cnQ6cmFoYXNpYQ==":
                routes[self.path] = (401, b"login")
            elif self.path.startswith("/private/feed"):
                routes[self.path] = (200, FEED)
            else:
                routes[self.path] = routes["/"]
        code, body = routes.get(self.path, (404, b"not found"))
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up (a TLS check that refuses the certificate) is expected."""


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A CA, an HTTPS server with a localhost certificate valid 20 days, one with a
    certificate that expired the moment it was made (earlier today), an HTTP server."""
    ca, contexts = httpd.tls_contexts(tmp_path_factory.mktemp("tls"), site=20, expired=0)
    servers = [httpd.start(Handler, server=QuietServer, context=contexts["site"]),
               httpd.start(Handler, server=QuietServer),
               httpd.start(Handler, server=QuietServer, context=contexts["expired"])]
    yield {"ca": ca, "https": servers[0].server_address[1],
           "http": servers[1].server_address[1], "expired": servers[2].server_address[1]}
    for server in servers:
        server.shutdown()


def params(**overrides):
    base = {"urls": [], "expected_text": "", "max_response_seconds": 5, "timeout": 5,
            "require_https_redirect": False, "ca_file": "", "newest_content": "", "feed_url": "",
            "sitemap_url": "", "freshness_days": 30}
    return {**base, **overrides}


def test_page_certificate_and_feed_date(tls):
    url = f"https://localhost:{tls['https']}/"
    p = params(urls=[url], ca_file=tls["ca"], expected_text="Selamat")
    page = check.check_page(url, p)
    assert page["ok"] and page["status"] == 200, page["problems"]
    now = datetime.datetime.now(datetime.UTC)
    [cert] = check.check_certificates([url], p, now)
    assert cert["valid"] and cert["days_left"] in (19, 20)
    fresh = check.freshness(p, datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC))
    assert fresh["newest"].startswith("2026-11-18") and fresh["age_days"] == 11 and fresh["fresh"]


def test_untrusted_certificate_is_a_problem_with_its_expiry(tls):
    now = datetime.datetime.now(datetime.UTC)
    cert = http.tls_certificate("localhost", tls["https"], 5, "", now)
    assert not cert["valid"] and "certificate" in cert["error"]
    assert cert["days_left"] in (19, 20)  # read without verification, by openssl
    problems, _ = check.grade([], [cert], {"newest": "x", "fresh": True}, params())
    assert problems and "tidak sah" in problems[0]


def test_an_untrusted_certificate_s_problem_names_its_likely_cause(tls):
    """nginx sending the site's certificate without its intermediate (cert.pem, not
    fullchain.pem) read "unable to get local issuer certificate": OpenSSL's words, which
    do not tell the admin what to fix (the test's CA, not given, stands for the missing
    intermediate)."""
    cert = http.tls_certificate("localhost", tls["https"], 5, "",
                                datetime.datetime.now(datetime.UTC))
    problems, _ = check.grade([], [cert], {"newest": "x", "fresh": True}, params())
    assert problems == [
        "sertifikat TLS localhost tidak sah: unable to get local issuer certificate (rantai "
        "sertifikat tidak lengkap, server tidak mengirim sertifikat perantara (pasang "
        f"fullchain), atau penerbitnya tidak dipercaya) (berakhir {cert['not_after']})"]
    for words in ("self-signed certificate", "self signed certificate"):
        problems, _ = check.grade([], [{"host": "a.go.id", "valid": False, "error": words,
                                        "not_after": None}], {"newest": "x", "fresh": True},
                                  params())
        assert problems == [f"sertifikat TLS a.go.id tidak sah: {words} (sertifikat buatan "
                            "sendiri, bukan dari CA yang dipercaya)"]


def test_expired_certificate_fails_activity_1_and_4_even_on_its_last_day(tls):
    now = datetime.datetime.now(datetime.UTC)
    cert = http.tls_certificate("localhost", tls["expired"], 5, tls["ca"], now)
    assert not cert["valid"] and cert["error"] == "certificate has expired"
    assert cert["days_left"] == -1  # by the date alone, on the day it expired: 0 days left
    problems, _ = check.grade([], [cert], {"newest": "x", "fresh": True}, params())
    assert problems == [f"sertifikat TLS localhost tidak sah: certificate has expired "
                        f"(berakhir {cert['not_after']})"]
    entry = renewals.certificate_item("localhost", cert, today=now.date(), warn_days=[30, 14, 7])
    assert entry["level"] == "expired" and entry["days_left"] == -1
    assert renewals.messages([entry])[0] == [
        f"Sertifikat TLS localhost sudah berakhir pada {cert['not_after']}"]


def test_https_redirect_required(tls):
    p = params(ca_file=tls["ca"], require_https_redirect=True)
    plain = http.fetch(f"http://127.0.0.1:{tls['http']}/old", 5, None, follow=False)
    assert plain["status"] == 301 and plain["location"].startswith("https://")
    down = check.check_page("https://localhost:1/", p)
    assert not down["ok"] and any("tidak dapat diakses" in x for x in down["problems"])


@pytest.mark.parametrize(("url", "plain"), [
    ("https://a.go.id/x?y=1", "http://a.go.id/x?y=1"), ("https://A.go.id:443", "http://a.go.id/"),
    ("https://budi:rahasia@a.go.id/", "http://a.go.id/"),
    ("https://[2001:db8::1]/x", "http://[2001:db8::1]/x"),
    # no known plain-HTTP port: plain HTTP sent to the TLS port is no answer, and port 80
    # may serve another site or none
    ("https://a.go.id:8443/", None), ("https://[2001:db8::1]:8443/", None),
    ("http://a.go.id/", None), ("https://[2001:db8::1/", None), ("https://a.go.id:99999/", None),
], ids=["path-query", "port-443", "credentials", "ipv6", "port-8443", "ipv6-port-8443", "http",
        "unclosed-bracket", "port-out-of-range"])
def test_the_plain_http_address_of_an_https_url(url, plain):
    assert http.http_variant(url) == plain


@pytest.mark.parametrize(("old", "new", "followed"), [
    ("https://a.go.id/", "http://a.go.id/", False),  # a TLS downgrade, the same site too
    ("HTTPS://a.go.id/", "Http://b.go.id/x", False),  # schemes in any case
    ("https://a.go.id/", "https://b.go.id/", True),  # another site: the caller's rule
    ("http://a.go.id/", "https://a.go.id/", True),  # up to TLS
    ("http://a.go.id/", "http://a.go.id/login", True),  # plain http all along
    ("http://a.go.id/", "ftp://a.go.id/", False), ("https://a.go.id/", "file:///etc/passwd", False),
])
def test_a_monitor_never_follows_a_redirect_dropping_tls(old, new, followed):
    """The one rule website_check's page check and sipp_http_check follow redirects by."""
    assert http.scheme_followed(old, new) is followed
    assert http.tls_downgrade(old, new) is (new.lower().startswith("http:")
                                            and old.lower().startswith("https:"))


def test_a_redirect_not_followed_is_named_for_its_scheme_credentials_masked():
    assert http.not_followed("http://sop:Pw@a.go.id/sipp/?sid=S1d") == (
        "dialihkan ke http tanpa TLS: http://***@a.go.id/sipp/?sid=***")
    assert http.not_followed("FTP://a.go.id/x?token=T") == (
        "dialihkan ke alamat ftp: FTP://a.go.id/x?token=***, bukan http(s)")


def test_an_https_site_on_another_port_is_not_graded_by_port_80(tls):
    """https://court:8443/ has no plain-HTTP address of its own: port 80 (where its plain
    address was looked for) answers for another site or, here, not at all. An address
    Python cannot split is one problem, not a traceback."""
    url = f"https://localhost:{tls['https']}/"
    p = params(ca_file=tls["ca"], require_https_redirect=True)
    page = check.check_page(url, p)
    assert (page["ok"], page["https_redirect"], page["problems"]) == (True, None, [])
    page = check.check_page("https://[2001:db8::1/", p)  # was a traceback
    assert page["problems"] == ["https://[2001:db8::1/ tidak dapat diakses: not a valid URL "
                                "(Invalid IPv6 URL)"]


def test_check_page_grades_the_plain_http_address(tls, monkeypatch):
    """The page itself is fine; only its plain-HTTP address decides: a redirect to https
    passes, a page served over plain HTTP is a problem naming that address. (The test's
    https server has no such address, on a port other than 443: it is given one.)"""
    url = f"https://localhost:{tls['https']}/"
    p = params(ca_file=tls["ca"], require_https_redirect=True)
    plain = f"http://localhost:{tls['http']}"
    monkeypatch.setattr(check, "http_variant", lambda _url: f"{plain}/old")
    page = check.check_page(url, p)
    assert (page["ok"], page["https_redirect"], page["problems"]) == (True, True, [])
    monkeypatch.setattr(check, "http_variant", lambda _url: f"{plain}/")
    page = check.check_page(url, p)
    assert (page["ok"], page["https_redirect"]) == (False, False)
    assert page["problems"] == [f"{plain}/ tidak dialihkan ke HTTPS (status 200)"]
    page = check.check_page(url, {**p, "require_https_redirect": False})
    assert (page["ok"], page["https_redirect"], page["problems"]) == (True, None, [])


def test_a_redirect_chain_reaching_https_passes_and_a_loop_does_not(tls, monkeypatch):
    """http://court -> http://www.court -> https://www.court is a redirect to HTTPS: only
    the first answer was read, so a site moving to its www. name first failed activity 1.
    A chain that never reaches https (a loop) is still a problem."""
    url = f"https://localhost:{tls['https']}/"
    p = params(ca_file=tls["ca"], require_https_redirect=True)
    plain = f"http://localhost:{tls['http']}"
    monkeypatch.setattr(check, "http_variant", lambda _url: f"{plain}/to/{plain}/to//old")
    page = check.check_page(url, p)
    assert (page["ok"], page["https_redirect"], page["problems"]) == (True, True, [])
    monkeypatch.setattr(check, "http_variant", lambda _url: f"{plain}/loop-a")
    with within(30, "a redirect loop"):
        page = check.check_page(url, p)
    assert (page["ok"], page["https_redirect"]) == (False, False)
    assert page["problems"] == [f"{plain}/loop-a tidak dialihkan ke HTTPS "
                                f"(status 302 di {plain}/loop-b)"]


def test_a_page_redirecting_in_a_loop_or_without_end_names_it():
    """A WordPress behind a proxy that redirects its page to itself (siteurl http://
    behind TLS: the browser's "too many redirects") was "menjawab status HTTP 302 di
    <an address of the loop>": a status, not the cause, and no page was read."""
    with httpd.serving(httpd.redirect_loop({"/a": "/b", "/b": "/a"})) as site:
        loop = check.check_page(f"{site}/a", params())
        endless = check.check_page(f"{site}/hop/0", params())
    assert (loop["ok"], loop["status"]) == (False, 302)
    assert loop["problems"] == [
        f"{site}/a dialihkan berputar (kembali ke {site}/a): halaman tidak terbaca"]
    assert endless["problems"] == [
        f"{site}/hop/0 dialihkan lebih dari {http.REDIRECT_HOPS} kali: halaman tidak terbaca"]


def test_a_redirect_to_another_site_is_no_site_that_is_up(tls, listener):
    """An intruder's redirect of the court's page to a gambling site (here 127.0.0.1 ->
    localhost) was followed: the other site's 200 counted as the court website up, and
    the monitor read its page. It is a problem naming where it led, and nothing there is
    connected to; a redirect within the site (127.0.0.1 to itself) is still followed."""
    site = f"http://127.0.0.1:{tls['http']}"
    other = f"http://localhost:{listener.getsockname()[1]}/slot-gacor"
    with within(30, "the redirect"):
        page = check.check_page(f"{site}/to/{other}", params(expected_text="Selamat"))
    assert (page["ok"], page["status"], page["final_url"]) == (False, 302, f"{site}/to/{other}")
    assert page["problems"] == [
        f"{site}/to/{other} dialihkan ke situs lain: {other} (tidak diikuti)"]
    with pytest.raises(TimeoutError):
        listener.accept()
    page = check.check_page(f"{site}/to//", params(expected_text="Selamat"))
    assert (page["ok"], page["status"], page["final_url"]) == (True, 200, f"{site}/")


def test_an_https_page_redirected_to_plain_http_of_the_site_is_a_tls_downgrade(tls):
    """https://court/ -> http://court/ (a misconfigured or tampered site dropping TLS)
    was followed as a redirect within the site, and the page passed. It is a problem naming
    where it led, and not followed; http -> https of the same site still passes."""
    secure = f"https://localhost:{tls['https']}"
    plain = f"http://localhost:{tls['http']}"
    p = params(ca_file=tls["ca"], expected_text="Selamat")
    page = check.check_page(f"{secure}/to/{plain}/", p)
    assert (page["ok"], page["status"], page["final_url"]) == (False, 302, f"{secure}/to/{plain}/")
    assert page["problems"] == [
        f"{secure}/to/{plain}/ dialihkan ke http tanpa TLS: {plain}/ (tidak diikuti)"]
    # the downgrade after a hop within the site over https is caught as well
    page = check.check_page(f"{secure}/to//to/{plain}/", p)
    assert page["problems"] == [
        f"{secure}/to//to/{plain}/ dialihkan ke http tanpa TLS: {plain}/ (tidak diikuti)"]
    page = check.check_page(f"{plain}/to/{secure}/", p)
    assert (page["ok"], page["status"], page["final_url"]) == (True, 200, f"{secure}/")


def test_a_plain_http_redirect_to_https_of_another_site_is_no_https_redirect(tls, monkeypatch):
    """http://court/ -> https://slot-gacor/ (here 127.0.0.1 -> localhost) passed as the
    site's redirect to HTTPS."""
    url = f"https://localhost:{tls['https']}/"
    plain = f"http://127.0.0.1:{tls['http']}/old"
    monkeypatch.setattr(check, "http_variant", lambda _url: plain)
    page = check.check_page(url, params(ca_file=tls["ca"], require_https_redirect=True))
    assert (page["ok"], page["https_redirect"]) == (False, False)
    assert page["problems"] == [f"{plain} tidak dialihkan ke HTTPS (dialihkan ke situs lain: "
                                f"https://localhost:{tls['http']}/)"]


def test_a_redirect_to_a_missing_page_reports_where_it_led(tls):
    """A page redirecting to one that answers 404 reported its own address as the final
    one: the court looked for the fault at the address that worked."""
    plain = f"http://127.0.0.1:{tls['http']}"
    answer = http.fetch(f"{plain}/to//gone", 5, None)
    assert (answer["status"], answer["final_url"]) == (404, f"{plain}/gone")
    page = check.check_page(f"{plain}/to//gone", params())
    assert page["problems"] == [f"{plain}/to//gone menjawab status HTTP 404 di {plain}/gone"]


def test_a_page_showing_a_php_or_database_error_is_not_available(tls):
    # it was graded up ("Selamat" on the page, status 200) while the site could not reach
    # its database
    plain = f"http://127.0.0.1:{tls['http']}"
    fatal = check.check_page(f"{plain}/php-fatal", params(expected_text="Selamat"))
    wordpress = check.check_page(f"{plain}/wp-db-down", params())
    assert (fatal["ok"], fatal["status"]) == (False, 200)
    assert fatal["problems"] == [
        f"{plain}/php-fatal menampilkan galat PHP/database: Fatal error: Uncaught "
        "PDOException: SQLSTATE[HY000] [2002] Connection refused in "
        "/var/www/html/wp-includes/class-wpdb.php:12"]
    assert wordpress["problems"] == [
        f"{plain}/wp-db-down menjawab status HTTP 500",
        f"{plain}/wp-db-down menampilkan galat PHP/database: Error establishing a database "
        "connection"]
    assert "Rahasia1" not in json.dumps(fatal)


# The pages sop_http.page_error names (sipp_http_check, sipp_sync_status and
# website_check grade them). PHP shows a fatal error with status 200 when display_errors
# is on (a court's SIPP server often has it on).


@pytest.mark.parametrize(("page", "shown"), [
    (PHP_FATAL_PAGE, "Fatal error: Uncaught mysqli_sql_exception: Too many connections in "
             "/var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php:135"),
    # html_errors off, the whole trace on one line: never its login arguments
    ("<title>SIPP</title>PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [1040] "
     "Too many connections in /var/www/SIPP/index.php:5 Stack trace: #0 /var/www/SIPP/"
     "index.php(5): PDO->__construct('mysql:host=db', 'sipp', 'Rahasia1') #1 {main}",
     "Fatal error: Uncaught PDOException: SQLSTATE[HY000] [1040] Too many connections in "
     "/var/www/SIPP/index.php:5"),
    ("<html><head><title>SIPP</title></head><body>Error: Too many connections</body></html>",
     "Too many connections"),
    ("<title>SIPP</title><div id='container'><h1>A Database Error Occurred</h1><p>Unable to "
     "connect to your database server using the provided settings.</p>",
     "A Database Error Occurred Unable to connect to your database server using the "
     "provided settings."),
    ("<b>Warning</b>: mysqli::real_connect(): (HY000/2002): No such file or directory in "
     "<b>/var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php</b> on line "
     "<b>203</b><br />\n<title>SIPP</title>",
     "(HY000/2002): No such file or directory in "
     "/var/www/html/SIPP/system/database/drivers/mysqli/mysqli_driver.php on line 203"),
    ("<title>SIPP</title><b>Parse error</b>: syntax error, unexpected '}' in "
     "/var/www/html/SIPP/application/controllers/Login.php on line 12",
     "Parse error: syntax error, unexpected '}' in "
     "/var/www/html/SIPP/application/controllers/Login.php on line 12"),
    # the court website's CMSs: WordPress, and Joomla 3 and 4
    (WP_DB_DOWN.decode(), "Error establishing a database connection"),
    ("<h1>Error</h1><p>Error displaying the error page: Application Instantiation Error: "
     "Could not connect to MySQL.</p>", "Could not connect to MySQL."),
    ("<p>Error: Failed to start application: Could not connect to database: Connection "
     "refused</p>", "Could not connect to database: Connection refused"),
])
def test_a_php_or_database_error_a_page_shows_is_named_on_one_masked_line(page, shown):
    assert http.page_error(page) == shown


@pytest.mark.parametrize("page", [
    "<html><head><title>SIPP - Sistem Informasi Penelusuran Perkara</title></head></html>",
    # an application's own words, and a notice CodeIgniter shows while the page works
    "<title>SIPP</title><div class='error'>Username atau password salah</div>"
    "<h4>A PHP Error was encountered</h4><p>Severity: Notice</p><p>Message: Undefined "
    "index: lang</p>",
    # the words in another case: a page's text, not PHP's
    "<p>Berita: fatal error: too many connections di sistem lama</p>",
])
def test_a_working_page_shows_no_php_or_database_error(page):
    assert http.page_error(page) is None


def test_a_long_line_of_errors_is_read_in_linear_time_and_cut():
    with within(3, "reading the page's error"):
        shown = http.page_error("Fatal error: " + "x" * (5 << 20))
        many = http.page_error("Fatal error: <b>" * (400 << 10))
        none = http.page_error("Fatal erro Could not SQLSTATE <p>" * (160 << 10))
    assert len(shown) == http.MAX_ERROR_LINE and shown.endswith("...")
    assert many is not None and len(many) <= http.MAX_ERROR_LINE
    assert none is None


class StandIn(BaseHTTPRequestHandler):
    """A WordPress whose database lost its tables: every page redirects to the installer
    (within the site), which answers 200."""

    def do_GET(self):
        if self.path != "/wp-admin/install.php":
            self.send_response(302)
            self.send_header("Location", "/wp-admin/install.php")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = (b"<!DOCTYPE html><html><head><title>WordPress &rsaquo; Installation</title>"
                b"</head><body class=\"wp-core-ui\">Selamat datang</body></html>")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_page_standing_in_for_the_site_is_not_available():
    """The installer answered 200 and held the expected text: activity 1 passed while
    anyone could install a WordPress over the court's site."""
    with httpd.serving(StandIn) as site:
        page = check.check_page(f"{site}/", params(expected_text="Selamat"))
    assert (page["ok"], page["status"]) == (False, 200)
    assert page["problems"] == [
        f"{site}/ menampilkan halaman pemasangan CMS (siapa saja dapat mengambil alih situs): "
        "'WordPress \u203a Installation'"]


@pytest.mark.parametrize(("page", "shown"), [
    ("<html><head>\n<title>Welcome to nginx!</title>\n<style>",
     "halaman bawaan server web, bukan situs: 'Welcome to nginx!'"),
    ('<title lang="en">Apache2 Ubuntu Default Page: It works</title>',
     "halaman bawaan server web, bukan situs: 'Apache2 Ubuntu Default Page: It works'"),
    ("<TITLE>Domain Default page</TITLE>",
     "halaman bawaan server web, bukan situs: 'Domain Default page'"),
    ("<html><head><title>Index of /</title></head><body><h1>Index of /</h1>",
     "daftar isi folder, bukan situs: 'Index of /'"),
    ("<title>WordPress &rsaquo; Setup Configuration File</title>",
     "halaman pemasangan CMS (siapa saja dapat mengambil alih situs): "
     "'WordPress \u203a Setup Configuration File'"),
    ("<title>Joomla! Web Installer</title>",
     "halaman pemasangan CMS (siapa saja dapat mengambil alih situs): 'Joomla! Web Installer'"),
    ("<title>  HACKED BY\n Anon  </title>" + "x" * 50, "tanda deface: 'HACKED BY Anon'"),
    ("<title>" + "Hacked by " + "x" * 200 + "</title>",
     "tanda deface: 'Hacked by " + "x" * 87 + "...'"),
    ("<html><body><h1>This Account has been suspended.</h1>",
     "halaman akun hosting ditangguhkan (This account has been suspended)"),
])
def test_a_stand_in_page_is_named_with_its_title(page, shown):
    assert http.stand_in_page(page) == shown


@pytest.mark.parametrize("page", [
    "<html><head><title>Pengadilan Negeri Bangil</title></head>Welcome to nginx!</html>",
    "<title>Berita: situs lama pernah di-hacked by orang tak dikenal?</title>",
    "<title>Daftar Index of /berkas perkara</title>", "<title>Welcome to nginx!", "",
])
def test_the_court_s_own_page_is_no_stand_in(page):
    assert http.stand_in_page(page) is None


def test_a_title_tag_without_end_is_read_in_linear_time():
    with within(3, "reading the title"):
        assert http.stand_in_page("<title" * (1 << 20)) is None
        assert http.stand_in_page("<title>" * (1 << 20)) is None


def test_stale_and_unknown_content_warn():
    p = params(freshness_days=7)
    _, warnings = check.grade([], [], {"newest": "2026-10-01T00:00:00+00:00", "age_days": 60,
                                       "fresh": False, "in_future": False}, p)
    assert "60 hari" in warnings[0]
    _, warnings = check.grade([], [], {"newest": None}, p)
    assert "tidak dapat dibaca" in warnings[0]


def test_a_feed_date_ahead_of_the_clock_is_not_fresh_and_is_named(tls):
    """The feed's newest date (18 Nov 02:00) lies a day ahead of the clock: a negative
    age counted as fresh, so a server clock or time zone gone wrong, or a crafted
    feed, passed for a site kept up to date."""
    p = params(urls=[f"https://localhost:{tls['https']}/"], ca_file=tls["ca"])
    fresh = check.freshness(p, datetime.datetime(2026, 11, 17, 2, 0, tzinfo=datetime.UTC))
    assert fresh["newest"].startswith("2026-11-18") and fresh["source"].startswith("feed ")
    assert not fresh["fresh"] and fresh["in_future"]
    _, warnings = check.grade([], [], fresh, p)
    assert warnings == [
        "konten terbaru bertanggal 2026-11-18T02:00:00+00:00, di masa depan (jam server atau "
        f"zona waktu salah, atau tanggal di {fresh['source']} tidak benar); tidak dianggap "
        "segar"]


class Sitemap(BaseHTTPRequestHandler):
    """A sitemap dating its pages by the day alone (W3C-DTF allows it), no feed."""

    def do_GET(self):
        body = (b"<urlset><url><loc>/</loc><lastmod>2026-11-18</lastmod></url></urlset>"
                if self.path == "/sitemap.xml" else b"not found")
        self.send_response(200 if self.path == "/sitemap.xml" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("wib_hour", "day", "fresh"), [(3, 18, True), (16, 17, False)])
def test_a_day_without_a_time_is_not_ahead_of_the_clock_on_that_day(wib_hour, day, fresh):
    """A sitemap's lastmod of 18 November read at 03:00 WIB on the 18th (20:00 UTC on
    the 17th): read as midnight UTC it lay seven hours ahead of the clock, "di masa
    depan", on every run before 07:00 WIB. The day before (16:00 WIB on the 17th, the
    18th nowhere yet) it is still ahead."""
    wib = datetime.timezone(datetime.timedelta(hours=7))
    now = datetime.datetime(2026, 11, day, wib_hour, 0, tzinfo=wib)
    with httpd.serving(Sitemap) as site:
        found = check.freshness(params(urls=[f"{site}/"]), now.astimezone(datetime.UTC))
    assert found["source"] == f"sitemap {site}/sitemap.xml"
    assert (found["newest"][:10], found["fresh"], found["in_future"]) == (
        "2026-11-18", fresh, not fresh)


@pytest.mark.parametrize(("ahead", "fresh"), [(datetime.timedelta(minutes=4), True),
                                              (datetime.timedelta(minutes=6), False)])
def test_a_cms_date_a_few_minutes_ahead_is_clock_skew(ahead, fresh):
    """Up to five minutes ahead (the hosts' clocks a little apart) is fresh; more is not."""
    now = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
    p = params(newest_content=(now + ahead).isoformat())
    found = check.freshness(p, now)
    assert (found["source"], found["fresh"], found["in_future"]) == ("cms", fresh, not fresh)


def test_renewals_rdap_certificate_hosting(tls):
    today = datetime.datetime.now(datetime.UTC).date()
    rdap = f"http://127.0.0.1:{tls['http']}/rdap/"
    expires, error = renewals.rdap_expiry(rdap, "PN-X.go.id", 5, "")
    assert error is None and expires.isoformat() == EXPIRY.replace("Z", "+00:00")
    domain = renewals.domain_item("pn-x.go.id", expires, error, warn_days=[30, 14, 7],
                                  now=datetime.datetime.now(datetime.UTC))
    assert domain["expires"] == EXPIRY[:10]
    assert domain["level"] == "warn" and domain["threshold"] == 14
    gone = renewals.item("hosting", "Kontrak hosting", str(today - datetime.timedelta(days=1)),
                         today=today, warn_days=[30, 14, 7])
    missing, error = renewals.rdap_expiry(rdap, "other.id", 5, "")
    unknown = renewals.domain_item("other.id", missing, error, warn_days=[30],
                                   now=datetime.datetime.now(datetime.UTC))
    problems, warnings = renewals.messages([domain, gone, unknown])
    assert problems == [f"Kontrak hosting sudah berakhir pada {today - datetime.timedelta(days=1)}"]
    assert "batas peringatan 14 hari" in warnings[0]
    assert f"(domain tidak terdaftar menurut RDAP {rdap})" in warnings[1]


@pytest.mark.parametrize("document", [
    # Joomla's RSS and Atom renderers date the feed itself the moment it is made.
    """<rss><channel><pubDate>Fri, 04 Dec 2026 06:00:00 +0700</pubDate>
    <lastBuildDate>Fri, 04 Dec 2026 06:00:00 +0700</lastBuildDate>
    <item><pubDate>Mon, 02 Mar 2026 09:00:00 +0700</pubDate></item>
    <item><pubDate>Tue, 03 Feb 2026 09:00:00 +0700</pubDate></item></channel></rss>""",
    """<feed><updated>2026-12-04T06:00:00+07:00</updated>
    <entry><published>2026-03-02T09:00:00+07:00</published>
    <updated>2026-03-02T09:00:00+07:00</updated></entry></feed>""",
], ids=["rss", "atom"])
def test_the_newest_content_is_the_newest_item_not_the_feed_s_own_date(document):
    # The feed's own date (the time Joomla made it) was the newest: a site without a
    # new article since March read as fresh on every run.
    assert http.newest_date(document) == datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC)
    channel_only = "<rss><channel><lastBuildDate>Mon, 02 Mar 2026 02:00:00 +0000</lastBuildDate>"
    assert http.newest_date(channel_only + "</channel></rss>") == http.newest_date(document)


def test_dates_parse():
    assert http.parse_date("2026-11-18T02:00:00Z").day == 18
    assert http.parse_date("Wed, 18 Nov 2026 02:00:00 +0700").hour == 19
    assert http.parse_date("garbage") is None
    # Python 3.9's fromisoformat refuses these, 3.11's takes them: parsed alike on both
    assert http.parse_date(" 2026-11-18T09:00:00.5+0700\n") == datetime.datetime(
        2026, 11, 18, 2, 0, 0, 500000, tzinfo=datetime.UTC)
    assert http.parse_date("2026-11-18") == datetime.datetime(
        2026, 11, 18, tzinfo=datetime.UTC)
    # Python 3.11's takes these too, 3.9's does not: no date on any host Python
    assert http.parse_date("20261118T020000Z") is None
    assert http.parse_date("2026-W47-3") is None
    assert http.fetch("file:///etc/passwd", 1)["error"] == "not an http(s) URL"


@pytest.mark.parametrize("path", ["/slow", "/slow-headers"])
def test_a_page_sent_slowly_without_end_is_given_up_in_bounded_time(tls, path):
    """A hostile site sends a byte now and then, each wait shorter than the timeout (in
    the body, or in a header): the read went on for as long as the site wished (the SOP
    never ended)."""
    started = time.monotonic()
    with within(30, "reading the page"):
        page = http.fetch(f"http://127.0.0.1:{tls['http']}{path}", 1)
    assert time.monotonic() - started < 1 * http.WHOLE_ANSWER + 2
    assert page["status"] == -1
    assert page["error"] == "no complete answer within 3 s (sent too slowly)"


def test_a_chain_of_slow_redirects_within_the_site_is_bounded_as_one_answer(tls):
    """Each answer of a chain read one at a time had its own bound: ten redirects within
    the site, each slow (here 0.3 s, the timeout 0.5 s), kept the page check, the HTTPS
    redirect check and website_integrity eleven times the bound of one answer."""
    url = f"http://127.0.0.1:{tls['http']}/hop/10"
    started = time.monotonic()
    page = check.check_page(url, params(timeout=0.5))
    assert time.monotonic() - started < 2.5
    assert page["problems"] == [
        f"{url} tidak dapat diakses: no complete answer within 1.5 s (sent too slowly)"]


def test_a_page_without_end_is_read_no_further_than_the_limit(tls):
    with within(60, "reading the page"):
        page = http.fetch(f"http://127.0.0.1:{tls['http']}/endless", 5)
    assert page["status"] == 200 and len(page["body"]) == http.MAX_BODY


@pytest.mark.parametrize("name", sorted(CRAFTED_RDAP))
def test_a_crafted_rdap_answer_is_a_warning_not_a_traceback(tls, name):
    """Nesting deeper than Python's recursion limit, events that are not a list, and
    dates at the ends of the calendar ended website_renewals in a traceback."""
    rdap = f"http://127.0.0.1:{tls['http']}/rdap/"
    expires, error = renewals.rdap_expiry(rdap, f"{name}.id", 5, "")
    entry = renewals.domain_item(f"{name}.id", expires, error, warn_days=[30, 14, 7],
                                 now=datetime.datetime.now(datetime.UTC))
    if name == "ancient":  # a date long past, written as ISO 8601 (year of four digits)
        assert (entry["expires"], entry["level"]) == ("0099-01-01", "expired")
    else:
        assert expires is None and entry["level"] == "unknown"
        assert error.startswith(f"RDAP {rdap}domain/{name}.id: ")


@pytest.mark.parametrize("text", [
    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00",
    "Fri, 31 Dec 9999 23:59:59 -0500",
])
def test_a_date_beyond_the_calendar_is_unread_not_a_traceback(text):
    """A feed, sitemap or RDAP date whose UTC time falls outside years 1-9999
    (OverflowError) ended website_check and website_renewals in a traceback."""
    assert http.parse_date(text) is None
    assert http.newest_date(f"<rss><pubDate>{text}</pubDate><updated>2026-11-18T02:00:00Z"
                            "</updated></rss>").day == 18


def test_a_feed_crafted_to_stall_the_date_pattern_is_read_in_linear_time():
    """A feed or sitemap of an opened date tag followed by spaces and no '<' took the
    date pattern time squared in its length (half a minute for 200 KB, hours for the
    5 MiB read of a page): website_check did not end."""
    started = time.monotonic()
    assert http.newest_date("<pubDate>x" + " " * 200_000) is None
    assert time.monotonic() - started < 2


def test_the_hosting_contract_and_the_domain_are_dated_in_the_court_s_time_zone(tls):
    """At 03:00 WIB on 1 February (20:00 UTC on 31 January), a contract whose last day was
    31 January has ended, and so has a domain that expired at 23:59:59 WIB on 31
    January; graded by the UTC date, both were "0 days left", a warning, for the first
    seven hours of each day (the hours a scheduled run at night falls in)."""
    wib = datetime.timezone(datetime.timedelta(hours=7))
    now = datetime.datetime(2027, 2, 1, 3, 0, tzinfo=wib)
    p = {"rdap_url": f"http://127.0.0.1:{tls['http']}/rdap/", "domain": "wib.id", "urls": [],
         "ca_file": "", "timeout": 5, "warn_days": [30, 14, 7],
         "hosting_end_date": "2027-01-31", "hosting_provider": "Telkom"}
    domain, hosting = renewals.collect(p, now)
    assert (domain["expires"], domain["days_left"], domain["level"]) == (
        "2027-01-31", -1, "expired")
    assert (hosting["expires"], hosting["days_left"], hosting["level"]) == (
        "2027-01-31", -1, "expired")
    later = renewals.collect({**p, "hosting_end_date": "2027-02-01"}, now)[1]
    assert (later["days_left"], later["level"], later["threshold"]) == (0, "warn", 7)


@pytest.fixture
def listener():
    """A TCP port that records whether anyone connected (an FTP server stand-in)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    sock.settimeout(0.5)
    yield sock
    sock.close()


@pytest.mark.parametrize("target", ["ftp://127.0.0.1:{port}/pub/x", "file:///etc/passwd",
                                    "FILE:/etc/passwd"])
def test_a_redirect_to_another_scheme_is_a_failed_check_naming_it(tls, listener, target):
    """A site redirecting to ftp:// was followed (an FTP connection from the web server's
    monitor, and an answer without a status: website_check ended in a TypeError), and one
    to file:// came back as an answer of status 302. Both are now no answer, naming the
    scheme, and nothing is connected to or read."""
    address = target.format(port=listener.getsockname()[1])
    url = f"http://127.0.0.1:{tls['http']}/to/{address}"
    with within(30, "the redirect"):
        answer = http.fetch(url, 5)
        page = check.check_page(url, params())
    scheme = address.split(":", 1)[0].lower()
    assert answer["status"] == -1 and answer["body"] == ""
    assert answer["error"] == (f"redirected to a {scheme}: address "
                               "(only http and https are followed)")
    assert page["ok"] is False and page["problems"] == [
        f"{url} dialihkan ke alamat {scheme}: {address}, bukan http(s) (tidak diikuti)"]
    with pytest.raises(TimeoutError):
        listener.accept()
    # without following, the redirect itself is the answer (as for the https check)
    first = http.fetch(url, 5, follow=False)
    assert (first["status"], first["location"], first["error"]) == (302, address, None)


def test_the_invoice_is_asked_for_only_when_something_must_be_renewed():
    # The runner lists activity 4's human part (paying the invoice) as waiting when the
    # output says manual_step_due; a week with nothing near its end must not ask for it.
    def entry(level: str) -> dict:
        return {"kind": "hosting", "label": "Kontrak hosting", "expires": "2027-01-31",
                "days_left": 3, "level": level, "threshold": 7, "error": "x"}

    assert renewals.output([entry("ok"), entry("unknown")])["manual_step_due"] is False
    assert renewals.output([entry("ok"), entry("warn")])["manual_step_due"] is True
    assert renewals.output([entry("expired")])["manual_step_due"] is True
    assert set(renewals.output([entry("ok")])) == {"renewals", "problems", "warnings",
                                                   "manual_step_due"}


def test_the_hosting_end_is_yyyy_mm_dd_on_every_host_python(tmp_path):
    # Python 3.11's date.fromisoformat takes 20270131 too, 3.9's does not.
    rc, result = run_module("website_renewals", tmp_path, {
        "domain": "pn-contoh.go.id", "rdap_url": "", "hosting_end_date": "20270131"})
    assert rc == 1
    assert result["msg"] == "hosting_end_date '20270131' is not a date (YYYY-MM-DD)"


@pytest.mark.parametrize(("zone", "rc", "msg"), [
    # website_timezone defaults to sop_schedule.timezone, which the runner takes as WIB,
    # WITA or WIT: "unknown time zone 'WIT'" failed activity 4 of such a court.
    ("WIT", 0, None), ("wita", 0, None), ("XYZ", 1, "timezone: unknown time zone 'XYZ'"),
])
def test_the_courts_zone_as_its_admins_write_it(tmp_path, zone, rc, msg):
    code, result = run_module("website_renewals", tmp_path, {
        "domain": "pn-contoh.go.id", "rdap_url": "", "hosting_end_date": "2099-01-31",
        "timezone": zone})
    assert (code, result.get("msg")) == (rc, msg)


def test_a_certificate_s_date_is_shown_in_the_court_s_time_zone(tls, monkeypatch):
    # A certificate ending 2027-01-01 20:00 UTC ends on 2 January in WIB: activity 4
    # showed the UTC date beside the domain's in the court's zone, a day early for
    # every certificate ending in the last seven hours of a UTC day.
    ends = datetime.datetime(2027, 1, 1, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(http, "_parse_cert_time", lambda _text: ends)
    wib = datetime.timezone(datetime.timedelta(hours=7))
    now = datetime.datetime(2026, 12, 4, 21, 0, tzinfo=wib)
    cert = http.tls_certificate("localhost", tls["https"], 5, tls["ca"], now)
    assert cert["valid"] and (cert["not_after"], cert["days_left"]) == ("2027-01-02", 28)


def test_a_certificate_without_a_readable_expiry_is_one_line_not_a_traceback(tls, monkeypatch):
    """A verified certificate whose notAfter is missing or in a form ssl does not read,
    and one failing verification whose date openssl writes oddly, ended the module in a
    KeyError or ValueError traceback: the cause is the certificate's error, its date
    unknown."""
    now = datetime.datetime.now(datetime.UTC)

    def unreadable(text):
        raise ValueError(f"time data {text!r} does not match format")

    monkeypatch.setattr(http, "_parse_cert_time", unreadable)
    cert = http.tls_certificate("localhost", tls["https"], 5, tls["ca"], now)
    assert cert["valid"] and (cert["not_after"], cert["days_left"]) == (None, None)
    assert re.fullmatch(r"the certificate's expiry date is unreadable \('\w{3} .*GMT'\)",
                        cert["error"])
    untrusted = http.tls_certificate("localhost", tls["https"], 5, "", now)
    assert not untrusted["valid"] and untrusted["error"] == "unable to get local issuer certificate"
    assert untrusted["days_left"] is None
    entry = renewals.certificate_item("localhost", cert, today=now.date(), warn_days=[30])
    assert renewals.messages([entry])[1] == [
        "Sertifikat TLS localhost: tanggal berakhir tidak terbaca (" + cert["error"] + ")"]
    monkeypatch.undo()
    peer = ssl.SSLSocket.getpeercert

    def without_expiry(self, binary_form=False):
        found = peer(self, binary_form)
        return found if binary_form else {k: v for k, v in found.items() if k != "notAfter"}

    monkeypatch.setattr(ssl.SSLSocket, "getpeercert", without_expiry)
    cert = http.tls_certificate("localhost", tls["https"], 5, tls["ca"], now)
    assert (cert["valid"], cert["error"], cert["days_left"]) == (
        True, "the certificate has no expiry date (notAfter)", None)


def test_an_odd_date_from_openssl_is_no_expiry(monkeypatch):
    """openssl's -enddate in a form ssl does not read (a time zone other than GMT, a
    year past the calendar) is no expiry, not a ValueError."""
    for out in (b"notAfter=Jan  1 00:00:00 2027 PST\n", b"notAfter=Jan  1 00:00:00 99999 GMT\n",
                b"notAfter=\xff\xfe\n"):
        monkeypatch.setattr(http.subprocess, "run",
                            lambda *_a, out=out, **_k: subprocess.CompletedProcess([], 0, out, b""))
        assert http._enddate_from_der(b"0") is None, out


@pytest.mark.parametrize(("module", "args", "msg"), [
    ("website_check", {"urls": ["https://[::1/"]},
     "urls: 'https://[::1/' is not a valid URL (Invalid IPv6 URL)"),
    ("website_check", {"urls": ["https://u:rahasia@127.0.0.1:99999/"]},
     "urls: 'https://***@127.0.0.1:99999/' is not a valid URL (Port out of range 0-65535)"),
    ("website_check", {"urls": ["https://127.0.0.1:1/"], "feed_url": "pn-contoh.go.id/feed"},
     "feed_url: 'pn-contoh.go.id/feed' is not an http(s) URL with a host"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "rdap_url": "",
                          "urls": ["https://pn-contoh.go.id:https/"]},
     "urls: 'https://pn-contoh.go.id:https/' is not a valid URL (Port is not a number)"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "rdap_url": "",
                          "urls": ["https://u:rahasia@pn-contoh.go.id:99999/"]},
     "urls: 'https://***@pn-contoh.go.id:99999/' is not a valid URL (Port out of range "
     "0-65535)"),
    # a host that is no DNS name (a doubled dot): the certificate check's connection
    # ended both in a UnicodeError traceback
    ("website_check", {"urls": ["https://u:rahasia@pn-contoh..go.id/"]},
     "urls: 'https://***@pn-contoh..go.id/' is not a valid URL (host 'pn-contoh..go.id' is no "
     "DNS name: an empty label, one over 63 characters or a character IDNA forbids)"),
    # a space urllib sent in the request line (the site blamed for its answer)
    ("website_check", {"urls": ["https://u:rahasia@pn-contoh.go.id/SIPP 311"]},
     "urls: holds a space at character 39, which no URL holds: remove it or percent-encode "
     "it (%20 for a space)"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "rdap_url": "",
                          "urls": [f"https://{'a' * 64}.go.id/"]},
     f"urls: 'https://{'a' * 64}.go.id/' is not a valid URL (host '{'a' * 64}.go.id' is no "
     "DNS name: an empty label, one over 63 characters or a character IDNA forbids)"),
])
def test_a_malformed_url_setting_fails_in_one_line_naming_it(tmp_path, module, args, msg):
    # website_check and website_renewals split each https URL for its certificate and
    # ended in a traceback (ValueError) for a URL Python cannot split.
    rc, result = run_module(module, tmp_path, {"timeout": 1, **args})
    assert (rc, result["msg"], result["setting"]) == (1, msg, msg.split(":")[0])
    assert "rahasia" not in json.dumps(result)  # the invocation's URL is masked too


PASSWORD_HINT = ("Port is not a number: a '/', '?' or '#' in a password must be "
                 "percent-encoded, %2F %3F %23")


@pytest.mark.parametrize(("url", "cause"), [
    ("https://admin:rah/asia@pn-contoh.go.id/", PASSWORD_HINT),
    ("https://admin:rah?asia@pn-contoh.go.id/", PASSWORD_HINT),
    ("https://admin:rah#asia@pn-contoh.go.id/", PASSWORD_HINT),
    ("https://admin:rah:asia/x@pn-contoh.go.id/", PASSWORD_HINT),
    # the whole user:password in Python's words
    ("https://admin:rahasia@pn-contoh\uff03go.id/",
     "its host or credentials hold characters Unicode normalization (NFKC) turns into "
     "'/', '?', '#', '@' or ':'"),
], ids=["slash", "question-mark", "hash", "colon-then-slash", "nfkc"])
def test_a_url_python_cannot_split_is_named_without_any_part_of_its_credentials(url, cause):
    """A password holding an unencoded '/' ends the host there: Python reads admin:rah as
    a host and a port, and its words ("Port could not be cast to integer value as 'rah'")
    put part of the password in the module's message, and in the records."""
    error = http.url_error(url)
    assert error.startswith("'https://***@pn-contoh")
    assert error.endswith(f"' is not a valid URL ({cause})")
    answer = http.fetch(url.replace("https:", "http:"), 1)
    assert answer["error"] == f"not a valid URL ({cause})"
    for part in ("admin", "rah", "asia"):
        assert part not in error and part not in answer["error"]


def test_a_password_python_can_split_is_no_error():
    assert http.url_error("https://u:12ab@pn-contoh.go.id/") is None
    assert http.url_error("https://u:p:ss@pn-contoh.go.id/") is None


@pytest.mark.parametrize(("url", "quoted"), [
    ("sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken", "***@sipp.pn-contoh.go.id/?token=***"),
    ("//sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken", "//***@sipp.pn-contoh.go.id/?token=***"),
    ("https:/sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken",
     "***@sipp.pn-contoh.go.id/?token=***"),
])
def test_a_url_without_its_scheme_is_quoted_masked(url, quoted):
    # mask_url read only scheme://: the refusal quoted the password and the token
    assert http.url_error(url) == f"{quoted!r} is not an http(s) URL with a host"


@pytest.mark.parametrize(("url", "what"), [
    ("https://sipp.pn-contoh.go.id/SIPP 311", "a space at character 34"),
    (" https://sipp.pn-contoh.go.id/", "a space at character 1"),
    ("https://sipp.pn-contoh.go.id/\n", "the character '\\n' at character 30"),
    ("https://u:S3cret@sipp.pn-contoh.go.id/\t", "the character '\\t' at character 39"),
])
def test_a_url_holding_whitespace_or_a_control_character_is_refused(url, what):
    # urllib sent it as written (a space in the request line); a leading space was "not an
    # http(s) URL": sop_options' url_text_error names its place, never the URL
    assert http.url_error(url) == (f"holds {what}, which no URL holds: remove it or "
                                   "percent-encode it (%20 for a space)")


SCHEMELESS = "sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken"


@pytest.mark.parametrize(("module", "args", "setting"), [
    ("website_check", {"urls": [SCHEMELESS]}, "urls"),
    ("website_check", {"urls": ["https://127.0.0.1:9/"], "feed_url": SCHEMELESS}, "feed_url"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "rdap_url": "", "urls": [SCHEMELESS]},
     "urls"),
    ("website_integrity", {"urls": [SCHEMELESS]}, "urls"),
    ("sipp_http_check", {"url": SCHEMELESS}, "url"),
    ("security_wordpress", {"roots": [], "plugin_dirs": [], "apt_package": "",
                            "site_url": SCHEMELESS}, "site_url"),
])
def test_a_url_setting_without_its_scheme_fails_without_its_credentials(tmp_path, module, args,
                                                                         setting):
    # "sop:S3cret@..." is read by urllib as the scheme sop: the refusal quoted it as written,
    # password and token, and the runner records a failure's message as it is
    if module == "website_integrity":
        args = {**args, "paths": [str(tmp_path)], "state_dir": str(tmp_path / "state")}
    rc, result = run_module(module, tmp_path, {"timeout": 1, **args})
    assert (rc, result["msg"]) == (
        1, f"{setting}: '***@sipp.pn-contoh.go.id/?token=***' is not an http(s) URL with a host")
    assert "S3cret" not in json.dumps(result) and "T0ken" not in json.dumps(result)


@pytest.mark.parametrize(("module", "args", "setting", "msg"), [
    # a timeout of 0 s was blamed on the site: "tidak dapat diakses: no complete answer
    # within 0 s"; on activity 4 every certificate was unread ("Operation now in progress")
    ("website_check", {"urls": ["http://127.0.0.1:9/"], "timeout": 0}, "timeout",
     "timeout: must be a positive number of seconds, not 0"),
    ("website_check", {"urls": ["http://127.0.0.1:9/"], "timeout": "nan"}, "timeout",
     "timeout: must be a positive number of seconds, not nan"),
    ("website_check", {"urls": ["http://127.0.0.1:9/"], "max_response_seconds": 0},
     "max_response_seconds", "max_response_seconds: must be a positive number of seconds, not 0"),
    ("website_check", {"urls": ["http://127.0.0.1:9/"], "freshness_days": -1},
     "freshness_days",
     "freshness_days: must be 0 (new within a day) or a positive number of days, not -1"),
    # taken before: no content ever old enough to warn
    ("website_check", {"urls": ["http://127.0.0.1:9/"], "freshness_days": 10**12},
     "freshness_days",
     "freshness_days: must be at most 3650 days (ten years), not 1000000000000"),
    ("website_check", {"urls": []}, "urls",
     "urls is empty: name at least one page of the website to check"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "urls": ["https://127.0.0.1:9/"],
                          "timeout": 0}, "timeout",
     "timeout: must be a positive number of seconds, not 0"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "warn_days": [30, -7]}, "warn_days",
     "warn_days: must be 0 (the expiry day only) or a positive number of days, not -7"),
    # taken before: every domain, certificate and hosting contract a warning, always
    ("website_renewals", {"domain": "pn-contoh.go.id", "warn_days": [10**12, 7]}, "warn_days",
     "warn_days: must be at most 3650 days (ten years), not 1000000000000"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "hosting_end_date": "20270131"},
     "hosting_end_date", "hosting_end_date '20270131' is not a date (YYYY-MM-DD)"),
    ("website_renewals", {"domain": "pn-contoh.go.id", "timezone": "XYZ"}, "timezone",
     "timezone: unknown time zone 'XYZ'"),
])
def test_a_refused_setting_is_named_before_anything_is_asked(tmp_path, module, args, setting,
                                                              msg):
    # setting: the website role names its own variable from it (sop_failure_cause)
    rc, result = run_module(module, tmp_path, {"rdap_url": "", **args}
                            if module == "website_renewals" else args)
    assert (rc, result["msg"], result.get("setting")) == (1, msg, setting)


def test_a_url_s_credentials_are_sent_as_basic_auth_and_never_recorded(tls, tmp_path):
    # urllib took court:rahasia@ for part of the host ("Name or service not known"), and
    # the URL, password and token included, was in the problems, the pages and the record.
    site = f"http://court:rahasia@127.0.0.1:{tls['http']}/private/"
    rc, result = run_module("website_check", tmp_path, {
        "urls": [site + "?token=t0ken5ecret"], "feed_url": site + "feed",
        "expected_text": "Selamat", "require_https_redirect": False, "timeout": 5})
    assert rc == 0 and result["problems"] == [] and result["pages"][0]["status"] == 200
    assert result["freshness"]["newest"].startswith("2026-11-18")
    assert result["sop_output"]["pages"][0]["url"] == (
        f"http://***@127.0.0.1:{tls['http']}/private/?token=***")
    recorded = json.dumps(result)
    assert "rahasia" not in recorded and "t0ken5ecret" not in recorded
