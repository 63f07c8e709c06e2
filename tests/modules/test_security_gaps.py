"""D.4 and D.7 of SOP Pengamanan TI: PHP/MariaDB end of support, the TLS a site accepts
(real handshakes against a local Python TLS server), WordPress versions on real files,
and the restore drill of a real website files archive."""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
from conftest import within
from httpd import serving
from loader import load, run_module, webshell_archive

common = load("sop_security")
software = load("security_software")
tls = load("security_tls")
wordpress = load("security_wordpress")
restore = load("security_restore_files")
server = load("sop_server")
website_files = load("sop_website_files")
backup_files = load("sop_backup_files")

TODAY = datetime.date(2026, 11, 30)
BOOKWORM = {"ID": "debian", "VERSION_ID": "12"}
DPKG = "\n".join([
    "ii \tphp8.2-fpm\t8.2.36-1~deb12u1",
    "ii \tphp-fpm\t2:8.2+93",
    "ii \tphp-common\t2:93",
    "un \tphp7.4-common\t",
    "rc \tphp8.1-fpm\t8.1.2-1",
    "ii \tmariadb-server\t1:10.11.19-0+deb12u1",
    "ii \tmariadb-server-core\t1:10.11.19-0+deb12u1",
    "ii \tnginx\t1.22.1-9+deb12u11",
])


def test_debian_packaged_php_and_mariadb_are_supported_with_the_release():
    found = software.installed(software.parse_dpkg(DPKG), ["php", "mariadb"])
    assert found == {("php", "8.2"): ["php8.2-fpm 8.2.36-1~deb12u1", "php-fpm 2:8.2+93"],
                     ("mariadb", "10.11"): ["mariadb-server 1:10.11.19-0+deb12u1",
                                            "mariadb-server-core 1:10.11.19-0+deb12u1"]}
    listed, findings = software.assess(found, BOOKWORM, TODAY)
    assert findings == []
    php = next(item for item in listed if item["product"] == "php")
    # PHP 8.2 upstream ends 2026-12-31; Debian 12 patches it until its own end.
    assert php["end_of_support"] == {"date": "2028-06-30", "days_left": 578, "status": "ok",
                                     "by": "debian 12"}
    later = software.assess(found, BOOKWORM, datetime.date(2028, 7, 1))[1]
    assert later[0]["kind"] == "end_of_support"


def test_the_day_compared_is_yyyy_mm_dd_on_every_host_python(tmp_path):
    # Python 3.11's date.fromisoformat takes 20261130 too, 3.9's does not.
    rc, result = run_module("security_software", tmp_path, {"today": "20261130"})
    assert rc == 1 and result["msg"] == "today '20261130': expected YYYY-MM-DD"


def test_old_php_and_mariadb_are_named():
    rows = software.parse_dpkg(DPKG + "\niU \tphp7.4-common\t7.4.33-1+deb11u5"
                               "\nii \tmariadb-server-10.3\t1:10.3.39-0+deb10u2")
    found = software.installed(rows, ["php", "mariadb"])
    listed, findings = software.assess(found, BOOKWORM, TODAY)
    assert [f["message"] for f in findings] == [
        "MariaDB 10.3 sudah melewati akhir dukungan (2023-05-25): "
        "mariadb-server-10.3 1:10.3.39-0+deb10u2",
        "PHP 7.4 sudah melewati akhir dukungan (2022-11-28): php7.4-common 7.4.33-1+deb11u5"]
    assert len(listed) == 4


def test_upstream_date_off_the_release_and_unknown_versions():
    rows = [("php-common", "8.1.2"), ("php-cli", "9.9.0"), ("mariadb-server", "10.6.18")]
    listed, findings = software.assess(software.installed(rows, ["php", "mariadb"]),
                                       {"ID": "rocky", "VERSION_ID": "9.4"}, TODAY)
    assert [f["message"].split(":")[0] for f in findings] == [
        "MariaDB 10.6 sudah melewati akhir dukungan (2026-07-06)",
        "PHP 8.1 sudah melewati akhir dukungan (2025-12-31)"]
    unknown = next(item for item in listed if item["version"] == "9.9")
    assert unknown["end_of_support"]["status"] == "unknown"
    # Ubuntu 22.04 ships and patches PHP 8.1 until 2027-06-01.
    ubuntu = software.assess(software.installed(rows[:1], ["php"]),
                             {"ID": "ubuntu", "VERSION_ID": "22.04"}, TODAY)
    assert ubuntu[1] == [] and ubuntu[0][0]["end_of_support"]["by"] == "ubuntu 22.04"
    assert software.installed(rows, ["mariadb"]) == {
        ("mariadb", "10.6"): ["mariadb-server 10.6.18"]}


# `LC_ALL=C apt-cache policy` and `apt-cache policy PACKAGE...` as apt 2.6 (Debian 12)
# prints them; the Debian parts captured on a Debian 12 host, the others in the same
# format with the release fields their archives' Release files give.
DEBIAN_FILES = """Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
     release v=12,o=Debian,a=oldstable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
     origin deb.debian.org
 500 http://deb.debian.org/debian bookworm/main amd64 Packages
     release v=12.15,o=Debian,a=oldstable,n=bookworm,l=Debian,c=main,b=amd64
     origin deb.debian.org
"""
SURY_FILES = DEBIAN_FILES + """ 500 https://packages.sury.org/php bookworm/main amd64 Packages
     release o=deb.sury.org,a=bookworm,n=bookworm,l=deb.sury.org,c=main,b=amd64
     origin packages.sury.org
 500 https://mirror.mariadb.org/repo/10.11/debian bookworm/main amd64 Packages
     release o=MariaDB,n=bookworm,l=MariaDB,c=main,b=amd64
     origin mirror.mariadb.org
Pinned packages:
"""
DEBIAN_TABLES = """mariadb-server:
  Installed: 1:10.11.19-0+deb12u1
  Candidate: 1:10.11.19-0+deb12u1
  Version table:
 *** 1:10.11.19-0+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
        100 /var/lib/dpkg/status
     1:10.11.18-0+deb12u1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
php8.2-fpm:
  Installed: 8.2.32-1~deb12u1
  Candidate: 8.2.36-1~deb12u1
  Version table:
     8.2.36-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
 *** 8.2.32-1~deb12u1 100
        100 /var/lib/dpkg/status
"""
SURY_TABLES = """mariadb-server:
  Installed: 1:10.11.14+maria~deb12
  Candidate: 1:10.11.14+maria~deb12
  Version table:
 *** 1:10.11.14+maria~deb12 500
        500 https://mirror.mariadb.org/repo/10.11/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
     1:10.11.19-0+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
php8.2-fpm:
  Installed: 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c
  Candidate: 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c
  Version table:
 *** 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c 500
        500 https://packages.sury.org/php bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
     8.2.36-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""
# Ubuntu 22.04 (apt 2.4): MariaDB is in universe, PHP in main.
JAMMY = {"ID": "ubuntu", "VERSION_ID": "22.04"}
JAMMY_FILES = """Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://security.ubuntu.com/ubuntu jammy-security/universe amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy-security,n=jammy,l=Ubuntu,c=universe,b=amd64
     origin security.ubuntu.com
 500 http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy-security,n=jammy,l=Ubuntu,c=main,b=amd64
     origin security.ubuntu.com
 500 http://archive.ubuntu.com/ubuntu jammy/universe amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy,n=jammy,l=Ubuntu,c=universe,b=amd64
     origin archive.ubuntu.com
Pinned packages:
"""
JAMMY_TABLES = """mariadb-server-10.6:
  Installed: 1:10.6.22-0ubuntu0.22.04.1
  Candidate: 1:10.6.22-0ubuntu0.22.04.1
  Version table:
 *** 1:10.6.22-0ubuntu0.22.04.1 500
        500 http://security.ubuntu.com/ubuntu jammy-security/universe amd64 Packages
        100 /var/lib/dpkg/status
     1:10.6.7-2ubuntu1 500
        500 http://archive.ubuntu.com/ubuntu jammy/universe amd64 Packages
php8.1-fpm:
  Installed: 8.1.2-1ubuntu2.22
  Candidate: 8.1.2-1ubuntu2.22
  Version table:
 *** 8.1.2-1ubuntu2.22 500
        500 http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages
        100 /var/lib/dpkg/status
