"""One setting names the court's clock: `sop_schedule.timezone` (the timers' zone) is the
time zone every role reads office hours, months and dates in, unless the role's own
`<role>_timezone` is set; the runner and every module take the same zones by it (WIB,
WITA, WIT and the tz database's names) and refuse the same others."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from loader import load

from sop import schedule
from sop.errors import SopError
from sop.schedule import zone_name

clock = load("sop_clock")
security = load("sop_security")
sipp = load("sop_sipp_schema")

ROOT = pathlib.Path(__file__).parents[2]
ROLES = {"it_security": "it_security_timezone", "sipp_maintenance": "sipp_maintenance_timezone",
         "sipp_sync": "sipp_sync_timezone", "website": "website_timezone"}
PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: {files}
  tasks:
    - ansible.builtin.debug:
        msg: "ZONES={{{{ {names} }}}}"
"""


def zones(tmp_path: pathlib.Path, *extra: str) -> list[str]:
    files = [str(ROOT / "roles" / role / "defaults" / "main.yml") for role in ROLES]
    play = tmp_path / "play.yml"
    play.write_text(PLAY.format(files=json.dumps(files), names="[" + ", ".join(ROLES.values())
                                + "] | join(',')"), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local",
                           "-e", f"ansible_python_interpreter={sys.executable}", str(play),
                           *extra], capture_output=True, text=True, check=False, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    line = next(line for line in proc.stdout.splitlines() if "ZONES=" in line)
    return line.split("ZONES=", 1)[1].rstrip('"').split(",")


@pytest.mark.parametrize(("extra", "expected"), [
    ((), ["Asia/Jakarta"] * 4),
    (("-e", '{"sop_schedule": {"timezone": "Asia/Makassar"}}'), ["Asia/Makassar"] * 4),
    (("-e", '{"sop_schedule": {"timezone": "Asia/Makassar"}, "website_timezone": "Asia/Jayapura"}'),
     ["Asia/Makassar"] * 3 + ["Asia/Jayapura"]),
])
def test_the_schedules_time_zone_is_every_roles(tmp_path, extra, expected):
    # A WITA court set sop_schedule.timezone for its timers, and each role still read its
    # office hours, months and dates on WIB unless four more variables were set too.
    assert zones(tmp_path, *extra) == expected


UTC = datetime.UTC
NOVEMBER = datetime.datetime(2026, 11, 30, 3, tzinfo=UTC)


@pytest.mark.parametrize("name", ["WIB", "wita", "Wit", "Asia/Makassar"])
def test_every_check_of_the_courts_zone_takes_it_alike(name):
    # sop_schedule.timezone is read by the runner (the court's clock, its timers) and,
    # through each role's <role>_timezone, by the modules: WIB passed the SIPP modules
    # and failed the runner, the security modules and website_renewals.
    offset = ZoneInfo(zone_name(name, "inventory")).utcoffset(NOVEMBER)
    assert clock.zone(name).utcoffset(NOVEMBER) == offset
    assert security.OfficeHours("07:30", "17:00", [1], name).local(0).utcoffset() == offset
    assert sipp.offset_minutes(name) == offset.total_seconds() // 60


def test_every_check_refuses_what_names_no_zone():
    with pytest.raises(SopError, match=r"^inventory: 'XYZ' is not a time zone \("):
        zone_name("XYZ", "inventory")
    with pytest.raises(ValueError, match=r"^unknown time zone 'XYZ'$"):
        clock.zone("XYZ")
    with pytest.raises(security.SecurityInputError, match=r"^timezone: unknown time zone 'XYZ'$"):
        security.OfficeHours("07:30", "17:00", [1], "XYZ")
    with pytest.raises(ValueError, match=r"^unknown time zone 'XYZ'$"):
        sipp.offset_minutes("XYZ")


@pytest.mark.parametrize("name", [" wita ", "Asia/Jakarta ", " +07:00"])
def test_every_check_refuses_spaces_around_a_zone_alike(name):
    # " WIT " passed the SIPP modules and the runner, "Asia/Jakarta " failed both: the
    # same setting passed or failed by its spelling. Refused everywhere, naming the spaces.
    message = r"without the spaces around it"
    with pytest.raises(SopError, match=message):
        zone_name(name, "inventory")
    with pytest.raises(ValueError, match=r"^unknown time zone .*" + message):
        clock.zone(name)
    with pytest.raises(security.SecurityInputError, match=message):
        security.OfficeHours("07:30", "17:00", [1], name)
    with pytest.raises(ValueError, match=message):
        sipp.offset_minutes(name)


def test_the_runner_names_indonesias_zones_as_the_modules_do():
    # The runner cannot import module_utils (Ansible's namespace; they run on the hosts):
    # the two tables are one by this test.
    assert schedule.INDONESIAN_ZONES == clock.INDONESIAN_ZONES
