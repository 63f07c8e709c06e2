"""Durations as the records show them: a duration over its limit never reads as within it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sop.durations import format_seconds
from sop.report import duration_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (45, "45 detik"),
        (7.25, "7,2 detik"),  # a decimal comma, as Bahasa Indonesia writes it
        (900.4, "15 menit"),  # to the nearest
        (899.6, "15 menit"),
        (3605, "1 jam 5 detik"),
        (3660.4, "1 jam 1 menit"),  # the two largest units
        (1000 * 86400 + 7200, "1.000 hari 2 jam"),  # a dot between thousands
    ],
)
def test_a_duration_is_shown_to_the_nearest_of_its_two_largest_units(
    seconds: float | None, shown: str
) -> None:
    assert format_seconds(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (900.4, "15 menit 1 detik"),  # over 15 minutes: not "15 menit"
        (900.000001, "15 menit 1 detik"),  # a microsecond over
        (901.0000000000001, "15 menit 1 detik"),  # float noise is no second more
        (5.04, "5,1 detik"),  # over 5 seconds: not "5,0 detik"
        (5.1, "5,1 detik"),
        (12.3, "13 detik"),
        (59.5, "1 menit"),
        (3660.4, "1 jam 2 menit"),  # over 1 hour 1 minute: the last unit shown, up
        (172799.2, "2 hari"),  # 1 day 23 hours 59 minutes 59.2 seconds, carried
    ],
)
def test_a_duration_over_its_limit_has_its_last_unit_rounded_up(seconds: float, shown: str) -> None:
    """A limit (whole seconds) is shown at most as long as it is; a duration over it has
    the last unit shown rounded up, so it reads longer than the limit it exceeded."""
    assert format_seconds(seconds, over=True) == shown


@pytest.mark.parametrize("over", [False, True])
@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-0.04, "tidak terukur (jam mundur)"),  # not "-0,0 detik": the clock was set back
        (-5, "tidak terukur (jam mundur)"),
        (-3700.0, "tidak terukur (jam mundur)"),  # not "-3.700,0 detik"
        (-0.0, "0,0 detik"),
        (float("nan"), "tidak terukur"),  # never a ValueError
        (float("inf"), "tidak terukur"),  # never an OverflowError
        (float("-inf"), "tidak terukur"),
    ],
)
def test_a_duration_no_clock_measured_says_so(seconds: float, shown: str, over: bool) -> None:
    assert format_seconds(seconds, over=over) == shown


def test_a_run_whose_clock_was_set_back_reads_so_in_the_report() -> None:
    """An execution recorded ending before it started (the controller's clock stepped
    back while it ran) reads as such in a report's table."""
    started = datetime(2026, 11, 3, 2, tzinfo=UTC)
    row = {
        "started_at": started,
        "ended_at": started - timedelta(seconds=40),
        "status": "successful",
    }
    assert duration_text(row) == "tidak terukur (jam mundur)"