"""


def origins_of(files: str, tables: str, release: dict[str, str]) -> dict[str, str | None]:
    parsed = server.package_files(files)
    return {name: software.origin(sources, parsed, release)
            for name, sources in server.installed_from(tables).items()}


def test_the_operating_systems_archive_is_no_other_origin():
    # the installed PHP is superseded in Debian's security archive (dpkg's status alone
    # lists it): the archive its update comes from is the operating system's
    assert origins_of(DEBIAN_FILES, DEBIAN_TABLES, BOOKWORM) == {"mariadb-server": None,
                                                                 "php8.2-fpm": None}
    assert origins_of(JAMMY_FILES, JAMMY_TABLES, JAMMY)["php8.1-fpm"] is None


# sury's PHP after its repository was removed from apt's sources: dpkg's status alone
# lists the installed version, above Debian's own; and sury's older PHP on a host still
# using sury, superseded there.
SURY_GONE_TABLES = """php8.2-fpm:
  Installed: 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c
  Candidate: 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c
  Version table:
 *** 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c 100
        100 /var/lib/dpkg/status
     8.2.36-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
php8.3-fpm:
  Installed: 8.3.30-1+0~20260105.80+debian12~1.gbp4d5e6f
  Candidate: 8.3.30-1+0~20260105.80+debian12~1.gbp4d5e6f
  Version table:
 *** 8.3.30-1+0~20260105.80+debian12~1.gbp4d5e6f 100
        100 /var/lib/dpkg/status
"""
SURY_SUPERSEDED_TABLES = """php8.2-fpm:
  Installed: 8.2.39-1+0~20251120.69+debian12~1.gbp0a1b2c
  Candidate: 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c
  Version table:
     8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c 500
        500 https://packages.sury.org/php bookworm/main amd64 Packages
 *** 8.2.39-1+0~20251120.69+debian12~1.gbp0a1b2c 100
        100 /var/lib/dpkg/status
     8.2.36-1~deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
"""


def test_a_version_no_repository_publishes_gets_no_operating_system_date():
    """A version dpkg's status alone lists was judged by its version: sury's PHP 8.2 whose
    repository was removed read as Debian's own, supported until Debian 12's end
    (2028-06-30), and so did sury's older PHP superseded in sury's repository."""
    nowhere = "versi terpasang tidak ada di repositori mana pun (repositori dihapus?)"
    gone = origins_of(DEBIAN_FILES, SURY_GONE_TABLES, BOOKWORM)
    assert gone == {"php8.2-fpm": nowhere, "php8.3-fpm": nowhere}
    assert origins_of(SURY_FILES, SURY_SUPERSEDED_TABLES, BOOKWORM) == {
        "php8.2-fpm": "repositori packages.sury.org"}
    found = software.installed(
        [("php8.2-fpm", "8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c")], ["php"])
    listed, _ = software.assess(found, BOOKWORM, TODAY, gone)
    assert (listed[0]["end_of_support"]["by"], listed[0]["end_of_support"]["date"]) == (
        "upstream", "2026-12-31")
    later = software.assess(found, BOOKWORM, datetime.date(2027, 1, 1), gone)[1]
    assert later[0]["message"] == (
        "PHP 8.2 sudah melewati akhir dukungan (2026-12-31; versi terpasang tidak ada di "
        "repositori mana pun (repositori dihapus?)): "
        "php8.2-fpm 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c")


def test_php_and_mariadb_from_other_repositories_get_upstream_dates_and_say_so():
    # sury's PHP 8.2 and mariadb.org's 10.11 on Debian 12 were given Debian 12's
    # 2028-06-30, though Debian's security team patches neither
    origins = origins_of(SURY_FILES, SURY_TABLES, BOOKWORM)
    assert origins == {"mariadb-server": "repositori mirror.mariadb.org",
                       "php8.2-fpm": "repositori packages.sury.org"}
    found = software.installed([("php8.2-fpm", "8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c"),
                                ("mariadb-server", "1:10.11.14+maria~deb12")],
                               ["php", "mariadb"])
    listed, findings = software.assess(found, BOOKWORM, TODAY, origins)
    assert findings == []
    assert [(item["product"], item["end_of_support"]["date"], item["end_of_support"]["by"],
             item["origin"]) for item in listed] == [
        ("mariadb", "2028-02-16", "upstream", "repositori mirror.mariadb.org"),
        ("php", "2026-12-31", "upstream", "repositori packages.sury.org")]
    later = software.assess(found, BOOKWORM, datetime.date(2027, 1, 1), origins)[1]
    assert later[0]["message"] == (
        "PHP 8.2 sudah melewati akhir dukungan (2026-12-31; dari repositori "
        "packages.sury.org): php8.2-fpm 8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c")


def test_ubuntus_universe_mariadb_is_not_supported_until_the_releases_end():
    # Ubuntu 22.04 ships MariaDB 10.6 in universe, outside Canonical's standard
    # security support: upstream's 2026-07-06, not Ubuntu 22.04's 2027-06-01
    origins = origins_of(JAMMY_FILES, JAMMY_TABLES, JAMMY)
    assert origins["mariadb-server-10.6"] == "komponen universe Ubuntu"
    found = software.installed([("mariadb-server-10.6", "1:10.6.22-0ubuntu0.22.04.1"),
                                ("php8.1-fpm", "8.1.2-1ubuntu2.22")], ["php", "mariadb"])
    listed, findings = software.assess(found, JAMMY, TODAY, {
        name: words for name, words in origins.items() if words})
    assert [(item["version"], item["end_of_support"]["by"]) for item in listed] == [
        ("10.6", "upstream"), ("8.1", "ubuntu 22.04")]
    assert [f["message"] for f in findings] == [
        "MariaDB 10.6 sudah melewati akhir dukungan (2026-07-06; dari komponen universe "
        "Ubuntu): mariadb-server-10.6 1:10.6.22-0ubuntu0.22.04.1"]


# Ubuntu 22.04 with Ubuntu Pro attached: universe's security fixes come from esm-apps
# (o=UbuntuESMApps), main's after the standard support from esm-infra (o=UbuntuESM).
JAMMY_PRO_FILES = JAMMY_FILES.replace("Pinned packages:\n", """\
 510 https://esm.ubuntu.com/apps/ubuntu jammy-apps-security/main amd64 Packages
     release v=22.04,o=UbuntuESMApps,a=jammy-apps-security,n=jammy,l=UbuntuESMApps,c=main,b=amd64
     origin esm.ubuntu.com
 510 https://esm.ubuntu.com/infra/ubuntu jammy-infra-security/main amd64 Packages
     release v=22.04,o=UbuntuESM,a=jammy-infra-security,n=jammy,l=UbuntuESM,c=main,b=amd64
     origin esm.ubuntu.com
Pinned packages:
""")
JAMMY_PRO_TABLES = """mariadb-server-10.6:
  Installed: 1:10.6.23-0ubuntu0.22.04.1+esm1
  Candidate: 1:10.6.23-0ubuntu0.22.04.1+esm1
  Version table:
 *** 1:10.6.23-0ubuntu0.22.04.1+esm1 510
        510 https://esm.ubuntu.com/apps/ubuntu jammy-apps-security/main amd64 Packages
        100 /var/lib/dpkg/status
     1:10.6.22-0ubuntu0.22.04.1 500
        500 http://security.ubuntu.com/ubuntu jammy-security/universe amd64 Packages
php8.1-fpm:
  Installed: 8.1.2-1ubuntu2.23+esm1
  Candidate: 8.1.2-1ubuntu2.23+esm1
  Version table:
 *** 8.1.2-1ubuntu2.23+esm1 510
        510 https://esm.ubuntu.com/infra/ubuntu jammy-infra-security/main amd64 Packages
        100 /var/lib/dpkg/status
"""


def test_ubuntu_pros_esm_archives_are_canonicals_supported_archive():
    """Ubuntu Pro's esm-apps and esm-infra are Canonical's security archives (o=UbuntuESMApps,
    o=UbuntuESM): a universe MariaDB patched there was named 'repositori esm.ubuntu.com'
    and given upstream's date alone, a finding from July 2026 on Ubuntu 22.04."""
    assert origins_of(JAMMY_PRO_FILES, JAMMY_PRO_TABLES, JAMMY) == {
        "mariadb-server-10.6": None, "php8.1-fpm": None}
    # not on another release: Ubuntu's ESM origin on Debian is another repository
    assert origins_of(JAMMY_PRO_FILES, JAMMY_PRO_TABLES, BOOKWORM)["php8.1-fpm"] == \
        "repositori esm.ubuntu.com"

