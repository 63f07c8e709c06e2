"""module_utils/sop_backup_sql.py: content checksums and object definitions that compare
equal across a dump and restore into another database under another definer, and
differ when one value changes; against a real MariaDB (marker ``mariadb``)."""

from __future__ import annotations

import time

import pytest
from conftest import MariaDB
from loader import load

q = load("sop_backup_sql")

SCHEMA = """
CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50) CHARACTER SET latin1, v FLOAT,
  d DOUBLE, at TIMESTAMP NULL, note TEXT NULL, b BIT(3), blob1 BLOB) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 'caf\\xe9', 3.14159, 2.718281828459045, '2024-01-01 10:00:00', NULL,
  b'101', x'00ff'), (2, 'x\\ty', 1e-7, 1e300, NULL, 'a\\nb', NULL, NULL), (3, '', 0, 0, NULL, '',
  b'0', '');
CREATE TABLE m (id INT PRIMARY KEY, s TEXT) ENGINE=MyISAM;
INSERT INTO m VALUES (1, 'one');
CREATE VIEW v AS SELECT id, name FROM t WHERE id > 1;
CREATE TRIGGER tr BEFORE INSERT ON m FOR EACH ROW SET NEW.s = UPPER(NEW.s);
CREATE PROCEDURE p(IN a INT, OUT b INT) SET b = a * 2;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM m WHERE 0;
"""


def copy_database(db: MariaDB, target: str) -> None:
    """mariadb-dump | strip definers | mariadb --binary-mode --sandbox into ``target``."""
    db.in_container("sh", "-c", (
        f"mariadb -e 'DROP DATABASE IF EXISTS {target}; CREATE DATABASE {target}' && "
        f"mariadb-dump --single-transaction --routines --triggers --events --hex-blob "
        f"{db.database} | sed -E '/^(\\/\\*!5|CREATE)/s/DEFINER=`([^`]|``)*`@`([^`]|``)*`//g'"
        f" | mariadb --binary-mode --sandbox {target}"))


def client(db: MariaDB, database: str) -> list[str]:
    return ["podman", "exec", "-i", db.container, "mariadb", "--batch", "--skip-column-names",
            database]


def measured(db: MariaDB, database: str, parallel: int = 1) -> dict:
    return q.measure(client(db, database), database, parallel=parallel)


@pytest.mark.mariadb
def test_restored_copy_measures_equal_and_one_value_changes_it(mariadb: MariaDB) -> None:
    mariadb.root_sql("DROP TABLE IF EXISTS t, m; DROP VIEW IF EXISTS v;"
                     "DROP PROCEDURE IF EXISTS p; DROP EVENT IF EXISTS e;" + SCHEMA)
    original = measured(mariadb, mariadb.database)
    assert set(original["objects"]) == {"view:v", "trigger:tr", "procedure:p", "event:e"}
    assert original["tables"]["t"]["rows"] == 3 and original["tables"]["m"]["rows"] == 1
    copy_database(mariadb, "sop_verify_copy")
    restored = measured(mariadb, "sop_verify_copy", parallel=3)
    assert restored == original  # other name, other definer, MyISAM, floats, NULLs
    assert q.compare(original, restored) == []
    mariadb.in_container("mariadb", "sop_verify_copy", "-e",
                         "UPDATE t SET note = 'a\\nc' WHERE id = 2;"
                         "CREATE OR REPLACE VIEW v AS SELECT id, name FROM t WHERE id > 2")
    changed = measured(mariadb, "sop_verify_copy")
    assert changed["tables"]["t"]["rows"] == 3
    assert q.compare(original, changed) == ["table t: content differs (checksum "
                                            f"{changed['tables']['t']['checksum']}, manifest "
                                            f"{original['tables']['t']['checksum']})",
                                            "view:v: definition differs"]
    mariadb.in_container("mariadb", "-e", "DROP DATABASE sop_verify_copy")


