"""Approvals (sop approve): what can be approved, for which hosts and how long, and how
`sop run` hands the valid ones to the playbook."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sop import approvals
from sop.catalogue import load_catalogue
from sop.db import Transaction
from sop.errors import SopError
from sop.extravars import ExtraVars
from sop.store import Store, now

REPO = Path(__file__).resolve().parents[2]
ACTIVITIES = [
    {"number": n, "kegiatan": f"K{n}", "mode": mode, "tag": tag, "status": status}
    for n, mode, tag, status in (
        (1, "automated", "kondisi_server", "not-run"),
        (4, "manual", None, "pending-manual"),
        (6, "automated", "perawatan_server", "not-run"),
    )
]


def _execution(store: Store, sop_id: str = "server-maintenance", report: str = "ok") -> int:
    execution_id = store.create_execution(
        {
            "sop_id": sop_id,
            "sop_title": "Pemeliharaan Server",
            "sop_number": "14",
            "catalogue_version": "0",
            "catalogue_hash": "abc",
            "operator": "budi",
            "trigger": "manual",
            "hosts": [],
            "court_name": "PN Lab",
            "pid": 1,
            "pid_start": None,
        },
        ACTIVITIES,
    )
    store.finish_execution(
        execution_id,
        status="failed",  # patching refused: no approval yet
        rc=2,
        hosts=["sipp", "web"],
        activities=[{"number": 1, "status": report}, {"number": 6, "status": "failed"}],
    )
    return execution_id


@pytest.fixture
def sops() -> dict:
    return load_catalogue(REPO / "runner" / "sop" / "catalogue")


def test_approve_records_and_acknowledges_the_order(store_url: str) -> None:
    store = Store(store_url)
    execution_id = _execution(store)
    done = approvals.approve(
        store, approvals.Approval(execution_id, "Dra. Siti", "Sekretaris", 3, "Nota 12")
    )
    assert done["hosts"] == ["sipp", "web"]
    assert timedelta(days=2, hours=23) < done["valid_until"] - now() <= timedelta(days=3)
    order = store.execution(execution_id)["activities"][1]
    assert order["status"] == "acknowledged"
    assert order["acknowledged_by"] == "Dra. Siti"
    assert order["note"].startswith("Disetujui (Sekretaris) s.d. ")
    valid = approvals.valid(store, "server-maintenance")
    assert [(v["execution"], v["by"], v["role"], v["court"], v["hosts"]) for v in valid] == [
        (execution_id, "Dra. Siti", "Sekretaris", "PN Lab", ["sipp", "web"])
    ]
    assert valid[0]["valid_until"].endswith("Z")
    later = now() + timedelta(days=4)
    assert approvals.valid(store, "server-maintenance", later) == []


def test_refused_without_a_condition_report_or_for_other_sops(store_url: str) -> None:
    store = Store(store_url)
    with pytest.raises(SopError, match="no successful activity 1"):
        approvals.approve(
            store, approvals.Approval(_execution(store, report="failed"), "A", "Sekretaris", 7)
        )
    with pytest.raises(SopError, match="sipp-backup, which has no approval step"):
        approvals.approve(
            store, approvals.Approval(_execution(store, "sipp-backup"), "A", "Sekretaris", 7)
        )
    with pytest.raises(SopError, match="--valid-days 0"):
        approvals.approve(store, approvals.Approval(_execution(store), "A", "Sekretaris", 0))
    with pytest.raises(SopError, match="no execution 999"):
        approvals.approve(store, approvals.Approval(999, "A", "Sekretaris", 7))


def test_run_hands_valid_approvals_to_the_playbook(store_url: str, sops: dict) -> None:
    store = Store(store_url)
    approvals.approve(store, approvals.Approval(_execution(store), "Dra. Siti", "PPK", 7))
    given = ExtraVars(values={"x": 1}, names=["x"])
    extra = approvals.with_approvals(store, sops["server-maintenance"], given)
    assert extra.names == ["sop_approvals", "x"]
    assert extra.values["sop_approvals"][0]["role"] == "PPK"
    # Other SOPs get nothing; an operator's own value is never overridden.
    assert approvals.with_approvals(store, sops["sipp-backup"], given) is given
    own = ExtraVars(values={"sop_approvals": []}, names=["sop_approvals"])
    assert approvals.with_approvals(store, sops["server-maintenance"], own) is own


def test_the_order_is_acknowledged_only_with_its_approval(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order activity was acknowledged ("Disetujui ...") in one transaction and the
    approval inserted in another: `sop approve` killed in between left the evidence
    saying "Disetujui" while no approval existed for the playbook. Both are now one
    transaction."""
    store = Store(store_url)
    execution_id = _execution(store)
    insert = Transaction.insert

    def killed(tx: Transaction, table: str, values: dict) -> int:
        if table == "approvals":
            raise KeyboardInterrupt  # SIGINT (or a kill) between the two writes
        return insert(tx, table, values)

    monkeypatch.setattr(Transaction, "insert", killed)
    with pytest.raises(KeyboardInterrupt):
        approvals.approve(store, approvals.Approval(execution_id, "Dra. Siti", "Sekretaris", 3))
    order = store.execution(execution_id)["activities"][1]
    assert (order["status"], order["acknowledged_by"], order["note"]) == (
        "pending-manual", None, None,
    )  # fmt: skip
    assert approvals.valid(store, "server-maintenance") == []
    monkeypatch.setattr(Transaction, "insert", insert)
    approvals.approve(store, approvals.Approval(execution_id, "Dra. Siti", "Sekretaris", 3))
    assert store.execution(execution_id)["activities"][1]["status"] == "acknowledged"
    assert len(approvals.valid(store, "server-maintenance")) == 1
