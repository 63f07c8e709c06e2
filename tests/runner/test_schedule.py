"""sop schedule: systemd units rendered into a directory, verified by systemd-analyze, and
the service's own command run as systemd would (trigger timer)."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from sop import oncalendar, schedule
from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.cli import build_parser
from sop.errors import SopError
from sop.schedule import FLOCK, Unit, default_calendar, render, write
from sop.untrusted import visible

from .conftest import FIXTURES, INVENTORY, REPO, SOP_BIN, spawn_sop

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def court(tmp_path: Path) -> Path:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars" / "all.yml").open("a") as handle:
        handle.write(
            "sop_schedule:\n"
            "  local-demo: ['Mon..Fri *-*-* 07:00', '12:00', '16:00']\n"
            "  randomized_delay: 30m\n"
        )
    return inventory


def assert_units_verify(units: Path) -> None:
    """systemd's own check of the unit files: no error, no warning."""
    verify = subprocess.run(
        ["systemd-analyze", "verify", *map(str, sorted(units.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == ""


def _install(cli: Cli, court: Path, units: Path, *options: str) -> tuple[int, str, str]:
    return cli("schedule", "install", "-i", str(court), "--unit-dir", str(units), *options)


def test_install_of_a_vaulted_court_names_the_password_options(
    cli: Cli, court: Path, tmp_path: Path
) -> None:
    """A vaulted inventory without its password: the one line `sop run` gives (Ansible's
    "A vault password must be specified", which names no option, before); with it, the
    court's sop_schedule is read from the vault."""
    court_vars = court / "group_vars" / "all.yml"
    vault = VaultLib([("default", VaultSecret(b"vault-pw-6021"))])
    court_vars.write_bytes(vault.encrypt(court_vars.read_text(encoding="utf-8")))
    units = tmp_path / "units"
    code, out, err = _install(cli, court, units)
    assert (code, out) == (2, "") and err.strip() == (
        f"sop: error: {court_vars} holds vaulted values: give --vault-password-file FILE or "
        "--ask-vault-pass (or set ANSIBLE_VAULT_PASSWORD_FILE)"
    )
    password_file = tmp_path / "vault-pass"
    password_file.write_text("vault-pw-6021\n", encoding="utf-8")
    code, _, err = _install(cli, court, units, "--vault-password-file", str(password_file))
    assert code == 0, err
    timer = (units / "sop-local-demo.timer").read_text()
    assert "RandomizedDelaySec=30m" in timer  # the vault's sop_schedule (default: 15m)


def test_install_of_a_vaulted_court_gives_its_timers_the_password_file(
    cli: Cli, court: Path, tmp_path: Path, sop_env: dict[str, str]
) -> None:
    """The timers run without the installing shell's environment: a password file named
    by ANSIBLE_VAULT_PASSWORD_FILE went into no unit, and every timed run of the vaulted
    court failed; a typed password cannot reach a timer at all, so it is refused before
    it is asked for."""
    court_vars = court / "group_vars" / "all.yml"
    vault = VaultLib([("default", VaultSecret(b"vault-pw-6022"))])
    court_vars.write_bytes(vault.encrypt(court_vars.read_text(encoding="utf-8")))
    units = tmp_path / "units"
    code, out, err = _install(cli, court, units, "--ask-vault-pass")
    assert (code, out) == (2, "") and err.strip() == (
        "sop: error: sop schedule install --ask-vault-pass: the timers run unattended and "
        "cannot ask for the vault password: give --vault-password-file FILE"
    )
    assert not units.exists()
    password_file = tmp_path / "vault-pass"
    password_file.write_text("vault-pw-6022\n", encoding="utf-8")
    # its own process: Ansible reads ANSIBLE_VAULT_PASSWORD_FILE once, when imported
    env = {**sop_env, "ANSIBLE_VAULT_PASSWORD_FILE": str(password_file)}
    install = spawn_sop(env, "schedule", "install", "-i", str(court), "--unit-dir", str(units))
    _, err = install.communicate(timeout=120)
    assert install.returncode == 0, err
    for unit in ("sop-local-demo.service", "sop-overdue.service"):
        assert f'Environment="ANSIBLE_VAULT_PASSWORD_FILE={password_file}"' in (
            units / unit
        ).read_text()


def test_install_refuses_a_setting_no_role_knows(cli: Cli, court: Path, tmp_path: Path) -> None:
    """Each of its timers' runs would refuse it, unattended, and record nothing: the
    install says so first, and writes no unit."""
    court_vars = court / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text() + "website_quarantne: true\n")
    units = tmp_path / "units"
    code, out, err = _install(cli, court, units)
    line = len(court_vars.read_text().splitlines())
    assert (code, out) == (2, "") and err == (
        f"sop: error: inventory: group_vars of all ({court_vars} line {line}): "
        "website_quarantne: role website has no variable of that name (did you mean "
        "website_quarantine?)\n"
    )
    assert not units.exists()


def test_install_renders_units_idempotently(cli: Cli, court: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    code, out, err = _install(cli, court, units)
    assert code == 0, err
    assert "4 timers written; 8 units changed, 0 removed." in out
    assert sorted(p.name for p in units.iterdir()) == [
        f"sop-{sop}.{kind}"
        for sop in ("lab-ping", "local-demo", "local-secret", "overdue")
        for kind in ("service", "timer")
    ]  # local-manual: on demand, no playbook; sop-overdue: `sop overdue` every hour
    timer = (units / "sop-local-demo.timer").read_text()
    calendars = [line for line in timer.splitlines() if line.startswith("OnCalendar=")]
    assert calendars == [
        "OnCalendar=Mon..Fri *-*-* 07:00 Asia/Jakarta",
        "OnCalendar=12:00 Asia/Jakarta",
        "OnCalendar=16:00 Asia/Jakarta",
    ]
    assert "Persistent=true\nRandomizedDelaySec=30m\nUnit=sop-local-demo.service" in timer
    assert "OnCalendar=Mon *-*-* 09:00 Asia/Jakarta" in (
        units / "sop-local-secret.timer"
    ).read_text()
    service = (units / "sop-local-demo.service").read_text()
    assert 'Environment="SOP_TRIGGER=timer"' in service
    locked = [FLOCK, "--shared", "--wait", "3600", "--conflict-exit-code", "4", "--verbose"]
    assert _exec_argv(service) == [
        *locked, str(REPO), SOP_BIN, "run", "local-demo", "-i", str(court), "--time-limit", "1h"
    ]
    check = (units / "sop-overdue.service").read_text()
    assert _exec_argv(check) == [
        *locked, str(REPO), SOP_BIN, "overdue", "-i", str(court), "--notify"
    ]
    # an hourly check that hangs (a store that does not answer) is stopped within the hour
    # rather than holding back every later one
    assert f"\nTimeoutStartSec={schedule.OVERDUE_TIME_LIMIT}\n" in check
    span = schedule.time_span(schedule.OVERDUE_TIME_LIMIT)
    assert span is not None and 0 < span.microseconds < 3600 * 10**6
    before = {p.name: p.stat().st_mtime_ns for p in units.iterdir()}
    code, out, _ = _install(cli, court, units)
    assert code == 0 and "0 units changed, 0 removed." in out
    assert before == {p.name: p.stat().st_mtime_ns for p in units.iterdir()}
    code, out, _ = cli("schedule", "status", "--unit-dir", str(units))
    assert code == 0 and "sop-local-demo.timer" in out and "16:00" in out
    if shutil.which("systemd-analyze"):
        assert_units_verify(units)


FAKE_SYSTEMCTL = """#!/bin/sh
# systemctl for the test: the timers named in $STATE/off are disabled and stopped until
# `enable --now` turns them on; every call is logged; `disable` refuses a unit whose file
# is no longer in $UNITS, as some systemd versions do
echo "$*" >> "$STATE/calls"
case "$1" in
  disable) shift 2
    for unit in "$@"; do
      if [ ! -e "$UNITS/$unit" ]; then
        echo "Failed to disable unit: Unit file $unit does not exist." >&2; exit 1
      fi
    done ;;
  is-enabled|is-active)
    if grep -qx "$2" "$STATE/off" 2>/dev/null; then
      [ "$1" = is-enabled ] && echo disabled || echo inactive; exit 1
    fi
    [ "$1" = is-enabled ] && echo enabled || echo active ;;
  enable) shift 2
    for unit in "$@"; do
      grep -vx "$unit" "$STATE/off" > "$STATE/o"; mv "$STATE/o" "$STATE/off"
    done ;;
esac
exit 0
"""


@pytest.fixture
def fake_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """FAKE_SYSTEMCTL first on PATH and the unit directory `sop schedule` writes to: the
    units folder and the fake's state folder."""
    from sop import schedule  # noqa: PLC0415 (its SYSTEM_UNIT_DIR, patched)

    units, state, bin_dir = tmp_path / "units", tmp_path / "state", tmp_path / "bin"
    for directory in (units, state, bin_dir):
        directory.mkdir()
    (bin_dir / "systemctl").write_text(FAKE_SYSTEMCTL)
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("STATE", str(state))
    monkeypatch.setenv("UNITS", str(units))
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(schedule, "SYSTEM_UNIT_DIR", units)
    return units, state


def test_install_tells_a_timer_it_turned_on_again(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """A timer the admin disabled was enabled again by `enable --now` while the install
    said "0 units changed" (the controller role's changed_when read it as no change): a
    timer turned on again is named and counted."""
    state = fake_systemd[1]
    (state / "off").write_text("")
    install = ("schedule", "install", "-i", str(court))
    code, out, err = cli(*install)
    assert code == 0, err
    assert "4 timers enabled; 8 units changed, 0 removed." in out
    code, out, err = cli(*install)
    assert code == 0 and "4 timers enabled; 0 units changed, 0 removed." in out, err
    (state / "off").write_text("sop-local-demo.timer\n")  # systemctl disable --now
    code, out, err = cli(*install)
    assert code == 0, err
    assert "enabled and started sop-local-demo.timer (it was disabled or stopped)" in out
    assert "4 timers enabled; 1 units changed, 0 removed." in out
    assert (state / "off").read_text() == ""


def test_install_disables_a_removed_sops_timer_before_deleting_it(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """A SOP no longer scheduled: its timer file was deleted before `systemctl disable
    --now`, which some systemd versions refuse ("Unit file ... does not exist"), and the
    install stopped there, before daemon-reload and enable. Disabled first, as `remove`
    does, then deleted, then daemon-reload."""
    units, state = fake_systemd
    install = ("schedule", "install", "-i", str(court))
    assert cli(*install)[0] == 0
    for suffix in (".timer", ".service"):  # a SOP the catalogue has since dropped
        shutil.copy(units / f"sop-local-demo{suffix}", units / f"sop-gone{suffix}")
    (state / "calls").write_text("")
    code, out, err = cli(*install)
    assert code == 0, err
    assert f"removed {units / 'sop-gone.timer'}" in out
    assert "4 timers enabled; 0 units changed, 2 removed." in out
    assert not (units / "sop-gone.timer").exists()
    calls = (state / "calls").read_text().splitlines()
    # its Persistent= stamp and failed state forgotten while its files are there
    assert calls[:4] == ["disable --now sop-gone.timer", "clean --what=state sop-gone.timer",
                         "reset-failed sop-gone.service sop-gone.timer", "daemon-reload"]
    assert calls[-1].startswith("enable --now sop-")


def test_a_timer_given_a_new_time_is_installed_as_a_new_one(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """Reloaded in place, systemd counts a timer's next time from its last run and starts
    it at once when that has passed (systemd issue 16732, seen on Debian 12's systemd
    252): the timer is disabled, its stamp forgotten and its file deleted, then reloaded,
    before it is written anew and enabled."""
    units, state = fake_systemd
    install = ("schedule", "install", "-i", str(court))
    assert cli(*install)[0] == 0
    court_vars = court / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text().replace("*-*-* 07:00", "*-*-* 08:00"))
    (state / "calls").write_text("")
    code, out, err = cli(*install)
    assert code == 0 and f"written {units / 'sop-local-demo.timer'}" in out, err
    assert "4 timers enabled; 1 units changed, 0 removed." in out
    assert "Mon..Fri *-*-* 08:00" in (units / "sop-local-demo.timer").read_text()
    calls = (state / "calls").read_text().splitlines()
    assert calls[:4] == ["disable --now sop-local-demo.timer",
                         "clean --what=state sop-local-demo.timer",
                         "reset-failed sop-local-demo.timer", "daemon-reload"]
    assert calls[-1].startswith("enable --now sop-") and "sop-local-demo.timer" in calls[-1]
    (state / "calls").write_text("")
    assert cli(*install)[0] == 0  # unchanged: nothing disabled
    assert not any(c.startswith("disable") for c in (state / "calls").read_text().splitlines())


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}


def test_install_check_tells_what_install_would_do_and_changes_nothing(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`install --check`: each unit to create, rewrite (a timer's times old -> new),
    retire (a SOP no longer scheduled) or leave, and no file written, no systemctl called
    (not even to read a timer's state), no store opened; each installed unit read once
    (a rewritten one was read three times, compared, its lines and its marker, and read
    again for the units to retire)."""
    units, state = fake_systemd
    install = ("schedule", "install", "-i", str(court))
    assert cli(*install)[0] == 0
    court_vars = court / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text().replace("*-*-* 07:00", "*-*-* 08:00"))
    (units / "sop-lab-ping.timer").unlink()
    service = units / "sop-local-secret.service"
    service.write_text(service.read_text().replace("SOP_TRIGGER=timer", "SOP_TRIGGER=manual"))
    own = units / "sop-overdue.timer"
    own.write_text("[Timer]\nOnCalendar=daily\n")  # the admin's own file of that name
    for suffix in (".timer", ".service"):  # a SOP the catalogue has since dropped
        shutil.copy(units / f"sop-local-demo{suffix}", units / f"sop-gone{suffix}")
    (state / "calls").unlink()
    database = Path(os.environ["SOP_DATA_DIR"]) / "sop.db"
    database.unlink()
    before = _snapshot(units)
    opened: list[str] = []
    path_open = Path.open

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.parent == units:
            opened.append(path.name)
        return path_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counted)
    code, out, err = cli(*install, "--check")
    monkeypatch.setattr(Path, "open", path_open)
    assert (code, err) == (0, "")
    assert sorted(opened) == sorted(before)
    assert out.splitlines() == [
        f"would create {units / 'sop-lab-ping.timer'}: OnCalendar *-*-* 18:00 Asia/Jakarta",
        f"would rewrite {units / 'sop-local-demo.timer'}: OnCalendar Mon..Fri *-*-* 07:00 "
        "Asia/Jakarta; 12:00 Asia/Jakarta; 16:00 Asia/Jakarta -> Mon..Fri *-*-* 08:00 "
        "Asia/Jakarta; 12:00 Asia/Jakarta; 16:00 Asia/Jakarta (disabled and deleted first, "
        "so it counts from the install)",
        f"would rewrite {units / 'sop-local-secret.service'}: changed Environment",
        f"would rewrite {units / 'sop-overdue.timer'}: OnCalendar daily -> hourly, changed "
        "[Unit], Description, Persistent, RandomizedDelaySec, Unit, [Install], WantedBy (not "
        "written by sop: the admin's own file; disabled and deleted first, so it counts "
        "from the install)",
        f"would retire {units / 'sop-gone.service'} (disabled, its state forgotten): its "
        "SOP is no longer scheduled",
        f"would retire {units / 'sop-gone.timer'} (disabled, its state forgotten): its SOP "
        "is no longer scheduled",
        *(f"unchanged {units / name}" for name in (
            "sop-lab-ping.service", "sop-local-demo.service", "sop-local-secret.timer",
            "sop-overdue.service")),
        "Check only, nothing changed: 1 units to create, 3 to rewrite, 2 to retire, 4 "
        "unchanged; install would then reload systemd and enable --now 4 timers.",
    ]
    assert _snapshot(units) == before
    assert not (state / "calls").exists()
    assert not database.exists()
    # and install then does what it told
    code, out, err = cli(*install)
    assert code == 0 and "4 timers enabled; 4 units changed, 2 removed." in out, err


def test_install_check_of_a_first_install_makes_no_unit_directory(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    units, state = fake_systemd
    units.rmdir()
    code, out, err = cli("schedule", "install", "-i", str(court), "--check")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 9 and all(line.startswith("would create ") for line in lines[:8])
    assert lines[-1].startswith("Check only, nothing changed: 8 units to create, 0 to rewrite")
    assert not units.exists() and not (state / "calls").exists()


def test_install_check_into_a_unit_dir_names_no_systemd(
    cli: Cli, court: Path, tmp_path: Path
) -> None:
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    code, out, err = _install(cli, court, units, "--check")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Check only, nothing changed: 0 units to create, 0 to rewrite, 0 to retire, 8 unchanged."
    )


def test_install_check_refuses_as_install_does(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """Bad input is install's one line; --check belongs to install alone; a unit directory
    that is a file is refused (install could not write there)."""
    units, state = fake_systemd
    court_vars = court / "group_vars" / "all.yml"
    court_vars.write_text(court_vars.read_text().replace("delay: 30m", "delay: 1x"))
    install = ("schedule", "install", "-i", str(court))
    refused = [cli(*install, "--check"), cli(*install)]
    assert refused[0] == refused[1] == (
        2, "", f"sop: error: inventory {court}: sop_schedule/randomized_delay: '1x' is not a time "
        "span\n"
    )
    for action in ("remove", "status"):
        assert cli("schedule", action, "--check") == (
            2, "", f"sop: error: --check: only `sop schedule install` has a dry run, not {action}\n"
        )
    court_vars.write_text(court_vars.read_text().replace("delay: 1x", "delay: 30m"))
    code, out, err = _install(cli, court, court_vars, "--check")
    assert (code, out) == (2, "")
    assert err == f"sop: error: unit directory {court_vars} is not a directory\n"
    assert not (state / "calls").exists() and not any(units.iterdir())


def test_remove_forgets_the_timers_stamps_and_failed_states(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """Removed, a SOP's failed service stayed in `systemctl --failed` and its timer's
    Persistent= stamp made it run at once when scheduled again later."""
    units, state = fake_systemd
    assert cli("schedule", "install", "-i", str(court))[0] == 0
    names = sorted(p.name for p in units.iterdir())
    (state / "calls").write_text("")
    code, out, err = cli("schedule", "remove")
    assert code == 0 and f"8 units removed from {units}." in out, err
    timers = " ".join(name for name in names if name.endswith(".timer"))
    assert (state / "calls").read_text().splitlines() == [
        f"disable --now {timers}", f"clean --what=state {timers}",
        f"reset-failed {' '.join(names)}", "daemon-reload"]


@pytest.mark.parametrize("action", ["remove", "status"])
def test_remove_and_status_refuse_an_inventory_they_would_ignore(
    cli: Cli, court: Path, tmp_path: Path, action: str
) -> None:
    """`remove -i court` removed every SOP timer of the machine, -i ignored without a word:
    the timers are one set per machine, whichever court installed them."""
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    code, out, err = cli("schedule", action, "-i", str(court), "--unit-dir", str(units))
    assert code == 2 and not out
    assert err.strip().splitlines() == [
        f"sop: error: -i: only `sop schedule install` takes an inventory; {action} acts on "
        "every SOP timer of this machine (one court's set), whichever court installed it"]
    assert len(list(units.iterdir())) == 8


def test_remove_deletes_only_generated_units(cli: Cli, court: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    (units / "sop-own.timer").write_text("[Timer]\nOnCalendar=daily\n")  # the admin's own
    code, out, _ = cli("schedule", "remove", "--unit-dir", str(units))
    assert code == 0 and f"8 units removed from {units}." in out
    assert [p.name for p in units.iterdir()] == ["sop-own.timer"]
    code, out, _ = cli("schedule", "status", "--unit-dir", str(units))
    assert code == 0 and "No SOP timers" in out


def test_times_are_the_courts_office_clock(tmp_path: Path) -> None:
    """The timers ran at the controller's clock: on a controller kept at UTC, the SIPP
    backup's 18:00 was 01:00 WIB and the weekly Monday 09:00 was 16:00 WIB. Every time is
    the court's (WIB by default, sop_schedule.timezone for WITA and WIT); one that names
    its own zone keeps it."""
    sops = load_catalogue(PACKAGE_CATALOGUE)
    units = {
        unit.name: unit.text
        for unit in render(
            sops,
            sop_bin=SOP_BIN,
            inventory="inventory/court",
            project_dir=tmp_path,
            data_dir=tmp_path,
            schedule={"timezone": "Asia/Makassar", "sipp-sync": ["08:00", "12:00 UTC"]},
        )
    }
    assert "OnCalendar=*-*-* 18:00 Asia/Makassar\n" in units["sop-sipp-backup.timer"]
    assert "OnCalendar=08:00 Asia/Makassar\nOnCalendar=12:00 UTC\n" in units["sop-sipp-sync.timer"]
    if shutil.which("systemd-analyze"):  # what systemd makes of the default, on a UTC clock
        timer = next(u.text for u in render(sops, sop_bin=SOP_BIN, inventory="i",
                                            project_dir=tmp_path, data_dir=tmp_path,
                                            schedule={}) if u.name == "sop-sipp-backup.timer")
        calendar = timer.split("OnCalendar=", 1)[1].splitlines()[0]
        assert calendar == "*-*-* 18:00 Asia/Jakarta"
        analysed = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True,
                                  text=True, check=True, env={**os.environ, "TZ": "UTC"}).stdout
        assert " 11:00:00 UTC" in analysed, analysed


@pytest.mark.parametrize(
    ("name", "zone"),
    [("WIB", "Asia/Jakarta"), ("Wita", "Asia/Makassar"), ("wit", "Asia/Jayapura")],
)
def test_a_zone_as_courts_write_it_is_the_tz_databases_in_the_units(
    cli: Cli, court: Path, tmp_path: Path, name: str, zone: str
) -> None:
    """sop_schedule.timezone WIB, WITA or WIT (in any case, as the SIPP modules take it)
    was refused; systemd knows none of them: the timers' OnCalendar= and the services'
    TZ name the tz database's zone."""
    with (court / "group_vars" / "all.yml").open("a") as handle:
        handle.write(f"  timezone: {name}\n")
    units = tmp_path / "units"
    code, _, err = _install(cli, court, units)
    assert code == 0, err
    timer = (units / "sop-local-demo.timer").read_text()
    assert f"OnCalendar=Mon..Fri *-*-* 07:00 {zone}\nOnCalendar=12:00 {zone}\n" in timer
    for service in ("sop-local-demo.service", "sop-overdue.service"):
        assert f'Environment="TZ={zone}"\n' in (units / service).read_text()
    if shutil.which("systemd-analyze"):
        assert_units_verify(units)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
@pytest.mark.parametrize("controller", ["UTC", "Asia/Makassar"])
@pytest.mark.parametrize(
    ("given", "written"),
    [("18:00 WITA", "18:00 Asia/Makassar"), ("Mon..Fri 07:00 wit", "Mon..Fri 07:00 Asia/Jayapura"),
     ("18:00 utc", "18:00 UTC")],
)  # fmt: skip
def test_a_time_naming_its_zone_as_courts_write_it_gets_a_zone_systemd_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, controller: str, given: str, written: str
) -> None:
    """A court's time naming its own zone as its timezone may (`18:00 WITA`) was refused
    on a UTC controller and, on one kept at WITA (systemd-analyze takes the local zone's
    abbreviation), written `18:00 WITA Asia/Jakarta`, which systemd cannot parse: a timer
    that never ran; `18:00 utc` (systemd takes UTC in any case) became `18:00 utc
    Asia/Jakarta` on every controller. The zone is written as systemd knows it, the same on
    every controller, and `sop overdue` and `sop report -i` follow the time in it."""
    monkeypatch.setenv("TZ", controller)
    units = tmp_path / "units"
    write(units, _render_with(tmp_path, schedule={"local-demo": given}))
    assert f"OnCalendar={written}\n" in (units / "sop-local-demo.timer").read_text()
    assert_units_verify(units)
    sops = load_catalogue(FIXTURES / "catalogue")
    (followed,) = schedule.due_calendars(sops, {"local-demo": given})["local-demo"]
    assert followed.zone == ZoneInfo(written.rsplit(maxsplit=1)[-1])


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_a_time_only_the_controllers_own_clock_reads_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """systemd-analyze checked the court's time as given, on the controller's clock, not
    the line the timer gets: `18:00 JST` on a controller kept at Asia/Tokyo passed, and
    the timer got `18:00 JST Asia/Jakarta`, which systemd cannot parse."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    with pytest.raises(SopError) as raised:
        _render_with(tmp_path, schedule={"local-demo": "18:00 JST"})
    assert str(raised.value).startswith(
        "inventory inventory/court: sop_schedule/local-demo: '18:00 JST' is not a systemd "
        "OnCalendar expression"
    ), raised.value
    assert "\n" not in str(raised.value)


def test_default_times_follow_the_runs_a_day_the_sop_asks_for() -> None:
    sops = load_catalogue(PACKAGE_CATALOGUE)
    assert sops["sipp-sync"].times_per_period == 3
    assert default_calendar(sops["sipp-sync"]) == [
        "*-*-* 09:00",
        "*-*-* 13:00",
        "*-*-* 17:00",
    ]
    assert default_calendar(sops["sipp-backup"]) == ["*-*-* 18:00"]


def test_server_maintenance_is_not_timed_with_the_other_monthly_sops() -> None:
    # all three monthly SOPs ran the 1st at 09:00: the maintenance's pre-check refused a
    # host busy with IT security's scan or drill, and its reboots broke their runs
    sops = load_catalogue(PACKAGE_CATALOGUE)
    assert default_calendar(sops["it-security"]) == default_calendar(sops["network"]) == [
        "*-*-01 09:00"]
    assert default_calendar(sops["server-maintenance"]) == ["*-*-01 20:00"]


def test_server_maintenance_missed_is_not_made_up_at_boot(tmp_path: Path) -> None:
    """Every timer was Persistent=true: a controller off on the 1st at 20:00 and started
    at 08:00 the next day ran server maintenance within its randomised delay, rebooting
    servers with a still valid approval in office hours. Its timer has Persistent=false
    (catch_up: false); the others still make up a missed run."""
    sops = load_catalogue(PACKAGE_CATALOGUE)
    units = render(sops, sop_bin=Path(SOP_BIN), inventory="inventory/court",
                   project_dir=tmp_path, data_dir=tmp_path / "data", schedule={})
    persistent = {u.name: re.findall(r"^Persistent=(\w+)$", u.text, re.MULTILINE)
                  for u in units if u.name.endswith(".timer")}
    assert persistent.pop("sop-server-maintenance.timer") == ["false"]
    assert persistent and all(value == ["true"] for value in persistent.values()), persistent
    assert [sop.id for sop in sops.values() if not sop.catch_up] == ["server-maintenance"]


def test_a_catalogue_calendar_is_the_default_a_court_s_own_times_replace(tmp_path: Path) -> None:
    sops = load_catalogue(FIXTURES / "catalogue")
    sops["local-demo"] = dataclasses.replace(sops["local-demo"], calendar=("Sat 07:00",))
    arguments: dict[str, Any] = {
        "sop_bin": Path(SOP_BIN), "inventory": "inventory/court", "project_dir": tmp_path,
        "data_dir": tmp_path / "data",
    }  # fmt: skip

    def timer(schedule: dict[str, str]) -> str:
        units = render(sops, schedule=schedule, **arguments)
        return next(u.text for u in units if u.name == "sop-local-demo.timer")

    assert "\nOnCalendar=Sat 07:00 Asia/Jakarta\n" in timer({})
    assert "\nOnCalendar=18:30 Asia/Jakarta\n" in timer({"local-demo": "18:30"})


def test_an_on_demand_sop_takes_no_calendar(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(FIXTURES / "catalogue", catalogue)
    manual = next(f for f in catalogue.glob("*.yml") if "on_demand" in f.read_text())
    manual.write_text(manual.read_text().replace("frequency: on_demand\n",
                                                 "frequency: on_demand\ncalendar: ['09:00']\n"))
    with pytest.raises(SopError, match=r": calendar: an on-demand SOP has no timer$"):
        load_catalogue(catalogue)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("  local-demo: 'Mon..Fry 25:00'\n", "sop_schedule/local-demo: 'Mon..Fry 25:00' is not"),
        ("  local-demo: \"07:00\\nExecStart=/bin/sh\"\n", "is not a systemd OnCalendar"),
        ("  local-manual: '07:00'\n", "sop_schedule/local-manual: not a scheduled SOP"),
        ("  randomized_delay: 'soon'\n", "randomized_delay: 'soon' is not a time span"),
        ("  timezone: XYZ\n", "sop_schedule/timezone: 'XYZ' is not a time zone (WIB, WITA, "
                               "WIT or a tz database name such as Asia/Makassar)"),
        ("  timezone: Asia/Bandung\n", "sop_schedule/timezone: 'Asia/Bandung' is not a"),
        # spaces around a zone: ' wita ' was read as WITA, 'Asia/Makassar ' refused
        ("  timezone: ' wita '\n", "sop_schedule/timezone: ' wita ' is not a time zone: "
                                  "write it without the spaces around it (WIB, WITA, "),
        ("  timezone: 'Asia/Makassar '\n", "sop_schedule/timezone: 'Asia/Makassar ' is not "
                                          "a time zone: write it without the spaces around"),
        # systemd-analyze read it as its option (help, exit 0): a timer that never ran
        ("  local-demo: '-h'\n", "sop_schedule/local-demo: '-h' is not a systemd OnCalendar"),
        # a line of its own after the time, the zone on the next: the controller's clock
        ("  local-demo: \"18:00\\n\"\n", "sop_schedule/local-demo: '18:00\\x0a' is not a"),
        ("  randomized_delay: \"15m\\n\"\n", "randomized_delay: '15m\\x0a' is not a time span"),
        ("  time_limit: soon\n", "sop_schedule/time_limit: 'soon' is not a time span"),
        ("  time_limit: 0\n", "sop_schedule/time_limit: 0 is not a time span"),  # systemd: none
        # meant as hours, read by systemd as seconds: every run stopped after 4 s
        ("  time_limit: 4\n", "sop_schedule/time_limit: 4 has no unit: write it as a time "
                              "span such as 4h or 90min (systemd would read a bare number "
                              "as seconds)"),
        ("  time_limit: '4.5'\n", "sop_schedule/time_limit: '4.5' has no unit: write it"),
        ("  time_limit: '4 30'\n", "sop_schedule/time_limit: '4 30' has no unit: write it"),
        ("  time_limit: '1h 30'\n", "sop_schedule/time_limit: '1h 30' has a number without a "
                                   "unit: write each with its unit, such as 1h 30min"),
        ("  time_limit: 1h30x\n", "sop_schedule/time_limit: '1h30x' is not a time span"),
        ("  time_limit: 2months\n", "sop_schedule/time_limit: '2months' is not a time span"),
        ("  time_limit: \"1h\\n30min\"\n", "sop_schedule/time_limit: '1h\\x0a30min' is not a"),
        # quoted once (untrusted.quoted): repr's escapes were escaped again when shown
        ("  local-demo: \"07:00\\x1b[2K\"\n", "local-demo: '07:00\\x1b[2K' is not a systemd"),
        ("  local-demo: 'C:\\07:00'\n", "sop_schedule/local-demo: 'C:\\07:00' is not a systemd"),
        ("  local-demo: [7]\n", "sop_schedule/local-demo: 7 is not a systemd OnCalendar"),
        ("  randomized_delay: \"15m\\x1b\"\n", "randomized_delay: '15m\\x1b' is not a time"),
        ("  time_limit: 'C:\\4h'\n", "sop_schedule/time_limit: 'C:\\4h' is not a time span"),
        ("  time_limit: \"4\\x1b\"\n", "sop_schedule/time_limit: '4\\x1b' is not a time span"),
        ("  time_limit: 0.4us\n", "sop_schedule/time_limit: '0.4us' is not a time span"),
    ],
)
def test_bad_schedule_is_one_line_and_writes_nothing(
    cli: Cli, tmp_path: Path, line: str, problem: str
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars" / "all.yml").open("a") as handle:
        handle.write("sop_schedule:\n" + line)
    units = tmp_path / "units"
    code, out, err = _install(cli, inventory, units)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and problem in err, err
    # the inventory given (a directory, as given): "inventory: ..." left it to guess
    assert err.startswith(f"sop: error: inventory {inventory}: sop_schedule/"), err
    assert not units.exists()

@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
@pytest.mark.parametrize("given", ["*-02-30 09:00", "2020-01-01 09:00"])
def test_a_time_that_never_comes_is_refused(tmp_path: Path, given: str) -> None:
    """systemd-analyze takes `*-02-30` (no February has a 30th) and a date gone by, exits
    0 and says `Next elapse: never`: the timer was installed and never ran the SOP, which
    `sop overdue` told a period and its grace later at the earliest."""
    with pytest.raises(SopError) as raised:
        _render_with(tmp_path, schedule={"local-demo": ["07:00", given]})
    assert str(raised.value) == (
        f"inventory inventory/court: sop_schedule/local-demo: {given!r} never elapses: its timer "
        "would never run the SOP"
    )


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("Mon..Fry 25:00", "'Mon..Fry 25:00' is not a systemd OnCalendar expression (such as "
                           "18:30 or Mon..Fri *-*-* 07:00)"),
        ("*-*-* 00/25:00", "'*-*-* 00/25:00' is not a systemd OnCalendar expression"),
        ("*-02-30 09:00", "'*-02-30 09:00' never elapses: its timer would never run the SOP"),
        ("99-01-01 09:00", "'99-01-01 09:00' never elapses: its timer would never run the SOP"),
    ],
)  # fmt: skip
def test_a_time_systemd_refuses_is_refused_without_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, problem: str
) -> None:
    """Checked for its characters only where there is no systemd-analyze to ask: a typo
    or a time that never comes was installed; oncalendar reads it as systemd does (99 is
    1999), as the catalogue's."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemd-analyze
    with pytest.raises(SopError) as raised:
        _render_with(tmp_path, schedule={"local-demo": ["07:00", given]})
    assert str(raised.value).startswith(
        f"inventory inventory/court: sop_schedule/local-demo: {problem}"
    )
    assert "\n" not in str(raised.value)


def test_a_calendar_check_that_hangs_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`systemd-analyze calendar` ran without a time limit: one that never answered (a
    stuck D-Bus or a broken install) hung `sop schedule install`. It gets ANALYZE_TIMEOUT
    seconds, then the expression is named in one line."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "systemd-analyze").write_text("#!/bin/sh\nexec sleep 60\n")
    (tools / "systemd-analyze").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    monkeypatch.setattr(oncalendar, "ANALYZE_TIMEOUT", 1)
    with pytest.raises(SopError, match=r"sop_schedule/local-demo: systemd-analyze calendar "
                       r"'07:00' did not answer in 1 s"):  # fmt: skip
        _render_with(tmp_path, schedule={"local-demo": "07:00"})


def _service(unit: Path) -> tuple[dict[str, str], list[str]]:
    """A service unit's Environment= values and ExecStart= argv, as systemd reads them."""
    environment: dict[str, str] = {}
    command: list[str] = []
    for line in unit.read_text().splitlines():
        if line.startswith("Environment="):
            name, value = shlex.split(line.removeprefix("Environment="))[0].split("=", 1)
            environment[name] = value.replace("%%", "%")
        elif line.startswith("ExecStart="):
            command = shlex.split(line.removeprefix("ExecStart="))
    return environment, command



def test_service_command_runs_the_sop_as_timer(
    cli: Cli, court: Path, tmp_path: Path, sop_env: dict[str, str]
) -> None:
    """The service's Environment= and ExecStart=, run as systemd would run them, record
    an execution triggered by the timer."""
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    unit_environment, command = _service(units / "sop-local-demo.service")
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"],
                   "PYTHONPATH": os.environ.get("PYTHONPATH", ""), **unit_environment}
    assert environment["SOP_DATA_DIR"] == sop_env["SOP_DATA_DIR"]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    code, out, _ = cli("history", "--query", "[].[sop_id, trigger, status]")
    assert code == 0 and json.loads(out) == [["local-demo", "timer", "successful"]]


def test_a_timers_run_waits_while_the_project_is_installed(
    cli: Cli, court: Path, tmp_path: Path, sop_env: dict[str, str], project: Path
) -> None:
    """A timer's `sop run` started whenever systemd said, also while the controller's
    install was copying the project over itself: the run read a mixture of two versions.
    The service now runs `sop` under flock(1)'s shared lock on the project directory,
    which the install takes exclusively: runs go side by side, and a run waits until the
    install is done. The wait, which the service's time limit counts, is recorded with the
    run (its flock(1)'s, read from the two processes' start times)."""
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    unit_environment, command = _service(units / "sop-local-demo.service")
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"],
                   "PYTHONPATH": os.environ.get("PYTHONPATH", ""), **unit_environment}
    assert unit_environment["SOP_PROJECT_DIR"] == str(project)  # locked here, no other test's
    handle = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)  # another run: no wait
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, check=False, timeout=120
        )
        assert done.returncode == 0, done.stderr
        fcntl.flock(handle, fcntl.LOCK_EX)  # the install
        waiting = subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                waiting.wait(timeout=3)
            code, out, _ = cli("history", "--query", "length(@)")
            assert code == 0 and json.loads(out) == 1  # the second run has not started
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
        _, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
    finally:
        os.close(handle)
    code, out, _ = cli("history", "--query", "[].lock_wait_s")
    waited, unhindered = json.loads(out)  # newest first
    assert code == 0 and unhindered < 1 and 3 <= waited < 60, (waited, unhindered)


# What systemd's manager gives a system service without User=: its PATH, no HOME, no
# LANG when the machine sets none, and the machine's clock (here a controller kept at UTC).
SYSTEMD_ENVIRONMENT = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "TZ": "UTC"}


def test_a_timers_run_tells_the_courts_time(
    cli: Cli, court: Path, tmp_path: Path, sop_env: dict[str, str]
) -> None:
    """The timers start at the court's office clock, but their runs had the controller's
    zone: on a controller kept at UTC, a timer's run printed (and notified) its times in
    UTC without saying so, 8 hours off for a WITA court, and its `now()` gave the
    previous month in the court's first morning of a month. The service names the
    court's zone (TZ), and the run, started as systemd starts it, tells the court's time."""
    with (court / "group_vars" / "all.yml").open("a") as handle:
        handle.write("  timezone: Asia/Makassar\n")
    units = tmp_path / "units"
    assert _install(cli, court, units)[0] == 0
    # the run's own unit only: another unit's TZ= would hide one this unit lacks
    unit_environment, command = _service(units / "sop-local-demo.service")
    environment = {**SYSTEMD_ENVIRONMENT, "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
                   **unit_environment}
    done = subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    code, out, _ = cli("history", "--query", "[0].started_at")
    assert code == 0, out
    started = datetime.fromisoformat(json.loads(out)).astimezone(ZoneInfo("Asia/Makassar"))
    assert f"Started / ended  {started:%Y-%m-%d %H:%M:%S}" in done.stdout, done.stdout
    assert 'Environment="TZ=Asia/Makassar"' in (units / "sop-overdue.service").read_text()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_units_of_a_project_path_with_spaces_and_percent_verify(tmp_path: Path) -> None:
    """systemd expands specifiers (%x) in WorkingDirectory=, Description= and
    Documentation=, and Documentation= is a space-separated list of URIs: a project
    checkout at such a path still gives units systemd loads, naming that very path."""
    project = tmp_path / "Proyek SOP 100%n"
    project.mkdir()
    units = tmp_path / "units"
    write(
        units,
        render(
            load_catalogue(FIXTURES / "catalogue"),
            sop_bin=Path(SOP_BIN),
            inventory=str(tmp_path / "inventory 50%"),
            project_dir=project,
            data_dir=tmp_path / "data dir",
            schedule={},
        ),
    )
    assert_units_verify(units)
    service = (units / "sop-local-demo.service").read_text()
    assert "WorkingDirectory=" + str(project).replace("%", "%%") + "\n" in service


def test_an_admins_own_unit_that_is_not_utf8_is_left_alone(
    cli: Cli, court: Path, tmp_path: Path
) -> None:
    """`installed()` read every `sop-*` unit as UTF-8 to look for the generator's marker:
    an admin's own unit in Latin-1 made install, status and remove fail as an internal
    error (UnicodeDecodeError). It is not ours: it is left alone."""
    units = tmp_path / "units"
    units.mkdir()
    own = units / "sop-own.service"
    own.write_bytes(b"# pemeliharaan \xe9\xff\n[Service]\nExecStart=/bin/true\n")
    code, out, err = _install(cli, court, units)
    assert code == 0 and "8 units changed, 0 removed." in out, err
    code, out, err = cli("schedule", "status", "--unit-dir", str(units))
    assert code == 0 and "sop-local-demo.timer" in out, err
    code, out, err = cli("schedule", "remove", "--unit-dir", str(units))
    assert code == 0 and f"8 units removed from {units}." in out, err
    assert [p.name for p in units.iterdir()] == ["sop-own.service"]
    assert own.read_bytes().startswith(b"# pemeliharaan \xe9\xff\n")


def _exec_argv(service: str) -> list[str]:
    """A unit's ExecStart= as systemd reads it (systemd.syntax(7) "Quoting", and
    systemd.service(5) "Command lines": C escapes, %% specifiers, $$ in the arguments
    once the service starts), for the words `render` writes: bare or double-quoted."""
    line = next(x for x in service.splitlines() if x.startswith("ExecStart="))
    words = []
    for found in re.finditer(r'"((?:[^"\\]|\\.)*)"|(\S+)', line.removeprefix("ExecStart=")):
        quoted, bare = found.groups()
        text = bare if quoted is None else re.sub(
            r"\\(x[0-9a-f]{2}|.)",
            lambda e: chr(int(e[1][1:], 16)) if len(e[1]) == 3 else e[1],
            quoted,
        )
        words.append(text.replace("%%", "%"))
    return [words[0], *(word.replace("$$", "$") for word in words[1:])]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_exec_start_keeps_dollars_backslashes_and_quotes_of_paths(tmp_path: Path) -> None:
    """ExecStart= was shlex.join'ed, for a shell: systemd substitutes ${VAR} (and a $VAR
    word) in the arguments when the service starts and reads C escapes inside quotes,
    so an inventory at `.../inv ${HOME}\\q` ran `sop run` on another path (and
    systemd-analyze warned "Ignoring unknown escape sequences"). Each argument now
    reaches `sop` as given."""
    sop_dir = tmp_path / "venv $HOME 100% \\ 'q'" / "bin"  # flock's program: as given
    sop_dir.mkdir(parents=True)
    sop_bin = sop_dir / "sop"
    sop_bin.write_text("#!/bin/sh\n")
    sop_bin.chmod(0o755)
    inventory = str(tmp_path / "inv ${HOME} $USER \\q \\t 'x' \"y\" 50%")
    vault = str(tmp_path / "$HOME")
    units = tmp_path / "units"
    write(
        units,
        render(
            load_catalogue(FIXTURES / "catalogue"),
            sop_bin=sop_bin,
            inventory=inventory,
            project_dir=tmp_path,
            data_dir=tmp_path / "data",
            schedule={},
            vault_password_file=vault,
        ),
    )
    assert_units_verify(units)
    assert _exec_argv((units / "sop-local-demo.service").read_text())[7:] == [
        str(tmp_path), str(sop_bin), "run", "local-demo", "-i", inventory, "--time-limit", "1h",
    ]  # fmt: skip
    assert _exec_argv((units / "sop-overdue.service").read_text())[7:] == [
        str(tmp_path), str(sop_bin), "overdue", "-i", inventory, "--notify",
    ]  # fmt: skip
    # The vault password file reaches every service, the hourly check's too (its
    # `sop overdue -i` read a vaulted inventory without it: exit 2 every hour).
    for service in ("sop-local-demo.service", "sop-overdue.service"):
        assert f'Environment="ANSIBLE_VAULT_PASSWORD_FILE={vault}"\n' in (
            units / service).read_text()


def test_environment_lines_carry_control_characters_escaped(tmp_path: Path) -> None:
    """Environment= wrote the data directory's path as given: a newline in it (a path is
    any bytes but NUL and /) cut the line, and systemd read the rest as a directive of
    its own. A control character is now a C escape, which systemd reads back (Environment=
    takes C escapes inside its quotes, systemd.syntax(7))."""
    data_dir = tmp_path / "data\nExecStartPre=/bin/false \x1b"
    [service] = [
        u.text
        for u in render(
            load_catalogue(FIXTURES / "catalogue"), sop_bin=SOP_BIN, inventory="i",
            project_dir=tmp_path, data_dir=data_dir, schedule={},
        )
        if u.name == "sop-local-demo.service"
    ]  # fmt: skip
    assert not any(line.startswith("ExecStartPre=") for line in service.splitlines())
    [line] = [x for x in service.splitlines() if x.startswith('Environment="SOP_DATA_DIR=')]
    quoted = line.removeprefix('Environment="').removesuffix('"')
    value = re.sub(
        r"\\(x[0-9a-f]{2}|.)",
        lambda e: chr(int(e[1][1:], 16)) if len(e[1]) == 3 else e[1],
        quoted,
    ).replace("%%", "%")
    assert value == f"SOP_DATA_DIR={data_dir}"


def _render_with(tmp_path: Path, **changed: object) -> list[Unit]:
    """The units for the fixture catalogue, with `changed` render() arguments (or title)."""
    arguments: dict[str, Any] = {
        "sop_bin": Path(SOP_BIN), "inventory": "inventory/court", "project_dir": tmp_path,
        "data_dir": tmp_path / "data", "schedule": {},
    }  # fmt: skip
    sops = load_catalogue(FIXTURES / "catalogue")
    title = changed.pop("title", None)
    if isinstance(title, str):
        sops = {key: dataclasses.replace(sop, title=title) for key, sop in sops.items()}
    return render(sops, **{**arguments, **changed})


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ({"project_dir": Path("/opt/sop\nExecStartPre=/bin/false")},
         "'/opt/sop\\x0aExecStartPre=/bin/false'"),
        ({"project_dir": Path("/opt/sop\r")}, "'/opt/sop\\x0d'"),
        ({"project_dir": Path("/opt/sop\x1b[2J")}, "'/opt/sop\\x1b[2J'"),
        ({"project_dir": Path("/opt/sop ")}, "'/opt/sop '"),  # systemd strips it: another dir
        ({"project_dir": Path("/opt/sop\\")}, "'/opt/sop\\'"),  # continues on the next line
        ({"project_dir": Path("/opt/s\udce9p")}, "'/opt/s\\udce9p'"),  # not UTF-8
        ({"inventory": "/etc/inv\udce9"}, "'/etc/inv\\udce9'"),
        ({"data_dir": Path("/var/lib/s\udce9p")}, "'/var/lib/s\\udce9p'"),
        ({"title": "Cadangan\nExecStartPre=/bin/false"}, "'Cadangan\\x0aExecStartPre=/bin/false'"),
        ({"title": "Cadangan \x1b]0;x\x07"}, "'Cadangan \\x1b]0;x\\x07'"),
    ],
)  # fmt: skip
def test_a_value_a_unit_cannot_carry_is_refused(
    tmp_path: Path, changed: dict[str, object], named: str
) -> None:
    """WorkingDirectory= and Description= were written as given: a newline in the project's
    path or a SOP's title ended the line and made the rest a directive of its own, a
    trailing space or backslash changed the path (systemd strips the one and joins the
    next line for the other), a control character reached `systemctl status` as is, and a
    name that is not UTF-8 crashed the writing (UnicodeEncodeError). Neither setting takes
    escapes (systemd.unit(5)): such a value is refused with one line naming it, each
    character escaped once as shown (untrusted.quoted: repr's escapes were escaped again,
    an ESC shown as '\\x5cx1b', a backslash doubled)."""
    with pytest.raises(SopError) as raised:
        _render_with(tmp_path, **changed)
    message = visible(str(raised.value), newlines=False)  # as `sop` shows its error
    assert named in message, message


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_a_project_path_with_quotes_and_backslashes_verifies(tmp_path: Path) -> None:
    """What WorkingDirectory= and Description= can carry is kept: quotes, a backslash
    inside, `;` and `#`, non-ASCII letters."""
    project = tmp_path / "Pengadilan \"Negeri\" 'Contoh' a\\b ;#é"
    project.mkdir()
    units = tmp_path / "units"
    write(units, _render_with(tmp_path, project_dir=project, title="Cadangan \\ \"SIPP\" é"))
    assert_units_verify(units)
    service = (units / "sop-local-demo.service").read_text()
    assert f"WorkingDirectory={project}\n" in service
    assert 'Description=SOP Cadangan \\ "SIPP" é (local-demo)\n' in service


