"""roles/website's checks (tasks/checks.yml, tag always) refuse the names the backup's
commands or the site's checks would take as something else, the URLs and numbers the
site's checks would refuse only when they run, and an inventory without a backup
computer, before anything changes, whichever activity runs: ansible-playbook in check
mode on localhost, the role's checks only (test_role_relative_paths.run)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import test_role_relative_paths
from test_role_relative_paths import refused, texts_refused
from test_role_relative_paths import run as run_checks

from sop.events import failure_cause

HOST = ("letters, digits, '.', '-', '_' (':' and '[]' for an IP address), not starting with "
        "'-' or '.'")
ACCOUNT = ("an account name: lowercase letters, digits, '_' and '-', starting with a letter "
           "or '_', at most 32")
PREFIX = ("a file name prefix: letters, digits, '.', '_' and '-', starting with a letter or "
          "a digit")
PATH = ("an absolute path of letters, digits, '/', '.', '_', '+' and '-' (a shell's command "
        "line takes it: a space splits it, a ';' runs what follows)")


# A switch or a list argument_specs lets through: a null (a setting written with no
# value in an inventory) and a list given as true, which Ansible reads as ['True'].
SWITCHES = ("website_require_https_redirect", "website_backup_force", "website_quarantine",
            "website_accept_baseline")
TYPE_REFUSED = {
    # website_check's "argument 'require_https_redirect' is of type NoneType and we were
    # unable to convert to bool", in Kegiatan 1, whose failure let the backup run
    "website_require_https_redirect": None,
    # website_files_backup's "argument 'force' is of type NoneType ...", after the backup
    # computer was set up
    "website_backup_force": None,
    # read as false with Ansible's deprecation warning ("The `bool` filter coerced
    # invalid value None")
    "website_quarantine": None,
    "website_accept_baseline": None,
    # sop_list's "expected a list, a comma-separated string or a number, not NoneType",
    # naming no variable, in this file's checks
    "website_urls": None,
    "website_renewal_warn_days": None,
    "website_log_trusted_proxies": None,
    "website_log_alert_categories": None,
    "website_integrity_spam_accepted": None,
    # the relative paths' "Finalization of task args for 'ansible.builtin.assert'
    # failed", naming no variable
    "website_backup_extra_paths": None,
    "website_log_paths": None,
    "website_integrity_paths": None,
    # Jinja's "Error rendering template: can only concatenate list (not
    # 'CapturedExceptionMarker') to list"
    "website_integrity_urls": None,
    # website_files_backup's and website_integrity's "argument 'exclude' is of type
    # NoneType ...", naming the module's option, after the backup
    "website_backup_exclude": None,
    "website_integrity_exclude": None,
    "website_integrity_allow": None,
    "website_integrity_allow_hosts": None,
    "website_integrity_own_hosts": None,
    "website_integrity_spam_keywords": None,
    "website_integrity_spam_stems": None,
    "website_integrity_spam_prefixes": None,
    "website_integrity_spam_suffixes": None,
    # read as ['True'] without a word: the push key of a web server 'True' removed
    # (a null argument_specs refuses, naming it: it has a default there)
    "website_backup_retired_servers": True,
}


@pytest.mark.parametrize(("name", "value"), [
    *TYPE_REFUSED.items(),
    # read as ['True']: refused as the URL or the path 'True', or taken as a gambling
    # word, an excluded name, a host of the site's own
    ("website_urls", True), ("website_log_paths", True), ("website_backup_exclude", False),
    ("website_integrity_spam_keywords", True), ("website_integrity_own_hosts", True),
])
def test_a_switch_or_a_list_of_another_type_is_refused_first(
        tmp_path, name: str, value: Any) -> None:
    """Null and a list given as true or false, which argument_specs lets through, refused
    before any other check (the paths' reads the lists) by ansible-core's own conversions
    (sop_type_error), named as the setting it is, its value as YAML writes it."""
    expected = "true or false" if name in SWITCHES else "a list"
    shown = {None: "null", True: "true", False: "false"}[value]
    assert refused(tmp_path, "website", {name: value})["msg"] == (
        f"pengaturan salah: {name}: must be {expected}, not {shown}")


def test_a_switch_or_a_list_ansible_converts_passes(tmp_path) -> None:
    """Text Ansible reads as a switch (-e website_quarantine=no) and text or a number it
    reads as a list (-e website_backup_exclude=*/cache) are taken, as argument_specs
    takes them; an empty list too."""
    code, result = run_checks(tmp_path, "website", {
        "website_quarantine": "no", "website_require_https_redirect": "yes",
        "website_accept_baseline": 0, "website_backup_exclude": "*/cache",
        "website_renewal_warn_days": 30, "website_integrity_own_hosts": [],
        "website_backup_retired_servers": "web-lama"})
    assert code == 0, result


# The texts whose empty value is none: null is that none too (a module's option reads
# null as ''; the checks of the feed, the sitemap and the hosting end date take it so).
NULL_IS_NONE = ("website_db_name", "website_db_user", "website_db_password", "website_db_host",
                "website_expected_text", "website_ca_file", "website_feed_url",
                "website_sitemap_url", "website_hosting_end_date", "website_hosting_provider")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["rahasia"], "a list"), ({"rahasia": "rahasia"}, "a mapping")])
def test_a_text_of_another_type_is_refused_first(tmp_path, value: Any, shown: str) -> None:
    """Each text (a host each, in one run) given as null, a list or a mapping, which
    argument_specs lets through (a list written as the text "['rahasia']"), refused first
    by sop_type_error, named, its value never shown (website_db_password's neither).
    Null passed every check as '' (the web root, the backup folder and prefixes empty),
    or failed one in other words (website_domain's blamed on website_urls, 'https:///';
    website_backup_host's "object of type 'NoneType' has no len()"); a list or a mapping
    passed as the CMS database's login or the expected text, or was refused as the path
    'rahasia' or the domain "['rahasia']". Null is taken for the texts whose empty value is
    none, all at once on one host."""
    texts_refused(tmp_path, "website", value, shown, NULL_IS_NONE)


@pytest.mark.parametrize(("settings", "cause"), [
    # ssh took it as its option on the push's command line, run as root on the web server
    ({"website_backup_remote_user": "-oProxyCommand=touch /tmp/owned"},
     f"website_backup_remote_user: must be {ACCOUNT}, not '-oProxyCommand=touch /tmp/owned'"),
    # written into the backup computer's SQL (CREATE USER '...'@'localhost')
    ({"website_backup_verify_os_user": "x'@'%"},
     f"website_backup_verify_os_user: must be {ACCOUNT}, not 'x'@'%'"),
    ({"website_backup_verify_os_user": ""},
     f"website_backup_verify_os_user: must be {ACCOUNT}, not ''"),
    ({"website_domain": "pn bangil.go.id"},
     f"website_domain: must be {HOST}, not 'pn bangil.go.id'"),
    ({"website_domain": "-pn-bangil.go.id"},
     f"website_domain: must be {HOST}, not '-pn-bangil.go.id'"),
    ({"website_domain": ""}, f"website_domain: must be {HOST}, not ''"),
    ({"website_backup_host_address": "backup host"},
     f"website_backup_host_address: must be {HOST}, not 'backup host'"),
    # written into the push key's forced command in authorized_keys
    ({"website_backup_prefix": 'web" ,no-pty'},
     f"website_backup_prefix: must be {PREFIX}, not 'web\" ,no-pty'"),
    ({"website_backup_db_prefix": "-db"}, f"website_backup_db_prefix: must be {PREFIX}, not '-db'"),
    ({"website_backup_db_prefix": "website"},
     "website_backup_db_prefix: must differ from website_backup_prefix (website): each "
     "prefix's retention would take the other's backups"),
    ({"website_backup_known_hosts": "/root/.ssh/a /root/.ssh/b"},
     f"website_backup_known_hosts: must be {PATH}, not '/root/.ssh/a /root/.ssh/b'"),
    # no space, yet the push's shell ran what follows the ';' as root on the web server
    ({"website_backup_known_hosts": "/root/kh;touch${IFS}/tmp/owned"},
     f"website_backup_known_hosts: must be {PATH}, not '/root/kh;touch${{IFS}}/tmp/owned'"),
    # the push key's forced command in authorized_keys, run by the push user's shell
    ({"website_backup_remote_incoming": "/srv/in;id"},
     f"website_backup_remote_incoming: must be {PATH}, not '/srv/in;id'"),
    # a new line in authorized_keys' forced command (Jinja's match passed it), shown
    # escaped: the refusal is one line
    ({"website_backup_prefix": "web\n"},
     f"website_backup_prefix: must be {PREFIX}, not 'web\\n'"),
    ({"website_backup_host_ssh_port": "0"},
     "website_backup_host_ssh_port: must be a port from 1 to 65535, not 0"),
    ({"website_backup_host_ssh_port": 65536},
     "website_backup_host_ssh_port: must be a port from 1 to 65535, not 65536"),
    ({"website_backup_host_ssh_port": "-22"},
     "website_backup_host_ssh_port: must be a port from 1 to 65535, not -22"),
    # it names the site's directories in the store and the in-tray: one level up was
    # another court's
    ({"court_kode_satker": "../400998"},
     "court_kode_satker: must be the court's kode satker, six digits (400999), not "
     "'../400998'"),
])
def test_a_name_the_backups_commands_would_misread_is_refused_first(
        tmp_path, settings: dict[str, Any], cause: str) -> None:
    assert failure_cause(refused(tmp_path, "website", settings)) == f"pengaturan salah: {cause}"


def test_every_wrong_name_is_named_in_one_line(tmp_path) -> None:
    """All in one line, the key's path last: the record masks what follows a name ending
    in _key (sop_secrets), the line itself keeps it."""
    code, result = run_checks(tmp_path, "website", {"website_domain": "a b",
                                                    "website_backup_remote_user": "Web",
                                                    "website_backup_host_ssh_port": 0,
                                                    "website_backup_ssh_key": "/root/a b"})
    assert code == 2
    named = ("pengaturan salah: website_backup_host_ssh_port: must be a port from 1 to "
             f"65535, not 0; website_domain: must be {HOST}, not 'a b'; "
             f"website_backup_remote_user: must be {ACCOUNT}, not 'Web'; ")
    assert result["msg"] == named + f"website_backup_ssh_key: must be {PATH}, not '/root/a b'"
    assert failure_cause(result) == named + "website_backup_ssh_key: ***"


@pytest.mark.parametrize("settings", [
    {}, {"website_domain": "www.pn-bangil.go.id"}, {"website_domain": "10.0.0.5"},
    {"website_domain": "[fe80::1]", "website_backup_host_address": "fe80::2"},
    {"website_backup_host_ssh_port": "2222", "website_backup_remote_user": "web_backup-2"},
    {"website_backup_prefix": "pn.bangil_web", "website_backup_db_prefix": "pn.bangil_web-db"},
])
def test_good_names_pass(tmp_path, settings: dict[str, Any]) -> None:
    code, result = run_checks(tmp_path, "website", settings)
    assert code == 0, result


def test_a_backup_period_the_backup_does_not_know_is_refused_first(tmp_path) -> None:
    """website_backup_period=dayly passed the role's argument specs and was refused by
    website_files_backup only after the backup computer was set up."""
    code, result = run_checks(tmp_path, "website", {"website_backup_period": "dayly"})
    assert code == 2
    assert "website_backup_period" in result["msg"] and "dayly" in result["msg"], result
    assert run_checks(tmp_path, "website", {"website_backup_period": "weekly"})[0] == 0


SPACE = ("holds a space at character 26, which no URL holds: remove it or percent-encode "
         "it (%20 for a space)")


@pytest.mark.parametrize(("settings", "cause"), [
    # website_check refused it only in Kegiatan 1, whose failure let the backup run
    ({"website_urls": ["https://pn-bangil.go.id/a b/"]}, f"website_urls: {SPACE}"),
    ({"website_urls": ["https://pn-bangil.go.id/"],
      "website_integrity_urls": ["https://pn-bangil.go.id/a b/"]},
     f"website_integrity_urls: {SPACE}"),
    # -e gives the text, read as the list argument_specs accepted
    ({"website_urls": "https://pn-bangil.go.id/,pn-bangil.go.id/berita/"},
     "website_urls: 'pn-bangil.go.id/berita/' is not an http(s) URL with a host"),
    ({"website_feed_url": "pn-bangil.go.id/feed/"},
     "website_feed_url: 'pn-bangil.go.id/feed/' is not an http(s) URL with a host"),
    ({"website_sitemap_url": "ftp://pn-bangil.go.id/sitemap.xml"},
     "website_sitemap_url: 'ftp://pn-bangil.go.id/sitemap.xml' is not an http(s) URL with a "
     "host"),
    ({"website_rdap_url": "rdap.pandi.id"},
     "website_rdap_url: 'rdap.pandi.id' is not an http(s) URL with a host"),
    # sop_url_error takes null as none: a null entry (a list item written with no value)
    # is refused as no text, not as the page 'None' that website_urls does not name
    ({"website_urls": ["https://pn-bangil.go.id/"],
      "website_integrity_urls": ["https://pn-bangil.go.id/", None]},
     "website_integrity_urls: must be a text, not null"),
    # refused as "'' not in website_urls", the page '' Kegiatan 1 does not check
    ({"website_urls": ["https://pn-bangil.go.id/"],
      "website_integrity_urls": ["https://pn-bangil.go.id/", ""]},
     "website_integrity_urls holds an empty entry: remove it"),
    # its credentials masked in the line the record keeps
    ({"website_urls": ["https://admin:rahasia@pn-bangil.go.id:99999/"]},
     "website_urls: 'https://***@pn-bangil.go.id:99999/' is not a valid URL (Port out of "
     "range 0-65535)"),
])
def test_a_url_no_check_could_ask_is_refused_first(
        tmp_path, settings: dict[str, Any], cause: str) -> None:
    result = refused(tmp_path, "website", settings)
    assert failure_cause(result) == f"pengaturan salah: {cause}"
    assert "rahasia" not in result["msg"]


def test_an_integrity_page_activity_1_does_not_check_is_refused_first(tmp_path) -> None:
    """Activity 3 only warns of a page that gives no answer, the site down being activity
    1's failure: a page only website_integrity_urls named could be down for ever, warned
    of alone. Each is one of website_urls, as written; its credentials masked."""
    result = refused(tmp_path, "website", {
        "website_urls": ["https://pn-bangil.go.id/"],
        "website_integrity_urls": ["https://pn-bangil.go.id/",
                                   "https://pn-bangil.go.id/berita/?token=rahasia"]})
    assert failure_cause(result) == (
        "pengaturan salah: website_integrity_urls: "
        "'https://pn-bangil.go.id/berita/?token=***' not in website_urls: Kegiatan 1 does "
        "not check that it answers (Kegiatan 3 only warns of a page with no answer); add it "
        "to website_urls too, as written")
    assert "rahasia" not in result["msg"]


@pytest.mark.parametrize("urls", [[], "", [""]])
def test_no_page_to_check_is_refused_first(tmp_path, urls: Any) -> None:
    """website_check refused it only in Kegiatan 1, whose failure let the backup run;
    -e website_urls= gives the text '' (the list [''])."""
    result = refused(tmp_path, "website", {"website_urls": urls})
    assert failure_cause(result) == ("pengaturan salah: website_urls is empty: name at "
                                     "least one page of the website to check")


@pytest.mark.parametrize("entry", ["", None])
def test_an_empty_page_beside_others_is_refused_first(tmp_path, entry: str | None) -> None:
    """sop_url_error leaves an empty URL alone, a null one too (a feed or sitemap may be
    none): an empty entry beside pages was asked as the page '' in Kegiatan 1."""
    result = refused(tmp_path, "website", {"website_urls": ["https://pn-bangil.go.id/", entry]})
    assert failure_cause(result) == "pengaturan salah: website_urls holds an empty entry: remove it"


@pytest.mark.parametrize("settings", [
    {"website_urls": ["https://pn-bangil.go.id/", "https://pn-bangil.go.id/berita/"],
     "website_integrity_urls": ["https://pn-bangil.go.id/berita/"]},
    {"website_urls": "https://pn-bangil.go.id/,https://pn-bangil.go.id/berita/",
     "website_integrity_urls": "https://pn-bangil.go.id/berita/"},
    {"website_rdap_url": "", "website_feed_url": "https://pn-bangil.go.id/feed/"},
])
def test_good_urls_pass(tmp_path, settings: dict[str, Any]) -> None:
    code, result = run_checks(tmp_path, "website", settings)
    assert code == 0, result


@pytest.mark.parametrize(("settings", "cause"), [
    # refused by website_log_audit only in Kegiatan 3, after the backup was made and pushed
    ({"website_log_top": 0},
     "website_log_top: must be a positive number of paths and clients listed, not 0"),
    ({"website_log_top": "1001"},
     "website_log_top: must be at most 1000 paths and clients listed, not 1001"),
    ({"website_log_bruteforce_threshold": 0},
     "website_log_bruteforce_threshold: must be a positive number of failed logins, not 0"),
    ({"website_log_proxy_min_requests": -1},
     "website_log_proxy_min_requests: must be a positive number of requests, not -1"),
    ({"website_log_timeout": 100000},
     "website_log_timeout: must be at most 86400 seconds (one day), not 100000"),
    ({"website_log_proxy_share_percent": 150},
     "website_log_proxy_share_percent: must be at most 100 percent, not 150"),
    # website_integrity's in Kegiatan 3 and website_renewals' in Kegiatan 4 too
    ({"website_http_timeout": "0"},
     "website_http_timeout: must be a positive number of seconds, not 0"),
    # by website_renewals in Kegiatan 4; -e gives the text, read as the list
    ({"website_renewal_warn_days": [30, -7]},
     "website_renewal_warn_days: must be 0 (the expiry day only) or a positive number of "
     "days, not -7"),
    ({"website_renewal_warn_days": "30,-7"},
     "website_renewal_warn_days: must be 0 (the expiry day only) or a positive number of "
     "days, not -7"),
    # website_check's, in Kegiatan 1, whose failure let the backup run
    ({"website_max_response_seconds": -1},
     "website_max_response_seconds: must be a positive number of seconds, not -1"),
    ({"website_freshness_days": -7},
     "website_freshness_days: must be 0 (new within a day) or a positive number of days, "
     "not -7"),
    # a typo alerted on nothing: a webshell the site ran passed Kegiatan 3
    ({"website_log_alert_categories": "webshell,webshel"},
     "website_log_alert_categories: no category of the access-log audit: webshel (the "
     "categories are sqli, lfi, rfi, rce, php, xss, java, webshell, restricted_file, "
     "admin_probe, scanner, header_injection, protocol, wp_bruteforce, drupal_bruteforce, "
     "drupal_xmlrpc, forged_time)"),
    # website_log_audit's in Kegiatan 3, after the backup
    ({"website_log_trusted_proxies": ["10.0.0.0/24", "proxy.lan"]},
     "website_log_trusted_proxies: 'proxy.lan' is no IP address or network"),
    ({"website_log_trusted_proxies": "10.0.0.5,10"},
     "website_log_trusted_proxies: '10' is no IP address or network"),
    # website_integrity's in Kegiatan 3
    ({"website_integrity_spam_accepted": [{"fingerprint": "0" * 32},
                                          {"fingerprint": "togel", "note": "berita"}]},
     "website_integrity_spam_accepted: 'togel' is no fingerprint (32 hex digits, as a "
     "finding names it)"),
    # website_renewals' in Kegiatan 4
    ({"website_hosting_end_date": "31-01-2027"},
     "website_hosting_end_date '31-01-2027' is not a date (YYYY-MM-DD)"),
    ({"website_hosting_end_date": "2027-02-30"},
     "website_hosting_end_date '2027-02-30' is not a date (YYYY-MM-DD)"),
    ({"website_timezone": "Asia/Jakrta"},
     "website_timezone: unknown time zone 'Asia/Jakrta'"),
])
def test_a_number_the_site_checks_refuse_is_refused_before_the_backup(
        tmp_path, settings: dict[str, Any], cause: str) -> None:
    assert failure_cause(refused(tmp_path, "website", settings)) == f"pengaturan salah: {cause}"


@pytest.mark.parametrize("settings", [
    {"website_renewal_warn_days": "30,0", "website_freshness_days": 0},
    {"website_log_alert_categories": "webshell,sqli", "court_kode_satker": "400997"},
    {"website_log_top": 1000, "website_log_bruteforce_threshold": "10000",
     "website_log_proxy_share_percent": 100, "website_log_proxy_min_requests": 1},
    {"website_log_trusted_proxies": "10.0.0.5,2001:db8::/112",
     "website_integrity_spam_accepted": [{"fingerprint": "0123456789ABCDEF" * 2}],
     "website_hosting_end_date": "2027-01-31", "website_timezone": "wita"},
])
def test_numbers_at_their_bounds_pass(tmp_path, settings: dict[str, Any]) -> None:
    code, result = run_checks(tmp_path, "website", settings)
    assert code == 0, result


@pytest.mark.parametrize("backup_hosts", [None, {}])
def test_an_inventory_without_a_backup_computer_is_refused_in_one_line(
        tmp_path, monkeypatch, backup_hosts: dict[str, Any] | None) -> None:
    """No group backup_hosts (or none in it) failed the role's argument specs with
    Ansible's "object of type 'dict' has no attribute 'backup_hosts'"; a
    website_backup_host set names the backup computer without it."""
    inventory = copy.deepcopy(test_role_relative_paths.INVENTORY)
    groups = inventory["all"]["children"]
    if backup_hosts is None:
        del groups["backup_hosts"]
    else:
        groups["backup_hosts"] = backup_hosts
    monkeypatch.setattr(test_role_relative_paths, "INVENTORY", inventory)
    result = refused(tmp_path, "website", {})
    assert failure_cause(result) == (
        "pengaturan salah: website_backup_host: no backup computer: the inventory's group "
        "backup_hosts has no host; add the backup computer to backup_hosts, or set "
        "website_backup_host to its inventory name")
    assert run_checks(tmp_path, "website", {"website_backup_host": "localhost"})[0] == 0
