"""module_utils/sop_sipp.py: option file, quoting, parsing, column discovery, the CLI."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from loader import load

u = load("sop_sipp")


def test_parse_batch_turns_null_into_none():
    assert u.parse_batch("a\tNULL\t3\n\nb\tx\t4\n") == [["a", None, "3"], ["b", "x", "4"]]


def test_pick_column_prefers_override_then_candidates():
    cols = {"waktu": ("Waktu", "datetime"), "user_name": ("user_name", "varchar")}
    assert u.pick_column(cols, ["datetime", "waktu"]) == "Waktu"
    assert u.pick_column(cols, ["username"]) is None
    assert u.pick_column(cols, ["datetime"], override="USER_NAME") == "user_name"
    with pytest.raises(u.SippDbError, match="does not exist"):
        u.pick_column(cols, ["datetime"], override="nope")


@pytest.mark.parametrize(("value", "patterns", "expected"), [
    ("Login", ["login%"], True),
    ("login_failed", ["%fail%"], True),
    ("Hapus Data", ["%hapus%"], True),
    ("logout", ["login%"], False),
    ("a_b", ["a_b"], True),
    ("axb", ["a_b"], True),
    ("a.b", ["a\\.b"], False),
])
def test_like_patterns(value, patterns, expected):
    assert u.matches_any(value, patterns) is expected


def test_offsets():
    assert u.offset_minutes("+07:00") == 420
    assert u.offset_minutes("-03:30") == -210
    assert u.offset_minutes("+0800") == 480
    assert u.offset_minutes("Asia/Makassar") == 480
    assert u.format_offset(420) == "+07:00"
    assert u.format_offset(-210) == "-03:30"
    with pytest.raises(u.SippDbError, match="unknown time zone"):
        u.offset_minutes("Mars/Olympus")


@pytest.fixture
def fake_client(tmp_path):
    """A stand-in for mariadb that records argv, the option file and its mode, and stdin."""
    log = tmp_path / "log"
    script = tmp_path / "mariadb"
    script.write_text(
        "#!/bin/sh\n"
        f"echo \"$@\" > {log}.argv\n"
        "for a in \"$@\"; do case $a in --defaults-extra-file=*) f=${a#*=};; esac; done\n"
        f"stat -c %a \"$f\" > {log}.mode; cat \"$f\" > {log}.cnf; cat > {log}.sql\n"
        "printf '1\\tNULL\\n'\n")
    script.chmod(0o755)
    return script, log


def test_run_query_keeps_password_out_of_argv_and_removes_option_file(fake_client):
    script, log = fake_client
    conn = u.DbConn(binary=str(script), database="sipp", user="sop", password="s3cret")
    rows = u.run_query(conn, "SELECT 1, NULL;")
    assert rows == [["1", None]]
    argv = Path(f"{log}.argv").read_text()
    assert "s3cret" not in argv
    assert "--batch --raw --skip-column-names" in argv
    assert Path(f"{log}.mode").read_text().strip() == "600"
    assert 'password="s3cret"' in Path(f"{log}.cnf").read_text()
    assert Path(f"{log}.sql").read_text() == "SELECT 1, NULL;"
    option_file = argv.split("--defaults-extra-file=")[1].split()[0]
    assert not os.path.exists(option_file)


def test_run_query_reports_client_errors_on_one_line(tmp_path):
    script = tmp_path / "mariadb"
    script.write_text(
        "#!/bin/sh\necho 'ERROR 1045 (28000): Access denied\n for user' >&2\nexit 1\n")
    script.chmod(stat.S_IRWXU)
    conn = u.DbConn(binary=str(script), database="sipp")
    with pytest.raises(u.SippDbError) as err:
        u.run_query(conn, "SELECT 1;")
    assert str(err.value) == "ERROR 1045 (28000): Access denied for user"


def test_run_query_missing_binary():
    conn = u.DbConn(binary="/nonexistent/mariadb", database="sipp")
    with pytest.raises(u.SippDbError, match="cannot run"):
        u.run_query(conn, "SELECT 1;")