@pytest.mark.mariadb
def test_float_values_the_dump_rounds_are_counted(mariadb: MariaDB) -> None:
    """MariaDB writes a FLOAT with 6 significant digits and both dumps take that text:
    1234567 was restored as 1234570, and the content checksum, reading the same text on
    both sides, matched (seen in the lab). The rows holding a value its text does not give
    back are counted (0.1, 100000, -2.5 and 1234.5 come back whole; 1234567, 1234.5678,
    16777216 do not), those of a FLOAT(M,D), written with its D decimals, are not."""
    mariadb.root_sql(
        "DROP TABLE IF EXISTS fl, fd, nf;"
        "CREATE TABLE fl (id INT PRIMARY KEY, a FLOAT, b FLOAT);"
        "INSERT INTO fl VALUES (1, 0.1, 100000), (2, -2.5, NULL), (3, 0, 1234.5),"
        " (4, 1234567, NULL), (5, 0.1, 1234.5678), (6, 16777216, 1234567), (7, NULL, NULL),"
        " (8, 1.4e-45, 3.4028234e38);"
        "CREATE TABLE fd (id INT PRIMARY KEY, a FLOAT(10,2));"
        "INSERT INTO fd VALUES (1, 1234567.89), (2, 0.1);"
        "CREATE TABLE nf (id INT PRIMARY KEY, d DOUBLE); INSERT INTO nf VALUES (1, 1234567.891)")
    tables = measured(mariadb, mariadb.database)["tables"]
    assert tables["fl"]["rounded_floats"] == 4  # rows 4, 5, 6 and 8 (3.40282e38)
    assert "rounded_floats" not in tables["fd"] and "rounded_floats" not in tables["nf"]
    assert q.rounded_floats_note(tables) == (
        "FLOAT values rounded to 6 significant digits, as MariaDB writes them and both dumps "
        "take them (the backup holds the rounded values): fl (4 rows); change those FLOAT "
        "columns to DOUBLE (lossless) to back them up whole")
    mariadb.root_sql("DROP TABLE fl, fd, nf")


def test_the_note_of_rounded_floats_names_only_tables_with_such_rows() -> None:
    """A manifest's tables come from the SIPP server: only counts are read."""
    assert q.rounded_floats_note({"a": {"rows": 1}, "b": {"rounded_floats": True},
                                  "c": "x", "d": {"rounded_floats": 0}}) == ""
    assert q.rounded_floats_note({"z": {"rounded_floats": 1}, "a": {"rounded_floats": 2}}) == (
        "FLOAT values rounded to 6 significant digits, as MariaDB writes them and both dumps "
        "take them (the backup holds the rounded values): a (2 rows), z (1 row); change "
        "those FLOAT columns to DOUBLE (lossless) to back them up whole")


