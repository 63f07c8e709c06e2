"""Incidents (sop incident open|close|list): lifecycle, Mutu Baku, linked diagnostics."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from sop import incidents
from sop.catalogue import Sop, load_catalogue
from sop.db import Transaction
from sop.errors import ExitCode, SopError
from sop.store import Store, now

from .conftest import craft_execution
from .test_store_compat import load_head_store

REPO = Path(__file__).resolve().parents[2]
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def sop() -> object:
    return load_catalogue(REPO / "runner" / "sop" / "catalogue")["server-incident"]


def test_lifecycle_and_mutu_baku(store_url: str, sop: object) -> None:
    store = Store(store_url)
    first = incidents.open_incident(
        store, sop, host="sipp", summary="SIPP tidak bisa dibuka", by="Budi", court="PN Lab"
    )
    late = incidents.open_incident(
        store, sop, host="web", summary="Website mati", by="Ani", court=None
    )
    with store.db.transaction(write=True) as tx:  # reported five hours ago
        tx.update(
            "incidents",
            {"opened_at": now() - timedelta(hours=5)},
            "id = :key_id",
            key_id=late["id"],
        )
    diagnosis = store.create_execution(
        {"sop_id": "server-incident", "sop_title": "x", "sop_number": "15",
         "catalogue_version": "0", "catalogue_hash": "a", "operator": "budi",
         "trigger": "manual", "hosts": ["sipp"], "pid": 1, "pid_start": None},
        [],
    )
    store.finish_execution(diagnosis, status="successful", rc=0)
    closed = incidents.close_incident(
        store, sop, first["id"], by="Budi", resolution="MariaDB hidup"
    )
    assert closed["status"] == "closed" and closed["closed_by"] == "Budi"
    with pytest.raises(SopError, match="already closed by Budi"):
        incidents.close_incident(store, sop, first["id"], by="Ani", resolution="lagi")
    rows = {r["id"]: r for r in incidents.listing(store, sop)}
    assert rows[first["id"]]["within_limit"] is True
    assert rows[first["id"]]["limit_s"] == 4 * 3600
    assert rows[first["id"]]["diagnostics"] == [{"execution": diagnosis, "status": "successful"}]
    assert rows[late["id"]]["within_limit"] is False
    assert rows[late["id"]]["diagnostics"] == []
    assert [r["id"] for r in incidents.listing(store, sop, "open")] == [late["id"]]


def test_bad_input(store_url: str, sop: object) -> None:
    store = Store(store_url)
    with pytest.raises(SopError, match="--summary must not be empty"):
        incidents.open_incident(store, sop, host="sipp", summary=" ", by="Budi", court=None)
    with pytest.raises(SopError, match="no incident 42"):
        incidents.close_incident(store, sop, 42, by="Budi", resolution="x")


def test_cli(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    run_sop = cli
    code, out, _err = run_sop("incident", "open", "--host", "sipp", "--summary", "Lambat",
                              "--by", "Budi")
    assert code == 0 and "Incident 1 opened for sipp" in out
    code, out, _err = run_sop("incident", "list", "--json")
    assert code == 0 and json.loads(out)[0]["summary"] == "Lambat"
    code, _out, err = run_sop("incident", "close", "7", "--by", "Budi", "--resolution", "x")
    assert code == 2 and "no incident 7" in err
    code, out, _err = run_sop("approve", "1", "--by", "X", "--role", "Sekretaris")
    assert code == 2
    # Text, never rich markup (a `[/x]` summary made `incident list` an internal error),
    # and control characters shown, not sent to the terminal (a host, a name is one
    # line: refused with one; a summary is free text).
    code, out, err = run_sop("incident", "open", "--host", "web", "--summary",
                             "halaman [/x] rusak\x1b[2K", "--by", "[bold]budi")
    assert code == 0, err
    code, out, err = run_sop("incident", "list")
    assert code == 0, err
    assert "halaman [/x] rusak" in out and "[bold]budi" in out
    assert "rusak\\x1b[2K" in out and "\x1b" not in out


def test_a_close_that_lost_the_race_says_so(
    store_url: str, sop: Sop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins closed one incident at once: both read it open, the second's update
    changed nothing, and it still said "Incident closed", its resolution silently
    lost. The one that lost is refused, naming who closed it."""
    store = Store(store_url)
    opened = incidents.open_incident(
        store, sop, host="sipp", summary="mati", by="Budi", court="PN Lab"
    )
    read_open = incidents._get(store, opened["id"])
    incidents.close_incident(store, sop, opened["id"], by="Ani", resolution="MariaDB hidup")
    reads = iter([read_open])  # the second close read it before the first one's update
    get = incidents._get
    monkeypatch.setattr(incidents, "_get", lambda s, i: next(reads, None) or get(s, i))
    with pytest.raises(SopError, match=f"^incident {opened['id']} was already closed by Ani$"):
        incidents.close_incident(store, sop, opened["id"], by="Budi", resolution="restart")
    [row] = incidents.listing(store, sop)
    assert (row["closed_by"], row["resolution"]) == ("Ani", "MariaDB hidup")


