"""roles/sipp_sync: what the operator and the records read (ansible-playbook on
localhost, against local HTTP servers or nothing listening on the discard port)."""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
import yaml
from httpd import Ok, serving
from loader import LOCAL_PLAYBOOK, load
from test_role_relative_paths import run_hosts, texts_refused

ROOT = pathlib.Path(__file__).parents[2]
ENV = {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
       "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
       "ANSIBLE_ROLES_PATH": str(ROOT / "roles")}
# Each result shown as one line of JSON after " => ".
JSON_RESULTS = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
                "ANSIBLE_CALLBACK_FORMAT_PRETTY": "false"}


def playbook(tmp_path: pathlib.Path, play: str, *args: str,
             **env: str) -> subprocess.CompletedProcess[str]:
    """ansible-playbook of the text ``play`` on localhost with ``args``: this project's
    ansible.cfg and roles, ``env`` added to the environment."""
    path = tmp_path / "play.yml"
    path.write_text(play, encoding="utf-8")
    return subprocess.run([*LOCAL_PLAYBOOK, *args, str(path)], capture_output=True,
                          text=True, check=False, env=dict(os.environ, **ENV, **env),
                          timeout=300)


PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_sync_central_url: http://127.0.0.1:9/
    sipp_sync_public_url: http://127.0.0.1:9/publik/
    sipp_sync_command: /bin/true
  tasks:
    - ansible.builtin.include_role:
        name: sipp_sync
        tasks_from: persiapan
"""


def test_unreachable_sipp_ma_fails_with_one_short_line_naming_the_cause(tmp_path):
    proc = playbook(tmp_path, PLAY, **JSON_RESULTS)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    failed = [line for line in proc.stdout.splitlines()
              if "Persiapan gagal" in line and " => " in line]
    assert failed, proc.stdout[-2000:]
    message = json.loads(failed[0].split(" => ", 1)[1])["msg"]
    # uri's "Status code was -1 and not [100, 101, ... 499]", urllib's "Request failed:
    # <urlopen error [Errno 111] ...>" are not the cause
    # SIPP MA's failure said as sipp_sync_status says it (module_utils/sop_sipp_central)
    assert message == ("Persiapan gagal: SIPP MA http://127.0.0.1:9/ tidak menjawab: SIPP MA "
                       "menolak koneksi: layanannya tidak berjalan atau port salah (Connection "
                       "refused), SIPP publik http://127.0.0.1:9/publik/ tidak menjawab "
                       "(Connection refused)")


def preparation_failure(tmp_path: pathlib.Path, central: str, http_timeout: int = 20) -> str:
    """The preparation's failure line with SIPP MA at ``central`` (the public site on the
    discard port, where nothing listens)."""
    play = PLAY.replace("http://127.0.0.1:9/\n", central + "/\n").replace(
        "  tasks:", f"    sipp_sync_http_timeout: {http_timeout}\n  tasks:")
    proc = playbook(tmp_path, play, **JSON_RESULTS)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    failed = [line for line in proc.stdout.splitlines()
              if "Persiapan gagal" in line and " => " in line]
    assert failed, proc.stdout[-2000:]
    return str(json.loads(failed[0].split(" => ", 1)[1])["msg"])



@pytest.mark.parametrize(("setting", "shown"), [("0", "0"), ("-1", "-1"), ("0.0", "0")])
def test_a_bad_http_timeout_is_recorded_as_the_setting_before_uri_is_given_it(
        tmp_path, setting, shown):
    """uri took it first: 0 was recorded as 'SIPP MA ... tidak menjawab (Operation now in
    progress)', -1 as '(Timeout value out of range)'; -e gives the text."""
    play = PLAY.replace("  tasks:\n    - ansible.builtin.include_role:\n        name: sipp_sync\n"
                        "        tasks_from: persiapan\n", "  roles: [sipp_sync]\n")
    proc = playbook(tmp_path, play, "--tags", "persiapan", "-e",
                    f"sipp_sync_http_timeout={setting}", **JSON_RESULTS)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    failed = [json.loads(line.split(" => ", 1)[1])["msg"] for line in proc.stdout.splitlines()
              if "pengaturan salah" in line and " => " in line]
    assert failed == ["pengaturan salah: sipp_sync_http_timeout: must be a "
                      f"positive number of seconds, not {shown}"], proc.stdout[-2000:]
    assert "Reach the central SIPP MA" not in proc.stdout

class Unavailable(BaseHTTPRequestHandler):
    """SIPP MA in maintenance."""

    def do_GET(self):
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_sipp_mas_5xx_is_said_as_sipp_sync_status_says_it(tmp_path):
    with serving(Unavailable) as central:
        message = preparation_failure(tmp_path, central)
    assert message.startswith(
        f"Persiapan gagal: SIPP MA {central}/ status 503: SIPP MA sedang tidak melayani "
        "(pemeliharaan atau beban penuh) (HTTP Error 503: Service Unavailable), SIPP publik "), \
        message


def test_an_answer_uri_took_is_named_without_nested_brackets(tmp_path):
    """SIPP MA answering while the public site did not was recorded as 'status 200
    (OK (2 bytes))': uri's own "OK (2 bytes)" follows the status as it is."""
    with serving(Ok) as central:  # SIPP MA answering as it should
        message = preparation_failure(tmp_path, central)
    assert message.startswith(
        f"Persiapan gagal: SIPP MA {central}/ status 200 OK (2 bytes), SIPP publik "), message


class Trickling(BaseHTTPRequestHandler):
    """SIPP MA sending its answer's headers a byte at a time, each within uri's timeout
    (a read of a socket, not the request's), for 20 s at most."""

    def do_GET(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(40):
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)

    def log_message(self, *args):
        pass


def test_a_sipp_ma_trickling_its_answer_is_stopped_at_the_tasks_timeout(tmp_path):
    """uri's timeout bounds a socket read: a server sending a byte a second kept the
    preparation waiting for good. The task's own timeout, 10 s above uri's, stops it,
    named in Bahasa."""
    started = time.monotonic()
    with serving(Trickling) as central:
        message = preparation_failure(tmp_path, central, http_timeout=1)
    assert time.monotonic() - started < 19
    assert message.startswith(
        f"Persiapan gagal: SIPP MA {central}/ tidak selesai menjawab dalam 11 detik (batas "
        "waktu tugas, sipp_sync_http_timeout + 10 detik), dihentikan, SIPP publik "), message