# One table per case of column_exprs: one ASCII collation (no casts), another character
# set, mixed collations of one character set, a wide character set, binary-ish types.
TYPES_SCHEMA = """
CREATE TABLE u (id INT PRIMARY KEY, s VARCHAR(20), t TEXT, e ENUM('x','y'), st SET('p','q'),
  c CHAR(5), d DATE, dt DATETIME(3), ts TIMESTAMP(2) NULL, tm TIME(2), y YEAR, n DECIMAL(10,3),
  big BIGINT UNSIGNED) CHARACTER SET utf8mb4;
INSERT INTO u VALUES (1, 'café ☃', 'x\\ty\\n', 'y', 'p,q', 'ab',
  '2024-02-29', '2024-01-01 10:00:00.123', '2024-05-05 05:05:05.5', '-838:59:59.99', 2024,
  -12.5, 18446744073709551615), (2, NULL, '', NULL, '', '', NULL, NULL, NULL, NULL, NULL,
  NULL, NULL), (3, '', NULL, 'x', NULL, NULL, '0000-00-00', '2000-01-01',
  '1970-01-01 00:00:01', '00:00:00', 1901, 0, 0);
CREATE TABLE l (id INT PRIMARY KEY, s VARCHAR(20), t TEXT) CHARACTER SET latin1;
INSERT INTO l VALUES (1, _latin1 0x636166e9, _latin1 0xff), (2, NULL, '');
CREATE TABLE mc (id INT PRIMARY KEY, a VARCHAR(9) COLLATE utf8mb4_general_ci,
  b VARCHAR(9) COLLATE utf8mb4_unicode_ci, c VARCHAR(9) COLLATE utf8mb4_bin, j JSON);
INSERT INTO mc VALUES (1, 'A', 'a', 'b', '{"a": 1}'), (2, NULL, 'x', NULL, NULL);
CREATE TABLE w (id INT PRIMARY KEY, s VARCHAR(9) CHARACTER SET utf16, n INT);
INSERT INTO w VALUES (1, 'abc', 1), (2, NULL, NULL);
CREATE TABLE bin (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(9), bl BLOB, bi BIT(10),
  f FLOAT, db DOUBLE, ip INET6, p POINT NULL, s VARCHAR(9));
INSERT INTO bin VALUES (1, 0x61000000, 0x00ff1f, 0x1f, b'1010101010', 3.14159, 1e300, '::1',
  POINT(1, 2), 'z'), (2, NULL, '', '', b'0', -0.0, 1e-7, 'fe80::1', NULL, NULL);
"""


def all_cast_checksum(db: MariaDB, table: str) -> str:
    """The checksum as the first version of the manifest computed it: every column cast."""
    rows = db.root_sql("SELECT GROUP_CONCAT(CONCAT('`', COLUMN_NAME, '`') ORDER BY "
                       "ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE "
                       f"TABLE_SCHEMA='{db.database}' AND TABLE_NAME='{table}'")
    names = rows.strip().split(",")
    values = ", ".join(f"CAST({n} AS BINARY)" for n in names)
    flags = ", ".join(f"ISNULL({n})" for n in names)
    return db.root_sql(f"SET time_zone='+00:00'; SELECT IFNULL(SUM(CRC32(CONCAT_WS(0x1f, "
                       f"{values}, CONCAT({flags})))),0) FROM {table}").strip()


@pytest.mark.mariadb
def test_checksum_casts_only_where_bytes_would_change(mariadb: MariaDB) -> None:
    mariadb.root_sql("DROP TABLE IF EXISTS u, l, mc, w, bin;" + TYPES_SCHEMA)
    tables = {t["name"]: t for t in q.list_tables(client(mariadb, mariadb.database),
                                                  mariadb.database)}
    casts = {name: sum("CAST(" in e for e in q.column_exprs(tables[name]["columns"]))
             for name in ("u", "l", "mc", "w", "bin")}
    assert casts == {"u": 0, "l": 0, "mc": 4, "w": 1, "bin": 8}
    measured_now = measured(mariadb, mariadb.database)["tables"]
    for name in casts:
        assert measured_now[name]["checksum"] == all_cast_checksum(mariadb, name), name
    mariadb.root_sql("DROP TABLE u, l, mc, w, bin")


