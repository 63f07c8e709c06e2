"""Server SOP modules: the parsers and verdicts of module_utils/sop_server.py,
server_condition's findings and server_diagnose's causes, and the modules on this
machine's real /proc, apt and systemd files where they exist."""

from __future__ import annotations

import contextlib
import datetime
import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat as stat_module
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import yaml
from ansible.module_utils import basic
from conftest import within
from loader import ROOT, load, run_module, warning_lines

srv = load("sop_server")
secrets = load("sop_secrets")
condition = load("server_condition")
diagnose = load("server_diagnose")
backup_age = load("server_backup_age")

# apt-get -s upgrade on a lab host pointed at the lab repository (recorded output).
APT_SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
The following packages have been kept back:
  libfoo1
The following packages will be upgraded:
  mariadb-common rsync sop-lab-kernel zstd
Inst mariadb-common [1:10.11.19-0+deb12u1] (1:10.11.19-0+deb12u1+lab1 SOP Lab:bookworm-lab-updates [all])
Inst rsync [3.5.0+ds1-0+deb12u1] (3.5.0+ds1-0+deb12u1+lab1 SOP Lab:bookworm-lab-security [amd64])
Inst sop-lab-kernel [1] (2 SOP Lab:bookworm-lab-security [all])
Inst zstd [1.5.4+dfsg2-5+deb12u1] (1.5.4+dfsg2-5+deb12u1+lab1 SOP Lab:bookworm-lab-updates [amd64])
Conf rsync (3.5.0+ds1-0+deb12u1+lab1 SOP Lab:bookworm-lab-security [amd64])
"""  # noqa: E501 (apt's lines as they are)


def test_apt_simulation_split_by_origin():
    upgrades = srv.parse_apt_simulation(APT_SIMULATION, "security")
    assert [(u["name"], u["security"]) for u in upgrades] == [
        ("mariadb-common", False), ("rsync", True), ("sop-lab-kernel", True), ("zstd", False)]
    assert upgrades[1]["installed"] == "3.5.0+ds1-0+deb12u1"
    assert upgrades[1]["candidate"] == "3.5.0+ds1-0+deb12u1+lab1"
    assert upgrades[1]["origin"] == "SOP Lab:bookworm-lab-security"


def test_ubuntu_origin_format():
    line = ("Inst openssl [3.0.2-0ubuntu1.10] "
            "(3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])")
    assert srv.parse_apt_simulation(line, "security")[0]["security"]


def test_apt_pending_holds_and_kept_back():
    calls = []

    def run(argv, limit):
        calls.append(argv)
        assert limit == "apt_query"  # apt-get update alone is "apt_update"
        if "showhold" in argv:
            return 0, "zstd\n", ""
        return 0, APT_SIMULATION, ""

    pending = srv.apt_pending(run, False, "security", ["mariadb-*"])
    assert [u["name"] for u in pending["security"]] == ["rsync", "sop-lab-kernel"]
    assert pending["other"] == []
    assert pending["held"] == ["mariadb-common", "zstd"]
    assert pending["kept_back"] == ["libfoo1"]
    assert pending["phased"] == []
    assert not any("update" in argv for argv in calls)


# apt-get -s upgrade on Ubuntu 22.04 (apt 2.4): an upgrade Ubuntu still phases in is
# listed as kept back, like a held one or one whose dependencies cannot be met
# (libfoo1: kept back by apt, held by no one).
JAMMY_SIMULATION = """NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
      Keep also in mind that locking is deactivated,
      so don't depend on the relevance to the real current situation!
Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
The following packages have been kept back:
  libfoo1 libspeechd2 mariadb-server-10.6 systemd
The following packages will be upgraded:
  openssl
1 upgraded, 0 newly installed, 0 to remove and 4 not upgraded.
Inst openssl [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])
Conf openssl (3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-security [amd64])
"""
# apt-cache policy of the kept-back packages that no hold explains (Ubuntu 22.04 hosts'
# output; libfoo1's upgrade needs a package apt cannot install).
JAMMY_POLICY = """libfoo1:
  Installed: 1.0-1
  Candidate: 1.1-1ubuntu0.1
  Version table:
     1.1-1ubuntu0.1 500
        500 http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages
 *** 1.0-1 100
        100 /var/lib/dpkg/status
libspeechd2:
  Installed: 0.11.1-1ubuntu1
  Candidate: 0.11.1-1ubuntu2
  Version table:
     0.11.1-1ubuntu2 500 (phased 20%)
        500 http://nl.archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages
 *** 0.11.1-1ubuntu1 100
        100 /var/lib/dpkg/status
     0.11.1-1 500
        500 http://nl.archive.ubuntu.com/ubuntu jammy/main amd64 Packages
systemd:
  Installed: 249.11-0ubuntu3
  Candidate: 249.11-0ubuntu3.6
  Version table:
     249.11-0ubuntu3.6 500 (phased 0%)
        500 http://ports.ubuntu.com/ubuntu-ports jammy-updates/main arm64 Packages
 *** 249.11-0ubuntu3 500
        500 http://ports.ubuntu.com/ubuntu-ports jammy/main arm64 Packages
        100 /var/lib/dpkg/status
"""
# apt-get -s upgrade on Ubuntu 24.04 (apt 2.7): the phased upgrades listed apart (the
# lists as a host printed them).
NOBLE_SIMULATION = """Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
The following NEW packages will be installed:
  linux-headers-6.8.0-63 linux-headers-6.8.0-63-generic linux-image-6.8.0-63-generic linux-modules-6.8.0-63-generic
  linux-modules-extra-6.8.0-63-generic linux-tools-6.8.0-63 linux-tools-6.8.0-63-generic
The following upgrades have been deferred due to phasing:
  bsdextrautils bsdutils eject fdisk libblkid1 libfdisk1 libmount1 libsmartcols1 libuuid1 mount ubuntu-drivers-common util-linux
  uuid-runtime
The following packages will be upgraded:
  openssl
1 upgraded, 7 newly installed, 0 to remove and 13 not upgraded.
Inst openssl [3.0.13-0ubuntu3.4] (3.0.13-0ubuntu3.5 Ubuntu:24.04/noble-security [amd64])
Conf openssl (3.0.13-0ubuntu3.5 Ubuntu:24.04/noble-security [amd64])
"""  # noqa: E501 (apt's lines as they are)


def test_ubuntu_phased_updates_are_neither_held_nor_pending():
    """Ubuntu rolls an update out in phases: apt defers it on the hosts the rollout has
    not reached. Ubuntu 22.04's apt lists those as kept back, so the report named them
    held ('Paket ditahan') as if an administrator had held them; 24.04's apt lists them
    apart. Phased names are reported apart: not held, not pending. So is an upgrade apt
    keeps back itself, its dependencies changed (libfoo1): no one held it, it waits for
    `apt full-upgrade` or a review, and the report named it held as well."""
    calls = []

    def jammy(argv, _limit):
        calls.append(argv)
        if "showhold" in argv:
            return 0, "mariadb-server-10.6\n", ""
        if "policy" in argv:
            assert argv[-3:] == ["libfoo1", "libspeechd2", "systemd"]
            return 0, JAMMY_POLICY, ""
        return 0, JAMMY_SIMULATION, ""

    pending = srv.apt_pending(jammy, False, "security", [])
    assert [u["name"] for u in pending["security"]] == ["openssl"]
    assert pending["other"] == []
    assert pending["held"] == ["mariadb-server-10.6"]
    assert pending["kept_back"] == ["libfoo1"]
    assert pending["phased"] == ["libspeechd2", "systemd"]

    def noble(argv, _limit):
        calls.append(argv)
        assert "policy" not in argv
        return (0, "", "") if "showhold" in argv else (0, NOBLE_SIMULATION, "")

    pending = srv.apt_pending(noble, False, "security", [])
    assert [u["name"] for u in pending["security"]] == ["openssl"]
    assert pending["held"] == pending["kept_back"] == []
    assert pending["phased"] == [
        "bsdextrautils", "bsdutils", "eject", "fdisk", "libblkid1", "libfdisk1", "libmount1",
        "libsmartcols1", "libuuid1", "mount", "ubuntu-drivers-common", "util-linux",
        "uuid-runtime"]


def test_apt_update_failure_names_the_repository():
    def run(argv, _limit):
        if "update" in argv:
            return 100, "Err:1 http://backup:8081 bookworm-lab InRelease\n", \
                "E: The repository 'http://backup:8081 bookworm-lab InRelease' is not signed.\n"
        return 0, "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert str(failure.value) == ("apt-get update failed: E: The repository "
                                  "'http://backup:8081 bookworm-lab InRelease' is not signed.")


def test_apt_update_error_after_output_without_a_final_newline_is_its_own_line():
    """apt-get update's stdout may end without a newline ('Reading package lists...'):
    its last line and stderr's first are two lines, the E: line still read as one."""
    def run(argv, _limit):
        if "update" in argv:
            return 0, ("Hit:1 http://deb.debian.org/debian bookworm InRelease\n"
                       "Reading package lists..."), \
                "E: Failed to fetch http://backup:8081/dists/bookworm-lab/InRelease\n"
        return 0, "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert str(failure.value) == ("apt-get update failed: "
                                  "Failed to fetch http://backup:8081/dists/bookworm-lab/InRelease")


def test_apt_update_stopped_by_a_full_var_names_it_first():
    """A full /var: apt's 'No space left on device' came after long Err: lines (or, as
    an indented line under one, not at all)."""
    def run(argv, _limit):
        if "update" in argv:
            return 100, ("Err:1 http://deb.debian.org/debian bookworm InRelease\n"
                         "  Error writing to file - write (28: No space left on device) "
                         "[IP: 151.101.2.132 80]\n"
                         "Err:2 http://security.debian.org/debian-security bookworm-security "
                         "InRelease\n"), (
                "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n"
                "E: Write error - write (28: No space left on device)\n")
        return 0, "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert str(failure.value) == (
        "apt-get update failed: Error writing to file - write (28: No space left on device) "
        "[IP: 151.101.2.132 80]; E: Write error - write (28: No space left on device); "
        "Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease")


def test_apt_update_failure_names_each_source_with_apts_reason_whole():
    """The lab's repository down: the line began mid-word, cut from the front ('apt-get
    update failed: orm-lab InRelease; Err:2 ...'), and named each source twice, once
    without a reason (Err:) and once with one (W: Failed to fetch)."""
    def run(argv, _limit):
        if "update" in argv:
            return 0, "".join(
                f"Err:{n} http://backup:8081 bookworm-lab{suite} InRelease\n"
                f"  Could not connect to backup:8081 (10.231.10.12). - connect (111: "
                "Connection refused)\n" for n, suite in enumerate(SUITES, 1)), "".join(
                f"W: Failed to fetch http://backup:8081/dists/bookworm-lab{suite}/InRelease  "
                "Could not connect to backup:8081 (10.231.10.12). - connect (111: Connection "
                "refused)\n" for suite in SUITES) + (
                "W: Some index files failed to download. They have been ignored, or old ones "
                "used instead.\n")
        return 0, "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    reason = ("(Could not connect to backup:8081 (10.231.10.12). - connect (111: Connection "
              "refused))")
    assert str(failure.value) == (
        f"apt-get update failed: Failed to fetch http://backup:8081/dists/bookworm-lab/InRelease "
        f"{reason}; Failed to fetch http://backup:8081/dists/bookworm-lab-security/InRelease "
        f"{reason}; Failed to fetch http://backup:8081/dists/bookworm-lab-updates/InRelease "
        f"{reason}")
    many = [f"Failed to fetch http://mirror{n}.example/InRelease {reason}" for n in range(9)]
    summary = srv.apt_failure("", "", many)
    assert summary.startswith(many[0]) and summary.endswith(" more)") and len(summary) < 700


SUITES = ("", "-security", "-updates")


def test_apt_update_hash_sum_mismatch_names_the_file_first_not_apts_summary():
    """A mirror caught mid-sync (a Hash Sum mismatch) ends apt-get update with apt's
    summary as an error, 'E: Some index files failed to download', not a warning: the
    line began with it, the file and its cause after (apt 2.6.1, recorded, shortened)."""
    url = "http://mirror.example/debian/dists/bookworm/main/binary-amd64/by-hash/SHA256/7f9f"

    def run(argv, _limit):
        if "update" in argv:
            return 100, ("Err:4 http://mirror.example/debian bookworm/main amd64 Packages\n"
                         "  Hash Sum mismatch\n  Hashes of expected file:\n"
                         "Reading package lists...\n"), (
                f"E: Failed to fetch {url}  Hash Sum mismatch\n"
                "   Hashes of expected file:\n    - Filesize:70 [weak]\n"
                "   Release file created at: Sun, 06 Dec 2026 17:35:32 +0000\n"
                "E: Some index files failed to download. They have been ignored, or old ones "
                "used instead.\n")
        return 0, "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert str(failure.value) == (
        f"apt-get update failed: Failed to fetch {url} (Hash Sum mismatch)")


def test_a_full_disk_error_line_is_moved_first():
    """The E: line saying a disk is full stayed where apt wrote it, behind others."""
    assert srv.apt_failure("", "E: Failed to fetch http://x/InRelease\n"
                               "E: Write error - write (28: No space left on device)\n") == (
        "E: Write error - write (28: No space left on device); "
        "E: Failed to fetch http://x/InRelease")

@pytest.mark.parametrize("name", ["server_condition", "server_updates"])
def test_a_security_pattern_that_is_no_regular_expression_is_refused(tmp_path, name):
    """security_pattern is a regular expression a court sets: one that is none ended the
    condition report and the patching in a traceback (re.error)."""
    rc, result = run_module(name, tmp_path, {"security_pattern": "(security",
                                             "update_cache": False})
    assert rc == 1
    assert result["msg"] == ("security_pattern: not a regular expression (missing ), "
                             "unterminated subpattern at position 0): '(security'")
    assert result["setting"] == "security_pattern"


@pytest.mark.parametrize(("product", "version", "date"), [
    # MariaDB's short-term releases (a year each) and rolling ones (until the next)
    ("mariadb", "10.7", "2023-02-09"), ("mariadb", "10.8", "2023-05-20"),
    ("mariadb", "10.9", "2023-08-22"), ("mariadb", "10.10", "2023-11-17"),
    ("mariadb", "11.0", "2024-06-06"), ("mariadb", "11.1", "2024-08-21"),
    ("mariadb", "11.2", "2024-11-21"), ("mariadb", "11.3", "2024-05-29"),
    ("mariadb", "11.5", "2024-11-21"), ("mariadb", "11.6", "2025-02-13"),
    ("mariadb", "11.7", "2025-05-12"), ("mariadb", "12.0", "2025-11-18"),
    ("mariadb", "12.1", "2026-02-13"), ("mariadb", "12.2", "2026-05-28"),
    # PHP before 5.6, php.net/eol.php's dates
    ("php", "5.0", "2005-09-05"), ("php", "5.1", "2006-08-24"), ("php", "5.2", "2011-01-06"),
    ("php", "5.3", "2014-08-14"), ("php", "5.4", "2015-09-03"), ("php", "5.5", "2016-07-21"),
])
def test_end_of_support_of_short_term_and_old_releases(product, version, date):
    """These had no row: a server running one was 'unknown', never past its end."""
    eos = srv.end_of_support({"ID": product, "VERSION_ID": version}, datetime.date(2026, 11, 30))
    assert (eos["date"], eos["status"]) == (date, "fail")


def test_end_of_support_table():
    today = datetime.date(2026, 11, 30)
    assert srv.end_of_support({"ID": "debian", "VERSION_ID": "12"}, today) == {
        "date": "2028-06-30", "days_left": 578, "status": "ok"}
    assert srv.end_of_support({"ID": "centos", "VERSION_ID": "7"}, today)["status"] == "fail"
    assert srv.end_of_support({"ID": "rocky", "VERSION_ID": "9.4"}, today)["date"] == "2032-05-31"
    assert srv.end_of_support({"ID": "slackware", "VERSION_ID": "15"}, today)["status"] == "unknown"


def test_needrestart_and_mdstat():
    status = srv.parse_needrestart(
        "NEEDRESTART-VER: 3.6\nNEEDRESTART-KSTA: 3\nNEEDRESTART-SVC: nginx.service\n")
    assert status == {"kernel_status": 3, "microcode_status": 0, "microcode_running": None,
                      "microcode_installed": None, "services": ["nginx.service"]}
    arrays = srv.parse_mdstat(
        "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n"
        "      976630464 blocks super 1.2 [2/1] [U_]\n\nmd1 : active raid1 sdc1[0] sdd1[1]\n"
        "      1000 blocks [2/2] [UU]\n")
    assert arrays == [{"name": "md0", "state": "active", "degraded": True},
                      {"name": "md1", "state": "active", "degraded": False}]


def test_a_firmware_raids_container_is_no_inactive_array():
    """Intel RST (IMSM) shows its container as an inactive md127 on every such server:
    'RAID md127 tidak aktif' was flagged though the array it holds is healthy. An array
    of the container that is inactive or degraded is still a finding."""
    arrays = srv.parse_mdstat(
        "Personalities : [raid1]\nmd126 : active raid1 sda[1] sdb[0]\n"
        "      976759808 blocks super external:/md127/0 [2/1] [U_]\n\n"
        "md127 : inactive sdb[1](S) sda[0](S)\n      5288 blocks super external:imsm\n\n"
        "md125 : inactive sdc[0]\n      5567507712 blocks super external:-md124/0\n\n"
        "md124 : inactive sdc[0](S)\n      1105 blocks super external:ddf\n\n"
        "unused devices: <none>\n")
    assert arrays == [{"name": "md126", "state": "active", "degraded": True},
                      {"name": "md125", "state": "inactive", "degraded": False}]
    assert condition.flags(report(raid=arrays), PARAMS) == ["RAID md126 terdegradasi",
                                                            "RAID md125 tidak aktif"]


def test_mounts_keep_data_file_systems():
    text = ("proc /proc proc rw 0 0\noverlay / overlay rw 0 0\ntmpfs /run tmpfs rw 0 0\n"
            "tmpfs /srv/sipp-data tmpfs rw 0 0\n/dev/sda1 /var/lib/mysql ext4 rw 0 0\n")
    assert srv.mounts(text) == [("/", "overlay"), ("/srv/sipp-data", "tmpfs"),
                                ("/var/lib/mysql", "ext4")]


def test_a_containers_own_mounts_are_not_file_systems_of_the_server():
    """Docker mounts each container's overlay root and shm tmpfs below /var/lib/docker:
    a / at 90% was flagged once more per container, by a 64-digit name."""
    layer = "/var/lib/docker/overlay2/" + "a" * 64
    text = ("/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /var/lib/docker ext4 rw 0 0\n"
            f"overlay {layer}/merged overlay rw,lowerdir={layer}-init/diff 0 0\n"
            f"shm /var/lib/docker/containers/{'b' * 64}/mounts/shm tmpfs rw 0 0\n"
            "overlay /var/lib/containers/storage/overlay/c/merged overlay rw 0 0\n"
            "tmpfs /var/lib/kubelet/pods/d/volumes/kubernetes.io~secret/t tmpfs rw 0 0\n"
            "/dev/sdc1 /var/lib/dockerdata ext4 rw 0 0\n")
    assert srv.mounts(text) == [("/", "ext4"), ("/var/lib/docker", "ext4"),
                                ("/var/lib/dockerdata", "ext4")]


def test_a_tmpfs_is_kept_under_tmp_srv_var_only_not_beside_them():
    # startswith("/tmp") kept /tmpfoo, "/var" /variable: a RAM disk graded as data
    text = "".join(f"tmpfs {point} tmpfs rw 0 0\n" for point in (
        "/tmp", "/tmp/sipp", "/srv", "/var/cache", "/tmpfoo", "/srvx", "/variable", "/run"))
    assert srv.mounts(text) == [("/srv", "tmpfs"), ("/tmp", "tmpfs"), ("/tmp/sipp", "tmpfs"),
                                ("/var/cache", "tmpfs")]


def test_certificate_days_left():
    now = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    assert srv.cert_days_left("Dec 10 12:00:00 2026 GMT", now) == 10
    assert srv.cert_days_left("Jun  1 00:00:00 2027 GMT", now) == 183
    for text in ("Des 10 12:00:00 2026 GMT", "2026-12-10 12:00:00Z", ""):
        with pytest.raises(ValueError):
            srv.cert_days_left(text, now)


@pytest.fixture(scope="module")
def indonesian_locale(tmp_path_factory):
    """id_ID.UTF-8 compiled into a folder (LOCPATH): its month names are Jan Feb Mar Apr
    Mei Jun Jul Agu Sep Okt Nov Des."""
    # scripts/setup.sh installs them (Debian's locales): no skip, the test must run in CI
    assert shutil.which("localedef") and os.path.exists("/usr/share/i18n/locales/id_ID")
    folder = tmp_path_factory.mktemp("locales")
    subprocess.run(["localedef", "-i", "id_ID", "-f", "UTF-8", str(folder / "id_ID.UTF-8")],
                   check=True, capture_output=True)
    return folder


def test_certificates_are_read_in_the_hosts_locale(tmp_path, monkeypatch, indonesian_locale):
    """AnsibleModule sets the host's locale (LANG, passed on by SSH's SendEnv): on a
    server in id_ID a certificate expiring in December was no date to strptime's %b, and
    the whole condition report ended in a traceback. An expiry date openssl writes
    otherwise is a finding about that certificate, not a traceback."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_tool(bin_dir, "openssl",
               'case "$5" in *dec.pem) echo "notAfter=Dec 10 12:00:00 2099 GMT" ;;\n'
               '*) echo "notAfter=2099-12-10 12:00:00Z" ;; esac\n')
    for name in ("dec.pem", "iso.pem"):
        (tmp_path / name).write_text("PEM")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("LOCPATH", str(indonesian_locale))
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_TIME", raising=False)
    rc, result = run_module("server_condition", tmp_path, {
        "cert_paths": [str(tmp_path / "dec.pem"), str(tmp_path / "iso.pem")]})
    assert rc == 0, result.get("msg")
    dec, iso = result["condition"]["certificates"]
    assert dec["days_left"] > 365 * 70
    assert iso == {"path": str(tmp_path / "iso.pem"),
                   "error": "unreadable expiry date: 2099-12-10 12:00:00Z"}


def test_file_system_and_busy_processes_on_this_machine(tmp_path):
    fs = srv.file_system(str(tmp_path))
    assert fs["size_mb"] > 0 and 0 <= fs["used_percent"] <= 100
    sleeper = subprocess.Popen(["bash", "-c", "exec -a mariadb-dump sleep 30"])
    try:
        for _ in range(50):  # until bash has exec'd
            with open(f"/proc/{sleeper.pid}/cmdline", "rb") as handle:
                if handle.read().startswith(b"mariadb-dump"):
                    break
            time.sleep(0.05)
        busy = srv.busy_processes()
        assert any(f"pid {sleeper.pid}" in line and line.startswith("backup database")
                   for line in busy)
    finally:
        sleeper.kill()


def report(**changes):
    base = {
        "os": {"name": "Debian GNU/Linux 12", "end_of_support":
               {"date": "2028-06-30", "days_left": 578, "status": "ok"}},
        "uptime_days": 3.0, "load": {"15m": 0.5, "cpus": 2}, "memory_used_percent": 40.0,
        "file_systems": [{"path": "/", "free_mb": 9000, "used_percent": 20.0,
                          "inodes_percent": 5.0}],
        "mounts_not_answering": [], "mounts_not_measured": [], "read_only_mounts": [],
        "failed_units": [], "updates": {"security": [], "other": [], "held": [],
                                        "kept_back": []},
        "reboot_required": {"required": False, "reasons": [], "services": []},
        "clock_synchronized": True, "raid": [], "disks": [], "certificates": [],
    }
    base.update(changes)
    return base


PARAMS = {"eos_warn_days": 180, "uptime_warn_days": 180, "load_warn_per_cpu": 1.5,
          "memory_warn_percent": 90, "disk_warn_percent": 85, "boot_min_free_mb": 120,
          "cert_warn_days": 30}


def test_clean_report_has_no_flags():
    assert condition.flags(report(), PARAMS) == []


def test_report_flags_each_need():
    flags = condition.flags(report(
        failed_units=["lab-report-export.service"],
        updates={"security": [{"name": "rsync"}], "other": [{"name": "zstd"}],
                 "held": ["mariadb-common"], "kept_back": ["libfoo1"]},
        reboot_required={"required": True, "reasons": ["/run/reboot-required (sop-lab-kernel)"],
                         "services": ["nginx.service"]},
        clock_synchronized=False, raid=[{"name": "md0", "state": "active", "degraded": True}],
        certificates=[{"path": "/etc/ssl/a.pem", "not_after": "Dec 1", "days_left": 1}],
        file_systems=[{"path": "/var", "free_mb": 10, "used_percent": 99.0, "inodes_percent": 90}],
    ), PARAMS)
    assert flags == [
        "Disk /var terpakai 99,0% (sisa 10 MB)", "Inode /var terpakai 90,0%",
        "Unit systemd gagal: lab-report-export.service",
        "1 pembaruan keamanan tertunda: rsync", "1 pembaruan lain tertunda: zstd",
        "Paket ditahan (tidak diperbarui otomatis): mariadb-common",
        "Paket tertahan apt (dependensinya berubah; perlu apt full-upgrade atau ditinjau): "
        "libfoo1",
        "Perlu reboot: /run/reboot-required (sop-lab-kernel)",
        "Layanan perlu restart: nginx.service", "Jam server tidak tersinkronisasi (NTP)",
        "RAID md0 terdegradasi", "Sertifikat /etc/ssl/a.pem berakhir Dec 1 (1 hari lagi)"]


def test_memory_of_a_kernel_without_memavailable_is_not_all_used():
    """A kernel before 3.14 (an OpenVZ 6 container) writes no MemAvailable: nothing
    available read as 100% used, 'Memori terpakai 100,0%' on every such server."""
    modern = ("MemTotal:        4000000 kB\nMemFree:          500000 kB\n"
              "MemAvailable:    3000000 kB\nBuffers:          100000 kB\n"
              "Cached:          2000000 kB\nHugePages_Total:       0\n")
    assert condition.memory_used_percent(modern) == 25.0
    old = "".join(line + "\n" for line in modern.splitlines() if "MemAvailable" not in line)
    assert condition.memory_used_percent(old) == 35.0
    assert condition.flags(report(memory_used_percent=condition.memory_used_percent(old)),
                           PARAMS) == []
    assert condition.memory_used_percent("") == 0.0


def test_proc_files_lxcfs_does_not_serve_are_not_visible_not_a_traceback(tmp_path, monkeypatch):
    """In an LXC container (Proxmox) lxcfs serves /proc/uptime, /proc/loadavg and
    /proc/meminfo: after lxcfs restarted they fail with 'Transport endpoint is not
    connected', and a hung lxcfs blocks their read. The condition report failed with an
    IndexError, or hung, and an unread /proc/meminfo was 0% memory used."""
    monkeypatch.setitem(srv.TIME_LIMITS, "statvfs", 1)
    (tmp_path / "mounts").write_text("")
    for name in ("MOUNTS", "MOUNTINFO", "FSTAB"):
        monkeypatch.setattr(condition, name, str(tmp_path / name.lower()))
    os.mkfifo(tmp_path / "loadavg")  # an open that never returns, as a hung lxcfs's
    (tmp_path / "uptime").write_text("")
    monkeypatch.setattr(condition, "LOADAVG", str(tmp_path / "loadavg"))
    monkeypatch.setattr(condition, "UPTIME", str(tmp_path / "uptime"))
    monkeypatch.setattr(condition, "MEMINFO", str(tmp_path / "meminfo"))
    read = condition._text

    def dead_lxcfs(path):
        if path == str(tmp_path / "meminfo"):
            raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN), path)
        return read(path)

    monkeypatch.setattr(condition, "_text", dead_lxcfs)
    try:
        with within(10, "the condition report of a hung lxcfs"):
            measured = condition.condition(FakeModule({}, tools=()), {"cert_paths": []})
    finally:
        with contextlib.suppress(OSError):  # the reader left behind ends
            os.close(os.open(tmp_path / "loadavg", os.O_WRONLY | os.O_NONBLOCK))
    assert (measured["uptime_days"], measured["load"], measured["memory_used_percent"]) == (
        None, None, None)
    assert [line for line in measured["not_visible"]
            if line.startswith(("uptime", "beban", "memori"))] == [
        f"uptime ({tmp_path}/uptime tidak terbaca: isinya bukan angka)",
        f"beban ({tmp_path}/loadavg tidak menjawab dalam 1 detik)",
        f"memori ({tmp_path}/meminfo tidak terbaca: Transport endpoint is not connected)"]
    assert condition.flags(report(uptime_days=None, load=None, memory_used_percent=None),
                           PARAMS) == []


def test_an_expired_certificate_is_named_expired_not_minus_days_left():
    """A certificate past its end was flagged 'berakhir Jun  1 ... (-30 hari lagi)', a
    negative count of days still to go; it is named as ended, as website_renewals does."""
    flags = condition.flags(report(certificates=[
        {"path": "/etc/ssl/old.pem", "not_after": "Jun  1 12:00:00 2026 GMT", "days_left": -30},
        {"path": "/etc/ssl/today.pem", "not_after": "Dec  5 23:00:00 2026 GMT", "days_left": 0}]),
        PARAMS)
    assert flags == ["Sertifikat /etc/ssl/old.pem sudah berakhir pada Jun  1 12:00:00 2026 GMT",
                     "Sertifikat /etc/ssl/today.pem berakhir Dec  5 23:00:00 2026 GMT "
                     "(0 hari lagi)"]


def test_a_boot_of_its_own_is_judged_by_room_for_one_more_kernel():
    """A 256 MiB /boot holding two kernels (60 MiB left, 75%) passed the 85% threshold and
    the next kernel upgrade failed half-way writing its initramfs; a 1 GiB /boot at 86%
    still takes one more kernel and was flagged. A /boot of its own is judged by the MiB
    it has left; its inodes, and every other file system, by the percentage."""
    def boot(size_mb, free_mb, used_percent, inodes_percent=1.0):
        return {"path": "/boot", "size_mb": size_mb, "free_mb": free_mb,
                "used_percent": used_percent, "inodes_percent": inodes_percent}

    assert condition.flags(report(file_systems=[boot(243, 60, 75.0)]), PARAMS) == [
        "Disk /boot sisa 60 MB, kurang dari 120 MB untuk satu kernel baru dan initramfs-nya "
        "(hapus kernel lama)"]
    assert condition.flags(report(file_systems=[boot(975, 140, 86.0)]), PARAMS) == []
    assert condition.flags(report(file_systems=[boot(975, 140, 86.0, 90.0)]), PARAMS) == [
        "Inode /boot terpakai 90,0%"]
    assert condition.flags(report(file_systems=[{**boot(975, 140, 86.0), "path": "/"}]),
                           PARAMS) == ["Disk / terpakai 86,0% (sisa 140 MB)"]


def test_findings_write_numbers_as_the_reports_do():
    # The report quotes these lines beside its own `2,2 detik`: never `93.5%` or `20480 MB`.
    flags = condition.flags(report(
        uptime_days=1234.25, load={"15m": 3.75, "cpus": 2}, memory_used_percent=93.5,
        file_systems=[{"path": "/srv", "free_mb": 20480, "used_percent": 93.5,
                       "inodes_percent": 5.0}]), PARAMS)
    assert flags == ["Uptime 1.234,25 hari (kernel lama masih berjalan?)",
                     "Beban tinggi: 3,75 untuk 2 CPU", "Memori terpakai 93,5%",
                     "Disk /srv terpakai 93,5% (sisa 20.480 MB)"]
    assert srv.boot_short_of_room({"free_mb": 900}, 1200) == [
        "Disk /boot sisa 900 MB, kurang dari 1.200 MB untuk satu kernel baru dan initramfs-nya "
        "(hapus kernel lama)"]


def test_an_interrupted_dpkg_is_a_finding_and_not_safe_to_patch(tmp_path, monkeypatch, capsys):
    """A power cut in the middle of an install leaves dpkg's journal: apt's simulation
    reads as usual, so the condition report was silent and the maintenance passed its
    pre-checks to fail at the install ('dpkg was interrupted')."""
    updates = tmp_path / "updates"
    updates.mkdir()
    (updates / "tmp.i").write_text("")  # dpkg's temporary file: no journal
    assert not srv.dpkg_interrupted(str(tmp_path))
    assert not srv.dpkg_interrupted(str(tmp_path / "missing"))
    (updates / "0003").write_text("")
    assert srv.dpkg_interrupted(str(tmp_path))
    assert condition.flags(report(updates={"security": [], "other": [], "held": [],
                                           "kept_back": [], "dpkg_interrupted": True}),
                           PARAMS) == [
        "dpkg terhenti di tengah pemasangan: tidak ada pembaruan yang dapat dipasang "
        "sebelum dpkg --configure -a"]
    precheck = load("server_precheck")
    monkeypatch.setattr(precheck, "dpkg_interrupted", lambda: srv.dpkg_interrupted(str(tmp_path)))
    monkeypatch.setattr(precheck, "busy_processes", list)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps(
        {"ANSIBLE_MODULE_ARGS": {"paths": [str(tmp_path)], "min_free_mb": 0}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    with pytest.raises(SystemExit):
        precheck.main()
    assert json.loads(capsys.readouterr().out)["msg"] == (
        "Belum aman untuk perawatan: dpkg terhenti di tengah pemasangan (jalankan dpkg "
        "--configure -a)")


def _precheck(tmp_path, monkeypatch, capsys):
    """server_precheck with dpkg whole and no apt process running, its mounts read from
    tmp_path/mounts (/ alone unless a test writes others), mountinfo and fstab (/
    read-write, no fstab), and run(paths, **params): its result for those paths."""
    precheck = load("server_precheck")
    (tmp_path / "mounts").write_text("/dev/sda2 / ext4 rw,relatime 0 0\n")
    monkeypatch.setattr(precheck, "MOUNTS", str(tmp_path / "mounts"))
    (tmp_path / "mountinfo").write_text("22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n")
    monkeypatch.setattr(precheck, "MOUNTINFO", str(tmp_path / "mountinfo"))
    (tmp_path / "fstab").write_text("")
    monkeypatch.setattr(precheck, "FSTAB", str(tmp_path / "fstab"))
    monkeypatch.setattr(precheck, "dpkg_interrupted", lambda: False)
    monkeypatch.setattr(precheck, "busy_processes", list)
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)

    def run(paths, **params):
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
            "paths": paths, "min_free_mb": 0, **params}}).encode())
        with pytest.raises(SystemExit):
            precheck.main()
        return json.loads(capsys.readouterr().out)

    return precheck, run


@pytest.mark.parametrize(("params", "msg"), [
    ({"min_free_mb": -1},
     "min_free_mb: must be 0 (turns the free-space test off) or a positive number of MiB, "
     "not -1"),
    ({"boot_min_free_mb": 2**21},
     "boot_min_free_mb: must be at most 1048576 MiB (1 TiB), not 2097152")])
def test_the_pre_check_refuses_a_threshold_out_of_its_bounds(tmp_path, monkeypatch, capsys,
                                                             params, msg):
    """A negative min_free_mb passed a full / before patching without a word: the
    thresholds are judged by server_condition's rule (RANGES['free_mb'])."""
    _, run = _precheck(tmp_path, monkeypatch, capsys)
    result = run([str(tmp_path)], **params)
    assert result["failed"] and result["msg"] == msg


