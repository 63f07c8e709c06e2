"""The backup computer against a compromised SIPP server: what it pushes (a manifest, a
backup, how it sends them) must not exhaust the backup computer's memory or processes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from loader import load, run_module, run_python

files = load("sop_backup_files")


def test_a_manifest_of_many_small_values_is_unreadable_not_a_memory_flood(
        tmp_path: Path) -> None:
    """A pushed manifest within MANIFEST_MAX of empty lists ("[]," 3 bytes each, 56 in
    memory and more) took 1.4 GiB of the root process reading it on the backup computer
    (the verify-restore, before its lock): one of more than MANIFEST_VALUES values is
    unreadable, as a larger one is."""
    path = tmp_path / "sipp-20261121T020000.sql.zst.manifest.json"
    count = (files.MANIFEST_MAX - 100) // 3
    path.write_bytes(b'{"tables": {"t": {"rows": 1}}, "x": [' + b"[]," * (count - 1)
                     + b"[]]}")
    proc = run_python("from ansible.module_utils.sop_backup_files import read_manifest\n"
                      f"print(read_manifest({str(path)!r}) is None)\n"
                      "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n")
    assert proc.returncode == 0, proc.stderr
    unreadable, peak = proc.stdout.split()
    assert unreadable == "True"
    assert int(peak) < 400 << 10  # KiB: the file read (64 MiB), no parse of it


def test_a_manifest_of_a_large_real_database_is_read(tmp_path: Path) -> None:
    """MANIFEST_VALUES is far above what a dump writes: 20000 tables and 5000 objects."""
    manifest = {"tables": {f"t{i}": {"rows": i, "checksum": str(i), "structure": "0" * 32}
                           for i in range(20000)},
                "objects": {f"view:v{i}": "0" * 32 for i in range(5000)}, "verified": True}
    path = tmp_path / "sipp-20261121T020000.sql.zst.manifest.json"
    path.write_text(json.dumps(manifest, indent=2))
    assert files.read_manifest(str(path)) == manifest


RECEIVE = Path(__file__).resolve().parents[2] / "roles/sipp_backup/files/sop-backup-receive"
NAME = "sipp-20261121T020000.sql.zst"


def reported(data: bytes, name: str) -> dict[str, Any]:
    """A pushed file as the SIPP server reports it to the ingest."""
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def test_a_push_that_stops_sending_is_stopped_and_leaves_nothing(tmp_path: Path) -> None:
    """A push key that announced a backup, sent part of it and kept the connection open
    without sending more held its receiver (and sshd's processes) for ever; its partial
    file stopped counting among the in-tray's waiting files after an hour, so such pushes
    piled up without bound. One that receives nothing for STALL seconds (1 here) is
    refused in one line and leaves nothing."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    data = b"x" * 1000
    driver = ("import importlib.machinery, importlib.util, sys\n"
              f"loader = importlib.machinery.SourceFileLoader('receive', {str(RECEIVE)!r})\n"
              "module = importlib.util.module_from_spec("
              "importlib.util.spec_from_loader('receive', loader))\n"
              "loader.exec_module(module)\n"
              "module.STALL = 1\n"
              f"sys.argv = ['sop-backup-receive', {str(incoming)!r}]\n"
              "module.main()\n")
    env = dict(os.environ, SSH_ORIGINAL_COMMAND=(
        f"put {NAME} {len(data)} {hashlib.sha256(data).hexdigest()}"))
    proc = subprocess.Popen([sys.executable, "-c", driver], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stderr is not None
    try:
        proc.stdin.write(data[:400])
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.write(data[400:600])  # a trickle is no stall
        proc.stdin.flush()
        proc.wait(timeout=30)  # stdin stays open (communicate would close it)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
    assert proc.returncode == 1
    assert proc.stderr.read().decode() == (
        f"sop-backup-receive: refused: {NAME}: no byte arrived for 1 s, after 600 of 1000 "
        "bytes (a stalled push is stopped)\n")
    assert os.listdir(incoming) == []


@pytest.mark.parametrize("fifo", [NAME, f"{NAME}.manifest.json"])
def test_a_fifo_at_a_pushed_name_is_refused_not_waited_for(tmp_path: Path, fifo: str) -> None:
    """Anything of the push account but the receiver (a key line without its forced
    command, one of its processes) can put a FIFO at a pushed name: the ingest opened it
    as root and waited for a writer for ever, holding the store's lock, so every later
    ingest of that store waited too. It is refused in one line, and the store keeps
    nothing of the backup."""
    incoming, store = tmp_path / "in", tmp_path / "store"
    incoming.mkdir()
    store.mkdir(mode=0o700)
    for name, data in ((f"{NAME}.manifest.json", b"{}"), (NAME, b"backup")):
        if name == fifo:
            os.mkfifo(incoming / name)
        else:
            (incoming / name).write_bytes(data)
    code, result = run_module("backup_ingest", tmp_path, {
        "incoming": str(incoming), "store": str(store), "prefix": "sipp",
        "backup": reported(b"backup", NAME),
        "manifest": reported(b"{}", f"{NAME}.manifest.json")}, seconds=30)
    assert code == 1
    assert result["msg"] == f"ingest failed: {fifo} in {incoming} is not a plain file (refused)"
    assert sorted(os.listdir(store)) == [".ingest.lock", "ledger.jsonl"]
