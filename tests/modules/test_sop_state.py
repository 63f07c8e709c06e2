"""module_utils/sop_state.py: private files replaced whole or not at all."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from loader import load

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
    (tmp_path / "old.json").write_text('{"version": 0}')
    with pytest.raises(state.StateError, match=r"old\.json has an unknown format$"):
        state.read_json(str(tmp_path / "old.json"), 1)
