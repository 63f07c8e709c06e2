"""Systemd OnCalendar expressions (systemd.time(7)), read back as systemd reads them: for
`sop overdue`, when a court's timer next runs a SOP after its last run (Healthchecks'
cron checks: the schedule's first occurrence after the last ping); for `sop report -i`,
the times it runs it within a month, the runs its report plans.

The parse and the search follow systemd's calendarspec.c (calendar_spec_from_string,
find_next), its checks and its quirks included: the shorthands (`minutely`, `hourly`,
`daily`, `weekly`, `monthly`, `yearly`/`annually`, `quarterly`, `semiannually`, any
case), else `[WEEKDAYS] [[YEAR-]MONTH-DAY] [HOUR:MINUTE[:SECOND]]` (spaces, one or more,
between its parts, none before it or after its time or a shorthand): WEEKDAYS are names,
abbreviated or whole, in any case, single, in ranges (`..` or `-`, never from a later day
to an earlier one) or listed (`Mon..Fri`, `mon-fri`, `Monday,Wed,Fri`); each other part
is `*` or values, ranges (`08..18`) and repetitions (`0/15`, `08..18/2`, `*-*-1/7`)
listed with commas, within its bounds (a year 1970-2199, two digits meaning 2000-2069 or
1970-1999), seconds with up to six decimals; `MONTH~DAY` counts the day back from the
month's last (`*-*~01` the last day, `*-02~03` February's third last; at most 28 days
back, each listed after the first 3 days less, systemd's check: `*-*~9,25`, not `~9,27`).
A date left out is every day, a time left out midnight, seconds left out 0. An expression
that no time before 2200 matches (`*-02-30`, a date gone by) never elapses, as to systemd.

Not followed (UnsupportedCalendar: `sop overdue` then judges the SOP by its frequency's
period): `@EPOCH` and anything systemd refuses. The zone is the caller's (schedule.py
takes the expression's last word); on a clock with daylight saving time a time near its
change may be read otherwise than systemd's mktime(3) does, whose reading of a time the
change skips or repeats is a guess (Calendar.next_after; Indonesia's clocks have none).
"""

from __future__ import annotations

import heapq
import math
import re
import shutil
import subprocess
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import groupby

from sop.untrusted import quoted, shortened

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# systemd's bounds (calendarspec.c): the years it looks for an elapse in, how many values a
# part may list, how many steps its search takes before it gives up.
MIN_YEAR, MAX_YEAR = 1970, 2199
_COMPONENTS_MAX = 240
_ITERATIONS_MAX = 1000
_INT_MAX = 2**31 - 1
_USEC = 10**6
_MINUTE = 60 * _USEC  # in microseconds
# The shorthands, as the expressions systemd makes of them.
_SHORTHANDS = {
    "minutely": "*-*-* *:*:00",
    "hourly": "*-*-* *:00:00",
    "daily": "*-*-* 00:00:00",
    "monthly": "*-*-01 00:00:00",
    "weekly": "Mon *-*-* 00:00:00",
    **dict.fromkeys(("yearly", "annually", "anually"), "*-01-01 00:00:00"),
    "quarterly": "*-01,04,07,10-01 00:00:00",
    **dict.fromkeys(
        ("semiannually", "semi-annually", "biannually", "bi-annually"), "*-01,07-01 00:00:00"
    ),
}
# Weekday names in systemd's order of trying them: the whole name, then its first three letters.
_WEEKDAY_NAMES = [(name, n) for n, day in enumerate(WEEKDAYS) for name in (day, day[:3])]
_DIGITS = re.compile(r"[0-9]+")
# Seconds `systemd-analyze calendar` may take to check one expression.
ANALYZE_TIMEOUT = 30
# What it says of an expression no time matches (it still exits 0).
_NEVER = re.compile(r"^\s*Next elapse: never$", re.MULTILINE)


class UnsupportedCalendar(ValueError):
    """An expression systemd refuses, or one of a form not followed (`@EPOCH`)."""


