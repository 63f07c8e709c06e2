"""Overhead of `sop run` over plain `ansible-playbook` (target: median ratio <= 1.10x).

Each workload runs alternately through `sop run` and `ansible-playbook` (same playbook,
inventory, ansible.cfg and environment) after one warm-up run of each:

- `lab-ping`: playbooks/lab_ping.yml across all five lab hosts (4 trivial tasks, about
  2.5 s): the worst case, where `sop`'s fixed cost weighs most;
- `sipp-maintenance`: the real Perawatan SIPP SOP playbook on the SIPP server;
- `local-demo` (with --local, no lab needed): the runner tests' local-connection playbook.

Prints the median and minimum of each side and their ratios (the target is on the median).
Usage: python benchmarks/runner_overhead.py [ROUNDS] [--local]   (ROUNDS >= 7, default 7)
The lab workloads need the lab court up (`sop-lab up`).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FIXTURES = REPO / "tests" / "runner" / "fixtures"
LAB_INVENTORY = REPO / "inventory" / "lab"
TARGET = 1.10
MIN_ROUNDS = 7


@dataclass(frozen=True)
class Workload:
    sop_id: str
    playbook: Path
    inventory: Path
    catalogue: Path | None  # None: the shipped catalogue
    extra: tuple[str, ...] = field(default=())


LAB = (
    Workload(
        "lab-ping", REPO / "playbooks" / "lab_ping.yml", LAB_INVENTORY, FIXTURES / "catalogue"
    ),
    Workload("sipp-maintenance", REPO / "playbooks" / "sipp_maintenance.yml", LAB_INVENTORY, None),
)


def local_workload(work: Path) -> Workload:
    return Workload(
        "local-demo",
        FIXTURES / "playbooks" / "local_demo.yml",
        FIXTURES / "inventory",
        FIXTURES / "catalogue",
        ("-e", f"demo_dir={work}"),
    )


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def measure(workload: Workload, rounds: int) -> float:
    """The median ratio sop / ansible-playbook."""
    with tempfile.TemporaryDirectory(prefix="sop-bench-") as data:
        env = {
            **os.environ,
            "SOP_DATA_DIR": data,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        }
        env.pop("SOP_CATALOGUE_DIR", None)
        if workload.catalogue is not None:
            env["SOP_CATALOGUE_DIR"] = str(workload.catalogue)
        sop = [
            str(BIN / "sop"),
            "run",
            workload.sop_id,
            "-i",
            str(workload.inventory),
            *workload.extra,
        ]
        plain = [
            str(BIN / "ansible-playbook"),
            "-i",
            str(workload.inventory),
            *workload.extra,
            str(workload.playbook),
        ]
        timed(sop, env)  # warm up: SSH control sockets, caches
        timed(plain, env)
        sop_times, plain_times = [], []
        for _ in range(rounds):
            sop_times.append(timed(sop, env))
            plain_times.append(timed(plain, env))
    sop_median = statistics.median(sop_times)
    plain_median = statistics.median(plain_times)
    ratio = sop_median / plain_median
    print(f"== {workload.sop_id} ({workload.playbook.name}), {rounds} rounds")
    print(
        f"sop run          median {sop_median:.2f}s  min {min(sop_times):.2f}s  "
        f"{[round(t, 2) for t in sop_times]}"
    )
    print(
        f"ansible-playbook median {plain_median:.2f}s  min {min(plain_times):.2f}s  "
        f"{[round(t, 2) for t in plain_times]}"
    )
    print(f"ratio of minimums {min(sop_times) / min(plain_times):.3f}x")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio {ratio:.3f}x ({verdict} the target <= {TARGET:.2f}x)", flush=True)
    return ratio


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--local"]
    if args and not args[0].isdigit():
        print("usage: runner_overhead.py [ROUNDS] [--local]", file=sys.stderr)
        return 2
    rounds = int(args[0]) if args else MIN_ROUNDS
    if rounds < MIN_ROUNDS:
        print(f"runner_overhead: at least {MIN_ROUNDS} rounds", file=sys.stderr)
        return 2
    # Bytecode for the sop package as an install has it (Ansible's is compiled at install;
    # the editable checkout's is not when PYTHONDONTWRITEBYTECODE is set).
    compileall.compile_dir(REPO / "runner" / "sop", quiet=1)
    with tempfile.TemporaryDirectory(prefix="sop-bench-work-") as work:
        workloads = [local_workload(Path(work))] if "--local" in sys.argv else list(LAB)
        ratios = [measure(workload, rounds) for workload in workloads]
    return 0 if all(r <= TARGET for r in ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
