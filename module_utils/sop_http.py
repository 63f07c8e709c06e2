# GPL-3.0-or-later
"""HTTP, TLS and feed reading for the SOPs' monitors: the court website (availability,
certificates, content dates, cloaking) and SIPP (its pages, the public sync marker, the
central SIPP MA's status), and the PHP or database error a page shows in its place
(page_error).

Stdlib only. Every function reports what it saw (status, times, dates) and never raises
for a site that does not answer: the caller grades the result.
"""

from __future__ import annotations

import codecs
import datetime
import email.utils
import html
import http.client
import re
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from ansible.module_utils.sop_clock import parse_moment
from ansible.module_utils.sop_options import url_text_error
from ansible.module_utils.sop_secrets import basic_auth, mask_log_line, mask_url

USER_AGENT = "sop-monitor/1 (+court IT SOP)"
# What is read of a page, feed or RDAP answer: a server that sends without end (a broken
# or hostile site) must not fill this process's memory.
MAX_BODY = 5 << 20
# A whole answer (connection, headers and body) takes at most this many times the
# timeout, which bounds each wait: a site sending a byte now and then, each wait shorter
# than the timeout, would otherwise keep a monitor reading as long as it wished.
WHOLE_ANSWER = 3
# Redirects a chain read one answer at a time (redirects) follows at most: urllib's own limit.
REDIRECT_HOPS = 10
# The date is what lies between the tags, stripped after the match: a pattern trimming
# spaces itself (\s*([^<]+?)\s*) took time squared in a run of spaces without a '<'.
_DATE_TAGS = re.compile(
    r"<(pubDate|lastBuildDate|updated|published|lastmod)>([^<]*)</\1>", re.IGNORECASE)


# Where a feed's items (RSS), entries (Atom) or a sitemap's URLs begin.
_FIRST_ITEM = re.compile(r"<(?:item|entry|url)\b", re.IGNORECASE)
# What PHP, MySQL/MariaDB, CodeIgniter (SIPP's framework), WordPress and Joomla (the
# court website's) show instead of the page when the application cannot run: a fatal or
# parse error (html_errors on or off), and a database that refuses or is not there.
# Written as they write them (case matters): an application's own words ("Username atau
# password salah") and a notice it works with are none of these. The lookahead, each
# alternative's first letter, skips a position in one step (a 5 MB page read in 0.15 s,
# not 1 s).
_PAGE_ERROR = re.compile(
    r"(?=[FPTSACUE(])(?:"
    r"\b(?:Fatal|Parse) error(?:</b>)?:|\bToo many connections\b|\bSQLSTATE\["
    r"|\((?:HY000|08004)/\d{4}\)|\bAccess denied for user\b"
    r"|\bCan't connect to (?:local )?(?:MySQL|MariaDB) server\b"
    r"|\bA Database Error Occurred\b|\bUnable to connect to your database server\b"
    r"|\bError establishing a database connection\b"
    r"|\bCould not connect to (?:MySQL|database)\b)")