# Ubuntu 22.04 with ondrej's PHP PPA (its label holds spaces), and versions Ubuntu still
# phases in ('(phased N%)', apt 2.4): the installed MariaDB is one, and an older PHP below
# the PPA's installed one.
JAMMY_PHASED_FILES = JAMMY_FILES.replace("Pinned packages:\n", """\
 500 http://archive.ubuntu.com/ubuntu jammy-updates/universe amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy-updates,n=jammy,l=Ubuntu,c=universe,b=amd64
     origin archive.ubuntu.com
 500 http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy-updates,n=jammy,l=Ubuntu,c=main,b=amd64
     origin archive.ubuntu.com
 500 https://ppa.launchpadcontent.net/ondrej/php/ubuntu jammy/main amd64 Packages
     release v=22.04,o=LP-PPA-ondrej-php,a=jammy,n=jammy,l=***** The main PPA for supported PHP versions with many PECL extensions *****,c=main,b=amd64
     origin ppa.launchpadcontent.net
Pinned packages:
""")  # noqa: E501 (apt's lines as they are)
JAMMY_PHASED_TABLES = """mariadb-server-10.6:
  Installed: 1:10.6.23-0ubuntu0.22.04.1
  Candidate: 1:10.6.23-0ubuntu0.22.04.1
  Version table:
 *** 1:10.6.23-0ubuntu0.22.04.1 500 (phased 40%)
        500 http://archive.ubuntu.com/ubuntu jammy-updates/universe amd64 Packages
        100 /var/lib/dpkg/status
     1:10.6.22-0ubuntu0.22.04.1 500
        500 http://security.ubuntu.com/ubuntu jammy-security/universe amd64 Packages
php8.1-fpm:
  Installed: 8.1.33-1+ubuntu22.04.1+deb.sury.org+1
  Candidate: 8.1.33-1+ubuntu22.04.1+deb.sury.org+1
  Version table:
 *** 8.1.33-1+ubuntu22.04.1+deb.sury.org+1 500
        500 https://ppa.launchpadcontent.net/ondrej/php/ubuntu jammy/main amd64 Packages
        100 /var/lib/dpkg/status
     8.1.2-1ubuntu2.23 500 (phased 10%)
        500 http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages
     8.1.2-1ubuntu2.22 500
        500 http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages
"""


def test_a_version_ubuntu_still_phases_in_is_one_of_the_table():
    """security_software read apt-cache policy's version lines without Ubuntu's
    '(phased N%)': an installed MariaDB still phased in published nothing (universe read
    as the supported archive), and an older PHP still phased in below the PPA's installed
    one was taken for the installed one's (Ubuntu main: the PPA's PHP got Ubuntu's date)."""
    assert origins_of(JAMMY_PHASED_FILES, JAMMY_PHASED_TABLES, JAMMY) == {
        "mariadb-server-10.6": "komponen universe Ubuntu",
        "php8.1-fpm": "repositori ppa.launchpadcontent.net"}


# Debian 12's backports (its own origin, o=Debian Backports, on deb.debian.org) and
# Ubuntu 22.04's (o=Ubuntu, component main, the suite telling them apart).
BACKPORTS_FILES = DEBIAN_FILES + JAMMY_FILES.split("Package files:\n")[1].replace(
    "Pinned packages:\n", """\
 100 http://deb.debian.org/debian bookworm-backports/main amd64 Packages
     release o=Debian Backports,a=bookworm-backports,n=bookworm-backports,l=Debian Backports,c=main,b=amd64
     origin deb.debian.org
 100 http://archive.ubuntu.com/ubuntu jammy-backports/main amd64 Packages
     release v=22.04,o=Ubuntu,a=jammy-backports,n=jammy,l=Ubuntu,c=main,b=amd64
     origin archive.ubuntu.com
Pinned packages:
""")  # noqa: E501 (apt's lines as they are)
BACKPORTS_TABLES = """mariadb-server:
  Installed: 1:11.8.3-1~bpo12+1
  Candidate: 1:11.8.3-1~bpo12+1
  Version table:
 *** 1:11.8.3-1~bpo12+1 100
        100 http://deb.debian.org/debian bookworm-backports/main amd64 Packages
        100 /var/lib/dpkg/status
     1:10.11.19-0+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
php8.1-fpm:
  Installed: 8.1.2-1ubuntu2.22~bpo22.04.1
  Candidate: 8.1.2-1ubuntu2.22~bpo22.04.1
  Version table:
 *** 8.1.2-1ubuntu2.22~bpo22.04.1 100
        100 http://archive.ubuntu.com/ubuntu jammy-backports/main amd64 Packages
        100 /var/lib/dpkg/status
"""


def test_backports_are_named_as_backports():
    """Debian's backports read 'repositori deb.debian.org' (Debian's own mirror, as if
    another repository), and Ubuntu's, origin Ubuntu and component main, as the supported
    archive: each is named by its suite (an origin: upstream's date alone)."""
    assert origins_of(BACKPORTS_FILES, BACKPORTS_TABLES, BOOKWORM)["mariadb-server"] == \
        "Debian backports (bookworm-backports)"
    assert origins_of(BACKPORTS_FILES, BACKPORTS_TABLES, JAMMY)["php8.1-fpm"] == \
        "Ubuntu backports (jammy-backports)"


