"""module_utils/sop_options: the one check of the modules' time options. A timeout of 0
failed website_integrity's page reads, recorded as the site's fault (page_unreachable),
while website_check refused it: each module checked its own, in its own words, or not at
all."""

from __future__ import annotations

import pytest
from loader import load

options = load("sop_options")


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-5, "-5"), (0.0, "0"), (-0.5, "-0.5"),
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf")])
def test_a_time_that_is_no_positive_finite_number_is_refused_naming_the_option(
        value: float, shown: str) -> None:
    assert options.seconds_error({"timeout": value}, "timeout") == {
        "msg": f"timeout: must be a positive number of seconds, not {shown}",
        "setting": "timeout"}


@pytest.mark.parametrize("value", [1, 30, 0.001, 2.5])
def test_a_positive_time_passes(value: float) -> None:
    assert options.seconds_error({"timeout": value}, "timeout") is None


def test_the_first_refused_of_several_options_is_named() -> None:
    params = {"timeout": 30, "query_timeout": 0, "max_response_seconds": -1}
    assert options.seconds_error(params, "timeout", "query_timeout", "max_response_seconds") \
        == {"msg": "query_timeout: must be a positive number of seconds, not 0",
            "setting": "query_timeout"}


def test_zero_keeps_its_documented_meaning_and_a_negative_is_refused() -> None:
    assert options.seconds_error({"stall_timeout": 0}, "stall_timeout",
                                 zero="never stops it") is None
    assert options.seconds_error({"stall_timeout": -1}, "stall_timeout",
                                 zero="never stops it") == {
        "msg": "stall_timeout: must be 0 (never stops it) or a positive number of seconds, "
               "not -1",
        "setting": "stall_timeout"}
    assert options.seconds_error({"interval": float("inf")}, "interval", zero="no pause")[
        "msg"] == "interval: must be 0 (no pause) or a positive number of seconds, not inf"
