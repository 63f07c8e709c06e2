"""Review of SOP Pengamanan TI: what an attacker or a real Debian 12 host feeds the
security modules."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time

import pytest
from conftest import within
from loader import load, run_module

ssh = load("security_ssh_audit")
common = load("sop_security")

PARAMS = {"burst_failures": 10, "burst_seconds": 60, "failure_warn": 20,
          "penalised_warn": 10, "success_after_failures": 5,
          "root_login": True, "trusted_users": []}
MONDAY_10_WIB = 1796007600.0


def journal(entries: list[tuple[float, str]]) -> list[bytes]:
    return [json.dumps({"__CURSOR": f"s=c{i}", "__REALTIME_TIMESTAMP": str(int(t * 1e6)),
                        "MESSAGE": m}).encode() for i, (t, m) in enumerate(entries)]


def test_a_crafted_user_name_does_not_blame_another_address():
    # sshd logs the user name an attacker sends as is: spaces and all. A name ending in
    # "from ADDRESS port N" must not make the failures the court admin's address's.
    audit = ssh.Audit(PARAMS, common.OfficeHours("07:30", "17:00", [1, 2, 3, 4, 5],
                                                 "Asia/Jakarta"))
    spoof = "x from 10.0.0.5 port 1"
    lines = [(MONDAY_10_WIB + i, f"Failed password for invalid user {spoof} from 203.0.113.9 "
              f"port {4000 + i} ssh2") for i in range(12)]
    lines.append((MONDAY_10_WIB + 30, "Accepted publickey for admin from 10.0.0.5 port 5000 ssh2: "
                  "ED25519 SHA256:abc"))
    ssh.analyse(audit, journal(lines))
    assert audit.failures == {"203.0.113.9": 12}
    kinds = {f["kind"]: f for f in audit.findings()}
    assert set(kinds) == {"brute_force"}
    assert kinds["brute_force"]["message"].endswith("203.0.113.9")


def test_no_office_day_is_refused():
    # office_days: [] was taken: every login of the period read as outside office hours
    with pytest.raises(common.SecurityInputError,
                       match=r"^office_days: empty: name at least one office day, ISO "
                             r"weekday numbers 1 \(Monday\) to 7 \(Sunday\)$"):
        common.OfficeHours("07:30", "17:00", [], "Asia/Jakarta")


def test_a_crafted_user_name_in_a_closed_connection_does_not_blame_another_address():
    audit = ssh.Audit(PARAMS, common.OfficeHours("07:30", "17:00", [1, 2, 3, 4, 5],
                                                 "Asia/Jakarta"))
    ssh.analyse(audit, journal([(MONDAY_10_WIB, "Connection closed by invalid user "
                                 "x 10.0.0.5 port 1 [preauth] 203.0.113.9 port 7 [preauth]")]))
    assert audit.failures == {"203.0.113.9": 1}


sop_summary = load("security_sop_summary")


def test_the_month_summary_counts_runs_in_the_courts_month():
    # The records keep UTC; a run at 02:00 WIB on 1 December is 19:00 UTC on 30 November
    # and belongs to December in the court's report.
    history = [{"id": 1, "sop_id": "sipp-backup", "sop_title": "Backup", "status": "failed",
                "started_at": "2026-11-30T19:00:00+00:00", "check_mode": False, "error": "x"},
               {"id": 2, "sop_id": "sipp-backup", "sop_title": "Backup", "status": "successful",
                "started_at": "2026-10-31T18:00:00+00:00", "check_mode": False}]
    result = sop_summary.summarise(history, [], ("2026-11-01", "2026-12-01", "2027-01-01"),
                                   "Asia/Jakarta")
    (item,) = result["per_sop"]
    assert (item["runs"], item["failed"], item["previous_runs"]) == (1, 1, 1)




def fake_tool(folder, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def scan_with(tmp_path, monkeypatch, tools: dict[str, str], **args):
    """security_malware_scan of an empty web root with fake tools (name: script), timed."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, script in tools.items():
        fake_tool(folder, name, script)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    web = tmp_path / "www"
    web.mkdir()
    started = time.monotonic()
    rc, result = run_module("security_malware_scan", tmp_path,
                            {"paths": [str(web)], "rules": "rule x { condition: false }",
                             "timeout": 1, **args})
    assert time.monotonic() - started < 10
    return rc, result, web


def test_a_scan_that_never_ends_is_stopped_and_named(tmp_path, monkeypatch):
    # yara's -a limits one file's scan, not the tree's; clamscan had no limit at all.
    rc, result, web = scan_with(tmp_path, monkeypatch, {"yara": "exec sleep 20\n"},
                                clamav="never")
    assert rc == 1 and result["msg"] == f"yara tidak selesai dalam 1 detik di {web}"


def test_a_clamscan_that_never_ends_is_stopped_and_reported(tmp_path, monkeypatch):
    rc, result, _web = scan_with(tmp_path, monkeypatch,
                                 {"yara": "exit 0\n", "clamscan": "exec sleep 20\n"})
    assert rc == 0 and result["scanned"]["clamav"] == {
        "used": False, "reason": "clamscan tidak selesai dalam 1 detik"}


malware = load("security_malware_scan")


def test_a_file_name_with_newlines_names_itself_not_another_file(tmp_path):
    # The web server's account names a webshell so that yara's "RULE PATH" line for it
    # reads as a match in index.php (which it may then get "cleaned").
    up = tmp_path / "uploads"
    up.mkdir()
    index = tmp_path / "index.php"
    index.write_text("<?php echo 1;")
    # A folder "a<newline>php_eval_base64 " holding the tree tmp/.../index.php<CR><ESC>[2K.
    folder = up / "a\nphp_eval_base64 "
    shell = folder / f"{str(index).lstrip('/')}\r\x1b[2K"
    shell.parent.mkdir(parents=True)
    shell.write_text("<?php eval(base64_decode($_POST['x']));")
    out = f"php_eval_base64 {shell}\n"
    matches = malware.parse_yara(out)
    shown = f"{up}/a\\x0aphp_eval_base64 /{str(index).lstrip('/')}\\x0d\\x1b[2K"
    assert matches == [{"scanner": "yara", "rule": "php_eval_base64", "path": shown}]
    (found,) = malware.malware_findings(matches)
    assert found["count"] == 1 and "\n" not in found["message"] and "\x1b" not in found["message"]
    clam = malware.parse_clamscan(f"{shell}: Php.Webshell-1 FOUND\n")
    assert clam == [{"scanner": "clamav", "rule": "Php.Webshell-1", "path": shown}]
    odd = up / "c.php: Php.Fake FOUND\nd.php"
    odd.write_text("<?php system($_GET['c']);")
    clam = malware.parse_clamscan(f"{odd}: Php.Webshell-1 FOUND\n")
    assert clam == [{"scanner": "clamav", "rule": "Php.Webshell-1",
                     "path": f"{up}/c.php: Php.Fake FOUND\\x0ad.php"}]


