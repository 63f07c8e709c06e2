"""website_check reads a page in the encoding a browser reads it in (sop_http.decode_body):
an older court site in latin1 or windows-1252, naming it in its Content-Type, in a <meta>
or nowhere, against a local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpd
import pytest
from loader import load

http = load("sop_http")
check = load("website_check")

NAME = "Pengadilan Negeri Cibinong \u2013 Kelas IA"  # an en dash: 0x96 in windows-1252
CP1252 = f"<html><title>{NAME}</title>Selamat datang di Cibinong, Jawa Barat. Caf\u00e9".encode(
    "cp1252")
META = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
PAGES: dict[str, tuple[str | None, bytes]] = {
    "/header": ("text/html; charset=ISO-8859-1", CP1252),
    "/header-quoted": ('text/html; charset="windows-1252"', CP1252),
    "/meta-http-equiv": ("text/html", META + CP1252),
    "/meta-charset": ("text/html", b'<!DOCTYPE html><meta charset="latin1">' + CP1252),
    "/none": (None, CP1252),  # nothing named: no UTF-8, so windows-1252
    "/unknown-label": ("text/html; charset=x-no-such-charset", CP1252),
    "/python-only-codec": ("text/html; charset=rot13", CP1252),
    "/utf-8": ("text/html", f"<title>{NAME}</title>".encode()),
    # the header wins over the <meta>, as in a browser
    "/header-over-meta": ("text/html; charset=utf-8",
                          b'<meta charset="iso-8859-1">' + f"{NAME}".encode()),
    "/entities": ("text/html; charset=us-ascii",
                  b"<title>Pengadilan Negeri Cibinong &ndash; Kelas IA</title>Caf&eacute;"),
}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        content_type, body = PAGES.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in PAGES else 404)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = httpd.start(Pages)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def params(url: str, text: str) -> dict:
    return {"urls": [url], "expected_text": text, "max_response_seconds": 5, "timeout": 5,
            "require_https_redirect": False, "ca_file": "", "newest_content": "",
            "feed_url": "", "sitemap_url": "", "freshness_days": 30}


@pytest.mark.parametrize("path", list(PAGES))
def test_a_page_s_text_is_found_in_the_encoding_a_browser_reads(site, path):
    """The en dash of a windows-1252 page (0x96) read as UTF-8 was U+FFFD, and read as
    Python's latin1 a control character: 'teks ... tidak ada' on a page that shows it."""
    page = check.check_page(site + path, params(site + path, NAME))
    assert (page["status"], page["problems"]) == (200, [])


@pytest.mark.parametrize("path", ["/header", "/meta-http-equiv", "/none", "/entities"])
def test_an_accented_letter_is_read_as_shown(site, path):
    assert check.check_page(site + path, params(site + path, "Caf\u00e9"))["problems"] == []


def test_text_the_page_does_not_show_is_still_a_problem(site):
    page = check.check_page(site + "/header", params(site + "/header", "Kelas IB"))
    assert page["problems"] == [f"teks 'Kelas IB' tidak ada di {site}/header"]


@pytest.mark.parametrize(("body", "content_type", "truncated", "text"), [
    # a UTF-8 character cut by the body limit is dropped, not read as windows-1252
    ("Kelas \u2013 IA \u2013".encode()[:-1], None, True, "Kelas \u2013 IA "),
    # byte order marks come first, whatever is named
    (b"\xef\xbb\xbf" + "\u2013".encode(), "text/html; charset=iso-8859-1", False, "\u2013"),
    ("\ufeff\u2013".encode("utf-16-le"), None, False, "\u2013"),
    # JSON is UTF-8: a <meta> in an RDAP or REST answer's text names nothing
    (b'{"t": "<meta charset=latin1>\xc3\xa9"}', "application/rdap+json", False,
     '{"t": "<meta charset=latin1>\u00e9"}'),
    # a <meta> inside a comment names nothing; past the first 1024 bytes neither
    (b'<!-- <meta charset="latin1"> -->\xc3\xa9', "text/html", False,
     '<!-- <meta charset="latin1"> -->\u00e9'),
    (b" " * 1024 + b'<meta charset="latin1">\xc3\xa9', "text/html", False,
     " " * 1024 + '<meta charset="latin1">\u00e9'),
    # a <meta> naming UTF-16 is UTF-8 (the bytes were read as ASCII to find it)
    (b'<meta charset="utf-16">\xc3\xa9', None, False, '<meta charset="utf-16">\u00e9'),
    # bytes a named encoding cannot read are U+FFFD
    (b"\xff", "text/html; charset=utf-8", False, "\ufffd"),
])
def test_decode_body(body, content_type, truncated, text):
    assert http.decode_body(body, content_type, truncated) == text


@pytest.mark.parametrize(("label", "codec"), [
    ("ISO-8859-1", "cp1252"), (" latin1 ", "cp1252"), ("us-ascii", "cp1252"),
    ("iso-8859-9", "cp1254"), ("tis-620", "cp874"), ("gb2312", "gb18030"),
    ("windows-1250", "cp1250"), ("koi8-r", "koi8-r"), ("iso-8859-15", "iso8859-15"),
    ("utf8", "utf-8"), ("rot13", None), ("unicode_escape", None), ("utf-7", None),
    ("latin-1", None), ("", None)])
def test_a_charset_label_is_read_as_browsers_read_it(label, codec):
    assert http._encoding(label) == codec
