"""The store's tables (SQLAlchemy Core) as the LAST migration leaves them: the store
reads and writes through these; migrations.py spells out its own DDL (frozen)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

executions = Table(
    "executions",
    metadata,
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
    Column("check_mode", Boolean, nullable=False, default=False),
    Column("extra_var_names", JSON, nullable=False, default=list),
    Column("hosts", JSON, nullable=False, default=list),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ended_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False, index=True),
    Column("rc", Integer),
    Column("error", Text),
    Column("pid", Integer, nullable=False),
    Column("pid_start", String(40)),
    Column("hostname", String(255), nullable=False),
    Column("artifact_dir", Text),
    # v2: the ansible-playbook process (from its first event)
    Column("playbook_pid", Integer),
    Column("playbook_pid_start", String(40)),
    # v3: a regional store's queries (one court by time; overdue per SOP and court)
    Index("ix_executions_court_started", "court_name", "started_at"),
    Index("ix_executions_due_success", "sop_id", "court_name", "status", "check_mode", "id"),
    Index("ix_executions_due_first", "sop_id", "court_name", "check_mode", "started_at"),
)

activity_results = Table(
    "activity_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "execution_id",
        Integer,
        ForeignKey("executions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", Integer, nullable=False),
    Column("ref", String(20), nullable=False, default=""),
    Column("kegiatan", Text, nullable=False),
    Column("pelaksana", JSON, nullable=False, default=list),
    Column("mode", String(20), nullable=False),
    Column("tag", String(100)),
    Column("status", String(20), nullable=False),
    Column("hosts", JSON, nullable=False, default=list),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("duration_s", Float),
    Column("limit_s", Integer),
    Column("over_time", Boolean),
    Column("outputs", JSON, nullable=False, default=list),
    Column("acknowledged_by", String(200)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("note", Text),
)

host_stats = Table(
    "host_stats",
    metadata,
    Column(
        "execution_id",
        Integer,
        ForeignKey("executions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("host", String(255), primary_key=True),
    Column("ok", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("unreachable", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("rescued", Integer, nullable=False, default=0),
    Column("ignored", Integer, nullable=False, default=0),
)

# v4: what was notified (sop.notify), one row per court ("" when none), SOP and kind
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("court_name", Text, nullable=False),
    Column("sop_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(20), nullable=False),  # sent, failed (delivery), resolved
    Column("execution_id", Integer),
    Column("attempts", Integer, nullable=False),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("error", Text),
    UniqueConstraint("court_name", "sop_id", "kind", name="uq_notifications_key"),
)