def test_plain_names_and_a_backslash_are_kept_apart(tmp_path):
    out = "r1 /var/www/a b.php\nr2 /var/www/c\\nd.php\n"
    assert [m["path"] for m in malware.parse_yara(out)] == ["/var/www/a b.php",
                                                            "/var/www/c\\\\nd.php"]


def test_a_name_spelling_an_escape_reads_apart_from_the_character(tmp_path):
    """A file literally named c\\x0ad.php reads apart from one whose name holds a newline
    (sop_tree's shown doubles the backslash), and a byte that is no UTF-8 (yara's output
    as Python keeps it) as its surrogate's escape, never as the C1 control of that number
    (\\x85): the report's reader can tell which file is meant."""
    (tmp_path / "c\nd.php").write_text("<?php")
    out = (f"r1 {tmp_path}/c\\x0ad.php\nr2 {tmp_path}/c\nd.php\n"
           f"r3 {tmp_path}/e\udc85.php\nr4 {tmp_path}/e\x85.php\n")
    assert [m["path"] for m in malware.parse_yara(out)] == [
        f"{tmp_path}/c\\\\x0ad.php", f"{tmp_path}/c\\x0ad.php",
        f"{tmp_path}/e\\udc85.php", f"{tmp_path}/e\\x85.php"]


wordpress = load("security_wordpress")


def test_plugin_headers_are_read_as_wordpress_reads_them(tmp_path):
    # WordPress (get_file_data) takes a header's first occurrence, allows it on the
    # '<?php' line and cuts a closing '*/' or '?>'.
    plugins = tmp_path / "plugins"
    (plugins / "shop").mkdir(parents=True)
    (plugins / "shop" / "shop.php").write_text(
        "<?php\n/*\nPlugin Name: Shop\nVersion: 5.3.1\n*/\n\n/*\n * Changelog\n"
        " * Version: 1.0 first release\n */\n")
    (plugins / "tiny.php").write_text("<?php /* Plugin Name: Tiny */\n// Version: 2.0 ?>\n")
    found = wordpress.plugins_in(str(plugins))
    assert [(p["slug"], p["version"]) for p in found] == [("shop", "5.3.1"), ("tiny", "2.0")]


def test_an_apt_cache_that_never_ends_is_stopped_and_named(tmp_path, monkeypatch):
    """apt-cache policy ran without a time limit: a hung one (a stale lock on a network
    mount, a dying disk) held the whole security SOP run."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "apt-cache", "exec sleep 20\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    started = time.monotonic()
    rc, result = run_module("security_wordpress", tmp_path,
                            {"roots": [str(tmp_path / "none")], "plugin_dirs": [], "timeout": 1})
    assert time.monotonic() - started < 10
    assert rc == 1 and result["msg"] == "apt-cache policy tidak selesai dalam 1 detik"


def test_a_dpkg_query_that_never_ends_is_stopped_and_named(tmp_path, monkeypatch):
    """dpkg-query ran without a time limit: a hung one (a dpkg database on a dying disk)
    held the whole security SOP run."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "dpkg-query", "exec sleep 20\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    started = time.monotonic()
    rc, result = run_module("security_software", tmp_path, {"timeout": 1}, 15)
    assert time.monotonic() - started < 10
    assert rc == 1 and result["msg"] == "dpkg-query tidak selesai dalam 1 detik"


listeners = load("security_listeners")


def test_ipv6_addresses_with_an_interface_as_ss_prints_them():
    # ss prints an IPv6 address bound to an interface as [ADDRESS]%IFACE:PORT.
    out = ('udp UNCONN 0 0 [fe80::5054:ff:fe12:3456]%enp1s0:546 [::]:* '
           'users:(("systemd-network",pid=5,fd=20))\n'
           'tcp LISTEN 0 10 [::1]%lo:8080 [::]:* users:(("python3",pid=6,fd=3))\n')
    parsed = listeners.parse_ss(out)
    assert [(i["address"], i["port"]) for i in parsed] == [
        ("fe80::5054:ff:fe12:3456", 546), ("::1", 8080)]
    checked, found = listeners.compare(parsed, listeners.parse_allowed(["udp/546"]),
                                       include_loopback=False)
    assert found == [] and [i["port"] for i in checked] == [546]
    # an IPv6 listener not allowed is named as ss writes it, its port apart from the address
    _, found = listeners.compare(parsed, [], include_loopback=True)
    assert found[0]["samples"] == ["tcp [::1]:8080 python3",
                                   "udp [fe80::5054:ff:fe12:3456]:546 systemd-network"]


SSHD_T = "passwordauthentication no\\npermitrootlogin without-password\\nusepam yes\\n"
RULESET = ("table inet filter {\\n\\tchain input {\\n\\t\\ttype filter hook input priority filter; "
           "policy drop;\\n\\t}\\n}\\n")