@pytest.mark.mariadb
def test_rows_longer_than_a_packet_are_checked_alike_on_either_server(mariadb: MariaDB) -> None:
    """A row of two 9 MiB values is longer than the default 16M max_allowed_packet:
    CONCAT_WS gave NULL on such a server and not on the backup computer's (1G), so a good
    backup failed, and where both left it out its content went unchecked. Its values go
    in as MD5s: the same checksum under either limit, and one byte changes it."""
    mariadb.root_sql(
        "DROP TABLE IF EXISTS big;"
        "CREATE TABLE big (id INT PRIMARY KEY, a LONGBLOB, b LONGTEXT, c VARCHAR(9));"
        "INSERT INTO big VALUES (1, REPEAT(0x1f, 9437184), NULL, 'x'), (2, 'a', 'b', NULL),"
        " (3, REPEAT('z', 600000), NULL, NULL), (4, NULL, NULL, NULL);"
        "UPDATE big SET b = REPEAT('y', 9437184) WHERE id = 1")
    try:
        at_16m = measured(mariadb, mariadb.database)["tables"]["big"]
        mariadb.root_sql("SET GLOBAL max_allowed_packet = 1073741824")
        assert measured(mariadb, mariadb.database)["tables"]["big"] == at_16m
        before = at_16m["checksum"]
        mariadb.root_sql("UPDATE big SET b = INSERT(b, 4718592, 1, 'Y') WHERE id = 1")
        assert measured(mariadb, mariadb.database)["tables"]["big"]["checksum"] != before
        mariadb.root_sql("UPDATE big SET b = INSERT(b, 4718592, 1, 'y') WHERE id = 1;"
                         "UPDATE big SET a = 'A' WHERE id = 2")
        assert measured(mariadb, mariadb.database)["tables"]["big"]["checksum"] != before
    finally:
        mariadb.root_sql("SET GLOBAL max_allowed_packet = 16777216; DROP TABLE big")


def test_the_row_string_hashes_large_values_only_in_a_row_over_the_bound() -> None:
    columns = [q.Column("id", "int", "", ""), q.Column("doc", "longblob", "", ""),
               q.Column("t", "text", "utf8mb4", "utf8mb4_general_ci")]
    assert q.row_expr(columns) == (
        "IF(IFNULL(LENGTH(`doc`),0) + IFNULL(LENGTH(`t`),0) > 524288, "
        "CONCAT_WS(0x1f, `id`, MD5(`doc`), MD5(`t`), "
        "CONCAT(ISNULL(`id`), ISNULL(`doc`), ISNULL(`t`))), "
        "CONCAT_WS(0x1f, `id`, CAST(`doc` AS BINARY), `t`, "
        "CONCAT(ISNULL(`id`), ISNULL(`doc`), ISNULL(`t`))))")
    assert q.row_expr(columns[:1]) == "CONCAT_WS(0x1f, `id`, CONCAT(ISNULL(`id`)))"


def test_compare_counts_brackets_columns_and_objects() -> None:
    want = {"tables": {"a": {"rows": 3, "checksum": "1/2", "structure": "s"},
                       "b": {"rows": None, "checksum": None, "rows_min": 1, "rows_max": 4},
                       "gone": {"rows": 0}},
            "objects": {"view:v": "x", "event:e": "y"}}
    got = {"tables": {"a": {"rows": 3, "checksum": "1/2", "structure": "other"},
                      "b": {"rows": 5, "checksum": "9/9", "structure": None},
                      "new": {"rows": 1, "checksum": "0/0", "structure": None}},
           "objects": {"view:v": "z", "procedure:p": "w"}}
    assert q.compare(want, got) == [
        "table gone missing after restore", "table new not in the manifest",
        "table a: columns differ", "table b has 5 rows, manifest 1..4",
        "event:e missing after restore", "procedure:p not in the manifest",
        "view:v: definition differs"]
    assert q.compare(want, {"tables": {"a": want["tables"]["a"], "gone": {"rows": 0},
                                       "b": dict(got["tables"]["b"], rows=4)},
                            "objects": want["objects"]}) == []


def test_compare_passes_a_view_left_out_as_broken_that_the_dump_holds_all_the_same() -> None:
    """The backup leaves a broken view out of its manifest (broken_views); a dump may
    hold it all the same (a mydumper release that dumps it, or one broken only by its
    definer's rights, which the restore's stripped definer repairs): 'view:v_rusak not in
    the manifest' failed a good backup. Both engines' restores are compared so (the
    manifest against the restored database's information_schema)."""
    want = {"tables": {}, "objects": {"view:v": "x"}, "broken_views": ["v_rusak"]}
    restored = {"tables": {}, "objects": {"view:v": "x", "view:v_rusak": "y"}}
    assert q.compare(want, restored) == []
    assert q.compare(want, {"tables": {}, "objects": {"view:v": "x"}}) == []


