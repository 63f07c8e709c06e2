"""Review of SOP Pengamanan TI as the court's IT admin and a hostile-input reviewer:
what real hosts and attackers feed the security modules."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pytest
from loader import load, run_module, warning_lines

ssh = load("security_ssh_audit")
common = load("sop_security")

PARAMS = {"burst_failures": 10, "burst_seconds": 60, "failure_warn": 20,
          "penalised_warn": 10, "success_after_failures": 5,
          "root_login": True, "trusted_users": []}
MONDAY_10_WIB = 1796007600.0


def journal(entries: list[tuple[float, str]]) -> list[bytes]:
    return [json.dumps({"__CURSOR": f"s=c{i}", "__REALTIME_TIMESTAMP": str(int(t * 1e6)),
                        "MESSAGE": m}).encode() for i, (t, m) in enumerate(entries)]


def audit_of(lines: list[tuple[float, str]]) -> object:
    audit = ssh.Audit(PARAMS, common.OfficeHours("07:30", "17:00", [1, 2, 3, 4, 5],
                                                 "Asia/Jakarta"))
    ssh.analyse(audit, journal(lines))
    return audit


@pytest.mark.parametrize("ending", ["Disconnected from", "Connection reset by"])
def test_a_key_scan_ending_in_a_disconnect_is_a_brute_force(ending):
    # A scanner offering keys to a key-only sshd: sshd logs no "Failed" line at its
    # default LogLevel, only how each connection ended; OpenSSH writes a client's
    # disconnect as "Disconnected from ..." and a reset as "Connection reset by ...".
    lines = [(MONDAY_10_WIB + i, f"{ending} authenticating user root 203.0.113.9 "
              f"port {4000 + i} [preauth]") for i in range(12)]
    audit = audit_of(lines)
    assert audit.failures == {"203.0.113.9": 12}
    assert [f["kind"] for f in audit.findings()] == ["brute_force"]


def test_a_disconnect_after_failed_lines_counts_the_connection_once():
    audit = audit_of([
        (MONDAY_10_WIB, "Failed password for invalid user admin from 198.51.100.7 port 9 ssh2"),
        (MONDAY_10_WIB, "Failed password for invalid user admin from 198.51.100.7 port 9 ssh2"),
        (MONDAY_10_WIB, "Disconnected from invalid user admin 198.51.100.7 port 9 [preauth]")])
    assert audit.failures == {"198.51.100.7": 2}
    assert audit.failed_connections == set()


# --- The restore drill of a files archive ------------------------------------------------

restore = load("security_restore_files")
backup_files = load("sop_backup_files")
website_files = load("sop_website_files")
ledger_module = load("sop_backup_ledger")


def archived_site(site, tmp_path) -> tuple[str, dict]:
    """The website backup of the folder ``site``: its archive's path and its manifest."""
    path = tmp_path / "website-20261130T010000.tar.zst"
    writer = backup_files.HashingWriter(str(path))
    archived = website_files.write_archive([str(site)], [], writer, 3)
    writer.commit()
    return str(path), {"sha256": writer.sha256.hexdigest(), **archived}


def drilled(path: str, manifest: dict, timeout: float) -> dict:
    """The restore drill's record of the archive ``path``, restored as nobody into a
    scratch folder of /var/tmp (reachable by nobody), which it must leave empty."""
    work = tempfile.mkdtemp(prefix="sop-drill-test-", dir="/var/tmp")
    os.chmod(work, 0o755)
    try:
        record = restore.drill(path, manifest, "nobody", work, timeout=timeout)
        assert os.listdir(work) == []
    finally:
        subprocess.run(["rm", "-rf", "--", work], check=True)
    return record


def test_a_restore_drill_that_does_not_end_in_time_is_stopped_and_named(tmp_path):
    # A hung zstd or tar, or an archive that decompresses without end, held the drill
    # (and the SOP's run) for ever: list_archive was called without a time limit.
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.php").write_text("<?php echo 'PN';\n")
    path, manifest = archived_site(site, tmp_path)
    record = drilled(path, manifest, timeout=0.001)
    # no verdict on the archive (status error), as the database drill's own timeout
    assert record["status"] == "error"
    assert record["reason"] == "restore not finished within 0.001 s: stopped"


def test_a_restore_drill_of_folders_nested_past_python_s_recursion_ends_and_cleans_up(tmp_path):
    # The site's account nests 1100 folders (a/a/a/...), which the backup archives: the
    # drill's os.walk (its size) and shutil.rmtree (its scratch) recursed once per level,
    # a RecursionError traceback, and the restored site stayed in work_dir.
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.php").write_text("<?php echo 'PN';\n")
    plant(site, ["a"] * 1100, "x.txt", "deep")
    path = tmp_path / "website-20261130T010000.tar.zst"
    writer = backup_files.HashingWriter(str(path))
    try:
        archived = website_files.write_archive([str(site)], [], writer, 3)
    finally:  # (pytest's own removal of tmp_path recurses too)
        subprocess.run(["rm", "-rf", "--", str(site / "a")], check=True)
    writer.commit()
    manifest = {"sha256": writer.sha256.hexdigest(), **archived}
    record = drilled(str(path), manifest, timeout=120)
    assert (record["status"], record["entries"], record["bytes"]) == ("ok", 1103, 21)


