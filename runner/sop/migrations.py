"""Versioned schema: ordered migration functions, recorded in `schema_migrations`.

Add a migration by appending a function to MIGRATIONS; never edit an applied one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select

from sop import tables
from sop.errors import ExitCode, SopError


def _v1_initial(conn: Connection) -> None:
    for table in (tables.executions, tables.activity_results, tables.host_stats):
        table.create(conn)


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("initial schema", _v1_initial),
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(tables.schema_migrations.name):
        return 0
    versions = conn.scalars(select(tables.schema_migrations.c.version)).all()
    return max(versions, default=0)


def migrate(conn: Connection) -> int:
    """Apply the pending migrations in order; the schema version afterwards."""
    tables.schema_migrations.create(conn, checkfirst=True)
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SopError(
            f"the database schema is version {version}, newer than this sop "
            f"(knows {SCHEMA_VERSION}): upgrade sop",
            ExitCode.INTERNAL,
        )
    for number, (name, apply) in enumerate(MIGRATIONS[version:], start=version + 1):
        apply(conn)
        conn.execute(
            tables.schema_migrations.insert().values(
                version=number, name=name, applied_at=datetime.now(UTC)
            )
        )
    return SCHEMA_VERSION
