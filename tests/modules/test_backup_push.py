"""The append-only push: the receiver (the push key's forced command), the backup
computer's ingest into its own store, and its record (ledger)."""

from __future__ import annotations

import contextlib
import copy
import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from loader import (
    count_reads,
    load,
    lock_held,
    run_module,
    run_python,
    tmpfs,
    warning_lines,
)

ROOT = Path(__file__).resolve().parents[2]
RECEIVE = ROOT / "roles/sipp_backup/files/sop-backup-receive"
ingest = load("backup_ingest")
ledger = load("sop_backup_ledger")
NAME = "sipp-20261121T020000.sql.zst"


def receive(incoming: Path, command: str, data: bytes = b"",
            options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, SSH_ORIGINAL_COMMAND=command)
    return subprocess.run([sys.executable, str(RECEIVE), *options, str(incoming)], input=data,
                          env=env, capture_output=True, check=False)


def put_command(name: str, data: bytes) -> str:
    return f"put {name} {len(data)} {hashlib.sha256(data).hexdigest()}"


def put(incoming: Path, name: str, data: bytes,
        options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    return receive(incoming, put_command(name, data), data, options)


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
                                     f"put {NAME}.partial 1 {'0' * 64}",
                                     f"put {NAME} \u00b2 {'0' * 64}"])
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


def test_a_flood_is_refused_and_heals_once_it_stops(tmp_path) -> None:
    """32 files in an hour are refused more; older ones no longer count (the ingest
    removes them), so the pushes resume without an admin once the flood stops."""
    for index in range(32):
        assert put(tmp_path, f"junk-{index}", b"x").returncode == 0
    proc = put(tmp_path, NAME, b"backup")
    assert proc.returncode == 1
    assert proc.stderr.decode() == ("sop-backup-receive: refused: 32 files written in the "
                                    "last hour already wait in the incoming directory\n")
    hour_ago = time.time() - 3601
    for index in range(32):
        os.utime(tmp_path / f"junk-{index}", (hour_ago, hour_ago))
    assert put(tmp_path, NAME, b"backup").returncode == 0


def test_the_receivers_hour_is_the_ingests() -> None:
    """What the receiver stops counting is what the ingest removes."""
    options = yaml.safe_load(ingest.DOCUMENTATION)["options"]
    assert "\nFRESH = 3600\n" in RECEIVE.read_text()
    assert options["stale_minutes"]["default"] * 60 == 3600


@pytest.mark.parametrize("name", [NAME, f"{NAME}.manifest.json",
                                  "sipp-20261121T020000.tar.gz"])
def test_with_a_prefix_its_backups_and_manifests_are_taken(tmp_path, name: str) -> None:
    assert put(tmp_path, name, b"backup", ("--prefix=sipp",)).returncode == 0


def test_each_prefix_given_is_taken_and_only_those() -> None:
    """The website pushes two prefixes through one key (files and database)."""
    options = ("--prefix=website", "--prefix=website-db")
    for name in ("website-20261121T020000.tar.zst", "website-db-20261121T020000.sql.zst"):
        assert put_to_new_dir(name, options).returncode == 0, name
    proc = put_to_new_dir(NAME, options)
    assert proc.returncode == 1 and proc.stderr.decode() == (
        f"sop-backup-receive: refused: {NAME!r} is no backup or manifest name of prefix "
        "'website' or 'website-db'\n")


def put_to_new_dir(name: str, options: tuple[str, ...]) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory() as directory:
        return put(Path(directory), name, b"x", options)


@pytest.mark.parametrize("name", ["junk-1", "sipp-test-20261121T020000.sql.zst",
                                  "sippx-20261121T020000.sql.zst", f"{NAME}.failed",
                                  f"{NAME}.manifest.json.bak", "sipp-2026.sql.zst",
                                  "sipp-20261399T000000.sql.zst",
                                  "sipp-20260231T000000.sql.zst.manifest.json",
                                  "sipp-20261121T020060.sql.zst"])
def test_with_a_prefix_no_other_name_is_taken(tmp_path, name: str) -> None:
    """Everything the key can leave in the in-tray is a file of its prefix, which the
    ingest sweeps: a compromised server cannot leave files nobody removes (a time that
    is no time, month 13, was taken: no ingest takes such a name for a backup, so none
    ever removed it)."""
    proc = put(tmp_path, name, b"x", ("--prefix=sipp",))
    assert proc.returncode == 1
    assert proc.stderr.decode() == (f"sop-backup-receive: refused: {name!r} is no backup or "
                                    "manifest name of prefix 'sipp'\n")
    assert list(tmp_path.iterdir()) == []


def reported(data: bytes, name: str) -> dict:
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def pushed(incoming: Path, store: Path, name: str = NAME) -> dict:
    """The backup ``name`` and its manifest written into ``incoming`` as a push leaves
    them, and backup_ingest's arguments taking them into ``store``."""
    for file, data in ((f"{name}.manifest.json", b"{}"), (name, b"backup")):
        (incoming / file).write_bytes(data)
    return {"incoming": str(incoming), "store": str(store), "prefix": "sipp",
            "backup": reported(b"backup", name),
            "manifest": reported(b"{}", f"{name}.manifest.json")}


