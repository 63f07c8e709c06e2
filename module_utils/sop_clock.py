# GPL-3.0-or-later
"""Times read from elsewhere (a SIPP page, the backup ledger, a site's newest content)
against this host's clock: ISO 8601 dates and times parsed alike on every host Python,
and one rule for when such a time lies too far ahead to count.

A time a little ahead of the clock is two clocks a little apart; further ahead, it is a
clock or time-zone error, or a forged date, and a monitor never calls it fresh. Stdlib
only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import datetime
import re

# Seconds a time may lie ahead of this host's clock and still count.
FUTURE_TOLERANCE = 300

# ISO 8601 as RFC 3339 and W3C-DTF write it (feeds, sitemaps, RDAP) and as isoformat()
# does: YYYY-MM-DD, then optionally "T" (or a space), HH:MM[:SS[.fraction]] and a zone
# Z or +HH[[:]MM]. Read here, not by fromisoformat: Python 3.9's takes only isoformat()'s
# own output (no "Z", 3 or 6 fraction digits, "+HH:MM"), 3.11's also 20261118T020000Z
# or 2026-W47-3; what counts as a date must not depend on the host's Python.
_DAY = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_ISO_DAY = re.compile(_DAY, re.ASCII)
_ISO_MOMENT = re.compile(
    _DAY + r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<zone_hour>\d{2})(?::?(?P<zone_minute>\d{2}))?)?)?",
    re.ASCII)


def ahead_of_clock(age_seconds: float) -> bool:
    """Whether a time ``age_seconds`` old (negative: ahead of the clock) lies further
    ahead than FUTURE_TOLERANCE."""
    return age_seconds < -FUTURE_TOLERANCE


def parse_day(text: str) -> datetime.date:
    """A YYYY-MM-DD date; ValueError for any other text."""
    match = _ISO_DAY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))


def parse_moment(text: str) -> datetime.datetime:
    """An ISO 8601 date or time (the forms above): aware when it names its zone,
    fractions past microseconds cut; ValueError for any other text."""
    match = _ISO_MOMENT.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 time: {text!r}")
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    return datetime.datetime(int(match["year"]), int(match["month"]), int(match["day"]),
                             int(match["hour"] or 0), int(match["minute"] or 0),
                             int(match["second"] or 0), microsecond, tzinfo=_zone(match))


def _zone(match: re.Match[str]) -> datetime.timezone | None:
    if match["sign"] is None:
        return datetime.timezone.utc if match["zone"] else None
    minutes = int(match["zone_minute"] or 0)
    if minutes > 59:
        raise ValueError(f"not a UTC offset: {match['zone']!r}")
    offset = datetime.timedelta(hours=int(match["zone_hour"]), minutes=minutes)
    return datetime.timezone(-offset if match["sign"] == "-" else offset)
