"""The evidence store: executions, their activities and per-host stats (SQLAlchemy).

SQLite (WAL) in the data directory by default; any SQLAlchemy URL (PostgreSQL) through
SOP_DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    String,
    Subquery,
    case,
    create_engine,
    event,
    func,
    literal,
    select,
    text,
    true,
    update,
)
from sqlalchemy import column as column_
from sqlalchemy.exc import SQLAlchemyError

from sop import tables
from sop.errors import ExitCode, SopError
from sop.liveness import is_alive
from sop.migrations import migrate

Row = dict[str, Any]
# The per-host counters of a run (the host_stats columns besides execution_id and host).
HOST_COUNTS = ("ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored")
_DATETIME_COLUMNS = ("started_at", "ended_at", "acknowledged_at", "applied_at")
DIED = "the sop process ended without recording the result"
ORPHAN = "the sop process died"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _row(mapping: Mapping[Any, Any]) -> Row:
    row = dict(mapping)
    for key in _DATETIME_COLUMNS:
        value = row.get(key)
        if isinstance(value, datetime):
            row[key] = _utc(value)
    return row


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class DueRecord(NamedTuple):
    """What `sop overdue` needs of a SOP at a court."""

    first_started_at: datetime
    last_success: tuple[int, datetime] | None  # execution id, started_at


def _distinct(column: str, name: str) -> Subquery:
    """The distinct non-null values of an indexed executions column, read by one index
    seek per value (a recursive "loose index scan") rather than a scan of every row."""
    query = text(
        f"WITH RECURSIVE v(value) AS (SELECT min({column}) FROM executions UNION ALL "  # noqa: S608 (fixed column names)
        f"SELECT (SELECT min({column}) FROM executions WHERE {column} > v.value) FROM v "
        "WHERE v.value IS NOT NULL) SELECT value FROM v WHERE value IS NOT NULL"
    )
    return query.columns(column_("value", String)).subquery(name)


def _lock_key(values: Mapping[str, Any]) -> int:
    """A PostgreSQL advisory lock key (signed 64 bits) for starting runs of one SOP."""
    digest = hashlib.sha256(f"sop-run:{values['sop_id']}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Open once per command; every method is its own short transaction."""

    def __init__(self, url: str) -> None:
        try:
            self.engine: Engine = create_engine(url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            with self.engine.begin() as conn:
                self.schema_version = migrate(conn)
        except SQLAlchemyError as exc:
            raise SopError(
                f"cannot open the store {url}: {exc.args[0]}", ExitCode.INTERNAL
            ) from None

    def close(self) -> None:
        self.engine.dispose()

    # -- executions -------------------------------------------------------------------
    def create_execution(
        self,
        values: Mapping[str, Any],
        activities: Sequence[Mapping[str, Any]],
        *,
        refuse: Callable[[list[Row]], None] | None = None,
    ) -> int:
        """Record a starting execution (status running) with its activities' initial rows.

        `refuse` first sees the running executions of the same SOP and may raise; check
        and insert are one transaction, serialised per SOP with every controller sharing
        a PostgreSQL store (a transaction-level advisory lock). SQLite lives on one
        machine: the caller's file lock serialises its processes.
        """
        with self.engine.begin() as conn:
            if refuse is not None:
                if self.engine.dialect.name == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(values)}
                    )
                refuse(self._running(conn, values["sop_id"]))
            result = conn.execute(
                tables.executions.insert().values(
                    **values, status="running", started_at=now(), hostname=socket.gethostname()
                )
            )
            execution_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            for activity in activities:  # rows differ in keys: one insert each
                conn.execute(
                    tables.activity_results.insert().values(**activity, execution_id=execution_id)
                )
            return execution_id

    def finish_execution(
        self,
        execution_id: int,
        *,
        status: str,
        rc: int | None,
        error: str | None = None,
        hosts: Sequence[str] | None = None,
        activities: Sequence[Mapping[str, Any]] = (),
        host_stats: Sequence[Mapping[str, Any]] = (),
        artifact_dir: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.executions)
                .where(tables.executions.c.id == execution_id)
                .values(
                    status=status,
                    rc=rc,
                    error=error,
                    ended_at=now(),
                    artifact_dir=artifact_dir,
                    **({} if hosts is None else {"hosts": list(hosts)}),
                )
            )
            act = tables.activity_results.c
            for activity in activities:
                conn.execute(
                    update(tables.activity_results)
                    .where(act.execution_id == execution_id, act.number == activity["number"])
                    .values(**activity)
                )
            if host_stats:
                conn.execute(
                    tables.host_stats.insert(),
                    [{**h, "execution_id": execution_id} for h in host_stats],
                )

    def delete_execution(self, execution_id: int) -> None:
        """Remove the record of a run that never touched a host (bad input refused by
        ansible-playbook); its activities and host stats go with it."""
        with self.engine.begin() as conn:
            for table in (tables.activity_results, tables.host_stats):
                conn.execute(table.delete().where(table.c.execution_id == execution_id))
            conn.execute(
                tables.executions.delete().where(tables.executions.c.id == execution_id)
            )

    def set_court(
        self, execution_id: int, values: Mapping[str, Any], pelaksana: Mapping[int, Sequence[str]]
    ) -> None:
        """Record the court of a running execution once its playbook reports it: the
        court's identity, its SOP number and catalogue hash, its pelaksana per activity."""
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.executions)
                .where(tables.executions.c.id == execution_id)
                .values(**values)
            )
            act = tables.activity_results.c
            for number, names in pelaksana.items():
                conn.execute(
                    update(tables.activity_results)
                    .where(act.execution_id == execution_id, act.number == number)
                    .values(pelaksana=list(names))
                )

    def set_playbook_process(self, execution_id: int, pid: int, token: str | None) -> None:
        """Record the execution's ansible-playbook process (pid + start time)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.executions)
                .where(tables.executions.c.id == execution_id)
                .values(playbook_pid=pid, playbook_pid_start=token)
            )

    def reap_stale(self) -> list[int]:
        """Mark `interrupted` the running executions of this host whose `sop` process is
        gone, once their ansible-playbook (if it outlived `sop`) is gone too; until then the
        execution stays `running` (it holds its lock) and its error says so."""
        hostname = socket.gethostname()
        ex = tables.executions.c
        reaped = []
        with self.engine.begin() as conn:
            running = conn.execute(
                select(
                    ex.id, ex.pid, ex.pid_start, ex.playbook_pid, ex.playbook_pid_start, ex.error
                ).where(ex.status == "running", ex.hostname == hostname)
            ).all()
            for row in running:
                values: dict[str, Any]
                if is_alive(row.pid, row.pid_start):
                    continue
                playbook_alive = row.playbook_pid is not None and is_alive(
                    row.playbook_pid, row.playbook_pid_start
                )
                if playbook_alive:
                    values = {
                        "error": f"{ORPHAN}: ansible-playbook (pid {row.playbook_pid}) "
                        "is still running, orphaned"
                    }
                elif row.playbook_pid is None:
                    values = {
                        "status": "interrupted",
                        "ended_at": now(),
                        "error": f"{DIED} before ansible-playbook reported its start",
                    }
                elif row.error and row.error.startswith(ORPHAN):
                    values = {
                        "status": "interrupted",
                        "ended_at": now(),
                        "error": f"{DIED}; its ansible-playbook (pid {row.playbook_pid}) "
                        "ran on orphaned, unrecorded, and has ended since",
                    }
                else:
                    values = {
                        "status": "interrupted",
                        "ended_at": now(),
                        "error": f"{DIED}; its ansible-playbook (pid {row.playbook_pid}) "
                        "ended with it",
                    }
                conn.execute(update(tables.executions).where(ex.id == row.id).values(**values))
                if "status" in values:
                    reaped.append(row.id)
        return reaped

    def running(self, sop_id: str) -> list[Row]:
        with self.engine.connect() as conn:
            return self._running(conn, sop_id)

    @staticmethod
    def _running(conn: Connection, sop_id: str) -> list[Row]:
        ex = tables.executions.c
        rows = conn.execute(
            select(tables.executions).where(ex.status == "running", ex.sop_id == sop_id)
        ).mappings()
        return [_row(r) for r in rows]

    def execution(self, execution_id: int) -> Row:
        with self.engine.connect() as conn:
            found = (
                conn.execute(
                    select(tables.executions).where(tables.executions.c.id == execution_id)
                )
                .mappings()
                .first()
            )
            if found is None:
                raise SopError(f"no execution {execution_id}")
            row = _row(found)
            act = tables.activity_results.c
            row["activities"] = [
                _row(a)
                for a in conn.execute(
                    select(tables.activity_results)
                    .where(act.execution_id == execution_id)
                    .order_by(act.number)
                ).mappings()
            ]
            hs = tables.host_stats.c
            row["host_stats"] = [
                _row(h)
                for h in conn.execute(
                    select(tables.host_stats)
                    .where(hs.execution_id == execution_id)
                    .order_by(hs.host)
                ).mappings()
            ]
            return row

    def executions(
        self,
        *,
        sop_id: str | None = None,
        status: str | None = None,
        court: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        with_activities: bool = False,
    ) -> list[Row]:
        """Newest first, filtered."""
        ex = tables.executions.c
        query = select(tables.executions).order_by(ex.started_at.desc(), ex.id.desc())
        if sop_id:
            query = query.where(ex.sop_id == sop_id)
        if court is not None:
            query = query.where(ex.court_name == court)
        if status:
            query = query.where(ex.status == status)
        if since:
            query = query.where(ex.started_at >= since)
        if until:
            query = query.where(ex.started_at < until)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [_row(r) for r in conn.execute(query).mappings()]
            if with_activities and rows:
                act = tables.activity_results.c
                by_id: dict[int, list[Row]] = {r["id"]: [] for r in rows}
                for activity in conn.execute(
                    select(tables.activity_results)
                    .where(act.execution_id.in_(by_id))
                    .order_by(act.execution_id, act.number)
                ).mappings():
                    by_id[activity["execution_id"]].append(_row(activity))
                for row in rows:
                    row["activities"] = by_id[row["id"]]
            return rows

    def latest_per_sop(self, status: str | None = None, court: str | None = None) -> dict[str, Row]:
        """The newest execution of each SOP (optionally only those with `status`, only
        those of one court): one index seek per SOP, not a scan of the whole history."""
        ex = tables.executions.c
        sops = _distinct("sop_id", "sops")
        newer = tables.executions.alias("newer")
        newest = select(func.max(newer.c.id)).where(newer.c.sop_id == sops.c.value)
        if status:
            newest = newest.where(newer.c.status == status)
        if court is not None:
            newest = newest.where(newer.c.court_name == court)
        ids = select(newest.scalar_subquery()).select_from(sops)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(tables.executions).where(ex.id.in_(ids.scalar_subquery()))
            ).mappings()
            return {r["sop_id"]: _row(r) for r in rows}

    def courts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[str | None]:
        """The courts with recorded executions (None: executions without a court_name)."""
        ex = tables.executions.c
        if since is None and until is None:
            with self.engine.connect() as conn:
                named = list(conn.scalars(select(_distinct("court_name", "courts"))))
                unnamed = conn.scalar(select(ex.id).where(ex.court_name.is_(None)).limit(1))
            return ([None] if unnamed is not None else []) + sorted(named)
        query = select(ex.court_name).distinct()
        if since:
            query = query.where(ex.started_at >= since)
        if until:
            query = query.where(ex.started_at < until)
        with self.engine.connect() as conn:
            names = conn.scalars(query).all()
        return sorted(names, key=lambda name: (name is not None, name or ""))

    def month_counts(
        self, since: datetime, until: datetime
    ) -> dict[tuple[str | None, str], dict[str, int]]:
        """(court, SOP) -> status -> number of executions started in [since, until)."""
        ex = tables.executions.c
        query = (
            select(ex.court_name, ex.sop_id, ex.status, func.count())
            .where(ex.started_at >= since, ex.started_at < until)
            .group_by(ex.court_name, ex.sop_id, ex.status)
        )
        counts: dict[tuple[str | None, str], dict[str, int]] = {}
        with self.engine.connect() as conn:
            for court, sop_id, status, number in conn.execute(query):
                counts.setdefault((court, sop_id), {})[status] = number
        return counts

    def due_records(self, court: str | None = None) -> dict[tuple[str, str | None], DueRecord]:
        """Per (SOP, court): its newest successful execution and when it was first
        started, counting real runs only (check mode performs nothing). Two index seeks
        per SOP and court (schema v3), so a regional store's history is not scanned."""
        ex = tables.executions.c
        sops = _distinct("sop_id", "sops")
        court_names = (
            select(literal(court, String).label("value")).subquery("courts")
            if court is not None
            else _distinct("court_name", "courts")
        )
        run = tables.executions.alias("run")
        same = (
            run.c.sop_id == sops.c.value,
            run.c.court_name == court_names.c.value,
            run.c.check_mode.is_(False),
        )
        pairs = select(
            sops.c.value,
            court_names.c.value,
            select(func.max(run.c.id)).where(*same, run.c.status == "successful").scalar_subquery(),
            select(func.min(run.c.started_at)).where(*same).scalar_subquery(),
        ).select_from(sops.join(court_names, true()))
        unnamed = (
            select(
                ex.sop_id,
                ex.court_name,
                func.max(case((ex.status == "successful", ex.id))),
                func.min(ex.started_at),
            )
            .where(ex.court_name.is_(None), ex.check_mode.is_(False))
            .group_by(ex.sop_id, ex.court_name)
        )
        found: dict[tuple[str, str | None], tuple[datetime, int | None]] = {}
        with self.engine.connect() as conn:
            for query in (pairs, unnamed) if court is None else (pairs,):
                for sop_id, court_name, last_ok, first in conn.execute(query):
                    if first is not None:
                        found[(sop_id, court_name)] = (_utc(first), last_ok)
            wanted = [last_ok for _, last_ok in found.values() if last_ok is not None]
            started = {
                execution_id: started_at
                for execution_id, started_at in conn.execute(
                    select(ex.id, ex.started_at).where(ex.id.in_(wanted))
                )
            }
        return {
            key: DueRecord(first, None if last_ok is None else (last_ok, _utc(started[last_ok])))
            for key, (first, last_ok) in found.items()
        }

    # -- manual activities ------------------------------------------------------------
    def acknowledge(self, execution_id: int, number: int, by: str, note: str | None) -> Row:
        act = tables.activity_results.c
        with self.engine.begin() as conn:
            found = (
                conn.execute(
                    select(tables.activity_results).where(
                        act.execution_id == execution_id, act.number == number
                    )
                )
                .mappings()
                .first()
            )
            if found is None:
                raise SopError(f"execution {execution_id} has no recorded activity {number}")
            if found["status"] == "acknowledged":
                raise SopError(
                    f"activity {number} of execution {execution_id} was already acknowledged "
                    f"by {found['acknowledged_by']}"
                )
            if found["status"] != "pending-manual":
                raise SopError(
                    f"activity {number} of execution {execution_id} is {found['status']}, "
                    "not a manual step waiting for acknowledgement"
                )
            conn.execute(
                update(tables.activity_results)
                .where(act.id == found["id"])
                .values(status="acknowledged", acknowledged_by=by, acknowledged_at=now(), note=note)
            )
        return self.execution(execution_id)
