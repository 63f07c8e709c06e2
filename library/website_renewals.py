#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expiry of the court website's domain (RDAP), TLS certificate and hosting contract."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_renewals
short_description: Days left before the court website's domain, certificate and hosting contract expire
description:
  - Asks the registry's RDAP service (RFC 9083; PANDI serves C(.id) and C(.go.id)) for
    the C(expiration) event of O(domain)'s registered domain, reads the TLS certificate of
    each https URL in O(urls), and takes the hosting contract's end date from
    O(hosting_end_date).
  - The registered domain is the name one label below its public suffix, from a short
    list of the suffixes a court's domain lies under (C(go.id), C(co.id), C(ac.id),
    C(or.id), C(web.id), C(my.id), C(sch.id), C(net.id), C(mil.id), C(desa.id), C(id),
    C(com), C(net), C(org); under any other ending, the last label, as the Public Suffix
    List's default rule). So C(www.pn-bangil.go.id) is looked up as C(pn-bangil.go.id), and
    C(xyz.pn-abc.go.id) as C(pn-abc.go.id). The domain entry's label names the domain
    looked up (and O(domain) when it differs). An IP address (the website role's default
    without C(court_domain)), or a name that is a public suffix or has no dot, is not
    looked up, and a warning says it is no domain. A registry answering 404 for the
    registered domain is a warning that it is not registered there (C(domain tidak
    terdaftar menurut RDAP <rdap_url>)).
  - With O(rdap_url=auto) the registry's service comes from the domain's top-level
    domain, in a table bundled from IANA's RDAP bootstrap registry
    (U(https://data.iana.org/rdap/dns.json), RFC 9224, as published on 2024-02-07) for
    the endings a court's domain may have - C(.id) (C(.go.id) and the other C(.id)
    second levels, PANDI's C(https://rdap.pandi.id/rdap/)), C(.com), C(.net), C(.org),
    C(.info), C(.biz), C(.asia), C(.online), C(.site), C(.tech), C(.xyz). Any other ending is
    not asked, a warning naming the variable to set (C(website_rdap_url), the role's);
    a registry that has moved its service since is asked at the address O(rdap_url) names.
  - The certificates are read through the HTTPS proxy of the module's environment
    (C(https_proxy), not for a host C(no_proxy) names) with CONNECT, as the RDAP answer
    is; without one, directly.
  - Each date within the largest of O(warn_days) is a warning naming the smallest
    threshold reached (30, 14, 7 days); a date in the past is a problem (the hosting
    contract's end date is its last day, in O(timezone)). A domain expiry
    the registry does not give, or a certificate that cannot be read, is a warning.
  - A setting the module refuses (a O(hosting_end_date) that is no YYYY-MM-DD date, a
    O(timeout) that is not a positive number or is more than a day (86400), a negative day
    in O(warn_days), a URL
    option that is no http(s) URL, an unknown O(timezone)) fails it before anything is
    asked, with C(setting), the option's name, its message starting with that name; the
    website role names its own variable (C(website_renewal_warn_days)) from it.
  - Read-only; never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  domain:
    description: The court's domain, or a name under it (C(www.) ...), whose registered
      domain is looked up.
    type: str
    required: true
  rdap_url:
    description: Base URL of the RDAP service (C(domain/<name>) is appended); C(auto) for
      the registry of the domain's top-level domain (see the description); empty to skip
      the domain.
    type: str
    default: auto
  urls:
    description: Pages whose https hosts' certificates are read (http or https URLs; one
      that is not, like a malformed O(rdap_url), fails the module naming the option).
    type: list
    elements: str
    default: []
  ca_file:
    description: CA bundle for the certificates (empty for the system's trust store); one that
      cannot be loaded (gone, unreadable, no PEM certificate in it) fails the module naming it.
    type: str
    default: ""
  hosting_end_date:
    description: End of the hosting / connection contract (YYYY-MM-DD; empty when none is recorded).
    type: str
    default: ""
  hosting_provider:
    description: The hosting provider's name, for the report.
    type: str
    default: ""
  warn_days:
    description:
      - Days before an expiry that warn.
      - >-
        Each 0 (the expiry day only) up to 3650 (ten years), else the module fails with
        C(setting) C(warn_days).
    type: list
    elements: int
    default: [30, 14, 7]
  timeout:
    description: Seconds before giving up on one request; an answer not complete after three times this
      is given up (a site sending slowly).
    type: float
    default: 30
  timezone:
    description:
      - The court's time zone (an IANA name, or C(WIB), C(WITA) or C(WIT) in any case, which
        are Asia/Jakarta, Asia/Makassar and Asia/Jayapura), whose date is today for the
        hosting contract's end date and the date shown of the domain's and the
        certificates' expiry.
      - The domain and the certificate count to the second, as the registry and the
        certificate give the moment they expire.
    type: str
    default: Asia/Jakarta
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the renewal dates
  website_renewals:
    domain: pn-bangil.go.id
    urls: [https://pn-bangil.go.id/]
    hosting_end_date: "2027-01-31"
  register: website_renewal_dates
"""

RETURN = r"""
renewals:
  description: One entry per dated service (kind, label, expires, days_left, level ok|warn|expired|unknown, threshold).
  returned: always
  type: list
  elements: dict
  sample:
    - {kind: domain, label: "Domain pn-bangil.go.id", expires: "2027-09-20", days_left: 294, level: ok, threshold: null}
problems:
  description: Expired items (Bahasa Indonesia); they fail the activity.
  returned: always
  type: list
  elements: str
warnings_id:
  description: Items to renew soon and dates that could not be read (Bahasa Indonesia).
  returned: always
  type: list
  elements: str
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output
    (renewals, problems, warnings, and C(manual_step_due) - something is within its
    warning days or has ended, so the SOP's human part, an invoice paid, is asked for).
  returned: always
  type: dict
"""

import datetime  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import urllib.parse  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_clock import day_error, parse_day, zone, zone_error  # noqa: E402
from ansible.module_utils.sop_http import (  # noqa: E402
    fetch,
    parse_date,
    ssl_context,
    tls_certificate,
    url_option_error,
)
from ansible.module_utils.sop_options import ca_file_error, duration_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_secrets import mask_data, mask_url, url_secrets  # noqa: E402

# The public suffixes a court's domain lies under: a small part of the Public Suffix List
# (https://publicsuffix.org/list/), no dependency. A name is registered one label below
# the longest of them it ends with (pn-bangil.go.id; xyz.pn-abc.go.id is pn-abc.go.id's),
# under any other ending one label below its last (the list's default rule, "*").
PUBLIC_SUFFIXES = frozenset({"go.id", "co.id", "ac.id", "or.id", "web.id", "my.id", "sch.id",
                             "net.id", "mil.id", "desa.id", "id", "com", "net", "org"})


# The RDAP service of each top-level domain a court's domain may end in, from IANA's RDAP
# bootstrap registry (https://data.iana.org/rdap/dns.json, RFC 9224) as published on
# 2024-02-07T04:00:02Z: a small part of it, no download at run time (a court's network
# may not reach data.iana.org). .go.id and the other .id second levels are .id's.
RDAP_BOOTSTRAP = {
    "id": "https://rdap.pandi.id/rdap/",
    "com": "https://rdap.verisign.com/com/v1/",
    "net": "https://rdap.verisign.com/net/v1/",
    "org": "https://rdap.publicinterestregistry.org/rdap/",
    "info": "https://rdap.identitydigital.services/rdap/",
    "asia": "https://rdap.identitydigital.services/rdap/",
    "biz": "https://rdap.nic.biz/",
    "online": "https://rdap.centralnic.com/online/",
    "site": "https://rdap.centralnic.com/site/",
    "tech": "https://rdap.centralnic.com/tech/",
    "xyz": "https://rdap.centralnic.com/xyz/",
}
# rdap_url's value for the service of RDAP_BOOTSTRAP.
AUTO = "auto"


def rdap_service(setting: str, domain: str) -> tuple[str | None, str | None]:
    """(the RDAP base URL to ask for the registered ``domain``, None), or (None, why there
    is none: one Bahasa line naming the variable to set). ``setting``: the module's
    rdap_url, a URL or AUTO (the top-level domain's service in RDAP_BOOTSTRAP)."""
    if setting != AUTO:
        return setting, None
    tld = domain.rstrip(".").rpartition(".")[2].lower()
    base = RDAP_BOOTSTRAP.get(tld)
    if base is None:
        return None, (f"layanan RDAP untuk domain .{tld} tidak ada di tabel bawaan: setel "
                      "website_rdap_url ke alamat RDAP registri domain ini (lihat "
                      "https://data.iana.org/rdap/dns.json)")
    return base, None


def registered_domain(name: str) -> tuple[str | None, str | None]:
    """(the registered domain of ``name``, None), or (None, why ``name`` has none: one
    Bahasa line). An IP address is the website role's default without court_domain."""
    host = name.strip().rstrip(".").lower()
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        pass
    else:
        return None, ("alamat IP, bukan nama domain: setel court_domain (atau website_domain) "
                      "ke domain pengadilan, mis. pn-contoh.go.id")
    labels = host.split(".")
    suffix = max((n for n in range(1, len(labels) + 1)
                  if ".".join(labels[-n:]) in PUBLIC_SUFFIXES), default=1)
    if len(labels) <= suffix or "" in labels:
        return None, ("bukan nama domain terdaftar (tidak ada nama di bawah akhiran seperti "
                      ".go.id): setel court_domain (atau website_domain) ke domain "
                      "pengadilan, mis. pn-contoh.go.id")
    return ".".join(labels[-suffix - 1:]), None


def rdap_expiry(base: str, domain: str, timeout: float,
                ca_file: str) -> tuple[datetime.datetime | None, str | None]:
    """(expiry moment, error) from the registry's RDAP domain object."""
    url = base.rstrip("/") + "/domain/" + urllib.parse.quote(domain.lower())
    answer = fetch(url, timeout, ssl_context(ca_file), headers={"Accept": "application/rdap+json"})
    if answer["error"] is None and answer["status"] == 404:  # RFC 9082: no such object
        return None, f"domain tidak terdaftar menurut RDAP {mask_url(base)}"
    if answer["error"] is not None or answer["status"] != 200:
        return None, f"RDAP {url}: {answer['error'] or 'status ' + str(answer['status'])}"
    try:  # the registry's answer, or a stand-in's: nesting past the recursion limit too
        data = json.loads(answer["body"])
    except (ValueError, RecursionError):
        data = None
    events = data.get("events", []) if isinstance(data, dict) else None
    if not isinstance(events, list):
        return None, f"RDAP {url}: jawaban bukan JSON RDAP"
    for event in events:
        if isinstance(event, dict) and event.get("eventAction") == "expiration":
            moment = parse_date(str(event.get("eventDate", "")))
            if moment is not None:
                return moment, None
    return None, f"RDAP {url}: tidak ada tanggal kedaluwarsa (expiration)"


def level(days_left: int | None, warn_days: list[int]) -> tuple[str, int | None]:
    if days_left is None:
        return "unknown", None
    if days_left < 0:
        return "expired", None
    reached = [d for d in warn_days if days_left <= d]
    return ("warn", min(reached)) if reached else ("ok", None)


def item(kind: str, label: str, expires: str | None, *, today: datetime.date,
         warn_days: list[int], error: str | None = None,
         days_left: int | None = None) -> dict[str, Any]:
    """One renewal graded by its days left (counted from ``expires`` unless given)."""
    if days_left is None and expires:
        days_left = (parse_day(expires) - today).days
    grade, threshold = level(days_left, warn_days)
    return {"kind": kind, "label": label, "expires": expires, "days_left": days_left,
            "level": grade, "threshold": threshold, "error": error}


def domain_item(domain: str, expires: datetime.datetime | None, error: str | None, *,
                now: datetime.datetime, warn_days: list[int],
                asked: str | None = None) -> dict[str, Any]:
    """The domain counts to the second, as a certificate: one that expired earlier today
    is expired; its date is shown in the court's time zone (``now``'s), as ISO 8601. Its
    label names ``domain``, the name looked up, and ``asked``, the module's, when that is
    another (www.pn-bangil.go.id)."""
    same = asked is None or asked.rstrip(".").lower() == domain.rstrip(".").lower()
    of = "" if same else f" (domain terdaftar dari {asked})"
    return item("domain", f"Domain {domain}{of}",
                expires.astimezone(now.tzinfo).date().isoformat() if expires else None,
                today=now.date(), warn_days=warn_days, error=error,
                days_left=(expires - now).days if expires else None)


def collect(p: dict[str, Any], now: datetime.datetime) -> list[dict[str, Any]]:
    """The domain, each https host's certificate and the hosting contract, graded at
    ``now`` (aware, in the court's time zone: its date is today)."""
    today = now.date()
    items = []
    if p["rdap_url"]:
        registered, error = registered_domain(p["domain"])
        expires = None
        base = None
        if registered is not None:
            base, error = rdap_service(p["rdap_url"], registered)
        if registered is not None and base is not None:
            expires, error = rdap_expiry(base, registered, p["timeout"], p["ca_file"])
        items.append(domain_item(registered or p["domain"], expires, error, now=now,
                                 warn_days=p["warn_days"], asked=p["domain"]))
    hosts = sorted({(u.hostname, u.port or 443) for u in map(urllib.parse.urlsplit, p["urls"])
                    if u.scheme == "https" and u.hostname})
    for host, port in hosts:
        cert = tls_certificate(str(host), port, p["timeout"], p["ca_file"], now)
        items.append(certificate_item(str(host), cert, today=today, warn_days=p["warn_days"]))
    if p["hosting_end_date"]:
        provider = f" ({p['hosting_provider']})" if p["hosting_provider"] else ""
        items.append(item("hosting", f"Kontrak hosting{provider}", p["hosting_end_date"],
                          today=today, warn_days=p["warn_days"]))
    return items


def certificate_item(host: str, cert: dict[str, Any], *, today: datetime.date,
                     warn_days: list[int]) -> dict[str, Any]:
    """A certificate counts to the second: one that ran out earlier today is expired,
    not "0 days left"."""
    return item("certificate", f"Sertifikat TLS {host}", cert["not_after"], today=today,
                warn_days=warn_days, error=cert["error"], days_left=cert["days_left"])


def output(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The activity's record: the dates, what expired, what to renew soon, and whether the
    SOP's human part (an invoice paid, `sop ack`) is due: something is within its warning
    days or has ended (the runner lists that step as waiting only then)."""
    problems, warnings = messages(items)
    return {"renewals": [{k: e[k] for k in ("kind", "label", "expires", "days_left", "level")}
                         for e in items],
            "problems": problems, "warnings": warnings,
            "manual_step_due": any(e["level"] in ("warn", "expired") for e in items)}


def messages(items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    problems, warnings = [], []
    for entry in items:
        if entry["level"] == "expired":
            problems.append(f"{entry['label']} sudah berakhir pada {entry['expires']}")
        elif entry["level"] == "warn":
            warnings.append(f"{entry['label']} berakhir {entry['expires']} ({entry['days_left']} hari lagi, "
                            f"batas peringatan {entry['threshold']} hari): perbarui")
        elif entry["level"] == "unknown":
            warnings.append(f"{entry['label']}: tanggal berakhir tidak terbaca ({entry['error']})")
    return problems, warnings


def setting_error(p: dict[str, Any]) -> tuple[str, str] | None:
    """The first setting the module refuses, (option, one line starting with its name),
    else None; the role names its own variable from the option (sop_failure_cause). A
    timeout of 0 s left every certificate unread ("Operation now in progress")."""
    bad_setting = day_error(p, "hosting_end_date") or seconds_error(p, "timeout")
    if bad_setting:
        return bad_setting["setting"], bad_setting["msg"]
    for days in p["warn_days"]:
        bad_days = duration_error({"warn_days": days}, "warn_days", unit="days",
                                  zero="the expiry day only")
        if bad_days:
            return bad_days["setting"], bad_days["msg"]
    rdap = [] if p["rdap_url"] == AUTO else [("rdap_url", p["rdap_url"])]
    for name, url in [("urls", url) for url in p["urls"]] + rdap:
        error = url_option_error([(name, url)])
        if error:
            return name, error
    bad_zone_or_ca = zone_error(p, "timezone") or ca_file_error(p, "ca_file")
    if bad_zone_or_ca:
        return bad_zone_or_ca["setting"], bad_zone_or_ca["msg"]
    return None


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "domain": {"type": "str", "required": True},
            "rdap_url": {"type": "str", "default": AUTO},
            "urls": {"type": "list", "elements": "str", "default": []},
            "ca_file": {"type": "str", "default": ""},
            "hosting_end_date": {"type": "str", "default": ""},
            "hosting_provider": {"type": "str", "default": ""},
            "warn_days": {"type": "list", "elements": "int", "default": [30, 14, 7]},
            "timeout": {"type": "float", "default": 30},
            "timezone": {"type": "str", "default": "Asia/Jakarta"},
        },
        supports_check_mode=True,
    )
    p = module.params
    # A URL's credentials (user:password@, a token: website_check sends them) are not
    # needed for a certificate and never reach the records: the result and its
    # invocation are masked, a failure's too.
    secrets = [secret for url in p["urls"] + [p["rdap_url"]] for secret in url_secrets(url)]
    invocation = {"module_args": mask_data(dict(p), secrets)}
    refused = setting_error(p)
    if refused:
        module.fail_json(msg=refused[1], setting=refused[0], invocation=invocation)
    now = datetime.datetime.now(zone(p["timezone"]))
    items = collect(p, now)
    problems, warnings = messages(items)
    module.exit_json(**mask_data({"changed": False, "renewals": items, "problems": problems,
                                  "warnings_id": warnings, "sop_output": output(items)}, secrets),
                     invocation=invocation)


if __name__ == "__main__":
    main()
