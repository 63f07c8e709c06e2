"""library/ backup modules: the streaming pipeline, failure clean-up, pure helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.module_utils import basic
from conftest import within
from loader import (
    LOCAL_PLAYBOOK,
    ROOT,
    count_reads,
    load,
    lock_held,
    run_module,
    run_python,
    tmpfs,
    warning_lines,
)

backup = load("mariadb_backup")
verify = load("mariadb_restore_verify")
retention = load("backup_retention")
files = load("sop_backup_files")
manifest_mod = load("backup_manifest")
ledger_mod = load("sop_backup_ledger")
copy_mod = load("backup_copy")

DUMP = ["sh", "-c", "echo '-- header'; i=0; while [ $i -lt 2000 ]; do "
        "echo \"INSERT INTO t VALUES ($i,'row $i');\"; i=$((i+1)); done"]


def no_counts() -> backup.Measurer:
    return backup.Measurer(["false"], "db", [], enabled=False, lock_budget=0)


def expected_stream() -> bytes:
    return subprocess.run(DUMP, capture_output=True, check=True).stdout


@pytest.mark.parametrize("compression", ["zstd", "gzip"])
def test_stream_hashes_while_writing(tmp_path, compression: str) -> None:
    target = tmp_path / f"sipp-20261121T020000.sql.{'zst' if compression == 'zstd' else 'gz'}"
    writer = files.HashingWriter(str(target))
    backup._dump_sql(backup.Pipeline(), [DUMP], backup.compress_argv(compression, None),
                     writer=writer, counters=no_counts())
    writer.commit()
    data = target.read_bytes()
    assert writer.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
    assert writer.size == len(data)
    unpack = load("sop_mariadb").decompress_argv(str(target))
    plain = subprocess.run(unpack, capture_output=True, check=True)
    assert plain.stdout == expected_stream()


def test_killed_dump_fails_and_leaves_nothing(tmp_path) -> None:
    killed = ["sh", "-c", "echo partial; kill -9 $$"]
    pipeline = backup.Pipeline()
    writer = files.HashingWriter(str(tmp_path / "b.sql.zst"))
    with pytest.raises(backup.BackupFailed, match="killed by signal 9"):
        try:
            backup._dump_sql(pipeline, [killed], backup.compress_argv("zstd", None),
                             writer=writer, counters=no_counts())
        except backup.BackupFailed:
            pipeline.kill()
            writer.discard()
            raise
    assert list(tmp_path.iterdir()) == []


def test_failing_dump_reports_its_error(tmp_path) -> None:
    failing = ["sh", "-c", "echo 'mariadb-dump: Got error: 1045: Access denied' >&2; exit 2"]
    writer = files.HashingWriter(str(tmp_path / "b.sql.zst"))
    with pytest.raises(backup.BackupFailed, match=r"exit 2.*Access denied"):
        backup._dump_sql(backup.Pipeline(), [failing], backup.compress_argv("zstd", None),
                         writer=writer, counters=no_counts())
    writer.discard()


def test_a_failed_programs_error_is_read_to_its_end() -> None:
    """The error line is awaited after the program exited (CI once saw `mydumper failed
    (exit 1)` without its CRITICAL line: the reader thread had not read it yet); here the
    line comes from a child that outlives it, so reading too early cannot pass."""
    pipeline = backup.Pipeline()
    proc = pipeline.start(["sh", "-c", "(sleep 0.5; echo 'CRITICAL: cannot dump' >&2) & exit 1"],
                          stdout=subprocess.DEVNULL)
    with pytest.raises(backup.DumperFailed, match=r"^mydumper failed \(exit 1\): CRITICAL"):
        backup._check(proc, pipeline, "mydumper", backup.DumperFailed)


def test_disk_full_is_one_clear_error(tmp_path, monkeypatch) -> None:
    writer = files.HashingWriter(str(tmp_path / "b.sql.zst"))

    def full(_chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer, "write", full)
    pipeline = backup.Pipeline()
    with pytest.raises(backup.BackupFailed, match="No space left on device"):
        backup._dump_sql(pipeline, [DUMP], backup.compress_argv("zstd", None), writer=writer,
                         counters=no_counts())
    pipeline.kill()
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_two_dumps_stream_into_one_file_without_blocking(tmp_path) -> None:
    """The non-transactional tables' dump (here 3 MiB: more than any pipe holds) and
    then the main dump, one after the other, through one compressor."""
    first = ["sh", "-c", "head -c 3145728 /dev/zero | tr '\\0' a; echo"]
    target = tmp_path / "sipp-20261121T020000.sql.zst"
    writer = files.HashingWriter(str(target))
    backup._dump_sql(backup.Pipeline(), [first, DUMP], backup.compress_argv("zstd", None),
                     writer=writer, counters=no_counts())
    writer.commit()
    plain = subprocess.run(["zstd", "-dc", str(target)], capture_output=True, check=True).stdout
    assert plain == b"a" * 3145728 + b"\n" + expected_stream()


def test_remove_stale_only_touches_own_leftovers(tmp_path) -> None:
    (tmp_path / "sipp-20261120T020000.sql.zst.partial").write_bytes(b"x")
    (tmp_path / "sipp-20261120T030000.sql.zst.manifest.json").write_bytes(b"{}")  # orphan
    (tmp_path / ".sipp-mydumper-abc").mkdir()
    (tmp_path / "sipp-20261120T020000.sql.zst").write_bytes(b"keep")
    (tmp_path / "sipp-20261120T020000.sql.zst.manifest.json").write_bytes(b"{}")
    (tmp_path / "other-20261120T020000.sql.zst.partial").write_bytes(b"keep")
    # another prefix's in-progress files in the same directory
    (tmp_path / "sipp-test-20261120T020000.sql.zst.partial").write_bytes(b"keep")
    (tmp_path / "sipp-test-20261120T020000.sql.zst.manifest.json").write_bytes(b"keep")
    (tmp_path / ".sipp-test-mydumper-abc").mkdir()
    removed = backup._remove_stale(str(tmp_path), "sipp")
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".sipp-test-mydumper-abc", "other-20261120T020000.sql.zst.partial",
        "sipp-20261120T020000.sql.zst", "sipp-20261120T020000.sql.zst.manifest.json",
        "sipp-test-20261120T020000.sql.zst.manifest.json",
        "sipp-test-20261120T020000.sql.zst.partial"]


def test_a_dump_never_replaces_the_manifest_of_a_backup_of_the_same_name(tmp_path) -> None:
    """A backup of the same second already there (the clock set back, a forced run):
    the new dump's manifest was written over the good backup's, then its final name was
    refused. The good backup was left with the manifest of a dump that was discarded
    (another sha256, not verified): retention and the copies took it for a bad one."""
    dump = tmp_path / "mariadb-dump"
    dump.write_text("#!/bin/sh\necho '-- a new dump'\n")
    dump.chmod(0o755)
    good = verified_backup(str(tmp_path), "sipp-20261121T020000.sql.zst", b"good")
    before = Path(good + files.MANIFEST_SUFFIX).read_bytes()
    params = {"prefix": "sipp", "database": "sipp", "threads": 1, "compression": "zstd",
              "compression_level": None, "row_counts": False, "lock_budget_mb": 1,
              "stall_timeout": 0, "period": "daily"}
    with pytest.raises(backup.BackupFailed, match="exists"):
        backup._take_backup(params, "/dev/null", ["false"], [], engine="mariadb-dump",
                            binary=str(dump), path=good, period="2026-11-21", version="x",
                            broken=[])
    assert Path(good).read_bytes() == b"good"
    assert Path(good + files.MANIFEST_SUFFIX).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".sipp.lock", "mariadb-dump", "sipp-20261121T020000.sql.zst",
        "sipp-20261121T020000.sql.zst.manifest.json"]


NAME_PROBLEMS = [
    ("x" * 65, "the database name is 65 characters long, longer than MariaDB's limit of 64"),
    ("-sipp", "the database name -sipp starts with '-', which the dump and the client would "
              "read as an option")]


@pytest.mark.parametrize(("database", "prefix", "msg"), [
    *((database, "sipp", msg) for database, msg in NAME_PROBLEMS),
    ("../sipp", None, "the file name prefix ../sipp (the database name unless prefix is "
                      "set) holds a '/': set prefix to a name without one"),
    ("sipp", "a/b", "the file name prefix a/b (the database name unless prefix is set) holds "
                    "a '/': set prefix to a name without one"),
])
def test_a_database_or_prefix_no_backup_can_be_named_by_is_one_line_before_anything(
        tmp_path, database: str, prefix: str | None, msg: str) -> None:
    """A '/' in the prefix (the database name by default) put the backup, its manifest
    and its lock under dest or ('../') outside it; a name longer than 64 characters
    failed at the login, one starting with '-' was read as an option. Nothing connects
    (no login is given) and dest is not created."""
    dest = tmp_path / "backups"
    code, result = run_module("mariadb_backup", tmp_path,
                              {"database": database, "dest": str(dest), "prefix": prefix})
    assert (code, result["msg"]) == (1, f"backup of {database} failed: {msg}")
    assert not dest.exists()


@pytest.mark.parametrize(("database", "msg"), NAME_PROBLEMS)
def test_the_preflight_refuses_the_same_database_names(tmp_path, database: str,
                                                       msg: str) -> None:
    code, result = run_module("mariadb_backup_preflight", tmp_path,
                              {"database": database, "dest": str(tmp_path / "backups")})
    assert (code, result["msg"]) == (1, msg)


@pytest.mark.parametrize(("margin", "msg"), [
    (0, "must be a positive number of times the estimated backup size, not 0"),
    (-1, "must be a positive number of times the estimated backup size, not -1"),
    ("nan", "must be a positive number of times the estimated backup size, not nan"),
    ("inf", "must be a positive number of times the estimated backup size, not inf"),
    (101, "must be at most 100 times the estimated backup size, not 101")])
def test_the_preflight_refuses_a_margin_that_turns_its_space_checks_off(
        tmp_path, margin: float | str, msg: str) -> None:
    """A margin of 0 or less required no free space: -e sipp_backup_space_margin=-1 passed
    the SIPP server's check and the backup computer's (they compare with required_bytes);
    an infinite one raised OverflowError. Refused in one line naming it, before the
    database is asked (nothing listens on port 9)."""
    code, result = run_module("mariadb_backup_preflight", tmp_path, {
        "database": "sipp", "dest": str(tmp_path / "backups"), "margin": margin,
        "login_host": "127.0.0.1", "login_port": 9})
    assert (code, result["msg"], result["setting"]) == (1, f"margin: {msg}", "margin")


@pytest.mark.parametrize(("name", "snapshot"), [
    ("metadata.partial", False), ("metadata.header", False), ("metadata", False),
    ("metadata-schema-create.sql", True), ("metadata.partial-schema.sql", True),
    ("sipp.perkara.00000.sql", True), ("sipp-schema-post.sql", True)])
def test_mydumper_is_past_its_snapshot_at_its_first_sql_file(name: str,
                                                             snapshot: bool) -> None:
    """Its metadata comes first, under its lock; the global read lock held for the
    measurements is released at its first .sql file. A database named metadata... was
    taken for metadata: the lock, every write to SIPP waiting, held until mydumper ended."""
    assert backup._mydumper_sql(name) is snapshot


def test_manifest_outputs_for_the_sop_record() -> None:
    out = manifest_mod.outputs("/b/x.sql.zst", {
        "size": 5, "sha256": "ab", "duration": 1.5, "tables": {"t": {"rows": 1}},
        "verified": True, "verification": {"status": "ok", "reason": "r"},
        "non_transactional": {"tables": ["m"], "consistent": False, "how": "no lock"},
        "binlog": {"binary_log": True, "gtid_binlog_pos": "0-1-5"}},
        [{"location": "backup:/srv"}])
    assert {"path", "size", "sha256", "duration", "tables", "verified", "copies"} <= set(out)
    assert out["verified"] is True and out["verification"] == "r"
    assert out["non_transactional_tables"] == ["m"] and not out["non_transactional_consistent"]
    assert out["binlog"]["gtid_binlog_pos"] == "0-1-5"


def test_retention_inventory_matches_the_prefix_exactly(tmp_path) -> None:
    def make(name: str, verified: bool) -> None:
        path = tmp_path / name
        path.write_bytes(b"data")
        files.write_json_atomic(files.manifest_path(str(path)), {"size": 4, "verified": verified})

    make("sipp-20261101T020000.sql.zst", True)
    make("sipp-20261102T020000.sql.zst", False)
    (tmp_path / "sipp-20261103T020000.sql.zst.partial").write_bytes(b"x")
    files.write_json_atomic(str(tmp_path / "sipp-20261104T020000.sql.zst.manifest.json"), {})
    (tmp_path / "sipp-20261105T020000.sql.zst.failed").write_bytes(b"x")
    (tmp_path / "unrelated.txt").write_text("x")
    make("sipp-test-20261101T020000.sql.zst", True)
    (tmp_path / "sipp-test-20261103T020000.sql.zst.partial").write_bytes(b"x")
    items = {i["name"]: i for i in files.inventory(str(tmp_path), "sipp")}
    assert sorted(items) == ["sipp-20261101T020000.sql.zst", "sipp-20261102T020000.sql.zst",
                             "sipp-20261103T020000.sql.zst.partial",
                             "sipp-20261104T020000.sql.zst.manifest.json",
                             "sipp-20261105T020000.sql.zst.failed"]
    assert items["sipp-20261101T020000.sql.zst"]["verified"] is True
    assert len(items["sipp-20261101T020000.sql.zst"]["files"]) == 2
    assert items["sipp-20261104T020000.sql.zst.manifest.json"]["time"] == dt.datetime(
        2026, 11, 4, 2, 0)
    others = [i["name"] for i in files.inventory(str(tmp_path), "sipp-test")]
    assert others == ["sipp-test-20261101T020000.sql.zst",
                      "sipp-test-20261103T020000.sql.zst.partial"]


def test_retention_on_the_backup_computer_reads_only_its_record(tmp_path) -> None:
    """A forged, future-dated 'verified' manifest in the store counts for nothing: only
    the record's backups, at the times they arrived."""
    ledger = str(tmp_path / "ledger.jsonl")
    # naive local to the second, as retention reads the record's times
    before = dt.datetime.now().replace(microsecond=0)
    for day in (1, 2):
        name = f"sipp-2026110{day}T020000.sql.zst"
        (tmp_path / name).write_bytes(b"data")
        ledger_mod.append(ledger, "ingested", name=name, sha256="s", size=4,
                          manifest=name + ".manifest.json")
        ledger_mod.append(ledger, "verified", name=name, sha256="s", status="ok")
    forged = "sipp-20991231T020000.sql.zst"
    (tmp_path / forged).write_bytes(b"junk")
    files.write_json_atomic(str(tmp_path / (forged + ".manifest.json")),
                            {"size": 4, "verified": True, "period": "2099-12-31"})
    items = retention.recorded(str(tmp_path), ledger, ledger_mod.read(ledger), "sipp", [],
                               dry=True)
    assert sorted(i["name"] for i in items) == ["sipp-20261101T020000.sql.zst",
                                                "sipp-20261102T020000.sql.zst"]
    after = dt.datetime.now()
    # the times the record says they arrived (this test's run), not the times their names
    # claim (1 and 2 November): a name is the pushing host's to choose
    assert [(i["verified"], before <= i["time"] <= after) for i in items] == [(True, True)] * 2


def test_retention_keeps_a_backup_whose_arrival_time_the_record_lacks(tmp_path) -> None:
    """A record line without a readable time (written by hand, or an older tool) made
    retention end in a traceback (KeyError, or a ValueError failing the task): nothing was
    pruned, every run. Such a backup is now kept, never pruned, and said so; the others
    follow the keep rules."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = [f"sipp-2026110{day}T020000.sql.zst" for day in (1, 2, 3)]
    with open(ledger, "a", encoding="utf-8") as handle:
        for days_ago, name in zip((3, 2, 1), names, strict=True):
            (tmp_path / name).write_bytes(b"data")
            at = (dt.datetime.now().astimezone() - dt.timedelta(days=days_ago)).isoformat()
            for event in ("ingested", "verified"):
                handle.write(json.dumps({"at": at, "event": event, "name": name, "sha256": "s",
                                         "size": 4, "status": "ok"}) + "\n")
        for name, at in (("sipp-20261020T020000.sql.zst", None),
                         ("sipp-20261021T020000.sql.zst", "yesterday")):
            (tmp_path / name).write_bytes(b"data")
            ingested = {"event": "ingested", "name": name, "sha256": "s", "size": 4}
            if at is not None:
                ingested["at"] = at
            handle.write(json.dumps(ingested) + "\n")
            handle.write(json.dumps({"at": "2026-11-04T02:00:00+07:00", "event": "verified",
                                     "name": name, "sha256": "s", "status": "ok"}) + "\n")
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0})
    assert rc == 0, result.get("msg")
    kept = {item["name"]: item for item in result["kept"]}
    assert set(kept) == {"sipp-20261020T020000.sql.zst", "sipp-20261021T020000.sql.zst",
                         names[-1]}
    assert kept["sipp-20261020T020000.sql.zst"]["time"] is None
    assert "no readable arrival time" in kept["sipp-20261021T020000.sql.zst"]["reasons"][0]
    assert len(result["pruned"]) == 2
    assert (tmp_path / "sipp-20261020T020000.sql.zst").exists()
    assert not (tmp_path / names[0]).exists()


def test_retention_on_the_backup_computer_keeps_what_arrived_after_the_clock_went_back(
        tmp_path) -> None:
    """The backup computer rebooted with a dead CMOS battery: its clock said 1 January
    2000. The backup taken in then was, by the record's times, the oldest: retention
    pruned it right after its verification and kept the older ones."""
    ledger = str(tmp_path / "ledger.jsonl")
    arrivals = [("sipp-20261101T020000.sql.zst", "2026-11-01T02:10:00+07:00"),
                ("sipp-20261102T020000.sql.zst", "2026-11-02T02:10:00+07:00"),
                ("sipp-20261103T020000.sql.zst", "2026-11-03T02:10:00+07:00"),
                ("sipp-20261104T020000.sql.zst", "2000-01-01T00:05:00+07:00")]
    with open(ledger, "a", encoding="utf-8") as handle:
        for name, at in arrivals:
            (tmp_path / name).write_bytes(b"data")
            for event in ("ingested", "verified"):
                handle.write(json.dumps({"at": at, "event": event, "name": name, "sha256": "s",
                                         "size": 4, "status": "ok"}) + "\n")
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 2, "keep_weekly": 0, "keep_monthly": 0})
    assert rc == 0, result.get("msg")
    assert [item["name"] for item in result["kept"]] == [arrivals[3][0], arrivals[2][0]]
    assert (tmp_path / arrivals[3][0]).exists() and not (tmp_path / arrivals[0][0]).exists()


def whole_backups(store: Path, ledger: str, days: int, prefix: str = "sipp") -> list[str]:
    """``days`` verified backups of ``prefix`` with their manifests in ``store``, one a day
    up to yesterday, recorded as the ingest and the verification record them; oldest
    first."""
    names = []
    with open(ledger, "a", encoding="utf-8") as handle:
        for days_ago in range(days, 0, -1):
            at = (dt.datetime.now().astimezone() - dt.timedelta(days=days_ago)).isoformat()
            name = f"{prefix}-{at[:10].replace('-', '')}T020000.sql.zst"
            data, manifest = os.urandom(64 + days_ago), f'{{"of": "{name}"}}'.encode()
            (store / name).write_bytes(data)
            (store / (name + ".manifest.json")).write_bytes(manifest)
            sha, manifest_sha = (hashlib.sha256(data).hexdigest(),
                                 hashlib.sha256(manifest).hexdigest())
            for entry in ({"event": "ingested", "size": len(data),
                           "manifest": name + ".manifest.json", "manifest_sha256": manifest_sha},
                          {"event": "verified", "status": "ok"}):
                handle.write(json.dumps({"at": at, "name": name, "sha256": sha, **entry}) + "\n")
            names.append(name)
    return names


def test_retention_keeps_whole_backups_in_the_slots_of_missing_ones(tmp_path) -> None:
    """Backups the record lists whose files were deleted by hand, cut short, or whose
    manifest was changed or deleted: retention counted them kept, so fewer real backups
    were kept than configured and an older whole one was pruned because a missing one
    filled its day. The keep rules now choose among the whole ones; the others are
    reported (result and warning), neither pruned nor recorded as pruned."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 6)  # names[-1] is yesterday's
    (tmp_path / names[5]).unlink()  # a disk clean-up
    (tmp_path / names[4]).write_bytes(b"cut")  # another size
    (tmp_path / (names[3] + ".manifest.json")).write_bytes(b'{"of": "another"}')
    (tmp_path / (names[2] + ".manifest.json")).unlink()
    before = Path(ledger).read_bytes()
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 2, "keep_weekly": 0, "keep_monthly": 0})
    assert rc == 0, result.get("msg")
    assert [item["name"] for item in result["kept"]] == [names[1], names[0]]
    assert result["pruned"] == [] and result["changed"] is False
    assert {item["name"]: item["reason"] for item in result["missing"]} == {
        names[5]: f"{names[5]} is gone from {tmp_path}",
        names[4]: f"{names[4]} has 3 bytes, the record {64 + 2}",
        names[3]: f"{names[3]}.manifest.json has another SHA-256 than the record's",
        names[2]: f"{names[2]}.manifest.json is gone from {tmp_path}"}
    assert warning_lines(result) == [
        f"4 backup tercatat di ledger tetapi tidak utuh di {tmp_path} (dihapus di luar SOP, "
        "ukurannya berubah atau diubah setelah disimpan), tidak dihitung retensi dan tidak "
        "dihapus: "
        + ", ".join(names[2:])]
    assert Path(ledger).read_bytes() == before
    assert (tmp_path / names[0]).exists() and (tmp_path / names[4]).exists()
    # with one day kept, only the older whole backup goes: never one for a missing one
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0})
    assert rc == 0 and [item["name"] for item in result["pruned"]] == [names[0]], result
    assert len(result["missing"]) == 4 and (tmp_path / names[1]).exists()


def stamped(store: Path, ledger: str, name: str) -> None:
    """Append to ``ledger`` the stored file's inode, mtime and ctime, as the ingest now
    records them on its ``ingested`` line (written here as a second ingested line of the
    same backup: the last one counts)."""
    entry = next(e for e in ledger_mod.read(ledger) if e.get("name") == name)
    ledger_mod.append(ledger, "ingested", **{k: v for k, v in entry.items()
                                             if k not in ("at", "event")},
                      **ledger_mod.stamp(os.lstat(store / name)))
    ledger_mod.append(ledger, "verified", name=name, sha256=entry["sha256"], status="ok")


