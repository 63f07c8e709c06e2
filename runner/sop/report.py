"""Laporan Pelaksanaan SOP: a month of executions per SOP and the server incidents open in
it, in Bahasa Indonesia (md/html)."""

from __future__ import annotations

import calendar
import html
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sop import incidents
from sop.bahasa import BULAN, angka, angka_ringkas, persen, pukul, tanggal
from sop.catalogue import FREQUENCY_LABEL, Activity, Sop
from sop.durations import UNMEASURED, format_seconds
from sop.errors import SopError
from sop.oncalendar import Calendar, Calendars, count_occurrences
from sop.overdue import Due
from sop.schedule import DEFAULT_TIMEZONE
from sop.store import Row, Store, human_part, now, partial_numbers, performs_sop
from sop.untrusted import quoted, visible

STATUS_ID = {
    "successful": "Berhasil",
    "failed": "Gagal",
    "unreachable": "Host tidak terjangkau",
    "interrupted": "Terputus",
    "canceled": "Dibatalkan",
    "running": "Sedang berjalan",
    "ok": "Berhasil",
    "changed": "Berhasil (ada perubahan)",
    "skipped": "Dilewati",
    "not-run": "Tidak dijalankan",
    "pending-manual": "BELUM DIKONFIRMASI",
    "acknowledged": "Dikonfirmasi",
    "delegated": "Dilaksanakan oleh SOP lain",
}
# Who signs a report (every format alike), under the place and day it is signed.
SIGNATURES = (
    ("Dibuat oleh", "Staf IT"),
    ("Diperiksa oleh", "Kasubbag PTIP"),
    ("Mengetahui", "Sekretaris"),
)
SIGNATURE_LINE = "(............................................)"
WAKTU_FORMAT = "%d-%m-%Y %H:%M"
WIB = ZoneInfo(DEFAULT_TIMEZONE)  # a court's clock unless its sop_schedule.timezone differs

Block = tuple[str, Any]
# The digits each field of a day or month given on the command line is written with.
_FIELD_DIGITS = {"%Y": "[0-9]{4}", "%m": "[0-9]{2}", "%d": "[0-9]{2}"}


def calendar_date(text: str, layout: str) -> datetime:
    """`text` read by `layout` (`%Y-%m`, `%Y-%m-%d`) with every field at its full width;
    ValueError otherwise. strptime alone takes `2026-1` for January (and other digits
    than ASCII ones), a form the options' YYYY-MM never allowed."""
    pattern = re.sub("%[Ymd]", lambda field: _FIELD_DIGITS[field.group()], layout)
    if not re.fullmatch(pattern, text):
        raise ValueError(text)
    return datetime.strptime(text, layout)


@dataclass(frozen=True)
class Month:
    """A calendar month on the court's office clock (`zone`, WIB unless the court's
    `sop_schedule.timezone` says otherwise), never the controller's own (often UTC):
    a backup at 03:00 WIB on the 1st belongs to that month, and is shown at 03:00."""

    year: int
    month: int
    zone: tzinfo = WIB

    @classmethod
    def parse(cls, text: str, zone: tzinfo = WIB) -> Month:
        try:
            parsed = calendar_date(text, "%Y-%m")
        except ValueError:
            raise SopError(f"--month {quoted(text)}: expected YYYY-MM") from None
        if not 1970 <= parsed.year <= 9998:
            raise SopError(f"--month {quoted(text)}: expected a month from 1970 to 9998")
        return cls(parsed.year, parsed.month, zone)

    @classmethod
    def current(cls, zone: tzinfo) -> Month:
        """The month it is now at the court."""
        today = now().astimezone(zone)
        return cls(today.year, today.month, zone)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        days = calendar.monthrange(self.year, self.month)[1]
        return self.start + timedelta(days=days)  # wall-clock arithmetic in `zone`

    def when(self, value: datetime | None) -> str:
        """A recorded time as the court's clock reads it."""
        return value.astimezone(self.zone).strftime(WAKTU_FORMAT) if value else "-"

    @property
    def label(self) -> str:
        return f"{BULAN[self.month - 1]} {self.year}"

    @property
    def clock(self) -> str:
        """The name of the clock its times are shown on, as a court reads it (`WIB`,
        `WITA`); both where daylight saving changes it within the month (`CET/CEST`)."""
        last = self.end - timedelta(seconds=1)
        return "/".join(dict.fromkeys(str(moment.tzname()) for moment in (self.start, last)))

    def period(self) -> str:
        """The days a report covers, the clock of every time it shows (which no time of its
        tables names: a WITA court's 02:30 is WIB's 01:30) and when it was made, written
        as a letter's text writes dates: `1 November 2026 s.d. 30 November 2026 (semua
        waktu dalam WITA); dibuat 5 Desember 2026 pukul 03.53`."""
        last = self.end - timedelta(seconds=1)
        made = now().astimezone(self.zone)
        return (
            f"{tanggal(self.start)} s.d. {tanggal(last)} (semua waktu dalam {self.clock}); "
            f"dibuat {tanggal(made)} {pukul(made)}"
        )

    def today(self) -> str:
        """The day the report is made on the court's clock, as a letter dates itself."""
        return tanggal(now().astimezone(self.zone))

    def expected_runs(
        self, sop: Sop, first: datetime | None = None, calendars: Sequence[Calendar] = ()
    ) -> int | None:
        """How many executions the SOP asks for in this month, up to now and from the day
        `first` (when the SOP first ran at the court) when given: a court that starts on
        the 30th is asked for 1 daily run, not 30. By the court's schedule of the SOP
        (`calendars`) when given, the times it elapses by now: a `Mon..Fri` court is asked
        for no run at the weekend; else by its frequency, `times_per_period` each day
        (today's included), each whole week (WEEKLY_PLAN: no calendar says which of a
        month's 4 or 5 Mondays, so its days are counted in whole weeks, never a week begun
        on the 29th) and each month begun."""
        if sop.frequency not in ("daily", "weekly", "monthly"):
            return None
        start = self.start
        if first is not None:
            first_day = first.astimezone(self.zone)
            start = max(start, first_day.replace(hour=0, minute=0, second=0, microsecond=0))
        end = min(self.end, now().astimezone(self.zone))
        if end <= start:
            return 0
        if calendars:
            return count_occurrences(calendars, start, end)
        days = (end.date() - start.date()).days + (1 if end < self.end else 0)
        if sop.frequency == "weekly":
            return days // 7 * sop.times_per_period
        return (days if sop.frequency == "daily" else 1) * sop.times_per_period


def _duration(row: Mapping[str, Any]) -> float | None:
    if row.get("started_at") and row.get("ended_at"):
        return float((row["ended_at"] - row["started_at"]).total_seconds())
    return None