def in_and_store(tmp_path: Path) -> tuple[Path, Path, str]:
    """An incoming directory, an empty store (0700) and the store's record."""
    incoming, store = tmp_path / "in", tmp_path / "store"
    incoming.mkdir()
    store.mkdir(mode=0o700)
    return incoming, store, str(store / ledger.LEDGER_NAME)


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_ingest_checks_what_arrived_against_what_was_reported(tmp_path) -> None:
    incoming, store, record = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"tampered")
    with pytest.raises(ingest.IngestFailed, match="does not match"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert list(store.iterdir()) == []  # removed
    (incoming / NAME).write_bytes(b"backup")
    digest, _ = ingest.take(str(incoming), str(store), reported(b"backup", NAME))
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
    found, removed = ingest.sweep(str(incoming), "sipp", set(), 0, dry=False, ledger=record)
    assert found == removed == [NAME, "sipp-20261122T020000.sql.zst"]
    assert sorted(p.name for p in incoming.iterdir()) == ["sipp-test-20261121T020000.sql.zst"]
    assert [e["event"] for e in ledger.read(record)] == ["discarded", "discarded"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
@pytest.mark.parametrize("race", ["replace", "link"])
def test_a_file_changed_between_its_check_and_its_move_is_refused(
        tmp_path, monkeypatch, race: str) -> None:
    """The ingest opened and checked the pushed file, then renamed its name into the store
    and hashed what it had opened. Something writing the in-tray other than the receiver
    put another file at the name in between (or linked the file elsewhere): the store
    held a file nobody hashed, the push account's, while the record showed the SHA-256 of
    the one read. The file moved is now checked to be the one read, with no other link."""
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"backup")
    rename = os.rename

    def racing(src: str, dst: str) -> None:
        if src == str(incoming / NAME):
            if race == "replace":
                os.unlink(src)
                Path(src).write_bytes(b"forged")
            else:
                os.link(src, incoming / "kept-by-the-pusher")
        rename(src, dst)

    monkeypatch.setattr(ingest.os, "rename", racing)
    with pytest.raises(ingest.IngestFailed, match=f"{NAME} in {incoming} was replaced or "
                       "linked elsewhere while it was taken in: removed from the store"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert list(store.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_file_still_open_for_writing_is_refused(tmp_path, monkeypatch) -> None:
    """A process that opened the pushed file for writing before the ingest moved it kept
    writing it in the store after its SHA-256 was recorded (the chown to root stops only
    new opens). A read lease, refused while the file is open for writing, finds it: the
    file is removed from the store and refused. Once the writer is gone it goes in."""
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"backup")
    writer = os.open(incoming / NAME, os.O_WRONLY)
    try:
        with pytest.raises(ingest.IngestFailed, match=f"^{NAME} in {incoming} is still open "
                           "for writing by another process, which could change it in the "
                           "store: removed from the store"):
            ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    finally:
        os.close(writer)
    assert list(store.iterdir()) == []
    (incoming / NAME).write_bytes(b"backup")
    fcntl = ingest.fcntl.fcntl

    def no_leases(fd: int, command: int, arg: int = 0) -> int:
        if command == ingest.fcntl.F_SETLEASE:  # fs.leases-enable = 0
            raise OSError(ingest.errno.EINVAL, "Invalid argument")
        return fcntl(fd, command, arg)

    monkeypatch.setattr(ingest.fcntl, "fcntl", no_leases)
    digest, _ = ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert digest == hashlib.sha256(b"backup").hexdigest() and (store / NAME).exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_store_whose_file_system_refuses_every_lease_takes_files_in(tmp_path,
                                                                       monkeypatch) -> None:
    """NFSv4 without a read delegation and CIFS without an oplock refuse every read lease
    with EAGAIN, a file open for writing or not: each push to a store on such a share was
    refused as still open for writing. A lease refused on a new file of the store too
    tells only that the file system gives none (as EINVAL does)."""
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"backup")
    fcntl = ingest.fcntl.fcntl

    def no_delegation(fd: int, command: int, arg: int = 0) -> int:
        if command == ingest.fcntl.F_SETLEASE and arg == ingest.fcntl.F_RDLCK:
            raise OSError(ingest.errno.EAGAIN, "Resource temporarily unavailable")
        return fcntl(fd, command, arg)

    monkeypatch.setattr(ingest.fcntl, "fcntl", no_delegation)
    digest, _ = ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert digest == hashlib.sha256(b"backup").hexdigest()
    assert sorted(p.name for p in store.iterdir()) == [NAME]  # no probe file left


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_file_whose_check_fails_with_an_error_is_not_left_in_the_store(tmp_path,
                                                                          monkeypatch) -> None:
    """The lease check (or the hash) ending in another error than it knows (ENOLCK, EIO)
    left the file in the store unrecorded: an orphan, and every later push of the name
    refused as existing. It is removed, and the ingest fails in one line."""
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"backup")
    fcntl = ingest.fcntl.fcntl

    def failing(fd: int, command: int, arg: int = 0) -> int:
        if command == ingest.fcntl.F_SETLEASE:
            raise OSError(ingest.errno.ENOLCK, "No locks available")
        return fcntl(fd, command, arg)

    monkeypatch.setattr(ingest.fcntl, "fcntl", failing)
    with pytest.raises(ingest.IngestFailed, match=f"^{NAME}: No locks available"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert list(store.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_file_written_while_it_is_hashed_is_refused(tmp_path, monkeypatch) -> None:
    """Where the kernel gives no leases, a writer the push account kept open could write
    while the file was hashed: the record took the stamp after the write and a SHA-256 of
    no content the file ever had, so the stamp named no change later. The stamp is read
    before and after the hash: another one refuses the file."""
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"backup")
    hash_fd = ingest._hash_fd

    def written_meanwhile(fd: int) -> tuple[str, int]:
        digest = hash_fd(fd)
        time.sleep(0.05)  # past the file system's timestamp granularity
        with open(store / NAME, "r+b") as writer:  # as the pusher's fd kept open would
            writer.write(b"forged")
        return digest

    monkeypatch.setattr(ingest, "_hash_fd", written_meanwhile)
    with pytest.raises(ingest.IngestFailed, match=f"^{NAME} in {incoming} was written while "
                       "it was hashed in the store: removed from the store"):
        ingest.take(str(incoming), str(store), reported(b"backup", NAME))
    assert list(store.iterdir()) == []


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


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_ledger_line_that_is_no_text_is_skipped_as_a_torn_one(tmp_path) -> None:
    """A line of the record damaged into bytes that are no UTF-8 (a crash, a bad disk
    block) made every reader end in a UnicodeDecodeError: each later ingest a traceback,
    and the verification and retention of every backup with it. It is skipped, as a line
    that is no JSON is."""
    incoming, store, record = in_and_store(tmp_path)
    ledger.append(record, "ingested", name=NAME, sha256="a", size=1, manifest="m")
    with open(record, "ab") as handle:
        handle.write(b'{"event": "pruned", "name": "\xff\xfe"}\n')
    assert list(ledger.backups(ledger.read(record))) == [NAME]
    other = "sipp-20261122T020000.sql.zst"
    code, result = run_module("backup_ingest", tmp_path, pushed(incoming, store, other))
    assert code == 0, result
    assert list(ledger.backups(ledger.read(record))) == [NAME, other]


def test_a_ledger_line_that_does_not_fit_is_not_left_half_written(tmp_path) -> None:
    """The ledger may grow by 40 bytes only (RLIMIT_FSIZE, as a disk that fills during
    the write): the short write left half a line and the caller went on as if the event
    were recorded (a "pruned" line lost, its backup deleted all the same). Now the line
    is taken back and the error raised."""
    record = tmp_path / "ledger.jsonl"
    ledger.append(str(record), "ingested", name=NAME, sha256="a", size=1, manifest="m")
    before = record.read_bytes()
    child = run_python(
        "from ansible.module_utils.sop_backup_ledger import append\n"
        f"try:\n    append({str(record)!r}, 'pruned', name={NAME!r}, reason='old')\n"
        "except OSError as exc:\n    print(exc.strerror)\n",
        file_limit=len(before) + 40)
    assert (child.returncode, child.stdout, child.stderr) == (0, "File too large\n", "")
    assert record.read_bytes() == before
    assert NAME in ledger.backups(ledger.read(str(record)))


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_the_store_keeps_no_half_copies_and_names_orphans(tmp_path) -> None:
    incoming, store, record = in_and_store(tmp_path)
    kept = "sipp-20261120T020000.sql.zst"
    ledger.append(record, "ingested", name=kept, sha256="a", size=1,
                  manifest=f"{kept}.manifest.json")
    debris = {f"{kept}.manifest.json.partial": b"a verification marking it",
              "sipp-20261121T010000.sql.zst.partial": b"half",  # an ingest killed mid-copy
              "sipp-20261121T010000.sql.zst.manifest.json": b"{}",  # ... after its manifest
              "sipp-test-20261121T010000.sql.zst.partial": b"another prefix"}
    for name, data in debris.items():
        (store / name).write_bytes(data)
    args = pushed(incoming, store)
    code, result = run_module("backup_ingest", tmp_path, args)
    assert code == 0, result
    assert result["removed"] == ["sipp-20261121T010000.sql.zst.partial"]
    assert result["orphans"] == ["sipp-20261121T010000.sql.zst.manifest.json"]
    assert "is not in the record" in json.dumps(result["warnings"])
    assert not (store / "sipp-20261121T010000.sql.zst.partial").exists()
    for name in set(debris) - {"sipp-20261121T010000.sql.zst.partial"}:
        assert (store / name).exists(), name
    assert [e["event"] for e in ledger.read(record)] == ["ingested", "discarded", "ingested"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_stored_backup_rewritten_with_the_same_size_is_no_backup(tmp_path) -> None:
    """The record held the stored backup's size and SHA-256 only: a rewrite in place with
    as many bytes passed every check but the restore drill's, and server_backup_age
    counted it as a fresh verified backup. The ingest records the stored file's inode,
    mtime and ctime; a write changes the ctime, which no account can set back."""
    incoming, store, record = in_and_store(tmp_path)
    code, result = run_module("backup_ingest", tmp_path, pushed(incoming, store))
    assert code == 0, result
    entry = ledger.read(record)[-1]
    assert {key: entry[key] for key in ledger.STAMP} == ledger.stamp(os.lstat(store / NAME))
    ledger.append(record, "verified", name=NAME, sha256=entry["sha256"], status="ok")
    code, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert (result["newest"]["name"], result["fresh"]) == (NAME, True), result
    time.sleep(0.05)  # past the file system's timestamp granularity
    (store / NAME).write_bytes(b"forged")
    code, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert (code, result["newest"], result["fresh"]) == (0, None, False), result
    # the newest candidate, only its stamp changed: read again, its content is another
    assert (result["reread"], result["not_reread"]) == (None, [])
    assert f"{NAME} changed after it was stored (its content differs from the record's " \
        "SHA-256)" in json.dumps(result["warnings"])


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_stored_backup_no_longer_whole_is_named_before_the_dump_and_never_counted(
        tmp_path) -> None:
    """A backup damaged or deleted on the backup computer after it was taken in: the
    dump of the SIPP server found its own verified copy of the period and took no new
    one, the ingest answered 'already in the store' and the run succeeded with no whole
    copy off the server. The sweep before the dump now leaves it out of its verdicts
    (the backup modules' ``held`` then take a new one) and the ingest refuses to count
    on it."""
    incoming, store, record = in_and_store(tmp_path)
    args = pushed(incoming, store)
    assert run_module("backup_ingest", tmp_path, args)[0] == 0
    verified_here(record, NAME)
    sweep = {"incoming": str(incoming), "store": str(store), "prefix": "sipp"}
    code, result = run_module("backup_ingest", tmp_path, sweep)
    assert (code, list(result["verdicts"])) == (0, [NAME]), result
    assert "damaged" not in result
    time.sleep(0.05)  # past the file system's timestamp granularity
    (store / NAME).write_bytes(b"rotten")  # as many bytes
    code, result = run_module("backup_ingest", tmp_path, sweep)
    assert (code, result["verdicts"]) == (0, {}), result
    code, result = run_module("backup_ingest", tmp_path, args)
    assert code == 1
    assert result["msg"] == (
        f"ingest failed: {NAME} is recorded but no longer whole in the store: {NAME} changed "
        "after it was stored (its content differs from the record's SHA-256) (nothing is "
        "replaced; the next run takes a new backup)")
    assert (store / NAME).read_bytes() == b"rotten"  # kept as found
    (store / NAME).unlink()
    assert run_module("backup_ingest", tmp_path, sweep)[1]["verdicts"] == {}


@pytest.mark.parametrize(("placed", "mode"), [
    ("a file", "ingest"), ("a file", "ingest check"), ("a file", "sweep"),
    ("a file", "sweep check"), ("a symbolic link to no directory", "ingest"),
    ("a file above it", "ingest"), ("a file above it", "sweep")])
def test_a_store_that_is_no_directory_is_one_line_naming_it(tmp_path: Path, placed: str,
                                                            mode: str) -> None:
    """A file at the store's name failed the ingest with 'File exists: STORE' (makedirs)
    and its check mode and the sweep with 'Not a directory: STORE/ledger.jsonl'. A store
    that cannot be made for another cause (a file above it) keeps the error and the
    path."""
    incoming = tmp_path / "in"
    incoming.mkdir()
    store = tmp_path / "store"
    if placed == "a file":
        store.write_bytes(b"not a store")
    elif placed == "a symbolic link to no directory":
        store.symlink_to(tmp_path / "gone")
    else:
        store.write_bytes(b"not a folder")
        store = store / "sipp"
    args = pushed(incoming, store)
    if mode.startswith("sweep"):
        args = {"incoming": str(incoming), "store": str(store), "prefix": "sipp"}
        old = time.time() - 2 * 3600  # stale: the sweep makes the store to lock it
        os.utime(incoming / NAME, (old, old))
    def found() -> dict[str, bytes | str]:
        """The in-tray's files, and what is at the store's name (a file's bytes, a link's
        target)."""
        at = tmp_path / "store"
        return {**{p.name: p.read_bytes() for p in incoming.iterdir()},
                "store": os.readlink(at) if at.is_symlink() else at.read_bytes()}

    before = found()
    code, result = run_module("backup_ingest", tmp_path,
                              {**args, "_ansible_check_mode": mode.endswith("check")})
    assert code == 1, result
    assert result["msg"] == (f"ingest failed: Not a directory: {store}"
                             if placed == "a file above it"
                             else f"ingest failed: {store} is not a directory ({placed} is "
                                  "in its place)")
    assert found() == before


class IngestModule:
    """What ``backup_ingest.run`` reads of an AnsibleModule."""

    def __init__(self, params: dict) -> None:
        self.params = {"stale_minutes": 60, "other_prefixes": [], "lock_timeout": 300,
                       **params}
        self.check_mode = False
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        self.warnings.append(text)


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_an_ingest_that_waited_for_another_of_the_same_backup_finds_it_taken_in(
        tmp_path, monkeypatch) -> None:
    """Two ingests of one backup: the second waited for the store's lock while the first
    took the files in and recorded them. It then refused them as 'exists and is not in
    the record' (which it was) and recorded the good backup as rejected."""
    incoming, store, record = in_and_store(tmp_path)
    params = pushed(incoming, store)
    store_lock = ingest.store_lock

    @contextlib.contextmanager
    def after_the_other(path: str, seconds: int, what: str, undone: str) -> Iterator[None]:
        monkeypatch.setattr(ingest, "store_lock", store_lock)
        ingest.run(IngestModule(copy.deepcopy(params)))  # the other one, done meanwhile
        with store_lock(path, seconds, what, undone):
            yield

    monkeypatch.setattr(ingest, "store_lock", after_the_other)
    result = ingest.run(IngestModule(copy.deepcopy(params)))
    assert result["msg"] == f"{NAME} already in the store" and not result["changed"]
    assert [e["event"] for e in ledger.read(record)] == ["ingested"]
    assert (store / NAME).read_bytes() == b"backup"


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_an_ingest_reads_the_ledger_once(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An ingest read and parsed the whole record twice (before the store's lock, then
    again under it), every line the store ever recorded each time; now once, under the
    lock (check mode, which takes no lock, and a backup already taken in once too). What
    it appends after (a half copy and a stale file discarded, the backup ingested) is
    read by none of its steps."""
    incoming, store, record = in_and_store(tmp_path)
    kept = "sipp-20261120T020000.sql.zst"
    ledger.append(record, "ingested", name=kept, sha256="a", size=1)
    (store / "sipp-20261121T010000.sql.zst.partial").write_bytes(b"half")
    stale = incoming / "sipp-20261119T020000.sql.zst"
    stale.write_bytes(b"never asked for")
    age(stale, 7200)
    params = pushed(incoming, store)
    opened = count_reads(monkeypatch, record)
    check = IngestModule(copy.deepcopy(params))
    check.check_mode = True
    assert ingest.run(check)["msg"] == f"would take {NAME} into {store}"
    assert len(opened) == 1
    result = ingest.run(IngestModule(copy.deepcopy(params)))
    assert result["changed"] and result["removed"] == ["sipp-20261121T010000.sql.zst.partial"]
    assert result["swept"] == [stale.name]
    assert len(opened) == 2
    result = ingest.run(IngestModule(copy.deepcopy(pushed(incoming, store))))
    assert result["msg"] == f"{NAME} already in the store" and not result["changed"]
    assert len(opened) == 3
    monkeypatch.undo()
    assert [e["event"] for e in ledger.read(record)] == [
        "ingested", "discarded", "ingested", "discarded"]


def age(path: Path, seconds: float) -> None:
    written = time.time() - seconds
    os.utime(path, (written, written), follow_symlinks=False)


def in_tray_and_store(incoming: Path, store: Path) -> dict[str, bytes]:
    """Every file of the in-tray and the store but the store's lock, and its content."""
    return {str(path): path.read_bytes() for folder in (incoming, store)
            for path in folder.iterdir() if path.name != ledger.STORE_LOCK_NAME}


@pytest.mark.parametrize("sweep", [False, True], ids=["ingest", "sweep before the push"])
def test_a_store_lock_held_too_long_fails_in_time_naming_its_holder(tmp_path,
                                                                    sweep: bool) -> None:
    """An ingest, or the sweep before a push, waited for the store's lock without end
    behind a hung holder (another ingest stopped on a disk that no longer answers): until
    systemd stopped the scheduled run for passing its time limit (no cause named), or for
    ever in a run by hand. It waits lock_timeout, then fails in one line naming the lock,
    its holder and the wait, nothing taken in, removed or recorded."""
    incoming, store, record = in_and_store(tmp_path)
    args = pushed(incoming, store)
    if sweep:
        args = {key: args[key] for key in ("incoming", "store", "prefix")}
        age(incoming / NAME, 2 * 3600)  # stale: the sweep would remove it under the lock
    ledger.append(record, "ingested", name="sipp-20261120T020000.sql.zst", sha256="a", size=1)
    before = in_tray_and_store(incoming, store)
    lock = store / ledger.STORE_LOCK_NAME
    other = "sipp-20261120T230000.sql.zst"
    with lock_held(lock, f"taking {other} in") as (pid, command):
        clock = time.monotonic()
        code, result = run_module("backup_ingest", tmp_path, dict(args, lock_timeout=2),
                                  seconds=30)
        waited = time.monotonic() - clock
    assert code == 1, result
    assert result["msg"] == (
        f"ingest failed: waited 2 s (lock_timeout) for the store's lock {lock}, held by pid "
        f"{pid} ({command}): taking {other} in; nothing was taken in, removed or recorded")
    assert 2 <= waited < 10
    assert in_tray_and_store(incoming, store) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_an_ingest_waits_for_the_store_lock_within_lock_timeout_then_names_itself_in_it(
        tmp_path) -> None:
    """A holder that ends within lock_timeout is waited for; the ingest then says in the
    lock file what it does, for the one that waits behind it."""
    incoming, store, record = in_and_store(tmp_path)
    lock = store / ledger.STORE_LOCK_NAME
    with lock_held(lock) as (pid, _command):
        threading.Timer(1, os.kill, (pid, signal.SIGKILL)).start()
        clock = time.monotonic()
        code, result = run_module("backup_ingest", tmp_path,
                                  dict(pushed(incoming, store), lock_timeout=20), seconds=60)
        waited = time.monotonic() - clock
    assert (code, result["changed"]) == (0, True), result
    assert 1 <= waited < 20
    assert [e["event"] for e in ledger.read(record)] == ["ingested"]
    said = lock.read_text().split(" ", 1)
    assert said[0].isdigit() and said[1] == f"taking {NAME} in\n"


def test_a_store_lock_that_cannot_be_taken_is_one_line(tmp_path, monkeypatch) -> None:
    incoming, store, _record = in_and_store(tmp_path)

    def refused(_fd: int, _how: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(load("sop_backup_files").fcntl, "flock", refused)
    with pytest.raises(ledger.StoreLocked) as failed:
        ingest.run(IngestModule(pushed(incoming, store)))
    assert str(failed.value) == (f"cannot lock {store / ledger.STORE_LOCK_NAME}: No locks "
                                 "available")
    assert sorted(p.name for p in incoming.iterdir()) == [NAME, f"{NAME}.manifest.json"]


@pytest.mark.parametrize("value", [-1, 0])
def test_a_lock_timeout_below_zero_is_refused_and_zero_does_not_wait(tmp_path,
                                                                     value: int) -> None:
    incoming, store, _record = in_and_store(tmp_path)
    with lock_held(store / ledger.STORE_LOCK_NAME):
        code, result = run_module("backup_ingest", tmp_path,
                                  dict(pushed(incoming, store), lock_timeout=value),
                                  seconds=30)
    assert code == 1, result
    if value < 0:
        assert result["msg"] == ("lock_timeout: must be 0 (does not wait) or a positive number "
                                 "of seconds, not -1")
        assert result["setting"] == "lock_timeout"
    else:
        assert result["msg"].startswith("ingest failed: waited 0 s (lock_timeout)")


def test_files_no_ingest_takes_or_removes_are_reported_on_every_run(tmp_path) -> None:
    """A key line without --prefix (an older receiver's, a retired server's) can write any
    name; the ingest looked only at its prefix's files, so the rest stayed in the
    in-tray forever and nobody heard of them. Now the stale ones are counted and the
    oldest named, never removed: also when the backup is already in the store and in
    check mode."""
    incoming, store, record = in_and_store(tmp_path)
    ledger.append(record, "ingested", name=NAME, sha256=hashlib.sha256(b"backup").hexdigest(),
                  size=6, manifest=f"{NAME}.manifest.json")
    (store / NAME).write_bytes(b"backup")
    (store / f"{NAME}.manifest.json").write_bytes(b"{}")
    planted = {"junk-1": 3 * 86400, "sipp-20261399T000000.sql.zst": 5 * 86400,
               "sipp-test-20261121T020000.sql.zst": 2 * 3600,  # another prefix
               "junk-2": 60,  # fresh: maybe still being written
               "website-db-20261121T020000.sql.zst": 9 * 86400,  # its own ingest sweeps it
               "sipp-20261120T020000.sql.zst": 9 * 86400}  # this prefix's: swept
    for name, seconds in planted.items():
        (incoming / name).write_bytes(b"x")
        age(incoming / name, seconds)
    args = {"incoming": str(incoming), "store": str(store), "prefix": "sipp",
            "other_prefixes": ["website-db"], "backup": reported(b"backup", NAME),
            "manifest": reported(b"{}", f"{NAME}.manifest.json")}
    for check_mode in (False, True):
        code, result = run_module("backup_ingest", tmp_path,
                                  dict(args, _ansible_check_mode=check_mode))
        assert code == 0 and result["msg"] == f"{NAME} already in the store", result
        assert result["unrecognized"]["count"] == 3
        assert result["unrecognized"]["oldest"] == "sipp-20261399T000000.sql.zst"
        assert 5 * 86400 <= result["unrecognized"]["oldest_age"] < 5 * 86400 + 60
        assert warning_lines(result) == [
            f"3 file(s) in {incoming} are no backup of sipp or website-db, the oldest "
            "'sipp-20261399T000000.sql.zst' written 5 days ago: no ingest takes them in or "
            "removes them (a push key without --prefix wrote them: an older receiver's, or "
            "a retired server's key line); examine them, then remove them"]
    assert sorted(p.name for p in incoming.iterdir()) == sorted(planted)


def test_an_in_tray_of_backups_only_reports_nothing(tmp_path) -> None:
    incoming = tmp_path / "in"
    incoming.mkdir()
    for name in (NAME, f"{NAME}.manifest.json", f"{NAME}.partial",
                 "website-20261121T020000.tar.zst"):
        (incoming / name).write_bytes(b"x")
        age(incoming / name, 86400)
    assert ingest.unrecognized(str(incoming), ["sipp", "website"], 3600) == {
        "count": 0, "oldest": "", "oldest_age": 0}
    assert ingest.unrecognized(str(tmp_path / "none"), ["sipp"], 3600)["count"] == 0
    assert ingest.unrecognized(str(incoming), ["sipp"], 3600)["count"] == 1
    assert ingest.unrecognized(str(incoming), ["sipp"], 2 * 86400)["count"] == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_pushed_name_with_an_impossible_time_is_no_backup(tmp_path) -> None:
    """The receiver takes any plain name; a compromised SIPP server pushed
    sipp-20261399T000000.sql.zst (month 13), whose time matched the name pattern but
    not a calendar: the name parser raised, and every ingest of the court crashed with a
    traceback, its real backup never taken in. Such a name is no backup's."""
    incoming, store, _ = in_and_store(tmp_path)
    crafted = "sipp-20261399T000000.sql.zst"
    assert put(incoming, crafted, b"rubbish").returncode == 0
    assert put(incoming, f"{crafted}.manifest.json", b"{}").returncode == 0
    for name, data in ((f"{NAME}.manifest.json", b"{}"), (NAME, b"backup")):
        assert put(incoming, name, data).returncode == 0
    args = {"incoming": str(incoming), "store": str(store), "prefix": "sipp",
            "backup": reported(b"backup", NAME),
            "manifest": reported(b"{}", f"{NAME}.manifest.json")}
    code, result = run_module("backup_ingest", tmp_path, args)
    assert code == 0, result
    assert (store / NAME).read_bytes() == b"backup"


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_backup_is_taken_in_with_its_own_manifest_only(tmp_path) -> None:
    """The SIPP server reports the backup's and the manifest's names; a compromised one
    reported, beside its backup, the manifest of a later backup's name. The ingest took
    it in under that name and recorded it as this backup's: the verification read
    NAME.manifest.json (another file than the one recorded), retention removed the
    later backup's manifest with this one, and the later backup, pushed by the cleaned
    server, was refused (its manifest's name taken in the store)."""
    incoming, store, record = in_and_store(tmp_path)
    later = "sipp-20261122T020000.sql.zst.manifest.json"
    assert put(incoming, later, b"{}").returncode == 0
    assert put(incoming, NAME, b"backup").returncode == 0
    code, result = run_module("backup_ingest", tmp_path, {
        "incoming": str(incoming), "store": str(store), "prefix": "sipp",
        "backup": reported(b"backup", NAME), "manifest": reported(b"{}", later)})
    assert code == 1
    assert result["msg"] == (f"ingest failed: {later} is not the manifest of {NAME} "
                             f"({NAME}.manifest.json)")
    assert list(store.iterdir()) == [] and ledger.read(record) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
@pytest.mark.parametrize(("field", "value", "cause"), [
    ("size", "6.0", "the size of {name}, '6.0', is not a number of bytes"),
    ("size", "six", "the size of {name}, 'six', is not a number of bytes"),
    ("sha256", "f" * (1 << 20), "the sha256 of {name} is not 64 hexadecimal digits"),
])
def test_a_reported_value_that_is_none_is_one_line_and_leaves_nothing(
        tmp_path, field: str, value: str, cause: str) -> None:
    """The size and sha256 come from the SIPP server. A size that is no whole number was
    read only after the files had been moved into the store: the ingest ended in a
    traceback, leaving the manifest in the store and in no record, a complete file that
    no ingest or retention ever removes (a compromised server, one per run). A sha256
    that is no sha256 (the receiver takes only 64 hexadecimal digits, the ingest took any
    text) went whole into the rejection in the record, which root writes past the share
    of the disk pushes keep free: a megabyte a run, read by every ingest and retention."""
    incoming, store, record = in_and_store(tmp_path)
    manifest = f"{NAME}.manifest.json"
    for name, data in ((manifest, b"{}"), (NAME, b"backup")):
        assert put(incoming, name, data).returncode == 0
    code, result = run_module("backup_ingest", tmp_path, {
        "incoming": str(incoming), "store": str(store), "prefix": "sipp",
        "backup": reported(b"backup", NAME),
        "manifest": dict(reported(b"{}", manifest), **{field: value})})
    assert code == 1
    assert result["msg"] == f"ingest failed: {cause.format(name=manifest)}"
    assert list(store.iterdir()) == [] and ledger.read(record) == []


@pytest.fixture
def small_store(tmp_path):
    """A 64 KiB tmpfs as the store: another file system than the incoming directory."""
    store = tmp_path / "store"
    store.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(store)],
                   check=True)
    yield store
    subprocess.run(["umount", "-l", str(store)], check=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs")
def test_a_full_store_keeps_nothing_of_the_failed_backup(tmp_path, small_store) -> None:
    incoming = tmp_path / "in"
    incoming.mkdir()

    def push(name: str) -> dict:
        data, meta = os.urandom(256 << 10), b'{"database": "sipp"}'
        assert put(incoming, f"{name}.manifest.json", meta).returncode == 0
        assert put(incoming, name, data).returncode == 0
        return {"incoming": str(incoming), "store": str(small_store), "prefix": "sipp",
                "backup": reported(data, name),
                "manifest": reported(meta, f"{name}.manifest.json")}

    code, result = run_module("backup_ingest", tmp_path, push(NAME))
    assert code == 1
    assert result["msg"] == f"ingest failed: {NAME}: No space left on device: {small_store}"
    # no half copy, no manifest without its backup: the space is free again
    assert sorted(p.name for p in small_store.iterdir()) == [".ingest.lock", "ledger.jsonl"]
    assert [e["event"] for e in ledger.read(str(small_store / "ledger.jsonl"))] == ["rejected"]
    subprocess.run(["mount", "-o", "remount,size=1m", str(small_store)], check=True)
    rerun = "sipp-20261121T030000.sql.zst"  # the SIPP server's next run dumps anew
    code, result = run_module("backup_ingest", tmp_path, push(rerun))
    assert code == 0 and result["orphans"] == [] and result["removed"] == [], result
    assert result["unexpected"] == [NAME]  # still waiting; removed once stale
    assert (small_store / rerun).stat().st_size == 256 << 10


def test_a_full_incoming_directory_is_one_line(tmp_path) -> None:
    incoming = tmp_path / "in"
    incoming.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounts a tmpfs")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(incoming)],
                   check=True)
    try:
        proc = put(incoming, NAME, os.urandom(256 << 10))
        assert proc.returncode == 1
        assert proc.stderr.decode() == (
            f"sop-backup-receive: refused: {NAME} (0.2 MiB) would leave less than the 5% "
            f"kept free on {incoming}'s file system (0.1 MiB free)\n")
        assert list(incoming.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", str(incoming)], check=True)


@pytest.fixture
def tmpfs_incoming(tmp_path):
    """A 64 MiB tmpfs as the in-tray: a file system whose free space the test controls."""
    with tmpfs(tmp_path / "in", "64m") as incoming:
        yield incoming


def test_pushes_never_take_the_share_kept_free(tmpfs_incoming) -> None:
    """The push key filled the backup computer's disk (up to ext4's blocks reserved for
    root): the other servers' pushes, MariaDB and the verification then failed. Puts that
    would go below --keep-free are refused and leave nothing; the kept share stays free."""
    keep = ("--keep-free=25",)  # 16 MiB of 64
    first = os.urandom(40 << 20)
    assert put(tmpfs_incoming, NAME, first, keep).returncode == 0
    second = "sipp-20261122T020000.sql.zst"
    proc = put(tmpfs_incoming, second, os.urandom(10 << 20), keep)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        f"sop-backup-receive: refused: {second} (10.0 MiB) would leave less than the 25% kept "
        f"free on {tmpfs_incoming}'s file system (24.0 MiB free)\n")
    assert sorted(p.name for p in tmpfs_incoming.iterdir()) == [NAME]
    assert (tmpfs_incoming / NAME).read_bytes() == first


def test_a_put_that_others_push_below_the_share_kept_free_stops(tmpfs_incoming) -> None:
    """Each put is checked at its start; one already writing when others took the room
    stops at the kept share instead of filling the disk, and leaves nothing."""
    keep = ("--keep-free=25",)
    slow = os.urandom(40 << 20)  # room for it at its start: 64 - 40 >= 16
    env = dict(os.environ, SSH_ORIGINAL_COMMAND=put_command(NAME, slow))
    writer = subprocess.Popen([sys.executable, str(RECEIVE), *keep, str(tmpfs_incoming)],
                              stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert writer.stdin is not None and writer.stderr is not None
    writer.stdin.write(slow[: 4 << 20])
    writer.stdin.flush()
    other = "sipp-20261122T020000.sql.zst"
    assert put(tmpfs_incoming, other, os.urandom(30 << 20), keep).returncode == 0
    try:
        writer.stdin.write(slow[4 << 20:])
        writer.stdin.close()
    except BrokenPipeError:  # it stopped reading
        pass
    assert writer.wait(timeout=60) == 1
    assert writer.stderr.read().decode() == (
        f"sop-backup-receive: refused: {NAME}: the free space on {tmpfs_incoming}'s file "
        "system fell below the 25% kept free while writing (other pushes?)\n")
    writer.stderr.close()
    assert sorted(p.name for p in tmpfs_incoming.iterdir()) == [other]
    info = os.statvfs(tmpfs_incoming)
    assert info.f_bavail * info.f_frsize >= 16 << 20


def test_a_byte_flood_heals_by_the_sweep_before_the_push(tmpfs_incoming, tmp_path) -> None:
    """A compromised server pushed large files up to the share kept free: every later push
    was refused, so no ingest succeeded, so no sweep after one ever removed the flood, and
    backups stopped until an admin emptied the in-tray. The sweep before the push (the
    ingest without backup and manifest) removes it once it is an hour old."""
    keep = ("--keep-free=25",)
    flood = [f"sipp-2026112{day}T020000.sql.zst" for day in (1, 2)]
    for name in flood:
        assert put(tmpfs_incoming, name, os.urandom(20 << 20), keep).returncode == 0
    data = os.urandom(10 << 20)
    assert put(tmpfs_incoming, "sipp-20261123T020000.sql.zst", data, keep).returncode == 1
    store = tmp_path / "store"
    args = {"incoming": str(tmpfs_incoming), "store": str(store), "prefix": "sipp"}
    code, result = run_module("backup_ingest", tmp_path, args)
    assert (code, result["changed"], result["swept"]) == (0, False, []), result
    assert result["unexpected"] == flood and result["msg"] == (
        f"no file of sipp in {tmpfs_incoming} to sweep")
    for name in flood:
        age(tmpfs_incoming / name, 3601)
    code, result = run_module("backup_ingest", tmp_path, args)
    assert (code, result["changed"], result["swept"]) == (0, True, flood), result
    assert put(tmpfs_incoming, "sipp-20261123T020000.sql.zst", data, keep).returncode == 0


@pytest.mark.parametrize(("minutes", "said"), [
    # taken before: a push of the prefix written a minute ago was stale and swept away
    (-1, "must be a positive number of minutes, not -1"),
    (0, "must be a positive number of minutes, not 0"),
    (10**12, "must be at most 5256000 minutes (ten years), not 1000000000000")])
def test_a_stale_age_outside_one_minute_to_ten_years_is_refused(tmp_path, minutes,
                                                                said) -> None:
    incoming, store, _ = in_and_store(tmp_path)
    (incoming / NAME).write_bytes(b"x")
    age(incoming / NAME, 60)
    code, result = run_module("backup_ingest", tmp_path, {
        "incoming": str(incoming), "store": str(store), "prefix": "sipp",
        "stale_minutes": minutes, "_ansible_check_mode": True})
    assert (code, result["msg"], result.get("setting")) == (
        1, f"stale_minutes: {said}", "stale_minutes")
    assert sorted(p.name for p in incoming.iterdir()) == [NAME]


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_the_sweep_before_the_push_removes_only_stale_files_of_its_prefix(tmp_path) -> None:
    """Exactly what the sweep after an ingest removes: files of the prefix older than
    stale_minutes; never a fresh one, another prefix's, a name of no prefix or anything
    in the store. Check mode names them and removes nothing."""
    incoming, store, record = in_and_store(tmp_path)
    kept = "sipp-20261120T020000.sql.zst"
    (store / kept).write_bytes(b"backup")
    ledger.append(record, "ingested", name=kept, sha256=hashlib.sha256(b"backup").hexdigest(),
                  size=6, manifest=f"{kept}.manifest.json")
    stale = [f"{NAME}.manifest.json", "sipp-20261121T030000.sql.zst",
             "sipp-20261121T040000.sql.zst.partial"]
    planted = {name: 2 * 3600 for name in stale}
    planted.update({"sipp-20261122T020000.sql.zst": 60,  # fresh: maybe this run's
                    "sipp-test-20261121T020000.sql.zst": 9 * 86400,  # another prefix
                    "website-db-20261121T020000.sql.zst": 9 * 86400,
                    "junk": 9 * 86400})  # no prefix's: only reported by the ingest
    for name, seconds in planted.items():
        (incoming / name).write_bytes(b"x")
        age(incoming / name, seconds)
    args = {"incoming": str(incoming), "store": str(store), "prefix": "sipp"}
    before = Path(record).read_bytes()
    code, result = run_module("backup_ingest", tmp_path, dict(args, _ansible_check_mode=True))
    assert (code, result["changed"], result["swept"]) == (0, True, sorted(stale)), result
    assert result["msg"] == (f"would remove 3 file(s) of sipp from {incoming} never asked "
                             "for and older than 60 minutes")
    assert warning_lines(result) == [
        f"3 file(s) of sipp in {incoming} written more than 60 minutes ago were never asked "
        "for by the SOP: would be removed before the push"]
    assert sorted(p.name for p in incoming.iterdir()) == sorted(planted)
    assert Path(record).read_bytes() == before
    code, result = run_module("backup_ingest", tmp_path, args)
    assert (code, result["changed"], result["swept"]) == (0, True, sorted(stale)), result
    assert result["unexpected"] == sorted([*stale, "sipp-20261122T020000.sql.zst"])
    assert sorted(p.name for p in incoming.iterdir()) == sorted(set(planted) - set(stale))
    assert sorted(p.name for p in store.iterdir()) == [".ingest.lock", "ledger.jsonl", kept]
    events = ledger.read(record)[1:]
    assert [(e["event"], e["name"]) for e in events] == [("discarded", n) for n in sorted(stale)]
    assert {e["reason"] for e in events} == {"in the incoming directory, never asked for by "
                                            "the SOP"}
    assert kept in ledger.backups(ledger.read(record))
    code, result = run_module("backup_ingest", tmp_path, args)
    assert (code, result["changed"], result["swept"]) == (0, False, []), result


def test_the_sweep_before_the_first_push_finds_no_in_tray(tmp_path) -> None:
    args = {"incoming": str(tmp_path / "in"), "store": str(tmp_path / "store"),
            "prefix": "sipp", "_ansible_check_mode": True}
    code, result = run_module("backup_ingest", tmp_path, args)
    assert (code, result["changed"], result["swept"]) == (0, False, []), result
    assert not (tmp_path / "store").exists()
    code, result = run_module("backup_ingest", tmp_path,
                              dict(args, backup=reported(b"backup", NAME)))
    assert code == 1 and result["msg"] == "parameters are required together: backup, manifest"


@pytest.mark.parametrize(("tasks", "needs_room"), [
    ("roles/sipp_backup/tasks/persiapan.yml",
     "Measure the free space of the backup computer's store and in-tray"),
    ("roles/sipp_backup/tasks/backup.yml",
     "Push the manifest, then the backup, to the backup computer (new files only)"),
    ("roles/website/tasks/backup.yml", "Measure the free space in the backup computer's store")])
def test_the_roles_sweep_the_in_tray_before_its_room_is_measured_or_used(
        tasks: str, needs_room: str) -> None:
    """Persiapan's check of the room failed on a byte flood before the backup activity
    could sweep it: each sweeps first (on the backup computer, where the ingest runs)."""
    loaded = yaml.safe_load((ROOT / tasks).read_text(encoding="utf-8"))
    sweeps = [index for index, task in enumerate(loaded)
              if "backup" not in task.get("backup_ingest", {"backup": None})]
    assert sweeps and sweeps[0] < [t["name"] for t in loaded].index(needs_room)
    assert loaded[sweeps[0]]["delegate_to"] in {"{{ sipp_backup_host }}",
                                                "{{ website_backup_host }}"}


@pytest.mark.parametrize("options", [("--keep-free=91",), ("--keep-free=x",), ("--other",),
                                     ("--prefix=../x",), ("--prefix",), ("--other=1",)])
def test_a_wrong_option_is_one_line(tmp_path, options: tuple[str, ...]) -> None:
    proc = put(tmp_path, NAME, b"backup", options)
    assert proc.returncode == 1 and proc.stderr.decode().count("\n") == 1
    assert b"usage: sop-backup-receive [--keep-free=PERCENT (0-90)] [--prefix=PREFIX ...]" in (
        proc.stderr)
    assert list(tmp_path.iterdir()) == []


def test_the_receiver_keeps_free_the_share_the_role_checks_it_by(tmp_path) -> None:
    """sipp_backup_remote_keep_free is refused by RANGES["keep_free"] (module_utils/
    sop_options, the filter sop_range_error) before the key's forced command is written:
    the receiver, which runs alone on the backup computer, takes exactly that range."""
    options = load("sop_options")
    rule = options.RANGES["keep_free"]
    for percent in (-1, 0, 1, rule["most"], rule["most"] + 1):
        # an incoming directory that does not exist: a put taken past its options writes
        # nothing either
        proc = put(tmp_path / "absent", NAME, b"x", (f"--keep-free={percent}",))
        refused = options.range_error({"keep_free": percent}, "keep_free", **rule)
        assert (b"usage: sop-backup-receive" in proc.stderr) == (refused is not None), (
            percent, proc.stderr)
    assert not (tmp_path / "absent").exists()


def verified_here(record: str, name: str, data: bytes = b"backup",
                  status: str = "ok") -> dict[str, str]:
    """The record's ``verified`` event of the backup ``name`` (as mariadb_restore_verify
    appends it) and the verification the record then holds of it."""
    verification = {"status": status, "reason": "restored, content matches",
                    "method": "restore", "verified_on": "backup.pn.go.id"}
    ledger.append(record, "verified", name=name, sha256=hashlib.sha256(data).hexdigest(),
                  **verification)
    return verification


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_the_sweep_before_the_push_returns_the_verdicts_of_the_whole_verified_backups(
        tmp_path: Path) -> None:
    """A run stopped after the backup computer verified its backup but before the SIPP
    server's manifest was marked: the sweep before the next push returns the record's
    verdicts (name, sha256, the verification as recorded) of the prefix's backups held
    whole and verified, for the role to record in the manifests still pending there;
    none of a backup not verified, failed, no longer whole or of another prefix."""
    incoming, store, record = in_and_store(tmp_path)
    names = {label: f"{prefix}-20261206T{time_}.sql.zst" for label, prefix, time_ in (
        ("kept", "sipp", "182432"), ("pending", "sipp", "183043"),
        ("failed", "sipp", "190000"), ("rotten", "sipp", "191500"),
        ("other", "website-db", "182432"))}
    for label, name in names.items():
        args = pushed(incoming, store, name)
        if label == "other":
            args["prefix"] = "website-db"
        assert run_module("backup_ingest", tmp_path, args)[0] == 0
    verification = verified_here(record, names["kept"])
    verified_here(record, names["failed"], status="failed")
    verified_here(record, names["rotten"])
    verified_here(record, names["other"])
    (store / names["rotten"]).unlink()
    sweep = {"incoming": str(incoming), "store": str(store), "prefix": "sipp"}
    code, result = run_module("backup_ingest", tmp_path, sweep)
    assert code == 0 and "damaged" not in result, result
    assert result["verdicts"] == {names["kept"]: {
        "sha256": hashlib.sha256(b"backup").hexdigest(), "verification": verification}}
    verified_here(record, names["pending"])
    code, result = run_module("backup_ingest", tmp_path, dict(sweep, _ansible_check_mode=True))
    assert sorted(result["verdicts"]) == [names["kept"], names["pending"]], result
    # what the verify step returns of a backup the record shows verified: recording it in
    # the manifest after the sweep's verdict was recorded changes nothing
    assert result["verdicts"][names["pending"]]["verification"] == \
        ledger.backups(ledger.read(record))[names["pending"]]["verification"]
    assert run_module("backup_ingest", tmp_path, dict(sweep, prefix="website-db"))[1][
        "verdicts"] == {names["other"]: {"sha256": hashlib.sha256(b"backup").hexdigest(),
                                         "verification": verification}}


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
def test_a_backup_this_computers_retention_pruned_is_named_so_not_as_not_arrived(
        tmp_path: Path) -> None:
    """Lab: the SIPP server counted a backup the backup computer had pruned (a newer one
    verified there, its manifest on the SIPP server left pending) as the period's, pushed
    nothing, and the ingest failed with "did not arrive". It says what happened; a
    backup pushed again after it was pruned is taken in again."""
    incoming, store, record = in_and_store(tmp_path)
    args = pushed(incoming, store)
    assert run_module("backup_ingest", tmp_path, args)[0] == 0
    pruned = ledger.append(record, "pruned", name=NAME, reason="outside keep rules")
    for name in (NAME, f"{NAME}.manifest.json"):
        (store / name).unlink()
    code, result = run_module("backup_ingest", tmp_path, args)
    assert code == 1
    assert result["msg"] == (
        f"ingest failed: {NAME} was stored here and pruned by this computer's retention at "
        f"{pruned['at']} (outside keep rules): the sending server still offers it as its "
        "period's backup, which it no longer is here; run with force to take a new one")
    assert ledger.read(record)[-1]["event"] == "rejected"
    other = pushed(incoming, store, "sipp-20261122T020000.sql.zst")
    for name in ("sipp-20261122T020000.sql.zst", "sipp-20261122T020000.sql.zst.manifest.json"):
        (incoming / name).unlink()
    assert "did not arrive in" in run_module("backup_ingest", tmp_path, other)[1]["msg"]
    code, result = run_module("backup_ingest", tmp_path, pushed(incoming, store))
    assert (code, result["changed"]) == (0, True), result
    assert NAME in ledger.backups(ledger.read(record))


def test_check_mode_names_a_backup_this_computers_retention_pruned_as_a_real_run_does(
        tmp_path: Path) -> None:
    """Check mode said it "would take" a backup this computer's retention had pruned,
    which a real run refuses naming the pruning; it says so too, recording nothing."""
    incoming, store, record = in_and_store(tmp_path)
    args = pushed(incoming, store)
    assert run_module("backup_ingest", tmp_path, args)[0] == 0
    ledger.append(record, "pruned", name=NAME, reason="outside keep rules")
    for name in (NAME, f"{NAME}.manifest.json"):
        (store / name).unlink()
    before = Path(record).read_bytes()
    dry = run_module("backup_ingest", tmp_path, dict(args, _ansible_check_mode=True))
    assert Path(record).read_bytes() == before
    assert dry == run_module("backup_ingest", tmp_path, args)
    assert dry[0] == 1 and "pruned by this computer's retention" in dry[1]["msg"]
