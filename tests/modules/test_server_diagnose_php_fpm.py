"""server_diagnose and PHP-FPM: its services named by kind (php8.2-fpm is the PHP process
manager, not a web server), its own error log found from its configuration and read as
the web servers' are, and the causes its lines and its unit's journal name. systemctl
and journalctl are fakes on a PATH of their own: nothing here asks this machine's."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from ansible.module_utils import basic
from loader import load

diagnose = load("server_diagnose")

SPEC = {"hours": {"type": "int"}, "log_lines": {"type": "int"},
        "services": {"type": "list", "elements": "str"},
        "peers": {"type": "list", "elements": "str"}}
LABEL = "PHP-FPM php8.2-fpm"
FAILED = {"name": "php8.2-fpm", "unit": "php8.2-fpm.service", "active": "failed",
          "sub": "failed", "result": "exit-code", "enabled": "enabled"}
RUNNING = {**FAILED, "active": "active", "sub": "running", "result": "success"}
DOWN = f"{LABEL} tidak berjalan (php8.2-fpm: failed/failed, result exit-code)"


def fpm_time(hours_ago: float) -> str:
    """PHP-FPM's time of a line ``hours_ago`` hours ago ('05-Dec-2026 10:12:45')."""
    moment = datetime.datetime.now() - datetime.timedelta(hours=hours_ago)
    return f"{moment:%d}-{diagnose.MONTHS[moment.month - 1]}-{moment:%Y %H:%M:%S}"


def fpm_log(*lines: tuple[float, str]) -> str:
    """A php8.2-fpm.log of (hours ago, line) pairs, as PHP-FPM writes it."""
    return "".join(f"[{fpm_time(ago)}] {line}\n" for ago, line in lines)


# php8.2-fpm.log of a Debian 12 host: a restart while another process held the pool's
# TCP address (the bind error, then the failure that follows it).
BIND_LOG = fpm_log(
    (30, "NOTICE: fpm is running, pid 812"),
    (30, "NOTICE: ready to handle connections"),
    (30, "NOTICE: systemd monitor interval set to 10000ms"),
    (1, "NOTICE: Terminating ..."),
    (1, "NOTICE: exiting, bye-bye!"),
    (1, "ERROR: unable to bind listening socket for address '127.0.0.1:9000': "
        "Address already in use (98)"),
    (1, "ERROR: FPM initialization failed"))
# Its unit's journal (short-iso) when the configuration failed: PHP-FPM wrote it to
# stderr before it opened its log.
CONF_JOURNAL = (
    "2026-12-05T10:12:45+0700 sipp php-fpm8.2[3001]: [05-Dec-2026 10:12:45] ERROR: "
    "[/etc/php/8.2/fpm/pool.d/www.conf:23] unknown entry 'pm.max_childs'\n"
    "2026-12-05T10:12:45+0700 sipp php-fpm8.2[3001]: [05-Dec-2026 10:12:45] ERROR: "
    "failed to load configuration file '/etc/php/8.2/fpm/php-fpm.conf'\n"
    "2026-12-05T10:12:45+0700 sipp php-fpm8.2[3001]: [05-Dec-2026 10:12:45] ERROR: "
    "FPM initialization failed\n"
    "2026-12-05T10:12:45+0700 sipp systemd[1]: php8.2-fpm.service: Main process exited, "
    "code=exited, status=78/CONFIG\n")
# Debian's php-fpm.conf, as the package installs it (its comments cut short).
DEBIAN_CONF = """;;;;;;;;;;;;;;;;;;;;;
; FPM Configuration ;
;;;;;;;;;;;;;;;;;;;;;
[global]
; Pid file
; Note: the default prefix is /var
; Default Value: none
pid = /run/php/php8.2-fpm.pid

; Error log file
; Default Value: log/php-fpm.log
error_log = /var/log/php8.2-fpm.log
;syslog.facility = daemon
;log_level = notice
include=/etc/php/8.2/fpm/pool.d/*.conf
"""


@pytest.mark.parametrize(("name", "label"), [
    ("nginx", "Web server nginx"), ("apache2", "Web server apache2"),
    ("httpd", "Web server httpd"), ("php8.2-fpm", "PHP-FPM php8.2-fpm"),
    ("php7.4-fpm", "PHP-FPM php7.4-fpm"), ("php5-fpm", "PHP-FPM php5-fpm"),
    ("php-fpm", "PHP-FPM php-fpm"),
    ("mariadb", "MariaDB"), ("mysql", "MariaDB"), ("redis-server", "Layanan redis-server"),
    ("php8.2-fpm-extra", "Layanan php8.2-fpm-extra")])
def test_a_service_is_named_by_its_kind(name: str, label: str) -> None:
    """Every service but the database was 'Web server NAME': a stopped php8.2-fpm read
    'Web server php8.2-fpm tidak berjalan', naming the PHP process manager a web server."""
    assert diagnose.service_label(name) == label


