"""website_files_backup's streaming archive, website_archive_verify's check and
website_quarantine's choice of files, on real temporary trees with tar and zstd."""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import io
import json
import os
import pwd
import re
import resource
import shutil
import socket
import stat
import subprocess
import tarfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import within
from loader import ROOT, load, lock_held, run_main, run_module, warning_lines, webshell_archive

files = load("sop_website_files")
backup_files = load("sop_backup_files")
tree = load("sop_tree")
verify = load("website_archive_verify")
quarantine = load("website_quarantine")
backup_module = load("website_files_backup")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "wp-content" / "cache" / "page").mkdir(parents=True)
    (root / "wp-content" / "uploads").mkdir()
    (root / "index.php").write_text("<?php require 'wp-blog-header.php';\n")
    (root / "wp-content" / "uploads" / "foto.jpg").write_bytes(os.urandom(4096))
    (root / "wp-content" / "cache" / "page" / "index.html").write_text("cached")
    return root


def make_archive(site, dest):
    writer = backup_files.HashingWriter(str(dest / "website-20261130T010000.tar.zst"))
    archived = files.write_archive([str(site)], ["*/cache"], writer, 3)
    writer.commit()
    return writer, archived


def tar_names(path) -> list[str]:
    """The names in an archive, listed by the plain tools (C locale, past end markers)."""
    listing = subprocess.run(["tar", "--list", "--ignore-zeros", "--absolute-names", "-I", "zstd",
                              "-f", str(path)], capture_output=True, check=True,
                             env={**os.environ, "LC_ALL": "C"}).stdout
    return listing.decode("utf-8", "surrogateescape").splitlines()


def listing_digest(names: list[str]) -> str:
    """The manifest's listing_sha256 as defined: the sha256 of the sorted names, each
    followed by a newline (what COUNT_AND_HASH computes in its own process)."""
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def test_the_role_s_exclusions_leave_out_cache_folders_not_a_court_s_documents(tmp_path):
    """tar's --exclude matches at any depth (its '*' crosses '/'): a bare '*/cache' or
    '*/tmp' also left out an uploads folder of that name, which holds documents."""
    defaults = yaml.safe_load((ROOT / "roles" / "website" / "defaults" / "main.yml").read_text())
    root = tmp_path / "site"
    kept = [root / "wp-content" / "uploads" / "2024" / "05" / "cache" / "putusan.pdf",
            root / "wp-content" / "uploads" / "tmp" / "jadwal-sidang.pdf",
            root / "images" / "cache" / "pengumuman.pdf", root / "index.php"]
    left = [root / "wp-content" / "cache" / "page" / "index.html",
            root / "wp-content" / "upgrade" / "wordpress.zip",
            root / "administrator" / "cache" / "page.php"]
    for path in kept + left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.name)
    writer = backup_files.HashingWriter(str(tmp_path / "website-20261130T010000.tar.zst"))
    files.write_archive([str(root)], defaults["website_backup_exclude"], writer, 3)
    writer.commit()
    names = set(tar_names(writer.final_path))
    assert {str(path) for path in kept} <= names
    assert not {str(path) for path in left} & names


def test_archive_streams_hashes_and_excludes_cache(site, tmp_path):
    writer, archived = make_archive(site, tmp_path)
    names = tar_names(writer.final_path)
    assert any(n.endswith("/uploads/foto.jpg") for n in names)
    assert not any("/cache" in n for n in names)
    assert archived["entries"] == len(names)
    assert archived["listing_sha256"] == listing_digest(names)
    assert files.archive_listing(writer.final_path) == files.Listing(len(names),
                                                                    listing_digest(names))
    assert writer.sha256.hexdigest() == backup_files.sha256_file(writer.final_path)
    assert not os.path.exists(writer.partial_path)


def test_missing_folder_fails_with_one_line_and_leaves_nothing(tmp_path):
    writer = backup_files.HashingWriter(str(tmp_path / "website-20261130T010000.tar.zst"))
    with pytest.raises(files.ArchiveError, match=r"Cannot stat|No such file"):
        files.write_archive([str(tmp_path / "missing")], [], writer, 3)
    writer.discard()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_web_root_without_a_file_is_refused_before_anything_is_written(
        site, tmp_path, check_mode):
    """A wrong path or a volume not mounted (an empty mount point, or folders only) was
    archived as its one folder entry, a backup of nothing taken every day. Refused in one
    line naming it, nothing written; a folder holding only a link is not empty."""
    mount = tmp_path / "mnt" / "html"
    (mount / "wp-content" / "uploads").mkdir(parents=True)
    bare = tmp_path / "bare"
    bare.mkdir()
    dest = tmp_path / "backups"
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site), str(mount), str(bare)], "dest": str(dest),
        "_ansible_check_mode": check_mode})
    assert (rc, result["msg"]) == (1, "folder situs tanpa satu berkas pun (path salah atau "
                                      f"volume belum di-mount?): {mount}, {bare}")
    assert not dest.exists()
    (bare / "index.php").symlink_to(site / "index.php")
    (mount / "wp-content" / "uploads" / "foto.jpg").write_bytes(b"jpg")
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site), str(mount), str(bare)], "dest": str(dest),
        "_ansible_check_mode": check_mode})
    assert rc == 0, result


def test_a_failed_write_stops_tar_and_zstd(tmp_path, monkeypatch):
    """Disk full while streaming: the error reaches the caller and nothing keeps running
    (before, tar and zstd stayed blocked on full pipes and the module never exited)."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "random.bin").write_bytes(os.urandom(16 << 20))
    started: list[subprocess.Popen] = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    class Full(backup_files.HashingWriter):
        def write(self, chunk):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.subprocess, "Popen", Recorded)
    before = set(threading.enumerate())  # (other tests' threads may still be ending)
    writer = Full(str(tmp_path / "website-20261130T010000.tar.zst"))
    with pytest.raises(OSError, match="No space left"):
        files.write_archive([str(tmp_path / "site")], [], writer, 3)
    writer.discard()
    assert [proc.returncode is not None for proc in started] == [True, True, True]
    assert set(threading.enumerate()) - before == set()  # tar's messages' reader has ended


def verified_backup(site: Path, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The module's arguments and its first backup of ``site``, whose manifest is then
    marked verified, as backup_manifest does."""
    args = {"paths": [str(site)], "dest": str(tmp_path / "backups"), "exclude": ["*/cache"]}
    rc, first = run_module("website_files_backup", tmp_path, args)
    assert rc == 0 and first["changed"]
    path = Path(first["manifest"])
    path.write_text(json.dumps({**json.loads(path.read_text()), "verified": True}))
    return args, first


def test_one_backup_per_period_unless_the_folders_changed(site, tmp_path):
    args, first = verified_backup(site, tmp_path)
    rc, again = run_module("website_files_backup", tmp_path, args)
    assert rc == 0 and not again["changed"] and again["path"] == first["path"]
    time.sleep(1.05)  # backups are named by the second
    rc, wider = run_module("website_files_backup", tmp_path, {**args, "exclude": []})
    assert rc == 0 and wider["changed"] and wider["path"] != first["path"]


def test_a_found_backup_says_whether_its_hard_links_were_looked_for(site, tmp_path):
    """hard_links_protected was the moment's reading only, for a backup made now: the
    manifest kept an empty hard_links_excluded alike where the links were not looked for
    and where none was found. The manifest records it, and a backup found (this period's)
    returns its manifest's; one written before it was recorded, null."""
    args, first = verified_backup(site, tmp_path)
    manifest = Path(first["manifest"])
    recorded = json.loads(manifest.read_text())
    assert recorded["hard_links_protected"] is first["hard_links_protected"] in (True, False)
    rc, again = run_module("website_files_backup", tmp_path, args)
    assert (rc, again["changed"]) == (0, False)
    assert again["hard_links_protected"] is first["hard_links_protected"]
    del recorded["hard_links_protected"]
    manifest.write_text(json.dumps(recorded))
    rc, older = run_module("website_files_backup", tmp_path, args)
    assert (rc, older["changed"], older["path"]) == (0, False, first["path"])
    assert older["hard_links_protected"] is None


def test_a_verified_archive_the_backup_computer_does_not_hold_is_not_the_periods(
        site, tmp_path):
    """Lab: a new backup computer (or a moved store) whose record does not know this
    period's verified archive: it was counted, nothing was pushed, and every ingest of the
    period failed ("did not arrive"). Given ``held``, only an archive named there counts;
    not given (no backup computer), the mark here is trusted."""
    args, first = verified_backup(site, tmp_path)
    name = Path(first["path"]).name
    for held in ({}, {"held": [name]}, {"held": [name, "website-20000101T000000.tar.zst"]}):
        rc, again = run_module("website_files_backup", tmp_path, {**args, **held})
        assert (rc, again["changed"], again["path"]) == (0, False, first["path"]), held
    time.sleep(1.05)  # backups are named by the second
    rc, dry = run_module("website_files_backup", tmp_path,
                         {**args, "held": [], "_ansible_check_mode": True})
    assert rc == 0 and dry["changed"] and "path" not in dry, dry
    rc, new = run_module("website_files_backup", tmp_path, {**args, "held": []})
    assert rc == 0 and new["changed"] and new["path"] != first["path"], new
    assert new["verified"] is False and Path(first["path"]).exists()  # the old one is kept