def test_the_pre_check_refuses_a_file_system_gone_read_only(tmp_path, monkeypatch, capsys):
    """/ remounted read-only after a disk error (errors=remount-ro): server_condition
    reports it, but the pre-check passed and the upgrade failed on its first file. A
    path on a read-write file system mounted below it passes; one an admin mounted
    read-only on purpose (both options ro) is no refusal."""
    _, run = _precheck(tmp_path, monkeypatch, capsys)
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "mountinfo").write_text(
        "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 ro,errors=remount-ro\n"
        f"23 22 8:3 / {data} rw,relatime shared:2 - ext4 /dev/sda3 rw\n")
    result = run([str(tmp_path)])
    assert result["msg"] == (
        "Belum aman untuk perawatan: Sistem berkas / read-only, padahal seharusnya "
        "read-write: kemungkinan galat disk (errors=remount-ro), periksa dmesg")
    assert "failed" not in run([str(data)])
    (tmp_path / "mountinfo").write_text("22 1 8:2 / / ro,relatime shared:1 - ext4 /dev/sda2 ro\n")
    assert "failed" not in run([str(tmp_path)])


def test_the_pre_check_refuses_a_boot_without_room_for_one_more_kernel(tmp_path, monkeypatch,
                                                                          capsys):
    """The pre-check measured / and /var only: a /boot of its own with 60 MiB left passed
    it and the kernel upgrade failed half-way writing its initramfs. It is judged by the
    condition report's rule and threshold (server_maintenance_boot_min_free_mb); a /boot
    on / is measured there."""
    _, run_precheck = _precheck(tmp_path, monkeypatch, capsys)
    measured = srv.file_system
    room = {"free_mb": 60}
    monkeypatch.setattr(srv, "file_system", lambda path: {
        "path": path, "size_mb": 243, "free_mb": room["free_mb"], "used_percent": 75.0,
        "inodes_percent": 1.0} if path == "/boot" else measured(path))

    def run(mounts, **params):
        (tmp_path / "mounts").write_text(mounts)
        return run_precheck([str(tmp_path)], **params)

    root = "/dev/sda2 / ext4 rw,relatime 0 0\n"
    boot = root + "/dev/sda1 /boot ext4 rw,relatime 0 0\n"
    result = run(boot)
    assert result["msg"] == ("Belum aman untuk perawatan: Disk /boot sisa 60 MB, kurang dari "
                             "120 MB untuk satu kernel baru dan initramfs-nya (hapus kernel lama)")
    assert [fs["path"] for fs in result["file_systems"]] == [str(tmp_path), "/boot"]
    assert condition.flags(report(file_systems=result["file_systems"][1:]), PARAMS) == [
        result["msg"].split(": ", 1)[1]]
    assert "failed" not in run(boot, boot_min_free_mb=50)
    assert [fs["path"] for fs in run(root)["file_systems"]] == [str(tmp_path)]
    room["free_mb"] = 200
    assert "failed" not in run(boot)
    task = next(t for t in yaml.safe_load((ROOT / "roles/server_maintenance/tasks/"
                                           "perawatan_server.yml").read_text())
                if "server_precheck" in t)
    assert task["server_precheck"]["boot_min_free_mb"] == \
        "{{ server_maintenance_boot_min_free_mb }}"


def test_the_pre_check_names_a_path_it_cannot_measure(tmp_path, monkeypatch, capsys):
    """A /var on a dead FUSE or NFS mount: os.path.exists read ENOTCONN as missing and the
    pre-check passed without measuring it; another statvfs error was a traceback."""
    precheck, run = _precheck(tmp_path, monkeypatch, capsys)
    measured = precheck.file_system

    def file_system(path):
        if path == "/srv/dead":
            raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN), path)
        return measured(path)

    monkeypatch.setattr(precheck, "file_system", file_system)
    result = run([str(tmp_path), "/srv/dead", str(tmp_path / "missing")])
    assert result["msg"] == ("Belum aman untuk perawatan: ruang /srv/dead tidak dapat diukur "
                             "(Transport endpoint is not connected)")
    assert [fs["path"] for fs in result["file_systems"]] == [str(tmp_path)]


def test_the_pre_check_refuses_a_file_system_without_free_inodes(tmp_path, monkeypatch, capsys):
    """The pre-check measured space alone: a /var whose inodes PHP sessions used up passed
    it with gigabytes free, and the kernel upgrade failed half-way ('No space left on
    device'). A file system that counts no inodes (btrfs: f_files 0) is not judged."""
    _, run_precheck = _precheck(tmp_path, monkeypatch, capsys)
    real = os.statvfs
    free = {"files": 6_553_600, "favail": 812}

    def statvfs(path):
        fields = list(real(path))
        if path == str(tmp_path):
            fields[5], fields[6], fields[7] = free["files"], free["favail"], free["favail"]
        return os.statvfs_result(fields)

    monkeypatch.setattr(os, "statvfs", statvfs)

    def run():
        return run_precheck([str(tmp_path)])

    assert run()["msg"] == f"Belum aman untuk perawatan: inode kosong {tmp_path} 812 (< 10.000)"
    free["favail"] = 10_000
    assert "failed" not in run()
    free["files"], free["favail"] = 0, 0
    assert "failed" not in run()


def test_an_array_not_assembled_is_a_finding():
    """An array the kernel could not assemble at boot (md127 : inactive) has no [UU]
    line: it read as a healthy array."""
    raid = srv.parse_mdstat("Personalities : [raid1]\nmd127 : inactive sdb1[1](S)\n"
                            "      976630464 blocks super 1.2\n\nunused devices: <none>\n")
    assert raid == [{"name": "md127", "state": "inactive", "degraded": False}]
    assert condition.flags(report(raid=raid), PARAMS) == ["RAID md127 tidak aktif"]


@pytest.fixture
def hung_mounts(monkeypatch):
    """hang(module, *paths): the module's file_system() blocks on those paths, as statvfs
    of a hung NFS mount does, until the test ends; TIME_LIMITS["statvfs"] 1 s."""
    release = threading.Event()
    monkeypatch.setitem(srv.TIME_LIMITS, "statvfs", 1)

    def hang(module, *paths):
        measure = module.file_system

        def file_system(path):
            if path in paths:
                release.wait(60)
            return measure(path)

        monkeypatch.setattr(module, "file_system", file_system)

    yield hang
    release.set()


def test_the_pre_check_names_a_mount_that_does_not_answer(tmp_path, monkeypatch, capsys,
                                                          hung_mounts):
    """statvfs of a hung NFS mount never returns: a path on one, or a /boot of its own
    that hangs, hung the whole pre-check (and the maintenance run) for good."""
    precheck, run = _precheck(tmp_path, monkeypatch, capsys)
    nfs = tmp_path / "nfs"
    nfs.mkdir()
    hung_mounts(precheck, str(nfs))
    hung_mounts(srv, "/boot")
    (tmp_path / "mounts").write_text("/dev/sda2 / ext4 rw 0 0\n/dev/sda1 /boot ext4 rw 0 0\n")
    with within(10, "the pre-check of a hung mount"):
        result = run([str(tmp_path), str(nfs)])
    assert result["msg"] == (
        f"Belum aman untuk perawatan: {nfs} tidak menjawab dalam 1 detik (NFS atau disk "
        "macet?); /boot tidak menjawab dalam 1 detik (NFS atau disk macet?)")
    assert [fs["path"] for fs in result["file_systems"]] == [str(tmp_path)]


def test_the_pre_check_looks_no_further_at_a_path_that_did_not_answer(tmp_path, monkeypatch,
                                                                      capsys, hung_mounts):
    """A hung NFS mount blocks every stat of its path, lstat too, not statvfs alone: the
    pre-check named it as not answering, then looked for the read-only mount holding it
    through os.path.realpath, whose lstat hung the pre-check (and the maintenance run)
    for good."""
    precheck, run = _precheck(tmp_path, monkeypatch, capsys)
    nfs = tmp_path / "nfs"
    nfs.mkdir()
    hung_mounts(precheck, str(nfs))
    release = threading.Event()
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if os.fspath(path) == str(nfs):
            release.wait(60)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    try:
        with within(10, "the pre-check of a hung mount"):
            result = run([str(tmp_path), str(nfs)])
    finally:
        release.set()
    assert result["msg"] == (f"Belum aman untuk perawatan: {nfs} tidak menjawab dalam 1 detik "
                             "(NFS atau disk macet?)")


def test_a_mount_that_does_not_answer_is_a_finding_not_a_hung_report(tmp_path, monkeypatch,
                                                                     hung_mounts):
    """The condition report measured every data file system without a time limit: one on
    a dying disk or a lost iSCSI target hung it, the SOP with it."""
    (tmp_path / "iscsi").mkdir()
    hung_mounts(srv, f"{tmp_path}/iscsi")
    (tmp_path / "mounts").write_text(
        f"/dev/sda1 {tmp_path} ext4 rw 0 0\n/dev/sdc1 {tmp_path}/iscsi xfs rw 0 0\n")
    for name in ("MOUNTS", "MOUNTINFO", "FSTAB"):
        monkeypatch.setattr(condition, name, str(tmp_path / name.lower()))
    with within(10, "the condition report of a hung mount"):
        measured = condition.condition(FakeModule({}, tools=()), {"cert_paths": []})
    assert [fs["path"] for fs in measured["file_systems"]] == [str(tmp_path)]
    assert measured["mounts_not_answering"] == [f"{tmp_path}/iscsi"]
    assert condition.flags(report(mounts_not_answering=measured["mounts_not_answering"]),
                           PARAMS) == [f"Sistem berkas {tmp_path}/iscsi tidak menjawab dalam "
                                       "1 detik (NFS atau disk macet?)"]
    # no /proc/self/mountinfo (tmp_path/mountinfo is missing): said, not read as all well
    assert measured["read_only_mounts"] == []
    assert f"sistem berkas read-only ({tmp_path}/mountinfo tidak terbaca)" \
        in measured["not_visible"]


def test_the_diagnosis_names_a_mount_that_does_not_answer(tmp_path, monkeypatch, real_module,
                                                         hung_mounts):
    """The diagnosis measured its file systems within the time limit but left one that
    did not answer out silently: the likely cause of the incident, a hung iSCSI target
    or NFS server, was named nowhere."""
    (tmp_path / "iscsi").mkdir()
    hung_mounts(srv, f"{tmp_path}/iscsi")
    mounts = f"/dev/sda1 {tmp_path} ext4 rw 0 0\n/dev/sdc1 {tmp_path}/iscsi xfs rw 0 0\n"
    monkeypatch.setattr(diagnose, "read_mounts", lambda: mounts)
    with within(15, "the diagnosis of a hung mount"):
        collected = _diagnosis(tmp_path, monkeypatch, real_module)
    assert [fs["path"] for fs in collected["file_systems"]] == [str(tmp_path)]
    assert collected["mounts_not_answering"] == [f"{tmp_path}/iscsi"]
    assert diagnose.causes(bundle(mounts_not_answering=collected["mounts_not_answering"]),
                           97, 100) == [f"Sistem berkas {tmp_path}/iscsi tidak menjawab "
                                        "dalam 1 detik (NFS atau disk macet?)"]


# /proc/self/mountinfo of a server whose / went read-only after an ext4 error (its mount
# still rw, its file system ro), beside mounts read-only by design (fields as the kernel
# writes them, a space in a mount point as \040).
MOUNTINFO = """\
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 ro,errors=remount-ro
23 22 8:1 / /boot/efi rw,relatime shared:2 - vfat /dev/sda1 rw,fmask=0077,dmask=0077
24 22 8:3 / /srv/arsip ro,relatime shared:3 - ext4 /dev/sdb1 ro
25 22 8:4 / /data ro,relatime shared:4 - xfs /dev/sdc1 ro,attr2,inode64
26 22 8:5 / /media/usb ro,nosuid,nodev,relatime shared:5 - ext4 /dev/sdd1 ro
27 22 7:0 / /snap/core22/1380 ro,nodev,relatime shared:6 - squashfs /dev/loop0 ro
28 22 11:0 / /mnt/cdrom ro,relatime shared:7 - iso9660 /dev/sr0 ro,nojoliet
29 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:8 - proc proc rw
30 22 0:21 / /sys ro,nosuid,nodev,noexec,relatime shared:9 - sysfs sysfs ro
31 22 0:50 / /var/lib/docker/overlay2/abc/merged ro,relatime - overlay overlay ro,lowerdir=/x
32 22 8:6 / /var/lib/kubelet/pods/p/volumes/v rw,relatime - ext4 /dev/sde1 ro
33 22 8:7 / /srv/data\\040lama rw,relatime shared:10 - ext4 /dev/sdf1 ro,errors=remount-ro
34 22 8:2 /srv/bagi /srv/bagi ro,relatime shared:11 - ext4 /dev/sda2 rw
35 22 0:40 / /srv/tmp ro,relatime - tmpfs tmpfs ro
"""
FSTAB = """\
# /etc/fstab: static file system information.
UUID=0a1b / ext4 errors=remount-ro 0 1
UUID=2c3d /boot/efi vfat umask=0077 0 1
UUID=4e5f /srv/arsip ext4 defaults,ro 0 2
UUID=6a7b /data xfs defaults 0 2
/dev/sr0 /mnt/cdrom iso9660 ro,user,noauto 0 0
UUID=8c9d /srv/data\\040lama ext4 defaults 0 2
UUID=0e1f none swap sw 0 0
"""


def test_a_file_system_gone_read_only_is_a_finding():
    """ext4 remounts itself read-only after a disk error (errors=remount-ro): the server
    ran on, every write failing, and the condition report said nothing of it. Read-only
    by design is no finding: ro in fstab, snaps, CD images, /proc and /sys, a read-only
    bind mount or a USB disk mounted ro by hand, a container's own mounts, a tmpfs."""
    assert srv.read_only_mounts(MOUNTINFO, FSTAB) == ["/", "/data", "/srv/data lama"]
    # without fstab (a minimal VM): only the kernel's remount, the mount rw over an ro
    # file system, is known to be meant read-write
    assert srv.read_only_mounts(MOUNTINFO, "") == ["/", "/srv/data lama"]
    assert srv.read_only_mounts("", FSTAB) == []
    assert condition.flags(report(read_only_mounts=["/"]), PARAMS) == [
        "Sistem berkas / read-only, padahal seharusnya read-write: kemungkinan galat disk "
        "(errors=remount-ro), periksa dmesg"]


def test_the_condition_report_reads_read_only_mounts_from_mountinfo_and_fstab(tmp_path,
                                                                              monkeypatch):
    (tmp_path / "mounts").write_text(f"/dev/sda1 {tmp_path} ext4 rw 0 0\n")
    (tmp_path / "mountinfo").write_text(MOUNTINFO)
    (tmp_path / "fstab").write_text(FSTAB)
    for name in ("MOUNTS", "MOUNTINFO", "FSTAB"):
        monkeypatch.setattr(condition, name, str(tmp_path / name.lower()))
    measured = condition.condition(FakeModule({}, tools=()), {"cert_paths": []})
    assert measured["read_only_mounts"] == ["/", "/data", "/srv/data lama"]
    assert measured["mounts_not_answering"] == []
    assert not any("read-only" in line for line in measured["not_visible"])


def bundle(**changes):
    base = {"file_systems": [{"path": "/", "size_mb": 7500, "free_mb": 5000,
                              "used_percent": 30.0, "inodes_percent": 2.0}],
            "services": [], "failed_units": [], "oom_kills": [],
            "load": {"5m": 0.3, "cpus": 2}, "peers": []}
    base.update(changes)
    return base


def test_no_cause_on_a_healthy_bundle():
    assert diagnose.causes(bundle(), 97, 100) == []


def test_causes_named_most_serious_first():
    causes = diagnose.causes(bundle(
        file_systems=[{"path": "/srv/sipp-data", "size_mb": 16, "free_mb": 0,
                       "used_percent": 100.0, "inodes_percent": 1.0}],
        services=[
            {"name": "mariadb", "unit": "mariadb.service", "active": "inactive", "sub": "dead",
             "result": "success", "enabled": "enabled"},
            {"name": "nginx", "unit": "nginx.service", "active": "failed", "sub": "failed",
             "result": "signal", "enabled": "enabled"},
            {"name": "apache2", "unit": "apache2.service", "active": "inactive", "sub": "dead",
             "result": "success", "enabled": "disabled"}],
        failed_units=["nginx.service", "lab-report-export.service"],
        oom_kills=["kernel: Out of memory: Killed process 123 (mariadbd)"],
        load={"5m": 9.5, "cpus": 2},
        peers=[{"peer": "backup", "reachable": False}]), 97, 100)
    assert causes == [
        "Disk penuh: /srv/sipp-data terpakai 100,0% (sisa 0 MB)",
        "MariaDB berhenti (mariadb: inactive/dead, result success)",
        "Web server nginx mati dibunuh sinyal (nginx: failed/failed, result signal)",
        "Unit systemd gagal: lab-report-export.service",
        "Kehabisan memori: 1 pembunuhan OOM: kernel mariadbd pid 123",
        "Beban sangat tinggi: 9,5 untuk 2 CPU",
        "Server lain tidak terjangkau: backup"]
    # the documented sample is what the module returns (it named a service's state
    # without its result)
    assert yaml.safe_load(diagnose.RETURN)["causes"]["sample"] == causes[:2]


def test_a_failed_unit_is_named_once_and_a_disabled_one_too():
    """Failed units of the services were left out whether or not a cause named them: one
    disabled (started by hand, failed) was named nowhere, and mysql (mariadb.service's
    alias on Debian) stopped was named twice, as MariaDB and as mariadb.service."""
    assert diagnose.causes(bundle(services=[
        {"name": "mysql", "unit": "mariadb.service", "active": "failed", "sub": "failed",
         "result": "exit-code", "enabled": "enabled"},
        {"name": "apache2", "unit": "apache2.service", "active": "failed", "sub": "failed",
         "result": "exit-code", "enabled": "disabled"}],
        failed_units=["mariadb.service", "apache2.service"]), 97, 100) == [
        "MariaDB berhenti (mysql: failed/failed, result exit-code)",
        "Unit systemd gagal: apache2.service"]


@pytest.mark.parametrize(("name", "sub", "result", "cause"), [
    ("mariadb", "start", "success",
     "MariaDB sedang dijalankan (mariadb: activating/start, result success)"),
    ("mariadb", "start-post", "success",
     "MariaDB sedang dijalankan (mariadb: activating/start-post, result success)"),
    ("mariadb", "auto-restart", "signal",
     "MariaDB berhenti (mariadb: activating/auto-restart, result signal)"),
    ("nginx", "start", "success",
     "Web server nginx sedang dijalankan (nginx: activating/start, result success)"),
], ids=["start", "start-post", "auto-restart", "web"])
def test_a_unit_being_started_is_named_so_not_stopped(name, sub, result, cause):
    """MariaDB in a long crash recovery (activating/start until InnoDB is ready, its ping
    failing) was 'MariaDB berhenti': it is being started, a cause still (not serving
    yet), named by its state. One waiting to restart after it died (auto-restart) is
    stopped."""
    assert diagnose.causes(bundle(services=[
        {"name": name, "unit": f"{name}.service", "active": "activating", "sub": sub,
         "result": result, "enabled": "enabled"}],
        mariadb_ping={"rc": 1, "output": NO_SOCKET, "error": "Can't connect"}), 97, 100) \
        == [cause]



@pytest.mark.parametrize(("name", "sub", "cause"), [
    ("mariadb", "stop-sigterm",
     "MariaDB sedang berhenti (mariadb: deactivating/stop-sigterm, result success)"),
    ("nginx", "stop",
     "Web server nginx sedang berhenti (nginx: deactivating/stop, result success)"),
], ids=["database", "web"])
def test_a_unit_being_stopped_is_named_so_not_stopped(name, sub, cause):
    """MariaDB shutting down (deactivating/stop-sigterm while InnoDB flushes, its ping
    failing) was 'MariaDB berhenti', stopped; nginx stopping was 'tidak berjalan'. It is
    being stopped: a cause still (no longer serving), named by its state, as one being
    started is."""
    assert diagnose.causes(bundle(services=[
        {"name": name, "unit": f"{name}.service", "active": "deactivating", "sub": sub,
         "result": "success", "enabled": "enabled"}],
        mariadb_ping={"rc": 1, "output": NO_SOCKET, "error": "Can't connect"}), 97, 100) \
        == [cause]


@pytest.mark.parametrize(("name", "cause"), [
    ("mariadb", "MariaDB berhenti (mariadb: deactivating/final-sigterm, result signal)"),
    ("nginx",
     "Web server nginx mati dibunuh sinyal (nginx: deactivating/final-sigterm, result signal)"),
], ids=["database", "web"])
def test_a_unit_killed_is_named_killed_while_systemd_clears_its_stop(name, cause):
    """nginx killed (systemctl kill --signal=KILL, the lab's incident) sits in
    deactivating/final-sigterm, result signal, until systemd sees its cgroup empty (on a
    cgroup v1 container, the stop timeout): it read 'sedang berhenti', stopping, not
    killed."""
    assert diagnose.causes(bundle(services=[
        {"name": name, "unit": f"{name}.service", "active": "deactivating",
         "sub": "final-sigterm", "result": "signal", "enabled": "enabled"}],
        mariadb_ping={"rc": 1, "output": NO_SOCKET, "error": "Can't connect"}), 97, 100) \
        == [cause]


@pytest.mark.parametrize("name", ["mariadb", "nginx"])
def test_a_unit_reloading_its_configuration_is_running(name):
    """A unit reloading (ActiveState reloading: running, reading its configuration again,
    as logrotate's postrotate makes nginx do every night) serves: it is no cause, where it
    was named 'MariaDB berhenti' / 'tidak berjalan'."""
    assert diagnose.causes(bundle(services=[
        {"name": name, "unit": f"{name}.service", "active": "reloading", "sub": "reload",
         "result": "success", "enabled": "enabled"}]), 97, 100) == []

# A kernel OOM kill of mariadbd as systemd 252 on Debian 12's 6.1 journals it (short-iso),
# with systemd's lines for its unit, and a kill of systemd-oomd's.
KERNEL_KILL = [
    "kernel: php-fpm8.2 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|"
    "__GFP_COMP), order=0, oom_score_adj=0",
    "kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
    "mems_allowed=0,global_oom,task_memcg=/system.slice/mariadb.service,"
    "task=mariadbd,pid=812,uid=106",
    "kernel: Out of memory: Killed process 812 (mariadbd) total-vm:2419724kB, "
    "anon-rss:1702136kB, file-rss:0kB, shmem-rss:0kB, UID:106 pgtables:3712kB "
    "oom_score_adj:0",
    "kernel: oom_reaper: reaped process 812 (mariadbd), now anon-rss:0kB, "
    "file-rss:0kB, shmem-rss:0kB"]
UNIT_SAYS_OOM = [
    "systemd[1]: mariadb.service: A process of this unit has been killed by the OOM killer.",
    "systemd[1]: mariadb.service: Main process exited, code=killed, status=9/KILL",
    "systemd[1]: mariadb.service: Failed with result 'oom-kill'."]
OOMD_KILL = [
    "systemd-oomd[301]: Killed /system.slice/apache2.service due to memory pressure for "
    "/system.slice being 83.21% > 80.00% for > 20s with reclaim activity",
    "systemd[1]: apache2.service: systemd-oomd killed 14 process(es) in this unit.",
    "systemd[1]: apache2.service: Failed with result 'oom-kill'."]


def _oom_cause(lines):
    return diagnose.causes(bundle(oom_kills=lines), 97, 100)


def test_an_oom_kill_counts_once_however_many_lines_name_it():
    """The kernel writes up to four lines per kill, each matched by oom_kills' grep: one
    mariadbd killed was 'Kehabisan memori: 4 proses dihentikan'. Processes are counted by
    pid (Debian 10's 4.19 words, a cgroup's kill named only in its oom-kill line)."""
    older = ["kernel: Out of memory: Kill process 901 (php-fpm7.3) score 311 or sacrifice "
             "child", "kernel: Killed process 901 (php-fpm7.3) total-vm:612000kB"]
    cgroup = ["kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
              "mems_allowed=0,oom_memcg=/system.slice/apache2.service,"
              "task_memcg=/system.slice/apache2.service,task=apache2,pid=77,uid=33"]
    mariadbd = "kernel mariadbd pid 812 (mariadb.service)"
    for lines, kills in (
            (KERNEL_KILL, [mariadbd]),
            (KERNEL_KILL + older + cgroup,
             [mariadbd, "kernel php-fpm7.3 pid 901", "kernel apache2 pid 77 (apache2.service)"]),
            (KERNEL_KILL[:1], ["kernel (korban tidak tercatat)"])):
        assert _oom_cause(lines) == [
            f"Kehabisan memori: {len(kills)} pembunuhan OOM: " + ", ".join(kills)]


def test_oom_kills_of_systemd_oomd_and_systemds_unit_lines_are_counted_once_each():
    """systemd-oomd's kills (Debian 12's optional systemd-oomd) and systemd's lines of a
    unit an OOM kill ended were not read, or counted as a kill of the kernel's with no
    source: a unit killed by systemd-oomd alone was a process 'dihentikan' of no one's. A
    kill is counted once, by its source: the kernel's by pid, systemd-oomd's by unit
    (its own line and systemd's), and systemd's word for a unit only when no kill read
    is the unit's (the kernel's lines left before the window)."""
    mariadbd = "kernel mariadbd pid 812 (mariadb.service)"
    for lines, kills in (
            (KERNEL_KILL + UNIT_SAYS_OOM, [mariadbd]),
            (OOMD_KILL, ["systemd-oomd apache2.service"]),
            (OOMD_KILL[1:], ["systemd-oomd apache2.service"]),
            (UNIT_SAYS_OOM, ["systemd mariadb.service"]),
            # the oom-kill line, naming the unit, before the window
            (KERNEL_KILL[2:] + UNIT_SAYS_OOM, [mariadbd]),
            (OOMD_KILL + KERNEL_KILL + UNIT_SAYS_OOM, ["systemd-oomd apache2.service", mariadbd]),
            # the kernel's lines naming the victim before the window
            (KERNEL_KILL[:1] + UNIT_SAYS_OOM, ["kernel (mariadb.service)"]),
            (KERNEL_KILL[:1] + OOMD_KILL,
             ["systemd-oomd apache2.service", "kernel (korban tidak tercatat)"]),
            # systemd 254 and later mark the cgroup, then kill it
            (["systemd-oomd[301]: Marked /system.slice/mariadb.service for killing due to "
              "memory pressure for /system.slice being 90.10% > 80.00% for > 20s with "
              "reclaim activity"], ["systemd-oomd mariadb.service"])):
        assert _oom_cause(lines) == [
            f"Kehabisan memori: {len(kills)} pembunuhan OOM: " + ", ".join(kills)], lines


def _at(clock, lines):
    """``lines`` as journalctl -o short-iso gives them, logged on 2026-12-04 at ``clock``."""
    return [f"2026-12-04T{clock}+0700 sipp {line}" for line in lines]


# systemd-oomd killing mariadb.service's cgroup under the memory pressure that made the
# kernel's OOM killer end its mariadbd, and systemd's lines for the unit of both kills.
OOMD_KILLS_MARIADB = [
    "systemd-oomd[301]: Killed /system.slice/mariadb.service due to memory pressure for "
    "/system.slice being 85.03% > 80.00% for > 20s with reclaim activity"]
UNIT_SAYS_BOTH = [
    "systemd[1]: mariadb.service: A process of this unit has been killed by the OOM killer.",
    "systemd[1]: mariadb.service: systemd-oomd killed 1 process(es) in this unit.",
    "systemd[1]: mariadb.service: Failed with result 'oom-kill'."]


def test_the_kernels_and_systemd_oomds_kill_of_one_process_at_one_moment_is_one_kill():
    """The kernel's OOM killer and systemd-oomd ending mariadbd at the same moment were
    '2 pembunuhan OOM: kernel mariadbd pid 812 (mariadb.service), systemd-oomd
    mariadb.service': one process killed, counted once with both sources, whichever
    logged first."""
    for lines in (_at("10:00:07", KERNEL_KILL) + _at("10:00:09", OOMD_KILLS_MARIADB)
                  + _at("10:00:09", UNIT_SAYS_BOTH),
                  _at("10:00:06", OOMD_KILLS_MARIADB) + _at("10:00:07", KERNEL_KILL)
                  + _at("10:00:07", UNIT_SAYS_BOTH)):
        assert _oom_cause(lines) == [
            "Kehabisan memori: 1 pembunuhan OOM: kernel dan systemd-oomd mariadbd pid 812 "
            "(mariadb.service)"], lines


def test_the_kernels_and_systemd_oomds_kills_of_one_unit_at_other_moments_are_two():
    """The same unit killed by the kernel in the morning and by systemd-oomd after its
    restart, or another unit's kill by systemd-oomd at the moment of the kernel's, are
    two kills."""
    mariadbd = "kernel mariadbd pid 812 (mariadb.service)"
    for lines, kills in (
            (_at("10:00:07", KERNEL_KILL + UNIT_SAYS_OOM) + _at("14:30:00", OOMD_KILLS_MARIADB),
             [mariadbd, "systemd-oomd mariadb.service"]),
            (_at("10:00:07", KERNEL_KILL + OOMD_KILL), [mariadbd, "systemd-oomd apache2.service"])):
        assert _oom_cause(lines) == [
            f"Kehabisan memori: {len(kills)} pembunuhan OOM: " + ", ".join(kills)], lines


def test_systemd_oomds_kills_of_one_unit_hours_apart_are_two():
    """systemd-oomd killing apache2.service at 10:00 and again after its restart at 14:30
    was counted once ('1 pembunuhan OOM'): its kills were counted once per unit. Its own
    line and systemd's of one kill, a second apart, are still one."""
    assert _oom_cause(_at("10:00:07", OOMD_KILL[:1]) + _at("10:00:08", OOMD_KILL[1:])
                      + _at("14:30:00", OOMD_KILL)) == [
        "Kehabisan memori: 2 pembunuhan OOM: systemd-oomd apache2.service, "
        "systemd-oomd apache2.service"]
    assert _oom_cause(_at("10:00:07", OOMD_KILL[:1]) + _at("10:00:08", OOMD_KILL[1:])) == [
        "Kehabisan memori: 1 pembunuhan OOM: systemd-oomd apache2.service"]


def test_another_programs_out_of_memory_is_no_oom_kill():
    """oom_kills' grep matches 'Out of memory' wherever it is written: PHP's fatal error
    (a script over memory_limit) was 'Kehabisan memori: 1 proses dihentikan (OOM)'."""
    assert _oom_cause(["php-fpm8.2[911]: PHP Fatal error:  Out of memory (allocated "
                       "2097152 bytes) (tried to allocate 4096 bytes) in /var/www/x.php"]) == []


def test_the_oom_grep_reads_every_line_of_a_kill(tmp_path, monkeypatch, real_module):
    """oom_kills' --grep ('Out of memory|oom-kill|oom_reaper', case-sensitive as it has
    capitals) left out systemd-oomd's kills and systemd's 'killed by the OOM killer':
    journalctl's --grep is a fake applying it with grep -E (PCRE2 alike for it)."""
    journal = tmp_path / "journal.txt"
    unrelated = ["systemd[1]: Started mariadb.service - MariaDB 10.11.19 database server.",
                 "kernel: Killed by signal 9 after 5 s",
                 "systemd-oomd[301]: Swap is currently not detected; memory pressure usage "
                 "will be degraded"]
    kills = KERNEL_KILL + UNIT_SAYS_OOM[::2] + OOMD_KILL
    journal.write_text("\n".join(f"2026-12-04T10:00:00+0700 sipp {line}"
                                  for line in unrelated + kills) + "\n")
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journalctl=f"""
while [ $# -gt 0 ]; do
  [ "$1" = --grep ] && exec grep -E -- "$2" '{journal}'
  shift
done
""")
    assert bundle["oom_kills"] == [f"2026-12-04T10:00:00+0700 sipp {line}" for line in kills]
    assert "Kehabisan memori: 2 pembunuhan OOM: kernel mariadbd pid 812 (mariadb.service), " \
        "systemd-oomd apache2.service" in diagnose.causes(bundle, 97, 100)


def _fs(path, size_mb, free_mb, used_percent):
    return {"path": path, "size_mb": size_mb, "free_mb": free_mb,
            "used_percent": used_percent, "inodes_percent": 1.0}


def test_a_small_file_system_is_judged_by_its_size():
    """min_free_mb (100 MiB) was applied whatever a file system's size: podman's 62 MiB
    tmpfs under /var/lib/containers, a small /var/tmp tmpfs or an unbounded tmpfs (size=0:
    statvfs shows 0 blocks) were 'Disk penuh' at 0% use. Below ten times min_free_mb, a
    tenth of the size is the bound; a small file system nearly full still is a cause."""
    shm = "/var/lib/containers/storage/overlay-containers/1f2e/userdata/shm"
    assert diagnose.causes(bundle(file_systems=[
        _fs(shm, 62, 62, 0.0), _fs("/var/tmp", 50, 45, 10.0),
        _fs("/var/tmp/build", 0, 0, 0.0), _fs("/boot", 243, 80, 65.0)]), 97, 100) == []
    assert diagnose.causes(bundle(file_systems=[
        _fs("/var", 500, 40, 92.0), _fs("/srv", 2000, 90, 95.5),
        _fs(shm, 62, 5, 91.9), _fs("/srv/sipp-data", 16, 0, 100.0)]), 97, 100) == [
        "Disk penuh: /var terpakai 92,0% (sisa 40 MB)",
        "Disk penuh: /srv terpakai 95,5% (sisa 90 MB)",
        f"Disk penuh: {shm} terpakai 91,9% (sisa 5 MB)",
        "Disk penuh: /srv/sipp-data terpakai 100,0% (sisa 0 MB)"]


def test_reachability_is_a_real_connection():
    assert not diagnose.reachable("127.0.0.1:1")["reachable"]
    with socket.create_server(("127.0.0.1", 0)) as listening:
        peer = f"127.0.0.1:{listening.getsockname()[1]}"
        assert diagnose.reachable(peer) == {"peer": peer, "reachable": True}


def test_a_peer_may_be_an_ipv6_literal():
    """'2001:db8::1' was split at its first colon: host '2001', port 'db8::1', an
    unreachable peer with int()'s complaint; '[::1]:443' was host '[' port ':1]:443'."""
    try:
        listening = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with listening:
        peer = f"[::1]:{listening.getsockname()[1]}"
        assert diagnose.reachable(peer) == {"peer": peer, "reachable": True}
        port = listening.getsockname()[1]
    closed = diagnose.reachable(f"[::1]:{port}")  # a real refusal, of ::1's own port
    assert not closed["reachable"] and "refused" in closed["error"]


def test_peers_that_are_no_address_are_refused_in_one_line(tmp_path):
    rc, result = run_module("server_diagnose", tmp_path, {
        "peers": ["backup", "web:80", "2001:db8::1", "[2001:db8::1]:443",
                  "web:ssh", "[2001:db8::1", "[backup]:22", "web:70000",
                  # no DNS name: reachable() ended in a UnicodeError traceback
                  "a" * 64 + ".court", "web..court:22"]})
    assert rc == 1
    # after the option's name and a colon, each peer quoted (sop_failure_cause names the
    # role's variable in its place: 'server_incident_peers: not HOST, ...')
    assert result["msg"] == ("peers: not HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT:"
                             " 'web:ssh', '[2001:db8::1', '[backup]:22', 'web:70000', '"
                             + "a" * 64 + ".court', 'web..court:22'")