@dataclass(frozen=True)
class _Component:
    """One listed value of a part: `start`, up to `stop` (-1: none) every `repeat` (0: the
    start alone), as systemd keeps it."""

    start: int
    stop: int = -1
    repeat: int = 0


_Chain = tuple[_Component, ...]  # empty: `*`, any value
_ZERO: _Chain = (_Component(0),)


@dataclass(frozen=True)
class Calendar:
    """One OnCalendar expression on the clock `zone`."""

    weekdays: frozenset[int]  # Monday 0; empty: every day
    years: _Chain
    months: _Chain
    days: _Chain
    end_of_month: bool  # `~`: the days count back from the month's last
    hours: _Chain
    minutes: _Chain
    microseconds: _Chain  # the seconds, in microseconds
    zone: tzinfo

    @classmethod
    def parse(cls, text: str, zone: tzinfo) -> Calendar:
        """`text` (without its zone) on the clock `zone`; UnsupportedCalendar if systemd
        refuses it or its form is not followed (the module's docstring)."""
        expression = _SHORTHANDS.get(text.lower(), text)
        if not expression:
            raise UnsupportedCalendar(text)
        reader = _Reader(expression)
        weekdays = reader.weekdays()
        years, months, days, end_of_month = reader.date()
        hours, minutes, seconds = reader.time()
        if not reader.done():
            raise UnsupportedCalendar(text)
        years = tuple(_Component(_full_year(c.start), _full_year(c.stop), c.repeat) for c in years)
        chains = [_normalized(c) for c in (years, months, days, hours, minutes, seconds)]
        end_of_month = end_of_month and bool(chains[2])
        bounds = [(MIN_YEAR, MAX_YEAR), (1, 12), (1, 31), (0, 23), (0, 59), (0, 60 * _USEC - 1)]
        for index, (chain, (low, high)) in enumerate(zip(chains, bounds, strict=True)):
            if not _valid(chain, low, high, end_of_month=end_of_month and index == 2):
                raise UnsupportedCalendar(text)
        years, months, days, hours, minutes, seconds = chains
        every_day = len(weekdays) == 7
        return cls(frozenset() if every_day else weekdays, years, months, days, end_of_month,
                   hours, minutes, seconds, zone)  # fmt: skip

    def next_after(self, moment: datetime) -> datetime | None:
        """The first time this calendar elapses after `moment`; None if it never does
        again (no time before 2200 matches it). `moment` is the moment it names (a time a
        clock's change skips too: 02:45 CET, skipped for 03:00 CEST, is 01:45 UTC). A
        time its own clock's change skips is none: the search goes on from the time it
        stands for, as systemd's from mktime(3)'s (02:30 CET: 03:30 CEST; `*-*-* 02:30`
        elapses no time that day, `*:0/15` at 03:00 CEST); one the change repeats is at
        its first pass, at its second when the first is not after `moment` (the module's
        docstring: mktime's reading may differ)."""
        after = moment.astimezone(UTC) + timedelta(microseconds=1)
        while True:
            found = self._find_next(after.astimezone(self.zone).replace(tzinfo=None))
            if found is None:
                return None
            when = found.replace(tzinfo=self.zone)
            if when < after:
                when = when.replace(fold=1)
            after = when.astimezone(UTC)
            if after.astimezone(self.zone).replace(tzinfo=None) == found:
                return when

    def between(self, start: datetime, end: datetime) -> list[datetime]:
        """The times this calendar elapses from `start` on, before `end`."""
        found = []
        end = end.astimezone(UTC)  # times on one clock compare by their wall clock
        when = self.next_after(start.astimezone(UTC) - timedelta(microseconds=1))
        while when is not None and when < end:
            found.append(when)
            when = self.next_after(when)
        return found

    def _minutes(
        self, start: datetime, end: datetime, last_second: int
    ) -> Iterator[tuple[int, int]]:
        """(minute, second) for each minute this calendar elapses in from the local time
        `start` on, before `end`: the minute since 0001-01-01 00:00 on its clock, and the
        second (in microseconds) from which it elapses at each of its seconds in it;
        `last_second`: the last of those in a minute. As `between` finds them, without
        a search for each: from its first time in an hour (find_next's), at each of its
        seconds, the minutes later in the hour at each of theirs (a search between two
        times of one hour never carries a value over, systemd's quirk: test_oncalendar_count),
        then the next hour's first time found from the hour's last."""
        minutes = _members(self.minutes, 59)
        when = self._find_next(start)
        while when is not None and when < end:
            hour = ((when.toordinal() - 1) * 24 + when.hour) * 60
            yield hour + when.minute, when.second * _USEC + when.microsecond
            later = minutes[bisect_right(minutes, when.minute) :]
            for minute in later:
                yield hour + minute, 0
            last = when.replace(minute=later[-1] if later else when.minute, second=0, microsecond=0)
            when = self._find_next(last + timedelta(microseconds=last_second + 1))

    def _find_next(self, start: datetime) -> datetime | None:
        """calendarspec.c's find_next on the local time `start`: the first local time
        from it on that matches, part by part from the year down."""
        tm = _Tm.of(start)
        for _ in range(_ITERATIONS_MAX):
            tm = tm.normalized()
            changed, tm.year = _first(self.years, tm.year)
            if changed > 0:
                tm.reset("month")
            if changed < 0 or tm.within_bounds() <= 0:
                return None
            changed, tm.month = _first(self.months, tm.month)
            if changed > 0:
                tm.reset("day")
            if changed < 0 or (changed := tm.within_bounds()) < 0:
                tm.year += 1
                tm.reset("month")
                continue
            if changed == 0:
                continue
            changed, tm.day = _first(self.days, tm.day, tm if self.end_of_month else None)
            if changed > 0:
                tm.reset("hour")
            if changed < 0 or (changed := tm.within_bounds()) < 0:
                tm.month += 1
                tm.reset("day")
                continue
            if changed == 0:
                continue
            if self.weekdays and tm.weekday() not in self.weekdays:
                tm.day += 1
                tm.reset("hour")
                continue
            changed, tm.hour = _first(self.hours, tm.hour)
            if changed > 0:
                tm.reset("minute")
            if changed < 0 or (changed := tm.within_bounds()) < 0:
                tm.day += 1
                tm.reset("hour")
                continue
            if changed == 0:
                continue
            changed, tm.minute = _first(self.minutes, tm.minute)
            if changed > 0:
                tm.reset("second")
            if changed < 0 or (changed := tm.within_bounds()) < 0:
                tm.hour += 1
                tm.reset("minute")
                continue
            if changed == 0:
                continue
            changed, usec = _first(self.microseconds, tm.second * _USEC + tm.usec)
            tm.second, tm.usec = divmod(usec, _USEC)
            if changed < 0 or (changed := tm.within_bounds()) < 0:
                tm.minute += 1
                tm.reset("second")
                continue
            if changed == 0:
                continue
            return tm.local()
        return None  # systemd gives up too ("Infinite loop in calendar calculation")


