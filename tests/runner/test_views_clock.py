"""The terminal views read and show times on the court's clock, as its reports do: a
controller kept at UTC shows a 03:00 WIB backup at 03:00 WIB, not at 20:00 the day
before, and `--since` starts at the court's midnight."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sop import incidents
from sop.catalogue import load_catalogue
from sop.store import Store

from .conftest import INVENTORY, REPO, craft_execution

Cli = Callable[..., tuple[int, str, str]]
A = "Pengadilan Negeri Uji"  # the fixture inventory's court
# 2025-12-01 03:00 WIB: on a UTC controller, 20:00 on the 30th of November.
BACKUP = datetime(2025, 11, 30, 20, 0, tzinfo=UTC)


def _wita_inventory(tmp_path: Path, zone: str = "Asia/Makassar") -> Path:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars/all.yml").open("a") as file:
        file.write(f"sop_schedule:\n  timezone: {zone}\n")
    return inventory


# A WITA court's zone as its admins write it too (in any case, as the SIPP modules take
# it): refused before, "'WITA' is not a time zone".
WITA_NAMES = ["Asia/Makassar", "WITA", "wita"]


def test_history_shows_and_reads_the_courts_clock(
    cli: Cli, store_at: Store, controller_at_utc: None
) -> None:
    ran = craft_execution(store_at, "local-demo", BACKUP, court=A)
    code, out, err = cli("history")
    assert code == 0, err
    assert "2025-12-01 03:00:00 WIB" in out and "2025-11-30 20:00" not in out
    code, out, err = cli("history", "--since", "2025-12-01", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [ran]  # a run at 03:00 WIB on the 1st is "since" it
    assert rows[0]["started_at"] == "2025-11-30T20:00:00+00:00"  # JSON: UTC, with offset
    code, out, err = cli("history", "--timezone", "Asia/Makassar")
    assert code == 0, err
    assert "2025-12-01 04:00:00 WITA" in out
    code, out, err = cli("history", "--since", "2025-12-01", "--timezone", "UTC", "--json")
    assert (code, json.loads(out)) == (0, [])  # on UTC's own calendar it ran on the 30th
    for name, shown in (("WIB", "03:00:00 WIB"), ("Wita", "04:00:00 WITA"),
                        ("wit", "05:00:00 WIT")):
        code, out, err = cli("history", "--timezone", name)
        assert code == 0, err
        assert f"2025-12-01 {shown}" in out
    code, out, err = cli("history", "--timezone", "XYZ")
    assert (code, out) == (2, "")
    assert err == (
        "sop: error: --timezone: 'XYZ' is not a time zone (WIB, WITA, WIT or a tz database "
        "name such as Asia/Makassar)\n"
    )


@pytest.mark.parametrize("zone", [" wita ", "Asia/Makassar "])
def test_a_zone_with_spaces_around_it_is_refused_alike(
    cli: Cli, store_at: Store, zone: str
) -> None:
    """--timezone ' wita ' was read as WITA, 'Asia/Makassar ' refused: both are refused now."""
    code, out, err = cli("history", "--timezone", zone)
    assert (code, out) == (2, "")
    assert err == (
        f"sop: error: --timezone: {zone!r} is not a time zone: write it without the spaces "
        "around it (WIB, WITA, WIT or a tz database name such as Asia/Makassar)\n"
    )


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia\\Makassar", "'Asia\\Makassar'"), ("WITA\x1b[2K", "'WITA\\x1b[2K'")],
    ids=["backslash", "control"],
)
def test_a_zone_an_error_quotes_is_escaped_once(
    cli: Cli, store_at: Store, tmp_path: Path, zone: str, shown: str
) -> None:
    """A zone that names none is quoted as every value an error quotes (untrusted.quoted):
    repr's escapes were escaped again when the line was shown (an ESC as '\\x5cx1b', a
    backslash doubled)."""
    cause = f"{shown} is not a time zone (WIB, WITA, WIT or a tz database name such as " \
        "Asia/Makassar)\n"
    code, out, err = cli("history", "--timezone", zone)
    assert (code, out, err) == (2, "", f"sop: error: --timezone: {cause}")
    inventory = _wita_inventory(tmp_path, json.dumps(zone))  # YAML's double-quoted escapes
    code, out, err = cli("overdue", "-i", str(inventory))
    assert (code, out, err) == (
        2, "", f"sop: error: inventory {inventory}: sop_schedule/timezone: {cause}"
    )


def test_execution_shows_the_courts_clock(
    cli: Cli, store_at: Store, controller_at_utc: None
) -> None:
    ran = craft_execution(store_at, "local-demo", BACKUP, court=A, activities=1)
    code, out, err = cli("execution", str(ran))
    assert code == 0, err
    assert "2025-12-01 03:00:00 WIB / 2025-12-01 03:02:00 WIB" in out
    code, out, err = cli("execution", str(ran), "--timezone", "Asia/Jayapura")
    assert code == 0, err
    assert "2025-12-01 05:00:00 WIT" in out
    code, out, err = cli("execution", str(ran), "--timezone", "WIT")
    assert code == 0, err
    assert "2025-12-01 05:00:00 WIT" in out


@pytest.mark.parametrize("wita", WITA_NAMES)
def test_list_and_overdue_show_the_courts_clock(
    cli: Cli, store_at: Store, controller_at_utc: None, tmp_path: Path, wita: str
) -> None:
    """local-demo is daily with a 6 h grace: due 1 day after 03:00 WIB, overdue at 09:00."""
    craft_execution(store_at, "local-demo", BACKUP, court=A)
    code, out, err = cli("list")
    assert code == 0, err
    assert "2025-12-01 03:00 WIB" in out
    assert "OVERDUE since 2025-12-02 09:00 WIB" in out
    code, out, err = cli("overdue")
    assert code == 7, err
    assert "2025-12-01 03:00 WIB (execution 1)" in out
    assert "2025-12-02 03:00 WIB" in out and "2025-12-02 09:00 WIB" in out
    inventory = _wita_inventory(tmp_path, wita)
    code, out, err = cli("overdue", "-i", str(inventory))
    assert code == 7, err
    assert "2025-12-01 04:00 WITA (execution 1)" in out
    code, out, err = cli("list", "--court", A, "--timezone", "UTC")
    assert code == 0, err
    assert "2025-11-30 20:00 UTC" in out
    code, out, err = cli("list", "-i", str(inventory), "--timezone", "Asia/Jakarta")
    assert code == 0, err
    assert "2025-12-01 03:00 WIB" in out  # --timezone before the inventory's



def test_a_run_shows_the_clock_its_timer_unit_sets(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sop run` reads no inventory in-process for its clock: the court's timer units set
    TZ to its zone (sop schedule); a run without TZ shows WIB, never an unnamed clock."""
    monkeypatch.delenv("TZ", raising=False)
    code, out, err = cli("run", "local-manual", "-i", str(INVENTORY))
    assert code == 0, err
    assert re.search(r"Started / ended +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WIB / ", out), out
    monkeypatch.setenv("TZ", "Asia/Makassar")
    code, out, err = cli("run", "local-manual", "-i", str(INVENTORY))
    assert code == 0, err
    assert re.search(r"Started / ended +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA / ", out), out
    monkeypatch.setenv("TZ", "WIT")  # the zone as a court names it
    code, out, err = cli("run", "local-manual", "-i", str(INVENTORY))
    assert code == 0, err
    assert re.search(r"Started / ended +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WIT / ", out), out
    monkeypatch.setenv("TZ", ":Asia/Makassar")  # glibc's form for a zone's file: WIB before
    code, out, err = cli("run", "local-manual", "-i", str(INVENTORY))
    assert code == 0, err
    assert re.search(r"Started / ended +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA / ", out), out
    monkeypatch.setenv("TZ", ":/etc/localtime")  # not a zone name: the default
    code, out, err = cli("run", "local-manual", "-i", str(INVENTORY))
    assert code == 0, err
    assert " WIB / " in out