@pytest.mark.parametrize(("option", "value", "said"), [
    ("hours", -6, "must be a positive number of hours, not -6"),
    ("hours", 0, "must be a positive number of hours, not 0"),
    # taken before: the whole journal and package history read, however long
    ("hours", 10**12, "must be at most 87600 hours (ten years), not 1000000000000"),
    ("log_lines", 0, "must be a positive number of lines, not 0"),
    # taken before: journalctl -n 1000000000, the whole journal of the hours in the bundle
    ("log_lines", 10**9, "must be at most 1000 lines, not 1000000000")])
def test_hours_and_log_lines_out_of_bounds_are_refused(tmp_path, option, value, said):
    """hours -6 became journalctl --since --6h, refused by journalctl, and the bundle had
    no journal at all without a word; log_lines 0 kept every line (lines[-0:]), a huge
    one every line of the hours (RANGES["log_lines"])."""
    rc, result = run_module("server_diagnose", tmp_path, {option: value})
    assert rc == 1
    assert result["msg"] == f"{option}: {said}"
    assert result["setting"] == option


@pytest.mark.parametrize(("option", "value", "said"), [
    ("full_percent", 0, "must be a positive number of percent, not 0"),
    ("full_percent", -5, "must be a positive number of percent, not -5"),
    ("full_percent", 970, "must be at most 100 percent, not 970"),
    ("load_per_cpu", 0, "must be a positive number of processes per CPU, not 0"),
    ("load_per_cpu", -2.5, "must be a positive number of processes per CPU, not -2.5"),
    ("load_per_cpu", "nan", "must be a positive number of processes per CPU, not nan"),
    ("load_per_cpu", "inf", "must be a positive number of processes per CPU, not inf"),
    ("load_per_cpu", 250, "must be at most 100 processes per CPU, not 250"),
    ("min_free_mb", -1, "must be 0 (turns the free-space test off) or a positive number "
     "of MiB, not -1"),
    ("min_free_mb", 2**21, "must be at most 1048576 MiB (1 TiB), not 2097152")])
def test_thresholds_that_judge_nothing_rightly_are_refused(tmp_path, option, value, said):
    """full_percent 0 named every file system full ('Disk penuh: / terpakai 24,7%') and
    every inode table spent, above 100 no full disk at all; a load_per_cpu of 0 or less
    named every host overloaded, NaN or infinity none; a negative min_free_mb turned the
    free-space test off without a word."""
    rc, result = run_module("server_diagnose", tmp_path, {option: value})
    assert rc == 1
    assert result["msg"] == f"{option}: {said}"
    assert result["setting"] == option


@pytest.mark.parametrize(("hours", "said"), [
    # taken before: every backup younger than it, fresh, a backup stopped for years hidden
    (1e12, "must be at most 87600 hours (ten years), not 1e+12"),
    ("inf", "must be a positive number of hours, not inf"),
    # taken before: no backup ever fresh
    (0, "must be a positive number of hours, not 0"),
    ("nan", "must be a positive number of hours, not nan")])
def test_a_backup_age_limit_outside_ten_years_is_refused(tmp_path, hours, said):
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(tmp_path),
                                                            "max_age_hours": hours})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"max_age_hours: {said}", "max_age_hours")


@pytest.mark.parametrize(("option", "value", "said"), [
    # taken before: every uptime or none flagged, an end of support or a certificate
    # flagged only once it had passed
    ("uptime_warn_days", 10**12, "must be at most 3650 days (ten years), not 1000000000000"),
    ("uptime_warn_days", 0, "must be a positive number of days, not 0"),
    ("eos_warn_days", -30, "must be 0 (its last day only) or a positive number of days, "
                           "not -30"),
    ("cert_warn_days", -1, "must be 0 (their last day only) or a positive number of days, "
                           "not -1")])
def test_a_warning_period_outside_ten_years_is_refused_before_anything_is_read(
        tmp_path, monkeypatch, option, value, said):
    refused_before_anything_is_read(tmp_path, monkeypatch, option, value, said)


@pytest.mark.parametrize(("option", "value", "said"), [
    # taken before: 0 flagged every file system, 150 none
    ("disk_warn_percent", 0, "must be a positive number of percent, not 0"),
    ("memory_warn_percent", 150, "must be at most 100 percent, not 150"),
    # taken before: a full /boot never flagged
    ("boot_min_free_mb", -5, "must be 0 (turns the free-space test off) or a positive "
                             "number of MiB, not -5"),
    # taken before: 0 flagged every host, NaN none
    ("load_warn_per_cpu", 0, "must be a positive number of processes per CPU, not 0"),
    ("load_warn_per_cpu", "nan", "must be a positive number of processes per CPU, not nan"),
    # taken before: read from the folder the module ran in, no certificate found
    ("cert_paths", ["/etc/ssl/a.pem", "ssl/*.crt"], "expected an absolute path, got 'ssl/*.crt'"),
    ("cert_paths", [""], "expected an absolute path, got ''"),
    # taken before: -e ...hold='mariadb-*, mysql-*' held no mysql package
    ("hold", ["mariadb-*", " mysql-*"],
     "a package name pattern is not empty and has no space, got ' mysql-*'"),
    ("hold", [""], "a package name pattern is not empty and has no space, got ''")])
def test_a_threshold_or_a_pattern_that_judges_nothing_rightly_is_refused(
        tmp_path, monkeypatch, option, value, said):
    refused_before_anything_is_read(tmp_path, monkeypatch, option, value, said)


def refused_before_anything_is_read(tmp_path, monkeypatch, option, value, said):
    """server_condition given ``option`` ``value`` fails naming it, ``said``, with no tool
    on its PATH: before it reads anything."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no tool to run
    rc, result = run_module("server_condition", tmp_path, {option: value,
                                                           "update_cache": False})
    assert (rc, result["msg"], result.get("setting")) == (1, f"{option}: {said}", option)


def test_newest_verified_backup_from_the_ledger(tmp_path):
    ledger = load("sop_backup_ledger")
    path = str(tmp_path / "ledger.jsonl")
    ledger.append(path, "ingested", name="a.sql.zst", sha256="aa", size=1)
    ledger.append(path, "verified", name="a.sql.zst", sha256="aa", status="ok")
    ledger.append(path, "ingested", name="b.sql.zst", sha256="bb", size=1)  # not verified
    later = datetime.datetime.now().astimezone() + datetime.timedelta(hours=2)
    newest = backup_age.newest_verified(ledger.read(path), later)
    assert newest["name"] == "a.sql.zst"
    assert 1.99 < newest["age_hours"] < 2.01
    assert backup_age.newest_verified([], later) is None


@pytest.mark.skipif(not os.path.exists("/etc/os-release"), reason="needs /etc/os-release")
def test_a_missing_backup_store_is_named_not_only_no_backup(tmp_path):
    """A backup disk not mounted (or a mistyped store) read as a store without a ledger:
    'no verified backup', with nothing saying the store itself was missing."""
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(tmp_path / "sipp")})
    assert rc == 0 and result["newest"] is None and result["fresh"] is False
    assert warning_lines(result) == [f"penyimpanan backup {tmp_path / 'sipp'} tidak ada (disk "
                                     "backup tidak terpasang atau store salah?)"]
    (tmp_path / "sipp").mkdir()
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(tmp_path / "sipp")})
    assert rc == 0 and result["fresh"] is False and warning_lines(result) == []


def test_os_release_of_this_machine():
    with open("/etc/os-release", encoding="utf-8") as handle:
        release = srv.os_release(handle.read())
    assert release["ID"]


def test_diagnosis_reads_this_machines_file_systems():
    # /proc/mounts cannot be seeked from its end: read whole (a tail() of it saw nothing)
    assert "/" in [point for point, _type in srv.mounts(diagnose.read_mounts())]


remediate = load("server_remediate")


def test_old_rotated_logs_are_chosen_and_nothing_else(tmp_path):
    logs, outside = tmp_path / "log", tmp_path / "etc"
    (logs / "nginx").mkdir(parents=True)
    outside.mkdir()
    old = time.time() - 30 * 86400
    for name in ("nginx/access.log.2.gz", "nginx/access.log.1", "nginx/access.log",
                 "syslog.9", "fresh.log.1"):
        (logs / name).write_text("x" * 10)
        if name != "fresh.log.1":
            os.utime(logs / name, (old, old))
    (outside / "keep.1").write_text("root's")
    os.utime(outside / "keep.1", (old, old))
    (logs / "link.1").symlink_to(outside / "keep.1")  # a link is not a rotated log
    (logs / "mysql").symlink_to(outside)  # nor is a linked folder entered
    found = [(path, info.st_size)
             for path, _fd, info in remediate.old_rotated_logs(str(logs), time.time() - 86400,
                                                               {}, [])]
    assert sorted(found) == [(str(logs / n), 10) for n in (
        "nginx/access.log.1", "nginx/access.log.2.gz", "syslog.9")]


def test_a_log_folder_swapped_for_a_link_during_the_walk_removes_nothing_outside(tmp_path):
    """/var/log/mysql belongs to the mysql account: swapped for a link to /etc after it
    was listed, root removed /etc's file of the same name (os.walk, then unlink by path)."""
    logs, outside = tmp_path / "log", tmp_path / "etc"
    (logs / "mysql").mkdir(parents=True)
    outside.mkdir()
    old = time.time() - 30 * 86400
    for path in (logs / "mysql" / "error.log.1", outside / "error.log.1"):
        path.write_text("x")
        os.utime(path, (old, old))
    walked = []
    for path, dir_fd, info in remediate.old_rotated_logs(str(logs), time.time(), {}, []):
        walked.append(path)
        (logs / "mysql").rename(logs / "mysql.real")
        (logs / "mysql").symlink_to(outside)
        remediate.unlink_same(os.path.basename(path), dir_fd, info)
    assert walked == [str(logs / "mysql" / "error.log.1")]  # the swap happened mid-walk
    assert (outside / "error.log.1").exists()
    assert not (logs / "mysql.real" / "error.log.1").exists()


def _wait_cmdline(pid, needle):
    for _ in range(100):
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if needle in handle.read():
                return
        time.sleep(0.05)


def test_a_removed_logs_name_writes_no_line_of_its_own_into_the_record(tmp_path, monkeypatch,
                                                                       real_module):
    """/var/log/mysql belongs to MariaDB's account, which names the files in it: a rotated
    log named with a newline put a line of its choosing into the incident's record
    ('hapus .../a' then 'MariaDB berhenti.log.1.gz')."""
    logs = tmp_path / "log"
    (logs / "mysql").mkdir(parents=True)
    planted = logs / "mysql" / "a\nMariaDB berhenti.log.1.gz"
    planted.write_text("x")
    os.utime(planted, (time.time() - 30 * 86400,) * 2)
    monkeypatch.setattr(remediate, "LOGS", str(logs))
    module = real_module({"log_min_age_days": {"type": "int"}}, {"log_min_age_days": 7})
    _before, _after, done, _skipped = remediate.remove_rotated_logs(module)
    assert done == [f"hapus {logs}/mysql/a\\x0aMariaDB berhenti.log.1.gz"]
    assert not planted.exists()


def test_unattended_upgrades_idle_daemon_is_not_busy(tmp_path):
    """Debian's unattended-upgrades.service runs unattended-upgrade-shutdown
    --wait-for-signal all the time: it is not an upgrade, maintenance must not wait for it;
    a real unattended-upgrade run still is."""
    folder = tmp_path / "unattended-upgrades"
    folder.mkdir()
    script = folder / "unattended-upgrade-shutdown"
    script.write_text("import time\ntime.sleep(30)\n")
    run = tmp_path / "unattended-upgrade"
    run.write_text("import time\ntime.sleep(30)\n")
    idle = subprocess.Popen([sys.executable, str(script), "--wait-for-signal"])
    real = subprocess.Popen([sys.executable, str(run)])
    try:
        _wait_cmdline(idle.pid, b"--wait-for-signal")
        _wait_cmdline(real.pid, b"unattended-upgrade")
        busy = srv.busy_processes()
        assert not any(f"pid {idle.pid}:" in line for line in busy)
        assert any(f"pid {real.pid}:" in line and line.startswith("unattended-upgrades")
                   for line in busy)
    finally:
        idle.kill()
        real.kill()


def test_error_log_tail_never_follows_a_link_or_waits_on_a_fifo(tmp_path):
    """/var/log/mysql belongs to the mysql account: its error.log swapped for a link to
    /etc/shadow put root's shadow file in the bundle kept on the controller; a FIFO made
    the diagnosis wait forever."""
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret-hash:19000:0:99999:7:::\n")
    link = tmp_path / "error.log"
    link.symlink_to(secret)
    with pytest.raises(OSError) as refused:
        diagnose.read_tail(str(link), 20)
    assert diagnose.unreadable(str(link), refused.value) == (
        f"{link} tidak terbaca (tautan simbolik, tidak diikuti)")
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    with within(5, "tail of a FIFO"), pytest.raises(OSError) as refused:
        diagnose.read_tail(str(fifo), 20)
    assert diagnose.unreadable(str(fifo), refused.value) == (
        f"{fifo} tidak terbaca (bukan berkas biasa)")
    real = tmp_path / "real.log"
    real.write_text("".join(f"line {n}\n" for n in range(50)))
    assert diagnose.read_tail(str(real), 2) == (["line 48", "line 49"], False)
    assert diagnose.read_tail(str(real), 50)[1]  # the whole file


def test_an_error_log_not_read_is_named_not_shown_as_empty(tmp_path, monkeypatch, real_module):
    """A link put in nginx's error.log's place was not read, rightly, but the bundle
    showed the log as empty ({path: []}) and said nothing."""
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret-hash:19000:0:99999:7:::\n")
    link, real = tmp_path / "error.log", tmp_path / "other.log"
    link.symlink_to(secret)
    real.write_text("[error] upstream timed out\n")
    monkeypatch.setitem(diagnose.ERROR_LOGS, "nginx",
                        [str(link), str(real), str(tmp_path / "absent.log")])
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, {"services": ["nginx"]}, systemctl=(
        "printf 'Id=nginx.service\\nLoadState=loaded\\nActiveState=active\\n'\n"))
    assert bundle["logs"] == {str(real): ["[error] upstream timed out"]}
    assert f"{link} tidak terbaca (tautan simbolik, tidak diikuti)" in bundle["not_visible"]
    assert not any("absent.log" in line for line in bundle["not_visible"])


def test_an_error_log_on_a_dead_mount_is_named_not_taken_for_absent(tmp_path, monkeypatch,
                                                                    real_module):
    """A web root's log on an NFS mount whose server lost the export fails every stat with
    ESTALE: os.path.lexists read that as no log, and the bundle said nothing of it."""
    dead = str(tmp_path / "error.log")
    real_lstat, real_open = os.lstat, os.open

    def stale(real):
        def call(path, *args, **kwargs):
            if os.fspath(path) == dead:
                raise OSError(errno.ESTALE, os.strerror(errno.ESTALE), path)
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "lstat", stale(real_lstat))
    monkeypatch.setattr(os, "open", stale(real_open))
    monkeypatch.setitem(diagnose.ERROR_LOGS, "nginx", [dead, str(tmp_path / "absent.log")])
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, {"services": ["nginx"]}, systemctl=(
        "printf 'Id=nginx.service\\nLoadState=loaded\\nActiveState=active\\n'\n"))
    assert bundle["logs"] == {}
    assert f"{dead} tidak terbaca (Stale file handle)" in bundle["not_visible"]
    assert not any("absent.log" in line for line in bundle["not_visible"])


def test_error_log_lines_show_no_login_secret(tmp_path):
    """A PHP stack trace in a web server's error log shows a failed login's arguments
    (PDO's constructor, mysqli_connect): the database password went into the bundle and
    the SOP's record as written. URL credentials and NAME=value secrets too."""
    log = tmp_path / "error.log"
    log.write_text(
        "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [1045] Access denied in "
        "/var/www/sipp/db.php:12\n"
        "#0 /var/www/sipp/db.php(12): PDO->__construct('mysql:host=loca...', 'sipp', "
        "'Rahasia-Sipp1')\n"
        "2026/12/04 10:00:00 [error] 7#7: *1 FastCGI sent in stderr: \"PHP message: #1 "
        "/var/www/a.php(3): mysqli_connect('localhost', 'root', 'Sandi(2)x')\" while reading\n"
        "[client 10.0.0.5] GET https://admin:Kunci99@10.0.0.9/api?token=T0ken77 db_password=Pw1\n"
        "#2 {main} thrown in /var/www/sipp/db.php on line 12\n")
    shown = "\n".join(diagnose.read_tail(str(log), 20)[0])
    for secret in ("Rahasia-Sipp1", "Sandi(2)x", "Kunci99", "T0ken77", "Pw1"):
        assert secret not in shown
    assert "PDO->__construct(***)" in shown and "mysqli_connect(***)" in shown
    assert "#2 {main} thrown in /var/www/sipp/db.php on line 12" in shown


def test_a_line_cut_at_the_tails_window_is_left_out(tmp_path):
    """The tail is read from the last 64 KiB: a PHP stack frame cut there began with
    the PDO constructor's arguments, which mask_log_line cannot know for a login's,
    and the database password went into the bundle as written."""
    frame = ("#0 /var/www/sipp/db.php(12): PDO->__construct('mysql:host=loca...', 'sipp', "
             "'Rahasia-Sipp1')\n")
    cut = frame.index("'sipp'")  # the window begins there
    rest = "z" * (diagnose.TAIL_BYTES - len(frame) + cut - 1) + "\n"
    log = tmp_path / "error.log"
    log.write_text("PHP Fatal error:  Uncaught PDOException\n" + frame + rest)
    assert diagnose.read_tail(str(log), 20) == ([rest.strip()], False)
    whole = "b" * (diagnose.TAIL_BYTES - 1) + "\n"  # the window begins with a whole line
    log.write_text("a\n" + whole)
    assert diagnose.read_tail(str(log), 20) == ([whole.strip()], False)


def test_mount_points_with_escaped_characters(tmp_path):
    """The kernel escapes space, tab, newline and backslash in /proc/mounts as octal
    (\\040 \\011 \\012 \\134); only \\040 was decoded, and statvfs of '/srv/a\\134b' crashed
    server_condition and server_diagnose with a traceback."""
    odd = tmp_path / "data\tsipp\\2024 x"
    odd.mkdir()
    escaped = str(odd).replace("\\", "\\134").replace("\t", "\\011").replace(" ", "\\040")
    text = f"/dev/sdb1 {escaped} ext4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
    assert srv.mounts(text) == [("/", "ext4"), (str(odd), "ext4")]
    assert srv.file_system(srv.mounts(text)[1][0])["size_mb"] > 0


def test_a_mount_point_gone_meanwhile_is_skipped(tmp_path):
    text = f"/dev/sdb1 {tmp_path}/gone ext4 rw 0 0\n/dev/sda1 {tmp_path} ext4 rw 0 0\n"
    assert [fs["path"] for fs in srv.measured_mounts(text)[0]] == [str(tmp_path)]


class FakeModule:
    """run_command answers from a table of argv tuples: (rc, out, err)."""

    def __init__(self, answers, tools=("smartctl",)):
        self.answers, self.tools, self.calls = answers, tools, []

    def get_bin_path(self, name):
        return f"/usr/sbin/{name}" if name in self.tools else None

    def run_command(self, argv, **_kwargs):
        self.calls.append(tuple(argv))
        return self.answers.get(tuple(argv), (0, "", ""))


SMART = "/usr/sbin/smartctl"


def test_smart_health_of_disks_without_smart_or_behind_a_raid_controller():
    """A virtual disk without SMART (VMware, QEMU scsi-hd) was reported 'tidak sehat';
    a disk behind a MegaRAID controller was asked without the scan's '-d megaraid,N'."""
    scan = ("/dev/sda -d scsi # /dev/sda, SCSI device\n"
            "/dev/bus/0 -d megaraid,0 # /dev/bus/0 [megaraid_disk_00], SCSI device\n"
            "/dev/sdb -d sat # /dev/sdb [SAT], ATA device\n")
    module = FakeModule({
        (SMART, "--scan"): (0, scan, ""),
        (SMART, "-H", "-d", "scsi", "/dev/sda"): (
            4, "=== START OF READ SMART DATA SECTION ===\n"
               "SMART support is: Unavailable - device lacks SMART capability.\n", ""),
        (SMART, "-H", "-d", "megaraid,0", "/dev/bus/0"): (
            0, "=== START OF READ SMART DATA SECTION ===\nSMART Health Status: OK\n", ""),
        (SMART, "-H", "-d", "sat", "/dev/sdb"): (
            8, "SMART overall-health self-assessment test result: FAILED!\n", ""),
    })
    probe = condition.Probe(module)
    disks = probe.disks()
    assert [(d["device"], d["healthy"]) for d in disks] == [
        ("/dev/sda", None), ("/dev/bus/0 [megaraid,0]", True), ("/dev/sdb", False)]
    assert any("/dev/sda" in line for line in probe.not_visible)
    flags = condition.flags(report(disks=disks), PARAMS)
    assert flags == ["Disk /dev/sdb tidak sehat (SMART)"]


def test_disks_smartctl_does_not_find_are_not_visible_not_healthy():
    """A virtual machine's virtio disks (/dev/vda) are no device to smartctl --scan, and a
    scan that failed listed none either: the report showed no disk and said nothing of
    it, as if each were checked."""
    empty = condition.Probe(FakeModule({(SMART, "--scan"): (0, "", "")}))
    assert empty.disks() == []
    failed = condition.Probe(FakeModule({(SMART, "--scan"): (
        1, "", "smartctl: unrecognized option '--scan'\n")}))
    assert failed.disks() == []
    assert empty.not_visible + failed.not_visible == [
        "kesehatan disk (smartctl --scan tidak menemukan disk)",
        "kesehatan disk (smartctl --scan: smartctl: unrecognized option '--scan')"]


def test_smart_attributes_at_their_threshold_now_or_in_the_past():
    """smartctl's exit status bit 3 alone was read: a prefail attribute at its threshold
    now (bit 4) and one that was in the past (bit 5, the status still 'PASSED') said
    nothing, though the disk wears out."""
    scan = "/dev/sda -d sat # /dev/sda\n/dev/sdb -d sat # /dev/sdb\n/dev/sdc -d sat # /dev/sdc\n"
    passed = "SMART overall-health self-assessment test result: PASSED\n"
    module = FakeModule({
        (SMART, "--scan"): (0, scan, ""),
        (SMART, "-H", "-d", "sat", "/dev/sda"): (32, passed + "Please note the following "
                                                 "marginal Attributes:\n", ""),
        (SMART, "-H", "-d", "sat", "/dev/sdb"): (16, "SMART Status not supported\n", ""),
        (SMART, "-H", "-d", "sat", "/dev/sdc"): (
            8 | 32, "SMART overall-health self-assessment test result: FAILED!\n", ""),
    })
    disks = condition.Probe(module).disks()
    assert disks == [{"device": "/dev/sda", "healthy": True, "past_threshold": True},
                     {"device": "/dev/sdb", "healthy": False},
                     {"device": "/dev/sdc", "healthy": False}]
    assert condition.flags(report(disks=disks), PARAMS) == [
        "Disk /dev/sdb tidak sehat (SMART)", "Disk /dev/sdc tidak sehat (SMART)",
        "Disk /dev/sda pernah melewati ambang SMART (status masih OK, tetapi atribut "
        "usage/prefail pernah mencapai ambang): pantau dan siapkan pengganti"]
    healthy = FakeModule({(SMART, "--scan"): (0, "/dev/sda -d sat # /dev/sda\n", ""),
                          (SMART, "-H", "-d", "sat", "/dev/sda"): (0, passed, "")})
    assert condition.Probe(healthy).disks() == [{"device": "/dev/sda", "healthy": True}]


def _fake_tool(folder, name, script):
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_diagnosis_of_a_host_without_mariadb_admin_or_journalctl(tmp_path, monkeypatch):
    """MariaDB 10.3 (Debian 10) and MySQL have no mariadb-admin; a minimal host may have
    no journalctl: the whole diagnosis failed with Ansible's 'Error executing command.'
    (and its traceback) instead of naming what it could not see."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_tool(bin_dir, "systemctl", """case "$2" in
mariadb.service) printf 'Id=mariadb.service\\nLoadState=loaded\\nActiveState=failed\\n\
SubState=failed\\nResult=exit-code\\nUnitFileState=enabled\\nExecMainStatus=1\\n' ;;
*.service) printf 'Id=%s\\nLoadState=not-found\\n' "$2" ;;
esac
""")
    monkeypatch.setenv("PATH", str(bin_dir))
    rc, result = run_module("server_diagnose", tmp_path, {"services": ["mariadb"]})
    assert rc == 0, result["msg"]
    assert "MariaDB berhenti (mariadb: failed/failed, result exit-code)" in result["causes"]
    assert result["bundle"]["mariadb_ping"]["rc"] is None
    missing = {"mariadb-admin/mysqladmin tidak terpasang", "journalctl tidak terpasang"}
    assert set(result["bundle"]["not_visible"]) >= missing
    # the SOP's record names them too, not only the bundle kept on the controller
    assert result["sop_output"]["tidak_terlihat"] == result["bundle"]["not_visible"]


def test_the_record_keeps_the_first_not_visible_lines_and_counts_the_others():
    """What the diagnosis could not see reaches the SOP's record, its first lines only
    (every log of every service missing on a web server is one each)."""
    lines = [f"/var/log/app{n}.log tidak ada" for n in range(diagnose.RECORDED_NOT_VISIBLE + 3)]
    assert diagnose.recorded_not_visible(lines) == [
        *lines[:diagnose.RECORDED_NOT_VISIBLE], "dan 3 lainnya (lihat bundel)"]
    assert diagnose.recorded_not_visible(lines[:diagnose.RECORDED_NOT_VISIBLE]) == \
        lines[:diagnose.RECORDED_NOT_VISIBLE]
    assert diagnose.recorded_not_visible([]) == []


FAKE_APT = r"""
echo "$*" >> "$LOG"
case "$*" in
  *-s*install*) cat <<'SIM'
Remv sipp-report-tool [2.1]
Inst mariadb-common [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [all])
Inst libmariadb3 [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [amd64])
SIM
  ;;
  *-s*upgrade*) cat <<'SIM'
Inst libmariadb3 [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [amd64])
Inst mariadb-common [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [all])
SIM
  ;;
esac
"""  # noqa: E501 (apt's lines as they are)


def apt_host(tmp_path, monkeypatch, apt_get=FAKE_APT):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    _fake_tool(bin_dir, "apt-get", apt_get)
    _fake_tool(bin_dir, "apt-mark", "exit 0\n")
    _fake_tool(bin_dir, "dpkg-query", "echo 'libmariadb3 amd64 1:10.11.11-0+deb12u1'\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("LOG", str(log))
    return log


def installed(log):
    """What the fake apt-get installed: the last word of each install from apt's cache."""
    return [line.split()[-1] for line in log.read_text().splitlines()
            if line.startswith("install") and "--no-download" in line]


def test_updates_never_remove_packages_nor_upgrade_a_held_one_as_a_dependency(tmp_path,
                                                                               monkeypatch):
    """apt-get install -y of the chosen upgrades removed what conflicted with them and
    upgraded a package matching the hold patterns when a chosen one depended on it: the
    install is simulated first and refused when it would do either."""
    log = apt_host(tmp_path, monkeypatch)
    rc, result = run_module("server_updates", tmp_path, {"hold": ["mariadb-*"],
                                                         "update_cache": False})
    installs = [line for line in log.read_text().splitlines()
                if "install" in line and "-s" not in line.split()]
    assert installs == []
    assert rc == 1
    assert "\n" not in result["msg"]
    assert "mariadb-common" in result["msg"] and "sipp-report-tool" in result["msg"]


def test_updates_install_what_the_simulation_allows_and_nothing_in_check_mode(tmp_path,
                                                                              monkeypatch):
    log = apt_host(tmp_path, monkeypatch, FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "")
                   .replace("Inst mariadb-common [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 "
                            "Debian-Security:12/stable-security [all])\n", "", 1))
    args = {"hold": ["mariadb-*"], "update_cache": False}
    rc, result = run_module("server_updates", tmp_path, {**args, "_ansible_check_mode": True})
    assert rc == 0 and result["changed"]
    assert [u["name"] for u in result["upgraded"]] == ["libmariadb3"]
    assert not [line for line in log.read_text().splitlines() if line.startswith("install")]
    rc, result = run_module("server_updates", tmp_path, args)
    assert rc == 0, result["msg"]
    assert result["held"] == ["mariadb-common"]
    assert installed(log) == ["libmariadb3=1:10.11.11-0+deb12u1"]


def test_updates_report_phased_upgrades_apart_from_held_ones(tmp_path, monkeypatch):
    simulation = NOBLE_SIMULATION.replace("openssl", "zzz-none").split("Inst ")[0]
    apt_host(tmp_path, monkeypatch, f"cat <<'SIM'\n{simulation}SIM\n")
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 0, result["msg"]
    assert not result["changed"] and result["held"] == []
    assert result["phased"] == result["sop_output"]["phased"]
    assert "util-linux" in result["phased"]


# apt keeping back libfoo1 itself (its new version needs a package removed), held by no
# one, and listing it as a dependency of the libmariadb3 security fix when asked to
# install that alone (DEPENDS=1).
KEPT_BACK_APT = r"""
echo "$*" >> "$LOG"
case "$*" in
  *-s*install*) [ -n "$DEPENDS" ] && echo 'Inst libfoo1 [1.0-1] (1.1-1 Debian:12.15/oldstable [amd64])'
    echo 'Inst libmariadb3 [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [amd64])' ;;
  *-s*upgrade*) printf 'The following packages have been kept back:\n  libfoo1\n'
    echo 'Inst libmariadb3 [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 Debian-Security:12/stable-security [amd64])' ;;
esac
"""  # noqa: E501 (apt's lines as they are)


def test_updates_report_what_apt_keeps_back_apart_and_never_install_it(tmp_path, monkeypatch):
    """An upgrade apt-get upgrade keeps back itself (its dependencies changed) is held by
    no one: reported in kept_back, not held, and installed neither as an upgrade nor, the
    install refused then, as a dependency of a chosen one (apt full-upgrade is the
    administrator's decision)."""
    log = apt_host(tmp_path, monkeypatch, KEPT_BACK_APT)
    _fake_tool(tmp_path / "bin", "apt-cache", "exit 0\n")  # libfoo1 is not phased
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 0, result["msg"]
    assert result["held"] == [] and result["phased"] == []
    assert result["kept_back"] == result["sop_output"]["kept_back"] == ["libfoo1"]
    assert installed(log) == ["libmariadb3=1:10.11.11-0+deb12u1"]
    monkeypatch.setenv("DEPENDS", "1")
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 1
    assert result["msg"] == ("Pembaruan dibatalkan, apt akan ikut memperbarui paket yang "
                             "tertahan apt libfoo1 (perlu apt full-upgrade atau ditinjau)")
    assert installed(log) == ["libmariadb3=1:10.11.11-0+deb12u1"]  # the first run's only


# apt at a Debian kernel ABI change: the metapackage's new version needs a new package,
# so apt-get upgrade keeps it back unless it may install new packages.
KERNEL_APT = r"""
echo "$*" >> "$LOG"
NEW='Inst linux-image-6.1.0-30-amd64 (6.1.124-1 Debian-Security:12/stable-security [amd64])'
META='Inst linux-image-amd64 [6.1.119-1] (6.1.124-1 Debian-Security:12/stable-security [amd64])'
case "$*" in
  *-s*install*) printf '%s\n%s\n' "$NEW" "$META" ;;
  *-s*--with-new-pkgs*upgrade*) printf 'The following NEW packages will be installed:\n'
    printf '  linux-image-6.1.0-30-amd64\n%s\n%s\n' "$NEW" "$META" ;;
  *-s*upgrade*) printf 'The following packages have been kept back:\n  linux-image-amd64\n' ;;
esac
"""


def test_a_kernel_update_needing_a_new_package_is_installed(tmp_path, monkeypatch):
    """Debian's kernel security updates come as a new package the metapackage
    (linux-image-amd64) needs: apt-get upgrade kept the metapackage back, so the
    SOP never installed them and reported the kernel as a held package."""
    log = apt_host(tmp_path, monkeypatch, KERNEL_APT)
    _fake_tool(tmp_path / "bin", "dpkg-query", "echo 'linux-image-amd64 amd64 6.1.124-1'\n")
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 0, result["msg"]
    assert result["held"] == []
    assert result["sop_output"]["upgraded"] == [
        "linux-image-amd64 6.1.119-1 -> 6.1.124-1",
        "linux-image-6.1.0-30-amd64 (baru) -> 6.1.124-1"]
    assert installed(log) == ["linux-image-amd64=6.1.124-1"]
    # Debian's kernel packages write no /run/reboot-required (unattended-upgrades' hook
    # does) and this host has no needrestart: the new kernel was never booted
    assert result["reboot_required"]["required"]
    assert result["reboot_required"]["reasons"][-1] == (
        "kernel diperbarui (linux-image-6.1.0-30-amd64, linux-image-amd64)")


# A Debian 12 host whose openssh-client security fix (deb12u9, bookworm-security) was
# followed by a point release (deb12u10, bookworm): apt's candidate is the point
# release's. curl's security version is older than the installed one (recorded output).
SUPERSEDED_UPGRADE = """Inst openssh-client [1:9.2p1-2+deb12u6] (1:9.2p1-2+deb12u10 Debian:12.15/oldstable [amd64])
Inst curl [7.88.1-10+deb12u14] (7.88.1-10+deb12u15 Debian:12.15/oldstable [amd64]) []
"""  # noqa: E501 (apt's lines as they are)
PACKAGE_FILES = """Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     release v=12,o=Debian,a=oldstable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
     origin deb.debian.org
 500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages
     release v=12-updates,o=Debian,a=oldstable-updates,n=bookworm-updates,l=Debian,c=main,b=amd64
     origin deb.debian.org
 500 http://deb.debian.org/debian bookworm/main amd64 Packages
     release v=12.15,o=Debian,a=oldstable,n=bookworm,l=Debian,c=main,b=amd64
     origin deb.debian.org
Pinned packages:
"""
VERSION_TABLES = """openssh-client:
  Installed: 1:9.2p1-2+deb12u6
  Candidate: 1:9.2p1-2+deb12u10
  Version table:
     1:9.2p1-2+deb12u10 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
     1:9.2p1-2+deb12u9 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     1:9.2p1-2+deb12u7 500
        500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages
 *** 1:9.2p1-2+deb12u6 100
        100 /var/lib/dpkg/status
curl:
  Installed: 7.88.1-10+deb12u14
  Candidate: 7.88.1-10+deb12u15
  Version table:
     7.88.1-10+deb12u15 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
 *** 7.88.1-10+deb12u14 100
        100 /var/lib/dpkg/status
     7.88.1-10+deb12u5 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""


def test_a_security_fix_behind_a_newer_candidate_is_a_security_update():
    """apt's candidate of openssh-client came from a later point release, so its Inst line
    named no security archive: the condition report counted no pending security update
    and a security-only maintenance left the security fix (deb12u9) uninstalled."""
    def run(argv, _limit):
        if "showhold" in argv:
            return 0, "", ""
        if argv[-1] == "policy":
            return 0, PACKAGE_FILES, ""
        if "policy" in argv:
            assert argv[argv.index("policy") + 1:] == ["openssh-client", "curl"]
            return 0, VERSION_TABLES, ""
        return 0, SUPERSEDED_UPGRADE, ""

    pending = srv.apt_pending(run, False, "security", [])
    assert [(u["name"], u["candidate"], u.get("security_candidate"))
            for u in pending["security"]] == [
        ("openssh-client", "1:9.2p1-2+deb12u10", "1:9.2p1-2+deb12u9")]
    assert [u["name"] for u in pending["other"]] == ["curl"]
    assert srv.package_file_origins(PACKAGE_FILES)[
        "http://deb.debian.org/debian-security bookworm-security/main amd64 Packages"] == \
        "Debian-Security:12/oldstable-security"


SUPERSEDED_APT = r"""
echo "$*" >> "$LOG"
case "$*" in
  *-s*upgrade*) printf '%s\n' "$UPGRADE" ;;
  *-s*install*) printf 'Inst openssh-client [1:9.2p1-2+deb12u6] (%s %s [amd64])\n' \
    "${*##*=}" "$ORIGIN" ;;
