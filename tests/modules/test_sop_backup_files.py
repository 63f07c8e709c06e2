"""module_utils/sop_backup_files.py: names, periods, manifests, atomic streaming writes."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import within
from loader import load

f = load("sop_backup_files")
MOMENT = dt.datetime(2026, 11, 21, 2, 30, 5)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("period", "key"), [
    ("daily", "2026-11-21"), ("weekly", "2026-W47"), ("monthly", "2026-11"),
    ("always", "20261121T023005")])
def test_period_key(period: str, key: str) -> None:
    assert f.period_key(MOMENT, period) == key


def test_period_key_rejects_unknown() -> None:
    with pytest.raises(ValueError, match=r"^unknown period 'hourly'$"):
        f.period_key(MOMENT, "hourly")


def test_backup_name_round_trip() -> None:
    name = f.backup_name("sipp", MOMENT, "mariadb-dump", "zstd")
    assert name == "sipp-20261121T023005.sql.zst"
    assert f.backup_name("sipp", MOMENT, "mydumper", "gzip") == "sipp-20261121T023005.tar.gz"
    assert f.parse_name(name) == {"prefix": "sipp", "time": MOMENT, "ext": "sql.zst"}
    assert f.parse_name(name + ".partial") is None
    assert f.parse_name("sipp-x.sql.zst") is None
    # "$" matched before a final newline: a file named so was taken for a backup
    assert f.parse_name(name + "\n") is None
    assert f.owned_by(name + ".partial\n", "sipp") is None


@pytest.mark.parametrize("name", [
    # an impossible time: the parser raised ValueError, and listing, sweeping and
    # retention crashed on that one file
    "sipp-20261399T000000.sql.zst", "sipp-20260230T020000.sql.zst",
    "sipp-20261121T250000.sql.zst", "sipp-00000000T000000.tar.gz",
    # Arabic-Indic, fullwidth or Devanagari digits in the year, a minute or a second
    # matched \\d and strptime took them: a backup to the ingest, the inventory, retention
    "sipp-\u0662\u0660\u0662\u06661201T020000.sql.zst", "sipp-20261201T020\uff1000.sql.zst",
    "sipp-20261201T02000\u0966.tar.gz"])
def test_a_name_whose_time_is_no_time_is_no_backup(tmp_path, name: str) -> None:
    """Names from another account (the push in-tray, a shared media, a compromised SIPP
    server) that match a backup's shape without a time of ASCII digits."""
    assert f.parse_name(name) is None
    assert f.owned_by(name, "sipp") is None
    assert f.owned_by(name + ".partial", "sipp") is None
    assert f.owned_by(name + ".manifest.json", "sipp") is None
    (tmp_path / name).write_bytes(b"x")
    (tmp_path / (name + ".manifest.json")).write_bytes(b"{}")
    (tmp_path / (name + ".partial")).write_bytes(b"x")
    assert f.list_backups(str(tmp_path), "sipp") == []
    assert f.inventory(str(tmp_path), "sipp") == []


def write_backup(directory, name: str, content: bytes, **manifest) -> str:
    path = os.path.join(directory, name)
    with open(path, "wb") as handle:
        handle.write(content)
    data = {"size": len(content), "sha256": hashlib.sha256(content).hexdigest(), **manifest}
    f.write_json_atomic(f.manifest_path(path), data)
    return path


