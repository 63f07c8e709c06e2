"""The evidence store: executions, their activities and per-host stats.

SQLite (WAL) in the data directory by default; PostgreSQL through SOP_DATABASE_URL.
The dialects' differences are all in `sop.db`.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sop.db import Database, StoreError, Transaction, distinct_values, in_list
from sop.errors import SopError
from sop.liveness import is_alive, with_boot
from sop.migrations import COLUMN_LIMITS, migrate
from sop.statuses import cut_short_status

if TYPE_CHECKING:
    from sop.catalogue import Sop

Row = dict[str, Any]  # a row as the store's callers see it (sop.db makes them)
# The per-host counters of a run (the host_stats columns besides execution_id and host).
HOST_COUNTS = ("ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored")
DIED = "the sop process ended without recording the result"
ORPHAN = "the sop process died"
# The executions' filters (SQL with fixed column names) by their parameter's name.
EXECUTION_FILTERS = {
    "sop_id": "sop_id = :sop_id",
    "court": "court_name = :court",
    "kode_satker": "court_kode_satker = :kode_satker",
    "status": "status = :status",
    "since": "started_at >= :since",
    "until": "started_at < :until",
    "check_mode": "check_mode = :check_mode",
    "partial": "(partial IS NOT NULL) = :partial",
}
# The options a command records in a column of limited length, by command ("incident
# open": the command and its action): (option, table, column); the limits are the schema's
# (migrations.COLUMN_LIMITS).
RECORDED_OPTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "run": (("operator", "executions", "operator"),),
    "ack": (("by", "activity_results", "acknowledged_by"),),
    "approve": (("by", "approvals", "approved_by"), ("role", "approvals", "role")),
    "incident open": (("host", "incidents", "host"), ("by", "incidents", "reported_by")),
    "incident close": (("by", "incidents", "closed_by"),),
}
# An activity row's `manual_step` when its activity has no human part (schema v7; NULL is
# a row recorded before, see `human_part`).
NO_HUMAN_PART = ""


def where(filters: Mapping[str, str], **given: Any) -> tuple[str, dict[str, Any]]:
    """A WHERE clause of a table's `filters` (SQL with fixed column names by their
    parameter's name: EXECUTION_FILTERS, incidents.FILTERS) for those given (not None),
    and its parameters."""
    params = {key: value for key, value in given.items() if value is not None}
    return (" WHERE " + " AND ".join(filters[key] for key in params) if params else ""), params


def too_long(name: str, value: str, table: str, column: str) -> str | None:
    """One line saying that `value`, given as `name` (an option, a variable), is longer
    than the store's `table.column` holds; None when it fits (or the column has no limit).
    PostgreSQL refuses such a value only as the command records it (a store error), SQLite
    keeps it: checked so, it is bad input on both, before anything is recorded."""
    limit = COLUMN_LIMITS.get((table, column))
    if limit is None or len(value) <= limit:
        return None
    return f"{name} is {len(value)} characters long: the store records at most {limit}"


def refuse_too_long(args: Mapping[str, Any]) -> None:
    """SopError (bad input) for the first option of a command (`args`: its parsed options,
    `command` and `action` too) longer than the store records (RECORDED_OPTIONS)."""
    command = " ".join(str(args[key]) for key in ("command", "action") if key in args)
    for option, table, column in RECORDED_OPTIONS.get(command, ()):
        value = args.get(option)
        problem = None if value is None else too_long(f"--{option}", value, table, column)
        if problem:
            raise SopError(problem)


class DueRecord(NamedTuple):
    """What `sop overdue` needs of a SOP at a court."""

    first_started_at: datetime
    last_success: tuple[int, datetime] | None  # execution id, started_at


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key (signed 64 bits) for what `name` serialises
    (`Transaction.lock`): `sop-run:SOP`, `sop-incident:HOST`."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_key(values: Mapping[str, Any]) -> int:
    """The advisory lock key for starting runs of one SOP."""
    return advisory_key(f"sop-run:{values['sop_id']}")


def _last_known(tx: Transaction, execution_id: int, started_at: datetime) -> datetime:
    """The last time the record of an execution that died knows of: its activities'
    newest start or end, else its own start (not when it was found dead, maybe days
    later: its duration would be that long)."""
    times = tx.first(
        "SELECT max(started_at) AS started_at, max(ended_at) AS ended_at "
        "FROM activity_results WHERE execution_id = :key_id",
        {"key_id": execution_id},
    )
    known: list[datetime] = [started_at]
    known += [value for value in (times or {}).values() if value is not None]
    return max(known)


def _update_activities(
    tx: Transaction, execution_id: int, activities: Sequence[Mapping[str, Any]]
) -> None:
    for activity in activities:
        tx.update(
            "activity_results",
            activity,
            "execution_id = :key_id AND number = :key_number",
            key_id=execution_id,
            key_number=activity["number"],
        )


def _refuse_unrun_human_part(
    tx: Transaction, execution_id: int, activity: Mapping[str, Any], shown: str
) -> None:
    """SopError when the automated part of ``activity`` (a row of execution
    ``execution_id``, ``shown`` as the operator named it) has not run in that execution:
    its human part is no step of it to acknowledge. As a job history keeps a step to the
    job that ran it: not chosen by a partial run, never reached (the run ended before
    it), or not ended yet. A manual activity of a run that ended so is still recorded
    (`sop ack`: a person did it after all); this part follows a run of its activity."""
    status = activity["status"]
    if status not in ("not-run", "running"):
        return
    [execution] = tx.rows(
        "SELECT sop_id, status, partial FROM executions WHERE id = :id", {"id": execution_id}
    )
    what = f"activity {shown} of execution {execution_id}"
    rerun = (
        f"run it with `sop run {execution['sop_id']} --activity {shown}` and acknowledge "
        "that execution"
    )
    chosen = partial_numbers(execution)
    if chosen is not None and activity["number"] not in chosen:
        numbers = ("activity " if len(chosen) == 1 else "activities ") + ",".join(map(str, chosen))
        raise SopError(
            f"{what} was not part of it (a partial run of {numbers}): its automated part did "
            f"not run; {rerun}"
        )
    if status == "running":
        raise SopError(
            f"{what} is still running: acknowledge its human part once its automated part "
            "has ended"
        )
    if execution["status"] == "running":
        raise SopError(
            f"{what} has not run yet (the execution is still running): acknowledge its "
            "human part once its automated part has ended"
        )
    raise SopError(
        f"{what} never ran: the execution ended {execution['status']} before its automated "
        f"part; {rerun}"
    )


def _refuse_dry_run(tx: Transaction, execution_id: int, shown: str) -> None:
    """SopError when execution ``execution_id`` is a dry run (`sop run --check`): it
    carried nothing out and the report lists none of its manual steps (`report.not_dry`),
    so an ack of one (``shown`` as the operator named it) would be evidence nobody reads.
    `sop approve` acknowledges a dry run's order step on purpose (`acknowledge_in`)."""
    # none found: acknowledge_in then names the activity not recorded
    found = tx.rows(
        "SELECT sop_id, check_mode FROM executions WHERE id = :id", {"id": execution_id}
    )
    if found and found[0]["check_mode"]:
        raise SopError(
            f"execution {execution_id} is a dry run (`sop run --check`): it carried out "
            "nothing and the report lists none of its manual steps; acknowledge activity "
            f"{shown} on a real run (`sop run {found[0]['sop_id']}` without --check, "
            "then `sop ack` of that execution)"
        )


