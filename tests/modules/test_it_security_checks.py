"""roles/it_security's checks.yml: the settings refused before anything changes on a
host, whichever activity runs (the role on localhost in check mode with the tag of no
activity, as test_role_relative_paths runs each role's checks), each in one line naming
the variable."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from test_role_relative_paths import INVENTORY, run, texts_refused

ROLE = "it_security"


def refused(tmp_path: pathlib.Path, settings: dict[str, Any]) -> str:
    """The line the checks refuse ``settings`` with (ansible-playbook exits 2)."""
    code, result = run(tmp_path, ROLE, settings)
    assert code == 2 and result.get("failed"), result
    return str(result["msg"])


@pytest.mark.parametrize("settings", [
    {"it_security_public_addresses": {"203.0.113.10": [80, 443], "2001:db8::10": [],
                                      "gw.example.go.id": ["443"]},
     "it_security_nmap_ports": "1-1024,3306", "it_security_outside_group": "routers"},
    {"it_security_drill_older": 0, "it_security_drill_kinds": "sipp,website_db",
     "court_kode_satker": "400997"},
    {"it_security_month": "2026-12", "it_security_web_alert_categories": "webshell,sqli",
     "it_security_wordpress_url": "https://pn-contoh.go.id/",
     "it_security_wordpress_available": {"core": "6.4.3", "plugins": {"akismet": "5.3.1"}},
     "it_security_wordpress_root_urls": {"/usr/share/wordpress/": "https://blog.pn-contoh.go.id"}},
    {"it_security_office_hours_start": "7:30", "it_security_office_hours_end": "16:00",
     "it_security_office_days": "1,2,3,4,5,6", "it_security_timezone": "wita"},
    {"it_security_fail_on_findings": "yes", "it_security_firewall_required": 0,
     "it_security_ssh_trusted_users": [], "it_security_tls_sites": "pn-contoh.go.id",
     "it_security_scan_paths": "/srv/www,/var/www"},
])
def test_good_settings_pass(tmp_path: pathlib.Path, settings: dict[str, Any]) -> None:
    code, result = run(tmp_path, ROLE, settings)
    assert code == 0, result


@pytest.mark.parametrize(("settings", "line"), [
    # nmap took an address starting with '-' as its option: -iL reads its targets from a
    # file, --script runs scripts
    ({"it_security_public_addresses": {"-iL/etc/shadow": [22]}},
     'it_security_public_addresses: "-iL/etc/shadow" is no IP address nor host name'),
    ({"it_security_public_addresses": {"--script=vuln": []}},
     'it_security_public_addresses: "--script=vuln" is no IP address nor host name'),
    # compared as its characters: port 8, 0, ',' ... unreachable
    ({"it_security_public_addresses": {"203.0.113.10": "80,443"}},
     "it_security_public_addresses: 203.0.113.10: the ports that should be reachable are a "
     'list of TCP ports from 1 to 65535 ([80, 443], [] for none), not "80,443"'),
    ({"it_security_public_addresses": {"203.0.113.10": [0, 80]}},
     "it_security_public_addresses: 203.0.113.10: the ports that should be reachable are a "
     "list of TCP ports from 1 to 65535 ([80, 443], [] for none), not [0, 80]"),
    ({"it_security_public_addresses": {"203.0.113.10": None}},
     "it_security_public_addresses: 203.0.113.10: the ports that should be reachable are a "
     "list of TCP ports from 1 to 65535 ([80, 443], [] for none), not null"),
    # refused by nmap on the gateway, after the SSH hardening was read
    ({"it_security_nmap_ports": "1-70000"},
     'it_security_nmap_ports: "1-70000" is no list of TCP ports for nmap -p: ports from 1 '
     "to 65535 and ranges, commas between (1-1024,3306)"),
    ({"it_security_nmap_ports": "-oN/tmp/scan"},
     'it_security_nmap_ports: "-oN/tmp/scan" is no list of TCP ports for nmap -p: ports '
     "from 1 to 65535 and ranges, commas between (1-1024,3306)"),
    ({"it_security_nmap_ports": ""},
     'it_security_nmap_ports: "" is no list of TCP ports for nmap -p: ports from 1 to 65535 '
     "and ranges, commas between (1-1024,3306)"),
    # no host scanned, without a word
    ({"it_security_public_addresses": {"203.0.113.10": [443]},
      "it_security_outside_group": "router"},
     'it_security_outside_group: no inventory group "router": the public addresses would '
     "never be scanned"),
    ({"it_security_wordpress_url": "https://pn-contoh.go.id/",
      "it_security_wordpress_group": "webservers"},
     'it_security_wordpress_group: no inventory group "webservers": WordPress would never '
     "be checked"),
    # a group's list given as text was one entry: the path '/var/www,/srv', missing,
    # skipped by the scan; the listener refused by its module after other activities ran
    ({"it_security_scan_paths_by_group": {"web_servers": "/var/www,/srv", "sipp_servers": None}},
     'it_security_scan_paths_by_group: web_servers: a list (["/var/www", "/srv"]), not the '
     'text "/var/www,/srv"'),
    ({"it_security_allowed_listeners_by_group": {"all": ["tcp/22 sshd"],
                                                 "web_servers": "tcp/80,tcp/443"},
      "it_security_tls_sites_by_group": {"web_servers": {"pn-contoh.go.id": 443}}},
     'it_security_allowed_listeners_by_group: web_servers: a list (["tcp/80", "tcp/443"]), '
     'not the text "tcp/80,tcp/443"; pengaturan salah: it_security_tls_sites_by_group: '
     'web_servers: a list, not {"pn-contoh.go.id": 443}'),
    # the module would have read the journal from since on every run, its cursor never kept
    ({"it_security_ssh_cursor_file": ""},
     "it_security_ssh_cursor_file: expected an absolute path, got ''"),
    # refused by the schedule and the summaries after activity 2 moved the journal cursor,
    # never by the restore drill, which seeds its choice by it
    ({"it_security_month": "2026-13"},
     "it_security_month: '2026-13' is not a month (YYYY-MM)"),
    ({"it_security_month": "Desember"},
     "it_security_month: 'Desember' is not a month (YYYY-MM)"),
    # alerted on nothing: a webshell the site ran passed
    ({"it_security_web_alert_categories": ["webshel"]},
     "it_security_web_alert_categories: no category of the access-log audit: webshel (the "
     "categories are sqli, lfi, rfi, rce, php, xss, java, webshell, restricted_file, "
     "admin_probe, scanner, header_injection, protocol, wp_bruteforce, drupal_bruteforce, "
     "drupal_xmlrpc, forged_time)"),
    # refused by security_wordpress (D.4) after apt's lists were refreshed
    ({"it_security_wordpress_url": "pn-contoh.go.id"},
     "it_security_wordpress_url: 'pn-contoh.go.id' is not an http(s) URL with a host"),
    ({"it_security_wordpress_url": "https://sop:S3cret@pn-contoh.go.id/"},
     "it_security_wordpress_url: 'https://***@pn-contoh.go.id/': expected the site's address "
     "without credentials, query or fragment"),
    ({"it_security_wordpress_available": {"core": 6.1}},
     "it_security_wordpress_available.core 6.1 is a number: write the version quoted (YAML "
     "reads 6.10 as the number 6.1)"),
    ({"it_security_wordpress_root_urls": {"/usr/share/wordpress": "https://blog.pn-contoh.go.id/"}},
     "it_security_wordpress_root_urls: needs site_url (the site xmlrpc.php and the user "
     "names are asked at; the HTTP checks run only with it)"),
    ({"it_security_wordpress_url": "https://pn-contoh.go.id/",
      "it_security_wordpress_root_urls": {"/srv/blog": "https://blog.pn-contoh.go.id/"}},
     "it_security_wordpress_root_urls: /srv/blog is not one of roots (/usr/share/wordpress, "
     "/var/www/html)"),
    # the drill restored no older backup (range(-1) is empty), or nothing at all, and passed
    ({"it_security_drill_older": -1},
     "it_security_drill_older: a number of older backups to restore is a whole number from "
     "0 (only the newest), not -1"),
    ({"it_security_drill_kinds": []},
     "it_security_drill_kinds: empty, name at least one backup kind to restore (sipp, "
     "website_files, website_db)"),
    # refused by security_ssh_audit (C.2) only when it runs, after the schedule (C.1); by
    # its own rule, sipp_audit_summary's (module_utils/sop_options.office_hours_error)
    ({"it_security_office_hours_start": "7.30"},
     "it_security_office_hours_start: must be HH:MM, got '7.30'"),
    ({"it_security_office_hours_end": 960},
     "it_security_office_hours_end: must be HH:MM, got '960' (YAML reads an unquoted 16:00 "
     'as the number 960: quote it, "16:00")'),
    ({"it_security_office_hours_start": "18:00"},
     "it_security_office_hours_end: 17:00 is not after the start 18:00 (office hours do not "
     "run overnight)"),
    ({"it_security_office_days": []},
     "it_security_office_days: empty: name at least one office day, ISO weekday numbers 1 "
     "(Monday) to 7 (Sunday)"),
    ({"it_security_office_days": [1, 8]},
     "it_security_office_days: 8: ISO weekday numbers are 1 (Monday) to 7 (Sunday)"),
    # argument_specs let null through; the module failed on it in Ansible's words
    ({"it_security_office_days": None},
     "it_security_office_days: must be a list of ISO weekday numbers, 1 (Monday) to 7 "
     "(Sunday), not null"),
    # refused by security_ssh_audit (C.2) and the summaries (C.8, C.9) only when they run
    ({"it_security_timezone": "Asia/Jakrta"},
     "it_security_timezone: unknown time zone 'Asia/Jakrta'"),
    # it names the backup stores the drill restores from: one level up was another
    # court's, drilled as this court's
    ({"court_kode_satker": "../400998"},
     "court_kode_satker: must be the court's kode satker, six digits (400999), not "
     "'../400998'"),
])
def test_a_bad_setting_is_refused_in_one_line(tmp_path: pathlib.Path,
                                              settings: dict[str, Any], line: str) -> None:
    assert refused(tmp_path, settings) == f"pengaturan salah: {line}"


def test_an_unset_kode_satker_is_left_to_the_drill(tmp_path: pathlib.Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without court_kode_satker the drill's stores end in an empty name, left to the
    drill: the check does not fail on the variable it judges (the vars lookup's
    default=none is no default, and failed it)."""
    monkeypatch.delitem(INVENTORY["all"]["vars"], "court_kode_satker")
    code, result = run(tmp_path, ROLE, {})
    assert code == 0, result