@pytest.mark.parametrize("action", ["status", "remove"])
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_unit_dir_that_is_no_directory_is_refused(
    cli: Cli, tmp_path: Path, action: str, kind: str
) -> None:
    """`status` and `remove` with a mistyped --unit-dir said "No SOP timers" / "0 units
    removed", exit 0: the admin read that the timers were gone while they still ran."""
    units = tmp_path / "unitz"
    if kind == "file":
        units.write_text("")
    code, out, err = cli("schedule", action, "--unit-dir", str(units))
    what = "does not exist" if kind == "missing" else "is not a directory"
    assert (code, out) == (2, "")
    assert err.strip() == f"sop: error: unit directory {units} {what}"


def test_each_service_keeps_its_ssh_connections_to_itself(tmp_path: Path) -> None:
    """ansible.cfg's ControlPersist master (the ssh holding a host's connection 60 s after
    its first use) lives in the cgroup of the service that started it, which systemd kills
    when its `sop` ends; all services shared root's ~/.ansible/cp, so a SOP running beside
    another (Mondays 09:00, catch-up runs at boot) multiplexed over the other's master and
    lost its connections when the other ended. Each service's sockets are now in its own
    runtime directory (0700, /run/sop-<id>), which Ansible takes over ansible.cfg's; the
    hourly check, which notifies, waits for the network as the runs do."""
    units = tmp_path / "units"
    write(units, _render_with(tmp_path))
    sockets = {}
    for path in sorted(units.glob("sop-*.service")):
        text = path.read_text()
        sop_id = path.stem.removeprefix("sop-")
        assert "After=network-online.target\nWants=network-online.target\n" in text, path
        if sop_id == "overdue":
            continue
        assert f"RuntimeDirectory=sop-{sop_id}\nRuntimeDirectoryMode=0700\n" in text
        sockets[sop_id] = _service(path)[0]["ANSIBLE_SSH_CONTROL_PATH_DIR"]
        assert sockets[sop_id] == f"/run/sop-{sop_id}"
    assert len(set(sockets.values())) == len(sockets) > 1
    dumped = subprocess.run(
        [str(Path(SOP_BIN).parent / "ansible-config"), "dump", "-t", "connection"],
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
             "ANSIBLE_SSH_CONTROL_PATH_DIR": sockets["local-demo"]},
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "control_path_dir(env: ANSIBLE_SSH_CONTROL_PATH_DIR) = /run/sop-local-demo" in (
        dumped.stdout
    )
    if shutil.which("systemd-analyze"):
        assert_units_verify(units)


