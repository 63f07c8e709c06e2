"""module_utils/sop_mariadb.py: option files, command construction, the batch runner and
parser, quoting; against a real MariaDB where it matters (marker ``mariadb``)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, MariaDB, podman
from loader import load

m = load("sop_mariadb")
SECRET = 'p#a"ss w\\ord'


def test_option_file_text_quotes_and_escapes() -> None:
    text = m.option_file_text("sop_backup", SECRET, host="db", port=3307, socket=None)
    assert text.splitlines() == ["[client]", 'user="sop_backup"', 'password="p#a\\"ss w\\\\ord"',
                                 'host="db"', "port=3307"]


def test_option_file_text_gives_mydumper_the_sql_mode_of_mariadb_dump() -> None:
    """mydumper's sessions took the server's global SQL mode: with ANSI_QUOTES its table
    definitions came out in double quotes and every restore failed (seen in the lab).
    Under [mydumper]: mariadb-dump stops at an init-command it finds under [client]."""
    assert m.option_file_text("root", None, mydumper_session=True) == (
        '[client]\nuser="root"\n[mydumper]\ninit-command="SET SESSION sql_mode=\'\'"\n')


def test_option_file_text_omits_unset_values() -> None:
    assert m.option_file_text("root", None) == '[client]\nuser="root"\n'


def test_option_value_refuses_line_breaks() -> None:
    with pytest.raises(ValueError, match=r"^option values cannot contain line breaks$"):
        m.quote_option_value("a\nb")


def test_option_file_lives_in_memory_and_dies_with_the_process() -> None:
    with m.option_file("u", SECRET) as path:
        assert path.startswith(f"/proc/{os.getpid()}/fd/")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path) as handle:
            assert SECRET.replace("\\", "\\\\").replace('"', '\\"') in handle.read()
    assert not os.path.exists(path)


def test_option_file_fallback_is_private_and_removed(monkeypatch, tmp_path) -> None:
    monkeypatch.delattr(os, "memfd_create")
    with m.option_file("u", SECRET, tmpdir=str(tmp_path)) as path:
        directory = os.path.dirname(path)
        assert os.path.basename(directory).startswith(f"sop-mariadb-{os.getpid()}-")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert not os.path.exists(directory)
    with (pytest.raises(RuntimeError, match=r"^the caller failed$"),
          m.option_file("u", "p", tmpdir=str(tmp_path)) as path):
        raise RuntimeError("the caller failed")
    assert not os.path.exists(path)


def test_sweep_removes_only_dead_owners_and_old_legacy_dirs(tmp_path) -> None:
    mine = tmp_path / f"sop-mariadb-{os.getpid()}-abc"
    gone = tmp_path / "sop-mariadb-999999999-abc"  # above any pid_max: no such process
    legacy_old, legacy_new = tmp_path / "sop-mariadb-x1y2z3", tmp_path / "sop-mariadb-q9w8e7"
    other = tmp_path / "unrelated"
    for directory in (mine, gone, legacy_old, legacy_new, other):
        directory.mkdir()
        (directory / "client.cnf").write_text("[client]\n")
    old = time.time() - m.LEGACY_OPTION_DIR_AGE - 60
    os.utime(legacy_old, (old, old))
    removed = m.sweep_option_files(str(tmp_path))
    assert sorted(removed) == sorted([str(gone), str(legacy_old)])
    assert mine.exists() and legacy_new.exists() and other.exists()


@pytest.mark.parametrize("engine", ["mariadb-dump", "mysqldump"])
def test_sql_dump_argv(engine: str) -> None:
    argv = m.dump_argv(engine, "/usr/bin/" + engine, "/tmp/x/client.cnf", "sipp")
    assert argv[1] == "--defaults-extra-file=/tmp/x/client.cnf"  # must come first
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--hex-blob",
                 "--max-allowed-packet=1073741824"):
        assert flag in argv
    assert argv[-1] == "sipp" and "--databases" not in argv
    assert not any("password" in a for a in argv)


def test_mydumper_argv() -> None:
    argv = m.dump_argv("mydumper", "/usr/bin/mydumper", "/o.cnf", "sipp", outdir="/d", threads=3)
    assert argv[1] == "--defaults-file=/o.cnf"
    assert argv[argv.index("--outputdir") + 1] == "/d"
    assert argv[argv.index("--threads") + 1] == "3"
    # Refused from mydumper 0.20 on (mydumper runs on InnoDB tables only: not_for_mydumper).
    assert "--trx-consistency-only" not in argv
    with pytest.raises(m.MariaDBError, match=r"^mydumper needs an output directory$"):
        m.dump_argv("mydumper", "/usr/bin/mydumper", "/o.cnf", "sipp")


def test_not_for_mydumper_names_every_table_not_in_innodb() -> None:
    """mydumper 0.10 can hang holding its global read lock on a table it dumps as a
    non-InnoDB job: every engine but InnoDB (and TokuDB, gone from MariaDB 10.6)."""
    tables = [{"name": "perkara", "engine": "InnoDB"}, {"name": "lama", "engine": "MyISAM"},
              {"name": "aria", "engine": "Aria"}, {"name": "gabung", "engine": "MRG_MyISAM"},
              {"name": "rusak", "engine": None}, {"name": "kecil", "engine": "innodb"}]
    assert m.not_for_mydumper(tables) == ["lama", "aria", "gabung", "rusak"]
    assert m.not_for_mydumper([t for t in tables if t["name"] in ("perkara", "kecil")]) == []


def test_why_not_mydumper_names_the_names_with_a_backtick() -> None:
    """mydumper 0.10 stops with an SQL syntax error on a table or view whose name has a
    backtick and crashes on such a routine (seen in the lab): backtick_names lists them."""
    tables = [{"name": "perkara", "engine": "InnoDB"}, {"name": "a`b", "engine": "InnoDB"}]
    assert m.why_not_mydumper(tables, ["a`b", "v`x"]) == (
        "a backtick in a name: a`b, v`x (mydumper 0.10 does not quote it and fails)")
    both = m.why_not_mydumper([*tables, {"name": "lama", "engine": "MyISAM"}], ["p`q"])
    assert both.startswith("not InnoDB: lama (mydumper 0.10 can hang")
    assert both.endswith("; a backtick in a name: p`q (mydumper 0.10 does not quote it "
                         "and fails)")
    assert m.why_not_mydumper(tables) == ""


def test_why_not_mydumper_names_the_invisible_columns() -> None:
    """mydumper 0.10 dumps SELECT *, which leaves an INVISIBLE column out: the values
    were lost and every backup failed its content check (seen in the lab)."""
    tables = [{"name": "perkara", "engine": "InnoDB"}]
    assert m.why_not_mydumper(tables, [], "sipp", invisible=["t.catatan", "u.x"]) == (
        "invisible columns: t.catatan, u.x (mydumper 0.10 leaves them out of the dump: "
        "their values would be lost)")
    assert m.why_not_mydumper(tables, ["v`x"], "sipp", invisible=["t.catatan"]).startswith(
        "a backtick in a name: v`x (")
    assert m.why_not_mydumper(tables, [], "sipp", invisible=[]) == ""


def test_why_not_mydumper_names_the_columns_read_from_binary() -> None:
    """mydumper 0.10 writes an INET6 or UUID value as text under SET NAMES binary, which
    MariaDB takes as the column's 16 bytes: 'Incorrect inet6 value', myloader loaded NULL
    and every backup failed its content check (seen in the lab)."""
    tables = [{"name": "perkara", "engine": "InnoDB"}]
    assert m.why_not_mydumper(tables, [], "sipp",
                              binary_read=["t.ip (inet6)", "t.k (uuid)"]) == (
        "columns of a type read from binary: t.ip (inet6), t.k (uuid) (mydumper 0.10 writes "
        "their text under SET NAMES binary: their values would be lost)")
    assert m.why_not_mydumper(tables, [], "sipp", invisible=["t.x"],
                              binary_read=["t.ip (inet6)"]).startswith(
        "invisible columns: t.x (")
    assert m.why_not_mydumper(tables, [], "sipp") == ""


def test_why_not_mydumper_names_objects_made_under_their_own_sql_mode() -> None:
    """mydumper 0.10 writes no trigger's, routine's or event's SQL mode: restored under
    the restoring server's, a trigger made under sql_mode='' (a SIPP server run so for
    its old PHP) failed every verification ('definition differs', seen in the lab)."""
    tables = [{"name": "perkara", "engine": "InnoDB"}]
    assert m.why_not_mydumper(tables, [], "sipp", own_mode=["t_bi (trigger)"]) == (
        "made under an SQL mode of their own: t_bi (trigger) (mydumper 0.10 does not keep "
        "it: they would be restored under the restoring server's)")


def test_why_not_mydumper_names_a_backtick_or_slash_in_the_database_name() -> None:
    """mydumper 0.10 writes the database name between backticks as it is and names its
    files after it (<database>.<table>-schema.sql): a '/' makes them unwritable, '../'
    puts them outside its output directory. A dot it survives (myloader is given the
    scratch database's name); the other reasons still follow."""
    tables = [{"name": "perkara", "engine": "InnoDB"}]
    assert m.why_not_mydumper(tables, [], "sipp.lama") == ""
    assert m.why_not_mydumper(tables, [], "a`b") == (
        "a backtick in the database name (mydumper 0.10 does not quote it and fails)")
    assert m.why_not_mydumper(tables, [], "../sipp") == (
        "a '/' in the database name (mydumper 0.10 names its files after it, which then "
        "cannot be written or land outside its directory)")
    both = m.why_not_mydumper([*tables, {"name": "lama", "engine": "MyISAM"}], ["v`x"], "a`/b")
    assert both.startswith("a backtick in the database name (mydumper 0.10 does not quote "
                           "it and fails); a '/' in the database name (")
    assert "; not InnoDB: lama (" in both and both.endswith("; a backtick in a name: v`x "
                                                            "(mydumper 0.10 does not quote "
                                                            "it and fails)")


@pytest.mark.parametrize(("name", "problem"), [
    ("", "the database name is empty"),
    ("x" * 65, "the database name is 65 characters long, longer than MariaDB's limit of 64"),
    ("é" * 65, "the database name is 65 characters long, longer than MariaDB's limit of 64"),
    ("--all-databases", "the database name --all-databases starts with '-', which the dump "
                        "and the client would read as an option"),
    # a YAML block scalar's trailing newline: the server refused it after the other work
    ("sipp\n", "the database name 'sipp\\n' holds a control character or ends in a space, "
               "which no MariaDB database name does"),
    ("sipp ", "the database name 'sipp ' holds a control character or ends in a space, "
              "which no MariaDB database name does"),
])
def test_database_name_problem_is_one_line_naming_the_cause(name: str, problem: str) -> None:
    assert m.database_name_problem(name) == problem


@pytest.mark.parametrize("name", ["sipp", "x" * 64, "é" * 64, "a`b", "a.b", "a/b", "a-b",
                                  "a b"])
def test_database_names_mariadb_takes_have_no_problem(name: str) -> None:
    """64 characters (not bytes) is MariaDB's limit; backticks, dots and slashes are
    quoted (quote_identifier) or left to why_not_mydumper."""
    assert m.database_name_problem(name) == ""


def test_a_password_that_is_part_of_a_returned_name_is_named_not_used() -> None:
    """Ansible would print '********' for it inside the returned paths."""
    named = {"database name": "sipp", "backup directory": "/var/backups/sipp"}
    assert m.password_shown_masked("sipp", named) == (
        "the login password is part of the database name and the backup directory: Ansible "
        "hides a password wherever it appears in a result, so the backup's names and paths "
        "would read '********'; use a password that is not part of them")
    assert m.password_shown_masked("backups", named).startswith(
        "the login password is part of the backup directory: ")
    assert m.password_shown_masked("sipp-Rahasia9", named) == ""
    assert m.password_shown_masked("", named) == ""
    assert m.password_shown_masked(None, {"file name prefix": None}) == ""


def test_compress_and_decompress_argv() -> None:
    assert m.compress_argv("zstd", None) == ["zstd", "-q", "-c", "-3", "-T0"]
    assert m.compress_argv("zstd", 7) == ["zstd", "-q", "-c", "-7", "-T0"]
    assert m.compress_argv("gzip", None) == ["gzip", "-c", "-6"]
    assert m.decompress_argv("/a/x.sql.zst")[:2] == ["zstd", "-q"]
    assert m.decompress_argv("/a/x.tar.gz")[0] == "gzip"
    with pytest.raises(m.MariaDBError, match=r"^unknown compression 'xz' \(choose zstd or gzip"):
        m.compress_argv("xz", None)
    with pytest.raises(m.MariaDBError, match=r"^unknown compression of /a/x\.sql \(expected"):
        m.decompress_argv("/a/x.sql")


def test_select_engine() -> None:
    everything = {"mydumper": "/b/mydumper", "mariadb-dump": "/b/mariadb-dump",
                  "mysqldump": "/b/mysqldump"}
    assert m.select_engine("auto", everything) == ("mydumper", "/b/mydumper")
    assert m.select_engine("auto", dict(everything, mydumper=None))[0] == "mariadb-dump"
    assert m.select_engine("auto", {"mysqldump": "/b/mysqldump"})[0] == "mysqldump"
    assert m.select_engine("mysqldump", everything) == ("mysqldump", "/b/mysqldump")
    with pytest.raises(m.MariaDBError, match="not installed"):
        m.select_engine("mydumper", dict(everything, mydumper=None))
    with pytest.raises(m.MariaDBError, match="unknown engine"):
        m.select_engine("pg_dump", everything)


def test_estimate_includes_mydumper_directory() -> None:
    assert m.estimate_dump_bytes(1000, "zstd", "mariadb-dump") == 350
    assert m.estimate_dump_bytes(1000, "zstd", "mydumper") == 1350


def test_sql_quoting() -> None:
    assert m.quote_identifier("we`ird") == "`we``ird`"
    assert m.quote_string("it's \\") == "_utf8mb4 X'69742773205c'"
    assert m.quote_string("") == "_utf8mb4 X''"
    assert "TABLE_SCHEMA=_utf8mb4 X'73697070'" in m.table_listing_sql("sipp")


def test_parse_batch_decodes_escapes_and_null() -> None:
    output = "a\\tb\tNULL\tx\\\\y\\nz\\0\tcr\rin\n\nplain\t\t=NULL\n"
    assert m.parse_batch(output) == [["a\tb", None, "x\\y\nz\0", "cr\rin"], [""],
                                     ["plain", "", "=NULL"]]
    assert m.parse_batch("") == []
    assert m.text_value("=NULL") == "NULL" and m.text_value(None) is None


def test_first_error_line() -> None:
    err = b"mariadb: Deprecated program name\nERROR 1045 (28000): Access denied for user\n"
    assert m.first_error_line(err).startswith("ERROR 1045")
    assert m.first_error_line(b"") == ""
    tar = (b"tar: ./sipp.perkara.00000.sql: Cannot write: No space left on device\n"
           b"tar: Exiting with failure status due to previous errors\n")
    assert m.first_error_line(tar).endswith("Cannot write: No space left on device")


@pytest.mark.parametrize("line", [
    # mariadb-dump on a MyISAM table whose index file was overwritten (the lab)
    b"mariadb-dump: Couldn't execute 'show create table `t`': Incorrect file format 't' (130)",
    b"mariadb-dump: Got error: 1194: \"Table 't' is marked as crashed and should be "
    b"repaired\" when using LOCK TABLES",
    b"ERROR 1034 (HY000) at line 1: Index for table 't' is corrupt; try to repair it",
])
def test_first_error_line_says_what_to_do_with_a_damaged_table(line: bytes) -> None:
    assert m.first_error_line(line + b"\n") == f"{line.decode()} ({m.DAMAGED_TABLE_HINT})"


def test_first_error_line_leaves_other_errors_as_they_are() -> None:
    line = "ERROR 1146 (42S02) at line 1: Table 'sipp.t' doesn't exist"
    assert m.first_error_line(line.encode()) == line


def test_run_sql_reports_client_error(tmp_path) -> None:
    fake = tmp_path / "client"
    fake.write_text("#!/bin/sh\necho 'ERROR 2002 (HY000): Can not connect' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(m.MariaDBError, match="ERROR 2002"):
        m.run_sql([str(fake)], "SELECT 1;")
    with pytest.raises(m.MariaDBError, match=r"^cannot run /nonexistent/mariadb: "):
        m.run_sql(["/nonexistent/mariadb"], "SELECT 1;")


def test_a_server_that_never_completes_the_connection_is_named_at_its_timeout(
        tmp_path, monkeypatch) -> None:
    """A server that accepts and never greets (hung, SIGSTOPped: the lab's) held each query
    for its own timeout, 300 s, one after another: the real client gives up at the
    connect timeout, saying what it means."""
    import socket  # noqa: PLC0415

    monkeypatch.setattr(m, "CONNECT_TIMEOUT", 2)
    options = tmp_path / "my.cnf"
    with socket.socket(socket.AF_UNIX) as silent:
        silent.bind(str(tmp_path / "mysqld.sock"))
        silent.listen()
        options.write_text(f"[client]\nsocket={tmp_path / 'mysqld.sock'}\nuser=sop\n")
        started = time.monotonic()
        with pytest.raises(m.MariaDBError) as refused:
            m.run_sql(m.client_argv("mariadb", str(options), "sipp"), "SELECT 1;", 60)
    assert time.monotonic() - started < 20
    assert str(refused.value).endswith(
        "system error: 110 (the server did not complete the connection: hung or overloaded?)")


# --- against a real MariaDB ---------------------------------------------------------

WEIRD = ["tab\there", "line\nbreak", "back\\slash", "both\\n\t\\", "NULL", "", "it's",
         "cr\rlf", "nul\0byte", "Pengadilan \u2013 \U0001f3db", "\\", "'; DROP TABLE x; --"]


def login(db: MariaDB) -> dict[str, object]:
    return {"user": db.user, "password": db.password, "host": db.host, "port": db.port}


def client(db: MariaDB, path: str) -> list[str]:
    return m.client_argv("mariadb", path, db.database)


@pytest.mark.mariadb
@pytest.mark.parametrize("sql_mode", ["", "NO_BACKSLASH_ESCAPES"])
def test_values_survive_quoting_and_batch_output(mariadb: MariaDB, sql_mode: str) -> None:
    table = m.quote_identifier(f"weird_{sql_mode or 'default'}")
    mode = f"SET SESSION sql_mode={m.quote_string(sql_mode)};\n"
    rows = ", ".join(f"({i}, {m.quote_string(v)})" for i, v in enumerate(WEIRD))
    with m.option_file(**login(mariadb)) as path:  # type: ignore[arg-type]
        m.run_sql(client(mariadb, path), mode + (
            f"CREATE TABLE {table} (id INT PRIMARY KEY, v TEXT NULL) CHARACTER SET utf8mb4;\n"
            f"INSERT INTO {table} VALUES {rows}, ({len(WEIRD)}, NULL);\n"))
        got = m.run_sql(client(mariadb, path),
                        mode + f"SELECT id, {m.nullable_text('v')}, v FROM {table} ORDER BY id;")
        found = m.run_sql(client(mariadb, path), mode + "".join(
            f"SELECT COUNT(*) FROM {table} WHERE v = {m.quote_string(v)};\n" for v in WEIRD))
        session = m.run_sql(client(mariadb, path), mode + "SELECT @@SESSION.sql_mode;")
        empty = m.run_sql(client(mariadb, path), "SELECT ''; SELECT 1; DO 1; SELECT '', '';")
    assert session == [[sql_mode]]
    assert empty == [[""], ["1"], ["", ""]]  # an empty value is a row too
    assert [m.text_value(row[1]) for row in got] == [*WEIRD, None]
    # without nullable_text, only the string 'NULL' and SQL NULL look alike
    assert [row[2] for row in got] == [*(None if v == "NULL" else v for v in WEIRD), None]
    # each literal finds its own row (and only "" also matches nothing else)
    assert [int(row[0] or 0) for row in found] == [1] * len(WEIRD)


@pytest.mark.mariadb
def test_hex_literal_compares_with_the_column_collation(mariadb: MariaDB) -> None:
    with m.option_file(**login(mariadb)) as path:  # type: ignore[arg-type]
        rows = m.run_sql(client(mariadb, path),
                         f"SELECT 'LOGIN' = {m.quote_string('login')}, "
                         f"'Login Gagal' LIKE {m.quote_string('%gagal%')};")
    assert rows == [["1", "1"]]


@pytest.mark.mariadb
def test_client_reads_the_memory_option_file(mariadb: MariaDB) -> None:
    conn = m.Connection(binary="mariadb", database=mariadb.database, user=mariadb.user,
                        password=mariadb.password, host=mariadb.host, port=mariadb.port)
    assert m.query(conn, "SELECT CURRENT_USER();")[0][0] == f"{mariadb.user}@%"
    wrong = m.Connection(binary="mariadb", database=mariadb.database, user=mariadb.user,
                         password="wrong", host=mariadb.host, port=mariadb.port)
    with pytest.raises(m.MariaDBError, match=r"^ERROR 1045 \(28000\): Access denied"):
        m.query(wrong, "SELECT 1;")


@pytest.mark.mariadb
def test_lab_image_tools_read_the_memory_option_file(mariadb: MariaDB) -> None:
    """mariadb, mariadb-dump, mysqldump (--defaults-extra-file) and mydumper 0.10
    (--defaults-file) of the lab image log in through /proc/<pid>/fd/<n>."""
    podman("cp", str(ROOT / "module_utils" / "sop_mariadb.py"),
           f"{mariadb.container}:/tmp/sop_mariadb.py")
    script = f"""
import shutil, subprocess, sys
sys.path.insert(0, "/tmp")
import sop_mariadb as m
shutil.rmtree("/tmp/md", ignore_errors=True)
for password in ({mariadb.password!r}, "wrong"):
    with m.option_file({mariadb.user!r}, password, host="127.0.0.1") as path:
        assert path.startswith("/proc/"), path
        codes = [subprocess.run(m.client_argv("mariadb", path), input=b"SELECT 1;",
                                capture_output=True).returncode]
        for binary in ("mariadb-dump", "mysqldump"):
            codes.append(subprocess.run(m.dump_argv(binary, binary, path, "sipp"),
                                        capture_output=True).returncode)
        codes.append(subprocess.run(m.dump_argv("mydumper", "mydumper", path, "sipp",
                                                outdir="/tmp/md"), capture_output=True).returncode)
        print(" ".join("ok" if code == 0 else "refused" for code in codes))
"""
    out = mariadb.in_container("python3", "-", stdin=script).stdout.splitlines()
    # root inside the container would get in through the socket without the file: the
    # wrong password being refused proves each tool read it.
    assert out == ["ok ok ok ok", "refused refused refused refused"]


KILLED_CHILD = """
import os, sys
sys.path.insert(0, {utils!r})
if {fallback!r}:
    del os.memfd_create
import sop_mariadb as m
with m.option_file({user!r}, {password!r}, host="127.0.0.1", port={port}) as path:
    print(path, flush=True)
    m.run_sql(m.client_argv("mariadb", path), "SELECT SLEEP(30) AS sop_killed_test;")
"""


def kill_sleeper(db: MariaDB) -> None:
    ids = db.root_sql("SELECT ID FROM information_schema.PROCESSLIST "
                      "WHERE INFO LIKE 'SELECT SLEEP(30) AS sop_killed_test%';").split()
    db.root_sql("".join(f"KILL {int(i)};\n" for i in ids))


@pytest.mark.mariadb
@pytest.mark.parametrize("fallback", [False, True], ids=["memory", "swept-file"])
def test_sigkill_during_a_query_leaves_no_credentials(mariadb: MariaDB, tmp_path: Path,
                                                      fallback: bool) -> None:
    code = KILLED_CHILD.format(utils=str(ROOT / "module_utils"), fallback=fallback,
                               user=mariadb.user, password=mariadb.password, port=mariadb.port)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert child.stdout is not None
        path = child.stdout.readline().strip()
        deadline = time.monotonic() + 20
        while "sop_killed_test" not in mariadb.root_sql(
                "SELECT INFO FROM information_schema.PROCESSLIST;"):
            assert time.monotonic() < deadline, "the query never started"
            time.sleep(0.2)
        with open(path) as handle:
            assert mariadb.password.replace("\\", "\\\\").replace('"', '\\"') in handle.read()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        kill_sleeper(mariadb)
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    if not fallback:
        assert not os.path.exists(path)
        assert leftovers == []
        return
    # The file variant survives the kill ...
    assert os.path.exists(path) and leftovers == [Path(path).parent.name]
    # ... until the next run sweeps it (its owner is dead).
    with m.option_file("u", "p", tmpdir=str(tmp_path)):
        pass
    assert not os.path.exists(path) and list(tmp_path.iterdir()) == []


@pytest.mark.mariadb
def test_the_client_never_sends_a_local_file(mariadb: MariaDB) -> None:
    """LOAD DATA LOCAL sends a local file (as the module's user: root) to the server;
    the client's default allowed it. The modules never send one: the client now refuses
    it whatever a statement asks (defence in depth: Debian 12's client already ignores a
    server's request its own statement did not make)."""
    mariadb.root_sql("SET GLOBAL local_infile = 1;\n"
                     "CREATE TABLE IF NOT EXISTS smuggled (line TEXT);\n")
    conn = m.Connection(binary="mariadb", database=mariadb.database, user=mariadb.user,
                        password=mariadb.password, host=mariadb.host, port=mariadb.port)
    with pytest.raises(m.MariaDBError, match="not allowed"):  # ERROR 4166 or 1148
        m.query(conn, "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE smuggled;")
    assert mariadb.root_sql("SELECT COUNT(*) FROM smuggled;").strip() == "0"
