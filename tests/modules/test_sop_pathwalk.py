"""module_utils/sop_pathwalk.py: a path walked as the kernel resolves it, on real
folders, files and symbolic links, each walk's end compared with what the kernel itself
resolves (os.path.realpath, os.stat)."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from loader import load

pathwalk = load("sop_pathwalk")


def steps(path):
    """Each entry looked up: (its path, the link's target or None)."""
    return [(entry.path, entry.target) for entry in pathwalk.walk(path)]


def below(path):
    """The entries looked up from / down to ``path`` (a real path, no link in it)."""
    parts = str(path).split("/")[1:]
    return [("/" + "/".join(parts[:i + 1]), None) for i in range(len(parts))]


def test_a_path_without_links_is_each_of_its_entries_with_its_lstat(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    entries = list(pathwalk.walk(tmp_path / "a" / "f"))
    assert [(e.path, e.target) for e in entries] == below(tmp_path / "a" / "f")
    assert entries[-1].folder == str(tmp_path / "a") and entries[-1].name == "f"
    assert not any(e.is_link for e in entries)
    assert stat.S_ISREG(entries[-1].info.st_mode)
    assert entries[-1].info.st_ino == os.lstat(tmp_path / "a" / "f").st_ino


def test_a_relative_target_is_walked_from_the_folder_holding_the_link(tmp_path):
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "f").write_text("x")
    (tmp_path / "a").symlink_to("b/c")
    entries = list(pathwalk.walk(tmp_path / "a" / "f"))
    link = entries[len(below(tmp_path))]
    assert (link.path, link.target, link.is_link) == (str(tmp_path / "a"), "b/c", True)
    assert stat.S_ISLNK(link.info.st_mode)  # the link's own lstat, not its target's
    assert [(e.path, e.target) for e in entries] == [
        *below(tmp_path), (str(tmp_path / "a"), "b/c"), (str(tmp_path / "b"), None),
        (str(tmp_path / "b" / "c"), None), (str(tmp_path / "b" / "c" / "f"), None)]
    assert entries[-1].path == os.path.realpath(tmp_path / "a" / "f")


def test_an_absolute_target_is_walked_again_from_the_root(tmp_path):
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    assert steps(tmp_path / "link" / "sub") == [
        *below(tmp_path), (str(tmp_path / "link"), str(real)), *below(real / "sub")]
    assert os.path.realpath(tmp_path / "link" / "sub") == str(real / "sub")


def test_dotdot_after_a_link_is_the_parent_of_its_target_not_of_the_link(tmp_path):
    # /tmp/x/l/../f: lexically /tmp/x/f, but the kernel takes .. in the link's target,
    # where f is another file
    (tmp_path / "real" / "deep").mkdir(parents=True)
    (tmp_path / "real" / "f").write_text("the kernel's")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("lexical")
    (tmp_path / "x" / "l").symlink_to("../real/deep")
    entries = list(pathwalk.walk(f"{tmp_path}/x/l/../f"))
    assert entries[-1].path == str(tmp_path / "real" / "f")
    assert entries[-1].info.st_ino == os.stat(f"{tmp_path}/x/l/../f").st_ino
    assert [e.path for e in entries if e.is_link] == [str(tmp_path / "x" / "l")]


def test_a_relative_path_is_walked_from_the_working_folders_real_path(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    (tmp_path / "here").symlink_to("real")
    monkeypatch.chdir(tmp_path / "here")
    (tmp_path / "real" / "f").write_text("x")
    assert steps("./f") == below(tmp_path / "real" / "f")


@pytest.mark.parametrize("count", [40, 41])
def test_links_are_followed_up_to_the_kernels_limit(tmp_path, count):
    (tmp_path / "f").write_text("x")
    for i in range(count):
        (tmp_path / f"l{i}").symlink_to("f" if i == count - 1 else f"l{i + 1}")
    if count == 40:  # the kernel follows 40
        assert os.stat(tmp_path / "l0").st_ino == (tmp_path / "f").stat().st_ino
        entries = list(pathwalk.walk(tmp_path / "l0"))
        assert sum(e.is_link for e in entries) == 40
        assert entries[-1].path == str(tmp_path / "f")
        return
    with pytest.raises(OSError) as kernel:  # and refuses the 41st
        os.stat(tmp_path / "l0")
    assert kernel.value.errno == errno.ELOOP
    with pytest.raises(pathwalk.TooManyLinks) as walked:
        list(pathwalk.walk(tmp_path / "l0"))
    assert walked.value.errno == errno.ELOOP and walked.value.filename == str(tmp_path / "l0")


def test_a_loop_of_links_ends_in_eloop(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    seen = []
    with pytest.raises(pathwalk.TooManyLinks, match="Too many levels of symbolic links"):
        seen.extend(e.path for e in pathwalk.walk(tmp_path / "a" / "f"))
    links = [p for p in seen if p in (str(tmp_path / "a"), str(tmp_path / "b"))]
    assert len(links) == pathwalk.MAX_LINKS + 1  # the one past the limit was looked up


def test_a_missing_entry_is_named_after_the_entries_before_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "dangling").symlink_to("a/gone")
    for path in (tmp_path / "a" / "gone" / "f", tmp_path / "dangling" / "f"):
        seen = []
        with pytest.raises(FileNotFoundError) as missing:
            seen.extend(e.path for e in pathwalk.walk(path))
        assert missing.value.filename == str(tmp_path / "a" / "gone"), path
        assert missing.value.strerror == "No such file or directory"
        assert seen[-1] == str(tmp_path / "a")


def test_an_entry_below_a_file_is_not_a_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError) as below_file:
        list(pathwalk.walk(tmp_path / "f" / "x"))
    assert below_file.value.filename == str(tmp_path / "f" / "x")