def test_an_installed_timer_that_never_runs_its_sop_makes_it_overdue(
    cli: Cli, court: Path, fake_systemd: tuple[Path, Path]
) -> None:
    """`sop schedule install` records since when the court's timers are installed: a SOP
    they never ran falls due from then (overdue.py), `new` again once they are removed."""
    code, out, err = cli("overdue", "-i", str(court), "--json")
    assert (code, json.loads(out)) == (0, []), err  # nothing installed: all new
    assert cli("schedule", "install", "-i", str(court))[0] == 0
    assert cli("schedule", "install", "-i", str(court))[0] == 0  # keeps its first install
    code, out, err = cli("overdue", "-i", str(court), "--json")
    assert (code, json.loads(out)) == (0, []), err  # installed just now: not due yet
    with sqlite3.connect(Path(os.environ["SOP_DATA_DIR"]) / "sop.db") as conn:
        rows = conn.execute("SELECT sop_id FROM schedules WHERE removed_at IS NULL").fetchall()
        assert sorted(rows) == [("lab-ping",), ("local-demo",), ("local-secret",)]
        conn.execute("UPDATE schedules SET installed_at = datetime('now', '-10 days')")
    code, out, err = cli("overdue", "-i", str(court), "--json")
    assert code == 7, err
    overdue = {row["sop_id"]: row for row in json.loads(out)}
    assert sorted(overdue) == ["lab-ping", "local-demo", "local-secret"]
    assert overdue["local-demo"]["last_success_id"] is None
    assert cli("schedule", "remove")[0] == 0
    code, out, err = cli("overdue", "-i", str(court), "--json")
    assert (code, json.loads(out)) == (0, []), err