_TAG = re.compile(r"<[^<>]*>")
# The elements whose text a browser never shows (strip_tags), and their end tags.
_HIDDEN_OPENING = re.compile(r"<(script|style)\b", re.IGNORECASE)
_HIDDEN_CLOSING = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")
}
# How much of the page after an error's start is read for its line (a crafted page's
# line may run on for megabytes).
_ERROR_READ = 2000
# An error's line longer than this is cut (the record keeps one line, not a crafted page).
MAX_ERROR_LINE = 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _HttpOnlyRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects followed to http and https addresses only. urllib follows one to ftp://
    (a connection the site chose, and an answer without a status) and returns one to
    file:// as an HTTP error of the redirect's status; both are no answer here, naming
    the scheme (URLError, reported as fetch reports the rest)."""

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: Any) -> Any:
        target = headers.get("location") or headers.get("uri")
        if target is not None:
            scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, target)).scheme
            if scheme.lower() not in ("http", "https"):
                raise urllib.error.URLError(
                    f"redirected to a {scheme.lower()[:20]}: address "
                    "(only http and https are followed)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(  # noqa: PLR0917 - urllib's signature
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
            newurl: str) -> urllib.request.Request | None:
        """urllib copies every header onto the redirect, credentials too, whatever site it
        leads to: they go on to the same site only (scheme, host and port; http to https
        of the same host too), as curl and requests do."""
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not _same_site(req.full_url, new.full_url):
            new.remove_header("Authorization")
        return new


def _same_site(old: str, new: str) -> bool:
    """Whether credentials sent to ``old`` may go on to ``new`` (never to an address
    Python cannot split: a port out of range or not a number)."""
    before, after = urllib.parse.urlsplit(old), urllib.parse.urlsplit(new)
    if (before.hostname or "").lower() != (after.hostname or "").lower():
        return False
    ports = {"http": 80, "https": 443}
    try:
        port_before = before.port or ports.get(before.scheme.lower())
        port_after = after.port or ports.get(after.scheme.lower())
    except ValueError:
        return False
    if before.scheme.lower() == after.scheme.lower():
        return port_before == port_after
    return (before.scheme.lower(), port_before, after.scheme.lower(), port_after) == (
        "http", 80, "https", 443)


def url_option_error(options: list[tuple[str, str]]) -> str | None:
    """The first of a module's URL settings, (option, URL) each, that is no address a
    monitor can ask, as one line naming the option (url_error); empty URLs are skipped.
    A wrong setting fails naming it instead of ending in a traceback where it is split."""
    for name, url in options:
        error = url_error(url) if url else None
        if error:
            return f"{name}: {error}"
    return None


def url_error(url: str) -> str | None:
    """Why ``url`` is no address a monitor can ask (one line, its credentials masked
    with its scheme or without: mask_url): whitespace or a control character in it
    (sop_options' url_text_error, which never quotes it), not http or https, no host, one
    Python cannot split (an unclosed IPv6 bracket, a port out of range), or a host that
    is no DNS name (an empty label, ``court..go.id``, or one longer than 63 characters:
    the certificate check's connection ended in a UnicodeError traceback); None for a
    good one."""
    unsendable = url_text_error(url)
    if unsendable:
        return unsendable
    unsplit = _unsplit(url)
    if unsplit:
        return f"{mask_url(url)!r} is not a valid URL ({unsplit})"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{mask_url(url)!r} is not an http(s) URL with a host"
    try:
        parts.hostname.encode("idna")  # as the system's resolver is asked (IDN too)
    except UnicodeError:  # its wording differs between Python versions
        return (f"{mask_url(url)!r} is not a valid URL (host {parts.hostname!r} is no DNS "
                "name: an empty label, one over 63 characters or a character IDNA forbids)")
    return None


def _unsplit(url: str) -> str | None:
    """Why Python cannot split ``url`` (its port included), in words of this module's;
    None when it can. Python's own words may quote the URL's credentials: a password
    holding an unencoded '/' ends the host there (https://admin:pa/ss@host/ is the host
    admin and the port pa: "Port could not be cast to integer value as 'pa'"), and a
    character NFKC turns into a delimiter has the whole user:password quoted."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        if "NFKC" in str(exc):
            return ("its host or credentials hold characters Unicode normalization (NFKC) "
                    "turns into '/', '?', '#', '@' or ':'")
        # an unclosed bracket, or brackets holding no IP address (Python 3.11.4 on)
        return "Invalid IPv6 URL" if "IPv" in str(exc) else "Python cannot split it"
    try:
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError:
        port = parts.netloc.rpartition("@")[2].rpartition("]")[2].rpartition(":")[2]
        if port.isascii() and port.isdigit():
            return "Port out of range 0-65535"
        if "@" in parts.path + parts.query + parts.fragment:  # the host's true end
            return ("Port is not a number: a '/', '?' or '#' in a password must be "
                    "percent-encoded, %2F %3F %23")
        return "Port is not a number"
    return None


def fetch(url: str, timeout: float, context: ssl.SSLContext | None = None, *,
          follow: bool = True, headers: dict[str, str] | None = None,
          limit: int = MAX_BODY, deadline: float | None = None,
          data: bytes | None = None) -> dict[str, Any]:
    """``{status, location, refresh, body, truncated, response_ms, final_url, error}``: at
    most ``limit`` bytes of the body (``truncated`` when it had more), ``refresh`` the
    answer's Refresh header (None without one); HTTP errors (and, with
    ``follow`` false, redirects) still count as answers. ``data``: the body of a POST
    (its Content-Type among ``headers``), else a GET. No answer: status -1, ``error``,
    and ``certificate`` true when the certificate did not verify. ``timeout`` bounds each
    wait, and the whole answer takes at most WHOLE_ANSWER times it, or ends at
    ``deadline`` (time.monotonic's: a chain of answers bounded as one): the request runs
    in a thread that is left behind when it takes longer (it ends with the process)."""
    unsplit = _unsplit(url)
    if unsplit:  # (urllib's words would quote a password: _unsplit)
        return _no_answer(url, f"not a valid URL ({unsplit})")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return _no_answer(url, "not an http(s) URL")
    whole = timeout * WHOLE_ANSWER
    wait = whole if deadline is None else min(whole, deadline - time.monotonic())
    late = _no_answer(url, f"no complete answer within {whole:g} s (sent too slowly)")
    if wait <= 0:
        return late
    answer: dict[str, Any] = {}

    def request() -> None:
        try:
            answer.update(_fetch(url, timeout, context, follow=follow, headers=headers,
                                 limit=limit, data=data))
        except Exception as exc:  # the thread's end: reported, as _fetch reports the rest
            answer.update(_no_answer(url, f"{type(exc).__name__}: {exc}"))

    worker = threading.Thread(target=request, daemon=True)
    worker.start()
    worker.join(wait)
    return late if worker.is_alive() else answer


def redirects(url: str, timeout: float, context: ssl.SSLContext | None, *,
              follow: Callable[[str, str], bool], headers: dict[str, str] | None = None,
              authorization: str | None = None, limit: int = MAX_BODY,
              data: bytes | None = None) -> list[dict[str, Any]]:
    """The answers (fetch's, not following, each with the ``url`` asked) to ``url`` and to
    the redirects it leads to that ``follow(from, to)`` allows, in order: the chain ends
    at an answer that is no redirect, at a redirect not followed, at an address already
    asked (a loop) or after REDIRECT_HOPS redirects. ``headers`` go to every address
    followed: no credentials. ``authorization`` (an Authorization header, a URL's
    credentials: sop_secrets.basic_auth) goes on to a redirect of the same site only, as
    fetch's does (scheme, host and port; http to https of the same host), and not back
    once a redirect has left it. ``data`` is POSTed to every address followed (as a 307
    redirect keeps it; nothing secret: it goes wherever the chain leads). The whole
    chain takes at most WHOLE_ANSWER times ``timeout``, as fetch's answer following its
    redirects does: a site redirecting within itself, each answer slow, kept a monitor
    eleven times as long."""
    chain: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout * WHOLE_ANSWER
    while True:
        sent = {**(headers or {}), **({"Authorization": authorization} if authorization else {})}
        chain.append({**fetch(url, timeout, context, follow=False, headers=sent or None,
                              limit=limit, deadline=deadline, data=data), "url": url})
        target = redirect_target(chain[-1])
        if (target is None or len(chain) > REDIRECT_HOPS
                or target in {a["url"] for a in chain} or not follow(url, target)):
            return chain
        if not _same_site(url, target):
            authorization = None
        url = target


# An http(s) Location as the URL Standard reads it where urllib reads a path of the site
# asked (or an empty host): its leading and trailing C0 controls and spaces and every
# tab or newline dropped ("http:/\t//judi.example/"); the slashes after the scheme (the
# same as the page's) or a scheme-relative "//" all skipped before the host (the
# "special authority ignore slashes state": "///judi.example/", "https:///judi.example/"
# are judi.example); another scheme than the page's followed by the host whatever slashes
# ("https:judi.example" from an http page).
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"(?i)https?:")


def as_browser(link: str) -> str:
    """A link as a browser reads an http(s) address: a backslash before its query or
    fragment is a slash ("/\\judi.example/" is "//judi.example/", another site, where
    Python reads a path of the site itself)."""
    end = min((i for i in (link.find("?"), link.find("#")) if i >= 0), default=len(link))
    return link[:end].replace("\\", "/") + link[end:]


def browser_location(location: str, asked: str) -> str:
    """A Location as a browser reads it before joining it to the address ``asked``: in
    what precedes its query or fragment a backslash is a slash (as_browser), and the rest
    as _SCHEME's comment says (``https:///host`` is ``https://host``)."""
    location = as_browser(_TAB_OR_NEWLINE.sub("", location.strip(_C0_OR_SPACE)))
    scheme = location[: location.find(":") + 1] if _SCHEME.match(location) else ""
    path = location[len(scheme):]
    slashes = len(path) - len(path.lstrip("/"))
    other = bool(scheme) and scheme[:-1].lower() != urllib.parse.urlsplit(asked).scheme.lower()
    if slashes > 2 or (other and slashes != 2):
        return f"{scheme}//{path.lstrip('/')}"
    return location


def redirect_target(answer: dict[str, Any]) -> str | None:
    """Where a redirect of ``redirects`` leads (its Location read as a browser reads it,
    against the address asked); None for an answer that is no redirect or a Location
    that is no URL."""
    if not 300 <= answer["status"] < 400 or not answer["location"]:
        return None
    try:
        return urllib.parse.urljoin(str(answer["url"]),
                                    browser_location(str(answer["location"]), str(answer["url"])))
    except ValueError:  # an unclosed IPv6 bracket
        return None


def refused_target(answer: dict[str, Any], follow: Callable[[str, str], bool]) -> str | None:
    """Where the last answer of ``redirects`` redirects when ``follow`` refused it (the
    chain ended there), else None: no redirect, or one ended by a loop or the hop limit."""
    target = redirect_target(answer)
    return target if target and not follow(str(answer["url"]), target) else None


def redirect_destination(asked: str, answer: dict[str, Any]) -> str | None:
    """Where ``fetch``'s redirects led from the address ``asked``, masked; None when the
    page is that address's own (urllib's final address drops the fragment: only another
    address is a redirect)."""
    final = str(answer["final_url"])
    moved = urllib.parse.urldefrag(final)[0] != urllib.parse.urldefrag(asked.strip())[0]
    return mask_url(final) if moved else None


def tls_downgrade(old: str, new: str) -> bool:
    """Whether a redirect from ``old`` to ``new`` drops TLS: https down to plain http (an
    address asked over TLS read without it, and what the request carries sent in the
    clear: a misconfigured proxy or a tampered site)."""
    return _scheme(old) == "https" and _scheme(new) == "http"


def scheme_followed(old: str, new: str) -> bool:
    """Whether a monitor follows a redirect from ``old`` to ``new`` for its scheme: to an
    http or https address, never from https down to plain http (tls_downgrade); http to
    https is followed. Where it may lead (any site, or the same only) is the caller's."""
    return _scheme(new) in ("http", "https") and not tls_downgrade(old, new)


def not_followed(target: str) -> str:
    """A redirect scheme_followed refuses, named for the report (the address masked): to
    plain http (from https: a TLS downgrade), else to a scheme other than http and https."""
    scheme = _scheme(target)
    if scheme == "http":
        return f"dialihkan ke http tanpa TLS: {mask_url(target)}"
    return f"dialihkan ke alamat {scheme[:20]}: {mask_url(target)}, bukan http(s)"


def unread_chain(chain: list[dict[str, Any]]) -> str | None:
    """Why a chain of ``redirects`` read no page, for the report: it ended on a redirect
    (a loop back to an address it asked, ``dialihkan berputar (kembali ke URL)``, else
    the hop limit, ``dialihkan lebih dari N kali``); None when it ended on a page."""
    target = redirect_target(chain[-1])
    if target is None:
        return None
    if target in {answer["url"] for answer in chain}:
        return f"dialihkan berputar (kembali ke {mask_url(target)})"
    return f"dialihkan lebih dari {REDIRECT_HOPS} kali"


def _scheme(url: str) -> str:
    return urllib.parse.urlsplit(url).scheme.lower()


def _no_answer(url: str, error: str, certificate: bool = False) -> dict[str, Any]:
    return {"status": -1, "location": None, "refresh": None, "body": "", "truncated": False,
            "response_ms": None, "final_url": url, "error": error, "certificate": certificate}


def failure(reason: object, timeout: float) -> str:
    """The reason a request or handshake failed, in one line: "Connection refused", not
    "[Errno 111] Connection refused"; a timeout with its limit and step, not the ssl
    module's "_ssl.c:975: The handshake operation timed out" or urllib's bare "timed out"."""
    if isinstance(reason, socket.timeout):  # TimeoutError from Python 3.10, OSError on 3.9
        step = "the TLS handshake" if "handshake" in str(reason) else "the server"
        return f"{step} did not answer within {timeout:g} s (timed out)"
    return getattr(reason, "strerror", None) or str(reason)


def _fetch(url: str, timeout: float, context: ssl.SSLContext | None, *, follow: bool,
           headers: dict[str, str] | None, limit: int, data: bytes | None) -> dict[str, Any]:
    """fetch's request, without its bound on the whole answer."""
    handlers: list[Any] = [urllib.request.HTTPSHandler(context=context),
                           _HttpOnlyRedirect() if follow else _NoRedirect()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by fetch
        url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})})
    start = time.monotonic()
    try:
        try:
            with opener.open(request, timeout=timeout) as response:
                status, body, answer = response.status, response.read(limit + 1), response.headers
                final = response.url
        except urllib.error.HTTPError as exc:  # an answer too (404, 503 ...), maybe
            body = exc.read(limit + 1)  # of an address redirected to
            status, answer, final = exc.code, exc.headers, exc.filename or url
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        return _no_answer(url, _through_proxy(url, reason, failure(reason, timeout)),
                          isinstance(reason, ssl.SSLCertVerificationError))
    elapsed = int((time.monotonic() - start) * 1000)
    return {"status": status, "location": answer.get("Location"),
            "refresh": answer.get("Refresh"),
            "body": decode_body(body[:limit], answer.get("Content-Type"), len(body) > limit),
            "truncated": len(body) > limit,
            "response_ms": elapsed, "final_url": final, "error": None}


