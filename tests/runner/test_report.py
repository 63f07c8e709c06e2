"""The monthly report (Markdown/HTML) over crafted records: the court's clock, what is
counted as an execution, empty months, and what a host reported shown, never crashing."""

from __future__ import annotations

import html
import math
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt

from sop import report, report_pdf
from sop.catalogue import load_catalogue
from sop.store import Store, now

from .conftest import INVENTORY, REPO, craft_execution

Cli = Callable[..., tuple[int, str, str]]
A = "Pengadilan Negeri Uji"  # the fixture inventory's court
WIB = ZoneInfo("Asia/Jakarta")




def _inventory_with(tmp_path: Path, group_vars: str) -> Path:
    """The fixture inventory (court A) with `group_vars` added to its all.yml."""
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    with (inventory / "group_vars/all.yml").open("a") as file:
        file.write(group_vars)
    return inventory


def _runs(out: str, sop_title: str) -> str:
    """The "Pelaksanaan" table of one SOP's section of a Markdown report."""
    section = out.split(f"## {sop_title} (")[1].split("\n## ", 1)[0]
    if "### Pelaksanaan" not in section:
        return ""
    return section.split("### Pelaksanaan")[1].split("###")[0]


def test_months_and_times_are_the_courts_clock(
    cli: Cli, store_at: Store, controller_at_utc: None, tmp_path: Path
) -> None:
    """A run at 03:00 WIB on the 1st of November is November's, written 03:00, on a
    controller kept at UTC (where it is 20:00 on the 31st of October); a WITA court
    (sop_schedule.timezone) reads it at 04:00."""
    first = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)  # 2026-11-01 03:00 WIB
    ran = craft_execution(store_at, "local-demo", first, court=A)
    craft_execution(store_at, "local-demo", datetime(2026, 10, 20, 3, tzinfo=UTC), court=A)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert f"| {ran} | 01-11-2026 03:00 |" in _runs(out, "SOP Uji Lokal")
    assert "Periode: 1 November 2026 s.d. 30 November 2026" in out
    code, out, err = cli("report", "--month", "2026-10", "--court", A)
    assert code == 0, err
    assert f"| {ran} |" not in _runs(out, "SOP Uji Lokal")
    # A WITA court: its inventory's sop_schedule.timezone, as a tz database name or as
    # its admins write it (refused before: "'WITA' is not a time zone").
    for wita in ("Asia/Makassar", "WITA", "Wita"):
        inventory = _inventory_with(tmp_path / wita, f"sop_schedule:\n  timezone: {wita}\n")
        code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
        assert code == 0, err
        assert f"| {ran} | 01-11-2026 04:00 |" in _runs(out, "SOP Uji Lokal")
    code, out, err = cli("report", "--month", "2026-11", "--court", A, "--timezone", "WIT")
    assert code == 0, err
    assert f"| {ran} | 01-11-2026 05:00 |" in _runs(out, "SOP Uji Lokal")
    code, out, err = cli("report", "--month", "2026-11", "--court", A, "--timezone", "UTC")
    assert code == 0, err
    assert f"| {ran} |" not in _runs(out, "SOP Uji Lokal")
    code, out, err = cli("report", "--month", "2026-11", "--court", A, "--timezone", "XYZ")
    assert (code, out) == (2, "")
    assert err == (
        "sop: error: --timezone: 'XYZ' is not a time zone (WIB, WITA, WIT or a tz database "
        "name such as Asia/Makassar)\n"
    )