def test_write_json_atomic_is_private(tmp_path) -> None:
    target = tmp_path / "m.json"
    f.write_json_atomic(str(target), {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (tmp_path / "m.json.partial").exists()


def test_a_crafted_manifest_is_unreadable_not_a_crash(tmp_path) -> None:
    """Manifests arrive from the SIPP and web servers (pushed, then read as root on the
    backup computer): one of 100000 nested brackets made json raise RecursionError, which
    was not caught: the verify-restore ended in a traceback."""
    path = tmp_path / "sipp-20261121T020000.sql.zst.manifest.json"
    path.write_text("[" * 100000)
    assert f.read_manifest(str(path)) is None
    with pytest.raises(f.BackupMissing, match="missing or unreadable"):
        f.load_backup(str(tmp_path / "sipp-20261121T020000.sql.zst"), str(path))


@pytest.mark.parametrize(("kind", "said"), [
    ("link", "is a symbolic link (not followed)"), ("fifo", "is a FIFO, not a regular file"),
    ("folder", "is a folder, not a regular file"),
    ("device", "is a character device, not a regular file")])
def test_a_backup_that_is_no_regular_file_is_named_for_what_it_is(
        tmp_path, kind: str, said: str) -> None:
    """load_backup asked os.path.isfile, which follows links: a symbolic link to any
    file passed as the backup, and a FIFO, a folder or a device at its name read "file
    missing". Each is named for what it is, in one line, and nothing is opened."""
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("mknod of a device needs root")
    real = write_backup(tmp_path, "sipp-20261120T020000.sql.zst", b"x")
    path = str(tmp_path / "sipp-20261121T020000.sql.zst")
    f.write_json_atomic(f.manifest_path(path), {"size": 1})
    if kind == "link":
        os.symlink(real, path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        os.mkdir(path)
    else:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null
    with pytest.raises(f.BackupMissing, match=f"^file {re.escape(path)} {re.escape(said)}$"):
        f.load_backup(path, f.manifest_path(path))
    (os.rmdir if kind == "folder" else os.remove)(path)
    with pytest.raises(f.BackupMissing, match=f"^file {re.escape(path)} missing$"):
        f.load_backup(path, f.manifest_path(path))


@pytest.mark.parametrize(("kind", "said"), [
    ("fifo", "is a FIFO, not a regular file"), ("link", "is a symbolic link (not followed)")])
def test_a_manifest_that_is_no_regular_file_is_not_waited_for_nor_followed(
        tmp_path, kind: str, said: str) -> None:
    """read_manifest opened the manifest as any file: a FIFO at its name (the store
    changed) held the verification, and its host-wide lock, until a writer came, and a
    symbolic link was read through (another backup's manifest, judged as this one's)."""
    path = write_backup(tmp_path, "sipp-20261121T020000.sql.zst", b"x")
    other = write_backup(tmp_path, "sipp-20261120T020000.sql.zst", b"y")
    os.remove(f.manifest_path(path))
    if kind == "fifo":
        os.mkfifo(f.manifest_path(path))
    else:
        os.symlink(f.manifest_path(other), f.manifest_path(path))
    with within(10, "reading a FIFO manifest"):
        assert f.read_manifest(f.manifest_path(path)) is None
        with pytest.raises(f.BackupMissing, match=(
                f"^manifest {re.escape(f.manifest_path(path))} {re.escape(said)}$")):
            f.load_backup(path, f.manifest_path(path))


def test_a_huge_manifest_is_not_read_whole(tmp_path) -> None:
    """A pushed manifest of 512 MiB was read whole into the memory of a root process on
    the backup computer (a real one is a few hundred KiB): read at most MANIFEST_MAX."""
    path = tmp_path / "huge.manifest.json"
    with open(path, "wb") as handle:
        handle.truncate(512 << 20)
    # The peak of this process's own memory (VmHWM starts anew at exec; ru_maxrss would
    # carry the forking pytest worker's).
    code = ("import sys\n"
            "from ansible.module_utils.sop_backup_files import read_manifest\n"
            "assert read_manifest(sys.argv[1]) is None\n"
            "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
            "print(status.split()[0])\n")
    driver = ("import ansible.module_utils, runpy, sys\n"
              f"ansible.module_utils.__path__.append({str(ROOT / 'module_utils')!r})\n"
              f"exec({code!r})\n")
    proc = subprocess.run([sys.executable, "-c", driver, str(path)], capture_output=True,
                          text=True, check=True)
    assert int(proc.stdout) < 200 << 10  # KiB: far below the file's size


def test_only_verified_backups_with_matching_size_count(tmp_path) -> None:
    good = write_backup(tmp_path, "sipp-20261121T020000.sql.zst", b"x" * 10, verified=True,
                        period="2026-11-21")
    write_backup(tmp_path, "sipp-20261121T030000.sql.zst", b"y", verified=False,
                 period="2026-11-21")
    truncated = write_backup(tmp_path, "sipp-20261120T020000.sql.zst", b"z" * 5, verified=True,
                             period="2026-11-20")
    with open(truncated, "ab") as handle:
        handle.write(b"more")
    listing = f.list_backups(str(tmp_path), "sipp")
    assert [b["name"] for b in listing] == ["sipp-20261120T020000.sql.zst",
                                           "sipp-20261121T020000.sql.zst",
                                           "sipp-20261121T030000.sql.zst"]
    assert [b["verified"] for b in listing] == [False, True, False]
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21")["path"] == good
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-20") is None
    assert f.find_verified(str(tmp_path), "other", "2026-11-21") is None


def test_only_a_backup_the_backup_computer_holds_counts_when_held_is_given(tmp_path) -> None:
    """Lab: the backup computer replaced (or the store moved): the manifests here still
    said verified, the new record did not know the backup, the dump counted it as the
    period's and pushed nothing, and every ingest of the period failed ("did not
    arrive"). Given ``held`` (the names the record holds whole and verified), a backup not
    named there is not the period's; not given, the marks here are trusted."""
    older = write_backup(tmp_path, "sipp-20261121T020000.sql.zst", b"a", verified=True,
                         period="2026-11-21")
    newer = write_backup(tmp_path, "sipp-20261121T030000.sql.zst", b"b", verified=True,
                         period="2026-11-21")
    pending = write_backup(tmp_path, "sipp-20261121T040000.sql.zst", b"c", verified=False,
                           period="2026-11-21")
    names = [os.path.basename(path) for path in (older, newer, pending)]
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21")["path"] == newer
    # a new backup computer, a moved store: the record holds none of them
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21", []) is None
    # the newer damaged, gone or pruned there: the older one it still holds is the period's
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21", {names[0]})["path"] == older
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21", names[:2])["path"] == newer
    # held, not verified here: still no backup of the period (the reconcile marks it)
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21", names[2:]) is None
    # check mode: the one the reconcile would mark (held there) counts, as once marked
    assert f.find_verified(str(tmp_path), "sipp", "2026-11-21", names[2:],
                           reconciled=names[2:])["path"] == pending


def test_hashing_writer_commit(tmp_path) -> None:
    final = tmp_path / "b.sql.zst"
    writer = f.HashingWriter(str(final))
    assert stat.S_IMODE(os.stat(writer.partial_path).st_mode) == 0o600
    writer.write(b"abc")
    writer.write(b"def")
    assert not final.exists()
    writer.commit()
    assert final.read_bytes() == b"abcdef" and writer.size == 6
    assert writer.sha256.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()
    assert not (tmp_path / "b.sql.zst.partial").exists()


def test_hashing_writer_flushes_behind_the_stream(tmp_path) -> None:
    final = tmp_path / "b.sql.zst"
    writer = f.HashingWriter(str(final), flush_every=4)
    chunks = [os.urandom(5) for _ in range(20)]
    for chunk in chunks:
        writer.write(chunk)
    assert writer._flushed_at >= 5  # a write-behind flush was started
    writer.commit()
    assert final.read_bytes() == b"".join(chunks)
    assert writer.sha256.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_hashing_writer_reports_a_failed_background_flush(tmp_path, monkeypatch) -> None:
    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f.os, "fdatasync", disk_full)
    writer = f.HashingWriter(str(tmp_path / "b.sql.zst"), flush_every=1)
    writer.write(b"abc")
    with pytest.raises(OSError, match="No space left"):
        writer.sync()
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_widen_pipe_lets_the_writer_run_a_mebibyte_ahead(tmp_path) -> None:
    read_fd, write_fd = os.pipe()
    try:
        f.widen_pipe(read_fd)
        assert fcntl.fcntl(read_fd, fcntl.F_GETPIPE_SZ) == f.PIPE_SIZE
    finally:
        os.close(read_fd)
        os.close(write_fd)
    with open(tmp_path / "file", "wb") as handle:  # not a pipe: the OS refuses, no error
        f.widen_pipe(handle.fileno())


def test_hashing_writer_discard_leaves_nothing(tmp_path) -> None:
    writer = f.HashingWriter(str(tmp_path / "b.sql.zst"))
    writer.write(b"abc")
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_hashing_writer_refuses_existing_partial(tmp_path) -> None:
    (tmp_path / "b.sql.zst.partial").write_bytes(b"old")
    with pytest.raises(FileExistsError, match=re.escape(f"'{tmp_path}/b.sql.zst.partial'")):
        f.HashingWriter(str(tmp_path / "b.sql.zst"))


def test_sha256_file(tmp_path) -> None:
    (tmp_path / "x").write_bytes(b"hello")
    assert f.sha256_file(str(tmp_path / "x")) == hashlib.sha256(b"hello").hexdigest()


def test_sha256_file_not_following_links_waits_for_no_fifo(tmp_path) -> None:
    """Retention re-hashes a stored backup or manifest it found a plain file (lstat),
    by its name (sha256_file with follow false): a FIFO put there in between held
    retention, and the store's lock, until a writer came. It is refused, not read."""
    os.mkfifo(tmp_path / "fifo")
    with within(10, "hashing a FIFO"), pytest.raises(OSError) as refused:
        f.sha256_file(str(tmp_path / "fifo"), follow=False)
    assert refused.value.errno == errno.EINVAL
    (tmp_path / "link").symlink_to(tmp_path / "fifo")
    with pytest.raises(OSError) as refused:
        f.sha256_file(str(tmp_path / "link"), follow=False)
    assert refused.value.errno == errno.ELOOP


def test_sha256_fileobj_hashes_the_rest_of_an_open_file_in_chunks(tmp_path) -> None:
    # One open file is hashed, then rewound and read again (listed, restored): never
    # reopened by its name, which may name another file by then.
    (tmp_path / "x").write_bytes(b"skip:hello world")
    with open(tmp_path / "x", "rb") as handle:
        handle.seek(5)
        assert f.sha256_fileobj(handle, 4) == hashlib.sha256(b"hello world").hexdigest()
        assert handle.read() == b""  # read to its end


@pytest.mark.parametrize(("name", "prefix", "kind"), [
    ("sipp-20261121T020000.sql.zst", "sipp", "backup"),
    ("sipp-20261121T020000.sql.zst.manifest.json", "sipp", "manifest"),
    ("sipp-20261121T020000.sql.zst.partial", "sipp", "partial"),
    ("sipp-20261121T020000.sql.zst.manifest.json.partial", "sipp", "partial"),
    ("sipp-20261121T020000.sql.zst.failed", "sipp", "failed"),
    ("sipp-20261121T020000.sql.zst.failed.json", "sipp", "failed"),
    ("sipp-test-20261121T020000.sql.zst.partial", "sipp", None),
    ("sipp-test-20261121T020000.sql.zst.partial", "sipp-test", "partial"),
    ("sipp-20261121T020000.sql.zst.partial", "sipp-test", None),
    ("sipp.lock", "sipp", None), ("ledger.jsonl", "sipp", None)])
def test_owned_by_matches_the_prefix_exactly(name: str, prefix: str, kind: str | None) -> None:
    assert f.owned_by(name, prefix) == kind


def test_a_damaged_copy_gets_a_free_name_no_backup_nor_leftover(tmp_path) -> None:
    """A copy found damaged is set aside under a name that neither retention nor the
    sweep of leftovers takes for a file of a backup, of this prefix or any other."""
    path = tmp_path / "sipp-20261121T020000.sql.zst"
    first = f.damaged_name(str(path))
    assert first == f"{path}.damaged"
    Path(f.manifest_path(first)).write_text("{}")
    second = f.damaged_name(str(path))
    assert second == f"{path}.damaged-2"
    for name in (first, second, f.manifest_path(first), f.manifest_path(second)):
        assert f.leftover_of(os.path.basename(name)) is None
        assert f.parse_name(os.path.basename(name)) is None
    Path(first).write_text("x")
    assert f.inventory(str(tmp_path), "sipp") == []


def assert_publish_refused(target, kept: bytes) -> None:
    """A second writer of ``target`` cannot publish over it: FileExistsError naming it,
    ``kept`` still there."""
    writer = f.HashingWriter(str(target))
    writer.write(b"other")
    writer.sync()
    with pytest.raises(FileExistsError, match=re.escape(f"'{target}'") + "$"):
        writer.publish()
    assert target.read_bytes() == kept
    writer.discard()


def test_publish_never_replaces_a_final_file(tmp_path) -> None:
    target = tmp_path / "sipp-20261121T020000.sql.zst"
    target.write_bytes(b"old")
    assert_publish_refused(target, b"old")


def test_publish_works_where_the_file_system_has_no_hard_links(tmp_path, monkeypatch) -> None:
    """Removable disks are mostly FAT32 or exFAT, which have no hard links (link() fails
    with EPERM): every copy to such a disk failed, a warning each night and never a copy.
    The final name is then given by a rename that still refuses to replace a file. (No
    FAT file system can be mounted here: no vfat/exfat module nor mkfs, so link() is
    made to fail as those file systems fail it.)"""

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "sipp-20261121T020000.sql.zst"
    writer = f.HashingWriter(str(target))
    writer.write(b"new")
    writer.commit()
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert_publish_refused(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_restore_user_is_an_existing_unprivileged_user() -> None:
    assert f.restore_user("nobody").pw_name == "nobody"
    with pytest.raises(LookupError, match="OS user root is root: the restore must not run as root"):
        f.restore_user("root")
    with pytest.raises(LookupError, match="OS user no-such-sop-user does not exist"):
        f.restore_user("no-such-sop-user")
