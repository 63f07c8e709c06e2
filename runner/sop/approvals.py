"""Approvals: a person's order that a SOP execution's plan may be carried out.

SOP Pemeliharaan Server's activity 4 (the Sekretaris's or PPK's order to maintain) is
recorded with `sop approve EXEC_ID --by NAME --role ROLE`: it approves the plan of that
execution (its condition report), for the hosts that report covered, until it expires.
The approval also acknowledges the activity's manual step.

A plan describes the hosts as they were (their pending updates, disks, backups): it is
approved and carried out within PLAN_MAX_AGE of the execution that made it, as a change
approval is void once its plan is stale (Terraform refuses a saved plan once the state
moved on; Atlantis and GitHub dismiss an approval when the change is updated). An older
plan is refused (re-plan, then approve the new execution), and an approval ends when its
plan turns that old, whatever `--valid-days` asked; `valid` applies the same limit to
approvals recorded before it existed.

What counts is the plan activity's success, not how the execution ran: a dry run's
(`--check`: the condition report reads the same, and the maintenance only lists what it
would do), one limited to some hosts (`--limit`: the approval covers those only), a
partial run that made the report (`--activity 1`), and one that failed after it (the
first run fails where maintenance is refused for want of this approval) are each a plan
to approve. An execution without a court is refused in a store holding courts' runs: the
playbook takes an approval without a court as every court's, and a regional store's
courts share host names.

`sop run` hands the SOP's approvals that are still valid to the playbook as the extra
variable `sop_approvals` (a list of plain values, no secret), and the role refuses a host
no approval covers; `lapsed` then names the approval that covered it and why it no
longer does (`sop run` prints it as a warning), as the role knows only the valid ones.
Under AWX the same variable is set on the job (a workflow approval node followed by the
job template), so the playbook needs nothing from this store.

The table (created by migration 5) is read and written here through the store's
connection layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sop.catalogue import Sop
from sop.errors import SopError
from sop.extravars import ExtraVars
from sop.store import Store, now
from sop.untrusted import quoted

# SOPs with an approval step: the activity that is the order, the activity whose
# success shows there is a plan to approve (the condition report), and the activity that
# refuses a host no approval covers (the maintenance).
APPROVAL_STEPS = {"server-maintenance": (4, 1, 6)}
# The roles whose order an approval records (`sop approve --role`): the Sekretaris, whose
# order the guide (README), the role's refusal and the catalogue's step name, and the
# pelaksana of the order in the SOP document ("PPK/Kasub Umum dan Keuangan", Bengkalis
# SOP 14 activity 4). Free text recorded a typo or a role with no say as the approver.
APPROVER_ROLES = ("Sekretaris", "PPK", "Kasub Umum dan Keuangan")
EXTRA_VAR = "sop_approvals"
# How long after the execution that made it began a plan may be approved and carried out.
PLAN_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Approval:
    execution_id: int
    by: str
    role: str
    valid_days: int
    note: str | None = None


def approve(store: Store, request: Approval) -> dict[str, Any]:
    """Record the approval of an execution's plan and acknowledge its order activity; its
    role as APPROVER_ROLES spells it (given in any case)."""
    if not request.by.strip():
        raise SopError("--by must name a person")
    role = _approver_role(request.role)
    if not 1 <= request.valid_days <= 366:
        raise SopError(f"--valid-days {request.valid_days}: expected 1 to 366")
    row = store.execution(request.execution_id)
    steps = APPROVAL_STEPS.get(row["sop_id"])
    if steps is None:
        raise SopError(
            f"execution {request.execution_id} is {row['sop_id']}, which has no approval step "
            f"(approvals exist for: {', '.join(sorted(APPROVAL_STEPS))})"
        )
    order, plan, _work = steps
    activities = {a["number"]: a for a in row["activities"]}
    if activities.get(plan, {}).get("status") not in ("ok", "changed"):
        raise SopError(
            f"execution {request.execution_id} has no successful activity {plan} "
            "(the condition report to approve): run the SOP first"
        )
    hosts = activities[plan]["hosts"]
    if not hosts:
        raise SopError(f"execution {request.execution_id}'s activity {plan} covered no host")
    _refuse_courtless(store, row)
    approved_at = now()
    # in UTC, as the note and `sop approve` tell it (PostgreSQL gives its own clock's)
    plan_ends = _refuse_stale(row, plan, approved_at).astimezone(UTC)
    values = {
        "execution_id": request.execution_id,
        "sop_id": row["sop_id"],
        "court_name": row["court_name"],
        "hosts": list(hosts),
        "approved_by": request.by,
        "role": role,
        "note": request.note,
        "approved_at": approved_at,
        "valid_until": min(approved_at + timedelta(days=request.valid_days), plan_ends),
    }
    # One transaction: the order is never recorded "Disetujui" without its approval.
    with store.db.transaction(write=True) as tx:
        if activities.get(order, {}).get("status") == "pending-manual":
            store.acknowledge_in(
                tx,
                request.execution_id,
                order,
                request.by,
                f"Disetujui ({role}) s.d. {values['valid_until']:%Y-%m-%d %H:%M} UTC"
                + (f": {request.note}" if request.note else ""),
            )
        values["id"] = tx.insert("approvals", values)
    return values


def _approver_role(given: str) -> str:
    """The role of APPROVER_ROLES `given` names (in any case); SopError listing them."""
    role = next((r for r in APPROVER_ROLES if r.casefold() == given.strip().casefold()), None)
    if role is None:
        raise SopError(
            f"--role {quoted(given)}: not a role that orders the plan carried out; give one "
            f"of {', '.join(APPROVER_ROLES)}"
        )
    return role


def _refuse_courtless(store: Store, row: dict[str, Any]) -> None:
    """SopError for an execution recorded without a court in a store holding courts' runs:
    its approval would cover the hosts of those names at every court."""
    if row["court_name"] is None and any(court is not None for court in store.courts()):
        raise SopError(
            f"execution {row['id']} recorded no court (court_name) and this store holds "
            "courts' runs: its approval would cover these hosts at every court; run the "
            "condition report with the court's inventory"
        )


def _refuse_stale(row: dict[str, Any], plan: int, at: datetime) -> datetime:
    """When the plan of execution `row` turns PLAN_MAX_AGE old; SopError if it is by `at`."""
    ends: datetime = row["started_at"] + PLAN_MAX_AGE
    if ends <= at:
        raise SopError(
            f"execution {row['id']}'s plan (its condition report of "
            f"{row['started_at'].astimezone(UTC):%Y-%m-%d %H:%M} UTC) is older than "
            f"{PLAN_MAX_AGE.days} days: re-plan with `sop run {row['sop_id']} --activity "
            f"{plan}` and approve the new execution"
        )
    return ends


def valid(store: Store, sop_id: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """The SOP's approvals still valid at `at` (now), newest first, as the playbook sees
    them (times in UTC, YYYY-MM-DDTHH:MM:SSZ, so they compare as strings): _as_given."""
    moment = at or now()
    rows = _with_plans(
        store,
        sop_id,
        "AND a.valid_until > :moment AND e.started_at > :oldest",
        {"moment": moment, "oldest": moment - PLAN_MAX_AGE},
    )
    return [_as_given(r) for r in rows]


def _with_plans(
    store: Store, sop_id: str, where: str = "", params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The SOP's approvals, each with its execution's `started_at` (when its plan was
    made), newest first; `where`: more conditions on them."""
    joined = "approvals AS a JOIN executions AS e ON e.id = a.execution_id"
    query = f"SELECT a.*, e.started_at FROM {joined} WHERE a.sop_id = :sop_id {where}"  # noqa: S608 (fixed SQL)
    with store.db.transaction() as tx:
        return tx.rows(
            query + " ORDER BY a.approved_at DESC, a.id DESC", {"sop_id": sop_id, **(params or {})}
        )