def test_a_report_names_the_clock_of_its_times(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """Every time a report shows (a run's start, an acknowledgement, when it was made) is
    on the clock it was made on, WIB unless -i's or --timezone's: no time said which, so a
    WITA court's 04:00 on paper could be read as WIB's (an hour later)."""
    craft_execution(store_at, "local-demo", datetime(2026, 10, 31, 20, 0, tzinfo=UTC), court=A)
    inventory = _inventory_with(tmp_path, "sop_schedule:\n  timezone: WITA\n")
    for options, clock in (
        (("--court", A), "WIB"),
        (("-i", str(inventory)), "WITA"),
        (("--court", A, "--timezone", "UTC"), "UTC"),
        (("--all-courts", "--timezone", "WIT"), "WIT"),
    ):
        code, out, err = cli("report", "--month", "2026-11", *options)
        assert code == 0, err
        period = "Periode: 1 November 2026 s.d. 30 November 2026"
        assert f"{period} (semua waktu dalam {clock}); dibuat " in out
    month = report.Month(2026, 11, ZoneInfo("Asia/Makassar"))
    assert "(semua waktu dalam WITA); dibuat " in report.to_html(report.build(store_at, {}, month))
    assert report.Month(2026, 3, ZoneInfo("Europe/Berlin")).clock == "CET/CEST"


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_out_of_range_is_bad_input(cli: Cli, store_at: Store, month: str) -> None:
    code, out, err = cli("report", "--month", month)
    assert code == 2 and out == ""
    assert err.strip() == f"sop: error: --month {month!r}: expected a month from 1970 to 9998"


@pytest.mark.parametrize("month", ["2026-1", "\uff12\uff10\uff12\uff16-01"])
def test_a_month_not_written_yyyy_mm_is_bad_input(cli: Cli, store_at: Store, month: str) -> None:
    """strptime's %m takes one digit (and %Y other digits than ASCII ones): `--month
    2026-1` made January's report, a form YYYY-MM never allowed. One line, exit 2."""
    code, out, err = cli("report", "--month", month)
    assert (code, out) == (2, "")
    assert err == f"sop: error: --month {month!r}: expected YYYY-MM\n"


def _summary(out: str) -> dict[str, list[str]]:
    table = out.split("## Ringkasan")[1].split("\n## ", maxsplit=1)[0]
    rows = [line.strip("|").split(" | ") for line in table.splitlines() if line.startswith("| ")]
    return {row[0].strip(): [c.strip() for c in row[1:]] for row in rows[1:]}


def test_check_mode_and_running_executions_are_counted_for_what_they_are(
    cli: Cli, store_at: Store
) -> None:
    """A dry run (--check) performs nothing: it is listed, marked, but neither planned
    work done nor a failure; a run still going is neither a success nor a failure."""
    day = datetime.now(UTC).replace(day=1, hour=5, minute=0, second=0, microsecond=0)
    month = day.strftime("%Y-%m")
    craft_execution(store_at, "local-demo", day, court=A)
    craft_execution(store_at, "local-demo", day + timedelta(minutes=5), court=A, check_mode=True)
    craft_execution(store_at, "local-demo", day + timedelta(minutes=9), court=A, status="running")
    code, out, err = cli("report", "--month", month, "--court", A)
    assert code == 0, err
    executed, successful, rate = _summary(out)["SOP Uji Lokal"][3:6]
    assert (executed, successful, rate) == ("2", "1", "100%")  # the running one not judged
    assert "| ya | Berhasil |" in _runs(out, "SOP Uji Lokal")  # the dry run is still listed
    code, out, err = cli("report", "--month", month, "--all-courts")
    assert code == 0, err
    detail = out.split("## Rincian per pengadilan dan SOP")[1]
    row = next(line for line in detail.splitlines() if f"| {A} | SOP Uji Lokal |" in line)
    assert row.split(" | ")[3:] == ["2", "1", "100%", "0 |"]


def test_a_partial_run_is_listed_marked_and_not_counted(cli: Cli, store_at: Store) -> None:
    """A run of chosen activities (`sop run --activity 2`) is listed, marked "sebagian:
    kegiatan 2", but, as a dry run, neither a planned run done (the court's report, the
    regional view) nor judged against the Mutu Baku."""
    day = datetime.now(UTC).replace(day=1, hour=5, minute=0, second=0, microsecond=0)
    month = day.strftime("%Y-%m")
    craft_execution(store_at, "local-demo", day, court=A)
    later = day + timedelta(minutes=5)
    craft_execution(store_at, "local-demo", later, court=A, activities=2, partial="2")
    code, out, err = cli("report", "--month", month, "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][3:6] == ["1", "1", "100%"]
    assert "| tidak | Berhasil (sebagian: kegiatan 2) |" in _runs(out, "SOP Uji Lokal")
    assert "30 detik" not in out.split("### Kegiatan terhadap Mutu Baku")[1]
    code, out, err = cli("report", "--month", month, "--all-courts")
    assert code == 0, err
    detail = out.split("## Rincian per pengadilan dan SOP")[1]
    row = next(line for line in detail.splitlines() if f"| {A} | SOP Uji Lokal |" in line)
    assert row.split(" | ")[3:] == ["1", "1", "100%", "0 |"]


def _table(out: str, sop_title: str, heading: str) -> list[str]:
    """The rows of one table (under `### heading`) of one SOP's section, header left out."""
    section = out.split(f"## {sop_title} (")[1].split("\n## ", 1)[0]
    table = section.split(f"### {heading}\n")[1].split("###")[0] if heading in section else ""
    return [line for line in table.splitlines() if line.startswith("| ")][1:]


def test_a_partial_runs_files_and_human_part_are_listed_marked(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """`sop run local-demo --activity 2` makes the backup and records its file as a whole
    run does: the court's evidence lists that file, marked as a partial run's, and the
    backup's human part (the copy in the archive cabinet) among the manual steps waiting,
    marked alike and counted, until acknowledged; the activities the run did not choose
    are not listed, and the run is still no planned run done. A dry run made no file and
    asks for nothing, even one whose record names a file."""
    work = tmp_path / "work"
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", "--activity", "2"
    )
    assert code == 0, err
    dry = craft_execution(store_at, "local-demo", datetime.now(UTC), court=A, activities=2,
                          check_mode=True, partial="2")
    with store_at.db.transaction(write=True) as tx:
        tx.update("activity_results", {"outputs": [{"path": "/dry.sql", "sha256": "0" * 64}]},
                  "execution_id = :key_id AND number = 2", key_id=dry)
    code, out, err = cli("report", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][3:7] == ["0", "0", "-", "1"]
    files = _table(out, "SOP Uji Lokal", "Output (ADK / berkas)")
    assert len(files) == 1 and "dump.sql" in files[0], files
    assert files[0].startswith("| 1 (sebagian: kegiatan 2) | localhost | ")
    waiting = "BELUM DIKONFIRMASI: Salinan berkas disimpan di lemari arsip"
    assert _table(out, "SOP Uji Lokal", "Langkah manual") == [
        f"| 1 (sebagian: kegiatan 2) | 2 | Backup berkas uji | {waiting} |"
    ]
    code, page, err = cli("report", "--court", A, "--format", "html")
    assert code == 0, err
    assert page.count("<tr><td>1 (sebagian: kegiatan 2)</td>") == 2  # the file, the human part
    code, _, err = cli("ack", "1", "2", "--by", "Siti", "--note", "lemari 3")
    assert code == 0, err
    code, out, err = cli("report", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][6] == "0"
    assert [row.split(" | ")[0] for row in _table(out, "SOP Uji Lokal", "Langkah manual")] == [
        "| 1 (sebagian: kegiatan 2)"
    ]


def test_a_partial_runs_restore_drill_is_listed_marked(cli: Cli, store_at: Store) -> None:
    """A restore drill run alone (`sop run it-security --activity N`) restored a backup for
    real: it is evidence as a whole run's drill is, listed marked; a dry run's is not."""
    when = datetime.now(UTC)
    drill = {"restore_drill": [{"kind": "sipp", "backup": "sipp-1.sql.zst", "status": "ok",
                                "seconds": 42}]}
    for check_mode in (False, True):
        run = craft_execution(store_at, "local-demo", when, court=A, activities=2,
                              check_mode=check_mode, partial="2")
        with store_at.db.transaction(write=True) as tx:
            tx.update("activity_results", {"outputs": [drill]},
                      "execution_id = :key_id AND number = 2", key_id=run)
    code, out, err = cli("report", "--court", A)
    assert code == 0, err
    rows = _table(out, "SOP Uji Lokal", "Uji restorasi backup")
    assert len(rows) == 1 and rows[0].startswith("| 1 (sebagian: kegiatan 2) | sipp | "), rows


def test_a_month_without_executions_still_reports_the_court(cli: Cli, store_at: Store) -> None:
    """The month a court ran nothing is the one its head must see: the court named, its
    planned runs and 0 done, not "belum dimulai" under "Pengadilan: -"."""
    craft_execution(store_at, "local-demo", datetime(2026, 9, 10, 3, tzinfo=UTC), court=A)
    code, out, err = cli("report", "--month", "2026-10")
    assert code == 0, err
    assert f"Pengadilan: {A}" in out
    assert _summary(out)["SOP Uji Lokal"][2:5] == ["31", "0", "0"]
    craft_execution(store_at, "local-demo", datetime(2026, 9, 11, 3, tzinfo=UTC), court="PN Lain")
    code, out, err = cli("report", "--month", "2026-10")
    assert code == 2 and "give --court NAME" in err


HOSTILE_OUTPUTS: list[dict[str, Any]] = [
    {"restore_drill": "not a list"},
    {"restore_drill": [1, "x", None, {"status": "ok", "seconds": "soon"}]},
    {"restore_drill": {"kind": "sql"}},
    {"path": ["a", "b"], "sha256": {"x": 1}, "size": 10**400},
    {"available": True},
]


def test_outputs_of_any_shape_never_crash_a_report(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """Outputs are what a host's module returned: a compromised host chooses their
    shape. Every report shows them as text, or leaves them out, and never crashes."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    execution = craft_execution(store_at, "local-demo", day, court=A, activities=1)
    with store_at.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"outputs": [*HOSTILE_OUTPUTS, "a bare string", 7, ["a", "list"]]},
            "execution_id = :key_id",
            key_id=execution,
        )
    for fmt in ("md", "html"):
        code, out, err = cli("report", "--month", "2026-11", "--court", A, "--format", fmt)
        assert code == 0, err
        assert "soon" in out  # shown as the host wrote it
    if shutil.which("pdftotext") is None:
        return
    pdf = tmp_path / "laporan.pdf"
    code, _, err = cli(
        "report", "--month", "2026-11", "--court", A, "--format", "pdf", "-o", str(pdf)
    )
    assert code == 0, err
    code, out, err = cli("execution", str(execution))
    assert code == 0, err


def _regional(out: str) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """The regional view's per-court totals and its per court and SOP rows."""
    def rows(table: str) -> list[list[str]]:
        lines = [line.strip("|").split(" | ") for line in table.splitlines()
                 if line.startswith("| ")]
        return [[c.strip() for c in line] for line in lines[1:]]

    totals = out.split("## Ringkasan per pengadilan")[1].split("\n## ", 1)[0]
    detail = out.split("## Rincian per pengadilan dan SOP")[1]
    return (
        {row[0]: row[1:] for row in rows(totals)},
        {(row[0], row[1]): row[2:] for row in rows(detail)},
    )


def test_the_regional_view_plans_from_each_courts_first_run(
    cli: Cli, store_at: Store
) -> None:
    """A court that first ran a SOP on the 25th is asked for 7 daily runs that month, not
    31, and for none of a SOP it has not started: as its own report says."""
    craft_execution(store_at, "local-demo", datetime(2026, 10, 24, 20, tzinfo=UTC), court=A)
    craft_execution(store_at, "local-demo", datetime(2026, 10, 1, 1, tzinfo=UTC), court="PN Lain")
    code, out, err = cli("report", "--month", "2026-10", "--court", A)
    assert code == 0, err
    court = _summary(out)
    assert court["SOP Uji Lokal"][2] == "7"  # 25-31 October WIB
    assert court["SOP Uji Rahasia"][2] == "belum dimulai"
    code, out, err = cli("report", "--month", "2026-10", "--all-courts")
    assert code == 0, err
    totals, rows = _regional(out)
    assert rows[(A, "SOP Uji Lokal")][0] == "7"
    assert rows[(A, "SOP Uji Rahasia")][0] == "belum dimulai"
    assert rows[(A, "SOP Uji Manual")][0] == "-"
    assert totals[A][0] == "7"
    assert rows[("PN Lain", "SOP Uji Lokal")][0] == "31"
    assert totals["PN Lain"][0] == "31"


def test_a_month_before_a_sops_first_run_is_not_started_not_zero(
    cli: Cli, store_at: Store
) -> None:
    """A month wholly before a SOP first ran at the court showed "0" planned, as if the
    court had been asked for nothing and done it: it had not started the SOP yet."""
    craft_execution(store_at, "local-demo", datetime(2026, 10, 24, 20, tzinfo=UTC), court=A)
    code, out, err = cli("report", "--month", "2026-09", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][2] == "belum dimulai"
    code, out, err = cli("report", "--month", "2026-09", "--all-courts")
    assert code == 0, err
    totals, rows = _regional(out)
    assert rows[(A, "SOP Uji Lokal")][0] == "belum dimulai"
    assert totals[A][0] == "0"


def test_an_interrupted_runs_duration_says_it_was_cut_short(cli: Cli, store_at: Store) -> None:
    """An interrupted run's duration is up to the last its record knows (Store.reap_stale),
    and the report says the run was cut short there, in the Markdown and HTML reports."""
    execution = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                                court=A, status="interrupted")  # fmt: skip
    for fmt in ("md", "html"):
        code, out, err = cli("report", "--month", "2026-11", "--court", A, "--format", fmt)
        assert code == 0, err
        assert "2 menit (sampai terputus)" in out, out
    craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 3, tzinfo=UTC), court=A)
    code, out, _ = cli("report", "--month", "2026-11", "--court", A)
    assert out.count("(sampai terputus)") == 1 and f"| {execution} | " in out


