"""module_utils/sop_clock.py: ISO 8601 times read elsewhere, parsed alike on every host
Python; how far ahead of the clock such a time may lie."""

from __future__ import annotations

import datetime

import pytest
from loader import load

u = load("sop_clock")


@pytest.mark.parametrize(("age_seconds", "ahead"), [
    (3600, False),    # an hour old
    (0, False),
    (-300, False),    # five minutes ahead: two clocks a little apart
    (-300.5, True),
    (-86400, True),   # a day ahead: a clock or time-zone error, or a forged date
])
def test_only_a_time_further_ahead_than_clocks_drift_apart_is_ahead(age_seconds, ahead):
    assert u.ahead_of_clock(age_seconds) is ahead


UTC = datetime.UTC
WIB = datetime.timezone(datetime.timedelta(hours=7))


@pytest.mark.parametrize(("text", "moment"), [
    # Python 3.9's fromisoformat refuses each of these (no "Z", 3 or 6 fraction digits
    # only, "+HH:MM" offsets only): parsed alike on every host Python.
    ("2026-11-18T02:00:00Z", datetime.datetime(2026, 11, 18, 2, tzinfo=UTC)),
    ("2026-11-18t02:00:00z", datetime.datetime(2026, 11, 18, 2, tzinfo=UTC)),
    ("2026-11-18T09:00:00.5+0700", datetime.datetime(2026, 11, 18, 9, 0, 0, 500000, tzinfo=WIB)),
    ("2026-11-18T09:00:00,25+07", datetime.datetime(2026, 11, 18, 9, 0, 0, 250000, tzinfo=WIB)),
    ("2026-11-18T02:00:00.1234567Z", datetime.datetime(2026, 11, 18, 2, 0, 0, 123456, tzinfo=UTC)),
    ("2026-11-18T02:00:00.0Z", datetime.datetime(2026, 11, 18, 2, tzinfo=UTC)),
    ("2026-11-18T04:00-02:00", datetime.datetime(2026, 11, 18, 6, tzinfo=UTC)),
    # what isoformat() writes (the ledger, the runner's records, the router's state)
    ("2026-11-18T09:00:00+07:00", datetime.datetime(2026, 11, 18, 2, tzinfo=UTC)),
    ("2026-11-18T09:00:00.123456+07:00",
     datetime.datetime(2026, 11, 18, 9, 0, 0, 123456, tzinfo=WIB)),
    ("2026-11-18 09:00:00", datetime.datetime(2026, 11, 18, 9)),
    ("2026-11-18", datetime.datetime(2026, 11, 18)),
])
def test_an_iso_time_is_read_without_pythons_own_parser(text, moment):
    parsed = u.parse_moment(text)
    assert parsed == moment
    assert (parsed.tzinfo is None) is (moment.tzinfo is None)


@pytest.mark.parametrize("text", [
    # Python 3.11's fromisoformat takes these, 3.9's does not: refused on every Python
    "20261118T020000Z", "2026-W47-3", "2026-11-18T0900", "2026-11-18T09",
    # no date at all, or no real one
    "", "2026-11-18T", "2026-11-18T09:00:00+07:00 ", "2026-02-30", "2026-11-18T24:00:00",
    "2026-11-18T09:00:00+07:60", "2026-11-18T09:00:00+24:00", "٢٠٢٦-11-18",
])
def test_other_text_is_no_time_on_any_python(text):
    with pytest.raises(ValueError):
        u.parse_moment(text)


def test_a_day_is_yyyy_mm_dd_only():
    assert u.parse_day("2026-11-18") == datetime.date(2026, 11, 18)
    for text in ("20261118", "2026-W47-3", "2026-11-18T00:00:00", "2026-13-01", " 2026-11-18"):
        with pytest.raises(ValueError):
            u.parse_day(text)