def test_a_timers_run_has_a_time_limit(tmp_path: Path) -> None:
    """A service had no TimeoutStartSec: a run that hung held back every later run of its
    SOP. Its limit: the court's, else twice the Mutu Baku of the activities its playbook
    runs (at least an hour, at most 12), else 3 hours; passed, systemd sends the signal
    `sop run` records as that limit, and tells it the limit."""
    sops = load_catalogue(PACKAGE_CATALOGUE)

    def limits(court: dict[str, Any]) -> dict[str, list[str]]:
        units = render(sops, sop_bin=Path(SOP_BIN), inventory="i", project_dir=tmp_path,
                       data_dir=tmp_path, schedule=court)  # fmt: skip
        return {
            u.name: [" ".join(_exec_argv(u.text)[-2:]), *re.findall(
                r"^(?:TimeoutStart\w+|WatchdogSignal)=.*$", u.text, re.MULTILINE)]
            for u in units if u.name.endswith(".service") and u.name != "sop-overdue.service"
        }  # fmt: skip

    def rendered(limit: str) -> list[str]:
        signal = f"WatchdogSignal={schedule.TIME_LIMIT_SIGNAL}"
        return [f"--time-limit {limit}", f"TimeoutStartSec={limit}",
                "TimeoutStartFailureMode=abort", signal]  # fmt: skip

    found = limits({})
    assert found["sop-sipp-backup.service"] == rendered("2h 22min")  # 2 x 71 min
    assert found["sop-server-maintenance.service"] == rendered("12h")  # 2 x 49 h, capped
    assert found["sop-sipp-sync.service"] == rendered("3h")  # sinkronisasi has no Mutu Baku
    assert {tuple(v) for v in limits({"time_limit": "90min"}).values()} == {
        tuple(rendered("90min"))
    }
    write(tmp_path / "units", _render_with(tmp_path, schedule={"time_limit": "5400s"}))
    if shutil.which("systemd-analyze"):
        assert_units_verify(tmp_path / "units")