def test_the_human_part_of_an_automated_activity_waits_until_acknowledged(
    cli: Cli, store_at: Store
) -> None:
    """local-demo's activity 2 is automated with a human part (manual_step: the copy in
    the archive cabinet; the website SOP's invoice payment). Until someone acknowledges
    it, the report lists it as not confirmed and counts it, instead of leaving it out as
    if nothing were asked; a dry run asks nothing."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    ran = craft_execution(store_at, "local-demo", day, court=A, activities=2)
    craft_execution(store_at, "local-demo", day, court=A, activities=2, check_mode=True)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][6] == "1"
    manual = out.split("### Langkah manual")[1].split("\n## ", 1)[0]
    assert [line for line in manual.splitlines() if line.startswith("| ")][1:] == [
        f"| {ran} | 2 | Kegiatan 2 | BELUM DIKONFIRMASI: Salinan berkas disimpan di lemari "
        "arsip |"
    ]
    store_at.acknowledge(ran, 2, "Siti", "lemari 3", manual_step=True)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][6] == "0"
    assert "Dikonfirmasi oleh Siti" in out and "BELUM DIKONFIRMASI" not in out


def test_the_human_part_waits_only_when_its_activity_says_it_is_due(
    cli: Cli, store_at: Store
) -> None:
    """An activity whose outputs say `manual_step_due` (the website SOP's renewals: a
    domain, certificate or contract within its warning days or expired) asks for its human
    part only when it is due: a weekly run with nothing to renew does not list an invoice
    to pay as not confirmed every week."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    quiet = craft_execution(store_at, "local-demo", day, court=A, activities=2)
    due = craft_execution(store_at, "local-demo", day, court=A, activities=2)
    for execution, said in ((quiet, False), (due, True)):
        with store_at.db.transaction(write=True) as tx:
            tx.update("activity_results", {"outputs": [{"renewals": [], "manual_step_due": said}]},
                      "execution_id = :key_id AND number = 2", key_id=execution)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][6] == "1"
    manual = out.split("### Langkah manual")[1].split("\n## ", 1)[0]
    assert [line.split(" | ")[0] for line in manual.splitlines() if line.startswith("| ")][1:] \
        == [f"| {due}"]


def test_a_report_for_an_inventory_shows_the_courts_own_mutu_baku(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """The activity table's Mutu Baku is the court's own time under -i
    (sop_catalogue_overrides.<sop>.waktu), the time its runs were judged against, not
    the catalogue's beside over-time counts that contradict it. Without -i (`--court`,
    a regional store) the report knows no court's time: it shows the time the runs
    recorded, which their over-time counts were judged against, not the catalogue's."""
    execution = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                                court=A, activities=1)
    _judged_against(store_at, execution, 4 * 3600)  # as a run under the override records
    inventory = _inventory_with(
        tmp_path, "sop_catalogue_overrides:\n  local-demo:\n    waktu: {1: 4h}\n")
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert code == 0, err
    assert "4 jam (SOP pengadilan ini)" in out.split("## SOP Uji Lokal (")[1]
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert "SOP pengadilan ini" not in out
    assert _activity(out, "SOP Uji Lokal", "1")[3] == "4 jam (tercatat saat pelaksanaan)"


def test_the_mutu_baku_shown_is_the_one_each_run_was_judged_against(
    cli: Cli, store_at: Store
) -> None:
    """Runs judged against another time than today's catalogue's (a catalogue changed
    since, a court's time changed within the month) show every time they recorded; runs
    recorded with the catalogue's time show its wording."""
    first = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                            court=A, activities=2)
    second = craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 3, tzinfo=UTC),
                             court=A, activities=2)
    _judged_against(store_at, first, 300)  # the catalogue's 5m for activity 1
    _judged_against(store_at, second, 7200)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _activity(out, "SOP Uji Lokal", "1")[3] == "5 menit; 2 jam (tercatat saat pelaksanaan)"
    december = craft_execution(store_at, "local-demo", datetime(2026, 12, 3, 3, tzinfo=UTC),
                               court=A, activities=2)
    _judged_against(store_at, december, 300)
    code, out, err = cli("report", "--month", "2026-12", "--court", A)
    assert code == 0, err
    assert _activity(out, "SOP Uji Lokal", "1")[3] == "5 menit"


def test_a_run_over_its_mutu_baku_never_reads_as_within_it(cli: Cli, store_at: Store) -> None:
    """An activity of 900.4 seconds judged over its 15 minutes read "15 menit" beside
    "Melebihi" (rounded to the nearest second): its duration is rounded up instead, in
    the report (Markdown, HTML) and in `sop execution`; one within its time stays as it
    was."""
    over = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                           court=A, activities=2)
    with store_at.db.transaction(write=True) as tx:
        tx.update("activity_results", {"duration_s": 900.4, "limit_s": 900, "over_time": True},
                  "execution_id = :key_id AND number = 1", key_id=over)
        tx.update("activity_results", {"duration_s": 59.6, "limit_s": 60, "over_time": False},
                  "execution_id = :key_id AND number = 2", key_id=over)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    first, second = (_activity(out, "SOP Uji Lokal", number) for number in ("1", "2"))
    assert first[3:] == [
        "15 menit (tercatat saat pelaksanaan)", "15 menit 1 detik", "15 menit 1 detik", "1 kali"
    ]
    assert second[3:] == ["1 menit (tercatat saat pelaksanaan)", "1 menit", "1 menit", "-"]
    code, page, err = cli("report", "--month", "2026-11", "--court", A, "--format", "html")
    assert code == 0 and page.count("<td>15 menit 1 detik</td>") == 2, err
    code, shown, err = cli("execution", str(over))
    assert code == 0 and "15 menit 1 detik / 15 menit OVER" in shown, err
    assert "1 menit / 1 menit" in shown