def test_a_backup_named_as_an_existing_one_leaves_it_and_its_manifest_alone(site, tmp_path):
    """Two backups in the same second (force, period always, a clock set back): the
    second wrote its manifest over the first one's before its own name was refused, so
    the good archive was left with another archive's checksum and counted as unverified."""
    dest = tmp_path / "backups"
    dest.mkdir()
    params = {"paths": [str(site)], "dest": str(dest), "prefix": "website", "exclude": [],
              "level": 3, "period": "always", "stall_timeout": 600, "files": []}
    moment = datetime.datetime(2026, 11, 30, 1, 0, 0).astimezone()
    first = backup_module.backup(params, moment, {})
    manifest = Path(first["manifest"])
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "verified": True}))
    kept = manifest.read_bytes()
    (site / "new.php").write_text("<?php echo 1;\n")
    with pytest.raises(FileExistsError, match="a backup of this second exists already: "
                       r"'.*/website-20261130T010000\.tar\.zst'$"):
        backup_module.backup(params, moment, {})
    assert manifest.read_bytes() == kept
    assert sorted(os.listdir(dest)) == [Path(first["path"]).name, manifest.name]


def test_an_archive_that_cannot_take_its_name_leaves_no_manifest(site, tmp_path, monkeypatch):
    """The manifest is written before the archive gets its final name: when that fails
    (the disk full at the last directory entry), the manifest went on naming an archive
    that is not there, as the SIPP backup (mariadb_backup) does not leave it."""
    dest = tmp_path / "backups"
    dest.mkdir()
    params = {"paths": [str(site)], "dest": str(dest), "prefix": "website", "exclude": [],
              "level": 3, "period": "always", "stall_timeout": 600, "files": []}

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    with pytest.raises(OSError, match="No space left"):
        backup_module.backup(params, datetime.datetime(2026, 11, 30, 1, 0, 0).astimezone(), {})
    assert os.listdir(dest) == []