def duration_text(execution: Row) -> str:
    """An execution's duration as the reports show it: an interrupted run's is up to the
    last its record knows (`Store.reap_stale`), and says it was cut short there."""
    shown = format_seconds(_duration(execution))
    return f"{shown} (sampai terputus)" if execution["status"] == "interrupted" else shown


def recorded_cause(execution: Mapping[str, Any]) -> str:
    """Why a run did not succeed, as recorded: its error, else its playbook's exit code,
    else neither (a run canceled before its playbook started), never "rc None"."""
    if execution.get("error"):
        return str(execution["error"])
    return "tidak tercatat" if execution.get("rc") is None else f"rc {execution['rc']}"


def remarks(execution: Row) -> str:
    """An execution's "Keterangan": its error, and how long it waited for the
    controller's install to finish before it started (its timer's time limit counts it)."""
    parts = [execution["error"]] if execution["error"] else []
    if (execution.get("lock_wait_s") or 0) >= 1:
        waited = format_seconds(execution["lock_wait_s"])
        parts.append(f"menunggu instalasi selesai {waited} sebelum mulai")
    return "; ".join(parts) or "-"


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list a host reported (an activity's outputs, a restore drill's
    rows): their shape is what the host's module chose, anything else is left out."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def reported_number(value: Any) -> float | None:
    """A count or size a host reported, when it is one a report can compute with."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value) if abs(value) < 1e300 else math.inf
    return number if math.isfinite(number) else None


def size_text(value: Any) -> str:
    """A size a host reported, in bytes as Bahasa Indonesia writes a number (`1.250.000`);
    as written when it is no number."""
    number = reported_number(value)
    return str(value) if number is None else angka_ringkas(number)


FILES_HEADING = "Output (ADK / berkas)"
FILES_HEADER = ["Eksekusi", "Host", "Berkas", "Ukuran (byte)", "SHA-256"]


def file_outputs(executions: Sequence[Row]) -> list[list[str]]:
    """One row per file an execution produced (activities may report the same file),
    a partial run's marked."""
    rows: dict[tuple[str, ...], list[str]] = {}
    for execution in executions:
        for activity in execution["activities"]:
            for output in mappings(activity["outputs"]):
                if "sha256" in output or "path" in output:
                    row = [
                        execution_label(execution),
                        str(output.get("host", "-")),
                        str(output.get("path") or output.get("dest") or "-"),
                        size_text(output.get("size", "-")),
                        str(output.get("sha256", "-")),
                    ]
                    rows.setdefault(tuple(row), row)
    return list(rows.values())


DRILL_HEADER = ["Eksekusi", "Jenis backup", "Backup", "Hasil", "Waktu restorasi", "Keterangan"]
DRILL_RESULT = {"ok": "berhasil, isi cocok", "failed": "GAGAL"}


def _drill_rows(executions: Sequence[Row]) -> list[list[str]]:
    """The restore drills (SOP Pengamanan TI, D.7) the executions recorded: each backup
    restored into scratch, its result and how long the restore took; a partial run's
    marked."""
    return [
        [
            execution_label(execution),
            str(row.get("kind", "-")),
            str(row.get("backup", "-")),
            DRILL_RESULT.get(str(row.get("status")), str(row.get("status", "-"))),
            _seconds(row.get("seconds")),
            str(row.get("reason") or "-"),
        ]
        for execution in executions
        for activity in execution["activities"]
        for output in mappings(activity["outputs"])
        for row in mappings(output.get("restore_drill"))
    ]


WARNINGS_HEADING = "Peringatan dari host"
WARNINGS_HEADER = ["Eksekusi", "No", "Kegiatan", "Host", "Peringatan"]


def warning_rows(executions: Sequence[Row]) -> list[list[str]]:
    """One row per warning a host returned for an activity (a module's `module.warn`:
    `mydumper failed ...; dumped again with mariadb-dump`), as recorded (schema v12), a
    partial run's marked."""
    return [
        [
            execution_label(execution),
            activity["ref"] or str(activity["number"]),
            activity["kegiatan"],
            str(warning.get("host") or "-"),
            str(warning.get("warning", "-")),
        ]
        for execution in executions
        for activity in execution["activities"]
        for warning in mappings(activity.get("warnings"))
    ]


INCIDENTS_HEADING = "Gangguan server"
INCIDENTS_HEADER = [
    "ID", "Server", "Ringkasan", "Dibuka", "Status", "Ditutup", "Durasi", "Mutu Baku",
    "Diagnosa", "Penyelesaian",
]  # fmt: skip
INCIDENTS_PERIOD = (
    "Gangguan server (SOP Penanganan Gangguan Server) yang dibuka, ditutup, atau masih "
    "terbuka pada periode ini; status dan durasi gangguan yang masih dibuka menurut saat "
    "laporan dibuat. Mutu Baku: waktu penerimaan dan penanganan (kegiatan 1 dan 2) yang "
    "tercatat saat gangguan dibuka."
)


@dataclass(frozen=True)
class Incidents:
    """The report's section of server incidents, the same in every format: its
    paragraphs, then its table's rows (none: a paragraph says so)."""

    notes: list[str]
    rows: list[list[str]]


def month_incidents(
    store: Store,
    catalogue: Mapping[str, Sop],
    month: Month,
    court: str | None,
    *,
    unnamed: bool = False,
    kode_satker: str | None = None,
) -> Incidents | None:
    """The server incidents (`sop incident`) open at some time in the month: opened,
    closed, or open all through it (incidents.listing), oldest first. Of the report's
    `court` (month_executions' court) and those recorded without a court, taken as its
    own as `sop incident list --court` takes them (said in a note); `unnamed`: those
    recorded without a court only; `court` None: every one. An incident records a court's
    name, never its kode satker: a report of one of the courts of a name (`kode_satker`)
    lists the name's, and says so when the month's runs recorded another code for it.
    Each is judged by the Mutu Baku recorded with it; one recorded before without it by
    the `catalogue`'s (never -i's overrides), as `sop incident list` and `close` judge it.
    None when the catalogue holds no server-incident."""
    found = period_incidents(store, catalogue, month, court)
    if found is None:
        return None
    if unnamed:
        found = [row for row in found if row["court_name"] is None]
    notes = [INCIDENTS_PERIOD]
    if not found:
        return Incidents([*notes, "Tidak ada gangguan server tercatat pada periode ini."], [])
    total, still, over = incident_tally(found)
    notes.append(
        f"{angka(total)} gangguan; {angka(still)} masih dibuka; {angka(over)} melewati Mutu Baku."
    )
    if court is not None and any(row["court_name"] is None for row in found):
        notes.append(
            "Gangguan yang dicatat tanpa nama pengadilan (tanpa --court atau -i) ikut "
            "dicantumkan."
        )
    if court is not None and kode_satker is not None:
        runs = store.executions(court=court, since=month.start, until=month.end)
        if court_codes(runs).get(court, set()) - {kode_satker}:
            notes.append(
                "Catatan gangguan tidak menyimpan kode satker: gangguan semua pengadilan "
                f"bernama {court} dicantumkan."
            )
    return Incidents(notes, [_incident_row(row, month) for row in found])