def test_a_hosts_second_open_incident_is_refused(store_url: str, sop: Sop) -> None:
    """A second report of a host whose incident is still open opened a second incident,
    two records of one fault measured apart: refused, naming the open one (its id, when
    and by whom it was opened) and what to do. Another host, or the same host name at
    another court (a regional store's courts share host names), opens as before, and so
    does the host again once its incident is closed."""
    store = Store(store_url)
    first = incidents.open_incident(
        store, sop, host="sipp", summary="SIPP mati", by="Budi", court="PN Lab"
    )
    opened = first["opened_at"].astimezone(UTC)
    with pytest.raises(SopError) as refused:
        incidents.open_incident(store, sop, host="sipp", summary="Lambat", by="Ani",
                                court="PN Lab")
    assert str(refused.value) == (
        f"host sipp of PN Lab already has an open incident {first['id']} (opened "
        f"{opened:%Y-%m-%d %H:%M} UTC by Budi): diagnose it with `sop run server-incident "
        f"--limit sipp`, or close it first with `sop incident close {first['id']} --by NAME "
        "--resolution TEXT`"
    )
    assert refused.value.code == ExitCode.USAGE
    assert [r["summary"] for r in incidents.listing(store, sop)] == ["SIPP mati"]
    others = [
        incidents.open_incident(store, sop, host=host, summary="x", by="Ani", court=court)["id"]
        for host, court in (("web", "PN Lab"), ("sipp", "PN Dumai"), ("sipp", None))
    ]
    with pytest.raises(SopError, match=f"^host sipp already has an open incident {others[2]} "):
        incidents.open_incident(store, sop, host="sipp", summary="y", by="Ani", court=None)
    incidents.close_incident(store, sop, first["id"], by="Budi", resolution="MariaDB hidup")
    again = incidents.open_incident(
        store, sop, host="sipp", summary="Mati lagi", by="Ani", court="PN Lab"
    )
    assert again["id"] > max(others)
    assert len(incidents.listing(store, sop, "open")) == 4


