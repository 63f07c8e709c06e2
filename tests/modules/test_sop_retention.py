"""module_utils/sop_retention.py: keep-daily/weekly/monthly selection."""

from __future__ import annotations

import datetime as dt

import pytest
from loader import load

r = load("sop_retention")
NOW = dt.datetime(2026, 11, 21, 3, 0)
KEEP = {"daily": 7, "weekly": 4, "monthly": 12}


def item(name: str, when: dt.datetime, verified: bool = True) -> dict:
    return {"name": name, "time": when, "verified": verified}


def daily(days: int, hour: int = 2) -> list[dict]:
    return [item(f"d{i}", NOW.replace(hour=hour) - dt.timedelta(days=i)) for i in range(days)]


def names(entries: list[dict]) -> list[str]:
    return [e["name"] for e in entries]


def test_keeps_last_seven_days_four_weeks_twelve_months() -> None:
    kept, pruned = r.select(daily(400), KEEP, NOW)
    kept_days = sorted({e["time"].date() for e in kept}, reverse=True)
    # 7 daily + weekly (Sundays beyond the daily ones) + monthly (month ends) = distinct set
    assert kept_days[:7] == [(NOW - dt.timedelta(days=i)).date() for i in range(7)]
    weeks = {e["time"].isocalendar()[:2] for e in kept}
    months = {(e["time"].year, e["time"].month) for e in kept}
    assert len(months) == 12 and len(weeks) >= 4
    assert len(kept) + len(pruned) == 400
    assert len(kept) <= 7 + 4 + 12


def test_newest_per_bucket_is_kept() -> None:
    items = [item("early", NOW.replace(hour=1)), item("late", NOW.replace(hour=2))]
    kept, pruned = r.select(items, {"daily": 1}, NOW)
    assert names(kept) == ["late"] and names(pruned) == ["early"]


def test_newest_verified_always_kept_even_with_zero_rules() -> None:
    kept, pruned = r.select(daily(3), {"daily": 0, "weekly": 0, "monthly": 0}, NOW)
    assert names(kept) == ["d0"] and kept[0]["reasons"][0] == "newest verified"
    assert names(pruned) == ["d1", "d2"]


def test_unverified_kept_without_newer_verified() -> None:
    items = [item("old-ok", NOW - dt.timedelta(days=5)),
             item("failed", NOW - dt.timedelta(days=2), verified=False)]
    kept, pruned = r.select(items, KEEP, NOW)
    assert "failed" in names(kept) and pruned == []


def test_unverified_pruned_when_stale_and_newer_verified() -> None:
    items = [item("failed", NOW - dt.timedelta(days=2), verified=False),
             item("partial", NOW - dt.timedelta(hours=30), verified=False),
             item("fresh-failed", NOW - dt.timedelta(hours=2), verified=False),
             item("ok", NOW - dt.timedelta(hours=1))]
    kept, pruned = r.select(items, KEEP, NOW)
    assert sorted(names(pruned)) == ["failed", "partial"]
    assert sorted(names(kept)) == ["fresh-failed", "ok"]


def test_nothing_pruned_without_any_verified_backup() -> None:
    items = [item("a", NOW - dt.timedelta(days=30), verified=False),
             item("b", NOW - dt.timedelta(days=20), verified=False)]
    kept, pruned = r.select(items, KEEP, NOW)
    assert pruned == [] and len(kept) == 2


def test_gaps_count_only_days_with_backups() -> None:
    # restic semantics: "last N days which have a snapshot", not calendar days.
    items = [item(f"b{i}", NOW - dt.timedelta(days=3 * i)) for i in range(5)]
    kept, _ = r.select(items, {"daily": 3}, NOW)
    assert names(kept) == ["b0", "b1", "b2"]


def test_weekly_uses_iso_weeks() -> None:
    items = [item("sun", dt.datetime(2026, 11, 15, 2)), item("mon", dt.datetime(2026, 11, 16, 2))]
    kept, pruned = r.select(items, {"weekly": 2}, NOW)
    assert sorted(names(kept)) == ["mon", "sun"] and pruned == []


@pytest.mark.parametrize("keep", [{"yearly": 1}, {"daily": -1}])
def test_bad_rules_rejected(keep: dict) -> None:
    with pytest.raises(ValueError):
        r.select(daily(2), keep, NOW)
