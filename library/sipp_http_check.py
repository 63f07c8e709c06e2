#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open the SIPP application's URL and time the answer (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sipp_http_check
short_description: Check that the SIPP web application answers, and how fast
description:
  - Requests O(url) from the host the module runs on (the SIPP server itself for the
    local URL) and measures the response time in milliseconds until the whole page is read.
  - Grades the answer. The status must be one of O(status_codes), the page must contain
    O(expected_text) and the time must stay within O(max_response_seconds).
  - Redirects are followed (SIPP sends a visitor to its login page, at most 10), and where
    they led is reported (RV(access.redirected_to)); the page graded may be another site's,
    a court website naming SIPP in its menu included. A redirect from https down to plain
    http (a TLS downgrade, SIPP asked over TLS read without it, by a misconfigured proxy or
    a tampered site) or to a scheme other than http and https is a problem naming where it
    leads, and is not followed; one from http to https is followed.
  - A page showing a PHP fatal or parse error or a database error (C(Fatal error),
    C(Too many connections), C(SQLSTATE[...]), C(Access denied for user), CodeIgniter's
    C(A Database Error Occurred)) is a problem quoting it (one line, no stack trace, login
    arguments masked), whatever its status (PHP shows a fatal error with status 200 when
    C(display_errors) is on, and the path it names may hold O(expected_text)). A notice or
    warning alone is not (SIPP works with them), save a database connection's.
  - A redirect loop, or more than 10 redirects, is a problem saying so (no page read).
  - Reports only (C(ok) and C(problems)); the playbook decides what a problem means.
    Never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  url:
    description:
      - URL of the SIPP application.
      - >-
        One that is no http(s) address with a host (C(localhost/sipp/) without its
        scheme, a port out of range, C(sipp..local)) fails the module before any request,
        with C(setting) C(url), never graded as SIPP not answering.
      - A C(user:password@) is sent as HTTP basic credentials (to that site only, never on
        a redirect to another). Credentials (userinfo,
        query values whose name says token, key, password, secret ...) are shown as
        C(***) in every result and the module's invocation.
    type: str
    required: true
  expected_text:
    description: Text the page must contain (empty to skip).
    type: str
    default: SIPP
  status_codes:
    description: Acceptable HTTP status codes.
    type: list
    elements: int
    default: [200]
  max_response_seconds:
    description: Slower answers are a problem (above 0 and at most 86400, one day, else
      the module fails with C(setting) C(max_response_seconds)).
    type: float
    default: 5
  timeout:
    description: Seconds before giving up (above 0 and at most 86400, one day, else the
      module fails with C(setting) C(timeout)); an answer not complete after three times this is given up (a site
      sending slowly).
    type: int
    default: 30
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Open SIPP on the server
  sipp_http_check:
    url: http://localhost/sipp/
    expected_text: SIPP
    max_response_seconds: 5
  register: sipp_access
"""

RETURN = r"""
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {sipp_url: "http://localhost/sipp/", http_status: 200, response_ms: 38, ok: true,
           redirected_to: "http://localhost/sipp/login"}
access:
  description: The answer and its grade.
  returned: success
  type: dict
  contains:
    url:
      description: The URL requested.
      type: str
    status:
      description: HTTP status, or -1 when there was no answer.
      type: int
    redirected_to:
      description: Where the URL's redirects led, the page graded or the address that
        did not answer (credentials masked), or null when it is the URL's own.
      type: str
    response_ms:
      description: Milliseconds until the page was read (null without answer).
      type: int
    bytes:
      description: Size of the page.
      type: int
    title:
      description: The page's title, if any.
      type: str
    expected_text_found:
      description: Whether O(expected_text) is in the page.
      type: bool
    ok:
      description: No problem found.
      type: bool
    problems:
      description: One line per problem (Bahasa Indonesia).
      type: list
      elements: str
  sample:
    url: http://localhost/sipp/
    status: 200
    redirected_to: http://localhost/sipp/login
    response_ms: 38
    bytes: 1214
    title: SIPP - Sistem Informasi Penelusuran Perkara
    expected_text_found: true
    ok: true
    problems: []