def test_verify_catches_a_changed_or_truncated_archive(site, tmp_path):
    writer, archived = make_archive(site, tmp_path)
    manifest = {"entries": archived["entries"], "listing_sha256": archived["listing_sha256"]}
    sha = writer.sha256.hexdigest()
    nobody = pwd.getpwnam("nobody")
    assert verify.check(writer.final_path, manifest, sha, 60, nobody)["status"] == "ok"
    assert "is not the recorded" in verify.check(writer.final_path, manifest, "0" * 64,
                                                 60, nobody)["reason"]
    assert verify.check(writer.final_path, {**manifest, "entries": 1}, sha,
                        60, nobody)["status"] == "failed"
    with open(writer.final_path, "r+b") as handle:
        handle.truncate(os.path.getsize(writer.final_path) // 2)
    truncated = backup_files.sha256_file(writer.final_path)
    checked = verify.check(writer.final_path, manifest, truncated, 60, nobody)
    assert checked["status"] == "failed"
    assert checked["reason"].startswith(f"listing {writer.final_path} failed: "), checked


def empty_archive(folder: Path) -> Path:
    """An archive of no entry at all, as a stand-in tar that archived nothing writes."""
    path = folder / "website-20261130T010000.tar.zst"
    subprocess.run(["tar", "-c", "--zstd", "-f", str(path), "-T", "/dev/null"], check=True)
    return path


def test_verify_fails_an_archive_of_no_entries(tmp_path):
    """An archive of 0 entries listed as its manifest's 0 entries verified ok ('all 0
    entries match'): a backup of nothing, recorded as a good one."""
    path = empty_archive(tmp_path)
    assert tar_names(path) == []
    checked = verify.check(str(path), {"entries": 0, "listing_sha256": listing_digest([])},
                           backup_files.sha256_file(str(path)), 60, pwd.getpwnam("nobody"))
    assert (checked["status"], checked["reason"]) == (
        "failed", "the manifest lists no entries: an empty archive proves nothing")


def test_verify_lists_the_archive_it_hashed_not_one_swapped_in_meanwhile(
        site, tmp_path, monkeypatch):
    """The archive was hashed by its name, then opened again by its name to be listed: a
    file renamed into its place in between (here: as the listing starts) was listed in
    place of the one hashed, and its entries judged."""
    writer, archived = make_archive(site, tmp_path)
    manifest = {"entries": archived["entries"], "listing_sha256": archived["listing_sha256"]}
    swapped = webshell_archive(tmp_path)
    drop = files.unprivileged

    def swap_then_drop(entry: pwd.struct_passwd) -> dict[str, object]:
        os.rename(swapped, writer.final_path)
        return drop(entry)

    monkeypatch.setattr(files, "unprivileged", swap_then_drop)
    checked = verify.check(writer.final_path, manifest, writer.sha256.hexdigest(), 60,
                           pwd.getpwnam("nobody"))
    assert not swapped.exists()  # the swap did happen
    assert checked["status"] == "ok" and checked["entries"] == archived["entries"], checked


def test_verify_follows_no_link_and_reads_no_fifo(site, tmp_path):
    """What the store holds under the archive's name is no regular file: the store was
    changed, and nothing is proven about the archive (no verdict, NotRegularFile)."""
    writer, archived = make_archive(site, tmp_path)
    manifest = {"entries": archived["entries"], "listing_sha256": archived["listing_sha256"]}
    sha, nobody = writer.sha256.hexdigest(), pwd.getpwnam("nobody")
    link = tmp_path / "website-20261201T010000.tar.zst"
    link.symlink_to(writer.final_path)
    with pytest.raises(tree.NotRegularFile,
                       match=f"^{re.escape(str(link))} is a symbolic link \\(not followed\\)$"):
        verify.check(str(link), manifest, sha, 60, nobody)
    fifo = tmp_path / "website-20261202T010000.tar.zst"
    os.mkfifo(fifo)
    with within(10, "a FIFO is not waited for"), pytest.raises(
            tree.NotRegularFile, match=f"^{re.escape(str(fifo))} is not a regular file$"):
        verify.check(str(fifo), manifest, sha, 60, nobody)


def stored_backup(site: Path, dest: Path, ledger: Path, *,
                  with_manifest: bool = False) -> dict[str, Any]:
    """A backup of ``site`` made in ``dest`` and recorded in ``ledger`` as taken in (its
    name and SHA-256; with its manifest's, ``with_manifest``), as an ingest records it."""
    made = backup_module.backup(
        {"paths": [str(site)], "dest": str(dest), "prefix": "website", "exclude": [],
         "level": 3, "period": "always", "stall_timeout": 600, "files": []},
        datetime.datetime(2026, 11, 30, 1, 0, 0).astimezone(), {})
    line = {"at": "2026-11-30T01:00:05+07:00", "event": "ingested",
            "name": Path(made["path"]).name, "sha256": made["sha256"]}
    if with_manifest:
        line |= {"manifest": Path(made["manifest"]).name,
                 "manifest_sha256": made["manifest_sha256"]}
    ledger.write_text(json.dumps(line) + "\n")
    return made


def test_a_link_in_the_store_is_no_verdict_on_the_archive_it_names(site, tmp_path):
    """A symbolic link put at a stored archive's name (the store tampered with) was
    recorded in the ledger as the archive's failed verification, under the SHA-256 of the
    archive taken in: the court's record said the real archive was bad. It is an error
    naming the link, and the record is left as it was."""
    dest = tmp_path / "backups"
    dest.mkdir()
    ledger = tmp_path / "ledger.jsonl"
    made = stored_backup(site, dest, ledger)
    before = ledger.read_bytes()
    elsewhere = tmp_path / "elsewhere.tar.zst"
    os.rename(made["path"], elsewhere)
    os.symlink(elsewhere, made["path"])
    rc, result = run_module("website_archive_verify", tmp_path, {
        "path": made["path"], "ledger": str(ledger), "os_user": "nobody"})
    assert rc == 1 and result["verification"]["status"] == "error", result
    assert f"{made['path']} is a symbolic link (not followed)" in result["msg"]
    assert ledger.read_bytes() == before


def test_a_manifest_changed_in_the_store_is_no_verdict_on_the_archive(site, tmp_path):
    """The stored manifest was edited after it was taken in: the listing was compared with
    the edited entries and 'failed' recorded under the SHA-256 of the real archive. The
    record's manifest_sha256 is checked first: an error naming it, nothing recorded."""
    dest = tmp_path / "backups"
    dest.mkdir()
    ledger = tmp_path / "ledger.jsonl"
    made = stored_backup(site, dest, ledger, with_manifest=True)
    mpath = Path(made["manifest"])
    before = ledger.read_bytes()
    edited = json.loads(mpath.read_text())
    edited["entries"] += 1
    mpath.write_text(json.dumps(edited))
    rc, result = run_module("website_archive_verify", tmp_path, {
        "path": made["path"], "ledger": str(ledger), "os_user": "nobody"})
    assert rc == 1 and result["verification"]["status"] == "error", result
    assert result["msg"] == (f"cannot verify {made['path']}: manifest {mpath} changed since "
                             "it was taken in (its SHA-256 is not the one the record took in)")
    assert ledger.read_bytes() == before


def test_listing_reads_past_an_end_marker_and_never_hangs(site, tmp_path):
    """A pushed archive is untrusted: data after tar's end-of-archive marker neither hides
    entries from the listing nor leaves zstd blocked (the verification hung forever)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "shell.php").write_text("<?php system($_GET['c']);")
    (extra / "noise.bin").write_bytes(os.urandom(8 << 20))  # more than the pipes hold
    first = subprocess.run(["tar", "-c", "-f", "-", "-C", str(site), "."], capture_output=True,
                           check=True).stdout
    second = subprocess.run(["tar", "-c", "-f", "-", "-C", str(extra), "."],
                            capture_output=True, check=True).stdout
    path = tmp_path / "website-20261130T010000.tar.zst"
    path.write_bytes(subprocess.run(["zstd", "-q", "-c"], input=first + second,
                                    capture_output=True, check=True).stdout)
    with within(60, "the listing"):
        listed = files.archive_listing(str(path))
    names = tar_names(path)
    assert "./shell.php" in names and "./index.php" in names
    assert listed == files.Listing(len(names), listing_digest(names))


def test_the_listing_counts_the_names_no_tar_restores_by_their_bytes(tmp_path):
    """A name no tar restores (4096 bytes or more, or a part past 255) is counted by the
    listing in bytes, not in the characters of tar's escapes (\\303\\251 is one byte
    each): a site's folders of non-ASCII names, listed twice as long as they are, are
    restorable and not counted; a part of 256 bytes (a crafted archive) is."""
    accented = "/".join(["\u00e9" * 100] * 20)  # 4019 bytes, 16019 characters listed
    crafted = io.BytesIO()
    with tarfile.open(fileobj=crafted, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in ("/srv/index.php", f"/srv/{accented}", "/srv/" + "n" * 256):
            member = tarfile.TarInfo(name)
            tar.addfile(member, io.BytesIO(b""))
    path = tmp_path / "website-20261130T010000.tar.zst"
    path.write_bytes(subprocess.run(["zstd", "-q", "-c"], input=crafted.getvalue(),
                                    capture_output=True, check=True).stdout)
    listed = files.archive_listing(str(path), 60)
    assert len(tar_names(path)[1]) == len("/srv/") + 16019  # tar's escapes
    assert (listed.entries, listed.unrestorable, listed.first_unrestorable) == (
        3, 1, "srv/" + "n" * 116 + "..." + "n" * 120 + " (260 karakter)")


def test_a_backup_of_names_no_tar_restores_warns_of_them_as_the_verification_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The site's account nests a file past PATH_MAX (21 folders of 200 bytes; a part of
    300 bytes, the other name no tar restores, no Linux file system here makes: NAME_MAX
    is 255). tar archives it, but no tar restores it, and the backup said nothing: the
    admin first heard of it from the verification on the backup computer. The backup
    counts those names as the verification does, returns how many and the first,
    shortened, and warns in the verification's words."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text("<?php")
    deepest = nested(site, 21, "d" * 200)
    try:
        (deepest / "x.php").write_text("<?php")
    finally:
        os.close(int(deepest.name))
    result = run_backup(monkeypatch, capsys, tmp_path,
                        {"paths": [str(site)], "dest": str(tmp_path / "backups")}, b"1\n")
    # as tar -x names them ("/" taken off): the deepest folders and x.php
    folders = ["/".join([str(site)[1:], *["d" * 200] * depth]) for depth in range(1, 22)]
    too_long = [name for name in [*folders, folders[-1] + "/x.php"] if len(name) >= 4096]
    assert 2 <= len(too_long) < result["entries"] == 1 + 1 + 21 + 1, result
    first = too_long[0]
    shown = f"{first[:120]}...{first[-120:]} ({len(first)} karakter)"
    assert (result["unrestorable"], result["first_unrestorable"]) == (len(too_long), shown)
    assert warning_lines(result) == [
        f"Backup file situs {Path(result['path']).name} dibuat, tetapi {len(too_long)} nama "
        "di dalamnya tidak dapat dipulihkan dengan tar (nama 4096 byte atau lebih, PATH_MAX, "
        "atau bagian nama lebih dari 255 byte, NAME_MAX), yang pertama "
        f"{shown}: backup ini tidak dapat dipulihkan utuh"]
    manifest = json.loads(Path(result["manifest"]).read_text())
    checked = verify.check(result["path"], manifest, result["sha256"], 60,
                           pwd.getpwnam("nobody"))
    assert (checked["status"], checked["unrestorable"], checked["first_unrestorable"]) == (
        "ok", len(too_long), shown)
    # The record's line of a later run of the same period, which finds this backup
    # verified, counted no such name: the found backup returns the count its manifest
    # records, warned of once, when it was made.
    Path(result["manifest"]).write_text(json.dumps({**manifest, "verified": True}))
    found = run_backup(monkeypatch, capsys, tmp_path,
                       {"paths": [str(site)], "dest": str(tmp_path / "backups")}, b"1\n")
    assert (found["changed"], found["path"]) == (False, result["path"]), found
    assert (found["unrestorable"], found["first_unrestorable"]) == (len(too_long), shown)
    assert warning_lines(found) == []


def test_quarantine_moves_only_planted_files_inside_the_site(site, tmp_path):
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval(base64_decode($_POST['c']));")
    outside = tmp_path / "outside.php"
    outside.write_text("<?php")
    link = site / "wp-content" / "uploads" / "link.php"
    link.symlink_to(outside)
    theme = site / "wp-content" / "themes" / "functions.php"  # the site's own, injected
    theme.parent.mkdir(parents=True, exist_ok=True)
    theme.write_text("<?php if (preg_match('/googlebot/i', $ua)) { echo $spam; }")
    cached = site / "wp-content" / "cache" / "page" / "x.php"  # no code of the site there
    cached.write_text("<?php system($_GET['c']);")
    planted = site / "wp-content" / "plugins" / "cache.php"  # new since the baseline
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("<?php assert($_POST['x']);")
    findings = [{"kind": "webshell", "path": str(shell), "name": f"webshell: {shell}",
                 "area": "uploads"},
                {"kind": "webshell", "path": str(theme), "name": "injected theme file",
                 "area": "theme"},
                {"kind": "webshell", "path": str(cached), "name": "in a cache", "area": "cache"},
                {"kind": "webshell", "path": str(planted), "name": "planted", "area": "plugin"},
                {"kind": "new_file", "path": str(planted), "name": "new", "area": "plugin"},
                {"kind": "webshell", "path": str(outside), "name": "outside"},
                {"kind": "php_in_uploads", "path": str(link), "name": "link"},
                {"kind": "changed_file", "path": str(site / "index.php"), "name": "core"},
                {"kind": "cloaking", "url": "https://x/", "name": "cloaking"}]
    kinds = ["webshell", "php_in_uploads", "new_file"]
    chosen, refused = quarantine.candidates(findings, [str(site)], kinds)
    assert refused == []
    assert [c["path"] for c in chosen] == sorted([str(cached), str(planted), str(shell)])
    log = tmp_path / "q" / "quarantine.jsonl"
    (tmp_path / "q" / "batch").mkdir(parents=True)  # move_all's new_batch
    content = shell.read_bytes()
    record = quarantine.quarantine(chosen[-1], [str(site)], str(tmp_path / "q" / "batch"),
                                   str(log))
    assert Path(record["quarantined"]).read_bytes() == content and not shell.exists()
    assert record["sha256"] == backup_files.sha256_file(record["quarantined"])
    assert os.stat(record["quarantined"]).st_mode & 0o777 == 0o600
    assert json.loads(log.read_text()) == record  # recorded, as plain JSON


@pytest.fixture
def planted(site, tmp_path):
    """A file planted in uploads, chosen for quarantine; and /etc's stand-in beside the
    site, holding a file of the same name."""
    folder = site / "wp-content" / "uploads" / "2026"
    folder.mkdir()
    (folder / "shadow").write_text("planted")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "shadow").write_text("root:$6$secret")
    findings = [{"kind": "new_file", "path": str(folder / "shadow"), "name": "new"}]
    chosen, _refused = quarantine.candidates(findings, [str(site)], ["new_file"])
    assert [c["path"] for c in chosen] == [str(folder / "shadow")]
    (tmp_path / "q").mkdir()
    return folder, etc, chosen[0]


def test_a_folder_swapped_for_a_link_after_the_check_moves_nothing_outside(
        planted, site, tmp_path):
    """The web server's account swaps the planted file's folder for a link to /etc between
    the check and the move: root read /etc/shadow into quarantine and deleted it."""
    folder, etc, entry = planted
    folder.rename(folder.with_name("2026.real"))
    folder.symlink_to(etc)
    with pytest.raises(OSError) as refused:
        quarantine.quarantine(entry, [str(site)], str(tmp_path / "q" / "b"),
                              str(tmp_path / "q" / "log"))
    assert "tautan simbolik" in quarantine.refusal(refused.value)
    assert (etc / "shadow").read_text() == "root:$6$secret"
    assert not (tmp_path / "q" / "b").exists() and not (tmp_path / "q" / "log").exists()


@pytest.mark.parametrize("swap", ["link", "fifo"])
def test_a_file_swapped_after_the_check_is_not_read(planted, site, tmp_path, swap):
    """The planted file itself swapped for a link to /etc/shadow (root copied the secret
    into quarantine) or for a FIFO (root waited for a writer forever)."""
    folder, etc, entry = planted
    (folder / "shadow").unlink()
    if swap == "link":
        (folder / "shadow").symlink_to(etc / "shadow")
    else:
        os.mkfifo(folder / "shadow")
    with within(10, "quarantining a FIFO"), pytest.raises(OSError) as refused:
        quarantine.quarantine(entry, [str(site)], str(tmp_path / "q" / "b"),
                              str(tmp_path / "q" / "log"))
    assert quarantine.refusal(refused.value).startswith(
        "sebuah folder" if swap == "link" else "bukan berkas biasa")
    assert (etc / "shadow").read_text() == "root:$6$secret"
    assert not (tmp_path / "q" / "b").exists() or not any((tmp_path / "q" / "b").rglob("shadow"))


@pytest.mark.parametrize("check_mode", [True, False])
def test_one_refused_file_fails_the_task_after_the_others_are_moved(site, tmp_path, check_mode):
    """uploads/b is a link to a folder outside the site, holding a file by the planted
    name: refused, named in the one-line message, and a/shell.php is still moved. Check
    mode listed b/shell.php as to be moved, and the real run called the link, there all
    along, a folder swapped meanwhile ("diganti"): both now name the folder that is a
    link, and agree."""
    uploads = site / "wp-content" / "uploads"
    (uploads / "a").mkdir()
    (uploads / "a" / "shell.php").write_text("<?php eval(base64_decode($x));")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shell.php").write_text("<?php // root's")
    (uploads / "b").symlink_to(outside)
    findings = [{"kind": "php_in_uploads", "path": str(uploads / d / "shell.php"),
                 "name": f"php {d}"} for d in ("a", "b")]
    args = {"findings": findings, "dest": str(tmp_path / "q"), "roots": [str(site)],
            "_ansible_check_mode": check_mode}
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc != 0 and result["changed"]
    assert result["msg"] == (f"karantina {uploads / 'b' / 'shell.php'} gagal: folder "
                             f"{uploads / 'b'} adalah tautan simbolik ke {outside} (tidak "
                             "diikuti; tidak ada yang dipindahkan)")
    assert [m["path"] for m in result["moved"]] == [str(uploads / "a" / "shell.php")]
    assert (uploads / "a" / "shell.php").exists() is check_mode
    assert (outside / "shell.php").read_text() == "<?php // root's"
    # a file removed by someone else since it was found: nothing to move, no record
    with pytest.raises(FileNotFoundError, match=r"No such file or directory: 'gone\.php'$"):
        quarantine.quarantine({"path": str(uploads / "a" / "gone.php"), "finding": {}},
                              [str(site)], str(tmp_path / "q2"), str(tmp_path / "q2.log"))
    assert not (tmp_path / "q2.log").exists()


def bomb(tmp_path: Path) -> Path:
    """16 GiB of zeros in 256 zstd frames of 64 MiB each (a few KiB on disk)."""
    frame = subprocess.run(["zstd", "-q", "-c"], input=bytes(64 << 20), capture_output=True,
                           check=True).stdout
    path = tmp_path / "website-20261130T010000.tar.zst"
    path.write_bytes(frame * 256)
    return path


def test_a_compressed_bomb_is_stopped_at_the_timeout(tmp_path):
    """A bomb: the listing is stopped at its timeout with both of its processes, and
    nothing is judged."""
    path = bomb(tmp_path)
    started = time.monotonic()
    with pytest.raises(files.ListingTimeout,
                       match=rf"^listing {re.escape(str(path))} not finished within 1 s: stopped"):
        verify.check(str(path), {"entries": 1}, backup_files.sha256_file(str(path)), 1,
                     pwd.getpwnam("nobody"))
    assert time.monotonic() - started < 10
    assert child_uids(LISTING) == []  # stopped and reaped


# The listing's processes: zstd, tar and the Python that counts and hashes the names.
LISTING = ("zstd", "tar", "python3")


def test_the_listing_runs_as_the_unprivileged_user(tmp_path):
    """zstd and tar read what a compromised web server sent: they ran as root. Seen in
    /proc while they unpack a bomb; the archive is root's (0600), read through the
    descriptor given to zstd. They are also the kernel's first choice when memory runs
    out (oom_score_adj 1000), not the backup computer's MariaDB or sshd. So is the process
    that holds the names to count and hash them: that was the root module itself, whose
    memory an archive of millions of entries grew."""
    path = bomb(tmp_path)
    path.chmod(0o600)
    nobody = pwd.getpwnam("nobody")
    seen: dict[str, set[int]] = {}

    def watch() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(seen) < len(LISTING):
            for command, uid, adj in child_uids(LISTING):
                seen.setdefault(command, set()).add((uid, adj))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with pytest.raises(files.ListingTimeout):
        files.archive_listing(str(path), 3, nobody)
    watcher.join()
    assert seen == {command: {(nobody.pw_uid, 1000)} for command in LISTING}


def test_names_outside_ascii_verify_whatever_the_locale(tmp_path, monkeypatch):
    """The manifest's hash of the names was made in the locale the module inherited (over
    SSH, often C.UTF-8, where tar writes "\u00e9" as it is), the verification's in the
    verify account's C locale (where tar writes it \\303\\251): a site with such a name
    never verified. Names that are not UTF-8, a Unicode line separator, a newline: the
    counting process hashes them as listing_digest defines."""
    root = tmp_path / "site"
    root.mkdir()
    for name in ("berita-\u00e9.jpg", "line\u2028sep.txt", "new\nline.txt", "sp ace.php"):
        (root / name).write_text("x")
    (root / os.fsdecode(b"caf\xe9.php")).write_text("x")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    writer, archived = make_archive(root, tmp_path)
    names = tar_names(writer.final_path)
    assert "berita-\\303\\251.jpg" in {name.rsplit("/", 1)[-1] for name in names}
    manifest = {"entries": archived["entries"], "listing_sha256": archived["listing_sha256"]}
    checked = verify.check(writer.final_path, manifest, writer.sha256.hexdigest(), 60,
                           pwd.getpwnam("nobody"))
    assert checked["status"] == "ok", checked
    assert checked["entries"] == len(names) == 6
    assert files.archive_listing(writer.final_path) == files.Listing(6, listing_digest(names))


def child_uids(commands: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """(command, real uid, oom_score_adj) of this process's child processes running
    ``commands``."""
    pids = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += Path(task, "children").read_text().split()
        except FileNotFoundError:  # a thread that ended since the folder was listed
            continue
    found = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            adj = int(Path(f"/proc/{pid}/oom_score_adj").read_text())
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields["Name"].strip() in commands:
            found.append((fields["Name"].strip(), int(fields["Uid"].split()[0]), adj))
    return found


def test_a_web_root_that_is_a_symbolic_link_is_archived_with_its_files(site, tmp_path):
    """/var/www/html -> /home/web/public_html: tar alone archived the link, one entry, and
    that empty backup verified."""
    link = tmp_path / "html"
    link.symlink_to(site)
    args = {"paths": [str(link)], "dest": str(tmp_path / "backups"), "exclude": ["*/cache"]}
    rc, result = run_module("website_files_backup", tmp_path, args)
    assert rc == 0, result
    names = tar_names(result["path"])
    assert f"{site}/index.php" in names and f"{site}/wp-content/uploads/foto.jpg" in names
    assert result["entries"] == len(names) == 5
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert manifest["paths"] == [str(link)]  # as configured (the period's reuse compares it)


def test_a_wp_config_one_folder_up_is_backed_up_and_verified_not_its_folder(site, tmp_path):
    """WordPress reads wp-config.php one folder above the web root: the backup of the web
    root alone missed it, and a restore had no database login. That one file is archived
    (its mode kept, in the manifest's entries and listing, so the backup computer's
    listing checks it), the rest of its folder is not, and the period's backup is taken
    again when it is added."""
    config = tmp_path / "wp-config.php"
    config.write_text("<?php define('DB_PASSWORD', 'rahasia');")
    config.chmod(0o640)
    (tmp_path / "private.txt").write_text("not the site's")
    dest = tmp_path / "backups"
    args = {"paths": [str(site)], "dest": str(dest), "exclude": ["*/cache"]}
    rc, before = run_module("website_files_backup", tmp_path, args)
    assert rc == 0 and str(config) not in tar_names(before["path"])
    path = Path(before["manifest"])  # marked verified, as backup_manifest does
    path.write_text(json.dumps({**json.loads(path.read_text()), "verified": True}))
    time.sleep(1.05)  # backups are named by the second
    rc, result = run_module("website_files_backup", tmp_path, {**args, "files": [str(config)]})
    assert rc == 0 and result["changed"], result
    assert "rahasia" not in json.dumps(result)
    names = tar_names(result["path"])
    assert str(config) in names and str(tmp_path / "private.txt") not in names
    assert not any(name.startswith(str(dest)) for name in names)
    listing = subprocess.run(["tar", "--list", "--verbose", "-I", "zstd", "-f", result["path"],
                              "--absolute-names", str(config)],
                             capture_output=True, check=True, text=True).stdout
    assert listing.startswith("-rw-r-----")
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert (manifest["files"], result["files"]) == ([str(config)], [str(config)])
    assert manifest["entries"] == len(names) == before["entries"] + 1
    nobody = pwd.getpwnam("nobody")
    assert verify.check(result["path"], manifest, result["sha256"], 60, nobody)["status"] == "ok"


def test_a_wp_config_one_folder_up_that_is_a_link_is_backed_up_as_php_reads_it(site, tmp_path):
    """wp-config.php one folder above the web root, a link to the court's configuration
    elsewhere: archived as the link, the backup held a dangling link and a restore had no
    database login. Its target's content is archived under its name, mode kept, the link
    named in the result; links inside the web root are still archived as links."""
    etc = tmp_path / "etc" / "wordpress"
    etc.mkdir(parents=True)
    target = etc / "c&f[1]*.php"  # the rename of an exact name: no regex, no '&'
    target.write_text("<?php define('DB_NAME', 'court');")
    target.chmod(0o640)
    (etc / "cXf[1]*.php").write_text("not the configuration")
    config = tmp_path / "wp-config.php"
    config.symlink_to(target)
    (site / "wp-content" / "uploads" / "hostname").symlink_to("/etc/hostname")
    dest = tmp_path / "backups"
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(config)], "dest": str(dest),
        "exclude": ["*/cache"]})
    assert rc == 0, result
    assert result["file_links"] == {str(config): str(target)}
    names = tar_names(result["path"])
    assert str(config) in names and str(target) not in names
    listing = subprocess.run(["tar", "--list", "--verbose", "-I", "zstd", "-f", result["path"],
                              "--absolute-names"], capture_output=True, check=True,
                             text=True).stdout.splitlines()
    assert next(line for line in listing if line.endswith(str(config))).startswith("-rw-r-----")
    assert next(line for line in listing if "/uploads/hostname" in line).startswith("l")
    content = subprocess.run(["tar", "-x", "-O", "-I", "zstd", "-f", result["path"],
                              "--absolute-names", str(config)], capture_output=True,
                             check=True, text=True).stdout
    assert content == "<?php define('DB_NAME', 'court');"
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert manifest["file_links"] == {str(config): str(target)}
    assert manifest["entries"] == len(names)
    nobody = pwd.getpwnam("nobody")
    assert verify.check(result["path"], manifest, result["sha256"], 60, nobody)["status"] == "ok"


@pytest.mark.parametrize(("make", "why"), [
    (lambda target: None, " yang tidak dapat dibaca: No such file or directory"),
    (lambda target: target.mkdir(), ", bukan berkas biasa"),
])
def test_a_wp_config_link_to_nothing_readable_fails_in_one_line(site, tmp_path, make, why):
    """A dangling link was archived as it was: a backup without the configuration."""
    target = tmp_path / "gone.php"
    make(target)
    config = tmp_path / "wp-config.php"
    config.symlink_to(target)
    for check_mode in (True, False):
        rc, result = run_module("website_files_backup", tmp_path, {
            "paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups"),
            "_ansible_check_mode": check_mode})
        assert (rc, result["msg"]) == (1, "berkas situs tidak dapat di-backup: "
                                          f"{config} adalah tautan ke {target}{why}")
    assert not (tmp_path / "backups").exists()


def test_a_wp_config_link_of_another_account_than_its_targets_owner_is_not_followed(
        site, tmp_path):
    """The module reads as root: a web account that can write the folder above the web
    root linked wp-config.php to /etc/shadow and the backup held root's file. A link is
    followed only when root or its target's owner made it (SymLinksIfOwnerMatch)."""
    target = tmp_path / "secret"
    target.write_text("root:$y$j9T$...")
    target.chmod(0o600)
    config = tmp_path / "wp-config.php"
    config.symlink_to(target)
    os.lchown(config, pwd.getpwnam("nobody").pw_uid, -1)
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups")})
    assert (rc, result["msg"]) == (1, (
        f"berkas situs tidak dapat di-backup: {config} adalah tautan milik nobody ke {target} "
        "milik root; tidak diikuti (hanya tautan milik root atau pemilik berkasnya)"))
    assert not (tmp_path / "backups").exists()
    os.lchown(config, 0, -1)
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups")})
    assert rc == 0 and result["file_links"] == {str(config): str(target)}, result


