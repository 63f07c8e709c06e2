"""module_utils/sop_website_cms.py: the CMS found from its own configuration files."""

from __future__ import annotations

import pytest
from loader import load

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
    assert site["paths"] == [str(tmp_path)]
    assert site["uploads_dir"] == str(tmp_path / "wp-content" / "uploads")


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
    with pytest.raises(cms.CmsError, match="not a number"):
        cms.split_host("db:abc")
    (tmp_path / "wp-config.php").write_text("<?php define('DB_HOST', 'x');")
    with pytest.raises(cms.CmsError, match="DB_NAME, DB_USER not defined"):
        cms.detect(str(tmp_path), "auto", "")
    with pytest.raises(cms.CmsError, match="plain name"):
        cms.newest_content_sql("wordpress", "wp_`; DROP")


def test_newest_content_sql_per_cms():
    assert "`wp_posts`" in cms.newest_content_sql("wordpress", "wp_")
    assert "post_status = 'publish'" in cms.newest_content_sql("wordpress", "wp_")
    assert "`j_content`" in cms.newest_content_sql("joomla", "j_")
