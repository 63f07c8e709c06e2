"""roles/sipp_maintenance: what the records show when activity 1 fails (ansible-playbook
on localhost, nothing listening on the discard port), and activity 3's report of a real
MariaDB's audit trail."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest
import yaml
from conftest import MariaDB
from loader import LOCAL_PLAYBOOK
from sipp_tables import AUDITTRAIL, insert, lit, new_table
from test_role_relative_paths import texts_refused

ROOT = pathlib.Path(__file__).parents[2]
SECRETS = ("UrlPa55", "T0kLocal", "DbPa55")
PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_maintenance_local_url: "http://sipp:UrlPa55@127.0.0.1:9/sipp/?token=T0kLocal"
    sipp_maintenance_db_host: 127.0.0.1
    sipp_maintenance_db_user: sop
    sipp_maintenance_db_password: DbPa55
    sipp_maintenance_disk_paths: [/]
  roles: [sipp_maintenance]
"""


def play(tmp_path: pathlib.Path, *args: str, text: str = PLAY) -> tuple[int, str]:
    """ansible-playbook's exit code and what it showed, for the play ``text`` with these
    arguments."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(text, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               # each result one line of JSON: a message is never wrapped
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false",
               ANSIBLE_ROLES_PATH=str(ROOT / "roles"))
    proc = subprocess.run([*LOCAL_PLAYBOOK, "-v", *args, str(playbook)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_credentials_in_the_local_url_never_reach_the_failure(tmp_path):
    # sipp_http_check sends the URL's user:password@ as basic credentials and masks the
    # URL in its result; the verdict's message named the raw sipp_maintenance_local_url:
    # 'SIPP tidak dapat diakses dengan baik di http://sipp:UrlPa55@...?token=T0kLocal'.
    rc, shown = play(tmp_path, "--tags", "monitor_akses")
    assert rc == 2, shown[-5000:]
    assert "Kegiatan 1: SIPP tidak dapat diakses dengan baik di http://***@127.0.0.1:9/" in shown
    leaked = [line for line in shown.splitlines() if any(s in line for s in SECRETS)]
    assert not leaked, leaked[:5]


@pytest.mark.parametrize(("variable", "value", "cause"), [
    # 'Kegiatan 1: timeout must be a positive number of seconds' (an option no court
    # sets), and a limit of 0 s graded SIPP slow: 'waktu respons 3 ms melebihi 0 dtk'
    ("sipp_maintenance_http_timeout", 0, "must be a positive number of seconds, not 0"),
    ("sipp_maintenance_max_response_seconds", 0, "must be a positive number of seconds, not 0"),
    # -e gives the text, read as its number as the module reads it
    ("sipp_maintenance_max_response_seconds", "-5",
     "must be a positive number of seconds, not -5"),
    ("sipp_maintenance_http_timeout", 10**9,
     "must be at most 86400 seconds (one day), not 1000000000"),
    # graded as SIPP not answering: 'Kegiatan 1: SIPP tidak dapat diakses dengan baik di
    # localhost/sipp/: tidak ada jawaban dari localhost/sipp/: not an http(s) URL'
    ("sipp_maintenance_local_url", "localhost/sipp/",
     "'localhost/sipp/' is not an http(s) URL with a host"),
    ("sipp_maintenance_local_url", "http://localhost/sipp/\n",
     "holds the character '\\n' at character 23, which no URL holds: remove it or "
     "percent-encode it (%20 for a space)"),
    ("sipp_maintenance_local_url", "", "empty: the address SIPP answers on the server "
     "itself (http://localhost/sipp/)"),
    # sipp_db_name: "" connected to no database: both activities read their tables as
    # missing and told the court to set sipp_maintenance_online_table / _audit_table
    ("sipp_maintenance_db_name", "", "the database name is empty"),
    ("sipp_maintenance_db_name", "-sipp", "the database name -sipp starts with '-', which "
     "the dump and the client would read as an option"),
    # refused by sipp_online_users after SIPP's page was asked, by sipp_audit_summary
    # after all of Kegiatan 1
    ("sipp_maintenance_online_window_minutes", 0,
     "must be a positive number of minutes, not 0"),
    ("sipp_maintenance_activity_hours", -24, "must be a positive number of hours, not -24"),
    ("sipp_maintenance_activity_hours", 10**6,
     "must be at most 87600 hours (ten years), not 1000000"),
    # sipp_host_resources refused these after SIPP's page was asked and the database read
    ("sipp_maintenance_disk_warn_percent", 97,
     "97 is above the fail threshold sipp_maintenance_disk_fail_percent (95)"),
    ("sipp_maintenance_memory_warn_percent", "99",
     "99 is above the fail threshold sipp_maintenance_memory_fail_percent (98)"),
    ("sipp_maintenance_disk_fail_percent", 150, "must be at most 100 percent, not 150"),
    ("sipp_maintenance_memory_fail_percent", 0, "must be a positive number of percent, not 0"),
    ("sipp_maintenance_disk_paths", [], "empty: name at least one path whose file system "
     "is measured, / for the system disk"),
    # a negative one never warned, without a word (accepted by the module, too)
    ("sipp_maintenance_failed_login_warn", -1,
     "must be 0 (never warns) or a positive number of failed logins, not -1"),
    # refused by sipp_online_users after SIPP's page was asked, and shown by the verdict as
    # 'Database SIPP tidak menjawab: data_timezone: unknown time zone ...': an operator
    # looked for a database problem; then by each activity, sipp_audit_summary's after all
    # of Kegiatan 1
    ("sipp_maintenance_data_timezone", "Asia/Jakrta", "unknown time zone 'Asia/Jakrta'"),
    ("sipp_maintenance_timezone", "Asia/Jakrta", "unknown time zone 'Asia/Jakrta'"),
    ("sipp_maintenance_timezone", "+15:00",
     "time zone offset '+15:00' is not one of -12:00 to +14:00"),
    ("sipp_maintenance_timezone", " WIB",
     "unknown time zone ' WIB': write it without the spaces around it"),
    # a key no role has ({last_visit: ...} for last_activity) was ignored before: the
    # discovery's guess was used as if the court had set nothing
    ("sipp_maintenance_online_columns", {"last_visit": "x"},
     "unknown key 'last_visit' (keys: last_activity, user, host, login_time)"),
    ("sipp_maintenance_audit_columns", "when=x",
     "unknown key 'when' (keys: time, user, action, ip, table)"),
    # null passes argument_specs; the module's dict option refused it in Ansible's words
    ("sipp_maintenance_audit_columns", None, "must be a mapping of keys to column names "
     "(keys: time, user, action, ip, table), not null"),
    # sipp_audit_summary refused these after all of Kegiatan 1
    ("sipp_maintenance_office_hours_start", "8", "must be HH:MM, got '8'"),
    ("sipp_maintenance_office_hours_start", "25:00", "must be HH:MM, got '25:00'"),
    ("sipp_maintenance_office_hours_end", "08:60", "must be HH:MM, got '08:60'"),
    ("sipp_maintenance_office_hours_end", "08:00",
     "08:00 is not after the start 08:00 (office hours do not run overnight)"),
    # no office day passed the argument spec (it cannot say "at least one") and the
    # module before: every login of the day was reported outside office hours
    ("sipp_maintenance_office_days", [], "empty: name at least one office day, ISO weekday "
     "numbers 1 (Monday) to 7 (Sunday)"),
    ("sipp_maintenance_office_days", [0, 1],
     "0: ISO weekday numbers are 1 (Monday) to 7 (Sunday)"),
    ("sipp_maintenance_office_days", "1,2,9",
     "9: ISO weekday numbers are 1 (Monday) to 7 (Sunday)"),
    ("sipp_maintenance_office_days", None, "must be a list of ISO weekday numbers, 1 "
     "(Monday) to 7 (Sunday), not null"),
])
def test_a_bad_setting_is_refused_before_anything_runs(tmp_path, variable, value, cause):
    # the modules refused these only when their activity ran (Kegiatan 3's after all of
    # Kegiatan 1): refused by the checks first, whichever activity runs, named by the
    # role's variable
    rc, shown = play(tmp_path, "--tags", "aktivitas_user", "-e", json.dumps({variable: value}))
    assert rc == 2, shown[-5000:]
    assert f"pengaturan salah: {variable}: {cause}" in shown, shown[-5000:]
    assert "Kegiatan" not in shown and "Summarise the user activity" not in shown


@pytest.mark.parametrize(("variable", "value", "shown"), [
    # "The filter plugin 'sop_list' failed: sop_list: expected a list, a comma-separated
    # string or a number, not NoneType", naming no variable: the paths' check, activity 1
    # for the services (after SIPP's page was asked)
    ("sipp_maintenance_disk_paths", None, "null"),
    ("sipp_maintenance_db_services", None, "null"),
    ("sipp_maintenance_web_services", None, "null"),
    # read as ['True']: a service True required, failed as not running; a path True
    # refused as relative
    ("sipp_maintenance_web_services", True, "true"),
    ("sipp_maintenance_db_services", False, "false"),
    ("sipp_maintenance_disk_paths", True, "true"),
])
def test_a_list_given_as_null_or_a_switch_is_refused_before_anything_runs(
        tmp_path, variable, value, shown):
    # argument_specs lets null and true through; refused by the checks, whichever
    # activity runs, in one line naming the variable
    rc, said = play(tmp_path, "--tags", "monitor_akses", "-e", json.dumps({variable: value}))
    assert rc == 2, said[-5000:]
    assert (f"pengaturan salah: {variable}: must be a list, not {shown}"
            in said), said[-5000:]
    assert "Kegiatan" not in said and "Gather the state of the services" not in said


@pytest.mark.parametrize(("extra", "cause"), [
    # ' php8.2-fpm' required and reported as a service that does not run, the running
    # php8.2-fpm so named in Kegiatan 1's failure
    ("sipp_maintenance_web_services='nginx, php8.2-fpm'",
     "sipp_maintenance_web_services: ' php8.2-fpm' has a space before or after it (given "
     "as key=value, no space after the commas: a,b)"),
    # unquoted, key=value's space ends the value: 'mysql,', an empty name after it
    ("sipp_maintenance_db_services=mysql, mariadb",
     "sipp_maintenance_db_services: an empty name (sipp_maintenance_db_services= given as "
     "key=value gives one; [] names none)"),
])
def test_an_empty_or_spaced_service_name_is_refused_before_anything_runs(
        tmp_path, extra, cause):
    rc, said = play(tmp_path, "--tags", "monitor_akses", "-e", extra)
    assert rc == 2, said[-5000:]
    assert f"pengaturan salah: {cause}" in said, said[-5000:]
    assert "Kegiatan" not in said and "Gather the state of the services" not in said


# Null is the empty value: the client's own account (`sipp_db_password:` left empty in
# group_vars), the database's clock for sipp_maintenance_data_timezone.
NULL_IS_EMPTY = ("sipp_maintenance_db_user", "sipp_maintenance_db_password",
                 "sipp_maintenance_data_timezone")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["DbPa55"], "a list"), ({"DbPa55": "DbPa55"}, "a mapping")])
def test_a_text_given_as_null_a_list_or_a_mapping_is_refused_before_anything_runs(
        tmp_path, value, shown):
    # argument_specs lets them through: null read as '' or 'None' (the office hours and
    # the time zone refused as "got ''", or the zone 'None' unknown; the tables and the
    # account asked of the database so), a list or a mapping written as its text
    # "['DbPa55']". Each text (a host each, in one run) refused by the checks, run first
    # whichever activity runs (the same task as the lists' above), in one line naming
    # the variable; its value never shown (the password's neither). Null is taken where
    # it is the empty value, all at once on one host.
    results = texts_refused(tmp_path, "sipp_maintenance", value, shown, NULL_IS_EMPTY)
    assert "DbPa55" not in json.dumps(results)


def test_the_defaults_and_a_zero_that_means_never_pass_the_checks(tmp_path):
    # 0 failed logins never warns (documented); the checks alone run (a tag no activity has).
    # What the modules take passes too: days, columns as -e key=value text, an offset and
    # an Indonesian zone name in any case, an empty data_timezone (the database's clock).
    rc, shown = play(tmp_path, "--tags", "sop_no_such_activity",
                     "-e", '{"sipp_maintenance_failed_login_warn": 0}',
                     "-e", "sipp_maintenance_office_days=1,2,3,4,5,6",
                     "-e", "sipp_maintenance_audit_columns=time=waktu",
                     "-e", '{"sipp_maintenance_online_columns": {"user": "userid"}}',
                     "-e", "sipp_maintenance_timezone=+08:00",
                     "-e", "sipp_maintenance_data_timezone=")
    assert rc == 0, shown[-5000:]


def test_overnight_office_hours_are_a_bad_setting(tmp_path):
    # the whole play: refused by the checks before either activity ran, not as
    # 'Kegiatan 3: pengaturan salah: ...' after Kegiatan 1 had asked SIPP
    rc, shown = play(tmp_path, "-e", "sipp_maintenance_office_hours_start=16:30",
                     "-e", "sipp_maintenance_office_hours_end=08:00")
    assert rc == 2, shown[-5000:]
    assert ("pengaturan salah: sipp_maintenance_office_hours_end: 08:00 is not after the "
            "start 16:30 (office hours do not run overnight)") in shown, shown[-5000:]
    assert "Kegiatan" not in shown and "Open the SIPP application" not in shown


def test_office_hours_unquoted_in_yaml_are_named_as_typed(tmp_path):
    # YAML 1.1 reads an unquoted 16:00 as the base-60 number 960: the activity failed
    # with "must be HH:MM, got '960'", a number the court never wrote
    text = PLAY.replace("  roles:", "    sipp_maintenance_office_hours_end: 16:00\n  roles:")
    rc, shown = play(tmp_path, "--tags", "aktivitas_user", text=text)
    assert rc == 2, shown[-5000:]
    assert ("pengaturan salah: sipp_maintenance_office_hours_end: must be HH:MM, "
            "got '960' (YAML reads an unquoted 16:00 as the number 960: quote it, "
            '\\"16:00\\")') in shown, shown[-5000:]
    assert "Kegiatan" not in shown and "Summarise the user activity" not in shown


def test_a_zone_named_as_indonesia_names_it_is_no_bad_setting(tmp_path):
    # 'WITA' was 'pengaturan salah: sipp_maintenance_data_timezone: unknown time zone';
    # now the activities get as far as the database (nothing listens on 127.0.0.1).
    rc, shown = play(tmp_path, "-e", "sipp_maintenance_data_timezone=WITA",
                     "-e", "sipp_maintenance_timezone=wit")
    assert rc == 2, shown[-5000:]
    assert "pengaturan salah" not in shown
    assert "Kegiatan 3: SIPP database sipp: " in shown, shown[-5000:]
    # the database's own error follows (a refused login, ERROR 1045, is no silent server)
    assert "; Database SIPP tidak dapat dibaca: SIPP database sipp: ERROR 2002" in shown


FUTURE_PLAY = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    sipp_audit_summary: {login_port: "{{ test_port }}"}
  roles: [sipp_maintenance]
"""


