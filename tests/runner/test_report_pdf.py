"""The monthly PDF report: rendered by WeasyPrint, its pages rasterised by pdftoppm and
read back by pdftotext, so what is checked is what a person sees on paper."""

from __future__ import annotations

import html
import importlib.util
import math
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from sop import report, report_pdf
from sop.catalogue import load_catalogue
from sop.report import Month
from sop.schedule import due_calendars
from sop.store import Store
from sop.untrusted import visible

from .conftest import REPO, CliResult, craft_execution
from .test_report import _activity, incident
from .test_report_courts import _satker

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) missing",
)
COURT = "Pengadilan Negeri Benchmark"
LATE = "Pengadilan Negeri Baru Mulai"
WIB = ZoneInfo("Asia/Jakarta")


def _generator() -> ModuleType:
    """The benchmark's generator of a court's records (one implementation for both)."""
    spec = importlib.util.spec_from_file_location(
        "report_pdf_bench", REPO / "benchmarks/report_pdf.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """November 2025 at two courts (one from the 1st, one from the 30th) as PDF and text."""
    work = tmp_path_factory.mktemp("pdf")
    store = Store(f"sqlite:///{work / 'sop.db'}")
    bench = _generator()
    start = datetime(2025, 11, 1, tzinfo=WIB)  # the courts' clock, not the controller's
    bench.generate(store, start, 30, court=COURT)
    bench.generate(store, datetime(2025, 11, 30, tzinfo=WIB), 1, court=LATE, seed=3)
    sops = load_catalogue()
    pdf = work / "laporan.pdf"
    report_pdf.write_pdf(store, sops, Month(2025, 11), COURT, pdf)
    late = work / "late.pdf"
    report_pdf.write_pdf(store, sops, Month(2025, 11), LATE, late)
    store.close()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pdf, text


def _pages(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p-*.png"))


def _colour_pixels(png: Path, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    colours = Image.open(png).convert("RGB").getcolors(1 << 24) or []
    return sum(
        count
        for count, pixel in colours
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, rgb, strict=True))
    )


def test_pages_render_and_are_not_blank(november: tuple[Path, str], tmp_path: Path) -> None:
    pdf, text = november
    pages = _pages(pdf, tmp_path)
    assert 3 <= len(pages) <= 40
    assert text.count("\f") + 1 >= len(pages)
    for page in pages:
        dark = sum(Image.open(page).convert("L").histogram()[:200])
        assert dark > 500, f"{page.name} is blank"
    # The first page carries the executions-per-day chart: green bars (successful runs).
    assert _colour_pixels(pages[0], (0x2E, 0x7D, 0x32)) > 200


def test_text_in_bahasa_indonesia(november: tuple[Path, str]) -> None:
    _, text = november
    flat = " ".join(text.split())
    assert "Laporan Pelaksanaan SOP — November 2025" in flat
    assert COURT in flat
    assert "12/KPN.W4-U2/SOP.PTIP/OT1.2/I/2024" in flat  # the backup SOP's number
    # the summary's headers, some broken at a syllable: test_the_summary_headers_...
    for label in ("Direncanakan", "Berhasil", "Kegiatan terhadap Mutu Baku"):
        assert label in flat
    assert "Dikonfirmasi oleh Budi Santoso" in flat  # a manual step and who confirmed it
    assert "Jumlah eksekusi SOP per hari" in flat
    assert "Ukuran dan verifikasi backup selama bulan ini" in flat
    assert "Ketersediaan situs per hari" in flat
    assert "Mutu Baku" in flat
    # A failed execution shows its cause.
    assert "Pelaksanaan yang tidak berhasil" in flat
    assert "Lost connection" in flat
    for role in (
        "Dibuat oleh",
        "Staf IT",
        "Diperiksa oleh",
        "Kasubbag PTIP",
        "Mengetahui",
        "Sekretaris",
    ):
        assert role in flat
    assert "Halaman 1 dari" in flat
    assert "Periode 1 November 2025 s.d. 30 November 2025 (semua waktu dalam WIB); dibuat " in flat


def _document(store_url: str, court: str, court_schedule: Mapping[str, str] | None) -> str:
    """The PDF's HTML of November 2025 at `court`, by its `sop_schedule` when given."""
    sops = load_catalogue()
    store = Store(store_url)
    page = report_pdf.document(
        store, sops, Month(2025, 11), court, calendars=due_calendars(sops, court_schedule)
    )
    store.close()
    return page


def _summary(
    store_url: str, court: str, court_schedule: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """The summary table's cells per SOP title, as the PDF's HTML holds them."""
    page = _document(store_url, court, court_schedule)
    table = page.split("<h2>Ringkasan</h2>", 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr>")[2:]]
    return {row[0]: row[1:] for row in rows}


def test_a_partial_run_is_listed_marked_and_not_counted(tmp_path: Path) -> None:
    """A run of chosen activities (`sop run --activity 2`) that failed is shown, marked,
    among the failed runs and in the list; it is no planned run done."""
    url = f"sqlite:///{tmp_path / 'sop.db'}"
    store = Store(url)
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    craft_execution(store, "website", started, court=COURT, status="failed", partial="2")
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    assert page.count("Gagal (sebagian: kegiatan 2)") == 2  # the failed runs, the list
    assert _summary(url, COURT)["Pengelolaan Website"][2:5] == ["belum dimulai", "0", "0"]


def test_a_partial_runs_files_and_human_part_are_in_the_pdf_marked(tmp_path: Path) -> None:
    """`sop run website --activity 2 --activity 4` made a website backup and asked for the
    invoice: the PDF filed as evidence lists the backup among the files (and draws it with
    the month's backups) and the invoice among the manual steps waiting, both marked as a
    partial run's; the run stays no planned run done. A dry run's file is not listed."""
    url = f"sqlite:///{tmp_path / 'sop.db'}"
    store = Store(url)
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    ran = craft_execution(store, "website", started, court=COURT, activities=4, partial="2,4")
    dry = craft_execution(store, "website", started, court=COURT, activities=4, check_mode=True)
    for execution, name, digest in ((ran, "web-20251103.tar.zst", "ab"), (dry, "dry.tar", "cd")):
        with store.db.transaction(write=True) as tx:
            tx.update(
                "activity_results",
                {"outputs": [{"host": "web", "path": f"/srv/backup/{name}", "size": 2048,
                              "sha256": digest * 32}]},
                "execution_id = :key_id AND number = 2",
                key_id=execution,
            )
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    mark = f"<td>{ran} (sebagian: kegiatan 2, 4)</td>"
    files = page.split("<h3>Output (ADK / berkas)</h3>", 1)[1].split("</table>", 1)[0]
    assert files.count("<tr>") == 2 and mark in files  # the header and the partial run's file
    assert "/srv/backup/web-20251103.tar.zst" in files
    assert "web-20251103.tar.zst: 2.048 byte" in page  # the backup chart
    assert "dry.tar" not in page
    manual = page.split("<h3>Langkah manual dan konfirmasinya</h3>", 1)[1].split("</table>")[0]
    assert f"<tr>{mark}<td>4</td>" in manual
    assert "BELUM DIKONFIRMASI: Invoice layanan koneksi, hosting atau domain dibayar" in manual
    assert _summary(url, COURT)["Pengelolaan Website"][2:5] == ["belum dimulai", "0", "0"]


def test_the_warnings_the_hosts_returned_are_in_the_pdf_as_text(tmp_path: Path) -> None:
    """The PDF lists each warning an activity's hosts returned, as the Markdown does: the
    backup dumped again by another tool is read by whoever signs it; a host's markup and
    controls stay text."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    ran = craft_execution(store, "sipp-backup", datetime(2025, 11, 3, 3, tzinfo=UTC),
                          court=COURT, activities=2)
    fallback = "mydumper failed (exit 1): x; dumped again with mariadb-dump"
    warnings = [{"host": "sipp", "warning": fallback},
                {"host": "sipp", "warning": "<img src=x onerror=alert(1)>\x1b[2K"}]
    with store.db.transaction(write=True) as tx:
        tx.update("activity_results", {"warnings": warnings},
                  "execution_id = :key_id AND number = 2", key_id=ran)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    heading = f"<h3>{report.WARNINGS_HEADING}</h3>"
    listed = page.split(heading, 1)[1].split("</table>", 1)[0]
    assert f"<tr><td>{ran}</td><td>2</td><td>Kegiatan 2</td><td>sipp</td><td>{fallback}</td>" in (
        listed)
    assert "<td>&lt;img src=x onerror=alert(1)&gt;\\x1b[2K</td>" in listed
    assert "<img" not in page and "\x1b" not in page


def test_a_run_that_recorded_no_cause_says_so(tmp_path: Path) -> None:
    """A run canceled before its playbook started records no error and no exit code: its
    cause read "rc None" among the runs that did not succeed."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    canceled = craft_execution(store, "website", started, court=COURT, status="canceled")
    failed = craft_execution(store, "website", started, court=COURT, status="failed")
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": None, "rc": None}, "id = :key_id", key_id=canceled)
        tx.update("executions", {"error": None}, "id = :key_id", key_id=failed)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    runs = page.split('<table class="failed">', 1)[1].split("</table>", 1)[0]
    assert f"<td>{canceled}</td><td>03-11-2025 10:00</td><td>Dibatalkan</td>" in runs
    assert "<td>Dibatalkan</td><td>tidak tercatat</td>" in runs
    assert "<td>Gagal</td><td>rc 2</td>" in runs
    assert "None" not in runs


def test_the_summary_counts_the_manual_steps_not_confirmed_as_the_markdown_does(
    tmp_path: Path,
) -> None:
    """The Markdown/HTML summary counts per SOP the manual steps not confirmed ("Langkah
    manual belum dikonfirmasi"); the PDF's summary, the page a head signs, had no such
    column: the runs were done, the invoice nobody had confirmed paid was not on it."""
    url = f"sqlite:///{tmp_path / 'sop.db'}"
    store = Store(url)
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    craft_execution(store, "website", started, court=COURT, activities=4)  # the invoice waits
    craft_execution(store, "website", started, court=COURT, activities=4, check_mode=True)
    blocks = report.build(store, load_catalogue(), Month(2025, 11), COURT)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    header, rows = next(value for kind, value in blocks if kind == "table")  # the summary
    assert header[-1] == "Langkah manual belum dikonfirmasi"
    markdown = {row[0]: row[-1] for row in rows}
    assert markdown["Pengelolaan Website"] == "1"  # the real run's invoice, not the dry run's
    summary = page.split("<h2>Ringkasan</h2>", 1)[1].split("</table>", 1)[0]
    assert "<th>Langkah manual belum dikonfirmasi</th></tr></thead>" in summary
    assert {title: cells[-1] for title, cells in _summary(url, COURT).items()} == markdown


def test_the_daily_chart_counts_only_runs_of_the_whole_sop_as_done(tmp_path: Path) -> None:
    """The chart "Jumlah eksekusi SOP per hari" counted a successful dry run and partial
    run as "berhasil" beside the real one, where the summary counts one."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    craft_execution(store, "website", started, court=COURT)
    craft_execution(store, "website", started, court=COURT, check_mode=True)
    craft_execution(store, "website", started, court=COURT, partial="2")
    craft_execution(store, "website", started, court=COURT, partial="2", status="failed")
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    assert "3: 1 berhasil, 1 gagal, 2 lainnya" in page


def _timed_run(store: Store, sop: str, minutes: int,
               activities: dict[int, dict[str, Any]]) -> int:
    """A run of `sop` on 3 November 2025 that took `minutes`, its four activities'
    recorded columns set as `activities` gives them (by number): its id."""
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    execution = craft_execution(store, sop, started, court=COURT, activities=4)
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"ended_at": started + timedelta(minutes=minutes)},
                  "id = :key_id", key_id=execution)
        for number, columns in activities.items():
            tx.update("activity_results", columns,
                      "execution_id = :key_id AND number = :number", key_id=execution,
                      number=number)
    return execution


def _ninety_minute_backup(tmp_path: Path, limit_s: int) -> tuple[int, str]:
    """A SIPP backup of 90 minutes whose activity 2 recorded a Mutu Baku of `limit_s`
    seconds (the others 1 minute each), and the month's PDF page: its id and the page."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    execution = _timed_run(store, "sipp-backup", 90, {2: {"limit_s": limit_s}})
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    return execution, page


def test_the_durations_chart_judges_by_the_times_the_runs_recorded(tmp_path: Path) -> None:
    """A court allowing 2 hours for the SIPP backup (sop_catalogue_overrides ... waktu),
    whose run took 90 minutes: the chart drew it "melebihi Mutu Baku" against the
    catalogue's 71 minutes, where its record (and the activity table) says it was not
    over. The report read without -i knows only the times each run recorded."""
    execution, page = _ninety_minute_backup(tmp_path, 7200)
    bar = f"<title>eksekusi {execution}: 1 jam 30 menit</title>"
    assert f'fill="{report_pdf.BLUE}">{bar}' in page  # within its Mutu Baku
    assert "Mutu Baku 123 menit" in page  # 3 x 1 minute + 2 hours, as recorded


def test_a_run_with_an_activity_of_no_mutu_baku_is_not_drawn_over_one(tmp_path: Path) -> None:
    """A SIPP sync of 31 minutes, 30 of them its activity 2, which has no Mutu Baku
    ("Situasional tergantung Jaringan"): the chart drew it "melebihi Mutu Baku" against a
    line of "Mutu Baku 11 menit" (its other activities' times alone), where the activity
    table beside it says no activity was over. A run with an activity of no limit has
    none as a whole: no line, its bar not drawn over one, as the Markdown report judges."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    execution = _timed_run(store, "sipp-sync", 31, {
        number: {"limit_s": limit_s, "duration_s": seconds, "over_time": False}
        for number, limit_s, seconds in ((1, 300, 20.0), (2, None, 1800.0), (3, 300, 20.0),
                                         (4, 60, 20.0))})
    sops = load_catalogue()
    page = report_pdf.document(store, sops, Month(2025, 11), COURT)
    markdown = report.to_markdown(report.build(store, sops, Month(2025, 11), COURT))
    store.close()
    chart = page.split("<h2>Sinkronisasi SIPP", 1)[1].split("</figure>", 1)[0]
    assert f'fill="{report_pdf.BLUE}"><title>eksekusi {execution}: 31 menit</title>' in chart
    assert re.search(r"Mutu Baku [0-9]", chart) is None and "stroke-dasharray" not in chart
    title = sops["sipp-sync"].title
    assert [_activity(markdown, title, str(n))[-1] for n in range(1, 5)] == ["-"] * 4


def test_a_single_run_is_drawn_as_one_bar_not_a_band() -> None:
    """One run in the month: its bar took 70% of the chart's width, a band that read as a
    period rather than one execution. Bars are at most MAX_BAR_WIDTH wide, centred in
    their slot with their label; 31 daily bars keep their width."""
    one = report_pdf.svg_bars([report_pdf.Bar("hari-5", ((3.0, report_pdf.BLUE),))], unit="menit")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', one)]
    assert widths == [report_pdf.MAX_BAR_WIDTH]
    rect_x = float(re.findall(r'<rect x="([\d.]+)"', one)[0])
    label_x = float(re.findall(r'<text x="([\d.]+)"[^>]*>hari-5</text>', one)[0])
    assert label_x == pytest.approx(rect_x + report_pdf.MAX_BAR_WIDTH / 2, abs=0.1)
    month = report_pdf.svg_bars(
        [report_pdf.Bar(str(day), ((1.0, report_pdf.BLUE),)) for day in range(1, 32)],
        unit="menit")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', month)]
    assert len(widths) == 31 and all(10 < w < report_pdf.MAX_BAR_WIDTH for w in widths)


def test_a_days_label_is_written_once_under_its_bars() -> None:
    """Two backups on the 5th and one on the 6th: the axis read "5 5 6", as if two days."""
    bars = [report_pdf.Bar(day, ((1.0, report_pdf.GREY),)) for day in ("h5", "h5", "h6")]
    chart = report_pdf.svg_bars(bars, unit="MiB")
    assert re.findall(r">(h\d)</text>", chart) == ["h5", "h6"]


def test_a_run_over_its_mutu_baku_never_reads_as_within_it(tmp_path: Path) -> None:
    """A run of 900.4 seconds over its 15 minutes: its bar (drawn over the Mutu Baku) and
    the activity table say "15 menit 1 detik", never "15 menit" as if within it."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    execution = craft_execution(store, "sipp-backup", started, court=COURT, activities=1)
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"ended_at": started + timedelta(seconds=900.4)},
                  "id = :key_id", key_id=execution)
        tx.update("activity_results", {"duration_s": 900.4, "limit_s": 900, "over_time": True},
                  "execution_id = :key_id", key_id=execution)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    bar = f"<title>eksekusi {execution}: 15 menit 1 detik</title>"
    assert f'fill="{report_pdf.AMBER}">{bar}' in page
    assert page.count("<td>15 menit 1 detik</td>") == 2  # the average and the longest


def test_the_files_the_runs_produced_are_in_both_reports(november: tuple[Path, str]) -> None:
    """The PDF, the report a court signs and files, lists each backup file by its path,
    size and SHA-256, as the Markdown/HTML report does (not only a chart of sizes), each
    on the paper: a checksum wraps within its cell."""
    pdf, _ = november
    store = Store(f"sqlite:///{pdf.with_name('sop.db')}")
    blocks = report.build(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    tables = [block[1] for block in blocks if block[0] == "table"]
    files = [row for header, body in tables if header == report.FILES_HEADER for row in body]
    assert len(files) == 30  # a month of daily SIPP backups
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())  # the table wraps a long path or checksum in its cell
    assert "Output(ADK/berkas)" in flat
    assert all(f"{path}{size}{sha256}" in flat for _, _, path, size, sha256 in files)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.findall(r'page width="([\d.]+)"', boxes)[0])
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes))
    assert right <= width - 40  # within the 15 mm margin: no checksum runs off the paper


