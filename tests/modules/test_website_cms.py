"""module_utils/sop_website_cms.py: the CMS found from its own configuration files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import within
from loader import LOCAL_PLAYBOOK, ROOT, load, run_module, warning_lines

cms = load("sop_website_cms")

WP_CONFIG = """<?php
define( 'DB_NAME', 'court_wp' );
define('DB_USER', "wpuser");
define('DB_PASSWORD', 'p\\'w#1');
define('DB_HOST', 'db.lan:3307');
$table_prefix = 'pn_';
require_once ABSPATH . 'wp-settings.php';
"""


def test_wordpress_standard_layout(tmp_path):
    (tmp_path / "wp-config.php").write_text(WP_CONFIG)
    site = cms.detect(str(tmp_path), "auto", "pn-x.go.id")
    assert site["cms"] == "wordpress"
    db = site["database"]
    assert (db["name"], db["user"], db["password"], db["host"], db["port"]) == (
        "court_wp", "wpuser", "p'w#1", "db.lan", 3307)
    assert db["table_prefix"] == "pn_"
    assert (site["paths"], site["files"]) == ([str(tmp_path)], [])
    assert site["uploads_dir"] == str(tmp_path / "wp-content" / "uploads")


def test_a_wp_config_one_folder_up_is_wordpress_s(tmp_path):
    """WordPress reads wp-config.php from the folder above its own, where hardening guides
    move it: such a site was taken for a static one, its database neither backed up nor
    asked for its newest content."""
    web = tmp_path / "html"
    web.mkdir()
    (web / "wp-settings.php").write_text("<?php")
    (tmp_path / "wp-config.php").write_text(WP_CONFIG)
    site = cms.detect(str(web), "auto", "pn-x.go.id")
    assert (site["cms"], site["config"]) == ("wordpress", [str(tmp_path / "wp-config.php")])
    assert site["database"]["name"] == "court_wp"
    # that file is the site's too (its backup was broken without it), not its folder
    assert (site["paths"], site["files"]) == ([str(web)], [str(tmp_path / "wp-config.php")])
    (tmp_path / "wp-config.php").unlink()  # WordPress's files without any configuration
    with pytest.raises(cms.CmsError, match=f"No such file or directory: {tmp_path}/wp-config"):
        cms.detect(str(web), "auto", "pn-x.go.id")


def test_a_wp_config_one_folder_up_beside_another_wordpress_is_not_this_site_s(tmp_path):
    """wp-load.php reads the folder above's wp-config.php only when that folder holds no
    WordPress of its own (wp-settings.php): a site in a subfolder of another must not
    take the other's database, nor back up its configuration."""
    (tmp_path / "wp-settings.php").write_text("<?php")
    (tmp_path / "wp-config.php").write_text(WP_CONFIG)
    web = tmp_path / "arsip"
    web.mkdir()
    (web / "wp-settings.php").write_text("<?php")
    with pytest.raises(cms.CmsError, match=f"No such file or directory: {web}/wp-config"):
        cms.detect(str(web), "auto", "pn-x.go.id")



def test_a_web_root_that_is_a_link_reads_the_wp_config_above_its_real_folder(tmp_path):
    """wp-load.php looks one folder above its own real folder (PHP's __DIR__ has the links
    resolved): for /var/www/html -> /srv/pn/public that is /srv/pn/wp-config.php. The
    folder above the link was read: the site's configuration not found (or another's
    taken, then backed up and checked as the site's)."""
    real = tmp_path / "srv" / "pn"
    (real / "public").mkdir(parents=True)
    (real / "public" / "wp-settings.php").write_text("<?php")
    (real / "wp-config.php").write_text(WP_CONFIG)
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "wp-config.php").write_text(WP_CONFIG.replace("court_wp", "lain_wp"))
    web = tmp_path / "www" / "html"
    web.symlink_to(real / "public")
    site = cms.detect(str(web), "auto", "pn-x.go.id")
    assert (site["config"], site["files"]) == ([str(real / "wp-config.php")],
                                               [str(real / "wp-config.php")])
    assert (site["database"]["name"], site["paths"]) == ("court_wp", [str(web)])