def test_a_restore_drill_counts_the_bytes_of_a_file_nested_near_path_max(tmp_path):
    # A site's file whose path is just short of PATH_MAX (4096 bytes: the web server
    # serves it, the backup archives it, tar restores it below the scratch folder): the
    # drill's count of bytes restored walked the scratch by path, scratch's own part made
    # that path too long, and the file's folders were silently left out of the figure.
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.php").write_text("<?php echo 'PN';\n")
    room = 4090 - len(f"{site}/x.php")
    folders = ["d" * 200] * (room // 201) + ["e" * (room % 201 - 1)] * (room % 201 > 1)
    deep = plant(site, folders, "x.php", "0123456789")
    assert 4080 < len(deep) < 4096
    path, manifest = archived_site(site, tmp_path)
    record = drilled(path, manifest, timeout=120)
    assert (record["status"], record["bytes"]) == ("ok", 17 + 10), record


def test_a_restore_drill_of_a_file_nested_past_path_max_names_it_in_one_line(tmp_path):
    # The site's own path to a file passes PATH_MAX (4096 bytes: 21 folders of 200): the
    # backup's tar archives it, its listing verifies, but tar -x cannot make that name
    # (ENAMETOOLONG however short the scratch folder), nor can any restore with tar: the
    # drill failed with tar's message quoting the whole name, over 4096 characters.
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.php").write_text("<?php echo 'PN';\n")
    deep = plant(site, ["d" * 200] * 21, "x.php", "0123456789")
    assert len(deep) > 4096
    path, manifest = archived_site(site, tmp_path)
    assert manifest["entries"] == 1 + 1 + 21 + 1  # the root, index.php, the folders, x.php
    record = drilled(path, manifest, timeout=120)
    assert record["status"] == "failed", record
    first = past_path_max(deep, 21)[0]
    assert record["reason"] == (
        f"restore failed: tar cannot restore {first[:120]}...{first[-120:]} ({len(first)} "
        "karakter): its name is longer than tar can restore (past PATH_MAX, 4096 bytes, "
        "or a part past NAME_MAX, 255), here as in any restore of this archive with tar")


def past_path_max(deep: str, folders: int) -> list[str]:
    """The names no tar can make in the archive of the file ``deep`` below ``folders``
    folders of the site, in the archive's order, as tar -x names them ("/" taken off):
    the folders and the file whose name passes PATH_MAX (4096 bytes)."""
    names = [deep[1:].rsplit("/", n)[0] for n in range(folders, -1, -1)]
    return [name for name in names if len(name) >= 4096]


def test_a_verified_archive_with_a_name_past_path_max_is_not_called_restorable(tmp_path):
    # The archive the drill above cannot restore: website_archive_verify lists it, finds
    # every entry as the manifest says, and recorded it verified without a word of the
    # names no tar can restore. It stays verified (every entry is as written), and the
    # record, its reason and the SOP's warning name them, shortened as the drill does.
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.php").write_text("<?php echo 'PN';\n")
    deep = plant(site, ["d" * 200] * 21, "x.php", "0123456789")
    path, manifest = archived_site(site, tmp_path)
    Path(backup_files.manifest_path(path)).write_text(json.dumps(manifest))
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text(json.dumps({"at": "2026-11-30T01:00:05+07:00", "event": "ingested",
                                  "name": os.path.basename(path),
                                  "sha256": manifest["sha256"]}) + "\n")
    rc, result = run_module("website_archive_verify", tmp_path, {
        "path": path, "ledger": str(ledger), "os_user": "nobody"})
    unrestorable = past_path_max(deep, 21)
    assert 2 <= len(unrestorable) < manifest["entries"]  # the last folders and x.php
    first = unrestorable[0]
    shown = f"{first[:120]}...{first[-120:]} ({len(first)} karakter)"
    verification = result["verification"]
    assert (rc, result["verified"], verification["status"]) == (0, True, "ok"), result
    assert (verification["unrestorable"], verification["first_unrestorable"]) == (
        len(unrestorable), shown)
    assert verification["reason"] == (
        f"sha256 and all 24 entries match, but {len(unrestorable)} of them have a name "
        "longer than tar can restore (past PATH_MAX, 4096 bytes, or a part past NAME_MAX, "
        f"255), so no restore with tar writes them: the first {shown}")
    assert warning_lines(result) == [
        f"Backup file situs {os.path.basename(path)} terverifikasi, tetapi "
        f"{len(unrestorable)} nama di dalamnya tidak dapat dipulihkan dengan tar (nama 4096 "
        "byte atau lebih, PATH_MAX, atau bagian nama lebih dari 255 byte, NAME_MAX), yang "
        f"pertama {shown}: backup ini tidak dapat dipulihkan utuh"]
    recorded = ledger_module.backups(ledger_module.read(str(ledger)))[os.path.basename(path)]
    assert (recorded["verified"], recorded["verification"]) == (True, verification), recorded


def test_a_crafted_archive_restores_nothing_privileged_nor_outside_the_scratch(
        tmp_path, monkeypatch):
    # The backup took in what the site's account planted: setuid and setgid modes, a
    # member owned by root, a link out of the scratch folder and a member through it,
    # '..' and absolute names, a hard link to /etc/passwd. Restored by tar as the
    # unprivileged user, without owners or modes: nothing setuid, setgid or root's is
    # made, and nothing outside the scratch folder is written.
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o777)
    members = io.BytesIO()
    with tarfile.open(fileobj=members, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, kind, mode, target in [
                ("./suid", tarfile.REGTYPE, 0o4755, ""),
                ("./sgid", tarfile.DIRTYPE, 0o2777, ""),
                ("./out", tarfile.SYMTYPE, 0o777, str(outside)),
                ("./out/planted", tarfile.REGTYPE, 0o644, ""),
                ("../dotdot", tarfile.REGTYPE, 0o644, ""),
                (f"{outside}/absolute", tarfile.REGTYPE, 0o644, ""),
                ("./passwd", tarfile.LNKTYPE, 0o644, "/etc/passwd")]:
            member = tarfile.TarInfo(name)
            member.type, member.mode, member.linkname = kind, mode, target
            member.size = 2 if kind == tarfile.REGTYPE else 0
            archive.addfile(member, io.BytesIO(b"x\n") if kind == tarfile.REGTYPE else None)
    path = tmp_path / "website-20261130T010000.tar.zst"
    path.write_bytes(subprocess.run(["zstd", "-q", "-c"], input=members.getvalue(),
                                    capture_output=True, check=True).stdout)
    restored: list[str] = []

    def listed_then_removed(scratch: str) -> None:
        restored.extend(subprocess.run(
            ["find", scratch, "-mindepth", "1", "-printf", "%m %u %P\\n"],
            capture_output=True, text=True, check=True).stdout.splitlines())
        subprocess.run(["rm", "-rf", "--", scratch], check=True)

    monkeypatch.setattr(restore, "remove_scratch", listed_then_removed)
    work = tempfile.mkdtemp(prefix="sop-drill-test-", dir="/var/tmp")  # reachable by nobody
    os.chmod(work, 0o755)
    try:
        record = restore.drill(str(path), {"sha256": backup_files.sha256_file(str(path)),
                                           "entries": 7, "listing_sha256": "0" * 64},
                               "nobody", work, timeout=60)
        assert os.listdir(work) == []
    finally:
        shutil.rmtree(work)
    assert record["status"] == "failed" and record["reason"].startswith("restore failed: tar: ")
    assert "suid" in {line.split(" ", 2)[2] for line in restored}, restored
    assert all(int(line.split()[0], 8) & 0o6000 == 0 and line.split()[1] == "nobody"
               for line in restored), restored
    assert list(outside.iterdir()) == [] and not (tmp_path / "dotdot").exists()


def test_a_restore_drill_refuses_a_timeout_below_one_second(tmp_path):
    rc, result = run_module("security_restore_files", tmp_path,
                            {"path": str(tmp_path / "x.tar.zst"), "timeout": 0})
    assert (rc, result["msg"], result.get("setting")) == (
        1, "timeout: must be a positive number of seconds, not 0", "timeout")


def plant(folder: Path, names: list[str], last: str, text: str) -> str:
    """``last`` written with ``text`` below the folders ``names`` (made where missing, one
    at a time, each from the one above it: their whole path may pass the kernel's
    PATH_MAX, as a site's account can make it); the file's path."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=fd)
            below = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = below
        out = os.open(last, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, text.encode())
        os.close(out)
    finally:
        os.close(fd)
    return "/".join([str(folder), *names, last])


@pytest.mark.skipif(shutil.which("yara") is None, reason="needs Debian's yara")
def test_a_webshell_deeper_than_yara_s_path_buffer_is_a_finding(tmp_path):
    # yara -r joins FOLDER/NAME in 1024 bytes and silently skips what does not fit: a
    # webshell planted there ran (the web server opens it) and the scan said clean.
    rules = (Path(__file__).resolve().parents[2] / "roles/it_security/files/malware.yar")
    web = tmp_path / "www"
    web.mkdir()
    shell = "<?php eval(base64_decode($_POST['x']));"
    folders = ["uploads", *["d" * 200] * 4]
    room = 1023 - len("/".join([str(web), *folders, ".php"]))
    fits = plant(web, folders, "f" * room + ".php", shell)  # 1023 bytes: scanned
    over = plant(web / "uploads", folders[1:], "o" * (room + 1) + ".php", shell)
    deeper = plant(web, ["cache", *["e" * 250] * 20], "t.php", shell)
    rc, result = run_module("security_malware_scan", tmp_path, {
        "paths": [str(web)], "rules": rules.read_text(encoding="utf-8"), "clamav": "never"})
    assert rc == 0, result.get("msg")
    assert {m["path"] for m in result["matches"]} == {fits}
    parts = deeper.split("/")
    first_over = next("/".join(parts[:n]) for n in range(len(parts))
                      if len("/".join(parts[:n])) > 1023)
    beyond = "(jalur lebih dari 1023 byte, dilewati yara)"
    assert result["scanned"]["unscanned"] == sorted([f"{over} {beyond}", f"{first_over} {beyond}"])
    assert [f["kind"] for f in result["findings"]] == ["malware", "malware_unscanned"]


def test_a_folder_yara_cannot_list_is_named(tmp_path, monkeypatch):
    # yara skips a folder it cannot open (NFS with root_squash) without a word; root
    # lists any folder here, so the refusal is the file system's, faked.
    malware = load("security_malware_scan")
    (tmp_path / "nfs").mkdir()
    (tmp_path / "nfs" / "x.php").write_text("<?php")
    (tmp_path / "ok.php").write_text("<?php")
    listing = os.scandir

    def scandir(path):
        if path.endswith("/nfs"):
            raise PermissionError(13, "Permission denied", path)
        return listing(path)

    monkeypatch.setattr(malware.os, "scandir", scandir)
    assert malware.unreached(str(tmp_path)) == [
        f"{tmp_path}/nfs (folder tidak dapat dibaca: Permission denied)"]

# --- TLS ------------------------------------------------------------------------------------

LONG = "x" * 64 + ".go.id"


@pytest.mark.parametrize(("name", "timeout", "msg"), [
    ("pn-contoh.go.id", -1, "timeout: must be a positive number of seconds, not -1"),
    ("pn-contoh..go.id", 5, "site 'pn-contoh..go.id:{port}': 'pn-contoh..go.id' is no host "
     "name (a part between dots is empty or longer than 63 characters)"),
    (LONG, 5, f"site '{LONG}:{{port}}': '{LONG}' is no host name (a part between dots is "
     "empty or longer than 63 characters)"),
])
def test_tls_names_a_bad_site_or_timeout_in_one_line(tmp_path, name, timeout, msg):
    # The server name is encoded for SNI only after the TCP connection (connect:
    # 127.0.0.1 on the web server itself): ssl's error for it, or a negative socket
    # timeout, was a traceback.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        rc, result = run_module("security_tls", tmp_path, {
            "sites": [f"{name}:{port}"], "connect": "127.0.0.1", "timeout": timeout})
    assert rc != 0
    assert result["msg"] == msg.format(port=port)


# --- WordPress ------------------------------------------------------------------------------

@pytest.mark.parametrize(("available", "msg"), [
    ({"core": 6.10}, "available.core 6.1 is a number: write the version quoted (YAML reads "
     "6.10 as the number 6.1)"),
    ({"core": "6.5", "plugins": {"akismet": 5.10}}, "available.plugins.akismet 5.1 is a "
     "number: write the version quoted (YAML reads 6.10 as the number 6.1)"),
    ({"plugins": ["akismet"]}, "available.plugins: expected a mapping of plugin folder name "
     "to version"),
    ({"core": ["6.5"]}, "available.core: expected a version, not list"),
])
def test_wordpress_refuses_versions_it_cannot_compare_in_one_line(tmp_path, available, msg):
    # it_security_wordpress_available is written by hand: `core: 6.5` unquoted was a
    # traceback, `akismet: 5.10` silently compared as 5.1 (a current plugin outdated).
    root = tmp_path / "wordpress"
    (root / "wp-includes").mkdir(parents=True)
    (root / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.5.2';\n")
    rc, result = run_module("security_wordpress", tmp_path, {
        "roots": [str(root)], "plugin_dirs": [], "apt_package": "", "available": available})
    assert rc != 0
    assert result["msg"] == msg


# --- Listeners -------------------------------------------------------------------------------

def test_a_hung_ss_is_stopped_and_named(tmp_path, monkeypatch):
    # ss -p reads every process's /proc entries; one that hangs held activity 2 for ever.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ss").write_text("#!/bin/sh\nexec sleep 30\n")
    (fake / "ss").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    started = time.monotonic()
    rc, result = run_module("security_listeners", tmp_path, {"timeout": 1}, seconds=20)
    assert rc != 0 and result["msg"] == "ss tidak selesai dalam 1 detik"
    assert time.monotonic() - started < 15


# --- The firewall ----------------------------------------------------------------------------

hardening = load("security_hardening")


@pytest.mark.parametrize("accept_all", [
    "accept", "counter packets 912 bytes 80412 accept", 'accept comment "sementara: uji"',
    'log prefix "ALL " accept',
    # a named counter object, and log options, as nft 1.0.6 prints them
    'counter name "uji" accept', 'log prefix "x " counter name "uji" accept',
    "log flags tcp sequence,options accept", "log flags ip options flags skuid accept",
    "log group 2 snaplen 64 queue-threshold 3 accept", "log level audit accept",
    # statements that only set something never end a rule, as nft 1.0.6 prints them
    "meta mark set 0x00000001 accept", "meta nftrace set 1 accept", "notrack accept",
    "ct mark set 0x00000005 counter packets 0 bytes 0 accept", "ct zone set 2 accept",
    "meta priority set 1:2 accept", "ct mark set meta mark | 0x00000010 accept",
    "ct event set new,related accept", "ct label set 1 accept",
    # a connection's zone for one direction, its helper or timeout policy by name, a copy
    # of the packet sent to a constant address (ip and ip6 tables only)
    "ct original zone set 1 accept", "ct reply zone set 1 accept",
    'ct helper set "ftp-standard" ct timeout set "lama" accept',
    'dup to 10.0.0.1 device "lo" counter packets 0 bytes 0 accept',
    'dup to fe80::1 device "lo" accept', "dup to 2001:db8::1 accept"])
def test_a_bare_accept_before_the_drop_is_no_firewall(accept_all):
    # `nft insert rule inet filter input accept` while testing, never removed: every
    # packet is accepted there, the policy drop and the drops after it are never reached.
    ruleset = ("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority "
               f"filter; policy drop;\n\t\t{accept_all}\n\t\tiif \"lo\" accept\n"
               "\t\ttcp dport 3306 drop\n\t}\n}\n")
    parsed = hardening.parse_ruleset(ruleset)
    assert parsed == {"input_chains": ["input"], "filtering_chains": []}


@pytest.mark.parametrize("rule", ["iif \"lo\" accept", "ct state established,related accept",
                                  'tcp dport 22 accept comment "ssh"',
                                  # conditions: a rate, a quota, and a counter a map names
                                  # (a packet whose key it lacks ends the rule)
                                  "limit rate 10/second accept", 'quota name "q" accept',
                                  'counter name ip saddr map { 10.0.0.1 : "c" } accept',
                                  # a mark a map gives (a key it lacks ends the rule), the
                                  # connection's (none for an untracked packet), a match
                                  "meta mark set ip saddr map { 10.0.0.1 : 0x00000001 } accept",
                                  "meta mark set ct mark accept", "meta mark 0x00000001 accept",
                                  # what a map gives; an expectation (a confirmed connection
                                  # ends the rule); a payload or TCP option (a packet without
                                  # the header does; IPv6 skips an inet table's ip dscp);
                                  # synproxy (steals a SYN, ends the rule for all but TCP)
                                  "dup to ip saddr map { 10.0.0.1 : 10.0.0.2 } accept",
                                  'ct helper set ip saddr map { 10.0.0.1 : "ftp-standard" } accept',
                                  "ct reply zone set ip saddr map { 10.0.0.1 : 2 } accept",
                                  'ct expectation set "e" accept', "ip dscp set cs1 accept",
                                  "tcp option maxseg size set 1360 accept",
                                  "synproxy mss 1460 wscale 7 accept"])
def test_an_accept_with_a_match_before_the_policy_drop_is_still_a_firewall(rule):
    ruleset = ("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority "
               f"filter; policy drop;\n\t\t{rule}\n\t}}\n}}\n")
    assert hardening.parse_ruleset(ruleset)["filtering_chains"] == ["input"]


# A base chain that drops, and regular chains it may jump to.
REACHED = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\t%s
\t\tiif "lo" accept
\t\ttcp dport 3306 drop
\t}
\tchain allow_all {
\t\tcounter packets 912 bytes 80412 accept comment "sementara: uji"
\t}
\tchain via {
\t\tlog prefix "via " jump allow_all
\t}
\tchain returns {
\t\t%s
\t\taccept
\t}
\tchain ssh_only {
\t\ttcp dport 22 accept
\t}
\tchain loop {
\t\tjump loop_back
\t}
\tchain loop_back {
\t\tjump loop
\t}
}
"""


@pytest.mark.parametrize(("rule", "returns", "filtering"), [
    ("jump allow_all", "", []),
    ("counter goto allow_all", "", []),
    ("jump via", "", []),  # through a further bare jump
    ('counter name "c" jump allow_all', "", []),
    ('log flags ip options goto allow_all', "", []),
    ("ip saddr 10.0.0.1 jump allow_all\n\t\tjump allow_all", "", []),  # judged once
    ("jump returns", "return", ["input"]),
    ("jump returns", "ip saddr 10.0.0.0/8 return", ["input"]),
    ("jump returns", "tcp dport vmap { 80 : return }", ["input"]),
    ("jump ssh_only", "", ["input"]),  # its accept is conditional
    ("iif \"eth0\" jump allow_all", "", ["input"]),  # the jump is conditional
    ("tcp dport 23 drop\n\t\tjump allow_all", "", ["input"]),  # after a drop
    ("jump loop", "", ["input"]),  # a loop ends
])
def test_a_bare_jump_to_a_chain_accepting_all_is_a_bare_accept(rule, returns, filtering):
    # `nft insert rule inet filter input jump allow_all`, a chain with a bare accept: every
    # packet is accepted there as by a bare accept in the input chain, yet the drops after
    # it made the chain count as a firewall.
    parsed = hardening.parse_ruleset(REACHED % (rule, returns))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}