def test_a_long_word_a_host_or_person_recorded_stays_on_the_paper(tmp_path: Path) -> None:
    """A failed run's cause, a restore drill's backup and reason, an operator's name and
    an acknowledgement's note holding a word without spaces (a URL, a path, a token):
    its table grew past the page's right edge, where that text and the columns after it
    (the failed run's status) were not printed. Each wraps within its cell; the SOP
    numbers of the summary still break at their slashes only."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    ran = craft_execution(store, "sipp-backup", started, court=COURT, status="failed",
                          activities=4)
    word = "y" * 150
    drill = {"kind": "sipp", "backup": f"B{word}", "status": "failed", "reason": f"R{word}"}
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": f"h1: Backup: https://{word}", "operator": f"o{word}"},
                  "id = :key_id", key_id=ran)
        tx.update("activity_results", {"outputs": [{"restore_drill": [drill]}]},
                  "execution_id = :key_id AND number = 2", key_id=ran)
        tx.update("activity_results", {"mode": "manual", "status": "acknowledged",
                                       "acknowledged_by": "Budi", "acknowledged_at": started,
                                       "note": f"N{word}"},
                  "execution_id = :key_id AND number = 3", key_id=ran)
    pdf = tmp_path / "l.pdf"
    report_pdf.write_pdf(store, load_catalogue(), Month(2025, 11), COURT, pdf)
    store.close()
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.findall(r'page width="([\d.]+)"', boxes)[0])
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes))
    assert right <= width - 40  # within the 15 mm margin
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())  # each cell's lines in turn
    for recorded in (f"https://{word}", f"o{word}", f"B{word}", f"R{word}", f"N{word}"):
        assert recorded in flat
    assert "Gagal" in text.split("Daftar pelaksanaan", 1)[1]  # the run's status, printed
    # the summary's SOP number, broken at its slashes
    assert "12/KPN.W4-\nU2/SOP.PTIP/\nOT1.2/I/2024\n" in text


def _first_page_words(pdf: Path) -> tuple[float, list[tuple[float, float, float, str]]]:
    """The first page's width and its words as pdftotext -bbox reads them: xMin, yMin,
    xMax, text."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', boxes
    )
    return float(re.findall(r'page width="([\d.]+)"', boxes)[0]), [
        (float(x0), float(y0), float(x1), html.unescape(word)) for x0, y0, x1, word in words
    ]