def test_a_wp_config_link_to_a_link_of_another_account_is_not_followed(site, tmp_path):
    """Only the first link's owner was checked: root's wp-config.php -> the web account's
    file, which the account then made a link to root's /etc/shadow (a link, or a folder on
    the way, the web account's), was followed and root's file archived. Every link passed
    must be root's or the final target's owner's."""
    nobody = pwd.getpwnam("nobody").pw_uid
    target = tmp_path / "secret"
    target.write_text("root:$y$j9T$...")
    target.chmod(0o600)
    web = tmp_path / "home"
    web.mkdir()
    (web / "config.php").symlink_to(target)
    os.lchown(web / "config.php", nobody, -1)
    (web / "conf").symlink_to(tmp_path)  # a folder on the way that is the account's link
    os.lchown(web / "conf", nobody, -1)
    for via, link in (("config.php", web / "config.php"), ("conf/secret", web / "conf")):
        config = tmp_path / "wp-config.php"
        config.unlink(missing_ok=True)
        config.symlink_to(web / via)
        rc, result = run_module("website_files_backup", tmp_path, {
            "paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups")})
        assert (rc, result["msg"]) == (1, (
            f"berkas situs tidak dapat di-backup: {config} adalah tautan lewat tautan {link} "
            f"milik nobody ke {target} milik root; tidak diikuti (hanya tautan milik root "
            "atau pemilik berkasnya)")), result
    assert not (tmp_path / "backups").exists()
    os.lchown(web / "conf", 0, -1)  # root's links all the way: followed
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups")})
    assert rc == 0 and result["file_links"] == {str(config): str(target)}, result