@pytest.mark.parametrize("name", [
    "it_security_allowed_listeners_by_group", "it_security_public_addresses",
    "it_security_tls_sites_by_group", "it_security_wordpress_available",
    "it_security_wordpress_root_urls", "it_security_scan_paths_by_group"])
def test_a_mapping_given_as_key_value_is_refused(tmp_path: pathlib.Path, name: str) -> None:
    """-e NAME=web_servers=x is a string argument_specs accept as a dict, the variable
    staying the string: an activity failed on it in Jinja's words after others had run."""
    assert refused(tmp_path, {name: "web_servers=x"}) == (
        f"pengaturan salah: {name}: a mapping, given in YAML or as JSON "
        f"(-e '{{\"{name}\": {{...}}}}'), not the text key=value")


# The switches and the lists (it_security_office_days is judged with the office hours,
# it_security_drill_kinds by argument_specs' choices).
SWITCHES = ["it_security_fail_on_findings", "it_security_listeners_include_loopback",
            "it_security_firewall_required", "it_security_firewall_persistent",
            "it_security_update_cache", "it_security_wordpress_validate_certs"]
LISTS = ["it_security_ssh_trusted_users", "it_security_web_log_paths",
         "it_security_web_alert_categories", "it_security_allowed_listeners",
         "it_security_permit_root_login", "it_security_tls_sites",
         "it_security_tls_old_protocols", "it_security_scan_paths"]


