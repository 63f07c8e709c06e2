"""Rich renderings for the terminal: the catalogue, a SOP as its document, executions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sop.catalogue import FREQUENCY_LABEL, Sop
from sop.durations import format_seconds
from sop.overdue import Due, most_urgent
from sop.report import abandoned_state, abandoned_step, waiting_human_part
from sop.store import HOST_COUNTS, Row, partial_numbers
from sop.untrusted import visible

STATUS_STYLE = {
    "successful": "bold green",
    "failed": "bold red",
    "unreachable": "bold red",
    "interrupted": "bold yellow",
    "canceled": "bold yellow",
    "running": "bold cyan",
    "ok": "green",
    "changed": "green",
    "skipped": "dim",
    "not-run": "dim",
    "pending-manual": "magenta",
    "acknowledged": "green",
    "delegated": "green",
}


def plain(value: object, style: str = "") -> Text:
    """Text shown literally: names, messages and errors from hosts, operators, inventories
    and catalogues are never read as rich markup, and their control characters are shown,
    not sent to the terminal (sop.untrusted)."""
    return Text(visible(str(value)), style=style)


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def court_time(value: datetime | None, zone: tzinfo, *, seconds: bool = True) -> str:
    """A recorded time on the court's clock, its zone named (`2026-12-01 03:00:00 WIB`):
    never the controller's own clock (often UTC, where that backup ran at 20:00 the day
    before), and never a time that could be read on another clock."""
    if value is None:
        return "-"
    return value.astimezone(zone).strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} %Z")


def _minute(value: datetime | None, zone: tzinfo) -> str:
    return court_time(value, zone, seconds=False)


def _duration(row: Mapping[str, Any]) -> float | None:
    if row.get("started_at") and row.get("ended_at"):
        return float((row["ended_at"] - row["started_at"]).total_seconds())
    return None


def coverage(sop: Sop, project_dir: Path) -> Text:
    """How much of the SOP the playbook carries out."""
    automated = sum(1 for a in sop.activities if a.automated)
    total = len(sop.activities)
    if sop.playbook is None:
        return Text(f"not automated ({total} manual)", style="yellow")
    if not (project_dir / sop.playbook).is_file():
        return Text(f"playbook missing: {sop.playbook}", style="bold red")
    delegated = sum(1 for a in sop.activities if a.automated_by)
    text = Text(f"{automated}/{total} automated", style="green" if automated == total else "")
    if delegated:
        text.append(f", {delegated} via other SOP")
    manual = total - automated - delegated
    if manual:
        text.append(f", {manual} manual", style="magenta")
    return text


def _court(name: str | None) -> str:
    return name if name is not None else "(no court_name)"


def next_due(dues: Sequence[Due], zone: tzinfo) -> Text:
    """The most urgent state of a SOP over the courts it is recorded at."""
    urgent = most_urgent(dues)
    if urgent is None or urgent.state == "on-demand":
        return Text("on demand", style="dim")
    if urgent.state == "new":
        text = Text("never run", style="yellow")
    elif urgent.state == "overdue":
        text = Text(f"OVERDUE since {_minute(urgent.overdue_at, zone)}", style="bold red")
    elif urgent.state == "grace":
        text = Text(
            f"due {_minute(urgent.due_at, zone)}, overdue at {_minute(urgent.overdue_at, zone)}",
            style="yellow",
        )
    else:
        text = Text(_minute(urgent.due_at, zone))
    if len(dues) > 1:
        same = sum(1 for d in dues if d.state == urgent.state)
        text.append(f"\n{visible(_court(urgent.court_name))}")  # an inventory's: shown
        if same > 1:
            text.append(f" and {same - 1} more")
    return text


def _partial(row: Row) -> str | None:
    """`partial: 2, 3`: the activities a partial run chose (`sop run --activity`)."""
    chosen = partial_numbers(row)
    return f"partial: {', '.join(map(str, chosen))}" if chosen else None


def _run_marks(row: Row) -> str:
    """What marks a run that is not the SOP done: a dry run (it performed nothing), a
    partial run (some activities only)."""
    partial = _partial(row)
    return (" (check)" if row["check_mode"] else "") + (f" ({partial})" if partial else "")


def _last_status(row: Row) -> Text:
    """A SOP's newest execution's status, marked when it was not the SOP done."""
    return Text.assemble(status_text(row["status"]), _run_marks(row))


def sop_list(
    sops: Mapping[str, Sop],
    project_dir: Path,
    latest: Mapping[str, Row],
    dues: Sequence[Due],
    zone: tzinfo,
) -> Table:
    table = Table(title="SOP catalogue", title_justify="left", expand=False)
    for column in (
        "ID",
        "SOP",
        "Number",
        "Automation",
        "Frequency",
        "Last run",
        "Status",
        "Next due",
    ):
        table.add_column(column, overflow="fold")
    for sop in sops.values():
        last = latest.get(sop.id)
        table.add_row(
            plain(sop.id),
            plain(sop.title),
            plain(sop.number),
            coverage(sop, project_dir),
            FREQUENCY_LABEL[sop.frequency],
            _minute(last["started_at"], zone) if last else "never",
            _last_status(last) if last else Text("-", style="dim"),
            next_due([d for d in dues if d.sop.id == sop.id], zone),
        )
    return table


def overdue(dues: Sequence[Due], zone: tzinfo) -> Table:
    table = Table(title="Overdue SOPs", title_justify="left")
    for column in ("Court", "SOP", "Frequency", "Last success", "Due", "Overdue since"):
        table.add_column(column, overflow="fold")
    for due in dues:
        last = (
            f"{_minute(due.last_success_at, zone)} (execution {due.last_success_id})"
            if due.last_success_at
            else "never"
        )
        table.add_row(
            plain(_court(due.court_name)),
            plain(f"{due.sop.title} ({due.sop.id})"),
            FREQUENCY_LABEL[due.sop.frequency],
            last,
            _minute(due.due_at, zone),
            Text(_minute(due.overdue_at, zone), style="bold red"),
        )
    return table


def _how(sop: Sop, project_dir: Path, number: int) -> Text:
    activity = sop.activities[number - 1]
    if activity.automated:
        if sop.playbook is None:
            return Text(f"manual (tag {activity.automated}, no playbook yet)", style="yellow")
        how = Text(f"automated: tag {activity.automated}", style="green")
        if activity.manual_step:
            how.append(f"\n+ manual (sop ack): {activity.manual_step}", style="magenta")
        return how
    if activity.automated_by:
        return Text(f"by SOP {activity.automated_by}", style="green")
    how = Text(f"manual: {activity.manual}", style="magenta")
    if activity.automated_part and sop.playbook is not None:
        how.append(f"\n+ automated part (recorded with it): tag {activity.automated_part}",
                   style="green")
    return how


def sop_document(sop: Sop, project_dir: Path) -> Group:
    """The SOP laid out like the document: header, dasar hukum, peringatan, activities."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    for document in sop.documents:
        label = f"{document.court}"
        detail = f"{document.number} — {document.title}"
        extra = ", ".join(
            x
            for x in (
                document.section,
                f"revisi {document.revision}" if document.revision else "",
                document.date,
                document.note,
            )
            if x
        )
        header.add_row(
            plain(f"Nomor ({label})"), plain(f"{detail}" + (f" [{extra}]" if extra else ""))
        )
    if sop.playbook is None:
        playbook = Text("none (not automated yet)", style="yellow")
    elif not (project_dir / sop.playbook).is_file():
        playbook = Text(f"{sop.playbook} (missing: `sop run` refuses)", style="bold red")
    else:
        playbook = plain(sop.playbook)
    header.add_row("Playbook", playbook)
    header.add_row("Frekuensi", FREQUENCY_LABEL[sop.frequency])
    law = plain("\n".join(f"{i}. {item}" for i, item in enumerate(sop.dasar_hukum, 1)))
    table = Table(title="Kegiatan dan Mutu Baku", title_justify="left", show_lines=True)
    table.add_column("No", justify="right")
    table.add_column("Kegiatan", ratio=4)
    table.add_column("Pelaksana", ratio=2)
    table.add_column("Kelengkapan", ratio=2)
    table.add_column("Waktu")
    table.add_column("Output", ratio=2)
    table.add_column("Pelaksanaan", ratio=2)
    for activity in sop.activities:
        table.add_row(
            plain(activity.label),
            plain(activity.kegiatan),
            plain("\n".join(activity.pelaksana)),
            plain(activity.kelengkapan),
            plain(activity.waktu_text),
            plain(activity.output),
            _how(sop, project_dir, activity.number),
        )
    return Group(
        Panel(
            header,
            title=Text(f"STANDAR OPERASIONAL PROSEDUR — {sop.title.upper()}", style="bold"),
            subtitle=plain(sop.id),
        ),
        Panel(law, title="Dasar Hukum", title_align="left"),
        Panel(plain(sop.peringatan), title="Peringatan", title_align="left", border_style="yellow"),
        table,
    )