def test_a_folder_on_a_wp_config_links_way_swapped_after_the_check_copies_no_roots_file(
        site, tmp_path, monkeypatch):
    """wp-config.php, the web account's link to its own file in its own folder, checked,
    then tar given the target's path opened it again by that path: the account swapped
    the folder for a link to a folder of root's meanwhile (here: as tar starts) and the
    backup held root's file of that name under wp-config.php. What the check opened is
    what is archived."""
    nobody = pwd.getpwnam("nobody").pw_uid
    web = tmp_path / "home"
    (web / "conf").mkdir(parents=True)
    (web / "conf" / "shadow").write_text("<?php // the web account's")
    for made in (web, web / "conf", web / "conf" / "shadow"):
        os.chown(made, nobody, -1)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "shadow").write_text("root:$y$j9T$...")
    (tmp_path / "etc" / "shadow").chmod(0o600)
    config = web / "wp-config.php"
    config.symlink_to(web / "conf" / "shadow")
    os.lchown(config, nobody, -1)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "tar").write_text(
        "#!/bin/sh\n"
        f"mv {web}/conf {web}/conf.old && ln -s {tmp_path}/etc {web}/conf\n"
        f'exec {shutil.which("tar")} "$@"\n')
    (fake / "tar").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    dest = tmp_path / "backups"
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(config)], "dest": str(dest)})
    assert rc == 0, result
    assert (web / "conf").is_symlink()  # swapped as tar started
    assert result["file_links"] == {str(config): str(web / "conf" / "shadow")}
    content = subprocess.run(["tar", "-x", "-O", "-I", "zstd", "-f", result["path"],
                              "--absolute-names", str(config)], capture_output=True,
                             check=True, text=True).stdout
    assert content == "<?php // the web account's"
    listing = subprocess.run(["tar", "--list", "--verbose", "--numeric-owner", "-I", "zstd",
                              "-f", result["path"], "--absolute-names", str(config)],
                             capture_output=True, check=True, text=True).stdout
    assert listing.startswith(f"-rw-r--r-- {nobody}/0 ")
    assert sorted(os.listdir(dest)) == sorted(  # the copy removed
        [Path(result["path"]).name, Path(result["manifest"]).name])


def test_the_copies_a_killed_backup_left_of_linked_files_are_removed(site, tmp_path):
    """A linked wp-config.php is copied for tar into dest/.<prefix>-links (its secrets):
    a run killed meanwhile left it there; the next run removes it, with or without a
    link of its own."""
    dest = tmp_path / "backups"
    left = dest / ".website-links"
    left.mkdir(parents=True, mode=0o700)
    (left / "0").write_text("<?php define('DB_PASSWORD', 'rahasia');")
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "dest": str(dest)})
    assert rc == 0, result
    assert sorted(os.listdir(dest)) == sorted(
        [Path(result["path"]).name, Path(result["manifest"]).name])