@pytest.fixture
def root_only() -> Iterator[Path]:
    """A folder only root can change (/run is root's, 0755), unlike pytest's tmp_path
    under the world-writable /tmp."""
    if os.geteuid() != 0:
        pytest.skip("needs root (as the SOP and its tests run)")
    folder = Path(tempfile.mkdtemp(dir="/run", prefix="sop-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def content_dir_config(path: Path, content: str) -> None:
    path.write_text(WP_CONFIG.replace("$table_prefix", f"define('WP_CONTENT_DIR', "
                                      f"'{content}');\n$table_prefix"))


def test_a_content_folder_outside_the_root_needs_a_configuration_only_root_can_change(
        tmp_path, root_only):
    """wp-config.php is often the web server's: a compromised site pointing WP_CONTENT_DIR
    at /etc made root walk, back up and quarantine from /etc."""
    web = tmp_path / "html"
    web.mkdir()
    content_dir_config(web / "wp-config.php", "/etc")
    site = cms.detect(str(web), "auto", "pn-x.go.id")
    assert site["paths"] == [str(web)]
    assert [(i["path"], i["config"]) for i in site["ignored_paths"]] == [
        ("/etc", str(web / "wp-config.php"))]
    # spelled to escape the root's prefix, yet inside it: inside, not a folder of its own
    content_dir_config(web / "wp-config.php", f"{web}/../html/wp-content")
    site = cms.detect(str(web), "auto", "pn-x.go.id")
    assert (site["paths"], site["ignored_paths"]) == ([str(web)], [])
    # the administrator's own layout: a configuration only root can change is followed
    (root_only / "html").mkdir()
    content_dir_config(root_only / "html" / "wp-config.php", "/srv/wp-content")
    site = cms.detect(str(root_only / "html"), "auto", "pn-x.go.id")
    assert site["paths"] == [str(root_only / "html"), "/srv/wp-content"]
    assert site["ignored_paths"] == []


def test_only_root_can_change(tmp_path, root_only):
    (root_only / "wp-config.php").write_text("<?php")
    assert cms.only_root_can_change(str(root_only / "wp-config.php"))
    (root_only / "wp-config.php").chmod(0o664)  # group-writable
    assert not cms.only_root_can_change(str(root_only / "wp-config.php"))
    (root_only / "wp-config.php").chmod(0o640)
    (tmp_path / "wp-config.php").symlink_to(root_only / "wp-config.php")  # link under /tmp
    assert not cms.only_root_can_change(str(tmp_path / "wp-config.php"))
    os.chown(root_only / "wp-config.php", 33, 33)  # www-data's
    assert not cms.only_root_can_change(str(root_only / "wp-config.php"))


def test_a_fifo_in_place_of_the_configuration_is_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "wp-config.php")
    with within(10, "reading a FIFO"), pytest.raises(cms.CmsError, match="not a regular file"):
        cms.detect(str(tmp_path), "auto", "pn-x.go.id")


def test_debian_layout_reads_the_host_file_then_default(tmp_path, monkeypatch):
    etc = tmp_path / "etc"
    etc.mkdir()
    root = tmp_path / "wordpress"
    root.mkdir()
    (root / "wp-config.php").write_text("<?php $debian_file = '/etc/wordpress/config-'.$h.'.php';")
    (etc / "config-default.php").write_text(
        "<?php define('DB_NAME', 'dflt'); define('DB_PASSWORD', 'x');")
    monkeypatch.setattr(cms, "DEBIAN_WP_ETC", str(etc))
    site = cms.detect(str(root), "auto", "pn-x.go.id")
    assert site["database"]["name"] == "dflt"
    assert site["database"]["user"] == "wordpress"  # Debian's default
    assert site["paths"] == [str(root), cms.DEBIAN_WP_CONTENT, str(etc)]
    (etc / "config-pn-x.go.id.php").write_text("<?php define('DB_NAME', 'perhost');")
    assert cms.detect(str(root), "auto", "pn-x.go.id")["database"]["name"] == "perhost"


def test_debian_layout_without_any_config_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cms, "DEBIAN_WP_ETC", str(tmp_path / "none"))
    (tmp_path / "wp-config.php").write_text("<?php '/etc/wordpress/config-';")
    with pytest.raises(cms.CmsError, match="none of"):
        cms.detect(str(tmp_path), "wordpress", "pn-x.go.id")