# systemd.time(7)'s time spans (microseconds), read as systemd-analyze timespan reads them
TIME_SPANS = {
    "1h30min": 5400 * 10**6,  # refused while a space was required between the parts
    "1h 30min": 5400 * 10**6,
    "55s500ms": 55_500_000,
    "2 h": 7200 * 10**6,
    "1 h30 m": 5400 * 10**6,
    "1.5h": 5400 * 10**6,
    ".5s": 500_000,
    "3 weeks": 21 * 86400 * 10**6,
    "2w 1d": 15 * 86400 * 10**6,
    "1hr 2minutes 3sec": 3723 * 10**6,
    "100us": 100,
    "7msec": 7000,
}
# A bare number among units: seconds, as systemd reads it; no time_limit (1h 30s meant
# as 1h 30min): has_unit false
MIXED_SPANS = {"1h 30": 3630 * 10**6}
# systemd's arithmetic: each decimal digit cut to whole microseconds on its own, a whole
# part below strtoll's largest and below its infinity in its unit, a sum below infinity
EXACT_SPANS = {
    "0.99999999min": 59_999_994,
    "0.00000002min": 0,  # no time limit to systemd, not 1 us
    "9223372036854775807us 9223372036854775807us": 2**64 - 2,
}
NO_TIME_SPANS = (
    "5.", "5.s", "12.34.56", "4x", "1H", "-5s", "",
    "213503982d", "9223372036854775808us", "9223372036854775807us 9223372036854775808us",
)  # fmt: skip
# Spans systemd reads that a court's setting may not be: months and years (of uneven
# length), a line break (it would end a unit file's line)
REFUSED_HERE = ("2months", "1y", "1h\n30min")