DUMP = '''
import json, os
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Every task result as the sop runner's events carry it (res), one JSON line."""
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "dump"
    CALLBACK_NEEDS_ENABLED = False

    def _dump(self, result):
        res = getattr(result, "result", None)
        if res is None:
            res = result._result
        with open(os.environ["DUMP_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps(res, default=str) + "\\n")

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = _dump
'''

SECRETS = ("S3cretPw", "T0kenCentral", "K3yPublic", "Pa55word", "UrlPa55", "SyncT0k",
           "JsonPa55")
SECRET_PLAY = """
- hosts: localhost
  gather_facts: false
  vars: &common
    sipp_sync_central_url: "http://sop:S3cretPw@{authority}/?token=T0kenCentral"
    sipp_sync_public_url: "http://{authority}/publik/?key=K3yPublic"
    sipp_sync_kode_satker: "400999"
    sipp_sync_trigger: always
    # printing its configuration as JSON too: a setting's value, not only an option's
    sipp_sync_command: >-
      /bin/echo --password=Pa55word '{{"password": "JsonPa55"}}'
  roles: [sipp_sync]
- hosts: localhost
  gather_facts: false
  vars:
    <<: *common
    sipp_sync_command: ""
    sipp_sync_url: "http://sipp:UrlPa55@{authority}/sync?token=SyncT0k"
    sipp_sync_url_method: GET
  roles: [sipp_sync]
"""


class Fresh(BaseHTTPRequestHandler):
    """SIPP MA, the public page and the sync URL: every page says it is fresh, dated now,
    and each read a second later than the one before at least, as a sync between two
    reads (under a second apart on a fast host) moves it."""

    dated: ClassVar[dt.datetime | None] = None

    def do_GET(self):
        wib = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)
        if Fresh.dated is not None:
            wib = max(wib, Fresh.dated + dt.timedelta(seconds=1))
        Fresh.dated = wib
        body = f"Pembaharuan Data: {wib:%Y-%m-%d %H:%M:%S} WIB".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_credentials_in_urls_and_command_never_reach_the_records(tmp_path):
    # user:password@ and tokens in sipp_sync_central_url/_public_url/_url and a password
    # on sipp_sync_command: no task result (what the runner records: sop_output and the
    # whole res) nor the output holds them; the sync still runs and passes.
    (tmp_path / "dump.py").write_text(DUMP, encoding="utf-8")
    dump = tmp_path / "results.jsonl"
    with serving(Fresh) as url:
        proc = playbook(tmp_path, SECRET_PLAY.format(authority=url.split("://", 1)[1]), "-v",
                        ANSIBLE_CALLBACK_PLUGINS=f"{tmp_path}:{ROOT / 'plugins' / 'callback'}",
                        DUMP_FILE=str(dump))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    results = dump.read_text(encoding="utf-8")
    assert "sop_output" in results and "Pembaharuan Data" in results
    leaked = {secret for secret in SECRETS if secret in results + proc.stdout + proc.stderr}
    assert not leaked, [line for line in (results + proc.stdout).splitlines()
                        if any(secret in line for secret in leaked)][:5]
    outputs = [json.loads(line)["sop_output"] for line in results.splitlines()
               if '"sop_output"' in line]
    assert any(o.get("command") == """/bin/echo --password=*** '{"password": ***}'"""
               for o in outputs), outputs
    assert any(o.get("command_output") == '--password=*** {"password": ***}'
               for o in outputs), outputs
    assert any(o.get("url") == "http://***@" + url.split("://", 1)[1] + "/sync?token=***"
               for o in outputs), outputs


STATUS_URL_PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: [{defaults}]
  vars:
    court_kode_satker: "400622"
  tasks:
    - ansible.builtin.debug:
        msg: "URL={{{{ sipp_sync_central_status_url }}}}"
      vars:
        sipp_sync_central_url: "{{{{ item }}}}"
      loop: {urls}
"""


def test_status_url_keeps_the_central_urls_query_after_the_path(tmp_path):
    # The status URL was the central URL with '/api/status/<kode>' appended to its end:
    # a central URL carrying a query (an API token) gave '...?token=x/api/status/400622',
    # a status read of the wrong page with a mangled token.
    urls = ["https://sipp.example.go.id/", "https://sipp.example.go.id/ma/?token=x&v=2",
            "http://10.0.0.5:8080"]
    proc = playbook(tmp_path, STATUS_URL_PLAY.format(
        defaults=ROOT / "roles" / "sipp_sync" / "defaults" / "main.yml", urls=json.dumps(urls)))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    shown = [line.split("URL=", 1)[1].rstrip('"') for line in proc.stdout.splitlines()
             if "URL=" in line]
    assert shown == ["https://sipp.example.go.id/api/status/400622",
                     "https://sipp.example.go.id/ma/api/status/400622?token=x&v=2",
                     "http://10.0.0.5:8080/api/status/400622"]


MASK_CASES = [
    "/usr/local/bin/sync --password=Pa55 --user sipp",
    "/usr/local/bin/sync --api-key K3y -x 1",
    "mysqldump -pS3cret sipp",
    "SYNC_TOKEN=abc /opt/sync http://u:pw@ma.example/x?sig=Q1&v=2",
    "curl 'https://ma.example/sync#access_token=T0k' --session-id 99",
    "/opt/sync --verbose --count 3",
]
MASK_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "SHOWN={{{{ item | sop_mask_command }}}}"
      loop: {cases}
"""