def test_retention_names_a_backup_rewritten_with_the_same_size(tmp_path) -> None:
    """A stored backup rewritten in place with as many bytes (or another file put at its
    name) passed the cheap check, which read only its size: only the restore drill, which
    reads the newest, hashes again. Retention counted it as a good backup and could prune
    the whole ones it displaced. The ingest now records its inode, mtime and ctime; a
    change of any is 'not whole', named, never pruned, never counted. A line without them
    (an older ingest's) is checked as before."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 4)
    for name in names[1:]:
        stamped(tmp_path, ledger, name)
    time.sleep(0.05)  # past the file system's timestamp granularity
    for name in (names[3], names[0]):  # names[0]: an older line, without the stamp
        size = (tmp_path / name).stat().st_size
        with open(tmp_path / name, "r+b") as handle:
            handle.write(b"x" * size)
    replaced = tmp_path / names[2]
    data = replaced.read_bytes()
    replaced.unlink()
    replaced.write_bytes(data)  # the same bytes, another file
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0})
    assert rc == 0, result.get("msg")
    missing = {item["name"]: item["reason"] for item in result["missing"]}
    assert missing == {names[3]: f"{names[3]} changed after it was stored (its content "
                                 "differs from the record's SHA-256)"}
    # another file of the same bytes (its ctime, or inode, differs) is read again: whole
    assert result["restamped"] == [names[2]]
    assert [item["name"] for item in result["kept"]] == [names[2]]
    assert sorted(item["name"] for item in result["pruned"]) == [names[0], names[1]]
    assert (tmp_path / names[3]).exists() and replaced.exists()
    assert "diubah setelah disimpan" in warning_lines(result)[0]


def test_a_store_copied_to_another_disk_is_read_again_once_and_stays_whole(tmp_path) -> None:
    """A store copied or moved to another disk (cp -a, rsync -a: new inodes and ctimes)
    read as changed after it was stored, every backup: none counted, the SOP failing for
    good. Retention reads such a backup again: the recorded SHA-256, it is whole and its
    new stamp recorded (once; check mode records nothing); another content is named."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 3)
    for name in names:
        stamped(tmp_path, ledger, name)
    time.sleep(0.05)
    for name in names:  # as cp -a does: another file of the same bytes and mtime
        path = tmp_path / name
        info, data = path.stat(), path.read_bytes()
        path.unlink()
        path.write_bytes(data)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    size = (tmp_path / names[1]).stat().st_size
    with open(tmp_path / names[1], "r+b") as handle:
        handle.write(b"x" * size)
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 5, "keep_weekly": 0, "keep_monthly": 0}
    before = Path(ledger).read_bytes()
    rc, result = run_module("backup_retention", tmp_path, {**args, "_ansible_check_mode": True})
    assert (rc, result["restamped"], Path(ledger).read_bytes()) == (
        0, [names[0], names[2]], before), result
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and result["changed"] and result["restamped"] == [names[0], names[2]]
    assert {item["name"]: item["reason"] for item in result["missing"]} == {
        names[1]: f"{names[1]} changed after it was stored (its content differs from the "
                  "record's SHA-256)"}
    # whole again: counted by the keep rules (all re-stamped today: one day's newest kept)
    assert [item["name"] for item in result["kept"] + result["pruned"]] == [names[2], names[0]]
    rc, result = run_module("backup_retention", tmp_path, {**args, "keep_daily": 1})
    assert rc == 0 and result["restamped"] == [] and not result["changed"], result
    assert [e["event"] for e in ledger_mod.read(ledger)].count("restamped") == 2


def test_a_lost_backup_taken_in_again_and_a_copied_store_are_no_acknowledged_loss(
        tmp_path) -> None:
    """A name acknowledged as lost is no backup of the record, so a push of it is taken in
    again (the SIPP server still had it, or a compromised one sends it): the admin's list,
    still naming it, then failed every later retention as 'whole', pruning nothing. That
    loss is recorded: it is left alone. And a backup whose only change is its inode and
    ctime (the store copied to another disk) is whole: it is refused as a loss, as
    retention reads it again."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 3)
    data = (tmp_path / names[1]).read_bytes()
    (tmp_path / names[1]).unlink()
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0,
            "acknowledged_lost": [{"name": names[1], "reason": "clean-up", "by": "Budi"}]}
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and [i["name"] for i in result["acknowledged"]] == [names[1]], result
    (tmp_path / names[1]).write_bytes(data)  # taken in again
    entry = next(e for e in ledger_mod.read(ledger) if e.get("name") == names[1])
    ledger_mod.append(ledger, "ingested", **{k: v for k, v in entry.items()
                                             if k not in ("at", "event")})
    before = Path(ledger).read_bytes()
    rc, result = run_module("backup_retention", tmp_path, args)
    assert (rc, result["acknowledged"]) == (0, []), result.get("msg")
    assert names[1] in [i["name"] for i in result["kept"]] and not warning_lines(result)
    assert Path(ledger).read_bytes() == before
    stamped(tmp_path, ledger, names[0])
    time.sleep(0.05)
    copied = tmp_path / names[0]
    content = copied.read_bytes()
    copied.unlink()
    copied.write_bytes(content)  # as cp -a: another inode and ctime, the same bytes
    rc, result = run_module("backup_retention", tmp_path, dict(args, acknowledged_lost=[
        {"name": names[0], "reason": "changed", "by": "Budi"}]))
    assert (rc, result["msg"]) == (1, (
        f"retention: acknowledged_lost: {names[0]} is whole in {tmp_path}: only a backup "
        "that is not whole can be acknowledged as lost"))


def test_the_admin_acknowledges_a_lost_backup_once(tmp_path) -> None:
    """A backup the record lists whose file is gone was warned about on every run, for
    good: nothing could say the loss was known. The backup computer's admin now lists it
    (role variable sipp_backup_acknowledged_lost): it is recorded as acknowledged_lost,
    reported once with who and why, then neither warned about nor counted; a whole backup
    is refused, and the record only grows."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 3)
    (tmp_path / names[1]).unlink()  # a disk clean-up
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0}
    before = Path(ledger).read_bytes()
    whole = {"name": names[0], "reason": "old", "by": "admin"}
    rc, result = run_module("backup_retention", tmp_path, dict(args, acknowledged_lost=[
        {"name": names[1], "reason": "clean-up", "by": "Budi"}, whole]))
    assert (rc, result["msg"]) == (1, (
        f"retention: acknowledged_lost: {names[0]} is whole in {tmp_path}: only a backup "
        "that is not whole can be acknowledged as lost"))
    rc, result = run_module("backup_retention", tmp_path, dict(args, acknowledged_lost=[
        dict(whole, name="sipp-20991231T020000.sql.zst")]))
    assert (rc, result["msg"]) == (1, "retention: acknowledged_lost: sipp-20991231T020000"
                                      f".sql.zst is no backup of sipp in the record {ledger}")
    assert Path(ledger).read_bytes() == before
    lost = [{"name": names[1], "reason": "deleted by a disk clean-up", "by": "Budi (PTIP)"}]
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=lost, _ansible_check_mode=True))
    assert rc == 0 and result["acknowledged"][0]["name"] == names[1], result
    assert result["missing"] == [] and Path(ledger).read_bytes() == before
    rc, result = run_module("backup_retention", tmp_path, dict(args, acknowledged_lost=lost))
    assert rc == 0, result.get("msg")
    assert result["acknowledged"] == [dict(lost[0], fault=f"{names[1]} is gone from {tmp_path}")]
    assert result["missing"] == [] and not warning_lines(result) and result["changed"]
    assert f"recorded {names[1]} as lost, acknowledged by Budi (PTIP)" in result["msg"]
    after = Path(ledger).read_bytes()
    assert after.startswith(before)
    entry = json.loads(after[len(before):])
    assert (entry["event"], entry["name"], entry["by"]) == ("acknowledged_lost", names[1],
                                                            "Budi (PTIP)")
    rc, result = run_module("backup_retention", tmp_path, dict(args, acknowledged_lost=lost))
    assert (rc, result["acknowledged"], result["changed"]) == (0, [], False), result
    assert not warning_lines(result) and Path(ledger).read_bytes() == after
    assert [item["name"] for item in result["kept"]] == [names[2], names[0]]
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(tmp_path)})
    assert rc == 0 and "warnings" not in result, result


@pytest.mark.parametrize(("hours", "said"), [
    # a traceback before: OverflowError in datetime.timedelta
    (10**12, "must be at most 87600 hours (ten years), not 1000000000000"),
    # taken before: every unverified backup stale at once
    (-1, "must be a positive number of hours, not -1")])
def test_a_stale_age_outside_one_hour_to_ten_years_is_refused(tmp_path, hours, said):
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "stale_after_hours": hours})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"stale_after_hours: {said}", "stale_after_hours")


@pytest.mark.parametrize(("args", "setting", "said"), [
    # taken as 1 without a word: mydumper --threads 1, one measuring session
    ({"threads": -4}, "threads",
     "must be 0 (the number of CPUs) or a positive number of threads, not -4"),
    # as many sessions of the SIPP server, its own users' connections refused
    ({"threads": 1000}, "threads", "must be at most 32 threads, not 1000"),
    # zstd -q -99 compressed at 19 without a word, many times slower than 3
    ({"compression_level": 99}, "compression_level",
     "must be at most 19 levels (zstd's highest), not 99"),
    # gzip -12 compressed at 2 (-1 -2), -10 failed the dump (an invalid option -0)
    ({"compression": "gzip", "compression_level": 12}, "compression_level",
     "must be at most 9 levels (gzip's highest), not 12"),
    ({"compression_level": -1}, "compression_level",
     "must be a positive number of levels, not -1"),
])
def test_threads_or_a_compression_level_the_tools_do_not_take_are_refused(
        tmp_path, args, setting, said):
    dest = tmp_path / "backups"
    rc, result = run_module("mariadb_backup", tmp_path, {
        "database": "sipp", "dest": str(dest), **args})
    assert (rc, result["msg"], result.get("setting")) == (1, f"{setting}: {said}", setting)
    assert not dest.exists()


@pytest.mark.parametrize("args", [
    {"threads": 0, "compression_level": 19}, {"threads": 32, "compression_level": 1},
    {"compression": "gzip", "compression_level": 9}])
def test_threads_and_compression_levels_the_tools_take_pass_the_check(tmp_path, args):
    # the dump itself fails here (no MariaDB client to answer), not the settings
    rc, result = run_module("mariadb_backup", tmp_path, {
        "database": "sipp", "dest": str(tmp_path / "backups"), "login_host": "127.0.0.1",
        "login_port": 9, **args})
    assert rc == 1 and "setting" not in result, result


@pytest.mark.parametrize(("option", "value", "said"), [
    # no table loses more than 100 percent: only the tables gone were named, without a word
    ("shrink_percent", 150, "must be at most 99 percent, not 150"),
    # compared nothing, without a word
    ("shrink_percent", -5, "must be 0 (compares nothing) or a positive number of percent, not -5"),
    ("shrink_min_rows", -1, "must be 0 (compares every table) or a positive number of rows, "
                            "not -1"),
])
def test_a_shrink_setting_that_compares_otherwise_than_said_is_refused(tmp_path, option, value,
                                                                        said):
    rc, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(tmp_path / "sipp-20261206T153644.sql.zst"), option: value})
    assert (rc, result["msg"], result.get("setting")) == (1, f"{option}: {said}", option)


def taken_in_again(store: Path, ledger: str, name: str, data: bytes) -> None:
    """``name`` pushed again with ``data`` and taken in: a new ``ingested`` line of it."""
    (store / name).write_bytes(data)
    entry = next(e for e in ledger_mod.read(ledger) if e.get("name") == name)
    ledger_mod.append(ledger, "ingested", **{k: v for k, v in entry.items()
                                             if k not in ("at", "event")})


def test_a_later_loss_of_a_name_takes_an_acknowledgement_of_its_own(tmp_path) -> None:
    """A backup lost and acknowledged, taken in again by a later push and lost again: the
    admin's list, still naming it as the first time, acknowledged the new loss silently,
    with the first loss's reason and who. An acknowledgement applies to the loss it was
    recorded for; the new loss is warned about (the old entry named as spent) until an
    entry of its own acknowledges it, once; two new entries for one loss are refused."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 3)
    data = (tmp_path / names[1]).read_bytes()
    (tmp_path / names[1]).unlink()
    first = {"name": names[1], "reason": "clean-up", "by": "Budi"}
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0, "acknowledged_lost": [first]}
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and [i["reason"] for i in result["acknowledged"]] == ["clean-up"], result
    taken_in_again(tmp_path, ledger, names[1], data)
    (tmp_path / names[1]).unlink()  # lost again
    before = Path(ledger).read_bytes()
    rc, result = run_module("backup_retention", tmp_path, args)
    assert (rc, result["acknowledged"], result["changed"]) == (0, [], False), result
    assert [i["name"] for i in result["missing"]] == [names[1]]
    assert any(line.startswith(f"acknowledged_lost: {names[1]} (clean-up, Budi) sudah dicatat "
                               "untuk kehilangan sebelumnya") for line in warning_lines(result))
    assert Path(ledger).read_bytes() == before
    second = {"name": names[1], "reason": "deleted again", "by": "Ani"}
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=[first, second, dict(second, reason="and again")]))
    assert (rc, result["msg"]) == (1, f"retention: acknowledged_lost: {names[1]} is listed "
                                      "twice for one loss: one acknowledgement a loss")
    assert Path(ledger).read_bytes() == before
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=[first, second]))
    assert rc == 0 and result["acknowledged"] == [
        dict(second, fault=f"{names[1]} is gone from {tmp_path}")], result
    assert result["missing"] == [] and not warning_lines(result)
    losses = [(e["reason"], e["by"]) for e in ledger_mod.read(ledger)
              if e["event"] == "acknowledged_lost"]
    assert losses == [("clean-up", "Budi"), ("deleted again", "Ani")]
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=[first, second]))
    assert (rc, result["acknowledged"], result["changed"]) == (0, [], False), result
    assert not warning_lines(result)


def test_an_entry_written_before_a_later_loss_does_not_acknowledge_it(tmp_path) -> None:
    """An entry of the admin's list that the record does not hold, naming a backup whose
    earlier loss is recorded, was passed over in silence while that name was no backup of
    the record or whole again (taken in again): it waited there and acknowledged the next
    loss of the name the moment it happened, never warned about. An entry written before
    its loss is refused, as one for a name never lost is."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 3)
    data = (tmp_path / names[1]).read_bytes()
    (tmp_path / names[1]).unlink()
    first = {"name": names[1], "reason": "clean-up", "by": "Budi"}
    early = {"name": names[1], "reason": "typo fixed", "by": "Budi"}
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0, "acknowledged_lost": [first]}
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and [i["reason"] for i in result["acknowledged"]] == ["clean-up"], result
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=[first, early]))
    assert (rc, result["msg"]) == (1, (
        f"retention: acknowledged_lost: {names[1]} (typo fixed, Budi) is no backup of sipp in "
        f"the record {ledger}: its loss was acknowledged already (clean-up, Budi)")), result
    taken_in_again(tmp_path, ledger, names[1], data)
    before = Path(ledger).read_bytes()
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, acknowledged_lost=[first, early]))
    assert (rc, result["msg"]) == (1, (
        f"retention: acknowledged_lost: {names[1]} is whole in {tmp_path}: only a backup "
        "that is not whole can be acknowledged as lost")), result
    assert Path(ledger).read_bytes() == before
    (tmp_path / names[1]).unlink()  # lost again: warned about until an entry names it
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and [i["name"] for i in result["missing"]] == [names[1]], result


def test_one_list_for_two_prefixes_of_one_record(tmp_path) -> None:
    """The website's files and database backups share one record, each prefix's
    retention a run of its own: the admin's one list is given to both, each records only
    the entries naming exactly its backups (website never takes website-db-...), and a
    name of neither fails before anything is recorded."""
    ledger = str(tmp_path / "ledger.jsonl")
    files_, db = (whole_backups(tmp_path, ledger, 2, "website"),
                  whole_backups(tmp_path, ledger, 2, "website-db"))
    (tmp_path / files_[0]).unlink()
    (tmp_path / db[0]).unlink()
    lost = [{"name": db[0], "reason": "clean-up", "by": "Budi"},
            {"name": files_[0], "reason": "clean-up", "by": "Budi"}]
    args = {"path": str(tmp_path), "ledger": ledger, "acknowledged_lost": lost,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0}
    before = Path(ledger).read_bytes()
    stray = dict(lost[0], name="web-20261121T020000.sql.zst")
    for prefix, other in (("website", "website-db"), ("website-db", "website")):
        rc, result = run_module("backup_retention", tmp_path, dict(
            args, prefix=prefix, acknowledged_lost=[*lost, stray], other_prefixes=[other]))
        assert (rc, result["msg"]) == (1, "retention: acknowledged_lost: web-20261121T020000"
                                          f".sql.zst is the name of no backup of {prefix} or "
                                          f"{other}")
    rc, result = run_module("backup_retention", tmp_path, dict(args, prefix="website"))
    assert (rc, result["msg"]) == (1, f"retention: acknowledged_lost: {db[0]} is the name of "
                                      "no backup of website")
    assert Path(ledger).read_bytes() == before
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, prefix="website", other_prefixes=["website-db"]))
    assert rc == 0 and [i["name"] for i in result["acknowledged"]] == [files_[0]], result
    assert [i["name"] for i in result["kept"]] == [files_[1]]
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, prefix="website-db", other_prefixes=["website"]))
    assert rc == 0 and [i["name"] for i in result["acknowledged"]] == [db[0]], result
    assert [e["name"] for e in ledger_mod.read(ledger)
            if e["event"] == "acknowledged_lost"] == [files_[0], db[0]]


def shrunk_since(ledger: str, name: str, previous: str) -> None:
    """The verification of ``name`` recorded again, with a shrink finding against
    ``previous`` (as mariadb_restore_verify records one: a verified event's ``shrunk``)."""
    entry = next(e for e in ledger_mod.read(ledger)
                 if e.get("name") == name and e["event"] == "ingested")
    ledger_mod.append(ledger, "verified", name=name, sha256=entry["sha256"], status="ok",
                      shrunk={"previous": previous, "tables_gone": ["perkara"],
                              "tables_shrunk": []})


def held_line(name: str, *findings: str) -> str:
    return (f"dipertahankan: backup terakhir sebelum penyusutan data, {name} (penyusutan "
            f"tercatat pada {', '.join(findings)}); retensi tidak menghapusnya sampai admin "
            f"komputer backup mengonfirmasi penyusutan itu (shrink_acknowledged: {name})")


def test_the_last_backup_before_a_shrink_is_held_until_the_admin_acknowledges_it(
        tmp_path) -> None:
    """SIPP's database emptied (ransomware, an intruder deleting cases): every backup after
    it restores and verifies, with a shrink finding on the first, and once the good ones
    were older than the days kept, retention pruned them. The newest verified backup
    before the first finding is now held back, on every run (the gutted backup itself
    pruned or not), named in the result and a warning, until the admin's entry naming it
    is recorded; an entry naming another backup is refused."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 6)
    shrunk_since(ledger, names[3], names[2])
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 2, "keep_weekly": 0, "keep_monthly": 0}
    for run in range(2):
        rc, result = run_module("backup_retention", tmp_path, args)
        assert rc == 0, result.get("msg")
        assert [i["name"] for i in result["kept"]] == [names[5], names[4], names[2]]
        assert result["kept"][2]["reasons"] == [
            f"held back: the last verified backup before the shrink found in {names[3]}, "
            "until acknowledged"]
        assert [i["name"] for i in result["pruned"]] == ([names[3], names[1], names[0]]
                                                         if run == 0 else [])
        assert [(i["name"], i["first"], i["findings"]) for i in result["held"]] == [
            (names[2], names[3], [names[3]])]
        assert warning_lines(result) == [held_line(names[2], names[3])]
        assert f"{names[2]} held back before the shrink found in {names[3]}" in result["msg"]
    assert (tmp_path / names[2]).exists() and not (tmp_path / names[3]).exists()
    before = Path(ledger).read_bytes()
    entry = {"name": names[2], "reason": "arsip dipindahkan dengan sengaja", "by": "Budi"}
    for wrong, line in ((dict(entry, name=names[3]), f"{names[3]} is not held back as the "
                         f"last verified backup before a shrink of the data ({names[2]} is)"),
                        (dict(entry, by=" "), f"{names[2]} needs a by"),
                        (dict(entry, name="sipp-x.sql.zst"), "sipp-x.sql.zst is the name of no "
                         "backup of sipp")):
        rc, result = run_module("backup_retention", tmp_path, dict(
            args, shrink_acknowledged=[entry, wrong]))
        assert (rc, result["msg"]) == (1, f"retention: shrink_acknowledged: {line}"), result
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, shrink_acknowledged=[entry, dict(entry, by="Ani")]))
    assert (rc, result["msg"]) == (1, f"retention: shrink_acknowledged: {names[2]} is listed "
                                      "twice for one shrink: one acknowledgement a shrink")
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, shrink_acknowledged=[entry], _ansible_check_mode=True))
    assert rc == 0 and result["shrink_acknowledged"] == [dict(entry, findings=[names[3]])]
    assert result["held"] == [] and [i["name"] for i in result["pruned"]] == [names[2]]
    assert Path(ledger).read_bytes() == before and (tmp_path / names[2]).exists()
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[entry]))
    assert rc == 0 and result["changed"] and not warning_lines(result), result
    assert result["shrink_acknowledged"] == [dict(entry, findings=[names[3]])]
    assert f"recorded the shrink found in {names[3]} as acknowledged by Budi" in result["msg"]
    assert [i["name"] for i in result["pruned"]] == [names[2]]
    assert not (tmp_path / names[2]).exists()
    recorded = ledger_mod.read(ledger)[len(before.splitlines())]
    assert {k: recorded[k] for k in ("event", "name", "reason", "by", "findings")} == {
        "event": "shrink_acknowledged", **entry,
        "findings": [{"name": names[3], "sha256": next(
            e["sha256"] for e in ledger_mod.read(ledger) if e.get("name") == names[3])}]}
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[entry]))
    assert (rc, result["changed"], result["held"], result["shrink_acknowledged"]) == (
        0, False, [], []), result
    assert not warning_lines(result)


def test_a_later_shrink_holds_the_backup_before_it_and_takes_an_entry_of_its_own(
        tmp_path) -> None:
    """An acknowledged finding counts as none: a later one holds the newest verified backup
    before it, whole in the store (one whose file is gone holds nothing: the one before it
    is held). The admin's entry recorded for the earlier shrink does not acknowledge the
    later one when it names the same backup: a warning says so until an entry of its
    own is recorded. With no whole verified backup left before the shrink, the warning
    names the first finding's backup, and an entry naming it acknowledges the shrink."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 5)
    args = {"path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
            "keep_daily": 7, "keep_weekly": 0, "keep_monthly": 0}
    shrunk_since(ledger, names[2], names[1])
    first = {"name": names[1], "reason": "tabel log dikosongkan", "by": "Budi"}
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[first]))
    assert rc == 0 and result["shrink_acknowledged"] == [dict(first, findings=[names[2]])]
    shrunk_since(ledger, names[3], names[2])
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[first]))
    assert rc == 0 and warning_lines(result) == [held_line(names[2], names[3])], result
    (tmp_path / names[2]).unlink()
    # when the entry was recorded: a run's later events (the gone file's) may be a second on
    acknowledged_at = next(e["at"] for e in reversed(ledger_mod.read(ledger))
                           if e["event"] == "shrink_acknowledged")
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[first]))
    assert rc == 0 and [i["name"] for i in result["held"]] == [names[1]], result
    assert warning_lines(result)[:2] == [
        f"shrink_acknowledged: {names[1]} (tabel log dikosongkan, Budi) sudah dicatat untuk "
        f"penyusutan sebelumnya ({acknowledged_at}); penyusutan baru "
        "tercatat: konfirmasi dengan entri baru (alasan atau nama lain)",
        held_line(names[1], names[3])]
    second = dict(first, reason="perkara dihapus, dipulihkan dari backup")
    rc, result = run_module("backup_retention", tmp_path, dict(
        args, shrink_acknowledged=[first, second]))
    assert rc == 0 and result["shrink_acknowledged"] == [dict(second, findings=[names[3]])]
    assert result["held"] == [] and len(warning_lines(result)) == 1  # names[2] is missing
    for name in (names[0], names[1], names[3]):
        (tmp_path / name).unlink()
    shrunk_since(ledger, names[4], names[3])
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0 and result["held"] == [], result
    assert warning_lines(result)[0] == (
        f"penyusutan data tercatat pada {names[4]}, tetapi tidak ada lagi backup terverifikasi "
        f"sebelumnya yang utuh untuk dipertahankan; setelah diperiksa, konfirmasi penyusutan "
        f"itu (shrink_acknowledged: {names[4]})")
    rc, result = run_module("backup_retention", tmp_path, dict(args, shrink_acknowledged=[
        {"name": names[4], "reason": "diperiksa", "by": "Ani"}]))
    assert rc == 0 and [i["name"] for i in result["shrink_acknowledged"]] == [names[4]]
    assert not any("penyusutan" in line for line in warning_lines(result))