def test_the_summary_headers_leave_the_sop_title_a_line_or_two(
    november: tuple[Path, str],
) -> None:
    """The count columns' single-word headers (Direncanakan, Dilaksanakan, Keberhasilan)
    set their widths: the SOP's title column was so narrow that a title took a word a
    line ("Monitoring, / Pemeliharaan / dan / Pengamanan / Perangkat TI"). A header word
    now breaks at a syllable, hyphenated, never mid-letter; the titles take a line or two;
    every column is within the page."""
    pdf, _ = november
    width, words = _first_page_words(pdf)
    texts = [w[3] for w in words]
    start = texts.index("Ringkasan") + 1
    end = texts.index("dikonfirmasi", start) + 1  # the header's last word
    header: list[str] = []
    for piece in texts[start:end]:  # a word broken at its soft hyphen, read whole
        if header and header[-1].endswith("\u2010"):
            header[-1] = header[-1][:-1] + piece
        else:
            header.append(piece)
    assert header == ["SOP", "Nomor", "Frekuensi", "Direncanakan", "Dilaksanakan",
                      "Berhasil", "Keberhasilan", *report.PENDING_HEADING.split()]
    number_x = words[start + 1][0]  # the Nomor column's left edge
    header_bottom = words[end - 1][1]
    note = next(w[1] for w in words if w[3] == "Direncanakan:")  # the note under the table
    table = [w for w in words if header_bottom < w[1] < note]
    title_lines = {round(w[1]) for w in table if w[2] < number_x}
    titles = len(load_catalogue())
    assert titles <= len(title_lines) <= 2 * titles
    assert max(w[2] for w in table) <= width - 40  # within the 15 mm margin