@pytest.mark.mariadb
def test_activity_3_names_audit_rows_dated_in_the_future(tmp_path, mariadb: MariaDB):
    # Rows dated hours ahead of the database clock were counted in the last 24 hours'
    # activity, the report saying nothing. They are counted apart, and the report line
    # says how many and how far ahead.
    table = new_table(mariadb, "audit", AUDITTRAIL)
    insert(mariadb, table, ["datetime", "username", "action"], [
        ["NOW() - INTERVAL 1 HOUR", lit("budi"), lit("login")],
        ["NOW() + INTERVAL 5 HOUR", lit("ahead"), lit("login_failed")]])
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({
        "test_port": mariadb.port, "sipp_maintenance_db_host": mariadb.host,
        "sipp_maintenance_db_name": mariadb.database, "sipp_maintenance_db_user": mariadb.user,
        "sipp_maintenance_db_password": mariadb.password,
        "sipp_maintenance_audit_table": table}), encoding="utf-8")
    rc, shown = play(tmp_path, "--tags", "aktivitas_user", "-e", f"@{variables}",
                     text=FUTURE_PLAY)
    assert rc == 0, shown[-5000:]
    assert "1 kegiatan oleh 1 user, 1 login" in shown, shown[-5000:]
    assert ("0 login gagal, 0 penghapusan data; 1 kegiatan bertanggal di masa depan, "
            "hingga 5,0 jam setelah ") in shown, shown[-5000:]