def test_compare_still_compares_what_broken_views_does_not_explain() -> None:
    """No false pass: only views the manifest names as left out are passed over, never a
    trigger, routine or table of that name, nor a view the manifest also lists among its
    objects (which a dump never writes), and a malformed list is a difference."""
    want = {"tables": {}, "objects": {"view:v": "x", "view:w": "m"},
            "broken_views": ["v", "p", "t"]}
    restored = {"tables": {"t": {"rows": 0, "checksum": "0", "structure": None}},
                "objects": {"view:v": "changed", "view:w": "m", "procedure:p": "y",
                            "view:other": "z"}}
    assert q.compare(want, restored) == [
        "table t not in the manifest", "procedure:p not in the manifest",
        "view:other not in the manifest", "view:v: definition differs"]
    assert q.compare({**want, "broken_views": None}, {**restored, "objects": want["objects"],
                                                     "tables": {}}) == []
    for malformed in ("v", [["v"]], {"v": 1}, [1]):
        assert q.compare({**want, "broken_views": malformed},
                         {"tables": {}, "objects": want["objects"]}) == [
            "the manifest's broken_views are not a list of names"], malformed


def test_the_note_of_views_left_out_names_each_cause_and_what_to_do() -> None:
    """A view calling a stored function the dump account may not execute was left out as
    'they no longer open (a table, column or function they name is gone): ...; repair or
    drop them' (seen in the lab): a healthy view, and an admin sent to repair it. The note
    gives each view the server's cause and asks for the grant where a right is denied."""
    denied = ("execute command denied to user 'sop_backup'@'localhost' for routine "
              "'sipp.f_nomor'")
    gone = ("View 'sipp.v_rusak' references invalid table(s) or column(s) or function(s) "
            "or definer/invoker of view lack rights to use them")
    grant = ("grant the dump account what it is denied (a function a view calls: GRANT "
             "EXECUTE ON FUNCTION)")
    repair = "repair or drop a view whose table, column or function is gone"
    lead = "views left out, the dump account cannot open them: "
    assert q.broken_views_note({"v_nomor": denied}, ["v_nomor"]) == (
        f"{lead}v_nomor ({denied}); {grant}")
    assert q.broken_views_note({"v_rusak": gone}, ["v_rusak"]) == (
        f"{lead}v_rusak ({gone}); {repair}")
    assert q.broken_views_note({"v_nomor": denied, "v_rusak": gone}, ["v_nomor", "v_rusak"]) == (
        f"{lead}v_nomor ({denied}), v_rusak ({gone}); {grant}; {repair}")
    # a backup of the period made before causes were recorded: its manifest names only views
    assert q.broken_views_note({}, ["v_lama"]) == f"{lead}v_lama; {repair}"


RESTORED = {"tables": {"a": {"rows": 1, "checksum": "1/2", "structure": "s"}},
            "objects": {"view:v": "x"}}


@pytest.mark.parametrize("manifest", [
    {"tables": ["a"]}, {"tables": "a"}, {"tables": {"a": "1 row"}}, {"tables": {"a": None}},
    {"tables": {"a": {"rows": None, "rows_min": "0", "rows_max": 9}}},
    {"tables": {"a": {"rows": None, "rows_min": 0, "rows_max": [9]}}},
    {"tables": {"a": {"rows": True, "checksum": "1/2", "structure": "s"}}},
    {"tables": {"a": {"rows": "1"}}}, {"tables": {"a": {}}},
    {"tables": {"a": {"rows": None, "rows_min": 0}}},
    {"tables": {"a": {"rows": 1}}, "objects": ["view:v"]},
    {"tables": {"a": {"rows": 1}}, "objects": "view:v"}])
