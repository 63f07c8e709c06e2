"""Records other tools read: the `--json` form of the listing commands (stable keys,
times in ISO 8601 UTC) and `--query`, a JMESPath expression over that JSON.

The keys are documented in runner/sop/README.md ("Records other tools can read"); add
keys, never rename or drop one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sop import output
from sop.errors import SopError
from sop.overdue import Due, most_urgent
from sop.store import HOST_COUNTS, human_part, partial_numbers
from sop.untrusted import json_text, quoted

if TYPE_CHECKING:
    from jmespath.parser import ParsedResult

    from sop.catalogue import Sop
    from sop.store import Row

EXECUTION_KEYS = (
    "id",
    "sop_id",
    "sop_title",
    "sop_number",
    "court_name",
    "court_kode_satker",
    "status",
    "rc",
    "error",
    "operator",
    "trigger",
    "check_mode",
    "partial",
    "hosts",
    "started_at",
    "ended_at",
    "duration_s",
    "lock_wait_s",
    "inventory",
    "limit_pattern",
    "extra_var_names",
    "hostname",
)
EXECUTION_DETAIL_KEYS = (
    "catalogue_version",
    "catalogue_hash",
    "pid",
    "playbook_pid",
    "artifact_dir",
)
ACTIVITY_KEYS = (
    "number",
    "ref",
    "kegiatan",
    "pelaksana",
    "mode",
    "tag",
    "status",
    "hosts",
    "started_at",
    "ended_at",
    "duration_s",
    "limit_s",
    "over_time",
    "outputs",
    "acknowledged_by",
    "acknowledged_at",
    "note",
    "manual_step",  # the human part recorded with it (store.human_part), null for none
    "warnings",  # [{"host", "warning"}] the hosts returned (module.warn), [] for none
)
HOST_STAT_KEYS = ("host", *HOST_COUNTS)
INCIDENT_KEYS = (
    "id",
    "court_name",
    "host",
    "summary",
    "reported_by",
    "opened_at",
    "status",
    "closed_at",
    "closed_by",
    "resolution",
    "duration_s",
    "limit_s",
    "within_limit",
    "diagnostics",
)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second (`2025-03-01T12:00:00+00:00`): sorts as text."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def _value(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def _pick(row: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {key: _value(row.get(key)) for key in keys}


def execution_summary(row: Row) -> dict[str, Any]:
    """One execution as `sop history --json` lists it."""
    record = _pick(row, EXECUTION_KEYS)
    record["partial"] = partial_numbers(row)
    if row.get("started_at") and row.get("ended_at"):
        record["duration_s"] = round((row["ended_at"] - row["started_at"]).total_seconds(), 3)
    return record


def execution_detail(row: Row, sop: Sop | None) -> dict[str, Any]:
    """One execution with its activities and host stats (`sop execution ID --json`); each
    activity's human part (`manual_step`) as recorded with it (`sop`, its catalogue entry,
    is read for activities recorded before schema v7)."""
    record = execution_summary(row)
    record.update(_pick(row, EXECUTION_DETAIL_KEYS))
    record["activities"] = [
        {**_pick(a, ACTIVITY_KEYS), "manual_step": human_part(sop, a)} for a in row["activities"]
    ]
    record["host_stats"] = [_pick(h, HOST_STAT_KEYS) for h in row["host_stats"]]
    return record


def incident(row: Row) -> dict[str, Any]:
    """One incident as `sop incident list --json` lists it (`incidents.listing`'s rows)."""
    return _pick(row, INCIDENT_KEYS)


def due(entry: Due, at: datetime) -> dict[str, Any]:
    """A SOP's state at a court (`sop overdue --json`, `courts` of `sop list --json`)."""
    seconds = entry.overdue_seconds(at)
    return {
        "sop_id": entry.sop.id,
        "sop_title": entry.sop.title,
        "court_name": entry.court_name,
        "frequency": entry.sop.frequency,
        "state": entry.state,
        "last_success_id": entry.last_success_id,
        "last_success_at": iso(entry.last_success_at),
        "due_at": iso(entry.due_at),
        "overdue_at": iso(entry.overdue_at),
        "overdue_s": None if seconds is None else round(seconds),
    }


def sop_entry(
    sop: Sop, project_dir: Path, last: Row | None, dues: Sequence[Due], at: datetime
) -> dict[str, Any]:
    """One SOP of the catalogue as `sop list --json` lists it."""
    automated = sum(1 for a in sop.activities if a.automated)
    delegated = sum(1 for a in sop.activities if a.automated_by)
    urgent = most_urgent(dues)
    return {
        "id": sop.id,
        "title": sop.title,
        "number": sop.number,
        "frequency": sop.frequency,
        "period_s": sop.period_seconds,
        "grace_s": sop.grace_seconds,
        "playbook": sop.playbook,
        "playbook_present": bool(sop.playbook and (project_dir / sop.playbook).is_file()),
        "activities": {
            "total": len(sop.activities),
            "automated": automated,
            "delegated": delegated,
            "manual": len(sop.activities) - automated - delegated,
        },
        "last_execution": None
        if last is None
        else _pick(last, ("id", "status", "court_name", "started_at", "ended_at")),
        "state": urgent.state if urgent else "new",
        "due_at": iso(urgent.due_at) if urgent else None,
        "overdue_at": iso(urgent.overdue_at) if urgent else None,
        "courts": [due(d, at) for d in dues],
    }


def compile_query(text: str | None) -> ParsedResult | None:
    """The `--query` expression compiled, or a one-line SopError naming the problem."""
    if text is None:
        return None
    import jmespath  # noqa: PLC0415 (only commands given --query pay for it)

    try:
        return jmespath.compile(text)
    except jmespath.exceptions.JMESPathError as exc:
        raise SopError(f"--query {quoted(text)}: {_jmespath_problem(exc)}") from None


def _jmespath_problem(exc: Exception) -> str:
    problem = str(exc).splitlines()[0].rstrip(":")
    position = getattr(exc, "lex_position", None)
    return f"{problem} at character {position + 1}" if isinstance(position, int) else problem


def emit(data: Any, query: ParsedResult | None, stream: TextIO) -> None:
    """Write `data` (or what `query` selects of it) as JSON, at once (sop.output: a
    reader that left, `sop history --json | head`, is no error)."""
    if query is not None:
        import jmespath  # noqa: PLC0415

        try:
            data = query.search(data)
        except jmespath.exceptions.JMESPathError as exc:
            raise SopError(
                f"--query {quoted(query.expression)}: {_jmespath_problem(exc)}"
            ) from None
    try:
        text = json_text(data)
    except ValueError:  # JMESPath's to_number('1e999') is infinity
        what = (
            "the record holds" if query is None else f"--query {quoted(query.expression)}: selects"
        )
        raise SopError(f"{what} a number JSON cannot hold (infinity or NaN)") from None
    output.write(stream, text + "\n")