def _status_cell(row: Row, mode: str) -> Text:
    cell = Text.assemble(status_text(row["status"]), mode)
    if row["error"]:
        cell.append(f"\n{visible(row['error'])}", style="red")  # literal: appended as text
    return cell


def history(rows: Sequence[Row], zone: tzinfo, *, show_court: bool = True) -> Table:
    table = Table(title="Executions", title_justify="left")
    courts = show_court and len({row["court_name"] for row in rows}) > 1
    columns = ["ID", "SOP", "Started", "Duration", "Operator", "Trigger", "Hosts", "Status"]
    if courts:
        columns.insert(1, "Court")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            *([plain(_court(row["court_name"]))] if courts else []),
            plain(row["sop_id"]),
            court_time(row["started_at"], zone),
            format_seconds(_duration(row)),
            plain(row["operator"]),
            plain(row["trigger"]),
            plain(", ".join(row["hosts"]) or "-"),
            _status_cell(row, _run_marks(row)),
        )
    return table


def _output_value(value: Any) -> str:
    """Scalars as they are; a nested mapping or list by its size (the record has it all)."""
    if isinstance(value, Mapping):
        return f"{{{len(value)} entri}}"
    if isinstance(value, list | tuple):
        return f"[{len(value)} item]"
    return visible(str(value), newlines=False)  # one value cannot fake the next line