def _activities(rows: list[Row]) -> list[Row]:
    """Activity rows as read: `warnings` (schema v12) NULL, recorded before, as none."""
    for row in rows:
        row["warnings"] = row.get("warnings") or []
    return rows


def now() -> datetime:
    return datetime.now(UTC)


def performs_sop(row: Mapping[str, Any]) -> bool:
    """A real run of the whole SOP, the only kind that is the SOP done: not a dry run (it
    performs nothing), not a partial run (some activities only)."""
    return not row["check_mode"] and row.get("partial") is None


def performs_sop_sql(alias: str = "") -> str:
    """`performs_sop` as an SQL condition on executions (`alias`: "run." in a subquery);
    its parameter `:no` is False."""
    return f"{alias}check_mode = :no AND {alias}partial IS NULL"


def partial_numbers(row: Mapping[str, Any]) -> list[int] | None:
    """The activities a partial run chose (`sop run --activity`); None: the whole SOP."""
    chosen = row.get("partial")
    return None if chosen is None else [int(number) for number in chosen.split(",")]


def human_part(sop: Sop | None, activity: Mapping[str, Any]) -> str | None:
    """The human part (`manual_step`) of a recorded activity, None for none: the text
    recorded with the activity when its execution was created (schema v7), whatever the
    catalogue says since. A row recorded before v7 holds NULL: for it, as before v7,
    today's catalogue tells (`sop`; None when the SOP is no longer in it)."""
    recorded = activity.get("manual_step")
    if recorded is None and sop is not None:
        recorded = next((a.manual_step for a in sop.activities if a.number == activity["number"]),
                        None)
    return recorded or None