"""

import html  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_http import (  # noqa: E402
    context_for,
    not_followed,
    page_error,
    redirect_destination,
    redirects,
    refused_target,
    scheme_followed,
    unread_chain,
    url_error,
)
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_secrets import (  # noqa: E402
    basic_auth,
    mask_data,
    url_secrets,
)

# The title's tags, each searched once: (.*?)</title> rescanned the rest of the page
# from every unclosed '<title>' (minutes for 5 MB of them); a tag ends before the next '<'.
_TITLE_OPEN = re.compile(r"<title\b[^<>]*>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
# A title longer than this is cut (the record keeps one line, not a crafted page).
MAX_TITLE = 200


# (status, page, milliseconds, error, where the redirects led: None when the page is the
# URL's own, why the redirects led to no page: None when they led to one)
Answer = tuple[int, str, int, "str | None", "str | None", "str | None"]


def request(url: str, timeout: int, validate_certs: bool) -> Answer:
    """The answer at the end of the redirects followed: to an http(s) address of any site
    (SIPP sends a visitor to its login page), never from https down to plain http
    (sop_http.scheme_followed, as website_check's page check); HTTP errors still
    count as answers. A user:password@ in the URL is sent as HTTP basic credentials (on
    to a redirect of the same site only: sop_http.redirects)."""
    plain, authorization = basic_auth(url)
    chain = redirects(plain, timeout, context_for(validate_certs),
                      follow=scheme_followed, headers={"User-Agent": "sop-sipp-http-check"},
                      authorization=authorization)
    last = chain[-1]
    led_to = redirect_destination(plain, last)
    if last["status"] < 0:  # the URL's own, or the address its redirects led to
        return -1, "", 0, last["error"], led_to if len(chain) > 1 else None, None
    elapsed = sum(a["response_ms"] for a in chain)
    refused = refused_target(last, scheme_followed)
    if refused is not None:
        return last["status"], "", elapsed, None, led_to, f"{not_followed(refused)} (tidak diikuti)"
    if (unread := unread_chain(chain)) is not None:  # a loop or the hop limit: no page read
        return last["status"], "", elapsed, None, led_to, f"{unread}: halaman tidak terbaca"
    return last["status"], last["body"], elapsed, None, led_to, None


def page_title(page: str) -> str | None:
    """The first <title>'s text, one line of at most MAX_TITLE characters (linear time)."""
    opening = _TITLE_OPEN.search(page)
    closing = _TITLE_CLOSE.search(page, opening.end()) if opening else None
    if opening is None or closing is None:
        return None
    title = html.unescape(" ".join(page[opening.end():closing.start()].split()))
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 3] + "..."


def grade(url: str, answer: Answer, params: dict[str, Any]) -> dict[str, Any]:
    status, page, elapsed, error, redirected_to, unread = answer
    expected = params["expected_text"] or ""
    found = expected in page if expected else True
    problems = []
    if error is not None:
        problems.append(f"{url} dialihkan ke {redirected_to}, yang tidak menjawab: {error}"
                        if redirected_to else f"tidak ada jawaban dari {url}: {error}")
    elif unread is not None:
        problems.append(f"{url} {unread}")
    else:
        if status not in params["status_codes"]:
            problems.append(f"status HTTP {status}")
        shown = page_error(page)
        if shown is not None:
            problems.append(f"halaman menampilkan galat PHP/database: {shown}")
        if not found:
            problems.append(f"teks '{expected}' tidak ada di halaman" + (
                f" yang dialihkan ke {redirected_to}" if redirected_to else ""))
        if elapsed > params["max_response_seconds"] * 1000:
            problems.append(f"waktu respons {angka(elapsed)} ms melebihi "
                            f"{angka_ringkas(params['max_response_seconds'])} dtk")
    return {
        "url": url, "status": status, "redirected_to": redirected_to,
        "response_ms": None if error else elapsed,
        "bytes": len(page.encode()),
        "title": page_title(page),
        "expected_text_found": found and error is None, "ok": not problems,
        "problems": problems,
    }


def sop_output(access: dict[str, Any]) -> dict[str, Any]:
    return {"sipp_url": access["url"], "redirected_to": access["redirected_to"],
            "http_status": access["status"],
            "response_ms": access["response_ms"], "title": access["title"], "ok": access["ok"],
            "problems": access["problems"]}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "expected_text": {"type": "str", "default": "SIPP"},
            "status_codes": {"type": "list", "elements": "int", "default": [200]},
            "max_response_seconds": {"type": "float", "default": 5},
            "timeout": {"type": "int", "default": 30},
            "validate_certs": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    p = module.params
    # Credentials in the URL (user:password@, a token in the query) never reach the
    # records: every string of the result and its invocation is masked, a failure's too.
    secrets = url_secrets(p["url"])
    invocation = {"module_args": mask_data(dict(p), secrets)}
    # else blamed on SIPP: "no complete answer within 0 s", "waktu respons 3 ms melebihi 0
    # dtk"; an infinite or NaN max_response_seconds silently switched the limit off
    bad_seconds = seconds_error(p, "timeout", "max_response_seconds")
    if bad_seconds:
        module.fail_json(**bad_seconds, invocation=invocation)
    # a typing error in the setting, not SIPP that does not answer ("tidak ada jawaban
    # dari localhost/sipp/: not an http(s) URL"); url_error masks the credentials
    bad_url = url_error(p["url"])
    if bad_url:
        module.fail_json(msg=f"url: {bad_url}", setting="url", invocation=invocation)
    answer = request(p["url"], p["timeout"], p["validate_certs"])
    access = mask_data(grade(p["url"], answer, p), secrets)
    module.exit_json(changed=False, access=access, sop_output=sop_output(access),
                     invocation=invocation)


if __name__ == "__main__":
    main()