def _outputs(outputs: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for output in outputs:
        if not isinstance(output, Mapping):  # not an output this sop records: as it is
            lines.append(_output_value(output))
            continue
        shown = {k: v for k, v in output.items() if k not in ("task",)}
        lines.append(", ".join(f"{visible(str(k), newlines=False)}={_output_value(v)}"
                               for k, v in shown.items()))
    return "\n".join(lines)  # shown already (sop.untrusted): one pass, not two


def warning_lines(activity: Mapping[str, Any]) -> list[str]:
    """The warnings the hosts returned for an activity, one line each, host first
    (`sipp: mydumper failed ...`), as recorded (untrusted text: shown by the caller)."""
    return [
        f"{w.get('host')}: {w.get('warning')}" if w.get("host") else str(w.get("warning"))
        for w in activity.get("warnings") or []
        if isinstance(w, Mapping)
    ]


def _outputs_cell(activity: Mapping[str, Any]) -> Text:
    """An activity's outputs, then its warnings (`Peringatan: host: text`), each one line."""
    cell = Text(_outputs(activity["outputs"]))
    for line in warning_lines(activity):
        cell.append("\n" if cell.plain else "")
        cell.append(f"Peringatan: {visible(line, newlines=False)}", style="yellow")
    return cell


def _limit_cell(activity: Mapping[str, Any]) -> Text:
    duration = format_seconds(activity.get("duration_s"), over=bool(activity.get("over_time")))
    limit = activity.get("limit_s")
    if limit is None:
        return Text(f"{duration} / -")
    text = Text(f"{duration} / {format_seconds(limit)}")
    if activity.get("over_time"):
        text.append(" OVER", style="bold red")
    return text


def _activity_status(row: Row, activity: Mapping[str, Any]) -> Text:
    """An activity's recorded status; a manual step of a run that ended without carrying
    its SOP out or of a dry run, nobody having acknowledged it, as the report says it
    (not awaited: `Tidak dikonfirmasi: eksekusi gagal`, `Tidak dikonfirmasi: mode uji`)."""
    if abandoned_step(row, activity):
        return Text(abandoned_state(row), style="dim")
    return status_text(activity["status"])


def execution(row: Row, zone: tzinfo, sop: Sop | None) -> Group:
    """One execution, with the human parts of automated activities that wait for `sop
    ack` as recorded with them; `sop` (its catalogue entry, if still there) names those
    of activities recorded before schema v7."""
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    info.add_row("SOP", plain(f"{row['sop_title']} ({row['sop_id']}), nomor {row['sop_number']}"))
    info.add_row(
        "Court", plain(f"{row['court_name'] or '-'} (satker {row['court_kode_satker'] or '-'})")
    )
    info.add_row(
        "Status",
        Text.assemble(
            status_text(row["status"]), f"  rc={row['rc']}" if row["rc"] is not None else ""
        ),
    )
    if row["error"]:
        info.add_row("Error", plain(row["error"], style="red"))
    info.add_row("Operator", plain(f"{row['operator']} (trigger: {row['trigger']})"))
    info.add_row(
        "Started / ended",
        f"{court_time(row['started_at'], zone)} / {court_time(row['ended_at'], zone)}"
        f"  ({format_seconds(_duration(row))})",
    )
    if (row.get("lock_wait_s") or 0) >= 1:  # as the report: below, a clock tick, no install
        info.add_row("Waited", f"{format_seconds(row['lock_wait_s'])} for the install's lock "
                     "before it started (a timer's time limit counts it)")
    info.add_row(
        "Inventory",
        plain(
            f"{row['inventory'] or '-'}"
            + (f"  --limit {row['limit_pattern']}" if row["limit_pattern"] else "")
        ),
    )
    info.add_row("Hosts", plain(", ".join(row["hosts"]) or "-"))
    info.add_row("Check mode", "yes" if row["check_mode"] else "no")
    info.add_row("Activities", _partial(row) or "all")
    if row["extra_var_names"]:
        info.add_row("Extra vars", plain(", ".join(row["extra_var_names"]) + " (names only)"))
    info.add_row("Catalogue", plain(f"{row['catalogue_version']} / {row['catalogue_hash']}"))
    process = f"pid {row['pid']} on {row['hostname']}"
    if row["playbook_pid"] is not None:
        process += f"; ansible-playbook pid {row['playbook_pid']}"
    info.add_row("Process", plain(process))
    if row["artifact_dir"]:
        info.add_row("Artifacts", plain(row["artifact_dir"]))
    activities = Table(title="Activities", title_justify="left", show_lines=True)
    for column in (
        "No",
        "Kegiatan",
        "Status",
        "Hosts",
        "Started",
        "Duration / Mutu Baku",
        "Outputs",
    ):
        activities.add_column(column, overflow="fold")
    for activity in row["activities"]:
        status = _activity_status(row, activity)
        if activity["acknowledged_by"]:
            by = visible(activity["acknowledged_by"])
            when = court_time(activity["acknowledged_at"], zone)
            status.append(f"\nby {by}\n{when}")  # literal
        if activity["note"]:
            status.append(f"\n{visible(activity['note'])}", style="dim")
        waiting = waiting_human_part(sop, row, activity)
        if waiting is not None:
            status.append(f"\n+ manual, waits for sop ack: {visible(waiting)}", style="magenta")
        activities.add_row(
            plain(activity["ref"] or activity["number"]),
            plain(activity["kegiatan"]),
            status,
            plain(", ".join(activity["hosts"]) or "-"),
            court_time(activity["started_at"], zone),
            _limit_cell(activity),
            _outputs_cell(activity),
        )
    parts: list[RenderableType] = [Panel(info, title=f"Execution {row['id']}"), activities]
    if row["host_stats"]:
        stats = Table(title="Hosts", title_justify="left")
        for column in ("Host", *HOST_COUNTS):
            stats.add_column(column, justify="right" if column != "Host" else "left")
        for host in row["host_stats"]:
            stats.add_row(
                plain(host["host"]),
                *(str(host[k]) for k in HOST_COUNTS),
            )
        parts.append(stats)
    return Group(*parts)
