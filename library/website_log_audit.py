#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit a website's access logs: what is new since the last run."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_log_audit
short_description: Audit nginx/Apache access logs (visitors, crawlers, attack probes) since the last run
description:
  - Reads combined-format access logs with their rotated copies (C(access.log.1),
    C(access.log.2.gz) ..., or with logrotate's C(dateext) C(access.log-YYYYMMDD) or
    C(access.log-<epoch>) for C(-%s), each also compressed as C(.gz), C(.xz) or C(.bz2)),
    only the lines written since the previous run (the first run reads every file present,
    oldest first). A copy compressed with zstd (C(.zst)) is not read (Python on Debian 12
    has no zstd module without another package). A copy present both plain and compressed (C(access.log.2) and
    C(access.log.2.gz) while logrotate compresses it) is read once, from the plain file.
    A rotated copy's last line counts without a newline, plain or compressed (C(copytruncate)
    copied it while it was being written); the live log's is still being written and
    waits for the next run.
  - The formats read are nginx's C(combined) (and C(main), which adds X-Forwarded-For
    after it) and Apache's C(combined) (C(%h %l %u %t \"%r\" %>s %O \"%{Referer}i\"
    \"%{User-Agent}i\"), Debian's C(/var/log/apache2/access.log)), also with C(%a) for
    C(%h), as many set up C(mod_remoteip) (from Apache 2.4.39 on, C(%h) also logs the
    client C(mod_remoteip) names; C(%{c}a) and C(%{c}h) log the proxy), and Apache's
    C(vhost_combined) (C(%v:%p) before it, Debian's C(other_vhosts_access.log)), whose
    leading C(server:port) field is the site, not the client, so the client is the field
    after it. A line without the combined fields (Apache's C(common) format, say) is
    counted in RV(audit.malformed).
  - Where the previous run stopped is kept in a state file per log on the host (root-only
    directory O(state_dir)), namely the offset after the live log's last complete line, a
    fingerprint (sha256) of its first line and when that run began. The next run finds that
    file among the live log and its rotated copies, so it survives rotation (rename or
    C(copytruncate)) and truncation. A live log without a complete line is known by the
    fingerprint of the newest rotated copy then, and the copies rotated after it are read. When the file cannot be found any more (rotated away
    unread, replaced, or cut without a rotated copy; the web server's account owns the
    log and can cut its own traces), every file present is read and RV(audit.resumed)
    says C(lost); the website role warns about it. How many of its lines were not read
    is not known, as nothing records how far a log grew after the run that kept the
    position. A log cut below the position (keeping its first line) and written past it
    again is read from the position on, and the lines written between the cut and the
    position are never read. The state also keeps a fingerprint of the line ending at the
    position; when the plain file holding it (the live log or a plain rotated copy) no
    longer has that line there, RV(audit.resumed) says C(cut) (C(cut:<file>)), even when
    the cut left a line start at the position; when the position falls inside a line,
    reading resumes at the next line, the rest of the cut line skipped, never read as a
    request, and counted in RV(audit.skipped). The website role warns about both.
    logrotate's C(copytruncate) copying the log before a run and cutting it after that
    run (the copy then ends before the position) is told as C(cut:<file>) too, though
    every line was read; the state keeps no record of the lines before the position, so
    such a copy cannot be told from one of a log cut below the position and written
    again, whose new lines were never read.
  - The web server's account may write the log folder, or a folder above it (a site's own
    C(logs) folder), and put a symbolic link there to have root read another file
    (C(/etc/shadow)). So every log and rotated copy is opened from C(/) down one folder at a
    time, each in the one held above it, and a symbolic link on its way (a folder, the log
    itself or one of its rotated copies) is followed only when root alone can change the
    folder holding it (owned by root and not writable by its group or others, as sshd's
    C(StrictModes) judges; a sticky world-writable folder like C(/tmp) is not one), so that
    root made it (C(/var/log/nginx) a link to C(/data/logs)); its target is walked by the
    same rule, at most 40 links (more are taken for a loop). A log with another link on its way is not
    read, its read position kept, and is named with the link, where it leads and who can
    write the folder holding it in RV(audit.refused) and in a warning; the other logs are
    still audited. Give a log's real path, or keep the link in a folder only root can
    write. A log or a rotated copy that is a FIFO or a device is never read or waited for;
    the audit then fails naming it. So it does, its read positions kept, when a link not
    followed appears on a log's way after the audit planned it, when a plain log ends before the range planned for it (rotated or cut by logrotate while the audit read it), and when
    a log or a rotated copy planned is gone or is another file when it is read (logrotate
    renamed the next one into its place, or removed the oldest), whose reading would
    count another file's lines, or the same lines twice.
  - Counts requests, unique visitors (IP, day and user agent, as GoAccess counts them;
    exact up to 131072 per part of the log, a HyperLogLog estimate beyond), status
    classes, top paths and clients, crawlers; and attack probes by the categories of the
    OWASP Core Rule Set (C(sqli), C(lfi), C(rfi), C(rce), C(php), C(xss), C(java),
    C(webshell), C(restricted_file), C(admin_probe), C(scanner) user agents,
    C(header_injection), C(protocol) abuse (not a line without a request, C("-"), a
    browser's unused preconnection), C(wp_bruteforce), failed logins on
    C(wp-login.php)/C(xmlrpc.php), also percent-encoded, with repeated slashes or dot
    segments, in a sub-folder or with a path after it, as the web server runs them, and,
    with O(cms=drupal), C(drupal_bruteforce) and C(drupal_xmlrpc) (see below)), each
    with its count, how many were answered 2xx, first and last seen, top clients and
    sample lines.
  - C(webshell) is a shell's name requested (C(/up*.php), C(/shell*.php), C(/wso*.php)
    ...), a PHP file under C(wp-content/uploads), and the like; WordPress's own files of
    such names (C(wp-admin/update.php) ...) are not. With O(cms=drupal), Drupal's own
    scripts at the web root are not either (C(/update.php), also with a path after it,
    C(/update.php/selection); Drupal 7's C(/install.php), C(/cron.php), C(/authorize.php);
    Drupal 8 and later's C(/core/install.php), C(/core/authorize.php),
    C(/core/rebuild.php)); a Drupal in a sub-folder, or an C(update.php) elsewhere, still
    is. Otherwise C(/update.php) is a shell's name, as scanners ask for it.
  - A request target is inspected as the client sent it, the log's escapes undone once
    (nginx writes a quote, a backslash and bytes outside printable ASCII as C(\xHH), so
    C(1" OR "a"="a) is logged C(1\x22 OR \x22a\x22=\x22a); Apache writes C(\") and
    C(\\)), then percent-decoded again until nothing is left to decode, at most four
    times (C(../) encoded three times, C(%25252e%25252e%25252f), is read as C(../)), and
    the overlong UTF-8 forms of C(.), C(/) and C(\) (C(%c0%ae), C(%c0%af), C(%e0%80%af),
    C(%c1%9c)), which no text has and an old server reads as those characters, are read
    as them (C(..%c0%af) is C(../)). A name looked for at the end of the target ends
    where the target ends, not before a newline there (a decoded C(%0a)), so
    C(/wp-login.php%0a), C(/x/..%0a) and C(/.env%0a), names with a newline after them
    that no web server has, are no login, traversal or restricted file. Paths and sample
    lines are shown as logged, a byte that is no UTF-8 as its escape (C(\xff), as nginx
    logs one), not as a replacement character that would lose it.
  - C(wp_bruteforce) counts failed logins per client. WordPress redirects a login it
    accepts (C(302) to C(wp-admin)) and answers a failed one with its login page (C(200)),
    so a POST to C(wp-login.php) answered 3xx is not counted (an office's staff behind one
    NAT address logging in each day is no brute force). A login plugin that redirects
    failed logins too hides them. WordPress's modal re-login (the form wp-admin shows when
    a session expired, C(wp-login.php?interim-login=1)) answers C(200) whether the login
    succeeded or failed, so the log cannot tell; a POST to C(wp-login.php) answered 2xx
    with C(interim-login) in its query, or with a referer that is that form
    (C(wp-login.php?...interim-login...), as WordPress posts it to plain C(wp-login.php)
    with the field in the body, which is not logged), is not counted as a failed login
    (the report has no count of unknown logins). A later try in the same form, after a
    failed one, has plain C(wp-login.php) as its referer and counts. Both the query and the
    referer are written by the client, so a brute-force tool that adds either is not
    counted. XML-RPC answers C(200) whatever the password, so every POST to
    C(xmlrpc.php) counts.
  - With O(cms=drupal), C(drupal_bruteforce) counts failed logins per client on Drupal's
    login form, as C(wp_bruteforce) does WordPress's; Drupal 8 and later's
    C(/user/login), Drupal 7's C(/user) and C(/user/login), also without clean URLs
    (C(/?q=user/login), C(/index.php?q=user)), after a language prefix
    (C(/en/user/login)), written in any case or otherwise as the web server runs them.
    The form answers a failed login with itself (C(200)) and redirects one it accepts
    (C(303); Drupal 7 C(302)), so a POST answered 3xx is not counted; Drupal 8's REST
    login (C(?_format=json)) answers one it accepts C(200) and a failed one C(400), so
    there a POST answered 2xx is not counted. Drupal's login block (Drupal 7's, shown on
    any page; Drupal 8 and later's too) posts to the page it is on with that page as its
    destination (C(/node?destination=node), C(/berita/x?destination=node/5),
    C(/?q=node&destination=node)), so a POST with C(?destination=) answered 2xx (the page
    and its block again) counts, one answered otherwise (a login accepted is redirected)
    does not, nor one to an admin's form that carries C(?destination=) too (a path with
    an C(admin), C(edit), C(add), C(delete), C(cancel) or C(batch) segment). What a log
    cannot show is the body, so a POST of the block whose C(?destination=) a tool dropped
    (C(form_id=user_login_block) and the name tried are in the body) is any form's and
    not counted, and a form of the site's own posted with C(?destination=) to a page
    (rare) is. A POST to the root's C(xmlrpc.php) is Drupal 7's XML-RPC
    endpoint (Drupal 8 and later have none), no WordPress login but an attack surface,
    each POST a C(drupal_xmlrpc) finding; an C(xmlrpc.php) in a sub-folder is still
    WordPress's (C(wp_bruteforce)). With another O(cms) neither is counted.
  - C(java) is a Log4j lookup in the target, C(${) with a lookup's name and its C(:)
    (C(${jndi:), C(${::-j})) or a nested C(${) within 16 characters, as every Log4Shell
    payload opens however it builds the name C(jndi) (C(${${lower:j}ndi:),
    C(${${date:'j'}ndi:), C(${${k8s:k5:-j}ndi:), a made-up lookup's default), or
    Spring4Shell's C(class.module.classLoader); a page template's unrendered
    C(${item.src}), a JavaScript ternary C(${page?page:1}) or a Vue i18n call (C($t) in
    C(${...})) is none, in a header too.
  - C(header_injection) is injection carried in the User-Agent or Referer header, which
    Log4j logs, a CGI script gets and a log viewer shows, read with the log's escapes
    undone (not percent-decoded), namely Log4Shell lookups, also nested to hide their name
    (C(${jndi:), C(${${lower:j}ndi:), C(${${::-j}${::-n}di:)), Shellshock's function
    definition and a command substituted, PHP code and serialized objects, SQL injection
    (a quote closed and a condition, C(sleep(), C(union select)) and script tags. Only
    what no browser or crawler writes there; a user agent carrying it is no crawler,
    whatever name it gives. Its count of requests answered 2xx is the page asked for, not
    a sign the injection worked.
  - A line's time is the log's text, which whoever sends the request or writes the log
    can forge. A time that is no real time (C(99/Dec/9999), C(31/Feb)), lies more than
    a day after the audit's own clock, before 2000, or (in the lines after the previous
    run's position, which were written after that run began) more than a day before the
    previous run is counted with its line and its finding, but never becomes a first or
    last seen (of the log, a finding or a brute force); a finding whose every line has
    such a time has none. A line of a finding or a login whose time was set aside is also
    counted, once, in the finding C(forged_time) (its clients and sample lines).
  - Behind a reverse proxy (a CDN, a load balancer, nginx in front of Apache) the web
    server logs the proxy's address for every visitor unless it is told the client
    (nginx's C(set_real_ip_from)/C(real_ip_header), Apache's C(mod_remoteip)); the
    per-client counts (brute force, a finding's clients) then see one client. When the log
    format writes the X-Forwarded-For header after the user agent (nginx's documented
    C(main) format, C("$http_x_forwarded_for"); Apache's C(\"%{X-Forwarded-For}i\")),
    O(trusted_proxies) names the proxies whose requests are counted for the client that
    header names, read as O(web_server) reads it (see O(trusted_proxies)). One private or loopback address making
    O(proxy_share_percent) % (90) of at least O(proxy_min_requests) (200) requests is
    reported in RV(audit.behind_proxy); the website role warns about it.
  - A setting the module refuses (a count below 1, O(top) above 1000,
    O(bruteforce_threshold) above 10000, O(proxy_min_requests) above ten million, a
    O(timeout) not above 0 or above a day, O(proxy_share_percent) outside 1-100,
    O(trusted_proxies) naming no address or network, no O(paths)) fails it before any log
    is read, with C(setting), the option's name, its message starting with that name; the
    website role names its own variable (C(website_log_proxy_share_percent)) from it.
  - Times are compared as instants, not as text, so that a log whose zone offset changed
    (C(+0700) then C(+0000)) or several logs are ordered by when the requests were made.
  - Uses every CPU (the logs are cut into byte ranges read by parallel processes) with
    bounded memory (blocks of 4 MiB; counters of paths and clients are pruned beyond
    O(top_limit) keys, RV(audit.counts_error_bound) is the most a listed count can be
    short of the truth).
  - The read position is the module's own bookkeeping, not a change of the host, so the
    module never reports C(changed) (a site's log grows with every visit, the SOP's own
    checks included). In check mode the state file is not written.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  paths:
    description: The live access logs (their rotated copies are found next to them).
    type: list
    elements: path
    required: true
  state_dir:
    description: Directory of the state files (created 0700).
    type: path
    default: /var/lib/sop/website_log_audit
  cms:
    description:
      - The CMS the site runs, as the website_cms module finds it (C(unknown) when not
        known). Only C(drupal) changes the audit, its own scripts no webshell name, its
        login form's failures C(drupal_bruteforce) and its C(xmlrpc.php)
        C(drupal_xmlrpc) (see the description); the others keep what C(unknown) does.
    type: str
    choices: [unknown, wordpress, joomla, drupal, static]
    default: unknown
  top:
    description: How many top paths and clients to list (1 to 1000).
    type: int
    default: 10
  samples:
    description: Sample lines kept per finding.
    type: int
    default: 3
  bruteforce_threshold:
    description: Failed logins (a POST to C(wp-login.php) not answered 3xx nor a modal re-login answered 2xx, any POST to C(xmlrpc.php), however the path is written; with O(cms=drupal), a POST to Drupal's login form not answered 3xx, 2xx for its REST login, and one of its login block, a page with C(?destination=), answered 2xx) from one client that make it a brute-force finding (C(wp_bruteforce), C(drupal_bruteforce), each counted on its own); 1 to 10000.
    type: int
    default: 20
  top_limit:
    description: Distinct paths or clients counted exactly before the counters are pruned.
    type: int
    default: 5000
  workers:
    description: Processes reading the logs (0 is one per CPU).
    type: int
    default: 0
  trusted_proxies:
    description:
      - Addresses or networks (CIDR) of the reverse proxies in front of the web server. A
        request logged from one of them is counted for the client its X-Forwarded-For
        field (the quoted field after the user agent) names, read from the right past
        every trusted proxy, as nginx's C(real_ip_recursive) and Apache's
        C(mod_remoteip) read it (an IPv4-mapped C(::ffff:10.0.0.5), as a dual-stack
        socket logs it, is in its IPv4 network too); a hop that is no address ends the
        walk, the client then the last address read. Its hops are read as O(web_server)
        reads them.
      - C(nginx) (its realip module, C(ngx_http_get_forwarded_addr_internal) and
        C(ngx_parse_addr_port)) - hops are separated by commas or spaces, a run of them
        one separator (C(203.0.113.7 198.51.100.2) is two hops), and a hop with a port
        (C(203.0.113.7:51234), C([2001:db8::1]:443)) is its address; a port outside
        1-65535 is no address.
      - C(apache) (C(mod_remoteip)'s C(remoteip_modify_request) in httpd 2.4 and its
        manual) - the value is split at commas only and the spaces around each hop
        trimmed (C(203.0.113.7 , 10.0.0.9) is two hops); a value whose hops are separated
        by spaces only (C(203.0.113.7 198.51.100.2)) is one hop, no address, and so are
        an empty hop (C(,,)), a hop with a port or brackets (C(203.0.113.7:51234),
        C([2001:db8::1])), and a host name, which C(mod_remoteip) looks up in the DNS
        and the audit does not. The listed proxies are read as C(RemoteIPInternalProxy)
        reads them; a C(RemoteIPTrustedProxy) also refuses a private or loopback
        address named in the header, where the audit believes it.
      - A spoofed X-Forwarded-For is believed only past a listed proxy; list only the
        court's own proxies. A log without that field keeps the proxy's address.
    type: list
    elements: str
    default: []
  web_server:
    description:
      - The web server that writes the logs, whose reading of X-Forwarded-For
        O(trusted_proxies) follows. The log formats read are the same for both (see the
        description).
    type: str
    choices: [nginx, apache]
    default: nginx
  proxy_share_percent:
    description:
      - The percentage of the requests (1 to 100) one private or loopback address makes
        that reports it in RV(audit.behind_proxy) as a reverse proxy logged for every
        visitor.
    type: int
    default: 90
  proxy_min_requests:
    description:
      - The fewest requests read for RV(audit.behind_proxy) to judge (1 to ten million); a
        court's own quiet LAN, a few visitors, is no proxy.
    type: int
    default: 200
  timeout:
    description:
      - Seconds the audit may take. Past them it is stopped and fails naming the log being
        read; the read positions are not moved, so the next run reads the same lines again.
      - The web server's account owns its log and can make it a sparse file of terabytes
        (no disk used) that would take hours to read.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
    details: Reads and reports; the state file is left as it was.
"""

EXAMPLES = r"""
- name: Audit the nginx access log of the court website
  website_log_audit:
    paths: [/var/log/nginx/access.log]
  register: website_log

- name: Audit Debian's Apache access log, behind the court's reverse proxy
  website_log_audit:
    paths: [/var/log/apache2/access.log]
    web_server: apache
    trusted_proxies: [10.0.0.5]

- name: Name the attack probes found
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.count }} ({{ item.first_seen }} - {{ item.last_seen }})"
  loop: "{{ website_log.audit.findings }}"
"""

RETURN = r"""
audit:
  description: The audit of the new lines of every log.
  returned: success
  type: dict
  contains:
    lines: {description: Lines read., type: int}
    requests: {description: Requests parsed., type: int}
    malformed: {description: Lines that are not combined format., type: int}
    skipped: {description: "Partial lines skipped: a resumed read whose position fell inside a line (the log cut below it and written again)", type: int}
    bytes: {description: Bytes read (decompressed)., type: int}
    first_seen: {description: "Time of the earliest request read (ISO 8601, in the log's zone offset), of those whose time is not set aside (see the description).", type: str}
    last_seen: {description: "Time of the latest request read (ISO 8601, in the log's zone offset), of those whose time is not set aside (see the description).", type: str}
    unique_visitors: {description: Distinct IP + day + user agent., type: int}
    unique_visitors_exact: {description: Whether the count is exact (else a HyperLogLog estimate, about 1 %)., type: bool}
    status_classes: {description: "Requests per status class: {2xx: n, 3xx: n, ...}.", type: dict}
    statuses: {description: Requests per status code., type: dict}
    top_paths: {description: "[{path, count}] (without query strings; a path at most 2000 characters).", type: list, elements: dict}
    top_clients: {description: "[{client, count}] (a client at most 2000 characters; an IPv4-mapped IPv6 client, C(::ffff:203.0.113.7) as a dual-stack socket logs an IPv4 visitor, is its IPv4 address, counted with it).", type: list, elements: dict}
    counts_error_bound: {description: The most a listed count may be short of the truth (0 when exact)., type: int}
    crawlers: {description: "Requests per crawler name.", type: dict}
    crawler_requests: {description: Requests by crawlers., type: int}
    findings:
      description: Attack probes per category, the most frequent first.
      type: list
      elements: dict
      contains:
        category: {description: "sqli, lfi, rfi, rce, php, xss, java, webshell, restricted_file, admin_probe, scanner, header_injection (in the User-Agent or Referer), protocol, wp_bruteforce, drupal_bruteforce, drupal_xmlrpc (both with O(cms=drupal)) or forged_time (lines whose time was set aside).", type: str}
        crs: {description: The OWASP CRS rule group it corresponds to., type: str}
        title: {description: The category's name in the report's language., type: str}
        name: {description: "How the reports name it: its title, then its category in brackets (the code an alert category is written with), such as injeksi SQL (sqli).", type: str}
        count: {description: Requests., type: int}
        successful: {description: Of those, answered 2xx., type: int}
        first_seen: {description: "ISO 8601 time (forged times not counted: see the description; null when none).", type: str}
        last_seen: {description: "ISO 8601 time (forged times not counted: see the description; null when none).", type: str}
        clients: {description: "Top clients [{client, count}] (a client at most 2000 characters).", type: list, elements: dict}
        samples: {description: "Sample log lines (at most 2000 characters each; the values of secret-looking query parameters, C(key=), C(token=), C(session=) ..., and a referer's C(user:password@) shown as C(***); a byte that is no UTF-8 as its escape, C(\\xff)).", type: list, elements: str}
    behind_proxy:
      description:
        - "The address that seems a reverse proxy without real_ip: one private or loopback address making O(proxy_share_percent) % of the requests (at least O(proxy_min_requests)), so per-client counts see one client; null when none."
        - "{client, count, share, xff}: xff is true when the lines carry an X-Forwarded-For field that listing the address in O(trusted_proxies) would read."
      type: dict
    files:
      description: "What was read: [{path, from, to}] (to -1: to the end of a compressed file)."
      type: list
      elements: dict
    resumed:
      description: "Per log, where reading resumed: first-run, live, rotated:<file>, cut (the live log) or cut:<file> (a plain rotated copy) when the line ending at the position changed (cut below it and written again), or lost."
      type: dict
    refused:
      description:
        - >-
          The logs not read, each with the symbolic link on its way that is not followed
          (see the description): [{path, link, target, writable_by, account}]. link is the
          log itself, a folder of its path or a rotated copy, target where it leads (null
          when it could not be read), writable_by who besides root can write the folder
          holding the link (owner, group or others; null when the link is one past 40 on the
          way, a loop), account the owner's or group's name (its number when it has none;
          null for others).
      type: list
      elements: dict
    seconds: {description: Time the audit took., type: float}
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
  sample: {requests: 48211, unique_visitors: 3120, status_classes: {2xx: 45000, 3xx: 2100, 4xx: 1100, 5xx: 11},
           findings: ["injeksi SQL (sqli): 14 permintaan (45.1.2.3)"], crawlers: {Googlebot: 1200}}
"""

import os  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_options import RANGES, range_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_pathwalk import MAX_LINKS  # noqa: E402
from ansible.module_utils.sop_tree import shown  # noqa: E402
from ansible.module_utils.sop_weblog import (  # noqa: E402
    Deadline,
    LinkRefused,
    LogError,
    Proxies,
    Task,
    audit,
    plan,
    read_state,
    state_path,
    summary,
    write_state,
)


def run(params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """Plan every log, audit the new lines, then keep the new positions. A log with a
    symbolic link on its way not followed is not read, its position kept, and named in
    ``refused``."""
    started = time.monotonic()
    proxies = Proxies(params["trusted_proxies"], params["web_server"])
    deadline = Deadline(params["timeout"])
    tasks: list[Task] = []
    plans = []
    refused = []
    for path in params["paths"]:
        state_file = state_path(params["state_dir"], path)
        try:
            found = plan(path, read_state(state_file), deadline)
        except LinkRefused as exc:
            refused.append({"path": path, "link": exc.link, "target": exc.target,
                            "writable_by": exc.writer, "account": exc.account})
            continue
        tasks.extend(found.tasks)
        plans.append((state_file, found))
    tally = audit(tasks, workers=params["workers"], top_limit=params["top_limit"],
                  samples=params["samples"], deadline=deadline, proxies=proxies,
                  cms=params["cms"])
    result = summary(tally, top=params["top"],
                     bruteforce_threshold=params["bruteforce_threshold"], proxies=proxies,
                     proxy_share_percent=params["proxy_share_percent"],
                     proxy_min_requests=params["proxy_min_requests"])
    result["files"] = [{"path": t.path, "from": t.start, "to": t.end} for t in tasks]
    result["resumed"] = {found.state["path"]: found.resumed for _file, found in plans}
    result["refused"] = refused
    if not check_mode:
        for state_file, found in plans:
            write_state(state_file, found.state)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


# Who besides root can write the folder holding a link not followed, in the warning
WRITERS = {"owner": "pemiliknya, akun {}", "group": "grupnya, {}", "others": "semua akun"}


def refusal(refused: dict[str, Any]) -> str:
    """The warning naming a log not read and the symbolic link on its way, on one line."""
    log, link, target = refused["path"], refused["link"], refused["target"]
    where = "log itu sendiri" if link == log else shown(link)
    leads = f" ke {shown(target)}" if target is not None else ""
    if refused["writable_by"] is None:
        why = (f"lebih dari {MAX_LINKS} tautan simbolik di jalannya (tautan yang berputar); "
               "berikan path log yang sebenarnya")
    else:
        writer = WRITERS[refused["writable_by"]].format(shown(str(refused["account"])))
        why = (f"folder yang memuatnya, {shown(os.path.dirname(link))}, dapat ditulis oleh "
               f"{writer}, bukan hanya root (akun itu dapat mengarahkan tautan ke berkas "
               "lain, mis. /etc/shadow); berikan path log yang sebenarnya atau pindahkan "
               "tautan itu ke folder milik root yang tidak dapat ditulis grup maupun akun lain")
    return (f"log {shown(log)} tidak dibaca: {where} adalah tautan simbolik{leads}, tidak "
            f"diikuti: {why}. Posisi pembacaannya tetap; log lain tetap diaudit.")


def sop_output(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "requests": result["requests"], "unique_visitors": result["unique_visitors"],
        "skipped": result["skipped"],
        "period": f"{result['first_seen'] or '-'} .. {result['last_seen'] or '-'}",
        "status_classes": result["status_classes"],
        "top_paths": [f"{p['path']}: {angka(p['count'])}" for p in result["top_paths"][:5]],
        "crawlers": dict(list(result["crawlers"].items())[:5]),
        "findings": [f"{f['name']}: {angka(f['count'])} permintaan"
                     + (f", {angka(f['successful'])} dijawab 2xx" if f["successful"] else "")
                     + f" ({', '.join(c['client'] for c in f['clients'][:3])})"
                     for f in result["findings"]],
        "resumed": result["resumed"],
        "behind_proxy": result["behind_proxy"],
    }


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "path", "required": True},
            "state_dir": {"type": "path", "default": "/var/lib/sop/website_log_audit"},
            "cms": {"type": "str", "default": "unknown",
                    "choices": ["unknown", "wordpress", "joomla", "drupal", "static"]},
            "top": {"type": "int", "default": 10},
            "samples": {"type": "int", "default": 3},
            "bruteforce_threshold": {"type": "int", "default": 20},
            "top_limit": {"type": "int", "default": 5000},
            "workers": {"type": "int", "default": 0},
            "timeout": {"type": "int", "default": 1800},
            "trusted_proxies": {"type": "list", "elements": "str", "default": []},
            "web_server": {"type": "str", "choices": ["nginx", "apache"], "default": "nginx"},
            "proxy_share_percent": {"type": "int", "default": 90},
            "proxy_min_requests": {"type": "int", "default": 200},
        },
        supports_check_mode=True,
    )
    params = module.params
    for name in ("samples", "top_limit"):
        if params[name] < 1:
            module.fail_json(msg=f"{name} must be at least 1", setting=name)
    # the options the website role sets, judged by the bounds its checks refuse them by
    # before its backup runs (RANGES, the filter sop_range_error), in this order
    refused = (range_error(params, "top", **RANGES["log_top"])
               or range_error(params, "bruteforce_threshold", **RANGES["bruteforce_threshold"])
               or range_error(params, "proxy_min_requests", **RANGES["proxy_min_requests"])
               or seconds_error(params, "timeout")
               or range_error(params, "proxy_share_percent", **RANGES["percent"]))
    if refused:
        module.fail_json(**refused)
    if params["workers"] < 0:
        module.fail_json(msg="workers must be 0 (one per CPU) or more", setting="workers")
    if not params["paths"]:
        module.fail_json(msg="paths: give at least one access log", setting="paths")
    params["paths"] = [os.path.abspath(p) for p in params["paths"]]
    try:
        Proxies(params["trusted_proxies"])
    except ValueError as exc:
        module.fail_json(msg=f"trusted_proxies: {exc}", setting="trusted_proxies")
    try:
        result = run(params, module.check_mode)
    except LogError as exc:
        module.fail_json(msg=f"access log {exc}")

    except OSError as exc:
        module.fail_json(msg=f"access log audit: {exc.filename or ''}: {exc.strerror}")
    for refused in result["refused"]:
        module.warn(refusal(refused))
    module.exit_json(changed=False, audit=result, sop_output=sop_output(result))


if __name__ == "__main__":
    main()