@pytest.mark.parametrize(("text", "microseconds"), TIME_SPANS.items())
def test_a_time_limit_is_any_time_span_systemd_reads(
    tmp_path: Path, text: str, microseconds: int
) -> None:
    """`sop_schedule.time_limit` in any form systemd.time(7) gives a time span, with or
    without spaces (`1h30min`, `55s500ms`, `2 h`): the service's TimeoutStartSec= and the
    --time-limit its run names, as written."""
    span = schedule.time_span(text)
    assert span is not None and (span.microseconds, span.has_unit) == (microseconds, True)
    court = {"time_limit": text}
    units = render(load_catalogue(PACKAGE_CATALOGUE), sop_bin=Path(SOP_BIN), inventory="i",
                   project_dir=tmp_path, data_dir=tmp_path, schedule=court)  # fmt: skip
    backup = next(u.text for u in units if u.name == "sop-sipp-backup.service")
    assert f"\nTimeoutStartSec={text}\n" in backup
    assert _exec_argv(backup)[-2:] == ["--time-limit", text]
    assert build_parser().parse_args(["run", "x", "--time-limit", text]).time_limit == text


def test_a_bare_number_among_units_is_read_as_seconds_without_its_unit() -> None:
    assert schedule.time_span("1h 30") == schedule.TimeSpan("1h 30", MIXED_SPANS["1h 30"], False)


