# GPL-3.0-or-later
"""The backup computer's own record (ledger) of what arrived and what was verified.

One JSON object per line in ``<store>/ledger.jsonl`` (root, 0600), appended whole or not
at all and fsynced (sop_state.append_json), never rewritten. Only root on the backup
computer writes it: the SIPP server's push key cannot reach it. Events: ``ingested``
(name, sha256 and size computed here, the sha256 the SIPP server reported, the
manifest's name and sha256), ``verified`` (status ok or failed, reason, method),
``pruned``, ``rejected``, ``discarded`` (files in the incoming directory that were never
asked for). Retention on the backup computer reads only this.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

from ansible.module_utils.sop_clock import parse_moment
from ansible.module_utils.sop_state import append_json

LEDGER_NAME = "ledger.jsonl"


def now_iso() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def append(path: str, event: str, **fields: Any) -> dict[str, Any]:
    """Append one event (with the time) as a whole line and fsync it (sop_state's
    append_json: after a torn line it starts a new one; a line that cannot be written
    whole is taken back and the OSError raised); returns the entry."""
    entry = {"at": now_iso(), "event": event, **fields}
    append_json(path, entry)
    return entry


def record_verified(ledger: str, path: str, sha256: str | None,
                    record: dict[str, Any]) -> str | None:
    """Append the ``verified`` event of the backup at ``path``; None, or the one-line
    reason it could not be recorded (the ledger's disk full: the backup stays unverified,
    as retention trusts only this record)."""
    try:
        append(ledger, "verified", name=os.path.basename(path), sha256=sha256, **record)
    except OSError as exc:
        return (f"cannot record the verification of {path} in {ledger}: "
                f"{exc.strerror or exc} (it stays unverified)")
    return None


def read(path: str) -> list[dict[str, Any]]:
    """Every event; a line that is no JSON object (torn by a crash mid-append, or damaged
    into bytes that are no UTF-8) is ignored."""
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except FileNotFoundError:
        return []
    events = []
    for line in lines:
        try:
            entry = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            continue
        if isinstance(entry, dict):
            events.append(entry)
    return events


def backups(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Backups currently in the store: name -> what the ledger knows of it, in the order
    they were taken in (retention's newest is the last, whatever the clock said).

    ``ingested_at`` is the line's time as written: ``None`` when a line lacks it (written
    by hand or by an older tool); ``parse_time`` tells whether it can be read."""
    state: dict[str, dict[str, Any]] = {}
    for entry in events:
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        if entry.get("event") == "ingested":
            state[name] = {"name": name, "sha256": entry.get("sha256"), "size": entry.get("size"),
                           "manifest": entry.get("manifest"), "ingested_at": entry.get("at"),
                           "verified": False, "verification": {"status": "pending"}}
        elif entry.get("event") == "verified" and name in state:
            if entry.get("sha256") == state[name]["sha256"]:
                state[name]["verified"] = entry.get("status") == "ok"
                # the verification record as the verify step returned it
                state[name]["verification"] = {k: v for k, v in entry.items()
                                               if k not in ("at", "event", "name", "sha256")}
        elif entry.get("event") == "pruned":
            state.pop(name, None)
    return state


def parse_time(value: Any) -> datetime.datetime | None:
    """A ledger time as a naive local datetime (for retention buckets); one without a
    zone is this computer's local time, as the ledger writes it; a missing or unreadable
    one is None (the backup's age is unknown: retention keeps it)."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_moment(value)
    except ValueError:
        return None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