def period_incidents(
    store: Store, catalogue: Mapping[str, Sop], month: Month, court: str | None
) -> list[dict[str, Any]] | None:
    """The server incidents open at some time in the month, oldest first, each judged
    (incidents.listing: by the Mutu Baku recorded with it, else the `catalogue`'s), of
    `court` and those recorded without a court (None: every court's); None when the
    catalogue holds no server-incident. A court's report (month_incidents) and the
    regional view (build_regional) read them here."""
    sop = catalogue.get(incidents.SOP_ID)
    if sop is None:
        return None
    found = incidents.listing(store, sop, court=court, since=month.start, until=month.end)
    found.reverse()  # oldest first, as the executions
    return found


def incident_tally(found: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
    """Of judged incidents (period_incidents): how many, how many still open, how many
    over their Mutu Baku."""
    still = sum(1 for row in found if row["status"] == "open")
    return len(found), still, sum(1 for row in found if row["within_limit"] is False)


def _incident_row(row: Mapping[str, Any], month: Month) -> list[str]:
    """An incident (judged: incidents.listing) as the report's table lists it."""
    duration = format_seconds(row["duration_s"], over=row["within_limit"] is False)
    closed = row["status"] == "closed"
    return [
        str(row["id"]),
        row["host"],
        row["summary"],
        f"{month.when(row['opened_at'])} oleh {row['reported_by']}",
        "Ditutup" if closed else "Masih dibuka",
        f"{month.when(row['closed_at'])} oleh {row['closed_by']}" if closed else "-",
        duration if closed else f"{duration} (sampai laporan dibuat)",
        incidents.verdict(row),
        ", ".join(
            f"{d['execution']} ({STATUS_ID.get(d['status'], d['status'])})"
            for d in row["diagnostics"]
        ) or "-",
        row["resolution"] or "-",
    ]


def _seconds(value: Any) -> str:
    """A time in seconds a host reported, in words; as written when it is no number."""
    seconds = reported_number(value)
    return format_seconds(seconds) if seconds is not None else str(value or "-")


RECORDED_LIMIT = "tercatat saat pelaksanaan"


def mutu_baku_text(activity: Activity, results: Sequence[Mapping[str, Any]]) -> str:
    """The Mutu Baku an activity's recorded runs (`results`) were judged against, their
    `limit_s` (`over_time`): the SOP's wording when that is its time, else the recorded
    times, said to be so. A report read without -i knows no court's own time (its
    sop_catalogue_overrides), and a catalogue may have changed since the runs."""
    limits = sorted({a["limit_s"] for a in results}, key=lambda limit: (limit is None, limit))
    if not results or limits == [activity.limit_seconds]:
        return activity.waktu_text
    return f"{'; '.join(format_seconds(limit) for limit in limits)} ({RECORDED_LIMIT})"


def measured(duration: Any) -> bool:
    """Whether an activity's recorded duration is one a clock measured: a number, finite
    and not negative (an end recorded before its start: the controller's clock was set
    back). Only these count in an average or in a judgement against the Mutu Baku."""
    return isinstance(duration, int | float) and math.isfinite(duration) and duration >= 0


def _duration_cells(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """The average and the longest duration of an activity's runs, never shown as within
    the Mutu Baku beside the runs counted over it (`format_seconds`'s ``over``): the
    longest when its run was over, the average when every run was. Runs whose duration
    no clock measured (`measured`) are left out of both, and the average says how many
    (runs without a duration, not run, are no runs of the activity)."""
    timed = [a for a in results if measured(a["duration_s"])]
    unmeasured = sum(1 for a in results if a["duration_s"] is not None) - len(timed)
    left_out = f" ({angka(unmeasured)} {UNMEASURED}, tidak dihitung)" if unmeasured else ""
    if not timed:
        return [f"-{left_out}", "-"]
    average = sum(a["duration_s"] for a in timed) / len(timed)
    longest = max(timed, key=lambda a: a["duration_s"])
    return [
        format_seconds(average, over=all(a["over_time"] for a in timed)) + left_out,
        format_seconds(longest["duration_s"], over=bool(longest["over_time"])),
    ]


def _activity_rows(sop: Sop, executions: Sequence[Row]) -> list[list[str]]:
    rows = []
    for activity in sop.activities:
        results = [a for e in executions for a in e["activities"] if a["number"] == activity.number]
        over = sum(1 for a in results if a["over_time"] and measured(a["duration_s"]))
        part = activity.automated_part
        mode = {
            "automated": f"otomatis (tag {activity.automated})",
            "delegated": f"oleh SOP {activity.automated_by}",
            "manual": f"manual (bagian otomatis: tag {part})" if part else "manual",
        }[activity.mode]
        rows.append(
            [
                activity.label,
                activity.kegiatan,
                mode,
                mutu_baku_text(activity, results),
                *_duration_cells(results),
                f"{angka(over)} kali" if over else "-",
            ]
        )
    return rows


# The states of an automated activity whose human part (`manual_step`) is then asked for:
# its automated part ran (a failed domain check is when the invoice must be paid).
HUMAN_PART_DUE = ("ok", "changed", "failed")


def waiting_human_part(
    sop: Sop | None, execution: Row, activity: Mapping[str, Any]
) -> str | None:
    """The human part (`manual_step`) of a recorded automated activity while it waits for
    `sop ack`: a real run (a dry run asks nothing), the automated part ran, nobody has
    acknowledged it yet. None otherwise. Its text is the one recorded with the activity
    (`store.human_part`); `sop`, the SOP's catalogue entry (None: no longer there), is
    read only for a row recorded before schema v7."""
    if execution["check_mode"] or activity["mode"] != "automated":
        return None
    if activity["acknowledged_by"] or activity["status"] not in HUMAN_PART_DUE:
        return None
    if _declared_due(activity) is False:
        return None
    return human_part(sop, activity)


def _declared_due(activity: Mapping[str, Any]) -> bool | None:
    """What the activity's outputs say of its human part (`manual_step_due`, the output
    convention): due when one says true, not due when all that say something say false
    (the website's renewals with nothing near its end); None when none says."""
    said = [
        str(output["manual_step_due"]).lower() in ("true", "yes", "1")
        for output in activity.get("outputs") or []
        if isinstance(output, Mapping) and "manual_step_due" in output
    ]
    return any(said) if said else None


# The ends of an execution that did not carry its SOP out: the manual steps it recorded
# pending at its start are no longer asked for (a new run asks them again).
UNFINISHED = ("failed", "unreachable", "interrupted", "canceled")


def abandoned_step(execution: Row, activity: Mapping[str, Any]) -> bool:
    """A manual step of an execution that ended without carrying its SOP out
    (UNFINISHED), or of a dry run (`sop run --check`: `sop ack` refuses its steps),
    nobody having acknowledged it: not awaited, no step still to confirm. An automated
    activity's human part is not one: its own status says its automated part ran
    (`waiting_human_part`; a dry run's asks nothing)."""
    return activity["status"] == "pending-manual" and (
        bool(execution["check_mode"]) or execution["status"] in UNFINISHED
    )


def abandoned_state(execution: Row) -> str:
    """What an `abandoned_step` of `execution` is, in the report, `sop execution` and `sop
    ack` alike: not confirmed, its run having ended so (`Tidak dikonfirmasi: eksekusi
    gagal`, `... eksekusi terputus`) or being a dry run (`Tidak dikonfirmasi: mode uji`,
    as the PDF report marks one)."""
    if execution["check_mode"]:
        return "Tidak dikonfirmasi: mode uji"
    return f"Tidak dikonfirmasi: eksekusi {STATUS_ID[execution['status']].lower()}"


def awaits_person(sop: Sop | None, execution: Row, activity: Mapping[str, Any]) -> bool:
    """A manual activity not acknowledged yet (of a run that may still carry its SOP out:
    `abandoned_step`), or an automated one's human part."""
    if abandoned_step(execution, activity):
        return False
    return (
        activity["status"] == "pending-manual"
        or waiting_human_part(sop, execution, activity) is not None
    )


PENDING_HEADING = "Langkah manual belum dikonfirmasi"


def pending_count(sop: Sop, executions: Iterable[Row]) -> str:
    """The summary's count of the SOP's manual steps and human parts not confirmed yet
    (`awaits_person`) in the executions that worked on the hosts (a dry run asks nothing)."""
    return angka(
        sum(1 for e in not_dry(executions) for a in e["activities"] if awaits_person(sop, e, a))
    )


def _step_state(execution: Row, activity: Mapping[str, Any], month: Month) -> str:
    """A manual step nobody acknowledged, with its reason as recorded: a step another SOP
    carries out names that SOP's run that did it (`Dilaksanakan oleh SOP sipp-backup
    (eksekusi 12, mulai 03-11-2026 02:00)`), else says why it waits (its note: `belum ada
    pelaksanaan SOP sipp-backup yang berhasil`); one of a run that ended without carrying
    its SOP out says so instead of waiting (`Tidak dikonfirmasi: eksekusi gagal`)."""
    if abandoned_step(execution, activity):
        state = abandoned_state(execution)
        return state + (f" ({activity['note']})" if activity["note"] else "")
    state = STATUS_ID.get(activity["status"], str(activity["status"]))
    runs = mappings(activity["outputs"])
    if activity["status"] == "delegated" and runs:
        run = runs[0]
        started = _recorded_time(run.get("started_at"), month)
        state = (
            f"Dilaksanakan oleh SOP {run.get('sop', '-')} "
            f"(eksekusi {run.get('execution', '-')}, mulai {started})"
        )
    if activity["note"]:
        state += f": {activity['note']}"
    return state


def _recorded_time(value: Any, month: Month) -> str:
    """A time an output recorded as ISO 8601 text, on the report's clock; as written when
    it is none (or names no clock)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return month.when(moment) if moment.tzinfo else str(value)


def _manual_rows(executions: Sequence[Row], month: Month, sop: Sop) -> list[list[str]]:
    """The manual steps and human parts of the executions, waiting or acknowledged; of a
    partial run, those of the activities it chose only (it asked nothing of the others)."""
    rows = []
    for execution in executions:
        chosen = partial_numbers(execution)
        for activity in execution["activities"]:
            if chosen and activity["number"] not in chosen:
                continue
            waiting = waiting_human_part(sop, execution, activity)
            if activity["mode"] == "automated" and not activity["acknowledged_by"]:
                if waiting is None:
                    continue  # an automated activity is listed for its human part only
                state = f"{STATUS_ID['pending-manual']}: {waiting}"
            elif activity["acknowledged_by"]:
                when = month.when(activity["acknowledged_at"])
                state = f"Dikonfirmasi oleh {activity['acknowledged_by']} ({when})"
                if activity["note"]:
                    state += f": {activity['note']}"
            else:
                state = _step_state(execution, activity, month)
            rows.append(
                [
                    execution_label(execution),
                    activity["ref"] or str(activity["number"]),
                    activity["kegiatan"],
                    state,
                ]
            )
    return rows


def real(executions: Iterable[Row]) -> list[Row]:
    """The executions that performed the SOP: a dry run (--check) performs nothing and a
    partial run (--activity) some activities, so they are listed (marked) but neither
    counted as done nor judged against the Mutu Baku."""
    return [e for e in executions if performs_sop(e)]


def not_dry(executions: Iterable[Row]) -> list[Row]:
    """The executions that worked on the hosts: all but dry runs (--check). A partial run
    is no SOP done (`real`), but the files it made and the human parts it asks for are
    real: they are listed, marked (`execution_label`)."""
    return [e for e in executions if not e["check_mode"]]


def partial_mark(execution: Row) -> str:
    """` (sebagian: kegiatan 2, 3)`: the activities a partial run chose, as reports mark it."""
    chosen = partial_numbers(execution)
    return f" (sebagian: kegiatan {', '.join(map(str, chosen))})" if chosen else ""


def execution_label(execution: Row) -> str:
    """An execution as a report's table of files or manual steps names it, a partial
    run's marked: `12 (sebagian: kegiatan 2)`."""
    return f"{execution['id']}{partial_mark(execution)}"


def tally(executions: Iterable[Row]) -> tuple[int, int, str]:
    """Executed, successful and the success rate of real runs; a run still going is
    executed but neither a success nor a failure yet (not in the rate)."""
    done = real(executions)
    ok = sum(1 for e in done if e["status"] == "successful")
    finished = sum(1 for e in done if e["status"] != "running")
    return len(done), ok, persen(ok, finished)


def first_runs(store: Store, court: str | None) -> dict[str, datetime]:
    """Per SOP, when it first ran for real at `court`: where its planned runs start."""
    return every_first_run(store, court).get(court, {})


def every_first_run(
    store: Store, court: str | None = None
) -> dict[str | None, dict[str, datetime]]:
    """first_runs of every court (of `court` only when given), in one reading."""
    firsts: dict[str | None, dict[str, datetime]] = {}
    for (sop_id, court_name), record in store.due_records(court).items():
        if court is None or court_name == court:
            firsts.setdefault(court_name, {})[sop_id] = record.first_started_at
    return firsts


def planned(
    month: Month, sop: Sop, firsts: Mapping[str, datetime], calendars: Calendars | None = None
) -> str:
    """The planned executions as the report shows them (by the court's schedule of the SOP
    in `calendars`, -i's, when it gives one): "belum dimulai" (not started) for a SOP the
    court had not run for real by the month's end."""
    if sop.frequency == "on_demand":
        return "-"
    if sop.id not in firsts or firsts[sop.id] >= month.end:
        return "belum dimulai"
    expected = month.expected_runs(sop, firsts[sop.id], (calendars or {}).get(sop.id, ()))
    return "-" if expected is None else angka(expected)


# How a weekly SOP is planned where no schedule of the court says on which days it runs
# (Month.expected_runs): the month's whole weeks, never one begun on its last days.
WEEKLY_PLAN = "SOP mingguan sekali tiap 7 hari penuh, karena hari pelaksanaannya tidak diketahui"


def weekly_note(sops: Mapping[str, Sop], calendars: Calendars | None = None) -> str:
    """` (WEEKLY_PLAN)` after the words "by its frequency" when a weekly SOP is planned
    so (no schedule of it in `calendars`); else nothing."""
    weekly = any(s.frequency == "weekly" and s.id not in (calendars or {}) for s in sops.values())
    return f" ({WEEKLY_PLAN})" if weekly else ""


def plan_legend(sops: Mapping[str, Sop], calendars: Calendars | None, where: str) -> str | None:
    """The line under a summary that says how its planned runs ("Seharusnya") are
    counted from the SOP's first run at `where` (`pengadilan ini`): by the court's own
    times (schedule_note), else by frequency, a weekly SOP's by whole weeks (weekly_note);
    None when every SOP is planned by a frequency that needs no word."""
    note, weekly = schedule_note(sops, calendars), weekly_note(sops, calendars)
    since = f"Seharusnya, sejak hari pertama SOP dijalankan di {where}: "
    if note:
        return f"{since}{note}; SOP lain menurut frekuensinya{weekly}."
    return f"{since}menurut frekuensinya{weekly}." if weekly else None


def schedule_note(sops: Mapping[str, Sop], calendars: Calendars | None) -> str | None:
    """Which SOPs a court's report plans by the court's own times (`sop report -i`), in
    the words its legend gives; None when it plans every SOP by its frequency."""
    titles = [sop.title for sop in sops.values() if sop.id in (calendars or {})]
    if not titles:
        return None
    return (
        f"menurut jadwal pengadilan ini (sop_schedule): {', '.join(titles)} "
        "(waktu terjadwal yang sudah tiba)"
    )


def signed_at(month: Month, place: str | None) -> str:
    """The place and day a report is signed, as an Indonesian official letter dates itself
    above its signer: `Bangil, 5 Desember 2026` (the court's court_city), the day alone
    when no place is known (a report made without -i)."""
    return f"{place.strip()}, {month.today()}" if place and place.strip() else month.today()


def signature_blocks(month: Month, place: str | None) -> list[Block]:
    """The report's close in Markdown and HTML, as the PDF's (report_pdf.signature_block):
    the place and day it is signed, then each signer's role, who, a line to sign on and
    the NIP under it."""
    return [
        ("p", signed_at(month, place)),
        (
            "table",
            (
                [role for role, _ in SIGNATURES],
                [
                    [who for _, who in SIGNATURES],
                    [SIGNATURE_LINE] * len(SIGNATURES),
                    ["NIP."] * len(SIGNATURES),
                ],
            ),
        ),
    ]


# A court as its records tell it apart: its court_name and court_kode_satker (None when
# not recorded). Two courts of one name (a Pengadilan Agama and a Pengadilan Negeri of
# one city, a name written alike) are two courts when their kode satker differ.
Court = tuple[str | None, str | None]


def court_codes(executions: Iterable[Row]) -> dict[str | None, set[str]]:
    """Per court name, the kode satker its executions recorded (none for the runs without
    a court name: they are one court, as `sop list -i` reads them)."""
    codes: dict[str | None, set[str]] = {}
    for execution in executions:
        found = codes.setdefault(execution["court_name"], set())
        if execution["court_name"] is not None and execution["court_kode_satker"]:
            found.add(execution["court_kode_satker"])
    return codes


def court_of(execution: Row, codes: Mapping[str | None, set[str]]) -> Court:
    """The court an execution ran for: its name and kode satker. One recorded without a
    kode satker (an inventory that had none yet) is of the court of its name when `codes`
    gives that name one kode satker, else apart from each court of the name."""
    name = execution["court_name"]
    code = execution["court_kode_satker"] or None if name is not None else None
    known = codes.get(name, set())
    if code is None and len(known) == 1:
        code = next(iter(known))
    return name, code


def court_label(court: Court, codes: Mapping[str | None, set[str]]) -> str:
    """A court as a report heads it: `PN Bangil (kode satker 401234)`; the name alone
    when no kode satker is recorded for it, `(kode satker tidak tercatat)` added when
    other courts of its name have one (`codes`)."""
    name, code = court
    if code is not None:
        return f"{name or '-'} (kode satker {code})"
    return f"{name} (kode satker tidak tercatat)" if codes.get(name) else name or "-"


def recorded_code(store: Store, name: str | None) -> str | None:
    """The kode satker the newest execution of court `name` recorded (a court with no
    run in the month: the regional view still names it with its code)."""
    if name is None:
        return None
    newest = store.executions(court=name, limit=1)
    return (newest[0]["court_kode_satker"] or None) if newest else None


def court_heading(
    executions: Sequence[Row], court: str | None, kode_satker: str | None = None
) -> list[str]:
    """The court a court's report is of (`court`, and that of its executions: one court,
    month_executions), with its kode satker (court_label): `kode_satker` when it chose the
    court, its runs or none."""
    if court is not None and kode_satker is not None:
        return [court_label((court, kode_satker), {})]
    codes = court_codes(executions)
    labels = {court_label(court_of(e, codes), codes) for e in executions if e["court_name"]}
    if court is not None and court not in codes:
        labels.add(court)
    return sorted(labels)


def month_court(store: Store, month: Month, court: str | None) -> str | None:
    """`court`, else the one court whose executions the month holds, else (a month in
    which nothing ran, the one its head must see) the store's one court; SopError if
    more than one."""
    if court is not None:
        return court
    recorded, where = store.courts(since=month.start, until=month.end), f" in {month.label}"
    if not recorded:
        recorded, where = store.courts(), ""
    if len(recorded) > 1:
        raise SopError(
            f"the store holds {len(recorded)} courts' executions{where}: "
            "give --court NAME (one court) or --all-courts (the regional view)"
        )
    return recorded[0] if recorded else None


def month_executions(
    store: Store,
    month: Month,
    court: str | None,
    *,
    unnamed: bool = False,
    kode_satker: str | None = None,
) -> tuple[str | None, list[Row]]:
    """The court a report is for (`month_court`) and its executions of the month, oldest
    first, with their activities. `unnamed`: an inventory (-i) without court_name, whose
    runs are recorded without one: those only, never the one other court the month holds
    (`sop list -i` and `sop overdue -i` read it so). `kode_satker`: of the courts of its
    name, that one's only (`one_court`)."""
    court = None if unnamed else month_court(store, month, court)
    executions = store.executions(
        court=court, since=month.start, until=month.end, with_activities=True
    )
    executions.reverse()  # oldest first
    if unnamed or court is None:
        return court, [e for e in executions if not unnamed or e["court_name"] is None]
    return court, one_court(store, month, executions, court, kode_satker)


def one_court(
    store: Store, month: Month, executions: list[Row], court: str, kode_satker: str | None
) -> list[Row]:
    """The executions (of the month, of court name `court`) of one court: those of the
    court of `kode_satker` (court_of: one recorded without a code is its name's one
    court's, else of none of them), all of them when no other code is recorded. SopError
    when the name is borne by several courts (kode satker) and none is chosen, or the
    one chosen is recorded for none of the name's executions: a report never mixes two
    courts' runs."""
    codes = court_codes(executions).get(court, set())
    if kode_satker is None and len(codes) > 1:
        raise SopError(
            f"{quoted(court)} names {len(codes)} courts in {month.label} (kode satker "
            f"{', '.join(sorted(codes))}): give --kode-satker CODE for one court's report"
        )
    if kode_satker is None or not codes - {kode_satker}:
        return executions
    chosen = [e for e in executions if court_of(e, {court: codes}) == (court, kode_satker)]
    if not chosen and not store.executions(court=court, kode_satker=kode_satker, limit=1):
        raise SopError(
            f"kode satker {quoted(kode_satker)}: no execution of {quoted(court)} recorded it (kode "
            f"satker recorded in {month.label}: {', '.join(sorted(codes))})"
        )
    return chosen


def chosen_first_runs(
    store: Store, court: str | None, kode_satker: str | None
) -> dict[str, datetime]:
    """first_runs of `court`; with `kode_satker`, of that court of its name only, when
    the name's runs recorded another code (one_court)."""
    if court is None or kode_satker is None:
        return first_runs(store, court)
    runs = store.executions(court=court, check_mode=False, partial=False)
    codes = court_codes(runs)
    if not codes.get(court, set()) - {kode_satker}:
        return first_runs(store, court)
    return own_first_runs(runs, codes).get((court, kode_satker), {})


def build(
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
) -> list[Block]:
    """One court's report (`court`, else the month's records, which must be one court's;
    `unnamed`: the executions recorded without a court name, -i's without court_name;
    `kode_satker`: of the courts of its name, that one: month_executions),
    planned by the court's schedule of a SOP where `calendars` (-i's) gives one, closed as
    the PDF is, signed at `place` (the court's court_city) when given. `sops` are the SOPs
    as the court runs them (-i's overrides); `catalogue`, without them (None: `sops` are
    the catalogue's), judges an incident recorded without its limit (month_incidents)."""
    court, executions = month_executions(
        store, month, court, unnamed=unnamed, kode_satker=kode_satker
    )
    firsts = chosen_first_runs(store, court, kode_satker)
    courts = court_heading(executions, court, kode_satker)
    blocks: list[Block] = [
        ("h1", f"Laporan Pelaksanaan SOP — {month.label}"),
        ("p", f"Pengadilan: {', '.join(courts) or '-'}"),
        ("p", f"Periode: {month.period()}."),
    ]
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
    blocks.append(("h2", "Ringkasan"))
    blocks.append(
        (
            "table",
            (
                [
                    "SOP",
                    "Nomor",
                    "Frekuensi",
                    "Seharusnya",
                    "Dilaksanakan",
                    "Berhasil",
                    "Tingkat keberhasilan",
                    PENDING_HEADING,
                ],
                summary,
            ),
        )
    )
    legend = plan_legend(sops, calendars, "pengadilan ini")
    if legend:
        blocks.append(("p", legend))
    for sop in sops.values():
        mine = [e for e in executions if e["sop_id"] == sop.id]
        blocks.append(("h2", f"{sop.title} ({sop.id})"))
        numbers = "; ".join(f"{d.court}: {d.number}" for d in sop.documents)
        blocks.append(("p", f"Nomor SOP: {numbers}"))
        if not mine:
            blocks.append(("p", "Tidak ada pelaksanaan tercatat pada periode ini."))
            continue
        blocks.append(("h3", "Pelaksanaan"))
        blocks.append(
            (
                "table",
                (
                    [
                        "ID",
                        "Mulai",
                        "Durasi",
                        "Pelaksana",
                        "Pemicu",
                        "Host",
                        "Mode uji",
                        "Status",
                        "Keterangan",
                    ],
                    [
                        [
                            str(e["id"]),
                            month.when(e["started_at"]),
                            duration_text(e),
                            e["operator"],
                            e["trigger"],
                            ", ".join(e["hosts"]) or "-",
                            "ya" if e["check_mode"] else "tidak",
                            f"{STATUS_ID.get(e['status'], e['status'])}{partial_mark(e)}",
                            remarks(e),
                        ]
                        for e in mine
                    ],
                ),
            )
        )
        blocks.append(("h3", "Kegiatan terhadap Mutu Baku"))
        blocks.append(
            (
                "table",
                (
                    [
                        "No",
                        "Kegiatan",
                        "Pelaksanaan",
                        "Mutu Baku (waktu)",
                        "Durasi rata-rata",
                        "Durasi maksimum",
                        "Melebihi Mutu Baku",
                    ],
                    _activity_rows(sop, real(mine)),
                ),
            )
        )
        files = file_outputs(not_dry(mine))
        if files:
            blocks.append(("h3", FILES_HEADING))
            blocks.append(("table", (FILES_HEADER, files)))
        drills = _drill_rows(not_dry(mine))
        if drills:
            blocks.append(("h3", "Uji restorasi backup"))
            blocks.append(("table", (DRILL_HEADER, drills)))
        warnings = warning_rows(not_dry(mine))
        if warnings:
            blocks.append(("h3", WARNINGS_HEADING))
            blocks.append(("table", (WARNINGS_HEADER, warnings)))
        manual = _manual_rows(not_dry(mine), month, sop)
        if manual:
            blocks.append(("h3", "Langkah manual"))
            blocks.append(("table", (["Eksekusi", "No", "Kegiatan", "Keterangan"], manual)))
    found = month_incidents(
        store, catalogue or sops, month, court, unnamed=unnamed, kode_satker=kode_satker
    )
    if found is not None:
        blocks.append(("h2", INCIDENTS_HEADING))
        blocks += [("p", note) for note in found.notes]
        if found.rows:
            blocks.append(("table", (INCIDENTS_HEADER, found.rows)))
    return blocks + signature_blocks(month, place)


def build_regional(
    store: Store, sops: Mapping[str, Sop], month: Month, dues: Sequence[Due]
) -> list[Block]:
    """Every court of the store in one view: per court and SOP, planned (from the SOP's
    first run at that court, as its own report plans), executed, successful; per court
    its server incidents of the month (period_incidents, as its own report counts them:
    how many, still open, over their Mutu Baku; none when the catalogue `sops` holds no
    server-incident); and the SOPs overdue when the report is made. A court with no run
    in the month has its row when a SOP of it is overdue or it has incidents. Courts of
    one name are apart by their kode satker (court_of). Every day and time is the one
    clock of `month`: the records keep no court's own (its sop_schedule.timezone), which
    the view says (clock_note)."""
    recorded = store.month_counts(month.start, month.end)  # counted by the store's query
    codes = court_codes({"court_name": name, "court_kode_satker": code}
                        for name, code, _ in recorded)
    counts: dict[tuple[Court, str], dict[str, int]] = {}
    for (name, code, sop_id), numbers in recorded.items():
        court = court_of({"court_name": name, "court_kode_satker": code}, codes)
        by_status = counts.setdefault((court, sop_id), {})
        for status, number in numbers.items():
            by_status[status] = by_status.get(status, 0) + number
    found = period_incidents(store, sops, month, None)  # every court's, judged as its own
    by_name: dict[str | None, list[dict[str, Any]]] = {}
    for row in found or []:
        by_name.setdefault(row["court_name"], []).append(row)
    # a court with no run in the month still has its row: overdue, or with incidents
    named = ({d.court_name for d in dues if d.state != "new"} | set(by_name)) - set(codes)
    courts = sorted(
        {court for court, _ in counts} | {(name, recorded_code(store, name)) for name in named},
        key=lambda c: (c[0] is None, c[0] or "", c[1] is None, c[1] or ""),
    )
    blocks: list[Block] = [
        ("h1", f"Laporan Pelaksanaan SOP Wilayah — {month.label}"),
        ("p", f"{angka(len(courts))} pengadilan. Periode: {month.period()}."),
    ]
    if not courts:
        blocks.append(("p", "Belum ada eksekusi SOP yang tercatat."))
        return blocks
    blocks.append(("p", clock_note(month)))
    firsts = court_first_runs(store, courts, codes)
    totals = []
    rows = []
    for court in courts:
        label = court_label(court, codes)
        executed = ok = finished = asked = 0
        started = firsts.get(court, {})
        for sop in sops.values():
            by_status = counts.get((court, sop.id), {})
            total = sum(by_status.values())
            success = by_status.get("successful", 0)
            going = by_status.get("running", 0)  # neither a success nor a failure yet
            expected = month.expected_runs(sop, started[sop.id]) if sop.id in started else None
            executed += total
            ok += success
            finished += total - going
            asked += expected or 0
            rows.append(
                [
                    label,
                    sop.title,
                    planned(month, sop, started),
                    angka(total),
                    angka(success),
                    persen(success, total - going),
                    angka(total - going - success),
                ]
            )
        totals.append([label, angka(asked), angka(executed), angka(ok), persen(ok, finished)])
        if found is not None:
            totals[-1] += [angka(n) for n in incident_tally(by_name.get(court[0], []))]
    blocks.append(("h2", "Ringkasan per pengadilan"))
    heading = ["Pengadilan", "Seharusnya", "Dilaksanakan", "Berhasil", "Tingkat keberhasilan"]
    blocks.append(("table", (heading + (REGIONAL_INCIDENTS if found is not None else []),
                             totals)))  # fmt: skip
    legend = plan_legend(sops, None, "tiap pengadilan")
    if legend:
        blocks.append(("p", legend))
    if found is not None:
        blocks += [("p", note) for note in regional_incident_notes(by_name, courts)]
    overdue = [d for d in dues if d.state == "overdue"]
    blocks.append(("h2", "SOP terlambat (saat laporan dibuat)"))
    if overdue:
        blocks.append(
            (
                "table",
                (
                    ["Pengadilan", "SOP", "Berhasil terakhir", "Terlambat sejak"],
                    [
                        [
                            _due_label(d.court_name, courts, codes),
                            d.sop.title,
                            month.when(d.last_success_at),
                            month.when(d.overdue_at),
                        ]
                        for d in overdue
                    ],
                ),
            )
        )
    else:
        blocks.append(("p", "Tidak ada SOP yang terlambat."))
    blocks.append(("h2", "Rincian per pengadilan dan SOP"))
    blocks.append(
        (
            "table",
            (
                [
                    "Pengadilan",
                    "SOP",
                    "Seharusnya",
                    "Dilaksanakan",
                    "Berhasil",
                    "Tingkat keberhasilan",
                    "Tidak berhasil",
                ],
                rows,
            ),
        )
    )
    return blocks


REGIONAL_INCIDENTS = ["Gangguan server", "Gangguan masih dibuka", "Gangguan melewati Mutu Baku"]


def regional_incident_notes(
    by_name: Mapping[str | None, Sequence[Mapping[str, Any]]], courts: Sequence[Court]
) -> list[str]:
    """What the regional view says under its incident counts (`by_name`: the period's
    incidents per court name): which they are; those recorded without a court counted
    on the row "-" (a court's own report takes them as its own); an incident records a
    court's name, not its kode satker, so each court of a shared name counts the name's."""
    notes = [
        "Gangguan server: gangguan yang dibuka, ditutup, atau masih terbuka pada periode "
        "ini, dihitung seperti pada laporan tiap pengadilan; masih dibuka menurut saat "
        "laporan dibuat; melewati Mutu Baku yang tercatat saat gangguan dibuka."
    ]
    if None in by_name:
        notes.append(
            'Gangguan yang dicatat tanpa nama pengadilan (tanpa --court atau -i) dihitung pada '
            'baris "-"; laporan tiap pengadilan mencantumkannya sebagai gangguan pengadilan itu.'
        )
    shared = sorted(
        name for name in by_name
        if name is not None and sum(1 for court in courts if court[0] == name) > 1
    )  # fmt: skip
    if shared:
        notes.append(
            "Catatan gangguan tidak menyimpan kode satker: gangguan pengadilan bernama "
            f"{', '.join(shared)} dihitung pada tiap pengadilan bernama itu."
        )
    return notes


def clock_note(month: Month) -> str:
    """What the regional view says of its one clock: the records keep no court's own
    (its inventory's sop_schedule.timezone), so a WITA or WIT court's days and times are
    judged on the view's clock too, and a run near its midnight may fall on another day
    (a WITA court's 00:30 is 23:30 WIB the day before)."""
    key = getattr(month.zone, "key", None)
    clock = f"{month.clock} ({key})" if key else month.clock
    return (
        "Zona waktu masing-masing pengadilan (WIB, WITA, WIT) tidak tercatat pada catatan "
        f"eksekusi: hari dan jam semua pengadilan di laporan ini dinilai menurut {clock}. "
        "Pelaksanaan di pengadilan dengan zona waktu lain yang dekat tengah malam dapat "
        "terhitung pada hari (atau bulan) yang berbeda dari jam setempat; laporan satu "
        "pengadilan yang dibuat dengan inventorinya memakai zona waktu pengadilan itu."
    )


def court_first_runs(
    store: Store, courts: Iterable[Court], codes: Mapping[str | None, set[str]]
) -> dict[Court, dict[str, datetime]]:
    """first_runs of each of `courts`: their name's (every_first_run), but a name that
    `codes` gives more than one kode satker has each court's read from its own runs."""
    by_name = every_first_run(store)
    firsts: dict[Court, dict[str, datetime]] = {}
    for name in {name for name, _ in courts}:
        if name is None or len(codes.get(name, ())) < 2:
            firsts.update({c: by_name.get(name, {}) for c in courts if c[0] == name})
            continue
        firsts.update(
            own_first_runs(store.executions(court=name, check_mode=False, partial=False), codes)
        )
    return firsts


def own_first_runs(
    runs: Iterable[Row], codes: Mapping[str | None, set[str]]
) -> dict[Court, dict[str, datetime]]:
    """Per court (court_of, by `codes`) of the real runs of the whole SOP `runs`, newest
    first: when each SOP first ran there."""
    firsts: dict[Court, dict[str, datetime]] = {}
    for execution in runs:  # newest first: each SOP's oldest run is the last one set
        firsts.setdefault(court_of(execution, codes), {})[execution["sop_id"]] = (
            execution["started_at"]
        )
    return firsts


def _due_label(
    name: str | None, courts: Sequence[Court], codes: Mapping[str | None, set[str]]
) -> str:
    """The court an overdue SOP is of, as the view names it: `sop overdue` judges a court
    by its name, so a name of several courts (kode satker) names them all, judged as one."""
    mine = [court for court in courts if court[0] == name]
    if len(mine) < 2:
        return court_label(mine[0], codes) if mine else name or "-"
    shown = ", ".join(court[1] or "tidak tercatat" for court in mine)
    return f"{name or '-'} (kode satker {shown}: dinilai bersama)"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~])")