STARTED = r"Started / ended +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "


@pytest.mark.parametrize("wita", ["Asia/Makassar", "Wita"])
def test_a_run_shows_its_inventorys_clock(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, wita: str
) -> None:
    """`sop run -i INV` showed its execution on TZ, else WIB, whatever the inventory's
    sop_schedule.timezone: a WITA court running it by hand saw WIB times beside its
    reports' WITA ones. It chooses its clock as the other commands do: --timezone, else
    the inventory's zone (as its playbook reports it; a SOP of manual steps only reads
    the inventory in-process anyway), else TZ (the units' own), else WIB."""
    monkeypatch.delenv("TZ", raising=False)
    inventory = _wita_inventory(tmp_path, wita)
    demo = ["run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={tmp_path / 'work'}"]
    code, out, err = cli(*demo)
    assert code == 0, err
    assert re.search(STARTED + "WITA / ", out), out
    monkeypatch.setenv("TZ", "Asia/Jakarta")  # the inventory's own zone before TZ
    code, out, err = cli("run", "local-manual", "-i", str(inventory))
    assert code == 0, err
    assert re.search(STARTED + "WITA / ", out), out
    code, out, err = cli(*demo, "--timezone", "Asia/Jayapura")
    assert code == 0, err
    assert re.search(STARTED + "WIT / ", out), out
    code, out, err = cli("run", "local-manual", "-i", str(inventory), "--timezone", "wib")
    assert code == 0, err
    assert re.search(STARTED + "WIB / ", out), out


