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

from sop import oncalendar
from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.oncalendar import (
    Calendar,
    UnsupportedCalendar,
    never_elapses,
    next_occurrence,
    occurrences,
    systemd_refusal,
)
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
        if line.strip().startswith(("Next elapse:", "Iter. #")) and not line.endswith(" never")
    ]


def _ours(expression: str, base: datetime) -> list[datetime]:
    sop = SOPS["sipp-backup"]
    calendars = [calendar(sop, expression)]
    found: list[datetime] = []
    when = next_occurrence(calendars, base)
    while when is not None and len(found) < ITERATIONS:
        found.append(when.astimezone(UTC))
        when = next_occurrence(calendars, when)
    return found


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


# Forms a court may write beyond the runner's own, each followed from a few moments in
# UTC and Indonesia's zones: systemd's elapses, its quirks included (`0,18/4:00` after
# 22:00 runs at 00:00, as systemd carries 26:00 over to the next day's first hour).
OTHER_FORMS = [
    "Mon..Fri *-*-* 09,13,17:00", "*:0/15", "*-*-* 08..18/2:00", "*-*-1/7", "*-*~01",
    "*-02~03", "*-*~07/2", "*-*~1..7/2", "Mon *-05~07/1", "minutely", "hourly", "daily",
    "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually", "semi-annually",
    "2026-*-01 09:00", "2028-02-29 12:00", "*-02-29 06:00", "*-*-1,15 09:00",
    "*-*-* 08:00/2", "*-*-* 0,18/4:00", "*:*:0/45", "*-*-* 5..6/3:00", "26-1-1",
    "27..29-3-1", "Sat,Sun 10:30:15", "mon-wed,fri 7:5", "Mon, 9:00", "Mon", "*-*-01",
    "12-25", "*-12-31 23:59:59", "*-*-* 23:30..45/5", "*-*-01..02/5", "*-*-31",
    "2026-01..12/3-1..31/10 0/6:30", "*-02-30 09:00", "2020-01-01",
]  # fmt: skip


def _elapses(expression: str, zone: str, base: datetime) -> list[datetime]:
    found: list[datetime] = []
    calendar_ = Calendar.parse(expression, ZoneInfo(zone))
    when = calendar_.next_after(base)
    while when is not None and len(found) < ITERATIONS:
        found.append(when.astimezone(UTC))
        when = calendar_.next_after(when)
    return found


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
@pytest.mark.parametrize("zone", ["UTC", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_other_forms_elapse_as_systemds(zone: str) -> None:
    for expression in OTHER_FORMS:
        for base in BASES:
            assert _elapses(expression, zone, base) == _systemd(f"{expression} {zone}", base), (
                expression, base,
            )  # fmt: skip


@pytest.mark.parametrize(
    "expression",
    ["@1780000000", "Fri..Mon 08:00", "Fri-Mon 08:00", "*/5:00", "*-*-* 5.5", "Mond 09:00",
     "Mon..Fri..Sat", "1..7", "*-*-* 00/25:00", "*-*~29", "*-*-32", "*-*-* 24:00", "",
     "*-*-* 08:00 Asia/Jakarta",
     # spaces but between the parts (and after a date): before the zone, leading, a tab
     "12:00 ", " 12:00", "Mon\t12:00", "Mon\u00a012:00", "daily ", " daily",
     # days counted back listed: each after the first 3 days less far back
     "*-*~9,27", "*-*~1,26", "*-*~1,2,23", "*-*~1,22..26", "*-*~1,2,3,4,5,6,7,8,9"],
)  # fmt: skip
def test_other_forms_are_not_followed(expression: str) -> None:
    # a timer runs what systemd takes (`@EPOCH`); the others systemd refuses too (`sop
    # schedule install` with it); `sop overdue` judges such a SOP by its frequency's
    # period instead (test_overdue). systemd's parser (calendarspec.c) skips spaces only
    # after the weekdays and the date, and splits a zone off at the last one: `12:00 `
    # in a zone is `12:00  Asia/Jakarta`, refused. Its check of days counted back from
    # a month's last (chain_valid) lowers their bound, 28, by 3 for each listed after the
    # first (its recursion passes the lowered one on): `*-*~27` and `*-*~9,25` elapse,
    # `*-*~9,27` is refused (systemd-analyze calendar, systemd 252).
    with pytest.raises(UnsupportedCalendar):
        Calendar.parse(expression, UTC)
    assert calendar(SOPS["sipp-sync"], f"{expression} Asia/Jakarta") is None


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


# An expression a court's inventory or the catalogue gives, as its refusals quote it: once
# (untrusted.quoted: repr's escapes were escaped again as `sop` showed them) and cut
# (untrusted.shortened: one pasted whole flooded the line).
SHOWN = [("a\\b", "'a\\b'"), ("x" * 5000, "'" + "x" * 60 + "…'")]


@pytest.mark.parametrize(("value", "shown"), SHOWN)
def test_a_refused_expression_is_quoted_once_and_cut(
    value: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert never_elapses(value) == f"{shown} never elapses: its timer would never run the SOP"
    tools = tmp_path / "bin"
    tools.mkdir()
    analyze = tools / "systemd-analyze"
    analyze.write_text("#!/bin/sh\necho 'Failed to parse calendar specification' >&2\nexit 1\n")
    analyze.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    assert systemd_refusal(value, value) == (
        f"{shown} is not a systemd OnCalendar expression: Failed to parse calendar specification"
    )
    analyze.write_text("#!/bin/sh\nexec sleep 60\n")
    monkeypatch.setattr(oncalendar, "ANALYZE_TIMEOUT", 1)
    hung = systemd_refusal(value, value)
    assert hung == f"systemd-analyze calendar {shown} did not answer in 1 s"