# nft list ruleset as nftables 1.0.6 (Debian 12) prints it: a rule's comment comes last,
# after its verdict (counted), and chains are parted by an empty line.
COMMENTED = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy %s;
\t\tct state established,related accept
\t\t%s
\t}

\tchain lan {
\t\ttcp dport 5432 drop comment "basis data: hanya dari server"
\t}

\tchain allow_all {
\t\tcounter packets 0 bytes 0 accept comment "sementara: uji"
\t}
}
"""


@pytest.mark.parametrize(("policy", "rule", "filtering"), [
    ("accept", 'counter packets 0 bytes 0 jump lan comment "aturan LAN"', ["input"]),
    ("accept", 'ip saddr 10.0.0.0/8 counter packets 0 bytes 0 goto lan comment "x y"',
     ["input"]),
    ("accept", 'log prefix "lan " jump lan comment "aturan LAN"', ["input"]),
    ("drop", 'jump allow_all comment "sementara"', []),
    ("drop", 'counter packets 12 bytes 720 goto allow_all comment "uji"', []),
    ("drop", 'iif "eth0" jump allow_all comment "uji"', ["input"]),  # conditional
])
def test_a_jump_with_a_comment_is_followed(policy, rule, filtering):
    # `nft add rule inet filter input jump lan comment '"aturan LAN"'`: nft prints the
    # comment after the target, which was read as the target's end, so the chain was never
    # read: its drops went unseen, its accept-all too.
    parsed = hardening.parse_ruleset(COMMENTED % (policy, rule))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}



# A base chain and the regular chains it reaches, as nft list ruleset prints them.
ENDED = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy %s;
\t\tct state established,related accept
\t\t%s
\t\tjump lan
\t}

\tchain lan {
\t\t%s
\t\ttcp dport 5432 drop
\t}

\tchain ssh_only {
\t\ttcp dport 22 accept
\t}

\tchain blocked {
\t\ttcp dport 23 drop
\t}
}
"""