def test_a_shrink_finding_is_of_the_backup_it_was_recorded_for() -> None:
    """The record's history: a finding stays after its backup is pruned; a name pruned and
    taken in again is another backup, and a failed verification carries none."""
    def at(event: str, name: str, sha: str = "s", **fields: object) -> dict[str, object]:
        return {"event": event, "name": name, "sha256": sha, **fields}
    finding = {"previous": "a"}
    events = [at("ingested", "a"), at("verified", "a", status="ok"),
              at("ingested", "b"), at("verified", "b", status="ok", shrunk=finding),
              at("ingested", "c"), at("verified", "c", status="failed", shrunk=finding),
              at("pruned", "b"), at("ingested", "b", "t"), at("verified", "b", "t", status="ok")]
    history = ledger_mod.taken_in(events)
    assert [(b["name"], b["verified"], b["shrunk"]) for b in history] == [
        ("a", True, None), ("b", True, finding), ("c", False, None), ("b", True, None)]
    assert ledger_mod.shrink_hold(history, {("a", "s"), ("b", "t")}) == {
        "name": "a", "sha256": "s", "first": "b", "findings": [{"name": "b", "sha256": "s"}]}
    assert ledger_mod.shrink_hold(history, {("b", "t")})["name"] is None
    acknowledged = [*events, {"event": "shrink_acknowledged", "name": "a",
                              "findings": [{"name": "b", "sha256": "s"}]}]
    assert ledger_mod.shrink_hold(ledger_mod.taken_in(acknowledged), {("a", "s")}) is None
    # a finding recorded after the acknowledgement (b verified again) is not acknowledged
    again = ledger_mod.taken_in([*events[:6], acknowledged[-1],
                                 at("verified", "b", status="ok", shrunk=finding)])
    assert ledger_mod.shrink_hold(again, {("a", "s")})["findings"] == [
        {"name": "b", "sha256": "s"}]


@pytest.mark.parametrize("findings", [5, [{"name": ["b"], "sha256": "s"}], "b"])
def test_a_shrink_acknowledgement_naming_no_findings_acknowledges_nothing(
        findings: object) -> None:
    """A shrink_acknowledged line whose findings are no list of objects with a name and a
    sha256 (written by hand): a number, or a finding whose name is a list, ended
    retention in a traceback (TypeError), and every reader of the backups (the ingest,
    the restore drill, the backup age) shares that reading now; it acknowledges nothing,
    as a text did already."""
    events = [{"event": "ingested", "name": "b", "sha256": "s"},
              {"event": "verified", "name": "b", "sha256": "s", "status": "ok",
               "shrunk": {"previous": "a"}},
              {"event": "shrink_acknowledged", "name": "a", "findings": findings}]
    assert [b["acknowledged"] for b in ledger_mod.taken_in(events)] == [False]
    assert ledger_mod.backups(events)["b"]["verified"] is True


# What the ledger's readers say of a ledger that is no regular file.
ODD_LEDGERS = {
    "folder": "ledger.jsonl is a folder, not a regular file",
    "link": "ledger.jsonl is a symbolic link (not followed)",
    "fifo": "ledger.jsonl is a FIFO, not a regular file",
}


def odd_ledger(ledger: Path, kind: str) -> None:
    """Put at ``ledger`` what ``kind`` names: a folder (the store's own path given by a
    typo), a symbolic link to a good ledger (which append_json refused to write through
    already), a FIFO (read it waits for a writer for ever)."""
    if kind == "folder":
        ledger.mkdir()
    elif kind == "link":
        good = ledger.parent.parent / "elsewhere.jsonl"
        good.write_text('{"event": "ingested", "name": "sipp-20261101T020000.sql.zst"}\n')
        ledger.symlink_to(good)
    else:
        os.mkfifo(ledger)


@pytest.mark.parametrize("kind", list(ODD_LEDGERS))
@pytest.mark.parametrize("reader", ["backup_retention", "server_backup_age", "backup_ingest",
                                    "backup_ingest sweep", "mariadb_restore_verify",
                                    "website_archive_verify"])
def test_every_reader_names_a_ledger_that_is_no_regular_file(tmp_path: Path, reader: str,
                                                             kind: str) -> None:
    """The ledger was read with open(): through a symbolic link (append_json, which writes
    it, refuses one), a FIFO waited on for ever, and a folder ended retention in 'Is a
    directory' and the two verifications in a traceback. Now each reader refuses it in
    one line naming what it is."""
    store = tmp_path / "store"
    store.mkdir()
    ledger = store / "ledger.jsonl"
    odd_ledger(ledger, kind)
    backup = str(store / "sipp-20261101T020000.sql.zst")
    why = f"cannot read the backup ledger {ledger}: {ODD_LEDGERS[kind]}"
    name, args, msg = {
        "backup_retention": ("backup_retention",
                             {"path": str(store), "prefix": "sipp", "ledger": str(ledger)},
                             f"retention: {why}"),
        "server_backup_age": ("server_backup_age", {"store": str(store)}, why),
        "backup_ingest": ("backup_ingest", {"incoming": str(tmp_path), "store": str(store),
                                            "prefix": "sipp",
                                            "backup": {"name": "sipp-20261101T020000.sql.zst",
                                                       "sha256": "0" * 64, "size": 1},
                                            "manifest": {"name": "sipp-20261101T020000.sql"
                                                                 ".zst.manifest.json",
                                                         "sha256": "0" * 64, "size": 1}},
                          f"ingest failed: {ODD_LEDGERS[kind]}: {ledger}"),
        "backup_ingest sweep": ("backup_ingest", {"incoming": str(tmp_path),
                                                  "store": str(store), "prefix": "sipp"},
                                f"ingest failed: {ODD_LEDGERS[kind]}: {ledger}"),
        "mariadb_restore_verify": ("mariadb_restore_verify",
                                   {"path": backup, "ledger": str(ledger)},
                                   f"cannot verify {backup}: {why}"),
        "website_archive_verify": ("website_archive_verify",
                                   {"path": backup, "ledger": str(ledger)},
                                   f"cannot verify {backup}: {why}"),
    }[reader]
    rc, result = run_module(name, tmp_path, args, seconds=60)
    assert (rc, result["msg"]) == (1, msg)


def test_retention_reads_the_ledger_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Retention read and parsed the whole record three times a run (for the
    acknowledgements of losses, the backups, the shrink findings), every line the store
    ever recorded each time; now once, the events the run records (a loss acknowledged,
    a new stamp, a shrink acknowledged) added to what it read."""
    ledger = str(tmp_path / "ledger.jsonl")
    names = whole_backups(tmp_path, ledger, 5)
    stamped(tmp_path, ledger, names[4])
    shrunk_since(ledger, names[3], names[2])
    (tmp_path / names[0]).unlink()
    copy = (tmp_path / names[4]).read_bytes()  # another inode, the same content
    (tmp_path / names[4]).unlink()
    (tmp_path / names[4]).write_bytes(copy)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
        "path": str(tmp_path), "prefix": "sipp", "ledger": ledger,
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0,
        "acknowledged_lost": [{"name": names[0], "reason": "dihapus", "by": "Budi"}],
        "shrink_acknowledged": [{"name": names[2], "reason": "diperiksa", "by": "Budi"}],
    }}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    opened = count_reads(monkeypatch, ledger)
    with pytest.raises(SystemExit):
        retention.main()
    monkeypatch.undo()
    result = json.loads(capsys.readouterr().out)
    assert [i["name"] for i in result["acknowledged"]] == [names[0]], result
    assert result["restamped"] == [names[4]] and result["missing"] == []
    assert [i["name"] for i in result["shrink_acknowledged"]] == [names[2]]
    assert [i["name"] for i in result["kept"]] == [names[4]]
    assert [i["name"] for i in result["pruned"]] == [names[3], names[2], names[1]]
    assert len(opened) == 1
    assert [e["event"] for e in ledger_mod.read(ledger)][-6:] == [
        "acknowledged_lost", "restamped", "shrink_acknowledged", "pruned", "pruned", "pruned"]


def test_retention_prunes_nothing_it_cannot_record(tmp_path) -> None:
    """The ledger's disk is full (here: it may grow by 40 bytes, RLIMIT_FSIZE): the
    "pruned" line cannot be written. Retention deleted the backup after a half line (the
    record still listing it), or ended in a traceback; now it fails in one line and the
    backup stays."""
    ledger = tmp_path / "ledger.jsonl"
    names = [f"sipp-2026110{day}T020000.sql.zst" for day in (1, 2)]
    with open(ledger, "a", encoding="utf-8") as handle:
        for days_ago, name in zip((3, 2), names, strict=True):
            (tmp_path / name).write_bytes(b"data")
            at = (dt.datetime.now().astimezone() - dt.timedelta(days=days_ago)).isoformat()
            for event in ("ingested", "verified"):
                handle.write(json.dumps({"at": at, "event": event, "name": name,
                                         "sha256": "s", "size": 4, "status": "ok"}) + "\n")
    before = ledger.read_bytes()
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path), "prefix": "sipp", "ledger": str(ledger),
        "keep_daily": 1, "keep_weekly": 0, "keep_monthly": 0}, file_limit=len(before) + 40)
    assert rc == 1 and result["msg"] == (
        f"retention: cannot record the pruning of {names[0]} in {ledger}: File too large")
    assert ledger.read_bytes() == before and (tmp_path / names[0]).exists()


def test_stall_guard_stops_a_dump_that_writes_nothing() -> None:
    """A hung dump (a real process that never writes) is killed after the stall timeout and
    the backup fails naming it, not with its kill signal."""
    pipeline = backup.Pipeline()
    started = time.monotonic()
    stalled = r"mydumper wrote nothing for 1 s and was stopped \(hung\?\); no backup was written"
    with pytest.raises(backup.BackupFailed, match=stalled), \
            backup.StallGuard(pipeline.kill, lambda: 0, 1, "mydumper", error=backup.DumpStalled):
        hung = pipeline.start(["sleep", "60"])
        backup._check(hung, pipeline, "mydumper")
    assert hung.returncode == -9
    assert time.monotonic() - started < 10


def test_stall_guard_lets_a_dump_that_writes_run() -> None:
    pipeline = backup.Pipeline()
    written = iter(range(1000))
    with backup.StallGuard(pipeline.kill, lambda: next(written), 1, "mariadb-dump",
                           error=backup.DumpStalled):
        slow = pipeline.start(["sleep", "2"])
        backup._check(slow, pipeline, "mariadb-dump")
    assert slow.returncode == 0


@pytest.mark.parametrize("found", ["it was waiting for a lock (x)", None, RuntimeError("x")],
                         ids=["diagnosed", "nothing-found", "diagnosis-failed"])
def test_stall_guard_asks_why_once_before_it_stops_the_dump(found: Any) -> None:
    """``diagnose`` runs once when the stall is found, while the dump still waits (before
    ``stop``); its line replaces the cause, and finding nothing or failing keeps it."""
    calls: list[str] = []

    def diagnose() -> str | None:
        calls.append("diagnose")
        if isinstance(found, Exception):
            raise found
        return found

    why = ": it was waiting for a lock \\(x\\)" if isinstance(found, str) else r" \(hung\?\)"
    with pytest.raises(backup.DumpStalled, match=f"^mariadb-dump wrote nothing for 1 s and was "
                                                 f"stopped{why}; no backup was written$"), \
            files.StallGuard(lambda: calls.append("stop"), lambda: 0, 1, "mariadb-dump",
                             error=backup.DumpStalled, diagnose=diagnose):
        deadline = time.monotonic() + 10
        while "stop" not in calls and time.monotonic() < deadline:
            time.sleep(0.05)
    assert calls == ["diagnose", "stop"]


def test_a_dump_that_writes_again_while_the_server_is_asked_is_not_stopped() -> None:
    """The lock it waited for let go during the question (up to 10 s): the dump goes on
    writing and is neither stopped nor failed."""
    written = [0]
    stops: list[str] = []

    def diagnose() -> str:
        written[0] += 1  # the dump writes again meanwhile
        return "it was waiting for a lock (x)"

    with files.StallGuard(lambda: stops.append("stop"), lambda: written[0], 1, "mariadb-dump",
                          error=backup.DumpStalled, diagnose=diagnose):
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            time.sleep(0.05)
    assert stops == [] and written[0] >= 1


def stand_in_backup(tmp_path: Path, *, client: str, engine: str, dumper: str,
                    stall_timeout: int) -> BaseException:
    """The failure of _take_backup with stand-ins (shell script bodies) for the client and
    the ``engine``'s dump program; nothing of the backup is left."""
    programs = {tmp_path / "mariadb": client, tmp_path / engine: dumper}
    for program, body in programs.items():
        program.write_text(f"#!/bin/sh\n{body}\n")
        program.chmod(0o755)
    params = {"prefix": "sipp", "database": "sipp", "threads": 1, "compression": "zstd",
              "compression_level": None, "row_counts": False, "lock_budget_mb": 1,
              "stall_timeout": stall_timeout, "period": "daily"}
    (tmp_path / "backups").mkdir()
    suffix = "tar" if engine == "mydumper" else "sql"
    with pytest.raises(backup.BackupFailed) as failed:
        backup._take_backup(
            params, "/dev/null", [str(tmp_path / "mariadb")],
            [{"name": "perkara", "engine": "InnoDB", "bytes": 0, "columns": []}],
            engine=engine, binary=str(tmp_path / engine),
            path=str(tmp_path / "backups" / f"sipp-20261121T020000.{suffix}.zst"),
            period="2026-11-21", version="x", broken=[])
    assert os.listdir(tmp_path / "backups") == [".sipp.lock"]
    return failed.value


def stalled_dump(tmp_path: Path, processlist: list[list[str]] | None) -> BaseException:
    """The error of a mariadb-dump that waits (a stand-in that writes nothing) with
    stall_timeout 1, its client a stand-in whose information_schema.PROCESSLIST holds
    ``processlist`` (the module's columns, as the batch client prints them; None: that
    query never answers). Its global read lock is refused (no RELOAD). Nothing is left."""
    rows = tmp_path / "processlist"
    rows.write_text("".join("\t".join(row) + "\n" for row in processlist or []))
    answer = f"exec cat {rows}" if processlist is not None else "exec sleep 60"
    stalled = stand_in_backup(
        tmp_path, engine="mariadb-dump", dumper="exec sleep 60", stall_timeout=1,
        client='read -r first\ncase "$first" in *lock_wait_timeout*) echo "ERROR 1227 '
               '(42000): Access denied; you need (at least one of) the RELOAD privilege(s)" '
               f'>&2; exit 1 ;; esac\ncase "$first$(cat)" in *PROCESSLIST*) {answer} ;; esac')
    assert isinstance(stalled, (backup.DumpStalled, backup.DumpWaitedForLock)), stalled
    return stalled


DUMP_WAITS = ["41", "1", "sop_backup", "localhost", "31", "Query",
              "=Waiting for table metadata lock",
              "=SELECT /*!40001 SQL_NO_CACHE */ `perkara_id` FROM `perkara`"]


def test_a_dump_stalled_on_another_sessions_lock_names_the_lock_and_the_holder(
        tmp_path: Path) -> None:
    """An admin's LOCK TABLES perkara WRITE held through the night: the dump waited, was
    stopped at the stall timeout with "(hung?)", and the admin looked for a hung server.
    Asked while the dump still waits: its lock, and the session that may hold it."""
    processlist = [
        ["32", "0", "root", "localhost", "80", "Query", "=User sleep", "=SELECT SLEEP(300)"],
        ["40", "1", "sop_backup", "localhost", "31", "Sleep", "=", "NULL"],
        DUMP_WAITS]
    stalled = stalled_dump(tmp_path, processlist)
    # not a DumperFailed: with engine auto, the next engine would wait for the same lock
    assert isinstance(stalled, backup.DumpWaitedForLock)
    assert not isinstance(stalled, backup.DumperFailed)
    assert str(stalled) == (
        "mariadb-dump wrote nothing for 1 s and was stopped: it was waiting for a lock "
        "(Waiting for table metadata lock); sessions that may hold it, longest first: id 32 "
        "root@localhost 80 s Query 'SELECT SLEEP(300)'; end the one holding it (KILL 32) or "
        "run the backup later; no backup was written")


def test_the_sessions_a_lock_wait_names_are_three_masked_holders_first(tmp_path: Path) -> None:
    """Those not waiting themselves come first (a holder waits for nothing), then the
    longest waiting; at most three, each statement's head on one line, its password and
    every string literal shown as '?' (a party's name, a password hash)."""
    processlist = [
        ["50", "0", "sipp", "10.0.0.5:51234", "600", "Query",
         "=Waiting for table metadata lock", "=UPDATE perkara SET x='Budi' WHERE id=1"],
        ["51", "0", "admin", "10.0.0.9:40000", "300", "Query", "=Sending data",
         "=SELECT nomor_perkara\\n  FROM perkara\\tWHERE nama = 'Budi Santoso' "
         "AND tanggal_pendaftaran > 20240101"],
        ["52", "0", "root", "localhost", "120", "Query", "=starting",
         "=ALTER USER sipp IDENTIFIED BY 'rahasia-sipp'"],
        ["53", "0", "sync", "10.0.0.7:3306", "5", "Sleep", "=", "NULL"],
        ["54", "0", "web", "10.0.0.8:3306", "700", "Query", "=Waiting for table metadata lock",
         "=SELECT 1"],
        DUMP_WAITS]
    message = str(stalled_dump(tmp_path, processlist))
    assert message == (
        "mariadb-dump wrote nothing for 1 s and was stopped: it was waiting for a lock "
        "(Waiting for table metadata lock); sessions that may hold it, longest first: id 51 "
        "admin@10.0.0.9:40000 300 s Query 'SELECT nomor_perkara FROM perkara WHERE nama = "
        "'?' AND ta...', id 52 root@localhost 120 s Query 'ALTER USER sipp IDENTIFIED BY ***', "
        "id 53 sync@10.0.0.7:3306 5 s Sleep; end the one holding it (KILL its id) or run the "
        "backup later; no backup was written")
    assert "rahasia" not in message and "Budi" not in message


@pytest.mark.parametrize(("processlist", "why"), [
    # mariadb-dump itself hung (or the server gave it nothing): no lock, the cause stays
    ([["40", "1", "sop_backup", "localhost", "31", "Query", "=Sending data", "=SELECT 1"]],
     " (hung?)"),
    # the backup account without PROCESS sees its own sessions only
    ([DUMP_WAITS], ": it was waiting for a lock (Waiting for table metadata lock); no session "
                   "of another account is visible (has the backup account PROCESS?): find the "
                   "one holding it with SHOW PROCESSLIST as root and end it (KILL its id), or "
                   "run the backup later"),
], ids=["no-lock", "no-process-privilege"])
def test_a_stalled_dump_waiting_for_no_visible_holder(tmp_path: Path,
                                                      processlist: list[list[str]],
                                                      why: str) -> None:
    assert str(stalled_dump(tmp_path, processlist)) == (
        f"mariadb-dump wrote nothing for 1 s and was stopped{why}; no backup was written")


def test_mydumper_is_not_started_when_the_global_read_lock_waits(tmp_path: Path) -> None:
    """An admin's LOCK TABLES held the module's FLUSH TABLES WITH READ LOCK off for its 5 s;
    mydumper, started anyway, waited in its own (no time limit) until the stall timeout,
    and SIPP's writes to every table with it (40 s of 40 in the lab). It is not started:
    a DumperFailed, which engine auto follows with mariadb-dump."""
    failed = stand_in_backup(
        tmp_path, engine="mydumper", stall_timeout=30,
        dumper=f"touch {tmp_path}/mydumper-ran\nexec sleep 60",
        client='read -r first\ncase "$first" in *lock_wait_timeout*) echo "ERROR 1205 '
               '(HY000) at line 2: Lock wait timeout exceeded; try restarting transaction" '
               '>&2; exit 1 ;; esac\ncat >/dev/null')
    assert isinstance(failed, backup.DumperFailed)
    assert str(failed).startswith(
        "mydumper not started: FLUSH TABLES WITH READ LOCK was not had within 5 s (")
    assert "Lock wait timeout exceeded" in str(failed)
    assert not (tmp_path / "mydumper-ran").exists()


