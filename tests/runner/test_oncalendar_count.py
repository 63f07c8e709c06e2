"""count_occurrences: the runs a court's report plans (`sop report -i`), counted without a
search for each time (a per-second calendar elapses 2.6 million times a month), yet the
same count as the times found one by one (occurrences), systemd's quirks included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sop.oncalendar import Calendar, count_occurrences, occurrences

from .test_oncalendar import OTHER_FORMS

# Forms that elapse every few seconds or minutes, and ones whose repetition runs past its
# unit: systemd carries it over into the next, skipping times (`*:*:0/45` after 23:59:45
# next elapses at 00:00:45, `*:0/45` after 23:45 at 00:45, `*-*-1/7` after 29 December on
# 8 January).
DENSE = [
    "*:*:*", "*:0/5", "*:*:0/20", "*:*:0/45", "*:0/45", "*:0/15", "minutely", "*:*:0.5/0.25",
    "*:*:1.5,2..10/3.25", "Mon..Fri *:*:0/7,0/11", "*-*~03 *:0/7:3", "*-*-* 23:59:59.999999",
    "*-*-* 00/6:30:00/15",
]  # fmt: skip
SPARSE = [
    *(e for e in OTHER_FORMS if e not in DENSE), "*-1/5-1", "*-*-1/7 23:59:30", "Fri *-*-* 23:0/45",
]  # fmt: skip
# From and to moments on the calendar's clock, in and out of whole minutes: around a
# month's end and a year's, within an hour; for the others also a month on WIT's clock
# (given in UTC), a leap February, the weeks around a new year.
WINDOWS = [
    ("2026-03-31 23:58:59", "2026-04-01 00:02:01.000003"),
    ("2026-03-07 11:07:30.250001", "2026-03-07 11:40"),
    ("2026-12-31 22:58:30.5", "2027-01-01 01:01:00.25"),
]
LONG_WINDOWS = [
    ("2026-02-28 15:00:00.25+00:00", "2026-03-31 15:00:30+00:00"),
    ("2028-02-01 11:07:30.25", "2028-03-02 17:45:10"),
    ("2026-12-28 00:00", "2027-01-10 00:00:00.000001"),
]


def _at(text: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Jayapura", "Asia/Kathmandu"])  # +05:45
def test_a_count_is_the_times_found_one_by_one(zone: str) -> None:
    clock = ZoneInfo(zone)
    for expression in SPARSE + DENSE:
        calendars = [Calendar.parse(expression, clock)]
        for start_text, end_text in WINDOWS + ([] if expression in DENSE else LONG_WINDOWS):
            start, end = _at(start_text, clock), _at(end_text, clock)
            expected = len(occurrences(calendars, start, end))
            assert count_occurrences(calendars, start, end) == expected, (expression, start, end)


def test_a_time_several_calendars_name_counts_once() -> None:
    """Calendars on several clocks naming the same times (06:00 WITA, 23:00 UTC, ...)."""
    lines = [
        ("Mon..Fri 08:00", "Asia/Jayapura"), ("Wed 08:00", "Asia/Jayapura"),
        ("*-*-* 06:00", "Asia/Makassar"), ("*:0/30", "UTC"), ("23:00", "UTC"),
        ("*:0/15:00", "Asia/Kolkata"), ("*:*:0/20", "Asia/Jakarta"), ("*:*:0/45", "Asia/Jakarta"),
    ]  # fmt: skip
    calendars = [Calendar.parse(expression, ZoneInfo(zone)) for expression, zone in lines]
    start = datetime(2026, 3, 1, 3, 3, 3, 5, tzinfo=ZoneInfo("Asia/Jakarta"))
    for end in (start + timedelta(hours=5, seconds=7), start + timedelta(days=2, minutes=1)):
        expected = len(occurrences(calendars, start, end))
        assert expected > 0
        assert count_occurrences(calendars, start, end) == expected


def test_a_per_second_calendar_is_counted_without_a_search_for_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`*:*:*` in November (30 days): one search an hour, not 2.6 million."""
    searches = 0
    find_next = Calendar._find_next

    def counted(self: Calendar, start: datetime) -> datetime | None:
        nonlocal searches
        searches += 1
        return find_next(self, start)

    monkeypatch.setattr(Calendar, "_find_next", counted)
    wib = ZoneInfo("Asia/Jakarta")
    start, end = datetime(2026, 11, 1, tzinfo=wib), datetime(2026, 12, 1, tzinfo=wib)
    calendars = [Calendar.parse("*:*:*", wib), Calendar.parse("*:0/5", wib)]
    assert count_occurrences(calendars, start, end) == 30 * 24 * 3600
    assert count_occurrences(calendars[1:], start, end) == 30 * 24 * 12
    assert searches <= 2 * 3 * 30 * 24


def test_a_clock_changing_its_offset_is_counted_one_by_one() -> None:
    """Over a daylight saving time change (not Indonesia's) the times are found one by
    one, as occurrences reads the clock; the same count."""
    berlin = ZoneInfo("Europe/Berlin")
    calendars = [Calendar.parse("*:0/15", berlin), Calendar.parse("02:30", berlin)]
    for day in (datetime(2026, 3, 28, tzinfo=berlin), datetime(2026, 10, 24, tzinfo=berlin)):
        end = day + timedelta(days=2)
        assert count_occurrences(calendars, day, end) == len(occurrences(calendars, day, end))


def test_no_time_in_an_empty_window() -> None:
    calendar = Calendar.parse("*:*:*", UTC)
    moment = datetime(2026, 3, 7, 11, 7, 30, tzinfo=UTC)
    assert count_occurrences([calendar], moment, moment) == 0
    assert count_occurrences([calendar], moment, moment - timedelta(hours=1)) == 0
    assert count_occurrences([calendar], moment, moment + timedelta(microseconds=1)) == 1
