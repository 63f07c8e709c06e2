#!/usr/bin/env python3
"""Benchmark the SSH journal audit (security_ssh_audit) against the plain tools.

Starts one container on the lab image (systemd, journald with rate limiting off), writes
--lines sshd messages into its journal (a mix of failed passwords from a few hundred
addresses, invalid users, closed pre-auth connections and accepted keys), then times
inside the container, side by side in this run:

- plain read:  journalctl -t sshd -o json --output-fields=MESSAGE,__REALTIME_TIMESTAMP | wc -l
               (the same read the module does, nothing analysed)
- plain grep:  journalctl -t sshd -o cat | grep -c 'Failed password'   (what an admin types)
- module:      security_ssh_audit without a cursor (its own measured read and analysis)

and prints journal lines per second of each and the module's ratio to both. The
container is removed at the end unless --keep.

    CONTAINERS_CONF=.lab/containers.conf .venv/bin/python benchmarks/journal_audit.py --lines 200000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "localhost/sop-lab:latest"
HOST = "bench-journal-audit"
READ = ("journalctl -q -t sshd -o json --output-fields=MESSAGE,__REALTIME_TIMESTAMP "
        "--since=-1d | wc -l")
GREP = "journalctl -q -t sshd -o cat --since=-1d | grep -c 'Failed password'"
GENERATE = r"""
set -e
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nRateLimitBurst=0\nRateLimitIntervalSec=0\n' \
  > /etc/systemd/journald.conf.d/bench.conf
systemctl restart systemd-journald
python3 - "$1" <<'PY' | systemd-cat -t sshd
import random, sys
rnd = random.Random(7)
for i in range(int(sys.argv[1])):
    ip = f"203.0.{rnd.randrange(2)}.{rnd.randrange(1, 255)}"
    port = 20000 + i % 40000
    kind = rnd.random()
    if kind < 0.6:
        print(f"Failed password for invalid user u{i % 97} from {ip} port {port} ssh2")
    elif kind < 0.8:
        print(f"Connection closed by authenticating user root {ip} port {port} [preauth]")
    elif kind < 0.95:
        print(f"Invalid user admin{i % 13} from {ip} port {port}")
    else:
        print(f"Accepted publickey for sopadmin from 10.0.0.{i % 200} port {port} ssh2")
PY
journalctl --sync
"""


def run(argv: list[str], **kwargs: object) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False,
                          **kwargs)  # type: ignore[call-overload]
    if proc.returncode:
        sys.exit(f"{' '.join(argv[:4])}...: {(proc.stderr or proc.stdout).strip()[-500:]}")
    return str(proc.stdout)


def timed(script: str) -> tuple[float, str]:
    """Runs script in the container, timed there (no podman exec overhead)."""
    out = run(["podman", "exec", HOST, "bash", "-c",
               f"set -o pipefail; s=$(date +%s.%N); r=$({script}); e=$(date +%s.%N); "
               "echo \"$r $s $e\""])
    result, start, end = out.split()
    return float(end) - float(start), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    subprocess.run(["podman", "rm", "-f", HOST], capture_output=True, check=False)
    run(["podman", "run", "-d", "--name", HOST, "--systemd", "always", IMAGE, "/sbin/init"])
    try:
        time.sleep(3)
        run(["podman", "exec", "-i", HOST, "bash", "-s", "--", str(args.lines)], input=GENERATE)
        read_s, lines = timed(READ)
        grep_s, _ = timed(GREP)
        env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
        out = run([str(ROOT / ".venv/bin/ansible"), "all", "-i", f"{HOST},", "-c",
                   "containers.podman.podman", "-e", "ansible_python_interpreter=/usr/bin/python3",
                   "-m", "security_ssh_audit", "-a", "cursor_file='' since=-1d"], env=env, cwd=ROOT)
        result = json.loads(out)["plays"][0]["tasks"][0]["hosts"][HOST]["ssh"]
    finally:
        if not args.keep:
            subprocess.run(["podman", "rm", "-f", HOST], capture_output=True, check=False)
    count = int(lines)
    rows = [("plain read (journalctl -o json | wc -l)", read_s),
            ("plain grep (journalctl -o cat | grep -c)", grep_s),
            ("module security_ssh_audit (own timing)", float(result["seconds"]))]
    print(f"{count} sshd journal lines ({result['lines_read']} read by the module, "
          f"{result['failures']} failures counted)")
    for name, seconds in rows:
        print(f"  {name:45s} {seconds:7.2f} s  {count / seconds:12,.0f} lines/s")
    print(f"  module / plain read: {rows[2][1] / read_s:.2f}x   module / plain grep: "
          f"{rows[2][1] / grep_s:.2f}x")


if __name__ == "__main__":
    main()
