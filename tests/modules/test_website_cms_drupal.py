"""website_cms and the website role with a Drupal site (7 and 10): found by its core
files, its version and database read from its own files, and its CMS passed to the log
audit, where Drupal's own /update.php is no webshell name."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from loader import LOCAL_PLAYBOOK, ROOT, load, run_module, warning_lines

cms = load("sop_website_cms")

# Drupal's shipped settings.php explains $databases with an example in a comment: its
# values are no login, the installer's array written after it is.
SETTINGS_HEAD = """<?php
/**
 * Database settings:
 *
 * @code
 * $databases['default']['default'] = array(
 *   'driver' => 'pgsql',
 *   'database' => 'databasename',
 *   'username' => 'sqlusername',
 *   'password' => 'sqlpassword',
 *   'host' => 'db.example.com',
 *   'port' => '5432',
 *   'prefix' => 'main_',
 * );
 * @endcode
 */
// $databases['default']['default']['database'] = 'commented';
# $databases['default']['default']['username'] = 'commented';
$databases = [];
"""

DRUPAL7_SETTINGS = SETTINGS_HEAD + """
$databases = array (
  'default' =>
  array (
    'default' =>
    array (
      'database' => 'pn_d7',
      'username' => 'drupal',
      'password' => 'pw;#/*x',
      'host' => 'localhost',
      'port' => '',
      'driver' => 'mysql',
      'prefix' => 'd7_',
    ),
  ),
  'migrate' => array ('default' => array ('database' => 'old', 'username' => 'x')),
);
$update_free_access = FALSE;
"""

DRUPAL10_SETTINGS = SETTINGS_HEAD + """
$databases['default']['default'] = array (
  'database' => 'pn_d10',
  'username' => 'drupal',
  'password' => 'from-settings',
  'prefix' => '',
  'host' => 'localhost',
  'port' => '3306',
  'isolation_level' => 'READ COMMITTED',
  'driver' => 'mysql',
  'namespace' => 'Drupal\\\\mysql\\\\Driver\\\\Database\\\\mysql',
  'autoload' => 'core/modules/mysql/src/Driver/Database/mysql/',
);
$settings['hash_salt'] = 'salt';
"""


def drupal7(root: Path, settings: str = DRUPAL7_SETTINGS,
            bootstrap: str = "<?php\ndefine('VERSION', '7.98');\n") -> Path:
    (root / "includes").mkdir(parents=True)
    (root / "includes" / "bootstrap.inc").write_text(bootstrap)
    (root / "modules" / "system").mkdir(parents=True)
    (root / "modules" / "system" / "system.info").write_text(
        'name = System\ncore = 7.x\nversion = "7.97"\n')
    (root / "sites" / "default").mkdir(parents=True)
    (root / "sites" / "default" / "settings.php").write_text(settings)
    (root / "update.php").write_text("<?php")
    return root


def drupal10(root: Path, settings: str = DRUPAL10_SETTINGS,
             core: str = "<?php\nclass Drupal {\n  const VERSION = '10.2.5';\n}\n") -> Path:
    (root / "core" / "lib").mkdir(parents=True)
    (root / "core" / "lib" / "Drupal.php").write_text(core)
    (root / "sites" / "default").mkdir(parents=True)
    (root / "sites" / "default" / "settings.php").write_text(settings)
    return root


def test_drupal_7_is_found_with_its_version_and_database(tmp_path):
    """A Drupal site read as static: no database backed up, no newest content asked."""
    root = drupal7(tmp_path / "d7")
    site = cms.detect(str(root), "auto", "pn-x.go.id")
    assert (site["cms"], site["version"], site["notes"]) == ("drupal", "7.98", [])
    assert site["config"] == [str(root / "sites/default/settings.php")]
    db = site["database"]
    # the installer's array, not the comment's example nor the second connection's
    assert (db["name"], db["user"], db["password"], db["table_prefix"]) == (
        "pn_d7", "drupal", "pw;#/*x", "d7_")
    assert (db["host"], db["port"], db["socket"]) == (None, None, None)
    assert (site["paths"], site["files"]) == ([str(root)], [])
    assert site["uploads_dir"] == str(root / "sites/default/files")


def test_drupal_10_is_found_with_its_version_and_database(tmp_path):
    root = drupal10(tmp_path / "d10")
    site = cms.detect(str(root), "auto", "pn-x.go.id")
    assert (site["cms"], site["version"], site["notes"]) == ("drupal", "10.2.5", [])
    db = site["database"]
    assert (db["name"], db["user"], db["password"], db["table_prefix"]) == (
        "pn_d10", "drupal", "from-settings", "")
    # the installer's 'port' => '3306' beside localhost: the client takes the socket
    assert (db["host"], db["port"]) == (None, None)


def test_drupal_reads_its_host_s_site_folder_and_an_included_settings_local(tmp_path):
    """Drupal serves a host from sites/<host> (or a parent domain's folder) before
    sites/default; settings.local.php, when settings.php includes it, is read after it."""
    root = drupal10(tmp_path / "d10")
    folder = root / "sites" / "pn-x.go.id"
    folder.mkdir()
    (folder / "settings.php").write_text(DRUPAL10_SETTINGS.replace("'localhost'", "'db.lan'")
                                         + "include __DIR__ . '/settings.local.php';\n")
    (folder / "settings.local.php").write_text(
        "<?php\n$databases['default']['default']['password'] = 'from-local';\n")
    site = cms.detect(str(root), "auto", "www.pn-x.go.id")
    assert site["config"] == [str(folder / "settings.php"), str(folder / "settings.local.php")]
    assert (site["database"]["password"], site["database"]["host"],
            site["database"]["port"]) == ("from-local", "db.lan", 3306)
    assert site["uploads_dir"] == str(folder / "files")
    # a settings.local.php settings.php does not include (Drupal ships the include
    # commented out) is not read
    (folder / "settings.php").write_text(
        DRUPAL10_SETTINGS + "# include __DIR__ . '/settings.local.php';\n")
    site = cms.detect(str(root), "auto", "pn-x.go.id")
    assert (site["config"], site["database"]["password"]) == (
        [str(folder / "settings.php")], "from-settings")
    # another host: sites/default
    assert cms.detect(str(root), "auto", "pa-y.go.id")["config"] == [
        str(root / "sites/default/settings.php")]


def test_drupal_s_version_as_far_as_its_files_say_it(tmp_path):
    """Drupal 7's VERSION in bootstrap.inc, else system.info's version, else its core."""
    root = drupal7(tmp_path / "d7", bootstrap="<?php\n// no VERSION here\n")
    assert cms.detect(str(root), "auto", "")["version"] == "7.97"
    info = root / "modules" / "system" / "system.info"
    info.write_text("name = System\ncore = 7.x\n")
    assert cms.detect(str(root), "auto", "")["version"] == "7.x"
    # a Drupal 10 whose version cannot be read: said, and no newest content asked
    root = drupal10(tmp_path / "d10", core="<?php\nclass Drupal {}\n")
    site = cms.detect(str(root), "auto", "")
    assert site["version"] is None
    assert site["notes"] == [f"versi Drupal tidak terbaca dari berkas intinya di {root}: "
                             "tanggal konten terbaru tidak dibaca dari database"]


def test_a_drupal_database_the_sop_cannot_dump_is_said_so(tmp_path):
    root = drupal10(tmp_path / "d10", DRUPAL10_SETTINGS.replace("'driver' => 'mysql'",
                                                                "'driver' => 'sqlite'"))
    site = cms.detect(str(root), "auto", "")
    assert site["database"] is None
    assert site["notes"] == [
        f"database Drupal di {root}/sites/default/settings.php memakai driver sqlite, "
        "bukan MySQL/MariaDB: tidak dicadangkan dan tidak dibaca oleh SOP"]


def test_drupal_given_for_a_root_without_drupal_is_one_clear_line(tmp_path):
    (tmp_path / "html").mkdir()
    with pytest.raises(cms.CmsError, match=r"^no Drupal in .*core/lib/Drupal\.php"):
        cms.detect(str(tmp_path / "html"), "drupal", "")
    # Drupal's core without its settings.php: the file named
    root = drupal10(tmp_path / "d10")
    (root / "sites" / "default" / "settings.php").unlink()
    with pytest.raises(cms.CmsError, match=r"drupal configuration: No such file or directory: "
                                           r".*/sites/default/settings\.php"):
        cms.detect(str(root), "auto", "")


def test_a_settings_php_crafted_to_stall_the_reader_is_read_in_linear_time(tmp_path):
    """settings.php may be the web server's to write: unclosed comments and strings
    repeated are read once each (an unclosed one runs to the end)."""
    padding = "$databases['default']['default']['database'] = '/* \\" * 20_000
    root = drupal10(tmp_path / "d10", DRUPAL10_SETTINGS + padding)
    started = time.monotonic()
    site = cms.detect(str(root), "auto", "")
    assert time.monotonic() - started < 2
    assert site["database"]["name"] == "pn_d10"


def newest(version: str, table: str, rows: list[tuple[int, int]]) -> str | None:
    """newest_content_sql's answer for Drupal over (status, changed) ``rows`` in
    ``table``, run by SQLite given the MariaDB functions it uses."""
    db = sqlite3.connect(":memory:")
    db.create_function("TIMESTAMPADD", 3, lambda _unit, seconds, base: None if seconds is None
                       else str(datetime.datetime.fromisoformat(base)
                                + datetime.timedelta(seconds=seconds)))
    db.create_function("DATE_FORMAT", 2, lambda v, _f: v and v.replace(" ", "T") + "Z")
    db.execute(f"CREATE TABLE p_{table} (status, changed)")
    db.executemany(f"INSERT INTO p_{table} VALUES (?, ?)", rows)
    sql = cms.newest_content_sql("drupal", "p_", version)
    # SQLite reads no bare interval unit: the unit as a string, which TIMESTAMPADD ignores
    return db.execute(sql.replace("TIMESTAMPADD(SECOND,", "TIMESTAMPADD('SECOND',")
                      ).fetchone()[0]


def test_drupal_s_newest_content_is_a_published_node_s_last_change():
    rows = [(1, 1_764_547_200), (0, 1_764_633_600)]  # 2025-12-01, an unpublished 12-02
    assert newest("10.2.5", "node_field_data", rows) == "2025-12-01T00:00:00Z"
    assert newest("7.98", "node", rows) == "2025-12-01T00:00:00Z"
    assert newest("7.x", "node", []) is None
    with pytest.raises(cms.CmsError, match="Drupal version unknown"):
        cms.newest_content_sql("drupal", "p_", None)


def test_the_module_reads_drupal_s_newest_content_from_its_node_table(tmp_path):
    """Run as the role runs it: cms drupal accepted, the version returned, and the newest
    content asked of Drupal 7's node table (a client that records what it is asked)."""
    root = drupal7(tmp_path / "d7")
    client = tmp_path / "mariadb"
    client.write_text(f"#!/bin/sh\ncat >{tmp_path}/asked\necho 2025-12-01T00:00:00Z\n")
    client.chmod(0o755)
    rc, result = run_module("website_cms", tmp_path, {
        "root": str(root), "cms": "drupal", "client_binary": str(client)})
    assert rc == 0, result.get("msg")
    assert (result["cms"], result["version"], result["newest_content"]) == (
        "drupal", "7.98", "2025-12-01T00:00:00Z")
    assert "FROM `d7_node` WHERE status = 1" in (tmp_path / "asked").read_text()
    assert result["login"]["database"] == "pn_d7"
    assert result["notes"] == warning_lines(result) == []
    # a version unread: no query, and the note says why
    (root / "includes" / "bootstrap.inc").write_text("<?php")
    (root / "modules" / "system" / "system.info").write_text("name = System\n")
    (tmp_path / "asked").unlink()
    rc, result = run_module("website_cms", tmp_path, {
        "root": str(root), "client_binary": str(client)})
    assert (rc, result["newest_content"]) == (0, None), result.get("msg")
    assert not (tmp_path / "asked").exists()
    assert result["notes"] == warning_lines(result)
    assert [n.split(":")[0] for n in result["notes"]] == [
        f"versi Drupal tidak terbaca dari berkas intinya di {root}"]


def pengunjung_tasks(names: tuple[str, ...]) -> list[dict[str, Any]]:
    loaded = yaml.safe_load((ROOT / "roles/website/tasks/pengunjung.yml").read_text(
        encoding="utf-8"))
    return [task for block in loaded for task in block.get("block", [block])
            if any(name in task for name in names)]


def test_the_role_passes_the_site_s_cms_to_the_log_audit(tmp_path):
    """The role's activity 3, run by Ansible (check mode) up to its log audit on a
    Drupal 10 site: the CMS website_cms found reaches website_log_audit, and Drupal's own
    /update.php, answered 200, is no webshell (which website_log_alert_categories fails
    the activity on); the audit was given no cms and took it for one."""
    root = drupal10(tmp_path / "html")
    when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    log = tmp_path / "access.log"
    log.write_text(f'36.1.1.9 - - [{stamp}] "GET /update.php HTTP/1.1" 200 512 "-" '
                   '"Mozilla/5.0 (X11; Linux x86_64)"\n')
    court = tmp_path / "court.yml"
    court.write_text(yaml.safe_dump({
        "website_root": str(root), "website_domain": "pn-x.go.id",
        "website_log_paths": [str(log)], "website_log_state_dir": str(tmp_path / "state")}),
        encoding="utf-8")
    play = {"hosts": "localhost", "gather_facts": False,
            "vars_files": [str(ROOT / "roles/website/defaults/main.yml"), str(court)],
            "tasks": [{"ansible.builtin.import_tasks":
                       str(ROOT / "roles/website/tasks/site.yml")},
                      *pengunjung_tasks(("website_log_audit",))]}
    audit = run_play(tmp_path, play)[-1]
    assert audit["invocation"]["module_args"]["cms"] == "drupal"
    assert audit["audit"]["requests"] == 1
    assert audit["audit"]["findings"] == []


def test_the_role_checks_the_database_content_of_wordpress_only():
    """website_integrity reads WordPress's posts and options: given a Joomla or Drupal
    database it asked for tables those have not, and failed the activity; it is given
    WordPress's only, and the activity says another CMS's content was not checked."""
    integrity = pengunjung_tasks(("website_integrity",))[0]["website_integrity"]
    assert "website__site.cms == 'wordpress'" in integrity["database"]
    summary = pengunjung_tasks(("ansible.builtin.assert",))[-1]["ansible.builtin.assert"]
    assert "tidak diperiksa (pemeriksaan isi database hanya untuk WordPress)" in \
        summary["success_msg"]


def role_task(tasks_file: str, name: str) -> dict[str, Any]:
    """The task of roles/website/tasks/``tasks_file`` whose name starts with ``name``."""
    loaded = yaml.safe_load((ROOT / "roles/website/tasks" / tasks_file).read_text(
        encoding="utf-8"))
    return next(task for task in loaded if task.get("name", "").startswith(name))


def run_tasks(tmp_path: Path, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each task's result on localhost, run by Ansible (check mode; the role's filters)."""
    return run_play(tmp_path, {"hosts": "localhost", "gather_facts": False, "tasks": tasks})


def run_play(tmp_path: Path, play: dict[str, Any]) -> list[dict[str, Any]]:
    """Each task's result on localhost of ``play``, run by Ansible in check mode."""
    (tmp_path / "play.yml").write_text(yaml.safe_dump([play]), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", str(tmp_path / "play.yml")],
                          capture_output=True, text=True, check=False, env=env, timeout=120,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [t["hosts"]["localhost"] for t in json.loads(proc.stdout)["plays"][0]["tasks"]]


def test_activity_1_names_the_cms_with_its_version(tmp_path):
    """Activity 1's message named the CMS alone (drupal): the version website_cms read is
    named beside it, and nothing when it read none (WordPress, or a Drupal whose core
    files say no version)."""
    summary = role_task("ketersediaan.yml", "The website is available")
    check = {"pages": [{"url": "https://pn-x.go.id/", "status": 200, "response_ms": 120}],
             "certificates": [{"host": "pn-x.go.id", "not_after": "2027-03-01",
                               "days_left": 86}],
             "freshness": {"newest": "2026-12-01T00:00:00Z"}, "problems": []}
    tasks = [dict(summary, vars={**summary["vars"], "website__check": check,
                                 "website__cms": found})
             for found in ({"cms": "drupal", "version": "10.2.5"},
                           {"cms": "drupal", "version": None},
                           {"cms": "wordpress", "version": None})]
    said = [result["msg"] for result in run_tasks(tmp_path, tasks)]
    assert [m.rpartition(" (")[2] for m in said] == ["drupal 10.2.5).", "drupal).",
                                                     "wordpress)."]


def test_the_report_says_a_drupal_database_the_sop_cannot_dump_was_not_backed_up(tmp_path):
    """The situation report said a site whose database had no MySQL login was a site
    without a CMS: a Drupal on SQLite or PostgreSQL (website_cms returns no login, and a
    note) is named with its database not backed up; a static site is still one without
    a CMS."""
    report = role_task("laporan.yml", "Record the situation report")
    files = {"path": "/var/backups/website/web-20261205.tar.zst", "verified": True}
    tasks = [{"name": f"backup line {site['cms']}",
              "ansible.builtin.debug": {"msg": "{{ website__backup_line }}"},
              "vars": {**report["vars"], "website__site": site,
                       "website__backup_files": files,
                       "website__backup_db": {"changed": False, "skipped": True}}}
             for site in ({"cms": "drupal", "version": "10.2.5"}, {"cms": "static"})]
    assert [r["msg"] for r in run_tasks(tmp_path, tasks)] == [
        "berkas web-20261205.tar.zst (terverifikasi), database tidak ada (database Drupal "
        "bukan MySQL/MariaDB, tidak dibackup SOP)",
        "berkas web-20261205.tar.zst (terverifikasi), database tidak ada (situs tanpa CMS)"]
