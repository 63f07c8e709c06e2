"""website_quarantine's record (quarantine.jsonl): one whole line per moved file, after a
crash that tore the last line and when the line cannot be written."""

from __future__ import annotations

import datetime
import json
import os
import pwd
from pathlib import Path
from typing import Any

import pytest
from loader import load, run_module, tmpfs

quarantine = load("website_quarantine")
integrity = load("sop_integrity")


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A site with a shell in uploads, the quarantine folder, and the module's args."""
    site = tmp_path / "site"
    (site / "wp-content" / "uploads").mkdir(parents=True)
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    dest = tmp_path / "q"
    findings = [{"kind": "php_in_uploads", "path": str(shell), "name": "php in uploads"}]
    return shell, dest, {"findings": findings, "dest": str(dest), "roots": [str(site)]}


def entries(record: Path) -> list[dict]:
    """The record's entries as a reader sees them: a torn line is skipped."""
    found = []
    for line in record.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found


def test_a_record_torn_by_a_crash_still_records_the_next_move(planted, tmp_path):
    """A crash mid-append left the record without a final newline: the next move's
    line was glued to the torn one, so the record of a file taken out of the site was
    unreadable (the evidence of where it went lost)."""
    shell, dest, args = planted
    dest.mkdir(mode=0o700)
    record = dest / "quarantine.jsonl"
    record.write_bytes(b'{"path": "/srv/a.php", "quarantined": "/q/a.p')
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc == 0 and result["changed"]
    assert [e["path"] for e in entries(record)] == [str(shell)]
    assert entries(record) == result["moved"] and not shell.exists()


def test_a_record_line_that_does_not_fit_moves_nothing(planted, tmp_path):
    """The record may grow by 40 bytes only (RLIMIT_FSIZE: the copy fits, the line is
    written short, as on a disk that fills): no half line, no copy without its record,
    and the file stays in the site, named in one line."""
    shell, dest, args = planted
    dest.mkdir(mode=0o700)
    record = dest / "quarantine.jsonl"
    before = b"".join(json.dumps({"path": f"/srv/{n}.php"}).encode() + b"\n" for n in range(20))
    record.write_bytes(before)
    rc, result = run_module("website_quarantine", tmp_path, args, file_limit=len(before) + 40)
    assert rc != 0 and not result["changed"] and result["moved"] == []
    assert result["msg"] == f"karantina {shell} gagal: File too large"
    assert record.read_bytes() == before
    assert [p.name for p in dest.rglob("*") if not p.is_dir()] == ["quarantine.jsonl"]
    assert shell.read_text() == "<?php eval($_POST['c']);"


def test_a_wp_config_above_the_web_root_is_reported_never_moved(planted, tmp_path):
    """website_integrity checks the wp-config.php one folder above the web root too (the
    site's database login, a backdoor's common place). Quarantine never moves a file
    outside its roots (the site would lose its database), and it was silently skipped:
    it is now named as left in place, without failing the task; the others still move."""
    shell, _dest, args = planted
    config = tmp_path / "wp-config.php"
    config.write_text("<?php eval($_POST['c']); define('DB_PASSWORD', 'x');")
    args["findings"] += [
        {"kind": kind, "path": str(config), "name": f"{kind}: {config}", "area": "core"}
        for kind in ("new_file", "webshell")]
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc == 0 and result["changed"], result
    assert [m["path"] for m in result["moved"]] == [str(shell)] and config.exists()
    left = [f"{config}: di luar folder situs (mis. wp-config.php di atas web root), tidak "
            "dipindahkan: periksa, lalu pulihkan dari cadangan bila diubah"]
    assert result["left"] == left and result["sop_output"]["dibiarkan"] == left
    rc, again = run_module("website_quarantine", tmp_path, {**args, "_ansible_check_mode": True})
    assert (rc, again["changed"], again["left"]) == (0, False, left)


def test_the_record_keeps_what_a_restore_needs(planted, tmp_path):
    """The copy is root's, 0600: a file moved by mistake (a new plugin file of the
    court's own) could not be put back as it was, its mode, owner and time lost. The
    record keeps them."""
    shell, _dest, args = planted
    os.chmod(shell, 0o640)
    os.utime(shell, (1700000000, 1700000000))
    owner = os.stat(shell)
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc == 0
    [moved] = result["moved"]
    assert (moved["mode"], moved["uid"], moved["gid"], moved["mtime"]) == (
        "0640", owner.st_uid, owner.st_gid, "2023-11-14T22:13:20+00:00")
    assert os.stat(moved["quarantined"]).st_mode & 0o777 == 0o600


