#!/usr/bin/env python3
"""Benchmark the SIPP backup against the plain tools on a generated >= 1 GB SIPP database.

Starts two containers on the lab image (a SIPP server loaded by the lab_sipp role with
its size knob, and a backup computer), or with --inventory uses an existing court (the
lab: --inventory inventory/lab, after sop-lab up with a large lab_sipp_cases), then
times, on the SIPP server (each plain pipeline timed inside the host):

- classic:        mysqldump --single-transaction sipp | gzip
- raw:            mariadb-dump --single-transaction sipp | zstd -T0 -3
- raw mydumper:   mydumper (threads = CPUs) into a directory, then tar | zstd -T0 -3
- raw + content checksums, raw mydumper + content checksums: the same pipelines with,
  beside them, the module's content-checksum statements (module_utils/sop_backup_sql.py)
  in as many plain `mariadb` sessions as the module opens (one per CPU): what the plain
  tools cost when they do the verification work the module does (shown, no target)
- module mariadb-dump / module mydumper: the mariadb_backup module's dump step (its own
  measured duration: dump + stream + sha256 + fsync + row counts + manifest)
- whole SOP: ansible-playbook playbooks/sipp_backup.yml (force) with the append-only
  push, ingest and sha256 on the backup computer, verify-restore there with content
  comparison, retention

The dump steps alternate for --rounds rounds (3), so that a slower minute of a shared
machine falls on all of them; the whole SOP runs once. It prints the medians and their
ratios against the targets, and beside them the CPU seconds
the two containers used during each step (their cgroups' cpuacct.usage, or cpu.stat on
cgroup v2; not with --inventory): on a machine shared with other work the wall times
depend on what else runs, the CPU seconds much less (module mariadb-dump <= 1.1x raw,
module mydumper <= 0.9x raw, both <= 0.25x classic, whole SOP <= 3x raw). The containers
are removed at the end unless --keep; --reuse uses kept ones (skips the data generation).

    CONTAINERS_CONF=.lab/containers.conf .venv/bin/python benchmarks/backup_dump.py
    .venv/bin/python benchmarks/backup_dump.py --inventory inventory/lab
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from pathlib import Path

import ansible.module_utils

# The content-checksum statements are the module's own (module_utils/ is a package of
# ansible.module_utils when Ansible runs a module; this script imports it the same way).
ansible.module_utils.__path__.append(str(Path(__file__).resolve().parents[1] / "module_utils"))
from ansible.module_utils import sop_backup_sql  # noqa: E402
from ansible.module_utils.sop_mariadb import parse_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "localhost/sop-lab:latest"
NET = "bench-sipp-backup"
SIPP = "bench-sipp-backup-sipp"
STORE = "bench-sipp-backup-store"
PASSWORD = "bench-sipp-backup-pw"
SOP = "whole SOP (auto, verify on backup host)"
PLAIN = (("classic", "mysqldump --single-transaction sipp | gzip > /tmp/c.sql.gz"),
         ("raw", "mariadb-dump --single-transaction sipp | zstd -q -T0 -3 > /tmp/r.sql.zst"),
         ("raw mydumper", f"rm -rf /tmp/md && mydumper -B sipp -o /tmp/md -t {os.cpu_count() or 2}"
          " && tar -C /tmp/md -cf - . | zstd -q -T0 -3 > /tmp/m.tar.zst"))
# The module's checksum sessions (one per CPU), each a plain client reading its statements.
CHECKSUMS = " & ".join(f"mariadb --batch -N sipp < /tmp/bench-checksums-{n}.sql > /dev/null"
                       for n in range(os.cpu_count() or 2))
CHECKED = tuple((f"{name} + content checksums", f"({CHECKSUMS} & {script}; wait)")
                for name, script in PLAIN[1:])


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["podman", *args], capture_output=True, text=True, check=False)
    if check and proc.returncode:
        sys.exit(f"podman {' '.join(args[:3])}...: {proc.stderr.strip()}")
    return proc


# How shell pipelines reach the SIPP server: podman exec into our container, or an
# Ansible shell task on the inventory's SIPP server (--inventory).
TARGET: dict[str, object] = {"host": SIPP, "env": None}
TIMED = ("set -o pipefail; start=$(date +%s.%N); {script}; end=$(date +%s.%N); "
         "echo \"__elapsed $start $end\"")


def on_sipp(script: str) -> str:
    """Run a bash script as root on the SIPP server; its output."""
    env = TARGET["env"]
    if not isinstance(env, dict):
        proc = podman("exec", SIPP, "bash", "-c", script, check=False)
        out, err = proc.stdout, proc.stderr
    else:
        argv = [str(ROOT / ".venv/bin/ansible"), str(TARGET["host"]), "-b", "-m",
                "ansible.builtin.shell", "-a", json.dumps({"cmd": script,
                                                           "executable": "/bin/bash"})]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        out, err = proc.stdout, proc.stdout + proc.stderr
    if proc.returncode:
        sys.exit(f"failed: {script}: {err.strip()[-2000:]}")
    return out


def cpu_seconds() -> float | None:
    """CPU seconds used so far by our two containers (None with --inventory)."""
    if isinstance(TARGET["env"], dict):
        return None
    total = 0.0
    for name in (SIPP, STORE):
        group = podman("inspect", "-f", "{{.State.CgroupPath}}", name).stdout.strip()
        v1 = Path(f"/sys/fs/cgroup/cpuacct{group}/cpuacct.usage")
        if v1.exists():
            total += int(v1.read_text()) / 1e9
            continue
        stat = Path(f"/sys/fs/cgroup{group}/cpu.stat").read_text().split()
        total += int(stat[stat.index("usage_usec") + 1]) / 1e6
    return total


def in_sipp(script: str) -> float:
    """Run a shell pipeline on the SIPP server; its wall time there, in seconds."""
    found = [line.split() for line in on_sipp(TIMED.format(script=script)).splitlines()
             if line.startswith("__elapsed")]
    return float(found[-1][2]) - float(found[-1][1])


def install_checksums() -> None:
    """Write the module's content-checksum statements for the SIPP database, spread over
    one session per CPU as the module spreads them, to /tmp/bench-checksums-N.sql there."""
    def rows(sql: str) -> list[list[str | None]]:
        return parse_batch(on_sipp(f"mariadb --batch --skip-column-names sipp -e {quoted(sql)}"))

    tables = sop_backup_sql.tables_from_rows(rows(sop_backup_sql.columns_sql("sipp")),
                                             rows(sop_backup_sql.tables_sql("sipp")))
    for number, group in enumerate(sop_backup_sql.spread(tables, os.cpu_count() or 2)):
        sql = "SET SESSION time_zone='+00:00';\n" + sop_backup_sql.measure_sql(
            "sipp", group, objects=number == 0)
        on_sipp(f"echo {b64encode(sql.encode()).decode()} | base64 -d "
                f"> /tmp/bench-checksums-{number}.sql")


def quoted(sql: str) -> str:
    """``sql`` as one single-quoted shell word."""
    return "'" + sql.replace("'", "'\\''") + "'"


def ansible_setup(work: Path) -> dict[str, str]:
    (work / "ansible.cfg").write_text(
        "[defaults]\n"
        f"library = {ROOT / 'library'}\nmodule_utils = {ROOT / 'module_utils'}\n"
        f"roles_path = {ROOT / 'roles'}:{ROOT / 'lab' / 'roles'}\n"
        f"collections_path = {ROOT / 'collections'}\ninterpreter_python = /usr/bin/python3\n"
        "callback_result_format = json\n[connection]\npipelining = True\n")
    (work / "hosts.yml").write_text(json.dumps({"all": {
        "vars": {"ansible_connection": "containers.podman.podman", "court_kode_satker": "400990",
                 "sipp_db_name": "sipp", "sipp_db_host": "localhost",
                 "sipp_db_user": "sop_backup", "sipp_db_password": PASSWORD},
        "children": {"sipp_servers": {"hosts": {SIPP: {"sop_lan_address": SIPP}}},
                     "backup_hosts": {"hosts": {STORE: {"sop_lan_address": STORE}}}}}}))
    (work / "load.yml").write_text(
        "- hosts: sipp_servers\n  become: true\n  gather_facts: false\n"
        "  roles: [lab_sipp]\n")
    return dict(os.environ, ANSIBLE_CONFIG=str(work / "ansible.cfg"),
                ANSIBLE_INVENTORY=str(work / "hosts.yml"), ANSIBLE_NOCOLOR="1")


def start(cases: int, env: dict[str, str], work: Path) -> None:
    podman("rm", "-f", SIPP, STORE, check=False)
    podman("network", "rm", "-f", NET, check=False)
    podman("network", "create", NET)
    for name in (SIPP, STORE):
        podman("run", "-d", "--systemd=always", "--network", NET, "--name", name,
               "--hostname", name, IMAGE, "/sbin/init")
        podman("exec", name, "systemctl", "is-system-running", "--wait", check=False)
    print(f"generating the SIPP database ({cases} cases) with lab_sipp ...", flush=True)
    started = time.monotonic()
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), str(work / "load.yml"),
                           "-e", f"lab_sipp_cases={cases}", "-e", "lab_sipp_activity_timer=false"],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit("lab_sipp failed:\n" + proc.stdout[-3000:])
    print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)


def module_dump(env: dict[str, str], engine: str) -> tuple[float, float, int]:
    """(module-measured dump duration, task wall time, file size) of one forced dump."""
    args = {"database": "sipp", "dest": f"/var/backups/bench-{engine}", "engine": engine,
            "login_user": "{{ sipp_db_user }}", "login_password": "{{ sipp_db_password }}",
            "force": True}
    start = time.monotonic()
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible"), str(TARGET["host"]), "-b",
                           "-m", "mariadb_backup", "-a", json.dumps(args)],
                          env=dict(env, ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"),
                          capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    try:
        result = next(iter(json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"].values()))
    except (ValueError, LookupError, StopIteration):
        sys.exit(f"mariadb_backup ({engine}): no result: {(proc.stdout + proc.stderr)[-2000:]}")
    if proc.returncode or result.get("failed"):
        sys.exit(f"mariadb_backup ({engine}) failed: {result.get('msg', proc.stderr[-2000:])}")
    in_sipp(f"rm -rf /var/backups/bench-{engine}")
    return float(result["duration"]), wall, int(result["size"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200000,
                        help="lab_sipp_cases (200000 = about 1.1 GB of InnoDB data)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the dump steps (their medians are compared)")
    parser.add_argument("--keep", action="store_true", help="keep the containers")
    parser.add_argument("--reuse", action="store_true", help="reuse kept containers")
    parser.add_argument("--inventory", help="use this inventory's SIPP server and backup "
                        "computer (e.g. inventory/lab) instead of starting containers")
    args = parser.parse_args()
    os.environ.setdefault("CONTAINERS_CONF", str(ROOT / ".lab" / "containers.conf"))
    work = Path(tempfile.mkdtemp(prefix="bench-sipp-backup-"))
    env = ansible_setup(work)
    if args.inventory:
        env = dict(os.environ, ANSIBLE_INVENTORY=str(Path(args.inventory).resolve()),
                   ANSIBLE_NOCOLOR="1")
        env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
        TARGET.update(host="sipp_servers[0]", env=env)
        args.keep = True  # nothing of ours to remove
    try:
        if not args.reuse and not args.inventory:
            start(args.cases, env, work)
        out = on_sipp("echo __size $(mariadb -N -e \"SELECT SUM(DATA_LENGTH+INDEX_LENGTH) FROM "
                      "information_schema.TABLES WHERE TABLE_SCHEMA='sipp'\")")
        size = float(out.split("__size")[-1].split()[0])
        print(f"database sipp: {size / 1e9:.2f} GB (data_length + index_length), "
              f"{os.cpu_count()} CPUs", flush=True)
        in_sipp("mariadb-dump --single-transaction sipp > /dev/null")  # warm the caches
        install_checksums()
        rounds: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}

        def record(name: str, seconds: float, before: float | None) -> None:
            rounds.setdefault(name, []).append(seconds)
            if before is not None and (after := cpu_seconds()) is not None:
                cpu.setdefault(name, []).append(after - before)

        # The steps alternate, round after round, so that a slower minute of a shared
        # machine falls on all of them; the medians are compared.
        for number in range(1, args.rounds + 1):
            for name, script in PLAIN + CHECKED:
                before = cpu_seconds()
                record(name, in_sipp(script), before)
            in_sipp("rm -rf /tmp/md /tmp/c.sql.gz /tmp/r.sql.zst /tmp/m.tar.zst")
            for engine in ("mariadb-dump", "mydumper"):
                before = cpu_seconds()
                duration, wall, sizes[engine] = module_dump(env, engine)
                record(f"module {engine}", duration, None)
                record(f"module {engine} (task)", wall, before)
            print(f"round {number}: " + ", ".join(f"{name} {values[-1]:.1f} s"
                                                  for name, values in rounds.items()), flush=True)
        before = cpu_seconds()
        start_sop = time.monotonic()
        proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"),
                               str(ROOT / "playbooks/sipp_backup.yml"), "-e",
                               "sipp_backup_force=true"],
                              env=dict(env, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
                                       PROFILE_TASKS_TASK_OUTPUT_LIMIT="200"),
                              capture_output=True, text=True, check=False)
        record(SOP, time.monotonic() - start_sop, before)
        if proc.returncode:
            sys.exit("playbook failed:\n" + proc.stdout[-3000:])
        times = {name: statistics.median(values) for name, values in rounds.items()}
        used = {name: statistics.median(values) for name, values in cpu.items()}
        print(f"\nmedians of {args.rounds} rounds (the whole SOP: one run)")
        print(f"{'step':44} {'seconds':>8} {'/raw':>6} {'/classic':>9} {'CPU s':>7} "
              f"{'CPU/raw':>8}")
        for name, seconds in times.items():
            cpu_text = f"{used[name]:7.1f} {used[name] / used['raw']:8.2f}" \
                if name in used and used.get("raw") else f"{'-':>7} {'-':>8}"
            print(f"{name:44} {seconds:8.1f} {seconds / times['raw']:6.2f} "
                  f"{seconds / times['classic']:9.2f} {cpu_text}")
        tasks = [line for line in proc.stdout.rpartition("=" * 20)[2].strip().splitlines()
                 if line.rstrip().endswith("s")]
        print("\nslowest tasks of the whole SOP (profile_tasks):\n" + "\n".join(tasks[:8]))
        rest = sum(float(line.rstrip()[:-1].rpartition(" ")[2]) for line in tasks[3:])
        via = "the inventory's SSH" if args.inventory else "podman exec, SSH on a court"
        print(f"the {len(tasks) - 3} tasks after the three slowest: {rest:.1f} s together "
              f"(each a round trip of Ansible's connection: {via})")
        print(f"\nbackup sizes: mariadb-dump {sizes['mariadb-dump'] / 1e6:.0f} MB, "
              f"mydumper {sizes['mydumper'] / 1e6:.0f} MB")
        targets = [("module mariadb-dump <= 1.1x raw", times["module mariadb-dump"] / times["raw"],
                    1.1), ("module mydumper <= 0.9x raw", times["module mydumper"] / times["raw"],
                           0.9),
                   ("module mariadb-dump <= 0.25x classic",
                    times["module mariadb-dump"] / times["classic"], 0.25),
                   ("module mydumper <= 0.25x classic",
                    times["module mydumper"] / times["classic"], 0.25),
                   ("whole SOP <= 3x raw", times[SOP] / times["raw"], 3.0)]
        for label, ratio, limit in targets:
            print(f"{'PASS' if ratio <= limit else 'MISS'} {label}: {ratio:.2f}")
        for engine, plain in (("mariadb-dump", "raw"), ("mydumper", "raw mydumper")):
            print(f"shown: module {engine} / ({plain} + content checksums): "
                  f"{times[f'module {engine}'] / times[f'{plain} + content checksums']:.2f}")
    finally:
        if not args.keep:
            podman("rm", "-f", SIPP, STORE, check=False)
            podman("network", "rm", "-f", NET, check=False)


if __name__ == "__main__":
    main()