esac
"""


@pytest.mark.parametrize(("scope", "after"), [("security", "1:9.2p1-2+deb12u9"),
                                               ("all", "1:9.2p1-2+deb12u10")])
def test_a_security_only_upgrade_installs_the_security_archives_version(tmp_path, monkeypatch,
                                                                        scope, after):
    log = apt_host(tmp_path, monkeypatch, SUPERSEDED_APT)
    monkeypatch.setenv("UPGRADE", SUPERSEDED_UPGRADE.splitlines()[0])
    monkeypatch.setenv("ORIGIN", "Debian-Security:12/oldstable-security")
    (tmp_path / "files").write_text(PACKAGE_FILES)
    (tmp_path / "tables").write_text(VERSION_TABLES)
    _fake_tool(tmp_path / "bin", "apt-cache",
               f'[ "$*" = policy ] && cat {tmp_path}/files || cat {tmp_path}/tables\n')
    _fake_tool(tmp_path / "bin", "dpkg-query", f"echo 'openssh-client amd64 {after}'\n")
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False, "scope": scope})
    assert rc == 0, result["msg"]
    assert result["upgraded"] == [{"name": "openssh-client", "before": "1:9.2p1-2+deb12u6",
                                   "after": after, "security": True}]
    assert installed(log) == [f"openssh-client={after}"]


def test_a_failed_upgrade_is_one_line_naming_apts_error(tmp_path, monkeypatch):
    failing = FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "").replace(
        "esac\n", """  *--no-download*) printf 'Setting up libmariadb3 ...\\n'
    printf 'dpkg: error processing package libmariadb3 (--configure):\\n'
    printf ' installed libmariadb3 post-installation script returned error exit status 1\\n' >&2
    printf 'Errors were encountered while processing:\\n libmariadb3\\n' >&2
    printf 'E: Sub-process /usr/bin/dpkg returned an error code (1)\\n' >&2
    exit 100 ;;
esac
""")
    apt_host(tmp_path, monkeypatch, failing)
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 1
    assert result["msg"] == ("apt-get install failed: dpkg: error processing package "
                             "libmariadb3 (--configure); "
                             "E: Sub-process /usr/bin/dpkg returned an error code (1)")


@pytest.mark.parametrize("line", [
    "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?",
    "E: Can't find a source to download version '1:10.11.11-0+deb12u1' of 'libmariadb3:amd64'",
    "E: Version '1:10.11.11-0+deb12u1' for 'libmariadb3' was not found"])
def test_an_install_after_apts_lists_changed_says_what_to_do(tmp_path, monkeypatch, line):
    """An apt-get update between the download and the install (unattended-upgrades, an
    administrator) leaves the install from apt's cache without an archive of a version:
    apt's line alone left the court guessing. It says what happened and what to do."""
    failing = FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "").replace(
        "esac\n", f"""  *--no-download*) printf '%s\\n' "{line}" >&2; exit 100 ;;
esac
""")
    apt_host(tmp_path, monkeypatch, failing)
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    assert rc == 1 and result["upgraded"] == []
    assert result["msg"] == (
        f"apt-get install failed: {line}; daftar paket apt berubah setelah unduhan "
        "(apt-get update lain berjalan), arsip paket yang diunduh tidak cocok lagi; tidak ada "
        "paket yang dipasang: jalankan perawatan lagi, unduhan diulang")


def test_apt_failures_are_one_line():
    def run(argv, _limit):
        if "showhold" in argv:
            return 0, "", ""
        return 100, "Reading package lists...\n", (
            "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct "
            "the problem.\n")
    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, False, "security", [])
    assert str(failure.value) == ("apt-get -s upgrade failed: E: dpkg was interrupted, you must "
                                  "manually run 'dpkg --configure -a' to correct the problem.")
    assert srv.apt_failure("Reading package lists...\n", "W: one\nsomething broke\n") == \
        "something broke"


def test_an_install_stopped_by_a_full_disk_names_it():
    """A full /boot stops a kernel's postinst in update-initramfs: apt's and dpkg's error
    lines named the package and mkinitramfs, not the full disk."""
    out = ("Setting up linux-image-5.15.0-91-generic (5.15.0-91.101) ...\n"
           "update-initramfs: Generating /boot/initrd.img-5.15.0-91-generic\n"
           "\ngzip: stdout: No space left on device\n"
           "E: mkinitramfs failure cpio 141 gzip 1\n"
           "update-initramfs: failed for /boot/initrd.img-5.15.0-91-generic with 1.\n")
    err = ("dpkg: error processing package linux-image-5.15.0-91-generic (--configure):\n"
           " installed linux-image-5.15.0-91-generic package post-installation script "
           "subprocess returned error exit status 1\n"
           "E: Sub-process /usr/bin/dpkg returned an error code (1)\n")
    assert srv.apt_failure(out, err) == (
        "gzip: stdout: No space left on device; E: mkinitramfs failure cpio 141 gzip 1; "
        "dpkg: error processing package linux-image-5.15.0-91-generic (--configure); "
        "E: Sub-process /usr/bin/dpkg returned an error code (1)")
    unpack = ("dpkg: error processing archive /var/cache/apt/archives/x.deb (--unpack):\n"
              " cannot copy extracted data for './usr/bin/x' to '/usr/bin/x.dpkg-new': "
              "failed to write (No space left on device)\n")
    assert srv.apt_failure("", unpack).startswith("cannot copy extracted data")


# dpkg-query as on a multiarch (amd64 + i386) host: a name without an architecture
# matches every installed architecture, ${Package} never carries one.
FAKE_DPKG_QUERY = r"""
import re, sys
installed = {("libc6", "amd64"): "2.36-9+deb12u9", ("libc6", "i386"): "{i386}",
             ("tzdata", "all"): "2025b-0+deb12u1"}
fmt = sys.argv[sys.argv.index("-f") + 1].encode().decode("unicode_escape")
for spec in sys.argv[sys.argv.index("-f") + 2:]:
    name, _, arch = spec.partition(":")
    for (pkg, a), version in installed.items():
        if pkg == name and arch in ("", a):
            fields = {"Package": pkg, "Architecture": a, "Version": version,
                      "binary:Package": pkg + (":" + a if a == "i386" or pkg == "libc6" else "")}
            sys.stdout.write(re.sub(r"\$\{([^}]+)\}", lambda m: fields[m.group(1)], fmt))
"""

MULTIARCH_APT = r"""
echo "$*" >> "$LOG"
case "$*" in
  *-s*upgrade*|*-s*install*) cat <<'SIM'
Inst libc6 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian-Security:12/stable-security [amd64])
Inst libc6:i386 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian-Security:12/stable-security [i386])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian-Security:12/stable-security [all])
SIM
  ;;
esac
"""


@pytest.mark.parametrize("i386_after", ["2.36-9+deb12u9", "2.36-9+deb12u7"])
def test_multiarch_upgrade_is_checked_per_architecture(tmp_path, monkeypatch, i386_after):
    """apt names a foreign-architecture package 'libc6:i386'; dpkg-query's ${Package} is
    'libc6' for both architectures: a successful upgrade of libc6:i386 failed with
    'upgrade did not take effect', and an i386 package left behind could pass as upgraded
    when the amd64 one was."""
    apt_host(tmp_path, monkeypatch, MULTIARCH_APT)
    fake = tmp_path / "bin" / "dpkg-query"
    fake.write_text(f"#!{sys.executable}\n" + FAKE_DPKG_QUERY.replace("{i386}", i386_after))
    rc, result = run_module("server_updates", tmp_path, {"update_cache": False})
    if i386_after == "2.36-9+deb12u9":
        assert rc == 0, result["msg"]
        assert [u["name"] for u in result["upgraded"]] == ["libc6", "libc6:i386", "tzdata"]
    else:
        assert rc == 1
        assert result["msg"] == ("upgrade did not take effect: libc6:i386 2.36-9+deb12u7 "
                                 "(expected 2.36-9+deb12u9)")


def test_a_hold_pattern_holds_the_package_on_every_architecture():
    assert srv.matches_any("libc6:i386", ["libc6"])
    assert srv.matches_any("mariadb-common:i386", ["mariadb-*"])
    assert not srv.matches_any("libc6-dev:i386", ["libc6"])
    upgrade = srv.parse_apt_simulation(
        "Inst libc6:i386 [2.36-9+deb12u7] "
        "(2.36-9+deb12u9 Debian-Security:12/stable-security [i386])", "security")
    assert upgrade == [{"name": "libc6:i386", "installed": "2.36-9+deb12u7",
                        "candidate": "2.36-9+deb12u9", "arch": "i386", "security": True,
                        "origin": "Debian-Security:12/stable-security"}]


class SystemdModule:
    """server_remediate's view of systemd: units in the given ActiveState; a restart
    makes a unit active."""

    def __init__(self, states, check_mode=False, unit_files=None):
        self.states, self.check_mode, self.calls, self.warnings = dict(states), check_mode, [], []
        self.params = {"services": list(states)}
        self.unit_files = unit_files or {}

    def run_command(self, argv, **_kwargs):
        self.calls.append(list(argv))
        unit = argv[2].removesuffix(".service")
        if argv[1] == "restart":
            self.states[unit] = "active"
            return 0, "", ""
        unit_file = self.unit_files.get(unit, "enabled")
        # systemd's LoadState of a masked unit (its file linked to /dev/null) is masked
        load = "masked" if unit_file == "masked" else "loaded"
        return 0, (f"LoadState={load}\nActiveState={self.states[unit]}\n"
                   f"UnitFileState={unit_file}\n"), ""

    def warn(self, text):
        self.warnings.append(text)

    def get_bin_path(self, name):
        return name

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs["msg"])


def test_restart_only_failed_or_stopped_units():
    """A unit an administrator is stopping (deactivating), one starting or reloading was
    restarted like a failed one: only failed and inactive units are restarted, the
    others are named and left alone."""
    module = SystemdModule({"mariadb": "failed", "nginx": "deactivating", "apache2": "inactive",
                            "mysql": "activating", "php8.2-fpm": "reloading",
                            "redis-server": "active"})
    _before, after, done, skipped = remediate.restart_service(module)
    assert [c[2] for c in module.calls if c[1] == "restart"] == ["mariadb.service",
                                                                 "apache2.service"]
    assert done == ["restart mariadb", "restart apache2"]
    assert skipped == ["nginx sedang deactivating, tidak di-restart",
                       "mysql sedang activating, tidak di-restart",
                       "php8.2-fpm sedang reloading, tidak di-restart"]
    assert after["nginx"]["active"] == "deactivating"


def test_a_failed_unit_not_enabled_is_named_not_restarted():
    """A failed unit an administrator disabled or masked was left alone without a word:
    the incident record said nothing restarted and nothing skipped, the database still
    down. It is still not restarted (turning it back on is the administrator's call),
    and named with its state; a stopped unit not enabled is a server's normal state.
    A masked unit's LoadState is masked, not loaded: it was left out as no unit at all."""
    module = SystemdModule({"mariadb": "failed", "apache2": "inactive", "nginx": "failed",
                            "mysql": "failed"},
                           unit_files={"mariadb": "disabled", "apache2": "disabled",
                                       "nginx": "masked"})
    _before, _after, done, skipped = remediate.restart_service(module)
    assert done == ["restart mysql"]
    assert skipped == [
        "mariadb gagal, tetapi status unitnya disabled (bukan enabled), tidak di-restart",
        "nginx gagal, tetapi status unitnya masked (bukan enabled), tidak di-restart"]
    assert module.warnings == skipped


def test_a_backup_being_received_on_the_backup_computer_is_busy(tmp_path):
    """The backup computer's end of a SIPP backup's push is sipp_backup's receiver, the
    push key's forced command run by sshd (no dump, no Ansible there): the pre-check
    passed and the maintenance rebooted the backup computer in the middle of the push."""
    receiver = tmp_path / "sbin" / "sop-backup-receive"
    receiver.parent.mkdir()
    receiver.write_text("import time\ntime.sleep(30)\n")
    push = subprocess.Popen([sys.executable, str(receiver), "--keep-free=5", "--prefix=sipp",
                             str(tmp_path / "incoming")])
    try:
        _wait_cmdline(push.pid, b"--prefix=sipp")
        busy = [line for line in srv.busy_processes() if f"pid {push.pid}:" in line]
        assert len(busy) == 1
        assert busy[0].startswith(f"backup sedang diterima (pid {push.pid}: {sys.executable} ")
    finally:
        push.kill()
        push.wait()


def test_busy_processes_never_show_a_password(tmp_path):
    """A dump given its password on the command line (--password=..., -pSECRET,
    mydumper's -p SECRET) put it in the pre-check's failure message, kept in the SOP's
    records: the line names the process with the secrets masked."""
    # bash named as the tool (its argv[0]); read once its command line is there
    dump = subprocess.Popen(["mariadb-dump", "-c", "sleep 30; :", "x", "-uroot", "-pHunter2",
                             "--password=S3cret", "sipp"], executable="bash",
                            start_new_session=True)
    mydumper = subprocess.Popen(["mydumper", "-c", "sleep 30; :", "x", "-p", "Tiger7",
                                 "--pass=Lion8", "-B", "sipp"], executable="bash",
                                start_new_session=True)
    try:
        _wait_cmdline(dump.pid, b"mariadb-dump\0-c\0")
        _wait_cmdline(mydumper.pid, b"mydumper\0-c\0")
        busy = [line for line in srv.busy_processes()
                if f"pid {dump.pid}:" in line or f"pid {mydumper.pid}:" in line]
        assert len(busy) == 2
        assert not [line for line in busy if any(secret in line for secret in (
            "Hunter2", "S3cret", "Tiger7", "Lion8"))], busy
        assert "-uroot -p*** --password=*** sipp" in busy[0] + busy[1]
    finally:
        for proc in (dump, mydumper):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_mask_argv():
    assert secrets.mask_argv(["mysqldump", "--user=root", "--password=a b", "-p", "x", "-pY",
                             "--ssl-password=Z", "--port=3306", "sipp"]) == [
        "mysqldump", "--user=root", "--password=***", "-p", "***", "-p***",
        "--ssl-password=***", "--port=3306", "sipp"]


def test_mask_argv_keeps_a_p_option_outside_a_mariadb_client():
    # every -pX was taken for a MariaDB password and a bare -p's next word for its value:
    # find's -perm, tar's -pcf and mkdir -p's directory were shown as -p*** and ***
    assert secrets.mask_argv(["find", "/", "-perm", "-4000"]) == ["find", "/", "-perm", "-4000"]
    assert secrets.mask_argv(["tar", "-pcf", "b.tar", "/etc"]) == ["tar", "-pcf", "b.tar", "/etc"]
    assert secrets.mask_argv(["mkdir", "-p", "/srv/b"]) == ["mkdir", "-p", "/srv/b"]
    assert secrets.mask_argv(["/usr/bin/mariadb-dump", "-u", "x", "-pS3cret", "db"]) == [
        "/usr/bin/mariadb-dump", "-u", "x", "-p***", "db"]
    assert secrets.mask_argv(["mydumper", "-u", "x", "-p", "Tiger7"]) == [
        "mydumper", "-u", "x", "-p", "***"]


@pytest.mark.parametrize(("text", "shown"), [
    # the sipp_backup role's push check as its record kept it: StrictHostKeyChecking=***
    ("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/k b list",
     "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/k b list"),
    ("sshd: PasswordAuthentication: yes, PermitEmptyPasswords: no",
     "sshd: PasswordAuthentication: yes, PermitEmptyPasswords: no"),
    ("passwordauthentication = yes", "passwordauthentication = yes"),
    # a secret setting beside them is still masked, and a name merely holding a keyword
    ("ssh -o PubkeyAuthentication=no TOKEN=abc", "ssh -o PubkeyAuthentication=no TOKEN=***"),
    ("{HostKeyAlias: gw, sipp_db_password: x}", "{HostKeyAlias: gw, sipp_db_password: ***}"),
    ("StrictHostKeyCheckingPassword=abc", "StrictHostKeyCheckingPassword=***"),
])
def test_openssh_settings_are_no_secrets(text, shown):
    # their names hold "key", "auth" or "pass", their values are yes/no, lists or paths
    assert secrets.mask_ansible_error(text) == shown


def test_every_role_setting_named_as_a_secret_is_kept_or_a_secret():
    """A role option whose name holds a secret-looking word (SECRET_NAME) is either one
    of the project's kept settings (_PROJECT_SETTINGS), or a secret: a password, a token
    or a secret, or a key file's path. A new one fails here until someone decides."""
    secret_word = re.compile(r"pass|token|secret", re.IGNORECASE)
    undecided, named = [], set()
    for specs in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        for spec in yaml.safe_load(specs.read_text())["argument_specs"].values():
            for name, option in (spec.get("options") or {}).items():
                if not secrets.SECRET_NAME.search(name):
                    continue
                named.add(name)
                key_file = option.get("type") == "path" or name.endswith("_ssh_key")
                if name not in secrets._PROJECT_SETTINGS and not (
                        secret_word.search(name) or key_file):
                    undecided.append(f"{specs.parent.parent.name}: {name}")
    assert undecided == []
    assert named >= secrets._PROJECT_SETTINGS  # (a renamed setting leaves no stale name)
    assert not any(secret_word.search(name) for name in secrets._PROJECT_SETTINGS)


@pytest.mark.parametrize(("text", "shown"), [
    ("pengaturan salah: website_integrity_spam_keywords: must be a list, not true",
     "pengaturan salah: website_integrity_spam_keywords: must be a list, not true"),
    ("pengaturan salah: it_security_outside_group: must be a text, not a list",
     "pengaturan salah: it_security_outside_group: must be a text, not a list"),
    ('{"website_integrity_spam_keywords": ["judi"]}',
     '{"website_integrity_spam_keywords": ["judi"]}'),
    ("-e it_security_outside_group=sftp-only", "-e it_security_outside_group=sftp-only"),
    ("pengaturan salah: website_db_password: must be a text, not a list",
     "pengaturan salah: website_db_password: ***"),
    ("sipp_db_password: x", "sipp_db_password: ***"),
    # a name merely starting with a kept one, or another case of it, is no kept setting
    ("website_integrity_spam_keywords_token: x", "website_integrity_spam_keywords_token: ***"),
    ("WEBSITE_INTEGRITY_SPAM_KEYWORDS: x", "WEBSITE_INTEGRITY_SPAM_KEYWORDS: ***"),
    # a kept setting's value read to the line's end hid a secret setting after it
    ("website_integrity_spam_keywords: [judi] sipp_db_password: x",
     "website_integrity_spam_keywords: [judi] sipp_db_password: ***"),
    ("PasswordAuthentication: yes sipp_db_password: x",
     "PasswordAuthentication: yes sipp_db_password: ***"),
])
def test_the_projects_settings_named_as_secrets_are_kept(text, shown):
    # a refusal of one read "it_security_outside_group: ***": the admin never learnt why
    assert secrets.mask_ansible_error(text) == shown


@pytest.mark.parametrize(("command", "shown"), [
    ("find / -perm -4000 -type f", "find / -perm -4000 -type f"),
    ("tar -pcf /srv/b.tar /etc", "tar -pcf /srv/b.tar /etc"),
    ("failed: ssh-keygen -p -f key; cat /etc/mysql/my.cnf",
     "failed: ssh-keygen -p -f key; cat /etc/mysql/my.cnf"),
    ("mysql -psecret", "mysql -p***"),
    ("mariadb-dump -u x -pS3cret db", "mariadb-dump -u x -p*** db"),
    ("command '/usr/bin/mysqldump -pS3cret sipp | gzip' failed",
     "command '/usr/bin/mysqldump -p*** sipp | gzip' failed"),
    ("sh -c \"mysql -e 'select 1;' -pS3cret\"", "sh -c \"mysql -e 'select 1;' -p***"),
    # mydumper reads its password from the word after a bare -p (mask_argv's rule too):
    # the word was kept
    ("mydumper -u sipp -p Tiger7 -B sipp", "mydumper -u sipp -p *** -B sipp"),
    ("mysqldump -p -u sipp sipp", "mysqldump -p -u sipp sipp"),
])
def test_mask_command_masks_p_only_in_a_mariadb_clients_command(command, shown):
    # _COMMAND_SHORT_PASSWORD took every -pX for MariaDB's -pPASSWORD: a failure cause
    # quoting find -perm or tar -pcf was recorded as -p***
    assert secrets.mask_command(command) == shown


@pytest.mark.parametrize(("message", "shown"), [
    ("[Errno 2] No such file or directory: b'SYNC_TOKEN=abc'",
     "[Errno 2] No such file or directory: b'SYNC_TOKEN=***'"),
    ("cmd: ['mysqldump', '-pS3cret', 'db']", "cmd: ['mysqldump', '-p***', 'db']"),
    ('argv ["sync", "--api-token=abc"] failed', 'argv ["sync", "--api-token=***"] failed'),
    ("(PASSWORD=x)", "(PASSWORD=***"),
    # an argv word holding a space, as JSON or Python quotes it: masked up to its quote
    ('"cmd": ["mysqldump", "--password=a S3cretX", "db"]',
     '"cmd": ["mysqldump", "--password=***", "db"]'),
    ("cmd: ['sync', 'SYNC_TOKEN=a S3cretX']", "cmd: ['sync', 'SYNC_TOKEN=***']"),
    ("cmd: ['mydumper', '-p', 'Tiger7']", "cmd: ['mydumper', '-p', '***']"),
])
def test_mask_command_reads_words_a_quote_or_bracket_begins(message, shown):
    # a secret right after a quote, as Python shows an argv or a bytes path, was kept;
    # a word a quote began was masked to its first space only
    assert secrets.mask_command(message) == shown


@pytest.mark.parametrize(("message", "shown"), [
    ("cmd: ['sync', '--password', 'S3cretX']", "cmd: ['sync', '--password', '***']"),
    ('argv ["sync", "--api-token", "S3cretX", "-v"] failed',
     'argv ["sync", "--api-token", "***", "-v"] failed'),
    ("['sync', '--password', \"it's S3cretX\"]", "['sync', '--password', \"***\"]"),
    (r"['sync', '--password', 'it\'s S3cretX']", "['sync', '--password', '***']"),
    ('["mysqldump", "-pS3cretX", "sipp"]', '["mysqldump", "-p***", "sipp"]'),
    ("['mysqldump', '-uroot', '-p', 'S3cretX', 'sipp']",
     "['mysqldump', '-uroot', '-p', '***', 'sipp']"),
    ("'--password=S3cretX'", "'--password=***'"),
    # the other tools' password options
    ("['sshpass', '-P', 'assword:', '-p', 'S3cretX', 'ssh', '-p', '22', 'h']",
     "['sshpass', '-P', 'assword:', '-p', '***', 'ssh', '-p', '22', 'h']"),
    ('["zip", "-r", "-P", "S3cretX", "b.zip"]', '["zip", "-r", "-P", "***", "b.zip"]'),
    ("['openssl', 'enc', '-k', 'S3cretX', '-in', 'f']",
     "['openssl', 'enc', '-k', '***', '-in', 'f']"),
    ("['smbclient', '//nas/b', '-U', 'sipp%S3cretX']",
     "['smbclient', '//nas/b', '-U', 'sipp%***']"),
    ("['7z', 'a', '-pS3cretX', 'b.7z']; ['7z', 'a', '-p', 'b.7z']",
     "['7z', 'a', '-p***', 'b.7z']; ['7z', 'a', '-p', 'b.7z']"),
    # a bare -p or --password then the next option, or the list's end, is kept whole
    ("['mysqldump', '-p', '-u', 'sipp']", "['mysqldump', '-p', '-u', 'sipp']"),
    ("['mysql', '-p']; ['sync', '--password', '--verbose']",
     "['mysql', '-p']; ['sync', '--password', '--verbose']"),
])
def test_mask_command_masks_the_next_item_of_a_quoted_argv(message, shown):
    # Ansible's error quotes a command's argv as a Python list: --password's value in the
    # next item was kept, and after a bare -p the rest of the list was eaten as its value
    assert secrets.mask_command(message) == shown
    assert secrets.mask_ansible_error(message) == shown


@pytest.mark.parametrize(("message", "shown"), [
    (r'"cmd": "[\"sync\", \"--password\", \"S3cretX\"]"',
     r'"cmd": "[\"sync\", \"--password\", \"***\"]"'),
    (r'{"cmd": "[\"sync\", \"--api-token\", \"S3cretX\", \"-v\"]", "rc": 1}',
     r'{"cmd": "[\"sync\", \"--api-token\", \"***\", \"-v\"]", "rc": 1}'),
    (r'"[\"sync\", \"--password\", \"it\\\"s S3cretX\", \"-v\"]"',
     r'"[\"sync\", \"--password\", \"***\", \"-v\"]"'),
    (r'"[\"sync\", \"--password\", \"a\\\\\", \"-v\"]"',
     r'"[\"sync\", \"--password\", \"***\", \"-v\"]"'),
    (r'"[\"mysqldump\", \"-uroot\", \"-p\", \"S3cretX\", \"sipp\"]"',
     r'"[\"mysqldump\", \"-uroot\", \"-p\", \"***\", \"sipp\"]"'),
    (r'"[\"mysqldump\", \"-pS3cretX\", \"sipp\"]"', r'"[\"mysqldump\", \"-p***\", \"sipp\"]"'),
    (r'"[\"mysqldump\", \"--password=a S3cretX\", \"sipp\"]"',
     r'"[\"mysqldump\", \"--password=***\", \"sipp\"]"'),
    (r'"[\"sync\", \"SYNC_TOKEN=a S3cretX\", \"-v\"]"',
     r'"[\"sync\", \"SYNC_TOKEN=***\", \"-v\"]"'),
    # the other tools' password options
    (r'"[\"sshpass\", \"-f\", \"/x\", \"-p\", \"S3cretX\", \"ssh\", \"-p\", \"22\"]"',
     r'"[\"sshpass\", \"-f\", \"/x\", \"-p\", \"***\", \"ssh\", \"-p\", \"22\"]"'),
    (r'"[\"zip\", \"-r\", \"-P\", \"S3cretX\", \"b.zip\"]"',
     r'"[\"zip\", \"-r\", \"-P\", \"***\", \"b.zip\"]"'),
    (r'"[\"openssl\", \"enc\", \"-k\", \"S3cretX\", \"-in\", \"f\"]"',
     r'"[\"openssl\", \"enc\", \"-k\", \"***\", \"-in\", \"f\"]"'),
    (r'"[\"curl\", \"-u\", \"sipp:S3cretX\", \"https://x/\"]"',
     r'"[\"curl\", \"-u\", \"sipp:***\", \"https://x/\"]"'),
    (r'"[\"smbclient\", \"//nas/b\", \"-U\", \"sipp%S3cretX\", \"-c\", \"ls\"]"',
     r'"[\"smbclient\", \"//nas/b\", \"-U\", \"sipp%***\", \"-c\", \"ls\"]"'),
    (r'"[\"pip\", \"--proxy\", \"sipp:S3cretX@proxy:3128\"]"',
     r'"[\"pip\", \"--proxy\", \"***@proxy:3128\"]"'),
    # a bare -p or --password then the next option, or the list's end, is kept whole
    (r'"[\"mysqldump\", \"-p\", \"-u\", \"sipp\"]"',
     r'"[\"mysqldump\", \"-p\", \"-u\", \"sipp\"]"'),
    (r'"[\"mysql\", \"-p\"]"', r'"[\"mysql\", \"-p\"]"'),
    (r'"[\"sync\", \"--password\", \"--verbose\"]"',
     r'"[\"sync\", \"--password\", \"--verbose\"]"'),
])
def test_mask_command_masks_an_argv_json_escaped_in_a_json_string(message, shown):
    # a registered result printed as JSON shows a command's argv as a string: its items'
    # quotes escaped (\"), --password's next item was kept, -p's ate the list's end
    assert secrets.mask_command(message) == shown
    assert secrets.mask_ansible_error(message) == shown


@pytest.mark.parametrize(("command", "shown"), [
    ('mysqldump --password="my S3cretX pw" sipp', "mysqldump --password=*** sipp"),
    ("mysqldump --password='my S3cretX' sipp", "mysqldump --password=*** sipp"),
    ("mysql -p 'a S3cretX c' sipp", "mysql -p *** sipp"),
    ("mysql -p'a S3cretX c' sipp", "mysql -p*** sipp"),
    ('PASSWORD="x S3cretX" sync', "PASSWORD=*** sync"),
    ("SYNC_TOKEN='a S3cretX' sync", "SYNC_TOKEN=*** sync"),
    ("sync --api-key 'a S3cretX' --verbose", "sync --api-key *** --verbose"),
    (r'{"cmd": "mysql --password=\"a S3cretX\" sipp"}', '{"cmd": "mysql --password=*** sipp"}'),
    ("sshpass -p 'a;S3cretX c' ssh -p 22 h", "sshpass -p *** ssh -p 22 h"),
    ("7z a -p'a S3cretX' b.7z", "7z a -p*** b.7z"),
    ('zip -P "a S3cretX" b.zip', "zip -P *** b.zip"),
    ("openssl enc -k 'a S3cretX' -in f", "openssl enc -k *** -in f"),
    ("curl -u 'sipp:a S3cretX' https://x/", "curl -u 'sipp:***' https://x/"),
    ('smbclient //nas/b -U "sipp%a S3cretX" -c ls', 'smbclient //nas/b -U "sipp%***" -c ls'),
])
def test_mask_command_masks_a_quoted_value_whole(command, shown):
    # a quoted value holding a space was masked to its first word: --password="my secret"
    # was shown as --password=*** secret"
    assert secrets.mask_command(command) == shown


@pytest.mark.parametrize(("stderr", "shown"), [
    ("mariadb-admin: unknown variable 'pasword=a S3cretX'",
     "mariadb-admin: unknown variable 'pasword=***'"),
    ("mysqladmin: [ERROR] unknown variable 'pasword=S3cretX'.",
     "mysqladmin: [ERROR] unknown variable 'pasword=***'."),
    ("mariadb-admin: unknown variable 'pasword=S3cretX",
     "mariadb-admin: unknown variable 'pasword=***"),
    ("mariadb-admin: unknown option '--pasword'", "mariadb-admin: unknown option '--pasword'"),
])
@pytest.mark.parametrize("mask", ["mask_command", "mask_text", "mask_log_line"])
def test_the_value_of_an_option_a_client_refused_is_masked(stderr, shown, mask):
    # mariadb-admin ping (the maintenance post-check) reads root's option files: a password
    # under a misspelt name is quoted whole in its error, and no secret-looking name masked
    # it; mask_log_line (server_diagnose's ping output, a journal line) did not apply it
    assert getattr(secrets, mask)(stderr) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ('sync: config {"password": "S3cretX", "user": "sipp"}',
     'sync: config {"password": ***, "user": "sipp"}'),
    ("db_password: S3cretX", "db_password: ***"),
    ("Access denied for user 'sipp'@'localhost' (using password: YES)",
     "Access denied for user 'sipp'@'localhost' (using password: YES)"),
])
def test_mask_text_masks_a_secret_settings_value(text, shown):
    """A sync command printing its configuration: mask_text (sop_mask_text, the records
    of a module's or a command's text) applied mask_command's rules only, and a JSON or
    YAML password reached the sipp-sync record."""
    assert secrets.mask_text(text) == shown


@pytest.mark.parametrize(("command", "shown"), [
    ("sshpass -pS3cretX rsync -a /srv/b backup:", "sshpass -p*** rsync -a /srv/b backup:"),
    ("sshpass -v -p S3cretX ssh -p 2222 backup", "sshpass -v -p *** ssh -p 2222 backup"),
    ("sshpass -P assword -p S3cretX ssh h", "sshpass -P assword -p *** ssh h"),
    ("sshpass -e ssh -p 22 backup", "sshpass -e ssh -p 22 backup"),
    ("/usr/bin/7za a -pS3cretX /srv/b.7z /etc && mkdir -pv /x",
     "/usr/bin/7za a -p*** /srv/b.7z /etc && mkdir -pv /x"),
    ("7z x -pS3cretX b.7z", "7z x -p*** b.7z"),
    ("zip -r -P S3cretX b.zip /etc", "zip -r -P *** b.zip /etc"),
    ("unzip -P S3cretX b.zip", "unzip -P *** b.zip"),
    ("curl -u sipp:S3cretX https://pta.invalid/", "curl -u sipp:*** https://pta.invalid/"),
    ("curl -fsS --user=sipp:S3cretX -U proxy:S3cretX x",
     "curl -fsS --user=sipp:*** -U proxy:*** x"),
    ("smbclient //nas/backup -U sipp%S3cretX -c ls", "smbclient //nas/backup -U sipp%*** -c ls"),
    ("net ads join -Uadmin%S3cretX", "net ads join -Uadmin%***"),
    ("mysqladmin -uroot -pS3cretX status", "mysqladmin -uroot -p*** status"),
    ("wget --password=S3cretX https://x/", "wget --password=*** https://x/"),
    ("openssl enc -aes-256-cbc -pass pass:S3cretX -in f",
     "openssl enc -aes-256-cbc -pass *** -in f"),
    ("tar c /etc | /usr/bin/openssl enc -aes-256-cbc -pbkdf2 -k S3cretX -out b.enc",
     "tar c /etc | /usr/bin/openssl enc -aes-256-cbc -pbkdf2 -k *** -out b.enc"),
    ("openssl aes-256-cbc -d -k S3cretX -kfile /etc/key -in b.enc",
     "openssl aes-256-cbc -d -k *** -kfile /etc/key -in b.enc"),
    # other tools' ordinary options are kept
    ("curl -k https://x/; ssh -k h; ls -k /srv; openssl enc -kfile /etc/key -in f",
     "curl -k https://x/; ssh -k h; ls -k /srv; openssl enc -kfile /etc/key -in f"),
    ("mkdir -p /srv/b; ssh -p 22 backup; cp -pr a b; scp -P 2222 f h:; rsync -P a b",
     "mkdir -p /srv/b; ssh -p 22 backup; cp -pr a b; scp -P 2222 f h:; rsync -P a b"),
    ("docker run -u 1000:1000 img; date -u +%s; curl -u sipp https://x/",
     "docker run -u 1000:1000 img; date -u +%s; curl -u sipp https://x/"),
])
def test_mask_command_masks_other_tools_password_options(command, shown):
    # -pX was masked only after a MariaDB client's name (to keep find -perm and mkdir -p):
    # sshpass's and 7-Zip's -pX, zip's -P X, curl's user:X, Samba's user%X and openssl's
    # -k X were kept
    assert secrets.mask_command(command) == shown


