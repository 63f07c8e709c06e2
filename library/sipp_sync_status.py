#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Freshness of SIPP's synchronisation: the public page's "Pembaharuan Data" (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sipp_sync_status
short_description: Read when SIPP last synchronised and how old that is
description:
  - Fetches the public SIPP page (from the host the module runs on, as SIPP's own sync
    would reach it) and reads its C(Pembaharuan Data) date, or the text matched by
    O(marker_regex), and computes its age.
  - Redirects (a login page, at most 10) are followed to http and https addresses, never
    from https down to plain http (a TLS downgrade, which would carry the URL's token
    along in the clear and read a page anyone on the way may write) nor to another
    scheme. Such a redirect of the public page fails the module naming where it leads
    (C(dialihkan ke http tanpa TLS)); of O(central_status_url) it is RV(sync.central.error).
    So is a redirect loop, or more than 10 redirects (C(dialihkan berputar)), no page read.
  - Understands C(2026-11-21 14:05:00), C(2026/11/21 14:05), C(21-11-2026 14:05:33),
    C(21/11/2026 14:05:00), C(21.11.2026 14.05) and Indonesian or English month names,
    whole or cut short (C(21 November 2026 14:05 WIB), C(Sabtu, 21 Nop 2026 | pukul 14.05),
    C(21-Agt-2026 14:05); Januari ... Desember, Jan, Feb/Peb, Mar, Apr, Mei, Jun, Jul,
    Agu/Agt/Ags/Agus, Sep/Sept, Okt, Nov/Nop, Des). The time follows the date after a space,
    a comma, a C(|) or a C(-), perhaps C(pukul)/C(pkl.)/C(jam), its parts split by a colon or
    by C(.) as Indonesian writes them (C(14.05)). A 12-hour time is read with its C(AM) or
    C(PM) (C(02:05 PM), C(2:05 p.m.) are 14:05; C(13:05 PM) is not read). HTML entities
    are read as a browser shows them (C(21&nbsp;Nov&nbsp;2026&nbsp;14:05)).
  - A date in digits is day first (C(03/12/26) is 3 December); a year of two digits is
    20YY (C(21/11/26) and C(21 Nov '26) are 2026). A date without a time, a time before
    its date or a date that does not exist (C(31/02/2026)) is not read; the result says
    the date is unreadable (never fresh) rather than guess one.
  - A WIB/WITA/WIT (in any case, C(Wita)), C(GMT+8), C(UTC+07:00) or C(+07:00) suffix,
    or ISO 8601's C(Z) right after the time (C(2026-11-21T07:05:00Z), UTC), sets the time
    zone, else O(timezone) applies. An offset no clock keeps, outside
    C(-12:00) to C(+14:00) (C(GMT+20)), leaves the date unreadable.
  - A page or SIPP MA answering an HTTP error (4xx, 5xx) is named with the reason its
    answer gives, on one line of at most 200 characters, credentials masked (a JSON
    object's C(message), C(error), C(detail) or C(msg), else the PHP or database error the
    page shows, as below, else the text without its tags), e.g.
    C(HTTP 404) followed by C(satker has never synchronised).
  - A public page without its marker that shows a PHP fatal or parse error or a database
    error in its place (C(Fatal error), C(Too many connections), C(SQLSTATE[...]),
    CodeIgniter's C(A Database Error Occurred) ...; PHP shows one with status 200 when
    C(display_errors) is on) is named by that error in RV(sync.message) (one line, no stack
    trace, login arguments masked), not as a marker not found; never fresh.
  - Optionally asks the central SIPP MA for the court's last sync (O(central_status_url),
    a JSON answer whose C(last_sync) is an ISO 8601 date and time such as C(2026-11-21T07:00:00Z),
    C(2026-11-21 14:00:00.123456789+0700), C(2026-11-21t07:00z), an offset with or without
    its colon, one without an offset taken as UTC). The module reads these forms itself,
    alike on any Python from 3.9 (ISO 8601's basic form C(20261121T070000Z) is not read, as
    Python 3.9 does not); a date without a time is unreadable (RV(sync.central.error)).
  - With O(compare_counts), the C(Penyamaan data) of the SOP (the data made equal with SIPP
    MA) is checked. SIPP MA's counts C(cases) and C(putusan) from O(central_status_url)'s
    answer are compared with the local SIPP database's, counted as SIPP's sync counts them
    (the rows of C(perkara) and of C(perkara_putusan)), after SIPP MA answered
    (RV(sync.comparison)). The database is read only when SIPP MA's answer holds a count;
    an answer without one skips the comparison and says so.
  - The counts' query ends on the server after O(query_timeout) seconds too (MariaDB's
    C(max_statement_time), 10.1.8 and later, or the lower one the server already sets;
    MySQL's server is not bounded), not only the client, which left the server counting
    on when given up alone.
  - Read-only; never reports a change; the playbook decides what stale means for the
    run (O(max_age_hours) gives the C(fresh) verdict) and what a difference of the
    counts means (RV(sync.comparison.status)). Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
  - sipp_db
  - sipp_zone
options:
  public_url:
    description:
      - URL of the public SIPP page showing the last update.
      - A C(user:password@) in a URL is sent as HTTP basic credentials (to that site only,
        never on a redirect to another). Credentials
        (userinfo, query values whose name says token, key, password, secret ...) are
        shown as C(***) in every result, message and the module's invocation.
    type: str
    required: true
  marker_regex:
    description: Regex whose first group is the date text.
    type: str
    default: 'Pembaharuan\s+Data\s*(?::\s*|<[^<>]*>\s*)*([^<\r\n]+)'
  timezone:
    description:
      - Time zone of a date without a suffix (an IANA name, C(WIB), C(WITA) or C(WIT), or
        an offset such as C(+07:00); see the notes).
    type: str
    default: Asia/Jakarta
  max_age_hours:
    description: The date is fresh when younger than this many hours (above 0 and at most
      87600, ten years, else the module fails with C(setting) C(max_age_hours)).
    type: float
    default: 8
  central_status_url:
    description: URL of the central SIPP MA's status of this court (JSON), optional;
      credentials as in O(public_url).
    type: str
  timeout:
    description: Seconds allowed for each HTTP request (above 0 and at most 86400, one day,
      else the module fails with C(setting) C(timeout)); an answer not complete after three times this is given
      up (a site sending slowly).
    type: int
    default: 15
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  compare_counts:
    description:
      - Compare SIPP MA's counts (O(central_status_url)) with the local SIPP database's
        (RV(sync.comparison)); the database options say how to reach it.
      - A database that cannot be read is the comparison's C(error), never the module's
        failure; a O(database) no client can be pointed at (empty, a leading C(-), longer
        than 64 characters) fails the module before anything is read, with C(setting)
        C(database).
    type: bool
    default: false
  count_tolerance:
    description:
      - How many more perkara (and putusan) the local database may hold than SIPP MA and
        still be C(within_tolerance) (cases registered after the sync counted them).
      - Below 0 or above 1000 (far more than any court registers while its sync runs;
        O(compare_counts) false turns the comparison off) fails the module with
        C(setting) C(count_tolerance).
    type: int
    default: 0
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Read the public SIPP page's last update
  sipp_sync_status:
    public_url: https://sipp.pn-contoh.go.id/
    max_age_hours: 8
    central_status_url: "http://sippma:8080/api/status/400999"
    compare_counts: true
    login_user: sop_backup
    login_password: "{{ sipp_db_password }}"
  register: sipp_sync_state

- name: Fail when the public SIPP data is stale
  ansible.builtin.assert:
    that: sipp_sync_state.sync.fresh
    fail_msg: "{{ sipp_sync_state.sync.message }}"
"""

RETURN = r"""
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {pembaharuan_data: "2026-11-21 14:05:00 WIB", age_hours: 0.2, fresh: true}
sync:
  description: The synchronisation state.
  returned: success
  type: dict
  contains:
    public_url:
      description: The page read.
      type: str
    http_status:
      description: HTTP status of the page.
      type: int
    redirected_to:
      description: Where the public URL's redirects led (credentials masked), or null
        when the page read is the URL's own. A marker not found on it is named with it
        (a redirect to a login or error page).
      type: str
    marker_text:
      description: The text the regex matched, or null.
      type: str
    last_sync:
      description: The parsed date (ISO 8601 with offset), or null.
      type: str
    age_seconds:
      description: Age of the date (null when not found).
      type: int
    age_hours:
      description: Age in hours, one decimal.
      type: float
    max_age_hours:
      description: The threshold applied.
      type: float
    fresh:
      description:
        - Whether the date was found and is younger than the threshold.
        - A date more than five minutes ahead of the clock is not fresh (RV(sync.in_future)).
      type: bool
    in_future:
      description: Whether the date is more than five minutes ahead of the clock (a clock
        or time-zone error, or a wrong page).
      type: bool
    message:
      description: One line for the report (Bahasa Indonesia).
      type: str
    checked_at:
      description: When the page was read, this host's clock (ISO 8601, UTC).
      type: str
    central:
      description:
        - The central SIPP MA's answer (url, http_status, data, last_sync, age_seconds,
          age_hours, fresh, in_future, message, error, and cases and putusan, the
          answer's counts of cases and of decisions, each null when it is not a count).
        - C(data) is the decoded answer when its text is at most 4096 characters; a
          longer one is C(data_excerpt) instead, its first 4096 characters (the URLs'
          credentials masked before the cut) followed by C(... [cut from N characters]). C(last_sync) and C(cases) are read from the
          whole answer.
        - >-
          A request that failed (an HTTP error, no answer) is its C(error), the URL
          followed by what a known HTTP status (400, 401, 403, 404, 429, 500, 502, 503, 504; else
          its class, 4xx or 5xx) or connection error (refused, timed out, a name DNS does
          not know, no route, reset, a certificate not verified, the proxy) means in Bahasa
          Indonesia, the raw cause in parentheses
          (C(https://sippma/...: SIPP MA sedang tidak melayani (pemeliharaan atau beban
          penuh) (HTTP 503: Service Unavailable))); another cause as it came, its control
          characters escaped (C(\x1b)).
        - An answer without a C(last_sync) text (none, null, a number) has no verdict; its
          C(error) says so (C(answer has no last_sync)), with the reason a JSON answer gives
          (C(message), C(error), C(detail) or C(msg)). An answer that is not JSON (a login
          page, PHP's error, answered with status 200) is C(answer is not JSON), with the
          PHP or database error it shows. Either names where SIPP MA's redirects led
          (C(; dialihkan ke https://.../login)).
        - Its last_sync is judged as the page's date is (O(max_age_hours), in_future more
          than five minutes ahead of the clock, never fresh) in its own fresh and message;
          RV(sync.fresh) is the public page's verdict alone.
      type: dict
    comparison:
      description:
        - With O(compare_counts), the Penyamaan data. C(local), the local database's
          C(cases) and C(putusan) (null when not read); C(central), SIPP MA's (each null
          when its answer holds no count); C(difference), local minus SIPP MA of each
          count compared (null otherwise); C(tolerance), O(count_tolerance); C(message),
          the report's line (Bahasa Indonesia, numbers as C(1.250); see the sample).
        - C(status) C(equal); C(within_tolerance), the local database larger by at most
          O(count_tolerance); C(local_larger), larger by more; C(central_larger), SIPP MA
          counting more than the local database on any count (data lost locally, or an
          answer that is not this court's); C(skipped), no count to compare (no
          O(central_status_url), SIPP MA's answer an error or without counts), never a
          difference; C(error), the database could not be read (C(message) names why).
      type: dict
      sample:
        status: equal
        local: {cases: 1250, putusan: 980}
        central: {cases: 1250, putusan: 980}
        difference: {cases: 0, putusan: 0}
        tolerance: 0
        message: "Penyamaan data: SIPP lokal dan SIPP MA sama (1.250 perkara, 980 putusan)"
  sample:
    public_url: http://web/sipp-publik/
    http_status: 200
    marker_text: "2026-11-21 14:05:00 WIB"
    last_sync: "2026-11-21T14:05:00+07:00"
    age_seconds: 620
    age_hours: 0.2
    max_age_hours: 8.0
    fresh: true
"""

import datetime as dt  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from collections.abc import Callable, Mapping, Sequence  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_clock import (  # noqa: E402
    MAX_OFFSET,
    MIN_OFFSET,
    ahead_of_clock,
    parse_moment,
)
from ansible.module_utils.sop_http import (  # noqa: E402
    context_for,
    not_followed,
    page_error,
    redirect_destination,
    redirects,
    refused_target,
    scheme_followed,
    strip_tags,
    unread_chain,
)
from ansible.module_utils.sop_mariadb import (  # noqa: E402
    CLIENT_BINARIES,
    Connection,
    MariaDBError,
    connection_from_params,
    find_binary,
)
from ansible.module_utils.sop_options import (  # noqa: E402
    RANGES,
    duration_error,
    range_error,
    seconds_error,
)
from ansible.module_utils.sop_secrets import (  # noqa: E402
    basic_auth,
    mask_data,
    mask_text,
    mask_url,
    url_secrets,
)
from ansible.module_utils.sop_sipp_central import meaning  # noqa: E402
from ansible.module_utils.sop_sipp_schema import (  # noqa: E402
    SIPP_DB_ARGUMENT_SPEC,
    database_error,
    format_offset,
    offset_minutes,
    query,
    zone_error,
)
from ansible.module_utils.sop_tree import shown  # noqa: E402

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "peb": 2, "februari": 2, "pebruari": 2,
    "february": 2, "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5,
    "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8,
    "agt": 8, "ags": 8, "agus": 8, "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10, "nov": 11,
    "nop": 11, "november": 11, "nopember": 11, "des": 12, "desember": 12, "dec": 12,
    "december": 12,
}
# A date and its time as Indonesian pages write them: the time after a space, a comma,
# a '|' or a '-', perhaps "pukul"/"pkl."/"jam", its parts split by ':' or '.' (14.05).
# No number is read out of a longer one: "2026/11/21" is no "26/11/21".
# A 12-hour time says AM or PM after it (02:05 PM, 2:05 p.m.): 14:05, never 02:05.
_TIME = (r"(?:\s*[,|-]\s*|\s+|T)(?:(?:pukul|pkl\.?|jam)\s*)?"
         r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?(?!\d)"
         r"(?:\s*(?P<meridiem>[ap])\.?\s?m(?:\.|(?!\w)))?")
_YEAR = r"(?P<year>\d{4}|'?\d{2})"
# A year of two digits is 20YY (21/11/26 is 2026), and 03/12/26 is 3 December:
# Indonesian pages write the day first. A month named is in MONTHS, else no date.
PATTERNS = tuple(re.compile(r"(?<!\d)" + date + _TIME, re.IGNORECASE) for date in (
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})",
    r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)" + _YEAR,
    r"(?P<day>\d{1,2})(?:\s*-\s*|\s+)(?P<month>[A-Za-z]+)\.?(?:\s*-\s*|\s+)" + _YEAR,
))
# The public page's marker: the text after "Pembaharuan Data", its colon and any tags,
# in any order (a table's <td>:</td> between the label and its date). Written so that
# no text makes it slow: one way to split a run of spaces (\s*:?\s* split a crafted run
# of blank lines in n^2 ways) and tags that end before the next '<'.
DEFAULT_MARKER_REGEX = r"Pembaharuan\s+Data\s*(?::\s*|<[^<>]*>\s*)*([^<\r\n]+)"
# The marker text kept and parsed: a date and its zone fit many times over; a line that
# runs on (a crafted page) is cut rather than copied into the record.
MAX_MARKER = 200
# SIPP MA's answer kept in the result (the task result, the runner's artifacts and
# records): whole up to this many characters, else its beginning, marked as cut. What the
# role reads of it (last_sync, cases) is read from the whole answer.
MAX_CENTRAL_DATA = 4096
UTC = dt.timezone.utc
# The keys whose text is an error answer's reason (SIPP MA's JSON {"message": ...}).
REASON_KEYS = ("message", "error", "detail", "msg")
# Penyamaan data: each count SIPP MA's status answer holds (the court's sync sent it) and
# the report's word for it; LOCAL_COUNTS_SQL counts them, in this order, in the local
# database as SIPP's sync does (lab/roles/lab_sipp/files/sipp-sync). jadwal_mendatang is
# not compared: it counts the hearings from CURDATE() on, a number that changes at
# midnight without any new data.
COUNTS = (("cases", "perkara"), ("putusan", "putusan"))
LOCAL_COUNTS_SQL = "SELECT (SELECT COUNT(*) FROM perkara), (SELECT COUNT(*) FROM perkara_putusan);"
# A count taken from SIPP MA's answer: a crafted one could be anything.
MAX_COUNT = 10 ** 12
# What a date of year, month and day 0 is: no date (SIPP shows an empty DATETIME so),
# not a month out of range.
ZERO_DATE_SAYS = "the zero date, MySQL's empty date"
# A zone in any case: pages write "WITA", "Wita" and "wita" alike; UTC or GMT with an
# offset ("GMT+8", "UTC+07:00") or without; an offset alone at the end ("+07:00"); or
# ISO 8601's Z (UTC) right after the time, its fraction of a second perhaps between.
_SUFFIX = re.compile(
    r"\b(WIB|WITA|WIT)\b"
    r"|\b(?:UTC|GMT)(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?)?(?![\w+-])"
    r"|([+-])(\d{2}):?(\d{2})\s*$"
    r"|^(?:[.,]\d+)?(Z)(?!\w)", re.IGNORECASE)


class StatusError(Exception):
    """One line for the operator; a failed request's also with ``where`` (the URL, masked),
    ``cause`` (the connection's error, or ``HTTP 503`` and the reason the answer gives)
    and ``status`` (the HTTP status; None when no answer came)."""

    def __init__(self, line: str, where: str | None = None, cause: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(line)
        self.where, self.cause, self.status = where, cause, status


def explained(exc: StatusError) -> str:
    """SIPP MA's failed request for the report: a known HTTP status or class, or a known
    connection error, in Bahasa Indonesia with the raw cause in parentheses; another
    cause raw; either on one line (sop_tree.shown: it came over the network). A line
    without a cause (a redirect refused, a loop) is already the report's."""
    if exc.cause is None:
        return str(exc)
    told = meaning(exc.cause, exc.status)
    cause = shown(exc.cause)
    return f"{exc.where}: {told} ({cause})" if told else f"{exc.where}: {cause}"


def _offset(suffix: re.Match[str]) -> int:
    """The offset in minutes a _SUFFIX match names."""
    zone, gmt_sign, gmt_hours, gmt_minutes, sign, hours, minutes, zulu = suffix.groups()
    if zulu:
        return 0
    if zone:
        return offset_minutes(zone)
    if not sign:  # UTC or GMT, with an offset or not
        sign, hours, minutes = gmt_sign or "+", gmt_hours or "0", gmt_minutes
    return (-1 if sign == "-" else 1) * (int(hours) * 60 + int(minutes or 0))


def _month(text: str) -> int | None:
    """A month's number, written in digits or named (None: a word no month's name)."""
    return int(text) if text.isdigit() else MONTHS.get(text.lower())


def _hour(text: str, meridiem: str | None) -> int:
    """The hour of the day; a 12-hour time's (meridiem 'a' or 'p') is 1 to 12, else
    ValueError (13 PM is no time)."""
    hour = int(text)
    if meridiem is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} of a 12-hour time is not 1 to 12")
    return hour % 12 + (12 if meridiem.lower() == "p" else 0)


def _year(text: str) -> int:
    """A page's year: 26 and '26 are 2026."""
    year = int(text.lstrip("'"))
    return year + 2000 if year < 100 else year


def parse_iso(text: str) -> dt.datetime:
    """SIPP MA's last_sync, an ISO 8601 date and time (sop_clock.parse_moment: alike on
    every host Python), UTC when it names no offset; ValueError naming why for anything
    else, a date without its time included (midnight would be a guess)."""
    moment = parse_moment(text.strip(), time_required=True)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _cut(text: str) -> str:
    """Text kept for the record: at most MAX_MARKER characters."""
    return text if len(text) <= MAX_MARKER else text[:MAX_MARKER - 3].rstrip() + "..."


def kept_answer(body: str, data: Any, secrets: Sequence[str] = ()) -> dict[str, Any]:
    """SIPP MA's answer as the result keeps it: ``data``, the decoded answer, when its
    text is short, else ``data_excerpt``, the beginning of the text with ``secrets`` and
    URLs masked (before the cut: a secret it splits would no longer be found whole) and
    how long it was."""
    if len(body) <= MAX_CENTRAL_DATA:
        return {"data": data}
    shown = mask_text(body, secrets) or ""
    return {"data_excerpt": f"{shown[:MAX_CENTRAL_DATA]}... [cut from {len(body)} characters]"}


def parse_marker(text: str, default_offset: int) -> dt.datetime:
    """An aware datetime from the marker text; raises StatusError."""
    for pattern in PATTERNS:
        match = pattern.search(text)
        month = _month(match["month"]) if match else None
        if match is None or month is None:
            continue
        if month == 0 and int(match["day"]) == 0 and int(match["year"].lstrip("'")) == 0:
            raise StatusError(f"no sync date in {text.strip()!r}: {ZERO_DATE_SAYS}")
        offset = default_offset
        suffix = _SUFFIX.search(text[match.end():])
        if suffix:
            offset = _offset(suffix)
        if not MIN_OFFSET <= offset <= MAX_OFFSET:  # GMT+20: no clock keeps it
            raise StatusError(f"invalid date in {text.strip()!r}: time zone offset "
                              f"{format_offset(offset)} is not one of -12:00 to +14:00")
        try:
            return dt.datetime(_year(match["year"]), month, int(match["day"]),
                               _hour(match["hour"], match["meridiem"]), int(match["minute"]),
                               int(match["second"] or 0),
                               tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
        except ValueError as exc:
            raise StatusError(f"invalid date in {text.strip()!r}: {exc}") from exc
    raise StatusError(f"no date with a time found in {text.strip()!r}")


def reason(body: str, secrets: Sequence[str] = ()) -> str:
    """Why an error answer says it failed, for its one line: a JSON object's message
    (REASON_KEYS), else the PHP or database error the page shows (sop_http.page_error:
    not its stack trace, whose login arguments the text would show), else the text
    without its tags; on one line, ``secrets`` and URL credentials masked before it is
    cut to MAX_MARKER characters."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    given = said_in(data)
    if given is None and (shown := page_error(body)) is not None:
        return _cut(mask_text(shown, secrets) or "")
    return _line(strip_tags(body) if given is None else given, secrets)


def said_in(data: Any) -> str | None:
    """The reason a decoded JSON answer gives, its first REASON_KEYS text; None when it
    gives none."""
    found = [data[key] for key in REASON_KEYS
             if isinstance(data, dict) and isinstance(data.get(key), str)]
    return found[0] if found else None


def _line(text: str, secrets: Sequence[str]) -> str:
    """``text`` on one line, ``secrets`` and URL credentials masked before it is cut to
    MAX_MARKER characters."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text[:MAX_CENTRAL_DATA]).split())
    return _cut(mask_text(line, secrets) or "")


def no_status(what: str, said: str | None, redirected_to: str | None) -> str:
    """The error of SIPP MA's answer that is no status of the court (``what``), with what
    it says instead (a login page, PHP's error, an error's message) and where its
    redirects led (a login page): the address last, as ``evaluate`` names it."""
    return (what + (f": {said}" if said else "")
            + (f"; dialihkan ke {redirected_to}" if redirected_to else ""))


def fetch(url: str, timeout: int, validate_certs: bool,
          secrets: Sequence[str] = ()) -> tuple[int, str, str | None]:
    """(status, page, where the redirects led: None when the page is the URL's own) of a
    page that answered 2xx or 3xx; else StatusError naming why (the URL masked; an HTTP
    error with the reason its answer gives, see ``reason``). Redirects are followed to
    http(s) addresses of any site (a login page), never from https down to plain http
    (sop_http.scheme_followed): the URL's token, which such a redirect carries along,
    would go out in the clear and a page anyone on the way may write be read; that one
    is the error, naming where it leads; so is a loop or the hop limit (no page read,
    never a redirect's empty answer read as the page). A user:password@ in the URL is
    sent as HTTP basic credentials (on to a redirect of the same site only:
    sop_http.redirects)."""
    plain, authorization = basic_auth(url)
    chain = redirects(plain, timeout, context_for(validate_certs), follow=scheme_followed,
                      headers={"User-Agent": "sop-sipp-sync-status"},
                      authorization=authorization)
    answer = chain[-1]
    if answer["status"] < 0:
        raise StatusError(f"{mask_url(url)}: {answer['error']}", mask_url(url), answer["error"])
    if (target := refused_target(answer, scheme_followed)) is not None:
        raise StatusError(f"{mask_url(url)} {not_followed(target)} (tidak diikuti)")
    if (unread := unread_chain(chain)) is not None:  # a loop or the hop limit: no page
        raise StatusError(f"{mask_url(url)} {unread}: halaman tidak terbaca")
    if answer["status"] >= 400:
        said = reason(answer["body"], secrets)
        cause = f"HTTP {answer['status']}{': ' + said if said else ''}"
        raise StatusError(f"{mask_url(url)}: {cause}", mask_url(url), cause, answer["status"])
    return answer["status"], answer["body"], redirect_destination(plain, answer)


def age_of(when: dt.datetime, now: dt.datetime) -> tuple[int, float]:
    seconds = int((now - when).total_seconds())
    return seconds, round(seconds / 3600.0, 1)


def verdict(subject: str, when: dt.datetime, max_age: float, now: dt.datetime,
            future_cause: str) -> dict[str, Any]:
    """The age of a sync time read elsewhere, whether it is fresh, and the report's line
    on it: one lying further ahead of the clock than sop_clock allows is never fresh,
    and the line says so with ``future_cause``."""
    seconds, hours = age_of(when, now)
    in_future = ahead_of_clock(seconds)
    fresh = not in_future and seconds <= max_age * 3600
    if in_future:
        message = f"{subject}: {angka(-hours, 1)} jam di masa depan ({future_cause}); tidak dianggap segar"
    else:
        message = (f"{subject}: umur {angka(hours, 1)} jam, batas {angka_ringkas(max_age)} jam "
                   f"({'segar' if fresh else 'BASI'})")
    return {"last_sync": when.isoformat(), "age_seconds": seconds, "age_hours": hours,
            "fresh": fresh, "in_future": in_future, "message": message}


def evaluate(page: str, regex: str, default_offset: int, max_age: float,
             now: dt.datetime, *, redirected_to: str | None = None) -> dict[str, Any]:
    """The freshness verdict of a fetched page; ``redirected_to``, where the public URL's
    redirect led (a login or error page has no marker), is named when the marker is not
    found. A page without the marker that shows a PHP or database error in its place
    (sop_http.page_error) is named by that error: SIPP could not build the page, which
    is no missing marker."""
    match = re.search(regex, page, re.IGNORECASE)
    if not match:
        # the address last: the masking of its query would take a ')' after it along
        where = f"; halaman dialihkan ke {redirected_to}" if redirected_to else ""
        shown = page_error(page)
        return {"marker_text": None, "last_sync": None, "age_seconds": None,
                "age_hours": None, "fresh": False, "in_future": False,
                "message": (f"Halaman SIPP publik menampilkan galat PHP/database, tanda "
                            f"'Pembaharuan Data' tidak terbaca: {shown}{where}"
                            if shown is not None else
                            f"Tanda 'Pembaharuan Data' tidak ditemukan di halaman SIPP publik{where}")}
    # a marker_regex whose first group is optional may match without it: no date
    text = _cut(((match.group(1) if match.groups() else match.group(0)) or "").strip())
    try:  # the date as the browser shows it: &nbsp; between its words is a space
        when = parse_marker(html.unescape(text), default_offset)
    except StatusError as exc:
        return {"marker_text": text, "last_sync": None, "age_seconds": None,
                "age_hours": None, "fresh": False, "in_future": False,
                "message": f"Tanggal 'Pembaharuan Data' tidak terbaca: {exc}"}
    return {"marker_text": text, **verdict(
        f"Pembaharuan Data {text}", when, max_age, now,
        "jam server atau zona waktu salah, atau halaman tidak benar")}


def central_status(url: str, timeout: int, validate_certs: bool, max_age: float,
                   now: dt.datetime, *, secrets: Sequence[str] = ()) -> dict[str, Any]:
    """The central SIPP MA's answer, its last_sync judged as the page's date is; errors
    are reported, not raised. ``secrets`` are masked in the answer's excerpt."""
    result: dict[str, Any] = {"url": mask_url(url)}
    try:
        status, body, redirected_to = fetch(url, timeout, validate_certs, secrets=secrets)
    except StatusError as exc:
        result["error"] = explained(exc)
        return result
    result["http_status"] = status
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: an answer nested too deep
        # a login page or PHP's error answered with status 200: named, with where it led
        result["error"] = no_status("answer is not JSON", page_error(body), redirected_to)
        return result
    result.update(kept_answer(body, data, secrets))
    result.update({key: count_of(data, key) for key, _ in COUNTS})
    last = data.get("last_sync") if isinstance(data, dict) else None
    if not isinstance(last, str):
        # no verdict without a date: the report says why rather than show nothing
        given = said_in(data)
        result["error"] = no_status(
            "answer has no last_sync" if last is None else
            f"last_sync is no ISO 8601 text but {type(last).__name__}",
            None if given is None else _line(given, secrets), redirected_to)
        return result
    try:
        if last.strip().startswith("0000-00-00"):
            raise ValueError(ZERO_DATE_SAYS)
        when = parse_iso(last)
    except ValueError as exc:
        result["error"] = f"unreadable last_sync {_cut(last)!r}: {exc}"
        return result
    # A time without an offset is read as UTC: a SIPP MA writing its WIB time so
    # lies hours ahead, which the line names.
    result.update(verdict(f"last_sync {when.isoformat()}", when, max_age, now,
                          "jam server atau SIPP MA salah, atau waktu tanpa zona yang "
                          "bukan UTC"))
    return result


def count_of(data: Any, key: str) -> int | None:
    """The count SIPP MA's answer ``data`` gives under ``key``, else None: only a whole
    number from 0 below MAX_COUNT reaches the record."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_COUNT:
        return value
    return None


def local_counts(conn: Connection) -> dict[str, int]:
    """The local SIPP database's counts (COUNTS' keys); MariaDBError naming the database
    when it cannot be read or answers anything but one row of numbers."""
    try:
        rows = query(conn, LOCAL_COUNTS_SQL)
    except MariaDBError as exc:
        raise MariaDBError(f"SIPP database {conn.database}: {exc}") from exc
    cells = rows[0] if len(rows) == 1 and len(rows[0]) == len(COUNTS) else []
    counts = {key: int(cell) for (key, _), cell in zip(COUNTS, cells)
              if cell is not None and cell.isascii() and cell.isdigit()}
    if len(counts) != len(COUNTS):
        raise MariaDBError(f"SIPP database {conn.database}: the counts' query answered "
                           f"{_cut(repr(rows))}")
    return counts


def _count_part(word: str, local: int, central: int, tolerance: int) -> str:
    """One count's part of the report's line: equal, or both numbers and which is larger
    by how many."""
    difference = local - central
    if difference == 0:
        return f"{angka(local)} {word} sama"
    larger = (f"lokal lebih banyak {angka(difference)}"
              + (f", dalam toleransi {angka(tolerance)}" if difference <= tolerance else "")
              if difference > 0 else f"SIPP MA lebih banyak {angka(-difference)}")
    return f"{word}: SIPP lokal {angka(local)}, SIPP MA {angka(central)} ({larger})"


def compare_counts(local: Mapping[str, int], central: Mapping[str, int | None],
                   tolerance: int) -> dict[str, Any]:
    """The Penyamaan data of the counts SIPP MA gave (``central``, at least one) with the
    local ones: its status (see RETURN), each difference (local minus SIPP MA) and the
    report's line, which names a count SIPP MA did not give as not compared."""
    pairs = {key: (word, local[key], count) for key, word in COUNTS
             if (count := central.get(key)) is not None}
    difference = {key: pairs[key][1] - pairs[key][2] if key in pairs else None
                  for key, _ in COUNTS}
    found = [difference[key] or 0 for key in pairs]
    if min(found) < 0:
        status, heading = "central_larger", (
            "SIPP MA mencatat lebih banyak dari SIPP lokal (data SIPP lokal terhapus atau "
            "hilang, atau jawaban SIPP MA bukan data pengadilan ini)")
    elif max(found) > tolerance:
        status, heading = "local_larger", "SIPP lokal lebih banyak dari SIPP MA"
    elif max(found) > 0:
        status, heading = "within_tolerance", (
            f"SIPP lokal dan SIPP MA sama dalam toleransi {angka(tolerance)}")
    else:
        status, heading = "equal", "SIPP lokal dan SIPP MA sama"
    if status == "equal":
        line = f"{heading} ({', '.join(f'{angka(n)} {word}' for word, n, _ in pairs.values())})"
    else:
        line = f"{heading}: " + "; ".join(
            _count_part(word, n, count, tolerance) for word, n, count in pairs.values())
    missing = [word for key, word in COUNTS if key not in pairs]
    if missing:
        # absent or no count (`"980"`, `-1`, `1e400`, `true`): never "not sent" for either
        line += (f"; {' dan '.join(missing)} tidak dikirim SIPP MA sebagai jumlah "
                 "(tidak dibandingkan)")
    return {"status": status, "local": dict(local), "central": dict(central),
            "difference": difference, "tolerance": tolerance,
            "message": f"Penyamaan data: {line}"}


def count_comparison(central: Mapping[str, Any] | None, read_local: Callable[[], dict[str, int]],
                     tolerance: int) -> dict[str, Any]:
    """The Penyamaan data of SIPP MA's answer (``central_status``'s result, None when not
    asked): skipped, and why, when it holds no count (the local database is then not
    read); the database's error when ``read_local`` raises MariaDBError; else
    ``compare_counts``."""
    counts = {key: (central or {}).get(key) for key, _ in COUNTS}
    result: dict[str, Any] = {"status": "skipped", "local": None, "central": counts,
                              "difference": None, "tolerance": tolerance}
    if all(count is None for count in counts.values()):
        why = ("status SIPP MA tidak dibaca (tanpa central_status_url)" if central is None
               else f"status SIPP MA tidak terbaca: {central['error']}" if central.get("error")
               else "jawaban SIPP MA tidak memuat jumlah perkara dan putusan")
        result["message"] = f"Penyamaan data dilewati: {why}"
        return result
    try:
        local = read_local()
    except MariaDBError as exc:
        result.update(status="error", message=f"Penyamaan data tidak dapat diperiksa: {exc}")
        return result
    return compare_counts(local, counts, tolerance)


def read_local_counts(params: Mapping[str, Any]) -> dict[str, int]:
    """``local_counts`` of the database the module's options name (SIPP_DB_ARGUMENT_SPEC),
    through the client they name or the first of CLIENT_BINARIES found."""
    binary = params["client_binary"] or find_binary(CLIENT_BINARIES)
    if not binary:
        raise MariaDBError("neither mariadb nor mysql client found on the host")
    return local_counts(connection_from_params(params, binary))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "public_url": {"type": "str", "required": True},
            "marker_regex": {"type": "str", "default": DEFAULT_MARKER_REGEX},
            "timezone": {"type": "str", "default": "Asia/Jakarta"},
            "max_age_hours": {"type": "float", "default": 8},
            "central_status_url": {"type": "str"},
            "timeout": {"type": "int", "default": 15},
            "validate_certs": {"type": "bool", "default": True},
            "compare_counts": {"type": "bool", "default": False},
            "count_tolerance": {"type": "int", "default": 0},
            **SIPP_DB_ARGUMENT_SPEC,
        },
        supports_check_mode=True,
    )
    p = module.params
    now = dt.datetime.now(UTC)
    # Credentials in the URLs (user:password@, a token in the query) never reach the
    # records: every string of the result, its invocation and any failure is masked.
    secrets = url_secrets(p["public_url"]) + url_secrets(p["central_status_url"])
    invocation = {"module_args": mask_data(dict(p), secrets)}

    def fail(msg: str, **result: Any) -> NoReturn:
        module.fail_json(msg=mask_data(msg, secrets), invocation=invocation, **result)
        raise SystemExit(1)  # fail_json exits

    try:
        re.compile(p["marker_regex"])
    except re.error as exc:
        fail(f"marker_regex: not a valid regex: {exc}", setting="marker_regex")
    bad_zone = zone_error(p, ["timezone"])
    if bad_zone:
        fail(bad_zone["msg"], setting=bad_zone["setting"])
    bad_timeout = seconds_error(p, "timeout")  # else blamed on the page: "no complete
    if bad_timeout:                             # answer within 0 s"
        fail(bad_timeout["msg"], setting=bad_timeout["setting"])
    bad_tolerance = range_error(p, "count_tolerance", **RANGES["count_tolerance"])
    if bad_tolerance:
        fail(bad_tolerance["msg"], setting=bad_tolerance["setting"])
    bad_query_timeout = seconds_error(p, "query_timeout")
    if bad_query_timeout:
        fail(bad_query_timeout["msg"], setting=bad_query_timeout["setting"])
    # the Penyamaan data's database: a leading '-' was read by the client as options
    # ('-sipp': -s -i and the password 'p', an 'Access denied' blaming the account)
    bad_database = database_error(p) if p["compare_counts"] else None
    if bad_database:
        fail(bad_database["msg"], setting=bad_database["setting"])
    bad_age = duration_error(p, "max_age_hours", unit="hours")  # else every date stale,
    if bad_age:                                                  # or fresh (1e12, inf)
        fail(bad_age["msg"], setting=bad_age["setting"])
    try:
        status, page, redirected_to = fetch(p["public_url"], p["timeout"],
                                            p["validate_certs"], secrets)
        sync = evaluate(page, p["marker_regex"], offset_minutes(p["timezone"]),
                        p["max_age_hours"], now, redirected_to=redirected_to)
    except StatusError as exc:
        fail(f"public SIPP page: {exc}")
    sync.update(public_url=mask_url(p["public_url"]), redirected_to=redirected_to,
                http_status=status,
                max_age_hours=p["max_age_hours"], checked_at=now.isoformat())
    if p["central_status_url"]:
        sync["central"] = central_status(p["central_status_url"], p["timeout"],
                                         p["validate_certs"], p["max_age_hours"], now,
                                         secrets=secrets)
    if p["compare_counts"]:
        # after SIPP MA answered: a case registered meanwhile makes the local count larger
        sync["comparison"] = count_comparison(sync.get("central"),
                                              lambda: read_local_counts(p),
                                              p["count_tolerance"])
    output: dict[str, Any] = {key: sync.get(key) for key in ("public_url", "last_sync", "age_hours",
                                              "max_age_hours", "fresh", "message")}
    output["pembaharuan_data"] = sync.get("marker_text")
    if "central" in sync:
        central = sync["central"]
        output["central"] = {key: central.get(key)
                             for key in ("last_sync", "age_hours", "fresh", "message",
                                         "error", "cases", "putusan")}
    if "comparison" in sync:
        output["comparison"] = sync["comparison"]
    module.exit_json(changed=False, sync=mask_data(sync, secrets),
                     sop_output=mask_data(output, secrets), invocation=invocation)


if __name__ == "__main__":
    main()
