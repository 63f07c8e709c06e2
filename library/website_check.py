#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Availability, HTTPS redirect, TLS certificate and content freshness of the court website."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_check
short_description: Check that the court website answers, redirects to HTTPS, has a valid certificate and fresh content
description:
  - Requests each of O(urls) from the host the module runs on, following redirects within
    the site (the same host, with or without C(www.); at most 10), and measures the
    response time until the whole page is read. The status must be 2xx, the page must
    contain O(expected_text) and the time must stay within O(max_response_seconds). A
    redirect to another site (an intruder's, to a gambling site say), to a scheme other
    than http and https, or from https to plain http of the site (a TLS downgrade, a
    misconfigured or tampered site) is a problem naming where it leads, and is not
    followed; one from http to https is followed. Redirects within the site that loop
    back to an address asked, or run past 10, read no page, a problem naming the loop
    (C(dialihkan berputar)) or the limit, not the status of the last redirect.
  - A page showing a PHP fatal or parse error or a database error in place of its content
    (C(Fatal error), C(Too many connections), C(SQLSTATE[...]), WordPress's C(Error
    establishing a database connection), Joomla's C(Could not connect to MySQL) ...) is
    not available, whatever its status (PHP shows a fatal error with status 200 when
    C(display_errors) is on), a problem quoting the error (one line, no stack trace, login
    arguments masked). A notice or warning alone is not, save a database connection's.
  - So is a page standing in for the site, whatever its status (a 200 too), a problem
    naming it with its title. That is a web server's default page (C(Welcome to nginx!),
    Apache's or Plesk's), a folder listing (C(Index of /)), a CMS installer (WordPress's
    or Joomla's, reached when the site lost its database or C(wp-config.php), where
    anyone could take the site), a suspended hosting account (cPanel's C(This account
    has been suspended)), or a title beginning C(Hacked by) (a defacement).
  - For each https URL, its plain-HTTP address (port 80) must answer with a redirect to HTTPS
    of the same site (O(require_https_redirect)), directly or after redirects over plain HTTP within it (to the
    C(www.) name, say; at most 10, a loop is no redirect to HTTPS), and the server certificate must verify (O(ca_file) or
    the system's trust store); its expiry date and days left are reported. A problem with
    it names the likely cause after OpenSSL's words (a chain sent without its
    intermediate certificate, a self-signed certificate, one not yet valid). An https URL on
    a port other than 443 has no known plain-HTTP address (plain HTTP to its TLS port is no
    answer, and port 80 may serve another site), so its redirect is not checked (its
    C(https_redirect) is null).
  - Pages and certificates go through the HTTPS proxy of the module's environment
    (C(https_proxy) or C(HTTPS_PROXY), not for a host C(no_proxy) names; its
    C(user:password@) sent as Proxy-Authorization), the certificate's by a CONNECT
    tunnel, as urllib reads the pages; without one, directly. A proxy that cannot be
    reached or refuses the tunnel is the certificate's problem, naming the proxy.
  - Content freshness comes from O(newest_content) (the CMS database's newest published
    date, given by the website_cms module) or else from the newest date of an item of the
    RSS/Atom feed O(feed_url) or a URL of the sitemap O(sitemap_url) (the feed's own
    date, which some CMSs set to the time it was made, only when no item has one). Older than O(freshness_days) is a
    warning, not a failure; so is a date more than five minutes ahead of this host's
    clock (a wrong clock or time zone, or a wrong date), which is never fresh. A feed or
    sitemap date naming no zone (a C(lastmod) of a day alone) is read in the first zone
    that day begins in (UTC+14:00), so that today's date is never ahead of the clock.
    A feed or sitemap (an XML type such as C(application/rss+xml) or C(text/xml)) is
    decoded as XML is - a byte order mark, else the charset of its C(Content-Type), else
    the encoding its XML declaration names (C(<?xml version="1.0" encoding="ISO-8859-1"?>);
    UTF-16 without a byte order mark too), else UTF-8 - and never by an HTML C(<meta>).
  - A URL's C(user:password@) is sent as HTTP basic credentials (on to a redirect of the
    same site only; never to the plain-HTTP address checked for the redirect); it and
    secret-looking query values (C(token=), C(key=) ...) are shown as C(***) in the result.
  - A setting the module refuses (no O(urls), a URL option that is no http(s) URL, a
    O(timeout) or O(max_response_seconds) that is not a positive number or is more than a
    day (86400), a O(freshness_days) that is negative or more than ten years (3650)) fails
    it before any page is asked, with C(setting), the option's name, its message starting
    with that name; the website role names its own variable (C(website_http_timeout))
    from it.
  - Reports only (C(problems) fail the activity, C(warnings) do not); never reports a
    change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  urls:
    description: Pages to check (http or https URLs; one that is not, like a malformed
      O(feed_url) or O(sitemap_url), fails the module naming the option).
    type: list
    elements: str
    required: true
  expected_text:
    description: Text every page must contain (empty to skip), as written in its HTML or
      as a browser shows it (C(&ndash;) is an en dash, C(&eacute;) an C(e) with its
      accent). The page is decoded as a browser decodes it - the charset of its
      C(Content-Type), else a C(<meta charset>) or C(<meta http-equiv="Content-Type">)
      in its first 1024 bytes, else UTF-8, or windows-1252 where it is no UTF-8 (an
      older site in latin1 naming none); C(iso-8859-1) and C(latin1) are read as
      windows-1252, as browsers do, and a charset no browser knows is passed over.
    type: str
    default: ""
  max_response_seconds:
    description: Slower answers are a problem.
    type: float
    default: 5
  timeout:
    description: Seconds before giving up on one request; an answer not complete after three times this
      (its redirects included) is given up (a site sending slowly).
    type: float
    default: 30
  require_https_redirect:
    description: The plain-HTTP address (port 80) of each https URL on port 443 must redirect to HTTPS of the same site.
    type: bool
    default: true
  ca_file:
    description: CA bundle for the certificate check (empty for the system's trust store); one
      that cannot be loaded (gone, unreadable, no PEM certificate in it) fails the module naming it.
    type: str
    default: ""
  newest_content:
    description: Date (ISO 8601) of the newest published content, from the CMS database (empty to read the feed or sitemap).
    type: str
    default: ""
  feed_url:
    description: RSS or Atom feed to read the newest date from (empty for C(<first URL>feed/)).
    type: str
    default: ""
  sitemap_url:
    description: Sitemap read when the feed gives no date (empty for C(<first URL>sitemap.xml)).
    type: str
    default: ""
  freshness_days:
    description: Newest content older than this many days is a warning.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Check the court website
  website_check:
    urls: [https://pn-bangil.go.id/]
    freshness_days: 30
  register: website_availability
"""

RETURN = r"""
pages:
  description: One entry per URL.
  returned: always
  type: list
  elements: dict
  sample:
    - {url: "https://pn-bangil.go.id/", status: 200, response_ms: 84, https_redirect: true, ok: true, problems: []}
certificates:
  description: One entry per https host (valid, error, not_after, days_left, issuer).
  returned: always
  type: list
  elements: dict
  sample:
    - {host: pn-bangil.go.id, port: 443, valid: true, not_after: "2027-02-20", days_left: 82, issuer: Let's Encrypt}
freshness:
  description: Newest content date, where it came from, its age in days, whether it is
    fresh and whether it lies more than five minutes ahead of the clock (in_future, never
    fresh); null values when no date was read.
  returned: always
  type: dict
  sample: {newest: "2026-11-18T02:00:00+00:00", source: cms, age_days: 12, fresh: true, in_future: false}
problems:
  description: Problems that fail the activity (Bahasa Indonesia).
  returned: always
  type: list
  elements: str
warnings_id:
  description: Warnings that do not fail it (Bahasa Indonesia).
  returned: always
  type: list
  elements: str
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: always
  type: dict
"""

import datetime  # noqa: E402
import html  # noqa: E402
import ssl  # noqa: E402
import urllib.parse  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_clock import ahead_of_clock  # noqa: E402
from ansible.module_utils.sop_http import (  # noqa: E402
    fetch,
    http_variant,
    newest_date,
    not_followed,
    page_error,
    parse_date,
    redirect_target,
    redirects,
    refused_target,
    ssl_context,
    stand_in_page,
    tls_certificate,
    unread_chain,
    url_option_error,
)
from ansible.module_utils.sop_integrity_content import page_follows, same_site  # noqa: E402
from ansible.module_utils.sop_options import ca_file_error, duration_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_secrets import basic_auth, mask_data, url_secrets  # noqa: E402


def read(url: str, timeout: float, context: ssl.SSLContext) -> dict[str, Any]:
    """fetch's answer for ``url``, its user:password@ sent as HTTP basic credentials
    (urllib would take it for part of the host)."""
    plain, authorization = basic_auth(url)
    return fetch(plain, timeout, context,
                 headers={"Authorization": authorization} if authorization else None)


def _within_site(old: str, new: str) -> bool:
    """A redirect to an http(s) address of the same site (the same host, with or without
    "www.")."""
    return same_site(old, new) and _scheme(new) in ("http", "https")


def read_page(url: str, timeout: float, context: ssl.SSLContext) -> dict[str, Any]:
    """The page's last answer (fetch's, its ``url`` the address it came from), following
    redirects within the site only (page_follows), ``url``'s user:password@ sent as HTTP
    basic credentials; ``response_ms`` is the whole chain's, and ``elsewhere`` the address
    of another site (or scheme, or plain http after https) the page redirected to, not
    followed: an intruder's redirect to a gambling site answers 200 there, which is no
    court website that is up, and a page that drops TLS is not the one asked for.
    ``unread``: why a chain within the site read no page (a loop, or more than
    REDIRECT_HOPS redirects: sop_http.unread_chain), else None."""
    plain, authorization = basic_auth(url)
    chain = redirects(plain, timeout, context, follow=page_follows, authorization=authorization)
    last = chain[-1]
    spent = [answer["response_ms"] for answer in chain]
    elsewhere = refused_target(last, page_follows)
    return {**last, "final_url": last["url"],
            "response_ms": None if None in spent else sum(spent), "elsewhere": elsewhere,
            "unread": unread_chain(chain) if elsewhere is None else None}


def check_page(url: str, p: dict[str, Any]) -> dict[str, Any]:
    context = ssl_context(p["ca_file"])
    answer = read_page(url, p["timeout"], context)
    problems = []
    if answer["error"] is not None:
        problems.append(f"{url} tidak dapat diakses: {answer['error']}")
    elif answer["elsewhere"] is not None:
        problems.append(f"{url} {_left(answer['final_url'], answer['elsewhere'])} (tidak diikuti)")
    elif answer["unread"] is not None:  # a WordPress behind a proxy redirecting to itself
        problems.append(f"{url} {answer['unread']}: halaman tidak terbaca")
    else:
        if not 200 <= answer["status"] < 300:
            where = f" di {answer['final_url']}" if answer["final_url"] != url else ""
            problems.append(f"{url} menjawab status HTTP {answer['status']}{where}")
        shown = page_error(answer["body"])
        if shown is not None:
            problems.append(f"{url} menampilkan galat PHP/database: {shown}")
        stand_in = stand_in_page(answer["body"])
        if stand_in is not None:
            problems.append(f"{url} menampilkan {stand_in}")
        if p["expected_text"] and not shows_text(answer["body"], p["expected_text"]):
            problems.append(f"teks '{p['expected_text']}' tidak ada di {url}")
        if answer["response_ms"] > p["max_response_seconds"] * 1000:
            problems.append(f"{url}: waktu respons {angka(answer['response_ms'])} ms melebihi "
                            f"{angka_ringkas(p['max_response_seconds'])} dtk")
    page: dict[str, Any] = {"url": url, "status": answer["status"], "response_ms": answer["response_ms"],
                            "final_url": answer["final_url"], "https_redirect": None}
    plain = http_variant(url)
    if plain and p["require_https_redirect"]:
        page["https_redirect"], problem = https_redirect(plain, p["timeout"], context)
        problems += [problem] if problem else []
    page["ok"] = not problems
    page["problems"] = problems
    return page


def shows_text(page: str, text: str) -> bool:
    """Whether ``page`` (decoded as a browser decodes it: sop_http.decode_body) holds
    ``text`` as written or as a browser shows it: an older site writes the en dash of
    "Pengadilan Negeri Cibinong \u2013 Kelas IA" as &ndash; and an accent as &eacute;."""
    return text in page or ("&" in page and text in html.unescape(page))


def https_redirect(plain: str, timeout: float, context: ssl.SSLContext) -> tuple[bool, str | None]:
    """Whether the plain-HTTP address redirects to HTTPS of the same site, directly or
    after redirects over plain HTTP within it, and the problem when it does not: a
    redirect to another site (https or not) is none, and is not followed."""
    chain = redirects(plain, timeout, context,
                      follow=lambda old, new: _within_site(old, new) and not _https(new))
    last = chain[-1]
    target = redirect_target(last) or ""
    if _https(target) and same_site(last["url"], target):
        return True, None
    if target and not _within_site(last["url"], target):
        seen = _left(last["url"], target)
    else:
        seen = last["error"] or f"status {last['status']}"
    where = f" di {last['url']}" if len(chain) > 1 else ""
    return False, f"{plain} tidak dialihkan ke HTTPS ({seen}{where})"


def _left(old: str, target: str) -> str:
    """A redirect from ``old`` not followed, named: to another site, else as
    sop_http.not_followed names it (to another scheme, or to plain http of the same site
    from https: a TLS downgrade)."""
    if _scheme(target) in ("http", "https") and not same_site(old, target):
        return f"dialihkan ke situs lain: {target}"
    return not_followed(target)


def _scheme(url: str) -> str:
    return urllib.parse.urlsplit(url).scheme.lower()


def _https(url: str) -> bool:
    return _scheme(url) == "https"


def check_certificates(urls: list[str], p: dict[str, Any], now: datetime.datetime) -> list[dict[str, Any]]:
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            key = (parts.hostname, parts.port or 443)
            if key not in seen:
                seen[key] = tls_certificate(key[0], key[1], p["timeout"], p["ca_file"], now)
    return list(seen.values())


def freshness(p: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """The newest content date (the CMS database's, else the feed's, else the sitemap's),
    its age and whether it is fresh: a date further ahead of the clock than clocks drift
    apart (sop_clock) is not (``in_future``)."""
    newest, source = None, None
    if p["newest_content"]:
        newest, source = parse_date(p["newest_content"]), "cms"
    base = p["urls"][0] if p["urls"] else ""
    candidates = [("feed", p["feed_url"] or urllib.parse.urljoin(base, "feed/")),
                  ("sitemap", p["sitemap_url"] or urllib.parse.urljoin(base, "sitemap.xml"))]
    for name, url in candidates:
        if newest is not None or not url:
            break
        answer = read(url, p["timeout"], ssl_context(p["ca_file"]))
        if answer["error"] is None and 200 <= answer["status"] < 300:
            newest, source = newest_date(answer["body"]), name + " " + url
    if newest is None:
        return {"newest": None, "source": None, "age_days": None, "fresh": None,
                "in_future": None}
    in_future = ahead_of_clock((now - newest).total_seconds())
    age = (now - newest).days
    return {"newest": newest.isoformat(), "source": source, "age_days": age,
            "fresh": not in_future and age <= p["freshness_days"], "in_future": in_future}


# What OpenSSL's words for a certificate that fails verification mean for the court's
# admin (OpenSSL 3 writes "self-signed", 1.1 "self signed"). The first is nginx's
# ssl_certificate naming the site's certificate alone (cert.pem) instead of the chain
# (fullchain.pem): a browser that fetches the intermediate shows the site as secure.
_CERTIFICATE_CAUSES = {
    "unable to get local issuer certificate":
        "rantai sertifikat tidak lengkap, server tidak mengirim sertifikat perantara "
        "(pasang fullchain), atau penerbitnya tidak dipercaya",
    "self-signed certificate": "sertifikat buatan sendiri, bukan dari CA yang dipercaya",
    "self signed certificate": "sertifikat buatan sendiri, bukan dari CA yang dipercaya",
    "certificate is not yet valid": "belum berlaku: jam server ini atau tanggal sertifikat salah",
}


def grade(pages: list[dict[str, Any]], certs: list[dict[str, Any]], fresh: dict[str, Any],
          p: dict[str, Any]) -> tuple[list[str], list[str]]:
    problems = [line for page in pages for line in page["problems"]]
    warnings = []
    for cert in certs:
        if not cert["valid"]:
            cause = _CERTIFICATE_CAUSES.get(str(cert["error"]))
            problems.append(f"sertifikat TLS {cert['host']} tidak sah: {cert['error']}"
                            + (f" ({cause})" if cause else "")
                            + (f" (berakhir {cert['not_after']})" if cert["not_after"] else ""))
    if fresh["newest"] is None:
        warnings.append("tanggal konten terbaru tidak dapat dibaca (database CMS, RSS, sitemap)")
    elif not fresh["fresh"] and fresh["in_future"]:
        warnings.append(f"konten terbaru bertanggal {fresh['newest']}, di masa depan (jam "
                        f"server atau zona waktu salah, atau tanggal di {fresh['source']} "
                        "tidak benar); tidak dianggap segar")
    elif not fresh["fresh"]:
        warnings.append(f"konten terbaru berumur {angka(fresh['age_days'])} hari "
                        f"(lebih dari {angka(p['freshness_days'])} hari, {fresh['newest'][:10]})")
    return problems, warnings


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "urls": {"type": "list", "elements": "str", "required": True},
            "expected_text": {"type": "str", "default": ""},
            "max_response_seconds": {"type": "float", "default": 5},
            "timeout": {"type": "float", "default": 30},
            "require_https_redirect": {"type": "bool", "default": True},
            "ca_file": {"type": "str", "default": ""},
            "newest_content": {"type": "str", "default": ""},
            "feed_url": {"type": "str", "default": ""},
            "sitemap_url": {"type": "str", "default": ""},
            "freshness_days": {"type": "int", "default": 30},
        },
        supports_check_mode=True,
    )
    p = module.params
    # Credentials in a URL (user:password@, a token in the query) never reach the
    # records: every string of the result and its invocation is masked, a failure's too.
    secrets = [secret for url in p["urls"] + [p["feed_url"], p["sitemap_url"]]
               for secret in url_secrets(url)]
    invocation = {"module_args": mask_data(dict(p), secrets)}
    refused = setting_error(p)
    if refused:
        module.fail_json(msg=refused[1], setting=refused[0], invocation=invocation)
    module.exit_json(**mask_data(check(p), secrets), invocation=invocation)


def setting_error(p: dict[str, Any]) -> tuple[str, str] | None:
    """The first setting the module refuses, (option, one line starting with its name),
    else None. A timeout of 0 s was blamed on the site ("no complete answer within 0
    s"); the role names its own variable from the option (sop_failure_cause)."""
    if not p["urls"]:
        return "urls", "urls is empty: name at least one page of the website to check"
    bad_seconds = seconds_error(p, "timeout", "max_response_seconds")
    if bad_seconds:
        return bad_seconds["setting"], bad_seconds["msg"]
    bad_days = duration_error(p, "freshness_days", unit="days", zero="new within a day")
    if bad_days:
        return bad_days["setting"], bad_days["msg"]
    for name, url in [("urls", url) for url in p["urls"]] + [
            ("feed_url", p["feed_url"]), ("sitemap_url", p["sitemap_url"])]:
        error = url_option_error([(name, url)])
        if error:
            return name, error
    bad_ca = ca_file_error(p, "ca_file")
    if bad_ca:
        return bad_ca["setting"], bad_ca["msg"]
    return None


def check(p: dict[str, Any]) -> dict[str, Any]:
    """The module's result (not yet masked)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    pages = [check_page(url, p) for url in p["urls"]]
    certs = check_certificates(p["urls"], p, now)
    fresh = freshness(p, now)
    problems, warnings = grade(pages, certs, fresh, p)
    output = {
        "pages": [{k: page[k] for k in ("url", "status", "response_ms", "https_redirect", "ok")} for page in pages],
        "certificates": [{k: c[k] for k in ("host", "valid", "not_after", "days_left")} for c in certs],
        "newest_content": fresh["newest"], "content_age_days": fresh["age_days"],
        "problems": problems, "warnings": warnings,
    }
    return {"changed": False, "pages": pages, "certificates": certs, "freshness": fresh,
            "problems": problems, "warnings_id": warnings, "sop_output": output}


if __name__ == "__main__":
    main()