# The character encodings a page may name (WHATWG Encoding Standard labels), as Python's
# codecs: a label is read without case and surrounding spaces. Browsers read latin1,
# iso-8859-1 and ascii as windows-1252 (its 0x80-0x9F are the en dash, the curly quotes,
# the euro sign where latin1's are controls), iso-8859-9 as windows-1254, tis-620 as
# windows-874, gb2312 as gb18030; other single-byte labels are Python's own codecs
# (_SINGLE_BYTE). An unknown label (or a codec of Python's that is no web encoding,
# rot13 or unicode_escape) is not used: the page is read as if it named none.
_LABELS = {
    **dict.fromkeys(("utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8",
                     "x-unicode20utf8"), "utf-8"),
    **dict.fromkeys(("windows-1252", "cp1252", "x-cp1252", "ascii", "us-ascii",
                     "ansi_x3.4-1968", "iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1",
                     "iso_8859-1:1987", "iso-ir-100", "latin1", "l1", "cp819", "ibm819",
                     "csisolatin1"), "cp1252"),
    **dict.fromkeys(("windows-1254", "cp1254", "x-cp1254", "iso-8859-9", "iso8859-9",
                     "iso88599", "iso_8859-9", "iso_8859-9:1989", "iso-ir-148", "latin5",
                     "l5", "csisolatin5"), "cp1254"),
    **dict.fromkeys(("windows-874", "dos-874", "tis-620", "iso-8859-11", "iso8859-11",
                     "iso885911"), "cp874"),
    **dict.fromkeys(("gbk", "gb2312", "gb18030", "x-gbk", "chinese", "csgb2312", "gb_2312",
                     "gb_2312-80", "csiso58gb231280", "iso-ir-58"), "gb18030"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"), "big5hkscs"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "ms_kanji", "ms932", "windows-31j",
                     "x-sjis", "csshiftjis"), "cp932"),
    **dict.fromkeys(("euc-jp", "x-euc-jp", "cseucpkdfmtjapanese"), "euc_jp"),
    **dict.fromkeys(("iso-2022-jp", "csiso2022jp"), "iso2022_jp"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601",
                     "korean", "windows-949", "cseuckr", "csksc56011987", "iso-ir-149"),
                    "cp949"),
    **dict.fromkeys(("utf-16", "utf-16le", "unicode", "ucs-2", "csunicode",
                     "iso-10646-ucs-2", "unicodefeff"), "utf-16-le"),
    **dict.fromkeys(("utf-16be", "unicodefffe"), "utf-16-be"),
    **dict.fromkeys(("macintosh", "mac", "x-mac-roman", "csmacintosh"), "mac-roman"),
    **dict.fromkeys(("x-mac-cyrillic", "x-mac-ukrainian"), "mac-cyrillic"),
}
_SINGLE_BYTE = frozenset({
    "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "cp1250", "cp1251", "cp1253", "cp1255", "cp1256", "cp1257", "cp1258", "cp866",
    "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic"})
