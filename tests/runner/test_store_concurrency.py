"""Several `sop` processes opening one store at once: the first migration, an upgrade."""

from __future__ import annotations

import threading

import pytest

from sop.db import Database
from sop.errors import SopError
from sop.migrations import SCHEMA_VERSION, migrate
from sop.store import Store

PROCESSES = 6


def _open_at_once(url: str) -> list[str]:
    """Open the store from PROCESSES threads released together; their errors. Every
    exception is recorded, not only a SopError: one raised in a thread is only printed
    (a warning to pytest), so a command crashing on another's migration, or an assert
    here, passed unseen."""
    barrier = threading.Barrier(PROCESSES)
    errors: list[str] = []

    def open_store() -> None:
        barrier.wait()
        try:
            store = Store(url)
            version = store.schema_version
            store.close()
        except SopError as exc:
            errors.append(str(exc))
            return
        except Exception as exc:  # a crash is what this test looks for
            errors.append(f"{type(exc).__name__}: {exc}")
            return
        if version != SCHEMA_VERSION:
            errors.append(f"opened at schema version {version}, not {SCHEMA_VERSION}")

    threads = [threading.Thread(target=open_store) for _ in range(PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("version", [0, 4], ids=["new", "upgrade"])
def test_commands_opening_a_store_to_migrate_at_once_all_open_it(
    store_url: str, version: int
) -> None:
    """Timers of several SOPs fire at the same minute on a controller whose store is new
    or older than this sop: every `sop` migrates it or finds it migrated, none fails."""
    if version:
        database = Database(store_url)
        migrate(database, target=version)
        database.close()
    assert _open_at_once(store_url) == []
    store = Store(store_url)
    with store.db.transaction() as tx:
        versions = tx.scalars("SELECT version FROM schema_migrations ORDER BY version")
    store.close()
    assert versions == list(range(1, SCHEMA_VERSION + 1))