def test_a_runs_zone_that_is_no_zone_is_one_line(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """--timezone that names no zone: one line, exit 2, nothing run or recorded; so is an
    inventory's for a SOP of manual steps only (read before anything is recorded, the
    inventory named). A playbook reports its inventory's zone once it runs (sop run reads
    no inventory in-process before it: Ansible's import alone would add a tenth of a
    typical run): the run is recorded, shown on the default clock, and the bad zone said
    in one line, exit 2 (bad input)."""
    work = tmp_path / "work"
    code, out, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "--timezone", "XYZ", "-e", f"demo_dir={work}"
    )
    assert (code, out) == (2, "")
    assert err == (
        "sop: error: --timezone: 'XYZ' is not a time zone (WIB, WITA, WIT or a tz database "
        "name such as Asia/Makassar)\n"
    )
    assert not work.exists()
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars/all.yml").open("a") as file:
        file.write("sop_schedule:\n  timezone: Asia/Makasar\n")
    problem = (
        f"inventory {inventory}: sop_schedule/timezone: 'Asia/Makasar' is not a time zone "
        "(WIB, WITA, WIT or a tz database name such as Asia/Makassar)"
    )
    code, out, err = cli("run", "local-manual", "-i", str(inventory))
    assert (code, out, err) == (2, "", f"sop: error: {problem}\n")
    code, out, _ = cli("history", "--query", "length(@)")
    assert json.loads(out) == 0
    code, out, err = cli("run", "local-demo", "-i", str(inventory), "-e", f"demo_dir={work}")
    assert code == 2
    assert err == f"sop: error: {problem} (execution 1 successful; its times are shown on WIB)\n"
    assert re.search(STARTED + "WIB / ", out), out


