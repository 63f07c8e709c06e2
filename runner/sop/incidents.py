"""Server incidents (SOP Penanganan Gangguan Server): reported, diagnosed, closed.

Activity 1 of the SOP, receiving and recording the report, is `sop incident open --host H
--summary S --by NAME`; the incident stays open until `sop incident close`, and a host
has one open incident at its court at a time (another report of it is refused, naming the
open one). The diagnostics (activity 2) are `sop run server-incident --limit H`
executions; an incident lists the ones that ran on its host, at its court, while it was
open. Its time to resolution is compared with the Mutu Baku of activities 1 and 2 (receiving and
handling: 4 hours in PN Bengkalis's SOP 15); beyond that the SOP's escalation steps (3-7) apply.
That limit is recorded when the incident is opened, as the SOP then applied at its court
(`open -i INVENTORY`: the court's sop_catalogue_overrides; else the catalogue's), so
every listing judges it alike; no limit (an activity's `waktu: null`) is recorded as such
(`limit_recorded`, schema v9) and never judged by another. An incident recorded without
a limit before (schema v8, or with none before v9) is judged by the catalogue's; closing
an open one records that limit with it.

The table (created by migration 5) is read and written here through the store's
connection layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from sop.catalogue import Sop
from sop.durations import format_seconds
from sop.errors import ExitCode, SopError
from sop.store import Store, advisory_key, now, where

if TYPE_CHECKING:
    from rich.table import Table as RichTable

SOP_ID = "server-incident"
# The activities whose Mutu Baku an incident's resolution is measured against.
HANDLING_ACTIVITIES = (1, 2)
STATUSES = ("open", "closed")
# The incidents' filters, as store.EXECUTION_FILTERS are the executions'; `since` and
# `until`, a period: those open at some time within it (opened before its end, not closed
# before its start).
FILTERS = {
    "status": "status = :status",
    "court": "(court_name = :court OR court_name IS NULL)",
    "since": "(closed_at IS NULL OR closed_at >= :since)",
    "until": "opened_at < :until",
}


def _get(store: Store, incident_id: int) -> dict[str, Any]:
    with store.db.transaction() as tx:
        row = tx.first("SELECT * FROM incidents WHERE id = :id", {"id": incident_id})
    if row is None:
        raise SopError(f"no incident {incident_id}")
    return row


def open_incident(
    store: Store, sop: Sop, *, host: str, summary: str, by: str, court: str | None
) -> dict[str, Any]:
    """Record a reported incident (open), with the handling limit `sop` (as the court runs
    it) sets; SopError (exit 2) naming the incident still open of the host at `court` (one
    recorded without a court: of those recorded so), nothing recorded."""
    for option, value in (("--host", host), ("--summary", summary), ("--by", by)):
        if not value.strip():
            raise SopError(f"{option} must not be empty")
    values: dict[str, Any] = {
        "court_name": court,
        "host": host,
        "summary": summary,
        "reported_by": by,
        "opened_at": now(),
        "status": "open",
        "limit_s": handling_limit(sop),
        "limit_recorded": True,
    }
    with store.db.transaction(write=True) as tx:
        # One open incident per host and court: check and insert serialised with every
        # `sop incident open` of the store (SQLite: BEGIN IMMEDIATE's write lock; a
        # PostgreSQL store shared by controllers: an advisory lock per host).
        tx.lock(advisory_key(f"sop-incident:{host}"))
        same_court = "court_name IS NULL" if court is None else "court_name = :court"
        found = tx.first(
            "SELECT id, opened_at, reported_by FROM incidents "  # noqa: S608 (fixed SQL)
            f"WHERE host = :host AND {same_court} AND status = 'open' ORDER BY id LIMIT 1",
            {"host": host, **({} if court is None else {"court": court})},
        )
        if found is not None:
            opened = found["opened_at"].astimezone(UTC)
            raise SopError(
                f"host {host}{f' of {court}' if court else ''} already has an open incident "
                f"{found['id']} (opened {opened:%Y-%m-%d %H:%M} UTC by {found['reported_by']}):"
                f" diagnose it with `sop run server-incident --limit {host}`, or close it "
                f"first with `sop incident close {found['id']} --by NAME --resolution TEXT`",
                ExitCode.USAGE,
            )
        values["id"] = tx.insert("incidents", values)
    return values


def close_incident(
    store: Store, catalogue: Sop, incident_id: int, *, by: str, resolution: str
) -> dict[str, Any]:
    """Close an open incident with what resolved it and the Mutu Baku it is judged against
    (one recorded before without it: the `catalogue`'s, as listings judged it); the row
    judged (see `judge`)."""
    if not resolution.strip():
        raise SopError("--resolution must say what resolved the incident")
    found = _get(store, incident_id)
    if found["status"] == "closed":
        raise SopError(f"incident {incident_id} was already closed by {found['closed_by']}")
    with store.db.transaction(write=True) as tx:
        closed = tx.update(
            "incidents",
            {
                "status": "closed",
                "closed_at": now(),
                "closed_by": by,
                "resolution": resolution,
                "limit_s": applied_limit(found, handling_limit(catalogue)),
                "limit_recorded": True,
            },
            "id = :key_id AND status = 'open'",
            key_id=incident_id,
        ) == 1
    row = _get(store, incident_id)
    if not closed:  # another `sop incident close` closed it since it was read above
        raise SopError(f"incident {incident_id} was already closed by {row['closed_by']}")
    return judge(row, None)  # its limit now recorded


def handling_limit(sop: Sop) -> int | None:
    """Seconds the SOP allows for receiving and handling an incident (None: no limit)."""
    limits = [a.limit_seconds for a in sop.activities if a.number in HANDLING_ACTIVITIES]
    return None if any(x is None for x in limits) else sum(x or 0 for x in limits)


def applied_limit(row: dict[str, Any], unrecorded: int | None) -> int | None:
    """The Mutu Baku (seconds, None: no limit) an incident row is judged against: the one
    recorded with it, else (recorded before without one) `unrecorded`, the catalogue's."""
    return row["limit_s"] if row["limit_recorded"] or row["limit_s"] is not None else unrecorded


def judge(row: dict[str, Any], unrecorded: int | None) -> dict[str, Any]:
    """`row` with its time to resolution (or open so far), `duration_s`, the limit it is
    judged against, `limit_s` (see applied_limit), and whether it is within it: None
    without a limit, and for a time no clock measured (closed, or listed, before it was
    opened: the controller's clock was set back), which is within no limit."""
    seconds = ((row["closed_at"] or now()) - row["opened_at"]).total_seconds()
    limit = applied_limit(row, unrecorded)
    row.update(
        duration_s=round(seconds),
        limit_s=limit,
        within_limit=None if limit is None or seconds < 0 else seconds <= limit,
    )
    return row


def courts(store: Store) -> list[str]:
    """The court names incidents were recorded for (a court known by its incidents only:
    one whose month held no run still has its report)."""
    with store.db.transaction() as tx:
        return sorted(tx.scalars(
            "SELECT DISTINCT court_name FROM incidents WHERE court_name IS NOT NULL"
        ))


def _same_court(incident: str | None, run: str | None) -> bool:
    """A run is of the incident's court unless both name a court and differ (an incident
    recorded without --court, or a run whose court was never recorded, cannot tell)."""
    return incident is None or run is None or incident == run


def _rows(
    store: Store,
    status: str | None,
    court: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[dict[str, Any]]:
    """The incidents with `status`, of `court` (and those recorded without a court, which
    may be its own: see _same_court), open at some time in [since, until), newest first."""
    clause, params = where(
        FILTERS, status=status or None, court=court or None, since=since, until=until
    )
    with store.db.transaction() as tx:
        return tx.rows(f"SELECT * FROM incidents{clause} ORDER BY id DESC", params)  # noqa: S608 (fixed SQL)


def listing(
    store: Store,
    sop: Sop,
    status: str | None = None,
    court: str | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Incidents newest first, each with its time to resolution (or open so far), whether
    that is within the Mutu Baku recorded with it (`sop`'s, the catalogue's, for one
    recorded before without it: see applied_limit), and the diagnostics runs on its host
    while it was open (of its court: a regional store's courts share host names). With
    `court`, that court's view: its incidents and those recorded without a court, taken
    as its own; with `since` and `until`, those open at some time in that period (a
    report's month: opened, closed, or open all through it).
    Times stay datetimes (`records.incident` is the --json form)."""
    rows = _rows(store, status, court, since, until)
    if not rows:
        return []
    unrecorded = handling_limit(sop)
    earliest = min(r["opened_at"] for r in rows)
    runs = store.executions(sop_id=SOP_ID, since=earliest)
    result = []
    for row in rows:
        judge(row, unrecorded)
        opened = row["opened_at"]
        closed = row["closed_at"]
        row.update(
            diagnostics=[
                {"execution": r["id"], "status": r["status"]}
                for r in sorted(runs, key=lambda r: r["id"])
                if row["host"] in (r["hosts"] or [])
                and _same_court(row["court_name"] or court, r["court_name"])
                and opened <= r["started_at"] <= (closed or now())
            ],
        )
        result.append(row)
    return result


def verdict(row: Mapping[str, Any]) -> str:
    """A judged row's handling against its Mutu Baku as the listings and the report write
    it: `sesuai (4 jam)`, `melewati (4 jam)`, `- (4 jam)` when not judged (a time no clock
    measured); `-` without a limit."""
    limit = row["limit_s"]
    if not limit:
        return "-"
    judged = "-" if row["within_limit"] is None else (
        "sesuai" if row["within_limit"] else "melewati")
    return f"{judged} ({format_seconds(limit)})"


def table(rows: list[dict[str, Any]], zone: tzinfo) -> RichTable:
    """The incidents as `sop incident list` shows them (Mutu Baku in Bahasa Indonesia),
    their times on the court's clock (`zone`), named."""
    from rich.table import Table as RichTable  # noqa: PLC0415 (rich only for this view)

    from sop.views import court_time, plain  # noqa: PLC0415 (text, never rich markup)

    view = RichTable(title="Gangguan server")
    for heading in ("ID", "Server", "Ringkasan", "Pelapor", "Dibuka", "Status", "Durasi",
                    "Mutu Baku", "Diagnosa", "Penyelesaian"):
        view.add_column(heading)
    for row in rows:
        view.add_row(
            str(row["id"]), plain(row["host"]), plain(row["summary"]), plain(row["reported_by"]),
            court_time(row["opened_at"], zone, seconds=False),
            "dibuka" if row["status"] == "open"
            else "ditutup", format_seconds(row["duration_s"], over=row["within_limit"] is False),
            verdict(row),
            ", ".join(f"#{d['execution']} {d['status']}" for d in row["diagnostics"]) or "-",
            plain(row["resolution"] or "-"),
        )
    return view