def _judged_against(store: Store, execution: int, limit_s: int) -> None:
    """Record that `execution`'s activity 1 was judged against `limit_s` seconds."""
    with store.db.transaction(write=True) as tx:
        tx.update("activity_results", {"limit_s": limit_s},
                  "execution_id = :key_id AND number = 1", key_id=execution)


def _activity(out: str, sop_title: str, number: str) -> list[str]:
    """A row of one SOP's "Kegiatan terhadap Mutu Baku" table of a Markdown report."""
    section = out.split(f"## {sop_title} (")[1].split("### Kegiatan terhadap Mutu Baku")[1]
    rows = [line.strip("| ").split(" | ") for line in section.split("\n###")[0].splitlines()]
    return next(row for row in rows if row[0] == number)


def _planned(cli: Cli, *scope: str) -> tuple[str, str]:
    """SOP Uji Lokal's planned runs in October 2026: in the court's report for `scope`,
    and the court's in the regional view (which knows no court's schedule)."""
    code, out, err = cli("report", "--month", "2026-10", *scope)
    assert code == 0, err
    code, regional, err = cli("report", "--month", "2026-10", "--all-courts")
    assert code == 0, err
    return _summary(out)["SOP Uji Lokal"][2], _regional(regional)[1][(A, "SOP Uji Lokal")][0]


def test_a_courts_own_times_are_what_its_report_plans(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """A court that runs its daily SOP `Mon..Fri 08:00` (sop_schedule) was planned every
    day of the month: 8-10 runs "missed" a month that no timer was ever to make. Under -i
    its report plans the times of its schedule in the month, on its clock, from the day
    the SOP first ran there; without -i (--court, the regional view) no schedule is known
    and the period counts, as before. The report says which SOPs follow the schedule."""
    # Wednesday 7 October 01:00 WIT, the court's clock; still Tuesday the 6th in WIB
    craft_execution(store_at, "local-demo", datetime(2026, 10, 6, 16, tzinfo=UTC), court=A)
    inventory = _inventory_with(
        tmp_path, "sop_schedule:\n  timezone: Asia/Jayapura\n  local-demo: 'Mon..Fri 08:00'\n"
    )
    assert _planned(cli, "-i", str(inventory)) == ("18", "26")  # 7-9, 12-16, 19-23, 26-30 Oct
    assert _planned(cli, "--court", A) == ("26", "26")  # 6-31 October WIB, every day
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][2] == "21"  # the weekdays of November
    assert (
        "menurut jadwal pengadilan ini (sop\\_schedule): SOP Uji Lokal (waktu terjadwal yang "
        "sudah tiba); SOP lain menurut frekuensinya (SOP mingguan sekali tiap 7 hari penuh, "
        "karena hari pelaksanaannya tidak diketahui)." in out
    )
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert "sop_schedule" not in out


@pytest.mark.parametrize(
    ("times", "planned"),
    [
        # every 2 minutes of 08:00-08:58, 6-31 October (the first run's day on)
        ("'*-*-* 08:00/2'", "780"),
        # 19 weekdays at 08:00 and two times a day on 26 days
        ("['Mon..Fri 08:00', '*-*-* 09,13:00']", "71"),
        ("daily", "26"),
        # a form systemd refuses (a weekday range that wraps): by the frequency
        ("'Fri..Mon 08:00'", "26"),
    ],
)
def test_a_schedule_is_planned_as_systemd_runs_it(
    cli: Cli, store_at: Store, tmp_path: Path, times: str, planned: str
) -> None:
    """Lists, repetitions and shorthands are counted as systemd runs them (they were
    planned by the period); a calendar systemd itself refuses leaves the SOP planned by its
    frequency, as `sop overdue -i` judges it."""
    craft_execution(store_at, "local-demo", datetime(2026, 10, 6, 16, tzinfo=UTC), court=A)
    inventory = _inventory_with(tmp_path, f"sop_schedule:\n  local-demo: {times}\n")
    assert _planned(cli, "-i", str(inventory)) == (planned, "26")


def test_a_scheduled_time_still_to_come_is_not_planned_yet(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """This month's report made before the schedule's next time: that time is not asked
    for yet (the period rule asks for the whole of today)."""
    t = now()
    craft_execution(store_at, "local-demo", t - timedelta(minutes=1), court=A)
    soon = (t + timedelta(hours=2)).astimezone(WIB)
    inventory = _inventory_with(
        tmp_path, f"sop_schedule:\n  local-demo: '*-*-{soon:%d} {soon:%H:%M}'\n"
    )
    code, out, err = cli("report", "-i", str(inventory))
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][2] == "0"


def test_a_name_in_bytes_that_are_no_utf8_is_shown_in_every_report(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """A file an intruder named in bytes that are no UTF-8 reaches the record as Python
    keeps them, lone surrogates: every report (md, html, pdf) written to a file failed on
    it, an internal error, and the month's evidence was not made. Its byte is shown as
    its escape, as a control character is."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    execution = craft_execution(store_at, "local-demo", day, court=A, activities=1)
    planted = [  # a word of 40 characters or more is a PDF cell's long word (report_pdf)
        name.decode("utf-8", "surrogateescape")
        for name in (
            b"/var/www/html/shell\xff.php", b"/var/www/html/wp-content/uploads/2026/x\xff.php"
        )
    ]
    with store_at.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"outputs": [{"path": name, "sha256": "ab" * 32, "size": 5} for name in planted]},
            "execution_id = :key_id",
            key_id=execution,
        )
    shown_in = {"md": "shell\\\\udcff.php", "html": "shell\\udcff.php", "pdf": ""}
    for fmt, shown in shown_in.items():
        written = tmp_path / f"laporan.{fmt}"
        code, _, err = cli(
            "report", "--month", "2026-11", "--court", A, "--format", fmt, "-o", str(written)
        )
        assert code == 0, err
        if shown:
            assert shown in written.read_text("utf-8")  # Markdown escapes its backslash
        elif shutil.which("pdftotext") is not None:
            text = subprocess.run(["pdftotext", str(written), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert "shell\\udcff.php" in text


def test_a_name_with_a_character_drawn_as_nothing_does_not_pass_for_another(
    store_at: Store,
) -> None:
    """A webshell the intruder named `index.php` and a zero-width space, beside the site's
    own index.php: every report listed both as `index.php`, and whoever checked the real
    one found it clean. What Unicode draws as nothing is shown as its escape, in every
    format; the PDF's own headers keep their soft hyphens."""
    execution = craft_execution(
        store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC), court=A, activities=1
    )
    planted = "/var/www/html/index.php\u200b"
    with store_at.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"outputs": [{"path": planted, "sha256": "ab" * 32, "size": 5}]},
            "execution_id = :key_id",
            key_id=execution,
        )
    catalogue = load_catalogue()
    blocks = report.build(store_at, catalogue, report.Month(2026, 11), A)
    markdown, page = report.to_markdown(blocks), report.to_html(blocks)
    pdf = report_pdf.document(store_at, catalogue, report.Month(2026, 11), A)
    assert "index.php\\\\u200b" in markdown  # Markdown escapes its backslash
    for text in (page, pdf):
        assert "<td>/var/www/html/index.php\\u200b</td>" in text
    assert not any("\u200b" in text for text in (markdown, page, pdf))
    assert "Diren\u00adcanakan" in pdf and "\\xad" not in pdf