# Byte order marks, which name the encoding before anything else does.
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.IGNORECASE)
# How much of a page a browser reads for a <meta> naming its encoding (the prescan), and
# the <meta charset=...> or <meta http-equiv="Content-Type" content="...; charset=...">
# there (one tag: no '>' within), outside comments.
PRESCAN = 1024
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.+-]+)""",
                           re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
# An XML document (a feed, a sitemap) names its encoding in its declaration, at its very
# start (XML 1.0 4.3.3): ``<?xml version="1.0" encoding="ISO-8859-1"?>``.
_XML_DECLARATION = re.compile(
    rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
# An XML declaration in UTF-16 without a byte order mark, "<?xml" (XML 1.0 Appendix F).
_XML_UTF16 = ((b"<\0?\0x\0m\0l\0", "utf-16-le"), (b"\0<\0?\0x\0m\0l", "utf-16-be"))


def _encoding(label: str) -> str | None:
    """The Python codec a page's charset ``label`` names (_LABELS, _SINGLE_BYTE), None for
    a label no browser knows."""
    label = label.strip().lower()
    if label in _LABELS:
        return _LABELS[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name if name in _SINGLE_BYTE else None


def _xml(content_type: str, body: bytes) -> bool:
    """Whether a body of this Content-Type is XML (RFC 7303: text/xml, application/xml,
    a type ending +xml such as application/rss+xml or application/atom+xml), or, with no
    media type, begins as XML does (an XML declaration, UTF-16 too)."""
    media = content_type.partition(";")[0].strip().lower()
    if not media:
        return body.startswith(b"<?xml") or body.startswith(tuple(m for m, _ in _XML_UTF16))
    return media in ("text/xml", "application/xml") or media.endswith("+xml")


def _xml_encoding(body: bytes) -> str | None:
    """The codec an XML document's declaration names (_encoding's; one naming UTF-16 in
    bytes read as ASCII is UTF-8), or UTF-16 when its "<?xml" is in UTF-16 without a byte
    order mark; None when it names none (or one no browser knows)."""
    for start, marked in _XML_UTF16:
        if body.startswith(start):
            return marked
    declaration = _XML_DECLARATION.match(body[:PRESCAN])
    name = _encoding(declaration.group(1).decode("ascii")) if declaration else None
    return "utf-8" if name in ("utf-16-le", "utf-16-be") else name


def decode_body(body: bytes, content_type: str | None, truncated: bool = False) -> str:
    """A page's text, decoded as a browser reads it (the WHATWG Encoding and HTML
    standards, simply): a byte order mark, else the Content-Type header's charset, else
    for XML (a feed or sitemap: _xml) the encoding its XML declaration names
    (_xml_encoding, XML 1.0 4.3.3 and Appendix F), for HTML a <meta> naming one in the
    first PRESCAN bytes (one naming UTF-16 is UTF-8 there; JSON is UTF-8), else UTF-8, or
    windows-1252 where the bytes are no UTF-8 (an older site in latin1 naming nothing). A
    label no browser knows is passed over. Bytes a named encoding cannot read are U+FFFD;
    ``truncated``: the body was cut at a limit, so a UTF-8 character cut at its end is
    dropped rather than taken for windows-1252."""
    for bom, marked in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(marked, "replace")
    content_type = content_type or ""
    header = _CHARSET.search(content_type)
    name = _encoding(header.group(1)) if header else None
    if name is None and _xml(content_type, body):
        name = _xml_encoding(body)
    elif name is None and "json" not in content_type.lower():
        meta = _META_CHARSET.search(_COMMENT.sub(b"", body[:PRESCAN]))
        name = _encoding(meta.group(1).decode("ascii")) if meta else None
        name = "utf-8" if name in ("utf-16-le", "utf-16-be") else name
    if name is not None:
        return body.decode(name, "replace")
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=not truncated)
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file or None)


def context_for(validate_certs: bool, ca_file: str | None = None) -> ssl.SSLContext:
    """The trusted authorities (``ca_file``, else the system's), or no check at all (a
    module's validate_certs)."""
    return ssl_context(ca_file) if validate_certs else unverified_context()


def unverified_context() -> ssl.SSLContext:
    """TLS without checking the certificate (to read a page whose certificate failed)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _enddate_from_der(der: bytes) -> datetime.datetime | None:
    """Expiry of a DER certificate read by openssl (for certificates that fail verification)."""
    try:
        out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-enddate"],
                             input=der, capture_output=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.decode("ascii", "replace").strip().partition("=")[2]
    try:
        return _parse_cert_time(text) if text else None
    except (ValueError, OverflowError, OSError):  # a form ssl does not read, or no calendar date
        return None


def _parse_cert_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), datetime.timezone.utc)


def _verified_expiry(cert: dict[str, Any]) -> tuple[datetime.datetime | None, str | None]:
    """The expiry of a verified certificate (getpeercert's ``notAfter``), or why it
    cannot be read (none, or a form ssl does not read): one line."""
    text = cert.get("notAfter")
    if not text:
        return None, "the certificate has no expiry date (notAfter)"
    try:
        return _parse_cert_time(str(text)), None
    except (ValueError, OverflowError, OSError):
        return None, f"the certificate's expiry date is unreadable ({str(text)[:60]!r})"


def _proxy(scheme: str, host: str) -> str | None:
    """The proxy urllib's requests for ``scheme`` pages of ``host`` go through, as urllib
    reads the environment (https_proxy or HTTPS_PROXY ..., unless no_proxy names the
    host), with http:// before an address written without a scheme; None for none."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else "http://" + proxy


def _through_proxy(url: str, reason: object, error: str) -> str:
    """``error`` of a request for ``url`` that failed with ``reason``, naming the proxy it
    went through (never its password) when the failure is the connection's, not the
    page's TLS certificate: a dead proxy read "https://sippma/...: Connection refused"."""
    parts = urllib.parse.urlsplit(url)
    proxy = _proxy(parts.scheme, parts.hostname or "")
    if proxy is None or not isinstance(reason, OSError) or isinstance(reason, ssl.SSLError):
        return error
    address = urllib.parse.urlsplit(proxy).netloc.rpartition("@")[2] or mask_url(proxy)
    return f"proxy {address} ({parts.scheme}_proxy): {error}"


def _tls_connection(host: str, port: int, timeout: float,
                   context: ssl.SSLContext) -> ssl.SSLSocket:
    """A TLS connection to ``host``:``port``, as the pages of the host are read: through
    the HTTPS proxy urllib uses (_proxy) with CONNECT (_tunnel), else directly. On
    a network that reaches the web only through a proxy the certificate failed while the
    pages passed. A proxy that cannot be reached or refuses the tunnel is an OSError
    naming it; a TLS failure is the ssl module's own (ssl.SSLError)."""
    proxy = _proxy("https", host)
    sock = (socket.create_connection((host, port), timeout=timeout) if proxy is None
            else _tunnel(proxy, host, port, timeout))
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def connect_request(host: str, port: int, authorization: str | None) -> bytes:
    """The CONNECT request for ``host``:``port`` (RFC 9110 9.3.6: the authority, an IPv6
    literal in brackets, also as its Host), with the proxy's Proxy-Authorization.
    http.client before Python 3.12 sent an IPv6 literal unbracketed (CONNECT
    2001:db8::1:443), which a proxy reads as another host and port, and no Host."""
    authority = (f"[{host}]" if ":" in host else host.encode("idna").decode("ascii")) + f":{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    lines += [f"Proxy-Authorization: {authorization}"] if authorization else []
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _tunnel(proxy: str, host: str, port: int, timeout: float) -> socket.socket:
    """A connection to ``host``:``port`` through the CONNECT tunnel of ``proxy`` (its
    user:password@ sent as Proxy-Authorization, never shown). A proxy that is no
    host:port, cannot be reached or refuses the tunnel is an OSError naming it."""
    plain, authorization = basic_auth(proxy)
    parts = urllib.parse.urlsplit(plain) if _unsplit(plain) is None else None
    if parts is None or not parts.hostname:  # an unclosed '[', a port no number
        raise OSError(f"proxy {mask_url(proxy)} (https_proxy) is no host:port")
    address = parts.netloc.rpartition("@")[2]  # as shown: never a password
    try:  # on urllib's port for an https page's proxy written without one (443)
        sock = socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout)
    except OSError as exc:
        raise OSError(f"proxy {address}: {exc.strerror or exc}") from None
    try:
        sock.sendall(connect_request(host, port, authorization))
        answer = http.client.HTTPResponse(sock, method="CONNECT")
        answer.begin()  # the status and headers: the tunnel's bytes follow unread
        if answer.status != 200:
            raise OSError(f"Tunnel connection failed: {answer.status} {answer.reason.strip()}")
    except (OSError, http.client.HTTPException) as exc:  # an answer that is no HTTP too
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise OSError(f"proxy {address}: {reason}") from None
    return sock


def tls_certificate(host: str, port: int, timeout: float, ca_file: str | None,
                    now: datetime.datetime) -> dict[str, Any]:
    """The server certificate: verified or why not, expiry date (in ``now``'s time zone,
    the court's where a module reads its dates there) and days left; read through the
    proxy the pages are read through (_tls_connection)."""
    result: dict[str, Any] = {"host": host, "port": port, "valid": False, "error": None,
                              "not_after": None, "days_left": None, "issuer": None}
    try:
        with _tls_connection(host, port, timeout, ssl_context(ca_file)) as tls:
            cert = tls.getpeercert() or {}
        result["valid"] = True
        expiry, result["error"] = _verified_expiry(cert)
        issuer = {str(rdn[0][0]): str(rdn[0][1]) for rdn in cert.get("issuer", ()) if rdn}
        result["issuer"] = issuer.get("organizationName") or issuer.get("commonName")
    except ssl.SSLCertVerificationError as exc:
        result["error"] = exc.verify_message or str(exc)
        expiry = _unverified_expiry(host, port, timeout)
    except (OSError, ssl.SSLError) as exc:
        result["error"] = failure(exc, timeout)
        return result
    if expiry is not None:
        result["not_after"] = expiry.astimezone(now.tzinfo).strftime("%Y-%m-%d")
        result["days_left"] = (expiry - now).days
    return result


def _unverified_expiry(host: str, port: int, timeout: float) -> datetime.datetime | None:
    try:
        with _tls_connection(host, port, timeout, unverified_context()) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    return _enddate_from_der(der) if der else None


# The first zone a day begins in (UTC+14:00, Kiribati): a date naming no zone, read there,
# is the earliest moment it may name.
EARLIEST_ZONE = datetime.timezone(datetime.timedelta(hours=14))


def parse_date(text: str, zoneless: datetime.tzinfo | None = None) -> datetime.datetime | None:
    """An RSS (RFC 822), Atom or sitemap (ISO 8601) date, as aware UTC; None for text
    that is no date, or a date whose UTC time lies outside the calendar (years 1-9999).
    A date naming no zone (a day alone, ``2026-11-18``) is read as UTC, or in ``zoneless``
    and kept in it."""
    text = text.strip()
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        try:
            moment = parse_moment(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        if zoneless is not None:
            return moment.replace(tzinfo=zoneless)
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    try:
        return moment.astimezone(datetime.timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-05:00: a year past 9999 in UTC
        return None


def newest_date(document: str) -> datetime.datetime | None:
    """The newest pubDate/updated/published/lastmod of a feed's items or entries, or of
    a sitemap's URLs (the dates from the first <item>, <entry> or <url> on). The
    document's own date (lastBuildDate, or a date before its first item) only when no
    item has one: Joomla writes the time the feed was made there, so a site without a
    new article for a year read as fresh on every run. A date naming no zone (a
    sitemap's lastmod of a day) is read in EARLIEST_ZONE, kept there: read as UTC, a
    page changed today lay ahead of the clock in WIB until 07:00 (WITA 08:00, WIT 09:00),
    the hours a scheduled run at night falls in, and was not fresh."""
    first = _FIRST_ITEM.search(document)
    start = first.start() if first else len(document)
    items: list[datetime.datetime] = []
    own: list[datetime.datetime] = []
    for match in _DATE_TAGS.finditer(document):
        moment = parse_date(match.group(2), EARLIEST_ZONE)
        if moment is not None:
            of_item = match.start() >= start and match.group(1).lower() != "lastbuilddate"
            (items if of_item else own).append(moment)
    dates = items or own
    return max(dates) if dates else None


def strip_tags(text: str) -> str:
    """``text`` with each HTML tag (``<...>``, no ``<`` or ``>`` inside) a space and the
    code of its <script> and <style> elements, which a browser never shows, left out (an
    unclosed one to the end); linear in the text's size."""
    kept, at = [], 0
    while True:
        opening = _HIDDEN_OPENING.search(text, at)
        if opening is None:
            break
        kept.append(text[at:opening.start()])
        closing = _HIDDEN_CLOSING[opening.group(1).lower()].search(text, opening.end())
        at = len(text) if closing is None else closing.end()
    kept.append(text[at:])
    return _TAG.sub(" ", " ".join(kept))


def page_error(page: str) -> str | None:
    """The PHP fatal or parse error or the database error a page shows in place of its
    content (_PAGE_ERROR: PHP shows one with status 200 when display_errors is on), for a
    problem line: the first one's text from its start to the end of its line or its stack
    trace, without tags, login arguments masked (sop_secrets.mask_log_line), at most
    MAX_ERROR_LINE characters; None when the page shows none. Linear in the page's size."""
    found = _PAGE_ERROR.search(page)
    if found is None:
        return None
    text = page[found.start():found.start() + _ERROR_READ].split("\n", 1)[0]
    text = " ".join(strip_tags(text).split()).replace(" :", ":")
    text = mask_log_line(html.unescape(text.split(" Stack trace:", 1)[0]))
    return text if len(text) <= MAX_ERROR_LINE else text[:MAX_ERROR_LINE - 3] + "..."


# A page's first title: its opening tag's attributes hold no '<' or '>' and its text no
# '<' (each scan stops at the next '<': linear in the page's size), at most 300 characters.
_TITLE = re.compile(r"<title(?:\s[^<>]*)?>([^<]{0,300})</title", re.IGNORECASE)
# What a server, a hosting panel or a CMS shows where the site's content is not (the first
# title's words, read as a browser shows them, in any case; or the page's): a web server's
# default page (the site's configuration gone: nginx, Apache on Debian/Ubuntu and
# RHEL/CentOS, Plesk), a folder listing (its index.php gone), a CMS's installer (its
# database or wp-config.php gone: anyone who opens it can take the site), a hosting
# account suspended (an unpaid contract: cPanel sends the site's pages there), or an
# intruder's defacement (a title beginning "Hacked by": a news title may hold the words).
_STAND_IN_TITLES = (
    (re.compile(r"welcome to nginx!|apache2 (?:ubuntu|debian) default page|test page for "
                r"the (?:apache|nginx) http server|domain default page"),
     "halaman bawaan server web, bukan situs"),
    (re.compile(r"index of /"), "daftar isi folder, bukan situs"),
    (re.compile(r"wordpress \u203a (?:installation|setup configuration file)"
                r"|joomla! web installer"),
     "halaman pemasangan CMS (siapa saja dapat mengambil alih situs)"),
    (re.compile(r"\W*hacked by\b"), "tanda deface"),
)
_SUSPENDED = re.compile(r"\bThis account has been suspended\b", re.IGNORECASE)
# A title shown longer than this is cut.
MAX_TITLE = 100


def stand_in_page(page: str) -> str | None:
    """What a page shows in place of the site's content (_STAND_IN_TITLES, a suspended
    hosting account), for a problem line: its kind and its title (one line, at most
    MAX_TITLE characters); None for any other page. A status of 200 is no site that is
    up when the page is nginx's "Welcome to nginx!" or WordPress's installer."""
    found = _TITLE.search(page)
    title = " ".join(html.unescape(found.group(1)).split()) if found else ""
    shown = title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 3] + "..."
    for pattern, kind in _STAND_IN_TITLES:
        if pattern.match(title.lower()):
            return f"{kind}: '{shown}'"
    if _SUSPENDED.search(page):
        return "halaman akun hosting ditangguhkan (This account has been suspended)"
    return None


def http_variant(url: str) -> str | None:
    """The plain-HTTP address of an https URL on the standard port (443): port 80, the same
    host, path and query, without credentials. None for any other URL: an https site on
    another port has no known plain-HTTP port (plain HTTP sent to its TLS port is no
    answer, and port 80 may serve another site or none), and an address Python cannot
    split (an unclosed IPv6 bracket, a port out of range) has none either."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or port not in (None, 443) or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return urllib.parse.urlunsplit(("http", host, parts.path or "/", parts.query, ""))
