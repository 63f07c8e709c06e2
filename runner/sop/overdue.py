"""Overdue SOPs, Healthchecks' model: a SOP falls due one period (its frequency) after
its last successful run at a court and is overdue once the grace after that has passed.
A monthly SOP's period is a calendar month on the court's clock (the same day and time of
the next month, its last day when it has no such day: 31 January falls due on the last
day of February). When the SOP's timer runs it at times `sop` reads (its OnCalendar:
the times the court's `sop_schedule` gives it, else, its timer installed for the court,
the SOP's default ones; schedule.due_calendars), it falls due at their first occurrence
after that run instead, as Healthchecks' cron checks do: a SOP run on weekdays only is
not due on Saturday, and a SIPP sync run at 09:00, 13:00 and 17:00 falls due at the next
of them, not a day after its last run.

A SOP never run for real at a court is `new`, as a Healthchecks check that was never
pinged, with one departure: Healthchecks keeps a check `new` until its first ping, cron
schedule or not, and a timer that never fires (a broken controller, a timer never
enabled) would then go unnoticed forever. Once `sop schedule install` has installed the
SOP's timer for the court (the store's record of it), its install counts as the run it
falls due from: at the first of its timer's times after it (one period after it when
`sop` knows none: without the court's inventory, or times of a form it does not read),
then within the grace, then overdue.

States per SOP and court: `up` (not due yet), `grace` (due, within the grace), `overdue`,
`new` (never run for real at this court: nothing is expected of it yet, or, its timer
installed, not before its first scheduled time; a SOP that ran but never succeeded falls
due from its first run), `on-demand` (never overdue). Check-mode runs count for nothing:
they perform nothing.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from sop.catalogue import Sop
from sop.oncalendar import Calendar, Calendars, next_occurrence
from sop.store import DueRecord

# Most urgent first: what `sop list` shows for a SOP recorded at several courts.
STATES = ("overdue", "grace", "new", "up", "on-demand")


@dataclass(frozen=True)
class Due:
    """One SOP at one court."""

    sop: Sop
    court_name: str | None
    state: str
    last_success_id: int | None = None
    last_success_at: datetime | None = None
    due_at: datetime | None = None
    overdue_at: datetime | None = None

    def overdue_seconds(self, at: datetime) -> float | None:
        if self.state != "overdue" or self.overdue_at is None:
            return None
        return (at - self.overdue_at).total_seconds()


def _next_month(moment: datetime, zone: tzinfo) -> datetime:
    """The same day and time of the next calendar month on the clock `zone` (its last
    day when it has no such day)."""
    local = moment.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return local.replace(
        year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1])
    )


def falls_due(
    sop: Sop, period: int, last_success: datetime, zone: tzinfo, calendars: Sequence[Calendar]
) -> datetime:
    """When a SOP that last succeeded at `last_success` falls due again: the court's
    schedule's (`calendars`) first occurrence after it, else (no schedule, or one that
    never elapses again, whose timer never runs the SOP) one `period` after it (a
    monthly SOP's: a calendar month on the court's clock `zone`)."""
    scheduled = next_occurrence(calendars, last_success) if calendars else None
    if scheduled is not None:
        return scheduled
    if sop.frequency == "monthly":
        return _next_month(last_success, zone)
    return last_success + timedelta(seconds=period)


def evaluate(
    sop: Sop,
    court_name: str | None,
    record: DueRecord | None,
    at: datetime,
    *,
    zone: tzinfo,
    calendars: Sequence[Calendar] = (),
    scheduled_since: datetime | None = None,
) -> Due:
    """The state of `sop` at `court_name` at time `at`, on the court's clock `zone`, by
    the times its timer runs it at (`calendars`) when they are known; `scheduled_since`:
    when its timer was installed for the court (None: it is not)."""
    period = sop.period_seconds
    if period is None:
        return Due(sop, court_name, "on-demand")
    if record is None:
        if scheduled_since is None:
            return Due(sop, court_name, "new")
        due_at = falls_due(sop, period, scheduled_since, zone, calendars)
        return _judged(Due(sop, court_name, "new"), due_at, at)
    last_id, last_at = record.last_success or (None, None)
    due_at = (
        record.first_started_at
        if last_at is None
        else falls_due(sop, period, last_at, zone, calendars)
    )
    return _judged(Due(sop, court_name, "up", last_id, last_at), due_at, at)


def _judged(waiting: Due, due_at: datetime, at: datetime) -> Due:
    """`waiting` (in its state until `due_at`) at time `at`: falling due at `due_at`,
    overdue after its grace."""
    overdue_at = due_at + timedelta(seconds=waiting.sop.grace_seconds or 0)
    if at >= overdue_at:
        state = "overdue"
    elif at >= due_at:
        state = "grace"
    else:
        state = waiting.state
    return replace(waiting, state=state, due_at=due_at, overdue_at=overdue_at)


def evaluate_all(
    sops: Iterable[Sop],
    courts: Iterable[str | None],
    records: Mapping[tuple[str, str | None], DueRecord],
    at: datetime,
    *,
    zone: tzinfo,
    calendars: Calendars | None = None,
    scheduled: Mapping[tuple[str, str | None], datetime] | None = None,
) -> list[Due]:
    """Every SOP at every court, in catalogue then court order; `calendars`: per SOP, the
    times its timer runs it at (one court's, read from its inventory); `scheduled`: per
    (SOP, court), since when its timer is installed (Store.scheduled_since)."""
    court_list = list(courts)
    schedules = calendars or {}
    installed = scheduled or {}
    return [
        evaluate(
            sop,
            court,
            records.get((sop.id, court)),
            at,
            zone=zone,
            calendars=schedules.get(sop.id, ()),
            scheduled_since=installed.get((sop.id, court)),
        )
        for sop in sops
        for court in court_list
    ]


def most_urgent(dues: Iterable[Due]) -> Due | None:
    """The court whose state is the most urgent (the earliest deadline among equals)."""
    return min(
        dues,
        key=lambda d: (
            STATES.index(d.state),
            d.overdue_at.timestamp() if d.overdue_at else float("inf"),
        ),
        default=None,
    )