@pytest.mark.parametrize(("policy", "rule", "lan", "filtering"), [
    ("accept", "", "", ["input"]),
    # a bare return: the base chain's policy decides, nothing after it is reached
    ("accept", 'counter packets 4 bytes 240 return comment "selesai"', "", []),
    ("accept", 'counter name "c" return', "", []),
    ("drop", "return", "", ["input"]),
    ("accept", "", "return", []),  # back to the input chain, past the jump
    # a bare goto: the packet never comes back (in the base chain, its policy decides)
    ("accept", "goto ssh_only", "", []),
    ("drop", "goto ssh_only", "", ["input"]),
    ("accept", "goto blocked", "", ["input"]),
    ("accept", "", 'counter packets 0 bytes 0 goto ssh_only comment "x"', []),
    ("accept", "", "goto blocked", ["input"]),
    # with a match, or a jump (which comes back), the rules after are reached
    ("accept", "tcp dport 22 return", "", ["input"]),
    ("accept", "", "ip saddr 10.0.0.0/8 return", ["input"]),
    ("accept", "ip saddr 10.0.0.0/8 goto ssh_only", "", ["input"]),
    ("accept", "", 'iif "lo" goto ssh_only', ["input"]),
    ("accept", "jump ssh_only", "", ["input"]),
    ("accept", "", "jump ssh_only", ["input"]),
])
def test_rules_after_a_bare_return_or_goto_are_never_reached(policy, rule, lan, filtering):
    # every packet leaves the chain at a bare return or goto, yet the drops after it were
    # read as if reached: a chain that passes everything counted as a firewall.
    parsed = hardening.parse_ruleset(ENDED % (policy, rule, lan))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}