def test_joomla_and_static(tmp_path):
    joomla = tmp_path / "j"
    joomla.mkdir()
    (joomla / "configuration.php").write_text(
        "<?php class JConfig { public $host = 'localhost:/run/my.sock'; public $user = 'ju';"
        " public $password = 'pw'; public $db = 'jdb'; public $dbprefix = 'x_'; }")
    site = cms.detect(str(joomla), "auto", "")
    assert site["cms"] == "joomla"
    assert site["database"]["socket"] == "/run/my.sock"
    assert site["database"]["host"] is None
    static = tmp_path / "s"
    static.mkdir()
    assert cms.detect(str(static), "auto", "")["database"] is None


def test_bad_input_is_one_clear_line(tmp_path):
    with pytest.raises(cms.CmsError, match="does not exist"):
        cms.detect(str(tmp_path / "missing"), "auto", "")
    with pytest.raises(cms.CmsError, match="neither a port number nor a socket path"):
        cms.split_host("db:abc", "")
    with pytest.raises(cms.CmsError, match="plain name"):
        cms.newest_content_sql("wordpress", "wp_`; DROP")


@pytest.mark.parametrize(("host", "shown"), [
    ("db:secret", "DB_HOST 'db:…'"),
    ("wp:s3cret@db.lan", "DB_HOST 'wp:…'"),
    ("db.lan:3307x", "DB_HOST 'db.lan:…'"),
    ("s3cret:pw", "DB_HOST '***:…'"),  # the configuration's password before the ':'
    (":secret", "DB_HOST ':…'"),
])
def test_a_db_host_s_part_after_the_colon_is_not_quoted(tmp_path, host, shown):
    """DB_HOST db:secret was quoted whole in the error the record keeps as the activity's
    cause; what follows the ':' is whatever an administrator typed there (user:password@
    among them), and the configuration's password is not quoted anywhere in it."""
    (tmp_path / "wp-config.php").write_text(WP_CONFIG.replace("db.lan:3307", host)
                                            .replace("p\\'w#1", "s3cret"))
    with pytest.raises(cms.CmsError) as caught:
        cms.detect(str(tmp_path), "auto", "pn-x.go.id")
    assert str(caught.value) == (
        f"{shown}: the part after ':' is neither a port number nor a socket path")
    assert "secret" not in str(caught.value) and "s3cret" not in str(caught.value)
    (tmp_path / "configuration.php").write_text(
        f"<?php class JConfig {{ public $host = '{host}'; public $password = 's3cret'; }}")
    with pytest.raises(cms.CmsError) as caught:
        cms.detect(str(tmp_path), "joomla", "")
    assert str(caught.value).startswith(f"{shown}: ") and "secret" not in str(caught.value)


def test_a_db_host_port_or_socket_is_read():
    assert cms.split_host("db.lan:3307", "") == {"host": "db.lan", "port": 3307, "socket": None}
    assert cms.split_host("localhost:/run/mysqld/mysqld.sock", "") == {
        "host": None, "port": None, "socket": "/run/mysqld/mysqld.sock"}
    assert cms.split_host("localhost", "") == {"host": None, "port": None, "socket": None}


def test_newest_content_sql_per_cms():
    assert "`wp_posts`" in cms.newest_content_sql("wordpress", "wp_")
    assert "post_status = 'publish'" in cms.newest_content_sql("wordpress", "wp_")
    assert "`j_content`" in cms.newest_content_sql("joomla", "j_")


def newest_in(cms_name: str, table: str, rows: list[dict[str, Any]]) -> str | None:
    """newest_content_sql's answer over ``rows``, run by SQLite given the MariaDB
    functions it uses (GREATEST of a NULL is NULL, as in MariaDB)."""
    db = sqlite3.connect(":memory:")
    db.create_function("GREATEST", -1, lambda *v: None if None in v else max(v))
    db.create_function("UTC_TIMESTAMP", 0, lambda: "2026-12-04 06:00:00")
    db.create_function("DATE_FORMAT", 2, lambda v, _f: v and v.replace(" ", "T") + "Z")
    columns = sorted({key for row in rows for key in row})
    db.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
    for row in rows:
        db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                   [row.get(c) for c in columns])
    return db.execute(cms.newest_content_sql(cms_name, "j_")).fetchone()[0]


