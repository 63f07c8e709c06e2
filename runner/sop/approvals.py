"""Approvals: a person's order that a SOP execution's plan may be carried out.

SOP Pemeliharaan Server's activity 4 (the Sekretaris's or PPK's order to maintain) is
recorded with `sop approve EXEC_ID --by NAME --role ROLE`: it approves the plan of that
execution (its condition report), for the hosts the execution covered, until it expires.
The approval also acknowledges the activity's manual step.

`sop run` hands the SOP's approvals that are still valid to the playbook as the extra
variable `sop_approvals` (a list of plain values, no secret), and the role refuses a host
no approval covers. Under AWX the same variable is set on the job (a workflow approval
node followed by the job template), so the playbook needs nothing from this store.

The table lives in its own module (created by migration 5) and is read and written here
through the store's engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, select

from sop.catalogue import Sop
from sop.errors import SopError
from sop.extravars import ExtraVars
from sop.store import Store, now

metadata = MetaData()
approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("execution_id", Integer, nullable=False, index=True),
    Column("sop_id", String(64), nullable=False, index=True),
    Column("court_name", Text),
    Column("hosts", JSON, nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("role", String(100), nullable=False),
    Column("note", Text),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("valid_until", DateTime(timezone=True), nullable=False),
)

# SOPs with an approval step: the activity that is the order, and the activity whose
# success shows there is a plan to approve (the condition report).
APPROVAL_STEPS = {"server-maintenance": (4, 1)}
EXTRA_VAR = "sop_approvals"


@dataclass(frozen=True)
class Approval:
    execution_id: int
    by: str
    role: str
    valid_days: int
    note: str | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def approve(store: Store, request: Approval) -> dict[str, Any]:
    """Record the approval of an execution's plan and acknowledge its order activity."""
    if not request.by.strip() or not request.role.strip():
        raise SopError("--by and --role must name a person and a role")
    if not 1 <= request.valid_days <= 366:
        raise SopError(f"--valid-days {request.valid_days}: expected 1 to 366")
    row = store.execution(request.execution_id)
    steps = APPROVAL_STEPS.get(row["sop_id"])
    if steps is None:
        raise SopError(
            f"execution {request.execution_id} is {row['sop_id']}, which has no approval step "
            f"(approvals exist for: {', '.join(sorted(APPROVAL_STEPS))})"
        )
    order, plan = steps
    activities = {a["number"]: a for a in row["activities"]}
    if activities.get(plan, {}).get("status") not in ("ok", "changed"):
        raise SopError(
            f"execution {request.execution_id} has no successful activity {plan} "
            "(the condition report to approve): run the SOP first"
        )
    if not row["hosts"]:
        raise SopError(f"execution {request.execution_id} covered no host")
    approved_at = now()
    values = {
        "execution_id": request.execution_id,
        "sop_id": row["sop_id"],
        "court_name": row["court_name"],
        "hosts": list(row["hosts"]),
        "approved_by": request.by,
        "role": request.role,
        "note": request.note,
        "approved_at": approved_at,
        "valid_until": approved_at + timedelta(days=request.valid_days),
    }
    if activities.get(order, {}).get("status") == "pending-manual":
        store.acknowledge(
            request.execution_id,
            order,
            request.by,
            f"Disetujui ({request.role}) s.d. {values['valid_until']:%Y-%m-%d %H:%M} UTC"
            + (f": {request.note}" if request.note else ""),
        )
    with store.engine.begin() as conn:
        inserted = conn.execute(approvals.insert().values(**values))
        values["id"] = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    return values


def valid(store: Store, sop_id: str, at: datetime | None = None) -> list[dict[str, Any]]:
    """The SOP's approvals still valid at `at` (now), newest first, as the playbook sees
    them (times in UTC, YYYY-MM-DDTHH:MM:SSZ, so they compare as strings)."""
    moment = at or now()
    c = approvals.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(approvals)
            .where(c.sop_id == sop_id, c.valid_until > moment)
            .order_by(c.approved_at.desc())
        ).mappings()
        return [
            {
                "execution": r["execution_id"],
                "by": r["approved_by"],
                "role": r["role"],
                "court": r["court_name"],
                "hosts": r["hosts"],
                "approved_at": f"{_utc(r['approved_at']):%Y-%m-%dT%H:%M:%SZ}",
                "valid_until": f"{_utc(r['valid_until']):%Y-%m-%dT%H:%M:%SZ}",
            }
            for r in rows
        ]


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