# A base chain whose return with a match comes before a rule accepting every packet.
RETURNED = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy %s;
\t\t%s
\t\t%s
\t\ttcp dport 3306 drop
\t}

\tchain allow_all {
\t\tcounter packets 0 bytes 0 accept
\t}

\tchain from_lan {
\t\tip saddr 10.0.0.0/8 accept
\t}
}
"""


@pytest.mark.parametrize(("policy", "returned", "accept_all", "filtering"), [
    ("drop", "ip saddr 10.0.0.0/8 return", "accept", ["input"]),
    ("drop", 'ip saddr 10.0.0.0/8 counter name "c" return', "goto allow_all", ["input"]),
    ("drop", "tcp dport vmap { 22 : accept, 80 : return }", "jump allow_all", ["input"]),
    ("accept", "ip saddr 10.0.0.0/8 return", "accept", []),
    ("accept", "ip saddr 10.0.0.0/8 return", "jump allow_all", []),  # the drop is not reached
    # only invalid or banned packets meet the policy drop: no firewall, as for their drop
    ("drop", "ct state invalid return", "accept", []),
    ("drop", "ip saddr @f2b-sshd counter packets 3 bytes 180 return", "jump allow_all", []),
    # a goto with a match to a chain they may end without a verdict: they never come back,
    # the policy decides for them as for returned ones
    ("drop", "tcp dport 22 goto from_lan", "accept", ["input"]),
    ("drop", "tcp dport vmap { 22 : goto from_lan }", "jump allow_all", ["input"]),
    ("drop", "ct state invalid goto from_lan", "accept", []),
    ("accept", "tcp dport 22 goto from_lan", "accept", []),
    ("drop", "tcp dport 22 goto allow_all", "accept", []),  # every packet accepted there
    ("drop", "tcp dport 22 jump from_lan", "accept", []),  # back to the accept-all
])
def test_the_packets_returned_before_an_accept_all_meet_the_policy(policy, returned,
                                                                   accept_all, filtering):
    # `ip saddr 10.0.0.0/8 return` before a bare accept in a policy-drop input chain:
    # every other packet is accepted, the returned ones are dropped by the policy, yet the
    # chain was reported as no firewall; with a policy accept, the bare jump to a chain
    # accepting all was read past, so the drop after it made the chain a firewall.
    parsed = hardening.parse_ruleset(RETURNED % (policy, returned, accept_all))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}


@pytest.mark.parametrize(("policy", "rules", "filtering"), [
    ("accept", 'counter jump lan comment "aturan LAN"', ["input"]),
    ("accept", 'counter return comment "selesai"; tcp dport 3306 drop', []),
    ("accept", "goto ssh_only; tcp dport 3306 drop", []),
    ("accept", 'ip saddr 10.0.0.0/8 goto ssh_only comment "x"; tcp dport 3306 drop', ["input"]),
    # a named counter object and log options are no condition; a counter a map names is
    ("accept", 'counter name "c" accept; tcp dport 3306 drop', []),
    ("accept", "counter name c jump allow_all; tcp dport 3306 drop", []),
    ("accept", 'log prefix "uji " counter name "c" return; tcp dport 3306 drop', []),
    ("accept", "log flags tcp sequence,options flags ip options accept; tcp dport 3306 drop",
     []),
    ("accept", "log group 2 snaplen 64 queue-threshold 3 accept; tcp dport 3306 drop", []),
    ("accept", 'counter name ip saddr map { 10.0.0.1 : "c" } accept; tcp dport 3306 drop',
     ["input"]),
    ("drop", "limit rate 10/second accept", ["input"]),
    # the packets a return with a match sends out before an accept-all meet the policy
    ("drop", "ip saddr 10.0.0.0/8 return; accept", ["input"]),
    ("accept", "ip saddr 10.0.0.0/8 return; accept", []),
    ("accept", "ip saddr 10.0.0.0/8 return; jump allow_all; tcp dport 3306 drop", []),
    ("drop", "ct state invalid return; accept", []),
    # statements that only set something are no condition; a value a map gives is
    ("drop", "meta mark set 1 accept; tcp dport 3306 drop", []),
    ("drop", "notrack accept", []),
    ("drop", "meta nftrace set 1 accept", []),
    ("drop", "ct mark set 0x5 accept", []),
    ("drop", "meta mark set ip saddr map { 10.0.0.1 : 0x1 } accept", ["input"]),
    # a goto never comes back: the packets its chain passes meet the policy
    ("drop", "tcp dport 22 goto from_lan; accept", ["input"]),
    ("drop", "tcp dport 22 jump from_lan; accept", []),
    ("drop", "jump lan_ssh; tcp dport 3306 drop", ["input"]),
])
def test_the_real_nft_ruleset_is_read_as_the_kernel_runs_it(tmp_path, policy, rules,
                                                            filtering):
    # the ruleset loaded into the real nft in a network namespace of its own, and read
    # back as the module reads it (nft list ruleset)
    listed = listed_by_nft(
        tmp_path,
        "table inet filter {\n counter c { }\n chain lan { tcp dport 5432 drop; }\n"
        ' chain ssh_only { tcp dport 22 accept; }\n chain allow_all { counter name "c" accept; }\n'
        " chain from_lan { ip saddr 10.0.0.0/8 accept; }\n"
        " chain lan_ssh { tcp dport 22 goto from_lan; accept; }\n"
        f" chain input {{ type filter hook input priority filter; policy {policy}; {rules}; }}\n"
        "}\n")
    parsed = hardening.parse_ruleset(listed)
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}


# ct objects a rule may name (inet tables), as in nft(8)
CT_OBJECTS = (' ct helper ftp-standard { type "ftp" protocol tcp; }\n'
              " ct timeout lama { protocol tcp; l3proto ip; policy = { established: 100 }; }\n"
              " ct expectation e { protocol tcp; dport 21; timeout 1m; size 12; l3proto ip; }\n")


@pytest.mark.parametrize(("family", "rule", "filtering"), [
    ("ip", 'dup to 10.0.0.1 device "lo" counter accept', []),
    ("ip6", "dup to 2001:db8::1 accept", []),
    ("ip", "dup to ip saddr map { 10.0.0.1 : 10.0.0.2 } accept", ["input"]),
    ("inet", 'ct helper set "ftp-standard" ct timeout set "lama" accept', []),
    ("inet", "ct original zone set 1 accept; ct reply zone set 2 accept", []),
    ("inet", 'ct helper set ip saddr map { 10.0.0.1 : "ftp-standard" } accept', ["input"]),
    ("inet", 'ct expectation set "e" accept', ["input"]),
    ("inet", "ip dscp set cs1 accept", ["input"]),
    ("inet", "tcp option maxseg size set 1360 accept", ["input"]),
    ("inet", "synproxy mss 1460 wscale 7 accept", ["input"]),
])
def test_a_set_statement_nft_prints_is_read_as_the_kernel_runs_it(tmp_path, family, rule,
                                                                  filtering):
    # as nft 1.0.6 prints them: dup only in ip and ip6 tables, the ct objects by name
    objects = CT_OBJECTS if family == "inet" else ""
    listed = listed_by_nft(tmp_path, f"table {family} filter {{\n{objects} chain input {{ type "
                           f"filter hook input priority filter; policy drop; {rule}; }}\n}}\n")
    parsed = hardening.parse_ruleset(listed)
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}


def listed_by_nft(tmp_path: Path, ruleset: str) -> str:
    """``ruleset`` loaded into the real nft in a network namespace of its own, and read back
    as the module reads it (nft list ruleset); the test skipped where neither is possible."""
    for tool in ("unshare", "nft"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            pytest.skip(f"needs {tool}")
    (tmp_path / "rules.nft").write_text(ruleset)
    # root (CI) needs no user namespace, in which this kernel refuses some statements
    # (`ip dscp set`: "Operation not permitted") that it runs in a network namespace
    namespace = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
    proc = subprocess.run([*namespace, "sh", "-ec", 'nft -f "$0"; nft list ruleset',
                           str(tmp_path / "rules.nft")], capture_output=True, text=True,
                          check=False, timeout=30,
                          env={**os.environ, "PATH": os.environ["PATH"] + ":/usr/sbin"})
    if proc.stderr.startswith("unshare:"):
        pytest.skip(f"no network namespace here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- The journal cursor ----------------------------------------------------------------------

@pytest.mark.parametrize(("content", "msg"), [
    (b"\xff\xfe garbled", "{path} holds no journal cursor: remove it to read from since again"),
    (b"s=1\ns=2\n", "{path} holds no journal cursor: remove it to read from since again"),
    (b"s=" + b"a" * 8192, "{path} holds no journal cursor: remove it to read from since again"),
    (None, "cursor_file: cannot read the journal cursor {path}: Is a directory"),
])
def test_a_damaged_cursor_file_is_named_in_one_line(tmp_path, content, msg):
    # A cursor file damaged on disk (or made a folder) was a traceback on every run.
    path = tmp_path / "cursor"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(common.SecurityInputError) as raised:
        ssh.read_cursor(str(path))
    assert str(raised.value) == msg.format(path=path)
    assert ssh.read_cursor(str(tmp_path / "none")) is None


def test_an_invalid_user_s_opening_none_query_is_no_failure():
    """sshd logs 'Failed none' for an invalid user's first request (every OpenSSH client
    opens with it) and counts it as no failure: each password guess counted twice, so
    five guesses from a bot made a burst of ten."""
    lines = []
    for i in range(5):
        port = 40000 + i
        lines += [(MONDAY_10_WIB + i, text) for text in (
            f"Invalid user admin from 203.0.113.9 port {port}",
            f"Failed none for invalid user admin from 203.0.113.9 port {port} ssh2",
            f"Failed password for invalid user admin from 203.0.113.9 port {port} ssh2",
            f"Connection closed by invalid user admin 203.0.113.9 port {port} [preauth]")]
    # a query alone, then the client gives up: the closed connection counts once
    lines += [(MONDAY_10_WIB, "Failed none for invalid user oracle from 198.51.100.7 port 5 ssh2"),
              (MONDAY_10_WIB, "Connection closed by invalid user oracle 198.51.100.7 port 5 "
                              "[preauth]")]
    audit = audit_of(lines)
    assert audit.failures == {"203.0.113.9": 5, "198.51.100.7": 1}
    assert audit.findings() == []


def test_a_connection_sshd_ends_after_maxauthtries_is_forgotten():
    """sshd ends a connection at MaxAuthTries with 'Disconnecting ...: Too many
    authentication failures', no close line: the connection was kept for the whole month
    (the memory of a month under attack grew with every such connection), and a later
    connection from the same address and port (behind NAT) that closed before any
    attempt counted as none."""
    lines = [(MONDAY_10_WIB, "Failed password for root from 203.0.113.9 port 5 ssh2")
             for _ in range(6)]
    lines += [(MONDAY_10_WIB, "Disconnecting authenticating user root 203.0.113.9 port 5: "
                              "Too many authentication failures [preauth]"),
              (MONDAY_10_WIB + 3600, "Connection closed by authenticating user root 203.0.113.9 "
                                     "port 5 [preauth]")]
    audit = audit_of(lines)
    assert audit.failures == {"203.0.113.9": 7}
    assert not audit.failed_connections


# --- Malware scan ----------------------------------------------------------------------------

def malware_scan_with(tmp_path, monkeypatch, tools: dict[str, str],
                      **args) -> tuple[int, dict, Path]:
    """security_malware_scan of a web root with fake tools (name: shell script; $WEB is
    the web root), limited to ``args``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, script in tools.items():
        (folder / name).write_text("#!/bin/sh\n" + script)
        (folder / name).chmod(0o755)
    web = tmp_path / "www"
    web.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.setenv("WEB", str(web))
    rc, result = run_module("security_malware_scan", tmp_path,
                            {"paths": [str(web)], "rules": "rule x { condition: false }",
                             **args}, seconds=30)
    return rc, result, web