def test_restore_drill_times_are_in_both_reports(november: tuple[Path, str]) -> None:
    pdf, text = november
    assert "Uji restorasi backup" in text  # the PDF
    # pdftotext -layout keeps the columns: kind, backup, "berhasil, isi" (wrapped), time
    drill = re.findall(
        r"(sipp|website_files|website_db)\s+\S+\s+berhasil, isi\s+(\d+ (?:detik|menit))", text
    )
    assert sorted(kind for kind, _ in drill) == ["sipp", "website_db", "website_files"]
    store = Store(f"sqlite:///{pdf.with_name('sop.db')}")
    blocks = report.build(store, load_catalogue(), Month(2025, 11), COURT)  # Markdown/HTML
    store.close()
    tables = [block[1] for block in blocks if block[0] == "table"]
    rows = [row for header, body in tables if header == report.DRILL_HEADER for row in body]
    assert sorted(row[1] for row in rows) == ["sipp", "website_db", "website_files"]
    assert all(row[3] == "berhasil, isi cocok" for row in rows)
    assert all(row[4].endswith(("detik", "menit")) for row in rows)


def test_planned_counts_from_the_first_run(november: tuple[Path, str]) -> None:
    pdf, _ = november
    url = f"sqlite:///{pdf.with_name('sop.db')}"
    # Daily backup run from the 1st: 30 planned, 30 run; the sync is planned and run three
    # times a day.
    full = _summary(url, COURT)
    assert full["Backup Database SIPP"][2:4] == ["30", "30"]
    assert full["Sinkronisasi SIPP ke SIPP MA dan ke SIPP Website PN"][2:4] == ["90", "90"]
    # The court that started on the 30th is asked for one daily run, not 30.
    late = _summary(url, LATE)
    assert late["Backup Database SIPP"][1:4] == ["harian", "1", "1"]
    # weekly, no schedule known: whole weeks, none from the 30th (WEEKLY_PLAN)
    assert late["Pengelolaan Website"][2:4] == ["0", "1"]
    assert full["Pengelolaan Website"][2] == "4"  # 30 days: 4 whole weeks, not 5 begun


