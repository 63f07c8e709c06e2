"""The systemd OnCalendar forms `sop schedule` writes into a timer, read back for `sop
overdue`: when a court's timer next runs a SOP after its last run (Healthchecks' cron
checks: the schedule's first occurrence after the last ping); and for `sop report -i`:
the times it runs it within a month, the runs its report plans.

Not a general systemd calendar parser: only the forms the runner writes, its default
times (`*-*-* 18:00`, `Mon *-*-* 09:00`, `*-*-01 09:00`) and a court's own of the same
shape, `[WEEKDAYS] [*-*-DAY] HH:MM[:SS]`: WEEKDAYS are names, abbreviated or whole and in
any case as systemd takes them, single, in ranges (`..` or `-`) or listed (`Mon..Fri`,
`mon-fri`, `Monday,Wed,Fri`, `Mon..Wed,Fri`), DAY is `*` or a day of the month (`01`).
The zone the runner appends to each is the caller's (schedule.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A weekday as systemd reads it (calendarspec.c): its name or first three letters, any case.
_WEEKDAY = "(?:" + "|".join(f"{day[:3]}(?:{day[3:]})?" for day in WEEKDAYS) + ")"
_WEEKDAY_ITEM = f"{_WEEKDAY}(?:(?:\\.\\.|-){_WEEKDAY})?"
_FORM = re.compile(
    rf"(?:(?P<weekdays>{_WEEKDAY_ITEM}(?:,{_WEEKDAY_ITEM})*) +)?"
    r"(?:\*-\*-(?P<day>\*|0?[1-9]|[12][0-9]|3[01]) +)?"
    r"(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])(?::(?P<second>[0-5][0-9]))?",
    re.IGNORECASE,
)
# How far ahead an occurrence is looked for: every one of these forms elapses within it
# (the longest wait, 609 days, is for a weekday on the 31st: Mon *-*-31).
SEARCH_DAYS = 2 * 366


class UnsupportedCalendar(ValueError):
    """An expression of another form than those above."""


@dataclass(frozen=True)
class Calendar:
    """One OnCalendar expression of the forms the runner writes, on the clock `zone`."""

    weekdays: frozenset[int]  # Monday 0; empty: every day
    day: int | None  # a day of the month; None: every day
    at: time
    zone: tzinfo

    @classmethod
    def parse(cls, text: str, zone: tzinfo) -> Calendar:
        """`text` (without its zone) on the clock `zone`; UnsupportedCalendar if its form
        is not one of those above."""
        found = _FORM.fullmatch(" ".join(text.split()))
        if found is None:
            raise UnsupportedCalendar(text)
        day = found["day"]
        return cls(
            _weekdays(found["weekdays"]),
            None if day in (None, "*") else int(day),
            time(int(found["hour"]), int(found["minute"]), int(found["second"] or 0)),
            zone,
        )

    def matches(self, day: date) -> bool:
        return (not self.weekdays or day.weekday() in self.weekdays) and (
            self.day is None or day.day == self.day
        )

    def on(self, day: date) -> datetime | None:
        """When this calendar elapses on `day` of its clock; None if it does not."""
        return datetime.combine(day, self.at, tzinfo=self.zone) if self.matches(day) else None

    def next_after(self, moment: datetime) -> datetime:
        """The first time this calendar elapses after `moment`."""
        first = moment.astimezone(self.zone).date()
        for offset in range(SEARCH_DAYS):
            when = self.on(first + timedelta(days=offset))
            if when is not None and when > moment:
                return when
        raise AssertionError(f"{self} does not elapse within {SEARCH_DAYS} days")

    def between(self, start: datetime, end: datetime) -> list[datetime]:
        """The times this calendar elapses from `start` on, before `end`."""
        first, last = (moment.astimezone(self.zone).date() for moment in (start, end))
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return [when for when in map(self.on, days) if when is not None and start <= when < end]


# Per SOP id, a court's times of it (schedule.due_calendars, from its sop_schedule, or an
# installed timer's default times for `sop list/overdue -i`): when it falls due (`sop
# overdue -i`) and the runs its report plans (`sop report -i`, the court's own only).
Calendars = Mapping[str, Sequence[Calendar]]


def _weekdays(text: str | None) -> frozenset[int]:
    """The weekday numbers of `Mon..Wed,Fri` (`mon-wed,friday`); UnsupportedCalendar for a
    range from a later day to an earlier one (`Fri..Mon`, which systemd refuses too)."""
    days: set[int] = set()
    for item in text.split(",") if text else ():
        first, _, last = item.replace("..", "-").partition("-")
        start, end = _weekday(first), _weekday(last or first)
        if end < start:
            raise UnsupportedCalendar(item)
        days.update(range(start, end + 1))
    return frozenset(days)


def _weekday(name: str) -> int:
    """Monday 0 for `Mon`, `monday` or `MON`."""
    return [day[:3] for day in WEEKDAYS].index(name[:3].title())


def next_occurrence(calendars: Sequence[Calendar], moment: datetime) -> datetime:
    """The first time any of `calendars` (a timer's OnCalendar lines, at least one)
    elapses after `moment`."""
    return min(c.next_after(moment) for c in calendars)


def occurrences(calendars: Sequence[Calendar], start: datetime, end: datetime) -> list[datetime]:
    """The times any of `calendars` (a timer's OnCalendar lines) elapses from `start` on,
    before `end`, in order; a time several of them name once, as systemd starts its timer
    once then (a court's report plans its runs by them)."""
    return sorted({when for c in calendars for when in c.between(start, end)})
