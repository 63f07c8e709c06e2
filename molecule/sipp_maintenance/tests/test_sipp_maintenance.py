"""The lab SIPP server the maintenance SOP checks, and what the SOP leaves behind."""

import re


def sql(host, query):
    return host.check_output(f'mariadb --batch --skip-column-names sipp -e "{query}"')


def test_services_enabled_and_running(host):
    for name in ("mariadb", "apache2"):
        svc = host.service(name)
        assert svc.is_enabled
        assert svc.is_running


def test_sipp_login_page_counts_from_database(host):
    page = host.check_output("curl -fsS http://localhost/sipp/")
    assert "<title>SIPP - Sistem Informasi Penelusuran Perkara</title>" in page
    match = re.search(r"<th>Perkara</th><td>(\d+)</td>", page)
    assert match and int(match.group(1)) == 300


def test_failed_login_is_audited(host):
    before = int(sql(host, "SELECT COUNT(*) FROM sys_audittrail WHERE action='login_failed'"))
    code = host.check_output(
        "curl -s -o /dev/null -w '%{http_code}' -d username=admin -d password=salah "
        "http://localhost/sipp/")
    assert code == "401"
    after = int(sql(host, "SELECT COUNT(*) FROM sys_audittrail WHERE action='login_failed'"))
    assert after == before + 1


def test_schema_has_real_sipp_tables_and_time_index(host):
    tables = set(sql(host, "SHOW TABLES").split())
    assert {"perkara", "perkara_jadwal_sidang", "perkara_putusan", "perkara_pihak1",
            "perkara_pihak2", "pihak", "perkara_penetapan", "sys_users", "sys_groups",
            "sys_user_group", "sys_user_online", "sys_audittrail", "sys_config"} <= tables
    assert "idx_datetime" in sql(host, "SHOW INDEX FROM sys_audittrail")
    assert re.fullmatch(r"\d+/Pid\.B/\d{4}/PN Mol",
                        sql(host, "SELECT nomor_perkara FROM perkara WHERE jenis_perkara_kode="
                                  "'Pid.B' LIMIT 1").strip())


def test_backup_account_reads_but_cannot_write(host):
    grants = sql(host, "SHOW GRANTS FOR 'sop_backup'@'localhost'")
    assert "SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER" in grants
    assert "INSERT" not in grants


def test_no_credentials_left_on_the_host(host):
    leftovers = host.check_output("find /tmp /var/tmp -name 'sop-mariadb-*' -print")
    assert leftovers == ""