def required_services(tmp_path: pathlib.Path, units: dict[str, dict[str, str]],
                      db_host: str = "localhost", *given: str) -> list[str]:
    """The services activity 1 requires on a host whose service_facts are ``units``: the
    role's own task choosing them (its facts given as the variable it reads them into);
    ``given``: more variables, each ``-e`` key=value as a court types it."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_maintenance/tasks/monitor_akses.yml")
                           .read_text(encoding="utf-8"))
    choose = next(t for t in tasks if t["name"] == "Choose the services that must run")
    show = {"ansible.builtin.debug": {"msg": "REQUIRED={{ sipp_maintenance_required_services"
                                             " | join(' ') }}."}}
    text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "vars": {
        "sipp_maintenance_db_services": [], "sipp_maintenance_web_services": [],
        "sipp_maintenance_db_host": db_host},
        "tasks": [choose, show]}])
    given_units = {"sipp_maintenance__units": {name: {"name": name, "source": "systemd", **unit}
                                               for name, unit in units.items()}}
    extra = [arg for setting in given for arg in ("-e", setting)]
    rc, shown = play(tmp_path, "-e", json.dumps(given_units), *extra, text=text)
    assert rc == 0, shown[-5000:]
    return shown.split("REQUIRED=", 1)[1].split(".\"", 1)[0].split()


RUNNING = {"state": "running", "status": "enabled"}
# service_facts of a unit that failed (crashed, or did not start): systemd's "failed"
# replaces its unit file's "enabled", and its state is "stopped"
FAILED = {"state": "stopped", "status": "failed"}


def test_a_failed_php_fpm_or_web_server_is_required_not_left_out(tmp_path):
    # A failed unit's status reads "failed", not "enabled": a crashed php8.2-fpm behind
    # nginx (SIPP answering 502) was not among the services checked, and a failed nginx
    # beside an installed but disabled apache2 made the verdict name apache2 as the
    # service not running, never nginx.
    assert required_services(tmp_path, {
        "mariadb.service": RUNNING, "nginx.service": RUNNING,
        "php8.2-fpm.service": FAILED}) == ["mariadb.service", "nginx.service",
                                           "php8.2-fpm.service"]
    assert required_services(tmp_path, {
        "mariadb.service": RUNNING, "nginx.service": FAILED,
        "apache2.service": {"state": "inactive", "status": "disabled"}}) == [
        "mariadb.service", "nginx.service"]


def test_services_given_as_key_value_are_the_list_required(tmp_path):
    # -e sipp_maintenance_web_services=nginx,php8.2-fpm is a string, which argument_specs
    # took as the list it converts it to; activity 1 then failed with Ansible's "can only
    # concatenate list (not "str") to list", no service checked
    assert required_services(
        tmp_path, {"apache2.service": RUNNING}, "localhost",
        "sipp_maintenance_db_services=mysql",
        "sipp_maintenance_web_services=nginx,php8.2-fpm") == ["mysql", "nginx", "php8.2-fpm"]


def role_task_output(tmp_path: pathlib.Path, tasks_file: str, name: str,
                     given: dict[str, object]) -> str:
    """What the role's task ``name`` of ``tasks_file`` shows, the variables it reads
    ``given`` (as extra variables: the results its activity registered)."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_maintenance/tasks" / tasks_file)
                           .read_text(encoding="utf-8"))
    task = next(t for t in tasks if t["name"] == name)
    text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}])
    rc, shown = play(tmp_path, "-e", json.dumps(given), text=text)
    assert rc == 0, shown[-5000:]
    return shown


