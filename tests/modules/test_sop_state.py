"""module_utils/sop_state.py: private files replaced whole or not at all."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest
from loader import load, run_python

state = load("sop_state")


def test_a_file_is_replaced_whole_private_and_without_leftovers(tmp_path):
    target = tmp_path / "s" / "state.json"
    state.private_dir(str(target.parent))
    state.write_private(target, '{"version": 1, "offset": 10}')
    state.write_private(target, '{"version": 1, "offset": 20}')
    assert state.read_json(str(target), 1) == {"version": 1, "offset": 20}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert os.listdir(target.parent) == ["state.json"]


def test_a_failed_write_keeps_the_old_content_and_leaves_no_temporary_file(tmp_path,
                                                                           monkeypatch):
    target = tmp_path / "cursor"
    state.write_private(target, "old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        state.write_private(target, "new\n")
    with pytest.raises(OSError, match="No space left"):
        state.write_private(target, "new\n", temporary=str(tmp_path / "cursor.partial"))
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["cursor"]


def test_an_existing_directory_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o1777)  # as /tmp: a state directory configured there must not lose it
    state.private_dir(str(shared))
    state.write_private(shared / "baseline.json", "{}")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "baseline.json").stat().st_mode) == 0o600


def test_reading_missing_unreadable_and_foreign_files(tmp_path):
    assert state.read_json(str(tmp_path / "none.json"), 1) is None
    (tmp_path / "half.json").write_text('{"version": 1, "off')
    with pytest.raises(state.StateError, match=r"half\.json unreadable: "):
        state.read_json(str(tmp_path / "half.json"), 1)
    (tmp_path / "deep.json").write_text("[" * 100_000)  # it raised RecursionError
    with pytest.raises(state.StateError, match=r"deep\.json unreadable: "):
        state.read_json(str(tmp_path / "deep.json"), 1)
    (tmp_path / "old.json").write_text('{"version": 0}')
    with pytest.raises(state.StateError, match=r"old\.json has an unknown format$"):
        state.read_json(str(tmp_path / "old.json"), 1)


def test_a_record_torn_by_a_crash_gets_the_next_entry_on_a_line_of_its_own(tmp_path):
    record = tmp_path / "record.jsonl"
    record.write_bytes(b'{"a": 1}\n{"a": 2, "b": "to')  # a crash mid-append
    state.append_json(record, {"a": 3})
    state.append_json(record, {"a": 4})
    assert record.read_bytes() == b'{"a": 1}\n{"a": 2, "b": "to\n{"a": 3}\n{"a": 4}\n'
    state.append_json(tmp_path / "new.jsonl", {"a": 1})
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o600


APPEND_IN_A_CHILD = """
import errno, json, sys
from ansible.module_utils.sop_state import append_json
try:
    append_json(sys.argv[1], {"name": "x" * 200})
except OSError as exc:
    print(json.dumps([errno.errorcode[exc.errno], exc.strerror]))
"""


@pytest.mark.parametrize("tail", [b"", b'{"name": "tor'], ids=["whole", "torn"])
def test_a_line_that_does_not_fit_is_taken_back_whole(tmp_path, tail):
    """The file may grow by 50 bytes only (RLIMIT_FSIZE: the first write is short, as on
    a disk that fills during it): no part of the line stays, the file is as it was, and
    the error says why."""
    record = tmp_path / "record.jsonl"
    before = b'{"name": "first"}\n' + tail
    record.write_bytes(before)
    child = run_python(APPEND_IN_A_CHILD.replace("sys.argv[1]", repr(str(record))),
                       file_limit=len(before) + 50)
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == ["EFBIG", "File too large"]
    assert record.read_bytes() == before
    state.append_json(record, {"name": "next"})  # the record takes whole lines again
    assert record.read_bytes().endswith(b'\n{"name": "next"}\n')


def test_a_record_that_is_a_link_or_a_fifo_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("kept\n")
    (tmp_path / "link.jsonl").symlink_to(target)
    with pytest.raises(OSError) as refused:
        state.append_json(tmp_path / "link.jsonl", {"a": 1})
    assert refused.value.errno == errno.ELOOP and target.read_text() == "kept\n"
    os.mkfifo(tmp_path / "fifo.jsonl")
    with pytest.raises(OSError, match="not a regular file"):
        state.append_json(tmp_path / "fifo.jsonl", {"a": 1})
