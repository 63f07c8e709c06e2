#!/usr/bin/env python3
"""Benchmark the website backup's files step against raw ``tar | zstd -T0``.

Generates a web root of at least 300 MB in 15,000 files (WordPress-like: PHP, CSS and
JS text, and uploads of incompressible JPEG-sized blobs) under a temporary directory,
then alternately, ROUNDS times each, side by side in one run:

- raw:    tar -c ROOT | zstd -T0 -3 > FILE            (the plain tools; the target)
- raw + sync: the same, then sync -d FILE            (shown: the module fsyncs its archive)
- raw + sha256 + sync: tar | zstd -T0 -3 | tee FILE | (SHA-256 of the stream, in Python's
          hashlib as the module's), then sync -d FILE   (shown: the plain tools doing the
          module's work: the manifest needs the archive's SHA-256, and the archive is
          made durable before it is named)
- module: the website_files_backup module's files step (its own measured duration:
          tar + zstd -T0 + sha256 while writing + fsync + manifest, and the hard-link
          walk before tar where /proc/sys/fs/protected_hardlinks does not read 1: none on
          a Debian host, where it does), run through Ansible on localhost

and prints the medians and the ratio module / raw against the target (<= 1.10x).

    .venv/bin/python benchmarks/website_files.py [--rounds 3] [--mb 300] [--files 15000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.10
WORDS = ("pengadilan", "perkara", "sidang", "putusan", "berita", "pengumuman", "layanan",
         "ptsp", "function", "return", "array", "echo", "esc_html", "get_option", "add_action")


def generate(root: Path, total_mb: int, files: int, seed: int = 9) -> tuple[int, int]:
    """A WordPress-like tree: 80% small text files, 20% uploads carrying most bytes."""
    rng = random.Random(seed)
    text_files = files * 4 // 5
    upload_files = files - text_files
    text_bytes = 0
    for i in range(text_files):
        folder = root / "wp-includes" / f"d{i % 150:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        size = rng.randint(500, 12000)
        line = " ".join(rng.choice(WORDS) for _ in range(12)) + ";\n"
        body = (line * (size // len(line) + 1))[:size]
        (folder / f"f{i:05d}.php").write_text(body)
        text_bytes += size
    remaining = max(total_mb * 1024 * 1024 - text_bytes, upload_files)
    per = remaining // upload_files
    for i in range(upload_files):
        folder = root / "wp-content" / "uploads" / "2026" / f"{i % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"foto-{i:05d}.jpg").write_bytes(os.urandom(per))
    cache = root / "wp-content" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    return text_bytes + per * upload_files, files


# SHA-256 of stdin, as the module hashes its archive (coreutils' sha256sum is several times
# slower where the CPU has SHA instructions: it does not use them).
SHA256 = (f"{sys.executable} -c 'import hashlib, sys; h = hashlib.sha256(); "
          "[h.update(b) for b in iter(lambda: sys.stdin.buffer.read(1 << 20), b\"\")]; "
          "print(h.hexdigest())' > /dev/null")


def raw(root: Path, out: Path, durable: bool = False, hashed: bool = False) -> float:
    """The plain pipeline; `durable`: then `sync -d` of the file, as the module fsyncs its
    archive before naming it; `hashed`: the stream also goes through SHA-256 (shown beside
    the target's plain ratio, not instead of it)."""
    start = time.monotonic()
    sync = f" && sync -d {out}" if durable else ""
    sink = f"| tee {out} | {SHA256}" if hashed else f"> {out}"
    subprocess.run(["bash", "-o", "pipefail", "-c",
                    f"tar -c --exclude='*/cache' -C / {str(root)[1:]} | zstd -q -T0 -3 {sink}"
                    + sync], check=True)
    return time.monotonic() - start


def module(root: Path, dest: Path) -> float:
    env = dict(os.environ, ANSIBLE_LIBRARY=str(ROOT / "library"),
               ANSIBLE_MODULE_UTILS=str(ROOT / "module_utils"),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json")
    args = json.dumps({"paths": [str(root)], "dest": str(dest), "prefix": "bench",
                       "exclude": ["*/cache"], "period": "always", "force": True})
    # this venv's Python, named: not one discovered on PATH or cached from another run
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "localhost", "-c", "local",
                           "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}",
                           "-m", "website_files_backup", "-a", args],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode:
        sys.exit(f"module failed: {proc.stdout[-800:]} {proc.stderr[-400:]}")
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return float(result["duration"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--files", type=int, default=15000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-website-", dir="/var/tmp"))
    try:
        site = work / "site"
        size, count = generate(site, args.mb, args.files)
        print(f"web root: {size / 1048576:.0f} MiB in {count} files ({site})")
        raws, synced, hashed, mods = [], [], [], []
        for n in range(args.rounds):
            raws.append(raw(site, work / f"raw-{n}.tar.zst"))
            synced.append(raw(site, work / f"synced-{n}.tar.zst", durable=True))
            (work / f"synced-{n}.tar.zst").unlink()
            hashed.append(raw(site, work / f"hashed-{n}.tar.zst", durable=True, hashed=True))
            (work / f"hashed-{n}.tar.zst").unlink()
            mods.append(module(site, work / "module"))
            for old in (work / "module").glob("bench-*"):
                old.unlink()
            (work / f"raw-{n}.tar.zst").unlink()
            print(f"round {n + 1}: raw {raws[-1]:.2f} s, raw + sync {synced[-1]:.2f} s, "
                  f"raw + sha256 + sync {hashed[-1]:.2f} s, module {mods[-1]:.2f} s")
        ratio = statistics.median(mods) / statistics.median(raws)
        verdict = "met" if ratio <= TARGET else "MISSED"
        print(f"median raw tar|zstd -T0: {statistics.median(raws):.2f} s; module files step: "
              f"{statistics.median(mods):.2f} s; ratio {ratio:.3f}x "
              f"(target <= {TARGET}x: {verdict})")
        print(f"median raw tar|zstd -T0 && sync -d: {statistics.median(synced):.2f} s; module / "
              f"that: {statistics.median(mods) / statistics.median(synced):.3f}x")
        print(f"median raw tar|zstd -T0 | tee | sha256 && sync -d: {statistics.median(hashed):.2f}"
              f" s; module / that: {statistics.median(mods) / statistics.median(hashed):.3f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
