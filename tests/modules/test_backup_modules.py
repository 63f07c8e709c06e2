"""library/ backup modules: the streaming pipeline, failure clean-up, pure helpers."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import subprocess

import pytest
from loader import load

backup = load("mariadb_backup")
verify = load("mariadb_restore_verify")
retention = load("backup_retention")
files = load("sop_backup_files")
manifest_mod = load("backup_manifest")

DUMP = ["sh", "-c", "echo '-- header'; i=0; while [ $i -lt 2000 ]; do "
        "echo \"INSERT INTO t VALUES ($i,'row $i');\"; i=$((i+1)); done"]


def no_counts() -> backup.Counters:
    return backup.Counters(["false"], [], enabled=False)


def expected_stream() -> bytes:
    return subprocess.run(DUMP, capture_output=True, check=True).stdout


@pytest.mark.parametrize("compression", ["zstd", "gzip"])
def test_stream_hashes_while_writing(tmp_path, compression: str) -> None:
    target = tmp_path / f"sipp-20261121T020000.sql.{'zst' if compression == 'zstd' else 'gz'}"
    writer = files.HashingWriter(str(target))
    backup._dump_sql(backup.Pipeline(), DUMP, backup.compress_argv(compression, None),
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
            backup._dump_sql(pipeline, killed, backup.compress_argv("zstd", None),
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
        backup._dump_sql(backup.Pipeline(), failing, backup.compress_argv("zstd", None),
                         writer=writer, counters=no_counts())
    writer.discard()


def test_disk_full_is_one_clear_error(tmp_path, monkeypatch) -> None:
    writer = files.HashingWriter(str(tmp_path / "b.sql.zst"))

    def full(_chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer, "write", full)
    pipeline = backup.Pipeline()
    with pytest.raises(backup.BackupFailed, match="No space left on device"):
        backup._dump_sql(pipeline, DUMP, backup.compress_argv("zstd", None), writer=writer,
                         counters=no_counts())
    pipeline.kill()
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_remove_stale_only_touches_own_leftovers(tmp_path) -> None:
    (tmp_path / "sipp-20261120T020000.sql.zst.partial").write_bytes(b"x")
    (tmp_path / ".sipp-mydumper-abc").mkdir()
    (tmp_path / "sipp-20261120T020000.sql.zst").write_bytes(b"keep")
    (tmp_path / "other-20261120T020000.sql.zst.partial").write_bytes(b"keep")
    removed = backup._remove_stale(str(tmp_path), "sipp")
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "other-20261120T020000.sql.zst.partial", "sipp-20261120T020000.sql.zst"]


def test_verify_compare() -> None:
    expected = {"a": {"rows": 3}, "b": {"rows": None, "rows_min": 1, "rows_max": 4},
                "gone": {"rows": 0}}
    problems = verify.compare(expected, {"a": 3, "b": 5, "new": 1})
    assert problems == ["table gone missing after restore", "table new not in the manifest",
                        "table b has 5 rows, manifest 1..4"]
    assert verify.compare({"a": {"rows": 3}}, {"a": 3}) == []


def test_manifest_outputs_for_the_sop_record() -> None:
    out = manifest_mod.outputs("/b/x.sql.zst", {"size": 5, "sha256": "ab", "duration": 1.5,
                                                "tables": {"t": {"rows": 1}}, "verified": True,
                                                "verification": {"status": "ok", "reason": "r"}},
                               [{"location": "backup:/srv"}])
    assert {"path", "size", "sha256", "duration", "tables", "verified", "copies"} <= set(out)
    assert out["verified"] is True and out["verification"] == "r"


def test_retention_inventory(tmp_path) -> None:
    def make(name: str, verified: bool) -> None:
        path = tmp_path / name
        path.write_bytes(b"data")
        files.write_json_atomic(files.manifest_path(str(path)), {"size": 4, "verified": verified})

    make("sipp-20261101T020000.sql.zst", True)
    make("sipp-20261102T020000.sql.zst", False)
    (tmp_path / "sipp-20261103T020000.sql.zst.partial").write_bytes(b"x")
    files.write_json_atomic(str(tmp_path / "sipp-20261104T020000.sql.zst.manifest.json"), {})
    (tmp_path / "unrelated.txt").write_text("x")
    items = {i["name"]: i for i in retention.inventory(str(tmp_path), "sipp")}
    assert sorted(items) == ["sipp-20261101T020000.sql.zst", "sipp-20261102T020000.sql.zst",
                             "sipp-20261103T020000.sql.zst.partial",
                             "sipp-20261104T020000.sql.zst.manifest.json"]
    assert items["sipp-20261101T020000.sql.zst"]["verified"] is True
    assert len(items["sipp-20261101T020000.sql.zst"]["files"]) == 2
    assert items["sipp-20261104T020000.sql.zst.manifest.json"]["time"] == dt.datetime(
        2026, 11, 4, 2, 0)


def fake_client(tmp_path, grant_lock: bool, counts: list[int]) -> list[str]:
    """A client answering the lock, snapshot and COUNT(*) statements; each new
    connection (a counter) answers with the next value of ``counts``."""
    state = tmp_path / "connections"
    state.write_text("0")
    lock = "" if grant_lock else "echo 'ERROR 1227 (42000): RELOAD needed' >&2; exit 1"
    script = tmp_path / "client"
    script.write_text(
        "#!/bin/sh\n"
        f"n=$(cat {state}); echo $((n+1)) > {state}\n"
        f"set -- {' '.join(str(c) for c in counts)}; shift $n; value=${{1:-0}}\n"
        "while read -r line; do case \"$line\" in\n"
        f"  FLUSH*) {lock};;\n"
        "  \"SELECT '__sop_read_lock__';\") echo __sop_read_lock__;;\n"
        "  \"SELECT '__sop_snapshot_open__';\") echo __sop_snapshot_open__;;\n"
        "  SELECT*COUNT*) printf 't\\t%s\\n' \"$value\";;\n"
        "esac; done\n")
    script.chmod(0o755)
    return [str(script)]


def test_counters_exact_in_the_dumps_snapshot_under_the_lock(tmp_path) -> None:
    # connections: 1 = lock session, 2 = the snapshot counter
    counters = backup.Counters(fake_client(tmp_path, True, [0, 7, 9]), ["t"], enabled=True)
    counters.open_before()
    assert counters.lock.held
    counters.past_snapshot()
    assert not counters.lock.held
    assert counters.result() == {"t": {"rows": 7}}
    assert counters.note.startswith("exact COUNT(*) in the dump's own snapshot")


def test_counters_bracket_without_the_lock(tmp_path) -> None:
    # connections: 1 = refused lock, 2 = before snapshot, 3 = after snapshot
    counters = backup.Counters(fake_client(tmp_path, False, [0, 7, 9]), ["t"], enabled=True)
    counters.open_before()
    counters.past_snapshot()
    assert counters.result() == {"t": {"rows": None, "rows_min": 7, "rows_max": 9}}
    assert "RELOAD needed" in counters.note


def test_counters_never_started_is_an_error(tmp_path) -> None:
    counters = backup.Counters(fake_client(tmp_path, True, [0, 1]), ["t"], enabled=True)
    counters.open_before()
    with pytest.raises(backup.BackupFailed, match="never started"):
        counters.result()
    counters.abort()
