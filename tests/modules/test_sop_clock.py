"""module_utils/sop_clock.py: how far ahead of the clock a time read elsewhere may lie."""

from __future__ import annotations

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
