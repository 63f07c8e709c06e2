"""Versioned schema: ordered migrations, recorded in `schema_migrations`.

Each migration is frozen: it spells out its own DDL and never reads `tables.py` (which
describes the schema after the LAST migration), so a later column cannot rewrite what an
earlier version created. Change the schema by appending a migration and updating
`tables.py` to match; never edit an applied one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

from sop import tables
from sop.errors import ExitCode, SopError


def _v1_initial(conn: Connection) -> None:
    """executions, activity_results, host_stats as sop 0.1.0 created them."""
    v1 = MetaData()
    Table(
        "executions",
        v1,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("sop_id", String(64), nullable=False, index=True),
        Column("sop_title", Text, nullable=False),
        Column("sop_number", Text, nullable=False),
        Column("catalogue_version", String(32), nullable=False),
        Column("catalogue_hash", String(64), nullable=False),
        Column("operator", String(200), nullable=False),
        Column("trigger", String(20), nullable=False),
        Column("court_name", Text),
        Column("court_kode_satker", String(40)),
        Column("inventory", Text),
        Column("limit_pattern", Text),
        Column("check_mode", Boolean, nullable=False),
        Column("extra_var_names", JSON, nullable=False),
        Column("hosts", JSON, nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False, index=True),
        Column("ended_at", DateTime(timezone=True)),
        Column("status", String(20), nullable=False, index=True),
        Column("rc", Integer),
        Column("error", Text),
        Column("pid", Integer, nullable=False),
        Column("pid_start", String(40)),
        Column("hostname", String(255), nullable=False),
        Column("artifact_dir", Text),
    )
    Table(
        "activity_results",
        v1,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "execution_id",
            Integer,
            ForeignKey("executions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("number", Integer, nullable=False),
        Column("ref", String(20), nullable=False),
        Column("kegiatan", Text, nullable=False),
        Column("pelaksana", JSON, nullable=False),
        Column("mode", String(20), nullable=False),
        Column("tag", String(100)),
        Column("status", String(20), nullable=False),
        Column("hosts", JSON, nullable=False),
        Column("started_at", DateTime(timezone=True)),
        Column("ended_at", DateTime(timezone=True)),
        Column("duration_s", Float),
        Column("limit_s", Integer),
        Column("over_time", Boolean),
        Column("outputs", JSON, nullable=False),
        Column("acknowledged_by", String(200)),
        Column("acknowledged_at", DateTime(timezone=True)),
        Column("note", Text),
    )
    Table(
        "host_stats",
        v1,
        Column(
            "execution_id",
            Integer,
            ForeignKey("executions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("host", String(255), primary_key=True),
        *(
            Column(name, Integer, nullable=False)
            for name in (
                "ok",
                "changed",
                "failures",
                "unreachable",
                "skipped",
                "rescued",
                "ignored",
            )
        ),
    )
    v1.create_all(conn)


def _v2_playbook_process(conn: Connection) -> None:
    """The ansible-playbook process of an execution (pid + start time), so an orphan
    left by a killed `sop` is found and waited for."""
    conn.execute(text("ALTER TABLE executions ADD COLUMN playbook_pid INTEGER"))
    conn.execute(text("ALTER TABLE executions ADD COLUMN playbook_pid_start VARCHAR(40)"))


def _v3_court_indexes(conn: Connection) -> None:
    """Indexes for a regional store (many courts): one court's executions by time (its
    report, `history --court`), and per SOP and court the newest success and the first
    run (`sop list`, `sop overdue`) read from the index alone."""
    for statement in (
        "CREATE INDEX ix_executions_court_started ON executions (court_name, started_at)",
        "CREATE INDEX ix_executions_due_success "
        "ON executions (sop_id, court_name, status, check_mode, id)",
        "CREATE INDEX ix_executions_due_first "
        "ON executions (sop_id, court_name, check_mode, started_at)",
    ):
        conn.execute(text(statement))


def _v4_notifications(conn: Connection) -> None:
    """What was notified per court, SOP and kind (sop.notify): a problem is told once
    until its fingerprint changes or it resolves; a failed delivery is kept and retried."""
    v4 = MetaData()
    Table(
        "notifications",
        v4,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("court_name", Text, nullable=False),
        Column("sop_id", String(64), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("state", String(20), nullable=False),
        Column("execution_id", Integer),
        Column("attempts", Integer, nullable=False),
        Column("first_at", DateTime(timezone=True), nullable=False),
        Column("last_at", DateTime(timezone=True), nullable=False),
        Column("error", Text),
        UniqueConstraint("court_name", "sop_id", "kind", name="uq_notifications_key"),
    ).create(conn)



def _v5_approvals_incidents(conn: Connection) -> None:
    """Approvals of an execution's plan (sop approve) and server incidents (sop incident)."""
    v5 = MetaData()
    Table(
        "approvals",
        v5,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("execution_id", Integer, nullable=False, index=True),
        Column("sop_id", String(64), nullable=False, index=True),
        Column("court_name", Text),
        Column("hosts", JSON, nullable=False),
        Column("approved_by", String(200), nullable=False),
        Column("role", String(100), nullable=False),
        Column("note", Text),
        Column("approved_at", DateTime(timezone=True), nullable=False),
        Column("valid_until", DateTime(timezone=True), nullable=False),
    ).create(conn)
    Table(
        "incidents",
        v5,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("court_name", Text),
        Column("host", String(255), nullable=False, index=True),
        Column("summary", Text, nullable=False),
        Column("reported_by", String(200), nullable=False),
        Column("opened_at", DateTime(timezone=True), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("closed_at", DateTime(timezone=True)),
        Column("closed_by", String(200)),
        Column("resolution", Text),
    ).create(conn)


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("initial schema", _v1_initial),
    ("ansible-playbook process of an execution", _v2_playbook_process),
    ("indexes for many courts", _v3_court_indexes),
    ("notifications", _v4_notifications),
    ("approvals and server incidents", _v5_approvals_incidents),
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(tables.schema_migrations.name):
        return 0
    versions = conn.scalars(select(tables.schema_migrations.c.version)).all()
    return max(versions, default=0)


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the pending migrations up to `target` in order; the schema version afterwards."""
    tables.schema_migrations.create(conn, checkfirst=True)
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SopError(
            f"the database schema is version {version}, newer than this sop "
            f"(knows {SCHEMA_VERSION}): upgrade sop",
            ExitCode.INTERNAL,
        )
    for number, (name, apply) in enumerate(MIGRATIONS[version:target], start=version + 1):
        apply(conn)
        conn.execute(
            tables.schema_migrations.insert().values(
                version=number, name=name, applied_at=datetime.now(UTC)
            )
        )
    return max(version, target)