@pytest.mark.parametrize(("result", "cause"), [
    ("exit-code", DOWN),
    ("signal", f"{LABEL} mati dibunuh sinyal (php8.2-fpm: failed/failed, result signal)")])
def test_a_stopped_php_fpm_is_named_php_fpm_not_a_web_server(result: str, cause: str) -> None:
    bundle = {"file_systems": [], "services": [{**FAILED, "result": result}],
              "failed_units": ["php8.2-fpm.service"], "oom_kills": [],
              "load": {"5m": 0.1, "cpus": 2}, "peers": []}
    assert diagnose.causes(bundle, 97, 100) == [cause]


@pytest.mark.parametrize(("lines", "causes"), [
    ([f"[{fpm_time(1)}] ERROR: unable to bind listening socket for address "
      "'/run/php/php8.2-fpm.sock': Address already in use (98)",
      f"[{fpm_time(1)}] ERROR: FPM initialization failed"],
     [f"{LABEL} tidak dapat membuka soket listen /run/php/php8.2-fpm.sock: sudah dipakai "
      "proses lain (Address already in use (98))"]),
    ([f"[{fpm_time(1)}] ERROR: unable to bind listening socket for address "
      "'10.0.0.5:9000': Cannot assign requested address (99)"],
     [f"{LABEL} tidak dapat membuka soket listen 10.0.0.5:9000 (Cannot assign requested "
      "address (99))"]),
    ([f"[{fpm_time(1)}] ERROR: Another FPM instance seems to already listen on "
      "/run/php/php8.2-fpm.sock",
      f"[{fpm_time(1)}] ERROR: FPM initialization failed"],
     [f"{LABEL}: PHP-FPM lain sudah mendengarkan di /run/php/php8.2-fpm.sock"]),
    ([f"[{fpm_time(1)}] ERROR: failed to open configuration file "
      "'/etc/php/8.2/fpm/php-fpm.conf': No such file or directory (2)",
      f"[{fpm_time(1)}] ERROR: failed to load configuration file "
      "'/etc/php/8.2/fpm/php-fpm.conf'",
      f"[{fpm_time(1)}] ERROR: FPM initialization failed"],
     [f"{LABEL} tidak dapat membuka berkas konfigurasi /etc/php/8.2/fpm/php-fpm.conf "
      "(No such file or directory (2))"]),
    (CONF_JOURNAL.splitlines(),
     [f"{LABEL}: konfigurasi salah di /etc/php/8.2/fpm/pool.d/www.conf baris 23 (unknown "
      "entry 'pm.max_childs')"]),
    ([f"[{fpm_time(1)}] ERROR: [/etc/php/8.2/fpm/pool.d/www.conf:41] unable to parse "
      "value for entry 'pm.max_children': invalid numerical value",
      f"[{fpm_time(1)}] ERROR: [/etc/php/8.2/fpm/pool.d/www.conf:41] unable to parse "
      "value for entry 'pm.max_children': invalid numerical value"],
     [f"{LABEL}: konfigurasi salah di /etc/php/8.2/fpm/pool.d/www.conf baris 41 (unable to "
      "parse value for entry 'pm.max_children': invalid numerical value)"]),
    ([f"[{fpm_time(1)}] ERROR: [pool www] cannot get uid for user 'sipp'",
      f"[{fpm_time(1)}] ERROR: FPM initialization failed"],
     [f"{LABEL} gagal dijalankan (FPM initialization failed)"]),
    ([f"[{fpm_time(2)}] WARNING: [pool www] server reached pm.max_children setting (5), "
      "consider raising it",
      f"[{fpm_time(1)}] WARNING: [pool www] server reached pm.max_children setting (5), "
      "consider raising it",
      f"[{fpm_time(1)}] WARNING: [pool sipp] server reached max_children setting (20), "
      "consider raising it"],
     [f"{LABEL}: pool www mencapai pm.max_children (5), permintaan PHP menunggu",
      f"{LABEL}: pool sipp mencapai pm.max_children (20), permintaan PHP menunggu"]),
], ids=["address-in-use", "address-other", "another-instance", "no-configuration",
        "configuration-entry", "configuration-value-once", "initialization-alone",
        "max-children"])
def test_php_fpms_lines_name_its_cause_in_one_line_each(lines: list[str],
                                                        causes: list[str]) -> None:
    """php-fpm's own log was not read: a php8.2-fpm that would not start was only 'not
    running', its log saying why. Each cause is named once, in Bahasa Indonesia; 'FPM
    initialization failed', which follows each, only when no line says why."""
    assert diagnose.php_fpm_causes(LABEL, lines, True) == causes


