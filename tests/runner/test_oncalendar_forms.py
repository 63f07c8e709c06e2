"""systemd.time(7)'s calendar forms beyond the runner's own, read back by oncalendar:
their next occurrences, computed by hand (systemd's own are test_oncalendar's), on
Indonesia's clocks (no daylight saving time) and UTC, across month ends, leap years and
the `~` of a month's last days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sop.oncalendar import Calendar, next_occurrence, occurrences

WIB, WITA, WIT = (ZoneInfo(z) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"))
SATURDAY = datetime(2026, 3, 7, 11, 7, 30)  # 2026-03-07 is a Saturday
ZONES = {"UTC": UTC, "WIB": WIB, "WITA": WITA, "WIT": WIT}

# (expression, clock, the moment after which, on that clock, the next occurrences on it)
CASES = [
    ("Mon..Fri *-*-* 09,13,17:00", "WIB", "2026-03-07 18:00",
     ["2026-03-09 09:00", "2026-03-09 13:00", "2026-03-09 17:00", "2026-03-10 09:00"]),
    ("*:0/15", "UTC", "2026-03-07 11:07:30",
     ["2026-03-07 11:15", "2026-03-07 11:30", "2026-03-07 11:45", "2026-03-07 12:00"]),
    ("*-*-* 08..18/2:00", "WITA", "2026-03-07 17:30",
     ["2026-03-07 18:00", "2026-03-08 08:00", "2026-03-08 10:00"]),
    # the 29th: none in February 2026, one in February 2028 (leap year)
    ("*-*-1/7", "UTC", "2026-02-20 00:00",
     ["2026-02-22 00:00", "2026-03-01 00:00", "2026-03-08 00:00"]),
    ("*-*-1/7", "WIT", "2028-02-23 00:00", ["2028-02-29 00:00", "2028-03-01 00:00"]),
    ("*-*~01 09:00", "WIT", "2028-01-31 10:00",
     ["2028-02-29 09:00", "2028-03-31 09:00", "2028-04-30 09:00"]),
    ("*-02~03", "UTC", "2026-01-01 00:00",
     ["2026-02-26 00:00", "2027-02-26 00:00", "2028-02-27 00:00"]),
    # the last Monday of May
    ("Mon *-05~07/1 08:00", "WIB", "2026-01-01 00:00",
     ["2026-05-25 08:00", "2027-05-31 08:00", "2028-05-29 08:00"]),
    ("*-02-29 06:00", "WITA", "2026-03-01 00:00", ["2028-02-29 06:00", "2032-02-29 06:00"]),
    ("*-*-31 12:00", "UTC", "2026-04-01 00:00",
     ["2026-05-31 12:00", "2026-07-31 12:00", "2026-08-31 12:00"]),
    ("*-01,07-01..03 08:00", "WIB", "2026-06-30 00:00",
     ["2026-07-01 08:00", "2026-07-02 08:00", "2026-07-03 08:00", "2027-01-01 08:00"]),
    ("minutely", "UTC", "2026-03-07 11:07:30", ["2026-03-07 11:08", "2026-03-07 11:09"]),
    ("hourly", "WIT", "2026-03-07 11:07:30", ["2026-03-07 12:00", "2026-03-07 13:00"]),
    ("daily", "WIB", "2026-03-07 11:07:30", ["2026-03-08 00:00", "2026-03-09 00:00"]),
    ("weekly", "WIB", "2026-03-07 11:07:30", ["2026-03-09 00:00", "2026-03-16 00:00"]),
    ("monthly", "WITA", "2026-03-07 11:07:30", ["2026-04-01 00:00", "2026-05-01 00:00"]),
    ("Yearly", "UTC", "2026-03-07 11:07:30", ["2027-01-01 00:00", "2028-01-01 00:00"]),
    ("annually", "UTC", "2026-03-07 11:07:30", ["2027-01-01 00:00"]),
    ("quarterly", "WIB", "2026-03-07 11:07:30",
     ["2026-04-01 00:00", "2026-07-01 00:00", "2026-10-01 00:00", "2027-01-01 00:00"]),
    ("semiannually", "WIB", "2026-03-07 11:07:30", ["2026-07-01 00:00", "2027-01-01 00:00"]),
    # an explicit year: its last time, then never again
    ("2026-*-01 09:00", "WIB", "2026-11-15 00:00", ["2026-12-01 09:00"]),
    ("26-12-25", "UTC", "2026-01-01 00:00", ["2026-12-25 00:00"]),
    # a date left out: every day; a time left out: midnight; seconds left out: 0
    ("Mon", "WIT", "2026-03-07 11:07:30", ["2026-03-09 00:00", "2026-03-16 00:00"]),
    ("12-25", "WIB", "2026-03-07 11:07:30", ["2026-12-25 00:00", "2027-12-25 00:00"]),
    ("*:*:0/20", "UTC", "2026-03-07 11:07:30",
     ["2026-03-07 11:07:40", "2026-03-07 11:08:00", "2026-03-07 11:08:20"]),
    ("Sat 11:07:30.25", "WIB", "2026-03-07 11:07:30", ["2026-03-07 11:07:30.250000"]),
    # hour 18/4's 26:00 carries over to the next day from its first hour, as systemd's
    ("*-*-* 0,18/4:00", "UTC", "2026-03-07 22:30",
     ["2026-03-08 00:00", "2026-03-08 18:00", "2026-03-08 22:00"]),
    ("*-02-30 09:00", "WIB", "2026-01-01 00:00", []),
    # spaces: any number between the parts, and after a date or weekdays
    ("Mon  *-*-*  12:00", "UTC", "2026-03-07 11:07:30", ["2026-03-09 12:00", "2026-03-16 12:00"]),
    ("Mon ", "WIB", "2026-03-07 11:07:30", ["2026-03-09 00:00", "2026-03-16 00:00"]),
    ("2026-12-25  ", "UTC", "2026-03-07 11:07:30", ["2026-12-25 00:00"]),
    # days counted back listed within systemd's bound (each after the first 3 days less)
    ("*-*~1,25", "UTC", "2026-03-07 11:07:30",
     ["2026-03-31 00:00", "2026-04-06 00:00", "2026-04-30 00:00", "2026-05-07 00:00"]),
    ("*-*~01,02,22", "UTC", "2026-03-07 11:07:30",
     ["2026-03-10 00:00", "2026-03-30 00:00", "2026-03-31 00:00", "2026-04-09 00:00"]),
    ("*-*~1,22..25/3", "UTC", "2026-03-07 11:07:30",
     ["2026-03-10 00:00", "2026-03-31 00:00", "2026-04-06 00:00", "2026-04-09 00:00"]),
    ("*-*~5,5,25", "WIT", "2026-03-07 11:07:30",
     ["2026-03-27 00:00", "2026-04-06 00:00", "2026-04-26 00:00", "2026-05-07 00:00"]),
]  # fmt: skip


def _local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONES[zone])


@pytest.mark.parametrize(("expression", "zone", "base", "expected"), CASES)
def test_next_occurrences(expression: str, zone: str, base: str, expected: list[str]) -> None:
    calendar = Calendar.parse(expression, ZONES[zone])
    found: list[datetime] = []
    when = calendar.next_after(_local(base, zone))
    while when is not None and len(found) < len(expected) + (not expected):
        found.append(when)
        when = calendar.next_after(when)
    assert found[: len(expected)] == [_local(t, zone) for t in expected]
    if expected and expected[-1].startswith("2026-12-") and expression[0].isdigit():
        assert when is None  # a year gone by: never again


def test_the_next_occurrence_is_strictly_after() -> None:
    """At the very moment it elapses the next is the one after, to the microsecond."""
    calendar = Calendar.parse("*:0/15", WIB)
    at = datetime(2026, 3, 7, 9, 15, tzinfo=WIB)
    assert calendar.next_after(at) == at + timedelta(minutes=15)
    assert calendar.next_after(at - timedelta(microseconds=1)) == at


def test_occurrences_of_a_last_day_calendar_in_a_leap_february() -> None:
    """`*-*~01,~02`-like lists: the last two days of February 2028 (a leap year), in WIT."""
    calendars = [Calendar.parse("*-02~01..02 17:00", WIT), Calendar.parse("*-*-28 17:00", WIT)]
    start, end = datetime(2028, 2, 1, tzinfo=WIT), datetime(2028, 3, 1, tzinfo=WIT)
    assert occurrences(calendars, start, end) == [
        datetime(2028, 2, 28, 17, 0, tzinfo=WIT), datetime(2028, 2, 29, 17, 0, tzinfo=WIT),
    ]  # fmt: skip


def test_no_occurrence_when_none_elapses_again() -> None:
    calendars = [Calendar.parse("2020-01-01", UTC), Calendar.parse("*-02-30", UTC)]
    assert next_occurrence(calendars, datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_a_time_a_clock_skips_is_the_moment_it_names() -> None:
    """On a clock that skips an hour (Europe/Berlin on 29 March 2026: 02:00 CET is 03:00
    CEST, 01:00 UTC), `*:0/15` elapses every 15 minutes of UTC as systemd's timer does
    (systemd-analyze calendar), none twice: a skipped time (02:45 CET, 01:45 UTC) was
    followed from its wall clock, by 03:00 CEST, 01:00 UTC, a time before it."""
    berlin = ZoneInfo("Europe/Berlin")
    calendar = Calendar.parse("*:0/15", berlin)
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    skipped = datetime(2026, 3, 29, 2, 45, tzinfo=berlin)
    assert calendar.next_after(skipped) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    every = [start + timedelta(minutes=15 * n) for n in range(12)]
    assert occurrences([calendar], start, start + timedelta(hours=3)) == every
    # to 03:00 CEST, on the clock that skips, is to 01:00 UTC
    assert occurrences([calendar], start, datetime(2026, 3, 29, 3, tzinfo=berlin)) == every[:4]


def test_a_time_a_clock_skips_is_none_and_one_it_repeats_after_the_moment() -> None:
    """systemd's elapses (systemd-analyze calendar) on Europe/Berlin's changes of 2026:
    02:30 daily on none of 29 March's times (02:30 CET was 01:30 UTC, 03:30 CEST);
    after 02:10 CET on 25 October (01:10 UTC, 02:10 CEST having been at 00:10 UTC) at
    the second pass of the repeated hour, not the first, before it (00:15, 00:30 UTC)."""
    berlin = ZoneInfo("Europe/Berlin")
    daily = Calendar.parse("*-*-* 02:30", berlin)
    assert daily.next_after(datetime(2026, 3, 28, 12, tzinfo=UTC)) == datetime(
        2026, 3, 30, 0, 30, tzinfo=UTC
    )
    # (a repeated time equals no time on another clock: compared on UTC's)
    repeated = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    second = daily.next_after(repeated)
    assert second is not None
    assert second.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    quarter = Calendar.parse("*:0/15", berlin)
    found = occurrences([quarter], repeated, repeated + timedelta(hours=1))
    assert [t.astimezone(UTC) for t in found] == [
        repeated + timedelta(minutes=m) for m in (5, 20, 35, 50)
    ]
