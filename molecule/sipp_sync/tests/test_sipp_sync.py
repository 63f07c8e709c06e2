"""Effects of the sync SOP: the public page, SIPP MA and the SIPP marker agree."""

import datetime as dt
import json
import re

import testinfra

WEB = testinfra.get_host("podman://mol-sipp-sync-web")
MA = testinfra.get_host("podman://mol-sipp-sync-ma")
WIB = dt.timezone(dt.timedelta(hours=7))


def sql(host, query):
    return host.check_output(f'mariadb --batch --skip-column-names sipp -e "{query}"').strip()


def test_public_page_shows_a_fresh_pembaharuan_data(host):
    page = host.check_output("curl -fsS http://mol-sipp-sync-web/sipp-publik/")
    match = re.search(r"Pembaharuan Data: <span[^>]*>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) WIB", page)
    assert match, page
    stamp = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=WIB)
    assert dt.datetime.now(dt.timezone.utc) - stamp < dt.timedelta(minutes=15)  # noqa: UP017
    cases = re.search(r"<th>Perkara terdaftar</th><td>(\d+)</td>", page)
    assert cases and int(cases.group(1)) == 200


def test_central_sipp_ma_recorded_exactly_one_sync(host):
    # converge synced once; the idempotence run saw fresh data and did not sync again
    status = json.loads(
        host.check_output("curl -fsS http://mol-sipp-sync-ma:8080/api/status/400998"))
    assert status["kode_satker"] == "400998"
    assert status["cases"] == int(sql(host, "SELECT COUNT(*) FROM perkara"))
    assert status["syncs"] == 1
    state = json.loads(MA.file("/var/lib/sippma/status.json").content_string)
    assert set(state) == {"400998"}


def test_sipp_marker_matches_the_public_page(host):
    marker = sql(host, "SELECT value FROM sys_config "
                       "WHERE category='sipp' AND name='pembaharuan_data'")
    # an empty marker (no row) is in every page: it must be a time first
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( \S+)?", marker), marker
    assert marker in WEB.file("/var/www/sipp-publik/index.html").content_string


def test_public_receiver_refuses_a_wrong_token(host):
    code = host.check_output(
        "curl -s -o /dev/null -w '%{http_code}' -H 'X-Sync-Token: wrong' "
        "-d '{\"pembaharuan_data\": \"2000-01-01 00:00:00\"}' "
        "http://mol-sipp-sync-web/sipp-publik/api/update")
    assert code == "403"


def test_sync_config_is_private(host):
    conf = host.file("/etc/sipp-sync.json")
    assert conf.mode == 0o600
    assert conf.user == "root"


def test_web_server_has_site_cms_and_attack_logs():
    assert WEB.service("nginx").is_running
    assert "Pengadilan Negeri Molekul" in WEB.check_output(
        "curl -fsSLk http://localhost/")  # the site redirects to HTTPS (lab certificate)
    logs = WEB.check_output("cat /var/log/nginx/access.log.1")
    assert "POST /wp-login.php" in logs
    assert "UNION" in logs or "etc/passwd" in logs
    assert WEB.file("/var/log/nginx/access.log.2.gz").exists
    assert WEB.check_output(
        "mariadb --batch --skip-column-names court_cms -e 'SELECT COUNT(*) FROM news'") == "4"