def test_a_name_with_a_line_break_stays_on_one_line_in_the_messages(planted, tmp_path):
    """A refused file's name with a line break wrote a line of the site account's own
    into the task's one-line failure; a file left outside the site did the same."""
    shell, _dest, args = planted
    elsewhere = tmp_path / "etc\nkarantina selesai"
    elsewhere.mkdir()
    (elsewhere / "y.php").write_text("<?php")
    folder = shell.parent / "l\nk"
    folder.symlink_to(elsewhere)
    outside = tmp_path / "wp-config.php\nok"
    args["findings"] += [{"kind": "php_in_uploads", "path": str(folder / "y.php"), "name": "y"},
                         {"kind": "new_file", "path": str(outside), "name": "outside"}]
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc != 0 and len(result["msg"].splitlines()) == 1
    assert f"{shell.parent}/l\\x0ak/y.php" in result["msg"]
    assert f"{tmp_path}/etc\\x0akarantina selesai" in result["msg"]
    assert result["left"][0].startswith(f"{tmp_path}/wp-config.php\\x0aok: ")


def test_the_same_path_moved_twice_within_a_second_is_moved_both_times(planted, monkeypatch):
    """The batch folder was named to the second: a file planted again and moved in the
    same second met its first copy there ("File exists") and stayed in the site. The
    second run gets a folder of its own, its time still readable; a run that moves
    nothing leaves none."""
    shell, dest, args = planted
    instant = datetime.datetime(2026, 12, 5, 12, 44, 0, 500000, tzinfo=datetime.UTC)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return instant

    monkeypatch.setattr(quarantine.datetime, "datetime", Clock)
    todo = [{"path": str(shell), "finding": {"name": "php in uploads"}}]
    results = []
    for _ in range(2):
        shell.write_text("<?php eval($_POST['c']);")
        results.append(quarantine.move_all(todo, args["roots"], str(dest), []))
        assert not shell.exists()
    assert [r["moved"][0]["quarantined"] for r in results] == [
        f"{dest}/20261205T124400Z{suffix}{shell}" for suffix in ("", "-2")]
    assert all(r["changed"] and "msg" not in r for r in results)
    assert quarantine.move_all(todo, args["roots"], str(dest), [])["changed"] is False
    assert sorted(p.name for p in dest.iterdir()) == [
        "20261205T124400Z", "20261205T124400Z-2", "quarantine.jsonl"]


def test_a_sparse_file_is_copied_sparsely(planted, tmp_path):
    """The site's account can make uploads/x.php as large as it likes at no disk cost
    (truncate -s 100G): the copy read it whole and wrote every hole out as zeros, filling
    the quarantine's disk. Only the parts holding data are copied now; the copy is the
    same file, holes and all, and the record's digest is website_integrity's."""
    shell, _dest, args = planted
    with shell.open("r+b") as opened:
        opened.seek(200 << 20)
        opened.write(b"<?php system($_GET['c']);")
        opened.truncate(256 << 20)
    with shell.open("rb") as opened:
        digest = integrity.file_digest(opened.fileno(), 256 << 20)
    assert digest.startswith("sparse-") and shell.stat().st_blocks * 512 <= 1 << 20
    rc, result = run_module("website_quarantine", tmp_path, args, seconds=60)
    assert rc == 0 and not shell.exists(), result
    [moved] = result["moved"]
    copy = Path(moved["quarantined"])
    assert copy.stat().st_size == 256 << 20 and copy.stat().st_blocks * 512 <= 1 << 20
    assert (moved["size"], moved["sha256"]) == (256 << 20, digest)
    with copy.open("rb") as opened:
        assert opened.read(24) == b"<?php eval($_POST['c']);"
        opened.seek(200 << 20)
        assert opened.read(25) == b"<?php system($_GET['c']);"
        assert opened.read() == bytes((256 << 20) - (200 << 20) - 25)