@pytest.mark.parametrize(("argv", "shown"), [
    (["sshpass", "-pS3cretX", "ssh", "-p", "22", "h"],
     ["sshpass", "-p***", "ssh", "-p", "22", "h"]),
    (["sshpass", "-f", "/x", "ssh", "-p", "22"], ["sshpass", "-f", "/x", "ssh", "-p", "22"]),
    (["sshpass", "-p", "S3cretX", "rsync"], ["sshpass", "-p", "***", "rsync"]),
    (["7zr", "a", "-pS3cretX", "b.7z"], ["7zr", "a", "-p***", "b.7z"]),
    (["unzip", "-P", "S3cretX", "b.zip"], ["unzip", "-P", "***", "b.zip"]),
    (["curl", "-u", "sipp:S3cretX", "--user=a:S3cretX"],
     ["curl", "-u", "sipp:***", "--user=a:***"]),
    (["smbclient", "//nas/b", "-U", "sipp%S3cretX"], ["smbclient", "//nas/b", "-U", "sipp%***"]),
    (["openssl", "enc", "-d", "-k", "S3cretX", "-kfile", "/etc/key"],
     ["openssl", "enc", "-d", "-k", "***", "-kfile", "/etc/key"]),
    (["curl", "-k", "https://x/"], ["curl", "-k", "https://x/"]),
    (["docker", "run", "-u", "1000:1000", "-p", "80"],
     ["docker", "run", "-u", "1000:1000", "-p", "80"]),
])
def test_mask_argv_masks_other_tools_password_options(argv, shown):
    assert secrets.mask_argv(argv) == shown


@pytest.mark.parametrize(("text", "shown"), [
    # an argv quoted as Python or JSON shows it
    ("cmd: ['curl', '-u', 'admin:S3cretX', 'https://x/']",
     "cmd: ['curl', '-u', 'admin:***', 'https://x/']"),
    ('"cmd": ["curl", "--proxy-user", "proxy:S3cretX", "-x", "p:3128"]',
     '"cmd": ["curl", "--proxy-user", "proxy:***", "-x", "p:3128"]'),
    # --user and --proxy-user without curl's name (a wrapper script, a cut line)
    ("sh: 1: --user=admin:S3cretX: not found", "sh: 1: --user=admin:*** not found"),
    ("fetch-sipp --user admin:S3cretX --proxy-user=p:S3cretX",
     "fetch-sipp --user admin:*** --proxy-user=p:***"),
    ("sudo --user=backup rsync -a /srv/b nas:", "sudo --user=backup rsync -a /srv/b nas:"),
])
def test_mask_command_masks_curls_user_password_everywhere(text, shown):
    # curl's -u user:X was masked only when its words followed curl's name on one line:
    # an argv quoted as a list, or --user X without curl's name, kept the password
    assert secrets.mask_command(text) == shown


@pytest.mark.parametrize(("line", "shown"), [
    ("CRON[812]: (root) CMD (curl -fsS -u admin:S3cretX https://x/ping)",
     "CRON[812]: (root) CMD (curl -fsS -u admin:*** https://x/ping)"),
    ("CRON[812]: (root) CMD (curl --user admin:S3cretX -U p:S3cretX https://x/)",
     "CRON[812]: (root) CMD (curl --user admin:*** -U p:*** https://x/)"),
    ("CRON[812]: (root) CMD (smbclient //nas/b -U sipp%S3cretX -c ls)",
     "CRON[812]: (root) CMD (smbclient //nas/b -U sipp%*** -c ls)"),
    ("CRON[812]: (root) CMD (date -u +%H:%M; docker run -u 1000:1000 img)",
     "CRON[812]: (root) CMD (date -u +%H:%M; docker run -u 1000:1000 img)"),
])
def test_mask_log_line_masks_the_password_options_of_a_logged_command(line, shown):
    # cron logs each command it runs: the journal's CMD line kept curl's user:password
    assert secrets.mask_log_line(line) == shown


@pytest.mark.parametrize(("line", "shown"), [
    # crontab -l, /etc/cron.d (its user field), cron's own log of the command
    ("30 1 * * * mysql -pS3cretX -e 'select 1'", "30 1 * * * mysql -p*** -e 'select 1'"),
    ("30 1 * * * root mysqldump -uroot -pS3cretX sipp | gzip > /srv/b.sql.gz",
     "30 1 * * * root mysqldump -uroot -p*** sipp | gzip > /srv/b.sql.gz"),
    ("@daily root /usr/bin/mysqldump -uroot -p S3cretX sipp > /srv/b-$(date +\\%F).sql",
     "@daily root /usr/bin/mysqldump -uroot -p *** sipp > /srv/b-$(date +\\%F).sql"),
    ("0 2 * * * mysqldump --password=S3cretX sipp", "0 2 * * * mysqldump --password=*** sipp"),
    ("0 2 * * * mariadb-dump --password S3cretX sipp",
     "0 2 * * * mariadb-dump --password *** sipp"),
    ("0 2 * * * mysqldump -uroot -p'S3cretX c' sipp", "0 2 * * * mysqldump -uroot -p*** sipp"),
    ("CRON[812]: (root) CMD (mysqldump -uroot -pS3cretX sipp > /srv/b.sql)",
     "CRON[812]: (root) CMD (mysqldump -uroot -p*** sipp > /srv/b.sql)"),
    # other commands' -p and a cron line without a client are kept
    ("0 3 * * * root mkdir -p /srv/b && tar -pcf /srv/b/etc.tar /etc",
     "0 3 * * * root mkdir -p /srv/b && tar -pcf /srv/b/etc.tar /etc"),
])
def test_a_cron_lines_mariadb_password_is_masked(line, shown):
    # mask_log_line masked a MariaDB client's --password=X but not its -pX or -p X, nor a
    # --password X: a cron line (crontab -l, /etc/cron.d, cron's CMD log) kept them
    assert secrets.mask_log_line(line) == shown
    assert secrets.mask_command(line) == shown
    assert secrets.mask_ansible_error(line) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ("curl -x admin:S3cretX@proxy.pta:3128 https://x/", "curl -x ***@proxy.pta:3128 https://x/"),
    ("curl --proxy=admin:S3cretX@proxy:3128 --preproxy 'u:p@S3cretX@socks:1080' x",
     "curl --proxy=***@proxy:3128 --preproxy '***@socks:1080' x"),
    ("https_proxy=admin:S3cretX@proxy:3128 apt-get update",
     "https_proxy=***@proxy:3128 apt-get update"),
    ('E: Acquire::http::Proxy "admin:S3cretX@proxy:3128";',
     'E: Acquire::http::Proxy "***@proxy:3128";'),
    ("cmd: ['pip', 'install', '--proxy', 'admin:S3cretX@proxy:3128', 'x']",
     "cmd: ['pip', 'install', '--proxy', '***@proxy:3128', 'x']"),
    # with its scheme it is mask_url's; a proxy without credentials, ssh -x user@host kept
    ("HTTPS_PROXY=http://admin:S3cretX@proxy:3128", "HTTPS_PROXY=http://***@proxy:3128"),
    ("curl -x proxy:3128 https://x/; ssh -x backup@nas:/srv uptime; tar -xf b.tar",
     "curl -x proxy:3128 https://x/; ssh -x backup@nas:/srv uptime; tar -xf b.tar"),
])
def test_a_proxys_user_password_without_a_scheme_is_masked(text, shown):
    # curl and pip take a proxy without its scheme (user:X@proxy:3128): mask_url, which
    # reads scheme://, kept its password
    assert secrets.mask_command(text) == shown
    assert secrets.mask_log_line(text) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ("curl -H 'Authorization: Basic dXNlcjpTM2NyZXRY' https://x/",
     "curl -H 'Authorization: Basic ***' https://x/"),
    ('curl -sH "authorization: Bearer eyJhbGciOi.eyJzdWIi.S3cretX" https://x/',
     'curl -sH "authorization: Bearer ***" https://x/'),
    ("< Proxy-Authorization: Basic dXNlcjpTM2NyZXRY", "< Proxy-Authorization: Basic ***"),
    ("Authorization: S3cretX-raw-token", "Authorization: ***"),
    ('Authorization: Digest username="sipp", response="S3cretX"', "Authorization: Digest ***"),
    ("X-Api-Key: S3cretX", "X-Api-Key: ***"),
    ("headers: {'Authorization': 'Bearer S3cretX', 'X-Auth-Token': 'S3cretX', 'Accept': 'json'}",
     "headers: {'Authorization': 'Bearer ***', 'X-Auth-Token': '***', 'Accept': 'json'}"),
    (r'{"msg": "sent Private-Token: S3cretX\r\nHost: x"}',
     r'{"msg": "sent Private-Token: ***\r\nHost: x"}'),
    # prose and other headers are kept
    ("Authorization failed for user sipp; X-Frame-Options: DENY; Public-Key: (2048 bit)",
     "Authorization failed for user sipp; X-Frame-Options: DENY; Public-Key: (2048 bit)"),
])
def test_an_http_authorization_header_is_masked(text, shown):
    # a failed curl -H, a verbose client's request or a logged request kept the credentials
    # of its Authorization and API-key headers
    assert secrets.mask_command(text) == shown
    assert secrets.mask_log_line(text) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ('nginx: 10.0.0.9 - - "GET /api/perkara?api_key=S3cretX&page=2 HTTP/1.1" 200',
     'nginx: 10.0.0.9 - - "GET /api/perkara?api_key=***&page=2 HTTP/1.1" 200'),
    ("HTTP Error 401 for /sync?kode=400&access_token=S3cretX;sig=S3cretX#token=S3cretX",
     "HTTP Error 401 for /sync?kode=400&access_token=***;sig=***#token=***"),
    ("GET /?page=2&sort=desc&token= HTTP/1.1", "GET /?page=2&sort=desc&token= HTTP/1.1"),
    ("the token expired? renew the token & retry", "the token expired? renew the token & retry"),
])
def test_a_secret_query_parameter_of_a_path_is_masked(text, shown):
    # mask_url masks a query's secret values only in a URL with its scheme: a request's
    # path (an access log, an HTTP error naming the path) kept ?api_key=X
    assert secrets.mask_command(text) == shown
    assert secrets.mask_log_line(text) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ("$ANSIBLE_VAULT;1.1;AES256\n62383464313965396337\n33653266336532663365",
     "$ANSIBLE_VAULT;1.1;AES256\n***"),
    ("password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6238346431\n  3365326633\nuser: sipp",
     "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  ***\nuser: sipp"),
    (r'{"stdout": "$ANSIBLE_VAULT;1.2;AES256;prod\r\n6238346431\r\n3365326633", "rc": 1}',
     r'{"stdout": "$ANSIBLE_VAULT;1.2;AES256;prod\r\n***", "rc": 1}'),
    (r'{"stdout": "$ANSIBLE_VAULT;1.1;AES256\n6238346431\n3365326633\n", "rc": 1}',
     r'{"stdout": "$ANSIBLE_VAULT;1.1;AES256\n***\n", "rc": 1}'),
    # the lines after the payload are kept, a hex-looking word of prose too
    ("$ANSIBLE_VAULT;1.1;AES256\n6238346431\nadded to vars/main.yml",
     "$ANSIBLE_VAULT;1.1;AES256\n***\nadded to vars/main.yml"),
    ("a vault header alone: $ANSIBLE_VAULT;1.1;AES256",
     "a vault header alone: $ANSIBLE_VAULT;1.1;AES256"),
    # in a diff (--diff): each line after its + or - (the block's last line too), a
    # context line's space, a YAML value's indent after the mark
    ("+$ANSIBLE_VAULT;1.1;AES256\n+6238346431\n+3365326633\n",
     "+$ANSIBLE_VAULT;1.1;AES256\n+***\n"),
    ("@@ -1,3 +1,3 @@\n $ANSIBLE_VAULT;1.1;AES256\n-6238346431\n-3365326633\n+3031323334\n"
     "+3536\n password: x",
     "@@ -1,3 +1,3 @@\n $ANSIBLE_VAULT;1.1;AES256\n-***\n password: x"),
    ("-$ANSIBLE_VAULT;1.1;AES256\n-6238346431\n+$ANSIBLE_VAULT;1.2;AES256;prod\n+3031323334",
     "-$ANSIBLE_VAULT;1.1;AES256\n-***\n+$ANSIBLE_VAULT;1.2;AES256;prod\n+***"),
    ("+password: !vault |\n+  $ANSIBLE_VAULT;1.1;AES256\n+  6238346431\n+user: sipp",
     "+password: !vault |\n+  $ANSIBLE_VAULT;1.1;AES256\n+  ***\n+user: sipp"),
    (r'{"prepared": "+$ANSIBLE_VAULT;1.1;AES256\n+6238346431\n+3365326633\n"}',
     r'{"prepared": "+$ANSIBLE_VAULT;1.1;AES256\n+***\n"}'),
    # a line of prose after the header, and a mark alone, are kept
    ("+$ANSIBLE_VAULT;1.1;AES256\n+user: sipp\n-\n",
     "+$ANSIBLE_VAULT;1.1;AES256\n+user: sipp\n-\n"),
])
def test_an_ansible_vault_payload_is_masked(text, shown):
    # a task printing a vaulted file (cat, a failed template) put its ciphertext in the record
    assert secrets.mask_command(text) == shown
    assert secrets.mask_log_line(text) == shown


# a line of ansible-vault's payload: 80 hex digits
VAULT_LINE = "36356137336233623137356566636234336630633238623263303961306462303862383966376537"


@pytest.mark.parametrize(("line", "shown"), [
    (VAULT_LINE + "\n", "***\n"),
    ("          " + VAULT_LINE + "\r\n", "          ***\r\n"),
    ("\x1b[0;31m   " + VAULT_LINE + "\x1b[0m\n", "\x1b[0;31m   ***\x1b[0m\n"),
    ("stdout_lines: ['$ANSIBLE_VAULT;1.1;AES256', '" + VAULT_LINE + "', '6237']",
     "stdout_lines: ['$ANSIBLE_VAULT;1.1;AES256', '***', '6237']"),
    (r'{"stdout": "' + VAULT_LINE + r'\n' + VAULT_LINE + '"}', r'{"stdout": "***\n***"}'),
    # a diff's line (--diff, without its header in the hunk), after its colour too
    ("+" + VAULT_LINE + "\n", "+***\n"),
    ("-" + VAULT_LINE + "\r\n", "-***\r\n"),
    ("+    " + VAULT_LINE + "\n", "+    ***\n"),
    ("\x1b[0;32m+" + VAULT_LINE + "\x1b[0m\n", "\x1b[0;32m+***\x1b[0m\n"),
    (r'{"prepared": "+' + VAULT_LINE + r'\n-' + VAULT_LINE + '"}',
     r'{"prepared": "+***\n-***"}'),
    # other hex lines are kept: a sha256, a git commit, a line of 81 or 79, hex in prose
    ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"),
    ("07cc0aa1d0e3b5c0f1e2d3c4b5a69788796a5b4c\n", "07cc0aa1d0e3b5c0f1e2d3c4b5a69788796a5b4c\n"),
    (VAULT_LINE + "0\n", VAULT_LINE + "0\n"),
    (VAULT_LINE[1:] + "\n", VAULT_LINE[1:] + "\n"),
    ("sum " + VAULT_LINE + "\n", "sum " + VAULT_LINE + "\n"),
    ("+-" + VAULT_LINE + "\n", "+-" + VAULT_LINE + "\n"),
    ("+ sum " + VAULT_LINE + "\n", "+ sum " + VAULT_LINE + "\n"),
])
def test_a_vault_payload_line_is_masked_alone(line, shown):
    # the runner masks the stdout artifact one line at a time (Ansible's own lines, an
    # error quoting a vaulted vars file's lines): a payload line, without the header line
    # before it, was kept; ansible-vault writes the payload in lines of 80 hex digits
    assert secrets.mask_command(line) == shown
    assert secrets.mask_ansible_error(line) == shown
    assert secrets.mask_log_line(line) == shown


@pytest.mark.parametrize(("line", "shown"), [
    # MariaDB's "using password: YES/NO" says whether one was sent, not which: kept
    ("ERROR 1045 (28000): Access denied for user 'wordpress'@'localhost' (using password: YES)",
     "ERROR 1045 (28000): Access denied for user 'wordpress'@'localhost' (using password: YES)"),
    ("Access denied for user 'x'@'h' (using password: NO)",
     "Access denied for user 'x'@'h' (using password: NO)"),
    ("(using password: YES) password: hunter2", "(using password: YES) password: ***"),
    # everything else after a secret word's colon is masked, prose too: a passphrase of
    # plain words reads as prose as well
    ("password: YES", "password: ***"),
    ("(using password: YESS)", "(using password: ***"),
    ("(using password: hunter2)", "(using password: ***"),
    ("password: hunter2", "password: ***"),
    ("api_key: abc123", "api_key: ***"),
    ('db_password: "x y"', "db_password: ***"),
    ("[password: too short, user: sipp]", "[password: ***, user: sipp]"),
    ("password = too short", "password = ***"),
    ("password: the cat is on the mat", "password: ***"),
    ("ERROR! token: it is invalid", "ERROR! token: ***"),
])
def test_a_setting_is_masked_and_the_clients_using_password_kept(line, shown):
    # the client's "(using password: YES)" was recorded as "(using password: ***", the
    # cause's end lost, as if a password had been shown there
    assert secrets.mask_ansible_error(line) == shown


def test_mask_argv_masks_user_password_without_curls_name():
    assert secrets.mask_argv(["fetch-sipp", "--user", "admin:S3cretX", "--proxy-user=p:S3cretX"]
                             ) == ["fetch-sipp", "--user", "admin:***", "--proxy-user=p:***"]
    assert secrets.mask_argv(["sudo", "--user=backup", "id"]) == ["sudo", "--user=backup", "id"]


@pytest.mark.parametrize(("message", "shown"), [
    ("ERROR 1064: GRANT ALL ON sipp.* TO sipp@'%' IDENTIFIED BY 'S3cretX' WITH GRANT OPTION",
     "ERROR 1064: GRANT ALL ON sipp.* TO sipp@'%' IDENTIFIED BY *** WITH GRANT OPTION"),
    ("stderr: 'CREATE USER u IDENTIFIED BY ''S3cretX'''",
     "stderr: 'CREATE USER u IDENTIFIED BY ***'"),
    ('alter user u identified with mysql_native_password by \\"S3cretX\\"',
     "alter user u identified with mysql_native_password by ***"),
    ("CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('S3cretX')",
     "CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD(***)"),
    ("SET PASSWORD FOR 'u'@'%' = PASSWORD('S3cretX')", "SET PASSWORD FOR 'u'@'%' = PASSWORD(***)"),
    ("the host identified by its name", "the host identified by its name"),
    # a quote doubled or escaped in the password, as SQL, YAML, JSON and Python write it
    ("CREATE USER u IDENTIFIED BY 'it''s S3cretX' REQUIRE SSL",
     "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"),
    (r"CREATE USER u IDENTIFIED BY 'it\' S3cretX' REQUIRE SSL",
     "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"),
    (r"CREATE USER u IDENTIFIED BY 'S3cretX\\' REQUIRE SSL",
     "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"),
    ('CREATE USER u IDENTIFIED BY "it""s S3cretX" REQUIRE SSL',
     "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"),
    ("stderr: 'CREATE USER u IDENTIFIED BY ''#it''''s S3cretX'' REQUIRE SSL'",
     "stderr: 'CREATE USER u IDENTIFIED BY *** REQUIRE SSL'"),
    (r"stderr: 'CREATE USER u IDENTIFIED BY ''it\''s S3cretX'' REQUIRE SSL'",
     "stderr: 'CREATE USER u IDENTIFIED BY *** REQUIRE SSL'"),
    (r'{"msg": "alter user u identified by \"it\\\"s S3cretX\" require ssl"}',
     '{"msg": "alter user u identified by *** require ssl"}'),
    (r'{"cmd": "CREATE USER u IDENTIFIED BY ' + r"'it\\'s S3cretX' REQUIRE SSL" + '"}',
     '{"cmd": "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"}'),
    (r"['-e', 'CREATE USER u IDENTIFIED BY \'#it\'\'s S3cretX\' REQUIRE SSL']",
     "['-e', 'CREATE USER u IDENTIFIED BY *** REQUIRE SSL']"),
    ("SET PASSWORD='it s S3cretX'", "SET PASSWORD=***"),
    # an escaped backslash's quote in a JSON string (SQL's 'it\' s') that a later quote closes
    (r'{"cmd": "CREATE USER u IDENTIFIED BY ' + r"'it\\' s S3cretX' REQUIRE SSL" + '"}',
     '{"cmd": "CREATE USER u IDENTIFIED BY *** REQUIRE SSL"}'),
    # an empty password is the literal alone
    ("CREATE USER u IDENTIFIED BY '' REQUIRE SSL; SELECT 1",
     "CREATE USER u IDENTIFIED BY *** REQUIRE SSL; SELECT 1"),
    ('GRANT ALL ON sipp.* TO u IDENTIFIED BY "" WITH GRANT OPTION',
     "GRANT ALL ON sipp.* TO u IDENTIFIED BY *** WITH GRANT OPTION"),
    ("CREATE USER u IDENTIFIED BY '', v IDENTIFIED BY 'S3cretX'",
     "CREATE USER u IDENTIFIED BY ***, v IDENTIFIED BY ***"),
    ("stderr: 'CREATE USER u IDENTIFIED BY '''' REQUIRE SSL'",
     "stderr: 'CREATE USER u IDENTIFIED BY *** REQUIRE SSL'"),
    # a YAML-quoted password beginning with a space, and one cut short
    ("stderr: 'CREATE USER u IDENTIFIED BY '' S3cretX'' REQUIRE SSL'",
     "stderr: 'CREATE USER u IDENTIFIED BY *** REQUIRE SSL'"),
    ("stderr: 'CREATE USER u IDENTIFIED BY ''S3cre", "stderr: 'CREATE USER u IDENTIFIED BY ***"),
    # a line cut inside the password
    ("ERROR 1064: CREATE USER u IDENTIFIED BY 'S3cre",
     "ERROR 1064: CREATE USER u IDENTIFIED BY ***"),
])
def test_mask_command_masks_the_password_an_sql_statement_sets(message, shown):
    # a failed GRANT or CREATE USER quoted in a task's stderr was recorded with its password;
    # a quote doubled or escaped in it ended it there, and the rest was shown
    assert secrets.mask_command(message) == shown


@pytest.mark.parametrize(("line", "shown"), [
    ("2026-12-04 10:00:00 12 [Warning] Access denied for user 'sipp'@'localhost' to database "
     "'mysql' (query: GRANT ALL ON *.* TO 'sipp'@'%' IDENTIFIED BY 'S3cretX')",
     "2026-12-04 10:00:00 12 [Warning] Access denied for user 'sipp'@'localhost' to database "
     "'mysql' (query: GRANT ALL ON *.* TO 'sipp'@'%' IDENTIFIED BY ***)"),
    ("\t\t  12 Query\tALTER USER 'sipp'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('S3cretX')",
     "\t\t  12 Query\tALTER USER 'sipp'@'%' IDENTIFIED VIA ed25519 USING PASSWORD(***)"),
    ("[2026-12-04 10:00:00] production.ERROR: SQLSTATE[42000]: Syntax error (SQL: SET PASSWORD "
     "FOR 'sipp'@'%' = 'it''s S3cretX')",
     "[2026-12-04 10:00:00] production.ERROR: SQLSTATE[42000]: Syntax error (SQL: SET PASSWORD "
     "FOR 'sipp'@'%' = ***)"),
    # log text naming a password or an identity is kept
    ("sshd[812]: Accepted publickey for backup, host identified by its key ED25519",
     "sshd[812]: Accepted publickey for backup, host identified by its key ED25519"),
    ("mariadbd[77]: [Note] Password for 'sipp'@'%' expires in 5 days",
     "mariadbd[77]: [Note] Password for 'sipp'@'%' expires in 5 days"),
])
def test_mask_log_line_masks_the_password_an_sql_statement_sets(line, shown):
    # MariaDB's general or error log, or an application's, quoting a failed GRANT or
    # ALTER USER went into the diagnosis bundle with its password
    assert secrets.mask_log_line(line) == shown


@pytest.mark.parametrize("text", [
    "SET PASSWORD " * 20000,
    "IDENTIFIED BY '" + "a" * 300000,
    "IDENTIFIED WITH x" + " " * 300000 + "x",
    "IDENTIFIED BY \\'a\\" * 20000,
    "identified by ''a " * 20000,
    "IDENTIFIED BY " + "'" * 300000,
    "IDENTIFIED BY ''" + "\\'" * 150000,
    "IDENTIFIED BY 'a\\\\' " * 20000,
    "IDENTIFIED BY '' " * 20000 + "''",
    "--password='" * 20000,
    "x --password=\"" + "a" * 300000,
    "sshpass " * 20000 + "-p",
    "unknown variable 'a=" * 20000,
    " --" + "token" * 8000 + " -",  # a name tried at every split: 15 s
    " " + "X-" * 100000 + " y://z",  # a URL's scheme tried at every word start: 23 s
    " --" + "token" * 8000 + "=-",
    "curl --user 'a:" * 20000,
    "--user', '" * 20000,
    "--user " * 40000 + "a:",
    " " + "proxy:" * 50000 + " ",
    "--proxy', 'a:" * 20000,
    "http_proxy=a:b@" * 30000,
    "'Authorization: a" * 20000,
    '"X-Auth-Token": "' * 20000,
    " X-" + "_" * 200000 + "Key",
    "Authorization: \\" * 50000,
    "?token" * 50000,
    "&a=" * 100000,
    "$ANSIBLE_VAULT;1.1;AES256\n" * 20000,
    "$ANSIBLE_VAULT;1.1;AES256\\n" + "0" * 300000 + "x",
    "$ANSIBLE_VAULT;1;A;" + "b" * 300000,
    "https://a:b/" * 25000,
    "https://a:" + "x" * 300000,
    "--password', '" * 15000,
    "'-p', '" * 25000 + "-",
    '\\"--password\\", \\"' * 15000,
    '\\"-p\\", \\"' * 25000 + "-",
    'mysql \\"-p' * 25000,
    'curl \\"-u\\", \\"a:' * 20000,
    '--password\\", \\"a\\\\' * 20000,
    "mysql '-p" * 25000,
    "\n          " * 20000 + "0" * 79,
    "\n+ " * 100000 + "0" * 79,
    "$ANSIBLE_VAULT;1.1;AES256\n+" * 20000,
    "$ANSIBLE_VAULT;1.1;AES256\n+" + " " * 200000 + "x",
    "$ANSIBLE_VAULT;1.1;AES256" + "\n+0 " * 60000 + "x",
    "+" + " " * 200000 + "x",
    "\x1b[0m" + " " * 100000 + "+" + " " * 100000 + "x",
    " " * 200000 + "x",  # two runs of blanks around an optional colour code: 3 s for 20 KB
    "0" * 80 + " " * 100000 + "\x1b[0m" + " " * 100000 + "x",
    "--password'," + " " * 200000,
    "'" + "0" * 79 + "'" * 2000,
    ("0" * 80 + "'") * 2500,
    "password: is " * 15000 + "x",
    "password: " + "too " * 50000,
])
def test_an_sql_password_pattern_reads_a_crafted_line_in_linear_time(text):
    # SET PASSWORD's account ran to each line's '=': 20000 without one took about 10 s
    started = time.monotonic()
    for mask in (secrets.mask_command, secrets.mask_log_line, secrets.mask_ansible_error):
        mask(text)
    assert time.monotonic() - started < 5  # about 0.5 s on a loaded machine


@pytest.mark.parametrize("unit, last", [("key", "X"), ("PASSWORD", "x"), ("db_token_", "X")])
def test_a_long_name_holding_a_secret_word_many_times_is_read_once(unit, last):
    # mask_ansible_error's setting key was tried at every split of a name holding its
    # secret word many times when no colon or '=' followed the whole name (its last
    # letter in another case): 4 s for 18 KB, minutes for these 200 KB. Kept: no key.
    name = unit * (200_000 // len(unit))
    for text in (name + last + ": y", name + last + " = y", f'"{name}{last}": "y"'):
        assert secrets.mask_ansible_error(text) == text
    assert secrets.mask_ansible_error(name + ": y") == name + ": ***"
    assert secrets.mask_ansible_error(f'"{name}": "y"') == f'"{name}": ***'


def best_seconds(work, rounds=3):
    """The shortest of ``rounds`` runs of ``work``, in seconds (a loaded machine's pauses
    are left out of at least one)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize("word", ["password", "pre-shared-key", "secret"])
def test_an_export_line_repeating_a_secret_word_is_masked_in_linear_time(word):
    # an export key's [\w-]* before its secret word was tried at each of the word's
    # occurrences: a comment repeating it with no '=' after (a router's administrator
    # writes its comments) took 6 s for 256 KB, minutes for 1 MiB, about 25 minutes for
    # routeros_check's 4 MiB, holding net_config_store. Measured beside one plain re.sub
    # pass over the same line: 3 to 6 times its time, not thousands.
    line = f"add comment={word * ((1 << 20) // len(word))} password=Rahasia1 name=vpn"
    plain = re.compile(r"(password[=:]\s*)\S+", re.IGNORECASE)
    with within(60, "the masking of a 1 MiB export line"):
        masked = best_seconds(lambda: secrets.mask_export_lines(["/ppp secret", line]))
    assert secrets.mask_export_lines(["/ppp secret", line])[1] == line.replace(
        "Rahasia1", "********")
    assert masked < 50 * best_seconds(lambda: plain.sub(r"\1***", line))


def test_backup_age_of_a_ledger_mixing_time_zones_or_unreadable_times(tmp_path):
    """A ledger line whose time has no zone (written by hand or an older tool) beside
    the ledger's own zoned times raised TypeError (naive and aware datetimes compared);
    an unreadable or missing time raised ValueError or KeyError: the module ended in a
    traceback instead of a result."""
    now = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone(
        datetime.timedelta(hours=7)))
    local = now.astimezone().replace(tzinfo=None)
    events = [
        {"at": (local - datetime.timedelta(hours=30)).isoformat(timespec="seconds"),
         "event": "ingested", "name": "old.sql.zst", "sha256": "aa"},
        {"at": "2026-11-30T10:00:00+07:00", "event": "ingested", "name": "new.sql.zst",
         "sha256": "bb"},
        {"at": "yesterday", "event": "ingested", "name": "bad.sql.zst", "sha256": "cc"},
        {"event": "ingested", "name": "nodate.sql.zst", "sha256": "dd"},
    ]
    events += [{"at": "2026-11-30T11:00:00+07:00", "event": "verified", "name": n,
                "sha256": s, "status": "ok"}
               for n, s in (("old.sql.zst", "aa"), ("new.sql.zst", "bb"), ("bad.sql.zst", "cc"),
                            ("nodate.sql.zst", "dd"))]
    newest = backup_age.newest_verified(events, now)
    assert newest is not None and newest["name"] == "new.sql.zst"
    assert newest["age_hours"] == 2.0
    assert backup_age.newest_verified(events[:1] + events[4:5], now)["age_hours"] == 30.0
    assert backup_age.undated(events) == ["bad.sql.zst", "nodate.sql.zst"]
    store = tmp_path / "store"
    store.mkdir()
    for name in ("old", "new", "bad", "nodate"):
        (store / f"{name}.sql.zst").write_bytes(b"")
    (store / "ledger.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert rc == 0, result.get("msg")
    assert result["newest"]["name"] == "new.sql.zst"
    assert "tidak dihitung: bad.sql.zst, nodate.sql.zst" in json.dumps(result["warnings"])


HUNG = "exec sleep 20\n"  # a tool that never answers (a hung disk, D-Bus, database)


@pytest.fixture
def real_module(monkeypatch):
    """A real AnsibleModule in this process (its own run_command), made with the given
    parameters; every tool limited to 1 s."""
    def make(spec, args, check_mode=False):
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
            **args, "_ansible_check_mode": check_mode}}).encode())
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
        return basic.AnsibleModule(argument_spec=spec, supports_check_mode=True)

    for name in srv.TIME_LIMITS:
        monkeypatch.setitem(srv.TIME_LIMITS, name, 1)
    return make


def hung_tools(tmp_path, monkeypatch, **scripts):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in scripts.items():
        _fake_tool(bin_dir, name.replace("_", "-"), script)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


def test_condition_report_with_hung_tools_ends(tmp_path, monkeypatch, real_module):
    """smartctl on a hung disk, timedatectl with a hung D-Bus, needrestart and systemctl
    ran without a time limit: the condition report (and the SOP) waited forever."""
    hung_tools(tmp_path, monkeypatch, timedatectl=HUNG, needrestart=HUNG, systemctl=HUNG,
               smartctl='[ "$1" = --scan ] && { echo "/dev/sda -d sat # /dev/sda"; exit 0; }\n'
               + HUNG)
    probe = condition.Probe(real_module({}, {}))
    with within(10, "condition probes of hung tools"):
        disks = probe.disks()
        clock = probe.clock()
        reboot = probe.reboot()
        failed = probe.failed_units()
    assert clock is None and failed == [] and reboot["services"] == []
    assert disks == [{"device": "/dev/sda", "healthy": None,
                      "error": "smartctl tidak selesai dalam 1 detik"}]
    assert condition.flags(report(disks=disks), PARAMS) == [
        "Disk /dev/sda tidak menjawab SMART (smartctl tidak selesai dalam 1 detik)"]
    assert probe.not_visible == [
        "sinkronisasi jam (timedatectl tidak selesai dalam 1 detik)",
        "layanan yang perlu restart (needrestart tidak selesai dalam 1 detik)",
        "unit systemd gagal (systemctl tidak selesai dalam 1 detik)"]


def test_a_clock_check_timedatectl_cannot_answer_names_why(tmp_path, monkeypatch, real_module):
    """Every timedatectl that did not say yes or no was 'timedatectl tidak menjawab',
    a missing one too: no systemd as PID 1, or systemd before 239 without 'show', read
    as a hung tool."""
    hung_tools(tmp_path, monkeypatch, timedatectl='[ "$1" = show ] || exit 0\n'
               'echo "Unknown operation show." >&2; exit 1\n')
    probe = condition.Probe(real_module({}, {}))
    assert probe.clock() is None
    _fake_tool(tmp_path / "bin", "timedatectl", "echo\n")
    assert probe.clock() is None
    (tmp_path / "bin" / "timedatectl").unlink()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert probe.clock() is None
    assert probe.not_visible == [
        "sinkronisasi jam (timedatectl: Unknown operation show.)",
        "sinkronisasi jam (timedatectl: NTPSynchronized tidak terbaca (kosong))",
        "sinkronisasi jam (timedatectl tidak ada)"]
    _fake_tool(tmp_path / "bin", "timedatectl", "echo no\n")
    assert probe.clock() is False


def test_diagnosis_of_a_hung_database_and_journal_ends(tmp_path, monkeypatch, real_module):
    """mariadb-admin ping against a hung server and journalctl --grep over a huge journal
    ran without a time limit: the incident diagnosis never ended. Each read stopped is
    named with its tool and limit, in one line; what journalctl wrote before it was
    stopped is not the journal's last lines (its last line cut, a secret's name with it)
    and was shown as they; three reads stopped were one line naming none."""
    journal_host(tmp_path, monkeypatch)
    hung_tools(tmp_path, monkeypatch, mariadb_admin=HUNG,
               journalctl="echo '2026-01-05T10:00:00+0700 sipp kernel: first'\n" + HUNG,
               systemctl="""