def test_the_module_asks_apt_where_the_installed_versions_come_from(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, script in {
        "dpkg-query": 'cat "$(dirname "$0")/dpkg"\n',
        "apt-cache": ('[ "$#" = 1 ] && cat "$(dirname "$0")/files" || '
                      'cat "$(dirname "$0")/tables"\n'),
    }.items():
        (tools / name).write_text("#!/bin/sh\n" + script)
        (tools / name).chmod(0o755)
    (tools / "dpkg").write_text("ii \tphp8.2-fpm\t8.2.40-1+0~20260105.70+debian12~1.gbp1a2b3c\n")
    (tools / "files").write_text(SURY_FILES)
    (tools / "tables").write_text(SURY_TABLES)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_software", tmp_path, {"today": "2026-11-30"})
    assert rc == 0, result
    [php] = result["software"]
    assert (php["origin"], php["end_of_support"]["date"]) == (
        "repositori packages.sury.org", "2026-12-31")
    assert result["sop_output"]["software"] == [
        "PHP 8.2: dukungan sampai 2026-12-31 (upstream; dari repositori packages.sury.org)"]


def test_mariadbs_short_term_releases_have_their_end():
    """MariaDB 11.2 from dlm.mariadb.com, a short-term release past its end (2024-11-21),
    had no row of the table: only a warning that it was not judged."""
    rows = [("mariadb-server", "1:11.2.6+maria~deb12"), ("php5.5-cli", "5.5.9+dfsg-1ubuntu4")]
    _, findings = software.assess(software.installed(rows, ["php", "mariadb"]),
                                  {"ID": "debian", "VERSION_ID": "12"}, TODAY)
    assert [f["message"].split(":")[0] for f in findings] == [
        "MariaDB 11.2 sudah melewati akhir dukungan (2024-11-21)",
        "PHP 5.5 sudah melewati akhir dukungan (2016-07-21)"]


def test_a_version_the_table_does_not_know_is_a_warning(tmp_path, monkeypatch):
    """A MariaDB from dlm.mariadb.com in no row of the table (a release newer than the
    table; 11.2 was one): the activity passed without a word, the record saying only
    'tidak diketahui'."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, script in {"dpkg-query": "printf 'ii \\tmariadb-server\\t1:99.1.6+maria~deb12\\n'\n",
                         "apt-cache": "exit 0\n"}.items():
        (tools / name).write_text("#!/bin/sh\n" + script)
        (tools / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_software", tmp_path, {"today": "2026-11-30"})
    assert rc == 0, result
    assert result["software"][0]["end_of_support"]["status"] == "unknown"
    assert result["findings"] == []
    assert ("MariaDB 99.1: akhir dukungannya tidak ada di tabel akhir dukungan "
            "(module_utils/sop_server.py), tidak dinilai: mariadb-server 1:99.1.6+maria~deb12"
            in json.dumps(result["warnings"]))


@pytest.mark.parametrize(("script", "message"), [
    ("echo 'W: Unable to read /etc/apt/preferences.d/x' >&2\n"
     "echo 'E: The package cache file is corrupted' >&2; exit 100\n",
     "apt-cache policy failed: E: The package cache file is corrupted"),
    ("exec sleep 20\n", "apt-cache policy tidak selesai dalam 1 detik")])
def test_both_modules_run_apt_cache_policy_alike(tmp_path, monkeypatch, script, message):
    """security_software and security_wordpress ran apt-cache policy each with its own
    copy: the same failure read 'apt-cache policy wordpress failed: ...' in one, and in
    the other every line apt wrote, warnings included. One run (sop_server.apt_policy),
    one line: apt's error."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, text in {"dpkg-query": "printf 'ii \\tphp8.2-fpm\\t8.2.36-1~deb12u1\\n'\n",
                       "apt-cache": script}.items():
        (tools / name).write_text("#!/bin/sh\n" + text)
        (tools / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    for name, args in (("security_software", {}),
                       ("security_wordpress", {"roots": [str(tmp_path / "none")],
                                               "plugin_dirs": []})):
        with within(15, f"{name} and a hung apt-cache"):
            rc, result = run_module(name, tmp_path, {**args, "timeout": 1})
        assert (rc, result["msg"]) == (1, message), name


@pytest.mark.parametrize(("newer", "older"),
                         [("6.4.10", "6.4.9"), ("5.3.1", "5.3-beta"), ("2", "1.9.9")])
def test_version_order(newer, older):
    assert common.version_key(newer) > common.version_key(older)


# --- TLS: a real TLS server on 127.0.0.1 --------------------------------------------------

@pytest.fixture(scope="module")
def certificate() -> Iterator[tuple[str, str]]:
    folder = tempfile.mkdtemp(prefix="sop-tls-test-")
    cert, key = os.path.join(folder, "site.crt"), os.path.join(folder, "site.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=pn-test.go.id", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    yield cert, key
    shutil.rmtree(folder)


def _handshakes(ctx: ssl.SSLContext) -> tuple[int, threading.Event]:
    """A server on 127.0.0.1 answering each connection with one handshake of ``ctx``:
    its port, and the event that stops it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                conn.settimeout(5)
                try:
                    with ctx.wrap_socket(conn, server_side=True):
                        pass
                except (ssl.SSLError, OSError):
                    conn.close()

    threading.Thread(target=loop, daemon=True).start()
    return listener.getsockname()[1], stop


def serve(cert: tuple[str, str], minimum: ssl.TLSVersion,
          ciphers: str) -> tuple[int, threading.Event]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)
    ctx.set_ciphers(ciphers)
    with warnings.catch_warnings():  # the weak server offers TLS 1.0 on purpose
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = minimum
    return _handshakes(ctx)


def client_can(version: str, ciphers: str = "ALL") -> bool:
    try:
        tls.context(version, version, ciphers)
    except tls.Untestable:
        return False
    return True


def test_a_misspelt_weak_cipher_class_fails_naming_it(tmp_path):
    """OpenSSL ignores a word of a cipher string it does not know: a misspelt class
    ('RC5', 'eNUL') selected nothing and was reported only 'untested', as if the host's
    OpenSSL lacked those suites."""
    defaults = {"NULL": "eNULL", "anonim": "aNULL", "EXPORT": "EXP", "RC4": "RC4",
                "DES/3DES": "DES:3DES", "RSA statis": "kRSA"}
    assert tls.unknown_cipher_words(defaults, frozenset()) == []
    # keywords combined, negated, special; suites this OpenSSL knows
    assert tls.unknown_cipher_words({"x": "kRSA+AES:!aNULL, -RC4 @STRENGTH:DES-CBC3-SHA"},
                                    frozenset({"DES-CBC3-SHA"})) == []
    for ciphers, word in (("RC5", "RC5"), ("eNULL:eNUL", "eNUL"), ("kRSA+AEZ", "AEZ")):
        with pytest.raises(common.SecurityInputError, match=(
                f"^weak_ciphers 'kelas': '{word}' is no OpenSSL cipher keyword nor a suite "
                r"this host's OpenSSL knows \(a typo\?\)$")):
            tls.unknown_cipher_words({"kelas": ciphers}, frozenset())
    # a suite name the host's OpenSSL does not know: one it lacks, or a typo
    assert tls.unknown_cipher_words({"EXPORT": "EXP-RC4-MD5"}, frozenset({"AES128-SHA"})) == [
        "weak_ciphers 'EXPORT': OpenSSL host ini tidak mengenal suite 'EXP-RC4-MD5' (tidak "
        "tersedia di versinya, atau salah ketik): tidak diuji"]
    # the module fails before any connection, with the one line
    rc, result = run_module("security_tls", tmp_path, {
        "sites": ["pn-test.go.id"], "connect": "192.0.2.1", "weak_ciphers": {"RC4": "RC5"}})
    assert rc == 1 and result["msg"] == (
        "weak_ciphers 'RC4': 'RC5' is no OpenSSL cipher keyword nor a suite this host's "
        "OpenSSL knows (a typo?)")


def test_modern_site_has_no_tls_finding(certificate):
    port, stop = serve(certificate, ssl.TLSVersion.TLSv1_2, "ECDHE+AESGCM")
    try:
        result, findings = tls.probe(
            f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1", "TLSv1.1"],
            {"DES/3DES": "DES:3DES", "RSA statis": "kRSA", "RC4": "RC4"}, 5)
    finally:
        stop.set()
    assert findings == []
    assert result["protocols"] == ["TLSv1.2", "TLSv1.3"]
    assert result["weak_ciphers"] == {}


def test_old_protocols_and_weak_ciphers_are_named(certificate):
    port, stop = serve(certificate, ssl.TLSVersion.TLSv1, "ALL:@SECLEVEL=0")
    try:
        result, findings = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1", "TLSv1.1"],
                                     {"RSA statis": "kRSA", "RC4": "RC4"}, 5)
    finally:
        stop.set()
    kinds = {f["kind"]: f for f in findings}
    assert "Situs pn-test.go.id:" in kinds["weak_cipher"]["message"]
    assert kinds["weak_cipher"]["samples"][0].startswith("RSA statis: AES")
    if client_can("TLSv1"):
        assert kinds["old_tls"]["message"].endswith("menerima protokol lama: TLSv1, TLSv1.1")
    if not client_can("TLSv1.2", "RC4"):
        assert "RC4" in result["untested"]  # OpenSSL 3 cannot offer RC4: never "refused"


def test_a_handshake_that_never_ends_is_a_finding_not_a_refusal(certificate):
    """The server accepts the TCP connection (the kernel does, for a listener that never
    reads) but never completes the TLS handshake: each timed-out handshake counted as a
    protocol refused, so the site showed no protocol and no finding. A refusal (the
    server closing the connection) is still no finding."""
    with socket.create_server(("127.0.0.1", 0)) as silent, within(20, "handshakes"):
        port = silent.getsockname()[1]
        result, findings = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1"],
                                     {"RSA statis": "kRSA"}, 0.3)
    tested = [v for v in tls.VERSIONS if v not in result["untested"]] + ["RSA statis"]
    assert result["protocols"] == [] and result["timed_out"] == tested
    assert findings == [{"kind": "tls_timeout", "count": len(tested), "samples": tested[:5],
                         "message": f"Situs pn-test.go.id:{port} menerima koneksi TCP tetapi "
                                    "tidak menyelesaikan jabat tangan TLS dalam 0,3 dtk: "
                                    + ", ".join(tested)}]
    port, stop = serve(certificate, ssl.TLSVersion.TLSv1_3, "ECDHE+AESGCM")
    try:
        result, findings = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1"],
                                     {"RSA statis": "kRSA"}, 5)
    finally:
        stop.set()
    assert result["protocols"] == ["TLSv1.3"] and result["timed_out"] == []
    assert findings == []


def test_unreachable_site_and_bad_site_name():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    _, findings = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1"], {}, 2)
    assert findings[0]["kind"] == "tls_unreachable"
    with pytest.raises(common.SecurityInputError,
                       match=r"expected NAME, NAME:PORT or \[IPv6\]:PORT"):
        tls.split_site("pn-test.go.id:https")
    assert tls.split_site("pn-test.go.id") == ("pn-test.go.id", 443)


def test_a_site_unreachable_part_of_the_way_keeps_what_it_accepted(monkeypatch):
    """A site that stopped taking connections after accepting TLS 1.0 (a connection limit,
    a ban of the prober) was only unreachable: the old protocol it accepted was lost."""
    answers = iter([("TLSv1", "ECDHE-RSA-AES128-SHA")])

    def handshake(*_args: object) -> tuple[str, str]:
        answer = next(answers, None)
        if answer is None:
            raise tls.Unreachable("127.0.0.1:443: Connection refused")
        return answer
    monkeypatch.setattr(tls, "handshake", handshake)
    result, findings = tls.probe("pn-test.go.id", "127.0.0.1", ["TLSv1", "TLSv1.1"], {}, 2)
    assert result["protocols"] == ["TLSv1"]
    assert [f["kind"] for f in findings] == ["tls_unreachable", "old_tls"]
    assert findings[1]["samples"] == ["TLSv1"]


# --- WordPress on real files --------------------------------------------------------------

def test_wordpress_core_and_plugins(tmp_path):
    root = tmp_path / "wordpress"
    (root / "wp-includes").mkdir(parents=True)
    (root / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.1.9';\n")
    plugins = root / "wp-content" / "plugins"
    (plugins / "akismet").mkdir(parents=True)
    (plugins / "akismet" / "index.php").write_text("<?php // Silence is golden.\n")
    (plugins / "akismet" / "akismet.php").write_text(
        "<?php\n/*\nPlugin Name: Akismet Anti-spam\nVersion: 5.0.1\n*/\n")
    (plugins / "hello.php").write_text(
        "<?php\n/**\n * Plugin Name: Hello Dolly\n * Version: 1.7.2\n */\n")
    (plugins / "custom").mkdir()
    (plugins / "custom" / "custom.php").write_text(
        "<?php\n/* Plugin Name: Pengadilan\n Version: 1.0 */\n")
    cores = [{"root": str(root), "version": wordpress.core_version(str(root))}]
    found = wordpress.plugins_in(str(plugins))
    assert [(p["slug"], p["version"]) for p in found] == [
        ("akismet", "5.0.1"), ("custom", "1.0"), ("hello", "1.7.2")]
    available = {"core": "6.1.10", "plugins": {"akismet": "5.3", "hello": "1.7.2"}}
    findings = wordpress.assess(cores, found, available,
                                ("6.1.9+dfsg1-0+deb12u1", "6.1.10+dfsg1-0+deb12u1"))
    assert [f["kind"] for f in findings] == ["wordpress_core", "wordpress_core", "wordpress_plugin"]
    assert findings[0]["message"] == (
        "Paket WordPress 6.1.9+dfsg1-0+deb12u1 belum diperbarui ke 6.1.10+dfsg1-0+deb12u1")
    assert "akismet 5.0.1 (tersedia 5.3)" in findings[2]["message"]
    assert [p["status"] for p in found] == ["outdated", "unlisted", "current"]
    assert wordpress.assess(cores, found, {}, ("6.1.9", "6.1.9")) == []


def test_a_fifo_among_the_plugins_is_not_waited_for(tmp_path):
    """The site's account puts a FIFO where a plugin's main file is read: root's open()
    waited for a writer forever. A linked plugin folder is still read, as WordPress does."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    os.mkfifo(plugins / "stall.php")
    (plugins / "trap").mkdir()
    os.mkfifo(plugins / "trap" / "trap.php")
    shared = tmp_path / "shared" / "akismet"
    shared.mkdir(parents=True)
    (shared / "akismet.php").write_text("<?php\n/*\nPlugin Name: Akismet\nVersion: 5.3\n*/\n")
    (plugins / "akismet").symlink_to(shared)
    with within(10, "reading the plugins"):
        found = wordpress.plugins_in(str(plugins))
    assert [(p["slug"], p["version"]) for p in found] == [("akismet", "5.3")]


def test_apt_policy_parsing():
    text = "wordpress:\n  Installed: 6.1.9+dfsg1-0+deb12u1\n  Candidate: 6.1.9+dfsg1-0+deb12u1\n"
    assert server.installed_and_candidate(text) == ("6.1.9+dfsg1-0+deb12u1",
                                                    "6.1.9+dfsg1-0+deb12u1")
    none = "wordpress:\n  Installed: (none)\n  Candidate: 6.1\n"
    assert server.installed_and_candidate(none) == (None, "6.1")
    assert server.installed_and_candidate("") == (None, None)


WORDPRESS_POLICY = """wordpress:
  Installed: 6.1.9+dfsg1-0+deb12u1
  Candidate: {candidate}
  Version table:
     6.4.3+dfsg1-1~bpo12+1 100
        100 http://deb.debian.org/debian bookworm-backports/main all Packages
     6.1.10+dfsg1-0+deb12u1 500
        500 http://deb.debian.org/debian-security bookworm-security/main all Packages
 *** 6.1.9+dfsg1-0+deb12u1 500
        500 http://deb.debian.org/debian bookworm/main all Packages
        100 /var/lib/dpkg/status
"""


@pytest.mark.parametrize(("candidate", "messages"), [
    ("6.1.10+dfsg1-0+deb12u1",
     ["Paket WordPress 6.1.9+dfsg1-0+deb12u1 belum diperbarui ke 6.1.10+dfsg1-0+deb12u1"]),
    ("6.1.9+dfsg1-0+deb12u1", [])])
def test_the_wordpress_package_is_judged_by_apts_candidate(tmp_path, monkeypatch, candidate,
                                                           messages):
    """The package is compared with apt's candidate (its pins), never with the newest
    version of the table: bookworm-backports' newer WordPress, priority 100, is no update
    apt would install."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tmp_path / "policy").write_text(WORDPRESS_POLICY.format(candidate=candidate))
    (tools / "apt-cache").write_text(
        f'#!/bin/sh\n[ "$*" = "policy wordpress" ] && cat {tmp_path}/policy\n')
    (tools / "apt-cache").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_wordpress", tmp_path, {
        "roots": [str(tmp_path / "none")], "plugin_dirs": [], "web_user": ""})
    assert rc == 0, result["msg"]
    assert result["apt"] == {"installed": "6.1.9+dfsg1-0+deb12u1", "candidate": candidate}
    assert [f["message"] for f in result["findings"]] == messages


# --- WordPress hardening: its configuration, files served from the web root, HTTP -----

CONFIG = "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', 'rahasia' );\n"


def installation(tmp_path):
    root = tmp_path / "wordpress"
    (root / "wp-includes").mkdir(parents=True)
    (root / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.4.3';\n")
    (root / "wp-content").mkdir()
    return root


def test_configuration_others_can_read_or_the_web_server_can_change(tmp_path):
    root = installation(tmp_path)
    config = root / "wp-config.php"
    config.write_text(CONFIG)
    config.chmod(0o644)
    web = ("www-data", os.getuid() + 4242, {os.getgid() + 4242})
    found = wordpress.config_findings(wordpress.config_files(str(root)), web)
    assert [f["kind"] for f in found] == ["wordpress_config"]
    assert found[0]["message"].startswith(
        f"Konfigurasi WordPress {config} berisi kata sandi database dan dapat dibaca semua "
        "pengguna (0644, ")
    config.chmod(0o666)
    found = wordpress.config_findings([str(config)], web)
    assert "dapat diubah oleh akun web server www-data (0666, " in found[1]["message"]
    config.chmod(0o640)
    assert wordpress.config_findings([str(config)], web) == []
    config.chmod(0o666)
    # web_user empty: only the read check
    assert len(wordpress.config_findings([str(config)], None)) == 1
    # Without the password it holds no secret (Debian's wp-config.php, say).
    config.write_text("<?php\nrequire_once ABSPATH . 'wp-settings.php';\n")
    assert wordpress.config_findings([str(config)], web) == []


def test_write_permission_is_read_as_the_kernel_applies_the_mode(tmp_path):
    path = tmp_path / "wp-config.php"
    path.write_text(CONFIG)
    owner, group, other = os.getuid() + 4242, os.getgid() + 4242, os.getuid() + 4343
    for mode, as_owner, as_group, as_other in [
            (0o640, True, False, False), (0o460, False, True, False),
            (0o446, False, False, True), (0o444, False, False, False)]:
        path.chmod(mode)
        info = os.stat(path)
        # the file's real mode, as if owned by `owner` and `group`
        seen = os.stat_result((info.st_mode, 0, 0, 1, owner, group, 0, 0, 0, 0))
        assert wordpress.writable_by(seen, owner, {group + 1}) is as_owner, oct(mode)
        assert wordpress.writable_by(seen, other, {group}) is as_group, oct(mode)
        assert wordpress.writable_by(seen, other, {group + 1}) is as_other, oct(mode)
    assert wordpress.writable_by(os.stat(path), 0, set())


def test_wp_config_a_folder_up_and_debians_per_host_files(tmp_path, monkeypatch):
    root = installation(tmp_path)
    (tmp_path / "wp-config.php").write_text(CONFIG)
    assert wordpress.config_files(str(root)) == [str(tmp_path / "wp-config.php")]
    etc = tmp_path / "etc-wordpress"
    etc.mkdir()
    monkeypatch.setattr(wordpress, "DEBIAN_WP_ETC", str(etc))
    (root / "wp-config.php").write_text(
        f"<?php\n$debian_file = '{etc}/config-'.strtolower($debian_server).'.php';\n")
    for name, mode in [("config-default.php", 0o640), ("config-pn-contoh.go.id.php", 0o644)]:
        (etc / name).write_text(CONFIG)
        (etc / name).chmod(mode)
    files = wordpress.config_files(str(root))
    assert files == [str(root / "wp-config.php"), str(etc / "config-default.php"),
                     str(etc / "config-pn-contoh.go.id.php")]
    found = wordpress.config_findings(files, None)
    assert [f["message"].split()[2] for f in found] == [str(etc / "config-pn-contoh.go.id.php")]


def test_wp_config_copies_and_debug_log_served_from_the_web_root(tmp_path):
    root = installation(tmp_path)
    (root / "wp-config.php").write_text(CONFIG)
    for name in ["wp-config.php.bak", "wp-config.php~", ".wp-config.php.swp", "wp-config.php.save",
                 "wp-config-sample.php", "wp-config.php.bak.php", "wp-config.phpx"]:
        (root / name).write_text(CONFIG)
    os.mkfifo(root / "wp-config.php.old")  # no file to serve
    found = wordpress.config_copies(str(root))
    names = [".wp-config.php.swp", "wp-config.php.bak", "wp-config.php.save", "wp-config.php~"]
    assert [(item.path, item.web) for item in found] == [(str(root / name), name) for name in names]
    assert found[0].message == (
        f"Salinan konfigurasi WordPress {root}/.wp-config.php.swp ada di web root: disajikan "
        "sebagai teks biasa, kata sandi database dapat terbaca publik")


def test_debug_log_in_each_served_wp_content_debians_included(tmp_path):
    root = installation(tmp_path)
    # Debian's package serves this folder as /wp-content.
    debian = tmp_path / "var-lib-wordpress" / "wp-content"
    (debian / "plugins").mkdir(parents=True)
    plugin_dirs = [str(debian / "plugins") + "/", str(tmp_path / "extra")]
    folders = wordpress.content_dirs([str(root)], plugin_dirs)
    assert folders == {str(root / "wp-content"): str(root), str(debian): ""}
    assert wordpress.debug_logs([str(root)], plugin_dirs) == []
    (root / "wp-content" / "debug.log").write_text("PHP Notice: x\n")
    (debian / "debug.log").write_text("PHP Warning: y\n")
    found = wordpress.debug_logs([str(root)], plugin_dirs)
    assert [(item.message, item.web) for item in found] == [
        (f"Log debug WordPress {folder}/debug.log ({size} bita) ada di web root dan dapat "
         "diunduh publik (WP_DEBUG_LOG)", "wp-content/debug.log")
        for folder, size in [(root / "wp-content", 14), (debian, 15)]]


def method_response(names: list[str]) -> str:
    """What WordPress answers system.listMethods with."""
    values = "".join(f"  <value><string>{name}</string></value>\n" for name in names)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>\n  <params>\n    <param>\n'
            f"      <value>\n      <array><data>\n{values}</data></array>\n      </value>\n"
            "    </param>\n  </params>\n</methodResponse>\n")


# system.listMethods of a fresh WordPress 6 (a part: it lists about 80).
WP_METHODS = ["system.multicall", "system.listMethods", "system.getCapabilities",
              "demo.addTwoNumbers", "demo.sayHello", "pingback.extensions.getPingbacks",
              "pingback.ping", "mt.publishPost", "metaWeblog.newPost", "blogger.getUsersBlogs",
              "wp.getUsersBlogs", "wp.getPosts", "wp.newPost"]


class OpenWordPress(BaseHTTPRequestHandler):
    """WordPress as installed: xmlrpc.php serving its methods (and telling a GET it takes
    POST requests only), ?author=1 redirected (through the site's own redirect to its main
    address first), users listed by the REST API."""

    posted: ClassVar[list[bytes]] = []

    def log_message(self, *_: object) -> None:
        pass

    def answer(self, status: int, body: str = "", location: str = "",
               kind: str = "text/html") -> None:
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.posted.append(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/xmlrpc.php":
            self.answer(200, method_response(WP_METHODS), kind="text/xml; charset=UTF-8")
        else:
            self.answer(404, "<html>404</html>")

    def do_GET(self) -> None:
        if self.path == "/xmlrpc.php":
            self.answer(405, "XML-RPC server accepts POST requests only.")
        elif self.path == "/?author=1":
            self.answer(301, location="/situs/?author=1")
        elif self.path == "/situs/?author=1":
            self.answer(301, location="/author/admin%2Dpn/")
        elif self.path == "/?rest_route=/wp/v2/users":
            users = [{"id": n, "slug": f"user{n}"} for n in range(1, 13)]
            self.answer(200, json.dumps(users), kind="application/json")
        else:
            self.answer(200, "<html>Pengadilan Negeri</html>")


class HardenedWordPress(OpenWordPress):
    """xmlrpc.php denied by the web server, ?author=1 sent home, the REST API's users for
    logged-in users only."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.answer(403, "<html>403 Forbidden</html>")

    def do_GET(self) -> None:
        if self.path == "/xmlrpc.php":
            self.answer(403, "<html>403 Forbidden</html>")
        elif self.path == "/?author=1":
            self.answer(301, location="/")
        elif self.path.startswith("/?rest_route="):
            self.answer(401, '{"code":"rest_user_cannot_view"}', kind="application/json")
        else:
            self.answer(200, "<html>Pengadilan Negeri</html>")


def test_xmlrpc_and_user_enumeration_over_http():
    context = ssl.create_default_context()
    OpenWordPress.posted.clear()
    with serving(OpenWordPress) as url, within(30, "the HTTP checks"):
        found, notes = wordpress.site_findings(url, [], 5, context)
    assert notes == []
    assert [f["kind"] for f in found] == ["wordpress_xmlrpc", "wordpress_users", "wordpress_users"]
    assert found[0]["message"] == (
        f"xmlrpc.php situs {url} terbuka: 13 metode XML-RPC dilayani, termasuk system.multicall "
        "(menebak kata sandi secara massal) dan pingback.ping (pingback)")
    assert found[0]["samples"] == ["system.multicall", "pingback.ping"]
    # one harmless call: the method names, no login, no system.multicall
    assert OpenWordPress.posted == [
        b'<?xml version="1.0"?>\n<methodCall><methodName>system.listMethods</methodName>'
        b"<params></params></methodCall>\n"]
    assert found[1]["message"] == (
        f"Situs {url} membuka nama login pengguna: ?author=1 dialihkan ke /author/admin-pn/")
    assert found[2]["message"] == (
        f"Situs {url} membuka daftar pengguna lewat REST API (wp/v2/users): "
        + ", ".join(f"user{n}" for n in range(1, 11)) + " dan 2 lainnya")
    assert found[2]["count"] == 12
    with serving(HardenedWordPress) as url, within(30, "the HTTP checks"):
        assert wordpress.site_findings(url + "/", [], 5, context) == ([], [])


class MovedWordPress(HardenedWordPress):
    """A court site whose user-name checks are redirected to another site (by the
    address's other name, localhost: another host), which gives a login away."""

    elsewhere = ""  # that site's address (a test sets it)

    def do_GET(self) -> None:
        if self.path in ("/?author=1", "/?rest_route=/wp/v2/users"):
            self.answer(302, location=self.elsewhere + self.path)
        else:
            super().do_GET()


def test_user_name_checks_redirected_to_another_site_are_notes_not_followed():
    """?author=1 followed any redirect: another site's /author/LOGIN/ was reported as the
    court's login given away (and the REST API's users as its users). Now only redirects
    within the site are followed; one elsewhere is a note naming its host alone (not its
    path or query)."""
    context = ssl.create_default_context()
    with serving(OpenWordPress) as other, serving(MovedWordPress) as url, \
            within(30, "the HTTP checks"):
        MovedWordPress.elsewhere = other.replace("127.0.0.1", "localhost")
        found, notes = wordpress.site_findings(url, [], 5, context)
    assert found == []
    assert [n["message"] for n in notes] == [
        f"Nama login lewat ?author=1 situs {url} tidak dapat diuji dari sini: dialihkan ke "
        "situs lain (localhost), tidak diikuti",
        f"Daftar pengguna lewat REST API (wp/v2/users) situs {url} tidak dapat diuji dari "
        "sini: dialihkan ke situs lain (localhost), tidak diikuti"]


class SentAway(HardenedWordPress):
    """A court site whose ?author=1 is redirected straight to another site's author page."""

    def do_GET(self) -> None:
        if self.path == "/?author=1":
            self.answer(302, location="https://judi-online.example/author/admin/")
        else:
            super().do_GET()


def test_author_redirected_straight_to_another_sites_author_page_is_a_note():
    """A redirect not followed was still searched for /author/LOGIN/: ?author=1 sent to
    judi-online.example/author/admin/ reported admin as the court's login given away."""
    context = ssl.create_default_context()
    with serving(SentAway) as url, within(30, "the HTTP checks"):
        found, notes = wordpress.site_findings(url, [], 5, context)
    assert found == []
    assert [n["message"] for n in notes] == [
        f"Nama login lewat ?author=1 situs {url} tidak dapat diuji dari sini: dialihkan ke "
        "situs lain (judi-online.example), tidak diikuti"]


def test_a_site_that_does_not_answer_is_a_finding():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    found, notes = wordpress.site_findings(f"http://127.0.0.1:{port}/", [], 2,
                                           ssl.create_default_context())
    assert notes == [] and [f["kind"] for f in found] == ["wordpress_unreachable"]
    assert found[0]["message"].startswith(
        f"Situs http://127.0.0.1:{port}/ tidak dapat dihubungi untuk uji WordPress: ")


def test_the_module_reports_hardening_and_refuses_bad_settings(tmp_path):
    root = installation(tmp_path)
    (root / "wp-config.php").write_text(CONFIG)
    (root / "wp-config.php").chmod(0o666)
    (root / "wp-config.php.orig").write_text(CONFIG)
    args = {"roots": [str(root)], "plugin_dirs": [], "apt_package": "", "web_user": "nobody"}
    with serving(OpenWordPress) as url:
        rc, result = run_module("security_wordpress", tmp_path, {**args, "site_url": url})
    assert rc == 0 and not result["changed"] and result["site"] == url
    assert [f["kind"] for f in result["findings"]] == [
        "wordpress_config", "wordpress_config", "wordpress_exposed", "wordpress_xmlrpc",
        "wordpress_users", "wordpress_users"]
    assert result["sop_output"]["site"] == url
    assert result["sop_output"]["findings"][1].startswith(
        f"wordpress_config: Konfigurasi WordPress {root}/wp-config.php dapat diubah oleh akun web "
        "server nobody")
    for bad, message in [
            ({"web_user": "tidak-ada-akun"},
             "web_user: this host has no account 'tidak-ada-akun' (empty to skip the check)"),
            ({"site_url": "https://u:rahasia@pn-contoh.go.id/?x=1"},
             "site_url: 'https://***@pn-contoh.go.id/?x=1': expected the site's address without "
             "credentials, query or fragment"),
            ({"site_url": "pn-contoh.go.id"},
             "site_url: 'pn-contoh.go.id' is not an http(s) URL with a host"),
            ({"site_url": "http://pn-contoh.go.id/", "http_timeout": 0},
             "http_timeout: must be a positive number of seconds, not 0")]:
        rc, result = run_module("security_wordpress", tmp_path, {**args, **bad})
        assert rc != 0 and result["msg"] == message



def test_a_web_server_without_wordpress_needs_no_web_user_account(tmp_path):
    """web_user (www-data by default) was looked up before anything was read: a web
    server of the group without WordPress, on a system whose web server's account is
    another (Rocky's apache or nginx), failed D.4 naming an account it never needed."""
    args = {"roots": [str(tmp_path / "html")], "plugin_dirs": [], "apt_package": "",
            "web_user": "tidak-ada-akun"}
    rc, result = run_module("security_wordpress", tmp_path, args)
    assert rc == 0, result["msg"]
    assert (result["core"], result["findings"]) == ([], [])
    # with a configuration to judge, the account is needed and its absence named
    root = installation(tmp_path)
    (root / "wp-config.php").write_text(CONFIG)
    rc, result = run_module("security_wordpress", tmp_path, {**args, "roots": [str(root)]})
    assert rc == 1 and result["msg"] == (
        "web_user: this host has no account 'tidak-ada-akun' (empty to skip the check)")
    # named as the setting: the role's rescue names it_security_wordpress_web_user
    assert result["setting"] == "web_user"

# --- The restore drill of a files archive ------------------------------------------------

@pytest.fixture
def archive(tmp_path):
    site = tmp_path / "html"
    (site / "wp-content" / "uploads").mkdir(parents=True)
    (site / "index.php").write_text("<?php echo 'PN';\n")
    (site / "wp-content" / "uploads" / "foto.jpg").write_bytes(os.urandom(8192))
    (site / "wp-content" / "uploads").chmod(0o555)  # restored even when read-only
    path = tmp_path / "website-20261130T010000.tar.zst"
    writer = backup_files.HashingWriter(str(path))
    archived = website_files.write_archive([str(site)], [], writer, 3)
    writer.commit()
    manifest = {"sha256": writer.sha256.hexdigest(), **archived}
    (tmp_path / (path.name + ".manifest.json")).write_text(json.dumps(manifest))
    work = tempfile.mkdtemp(prefix="sop-drill-test-", dir="/var/tmp")  # reachable by nobody
    os.chmod(work, 0o755)
    yield str(path), manifest, work
    (site / "wp-content" / "uploads").chmod(0o755)
    shutil.rmtree(work)


def test_drill_restores_and_compares_then_removes_scratch(archive):
    path, manifest, work = archive
    record = restore.drill(path, manifest, "nobody", work)
    assert record["status"] == "ok", record
    assert record["entries"] == manifest["entries"] == 5
    assert record["bytes"] >= 8192 and record["duration"] >= 0
    assert os.listdir(work) == []


def test_drill_restores_and_names_entries_hidden_after_an_end_marker(archive, tmp_path):
    path, manifest, work = archive
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "shell.php").write_text("<?php system($_GET['c']);")
    hidden = subprocess.run(["tar", "-c", "-f", "-", "-C", str(tmp_path / "extra"), "."],
                            capture_output=True, check=True).stdout
    plain = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    with open(path, "wb") as handle:  # the right sha256: the server that pushed it lies
        handle.write(subprocess.run(["zstd", "-q", "-c"], input=plain + hidden,
                                    capture_output=True, check=True).stdout)
    record = restore.drill(path, {**manifest, "sha256": backup_files.sha256_file(path)},
                           "nobody", work)
    assert record["reason"] == "restored 7 entries, the manifest lists 5 (or other names)"
    assert os.listdir(work) == []


def test_drill_names_a_damaged_archive_and_a_wrong_listing(archive):
    path, manifest, work = archive
    other_names = restore.drill(path, {**manifest, "listing_sha256": "0" * 64}, "nobody", work)
    assert other_names["reason"] == "restored 5 entries, the manifest lists 5 (or other names)"
    with open(path, "r+b") as handle:
        handle.seek(200)
        handle.write(os.urandom(64))
    damaged = restore.drill(path, manifest, "nobody", work)
    assert damaged["status"] == "failed" and damaged["reason"].startswith("sha256 ")
    # The right sha256 but content that does not decompress: the restore itself fails.
    rehashed = restore.drill(path, {**manifest, "sha256": backup_files.sha256_file(path)},
                             "nobody", work)
    assert rehashed["status"] == "failed" and rehashed["reason"].startswith("restore failed: ")
    # this computer's account, not the archive: no verdict (as the database drill's)
    assert {k: v for k, v in restore.drill(path, manifest, "root", work).items()
            if k in ("status", "reason")} == {
        "status": "error", "reason": "OS user root is root: the restore must not run as root"}
    assert os.listdir(work) == []


def test_drill_restores_the_archive_it_hashed_not_one_swapped_in_meanwhile(
        archive, tmp_path, monkeypatch):
    # The archive was hashed by its name, then opened again by its name to be restored:
    # a file renamed into its place in between (here: once the scratch folder is made)
    # was restored in place of the one hashed.
    path, manifest, work = archive
    swapped = webshell_archive(tmp_path)
    mkdtemp = tempfile.mkdtemp

    def swap_then_mkdtemp(**kwargs: str) -> str:
        os.rename(swapped, path)
        return mkdtemp(**kwargs)

    monkeypatch.setattr(restore.tempfile, "mkdtemp", swap_then_mkdtemp)
    record = restore.drill(path, manifest, "nobody", work)
    assert not swapped.exists()  # the swap did happen
    assert record["status"] == "ok" and record["entries"] == 5, record
    assert os.listdir(work) == []


def test_drill_fails_an_archive_of_no_entries(tmp_path):
    """An archive of 0 entries restored 0 entries, as its manifest listed: the drill
    passed a backup of nothing."""
    path = tmp_path / "website-20261130T010000.tar.zst"
    subprocess.run(["tar", "-c", "--zstd", "-f", str(path), "-T", "/dev/null"], check=True)
    manifest = {"sha256": backup_files.sha256_file(str(path)), "entries": 0,
                "listing_sha256": hashlib.sha256(b"").hexdigest()}
    work = tempfile.mkdtemp(prefix="sop-drill-test-", dir="/var/tmp")  # reachable by nobody
    try:
        record = restore.drill(str(path), manifest, "nobody", work)
        assert os.listdir(work) == []
    finally:
        shutil.rmtree(work)
    assert (record["status"], record["reason"]) == (
        "failed", "the manifest lists no entries: an empty archive proves nothing")


@pytest.mark.parametrize(("where", "error"), [("open_once", errno.EACCES),
                                              ("sha256_fileobj", errno.EIO)])
def test_a_drill_of_an_archive_it_cannot_read_is_an_error(archive, monkeypatch, where: str,
                                                          error: int):
    """An archive the drill could not open or read (EACCES, EIO while hashing) was judged
    'failed', where the verification of the same store calls it an error: nothing is
    proven about the archive."""
    path, manifest, work = archive

    def fail(*_args: object) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(restore, where, fail)
    record = restore.drill(path, manifest, "nobody", work)
    assert (record["status"], record["reason"]) == (
        "error", f"cannot read {path}: {os.strerror(error)}")
    assert os.listdir(work) == []


def test_drill_follows_no_link_and_reads_no_fifo(archive, tmp_path):
    """No regular file at the archive's name in the store: the drill cannot run (status
    error, as mariadb_restore_verify's), no verdict that the archive does not restore."""
    path, manifest, work = archive
    link = tmp_path / "website-20261201T010000.tar.zst"
    link.symlink_to(path)
    record = restore.drill(str(link), manifest, "nobody", work)
    assert (record["status"], record["reason"]) == (
        "error", f"{link} is a symbolic link (not followed): not restored")
    fifo = tmp_path / "website-20261202T010000.tar.zst"
    os.mkfifo(fifo)
    with within(10, "a FIFO is not waited for"):
        record = restore.drill(str(fifo), manifest, "nobody", work)
    assert (record["status"], record["reason"]) == (
        "error", f"{fifo} is not a regular file: not restored")
    assert os.listdir(work) == []


def test_a_drill_of_a_link_in_the_store_fails_naming_it(archive, tmp_path):
    """A symbolic link at a stored archive's name was a drill that ran and found the
    archive bad (status failed), where the database drill of the same store fails the
    task as one that could not run (status error): the same fault, one verdict."""
    path, _manifest, work = archive
    os.rename(path, tmp_path / "elsewhere.tar.zst")
    os.symlink(tmp_path / "elsewhere.tar.zst", path)
    rc, result = run_module("security_restore_files", tmp_path,
                            {"path": path, "os_user": "nobody", "work_dir": work})
    assert rc == 1, result
    assert f"{path} is a symbolic link (not followed)" in result["msg"]
    assert os.listdir(work) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a tmpfs")
def test_drill_names_a_full_work_directory(archive):
    path, manifest, work = archive
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k,mode=0755", "tmpfs", work], check=True)
    try:
        record = restore.drill(path, manifest, "nobody", work)
    finally:
        subprocess.run(["umount", "-l", work], check=True)
    assert record["status"] == "error"
    assert record["reason"].startswith(f"no space left in {work} to restore the archive (tar: ")
    assert "Exiting with failure status" not in record["reason"]


def test_a_protocol_the_host_cannot_offer_is_untested_not_refused():
    """OpenSSL fails a handshake it cannot offer any protocol for (TLS 1.0 where its build
    or settings leave it out) before sending anything, 'no protocols available': that
    was read as the site refusing TLS 1.0, so a site accepting it passed as modern."""
    ctx = tls.context("TLSv1.2", "TLSv1.2", "ALL")
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3  # above the maximum: nothing to offer
    with socket.create_server(("127.0.0.1", 0)) as listener, within(10, "handshake"), \
            pytest.raises(tls.Untestable, match="no protocols available"):
        tls.handshake(ctx, "pn-test.go.id", "127.0.0.1", listener.getsockname()[1], 2)


def serve_named_only(cert: tuple[str, str], seen: list[str | None]) -> tuple[int, threading.Event]:
    """A TLS 1.2+ server on 127.0.0.1 that refuses a handshake without a server name
    (nginx's ssl_reject_handshake on its default server), recording each name sent."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)

    def named_only(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> int | None:
        seen.append(name)
        return None if name else ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME

    ctx.sni_callback = named_only
    return _handshakes(ctx)


def test_a_site_written_as_an_ip_address_sends_no_name_and_says_so(certificate):
    # RFC 6066 allows no address as server name and Python's ssl sends none: a server
    # serving named sites only refused every handshake, reported as "no TLS service on
    # this port or for this name", though no name had been sent
    seen: list[str | None] = []
    port, stop = serve_named_only(certificate, seen)
    try:
        by_address, refused = tls.probe(f"127.0.0.1:{port}", "", ["TLSv1"], {}, 5)
        sent = set(seen)
        by_name, accepted = tls.probe(f"pn-test.go.id:{port}", "127.0.0.1", ["TLSv1"], {}, 5)
    finally:
        stop.set()
    assert sent == {None}
    assert by_address["server_name"] is None and by_address["protocols"] == []
    tried = [v for v in tls.VERSIONS if v not in by_address["untested"]]
    assert [f["message"] for f in refused] == [
        f"Situs 127.0.0.1:{port} menolak jabat tangan TLS dengan setiap versi yang diuji "
        f"({', '.join(tried)}): tanpa nama server (SNI tidak dikirim untuk alamat IP, "
        "RFC 6066): tidak ada layanan TLS di port ini, atau server hanya melayani situs "
        "bernama (tulis nama situsnya, dengan connect alamat ini); protokol dan cipher-nya "
        "tidak dapat dinilai"]
    assert by_name["server_name"] == "pn-test.go.id" and "TLSv1.2" in by_name["protocols"]
    assert accepted == []
    assert tls.server_name("2001:db8::1") is None and tls.server_name("pn-test.go.id")
