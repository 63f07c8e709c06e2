"""The post-checks of roles/server_maintenance, run with fake tools: MariaDB answers (its
shell script; MariaDB 10.3 and MySQL have only mysqladmin; a hung server never answers;
the verdict on its output), and the wait for a boot to finish ends."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from loader import LOCAL_PLAYBOOK, ROOT

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


# mariadb-admin's output (stderr; 'mysqld is alive' on stdout) and exit status as recorded
# against a real and a fake server (test_server_modules.py): a server's error ends the ping
# with 0 (Access denied; Too many connections before 10.11.19's client), a client's with 1.
# Each ping: its exit status, its output and the problem the post-check names, if any.
CONNECT_FAILED = "mariadb-admin: connect to server at 'localhost' failed\n"
NO_SOCKET = "Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"
LONG = "Lost connection to server at 'handshake: reading initial communication packet' " * 10
PINGS: dict[str, tuple[int, str, str | None]] = {
    "alive": (0, "", None),
    "denied": (0, CONNECT_FAILED + "error: 'Access denied for user 'root'@'localhost' "
                                   "(using password: NO)'\n", None),
    "too-many": (0, CONNECT_FAILED + "error: 'Too many connections'\n", "Too many connections"),
    "no-socket": (1, CONNECT_FAILED + f"error: '{NO_SOCKET}'\nCheck that mariadbd is running "
                  "and that the socket: '/run/mysqld/mysqld.sock' exists!\n", NO_SOCKET),
    "long": (1, f"mariadb-admin: mysqld doesn't answer to ping, error: '{LONG}'\n", LONG[:300]),
    "masked": (7, "mariadb-admin: unknown variable 'db_password=hunter2'\n",
               "mariadb-admin: unknown variable 'db_password=***'"),
    "hung": (0, "", "ping tidak selesai dalam 1 detik"),
}


def test_the_post_check_judges_the_pings_error_line(tmp_path):
    """The post-check trusted the ping's exit status, so a server refusing every login
    (Too many connections, 0 before 10.11.19's client) passed, and a failure was named by
    its whole stderr, several lines. Its "error: '...'" line decides now, as server_diagnose
    reads it (Access denied is the server's answer), and names the failure in one line,
    masked and cut to 300 characters. The role's own tasks run on localhost, one host per
    ping, each with a fake mariadb-admin."""
    tasks = yaml.safe_load(TASKS.read_text())
    hosts = {}
    for name, (rc, output, _problem) in PINGS.items():
        bin_dir = tmp_path / name
        bin_dir.mkdir()
        for tool in ("timeout", "sleep", "cat"):
            (bin_dir / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
        (tmp_path / f"{name}.out").write_text(output)
        script = {"alive": "echo 'mysqld is alive'\n", "hung": "exec sleep 20\n"}.get(
            name, f"cat '{tmp_path}/{name}.out' >&2\nexit {rc}\n")
        (bin_dir / "mariadb-admin").write_text("#!/bin/sh\n" + script)
        (bin_dir / "mariadb-admin").chmod(0o755)
        hosts[name] = {"bin_dir": str(bin_dir)}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}))
    ping, *checks = [t for t in tasks if t.get("name", "").startswith(
        ("Post-check: MariaDB", "Post-check: SIPP", "Post-check: the court", "Every post-check"))]
    facts = {"ansible.builtin.set_fact": {"ansible_facts": {"services": {
        "mariadb.service": {"state": "running", "status": "enabled"}}}}}
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "hosts": "all", "gather_facts": False,
        "vars": {"server_maintenance_services_before": ["mariadb.service"],
                 "server_maintenance_mariadb_ping_timeout": 1},
        "tasks": [facts, {**ping, "environment": {"PATH": "{{ bin_dir }}"}}, *checks]}]))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")
    proc = subprocess.run(["ansible-playbook", "-i", str(tmp_path / "hosts.yml"),
                           str(tmp_path / "play.yml")], capture_output=True, text=True,
                          check=False, env=env, timeout=120)
    failed = {m.group(1): json.loads(m.group(2))["msg"] for m in re.finditer(
        r"^fatal: \[(\S+)\]: FAILED! => (\{.*\})$", proc.stdout, re.MULTILINE)}
    prefix = "Pemeriksaan setelah perawatan gagal: MariaDB tidak menjawab: "
    assert failed == {name: prefix + problem for name, (_rc, _output, problem) in PINGS.items()
                      if problem}, proc.stdout
    assert "hunter2" not in proc.stdout + proc.stderr


def test_a_sipp_url_no_request_can_go_to_is_a_named_problem(tmp_path):
    """sipp_http_check refuses a URL with no scheme (localhost/sipp/): the post-check
    stopped the play there, the website unchecked, naming the module's option url. It is
    one of the post-check's problems, named as the role's variable."""
    tasks = yaml.safe_load(TASKS.read_text())
    checks = [t for t in tasks if t.get("name", "").startswith(
        ("Post-check: SIPP", "Every post-check"))]
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"sipp_servers": {"hosts": {
        "sipp": {"ansible_connection": "local",
                 "ansible_python_interpreter": sys.executable}}}}))
    facts = {"ansible.builtin.set_fact": {"ansible_facts": {"services": {}}}}
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "hosts": "all", "gather_facts": False,
        "vars": {"server_maintenance_services_before": [],
                 "server_maintenance_mariadb": {"skipped": True},
                 "server_maintenance_website": {"skipped": True},
                 "server_maintenance_sipp_url": "localhost/sipp/",
                 "server_maintenance_sipp_expected_text": "SIPP"},
        "tasks": [facts, *checks]}]))
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
           "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
           "ANSIBLE_CALLBACK_RESULT_FORMAT": "json", "ANSIBLE_CALLBACK_FORMAT_PRETTY": "false"}
    proc = subprocess.run([*LOCAL_PLAYBOOK, "-i", str(tmp_path / "hosts.yml"),
                           str(tmp_path / "play.yml")], capture_output=True, text=True,
                          env=env, check=False, timeout=120)
    failed = [json.loads(line.split(" => ", 1)[1])["msg"] for line in proc.stdout.splitlines()
              if line.startswith("fatal: ") and " => " in line]
    assert failed == ["Pemeriksaan setelah perawatan gagal: SIPP: pengaturan salah: "
                      "server_maintenance_sipp_url: 'localhost/sipp/' is not an http(s) URL "
                      "with a host"], proc.stdout