@pytest.mark.parametrize(("text", "microseconds"), EXACT_SPANS.items())
def test_a_time_span_adds_up_as_systemds_does(text: str, microseconds: int) -> None:
    span = schedule.time_span(text)
    assert span is not None and span.microseconds == microseconds


def test_a_time_limit_systemd_reads_as_none_is_refused(tmp_path: Path) -> None:
    """`0.00000002min` is 1.2 us, which systemd cuts to 0: TimeoutStartSec=0, no limit."""
    with pytest.raises(SopError, match="is not a time span"):
        render(load_catalogue(PACKAGE_CATALOGUE), sop_bin=Path(SOP_BIN), inventory="i",
               project_dir=tmp_path, data_dir=tmp_path,
               schedule={"time_limit": "0.00000002min"})  # fmt: skip


def test_a_delay_that_alone_would_make_a_sop_overdue_is_refused(tmp_path: Path) -> None:
    """A run starts up to RandomizedDelaySec after its time, and the SOP is overdue its
    grace after that time: a delay of 4h made the SIPP sync (grace 3h) overdue, and told,
    before the 13:00 run it delayed had started."""
    sops = load_catalogue(PACKAGE_CATALOGUE)

    def units(delay: str, sop_list: dict[str, Any] = sops) -> list[Unit]:
        return render(sop_list, sop_bin=Path(SOP_BIN), inventory="i", project_dir=tmp_path,
                      data_dir=tmp_path, schedule={"randomized_delay": delay})  # fmt: skip

    with pytest.raises(SopError, match=r"^inventory i: sop_schedule/randomized_delay: '3h' is "
                       r"not shorter than the grace of sipp-sync \(3h\): a run delayed that "
                       r"long would be overdue before it starts$"):  # fmt: skip
        units("3h")
    timers = [u.text for u in units("2h 59min") if u.name == "sop-sipp-sync.timer"]
    assert len(timers) == 1 and "\nRandomizedDelaySec=2h 59min\n" in timers[0]
    # a court's shorter grace (sop_catalogue_overrides) against the default delay, 15m
    backup = dataclasses.replace(sops["sipp-backup"], grace_seconds=10 * 60)
    with pytest.raises(SopError, match=r"'15m' is not shorter than the grace of sipp-backup "
                       r"\(10min\)"):  # fmt: skip
        units("15m", {**sops, "sipp-backup": backup})