case "$2" in
mariadb.service) printf 'Id=mariadb.service\\nLoadState=loaded\\nActiveState=active\\n\
SubState=running\\nResult=success\\nUnitFileState=enabled\\n' ;;
esac
""")
    module = real_module({"hours": {"type": "int"}, "log_lines": {"type": "int"},
                          "services": {"type": "list", "elements": "str"},
                          "peers": {"type": "list", "elements": "str"}},
                         {"hours": 24, "log_lines": 20, "services": ["mariadb"], "peers": []})
    with within(15, "diagnosis with a hung database and journal"):
        bundle = diagnose.Collector(module).collect()
    assert bundle["mariadb_ping"] == {"rc": None, "timed_out": True,
                                      "output": "mariadb-admin tidak selesai dalam 1 detik"}
    assert bundle["not_visible"] == [f"{read} tidak terbaca (journalctl tidak selesai dalam "
                                     "1 detik)" for read in JOURNAL_READS]
    assert bundle["journal_errors"] == bundle["oom_kills"] == bundle["logins"] == []
    assert "MariaDB tidak menjawab (mariadb-admin tidak selesai dalam 1 detik)" in \
        diagnose.causes(bundle, 97, 100)


DIAGNOSE_SPEC = {"hours": {"type": "int"}, "log_lines": {"type": "int"},
                 "services": {"type": "list", "elements": "str"},
                 "peers": {"type": "list", "elements": "str"}}
DIAGNOSE_ARGS = {"hours": 24, "log_lines": 20, "services": ["mariadb"], "peers": []}
NO_SOCKET = ("mariadb-admin: connect to server at 'localhost' failed\n"
             "error: 'Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)'\n"
             "Check that mariadbd is running and that the socket: '/run/mysqld/mysqld.sock' "
             "exists!\n")
TOO_MANY_TLS = ("Received error packet before completion of TLS handshake. The authenticity "
                "of the following error cannot be verified: 1040 - Too many connections")


def _mariadb(active):
    return {"name": "mariadb", "unit": "mariadb.service", "active": active,
            "sub": "running" if active == "active" else "dead", "result": "success",
            "enabled": "enabled"}


def test_a_download_that_hangs_is_stopped_before_anything_is_installed(tmp_path, monkeypatch,
                                                                      real_module, capsys):
    """apt-get install ran without a time limit: a mirror that stopped answering held the
    maintenance forever. The download alone is limited (killing dpkg midway would leave
    a half-upgraded server); the install reads apt's cache only."""
    updates = load("server_updates")
    log = apt_host(tmp_path, monkeypatch, 'echo "$*" >> "$LOG"\n'
                   'case "$*" in *--download-only*) exec sleep 20 ;; esac\n')
    module = real_module({}, {})
    with within(10, "a hung download"), pytest.raises(SystemExit):
        updates.install(module, ["libmariadb3=1:10.11.11-0+deb12u1"], 1, 0)
    result = json.loads(capsys.readouterr().out)
    assert result["msg"] == ("Unduhan paket: apt-get tidak selesai dalam 1 detik (mirror "
                             "lambat atau tidak menjawab); tidak ada paket yang dipasang")
    assert [line.split()[-2] for line in log.read_text().splitlines()] == ["--download-only"]
    log.write_text("")
    apt_get = tmp_path / "bin" / "apt-get"
    apt_get.write_text('#!/bin/sh\necho "$*" >> "$LOG"\n')
    with within(10, "a download and an install"):
        updates.install(module, ["libmariadb3=1:10.11.11-0+deb12u1"], 1, 0)
    assert [line.split()[-2] for line in log.read_text().splitlines()] == [
        "--download-only", "--no-download"]


def test_the_download_limit_is_the_modules_option(tmp_path, monkeypatch):
    """The download's limit was a fixed hour (TIME_LIMITS["download"]): a court behind a
    slower link could not give it more. It is download_timeout (the role's
    server_maintenance_download_timeout), a whole number of seconds, at least 1."""
    apt_host(tmp_path, monkeypatch, FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "")
             .replace("Inst mariadb-common [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 "
                      "Debian-Security:12/stable-security [all])\n", "", 1)
             .replace("esac\n", "  *--download-only*) exec sleep 20 ;;\nesac\n"))
    args = {"hold": ["mariadb-*"], "update_cache": False, "lock_timeout": 0}
    with within(15, "a hung download"):
        rc, result = run_module("server_updates", tmp_path, {**args, "download_timeout": 2})
    assert (rc, result["msg"]) == (1, "Unduhan paket: apt-get tidak selesai dalam 2 detik "
                                   "(mirror lambat atau tidak menjawab); tidak ada paket yang "
                                   "dipasang")
    for bad in (0, -5):
        rc, result = run_module("server_updates", tmp_path, {**args, "download_timeout": bad})
        assert (rc, result["msg"], result["setting"]) == (
            1, f"download_timeout: must be a positive number of seconds, not {bad}",
            "download_timeout")
    role = ROOT / "roles" / "server_maintenance"
    task = next(task for block in yaml.safe_load(
        (role / "tasks" / "perawatan_server.yml").read_text())
        for task in block.get("block", [block]) if "server_updates" in task)
    assert task["server_updates"]["download_timeout"] == \
        "{{ server_maintenance_download_timeout }}"
    assert yaml.safe_load((role / "defaults" / "main.yml").read_text())[
        "server_maintenance_download_timeout"] == 3600


# apt-get update (apt 2.6, LC_ALL=C) while unattended-upgrades holds the lists' lock:
# it fails at once, DPkg::Lock::Timeout or not (recorded on the lab).
LISTS_LOCKED = ("E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4401 "
                "(python3)\nE: Unable to lock directory /var/lib/apt/lists/\n")
# apt-get install when another process holds dpkg's frontend lock and DPkg::Lock::Timeout
# is 0 (after a wait apt writes DPKG_LOCK_WAITED and DPKG_LOCK_NOT_GOT instead).
DPKG_LOCKED = ("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 3320 "
               "(python3)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-"
               "frontend), is another process using it?\n")
# FAKE_APT without its removal and its held dependency: one install of libmariadb3.
INSTALLING_APT = (FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "")
                  .replace("Inst mariadb-common [1:10.11.6-0+deb12u1] (1:10.11.11-0+deb12u1 "
                           "Debian-Security:12/stable-security [all])\n", "", 1))


def test_apt_update_is_tried_again_while_the_lists_lock_is_held(monkeypatch):
    """apt-get update fails at once while another process (unattended-upgrades) holds
    /var/lib/apt/lists/lock; DPkg::Lock::Timeout does not make it wait. With a lock
    timeout it is tried again until the lock is free; without one (server_condition,
    which reads the lists it has) it still fails at once with apt's own line."""
    monkeypatch.setattr(srv, "APT_LOCK_RETRY_SECONDS", 0.05)
    updates = []

    def run(argv, limit):
        if "update" in argv:
            assert limit == "apt_update"
            updates.append(argv)
            return (100, "", LISTS_LOCKED) if len(updates) <= 2 else (0, "Reading...\n", "")
        return 0, "", ""

    with within(10, "a lock freed after two tries"):
        pending = srv.apt_pending(run, True, "security", [], 30)
    assert len(updates) == 3 and pending["security"] == []
    updates.clear()
    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert len(updates) == 1
    assert str(failure.value) == (
        "apt-get update failed: E: Could not get lock /var/lib/apt/lists/lock. It is held by "
        "process 4401 (python3); E: Unable to lock directory /var/lib/apt/lists/")


def test_updates_fail_with_nothing_installed_when_the_lists_lock_stays_held(tmp_path,
                                                                            monkeypatch):
    """unattended-upgrades holding apt's lists' lock failed the maintenance at once with
    apt's lines; it is waited for lock_timeout seconds, then the host fails with one line
    naming the holder apt printed, the wait, and that nothing was installed."""
    log = apt_host(tmp_path, monkeypatch, 'echo "$*" >> "$LOG"\n'
                   f'case "$*" in *update*) printf \'{LISTS_LOCKED}\' >&2; exit 100 ;; esac\n')
    started = time.monotonic()
    with within(20, "a lock held for ever"):
        rc, result = run_module("server_updates", tmp_path, {"lock_timeout": 2})
    assert time.monotonic() - started >= 2
    assert (rc, result["msg"]) == (1, (
        "apt/dpkg dipakai proses lain (process 4401 (python3), misalnya unattended-upgrades) "
        "lebih dari 2 detik; tidak ada paket yang dipasang: jalankan lagi setelah proses itu "
        "selesai"))
    tries = log.read_text().splitlines()
    assert len(tries) >= 2 and all(line == "-q update" for line in tries)
    log.write_text("")
    rc, result = run_module("server_updates", tmp_path, {"lock_timeout": 0})
    assert (rc, result["msg"]) == (1, (
        "apt/dpkg dipakai proses lain (process 4401 (python3), misalnya unattended-upgrades); "
        "tidak ada paket yang dipasang: jalankan lagi setelah proses itu selesai"))
    assert log.read_text().splitlines() == ["-q update"]
    rc, result = run_module("server_updates", tmp_path, {"lock_timeout": -1})
    assert (rc, result["msg"], result["setting"]) == (
        1, "lock_timeout: must be 0 (does not wait) or a positive number of seconds, not -1",
        "lock_timeout")


def test_installs_wait_for_dpkgs_lock(tmp_path, monkeypatch):
    """apt-get install failed at once while unattended-upgrades held dpkg's frontend lock:
    the download and the install wait lock_timeout seconds for it (DPkg::Lock::Timeout;
    the role's server_maintenance_apt_lock_timeout), then fail with one line, nothing
    installed."""
    log = apt_host(tmp_path, monkeypatch, INSTALLING_APT)
    args = {"hold": ["mariadb-*"], "update_cache": False}
    rc, result = run_module("server_updates", tmp_path, args)
    assert rc == 0, result["msg"]
    installs = [line for line in log.read_text().splitlines() if line.startswith("install")]
    assert [line.split()[-2] for line in installs] == ["--download-only", "--no-download"]
    assert all("-o DPkg::Lock::Timeout=300 " in line for line in installs)
    for step in ("--download-only", "--no-download"):
        log.write_text("")
        (tmp_path / "bin" / "apt-get").write_text("#!/bin/sh\n" + INSTALLING_APT.replace(
            "esac\n", f"  *{step}*) printf '{DPKG_LOCKED}' >&2; exit 100 ;;\nesac\n"))
        rc, result = run_module("server_updates", tmp_path, {**args, "lock_timeout": 7})
        assert (rc, result["msg"]) == (1, (
            "apt/dpkg dipakai proses lain (process 3320 (python3), misalnya "
            "unattended-upgrades) lebih dari 7 detik; tidak ada paket yang dipasang: jalankan "
            "lagi setelah proses itu selesai")), step
        assert "-o DPkg::Lock::Timeout=7 " in log.read_text().splitlines()[-1]
    role = ROOT / "roles" / "server_maintenance"
    task = next(task for block in yaml.safe_load(
        (role / "tasks" / "perawatan_server.yml").read_text())
        for task in block.get("block", [block]) if "server_updates" in task)
    assert task["server_updates"]["lock_timeout"] == "{{ server_maintenance_apt_lock_timeout }}"
    assert yaml.safe_load((role / "defaults" / "main.yml").read_text())[
        "server_maintenance_apt_lock_timeout"] == 300


# apt-get install (apt 2.6.1, LC_ALL=C, -q) waiting for dpkg's frontend lock with
# DPkg::Lock::Timeout=3 (recorded): a waiting line a second on stdout and, the lock still
# held, no 'E: Could not get lock' line, only the frontend lock's line on stderr.
DPKG_LOCK_WAITED = ("Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is "
                    "held by process 3320 (unattended-upgr)...\n") * 3
DPKG_LOCK_NOT_GOT = ("E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), "
                     "is another process using it?\n")


def test_a_dpkg_lock_still_held_after_the_wait_names_its_holder(tmp_path, monkeypatch):
    """After waiting lock_timeout seconds apt prints no 'E: Could not get lock' line: a
    lock held by unattended-upgrades all along failed the download with apt's line alone,
    not the holder, the wait and that nothing was installed."""
    apt_host(tmp_path, monkeypatch, INSTALLING_APT.replace(
        "esac\n", f"  *--download-only*) printf '{DPKG_LOCK_WAITED}'; "
                  f"printf '{DPKG_LOCK_NOT_GOT}' >&2; exit 100 ;;\nesac\n"))
    rc, result = run_module("server_updates", tmp_path, {
        "hold": ["mariadb-*"], "update_cache": False, "lock_timeout": 3})
    assert (rc, result["msg"]) == (1, (
        "apt/dpkg dipakai proses lain (process 3320 (unattended-upgr)) lebih dari 3 detik; "
        "tidak ada paket yang dipasang: jalankan lagi setelah proses itu selesai"))
    # dpkg's own lock (an administrator's dpkg -i): the last waiting line names its holder
    assert srv.apt_lock(
        DPKG_LOCK_WAITED + "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock. It "
        "is held by process 4120 (dpkg)...\nE: Unable to lock the administration directory "
        "(/var/lib/dpkg/), is another process using it?\n") == (
        "/var/lib/dpkg/lock", "process 4120 (dpkg)")
    # the lock got after a wait, then another failure (recorded): no lock to blame
    assert srv.apt_lock(DPKG_LOCK_WAITED + "Reading package lists...\n"
                        "E: Unable to locate package sop-none\n") is None


def test_a_wait_for_dpkgs_lock_does_not_shorten_the_download(tmp_path, monkeypatch):
    """apt-get waits for dpkg's lock inside the download's run: that run is stopped after
    download_timeout plus lock_timeout, not download_timeout alone."""
    apt_host(tmp_path, monkeypatch, INSTALLING_APT.replace(
        "esac\n", "  *--download-only*) exec sleep 20 ;;\nesac\n"))
    started = time.monotonic()
    with within(15, "a hung download"):
        rc, result = run_module("server_updates", tmp_path, {
            "hold": ["mariadb-*"], "update_cache": False, "download_timeout": 1,
            "lock_timeout": 2})
    assert time.monotonic() - started >= 3
    assert (rc, result["msg"]) == (1, "Unduhan paket: apt-get tidak selesai dalam 1 detik "
                                   "(ditambah batas tunggu kunci dpkg 2 detik) (mirror lambat "
                                   "atau tidak menjawab); tidak ada paket yang dipasang")


# mariadb-admin 10.11.19's output and exit status (recorded): a server's error (Access
# denied; Too many connections before 10.11.19's client, whose TLS check makes it a client
# error) ends a ping with 0, a client's (no socket, the connection lost) with 1.
@pytest.mark.parametrize(("rc", "output", "error"), [
    (0, "mysqld is alive\n", None),
    (0, "mariadb-admin: connect to server at 'localhost' failed\n"
        "error: 'Access denied for user 'root'@'localhost' (using password: NO)'\n", None),
    (0, "mariadb-admin: connect to server at 'localhost' failed\n"
        "error: 'Too many connections'\n", "Too many connections"),
    (1, "mariadb-admin: connect to server at 'localhost' failed\n"
        f"error: '{TOO_MANY_TLS}'\n", TOO_MANY_TLS),
    (1, NO_SOCKET, "Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"),
    (1, "mariadb-admin: mysqld doesn't answer to ping, error: 'Lost connection to server "
        "during query'\n", "Lost connection to server during query"),
    (7, "mariadb-admin: unknown variable 'db_password=hunter2'\n",
     "mariadb-admin: unknown variable 'db_password=***'"),
], ids=["alive", "access-denied", "too-many", "too-many-tls", "no-socket", "lost", "masked"])
def test_a_ping_that_fails_is_a_cause_named_in_one_line(tmp_path, monkeypatch, real_module,
                                                        rc, output, error):
    """A ping that failed at once (no time-out) while MariaDB's unit ran was no cause, and
    its output was kept as a blob cut to its last 300 characters, unmasked. Its error line
    is the cause when the unit runs (a unit stopped is named as such, once); an Access
    denied is the server answering."""
    (tmp_path / "ping.out").write_text(output)
    hung_tools(tmp_path, monkeypatch,
               mariadb_admin=f"cat '{tmp_path}/ping.out' >&2\nexit {rc}\n")
    ping = diagnose.Collector(real_module(DIAGNOSE_SPEC, DIAGNOSE_ARGS)).ping()
    assert ping == {"rc": rc, "output": "\n".join(
        diagnose.mask_log_line(line) for line in output.splitlines()), "error": error}
    running = diagnose.causes(bundle(services=[_mariadb("active")], mariadb_ping=ping), 97, 100)
    assert running == ([f"MariaDB tidak menjawab ({error})"] if error else [])
    assert diagnose.causes(bundle(services=[_mariadb("inactive")], mariadb_ping=ping),
                           97, 100) == ["MariaDB berhenti (mariadb: inactive/dead, result success)"]


def _refusing_server(path, reply):
    """A server on the Unix socket ``path`` answering one connection as MariaDB does when
    full (ER_CON_COUNT_ERROR instead of its greeting) or refusing its login (a greeting,
    then ER_ACCESS_DENIED_ERROR to the client's reply)."""
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(1)

    def packet(number, payload):
        return struct.pack("<I", len(payload))[:3] + bytes([number]) + payload

    def serve():
        connection, _ = listener.accept()
        with connection, listener:
            if reply == "too-many":
                connection.sendall(packet(0, b"\xff" + struct.pack("<H", 1040)
                                          + b"Too many connections"))
                return
            caps = 0x1 | 0x8 | 0x200 | 0x8000 | 0x80000  # protocol 41, plugin auth
            salt = b"abcdefghijklmnopqrst"
            connection.sendall(packet(0, b"\x0a10.11.19-MariaDB\0" + struct.pack("<I", 7)
                                      + salt[:8] + b"\0" + struct.pack("<H", caps & 0xFFFF)
                                      + b"\x21" + struct.pack("<HH", 2, caps >> 16)
                                      + bytes([21]) + b"\0" * 10 + salt[8:] + b"\0"
                                      + b"mysql_native_password\0"))
            connection.recv(65536)
            connection.sendall(packet(2, b"\xff" + struct.pack("<H", 1045) + b"#28000"
                                      + b"Access denied for user 'root'@'localhost' "
                                      b"(using password: NO)"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(shutil.which("mariadb-admin") is None, reason="no mariadb-admin here")
@pytest.mark.parametrize(("reply", "cause"), [
    ("too-many", True), ("denied", False)])
def test_this_machines_mariadb_admin_ping_judged(tmp_path, monkeypatch, real_module, reply,
                                                 cause):
    """The real client against a server refusing: Too many connections is a cause whatever
    the client's exit status (0 before 10.11.19, 1 since); Access denied, exit status 0,
    is the server's answer."""
    real = shutil.which("mariadb-admin")
    _refusing_server(tmp_path / "s", reply)
    hung_tools(tmp_path, monkeypatch,
               mariadb_admin=f"exec {real} --no-defaults --socket='{tmp_path}/s' \"$@\"\n")
    with within(10, "mariadb-admin ping against a refusing server"):
        ping = diagnose.Collector(real_module(DIAGNOSE_SPEC, DIAGNOSE_ARGS)).ping()
    assert ping["rc"] == (1 if "TLS handshake" in (ping["error"] or "") else 0)
    assert (ping["error"] or "").endswith("Too many connections") == cause
    assert "Access denied for user 'root'@'localhost'" in ping["output"] or cause
    assert bool(diagnose.causes(bundle(services=[_mariadb("active")], mariadb_ping=ping),
                                97, 100)) == cause


def test_a_restart_that_never_ends_is_reported(tmp_path, monkeypatch, real_module, capsys):
    """systemctl restart of a unit whose start never ends waited forever."""
    hung_tools(tmp_path, monkeypatch, systemctl="""
[ "$1" = restart ] && exec sleep 20
printf 'LoadState=loaded\\nActiveState=failed\\nUnitFileState=enabled\\n'
""")
    module = real_module({"services": {"type": "list", "elements": "str"}},
                         {"services": ["mariadb"]})
    with within(10, "restart of a unit that never starts"), pytest.raises(SystemExit):
        remediate.restart_service(module)
    result = json.loads(capsys.readouterr().out)
    assert result["msg"] == ("restart mariadb tidak selesai dalam 1 detik (systemd "
                             "mungkin masih menjalankannya)")


def test_a_restart_that_fails_names_systemctls_reason(tmp_path, monkeypatch, real_module,
                                                     capsys):
    """A unit whose restart failed was named alone ('... setelah restart: mariadb');
    systemctl's line says why (its start limit, an exit code, a timeout), in the Bahasa
    line of its neighbours ('restart did not bring back' was English in the record)."""
    hung_tools(tmp_path, monkeypatch, systemctl="""
[ "$1" = restart ] && { printf 'Job for mariadb.service failed because start of the service \
was attempted too often.\nSee "systemctl status mariadb.service" for details.\n' >&2; exit 1; }
printf 'LoadState=loaded\nActiveState=failed\nUnitFileState=enabled\n'
""")
    module = real_module({"services": {"type": "list", "elements": "str"}},
                         {"services": ["mariadb"]})
    with pytest.raises(SystemExit):
        remediate.restart_service(module)
    assert json.loads(capsys.readouterr().out)["msg"] == (
        "tidak aktif kembali setelah restart: mariadb (Job for mariadb.service failed because "
        "start of the service was attempted too often.)")


def test_an_alias_is_restarted_once_under_its_units_name(tmp_path, monkeypatch, real_module):
    """mysql.service is an alias of mariadb.service on Debian (the default services list
    both): a failed MariaDB was restarted twice, the second time just after it came
    back, and the record said 'restart mariadb' and 'restart mysql'."""
    state, restarts = tmp_path / "state", tmp_path / "restarts"
    state.write_text("failed")
    hung_tools(tmp_path, monkeypatch, systemctl=f"""
case "$2" in mariadb.service|mysql.service) unit=mariadb.service ;; *) unit=none ;; esac
if [ "$1" = restart ]; then echo "$2" >> {restarts}; echo active > {state}; exit 0; fi
[ $unit = none ] && {{ printf 'Id=%s\\nLoadState=not-found\\n' "$2"; exit 0; }}
printf 'Id=%s\\nLoadState=loaded\\nActiveState=%s\\nUnitFileState=enabled\\n' $unit "$(cat {state})"
""")
    module = real_module({"services": {"type": "list", "elements": "str"}},
                         {"services": ["mariadb", "mysql", "nginx"]})
    before, after, done, skipped = remediate.restart_service(module)
    assert restarts.read_text() == "mariadb.service\n"
    assert done == ["restart mariadb"] and skipped == []
    assert list(before) == list(after) == ["mariadb"]
    assert after["mariadb"]["active"] == "active"


UNIT_NAMES_REFUSED = ["php*-fpm", "-Hevil", "nginx.service", "getty@", "mariadb;reboot", ""]


@pytest.mark.parametrize("name", ["server_remediate", "server_diagnose"])
def test_services_that_are_no_unit_name_are_refused_before_systemctl_is_asked(
        tmp_path, monkeypatch, name):
    """A services name was handed to systemctl as it was: 'php*-fpm' is a pattern that
    systemctl show and restart expand to every loaded unit matching it (one stopped
    among them got all of them restarted, running ones too), '-Hevil' an option (-H:
    run it on host evil), 'nginx.service' read as nginx.service.service, never found,
    never named. Each is refused in one line; systemd's own names pass."""
    calls = tmp_path / "calls"
    hung_tools(tmp_path, monkeypatch, systemctl=f"""echo "$*" >> {calls}
printf 'Id=%s\\nLoadState=loaded\\nActiveState=failed\\nUnitFileState=enabled\\n' "$2"
""")
    args = {"action": "restart_service"} if name == "server_remediate" else {}
    rc, result = run_module(name, tmp_path, {**args, "services": [
        "mariadb", "php8.2-fpm", "getty@tty1", "systemd-fsck@dev-disk-by\\x2dlabel-data",
        *UNIT_NAMES_REFUSED]})
    assert rc == 1
    assert result["msg"] == (
        "services: not NAME or NAME@INSTANCE of a service unit (systemd's characters, "
        "without .service, no pattern, no leading '-'): "
        + ", ".join(map(repr, UNIT_NAMES_REFUSED)))
    assert result["setting"] == "services"
    assert not calls.exists()


def test_diagnosis_lists_logins_sshd_session_logged(tmp_path, monkeypatch, real_module):
    """Debian 13's OpenSSH logs each login as sshd-session: the bundle's logins were
    empty there."""
    journal_host(tmp_path, monkeypatch)
    hung_tools(tmp_path, monkeypatch, systemctl="exit 0\n", journalctl="""for arg; do
  [ "$prev" = -t ] && [ "$arg" = sshd-session ] && echo 'Accepted publickey for admin from 10.0.0.9'
  prev=$arg
done
""")
    module = real_module({"hours": {"type": "int"}, "log_lines": {"type": "int"},
                          "services": {"type": "list", "elements": "str"},
                          "peers": {"type": "list", "elements": "str"}},
                         {"hours": 24, "log_lines": 20, "services": [], "peers": []})
    assert diagnose.Collector(module).collect()["logins"] == [
        "Accepted publickey for admin from 10.0.0.9"]


def journal_host(tmp_path, monkeypatch, *folders):
    """A host whose journal folders are those of ``folders`` ("persistent": JOURNAL,
    "runtime": RUNTIME_JOURNAL; the first by default) holding a journal file, and whose
    auth.log is tmp_path/auth.log (not written)."""
    for name, folder in (("persistent", "JOURNAL"), ("runtime", "RUNTIME_JOURNAL")):
        path = tmp_path / f"{name}-journal"
        if name in (folders or ("persistent",)):
            (path / "0123abcd").mkdir(parents=True)
            (path / "0123abcd" / "system.journal").write_bytes(b"LPKSHHRH")
        monkeypatch.setattr(diagnose, folder, str(path))
    monkeypatch.setattr(diagnose, "AUTH_LOG", str(tmp_path / "auth.log"))


def _diagnosis(tmp_path, monkeypatch, real_module, params=None, journal=False, **tools):
    """The bundle server_diagnose collects on this machine with fake tools (systemctl and
    journalctl answer nothing unless given), the other parameters' defaults, and a
    persistent journal unless ``journal`` (journal_host called already)."""
    hung_tools(tmp_path, monkeypatch, **{"systemctl": "exit 0\n", "journalctl": "exit 0\n",
                                         **tools})
    if not journal:
        journal_host(tmp_path, monkeypatch)
    args = {"hours": 24, "log_lines": 20, "services": [], "peers": [], **(params or {})}
    module = real_module({"hours": {"type": "int"}, "log_lines": {"type": "int"},
                          "services": {"type": "list", "elements": "str"},
                          "peers": {"type": "list", "elements": "str"}}, args)
    return diagnose.Collector(module).collect()


def _logged(hours_ago, rest):
    moment = datetime.datetime.now() - datetime.timedelta(hours=hours_ago)
    return f"{moment:%Y-%m-%d %H:%M:%S} {rest}"


def test_diagnosis_lists_only_the_package_changes_of_its_hours(tmp_path, monkeypatch,
                                                                real_module):
    """hours bounds the package history too: the bundle listed the last changes of
    dpkg.log however old, so an upgrade of weeks ago read as a change just before the
    failure. dpkg.log reaching back to the window's start, dpkg.log.1 is not read."""
    dpkg_log = [_logged(30, "upgrade nginx:amd64 1.22.1-9 1.22.1-9+deb12u1"),
                _logged(30, "status installed nginx:amd64 1.22.1-9+deb12u1"),
                _logged(2, "install sipp-tools:all <none> 2.0"),
                _logged(2, "status half-configured sipp-tools:all 2.0"),
                _logged(2, "remove php8.2-mysql:amd64 8.2.26-1~deb12u1 <none>"),
                "upgrade without a time"]
    log = tmp_path / "dpkg.log"
    log.write_text("\n".join(dpkg_log) + "\n")
    (tmp_path / "dpkg.log.1").write_text(_logged(3, "upgrade not:all 1 2\n"))  # not read
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    assert _diagnosis(tmp_path, monkeypatch, real_module)["packages"] == [
        dpkg_log[2], dpkg_log[4]]


@pytest.mark.parametrize("since_rotation", [[], [_logged(1, "install sipp-tools:all <none> 2.0")]])
def test_diagnosis_reads_the_changes_rotated_into_dpkg_log_1(tmp_path, monkeypatch, real_module,
                                                             since_rotation):
    """logrotate moves dpkg.log to dpkg.log.1 each month: an upgrade made just before
    the rotation, in the incident's hours, was missing from the bundle (dpkg.log, new
    and empty or with the changes since, alone was read)."""
    rotated = [_logged(40, "upgrade nginx:amd64 1.22.1-9 1.22.1-9+deb12u1"),
               _logged(3, "upgrade mariadb-server:amd64 1:10.11.6-0 1:10.11.11-0"),
               _logged(3, "status installed mariadb-server:amd64 1:10.11.11-0")]
    log = tmp_path / "dpkg.log"
    log.write_text("".join(line + "\n" for line in since_rotation))
    (tmp_path / "dpkg.log.1").write_text("".join(line + "\n" for line in rotated))
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    bundle = _diagnosis(tmp_path, monkeypatch, real_module)
    assert bundle["packages"] == [rotated[1], *since_rotation]
    assert not any("dpkg" in line for line in bundle["not_visible"])


def test_package_history_reads_its_400_lines_across_the_rotation(tmp_path):
    """dpkg.log.1 adds only what dpkg.log's last 400 lines leave: 400 lines in all;
    a dpkg.log longer than that, or than the 64 KiB a tail reads, is its own window's
    start (dpkg.log.1 not read)."""
    since = datetime.datetime.now() - datetime.timedelta(hours=24)
    log, rotated = tmp_path / "dpkg.log", tmp_path / "dpkg.log.1"
    old = [_logged(5, f"upgrade old{n}:all 1 2") for n in range(200)]
    new = [_logged(1, f"upgrade new{n}:all 1 2") for n in range(300)]
    rotated.write_text("".join(line + "\n" for line in old))
    log.write_text("".join(line + "\n" for line in new))
    assert diagnose.package_history(str(log), since) == (
        old[100:] + new, [str(log), str(rotated)], [])
    longer = [_logged(1, f"upgrade new{n}:all 1 2") for n in range(1000)]
    log.write_text("".join(line + "\n" for line in longer))
    assert diagnose.package_history(str(log), since) == (longer[-400:], [str(log)], [])
    wide = [_logged(1, f"upgrade {'x' * 250}{n}:all 1 2") for n in range(300)]  # 82 KiB
    log.write_text("".join(line + "\n" for line in wide))
    lines, _read, problems = diagnose.package_history(str(log), since)
    assert len(lines) < 300 and lines == wide[-len(lines):] and problems == []


def test_package_history_not_read_is_named(tmp_path, monkeypatch, real_module):
    """No dpkg.log (a host that is no dpkg system, or one that lost it) read as no
    package change at all; a dpkg.log.1 that cannot be read is named too; a missing
    dpkg.log.1 is a host never rotated, not named."""
    since = datetime.datetime.now() - datetime.timedelta(hours=24)
    log, rotated = tmp_path / "dpkg.log", tmp_path / "dpkg.log.1"
    assert diagnose.package_history(str(log), since) == ([], [], [f"{log} tidak ada"])
    new = _logged(1, "upgrade new:all 1 2")  # once: a second call may fall a second later
    log.write_text(new + "\n")
    os.mkfifo(rotated)
    assert diagnose.package_history(str(log), since) == (
        [new], [str(log)],
        [f"{rotated} tidak terbaca (bukan berkas biasa)"])
    log.unlink()
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    bundle = _diagnosis(tmp_path, monkeypatch, real_module)
    assert bundle["packages"] == []
    assert {f"{log} tidak ada", f"{rotated} tidak terbaca (bukan berkas biasa)"} <= set(
        bundle["not_visible"])


def test_the_longest_hours_read_ten_years_of_package_history(tmp_path, monkeypatch,
                                                             real_module):
    """hours is at most ten years (87600, module_utils/sop_options): a change just
    inside them is read, one before them is not."""
    log = tmp_path / "dpkg.log"
    log.write_text(_logged(87600 + 24, "upgrade old:amd64 1.0 1.1") + "\n"
                   + _logged(87600 - 24, "upgrade nginx:amd64 1.0 1.1") + "\n")
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, {"hours": 87600})
    assert [line.split(maxsplit=2)[2] for line in bundle["packages"]] == [
        "upgrade nginx:amd64 1.0 1.1"]


def _gzip(path, lines):
    with gzip.open(path, "wb") as handle:
        handle.write("".join(line + "\n" for line in lines).encode())


def test_diagnosis_reads_the_gzipped_rotations_its_hours_reach(tmp_path, monkeypatch,
                                                                real_module):
    """Weekly rotation, or a month's first days: the window's start lay in dpkg.log.2.gz,
    never read, and an upgrade of those hours was missing from the bundle. Rotations are
    read, newest first, up to the one reaching back to the window's start (dpkg.log.3.gz,
    corrupt here, is not opened); each file read is named in the bundle's sources."""
    log = tmp_path / "dpkg.log"
    log.write_text(_logged(1, "install sipp-tools:all <none> 2.0") + "\n")
    (tmp_path / "dpkg.log.1").write_text(_logged(10, "upgrade nginx:amd64 1 2") + "\n")
    _gzip(tmp_path / "dpkg.log.2.gz", [_logged(40, "upgrade old:all 1 2"),
                                       _logged(20, "upgrade mariadb-server:amd64 1 2")])
    (tmp_path / "dpkg.log.3.gz").write_bytes(b"not gzip")
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    bundle = _diagnosis(tmp_path, monkeypatch, real_module)
    assert [line.split(maxsplit=2)[2] for line in bundle["packages"]] == [
        "upgrade mariadb-server:amd64 1 2", "upgrade nginx:amd64 1 2",
        "install sipp-tools:all <none> 2.0"]
    assert bundle["sources"]["packages"] == [str(log), f"{log}.1", f"{log}.2.gz"]
    assert bundle["not_visible"] == []


@pytest.mark.parametrize(("content", "cause"), [
    (b"not gzip", "Not a gzipped file (b'no')"),
    (gzip.compress(b"x" * 1000)[:-12], "gzip rusak: Compressed file ended before the "
                                       "end-of-stream marker was reached"),
    (gzip.compress(b"x" * 1000)[:10] + b"\xff" * 40, "gzip rusak: Error -3 while "
                                                      "decompressing data: invalid block type"),
], ids=["no-gzip", "truncated", "corrupt"])
def test_a_corrupt_gzip_rotation_is_one_line_and_ends_the_history(tmp_path, content, cause):
    """A rotation that is no gzip file, or a truncated or corrupt one, is named with its
    damage in one not_visible line; what was read before it is kept."""
    since = datetime.datetime.now() - datetime.timedelta(hours=24)
    log = tmp_path / "dpkg.log"
    new = _logged(1, "upgrade new:all 1 2")  # once: a second call may fall a second later
    log.write_text(new + "\n")
    (tmp_path / "dpkg.log.1.gz").write_bytes(content)
    _gzip(tmp_path / "dpkg.log.2.gz", [_logged(30, "upgrade older:all 1 2")])
    assert diagnose.package_history(str(log), since) == (
        [new], [str(log)],
        [f"{log}.1.gz tidak terbaca ({cause})"])


def test_a_gzip_rotation_is_read_within_bounds(tmp_path, monkeypatch):
    """A rotation is streamed: its lines kept are the last ones asked for, a line longer
    than MAX_LINE (one cut could hide a secret's name) is left out, a byte not UTF-8 is
    replaced, and one decompressing past SCAN_BYTES (a gzip bomb) is not read to its
    end but named."""
    rotation = tmp_path / "dpkg.log.2.gz"
    _gzip(rotation, [f"line {n}" for n in range(1000)] + ["y" * (diagnose.MAX_LINE * 3)]
          + ["last"])
    assert diagnose.read_gzip(str(rotation), 2) == ["line 999", "last"]
    rotation.write_bytes(gzip.compress(b"last \xff\n"))
    assert diagnose.read_gzip(str(rotation), 2) == ["last \ufffd"]
    monkeypatch.setattr(diagnose, "SCAN_BYTES", 2**20)
    rotation.write_bytes(gzip.compress(b"z" * 2**21))
    with pytest.raises(OSError) as refused:
        diagnose.read_gzip(str(rotation), 2)
    assert diagnose.unreadable(str(rotation), refused.value) == (
        f"{rotation} tidak terbaca (lebih dari 1 MiB setelah diekstrak, tidak dibaca)")


def _syslog(hours_ago, rest, rfc3339=True):
    moment = datetime.datetime.now().astimezone() - datetime.timedelta(hours=hours_ago)
    stamp = moment.isoformat(timespec="microseconds") if rfc3339 else \
        f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S}"
    return f"{stamp} sipp {rest}"


