"""The append-only push: the receiver (the push key's forced command), the backup
computer's ingest into its own store, and its record (ledger)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from loader import load

ROOT = Path(__file__).resolve().parents[2]
RECEIVE = ROOT / "roles/sipp_backup/files/sop-backup-receive"
ingest = load("backup_ingest")
ledger = load("sop_backup_ledger")
NAME = "sipp-20261121T020000.sql.zst"


def receive(incoming: Path, command: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, SSH_ORIGINAL_COMMAND=command)
    return subprocess.run([sys.executable, str(RECEIVE), str(incoming)], input=data, env=env,
                          capture_output=True, check=False)


def put(incoming: Path, name: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    return receive(incoming, f"put {name} {len(data)} {hashlib.sha256(data).hexdigest()}", data)


def test_put_creates_a_new_file_only(tmp_path) -> None:
    assert put(tmp_path, NAME, b"backup").returncode == 0
    assert (tmp_path / NAME).read_bytes() == b"backup"
    again = put(tmp_path, NAME, b"overwrite")
    assert again.returncode == 1 and b"exists (files are never overwritten)" in again.stderr
    assert (tmp_path / NAME).read_bytes() == b"backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]


@pytest.mark.parametrize("command", ["rm -rf /", "delete x", "rename a b", "list", "", "put",
                                     "put a 1", f"put {NAME} 1 abc",
                                     f"put ../{NAME} 1 {'0' * 64}", f"put .x 1 {'0' * 64}",
                                     f"put {NAME}.partial 1 {'0' * 64}"])
def test_everything_else_is_refused_with_one_line(tmp_path, command: str) -> None:
    proc = receive(tmp_path, command, b"x")
    assert proc.returncode == 1
    assert proc.stderr.decode().count("\n") == 1 and b"refused" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_or_short_transfer_leaves_nothing(tmp_path) -> None:
    digest = hashlib.sha256(b"backup").hexdigest()
    for data in (b"backu", b"backup!", b"BACKUP"):
        proc = receive(tmp_path, f"put {NAME} 6 {digest}", data)
        assert proc.returncode == 1 and b"announced 6 bytes" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_running_or_interrupted_push_blocks_the_same_name(tmp_path) -> None:
    (tmp_path / f"{NAME}.partial").write_bytes(b"half")
    proc = put(tmp_path, NAME, b"backup")
    assert proc.returncode == 1 and b"another push" in proc.stderr
    assert (tmp_path / f"{NAME}.partial").read_bytes() == b"half"


def test_a_flood_is_refused(tmp_path) -> None:
    for index in range(32):
        assert put(tmp_path, f"junk-{index}", b"x").returncode == 0
    proc = put(tmp_path, NAME, b"backup")
    assert proc.returncode == 1 and b"files already wait" in proc.stderr


def reported(data: bytes, name: str) -> dict:
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_ingest_checks_what_arrived_against_what_was_reported(tmp_path) -> None:
    incoming, store = tmp_path / "in", tmp_path / "store"
    incoming.mkdir()
    store.mkdir(mode=0o700)
    record = str(store / ledger.LEDGER_NAME)
    (incoming / NAME).write_bytes(b"tampered")
    with pytest.raises(ingest.IngestFailed, match="does not match"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert list(store.iterdir()) == []  # removed
    (incoming / NAME).write_bytes(b"backup")
    digest = ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert digest == hashlib.sha256(b"backup").hexdigest()
    assert (store / NAME).stat().st_mode & 0o777 == 0o600 and not (incoming / NAME).exists()
    (incoming / NAME).write_bytes(b"backup")
    with pytest.raises(ingest.IngestFailed, match="exists and is not in the record"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    os.symlink("/etc/passwd", incoming / "sipp-20261122T020000.sql.zst")
    with pytest.raises(ingest.IngestFailed, match=r"sipp-20261122T020000\.sql\.zst in"):
        ingest.take(str(incoming), str(store), reported(b"x", "sipp-20261122T020000.sql.zst"))
    # unrequested files: only exactly this prefix's, removed once stale
    (incoming / "sipp-test-20261121T020000.sql.zst").write_bytes(b"other prefix")
    found = ingest.sweep(str(incoming), "sipp", set(), 0, dry=False, ledger=record)
    assert found == [NAME, "sipp-20261122T020000.sql.zst"]
    assert sorted(p.name for p in incoming.iterdir()) == ["sipp-test-20261121T020000.sql.zst"]
    assert [e["event"] for e in ledger.read(record)] == ["discarded", "discarded"]


def test_ledger_is_the_only_truth(tmp_path) -> None:
    record = str(tmp_path / "ledger.jsonl")
    ledger.append(record, "ingested", name=NAME, sha256="a", size=1, manifest="m")
    ledger.append(record, "verified", name=NAME, sha256="other", status="ok")  # not this file
    assert ledger.backups(ledger.read(record))[NAME]["verified"] is False
    ledger.append(record, "verified", name=NAME, sha256="a", status="ok")
    with open(record, "a", encoding="utf-8") as handle:
        handle.write('{"event": "verified", "name": "torn')  # a crash mid-append
    state = ledger.backups(ledger.read(record))
    assert state[NAME]["verified"] is True
    assert state[NAME]["verification"] == {"status": "ok"}  # as the verify step returned it
    ledger.append(record, "pruned", name=NAME, reason="outside keep rules")
    assert ledger.backups(ledger.read(record)) == {}
    lines = Path(record).read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["at"] for line in lines[-1:])  # a new line after the torn one
