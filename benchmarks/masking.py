#!/usr/bin/env python3
"""Secret masking (module_utils/sop_secrets.py's mask_ansible_error and
mask_export_lines) on large texts.

What the runner records of a task's cause and keeps of its output, what the Jinja filters
and the sop_output action show, passes mask_ansible_error: every rule of mask_command, then
the secret settings. Generates texts of --mb MB each (one line of apt and dpkg output as a
registered result's JSON-escaped stdout; a mysqldump error quoting its INSERT; a base64
blob; a long JSON result; the same apt output as many short lines, also masked one line at
a time as the runner masks its output artifact; lines dense with secrets), and prints for
each the masking's time (the best of --rounds) beside one plain rule's pass measured in
the same run: re.sub of one case-insensitive pattern, (password[=:]\\s*)\\S+, over the
same text.

The configuration store's export masking (mask_export_lines, for the lines its diff
shows) gets a RouterOS-like export of --mb MB (config_diff.py's generator) and one export
line of --mb MB whose comment repeats a secret word ("password" with no '=' after it: the
key before each occurrence was once read again at each one, quadratic, about 25 minutes
for 4 MiB), each beside the same plain pass over the same text.

Target: none set; shown: microseconds per character and the ratio to the plain pass.

    .venv/bin/python benchmarks/masking.py [--mb 5] [--rounds 3] [--module PATH]

--module times another copy of sop_secrets.py (a `git worktree` of older code, side by
side with the current one).
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from config_diff import export

ROOT = Path(__file__).resolve().parents[1]
PLAIN = re.compile(r"(password[=:]\s*)\S+", re.IGNORECASE)
PACKAGES = ("libssl3", "mariadb-server-10.11", "php8.2-fpm", "nginx-common", "libc6", "zstd")
SECRET_LINES = (
    "fatal: could not read from https://sipp:S3cr3t@git.example.org/sipp.git?token=abc&page=2",
    "mysqldump -u root -pS3cretX --single-transaction sipp | zstd -T0",
    "'[sipp_db_password: hunter2]' could not be made into a dictionary",
    '{"dbPassword": "x y z", "user": "sipp", "api_token": "abcdef"}',
    "curl -u admin:S3cret -H 'Authorization: Bearer eyJabc.def' https://x.example/api?api_key=K",
    "ERROR 1045 (28000): Access denied for user 'sipp'@'localhost' (using password: YES)",
    "GRANT ALL ON sipp.* TO 'sipp'@'%' IDENTIFIED BY 'p@ss''word'",
    "sync --password=a --api-key B SYNC_TOKEN=xyz http_proxy=user:pw@proxy:3128",
    "Setting up libssl3 (3.0.11-1~deb12u2) ... an ordinary line with no secret in it",
)


def apt_output(size: int, separator: str) -> str:
    rng = random.Random(1)
    lines: list[str] = []
    length = 0
    while length < size:
        n = len(lines) + 1
        package = rng.choice(PACKAGES)
        line = rng.choice((
            f"Get:{n} http://deb.debian.org/debian bookworm/main amd64 {package} amd64 "
            f"1.{n % 9}.{n % 13}-{n % 5}+deb12u1 [{rng.randint(10, 9000)} kB]",
            f"Preparing to unpack .../{n:02d}-{package}_1.{n % 9}-{n % 5}_amd64.deb ...",
            f"Unpacking {package}:amd64 (1.{n % 9}-{n % 5}+deb12u1) over (1.{n % 9}-{n % 4}) ...",
            f"Setting up {package} (1.{n % 9}-{n % 5}) ...",
            "Processing triggers for man-db (2.11.2-2) ...",
        ))
        lines.append(line)
        length += len(line) + len(separator)
    return separator.join(lines)[:size]


def mysqldump_error(size: int) -> str:
    rng = random.Random(2)
    rows: list[str] = []
    length = 0
    while length < size:
        n = len(rows) + 1
        row = (f"({n},'{rng.randint(1, 999)}/Pdt.G/2026/PN Bgl','Gugatan wanprestasi PT. Maju "
               f"Jaya melawan CV. Sentosa, Rp {rng.randint(1, 99)}.000.000','2026-0{n % 9 + 1}-1"
               f"{n % 9}',NULL,'hakim_{n % 7}','O\\'Neil',{rng.random():.4f})")
        rows.append(row)
        length += len(row) + 1
    return ("mysqldump: Couldn't execute 'INSERT INTO `perkara` VALUES " + ",".join(rows)[:size]
            + "': Lost connection to server during query (2013)")


def base64_blob(size: int) -> str:
    return base64.b64encode(random.Random(3).randbytes(size * 3 // 4)).decode("ascii")


def json_result(size: int) -> str:
    rng = random.Random(4)
    items: list[str] = []
    length = 0
    while length < size:
        n = len(items) + 1
        item = json.dumps({
            "id": n, "nomor": f"{n}/Pid.B/2026/PN Bgl",
            "status": rng.choice(("putus", "sidang", "minutasi")),
            "url": f"https://sipp.pn-bangil.go.id/detil/{n}?tab=2&page={n % 7}",
            "nilai": rng.random(), "catatan": f"Sidang ditunda; jadwal=2026-12-0{n % 9 + 1}"})
        items.append(item)
        length += len(item) + 2
    return "[" + ", ".join(items) + "]"


def secret_lines(size: int) -> str:
    rng = random.Random(5)
    lines: list[str] = []
    length = 0
    while length < size:
        lines.append(rng.choice(SECRET_LINES))
        length += len(lines[-1]) + 1
    return "\n".join(lines)


def export_lines(size: int) -> list[str]:
    """A RouterOS-like export of about ``size`` characters (config_diff.py's)."""
    lines: list[str] = []
    length = 0
    for line in export(size // 40):
        if length >= size:
            break
        lines.append(line)
        length += len(line)
    return lines


def repeated_secret_word(size: int) -> list[str]:
    """A /ppp secret whose comment repeats "password" to ``size`` characters."""
    return ["/ppp secret\n",
            f"add comment={'password' * (size // 8)} password=Rahasia1 name=vpn\n"]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("sop_secrets_benchmarked", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(rounds: int, work: Callable[[Any], object], value: Any) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work(value)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of each text, MB")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--module", type=Path, default=ROOT / "module_utils" / "sop_secrets.py")
    args = parser.parse_args()
    secrets = load(args.module)
    size = int(args.mb * 1_000_000)
    texts = {
        "apt output, one line (\\n)": apt_output(size, "\\n"),
        "mysqldump INSERT error": mysqldump_error(size),
        "base64 blob": base64_blob(size),
        "long JSON result": json_result(size),
        "apt output, short lines": apt_output(size, "\n"),
        "lines dense with secrets": secret_lines(size),
    }
    print(f"{args.module}: best of {args.rounds}")
    print(f"{'text':30} {'chars':>9} {'plain s':>8} {'masking s':>10} {'us/char':>8} {'ratio':>7}")
    for name, text in texts.items():
        plain = best(args.rounds, lambda value: PLAIN.sub(r"\1***", value), text)
        masked = best(args.rounds, secrets.mask_ansible_error, text)
        print(f"{name:30} {len(text):>9} {plain:>8.3f} {masked:>10.3f} "
              f"{masked / len(text) * 1e6:>8.3f} {masked / plain:>6.1f}x")
        if "\n" in text:
            lines = text.split("\n")
            masked = best(args.rounds, lambda values: [
                secrets.mask_ansible_error(value) for value in values], lines)
            print(f"{'  one line at a time':30} {len(lines):>7} l {plain:>8.3f} {masked:>10.3f} "
                  f"{masked / len(text) * 1e6:>8.3f} {masked / plain:>6.1f}x")
    exports = {
        "RouterOS export": export_lines(size),
        "export line repeating a word": repeated_secret_word(size),
    }
    print("mask_export_lines:")
    for name, lines in exports.items():
        text = "".join(lines)
        plain = best(args.rounds, lambda value: PLAIN.sub(r"\1***", value), text)
        masked = best(args.rounds, secrets.mask_export_lines, lines)
        print(f"{name:30} {len(text):>9} {plain:>8.3f} {masked:>10.3f} "
              f"{masked / len(text) * 1e6:>8.3f} {masked / plain:>6.1f}x")


if __name__ == "__main__":
    main()
