# GPL-3.0-or-later
"""Shared pieces of the security modules (SOP Pengamanan TI): the finding record every
security module returns, office hours in the court's time zone, the month a report
covers, and the settings of the WordPress check (security_wordpress), judged alike by the
module and by a role's checks before anything changes on a host
(plugins/filter/sop_module_utils.py)."""

from __future__ import annotations

import datetime
import json
import os
import re
import urllib.parse
from typing import Any

from ansible.module_utils.sop_clock import zone, zone_error
from ansible.module_utils.sop_http import url_error
from ansible.module_utils.sop_options import office_hours_error, parse_hhmm
from ansible.module_utils.sop_secrets import mask_url
from ansible.module_utils.sop_server import end_of_support

# A finding: what kind, one line in Bahasa Indonesia naming the problem, how often it was
# seen and a few examples. Every security module returns a list of these as `findings`.
SAMPLES = 5


class SecurityInputError(Exception):
    """A parameter the module cannot use; the message is one clear line, starting with the
    option's name when ``setting`` names it (the role's rescue then names the variable a
    court sets: plugins/filter/sop_failure_cause.py)."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


def finding(kind: str, message: str, count: int = 1,
            samples: list[str] | None = None) -> dict[str, Any]:
    return {"kind": kind, "message": message, "count": count,
            "samples": (samples or [])[:SAMPLES]}


# The options of the modules that read the SOP records through the `sop` command
# (plugins/doc_fragments/sop_records.py documents them).
SOP_RECORDS_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "sop_command": {"type": "path", "required": True},
    "inventory": {"type": "str", "required": True},
    "month": {"type": "str", "default": ""},
}


def sop_json(module: Any, command: str, *args: str, key: str = "sop_id",
             ok: tuple[int, ...] = (0,)) -> list[dict[str, Any]]:
    """The records ``command`` (the option sop_command) ``args`` prints as JSON, a list of
    objects each with ``key``; else the module fails in one line: naming sop_command (its
    setting) when no executable file is there (Ansible's own words were only 'Error
    executing command.'), else sop's error or what it printed instead."""
    if not (os.path.isfile(command) and os.access(command, os.X_OK)):
        module.fail_json(msg=f"sop_command: no executable file {command} (the controller's "
                             "sop command)", setting="sop_command")
    rc, out, err = module.run_command([command, *args])
    if rc not in ok:
        module.fail_json(msg=f"sop {args[0]} failed: "
                             f"{(err.strip() or f'exit code {rc}').splitlines()[-1]}")
    try:
        value = json.loads(out)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(
            isinstance(item, dict) and key in item for item in value):
        first = out.strip().splitlines()[0][:200] if out.strip() else ""
        module.fail_json(msg=f"sop {args[0]} gave no JSON list" + (f": {first}" if first else ""))
    return list(value)


def month_bounds(month: str, today: datetime.date) -> tuple[datetime.date, datetime.date,
                                                              datetime.date]:
    """(previous month's first day, the month's first day, the next month's first day) of
    `month` (YYYY-MM), or of today's month when empty."""
    try:
        start = datetime.datetime.strptime(month, "%Y-%m").date() if month else today
    except ValueError:
        raise SecurityInputError(f"month: {month!r} is not a month (YYYY-MM)", "month") from None
    start = start.replace(day=1)
    previous = (start - datetime.timedelta(days=1)).replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return previous, start, following


class OfficeHours:
    """Office days (ISO weekdays) and hours in a time zone (WIB: Asia/Jakarta), judged as
    sipp_audit_summary and the roles' checks judge them (sop_options.office_hours_error,
    sop_clock.zone_error): a value it cannot use is refused naming the one option at
    fault, as security_ssh_audit calls them (office_hours_start, office_hours_end,
    office_days, timezone): its ``setting``."""

    def __init__(self, start: str, end: str, days: list[int], timezone: str) -> None:
        params = {"office_hours_start": start, "office_hours_end": end, "office_days": days,
                  "timezone": timezone}
        failure = office_hours_error(params) or zone_error(params, "timezone")
        if failure:
            raise SecurityInputError(failure["msg"], failure["setting"])
        self.start = datetime.time.fromisoformat(parse_hhmm(start))
        self.end = datetime.time.fromisoformat(parse_hhmm(end))
        self.days = set(days)
        self.zone = zone(timezone)

    def local(self, epoch: float) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(epoch, self.zone)

    def outside(self, epoch: float) -> bool:
        moment = self.local(epoch)
        return moment.isoweekday() not in self.days or not (
            self.start <= moment.time() < self.end)


# The PHP and MariaDB versions a distribution release ships and patches itself for as
# long as the release is supported (versions only: the dates are sop_server's table).
DISTRIBUTION_VERSIONS: dict[str, dict[str, dict[str, str]]] = {
    "debian": {"10": {"php": "7.3", "mariadb": "10.3"}, "11": {"php": "7.4", "mariadb": "10.5"},
               "12": {"php": "8.2", "mariadb": "10.11"}, "13": {"php": "8.4", "mariadb": "11.8"}},
    "ubuntu": {"20.04": {"php": "7.4", "mariadb": "10.3"},
               "22.04": {"php": "8.1", "mariadb": "10.6"},
               "24.04": {"php": "8.3", "mariadb": "10.11"}},
}


def software_end_of_support(product: str, version: str, release: dict[str, str],
                            today: datetime.date) -> dict[str, Any]:
    """End of support of PHP or MariaDB major.minor `version`: upstream's date, or the
    operating system's when later and the version is the one the release ships (the
    distribution's security team patches it for the release's life)."""
    upstream = end_of_support({"ID": product, "VERSION_ID": version}, today)
    shipped = DISTRIBUTION_VERSIONS.get(release.get("ID", "").lower(), {}).get(
        release.get("VERSION_ID", ""), {}).get(product)
    if shipped == version:
        system = end_of_support(release, today)
        if system["date"] and (upstream["date"] is None or system["date"] > upstream["date"]):
            return {**system, "by": f"{release.get('ID')} {release.get('VERSION_ID')}"}
    return {**upstream, "by": "upstream"}


# PHP's version_compare, which WordPress uses: a part that is not a number ranks by the
# first of these it starts with (anything else below "dev"), a number ranks as "#".
_SPECIAL_FORMS = (("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("RC", 3),
                  ("rc", 3), ("pl", 5), ("p", 5))
_NUMBER = 4


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key of a version as PHP's version_compare orders them: '6.4.10' > '6.4.9',
    '6.5' > '6.5-RC1' > '6.5-beta3' > '6.5-alpha' > '6.5-dev', '1.0-pl1' > '1.0',
    '5.3.1' > '5.3-beta'. Parts are runs of digits or of letters; what is left over
    after the shorter version compares as a number's end (below a number, above dev,
    alpha, beta, RC, below pl). A number compares by its digits (length, then the digits
    themselves), never through int(): a version is text a site's files give, and int()
    refuses more than 4300 digits."""
    key = []
    for part in re.findall(r"[0-9]+|[A-Za-z]+", version):
        if part.isdigit():
            digits = part.lstrip("0")
            key.append((_NUMBER, len(digits), digits))
        else:
            rank = next((rank for form, rank in _SPECIAL_FORMS if part.startswith(form)), -1)
            key.append((rank, 0, ""))
    return (*key, (_NUMBER, -1, ""))


def summary(findings: list[dict[str, Any]]) -> list[str]:
    """One line per finding, for the activity's recorded output."""
    return [f"{item['kind']}: {item['message']}" for item in findings]


# WordPress installations security_wordpress reads unless told others (its option roots):
# Debian's package and a site unpacked into the web root.
WORDPRESS_ROOTS = ("/usr/share/wordpress", "/var/www/html")


def version_text(where: str, value: Any) -> str:
    """A version of security_wordpress's available as text; a YAML number is refused: by
    then 6.10 is 6.1."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise SecurityInputError(f"{where} {value!r} is a number: write the version quoted "
                                 "(YAML reads 6.10 as the number 6.1)", "available")
    raise SecurityInputError(f"{where}: expected a version, not {type(value).__name__}",
                             "available")


def available_versions(available: dict[str, Any]) -> dict[str, Any]:
    """security_wordpress's available with every version as text (version_text), checked
    before any use."""
    plugins = available.get("plugins") or {}
    if not isinstance(plugins, dict):
        raise SecurityInputError("available.plugins: expected a mapping of plugin folder "
                                 "name to version", "available")
    core = available.get("core")
    return {"core": version_text("available.core", core) if core else None,
            "plugins": {str(slug): version_text(f"available.plugins.{slug}", version)
                        for slug, version in plugins.items()}}


def site_url_error(url: str) -> str | None:
    """Why ``url`` cannot be a site the HTTP checks ask (one line)."""
    error = url_error(url)
    if error is None:
        parts = urllib.parse.urlsplit(url)
        if parts.username is not None or parts.query or parts.fragment:
            error = (f"{mask_url(url)!r}: expected the site's address without credentials, "
                     "query or fragment")
    return error


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def root_bases(root_urls: dict[str, Any], roots: list[str]) -> dict[str, str]:
    """{root of ``roots``: its address by O(root_urls), ending in "/"}; SecurityInputError
    (one line naming the setting) for a key that is none of ``roots`` or a value that is
    no site address."""
    named = {os.path.normpath(root): root for root in roots}
    bases = {}
    for key, url in root_urls.items():
        root = named.get(os.path.normpath(str(key)))
        if root is None:
            raise SecurityInputError(f"root_urls: {key} is not one of roots ({', '.join(roots)})",
                                     "root_urls")
        error = (site_url_error(url) if isinstance(url, str)
                 else "expected the site's address as text")
        if error:
            raise SecurityInputError(f"root_urls[{key}]: {error}", "root_urls")
        bases[root] = with_slash(url)
    return bases


def wordpress_settings(available: dict[str, Any], site_url: str, root_urls: dict[str, Any],
                       roots: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """security_wordpress's settings judged before anything is read: (available with its
    versions as text, each root's address by root_urls). SecurityInputError names the
    first refused option as its ``setting``, the message starting with it."""
    versions = available_versions(available)
    error = site_url_error(site_url) if site_url else None
    if error:
        raise SecurityInputError(f"site_url: {error}", "site_url")
    if root_urls and not site_url:
        raise SecurityInputError("root_urls: needs site_url (the site xmlrpc.php and the "
                                 "user names are asked at; the HTTP checks run only with it)",
                                 "root_urls")
    return versions, root_bases(root_urls, roots)
