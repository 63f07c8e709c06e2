"""roles/it_security's closing asserts, run by Ansible, with findings and
it_security_fail_on_findings false: the activity passes and its message is what is
recorded, so it must name what was found, never say nothing was ("Tidak ada webshell"
over a webshell found, "sesuai daftar" over a port not in the list)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import yaml
from loader import LOCAL_PLAYBOOK, load

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/it_security/tasks"
hardening = load("security_hardening")


def passed_with(tmp_path: pathlib.Path, activity: str, results: dict[str, Any]) -> str:
    """The message of ``activity``'s closing assert, given the registered ``results``."""
    tasks = yaml.safe_load((TASKS / activity).read_text(encoding="utf-8"))
    final = next(t for t in tasks if "ansible.builtin.assert" in t)
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [final],
             "vars": {"it_security_fail_on_findings": False, **results}}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120)
    result = json.loads(proc.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]
    assert not result.get("failed"), result
    return str(result["msg"])


WEBSHELL = {"kind": "malware", "count": 1, "samples": [],
            "message": "1 file mencurigakan (webshell PHP / spam judi online): /var/www/x.php"}


def test_a_malware_scan_with_findings_names_them(tmp_path):
    scanned = {"paths": ["/var/www"], "seconds": 1.5, "clamav": {"used": True}}
    assert passed_with(tmp_path, "kegiatan_14.yml", {"it_security_malware": {
        "findings": [WEBSHELL], "scanned": scanned}}) == (
        f"Temuan: {WEBSHELL['message']}; dipindai: /var/www (1.5 detik; ClamAV: dipakai)")
    assert passed_with(tmp_path, "kegiatan_14.yml", {"it_security_malware": {
        "findings": [], "scanned": scanned}}) == (
        "Tidak ada webshell atau spam judi di /var/www (1.5 detik; ClamAV: dipakai)")


def test_a_malware_scan_names_the_files_too_large_for_yara(tmp_path):
    # yara -z skips a file over max_file_mb: a webshell padded to 65 MiB still runs, and
    # the record said "Tidak ada webshell" over it.
    scanned = {"paths": ["/var/www"], "seconds": 1.5, "clamav": {"used": True},
               "skipped_large": ["/var/www/up/big.php (70000000 bytes)"]}
    assert passed_with(tmp_path, "kegiatan_14.yml", {"it_security_malware": {
        "findings": [], "scanned": scanned}}) == (
        "Tidak ada webshell atau spam judi di /var/www (1.5 detik; ClamAV: dipakai); tidak "
        "dipindai yara, lebih besar dari batasnya (isinya tidak diperiksa): "
        "/var/www/up/big.php (70000000 bytes)")


def test_listeners_not_in_the_list_are_not_said_to_be_in_it(tmp_path):
    unexpected = {"kind": "unexpected_listener", "count": 1, "samples": [],
                  "message": "Port terbuka yang tidak ada di daftar yang diizinkan: "
                             "tcp/8080 (java)"}
    results = {
        "it_security_ssh": {"findings": [], "ssh": {"lines_read": 1200, "lines_per_second": 2400.0,
                                                    "failures": 3, "accepted": 1500}},
        "it_security_listeners": {"findings": [unexpected], "listeners": [{}, {}]},
        "it_security_weblog": {"skipped": True}, "it_security_web_alert_categories": []}
    # (the blanks of the skipped web log part are not this test's)
    assert " ".join(passed_with(tmp_path, "kegiatan_2.yml", results).split()) == (
        "1.200 baris jurnal sshd dibaca (2.400,0 baris/detik), 3 gagal, 1.500 login berhasil; "
        "2 port terbuka, 1 di luar daftar; 1 temuan: " + unexpected["message"])


