"""A backup computer's store as the SOPs leave it, for the tests: backups taken in by its
record (ledger.jsonl) as backup_ingest takes them in, and verified or not."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ansible.module_utils import sop_backup_ledger as ledger


def stored(store: Path, name: str, status: str | None = "ok", reason: str = "",
           data: bytes | None = None) -> None:
    """``name`` (content ``data``, else its name) and its manifest in ``store``, taken in
    by the record as the ingest does (size, SHA-256, stamp), and verified with ``status``
    (None: no verification recorded yet)."""
    store.mkdir(exist_ok=True)
    body = data if data is not None else name.encode()
    (store / name).write_bytes(body)
    (store / f"{name}.manifest.json").write_text("{}")
    record = str(store / ledger.LEDGER_NAME)
    sha256 = hashlib.sha256(body).hexdigest()
    ledger.append(record, "ingested", name=name, sha256=sha256, size=len(body),
                  manifest=f"{name}.manifest.json",
                  manifest_sha256=hashlib.sha256(b"{}").hexdigest(),
                  **ledger.stamp(os.lstat(store / name)))
    if status is not None:
        ledger.append(record, "verified", name=name, sha256=sha256, status=status,
                      reason=reason)
