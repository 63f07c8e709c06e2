"""Approvals (sop approve): what can be approved, for which hosts and how long, and how
`sop run` hands the valid ones to the playbook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from sop import approvals, runner
from sop.catalogue import load_catalogue
from sop.db import Transaction
from sop.errors import SopError
from sop.extravars import ExtraVars
from sop.store import Store, now

from .conftest import INVENTORY, CliResult
from .pgserver import PgServer

REPO = Path(__file__).resolve().parents[2]
ACTIVITIES = [
    {"number": n, "kegiatan": f"K{n}", "mode": mode, "tag": tag, "status": status}
    for n, mode, tag, status in (
        (1, "automated", "kondisi_server", "not-run"),
        (4, "manual", None, "pending-manual"),
        (6, "automated", "perawatan_server", "not-run"),
    )
]


def _execution(
    store: Store,
    sop_id: str = "server-maintenance",
    report: str = "ok",
    *,
    court: str | None = "PN Lab",
    **how: object,
) -> int:
    """An execution whose condition report (activity 1) ended `report` on sipp and web
    and whose patching was refused (no approval yet); `how`: its other columns (check
    mode, partial, limit)."""
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
            "court_name": court,
            "pid": 1,
            "pid_start": None,
            **how,
        },
        ACTIVITIES,
    )
    store.finish_execution(
        execution_id,
        status="failed",  # patching refused: no approval yet
        rc=2,
        hosts=["sipp", "web"],
        activities=[
            {"number": 1, "status": report, "hosts": ["sipp", "web"]},
            {"number": 6, "status": "failed", "hosts": ["sipp"]},
        ],
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


def test_the_role_is_one_that_orders_the_plan(
    store_url: str, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--role took any text: a typo ("Sekertaris") or a role with no say over the plan was
    recorded as the approver and handed to the playbook. One of APPROVER_ROLES, in any
    case (recorded as it spells it); another is refused naming them, nothing recorded."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    store = Store(store_url)
    execution_id = _execution(store)
    for role in ("Sekertaris", "Staf IT", "PPK/Kasub Umum dan Keuangan"):
        code, out, err = cli("approve", str(execution_id), "--by", "A", "--role", role)
        assert (code, out) == (2, "")
        assert err == (
            f"sop: error: --role '{role}': not a role that orders the plan carried out; give "
            "one of Sekretaris, PPK, Kasub Umum dan Keuangan\n"
        )
    assert approvals.valid(store, "server-maintenance") == []
    assert store.execution(execution_id)["activities"][1]["status"] == "pending-manual"
    code, out, err = cli(
        "approve", str(execution_id), "--by", "A", "--role", "kasub umum DAN keuangan"
    )
    assert code == 0, err
    assert " by A (Kasub Umum dan Keuangan), valid until " in out
    [given] = approvals.valid(store, "server-maintenance")
    assert given["role"] == "Kasub Umum dan Keuangan"


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


@pytest.mark.parametrize(
    "how",
    [
        {"check_mode": True},  # the dry run lists the plan: what is approved
        {"limit_pattern": "sipp:web"},  # approved for the hosts it covered only
        {"partial": "1"},  # `sop run --activity 1`: the condition report alone
    ],
)
def test_a_dry_limited_or_report_only_run_is_a_plan(store_url: str, how: dict) -> None:
    """What counts is the condition report's success, not how the execution ran (its
    patching refused, the first run failed, as in _execution)."""
    store = Store(store_url)
    done = approvals.approve(
        store, approvals.Approval(_execution(store, **how), "Dra. Siti", "Sekretaris", 7)
    )
    assert done["hosts"] == ["sipp", "web"]


def test_the_approval_of_a_dry_run_acknowledges_its_order(store_url: str) -> None:
    """`sop ack` refuses a dry run's steps; `sop approve` of a dry run's plan records the
    order (activity 4) with the approval all the same: that plan is what was approved."""
    store = Store(store_url)
    execution_id = _execution(store, check_mode=True)
    with pytest.raises(SopError, match=f"execution {execution_id} is a dry run"):
        store.acknowledge(execution_id, 4, "Dra. Siti", None)
    approvals.approve(store, approvals.Approval(execution_id, "Dra. Siti", "Sekretaris", 7))
    order = store.execution(execution_id)["activities"][1]
    assert (order["number"], order["status"], order["acknowledged_by"]) == (
        4, "acknowledged", "Dra. Siti",
    )  # fmt: skip


def test_a_run_without_the_condition_report_is_refused(store_url: str) -> None:
    """`sop run --activity 6`: no plan at all (activity 1 not run)."""
    store = Store(store_url)
    execution_id = _execution(store, report="not-run", partial="6")
    with pytest.raises(SopError, match=f"execution {execution_id} has no successful activity 1"):
        approvals.approve(store, approvals.Approval(execution_id, "A", "Sekretaris", 7))


def test_the_hosts_approved_are_the_condition_reports(store_url: str) -> None:
    """The approval covered every host the execution recorded, not the ones its condition
    report covered: a host the plan never reported on was approved for patching, and an
    execution whose end was never recorded (`sop` killed while patching: no hosts, its
    activities recorded as they ran) was refused as covering none."""
    store = Store(store_url)
    execution_id = _execution(store)
    with store.db.transaction(write=True) as tx:  # the report covered sipp only
        tx.update(
            "activity_results",
            {"hosts": ["sipp"]},
            "execution_id = :key_id AND number = 1",
            key_id=execution_id,
        )
    done = approvals.approve(store, approvals.Approval(execution_id, "A", "Sekretaris", 7))
    assert done["hosts"] == ["sipp"]
    killed = _execution(store)
    with store.db.transaction(write=True) as tx:
        tx.update(
            "executions", {"status": "interrupted", "hosts": []}, "id = :key_id", key_id=killed
        )
    done = approvals.approve(store, approvals.Approval(killed, "A", "Sekretaris", 7))
    assert done["hosts"] == ["sipp", "web"]


def test_an_execution_without_a_court_in_a_courts_store_is_refused(
    store_url: str, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The playbook takes an approval without a court as every court's: in a regional
    store, whose courts share host names, approving a run recorded without court_name
    approved every court's sipp and web. Refused there (one line, exit 2); a store of
    runs without courts (one court, no court_name in its inventory) approves them."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    store = Store(store_url)
    courtless = _execution(store, court=None)
    approve = ("approve", str(courtless), "--by", "A", "--role", "Sekretaris")
    code, out, err = cli(*approve)
    assert code == 0, err
    assert "for sipp, web" in out
    _execution(store, court="PN Dumai")
    code, out, err = cli(*approve)
    assert (code, out) == (2, "")
    assert err.startswith(f"sop: error: execution {courtless} recorded no court (court_name)")
    assert err.count("\n") == 1
    assert len(approvals.valid(store, "server-maintenance")) == 1


def _planned_days_ago(store: Store, execution_id: int, days: float) -> None:
    with store.db.transaction(write=True) as tx:
        tx.update(
            "executions",
            {"started_at": now() - timedelta(days=days)},
            "id = :key_id",
            key_id=execution_id,
        )


def test_a_stale_plan_is_refused(
    store_url: str, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan of weeks ago (its pending updates, disks and backups long changed) was
    approved as a fresh one and patched for --valid-days more. Older than PLAN_MAX_AGE it
    is refused (one line, exit 2), telling the admin to re-plan and approve again."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    store = Store(store_url)
    stale = _execution(store)
    _planned_days_ago(store, stale, 21)
    code, out, err = cli("approve", str(stale), "--by", "A", "--role", "Sekretaris")
    assert (code, out) == (2, "")
    assert err.startswith(f"sop: error: execution {stale}'s plan (its condition report of ")
    assert err.endswith(
        "UTC) is older than 7 days: re-plan with `sop run server-maintenance --activity 1` "
        "and approve the new execution\n"
    )
    assert approvals.valid(store, "server-maintenance") == []
    assert store.execution(stale)["activities"][1]["status"] == "pending-manual"


def test_an_approval_ends_when_its_plan_turns_stale(
    store_url: str, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--valid-days counted from the approval let a plan be carried out long after it was
    made: an approval lasts until its plan is PLAN_MAX_AGE old at most, and one recorded
    before (valid for months) is no longer handed to the playbook once its plan is."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    store = Store(store_url)
    execution_id = _execution(store)
    _planned_days_ago(store, execution_id, 5)
    code, out, err = cli("approve", str(execution_id), "--by", "A", "--role", "PPK",
                         "--valid-days", "30")
    assert code == 0, err
    assert out.endswith(", when its plan turns 7 days old.\n")
    planned = store.execution(execution_id)["started_at"]
    [given] = approvals.valid(store, "server-maintenance")
    assert given["valid_until"] == f"{planned + approvals.PLAN_MAX_AGE:%Y-%m-%dT%H:%M:%SZ}"
    assert approvals.valid(store, "server-maintenance", now() + timedelta(days=2, hours=1)) == []
    before = _execution(store)  # approved for a year before the limit existed
    _planned_days_ago(store, before, 10)
    with store.db.transaction(write=True) as tx:
        tx.insert(
            "approvals",
            {"execution_id": before, "sop_id": "server-maintenance", "court_name": "PN Lab",
             "hosts": ["sipp"], "approved_by": "A", "role": "PPK", "approved_at": now(),
             "valid_until": now() + timedelta(days=366)},
        )  # fmt: skip
    assert [v["execution"] for v in approvals.valid(store, "server-maintenance")] == [
        execution_id
    ]


def _approved_for(store: Store, execution_id: int, *, approved_days_ago: float) -> None:
    """An approval recorded as `sop approve` recorded it then, valid until its plan (the
    execution) turned PLAN_MAX_AGE old."""
    planned = store.execution(execution_id)["started_at"]
    with store.db.transaction(write=True) as tx:
        tx.insert(
            "approvals",
            {"execution_id": execution_id, "sop_id": "server-maintenance",
             "court_name": "PN Lab", "hosts": ["sipp", "web"], "approved_by": "Dra. Siti",
             "role": "Sekretaris", "approved_at": now() - timedelta(days=approved_days_ago),
             "valid_until": planned + approvals.PLAN_MAX_AGE},
        )  # fmt: skip


def test_lapsed_names_the_approval_a_stale_plan_ended(store_url: str) -> None:
    """The admin who approved a week ago saw only the role's "no valid approval": the
    approval whose plan turned 7 days old is named, with why and what to do, for a real
    run whose maintenance met a host no valid approval covers."""
    store = Store(store_url)
    plan = _execution(store)
    _planned_days_ago(store, plan, 5)
    approvals.approve(store, approvals.Approval(plan, "Dra. Siti", "Sekretaris", 30))
    planned = store.execution(plan)["started_at"]
    run = store.execution(_execution(store))  # its maintenance refused sipp
    later = now() + timedelta(days=3)
    assert approvals.lapsed(store, run) is None  # still valid today
    assert approvals.lapsed(store, run, later) == (
        f"the approval of execution {plan} by Dra. Siti (Sekretaris) for sipp, web is no "
        f"longer valid: its plan (the condition report of {planned:%Y-%m-%d %H:%M} UTC) "
        f"turned 7 days old at {planned + approvals.PLAN_MAX_AGE:%Y-%m-%d %H:%M} UTC; "
        "re-plan with `sop run server-maintenance --activity 1` and approve the new execution"
    )
    # A dry run refuses no host; another court's run was never covered by it.
    dry = store.execution(_execution(store, check_mode=True))
    assert approvals.lapsed(store, dry, later) is None
    other = store.execution(_execution(store, court="PN Dumai"))
    assert approvals.lapsed(store, other, later) is None
    # A newer valid approval covering the run's hosts: nothing to say.
    approvals.approve(store, approvals.Approval(_execution(store), "Dra. Siti", "PPK", 7))
    assert approvals.lapsed(store, run, later) is None


def test_lapsed_names_an_expired_approval_of_a_fresh_plan(store_url: str) -> None:
    """--valid-days ended before the plan turned 7 days old: its end is named, and the
    plan, still fresh, may be approved again."""
    store = Store(store_url)
    plan = _execution(store)
    done = approvals.approve(store, approvals.Approval(plan, "Dra. Siti", "PPK", 1))
    run = store.execution(_execution(store))
    notice = approvals.lapsed(store, run, now() + timedelta(days=2))
    assert notice == (
        f"the approval of execution {plan} by Dra. Siti (PPK) for sipp, web is no longer "
        f"valid: its validity ended at {done['valid_until']:%Y-%m-%d %H:%M} UTC; approve "
        f"execution {plan} again (`sop approve {plan} --by NAME --role ROLE`) or re-plan "
        "with `sop run server-maintenance --activity 1` and approve the new execution"
    )
    # Only the hosts the maintenance (activity 6) ran on count: a run of the condition
    # report alone (`--activity 1`) or of the result report (`--activity 7`) needs none.
    for alone in (1, 7):
        only = {**run, "activities": [{"number": alone, "hosts": ["sipp", "web"]}]}
        assert approvals.lapsed(store, only, now() + timedelta(days=2)) is None


def test_run_warns_of_the_lapsed_approval(
    store_url: str,
    cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    project: Path,
    tmp_path: Path,
) -> None:
    """`sop run server-maintenance` refused for want of approval says which approval
    lapsed and why, on stderr before the run's error, and records nothing of it."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    store = Store(store_url)
    plan = _execution(store)
    _planned_days_ago(store, plan, 8)
    _approved_for(store, plan, approved_days_ago=7.5)
    refused = _execution(store)

    def refusing(request: runner.RunRequest, *_: object) -> runner.RunResult:
        assert request.extra_vars.values["sop_approvals"] == []
        return runner.RunResult(refused, "failed", 2, "Perawatan ditolak")

    monkeypatch.setattr(runner, "run", refusing)
    code, _, err = cli("run", "server-maintenance", "-i", str(INVENTORY))
    warning, error = err.splitlines()
    assert code == 1
    assert warning.startswith(
        f"sop: warning: the approval of execution {plan} by Dra. Siti (Sekretaris) for sipp, "
        "web is no longer valid: its plan (the condition report of "
    )
    assert warning.endswith("and approve the new execution")
    assert error == f"sop: error: execution {refused} failed: Perawatan ditolak"
    assert store.execution(refused)["error"] is None
    # The operator's own approvals (-e sop_approvals, given or in a file) are theirs to read.
    own = tmp_path / "approvals.yml"
    own.write_text("sop_approvals: []\n")
    for given in ('{"sop_approvals": []}', f"@{own}"):
        code, _, err = cli("run", "server-maintenance", "-i", str(INVENTORY), "-e", given)
        assert err == f"sop: error: execution {refused} failed: Perawatan ditolak\n"