YARA_VERSION = 'if [ "$1" = --version ]; then echo 4.2.3; exit 0; fi\n'


def test_a_file_yara_cannot_scan_is_a_finding(tmp_path, monkeypatch):
    # yara names a file it cannot open (unreadable to root on NFS with root_squash) or
    # whose condition overflows its stack on stderr, goes on and exits 0: the file was
    # not checked, which the report must say, a name with a newline included; not a
    # file removed since (an upload's temporary file).
    script = YARA_VERSION + (
        'mkdir "$WEB/nfs" && touch "$WEB/nfs/shell.php" "$WEB/two\nlines.php"\n'
        'echo "php_eval_base64 $WEB/a.php"\n'
        'echo "error scanning $WEB/nfs/shell.php: could not open file" >&2\n'
        'echo "error scanning $WEB/upload.tmp: could not open file" >&2\n'
        'printf "error scanning %s/two\\nlines.php: stack overflow while evaluating '
        'condition (see --stack-size argument) \\n" "$WEB" >&2\n')
    rc, result, web = malware_scan_with(tmp_path, monkeypatch, {"yara": script}, clamav="never")
    assert rc == 0
    unscanned = [f"{web}/nfs/shell.php (could not open file)",
                 f"{web}/two\\x0alines.php (stack overflow while evaluating condition "
                 "(see --stack-size argument))"]
    assert result["scanned"]["unscanned"] == unscanned
    assert result["sop_output"]["unscanned"] == 2
    assert [f["kind"] for f in result["findings"]] == ["malware", "malware_unscanned"]
    assert result["findings"][1]["message"] == (
        "2 berkas tidak dapat dipindai yara, isinya tidak diperiksa: " + ", ".join(unscanned))


