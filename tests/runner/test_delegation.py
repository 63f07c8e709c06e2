"""An activity carried out by another SOP (`automated_by`) is `delegated` only by a real
(not check-mode) successful run of that whole SOP (not some of its activities, `sop run
--activity`) at the same court, within the period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.db import Transaction
from sop.errors import SopError
from sop.events import EventRecorder, TagIndex
from sop.runner import _delegations, _Events, _initial_activities
from sop.store import Store, now

from .conftest import FIXTURES, INVENTORY, craft_execution

Cli = Callable[..., tuple[int, str, str]]
COURT = "Pengadilan Negeri Uji"  # the fixture inventory's court_name


def _delegated_status(cli: Cli, sop_env: dict[str, str], tmp_path: Path) -> str:
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}")
    assert code == 0, err
    store = Store(f"sqlite:///{Path(sop_env['SOP_DATA_DIR']) / 'sop.db'}")
    try:
        newest = store.executions(sop_id="local-demo", limit=1)[0]
        activities = store.execution(newest["id"])["activities"]
    finally:
        store.close()
    return str(activities[3]["status"])  # activity 4: automated_by local-secret


def _craft(sop_env: dict[str, str], **kwargs: object) -> None:
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    try:
        craft_execution(store, "local-secret", now() - timedelta(hours=1), **kwargs)  # type: ignore[arg-type]
    finally:
        store.close()


def test_a_real_run_at_the_court_delegates(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path
) -> None:
    _craft(sop_env, court=COURT)
    assert _delegated_status(cli, sop_env, tmp_path) == "delegated"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"court": COURT, "check_mode": True},  # a check-mode run performs nothing
        {"court": COURT, "partial": "1"},  # a run of chosen activities is not the SOP done
        {"court": "Pengadilan Negeri Lain"},  # another court of a shared store
    ],
    ids=["check-mode", "partial", "other-court"],
)
def test_a_check_run_a_partial_run_or_another_courts_run_does_not_delegate(
    cli: Cli, sop_env: dict[str, str], tmp_path: Path, kwargs: dict[str, object]
) -> None:
    _craft(sop_env, **kwargs)
    assert _delegated_status(cli, sop_env, tmp_path) == "pending-manual"


WIB = ZoneInfo("Asia/Jakarta")


def _wib(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=WIB)


@pytest.mark.parametrize(
    ("succeeded", "at", "status"),
    [
        # 30.5 days later, within January's 31: 30 days called it not done this month
        (_wib(2026, 1, 1, 3), _wib(2026, 1, 31, 15), "delegated"),
        (_wib(2026, 1, 1, 3), _wib(2026, 2, 1, 3), "pending-manual"),
        # 31 January at 03:00 WIB (30 January in UTC) falls due on the last day of February
        # at 03:00 WIB: 30 days, or a month on UTC's clock, still counted it the next day
        (_wib(2026, 1, 31, 3), _wib(2026, 2, 28, 10), "pending-manual"),
    ],
    ids=["31-day-month", "a-month-later", "february-on-the-courts-clock"],
)
def test_a_monthly_sops_period_is_a_calendar_month_on_the_courts_clock(
    tmp_path: Path, succeeded: datetime, at: datetime, status: str
) -> None:
    """A delegating SOP's period is the one `sop overdue` judges it by: it-security
    (monthly) counts network's and server-maintenance's runs within a calendar month on
    the court's clock, not within 30 days."""
    sop = load_catalogue(PACKAGE_CATALOGUE)["it-security"]
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    try:
        for other in ("network", "server-maintenance"):
            craft_execution(store, other, succeeded, court=COURT)
        found = _delegations(sop, store, COURT, WIB, at)
    finally:
        store.close()
    assert {number: row["status"] for number, row in found.items()} == {4: status, 5: status}


