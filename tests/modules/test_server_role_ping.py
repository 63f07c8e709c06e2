"""The post-checks of roles/server_maintenance, run with fake tools: MariaDB answers (its
shell script; MariaDB 10.3 and MySQL have only mysqladmin; a hung server never answers),
and the wait for a boot to finish ends."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import yaml

TASKS = Path(__file__).resolve().parents[2] / "roles/server_maintenance/tasks/perawatan_server.yml"


def ping_script() -> str:
    tasks = yaml.safe_load(TASKS.read_text())
    task = next(t for t in tasks if t.get("name", "").startswith("Post-check: MariaDB answers"))
    return task["ansible.builtin.shell"].replace(
        "{{ server_maintenance_mariadb_ping_timeout | int }}", "1")


def run(tmp_path: Path, **tools: str) -> tuple[int, str, str, float]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("timeout", "sleep"):
        (bin_dir / name).symlink_to(shutil.which(name) or f"/usr/bin/{name}")
    for name, script in tools.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + script)
        (bin_dir / name).chmod(0o755)
    start = time.monotonic()
    proc = subprocess.run(["/bin/sh", "-c", ping_script()], capture_output=True, text=True,
                          env={**os.environ, "PATH": str(bin_dir)}, check=False, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def test_mysqladmin_where_mariadb_admin_is_missing(tmp_path):
    rc, out, _err, _took = run(tmp_path, mysqladmin='echo "mysqld is alive $1"\n')
    assert (rc, out) == (0, "mysqld is alive ping\n")


def test_a_hung_server_is_stopped_at_the_limit(tmp_path):
    rc, _out, _err, took = run(tmp_path, **{"mariadb-admin": "exec sleep 20\n"})
    assert rc == 124 and took < 10


def test_no_client_is_named(tmp_path):
    rc, _out, err, _took = run(tmp_path)
    assert rc == 127 and err.strip() == "mariadb-admin/mysqladmin tidak terpasang"


def test_the_wait_for_a_boot_that_never_finishes_ends(tmp_path):
    """systemctl is-system-running --wait waits while any start job runs: one without a
    time limit held the SOP for ever after the reboot."""
    tasks = yaml.safe_load(TASKS.read_text())
    task = next(t for t in tasks if t.get("name", "").startswith("Wait for the boot"))
    argv = shlex.split(task["ansible.builtin.command"].replace(
        "{{ server_maintenance_reboot_timeout | int }}", "1"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("timeout", "sleep"):
        (bin_dir / name).symlink_to(shutil.which(name) or f"/usr/bin/{name}")
    (bin_dir / "systemctl").write_text("#!/bin/sh\nexec sleep 20\n")
    (bin_dir / "systemctl").chmod(0o755)
    start = time.monotonic()
    proc = subprocess.run(argv, env={**os.environ, "PATH": str(bin_dir)}, check=False,
                          timeout=15)
    assert proc.returncode == 124 and time.monotonic() - start < 10