def _ends(row: dict[str, Any]) -> datetime:
    """When an approval (with its execution's `started_at`) ends: when it expires or its
    plan turns PLAN_MAX_AGE old (one recorded before that limit may outlive its plan)."""
    ends: datetime = min(row["valid_until"], row["started_at"] + PLAN_MAX_AGE)
    return ends


def _as_given(row: dict[str, Any]) -> dict[str, Any]:
    """An approval (with its execution's `started_at`) as the playbook gets it: valid
    until it _ends."""
    until = _ends(row)
    return {
        "execution": row["execution_id"],
        "by": row["approved_by"],
        "role": row["role"],
        "court": row["court_name"],
        "hosts": row["hosts"],
        "approved_at": f"{row['approved_at'].astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "valid_until": f"{until.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
    }


def lapsed(store: Store, execution: dict[str, Any], at: datetime | None = None) -> str | None:
    """Why a real run (`execution`, as Store.execution gives it) of a SOP with an approval
    step went without approval on a host its approved work (the activity that refuses
    such a host) ran on: the SOP's most recent approval at the run's court that covered
    such a host and ended by `at` (now), why it ended and what to do. None when every
    such host is covered (as the role covers it: the approval's court is the run's or
    none) or no approval ever covered one."""
    steps = APPROVAL_STEPS.get(execution["sop_id"])
    if steps is None or execution["check_mode"]:  # a dry run refuses no host
        return None
    moment = at or now()
    court = execution["court_name"]
    _order, plan, work = steps
    hosts = {h for a in execution["activities"] if a["number"] == work for h in a["hosts"]}
    for approval in valid(store, execution["sop_id"], moment):
        if approval["court"] in (court, None):
            hosts -= set(approval["hosts"])
    if not hosts:
        return None
    ended = (
        row
        for row in _with_plans(store, execution["sop_id"])
        if row["court_name"] in (court, None) and hosts & set(row["hosts"]) and _ends(row) <= moment
    )
    last = next(ended, None)
    return None if last is None else _lapsed_line(last, plan, moment)


def _lapsed_line(row: dict[str, Any], plan: int, at: datetime) -> str:
    """An ended approval (with its execution's `started_at`): which, why, what to do."""
    planned = row["started_at"]
    stale = planned + PLAN_MAX_AGE
    which = (
        f"the approval of execution {row['execution_id']} by {row['approved_by']} "
        f"({row['role']}) for {', '.join(row['hosts'])} is no longer valid: "
    )
    why = (
        f"its plan (the condition report of {planned.astimezone(UTC):%Y-%m-%d %H:%M} UTC) "
        f"turned {PLAN_MAX_AGE.days} days old at {stale.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if stale <= row["valid_until"]
        else f"its validity ended at {row['valid_until'].astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    replan = (
        f"re-plan with `sop run {row['sop_id']} --activity {plan}` and approve the new execution"
    )
    if stale > at:  # the plan itself may still be approved
        replan = (
            f"approve execution {row['execution_id']} again (`sop approve "
            f"{row['execution_id']} --by NAME --role ROLE`) or {replan}"
        )
    return f"{which}{why}; {replan}"


def with_approvals(store: Store, sop: Sop, extra: ExtraVars) -> ExtraVars:
    """The extra vars with the SOP's valid approvals added (never overriding a value the
    operator gave); unchanged for a SOP without an approval step."""
    if sop.id not in APPROVAL_STEPS or EXTRA_VAR in extra.values:
        return extra
    return ExtraVars(
        values={**extra.values, EXTRA_VAR: valid(store, sop.id)},
        files=extra.files,
        names=sorted({*extra.names, EXTRA_VAR}),
    )
