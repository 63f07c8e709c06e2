"""Laporan Pelaksanaan SOP as a PDF to sign and file (WeasyPrint), in Bahasa Indonesia.

The same month and court as the Markdown/HTML report, laid out as a document: the court
and the SOP numbers; per SOP planned versus executed versus successful (planned from the
day the SOP first ran at the court, by its frequency or, under -i, by the times the court's
sop_schedule gives it); activities against the Mutu Baku; the files the
runs produced; the warnings the hosts returned; manual steps and who confirmed them; a
failed execution with its cause; charts drawn here as inline SVG (executions per day,
durations against the Mutu Baku, backup size and verification, website availability
where recorded); the server incidents open in the month (report.month_incidents); and the
signature block under the place (the court's court_city, when
-i gives it) and day it is signed.
Numbers and dates in its text as Bahasa Indonesia writes them (sop.bahasa).

Website availability is drawn from activity outputs carrying `available` (true/false),
the convention for monitoring SOPs; backups from outputs with `sha256` and `size`
(`verified` when the backup was restored and compared).
"""

# WeasyPrint is imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sop.bahasa import angka, angka_ringkas
from sop.catalogue import FREQUENCY_LABEL, Sop
from sop.durations import UNMEASURED, format_seconds
from sop.oncalendar import Calendars
from sop.report import (
    DRILL_HEADER,
    FILES_HEADER,
    FILES_HEADING,
    INCIDENTS_HEADER,
    INCIDENTS_HEADING,
    PENDING_HEADING,
    SIGNATURE_LINE,
    SIGNATURES,
    STATUS_ID,
    WARNINGS_HEADER,
    WARNINGS_HEADING,
    Incidents,
    Month,
    _activity_rows,
    _drill_rows,
    _duration,
    _manual_rows,
    chosen_first_runs,
    court_heading,
    duration_text,
    file_outputs,
    mappings,
    measured,
    month_executions,
    month_incidents,
    not_dry,
    partial_mark,
    pending_count,
    planned,
    real,
    recorded_cause,
    remarks,
    reported_number,
    schedule_note,
    signed_at,
    size_text,
    tally,
    warning_rows,
    weekly_note,
    write_report,
)
from sop.report import literal_html as _e
from sop.store import Row, Store, performs_sop
from sop.untrusted import visible

GREEN, RED, AMBER, GREY, BLUE = "#2e7d32", "#c62828", "#ef8f00", "#9e9e9e", "#1565c0"


def _status(status: str) -> str:
    return STATUS_ID.get(status, status)


def _run_status(execution: Row) -> str:
    """An execution's status, marked when it is not the SOP done (a dry run, a partial run)."""
    check = " (mode uji)" if execution["check_mode"] else ""
    return _status(execution["status"]) + check + partial_mark(execution)


