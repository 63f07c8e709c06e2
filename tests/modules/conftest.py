"""Make the project's module_utils importable as ansible.module_utils.<name>, as Ansible
does when it ships a module to a host, so module code imports the same way in tests;
and a real MariaDB server for the tests marked ``mariadb``.

The server is a container of the lab image named ``sop-modtest-<random>`` (override the
prefix with SOP_MODTEST_PREFIX), so that parallel test runs never share or remove each
other's containers. Tests reach it on a published 127.0.0.1 port with this machine's
client; ``in_container`` runs commands inside it (the lab image's own tools).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ansible.module_utils
import pytest

ROOT = Path(__file__).resolve().parents[2]
_MODULE_UTILS = str(ROOT / "module_utils")
if _MODULE_UTILS not in ansible.module_utils.__path__:
    ansible.module_utils.__path__.append(_MODULE_UTILS)

IMAGE = "localhost/sop-lab:latest"
USER, PASSWORD, DATABASE = "sop_test", 'pw with "quote" \\ and #', "sipp"
_START = ("mkdir -p /run/mysqld && chown mysql: /run/mysqld && "
          "exec mariadbd --user=mysql --bind-address=0.0.0.0 --skip-name-resolve")


@contextmanager
def within(seconds: int, what: str) -> Iterator[None]:
    """Fail the test when the block runs longer than ``seconds`` (SIGALRM; pytest's
    failure is not an Exception, so the code under test cannot swallow it)."""
    def too_long(*_: object) -> None:
        pytest.fail(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def podman(*args: str, stdin: str | None = None,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["podman", *args], input=stdin, capture_output=True, text=True,
                          check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:2])}: {proc.stderr.strip()}")
    return proc


@dataclass(frozen=True)
class MariaDB:
    """A running server: its container and how to log in from this machine."""

    container: str
    port: int
    user: str = USER
    password: str = PASSWORD
    database: str = DATABASE
    host: str = "127.0.0.1"

    def root_sql(self, sql: str) -> str:
        """Run SQL as root inside the container; its batch output."""
        return podman("exec", "-i", self.container, "mariadb", "--batch",
                      "--skip-column-names", "--default-character-set=utf8mb4", self.database,
                      stdin=sql).stdout

    def in_container(self, *argv: str, stdin: str | None = None,
                     check: bool = True) -> subprocess.CompletedProcess[str]:
        return podman("exec", "-i", self.container, *argv, stdin=stdin, check=check)


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    if shutil.which("podman") is None or shutil.which("mariadb") is None:
        pytest.skip("podman or the mariadb client is missing")
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        pytest.skip(f"the lab image {IMAGE} is missing (sop-lab image)")
    name = f"{os.environ.get('SOP_MODTEST_PREFIX', 'sop-modtest')}-{uuid.uuid4().hex[:8]}"
    podman("run", "-d", "--rm", "--name", name, "-p", "127.0.0.1::3306", IMAGE, "sh", "-c",
           _START)
    try:
        port = int(podman("port", name, "3306").stdout.strip().rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while podman("exec", name, "mariadb-admin", "ping", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"MariaDB in {name} did not start within 60 s")
            time.sleep(0.5)
        quoted = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")
        podman("exec", "-i", name, "mariadb", stdin=(
            f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4;\n"
            f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{quoted}';\n"
            f"GRANT ALL ON *.* TO '{USER}'@'%';\n"))
        yield MariaDB(container=name, port=port)
    finally:
        podman("rm", "-f", name, check=False)