def test_a_server_that_does_not_say_why_keeps_the_cause_in_bounded_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server does not answer the question (hung itself): the dump is stopped once
    the question's own time limit passed, "(hung?)" as before."""
    monkeypatch.setattr(backup, "DIAGNOSE_TIMEOUT", 0.5)
    started = time.monotonic()
    stalled = stalled_dump(tmp_path, None)
    assert isinstance(stalled, backup.DumpStalled)  # engine auto tries the next engine
    assert str(stalled) == (
        "mariadb-dump wrote nothing for 1 s and was stopped (hung?); no backup was written")
    assert time.monotonic() - started < 8


def test_measuring_sessions_of_a_server_that_stopped_answering_are_stopped() -> None:
    """MariaDB stopped (SIGSTOP in the lab) while the snapshot sessions measured the tables
    after the dump: the backup waited for their rows for ever, finished when the server
    went on 10 minutes later. Clients that take their statements and never answer (a
    shell that sleeps) are stopped after the stall timeout, the backup failing naming it."""
    measurer = backup.Measurer(["sh", "-c", "exec sleep 60"], "sipp", [], enabled=True,
                               lock_budget=0, answer_timeout=1)
    measurer.before = backup.Session(measurer.client)
    measurer.before.start()
    measurer.before.finish("SELECT 1;\n")
    measurer.fired = True
    started = time.monotonic()
    stalled = (r"MariaDB's measurement of the tables \(row counts, checksums\) wrote nothing "
               r"for 1 s and was stopped \(the server did not answer: hung or overloaded\?\); "
               "no backup was written")
    with pytest.raises(backup.BackupFailed, match=stalled):
        measurer.result()
    assert time.monotonic() - started < 10


def test_measuring_sessions_that_answer_slowly_are_waited_for() -> None:
    """An answer that keeps coming (one table's row each 0.6 s) is no stall, whatever the
    whole takes: each row counts as it arrives (not 64 KiB at a time)."""
    rows = "for t in 1 2 3; do sleep 0.6; printf 'x\\n'; done; cat >/dev/null"
    session = backup.Session(["sh", "-c", rows])
    session.start()
    session.finish("")
    with backup.StallGuard(session.abort, lambda: session.received, 1, "measurement",
                           error=backup.BackupFailed):
        assert session.result() == [["x"], ["x"], ["x"]]


@pytest.mark.parametrize(("line", "environment"), [
    ("restore failed: ERROR 1114 (HY000) at line 40: The table 'perkara' is full", True),
    ("restore failed: ERROR 2013 (HY000) at line 9: Lost connection to server during query",
     True),
    ("MariaDB: ERROR 2002 (HY000): Can't connect to local server through socket", True),
    ("myloader failed: ** (myloader:77): CRITICAL **: Error restoring sipp.perkara from file "
     "sipp.perkara.00000.sql: The table 'perkara' is full", True),
    ("unpack failed: tar: ./x.sql: Cannot write: No space left on device", True),
    ("ERROR 1226 (42000): User 'sop_verify' has exceeded the 'max_user_connections' "
     "resource (current value: 1)", True),
    # a client older than --sandbox: every backup was judged failed (renamed .failed)
    ("restore failed: mariadb: unknown option '--sandbox'", True),
    # a 20 MB row over this computer's 16M max_allowed_packet (the lab): myloader's words,
    # and the client's
    ("myloader failed: ** (myloader:5732): CRITICAL **: 20:47:43.405: Error restoring "
     "sop_verify_1.dokumen_blob from file sipp.dokumen_blob.sql: Server has gone away", True),
    ("restore failed: ERROR 1153 (08S01) at line 40: Got a packet bigger than "
     "'max_allowed_packet' bytes", True),
    # what the backup holds: a verdict
    ("restore failed: ERROR 1064 (42000) at line 3: You have an error in your SQL syntax", False),
    ("restore failed: ERROR 1044 (42000) at line 2: Access denied for user 'sop_verify'@"
     "'localhost' to database 'mysql'", False),
    ("zstd failed: zstd: /*stdin*\\: unknown header", False),
    ("table pihak: content differs", False),
])
def test_what_is_the_backup_computers_problem_and_what_the_backups(line: str,
                                                                   environment: bool) -> None:
    assert bool(verify.ENVIRONMENT.search(line)) is environment


@pytest.mark.parametrize(("line", "database"), [
    # a view of the SIPP database reading another database (the lab): myloader's words,
    # and the client's
    ("myloader failed: ** (myloader:2872): CRITICAL **: 06:32:30.253: Error restoring "
     "sop_verify_20261207063229_2860.v_satker from file sipp.v_satker-schema-view.sql: ANY "
     "command denied to user 'sop_verify'@'localhost' for table `sipp_ref`.`satker`",
     "sipp_ref"),
    ("restore failed: ERROR 1142 (42000) at line 80: SELECT command denied to user "
     "'sop_verify'@'localhost' for table `odd``db`.`t`", "odd`db"),
    # the scratch database itself, or no table named: what the backup holds
    ("restore failed: ERROR 1142 (42000) at line 8: DROP command denied to user "
     "'sop_verify'@'localhost' for table `sop_verify_1_2`.`t`", None),
    ("restore failed: ERROR 1044 (42000) at line 2: Access denied for user 'sop_verify'@"
     "'localhost' to database 'mysql'", None),
])
def test_a_table_of_another_database_is_named(line: str, database: str | None) -> None:
    assert verify.other_database(line) == database


def test_an_unpacked_archive_holds_plain_files_and_folders_only(tmp_path) -> None:
    (tmp_path / "sipp.t.sql").write_text("INSERT INTO t VALUES (1);\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "metadata").write_text("")
    assert verify.not_a_plain_file(str(tmp_path)) is None
    (tmp_path / "sub" / "sipp.u.sql").symlink_to("/etc/passwd")
    assert verify.not_a_plain_file(str(tmp_path)) == "symbolic link sub/sipp.u.sql"
    (tmp_path / "sub" / "sipp.u.sql").unlink()
    os.mkfifo(tmp_path / "sipp.v.sql")
    assert verify.not_a_plain_file(str(tmp_path)) == "special file sipp.v.sql"
    (tmp_path / "sipp.v.sql").unlink()
    assert verify.not_a_plain_file(str(tmp_path)) is None


@pytest.mark.parametrize("name", ["sipp.t.00000.sql.gz", "sipp.t.00000.sql.zst",
                                  "sipp.t-schema.sql.zstd"])
def test_an_unpacked_archive_holding_a_compressed_file_is_refused(tmp_path,
                                                                   name: str) -> None:
    """myloader decompresses what mydumper --compress writes: read unchecked by the scan
    for statements this computer's MariaDB would skip (the SOP's dumps compress none)."""
    (tmp_path / "sipp.t.sql").write_text("INSERT INTO t VALUES (1);\n")
    (tmp_path / name).write_bytes(b"\x1f\x8b")
    assert verify.not_a_plain_file(str(tmp_path)) == f"compressed file {name}"


@pytest.mark.parametrize("module", ["mariadb_backup_preflight", "mariadb_backup"])
def test_a_password_with_a_line_break_is_one_line(tmp_path, monkeypatch, module: str) -> None:
    """An option file cannot hold a line break: the pre-flight check ended in a traceback
    (its ValueError was not caught) instead of one line naming the problem. The client
    on PATH is never reached (the refusal comes first): a stand-in that fails."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("mariadb", "zstd"):
        (fake / name).write_text("#!/bin/sh\nexit 99\n")
        (fake / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    secret = "rahasia\nkedua-baris"
    (tmp_path / "backups").mkdir()
    code, result = run_module(module, tmp_path, {
        "database": "sipp", "dest": str(tmp_path / "backups"), "login_user": "sop_backup",
        "login_password": secret})
    assert code == 1
    assert "line break" in result["msg"] and "\n" not in result["msg"]
    assert "rahasia" not in json.dumps(result)


def fake_client(script: str) -> Iterator[str]:
    """A folder holding a stand-in ``mariadb`` (the shell ``script``), as the
    verification's OS user (nobody) can run it: no MariaDB server runs here without a
    container. It answers ``SELECT VERSION()`` as MariaDB 10.11.19 does; ``script`` runs
    everything else (the same stdin, its own process)."""
    if os.geteuid() != 0:
        pytest.skip("the verification runs its client as another OS user")
    folder = tempfile.mkdtemp(prefix="sop-fake-client-")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "mariadb")
    with open(path + "-script", "w", encoding="ascii") as handle:
        handle.write(script)
    with open(path, "w", encoding="ascii") as handle:
        handle.write(f'#!/bin/sh\ncase "$*" in *--sandbox*) exec {path}-script "$@" ;; esac\n'
                     'sql=$(cat)\ncase "$sql" in "SELECT VERSION();") '
                     "echo 10.11.19-MariaDB-log; exit 0 ;; esac\n"
                     f'exec {path}-script "$@" <<EOF\n$sql\nEOF\n')
    os.chmod(path, 0o755)
    os.chmod(path + "-script", 0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def hung_server_client() -> Iterator[str]:
    """The restore's statement never ends (a crafted dump's endless INSERT ... SELECT),
    and a DROP DATABASE then waits for the metadata lock that statement still holds in
    the server, as MariaDB's does. Other statements print nothing and succeed."""
    yield from fake_client('#!/bin/sh\ncase "$*" in *--sandbox*) exec sleep 3600 ;; esac\n'
                           'sql=$(cat)\ncase "$sql" in *"DROP DATABASE"*) exec sleep 3600 ;; '
                           "esac\nexit 0\n")


@pytest.fixture
def empty_server_client() -> Iterator[str]:
    """Every statement prints nothing and succeeds (a server with no scratch database)."""
    yield from fake_client("#!/bin/sh\ncat >/dev/null\nexit 0\n")


# What a manifest lists of a database of one table of one row.
ONE_TABLE = {"t": {"rows": 1, "checksum": "2212294583", "structure": "s"}}


def _sql_backup(tmp_path, sql: bytes):
    """A gzipped SQL backup of ``sql`` with its manifest (sha256 and size right, one
    table), as the SIPP server pushes one."""
    path = tmp_path / "sipp-20261121T020000.sql.gz"
    path.write_bytes(subprocess.run(["gzip", "-c"], input=sql,
                                    capture_output=True, check=True).stdout)
    files.write_json_atomic(str(path) + ".manifest.json", {
        "format": "sql", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "size": path.stat().st_size, "tables": ONE_TABLE})
    return path


def test_a_verification_past_its_time_ends_when_the_drop_would_wait(
        tmp_path, monkeypatch, hung_server_client: str) -> None:
    """The restore ran past the verification's time limit and was stopped; its statement
    went on in the server, and the DROP DATABASE of the scratch database, sent without a
    time limit, waited for its lock: the verify-restore hung (a day, MariaDB's
    lock_wait_timeout) holding the backup computer's verification lock."""
    monkeypatch.setenv("PATH", f"{hung_server_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"INSERT INTO t SELECT 1;\n")
    clock = time.monotonic()
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "os_user": "nobody", "timeout": 2}, seconds=60)
    assert code == 1
    assert result["verification"]["status"] == "error"
    assert "not finished within 2 s" in result["msg"]
    assert time.monotonic() - clock < 30


def test_a_restore_that_stops_reading_the_backup_is_stopped_at_the_stall_timeout(
        tmp_path, monkeypatch, hung_server_client: str) -> None:
    """The scratch server stopped taking data in the middle of the restore (hung, or
    waiting for disk space): the restore waited for the whole verification timeout (4
    hours by default) before anything was told."""
    monkeypatch.setenv("PATH", f"{hung_server_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, os.urandom(4 << 20))  # far more than the pipes hold
    clock = time.monotonic()
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "os_user": "nobody", "timeout": 10, "stall_timeout": 2},
        seconds=60)
    assert code == 1 and result["verification"]["status"] == "error", result
    assert re.search(r"the restore read nothing of the backup for 2 s, at byte \d+ of "
                     rf"{path.stat().st_size}: the scratch MariaDB server stopped", result["msg"])
    assert time.monotonic() - clock < 30


def test_a_restore_that_has_read_the_whole_backup_is_no_stall(
        tmp_path, monkeypatch, hung_server_client: str) -> None:
    """Once the whole file is read, the last statements run as long as they take: the
    timeout, not the stall timeout, bounds them."""
    monkeypatch.setenv("PATH", f"{hung_server_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"INSERT INTO t SELECT 1;\n")
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "os_user": "nobody", "timeout": 4, "stall_timeout": 1},
        seconds=60)
    assert code == 1 and "not finished within 4 s" in result["msg"], result


def test_myloader_that_reads_nothing_is_stopped_at_the_stall_timeout() -> None:
    """myloader's progress is what it reads (rchar of /proc/PID/io): one waiting on a
    server that takes nothing is stopped; one that reads goes on until it ends."""
    runner = verify.Runner.__new__(verify.Runner)
    runner.seconds, runner.deadline, runner.stall = 60, time.monotonic() + 60, 2
    runner.uid, runner.gid, runner.env = os.getuid(), os.getgid(), {"PATH": "/usr/bin:/bin"}
    runner.popen = lambda argv, **kwargs: subprocess.Popen(argv, stderr=subprocess.PIPE,
                                                           **kwargs)
    clock = time.monotonic()
    with pytest.raises(verify.VerifyError, match=r"^sleep read nothing of the backup for 2 s, "
                       r"after \d+ bytes: the scratch MariaDB server stopped taking data"):
        runner.run(["sleep", "30"], watched=True)
    assert time.monotonic() - clock < 10
    reading = ["sh", "-c", "for i in 1 2 3 4 5 6; do head -c 1000 /dev/zero >/dev/null; "
               "sleep 0.5; done"]
    runner.run(reading, watched=True)  # 3 s, never 2 s without reading
    with open(__file__, "rb") as source, \
            pytest.raises(verify.VerifyError, match=r"^the restore read nothing"):
        runner.chain([["sleep", "30"]], source)


def test_a_manifest_cannot_write_its_own_size_into_the_record(
        tmp_path, monkeypatch, empty_server_client: str) -> None:
    """The manifest comes from the SIPP server and is read up to 64 MiB. A compromised
    one set its sha256 to a megabyte of text: the verification's reason quoted it whole,
    into the backup computer's record (one such line per run, written by root), the
    task's result and the sop record."""
    monkeypatch.setenv("PATH", f"{empty_server_client}:{os.environ['PATH']}")
    path = tmp_path / "sipp-20261121T020000.sql.gz"
    path.write_bytes(b"not what the manifest says")
    files.write_json_atomic(str(path) + files.MANIFEST_SUFFIX, {
        "format": "sql", "sha256": "f" * (1 << 20), "tables": ONE_TABLE})
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=path.name + files.MANIFEST_SUFFIX)
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "ledger": record, "os_user": "nobody", "fail_on_mismatch": False})
    assert code == 0 and result["verified"] is False, result
    assert result["verification"]["reason"].startswith("sha256 ")
    assert len(result["verification"]["reason"]) <= 4096
    assert os.path.getsize(record) < 8192


@pytest.fixture
def second_database_client() -> Iterator[tuple[str, str]]:
    """A server where the restore (the client run with ``--sandbox``) creates a second
    scratch-named database, as a crafted dump's ``CREATE DATABASE sop_verify_x; USE
    sop_verify_x;`` may (the account holds ALL ON `sop\\_verify\\_%`.*), with an event
    that fires there each second. Yields the client's folder and the file its batch
    statements are written to."""
    state = tempfile.mkdtemp(prefix="sop-fake-server-")
    os.chmod(state, 0o777)
    log, databases = os.path.join(state, "statements"), os.path.join(state, "databases")
    script = (f'#!/bin/sh\nsql=$(cat)\ncase "$*" in *--sandbox*) echo sop_verify_x >> {databases}'
              f'; exit 0 ;; esac\nprintf "%s\\n" "$sql" >> {log}\ncase "$sql" in '
              f'*"information_schema.SCHEMATA"*) cat {databases} 2>/dev/null ;; esac\n'
              'case "$sql" in '
              f'*"DROP DATABASE IF EXISTS \\`sop_verify_x\\`"*) : > {databases} ;; esac\n'
              'exit 0\n')
    for folder in fake_client(script):
        yield folder, log
    shutil.rmtree(state)


def test_a_database_the_restore_created_besides_its_scratch_database_is_dropped(
        tmp_path, monkeypatch, second_database_client: tuple[str, str]) -> None:
    """Only the run's own scratch database was dropped: one the dump created besides it
    (its events firing each second, its tables growing) stayed until the next
    verification, a day later. Every scratch-named database is dropped before the
    verification ends, and a backup that wrote outside its own fails."""
    folder, log = second_database_client
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"CREATE DATABASE sop_verify_x;\n")
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "os_user": "nobody", "fail_on_mismatch": False})
    assert code == 0 and result["verified"] is False, result
    assert result["verification"]["reason"] == (
        "the restore created databases besides its scratch database: sop_verify_x (dropped)")
    with open(log, encoding="utf-8") as handle:
        assert "DROP DATABASE IF EXISTS `sop_verify_x`" in handle.read()


@pytest.fixture
def recording_client() -> Iterator[tuple[str, str]]:
    """A server where every statement succeeds and prints nothing; what the restore
    (the client run with ``--sandbox``) is fed is written to a file. Yields the client's
    folder and that file."""
    state = tempfile.mkdtemp(prefix="sop-fake-server-")
    os.chmod(state, 0o777)
    fed = os.path.join(state, "restored.sql")
    script = (f'#!/bin/sh\ncase "$*" in *--sandbox*) cat > {fed}; exit 0 ;; esac\n'
              "cat >/dev/null\nexit 0\n")
    for folder in fake_client(script):
        yield folder, fed
    shutil.rmtree(state)


# A dump with a statement only MariaDB 11.8.0 or newer runs, which the fake client's
# server (MariaDB 10.11.19) skips; and what it is sent of it.
SMUGGLED = (b"/*M!999999\\- enable the sandbox mode */\n/*!40101 SET NAMES utf8mb4 */;\n"
            b"CREATE TABLE t (id INT);\n/*!101119 SELECT 1 */;\n"
            b"/*!110800 GRANT ALL ON *.* TO sop_verify@localhost */;\n"
            b"/*M!110800 CREATE DATABASE smuggled */;\nINSERT INTO t VALUES (1);\n")
SMUGGLED_SENT = SMUGGLED[:SMUGGLED.index(b"/*!110800")]
SKIPPED = ("the dump holds a statement only MariaDB 11.8.0 or newer runs (/*!110800 ...), "
           "which this computer's MariaDB 10.11.19 skips: what it does is not verified (to "
           "verify such a backup, upgrade this computer's MariaDB to 11.8.0 or newer)")


@pytest.mark.parametrize(("dump", "sent", "reason"), [
    (SMUGGLED, SMUGGLED_SENT, SKIPPED),
    (SMUGGLED.replace(b"/*!110800", b"/*!999999").replace(b"/*M!110800", b"/*!50717"),
     None, "table t missing after restore"),
], ids=["newer", "accepted"])
def test_a_dump_with_a_statement_this_server_skips_does_not_verify(
        tmp_path, monkeypatch, recording_client: tuple[str, str], dump: bytes,
        sent: bytes | None, reason: str) -> None:
    """A GRANT in /*!110800 ...*/ was skipped by the backup computer's MariaDB 10.11.19
    and the backup verified; restored by hand as root on MariaDB 11.8 it ran. The restore
    stops before it; mariadb-dump's sandbox line (999999, run nowhere) and what this
    server runs are restored (the stand-in server then holds no table)."""
    folder, fed = recording_client
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, dump)
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "os_user": "nobody", "fail_on_mismatch": False})
    assert code == 0 and result["verified"] is False, result
    assert (result["verification"]["status"], result["verification"]["reason"]) == (
        "failed", reason)
    with open(fed, "rb") as handle:
        assert handle.read() == (dump if sent is None else sent)


def test_a_mydumper_backup_with_a_statement_this_server_skips_is_not_loaded(
        tmp_path, monkeypatch, recording_client: tuple[str, str]) -> None:
    """The same in a mydumper archive: its unpacked files are read before myloader runs,
    which then does not."""
    folder, fed = recording_client
    loaded = os.path.join(os.path.dirname(fed), "loaded")
    (Path(folder) / "myloader").write_text(f"#!/bin/sh\ntouch {loaded}\n")
    (Path(folder) / "myloader").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "metadata").write_text("Started dump at: 2026-11-21 02:00:00\n")
    (dump / "sipp.t-schema.sql").write_text("CREATE TABLE `t` (id INT);\n")
    path = tmp_path / "sipp-20261121T020000.tar.gz"

    def verified_with(data: bytes) -> dict[str, Any]:
        """The verification of the archive of ``dump`` whose sipp.t.sql holds ``data``."""
        (dump / "sipp.t.sql").write_bytes(data)
        path.unlink(missing_ok=True)
        subprocess.run(["tar", "-C", str(dump), "-czf", str(path), "."], check=True)
        files.write_json_atomic(str(path) + ".manifest.json", {
            "format": "mydumper-tar", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "size": path.stat().st_size, "tables": ONE_TABLE})
        code, result = run_module("mariadb_restore_verify", tmp_path, {
            "path": str(path), "os_user": "nobody", "fail_on_mismatch": False})
        assert code == 0 and result["verified"] is False, result
        return dict(result["verification"])

    assert verified_with(SMUGGLED.replace(b"CREATE TABLE t (id INT);\n", b""))["reason"] \
        == SKIPPED
    assert not os.path.exists(loaded)
    assert verified_with(SMUGGLED_SENT + b"INSERT INTO t VALUES (1);\n")["reason"] \
        == "table t missing after restore"
    assert os.path.exists(loaded)


@pytest.fixture
def one_table_client() -> Iterator[str]:
    """A server where every restore succeeds and the scratch database then holds what
    ONE_TABLE says (table t, one row): the measurements' statements are answered so."""
    yield from fake_client(
        '#!/bin/sh\nsql=$(cat)\ncase "$sql" in\n'
        "*\"SELECT 'T'\"*) printf 'T\\t74\\t1\\t2212294583\\ts\\t0\\n' ;;\n"
        "*\"TABLE_TYPE IN (\"*) printf '74\\tInnoDB\\t16384\\n' ;;\n"
        "*\"TABLE_NAME, ORDINAL_POSITION;\"*) printf '74\\t6964\\tint\\t\\t\\n' ;;\n"
        "esac\nexit 0\n")