MAX_BAR_WIDTH = 24.0  # px: a month of daily runs (31 bars) draws each ~14 px wide


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar (every `label_every`-th bar's; once for bars of one day)
    parts: tuple[tuple[float, str], ...]  # stacked (value, colour), bottom first
    title: str = ""  # tooltip text


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return float(step * factor)
    return value


# A reference more than this many times the highest bar is named above the chart, not
# drawn to its scale.
REFERENCE_ABOVE = 4


def svg_bars(
    bars: Sequence[Bar],
    *,
    unit: str,
    legend: Sequence[tuple[str, str]] = (),
    reference: tuple[float, str] | None = None,
    whole: bool = False,
    width: int = 680,
    height: int = 190,
) -> str:
    """A bar chart (stacked parts) as an SVG element; `reference` draws a dashed line at a
    value with its label (the Mutu Baku), or names it above the chart when it is more than
    REFERENCE_ABOVE times the highest bar. A part no clock or count measured (`measured`:
    negative, such as a duration whose clock was set back, or not finite) is not drawn:
    no bar of negative height below the axis, no scale an endless one breaks. `whole`:
    the values are counts, and so is every tick of the axis (no quarter of a run)."""
    left, right, top, bottom = 46, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    drawn = [[(v, colour) for v, colour in b.parts if measured(v)] for b in bars]
    bars_peak = max([sum(v for v, _ in parts) for parts in drawn] + [0])
    # a reference far above every bar (a day's Mutu Baku over runs of a minute) would
    # flatten them to nothing: the scale is the bars', the reference named above it
    above = reference is not None and reference[0] > REFERENCE_ABOVE * bars_peak > 0
    peak = max(bars_peak, reference[0] if reference and not above else 0)
    top_value = _nice_max(peak)
    if whole:  # four intervals of whole numbers
        top_value = float(4 * math.ceil(top_value / 4))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" font-size="9">'
    ]
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{angka_ringkas(value)}</text>'
        )
    out.append(
        f'<text x="4" y="{top + plot_h / 2:.1f}" transform="rotate(-90 8 {top + plot_h / 2:.1f})"'
        f' text-anchor="middle">{_e(unit)}</text>'
    )
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.7, MAX_BAR_WIDTH)  # one run is a bar, not a band over the chart
    label_every = max(1, round(len(bars) / 31))
    written = None  # the last label written: bars of one day share theirs
    for index, (bar, parts) in enumerate(zip(bars, drawn, strict=True)):
        x = left + index * slot + (slot - bar_w) / 2
        y = top + plot_h
        for value, colour in parts:
            h = plot_h * value / top_value
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_e(bar.title)}</title></rect>'
            )
        if index % label_every == 0 and bar.label != written:
            written = bar.label
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 11}" '
                f'text-anchor="middle">{_e(bar.label)}</text>'
            )
    if reference is not None and above:
        out.append(
            f'<text x="{width - right}" y="{top - 1}" text-anchor="end" fill="{RED}">'
            f"{_e(reference[1])} (di atas skala)</text>"
        )
    elif reference is not None:
        y = top + plot_h - plot_h * reference[0] / top_value
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{RED}" stroke-width="1" stroke-dasharray="4 3"/>'
            f'<text x="{width - right}" y="{y - 3:.1f}" text-anchor="end" fill="{RED}">'
            f"{_e(reference[1])}</text>"
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#333" stroke-width="0.8"/>'
    )
    x = left
    for text, colour in legend:
        out.append(
            f'<rect x="{x}" y="{height - 12}" width="9" height="9" fill="{colour}"/>'
            f'<text x="{x + 12}" y="{height - 4}">{_e(text)}</text>'
        )
        x += 20 + 6 * len(text)
    out.append("</svg>")
    return "".join(out)


def _days(month: Month) -> list[datetime]:
    day, days = month.start, []
    while day < month.end:
        days.append(day)
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)
    return days


def _day(month: Month, execution: Row) -> int:
    """The day of the month an execution started, on the court's clock."""
    return int(execution["started_at"].astimezone(month.zone).day)


def executions_per_day(month: Month, executions: Sequence[Row]) -> str:
    counts: dict[int, list[int]] = {d.day: [0, 0, 0] for d in _days(month)}
    for execution in executions:
        slot = counts[_day(month, execution)]
        status = execution["status"]
        if status == "successful" and not performs_sop(execution):
            slot[2] += 1  # a dry run performed nothing, a partial run some activities
        else:
            slot[0 if status == "successful" else 1 if status in STATUS_FAILED else 2] += 1
    bars = [
        Bar(
            str(day),
            ((ok, GREEN), (bad, RED), (other, GREY)),
            f"{day}: {ok} berhasil, {bad} gagal, {other} lainnya",
        )
        for day, (ok, bad, other) in counts.items()
    ]
    return svg_bars(
        bars,
        unit="eksekusi",
        whole=True,
        legend=(
            ("berhasil", GREEN),
            ("gagal/terputus", RED),
            ("lainnya (berjalan, mode uji atau sebagian yang berhasil)", GREY),
        ),
    )


STATUS_FAILED = ("failed", "unreachable", "interrupted", "canceled")


def _baku_minutes(execution: Row) -> float | None:
    """The Mutu Baku of an execution's automated activities together, in minutes, as its
    record judged them (`limit_s`: the court's own times when it sets them, which a
    report read without -i does not know); None when one of them has no limit (`waktu:
    null`, "Relatif": the run as a whole has none, as incidents.handling_limit), or the
    record has no automated activity."""
    limits = [a["limit_s"] for a in execution["activities"] if a["mode"] == "automated"]
    return None if not limits or None in limits else sum(limits) / 60


def durations_chart(month: Month, executions: Sequence[Row]) -> str | None:
    bars = []
    limits: set[float | None] = set()
    for execution in executions:
        seconds = _duration(execution)
        if seconds is None or not measured(seconds):
            continue  # still running, or its clock set back (`unmeasured_runs`)
        minutes = seconds / 60
        baku = _baku_minutes(execution)
        limits.add(baku)
        over = baku is not None and minutes > baku
        colour = RED if execution["status"] != "successful" else AMBER if over else BLUE
        bars.append(
            Bar(
                str(_day(month, execution)),
                ((minutes, colour),),
                f"eksekusi {execution['id']}: {format_seconds(seconds, over=over)}",
            )
        )
    if not bars:
        return None
    baku = limits.pop() if len(limits) == 1 else None  # a line only where it holds for all
    return svg_bars(
        bars,
        unit="menit",
        legend=(("durasi", BLUE), ("melebihi Mutu Baku", AMBER), ("gagal", RED)),
        # in hundredths: a court's `waktu: 2h 20s` is not 123,333333333 minutes
        reference=(baku, f"Mutu Baku {angka_ringkas(round(baku, 2))} menit") if baku else None,
    )


