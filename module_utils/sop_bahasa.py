# GPL-3.0-or-later
"""Numbers in the modules' Bahasa Indonesia messages as the reports write them: a dot
between thousands and a decimal comma (``1.250 MB``, ``terpakai 93,5%``), by an explicit
table, never the host's locale. The reports quote these messages beside their own
numbers, so the runner's ``runner/sop/bahasa.py`` (which cannot import this file) keeps
the same two functions; ``tests/modules/test_sop_bahasa.py`` holds them in step. English
messages and the numbers of a module's result keep Python's own forms. Stdlib only (runs
on the managed host, Python 3.9+).
"""

from __future__ import annotations

_SEPARATORS = str.maketrans(",.", ".,")


def angka(value: float, decimals: int = 0) -> str:
    """``value`` with ``decimals`` digits after a decimal comma and a dot between
    thousands: ``angka(1250)`` is ``1.250``, ``angka(93.46, 1)`` is ``93,5`` (rounded as
    ``format`` rounds)."""
    if isinstance(value, int):  # exactly: a float's 53 bits would change a larger one
        text = f"{value:,}" + ("." + "0" * decimals if decimals else "")
    else:
        text = f"{value:,.{decimals}f}"
    return text.translate(_SEPARATORS)


def angka_ringkas(value: float) -> str:
    """``value`` in its shortest form (``format``'s ``g``, no exponent below a million
    million), written as ``angka`` writes it: ``0,625``, ``12,5``, ``1.000``."""
    text = f"{value:.12g}"
    decimals = len(text.partition(".")[2]) if "e" not in text else 0
    return angka(value, decimals)