def test_a_result_is_never_recorded_under_a_sha256_not_checked(
        tmp_path, monkeypatch, one_table_client: str) -> None:
    """With checksum: false and a ledger, a stored file that was no longer the one taken
    in was restored unhashed and recorded 'ok' under the SHA-256 the record took in. With
    a ledger the file is hashed whatever checksum says."""
    monkeypatch.setenv("PATH", f"{one_table_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    original = path.read_bytes()
    taken_in = hashlib.sha256(original).hexdigest()
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=taken_in, manifest=path.name + files.MANIFEST_SUFFIX)
    args = {"path": str(path), "ledger": record, "os_user": "nobody", "checksum": False,
            "fail_on_mismatch": False}
    path.write_bytes(subprocess.run(["gzip", "-c"], input=b"CREATE TABLE t (id INT);\n-- x\n",
                                    capture_output=True, check=True).stdout)
    code, result = run_module("mariadb_restore_verify", tmp_path, args)
    assert code == 0 and result["verification"]["status"] == "failed", result
    assert result["verification"]["reason"] == (
        f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()} does not match the manifest "
        f"{taken_in}")
    assert ledger_mod.backups(ledger_mod.read(record))[path.name]["verified"] is False
    # the file taken in verifies, and is recorded so
    path.write_bytes(original)
    code, result = run_module("mariadb_restore_verify", tmp_path, args)
    assert code == 0 and result["verification"]["status"] == "ok", result
    assert ledger_mod.backups(ledger_mod.read(record))[path.name]["verified"] is True


def test_a_result_the_store_lock_keeps_from_the_record_is_not_judged_there_either(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_table_client: str) -> None:
    """A verify-restore appended its result while an ingest or a retention of the store
    held the store's lock. It waits for it (lock_timeout); still held then, nothing is
    recorded, and the result is status error, naming the holder: the role marks no
    manifest verified that the backup computer's record does not hold verified (the
    website's task passed such a failure, its verification then ok, as judged)."""
    monkeypatch.setenv("PATH", f"{one_table_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=path.name + files.MANIFEST_SUFFIX)
    before = Path(record).read_bytes()
    lock = tmp_path / ledger_mod.STORE_LOCK_NAME
    with lock_held(lock, "taking sipp-20261122T020000.sql.gz in") as (pid, command):
        code, result = run_module("mariadb_restore_verify", tmp_path, {
            "path": str(path), "ledger": record, "os_user": "nobody", "lock_timeout": 1,
            "fail_on_mismatch": False})
    line = (f"cannot record the verification of {path} in {record}: waited 1 s (lock_timeout) "
            f"for the store's lock {lock}, held by pid {pid} ({command}): taking "
            "sipp-20261122T020000.sql.gz in; nothing recorded (it stays unverified)")
    assert code == 1 and result["msg"] == line, result
    assert result["verification"] == {"status": "error", "reason": line}
    assert Path(record).read_bytes() == before


def test_a_backup_much_smaller_than_the_previous_verified_one_is_a_finding(
        tmp_path, monkeypatch, one_table_client: str) -> None:
    """A compromised or mistaken SIPP server pushing a gutted database: it restores and
    verifies, and retention would prune the older good backups of the days and weeks
    before, unnoticed. Compared with the previous verified backup (its manifest as the
    record took it in), a table gone or that lost most of its rows is a finding."""
    monkeypatch.setenv("PATH", f"{one_table_client}:{os.environ['PATH']}")
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    earlier = tmp_path / "sipp-20261120T020000.sql.gz"
    earlier.write_bytes(b"earlier")
    manifest = files.MANIFEST_SUFFIX
    Path(str(earlier) + manifest).write_text(json.dumps({"tables": {
        "t": {"rows": 10000}, "perkara": {"rows": 5000}, "small": {"rows": 10}}}))
    for name, verified in ((earlier.name, "ok"), ("sipp-20261120T140000.sql.gz", "failed")):
        digest = hashlib.sha256(name.encode()).hexdigest()
        ledger_mod.append(record, "ingested", name=name, sha256=digest, manifest=name + manifest,
                          manifest_sha256=hashlib.sha256(
                              Path(str(earlier) + manifest).read_bytes()).hexdigest())
        ledger_mod.append(record, "verified", name=name, sha256=digest, status=verified)
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=path.name + manifest)
    args = {"path": str(path), "ledger": record, "os_user": "nobody"}
    code, result = run_module("mariadb_restore_verify", tmp_path, args)
    assert code == 0 and result["verified"] and result["shrunk"] is None, result  # 0: off
    assert "shrunk" not in ledger_mod.read(record)[-1]
    (tmp_path / ledger_mod.LEDGER_NAME).write_text("".join(  # not verified yet again
        line for line in Path(record).read_text().splitlines(keepends=True)
        if path.name not in line or '"ingested"' in line))
    code, result = run_module("mariadb_restore_verify", tmp_path, {**args, "shrink_percent": 50})
    assert code == 0 and result["verified"], result
    assert result["shrunk"] == {"previous": earlier.name, "tables_gone": ["perkara"],
                                "tables_shrunk": [{"table": "t", "rows_before": 10000,
                                                   "rows_now": 1}]}
    assert result["sop_output"]["finding"] == (
        f"Backup {path.name} jauh lebih kecil daripada backup terverifikasi sebelumnya "
        f"{earlier.name} (tabel hilang: perkara; tabel menyusut: t 10.000 -> 1 baris): periksa "
        "server asalnya (data terhapus, atau server disusupi?) sebelum retensi menghapus "
        "backup lama yang masih utuh")
    # recorded in the backup computer's own record, where retention reads it
    assert ledger_mod.read(record)[-1]["shrunk"] == result["shrunk"]
    assert "shrunk" not in ledger_mod.backups(ledger_mod.read(record))[path.name]["verification"]
    assert [(b["name"], b["shrunk"]) for b in ledger_mod.taken_in(ledger_mod.read(record))
            if b["shrunk"]] == [(path.name, result["shrunk"])]


@pytest.mark.parametrize(("before", "now", "percent", "shrunk"), [
    ({"t": 1000}, {"t": 500}, 50, None),  # half: not more than 50 %
    ({"t": 1000}, {"t": 499}, 50, {"tables_gone": [], "tables_shrunk": [
        {"table": "t", "rows_before": 1000, "rows_now": 499}]}),
    ({"t": 999}, {}, 50, None),  # below shrink_min_rows: a small table comes and goes
    ({"t": 1000}, {}, 0, None),  # 0 compares nothing
    ({"t": 1000}, {"t": 5000, "u": 1}, 50, None),  # grown
])
def test_shrinkage_counts_only_tables_that_were_large(before, now, percent, shrunk) -> None:
    assert verify.shrinkage(before, now, percent, 1000) == shrunk


def test_a_finding_names_ten_tables_of_each_kind_at_most() -> None:
    shrunk = {"previous": "p", "tables_gone": [f"g{n}" for n in range(12)],
              "tables_shrunk": [{"table": "t", "rows_before": 2000, "rows_now": 3}]}
    assert verify.shrink_finding("b", shrunk).startswith(
        "Backup b jauh lebih kecil daripada backup terverifikasi sebelumnya p (tabel hilang: "
        "g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, dan 2 lainnya; tabel menyusut: t 2.000 -> 3 "
        "baris): ")


def test_the_previous_verified_backup_is_the_newest_taken_in_before_it() -> None:
    state = {name: {"name": name, "verified": ok} for name, ok in (
        ("a", True), ("b", True), ("c", False), ("d", False), ("e", True))}
    assert verify.previous_verified(state, "d")["name"] == "b"
    assert verify.previous_verified(state, "a") is None
    assert verify.previous_verified(state, "new")["name"] == "e"
    assert verify.manifest_rows({"tables": {"a": {"rows": 3}, "b": {"rows": None, "rows_min": 2},
                                            "c": {"rows": None}, "d": "x", "e": {"rows": True}}}
                                ) == {"a": 3, "b": 2}


def restore_params(tmp_path) -> dict[str, Any]:
    return {"timeout": 60, "stall_timeout": 600, "os_user": "nobody",
            "login_unix_socket": None, "checksum": True, "work_dir": str(tmp_path),
            "threads": 1}


def test_the_verification_restores_the_backup_it_hashed_not_one_swapped_in_meanwhile(
        tmp_path, monkeypatch, recording_client: tuple[str, str]) -> None:
    """The backup was hashed by its name, then opened again by its name to be restored:
    a file renamed into its place in between (here: as the scratch database is created)
    was restored in place of the one whose SHA-256 matched the manifest."""
    folder, fed = recording_client
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.setattr(verify, "LOCK_PATH", str(tmp_path / "lock"))
    path = _sql_backup(tmp_path, b"CREATE TABLE hashed (id INT);\n")
    (tmp_path / "elsewhere").mkdir()
    swapped = _sql_backup(tmp_path / "elsewhere", b"CREATE TABLE swapped (id INT);\n")
    run_sql = verify.run_sql

    def swap_then_run_sql(argv: list[str], sql: str, timeout: float | None = None) -> Any:
        if sql.startswith("CREATE DATABASE"):
            os.rename(swapped, path)
        return run_sql(argv, sql, timeout=timeout)

    monkeypatch.setattr(verify, "run_sql", swap_then_run_sql)
    monkeypatch.setattr(verify, "measure", lambda *args, **kwargs: {"tables": ONE_TABLE})
    record = verify.verify(restore_params(tmp_path), files.read_manifest(
        str(path) + files.MANIFEST_SUFFIX) or {}, str(path))
    assert not swapped.exists()  # the swap did happen
    assert record["status"] == "ok", record
    with open(fed, "rb") as handle:
        assert handle.read() == b"CREATE TABLE hashed (id INT);\n"


def test_the_verification_follows_no_link_and_reads_no_fifo(
        tmp_path, monkeypatch, recording_client: tuple[str, str]) -> None:
    folder, fed = recording_client
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.setattr(verify, "LOCK_PATH", str(tmp_path / "lock"))
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    manifest = files.read_manifest(str(path) + files.MANIFEST_SUFFIX) or {}
    link = tmp_path / "sipp-20261122T020000.sql.gz"
    link.symlink_to(path)
    # the store holds no regular file at the name: no verdict on the backup (VerifyError)
    with pytest.raises(verify.VerifyError,
                       match=f"^{re.escape(str(link))} is a symbolic link \\(not followed\\)$"):
        verify.verify(restore_params(tmp_path), manifest, str(link))
    fifo = tmp_path / "sipp-20261123T020000.sql.gz"
    os.mkfifo(fifo)
    with within(30, "a FIFO is not waited for"), pytest.raises(
            verify.VerifyError, match=f"^{re.escape(str(fifo))} is not a regular file$"):
        verify.verify(restore_params(tmp_path), manifest, str(fifo))
    assert not os.path.exists(fed)  # nothing restored


def test_a_link_in_the_store_is_no_verdict_on_the_backup_it_names(
        tmp_path, monkeypatch, empty_server_client: str) -> None:
    """A symbolic link put at a stored backup's name (the store tampered with) was
    recorded in the ledger as the backup's failed verification, under the SHA-256 of the
    backup taken in (and the SIPP server then renamed its copy .failed): the court's
    record said the real backup was bad. It is an error naming the link; nothing is
    recorded."""
    monkeypatch.setenv("PATH", f"{empty_server_client}:{os.environ['PATH']}")
    (tmp_path / "store").mkdir()
    path = _sql_backup(tmp_path / "store", b"CREATE TABLE t (id INT);\n")
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=path.name + files.MANIFEST_SUFFIX)
    before = Path(record).read_bytes()
    os.rename(path, tmp_path / "elsewhere.sql.gz")
    path.symlink_to(tmp_path / "elsewhere.sql.gz")
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "ledger": record, "os_user": "nobody", "fail_on_mismatch": False})
    assert code == 1 and result["verification"]["status"] == "error", result
    assert f"{path} is a symbolic link (not followed)" in result["msg"]
    assert Path(record).read_bytes() == before


def test_a_manifest_changed_in_the_store_is_no_verdict_on_the_backup(
        tmp_path, monkeypatch, empty_server_client: str) -> None:
    """The stored manifest was edited after it was taken in (still a regular file): the
    verification compared the restore with what the edit said and recorded 'failed' under
    the SHA-256 of the real backup. The record's manifest_sha256 is checked first: an
    error naming the manifest, nothing recorded."""
    monkeypatch.setenv("PATH", f"{empty_server_client}:{os.environ['PATH']}")
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    mpath = Path(str(path) + files.MANIFEST_SUFFIX)
    record = str(tmp_path / ledger_mod.LEDGER_NAME)
    ledger_mod.append(record, "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=mpath.name,
                      manifest_sha256=hashlib.sha256(mpath.read_bytes()).hexdigest())
    before = Path(record).read_bytes()
    edited = json.loads(mpath.read_text())
    edited["tables"]["t"]["rows"] = 2
    mpath.write_text(json.dumps(edited))
    code, result = run_module("mariadb_restore_verify", tmp_path, {
        "path": str(path), "ledger": record, "os_user": "nobody", "fail_on_mismatch": False})
    assert code == 1 and result["verification"]["status"] == "error", result
    assert result["msg"] == (f"cannot verify {path}: manifest {mpath} changed since it was "
                             "taken in (its SHA-256 is not the one the record took in)")
    assert Path(record).read_bytes() == before


def test_a_lock_that_cannot_be_taken_is_this_computers_problem(tmp_path, monkeypatch) -> None:
    """An unwritable lock folder ended in a traceback, a failed flock in a NameError (its
    deadline unset): neither judged the backup, but neither said why."""
    monkeypatch.setattr(verify, "LOCK_PATH", str(tmp_path / "no-such-folder" / "lock"))
    with pytest.raises(verify.VerifyError, match=r"^cannot open the lock .*/no-such-folder/"
                       r"lock: No such file or directory$"):
        verify.verify(restore_params(tmp_path), {}, str(tmp_path / "x.sql.gz"))
    monkeypatch.setattr(verify, "LOCK_PATH", str(tmp_path / "lock"))

    def interrupted(_fd: int, _how: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(files.fcntl, "flock", interrupted)
    with pytest.raises(verify.VerifyError, match=r"^cannot lock .*/lock: No locks available$"):
        verify.verify(restore_params(tmp_path), {}, str(tmp_path / "x.sql.gz"))


def test_a_verify_restore_waits_for_the_lock_within_its_timeout_naming_the_holder(
        tmp_path) -> None:
    """A SIPP verification queued behind a long (or hung) website verification waited for
    the verification lock without end, the wait not counted in its timeout: until systemd
    stopped the scheduled run for passing its time limit ("stopped for passing its time
    limit", no cause), or for ever in a run by hand. The wait counts in the timeout; then
    the task fails without judging the backup, naming the holder and the wait, and
    nothing is recorded."""
    lock = tmp_path / "verify.lock"
    path = _sql_backup(tmp_path, b"CREATE TABLE t (id INT);\n")
    record = tmp_path / ledger_mod.LEDGER_NAME
    ledger_mod.append(str(record), "ingested", name=path.name, size=path.stat().st_size,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      manifest=path.name + files.MANIFEST_SUFFIX)
    before = record.read_bytes()
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "path": str(path), "ledger": str(record), "os_user": "nobody", "timeout": 2,
        "fail_on_mismatch": False}}))
    # the module as Ansible runs it, its lock in tmp_path (the host's is /run's)
    module = ROOT / "library" / "mariadb_restore_verify.py"
    driver = ("import importlib.util, sys\n"
              f"spec = importlib.util.spec_from_file_location('m', {str(module)!r})\n"
              "m = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\n"
              f"m.LOCK_PATH = {str(lock)!r}\nsys.argv = ['m', {str(args)!r}]\nm.main()\n")
    website = "/srv/backup/website/400999/cms-20261121T020000.sql.zst"
    with lock_held(lock, f"verifying {website}") as (pid, command):
        clock = time.monotonic()
        try:
            proc = run_python(driver, seconds=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the verification waited for the lock past its timeout")
        waited = time.monotonic() - clock
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout)
    assert proc.returncode == 1 and result["verification"]["status"] == "error", result
    assert result["verification"]["reason"] == (
        f"not started within 2 s (timeout): waited 2 s for the verification lock {lock}, held "
        f"by pid {pid} ({command}): verifying {website}; nothing restored")
    assert "not of the backup: it stays unverified" in result["msg"]
    assert 2 <= waited < 10
    assert record.read_bytes() == before


def test_the_lock_wait_of_a_verify_restore_counts_in_its_one_deadline(
        tmp_path, monkeypatch) -> None:
    """The restore's deadline was set once the lock was had: a verification that waited
    1.5 s still had its whole timeout ahead. It is one deadline from the start, the lock
    wait included; the wait is recorded (lock_wait) and counted in the duration."""
    lock = tmp_path / "lock"
    monkeypatch.setattr(verify, "LOCK_PATH", str(lock))
    deadlines: list[float] = []

    class Runner:
        def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
            deadlines.append(deadline)

    def stop_there(path: str) -> None:
        raise verify.VerifyFailed("stopped by the test")

    monkeypatch.setattr(verify, "Runner", Runner)
    monkeypatch.setattr(verify, "sweep_scratch", lambda runner, seconds: [])
    monkeypatch.setattr(verify, "open_backup", stop_there)
    with lock_held(lock) as (pid, _command):
        threading.Timer(1.5, os.kill, (pid, signal.SIGKILL)).start()
        clock = time.monotonic()
        with within(30, "the verification's wait for the lock"):
            record = verify.verify(dict(restore_params(tmp_path), timeout=3), {}, "x.sql.gz")
    assert record["reason"] == "stopped by the test"
    # the timer starts before the wait does: on a busy machine the wait measured may be
    # a few ms under 1.5 s (1.497 s seen); had at once it would be about 0
    assert 1.3 <= record["lock_wait"] <= record["duration"] < 3
    assert deadlines and deadlines[0] <= clock + 3.1


def test_a_verify_lock_note_of_another_process_is_not_its_holders(tmp_path) -> None:
    """The lock file still says what an earlier holder did (one that ended, or a
    verification before note_holder): the holder /proc/locks names is given without it."""
    lock = tmp_path / "lock"
    lock.write_text("1 verifying /srv/backup/sipp/old.sql.zst\n")
    with lock_held(lock) as (pid, command), open(lock, "rb+") as handle:
        assert files.flock_holder(handle.fileno()) == f"pid {pid} ({command})"
    with open(lock, "rb+") as handle:  # held by no one
        assert files.flock_holder(handle.fileno()) is None


def test_a_holders_byte_that_is_not_utf8_and_its_escape_spelled_out_read_differently(
        tmp_path) -> None:
    """The holder's command line and note turned a byte 0xff into the text \\xff before
    shown escaped it (the note was even written so), so a path holding that byte and one
    spelled with the four characters \\xff read alike: the byte is \\udcff, the
    spelling's backslash doubled, one way each."""
    lock = tmp_path / "lock"
    for spelling, escaped in (("a\udcffb", "a\\udcffb"), ("a\\xffb", "a\\\\xffb")):
        with lock_held(lock, f"verifying /srv/{spelling}", spelling) as (pid, command), \
                open(lock, "rb+") as handle:
            named = files.flock_holder(handle.fileno())
        start = command.removesuffix(spelling)
        assert named == f"pid {pid} ({start}{escaped}): verifying /srv/{escaped}"


@pytest.mark.parametrize("character", ["\udcff", "\n"], ids=["not-utf8", "newline"])
def test_a_holders_command_line_is_not_cut_inside_an_escape(
        tmp_path: Path, character: str) -> None:
    """A command line longer than HOLDER_MAX was cut in its shown form, so an escape that
    straddled the limit left a fragment (\\udc..., \\x0...) that reads as another
    character or a plain backslash: it is cut before the escape, which is left out."""
    lock = tmp_path / "lock"
    with lock_held(lock) as (_pid, probe):  # its script's folder is as long each time
        width = len(probe.removesuffix("holder-of-the-lock"))
    padding = "a" * (files.HOLDER_MAX - 2 - width)  # the escape starts 2 before the limit
    argument = f"{padding}{character}tail"
    with lock_held(lock, argument=argument) as (pid, command), open(lock, "rb+") as handle:
        named = files.flock_holder(handle.fileno())
    start = command.removesuffix(argument)
    assert len(start) == width and files.shown(start) == start
    assert named == f"pid {pid} ({start}{padding}...)"


def test_the_scratch_sweep_means_the_same_in_every_sql_mode(monkeypatch) -> None:
    """SHOW DATABASES LIKE 'sop\\_verify\\_%': with NO_BACKSLASH_ESCAPES in the server's
    sql_mode the backslash is a plain character and no escape, so the pattern matched
    no scratch database and a killed verification's stayed. The pattern has no
    backslash, its escape is named (SHOW ... LIKE takes none), and the names are
    checked again in Python."""
    sent: list[str] = []

    def run_sql(argv, sql, timeout=None):
        sent.append(sql)
        return [["sop_verify_1_2"], ["sopXverifyX3"], [None], ["sipp"], ["sop_verify_x"]]

    dropped: list[str] = []
    monkeypatch.setattr(verify, "run_sql", run_sql)
    monkeypatch.setattr(verify, "drop_scratch",
                        lambda runner, name, seconds: dropped.append(name))

    class Runner:
        def batch(self, database: str | None = None) -> list[str]:
            return ["true"]

    assert verify.sweep_scratch(Runner(), 5) == ["sop_verify_1_2", "sop_verify_x"]
    assert dropped == ["sop_verify_1_2", "sop_verify_x"]
    assert sent == ["SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                    "WHERE SCHEMA_NAME LIKE 'sop!_verify!_%' ESCAPE '!';\n"]
    assert "\\" not in sent[0]

def verified_backup(directory, name: str, content: bytes) -> str:
    """A backup file and its verified manifest, as the SIPP server holds them."""
    path = os.path.join(directory, name)
    with open(path, "wb") as handle:
        handle.write(content)
    files.write_json_atomic(path + files.MANIFEST_SUFFIX, {
        "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "verified": True,
        "verification": {"status": "ok"}, "period": name.split("-")[1][:8]})
    return path


def copy_args(src: str, media, **extra: object) -> dict:
    return {"src": src, "dest": str(media), "require_mountpoint": False, **extra}


def test_a_different_file_of_the_same_name_on_the_media_is_left_whole(tmp_path) -> None:
    """The media held a file of the backup's name that differed from it (another size):
    the copy wrote the backup's manifest over that file's, then failed to give the copy
    its name, leaving the old file described by the new manifest."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    src = verified_backup(server, "sipp-20261121T020000.sql.zst", b"the verified backup")
    old = verified_backup(media, "sipp-20261121T020000.sql.zst", b"something else")
    before = {p.name: p.read_bytes() for p in media.iterdir()}
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["copied"] is False
    assert "exists and differs" in result["msg"]
    assert {p.name: p.read_bytes() for p in media.iterdir()} == before, old


def test_a_keep_count_below_0_fails_the_copy_before_anything_is_copied(tmp_path) -> None:
    """keep_weekly=-1 ended the copy in a traceback (select's ValueError) after it
    copied: one line naming the option, and the medium untouched."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    src = verified_backup(server, "sipp-20261121T020000.sql.zst", b"the verified backup")
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media, keep_weekly=-1))
    assert code == 1 and result["msg"] == "removable media retention: keep_weekly must be >= 0"
    assert list(media.iterdir()) == []