def test_the_reports_numbers_are_written_as_bahasa_writes_them(tmp_path):
    # "65000 kegiatan oleh 120 user, 1500 login": the roles' Bahasa lines write their
    # numbers through sop_angka, 65.000 (and ? for a count the schema hides)
    shown = role_task_output(tmp_path, "aktivitas_user.yml", "Report activity 3", {
        "sipp_maintenance_activity_hours": 24, "sipp_maintenance_activity": {"summary": {
            "rows": 65000, "users": 120, "logins": 1500, "logins_outside_office_hours": 3,
            "failed_logins": 1250, "deletions": None, "future_finding": None,
            "unavailable": []}}})
    assert ("Log aktivitas user 24 jam terakhir: 65.000 kegiatan oleh 120 user, 1.500 login "
            "(3 di luar jam kerja), 1.250 login gagal, ? penghapusan data") in shown, shown
    shown = role_task_output(
        tmp_path, "monitor_akses.yml", "SIPP, its database, services and resources are in order", {
            "sipp_maintenance_http": {"access": {"ok": True, "status": 200, "response_ms": 1200}},
            "sipp_maintenance_online": {"online_users": {
                "users": 1200, "sessions": 1350, "unavailable": [], "future_finding": None}},
            "sipp_maintenance_online_window_minutes": 15,
            "sipp_maintenance_required_services": ["mariadb.service"],
            "sipp_maintenance_stopped_services": [],
            "sipp_maintenance_resources": {"resources": {"status": "ok", "problems": []}}})
    assert ("Akses SIPP tersedia (status 200, 1.200 ms); 1.200 user online (1.350 sesi, "
            "15 menit terakhir)") in shown, shown


def test_a_database_on_another_server_is_no_service_required_here(tmp_path):
    """A court whose SIPP database runs on another computer failed activity 1 every week
    with "mariadb.service (tidak terpasang)": with no database unit here and the database
    elsewhere, none is required; a database here without its unit still is."""
    web = {"apache2.service": RUNNING}
    assert required_services(tmp_path, web, db_host="10.0.0.5") == ["apache2.service"]
    assert required_services(tmp_path, web, db_host="db.pn.local") == ["apache2.service"]
    assert required_services(tmp_path, web) == ["mariadb.service", "apache2.service"]
    assert required_services(tmp_path, web, db_host="127.0.0.1") == [
        "mariadb.service", "apache2.service"]
    assert required_services(tmp_path, web, db_host="/run/mysqld/mysqld.sock") == [
        "mariadb.service", "apache2.service"]
    # a database unit installed here is required wherever the login goes
    assert required_services(tmp_path, {**web, "mariadb.service": RUNNING},
                             db_host="10.0.0.5") == ["mariadb.service", "apache2.service"]
