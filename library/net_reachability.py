#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the network path of a court host, segment by segment, and name the broken one."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: net_reachability
short_description: Check a host's network path segment by segment and name the segment that fails
description:
  - Runs on a court host (or the gateway) and checks, in the order a packet travels,
    the court LAN (O(lan)), the gateway (O(gateway)), the DNS resolvers (O(dns_servers),
    asked directly for court-internal and outside names), the upstream link beyond the
    gateway (O(upstream)) and the central services the court depends on (O(central)).
  - Latency, loss and jitter come from O(probes) ICMP echo requests with the system's
    C(ping) (run as root or with C(ping_group_range)); DNS is a UDP A query to each
    resolver, not the system resolver; a central service is reachable when its URL
    answers with an HTTP status below 500 (a C(user:password@) in the URL is sent as
    HTTP basic credentials, to that site only; the result shows the URL with its credentials and
    secret-looking query values masked C(***)).
  - C(fault) names the first failing segment (C(lan), C(gateway), C(dns), C(upstream),
    C(central)); outside names depend on the upstream link, so when only they fail
    together with the upstream, the fault is the upstream's.
  - An empty list skips a segment (the gateway does not check a gateway in front of
    itself); an empty or blank entry in a list, an address to ping that is no host name
    or IP address (C(-f), which ping would read as its option, C(a b), C(a;b)), a
    resolver in O(dns_servers) that is no IP address, a name in O(internal_names) or
    O(external_names) that is no DNS name, and a URL in O(central) that is no http(s) URL
    with a host fail the module before anything is probed, with C(setting) the list's
    option. ping is given its address after C(--). All targets are probed in parallel.
    Read-only; supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  lan:
    description: Addresses on the court LAN that must answer ping (host names or IP
      addresses).
    type: list
    elements: str
    default: []
  gateway:
    description: The gateway's LAN address(es) (host names or IP addresses).
    type: list
    elements: str
    default: []
  dns_servers:
    description:
      - Resolvers to ask directly, by their IPv4 or IPv6 addresses. A name is refused,
        as looking it up would ask the system resolver, which no O(timeout) bounds and
        which may be the very resolver that is down.
      - A resolver host without a DNS service (its port refused) is named so at once;
        one that stays silent is given up after O(timeout).
    type: list
    elements: str
    default: []
  internal_names:
    description: Court-internal names every resolver must answer.
    type: list
    elements: str
    default: []
  external_names:
    description: Outside names every resolver must answer (through the upstream link).
    type: list
    elements: str
    default: []
  upstream:
    description: Addresses beyond the gateway (the provider's side) that must answer ping
      (host names or IP addresses).
    type: list
    elements: str
    default: []
  central:
    description: URLs of the central services (SIPP MA and others), http or https with a
      host.
    type: list
    elements: str
    default: []
  probes:
    description: Echo requests per address, 1 to 100 (else the module fails with
      C(setting) C(probes)).
    type: int
    default: 5
  interval:
    description: Seconds between echo requests (0 to 86400, one day, else the module fails
      with C(setting) C(interval)).
    type: float
    default: 0.2
  timeout:
    description: Seconds to wait for one answer (ping, DNS, HTTP), more than 0 and at most
      86400, one day (else the module fails with C(setting) C(timeout)); datagrams that are no answer to
      the DNS query do not extend it.
    type: float
    default: 2
  loss_warn_percent:
    description: Loss, in percent, from which a target that answers gets a warning, more
      than 0 and at most 100 (else the module fails with C(setting) C(loss_warn_percent));
      100 warns of no loss, as a target that answers lost less.
    type: float
    default: 10
  latency_warn_ms:
    description: Average round trip, in milliseconds, from which a target gets a warning,
      more than 0 and at most 60000, one minute (else the module fails with C(setting)
      C(latency_warn_ms)).
    type: float
    default: 150
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Check the path to SIPP MA
  net_reachability:
    lan: [10.0.0.12]
    gateway: [10.0.0.1]
    dns_servers: [10.0.0.1]
    internal_names: [sipp.pn-contoh.local]
    external_names: [mahkamahagung.go.id]
    upstream: [203.0.113.1]
    central: [https://sipp.mahkamahagung.go.id/]
  become: true
  register: path
"""

RETURN = r"""
checks:
  description:
    - Per segment, one result per target (ping statistics, DNS answers, HTTP status).
    - Ping statistics come from ping's own summary - replies that come twice (DUP!) are
      counted in C(duplicates), not as answers.
  returned: always
  type: dict
  sample:
    gateway: [{target: 10.0.0.1, ok: true, sent: 5, received: 5, duplicates: 0, loss_percent: 0.0,
               min_ms: 0.05, avg_ms: 0.08, max_ms: 0.12, jitter_ms: 0.02}]
fault:
  description: The first failing segment (lan, gateway, dns, upstream, central), or null.
  returned: always
  type: str
summary:
  description: One line in Bahasa Indonesia naming the failed segment, or saying all is well
    (naming the segments checked), or that nothing was checked (no target in any list).
  returned: always
  type: str
warnings_found:
  description: Targets that answered but with loss or latency above the warning levels.
  returned: always
  type: list
  elements: str
"""

from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka_ringkas  # noqa: E402
from ansible.module_utils.sop_http import url_error  # noqa: E402
from ansible.module_utils.sop_net import (  # noqa: E402
    SEGMENT_NAMES,
    SEGMENTS,
    dns_query,
    http_probe,
    localise,
    ping,
)
from ansible.module_utils.sop_options import (  # noqa: E402
    RANGES,
    range_error,
    seconds_error,
    targets_error,
)
from ansible.module_utils.sop_secrets import mask_data, url_secrets  # noqa: E402

# The options listing targets, names or URLs, by the kind of target each entry must be
# (sop_options.TARGETS; the URLs judged by sop_http.url_error).
KINDS = {"lan": "host", "gateway": "host", "upstream": "host", "dns_servers": "address",
         "internal_names": "name", "external_names": "name"}
LISTS = (*KINDS, "central")


def describe(check: dict[str, Any]) -> str:
    what = check.get("target") or check.get("url") or f"{check.get('name')} @ {check.get('server')}"
    return f"{what}: {check.get('error')}"


def main() -> None:
    strs = {"type": "list", "elements": "str", "default": []}
    module = AnsibleModule(
        argument_spec={
            **{option: strs for option in LISTS},
            "probes": {"type": "int", "default": 5},
            "interval": {"type": "float", "default": 0.2},
            "timeout": {"type": "float", "default": 2},
            "loss_warn_percent": {"type": "float", "default": 10},
            "latency_warn_ms": {"type": "float", "default": 150},
        },
        supports_check_mode=True,
    )
    p = module.params
    # A central URL's credentials (user:password@, a token in the query) never reach
    # the records: the checks show it masked, and so does the invocation, of a refused
    # option too.
    secrets = [secret for url in p["central"] for secret in url_secrets(url)]
    invocation = {"module_args": mask_data(dict(p), secrets)}
    # inf and nan failed a DNS query's settimeout
    bad_setting = (range_error(p, "probes", **RANGES["probes"])
                   or seconds_error(p, "timeout")
                   or seconds_error(p, "interval", zero="no pause between echo requests")
                   or range_error(p, "loss_warn_percent", **RANGES["loss_warn_percent"])
                   or range_error(p, "latency_warn_ms", **RANGES["latency_warn_ms"]))
    if bad_setting:
        module.fail_json(**bad_setting, invocation=invocation)
    # An entry that is no target was pinged, asked or fetched and the network blamed: ""
    # (-e network_reach_gateway= gives [""]) as "Gangguan di segmen gateway: None @ None:
    # ping: : Name or service not known", "-f" given to ping as its option (a flood), a
    # URL without http(s):// as the central service's fault. A resolver given by name
    # would be looked up by the system resolver, which no timeout bounds.
    for option, kind in KINDS.items():
        bad_setting = targets_error(p, option, kind=kind)
        if bad_setting:
            module.fail_json(**bad_setting, invocation=invocation)
    for url in p["central"]:
        bad_url = ("an empty entry in the list (an empty list, [], skips it)"
                   if not url.strip() else url_error(url))
        if bad_url:
            module.fail_json(msg=f"central: {bad_url}", setting="central",
                             invocation=invocation)
    jobs: list[tuple[str, Any]] = []
    for seg in ("lan", "gateway", "upstream"):
        jobs += [
            (seg, lambda a=a: ping(a, p["probes"], p["interval"], p["timeout"])) for a in p[seg]
        ]
    for scope in ("internal", "external"):
        jobs += [
            ("dns", lambda s=s, n=n, scope=scope: dict(dns_query(s, n, p["timeout"]), scope=scope))
            for s in p["dns_servers"]
            for n in p[f"{scope}_names"]
        ]
    jobs += [("central", lambda u=u: http_probe(u, p["timeout"])) for u in p["central"]]
    with ThreadPoolExecutor(max_workers=max(1, min(32, len(jobs)))) as pool:
        results = list(pool.map(lambda job: (job[0], job[1]()), jobs))
    checks: dict[str, list[dict[str, Any]]] = {seg: [] for seg in SEGMENTS}
    for seg, result in results:
        checks[seg].append(result)
    fault = localise(checks)
    warnings = [
        f"{c['target']}: hilang {angka_ringkas(c['loss_percent'])}%, "
        f"rata-rata {angka_ringkas(c['avg_ms'])} ms, jitter {angka_ringkas(c['jitter_ms'])} ms"
        for seg in ("lan", "gateway", "upstream")
        for c in checks[seg]
        if c["ok"]
        and (c["loss_percent"] >= p["loss_warn_percent"] or c["avg_ms"] >= p["latency_warn_ms"])
    ]
    if fault:
        causes = "; ".join(describe(c) for c in checks[fault] if not c["ok"])
        summary = f"Gangguan di segmen {SEGMENT_NAMES[fault]}: {causes}"
    elif any(checks.values()):
        done = [SEGMENT_NAMES[s] for s in SEGMENTS if checks[s]]
        summary = "Jaringan baik: " + ", ".join(done) + " terjangkau"
    else:  # "Jaringan baik:  terjangkau" said all was well of nothing checked
        summary = ("Tidak ada yang diperiksa: daftar target (LAN, gateway, DNS, upstream, "
                   "layanan pusat) semuanya kosong")
    module.exit_json(
        changed=False, checks=checks, fault=fault, summary=summary, warnings_found=warnings,
        invocation=invocation,
    )


if __name__ == "__main__":
    main()