@pytest.fixture
def medium(tmp_path):
    """A 1 MiB tmpfs as the removable medium: a file system that fills up for real."""
    with tmpfs(tmp_path / "medium", "1m") as path:
        yield path


OLD_COPIES = [f"sipp-202611{day}T020000.sql.zst" for day in (18, 19, 20)]
NEW_COPY = "sipp-20261121T020000.sql.zst"
# When each copy on the medium was last checked against its manifest (no backup's name).
SCRUB_RECORD = ".sop-scrub-sipp.json"


def full_medium(tmp_path, medium, size: int) -> str:
    """Three verified copies of 300 KiB on the 1 MiB medium, and a new backup of ``size``
    bytes on the server (the medium has room for less than 300 KiB more)."""
    for name in OLD_COPIES:
        verified_backup(medium, name, os.urandom(300 << 10))
    server = tmp_path / "server"
    server.mkdir()
    return verified_backup(server, NEW_COPY, os.urandom(size))


def medium_files(medium) -> list[str]:
    return sorted(p.name for p in medium.iterdir())


def contents(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in Path(directory).iterdir()}


def with_manifests(*names: str) -> list[str]:
    return sorted([*names, *(name + files.MANIFEST_SUFFIX for name in names)])


def keep_daily(count: int) -> dict:
    return {"keep_daily": count, "keep_weekly": 0, "keep_monthly": 0}


def test_a_full_medium_is_pruned_by_its_retention_and_the_copy_retried(tmp_path, medium) -> None:
    """The copy failed for lack of space and the medium's retention was skipped with it:
    a medium that filled up was never pruned and stayed full for ever."""
    src = full_medium(tmp_path, medium, 300 << 10)
    code, result = run_module("backup_copy", tmp_path,
                              {"src": src, "dest": str(medium), **keep_daily(2)})
    assert code == 0 and result["copied"] is True and result["changed"] is True, result
    assert warning_lines(result) == []
    # The oldest went to make room; the next, once the new copy is on the medium.
    assert result["pruned"] == OLD_COPIES[:2]
    assert medium_files(medium) == [SCRUB_RECORD, *with_manifests(OLD_COPIES[2], NEW_COPY)]
    assert (medium / NEW_COPY).read_bytes() == (tmp_path / "server" / NEW_COPY).read_bytes()


def free_on(medium: Path) -> int:
    info = os.statvfs(medium)
    return info.f_bfree * info.f_frsize  # root's free (tmpfs reserves nothing)


def used_on(medium: Path) -> int:
    info = os.statvfs(medium)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def needed_for(src: str) -> int:
    return os.path.getsize(src) + os.path.getsize(src + files.MANIFEST_SUFFIX)


def bytes_of(medium: Path, names: list[str]) -> int:
    return sum((medium / name).stat().st_size for name in with_manifests(*names))


def no_room_line(medium: Path, src: str, kept: list[str]) -> str:
    """The warning of a copy that does not fit because of the copies the retention keeps
    (``kept``, the medium's copies of the prefix)."""
    text = copy_mod._bytes_text
    return ("removable media copy skipped: the copies of sipp "
            f"the medium's retention keeps do not fit on {medium} (they take "
            f"{text(bytes_of(medium, kept))}; {text(free_on(medium))} free, "
            f"{text(needed_for(src))} needed for {NEW_COPY}): lower keep_daily, keep_weekly "
            "or keep_monthly, or use a larger medium")


def test_sizes_in_messages_are_readable_and_exact() -> None:
    """English forms (Python's), not size_text's Bahasa Indonesia 1.000,0 KiB."""
    assert [copy_mod._bytes_text(n) for n in (0, 1023, 1024000, 2754860, 63 << 20, 5 << 30)
            ] == ["0 bytes", "1023 bytes", "1000.0 KiB (1024000 bytes)",
                  "2.6 MiB (2754860 bytes)", "63.0 MiB (66060288 bytes)",
                  "5.0 GiB (5368709120 bytes)"]


@pytest.mark.parametrize(("keep", "size", "pruned"), [
    (3, 300 << 10, []),  # every copy on the medium is kept: nothing to prune
    (2, 600 << 10, OLD_COPIES[:1]),  # the retention freed room, not enough
])
def test_copies_the_retention_keeps_that_do_not_fit_are_one_warning(
        tmp_path, medium, keep: int, size: int, pruned: list[str]) -> None:
    src = full_medium(tmp_path, medium, size)
    code, result = run_module("backup_copy", tmp_path,
                              {"src": src, "dest": str(medium), **keep_daily(keep)})
    assert code == 0 and result["copied"] is False, result
    assert result["pruned"] == pruned and result["changed"] is bool(pruned)
    # Nothing the retention keeps is gone; nothing of the failed copy is left.
    assert medium_files(medium) == [SCRUB_RECORD, *with_manifests(*OLD_COPIES[len(pruned):])]
    line = no_room_line(medium, src, OLD_COPIES[len(pruned):])
    assert warning_lines(result) == [line]
    assert result["msg"] == line


@pytest.mark.parametrize(("keep", "size", "msg", "pruned"), [
    (2, 300 << 10, f"would copy to {{medium}}/{NEW_COPY} once the medium's retention has "
                   "made room", OLD_COPIES[:2]),
    (3, 300 << 10, "removable media copy would be skipped: the copies of sipp the medium's "
                   "retention keeps do not fit on {medium} (they take ", []),
])
def test_check_mode_on_a_full_medium_says_what_it_would_do(
        tmp_path, medium, keep: int, size: int, msg: str, pruned: list[str]) -> None:
    """Check mode listed what the retention prunes to make room (the oldest copy), not
    what the run prunes once the new copy is on the medium too (the next one as well)."""
    src = full_medium(tmp_path, medium, size)
    before = contents(medium)
    code, result = run_module("backup_copy", tmp_path, {
        "src": src, "dest": str(medium), **keep_daily(keep), "_ansible_check_mode": True})
    assert code == 0, result
    assert result["msg"].startswith(msg.format(medium=medium)), result
    assert result["pruned"] == pruned
    assert contents(medium) == before
    code, done = run_module("backup_copy", tmp_path,
                            {"src": src, "dest": str(medium), **keep_daily(keep)})
    assert code == 0 and done["pruned"] == pruned, done


@pytest.mark.parametrize(("ours", "size"), [
    (0, 300 << 10),
    # The three copies would make room, not the two the retention can prune.
    (3, 190 << 10),
])
def test_a_medium_full_of_other_files_says_so(tmp_path: Path, medium: Path, ours: int,
                                             size: int) -> None:
    """Lab: on a medium filled by another file (none of the copies on it, or too few to
    make room even if the retention kept only the newest) the warning said that the
    copies the retention keeps do not fit and to lower keep_*, which frees nothing there.
    Another prefix's copy is another file too."""
    (medium / "film.mkv").write_bytes(os.urandom(700 << 10))
    verified_backup(medium, "sipp-test-20261120T020000.sql.zst", os.urandom(64 << 10))
    for name in OLD_COPIES[:ours]:
        verified_backup(medium, name, os.urandom(64 << 10))
    server = tmp_path / "server"
    server.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(size))
    before = contents(medium)
    text = copy_mod._bytes_text
    ours_text = (f"the copies of sipp take {text(bytes_of(medium, OLD_COPIES[:ours]))}, too "
                 "little to make room even if the retention kept only the newest" if ours
                 else "no copy of sipp is on it")

    def line(skipped: str) -> str:
        others = used_on(medium) - bytes_of(medium, OLD_COPIES[:ours])
        assert others >= (700 + 64) << 10  # the film and sipp-test's copy at least
        return (f"removable media copy {skipped}: {medium} is full of other files (they "
                f"take {text(others)}; {ours_text}; {text(free_on(medium))} free, "
                f"{text(needed_for(src))} needed for {NEW_COPY}): free room on it or use "
                "another medium")

    args = {"src": src, "dest": str(medium)}  # the default keep_*: 7 days and more
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0 and check["copied"] is False and check["pruned"] == [], check
    assert check["msg"] == line("would be skipped") and check["msg"] in warning_lines(check)
    assert contents(medium) == before
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["copied"] is False and done["pruned"] == [], done
    # (the run wrote the scrub's record before the copy: measured again)
    assert done["msg"] == line("skipped") and warning_lines(done) == [done["msg"]]
    assert "keep_daily" not in done["msg"] + check["msg"]


@pytest.mark.parametrize("ours", [0, 1])
def test_a_medium_too_small_for_the_copy_says_so(tmp_path: Path, medium: Path,
                                                ours: int) -> None:
    """A medium with nothing on it (or only the newest copy, which no retention prunes)
    that the copy does not fit is neither full of copies nor of other files."""
    for name in OLD_COPIES[:ours]:
        verified_backup(medium, name, os.urandom(300 << 10))
    server = tmp_path / "server"
    server.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(1100 << 10))
    code, done = run_module("backup_copy", tmp_path,
                            {"src": src, "dest": str(medium), **keep_daily(0)})
    assert code == 0 and done["copied"] is False and done["pruned"] == [], done
    text = copy_mod._bytes_text
    ours_text = (f"the copies of sipp take {text(bytes_of(medium, OLD_COPIES[:1]))}, too "
                 "little to make room even if the retention kept only the newest" if ours
                 else "no copy of sipp is on it")
    assert warning_lines(done) == [done["msg"]] == [
        f"removable media copy skipped: {medium} is too small for the copy (1.0 MiB "
        f"(1048576 bytes) in all; {ours_text}; {text(free_on(medium))} free, "
        f"{text(needed_for(src))} needed for {NEW_COPY}): use a larger medium"]


@contextlib.contextmanager
def inode_starved_medium(tmp_path: Path, copies: list[str]) -> Iterator[tuple[str, Path]]:
    """A new verified backup on the server (its path) and a 1 MiB tmpfs medium of 16 file
    entries holding ``copies`` (verified older copies), its other entries taken by empty
    files: bytes free, no inode free."""
    server = tmp_path / "server"
    server.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(64 << 10))
    with tmpfs(tmp_path / "medium", "1m", inodes=16) as medium:
        for name in copies:
            verified_backup(medium, name, os.urandom(64 << 10))
        for number in range(16):
            try:
                (medium / f"note-{number}.txt").touch()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
        assert os.statvfs(medium).f_ffree == 0
        yield src, medium


def test_a_medium_with_no_free_inodes_says_so(tmp_path: Path) -> None:
    """A medium whose file entries (inodes) many small files took, its bytes free, was
    said to be full of other files or too small for the copy; check mode, judging by the
    free bytes only, said it would copy."""
    with inode_starved_medium(tmp_path, OLD_COPIES[2:]) as (src, medium):
        before = contents(medium)
        text = copy_mod._bytes_text
        cause = (f"{medium} has no free inodes (file entries) left (0 free, 2 needed for the "
                 f"copy and its manifest; {text(free_on(medium))} free, "
                 f"{text(needed_for(src))} needed for {NEW_COPY}): remove files from it or "
                 "use another medium")
        args = {"src": src, "dest": str(medium)}
        code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
        assert code == 0 and check["copied"] is False and "path" not in check, check
        assert check["msg"] == f"removable media copy would be skipped: {cause}"
        assert warning_lines(check) == [check["msg"]] and contents(medium) == before
        code, done = run_module("backup_copy", tmp_path, args)
        assert code == 0 and done["copied"] is False and done["pruned"] == [], done
        assert done["msg"] == f"removable media copy skipped: {cause}"
        assert done["msg"] in warning_lines(done)
        assert contents(medium) == before  # the older copy whole, nothing of the new one


def test_check_mode_counts_the_inodes_the_medium_retention_frees(tmp_path: Path) -> None:
    """A medium with no free inode whose retention prunes older copies: the run's copy is
    refused, the retention frees their inodes and the copy is tried once more; check mode
    said it would copy at once (by the free bytes), now once the retention made room,
    pruning what the run prunes. Two older copies go (four inodes): tmpfs charges the
    hard link that gives the copy its name one more, freed at once."""
    with inode_starved_medium(tmp_path, OLD_COPIES) as (src, medium):
        before = contents(medium)
        args = {"src": src, "dest": str(medium), **keep_daily(1)}
        code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
        assert code == 0 and warning_lines(check) == [] and contents(medium) == before, check
        assert check["msg"] == (f"would copy to {medium / NEW_COPY} once the medium's "
                                "retention has made room")
        code, done = run_module("backup_copy", tmp_path, args)
        assert code == 0 and done["copied"] is True, done
        assert done["pruned"] == check["pruned"] and sorted(done["pruned"]) == OLD_COPIES
        assert (medium / NEW_COPY).read_bytes() == Path(src).read_bytes()


def test_check_mode_prunes_as_the_copy_would(tmp_path) -> None:
    """With room on the medium, check mode applied the retention to the copies there
    without the new one: it said nothing would be pruned while the run pruned the
    oldest copy (every day, with the default keep_*), and it listed an old .partial
    leftover as pruned, which the run removes as a leftover instead."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    for name in OLD_COPIES[1:]:
        verified_backup(media, name, os.urandom(1000))
    leftover = media / (OLD_COPIES[0] + ".partial")
    leftover.write_bytes(b"cut short")
    moment = dt.datetime(2026, 11, 18, 2).timestamp()  # before the copies on the medium
    os.utime(leftover, (moment, moment))
    src = verified_backup(server, NEW_COPY, os.urandom(1000))
    args = copy_args(src, media, **keep_daily(2))
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0 and leftover.exists(), check
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["copied"] is True, done
    assert done["pruned"] == OLD_COPIES[1:2] and done["leftovers_removed"] == [leftover.name]
    assert (check["pruned"], check["leftovers_removed"]) == (
        done["pruned"], done["leftovers_removed"])


def test_check_mode_counts_the_room_a_leftover_frees(tmp_path, medium) -> None:
    """A .partial left by an interrupted copy is removed before the copy, so its room is
    the copy's: check mode said the copy would not fit where the run made it."""
    for name in OLD_COPIES[1:]:
        verified_backup(medium, name, os.urandom(300 << 10))
    (medium / (OLD_COPIES[0] + ".partial")).write_bytes(os.urandom(300 << 10))
    server = tmp_path / "server"
    server.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(300 << 10))
    args = {"src": src, "dest": str(medium), **keep_daily(3)}
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0 and check["msg"] == f"would copy to {medium}/{NEW_COPY}", check
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["copied"] is True and done["pruned"] == [], done


def test_a_read_only_medium_is_not_pruned(tmp_path, medium) -> None:
    """Only a full medium is pruned after a failed copy: a read-only, absent or failing
    one is a warning and nothing else, as before."""
    src = full_medium(tmp_path, medium, 300 << 10)
    subprocess.run(["mount", "-o", "remount,ro", str(medium)], check=True)
    code, result = run_module("backup_copy", tmp_path,
                              {"src": src, "dest": str(medium), **keep_daily(1)})
    assert code == 0 and result["copied"] is False and result["pruned"] == [], result
    assert "Read-only file system" in result["msg"]
    assert medium_files(medium) == with_manifests(*OLD_COPIES)


def test_a_read_only_medium_holding_the_copy_reports_it(tmp_path, medium) -> None:
    """A read-only medium that already held an up-to-date copy of the backup, whose
    retention wanted to prune, reported the copy skipped (copied false): the report then
    said there was no copy on the medium though there was one."""
    src = full_medium(tmp_path, medium, 64 << 10)
    shutil.copy(src, medium / NEW_COPY)
    shutil.copy(src + files.MANIFEST_SUFFIX, medium / (NEW_COPY + files.MANIFEST_SUFFIX))
    before = contents(medium)
    subprocess.run(["mount", "-o", "remount,ro", str(medium)], check=True)
    code, result = run_module("backup_copy", tmp_path,
                              {"src": src, "dest": str(medium), **keep_daily(1)})
    assert code == 0 and result["copied"] is True and result["pruned"] == [], result
    assert (result["path"], result["changed"]) == (str(medium / NEW_COPY), False)
    assert result["sha256"] == hashlib.sha256(Path(src).read_bytes()).hexdigest()
    assert result["msg"].startswith(
        f"copy up to date ({medium / NEW_COPY}), but the medium's upkeep (retention, "
        "damaged copies) failed: Read-only file system: "), result["msg"]
    assert result["msg"] in warning_lines(result) and "skipped" not in result["msg"]
    assert contents(medium) == before