def test_a_hosts_text_reads_in_the_rendered_markdown_as_it_was_recorded(store_at: Store) -> None:
    """An error or a note is text in every report: rendered (CommonMark with GitHub's
    tables and strikethrough, as a Markdown viewer shows the report), `&copy;` stayed
    `&copy;` and not ©, `~~old~~` was not struck through."""
    text = "h1: Backup: /srv/~~old~~ &copy; &amp; <b>*x*</b> | [y](z)"
    craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC), court=A,
                    status="failed")
    with store_at.db.transaction(write=True) as tx:
        tx.update("executions", {"error": text}, "status = 'failed'")
    blocks = report.build(store_at, load_catalogue(), report.Month(2026, 11), A)
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(
        report.to_markdown(blocks)
    )
    assert f"<td>{html.escape(text, quote=False)}</td>" in rendered


def test_the_warnings_the_hosts_returned_are_listed_as_text(store_at: Store) -> None:
    """The report lists each warning an activity's hosts returned ("Peringatan dari
    host": execution, activity, host, warning), a partial run's marked, none of a dry run
    (it worked on no host) nor of a row recorded before schema v12 (NULL). A warning is a
    host's text: a Markdown table cell, heading or link in it stays text, and its controls
    are shown."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    ran = craft_execution(store_at, "local-demo", day, court=A, activities=2)
    part = craft_execution(store_at, "local-demo", day, court=A, activities=1, partial="1")
    dry = craft_execution(store_at, "local-demo", day, court=A, activities=1, check_mode=True)
    craft_execution(store_at, "local-demo", day, court=A, activities=1)  # recorded before v12
    fallback = "mydumper failed (exit 1): x; dumped again with mariadb-dump"
    forged = "a | b |\n## Laporan palsu\n[unduh](http://evil.invalid) <b>x</b> \x1b[2K\u202e"
    with store_at.db.transaction(write=True) as tx:
        for execution, number, warnings in (
            (ran, 2, [{"host": "sipp", "warning": fallback}, {"host": "web", "warning": forged}]),
            (part, 1, [{"host": "sipp", "warning": "partial"}]),
            (dry, 1, [{"host": "sipp", "warning": "dry"}]),
        ):
            tx.update("activity_results", {"warnings": warnings},
                      "execution_id = :key_id AND number = :n", key_id=execution, n=number)
    blocks = report.build(store_at, load_catalogue(), report.Month(2026, 11), A)
    markdown = report.to_markdown(blocks)
    assert _table(markdown, "SOP Uji Lokal", report.WARNINGS_HEADING)[0] == (
        f"| {ran} | 2 | Kegiatan 2 | sipp | mydumper failed (exit 1): x; dumped again with "
        "mariadb-dump |"
    )
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    shown = forged.replace("\n", " ").replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    assert f"<td>web</td>\n<td>{html.escape(shown, quote=False)}</td>" in rendered
    assert "<h2>Laporan palsu" not in rendered and "<a href" not in rendered
    assert f"<td>{part} (sebagian: kegiatan 1)</td>\n<td>1</td>" in rendered
    assert "<td>dry</td>" not in rendered
    page = report.to_html(blocks)
    assert "\x1b" not in page and "\u202e" not in page and "<b>x</b>" not in page
    assert html.escape(forged.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")) in page


def test_a_steps_recorded_reason_is_shown_with_it(cli: Cli, store_at: Store) -> None:
    """A step another SOP carries out (`automated_by`) names the run that did it, that
    SOP's and when, not only "Dilaksanakan oleh SOP lain (eksekusi 7)"; one still
    waiting says why as recorded ("belum ada pelaksanaan SOP ... yang berhasil"), not a
    bare "BELUM DIKONFIRMASI"; an acknowledgement shows its note."""
    day = datetime(2026, 11, 3, 3, tzinfo=UTC)
    ran = craft_execution(store_at, "local-demo", day, court=A, activities=3)
    did = {"sop": "sipp-backup", "execution": 7, "started_at": "2026-11-03T02:00:00+07:00"}
    reason = "belum ada pelaksanaan SOP sipp-backup yang berhasil"
    with store_at.db.transaction(write=True) as tx:
        for number, row in (
            (1, {"mode": "delegated", "status": "delegated", "outputs": [did]}),
            (2, {"mode": "delegated", "status": "pending-manual", "note": reason}),
            (3, {"mode": "manual", "status": "pending-manual"}),
        ):
            tx.update("activity_results", row, "execution_id = :key_id AND number = :n",
                      key_id=ran, n=number)
    store_at.acknowledge(ran, 3, "Siti", "diserahkan ke Kasubbag")
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    steps = [row.split(" | ", 3)[3] for row in _table(out, "SOP Uji Lokal", "Langkah manual")]
    assert steps[:2] == [
        "Dilaksanakan oleh SOP sipp-backup (eksekusi 7, mulai 03-11-2026 02:00) |",
        f"BELUM DIKONFIRMASI: {reason} |",
    ]
    assert steps[2].startswith("Dikonfirmasi oleh Siti (")
    assert steps[2].endswith("): diserahkan ke Kasubbag |")


def test_numbers_are_written_as_bahasa_indonesia_writes_them(cli: Cli, store_at: Store) -> None:
    """A dot between thousands and a decimal comma in every report's text: 1.000 runs, a
    backup of 1.250.000.000 bytes, an activity of 2,2 detik (they read "1000",
    "1250000000" and "2.2 detik", a decimal point a court reads as thousands)."""
    start = datetime(2026, 9, 30, 17, tzinfo=UTC)  # 1 October 2026 00:00 WIB
    for minute in range(1000):
        craft_execution(store_at, "local-demo", start + timedelta(minutes=minute), court=A)
    backup = craft_execution(store_at, "local-demo", start, court=A, activities=1)
    output = {"host": "h1", "path": "/b/sipp.sql.zst", "size": 1250000000, "sha256": "a" * 64}
    with store_at.db.transaction(write=True) as tx:
        tx.update("activity_results", {"duration_s": 2.2, "outputs": [output]},
                  "execution_id = :key_id", key_id=backup)
    code, out, err = cli("report", "--month", "2026-10", "--court", A)
    assert code == 0, err
    assert _summary(out)["SOP Uji Lokal"][3:6] == ["1.001", "1.001", "100%"]
    files = _table(out, "SOP Uji Lokal", "Output (ADK / berkas)")
    assert files == [f"| {backup} | h1 | /b/sipp.sql.zst | 1.250.000.000 | {'a' * 64} |"]
    mutu_baku = out.split("### Kegiatan terhadap Mutu Baku")[1].split("###")[0]
    assert "| 2,2 detik | 2,2 detik |" in mutu_baku
    code, page, err = cli("report", "--month", "2026-10", "--court", A, "--format", "html")
    assert code == 0 and "<td>1.250.000.000</td>" in page and "<td>2,2 detik</td>" in page, err
    code, out, err = cli("report", "--month", "2026-10", "--all-courts")
    assert code == 0, err
    totals, rows = _regional(out)
    assert totals[A][1:] == ["1.001", "1.001", "100%"]
    assert rows[(A, "SOP Uji Lokal")][1:3] == ["1.001", "1.001"]


def test_dates_in_the_text_name_their_month_the_tables_keep_numbers(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The period and when the report was made are prose, written as an official letter
    writes dates ("5 Desember 2026 pukul 03.53"), by the report's own month names
    whatever the controller's locale; a table's times stay "05-12-2026 03:53"."""
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setattr(report, "now", lambda: datetime(2026, 12, 4, 20, 53, tzinfo=UTC))
    ran = craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 20, 53, tzinfo=UTC),
                          court=A)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert (
        "Periode: 1 November 2026 s.d. 30 November 2026 (semua waktu dalam WIB); "
        "dibuat 5 Desember 2026 pukul 03.53." in out
    )
    assert f"| {ran} | 05-11-2026 03:53 |" in _runs(out, "SOP Uji Lokal")
    code, page, err = cli("report", "--month", "2026-11", "--all-courts", "--format", "html")
    assert code == 0 and "dibuat 5 Desember 2026 pukul 03.53" in page, err


