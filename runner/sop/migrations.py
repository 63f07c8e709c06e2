"""Versioned schema: ordered migrations, recorded in `schema_migrations`.

Each migration is frozen SQL: the statements below, written once with two type words
that differ between the dialects ({serial}: an integer key the database numbers,
{timestamptz}: a time with its zone), the very DDL SQLAlchemy emitted for them when the
store was built on it (tests/runner/test_store_compat.py compares the schemas). Nothing
here is derived from the code that reads and writes the tables, so a later column
cannot rewrite what an earlier version created. Change the schema by appending a
migration (and naming its columns in `db.py` when they hold datetimes, JSON or
booleans); never edit an applied one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sop.db import Database, Transaction
from sop.errors import ExitCode, SopError

TYPES = {
    "sqlite": {"serial": "INTEGER", "timestamptz": "DATETIME"},
    "postgresql": {"serial": "SERIAL", "timestamptz": "TIMESTAMP WITH TIME ZONE"},
}

SCHEMA_MIGRATIONS = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version {serial} NOT NULL,
    name VARCHAR(100) NOT NULL,
    applied_at {timestamptz} NOT NULL,
    PRIMARY KEY (version)
)"""

# executions, activity_results, host_stats as sop 0.1.0 created them.
V1_INITIAL = (
    """CREATE TABLE executions (
    id {serial} NOT NULL,
    sop_id VARCHAR(64) NOT NULL,
    sop_title TEXT NOT NULL,
    sop_number TEXT NOT NULL,
    catalogue_version VARCHAR(32) NOT NULL,
    catalogue_hash VARCHAR(64) NOT NULL,
    operator VARCHAR(200) NOT NULL,
    "trigger" VARCHAR(20) NOT NULL,
    court_name TEXT,
    court_kode_satker VARCHAR(40),
    inventory TEXT,
    limit_pattern TEXT,
    check_mode BOOLEAN NOT NULL,
    extra_var_names JSON NOT NULL,
    hosts JSON NOT NULL,
    started_at {timestamptz} NOT NULL,
    ended_at {timestamptz},
    status VARCHAR(20) NOT NULL,
    rc INTEGER,
    error TEXT,
    pid INTEGER NOT NULL,
    pid_start VARCHAR(40),
    hostname VARCHAR(255) NOT NULL,
    artifact_dir TEXT,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_executions_started_at ON executions (started_at)",
    "CREATE INDEX ix_executions_status ON executions (status)",
    "CREATE INDEX ix_executions_sop_id ON executions (sop_id)",
    """CREATE TABLE activity_results (
    id {serial} NOT NULL,
    execution_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    ref VARCHAR(20) NOT NULL,
    kegiatan TEXT NOT NULL,
    pelaksana JSON NOT NULL,
    mode VARCHAR(20) NOT NULL,
    tag VARCHAR(100),
    status VARCHAR(20) NOT NULL,
    hosts JSON NOT NULL,
    started_at {timestamptz},
    ended_at {timestamptz},
    duration_s FLOAT,
    limit_s INTEGER,
    over_time BOOLEAN,
    outputs JSON NOT NULL,
    acknowledged_by VARCHAR(200),
    acknowledged_at {timestamptz},
    note TEXT,
    PRIMARY KEY (id),
    FOREIGN KEY(execution_id) REFERENCES executions (id) ON DELETE CASCADE
)""",
    "CREATE INDEX ix_activity_results_execution_id ON activity_results (execution_id)",
    """CREATE TABLE host_stats (
    execution_id INTEGER NOT NULL,
    host VARCHAR(255) NOT NULL,
    ok INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    unreachable INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    rescued INTEGER NOT NULL,
    ignored INTEGER NOT NULL,
    PRIMARY KEY (execution_id, host),
    FOREIGN KEY(execution_id) REFERENCES executions (id) ON DELETE CASCADE
)""",
)

# The ansible-playbook process of an execution (pid + start time), so an orphan left by
# a killed `sop` is found and waited for.
V2_PLAYBOOK_PROCESS = (
    "ALTER TABLE executions ADD COLUMN playbook_pid INTEGER",
    "ALTER TABLE executions ADD COLUMN playbook_pid_start VARCHAR(40)",
)

# Indexes for a regional store (many courts): one court's executions by time (its
# report, `history --court`), and per SOP and court the newest success and the first run
# (`sop list`, `sop overdue`) read from the index alone.
V3_COURT_INDEXES = (
    "CREATE INDEX ix_executions_court_started ON executions (court_name, started_at)",
    "CREATE INDEX ix_executions_due_success "
    "ON executions (sop_id, court_name, status, check_mode, id)",
    "CREATE INDEX ix_executions_due_first "
    "ON executions (sop_id, court_name, check_mode, started_at)",
)

# What was notified per court, SOP and kind (sop.notify): a problem is told once until
# its fingerprint changes or it resolves; a failed delivery is kept and retried.
V4_NOTIFICATIONS = (
    """CREATE TABLE notifications (
    id {serial} NOT NULL,
    court_name TEXT NOT NULL,
    sop_id VARCHAR(64) NOT NULL,
    kind VARCHAR(20) NOT NULL,
    fingerprint VARCHAR(64) NOT NULL,
    state VARCHAR(20) NOT NULL,
    execution_id INTEGER,
    attempts INTEGER NOT NULL,
    first_at {timestamptz} NOT NULL,
    last_at {timestamptz} NOT NULL,
    error TEXT,
    PRIMARY KEY (id),
    CONSTRAINT uq_notifications_key UNIQUE (court_name, sop_id, kind)
)""",
)

# Approvals of an execution's plan (sop approve) and server incidents (sop incident).
V5_APPROVALS_INCIDENTS = (
    """CREATE TABLE approvals (
    id {serial} NOT NULL,
    execution_id INTEGER NOT NULL,
    sop_id VARCHAR(64) NOT NULL,
    court_name TEXT,
    hosts JSON NOT NULL,
    approved_by VARCHAR(200) NOT NULL,
    role VARCHAR(100) NOT NULL,
    note TEXT,
    approved_at {timestamptz} NOT NULL,
    valid_until {timestamptz} NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_approvals_execution_id ON approvals (execution_id)",
    "CREATE INDEX ix_approvals_sop_id ON approvals (sop_id)",
    """CREATE TABLE incidents (
    id {serial} NOT NULL,
    court_name TEXT,
    host VARCHAR(255) NOT NULL,
    summary TEXT NOT NULL,
    reported_by VARCHAR(200) NOT NULL,
    opened_at {timestamptz} NOT NULL,
    status VARCHAR(20) NOT NULL,
    closed_at {timestamptz},
    closed_by VARCHAR(200),
    resolution TEXT,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_incidents_host ON incidents (host)",
    "CREATE INDEX ix_incidents_status ON incidents (status)",
)

# The activities a run chose (`sop run --activity`: their numbers, "2,3"; NULL: the whole
# SOP). Such a run is not the SOP done: the due indexes hold the column, so the newest
# whole success and the first whole run are still read from the index alone.
V6_PARTIAL_RUNS = (
    "ALTER TABLE executions ADD COLUMN partial VARCHAR(200)",
    "DROP INDEX ix_executions_due_success",
    "DROP INDEX ix_executions_due_first",
    "CREATE INDEX ix_executions_due_success "
    "ON executions (sop_id, court_name, status, check_mode, partial, id)",
    "CREATE INDEX ix_executions_due_first "
    "ON executions (sop_id, court_name, check_mode, partial, started_at)",
)

# The human part of each activity (the catalogue's `manual_step`) as the catalogue had it
# when the execution was created: what `sop ack` and the reports ask of that execution
# whatever the catalogue says later. '' is no human part; NULL, a row recorded before.
V7_HUMAN_PARTS = ("ALTER TABLE activity_results ADD COLUMN manual_step TEXT",)

# The Mutu Baku (seconds) an incident's handling is judged against, as the SOP applied at
# its court when it was opened; NULL: recorded before (or no limit), judged by the
# catalogue's.
V8_INCIDENT_LIMITS = ("ALTER TABLE incidents ADD COLUMN limit_s INTEGER",)

# Whether limit_s is the incident's recorded Mutu Baku (TRUE; limit_s NULL: the SOP set
# no limit, honoured as such), or NULL: recorded before, where a NULL limit_s (no limit
# then, or none recorded before v8) cannot tell and is judged by the catalogue's.
V9_INCIDENT_LIMIT_RECORDED = ("ALTER TABLE incidents ADD COLUMN limit_recorded BOOLEAN",)

# The SOP timers `sop schedule install` enabled, per controller (hostname), court and SOP:
# since when (installed_at) and until when (removed_at, NULL while installed). A SOP whose
# timer is installed falls due from then even if it never ran (`sop overdue`).
V10_SCHEDULES = (
    """CREATE TABLE schedules (
    id {serial} NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    court_name TEXT,
    sop_id VARCHAR(64) NOT NULL,
    installed_at {timestamptz} NOT NULL,
    removed_at {timestamptz},
    PRIMARY KEY (id)
)""",
    "CREATE INDEX ix_schedules_sop_court ON schedules (sop_id, court_name)",
)

# Seconds a run waited for the project's lock while the controller's install held it,
# before it was recorded (flock(1) of its timer's service, and `sop run`'s own): a timer's
# time limit (TimeoutStartSec) counts that wait. NULL: recorded before, or no run started.
V11_LOCK_WAITS = ("ALTER TABLE executions ADD COLUMN lock_wait_s FLOAT",)

# The warnings the hosts returned for an activity's tasks (a module's `module.warn`: a
# backup dumped again by another tool), a JSON list of {"host", "warning"}. NULL:
# recorded before, read as none (a NOT NULL default differs between the dialects).
V12_ACTIVITY_WARNINGS = ("ALTER TABLE activity_results ADD COLUMN warnings JSON",)

# A controller's claim on a notification while it delivers it (sop.notify): until when the
# claim holds and the fingerprint of the news it delivers (NULL: no claim). Of the
# controllers sharing a store, only the one that claimed it sends.
V13_NOTIFICATION_CLAIMS = (
    "ALTER TABLE notifications ADD COLUMN claimed_until {timestamptz}",
    "ALTER TABLE notifications ADD COLUMN claimed_fingerprint VARCHAR(64)",
)

MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("initial schema", V1_INITIAL),
    ("ansible-playbook process of an execution", V2_PLAYBOOK_PROCESS),
    ("indexes for many courts", V3_COURT_INDEXES),
    ("notifications", V4_NOTIFICATIONS),
    ("approvals and server incidents", V5_APPROVALS_INCIDENTS),
    ("partial runs", V6_PARTIAL_RUNS),
    ("human parts of activities", V7_HUMAN_PARTS),
    ("incident limits", V8_INCIDENT_LIMITS),
    ("incident limits recorded", V9_INCIDENT_LIMIT_RECORDED),
    ("installed timers", V10_SCHEDULES),
    ("lock waits", V11_LOCK_WAITS),
    ("activity warnings", V12_ACTIVITY_WARNINGS),
    ("notification claims", V13_NOTIFICATION_CLAIMS),
]
SCHEMA_VERSION = len(MIGRATIONS)
_CREATE_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*)\)", re.DOTALL)
_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (.*)", re.DOTALL)
_VARCHAR = re.compile(r'^\s*"?(\w+)"? VARCHAR\((\d+)\)', re.MULTILINE)


def _column_limits() -> dict[tuple[str, str], int]:
    """(table, column) -> the characters a VARCHAR(n) column holds, read from the
    migrations above: the schema is where the limits are written, once."""
    limits: dict[tuple[str, str], int] = {}
    for _, statements in MIGRATIONS:
        for statement in statements:
            found = _CREATE_TABLE.match(statement) or _ADD_COLUMN.match(statement)
            if found:
                table, columns = found.groups()
                for column, length in _VARCHAR.findall(columns):
                    limits[table, column] = int(length)
    return limits


# PostgreSQL refuses a longer value (SQLite keeps it): what a person gives is checked
# against these before anything is recorded (store.refuse_too_long).
COLUMN_LIMITS = _column_limits()
# The PostgreSQL advisory lock that serialises migrating (signed 64 bits, apart from the
# per-SOP run locks): controllers upgrading one store at once create each table once.
MIGRATION_LOCK_KEY = int.from_bytes(b"sop-migr", "big", signed=True)


def current_version(tx: Transaction) -> int:
    if not tx.has_table("schema_migrations"):
        return 0
    return max(tx.scalars("SELECT version FROM schema_migrations"), default=0)


def _known(version: int) -> int:
    """`version`, unless it is newer than this sop knows (SopError)."""
    if version > SCHEMA_VERSION:
        raise SopError(
            f"the database schema is version {version}, newer than this sop "
            f"(knows {SCHEMA_VERSION}): upgrade sop",
            ExitCode.INTERNAL,
        )
    return version


def migrate(db: Database, target: int = SCHEMA_VERSION) -> int:
    """Apply the pending migrations up to `target` in order, in one transaction; the
    schema version afterwards. An up-to-date store is only read."""
    with db.transaction() as tx:
        version = _known(current_version(tx))
    if version >= target:
        return version
    types = TYPES[db.dialect]
    with db.transaction(write=True) as tx:
        tx.lock(MIGRATION_LOCK_KEY)  # SQLite: BEGIN IMMEDIATE serialises already
        tx.execute(SCHEMA_MIGRATIONS.format(**types))
        # Another process may have migrated meanwhile: a newer sop, past what this one knows.
        version = _known(current_version(tx))
        for number, (name, statements) in enumerate(MIGRATIONS[version:target], start=version + 1):
            for statement in statements:
                tx.execute(statement.format(**types))
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (:version, :name, :applied_at)",
                {"version": number, "name": name, "applied_at": datetime.now(UTC)},
            )
    return max(version, target)