def test_a_forged_manifest_is_a_difference_not_a_crash(manifest: dict) -> None:
    """The manifest comes from the SIPP server, which may be compromised: a table entry
    that was no object, a count that was text or a boolean, objects as a list made the
    comparison raise (a traceback on the backup computer, the backup left unjudged as if
    the computer were at fault), and ``rows: true`` passed for one row. Each is now a
    difference, so the backup is judged failed."""
    problems = q.compare(manifest, RESTORED)
    assert problems and all(isinstance(p, str) and "\n" not in p for p in problems)


def test_merge_is_exact_only_where_both_snapshots_agree() -> None:
    before = {"a": {"rows": 2, "checksum": "1/1", "structure": "s"},
              "b": {"rows": 2, "checksum": "1/1", "structure": "s"}}
    after = {"a": {"rows": 2, "checksum": "1/1", "structure": "s"},
             "b": {"rows": 3, "checksum": "2/2", "structure": "s"}}
    assert q.merge(before, after) == {
        "a": {"rows": 2, "checksum": "1/1", "structure": "s"},
        "b": {"rows": None, "checksum": None, "structure": "s", "rows_min": 2, "rows_max": 3}}


def test_names_travel_as_hex() -> None:
    rows = [["T", "612062", "1", "5", "md5", "0"], ["O", "view", "7609", "h"]]
    assert q.parse_measure(rows) == {
        "tables": {"a b": {"rows": 1, "checksum": "5", "structure": "md5"}},
        "objects": {"view:v\t": "h"}}


def test_spread_balances_tables_by_size_for_parallel_sessions() -> None:
    tables = [{"name": n, "bytes": b} for n, b in (("a", 10), ("b", 70), ("c", 30), ("d", 40))]
    groups = q.spread(tables, 2)
    assert [[t["name"] for t in g] for g in groups] == [["b", "a"], ["d", "c"]]
    assert q.spread(tables, 0) == [sorted(tables, key=lambda t: -t["bytes"])]
    assert q.spread([], 3) == [[], [], []]


@pytest.mark.mariadb
def test_measure_can_refresh_the_sizes_a_fresh_restore_leaves_stale(mariadb: MariaDB) -> None:
    """A table whose statistics are not recalculated (as on the tuned verify server) shows
    one page after a load; ``analyze=True`` makes the sessions' spread see its real size."""
    mariadb.root_sql(
        "DROP TABLE IF EXISTS big;"
        "CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(200)) ENGINE=InnoDB"
        " STATS_PERSISTENT=1 STATS_AUTO_RECALC=0;"
        "INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_20000;")

    def size() -> int:
        return next(t["bytes"] for t in q.list_tables(client(mariadb, mariadb.database),
                                                      mariadb.database) if t["name"] == "big")

    assert size() <= 32768
    before = measured(mariadb, mariadb.database, parallel=2)
    assert size() <= 32768  # measuring alone does not touch the statistics
    after = q.measure(client(mariadb, mariadb.database), mariadb.database, parallel=2,
                      analyze=True)
    assert size() > 2_000_000 and after == before
    mariadb.root_sql("DROP TABLE big;")