def test_joomla_s_newest_content_is_an_article_already_public():
    # An article published ahead (publish_up tomorrow) was the newest content: the site
    # was "fresh" and, a day ahead of the clock, warned of a wrong server clock; and
    # Joomla 4's NULL publish_up made GREATEST NULL, so such articles were not counted.
    article = {"state": 1, "created": "2026-11-01 00:00:00", "modified": "2026-11-01 00:00:00"}
    assert newest_in("joomla", "j_content", [
        {**article, "publish_up": "2026-11-20 03:00:00"},
        {**article, "publish_up": "2026-12-05 01:00:00"},  # scheduled
    ]) == "2026-11-20T03:00:00Z"
    assert newest_in("joomla", "j_content", [
        {**article, "publish_up": None, "created": "2026-11-30 00:00:00",
         "modified": "2026-11-30 00:00:00"},
        {**article, "publish_up": "2026-11-20 03:00:00"},
    ]) == "2026-11-30T00:00:00Z"


@pytest.mark.parametrize(("name", "padding"), [
    ("wp-config.php", "define('DB_NAME','" * 8_000),
    ("configuration.php", "public $host = '" * 8_000),
], ids=["wordpress", "joomla"])
def test_a_configuration_crafted_to_stall_the_parser_is_read_in_linear_time(
        tmp_path, name, padding):
    """wp-config.php is often the web server's to write: a compromised site repeating an
    opened define (or Joomla variable) without its closing quote and parenthesis made
    the patterns read ahead to each later quote from every repeat, time squared in the
    file (half a minute for these 140 KB, hours for the 1 MiB read): website_cms, the backup and
    the integrity check never ended. The site's real settings before it are still read."""
    config = WP_CONFIG if name == "wp-config.php" else (
        "<?php class JConfig { public $user = 'ju'; public $db = 'jdb'; }")
    (tmp_path / name).write_text(config + "\n" + padding)
    started = time.monotonic()
    site = cms.detect(str(tmp_path), "auto", "pn-x.go.id")
    assert time.monotonic() - started < 2
    assert site["database"]["user"] == ("wpuser" if name == "wp-config.php" else "ju")


def test_php_strings_are_read_to_their_first_unescaped_quote():
    assert cms.parse_wordpress(
        "define('DB_PASSWORD', 'a\\\\'); define('DB_USER', \"u\\\"v\" );") == {
        "DB_PASSWORD": "a\\", "DB_USER": 'u"v'}
    assert cms.parse_wordpress("define('DB_NAME', 'a' . 'b'); define('DB_USER', 'x');") == {
        "DB_USER": "x"}  # not a plain string: not read (the old pattern read "a' . 'b")


@pytest.mark.parametrize(("literal", "value"), [
    (r"""'pa\"ss'""", r"""pa\"ss"""),  # single quotes keep a backslash before "
    ("'it\\'s\\\\'", "it's\\"),
    ("'a\\nb$c'", "a\\nb$c"),  # no escape nor variable in single quotes
    ('"pa\\\\\\"ss"', 'pa\\"ss'),
    ('"a\\$b\\tc\\x41\\101\\u{e9}"', "a$b\tcAA\u00e9"),
    ('"\\xc3\\xa9\\q"', "\u00e9\\q"),  # bytes read as UTF-8; an unknown escape stays
    ('"p\\\'s"', "p\\'s"),  # \' is no escape in double quotes
], ids=["single-backslash-quote", "single-escapes", "single-literal", "double-quote",
        "double-escapes", "double-bytes", "double-apostrophe"])
def test_a_password_is_read_as_php_reads_its_literal(literal, value):
    """The database password decides whether the backup and the checks can log in: a
    backslash before a double quote in single quotes (kept by PHP) was dropped, and a
    double-quoted literal's escapes were not read, so a right password was sent wrong."""
    assert cms.parse_wordpress(f"define('DB_PASSWORD', {literal});") == {"DB_PASSWORD": value}


@pytest.mark.parametrize("literal", ['"pa$word"', '"x{$y}"', '"a\\\\$b"'])
def test_a_double_quoted_password_holding_a_variable_is_refused_by_name(literal):
    with pytest.raises(cms.CmsError) as caught:
        cms.parse_wordpress(f"define('DB_PASSWORD', {literal});")
    assert str(caught.value).startswith("DB_PASSWORD is a double-quoted PHP string")
    assert "word" not in str(caught.value) and "$b" not in str(caught.value)