class Store:
    """Open once per command; every method is its own short transaction."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        try:
            self.schema_version = migrate(self.db)
        except StoreError as exc:
            self.db.close()
            raise SopError(f"cannot open the store {self.db.url}: {exc.cause}", exc.code) from None

    def close(self) -> None:
        self.db.close()

    # -- executions -------------------------------------------------------------------
    def create_execution(
        self,
        values: Mapping[str, Any],
        activities: Sequence[Mapping[str, Any]],
        *,
        refuse: Callable[[list[Row]], None] | None = None,
    ) -> int:
        """Record a starting execution (status running) with its activities' initial rows.

        Each activity's `manual_step` (its human part, None: none) is recorded with it,
        so what the execution asks of a person never follows later catalogue changes.
        `refuse` first sees the running executions of the same SOP and may raise; check
        and insert are one transaction, serialised per SOP with every controller sharing
        a PostgreSQL store (a transaction-level advisory lock). SQLite lives on one
        machine: the caller's file lock serialises its processes. The process token
        (`pid_start`) is recorded with this boot's id (liveness.with_boot).
        """
        row = {
            "check_mode": False,
            "extra_var_names": [],
            "hosts": [],
            **values,
            "pid_start": with_boot(values.get("pid_start")),
            "status": "running",
            "started_at": now(),
            "hostname": socket.gethostname(),
        }
        with self.db.transaction(write=True) as tx:
            if refuse is not None:
                tx.lock(_lock_key(values))
                refuse(self._running(tx, values["sop_id"]))
            execution_id = tx.insert("executions", row)
            for activity in activities:  # rows differ in keys: one insert each
                tx.insert(
                    "activity_results",
                    {
                        "ref": "", "pelaksana": [], "hosts": [], "outputs": [], "warnings": [],
                        **activity, "execution_id": execution_id,
                        "manual_step": activity.get("manual_step") or NO_HUMAN_PART,
                    },
                )  # fmt: skip
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
        values = {
            "status": status,
            "rc": rc,
            "error": error,
            "ended_at": now(),
            "artifact_dir": artifact_dir,
            **({} if hosts is None else {"hosts": list(hosts)}),
        }
        with self.db.transaction(write=True) as tx:
            tx.update("executions", values, "id = :key_id", key_id=execution_id)
            _update_activities(tx, execution_id, activities)
            # An activity a run recorded as running and the end did not report (an
            # internal error) was cut short as the execution was.
            tx.update(
                "activity_results",
                {"status": cut_short_status(status)},
                "execution_id = :key_id AND status = 'running'",
                key_id=execution_id,
            )
            tx.insert_many(
                "host_stats",
                [
                    {**dict.fromkeys(HOST_COUNTS, 0), **h, "execution_id": execution_id}
                    for h in host_stats
                ],
            )

    def delete_execution(self, execution_id: int) -> None:
        """Remove the record of a run that never touched a host (bad input refused by
        ansible-playbook); its activities and host stats go with it."""
        with self.db.transaction(write=True) as tx:
            for table, column in (
                ("activity_results", "execution_id"),
                ("host_stats", "execution_id"),
                ("executions", "id"),
            ):
                tx.execute(f"DELETE FROM {table} WHERE {column} = :id", {"id": execution_id})  # noqa: S608 (fixed names)

    def set_court(
        self,
        execution_id: int,
        values: Mapping[str, Any],
        activities: Mapping[int, Mapping[str, Any]],
    ) -> None:
        """Record the court of a running execution once its playbook reports it: the
        court's identity, its SOP number and catalogue hash, and per activity number what
        the court sets (its pelaksana, its Mutu Baku `limit_s`)."""
        with self.db.transaction(write=True) as tx:
            tx.update("executions", values, "id = :key_id", key_id=execution_id)
            for number, columns in activities.items():
                tx.update(
                    "activity_results",
                    dict(columns),
                    "execution_id = :key_id AND number = :key_number",
                    key_id=execution_id,
                    key_number=number,
                )

    def set_playbook_process(self, execution_id: int, pid: int, token: str | None) -> None:
        """Record the execution's ansible-playbook process (pid + start time and boot)."""
        with self.db.transaction(write=True) as tx:
            tx.update(
                "executions",
                {"playbook_pid": pid, "playbook_pid_start": with_boot(token)},
                "id = :key_id",
                key_id=execution_id,
            )

    def update_activities(self, execution_id: int, activities: Sequence[Mapping[str, Any]]) -> None:
        """Record activities of a running execution as they start and end (what a killed
        `sop` leaves as evidence)."""
        with self.db.transaction(write=True) as tx:
            _update_activities(tx, execution_id, activities)

    def delegate(self, execution_id: int, activities: Mapping[int, Mapping[str, Any]]) -> None:
        """Record activities of a running execution another SOP carried out (per number,
        the columns `runner._delegations` gives: status `delegated`, its note and the run
        as its output), each only while its row still waits for a person: `pending-manual`
        and acknowledged by nobody. The condition is the UPDATE's own, so a `sop ack`
        committed since the run read its rows at its start stands, status and note."""
        with self.db.transaction(write=True) as tx:
            for number, columns in activities.items():
                tx.update(
                    "activity_results",
                    dict(columns),
                    "execution_id = :key_id AND number = :key_number "
                    "AND status = 'pending-manual' AND acknowledged_by IS NULL",
                    key_id=execution_id,
                    key_number=number,
                )

    def reap_stale(self, former_hostname: str | None = None) -> list[int]:
        """Mark `interrupted` the running executions of this controller whose `sop`
        process is gone, once their ansible-playbook (if it outlived `sop`) is gone too;
        until then the execution stays `running` (it holds its lock) and its error says so.

        Processes are judged here, by pid and start time, so only this controller's runs
        are. A SQLite store is one machine's (its runs serialised by the data dir's
        run.lock): every running execution in it is this controller's, whatever hostname
        it was recorded under (the controller renamed since, or its data dir restored
        onto a VM of another name). A PostgreSQL store is shared by controllers whose
        processes this one cannot see: only those recorded under its hostname, and
        under `former_hostname`, which the admin names as this controller's own former
        name (`sop reap --hostname`)."""
        query = (
            "SELECT id, pid, pid_start, playbook_pid, playbook_pid_start, error, started_at "
            "FROM executions WHERE status = 'running'"
        )
        params: dict[str, str] = {}
        if self.db.dialect != "sqlite":
            query += " AND hostname IN (:hostname, :former)"
            params["hostname"] = socket.gethostname()
            params["former"] = former_hostname or params["hostname"]
        with self.db.transaction() as tx:
            running = tx.rows(query, params)
        changes: list[tuple[int, dict[str, Any]]] = []
        started = {row["id"]: row["started_at"] for row in running}
        for row in running:
            values: dict[str, Any]
            if is_alive(row["pid"], row["pid_start"]):
                continue
            playbook = row["playbook_pid"]
            if playbook is not None and is_alive(playbook, row["playbook_pid_start"]):
                values = {
                    "error": f"{ORPHAN}: ansible-playbook (pid {playbook}) "
                    "is still running, orphaned"
                }
            elif playbook is None:
                values = {
                    "status": "interrupted",
                    "error": f"{DIED} before ansible-playbook reported its start",
                }
            elif row["error"] and row["error"].startswith(ORPHAN):
                values = {
                    "status": "interrupted",
                    "error": f"{DIED}; its ansible-playbook (pid {playbook}) "
                    "ran on orphaned, unrecorded, and has ended since",
                }
            else:
                values = {
                    "status": "interrupted",
                    "error": f"{DIED}; its ansible-playbook (pid {playbook}) ended with it",
                }
            changes.append((row["id"], values))
        if changes:
            with self.db.transaction(write=True) as tx:
                for execution_id, values in changes:
                    if "status" in values:  # it ended when its record last heard of it
                        values["ended_at"] = _last_known(tx, execution_id, started[execution_id])
                    tx.update(
                        "executions",
                        values,
                        "id = :key_id AND status = 'running'",
                        key_id=execution_id,
                    )
                    if "status" in values:  # the activity it was in when it died
                        tx.update(
                            "activity_results",
                            {"status": "interrupted"},
                            "execution_id = :key_id AND status = 'running'",
                            key_id=execution_id,
                        )
        return [execution_id for execution_id, values in changes if "status" in values]

    def running(self, sop_id: str) -> list[Row]:
        with self.db.transaction() as tx:
            return self._running(tx, sop_id)

    @staticmethod
    def _running(tx: Transaction, sop_id: str) -> list[Row]:
        return tx.rows(
            "SELECT * FROM executions WHERE status = 'running' AND sop_id = :sop_id",
            {"sop_id": sop_id},
        )

    def execution(self, execution_id: int) -> Row:
        key = {"id": execution_id}
        with self.db.transaction() as tx:
            row = tx.first("SELECT * FROM executions WHERE id = :id", key)
            if row is None:
                raise SopError(f"no execution {execution_id}")
            row["activities"] = _activities(
                tx.rows(
                    "SELECT * FROM activity_results WHERE execution_id = :id ORDER BY number", key
                )
            )
            row["host_stats"] = tx.rows(
                "SELECT * FROM host_stats WHERE execution_id = :id ORDER BY host", key
            )
            return row

    def executions(
        self,
        *,
        sop_id: str | None = None,
        status: str | None = None,
        court: str | None = None,
        kode_satker: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        with_activities: bool = False,
        check_mode: bool | None = None,
        partial: bool | None = None,
    ) -> list[Row]:
        """Newest first, filtered (`kode_satker`: those that recorded that court's code;
        `check_mode` False: real runs only; `partial` False: runs of the whole SOP only)."""
        clause, params = where(
            EXECUTION_FILTERS,
            sop_id=sop_id or None,
            court=court,
            kode_satker=kode_satker,
            status=status or None,
            since=since,
            until=until,
            check_mode=check_mode,
            partial=partial,
        )
        query = f"SELECT * FROM executions{clause} ORDER BY started_at DESC, id DESC"  # noqa: S608 (fixed SQL)
        if limit:
            query += " LIMIT :limit"
            params["limit"] = limit
        with self.db.transaction() as tx:
            rows = tx.rows(query, params)
            if with_activities and rows:
                by_id: dict[int, list[Row]] = {r["id"]: [] for r in rows}
                chosen = f"SELECT id FROM ({query}) AS chosen"  # noqa: S608 (fixed SQL)
                for activity in _activities(
                    tx.rows(
                        f"SELECT * FROM activity_results WHERE execution_id IN ({chosen}) "  # noqa: S608 (fixed SQL)
                        "ORDER BY execution_id, number",
                        params,
                    )
                ):
                    by_id[activity["execution_id"]].append(activity)
                for row in rows:
                    row["activities"] = by_id[row["id"]]
            return rows

    def latest_per_sop(
        self,
        status: str | None = None,
        court: str | None = None,
        *,
        unnamed: bool = False,
        performed: bool = False,
    ) -> dict[str, Row]:
        """The newest execution of each SOP (optionally only those with `status`, only
        those of one court, or with `unnamed` only those without a court name; `court`
        None alone: every court; with `performed` only real runs of the whole SOP, as
        `performs_sop`): one index seek per SOP, not a scan of the whole history."""
        newest = "SELECT max(newer.id) FROM executions AS newer WHERE newer.sop_id = sops.value"
        if status:
            newest += " AND newer.status = :status"
        if unnamed:
            newest += " AND newer.court_name IS NULL"
        elif court is not None:
            newest += " AND newer.court_name = :court"
        if performed:
            newest += f" AND {performs_sop_sql('newer.')}"
        query = (
            f"SELECT * FROM executions WHERE id IN (SELECT ({newest}) "  # noqa: S608 (fixed SQL)
            f"FROM ({distinct_values('sop_id')}) AS sops)"
        )
        params = {
            "status": status or None,
            "court": None if unnamed else court,
            "no": False if performed else None,
        }
        with self.db.transaction() as tx:
            rows = tx.rows(query, {k: v for k, v in params.items() if v is not None})
        return {r["sop_id"]: r for r in rows}

    def courts(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[str | None]:
        """The courts with recorded executions (None: executions without a court_name)."""
        if since is None and until is None:
            with self.db.transaction() as tx:
                named = tx.scalars(distinct_values("court_name"))
                unnamed = tx.scalars("SELECT id FROM executions WHERE court_name IS NULL LIMIT 1")
            return ([None] if unnamed else []) + sorted(named)
        clause, params = where(EXECUTION_FILTERS, since=since, until=until)
        with self.db.transaction() as tx:
            names = tx.scalars(f"SELECT DISTINCT court_name FROM executions{clause}", params)  # noqa: S608 (fixed SQL)
        return sorted(names, key=lambda name: (name is not None, name or ""))

    def month_counts(
        self, since: datetime, until: datetime
    ) -> dict[tuple[str | None, str | None, str], dict[str, int]]:
        """(court name, kode satker, SOP) -> status -> number of real executions of the
        whole SOP (not dry runs: they perform nothing; not partial runs: they did some
        activities only) started in [since, until)."""
        counts: dict[tuple[str | None, str | None, str], dict[str, int]] = {}
        with self.db.transaction() as tx:
            for row in tx.rows(
                "SELECT court_name, court_kode_satker, sop_id, status, count(*) AS number "  # noqa: S608 (fixed SQL)
                "FROM executions "
                f"WHERE started_at >= :since AND started_at < :until AND {performs_sop_sql()} "
                "GROUP BY court_name, court_kode_satker, sop_id, status",
                {"since": since, "until": until, "no": False},
            ):
                key = (row["court_name"], row["court_kode_satker"], row["sop_id"])
                counts.setdefault(key, {})[row["status"]] = int(row["number"])
        return counts

    def due_records(self, court: str | None = None) -> dict[tuple[str, str | None], DueRecord]:
        """Per (SOP, court): its newest successful execution and when it was first
        started, counting real runs of the whole SOP only (check mode performs nothing, a
        partial run some activities). Two index seeks per SOP and court (schema v3, v6),
        so a regional store's history is not scanned."""
        courts = "SELECT :court AS value" if court is not None else distinct_values("court_name")
        same = (
            "run.sop_id = sops.value AND run.court_name = courts.value "
            f"AND {performs_sop_sql('run.')}"
        )
        pairs = (
            "SELECT sops.value AS sop_id, courts.value AS court_name, "  # noqa: S608 (fixed SQL)
            f"(SELECT max(run.id) FROM executions AS run WHERE {same} "
            "AND run.status = 'successful') AS last_ok, "
            f"(SELECT min(run.started_at) FROM executions AS run WHERE {same}) AS started_at "
            f"FROM ({distinct_values('sop_id')}) AS sops CROSS JOIN ({courts}) AS courts"
        )
        unnamed = (
            "SELECT sop_id, court_name, "  # noqa: S608 (fixed SQL)
            "max(CASE WHEN status = 'successful' THEN id END) AS last_ok, "
            "min(started_at) AS started_at FROM executions "
            f"WHERE court_name IS NULL AND {performs_sop_sql()} "
            "GROUP BY sop_id, court_name"
        )
        params = {"no": False, **({"court": court} if court is not None else {})}
        found: dict[tuple[str, str | None], tuple[datetime, int | None]] = {}
        with self.db.transaction() as tx:
            for query in (pairs, unnamed) if court is None else (pairs,):
                for row in tx.rows(query, params):
                    if row["started_at"] is not None:
                        found[(row["sop_id"], row["court_name"])] = (
                            row["started_at"],
                            row["last_ok"],
                        )
            wanted = [last_ok for _, last_ok in found.values() if last_ok is not None]
            ids, id_params = in_list("id", wanted)
            started = {
                row["id"]: row["started_at"]
                for row in tx.rows(
                    f"SELECT id, started_at FROM executions WHERE id IN {ids}",  # noqa: S608
                    id_params,
                )
            }
        return {
            key: DueRecord(first, None if last_ok is None else (last_ok, started[last_ok]))
            for key, (first, last_ok) in found.items()
        }

    # -- installed timers -------------------------------------------------------------
    def set_schedules(self, court: str | None, sop_ids: Sequence[str]) -> None:
        """Record that this controller's timers now run `sop_ids` at `court` (`sop
        schedule install`; none: `sop schedule remove`): a timer it did not have is
        installed now, one it no longer has (another SOP or court) removed now, one it
        keeps keeps the time it was first installed."""
        hostname = socket.gethostname()
        at = now()
        with self.db.transaction(write=True) as tx:
            kept: set[str] = set()
            for row in tx.rows(
                "SELECT id, court_name, sop_id FROM schedules "
                "WHERE hostname = :hostname AND removed_at IS NULL ORDER BY id",
                {"hostname": hostname},
            ):
                same = row["court_name"] == court and row["sop_id"] in sop_ids
                if same and row["sop_id"] not in kept:
                    kept.add(row["sop_id"])
                    continue
                tx.update("schedules", {"removed_at": at}, "id = :key_id", key_id=row["id"])
            tx.insert_many(
                "schedules",
                [
                    {"hostname": hostname, "court_name": court, "sop_id": sop_id,
                     "installed_at": at}
                    for sop_id in dict.fromkeys(sop_ids) if sop_id not in kept
                ],
            )  # fmt: skip

    def scheduled_since(self, court: str | None = None) -> dict[tuple[str, str | None], datetime]:
        """Per (SOP, court) whose timer is installed on a controller: since when (the
        earliest install of those still installed); `court`: that court's only."""
        clause = "" if court is None else " AND court_name = :court"
        with self.db.transaction() as tx:
            rows = tx.rows(
                "SELECT sop_id, court_name, min(installed_at) AS installed_at FROM schedules "  # noqa: S608 (fixed SQL)
                f"WHERE removed_at IS NULL{clause} GROUP BY sop_id, court_name",
                {} if court is None else {"court": court},
            )
        return {(row["sop_id"], row["court_name"]): row["installed_at"] for row in rows}

    # -- manual activities ------------------------------------------------------------
    def acknowledge(self, execution_id: int, number: int, by: str, note: str | None,
                    *, manual_step: bool = False, label: str | None = None) -> Row:
        """Record who carried out a manual activity (its status becomes acknowledged), or,
        with ``manual_step``, the human part of an automated activity (its status, the
        automated result, stays). ``label``: the activity as the refusals name it (the
        document's reference the operator gave, C.3), else its number. A dry run's is
        refused (`_refuse_dry_run`)."""
        with self.db.transaction(write=True) as tx:
            _refuse_dry_run(tx, execution_id, label or str(number))
            self.acknowledge_in(tx, execution_id, number, by, note, manual_step=manual_step,
                                label=label)
        return self.execution(execution_id)

    @staticmethod
    def acknowledge_in(tx: Transaction, execution_id: int, number: int, by: str,
                       note: str | None, *, manual_step: bool = False,
                       label: str | None = None) -> None:
        """`acknowledge` within the caller's writing transaction (with what else must be
        recorded with it, or not at all: an approval)."""
        found = tx.first(
            "SELECT * FROM activity_results WHERE execution_id = :id AND number = :number",
            {"id": execution_id, "number": number},
        )
        shown = label or str(number)
        if found is None:
            raise SopError(f"execution {execution_id} has no recorded activity {shown}")

        def refused(by_first: str) -> SopError:
            return SopError(
                f"activity {shown} of execution {execution_id} was already acknowledged "
                f"by {by_first}"
            )

        if found["acknowledged_by"]:
            raise refused(found["acknowledged_by"])
        if manual_step and found["mode"] == "automated":
            _refuse_unrun_human_part(tx, execution_id, found, shown)
        values: dict[str, Any] = {"acknowledged_by": by, "acknowledged_at": now(),
                                  "note": note}
        if not (manual_step and found["mode"] == "automated"):
            if found["status"] != "pending-manual":
                raise SopError(
                    f"activity {shown} of execution {execution_id} is {found['status']}, "
                    "not a manual step waiting for acknowledgement"
                )
            values["status"] = "acknowledged"
        # The row as it was read is the condition: another `sop ack` or `sop approve`,
        # or the running execution's delegation (Store.delegate, status `delegated`),
        # may have written it since (PostgreSQL does not serialise the two transactions).
        condition = "id = :key_id AND acknowledged_by IS NULL"
        if "status" in values:
            condition += " AND status = 'pending-manual'"
        if tx.update("activity_results", values, condition, key_id=found["id"]) != 1:
            now_row = tx.first(
                "SELECT acknowledged_by, status FROM activity_results WHERE id = :id",
                {"id": found["id"]},
            )
            assert now_row is not None  # rows are never deleted
            if now_row["acknowledged_by"]:
                raise refused(now_row["acknowledged_by"])
            raise SopError(
                f"activity {shown} of execution {execution_id} is {now_row['status']}, "
                "not a manual step waiting for acknowledgement"
            )
