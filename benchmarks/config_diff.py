#!/usr/bin/env python3
"""The configuration store's diff (library/net_config_store.py's masked_diff) of large
RouterOS exports.

Generates a RouterOS-like export of --lines lines (firewall rules, address lists, queues,
DHCP leases, PPP secrets, each section under its menu line), and two new versions of
it: one with --changes lines changed at random places, one with every 10th line
changed; and an export crafted to be costly, --lines lines of 101 distinct ones
repeated in turn (each just under difflib's 1% of popular lines), with 20 changed. For
each it times masked_diff (the best of --rounds), which masks both texts and writes the
unified diff (for the crafted one a summary, past MAX_PAIR_SCANS), beside the plain tool
run on the same two files in the same run: `diff -u` (GNU diffutils). --difflib also
times the diff as it was made before (difflib's SequenceMatcher on the same lines:
minutes for every 10th line changed) and checks that both diffs are the same.

Target: none set; shown: seconds and the ratio to `diff -u`.

    .venv/bin/python benchmarks/config_diff.py [--lines 60000] [--changes 1000] [--rounds 3]
        [--difflib]
"""

from __future__ import annotations

import argparse
import difflib
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "modules"))

import ansible.module_utils  # noqa: E402

ansible.module_utils.__path__.append(str(ROOT / "module_utils"))
from loader import load  # noqa: E402

store = load("net_config_store")


def export(lines: int, seed: int = 1) -> list[str]:
    """A RouterOS-like export: menus and their numerous, mostly distinct lines."""
    rng = random.Random(seed)
    out = ["# 2026-12-05 10:00:00 by RouterOS 7.16.1\n", "# model = CCR2004-16G-2S+\n"]
    menus = (
        # rules repeated from section to section (about 40 times each, under difflib's 1%)
        ("/ip firewall filter",
         lambda n: f"add action=accept chain=forward dst-port={1000 + rng.randrange(300)} "
                   "protocol=tcp\n"),
        ("/ip firewall address-list",
         lambda n: f"add address=172.{16 + n % 16}.{n % 256}.{n % 251} list=ruang_{n % 40}\n"),
        ("/queue simple",
         lambda n: f"add max-limit={n % 90 + 10}M/{n % 50 + 10}M name=pengguna{n} "
                   f"target=10.1.{n % 256}.{n % 253}/32\n"),
        ("/ip dhcp-server lease",
         lambda n: f"add address=10.2.{n % 256}.{n % 254} mac-address="
                   f"{':'.join(f'{rng.randrange(256):02X}' for _ in range(6))} server=dhcp1\n"),
        ("/ppp secret",
         lambda n: f"add name=staf{n} password=Rahasia{rng.randrange(10**6)} profile=vpn "
                   "service=l2tp\n"),
    )
    n = 0
    while len(out) < lines:
        menu, line = menus[len(out) % len(menus)]
        out.append(menu + "\n")
        for _ in range(rng.randrange(50, 400)):
            if len(out) >= lines:
                break
            n += 1
            out.append(line(n))
    return out[:lines]


def changed(lines: list[str], places: list[int]) -> list[str]:
    new = list(lines)
    for place in places:
        new[place] = new[place].rstrip("\n") + " disabled=yes\n"
    return new


def before_diff(name: str, old: str, new: str) -> str:
    """masked_diff as it was: difflib's SequenceMatcher."""
    saved = store.DiffMatcher
    store.DiffMatcher = partial(difflib.SequenceMatcher, None)
    try:
        return str(store.masked_diff(name, old, new))
    finally:
        store.DiffMatcher = saved


def best(rounds: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=60000)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--difflib", action="store_true",
                        help="also time the diff made before (slow)")
    args = parser.parse_args()
    diff_tool = shutil.which("diff")
    old_lines = export(args.lines)
    rng = random.Random(2)
    repeated = [f"add chain=c{n % 101}\n" for n in range(args.lines)]
    cases = {
        f"{args.changes} lines changed":
            (old_lines, changed(old_lines, rng.sample(range(args.lines), args.changes))),
        "every 10th line changed": (old_lines, changed(old_lines, list(range(5, args.lines, 10)))),
        "crafted, lines repeated": (repeated, changed(repeated, rng.sample(range(args.lines), 20))),
    }
    print(f"{args.lines} lines ({len(''.join(old_lines)) / 1e6:.1f} MB); best of {args.rounds}")
    print(f"{'case':<26} {'diff -u s':>10} {'masked_diff s':>14} {'ratio':>7}"
          + (f" {'before s':>9} {'ratio':>7}" if args.difflib else ""))
    with tempfile.TemporaryDirectory() as work:
        before_file, after_file = Path(work, "before.rsc"), Path(work, "after.rsc")
        for label, (before_lines, new_lines) in cases.items():
            old, new = "".join(before_lines), "".join(new_lines)
            before_file.write_text(old)
            after_file.write_text(new)
            plain = None
            if diff_tool:
                plain, _ = best(args.rounds, partial(
                    subprocess.run, [diff_tool, "-u", str(before_file), str(after_file)],
                    stdout=subprocess.PIPE, check=False))
            took, diff = best(args.rounds, partial(store.masked_diff, "rb", old, new))
            row = (f"{label:<26} {plain if plain is not None else float('nan'):>10.3f} "
                   f"{took:>14.3f} {took / plain if plain else float('nan'):>6.1f}x")
            if args.difflib:
                was, before = best(1, partial(before_diff, "rb", old, new))
                same = ("summary" if not str(diff).startswith("---")
                        else "same diff" if before == diff else "DIFFERENT DIFF")
                row += f" {was:>9.2f} {was / plain if plain else float('nan'):>6.0f}x  {same}"
            print(row)
    if not diff_tool:
        print("diff (GNU diffutils) is not installed: no plain tool to compare with")


if __name__ == "__main__":
    main()