def _planned_note(page: str) -> str:
    """The note under the summary that says how the planned runs are counted."""
    note = page.split('<p class="note">Direncanakan', maxsplit=1)[1]
    return " ".join(note.split("</p>", maxsplit=1)[0].split())


def test_planned_follows_the_courts_schedule_under_i(november: tuple[Path, str]) -> None:
    """A court that backs up `Mon..Fri 08:00` is asked for the 20 weekdays of November
    2025, not 30 days, and the note under the summary says so; the SOPs its schedule gives
    no times (or one systemd refuses) keep their frequency, as without -i."""
    pdf, _ = november
    url = f"sqlite:///{pdf.with_name('sop.db')}"
    court = {"sipp-backup": "Mon..Fri 08:00", "website": "Fri..Mon 08:00"}  # systemd refuses
    planned = _summary(url, COURT, court)
    assert planned["Backup Database SIPP"][2] == "20"
    assert planned["Pengelolaan Website"][2] == _summary(url, COURT)["Pengelolaan Website"][2]
    assert (
        "menurut frekuensi SOP (SOP mingguan sekali tiap 7 hari penuh, karena hari "
        "pelaksanaannya tidak diketahui); menurut jadwal pengadilan ini (sop_schedule): Backup "
        "Database SIPP (waktu terjadwal yang sudah tiba)"
    ) in _planned_note(_document(url, COURT, court))
    assert "jadwal" not in _planned_note(_document(url, COURT, None))