def unmeasured_runs(executions: Sequence[Row]) -> str | None:
    """What the durations chart says of the runs it leaves out for a duration no clock
    measured (an end recorded before its start: the controller's clock set back), as the
    Mutu Baku table's average does; None when it leaves none out."""
    durations = [_duration(e) for e in executions]
    count = sum(1 for seconds in durations if seconds is not None and not measured(seconds))
    return f"{angka(count)} eksekusi dengan durasi {UNMEASURED} tidak digambar" if count else None


def _outputs(executions: Sequence[Row]) -> list[tuple[Row, Mapping[str, Any]]]:
    return [
        (execution, output)
        for execution in executions
        for activity in execution["activities"]
        for output in mappings(activity["outputs"])
    ]


def backup_chart(month: Month, executions: Sequence[Row]) -> str | None:
    seen: set[str] = set()
    bars = []
    for execution, output in _outputs(executions):
        size = reported_number(output.get("size"))
        if not output.get("sha256") or size is None or not 0 <= size < 1 << 60:
            continue  # no backup file, or no size a chart can draw
        if str(output["sha256"]) in seen:
            continue
        seen.add(str(output["sha256"]))
        verified = output.get("verified")
        colour = GREEN if verified is True else RED if verified is False else GREY
        bars.append(
            Bar(
                str(_day(month, execution)),
                ((size / 1048576, colour),),
                f"{Path(str(output.get('path', '-'))).name}: {size_text(output['size'])} byte",
            )
        )
    if not bars:
        return None
    return svg_bars(
        bars,
        unit="MiB",
        legend=(("terverifikasi", GREEN), ("BELUM terverifikasi", RED), ("tidak diuji", GREY)),
    )


def availability_chart(month: Month, executions: Sequence[Row]) -> str | None:
    per_day: dict[int, list[int]] = {}
    for execution, output in _outputs(executions):
        if isinstance(output.get("available"), bool):
            tally = per_day.setdefault(_day(month, execution), [0, 0])
            tally[0 if output["available"] else 1] += 1
    if not per_day:
        return None
    bars = []
    for day in _days(month):
        up, down = per_day.get(day.day, [0, 0])
        total = up + down
        rate = 100 * up / total if total else 0
        bars.append(
            Bar(
                str(day.day),
                ((rate, GREEN), (100 - rate if total else 0, RED)),
                f"{day.day}: {angka(up)} dari {angka(total)} pemeriksaan tersedia",
            )
        )
    return svg_bars(bars, unit="% tersedia", legend=(("tersedia", GREEN), ("tidak", RED)))


# A word this long (a URL, a digest, a cause or name without spaces) is no date, status
# or SOP number: its cell may break it anywhere (laporan.css's td.long).
_LONG_WORD = re.compile(r"\S{40,}")


# A long word has a break opportunity (<wbr>) every this many characters: WeasyPrint,
# left to find one anywhere (`overflow-wrap`), takes time growing with its square (15 s
# for a cause of 1000 characters, the longest a record keeps).
_BREAK_EVERY = 20


def _breakable(text: str) -> str:
    """`text` literal in HTML (`literal_html`), its long words given a break opportunity
    every _BREAK_EVERY characters: <wbr> adds no character to what is read or copied."""
    shown, out, last = visible(text), [], 0
    for word in _LONG_WORD.finditer(shown):
        pieces = [word[0][i : i + _BREAK_EVERY] for i in range(0, len(word[0]), _BREAK_EVERY)]
        out += [html.escape(shown[last : word.start()]), "<wbr>".join(map(html.escape, pieces))]
        last = word.end()
    return "".join(out) + html.escape(shown[last:])


