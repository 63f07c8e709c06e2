"""The monthly and regional reports over crafted records: a weekly SOP's planned runs by
its calendar or by whole weeks, courts of one name kept apart by their kode satker, the
one clock of the regional view named, and the manual steps of a run that failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sop.store import Store

from .conftest import craft_execution
from .test_report import A, _inventory_with, _regional, _summary, _table

Cli = Callable[..., tuple[int, str, str]]
WEEKLY = "SOP Uji Rahasia"  # the fixture catalogue's weekly SOP (local-secret)
WEEKLY_LEGEND = (
    "menurut frekuensinya (SOP mingguan sekali tiap 7 hari penuh, karena hari "
    "pelaksanaannya tidak diketahui)."
)


def _satker(store: Store, execution: int, code: str) -> None:
    """Record `execution` as run for the court of kode satker `code`, as `sop run` records
    an inventory's court_kode_satker."""
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"court_kode_satker": code}, "id = :key_id", key_id=execution)


def test_a_weekly_sop_is_planned_by_its_mondays_else_by_whole_weeks(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """November 2026 has 5 Mondays and 30 days. A court whose schedule runs its weekly SOP
    `Mon *-*-* 09:00` (the default time, written in its sop_schedule) is asked for those
    5 runs; without a known schedule (--court, the regional view) the month's whole weeks
    are asked for, 4, not the 5 weeks begun, and the report says so."""
    craft_execution(store_at, "local-secret", datetime(2026, 10, 31, 20, tzinfo=UTC), court=A)
    inventory = _inventory_with(tmp_path, "sop_schedule:\n  local-secret: 'Mon *-*-* 09:00'\n")
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert code == 0, err
    assert _summary(out)[WEEKLY][2] == "5"
    assert "SOP mingguan" not in out  # its days are known
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _summary(out)[WEEKLY][2] == "4"
    assert f"SOP dijalankan di pengadilan ini: {WEEKLY_LEGEND}" in out
    code, out, err = cli("report", "--month", "2026-11", "--all-courts")
    assert code == 0, err
    totals, rows = _regional(out)
    assert rows[(A, WEEKLY)][0] == "4" and totals[A][0] == "4"
    assert f"dijalankan di tiap pengadilan: {WEEKLY_LEGEND}" in out


def test_a_weekly_sop_started_in_the_last_days_asks_no_week_begun(
    cli: Cli, store_at: Store
) -> None:
    """A weekly SOP first run on the 25th of October 2026 (7 days to its end) is asked for
    one run; one first run on the 26th for none: no whole week of it is left."""
    craft_execution(store_at, "local-secret", datetime(2026, 10, 24, 20, tzinfo=UTC), court=A)
    craft_execution(
        store_at, "local-secret", datetime(2026, 10, 25, 20, tzinfo=UTC), court="PN Lain"
    )
    code, out, err = cli("report", "--month", "2026-10", "--all-courts")
    assert code == 0, err
    _, rows = _regional(out)
    assert rows[(A, WEEKLY)][:2] == ["1", "1"]
    assert rows[("PN Lain", WEEKLY)][:2] == ["0", "1"]


def test_courts_of_one_name_stay_apart_by_their_kode_satker(cli: Cli, store_at: Store) -> None:
    """Two courts recorded under one court_name with different kode satker are two rows
    of the regional view, each named with its code and planned from its own first run
    (a run of that name recorded without a code is of neither: a row of its own); a run
    recorded without a code (before the inventory had one) is of the one court of its
    name otherwise."""
    first = craft_execution(store_at, "local-demo", datetime(2026, 10, 20, 3, tzinfo=UTC), court=A)
    _satker(store_at, first, "401001")
    for day in (3, 4):
        ran = craft_execution(store_at, "local-demo", datetime(2026, 11, day, 3, tzinfo=UTC),
                              court=A)  # fmt: skip
        _satker(store_at, ran, "401001")
    other = craft_execution(store_at, "local-demo", datetime(2026, 11, 19, 20, tzinfo=UTC),
                            court=A, status="failed")  # fmt: skip
    _satker(store_at, other, "401002")
    craft_execution(store_at, "local-demo", datetime(2026, 11, 2, 3, tzinfo=UTC), court=A)
    craft_execution(store_at, "local-demo", datetime(2026, 11, 2, 3, tzinfo=UTC), court="PN Lain")
    coded = craft_execution(
        store_at, "local-demo", datetime(2026, 11, 5, 3, tzinfo=UTC), court="PN Lain"
    )
    _satker(store_at, coded, "402000")
    code, out, err = cli("report", "--month", "2026-11", "--all-courts")
    assert code == 0, err
    assert out.startswith("# Laporan Pelaksanaan SOP Wilayah — November 2026\n\n4 pengadilan.")
    totals, rows = _regional(out)
    one, two = f"{A} (kode satker 401001)", f"{A} (kode satker 401002)"
    unknown, lain = f"{A} (kode satker tidak tercatat)", "PN Lain (kode satker 402000)"
    assert list(totals) == [lain, one, two, unknown]
    # planned (from October for the first, from the 20th of November for the second),
    # executed, successful, rate, not successful
    assert rows[(one, "SOP Uji Lokal")] == ["30", "2", "2", "100%", "0"]
    assert rows[(two, "SOP Uji Lokal")] == ["11", "1", "0", "0%", "1"]
    assert rows[(unknown, "SOP Uji Lokal")] == ["29", "1", "1", "100%", "0"]
    assert rows[(lain, "SOP Uji Lokal")] == ["29", "2", "2", "100%", "0"]
    # `sop overdue` judges a court by its name: the daily SOP of the shared name, last
    # run in November, is overdue for all its courts at once, and the view says so
    overdue = out.split("## SOP terlambat (saat laporan dibuat)")[1].split("\n## ", 1)[0]
    assert f"| {A} (kode satker 401001, 401002, tidak tercatat: dinilai bersama) | " in overdue
    assert f"| {lain} | SOP Uji Lokal | " in overdue
    code, out, err = cli("report", "--month", "2026-11", "--court", "PN Lain")
    assert code == 0, err
    assert f"Pengadilan: {lain}\n" in out


def test_a_courts_report_chooses_one_court_of_a_shared_name_by_its_kode_satker(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """A court's report under a name two courts (kode satker) ran under in the month held
    both courts' runs, said to be mixed. Refused, one line naming their codes; the code
    chooses one (--kode-satker, else -i's court_kode_satker): its runs only (not the other
    court's, nor one of the name recorded without a code), planned from its own first run,
    headed with its code. A code the name never recorded is refused, as is one other than
    -i's."""
    first = craft_execution(store_at, "local-demo", datetime(2026, 10, 20, 3, tzinfo=UTC), court=A)
    _satker(store_at, first, "401001")
    mine = []
    for day in (3, 4):
        mine.append(craft_execution(store_at, "local-demo", datetime(2026, 11, day, 3, tzinfo=UTC),
                                    court=A))  # fmt: skip
        _satker(store_at, mine[-1], "401001")
    other = craft_execution(store_at, "local-demo", datetime(2026, 11, 19, 20, tzinfo=UTC),
                            court=A, status="failed")  # fmt: skip
    _satker(store_at, other, "401002")
    craft_execution(store_at, "local-demo", datetime(2026, 11, 2, 3, tzinfo=UTC), court=A)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert (code, out) == (2, "")
    assert err == (
        f"sop: error: {A!r} names 2 courts in November 2026 (kode satker 401001, 401002): "
        "give --kode-satker CODE for one court's report\n"
    )
    for chosen, ids, summary in (
        ("401001", mine, ["30", "2", "2", "100%"]),  # planned from October
        ("401002", [other], ["11", "1", "0", "0%"]),  # from 20 November, WIB
    ):
        code, out, err = cli("report", "--month", "2026-11", "--court", A, "--kode-satker", chosen)
        assert code == 0, err
        assert f"Pengadilan: {A} (kode satker {chosen})\n" in out
        assert _summary(out)["SOP Uji Lokal"][2:6] == summary
        runs = _table(out, "SOP Uji Lokal", "Pelaksanaan")
        assert [int(line.split(" | ")[0].strip("| ")) for line in runs] == ids  # no uncoded
    inventory = _inventory_with(tmp_path, "court_kode_satker: '401002'\n")
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert code == 0, err
    assert f"Pengadilan: {A} (kode satker 401002)\n" in out
    code, out, err = cli("report", "--month", "2026-11", "--court", A, "--kode-satker", "401003")
    assert (code, out) == (2, "")
    assert err == (
        f"sop: error: kode satker '401003': no execution of {A!r} recorded it (kode satker "
        "recorded in November 2026: 401001, 401002)\n"
    )
    code, out, err = cli(
        "report", "--month", "2026-11", "-i", str(inventory), "--kode-satker", "401001"
    )
    assert (code, out) == (2, "")
    assert err == (
        "sop: error: --kode-satker '401001' differs from the inventory's court_kode_satker "
        "'401002'\n"
    )
    code, out, err = cli("report", "--month", "2026-11", "--all-courts", "--kode-satker", "401001")
    assert (code, out, err) == (
        2, "", "sop: error: --kode-satker chooses one court's report: not with --all-courts\n"
    )


def test_the_regional_view_names_the_one_clock_it_judges_every_court_on(
    cli: Cli, store_at: Store
) -> None:
    """The records keep no court's own clock: a WITA court's run at 00:30 WITA on the 1st
    of November is 23:30 WIB on the 31st of October, October's on the view's WIB clock,
    November's on --timezone WITA; the view says which clock it judged every court on."""
    craft_execution(store_at, "local-demo", datetime(2026, 10, 31, 16, 30, tzinfo=UTC), court=A)
    for zone, clock, month, runs in (
        ("WIB", "WIB (Asia/Jakarta)", "2026-10", "1"),
        ("WITA", "WITA (Asia/Makassar)", "2026-11", "1"),
        ("WIB", "WIB (Asia/Jakarta)", "2026-11", "0"),
    ):
        code, out, err = cli("report", "--month", month, "--all-courts", "--timezone", zone)
        assert code == 0, err
        assert (
            "Zona waktu masing-masing pengadilan (WIB, WITA, WIT) tidak tercatat pada catatan "
            f"eksekusi: hari dan jam semua pengadilan di laporan ini dinilai menurut {clock}."
        ) in out
        assert _regional(out)[1][(A, "SOP Uji Lokal")][1] == runs


def _manual_step(store: Store, execution: int) -> None:
    """Make activity 2 of `execution` a manual step recorded waiting, as `sop run` records
    a manual activity at the start of its run."""
    with store.db.transaction(write=True) as tx:
        tx.update("activity_results", {"mode": "manual", "status": "pending-manual"},
                  "execution_id = :key_id AND number = 2", key_id=execution)  # fmt: skip


def test_a_failed_runs_manual_step_is_not_awaited(cli: Cli, store_at: Store) -> None:
    """A manual step of a run that failed (or was cut short) is no step still to confirm:
    the report says it was not confirmed because the run failed, and counts it not among
    those waiting; a successful run's still waits; one acknowledged says who confirmed it,
    failed run or not."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    ok = craft_execution(store_at, "local-demo", day, court=A, activities=2)
    failed = craft_execution(store_at, "local-demo", day, court=A, activities=2, status="failed")
    cut = craft_execution(store_at, "local-demo", day, court=A, activities=2, status="interrupted")
    for execution in (ok, failed, cut):
        _manual_step(store_at, execution)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][6] == "1"
    steps = _table(out, "SOP Uji Lokal", "Langkah manual")
    assert steps == [
        f"| {ok} | 2 | Kegiatan 2 | BELUM DIKONFIRMASI |",
        f"| {failed} | 2 | Kegiatan 2 | Tidak dikonfirmasi: eksekusi gagal |",
        f"| {cut} | 2 | Kegiatan 2 | Tidak dikonfirmasi: eksekusi terputus |",
    ]
    store_at.acknowledge(failed, 2, "Siti", None)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _table(out, "SOP Uji Lokal", "Langkah manual")[1].startswith(
        f"| {failed} | 2 | Kegiatan 2 | Dikonfirmasi oleh Siti ("
    )
