# GPL-3.0-or-later
"""sop_tree's open_path: a path the administrator gives, opened from / one entry at a
time, following only the symbolic links root alone can have made; and shown, a name on
one line, each escape reading one way only."""

from __future__ import annotations

import errno
import itertools
import os
import pwd
from pathlib import Path

import pytest
from conftest import within
from loader import load

tree = load("sop_tree")

as_root = pytest.mark.skipif(os.geteuid() != 0, reason=(
    "a folder only root can change, beside one of another account, needs the tests run as "
    "root (the CI runs them so)"))


def root_only(folder: Path) -> Path:
    """``folder`` made, owned by root and writable by root alone (whatever the umask)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    return folder


def web_account() -> str:
    """The name of uid 33 (www-data on Debian), its number when it has none."""
    try:
        return pwd.getpwuid(33).pw_name
    except KeyError:
        return "33"


def read(path: Path) -> bytes:
    fd, _info = tree.open_path(str(path))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


@as_root
def test_a_link_is_followed_only_in_a_folder_root_alone_can_change(tmp_path):
    data = root_only(tmp_path / "data" / "logs")
    (data / "access.log").write_text("line\n")
    links = root_only(tmp_path / "links")
    (links / "abs").symlink_to(data)
    (links / "rel").symlink_to("../data/logs")
    (links / "up").symlink_to("../data/logs/..")  # '..' of the target's folder, in it
    (links / "file").symlink_to("rel/access.log")  # the last entry, through another link
    for way in ("abs/access.log", "rel/access.log", "up/logs/access.log", "file"):
        assert read(links / way) == b"line\n", way
    folder = tree.open_path_folder(str(links / "up"))
    try:
        assert os.path.samestat(os.fstat(folder), os.stat(tmp_path / "data"))
    finally:
        os.close(folder)
    # the same links, in a folder its group or everyone (sticky) or another account can write
    for mode, uid, writer, account in ((0o775, 0, "group", "root"),
                                       (0o1777, 0, "others", None),
                                       (0o755, 33, "owner", web_account())):
        os.chmod(links, mode)
        os.chown(links, uid, -1)
        with pytest.raises(tree.LinkNotFollowed) as caught:
            read(links / "rel" / "access.log")
        refused = caught.value
        assert (refused.errno, refused.filename, refused.link, refused.target) == (
            errno.ELOOP, str(links / "rel"), str(links / "rel"), "../data/logs")
        assert (refused.writer, refused.account) == (writer, account)


@as_root
def test_at_most_40_links_are_followed_and_a_loop_is_refused(tmp_path):
    """40 links, as Linux's MAXSYMLINKS, are followed; the 41st, or a loop, is refused."""
    folder = root_only(tmp_path / "chain")
    (folder / "end").mkdir()
    (folder / "end" / "f").write_text("x")
    (folder / "l0").symlink_to("end")
    for number in range(1, 41):
        (folder / f"l{number}").symlink_to(f"l{number - 1}")
    assert read(folder / "l39" / "f") == b"x"  # 40 links: l39 .. l0
    with pytest.raises(tree.LinkNotFollowed) as caught:
        read(folder / "l40" / "f")
    assert (caught.value.link, caught.value.target) == (str(folder / "l0"), "end")
    assert (caught.value.writer, caught.value.account) == (None, None)
    assert "more than 40 symbolic links (a loop)" in caught.value.strerror
    (folder / "a").symlink_to("b")
    (folder / "b").symlink_to("a")
    with within(10, "a loop of links"), pytest.raises(tree.LinkNotFollowed):
        tree.open_path_folder(str(folder / "a"))


def test_what_is_no_regular_file_or_no_folder_is_named_and_not_waited_for(tmp_path):
    (tmp_path / "file").write_text("")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotADirectoryError) as caught:
        tree.open_path(str(tmp_path / "file" / "x"))
    assert caught.value.filename == str(tmp_path / "file")
    with pytest.raises(NotADirectoryError) as caught:
        tree.open_path_folder(str(tmp_path / "file"))
    assert caught.value.filename == str(tmp_path / "file")
    for path in (tmp_path / "fifo", tmp_path, Path("/")):
        with within(10, "a FIFO is not waited for"), pytest.raises(OSError) as caught:
            tree.open_path(str(path))
        assert caught.value.errno == errno.EINVAL, path
    with pytest.raises(FileNotFoundError) as caught:
        tree.open_path(str(tmp_path / "missing" / "x"))
    assert caught.value.filename == str(tmp_path / "missing")
    with pytest.raises(OSError) as caught:
        tree.open_path("relative/x")
    assert caught.value.errno == errno.EINVAL


def test_no_descriptor_is_left_open(tmp_path):
    """Every folder held on the way is closed, whatever the walk ends in."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_text("x")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        assert read(tmp_path / "a" / "b" / ".." / "b" / "f") == b"x"
        with pytest.raises(FileNotFoundError):
            tree.open_path(str(tmp_path / "a" / "nothing" / "f"))
        os.close(tree.open_path_folder(str(tmp_path / "a" / "b")))
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.parametrize(("name", "expected"), [
    ("a\nb.php", "a\\x0ab.php"),
    ("a\\x0ab.php", "a\\\\x0ab.php"),  # the four characters \x0a: no newline
    ("a\u2028b.php", "a\\u2028b.php"),
    ("a\\u2028b.php", "a\\\\u2028b.php"),
    ("shell\udcff.php", "shell\\udcff.php"),  # the byte 0xff, no UTF-8 (surrogateescape)
    ("shell\\udcff.php", "shell\\\\udcff.php"),
    ("a\tb\r\x1b[2K\x85.php", "a\\x09b\\x0d\\x1b[2K\\x85.php"),
    ("C:\\Users\\x.php", "C:\\\\Users\\\\x.php"),
    ("berkas lama/página.php", "berkas lama/página.php"),
])
def test_shown_writes_a_name_on_one_line(name: str, expected: str) -> None:
    """A finding's name on one line: a newline, a control character, a line separator or
    a byte that is no UTF-8 as its escape, and a backslash doubled, so that a file
    literally named a\\x0ab.php never reads as one whose name holds a newline."""
    assert tree.shown(name) == expected
    assert len(expected.splitlines()) == 1
    expected.encode("utf-8")  # no surrogate left


def test_shown_tells_every_name_apart() -> None:
    """Each escape reads one way only: what shown writes is read back (as Python reads
    \\\\, \\xNN and \\uNNNN) to the very name, whatever the site's account put in it."""
    alphabet = ["\\", "x", "u", "0", "a", "\n", "\x1b", "\x85", "\u2028", "\udcff", "é"]
    names = ["".join(chars) for chars in itertools.product(alphabet, repeat=4)]
    for name in names:
        text = tree.shown(name)
        back = text.encode("latin-1", "backslashreplace").decode("unicode_escape")
        assert back == name, (name, text)
