"""The backup computer against a compromised SIPP server: what it pushes (a manifest, a
backup, how it sends them) must not exhaust the backup computer's memory or processes."""

from __future__ import annotations

import json
from pathlib import Path

from loader import load, run_python

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