@pytest.mark.parametrize("text", NO_TIME_SPANS + REFUSED_HERE)
def test_what_systemd_reads_as_no_time_span_is_none(text: str) -> None:
    assert schedule.time_span(text) is None


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
def test_time_spans_are_read_as_systemd_reads_them() -> None:
    """The same microseconds as the controller's systemd, and refused where it refuses."""
    for text in (*TIME_SPANS, *MIXED_SPANS, *EXACT_SPANS, *NO_TIME_SPANS):
        done = subprocess.run(["systemd-analyze", "timespan", "--", text],
                              capture_output=True, text=True, check=False)  # fmt: skip
        read = re.search(r"\u03bcs: (\d+)", done.stdout)
        span = schedule.time_span(text)
        if span is None:
            assert done.returncode != 0, text
        else:
            assert read and int(read.group(1)) == span.microseconds, (text, done.stdout)


def test_a_courts_own_mutu_baku_sets_its_timers_time_limit(
    cli: Cli, court: Path, tmp_path: Path
) -> None:
    """The default time limit is twice the Mutu Baku the court's runs are judged by: a
    court that gives an activity more time (`sop_catalogue_overrides` waktu: a larger
    SIPP database) had its runs killed at twice the catalogue's."""
    with (court / "group_vars" / "all.yml").open("a") as handle:
        handle.write("sop_catalogue_overrides:\n  local-demo:\n    waktu: {1: 5h}\n")
    units = tmp_path / "units"
    code, _, err = _install(cli, court, units)
    assert code == 0, err
    service = (units / "sop-local-demo.service").read_text()
    assert "TimeoutStartSec=10h 1min\n" in service  # 2 x (5 h + 1 s); the catalogue's: 1h