def test_a_wp_config_link_whose_way_changes_between_open_and_check_is_refused(
        tmp_path, monkeypatch):
    """The file opened must be the one the links checked lead to: a folder on the way
    swapped between the two (the check saw the account's own file, the open root's)."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.php").write_text("<?php")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "config.php").write_text("root's")
    config = tmp_path / "wp-config.php"
    config.symlink_to(tmp_path / "conf" / "config.php")
    walk = backup_module.walk

    def swapped_then_walked(path):
        (tmp_path / "conf").rename(tmp_path / "conf.old")
        (tmp_path / "other").rename(tmp_path / "conf")
        return walk(path)

    monkeypatch.setattr(backup_module, "walk", swapped_then_walked)
    with pytest.raises(backup_module.LinkError, match=(
            f"^{re.escape(str(config))}: tautan atau folder di jalannya ke "
            f"{re.escape(str(tmp_path / 'conf' / 'config.php'))} berubah saat diperiksa$")):
        backup_module.opened_target(str(config))


def archived_bytes(path: str) -> bytes:
    """The whole tar stream of an archive (every member's content, as tar wrote it)."""
    return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout


def run_backup(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               tmp_path: Path, args: dict[str, Any],
               setting: bytes | None = b"0\n") -> dict[str, Any]:
    """website_files_backup's main() in this process (run_main), its fs.protected_hardlinks
    read from tmp_path/protected_hardlinks holding ``setting`` (None: no such file): its
    result. The host's own setting (1 on Debian) would leave the hard-link walk out."""
    setting_file = tmp_path / "protected_hardlinks"
    if setting is not None:
        setting_file.write_bytes(setting)
    monkeypatch.setattr(backup_module, "PROTECTED_HARDLINKS", str(setting_file))
    result: dict[str, Any] = run_main("website_files_backup", args, monkeypatch, capsys)
    return result


OFF_WARNING = ("fs.protected_hardlinks is off on this server ({} reads 0 or cannot be read): "
               "any account may hard-link a file it does not own (/etc/shadow) into the web "
               "root, so the backup walked the web root to leave such links out. Turn it on: "
               "sysctl fs.protected_hardlinks=1, kept in /etc/sysctl.d (a line "
               "fs.protected_hardlinks = 1 in /etc/sysctl.d/60-protected-hardlinks.conf)")


def test_a_file_hard_linked_into_the_web_root_from_outside_is_not_archived(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Where hard links are not protected (fs.protected_hardlinks=0) the web account links
    /etc/shadow into the web root it owns, and the backup, reading as root, archived root's
    file. A file linked from outside the archived folders that is not the web root owner's
    is left out and named (one line each, the newline a name holds escaped); the owner's own
    file linked from outside, and a file of root's all of whose links the archive holds, are
    archived; the site's exclusions stay patterns, the names left out are no patterns."""
    nobody = pwd.getpwnam("nobody").pw_uid
    os.chown(site, nobody, -1)
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "shadow").write_text("root:$y$j9T$rahasia-root:20000::::::\n")
    (outside / "shadow").chmod(0o600)
    (outside / "own.txt").write_text("berkas akun situs\n")
    os.chown(outside / "own.txt", nobody, -1)
    uploads = site / "wp-content" / "uploads"
    planted = [uploads / "shadow.jpg", uploads / "b*[x]\\.jpg", uploads / "baris\nbaru.jpg"]
    for name in planted:
        os.link(outside / "shadow", name)
    (uploads / "twin-a.pdf").write_text("putusan\n")  # root's, both links in the site
    os.link(uploads / "twin-a.pdf", site / "twin-b.pdf")
    os.link(outside / "own.txt", uploads / "own.txt")
    # a name that is a pattern matching another file stays a name: that one is archived
    (uploads / "b1x.jpg").write_text("foto")
    result = run_backup(monkeypatch, capsys, tmp_path, {
        "paths": [str(site)], "dest": str(tmp_path / "backups"), "exclude": ["*/cache"]})
    assert "failed" not in result, result
    left_out = sorted(tree.shown(str(name)) for name in planted)
    assert result["hard_links_excluded"] == left_out
    assert result["hard_links_protected"] is False
    assert warning_lines(result) == [OFF_WARNING.format(tmp_path / "protected_hardlinks")]
    assert str(uploads / "baris\\x0abaru.jpg") in left_out
    assert result["msg"] == (f"arsip situs dibuat: {result['path']}; 3 berkas bertautan keras "
                             f"ke luar folder situs tidak diarsipkan: {', '.join(left_out)}")
    names = tar_names(result["path"])
    assert not {str(name) for name in planted} & set(names)
    assert {str(uploads / "twin-a.pdf"), str(site / "twin-b.pdf"), str(uploads / "own.txt"),
            str(uploads / "b1x.jpg"), str(site / "index.php")} <= set(names)
    assert not any("/cache" in name for name in names)
    assert b"rahasia-root" not in archived_bytes(result["path"])
    assert b"berkas akun situs" in archived_bytes(result["path"])
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert manifest["hard_links_excluded"] == left_out
    assert verify.check(result["path"], manifest, result["sha256"], 60,
                        pwd.getpwnam("nobody"))["status"] == "ok"


def test_a_name_left_out_with_a_byte_that_is_no_utf8_and_one_spelling_it_read_apart(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A name of the tree is bytes: its byte that is no UTF-8 was turned into the text
    \\xc3 before shown escaped it, so a link named with the byte 0xc3 and one spelled
    with the four characters \\xc3 read alike in the result, the manifest and the record
    (and since shown doubles a backslash, as \\\\xc3 both). The byte is \\udcc3, the
    spelling's backslash doubled; a line break an escape, never a line of its own."""
    secret = tmp_path / "secret"
    secret.write_text("kunci-privat\n")
    uploads = os.fsencode(site / "wp-content" / "uploads")
    for name in (b"/foto-\xc3.jpg", b"/foto-\\xc3.jpg", b"/baris\n\xe2\x80\xa8baru.jpg"):
        os.link(secret, uploads + name)
    result = run_backup(monkeypatch, capsys, tmp_path,
                        {"paths": [str(site)], "dest": str(tmp_path / "backups")})
    assert "failed" not in result, result
    folder = site / "wp-content" / "uploads"
    left_out = [f"{folder}/baris\\x0a\\u2028baru.jpg", f"{folder}/foto-\\\\xc3.jpg",
                f"{folder}/foto-\\udcc3.jpg"]
    assert result["hard_links_excluded"] == left_out
    assert json.loads(Path(result["manifest"]).read_text())["hard_links_excluded"] == left_out


def test_root_never_counts_as_the_web_root_owner_for_a_file_linked_from_outside(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A web root of root's (the web account writes it as its group): root's file linked
    from outside is still left out; with its other link gone it is archived."""
    secret = tmp_path / "secret"
    secret.write_text("kunci-privat\n")
    os.link(secret, site / "kunci.txt")
    args = {"paths": [str(site)], "dest": str(tmp_path / "backups"), "period": "always"}
    result = run_backup(monkeypatch, capsys, tmp_path, args)
    assert "failed" not in result, result
    assert result["hard_links_excluded"] == [str(site / "kunci.txt")]
    assert str(site / "kunci.txt") not in tar_names(result["path"])
    secret.unlink()
    time.sleep(1.1)  # a backup of another second
    result = run_backup(monkeypatch, capsys, tmp_path, args)
    assert "failed" not in result and result["hard_links_excluded"] == [], result
    assert str(site / "kunci.txt") in tar_names(result["path"])
    assert result["msg"] == f"arsip situs dibuat: {result['path']}"


def test_links_between_two_archived_folders_count_as_inside(site: Path, tmp_path: Path) -> None:
    """A file named in two folders of the paths (and nowhere else) has all its links in
    the archive, whoever owns it; one more link outside them makes it foreign."""
    other = tmp_path / "etc-wordpress"
    other.mkdir()
    (other / "config-court.php").write_text("<?php define('DB_PASSWORD', 'x');")
    os.link(other / "config-court.php", site / "config.php")
    assert backup_module.foreign_hard_links([str(site), str(other)], []) == []
    os.link(other / "config-court.php", tmp_path / "elsewhere.php")
    assert backup_module.foreign_hard_links([str(site), str(other)], []) == sorted(
        [str(site / "config.php"), str(other / "config-court.php")])


def test_a_single_file_hard_linked_to_another_accounts_file_is_not_archived(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The wp-config.php one folder above the web root, in a folder the web account can
    write, made a hard link to root's file: left out and named as the web root's files
    are; the web root owner's own wp-config.php with a second link is archived."""
    nobody = pwd.getpwnam("nobody").pw_uid
    os.chown(site, nobody, -1)
    secret = tmp_path / "shadow"
    secret.write_text("root:$y$rahasia\n")
    config = tmp_path / "wp-config.php"
    os.link(secret, config)
    args = {"paths": [str(site)], "files": [str(config)], "dest": str(tmp_path / "backups"),
            "period": "always"}
    result = run_backup(monkeypatch, capsys, tmp_path, args)
    assert "failed" not in result and result["hard_links_excluded"] == [str(config)], result
    assert str(config) not in tar_names(result["path"])
    assert b"rahasia" not in archived_bytes(result["path"])
    os.chown(secret, nobody, -1)
    time.sleep(1.1)
    result = run_backup(monkeypatch, capsys, tmp_path, args)
    assert "failed" not in result and result["hard_links_excluded"] == [], result
    assert str(config) in tar_names(result["path"])


def test_where_the_kernel_protects_hard_links_the_web_root_is_not_walked_for_them(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """fs.protected_hardlinks=1 (Debian's default): the kernel refuses the web account a
    link to root's file, so the walk before tar (foreign_hard_links) is not made, nothing
    is warned of, and a link planted anyway (here by root) is archived as any file; read
    as 0 the same tree is walked and the link left out."""
    secret = tmp_path / "secret"
    secret.write_text("kunci-privat\n")
    os.link(secret, site / "kunci.txt")
    walked: list[tuple[list[str], list[str]]] = []
    real_walk = backup_module.foreign_hard_links

    def counted(paths: list[str], files: list[str]) -> list[str]:
        walked.append((paths, files))
        found: list[str] = real_walk(paths, files)
        return found

    monkeypatch.setattr(backup_module, "foreign_hard_links", counted)
    args = {"paths": [str(site)], "dest": str(tmp_path / "backups"), "period": "always"}
    result = run_backup(monkeypatch, capsys, tmp_path, args, setting=b"1\n")
    assert "failed" not in result, result
    assert walked == []
    assert result["hard_links_protected"] is True and result["hard_links_excluded"] == []
    assert warning_lines(result) == []
    assert str(site / "kunci.txt") in tar_names(result["path"])
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert (manifest["hard_links_excluded"], manifest["hard_links_protected"]) == ([], True)
    time.sleep(1.1)  # a backup of another second
    result = run_backup(monkeypatch, capsys, tmp_path, args, setting=b"0\n")
    assert "failed" not in result and walked == [([str(site)], [])], result
    assert result["hard_links_excluded"] == [str(site / "kunci.txt")]
    assert json.loads(Path(result["manifest"]).read_text())["hard_links_protected"] is False
    assert str(site / "kunci.txt") not in tar_names(result["path"])


@pytest.mark.parametrize("setting", [None, b"", b"2\n"], ids=["missing", "empty", "other"])
def test_a_hard_link_setting_that_cannot_be_read_as_1_counts_as_off(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], setting: bytes | None) -> None:
    """No /proc/sys/fs/protected_hardlinks to read (a kernel or container without it), or
    something else than 1 in it: the walk is made, the foreign link left out, and the
    module warns that the setting is off."""
    secret = tmp_path / "secret"
    secret.write_text("kunci-privat\n")
    os.link(secret, site / "kunci.txt")
    result = run_backup(monkeypatch, capsys, tmp_path,
                            {"paths": [str(site)], "dest": str(tmp_path / "backups")},
                            setting=setting)
    assert "failed" not in result, result
    assert result["hard_links_protected"] is False
    assert result["hard_links_excluded"] == [str(site / "kunci.txt")]
    assert warning_lines(result) == [OFF_WARNING.format(tmp_path / "protected_hardlinks")]


def test_too_many_foreign_hard_links_fail_in_one_line_and_write_nothing(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tar takes the names to leave out on its command line: more than it can take fail
    the backup naming their number, nothing written (never an archive holding them)."""
    secret = tmp_path / "secret"
    secret.write_text("rahasia")
    for n in range(3):
        os.link(secret, site / f"s{n}.txt")
    monkeypatch.setattr(backup_module, "FOREIGN_NAMES_MAX", 40)
    (tmp_path / "protected_hardlinks").write_text("0\n")
    monkeypatch.setattr(backup_module, "PROTECTED_HARDLINKS", str(tmp_path / "protected_hardlinks"))
    with pytest.raises(backup_module.LinkError) as raised:
        backup_module.foreign_hard_links([str(site)], [])
    assert str(raised.value) == ("3 berkas bertautan keras ke luar folder situs, terlalu banyak "
                                 f"untuk dikecualikan dari arsip (a.l. {site}/s0.txt)")
    dest = tmp_path / "backups"
    dest.mkdir()
    p = {"paths": [str(site)], "files": [], "dest": str(dest), "prefix": "website",
         "exclude": [], "level": 3, "period": "always", "stall_timeout": 0}
    with pytest.raises(backup_module.LinkError):
        backup_module.backup(p, datetime.datetime.now().astimezone(), {})
    assert os.listdir(dest) == []


def test_a_file_inside_an_archived_folder_is_archived_once_and_a_missing_one_fails(
        site, tmp_path):
    inside = site / "index.php"
    assert backup_module.operands([str(site)], [str(inside)], {}) == [str(site)]
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "files": [str(tmp_path / "wp-config.php")],
        "dest": str(tmp_path / "backups")})
    assert rc == 1 and result["msg"] == (
        f"berkas situs tidak ada (atau sebuah folder): {tmp_path / 'wp-config.php'}")
    assert not (tmp_path / "backups").exists()


@pytest.fixture
def full_quarantine(tmp_path):
    """A 64 KiB tmpfs as the quarantine folder: a disk that fills during the copy."""
    if os.geteuid() != 0:
        pytest.skip("mounts a tmpfs")
    dest = tmp_path / "q"
    dest.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(dest)],
                   check=True)
    try:
        yield dest
    finally:
        subprocess.run(["umount", "-l", str(dest)], check=True)


def quarantine_fails_full(shell: Path, site: Path, tmp_path: Path, dest: Path) -> None:
    """Quarantining ``shell`` into the full ``dest`` fails in one line, moving nothing."""
    findings = [{"kind": "php_in_uploads", "path": str(shell), "name": "php in uploads"}]
    args = {"findings": findings, "dest": str(dest), "roots": [str(site)]}
    rc, result = run_module("website_quarantine", tmp_path, args)
    assert rc != 0 and not result["changed"] and result["moved"] == []
    assert result["msg"] == f"karantina {shell} gagal: No space left on device"


def test_a_copy_that_fills_the_quarantine_leaves_no_part_and_the_file_in_place(
        site, tmp_path, full_quarantine):
    """The quarantine folder's disk fills halfway through the copy: the half copy stayed
    in quarantine (a file without its record, taking the space), and the planted file
    must stay in the site, named in one line."""
    shell = site / "wp-content" / "uploads" / "big.php"
    content = b"<?php eval($_POST['c']); //" + os.urandom(256 << 10)
    shell.write_bytes(content)
    quarantine_fails_full(shell, site, tmp_path, full_quarantine)
    assert shell.read_bytes() == content
    assert [p for p in full_quarantine.rglob("*") if not p.is_dir()] == []
    assert not (full_quarantine / "quarantine.jsonl").exists()


def test_a_record_that_cannot_be_written_removes_the_copy_and_keeps_the_file(
        site, tmp_path, full_quarantine):
    """The copy fits but its record does not (one page of the disk left): no copy may
    stay without its record, nor a half line in the record, and the planted file stays
    in the site."""
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    fill = os.open(full_quarantine / "fill", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while os.write(fill, bytes(4096)) == 4096:
                pass
        os.ftruncate(fill, os.fstat(fill).st_size - 4096)  # one page free
    finally:
        os.close(fill)
    quarantine_fails_full(shell, site, tmp_path, full_quarantine)
    assert shell.read_text() == "<?php eval($_POST['c']);"
    assert sorted(p.name for p in full_quarantine.rglob("*") if not p.is_dir()) in (
        ["fill"], ["fill", "quarantine.jsonl"])
    assert not (full_quarantine / "quarantine.jsonl").exists() \
        or (full_quarantine / "quarantine.jsonl").read_bytes() == b""


def test_nothing_moved_is_no_change(site, tmp_path):
    """Every chosen file removed by someone else before the move: nothing was moved, so
    nothing changed (reported changed before)."""
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    findings = [{"kind": "php_in_uploads", "path": str(shell), "name": "php"}]
    todo, refused = quarantine.candidates(findings, [str(site)], ["php_in_uploads"])
    assert len(todo) == 1 and refused == []
    shell.unlink()
    result = quarantine.move_all(todo, [str(site)], str(tmp_path / "q"), refused)
    assert result == {"changed": False, "moved": [], "left": [], "sop_output": {"karantina": []}}
    assert list((tmp_path / "q").iterdir()) == []


def _copy_refused_as_changed(fd: int, info: os.stat_result, shell: Path, tmp_path: Path) -> None:
    """The quarantine's copy of the open ``fd`` refuses a file changed since ``info``:
    nothing copied, the file left (and ``fd`` closed)."""
    target = tmp_path / "copy"
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(OSError) as refused:
            quarantine._copy(fd, info, folder, target.name, 1 << 30)
    finally:
        os.close(fd)
        os.close(folder)
    assert quarantine.refusal(refused.value).startswith("berubah selama disalin")
    assert not target.exists() and shell.exists()


def test_a_file_written_to_while_it_is_copied_is_not_removed(site, tmp_path):
    """The site's account appends to the planted file between its opening and the end of
    the copy: the copy is not the file, so no copy stays and the file is not removed."""
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    fd = os.open(shell, os.O_RDONLY)
    info = os.fstat(fd)
    with open(shell, "a") as handle:
        handle.write("// more, written meanwhile\n")
    _copy_refused_as_changed(fd, info, shell, tmp_path)


def test_a_file_rewritten_with_its_time_set_back_is_not_removed(site, tmp_path):
    """The site's account rewrites the planted file in place with as many bytes while it
    is copied and sets its modification time back (touch -d): size and mtime were as
    when it was opened, so the changed file passed for the one copied and was removed.
    Its inode change time, which only the kernel sets, gives it away."""
    shell = site / "wp-content" / "uploads" / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    fd = os.open(shell, os.O_RDONLY)
    info = os.fstat(fd)
    probe = tmp_path / "clock"
    probe.touch()
    while os.stat(probe).st_ctime_ns <= info.st_ctime_ns:  # a tick of the file times
        os.utime(probe)
    with open(shell, "r+") as handle:
        handle.write("<?php echo 'harmless';  ")
    os.utime(shell, ns=(info.st_atime_ns, info.st_mtime_ns))
    now = os.stat(shell)
    assert (now.st_size, now.st_mtime_ns) == (info.st_size, info.st_mtime_ns)
    _copy_refused_as_changed(fd, info, shell, tmp_path)


def stand_in_tar(tmp_path: Path, body: str) -> Path:
    """A folder holding a ``tar`` shell script (put first on PATH): the test's seam for a
    tar that hangs. A real hang needs a network mount (NFS, CIFS) that stops answering
    under the web root, which a test cannot make without containers; this script stands
    in for tar itself and never reads the site."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "tar"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return folder


def test_a_tar_that_stops_writing_is_stopped_and_the_backup_fails(site, tmp_path, monkeypatch):
    """tar hung on a mount under the web root that stopped answering: nothing bounded the
    archive, and the SOP (and its lock) waited forever. A tar that writes nothing for
    stall_timeout seconds is now killed, the backup fails with one line and no file with
    a final name (nor a partial one) is left."""
    folder = stand_in_tar(tmp_path, "printf 'header' ; exec sleep 600\n")
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    dest = tmp_path / "backups"
    args = {"paths": [str(site)], "dest": str(dest), "period": "always", "stall_timeout": 2}
    started = time.monotonic()
    rc, result = run_module("website_files_backup", tmp_path, args, seconds=60)
    assert time.monotonic() - started < 30
    assert rc == 1 and result["msg"] == (
        "backup file situs gagal: tar wrote nothing for 2 s and was stopped (a folder on a "
        "network mount that stopped answering?); no backup was written")
    assert list(dest.iterdir()) == []


def test_a_tar_that_writes_slowly_is_not_stopped(site, tmp_path, monkeypatch):
    """A slow tar still writing (a slow mount, a large file read slowly) is no stall,
    even while zstd holds its input back: only silence for stall_timeout stops it."""
    folder = stand_in_tar(tmp_path, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do\n"
                                    "  head -c 512 /dev/zero; sleep 0.4\ndone\n")
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    writer = backup_files.HashingWriter(str(tmp_path / "website-20261130T010000.tar.zst"))
    with within(60, "the slow archive"):
        archived = files.write_archive([str(site)], [], writer, 3, stall_seconds=2)
    assert archived["entries"] == 0 and writer.size > 0
    writer.discard()


def long_named_site(tmp_path: Path, files_count: int = 3000) -> Path:
    """A web root whose tar listing is about 10 MiB: 3000 files in a folder whose path
    is about 3 KiB long (what the web account can make in the uploads it writes)."""
    folder = tmp_path / "site"
    for depth in range(12):
        folder = folder / (f"{depth:02d}" + "d" * 240)
    folder.mkdir(parents=True)
    for n in range(files_count):
        (folder / f"{n:05d}.jpg").touch()
    return tmp_path / "site"


def test_the_listing_of_a_backup_is_not_held_by_the_module(tmp_path):
    """tar's listing (every entry's name) was read whole into the root module, decoded and
    split there: a web account that fills its uploads with millions of long names grew the
    module's memory as far as it liked. It is now counted and hashed by the pipeline's own
    process, as on the backup computer; the module reads one line, and the manifest's
    values are still those the verification computes."""
    site = long_named_site(tmp_path)
    dest = tmp_path / "dest"
    dest.mkdir()
    tracemalloc.start()
    try:
        writer, archived = make_archive(site, dest)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    names = tar_names(writer.final_path)
    listing = sum(len(name) + 1 for name in names)
    assert listing > 8 << 20
    assert (archived["entries"], archived["listing_sha256"]) == (
        len(names), listing_digest(names))
    assert peak < 4 << 20, peak  # zstd's output chunks, not the 10 MiB listing


def test_tar_warnings_still_reach_the_result(tmp_path):
    """What tar says besides the names (a socket it does not archive) is still reported,
    and is not counted as an entry."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text("<?php\n")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(site / "php.sock"))
    try:
        writer, archived = make_archive(site, tmp_path)
    finally:
        listener.close()
    assert archived["entries"] == len(tar_names(writer.final_path)) == 2
    assert any("socket ignored" in warning for warning in archived["warnings"]), archived


def test_a_fifo_and_a_device_in_the_web_root_are_archived_unread_and_verify(tmp_path):
    """A FIFO the web account made in its web root (or a device node) is archived as such,
    never opened: reading one would wait for a writer for ever."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text("<?php\n")
    os.mkfifo(site / "pipe")
    kinds = 3
    with contextlib.suppress(PermissionError):  # root only
        os.mknod(site / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        kinds += 1
    with within(30, "archiving a web root holding a FIFO"):
        writer, archived = make_archive(site, tmp_path)
        names = tar_names(writer.final_path)
        listed = files.archive_listing(writer.final_path, 30)
    assert archived["entries"] == len(names) == kinds
    assert listed == files.Listing(kinds, archived["listing_sha256"])
    assert archived["listing_sha256"] == listing_digest(names)


def test_files_cut_or_removed_while_tar_reads_the_web_root_still_give_a_backup_that_verifies(
        tmp_path):
    """A file cut shorter while tar reads it, and one removed before tar reached it (an
    upload replaced, a cache purged as the site runs): tar pads the one with zeros, says
    so and ends with status 1, the other is not archived; the backup is made, and its
    manifest counts what the archive holds."""
    first, second = tmp_path / "site", tmp_path / "uploads"
    first.mkdir()
    second.mkdir()
    big = first / "big.bin"
    big.write_bytes(os.urandom(64 << 20))  # tar reads this at the first write
    (second / "removed.jpg").write_bytes(b"jpg")
    (second / "kept.php").write_text("<?php\n")
    writer = backup_files.HashingWriter(str(tmp_path / "website-20261130T010000.tar.zst"))
    write = writer.write

    def cut_at_the_first_write(chunk: bytes) -> None:
        if big.stat().st_size > 1 << 20:
            os.truncate(big, 1 << 20)
            (second / "removed.jpg").unlink()
        write(chunk)

    writer.write = cut_at_the_first_write
    archived = files.write_archive([str(first), str(second)], [], writer, 1)
    writer.commit()
    names = tar_names(writer.final_path)
    assert str(big) in names and str(second / "removed.jpg") not in names
    assert str(second / "kept.php") in names
    assert (archived["entries"], archived["listing_sha256"]) == (len(names), listing_digest(names))
    assert any("big.bin: File shrank by" in warning for warning in archived["warnings"])
    assert files.archive_listing(writer.final_path, 60) == files.Listing(len(names),
                                                                        listing_digest(names))


def test_a_folder_removed_while_the_web_root_is_searched_for_a_file_is_passed_over(
        tmp_path, monkeypatch):
    """A web root of folders only at its top, one of them (a cache plugin's) removed
    after its parent was listed: FileNotFoundError failed the backup ("folder situs tidak
    dapat dibaca") although the next folder holds the site's files. The web root itself
    gone is still an error."""
    root = tmp_path / "wp-content"
    (root / "cache" / "page").mkdir(parents=True)
    (root / "uploads").mkdir()
    (root / "uploads" / "foto.jpg").write_bytes(b"jpg")
    scandir = os.scandir

    class Listed(list):
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return None

    def listed_then_cache_removed(fd):
        with scandir(fd) as found:
            # the cache folder searched first (the last one listed)
            entries = Listed(sorted(found, key=lambda entry: entry.name == "cache"))
        if os.path.samestat(os.fstat(fd), root.stat()) and (root / "cache").exists():
            (root / "cache" / "page").rmdir()
            (root / "cache").rmdir()
        return entries

    monkeypatch.setattr(os, "scandir", listed_then_cache_removed)
    assert backup_module.holds_a_file(str(root))
    assert not (root / "cache").exists()  # removed after it was listed, before it was searched
    with pytest.raises(FileNotFoundError):
        backup_module.holds_a_file(str(tmp_path / "missing"))


def nested(top: Path, depth: int, name: str, *, sibling: bool = False) -> Path:
    """``depth`` folders ``name`` one in the other below ``top`` (each with an empty folder
    beside it when ``sibling``), made from descriptors: their path is past PATH_MAX. The
    deepest one's descriptor's /proc path is returned, to make files in it."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        if sibling:
            os.mkdir("empty", dir_fd=fd)
        below = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = below
    return Path(f"/proc/self/fd/{fd}")


def test_a_web_root_nested_past_path_max_is_archived_not_called_unreadable(tmp_path):
    """The site's account nests folders past PATH_MAX (4096 bytes) in a web root of folders
    only at its top: the search for a file opened each by its whole path, failed with
    'File name too long' and the module refused the backup ("folder situs tidak dapat
    dibaca") of a site tar archives whole. Each folder is opened from one held a bounded
    number of names above it, with a bounded number of descriptors (an empty folder
    beside each of the 1100 keeps the walk's way back open)."""
    root = tmp_path / "site"
    root.mkdir()
    deepest = nested(root, 1100, "n" * 40, sibling=True)
    (deepest / "deep.php").write_text("<?php")
    os.close(int(deepest.name))
    try:
        holds_a_file_past_path_max(root, tmp_path)
    finally:  # rm, not Python's recursive rmtree (pytest's clean-up)
        subprocess.run(["rm", "-rf", str(root)], check=True)


def holds_a_file_past_path_max(root: Path, tmp_path: Path) -> None:
    open_now = len(os.listdir("/proc/self/fd"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + 64, hard))
    try:
        assert backup_module.holds_a_file(str(root))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert len(os.listdir("/proc/self/fd")) == open_now  # nothing left open
    dest = tmp_path / "backups"
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(root)], "dest": str(dest)})
    assert rc == 0, result["msg"][:300]
    assert result["entries"] == 2 * 1100 + 2  # the root, two folders a level, the file
    manifest = json.loads(Path(result["manifest"]).read_text())
    nobody = pwd.getpwnam("nobody")
    assert verify.check(result["path"], manifest, result["sha256"], 60, nobody)["status"] == "ok"
    subprocess.run(["find", str(root), "-name", "deep.php", "-delete"], check=True)
    assert not backup_module.holds_a_file(str(root))  # folders only: still refused


def test_a_verification_waits_for_the_store_lock_to_record_or_records_nothing(
        site: Path, tmp_path: Path) -> None:
    """website_archive_verify appended its result while an ingest or a retention of the
    store held the store's lock. It waits for it (lock_timeout); still held then, it fails
    in one line naming the holder and records nothing (the archive stays unverified)."""
    dest = tmp_path / "backups"
    dest.mkdir()
    ledger = dest / "ledger.jsonl"
    made = stored_backup(site, dest, ledger)
    before = ledger.read_bytes()
    lock = dest / ".ingest.lock"  # the store's, as the ingest takes it
    args = {"path": made["path"], "ledger": str(ledger), "os_user": "nobody", "lock_timeout": 1}
    with lock_held(lock, "applying retention to website in STORE") as (pid, command):
        rc, result = run_module("website_archive_verify", tmp_path, args)
    assert rc == 1 and result["msg"] == (
        f"cannot record the verification of {made['path']} in {ledger}: waited 1 s "
        f"(lock_timeout) for the store's lock {lock}, held by pid {pid} ({command}): applying "
        "retention to website in STORE; nothing recorded (it stays unverified)"), result
    assert ledger.read_bytes() == before
    rc, result = run_module("website_archive_verify", tmp_path, args)  # let go: recorded
    assert rc == 0 and result["verified"], result
    assert json.loads(ledger.read_text().splitlines()[-1])["event"] == "verified"


def test_a_verification_that_cannot_be_recorded_is_one_line_and_nothing_half_written(
        site, tmp_path):
    """The backup computer's record (ledger) cannot grow (its disk full; here RLIMIT_FSIZE):
    website_archive_verify ended in a traceback. Now one line naming the archive and the
    record; the record is as it was, the backup stays unverified."""
    dest = tmp_path / "backups"
    dest.mkdir()
    ledger = tmp_path / "ledger.jsonl"
    made = stored_backup(site, dest, ledger)
    before = ledger.read_bytes()
    rc, result = run_module("website_archive_verify", tmp_path, {
        "path": made["path"], "ledger": str(ledger), "os_user": "nobody"},
        file_limit=len(before) + 40)
    assert rc == 1 and result["msg"] == (
        f"cannot record the verification of {made['path']} in {ledger}: File too large "
        "(it stays unverified)"), result
    assert ledger.read_bytes() == before


@pytest.mark.parametrize(("level", "said"), [
    # zstd -q -99 compressed at 19 without a word, many times slower than 3
    (99, "must be at most 19 levels (zstd's highest), not 99"),
    # zstd -0 compressed at its default, 3; -4 gave zstd '--4', which it refused mid-backup
    (0, "must be a positive number of levels, not 0"),
    (-4, "must be a positive number of levels, not -4"),
])
def test_a_compression_level_zstd_does_not_take_is_refused(site, tmp_path, level, said):
    dest = tmp_path / "backups"
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "dest": str(dest), "period": "always", "level": level})
    assert (rc, result["msg"], result.get("setting")) == (1, f"level: {said}", "level")
    assert not dest.exists()


def test_zstds_highest_level_makes_the_backup(site, tmp_path):
    rc, result = run_module("website_files_backup", tmp_path, {
        "paths": [str(site)], "dest": str(tmp_path / "backups"), "period": "always",
        "level": 19})
    assert (rc, result["changed"]) == (0, True), result
