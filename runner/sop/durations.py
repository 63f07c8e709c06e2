"""Mutu Baku time limits: parse "5m"/"1h"/"1d" or ISO 8601 ("PT1H", "P1D"); format them."""

from __future__ import annotations

import re

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
    shown = text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1] + "…"
    if seconds is None:
        raise ValueError(f"not a duration: {shown!r} (use 5m, 1h, 1d or ISO 8601 such as PT1H)")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{shown!r} is longer than 366 days")
    return seconds


def format_seconds(seconds: float | None) -> str:
    """Short human form in Bahasa Indonesia: "45 detik", "2 menit 5 detik", "1 jam 3 menit"."""
    if seconds is None:
        return "-"
    total = round(seconds)
    if total < 60:
        measured = seconds < 10 and not isinstance(seconds, int)  # a limit is whole seconds
        return f"{seconds:.1f} detik" if measured else f"{total} detik"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "hari"), (hours, "jam"), (minutes, "menit"), (secs, "detik")]
    shown = [f"{value} {unit}" for value, unit in parts if value][:2]
    return " ".join(shown)
