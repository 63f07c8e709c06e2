"""Overdue SOPs (period or the court's schedule, + grace) over a store of crafted records; court
grace overrides."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.errors import SopError
from sop.overdue import evaluate
from sop.schedule import court_zone, due_calendars
from sop.store import DueRecord, Store, now

from .conftest import FIXTURES, INVENTORY, craft_execution

Cli = Callable[..., tuple[int, str, str]]
A = "Pengadilan Negeri Uji"  # the fixture inventory's court
B = "PN Lain"



@pytest.fixture
def courts(store_at: Store) -> None:
    """Court A: local-demo (daily, 6h grace) last ok 31 h ago -> overdue; lab-ping (daily)
    ok 26 h ago -> in grace; local-secret (weekly, 1d grace) ok 2 days ago -> up.
    Court B: local-demo ok 1 h ago -> up; local-secret only failed, first 3 days ago ->
    overdue; lab-ping only in check mode -> new."""
    t = now()
    craft_execution(store_at, "local-demo", t - timedelta(hours=55), court=A)
    craft_execution(store_at, "local-demo", t - timedelta(hours=31), court=A)
    craft_execution(store_at, "local-demo", t - timedelta(hours=2), court=A, status="failed")
    craft_execution(store_at, "lab-ping", t - timedelta(hours=26), court=A)
    craft_execution(store_at, "local-secret", t - timedelta(days=2), court=A)
    craft_execution(store_at, "local-demo", t - timedelta(hours=1), court=B)
    craft_execution(store_at, "local-secret", t - timedelta(days=3), court=B, status="failed")
    craft_execution(store_at, "local-secret", t - timedelta(days=1), court=B, status="failed")
    craft_execution(store_at, "lab-ping", t - timedelta(minutes=5), court=B, check_mode=True)


def _states(cli: Cli, *args: str) -> dict[tuple[str, str], str]:
    code, out, err = cli("list", "--json", *args)
    assert code == 0, err
    return {
        (c["court_name"], c["sop_id"]): c["state"] for e in json.loads(out) for c in e["courts"]
    }


def test_states_per_court(cli: Cli, courts: None) -> None:
    assert _states(cli) == {
        (A, "lab-ping"): "grace",
        (B, "lab-ping"): "new",
        (A, "local-demo"): "overdue",
        (B, "local-demo"): "up",
        (A, "local-manual"): "on-demand",
        (B, "local-manual"): "on-demand",
        (A, "local-secret"): "up",
        (B, "local-secret"): "overdue",
    }


def test_overdue_lists_and_exits_7(cli: Cli, courts: None) -> None:
    code, out, err = cli("overdue", "--json")
    assert code == 7, err
    rows = json.loads(out)
    assert [(r["court_name"], r["sop_id"]) for r in rows] == [
        (A, "local-demo"),
        (B, "local-secret"),
    ]
    demo, secret = rows
    assert demo["state"] == "overdue" and demo["last_success_id"] == 2
    assert 3500 <= demo["overdue_s"] <= 3700  # 31 h ago + 1 day + 6 h grace = 1 h ago
    assert secret["last_success_id"] is None and secret["last_success_at"] is None
    assert abs(secret["overdue_s"] - 2 * 86400) < 100  # first run 3 d ago + 1 d grace
    code, out, _ = cli("overdue")
    assert code == 7
    assert "local-demo" in out and "local-secret" in out and B in out
    assert "never" in out  # B's local-secret never succeeded
    code, out, _ = cli("overdue", "--court", B, "--query", "[].sop_id")
    assert code == 7 and json.loads(out) == ["local-secret"]
    code, out, _ = cli("list", "--court", A)
    assert code == 0 and "OVERDUE since" in out and "overdue at" in out  # demo, lab-ping


def test_nothing_overdue_exits_0(cli: Cli, store_at: Store) -> None:
    craft_execution(store_at, "local-demo", now() - timedelta(hours=3))
    code, out, err = cli("overdue")
    assert (code, out.strip(), err) == (0, "No SOP is overdue.", "")
    code, out, _ = cli("overdue", "--json")
    assert code == 0 and json.loads(out) == []


def test_a_court_without_records_is_refused_not_reported_clean(
    cli: Cli, courts: None, tmp_path: Path
) -> None:
    """A misspelt --court must not read as "nothing overdue" (monitoring would stay
    silent) nor make a blank report: one line, exit 2, the names alike. `history` is a
    filter (the it_security SOP reads a new court's empty month through it)."""
    for command in (["overdue"], ["list"], ["report", "--format", "md"]):
        code, out, err = cli(*command, "--court", "PN Lein")
        assert (code, out) == (2, ""), command
        assert err.startswith("sop: error: --court 'PN Lein': no execution or incident of "
                              f"that court is recorded (did you mean {B!r}?)"), err
    code, out, err = cli("history", "--court", "PN Lein", "--json")
    assert (code, json.loads(out), err) == (0, [], "")
    code, _, err = cli("overdue", "--court", "Mahkamah Agung")
    assert code == 2 and "(2 courts recorded" in err and "use -i INVENTORY" in err
    inventory = tmp_path / "inventory"  # a court that has not run a SOP yet: all new
    shutil.copytree(INVENTORY, inventory)
    court_vars = inventory / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text().replace(A, "Pengadilan Negeri Baru"))
    code, out, err = cli("overdue", "-i", str(inventory))
    assert (code, out.strip(), err) == (0, "No SOP is overdue.", "")


