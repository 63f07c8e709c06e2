"""security_hardening and module_utils/sop_sshd.py: sshd's Match blocks. ``sshd -T`` alone
evaluates the configuration for no particular connection, so a Match block that weakens
a setting for some connections is seen only through ``sshd -T -C`` with a connection
that meets it."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from loader import load, run_module, warning_lines

sshd = load("sop_sshd")

# Debian 12's sshd_config, shortened, with the Match blocks a court adds.
SSHD_CONFIG = """\
# This is the sshd server system-wide configuration file.
Include sshd_config.d/*.conf
Include nothing-here.d/*.conf

#PermitRootLogin prohibit-password
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem\tsftp\t/usr/lib/openssh/sftp-server

Match Address 10.0.0.0/8,!10.9.0.0/16   # the court's LAN, not the guests' Wi-Fi
\tPermitRootLogin yes
Match User=budi
\tPasswordAuthentication yes
Match Group sftp-only
\tInclude sftp.d/*.conf
Match all
\tX11Forwarding no
"""


def ssh_dir(tmp_path):
    """An /etc/ssh of sshd_config, a drop-in with a Match of its own and one included
    inside a Match block."""
    folder = tmp_path / "ssh"
    (folder / "sshd_config.d").mkdir(parents=True)
    (folder / "sftp.d").mkdir()
    (folder / "sshd_config").write_text(SSHD_CONFIG)
    (folder / "sshd_config.d" / "20-vendor.conf").write_text(
        "PasswordAuthentication no\nMatch LocalPort 2222 Host *.pa-batulicin.go.id\n"
        "\tPermitEmptyPasswords yes\n")
    (folder / "sshd_config.d" / "10-first.conf").write_text("Match User \"admin*,!adminx\"\n")
    (folder / "sftp.d" / "chroot.conf").write_text(
        "ChrootDirectory /srv/sftp\nMatch Address 192.168.*\n\tPasswordAuthentication yes\n")
    return folder


def test_match_blocks_are_read_as_sshd_reads_them(tmp_path):
    # Includes relative to the ssh directory, globs in lexical order, a glob matching
    # nothing skipped, "=" between a criterion and its patterns, a trailing comment, and
    # a Match in a file included inside a Match block: both must hold.
    folder = ssh_dir(tmp_path)
    blocks, warnings = sshd.read_config(str(folder / "sshd_config"), str(folder))
    assert warnings == []
    main, first, vendor, sftp = (str(folder / "sshd_config"),
                                 str(folder / "sshd_config.d" / "10-first.conf"),
                                 str(folder / "sshd_config.d" / "20-vendor.conf"),
                                 str(folder / "sftp.d" / "chroot.conf"))
    assert [(b.where, b.criteria) for b in blocks] == [
        (f"{first}:1", (("user", "admin*,!adminx"),)),
        (f"{vendor}:2", (("localport", "2222"), ("host", "*.pa-batulicin.go.id"))),
        (f"{main}:13", (("address", "10.0.0.0/8,!10.9.0.0/16"),)),
        (f"{main}:15", (("user", "budi"),)),
        (f"{main}:17", (("group", "sftp-only"),)),
        (f"{sftp}:2", (("group", "sftp-only"), ("address", "192.168.*"))),
        (f"{main}:19", (("all", ""),)),
    ]
    assert str(blocks[3]) == f"Match User=budi ({main}:15)"


def test_no_match_block_gives_no_connection(tmp_path):
    config = tmp_path / "sshd_config"
    config.write_text("Include /etc/ssh/none.d/*.conf\nPasswordAuthentication no\n")
    blocks, warnings = sshd.read_config(str(config), str(tmp_path))
    assert blocks == [] and warnings == []
    assert sshd.connections(blocks, ["22"]) == ({}, [])


def test_an_unreadable_config_file_is_a_warning(tmp_path):
    folder = tmp_path / "ssh"
    (folder / "conf.d" / "broken.conf").mkdir(parents=True)  # a folder where a file was
    (folder / "sshd_config").write_text("Include conf.d/*.conf\nMatch User budi\n")
    blocks, warnings = sshd.read_config(str(folder / "sshd_config"), str(folder))
    assert [b.criteria for b in blocks] == [(("user", "budi"),)]
    assert warnings == [f"konfigurasi sshd {folder / 'conf.d' / 'broken.conf'} tidak dapat "
                        "dibaca (Is a directory): blok Match di dalamnya tidak diperiksa"]


def test_an_include_loop_stops_at_sshds_depth(tmp_path):
    config = tmp_path / "sshd_config"
    config.write_text(f"Match User budi\nInclude {config}\n")
    blocks, warnings = sshd.read_config(str(config), str(tmp_path))
    assert len(blocks) == 17  # the file and 16 levels of includes, as sshd allows
    assert warnings == [f"Include di {config}:2 lebih dari 16 tingkat: tidak dibaca"]


def test_an_include_starting_with_a_tilde_is_read_as_sshd_reads_it(tmp_path, monkeypatch):
    """sshd expands no ~ in an Include (servconf.c): a path starting with ~ is not joined
    to /etc/ssh, and its glob(3) has no GLOB_TILDE, so ~ is a directory of that name in
    sshd's working directory, never a home directory (ssh_config's Include, the client's,
    is another matter)."""
    for folder, user in (("home", "from_home"), ("work/~", "literal"), ("ssh/~", "in_ssh")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "extra.conf").write_text(f"Match User {user}\n")
    config = tmp_path / "ssh" / "sshd_config"
    config.write_text("Include ~/extra.conf\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "work")
    blocks, warnings = sshd.read_config(str(config), str(tmp_path / "ssh"))
    assert [block.line for block in blocks] == ["User literal"] and warnings == []


def test_include_arguments_are_split_as_sshd_splits_them(tmp_path):
    """sshd takes the keyword as strdelim() does, a "=" after it skipped with the blanks
    around it ("Include =conf.d/*.conf" names conf.d/*.conf), and its arguments as
    argv_split() does: single or double quotes, a backslash before a space."""
    folder = tmp_path / "ssh"
    for name in ("conf.d", "my dir", "other dir"):
        (folder / name).mkdir(parents=True)
    (folder / "conf.d" / "a.conf").write_text("Match User from_equals\n")
    (folder / "my dir" / "b.conf").write_text("Match User from_quoted\n")
    (folder / "other dir" / "c.conf").write_text("Match User from_escaped\n")
    config = folder / "sshd_config"
    config.write_text("Include =conf.d/*.conf\nInclude 'my dir/*.conf'\n"
                      "include other\\ dir/c.conf   # an escaped blank\n")
    blocks, warnings = sshd.read_config(str(config), str(folder))
    assert [block.line for block in blocks] == [
        "User from_equals", "User from_quoted", "User from_escaped"]
    assert warnings == []


@pytest.mark.parametrize(("value", "patterns", "expected"), [
    ("budi", "budi", 1), ("budi", "bud?", 1), ("budi", "b*", 1), ("budi", "root", 0),
    ("root", "*,!root", -1), ("budi", "*,!root", 1), ("root", "!root,*", -1),
    ("budi", "!root", 0),  # negations alone match nothing
])
def test_patterns_as_openssh_matches_them(value, patterns, expected):
    assert sshd.match_list(value, patterns) == expected


@pytest.mark.parametrize(("address", "patterns", "expected"), [
    ("10.1.2.3", "10.0.0.0/8", 1), ("10.9.0.1", "10.0.0.0/8,!10.9.0.0/16", -1),
    ("192.168.1.1", "192.168.*", 1), ("192.168.1.1", "10.*", 0),
    ("2001:db8::1", "2001:db8::/32", 1), ("2001:db8::1", "10.0.0.0/8", 0),
    ("10.0.0.7", "10.0.0.7", 1),
])
def test_addresses_as_openssh_matches_them(address, patterns, expected):
    assert sshd.match_address(address, patterns) == expected


def test_each_block_gets_a_connection_that_meets_it(tmp_path):
    folder = ssh_dir(tmp_path)
    (folder / "sshd_config").write_text(
        SSHD_CONFIG.replace("sftp-only", "root") + "Match RDomain vrf-*\nMatch Version OpenSSH*\n")
    blocks, _ = sshd.read_config(str(folder / "sshd_config"), str(folder))
    specs, warnings = sshd.connections(blocks, ["22"])
    neutral = "user=sop-check,host=192.0.2.1,addr=192.0.2.1,lport=22"
    assert {spec: [b.where.rpartition(":")[2] for b in its] for spec, its in specs.items()} == {
        "user=admin,host=192.0.2.1,addr=192.0.2.1,lport=22": ["1"],
        "user=sop-check,host=x.pa-batulicin.go.id,addr=192.0.2.1,lport=2222": ["2"],
        "user=sop-check,host=10.0.0.1,addr=10.0.0.1,lport=22": ["13"],
        "user=budi,host=192.0.2.1,addr=192.0.2.1,lport=22": ["15"],
        # Group root: a real member (root's primary group), as sshd looks it up.
        "user=root,host=192.0.2.1,addr=192.0.2.1,lport=22": ["17"],
        "user=root,host=192.168.1.1,addr=192.168.1.1,lport=22": ["2"],
        neutral: ["19", "22"],
        "user=sop-check,host=192.0.2.1,addr=192.0.2.1,lport=22,rdomain=vrf-x": ["21"],
    }
    assert warnings == []


@pytest.mark.parametrize(("match", "why"), [
    ("User !root", "tidak ada koneksi contoh yang memenuhinya"),
    ("Group no-such-group-here", "tidak ada koneksi contoh yang memenuhinya"),
    ("Exec /bin/true", "kriteria exec tidak dapat dievaluasi dengan sshd -T -C"),
])
def test_a_block_without_a_connection_is_a_warning(tmp_path, match, why):
    config = tmp_path / "sshd_config"
    config.write_text(f"Match {match}\n\tPasswordAuthentication yes\n")
    blocks, _ = sshd.read_config(str(config), str(tmp_path))
    assert sshd.connections(blocks, ["22"]) == (
        {}, [f"Match {match} ({config}:1): {why}, blok tidak diperiksa"])


# A fake sshd answering -T and -T -C from a table: the setting a connection's Match
# blocks give it (the module's argv as sshd receives it, logged).
FAKE_SSHD = """\
echo "$*" >> "{log}"
case "$*" in
  *"-C user=budi,"*) printf 'passwordauthentication yes\\npermitrootlogin no\\nport 22\\n' ;;
  *"-C user=sop-check,host=10.0.0.1,"*)
     printf 'passwordauthentication no\\npermitrootlogin yes\\nport 22\\n' ;;
  *"-C user=rusak,"*) echo "getgrouplist: LDAP server unavailable" >&2; exit 255 ;;
  *"-C user=lambat,"*) exec sleep 20 ;;
  *) printf 'passwordauthentication no\\npermitrootlogin no\\nport 22\\n' ;;
esac
"""


def fake_sshd(tmp_path, monkeypatch, script: str = FAKE_SSHD) -> object:
    tools = tmp_path / "bin"
    tools.mkdir()
    log = tmp_path / "sshd.log"
    (tools / "sshd").write_text("#!/bin/sh\n" + script.format(log=log))
    (tools / "sshd").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    return log


def check(tmp_path, config: str, **args) -> tuple[int, dict]:
    path = tmp_path / "sshd_config"
    path.write_text(config)
    return run_module("security_hardening", tmp_path,
                      {"sshd_config": str(path), "firewall": False, **args}, 60)


def test_a_match_block_that_weakens_sshd_is_a_finding(tmp_path, monkeypatch):
    log = fake_sshd(tmp_path, monkeypatch)
    included = tmp_path / "50-budi.conf"
    included.write_text("Match User budi\n\tPasswordAuthentication yes\n")
    rc, result = check(tmp_path, f"Include {included}\nPasswordAuthentication no\n"
                                 "Match Address 10.0.0.0/8\n\tPermitRootLogin yes\n")
    assert rc == 0, result
    assert result["sshd"]["passwordauthentication"] == "no"  # the default connection's
    assert [(f["kind"], f["message"]) for f in result["findings"]] == [
        ("ssh_password_auth", "SSH menerima login dengan password (passwordauthentication yes) "
         "untuk koneksi user=budi,host=192.0.2.1,addr=192.0.2.1 "
         f"sesuai Match User budi ({included}:1): gunakan kunci saja"),
        ("ssh_root_login", "SSH mengizinkan login root (permitrootlogin yes) untuk koneksi "
         "user=sop-check,host=10.0.0.1,addr=10.0.0.1 "
         f"sesuai Match Address 10.0.0.0/8 ({tmp_path / 'sshd_config'}:3)"),
    ]
    assert [c["connection"] for c in result["sshd_match"]] == [
        "user=budi,host=192.0.2.1,addr=192.0.2.1", "user=sop-check,host=10.0.0.1,addr=10.0.0.1"]
    config = tmp_path / "sshd_config"
    assert log.read_text().splitlines() == [
        f"-T -f {config}", f"-T -f {config} -C user=budi,host=192.0.2.1,addr=192.0.2.1",
        f"-T -f {config} -C user=sop-check,host=10.0.0.1,addr=10.0.0.1"]


def test_without_match_blocks_sshd_runs_once(tmp_path, monkeypatch):
    log = fake_sshd(tmp_path, monkeypatch)
    rc, result = check(tmp_path, "Include /nonexistent/sshd_config.d/*.conf\n"
                                 "PasswordAuthentication no\n")
    assert rc == 0 and result["findings"] == [] and result["sshd_match"] == []
    assert warning_lines(result) == []
    assert log.read_text().splitlines() == [f"-T -f {tmp_path / 'sshd_config'}"]


def test_a_weakening_the_default_connection_has_too_is_named_once(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "sshd").write_text("#!/bin/sh\nprintf 'passwordauthentication yes\\n"
                                "permitrootlogin no\\n'\n")
    (tools / "sshd").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = check(tmp_path, "Match User budi\n")
    assert rc == 0
    assert [f["message"] for f in result["findings"]] == [
        "SSH menerima login dengan password (passwordauthentication yes): gunakan kunci saja"]


def test_a_connection_sshd_cannot_evaluate_is_a_warning(tmp_path, monkeypatch):
    fake_sshd(tmp_path, monkeypatch)
    rc, result = check(tmp_path, "Match User rusak\nMatch User budi\n")
    assert rc == 0
    assert [f["kind"] for f in result["findings"]] == ["ssh_password_auth"]
    assert warning_lines(result) == [
        "sshd -T -C user=rusak,host=192.0.2.1,addr=192.0.2.1 gagal (getgrouplist: LDAP server "
        "unavailable): koneksi ini tidak diperiksa"]


def test_a_hung_connection_stops_the_match_checks(tmp_path, monkeypatch):
    fake_sshd(tmp_path, monkeypatch)
    rc, result = check(tmp_path, "Match User lambat\nMatch User budi\n", timeout=1)
    assert rc == 0 and result["findings"] == []
    assert warning_lines(result) == [
        "sshd -T -C user=lambat,host=192.0.2.1,addr=192.0.2.1 tidak selesai dalam 1 detik: "
        "koneksi ini dan berikutnya tidak diperiksa"]


def test_the_connections_checked_are_capped(tmp_path, monkeypatch):
    log = fake_sshd(tmp_path, monkeypatch)
    rc, result = check(tmp_path, "".join(f"Match User u{n}\n" for n in range(40)))
    assert rc == 0 and len(result["sshd_match"]) == 32
    assert len(log.read_text().splitlines()) == 33
    assert warning_lines(result) == [
        "40 koneksi dari blok Match; hanya 32 yang pertama diperiksa"]
    assert json.dumps(result).count("u39") == 0


def test_a_quoted_keyword_is_read_as_sshd_reads_it(tmp_path):
    """sshd's strdelim() takes a keyword's double quotes away ('"Match" User budi' is a
    Match line, '"Include" x.conf' an Include); a keyword whose quote is not closed is no
    line at all."""
    folder = tmp_path / "ssh"
    folder.mkdir()
    (folder / "x.conf").write_text('"Match" User from_quoted_include\n')
    config = folder / "sshd_config"
    config.write_text('"Include" x.conf\nMat"ch" User budi\n"Match User ignored\n')
    blocks, warnings = sshd.read_config(str(config), str(folder))
    assert [block.line for block in blocks] == ["User from_quoted_include", "User budi"]
    assert warnings == []


def test_a_pattern_that_is_not_utf8_keeps_its_bytes(tmp_path):
    """sshd compares bytes: a Latin-1 'Match User b\\xe9di' is met by user b\\xe9di, which
    the connection must name byte for byte (U+FFFD in its place met no block, and the
    block's weakening went unseen)."""
    config = tmp_path / "sshd_config"
    config.write_bytes(b"Match User b\xe9di\n\tPasswordAuthentication yes\n")
    blocks, _ = sshd.read_config(str(config), str(tmp_path))
    specs, warnings = sshd.connections(blocks, ["22"])
    assert list(specs) == ["user=b\udce9di,host=192.0.2.1,addr=192.0.2.1"] and warnings == []


def test_sshd_is_given_a_patterns_bytes(tmp_path, monkeypatch):
    log = fake_sshd(tmp_path, monkeypatch)
    (tmp_path / "sshd_config").write_bytes(b"Match User b\xe9di\n\tPasswordAuthentication yes\n")
    rc, result = run_module("security_hardening", tmp_path,
                            {"sshd_config": str(tmp_path / "sshd_config"), "firewall": False}, 60)
    assert rc == 0, result
    assert log.read_bytes().splitlines()[-1].endswith(
        b" -C user=b\xe9di,host=192.0.2.1,addr=192.0.2.1")


@pytest.mark.parametrize(("config", "ports", "expected"), [
    # Passwords only from the LAN: budi's block is met by budi from 10.0.0.0/8 alone; a
    # connection from 192.0.2.1 met the block before it too, whose "no" comes first.
    ("Match Address *,!10.0.0.0/8\n\tPasswordAuthentication no\n"
     "Match User budi\n\tPasswordAuthentication yes\n", ["22"],
     "user=budi,host=10.0.0.1,addr=10.0.0.1"),
    ("Match User *,!budi\n\tPermitRootLogin no\nMatch Address 10.0.0.0/8\n"
     "\tPermitRootLogin yes\n", ["22"], "user=budi,host=10.0.0.1,addr=10.0.0.1"),
    # the port sshd also listens on, where the block for port 22 does not hold
    ("Match LocalPort 22\n\tPasswordAuthentication no\nMatch User budi\n"
     "\tPasswordAuthentication yes\n", ["22", "2222"],
     "user=budi,host=192.0.2.1,addr=192.0.2.1,lport=2222"),
    # a host name given by a pattern stays; one that is the address follows it
    ("Match Host *,!*.lan\n\tPasswordAuthentication no\nMatch Address 10.0.0.0/8\n"
     "\tPasswordAuthentication yes\n", ["22"], "user=sop-check,host=x.lan,addr=10.0.0.1"),
])
def test_a_blocks_connection_meets_no_block_before_it_that_it_can_avoid(
        tmp_path, config, ports, expected):
    """sshd takes a setting from the first block a connection meets: a connection that
    also meets a block before the one it is for sees that block's setting, and the later
    block's weakening goes unseen for the connections that meet it alone."""
    path = tmp_path / "sshd_config"
    path.write_text(config)
    blocks, _ = sshd.read_config(str(path), str(tmp_path))
    specs, warnings = sshd.connections(blocks, ports)
    assert [b.line for b in specs[expected]] == [blocks[1].line] and warnings == []


def test_a_block_before_that_every_connection_meets_is_kept(tmp_path):
    path = tmp_path / "sshd_config"
    path.write_text("Match Address *\n\tPasswordAuthentication no\nMatch User budi\n")
    blocks, _ = sshd.read_config(str(path), str(tmp_path))
    assert list(sshd.connections(blocks, ["22"])[0]) == [
        "user=sop-check,host=192.0.2.1,addr=192.0.2.1", "user=budi,host=192.0.2.1,addr=192.0.2.1"]


def test_many_blocks_before_are_judged_in_bounded_time(tmp_path):
    """Each block's connection is compared with the blocks before it, a bounded number."""
    path = tmp_path / "sshd_config"
    path.write_text("".join(f"Match User *,!u{n}\n\tPermitRootLogin no\n" for n in range(3000)))
    blocks, _ = sshd.read_config(str(path), str(tmp_path))
    started = time.monotonic()
    sshd.connections(blocks, ["22"])
    assert len(blocks) == 3000 and time.monotonic() - started < 20


def test_a_pattern_of_many_stars_is_matched_in_linear_time():
    """OpenSSH's match_pattern; a regular expression of '.*' per star backtracked for
    minutes on a pattern such as '*a*a*a...*b' it does not match."""
    def expire(*_):
        raise TimeoutError("match_pattern backtracks")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    try:
        assert not sshd.match_pattern("a" * 60, "*a" * 25 + "*b")
        assert sshd.match_pattern("a" * 60 + "b", "*a" * 25 + "*b")
        assert sshd.match_pattern("budi", "**b*?*") and not sshd.match_pattern("budi", "b?")
        assert sshd.match_pattern("", "*") and not sshd.match_pattern("", "?")
        assert sshd.match_pattern("a.b", "a.b") and not sshd.match_pattern("axb", "a.b")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# OpenSSH 9.2 (Debian 12) to 10: sshd -T, given no lport, fails on a configuration
# with a Match LocalPort block, as for no other criterion (servconf.c's lport is 0, not
# the -1 its test mode takes as "not given").
FAKE_SSHD_92 = """\
echo "$*" >> "{log}"
case "$*" in
  *lport=*) ;;
  *) if grep -qi 'localport' "$3"; then
       echo "'Match LocalPort' in configuration but 'lport' not in connection test \\
specification." >&2; exit 255
     fi ;;
esac
case "$*" in
  *lport=2222*) printf 'passwordauthentication yes\\npermitrootlogin no\\nport 22\\nport 2222\\n' ;;
  *) printf 'passwordauthentication no\\npermitrootlogin no\\nport 22\\nport 2222\\n' ;;
esac
"""


def test_a_match_localport_block_leaves_sshd_t_its_evaluation(tmp_path, monkeypatch):
    """sshd -T is given a port no block names (-C lport=65535): the evaluation for no
    particular connection, which sshd refuses without one; a block's connection has
    sshd's port, or the other one sshd listens on where that avoids a block before."""
    log = fake_sshd(tmp_path, monkeypatch, FAKE_SSHD_92)
    rc, result = check(tmp_path, "Port 22\nPort 2222\nMatch LocalPort 22\n"
                                 "\tPermitRootLogin no\nMatch User budi\n")
    assert rc == 0, result
    config = tmp_path / "sshd_config"
    assert log.read_text().splitlines() == [
        f"-T -f {config} -C lport=65535",
        f"-T -f {config} -C user=sop-check,host=192.0.2.1,addr=192.0.2.1,lport=22",
        f"-T -f {config} -C user=budi,host=192.0.2.1,addr=192.0.2.1,lport=2222"]
    assert result["sshd"]["passwordauthentication"] == "no"
    assert [f["message"] for f in result["findings"]] == [
        "SSH menerima login dengan password (passwordauthentication yes) untuk koneksi "
        "user=budi,host=192.0.2.1,addr=192.0.2.1,lport=2222 sesuai Match User budi "
        f"({config}:5): gunakan kunci saja"]


def test_a_nul_byte_ends_its_line_as_sshd_reads_it(tmp_path, monkeypatch):
    """sshd keeps a line up to a NUL byte, its newline too, so the next line continues
    it ('Match User budi\\0x' then 'Address ...' is one Match line); a NUL in an Include's
    folder raised ValueError from glob (a traceback). Only a newline ends a line (Python's
    splitlines() split at a vertical tab too)."""
    fake_sshd(tmp_path, monkeypatch)
    config = tmp_path / "sshd_config"
    config.write_bytes(b"Include /nonexistent\0/*.conf\n\nMatch User budi\0 ignored\n"
                       b" Address 10.0.0.0/8\nMatch User a\x0bb\n")
    blocks, warnings = sshd.read_config(str(config), str(tmp_path))
    assert [(b.line, b.where) for b in blocks] == [
        ("User budi Address 10.0.0.0/8", f"{config}:2"), ("User a\x0bb", f"{config}:3")]
    assert warnings == []
    rc, result = run_module("security_hardening", tmp_path,
                            {"sshd_config": str(config), "firewall": False}, 60)
    assert rc == 0, result


def test_a_file_that_is_not_regular_is_a_warning(tmp_path, monkeypatch):
    """A FIFO (or a device) an Include names is not read: open() waited for a writer
    forever, before sshd -T (and its time limit) was run."""
    fake_sshd(tmp_path, monkeypatch)
    os.mkfifo(tmp_path / "fifo.conf")
    rc, result = check(tmp_path, f"Include {tmp_path}/fifo.conf /dev/zero\nMatch User budi\n",
                       timeout=5)
    assert rc == 0, result
    assert warning_lines(result) == [
        f"konfigurasi sshd {path} tidak dapat dibaca (bukan file biasa): blok Match di "
        "dalamnya tidak diperiksa" for path in (tmp_path / "fifo.conf", "/dev/zero")]


def test_crlf_line_ends_are_read_as_sshd_reads_them(tmp_path):
    folder = tmp_path / "ssh"
    (folder / "conf.d").mkdir(parents=True)
    (folder / "conf.d" / "a.conf").write_bytes(b"Match Address 10.0.0.0/8\r\n")
    (folder / "sshd_config").write_bytes(b"Include conf.d/*.conf\r\n\r\n# x\r\nMATCH user=budi\r\n")
    blocks, warnings = sshd.read_config(str(folder / "sshd_config"), str(folder))
    assert [(b.criteria, b.where.rpartition(":")[2]) for b in blocks] == [
        ((("address", "10.0.0.0/8"),), "1"), ((("user", "budi"),), "4")]
    assert warnings == []


def test_an_include_loop_of_many_files_ends_at_the_first_too_deep(tmp_path):
    """sshd refuses its whole configuration at the first Include past 16 levels: the
    reading ends there too. Each too deep Include skipped alone, three files including
    their own folder were read 3**16 times (hours) before sshd -T was run."""
    folder = tmp_path / "loop.d"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.conf").write_text(f"Include {folder}/*.conf\n")
    config = tmp_path / "sshd_config"
    config.write_text(f"Include {folder}/*.conf\nMatch User budi\n")

    def expire(*_):
        raise TimeoutError("the include loop is read on")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        blocks, warnings = sshd.read_config(str(config), str(tmp_path))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert blocks == []
    assert warnings == [f"Include di {folder / 'a.conf'}:1 lebih dari 16 tingkat: tidak dibaca"]


def test_nothing_after_a_too_deep_include_is_read(tmp_path):
    config = tmp_path / "sshd_config"
    config.write_text(f"Include {config}\nMatch User budi\nInclude /nonexistent/*.conf\n")
    blocks, warnings = sshd.read_config(str(config), str(tmp_path))
    assert blocks == [] and len(warnings) == 1


def test_an_sshd_config_path_with_a_nul_is_refused_as_the_setting(tmp_path, monkeypatch):
    log = fake_sshd(tmp_path, monkeypatch)
    rc, result = run_module("security_hardening", tmp_path,
                            {"sshd_config": "/etc/ssh/sshd_config\x00x", "firewall": False}, 60)
    assert rc == 1 and result["setting"] == "sshd_config"
    assert result["msg"] == "sshd_config: a path has no NUL byte: '/etc/ssh/sshd_config\\x00x'"
    assert not log.exists()
