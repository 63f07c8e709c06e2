# GPL-3.0-or-later
"""Times read from elsewhere (a SIPP page, the backup ledger, a site's newest content)
against this host's clock: ISO 8601 dates and times parsed alike on every host Python,
one rule for when such a time lies too far ahead to count, and the time zones a court's
settings name (WIB, WITA and WIT beside the tz database's names).

A time a little ahead of the clock is two clocks a little apart; further ahead, it is a
clock or time-zone error, or a forged date, and a monitor never calls it fresh. Stdlib
only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

# Seconds a time may lie ahead of this host's clock and still count.
FUTURE_TOLERANCE = 300
# The offsets clocks keep, in minutes east of UTC (UTC-12:00 to UTC+14:00): "+70:00" is a
# mistyped "+07:00", which would move a time by days without a word.
MIN_OFFSET, MAX_OFFSET = -12 * 60, 14 * 60

# Indonesia's zones by the names courts write them, in any case ("Wita"), as the tz
# database names them (it has no WIB, WITA or WIT). The runner keeps the same table
# (runner/sop/schedule.py: it cannot import this file) for sop_schedule.timezone, from which
# the roles' <role>_timezone settings default.
INDONESIAN_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

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


def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` names: WIB, WITA or WIT (in any case) Indonesia's, any other
    name the tz database's; ValueError 'unknown time zone NAME' when it names none, spaces
    around a name too (refused alike, as the runner refuses them, whatever the name)."""
    if name != name.strip():
        raise ValueError(f"unknown time zone {name!r}: write it without the spaces around it")
    try:
        return ZoneInfo(INDONESIAN_ZONES.get(name.upper(), name))
    except Exception:  # ZoneInfo raises several types for a bad key
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_day(text: str) -> datetime.date:
    """A YYYY-MM-DD date; ValueError for any other text."""
    match = _ISO_DAY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))


def zone_error(params: Mapping[str, Any], option: str) -> dict[str, str] | None:
    """The failure of a module's time zone ``option`` that names no zone (``zone``):
    ``msg`` ('<option>: unknown time zone ...') and ``setting`` (the option, which a role
    names by its variable); None for a zone. The website role's checks refuse its setting
    by this too (the filter sop_zone_error), before any activity runs."""
    try:
        zone(params[option])
    except ValueError as exc:
        return {"msg": f"{option}: {exc}", "setting": option}
    return None


def day_error(params: Mapping[str, Any], option: str) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of a module's date ``option`` that is no
    YYYY-MM-DD date (``parse_day``: 2027-02-30 neither); None for a date or empty (none
    given). The website role's checks refuse its setting by this too (the filter
    sop_day_error)."""
    value = params[option]
    if value:
        try:
            parse_day(value)
        except ValueError:
            return {"msg": f"{option} {value!r} is not a date (YYYY-MM-DD)", "setting": option}
    return None


def parse_moment(text: str, time_required: bool = False) -> datetime.datetime:
    """An ISO 8601 date or time (the forms above): aware when it names its zone,
    fractions past microseconds cut; ValueError for any other text (a date alone too,
    when ``time_required``), its message without the text (which may be an attacker's
    and any length: the caller quotes what it keeps)."""
    match = _ISO_MOMENT.fullmatch(text)
    if match is None or (time_required and match["hour"] is None):
        raise ValueError("not an ISO 8601 date and time")
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    return datetime.datetime(int(match["year"]), int(match["month"]), int(match["day"]),
                             int(match["hour"] or 0), int(match["minute"] or 0),
                             int(match["second"] or 0), microsecond, tzinfo=_zone(match))


def _zone(match: re.Match[str]) -> datetime.timezone | None:
    if match["sign"] is None:
        return datetime.timezone.utc if match["zone"] else None
    hours, minutes = int(match["zone_hour"]), int(match["zone_minute"] or 0)
    offset = (-1 if match["sign"] == "-" else 1) * (hours * 60 + minutes)
    if minutes > 59 or not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise ValueError(f"time zone offset {match['zone']!r} is not one of -12:00 to +14:00")
    return datetime.timezone(datetime.timedelta(minutes=offset))
