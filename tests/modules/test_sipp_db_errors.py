"""The sipp_* database modules' failures: one line naming the real cause (no database
needed: they fail before the client runs)."""

from __future__ import annotations

import pytest
from loader import run_module


@pytest.mark.parametrize("module", ["sipp_online_users", "sipp_audit_summary"])
def test_a_password_with_a_line_break_is_named_as_such(tmp_path, module):
    # A vault value ending in a newline (encrypt_string fed by echo) cannot go into the
    # option file. sop_mariadb's error is a MariaDBError and a ValueError: caught as the
    # ValueError of a bad parameter it read "data_timezone: option values cannot contain
    # line breaks" (sipp_online_users), neither naming the database nor the password.
    rc, result = run_module(module, tmp_path, {
        "login_user": "sop", "login_password": "S3cret\n", "client_binary": "/bin/false"})
    assert rc == 1
    assert result["msg"] == "SIPP database sipp: the password cannot contain line breaks"
    assert "S3cret" not in str(result)


@pytest.mark.parametrize(("module", "option"), [
    ("sipp_online_users", "data_timezone"),
    ("sipp_audit_summary", "data_timezone"),
    ("sipp_audit_summary", "timezone"),
])
@pytest.mark.parametrize(("zone", "cause"), [
    ("Asia/Jakrta", "unknown time zone 'Asia/Jakrta'"),
    ("+70:00", "time zone offset '+70:00' is not one of -12:00 to +14:00"),
])
def test_a_bad_time_zone_is_named_before_the_database_is_asked(tmp_path, module, option,
                                                              zone, cause):
    # sipp_audit_summary asked the database first: with no database answering (nothing
    # listens on the discard port) the bad zone went unseen behind "Can't connect", and
    # once it answered the error read "unknown time zone ..." naming no option. A zone
    # "+70:00" (a mistyped +07:00) was taken, moving the period by almost three days.
    # `setting` names the option, for a role to name its variable.
    rc, result = run_module(module, tmp_path, {
        "login_host": "127.0.0.1", "login_port": 9, "login_user": "sop", option: zone})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (f"{option}: {cause}", option)


@pytest.mark.parametrize(("module", "key", "keys"), [
    ("sipp_online_users", "last_visit", "last_activity, user, host, login_time"),
    ("sipp_audit_summary", "datetime", "time, user, action, ip, table"),
])
def test_a_columns_key_no_role_has_is_named_before_the_database_is_asked(tmp_path, module,
                                                                         key, keys):
    # the key was ignored: the column named was never used, and nothing said so
    rc, result = run_module(module, tmp_path, {
        "login_host": "127.0.0.1", "login_port": 9, "login_user": "sop",
        "columns": {key: "waktu"}})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (
        f"columns: unknown key '{key}' (keys: {keys})", "columns")


@pytest.mark.parametrize(("module", "option", "value", "cause"), [
    # max_sessions -1 silently listed no session
    ("sipp_online_users", "max_sessions", -1, "must be 0 or more, got -1"),
    ("sipp_online_users", "window_minutes", 0, "must be a positive number of minutes, not 0"),
    ("sipp_audit_summary", "hours", 0, "must be a positive number of hours, not 0"),
    # -5 read "database did not answer within -5 s", the database blamed; 0 was 300
    ("sipp_online_users", "query_timeout", -5, "must be a positive number of seconds, not -5"),
    ("sipp_audit_summary", "query_timeout", 0, "must be a positive number of seconds, not 0"),
])
def test_a_count_out_of_range_is_named_before_the_database_is_asked(tmp_path, module, option,
                                                                    value, cause):
    rc, result = run_module(module, tmp_path, {
        "login_host": "127.0.0.1", "login_port": 9, "login_user": "sop", option: value})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (f"{option}: {cause}", option)


@pytest.mark.parametrize("module", ["sipp_online_users", "sipp_audit_summary"])
@pytest.mark.parametrize(("database", "cause"), [
    ("", "the database name is empty"),
    ("-sipp", "the database name -sipp starts with '-', which the dump and the client "
              "would read as an option"),
])
def test_a_database_name_no_client_can_use_is_named_before_the_database_is_asked(
        tmp_path, module, database, cause):
    # an empty name (sipp_db_name: "") connected to no database: every table read as
    # missing, 'tabel .sys_user_online tidak ditemukan', the court told to set the table
    rc, result = run_module(module, tmp_path, {
        "login_host": "127.0.0.1", "login_port": 9, "login_user": "sop", "database": database})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (f"database: {cause}", "database")



@pytest.mark.parametrize(("database", "cause"), [
    ("", "the database name is empty"),
    ("-sipp", "the database name -sipp starts with '-', which the dump and the client "
              "would read as an option"),
])
def test_sipp_sync_status_names_a_database_no_client_can_use_before_reading_anything(
        tmp_path, database, cause):
    # the Penyamaan data handed it to the client: "-sipp" was read as options (-s -i -pp,
    # the password 'p'), an 'Access denied' blaming the account; "" no database at all
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": "http://127.0.0.1:9/", "compare_counts": True, "login_user": "sop",
        "database": database, "client_binary": "/bin/false"})
    assert rc == 1
    assert (result["msg"], result["setting"]) == (f"database: {cause}", "database")
    # without the Penyamaan data no database is read: its name is not judged
    rc, result = run_module("sipp_sync_status", tmp_path, {
        "public_url": "http://127.0.0.1:9/", "database": database})
    assert "setting" not in result and "Connection refused" in result["msg"], result


@pytest.mark.parametrize("module", ["sipp_online_users", "sipp_audit_summary"])
def test_a_client_that_prints_nothing_is_named_not_a_traceback(tmp_path, module):
    # a wrong client_binary (/bin/true) exits 0 printing nothing: the first row read of
    # its answer ended in an IndexError traceback
    client = tmp_path / "mariadb"
    client.write_text("#!/bin/sh\nexit 0\n")
    client.chmod(0o755)
    rc, result = run_module(module, tmp_path, {"login_user": "sop",
                                               "client_binary": str(client)})
    assert rc == 1
    assert result["msg"] == (f"SIPP database sipp: the MariaDB client {client} printed "
                             "nothing, not even the server's answer (is client_binary a "
                             "mariadb or mysql client?)")