def test_the_role_masks_with_the_shared_rules_of_module_utils_sop_secrets(tmp_path):
    # The role masked its URLs and command with Jinja regexes copying module_utils/
    # sop_secrets (two copies of one security rule). The filter plugin sop_mask_command
    # is sop_secrets.mask_command itself, on the controller.
    secrets = load("sop_secrets")
    proc = playbook(tmp_path, MASK_PLAY.format(cases=json.dumps(MASK_CASES)), **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    shown = [json.loads(line.rsplit(" => ", 1)[1])["msg"].split("SHOWN=", 1)[1]
             for line in proc.stdout.splitlines() if "SHOWN=" in line and " => " in line]
    expected = [secrets.mask_command(case) for case in MASK_CASES]
    assert shown == expected
    assert expected == [
        "/usr/local/bin/sync --password=*** --user sipp",
        "/usr/local/bin/sync --api-key *** -x 1",
        "mysqldump -p*** sipp",
        "SYNC_TOKEN=*** /opt/sync http://***@ma.example/x?sig=***&v=2",
        "curl 'https://ma.example/sync#access_token=***' --session-id ***",
        "/opt/sync --verbose --count 3",
    ]
    assert "regex_replace(sipp_sync__mask" not in "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "roles" / "sipp_sync").rglob("*.yml"))


PATH_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_sync_central_url: "http://{authority}/"
    sipp_sync_public_url: "http://{authority}/publik/"
    sipp_sync_kode_satker: "400999"
    sipp_sync_trigger: always
    sipp_sync_command: "{command}"
  roles: [sipp_sync]
"""


def _sync_with(tmp_path: pathlib.Path, *args: str, command: str = "/bin/true",
               handler: type[Fresh] = Fresh, **env: str) -> subprocess.CompletedProcess[str]:
    """The role run with ``args`` against ``handler`` served as SIPP MA and the public
    page, with ``command`` as the sync command."""
    with serving(handler) as url:
        return playbook(tmp_path, PATH_PLAY.format(authority=url.split("://", 1)[1],
                                                   command=command), *args, **env)



def test_a_sync_command_failing_on_stdout_alone_is_named_by_its_last_line(tmp_path):
    # php-cli writes a fatal error to stdout (display_errors=STDOUT), nothing to stderr:
    # the failure read "Sinkronisasi gagal: php sync.php: (kode keluar 255)", no cause
    script = tmp_path / "sync.sh"
    script.write_text("#!/bin/sh\necho 'Menghubungi SIPP MA --password=Pa55word'\n"
                      "echo 'PHP Fatal error:  Uncaught Exception: koneksi ditolak in "
                      "/var/www/sipp/sync.php:12'\nexit 255\n")
    script.chmod(0o755)
    proc = _sync_with(tmp_path, command=str(script))
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"Kegiatan 2: Sinkronisasi gagal: {script}: PHP Fatal error:  Uncaught Exception: "
            "koneksi ditolak in /var/www/sipp/sync.php:12 (kode keluar 255)") in proc.stdout, \
        proc.stdout[-3000:]
    assert "Pa55word" not in proc.stdout


def test_a_sync_command_that_passes_its_time_limit_is_named_so(tmp_path):
    # it read "Sinkronisasi gagal: sleep 30: Timed out after 1 second(s).", in English and
    # without the setting that gives the limit
    proc = _sync_with(tmp_path, "-e", "sipp_sync_command_timeout=1", command="sleep 30")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("Kegiatan 2: Sinkronisasi gagal: sleep 30: tidak selesai dalam 1 detik "
            "(sipp_sync_command_timeout), dihentikan") in proc.stdout, proc.stdout[-3000:]


def test_a_sync_command_named_as_on_a_shell_is_found_on_the_path(tmp_path):
    # `sipp_sync_command: php /var/www/sipp/sync.php`, as an admin types it: the check
    # looked for a file named "php" in the working directory and failed the preparation,
    # while the command module finds php on the server's PATH.
    proc = _sync_with(tmp_path, command="sh -c 'exit 0'")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    proc = _sync_with(tmp_path, command="no-such-sync-program --now")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("Perintah sinkronisasi no-such-sync-program tidak ada atau tidak dapat "
            "dijalankan") in proc.stdout



def test_a_secret_in_the_sync_commands_first_word_never_reaches_the_records(tmp_path):
    # `SYNC_TOKEN=x /usr/local/sbin/sipp-sync`, as a shell takes it: the command module
    # has no such assignment, the preparation fails, and its message, the PATH lookup's
    # and the stat's results showed the token whole
    (tmp_path / "dump.py").write_text(DUMP, encoding="utf-8")
    dump = tmp_path / "results.jsonl"
    proc = _sync_with(tmp_path, "--tags", "persiapan",
                      command="SYNC_TOKEN=Zs3cr3tTok /bin/true",
                      ANSIBLE_CALLBACK_PLUGINS=f"{tmp_path}:{ROOT / 'plugins' / 'callback'}",
                      DUMP_FILE=str(dump))
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("Kegiatan 1: Perintah sinkronisasi SYNC_TOKEN=*** tidak ada atau tidak dapat "
            "dijalankan") in proc.stdout, proc.stdout[-3000:]
    results = dump.read_text(encoding="utf-8")
    assert "Zs3cr3tTok" not in results + proc.stdout + proc.stderr

class AheadCentral(Fresh):
    """A fresh public page, and SIPP MA writing its WIB time without an offset (read as
    UTC: seven hours ahead)."""

    def do_GET(self):
        if not self.path.startswith("/api/status/"):
            super().do_GET()
            return
        wib = dt.datetime.now(dt.timezone(dt.timedelta(hours=7)))
        body = json.dumps({"last_sync": f"{wib:%Y-%m-%d %H:%M:%S}", "cases": 4}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_the_report_says_sipp_mas_last_sync_lies_in_the_future(tmp_path):
    # It showed 'SIPP MA <time> (umur -7.0 jam, ...)', a negative age and nothing said.
    proc = _sync_with(tmp_path, "--tags", "laporan", "-e", "sipp_sync_compare_counts=false",
                      handler=AheadCentral, **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = next(json.loads(line.split(" => ", 1)[1])["msg"] for line in proc.stdout.splitlines()
                  if "Laporan sinkronisasi" in line and " => " in line)
    assert "; SIPP MA last_sync " in report
    assert ": 7,0 jam di masa depan (jam server atau SIPP MA salah, " in report, report
    assert report.endswith("; 4 perkara"), report


@pytest.mark.parametrize(("tags", "activity"), [((), 2), (("--tags", "laporan"), 3)])
def test_a_bad_timezone_is_named_by_the_roles_variable(tmp_path, tags, activity):
    # sipp_sync_status refuses the zone before reading the page, naming its option
    # ('timezone: unknown time zone ...'): a court sets sipp_sync_timezone, not
    # timezone. The activity fails with the variable's name, as sipp_maintenance's do,
    # and the sync is not triggered on a run that cannot judge it.
    proc = _sync_with(tmp_path, "-e", "sipp_sync_timezone=Asia/Jakrta", *tags)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"Kegiatan {activity}: pengaturan salah: sipp_sync_timezone: unknown time zone "
            "'Asia/Jakrta'") in proc.stdout, proc.stdout[-3000:]
    assert "Run the sync command" not in proc.stdout


def test_a_refused_timeout_is_named_by_the_roles_variable(tmp_path):
    # sipp_sync_status's option timeout is set by sipp_sync_http_timeout: the cause named
    # 'sipp_sync_timeout', a variable no court has; the settings' check refuses it first
    proc = _sync_with(tmp_path, "-e", "sipp_sync_http_timeout=0", "--tags", "laporan")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("pengaturan salah: sipp_sync_http_timeout: must be a positive "
            "number of seconds") in proc.stdout, proc.stdout[-3000:]
    assert "Read the last sync" not in proc.stdout



def test_a_refused_database_name_is_named_by_the_roles_variable(tmp_path):
    # sipp_sync_status's option database is set by sipp_sync_db_name: the cause named
    # 'sipp_sync_database', a variable no court has
    proc = _sync_with(tmp_path, "-e", '{"sipp_sync_db_name": ""}', "--tags", "laporan")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("pengaturan salah: sipp_sync_db_name: the database name is "
            "empty") in proc.stdout, proc.stdout[-3000:]
    assert "Read the last sync" not in proc.stdout


@pytest.mark.parametrize("tags", [(), ("--tags", "laporan")])
def test_a_null_comparison_switch_is_refused_naming_the_roles_variable(tmp_path, tags):
    # argument_specs let null through: `| bool` read it as false (the database name's
    # check skipped, its default true) and sipp_sync_status refused it after the sync ran
    # as "argument 'compare_counts' is of type NoneType", naming no variable of the role
    proc = _sync_with(tmp_path, "-e", '{"sipp_sync_compare_counts": null}', *tags)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("pengaturan salah: sipp_sync_compare_counts: must be true or false, "
            "not null") in proc.stdout, proc.stdout[-3000:]
    assert "Run the sync command" not in proc.stdout and "Read the last sync" not in proc.stdout


# The database account null is the client's own (`sipp_db_password:` left empty in
# group_vars: its option files, the socket's), as sipp_sync_status reads a null login
# option.
NULL_IS_OWN = ("sipp_sync_db_user", "sipp_sync_db_password")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["DbPa55"], "a list"), ({"DbPa55": "DbPa55"}, "a mapping"),
    # an unquoted sipp_db_password: yes, written by argument_specs as the password 'True'
    (True, "the switch true (YAML reads yes, no, on, off, true and false unquoted as one: "
           "write the text in quotes)")])
def test_a_text_given_as_null_a_list_or_a_mapping_is_refused_naming_the_roles_variable(
        tmp_path, value, shown):
    # argument_specs let them through: null read as '' or 'None' (a URL passing the URLs'
    # check as an empty one; the marker's pattern, the database's settings
    # and the time zone reached sipp_sync_status only after the sync ran), a list or a
    # mapping as its text "['DbPa55']". Each text (a host each, in one run) refused first,
    # whichever activity runs, named; its value never shown (the password's neither).
    # (sipp_sync_trigger argument_specs refuses, none of its choices.) The account's null
    # is taken, both at once on one host.
    results = texts_refused(tmp_path, "sipp_sync", value, shown, NULL_IS_OWN)
    assert "DbPa55" not in json.dumps(results)


class NoMarker(Fresh):
    """SIPP MA answers; the public page has no "Pembaharuan Data" (a changed layout)."""

    def do_GET(self):
        body = b"<html><title>SIPP</title>Halaman dalam perbaikan</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Ahead(Fresh):
    """The public page dated two hours ahead of the clock (a wrong zone or clock)."""

    def do_GET(self):
        wib = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) + dt.timedelta(hours=2)
        body = f"Pembaharuan Data: {wib:%Y-%m-%d %H:%M:%S} WIB".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize(("handler", "said"), [
    (NoMarker, "Tanda 'Pembaharuan Data' tidak ditemukan di halaman SIPP publik"),
    (Ahead, "jam di masa depan"),
])
def test_a_page_without_a_past_date_is_not_called_stale(tmp_path, handler, said):
    # 'Data SIPP publik BASI: Tanda ... tidak ditemukan': a page whose date could not be
    # read, or lies ahead of the clock, was reported as stale data, sending the court
    # after a sync that may well have run
    proc = _sync_with(tmp_path, "-e", "sipp_sync_trigger=never", handler=handler)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Kegiatan 2: Kesegaran data SIPP publik tidak dapat dipastikan: " in proc.stdout, \
        proc.stdout[-3000:]
    assert said in proc.stdout and "BASI" not in proc.stdout


class Stale(Fresh):
    """The public page ten hours old."""

    def do_GET(self):
        wib = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=10)
        body = f"Pembaharuan Data: {wib:%Y-%m-%d %H:%M:%S} WIB".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_sync_that_left_the_public_pages_date_as_it_was_fails(tmp_path):
    # A sync command that exits 0 (or a sync URL answering 200 with a login or error
    # page) without syncing passed as long as the page's last sync was under
    # sipp_sync_max_age_hours old: 'auto' ran it at two hours and reported it run
    two_hours_ago = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=2)

    class Unmoved(Fresh):
        def do_GET(self):
            body = f"Pembaharuan Data: {two_hours_ago:%Y-%m-%d %H:%M:%S} WIB".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    proc = _sync_with(tmp_path, "-e", "sipp_sync_trigger=auto", handler=Unmoved)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"Kegiatan 2: Sinkronisasi dijalankan tetapi Pembaharuan Data di SIPP publik "
            f"tidak berubah: masih {two_hours_ago:%Y-%m-%d %H:%M:%S} WIB (/bin/true selesai "
            "tanpa galat, tetapi data tidak sampai ke SIPP publik)") in proc.stdout, \
        proc.stdout[-3000:]
    # not run (never), or in check mode: nothing to move it
    for args in (("-e", "sipp_sync_trigger=never"), ("--check",)):
        proc = _sync_with(tmp_path, *args, handler=Unmoved)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


SYNC_URL_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_sync_central_url: "http://{authority}/"
    sipp_sync_public_url: "http://{authority}/publik/"
    sipp_sync_kode_satker: "400999"
    sipp_sync_trigger: always
    sipp_sync_url: "http://{authority}/sync?token=SyncT0k"
  roles: [sipp_sync]
"""


@pytest.mark.parametrize(("status", "syncs"), [(202, True), (204, True), (204, False)])
def test_a_sync_url_answering_accepted_or_no_content_ran(tmp_path, status, syncs):
    # The sync URL was accepted only answering 200: an endpoint answering 202 Accepted or
    # 204 No Content failed the sync ('Status code was 204'). Whether it synced is still
    # the public page's date to tell: one that did not move fails as before.
    two_hours_ago = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=2)
    calls: list[str] = []

    class Endpoint(Fresh):
        def do_GET(self):
            if calls and syncs:
                super().do_GET()
                return
            body = f"Pembaharuan Data: {two_hours_ago:%Y-%m-%d %H:%M:%S} WIB".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            calls.append(self.path)
            self.send_response(status)
            self.end_headers()

    with serving(Endpoint) as url:
        authority = url.split("://", 1)[1]
        proc = playbook(tmp_path, SYNC_URL_PLAY.format(authority=authority))
    assert calls == ["/sync?token=SyncT0k"], proc.stdout[-3000:]
    assert "Sinkronisasi gagal" not in proc.stdout, proc.stdout[-3000:]
    if syncs:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        return
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"Kegiatan 2: Sinkronisasi dijalankan tetapi Pembaharuan Data di SIPP publik "
            f"tidak berubah: masih {two_hours_ago:%Y-%m-%d %H:%M:%S} WIB (http://{authority}"
            "/sync?token=*** selesai tanpa galat, tetapi data tidak sampai ke SIPP publik)"
            ) in proc.stdout, proc.stdout[-3000:]