def _cell(text: str) -> str:
    """A table cell; one with a long word breaks it within the page rather than widening
    its table past the page's edge, where that text and the columns after it are not
    printed. Shorter words keep their cell as wide as they are."""
    if _LONG_WORD.search(visible(text)) is None:
        return f"<td>{_e(text)}</td>"
    return f'<td class="long">{_breakable(text)}</td>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    # the headers are this module's own words: their soft hyphens (SUMMARY_HEADER) kept
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(map(_cell, row)) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _sop_section(sop: Sop, mine: Sequence[Row], month: Month) -> str:
    numbers = "; ".join(f"{d.court}: {d.number}" for d in sop.documents)
    parts = [f"<h2>{_e(sop.title)}</h2>", f'<p class="meta">Nomor SOP: {_e(numbers)}</p>']
    if not mine:
        parts.append("<p>Tidak ada pelaksanaan tercatat pada periode ini.</p>")
        return "".join(parts)
    failed = [e for e in mine if e["status"] in STATUS_FAILED]
    performed = real(mine)  # a dry run or a partial run is listed, not judged
    worked = not_dry(mine)  # a partial run's files and human parts are listed, marked
    if failed:
        parts.append("<h3>Pelaksanaan yang tidak berhasil</h3>")
        parts.append(
            _table(
                ["ID", "Mulai", "Status", "Penyebab"],
                [
                    [
                        str(e["id"]),
                        month.when(e["started_at"]),
                        _run_status(e),
                        recorded_cause(e),
                    ]
                    for e in failed
                ],
                "failed",
            )
        )
    parts.append("<h3>Kegiatan terhadap Mutu Baku</h3>")
    parts.append(
        _table(
            [
                "No",
                "Kegiatan",
                "Pelaksanaan",
                "Mutu Baku",
                "Rata-rata",
                "Maksimum",
                "Melebihi",
            ],
            _activity_rows(sop, performed),
            "activities",
        )
    )
    chart = durations_chart(month, performed)
    left_out = unmeasured_runs(performed)
    if chart:
        caption = f"Durasi tiap eksekusi {sop.title} dibandingkan Mutu Baku (menit)"
        parts.append(_figure(chart, f"{caption}; {left_out}" if left_out else caption))
    elif left_out:
        parts.append(f'<p class="note">Durasi: {_e(left_out)}.</p>')
    backups = backup_chart(month, worked)
    if backups:
        parts.append(_figure(backups, "Ukuran dan verifikasi backup selama bulan ini"))
    files = file_outputs(worked)
    if files:
        parts.append(f"<h3>{_e(FILES_HEADING)}</h3>")
        parts.append(_table(FILES_HEADER, files, "files"))
    availability = availability_chart(month, performed)
    if availability:
        parts.append(_figure(availability, "Ketersediaan situs per hari (% pemeriksaan)"))
    drills = _drill_rows(worked)
    if drills:
        parts.append("<h3>Uji restorasi backup</h3>")
        parts.append(_table(DRILL_HEADER, drills))
    warnings = warning_rows(worked)
    if warnings:
        parts.append(f"<h3>{_e(WARNINGS_HEADING)}</h3>")
        parts.append(_table(WARNINGS_HEADER, warnings, "warnings"))
    manual = _manual_rows(worked, month, sop)
    if manual:
        parts.append("<h3>Langkah manual dan konfirmasinya</h3>")
        parts.append(_table(["Eksekusi", "No", "Kegiatan", "Keterangan"], manual, "manual"))
    parts.append("<h3>Daftar pelaksanaan</h3>")
    parts.append(
        _table(
            ["ID", "Mulai", "Durasi", "Pelaksana", "Pemicu", "Status", "Keterangan"],
            [
                [
                    str(e["id"]),
                    month.when(e["started_at"]),
                    duration_text(e),
                    e["operator"],
                    e["trigger"],
                    _run_status(e),
                    remarks(e),
                ]
                for e in mine
            ],
            "runs",
        )
    )
    return "".join(parts)


def _incident_section(found: Incidents | None) -> str:
    """The server incidents of the month (report.month_incidents), as the Markdown and
    HTML reports list them."""
    if found is None:
        return ""
    parts = [f"<h2>{_e(INCIDENTS_HEADING)}</h2>"]
    parts += [f'<p class="note">{_e(note)}</p>' for note in found.notes]
    if found.rows:
        parts.append(_table(INCIDENTS_HEADER, found.rows, "incidents"))
    return "".join(parts)


# The summary's columns. A count's header word breaks at a syllable, hyphenated (a soft
# hyphen, U+00AD), where the page is narrow: whole, Direncanakan, Dilaksanakan and
# Keberhasilan set their columns' widths and left the SOP's title a word a line
# ("Monitoring, / Pemeliharaan / dan / Pengamanan / Perangkat TI"; laporan.css gives
# the title its width). The pending heading keeps its words: WeasyPrint measured a soft
# hyphen among spaces as one unbroken line.
SUMMARY_HEADER = [
    "SOP",
    "Nomor",
    "Frekuensi",
    "Diren\u00adcanakan",
    "Dilak\u00adsanakan",
    "Berhasil",
    "Keber\u00adhasilan",
    PENDING_HEADING,
]