def test_a_writable_configuration_never_chooses_the_database_server(
        tmp_path, root_only):
    """wp-config.php is often the web server's to write. Its DB_HOST decided where the
    SOP connected: a compromised site pointing it at its own server (or a socket it made)
    was sent the inventory's database password (website_db_user/password), had the dump
    (root) talk to a server of its own, and could serve a database of its choosing as the
    site's backup. Such a server is now not used (the local one is), and said so; one the
    administrator gives, or one in a configuration only root can change, is."""
    web = tmp_path / "html"
    web.mkdir()
    (web / "wp-config.php").write_text(WP_CONFIG)  # DB_HOST db.lan:3307, under /tmp
    login = {"login_user": "sop_web", "login_password": "inventory-secret"}

    def database(root: Path, **args: str) -> tuple[dict, list[str]]:
        rc, result = run_module("website_cms", tmp_path, {
            "root": str(root), "newest_content": False, **args})
        assert rc == 0, result.get("msg")
        return result["database"], [json.dumps(w) for w in result.get("warnings", [])]

    db, warnings = database(web, **login)
    assert (db["host"], db["port"], db["socket"]) == (None, None, None)
    assert any("db.lan:3307" in w and "website_db_host" in w for w in warnings), warnings
    db, warnings = database(web, **login, login_host="db.court.lan")
    assert (db["host"], db["port"]) == ("db.court.lan", None) and not warnings
    # the site's own account too: root's dump does not talk to a server the site chose
    db, warnings = database(web)
    assert (db["host"], db["port"], db["socket"]) == (None, None, None)
    assert any("db.lan:3307" in w for w in warnings), warnings
    (web / "wp-config.php").write_text(WP_CONFIG.replace("db.lan:3307", "localhost"))
    db, warnings = database(web, **login)  # the local server: nothing to refuse
    assert (db["host"], db["port"], db["socket"]) == (None, None, None) and not warnings
    (root_only / "html").mkdir()
    (root_only / "html" / "wp-config.php").write_text(WP_CONFIG)
    db, warnings = database(root_only / "html", **login)
    assert (db["host"], db["port"]) == ("db.lan", 3307) and not warnings


def test_the_warnings_are_returned_as_notes_a_no_log_task_does_not_hide(tmp_path):
    """The role runs website_cms no_log (its `login` holds the password), and the runner
    records no warning of a no_log result: a DB_HOST it would not use was never
    recorded. The same warnings come back in `notes`, for a task after it to show;
    being recorded, a URL's credentials and the password in them are masked."""
    web = tmp_path / "html"
    web.mkdir()
    config = web / "wp-config.php"
    args = {"root": str(web), "newest_content": False}
    config.write_text(WP_CONFIG)  # DB_HOST db.lan:3307, in a folder under /tmp
    rc, result = run_module("website_cms", tmp_path, args)
    assert rc == 0, result.get("msg")
    assert result["notes"] == warning_lines(result) == [
        f"DB_HOST db.lan:3307 dari {config} tidak dipakai (berkas itu dapat diubah oleh "
        "akun selain root): server database lokal yang dipakai; isi website_db_host bila "
        "database memang di host lain"]
    # DB_HOST is the web server's to write: credentials in it, the password among them
    config.write_text(WP_CONFIG.replace("db.lan:3307", "https://wp:pw-in-host@db.lan:/s")
                      .replace("p\\'w#1", "pw-in-host"))
    rc, result = run_module("website_cms", tmp_path, args)
    assert rc == 0, result.get("msg")
    assert result["login"]["login_password"] == "pw-in-host"  # the later tasks still get it
    assert result["notes"] == warning_lines(result)
    assert result["notes"][0].startswith("DB_HOST https://***@db.lan:/s dari ")
    assert "pw-in-host" not in json.dumps(result["notes"])
    config.write_text(WP_CONFIG.replace("db.lan:3307", "pw-in-host:3306")
                      .replace("p\\'w#1", "pw-in-host"))
    rc, result = run_module("website_cms", tmp_path, {**args, "login_password": "inv-pw"})
    assert rc == 0 and result["notes"][0].startswith("DB_HOST ***:3306 dari "), result
    rc, result = run_module("website_cms", tmp_path, {**args, "login_host": "db.court.lan"})
    assert rc == 0 and result["notes"] == warning_lines(result) == []
    (tmp_path / "static").mkdir()
    rc, result = run_module("website_cms", tmp_path, {"root": str(tmp_path / "static")})
    assert rc == 0 and result["notes"] == [] and result["cms"] == "static"