def test_every_format_closes_signed_at_the_courts_city(
    cli: Cli, store_at: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Markdown and HTML reports close as the PDF does: "Bangil, 5 Desember 2026" (-i's
    court_city; the day alone without -i), then each signer's role, who, a line to sign
    on and the NIP; they ended with the last SOP's table."""
    monkeypatch.setattr(report, "now", lambda: datetime(2026, 12, 4, 20, 53, tzinfo=UTC))
    craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 2, tzinfo=UTC), court=A)
    inventory = _inventory_with(tmp_path, "court_city: Bangil\n")
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert code == 0, err
    signers = "| Dibuat oleh | Diperiksa oleh | Mengetahui |"
    line = "(............................................)"
    assert out.rstrip("\n").endswith(
        f"Bangil, 5 Desember 2026\n\n{signers}\n|---|---|---|\n"
        f"| Staf IT | Kasubbag PTIP | Sekretaris |\n| {line} | {line} | {line} |\n"
        "| NIP. | NIP. | NIP. |"
    )
    code, page, err = cli("report", "--month", "2026-11", "-i", str(inventory), "--format", "html")
    assert code == 0, err
    closing = page.split("<p>Bangil, 5 Desember 2026</p>")[1]
    assert "<th>Dibuat oleh</th><th>Diperiksa oleh</th><th>Mengetahui</th>" in closing
    assert "<td>Kasubbag PTIP</td>" in closing and "<h2>" not in closing
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0 and f"\n5 Desember 2026\n\n{signers}\n" in out, err


@pytest.mark.parametrize(
    "place", ["1. Bangil", "2) Bangil", "- Bangil", "+ Bangil", "    Bangil", "\t- Bangil"]
)
def test_a_place_reads_in_the_rendered_markdown_as_it_is_written(place: str) -> None:
    """The day a report is signed is a paragraph of its own, starting with the court's
    court_city: one that starts as a list item (or indented, as code) was a list there."""
    month = report.Month(2026, 11)
    rendered = MarkdownIt("commonmark").enable(["table"]).render(
        report.to_markdown(report.signature_blocks(month, place))
    )
    assert rendered.startswith(f"<p>{place.strip()}, {month.today()}</p>\n<table>"), rendered


def test_durations_no_clock_measured_are_left_out_of_the_average_and_the_counts(
    cli: Cli, store_at: Store
) -> None:
    """An activity whose end was recorded before its start (the controller's clock set
    back) read "tidak terukur (jam mundur)" in its run's line but still counted in the
    Mutu Baku average (60 s, 120 s and -3600 s average below zero); an endless one
    judged over its limit was counted "Melebihi". Both are left out of the average, the
    longest and the over count, and the average says how many were left out."""
    durations = [(60.0, False), (120.0, False), (-3600.0, False), (math.inf, True)]
    for day, (seconds, over) in enumerate(durations, start=3):
        execution = craft_execution(store_at, "local-demo",
                                    datetime(2026, 11, day, 3, tzinfo=UTC), court=A, activities=1)
        with store_at.db.transaction(write=True) as tx:
            tx.update("activity_results",
                      {"duration_s": seconds, "limit_s": 300, "over_time": over},
                      "execution_id = :key_id AND number = 1", key_id=execution)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _activity(out, "SOP Uji Lokal", "1")[4:] == [
        "1 menit 30 detik (2 tidak terukur, tidak dihitung)", "2 menit", "-"
    ]


def test_an_activity_with_no_duration_measured_shows_none(cli: Cli, store_at: Store) -> None:
    """Every run's duration unmeasured: no average and no longest, and how many there were."""
    execution = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                                court=A, activities=1)
    with store_at.db.transaction(write=True) as tx:
        tx.update("activity_results", {"duration_s": -1.0, "limit_s": 60, "over_time": False},
                  "execution_id = :key_id AND number = 1", key_id=execution)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    assert _activity(out, "SOP Uji Lokal", "1")[4:] == [
        "- (1 tidak terukur, tidak dihitung)", "-", "-"
    ]


def test_a_runs_wait_for_the_install_is_told(cli: Cli, store_at: Store) -> None:
    """A run that waited for the controller's install (its timer's time limit counts the
    wait) says how long, in the report's Keterangan and in `sop execution`."""
    waited = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC), court=A)
    craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 3, tzinfo=UTC), court=A)
    with store_at.db.transaction(write=True) as tx:
        tx.update("executions", {"lock_wait_s": 2400.4}, "id = :key_id", key_id=waited)
    code, out, err = cli("report", "--month", "2026-11", "--court", A)
    assert code == 0, err
    rows = [line for line in _runs(out, "SOP Uji Lokal").splitlines() if line.startswith("| ")]
    assert {row.split(" | ")[0]: row.rsplit(" | ", 1)[-1] for row in rows[1:]} == {
        f"| {waited}": "menunggu instalasi selesai 40 menit sebelum mulai |",
        f"| {waited + 1}": "- |",
    }
    code, shown, err = cli("execution", str(waited))
    assert code == 0 and "40 menit for the install's lock before it started" in shown, err


def test_a_runs_wait_below_a_second_is_told_nowhere(cli: Cli, store_at: Store) -> None:
    """A timer's run waits a clock tick or so between its flock(1)'s start and sop's
    (`locking.flock_wait`, 0.01 s) with no install holding the lock: `sop execution`
    said "Waited 0,0 detik for the install's lock" of it, where the report says nothing."""
    execution = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                                court=A)
    with store_at.db.transaction(write=True) as tx:
        tx.update("executions", {"lock_wait_s": 0.01}, "id = :key_id", key_id=execution)
    code, shown, err = cli("execution", str(execution))
    assert code == 0 and "Started / ended" in shown and "Waited" not in shown, (shown, err)



def test_an_inventory_without_court_name_reports_its_unnamed_runs_only(store_at: Store) -> None:
    """An inventory without court_name records its runs without one (`sop list -i` and
    `sop overdue -i` read those); its report (-i: `unnamed`) took the month's one other
    court's instead, on its own clock and signed at its own city, or refused a month
    holding both as several courts' ("give --court NAME")."""
    sops = load_catalogue()
    month = report.Month(2026, 11)
    other = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                            court="PN Lain")  # fmt: skip
    out = report.to_markdown(report.build(store_at, sops, month, None, unnamed=True))
    assert "PN Lain" not in out and "Pengadilan: -" in out
    assert _summary(out)["SOP Uji Lokal"][2:4] == ["belum dimulai", "0"]
    mine = craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 3, tzinfo=UTC),
                           court=None)  # fmt: skip
    out = report.to_markdown(report.build(store_at, sops, month, None, unnamed=True))
    assert f"| {mine} |" in _runs(out, "SOP Uji Lokal")
    assert f"| {other} |" not in _runs(out, "SOP Uji Lokal")
    assert _summary(out)["SOP Uji Lokal"][2:4] == ["27", "1"]  # 4-30 November