@dataclass
class _Tm:
    """A broken-down local time as find_next moves it, each field free to leave its
    range (mktime(3) then carries it over into the next: `normalized`)."""

    year: int
    month: int  # 1-12
    day: int
    hour: int
    minute: int
    second: int
    usec: int

    _ORDER = ("month", "day", "hour", "minute", "second")

    @classmethod
    def of(cls, moment: datetime) -> _Tm:
        return cls(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                   moment.second, moment.microsecond)  # fmt: skip

    def reset(self, first: str) -> None:
        """`first` and every smaller field to its lowest (a month's and a day's 1)."""
        for name in self._ORDER[self._ORDER.index(first):]:
            setattr(self, name, 1 if name in ("month", "day") else 0)
        self.usec = 0

    def normalized(self) -> _Tm:
        """timegm(3)'s carry: a month 13 is January of the next year, a 31 April the 1 May."""
        year, month = self.year + (self.month - 1) // 12, (self.month - 1) % 12 + 1
        moment = datetime(year, month, 1) + timedelta(
            days=self.day - 1, hours=self.hour, minutes=self.minute, seconds=self.second
        )
        return _Tm(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                   moment.second, self.usec)  # fmt: skip

    def within_bounds(self) -> int:
        """calendarspec.c's tm_within_bounds: -1 past MAX_YEAR or for a carry backwards,
        1 when every field is in its range, else 0, the time then carried over to the
        next whole unit (31 April: 1 May, 00:00)."""
        if self.year > MAX_YEAR:
            return -1
        carried = self.normalized()
        for name, later in zip(("year", *self._ORDER), (*self._ORDER, None), strict=True):
            mine, its = getattr(self, name), getattr(carried, name)
            if mine != its:
                if its < mine:
                    return -1
                if later is not None:
                    setattr(carried, later, 1 if later in ("month", "day") else 0)
                self.__dict__.update(carried.__dict__)
                return 0
        return 1

    def weekday(self) -> int:
        return date(self.year, self.month, self.day).weekday()

    def local(self) -> datetime:
        return datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                        self.usec)  # fmt: skip