def damaged_copy(tmp_path) -> tuple[str, str, bytes]:
    """A backup on the server and its copy on the medium with the same size and manifest,
    one byte of it changed (bit rot, a failing stick)."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    content = os.urandom(64 << 10)
    src = verified_backup(server, NEW_COPY, content)
    copy = verified_backup(media, NEW_COPY, content)
    rotten = bytes([content[0] ^ 1]) + content[1:]
    with open(copy, "r+b") as handle:
        handle.write(rotten[:1])
    return src, copy, rotten


def test_a_damaged_copy_on_the_media_is_set_aside_and_copied_anew(tmp_path) -> None:
    """A copy damaged on the media with the right size and manifest counted as up to date
    for ever."""
    src, copy, rotten = damaged_copy(tmp_path)
    media = os.path.dirname(copy)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["copied"] is True and result["changed"] is True, result
    aside = copy + ".damaged"
    assert result["damaged"] == aside
    assert warning_lines(result) == [
        f"removable media: {copy} differs from its manifest (SHA-256 "
        f"{hashlib.sha256(rotten).hexdigest()}, expected {result['sha256']}): set aside as "
        f"{aside} with its manifest; copying the backup anew"]
    with open(aside, "rb") as handle:
        assert handle.read() == rotten  # never deleted
    with open(src, "rb") as source, open(copy, "rb") as copied:
        assert copied.read() == source.read()
    assert sorted(os.listdir(media)) == [SCRUB_RECORD,
                                         *with_manifests(NEW_COPY, NEW_COPY + ".damaged")]
    # The next run finds the copy whole; the damaged one is no backup to its retention.
    code, again = run_module("backup_copy", tmp_path, copy_args(src, media, keep_daily=0,
                                                                keep_weekly=0, keep_monthly=0))
    assert code == 0 and again["changed"] is False and "damaged" not in again, again
    assert sorted(os.listdir(media)) == [SCRUB_RECORD,
                                         *with_manifests(NEW_COPY, NEW_COPY + ".damaged")]


def test_a_truncated_copy_with_the_backups_manifest_is_set_aside(tmp_path) -> None:
    """A copy cut short on the medium (its manifest the backup's, its size not) was
    refused as "exists and differs" on every run and never copied again."""
    src, copy, _ = damaged_copy(tmp_path)
    with open(copy, "r+b") as handle:
        handle.truncate(1000)
    media = os.path.dirname(copy)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["copied"] is True and result["damaged"] == copy + ".damaged"
    assert warning_lines(result)[0].startswith(
        f"removable media: {copy} differs from its manifest (1000 bytes, expected {64 << 10})")
    assert os.path.getsize(copy + ".damaged") == 1000
    with open(src, "rb") as source, open(copy, "rb") as copied:
        assert copied.read() == source.read()


def test_a_second_damaged_copy_never_replaces_the_first(tmp_path) -> None:
    src, copy, _ = damaged_copy(tmp_path)
    media = os.path.dirname(copy)
    os.link(copy, copy + ".damaged")
    os.link(copy + files.MANIFEST_SUFFIX, copy + ".damaged" + files.MANIFEST_SUFFIX)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["damaged"] == copy + ".damaged-2", result
    assert sorted(os.listdir(media)) == [SCRUB_RECORD, *with_manifests(
        NEW_COPY, NEW_COPY + ".damaged", NEW_COPY + ".damaged-2")]


def test_check_mode_names_the_damaged_copy_and_changes_nothing(tmp_path) -> None:
    src, copy, _ = damaged_copy(tmp_path)
    media = os.path.dirname(copy)
    before = contents(media)
    code, result = run_module("backup_copy", tmp_path,
                              {**copy_args(src, media), "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is True and result["damaged"] == copy + ".damaged"
    assert result["msg"] == f"would copy to {copy}"
    assert warning_lines(result)[0].endswith(
        f"would be set aside as {copy}.damaged with its manifest and the backup copied anew")
    assert contents(media) == before


def rotten_manifest(text: str) -> str:
    """A manifest whose JSON a flipped bit broke."""
    return text.replace("{", "{\x00", 1)


def other_sha256(text: str) -> str:
    """A manifest whose SHA-256 a flipped bit changed (still JSON)."""
    data = json.loads(text)
    data["sha256"] = ("1" if data["sha256"][0] != "1" else "2") + data["sha256"][1:]
    return json.dumps(data)


def other_period(text: str) -> str:
    """A manifest whose period a flipped bit changed (still JSON, size and SHA-256 right)."""
    return json.dumps(dict(json.loads(text), period="20261101"))


@pytest.mark.parametrize(("rot", "data_rots", "fault"), [
    (rotten_manifest, False, "has no readable manifest"),
    (rotten_manifest, True, "has no readable manifest"),
    (None, False, "has no readable manifest"),
    (other_sha256, False, "differs from its manifest (SHA-256 "),
    (other_sha256, True, "differs from its manifest (SHA-256 "),
    (other_period, False, "has a manifest that differs from the backup's (same size and SHA-256)"),
])
def test_a_copy_whose_manifest_rotted_is_set_aside_and_copied_anew(
        tmp_path, rot, data_rots: bool, fault: str) -> None:
    """A copy on the medium whose manifest rotted (unreadable, missing, or no longer the
    backup's) was refused as "exists and differs" on every run until the medium's
    retention pruned it as unverified: the medium had no good copy of that backup."""
    src, copy, _ = damaged_copy(tmp_path)
    mpath = copy + files.MANIFEST_SUFFIX
    if not data_rots:
        shutil.copyfile(src, copy)
    if rot is None:
        os.unlink(mpath)
    else:
        Path(mpath).write_text(rot(Path(mpath).read_text()))
    before = contents(os.path.dirname(copy))
    code, result = run_module("backup_copy", tmp_path, copy_args(src, os.path.dirname(copy)))
    assert code == 0 and result["copied"] is True and result["changed"] is True, result
    aside = copy + ".damaged"
    assert result["damaged"] == aside
    assert warning_lines(result)[0].startswith(f"removable media: {copy} {fault}"), result
    assert warning_lines(result)[0].endswith(
        f": set aside as {aside} with its manifest; copying the backup anew")
    # Set aside whole, never deleted: the data and the manifest (when there was one).
    assert Path(aside).read_bytes() == before[NEW_COPY]
    if rot is not None:
        assert Path(aside + files.MANIFEST_SUFFIX).read_bytes() == before[
            NEW_COPY + files.MANIFEST_SUFFIX]
    assert Path(copy).read_bytes() == Path(src).read_bytes()
    assert Path(mpath).read_bytes() == Path(src + files.MANIFEST_SUFFIX).read_bytes()


def test_a_whole_copy_is_never_set_aside_when_the_backup_is_the_damaged_side(
        tmp_path) -> None:
    """The backup's own manifest rotted on the server (its SHA-256 changed): the copy on
    the medium is whole by its manifest and stays as it is; nothing is copied."""
    src, copy, _ = damaged_copy(tmp_path)
    shutil.copyfile(src, copy)
    mpath = Path(src + files.MANIFEST_SUFFIX)
    mpath.write_text(other_sha256(mpath.read_text()))
    media = os.path.dirname(copy)
    before = contents(media)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["copied"] is False and "damaged" not in result, result
    assert "exists and differs" in result["msg"]
    assert {name: data for name, data in contents(media).items()
            if not name.startswith(".")} == before


def scrub_record(media, **checked: int) -> None:
    """The medium's record of when each copy was last checked (seconds since the epoch)."""
    Path(media, SCRUB_RECORD).write_text(json.dumps({"version": 1, "checked": checked}))


def older_copies(tmp_path) -> tuple[str, Path]:
    """The backup on the server and, on the medium, its copy and three older ones."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    content = os.urandom(4096)
    src = verified_backup(server, NEW_COPY, content)
    verified_backup(media, NEW_COPY, content)
    for name in OLD_COPIES:
        verified_backup(media, name, os.urandom(4096))
    return src, media


def rot(path: Path) -> None:
    """Flip a bit of ``path`` (bit rot: same size, other content)."""
    data = path.read_bytes()
    path.write_bytes(bytes([data[0] ^ 1]) + data[1:])


def test_the_scrub_sets_aside_an_older_copy_found_damaged(tmp_path) -> None:
    """Only the current copy was re-hashed: an older copy that rotted on the medium was
    counted by its retention as kept, for ever."""
    src, media = older_copies(tmp_path)
    rot(media / OLD_COPIES[2])
    scrub_record(media, **{OLD_COPIES[0]: 100, OLD_COPIES[1]: 200})
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media, **keep_daily(2)))
    assert code == 0 and result["copied"] is True and result["changed"] is True, result
    old = str(media / OLD_COPIES[2])
    assert result["scrubbed"] == old
    assert result["damaged_others"] == {old: old + ".damaged"}
    expected = json.loads(Path(old + ".damaged" + files.MANIFEST_SUFFIX).read_text())
    assert warning_lines(result) == [
        f"removable media: {old} differs from its manifest (SHA-256 "
        f"{files.sha256_file(old + '.damaged')}, expected {expected['sha256']}): set aside "
        f"as {old}.damaged with its manifest"]
    # The retention keeps the newest two whole copies: the damaged one is not counted.
    assert result["pruned"] == OLD_COPIES[:1]
    assert medium_files(media) == sorted([
        SCRUB_RECORD, *with_manifests(OLD_COPIES[1], NEW_COPY, OLD_COPIES[2] + ".damaged")])


def test_the_scrub_checks_the_copy_checked_longest_ago(tmp_path) -> None:
    """Each run re-hashes one older copy: never checked first (the oldest of them), then
    the one checked longest ago. The copy made or re-hashed counts as checked."""
    src, media = older_copies(tmp_path)
    scrubbed = []
    for _ in range(4):
        code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
        assert code == 0 and result["changed"] is False and warning_lines(result) == [], result
        scrubbed.append(os.path.basename(result["scrubbed"]))
    assert scrubbed == [*OLD_COPIES, OLD_COPIES[0]]
    record = json.loads((media / SCRUB_RECORD).read_text())
    assert sorted(record["checked"]) == sorted([*OLD_COPIES, NEW_COPY])
    # The record is no backup nor a leftover of one: no retention takes or prunes it.
    assert SCRUB_RECORD not in {item["name"] for item in files.inventory(str(media), "sipp")}
    code, result = run_module("backup_copy", tmp_path, copy_args(
        src, media, keep_daily=0, keep_weekly=0, keep_monthly=0))
    assert code == 0 and sorted(result["pruned"]) == OLD_COPIES, result
    assert medium_files(media) == sorted([SCRUB_RECORD, *with_manifests(NEW_COPY)])
    assert list(json.loads((media / SCRUB_RECORD).read_text())["checked"]) == [NEW_COPY]


@pytest.mark.parametrize("record", [b"{\x00", b"[" * 100_000, b'{"version": 1, "checked": 7}',
                                    b'{"version": 1, "checked": {"x": "y"}}', b"[]"])
def test_an_unreadable_scrub_record_means_never_checked(tmp_path, record: bytes) -> None:
    src, media = older_copies(tmp_path)
    (media / SCRUB_RECORD).write_bytes(record)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and warning_lines(result) == [], result
    assert result["scrubbed"] == str(media / OLD_COPIES[0])
    checked = json.loads((media / SCRUB_RECORD).read_text())["checked"]
    assert sorted(checked) == [OLD_COPIES[0], NEW_COPY]


def test_a_scrub_record_that_cannot_be_written_is_a_warning(tmp_path) -> None:
    src, media = older_copies(tmp_path)
    (media / SCRUB_RECORD).mkdir()  # neither read nor replaced
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media))
    assert code == 0 and result["copied"] is True and result["changed"] is False, result
    assert result["scrubbed"] == str(media / OLD_COPIES[0])
    assert warning_lines(result) == [
        f"removable media: {media / SCRUB_RECORD} not written (Is a directory): the next run "
        "checks the same copies again"]


def test_an_older_copy_whose_manifest_rotted_is_set_aside_not_pruned(tmp_path) -> None:
    """An older copy whose manifest rotted was pruned by the medium's retention as
    unverified: a copy whose content may be whole, deleted. Found from its manifest and
    size (no read of its content), it is set aside like a damaged one; check mode says
    so and prunes as the run does."""
    src, media = older_copies(tmp_path)
    manifest = media / (OLD_COPIES[1] + files.MANIFEST_SUFFIX)
    manifest.write_text(rotten_manifest(manifest.read_text()))
    old = str(media / OLD_COPIES[1])
    before = contents(media)
    args = copy_args(src, media, **keep_daily(2))
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0 and contents(media) == before, check
    assert check["damaged_others"] == {old: old + ".damaged"}
    assert warning_lines(check) == [f"removable media: {old} has no readable manifest: would "
                                    f"be set aside as {old}.damaged with its manifest"]
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["damaged_others"] == check["damaged_others"], done
    assert warning_lines(done) == [f"removable media: {old} has no readable manifest: set "
                                   f"aside as {old}.damaged with its manifest"]
    assert done["pruned"] == check["pruned"] == OLD_COPIES[:1]
    assert Path(old + ".damaged").read_bytes() == before[OLD_COPIES[1]]


def test_check_mode_names_the_copy_it_would_scrub_and_reads_nothing(tmp_path) -> None:
    src, media = older_copies(tmp_path)
    rot(media / OLD_COPIES[0])
    before = contents(media)
    args = copy_args(src, media)
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0 and check["changed"] is False and contents(media) == before, check
    assert check["scrubbed"] == str(media / OLD_COPIES[0])
    assert check["damaged_others"] == {} and warning_lines(check) == []  # not read
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["scrubbed"] == check["scrubbed"], done
    assert done["damaged_others"] == {check["scrubbed"]: check["scrubbed"] + ".damaged"}


def stand_in_verification(monkeypatch, tmp_path, restored: dict[str, Any]) -> dict[str, Any]:
    """verify.verify with stand-ins for everything but the comparison (the runner, the
    scratch database, the restore), ``restored`` as what the restore measured; returns
    its parameters (the file is not hashed)."""

    class Runner:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def batch(self, database: str | None = None) -> list[str]:
            return ["true"]

        def left(self) -> float:
            return 60.0

    monkeypatch.setattr(verify, "LOCK_PATH", str(tmp_path / "lock"))
    monkeypatch.setattr(verify, "Runner", Runner)
    monkeypatch.setattr(verify, "sweep_scratch", lambda runner, seconds: [])
    monkeypatch.setattr(verify, "drop_scratch", lambda runner, name, seconds: None)
    monkeypatch.setattr(verify, "run_sql", lambda argv, sql, timeout=None: [])
    monkeypatch.setattr(verify, "restore", lambda *args, **kwargs: None)
    monkeypatch.setattr(verify, "measure", lambda *args, **kwargs: restored)
    return {"timeout": 60, "stall_timeout": 600, "os_user": "sop_verify", "login_unix_socket": None,
            "checksum": False, "work_dir": str(tmp_path), "threads": 1}


@pytest.mark.parametrize("manifest", [{"format": "sql", "tables": {}}, {"format": "sql"},
                                      {"format": "sql", "tables": None}])
def test_a_manifest_that_lists_no_table_does_not_verify(tmp_path, monkeypatch,
                                                        manifest: dict[str, Any]) -> None:
    """The dump of a database without tables (a wrong database name) restored nothing and
    compared equal with its manifest's empty list: 'restored 0 tables' verified it, as
    one without a table list at all (manifest.get("tables") or {})."""
    params = stand_in_verification(monkeypatch, tmp_path, {"tables": {}, "objects": {}})
    (tmp_path / "x.sql.gz").write_bytes(b"")
    record = verify.verify(params, manifest, str(tmp_path / "x.sql.gz"))
    assert (record["status"], record["reason"]) == (
        "failed", "the manifest lists no tables: a restore of nothing proves nothing (a "
                  "backup of an empty or a wrong database?)")


def unreadable(error: int) -> Any:
    """A stand-in for open_once or sha256_fileobj that fails with ``error``."""

    def fail(*_args: object) -> Any:
        raise OSError(error, os.strerror(error))

    return fail


@pytest.mark.parametrize(("where", "error"), [("open_once", errno.EACCES),
                                              ("sha256_fileobj", errno.EIO)])
def test_a_backup_file_that_cannot_be_read_is_no_verdict(tmp_path, monkeypatch, where: str,
                                                         error: int) -> None:
    """A stored backup the verification could not open or read (EACCES, EIO while
    hashing) was recorded 'failed', a verdict on a backup of which nothing was read, where
    website_archive_verify calls it an error: an error here too, nothing recorded."""
    params = stand_in_verification(monkeypatch, tmp_path, {"tables": ONE_TABLE})
    path = tmp_path / "x.sql.gz"
    path.write_bytes(b"")
    monkeypatch.setattr(verify, where, unreadable(error))
    with pytest.raises(verify.VerifyError,
                       match=f"^cannot read {re.escape(str(path))}: {os.strerror(error)}$"):
        verify.verify(dict(params, checksum=True), {"format": "sql", "tables": ONE_TABLE},
                      str(path))


@pytest.mark.parametrize(("module", "prefix"), [
    ("mariadb_backup", "backup of sip failed: "), ("mariadb_backup_preflight", "")])
def test_a_database_without_tables_is_not_backed_up(tmp_path, monkeypatch, module: str,
                                                    prefix: str) -> None:
    """A wrong database name (one the account may read, without tables) gave an empty
    backup, taken and reported ok every day. Refused in one line, nothing written; the
    preflight (the preparation activity) refuses it in the same words."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "mariadb").write_text('#!/bin/sh\ncase "$(cat)" in *"VERSION()"*) '
                                  "echo 10.11.6-MariaDB ;; esac\nexit 0\n")
    (fake / "mariadb").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    dest = tmp_path / "backups"
    dest.mkdir()
    code, result = run_module(module, tmp_path, {
        "database": "sip", "dest": str(dest), "login_user": "sop_backup"})
    assert (code, result["msg"]) == (1, f"{prefix}database sip has no tables: "
                                        "nothing to back up (is it the right database, "
                                        "and may the backup account see its tables?)")
    assert os.listdir(dest) == []


def test_a_backup_without_row_counts_lists_its_tables_and_verifies(tmp_path,
                                                                  monkeypatch) -> None:
    """row_counts: false wrote tables: {} and objects: {}: the verification of any
    database with a table (or a view) failed with 'not in the manifest'. The table list
    is written regardless, each table not counted, and no objects."""
    dump = tmp_path / "mariadb-dump"
    dump.write_text("#!/bin/sh\necho 'CREATE TABLE t (id INT);'\n")
    dump.chmod(0o755)
    params = {"prefix": "sipp", "database": "sipp", "threads": 1, "compression": "zstd",
              "compression_level": None, "row_counts": False, "lock_budget_mb": 1,
              "stall_timeout": 0, "period": "daily"}
    (tmp_path / "backups").mkdir()
    made = backup._take_backup(
        params, "/dev/null", ["false"], [{"name": "t", "engine": "InnoDB", "bytes": 0,
                                          "columns": []}], engine="mariadb-dump",
        binary=str(dump), path=str(tmp_path / "backups" / "sipp-20261121T020000.sql.zst"),
        period="2026-11-21", version="x", broken=[])
    manifest = files.read_manifest(made["manifest"]) or {}
    assert manifest["tables"] == {"t": {"rows": None, "checksum": None, "structure": None}}
    assert "objects" not in manifest
    assert (manifest["row_counts"], manifest["checksums"]) == ("not recorded", "not recorded")
    restored = {"tables": {"t": {"rows": 3, "checksum": "c", "structure": "s"}},
                "objects": {"view:v": "x"}}
    verify_params = stand_in_verification(monkeypatch, tmp_path, restored)
    record = verify.verify(verify_params, manifest, made["path"])
    assert (record["status"], record["reason"]) == (
        "ok", "restored 1 tables, 3 rows: row counts match (1 tables the backup did not "
              "count), content checksums match for 0 tables, views/triggers/routines/events "
              "not recorded by the backup")
    restored["tables"]["u"] = restored["tables"].pop("t")
    record = verify.verify(verify_params, manifest, made["path"])
    assert (record["status"], record["reason"]) == (
        "failed", "table t missing after restore; table u not in the manifest")


def test_verify_passes_the_manifests_broken_views_to_the_comparison(tmp_path,
                                                                   monkeypatch) -> None:
    """A view the backup left out as broken that the restore holds all the same (a
    mydumper that dumps it) does not fail the verification; one the manifest does not
    name does. Everything but the comparison is a stand-in here (the restore itself:
    tests/integration/test_sipp_backup.py)."""
    restored = {"tables": {"t": {"rows": 1, "checksum": "c", "structure": "s"}},
                "objects": {"view:v": "x", "view:v_rusak": "y"}}
    params = stand_in_verification(monkeypatch, tmp_path, restored)
    manifest = {"format": "mydumper-tar", "tables": {"t": {"rows": 1, "checksum": "c",
                                                           "structure": "s"}},
                "objects": {"view:v": "x"}, "broken_views": ["v_rusak"]}
    (tmp_path / "x.tar.zst").write_bytes(b"")  # opened (to be restored) even unhashed
    record = verify.verify(params, manifest, str(tmp_path / "x.tar.zst"))
    assert (record["status"], record["reason"]) == (
        "ok", "restored 1 tables, 1 rows: row counts match, content checksums match for 1 "
              "tables, 1 views/triggers/routines/events match")
    record = verify.verify(params, dict(manifest, broken_views=[]), str(tmp_path / "x.tar.zst"))
    assert (record["status"], record["reason"]) == (
        "failed", "view:v_rusak not in the manifest")


class CopyModule:
    """What backup_copy.run takes of AnsibleModule: its parameters and warnings."""

    def __init__(self, params: dict) -> None:
        self.params = {"require_mountpoint": True, "keep_daily": 7, "keep_weekly": 4,
                       "keep_monthly": 12, "reconciled": [], **params}
        self.check_mode = False
        self.warnings: list[str] = []

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)


@pytest.mark.parametrize("during", ["_scrub", "_keep_record"])
def test_a_medium_unmounted_during_the_task_gets_no_copy_on_the_servers_disk(
        tmp_path, monkeypatch, during: str) -> None:
    """The medium was found mounted once, at the start; pulled out while the scrub read an
    older copy whole (minutes at USB speed), the copy, its manifest and the scrub's record
    were written into its mount point, a directory of the server's own disk, and reported
    copied."""
    if os.geteuid() != 0:
        pytest.skip("mounts a tmpfs")
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(4096))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)], check=True)
    mounted = True
    try:
        verified_backup(media, OLD_COPIES[0], os.urandom(4096))
        step = getattr(copy_mod, during)

        def pulled_out(*args, **kwargs) -> None:
            nonlocal mounted
            step(*args, **kwargs)
            if mounted:
                subprocess.run(["umount", str(media)], check=True)
                mounted = False

        monkeypatch.setattr(copy_mod, during, pulled_out)
        if during == "_keep_record":  # past the check after the scrub: the copy's own
            monkeypatch.setattr(copy_mod, "_present", lambda dest, device: None,
                                raising=False)
        done: dict = {"copied": False, "pruned": []}
        with pytest.raises(OSError) as raised:
            copy_mod.run(CopyModule({"src": src, "dest": str(media)}), done)
        assert raised.value.strerror == (
            f"removable media not present: {media} was unmounted during the task (nothing is "
            "written on the directory left in its place)")
        assert not mounted and list(media.iterdir()) == []
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(media)], check=True)


def fake_statvfs(monkeypatch: pytest.MonkeyPatch, media: Path, medium: dict[str, int]) -> None:
    """os.statvfs of the directory ``media`` with the fields ``medium`` (f_ffree=0, ...)
    set; of any other path, as it is."""
    real_statvfs = os.statvfs

    def statvfs(path: Any) -> os.statvfs_result:
        info = real_statvfs(path)
        if os.fspath(path) != str(media):
            return info
        fields = {name: getattr(info, name) for name in (
            "f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree",
            "f_favail", "f_flag", "f_namemax")}
        return os.statvfs_result(tuple({**fields, **medium}.values()))

    monkeypatch.setattr(os, "statvfs", statvfs)


