"""Overdue SOPs, Healthchecks' model: a SOP falls due one period (its frequency) after
its last successful run at a court and is overdue once the grace after that has passed.

States per SOP and court: `up` (not due yet), `grace` (due, within the grace), `overdue`,
`new` (never run for real at this court: nothing is expected of it yet; a SOP that ran but
never succeeded falls due from its first run), `on-demand` (never overdue). Check-mode runs
count for nothing: they perform nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sop.catalogue import Sop
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


def evaluate(sop: Sop, court_name: str | None, record: DueRecord | None, at: datetime) -> Due:
    """The state of `sop` at `court_name` at time `at`."""
    period = sop.period_seconds
    if period is None:
        return Due(sop, court_name, "on-demand")
    if record is None:
        return Due(sop, court_name, "new")
    last_id, last_at = record.last_success or (None, None)
    due_at = record.first_started_at if last_at is None else last_at + timedelta(seconds=period)
    overdue_at = due_at + timedelta(seconds=sop.grace_seconds or 0)
    if at >= overdue_at:
        state = "overdue"
    elif at >= due_at:
        state = "grace"
    else:
        state = "up"
    return Due(sop, court_name, state, last_id, last_at, due_at, overdue_at)


def evaluate_all(
    sops: Iterable[Sop],
    courts: Iterable[str | None],
    records: Mapping[tuple[str, str | None], DueRecord],
    at: datetime,
) -> list[Due]:
    """Every SOP at every court, in catalogue then court order."""
    court_list = list(courts)
    return [
        evaluate(sop, court, records.get((sop.id, court)), at)
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
