#!/usr/bin/env python3
"""The monthly PDF report on a year of one court's records: time and peak memory.

Generates a year of executions of the packaged catalogue's SOPs at one court (sipp-sync
three times a day, the other daily SOPs once, weekly and monthly ones at their period,
on-demand twice a month; ~3% failed; every activity row with its duration, Mutu Baku and
outputs: backup size and verification, website availability; manual steps partly
confirmed) into SQLite, then runs `sop report --format pdf` for the busiest month in its
own process, as a person would, and prints its wall time and peak RSS next to the plain
`sop report --format html` of the same month measured in the same run.

Target: <= 10 s and <= 500 MB peak RSS.

    benchmarks/report_pdf.py [--days N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sop.catalogue import load_catalogue
from sop.schedule import DEFAULT_TIMEZONE
from sop.store import Store

SOP = str(Path(sys.executable).parent / "sop")
COURT = "Pengadilan Negeri Benchmark"
RUNS_PER_DAY = {"sipp-sync": 3}
TARGET_S, TARGET_MB = 10.0, 500.0


def _starts(
    sop_id: str, frequency: str, start: datetime, days: int, rng: random.Random
) -> list[datetime]:
    if frequency == "daily":
        per_day = RUNS_PER_DAY.get(sop_id, 1)
        return [
            start
            + timedelta(
                days=day, hours=(8 + 4 * run) if per_day > 1 else 18, minutes=rng.randint(0, 30)
            )
            for day in range(days)
            for run in range(per_day)
        ]
    if frequency in ("weekly", "monthly"):
        step = 7 if frequency == "weekly" else 30
        return [start + timedelta(days=d, hours=9) for d in range(0, days, step)]
    return [
        start + timedelta(days=d, hours=10)
        for d in sorted(rng.sample(range(days), max(1, days // 15)))
    ]


def generate(store: Store, start: datetime, days: int, court: str = COURT, seed: int = 7) -> int:
    """A court's records over `days` days from `start`; the number of executions."""
    rng = random.Random(seed)
    executions: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    with store.db.transaction() as tx:
        next_id = (tx.scalars("SELECT max(id) FROM executions")[0] or 0) + 1
    for sop in load_catalogue().values():
        for started in _starts(sop.id, sop.frequency, start, days, rng):
            failed = rng.random() < 0.03
            clock = started
            for activity in sop.activities:
                row: dict[str, Any] = {
                    "execution_id": next_id,
                    "number": activity.number,
                    "ref": activity.ref,
                    "kegiatan": activity.kegiatan,
                    "pelaksana": list(activity.pelaksana),
                    "mode": activity.mode,
                    "tag": activity.automated,
                    "hosts": ["sipp"],
                    "limit_s": activity.limit_seconds,
                    "outputs": [],
                    "status": "pending-manual",
                }
                if activity.mode == "automated":
                    limit = activity.limit_seconds or 60
                    duration = limit * rng.uniform(0.05, 0.6 if rng.random() > 0.05 else 1.4)
                    row.update(
                        status="ok",
                        started_at=clock,
                        ended_at=clock + timedelta(seconds=duration),
                        duration_s=duration,
                        over_time=duration > limit,
                    )
                    clock += timedelta(seconds=duration)
                    if sop.id == "sipp-backup" and activity.number == 2:
                        row["outputs"] = [
                            {
                                "path": f"/srv/backup/sipp-{started:%Y%m%d}.sql.zst",
                                "size": int(rng.uniform(280, 320) * 1048576),
                                "sha256": f"{rng.getrandbits(256):064x}",
                                "verified": rng.random() > 0.04,
                            }
                        ]
                if sop.id == "it-security" and activity.number == 16:  # the restore drill
                    row["outputs"] = [
                        {
                            "restore_drill": [
                                {
                                    "kind": kind,
                                    "backup": f"{prefix}-{started:%Y%m%d}T180000.{ext}",
                                    "status": "ok",
                                    "seconds": round(rng.uniform(1, 240), 2),
                                    "reason": "",
                                }
                                for kind, prefix, ext in (
                                    ("sipp", "sipp", "sql.zst"),
                                    ("website_files", "website", "tar.zst"),
                                    ("website_db", "website-db", "sql.zst"),
                                )
                            ]
                        }
                    ]
                if sop.id == "website" and activity.number == 1:  # its availability check
                    row["outputs"] = [
                        {"url": "https://pn.example", "available": rng.random() > 0.1}
                    ]
                if activity.mode != "automated" and rng.random() < 0.8:
                    row.update(
                        status="acknowledged",
                        acknowledged_by="Budi Santoso",
                        acknowledged_at=started + timedelta(hours=1),
                        note="Dilaporkan lisan kepada Kasubbag PTIP",
                    )
                activities.append(row)
            executions.append(
                {
                    "id": next_id,
                    "sop_id": sop.id,
                    "sop_title": sop.title,
                    "sop_number": sop.number,
                    "catalogue_version": "0.1.0",
                    "catalogue_hash": sop.digest[:16],
                    "operator": "sop-timer",
                    "trigger": "timer",
                    "court_name": court,
                    "court_kode_satker": "400999",
                    "check_mode": False,
                    "extra_var_names": [],
                    "hosts": ["sipp"],
                    "started_at": started,
                    "ended_at": clock,
                    "status": "failed" if failed else "successful",
                    "rc": 2 if failed else 0,
                    "error": "sipp: Backup: mysqldump: Got error 2013: Lost connection"
                    if failed
                    else None,
                    "pid": 1,
                    "hostname": "controller",
                }
            )
            next_id += 1
    with store.db.transaction(write=True) as tx:
        tx.insert_many("executions", executions)
        keys = {key for row in activities for key in row}
        tx.insert_many(
            "activity_results", [{key: row.get(key) for key in keys} for row in activities]
        )
    return len(executions)


