"""module_utils/sop_mariadb.py: option files, command construction, row counts."""

from __future__ import annotations

import os
import stat

import pytest
from loader import load

m = load("sop_mariadb")
SECRET = 'p#a"ss w\\ord'


def test_option_file_text_quotes_and_escapes() -> None:
    text = m.option_file_text("sop_backup", SECRET, host="db", port=3307, socket=None)
    assert text.splitlines() == ["[client]", 'user="sop_backup"', 'password="p#a\\"ss w\\\\ord"',
                                 'host="db"', "port=3307"]


def test_option_file_text_omits_unset_values() -> None:
    assert m.option_file_text("root", None) == '[client]\nuser="root"\n'


def test_option_value_refuses_line_breaks() -> None:
    with pytest.raises(ValueError):
        m.quote_option_value("a\nb")


def test_option_file_is_private_and_removed() -> None:
    with m.option_file("u", SECRET) as path:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        with open(path) as handle:
            assert SECRET.replace("\\", "\\\\").replace('"', '\\"') in handle.read()
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path))


def test_option_file_removed_on_error() -> None:
    with pytest.raises(RuntimeError), m.option_file("u", "p") as path:
        raise RuntimeError
    assert not os.path.exists(path)


@pytest.mark.parametrize("engine", ["mariadb-dump", "mysqldump"])
def test_sql_dump_argv(engine: str) -> None:
    argv = m.dump_argv(engine, "/usr/bin/" + engine, "/tmp/x/client.cnf", "sipp")
    assert argv[1] == "--defaults-extra-file=/tmp/x/client.cnf"  # must come first
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--hex-blob"):
        assert flag in argv
    assert argv[-1] == "sipp" and "--databases" not in argv
    assert not any("password" in a for a in argv)


def test_mydumper_argv() -> None:
    argv = m.dump_argv("mydumper", "/usr/bin/mydumper", "/o.cnf", "sipp", outdir="/d", threads=3)
    assert argv[1] == "--defaults-file=/o.cnf"
    assert argv[argv.index("--outputdir") + 1] == "/d"
    assert argv[argv.index("--threads") + 1] == "3"
    assert "--trx-consistency-only" in argv
    with pytest.raises(m.MariaDBError):
        m.dump_argv("mydumper", "/usr/bin/mydumper", "/o.cnf", "sipp")


def test_compress_and_decompress_argv() -> None:
    assert m.compress_argv("zstd", None) == ["zstd", "-q", "-c", "-3", "-T0"]
    assert m.compress_argv("zstd", 7) == ["zstd", "-q", "-c", "-7", "-T0"]
    assert m.compress_argv("gzip", None) == ["gzip", "-c", "-6"]
    assert m.decompress_argv("/a/x.sql.zst")[:2] == ["zstd", "-q"]
    assert m.decompress_argv("/a/x.tar.gz")[0] == "gzip"
    with pytest.raises(m.MariaDBError):
        m.compress_argv("xz", None)
    with pytest.raises(m.MariaDBError):
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
    assert m.quote_string("it's \\") == "'it\\'s \\\\'"
    assert m.quote_string("a\0b") == "'a\\0b'"
    assert m.quote_string("O'Brien\\") == "'O\\'Brien\\\\'"
    assert m.count_sql(["perkara"]) == "SELECT 'perkara', COUNT(*) FROM `perkara`;\n"
    assert "TABLE_SCHEMA='sipp'" in m.table_listing_sql("sipp")


def test_parse_batch_and_first_error_line() -> None:
    assert m.parse_batch("a\t1\nb\t2\n\n") == [["a", "1"], ["b", "2"]]
    err = b"mariadb: Deprecated program name\nERROR 1045 (28000): Access denied for user\n"
    assert m.first_error_line(err).startswith("ERROR 1045")
    assert m.first_error_line(b"") == ""


def test_merge_counts_exact_and_ranges() -> None:
    merged = m.merge_counts({"a": 5, "b": 10, "c": 3}, {"a": 5, "b": 12, "d": 1})
    assert merged["a"] == {"rows": 5}
    assert merged["b"] == {"rows": None, "rows_min": 10, "rows_max": 12}
    assert merged["c"] == {"rows": None, "rows_min": 3, "rows_max": 3}
    assert merged["d"] == {"rows": None, "rows_min": 1, "rows_max": 1}


def test_rows_match() -> None:
    assert m.rows_match({"rows": 5}, 5) and not m.rows_match({"rows": 5}, 6)
    ranged = {"rows": None, "rows_min": 10, "rows_max": 12}
    assert m.rows_match(ranged, 11) and not m.rows_match(ranged, 13)
    assert not m.rows_match({}, 0)


def test_run_sql_reports_client_error(tmp_path) -> None:
    fake = tmp_path / "client"
    fake.write_text("#!/bin/sh\necho 'ERROR 2002 (HY000): Can not connect' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(m.MariaDBError, match="ERROR 2002"):
        m.run_sql([str(fake)], "SELECT 1;")


def test_snapshot_counter_with_fake_client(tmp_path) -> None:
    fake = tmp_path / "client"
    fake.write_text("#!/bin/sh\n"
                    "while read -r line; do case \"$line\" in\n"
                    "  \"SELECT '__sop_snapshot_open__';\") echo __sop_snapshot_open__;;\n"
                    "  SELECT*COUNT*) echo \"$line\""
                    " | sed \"s/SELECT '\\([^']*\\)'.*/\\1\t42/\";;\n"
                    "esac; done\n")
    fake.chmod(0o755)
    counter = m.SnapshotCounter([str(fake)], ["perkara", "pihak"])
    counter.open()
    counter.count()
    assert counter.result() == {"perkara": 42, "pihak": 42}


def fake_lock_client(tmp_path, grant: bool):
    fake = tmp_path / "lockclient"
    log = tmp_path / "log"
    fake.write_text("#!/bin/sh\n"
                    f"while read -r line; do echo \"$line\" >> {log}; case \"$line\" in\n"
                    "  FLUSH*) " + ("" if grant else "echo 'ERROR 1227 (42000): need RELOAD' >&2;"
                                    " exit 1") + ";;\n"
                    "  \"SELECT '__sop_read_lock__';\") echo __sop_read_lock__;;\n"
                    "esac; done\n")
    fake.chmod(0o755)
    return str(fake), log


def test_global_read_lock_acquire_and_release(tmp_path) -> None:
    fake, log = fake_lock_client(tmp_path, grant=True)
    lock = m.GlobalReadLock([fake])
    assert lock.acquire(5) and lock.held
    lock.release()
    assert not lock.held
    assert log.read_text().splitlines() == [
        "SET SESSION lock_wait_timeout=5;", "FLUSH TABLES WITH READ LOCK;",
        "SELECT '__sop_read_lock__';", "UNLOCK TABLES;"]


def test_global_read_lock_refused_reports_why(tmp_path) -> None:
    fake, _ = fake_lock_client(tmp_path, grant=False)
    lock = m.GlobalReadLock([fake])
    assert not lock.acquire(5)
    assert "need RELOAD" in lock.error