@pytest.mark.parametrize("setting", ["sipp_sync_command=", "sipp_sync_url=http://127.0.0.1:9/sync"])
def test_activity_2_alone_checks_its_trigger_is_set(tmp_path, setting):
    # `sop run sipp-sync --activity 2` skips the preparation's check of the settings:
    # without a command or URL it recorded the sync triggered, nothing run, and passed on
    # the page's date; with both it ran the command and called the URL
    proc = _sync_with(tmp_path, "--tags", "sinkronisasi", "-e", setting)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("Kegiatan 2: Konfigurasi sinkronisasi tidak lengkap: perlu tepat satu dari "
            "sipp_sync_command atau sipp_sync_url (sipp_sync_trigger always)") in proc.stdout, \
        proc.stdout[-3000:]
    assert "Run the sync command" not in proc.stdout


def test_auto_syncs_data_past_the_limit_whatever_its_interval(tmp_path):
    # 'auto' synced only data older than sipp_sync_min_interval: set above
    # sipp_sync_max_age_hours (600 minutes against 8 hours) it failed the SOP as stale
    # with 'pemicu auto, tidak dijalankan', the one sync that repairs it never run
    synced = tmp_path / "synced"

    class StaleUntilSynced(Fresh):
        def do_GET(self):
            if synced.exists():
                super().do_GET()
                return
            wib = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=9)
            body = f"Pembaharuan Data: {wib:%Y-%m-%d %H:%M:%S} WIB".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    proc = _sync_with(tmp_path, "-e", "sipp_sync_trigger=auto", "-e", "sipp_sync_min_interval=600",
                      command=f"touch {synced}", handler=StaleUntilSynced)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert synced.exists()