def test_yara_s_own_deadline_never_ends_the_scan_before_the_module_s(tmp_path, monkeypatch):
    # yara 4's -a is the whole tree's deadline, from the whole second time() gave after
    # loading the rules: up to a second before the module's limit. Past it yara takes no
    # further file and exits 0, so a scan cut short read as a clean one. This yara stops
    # at its deadline as yara may, 0.9 s early.
    deadline = ('while [ $# -gt 0 ]; do [ "$1" = -a ] && a=$2; shift; done\n'
                'exec sleep "$(awk -v a="$a" "BEGIN { print a - 0.9 }")"\n')
    rc, result, web = malware_scan_with(tmp_path, monkeypatch, {"yara": YARA_VERSION + deadline},
                                        clamav="never", timeout=1)
    assert (rc, result["msg"]) == (1, f"yara tidak selesai dalam 1 detik di {web}")


@pytest.mark.parametrize(("clamscan", "reason"), [
    # an unreadable file makes clamscan exit 2, after the files it did scan
    ('echo "$WEB/up/x.php: Php.Webshell-1 FOUND"\necho "ERROR: Can\'t open file" >&2\n'
     "exit 2\n", "clamscan tidak dapat dipakai: ERROR: Can't open file"),
    ('echo "$WEB/up/x.php: Php.Webshell-1 FOUND"\nexec sleep 20\n',
     "clamscan tidak selesai dalam 1 detik"),
])
def test_what_clamscan_found_before_an_error_or_its_stop_stays_found(tmp_path, monkeypatch,
                                                                      clamscan, reason):
    rc, result, web = malware_scan_with(tmp_path, monkeypatch,
                                        {"yara": YARA_VERSION, "clamscan": clamscan}, timeout=1)
    assert rc == 0 and result["scanned"]["clamav"] == {"used": False, "reason": reason}
    assert result["matches"] == [{"scanner": "clamav", "rule": "Php.Webshell-1",
                                  "path": f"{web}/up/x.php"}]
    assert [f["kind"] for f in result["findings"]] == ["malware"]


