"""website_check reads a page in the encoding a browser reads it in (sop_http.decode_body):
an older court site in latin1 or windows-1252, naming it in its Content-Type, in a <meta>
or nowhere, and a feed or sitemap naming it in its XML declaration, against a local HTTP
server."""

from __future__ import annotations

import datetime
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
# A sitemap in UTF-16 without a byte order mark, as nginx serves a static sitemap.xml
# (text/xml, no charset): its dates were NUL-separated UTF-8 and no date was found.
SITEMAP_UTF16 = ('<?xml version="1.0" encoding="UTF-16"?><urlset><url><loc>/</loc>'
                 "<lastmod>2026-11-18T02:00:00+07:00</lastmod></url></urlset>").encode("utf-16-le")
FEEDS: dict[str, tuple[str | None, bytes]] = {
    "/sitemap-utf16.xml": ("text/xml", SITEMAP_UTF16),
}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self):
        pages = PAGES | FEEDS
        content_type, body = pages.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in pages else 404)
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


LATIN2 = b'<?xml version="1.0" encoding="ISO-8859-2"?>'
LATIN1 = b"<?xml version='1.0' encoding='iso-8859-1' ?>"
XML_DECL = '<?xml version="1.0" encoding="{}"?>'


@pytest.mark.parametrize(("body", "content_type", "text"), [
    # the XML declaration names the encoding of a feed or sitemap whose Content-Type
    # names none (nginx serves a static .xml as text/xml without a charset)
    (LATIN2 + "<rss>\u0141\u00f3d\u017a".encode("iso8859-2"), "text/xml",
     LATIN2.decode() + "<rss>\u0141\u00f3d\u017a"),
    (LATIN2 + "\u0141\u00f3d\u017a".encode("iso8859-2"), "application/rss+xml",
     LATIN2.decode() + "\u0141\u00f3d\u017a"),
    # latin1 bytes that happen to be UTF-8 are read as latin1 (windows-1252)
    (LATIN1 + b"<feed>\xc3\xa9", "application/atom+xml; type=feed",
     LATIN1.decode() + "<feed>\u00c3\u00a9"),
    # no Content-Type: a body beginning with an XML declaration is XML
    (LATIN2 + b"\xa3", None, LATIN2.decode() + "\u0141"),
    # an HTML <meta> in an item's content names nothing in a feed
    (LATIN1 + b'<rss><item><description><![CDATA[<meta charset="utf-8">]]>Caf\xe9',
     "application/rss+xml",
     LATIN1.decode() + '<rss><item><description><![CDATA[<meta charset="utf-8">]]>Caf\u00e9'),
    # "<?xml" in UTF-16 without a byte order mark (XML 1.0 Appendix F)
    ((XML_DECL.format("UTF-16") + "\u2013").encode("utf-16-le"), "application/xml",
     XML_DECL.format("UTF-16") + "\u2013"),
    ((XML_DECL.format("UTF-16") + "\u2013").encode("utf-16-be"), "application/xml",
     XML_DECL.format("UTF-16") + "\u2013"),
    # the Content-Type's charset comes before the declaration, a byte order mark first
    (LATIN1 + b"\xc3\xa9", "text/xml; charset=utf-8", LATIN1.decode() + "\u00e9"),
    (b"\xef\xbb\xbf" + LATIN1 + b"\xc3\xa9", "text/xml", LATIN1.decode() + "\u00e9"),
    # a declaration naming UTF-16 in bytes read as ASCII is UTF-8; an unknown one nothing
    (XML_DECL.format("utf-16").encode() + b"\xc3\xa9", "text/xml",
     XML_DECL.format("utf-16") + "\u00e9"),
    (XML_DECL.format("x-no-such").encode() + b"\xe9", "text/xml",
     XML_DECL.format("x-no-such") + "\u00e9"),
    # HTML does not read an XML declaration (XHTML 1.0 served as text/html): the <meta>
    (LATIN2 + b'<meta charset="utf-8">\xc5\x81', "text/html",
     LATIN2.decode() + '<meta charset="utf-8">\u0141'),
])
def test_an_xml_document_is_decoded_in_the_encoding_its_declaration_names(
        body, content_type, text):
    """A feed or sitemap in ISO-8859-2 naming it only in its XML declaration was read
    as UTF-8, else windows-1252; one in UTF-16 without a byte order mark as UTF-8."""
    assert http.decode_body(body, content_type) == text


def test_a_sitemap_in_utf_16_gives_its_date(site):
    p = params(site + "/", "") | {"feed_url": site + "/sitemap-utf16.xml"}
    fresh = check.freshness(p, datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC))
    assert fresh["newest"] == "2026-11-17T19:00:00+00:00"


@pytest.mark.parametrize(("label", "codec"), [
    ("ISO-8859-1", "cp1252"), (" latin1 ", "cp1252"), ("us-ascii", "cp1252"),
    ("iso-8859-9", "cp1254"), ("tis-620", "cp874"), ("gb2312", "gb18030"),
    ("windows-1250", "cp1250"), ("koi8-r", "koi8-r"), ("iso-8859-15", "iso8859-15"),
    ("utf8", "utf-8"), ("rot13", None), ("unicode_escape", None), ("utf-7", None),
    ("latin-1", None), ("", None)])
def test_a_charset_label_is_read_as_browsers_read_it(label, codec):
    assert http._encoding(label) == codec