def literal_html(value: object) -> str:
    """Literal in HTML: names, messages and errors are text, their controls shown."""
    return html.escape(visible(str(value)))


def _md_text(text: str) -> str:
    """Literal in Markdown: names, messages and errors keep their brackets, stars, ..."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text.replace("\n", " ")))


# What starts a list item at the start of a line: `- `, `+ `, `1. `, `1) ` (the other
# block marks, `#`, `>`, `*`, `<`, fences, are _MD_SPECIAL)
_MD_LIST_MARK = re.compile(r"^(?:[-+]|[0-9]{1,9}(?=[.)]))(?=[.)]?(?:[ \t]|$))")


def _md_paragraph(text: str) -> str:
    """Literal in Markdown as a paragraph of its own: one starting with a list mark (a
    court_city `1. Bangil` before the day it is signed) or indented stays text, not a
    list or code (a paragraph shows no leading spaces anyway)."""
    marked = _MD_LIST_MARK.match(escaped := _md_text(text).lstrip(" \t"))
    if marked is None:
        return escaped
    cut = marked.end() if escaped[0].isdigit() else 0  # `1\. `; `\- `
    return f"{escaped[:cut]}\\{escaped[cut:]}"


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3"):
            out += ["#" * int(kind[1]) + " " + _md_text(value), ""]
        elif kind == "p":
            out += [_md_paragraph(value), ""]
        else:
            headers, rows = value
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(_md_text(c) for c in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out)


_CSS = (
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
    "margin-bottom:1.5em}td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;"
    "font-size:0.9em}th{background:#eee}"
)


def to_html(blocks: Sequence[Block]) -> str:
    title = next((v for k, v in blocks if k == "h1"), "Laporan Pelaksanaan SOP")
    out = [
        f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>'
        f"{literal_html(title)}</title><style>{_CSS}</style></head><body>"
    ]
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{kind}>{literal_html(value)}</{kind}>")
        else:
            headers, rows = value
            out.append(
                "<table><tr>" + "".join(f"<th>{literal_html(h)}</th>" for h in headers) + "</tr>"
            )
            out += [
                "<tr>" + "".join(f"<td>{literal_html(c)}</td>" for c in row) + "</tr>"
                for row in rows
            ]
            out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)


def write_report(output: Path, write: Callable[[Path], object]) -> None:
    """The report `write` makes, written to `output` whole or not at all: into a new file
    beside it that then replaces it, so a full disk or a Ctrl-C leaves the report there
    was, never part of one (a device or a pipe, such as /dev/stdout, is written as it
    is). A one-line SopError naming the cause when it cannot be written."""
    target = output.resolve()  # a link's file is replaced, not the link
    try:
        # judged by `output` (its link followed), not `target`: /dev/stdout to a pipe
        # resolves to /proc/PID/fd/pipe:[N], no path at all
        if output.exists() and not output.is_file():
            write(output)  # a directory fails here, naming itself
            return
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(handle)
        temporary = Path(name)
        try:
            write(temporary)
            temporary.chmod(_report_mode(target))
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise SopError(f"cannot write the report to {output}: {cause}") from None


def _report_mode(target: Path) -> int:
    """The mode the report had, else a new file's (0666 less the umask), not mkstemp's
    0600: a report is there for others to read and sign."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
