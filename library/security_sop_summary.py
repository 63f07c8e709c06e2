#!/usr/bin/python
# GPL-3.0-or-later
"""A month's summary across the SOP records: runs, failures and their causes, overdue
SOPs, and the trend against the previous month."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_sop_summary
short_description: Summarise a month of SOP executions from the records
description:
  - Runs on the controller (C(delegate_to localhost)). Reads the records with the
    C(sop) command's stable JSON (C(sop history --json -n 0), C(sop overdue --json))
    and summarises, per SOP, the month's executions (checks in check mode are not
    counted), those that failed with their causes (the findings the SOPs named), the
    SOPs overdue now, and the change against the previous month.
  - The records keep UTC; a run belongs to the month of its start in O(timezone), the
    court's clock (a run at 02:00 WIB on the 1st is that month's, not the previous one's).
  - Reports only; changes nothing.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - sop_records
options:
  court_name:
    description: Only this court's executions (a shared store); all when empty.
    type: str
    default: ""
  timezone:
    description:
      - The court's time zone, whose months are summarised (an IANA name, or C(WIB), C(WITA) or
        C(WIT) in any case, which are Asia/Jakarta, Asia/Makassar and Asia/Jayapura).
    type: str
    default: Asia/Jakarta
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: This month's SOP summary
  security_sop_summary:
    sop_command: "{{ ansible_playbook_python | dirname }}/sop"
    inventory: "{{ ansible_inventory_sources[0] }}"
    court_name: "{{ court_name }}"
    timezone: Asia/Jakarta
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
summary:
  description: month, per_sop (sop, title, runs, successful, failed, previous_runs,
    previous_failed, failures with id, started_at and error), overdue (sop_id,
    overdue_at), totals.
  returned: success
  type: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_clock import parse_moment, zone  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    SOP_RECORDS_ARGUMENT_SPEC,
    SecurityInputError,
    month_bounds,
    sop_json,
)

FAILED = ("failed", "unreachable", "interrupted", "canceled")


def local_day(started_at: Any, court_zone: ZoneInfo | None) -> str:
    """YYYY-MM-DD of a record's start (ISO 8601, UTC) on the court's clock."""
    text = str(started_at or "")
    if court_zone is not None:
        try:
            moment = parse_moment(text)
        except ValueError:
            return text[:10]
        if moment.tzinfo is not None:
            return moment.astimezone(court_zone).date().isoformat()
    return text[:10]


def summarise(history: list[dict[str, Any]], overdue: list[dict[str, Any]],
              bounds: tuple[str, str, str], timezone: str | None = None) -> dict[str, Any]:
    previous, start, end = bounds
    court_zone = zone(timezone) if timezone else None
    per_sop: dict[str, dict[str, Any]] = {}
    for run in history:
        if run.get("check_mode") or run.get("status") == "running":
            continue
        when = local_day(run.get("started_at"), court_zone)
        if not previous <= when < end:
            continue
        item = per_sop.setdefault(run["sop_id"], {
            "sop": run["sop_id"], "title": run.get("sop_title"), "runs": 0, "successful": 0,
            "failed": 0, "previous_runs": 0, "previous_failed": 0, "failures": []})
        failed = run.get("status") in FAILED
        if when < start:
            item["previous_runs"] += 1
            item["previous_failed"] += failed
            continue
        item["runs"] += 1
        item["successful"] += run.get("status") == "successful"
        item["failed"] += failed
        if failed:
            item["failures"].append({"id": run.get("id"), "started_at": run.get("started_at"),
                                     "error": run.get("error") or run.get("status")})
    late = [{"sop_id": o["sop_id"], "court_name": o.get("court_name"),
             "overdue_at": o.get("overdue_at")} for o in overdue]
    rows = sorted(per_sop.values(), key=lambda i: i["sop"])
    totals = {key: sum(i[key] for i in rows)
              for key in ("runs", "successful", "failed", "previous_runs", "previous_failed")}
    return {"month": start[:7], "per_sop": rows, "overdue": late, "totals": totals}


def trend(now: int, before: int) -> str:
    if now == before:
        return "tetap"
    return "naik" if now > before else "turun"


def report_lines(summary: dict[str, Any]) -> list[str]:
    lines = [f"{i['title'] or i['sop']}: {i['runs']} kali dijalankan, {i['failed']} gagal "
             f"(bulan lalu {i['previous_runs']} kali, {i['previous_failed']} gagal; kegagalan "
             f"{trend(i['failed'], i['previous_failed'])})" for i in summary["per_sop"]]
    lines += [f"Terlambat: {o['sop_id']} (sejak {o['overdue_at']})" for o in summary["overdue"]]
    return lines


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **SOP_RECORDS_ARGUMENT_SPEC,
            "court_name": {"type": "str", "default": ""},
            "timezone": {"type": "str", "default": "Asia/Jakarta"},
        },
        supports_check_mode=True,
    )
    params = module.params

    try:
        today = datetime.datetime.now(zone(params["timezone"])).date()
    except ValueError as exc:
        module.fail_json(msg=f"timezone: {exc}", setting="timezone")
    try:
        previous, start, end = month_bounds(params["month"], today)
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc), setting=exc.setting)
    court = ["--court", params["court_name"]] if params["court_name"] else []
    bounds = (previous.isoformat(), start.isoformat(), end.isoformat())
    # `sop history --since` takes a day on the controller's clock: a day earlier covers
    # the court's first day of the previous month whatever that clock is.
    since = (previous - datetime.timedelta(days=1)).isoformat()
    history = sop_json(module, params["sop_command"], "history", "--json", "-n", "0", "--since", since, *court)
    # `sop overdue` exits 7 while a SOP is overdue, with its JSON on stdout.
    overdue = sop_json(module, params["sop_command"], "overdue", "--json", "-i", params["inventory"], ok=(0, 7))
    summary = summarise(history, overdue, bounds, params["timezone"])
    module.exit_json(changed=False, summary=summary, sop_output={
        "bulan": summary["month"], "total": summary["totals"],
        "rekap": report_lines(summary),
        "kegagalan": [f"{i['sop']} #{f['id']} {f['started_at']}: {f['error']}"
                      for i in summary["per_sop"] for f in i["failures"]]})


if __name__ == "__main__":
    main()