# --- TLS -------------------------------------------------------------------------------------

tls = load("security_tls")


def test_a_site_refusing_every_handshake_is_a_finding():
    """A port that takes the TCP connection and resets it at the client's hello (no TLS
    there, or a web server rejecting the name sent) refuses every protocol:
    the site showed no protocol and no finding, as if it were sound."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        stop = False

        def reset_each() -> None:
            while not stop:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.recv(4096)  # the client's hello, then the reset
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      b"\x01\x00\x00\x00\x00\x00\x00\x00")
                connection.close()

        thread = threading.Thread(target=reset_each, daemon=True)
        thread.start()
        try:
            result, findings = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1"],
                                         {"RSA statis": "kRSA"}, 5)
        finally:
            stop = True
            listener.shutdown(socket.SHUT_RDWR)
    refused = [v for v in tls.VERSIONS if v not in result["untested"]]
    assert result["protocols"] == [] and result["timed_out"] == []
    assert findings == [{
        "kind": "tls_no_handshake", "count": len(refused), "samples": refused,
        "message": f"Situs pn-test.go.id:{port} menolak jabat tangan TLS dengan setiap versi "
                   f"yang diuji ({', '.join(refused)}): tidak ada layanan TLS di port ini atau "
                   "untuk nama ini; protokol dan cipher-nya tidak dapat dinilai"}]
