"""Mutu Baku time limits: parse "5m"/"1h"/"1d" or ISO 8601 ("PT1H", "P1D"); format them."""

from __future__ import annotations

import re

_SIMPLE = re.compile(r"^(\d+)([smhd])$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds in `text`; raises ValueError for anything else."""
    simple = _SIMPLE.match(text)
    if simple:
        return int(simple.group(1)) * _UNIT_SECONDS[simple.group(2)]
    iso = _ISO.match(text)
    if iso and text not in ("P", "PT") and any(iso.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    raise ValueError(f"not a duration: {text!r} (use 5m, 1h, 1d or ISO 8601 such as PT1H)")


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
