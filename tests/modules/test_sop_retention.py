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
    # NOW is Saturday 21 November 2026. Daily: 21..15 November. Weekly (ISO weeks): the
    # newest of weeks 47 (21 Nov), 46 (Sunday 15 Nov), 45 (8 Nov) and 44 (1 Nov). Monthly:
    # the newest of each of the last 12 months, December 2025 to November 2026. (Only the
    # monthly rule spans 12 weeks: a count of distinct weeks said nothing of the weekly.)
    month_ends = [dt.date(2025, 12, 31)] + [
        dt.date(2026, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 11)]
    expected = ({dt.date(2026, 11, d) for d in range(15, 22)}
                | {dt.date(2026, 11, 8), dt.date(2026, 11, 1)} | set(month_ends))
    assert sorted(e["time"].date() for e in kept) == sorted(expected)
    assert len(expected) == 20 and len(pruned) == 380
    reasons = {e["time"].date(): e["reasons"] for e in kept}
    assert reasons[dt.date(2026, 11, 8)] == ["weekly 2026-W45"]
    assert reasons[dt.date(2026, 11, 15)] == ["daily 2026-11-15", "weekly 2026-W46"]
    assert reasons[dt.date(2025, 12, 31)] == ["monthly 2025-12"]


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


def test_iso_week_53_and_the_month_cross_the_new_year_apart() -> None:
    """2026 has an ISO week 53, from Monday 28 December to Sunday 3 January 2027: the
    weekly rule keeps one backup of it (the 3rd), not one of 2026 and one of 2027 as a
    calendar-year week would; the monthly rule keeps 31 December as December's."""
    items = [item(f"{day:%m%d}", dt.datetime.combine(day, dt.time(2)))
             for day in (dt.date(2026, 12, 27) + dt.timedelta(days=n) for n in range(10))]
    kept, _ = r.select(items, {"weekly": 3, "monthly": 2}, dt.datetime(2027, 1, 5, 3))
    assert {e["name"]: e["reasons"] for e in kept} == {
        "0105": ["newest verified", "weekly 2027-W01", "monthly 2027-01"],
        "0103": ["weekly 2026-W53"], "1231": ["monthly 2026-12"], "1227": ["weekly 2026-W52"]}


@pytest.mark.parametrize(("keep", "error"), [({"yearly": 1}, "unknown retention rule 'yearly'"),
                                             ({"daily": -1}, "keep_daily must be >= 0")])
def test_bad_rules_rejected(keep: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        r.select(daily(2), keep, NOW)


def arrived(*entries: tuple[str, dt.datetime]) -> list[dict]:
    """Verified backups in the order the backup computer's record took them in."""
    return [dict(item(name, when), arrival=index) for index, (name, when) in enumerate(entries)]


def test_the_order_of_arrival_decides_which_backup_is_newest() -> None:
    """The backup computer's clock went back (a dead CMOS battery, no NTP in the court's
    network: 1 January 2000 after a reboot). Sorted by the times the record gives, the
    backups taken in after that were the oldest: each was pruned by the next retention,
    right after its verification, while the backups from before the reboot were kept."""
    old = [(f"sipp-2026110{day}", dt.datetime(2026, 11, day, 2)) for day in (1, 2, 3)]
    new = [("after-reboot", dt.datetime(2000, 1, 1, 2))]
    kept, pruned = r.select(arrived(*old, *new), {"daily": 2}, dt.datetime(2000, 1, 1, 3))
    assert names(kept) == ["after-reboot", "sipp-20261103"]
    assert kept[0]["reasons"] == ["newest verified", "daily 2000-01-01"]
    assert names(pruned) == ["sipp-20261102", "sipp-20261101"]


def test_a_future_dated_arrival_is_not_newest_forever() -> None:
    """The clock ran a year ahead for one ingest: that backup held the newest place (kept
    by every rule) for good; by arrival it leaves the daily rule as any other."""
    entries = [("d1", dt.datetime(2026, 11, 1, 2)), ("ahead", dt.datetime(2027, 11, 2, 2)),
               *[(f"d{day}", dt.datetime(2026, 11, day, 2)) for day in (3, 4, 5)]]
    kept, pruned = r.select(arrived(*entries), {"daily": 2}, dt.datetime(2026, 11, 5, 3))
    assert names(kept) == ["d5", "d4"] and names(pruned) == ["d3", "ahead", "d1"]


def test_an_unverified_backup_taken_in_before_the_newest_verified_is_pruned_when_stale() -> None:
    """"A newer verified backup exists" is by arrival: one taken in after the clock went
    back is newer than every backup before it."""
    entries = arrived(("failed", dt.datetime(2026, 11, 1, 2)),
                      ("after-reboot", dt.datetime(2000, 1, 3, 2)))
    entries[0]["verified"] = False
    kept, pruned = r.select(entries, KEEP, dt.datetime(2026, 11, 5, 3))
    assert names(kept) == ["after-reboot"] and names(pruned) == ["failed"]


def test_a_day_counts_once_however_its_backups_arrived() -> None:
    """The clock ran a day ahead for one run, then was set right: the record holds 4, 6,
    5 and again 6 November in that order. Keep_daily 3 keeps the newest arrival of 6
    November, 5 November and 4 November: 6 November is one day, counted once."""
    entries = arrived(("d4", dt.datetime(2026, 11, 4, 10)), ("ahead", dt.datetime(2026, 11, 6, 10)),
                      ("d5", dt.datetime(2026, 11, 5, 10)), ("d6", dt.datetime(2026, 11, 6, 9)))
    kept, pruned = r.select(entries, {"daily": 3}, dt.datetime(2026, 11, 6, 11))
    assert names(kept) == ["d6", "d5", "d4"] and names(pruned) == ["ahead"]


def test_without_a_record_the_backup_the_run_made_arrived_last() -> None:
    """A server's own backups and a medium's copies have no record: by the dates in their
    names, but the run's backup, named 1 January 2000 after the clock went back, is the
    newest (it was pruned as the oldest right after it was made)."""
    entries = [item("after-reboot", dt.datetime(2000, 1, 1, 2)),
               *[item(f"d{day}", dt.datetime(2026, 11, day, 2)) for day in (3, 1, 2)]]
    ordered = r.by_arrival(entries, "after-reboot")
    assert [(e["name"], e["arrival"]) for e in ordered] == [
        ("d1", 0), ("d2", 1), ("d3", 2), ("after-reboot", 3)]
    assert "arrival" not in entries[0]  # copies
    kept, pruned = r.select(ordered, {"daily": 2}, dt.datetime(2000, 1, 1, 3))
    assert names(kept) == ["after-reboot", "d3"] and names(pruned) == ["d2", "d1"]
    assert names(r.by_arrival(entries, None)) == ["after-reboot", "d1", "d2", "d3"]


def test_a_held_backup_is_kept_outside_the_rules_and_says_why() -> None:
    """The last verified backup before a shrink of the data (backup_retention's hold):
    kept with the hold's reason while the rules alone would prune it; a name the items do
    not hold, or an unverified item's, keeps nothing."""
    items = daily(5)
    items[4]["verified"] = False
    hold = {"d3": "held back: before the shrink", "d4": "held", "gone": "held"}
    kept, pruned = r.select(items, {"daily": 2}, NOW, hold=hold)
    assert names(kept) == ["d0", "d1", "d3"]
    assert kept[2]["reasons"] == ["held back: before the shrink"]
    assert names(pruned) == ["d2", "d4"]
    assert names(r.select(items, {"daily": 2}, NOW)[1]) == ["d2", "d3", "d4"]