def test_the_months_server_incidents_are_in_the_pdf_as_in_the_markdown(tmp_path: Path) -> None:
    """The PDF the head of the unit signs lists the month's server incidents, the rows the
    Markdown and HTML reports list (report.month_incidents), a person's markup and
    controls as text; on paper, after the SOPs' sections."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    forged = "<img src=x onerror=alert(1)> SIPP mati\x1b[2K"
    opened = incident(store, "sipp", datetime(2025, 11, 5, 1, tzinfo=UTC), court=COURT,
                      summary=forged)  # fmt: skip
    sops, month = load_catalogue(REPO / "runner/sop/catalogue"), Month(2025, 11)
    page = report_pdf.document(store, sops, month, COURT)
    found = report.month_incidents(store, sops, month, COURT)
    assert found is not None and [row[0] for row in found.rows] == [str(opened)]
    section = page.split(f"<h2>{report.INCIDENTS_HEADING}</h2>", 1)[1]
    assert [f'<p class="note">{html.escape(note)}</p>' in section for note in found.notes] == [
        True, True]
    listed = section.split('<table class="incidents">', 1)[1].split("</table>", 1)[0]
    cells = "".join(f"<td>{html.escape(visible(cell))}</td>" for cell in found.rows[0])
    assert f"<tr>{cells}</tr>" in listed
    assert "<td>&lt;img src=x onerror=alert(1)&gt; SIPP mati\\x1b[2K</td>" in listed
    assert "<img" not in page and "\x1b" not in page
    output = tmp_path / "laporan.pdf"
    report_pdf.write_pdf(store, sops, month, COURT, output)
    store.close()
    text = subprocess.run(
        ["pdftotext", str(output), "-"], capture_output=True, text=True, check=True
    ).stdout
    listed = text.split(f"\n{report.INCIDENTS_HEADING}\n", 1)[1].split("Dibuat oleh")[0]
    assert "1 gangguan; 1 masih dibuka; 1 melewati Mutu Baku." in listed
    assert "onerror=alert(1)>" in listed and "Masih" in listed


def test_cli_pdf_and_its_errors(
    cli: Callable[..., CliResult], tmp_path: Path, sop_env: dict[str, str]
) -> None:
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    craft_execution(
        store, "local-demo", datetime(2025, 11, 3, 19).astimezone(), status="failed", activities=2
    )
    store.close()
    out = tmp_path / "l.pdf"
    code, _, err = cli("report", "--month", "2025-11", "--format", "pdf", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "disk full" in text  # the failed execution's cause
    code, _, err = cli("report", "--month", "2025-11", "--format", "pdf")
    assert (code, err.strip()) == (2, "sop: error: --format pdf needs -o FILE")
    code, _, err = cli("report", "--format", "pdf", "--all-courts", "-o", str(out))
    assert code == 2 and "one court's report" in err
    code, _, err = cli(
        "report", "--month", "2025-11", "--format", "pdf", "-o", str(tmp_path / "no/dir/x.pdf")
    )
    assert code == 2
    assert err.startswith("sop: error: cannot write the report to")
    assert "Traceback" not in err


def test_a_delegated_steps_run_is_named_in_the_pdf(tmp_path: Path) -> None:
    """The PDF lists a step another SOP carried out with that SOP's run, as the Markdown
    and HTML report does (report._manual_rows, shared)."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    ran = craft_execution(store, "sipp-maintenance", datetime(2025, 11, 3, 3, tzinfo=UTC),
                          court=COURT, activities=1)
    did = {"sop": "sipp-backup", "execution": 7, "started_at": "2025-11-03T02:00:00+07:00"}
    with store.db.transaction(write=True) as tx:
        tx.update("activity_results",
                  {"mode": "delegated", "status": "delegated", "outputs": [did]},
                  "execution_id = :key_id", key_id=ran)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    manual = page.split("<h3>Langkah manual dan konfirmasinya</h3>", 1)[1].split("</table>")[0]
    assert "Dilaksanakan oleh SOP sipp-backup (eksekusi 7, mulai 03-11-2025 02:00)" in manual


def test_a_charts_numbers_have_a_decimal_comma() -> None:
    """The axis of a chart of 2,5 MiB reads 0,625 ... 2,5 as the text does, not 0.625."""
    svg = report_pdf.svg_bars([report_pdf.Bar("1", ((2.5, report_pdf.GREEN),))], unit="MiB")
    ticks = re.findall(r'text-anchor="end">([^<]*)</text>', svg)
    assert ticks == ["0", "0,625", "1,25", "1,875", "2,5"]


