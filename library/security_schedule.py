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
    the court's clock (the time zone C(sop schedule) writes into each timer).
  - Each SOP's hosts are those its playbook's plays name (host patterns joined with
    C(:) or C(,), resolved through O(groups); exclusions C(!) and intersections C(&)
    are not applied).
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
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

import yaml  # noqa: E402
from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    SOP_RECORDS_ARGUMENT_SPEC,
    SecurityInputError,
    month_bounds,
)

ELAPSE = re.compile(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d):\d\d")
ITERATIONS = 40  # more than a month of daily runs


def timer_calendars(text: str) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in text.splitlines()
            if line.startswith("OnCalendar=")]


def court_clock(calendars: list[str]) -> dict[str, str]:
    """The environment that lists the runs on the court's clock: `sop schedule` writes
    the court's time zone into each OnCalendar= (not the controller's, often UTC)."""
    for calendar in calendars:
        zone = calendar.rsplit(maxsplit=1)[-1]
        if "/" in zone:
            return {"TZ": zone}
    return {}


def runs_in_month(analyze_output: str, start: datetime.date, end: datetime.date) -> list[str]:
    return [when for when in ELAPSE.findall(analyze_output)
            if start.isoformat() <= when[:10] < end.isoformat()]


def playbook_hosts(path: str, groups: dict[str, list[str]]) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        plays = yaml.safe_load(handle) or []
    hosts: list[str] = []
    for play in plays:
        for part in re.split(r"[:,]", str(play.get("hosts", ""))):
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
    try:
        _, start, end = month_bounds(params["month"], datetime.date.today())
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    analyze = module.get_bin_path("systemd-analyze")
    if not analyze:
        module.fail_json(msg="systemd-analyze not found on the controller (Debian package systemd)")
    rc, out, err = module.run_command([params["sop_command"], "list", "--json"])
    if rc != 0:
        module.fail_json(msg=f"sop list failed: {(err.strip() or str(rc)).splitlines()[-1]}")
    catalogue = {s["id"]: s for s in json.loads(out)}
    schedule: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sop-schedule-") as units:
        rc, out, err = module.run_command([params["sop_command"], "schedule", "install",
                                           "--unit-dir", units, "-i", params["inventory"]])
        if rc != 0:
            module.fail_json(msg=f"sop schedule failed: {(err.strip() or str(rc)).splitlines()[-1]}")
        for timer in sorted(glob.glob(os.path.join(units, "sop-*.timer"))):
            sop_id = os.path.basename(timer)[len("sop-"):-len(".timer")]
            if sop_id not in catalogue:  # sop-overdue: the hourly check, not a SOP
                continue
            with open(timer, encoding="utf-8") as handle:
                calendars = timer_calendars(handle.read())
            rc, out, err = module.run_command(
                [analyze, "calendar", f"--iterations={ITERATIONS}",
                 f"--base-time={start.isoformat()} 00:00:00", *calendars],
                environ_update=court_clock(calendars))
            if rc != 0:
                module.fail_json(msg=f"systemd-analyze calendar {calendars}: {err.strip()}")
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