@pytest.mark.parametrize("hung", ["sshd", "nft", "systemctl", "fail2ban-client"])
def test_a_hung_tool_does_not_hang_the_hardening_check(tmp_path, monkeypatch, hung):
    tools = tmp_path / "bin"
    tools.mkdir()
    scripts = {"sshd": f"printf '{SSHD_T}'\n", "nft": f"printf '{RULESET}'\n",
               "systemctl": "exit 0\n",
               "fail2ban-client": '[ -z "$2" ] && echo "\\`- Jail list: sshd"; exit 0\n'}
    scripts[hung] = "exec sleep 20\n"
    for name, script in scripts.items():
        fake_tool(tools, name, script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    started = time.monotonic()
    rc, result = run_module("security_hardening", tmp_path, {"timeout": 1})
    assert time.monotonic() - started < 10
    text = f"{hung} tidak selesai dalam 1 detik"
    if hung in ("sshd", "nft"):
        assert rc == 1 and result["msg"] == text
    else:
        assert rc == 0 and text in json.dumps(result["warnings"])
    # a fail2ban-client that did not answer is no fail2ban that does not run
    unread = [n["message"] for n in result.get("notes", []) if n["kind"] == "fail2ban_unread"]
    assert unread == ([] if hung != "fail2ban-client" else
                      ["fail2ban-client tidak menjawab dalam 1 detik: larangan fail2ban tidak "
                       "terbaca"])


BOOT = "default.target\n  sysinit.target\n  nftables.service\n  ssh.service\n"
NOT_AT_BOOT = "default.target\n  sysinit.target\n  ssh.service\n"
LOST = "aturan hilang setelah reboot"
NOT_PULLED = ("dan tidak ditarik unit yang dijalankan saat boot (systemctl list-dependencies "
              "default.target)")


@pytest.mark.parametrize(("printed", "rc", "deps", "enabled", "pulled_in", "why"), [
    ("enabled", 0, None, True, None, None),
    # enabled only until the next boot: systemctl exits 0 all the same
    ("enabled-runtime", 0, BOOT, False, None,
     "hanya di-enable sampai reboot berikutnya (enabled-runtime, tautannya di /run/systemd): "
     + LOST),
    # no [Install], or made by a generator, or enabled under another name: the boot still
    # starts it when a unit it starts pulls it in, and only then
    ("static", 0, BOOT, False, True, None),
    ("generated", 0, BOOT, False, True, None),
    ("indirect", 0, BOOT, False, True, None),
    ("static", 0, NOT_AT_BOOT, False, False,
     f"tidak di-enable (static: unitnya tanpa bagian [Install]) {NOT_PULLED}: {LOST}"),
    ("generated", 0, NOT_AT_BOOT, False, False,
     f"dibuat oleh generator systemd (generated) {NOT_PULLED}: {LOST}"),
    ("indirect", 0, NOT_AT_BOOT, False, False,
     f"tidak di-enable (indirect: hanya lewat nama lain atau Also=) {NOT_PULLED}: {LOST}"),
    # the boot's units not read: unproven, said so
    ("static", 0, "", False, None,
     "tidak di-enable (static: unitnya tanpa bagian [Install]), dan apakah unit yang "
     "dijalankan saat boot menariknya tidak terbaca (systemctl list-dependencies gagal: "
     "Failed to connect to bus): aturan bisa hilang setelah reboot"),
    ("disabled", 1, BOOT, False, None, "tidak di-enable (disabled): " + LOST),
    ("masked", 1, BOOT, False, None, "tidak di-enable (masked): " + LOST),
    # a SysV script's redirect is told before the state
    ("nftables.service is not a native service, redirecting to systemd-sysv-install.\n"
     "Executing: /lib/systemd/systemd-sysv-install is-enabled nftables\nenabled", 0, None, True,
     None, None),
])
def test_the_nftables_service_must_start_at_boot(tmp_path, monkeypatch, printed, rc, deps,
                                                 enabled, pulled_in, why):
    """systemctl is-enabled exits 0 for enabled-runtime (linked in /run, gone at the next
    boot), static, indirect and generated too: the firewall read as persistent by the exit
    code. Then static, indirect and generated were all findings, though the boot starts
    such a unit when another unit pulls it in (systemctl(1): static has no [Install];
    generated units are "enabled implicitly by their generator")."""
    tools = tmp_path / "bin"
    tools.mkdir()
    # list-dependencies answers only as the module must ask it (default.target, every
    # unit expanded, one name a line); "" is a systemctl that fails there
    answer = (f"printf '{deps}'; exit 0" if deps else "echo 'Failed to connect to bus' >&2; exit 1")
    systemctl = (f'case "$*" in\n'
                 f"  'is-enabled nftables') printf '{printed}\\n'; exit {rc} ;;\n"
                 f"  'list-dependencies --plain --full --no-pager --all default.target') "
                 f"{answer} ;;\n"
                 f"esac\nexit 64\n")
    for name, script in {"sshd": f"printf '{SSHD_T}'\n", "nft": f"printf '{RULESET}'\n",
                         "systemctl": systemctl}.items():
        fake_tool(tools, name, script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc_module, result = run_module("security_hardening", tmp_path, {"timeout": 5})
    assert rc_module == 0
    assert result["firewall"]["service_enabled"] is enabled
    assert result["firewall"]["service_pulled_in_at_boot"] is pulled_in
    assert result["firewall"]["service_state"] == printed.splitlines()[-1]
    messages = [f["message"] for f in result["findings"]
                if f["kind"] in ("firewall_not_persistent", "firewall_persistence_unread")]
    if why is None:
        assert messages == []
    else:
        assert messages == [f"Firewall aktif tetapi layanan nftables {why}"]


def hardening_with_systemctl(tmp_path, monkeypatch, answers: dict[str, str],
                             timeout: int = 5) -> dict:
    """security_hardening's result with a filtering ruleset and a fake systemctl that
    runs answers[ITS ARGUMENTS] (a shell snippet; its exit status its last command's)
    and exits 64 for any other call."""
    tools = tmp_path / "bin"
    tools.mkdir()
    cases = "".join(f"  '{args}') {snippet} ;;\n" for args, snippet in answers.items())
    for name, script in {"sshd": f"printf '{SSHD_T}'\n", "nft": f"printf '{RULESET}'\n",
                         "systemctl": f'case "$*" in\n{cases}  *) exit 64 ;;\nesac\n'}.items():
        fake_tool(tools, name, script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_hardening", tmp_path, {"timeout": timeout})
    assert rc == 0, result.get("msg")
    return result


def persistence_findings(result: dict) -> list[tuple[str, str]]:
    return [(f["kind"], f["message"]) for f in result["findings"]
            if f["kind"].startswith("firewall_")]


IS_ENABLED = "is-enabled nftables"
SHOW = "show --property=Id,NeedDaemonReload nftables.service"
DEPENDENCIES = "list-dependencies --plain --full --no-pager --all default.target"


@pytest.mark.parametrize(("snippet", "why"), [
    ("exec sleep 20", "systemctl tidak menjawab dalam 1 detik"),
    ("echo 'Failed to get unit file state for nftables.service: Access denied' >&2; exit 1",
     "systemctl is-enabled nftables gagal: Failed to get unit file state for "
     "nftables.service: Access denied"),
])
def test_an_unread_service_state_is_not_a_disabled_service(tmp_path, monkeypatch, snippet, why):
    """A systemctl is-enabled that hung (killed after the timeout) or failed printing no
    state was reported as 'layanan nftables tidak di-enable': a false finding."""
    result = hardening_with_systemctl(tmp_path, monkeypatch, {IS_ENABLED: snippet}, timeout=1)
    assert result["firewall"]["service_state"] is None
    assert result["firewall"]["service_unread"] == why
    assert persistence_findings(result) == [
        ("firewall_persistence_unread", f"Firewall aktif tetapi status layanan nftables tidak "
                                        f"terbaca: {why}: aturan bisa hilang setelah reboot")]


def test_a_hung_list_dependencies_is_named_as_such(tmp_path, monkeypatch):
    result = hardening_with_systemctl(tmp_path, monkeypatch, {
        IS_ENABLED: "echo static", DEPENDENCIES: "exec sleep 20"}, timeout=1)
    assert result["firewall"]["service_pulled_in_at_boot"] is None
    assert persistence_findings(result) == [(
        "firewall_persistence_unread",
        "Firewall aktif tetapi layanan nftables tidak di-enable (static: unitnya tanpa bagian "
        "[Install]), dan apakah unit yang dijalankan saat boot menariknya tidak terbaca "
        "(systemctl tidak menjawab dalam 1 detik): aturan bisa hilang setelah reboot")]


FW_ENABLED = "is-enabled firewall.service"


@pytest.mark.parametrize(("answers", "alias_state", "enabled", "pulled_in", "found"), [
    # the unit nftables.service is an alias of starts at boot: no finding
    ({FW_ENABLED: "echo enabled"}, "enabled", True, None, []),
    ({FW_ENABLED: "echo static",
      DEPENDENCIES: "printf 'default.target\\n  firewall.service\\n'"},
     "static", False, True, []),
    # it does not: the finding names both names and the unit's own state
    ({FW_ENABLED: "echo disabled; exit 1"}, "disabled", False, None, [(
        "firewall_not_persistent", "Firewall aktif tetapi layanan nftables (alias dari "
        "firewall.service) tidak di-enable (disabled): aturan hilang setelah reboot")]),
    ({FW_ENABLED: "echo static",
      DEPENDENCIES: "printf 'default.target\\n  nftables.service\\n'"},
     "static", False, False, [(
         "firewall_not_persistent", "Firewall aktif tetapi layanan nftables (alias dari "
         "firewall.service) tidak di-enable (static: unitnya tanpa bagian [Install]) dan "
         "tidak ditarik unit yang dijalankan saat boot (systemctl list-dependencies "
         "default.target): aturan hilang setelah reboot")]),
    # its state not read: unread, naming it
    ({FW_ENABLED: "exec sleep 20"}, None, False, None, [(
        "firewall_persistence_unread", "Firewall aktif tetapi status layanan nftables (alias "
        "dari firewall.service) tidak terbaca: systemctl tidak menjawab dalam 1 detik: "
        "aturan bisa hilang setelah reboot")]),
])
def test_an_alias_is_judged_by_the_unit_it_names(tmp_path, monkeypatch, answers, alias_state,
                                                 enabled, pulled_in, found):
    """systemctl(1): alias means "the name is an alias (symlink to another unit file)",
    nothing of whether that unit is enabled; it was a finding 'tidak di-enable (alias)'
    whatever the unit's own state. The loaded unit's Id names the unit aliased."""
    result = hardening_with_systemctl(tmp_path, monkeypatch, {
        IS_ENABLED: "echo alias", SHOW: "printf 'Id=firewall.service\\nNeedDaemonReload=no\\n'",
        **answers}, timeout=1)
    firewall = result["firewall"]
    assert firewall["service_state"] == "alias"
    assert firewall["service_alias_of"] == "firewall.service"
    assert firewall["service_alias_state"] == alias_state
    assert firewall["service_enabled"] is enabled
    assert firewall["service_pulled_in_at_boot"] is pulled_in
    assert persistence_findings(result) == found


@pytest.mark.parametrize("show", [
    "echo 'Failed to connect to bus: No such file or directory' >&2; exit 1",
    "printf 'Id=nftables.service\\nNeedDaemonReload=no\\n'"])
def test_an_alias_whose_unit_is_unknown_is_unread(tmp_path, monkeypatch, show):
    result = hardening_with_systemctl(tmp_path, monkeypatch, {IS_ENABLED: "echo alias",
                                                              SHOW: show})
    ((kind, message),) = persistence_findings(result)
    assert kind == "firewall_persistence_unread"
    assert message.startswith("Firewall aktif tetapi status layanan nftables tidak terbaca: "
                              "nftables.service alias dari unit lain yang tidak terbaca (")
    assert result["firewall"]["service_alias_of"] is None


@pytest.mark.parametrize(("reload", "notes"), [
    ("yes", ["nftables_unit_changed"]), ("no", []), (None, [])])
def test_a_unit_file_changed_since_loaded_is_a_note(tmp_path, monkeypatch, reload, notes):
    """nftables.service's unit file edited on disk without systemctl daemon-reload: what
    systemd has loaded (and list-dependencies reads) is not what the next boot reads."""
    show = (f"printf 'Id=nftables.service\\nNeedDaemonReload={reload}\\n'" if reload
            else "exec sleep 20")
    result = hardening_with_systemctl(tmp_path, monkeypatch, {IS_ENABLED: "echo enabled",
                                                              SHOW: show}, timeout=1)
    assert result["firewall"]["service_needs_daemon_reload"] is {"yes": True, "no": False}.get(
        reload or "")
    # (no fail2ban-client here: its fail2ban_missing note is not this test's)
    ours = [n for n in result["notes"] if n["kind"].startswith("nftables")]
    assert [n["kind"] for n in ours] == notes
    assert persistence_findings(result) == []
    if notes:
        assert ours[0]["message"] == (
            "Berkas unit nftables.service berubah di disk sejak dimuat systemd (belum "
            "systemctl daemon-reload): status layanan yang dilaporkan bisa sudah usang")
        assert "nftables_unit_changed: Berkas unit" in result["sop_output"]["notes"][0]


def hardening_with(tmp_path, monkeypatch, tools, client: str, timeout: int):
    """security_hardening run on a hardened host (sshd, nft, systemctl faked in
    ``tools``) whose fail2ban-client is the script ``client``: (rc, result)."""
    for name, script in {"sshd": f"printf '{SSHD_T}'\n", "nft": f"printf '{RULESET}'\n",
                         "systemctl": "echo enabled\n", "fail2ban-client": client}.items():
        fake_tool(tools, name, script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    return run_module("security_hardening", tmp_path, {"timeout": timeout})


def test_a_jail_gone_between_listing_and_reading_is_a_note(tmp_path, monkeypatch):
    """A reload between `fail2ban-client status` (listing the jails) and `status JAIL`
    removed one: its 'does not exist' failed the whole hardening check."""
    tools = tmp_path / "bin"
    tools.mkdir()
    client = """case "$2" in
  "") printf '|- Number of jail:\\t2\\n`- Jail list:\\tsshd, recidive\\n' ;;
  sshd) printf '|  |- Currently banned:\\t1\\n|  |- Total banned:\\t4\\n'
        printf '|  `- Banned IP list:\\t203.0.113.9\\n' ;;
  *) echo "ERROR  NOK: ('$2',)" >&2; echo "Sorry but the jail '$2' does not exist"; exit 255 ;;
esac
"""
    rc, result = hardening_with(tmp_path, monkeypatch, tools, client, 5)
    assert rc == 0, result.get("msg")
    assert result["fail2ban"] == {"sshd": {"currently_banned": 1, "total_banned": 4,
                                           "banned": ["203.0.113.9"]}}
    assert [n["kind"] for n in result["notes"]] == ["fail2ban_jail_gone"]
    assert "recidive" in result["notes"][0]["message"] and result["findings"] == []
    # any other error of a jail's status still fails the check, naming it
    fake_tool(tools, "fail2ban-client", client.replace(
        "Sorry but the jail '$2' does not exist", "Failed to access socket path"))
    rc, result = run_module("security_hardening", tmp_path, {"timeout": 5})
    assert rc == 1 and result["msg"].startswith("fail2ban-client status recidive failed: ")


def test_fail2ban_not_installed_is_a_note_not_a_stopped_fail2ban(tmp_path, monkeypatch):
    """A host without fail2ban-client had fail2ban null and no note: the activity's
    summary said 'fail2ban tidak berjalan' of a fail2ban never installed."""
    if any(os.path.exists(f"{folder}/fail2ban-client")
           for folder in ("/usr/bin", "/bin", "/sbin", "/usr/sbin", "/usr/local/sbin")):
        pytest.skip("fail2ban-client is installed here (Ansible's get_bin_path looks in sbin)")
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, script in {"sshd": f"printf '{SSHD_T}'\n", "nft": f"printf '{RULESET}'\n",
                         "systemctl": "echo enabled\n"}.items():
        fake_tool(tools, name, script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_hardening", tmp_path, {"timeout": 5})
    assert rc == 0, result.get("msg")
    assert result["fail2ban"] is None
    assert result["sop_output"]["notes"] == [
        "fail2ban_missing: fail2ban tidak terpasang (fail2ban-client tidak ada)"]


def test_a_bad_sshd_option_is_named_with_its_file_and_line(tmp_path, monkeypatch):
    """A typo in a drop-in of sshd_config.d failed the check with sshd's summary, 'terminating,
    1 bad configuration options', not the option and line sshd names before it."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "sshd", "echo '/etc/ssh/sshd_config.d/court.conf: line 3: Bad configuration "
                             "option: PasswordAuthenticaton' >&2\n"
                             "echo '/etc/ssh/sshd_config: terminating, 1 bad configuration "
                             "options' >&2\nexit 255\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_hardening", tmp_path, {"timeout": 5})
    assert rc == 1 and result["msg"] == (
        "sshd -T failed: /etc/ssh/sshd_config.d/court.conf: line 3: Bad configuration option: "
        "PasswordAuthenticaton")


ENTRY = ('{"__CURSOR":"s=c1","__REALTIME_TIMESTAMP":"1796007600000000",'
         '"MESSAGE":"Failed password for alice from 203.0.113.9 port 4000 ssh2"}')


@pytest.mark.parametrize("script", [
    # A journal with many unreadable files warns on stderr before any entry: more than a
    # pipe holds (64 KiB) while the module read only stdout.
    f"head -c 200000 /dev/zero | tr '\\\\0' w >&2\necho '{ENTRY}'\n",
    # A journal that hangs (a dying disk).
    "exec sleep 20\n",
])
def test_journalctl_that_fills_stderr_or_hangs_does_not_hang_the_ssh_audit(tmp_path, monkeypatch,
                                                                           script):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "journalctl", script)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    hangs = "sleep" in script
    args = {"cursor_file": "", **({"timeout": 2} if hangs else {})}
    rc, result = run_module("security_ssh_audit", tmp_path, args, 15)
    if hangs:
        assert rc == 1 and result["msg"] == "journalctl tidak selesai dalam 2 detik"
    else:
        assert rc == 0 and result["ssh"]["failures"] == 1


hardening = load("security_hardening")

# nft list ruleset as nftables 1.0.6 (Debian 12) prints it.
OPEN_BUT_INVALID_DROP = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tct state invalid counter packets 12 bytes 480 drop comment "broken packets"
\t\tct state established,related accept
\t\ttcp dport 22 accept comment "admin: drop others later"
\t}
}
"""
OPEN_WITH_WORDS_IN_COMMENTS = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tcomment "TODO policy drop; reject the rest"
\t\tiif "lo" accept comment "drop nothing from loopback"
\t\ttcp dport 22 log prefix "reject? " accept
\t}
}
"""
# Debian 12's fail2ban bans with nftables (banaction = nftables): a chain on the input
# hook that rejects only the banned addresses. It is no firewall.
FAIL2BAN_ONLY = """table inet f2b-table {
\tset addr-set-sshd {
\t\ttype ipv4_addr
\t\telements = { 203.0.113.9 }
\t}
\tchain f2b-chain {
\t\ttype filter hook input priority filter - 1; policy accept;
\t\ttcp dport 22 ip saddr @addr-set-sshd reject with icmp port-unreachable
\t}
}
"""
FILTERING = {
    "policy drop": "type filter hook input priority filter; policy drop;\n\t\tiif \"lo\" accept",
    "a final reject": ("type filter hook input priority filter + 10; policy accept;\n"
                       "\t\tct state invalid drop\n\t\ttcp dport 22 accept\n"
                       "\t\treject with icmpx admin-prohibited"),
    "a counted drop": ("type filter hook input priority filter; policy accept;\n"
                       "\t\ttcp dport 22 accept\n"
                       "\t\tiifname \"enp1s0\" counter packets 3 bytes 120 drop"),
    "a blocked port": ("type filter hook input priority filter; policy accept;\n"
                       "\t\ttcp dport 3306 reject with tcp reset"),
}


@pytest.mark.parametrize("ruleset", [OPEN_BUT_INVALID_DROP, OPEN_WITH_WORDS_IN_COMMENTS,
                                     FAIL2BAN_ONLY])
def test_a_chain_that_accepts_everything_is_no_firewall(ruleset):
    parsed = hardening.parse_ruleset(ruleset)
    assert len(parsed["input_chains"]) == 1 and parsed["filtering_chains"] == []
    (found,) = hardening.firewall_findings(dict(parsed, service_enabled=True), True)
    assert found["kind"] == "no_firewall"


@pytest.mark.parametrize("body", list(FILTERING.values()), ids=list(FILTERING))
def test_a_chain_that_drops_or_rejects_is_a_firewall(body):
    ruleset = f"table inet filter {{\n\tchain input {{\n\t\t{body}\n\t}}\n}}\n"
    assert hardening.parse_ruleset(ruleset)["filtering_chains"] == ["input"]


tls = load("security_tls")


@pytest.mark.parametrize(("site", "expected"), [
    ("[2001:db8::1]:443", ("2001:db8::1", 443)),
    ("[2001:db8::1]:8443", ("2001:db8::1", 8443)),
    ("[::1]", ("::1", 443)),
    ("2001:db8::1", ("2001:db8::1", 443)),  # an IPv6 address without brackets has no port
    ("pn-test.go.id:8443", ("pn-test.go.id", 8443)),
    ("192.0.2.7", ("192.0.2.7", 443)),
])
def test_a_site_may_be_an_ipv6_literal(site, expected):
    assert tls.split_site(site) == expected


@pytest.mark.parametrize("site", ["https://[::1]:8443/", "[::1]:", "[::1]x", "[::g]:443",
                                  "[pn-test.go.id]:443", "a:b:443", ""])
def test_what_is_not_a_site_is_refused_in_one_line(site):
    with pytest.raises(common.SecurityInputError, match="expected NAME"):
        tls.split_site(site)


def test_a_site_on_an_ipv6_address_is_reached_and_labelled():
    try:
        listener = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with listener:
        port = listener.getsockname()[1]
        result, found = tls.probe(f"[::1]:{port}", "", ["TLSv1"], {}, 0.3)
    # The listener never answers TLS: reached (not unreachable), every handshake timed out.
    assert [f["kind"] for f in found] == ["tls_timeout"] and result["site"] == f"[::1]:{port}"
    assert found[0]["message"].startswith(f"Situs [::1]:{port} menerima koneksi TCP")


def test_an_unreachable_ipv6_address_is_named_in_brackets():
    """'tidak dapat dihubungi ...: ::1:443: Connection refused' read as address ::1:443."""
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6) as taken:
            port = taken.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback here")
    _, found = tls.probe(f"pn-test.go.id:{port}", "[::1]", ["TLSv1"], {}, 2)
    assert [f["kind"] for f in found] == ["tls_unreachable"]
    assert f"uji TLS: [::1]:{port}: " in found[0]["message"]


def test_a_plugin_folder_removed_while_it_is_read_is_skipped(tmp_path, monkeypatch):
    # The site's account owns the plugins folder: a folder it removes (or replaces with
    # a file) between the check that it is a folder and its listing is no traceback.
    plugins = tmp_path / "plugins"
    for slug in ("akismet", "gone"):
        (plugins / slug).mkdir(parents=True)
        (plugins / slug / f"{slug}.php").write_text(
            f"<?php\n/*\nPlugin Name: {slug}\nVersion: 1.0\n*/\n")
    real_isdir = os.path.isdir

    def racing(path):
        answer = real_isdir(path)
        if answer and os.path.basename(path) == "gone":
            shutil.rmtree(path)
        return answer

    monkeypatch.setattr(wordpress.os.path, "isdir", racing)
    assert [p["slug"] for p in wordpress.plugins_in(str(plugins))] == ["akismet"]


# WordPress compares versions with PHP's version_compare.
@pytest.mark.parametrize(("newer", "older"), [
    ("6.5", "6.5-RC1"), ("6.5", "6.5-beta3"), ("6.5-RC2", "6.5-RC1"), ("6.5-RC1", "6.5-beta3"),
    ("6.5-beta1", "6.5-alpha2"), ("6.5-alpha", "6.5-dev"), ("1.0rc1", "1.0b2"),
    ("1.0-pl1", "1.0"), ("6.5.1", "6.5"), ("6.4.10", "6.4.9"), ("5.3.1", "5.3-beta"),
    ("2", "1.9.9"),
])
def test_versions_order_as_php_version_compare(newer, older):
    assert common.version_key(newer) > common.version_key(older)
    assert common.version_key(older) < common.version_key(newer)


def test_a_release_candidate_is_older_than_the_release_and_no_version_is_unknown():
    plugins = [{"slug": "shop", "path": "/p/shop/shop.php", "version": "6.5-RC1"},
               {"slug": "forms", "path": "/p/forms/forms.php", "version": ""},
               {"slug": "seo", "path": "/p/seo/seo.php", "version": "2.0"}]
    found = wordpress.assess([], plugins, {"plugins": {"shop": "6.5", "forms": "5.9",
                                                       "seo": "2.0"}}, (None, None))
    assert [(p["slug"], p["status"]) for p in plugins] == [
        ("shop", "outdated"), ("forms", "unknown"), ("seo", "current")]
    (plugin,) = found
    assert plugin["samples"] == ["shop 6.5-RC1 (tersedia 6.5) di /p/shop/shop.php"]


def test_a_plugin_version_with_thousands_of_digits_is_compared_not_a_traceback(tmp_path):
    """A plugin file is the site's account's to write: a Version header of 5000 digits
    made int() raise (Python's 4300-digit limit) and the check died in a traceback."""
    huge = "1." + "9" * 5000
    plugins = tmp_path / "plugins"
    (plugins / "shop").mkdir(parents=True)
    (plugins / "shop" / "shop.php").write_text(
        f"<?php\n/*\nPlugin Name: Shop\nVersion: {huge}\n*/\n")
    rc, result = run_module("security_wordpress", tmp_path,
                            {"roots": [], "plugin_dirs": [str(plugins)], "apt_package": "",
                             "available": {"plugins": {"shop": "2.0"}}})
    assert rc == 0 and [p["status"] for p in result["plugins"]] == ["outdated"]
    assert common.version_key(huge) > common.version_key("1." + "9" * 4999)
    assert common.version_key("1.010") == common.version_key("1.10")  # as PHP: numbers


OVERDUE = ('[{"sop_id": "sipp-backup", "court_name": "PA Batulicin", '
           '"overdue_at": "2026-11-20T00:00:00+00:00"}]')


def summary_with_history(tmp_path, history: str, **args):
    """security_sop_summary with a fake `sop`: `history` runs for `sop history`; `sop
    overdue` reports one overdue SOP (exit 7)."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "sop", f'if [ "$1" = history ]; then {history}; exit 0; fi\n'
                            f"echo '{OVERDUE}'; exit 7\n")
    return run_module("security_sop_summary", tmp_path,
                      {"sop_command": str(tools / "sop"), "inventory": "hosts.yml", **args})


@pytest.mark.parametrize(("history", "expected"), [
    # A warning printed before the JSON, or no output at all.
    ("echo 'warning: store is read-only'; echo '[]'",
     "sop history gave no JSON list: warning: store is read-only"),
    ("exit 0", "sop history gave no JSON list"),
    ("echo '{\"error\": \"x\"}'", 'sop history gave no JSON list: {"error": "x"}'),
    ("echo '[1]'", "sop history gave no JSON list: [1]"),
    # 7 means "a SOP is overdue" and only `sop overdue` exits with it.
    ("echo '[]'; exit 7", "sop history failed: exit code 7"),
])
def test_what_sop_history_gives_that_is_not_its_records_fails_in_one_line(tmp_path, history,
                                                                          expected):
    rc, result = summary_with_history(tmp_path, history)
    assert rc == 1 and result["msg"] == expected


def test_an_overdue_sop_is_reported_not_failed(tmp_path):
    rc, result = summary_with_history(tmp_path, 'echo "[]"')
    assert rc == 0 and result["summary"]["overdue"][0]["sop_id"] == "sipp-backup"


def test_the_courts_zone_as_its_admins_write_it_summarises_its_months(tmp_path):
    # it_security_timezone defaults to sop_schedule.timezone, which the runner takes as
    # WIB, WITA or WIT: "unknown time zone 'WITA'" failed kegiatan 8 and 9 of such a court.
    # 2026-10-31 17:00 UTC is the 1st of November at 01:00 WITA: November's.
    history = ('echo \'[{"id": 1, "sop_id": "sipp-backup", "status": "successful", '
               '"started_at": "2026-10-31T17:00:00+00:00"}]\'')
    rc, result = summary_with_history(tmp_path, history, timezone="wita", month="2026-11")
    assert rc == 0, result
    assert result["summary"]["per_sop"][0]["runs"] == 1
    (tmp_path / "bad").mkdir()
    rc, result = summary_with_history(tmp_path / "bad", history, timezone="XYZ")
    # named as the module's option, as the SIPP modules name theirs: which of a court's
    # settings is wrong, not only its value
    assert (rc, result["msg"]) == (1, "timezone: unknown time zone 'XYZ'")


YARA_RECORDING = """if [ "$1" = --version ]; then echo {version}; exit 0; fi
printf '%s\\n' "$@" > "{argv}"
echo "skipping {web}/backup.tar (734003200 bytes) because it's larger than 67108864 bytes." >&2
"""


@pytest.mark.parametrize("version", ["4.2.3", "4.1.3"])
def test_yara_skips_files_larger_than_the_limit_and_says_which(tmp_path, monkeypatch, version):
    # A site backup or a video in the web root is scanned whole without yara's -z (a
    # 700 MB archive within the scan's time); -z exists from yara 4.2 (Debian 12).
    tools = tmp_path / "bin"
    tools.mkdir()
    web = tmp_path / "www"
    web.mkdir()
    argv = tmp_path / "argv"
    fake_tool(tools, "yara", YARA_RECORDING.format(version=version, argv=argv, web=web))
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_malware_scan", tmp_path,
                            {"paths": [str(web)], "rules": "rule x { condition: false }",
                             "clamav": "never"})
    assert rc == 0
    args = argv.read_text().split("\n")
    if version == "4.2.3":
        assert args[args.index("-z") + 1] == str(64 << 20)
        assert result["scanned"]["skipped_large"] == [f"{web}/backup.tar (734003200 bytes)"]
        assert result["sop_output"]["skipped_large"] == 1
    else:
        assert "-z" not in args
        assert "yara 4.1.3 tidak mengenal -z" in json.dumps(result["warnings"])


JUMPED = """table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tct state established,related accept
\t\t%s
\t}
\tchain host_rules {
\t\ttcp dport 22 accept
\t\t%s
\t}
}
table ip other {
\tchain strict {
\t\tdrop
\t}
}
"""


@pytest.mark.parametrize(("verdict", "rule", "filtering"), [
    ("jump host_rules", "counter drop", ["input"]),
    ("iifname \"eth0\" goto host_rules", "reject with icmpx admin-prohibited", ["input"]),
    ("jump host_rules", "ct state invalid drop", []),
    ("jump strict", "tcp dport 80 accept", []),  # 'strict' drops, but in another table
    ("jump host_rules", "jump input", []),  # a loop (nft refuses one) ends, no recursion error
])
def test_rules_reached_by_jump_or_goto_count(verdict, rule, filtering):
    # A firewall whose drops are in a regular chain the input chain jumps to (the usual
    # layout of firewalld, ufw and hand-written rulesets) was reported as "accepts all
    # traffic": the check read the base chain alone.
    parsed = hardening.parse_ruleset(JUMPED % (verdict, rule))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}


# nft list ruleset prints an anonymous verdict map on the rule's line and a named one as
# a map of the table, its elements one per line (nftables' own dumps,
# tests/shell/testcases/maps/dumps/0012map_0.nft).
ZONES = """table inet filter {
\tmap zones {
\t\ttype ipv4_addr : verdict
\t\tflags interval
\t\telements = { 10.0.0.0/8 : jump host_rules,
\t\t\t     192.168.0.0/16 counter packets 0 bytes 0 : accept }
\t}

\tset banned {
\t\ttype ipv4_addr
\t}

\tmap banned_by_map {
\t\ttype ipv4_addr : verdict
\t\telements = { 203.0.113.9 : drop }
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\t%s
\t}

\tchain host_rules {
\t\ttcp dport 22 accept
\t\t%s
\t}
}
"""


@pytest.mark.parametrize(("rule", "target", "filtering"), [
    ("ip saddr vmap { 10.0.0.0/8 : jump host_rules, 192.168.0.0/16 : accept }",
     "counter drop", ["input"]),
    ('iifname vmap { "lo" : accept, "eth0" : goto host_rules } comment "zones"',
     "reject with icmpx admin-prohibited", ["input"]),
    ("ip saddr vmap @zones", "drop", ["input"]),
    ("ip saddr vmap @zones", "ct state invalid drop", []),
    ("ip saddr vmap { 10.0.0.0/8 : jump host_rules }", "jump input", []),  # a loop ends
    ("tcp dport vmap { 22 : accept, 3306 : drop }", "accept", ["input"]),  # a blocked port
    # as the plain rules: only invalid packets, only a set's (a blocklist's) addresses
    ("ct state vmap { established : accept, related : accept, invalid : drop }", "accept", []),
    ("ip saddr vmap @banned_by_map", "accept", []),
    ("ip saddr vmap @missing", "accept", []),
])
def test_chains_reached_through_a_verdict_map_count(rule, target, filtering):
    # A base chain that sends each zone to its own chain with a verdict map (vmap) was
    # reported as accepting all traffic: only a rule's own jump or goto was followed.
    parsed = hardening.parse_ruleset(ZONES % (rule, target))
    assert parsed == {"input_chains": ["input"], "filtering_chains": filtering}


def test_many_ways_to_the_same_chains_are_read_once():
    """A host's ruleset may reach one chain by many rules, level after level (valid for
    the kernel: no loop, 16 deep): each way was read again, 30**16 times, and the check
    never ended. Each chain is now judged once."""
    chains = "".join(f"\tchain c{n} {{\n" + f"\t\tip saddr 10.0.0.{n} jump c{n + 1}\n" * 30
                     + "\t}\n" for n in range(15))
    ruleset = ("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority "
               "filter; policy accept;\n" + "\t\tjump c0\n" * 30 + "\t}\n" + chains
               + "\tchain c15 {\n\t\taccept\n\t}\n}\n")
    with within(10, "the firewall check"):
        parsed = hardening.parse_ruleset(ruleset)
    assert parsed == {"input_chains": ["input"], "filtering_chains": []}


def test_logins_logged_by_sshd_session_are_read(tmp_path, monkeypatch):
    """OpenSSH 9.8 split sshd: Debian 13's sshd-session logs each login under its own
    name, so on such a host the audit read nothing and reported no failed login."""
    tools = tmp_path / "bin"
    tools.mkdir()
    # the journal's -t filter: only the entries of the identifiers asked for
    fake_tool(tools, "journalctl", f"""for arg; do
  [ "$prev" = -t ] && [ "$arg" = sshd-session ] && echo '{ENTRY}'
  prev=$arg
done
""")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_ssh_audit", tmp_path, {"cursor_file": ""})
    assert rc == 0 and result["ssh"]["failures_by_source"] == {"203.0.113.9": 1}


def project_rules(tmp_path, files: dict[str, str]) -> list[tuple[str, str]]:
    """(rule, file name) of each match of the project's YARA rules in ``files``."""
    site = tmp_path / "www"
    site.mkdir()
    for name, text in files.items():
        (site / name).write_text(text)
    rules = os.path.join(os.path.dirname(__file__), "../../roles/it_security/files/malware.yar")
    with open(rules, encoding="utf-8") as handle:
        args = {"paths": [str(site)], "rules": handle.read(), "clamav": "never"}
    rc, result = run_module("security_malware_scan", tmp_path, args)
    assert rc == 0, result.get("msg")
    return sorted((m["rule"], os.path.basename(m["path"])) for m in result["matches"])


def test_code_decoded_after_a_closing_tag_is_a_webshell(tmp_path):
    """eval('?>' . base64_decode(...)), the decoded text run as a whole PHP file, is a
    common injected loader: the rules matched only eval(base64_decode(...))."""
    assert project_rules(tmp_path, {
        "wp-cache.php":
            "<?php @eval ( \"?>\" . gzinflate(base64_decode('80jNycnXUQjPL8pJUQQA'))); ?>\n",
        "view.php": "<?php echo '?>' . base64_decode($text); ?>\n",
    }) == [("php_eval_encoded", "wp-cache.php")]


def test_gambling_spam_glued_to_digits_is_found_and_numbers_beside_words_are_not(tmp_path):
    """Spam writes its keywords as brand-like tokens glued to digits (slotgacor777,
    gacor88, togel88), which the rules read as "slot gacor" and a whole word "togel"
    only; a schedule's slot and a case's number beside ordinary words stay clean."""
    assert project_rules(tmp_path, {
        "brand.html": "<title>SLOTGACOR777 - link gacor88 hari ini</title>",
        "togel.html": "<a href='/x'>Togel88</a> maxwin",
        "schedule.html": "Sesi slot 2 pukul 10; perkara 88 dan 7/Pid.B/2026; burung gacor, "
                         "togelan; slot-gacor",
    }) == [("gambling_spam", "brand.html"), ("gambling_spam", "togel.html")]


def test_a_timeout_below_one_second_is_refused(tmp_path):
    """timeout 0 killed every tool at once: 'sshd tidak selesai dalam 0 detik' named a
    hung sshd that was never given time."""
    rc, result = run_module("security_hardening", tmp_path, {"timeout": 0})
    assert (rc, result["msg"], result.get("setting")) == (
        1, "timeout: must be a positive number of seconds, not 0", "timeout")


@pytest.mark.parametrize("hung", ["status", "status sshd"])
def test_a_fail2ban_client_that_does_not_answer_is_a_note(tmp_path, monkeypatch, hung):
    """fail2ban-client killed after the timeout left fail2ban null, as if it did not run
    (the activity's summary says 'tidak berjalan'), with only a warning."""
    tools = tmp_path / "bin"
    tools.mkdir()
    client = (f'[ "$*" = "{hung}" ] && exec sleep 20\n'
              "[ -z \"$2\" ] && printf '|- Number of jail:\\t1\\n`- Jail list:\\tsshd\\n'\n"
              "exit 0\n")
    rc, result = hardening_with(tmp_path, monkeypatch, tools, client, 1)
    assert rc == 0, result.get("msg")
    assert result["fail2ban"] is None
    assert result["sop_output"]["notes"] == [
        "fail2ban_unread: fail2ban-client tidak menjawab dalam 1 detik: larangan fail2ban "
        "tidak terbaca"]


def test_a_failing_ss_is_one_line(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "ss", "exit 1\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_listeners", tmp_path, {}, 30)
    # it was 'ss failed: 1'
    assert (rc, result["msg"]) == (1, "ss failed: exit code 1")
    fake_tool(tools, "ss", "echo 'Cannot open netlink socket: Protocol not supported' >&2\n"
                           "echo 'Cannot send dump request: Protocol not supported' >&2\nexit 1\n")
    rc, result = run_module("security_listeners", tmp_path, {}, 30)
    assert (rc, result["msg"]) == (1, "ss failed: Cannot send dump request: Protocol not supported")


def test_a_failing_dpkg_query_is_one_line_naming_it(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "dpkg-query", "echo 'dpkg-query: warning: files list file for package "
                                   "libfoo missing' >&2\n"
                                   "echo 'dpkg-query: error: parsing file status' >&2\nexit 2\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_software", tmp_path, {"today": "2026-12-01"}, 30)
    # it was the full path and every line of stderr
    assert (rc, result["msg"]) == (1, "dpkg-query failed: dpkg-query: error: parsing file status")
    fake_tool(tools, "dpkg-query", "exit 2\n")
    rc, result = run_module("security_software", tmp_path, {"today": "2026-12-01"}, 30)
    assert (rc, result["msg"]) == (1, "dpkg-query failed: exit code 2")


def test_a_journalctl_that_fails_or_cannot_run_is_one_line(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "journalctl", "exit 1\n")
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    rc, result = run_module("security_ssh_audit", tmp_path, {"cursor_file": ""}, 30)
    # it was 'journalctl failed: 1'
    assert (rc, result["msg"]) == (1, "journalctl failed: exit code 1")
    # executable, yet its interpreter is gone: a traceback of Popen
    (tools / "journalctl").write_text("#!/nonexistent/sh\n")
    rc, result = run_module("security_ssh_audit", tmp_path, {"cursor_file": ""}, 30)
    assert (rc, result["msg"]) == (
        1, f"cannot run {tools / 'journalctl'}: No such file or directory")


@pytest.mark.parametrize("module", ["security_sop_summary", "security_schedule"])
def test_a_sop_command_that_is_no_executable_file_is_refused_as_the_setting(tmp_path, module):
    # was Ansible's 'Error executing command.', naming neither the command nor the setting
    args = {"sop_command": str(tmp_path / "venv" / "bin" / "sop"), "inventory": "hosts.yml",
            **({"project_dir": str(tmp_path)} if module == "security_schedule" else {})}
    rc, result = run_module(module, tmp_path, args)
    assert (rc, result.get("setting"), result["msg"]) == (
        1, "sop_command", f"sop_command: no executable file {args['sop_command']} (the "
                          "controller's sop command)")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_a_sop_list_that_is_no_json_list_fails_the_schedule_in_one_line(tmp_path):
    # another program as sop_command (it printed its arguments): a JSONDecodeError traceback
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_tool(tools, "sop", 'echo "$@"\n')
    rc, result = run_module("security_schedule", tmp_path, {
        "sop_command": str(tools / "sop"), "inventory": "hosts.yml",
        "project_dir": str(tmp_path)})
    assert (rc, result["msg"]) == (1, "sop list gave no JSON list: list --json")
