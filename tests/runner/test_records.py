"""--json and --query: records other tools read, over crafted and real executions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sop.records import ACTIVITY_KEYS, EXECUTION_DETAIL_KEYS, EXECUTION_KEYS, HOST_STAT_KEYS
from sop.store import Store

from .conftest import INVENTORY, craft_execution

Cli = Callable[..., tuple[int, str, str]]
T0 = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
def crafted(sop_env: dict[str, str]) -> dict[str, int]:
    """Three executions at two courts: ok, failed (other court), ok in check mode."""
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    ids = {
        "ok": craft_execution(store, "local-demo", T0, activities=2),
        "failed": craft_execution(
            store, "local-demo", T0 + timedelta(days=1), status="failed", court="PN Lain"
        ),
        "check": craft_execution(store, "lab-ping", T0 + timedelta(days=2), check_mode=True),
    }
    store.close()
    return ids


def _json(cli: Cli, *args: str) -> object:
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out)


def test_history_json_has_stable_keys_and_iso_times(cli: Cli, crafted: dict[str, int]) -> None:
    rows = _json(cli, "history", "--json")
    assert isinstance(rows, list)
    assert [r["id"] for r in rows] == [crafted["check"], crafted["failed"], crafted["ok"]]
    for row in rows:
        assert tuple(row) == EXECUTION_KEYS
    ok = rows[2]
    assert ok["started_at"] == "2025-03-10T01:00:00+00:00"
    assert datetime.fromisoformat(ok["ended_at"]) == T0 + timedelta(minutes=2)
    assert ok["duration_s"] == 120.0 and ok["hosts"] == ["h1"] and ok["check_mode"] is False
    assert ok["partial"] is None  # the whole SOP (a partial run: the activities chosen)


def test_query_selects(cli: Cli, crafted: dict[str, int]) -> None:
    assert _json(cli, "history", "--json", "--query", "[?status=='failed'].id") == [
        crafted["failed"]
    ]
    # --query implies --json; ISO times compare as text
    assert _json(cli, "history", "--query", "[?started_at >= '2025-03-11'].id") == [
        crafted["check"],
        crafted["failed"],
    ]
    assert _json(cli, "history", "--court", "PN Lain", "--query", "[].court_name") == ["PN Lain"]
    assert _json(cli, "history", "-n", "1", "--query", "length(@)") == 1
    assert _json(cli, "history", "-n", "0", "--query", "length(@)") == 3


def test_execution_json(cli: Cli, crafted: dict[str, int]) -> None:
    row = _json(cli, "execution", str(crafted["ok"]), "--json")
    assert isinstance(row, dict)
    assert tuple(row) == (*EXECUTION_KEYS, *EXECUTION_DETAIL_KEYS, "activities", "host_stats")
    assert [tuple(a) for a in row["activities"]] == [ACTIVITY_KEYS, ACTIVITY_KEYS]
    assert row["activities"][0]["started_at"] == "2025-03-10T01:00:00+00:00"
    assert _json(cli, "execution", str(crafted["ok"]), "--query", "activities[].number") == [1, 2]


def test_real_execution_json(cli: Cli) -> None:
    """A recorded `sop run` (manual-only SOP) reads back with its acknowledgement."""
    code, _, err = cli("run", "local-manual", "-i", str(INVENTORY), "--operator", "ani")
    assert code == 0, err
    code, _, err = cli("ack", "1", "A.1", "--by", "Budi")
    assert code == 0, err
    row = _json(cli, "execution", "1", "--json")
    assert isinstance(row, dict)
    assert row["operator"] == "ani" and row["court_name"] == "Pengadilan Negeri Uji"
    assert row["activities"][0]["acknowledged_by"] == "Budi"
    assert datetime.fromisoformat(row["activities"][0]["acknowledged_at"]).tzinfo is not None
    assert row["host_stats"] == []  # a manual-only SOP runs on no host


def test_real_execution_host_stats_json(cli: Cli, tmp_path: Path) -> None:
    """A recorded playbook run reads back with each host's counters under their keys."""
    code, _, err = cli(
        "run",
        "local-demo",
        "-i",
        str(INVENTORY),
        "--operator",
        "ani",
        "-e",
        f"demo_dir={tmp_path / 'demo'}",
    )
    assert code == 0, err
    row = _json(cli, "execution", "1", "--json")
    assert isinstance(row, dict)
    assert [tuple(h) for h in row["host_stats"]] == [HOST_STAT_KEYS]
    # local_demo.yml on a fresh directory: the directory and the dump made (changed), the
    # stat, the output and the final debug ok; the sleep, the warnings (none asked for),
    # the hidden (no_log) change, the push, the failure and the two tasks of activity 3's
    # automated part (not asked for) skipped
    assert row["host_stats"] == [
        {
            "host": "localhost",
            "ok": 5,
            "changed": 2,
            "failures": 0,
            "unreachable": 0,
            "skipped": 7,
            "rescued": 0,
            "ignored": 0,
        }
    ]
    assert _json(cli, "execution", "1", "--query", "host_stats[].host") == ["localhost"]


def test_list_json(cli: Cli, crafted: dict[str, int]) -> None:
    entries = _json(cli, "list", "--json")
    assert isinstance(entries, list)
    demo = next(e for e in entries if e["id"] == "local-demo")
    assert set(demo) == {
        "id", "title", "number", "frequency", "period_s", "grace_s", "playbook",
        "playbook_present", "activities", "last_execution", "state", "due_at", "overdue_at",
        "courts",
    }  # fmt: skip
    assert demo["period_s"] == 86400 and demo["grace_s"] == 6 * 3600
    assert demo["activities"] == {"total": 4, "automated": 2, "delegated": 1, "manual": 1}
    assert demo["last_execution"]["id"] == crafted["failed"]
    assert {c["court_name"]: c["state"] for c in demo["courts"]} == {
        "Pengadilan Negeri Uji": "overdue",
        "PN Lain": "overdue",
    }
    assert _json(cli, "list", "--query", "[?frequency=='on_demand'].id") == ["local-manual"]
    # check mode performs nothing: lab-ping is still new
    assert _json(cli, "list", "--query", "[?id=='lab-ping'].state | [0]") == "new"


@pytest.mark.parametrize(
    "command", [("history",), ("list",), ("overdue",), ("execution", "1")], ids=str
)
@pytest.mark.parametrize("query", ["[?status==", "a.~", "", "sum(@)", "nope(@)"])
def test_bad_query_is_one_line_exit_2(
    cli: Cli, crafted: dict[str, int], command: tuple[str, ...], query: str
) -> None:
    code, out, err = cli(*command, "--json", "--query", query)
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith(f"sop: error: --query {query!r}: ")
    assert err.strip().count("\n") == 0


def test_negative_count_is_refused(cli: Cli, crafted: dict[str, int]) -> None:
    code, _, err = cli("history", "-n", "-1")
    assert code == 2 and err.strip() == "sop: error: -n -1: expected 0 (all) or more"
