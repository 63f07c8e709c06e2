"""module_utils/sop_bahasa.py: the modules' Bahasa Indonesia messages write numbers as the
runner's reports do (runner/sop/bahasa.py), so a report quoting a message never mixes
`2,2` with `93.5`. The runner cannot import module_utils: this test holds the two in step."""

from __future__ import annotations

import pytest
from loader import load

from sop import bahasa

u = load("sop_bahasa")

VALUES = (0, 1, -1, 7, 999, 1000, -1000, 1250, 1234567, 10**12, 0.0, -0.0, 0.05, 0.15, 0.25,
          0.5, 1.5, 2.5, 2.25, 2.675, 9.95, 99.95, 999.95, 93.46, -93.46, 12.5, 0.625,
          1234567.5, 1234567.45, 0.1 + 0.2, 1e-7, 123456789012.5, 1e15, 10**16 + 1, 2**63 - 1)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_angka_writes_as_the_runners_reports_do(value, decimals):
    assert u.angka(value, decimals) == bahasa.angka(value, decimals)


@pytest.mark.parametrize("value", VALUES)
def test_angka_ringkas_writes_as_the_runners_reports_do(value):
    assert u.angka_ringkas(value) == bahasa.angka_ringkas(value)


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (0, 0, "0"),
    (1234567, 0, "1.234.567"),
    (-1250, 0, "-1.250"),
    (0.05, 1, "0,1"),          # 0.05 is a little above it in binary
    (93.46, 1, "93,5"),
    (2.25, 1, "2,2"),          # half to even, as `format` rounds
    (1234567.5, 1, "1.234.567,5"),
    (9.95, 1, "9,9"),          # 9.95 is a little below it in binary
    (999.95, 1, "1.000,0"),    # and 999.95 a little above: a thousand, with its dot
    (0.875, 2, "0,88"),
    # a whole number beyond a float's 53 bits (a count, a file's size) is written exactly:
    # through a float it read 9.223.372.036.854.775.808
    (2**63 - 1, 0, "9.223.372.036.854.775.807"),
    (10**16 + 1, 1, "10.000.000.000.000.001,0"),
])
def test_angka_puts_a_dot_between_thousands_and_a_decimal_comma(value, decimals, text):
    assert u.angka(value, decimals) == text


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (12.5, "12,5"), (0.625, "0,625"), (1000, "1.000"), (1000.0, "1.000"),
    (0.1 + 0.2, "0,3"), (-2.5, "-2,5"),
])
def test_angka_ringkas_writes_the_shortest_form(value, text):
    assert u.angka_ringkas(value) == text
