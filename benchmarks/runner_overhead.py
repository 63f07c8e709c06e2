"""Overhead of `sop run` over plain `ansible-playbook` on the lab (target: <= 1.05x).

Two workloads, each run alternately through `sop run` and `ansible-playbook` (same
inventory, same ansible.cfg, same environment) after one warm-up run of each:

- `lab-ping`: playbooks/lab_ping.yml across all five lab hosts (4 trivial tasks, about
  2.5 s): the worst case, where `sop`'s fixed cost weighs most;
- `sipp-maintenance`: the real Perawatan SIPP SOP playbook on the SIPP server.

Prints the median and minimum of each side and their ratios (the target is on the median).
Needs the lab: `sop-lab up`. Usage: python benchmarks/runner_overhead.py [ROUNDS] (7)
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INVENTORY = REPO / "inventory" / "lab"
FIXTURES = REPO / "tests" / "runner" / "fixtures" / "catalogue"
# (SOP id, its playbook, catalogue directory or None for the shipped catalogue)
WORKLOADS = (
    ("lab-ping", REPO / "playbooks" / "lab_ping.yml", FIXTURES),
    ("sipp-maintenance", REPO / "playbooks" / "sipp_maintenance.yml", None),
)


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(sop_id: str, playbook: Path, catalogue: Path | None, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sop-bench-") as data:
        env = {
            **os.environ,
            "SOP_DATA_DIR": data,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        }
        env.pop("SOP_CATALOGUE_DIR", None)
        if catalogue is not None:
            env["SOP_CATALOGUE_DIR"] = str(catalogue)
        sop = [str(BIN / "sop"), "run", sop_id, "-i", str(INVENTORY)]
        plain = [str(BIN / "ansible-playbook"), "-i", str(INVENTORY), str(playbook)]
        timed(sop, env)  # warm up: SSH control sockets, caches
        timed(plain, env)
        sop_times, plain_times = [], []
        for _ in range(rounds):
            sop_times.append(timed(sop, env))
            plain_times.append(timed(plain, env))
    sop_median = statistics.median(sop_times)
    plain_median = statistics.median(plain_times)
    print(f"== {sop_id} ({playbook.name}), {rounds} rounds")
    print(
        f"sop run          median {sop_median:.2f}s  min {min(sop_times):.2f}s  "
        f"{[round(t, 2) for t in sop_times]}"
    )
    print(
        f"ansible-playbook median {plain_median:.2f}s  min {min(plain_times):.2f}s  "
        f"{[round(t, 2) for t in plain_times]}"
    )
    print(f"ratio of minimums {min(sop_times) / min(plain_times):.3f}x")
    print(f"ratio {sop_median / plain_median:.3f}x (target <= 1.05x)", flush=True)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    # Bytecode for the sop package as an install has it (Ansible's is compiled at install;
    # the editable checkout's is not when PYTHONDONTWRITEBYTECODE is set).
    compileall.compile_dir(REPO / "runner" / "sop", quiet=1)
    for sop_id, playbook, catalogue in WORKLOADS:
        measure(sop_id, playbook, catalogue, rounds)


if __name__ == "__main__":
    main()