def refused_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: int,
                 medium: dict[str, int], *, check: bool = False
                 ) -> tuple[Path, str, CopyModule, dict[str, Any]]:
    """backup_copy.run (in check mode when ``check``) with the write of the copy refused
    with ``refused`` (an errno) and the medium's statvfs fields ``medium`` (f_ffree=0, ...)
    set: the medium, the backup, the module and the result. An older copy is on the
    medium and stays whole."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    src = verified_backup(server, NEW_COPY, os.urandom(4096 + 100))
    verified_backup(media, OLD_COPIES[2], os.urandom(4096))
    before = contents(media)

    def write(_self: Any, _chunk: bytes) -> None:
        raise OSError(refused, os.strerror(refused))

    fake_statvfs(monkeypatch, media, medium)
    monkeypatch.setattr(files.HashingWriter, "write", write)
    module = CopyModule({"src": src, "dest": str(media), "require_mountpoint": False})
    module.check_mode = check
    done: dict[str, Any] = {"copied": False, "pruned": []}
    copy_mod.run(module, done)
    assert done["copied"] is False and done["pruned"] == [] and "path" not in done, done
    assert module.warnings == [done["msg"]]
    after = contents(media)
    assert check or after.pop(SCRUB_RECORD)  # a run keeps its record, check mode writes none
    assert after == before  # nothing of the failed copy
    return media, src, module, done


PLENTY = {"f_frsize": 4096, "f_blocks": 1 << 20, "f_bfree": 1 << 19, "f_bavail": 1 << 19,
          "f_files": 1000, "f_ffree": 900, "f_favail": 900}


@pytest.mark.parametrize(("refused", "medium", "cause"), [
    (errno.EDQUOT, PLENTY, "{media}: disk quota exceeded (a quota of the user, group or "
                           "project writing the copy, not the medium's room; {room}): raise "
                           "the quota or free room under it, or use another medium"),
    # The errno names a quota: so does the line, the medium's inodes used up too
    (errno.EDQUOT, {**PLENTY, "f_ffree": 0, "f_favail": 0}, "{media}: disk quota exceeded"),
    (errno.ENOSPC, {**PLENTY, "f_ffree": 0, "f_favail": 0},
     "{media} has no free inodes (file entries) left (0 free, 2 needed for the copy and its "
     "manifest; {room}): remove files from it or use another medium"),
    (errno.ENOSPC, {**PLENTY, "f_ffree": 1, "f_favail": 1},
     "{media} has too few free inodes (file entries) left (1 free, 2 needed"),
    (errno.ENOSPC, PLENTY,
     "{media} refused the copy with no space left on device (ENOSPC) though it has room "
     "for it ({room}, 900 free inodes): not its size but another limit of its file system "
     "(a project quota, its metadata space full): check it (df, df -i, its quotas) or use "
     "another medium"),
    # FAT counts no inodes (f_files 0): none to run out of, none named
    (errno.ENOSPC, {**PLENTY, "f_files": 0, "f_ffree": 0, "f_favail": 0},
     "{media} refused the copy with no space left on device (ENOSPC) though it has room "
     "for it ({room}): not its size"),
])
def test_a_medium_refusing_the_copy_for_another_cause_than_its_bytes_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: int, medium: dict[str, int],
        cause: str) -> None:
    """A copy refused for a disk quota (EDQUOT), for want of inodes, or with ENOSPC while
    the medium had bytes enough free was said to be refused for the room on the medium:
    full of other files, or too small for the copy, which it was not."""
    media, src, _module, done = refused_copy(tmp_path, monkeypatch, refused, medium)
    text = copy_mod._bytes_text
    room = (f"{text((1 << 19) * 4096)} free, {text(needed_for(src))} needed for "
            f"{NEW_COPY}")
    assert done["msg"].startswith("removable media copy skipped: " + cause.format(
        media=media, room=room)), done["msg"]
    assert "too small" not in done["msg"] and "full of other files" not in done["msg"]


@pytest.mark.parametrize("inodes", [0, 1])
def test_check_mode_says_the_copy_would_be_refused_for_want_of_inodes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inodes: int) -> None:
    """Check mode judged by the free bytes only: a medium with no (or one) free inode, its
    bytes free, would copy, then the run was refused (ENOSPC) and named the inodes."""
    medium = {**PLENTY, "f_ffree": inodes, "f_favail": inodes}
    media, src, _module, check = refused_copy(tmp_path, monkeypatch, errno.ENOSPC, medium,
                                              check=True)
    module = CopyModule({"src": src, "dest": str(media), "require_mountpoint": False})
    done: dict[str, Any] = {"copied": False, "pruned": []}
    copy_mod.run(module, done)  # the run on the same medium, the write refused
    assert f"has {'no' if inodes == 0 else 'too few'} free inodes" in done["msg"], done
    assert check["msg"] == done["msg"].replace("copy skipped: ", "copy would be skipped: ")


def test_enospc_with_the_bytes_short_in_whole_blocks_is_the_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC with as many bytes free as the copy's size but fewer than the whole blocks
    it takes (its file and its manifest each end in a part block) is a lack of bytes: the
    medium's room is named, not another limit."""
    blocks = -(-(4096 + 100) // 4096)  # the backup's; its manifest takes one more
    media, src, _module, done = refused_copy(
        tmp_path, monkeypatch, errno.ENOSPC, {**PLENTY, "f_blocks": blocks,
                                              "f_bfree": blocks, "f_bavail": blocks})
    assert blocks * 4096 >= needed_for(src)
    assert "ENOSPC" not in done["msg"] and "inodes" not in done["msg"]
    assert done["msg"].startswith(f"removable media copy skipped: {media} is "), done["msg"]


def test_the_copy_made_after_the_clock_went_back_is_not_pruned_from_the_medium(
        tmp_path) -> None:
    """With the clock set back (a dead CMOS battery) the new backup is named 1 January
    2000: the medium's retention, ordering its copies by their names, took it for the
    oldest and pruned it right after copying it, while reporting it copied."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    for name in OLD_COPIES:
        verified_backup(media, name, os.urandom(1000))
    new = "sipp-20000101T020000.sql.zst"
    src = verified_backup(server, new, os.urandom(1000))
    args = copy_args(src, media, **keep_daily(2))
    code, check = run_module("backup_copy", tmp_path, {**args, "_ansible_check_mode": True})
    assert code == 0, check
    code, done = run_module("backup_copy", tmp_path, args)
    assert code == 0 and done["copied"] is True, done
    # kept: the copy just made and the newest day before it
    assert done["pruned"] == check["pruned"] == [OLD_COPIES[1], OLD_COPIES[0]]
    assert medium_files(media) == sorted([SCRUB_RECORD, *with_manifests(OLD_COPIES[2], new)])
    code, again = run_module("backup_copy", tmp_path, args)
    assert code == 0 and again["copied"] is True and again["pruned"] == [], again


def test_local_retention_keeps_the_backup_made_after_the_clock_went_back(tmp_path) -> None:
    """The SIPP server rebooted with a dead CMOS battery: its new backup is named 1 January
    2000. Its own retention (no record: the dates in the names) took it for the oldest and
    pruned it right after it was made. The run's backup (``current``) is the newest."""
    for name in OLD_COPIES:
        verified_backup(tmp_path, name, os.urandom(1000))
    new = "sipp-20000101T020000.sql.zst"
    verified_backup(tmp_path, new, os.urandom(1000))
    args = {"path": str(tmp_path), "prefix": "sipp", "current": new,
            "keep_daily": 2, "keep_weekly": 0, "keep_monthly": 0}
    rc, result = run_module("backup_retention", tmp_path, args)
    assert rc == 0, result.get("msg")
    assert [(item["name"], item["reasons"]) for item in result["kept"]] == [
        (new, ["newest verified", "daily 2000-01-01"]),
        (OLD_COPIES[2], ["daily 2026-11-20"])]
    assert [item["name"] for item in result["pruned"]] == [OLD_COPIES[1], OLD_COPIES[0]]
    assert (tmp_path / new).exists() and not (tmp_path / OLD_COPIES[1]).exists()
    rc, result = run_module("backup_retention", tmp_path, {
        **args, "ledger": str(tmp_path / "ledger.jsonl")})
    assert rc == 1 and "mutually exclusive" in result["msg"], result


@pytest.mark.parametrize(("role", "task", "made"), [
    ("sipp_backup", "Apply retention to the SIPP server's backups",
     {"sipp_backup__dump": "sipp-20000101T020000.sql.zst"}),
    ("website", "Apply retention to the web server's backups",
     {"website__backup_files": "website-20000101T020000.tar.zst",
      "website__backup_db": "website-db-20000101T020000.sql.zst"})])
def test_the_roles_local_retention_keeps_the_backups_of_the_run(
        tmp_path, role: str, task: str, made: dict[str, str]) -> None:
    """The roles' own retention (the SIPP server's, the web server's: no record) was given
    no ``current``: the run's backup, named 1 January 2000 after a reboot with a dead CMOS
    battery, was pruned as the oldest right after it was made."""
    local = tmp_path / "local"
    local.mkdir()
    for name in made.values():
        prefix, ext = name.split("-20000101T020000")
        for day in (18, 19, 20):
            verified_backup(local, f"{prefix}-202611{day}T020000{ext}", os.urandom(100))
        verified_backup(local, name, os.urandom(100))
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks/backup.yml").read_text())
    play = tmp_path / "retention.yml"
    play.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        t for t in tasks if t.get("name") == task]}]), encoding="utf-8")
    var = "sipp" if role == "sipp_backup" else "website"  # also the backups' prefix
    extra = {f"{var}_backup_local_dir": str(local), f"{var}_backup_keep_daily": 2,
             f"{var}_backup_keep_weekly": 0, f"{var}_backup_keep_monthly": 0,
             f"{var}_backup_prefix": var,
             "website_backup_db_prefix": "website-db",
             **{key: {"path": str(local / name)} for key, name in made.items()}}
    (tmp_path / "vars.json").write_text(json.dumps(extra), encoding="utf-8")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "-e", f"@{tmp_path / 'vars.json'}", str(play)],
                          capture_output=True, text=True, check=False, timeout=300,
                          env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in made.values():
        prefix, ext = name.split("-20000101T020000")
        assert sorted(n for n in os.listdir(local) if files.owned_by(n, prefix) == "backup") \
            == [name, f"{prefix}-20261120T020000{ext}"]


def test_a_backup_larger_than_a_file_on_the_medium_is_one_line(tmp_path) -> None:
    """FAT32 (most USB disks) holds at most 4 GiB a file: the copy of a larger backup
    failed as 'File too large', which named neither the medium nor the remedy. The
    process's file size limit stands in for FAT32's here."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    verified_backup(media, OLD_COPIES[2], os.urandom(1000))
    src = verified_backup(server, NEW_COPY, os.urandom(64 << 10))
    before = contents(media)
    code, result = run_module("backup_copy", tmp_path, copy_args(src, media),
                              file_limit=16 << 10)
    assert code == 0 and result["copied"] is False and result["pruned"] == [], result
    line = (f"removable media copy skipped: {NEW_COPY} ({64 << 10} bytes) is larger than one "
            f"file on {media} can be (FAT32, the file system of most USB disks, holds at "
            "most 4 GiB a file): format the medium as exFAT or ext4")
    assert result["msg"] == line and warning_lines(result) == [line]
    assert {name: data for name, data in contents(media).items()
            if name != SCRUB_RECORD} == before


@pytest.mark.parametrize(("kind", "size", "refused"), [
    ("vfat", copy_mod.FAT_FILE_MAX + 1, True),
    ("msdos", copy_mod.FAT_FILE_MAX + 1, True),
    ("vfat", copy_mod.FAT_FILE_MAX, False),  # the most one FAT file holds
    ("exfat", copy_mod.FAT_FILE_MAX + 1, False),
    (None, copy_mod.FAT_FILE_MAX + 1, False),  # no file system found: the bytes judge
])
def test_check_mode_says_a_backup_larger_than_a_file_on_fat_would_be_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str | None, size: int,
        refused: bool) -> None:
    """Check mode judged by the free bytes only: a backup above 4 GiB less one byte to a
    FAT32 medium would copy, then the run's write failed at FAT's limit (EFBIG) and said
    so. A sparse file stands in for the backup, 8 GiB free on the medium for its room;
    the run's EFBIG comes from the process's file size limit, as in the test above."""
    server, media = tmp_path / "server", tmp_path / "media"
    server.mkdir()
    media.mkdir()
    verified_backup(media, OLD_COPIES[2], os.urandom(1000))
    src = str(server / NEW_COPY)
    with open(src, "wb") as handle:
        handle.truncate(size)
    files.write_json_atomic(src + files.MANIFEST_SUFFIX, {
        "size": size, "sha256": "0" * 64, "verified": True, "verification": {"status": "ok"},
        "period": "20261121"})
    before = contents(media)
    asked: list[int] = []

    def file_system(device: int) -> str | None:
        asked.append(device)
        return kind

    monkeypatch.setattr(copy_mod, "_file_system", file_system)
    fake_statvfs(monkeypatch, media, {**PLENTY, "f_bfree": 1 << 21, "f_bavail": 1 << 21})
    module = CopyModule(copy_args(src, media))
    module.check_mode = True
    check: dict[str, Any] = {"copied": False, "pruned": []}
    copy_mod.run(module, check)
    assert contents(media) == before
    assert asked == ([os.stat(media).st_dev] if size > copy_mod.FAT_FILE_MAX else [])
    assert check["copied"] is False and check["pruned"] == [], check
    if not refused:
        assert check["msg"] == f"would copy to {media / NEW_COPY}" and module.warnings == []
        return
    assert "path" not in check and module.warnings == [check["msg"]]
    code, done = run_module("backup_copy", tmp_path, copy_args(src, media),
                            file_limit=16 << 10)
    assert code == 0 and done["copied"] is False and done["pruned"] == [], done
    assert done["msg"] == (f"removable media copy skipped: {NEW_COPY} ({size} bytes) is larger "
                           f"than one file on {media} can be (FAT32, the file system of most "
                           "USB disks, holds at most 4 GiB a file): format the medium as "
                           "exFAT or ext4")
    assert check["msg"] == done["msg"].replace("copy skipped: ", "copy would be skipped: ")


def test_the_media_file_system_is_found_by_its_device_in_mountinfo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, medium: Path) -> None:
    """The file system check mode judges FAT by: the one of the medium's device, whichever
    mount of it (a bind mount, the automount point it is stacked on) the path went
    through; none when the table is unreadable or lacks the device."""
    assert copy_mod._file_system(os.stat(medium).st_dev) == "tmpfs"  # this process's table
    table = tmp_path / "mountinfo"
    table.write_text(
        "36 25 0:55 / /media/usb rw,relatime shared:20 - autofs systemd-1 rw,fd=45\n"
        "98 36 8:17 / /media/usb rw,nosuid,nodev,relatime shared:50 - vfat /dev/sdb1 rw\n"
        "99 25 8:17 /sipp /srv/usb\\040disk rw,relatime shared:50 - vfat /dev/sdb1 rw\n"
        "100 25 8:33 / /media/other rw,relatime - exfat /dev/sdc1 rw\n")
    monkeypatch.setattr(copy_mod, "MOUNTINFO", str(table))
    assert [copy_mod._file_system(os.makedev(*device))
            for device in ((8, 17), (0, 55), (8, 33), (8, 1))] == [
                "vfat", "autofs", "exfat", None]
    table.unlink()
    assert copy_mod._file_system(os.makedev(8, 17)) is None


VERDICT = {"status": "ok", "reason": "restored, content matches", "method": "restore",
           "verified_on": "backup.pn.go.id"}


def local_backup(directory: Path, name: str, content: bytes = b"dump", *,
                 verified: bool = False, sha256: str | None = None) -> Path:
    """A backup of the SIPP server and its manifest as mariadb_backup writes them
    (pending until verify.yml marks it)."""
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_bytes(content)
    Path(files.manifest_path(str(path))).write_text(json.dumps({
        "size": len(content), "sha256": sha256 or hashlib.sha256(content).hexdigest(),
        "period": "2026-12-06", "verified": verified,
        "verification": VERDICT if verified else {"status": "pending"}}))
    return path


def verdict(content: bytes = b"dump", **verification: Any) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(content).hexdigest(),
            "verification": {**VERDICT, **verification}}


def test_reconcile_records_the_backup_computers_verdict_in_a_pending_manifest_once(
        tmp_path: Path) -> None:
    """Lab: run B's backup verified on the backup computer, the run killed before the SIPP
    server's manifest was marked; the backup computer then pruned run A's backup. The
    record's verdict makes run B's the period's verified backup here again (idempotent,
    check mode honest); run A's manifest, already verified, is left as it is."""
    local = tmp_path / "local"
    a = local_backup(local, "sipp-20261206T182432.sql.zst", b"a", verified=True)
    b = local_backup(local, "sipp-20261206T183043.sql.zst", b"b")
    assert files.find_verified(str(local), "sipp", "2026-12-06")["path"] == str(a)
    manifest_a = Path(files.manifest_path(str(a))).read_bytes()
    args = {"path": str(local), "state": "reconcile", "verdicts": {
        a.name: verdict(b"a", reason="another reason"), b.name: verdict(b"b")}}
    before = Path(files.manifest_path(str(b))).read_bytes()
    code, result = run_module("backup_manifest", tmp_path, dict(args, _ansible_check_mode=True))
    assert (code, result["changed"], result["marked"]) == (0, True, [b.name]), result
    assert result["msg"] == f"would mark verified as the backup computer's record says: {b.name}"
    assert Path(files.manifest_path(str(b))).read_bytes() == before
    code, result = run_module("backup_manifest", tmp_path, args)
    assert (code, result["changed"], result["marked"]) == (0, True, [b.name]), result
    marked = json.loads(Path(files.manifest_path(str(b))).read_text())
    assert (marked["verified"], marked["verification"]) == (True, verdict(b"b")["verification"])
    assert Path(files.manifest_path(str(a))).read_bytes() == manifest_a
    assert files.find_verified(str(local), "sipp", "2026-12-06")["path"] == str(b)
    code, result = run_module("backup_manifest", tmp_path, args)
    assert (code, result["changed"], result["marked"]) == (0, False, []), result
    # verify.yml's mark with what the verify step returns of a backup the record shows
    # verified (the same verification): nothing changes
    code, result = run_module("backup_manifest", tmp_path, {
        "path": str(b), "state": "mark", "verification": verdict(b"b")["verification"]})
    assert (code, result["changed"], result["verified"]) == (0, False, True), result


def test_check_mode_reads_and_finds_a_pending_backup_as_the_reconcile_would_mark_it(
        tmp_path: Path) -> None:
    """Check mode's reconcile writes no mark: given what it would mark, the read of the
    backup (its verification) and the backup modules' search of the period's backup
    (reconciled) show it as a real run does once it is marked; a reconciled name whose
    file is not the manifest's size still does not count."""
    local = tmp_path / "local"
    a = local_backup(local, "sipp-20261206T182432.sql.zst", b"a", verified=True)
    b = local_backup(local, "sipp-20261206T183043.sql.zst", b"b")
    read = {"path": str(b), "verification": verdict(b"b")["verification"]}
    before = Path(files.manifest_path(str(b))).read_bytes()
    dry = run_module("backup_manifest", tmp_path, dict(read, _ansible_check_mode=True))
    assert Path(files.manifest_path(str(b))).read_bytes() == before
    assert files.find_verified(str(local), "sipp", "2026-12-06")["path"] == str(a)
    assert files.find_verified(str(local), "sipp", "2026-12-06",
                               reconciled=[b.name])["path"] == str(b)
    assert run_module("backup_manifest", tmp_path, {
        "path": str(local), "state": "reconcile", "verdicts": {b.name: verdict(b"b")}})[0] == 0
    real = run_module("backup_manifest", tmp_path, {"path": str(b)})
    assert dry[0] == real[0] == 0
    assert {k: v for k, v in dry[1].items() if k != "invocation"} == \
        {k: v for k, v in real[1].items() if k != "invocation"}
    assert dry[1]["verified"] is True and dry[1]["sop_output"]["verified"] is True
    b.write_bytes(b"bb")  # no longer the manifest's size
    assert files.find_verified(str(local), "sipp", "2026-12-06",
                               reconciled=[b.name])["path"] == str(a)


def test_check_mode_copies_and_prunes_as_the_real_run_once_the_reconcile_marked(
        tmp_path: Path) -> None:
    """Run B's backup (183043) verified on the backup computer, its manifest here pending:
    a real run's reconcile marks it, then its copy counts as the medium's newest verified
    one and the local retention prunes run A's backup (182432) of the same day, on the
    medium and here. Check mode's reconcile writes no mark: given what it would mark
    (reconciled), backup_copy and backup_retention predict exactly those prunes, where
    the pending manifests read from disk predicted none; a real run does not use it."""
    local, media = tmp_path / "local", tmp_path / "media"
    a = local_backup(local, "sipp-20261206T182432.sql.zst", b"a", verified=True)
    b = local_backup(local, "sipp-20261206T183043.sql.zst", b"b")
    local_backup(media, a.name, b"a", verified=True)  # copied by run A
    keep = {"keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12}
    retain = {"path": str(local), "prefix": "sipp", "current": b.name, **keep}
    copy = copy_args(str(b), media, **keep)

    def dry(name: str, args: dict[str, Any]) -> dict[str, Any]:
        code, result = run_module(name, tmp_path, dict(args, _ansible_check_mode=True))
        assert code == 0, result
        return result

    before = {folder: contents(folder) for folder in (local, media)}
    assert dry("backup_retention", retain)["pruned"] == []  # the manifest read: pending
    assert dry("backup_copy", copy)["pruned"] == []
    dry_retain = dry("backup_retention", dict(retain, reconciled=[b.name]))
    dry_copy = dry("backup_copy", dict(copy, reconciled=[b.name]))
    code, unused = run_module("backup_retention", tmp_path, dict(retain, reconciled=[b.name]))
    assert (code, unused["pruned"]) == (0, [])  # a real run reads the marks, not the list
    assert {folder: contents(folder) for folder in (local, media)} == before
    assert run_module("backup_manifest", tmp_path, {
        "path": str(local), "state": "reconcile",
        "verdicts": {b.name: verdict(b"b")}})[1]["marked"] == [b.name]
    code, real_copy = run_module("backup_copy", tmp_path, copy)
    assert code == 0 and real_copy["copied"] is True, real_copy
    code, real_retain = run_module("backup_retention", tmp_path, retain)
    assert code == 0, real_retain
    assert [i["name"] for i in real_retain["pruned"]] == real_copy["pruned"] == [a.name]
    assert medium_files(media) == sorted([*with_manifests(b.name), SCRUB_RECORD])
    assert sorted(p.name for p in local.iterdir()) == with_manifests(b.name)
    for predicted, done, keys in (
            (dry_retain, real_retain, ("changed", "kept", "pruned", "missing")),
            (dry_copy, real_copy, ("changed", "path", "sha256", "pruned", "damaged",
                                   "damaged_others", "scrubbed", "leftovers_removed"))):
        assert {k: predicted.get(k) for k in keys} == {k: done.get(k) for k in keys}
    code, both = run_module("backup_retention", tmp_path, {
        "path": str(local), "prefix": "sipp", "ledger": str(tmp_path / "ledger.jsonl"),
        "reconciled": [b.name]})
    assert code == 1 and "mutually exclusive" in both["msg"] and "\n" not in both["msg"]


def test_reconcile_never_marks_a_backup_whose_content_is_not_the_one_verified(
        tmp_path: Path) -> None:
    """The SIPP server is the side that may be compromised: a pending backup of the
    verified name whose manifest or content is another SHA-256 stays unverified (warned
    about); one no longer here (pruned here, renamed failed) is skipped."""
    local = tmp_path / "local"
    changed_content = local_backup(local, "sipp-20261206T183043.sql.zst", b"b",
                                   sha256=hashlib.sha256(b"c").hexdigest())
    other_manifest = local_backup(local, "sipp-20261206T190000.sql.zst", b"c")
    before = {p: Path(files.manifest_path(str(p))).read_bytes()
              for p in (changed_content, other_manifest)}
    args = {"path": str(local), "state": "reconcile", "verdicts": {
        changed_content.name: verdict(b"c"), other_manifest.name: verdict(b"d"),
        "sipp-20261205T020000.sql.zst": verdict(b"e")}}
    code, result = run_module("backup_manifest", tmp_path, args)
    assert (code, result["changed"], result["marked"]) == (0, False, []), result
    sha = {key: hashlib.sha256(key).hexdigest() for key in (b"b", b"c", b"d")}
    assert warning_lines(result) == [
        f"{changed_content} is not the backup the backup computer verified under its name "
        f"(sha256 {sha[b'b']} here, {sha[b'c']} there): left unverified",
        f"{other_manifest} is not the backup the backup computer verified under its name "
        f"(sha256 {sha[b'c']} here, {sha[b'd']} there): left unverified"]
    assert {p: Path(files.manifest_path(str(p))).read_bytes() for p in before} == before
    assert files.find_verified(str(local), "sipp", "2026-12-06") is None


@pytest.mark.parametrize(("verdicts", "line"), [
    ({"sipp-20261206T183043.sql.zst": verdict(status="failed")},
     "verdicts: sipp-20261206T183043.sql.zst is no verdict of the backup computer (a sha256 "
     "and a verification of status ok)"),
    ({"sipp-20261206T183043.sql.zst": {"verification": VERDICT}},
     "verdicts: sipp-20261206T183043.sql.zst is no verdict of the backup computer (a sha256 "
     "and a verification of status ok)"),
    ({"../sipp-20261206T183043.sql.zst": verdict()},
     "verdicts: '../sipp-20261206T183043.sql.zst' is the name of no backup")])
def test_reconcile_refuses_what_is_no_verdict_in_one_line(
        tmp_path: Path, verdicts: dict[str, Any], line: str) -> None:
    local = tmp_path / "local"
    path = local_backup(local, "sipp-20261206T183043.sql.zst")
    before = Path(files.manifest_path(str(path))).read_bytes()
    code, result = run_module("backup_manifest", tmp_path, {
        "path": str(local), "state": "reconcile", "verdicts": verdicts})
    assert (code, result["msg"]) == (1, line)
    assert Path(files.manifest_path(str(path))).read_bytes() == before
    assert path.exists()