@pytest.mark.parametrize("persistent", [False, True], ids=["volatile-no-folder", "volatile"])
def test_a_journal_lost_at_each_boot_is_named_and_auth_log_read(tmp_path, monkeypatch,
                                                                real_module, persistent):
    """Without /var/log/journal (Debian 11's default) or with Storage=volatile the journal
    is in /run/log/journal, since the last boot only: an incident that rebooted the
    server lost its hours' journal, and nothing said so. It is named, and the logins
    come from auth.log, which rsyslog keeps across boots (both of its time formats)."""
    journal_host(tmp_path, monkeypatch, "runtime", *(["persistent"] if persistent else []))
    runtime = diagnose.RUNTIME_JOURNAL
    accepted = _syslog(30, "sshd[7]: Accepted publickey for admin from 10.0.0.9")
    failed = _syslog(2, "sshd-session[8]: Failed password for root from 10.0.0.7",
                     rfc3339=False)
    recent = _syslog(1, "sshd[9]: Accepted password for admin from 10.0.0.9")
    (tmp_path / "auth.log").write_text("\n".join([
        accepted, failed, _syslog(1, "CRON[5]: pam_unix(cron:session): session opened"),
        "garbage without a time sshd[1]: Accepted x ", recent]) + "\n")
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journal=True)
    assert bundle["logins"] == [failed, recent]
    assert bundle["sources"]["journal"] == [diagnose.JOURNAL] * persistent + [runtime]
    assert bundle["sources"]["logins"] == [str(tmp_path / "auth.log")]
    state = "tidak dipakai" if persistent else "tidak ada"
    assert f"{diagnose.JOURNAL} {state}: journal hanya di {runtime}, sejak boot terakhir" \
        in bundle["not_visible"]


def test_a_volatile_journal_without_auth_log_is_read_and_both_named(tmp_path, monkeypatch,
                                                                    real_module):
    """Debian 12 without rsyslog has no auth.log: with a journal lost at each boot, the
    logins are the journal's since the boot, and both logs' absence is named; with no
    journal at all, that is named too. A persistent journal needs no auth.log."""
    journal_host(tmp_path, monkeypatch, "runtime")
    login = "2026-01-05T10:00:00+0700 sipp sshd[7]: Accepted publickey for admin"
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journal=True,
                        journalctl=f"echo '{login}'\n")
    assert bundle["logins"] == [login]
    assert bundle["sources"]["logins"] == [diagnose.RUNTIME_JOURNAL]
    assert bundle["not_visible"][-2:] == [
        f"{diagnose.JOURNAL} tidak ada: journal hanya di {diagnose.RUNTIME_JOURNAL}, "
        "sejak boot terakhir", f"{diagnose.AUTH_LOG} tidak ada"]
    shutil.rmtree(diagnose.RUNTIME_JOURNAL)
    bundle = _diagnosis(tmp_path / "bin", monkeypatch, real_module, journal=True)
    assert bundle["not_visible"][-2:] == [
        f"journal tidak ada di {diagnose.JOURNAL} maupun {diagnose.RUNTIME_JOURNAL}",
        f"{diagnose.AUTH_LOG} tidak ada"]
    bundle = _diagnosis(tmp_path / "bin" / "bin", monkeypatch, real_module)
    assert bundle["not_visible"] == []
    assert bundle["sources"]["logins"] == bundle["sources"]["journal"] == [diagnose.JOURNAL]


def test_auth_log_is_read_from_its_end_within_bounds(tmp_path, monkeypatch):
    """auth.log grows without bound under a password-guessing attack: it is streamed
    from its last SCAN_BYTES (the line cut there left out), a line longer than MAX_LINE
    is left out, a byte not UTF-8 replaced, and its secrets masked."""
    since = datetime.datetime.now() - datetime.timedelta(hours=24)
    log = tmp_path / "auth.log"
    cut = _syslog(1, "sshd[1]: Failed password for cut from 10.0.0.1 port 22 ssh2")
    kept = [_syslog(1, "sshd[2]: Accepted password for \udcff from 10.0.0.2 port 22 ssh2"),
            _syslog(1, "sshd[3]: Failed password for x from 10.0.0.3 port 22 ssh2 "
                    "token=T0ken77")]
    long_line = _syslog(1, "sshd[4]: Failed password for " + "a" * diagnose.MAX_LINE)
    text = "\n".join([cut, long_line, *kept]) + "\n"
    log.write_bytes(text.encode("utf-8", "surrogateescape"))
    monkeypatch.setattr(diagnose, "SCAN_BYTES", len(text.encode("utf-8", "surrogateescape"))
                        - 10)
    assert diagnose.auth_logins(str(log), since, 20) == [
        kept[0].replace("\udcff", "\ufffd"), kept[1].replace("T0ken77", "***")]
    assert diagnose.auth_logins(str(log), since, 1) == [kept[1].replace("T0ken77", "***")]
    log.write_text("")
    assert diagnose.auth_logins(str(log), since, 20) == []


def test_tool_output_not_utf8_is_replaced_not_escaped(tmp_path, monkeypatch, real_module):
    """A journal line or a journalctl error with bytes that are no UTF-8 came back as
    surrogate escapes ('\\udcff'), which the controller's records cannot store."""
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journalctl=(
        "printf '2026-01-05T10:00:00+0700 sipp kernel: bad \\377 byte\\n'\n"
        "printf 'Journal file /x\\376 is truncated, ignoring file.\\n' >&2\n"))
    assert bundle["journal_errors"] == ["2026-01-05T10:00:00+0700 sipp kernel: bad \ufffd byte"]
    assert "journal_errors tidak terbaca utuh (journalctl: Journal file /x\ufffd is " \
        "truncated, ignoring file.)" in bundle["not_visible"]


def test_a_systemctl_that_does_not_end_is_one_line_per_read(tmp_path, monkeypatch,
                                                             real_module):
    """A hung systemd: each systemctl read stopped is named with the tool and its limit,
    the service whose state is unknown by its name."""
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, {"services": ["mariadb"]},
                        systemctl=HUNG)
    assert bundle["services"] == bundle["failed_units"] == []
    assert bundle["not_visible"] == [
        "layanan mariadb tidak terbaca (systemctl tidak selesai dalam 1 detik)",
        "failed_units tidak terbaca (systemctl tidak selesai dalam 1 detik)"]


JOURNAL_READS = ("journal_errors", "oom_kills", "logins")


@pytest.mark.parametrize(("script", "named"), [
    ("echo 'No journal files were opened due to insufficient permissions.' >&2\n"
     "echo 'more detail' >&2\nexit 1\n",
     "No journal files were opened due to insufficient permissions."),
    ("echo 'Failed to parse timestamp: DB_PASSWORD=hunter2' >&2\nexit 1\n",
     "Failed to parse timestamp: DB_PASSWORD=***"),
    ("exit 134\n", "kode keluar 134"),
], ids=["no-permission", "masked", "no-word"])
def test_a_journal_read_that_fails_is_named_not_shown_empty(tmp_path, monkeypatch,
                                                            real_module, script, named):
    """journalctl exits 1 both when --grep matches nothing and when it cannot read the
    journal (no permission, an option this systemd refuses): a failed read was shown as
    no errors, no OOM kills and no logins. Each read is named with journalctl's first
    error line, masked as log lines are, or its exit status when it wrote none."""
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journalctl=script)
    assert [line for line in bundle["not_visible"] if "journalctl" in line] == [
        f"{read} tidak terbaca utuh (journalctl: {named})" for read in JOURNAL_READS]
    assert bundle["journal_errors"] == bundle["oom_kills"] == bundle["logins"] == []


def test_a_journal_grep_that_matches_nothing_is_no_failure(tmp_path, monkeypatch,
                                                           real_module):
    """--grep matching nothing exits 1 without a word, as grep does: no logins and no
    OOM kills, not a read that failed; a read without --grep exiting 1 so is one."""
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journalctl="""for arg; do
  [ "$arg" = --grep ] && exit 1
done
echo '2026-01-05T10:00:00+0700 sipp kernel: I/O error' && exit 1
""")
    assert bundle["journal_errors"] == ["2026-01-05T10:00:00+0700 sipp kernel: I/O error"]
    assert bundle["oom_kills"] == bundle["logins"] == []
    assert bundle["not_visible"] == ["journal_errors tidak terbaca utuh (journalctl: "
                                     "kode keluar 1)"]


@pytest.mark.skipif(not shutil.which("journalctl"), reason="needs journalctl")
@pytest.mark.parametrize("journal", ["empty", "truncated", "missing"])
def test_journal_reads_judged_as_this_systemds_journalctl_ends_them(tmp_path, monkeypatch,
                                                                    real_module, journal):
    """This machine's journalctl reading a journal folder (-D) of its own: an empty one
    (--grep matching nothing exits 1 without a word), one whose file is truncated (read
    without it, exit status 0 or --grep's 1, a warning) and one that is not there."""
    folder = tmp_path / "journal"
    if journal != "missing":
        folder.mkdir()
    if journal == "truncated":
        (folder / "system.journal").write_bytes(b"LPKSHHRH")
    bundle = _diagnosis(tmp_path, monkeypatch, real_module,
                        journalctl=f'exec {shutil.which("journalctl")} -D {folder} "$@"\n')
    # systemd 252: 'Journal file F is truncated, ignoring file.', 'Failed to open D: ...'
    named = [] if journal == "empty" else [f"{read} tidak terbaca utuh (journalctl: "
                                           for read in JOURNAL_READS]
    assert len(bundle["not_visible"]) == len(named)
    assert [line[:len(start)] for line, start
            in zip(bundle["not_visible"], named, strict=True)] == named
    assert all(str(folder) in line for line in bundle["not_visible"])
    assert bundle["journal_errors"] == bundle["oom_kills"] == bundle["logins"] == []


@pytest.mark.parametrize(("program", "reason"), [
    ("apt", "apt sedang berjalan"),  # apt full-upgrade, an administrator's usual command
    ("/usr/bin/aptitude", "apt sedang berjalan"),
    ("dpkg", "dpkg sedang berjalan"),  # dpkg -i / dpkg --configure -a by hand
])
def test_apt_and_dpkg_run_by_hand_are_busy(program, reason):
    """Only apt-get and /usr/bin/dpkg (as apt runs it) counted: an administrator's
    apt full-upgrade or dpkg --configure -a in progress was 'safe to patch'."""
    sleeper = subprocess.Popen(["bash", "-c", f"exec -a {program} sleep 30"])
    try:
        # after bash's exec (bash's own command line names the program too)
        _wait_cmdline(sleeper.pid, program.encode() + b"\x0030\x00")
        assert [line for line in srv.busy_processes() if f"pid {sleeper.pid}:" in line] == [
            f"{reason} (pid {sleeper.pid}: {program} 30)"]
    finally:
        sleeper.kill()


@pytest.mark.parametrize("command", [
    "echo BECOME-SUCCESS-kqzjwvx ; sleep 30; true",  # become: sudo ... /bin/sh -c '...'
    "sleep 30; true && sleep 0",  # the connection's command line, without become
])
def test_another_pipelined_ansible_run_is_busy(command):
    """Only a module file's name (AnsiballZ_) counted: with pipelining, this project's
    ansible.cfg, another run's module is a bare python3 reading stdin, and the host was
    'safe to patch' while it ran. The shell Ansible starts it in names it."""
    shell = subprocess.Popen(["sh", "-c", command])
    try:
        _wait_cmdline(shell.pid, command.encode())
        assert [line for line in srv.busy_processes() if f"pid {shell.pid}:" in line] == [
            f"SOP/Ansible lain sedang berjalan (pid {shell.pid}: sh -c {command})"]
    finally:
        shell.kill()


def test_a_program_naming_apts_folders_is_not_busy():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)",
                                "/var/log/apt", "/tmp/dpkg"])
    try:
        _wait_cmdline(sleeper.pid, b"/tmp/dpkg")
        assert not [line for line in srv.busy_processes() if f"pid {sleeper.pid}:" in line]
    finally:
        sleeper.kill()


def test_a_backup_dated_ahead_of_the_clock_is_not_fresh(tmp_path):
    """The backup computer's clock set back after a backup (a flat CMOS battery, no NTP):
    the backup's time lay ahead of the clock, its age was negative, and it read as fresh
    for as long as the clock took to catch up, whether backups still arrived or not."""
    ahead = datetime.datetime.now().astimezone() + datetime.timedelta(days=3)
    events = [{"at": ahead.isoformat(timespec="seconds"), "event": "ingested",
               "name": "sipp.sql.zst", "sha256": "aa"},
              {"at": ahead.isoformat(timespec="seconds"), "event": "verified",
               "name": "sipp.sql.zst", "sha256": "aa", "status": "ok"}]
    store = tmp_path / "store"
    store.mkdir()
    (store / "sipp.sql.zst").write_bytes(b"")
    (store / "ledger.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert rc == 0, result.get("msg")
    assert result["fresh"] is False and result["newest"]["age_hours"] < -71
    assert "sipp.sql.zst tercatat" in json.dumps(result["warnings"])
    assert "di masa depan" in json.dumps(result["warnings"])


APT_SIMULATED = """Inst rsync [3.2.7-1] (3.2.7-1+deb12u1 Debian-Security:12/stable-security [amd64])
"""


@pytest.mark.parametrize("simulation", ["ok", "fails"])
def test_condition_report_when_apt_cannot_refresh_its_lists(tmp_path, monkeypatch, simulation):
    """apt-get update refused while unattended-upgrades held the lists' lock (every
    morning on a Debian server): the whole condition report failed, its disks, RAID and
    certificates unread. Now the pending updates come from the lists apt has, flagged as
    not refreshed; when apt cannot say at all, they are not visible, flagged too."""
    upgrade = (f"cat <<'X'\n{APT_SIMULATED}X\n" if simulation == "ok"
               else "echo 'E: The package lists are damaged' >&2; exit 100\n")
    hung_tools(tmp_path, monkeypatch, apt_get=(
        'case " $* " in *" update "*) echo "E: Could not get lock /var/lib/apt/lists/lock. '
        'It is held by process 123 (apt-get)" >&2; exit 100;; esac\n' + upgrade),
        apt_mark="exit 0\n")
    rc, result = run_module("server_condition", tmp_path, {})
    assert rc == 0, result.get("msg")
    flags = result["condition"]["flags"]
    if simulation == "ok":
        assert [u["name"] for u in result["condition"]["updates"]["security"]] == ["rsync"]
        assert any(f.startswith("Daftar paket tidak dapat diperbarui (apt-get update "
                                "failed: E: Could not get lock") for f in flags), flags
    else:
        assert any(f.startswith("Pembaruan paket tidak dapat diperiksa: apt-get -s upgrade "
                                "failed: E: The package lists are damaged") for f in flags), flags
        assert any(v.startswith("pembaruan paket") for v in result["condition"]["not_visible"])


def test_a_verified_backup_gone_from_the_store_is_no_fresh_backup(tmp_path):
    """The newest verified backup deleted by hand (or cut short) after it was recorded:
    the ledger still said a fresh backup existed, and the maintenance went ahead on it."""
    now = datetime.datetime.now().astimezone()
    events = []
    for name, hours, size in (("older.sql.zst", 30, 3), ("newer.sql.zst", 2, 5)):
        at = (now - datetime.timedelta(hours=hours)).isoformat(timespec="seconds")
        events += [{"at": at, "event": "ingested", "name": name, "sha256": "aa", "size": size},
                   {"at": at, "event": "verified", "name": name, "sha256": "aa", "status": "ok"}]
    store = tmp_path / "store"
    store.mkdir()
    (store / "older.sql.zst").write_bytes(b"abc")
    (store / "ledger.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert rc == 0, result.get("msg")
    assert (result["newest"]["name"], result["fresh"]) == ("older.sql.zst", False)
    assert f"tidak dihitung: newer.sql.zst is gone from {store}" in json.dumps(result["warnings"])
    (store / "newer.sql.zst").write_bytes(b"abcd")  # cut short
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert "newer.sql.zst has 4 bytes, the record 5" in json.dumps(result["warnings"])
    (store / "newer.sql.zst").write_bytes(b"abcde")
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert (result["newest"]["name"], result["fresh"], result.get("warnings")) == (
        "newer.sql.zst", True, None)


@pytest.mark.parametrize(("tool", "source"), [(["cp", "-a"], "/."), (["rsync", "-a"], "/")])
def test_a_store_copied_to_another_disk_is_read_again_not_called_no_backup(
        tmp_path, tool, source):
    """The store copied to another disk (cp -a, rsync -a: new inodes and ctimes): every
    backup read as changed after it was stored, so server_backup_age said no verified
    backup until the next backup run's retention re-read them. The newest is now read
    again (retention's re-read, once): still its SHA-256, it counts; the older ones are
    named apart, neither read nor called missing; a changed content is no backup."""
    ledger = load("sop_backup_ledger")
    store, moved = tmp_path / "store", tmp_path / "moved"
    store.mkdir()
    moved.mkdir()
    now = datetime.datetime.now().astimezone()
    names, lines = [], []
    for hours in (50, 30, 2):
        name = f"sipp-{(now - datetime.timedelta(hours=hours)):%Y%m%dT%H%M%S}.sql.zst"
        data, manifest = os.urandom(4096 + hours), json.dumps({"of": name}).encode()
        (store / name).write_bytes(data)
        (store / f"{name}.manifest.json").write_bytes(manifest)
        at = (now - datetime.timedelta(hours=hours)).isoformat(timespec="seconds")
        sha = hashlib.sha256(data).hexdigest()
        lines += [{"at": at, "event": "ingested", "name": name, "sha256": sha, "size": len(data),
                   "manifest": f"{name}.manifest.json",
                   "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
                   **ledger.stamp(os.lstat(store / name))},
                  {"at": at, "event": "verified", "name": name, "sha256": sha, "status": "ok"}]
        names.append(name)
    (store / "ledger.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(store)})
    assert (rc, result["newest"]["name"], result["reread"], result["not_reread"]) == (
        0, names[2], None, []), result
    subprocess.run([*tool, f"{store}{source}", f"{moved}/"], check=True)
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(moved)})
    assert rc == 0, result.get("msg")
    assert (result["newest"]["name"], result["fresh"]) == (names[2], True)
    assert (result["reread"], result["not_reread"]) == (names[2], [names[1], names[0]])
    assert warning_lines(result) == [
        "backup tercatat di ledger yang inode, mtime atau ctime-nya berubah (penyimpanan "
        "disalin atau dipindah?), belum dibaca ulang, tidak dihitung sampai retensi backup "
        f"berikutnya membacanya ulang: {names[1]}, {names[0]}"]
    forged = moved / names[2]
    forged.write_bytes(os.urandom(forged.stat().st_size))  # the same size, another content
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(moved)})
    assert (rc, result["newest"], result["fresh"], result["reread"]) == (0, None, False, None)
    assert result["not_reread"] == [names[1], names[0]]  # one read a run: named, not "none"
    assert warning_lines(result)[0] == (
        "backup tercatat di ledger tetapi tidak utuh di penyimpanan, tidak dihitung: "
        f"{names[2]} changed after it was stored (its content differs from the record's "
        "SHA-256)")
    rc, result = run_module("backup_retention", tmp_path, {
        "path": str(moved), "prefix": "sipp", "ledger": str(moved / "ledger.jsonl")})
    assert rc == 0 and result["restamped"] == [names[0], names[1]], result
    rc, result = run_module("server_backup_age", tmp_path, {"store": str(moved)})
    assert (result["newest"]["name"], result["reread"], result["not_reread"]) == (
        names[1], None, [])
    assert len(warning_lines(result)) == 1 and names[2] in warning_lines(result)[0]


# systemctl on a host whose systemd does not answer it (a container or chroot without
# systemd as PID 1, as systemd 252 says it; a hung manager says 'Failed to list units:
# Connection timed out'): exit status 1, these lines on stderr, nothing on stdout.
NO_SYSTEMD = ("echo \"System has not been booted with systemd as init system (PID 1). "
              "Can't operate.\" >&2\necho 'Failed to connect to bus: Host is down' >&2\nexit 1\n")
NO_SYSTEMD_LINE = ("System has not been booted with systemd as init system (PID 1). "
                   "Can't operate.")


def test_a_systemctl_that_cannot_list_failed_units_is_not_visible_not_none(
        tmp_path, monkeypatch, real_module):
    """systemctl's exit status was not read: a systemd that could not be asked read as
    'no failed unit' in the condition report, never named in not_visible."""
    hung_tools(tmp_path, monkeypatch, systemctl=NO_SYSTEMD)
    probe = condition.Probe(real_module({}, {}))
    assert probe.failed_units() == []
    assert probe.not_visible == [f"unit systemd gagal (systemctl: {NO_SYSTEMD_LINE})"]


def test_a_systemctl_that_cannot_answer_is_named_in_the_diagnosis(tmp_path, monkeypatch,
                                                                  real_module):
    """The diagnosis of a host whose systemd could not be asked showed no service and no
    failed unit, as if MariaDB were not installed and nothing had failed."""
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, {"services": ["mariadb"]},
                        systemctl=NO_SYSTEMD)
    assert bundle["services"] == bundle["failed_units"] == []
    assert bundle["not_visible"] == [
        f"layanan mariadb tidak terbaca (systemctl: {NO_SYSTEMD_LINE})",
        f"failed_units tidak terbaca (systemctl: {NO_SYSTEMD_LINE})"]


def test_a_unit_whose_state_systemctl_cannot_say_is_named_not_left_silently(
        tmp_path, monkeypatch, real_module):
    """restart_service on a host whose systemd could not be asked took every unit for one
    not installed: nothing restarted, nothing named, the incident's remedy 'done'."""
    hung_tools(tmp_path, monkeypatch, systemctl=NO_SYSTEMD)
    module = real_module({"services": {"type": "list", "elements": "str"}},
                         {"services": ["mariadb"]})
    _before, _after, done, skipped = remediate.restart_service(module)
    assert done == []
    assert skipped == [f"mariadb: status tidak terbaca (systemctl: {NO_SYSTEMD_LINE}), "
                       "tidak di-restart"]


def test_a_host_without_systemctl_is_named_not_a_bare_error_executing_command(
        tmp_path, monkeypatch, real_module):
    """restart_service on a host without systemctl failed with run_command's 'Error
    executing command.', naming neither the tool nor the unit."""
    hung_tools(tmp_path, monkeypatch, true="exit 0\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    module = real_module({"services": {"type": "list", "elements": "str"}},
                         {"services": ["mariadb"]})
    _before, _after, done, skipped = remediate.restart_service(module)
    assert done == []
    assert skipped == ["mariadb: status tidak terbaca (systemctl tidak ada), tidak di-restart"]


def test_a_journal_message_not_utf8_is_shown_not_hidden_as_blob_data(tmp_path, monkeypatch,
                                                                     real_module):
    """journalctl writes a message that is no printable UTF-8 (a PHP error quoting a
    Latin-1 name, a kernel line with a raw byte) as '[N blob data]' unless given --all
    (systemd's logs-show.c): the error the diagnosis is for was shown as its size."""
    line = "2026-01-05T10:00:00+0700 sipp php-fpm[9]: PHP Fatal error in /srv/sipp/"
    bundle = _diagnosis(tmp_path, monkeypatch, real_module, journalctl=(
        f'for arg; do [ "$arg" = --all ] && {{ printf \'{line}\\351.php\\n\'; exit 0; }}; done\n'
        "echo '2026-01-05T10:00:00+0700 sipp php-fpm[9]: [62B blob data]'\n"))
    assert bundle["journal_errors"] == [f"{line}\ufffd.php"]


def test_a_needrestart_that_fails_is_not_visible_not_no_service():
    """needrestart's exit status other than 0 was passed over: a needrestart that failed
    (its Perl modules broken by a half-done upgrade) read as no service needing a
    restart, never named."""
    error = ("Can't locate NeedRestart.pm in @INC (you may need to install the "
             "NeedRestart module) at /usr/sbin/needrestart line 30.\n"
             "BEGIN failed--compilation aborted at /usr/sbin/needrestart line 30.\n")
    status = srv.reboot_required(lambda argv: (2, "", error), "/usr/sbin/needrestart")
    assert status["services"] == []
    assert status["not_visible"] == ["needrestart: " + error.splitlines()[0]]


def test_a_pending_microcode_update_requires_a_reboot():
    """needrestart's microcode status was not read: intel-microcode or amd64-microcode
    upgraded (a CPU vulnerability's fix) needs a boot to load, and neither the condition
    report nor the maintenance's reboot step knew."""
    def reboot(out):
        return srv.reboot_required(lambda argv: (0, out, ""), "/usr/sbin/needrestart")

    head = "NEEDRESTART-VER: 3.6\nNEEDRESTART-KSTA: 1\n"
    pending = reboot(head + "NEEDRESTART-UCSTA: 2\nNEEDRESTART-UCCUR: 0xde\n"
                     "NEEDRESTART-UCEXP: 0xf0\n")
    assert pending["required"]
    assert pending["reasons"][-1] == ("microcode CPU yang berjalan lebih lama dari yang "
                                      "terpasang (0xde, terpasang 0xf0)")
    unnamed = reboot(head + "NEEDRESTART-UCSTA: 2\n")
    assert unnamed["reasons"][-1] == "microcode CPU yang berjalan lebih lama dari yang terpasang"
    for status in ("NEEDRESTART-UCSTA: 1\nNEEDRESTART-UCCUR: 0xf0\nNEEDRESTART-UCEXP: 0xf0\n",
                   "NEEDRESTART-UCSTA: 0\n", ""):
        assert not any("microcode" in line for line in reboot(head + status)["reasons"])


def test_the_condition_report_reads_needrestarts_microcode(tmp_path, monkeypatch,
                                                           real_module):
    hung_tools(tmp_path, monkeypatch, needrestart=(
        'printf "NEEDRESTART-VER: 3.6\\nNEEDRESTART-KSTA: 1\\nNEEDRESTART-UCSTA: 2\\n'
        'NEEDRESTART-UCCUR: 0x2b000603\\nNEEDRESTART-UCEXP: 0x2b000620\\n"\n'))
    reboot = condition.Probe(real_module({}, {})).reboot()
    assert reboot["required"]
    assert "microcode CPU yang berjalan lebih lama dari yang terpasang (0x2b000603, " \
        "terpasang 0x2b000620)" in reboot["reasons"]


def test_apt_get_clean_runs_in_the_c_locale(tmp_path, monkeypatch, real_module, capsys):
    """apt-get clean ran in the host's locale (every other apt call sets LC_ALL=C): its
    error could be in Indonesian, unmatched by apt_failure's English words."""
    hung_tools(tmp_path, monkeypatch, apt_get='echo "E: locale ${LC_ALL:-unset}" >&2\nexit 100\n')
    monkeypatch.setattr(remediate.glob, "glob", lambda _pattern: ["/var/cache/apt/archives/a.deb"])
    monkeypatch.setattr(remediate, "space", lambda _path, _files: {"free_mb": 1, "bytes": 1})
    module = real_module({}, {})
    # a host with id_ID.UTF-8 installed: AnsibleModule keeps a locale it can set
    monkeypatch.setenv("LC_ALL", "id_ID.UTF-8")
    with pytest.raises(SystemExit):
        remediate.clean_package_cache(module)
    assert json.loads(capsys.readouterr().out)["msg"] == "apt-get clean gagal: E: locale C"


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_package_cache_folder_removed_by_hand_is_nothing_to_clean(tmp_path, monkeypatch,
                                                                   real_module, check_mode):
    """/var/cache/apt/archives removed by hand in a full disk's rush: clean_package_cache
    failed with a traceback (statvfs of the missing folder), not 'nothing to clean'."""
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(remediate, "PACKAGE_CACHE", str(tmp_path / "cache" / "apt" / "archives"))
    hung_tools(tmp_path, monkeypatch, apt_get="exit 100\n")  # never asked
    before, after, done, skipped = remediate.clean_package_cache(real_module({}, {}, check_mode))
    free = srv.file_system(str(tmp_path / "cache"))["free_mb"]
    assert done == [] and skipped == []
    assert before["bytes"] == after["bytes"] == 0
    assert abs(before["free_mb"] - free) <= 1 and abs(after["free_mb"] - free) <= 1



@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("active", ["failed", "active"])
def test_a_dry_run_names_what_it_would_do_never_as_done(tmp_path, monkeypatch, check_mode,
                                                       active):
    """In check mode the restart a run would make was returned as done and recorded
    under dilakukan: the incident's evidence said a stopped database was restarted,
    though nothing was run. A dry run names it as what would be done (planned,
    akan_dilakukan), changed saying whether a run would change anything; a real run's
    result and record are what they were."""
    state, calls = tmp_path / "state", tmp_path / "calls"
    state.write_text(active)
    hung_tools(tmp_path, monkeypatch, systemctl=f"""echo "$*" >> {calls}
[ "$1" = restart ] && {{ echo active > {state}; exit 0; }}
printf 'Id=%s\\nLoadState=loaded\\nActiveState=%s\\nUnitFileState=enabled\\n' "$2" "$(cat {state})"
""")
    rc, result = run_module("server_remediate", tmp_path, {
        "action": "restart_service", "services": ["mariadb"], "_ansible_check_mode": check_mode})
    assert rc == 0, result.get("msg")
    record = result["sop_output"]
    actions = ["restart mariadb"] if active == "failed" else []
    assert result["changed"] is bool(actions) and record["uji_coba"] is check_mode
    restarted = "restart mariadb.service" in calls.read_text().splitlines()
    if check_mode:
        assert not restarted and result["after"] == result["before"]
        assert result["done"] == [] and result["planned"] == record["akan_dilakukan"] == actions
        assert "dilakukan" not in record
    else:
        assert restarted is bool(actions) and result["after"]["mariadb"]["active"] == "active"
        assert result["done"] == record["dilakukan"] == actions
        assert "planned" not in result and "akan_dilakukan" not in record


def test_a_negative_log_min_age_is_refused_as_a_setting(tmp_path, monkeypatch):
    """log_min_age_days -1 was taken: a cutoff a day ahead, every rotated log under
    /var/log old enough to remove, the newest one (written an hour ago) too. Refused in
    one line naming the option, before anything is removed."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no tool to run
    rc, result = run_module("server_remediate", tmp_path, {
        "action": "remove_rotated_logs", "services": [], "log_min_age_days": -1,
        "_ansible_check_mode": True})
    assert rc == 1
    assert result["msg"] == ("log_min_age_days: must be 0 (every rotated log) or a positive "
                             "number of days, not -1")
    assert result["setting"] == "log_min_age_days"


@pytest.mark.parametrize("action", ["restart_service", "clean_package_cache"])
def test_a_log_age_does_not_refuse_an_action_that_never_reads_it(tmp_path, monkeypatch,
                                                                  action):
    """Only remove_rotated_logs reads log_min_age_days: a restart (or a package cache's
    cleaning) was refused for a log age it never uses."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no tool to run
    rc, result = run_module("server_remediate", tmp_path, {
        "action": action, "services": [], "log_min_age_days": -1,
        "_ansible_check_mode": True})
    assert rc == 0, result
    assert result["sop_output"]["tindakan"] == action


def test_a_log_age_beyond_ten_years_is_refused_as_a_setting(tmp_path, monkeypatch):
    # taken before: a cutoff before any log was written, the remediation silently none
    monkeypatch.setenv("PATH", str(tmp_path))  # no tool to run
    rc, result = run_module("server_remediate", tmp_path, {
        "action": "remove_rotated_logs", "services": [], "log_min_age_days": 10**12,
        "_ansible_check_mode": True})
    assert (rc, result["msg"], result.get("setting")) == (
        1, "log_min_age_days: must be at most 3650 days (ten years), not 1000000000000",
        "log_min_age_days")


# logrotate's names of rotated logs: numbered (rotate 14 without compress reaches
# syslog.14; delaycompress leaves .1 plain), dateext (-YYYYMMDD, -YYYYMMDDHH hourly), each
# compressed by gzip, bzip2, xz or zstd, or not
LOGROTATE_NAMES = ["syslog.1", "syslog.9", "syslog.10", "syslog.14", "syslog.2.gz",
                   "syslog.10.gz", "mail.log.365.xz", "access.log.12.zst", "auth.log.3.bz2",
                   "messages-20261101", "messages-20261101.gz", "secure-20261101.xz",
                   "access.log-20261101.zst", "nginx/access.log-2026110113.gz",
                   "php8.2-fpm.log.11"]
# live logs old enough to remove if they were rotations: a host's log by its address
# (rsyslog's per-host files), MariaDB's binary and relay logs, rotatelogs' live file
# (its start time), apt's live eipp.log.xz, names merely ending in a digit, NAME.0
LIVE_NAMES = ["remote/10.0.0.1", "remote/192.168.1.10", "remote/192.168.1.10.gz",
              "mysql/mysql-bin.000012", "mysql/mysql-bin.100000", "mysql/relay-bin.000003",
              "apache2/access.log.1733400000", "apt/eipp.log.xz", "nginx/access.log.site1",
              "nginx/site1", "syslog", "access.log", "lastlog", "dmesg.0", "backup.tar.gz"]


def test_rotated_logs_are_logrotates_names_and_no_live_log(tmp_path):
    """Only *.gz and *.1 to *.9 were taken: rotate 14 without compress left syslog.10 to
    .14 (and .10.gz on), RHEL's dateext messages-YYYYMMDD and xz/zstd rotations in place
    on a full disk; yet a quiet host's live log named by its address (10.0.0.1) and any
    file ending in .gz (a backup left in /var/log) were removed as rotations."""
    old = time.time() - 30 * 86400
    for name in LOGROTATE_NAMES + LIVE_NAMES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        os.utime(path, (old, old))
    found = sorted(path for path, _fd, _info in remediate.old_rotated_logs(str(tmp_path),
                                                                         time.time(), {}, []))
    assert found == sorted(str(tmp_path / name) for name in LOGROTATE_NAMES)