def _end_of_month(tm: _Tm, day: int) -> int:
    """calendarspec.c's find_end_of_month: the day of `tm`'s month `day` days back from
    the next month's first (1: the last day); -1 when that is in another month."""
    carried = _Tm(tm.year, tm.month + 1, 1 - day, 0, 0, 0, 0).normalized()
    return carried.day if carried.month == tm.month else -1


def _first(chain: _Chain, value: int, month: _Tm | None = None) -> tuple[int, int]:
    """calendarspec.c's find_matching_component: the least value of `chain` from `value`
    on, and 1 if it is not `value`, 0 if it is; (-1, value) when there is none. With
    `month`, the days count back from its last (`~`)."""
    if not chain:
        return 0, value
    least: int | None = None
    for part in chain:
        start, stop = part.start, part.stop
        if month is not None:
            start, stop = _end_of_month(month, start), _end_of_month(month, stop)
            if stop > 0:
                start, stop = stop, start
        if start >= value:
            candidate: int | None = start
        elif part.repeat > 0:
            candidate = start + part.repeat * -(-(value - start) // part.repeat)
            if stop >= 0 and candidate > stop:
                candidate = None
        else:
            candidate = None
        if candidate is not None and (least is None or candidate < least):
            least = candidate
    if least is None:
        return -1, value
    return int(least != value), least


def _members(chain: _Chain, high: int) -> list[int]:
    """The values from 0 to `high` that `chain` matches (find_next keeps such a value)."""
    return [value for value in range(high + 1) if _first(chain, value) == (0, value)]


def _second_bits(chain: _Chain, grain: int) -> int:
    """The values within a minute the seconds' `chain` (in microseconds, each a multiple
    of `grain`) matches: bit n for n * `grain` microseconds."""
    bits = 0
    for part in chain:
        if part.repeat == 0:
            bits |= 1 << part.start // grain
            continue
        stop = _MINUTE - 1 if part.stop < 0 else part.stop
        count = (stop - part.start) // part.repeat + 1
        step, pattern, have = part.repeat // grain, 1, 1
        while have < count:  # the pattern doubled: count bits `step` apart
            more = min(have, count - have)
            pattern |= (pattern & ((1 << step * (more - 1) + 1) - 1)) << step * have
            have += more
        bits |= pattern << part.start // grain
    return bits


def _full_year(value: int) -> int:
    """calendarspec.c's fix_year: 26 is 2026, 89 1989 (-1, no value, stays)."""
    if 0 <= value < 70:
        return value + 2000
    if 70 <= value < 100:
        return value + 1900
    return value


def _normalized(chain: _Chain) -> _Chain:
    """calendarspec.c's normalize_chain: a range's end on its last repetition; a range
    repeated never (`5..6/3`) or of one value (`5..5`) that value alone."""
    parts = []
    for part in chain:
        start, stop, repeat = part.start, part.stop, part.repeat
        if stop > start and repeat > 0:
            stop -= (stop - start) % repeat
        if (stop > start and repeat > 0 and start + repeat > stop) or start == stop:
            stop, repeat = -1, 0
        parts.append(_Component(start, stop, repeat))
    return tuple(sorted(set(parts), key=lambda c: (c.start, c.stop, c.repeat)))


def _valid(chain: _Chain, low: int, high: int, *, end_of_month: bool) -> bool:
    """calendarspec.c's chain_valid: each value within the part's bounds (a day counted
    back at most 28 days, each listed after it 3 days less: its recursion passes the
    bound it lowered on, `*-*~9,27` refused), a repetition that fits at least once."""
    for part in chain:
        if end_of_month:
            high -= 3
        if not low <= part.start <= high or part.repeat > high - low:
            return False
        if part.stop >= 0:
            if not low <= part.stop <= high or part.start + part.repeat > part.stop:
                return False
        elif part.start - part.repeat < low if end_of_month else part.start + part.repeat > high:
            return False
    return True


class _Reader:
    """calendarspec.c's parse_weekdays, parse_date and parse_calendar_time over one
    expression."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def _refused(self) -> UnsupportedCalendar:
        return UnsupportedCalendar(self.text)

    def _peek(self, length: int = 1) -> str:
        return self.text[self.at : self.at + length]

    def _skip_spaces(self) -> None:
        while self._peek() == " ":
            self.at += 1

    def done(self) -> bool:
        return self.at == len(self.text)

    def weekdays(self) -> frozenset[int]:
        days: set[int] = set()
        since = -1  # the first day of a range being read
        first = True
        while True:
            for name, number in _WEEKDAY_NAMES:
                if self._peek(len(name)).lower() != name.lower():
                    continue
                after = self.text[self.at + len(name) : self.at + len(name) + 1]
                if after not in ("", "-", ".", ",", " ") or since > number:
                    raise self._refused()
                days.update(range(since + 1 if since >= 0 else number, number + 1))
                self.at += len(name)
                break
            else:
                if first:
                    return frozenset()
                raise self._refused()
            if self.done():
                return frozenset(days)
            if self._peek() == " ":
                self._skip_spaces()
                return frozenset(days)
            if self._peek() == ".":
                if since >= 0 or self._peek(2) != "..":
                    raise self._refused()
                since = number
                self.at += 2
            elif self._peek() == "-":
                if since >= 0:
                    raise self._refused()
                since = number
                self.at += 1
            elif self._peek() == ",":
                since = -1
                self.at += 1
            if self.done() or self._peek() == " ":  # a trailing comma, not an open range
                self._skip_spaces()
                if since >= 0:
                    raise self._refused()
                return frozenset(days)
            first = False

    def date(self) -> tuple[_Chain, _Chain, _Chain, bool]:
        """(years, months, days, counted back from the month's last); every day when the
        expression gives no date."""
        if self.done():
            return (), (), (), False
        if self._peek() == "@":
            raise self._refused()  # a single moment, no recurring timer's
        start = self.at
        first = self._chain(usec=False)
        if self.done() or self._peek() == ":":
            self.at = start  # a time, not a date
            return (), (), (), False
        end_of_month = self._peek() == "~"
        if self._peek() not in ("~", "-"):
            raise self._refused()
        self.at += 1
        second = self._chain(usec=False)
        if self.done() or self._peek() == " ":
            self._skip_spaces()
            return (), first, second, end_of_month
        if end_of_month or self._peek() not in ("~", "-"):
            raise self._refused()
        end_of_month = self._peek() == "~"
        self.at += 1
        third = self._chain(usec=False)
        if not (self.done() or self._peek() == " "):
            raise self._refused()
        self._skip_spaces()
        return first, second, third, end_of_month

    def time(self) -> tuple[_Chain, _Chain, _Chain]:
        """(hours, minutes, seconds in microseconds): midnight when the expression gives
        no time, seconds 0 when it gives none."""
        if self.done():
            return _ZERO, _ZERO, _ZERO
        hours = self._chain(usec=False)
        if self._peek() != ":":
            raise self._refused()
        self.at += 1
        minutes = self._chain(usec=False)
        if self.done():
            return hours, minutes, _ZERO
        if self._peek() != ":":
            raise self._refused()
        self.at += 1
        return hours, minutes, self._chain(usec=True)

    def _chain(self, *, usec: bool) -> _Chain:
        """One part: `*` (seconds: every whole one), else values listed with commas."""
        if self._peek() == "*":
            self.at += 1
            return (_Component(0, -1, _USEC),) if usec else ()
        parts: list[_Component] = []
        while True:
            if len(parts) > _COMPONENTS_MAX:
                raise self._refused()
            start = self._decimal(usec=usec)
            stop, repeat = -1, 0
            if self._peek(2) == "..":
                self.at += 2
                stop = self._decimal(usec=usec)
                repeat = _USEC if usec else 1
            if self._peek() == "/":
                self.at += 1
                repeat = self._decimal(usec=usec)
                if repeat == 0:
                    raise self._refused()
            elif start > _INT_MAX - repeat or (usec and stop >= 0 and start + repeat > stop):
                raise self._refused()
            if not (self.done() or self._peek() in " ,-~:"):
                raise self._refused()
            parts.append(_Component(start, stop, repeat))
            if self._peek() != ",":
                return tuple(parts)
            self.at += 1

    def _decimal(self, *, usec: bool) -> int:
        """A number (seconds: in microseconds, with up to six decimals, a seventh rounding)."""
        digits = _DIGITS.match(self.text, self.at)
        if digits is None:
            raise self._refused()
        value = int(digits[0])
        self.at = digits.end()
        if usec:
            value *= _USEC
            if self._peek() == "." and self._peek(2) != "..":
                fraction = _DIGITS.match(self.text, self.at + 1)
                if fraction is None:
                    raise self._refused()
                decimals = fraction[0]
                value += int(decimals[:6].ljust(6, "0")) + (decimals[6:7] >= "5")
                self.at = fraction.end()
        if value > _INT_MAX:
            raise self._refused()
        return value


def systemd_refusal(value: str, line: str) -> str | None:
    """Why systemd's own parser (`systemd-analyze calendar`), when there is one, refuses
    the expression `value` as a timer gets it, `line` (in its zone: schedule.py's; a
    catalogue's as written): it is none, it never elapses (valid to systemd, which then
    never starts the timer: `*-02-30`, a date gone by) or systemd-analyze did not answer;
    None when it takes it, or there is no systemd-analyze. `sop schedule install` refuses
    a court's times by it, the catalogue its `calendar`."""
    if shutil.which("systemd-analyze") is None:
        return None
    shown = quoted(shortened(value))
    try:
        done = subprocess.run(  # "--": a value such as -h is an expression, never an option
            ["systemd-analyze", "calendar", "--", line],
            capture_output=True, text=True, check=False, timeout=ANALYZE_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"systemd-analyze calendar {shown} did not answer in {ANALYZE_TIMEOUT} s"
    if done.returncode != 0:
        return (
            f"{shown} is not a systemd OnCalendar expression: "
            f"{(done.stderr.strip().splitlines() or ['invalid'])[-1]}"
        )
    if _NEVER.search(done.stdout):
        return never_elapses(value)
    return None


def never_elapses(value: str) -> str:
    """Why a timer is refused the expression `value`, valid but elapsing never again."""
    return f"{quoted(shortened(value))} never elapses: its timer would never run the SOP"


# Per SOP id, a court's times of it (schedule.due_calendars, from its sop_schedule, or an
# installed timer's default times for `sop list/overdue -i`): when it falls due (`sop
# overdue -i`) and the runs its report plans (`sop report -i`, the court's own only).
Calendars = Mapping[str, Sequence[Calendar]]


def next_occurrence(calendars: Sequence[Calendar], moment: datetime) -> datetime | None:
    """The first time any of `calendars` (a timer's OnCalendar lines, at least one)
    elapses after `moment`; None when none of them ever elapses again."""
    return min(
        (when for c in calendars if (when := c.next_after(moment)) is not None), default=None
    )


def occurrences(calendars: Sequence[Calendar], start: datetime, end: datetime) -> list[datetime]:
    """The times any of `calendars` (a timer's OnCalendar lines) elapses from `start` on,
    before `end`, in order; a time several of them name once, as systemd starts its timer
    once then (a court's report plans its runs by them)."""
    return sorted({when for c in calendars for when in c.between(start, end)})


def count_occurrences(calendars: Sequence[Calendar], start: datetime, end: datetime) -> int:
    """len(occurrences(calendars, start, end)), counted a minute at a time rather than
    found one by one: a per-second calendar (`*:*:*`) elapses 2.6 million times a month,
    each a search of its own. When a calendar's clock changes its UTC offset between
    `start` and `end` (daylight saving time; Indonesia's clocks have none) or is not a
    whole number of minutes ahead of UTC, they are found one by one still."""
    offsets: dict[tzinfo, int] = {}
    for zone in {c.zone for c in calendars}:
        offset = _fixed_offset(zone, start, end)
        if offset is None:
            return len(occurrences(calendars, start, end))
        offsets[zone] = offset
    # the seconds of a minute in steps of their greatest common divisor: a bit for each
    # second of `*:*:*`, 12 bits for `*:*:0/5`
    grain = math.gcd(
        _MINUTE, *(n for c in calendars for p in c.microseconds for n in (p.start, p.repeat))
    )
    seconds = [_second_bits(c.microseconds, grain) for c in calendars]
    lowest = [((bits & -bits).bit_length() - 1) * grain for bits in seconds]

    def utc_minutes(index: int) -> Iterator[tuple[int, int, int]]:
        """The minutes the `index`-th calendar elapses in, since 0001-01-01 00:00 UTC."""
        calendar, offset = calendars[index], offsets[calendars[index].zone]
        for minute, second in calendar._minutes(
            start.astimezone(calendar.zone).replace(tzinfo=None),
            end.astimezone(calendar.zone).replace(tzinfo=None),
            (seconds[index].bit_length() - 1) * grain,
        ):
            yield minute - offset, second, index

    minutes = heapq.merge(*(utc_minutes(i) for i in range(len(calendars))))
    first, last = _since_year_one(start), _since_year_one(end)
    unions: dict[int, tuple[int, int]] = {}  # per set of calendars (bit i: the i-th), their seconds
    count = 0
    for minute, elapsing in groupby(minutes, key=lambda found: found[0]):
        low, high = max(first - minute * _MINUTE, 0), min(last - minute * _MINUTE, _MINUTE)
        whole, part = 0, 0  # a time several calendars name counts once
        for _, second, i in elapsing:
            if second <= lowest[i]:
                whole |= 1 << i
            else:  # from the window's first or after a carried-over second (quirk) on
                part |= seconds[i] & -(1 << -(-second // grain))
        if whole not in unions:
            union = 0
            for i, bits in enumerate(seconds):
                if whole >> i & 1:
                    union |= bits
            unions[whole] = union, union.bit_count()
        union, size = unions[whole]
        if (low, high, part) == (0, _MINUTE, 0):
            count += size
        elif low < high:  # the window's last minute, in part, or a minute's seconds in part
            bits = union | part
            if high < _MINUTE:
                bits &= (1 << -(-high // grain)) - 1
            count += (bits >> -(-low // grain)).bit_count()
    return count


def _fixed_offset(zone: tzinfo, start: datetime, end: datetime) -> int | None:
    """The minutes the clock `zone` is ahead of UTC from `start` to `end` (looked at hour
    by hour: no clock changes twice within an hour); None when that changes, or is not a
    whole number of minutes."""
    moment, end = start.astimezone(UTC), end.astimezone(UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment = min(moment + timedelta(hours=1), end)
        if moment.astimezone(zone).utcoffset() != offset:
            return None
    if offset is None or offset % timedelta(minutes=1):
        return None
    return offset // timedelta(minutes=1)


def _since_year_one(moment: datetime) -> int:
    """`moment` in microseconds since 0001-01-01 00:00 UTC."""
    return (moment - datetime(1, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