def test_the_signatures_are_dated_at_the_courts_city(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    sop_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above its signers the report says where and on which day it is signed, as an
    Indonesian official letter does: "Bangil, 5 Desember 2026" (-i's court_city), the day
    alone without a city (--court reads no inventory)."""
    monkeypatch.setattr(report, "now", lambda: datetime(2026, 12, 4, 20, 53, tzinfo=UTC))
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    signed = report_pdf.document(store, load_catalogue(), Month(2026, 11), COURT, place="Bangil")
    unplaced = report_pdf.document(store, load_catalogue(), Month(2026, 11), COURT)
    store.close()
    assert '<td class="date">Bangil, 5 Desember 2026</td>' in signed
    assert '<td class="date">5 Desember 2026</td>' in unplaced
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True)
    Store(f"sqlite:///{data / 'sop.db'}").close()
    inventory = tmp_path / "inventory"
    shutil.copytree(REPO / "tests/runner/fixtures/inventory", inventory)
    with (inventory / "group_vars/all.yml").open("a") as file:
        file.write("court_city: Bangil\n")
    out = tmp_path / "l.pdf"
    code, _, err = cli("report", "--month", "2026-11", "-i", str(inventory), "--format", "pdf",
                       "-o", str(out))
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Bangil, 5 Desember 2026" in text
    group_vars = inventory / "group_vars/all.yml"
    group_vars.write_text(group_vars.read_text().replace("court_city: Bangil", "court_city: [1]"))
    code, _, err = cli("report", "--month", "2026-11", "-i", str(inventory), "--format", "pdf",
                       "-o", str(out))
    assert (code, err) == (2, f"sop: error: inventory {inventory}: court_city: [1] is not text\n")


def test_the_mutu_baku_line_is_labelled_in_few_decimals(tmp_path: Path) -> None:
    """A Mutu Baku of no whole number of minutes (a court's `waktu: 2h 20s`) was labelled
    with twelve digits, 'Mutu Baku 123,333333333 menit'; it is rounded to hundredths."""
    _execution, page = _ninety_minute_backup(tmp_path, 7220)
    assert "Mutu Baku 123,33 menit" in page  # 3 x 1 minute + 2 hours 20 seconds


def _rects(svg: str) -> list[tuple[float, float, float]]:
    """(y, height, width) of every rect a chart draws but its legend's keys, as numbers
    (`nan`, `-inf` too)."""
    found = re.findall(r'<rect x="[^"]*" y="([^"]*)" width="([^"]*)" height="([^"]*)"', svg)
    return [(float(y), float(h), float(w)) for y, w, h in found if h != "9"]


@pytest.mark.parametrize("value", [-3.0, -0.001, math.inf, -math.inf, math.nan])
def test_a_bar_of_no_measured_value_is_not_drawn(value: float) -> None:
    """A bar's part that no clock measured (negative: the clock set back; not finite) drew
    a rect of negative height, or one below the axis, or broke the axis's scale; it is not
    drawn, and the other bars keep theirs within the plot (above the axis, below its top)."""
    svg = report_pdf.svg_bars(
        [report_pdf.Bar("1", ((2.0, report_pdf.BLUE),)),
         report_pdf.Bar("2", ((value, report_pdf.BLUE),)),
         report_pdf.Bar("3", ((1.0, report_pdf.BLUE), (value, report_pdf.RED)))],
        unit="menit")
    rects = _rects(svg)
    assert len(rects) == 2  # the bars of 2 and 1 minutes only
    axis = float(re.findall(r'<line x1="46" y1="([\d.]+)" x2="672" y2="[\d.]+" '
                            r'stroke="#333"', svg)[0])
    assert all(h > 0 and y >= 10 and y + h <= axis + 0.1 for y, h, _ in rects)
    assert re.findall(r'text-anchor="end">([^<]*)</text>', svg)[-1] == "2"  # its top


def test_a_run_whose_clock_was_set_back_is_not_drawn_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    """A run whose end was recorded before its start (the controller's clock set back) was
    drawn in the durations chart as a bar of negative height, below the axis, as if it
    took less than nothing; its list says "tidak terukur (jam mundur)". It is not drawn,
    and the chart's caption says how many runs were left out, as the Mutu Baku table's
    average does; a month of such runs only draws no chart and says so."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    started = datetime(2025, 11, 3, 3, tzinfo=UTC)
    back = craft_execution(store, "sipp-backup", started, court=COURT, activities=4)
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"ended_at": started - timedelta(hours=1)},
                  "id = :key_id", key_id=back)
    only_back = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    fine = craft_execution(store, "sipp-backup", started + timedelta(days=1), court=COURT,
                           activities=4)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    said = "1 eksekusi dengan durasi tidak terukur tidak digambar"
    chart = page.split("<figure>")[2].split("</figure>")[0]
    assert "Durasi tiap eksekusi Backup Database SIPP" in chart
    assert f"eksekusi {fine}: 2 menit" in chart and f"eksekusi {back}:" not in chart
    assert all(h >= 0 for _, h, _ in _rects(chart))
    assert said in chart
    section = only_back.split("<h2>Backup Database SIPP</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Durasi tiap eksekusi" not in section
    assert said in section
    assert "tidak terukur (jam mundur)" in section  # the run's line in the list


def test_a_long_word_gives_the_pdf_its_breaks_and_keeps_its_text(tmp_path: Path) -> None:
    """A cause as long as a record keeps (1000 characters) without a space: WeasyPrint
    looked for where to break it (`overflow-wrap: anywhere`) in time that grows with its
    square, 15 s for one such cell, 47 s for 2000 characters, minutes for a month of such
    failures. The cell gives it a break (<wbr>) every few characters, which adds no
    character to the text read back from the paper; markup stays text, entities whole."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    ran = craft_execution(store, "sipp-backup", datetime(2025, 11, 3, 3, tzinfo=UTC),
                          court=COURT, status="failed")
    cause = "h1: Backup: " + ("</td>&amp;é🚀\x1b" + "z" * 40) * 20
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": cause[:1000]}, "id = :key_id", key_id=ran)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    cells = re.findall(r'<td class="long">(.*?)</td>', page)
    assert len(cells) == 2  # the failed runs, the list of runs
    for cell in cells:
        assert max(len(piece) for piece in cell.split("<wbr>")) <= 60  # entities included
        assert html.unescape(cell.replace("<wbr>", "")) == visible(cause[:1000])


@pytest.mark.parametrize(("runs", "ticks"), [
    (0, ["0", "1", "2", "3", "4"]), (1, ["0", "1", "2", "3", "4"]),
    (5, ["0", "2", "4", "6", "8"]), (17, ["0", "5", "10", "15", "20"]),
])
def test_the_executions_per_day_axis_counts_whole_runs(
    tmp_path: Path, runs: int, ticks: list[str]
) -> None:
    """A month with no run, or at most one a day, read "0 0,25 0,5 0,75 1 eksekusi" up
    the axis of runs per day: a quarter of a run. Its ticks are whole runs."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    for _ in range(runs):
        craft_execution(store, "website", datetime(2025, 11, 3, 3, tzinfo=UTC), court=COURT)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), COURT)
    store.close()
    chart = page.split("<figure>", 1)[1].split("</figure>", 1)[0]
    assert "Jumlah eksekusi SOP per hari" in chart
    assert re.findall(r'text-anchor="end">([^<]*)</text>', chart) == ticks


@pytest.mark.parametrize(("reference", "scale_top", "line"), [
    (2940.0, "1", False),  # a month's Mutu Baku over runs of under a minute: named above
    (3.0, "5", True),  # near the bars: drawn to their common scale
])
def test_a_mutu_baku_far_above_every_run_is_named_above_the_chart_not_drawn_to_scale(
        reference: float, scale_top: str, line: bool) -> None:
    """Pemeliharaan Server's automated activities together allow 2.940 minutes, its runs
    take under one: the chart's scale was the Mutu Baku's (0 to 5.000 minutes), its bars
    slivers no reader could see. A reference more than REFERENCE_ABOVE times the highest
    bar is named above the chart ('... (di atas skala)') and the scale is the bars'."""
    svg = report_pdf.svg_bars(
        [report_pdf.Bar("1", ((0.8, report_pdf.BLUE),)),
         report_pdf.Bar("2", ((0.5, report_pdf.BLUE),))],
        unit="menit", reference=(reference, f"Mutu Baku {reference:g} menit"))
    ticks = re.findall(r'text-anchor="end">([^<]*)</text>', svg)
    assert scale_top in ticks[:5][-1:]
    assert ('stroke-dasharray' in svg) is line
    assert (f"Mutu Baku {reference:g} menit (di atas skala)" in svg) is not line
    tallest = max(h for _, h, _ in _rects(svg))  # of a plot 146 high
    assert tallest > 100 if not line else tallest < 30


def test_the_pdf_of_an_inventory_without_court_name_is_of_its_unnamed_runs(
    tmp_path: Path,
) -> None:
    """As the Markdown (`report.build`'s `unnamed`): the runs recorded without a court
    name, not the month's one other court's."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    other = craft_execution(store, "website", datetime(2025, 11, 3, 3, tzinfo=UTC), court=COURT)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), None, unnamed=True)
    assert html.escape(COURT) not in page and '<p class="court">-</p>' in page
    mine = craft_execution(store, "website", datetime(2025, 11, 4, 3, tzinfo=UTC), court=None)
    page = report_pdf.document(store, load_catalogue(), Month(2025, 11), None, unnamed=True)
    store.close()
    runs = page.split("<h3>Daftar pelaksanaan</h3>")[1]
    assert f"<td>{mine}</td>" in runs and f"<td>{other}</td>" not in runs


def test_the_pdf_of_each_court_of_a_shared_name_holds_its_own_runs_only(
    cli: Callable[..., CliResult], tmp_path: Path, sop_env: dict[str, str]
) -> None:
    """As the Markdown (test_report_courts): `--format pdf --kode-satker CODE` is the
    report of the court of that code among those of its name, headed with its code, its
    runs only (not the other court's, nor one of the name recorded without a code; none
    for a court of it that ran before the month only); the name alone, borne by two
    courts in the month, is refused."""
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    runs: dict[str | None, list[str]] = {"401003": []}
    for code, day in (("401001", 3), ("401001", 4), ("401002", 19), (None, 2), ("401003", -1)):
        started = datetime(2026, 11, 1, 3, tzinfo=UTC) + timedelta(days=day - 1)
        execution = craft_execution(store, "local-demo", started, court=COURT)
        if code is not None:
            _satker(store, execution, code)
        if code != "401003":  # 31 October: before the month
            runs.setdefault(code, []).append(started.astimezone(WIB).strftime("%d-%m-%Y %H:%M"))
    store.close()
    out = tmp_path / "l.pdf"
    for code in ("401001", "401002", "401003"):
        result, _, err = cli("report", "--month", "2026-11", "--court", COURT,
                             "--kode-satker", code, "--format", "pdf", "-o", str(out))  # fmt: skip
        assert result == 0, err
        text = subprocess.run(
            ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert f"{COURT} (kode satker {code})" in text
        listed = re.findall(r"\d\d-11-2026 \d\d:\d\d", text.partition("Daftar pelaksanaan")[2])
        assert listed == runs[code]
    result, _, err = cli("report", "--month", "2026-11", "--court", COURT, "--format", "pdf",
                         "-o", str(out))  # fmt: skip
    assert (result, err) == (
        2,
        f"sop: error: {COURT!r} names 2 courts in November 2026 (kode satker 401001, "
        "401002): give --kode-satker CODE for one court's report\n",
    )
