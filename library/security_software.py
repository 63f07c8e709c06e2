#!/usr/bin/python
# GPL-3.0-or-later
"""PHP and MariaDB installed on a host, against their end of support."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_software
short_description: Report PHP and MariaDB versions past their end of support
description:
  - Lists the installed packages of PHP (C(phpX.Y-common), C(phpX.Y-cli), C(phpX.Y-fpm),
    C(libapache2-mod-phpX.Y); on RPM systems C(php-common), C(php-cli), C(php-fpm)) and
    of MariaDB (C(mariadb-server), C(mariadb-server-core), C(mariadb-server-X.Y)) with
    C(dpkg-query) or C(rpm) (within O(timeout)), and reads each major.minor version's end of security support
    from the server-maintenance SOP's end-of-support table (module_utils/sop_server.py).
  - A version the operating system release itself ships (PHP 8.2 and MariaDB 10.11 on
    Debian 12) is patched by the distribution for the release's life, so the later of
    the two dates applies.
  - "That holds only for the operating system's supported archive. On apt systems
    C(apt-cache policy) (within O(timeout)) tells where each installed package's version
    comes from: a version that another repository publishes (PHP from
    C(packages.sury.org), MariaDB from C(dlm.mariadb.com)), or a component the release's
    vendor does not support (Ubuntu's C(universe), where Ubuntu ships MariaDB), gets the
    upstream date alone and says its origin (C(origin): C(repositori packages.sury.org),
    C(komponen universe Ubuntu)); so do backports, which the release's security support
    does not cover, named by their suite (Debian backports (bookworm-backports), Ubuntu
    backports (jammy-backports)) from the codename (C(n=)) or archive (C(a=)) of their
    release line. The supported archive is the one whose release origin
    is the operating system's (C(o=Debian), C(o=Ubuntu), and Ubuntu Pro's C(o=UbuntuESM)
    and C(o=UbuntuESMApps), Canonical's security archives for main and universe, judged
    by the release's standard end of support), component C(main) (Ubuntu's
    C(restricted) too). A version no repository publishes any more (only in
    C(/var/lib/dpkg/status)) is judged by the repository of the version superseding
    it (Debian's security archive keeps only the newest); when none is newer, its
    repository was removed (a PHP from C(packages.sury.org) after the source was
    deleted): it gets the upstream date alone, its origin saying so (versi
    terpasang tidak ada di repositori mana pun (repositori dihapus?))."
  - A version past its end of support is a finding; a version the table does not know
    is reported with status C(unknown) and a warning naming it (add its row), never as
    supported.
  - Reports only; never changes anything.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  products:
    description: Which software to look at.
    type: list
    elements: str
    choices: [php, mariadb]
    default: [php, mariadb]
  today:
    description: The date compared (YYYY-MM-DD); empty means today. For tests and reports of a past day.
    type: str
    default: ""
  timeout:
    description: Seconds C(dpkg-query) (or C(rpm)), and each C(apt-cache policy), may take; a hung one is
      stopped and fails the module naming it.
      Above 0 and at most 86400 (one day), else the module fails with C(setting) C(timeout).
    type: int
    default: 60
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: PHP and MariaDB against their end of support
  security_software:
  register: software
"""

