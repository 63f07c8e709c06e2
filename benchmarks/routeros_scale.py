#!/usr/bin/env python3
"""Benchmark the network SOP's RouterBoard part at scale: health and configuration
history of N RouterOS API endpoints at once against one endpoint.

Starts the lab's RouterOS API test service (lab/roles/lab_routeros; NOT RouterOS) on
this machine with 1 + N ports, then runs, alternately and ROUNDS times each, the role's
own RouterBoard tasks (roles/network/tasks/routerboard.yml: read the stored states, read
every router over the API in parallel, keep the exports in a configuration store) with
ansible-playbook against 1 endpoint and against N endpoints, and prints the median wall
times and their ratio (target <= 3x). The first round of each creates the history (every
export stored), later rounds find them unchanged, as a monthly run mostly does.

    .venv/bin/python benchmarks/routeros_scale.py [--routers 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "lab" / "roles" / "lab_routeros" / "files" / "routeros_api_lab.py"
USER, PASSWORD = "sop", "bench-routeros-pw"

PLAYBOOK = """---
- name: RouterBoards of a regional office
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Read the RouterBoards and keep their configurations
      ansible.builtin.include_role:
        name: network
        tasks_from: routerboard.yml
"""


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_listening(ports: list[int], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit("the RouterOS API test service did not start")
                time.sleep(0.05)


def run(work: Path, name: str, ports: list[int]) -> float:
    variables = {
        "network_config_store_host": "localhost",
        "network_config_store_path": str(work / f"store-{name}"),
        "network_routeros_routers": [
            {
                "name": f"rb-{i:03d}",
                "host": "127.0.0.1",
                "port": p,
                "username": USER,
                "password": PASSWORD,
            }
            for i, p in enumerate(ports)
        ],
    }
    # Extra variables from a private file, never on the command line (they hold the password).
    vars_file = work / f"vars-{name}.json"
    vars_file.write_text(json.dumps(variables))
    vars_file.chmod(0o600)
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.null",
    )
    start = time.monotonic()
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            f"@{vars_file}",
            str(work / "play.yml"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(
            f"ansible-playbook failed for {name}: {(proc.stderr or proc.stdout).strip()[-500:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ports = free_ports(args.routers + 1)
    with tempfile.TemporaryDirectory(prefix="routeros-scale-") as tmp:
        work = Path(tmp)
        (work / "play.yml").write_text(PLAYBOOK)
        config = {
            "listen": "127.0.0.1",
            "users": {USER: PASSWORD},
            "routers": [
                {"port": p, "identity": f"rb-{i:03d}", "version": "7.15.3" if i % 3 else "6.49.10"}
                for i, p in enumerate(ports)
            ],
        }
        (work / "routeros.json").write_text(json.dumps(config))
        service = subprocess.Popen([sys.executable, str(SERVICE), str(work / "routeros.json")])
        try:
            wait_listening(ports, service)
            one: list[float] = []
            many: list[float] = []
            for _ in range(args.rounds):
                one.append(run(work, "one", ports[:1]))
                many.append(run(work, "many", ports[1:]))
        finally:
            service.terminate()
            service.wait(5)
    m1, mn = statistics.median(one), statistics.median(many)
    print(f"1 endpoint:   {' '.join(f'{t:.2f}' for t in one)} s (median {m1:.2f} s)")
    print(f"{args.routers} endpoints: {' '.join(f'{t:.2f}' for t in many)} s (median {mn:.2f} s)")
    ratio = mn / m1
    print(
        f"ratio {args.routers} / 1: {ratio:.2f}x (target <= 3x) {'OK' if ratio <= 3 else 'MISSED'}"
    )
    if ratio > 3:
        sys.exit(1)


if __name__ == "__main__":
    main()