@pytest.mark.parametrize("tasks", ["roles/website/tasks/ketersediaan.yml",
                                   "roles/website/tasks/site.yml"])
def test_the_role_shows_the_notes_of_its_no_log_lookup_in_a_task_the_runner_records(tasks):
    """sop_warning returns the notes as the task's warnings, which the runner records (a
    debug message it does not). That task follows the no_log lookup and is not no_log
    itself."""
    loaded = yaml.safe_load((ROOT / tasks).read_text(encoding="utf-8"))
    lookup = next(i for i, task in enumerate(loaded) if "website_cms" in task)
    assert loaded[lookup]["no_log"] is True
    shown = [task for task in loaded[lookup + 1:]
             if ".notes" in str(task.get("sop_warning", {}).get("msg"))]
    assert len(shown) == 1 and "no_log" not in shown[0]


def role_warnings(tmp_path: Path, tags: str,
                  settings: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(activity, warning) of each warning the runner would record of activities 1 to 3 of
    the website role, up to their CMS lookups' warnings, run by Ansible (check mode) with
    ``--tags``: activity 1's tasks before website_check (its lookup given a client that
    answers a date), the site.yml that backup.yml and pengunjung.yml import, and the
    tasks before it; the court's
    inventory sets ``settings`` too."""
    main = yaml.safe_load((ROOT / "roles/website/tasks/main.yml").read_text(encoding="utf-8"))
    client = tmp_path / "mariadb"
    client.write_text("#!/bin/sh\ncat >/dev/null\necho 2026-12-01T00:00:00Z\n")
    client.chmod(0o755)
    tasks = []
    for number in (1, 2, 3):
        block = next(t for t in main if t["name"].startswith(f"Kegiatan {number}:"))
        imported = yaml.safe_load((ROOT / "roles/website/tasks" / block["block"][0][
            "ansible.builtin.import_tasks"]).read_text(encoding="utf-8"))
        if number == 1:
            inner = imported[:next(i for i, t in enumerate(imported) if "website_check" in t)]
            next(t for t in inner if "website_cms" in t)["website_cms"]["client_binary"] = \
                str(client)
            for task in inner:  # the role's own task files, from this play's folder
                if "ansible.builtin.import_tasks" in task:
                    task["ansible.builtin.import_tasks"] = str(
                        ROOT / "roles/website/tasks" / task["ansible.builtin.import_tasks"])
        else:  # its checks of the settings alone (activity 2's), then site.yml
            site = next(i for i, t in enumerate(imported)
                        if t.get("ansible.builtin.import_tasks") == "site.yml")
            inner = [*imported[:site], {"ansible.builtin.import_tasks": str(
                ROOT / "roles/website/tasks/site.yml")}]
        tasks.append({"name": block["name"], "tags": block["tags"], "block":
                      [{"name": f"Kegiatan {number}", "ansible.builtin.debug": {"msg": "-"}},
                       *inner]})
    court = tmp_path / "court.yml"  # after the defaults, as a court's inventory sets them
    court.write_text(yaml.safe_dump({"website_root": str(tmp_path / "html"), **(settings or {})}),
                     encoding="utf-8")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROOT / "roles/website/defaults/main.yml"), str(court)],
             "tasks": tasks}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "--tags", tags,
                           str(tmp_path / "play.yml")], capture_output=True, text=True,
                          check=False, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    found, activity = [], ""
    for task in json.loads(proc.stdout)["plays"][0]["tasks"]:
        activity = task["task"]["name"] if task["task"]["name"].startswith("Kegiatan") \
            else activity
        result = task["hosts"]["localhost"]
        if "censored" not in result:  # the runner records no warning of a no_log result
            found += [(activity, line) for line in warning_lines(result)]
    return found


@pytest.mark.parametrize(("tags", "first"), [
    ("ketersediaan,backup,pengunjung", "Kegiatan 1"),
    ("backup,pengunjung", "Kegiatan 2"),
    ("pengunjung", "Kegiatan 3"),
    ("ketersediaan", "Kegiatan 1"),
])
def test_each_warning_of_the_cms_configuration_is_given_once_a_run(tmp_path, tags, first):
    """Activity 1 warned about the lookup's notes, then activities 2 and 3 (site.yml)
    again, each also about a folder the configuration names but the web server could have
    changed: the same warnings up to three times in one run. The first activity that
    reads the configuration gives them; the folder, a backup and integrity matter, is
    activity 2's or 3's."""
    web = tmp_path / "html"
    web.mkdir()
    content_dir_config(web / "wp-config.php", "/etc")  # DB_HOST db.lan:3307, under /tmp
    warnings = role_warnings(tmp_path, tags)
    notes = [(activity, line) for activity, line in warnings if line.startswith("DB_HOST ")]
    folders = [(activity, line) for activity, line in warnings if line.startswith("/etc ")]
    assert len(warnings) == len(notes) + len(folders), warnings
    assert [activity for activity, _ in notes] == [first], warnings
    assert "db.lan:3307" in notes[0][1] and "p'w#1" not in json.dumps(warnings)
    assert [activity for activity, _ in folders] == (
        [] if tags == "ketersediaan" else ["Kegiatan 2" if "backup" in tags else first])


@pytest.mark.parametrize(("tags", "first"), [
    ("ketersediaan,backup,pengunjung", "Kegiatan 1"),
    ("backup,pengunjung", "Kegiatan 2"),
])
def test_a_website_domain_that_is_an_ip_address_is_warned_about_once_a_run(
        tmp_path, tags, first):
    """Without court_domain, website_domain is the server's sop_lan_address: activity 1's
    certificate check failed on a name mismatch and activity 4 asked RDAP nothing, and
    only activity 4 said the domain was an address. The first activity that runs says so,
    naming court_domain; a court_domain set, or an address set on purpose, is said as it
    is."""
    (tmp_path / "html").mkdir()
    warnings = role_warnings(tmp_path, tags, {"sop_lan_address": "192.0.2.10"})
    assert warnings == [(first, "website_domain 192.0.2.10 adalah alamat IP, bukan nama domain "
                         "(court_domain tidak disetel, jadi diambil dari sop_lan_address): "
                         "sertifikat situs tidak cocok dengan alamat itu (halaman "
                         "https://192.0.2.10/ bila website_urls tidak disetel) dan masa "
                         "berlaku domain (RDAP) tidak diperiksa. Setel court_domain (atau "
                         "website_domain) ke domain pengadilan, mis. pn-contoh.go.id.")]
    assert role_warnings(tmp_path, tags, {"court_domain": "pn-x.go.id",
                                          "sop_lan_address": "192.0.2.10"}) == []
    said = role_warnings(tmp_path, tags, {"court_domain": "pn-x.go.id",
                                          "website_domain": "[2001:db8::10]"})
    assert [line.split(":")[0] for _activity, line in said] == [
        "website_domain [2001"]
    assert "court_domain tidak disetel" not in said[0][1]


DOCKER_WP_CONFIG = """<?php
define( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );
define( 'DB_USER', getenv_docker('WORDPRESS_DB_USER', 'example username') );
define( 'DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password') );
"""


@pytest.mark.parametrize(("name", "config", "settings"), [
    ("wp-config.php", DOCKER_WP_CONFIG, "DB_NAME, DB_USER"),
    ("wp-config.php", "<?php define('DB_NAME', 'wp');", "DB_USER"),
    ("configuration.php", "<?php class JConfig { public $db = 'jdb'; }", "$user"),
], ids=["wordpress-getenv", "wordpress-no-user", "joomla-no-user"])
def test_a_login_the_configuration_does_not_spell_out_is_taken_from_the_options(
        tmp_path, name, config, settings):
    """A configuration naming the database by getenv() (the official WordPress image's),
    a constant or another file was refused before the options were looked at: the
    inventory's website_db_name and website_db_user, which the documentation says
    override it, could not rescue it. Without them, one line names what is missing."""
    web = tmp_path / "html"
    web.mkdir()
    (web / name).write_text(config)
    args = {"root": str(web), "newest_content": False}
    rc, result = run_module("website_cms", tmp_path, args)
    assert (rc, result["msg"]) == (1, (
        f"CMS situs tidak dapat dibaca: {web / name}: {settings} not defined as a plain "
        "string; give the database and login_user options (the website role's "
        "website_db_name and website_db_user)"))
    rc, result = run_module("website_cms", tmp_path, {
        **args, "database": "court_wp", "login_user": "sop_web", "login_password": "s3cret"})
    assert rc == 0, result.get("msg")
    assert (result["database"]["name"], result["database"]["user"]) == ("court_wp", "sop_web")
    assert (result["login"]["database"], result["login"]["login_user"]) == ("court_wp", "sop_web")