def test_an_approval_to_its_plans_end_is_told_in_utc(
    pg_server: PgServer, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL server set to the court's clock (initdb's TimeZone on a WIB host)
    returns timestamptz on that clock: an approval ending when its plan turns 7 days old
    was recorded in the order's note, and told, 7 hours off, its WIB time labelled UTC."""
    name = pg_server.create_database()
    url = pg_server.url(name)
    store = Store(url)
    try:
        store.db.conn.execute(f"ALTER DATABASE {name} SET TimeZone = 'Asia/Jakarta'")
        store.close()
        store = Store(url)
        monkeypatch.setenv("SOP_DATABASE_URL", url)
        execution_id = _execution(store)
        _planned_days_ago(store, execution_id, 5)
        code, out, err = cli("approve", str(execution_id), "--by", "A", "--role", "PPK",
                             "--valid-days", "30")
        assert code == 0, err
        planned = store.execution(execution_id)["started_at"]
        assert planned.utcoffset() == timedelta(hours=7)  # the server's clock
        ends = f"{(planned + approvals.PLAN_MAX_AGE).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        assert f"valid until {ends}, when its plan turns 7 days old." in out
        assert store.execution(execution_id)["activities"][1]["note"] == (
            f"Disetujui (PPK) s.d. {ends}"
        )
    finally:
        store.close()
        pg_server.drop_database(name)
