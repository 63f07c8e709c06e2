"""library/mariadb_backup_preflight.py against a real MariaDB, run as Ansible runs it:
what it measures, and each refusal as one line before anything is dumped."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import MariaDB
from loader import run_module, tmpfs

pytestmark = pytest.mark.mariadb


@pytest.fixture
def database(mariadb: MariaDB) -> str:
    """A new database of its own with one InnoDB table of a few rows."""
    name = f"preflight_{uuid.uuid4().hex[:8]}"
    mariadb.root_sql(f"CREATE DATABASE {name};\n"
                     f"CREATE TABLE {name}.perkara (id INT PRIMARY KEY, nomor VARCHAR(40)) "
                     "ENGINE=InnoDB;\n"
                     f"INSERT INTO {name}.perkara VALUES (1, '1/Pdt.G/2026/PN Bgl');\n")
    return name


def preflight(mariadb: MariaDB, tmp_path: Path, database: str,
              **extra: Any) -> tuple[int, dict[str, Any]]:
    args = {"database": database, "dest": str(tmp_path / "backups" / "sipp"),
            "login_user": mariadb.user, "login_password": mariadb.password,
            "login_host": mariadb.host, "login_port": mariadb.port, **extra}
    return run_module("mariadb_backup_preflight", tmp_path, args)


def test_measures_the_database_and_the_nearest_existing_directory(
        mariadb: MariaDB, tmp_path: Path, database: str) -> None:
    code, result = preflight(mariadb, tmp_path, database, engine="mydumper")
    assert code == 0, result["msg"]
    assert result["changed"] is False
    assert result["tables"] == 1
    assert result["measured_path"] == str(tmp_path)
    assert 0 < result["required_bytes"] < result["free_bytes"]
    assert mariadb.password not in str(result)


def test_mydumper_is_refused_before_anything_is_dumped_on_tables_not_in_innodb(
        mariadb: MariaDB, tmp_path: Path, database: str) -> None:
    """As mariadb_backup refuses it; auto, which falls back to mariadb-dump, passes."""
    mariadb.root_sql(f"CREATE TABLE {database}.lama (id INT) ENGINE=MyISAM;\n")
    code, result = preflight(mariadb, tmp_path, database, engine="mydumper")
    assert code == 1
    assert result["msg"].startswith("engine mydumper refused: not InnoDB: lama (mydumper 0.10")
    assert "\n" not in result["msg"]
    assert preflight(mariadb, tmp_path, database, engine="auto")[0] == 0


@pytest.mark.parametrize("ddl", [
    "CREATE TABLE {db}.`a``b` (id INT PRIMARY KEY) ENGINE=InnoDB",
    "CREATE VIEW {db}.`a``b` AS SELECT 1 AS x",
    "CREATE PROCEDURE {db}.`a``b`() SELECT 1",
    "CREATE TABLE {db}.`a``b` (id INT) ENGINE=InnoDB;\n"
    "CREATE TRIGGER {db}.`a``b` BEFORE INSERT ON {db}.`a``b` FOR EACH ROW SET NEW.id = 1",
])
def test_mydumper_is_refused_on_a_name_with_a_backtick(
        mariadb: MariaDB, tmp_path: Path, database: str, ddl: str) -> None:
    """mydumper 0.10 fails on a table or view so named and crashes on a routine (it does
    not double the backtick); auto passes."""
    mariadb.root_sql(f"CREATE TABLE {database}.t (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
                     + ddl.format(db=database) + ";\n")
    code, result = preflight(mariadb, tmp_path, database, engine="mydumper")
    assert code == 1
    assert result["msg"] == ("engine mydumper refused: a backtick in a name: a`b "
                             "(mydumper 0.10 does not quote it and fails); use engine auto or "
                             "mariadb-dump")
    assert preflight(mariadb, tmp_path, database, engine="auto")[0] == 0


def test_short_space_unreachable_server_and_empty_database_are_one_line(
        mariadb: MariaDB, tmp_path: Path, database: str) -> None:
    with tmpfs(tmp_path / "small", "64k") as small:  # a file system that is short for real
        code, result = preflight(mariadb, tmp_path, database, margin=100,
                                 dest=str(small / "backups" / "sipp"))
    assert code == 1
    assert result["msg"].startswith(f"not enough free space at {small}: ")
    code, result = preflight(mariadb, tmp_path, database, login_password="wrong")
    assert code == 1
    assert result["msg"].startswith(f"database {database} not reachable: ")
    assert "Access denied" in result["msg"] and "\n" not in result["msg"]
    mariadb.root_sql(f"CREATE DATABASE {database}_kosong;\n")
    code, result = preflight(mariadb, tmp_path, f"{database}_kosong")
    assert (code, result["msg"]) == (
        1, f"database {database}_kosong has no tables: nothing to back up "
           "(is it the right database, and may the backup account see its tables?)")


@pytest.mark.parametrize("module", ["mariadb_backup_preflight", "mariadb_backup"])
def test_a_password_inside_the_backup_paths_is_refused_before_connecting(
        tmp_path: Path, module: str) -> None:
    """Ansible would mask it inside every returned path ('/var/backups/********/...') and
    the copy to the backup computer would look for a file that is not there."""
    args = {"database": "sipp", "dest": str(tmp_path / "backups" / "sipp"),
            "login_user": "sipp", "login_password": "sipp", "login_host": "127.0.0.1",
            "login_port": 9}
    code, result = run_module(module, tmp_path, args)
    assert code == 1
    assert "the login password is part of the database name and the backup directory: " \
           "Ansible hides a password" in result["msg"]
    assert not (tmp_path / "backups").exists()
