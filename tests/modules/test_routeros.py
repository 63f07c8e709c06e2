"""RouterOS API: the lab's test service against librouteros's own encoder and decoder
(long words, !trap, !fatal, .tag), and library/routeros_check.py against the service
(health, log cursor, export, the clear error lines). No real RouterOS runs here."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sys

import librouteros
import pytest
import yaml
from librouteros.exceptions import FatalError, TrapError
from librouteros.protocol import decode_length, encode_length, encode_word
from librouteros.query import Key
from loader import load, run_module
from routeros_lab import PARAMS, PASSWORD, SERVICE, USER, certificate, free_ports, service

spec = importlib.util.spec_from_file_location("routeros_api_lab", SERVICE)
assert spec and spec.loader
fake = importlib.util.module_from_spec(spec)
sys.modules["routeros_api_lab"] = fake
spec.loader.exec_module(fake)

mod = load("routeros_check")
util = load("sop_routeros")

BOUNDARIES = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000, 0xFFFFFFF]


@pytest.mark.parametrize("length", BOUNDARIES)
def test_length_prefix_matches_librouteros(length):
    encoded = encode_length(length)
    assert fake.encode_length(length) == encoded
    assert decode_length(encoded) == length
    assert len(encoded) == 1 + (length >= 0x80) + (length >= 0x4000) + (length >= 0x200000)


@pytest.mark.parametrize("size", [0x80, 0x4000, 0x200001])
def test_service_reads_long_words_librouteros_wrote(size):
    word = "=message=" + "x" * (size - 9)

    async def read_two():
        reader = asyncio.StreamReader()
        reader.feed_data(encode_word(word, "utf-8") + encode_word("", "utf-8"))
        reader.feed_eof()
        return await fake.read_word(reader), await fake.read_word(reader)

    assert asyncio.run(read_two()) == (word, "")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    d = tmp_path_factory.mktemp("routeros")
    v7, v6, tls, closed, ccr7, ccr6, sfp, reboots = free_ports(8)
    cert = certificate(d, "rb-tls.court.lab", "IP:127.0.0.1")
    routers = [
        {"port": v7, "identity": "rb-kantor", "version": "7.15.3", "firmware": "7.12.1"},
        {"port": v6, "identity": "rb-lama", "version": "6.49.10", "model": "RB951Ui-2HnD"},
        {"port": tls, "identity": "rb-tls", "version": "7.19.4", "tls": True},  # !empty
        # boards whose sensors are named for what they measure (CCR, RB5009, hEX S)
        {"port": ccr7, "identity": "rb-ccr", "version": "7.15.3", "model": "CCR2004-1G-12S+2XS",
         "sensors": {"cpu-temperature": "78", "board-temperature1": "52",
                     "psu1-voltage": "12.1", "psu2-voltage": "0", "fan1-speed": "5400",
                     "fan-state": "ok", "psu1-state": "ok", "psu2-state": "fail"}},
        {"port": ccr6, "identity": "rb-ccr6", "version": "6.49.10", "model": "CCR1009-7G-1C-1S+",
         "sensors": {"voltage": "24.1", "cpu-temperature": "44", "board-temperature1": "81"}},
        {"port": sfp, "identity": "rb-sfp", "version": "7.15.3", "unmonitored": ["sfp1"]},
        {"port": reboots, "identity": "rb-restart", "version": "7.15.3"},
    ]
    with service(d, routers, cert):
        yield {"v7": v7, "v6": v6, "tls": tls, "closed": closed, "ca": str(cert[0]), "dir": d,
               "ccr7": ccr7, "ccr6": ccr6, "sfp": sfp, "reboots": reboots}


def api(port):
    return librouteros.connect("127.0.0.1", USER, PASSWORD, port=port, encoding="utf-8")


def test_long_words_both_ways_in_a_session(lab):
    conn = api(lab["v7"])
    for size in (0x90, 0x4100, 0x200100):
        tuple(conn("/log/warning", message="m" * size))
    messages = [r["message"] for r in conn("/log/print") if "warning" in r["topics"]]
    assert [len(m) for m in messages[-3:]] == [0x90, 0x4100, 0x200100]
    conn.close()


def test_trap_fatal_and_tag(lab):
    conn = api(lab["v7"])
    with pytest.raises(TrapError, match="no such command prefix"):
        tuple(conn("/no/such/print"))
    conn.protocol.writeSentence("/system/identity/print", ".tag=42")
    assert conn.protocol.readSentence() == ("!re", ("=name=rb-kantor", ".tag=42"))
    assert conn.protocol.readSentence() == ("!done", (".tag=42",))
    with pytest.raises(FatalError, match="session terminated on request"):
        tuple(conn("/quit"))


def test_commands_before_login_are_fatal(lab):
    sock = socket.create_connection(("127.0.0.1", lab["v7"]))
    sock.sendall(encode_word("/system/resource/print", "ascii") + b"\x00")
    data = sock.recv(100)
    sock.close()
    assert data.startswith(b"\x06!fatal\x0dnot logged in")


def router(lab, key, **extra):
    base = {
        "name": f"rb-{key}",
        "host": "127.0.0.1",
        "port": lab[key],
        "tls": False,
        "ca_path": None,
        "validate_certs": True,
        "username": USER,
        "password": PASSWORD,
    }
    return {**base, **extra}


def test_health_of_routeros_7(lab):
    r = mod.read_router(router(lab, "v7"), PARAMS)
    assert r["error"] is None
    assert r["identity"] == "rb-kantor"
    assert r["version"] == "7.15.3 (stable)"
    assert r["firmware_outdated"] is True
    assert r["temperature"] == 41.0 and r["voltage"] == 24.3
    ether2 = next(i for i in r["interfaces"] if i["name"] == "ether2")
    assert ether2["rx_error"] == 17 and ether2["rate"] == "1Gbps"
    assert next(i for i in r["interfaces"] if i["name"] == "ether3")["running"] is False
    assert any("firmware RouterBOOT 7.12.1" in w for w in r["warnings"])
    assert r["ok"] is True


def test_named_temperature_sensors_are_graded(lab):
    # RouterOS 7 boards that report only cpu-temperature and board-temperature1 rows
    hot = mod.read_router(router(lab, "ccr7"), PARAMS)
    assert hot["error"] is None
    assert hot["temperature"] == 78.0
    assert "rb-ccr7: suhu 78 C (cpu-temperature)" in hot["warnings"]
    # RouterOS 6 columns of a CCR: the board is the hot one
    v6 = mod.read_router(router(lab, "ccr6"), PARAMS)
    assert v6["temperature"] == 81.0 and v6["voltage"] == 24.1
    assert "rb-ccr6: suhu 81 C (board-temperature1)" in v6["warnings"]
    cool = mod.read_router(router(lab, "ccr6"), dict(PARAMS, temperature_warn=90))
    assert not any("suhu" in w for w in cool["warnings"])


def test_a_failed_power_supply_or_fan_is_a_warning(lab):
    # RouterOS 7 reports the state of redundant power supplies and fans as rows whose
    # value is a word (psu2-state fail, fan-state ok): they were dropped as "not a
    # number", so a CCR running on its last power supply was reported healthy.
    r = mod.read_router(router(lab, "ccr7"), PARAMS)
    assert r["health_states"] == {"fan-state": "ok", "psu1-state": "ok", "psu2-state": "fail"}
    assert "rb-ccr7: sensor psu2-state melaporkan fail" in r["warnings"]
    assert not any("psu1-state" in w or "fan-state" in w for w in r["warnings"])
    plain = mod.read_router(router(lab, "v6"), PARAMS)
    assert plain["health_states"] == {} and not any("sensor" in w for w in plain["warnings"])
    assert util.health_states([{"fan1-state": "fail", "voltage": "24.1"}]) == {"fan1-state": "fail"}


def test_a_port_that_cannot_be_monitored_is_a_warning_for_that_port(lab):
    r = mod.read_router(router(lab, "sfp"), PARAMS)
    assert r["error"] is None and r["identity"] == "rb-sfp" and r["temperature"] == 41.0
    rates = {i["name"]: i["rate"] for i in r["interfaces"]}
    assert rates["ether1"] == "1Gbps" and rates["sfp1"] is None
    assert ("rb-sfp: interface sfp1 tidak dapat dimonitor "
            "(fake service: sfp1 cannot be monitored)") in r["warnings"]
    assert r["problems"] == []


def test_health_of_routeros_6_and_its_export(lab):
    r = mod.read_router(router(lab, "v6"), PARAMS)
    assert r["version"] == "6.49.10 (long-term)" and r["firmware_outdated"] is False
    assert r["temperature"] == 41.0
    assert "wpa2-pre-shared-key" not in r["export"]
    assert "set name=rb-lama" in r["export"]
    shown = mod.read_router(router(lab, "v6"), dict(PARAMS, show_sensitive=True))
    assert "wpa2-pre-shared-key=lab-wifi-Secret-123" in shown["export"]


def test_export_is_normalised_and_stable(lab):
    first = mod.read_router(router(lab, "v7"), PARAMS)["export"]
    second = mod.read_router(router(lab, "v7"), PARAMS)["export"]
    assert first == second
    assert "by RouterOS" not in first and "passphrase" not in first
    assert first.startswith("# software id = ")


def test_log_warnings_since_the_last_run(lab):
    first = mod.read_router(router(lab, "v7"), PARAMS)
    conn = api(lab["v7"])
    tuple(conn("/log/warning", message="ether1 link down"))
    conn.close()
    second = mod.read_router(
        router(lab, "v7"), dict(PARAMS, states={"rb-v7": {"log_cursor": first["log_cursor"]}})
    )
    assert [w["message"] for w in second["log_warnings"]] == ["ether1 link down"]
    third = mod.read_router(
        router(lab, "v7"), dict(PARAMS, states={"rb-v7": {"log_cursor": second["log_cursor"]}})
    )
    assert third["log_warnings"] == []


@pytest.mark.parametrize(("stored", "kind"), [(["*1F"], "array"), ("*1F", "string"),
                                              (31, "number"), (None, "null")])
def test_a_state_that_is_no_json_object_is_named_not_blamed_on_the_router(lab, stored, kind):
    # a damaged state.json (only root writes it) was "RouterOS at ... answered with data
    # RouterOS does not send (AttributeError)": the router's fault, and nothing read
    conn = api(lab["v7"])
    tuple(conn("/log/warning", message="ether2 link down"))
    conn.close()
    r = mod.read_router(router(lab, "v7"), dict(PARAMS, states={"rb-v7": stored}))
    fresh = mod.read_router(router(lab, "v7"), dict(PARAMS, states={}))
    assert r["error"] is None and r["problems"] == []
    assert r["warnings"][0] == (
        "rb-v7: status tersimpan rb-v7/state.json di penyimpanan konfigurasi (net_config_store)"
        f" bukan objek JSON melainkan {kind}; diabaikan, semua peringatan log router ini"
        " dibaca ulang")
    assert r["log_warnings"] == fresh["log_warnings"] != []  # read as without a state
    assert r["log_cursor"] == fresh["log_cursor"]


def test_warnings_after_a_restart_are_read_however_many_lines_followed(lab):
    # After a restart RouterOS starts its log ids again. The check knew a restart only
    # by the ids falling below the stored cursor: once more lines had been logged since
    # than before, the first warnings after the restart (a power cut's, the ones that
    # matter) had ids below the cursor and were never reported. The router's boot time
    # (from its uptime) now tells a restart, which is itself a warning.
    params = dict(PARAMS, states={})
    conn = api(lab["reboots"])
    for n in range(6):
        tuple(conn("/log/warning", message=f"before {n}"))
    first = mod.read_router(router(lab, "reboots"), params)
    state = {"log_cursor": first["log_cursor"], "booted_at": first["booted_at"]}
    again = mod.read_router(router(lab, "reboots"), dict(PARAMS, states={"rb-reboots": state}))
    assert again["restarted"] is False and again["log_warnings"] == []
    assert again["booted_at"] == first["booted_at"]  # unchanged: the stored state too
    tuple(conn("/system/reboot"))
    tuple(conn("/log/warning", message="power restored"))
    for n in range(20):
        tuple(conn("/log/info", message=f"dhcp lease {n}"))
    conn.close()
    after = mod.read_router(router(lab, "reboots"), dict(PARAMS, states={"rb-reboots": state}))
    assert after["restarted"] is True and after["booted_at"] != first["booted_at"]
    assert [w["message"] for w in after["log_warnings"]] == ["power restored"]
    assert any("dinyalakan ulang" in w for w in after["warnings"])


def test_log_cursor_is_the_newest_warning_as_documented(lab):
    conn = api(lab["v7"])
    tuple(conn("/log/warning", message="ether2 link down"))
    tuple(conn("/log/info", message="dhcp lease"))
    rows = list(conn("/log/print"))
    conn.close()
    r = mod.read_router(router(lab, "v7"), PARAMS)
    warning = [row[".id"] for row in rows if "warning" in row["topics"].split(",")][-1]
    # the newest line is this read's own login: the cursor stays on the newest warning,
    # so that a router with nothing new leaves its stored state unchanged
    assert r["log_cursor"] == warning != rows[-1][".id"]
    doc = yaml.safe_load(mod.RETURN)["routers"]["contains"]["log_cursor"]["description"]
    assert "newest warning" in doc and "newest log line" not in doc


def test_normalise_joins_continuations():
    text = (
        "# 2024-05-21 10:00:00 by RouterOS 7.15.3\n"
        "/ip address\nadd address=10.0.0.1/24 \\\r\n    interface=ether1\n"
    )
    assert util.normalise_export(text) == "/ip address\nadd address=10.0.0.1/24 interface=ether1\n"
    v6 = (
        "# may/21/2024 10:00:00 by RouterOS 6.49.10\n# software id = X\n/system identity\n"
        "set name=a\n"
    )
    assert util.normalise_export(v6) == "# software id = X\n/system identity\nset name=a\n"


def test_wrong_credentials(lab):
    r = mod.read_router(router(lab, "v7", password="wrong"), PARAMS)
    where = f"127.0.0.1:{lab['v7']}"
    assert r["error"] == (f"RouterOS di {where} menolak login pengguna 'sop': "
                          "nama pengguna atau kata sandi salah")
    assert r["ok"] is False


def test_api_port_closed(lab):
    r = mod.read_router(router(lab, "closed"), PARAMS)
    assert (
        r["error"] == f"port RouterOS API 127.0.0.1:{lab['closed']} tertutup (koneksi ditolak)"
    )
    # the report's line is Bahasa throughout: it read "router rb-closed tidak dapat dibaca:
    # RouterOS API port ... is closed (connection refused)"
    assert r["problems"] == [f"router rb-closed tidak dapat dibaca: port RouterOS API "
                             f"127.0.0.1:{lab['closed']} tertutup (koneksi ditolak)"]


def test_tls_verified_and_mismatched(lab):
    good = mod.read_router(router(lab, "tls", tls=True, ca_path=lab["ca"]), PARAMS)
    assert good["error"] is None and good["identity"] == "rb-tls"
    # the certificate names rb-tls.court.lab and 127.0.0.1, not localhost
    name = mod.read_router(
        router(lab, "tls", host="localhost", tls=True, ca_path=lab["ca"]), PARAMS
    )
    assert "tidak terverifikasi" in name["error"] and "mismatch" in name["error"]
    other = certificate(lab["dir"], "other-ca")[0]
    r = mod.read_router(router(lab, "tls", tls=True, ca_path=str(other)), PARAMS)
    assert r["error"].startswith(
        f"sertifikat TLS RouterOS API di 127.0.0.1:{lab['tls']} tidak terverifikasi: "
    )
    unchecked = mod.read_router(router(lab, "tls", tls=True, validate_certs=False), PARAMS)
    assert unchecked["identity"] == "rb-tls"


def test_the_plain_api_to_a_tls_port_is_named_so(lab, monkeypatch):
    # tls false against a TLS service: it closes the session on the API's words, reported
    # only as a login broken off, and named only on port 8729; the lab's TLS router, on
    # a port of its own, closes it so and then takes a TLS handshake
    r = mod.read_router(router(lab, "tls"), PARAMS)
    assert r["error"] == (f"RouterOS API di 127.0.0.1:{lab['tls']} memutus login: "
                          f"Connection unexpectedly closed (port {lab['tls']} tampaknya memakai "
                          "TLS (api-ssl): setel tls: true)")
    # a service waiting for a handshake says nothing of itself: named on api-ssl's port
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        monkeypatch.setattr(util, "API_SSL_PORT", port)
        r = mod.read_router({**router(lab, "tls"), "port": port}, {**PARAMS, "timeout": 0.5})
    assert r["error"] == (f"RouterOS API di 127.0.0.1:{port} tidak menjawab dalam 0.5 detik "
                          f"(port {port} adalah api-ssl: setel tls: true)")
    # the plain API's own port, nothing known of it, says nothing
    assert util.plain_to_tls("127.0.0.1", 8728, None, True, 1) == ""


def test_an_empty_answer_of_routeros_7_18_and_later(lab):
    """RouterOS 7.18 answers a print that finds nothing `!empty`, then `!done` (the lab
    service does so for its 7.19 router): no rows, no error."""
    api = util.connect("127.0.0.1", lab["tls"], USER, PASSWORD, tls=True, ca_path=lab["ca"])
    try:
        found = api.path("interface").select(Key("name")).where(Key("name") == "no-such-port")
        assert list(found) == []
        assert [row["name"] for row in util.run(api, "/system/identity/print")] == ["rb-tls"]
    finally:
        api.close()
    replies = fake.Session(
        fake.Router(port=0, identity="rb", version="7.19.4"), {USER: PASSWORD})
    replies.handle("/login", {"name": USER, "password": PASSWORD}, [])
    assert replies.handle("/interface/print", {}, ["?name=no-such-port"]) == [
        ("!empty", {}), ("!done", {})]
    replies.router.version = "7.15.3"
    assert replies.handle("/interface/print", {}, ["?name=no-such-port"]) == [("!done", {})]


def test_version_tuple():
    assert util.version_tuple("7.15.3 (stable)") == (7, 15, 3)
    assert util.version_tuple("6.49beta54") == (6, 49)


@pytest.mark.parametrize(("text", "seconds"), [
    ("1w2d3h4m5s", 788645), ("3d5h", 277200), ("0s", 0), ("59m59s", 3599),
    ("1w2d03:04:05", 788645), ("00:00:07", 7), ("5s120ms", 5),
    ("", None), ("soon", None), (None, None), ("3x", None),
])
def test_uptime_as_routeros_writes_it(text, seconds):
    assert util.uptime_seconds(text) == seconds


def test_boot_time_moves_only_with_a_restart():
    now = util.datetime.datetime(2026, 12, 3, 8, 0, tzinfo=util.datetime.timezone.utc)
    first, restarted = util.boot_time("1d", now, None)
    assert (first, restarted) == ("2026-12-02T08:00:00+00:00", False)
    later = now + util.datetime.timedelta(hours=2, seconds=3)  # rounding, a clock step
    assert util.boot_time("1d2h", later, first) == (first, False)
    assert util.boot_time("10m", later, first) == ("2026-12-03T09:50:03+00:00", True)
    assert util.boot_time("garbage", later, first) == (first, False)
    assert util.boot_time("1d", now, "not a time") == (first, False)


def test_a_drifting_router_clock_is_no_restart_a_restart_still_is():
    """A RouterBoard without NTP counts its uptime 20-100 ppm off: after 200 days at
    100 ppm its boot time seems 29 minutes later than stored, and the fixed 5 minutes
    reported a restart (and its whole log again). The tolerance grows with the time
    since the stored boot (0.1%: 4.8 hours after 200 days); a restart an hour ago, or
    one 5 hours after the stored boot, is still one."""
    booted = util.datetime.datetime(2026, 5, 1, tzinfo=util.datetime.timezone.utc)
    stored = booted.isoformat()
    now = booted + util.datetime.timedelta(days=200)
    counted = round(200 * 86400 * (1 - 100e-6))  # a crystal 100 ppm slow
    assert util.boot_time(f"{counted}s", now, stored) == (stored, False)
    assert util.boot_time(f"{round(200 * 86400 * (1 + 100e-6))}s", now, stored) == (stored, False)
    assert util.boot_time("1h", now, stored) == ("2026-11-16T23:00:00+00:00", True)
    assert util.boot_time("199d19h", now, stored) == ("2026-05-01T05:00:00+00:00", True)
    assert util.boot_time("199d19h15m", now, stored) == (stored, False)  # 4h45m: within


def test_a_boot_time_earlier_than_stored_is_no_restart_and_replaces_it():
    # the controller's clock was a day ahead when the boot was stored, then corrected:
    # the uptime did not go backwards; kept, the stored boot would hide a later restart
    stored = "2026-12-02T08:00:00+00:00"
    now = util.datetime.datetime(2026, 12, 2, 9, 0, tzinfo=util.datetime.timezone.utc)
    assert util.boot_time("1d1h", now, stored) == ("2026-12-01T08:00:00+00:00", False)


def test_the_store_items_record_a_routerboards_kind(lab, tmp_path):
    # net_config_store refuses a gateway's configuration into a RouterBoard's directory
    # of the same name by this kind
    rc, out = run_module("routeros_check", tmp_path, {"routers": [router(lab, "v7")]})
    assert rc == 0 and [i["kind"] for i in out["store_items"]] == ["routeros"]


def test_every_key_of_a_router_is_documented(lab):
    r = mod.read_router(router(lab, "v7"), PARAMS)
    documented = yaml.safe_load(mod.RETURN)["routers"]["contains"]
    assert sorted(set(r) - set(documented)) == []
    store_items = yaml.safe_load(mod.RETURN)["store_items"]["description"]
    assert "booted_at" in store_items


# One RouterBoard's configuration exported at two moments (RouterOS 7 over the API,
# CRLF): in the morning a time-limited firewall rule is outside its hours, the PoE port's
# camera cable is shorted, the upstream port is not ready after a power cut and the VRRP
# peer sent a malformed packet; RouterOS notes each moment's state as a comment line in
# the menu (`# inactive time` and the like, as Oxidized's RouterOS model removes them).
EXPORT_MORNING = (
    "# 2025-03-04 07:15:02 by RouterOS 7.16.2\r\n# software id = 8ZQN-X2MR\r\n#\r\n"
    "# model = RB4011iGS+\r\n# serial number = HEX0A1B2C3D\r\n"
    "/interface ethernet\r\n# poe-out status: short_circuit\r\n"
    "set [ find default-name=ether10 ] poe-out=forced-on\r\n"
    "/interface vrrp\r\n# received packet from 10.20.0.3 bad format\r\n"
    "add interface=bridge-lan name=vrrp1 vrid=20\r\n"
    "/ip dhcp-client\r\n# ether1 not ready\r\nadd interface=ether1\r\n"
    "/ip firewall filter\r\n"
    "add action=accept chain=input connection-state=established,related\r\n"
    "# inactive time\r\n"
    'add action=drop chain=forward comment="jam kerja: tanpa media sosial" \\\r\n'
    "    dst-address-list=medsos time=8h-16h,mon,tue,wed,thu,fri\r\n"
    "/system routerboard settings\r\n"
    "# Firmware upgraded successfully, please reboot for changes to take effect!\r\n"
    "set auto-upgrade=yes\r\n"
)
EXPORT_NOON = (
    "# 2025-03-04 12:40:51 by RouterOS 7.16.2\r\n# software id = 8ZQN-X2MR\r\n#\r\n"
    "# model = RB4011iGS+\r\n# serial number = HEX0A1B2C3D\r\n"
    "/interface ethernet\r\nset [ find default-name=ether10 ] poe-out=forced-on\r\n"
    "/interface vrrp\r\nadd interface=bridge-lan name=vrrp1 vrid=20\r\n"
    "/ip dhcp-client\r\nadd interface=ether1\r\n"
    "/ip firewall filter\r\n"
    "add action=accept chain=input connection-state=established,related\r\n"
    'add action=drop chain=forward comment="jam kerja: tanpa media sosial" \\\r\n'
    "    dst-address-list=medsos time=8h-16h,mon,tue,wed,thu,fri\r\n"
    "/system routerboard settings\r\nset auto-upgrade=yes\r\n"
)


def test_routeros_notes_on_the_moment_are_no_configuration_change():
    morning = util.normalise_export(EXPORT_MORNING)
    assert morning == util.normalise_export(EXPORT_NOON)
    assert morning.startswith("# software id = 8ZQN-X2MR\n#\n# model = RB4011iGS+\n"
                              "# serial number = HEX0A1B2C3D\n/interface ethernet\n")
    assert ('add action=drop chain=forward comment="jam kerja: tanpa media sosial" '
            "dst-address-list=medsos time=8h-16h,mon,tue,wed,thu,fri\n") in morning
    longer = EXPORT_NOON.replace("time=8h-16h", "time=8h-17h")
    assert util.normalise_export(longer) != morning
