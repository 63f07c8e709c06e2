"""Numbers and dates as Bahasa Indonesia writes them in a report's text: a dot between
thousands and a decimal comma (`1.250 berkas`, `2,2 detik`), dates with the month's name
(`5 Desember 2026`). By explicit tables, never the controller's locale (often C or
en_US, and `locale.setlocale` is process-wide). Machine output (JSON) keeps Python's
own forms."""

from __future__ import annotations

from datetime import date, datetime

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
    return f"{value:,.{decimals}f}".translate(_SEPARATORS)


def angka_ringkas(value: float) -> str:
    """`value` in its shortest form (`format`'s `g`, no exponent below a million
    million), written as `angka` writes it: `0,625`, `12,5`, `1.000`."""
    text = f"{value:.12g}"
    decimals = len(text.partition(".")[2]) if "e" not in text else 0
    return angka(value, decimals)


def tanggal(value: date) -> str:
    """A date as an official letter writes it in its text: `5 Desember 2026`."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def pukul(value: datetime) -> str:
    """A time of day as the text of a letter writes it, with a dot: `pukul 03.53`."""
    return f"pukul {value:%H.%M}"
