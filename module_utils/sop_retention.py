# GPL-3.0-or-later
"""Retention selection (pure logic, unit-tested) for the SIPP backups.

Semantics of restic/borg ``forget --keep-daily/--keep-weekly/--keep-monthly``: going
from the newest verified backup to the oldest, each rule keeps the newest backup of each
of its last N buckets (day, ISO week, month) that have a backup; a backup kept by any
rule is kept. On top of that:

- only verified backups are candidates for keeping; the newest verified one is always
  kept, whatever the rules say;
- unverified backups and partial files are pruned only when they are older than
  ``stale_after`` and a newer verified backup exists (a failed run never loses the only
  copy);
- with no verified backup at all nothing is pruned;
- a verified backup named in ``hold`` (the last one before a shrink of the data, on the
  backup computer) is kept with the reason given, whatever the rules say.

"Newest" is the order of arrival where the items give one (``arrival``, the backup
computer's record: lines are appended, never reordered) and the time otherwise: a clock
set back (a dead CMOS battery, 1 January 2000 after a reboot) or ahead for one run does
not make a new backup the oldest, pruned at once, or an old one the newest, kept for
good. The time still names each backup's day, week and month; a bucket counts once
however its backups are ordered. Without a record (a server's own backups, the copies on
a medium) ``by_arrival`` gives the order: the backup or copy a run made arrived last.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Bucket = Callable[[datetime.datetime], str]

RULES: tuple[tuple[str, Bucket], ...] = (
    ("daily", lambda t: t.strftime("%Y-%m-%d")),
    ("weekly", lambda t: "{:04d}-W{:02d}".format(*t.isocalendar()[:2])),
    ("monthly", lambda t: t.strftime("%Y-%m")),
)


def select(items: Sequence[dict[str, Any]], keep: dict[str, int], now: datetime.datetime,
           stale_after: datetime.timedelta = datetime.timedelta(days=1),
           hold: Mapping[str, str] | None = None,
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split ``items`` into ``(kept, pruned)``.

    Each item has ``name``, ``time`` (datetime) and ``verified`` (bool), and may have
    ``arrival`` (int, larger is newer; then every item has it). ``hold``: verified items
    kept whatever the rules say, by name, with the reason. Results are copies with a
    ``reasons`` list (kept) or ``reason`` string (pruned), newest first.
    """
    refused = keep_error(keep)
    if refused:
        raise ValueError(refused)
    ordered = sorted(items, key=_newness, reverse=True)
    verified = [item for item in ordered if item["verified"]]
    if not verified:
        return [dict(item, reasons=["no verified backup yet"]) for item in ordered], []
    newest_verified = verified[0]
    reasons: dict[str, list[str]] = {item["name"]: [] for item in verified}
    for rule, bucket in RULES:
        seen: set[str] = set()
        for item in verified:
            if len(seen) >= keep.get(rule, 0):
                break
            key = bucket(item["time"])
            if key not in seen:
                seen.add(key)
                reasons[item["name"]].append(f"{rule} {key}")
    reasons[newest_verified["name"]].insert(0, "newest verified")
    for name, why in (hold or {}).items():
        if name in reasons:
            reasons[name].append(why)
    kept: list[dict[str, Any]] = []
    pruned: list[dict[str, Any]] = []
    for item in ordered:
        if item["verified"]:
            if reasons[item["name"]]:
                kept.append(dict(item, reasons=reasons[item["name"]]))
            else:
                pruned.append(dict(item, reason="outside keep rules"))
        elif now - item["time"] > stale_after and _newness(item) < _newness(newest_verified):
            pruned.append(dict(item, reason=f"unverified, older than {_human(stale_after)}, "
                               "newer verified backup exists"))
        else:
            kept.append(dict(item, reasons=[f"unverified, kept: younger than {_human(stale_after)}"
                                            " or no newer verified backup"]))
    return kept, pruned


def keep_counts(params: Mapping[str, Any]) -> dict[str, int]:
    """The keep rules' counts a module's options ``params`` give (keep_daily, keep_weekly,
    keep_monthly), as select takes them."""
    return {rule: params[f"keep_{rule}"] for rule, _ in RULES}


def keep_error(keep: Mapping[str, int]) -> str | None:
    """Why ``select`` refuses the keep counts ``keep`` (an unknown rule, a count below 0),
    or None; a module checks them with it before it reads or records anything."""
    for rule, count in keep.items():
        if rule not in dict(RULES):
            return f"unknown retention rule {rule!r}"
        if count < 0:
            return f"keep_{rule} must be >= 0"
    return None


def by_arrival(items: Iterable[dict[str, Any]], last: str | None) -> list[dict[str, Any]]:
    """Copies of ``items`` (each with ``name`` and ``time``) with their ``arrival``, where no
    record gives one: by their time, but the item named ``last`` (the backup or copy this
    run made) last, whatever its name's date says (with the clock set back, a dead CMOS
    battery, it names the oldest day)."""
    order = sorted(items, key=lambda item: (item["name"] == last, item["time"]))
    return [dict(item, arrival=rank) for rank, item in enumerate(order)]


def _newness(item: dict[str, Any]) -> Any:
    """What orders ``item`` from the oldest to the newest: its arrival, else its time."""
    return item.get("arrival", item["time"])


def _human(delta: datetime.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} day(s)" if hours % 24 == 0 else f"{hours} hour(s)"
