"""Mutu Baku time limits: parse "5m"/"1h"/"1d" or ISO 8601 ("PT1H", "P1D"); format them."""

from __future__ import annotations

import math
import re

from sop.bahasa import angka
from sop.untrusted import quoted, shortened

_SIMPLE = re.compile(r"^(\d+)([smhd])$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The longest time limit or grace: a Mutu Baku or a grace is hours or days; beyond a year
# a date plus it may overflow, and a record's limit_s is a 32-bit integer.
MAX_SECONDS = 366 * 86400
_MAX_CHARS = 40  # longer is no duration (and int() refuses over 4300 digits)


def _seconds(text: str) -> int | None:
    if len(text) > _MAX_CHARS:
        return None
    simple = _SIMPLE.match(text)
    if simple:
        return int(simple.group(1)) * _UNIT_SECONDS[simple.group(2)]
    iso = _ISO.match(text)
    if iso and text not in ("P", "PT") and any(iso.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return None


def parse_duration(text: str) -> int:
    """Seconds in `text`, at most MAX_SECONDS; raises ValueError (naming it) otherwise."""
    seconds = _seconds(text)
    shown = quoted(shortened(text))
    if seconds is None:
        raise ValueError(f"not a duration: {shown} (use 5m, 1h, 1d or ISO 8601 such as PT1H)")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{shown} is longer than 366 days")
    return seconds


_UNITS = ((86400, "hari"), (3600, "jam"), (60, "menit"), (1, "detik"))
# A duration no clock measured: not a number, endless, or an end recorded before its start
# (the controller's clock set back while it ran: the record keeps what it computed).
UNMEASURED = "tidak terukur"
CLOCK_SET_BACK = f"{UNMEASURED} (jam mundur)"


def _largest_two(total: int) -> list[tuple[int, int, str]]:
    """(value, unit's seconds, unit) of the two largest units of ``total`` not zero."""
    parts = []
    for size, unit in _UNITS:
        value, total = divmod(total, size)
        if value:
            parts.append((value, size, unit))
    return parts[:2]


def format_seconds(seconds: float | None, *, over: bool = False) -> str:
    """Short human form in Bahasa Indonesia: "45 detik", "2,2 detik" (a decimal comma),
    "2 menit 5 detik", "1 jam 3 menit".

    ``over``: a duration judged over its limit (a Mutu Baku, a whole number of seconds,
    which this shows at most as long as it is) has its last shown unit rounded up, never
    to the nearest: 900.4 s over 15 minutes reads "15 menit 1 detik", not "15 menit".

    A negative duration (an end recorded before its start: the clock was set back) reads
    CLOCK_SET_BACK, not "-0,0 detik"; NaN or infinity UNMEASURED."""
    if seconds is None:
        return "-"
    if not math.isfinite(seconds):
        return UNMEASURED
    if seconds < 0:
        return CLOCK_SET_BACK
    seconds = abs(seconds)  # -0.0 reads "0,0 detik"
    # a measured time is to the microsecond: float noise below it is not over anything
    total = math.ceil(round(seconds, 6)) if over else round(seconds)
    if total < 60:
        if seconds < 10 and not isinstance(seconds, int):  # measured; a limit is whole seconds
            tenths = math.ceil(round(seconds * 10, 5)) / 10 if over else seconds
            return f"{angka(tenths, 1)} detik"
        return f"{total} detik"
    shown = _largest_two(total)
    kept = sum(value * size for value, size, _ in shown)
    if over and kept < total:  # the smaller units left out: one more of the last shown
        shown = _largest_two(kept + shown[-1][1])
    return " ".join(f"{angka(value)} {unit}" for value, _, unit in shown)