def _css() -> str:
    return resources.files("sop").joinpath("templates/laporan.css").read_text(encoding="utf-8")


def signature_block(month: Month, place: str | None) -> str:
    """The signatures, under the place and day the report is signed (`signed_at`)."""
    dated = signed_at(month, place)
    cells = "".join(
        f'<td><p>{_e(role)}</p><p class="who">{_e(who)}</p><div class="space"></div>'
        f'<p class="line">{SIGNATURE_LINE}</p>'
        f"<p>NIP.</p></td>"
        for role, who in SIGNATURES
    )
    date_row = f'<td class="date">{_e(dated)}</td>' + "<td></td>" * (len(SIGNATURES) - 1)
    return (
        f'<section class="sign"><table class="sign"><tr>{date_row}</tr><tr>{cells}</tr>'
        "</table></section>"
    )


def document(
    store: Store,
    sops: Mapping[str, Sop],
    month: Month,
    court: str | None = None,
    *,
    calendars: Calendars | None = None,
    place: str | None = None,
    unnamed: bool = False,
    kode_satker: str | None = None,
    catalogue: Mapping[str, Sop] | None = None,
) -> str:
    """The report as one HTML document (WeasyPrint's input), of the court `build` reports
    on (`unnamed`, `kode_satker` and `catalogue` as there), planned by the court's schedule of a SOP
    where `calendars` (-i's) gives one, signed at `place` (the court's court_city) when
    given."""
    court_name, executions = month_executions(
        store, month, court, unnamed=unnamed, kode_satker=kode_satker
    )
    firsts = chosen_first_runs(store, court_name, kode_satker)
    title = f"Laporan Pelaksanaan SOP — {month.label}"
    note = schedule_note(sops, calendars)
    courts = court_heading(executions, court_name, kode_satker)
    summary = []
    for sop in sops.values():
        mine = [e for e in executions if e["sop_id"] == sop.id]
        executed, ok, rate = tally(mine)
        summary.append(
            [
                sop.title,
                sop.number,
                FREQUENCY_LABEL[sop.frequency],
                planned(month, sop, firsts, calendars),
                angka(executed),
                angka(ok),
                rate,
                pending_count(sop, mine),
            ]
        )
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="court">{_e(", ".join(courts) or "-")}</p>',
        f'<p class="meta">Periode {_e(month.period())} oleh perintah sop. '
        "Mode uji (--check) dan pelaksanaan sebagian (--activity) "
        "tidak dihitung sebagai pelaksanaan; berkas dan langkah manual dari pelaksanaan "
        "sebagian tetap dicantumkan, ditandai.</p>"
        "</header>",
        "<h2>Ringkasan</h2>",
        _table(SUMMARY_HEADER, summary, "summary"),
        '<p class="note">Direncanakan: dihitung sejak hari pertama SOP dijalankan di '
        "pengadilan ini sampai akhir periode (atau hari ini) menurut frekuensi SOP"
        f"{_e(weekly_note(sops, calendars))}{_e('; ' + note) if note else ''}; "
        "belum dimulai: SOP belum pernah dijalankan di pengadilan ini sampai akhir periode.</p>",
        _figure(executions_per_day(month, executions), "Jumlah eksekusi SOP per hari"),
        *[
            _sop_section(sop, [e for e in executions if e["sop_id"] == sop.id], month)
            for sop in sops.values()
        ],
        _incident_section(
            month_incidents(
                store,
                catalogue or sops,
                month,
                court_name,
                unnamed=unnamed,
                kode_satker=kode_satker,
            )
        ),
        signature_block(month, place),
    ]
    return (
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{_e(title)}'
        f"</title><style>{_css()}</style></head><body>{''.join(body)}</body></html>"
    )


def write_pdf(
    store: Store,
    sops: Mapping[str, Sop],
    month: Month,
    court: str | None,
    output: Path,
    *,
    calendars: Calendars | None = None,
    place: str | None = None,
    unnamed: bool = False,
    kode_satker: str | None = None,
    catalogue: Mapping[str, Sop] | None = None,
) -> None:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    page = document(
        store,
        sops,
        month,
        court,
        calendars=calendars,
        place=place,
        unnamed=unnamed,
        kode_satker=kode_satker,
        catalogue=catalogue,
    )
    write_report(output, lambda path: HTML(string=page).write_pdf(str(path)))