RETURN = r"""
software:
  description: Each installed version (product, version, packages, end_of_support with date, days_left, status, by;
    origin, the repository or unsupported component it comes from or that no repository publishes it, null for the operating system's supported archive).
  returned: success
  type: list
  elements: dict
  sample: [{product: php, version: "8.2", packages: ["php8.2-fpm 8.2.36-1~deb12u1"],
            end_of_support: {date: "2028-06-30", days_left: 578, status: ok, by: debian 12}, origin: null}]
findings:
  description: One finding (kind end_of_support) per version past its end of support.
  returned: success
  type: list
  elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import datetime  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import urllib.parse  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_clock import parse_day  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    finding,
    software_end_of_support,
    summary,
)
from ansible.module_utils.sop_server import (  # noqa: E402
    apt_policy,
    installed_from,
    os_release,
    package_files,
)

# Package name -> product; the version is the name's X.Y, else the package version's.
PACKAGES = (
    ("php", re.compile(r"^(?:php(\d+\.\d+)-(?:common|cli|fpm)|libapache2-mod-php(\d+\.\d+)"
                       r"|php-(?:common|cli|fpm))$")),
    ("mariadb", re.compile(r"^mariadb-server(?:-core)?(?:-(\d+\.\d+))?$")),
)
NAMES = {"php": "PHP", "mariadb": "MariaDB"}
# The components of the operating system's own archive its vendor supports.
SUPPORTED_COMPONENTS = ("main", "restricted")
# Release origins (lower case) of the vendor's own archives besides the one named as the
# operating system (o=Debian, o=Ubuntu): Ubuntu Pro's esm-infra and esm-apps, Canonical's
# security fixes for main after its standard support and for universe.
VENDOR_ORIGINS = {"ubuntu": ("ubuntuesm", "ubuntuesmapps")}
# Backports, newer versions built for a stable release (bookworm-backports, its
# -sloppy beside it, jammy-backports), which the release's security support does not
# cover; Debian's archive has an origin of its own (o=Debian Backports).
BACKPORTS_SUITE = re.compile(r"-backports(?:-sloppy)?$")
BACKPORTS_ORIGIN = re.compile(r"\s*backports$", re.IGNORECASE)
# The origin of an installed version no repository publishes, nor a newer one (a PHP
# from sury whose repository was removed): nothing says the operating system patches it.
NOWHERE = "versi terpasang tidak ada di repositori mana pun (repositori dihapus?)"


def major_minor(version: str) -> str | None:
    """'1:10.11.19-0+deb12u1' -> '10.11'; '8.2.36' -> '8.2'."""
    match = re.match(r"^(?:\d+:)?(\d+\.\d+)", version)
    return match[1] if match else None


def installed(rows: list[tuple[str, str]], products: list[str]) -> dict[tuple[str, str], list[str]]:
    """(product, X.Y) -> the packages that make it, from (name, version) rows."""
    found: dict[tuple[str, str], list[str]] = {}
    for name, version in rows:
        for product, pattern in PACKAGES:
            match = pattern.match(name) if product in products else None
            if not match:
                continue
            minor = next((group for group in match.groups() if group), None) or major_minor(version)
            if minor:
                found.setdefault((product, minor), []).append(f"{name} {version}")
    return found


def parse_dpkg(text: str) -> list[tuple[str, str]]:
    """Lines 'STATUS<TAB>NAME<TAB>VERSION' of dpkg-query: the packages whose files are on
    the host (installed, or unpacked but not configured: not 'n'ot installed or 'c'onfig
    files only)."""
    rows = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[0][1:2] not in ("n", "c", "") and fields[2]:
            rows.append((fields[1], fields[2]))
    return rows


def backports_suite(fields: dict[str, str]) -> str | None:
    """The backports suite of a package file's release fields (n=bookworm-backports on
    Debian, a=jammy-backports on Ubuntu), None for another archive."""
    return next((fields[key] for key in ("n", "a")
                 if BACKPORTS_SUITE.search(fields.get(key, ""))), None)


def origin(sources: list[str], files: dict[str, dict[str, str]],
           release: dict[str, str]) -> str | None:
    """Where a version published by ``sources`` comes from when it is not the operating
    system's supported archive ('repositori packages.sury.org', 'komponen universe
    Ubuntu', NOWHERE when no repository publishes it); None when that archive does."""
    if not sources:
        return NOWHERE
    system = release.get("ID", "").lower()
    elsewhere = []
    for source in sources:
        fields = files.get(source, {})
        vendor = fields.get("o", "")
        suite = backports_suite(fields)
        if suite:
            elsewhere.append(f"{BACKPORTS_ORIGIN.sub('', vendor) or 'repositori'} backports ({suite})")
        elif vendor and vendor.lower() in (system, *VENDOR_ORIGINS.get(system, ())):
            if fields.get("c") in SUPPORTED_COMPONENTS:
                return None
            elsewhere.append(f"komponen {fields.get('c') or '?'} {vendor}")
        else:
            site = fields.get("site") or urllib.parse.urlsplit(source.split()[0]).hostname
            elsewhere.append(f"repositori {site or source.split()[0]}")
    return ", ".join(dict.fromkeys(elsewhere)) or None


