"""A module's options declared no_log (the MariaDB login_password, a router's password
in routeros_check's routers list) are masked in the module's result: by Ansible in its
invocation and in any returned text holding them (a failure's message), by mariadb_backup
itself in its warnings (ansible-core 2.19 returns a warning as it was given). A task that
passes a password only through such an option needs no task-level no_log, which would
hide the module's warnings and the cause of its failure from the SOP record. Each module
runs its main() in this process, as Ansible would, against a closed port of 127.0.0.1
(nothing listens there)."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from loader import ROOT, load, run_main, warning_lines

SECRET = "Rahasia-Uji-7f3c"  # in no other argument, path or message


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses connections: bound for this test, never
    listening (so no other process takes it meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def login_args(tmp_path: Path, port: int) -> dict[str, Any]:
    if not (shutil.which("mariadb") or shutil.which("mysql")) or not shutil.which("zstd"):
        pytest.skip("needs the mariadb (or mysql) client and zstd")
    return {
        "database": "sipp",
        "dest": str(tmp_path / "backups"),
        "login_user": "sop_backup",
        "login_password": SECRET,
        "login_host": "127.0.0.1",
        "login_port": port,
    }


@pytest.mark.parametrize(
    ("name", "failed"),
    [
        ("mariadb_backup", "backup of sipp failed: "),
        ("mariadb_backup_preflight", "database sipp not reachable: "),
    ],
)
def test_a_failed_login_names_its_cause_and_never_the_password(
    name: str, failed: str, tmp_path, closed_port: int, monkeypatch, capsys
) -> None:
    result = run_main(name, login_args(tmp_path, closed_port), monkeypatch, capsys)
    assert result["failed"] is True
    # the client's own line: ERROR 2002 (HY000): Can't connect to server on '127.0.0.1' (115)
    assert result["msg"].startswith(f"{failed}ERROR ")
    assert "Can't connect to" in result["msg"] and "'127.0.0.1" in result["msg"]
    assert "login_password" in result["invocation"]["module_args"]
    assert SECRET not in json.dumps(result)


def test_a_warning_or_message_holding_the_password_is_masked(
    tmp_path, closed_port: int, monkeypatch, capsys
) -> None:
    """What the module returns is masked too: a broken view named like the password
    (its warning and its msg name the views left out) reaches the result masked. Ansible
    masks the msg and broken_views; ansible-core 2.19 returns a warning (an event object)
    unmasked, so the module masks its own warnings."""
    backup = load("mariadb_backup")
    view = f"v_{SECRET}"
    monkeypatch.setattr(
        backup,
        "run",
        lambda module: {"changed": True, "msg": "dumped sipp", "broken_views": [view]},
    )
    result = run_main("mariadb_backup", login_args(tmp_path, closed_port), monkeypatch, capsys)
    assert result["msg"] == (
        "dumped sipp; views left out, the dump account cannot open them: v_********; "
        "repair or drop a view whose table, column or function is gone"
    )
    assert warning_lines(result) == [result["msg"].split("; ", 1)[1]]
    assert result["broken_views"] == ["v_********"]
    assert SECRET not in json.dumps(result)


def test_a_routers_password_is_masked_in_its_error_and_invocation(
    closed_port: int, monkeypatch, capsys
) -> None:
    """routers[].password is a suboption of a list of dicts: masked as a top-level
    option is."""
    result = run_main(
        "routeros_check",
        {
            "routers": [
                {
                    "name": "rb-kantor",
                    "host": "127.0.0.1",
                    "port": closed_port,
                    "username": "sop",
                    "password": SECRET,
                }
            ],
            "timeout": 2,
        },
        monkeypatch,
        capsys,
    )
    router = result["routers"][0]
    assert router["error"] == (
        f"port RouterOS API 127.0.0.1:{closed_port} tertutup (koneksi ditolak)"
    )
    assert result["failed_count"] == 1
    assert "password" in result["invocation"]["module_args"]["routers"][0]
    assert SECRET not in json.dumps(result)


def test_the_sipp_dump_is_recorded_and_its_password_is_only_its_no_log_option() -> None:
    """The SIPP dump's warnings (broken views, a mydumper that failed) are the court's
    evidence: the task is not no_log, and the password reaches it only as login_password."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/backup.yml").read_text())
    dump = next(
        task for block in tasks for task in block.get("block", []) if "mariadb_backup" in task
    )
    assert "no_log" not in dump
    assert [key for key, value in dump["mariadb_backup"].items() if "password" in str(value)] == [
        "login_password"
    ]