def test_the_restart_runs_the_systemctl_the_states_were_read_with():
    """The states were read with get_bin_path's systemctl (found in /usr/sbin too), the
    restart ran a bare 'systemctl' (the module's PATH only): a host whose systemctl
    get_bin_path found off that PATH read the failed unit, then failed to start the
    restart. One resolved path for both."""
    class SbinSystemd(SystemdModule):
        def get_bin_path(self, name):
            return f"/usr/sbin/{name}"

    module = SbinSystemd({"mariadb": "failed"})
    _before, after, done, _skipped = remediate.restart_service(module)
    assert done == ["restart mariadb"] and after["mariadb"]["active"] == "active"
    assert [argv[:2] for argv in module.calls] == [
        ["/usr/sbin/systemctl", "show"], ["/usr/sbin/systemctl", "restart"],
        ["/usr/sbin/systemctl", "show"]]


def test_apt_and_openssl_output_not_utf8_is_read_with_its_bytes_replaced(tmp_path, monkeypatch,
                                                                         real_module):
    """apt and openssl were read as run_command decodes by default (surrogate escapes): a
    Latin-1 byte in a repository's label or a certificate's path or subject stayed a lone
    surrogate (\\udce9) in the report, which UTF-8 cannot write: the condition's result
    was refused. Their bytes are replaced (\\ufffd), like journalctl's in the diagnosis."""
    hung_tools(tmp_path, monkeypatch, apt_get=r"""case "$*" in
  *update*) printf 'Err:1 http://mirror.pn D\351p\364t InRelease\n' >&2; exit 100 ;;
  *) printf 'Inst rsync [1] (2 D\351p\364t-security:stable [amd64])\n' ;;
esac
""", apt_mark="exit 0\n", apt_cache="exit 0\n",
               openssl=r"""printf 'Could not open file or uri for loading certificate from ' >&2
printf 'Cr\351dit\n' >&2; exit 1
""")
    cert = tmp_path / "cert.pem"
    cert.write_text("")
    probe = condition.Probe(real_module({}, {}))
    updates = condition._updates(probe, {"update_cache": True, "security_pattern": "security",
                                         "hold": []})
    certs = probe.certificates([str(cert)], datetime.datetime.now(datetime.UTC))
    assert updates["stale"] == ("apt-get update failed: Err:1 http://mirror.pn D\ufffdp\ufffdt "
                                "InRelease")
    assert updates["security"][0]["origin"] == "D\ufffdp\ufffdt-security:stable"
    assert certs == [{"path": str(cert), "error": (
        "Could not open file or uri for loading certificate from Cr\ufffddit")}]


def test_the_bounded_tools_output_not_utf8_is_read_with_its_bytes_replaced(tmp_path, monkeypatch,
                                                                          real_module):
    """systemctl, smartctl, timedatectl and needrestart were read as run_command decodes
    by default, unlike apt and openssl: a Latin-1 byte in their answer (a unit's
    description, an error line quoting a path) stayed a lone surrogate (\\udce9), which
    UTF-8 cannot write, and the condition's result was refused."""
    hung_tools(tmp_path, monkeypatch, systemctl=(
        r"printf 'sipp-sync.service loaded failed failed Sinkronisasi D\351p\364t\n'"),
               needrestart=(r"printf 'Cannot open /etc/needrestart/conf.d/d\351p\364t.conf\n' >&2"
                            "\nexit 2\n"))
    probe = condition.Probe(real_module({}, {}))
    assert probe.ask(["systemctl", "list-units"], "systemctl")[1] == (
        "sipp-sync.service loaded failed failed Sinkronisasi D\ufffdp\ufffdt\n")
    assert probe.failed_units() == ["sipp-sync.service"]
    probe.reboot()
    assert probe.not_visible == [
        "layanan yang perlu restart (needrestart: Cannot open "
        "/etc/needrestart/conf.d/d\ufffdp\ufffdt.conf)"]


def test_apt_get_clean_runs_the_apt_get_get_bin_path_finds(monkeypatch):
    """apt-get clean was run by its bare name (the module's PATH only), the restart's
    systemctl by get_bin_path's path (found in /usr/sbin too): one found off that PATH
    failed to start. apt-get is resolved as systemctl is."""
    class Module:
        check_mode, calls = False, []

        def get_bin_path(self, name):
            return f"/usr/sbin/{name}"

        def run_command(self, argv, **_kwargs):
            self.calls.append(list(argv))
            return 0, "", ""

    monkeypatch.setattr(remediate.glob, "glob", lambda _pattern: ["/var/cache/apt/archives/a.deb"])
    monkeypatch.setattr(remediate, "space", lambda _path, _files: {"free_mb": 1, "bytes": 1})
    module = Module()
    _before, _after, done, _skipped = remediate.clean_package_cache(module)
    assert done == ["hapus 1 paket unduhan"]
    assert module.calls == [["/usr/sbin/apt-get", "clean"]]


def test_apt_get_clean_without_apt_get_is_one_line(tmp_path, monkeypatch, real_module, capsys):
    """Downloaded packages on a host without apt-get: one line naming it, not
    run_command's exception."""
    monkeypatch.setattr(remediate.glob, "glob", lambda _pattern: ["/var/cache/apt/archives/a.deb"])
    monkeypatch.setattr(remediate, "space", lambda _path, _files: {"free_mb": 1, "bytes": 1})
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get to run, whatever is asked
    module = real_module({}, {})
    monkeypatch.setattr(module, "get_bin_path", lambda _name: None)
    with pytest.raises(SystemExit):
        remediate.clean_package_cache(module)
    assert json.loads(capsys.readouterr().out)["msg"] == "apt-get clean gagal: apt-get tidak ada"


def _cleanable(tmp_path, monkeypatch):
    """A /var/log with a rotated log a month old and a package cache with one download
    (tmp_path/log, tmp_path/archives)."""
    logs, cache = tmp_path / "log", tmp_path / "archives"
    logs.mkdir()
    cache.mkdir()
    (logs / "syslog.2.gz").write_text("x")
    os.utime(logs / "syslog.2.gz", (time.time() - 30 * 86400,) * 2)
    (cache / "a.deb").write_text("x")
    monkeypatch.setattr(remediate, "LOGS", str(logs))
    monkeypatch.setattr(remediate, "PACKAGE_CACHE", str(cache))
    module = SystemdModule({})  # its run_command fails an apt-get clean: never asked
    module.params = {"log_min_age_days": 7}
    return logs, cache, module


@pytest.mark.parametrize("action", ["remove_rotated_logs", "clean_package_cache"])
def test_a_cleaning_whose_folder_does_not_answer_is_skipped_not_hung(tmp_path, monkeypatch,
                                                                   hung_mounts, action):
    """remove_rotated_logs and clean_package_cache measured /var/log and the package
    cache with statvfs without a time limit: on a hung NFS mount or a dying disk the
    remediation, and the incident's run, hung for good. Not answering in time, the
    folder is named in skipped and nothing is removed."""
    logs, cache, module = _cleanable(tmp_path, monkeypatch)
    folder, step = ((logs, "log rotasi tidak dihapus") if action == "remove_rotated_logs"
                    else (cache, "cache paket tidak dibersihkan"))
    hung_mounts(remediate, str(folder))
    with within(10, f"{action} on a hung mount"):
        before, after, done, skipped = getattr(remediate, action)(module)
    reason = f"{folder} tidak menjawab dalam 1 detik (NFS atau disk macet?)"
    assert before == after == {"error": reason}
    assert done == [] and skipped == module.warnings == [f"{reason}, {step}"]
    assert module.calls == []
    assert (logs / "syslog.2.gz").exists() and (cache / "a.deb").exists()


def test_a_cleaning_whose_folder_stops_answering_names_it_after(tmp_path, monkeypatch):
    """The folder measured before the cleaning, it stops answering after it: the
    cleaning is done and its after names why the space is not known."""
    logs, _cache, module = _cleanable(tmp_path, monkeypatch)
    release = threading.Event()
    monkeypatch.setitem(srv.TIME_LIMITS, "statvfs", 1)
    measure, calls = remediate.file_system, []

    def file_system(path):
        calls.append(path)
        if len(calls) > 1:
            release.wait(60)
        return measure(path)

    monkeypatch.setattr(remediate, "file_system", file_system)
    try:
        with within(10, "remove_rotated_logs on a mount that stops answering"):
            before, after, done, skipped = remediate.remove_rotated_logs(module)
    finally:
        release.set()
    assert done == [f"hapus {logs}/syslog.2.gz"] and skipped == []
    assert before["bytes"] == 1 and not (logs / "syslog.2.gz").exists()
    assert after == {"error": f"{logs} tidak menjawab dalam 1 detik (NFS atau disk macet?)"}


def test_a_cleaning_whose_folder_cannot_be_measured_is_skipped(tmp_path, monkeypatch):
    """A /var/log on a dead FUSE or NFS mount (ENOTCONN) was a traceback; it is named
    with the system's reason, as the pre-check names it, and nothing is removed."""
    logs, _cache, module = _cleanable(tmp_path, monkeypatch)

    def file_system(path):
        raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN), path)

    monkeypatch.setattr(remediate, "file_system", file_system)
    _before, _after, done, skipped = remediate.remove_rotated_logs(module)
    assert done == [] and skipped == [f"ruang {logs} tidak dapat diukur (Transport endpoint "
                                      "is not connected), log rotasi tidak dihapus"]
    assert (logs / "syslog.2.gz").exists()


def test_a_rotated_log_not_removed_is_warned_in_bahasa(tmp_path, monkeypatch):
    """A rotated log not removed was warned in English ('... not removed: <reason>')
    among remove_rotated_logs' Bahasa lines that reach the incident's record; one
    replaced by another file meanwhile in unlink_same's English words too."""
    logs = tmp_path / "log"
    logs.mkdir()
    old = time.time() - 30 * 86400
    for name in ("syslog.2.gz", "auth.log.3.gz"):
        (logs / name).write_text("x")
        os.utime(logs / name, (old, old))
    errors = {"syslog.2.gz": OSError(errno.EPERM, "Operation not permitted"),
              "auth.log.3.gz": OSError(errno.ESTALE, "replaced by another file meanwhile")}

    def refuse(name, _dir_fd, _info):
        raise errors[name]

    monkeypatch.setattr(remediate, "LOGS", str(logs))
    monkeypatch.setattr(remediate, "unlink_same", refuse)
    module = SystemdModule({})
    module.params = {"log_min_age_days": 7}
    _before, _after, done, _skipped = remediate.remove_rotated_logs(module)
    assert done == []
    assert sorted(module.warnings) == [
        f"{logs}/auth.log.3.gz tidak dihapus: diganti dengan berkas lain sementara itu",
        f"{logs}/syslog.2.gz tidak dihapus: Operation not permitted"]


def test_mounts_below_a_folder_are_read_from_mountinfo():
    """The mount points strictly below /var/log (not /var/log itself, nor /var/logs2
    beside it), escaped as the kernel writes them, with their file systems' types."""
    mountinfo = (
        "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n"
        "23 22 8:3 / /var/log rw,relatime shared:2 - ext4 /dev/sda3 rw\n"
        "24 23 0:51 / /var/log/arsip rw,relatime shared:3 - nfs4 nas:/log rw,vers=4.2\n"
        "25 23 8:4 / /var/log/audit rw,relatime - xfs /dev/sdb1 rw\n"
        "26 22 8:5 / /var/logs2 rw,relatime - ext4 /dev/sdc1 rw\n"
        "27 24 0:52 / /var/log/arsip/lama\\040x rw,relatime - cifs //nas/lama rw\n")
    assert srv.mounts_below("/var/log", mountinfo) == {
        "/var/log/arsip": "nfs4", "/var/log/audit": "xfs", "/var/log/arsip/lama x": "cifs"}


def _stat_blocking(monkeypatch, name):
    """os.stat blocks on ``name`` (asked relative to a folder or by a path ending in it)
    until the test ends, as the stat of a hung NFS mount's folder does; the names asked."""
    release, asked, real = threading.Event(), [], os.stat

    def stat(path, *args, **kwargs):
        asked.append(path)
        if os.path.basename(str(path)) == name:
            release.wait(60)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    return release, asked


def test_log_cleaning_never_enters_nor_looks_at_a_mount_below_var_log(tmp_path, monkeypatch):
    """os.fwalk stat'ed and entered every folder below /var/log: a hung NFS mount there
    (an archive of old logs) hung the remediation and the incident's run for good, and a
    mount of another file system had its rotated logs removed. A mount point of
    /proc/self/mountinfo is not looked at, named in skipped and warned."""
    logs, _cache, module = _cleanable(tmp_path, monkeypatch)
    (logs / "arsip").mkdir()
    (logs / "arsip" / "syslog.3.gz").write_text("x")
    os.utime(logs / "arsip" / "syslog.3.gz", (time.time() - 30 * 86400,) * 2)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"24 23 0:51 / {os.path.realpath(logs)}/arsip rw,relatime - nfs4 "
                         "nas:/log rw\n")
    monkeypatch.setattr(remediate, "MOUNTINFO", str(mountinfo))
    release, asked = _stat_blocking(monkeypatch, "arsip")
    try:
        with within(10, "remove_rotated_logs beside a hung NFS mount"):
            _before, _after, done, skipped = remediate.remove_rotated_logs(module)
    finally:
        release.set()
    line = (f"{logs}/arsip adalah sistem berkas lain (nfs4): tidak dimasuki, log rotasi di "
            "dalamnya tidak dihapus")
    assert done == [f"hapus {logs}/syslog.2.gz"]
    assert skipped == module.warnings == [line]
    assert "arsip" not in [os.path.basename(str(path)) for path in asked]
    assert (logs / "arsip" / "syslog.3.gz").exists()


def test_log_cleaning_does_not_cross_into_another_device(tmp_path, monkeypatch):
    """A folder on another device (mounted after the mount table was read) is not
    entered, as find -xdev does not: named in skipped, its rotated logs kept."""
    logs, _cache, module = _cleanable(tmp_path, monkeypatch)
    (logs / "audit").mkdir()
    (logs / "audit" / "audit.log.1").write_text("x")
    os.utime(logs / "audit" / "audit.log.1", (time.time() - 30 * 86400,) * 2)
    (tmp_path / "mountinfo").write_text("")
    monkeypatch.setattr(remediate, "MOUNTINFO", str(tmp_path / "mountinfo"))
    real = os.stat

    def stat(path, *args, **kwargs):
        found = real(path, *args, **kwargs)
        if path == "audit":  # another disk's file system: another st_dev
            fields = list(found[:10])
            fields[stat_module.ST_DEV] += 1
            return os.stat_result(fields)
        return found

    monkeypatch.setattr(os, "stat", stat)
    _before, _after, done, skipped = remediate.remove_rotated_logs(module)
    assert done == [f"hapus {logs}/syslog.2.gz"]
    assert skipped == [f"{logs}/audit adalah sistem berkas lain: tidak dimasuki, log rotasi "
                       "di dalamnya tidak dihapus"]
    assert (logs / "audit" / "audit.log.1").exists()


def test_log_cleaning_without_a_mount_table_removes_nothing(tmp_path, monkeypatch):
    """Without /proc/self/mountinfo the mounts to keep out of are not known: nothing is
    removed, and that is named."""
    logs, _cache, module = _cleanable(tmp_path, monkeypatch)
    monkeypatch.setattr(remediate, "MOUNTINFO", str(tmp_path / "missing"))
    before, _after, done, skipped = remediate.remove_rotated_logs(module)
    line = f"{tmp_path}/missing tidak terbaca (No such file or directory), log rotasi tidak dihapus"
    assert done == [] and skipped == module.warnings == [line]
    assert before == {"error": line}
    assert (logs / "syslog.2.gz").exists()


def test_apt_get_clean_that_hangs_is_stopped_in_one_line(tmp_path, monkeypatch, real_module,
                                                        capsys):
    """apt-get clean ran without a time limit: on a hung disk or NFS mount under its cache
    it held the incident's run for good. It is stopped at TIME_LIMITS["apt_clean"] (1 s
    here) and named in one Bahasa line, with what was measured before."""
    hung_tools(tmp_path, monkeypatch, apt_get=HUNG)
    monkeypatch.setattr(remediate.glob, "glob", lambda _pattern: ["/var/cache/apt/archives/a.deb"])
    monkeypatch.setattr(remediate, "space", lambda _path, _files: {"free_mb": 1, "bytes": 1})
    with within(10, "a hung apt-get clean"), pytest.raises(SystemExit):
        remediate.clean_package_cache(real_module({}, {}))
    result = json.loads(capsys.readouterr().out)
    assert result["msg"] == ("apt-get clean gagal: apt-get tidak selesai dalam 1 detik (disk atau "
                             "NFS macet?), dihentikan")
    assert result["before"] == {"free_mb": 1, "bytes": 1}


NFS_MOUNTS = """\
nas:/backup {tmp}/nas nfs4 rw,relatime,vers=4.2 0 0
//nas/arsip {tmp}/smb cifs rw,relatime 0 0
sshfs#backup: {tmp}/ssh fuse.sshfs rw,nosuid,nodev 0 0
lxcfs /proc/meminfo fuse.lxcfs rw,nosuid,nodev 0 0
gvfsd-fuse /run/user/1000/gvfs fuse.gvfsd-fuse rw,nosuid,nodev 0 0
squashfuse /snap/core22/1380 fuse.snapfuse ro,nodev 0 0
/dev/sda1 {tmp} ext4 rw 0 0
"""


def failing_statvfs(monkeypatch, failing: str, code: int) -> None:
    """sop_server.file_system failing with OSError ``code`` for the path ``failing``."""
    measure = srv.file_system

    def file_system(path):
        if path == failing:
            raise OSError(code, os.strerror(code), path)
        return measure(path)

    monkeypatch.setattr(srv, "file_system", file_system)


def test_a_network_share_is_measured_by_the_condition_report(tmp_path, monkeypatch, hung_mounts):
    """NFS, CIFS and FUSE network mounts were never measured: a court's full backup share
    (NFS or CIFS on a NAS) was no finding, nor one that hung. They are measured within
    TIME_LIMITS["statvfs"]: a hung one and a dead one (ENOTCONN) are findings naming
    them; FUSE's own file systems of the host (lxcfs, gvfs, snaps) are not measured."""
    for name in ("nas", "smb", "ssh"):
        (tmp_path / name).mkdir()
    (tmp_path / "mounts").write_text(NFS_MOUNTS.format(tmp=tmp_path))
    for name in ("MOUNTS", "MOUNTINFO", "FSTAB"):
        monkeypatch.setattr(condition, name, str(tmp_path / name.lower()))
    hung_mounts(srv, f"{tmp_path}/nas")
    failing_statvfs(monkeypatch, f"{tmp_path}/ssh", errno.ENOTCONN)
    with within(10, "the condition report of a hung NFS share"):
        measured = condition.condition(FakeModule({}, tools=()), {"cert_paths": []})
    assert [fs["path"] for fs in measured["file_systems"]] == [str(tmp_path), f"{tmp_path}/smb"]
    assert measured["mounts_not_answering"] == [f"{tmp_path}/nas"]
    assert measured["mounts_not_measured"] == [
        {"path": f"{tmp_path}/ssh", "error": "Transport endpoint is not connected"}]
    assert condition.flags(report(**{key: measured[key] for key in (
        "mounts_not_answering", "mounts_not_measured")}), PARAMS) == [
        f"Sistem berkas {tmp_path}/nas tidak menjawab dalam 1 detik (NFS atau disk macet?)",
        f"Sistem berkas {tmp_path}/ssh tidak dapat diukur (Transport endpoint is not connected)"]


@contextlib.contextmanager
def hung_reads(monkeypatch, path) -> Iterator[None]:
    """server_diagnose's read_tail of ``path`` hangs (a file on a hung NFS mount or
    disk) until the block is left."""
    release, read_tail = threading.Event(), diagnose.read_tail

    def hung_tail(name, lines):
        if name == str(path):
            release.wait(60)
        return read_tail(name, lines)

    monkeypatch.setattr(diagnose, "read_tail", hung_tail)
    try:
        yield
    finally:
        release.set()


def test_the_diagnosis_names_a_file_system_it_cannot_measure(tmp_path, monkeypatch):
    """A statvfs that failed (a dying disk's I/O error) was left out silently, as one
    unmounted meanwhile is: the likely cause of the incident was named nowhere. Network
    file systems are left to the condition report."""
    (tmp_path / "data").mkdir()
    failing_statvfs(monkeypatch, f"{tmp_path}/data", errno.EIO)
    found = srv.measured_mounts(NFS_MOUNTS.format(tmp=tmp_path)
                                + f"/dev/sdb1 {tmp_path}/data xfs rw 0 0\n"
                                + f"/dev/sdc1 {tmp_path}/gone xfs rw 0 0\n")
    assert [fs["path"] for fs in found.file_systems] == [str(tmp_path)]
    assert found.not_answering == []
    assert found.not_measured == [{"path": f"{tmp_path}/data", "error": "Input/output error"}]
    assert diagnose.causes(bundle(mounts_not_measured=found.not_measured), 97, 100) == [
        f"Sistem berkas {tmp_path}/data tidak dapat diukur (Input/output error)"]


def test_an_error_log_on_a_hung_mount_is_named_not_waited_for(tmp_path, monkeypatch,
                                                              real_module):
    """The services' error logs were stat'ed and read without a time limit: a log on a
    hung NFS mount (a PHP-FPM pool's error_log on a shared web root) hung the incident's
    diagnosis for good. Not read within TIME_LIMITS["statvfs"], it is named."""
    hung, real = tmp_path / "nfs-error.log", tmp_path / "error.log"
    hung.write_text("[error] never read\n")
    real.write_text("[error] upstream timed out\n")
    monkeypatch.setitem(diagnose.ERROR_LOGS, "nginx", [str(hung), str(real)])
    with hung_reads(monkeypatch, hung), within(15, "the diagnosis of a log on a hung mount"):
        collected = _diagnosis(tmp_path, monkeypatch, real_module, {"services": ["nginx"]},
                               systemctl=("printf 'Id=nginx.service\\nLoadState=loaded\\n"
                                          "ActiveState=active\\n'\n"))
    assert collected["logs"] == {str(real): ["[error] upstream timed out"]}
    assert f"{hung} tidak menjawab dalam 1 detik (NFS atau disk macet?)" \
        in collected["not_visible"]


@pytest.mark.parametrize(("hung", "limit", "line"), [
    ("update", "apt_update", "apt-get update tidak selesai dalam 1.800 detik (mirror lambat "
                             "atau tidak menjawab, atau disk macet)"),
    ("upgrade", "apt_query", "apt-get -s upgrade tidak selesai dalam 300 detik"),
    ("showhold", "apt_query", "apt-mark showhold tidak selesai dalam 300 detik"),
    ("policy", "apt_query", "apt-cache policy tidak selesai dalam 300 detik")])
def test_an_apt_command_stopped_at_its_limit_is_one_line(hung, limit, line):
    """apt-get update, the simulation, apt-mark and apt-cache ran without a time limit: a
    mirror trickling bytes or a hung /var held server_updates and the condition report
    for good. Each runs within its TIME_LIMITS entry (run: rc None when stopped) and one
    stopped is an AptError naming it, what it wrote until then not read."""
    limits = {}

    def run(argv, given):
        name = next(word for word in ("update", "upgrade", "showhold", "policy")
                    if word in argv)
        limits[name] = given
        if name == hung:
            return None, APT_SIMULATION, ""
        return 0, APT_SIMULATION if name == "upgrade" else "", ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, True, "security", [])
    assert str(failure.value) == line
    assert limits[hung] == limit


def test_a_hold_list_apt_mark_cannot_give_is_no_list_without_holds():
    """apt-mark showhold's failure was ignored: every package held by dpkg read as not
    held (kept back by apt, a finding asking for apt full-upgrade)."""
    def run(argv, _limit):
        if "showhold" in argv:
            return 100, "", "E: Could not open file /var/lib/dpkg/status - open (5: I/O error)\n"
        return 0, APT_SIMULATION, ""

    with pytest.raises(srv.AptError) as failure:
        srv.apt_pending(run, False, "security", [])
    assert str(failure.value) == ("apt-mark showhold failed: E: Could not open file "
                                  "/var/lib/dpkg/status - open (5: I/O error)")


updates = load("server_updates")


@pytest.mark.parametrize(("case", "line"), [
    ("update", "apt-get update tidak selesai dalam 1 detik (mirror lambat atau tidak "
               "menjawab, atau disk macet)"),
    ("-s*upgrade", "apt-get -s upgrade tidak selesai dalam 1 detik"),
    ("-s*install", "apt-get -s install tidak selesai dalam 1 detik; tidak ada paket yang "
                   "dipasang")])
def test_updates_stop_a_hung_apt_in_one_line_with_nothing_installed(tmp_path, monkeypatch,
                                                                   real_module, capsys,
                                                                   case, line):
    """server_updates' apt-get update and simulations are stopped at their TIME_LIMITS
    (1 s here) and fail in one Bahasa line; nothing is downloaded or installed."""
    hung_apt = FAKE_APT.replace("Remv sipp-report-tool [2.1]\n", "").replace(
        "case \"$*\" in\n", f"case \"$*\" in\n  *{case}*) {HUNG.strip()} ;;\n", 1)
    log = apt_host(tmp_path, monkeypatch, hung_apt)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
        "hold": ["mariadb-*"]}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    with within(15, f"server_updates with a hung apt-get {case}"), pytest.raises(SystemExit):
        updates.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and result["msg"] == line
    assert not [entry for entry in log.read_text().splitlines()
                if entry.startswith("install") and "-s" not in entry.split()]


@pytest.mark.parametrize(("dpkg_query", "line"), [
    (HUNG, "dpkg-query tidak selesai dalam 1 detik: paket sudah dipasang, versi "
           "terpasangnya tidak dapat diperiksa"),
    ("echo 'dpkg-query: error: parsing file '\"'\"'/var/lib/dpkg/status'\"'\"' near line 7: "
     "newline in field name' >&2; exit 2\n",
     "dpkg-query gagal (dpkg-query: error: parsing file '/var/lib/dpkg/status' near line 7: "
     "newline in field name): paket sudah dipasang, versi terpasangnya tidak dapat "
     "diperiksa")], ids=["hung", "fails"])
def test_an_installed_version_dpkg_query_cannot_give_names_why(tmp_path, monkeypatch,
                                                               real_module, capsys,
                                                               dpkg_query, line):
    """dpkg-query's failure was ignored: each package installed read as 'upgrade did not
    take effect: libmariadb3 None', dpkg's own reason (a damaged status file) never
    named; a hung dpkg-query held the run for good."""
    log = apt_host(tmp_path, monkeypatch, INSTALLING_APT)
    _fake_tool(tmp_path / "bin", "dpkg-query", dpkg_query)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
        "hold": ["mariadb-*"], "update_cache": False}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    with within(15, "server_updates with a failing dpkg-query"), pytest.raises(SystemExit):
        updates.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and result["msg"] == line
    assert installed(log) == ["libmariadb3=1:10.11.11-0+deb12u1"]


@pytest.mark.parametrize("hung", ["update", "upgrade"])
def test_the_condition_report_names_a_hung_apt_and_goes_on(tmp_path, monkeypatch, real_module,
                                                           hung):
    """server_condition's apt ran without a time limit: a hung apt-get update held the
    whole report. An update stopped leaves the lists apt has (stale); a simulation
    stopped leaves no pending updates (error), named in not_visible."""
    hung_tools(tmp_path, monkeypatch, apt_get=f'case " $* " in *" {hung} "*) {HUNG.strip()} ;; '
               f"esac\ncat <<'X'\n{APT_SIMULATED}X\n", apt_mark="exit 0\n", apt_cache="exit 0\n")
    probe = condition.Probe(real_module({}, {}))
    with within(15, f"the condition report of a hung apt-get {hung}"):
        found = condition._updates(probe, {"update_cache": True, "security_pattern": "security",
                                           "hold": []})
    if hung == "update":
        assert found["stale"] == ("apt-get update tidak selesai dalam 1 detik (mirror lambat "
                                  "atau tidak menjawab, atau disk macet)")
        assert [u["name"] for u in found["security"]] == ["rsync"]
    else:
        assert found["error"] == "apt-get -s upgrade tidak selesai dalam 1 detik"
        assert probe.not_visible == ["pembaruan paket (apt-get -s upgrade tidak selesai "
                                     "dalam 1 detik)"]


def test_a_mount_table_not_read_is_named_in_the_diagnosis(tmp_path, monkeypatch, real_module):
    """/proc/mounts was opened without a guard: a host without it (a container without
    /proc) ended the diagnosis in a traceback. It is named, no file system measured."""
    monkeypatch.setattr(diagnose, "MOUNTS", str(tmp_path / "no-mounts"))
    collected = _diagnosis(tmp_path, monkeypatch, real_module)
    assert collected["file_systems"] == []
    assert f"sistem berkas ({tmp_path}/no-mounts tidak ada)" in collected["not_visible"]


def test_auth_log_on_a_hung_disk_is_named_not_waited_for(tmp_path, monkeypatch, real_module):
    """auth.log (read when the journal is lost at each boot) was read without a time
    limit: on a hung /var/log it held the diagnosis for good. Not read within
    TIME_LIMITS["log_read"], it is named and the logins read from the journal."""
    journal_host(tmp_path, monkeypatch, "runtime")
    (tmp_path / "auth.log").write_text(_syslog(1, "sshd[2]: Accepted password for x from "
                                                  "10.0.0.2 port 22 ssh2") + "\n")
    release, logins = threading.Event(), diagnose.auth_logins

    def auth_logins(path, since, limit):
        release.wait(60)
        return logins(path, since, limit)

    monkeypatch.setattr(diagnose, "auth_logins", auth_logins)
    try:
        with within(15, "the diagnosis of auth.log on a hung disk"):
            collected = _diagnosis(tmp_path, monkeypatch, real_module, journal=True, journalctl=(
                "echo 'Accepted publickey for admin from 10.0.0.9'\n"))
    finally:
        release.set()
    assert f"{tmp_path}/auth.log tidak terbaca dalam 1 detik (disk atau NFS macet?)" \
        in collected["not_visible"]
    assert collected["logins"] == ["Accepted publickey for admin from 10.0.0.9"]
    assert collected["sources"]["logins"] == [str(tmp_path / "runtime-journal")]


def test_dpkg_log_on_a_hung_disk_is_named_not_waited_for(tmp_path, monkeypatch, real_module):
    """dpkg.log and its rotations were read without a time limit: on a hung /var/log
    (a dying disk, an NFS mount) the diagnosis waited for good. Not read within
    TIME_LIMITS["log_read"], the package history is named in not_visible, no package
    change shown."""
    log = tmp_path / "dpkg.log"
    log.write_text(_logged(1, "upgrade nginx:amd64 1 2") + "\n")
    monkeypatch.setattr(diagnose, "DPKG_LOG", str(log))
    with hung_reads(monkeypatch, log), within(15, "the diagnosis of dpkg.log on a hung disk"):
        collected = _diagnosis(tmp_path, monkeypatch, real_module)
    assert f"{log} tidak terbaca dalam 1 detik (disk atau NFS macet?)" in collected["not_visible"]
    assert collected["packages"] == [] and collected["sources"]["packages"] == []


def _bytes_read() -> int:
    """The bytes this process has read by read() and its kin (/proc/self/io's rchar)."""
    with open("/proc/self/io", encoding="ascii") as handle:
        return int(next(line for line in handle if line.startswith("rchar:")).split()[1])


def test_a_huge_dpkg_log_is_read_from_its_tail_only(tmp_path):
    """A dpkg.log grown huge (never rotated) is read from its last TAIL_BYTES, the line
    cut there left out, not whole: the history is its last lines, read in a moment."""
    log = tmp_path / "dpkg.log"
    lines = [_logged(1, f"upgrade pkg{n}:all 1 2") for n in range(50)]
    with open(log, "wb") as handle:
        handle.truncate(256 * 2**20)  # 256 MiB of a hole, no disk used
        handle.seek(0, os.SEEK_END)
        handle.write(b"".join(line.encode() + b"\n" for line in lines))
    since = datetime.datetime.now() - datetime.timedelta(hours=24)
    before = _bytes_read()
    history, read, problems = diagnose.package_history(str(log), since)
    assert _bytes_read() - before <= diagnose.TAIL_BYTES + 2**16
    # the first line begins in the hole, before the window: cut there, left out
    assert (history, read, problems) == (lines[1:], [str(log)], [])


@pytest.mark.parametrize(("content", "reason"), [
    (None, "tidak ada"),
    ("", "tidak terbaca (isinya bukan tiga angka beban)"),
    ("0.10 0.20\n", "tidak terbaca (isinya bukan tiga angka beban)"),
    ("0.10 x 0.30 1/100 42\n", "tidak terbaca (isinya bukan tiga angka beban)"),
])
def test_a_load_not_read_is_named_not_a_traceback(tmp_path, monkeypatch, real_module,
                                                  content, reason):
    """/proc/loadavg was read without a guard: missing (a container without /proc) or
    not the kernel's numbers, the diagnosis ended in a traceback. It is named in
    not_visible, the bundle's load null, and no load judged."""
    loadavg = tmp_path / "loadavg"
    if content is not None:
        loadavg.write_text(content)
    monkeypatch.setattr(diagnose, "LOADAVG", str(loadavg))
    collected = _diagnosis(tmp_path, monkeypatch, real_module)
    assert collected["load"] is None
    assert f"beban ({loadavg} {reason})" in collected["not_visible"]
    assert not [c for c in diagnose.causes(collected, 97, 100) if c.startswith("Beban")]


def test_a_load_read_is_judged(tmp_path, monkeypatch, real_module):
    """LOADAVG as the kernel writes it: its three averages read, the 5-minute one judged."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("0.50 9999.25 3.00 2/345 6789\n")
    monkeypatch.setattr(diagnose, "LOADAVG", str(loadavg))
    collected = _diagnosis(tmp_path, monkeypatch, real_module)
    assert collected["load"] == {"1m": 0.5, "5m": 9999.25, "15m": 3.0,
                                 "cpus": os.cpu_count() or 1}
    assert not [line for line in collected["not_visible"] if line.startswith("beban")]
    assert [c for c in diagnose.causes(collected, 97, 100) if c.startswith("Beban")] == [
        f"Beban sangat tinggi: {diagnose.angka_ringkas(9999.25)} untuk "
        f"{diagnose.angka(os.cpu_count() or 1)} CPU"]


def test_a_hung_load_is_named_not_waited_for(tmp_path, monkeypatch, real_module):
    """In an LXC container /proc/loadavg is lxcfs's FUSE file: a hung lxcfs blocks its
    read for good, and so did it the diagnosis. Not read within TIME_LIMITS["statvfs"],
    it is named in not_visible, no load judged."""
    release, read_load = threading.Event(), diagnose.read_load

    def hung_load():
        release.wait(60)
        return read_load()

    monkeypatch.setattr(diagnose, "read_load", hung_load)
    try:
        with within(15, "the diagnosis of a hung /proc/loadavg"):
            collected = _diagnosis(tmp_path, monkeypatch, real_module)
    finally:
        release.set()
    assert collected["load"] is None
    assert f"beban ({diagnose.LOADAVG} tidak menjawab dalam 1 detik)" in collected["not_visible"]
