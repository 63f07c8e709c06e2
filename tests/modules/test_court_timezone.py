"""One setting names the court's clock: `sop_schedule.timezone` (the timers' zone) is the
time zone every role reads office hours, months and dates in, unless the role's own
`<role>_timezone` is set."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

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