def test_two_opens_of_one_host_at_once_record_one(
    store_url: str, sop: Sop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `sop incident open` of one host at once (two admins, or two controllers on one
    PostgreSQL store): each checked for an open incident before the other's was
    committed, and both were recorded. The second waits for the first's transaction and
    is refused."""
    Store(store_url).close()  # migrated before the two race
    inserted, release = threading.Event(), threading.Event()
    insert = Transaction.insert

    def held(tx: Transaction, table: str, values: Mapping[str, Any]) -> int:
        new_id = insert(tx, table, values)
        if threading.current_thread().name == "first":  # its transaction not committed yet
            inserted.set()
            release.wait(30)
        return new_id

    monkeypatch.setattr(Transaction, "insert", held)
    results: dict[str, object] = {}

    def open_as(by: str) -> None:
        store = Store(store_url)  # a connection of its own, as another process's
        try:
            results[by] = incidents.open_incident(
                store, sop, host="sipp", summary="Mati", by=by, court="PN Lab"
            )["id"]
        except SopError as exc:
            results[by] = str(exc)
        finally:
            store.close()

    first = threading.Thread(target=open_as, args=("Budi",), name="first")
    second = threading.Thread(target=open_as, args=("Ani",), name="second")
    first.start()
    assert inserted.wait(30)
    second.start()
    second.join(1)
    still_waiting = second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert still_waiting, results  # it did not check before the first one's commit
    assert results["Budi"] == 1
    assert str(results["Ani"]).startswith("host sipp of PN Lab already has an open incident 1 ")
    store = Store(store_url)
    assert [r["reported_by"] for r in incidents.listing(store, sop)] == ["Budi"]
    store.close()


def test_cli_refuses_a_second_open_incident_in_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    opened = ("incident", "open", "--host", "sipp", "--summary", "Mati", "--by")
    assert cli(*opened, "Budi")[0] == 0
    code, out, err = cli(*opened, "Ani")
    assert (code, out) == (2, "")
    assert re.fullmatch(
        r"sop: error: host sipp already has an open incident 1 \(opened "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC by Budi\): diagnose it with `sop run "
        r"server-incident --limit sipp`, or close it first with `sop incident close 1 "
        r"--by NAME --resolution TEXT`\n",
        err,
    ), err
    assert _ids(cli) == [(1, 4 * 3600)]


def test_diagnostics_are_the_incident_courts_own(store_url: str, sop: object) -> None:
    """A regional store holds several courts, whose servers often share a name ("sipp"):
    an incident listed every court's diagnostics on that host name. Only its court's
    runs are its diagnostics (an incident without a court still matches by host)."""
    store = Store(store_url)
    ours = incidents.open_incident(store, sop, host="sipp", summary="Lambat", by="Budi",
                                   court="PN Bengkalis")
    unnamed = incidents.open_incident(store, sop, host="sipp", summary="Mati", by="Ani",
                                      court=None)
    runs = {}
    for court in ("PN Bengkalis", "PN Dumai"):
        runs[court] = store.create_execution(
            {"sop_id": "server-incident", "sop_title": "x", "sop_number": "15",
             "catalogue_version": "0", "catalogue_hash": "a", "operator": "budi",
             "trigger": "manual", "hosts": ["sipp"], "pid": 1, "pid_start": None,
             "court_name": court},
            [],
        )
        store.finish_execution(runs[court], status="successful", rc=0)
    rows = {r["id"]: r for r in incidents.listing(store, sop)}
    assert rows[ours["id"]]["diagnostics"] == [
        {"execution": runs["PN Bengkalis"], "status": "successful"}
    ]
    assert [d["execution"] for d in rows[unnamed["id"]]["diagnostics"]] == sorted(runs.values())
    # One court's view (`incident list -i`/`--court`): its incidents and those recorded
    # without a court, whose diagnostics are then that court's runs, not another's.
    rows = {r["id"]: r for r in incidents.listing(store, sop, court="PN Bengkalis")}
    assert list(rows) == [unnamed["id"], ours["id"]]
    assert rows[unnamed["id"]]["diagnostics"] == [
        {"execution": runs["PN Bengkalis"], "status": "successful"}
    ]


def _court(tmp_path: Path, court: str, group_vars: str) -> Path:
    """An inventory of `court` with `group_vars` in its all.yml."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        "all:\n  hosts:\n    sipp:\n      ansible_connection: local\n")
    (inventory / "group_vars/all.yml").write_text(f"court_name: {court}\n{group_vars}")
    return inventory


def test_a_host_the_inventory_does_not_hold_is_refused(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo ('sip') opened an incident for a host no `sop run server-incident --limit`
    can diagnose; without -i any name is taken."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    inventory = _court(tmp_path, "PN Bengkalis", "")
    code, out, err = cli("incident", "open", "--host", "sip", "--summary", "Mati", "--by",
                         "Budi", "-i", str(inventory))
    assert (code, out) == (2, "")
    assert err.strip() == (f"sop: error: host 'sip' is not in inventory {inventory} (its "
                           "hosts: sipp): give its inventory name, or leave -i out")
    assert _ids(cli) == []
    assert cli("incident", "open", "--host", "sip", "--summary", "Mati", "--by", "Budi")[0] == 0


def test_a_court_the_store_does_not_record_is_refused(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`incident open --court NAME` without -i recorded any name: a typo ('PN Jakrta')
    made a new court, which every report then showed. Refused, nothing recorded, unless
    an execution or incident of that court is recorded; a court's first record is -i's
    (its inventory names the court)."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    opened = ("incident", "open", "--summary", "Mati", "--by", "Budi")
    first = "; a court's first record needs -i INVENTORY (its court_name)\n"
    code, out, err = cli(*opened, "--host", "sipp", "--court", "PN Jakarta")
    assert (code, out) == (2, "")
    assert err == ("sop: error: --court 'PN Jakarta': no execution or incident of that "
                   "court is recorded (the store records no execution or incident yet)" + first)
    craft_execution(store_at, "sipp-backup", now(), court="PN Jakarta")
    code, out, err = cli(*opened, "--host", "sipp", "--court", "PN Jakrta")
    assert (code, out) == (2, "")
    assert err == ("sop: error: --court 'PN Jakrta': no execution or incident of that "
                   "court is recorded (did you mean 'PN Jakarta'?)" + first)
    assert _ids(cli) == []
    assert cli(*opened, "--host", "sipp", "--court", "PN Jakarta")[0] == 0
    # -i names its court: its first incident is recorded, and then known to --court.
    inventory = _court(tmp_path, "PN Bengkalis", "")
    assert cli(*opened, "--host", "sipp", "-i", str(inventory))[0] == 0
    assert cli(*opened, "--host", "web", "--court", "PN Bengkalis")[0] == 0
    code, out, err = cli(*opened, "--host", "web", "--court", "PN Dumai")
    assert (code, out) == (2, "")
    assert err == ("sop: error: --court 'PN Dumai': no execution or incident of that court "
                   "is recorded (2 courts recorded: `sop history` and `sop incident list` "
                   "show them)" + first)
    assert [row["court_name"] for row in json.loads(cli("incident", "list", "--json")[1])] == [
        "PN Bengkalis", "PN Bengkalis", "PN Jakarta"
    ]


def _ids(cli: Cli, *args: str) -> list[tuple[int, int]]:
    """(id, limit_s) of each incident `sop incident list ARGS --json` lists."""
    code, out, err = cli("incident", "list", *args, "--json")
    assert code == 0, err
    return [(row["id"], row["limit_s"]) for row in json.loads(out)]


def test_list_for_one_court(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`incident list -i INVENTORY` is that court's view on its clock, as `sop list -i`,
    and --court NAME one court's incidents; each incident is judged by the Mutu Baku
    recorded when it was opened (`open -i`: the court's sop_catalogue_overrides waktu),
    whether or not the listing names the court's inventory: listed without -i, an
    incident of a court whose SOP sets 1 h 30 min was judged against the catalogue's 4
    hours, and with -i, one opened under the catalogue's against the court's."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    inventory = _court(
        tmp_path,
        "PN Bengkalis",
        "sop_schedule:\n  timezone: Asia/Makassar\n"
        "sop_catalogue_overrides:\n  server-incident:\n    waktu: {1: 30m, 2: 1h}\n",
    )
    craft_execution(store_at, "sipp-backup", now(), court="PN Dumai")  # --court's: recorded
    opened = []
    for args in (("-i", str(inventory)), ("--court", "PN Dumai"), ()):
        code, out, err = cli("incident", "open", "--host", "sipp", "--summary", "Mati",
                             "--by", "Budi", *args)
        assert code == 0, err
        opened.append(out.split(";")[0])
    assert opened == [f"Incident {n} opened for sipp (Mutu Baku {limit})" for n, limit in
                      ((1, "1 jam 30 menit"), (2, "4 jam"), (3, "4 jam"))]
    catalogue, court = 4 * 3600, 5400
    assert _ids(cli) == [(3, catalogue), (2, catalogue), (1, court)]
    assert _ids(cli, "-i", str(inventory)) == [(3, catalogue), (1, court)]
    assert _ids(cli, "--court", "PN Dumai") == [(3, catalogue), (2, catalogue)]
    assert _ids(cli, "--court", "PN Bengkalis") == [(3, catalogue), (1, court)]
    assert _ids(cli, "--court", "PN Lain") == [(3, catalogue)]
    code, out, err = cli("incident", "list", "-i", str(inventory))
    assert code == 0, err
    assert "(1 jam 30 menit)" in out and "(4 jam)" in out and "WITA" in out
    for action in (("list",), ("open", "--host", "sipp", "--summary", "x", "--by", "B")):
        code, out, err = cli("incident", *action, "-i", str(inventory), "--court", "PN Dumai")
        assert (code, out) == (2, "")
        assert err == (
            "sop: error: --court 'PN Dumai' differs from the inventory's court_name "
            "'PN Bengkalis'\n"
        )
    assert len(_ids(cli)) == 3


def test_an_incident_recorded_before_its_limit_is_judged_by_the_catalogue(
    cli: Cli, store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A store's incidents from before schema v8 recorded no limit: they keep being
    listed, judged by the catalogue's Mutu Baku, with or without the court's -i; and
    the court's report (-i) judges them by the catalogue's too (it took the court's
    sop_catalogue_overrides: `3 jam 1 menit` in the report, `4 jam` in the listing)."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    load_head_store(store_url)  # incident 1 of PN Uji, closed
    inventory = _court(
        tmp_path, "PN Uji", "sop_catalogue_overrides:\n  server-incident:\n    waktu: {1: 1m}\n"
    )
    assert _ids(cli) == _ids(cli, "-i", str(inventory)) == [(1, 4 * 3600)]
    code, out, err = cli("report", "-i", str(inventory), "--month", "2026-12")  # 00:17 WIB
    assert code == 0, err
    [row] = [line for line in out.splitlines() if line.startswith("| 1 | h1 | mati |")]
    assert "| sesuai (4 jam) |" in row
    pdf = tmp_path / "laporan.pdf"
    code, _, err = cli("report", "-i", str(inventory), "--month", "2026-12", "--format", "pdf",
                       "-o", str(pdf))  # fmt: skip
    assert code == 0, err
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())  # a cell wraps
    assert "sesuai (4 jam)" in text and "3 jam 1 menit" not in text


def test_list_json_is_documented_and_utc(
    cli: Cli, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`incident list --json`'s keys are the ones runner/sop/README.md documents (they were
    undocumented: the incidents table's columns as they came), and its times are UTC, as
    every --json time: a PostgreSQL session on another zone (a court's server set to
    Asia/Jakarta) gave them at +07:00."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    monkeypatch.setenv("PGTZ", "Asia/Jakarta")
    code, _out, err = cli("incident", "open", "--host", "sipp", "--summary", "Mati", "--by", "B")
    assert code == 0, err
    store = Store(store_url)
    diagnosis = store.create_execution(
        {"sop_id": "server-incident", "sop_title": "x", "sop_number": "15",
         "catalogue_version": "0", "catalogue_hash": "a", "operator": "budi",
         "trigger": "manual", "hosts": ["sipp"], "pid": 1, "pid_start": None},
        [],
    )
    store.finish_execution(diagnosis, status="successful", rc=0)
    store.close()
    code, _out, err = cli("incident", "close", "1", "--by", "B", "--resolution", "Hidup")
    assert code == 0, err
    code, out, err = cli("incident", "list", "--json")
    assert code == 0, err
    [row] = json.loads(out)
    readme = (REPO / "runner" / "sop" / "README.md").read_text(encoding="utf-8")
    bullet = next(b for b in readme.split("\n- ") if b.startswith("`incident list`"))
    named = re.findall(r"`([^`]+)`", bullet.split("\n\n")[0])[1:]
    assert named == [*row, *row["diagnostics"][0]]
    assert row["opened_at"].endswith("+00:00") and row["closed_at"].endswith("+00:00")


def test_a_handling_over_its_limit_never_reads_as_within_it() -> None:
    """A handling of 900.4 s against 15 minutes read "15 menit" beside "melewati (15
    menit)": its duration is rounded up, as the report's are (format_seconds over)."""
    row = {"id": 1, "host": "sipp", "summary": "SIPP mati", "reported_by": "operator",
           "opened_at": datetime(2026, 12, 4, 1, tzinfo=UTC), "status": "closed",
           "duration_s": 900.4, "limit_s": 900, "within_limit": False,
           "diagnostics": [], "resolution": "restart"}
    console = Console(width=300, record=True)
    console.print(incidents.table([row], UTC))
    text = console.export_text()
    assert "15 menit 1 detik" in text and "melewati (15 menit)" in text


def _limited(sop: Sop, first: int | None) -> Sop:
    """`sop` whose activity 1 allows `first` seconds (None: no limit)."""
    return dataclasses.replace(sop, activities=tuple(
        dataclasses.replace(a, limit_seconds=first) if a.number == 1 else a
        for a in sop.activities
    ))  # fmt: skip


def _opened_hours_ago(store: Store, incident_id: int, hours: int) -> None:
    with store.db.transaction(write=True) as tx:
        tx.update(
            "incidents",
            {"opened_at": now() - timedelta(hours=hours)},
            "id = :key_id",
            key_id=incident_id,
        )


def test_no_limit_is_recorded_as_such(store_url: str, sop: Sop) -> None:
    """An incident opened under a SOP that sets no limit (activity 1's `waktu: null`)
    recorded NULL, which every listing took for "recorded before schema v8" and judged by
    the catalogue's 4 hours: five hours later it read "melewati". No limit is honoured,
    open and closed; an incident recorded before with none is still judged by the
    catalogue's."""
    store = Store(store_url)
    unlimited = incidents.open_incident(
        store, _limited(sop, None), host="sipp", summary="Mati", by="Budi", court=None
    )
    assert unlimited["limit_s"] is None
    with store.db.transaction(write=True) as tx:  # as an incident opened before v8 left it
        before = tx.insert(
            "incidents",
            {"host": "web", "summary": "Lambat", "reported_by": "Ani", "opened_at": now(),
             "status": "open"},
        )  # fmt: skip
    for incident_id in (unlimited["id"], before):
        _opened_hours_ago(store, incident_id, 5)
    judged = {r["id"]: (r["limit_s"], r["within_limit"]) for r in incidents.listing(store, sop)}
    assert judged == {unlimited["id"]: (None, None), before: (4 * 3600, False)}
    closed = incidents.close_incident(store, sop, unlimited["id"], by="Budi", resolution="x")
    assert (closed["limit_s"], closed["within_limit"]) == (None, None)
    [row] = incidents.listing(store, sop, "closed")
    assert (row["limit_s"], row["within_limit"]) == (None, None)


def test_closing_records_the_limit_it_was_judged_against(store_url: str, sop: Sop) -> None:
    """Closing recorded no limit: an incident opened before its limit was recorded stayed
    judged by whatever the catalogue said at each later listing, its verdict changing with
    it after it was closed. Closing records the limit it is judged against (the
    catalogue's then) and returns its verdict."""
    store = Store(store_url)
    with store.db.transaction(write=True) as tx:  # opened before schema v8: no limit
        before = tx.insert(
            "incidents",
            {"host": "web", "summary": "Lambat", "reported_by": "Ani", "opened_at": now(),
             "status": "open"},
        )  # fmt: skip
    _opened_hours_ago(store, before, 2)
    closed = incidents.close_incident(store, sop, before, by="Ani", resolution="Hidup")
    assert (closed["duration_s"], closed["limit_s"], closed["within_limit"]) == (
        7200, 4 * 3600, True,
    )  # fmt: skip
    # A later catalogue (a minute for each activity) changes nothing.
    stricter = dataclasses.replace(sop, activities=tuple(
        dataclasses.replace(a, limit_seconds=60) for a in sop.activities
    ))  # fmt: skip
    [row] = incidents.listing(store, stricter)
    assert (row["limit_s"], row["within_limit"]) == (4 * 3600, True)


def test_close_says_how_long_and_against_which_limit(
    cli: Cli, store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`incident close` said only "Incident N closed.": now its time to resolution and the
    Mutu Baku it is judged against, and `open` names no limit as such."""
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    for file in (REPO / "runner" / "sop" / "catalogue").iterdir():
        (catalogue / file.name).write_bytes(file.read_bytes())
    own = catalogue / "server-incident.yml"
    own.write_text(own.read_text().replace("waktu: 1h\n    waktu_text: 1 jam", "waktu: null", 1))
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    opened = ("incident", "open", "--summary", "Mati", "--by", "B")
    assert cli(*opened, "--host", "sipp")[0] == 0
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(catalogue))
    code, out, err = cli(*opened, "--host", "web")
    assert code == 0, err
    assert out.startswith("Incident 2 opened for web (no Mutu Baku); ")
    store = Store(store_url)
    _opened_hours_ago(store, 1, 5)
    store.close()
    close = ("--by", "B", "--resolution", "Hidup")
    code, out, err = cli("incident", "close", "1", *close)
    assert (code, out) == (0, "Incident 1 closed after 5 jam, over its Mutu Baku (4 jam).\n"), err
    code, out, err = cli("incident", "close", "2", *close)
    assert (code, out) == (0, "Incident 2 closed after 0 detik, no Mutu Baku applies.\n"), err


def test_an_incident_closed_before_it_was_opened_is_not_judged(
    cli: Cli, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The controller's clock set back between opening and closing: the handling read
    "tidak terukur (jam mundur)" yet "within its Mutu Baku" (a negative time is under any
    limit). It is judged by none, in `close`'s line and in every listing."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner" / "sop" / "catalogue"))
    opened = ("incident", "open", "--host", "sipp", "--summary", "Mati", "--by", "B")
    assert cli(*opened)[0] == 0
    store = Store(store_url)
    _opened_hours_ago(store, 1, -1)  # opened an hour ahead of the clock now
    store.close()
    code, out, err = cli("incident", "close", "1", "--by", "B", "--resolution", "Hidup")
    assert (code, out) == (0, "Incident 1 closed after tidak terukur (jam mundur), "
                              "not judged by its Mutu Baku (4 jam).\n"), err
    sop = load_catalogue(REPO / "runner" / "sop" / "catalogue")["server-incident"]
    [row] = incidents.listing(Store(store_url), sop)
    assert (row["limit_s"], row["within_limit"]) == (4 * 3600, None)