def test_a_file_holding_more_data_than_the_cap_stays_in_the_site(planted, tmp_path):
    """A file holding more data than max_copy_bytes is not copied (the quarantine's disk
    would fill): the task fails naming it and why, in one line, and it stays in the site,
    no copy of it left behind. Holes are not counted, and the other files still move."""
    shell, _dest, args = planted
    with shell.open("ab") as opened:
        opened.write(os.urandom(3 << 20))
        opened.truncate(1 << 30)
    large = shell.with_name("z.php")
    large.write_bytes(b"<?php" + bytes(5 << 20))  # data on disk, even as zeros
    args["findings"].append({"kind": "php_in_uploads", "path": str(large), "name": "z"})
    rc, result = run_module("website_quarantine", tmp_path, {**args, "max_copy_bytes": 4 << 20})
    assert rc != 0 and [m["path"] for m in result["moved"]] == [str(shell)], result
    assert result["msg"] == (
        f"karantina {large} gagal: berisi 5 MiB data, melebihi batas salinan karantina "
        "4 MiB (max_copy_bytes); tidak disalin, berkas tetap di situs: periksa dan tangani "
        "manual")
    assert large.stat().st_size == (5 << 20) + 5 and not shell.exists()
    batch = Path(result["moved"][0]["quarantined"]).parent
    assert [p.name for p in batch.iterdir()] == ["x.php"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_copy_cap_of_no_bytes_fails_in_one_line_before_anything_is_read(
        planted, tmp_path, check_mode):
    """A negative max_copy_bytes was taken: the run made its batch folder and refused
    every file as larger than the cap (in check mode it planned them all)."""
    shell, dest, args = planted
    dest.mkdir(mode=0o700)
    rc, result = run_module("website_quarantine", tmp_path, {
        **args, "max_copy_bytes": -1, "_ansible_check_mode": check_mode})
    assert (rc, result["msg"], result["setting"]) == (
        1, "max_copy_bytes: must be a positive number of bytes, not -1", "max_copy_bytes")
    assert list(dest.iterdir()) == [] and shell.exists()


def test_a_root_the_site_s_account_swaps_for_a_link_is_not_followed(tmp_path):
    # A root in a folder the site's account can write (its uploads, in a wp-content that
    # account owns): after website_integrity named a new file there, the account swaps
    # the root for a link to a folder outside the site holding a file of that name. The
    # root's link was followed, and root's own file was copied out and removed.
    content = tmp_path / "site" / "wp-content"
    content.mkdir(parents=True)
    content.chmod(0o777)  # as the site's account's: anyone may write it here
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0")
    (content / "uploads").symlink_to(outside)
    path = f"{content}/uploads/passwd"
    rc, result = run_module("website_quarantine", tmp_path, {
        "findings": [{"kind": "new_file", "path": path, "name": "berkas baru"}],
        "dest": str(tmp_path / "q"), "roots": [f"{content}/uploads", str(tmp_path / "site")]})
    assert (outside / "passwd").read_text() == "root:x:0:0"
    assert (rc, result["msg"]) == (1, f"karantina {path} gagal: folder {content}/uploads adalah "
                                      f"tautan simbolik ke {outside} (tidak diikuti; tidak ada "
                                      "yang dipindahkan)")


def test_a_root_linked_where_root_alone_can_change_it_is_followed(planted, tmp_path):
    # /usr/share/wordpress/wp-content -> /var/lib/wordpress/wp-content: root's own link
    shell, _dest, args = planted
    link = tmp_path / "html"
    link.symlink_to(tmp_path / "site")
    args["roots"] = [str(link)]
    args["findings"][0]["path"] = f"{link}/wp-content/uploads/x.php"
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc == 0, result.get("msg")
    assert not shell.exists() and [m["path"] for m in result["moved"]] == [
        f"{link}/wp-content/uploads/x.php"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_hard_link_to_another_account_s_file_is_not_read(planted, tmp_path, check_mode):
    """Where hard links are not protected (fs.protected_hardlinks=0) the site's account
    links any file it reaches into its uploads (/etc/shadow) and reports nothing: root
    read it into quarantine, recorded its digest, owner and mode, and removed the link.
    A file with more than one name, owned by root or by another account than its folder's
    owner, is refused at the choice, check mode too, and not read; the site's own file
    under two names is still moved."""
    shell, dest, args = planted
    nobody = pwd.getpwnam("nobody")
    for owned in (shell.parent, shell):
        os.chown(owned, nobody.pw_uid, nobody.pw_gid)
    shadow = tmp_path / "shadow"
    shadow.write_text("root:$6$secret")
    shadow.chmod(0o600)
    linked = shell.with_name("h.php")
    os.link(shadow, linked)
    twice = shell.with_name("x2.php")
    os.link(shell, twice)
    args["findings"] += [{"kind": "php_in_uploads", "path": str(path), "name": path.name}
                         for path in (linked, twice)]
    rc, result = run_module("website_quarantine", tmp_path,
                            {**args, "_ansible_check_mode": check_mode})
    assert (rc, result["msg"]) == (1, (
        f"karantina {linked} gagal: punya 2 nama (tautan keras) dan bukan milik pemilik "
        "foldernya: bisa jadi berkas di luar situs (mis. /etc/shadow); tidak dibaca, berkas "
        "tetap di situs: periksa dan tangani manual")), result
    assert sorted(m["path"] for m in result["moved"]) == [str(shell), str(twice)]
    assert linked.exists() and shadow.stat().st_nlink == 2
    copies = [p for p in dest.rglob("*") if p.is_file() and p.name != "quarantine.jsonl"]
    assert len(copies) == (0 if check_mode else 2)
    assert all(p.read_text() == "<?php eval($_POST['c']);" for p in copies)
    assert "6$secret" not in "".join(p.read_text() for p in dest.rglob("*") if p.is_file())


@pytest.mark.parametrize("swapped", ["link", "folder"])
def test_a_quarantine_folder_the_site_s_account_can_redirect_is_refused(
        planted, tmp_path, swapped):
    """website_quarantine_dir set beside the site, in a folder the site's account owns
    (/var/www/karantina): that account swaps it, or the batch folder made in it, for a
    link to /etc between the check and a write, and root wrote the planted file, 0600
    root's (as cron wants it), and its record where the link led. A quarantine folder
    that another account than root can change, or whose way there it can change, is
    refused before anything is moved, in check mode too."""
    shell, _dest, args = planted
    www = tmp_path / "www"
    www.mkdir()
    os.chown(www, pwd.getpwnam("nobody").pw_uid, -1)
    etc = tmp_path / "etc"
    etc.mkdir()
    dest = www / "karantina"
    if swapped == "link":
        dest.symlink_to(etc)
    else:
        dest.mkdir(mode=0o700)
    for check_mode in (True, False):
        rc, result = run_module("website_quarantine", tmp_path, {
            **args, "dest": str(dest), "_ansible_check_mode": check_mode})
        assert (rc, result["changed"], result["moved"]) == (1, False, []), result
        assert result["msg"] == (
            f"folder karantina {dest} tidak aman: {www} dapat diubah oleh pemiliknya nobody, "
            "bukan hanya root (folder itu atau jalannya dapat dialihkan dengan tautan "
            "simbolik); tidak ada yang dipindahkan")
    assert list(etc.iterdir()) == [] and shell.exists()
    assert swapped == "link" or list(dest.iterdir()) == []


def test_a_quarantine_folder_that_is_a_file_fails_in_one_line(planted, tmp_path):
    """A quarantine folder set to a file's name ended in a traceback."""
    _shell, dest, args = planted
    dest.write_text("")
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert (rc, result["msg"]) == (1, f"folder karantina {dest} bukan folder: Not a directory; "
                                      "tidak ada yang dipindahkan")


def test_a_quarantine_without_room_for_its_batch_folder_fails_in_one_line(planted, tmp_path):
    """The quarantine's file system full before the run's folder could be made in it (no
    inode left): a traceback, where a disk filling during a copy fails in one line. The
    file stays in the site."""
    shell, dest, args = planted
    with tmpfs(dest, "1m", inodes=1):
        dest.chmod(0o700)
        rc, result = run_module("website_quarantine", tmp_path, args)
        assert list(dest.iterdir()) == []
    assert (rc, result["changed"], result["moved"]) == (1, False, [])
    assert result["msg"] == (f"folder karantina {dest} tidak dapat dipakai: No space left on "
                             "device; tidak ada yang dipindahkan")
    assert shell.read_text() == "<?php eval($_POST['c']);"


def nested(folder: Path, length: int) -> str:
    """Folders made in ``folder`` one inside another, one at a time (as the site's
    account can, past any path length), until the path of a file in the deepest is
    ``length`` bytes long: that path."""
    path, fd = str(folder), os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while len(path) + len("/s.php") < length:
            name = "d" * min(200, length - len(path) - len("/s.php") - 1)
            os.mkdir(name, dir_fd=fd)
            below = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, path = below, f"{path}/{name}"
        written = os.open("s.php", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(written, b"<?php system($_GET['c']);")
        os.close(written)
    finally:
        os.close(fd)
    return f"{path}/s.php"


def read_deep(path: str) -> bytes:
    """The file at ``path``, its folders opened one at a time (a path past PATH_MAX)."""
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in path.strip("/").split("/")[:-1]:
            below = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = below
        opened = os.open(os.path.basename(path), os.O_RDONLY, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(opened, "rb") as handle:
        return handle.read()


def test_a_file_nested_deep_in_the_site_is_moved(planted, tmp_path):
    """The site's account nests folders until its webshell's path is just short of
    PATH_MAX (4096 bytes: the web server still opens it): its quarantine path, the
    batch folder's before it, was longer, and the copy, made by path, failed ("File name
    too long"), the file left in the site, where check mode had said it would be moved.
    The quarantine's folders are made and the copy written one folder at a time."""
    shell, dest, args = planted
    deep = nested(shell.parent, 4090)
    assert len(deep) == 4090
    args["findings"] = [{"kind": "php_in_uploads", "path": deep, "name": "deep"}]
    rc, planned = run_module("website_quarantine", tmp_path, {**args, "_ansible_check_mode": True})
    assert (rc, [m["path"] for m in planned["moved"]]) == (0, [deep])
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc == 0 and [m["path"] for m in result["moved"]] == [deep], result.get("msg")
    [moved] = result["moved"]
    assert len(moved["quarantined"]) > 4096
    assert read_deep(moved["quarantined"]) == b"<?php system($_GET['c']);"
    assert entries(dest / "quarantine.jsonl") == [moved]
    with pytest.raises(FileNotFoundError):
        read_deep(deep)


def test_the_copy_s_way_from_the_quarantine_folder_is_durable_before_the_file_goes(
        planted, monkeypatch):
    """The copy and the folders made for it were fsynced before the planted file was
    removed, but not the quarantine folder holding the run's new folder and the record
    made with the first move: a crash then (the quarantine on another disk than the
    site, whose removal was fsynced) could keep the removal and lose the copy's way and
    its record. The quarantine folder is now fsynced once the run's folder is made in it
    and once the record is, before any removal."""
    shell, dest, _args = planted
    dest.mkdir(mode=0o700)
    events: list[tuple[str, Any]] = []
    real_fsync, real_append, real_unlink = os.fsync, quarantine.append_json, \
        quarantine.unlink_same
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(
        ("fsync", os.fstat(fd).st_ino)) or real_fsync(fd))
    monkeypatch.setattr(quarantine, "append_json", lambda *a: events.append(
        ("record", None)) or real_append(*a))
    monkeypatch.setattr(quarantine, "unlink_same", lambda *a: events.append(
        ("remove", None)) or real_unlink(*a))
    todo = [{"path": str(shell), "finding": {"name": "php in uploads"}}]
    for first in (True, False):  # the record made, then one there already
        events.clear()
        shell.write_text("<?php eval($_POST['c']);")
        result = quarantine.move_all(todo, [str(shell.parents[2])], str(dest), [])
        assert result["changed"] and not shell.exists()
        recorded, removed = events.index(("record", None)), events.index(("remove", None))
        # the new folder's name before anything is moved into it, the record's once made
        assert ("fsync", dest.stat().st_ino) in events[:events.index(("fsync", os.stat(
            result["moved"][0]["quarantined"]).st_ino))], events
        assert (("fsync", dest.stat().st_ino) in events[recorded:removed]) is first


def test_a_file_of_a_root_inside_another_root_is_moved(planted, tmp_path):
    """Roots given one inside the other, the inner a link root made (website_integrity_paths
    [/srv/site, /srv/site/wp-content], wp-content linking to the content's own disk):
    website_integrity names a file there by the inner root, which it walks through the
    link, and quarantine reached it from the outer one, whose walk follows no link: the
    file was refused as behind a folder that is a link. The root nearest the file is
    taken."""
    _shell, _dest, args = planted
    site = tmp_path / "site"
    content = tmp_path / "content"
    (content / "uploads").mkdir(parents=True)
    planted_there = content / "uploads" / "z.php"
    planted_there.write_text("<?php")
    (site / "html").mkdir()
    (site / "html" / "wp-content").symlink_to(content)
    path = f"{site}/html/wp-content/uploads/z.php"
    args["roots"] = [f"{site}/html", f"{site}/html/wp-content"]
    args["findings"] = [{"kind": "php_in_uploads", "path": path, "name": "z"}]
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert (rc, [m["path"] for m in result["moved"]]) == (0, [path]), result.get("msg")
    assert not planted_there.exists()