@pytest.mark.parametrize(
    "args",
    [
        ("overdue",),
        ("list",),
        ("report",),
        ("incident", "list"),
        ("overdue", "--timezone", "WIB"),  # its times are read on the court's zone still
        ("incident", "list", "--timezone", "WIB"),
    ],
)
def test_an_inventorys_zone_that_is_no_zone_names_the_inventory(
    cli: Cli, store_at: Store, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """As `sop run` names it (above): "inventory: sop_schedule/timezone" left the admin
    to guess which inventory of the controller's held it."""
    inventory = _wita_inventory(tmp_path, "Asia/Makasar")
    code, out, err = cli(*args, "-i", str(inventory))
    assert (code, out) == (2, "")
    assert err == (
        f"sop: error: inventory {inventory}: sop_schedule/timezone: 'Asia/Makasar' is not a "
        "time zone (WIB, WITA, WIT or a tz database name such as Asia/Makassar)\n"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sop_schedule:\n  local-demo: [7]\n",
         "sop_schedule/local-demo: 7 is not a systemd OnCalendar expression"),
        ("sop_catalogue_overrides:\n  local-dmeo: {number: W1}\n",
         "sop_catalogue_overrides/local-dmeo: no such SOP in the catalogue"),
        ("sop_catalogue_overrides:\n  local-demo: {waktu: {1: soon}}\n",
         "sop_catalogue_overrides/local-demo/waktu/1: not a duration: 'soon'"),
        ("court_city: [1]\n", "court_city: [1] is not text"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("args", [("overdue",), ("list",), ("report",)])
def test_an_inventorys_bad_value_names_the_inventory(
    cli: Cli, store_at: Store, tmp_path: Path, args: tuple[str, ...], value: str, problem: str
) -> None:
    """As its zone (above): a court's time of a SOP, a catalogue override or a court
    variable that cannot be said "inventory: ..." alone."""
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    (inventory / "group_vars/all.yml").write_text(f"court_name: PN Uji\n{value}")
    code, out, err = cli(*args, "-i", str(inventory))
    assert (code, out) == (2, "")
    assert err.startswith(f"sop: error: inventory {inventory}: {problem}"), err
    assert err.count("\n") == 1, err


def test_a_court_zone_given_through_another_variable_is_read_as_a_play_templates_it(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars/all.yml").open("a") as file:
        file.write('court_tz: Asia/Jayapura\nsop_schedule:\n  timezone: "{{ court_tz }}"\n')
    code, out, err = cli("run", "local-manual", "-i", str(inventory))
    assert code == 0, err
    assert re.search(STARTED + "WIT / ", out), out


@pytest.mark.parametrize(
    "day", ["0001-01-01", "2026-02-30", "yesterday", "2026-1-05", "2026-01-5"]
)
def test_a_since_day_out_of_range_is_bad_input(cli: Cli, store_at: Store, day: str) -> None:
    """The 1st of January of year 1 at WIB's midnight is in year 0 in UTC, which no
    datetime holds: one line, exit 2, not an internal error. A day is written YYYY-MM-DD,
    as --month's YYYY-MM (strptime alone took 2026-1-05)."""
    code, out, err = cli("history", "--since", day)
    assert (code, out) == (2, "")
    assert err.startswith(f"sop: error: --since {day!r}: expected ")


def test_incident_list_shows_the_courts_clock(
    cli: Cli, store_at: Store, controller_at_utc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sop incident list` showed when an incident was opened in UTC, unnamed."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner/sop/catalogue"))
    server_incident = load_catalogue(REPO / "runner/sop/catalogue")["server-incident"]
    opened = incidents.open_incident(
        store_at, server_incident, host="sipp", summary="Lambat", by="Budi", court=A
    )
    with store_at.db.transaction(write=True) as tx:
        tx.update("incidents", {"opened_at": BACKUP}, "id = :key_id", key_id=opened["id"])
    code, out, err = cli("incident", "list")
    assert code == 0, err
    assert "2025-12-01 03:00 WIB" in out
    code, out, err = cli("incident", "list", "--timezone", "Asia/Makassar")
    assert code == 0, err
    assert "2025-12-01 04:00 WITA" in out
    code, out, err = cli("incident", "list", "--json")
    assert json.loads(out)[0]["opened_at"] == "2025-11-30T20:00:00+00:00"


def test_list_marks_a_dry_run_as_its_last_run(cli: Cli, store_at: Store) -> None:
    """A newest run in check mode performed nothing: `sop list` says so, as `history`
    does, instead of a bare "successful" beside the SOP's overdue state."""
    craft_execution(store_at, "local-demo", BACKUP, court=A)
    craft_execution(store_at, "local-demo", datetime(2025, 12, 5, tzinfo=UTC), check_mode=True)
    code, out, err = cli("list")
    assert code == 0, err
    row = next(line for line in out.splitlines() if "local-demo" in line)
    assert "successful (check)" in row and "OVERDUE since" in row