def _run(env: dict[str, str], *args: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of `sop ARGS` in its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([SOP, *args], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"sop {' '.join(args)} failed: {done.stderr.strip()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, after.ru_maxrss / 1024  # the largest child so far: run the PDF first


def _reference_loop() -> float:
    """CPU seconds of a plain 10-million-step Python loop (about 0.5 s on an idle core):
    how busy the machine was while measuring."""
    began = time.process_time()
    total = 0
    for step in range(10_000_000):
        total += step
    return time.process_time() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", type=Path, help="keep the data dir and the PDF there")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sop-report-pdf-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    # The court's clock (WIB), as `sop report` counts its months.
    end = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).replace(
        hour=0, minute=0, second=0, microsecond=0, day=1
    )
    start = end - timedelta(days=args.days)
    store = Store(f"sqlite:///{data / 'sop.db'}")
    began = time.perf_counter()
    count = generate(store, start, args.days)
    with store.db.transaction() as tx:
        [activity_rows] = tx.scalars("SELECT count(*) FROM activity_results")
    store.close()
    print(
        f"generated {count} executions, {activity_rows} activity rows "
        f"({time.perf_counter() - began:.1f} s) for one court over {args.days} days"
    )
    month = (end - timedelta(days=1)).strftime("%Y-%m")
    env = {**os.environ, "SOP_DATA_DIR": str(data)}
    pdf, page = work / f"laporan-{month}.pdf", work / f"laporan-{month}.html"
    # A separate process each, the peak RSS of the PDF run measured first.
    pdf_wall, pdf_cpu, pdf_rss = _run(
        env, "report", "--month", month, "--format", "pdf", "-o", str(pdf)
    )
    html_wall, html_cpu, _ = _run(
        env, "report", "--month", month, "--format", "html", "-o", str(page)
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    pages = next(
        (line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")), "?"
    )
    print(
        f"sop report --format pdf, month {month}: {pdf_wall:.2f} s wall, {pdf_cpu:.2f} s CPU, "
        f"peak RSS {pdf_rss:.0f} MB, {pdf.stat().st_size / 1024:.0f} KiB, {pages} pages"
    )
    print(
        f"sop report --format html, same month: {html_wall:.2f} s wall, {html_cpu:.2f} s CPU "
        f"(pdf/html wall ratio {pdf_wall / html_wall:.1f}x)"
    )
    print(
        f"reference: a 10M-step Python loop took {_reference_loop():.2f} s CPU here (idle: ~0.5 s)"
    )
    ok = pdf_wall <= TARGET_S and pdf_rss <= TARGET_MB
    print(f"target <= {TARGET_S:g} s and <= {TARGET_MB:g} MB: {'met' if ok else 'MISSED'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
