"""Numbers and dates as Bahasa Indonesia writes them in a report's text, by explicit
tables: the same on a controller whose locale is C or en_US."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sop import report
from sop.bahasa import angka, angka_ringkas, persen, pukul, tanggal


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (1250, 0, "1.250"),  # a dot between thousands
        (1250000000, 0, "1.250.000.000"),
        (999, 0, "999"),
        (2.25, 1, "2,2"),  # a decimal comma
        (1234.5, 1, "1.234,5"),
        (96.66, 0, "97"),
    ],
)
def test_a_number_has_a_dot_between_thousands_and_a_decimal_comma(
    value: float, decimals: int, shown: str
) -> None:
    assert angka(value, decimals) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.625, "0,625"),
        (12.5, "12,5"),
        (1000.0, "1.000"),
        (0.30000000000000004, "0,3"),
        (1e15, "1.000.000.000.000.000"),
    ],
)
def test_a_number_in_its_shortest_form_is_written_alike(value: float, shown: str) -> None:
    """A chart's axis and a size keep no more digits than they have, never `1e+15`."""
    assert angka_ringkas(value) == shown


def test_a_date_names_its_month_and_a_time_takes_a_dot() -> None:
    assert tanggal(date(2026, 12, 5)) == "5 Desember 2026"  # no leading zero
    assert tanggal(datetime(2026, 5, 31, 23, 59)) == "31 Mei 2026"
    assert pukul(datetime(2026, 12, 5, 3, 7)) == "pukul 03.07"


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (2, 3, "67%"),
        (5, 5, "100%"),
        (0, 5, "0%"),
        (0, 0, "-"),  # nothing to judge
        (199, 200, "99,5%"),  # not "100%": one failed
        (1999, 2000, "99,95%"),
        (999_999, 1_000_000, "99,9999%"),
        (1, 1000, "0,1%"),  # not "0%": one succeeded
        (1, 201, "0,5%"),
        (1001, 1001, "100%"),
    ],
)
def test_a_rate_below_all_never_reads_all_nor_above_none_none(
    part: int, whole: int, shown: str
) -> None:
    assert persen(part, whole) == shown


def test_a_reports_success_rate_of_199_in_200_is_not_100_percent() -> None:
    """The reports' rate (the summary's `Tingkat keberhasilan`) is `persen`'s."""
    runs = [{"status": "successful", "check_mode": False}] * 199
    assert report.tally([*runs, {"status": "failed", "check_mode": False}]) == (200, 199, "99,5%")
