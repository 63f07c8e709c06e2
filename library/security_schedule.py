#!/usr/bin/python
# GPL-3.0-or-later
"""The month's maintenance schedule of the court: which SOP, which day, which hosts."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_schedule
short_description: The month's maintenance schedule from the SOP timers of the court
description:
  - Runs on the controller (C(delegate_to localhost)). Asks the C(sop) command for the
    court's timers exactly as C(sop schedule install) computes them (the catalogue's
    frequencies, the inventory's C(sop_schedule) times), written into a private
    temporary directory that is removed afterwards, and expands each timer's
    C(OnCalendar) into the runs of the month with C(systemd-analyze calendar), listed on
    the court's clock (the time zone C(sop schedule) writes into each SOP's service as
    its C(TZ)); the month, when not given, is the court's current one.
  - Each line's runs are listed up to 1500 a month (one every half hour); a line that
    runs more often is listed up to that many, with a warning.
  - Each SOP's hosts are those its playbook's plays name (host patterns joined with
    C(:) or C(,), resolved through O(groups); exclusions C(!) and intersections C(&)
    are not applied). A play's hosts given as a variable with a default pattern, as
    C(server_maintenance_hosts) in C(playbooks/server_maintenance.yml), are the default
    pattern's, which the SOP's timer runs with.
  - Reports only; changes nothing.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - sop_records
options:
  project_dir:
    description: The project (its C(playbooks/)).
    type: path
    required: true
  groups:
    description: The inventory's groups (Ansible's C(groups)).
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: This month's maintenance schedule
  security_schedule:
    sop_command: "{{ ansible_playbook_python | dirname }}/sop"
    inventory: "{{ ansible_inventory_sources[0] }}"
    project_dir: "{{ playbook_dir }}/.."
    groups: "{{ groups }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
schedule:
  description: One entry per run in the month, in time order.
  returned: success
  type: list
  elements: dict
  sample: [{when: "2026-12-01 09:00", sop: it-security, title: "Monitoring, ...", hosts: [sipp, web]}]
sop_output:
  description: The compact record the C(sop) runner keeps (one line per run).
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import glob  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import yaml  # noqa: E402
from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    SOP_RECORDS_ARGUMENT_SPEC,
    SecurityInputError,
    month_bounds,
    sop_json,
)

ELAPSE = re.compile(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d):\d\d")
# Runs of one OnCalendar line listed at most: a month of one every half hour. A line that
# runs more often (every few minutes) is listed up to that many, with a warning.
ITERATIONS = 1500
_TZ = re.compile(r'^Environment="TZ=([^"\\]+)"$', re.MULTILINE)
# A play's hosts as a variable the SOP's run leaves unset, and the pattern it defaults to:
# {{ server_maintenance_hosts | default('sipp_servers:web_servers:backup_hosts') }}.
DEFAULT_HOSTS = re.compile(r"^\{\{\s*\w+\s*\|\s*default\(\s*(['\"])(.*?)\1\s*\)\s*\}\}$")


def timer_calendars(text: str) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in text.splitlines()
            if line.startswith("OnCalendar=")]


def court_clock(service_text: str) -> dict[str, str]:
    """The environment that lists the runs on the court's clock: the time zone `sop
    schedule` writes into each SOP's service as its TZ= (its runs' own clock, the
    court's, not the controller's, often UTC); {} when the unit sets none."""
    found = _TZ.search(service_text)
    return {"TZ": found.group(1)} if found else {}


def runs_in_month(analyze_output: str, start: datetime.date, end: datetime.date) -> list[str]:
    return [when for when in ELAPSE.findall(analyze_output)
            if start.isoformat() <= when[:10] < end.isoformat()]


def cut_short(analyze_output: str, end: datetime.date) -> list[str]:
    """The OnCalendar lines whose ITERATIONS runs listed all fall before ``end``: their
    month goes on beyond what is listed."""
    short = []
    for block in analyze_output.split("Original form:")[1:]:
        runs = ELAPSE.findall(block)
        if len(runs) >= ITERATIONS and runs[-1][:10] < end.isoformat():
            short.append(block.splitlines()[0].strip())
    return short


def playbook_hosts(path: str, groups: dict[str, list[str]]) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        plays = yaml.safe_load(handle) or []
    hosts: list[str] = []
    for play in plays:
        pattern = str(play.get("hosts", "")).strip()
        templated = DEFAULT_HOSTS.match(pattern)
        for part in re.split(r"[:,]", templated[2] if templated else pattern):
            name = part.strip()
            if name and name[0] not in "!&":
                # A group, or a host's own name; a group this inventory lacks adds nobody.
                hosts += groups.get(name, [name] if name in groups.get("all", []) else [])
    return sorted(set(hosts))


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **SOP_RECORDS_ARGUMENT_SPEC,
            "project_dir": {"type": "path", "required": True},
            "groups": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    params = module.params
    analyze = module.get_bin_path("systemd-analyze")
    if not analyze:
        module.fail_json(msg="systemd-analyze not found on the controller (Debian package systemd)")
    catalogue = {s["id"]: s for s in sop_json(module, params["sop_command"], "list", "--json",
                                                key="id")}
    schedule: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sop-schedule-") as units:
        rc, out, err = module.run_command([params["sop_command"], "schedule", "install",
                                           "--unit-dir", units, "-i", params["inventory"]])
        if rc != 0:
            module.fail_json(msg=f"sop schedule failed: {(err.strip() or str(rc)).splitlines()[-1]}")
        timers = {os.path.basename(timer)[len("sop-"):-len(".timer")]: timer
                  for timer in sorted(glob.glob(os.path.join(units, "sop-*.timer")))}
        # sop-overdue: the hourly check, not a SOP
        timers = {sop_id: timer for sop_id, timer in timers.items() if sop_id in catalogue}
        # The month and its runs on the court's clock, the zone every SOP's service runs
        # in (a controller kept at UTC is still on the 30th at 02:00 on the 1st in WIT).
        clock: dict[str, str] = {}
        if timers:
            with open(next(iter(timers.values()))[:-len(".timer")] + ".service",
                      encoding="utf-8") as handle:
                clock = court_clock(handle.read())
        today = datetime.datetime.now(ZoneInfo(clock["TZ"])).date() if clock \
            else datetime.date.today()
        try:
            _, start, end = month_bounds(params["month"], today)
        except SecurityInputError as exc:
            module.fail_json(msg=str(exc), setting=exc.setting)
        # the second before the month: a run at 00:00 on the 1st is the month's first
        base = f"{start - datetime.timedelta(days=1)} 23:59:59"
        for sop_id, timer in timers.items():
            with open(timer, encoding="utf-8") as handle:
                calendars = timer_calendars(handle.read())
            rc, out, err = module.run_command(
                [analyze, "calendar", f"--iterations={ITERATIONS}", f"--base-time={base}",
                 *calendars], environ_update=clock)
            if rc != 0:
                module.fail_json(msg=f"systemd-analyze calendar {calendars}: {err.strip()}")
            for line in cut_short(out, end):
                module.warn(f"{sop_id}: {line} runs more than {ITERATIONS} times a month; "
                            f"its first {ITERATIONS} runs are listed")
            entry = catalogue[sop_id]
            playbook = os.path.join(params["project_dir"], entry["playbook"])
            hosts = playbook_hosts(playbook, params["groups"]) if os.path.isfile(playbook) else []
            schedule += [{"when": when, "sop": sop_id, "title": entry["title"],
                          "frequency": entry["frequency"], "hosts": hosts}
                         for when in sorted(set(runs_in_month(out, start, end)))]
    schedule.sort(key=lambda item: (item["when"], item["sop"]))
    module.exit_json(changed=False, schedule=schedule, sop_output={
        "bulan": start.strftime("%Y-%m"),
        "jadwal": [f"{s['when']} {s['title']} ({s['sop']}): {', '.join(s['hosts']) or '-'}"
                   for s in schedule]})


if __name__ == "__main__":
    main()
