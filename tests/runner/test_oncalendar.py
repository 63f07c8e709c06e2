"""The OnCalendar forms `sop schedule` writes, read back for `sop overdue`: their next
occurrence, cross-checked against systemd's own (`systemd-analyze calendar`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.oncalendar import next_occurrence, occurrences
from sop.schedule import calendar, render, scheduled

SOPS = load_catalogue(PACKAGE_CATALOGUE)
# A court's own times of every shape the runner writes (the README's and more), in WIT;
# weekdays in the cases and spellings systemd reads too.
COURT_SCHEDULE: dict[str, Any] = {
    "timezone": "Asia/Jayapura",
    "sipp-sync": ["Mon..Fri *-*-* 08:00", "12:00", "16:00:30"],
    "sipp-backup": ["Mon,Wed,Fri 00:30", "tue-THU 03:00"],
    "website": ["Mon..Wed,Sat *-*-* 23:59", "sunday 10:00"],
    "network": "*-*-1 0:15 UTC",
    "it-security": "Mon *-*-31 09:00",
}
# Moments the next occurrences are counted from: a Friday evening before a weekend in
# WIT, just before and after midnight WIT, the end of January in a leap year.
BASES = [
    datetime(2026, 3, 6, 17, 0, tzinfo=UTC),  # Saturday 02:00 WIT
    datetime(2026, 3, 5, 14, 59, tzinfo=UTC),  # Thursday 23:59 WIT
    datetime(2026, 3, 5, 15, 0, 1, tzinfo=UTC),  # Friday 00:00:01 WIT
    datetime(2028, 1, 31, 2, 0, tzinfo=UTC),
]
ITERATIONS = 6


def _timer_calendars(court_schedule: dict[str, Any], tmp_path: Path) -> list[str]:
    """Every OnCalendar= line `sop schedule install` writes for the packaged SOPs."""
    units = render(SOPS, sop_bin=Path("/usr/bin/sop"), inventory="court", project_dir=tmp_path,
                   data_dir=tmp_path, schedule=court_schedule)  # fmt: skip
    return [
        line.removeprefix("OnCalendar=")
        for unit in units
        if unit.name.endswith(".timer") and unit.name != "sop-overdue.timer"
        for line in unit.text.splitlines()
        if line.startswith("OnCalendar=")
    ]


def _systemd(expression: str, base: datetime, iterations: int = ITERATIONS) -> list[datetime]:
    """The next `iterations` elapses systemd computes for `expression` after `base`."""
    shown = subprocess.run(
        ["systemd-analyze", "calendar", f"--iterations={iterations}",
         f"--base-time=@{int(base.timestamp())}", "--", expression],
        capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"},
    ).stdout  # fmt: skip
    return [
        datetime.strptime(line.split(": ", 1)[1], "%a %Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
        for line in shown.splitlines()
        if line.strip().startswith(("Next elapse:", "Iter. #"))
    ]


def _ours(expression: str, base: datetime) -> list[datetime]:
    sop = SOPS["sipp-backup"]
    calendars = [calendar(sop, expression)]
    found = [next_occurrence(calendars, base)]
    while len(found) < ITERATIONS:
        found.append(next_occurrence(calendars, found[-1]))
    return [moment.astimezone(UTC) for moment in found]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
@pytest.mark.parametrize("court_schedule", [{}, {"timezone": "Asia/Jayapura"}, COURT_SCHEDULE])
def test_next_occurrences_are_systemds(court_schedule: dict[str, Any], tmp_path: Path) -> None:
    """Each OnCalendar line the runner writes (its defaults in WIB and WIT, a court's own
    times), followed from a few moments: the same elapses as systemd's timers."""
    expressions = _timer_calendars(court_schedule, tmp_path)
    assert len(expressions) >= len(scheduled(SOPS))
    for expression in expressions:
        for base in BASES:
            assert _ours(expression, base) == _systemd(expression, base), (expression, base)


@pytest.mark.parametrize(
    "expression",
    ["daily Asia/Jakarta", "*-*-* 08:00/2 Asia/Jakarta", "*-*-* 09,13:00 Asia/Jakarta",
     "2026-*-01 09:00 Asia/Jakarta", "Fri..Mon 08:00 Asia/Jakarta", "Fri-Mon 08:00 Asia/Jakarta",
     "*-*-1,15 09:00 Asia/Jakarta", "UTC"],
)  # fmt: skip
def test_other_forms_are_not_followed(expression: str) -> None:
    # a timer runs them (systemd reads any calendar); `sop overdue` judges such a SOP by
    # its frequency's period instead (test_overdue)
    assert calendar(SOPS["sipp-sync"], expression) is None


# A month on the WIT clock: March 2026 (from 00:00 WIT on the 1st, 15:00 UTC the day before).
MONTH_START = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
MONTH_END = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
@pytest.mark.parametrize("court_schedule", [{}, COURT_SCHEDULE])
def test_the_times_in_a_month_are_systemds(court_schedule: dict[str, Any], tmp_path: Path) -> None:
    """The times each OnCalendar line elapses within a month (what a court's report plans):
    those systemd's timers elapse at, no more, no fewer."""
    for expression in _timer_calendars(court_schedule, tmp_path):
        expected = [t for t in _systemd(expression, MONTH_START, 100) if t < MONTH_END]
        found = occurrences([calendar(SOPS["sipp-backup"], expression)], MONTH_START, MONTH_END)
        assert [t.astimezone(UTC) for t in found] == expected, expression


def test_a_time_two_calendars_share_is_one_run() -> None:
    """systemd starts a timer once at a time several of its OnCalendar lines name."""
    lines = ["Mon..Fri 08:00 Asia/Jayapura", "Wed 08:00 Asia/Jayapura", "Fri 16:00 Asia/Jayapura"]
    calendars = [calendar(SOPS["sipp-sync"], line) for line in lines]
    monday = datetime(2026, 3, 9, tzinfo=ZoneInfo("Asia/Jayapura"))
    assert len(occurrences(calendars, monday, monday + timedelta(days=7))) == 6