def assess(found: dict[tuple[str, str], list[str]], release: dict[str, str],
           today: datetime.date, origins: dict[str, str] | None = None,
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each version's end of support and the findings; ``origins``: the origin of each
    package (by name) not from the operating system's supported archive, whose version
    then gets upstream's date alone."""
    software: list[dict[str, Any]] = []
    for (product, version), packages in sorted(found.items()):
        names = [package.split()[0] for package in sorted(packages)]
        source = ", ".join(dict.fromkeys(
            (origins or {})[name] for name in names if name in (origins or {}))) or None
        software.append({"product": product, "version": version, "packages": sorted(packages),
                         "end_of_support": software_end_of_support(
                             product, version, {} if source else release, today),
                         "origin": source})
    findings = [finding(
        "end_of_support",
        f"{NAMES[item['product']]} {item['version']} sudah melewati akhir dukungan "
        f"({item['end_of_support']['date']}{from_words(item)}): " + ", ".join(item["packages"]),
        len(item["packages"]), item["packages"])
        for item in software if item["end_of_support"]["status"] == "fail"]
    return software, findings


def from_words(item: dict[str, Any]) -> str:
    """'; dari repositori packages.sury.org' for a version from elsewhere ('; versi
    terpasang tidak ada ...' for NOWHERE), else ''."""
    if not item["origin"]:
        return ""
    return "; " + ", ".join(words if words == NOWHERE else f"dari {words}"
                            for words in item["origin"].split(", "))


def apt_origins(module: AnsibleModule, apt_cache: str, names: list[str],
                release: dict[str, str]) -> dict[str, str]:
    """The origin of each installed package of ``names`` that is not the operating
    system's supported archive (two `apt-cache policy` runs, each within the timeout)."""
    files = package_files(apt_policy(module, apt_cache, [], module.params["timeout"]))
    tables = apt_policy(module, apt_cache, names, module.params["timeout"])
    found = {name: origin(sources, files, release)
             for name, sources in installed_from(tables).items()}
    return {name: words for name, words in found.items() if words}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "products": {"type": "list", "elements": "str", "choices": ["php", "mariadb"],
                         "default": ["php", "mariadb"]},
            "today": {"type": "str", "default": ""},
            "timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    try:
        today = (parse_day(module.params["today"]) if module.params["today"]
                 else datetime.date.today())
    except ValueError:
        module.fail_json(msg=f"today {module.params['today']!r}: expected YYYY-MM-DD")
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            release = os_release(handle.read())
    except OSError as exc:
        module.fail_json(msg=f"cannot read /etc/os-release: {exc.strerror}")
    bad_timeout = seconds_error(module.params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    dpkg, rpm = module.get_bin_path("dpkg-query"), module.get_bin_path("rpm")
    if dpkg:
        argv = [dpkg, "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n"]
    elif rpm:
        argv = [rpm, "-qa", "--qf", "ii\t%{NAME}\t%{VERSION}\n"]
    else:
        module.fail_json(msg="neither dpkg-query nor rpm found: cannot list installed packages")
    rc, out, err = run_limited(module, argv, module.params["timeout"])
    if rc is None:
        module.fail_json(msg=f"{os.path.basename(argv[0])} tidak selesai dalam "
                             f"{module.params['timeout']} detik")
    if rc != 0:
        module.fail_json(msg=f"{os.path.basename(argv[0])} failed: "
                             f"{(err.strip() or f'exit code {rc}').splitlines()[-1]}")
    found = installed(parse_dpkg(out), module.params["products"])
    apt_cache = module.get_bin_path("apt-cache") if dpkg and found else None
    origins = apt_origins(module, apt_cache, sorted(
        {package.split()[0] for packages in found.values() for package in packages}),
        release) if apt_cache else {}
    software, findings = assess(found, release, today, origins)
    for item in software:
        if item["end_of_support"]["status"] == "unknown":
            module.warn(f"{NAMES[item['product']]} {item['version']}: akhir dukungannya tidak ada "
                        "di tabel akhir dukungan (module_utils/sop_server.py), tidak dinilai: "
                        + ", ".join(item["packages"]))
    module.exit_json(changed=False, software=software, findings=findings, sop_output={
        "software": [f"{NAMES[s['product']]} {s['version']}: dukungan sampai "
                     f"{s['end_of_support']['date'] or 'tidak diketahui'} "
                     f"({s['end_of_support']['by']}{from_words(s)})"
                     for s in software],
        "findings": summary(findings)})


if __name__ == "__main__":
    main()
