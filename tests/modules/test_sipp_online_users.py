"""library/sipp_online_users.py against a real MariaDB: counts, odd user names, and a
sys_user_online whose columns differ (partial result + precise ``unavailable``)."""

from __future__ import annotations

import pytest
from conftest import MariaDB
from loader import load
from sipp_tables import USER_ONLINE, connection, insert, lit, new_table

m = load("sop_mariadb")
mod = load("sipp_online_users")
pytestmark = pytest.mark.mariadb

ODD = "bu\tdi\\\nx"
COLS = ["session_id", "userid", "host_address", "login_time", "last_visit"]


def ago(interval: str) -> str:
    return f"NOW() - INTERVAL {interval}"


@pytest.fixture
def sessions(mariadb: MariaDB) -> str:
    table = new_table(mariadb, "online", USER_ONLINE)
    insert(mariadb, table, COLS, [
        [lit("s1"), lit(ODD), lit("10.0.0.1"), ago("2 HOUR"), ago("1 MINUTE")],
        [lit("s2"), lit(ODD), lit("10.0.0.2"), ago("1 HOUR"), ago("2 MINUTE")],
        [lit("s3"), lit("NULL"), None, None, ago("3 MINUTE")],
        [lit("s4"), lit("old"), lit("10.0.0.4"), ago("5 HOUR"), ago("1 HOUR")],
    ])
    return table


def test_counts_and_lists_odd_names_exactly(mariadb: MariaDB, sessions: str) -> None:
    result = mod.online_users(connection(mariadb), sessions, 15, {}, 50)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (2, 3, 4)
    assert result["unavailable"] == []
    assert result["columns"] == {"last_activity": "last_visit", "user": "userid",
                                 "host": "host_address", "login_time": "login_time"}
    assert [(s["user"], s["host"]) for s in result["active"]] == [
        (ODD, "10.0.0.1"), (ODD, "10.0.0.2"), ("NULL", None)]
    assert result["active"][2]["login_time"] is None
    assert result["last_activity"] <= result["database_time"]


def test_max_sessions_limits_the_list(mariadb: MariaDB, sessions: str) -> None:
    result = mod.online_users(connection(mariadb), sessions, 15, {}, 1)
    assert result["sessions"] == 3 and len(result["active"]) == 1


@pytest.mark.parametrize("kind", ["INT", "INT UNSIGNED"])
def test_unix_time_column(mariadb: MariaDB, kind: str) -> None:
    # UNSIGNED: how far ahead the newest lies was out of range ('BIGINT UNSIGNED value
    # is out of range') whenever it lay behind the clock, and the activity failed.
    table = new_table(mariadb, "online_unix", "CREATE TABLE {t} (sid VARCHAR(9), user_id INT, "
                      f"last_activity {kind});")
    insert(mariadb, table, ["sid", "user_id", "last_activity"], [
        [lit("a"), "1", "UNIX_TIMESTAMP() - 60"], [lit("b"), "2", "UNIX_TIMESTAMP() - 7200"]])
    result = mod.online_users(connection(mariadb), table, 10, {}, 5)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (1, 1, 2)
    assert [s["user"] for s in result["active"]] == ["1"]
    assert result["columns"]["host"] is None
    assert [u["column"] for u in result["unavailable"]] == ["host", "login_time"]


def test_renamed_activity_column_keeps_what_can_be_seen(mariadb: MariaDB, sessions: str) -> None:
    mariadb.root_sql(f"ALTER TABLE `{sessions}` RENAME COLUMN last_visit TO seen_at;")
    result = mod.online_users(connection(mariadb), sessions, 15, {}, 50)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (None, None, 4)
    assert result["active"] == [] and result["database_time"]
    [entry] = result["unavailable"]
    assert (entry["table"], entry["column"], entry["setting"]) == (
        sessions, "last_activity", "columns.last_activity")
    assert "seen_at" in entry["message"] and "last_visit" in entry["message"]
    assert "user online" in entry["message"]
    # the setting named in the message fixes it
    fixed = mod.online_users(connection(mariadb), sessions, 15, {"last_activity": "seen_at"}, 50)
    assert (fixed["users"], fixed["sessions"], fixed["unavailable"]) == (2, 3, [])


def test_dropped_user_column_still_counts_sessions(mariadb: MariaDB, sessions: str) -> None:
    mariadb.root_sql(f"ALTER TABLE `{sessions}` DROP COLUMN userid;")
    result = mod.online_users(connection(mariadb), sessions, 15, {}, 50)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (None, 3, 4)
    assert [s["user"] for s in result["active"]] == [None, None, None]
    assert [(u["column"], u["setting"]) for u in result["unavailable"]] == [
        ("user", "columns.user")]


def test_wrong_override_is_reported_not_fatal(mariadb: MariaDB, sessions: str) -> None:
    result = mod.online_users(connection(mariadb), sessions, 15, {"user": "pengguna"}, 50)
    assert result["users"] is None and result["sessions"] == 3
    assert "'pengguna' dari columns.user tidak ada" in result["unavailable"][0]["message"]


def test_missing_table_is_reported(mariadb: MariaDB) -> None:
    result = mod.online_users(connection(mariadb), "no_such_table", 15, {}, 50)
    assert result["sessions_total"] is None and result["database_time"]
    [entry] = result["unavailable"]
    assert entry["setting"] == "table"
    assert entry["message"].startswith("no_such_table: tabel sipp.no_such_table tidak ditemukan")


def test_unreachable_database_fails_with_the_client_error(mariadb: MariaDB) -> None:
    conn = m.Connection(binary="mariadb", database="sipp", user="nobody", password="x",
                        host=mariadb.host, port=mariadb.port)
    denied = r"^ERROR \d+ \(28000\): Access denied for user 'nobody'"
    with pytest.raises(m.MariaDBError, match=denied):
        mod.online_users(conn, "sys_user_online", 15, {}, 5)


def test_sessions_dated_in_the_future_are_a_finding_not_online(mariadb: MariaDB,
                                                                sessions: str) -> None:
    # A session dated seven hours ahead (SIPP writing WIB, data_timezone or the server's
    # clock saying UTC) counted as online: "last activity within 15 minutes" had no upper
    # bound. It is counted apart and named, with how far ahead it lies; a session a few
    # minutes ahead (two clocks a little apart, sop_clock.FUTURE_TOLERANCE) still counts.
    insert(mariadb, sessions, COLS, [
        [lit("s5"), lit("ahead"), lit("10.0.0.5"), ago("1 MINUTE"), "NOW() + INTERVAL 7 HOUR"],
        [lit("s6"), lit("near"), lit("10.0.0.6"), ago("1 MINUTE"), "NOW() + INTERVAL 2 MINUTE"],
    ])
    result = mod.online_users(connection(mariadb), sessions, 15, {}, 50)
    assert (result["users"], result["sessions"], result["sessions_total"]) == (3, 4, 6)
    assert "ahead" not in [s["user"] for s in result["active"]]
    assert result["future_sessions"] == 1
    assert result["future_finding"] == (
        f"1 sesi bertanggal di masa depan, hingga 7,0 jam setelah {result['database_time']} "
        "(jam server SIPP salah atau data_timezone tidak sesuai zona waktu SIPP); "
        "tidak dihitung")
    plain = mod.online_users(connection(mariadb), new_table(mariadb, "online", USER_ONLINE),
                             15, {}, 50)
    assert (plain["future_sessions"], plain["future_finding"]) == (0, None)
