#!/usr/bin/env python3
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab nginx access logs: some days of combined-format lines of a court website's
visitors plus attacks (SQL injection, path traversal, wp-login brute force, scanners),
written like logrotate leaves them: access.log (today), access.log.1, access.log.2.gz...

Deterministic for a seed and reference time. Stdlib only, Python 3.9+.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import sys

PAGES = (
    "/",
    "/",
    "/",
    "/berita/",
    "/profil.html",
    "/kontak.html",
    "/sipp-publik/",
    "/sipp-publik/",
    "/pengumuman.html",
    "/layanan/ptsp.html",
    "/layanan/e-court.html",
    "/assets/css/style.css",
    "/assets/js/main.js",
    "/assets/img/logo.png",
    "/favicon.ico",
    "/berita/{n}.html",
    "/berita/{n}.html",
    "/jadwal-sidang.html",
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)
SQLI = (
    "/berita.php?id=1%27%20OR%20%271%27=%271",
    "/index.php?id=1%20UNION%20SELECT%20username,password%20FROM%20users--",
    "/berita/?id=-1%27%20UNION%20ALL%20SELECT%20NULL,CONCAT(0x7176,version())--%20-",
    "/cari?q=%27%3B%20DROP%20TABLE%20perkara%3B--",
    "/index.php?option=com_content&id=1%20AND%20SLEEP(5)",
)
TRAVERSAL = (
    "/../../../../etc/passwd",
    "/index.php?page=../../../../etc/passwd",
    "/download.php?file=..%2F..%2F..%2Fetc%2Fshadow",
    "/static/..%252f..%252f..%252fetc%252fpasswd",
)
SCANS = (
    "/.env",
    "/.git/config",
    "/phpmyadmin/",
    "/pma/index.php",
    "/wp-admin/setup-config.php",
    "/administrator/index.php",
    "/server-status",
    "/backup.sql",
    "/config.php.bak",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
)
SCANNER_AGENTS = (
    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)",
    "sqlmap/1.7.11#stable (https://sqlmap.org)",
    "Mozilla/5.0 zgrab/0.x",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def stamp(when: dt.datetime, tz: str) -> str:
    return f"{when.day:02d}/{MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S} {tz}"


def line(
    ip: str,
    when: dt.datetime,
    tz: str,
    request: str,
    *,
    status: int,
    size: int,
    referer: str = "-",
    agent: str,
) -> str:
    return (
        f'{ip} - - [{stamp(when, tz)}] "{request} HTTP/1.1" {status} {size} "{referer}" "{agent}"\n'
    )


def day_lines(
    rng: random.Random, day: dt.date, visits: int, site: str, *, tz: str, until: dt.datetime | None
) -> list[tuple[dt.datetime, str]]:
    """One day's lines (until `until` for today), attacks included, sorted by time."""
    out: list[tuple[dt.datetime, str]] = []
    start = dt.datetime.combine(day, dt.time())

    def at() -> dt.datetime:
        # visitors mostly in the day time
        return start + dt.timedelta(seconds=int(rng.triangular(0, 86399, 11 * 3600)))

    for _ in range(visits):
        ip = (
            f"{rng.choice((36, 110, 114, 182, 202))}.{rng.randint(0, 255)}."
            f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        )
        path = rng.choice(PAGES).format(n=rng.randint(1, 40))
        status = 200 if rng.random() > 0.03 else rng.choice((304, 404))
        ref = rng.choice(("-", "https://www.google.com/", f"http://{site}/"))
        when = at()
        size = rng.randint(300, 48000)
        agent = rng.choice(AGENTS)
        request = f"GET {path}"
        out.append(
            (when, line(ip, when, tz, request, status=status, size=size, referer=ref, agent=agent))
        )
    attacker = f"45.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    for path in rng.sample(SQLI, 3) + rng.sample(TRAVERSAL, 2):
        when = at()
        status = rng.choice((400, 403, 404))
        agent = rng.choice(SCANNER_AGENTS[:2])
        out.append(
            (when, line(attacker, when, tz, f"GET {path}", status=status, size=162, agent=agent))
        )
    scanner = f"185.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    base = at()
    for i, path in enumerate(SCANS):
        when = base + dt.timedelta(seconds=i)
        agent = rng.choice(SCANNER_AGENTS)
        out.append(
            (when, line(scanner, when, tz, f"GET {path}", status=404, size=162, agent=agent))
        )
    brute = f"103.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    base = at()
    for i in range(rng.randint(40, 120)):
        when = base + dt.timedelta(seconds=2 * i)
        out.append(
            (
                when,
                line(
                    brute,
                    when,
                    tz,
                    "POST /wp-login.php",
                    status=404,
                    size=162,
                    referer=f"http://{site}/wp-login.php",
                    agent="Mozilla/5.0 (Windows NT 6.1)",
                ),
            )
        )
    out = [item for item in out if until is None or item[0] <= until]
    out.sort(key=lambda item: item[0])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/var/log/nginx")
    parser.add_argument("--name", default="access.log")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--visits", type=int, default=1500, help="visitor requests per day")
    parser.add_argument("--site", default="web")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--now", type=dt.datetime.fromisoformat, default=None)
    args = parser.parse_args(argv)
    if args.days < 1 or args.visits < 0:
        parser.error("--days must be >= 1 and --visits >= 0")
    now = args.now or dt.datetime.now().replace(microsecond=0)
    offset = dt.datetime.now().astimezone().strftime("%z") or "+0000"
    rng = random.Random(args.seed)  # noqa: S311
    for age in range(args.days, -1, -1):
        day = now.date() - dt.timedelta(days=age)
        lines = day_lines(
            rng, day, args.visits, args.site, tz=offset, until=now if age == 0 else None
        )
        text = "".join(item[1] for item in lines)
        name = args.name if age == 0 else f"{args.name}.{age}"
        path = os.path.join(args.dir, name)
        if age >= 2:
            with gzip.open(path + ".gz", "wt", encoding="utf-8") as handle:
                handle.write(text)
        else:
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