def test_report_i_of_an_inventory_without_court_name_is_of_its_unnamed_runs(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """`sop report -i` of an inventory without court_name, as `sop list -i` reads it:
    the runs recorded without a court name, in every format, not the month's one other
    court's signed at this inventory's court_city."""
    other = craft_execution(store_at, "local-demo", datetime(2026, 11, 3, 3, tzinfo=UTC),
                            court="PN Lain")  # fmt: skip
    mine = craft_execution(store_at, "local-demo", datetime(2026, 11, 4, 3, tzinfo=UTC),
                           court=None)  # fmt: skip
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    all_yml = inventory / "group_vars/all.yml"
    named = all_yml.read_text().splitlines(keepends=True)
    all_yml.write_text("".join(line for line in named if not line.startswith("court_name")))
    for fmt in ("md", "html"):
        code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory), "--format", fmt)
        assert code == 0, err
        assert "PN Lain" not in out
    code, out, err = cli("report", "--month", "2026-11", "-i", str(inventory))
    assert f"| {mine} |" in _runs(out, "SOP Uji Lokal")
    assert f"| {other} |" not in _runs(out, "SOP Uji Lokal")


def test_a_timer_installed_at_its_default_time_plans_its_days(
    cli: Cli, store_at: Store, tmp_path: Path
) -> None:
    """A weekly SOP whose timer `sop schedule install` installed for the court at its
    default time (Monday 09:00) is asked for November 2026's five Mondays under -i, as
    `sop overdue -i` judges it; without its timer, or without -i, four whole weeks."""
    craft_execution(store_at, "local-secret", datetime(2026, 11, 2, 3, tzinfo=UTC), court=A)
    inventory = _inventory_with(tmp_path, "")

    def planned(*scope: str) -> str:
        code, out, err = cli("report", "--month", "2026-11", *scope)
        assert code == 0, err
        return _summary(out)["SOP Uji Rahasia"][2]

    assert planned("-i", str(inventory)) == "4"
    store_at.set_schedules(A, ["local-secret"])
    assert planned("-i", str(inventory)) == "5"  # 2, 9, 16, 23 and 30 November
    assert planned("--court", A) == "4"


def incident(
    store: Store,
    host: str,
    opened: datetime,
    closed: datetime | None = None,
    *,
    court: str | None = A,
    summary: str = "SIPP tidak bisa dibuka",
) -> int:
    """An incident as `sop incident open` (and `close`, when `closed`) records it, opened
    by Budi at `opened` (UTC) with the catalogue's Mutu Baku (4 hours)."""
    with store.db.transaction(write=True) as tx:
        return tx.insert(
            "incidents",
            {
                "court_name": court, "host": host, "summary": summary, "reported_by": "Budi",
                "opened_at": opened, "status": "closed" if closed else "open",
                "closed_at": closed, "closed_by": "Ani" if closed else None,
                "resolution": "MariaDB hidup" if closed else None, "limit_s": 4 * 3600,
                "limit_recorded": True,
            },
        )  # fmt: skip


def _incidents(markdown: str) -> tuple[list[str], list[list[str]]]:
    """The paragraphs and the table rows (header left out) of a Markdown report's server
    incidents (up to the signatures)."""
    section = markdown.split(f"## {report.INCIDENTS_HEADING}\n")[1]
    blocks = section.split("| Dibuat oleh |", 1)[0].strip().split("\n\n")[:-1]  # not its day
    notes = [block for block in blocks if not block.startswith("| ID |")]
    lines = [line for block in blocks if block.startswith("| ID |")
             for line in block.splitlines()[2:]]
    return notes, [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_the_months_server_incidents_are_listed(store_at: Store) -> None:
    """`sop report` listed no incident: only `sop incident list` showed them. The court's
    report lists those open at some time in its month (opened, closed, or open all through
    it), on the court's clock: host, opened when and by whom, status, closed when and by
    whom, duration (an open one's so far), against the Mutu Baku recorded, the diagnostics
    runs, the resolution. Those of another court, or closed before the month or opened
    after it (00:00 WIB on 1 December), are not; one recorded without a court is taken as
    the court's, as `incident list --court` takes it, and the report says so."""
    sops = load_catalogue(REPO / "runner/sop/catalogue")
    month = report.Month(2026, 11)

    def utc(day: int, hour: int, month: int = 11) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=UTC)

    incident(store_at, "sipp", utc(20, 1, 10), utc(25, 1, 10))  # before the month
    into = incident(store_at, "sipp", utc(28, 1, 10), utc(2, 1))  # 08:00 WIB 28 October
    diagnosed = incident(store_at, "h1", utc(5, 1), utc(5, 3), summary="Lambat")
    run = craft_execution(store_at, "server-incident", utc(5, 2), court=A)
    through = incident(store_at, "web", utc(15, 1, 10))  # still open
    unnamed = incident(store_at, "backup", utc(6, 1), utc(6, 1) + timedelta(minutes=30),
                       court=None)  # fmt: skip
    incident(store_at, "sipp", utc(30, 17))  # 00:00 WIB 1 December
    incident(store_at, "sipp", utc(5, 1), court="PN Dumai")
    notes, rows = _incidents(report.to_markdown(report.build(store_at, sops, month, A)))
    assert notes == [
        report.INCIDENTS_PERIOD,
        "4 gangguan; 1 masih dibuka; 2 melewati Mutu Baku.",
        "Gangguan yang dicatat tanpa nama pengadilan (tanpa --court atau -i) ikut "
        "dicantumkan.",
    ]
    assert [int(row[0]) for row in rows] == [into, diagnosed, through, unnamed]
    by_id = {int(row[0]): row for row in rows}
    assert by_id[diagnosed] == [
        str(diagnosed), "h1", "Lambat", "05-11-2026 08:00 oleh Budi", "Ditutup",
        "05-11-2026 10:00 oleh Ani", "2 jam", "sesuai (4 jam)", f"{run} (Berhasil)",
        "MariaDB hidup",
    ]  # fmt: skip
    assert by_id[into][3:9] == [
        "28-10-2026 08:00 oleh Budi", "Ditutup", "02-11-2026 08:00 oleh Ani", "5 hari",
        "melewati (4 jam)", "-",
    ]  # fmt: skip
    assert by_id[through][4:8] == ["Masih dibuka", "-", by_id[through][6], "melewati (4 jam)"]
    assert by_id[through][6].endswith(" (sampai laporan dibuat)")
    # an inventory without court_name (-i): the incidents recorded without a court only
    unnamed_report = report.build(store_at, sops, month, None, unnamed=True)
    notes, rows = _incidents(report.to_markdown(unnamed_report))
    assert [int(row[0]) for row in rows] == [unnamed]
    assert notes[1:] == ["1 gangguan; 0 masih dibuka; 0 melewati Mutu Baku."]


def test_a_month_without_incidents_says_so_and_a_catalogue_without_the_sop_lists_none(
    store_at: Store,
) -> None:
    incident(store_at, "sipp", datetime(2026, 11, 5, 1, tzinfo=UTC))
    sops = load_catalogue(REPO / "runner/sop/catalogue")
    out = report.to_markdown(report.build(store_at, sops, report.Month(2026, 9), A))
    assert _incidents(out) == (
        [report.INCIDENTS_PERIOD, "Tidak ada gangguan server tercatat pada periode ini."], []
    )
    fixtures = load_catalogue()  # the fixture catalogue: no server-incident SOP
    out = report.to_markdown(report.build(store_at, fixtures, report.Month(2026, 11), A))
    assert f"## {report.INCIDENTS_HEADING}" not in out