def test_court_grace_override(cli: Cli, courts: None, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    court_vars = inventory / "group_vars" / "all.yml"
    court_vars.write_text(
        court_vars.read_text().replace("  local-demo:\n", "  local-demo:\n    grace: 2d\n")
    )
    code, out, err = cli("overdue", "-i", str(inventory), "--json")
    assert code == 0, err  # court A, local-demo now in its 2-day grace
    assert json.loads(out) == []
    assert _states(cli, "-i", str(inventory))[(A, "local-demo")] == "grace"
    code, out, err = cli("overdue", "-i", str(INVENTORY), "--query", "[].sop_id")
    assert code == 7 and json.loads(out) == ["local-demo"]  # only A: the inventory's court
    code, _, err = cli("overdue", "-i", str(INVENTORY), "--court", B)
    assert code == 2 and "differs from the inventory's court_name" in err
    court_vars.write_text(court_vars.read_text().replace("grace: 2d", "grace: soon"))
    code, out, err = cli("overdue", "-i", str(inventory))
    assert code == 2 and out == ""
    assert err.strip() == (
        f"sop: error: inventory {inventory}: sop_catalogue_overrides/local-demo/grace: not a "
        "duration: "
        "'soon' (use 5m, 1h, 1d or ISO 8601 such as PT1H)"
    )


def test_catalogue_grace(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(FIXTURES / "catalogue", catalogue)
    demo = catalogue / "local-demo.yml"
    demo.write_text(demo.read_text().replace("frequency: daily\n", "frequency: daily\ngrace: 2h\n"))
    sops = load_catalogue(catalogue)
    assert sops["local-demo"].grace_seconds == 7200
    assert sops["local-secret"].grace_seconds == 86400  # weekly default
    assert sops["local-manual"].grace_seconds is None  # on demand: never overdue
    demo.write_text(demo.read_text().replace("grace: 2h", "grace: later"))
    with pytest.raises(SopError, match=r"local-demo.yml: grace: not a duration: 'later'"):
        load_catalogue(catalogue)


def test_reports_for_one_court_and_all_courts(cli: Cli, store_at: Store) -> None:
    at = now() - timedelta(hours=1)
    # the report's month is the court's (WIB: no -i, no --timezone), not the test machine's:
    # from 17:00 UTC on a month's last day WIB is in the next month already
    month = at.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")
    ok_a = craft_execution(store_at, "local-demo", at, court=A, activities=2)
    failed_b = craft_execution(store_at, "local-demo", at, court=B, status="failed")
    craft_execution(store_at, "local-secret", at - timedelta(days=40), court=B)
    code, out, err = cli("report", "--month", month)
    assert code == 2 and out == ""
    assert err.strip().endswith("give --court NAME (one court) or --all-courts (the regional view)")
    code, out, err = cli("report", "--month", month, "--court", A)
    assert code == 0, err
    assert f"Pengadilan: {A}" in out and B not in out
    runs = out.split("### Pelaksanaan")[1].split("###")[0]
    assert f"\n| {ok_a} | " in runs and f"\n| {failed_b} | " not in runs
    assert "disk full" not in out  # B's failure
    code, out, err = cli("report", "--month", month, "--all-courts")
    assert code == 0, err
    assert "# Laporan Pelaksanaan SOP Wilayah" in out
    assert f"| {A} | SOP Uji Lokal | " in out and f"| {B} | SOP Uji Lokal | " in out
    assert "| 1 | 0 | 0% | 1 |" in out  # B's failed run
    # B's local-secret last succeeded 40 days ago: overdue (weekly + 1 day grace)
    overdue_table = out.split("## SOP terlambat")[1].split("##")[0]
    assert B in overdue_table and "SOP Uji Rahasia" in overdue_table
    assert A not in overdue_table
    code, out, _ = cli("report", "--month", month, "--all-courts", "--format", "html")
    assert code == 0 and "Ringkasan per pengadilan" in out
    with pytest.raises(SystemExit) as usage:  # argparse: usage line, exit 2
        cli("report", "--court", A, "--all-courts")
    assert usage.value.code == 2


def test_the_regional_report_of_an_empty_store_names_no_court(cli: Cli) -> None:
    # it showed "1 pengadilan" and a court "-" with a row per SOP
    code, out, err = cli("report", "--month", "2026-11", "--all-courts")
    assert code == 0, err
    assert "0 pengadilan." in out and "Belum ada eksekusi SOP yang tercatat." in out
    assert "| - |" not in out and "Ringkasan per pengadilan" not in out


def test_list_for_an_inventory_without_a_court_shows_its_own_last_run(
    cli: Cli, courts: None, tmp_path: Path
) -> None:
    """`sop list -i INVENTORY` of an inventory without court_name asked the store for the
    newest execution with court None, which means every court's: its "Last run" column
    showed another court's execution while its states were its own ("new")."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    code, out, err = cli("list", "--json", "-i", str(inventory))
    assert code == 0, err
    entries = {e["id"]: e for e in json.loads(out)}
    assert entries["local-demo"]["courts"][0]["state"] == "new"
    assert entries["local-demo"]["last_execution"] is None


WIT = ZoneInfo("Asia/Jayapura")
WIB = ZoneInfo("Asia/Jakarta")
PACKAGED = load_catalogue(PACKAGE_CATALOGUE)


def _state(
    sop_id: str,
    last_success: datetime,
    at: datetime,
    court_schedule: Mapping[str, object] | None = None,
) -> tuple[str, datetime | None]:
    """The state of a packaged SOP last successful at `last_success`, at `at`, at a court
    of `court_schedule` (its sop_schedule; WIB without one), and when it falls due."""
    sops = {sop_id: PACKAGED[sop_id]}
    calendars = due_calendars(sops, court_schedule)
    zone = court_zone(court_schedule)
    record = DueRecord(last_success - timedelta(days=60), (7, last_success))
    due = evaluate(sops[sop_id], A, record, at, zone=zone, calendars=calendars.get(sop_id, ()))
    return due.state, due.due_at


def test_a_weekday_schedule_is_not_due_at_the_weekend() -> None:
    """sipp-sync at a court whose timer runs it Mon..Fri: overdue every Saturday by its
    period (a day and a 6 h grace after Friday's last run). By its schedule, as
    Healthchecks' cron checks, it falls due at the next run on Monday."""
    court = {"timezone": "Asia/Jayapura", "sipp-sync": ["Mon..Fri *-*-* 08:00", "Mon..Fri 16:00"]}
    friday = datetime(2026, 3, 6, 16, 5, tzinfo=WIT)
    monday = datetime(2026, 3, 9, 8, 0, tzinfo=WIT)
    for at in (datetime(2026, 3, 7, 23, 0, tzinfo=WIT), datetime(2026, 3, 9, 7, 59, tzinfo=WIT)):
        assert _state("sipp-sync", friday, at, court) == ("up", monday)
    assert _state("sipp-sync", friday, monday + timedelta(hours=6), court)[0] == "overdue"
    # a court that gives no times: its period, a day
    assert _state("sipp-sync", friday, datetime(2026, 3, 7, 23, 0, tzinfo=WIT))[0] == "overdue"


def test_a_schedule_follows_the_courts_clock_around_midnight() -> None:
    """00:30 WIT is 15:30 UTC of the day before: a run just after midnight WIT on a
    Friday (Thursday in UTC and WIB) next falls due at 00:30 WIT on Monday."""
    court = {"timezone": "Asia/Jayapura", "sipp-backup": "Mon..Fri 00:30"}
    friday = datetime(2026, 3, 6, 0, 40, tzinfo=WIT)
    assert friday.astimezone(WIB).weekday() == 3  # Thursday in WIB
    state, due_at = _state("sipp-backup", friday, datetime(2026, 3, 7, 12, 0, tzinfo=WIT), court)
    assert (state, due_at) == ("up", datetime(2026, 3, 9, 0, 30, tzinfo=WIT))
    state, due_at = _state("sipp-backup", datetime(2026, 3, 8, 23, 59, tzinfo=WIT),
                           datetime(2026, 3, 9, 0, 31, tzinfo=WIT), court)  # fmt: skip
    assert (state, due_at) == ("grace", datetime(2026, 3, 9, 0, 30, tzinfo=WIT))


def test_a_monthly_sop_falls_due_a_calendar_month_after_its_run() -> None:
    """Monthly was 30 days: a server maintenance done on 1 March showed due on 31 March.
    Without a court schedule it falls due the same day of the next month on the court's
    clock (the month's last day when it has none); with one, at its next occurrence."""
    first_march = datetime(2026, 3, 1, 9, 5, tzinfo=WIB)
    end_of_march = datetime(2026, 3, 31, 12, 0, tzinfo=WIB)
    assert _state("server-maintenance", first_march, end_of_march) == (
        "up", datetime(2026, 4, 1, 9, 5, tzinfo=WIB),
    )  # fmt: skip
    january = datetime(2028, 1, 31, 10, 0, tzinfo=WIB)
    assert _state("server-maintenance", january, january)[1] == datetime(
        2028, 2, 29, 10, 0, tzinfo=WIB
    )
    # on the court's clock: 00:30 WIT on 1 March is still February in WIB and UTC
    court = {"timezone": "Asia/Jayapura"}
    early = datetime(2026, 3, 1, 0, 30, tzinfo=WIT)
    assert _state("server-maintenance", early, early, court)[1] == datetime(
        2026, 4, 1, 0, 30, tzinfo=WIT
    )
    court = {"timezone": "Asia/Jayapura", "server-maintenance": "*-*-01 09:00"}
    late = datetime(2026, 3, 2, 15, 0, tzinfo=WIT)  # a day late: next on 1 April
    assert _state("server-maintenance", late, datetime(2026, 4, 1, 8, 0, tzinfo=WIT), court) == (
        "up", datetime(2026, 4, 1, 9, 0, tzinfo=WIT),
    )  # fmt: skip


@pytest.mark.parametrize("wit", ["Asia/Jayapura", "WIT"])  # as its admins write it too
def test_overdue_follows_the_inventorys_schedule(
    cli: Cli, store_at: Store, tmp_path: Path, wit: str
) -> None:
    """`sop overdue -i` (the hourly sop-overdue.service) judges a SOP the court's
    sop_schedule gives times by them; by its period when it cannot read them."""
    t = now()
    craft_execution(store_at, "local-demo", t - timedelta(hours=31), court=A)
    soon = (t + timedelta(hours=2)).astimezone(WIT)  # its one weekly run: in 2 hours
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars" / "all.yml").open("a") as handle:
        handle.write(f"sop_schedule:\n  timezone: {wit}\n"
                     f"  local-demo: '{soon:%a} *-*-* {soon:%H:%M}'\n")  # fmt: skip
    code, out, err = cli("overdue", "-i", str(inventory), "--json")
    assert (code, json.loads(out), err) == (0, [], "")
    assert _states(cli, "-i", str(inventory))[(A, "local-demo")] == "up"
    assert _states(cli)[(A, "local-demo")] == "overdue"  # no schedule known: its period
    court_vars = inventory / "group_vars" / "all.yml"
    court_vars.write_text(
        court_vars.read_text().replace(f"'{soon:%a} *-*-* {soon:%H:%M}'", "'Fri..Mon 08:00'")
    )
    # a calendar sop does not read (systemd refuses it too: written after the timer's
    # install, which checks it): its period
    assert _states(cli, "-i", str(inventory))[(A, "local-demo")] == "overdue"


def test_a_scheduled_sop_never_run_falls_due_at_its_first_time() -> None:
    """A SOP never run at a court was `new` forever, timer installed or not: a timer that
    never fired (a broken controller, a timer never enabled) went unnoticed. Installed,
    it falls due at the schedule's first time after the install (one period after it
    when no times are known), overdue after the grace; without a timer it stays `new`."""
    sop = PACKAGED["sipp-backup"]  # daily, 6 h grace
    court = {"timezone": "Asia/Jayapura", "sipp-backup": "Mon..Fri 00:30"}
    calendars = due_calendars({sop.id: sop}, court)[sop.id]
    friday = datetime(2026, 3, 6, 12, 0, tzinfo=WIT)  # installed
    monday = datetime(2026, 3, 9, 0, 30, tzinfo=WIT)

    def state(at: datetime, **given: object) -> tuple[str, datetime | None]:
        due = evaluate(sop, A, None, at, zone=WIT, **given)  # type: ignore[arg-type]
        return due.state, due.due_at

    installed = {"calendars": calendars, "scheduled_since": friday}
    assert state(datetime(2026, 3, 8, 23, 0, tzinfo=WIT), **installed) == ("new", monday)
    assert state(monday + timedelta(minutes=1), **installed) == ("grace", monday)
    assert state(monday + timedelta(hours=6), **installed) == ("overdue", monday)
    # no times known (without -i): a day after the install
    assert state(friday + timedelta(days=1, hours=6), scheduled_since=friday)[0] == "overdue"
    assert state(friday + timedelta(days=30), calendars=calendars) == ("new", None)


def test_a_sync_its_default_timer_runs_falls_due_at_its_next_run() -> None:
    """sipp-sync's default timer runs it at 09:00, 13:00 and 17:00, but `sop overdue`
    followed a court's own times only: a sync whose 13:00 and 17:00 runs were missed fell
    due a day after its 09:00 run, and a daily SOP's 6 h grace outlasted the 4 h between
    runs. Its timer installed, it falls due at the timer's next run, overdue 3 h later."""
    sop = PACKAGED["sipp-sync"]

    def state(
        last_success: datetime,
        at: datetime,
        installed: tuple[str, ...] = (sop.id,),
        court_schedule: Mapping[str, object] | None = None,
    ) -> tuple[str, datetime | None]:
        calendars = due_calendars({sop.id: sop}, court_schedule, installed)
        record = DueRecord(last_success - timedelta(days=60), (7, last_success))
        due = evaluate(sop, A, record, at, zone=court_zone(court_schedule),
                       calendars=calendars.get(sop.id, ()))  # fmt: skip
        return due.state, due.due_at

    nine = datetime(2026, 3, 10, 9, 5, tzinfo=WIB)  # a Tuesday's 09:00 run
    one = datetime(2026, 3, 10, 13, 0, tzinfo=WIB)
    assert state(nine, one - timedelta(minutes=1)) == ("up", one)
    assert state(nine, datetime(2026, 3, 10, 15, 59, tzinfo=WIB)) == ("grace", one)
    assert state(nine, datetime(2026, 3, 10, 16, 0, tzinfo=WIB)) == ("overdue", one)
    five = datetime(2026, 3, 10, 17, 0, tzinfo=WIB)  # the 17:00 run: falls due next at 09:00
    assert state(five + timedelta(minutes=5), datetime(2026, 3, 11, 8, 0, tzinfo=WIB)) == (
        "up", datetime(2026, 3, 11, 9, 0, tzinfo=WIB),
    )  # fmt: skip
    # never run: due at the first of the timer's times after its install
    installed_at = datetime(2026, 3, 10, 10, 0, tzinfo=WIB)
    calendars = due_calendars({sop.id: sop}, None, {sop.id})[sop.id]
    never = evaluate(sop, A, None, datetime(2026, 3, 10, 16, 0, tzinfo=WIB), zone=WIB,
                     calendars=calendars, scheduled_since=installed_at)  # fmt: skip
    assert (never.state, never.due_at) == ("overdue", one)
    # run by hand (no timer installed): its period, a day after its run
    assert state(nine, datetime(2026, 3, 10, 16, 30, tzinfo=WIB), ()) == (
        "up", nine + timedelta(days=1),
    )  # fmt: skip
    # the court's clock: a WITA court's timer runs it at 13:00 WITA
    wita = ZoneInfo("Asia/Makassar")
    assert state(nine.replace(tzinfo=wita), nine.replace(tzinfo=wita), court_schedule={
        "timezone": "WITA"
    }) == ("up", one.replace(tzinfo=wita))  # fmt: skip
    # the court's own times stand before the default ones (Tuesday 09:05: Wednesday 08:00)
    assert state(nine, nine, court_schedule={"sipp-sync": "Mon..Fri 08:00"}) == (
        "up", datetime(2026, 3, 11, 8, 0, tzinfo=WIB),
    )  # fmt: skip
    # the report plans by the court's own times only: none given, none
    assert due_calendars({sop.id: sop}, None) == {}


def test_overdue_follows_an_installed_timers_default_times(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sop overdue -i` followed a court's own times only: local-demo, which its installed
    timer runs daily at 18:00 by default, run by hand at 10:00 fell due at 10:00 the next
    day, its 18:00 run missed unseen until then. Now due at 18:00, overdue 6 h later; by
    its period where no timer runs it, and without -i (no court's clock known)."""
    import sop.store  # noqa: PLC0415 (its clock, patched)

    by_hand = datetime(2026, 3, 10, 10, 0, tzinfo=WIB)
    at = datetime(2026, 3, 11, 0, 30, tzinfo=WIB)
    craft_execution(store_at, "local-demo", by_hand, court=A)
    monkeypatch.setattr(sop.store, "now", lambda: at)
    assert _states(cli, "-i", str(INVENTORY))[(A, "local-demo")] == "up"  # no timer
    monkeypatch.setattr(sop.store, "now", lambda: by_hand - timedelta(days=7))
    store_at.set_schedules(A, ["local-demo"])
    monkeypatch.setattr(sop.store, "now", lambda: at)
    code, out, err = cli("overdue", "-i", str(INVENTORY), "--json")
    assert code == 7, err
    (row,) = json.loads(out)
    assert row["sop_id"] == "local-demo"
    assert datetime.fromisoformat(row["due_at"]) == datetime(2026, 3, 10, 18, 0, tzinfo=WIB)
    assert _states(cli, "-i", str(INVENTORY))[(A, "local-demo")] == "overdue"
    assert _states(cli)[(A, "local-demo")] == "up"  # without -i: its period


def test_a_court_whose_timers_never_ran_is_seen_by_the_regional_office(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -i the courts were those with executions: a new court whose installed
    timers never ran a SOP (the broken controller the install's record is there to
    notice) was missing from the shared store's `sop overdue` and regional report."""
    import sop.store  # noqa: PLC0415 (its clock, patched for the install)

    craft_execution(store_at, "local-demo", now() - timedelta(hours=1), court=A)
    with monkeypatch.context() as patched:  # installed 10 days ago
        patched.setattr(sop.store, "now", lambda: datetime.now(WIT) - timedelta(days=10))
        store_at.set_schedules(B, ["local-demo"])
    code, out, err = cli("overdue", "--json")
    assert code == 7, err
    assert [(row["court_name"], row["sop_id"]) for row in json.loads(out)] == [
        (B, "local-demo")
    ]
    assert cli("overdue", "--court", B, "--json")[0] == 7
    code, out, err = cli("report", "--all-courts")
    assert code == 0, err
    assert "2 pengadilan" in out and B in out


def test_a_weekday_schedule_of_listed_hours_is_not_due_at_the_weekend() -> None:
    """`Mon..Fri *-*-* 09,13,17:00` (hours listed) was of a form `sop` did not read: the
    SIPP sync was judged by its period, overdue on Saturday evening after Friday's 17:00
    run (a false alarm). Now it falls due at Monday's 09:00 run, the next after Friday's."""
    court = {"sipp-sync": "Mon..Fri *-*-* 09,13,17:00"}
    friday = datetime(2026, 3, 6, 17, 5, tzinfo=WIB)
    saturday_evening = datetime(2026, 3, 7, 23, 30, tzinfo=WIB)
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=WIB)
    assert _state("sipp-sync", friday, saturday_evening, court) == ("up", monday)
    assert _state("sipp-sync", friday, saturday_evening)[0] == "overdue"  # by its period
    # Monday's 09:00 run made, it falls due at 13:00
    ran = datetime(2026, 3, 9, 9, 2, tzinfo=WIB)
    assert _state("sipp-sync", ran, ran + timedelta(hours=1), court) == (
        "up", datetime(2026, 3, 9, 13, 0, tzinfo=WIB),
    )  # fmt: skip


def test_a_schedule_that_never_elapses_again_falls_due_by_the_period() -> None:
    """A court's times that no longer elapse (a year gone by): its timer never runs the
    SOP, which falls due a period after its last run and is then overdue, not `up` forever."""
    court = {"sipp-backup": "2026-*-* 00:30"}
    last = datetime(2026, 12, 31, 0, 40, tzinfo=WIB)
    state, due_at = _state("sipp-backup", last, last + timedelta(days=3), court)
    assert (state, due_at) == ("overdue", last + timedelta(days=1))
