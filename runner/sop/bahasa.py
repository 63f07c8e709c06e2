"""Numbers and dates as Bahasa Indonesia writes them in a report's text: a dot between
thousands and a decimal comma (`1.250 berkas`, `2,2 detik`), dates with the month's name
(`5 Desember 2026`), rates that read all or none only when they are (`99,5%`, not
`100%`). By explicit tables, never the controller's locale (often C or en_US, and
`locale.setlocale` is process-wide). Machine output (JSON) keeps Python's own forms."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_SEPARATORS = str.maketrans(",.", ".,")


def angka(value: float, decimals: int = 0) -> str:
    """`value` with `decimals` digits after a decimal comma and a dot between thousands:
    `angka(1250)` is `1.250`, `angka(2.25, 1)` is `2,2` (rounded as `format` rounds)."""
    if isinstance(value, int):  # exactly: a float's 53 bits would change a larger one
        text = f"{value:,}" + ("." + "0" * decimals if decimals else "")
    else:
        text = f"{value:,.{decimals}f}"
    return text.translate(_SEPARATORS)


def angka_ringkas(value: float) -> str:
    """`value` in its shortest form (`format`'s `g`, no exponent below a million
    million), written as `angka` writes it: `0,625`, `12,5`, `1.000`."""
    text = f"{value:.12g}"
    decimals = len(text.partition(".")[2]) if "e" not in text else 0
    return angka(value, decimals)


def persen(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage, whole percents unless that would read as all or
    none when it is neither: `97%`, `99,5%` (199 of 200, never `100%`), `0,1%` (1 of
    1000, never `0%`); `-` of nothing. Exact (a fraction, not a float): a rate of a
    million runs, one failed, is not `100%` either."""
    if whole <= 0:
        return "-"
    exact = Fraction(100 * part, whole)
    decimals = 0
    shown = round(exact)  # half to even, as `format` rounds
    while 0 < part < whole and shown in (0, 100 * 10**decimals):
        decimals += 1
        shown = round(exact * 10**decimals)
    return f"{angka(shown / 10**decimals, decimals)}%"


def tanggal(value: date) -> str:
    """A date as an official letter writes it in its text: `5 Desember 2026`."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def pukul(value: datetime) -> str:
    """A time of day as the text of a letter writes it, with a dot: `pukul 03.53`."""
    return f"pukul {value:%H.%M}"