def test_a_running_php_fpm_is_named_for_its_pools_not_for_a_start_that_failed() -> None:
    """A start that failed and then succeeded (the unit runs) is history; a pool out of
    children while it runs is why nginx answers 502 or 504."""
    lines = [*BIND_LOG.splitlines(),
             f"[{fpm_time(0.5)}] WARNING: [pool www] server reached pm.max_children setting "
             "(5), consider raising it"]
    assert diagnose.php_fpm_causes(LABEL, lines, False) == [
        f"{LABEL}: pool www mencapai pm.max_children (5), permintaan PHP menunggu"]


@pytest.mark.parametrize(("conf", "error_log"), [
    (DEBIAN_CONF, "/var/log/php8.2-fpm.log"),
    (DEBIAN_CONF.replace("error_log = /var/log/php8.2-fpm.log", ";error_log = log/x.log"),
     None),
    ("[global]\nerror_log = \"/srv/log/fpm;main.log\" ; quoted\n", "/srv/log/fpm;main.log"),
    ("error_log=log/php-fpm.log ; before any section: global\n[www]\nerror_log = /tmp/pool\n",
     "log/php-fpm.log"),
    ("[www]\nerror_log = /tmp/pool.log\nphp_admin_value[error_log] = /var/log/sipp.log\n",
     None),
    ("[www]\nlisten = 9000\n[global]\nerror_log = syslog\n", "syslog"),
], ids=["debian", "commented", "quoted", "no-section", "pool-only", "global-again"])
def test_php_fpms_error_log_is_its_global_sections(conf: str, error_log: str | None) -> None:
    """The log is PHP-FPM's [global] error_log; a pool's php_admin_value[error_log] is
    its PHP scripts' log, not PHP-FPM's own."""
    assert diagnose.fpm_error_log(conf) == error_log


class FpmHost:
    """A Debian host with php8.2-fpm: its configuration and log under ``tmp_path``, fake
    systemctl and journalctl (recording their arguments) alone on PATH, and its load
    (``load``, its 5 minutes' average on 2 CPUs) and mount table (none) faked: the
    causes of this machine's own load or disks are not the test's."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unit: dict[str, Any],
                 conf: str | None = DEBIAN_CONF, log: str | None = BIND_LOG,
                 journal: str = CONF_JOURNAL, load: float = 0.5) -> None:
        self.tmp = tmp_path
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (tmp_path / "journal.out").write_text(journal, encoding="utf-8")
        state = (f"Id={unit['unit']}\nLoadState=loaded\nActiveState={unit['active']}\n"
                 f"SubState={unit['sub']}\nResult={unit['result']}\n"
                 f"UnitFileState={unit['enabled']}\n")
        (tmp_path / "state.out").write_text(state, encoding="utf-8")
        self.calls = tmp_path / "calls.log"
        for name, script in (
                ("systemctl", f"""case "$1 $2" in
  "show php8.2-fpm.service") cat '{tmp_path}/state.out' ;;
  show*) printf 'LoadState=not-found\\n' ;;
esac
"""),
                ("journalctl", f"""case "$*" in
  *"-u php8.2-fpm.service") cat '{tmp_path}/journal.out' ;;