def test_a_delegating_run_is_named_with_its_start_on_the_courts_clock(tmp_path: Path) -> None:
    """The output naming the delegating run gave its start in UTC with microseconds
    (2026-12-04T20:51:53.906862+00:00) beside times shown on the court's clock."""
    sop = load_catalogue(PACKAGE_CATALOGUE)["it-security"]
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2026, 12, 4, 20, 51, 53, 906862, tzinfo=ZoneInfo("UTC"))
    try:
        execution = craft_execution(store, "network", started, court=COURT)
        found = _delegations(sop, store, COURT, WIB, started + timedelta(hours=1))
    finally:
        store.close()
    assert found[4]["outputs"] == [
        {"sop": "network", "execution": execution, "started_at": "2026-12-05T03:51:53+07:00"}]


def test_an_ack_recorded_before_the_court_is_reported_stands(
    store_url: str, tmp_path: Path
) -> None:
    """A playbook's run decides its delegated activities once its first play reports the
    court. Its update wrote the delegated status, outputs and note over the row as the run
    had read it at its start: a `sop ack` recorded in the run's first seconds read
    `delegated`, its note gone. The update now changes only a row still waiting for a
    person; a row nobody acknowledged is delegated as before."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    store = Store(store_url)
    try:
        craft_execution(store, "local-secret", now() - timedelta(hours=1), court=COURT)
        recorded = {}
        for acked in (True, False):
            initial = _initial_activities(sop, store, automated=True)
            values = {"sop_id": sop.id, "sop_title": sop.title, "sop_number": sop.number,
                      "catalogue_version": "0", "catalogue_hash": "x", "operator": "budi",
                      "trigger": "manual", "hosts": [], "pid": 1}
            execution_id = store.create_execution(values, initial)
            if acked:
                store.acknowledge(execution_id, 4, "Budi", "disalin manual ke disk eksternal")
            recorder = EventRecorder(sop, TagIndex(tmp_path / "activity-tags.jsonl"))
            _Events(recorder, store, execution_id, initial, "inventory").record_court(
                {"court_name": COURT})
            fourth = store.execution(execution_id)["activities"][3]
            recorded[acked] = (fourth["status"], fourth["acknowledged_by"], fourth["note"])
    finally:
        store.close()
    assert recorded[True] == ("acknowledged", "Budi", "disalin manual ke disk eksternal")
    assert recorded[False] == ("delegated", None, None)


def test_an_ack_does_not_overwrite_a_delegation_written_after_its_read(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side of the race above: a `sop ack` reads the row `pending-manual`, the
    running execution's delegation commits `delegated` (PostgreSQL does not serialise the
    two), and the ack's UPDATE, conditioned only on nobody's ack, turned it
    `acknowledged`. Its UPDATE now holds only on the status it read, and the ack is
    refused naming what the row is now."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    store = Store(store_url)
    try:
        initial = _initial_activities(sop, store, automated=True)
        values = {"sop_id": sop.id, "sop_title": sop.title, "sop_number": sop.number,
                  "catalogue_version": "0", "catalogue_hash": "x", "operator": "budi",
                  "trigger": "manual", "hosts": [], "pid": 1}
        execution_id = store.create_execution(values, initial)
        update = Transaction.update

        def delegated_first(tx: Transaction, table: str, values: dict[str, Any], where: str,
                            **keys: Any) -> int:
            if table == "activity_results" and "acknowledged_by" in values:
                tx.execute("UPDATE activity_results SET status = 'delegated' "
                           "WHERE execution_id = :id AND number = 4", {"id": execution_id})
            return update(tx, table, values, where, **keys)

        monkeypatch.setattr(Transaction, "update", delegated_first)
        with pytest.raises(SopError, match=f"activity 4 of execution {execution_id} is "
                                           "delegated, not a manual step waiting"):
            store.acknowledge(execution_id, 4, "Budi", "disalin manual")
        monkeypatch.undo()
        fourth = store.execution(execution_id)["activities"][3]
        # the stand-in for the other transaction's write went with the refused ack's
        assert (fourth["status"], fourth["acknowledged_by"]) == ("pending-manual", None)
    finally:
        store.close()