@pytest.mark.parametrize("name", SWITCHES + LISTS)
def test_a_switch_or_a_list_given_as_null_is_refused(tmp_path: pathlib.Path, name: str) -> None:
    """argument_specs let null through: a switch read as false (findings failed no
    activity), a module's option failed in Ansible's words naming the module's option
    after other activities had run, a list read by sop_list failed the checks naming no
    variable."""
    expected = "true or false" if name in SWITCHES else "a list"
    assert refused(tmp_path, {name: None}) == (
        f"pengaturan salah: {name}: must be {expected}, not null")


@pytest.mark.parametrize("name", LISTS)
def test_a_list_given_as_a_switch_is_refused(tmp_path: pathlib.Path, name: str) -> None:
    """argument_specs convert true to ['True']: a site 'True' tested, an account 'True'
    trusted, a PermitRootLogin of 'True' the only one allowed."""
    assert refused(tmp_path, {name: True}) == (
        f"pengaturan salah: {name}: must be a list, not true")


# The texts whose empty value is none (not checked, the current month): null is that none
# too (a module's option reads null as ''; the month's check takes it so).
NULL_IS_NONE = ("it_security_wordpress_url", "it_security_month")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["rahasia"], "a list"), ({"rahasia": "rahasia"}, "a mapping")])
def test_a_text_of_another_type_is_refused(tmp_path: pathlib.Path, value: Any, shown: str) -> None:
    """Each text (a host each, in one run) given as null, a list or a mapping, which
    argument_specs lets through (a list written as the text "['rahasia']"), refused by
    sop_type_error before the checks that read it, named. Null passed every check as ''
    (the journal cursor's path, the restore account, the prefixes) or failed one in other
    words ("must be HH:MM, got ''", "None" no nmap ports, "(text), not NoneType"); a list
    or a mapping passed as a group's or an account's name, or was refused as the path
    'rahasia' or the URL "['rahasia']". Null is taken for the texts whose empty value is
    none, all at once on one host."""
    texts_refused(tmp_path, ROLE, value, shown, NULL_IS_NONE)