esac
""")):
            (bin_dir / name).write_text(f"#!/bin/sh\nPATH=/usr/bin:/bin\n"
                                        f"echo \"{name} $*\" >> '{self.calls}'\n"
                                        + script, encoding="utf-8")
            (bin_dir / name).chmod(0o755)
        monkeypatch.setenv("PATH", str(bin_dir))
        self.conf, self.log = tmp_path / "php-fpm.conf", tmp_path / "php8.2-fpm.log"
        if conf is not None:
            self.conf.write_text(conf.replace("/var/log/php8.2-fpm.log", str(self.log)),
                                 encoding="utf-8")
        if log is not None:
            self.log.write_text(log, encoding="utf-8")
        monkeypatch.setitem(diagnose.PHP_FPM_FILES, "debian",
                            (str(tmp_path / "php-fpm.conf"), str(tmp_path / "default.log")))
        monkeypatch.setattr(diagnose, "read_load",
                            lambda: {"1m": load, "5m": load, "15m": load, "cpus": 2})
        monkeypatch.setattr(diagnose, "read_mounts", lambda: "")
        for name in ("JOURNAL", "RUNTIME_JOURNAL", "AUTH_LOG", "DPKG_LOG"):
            monkeypatch.setattr(diagnose, name, str(tmp_path / name.lower()))
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": {
            "hours": 24, "log_lines": 20, "services": ["php8.2-fpm"], "peers": [],
            "_ansible_check_mode": True}}).encode())
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)

    def diagnose(self) -> tuple[dict[str, Any], list[str]]:
        module = basic.AnsibleModule(argument_spec=SPEC, supports_check_mode=True)
        bundle = diagnose.Collector(module).collect()
        return bundle, diagnose.causes(bundle, 97, 100)

    def journal_reads(self) -> list[str]:
        return [line for line in self.calls.read_text(encoding="utf-8").splitlines()
                if line.startswith("journalctl") and " -u " in line]


def test_a_stopped_php_fpms_log_and_journal_are_read_and_name_why(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    """Its log (the configuration's error_log) shows a bind error of this hour: named,
    its old lines kept in the bundle's tail. Its unit's journal of the hours shows a
    configuration error, which PHP-FPM writes only there: named too."""
    host = FpmHost(tmp_path, monkeypatch, FAILED)
    bundle, causes = host.diagnose()
    assert bundle["logs"][str(host.log)] == BIND_LOG.splitlines()
    assert bundle["php_fpm"]["php8.2-fpm"]["error_log"] == str(host.log)
    assert causes == [
        DOWN,
        f"{LABEL} tidak dapat membuka soket listen 127.0.0.1:9000: sudah dipakai proses lain "
        "(Address already in use (98))",
        f"{LABEL}: konfigurasi salah di /etc/php/8.2/fpm/pool.d/www.conf baris 23 (unknown "
        "entry 'pm.max_childs')"]
    assert len(host.journal_reads()) == 1
    assert "--since -24h" in host.journal_reads()[0]


def test_a_running_php_fpms_journal_is_not_read_and_its_old_lines_name_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool out of children a day and a half ago, before the hours read, is no cause;
    this hour's is. The unit runs: its start's journal is not read."""
    log = fpm_log(
        (36, "WARNING: [pool www] server reached pm.max_children setting (5), consider "
             "raising it"),
        (0.2, "WARNING: [pool sipp] server reached pm.max_children setting (12), consider "
              "raising it"))
    host = FpmHost(tmp_path, monkeypatch, RUNNING, log=log)
    bundle, causes = host.diagnose()
    assert causes == [f"{LABEL}: pool sipp mencapai pm.max_children (12), permintaan PHP "
                      "menunggu"]
    assert host.journal_reads() == []
    assert len(bundle["php_fpm"]["php8.2-fpm"]["lines"]) == 1


@pytest.mark.parametrize(("conf", "read"), [
    (None, "default.log"),  # no configuration: PHP-FPM's default log
    ("[global]\nerror_log = php8.2-fpm.log\n", "php8.2-fpm.log"),  # under FPM's prefix
], ids=["no-configuration", "relative"])
def test_php_fpms_log_without_or_with_a_relative_error_log(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           conf: str | None, read: str) -> None:
    host = FpmHost(tmp_path, monkeypatch, FAILED, conf=conf, log=None, journal="")
    monkeypatch.setattr(diagnose, "PHP_FPM_PREFIX", str(tmp_path))
    (tmp_path / read).write_text(BIND_LOG, encoding="utf-8")
    bundle, causes = host.diagnose()
    assert list(bundle["logs"]) == [str(tmp_path / read)]
    assert causes[1].startswith(f"{LABEL} tidak dapat membuka soket listen 127.0.0.1:9000")


def test_php_fpm_logging_to_syslog_is_read_from_its_journal(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    host = FpmHost(tmp_path, monkeypatch, FAILED,
                   conf="[global]\nerror_log = syslog\n", log=None)
    bundle, causes = host.diagnose()
    assert bundle["logs"] == {}
    assert bundle["php_fpm"]["php8.2-fpm"]["error_log"] is None
    assert causes[1].startswith(f"{LABEL}: konfigurasi salah di /etc/php/8.2/fpm/pool.d/")


def test_a_configuration_swapped_for_a_link_is_not_followed(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """The configuration is read as the logs are: a link is named in not_visible, not
    followed, and PHP-FPM's default log read instead."""
    host = FpmHost(tmp_path, monkeypatch, FAILED, conf=None, journal="")
    host.conf.symlink_to(tmp_path / "elsewhere.conf")
    (tmp_path / "elsewhere.conf").write_text(DEBIAN_CONF, encoding="utf-8")
    (tmp_path / "default.log").write_text(BIND_LOG, encoding="utf-8")
    bundle, _causes = host.diagnose()
    assert f"{host.conf} tidak terbaca (tautan simbolik, tidak diikuti)" in bundle["not_visible"]
    assert list(bundle["logs"]) == [str(tmp_path / "default.log")]


def test_the_load_judged_is_the_hosts_read_not_this_machines(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """The diagnosis judges the load it reads (read_load): the tests above fake it low,
    as this machine's own load, under a busy test run, made their causes its."""
    host = FpmHost(tmp_path, monkeypatch, RUNNING, log="", journal="", load=4.5)
    bundle, causes = host.diagnose()
    assert bundle["load"]["5m"] == 4.5
    assert causes == ["Beban sangat tinggi: 4,5 untuk 2 CPU"]