def test_binlog_position_reads_mariadb_and_mysql_state_rows() -> None:
    """The lock session reads SHOW VARIABLES rows: MariaDB's gtid_binlog_pos or MySQL's
    gtid_executed (a missing variable is a missing row, not an error that would end the
    lock); the file/offset session's failure is a note, not a failed backup."""
    failing_client = ["false"]
    assert q.binlog_position(failing_client, [["log_bin", "ON"], ["gtid_binlog_pos", "0-1-9"]]) \
        == {"binary_log": True, "gtid_binlog_pos": "0-1-9",
            "note": "file/offset not read: client exited 1"}
    mysql = q.binlog_position(failing_client, [
        ["gtid_executed", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77"], ["log_bin", "ON"]])
    assert mysql["gtid_executed"] == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77"
    assert "gtid_binlog_pos" not in mysql
    assert q.binlog_position(failing_client, [["log_bin", "OFF"], ["gtid_binlog_pos", ""]]) \
        == {"binary_log": False, "note": "the server writes no binary log (log_bin=OFF)"}


@pytest.mark.mariadb
def test_binlog_state_is_read_under_the_global_read_lock(mariadb: MariaDB) -> None:
    """The lock session's statements on a real server: the lock holds (another session's
    write waits and times out) and the rows parse."""
    session = q.Session([*client(mariadb, mariadb.database)[:-1], "--unbuffered",
                         mariadb.database])
    session.start()
    try:
        rows = session.send("FLUSH TABLES WITH READ LOCK;\n" + q.BINLOG_STATE_SQL)
        assert rows is not None, session.error
        state = dict(rows)
        assert set(state) == {"log_bin", "gtid_binlog_pos"}
        write = mariadb.in_container(
            "mariadb", mariadb.database, "-e",
            "SET SESSION lock_wait_timeout=1; CREATE TABLE lock_probe (i INT)", check=False)
        assert "Lock wait timeout exceeded" in write.stderr
        position = q.binlog_position(client(mariadb, mariadb.database), rows)
        assert position["binary_log"] is (state["log_bin"] == "ON")
    finally:
        session.close()


def test_measuring_sessions_run_side_by_side_whatever_their_batch_size() -> None:
    """A session's last batch was written into its client's stdin by the calling thread:
    a batch larger than the pipe (a court's few hundred tables, each statement naming
    every column) blocked until that client had run most of it, so the parallel
    measuring sessions ran one after another. Two clients (a shell standing in: it reads
    its input only after a second, as a client busy with its first statements) must
    both be fed at once."""
    sessions = [q.Session(["sh", "-c", "sleep 1; cat >/dev/null; echo done"])
                for _ in range(2)]
    batch = "SELECT 1;\n" * 100_000  # 1 MB, sixteen times a pipe's buffer
    started = time.monotonic()
    for session in sessions:
        session.start()
        session.finish(batch)
    assert time.monotonic() - started < 0.5
    assert [session.result() for session in sessions] == [[["done"]], [["done"]]]
    assert time.monotonic() - started < 1.8


def test_a_client_that_dies_while_fed_is_its_error() -> None:
    session = q.Session(["sh", "-c", "head -c 10 >/dev/null; echo 'ERROR 2013: gone' >&2; exit 1"])
    session.start()
    session.finish("SELECT 1;\n" * 100_000)
    with pytest.raises(q.MariaDBError, match="ERROR 2013: gone"):
        session.result()


def test_a_server_that_does_not_answer_stops_the_session_in_its_time() -> None:
    """MariaDB stopped (SIGSTOP in the lab) before the dump: the lock session waited for
    its answer for ever, the backup and its SOP with it (stall_timeout watches the dump's
    output only). A client that takes the statements and never answers (a shell that
    sleeps, its input in the pipe) is stopped after answer_timeout, its error saying so."""
    session = q.Session(["sh", "-c", "exec sleep 60"], answer_timeout=0.5)
    session.start()
    started = time.monotonic()
    assert session.send("FLUSH TABLES WITH READ LOCK;\n") is None
    assert time.monotonic() - started < 5
    assert session.timed_out
    assert session.error == "MariaDB did not answer within 0.5 s (hung or overloaded?)"
    with pytest.raises(q.MariaDBError, match=r"did not answer within 0\.5 s"):
        q.open_snapshot(["sh", "-c", "exec sleep 60"], answer_timeout=0.5)


def test_an_answer_within_the_time_is_read_as_before() -> None:
    """The limit is on the wait for an answer: one that comes is read, nothing stopped."""
    answer = f"sleep 0.2; printf '1\\t2\\n{q._MARKER}\\n'; cat >/dev/null"
    session = q.Session(["sh", "-c", answer], answer_timeout=5)
    session.start()
    assert session.send("SELECT 1, 2;\n") == [["1", "2"]]
    assert not session.timed_out and session.proc.poll() is None
    session.close()
