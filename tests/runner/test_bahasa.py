"""Numbers and dates as Bahasa Indonesia writes them in a report's text, by explicit
tables: the same on a controller whose locale is C or en_US."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sop.bahasa import angka, angka_ringkas, pukul, tanggal


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