def test_the_website_s_probes_are_named_by_title_with_their_code(tmp_path):
    """The probes in the website's log, and one of it_security_web_alert_categories the
    site answered 2xx, were named by their codes alone (sqli, webshell): by title now,
    with the code the alert categories are written with."""
    probes = [{"category": "sqli", "title": "injeksi SQL",
               "name": "injeksi SQL (sqli)", "count": 3, "successful": 1,
               "clients": [{"client": "203.0.113.9", "count": 3}]},
              {"category": "webshell", "title": "probe webshell",
               "name": "probe webshell (webshell)", "count": 1, "successful": 1,
               "clients": [{"client": "198.51.100.7", "count": 1}]}]
    listed = ["injeksi SQL (sqli): 3 permintaan, 1 dijawab 2xx (203.0.113.9)",
              "probe webshell (webshell): 1 permintaan, 1 dijawab 2xx (198.51.100.7)"]
    results = {
        "it_security_ssh": {"findings": [], "ssh": {"lines_read": 1200, "lines_per_second": 2400.0,
                                                    "failures": 3, "accepted": 1500}},
        "it_security_listeners": {"findings": [], "listeners": [{}, {}]},
        "it_security_weblog": {"audit": {"requests": 1200, "findings": probes},
                               "sop_output": {"findings": listed}},
        "it_security_web_alert_categories": ["webshell"]}
    assert " ".join(passed_with(tmp_path, "kegiatan_2.yml", results).split()) == (
        "1.200 baris jurnal sshd dibaca (2.400,0 baris/detik), 3 gagal, 1.500 login berhasil; "
        "2 port terbuka sesuai daftar; log website 1.200 permintaan, probe serangan: "
        + "; ".join(listed) + "; "
        "1 temuan: Probe serangan di log website dijawab 2xx (file tertanam berjalan?): "
        "probe webshell (webshell)")


def test_pending_security_updates_are_not_said_to_be_none(tmp_path):
    condition = {"os": {"name": "Debian GNU/Linux 12 (bookworm)",
                        "end_of_support": {"status": "ok", "date": "2028-06-30"}},
                 "updates": {"security": [{"name": "openssl"}]}}
    unchecked = {"findings": [], "sop_output": {}}
    results = {"it_security_condition": {"condition": condition},
               "it_security_software": {"findings": [], "sop_output": {"software": []}},
               "it_security_tls": unchecked, "it_security_wordpress": unchecked}
    assert " ".join(passed_with(tmp_path, "kegiatan_13.yml", results).split()) == (
        "Temuan: 1 pembaruan keamanan belum dipasang: openssl; Debian GNU/Linux 12 (bookworm) "
        "didukung sampai 2028-06-30; PHP/MariaDB tidak terpasang; TLS tidak diperiksa; "
        "WordPress tidak diperiksa")


def hardening_outcome(tmp_path: pathlib.Path, firewall: dict[str, Any] | None,
                      findings: list[dict[str, Any]], notes: list[dict[str, Any]]) -> str:
    """D.1's message, where the outside view was not scanned (not a gateway), the firewall
    and fail2ban parts alone (fail2ban null: not running, missing or unread)."""
    hardening = {"sshd": {}, "firewall": firewall, "fail2ban": None,
                 "findings": findings, "notes": notes}
    message = passed_with(tmp_path, "kegiatan_10.yml", {
        "it_security_hardening": hardening, "it_security_nmap": {"skipped": True}})
    return " ".join(message.split()).split("; ", 1)[1]


def test_a_missing_nft_or_fail2ban_is_named_not_running_nor_unchecked(tmp_path):
    """'firewall tidak diperiksa' stood for both a host without nft and a ruleset without
    a filtering chain; 'fail2ban tidak berjalan' for fail2ban not installed at all."""
    missing_nft = hardening.nft_missing()
    missing_fail2ban = hardening.fail2ban_missing()
    assert hardening_outcome(tmp_path, None, [missing_nft], [missing_fail2ban]) == (
        "nft tidak terpasang (paket nftables), firewall tidak dapat diperiksa; "
        "fail2ban tidak terpasang (fail2ban-client tidak ada)")
    (tmp_path / "open").mkdir()
    opened = {"input_chains": ["input"], "filtering_chains": []}
    no_firewall = hardening.firewall_findings(opened, True)
    assert hardening_outcome(tmp_path / "open", opened, no_firewall, []) == (
        "firewall tanpa rantai penyaringan (filter chain); fail2ban tidak berjalan")
    (tmp_path / "filtered").mkdir()
    filtered = {"input_chains": ["input"], "filtering_chains": ["input"]}
    assert hardening_outcome(tmp_path / "filtered", filtered, [], []) == (
        "firewall input; fail2ban tidak berjalan")
    (tmp_path / "unasked").mkdir()
    assert hardening_outcome(tmp_path / "unasked", None, [], []) == (
        "firewall tidak diperiksa; fail2ban tidak berjalan")