def test_a_page_dated_beyond_the_limit_is_stale(tmp_path):
    proc = _sync_with(tmp_path, "-e", "sipp_sync_trigger=never", handler=Stale)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Kegiatan 2: Data SIPP publik BASI: Pembaharuan Data " in proc.stdout
    assert ": umur 10,0 jam, batas 8 jam (BASI)" in proc.stdout


REDIRECT_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_sync_central_url: "{fresh}/"
    sipp_sync_public_url: "{moved}/publik/?key=K3yPublic"
    sipp_sync_kode_satker: "400999"
    sipp_sync_trigger: always
    sipp_sync_url: "{moved}/sync?token=SyncT0k"
    sipp_sync_url_method: GET
  tasks:
    - ansible.builtin.include_role:
        name: sipp_sync
        tasks_from: persiapan
    - ansible.builtin.include_role:
        name: sipp_sync
        tasks_from: sinkronisasi
"""


def test_the_roles_own_requests_follow_no_redirect(tmp_path):
    # uri follows a redirect from https down to plain http, carrying the URL's token along:
    # the preparation takes a redirect as an answer and the sync URL's fails the sync,
    # both without a request to where it leads. The public page is then judged by
    # sipp_sync_status, which follows only safe redirects (tests/modules/test_sipp_sync_status.py).
    reached: list[str] = []

    class Elsewhere(Fresh):
        def do_GET(self):
            reached.append(self.path)
            super().do_GET()

    with serving(Fresh) as fresh, serving(Elsewhere) as elsewhere:
        class Moved(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(302)
                self.send_header("Location", elsewhere + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        with serving(Moved) as moved:
            proc = playbook(tmp_path, REDIRECT_PLAY.format(fresh=fresh, moved=moved), "-v",
                            **JSON_RESULTS)
    out = proc.stdout
    assert proc.returncode == 2, out[-3000:] + proc.stderr[-2000:]
    assert "dan SIPP publik (status 302) dapat dihubungi" in out, out[-3000:]
    failed = [line for line in out.splitlines() if "Sinkronisasi gagal" in line and " => " in line]
    message = json.loads(failed[0].split(" => ", 1)[1])["msg"]
    assert message.startswith(f"Sinkronisasi gagal: {moved}/sync?token=***: ")
    assert "302" in message and "SyncT0k" not in out
    # only sipp_sync_status's own, safe, reading of the public page went on
    assert all(path.startswith("/publik/") for path in reached), reached


# Penyamaan data: SIPP MA's counts against the local database's, read by a stand-in for the
# mariadb client on PATH that logs its command line and the option file it was given.
FAKE_CLIENT = """#!{python}
import json, sys
argv = sys.argv[1:]
extra = [a.split("=", 1)[1] for a in argv if a.startswith("--defaults-extra-file=")]
with open(extra[0], encoding="utf-8") as handle:
    options = handle.read()
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps({{"argv": argv, "options": options, "sql": sys.stdin.read()}}) + "\\n")
sys.stdout.write({output!r})
sys.stderr.write({error!r})
sys.exit({rc})
"""


def fake_client(tmp_path: pathlib.Path, output: str = "sop-sipp-answer\n1250\t980\n",
                error: str = "", rc: int = 0) -> dict[str, str]:
    """The environment putting a fake ``mariadb`` first on PATH, answering ``output`` (a
    query's answer begins with sop_sipp_schema's mark)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    client = bin_dir / "mariadb"
    client.write_text(FAKE_CLIENT.format(python=sys.executable, log=str(tmp_path / "client.log"),
                                         output=output, error=error, rc=rc), encoding="utf-8")
    client.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def counting(answer: dict[str, object]) -> type[Fresh]:
    """A fresh public page and SIPP MA answering ``answer`` (its last_sync now added)."""

    class Counting(Fresh):
        def do_GET(self):
            if not self.path.startswith("/api/status/"):
                super().do_GET()
                return
            now = dt.datetime.now(dt.timezone.utc).isoformat()  # noqa: UP017
            body = json.dumps({"last_sync": now, **answer}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Counting


def results(proc: subprocess.CompletedProcess[str], start: str) -> list[str]:
    """The msg of each task result line whose msg starts with ``start`` (an assert's
    success_msg is shown with -v)."""
    found = []
    for line in proc.stdout.splitlines():
        if " => " in line:
            msg = json.loads(line.split(" => ", 1)[1]).get("msg")
            if isinstance(msg, str) and msg.startswith(start):
                found.append(msg)
    return found


def test_equal_counts_are_the_penyamaan_data_of_activities_2_and_3(tmp_path):
    # The SOP's output of activities 1 and 2 is "Penyamaan data dengan SIPP MA": only the
    # public page's freshness was checked, and the report named SIPP MA's cases alone.
    # The database password reaches the client in its option file, never its command
    # line, a result or the output.
    (tmp_path / "dump.py").write_text(DUMP, encoding="utf-8")
    dump = tmp_path / "results.jsonl"
    proc = _sync_with(tmp_path, "-v", "-e", "sipp_sync_db_password=DbPa55w0rd", "-e",
                      "sipp_sync_db_user=sop_ro", handler=counting({"cases": 1250, "putusan": 980}),
                      ANSIBLE_CALLBACK_PLUGINS=f"{tmp_path}:{ROOT / 'plugins' / 'callback'}",
                      DUMP_FILE=str(dump), **fake_client(tmp_path), **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    equal = "Penyamaan data: SIPP lokal dan SIPP MA sama (1.250 perkara, 980 putusan)"
    assert results(proc, "Penyamaan data") == [equal]
    report = results(proc, "Laporan sinkronisasi")
    # the count said once, by the comparison (it repeated '1250 perkara' before it)
    assert len(report) == 1 and report[0].endswith(f" (segar); {equal}"), report
    assert report[0].count("perkara") == 1, report
    records = dump.read_text(encoding="utf-8")
    outputs = [json.loads(line)["sop_output"] for line in records.splitlines()
               if '"sop_output"' in line]
    compared = [o["comparison"] for o in outputs if "comparison" in o]
    assert [c["status"] for c in compared] == ["equal", "equal"]  # activities 2 and 3
    assert compared[0]["local"] == compared[0]["central"] == {"cases": 1250, "putusan": 980}
    assert any(o.get("penyamaan_data") == equal for o in outputs), outputs
    calls = [json.loads(line) for line in (tmp_path / "client.log").read_text().splitlines()]
    assert len(calls) == 2
    assert all('password="DbPa55w0rd"' in c["options"] and 'user="sop_ro"' in c["options"]
               for c in calls)
    assert "DbPa55w0rd" not in json.dumps([c["argv"] for c in calls])
    assert "COUNT(*) FROM perkara)" in calls[0]["sql"]
    assert "DbPa55w0rd" not in records + proc.stdout + proc.stderr


@pytest.mark.parametrize(("answer", "args", "said"), [
    # SIPP MA counting more: the local data lost, or the answer not this court's
    ({"cases": 1300, "putusan": 980}, ("-e", "sipp_sync_trigger=never"),
     "Kegiatan 2: Penyamaan data gagal: SIPP MA mencatat lebih banyak dari SIPP lokal "
     "(data SIPP lokal terhapus atau hilang, atau jawaban SIPP MA bukan data pengadilan "
     "ini): perkara: SIPP lokal 1.250, SIPP MA 1.300 (SIPP MA lebih banyak 50); 980 "
     "putusan sama (sinkronisasi tidak dijalankan pada run ini: bila perkara sengaja "
     "dihapus sesudah sinkronisasi terakhir, jalankan dengan sipp_sync_trigger always)"),
    # right after this run's sync the local database counts more than the tolerance
    ({"cases": 1247, "putusan": 980}, ("-e", "sipp_sync_count_tolerance=2"),
     "Kegiatan 2: Penyamaan data gagal: SIPP lokal lebih banyak dari SIPP MA: perkara: "
     "SIPP lokal 1.250, SIPP MA 1.247 (lokal lebih banyak 3); 980 putusan sama (sesudah "
     "sinkronisasi pada run ini; batas selisih sipp_sync_count_tolerance 2)"),
])
def test_counts_that_differ_fail_activity_2_naming_both(tmp_path, answer, args, said):
    proc = _sync_with(tmp_path, *args, handler=counting(answer), **fake_client(tmp_path))
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert said in proc.stdout, proc.stdout[-3000:]


@pytest.mark.parametrize(("answer", "args", "said"), [
    # cases registered between the sync's count and this one, within the tolerance
    ({"cases": 1248, "putusan": 980}, ("-e", "sipp_sync_count_tolerance=2"),
     "Penyamaan data: SIPP lokal dan SIPP MA sama dalam toleransi 2: perkara: SIPP lokal "
     "1.250, SIPP MA 1.248 (lokal lebih banyak 2, dalam toleransi 2); 980 putusan sama"),
    # no sync this run: the cases registered since the last one are not at SIPP MA yet
    ({"cases": 1200, "putusan": 900}, ("-e", "sipp_sync_trigger=never"),
     "Penyamaan data: SIPP lokal lebih banyak dari SIPP MA: perkara: SIPP lokal 1.250, "
     "SIPP MA 1.200 (lokal lebih banyak 50); putusan: SIPP lokal 980, SIPP MA 900 (lokal "
     "lebih banyak 80); sinkronisasi tidak dijalankan pada run ini: yang terdaftar sesudah "
     "sinkronisasi terakhir belum ada di SIPP MA"),
    # a SIPP MA whose answer holds no counts (a real one may send none): skipped, said
    ({}, (), "Penyamaan data dilewati: jawaban SIPP MA tidak memuat jumlah perkara dan putusan"),
    ({"cases": 1250}, (), "Penyamaan data: SIPP lokal dan SIPP MA sama (1.250 perkara); "
                          "putusan tidak dikirim SIPP MA sebagai jumlah (tidak dibandingkan)"),
    # check mode: the due sync is not run, so what it would make equal is not judged
    ({"cases": 1300, "putusan": 980}, ("--check",),
     "Penyamaan data: SIPP MA mencatat lebih banyak dari SIPP lokal (data SIPP lokal "
     "terhapus atau hilang, atau jawaban SIPP MA bukan data pengadilan ini): perkara: "
     "SIPP lokal 1.250, SIPP MA 1.300 (SIPP MA lebih banyak 50); 980 putusan sama (mode "
     "cek: sinkronisasi akan dijalankan, belum dinilai)"),
])
def test_what_does_not_fail_activity_2_is_said(tmp_path, answer, args, said):
    proc = _sync_with(tmp_path, "-v", *args, handler=counting(answer), **fake_client(tmp_path),
                      **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert results(proc, "Penyamaan data") == [said]


@pytest.mark.parametrize(("answer", "client", "ends"), [
    # SIPP MA sent no count: the comparison says so, no '- perkara' before it
    ({}, {}, " (segar); Penyamaan data dilewati: jawaban SIPP MA tidak memuat jumlah "
             "perkara dan putusan"),
    ({"putusan": 980}, {}, " (segar); Penyamaan data: SIPP lokal dan SIPP MA sama (980 "
                           "putusan); perkara tidak dikirim SIPP MA sebagai jumlah (tidak "
                           "dibandingkan)"),
    # the database unread: SIPP MA's count is said by nothing else
    ({"cases": 1250}, {"output": "", "rc": 1, "error": "ERROR 2002 (HY000): no socket\n"},
     " (segar); 1.250 perkara; Penyamaan data tidak dapat diperiksa: SIPP database sipp: "
     "ERROR 2002 (HY000): no socket"),
])
def test_the_report_says_sipp_mas_count_once(tmp_path, answer, client, ends):
    proc = _sync_with(tmp_path, "--tags", "laporan", handler=counting(answer),
                      **fake_client(tmp_path, **client), **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    [report] = results(proc, "Laporan sinkronisasi")
    assert report.endswith(ends), report


def test_counts_skipped_leave_the_database_unread(tmp_path):
    # a "cases" that is no count is no count: nothing to compare, the database unread
    proc = _sync_with(tmp_path, "-v", handler=counting({"cases": "banyak"}),
                      **fake_client(tmp_path), **JSON_RESULTS)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert results(proc, "Penyamaan data") == [
        "Penyamaan data dilewati: jawaban SIPP MA tidak memuat jumlah perkara dan putusan"]
    assert not (tmp_path / "client.log").exists()


def test_a_database_that_cannot_be_read_fails_activity_2_naming_why(tmp_path):
    proc = _sync_with(tmp_path, handler=counting({"cases": 1250, "putusan": 980}),
                      **fake_client(tmp_path, output="", rc=1,
                                    error="ERROR 1045 (28000): Access denied for user 'sop'\n"))
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ("Kegiatan 2: Penyamaan data tidak dapat diperiksa: SIPP database sipp: ERROR 1045 "
            "(28000): Access denied for user 'sop' (atur sipp_sync_db_*, atau "
            "sipp_sync_compare_counts: false)") in proc.stdout, proc.stdout[-3000:]


def test_the_comparison_turned_off_reads_no_database(tmp_path):
    proc = _sync_with(tmp_path, "-v", "-e", "sipp_sync_compare_counts=false", **JSON_RESULTS,
                      handler=counting({"cases": 1300, "putusan": 980}), **fake_client(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert not (tmp_path / "client.log").exists()
    assert results(proc, "Penyamaan data") == []
    assert results(proc, "Laporan sinkronisasi")[0].endswith("; 1.300 perkara")


@pytest.mark.parametrize(("setting", "said"), [
    # 0 ran the command with no time limit at all (a task's timeout of 0 is none)
    ("0", "must be a positive number of seconds, not 0"),
    # -e gives the text, read as a float (sop_seconds_error)
    ("1000000000000", "must be at most 86400 seconds (one day), not 1e+12")])
def test_a_bad_sync_time_limit_is_refused_before_the_sync_runs(tmp_path, setting, said):
    proc = _sync_with(tmp_path, "--tags", "sinkronisasi", "-e",
                      f"sipp_sync_command_timeout={setting}")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"pengaturan salah: sipp_sync_command_timeout: {said}"
            in proc.stdout), proc.stdout[-3000:]
    assert "Run the sync command" not in proc.stdout


@pytest.mark.parametrize(("setting", "said"), [
    # auto compared the page's age with it in Jinja alone: a negative one synced a fresh
    # page on every run, one of 1e12 minutes never synced before the page went stale
    ("-5", "must be a positive number of minutes, not -5"),
    ("0", "must be a positive number of minutes, not 0"),
    # -e gives the text, read as a float (sop_duration_error)
    ("1000000000000", "must be at most 5256000 minutes (ten years), not 1e+12")])
def test_a_bad_minimum_interval_is_refused_before_the_page_is_read(tmp_path, setting, said):
    proc = _sync_with(tmp_path, "--tags", "sinkronisasi", "-e", "sipp_sync_trigger=auto",
                      "-e", f"sipp_sync_min_interval={setting}")
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert (f"pengaturan salah: sipp_sync_min_interval: {said}"
            in proc.stdout), proc.stdout[-3000:]
    assert "Read the public page's last update before syncing" not in proc.stdout
    assert "Run the sync command" not in proc.stdout


# The settings of the role run on PATH_PLAY (the URLs on the discard port: no check reads
# them), each case's set over them, as its -e was.
PATH_PLAY_SETTINGS = {
    "sipp_sync_central_url": "http://127.0.0.1:9/", "sipp_sync_public_url":
    "http://127.0.0.1:9/publik/", "sipp_sync_kode_satker": "400999",
    "sipp_sync_trigger": "always", "sipp_sync_command": "/bin/true"}
# The method of a sync URL: the command none, the URL set.
SYNC_URL = {"sipp_sync_command": "", "sipp_sync_url": "http://127.0.0.1:9/sync"}
# Each bad setting (an inventory host named for it: its settings, what it is refused as).
# "-e name=value" gave the text, as these texts do.
BAD_SETTINGS: dict[str, tuple[dict[str, object], str]] = {
    # sipp_sync_status refused a negative one only in the read after the sync: the sync
    # was triggered, then activity 2 failed on the setting, no Penyamaan data judged
    "count_tolerance_negative": (
        {"sipp_sync_count_tolerance": "-1"},
        "sipp_sync_count_tolerance: must be 0 (no difference tolerated) or a positive number "
        "of rows, not -1"),
    # any size passed a sync that sent nothing as long as the page's date moved; -e gives
    # the text, read as a float (sop_range_error)
    "count_tolerance_huge": ({"sipp_sync_count_tolerance": "1000000"},
                             "sipp_sync_count_tolerance: must be at most 1000 rows, not 1e+06"),
    "max_age_hours_0": ({"sipp_sync_max_age_hours": "0"},
                        "sipp_sync_max_age_hours: must be a positive number of hours, not 0"),
    # refused in the read after the sync (its Penyamaan data alone reads the database)
    "db_name_empty": ({"sipp_sync_db_name": ""}, "sipp_sync_db_name: the database name is empty"),
    "db_name_option": ({"sipp_sync_db_name": "-sipp"},
                       "sipp_sync_db_name: the database name -sipp starts with '-', which the "
                       "dump and the client would read as an option"),
    # a URL uri cannot ask was recorded as SIPP MA or the site not answering
    "central_url_no_scheme": (
        {"sipp_sync_central_url": "sipp.pn-contoh.go.id/SIPP311"},
        "sipp_sync_central_url: 'sipp.pn-contoh.go.id/SIPP311' is not an http(s) URL with a "
        "host"),
    "public_url_space": (
        {"sipp_sync_public_url": "https://sipp.pn-contoh.go.id/SIPP 311"},
        "sipp_sync_public_url: holds a space at character 34, which no URL holds: remove it "
        "or percent-encode it (%20 for a space)"),
    # the kode satker went into SIPP MA's status URL as written: another page of SIPP MA
    # asked ('400/999', '400999?x=1', '../../admin' passed as URLs), a space named as the
    # status URL's, an empty one left the status and the Penyamaan data unread unsaid
    **{f"kode_satker_{case}": ({"sipp_sync_kode_satker": kode},
                               "sipp_sync_kode_satker: must be the court's kode satker, six "
                               f"digits (400999), not {shown}")
       for case, kode, shown in (
           ("space", "400 999", "'400 999'"), ("slash", "400/999", "'400/999'"),
           ("query", "400999?x=1", "'400999?x=1'"), ("dots", "../../admin", "'../../admin'"),
           ("command", "$(id)", "'$(id)'"), ("newline", "400999\n", "'400999\\n'"))},
    # an unquoted 012345 in YAML is the octal 5349
    "kode_satker_octal": (
        {"sipp_sync_kode_satker": 5349},
        "sipp_sync_kode_satker: must be the court's kode satker, six digits (400999), not "
        "'5349' (write it in quotes: unquoted, YAML reads it as a number, an octal one when "
        "it starts with 0)"),
    "kode_satker_empty": (
        {"sipp_sync_kode_satker": ""},
        "sipp_sync_kode_satker: empty (court_kode_satker unset), which the status URL of this "
        "court at SIPP MA (sipp_sync_central_status_url) is made of"),
    "central_check_url_number": ({"sipp_sync_central_check_url": 8080},
                                 "sipp_sync_central_check_url: must be a URL (text), not int"),
    "url_method_underscore": (
        {**SYNC_URL, "sipp_sync_url_method": "PO_ST"},
        "sipp_sync_url_method: must be an HTTP method, one word of letters (GET or POST), "
        "not 'PO_ST'"),
    # Jinja's match test is re.match: '$' matched before the trailing newline
    "url_method_newline": (
        {**SYNC_URL, "sipp_sync_url_method": "GET\n"},
        "sipp_sync_url_method: must be an HTTP method, one word of letters (GET or POST), "
        "not 'GET\\n'"),
    "command_relative": ({"sipp_sync_command": "bin/sipp-sync --now"},
                         "sipp_sync_command: expected an absolute path, got 'bin/sipp-sync'"),
    "command_blank": ({"sipp_sync_command": " "}, "sipp_sync_command: blank (empty for none)"),
}


def test_a_bad_setting_is_refused_before_anything_runs(tmp_path):
    """Each bad setting (a host each, in one run of the role's checks: no activity's tag
    selected) is refused by the checks, its host's last result: the checks, tagged always,
    are the role's first tasks, whichever activity runs, and a host refused runs nothing
    after them (no Kegiatan 1, no SIPP MA reached)."""
    [checks, *activities] = yaml.safe_load(
        (ROOT / "roles" / "sipp_sync" / "tasks" / "main.yml").read_text(encoding="utf-8"))
    assert checks["ansible.builtin.import_tasks"] == "checks.yml"
    assert checks["tags"] == ["always"]
    assert all("always" not in task["tags"] for task in activities)
    code, results = run_hosts(tmp_path, "sipp_sync", {
        host: {**PATH_PLAY_SETTINGS, **settings} for host, (settings, _) in BAD_SETTINGS.items()})
    assert code == 2
    refused = {host: result["msg"] for host, result in results.items() if result.get("failed")}
    assert refused.keys() == BAD_SETTINGS.keys()
    # the refusal said in its one line, "pengaturan salah: " once (a relative command's
    # had it twice, sop_relative_paths' own and the task's), no activity's
    assert refused == {host: f"pengaturan salah: {said}"
                       for host, (_, said) in BAD_SETTINGS.items()}


@pytest.mark.parametrize(("setting", "said"), [
    # user:password@ and a token of a URL written without its scheme: mask_url knows no
    # such URL, the check names it masked as the same URL's with http://
    ("sipp_sync_url=sipp:UrlPa55@sipp.pn-contoh.go.id/sync?token=SyncT0k",
     "pengaturan salah: sipp_sync_url: '***@sipp.pn-contoh.go.id/sync?token=***' is not "
     "an http(s) URL with a host"),
    ("sipp_sync_url=https://sipp:UrlPa55@sipp.pn-contoh.go.id:99999/sync?token=SyncT0k",
     "pengaturan salah: sipp_sync_url: 'https://***@sipp.pn-contoh.go.id:99999/sync?token="
     "***' is not a valid URL (Port out of range 0-65535)"),
    ("sipp_sync_command=SYNC_TOKEN=Zs3cr3t/x /usr/local/sbin/sipp-sync",
     "pengaturan salah: sipp_sync_command: expected an absolute path, got 'SYNC_TOKEN=***'"),
])
def test_a_refused_setting_never_shows_its_secret(tmp_path, setting, said):
    args = ["-e", setting] + (["-e", "sipp_sync_command="] if "sipp_sync_url" in setting else [])
    proc = _sync_with(tmp_path, *args)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert said in proc.stdout, proc.stdout[-3000:]
    assert not [secret for secret in ("UrlPa55", "SyncT0k", "Zs3cr3t")
                if secret in proc.stdout + proc.stderr]
