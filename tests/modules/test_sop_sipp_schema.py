"""module_utils/sop_sipp_schema.py: column roles, unavailable reports, LIKE patterns, offsets."""

from __future__ import annotations

import pytest
from loader import load

u = load("sop_sipp_schema")

COLUMNS = {"waktu": ("Waktu", "datetime"), "user_name": ("user_name", "varchar")}
CANDIDATES = {"time": ["datetime", "waktu"], "user": ["username"], "action": ["action"]}


def test_resolve_columns_prefers_override_then_candidates():
    assert u.resolve_columns(COLUMNS, CANDIDATES, {}) == {
        "time": "Waktu", "user": None, "action": None}
    assert u.resolve_columns(COLUMNS, CANDIDATES, {"user": "USER_NAME", "time": "nope"}) == {
        "time": None, "user": "user_name", "action": None}


def test_missing_column_names_table_column_candidates_and_setting():
    entry = u.missing_column("sys_audittrail", "user", COLUMNS, candidates=["username", "userid"],
                             overrides={}, affects=["jumlah user"])
    assert entry["table"] == "sys_audittrail" and entry["column"] == "user"
    assert entry["setting"] == "columns.user" and entry["affects"] == ["jumlah user"]
    assert entry["message"] == (
        "sys_audittrail: kolom untuk user tidak ditemukan; dicari: username, userid; "
        "kolom yang ada: Waktu, user_name; tidak dapat dihitung: jumlah user; "
        "atur opsi columns.user")
    wrong = u.missing_column("t", "user", COLUMNS, candidates=["username"],
                             overrides={"user": "pengguna"}, affects=[])
    assert wrong["message"].startswith("t: kolom 'pengguna' dari columns.user tidak ada; "
                                       "kolom yang ada: Waktu, user_name")


@pytest.mark.parametrize(("value", "patterns", "expected"), [
    ("Login", ["login%"], True),
    ("login_failed", ["%fail%"], True),
    ("Hapus Data", ["%hapus%"], True),
    ("logout", ["login%"], False),
    ("a_b", ["a_b"], True),
    ("axb", ["a_b"], True),
    ("a.b", ["a\\.b"], False),
    ("line\nbreak login", ["%login"], True),
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
    with pytest.raises(ValueError, match="unknown time zone"):
        u.offset_minutes("Mars/Olympus")


@pytest.mark.parametrize(("zone", "minutes"), [("+14:00", 840), ("-12:00", -720), ("+0545", 345)])
def test_offsets_clocks_keep_are_read(zone, minutes):
    assert u.offset_minutes(zone) == minutes


@pytest.mark.parametrize("zone", ["+70:00", "+07:60", "-13:00", "+14:01"])
def test_offsets_no_clock_keeps_are_refused(zone):
    # "+70:00", a mistyped +07:00, was 70 hours: SIPP's session window and the audit
    # period moved by almost three days, with no word said.
    with pytest.raises(ValueError, match=r"^time zone offset '.*' is not one of -12:00 to "):
        u.offset_minutes(zone)


@pytest.mark.parametrize(("zone", "minutes"), [
    ("WIB", 420), ("WITA", 480), ("WIT", 540), ("wita", 480), ("Wib", 420),
])
def test_indonesias_zone_names_are_read_as_their_fixed_offsets(zone, minutes):
    # A court's admin types the zone as Indonesia names it: sipp_sync_timezone or
    # sipp_maintenance_timezone 'WITA' failed the SOP ('unknown time zone'), although
    # WIB, WITA and WIT are UTC+7, +8 and +9 with no daylight saving time.
    assert u.offset_minutes(zone) == minutes
    assert u.zone_error({"timezone": zone}, ["timezone"]) is None


@pytest.mark.parametrize("zone", ["WITT", "WI", "WIB+1", "EST5EDT-WIB"])
def test_what_only_resembles_an_indonesian_zone_name_is_unknown(zone):
    with pytest.raises(ValueError, match=r"^unknown time zone "):
        u.offset_minutes(zone)


def test_zone_error_names_the_first_bad_option_and_its_value():
    params = {"timezone": "Asia/Jakarta", "data_timezone": "Asia/Jakrta", "other": None}
    assert u.zone_error(params, ["timezone", "data_timezone"]) == {
        "msg": "data_timezone: unknown time zone 'Asia/Jakrta'", "setting": "data_timezone"}
    assert u.zone_error(dict(params, data_timezone=None), ["timezone", "data_timezone"]) is None


def test_future_finding_names_the_rows_how_far_ahead_and_the_likely_cause():
    # Rows dated ahead of the clock were counted as recent activity without a word.
    assert u.future_finding(0, 0, "sesi", "2026-11-21 12:00:00", unix_time=False) is None
    assert u.future_finding(3, 25190, "kegiatan", "2026-11-21 12:00:00", unix_time=False) == (
        "3 kegiatan bertanggal di masa depan, hingga 7,0 jam setelah 2026-11-21 12:00:00 "
        "(jam server SIPP salah atau data_timezone tidak sesuai zona waktu SIPP); "
        "tidak dihitung")
    # a Unix time knows its zone: only a clock can be wrong
    assert u.future_finding(1, 400, "sesi", "2026-11-21 12:00:00", unix_time=True) == (
        "1 sesi bertanggal di masa depan, hingga 0,1 jam setelah 2026-11-21 12:00:00 "
        "(jam server SIPP salah); tidak dihitung")
    # written as the reports write numbers, which quote the line
    assert u.future_finding(1234, 4_500_000, "kegiatan", "2026-11-21 12:00:00",
                            unix_time=True) == (
        "1.234 kegiatan bertanggal di masa depan, hingga 1.250,0 jam setelah "
        "2026-11-21 12:00:00 (jam server SIPP salah); tidak dihitung")


def test_a_columns_key_no_role_has_is_refused_with_the_keys_it_takes():
    roles = ["last_activity", "user"]
    assert u.columns_error({"user": "u", "last_activity": "t"}, roles) is None
    assert u.columns_error({"last_visit": "t", "ip": "i", "user": "u"}, roles) == {
        "msg": "columns: unknown key 'ip', 'last_visit' (keys: last_activity, user)",
        "setting": "columns"}