def test_a_court_of_a_shared_name_is_told_its_incidents_are_the_names(store_at: Store) -> None:
    """An incident records its court's name, not its kode satker: the report of one of
    two courts of a name (--kode-satker) lists the name's incidents and says so; a name
    of one court says nothing of it."""
    sops = load_catalogue(REPO / "runner/sop/catalogue")
    month = report.Month(2026, 11)
    day = datetime(2026, 11, 5, 1, tzinfo=UTC)
    opened = incident(store_at, "sipp", day)
    ours = craft_execution(store_at, "local-demo", day, court=A)
    _code(store_at, ours, "401234")
    shared = "Catatan gangguan tidak menyimpan kode satker: gangguan semua pengadilan " \
        f"bernama {A} dicantumkan."
    notes, rows = _incidents(report.to_markdown(
        report.build(store_at, sops, month, A, kode_satker="401234")))
    assert shared not in notes and [int(row[0]) for row in rows] == [opened]
    _code(store_at, craft_execution(store_at, "local-demo", day, court=A), "409999")
    notes, rows = _incidents(report.to_markdown(
        report.build(store_at, sops, month, A, kode_satker="401234")))
    assert shared in notes and [int(row[0]) for row in rows] == [opened]


def _code(store: Store, execution: int, code: str) -> None:
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"court_kode_satker": code}, "id = :key_id", key_id=execution)


def test_an_incidents_text_is_text_in_every_report(store_at: Store) -> None:
    """An incident's summary, host, reporter and resolution are what a person typed (or
    pasted from a host's screen): a Markdown table cell, heading or link, HTML, control
    and bidi characters in them stay text, shown, in the Markdown and HTML reports."""
    forged = "a | b |\n## Laporan palsu\n[unduh](http://evil.invalid) <b>x</b> \x1b[2K\u202e"
    incident(store_at, "web\x1b[2K", datetime(2026, 11, 5, 1, tzinfo=UTC), summary=forged)
    blocks = report.build(store_at, load_catalogue(REPO / "runner/sop/catalogue"),
                          report.Month(2026, 11), A)  # fmt: skip
    markdown = report.to_markdown(blocks)
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    shown = forged.replace("\n", " ").replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    assert f"<td>web\\x1b[2K</td>\n<td>{html.escape(shown, quote=False)}</td>" in rendered
    assert "<h2>Laporan palsu" not in rendered and "<a href" not in rendered
    page = report.to_html(blocks)
    assert "\x1b" not in page and "\u202e" not in page and "<b>x</b>" not in page
    assert html.escape(forged.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")) in page


def test_sop_report_lists_the_incident_sop_incident_open_recorded(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner/sop/catalogue"))
    craft_execution(store_at, "server-incident", now(), court=A)  # --court names a known one
    code, _, err = cli("incident", "open", "--host", "sipp", "--summary", "SIPP mati",
                       "--by", "Budi", "--court", A)  # fmt: skip
    assert code == 0, err
    code, out, err = cli("report", "--court", A)
    assert code == 0, err
    [row] = _incidents(out)[1]
    assert row[:3] == ["1", "sipp", "SIPP mati"] and row[4] == "Masih dibuka"
    code, out, err = cli("report", "--court", A, "--format", "html")
    assert code == 0, err
    assert f"<h2>{report.INCIDENTS_HEADING}</h2>" in out and "<td>SIPP mati</td>" in out


def test_a_court_known_by_its_incidents_only_has_its_report(
    cli: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --court` checked the court against the executions only: a court whose
    incidents were recorded, but none of its runs, was refused. Its report now lists
    them; a name neither runs nor incidents recorded is still refused in one line naming
    the known ones."""
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(REPO / "runner/sop/catalogue"))
    craft_execution(store_at, "server-incident", now(), court="PN Dumai")
    code, _, err = cli("report", "--court", A)
    assert code == 2 and "did you mean" not in err, err  # nothing of A recorded yet
    opened = incident(store_at, "sipp", now() - timedelta(hours=1))
    for fmt in ("md", "html"):
        code, out, err = cli("report", "--court", A, "--format", fmt)
        assert code == 0, err
        assert "SIPP tidak bisa dibuka" in out and f"Pengadilan: {A}" in html.unescape(out)
    assert [int(row[0]) for row in _incidents(cli("report", "--court", A)[1])[1]] == [opened]
    code, out, err = cli("report", "--court", "Pengadilan Negeri Ujj")
    assert (code, out) == (2, "")
    assert err == (
        "sop: error: --court 'Pengadilan Negeri Ujj': no execution or incident of that court "
        f"is recorded (did you mean {A!r}?)\n"
    )
    code, _, err = cli("report", "--court", "Mahkamah Agung")
    assert code == 2 and "(2 courts recorded: `sop history` and `sop incident list`" in err


def test_the_regional_view_counts_each_courts_incidents(store_at: Store) -> None:
    """The regional view listed no incident. Its summary counts per court the month's
    incidents as the court's own report does (opened, closed, or open through the
    month; still open; over their Mutu Baku), in Markdown and HTML; a court with
    incidents and no run has its row; those recorded without a court are counted on the
    row "-"; each court of a shared name (two kode satker) counts the name's, said
    under it. A catalogue without server-incident adds no column."""
    sops = load_catalogue(REPO / "runner/sop/catalogue")
    month = report.Month(2026, 11)

    def utc(day: int, hour: int, month: int = 11) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=UTC)

    craft_execution(store_at, "server-incident", utc(5, 2), court=A)
    for code in ("401234", "401235"):
        _code(store_at, craft_execution(store_at, "server-incident", utc(6, 2),
                                        court="PN Dumai"), code)  # fmt: skip
    incident(store_at, "sipp", utc(20, 1, 10), utc(25, 1, 10))  # before the month
    incident(store_at, "sipp", utc(5, 1), utc(5, 3))  # within its 4 hours
    incident(store_at, "web", utc(15, 1, 10))  # open all through: over
    incident(store_at, "sipp", utc(7, 1), utc(7, 2), court="PN Dumai")
    incident(store_at, "sipp", utc(8, 1), court="PN Baru")  # no run recorded: open, over
    incident(store_at, "backup", utc(9, 1), utc(9, 2), court=None)
    blocks = report.build_regional(store_at, sops, month, [])
    totals, _ = _regional(report.to_markdown(blocks))
    assert {court: row[4:] for court, row in totals.items()} == {
        A: ["2", "1", "1"],
        "PN Baru": ["1", "1", "1"],
        "PN Dumai (kode satker 401234)": ["1", "0", "0"],
        "PN Dumai (kode satker 401235)": ["1", "0", "0"],
        "-": ["1", "0", "0"],
    }
    assert totals["PN Baru"][:3] == ["0", "0", "0"]
    notes = [text for kind, text in blocks if kind == "p"]
    assert 'Gangguan yang dicatat tanpa nama pengadilan (tanpa --court atau -i) dihitung ' \
        'pada baris "-"; laporan tiap pengadilan mencantumkannya sebagai gangguan ' \
        "pengadilan itu." in notes
    assert "Catatan gangguan tidak menyimpan kode satker: gangguan pengadilan bernama " \
        "PN Dumai dihitung pada tiap pengadilan bernama itu." in notes
    page = report.to_html(blocks)
    assert "<th>Gangguan melewati Mutu Baku</th>" in page
    assert "<tr><td>PN Baru</td><td>0</td><td>0</td><td>0</td><td>-</td><td>1</td>" \
        "<td>1</td><td>1</td></tr>" in page
    # the court's own report counts A's alike (with the one recorded without a court)
    notes, _ = _incidents(report.to_markdown(report.build(store_at, sops, month, A)))
    assert notes[1] == "3 gangguan; 1 masih dibuka; 1 melewati Mutu Baku."
    fixtures = load_catalogue()  # no server-incident SOP: no incident column, no row
    totals, _ = _regional(report.to_markdown(report.build_regional(store_at, fixtures, month,
                                                                   [])))  # fmt: skip
    assert set(totals) == {A, "PN Dumai (kode satker 401234)", "PN Dumai (kode satker 401235)"}
    assert all(len(row) == 4 for row in totals.values())
