"""library/website_integrity.py, module_utils/sop_integrity*.py: webshell markers, the
baseline's life (created, compared, never moved silently, accepted), planted files named,
cloaking and hidden spam against a local HTTP server that answers per User-Agent and
Referer, and WordPress posts and options in a real MariaDB."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import re
import socket
import stat
import sys
import time
import unicodedata
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from conftest import MariaDB, within
from httpd import https_and_http, serving, start, tls_contexts
from loader import ROOT, load, run_module

integrity = load("sop_integrity")
content = load("sop_integrity_content")
http = load("sop_http")
mod = load("website_integrity")

CLEAN_PHP = """<?php
/* Theme functions */
function court_title( $title ) { return esc_html( $title ); }
$data = base64_decode( get_option( 'court_logo' ) );
if ( isset( $_POST['s'] ) ) { $s = sanitize_text_field( wp_unslash( $_POST['s'] ) ); }
add_filter( 'the_title', 'court_title' );
"""
WEBSHELL = "<?php @eval(base64_decode($_POST['x'])); ?>"
CLOAK_SNIPPET = """<?php
if (stripos($_SERVER['HTTP_USER_AGENT'], 'googlebot') !== false) {
    echo '<div style="display:none"><a href="https://slot-gacor.example/">slot gacor</a></div>';
}
"""
HTACCESS_REDIRECT = """# BEGIN WordPress
RewriteEngine On
RewriteCond %{HTTP_REFERER} (google|bing|yahoo) [NC]
RewriteRule ^(.*)$ https://judi-online.example/ [R=302,L]
"""


@pytest.mark.parametrize(("text", "marker"), [
    (WEBSHELL, "eval(base64_decode("),
    ("<?php eval($_REQUEST['c']);", "eval($_REQUEST"),
    ("<?php echo gzinflate(base64_decode('AAAA'));", "gzinflate(base64_decode("),
    ("<?php assert($_POST['a']);", "assert($_POST"),
    ("<?php preg_replace('/.*/e', $_POST['c'], '');", "preg_replace /e"),
    ("<?php $f = create_function('', $_GET['c']);", "create_function($_"),
    ("<?php system($_GET['cmd']);", "system($_POST"),
    ("<?php $_POST['f']($_POST['a']);", "$_POST[x]("),
    ("<?php file_put_contents('x.php', $_POST['c']);", "file_put_contents($_"),
    ("<?php $f = 'pass'; $f .= 'thru'; $f($_GET['c']);", "$f = 'sys'; $f .= 'tem'"),
    ("<title>WSO Shell</title> FilesMan", "webshell signature"),
    (CLOAK_SNIPPET, "user-agent cloaking"),
    ("<?php if (strpos($_SERVER['HTTP_REFERER'], 'google')) header('Location: x');",
     "referer cloaking"),
    ("AddHandler application/x-httpd-php .jpg", "htaccess php handler"),
    (HTACCESS_REDIRECT, "htaccess search-engine redirect"),
])
def test_markers(text, marker):
    assert marker in integrity.markers(text)
    # the words a marker requires (REQUIRED) are in each of its matches: checked against
    # every pattern searched without them
    lowered = text.lower()
    assert integrity.markers(text) == [
        name for name, pattern in integrity.MARKERS.items() if re.search(pattern, lowered)]
    assert marker not in integrity.REQUIRED or any(
        word in lowered for word in integrity.REQUIRED[marker])


@pytest.mark.parametrize("text", [
    "<?php preg_replace('/x/" + "e" * (1 << 20), "rewritecond %{http_referer} " * 40_000,
    "addtype x " * 100_000,
], ids=["preg-modifiers", "rewritecond", "addtype"])
def test_a_crafted_file_is_read_in_linear_time(text):
    """A planted file made to stall the check (each was minutes to hours per 1 MiB
    block when a pattern searched again from each repeat) is read in well under a second."""
    with within(20, "reading the file"):
        assert integrity.markers(text) == []


def test_clean_code_has_no_marker():
    assert integrity.markers(CLEAN_PHP) == []
    rules = "# BEGIN WordPress\nRewriteEngine On\nRewriteRule . /index.php [L]"
    assert integrity.markers(rules) == []


def site(root: Path) -> None:
    files = {
        "index.php": "<?php require __DIR__ . '/wp-blog-header.php';",
        ".htaccess": "# BEGIN WordPress\nRewriteEngine On\nRewriteRule . /index.php [L]\n",
        "wp-content/themes/court/functions.php": CLEAN_PHP,
        "wp-content/themes/court/style.css": "body { color: #333 }",
        "wp-content/plugins/hello/hello.php": "<?php // Hello Dolly",
        "wp-content/uploads/2026/11/foto-1.jpg": "JPEG",
        "wp-content/cache/page.html": "cached",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def params(root: Path, state: Path, **extra):
    base = {"paths": [str(root)], "files": [], "state_dir": str(state), "accept_baseline": False,
            "exclude": ["*/cache/*", "*/cache"], "allow": [], "allow_hosts": [], "own_hosts": [],
            "max_scan_bytes": 8 << 20, "max_script_bytes": 32 << 20, "package_info": "",
            "urls": [], "timeout": 5, "validate_certs": True, "ca_path": None,
            "similarity": 0.6, "spam_keywords": content.SPAM_KEYWORDS,
            "spam_stems": content.SPAM_STEMS, "spam_prefixes": content.SPAM_PREFIXES,
            "spam_suffixes": content.SPAM_SUFFIXES, "spam_accepted": [], "table_prefix": "wp_"}
    base.update(extra)
    return base


def connect(mariadb: MariaDB):
    """The module's connection to the test's MariaDB (its CMS database)."""
    return mod.Connection(binary="mariadb", database=mariadb.database, user=mariadb.user,
                          password=mariadb.password, host=mariadb.host, port=mariadb.port)


def names(result) -> set[str]:
    return {f["name"] for f in result["findings"]}


def test_baseline_created_compared_never_moved_then_accepted(tmp_path):
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    changed, first = mod.run(params(root, state), True, None)
    assert changed and first["baseline"] == "created" and not state.exists()
    changed, first = mod.run(params(root, state), False, None)
    assert changed and first["baseline"] == "created" and first["findings"] == []
    assert first["files"] == 6  # the cache folder is left out
    baseline = Path(first["baseline_file"])
    assert oct(baseline.stat().st_mode & 0o777) == "0o600"
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    changed, clean = mod.run(params(root, state), False, None)
    assert (changed, clean["baseline"], clean["findings"]) == (False, "compared", [])

    shell = root / "wp-content/uploads/2026/11/cache-img.php"
    shell.write_text(WEBSHELL)
    (root / ".htaccess").write_text(HTACCESS_REDIRECT)
    (root / "wp-content/themes/court/functions.php").write_text(CLEAN_PHP + CLOAK_SNIPPET)
    (root / "wp-content/uploads/2026/11/foto-2.jpg").write_text("JPEG")
    (root / "wp-content/plugins/hello/hello.php").unlink()
    before = baseline.read_bytes()
    for _ in range(2):  # the baseline is not moved by looking
        changed, found = mod.run(params(root, state), False, None)
        assert not changed and baseline.read_bytes() == before
        assert names(found) == {
            f"php_in_uploads: {shell}", f"webshell: {shell}", f"new_file: {shell}",
            f"changed_file: {root / '.htaccess'}", f"webshell: {root / '.htaccess'}",
            f"changed_file: {root / 'wp-content/themes/court/functions.php'}",
            f"webshell: {root / 'wp-content/themes/court/functions.php'}",
            f"removed_file: {root / 'wp-content/plugins/hello/hello.php'}",
        }
        assert (found["new"], found["changed"], found["removed"], found["media_added"]) == (
            2, 2, 1, 1)
    by_name = {f["name"]: f for f in found["findings"]}
    assert by_name[f"changed_file: {root / '.htaccess'}"]["area"] == "htaccess"
    assert by_name[f"webshell: {root / '.htaccess'}"]["markers"] == [
        "htaccess search-engine redirect"]
    assert by_name[f"webshell: {root / 'wp-content/themes/court/functions.php'}"]["area"] == "theme"

    changed, accepted = mod.run(params(root, state, accept_baseline=True), False, None)
    assert changed and accepted["baseline"] == "accepted"
    # markers and PHP in uploads stay findings after an accept; changes do not
    _changed, after = mod.run(params(root, state), False, None)
    assert {f["kind"] for f in after["findings"]} == {"php_in_uploads", "webshell"}
    allow = [str(root / ".htaccess"), str(root / "wp-content/themes/*"), str(shell)]
    _changed, allowed = mod.run(params(root, state, allow=allow), False, None)
    assert allowed["findings"] == []


def dpkg_sums(folder: Path, package: str, files: dict[Path, str]) -> Path:
    """A dpkg info folder whose ``package`` lists ``files`` with the md5 of their text."""
    folder.mkdir(exist_ok=True)
    sums = folder / f"{package}.md5sums"
    sums.write_text("".join(f"{hashlib.md5(text.encode()).hexdigest()}  "
                            f"{str(path).lstrip('/')}\n" for path, text in files.items()))
    sums.chmod(0o644)
    return sums


def test_a_package_update_of_the_site_s_code_is_no_finding(tmp_path):
    """Debian's wordpress package keeps the core in /usr/share/wordpress: each security
    update the server-maintenance SOP installs changed every core file, and the next
    website run failed naming them all. A file whose content is its installed package's
    (dpkg's md5 of the path) is counted as packaged; anything else stays a finding."""
    root, state, info = tmp_path / "www", tmp_path / "state", tmp_path / "dpkg-info"
    site(root)
    mod.run(params(root, state), False, None)  # created
    core = root / "index.php"
    added = root / "wp-includes" / "class-new.php"
    added.parent.mkdir()
    upgraded = {core: CLEAN_PHP + "// 6.5.5", added: "<?php // new in 6.5.5"}
    for path, text in upgraded.items():
        path.write_text(text)
    sums = dpkg_sums(info, "wordpress", upgraded)
    tampered = root / "wp-content/themes/court/functions.php"  # the package does not list it
    tampered.write_text(CLEAN_PHP + "// planted")
    check = params(root, state, package_info=str(info))
    changed, found = mod.run(check, False, None)
    assert not changed and names(found) == {f"changed_file: {tampered}"}
    assert (found["packaged"], found["new"], found["changed"]) == ({"wordpress": 2}, 0, 1)
    assert mod.sop_output(found)["packaged"] == {"wordpress": 2}
    # without dpkg's word, as before
    assert names(mod.run(params(root, state), False, None)[1]) == {
        f"changed_file: {core}", f"new_file: {added}", f"changed_file: {tampered}"}
    # content other than the package's is a finding, whatever the package lists
    core.write_text(CLEAN_PHP + "// 6.5.5 and a backdoor")
    assert f"changed_file: {core}" in names(mod.run(check, False, None)[1])
    core.write_text(upgraded[core])
    # checksums another account can write prove nothing
    sums.chmod(0o664)
    assert mod.run(check, False, None)[1]["packaged"] == {}
    sums.chmod(0o644)
    info.chmod(0o777)
    assert mod.run(check, False, None)[1]["packaged"] == {}
    info.chmod(0o755)
    assert mod.run(check, False, None)[1]["packaged"] == {"wordpress": 2}


def test_other_folders_are_compared_with_the_web_roots_baseline_not_a_new_one(tmp_path):
    """The folders checked come partly from the site's configuration. A folder added to
    them made a new, silently created baseline: everything planted meanwhile was in it."""
    root, other, state = tmp_path / "www", tmp_path / "content", tmp_path / "state"
    site(root)
    (other / "plugins").mkdir(parents=True)
    (other / "plugins" / "ok.php").write_text(CLEAN_PHP)
    mod.run(params(root, state), False, None)
    planted = root / "wp-content/plugins/hello/backdoor.php"
    planted.write_text(CLEAN_PHP)  # no markers: found only as new against the baseline
    both = params(root, state, paths=[str(root), str(other)])
    for _ in range(2):
        changed, found = mod.run(both, False, None)
        assert not changed and found["baseline"] == "compared"
        assert names(found) == {
            f"new_file: {planted}",
            "baseline_roots: folder atau file yang diperiksa berbeda dari baseline"}
    roots = next(f for f in found["findings"] if f["kind"] == "baseline_roots")
    assert roots["baseline_roots"] == [str(root)]
    assert roots["roots"] == sorted([str(root), str(other)])
    assert "1 file hanya di salah satunya" in roots["detail"]
    mod.run(dict(both, accept_baseline=True), False, None)
    assert mod.run(both, False, None)[1]["findings"] == []
    # a folder dropped is a difference too, and its files are not "removed"
    _changed, dropped = mod.run(params(root, state), False, None)
    assert [f["kind"] for f in dropped["findings"]] == ["baseline_roots"]


def test_a_wp_config_above_the_web_root_is_in_the_baseline_never_shown(tmp_path):
    """website_cms returns a wp-config.php one folder above the web root in files (the
    backup keeps it); the check read the folders only, so PHP injected at the top of that
    file (a common backdoor: every page loads it) went unnoticed. It is a root of the
    baseline as a folder is: added, it is a difference until accepted; changed, a finding,
    its markers too; its content (the database password) is never in the result."""
    top, state = tmp_path / "www", tmp_path / "state"
    root = top / "html"
    site(root)
    config = top / "wp-config.php"
    config.write_text("<?php define('DB_PASSWORD', 'Rahasia99'); $table_prefix = 'wp_';")
    mod.run(params(root, state), False, None)  # a baseline of the folder alone
    with_config = params(root, state, files=[str(config), str(root / "index.php")])
    changed, found = mod.run(with_config, False, None)
    assert not changed and names(found) == {
        "baseline_roots: folder atau file yang diperiksa berbeda dari baseline"}
    assert found["findings"][0]["roots"] == [str(root), str(config)]
    mod.run(dict(with_config, accept_baseline=True), False, None)
    changed, clean = mod.run(with_config, False, None)
    assert (changed, clean["findings"], clean["files"]) == (False, [], 7)
    config.write_text(WEBSHELL + config.read_text())
    _changed, found = mod.run(with_config, False, None)
    assert names(found) == {f"changed_file: {config}", f"webshell: {config}"}
    assert "Rahasia99" not in json.dumps(found)
    assert "Rahasia99" not in Path(found["baseline_file"]).read_text()
    config.unlink()
    assert names(mod.run(with_config, False, None)[1]) == {f"removed_file: {config}"}
    with pytest.raises(integrity.IntegrityError, match=r"/www: a folder, not a single file"):
        mod.run(params(root, state, files=[str(top)]), False, None)


def test_a_baseline_named_by_all_its_folders_is_still_found(tmp_path):
    """Baselines were named by all the folders checked before they were named by the web
    root: such a baseline is compared with, not replaced by a new one."""
    root, other, state = tmp_path / "www", tmp_path / "content", tmp_path / "state"
    site(root)
    other.mkdir()
    both = params(root, state, paths=[str(root), str(other)])
    _changed, first = mod.run(both, False, None)
    legacy = integrity.baseline_path(str(state), *sorted([str(root), str(other)]))
    os.rename(first["baseline_file"], legacy)
    (root / "index.php").write_text(CLEAN_PHP + "// changed")
    changed, found = mod.run(both, False, None)
    assert (changed, found["baseline"]) == (False, "compared")
    assert names(found) == {f"changed_file: {root / 'index.php'}"}


def test_a_webshell_in_a_cache_folder_is_found_but_the_cache_is_not_compared(tmp_path):
    """Cache folders are left out of the baseline (their files come and go); attackers
    hide webshells there, and a folder left out was not read at all."""
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    mod.run(params(root, state), False, None)
    cache = root / "wp-content" / "cache"
    (cache / "page" / "berita").mkdir(parents=True, exist_ok=True)
    (cache / "page" / "berita" / "index.html").write_text("<html>cached</html>")
    (cache / "object.php").write_text("<?php exit; ?>a:1:{s:1:\"k\";}")  # a cache's own PHP
    shell = cache / "page" / "berita" / "x.php"
    shell.write_text(WEBSHELL)
    changed, found = mod.run(params(root, state), False, None)
    assert not changed and names(found) == {f"webshell: {shell}"}
    assert found["findings"][0]["area"] == "cache"  # planted: the quarantine moves it
    assert found["files"] == 6 and found["new"] == 0  # the cache is not in the baseline


def test_missing_root_is_one_clear_error(tmp_path):
    with pytest.raises(integrity.IntegrityError, match=r"/nope: not a directory"):
        mod.run(params(tmp_path / "nope", tmp_path / "state"), False, None)



@pytest.mark.parametrize(("files", "roots"), [
    ([], None), ({"/x": [1]}, None), ({"/x": ["sha", "big", 0, 0, 0, []]}, None),
    ({"/x": None}, None), ({}, "/var/www"), ({}, [1]),
])
def test_a_damaged_baseline_is_one_clear_error_and_stays_as_it_was(tmp_path, files, roots):
    """A baseline of the right version whose files are not entries (damaged, or edited by
    hand) ended the module in a traceback; it is one line naming the baseline, and the
    baseline is neither replaced nor accepted over."""
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    mod.run(params(root, state), False, None)  # created
    [baseline] = list(state.iterdir())
    damaged = json.dumps({"version": 1, "roots": roots or [str(root)], "files": files})
    baseline.write_text(damaged)
    rc, result = run_module("website_integrity", tmp_path,
                            {"paths": [str(root)], "state_dir": str(state),
                             "accept_baseline": True})
    assert rc == 1 and result["msg"] == (
        f"website integrity: baseline {baseline} has an unknown format")
    assert baseline.read_text() == damaged

PAGE = """<html><head><title>PN Contoh</title><script>var nonce = "{nonce}";</script></head>
<body><h1>Pengadilan Negeri Contoh</h1><p>Jadwal sidang perkara perdata dan pidana hari ini.
Pelayanan terpadu satu pintu buka pukul delapan. Informasi e-court dan gugatan mandiri.</p>
<a href="/berita/">Berita</a> <a href="https://mahkamahagung.go.id/">Mahkamah Agung</a>
<div style="display:none" class="menu-mobile">Menu</div>{extra}</body></html>"""
HIDDEN_LINKS = ('<div style="position:absolute; left:-9999px"><a href="https://gacor88.example/">'
                'slot gacor maxwin</a> <a href="https://togel.example/">togel</a></div>')

# Python's HTMLParser takes time squared on these where the host's Python is unpatched.
UNCLOSED_TAGS = "<a " * 20_000
MANY_TAGS = "<p>pengadilan negeri</p>" * 150_000


# A court's own news about a gambling case: its words are the spam's.
NEWS = ("<h2>Sidang perkara perjudian</h2><p>Terdakwa ditangkap dengan barang bukti "
        "<b>kupon togel</b> dan uang tunai sebesar Rp 350.000 dari tangan terdakwa.</p>")


# Redirects a browser reads as judi-online.example where urllib read a path of the site
# (or an empty host): scheme-relative with three slashes, a tab within the slashes,
# another scheme than the page's (http) without slashes.
LOCATIONS = {
    "/scheme-relative": "///judi-online.example/",
    "/slash-backslash": "//\\judi-online.example/",
    "/tab": "http:/\t//judi-online.example/",
    "/other-scheme": "https:judi-online.example/",
}


class Handler(BaseHTTPRequestHandler):
    counter = 0
    planted = ""  # added to the news page (a test sets it)
    elsewhere = ""  # where /private/elsewhere leads: another server (a test sets it)
    authorizations: ClassVar[list[str]] = []  # the Authorization headers /landing was sent
    # /sends-on: a Refresh header and markup (PORT: the server's port) the page sends the
    # visitors of "sent_to" on with (all, search: from Google, mobile_search: a phone from
    # Google, browsers: those not from Google, the others redirected by HTTP)
    refresh = ""
    sends_on = ""
    sent_to = "all"

    def do_GET(self):
        agent = self.headers.get("User-Agent", "")
        referer = self.headers.get("Referer", "")
        Handler.counter += 1
        extra = ""
        if self.path.startswith("/private/") and not self.authorized():
            return
        if self.path == "/landing":
            Handler.authorizations.append(self.headers.get("Authorization", ""))
        if self.path in ("/private/moved", "/private/elsewhere", "/private/bad-port"):
            self.send_response(301)  # within the site, to another port, to no port at all
            self.send_header("Location", {"/private/moved": "/private/cloak?token=t0ken5ecret",
                                          "/private/elsewhere": Handler.elsewhere,
                                          "/private/bad-port": "http://127.0.0.1:99999/"
                                          }[self.path])
            self.end_headers()
            return
        if self.path.startswith("/private/cloak"):
            self.path = "/cloak"
        if self.path == "/cloak" and "Googlebot" in agent:
            extra = HIDDEN_LINKS
        if self.path in ("/moved", "/moved-again"):  # the same redirect for every visitor
            self.send_response(301)
            port = self.server.server_address[1]
            self.send_header("Location", {"/moved": f"http://127.0.0.1:{port}/moved-again",
                                          "/moved-again": "/cloak"}[self.path])
            self.end_headers()
            return
        if self.path in ("/hijacked", "/renamed"):  # every visitor sent to another host
            port = self.server.server_address[1]
            self.send_response(302)
            self.send_header("Location", {
                "/hijacked": "https://judi-online.example/daftar?ref=pn&token=t0ken5ecret",
                "/renamed": f"http://localhost:{port}/cloak"}[self.path])
            self.end_headers()
            return
        if self.path.startswith("/hop/"):  # 12 redirects within the site, then away
            hop = int(self.path[5:])
            self.send_response(302)
            self.send_header("Location", f"/hop/{hop + 1}" if hop < 12
                             else "https://judi-online.example/")
            self.end_headers()
            return
        if self.path == "/slashed":  # a browser reads /\host as //host: another site
            self.send_response(302)
            self.send_header("Location", "/\\judi-online.example/daftar")
            self.end_headers()
            return
        if self.path == "/many-slashes":  # a browser skips the slashes: another site
            self.send_response(302)
            self.send_header("Location", "https:///judi-online.example/../")
            self.end_headers()
            return
        if self.path in LOCATIONS:  # each read by a browser as another site
            self.send_response(302)
            self.send_header("Location", LOCATIONS[self.path])
            self.end_headers()
            return
        if self.path == "/sends-on" and self.sends_on_to(agent, referer):
            return self.send_page(Handler.sends_on.replace(
                "PORT", str(self.server.server_address[1])), Handler.refresh)
        if self.path == "/sends-on" and Handler.sent_to == "browsers":
            self.path = "/redirect"
        if self.path == "/redirect" and "google." in referer:
            self.send_response(302)
            self.send_header("Location", "https://judi-online.example/")
            self.end_headers()
            return
        if self.path == "/hidden":
            extra = HIDDEN_LINKS
        if self.path == "/berita-perkara":
            extra = NEWS + Handler.planted
        if self.path == "/encoded":  # visible to all, spelled with character references
            extra = '<p><a href="/daftar">Daftar sl&#111;t gac&#111;r &amp; t&#111;gel</a></p>'
        if self.path == "/compounds":  # spam words glued to spam's prefixes and suffixes
            extra = "<h2>Daftar SitusGacor</h2><p>linkslot resmi, TogelHK, MainSlot</p>"
        if self.path == "/padded" and "Googlebot" in agent:  # past 5 MiB, within Google's 15
            extra = " " * (8 << 20) + HIDDEN_LINKS
        if self.path == "/many-rules":  # 1,100 two-class hiding rules, 1,000 elements
            extra = ("<style>" + "".join(f".x.a{i}{{display:none}}" for i in range(1100))
                     + "</style>" + '<b class="x y">z</b>' * 1000)
        if self.path == "/bad-link" and "Googlebot" in agent:  # no URL to Python's urlsplit
            extra = ('<a href="http://[promo88.example/">x</a>'
                     '<div style="display:none"><a href="https://u@[spam.example]:8443/">y</a></div>')
        if self.path == "/huge":
            extra = "<!-- " + "x" * (16 << 20) + " -->"
        self.send_page(extra)

    def send_page(self, extra: str, refresh: str = "") -> None:
        body = PAGE.format(nonce=Handler.counter, extra=extra).encode()
        status = 503 if self.path == "/maintenance" else 200  # the server's own error page
        if self.path == "/unclosed-tags":  # at the end: no '>' after them
            body += UNCLOSED_TAGS.encode()
        if self.path == "/many-tags":
            body = MANY_TAGS.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if refresh:
            self.send_header("Refresh", refresh)
        self.end_headers()
        self.wfile.write(body)

    @staticmethod
    def sends_on_to(agent: str, referer: str) -> bool:
        """Whether /sends-on sends this visitor on (Handler.sent_to)."""
        search = "google." in referer
        return {"all": True, "search": search, "mobile_search": search and "Android" in agent,
                "browsers": not search}[Handler.sent_to]

    def authorized(self) -> bool:
        """Whether the request carries the basic credentials court:rahasia (else 401)."""
        if self.headers.get("Authorization") == "Basic Y291cnQ6cmFoYXNpYQ==":
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="pn"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base():
    with serving(Handler) as url:
        yield url


def page_findings(base, path, tmp_path):
    site(tmp_path / "www")
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state",
                                      urls=[base + path]), False, None)
    return result


def test_clean_page_gives_no_finding(base, tmp_path):
    result = page_findings(base, "/", tmp_path)
    assert result["findings"] == []
    assert result["pages"][base + "/"]["googlebot"]["status"] == 200


def test_cloaking_for_googlebot_is_named(base, tmp_path):
    url = base + "/cloak"
    found = {f["name"]: f for f in page_findings(base, "/cloak", tmp_path)["findings"]}
    assert set(found) == {f"cloaking: {url} (googlebot)", f"page_spam: {url}",
                          f"hidden_text: {url} (position:absolute; left:-9999px)"}
    reasons = found[f"cloaking: {url} (googlebot)"]["reasons"]
    assert "kata kunci judi: gacor, maxwin, slot gacor, togel" in reasons  # gacor88.example
    assert "tautan baru ke gacor88.example, togel.example" in reasons
    assert found[f"page_spam: {url}"]["variants"] == ["googlebot"]
    assert found[f"hidden_text: {url} (position:absolute; left:-9999px)"]["links"] == [
        "gacor88.example", "togel.example"]


def test_a_variant_s_similarity_is_written_as_the_reports_write_numbers():
    # 3 words of 7 shared: the report quotes the reason beside its own `2,2 detik`
    page = {"status": 200, "scan": content.scan_html("<p>sidang perkara perdata hari senin</p>"),
            "keywords": []}
    other = dict(page, scan=content.scan_html("<p>sidang perkara pidana hari selasa</p>"))
    assert content.compare_variant(page, other, trusted=(), threshold=0.6) == [
        "isi berbeda (kemiripan 0,43)"]


def variant(markup: str, final_url: str = "https://pn.example/berita/") -> dict:
    """A variant's page as compare_variant reads it (check_pages' fields)."""
    return {"status": 200, "location": None, "final_url": final_url,
            "scan": content.scan_html(markup), "keywords": []}


PAGE_TEXT = "<p>jadwal sidang perkara perdata pengadilan negeri</p>"


@pytest.mark.parametrize(("crawler", "reasons"), [
    # the crawler's page differs by its <base> alone: its relative links go to the
    # gambling site, the browser's to the court's own pages
    ('<base href="https://judi.example/">' + PAGE_TEXT + '<a href="/slot">x</a>',
     ["tautan baru ke judi.example"]),
    ('<base href="//judi.example/a/">' + PAGE_TEXT + '<a href="slot">x</a>',
     ["tautan baru ke judi.example"]),
    # read as a browser reads it, not as written
    (PAGE_TEXT + '<a href="/\\judi.example/">x</a>', ["tautan baru ke judi.example"]),
    ('<base href="/id/">' + PAGE_TEXT + '<a href="/slot">x</a>', []),
    ('<template><base href="https://judi.example/"></template>' + PAGE_TEXT
     + '<a href="/slot">x</a>', []),
], ids=["base", "base-protocol-relative", "backslash", "base-own", "base-in-template"])
def test_a_crawler_s_links_are_read_against_its_base_href(crawler, reasons):
    """A variant whose only difference is a <base href> of the gambling site sends every
    click of the crawler's page there: new links to another site, not the same page."""
    browser = variant(PAGE_TEXT + '<a href="/slot">x</a>')
    assert content.compare_variant(browser, variant(crawler), trusted=("pn.example",),
                                   threshold=0.6) == reasons


def test_a_hostile_variant_of_links_against_a_base_is_compared_in_linear_time():
    """150,000 relative links under a base of half a megabyte, in the crawler's page and
    the browser's: each read against the base's scheme and host, once per page."""
    links = "".join(f"<a href=b{i}>" for i in range(150_000))
    crawler = variant('<base href="https://judi.example/' + "a/" * (1 << 18) + '">' + links)
    browser = variant('<base href="/' + "a/" * (1 << 18) + '">' + links)
    assert len(links) >= 2_000_000
    with within(30, "comparing the variants"):
        assert content.compare_variant(browser, crawler, trusted=("pn.example",),
                                       threshold=0.6) == ["tautan baru ke judi.example"]


def test_a_variant_s_links_are_read_against_its_own_final_address():
    """Each variant is read where its redirects within the site led: the same relative
    links on the same site are no new links, a variant redirected to the www. name
    neither."""
    page = PAGE_TEXT + '<a href="/slot">x</a><a href="https://judi.example/">y</a>'
    assert content.compare_variant(
        variant(page), variant(page, "https://www.pn.example/"), trusted=("pn.example",),
        threshold=0.6) == ["dialihkan ke https://www.pn.example/"]


def test_redirect_for_search_engine_visitors_is_named(base, tmp_path):
    url = base + "/redirect"
    found = {f["name"]: f for f in page_findings(base, "/redirect", tmp_path)["findings"]}
    assert set(found) == {f"cloaking: {url} (search_referer)", f"cloaking: {url} (mobile_search)"}
    for name in ("search_referer", "mobile_search"):
        assert found[f"cloaking: {url} ({name})"]["reasons"][:2] == [
            "status 200 -> 302", "redirect ke https://judi-online.example/"]


def test_a_page_behind_redirects_within_the_site_is_read_where_they_lead(base, tmp_path):
    """The site's address redirecting every visitor alike (to its www. name, to /id/) gave
    three equal redirects and no page read: the check passed without looking."""
    url = base + "/moved"
    found = names(page_findings(base, "/moved", tmp_path))
    assert found == {f"cloaking: {url} (googlebot)", f"page_spam: {url}",
                     f"hidden_text: {url} (position:absolute; left:-9999px)"}
    pages = page_findings(base, "/moved", tmp_path)["pages"][url]
    assert pages["googlebot"]["status"] == 200
    assert pages["googlebot"]["final_url"] == base + "/cloak"


def test_a_page_sending_every_visitor_to_another_site_is_named_by_its_host(base, tmp_path):
    """Every variant redirected alike to a gambling site compared equal: no cloaking, no
    page read, no finding, the hijack the check exists for passed. Now it is named, by
    the host alone (the query carried the campaign's and a token)."""
    url = base + "/hijacked"
    result = page_findings(base, "/hijacked", tmp_path)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_offsite: {url} -> judi-online.example"}
    assert found[f"page_offsite: {url} -> judi-online.example"]["hosts"] == [
        "judi-online.example"]
    assert "judi-online.example (tidak diikuti)" in found[
        f"page_offsite: {url} -> judi-online.example"]["detail"]
    assert "t0ken5ecret" not in json.dumps(result["findings"])
    assert result["pages"][url]["browser"]["status"] == 302


def test_a_redirect_for_some_visitors_only_is_cloaking_not_page_offsite(base, tmp_path):
    assert {f["kind"] for f in page_findings(base, "/redirect", tmp_path)["findings"]} == {
        "cloaking"}


@pytest.mark.parametrize(("location", "target"), [
    ("ht\ntps:///judi.example/x", "https://judi.example/x"),
    ("\x0b https:///judi.example/ \x00", "https://judi.example/"),
    ("/\\/\\judi.example/", "https://judi.example/"),
    ("http:/judi.example/", "http://judi.example/"),
    ("https:/own/", "https://site.example/own/"),
    ("https:own", "https://site.example/a/own"),
    ("//site.example/a?q=\\//x", "https://site.example/a?q=\\//x"),
])
def test_a_location_is_read_as_the_url_standard_reads_it(location, target):
    """A tab or newline is dropped and leading or trailing controls and spaces are cut;
    every slash (or backslash) after a scheme-relative "//" is skipped before the host;
    another scheme than the page's is followed by the host whatever slashes, the same
    scheme by one slash or none is a path of the site."""
    answer = {"status": 302, "location": location, "url": "https://site.example/a/b"}
    assert http.redirect_target(answer) == target


@pytest.mark.parametrize("own", ["localhost", "WWW.localhost."])
def test_a_redirect_to_one_of_the_site_s_own_names_is_followed_and_read(base, tmp_path, own):
    """The court's other name (own_hosts, with or without www.) is the site: the page is
    read there (its cloaking found), no page_offsite."""
    url = base + "/renamed"
    site(tmp_path / "www")
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                      own_hosts=[own]), False, None)
    assert names(result) == {f"cloaking: {url} (googlebot)", f"page_spam: {url}",
                             f"hidden_text: {url} (position:absolute; left:-9999px)"}
    assert result["pages"][url]["browser"]["final_url"] == (
        base.replace("127.0.0.1", "localhost") + "/cloak")
    # without it, the other name is another site
    assert {f["kind"] for f in page_findings(base, "/renamed", tmp_path)["findings"]} == {
        "page_offsite"}


@pytest.mark.parametrize("path", ["/slashed", "/many-slashes", *LOCATIONS])
def test_a_redirect_a_browser_reads_as_another_site_is_page_offsite(base, tmp_path, path):
    """Location: /\\judi-online.example/ takes every browser to judi-online.example (a
    backslash is a slash to it), where urllib read the site's own path /\\judi-online...:
    the hijack was read as the site's clean page, no finding. So did
    https:///judi-online.example/../ (a browser skips the slashes after the scheme; urllib
    read an empty host and joined the site's own /). So do the LOCATIONS (the URL
    Standard: a tab or newline dropped, the slashes after a scheme-relative "//"
    skipped, another scheme than the page's followed by its host whatever slashes)."""
    url = base + path
    result = page_findings(base, path, tmp_path)
    assert names(result) == {f"page_offsite: {url} -> judi-online.example"}


def sends_on(base, tmp_path, monkeypatch, markup="", refresh="", to="all"):
    """The result for /sends-on sending the visitors of ``to`` on by ``markup`` (PORT:
    the server's port) and a Refresh header."""
    monkeypatch.setattr(Handler, "sends_on", markup)
    monkeypatch.setattr(Handler, "refresh", refresh)
    monkeypatch.setattr(Handler, "sent_to", to)
    return page_findings(base, "/sends-on", tmp_path)


def test_a_refresh_header_sending_every_visitor_elsewhere_is_page_offsite(
        base, tmp_path, monkeypatch):
    """A page answering 200 with "Refresh: 0; url=https://judi..." sends every browser to
    the gambling site; only HTTP redirects were seen: no finding. It is named by the host
    alone (the query carries the campaign's token)."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch,
                      refresh="0; url=https://judi.example/daftar?token=t0ken5ecret")
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_offsite: {url} -> judi.example"}
    finding = found[f"page_offsite: {url} -> judi.example"]
    assert (finding["hosts"], finding["by"]) == (["judi.example"], ["header Refresh"])
    assert "judi.example (header Refresh)" in finding["detail"]
    assert result["pages"][url]["mobile_search"]["offsite_redirects"] == [
        {"by": "header Refresh", "host": "judi.example"}]
    assert "t0ken5ecret" not in json.dumps(result)


META_REFRESHES = {
    "plain": '<meta http-equiv="refresh" content="0;url=https://judi.example/?token=t0ken5ecret">',
    "order-case-quotes":
        "<META CONTENT='10; URL=https://judi.example/daftar' HTTP-EQUIV='Refresh'>",
    "unquoted": "<meta content=0;url=//judi.example/ http-equiv=refresh>",
    "comma-quoted": '<meta http-equiv="Refresh" content="2, \'https://Judi.example/x\'" />',
    "spaces-slashes": '<meta http-equiv="refresh" content=" 0.5 ; URL = https:///judi.example/">',
    "backslash": '<meta http-equiv="refresh" content="0; url=/\\judi.example/">',
    # a relative address read against the page's <base href>, as a browser reads it
    "base-relative":
        '<base href="https://judi.example/"><meta http-equiv="refresh" content="0;url=/slot">',
    "base-page-relative":
        '<BASE HREF="//judi.example/a/"><meta http-equiv="refresh" content="0; url=slot">',
}
SCRIPT_REDIRECTS = {
    "location": 'location = "https://judi.example/?token=t0ken5ecret";',
    "window-escaped": "window.location='https:\\/\\/judi.example\\/';",
    "href-protocol-relative": 'location.href = "//judi.example/" + "?ref=" + document.referrer;',
    "document-template": "document.location = `https://judi.example/`",
    "window-href-joined": 'window.location.href="https://judi.example/?r=" + encodeURIComponent(r)',
    "replace-delayed":
        'setTimeout(function () { location.replace("https://judi.example/daftar"); }, 3000)',
    "assign": "window.location.assign( 'HTTP://judi.example:8443/' );",
    "escape": 'location.href = "\\x68ttps://judi.example/";',
}


# Scripts read as the inline ones are: a relative address against the page's <base href>,
# the event handlers a browser runs without the visitor doing anything.
PAGE_SCRIPTS = {
    "script-base-relative":
        '<base href="https://judi.example/"><script>location.href = "/slot";</script>',
    "body-onload": "<body onload=\"location.href='https://judi.example'\">",
    "body-onload-window": "<body onload=\"window.location='https://judi.example/'\">",
    "svg-onload-base": '<base href="https://judi.example/"><svg onload="location = \'slot\'">',
    "img-onerror": '<img src="/x.png" onerror="location.replace(&quot;//judi.example/&quot;)">',
}


@pytest.mark.parametrize(("markup", "by"), [
    *[pytest.param(markup, "meta refresh", id=f"meta-{name}")
      for name, markup in META_REFRESHES.items()],
    *[pytest.param(f"<script>{script}</script>", "skrip", id=f"script-{name}")
      for name, script in SCRIPT_REDIRECTS.items()],
    *[pytest.param(markup, "skrip", id=name) for name, markup in PAGE_SCRIPTS.items()],
])
def test_a_page_sending_every_visitor_elsewhere_itself_is_page_offsite(
        base, tmp_path, monkeypatch, markup, by):
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch, markup)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_offsite: {url} -> judi.example"}
    assert found[f"page_offsite: {url} -> judi.example"]["by"] == [by]
    assert "t0ken5ecret" not in json.dumps(result)


@pytest.mark.parametrize(("markup", "refresh"), [
    ('<meta http-equiv="refresh" content="0;url=/berita/">', ""),
    ('<meta http-equiv="refresh" content="0;url=http://127.0.0.1:PORT/berita/">', ""),
    ("<script>location.href = 'http://www.127.0.0.1:PORT/berita/';</script>", ""),
    ("<script>location.replace('//127.0.0.1:PORT/');</script>", ""),
    ("", "0; url=/id/"),
    ('<base href="/id/"><meta http-equiv="refresh" content="0;url=berita/">', ""),
    ('<base href="https://judi.example/">'
     '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:PORT/berita/">', ""),
    # a browser reads a meta refresh against the <base href> before it, and the Refresh
    # header against the page's address (before any <base>)
    ('<meta http-equiv="refresh" content="0;url=/berita/"><base href="https://judi.example/">',
     ""),
    ('<base href="https://judi.example/">', "0; url=/id/"),
    # an element in a <template> is no element of the page
    ('<template><base href="https://judi.example/"></template>'
     '<meta http-equiv="refresh" content="0;url=/berita/">', ""),
], ids=["meta-relative", "meta-absolute", "script-www", "script-protocol-relative", "header",
        "base-own", "base-other-meta-absolute", "base-after-meta", "base-other-header",
        "base-in-template"])
def test_a_refresh_or_script_to_the_site_s_own_page_is_no_finding(
        base, tmp_path, monkeypatch, markup, refresh):
    """The page sends its visitors within the site (its language version, its new
    address): read, and judged the site's own."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch, markup, refresh)
    assert result["findings"] == []
    # it was read, and judged the site's own: not left unread
    port = base.rsplit(":", 1)[1]
    page = content.scan_html(markup.replace("PORT", port))
    [(_how, address, _seconds)] = content.page_redirects(page, refresh or None, url)
    assert mod.on_site(url, address, frozenset())


@pytest.mark.parametrize(("markup", "by"), [
    ('<noscript><meta http-equiv="refresh" content="0;url=https://judi.example/"></noscript>',
     "meta refresh (noscript)"),
    ('<base href="https://judi.example/">'
     '<noscript><meta http-equiv="refresh" content="0;url=/slot"></noscript>',
     "meta refresh (noscript)"),
    # a browser without JavaScript reads the <noscript> as markup: its <base> is the page's
    ('<noscript><base href="https://judi.example/"></noscript>'
     '<noscript><meta http-equiv="refresh" content="0;url=/slot"></noscript>',
     "meta refresh (noscript)"),
], ids=["absolute", "base-before", "base-in-noscript"])
def test_a_refresh_in_noscript_is_page_offsite_naming_noscript(
        base, tmp_path, monkeypatch, markup, by):
    """A meta refresh inside <noscript> runs only where JavaScript does not: an injected
    one still sends crawlers reading the markup and visitors without JavaScript to the
    gambling site. It counts, named as such."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch, markup)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_offsite: {url} -> judi.example"}
    assert found[f"page_offsite: {url} -> judi.example"]["by"] == [by]
    assert f"judi.example ({by})" in found[f"page_offsite: {url} -> judi.example"]["detail"]


def test_a_base_in_noscript_sends_a_refresh_elsewhere_without_javascript_only():
    """With JavaScript the <noscript> is text: the refresh is read against the page's
    address (the site's own page); without it, against the <base> there."""
    page = content.scan_html(
        '<noscript><base href="https://judi.example/"></noscript>'
        '<meta http-equiv="refresh" content="0;url=/berita/">')
    assert content.page_redirects(page, None, "https://pn.example/") == [
        ("meta refresh", "https://pn.example/berita/", 0),
        ("meta refresh (noscript)", "https://judi.example/berita/", 0)]


def test_a_refresh_in_a_template_is_no_redirect():
    """An element in a <template> is no element of the page, with JavaScript or not."""
    page = content.scan_html('<template><meta http-equiv="refresh" '
                             'content="0;url=https://judi.example/"></template>')
    assert content.page_redirects(page, None, "https://pn.example/") == []


@pytest.mark.parametrize("markup", [
    "<noscript><script>location.href = 'https://judi.example/';</script></noscript>",
    "<NOSCRIPT><div><script>location = '//judi.example/'</script></div></NOSCRIPT>",
    "<template><script>location.replace('https://judi.example/')</script></template>",
    '<base href="https://judi.example/">'
    "<noscript><script>location.href = '/slot';</script></noscript>",
    "<template><noscript></noscript><script>location = 'https://judi.example/'</script>"
    "</template>",
], ids=["noscript", "noscript-nested", "template", "noscript-base-relative",
        "template-after-noscript"])
def test_a_script_in_noscript_or_template_is_no_redirect(markup):
    """No browser runs a script in a <noscript> (with JavaScript its content is text,
    without it no script runs) nor in a <template> (inert)."""
    assert content.page_redirects(content.scan_html(markup), None, "https://pn.example/") == []


@pytest.mark.parametrize("markup", [
    "<noscript><!-- </noscript><script>location = 'https://judi.example/'</script> --></noscript>",
    "<noscript><script></noscript><script>location = 'https://judi.example/'</script>",
    "<noscript><style></noscript><script>location = 'https://judi.example/'</script></style>",
    "<noscript><p title=\"</NOSCRIPT ><script>location = 'https://judi.example/'</script>\">",
    "<noscript><script></noscript></script><script>location = 'https://judi.example/'</script>",
    "<noscript><!--</noscript>--><script>location = 'https://judi.example/'</script>",
], ids=["comment", "script", "style", "attribute", "script-after", "after-comment"])
def test_a_script_after_a_noscript_a_browser_ends_early_is_a_redirect(markup):
    """With JavaScript a <noscript> is text up to the first "</noscript": one hidden from
    the markup reader in a comment, a script, a style or an attribute ends it for the
    browser, and the script after it runs."""
    assert content.page_redirects(content.scan_html(markup), None, "https://pn.example/") == [
        ("skrip", "https://judi.example/", None)]


NOSCRIPT_PAGES = {
    # never closed: every piece after it read in a <noscript> a browser has not ended
    "unclosed": "<noscript>" + "<!-- </noscrip --><script>location = '/slot'</script>" * 40_000,
    "nested": "<noscript><p title='</noscripts>'>" * 70_000,
    # each ended by a comment the markup reader reads: every script after it runs
    "ended": ('<base href="https://judi.example/">'
              + "<noscript><!--</noscript>--><script>location = '/slot'</script>" * 35_000),
}


@pytest.mark.parametrize("name", NOSCRIPT_PAGES)
def test_a_hostile_page_of_noscripts_is_read_in_linear_time(name):
    """2 MB of <noscript>s never closed, each piece in them searched for the end a browser
    with JavaScript reads, once."""
    page = NOSCRIPT_PAGES[name]
    assert len(page) >= 2_000_000
    with within(30, "reading the page's redirects"):
        scan = content.scan_html(page, seconds=20)
        redirects = content.page_redirects(scan, None, "https://pn.example/")
    assert scan.complete
    assert len(redirects) == (35_000 if name == "ended" else 0)


def test_a_handler_the_visitor_must_trigger_is_no_redirect_of_the_page():
    """A button sending its visitor to another site (e-court, the Supreme Court's) when
    clicked is a link, not the page sending every visitor away."""
    page = content.scan_html(
        "<button onclick=\"location.href='https://ecourt.mahkamahagung.go.id/'\">e-Court"
        "</button><a href=# onmouseover=\"location='https://judi.example/'\">x</a>"
        "<body onload=\"location.href = '/berita/'\">")  # (a relative one, as in a script)
    assert content.page_redirects(page, None, "https://pn.example/") == []


@pytest.mark.parametrize(("markup", "refresh", "by"), [
    ('<meta http-equiv="refresh" content="600;url=https://judi.example/">', "", "meta refresh"),
    ("", "600; url=https://judi.example/?token=t0ken5ecret", "header Refresh"),
])
def test_a_refresh_after_a_long_wait_is_page_offsite_naming_the_wait(
        base, tmp_path, monkeypatch, markup, refresh, by):
    """A visitor who stays on the page (a court's schedule left open) is sent to the
    gambling site after ten minutes all the same: a refresh waiting longer than 10 s was
    no redirect at all, and a hijack had only to wait 11 s to pass."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch, markup, refresh)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_offsite: {url} -> judi.example"}
    finding = found[f"page_offsite: {url} -> judi.example"]
    assert finding["by"] == [by]
    assert f"judi.example ({by} setelah 600 detik)" in finding["detail"]
    assert result["pages"][url]["browser"]["offsite_redirects"] == [
        {"by": by, "host": "judi.example", "seconds": 600}]
    assert "t0ken5ecret" not in json.dumps(result)


@pytest.mark.parametrize("to", ["search", "mobile_search"])
def test_a_refresh_for_visitors_from_a_search_engine_only_is_cloaking(
        base, tmp_path, monkeypatch, to):
    """Injected redirects send on only the visitors from Google (often only those on a
    phone): the variants that get them are cloaking, not page_offsite."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch,
                      '<meta http-equiv="refresh" content="0;url=https://judi.example/">'
                      "<script>location.href='https://judi.example/?t=t0ken5ecret'"
                      "</script>", to=to)
    variants = ["mobile_search"] if to == "mobile_search" else ["mobile_search", "search_referer"]
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"cloaking: {url} ({name})" for name in variants}
    for name in variants:
        assert ("pengalihan oleh halaman ke judi.example (meta refresh), "
                "judi.example (skrip)") in found[f"cloaking: {url} ({name})"]["reasons"]
    assert "t0ken5ecret" not in json.dumps(result)


def test_a_page_sent_away_by_http_for_some_and_by_itself_for_others_is_page_offsite(
        base, tmp_path, monkeypatch):
    """Every visitor leaves, those from Google by HTTP, the others by the page's own
    refresh: the hijack is named with both ways, not as cloaking alone."""
    url = base + "/sends-on"
    result = sends_on(base, tmp_path, monkeypatch,
                      refresh="1;url=https://judi-online.example/", to="browsers")
    found = {f["name"]: f for f in result["findings"]}
    assert f"page_offsite: {url} -> judi-online.example" in found
    finding = found[f"page_offsite: {url} -> judi-online.example"]
    assert finding["by"] == ["header Refresh", "http"]
    assert "judi-online.example (header Refresh, tidak diikuti)" in finding["detail"]


def test_a_page_whose_redirects_do_not_end_within_the_hop_limit_is_named(base, tmp_path):
    """Browsers follow 20 redirects, the check 10: 12 within the site and then one to a
    gambling site left every variant an equal redirect, not followed, no page read, and
    no finding; the page that cannot be read is page_unreachable."""
    url = base + "/hop/0"
    result = page_findings(base, "/hop/0", tmp_path)
    assert names(result) == {f"page_unreachable: {url}"}
    assert "lebih dari 10 pengalihan" in result["findings"][0]["detail"]
    # the site's own doing, which may hide a hijack: not a page with no answer (the site
    # down), which the role reports as a page not checked
    assert result["findings"][0]["reason"] == "redirects"


@pytest.mark.parametrize(("old", "new", "same"), [
    ("https://pn.example/", "https://pn.example/\\judi.example/", False),
    ("https://pn.example/", "https://judi.example\\@pn.example/", False),
    ("https://pn.example/", "https://pn.example/a?q=\\", True),
    ("https://pn.example/", "https://www.pn.example/id/", True),
    ("http://www.pn.example/", "https://PN.example/", True),
    ("https://pn.example/", "https://pn.example.judi.example/", False),
    ("https://pn.example/", "https://wwwpn.example/", False),
    ("https://pn.example/", "file:///etc/passwd", False),
])
def test_redirects_are_followed_within_the_site_only(old, new, same):
    assert content.same_site(old, new) is same


@pytest.mark.parametrize(("refresh", "address"), [
    ("0;url=https://judi.example/", (0, "https://judi.example/")),
    # the quote ends it
    ("10; URL = 'https://judi.example/x' rest", (10, "https://judi.example/x")),
    ('0,"//judi.example/"', (0, "//judi.example/")),
    ("0; https://judi.example/", (0, "https://judi.example/")),  # no url=: the address itself
    (".5;url=https://judi.example/", (0, "https://judi.example/")),  # half a second
    ("0;url=\thttps://judi\n.example/ ", (0, "https://judi.example/")),  # as a URL parser reads it
    ("0; urlx", (0, "urlx")),  # "url" without "=": an address of the page's
    ("11;url=https://judi.example/", (11, "https://judi.example/")),  # read first, then away
    ("600;url=https://judi.example/", (600, "https://judi.example/")),
    ("000999999999;url=https://judi.example/", (999999999, "https://judi.example/")),
    # no int() of thousands of digits; over 31 years, no visitor is sent
    ("9" * 5000 + ";url=https://judi.example/", None),
    ("1000000000;url=https://judi.example/", None),
    ("0", None), ("5;", None), ("", None),  # a reload of the page itself
    ("x;url=https://judi.example/", None), (";url=https://judi.example/", None),
    ("0x;url=https://judi.example/", None),  # no refresh at all
])
def test_a_refresh_is_read_as_a_browser_reads_it(refresh, address):
    assert content.read_refresh(refresh, "https://pn.example/") == address


@pytest.mark.parametrize("script", [
    'if (location.href == "https://judi.example/") {}',  # a comparison
    'el.location = "https://judi.example/"; mylocation = "https://judi.example/";',
    'location.hash = "https://judi.example/"; location.search = "//judi.example/"',
    'location.href = "https://www." + domain + "/";',  # no host within the literal
    "location.href = `https://${domain}/`;",
    'location.href = "/berita/"; location = "berita.html";',  # the site's own pages
    'location.href = "javascript:void(0)"; location = url;',
    'location.href = "https://judi' + "x" * 5000 + '.example/";',  # its host not read whole
])
def test_only_string_literals_of_absolute_addresses_in_location_redirects_count(script):
    """No JavaScript is run: what is not such a literal is the malware scanner's."""
    assert content.script_redirects(script, "https://pn.example/") == []


def test_a_hostile_script_is_read_in_linear_time():
    page = "<script>" + "location=\"a location='b location=`c " * 200_000 + (
        'location.href="' + "a" * 5000) * 200 + "</script>"
    with within(30, "reading the scripts"):
        assert content.page_redirects(content.scan_html(page), None, "https://pn.example/") == []


BASE_PAGES = {
    # unclosed tags: Python's HTMLParser takes time squared on them where the host's
    # Python is unpatched (scan_html's deadline bounds it: not all parsed, not asserted)
    "unclosed": "<base " * 350_000,
    "many": ('<base href="https://judi.example/' + "a" * 100 + '">'
             '<meta http-equiv="refresh" content="0;url=/slot">') * 13_000,
    "long-href": ('<base href="https://judi.example/' + "/" * (1 << 20) + '">'
                  + '<meta http-equiv="refresh" content="0;url=/slot">' * 20_000),
    "long-userinfo": ('<base href="https://' + "a" * (1 << 20) + '@judi.example/">'
                      + '<meta http-equiv="refresh" content="0;url=/slot">' * 20_000),
    "scripts": ('<base href="https://judi.example/"><script>'
                + "location=\"a location='b location=`c " * 60_000 + "</script>"),
    # each refresh read twice: with JavaScript, and without it against the <noscript>'s base
    "noscript": ('<noscript><base href="https://judi.example/' + "/" * (1 << 20) + '"></noscript>'
                 + '<meta http-equiv="refresh" content="0;url=/slot">' * 20_000),
}


@pytest.mark.parametrize("name", BASE_PAGES)
def test_a_hostile_page_of_bases_is_read_in_linear_time(name):
    """2 MB of <base> tags, a base of a megabyte before 20,000 meta refreshes (each read
    against it), or a script of relative literals read against a base take seconds."""
    page = BASE_PAGES[name]
    assert len(page) >= 2_000_000
    with within(30, "reading the page's redirects"):
        scan = content.scan_html(page, seconds=5)
        redirects = content.page_redirects(scan, "0; url=/id/", "https://pn.example/")
    assert redirects[0] == ("header Refresh", "https://pn.example/id/", 0)
    if name != "unclosed":
        assert scan.complete and len(redirects) > 10_000
        assert {content.link_host(address) for _how, address, _s in redirects[1:]} == (
            {"pn.example", "judi.example"} if name == "noscript" else {"judi.example"})


def test_hidden_spam_for_everyone_is_named(base, tmp_path):
    url = base + "/hidden"
    found = names(page_findings(base, "/hidden", tmp_path))
    assert found == {f"page_spam: {url}", f"hidden_text: {url} (position:absolute; left:-9999px)"}


def test_spam_padded_far_down_a_page_is_found_as_far_as_google_reads(base, tmp_path):
    """Google indexes the first 15 MB of a page: spam behind 8 MiB of blanks, for
    Googlebot only, is named; a page beyond 15 MiB is read that far and says so."""
    url = base + "/padded"
    assert names(page_findings(base, "/padded", tmp_path)) == {
        f"cloaking: {url} (googlebot)", f"page_spam: {url}",
        f"hidden_text: {url} (position:absolute; left:-9999px)"}
    huge = page_findings(base, "/huge", tmp_path)
    assert huge["findings"] == []
    assert huge["pages"][base + "/huge"]["browser"]["truncated"] is True
    assert huge["pages"][base + "/huge"]["browser"]["bytes"] == content.PAGE_BYTES


def test_a_page_of_too_many_hiding_rules_is_a_finding_not_a_stall(base, tmp_path):
    """Rules naming several classes are checked against each element one by one: a page
    making that cost their product is named once checks run past a million."""
    url = base + "/many-rules"
    found = {f["name"]: f for f in page_findings(base, "/many-rules", tmp_path)["findings"]}
    assert set(found) == {f"hidden_text: {url} (aturan CSS terlalu banyak)"}
    assert "lebih dari 1.000.000 pemeriksaan" in found[
        f"hidden_text: {url} (aturan CSS terlalu banyak)"]["detail"]
    single = "<style>" + "".join(f".a{i}{{display:none}}" for i in range(100_000)) + \
        "</style>" + '<b class="x y">z</b>' * 100_000
    assert content.scan_html(single).rule_checks_left == content.RULE_CHECKS  # one lookup


def test_a_link_python_cannot_split_is_named_not_a_traceback(base, tmp_path):
    """A link urlsplit refuses (an unclosed or invalid IPv6 bracket) raised ValueError
    while the links' hosts were compared: website_integrity ended in a traceback, without
    the files' and pages' findings."""
    url = base + "/bad-link"
    found = {f["name"]: f for f in page_findings(base, "/bad-link", tmp_path)["findings"]}
    assert set(found) == {f"cloaking: {url} (googlebot)", f"hidden_text: {url} (display:none)"}
    assert "tautan baru ke [promo88.example, [spam.example]" in found[
        f"cloaking: {url} (googlebot)"]["detail"]
    assert found[f"hidden_text: {url} (display:none)"]["links"] == ["[spam.example]"]


def test_markup_taking_python_s_parser_time_squared_ends_in_time(base, tmp_path, monkeypatch):
    """Python's own HTMLParser takes time squared on thousands of unclosed "<a " where the
    host's Python lacks the fix of CVE-2025-6069 (3.13.0 here: over a minute for these
    60 KB, a 15 MiB page years; an up-to-date Debian 12's 3.11 has the fix): website_integrity
    did not end. Parsing stops at its deadline, so the page ends in time on either Python."""
    with within(60, "parsing the page"):
        started = time.monotonic()
        scan = content.scan_html(PAGE.format(nonce=0, extra="") + UNCLOSED_TAGS, seconds=1)
        assert time.monotonic() - started < 5
    assert "pengadilan" in scan.words
    monkeypatch.setattr(content, "PARSE_SECONDS", 1.0)
    with within(60, "checking the page"):
        page_findings(base, "/unclosed-tags", tmp_path)


def test_a_page_not_parsed_by_its_deadline_is_a_finding(base, tmp_path, monkeypatch):
    """A page whose parse runs out of time counts with what was read, and is named: the
    rest of it was not checked. (3.6 MB of markup in 10 ms: no Python parses that fast.)"""
    scan = content.scan_html(MANY_TAGS, seconds=0.01)
    assert not scan.complete and "pengadilan" in scan.words  # what was read still counts
    assert content.scan_html(PAGE.format(nonce=0, extra="")).complete
    monkeypatch.setattr(content, "PARSE_SECONDS", 0.01)
    monkeypatch.setattr(content, "PARSE_SECONDS_PER_MIB", 0.0)
    url = base + "/many-tags"
    with within(60, "checking the page"):
        found = names(page_findings(base, "/many-tags", tmp_path))
    assert found == {f"hidden_text: {url} (markup tidak selesai diurai)"}


def test_variants_whose_parse_ran_out_are_not_compared_by_what_each_read():
    """Each parse stops where its deadline finds it: two variants of one heavy page read
    different parts, compared they were a cloaking of chance (it failed this test file
    now and then on a loaded machine); the page is named not parsed instead. Status and
    redirects are still compared."""
    partial = content.scan_html(MANY_TAGS, seconds=0.01)
    whole = content.scan_html(PAGE.format(nonce=0, extra="slot gacor"))
    assert not partial.complete and whole.complete
    base = {"status": 200, "location": None, "final_url": "u", "scan": partial,
            "keywords": []}
    other = {**base, "scan": whole, "keywords": ["slot gacor"]}
    assert content.compare_variant(base, other, trusted=(), threshold=0.9) == []
    assert content.compare_variant(base, {**other, "status": 404}, trusted=(),
                                   threshold=0.9) == ["status 200 -> 404"]


def test_spam_spelled_with_character_references_is_named(base, tmp_path):
    url = base + "/encoded"
    found = {f["name"]: f for f in page_findings(base, "/encoded", tmp_path)["findings"]}
    assert set(found) == {f"page_spam: {url}"}
    assert found[f"page_spam: {url}"]["keywords"] == ["slot gacor", "togel"]


def test_spam_compounds_in_a_page_are_named_by_the_module_s_defaults(base, tmp_path):
    """The module, run as Ansible runs it, names compounds of its default spam words, and
    a court's own prefix (main: play) added to them."""
    url = base + "/compounds"
    site(tmp_path / "www")
    rc, result = run_module("website_integrity", tmp_path, {
        "paths": [str(tmp_path / "www")], "state_dir": str(tmp_path / "state"), "urls": [url]})
    assert rc == 0
    assert [(f["name"], f["keywords"]) for f in result["integrity"]["findings"]] == [
        (f"page_spam: {url}", ["linkslot", "situsgacor", "togelhk"])]
    _changed, own = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                   spam_prefixes=[*content.SPAM_PREFIXES, "main"]), False, None)
    assert [f["keywords"] for f in own["findings"]] == [
        ["linkslot", "mainslot", "situsgacor", "togelhk"]]


def test_a_court_s_own_news_about_a_gambling_case_can_be_accepted_by_fingerprint(
        base, tmp_path, monkeypatch):
    """Courts try gambling cases every week and publish news of them: the words are named
    with their fingerprint until the court accepts it; accepted, they are reported, not
    failed; new spam on the page is a finding again; news no longer found is stale."""
    url = base + "/berita-perkara"
    [finding] = page_findings(base, "/berita-perkara", tmp_path)["findings"]
    assert (finding["name"], finding["acceptable"], finding["unaccepted"]) == (
        f"page_spam: {url}", True, 1)
    [match] = finding["matches"]
    assert match["keyword"] == "togel"
    assert "barang bukti <b>kupon [togel]</b> dan uang tunai" in match["context"]
    assert finding["detail"].endswith(f"website_integrity_spam_accepted: {match['fingerprint']}")
    accept = [{"fingerprint": match["fingerprint"], "note": "Berita perkara 45/Pid.B/2026"}]
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                      spam_accepted=accept), False, None)
    assert result["findings"] == [] and result["spam_stale"] == []
    assert [(f["name"], f["matches"]) for f in result["spam_accepted"]] == [
        (f"page_spam: {url}", [{**match, "note": "Berita perkara 45/Pid.B/2026"}])]
    assert mod.sop_output(result)["spam_accepted"] == [f"page_spam: {url}"]

    monkeypatch.setattr(Handler, "planted", '<p>Daftar <a href="/x">situsgacor</a></p>')
    _changed, spammed = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                       spam_accepted=accept), False, None)
    [again] = spammed["findings"]
    assert [m["keyword"] for m in again["matches"]] == ["situsgacor"]
    assert "(1 kecocokan lain sudah diterima)" in again["detail"]
    assert spammed["spam_accepted"] == []

    _changed, gone = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[base + "/"],
                                    spam_accepted=accept), False, None)
    assert (gone["findings"], gone["spam_stale"]) == ([], accept)
    _changed, unread = mod.run(params(tmp_path / "www", tmp_path / "state",
                                      urls=["http://127.0.0.1:9/"], spam_accepted=accept),
                               False, None)
    assert unread["spam_stale"] is None  # a page not read: nothing is known to be gone


def test_accepted_spam_on_a_page_answering_an_error_is_not_called_stale(base, tmp_path):
    """A page down for maintenance (503) shows the server's error page, not the news: its
    accepted fingerprints are not known to be gone, and the list must not be 'cleaned'."""
    [finding] = page_findings(base, "/berita-perkara", tmp_path)["findings"]
    accept = [{"fingerprint": m["fingerprint"], "note": ""} for m in finding["matches"]]
    _changed, down = mod.run(params(tmp_path / "www", tmp_path / "state",
                                    urls=[base + "/maintenance"], spam_accepted=accept),
                             False, None)
    assert down["pages"][base + "/maintenance"]["browser"]["status"] == 503
    assert down["spam_stale"] is None
    assert mod.sop_output(down)["spam_stale"] is None


def test_hidden_spam_is_never_accepted_by_fingerprint(base, tmp_path):
    url = base + "/hidden"
    found = {f["name"]: f for f in page_findings(base, "/hidden", tmp_path)["findings"]}
    spam = found[f"page_spam: {url}"]
    assert spam["acceptable"] is False and "tidak dapat diterima" in spam["detail"]
    accept = [{"fingerprint": m["fingerprint"], "note": None} for m in spam["matches"]]
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                      spam_accepted=accept), False, None)
    assert names(result) == set(found) and result["spam_accepted"] == []


def test_an_expired_certificate_does_not_blind_the_content_checks(tmp_path):
    ca, contexts = tls_contexts(tmp_path, expired=0)
    server = start(Handler, context=contexts["expired"])
    url = f"https://localhost:{server.server_address[1]}/cloak"
    try:
        site(tmp_path / "www")
        _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                          ca_path=ca), False, None)
    finally:
        server.shutdown()
    assert f"cloaking: {url} (googlebot)" in names(result)
    assert result["pages"][url]["certificate"].startswith("[SSL: CERTIFICATE_VERIFY_FAILED]")
    assert "certificate has expired" in result["pages"][url]["certificate"]


class _Downgrade(BaseHTTPRequestHandler):
    """The site over HTTPS: /to/<address> redirects every visitor there."""
    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", self.path.removeprefix("/to/"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_https_page_redirected_to_plain_http_of_the_site_is_named_not_read(tmp_path):
    """https://court/ -> http://court/... (same host, the redirect same_site allows) was
    followed: the page asked over TLS was read without it (a tampered site or proxy), its
    spam judged as the court's page, and nothing said so. Now it is not followed, as
    website_check's page check (sop_http.scheme_followed), and named."""
    with https_and_http(tmp_path, _Downgrade, Handler) as (secure, plain):
        url = f"{secure}/to/{plain}/cloak"
        site(tmp_path / "www")
        _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state", urls=[url],
                                          validate_certs=False), False, None)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {f"page_redirect: {url}"}
    assert found[f"page_redirect: {url}"]["detail"] == (
        f"dialihkan ke http tanpa TLS: {plain}/cloak (tidak diikuti)")
    assert found[f"page_redirect: {url}"]["variants"] == [
        "browser", "googlebot", "mobile_search", "search_referer"]
    browser = result["pages"][url]["browser"]
    assert (browser["status"], browser["final_url"]) == (301, url)
    assert browser["refused"] == f"dialihkan ke http tanpa TLS: {plain}/cloak"


def test_a_url_s_credentials_are_sent_as_basic_auth_and_never_recorded(
        base, tmp_path, monkeypatch):
    """urllib took court:rahasia@ for part of the host: every variant was no answer (a
    page_unreachable finding, no cloaking check), and the URL, password and token
    included, was in the findings, the pages, the record and the invocation."""
    other = start(Handler)
    monkeypatch.setattr(Handler, "authorizations", [])
    monkeypatch.setattr(Handler, "elsewhere", f"http://127.0.0.1:{other.server_address[1]}/landing")
    site(tmp_path / "www")
    private = base.replace("http://", "http://court:rahasia@") + "/private/"
    try:
        rc, result = run_module("website_integrity", tmp_path, {
            "paths": [str(tmp_path / "www")], "state_dir": str(tmp_path / "state"),
            "urls": [private + "cloak?token=t0ken5ecret", private + "moved",
                     private + "elsewhere"]})
    finally:
        other.shutdown()
        other.server_close()
    assert rc == 0
    shown = base.replace("http://", "http://***@") + "/private/"
    pages = result["integrity"]["pages"]
    assert list(pages) == [shown + "cloak?token=***", shown + "moved", shown + "elsewhere"]
    assert {v["status"] for page in pages.values() for v in page.values()} == {200}
    assert pages[shown + "moved"]["googlebot"]["final_url"] == (
        base + "/private/cloak?token=***")
    url = shown + "cloak?token=***"
    assert f"cloaking: {url} (googlebot)" in names(result["integrity"])
    # the same site's other port (a redirect the cloaking check follows) is not sent them
    assert Handler.authorizations == ["", "", "", ""]
    recorded = json.dumps(result)
    assert "rahasia" not in recorded and "t0ken5ecret" not in recorded
    assert "court:" not in recorded


def test_credentials_are_not_sent_to_a_redirect_python_cannot_split(base, tmp_path):
    """Deciding whether a redirect was the same site read its port: one out of range
    ended the module in a ValueError traceback."""
    url = base.replace("http://", "http://court:rahasia@") + "/private/bad-port"
    page = mod.fetch(url, content.BROWSER_AGENT, None, params(tmp_path, tmp_path))
    assert (page["status"], page["final_url"]) == (-1, "http://127.0.0.1:99999/")


@pytest.mark.parametrize(("urls", "msg"), [
    (["https://court:rahasia@[::1/"],
     "urls: 'https://***@[::1/' is not a valid URL (Invalid IPv6 URL)"),
    # its token masked without its scheme too (it was quoted as written)
    (["https://pn.example/", "pn.example/berita?token=rahasia"],
     "urls: 'pn.example/berita?token=***' is not an http(s) URL with a host"),
])
def test_a_malformed_url_setting_fails_in_one_line_naming_it(tmp_path, urls, msg):
    """A URL Python cannot split ended in a traceback where its host was read."""
    site(tmp_path / "www")
    rc, result = run_module("website_integrity", tmp_path, {
        "paths": [str(tmp_path / "www")], "state_dir": str(tmp_path / "state"),
        "urls": urls})
    assert (rc, result["msg"], result.get("setting")) == (1, msg, "urls")
    assert "court:" not in json.dumps(result) and "rahasia" not in json.dumps(result)


def test_unreachable_page_is_a_finding_saying_it_gave_no_answer(tmp_path):
    """A page with no answer at all (the site down) is page_unreachable with the reason
    no_answer and why, in one line: the role reports it as a page not checked, not as a
    security finding; redirects that never end are reason redirects (above)."""
    site(tmp_path / "www")
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state",
                                      urls=["http://127.0.0.1:9/"]), False, None)
    assert [(f["kind"], f["reason"], f["error"]) for f in result["findings"]] == [
        ("page_unreachable", "no_answer", "Connection refused")]


def test_keywords_match_spelling_variants_not_words_inside_others():
    pattern = content.keyword_pattern(["slot gacor", "togel", "akun pro"])
    assert content.found_keywords("SLOT-GACOR hari ini, Slot_Gacor, slotgacor", pattern) == [
        "slot gacor", "slotgacor"]
    assert content.found_keywords("akun profil pengguna, togelan", pattern) == []


VOCABULARY = (content.SPAM_KEYWORDS, content.SPAM_STEMS, content.SPAM_PREFIXES,
              content.SPAM_SUFFIXES)
SPAM = content.keyword_pattern(*VOCABULARY)


@pytest.mark.parametrize(("text", "words"), [
    ("Daftar slotgacor777 sekarang", ["slotgacor"]), ("SLOT88 resmi", ["slot88"]),
    ("bocoran gacor4d hari ini", ["gacor"]), ("keluaran togel123", ["togel"]),
    ("link 88togel, 4D", ["togel"]), ("slot88gacor", ["gacor", "slot88"]),
    ("GacorMaxwin", ["gacor", "maxwin"]), ("bandartogel4d", ["bandartogel"]),
    # the keyword glued to an ordinary word does not count, the one standing apart does
    ("xslot gacor", ["gacor"]),
], ids=["slotgacor777", "SLOT88", "gacor4d", "togel123", "88togel", "slot88gacor",
        "gacormaxwin", "bandartogel4d", "after-a-word"])
def test_keywords_glued_to_digits_or_other_keywords_are_found(text, words):
    """Injected spam writes its keywords as brand-like tokens (slotgacor777, gacor4d);
    digits or another keyword beside a keyword do not hide it."""
    assert content.found_keywords(text, SPAM) == words


COURT_TEXT = """<h2>Jadwal Sidang Pengadilan Negeri Bengkulu</h2>
<p>Perkara Nomor 123/Pdt.G/2026/PN Bgl dan 45/Pid.B/2026/PN Bgl disidangkan pukul 09.00.
Pengaturan slot waktu sidang (slotting) di ruang 2; akun profil dan akun proses e-Court
diperbarui. Totogelar, Togelan dan Protogel bukan nama pihak. Maxwinda (Penggugat) dan
Sbobetti (Tergugat) hadir. Gacoran 2 kali. Deposito 10 juta; pulsa 50rb; rtp99 live.</p>"""


def test_court_text_with_keywords_inside_ordinary_words_or_beside_numbers_is_clean():
    """Case numbers, times and words holding a keyword inside them are no findings."""
    assert content.found_keywords(COURT_TEXT, SPAM) == []


# Spam glues its words to the site words and markets around them, as in its domain names
# and titles: SITUSGACOR, Daftar Slotgacor, TogelHK.
COMPOUNDS = {
    "situsgacor": ("SITUSGACOR hari ini", ["situsgacor"]),
    "daftarslotgacor": ("daftarslotgacor777", ["daftarslotgacor"]),
    "togelhk": ("Keluaran TogelHK", ["togelhk"]), "togelsgp": ("togelsgp 4D", ["togelsgp"]),
    "togelsdy": ("prediksi togelsdy", ["togelsdy"]),
    "linkslot": ("linkslot resmi", ["linkslot"]), "agenslot": ("AgenSlot", ["agenslot"]),
    "bandarbola": ("bandarbola terpercaya", ["bandarbola"]),
    "loginslot": ("loginslot", ["loginslot"]), "rtpgacor": ("rtpgacor", ["rtpgacor"]),
    "botogel": ("bo-togel, botogel", ["botogel", "togel"]),
    "slotthailand": ("slotthailand", ["slotthailand"]),
    "slotdana": ("slotdana 5000", ["slotdana"]), "totosgp": ("totosgp", ["totosgp"]),
    "judiresmi": ("JudiResmi", ["judiresmi"]), "idnpoker": ("idnpoker", ["idnpoker"]),
    "casinoonline": ("casinoonline", ["casinoonline"]),
    "gacorhariini": ("slotgacorhariini", ["slotgacorhariini"]),
    "akunprothailand": ("akunprothailand", ["akunprothailand"]),
    # three prefixes, and a stem glued to a keyword
    "linkdaftaragenslot88": ("LinkDaftarAgenSlot88", ["linkdaftaragenslot88"]),
    "slotmaxwin": ("slotmaxwin", ["maxwin", "slot"]),
    # as readers read it: a reference, a tag inside the word
    "reference": ("agen&#115;lot", ["agenslot"]), "tag": ("agen<b>slot</b>", ["agenslot"]),
}


@pytest.mark.parametrize(("text", "words"), COMPOUNDS.values(), ids=COMPOUNDS.keys())
def test_spam_words_glued_to_the_spam_s_own_prefixes_and_suffixes_are_found(text, words):
    """A keyword after one of SPAM_PREFIXES (situs, daftar, link, agen ...) or before one
    of SPAM_SUFFIXES (hk, sgp, online, resmi ...) counts, and so does one of SPAM_STEMS
    (slot, judi, toto, bola, poker, casino), which alone is an ordinary word."""
    assert content.found_keywords(text, SPAM) == words


ORDINARY = {
    # English and Indonesian words holding spam words, glued to an ordinary word
    "slotted": "slotted, slotting, slots", "togetherness": "togetherness",
    # -an makes ordinary words of spam ones: a bird that sings well, a betting habit
    "gacoran": "burung gacoran, togelan", "judicial": "judicial prejudice, judikatif",
    "bolak-balik": "bolak-balik, sepakbola, bolanya",
    "linkedin": "LinkedIn, linkage", "agenda": "agenda sidang, bandara, bandarlampung",
    "situsweb": "situsweb, daftarhadir", "slotnya": "slotnya, slot-slot waktu",
    # spam words standing alone: a time slot, people's names, a ball
    "alone": "Slot waktu sidang; Toto Sudarto; Kasino (saksi); bola voli; agen slot pos",
    "totok": "totok, bobotoh, botol, loginnya",
}


@pytest.mark.parametrize("text", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_words_holding_spam_words_are_clean(text):
    assert content.found_keywords(text, SPAM) == []


def test_the_role_s_spam_words_are_the_module_s():
    """The website role passes its own lists: a court without its own gets the module's."""
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text())
    assert [defaults[f"website_integrity_spam_{kind}"] for kind in
            ("keywords", "stems", "prefixes", "suffixes")] == [list(v) for v in VOCABULARY]


DISGUISED = {
    "references": "Daftar sl&#111;t gac&#x6f;r", "nbsp": "slot&nbsp;gacor",
    "soft-hyphen": "s&shy;lot ga\u00adcor", "zero-width": "slot\u200bgacor",
    "tags": "s<b></b>lot <span>gacor</span>", "bom": "SL&#79;T G\ufeffACOR",
    # styled letters, as spam titles write them to pass filters: mathematical bold and
    # sans-serif italic, full-width, circled
    "math-bold": "\U0001d412\U0001d40b\U0001d40e\U0001d413 "
                 "\U0001d406\U0001d400\U0001d402\U0001d40e\U0001d411",
    "math-italic": "\U0001d634\U0001d62d\U0001d630\U0001d635 "
                   "\U0001d628\U0001d622\U0001d624\U0001d630\U0001d633",
    "full-width": "\uff33\uff2c\uff2f\uff34 \uff27\uff21\uff23\uff2f\uff32",
    "circled": "\u24e2\u24db\u24de\u24e3 gacor",
    # split by what a reader reads as a space, or by inline tags between the words
    "nbsp-character": "slot\u00a0gacor", "ideographic-space": "slot\u3000GACOR",
    "nbsp-unterminated": "slot&nbspgacor", "tags-between": "<b>slot</b> <i>gacor</i>",
    "self-closing-tag": "s<b/>lot gacor", "double-struck-reference": "&sopf;lot gacor",
}


@pytest.mark.parametrize("text", DISGUISED.values(), ids=DISGUISED.keys())
def test_keywords_disguised_for_filters_but_not_for_readers_are_found(text):
    pattern = content.keyword_pattern(["slot gacor"])
    assert [k.replace(" ", "") for k in content.found_keywords(text, pattern)] == ["slotgacor"]


def prefilter_selects(text: str, *vocabulary: list[str]) -> bool:
    """Whether the database pre-filter's REGEXPs select ``text`` (a post's title or
    content) for ``vocabulary`` (keywords, stems, prefixes, suffixes), read as MariaDB
    reads them with WordPress's _ci collations: case-insensitive, POSIX classes ASCII-only
    (PCRE2 without UCP)."""
    regexps = content.sql_prefilters(*vocabulary)
    return any(re.search(r.replace("[:space:]", " \t\n\r\f\v").replace("[:alnum:]", "a-z0-9"),
                         text.lower(), re.IGNORECASE) for r in regexps)


@pytest.mark.parametrize("text", DISGUISED.values(), ids=DISGUISED.keys())
def test_the_database_prefilter_selects_every_disguised_keyword(text):
    """A draft or unpublished post is read only when the pre-filter selects it (its page
    is never fetched): whatever the check reads as a keyword must be selected."""
    assert prefilter_selects(text, ["slot gacor"])


@pytest.mark.parametrize(("text", "words"), COMPOUNDS.values(), ids=COMPOUNDS.keys())
def test_the_database_prefilter_selects_every_compound(text, words):
    assert words and prefilter_selects(text, *VOCABULARY)


def test_the_prefilter_selects_every_compound_of_the_spam_words():
    """Each keyword or stem with a prefix, a suffix, another keyword or stem glued to it
    that the check reads as spam is selected (a draft is read only when selected)."""
    words = [w.replace(" ", "") for w in content.SPAM_KEYWORDS] + content.SPAM_STEMS
    glued = ["", "x", "gacor", *content.SPAM_STEMS]  # a keyword or stem glued to one
    before, after = glued + content.SPAM_PREFIXES, glued + content.SPAM_SUFFIXES
    found = 0
    for word in words:
        for prefix in before:
            for suffix in after:
                text = f"{prefix}{word}{suffix}"
                if content.found_keywords(text, SPAM):
                    found += 1
                    assert prefilter_selects(text, *VOCABULARY), text
    assert found > 10_000


def test_the_prefilter_selects_every_styled_letter_python_reads_as_a_keyword_s():
    """Each character this Python's NFKC reads as a letter of "slot gacor" (mathematical,
    full-width, circled, parenthesized, squared, superscript ... letters), in its place."""
    styled = [(c, plain) for c in map(chr, range(0x80, 0x110000))
              if len(plain := unicodedata.normalize("NFKC", c).lower()) == 1
              and plain in "slotgacor"]
    assert len(styled) > 250  # 279 in Unicode 15.0 (Python 3.11)
    pattern = content.keyword_pattern(["slot gacor"])
    for c, plain in styled:
        text = "slot gacor".replace(plain, c, 1)
        assert content.found_keywords(text, pattern) == ["slot gacor"], text
        assert prefilter_selects(text, ["slot gacor"]), f"{text} (U+{ord(c):04X})"


def test_the_prefilter_does_not_select_ordinary_court_text():
    """Typographic quotes and dashes, accented names, &amp; and inline tags between words
    are not enough to read a post."""
    text = ("<p>\u201cPutusan\u201d perkara 123/Pdt.G/2026/PN Bgl \u2013 Jum\u2019at, 5 Mei "
            "2026 pukul 09.00; <b>Andr\u00e9</b> &amp; <em>Ren\u00e9e</em> (para pihak)</p>")
    assert not prefilter_selects(text, *VOCABULARY)


def test_a_block_element_still_separates_words():
    pattern = content.keyword_pattern(["slot gacor", "gacor"])
    assert content.found_keywords("<div>Menu</div>slot gacor", pattern) == ["slot gacor"]


CLASS_HIDDEN = """<html><head><style>
.sub-menu { display: none }  /* a hover menu with links to other courts: shown below */
.menu li:hover > .sub-menu { display: block }
@media (max-width: 600px) { .desktop-only { display: none } }
</style></head><body>
<ul class="menu"><li>Tautan<ul class="sub-menu">
  <li><a href="https://badilum.mahkamahagung.go.id/">Badilum</a></li></ul></li></ul>
<div class="desktop-only"><a href="https://sipp.example.go.id/">SIPP</a></div>
<p>Pengumuman sidang.</p>
%s
</body></html>"""


def hidden_of(markup, trusted=("pn.example",)):
    scan = content.scan_html(markup)
    return [(r["style"], r["keywords"], r["links"])
            for r in content.hidden_findings(scan, content.keyword_pattern(["slot gacor"]),
                                             trusted)]


@pytest.mark.parametrize(("markup", "links"), [
    ('<base href="https://judi.example/"><div style="display:none"><a href="/slot">x</a></div>',
     ["judi.example"]),
    ('<div style="display:none"><a href="slot">x</a></div><base href="//judi.example/a/">',
     ["judi.example"]),  # a link is read against the page's first <base>, before it or after
    ('<noscript><base href="https://judi.example/"></noscript>'
     '<div style="display:none"><a href="/slot">x</a></div>', ["judi.example"]),
    ('<base href="/id/"><div style="display:none"><a href="/slot">x</a></div>', []),
    ('<base href="https://judi.example/"><div style="display:none">'
     '<a href="https://pn.example/">x</a><a href="mailto:a@b.example">y</a></div>', []),
    ('<template><base href="https://judi.example/"></template>'
     '<div style="display:none"><a href="/slot">x</a></div>', []),
    ('<div style="display:none"><a href="/\\judi.example/">x</a>'
     '<a href="https:///judi.example/">y</a></div>', ["judi.example"]),
], ids=["base", "base-after", "base-in-noscript", "base-own", "absolute-own", "template",
        "read-as-a-browser"])
def test_hidden_links_are_read_against_the_page_s_base(markup, links):
    """A hidden <a href="/slot"> on a page whose <base href> is a gambling site leads
    there, as a browser reads it: a link to another site."""
    scan = content.scan_html(markup)
    found = content.hidden_findings(scan, content.keyword_pattern(["slot gacor"]),
                                    ("pn.example",), "https://pn.example/berita/")
    assert [link for r in found for link in r["links"]] == links


def test_a_hostile_page_of_hidden_links_against_a_base_is_read_in_linear_time():
    """150,000 hidden relative links under a base of half a megabyte: each is read
    against the base's scheme and host, not joined to its 2 KiB path (over 30 s)."""
    page = ('<base href="https://judi.example/' + "a/" * (1 << 18) + '">'
            '<div style="display:none">' + "".join(f"<a href=b{i}>" for i in range(150_000))
            + "</div>")
    assert len(page) >= 2_000_000
    with within(30, "reading the hidden links"):
        scan = content.scan_html(page, seconds=20)
        found = content.hidden_findings(scan, content.keyword_pattern(["slot gacor"]),
                                        ("pn.example",), "https://pn.example/")
    assert scan.complete
    assert [link for r in found for link in r["links"]] == ["judi.example"]


def test_a_page_hiding_by_menu_or_media_query_gives_no_hidden_finding():
    assert hidden_of(CLASS_HIDDEN % "") == []


@pytest.mark.parametrize(("block", "rule"), [
    # After the links, and undone for nothing but display: off-screen is still off-screen.
    ('<div class="kq9 x"><a href="https://gacor.example/">slot gacor</a></div>'
     "<style>.kq9{position:absolute;left:-9999px} .kq9:hover{display:block}</style>",
     ".kq9 {position:absolute;left:-9999px}"),
    ('<p id="zz">Daftar <a href="https://gacor.example/">slot gacor</a></p>'
     "<style>/* */ body p#zz { display : none }</style>", "body p#zz {display : none}"),
], ids=["class-off-screen", "id-display-none"])
def test_text_hidden_by_the_page_s_own_style_rules_is_named(block, rule):
    assert hidden_of(CLASS_HIDDEN % block) == [(rule, ["slot gacor"], ["gacor.example"])]


@pytest.mark.parametrize(("style", "hidden"), [
    ("height:1px; overflow:hidden", True), ("overflow : hidden;width:0px", True),
    ("width:1px", False), ("left:-9999px", True), ("left:-99px", False),
    ("opacity:0;", True), ("opacity:0.5;", False), ("font-size:0", True)])
def test_hiding_styles(style, hidden):
    assert content.hides(style) is hidden


def test_style_sheets_and_inline_tags_are_read_as_a_browser_reads_them():
    page = ("<STYLE media='x'>.a{left:-999px} /* .b{} */ .c{}</style><p>x</p>"
            "<style>.d{} /* never closed </style><style>.e{}")
    assert " ".join(content.style_sheets(page).split()) == ".a{left:-999px} .c{} .d{}"
    assert content.without_inline_tags("s<b>lo</b>t <span class='x'>gacor</span> <b ") == \
        "slot gacor <b "



@pytest.mark.parametrize(("page", "read"), [
    ('<div style="' + "width:1px;" * 100_000 + '">x</div>', content.scan_html),
    ("<style>" * 150_000, content.hiding_selectors),
    ("<style" * 150_000, content.hiding_selectors),
    ("<style>/*" + "/*" * 500_000, content.style_sheets),
    ("<b " * 350_000, lambda page: content.found_keywords(page, SPAM)),
    ("<div>" * 200_000 + "</p>" * 200_000, content.scan_html),
    ("xslot88gacor" * 300_000, lambda page: content.found_keywords(page, SPAM)),
    ("bo" * 1_000_000 + "slot", lambda page: content.found_keywords(page, SPAM)),
    ("xbositusslothkhk" * 200_000, lambda page: content.found_keywords(page, SPAM)),
    ("slot" + "hk" * 1_000_000, lambda page: content.found_keywords(page, SPAM)),
    (" ".join(f"togel{i}" for i in range(100_000)),
     lambda page: content.spam_matches("page", "/", [page], SPAM)),
], ids=["long-style", "unclosed-styles", "no-gt", "unclosed-comments", "unclosed-inline-tags",
        "deep-nesting", "keywords-inside-words", "prefixes", "affixes-inside-words",
        "suffixes", "fingerprints"])
def test_a_hostile_page_is_read_in_linear_time(page, read):
    """Each page took minutes to hours when a pattern or the open-element stack was
    searched again from every position; read once, each takes well under a second.
    (Python's own HTMLParser had such cases too, CVE-2025-6069: Debian 12's python3.11,
    3.11.2-6+deb12u6, which runs the module on the hosts, reads them in linear time; the
    3.13.0 of a development machine's venv does not, hence one reader per page here.)"""
    with within(30, "reading the page"):
        read(page)


def test_allowed_hosts_are_not_findings_but_keywords_still_are():
    """A survey pop-up opened by a script links to forms.gle: allowed, with its
    subdomains; a site whose name only ends like an allowed one is not."""
    popup = ('<div style="display:none" id="survei"><a href="https://docs.forms.gle/x">'
             'Survei kepuasan</a> <a href="https://notforms.gle/">x</a></div>'
             '<p style="display:none"><a href="https://forms.gle/y">slot gacor</a></p>')
    assert hidden_of(popup, ("pn.example", "forms.gle")) == [
        ("display:none", [], ["notforms.gle"]), ("display:none", ["slot gacor"], [])]


def fingerprints(text: str, where: str = "7") -> set[str]:
    return {m["fingerprint"] for m in content.spam_matches("post", where, [text], SPAM)}


def test_a_spam_fingerprint_is_what_was_found_where_as_documented():
    """sha256 of the location, the keyword and the 40 characters of the text as read on
    each side of it (character references decoded, lower case, whitespace runs as one
    space), the first 32 hex digits."""
    before = " ditangkap dengan barang bukti <b>kupon "
    after = "</b> dan uang tunai sebesar rp 350.000 d"
    digest = hashlib.sha256(json.dumps(["spam-v1", "post", "7", "togel", before, after])
                            .encode()).hexdigest()[:32]
    assert content.spam_matches("post", "7", [NEWS], SPAM) == [
        {"fingerprint": digest, "keyword": "togel", "context": f"{before}[togel]{after}"}]


def test_a_spam_fingerprint_survives_unrelated_edits_but_not_new_spam():
    first = fingerprints(NEWS)
    edited = ("<p>Diperbarui 5 Mei 2026.</p>\n"
              + NEWS.replace("Sidang perkara perjudian", "Putusan perkara 45/Pid.B/2026")
              .replace(" dengan ", "\n        dengan ") + "<p>Sidang berikutnya: tuntutan.</p>")
    assert fingerprints(edited) == first
    spam = edited + '<p>Daftar <a href="https://gacor.example/">situs gacor</a></p>'
    assert fingerprints(spam) > first
    assert not fingerprints(NEWS.replace("kupon togel", "kupon togel88 situsgacor")) & first
    assert not fingerprints(NEWS, "8") & first  # the same words in another post
    assert not {m["fingerprint"] for m in content.spam_matches("option", "7", [NEWS], SPAM)} & first


def test_inline_tags_around_a_keyword_give_it_one_fingerprint():
    """found_keywords reads a text with and without its inline tags: one keyword both
    readings find is one match, named where it is in the text."""
    assert [m["context"] for m in content.spam_matches("post", "7", [
        "<p>Barang bukti: kupon <b>to<i></i>gel</b> 2 lembar.</p>"], SPAM)] == [
        "<p>barang bukti: kupon <b>[to<i></i>gel]</b> 2 lembar.</p>"]
    assert len(fingerprints("<p>kupon <b>togel</b> dan</p>")) == 1


@pytest.mark.parametrize("text", [
    *(text for text, _words in COMPOUNDS.values()), *DISGUISED.values(), NEWS,
    "<b>slot</b> <i>gacor</i>", "slot<b>x</b>gacor", "kata<b>togel</b> slot88gacor"])
def test_every_keyword_found_has_a_fingerprint(text):
    """A keyword without a fingerprint could not fail a finding whose others were accepted."""
    assert {m["keyword"] for m in content.spam_matches("page", "/", [text], SPAM)} == set(
        content.found_keywords(text, SPAM))


A, B, C, D = "a" * 32, "b" * 32, "c" * 32, "d" * 32


def spam_finding(*fps: str, acceptable: bool = True, post_id: int = 7) -> dict:
    return {"kind": "post_spam", "post_id": post_id, "name": f"post_spam: post {post_id} (x)",
            "detail": "kata kunci judi: togel", "keywords": ["togel"], "acceptable": acceptable,
            "matches": [{"fingerprint": fp, "keyword": "togel", "context": f"{fp[0]} [togel]"}
                        for fp in fps]}


def test_accepted_spam_is_reported_not_failed_and_entries_no_longer_found_are_stale():
    webshell = {"kind": "webshell", "name": "webshell: /x", "detail": "eval"}
    failing, accepted, stale = content.settle_spam(
        [webshell, spam_finding(A), spam_finding(B, C, post_id=8)],
        {A: "Berita perkara 45/Pid.B/2026", B: "", D: "berita lama"})
    assert [f["name"] for f in failing] == ["webshell: /x", "post_spam: post 8 (x)"]
    assert failing[0] == webshell
    # what is new is shown, with how to accept it; what was accepted is counted
    assert failing[1]["matches"] == [{"fingerprint": C, "keyword": "togel", "context": "c [togel]"}]
    assert failing[1]["unaccepted"] == 1
    assert failing[1]["detail"] == (
        "kata kunci judi: togel (1 kecocokan lain sudah diterima); bila ini teks pengadilan "
        "sendiri (mis. berita perkara perjudian), periksa konteksnya (matches) lalu tambahkan "
        f"sidiknya ke website_integrity_spam_accepted: {C}")
    assert [(f["name"], f["matches"]) for f in accepted] == [("post_spam: post 7 (x)", [
        {"fingerprint": A, "keyword": "togel", "context": "a [togel]",
         "note": "Berita perkara 45/Pid.B/2026"}])]
    assert stale == [{"fingerprint": D, "note": "berita lama"}]


def test_spam_beside_hidden_text_or_cloaking_is_never_accepted():
    failing, accepted, stale = content.settle_spam([spam_finding(A, acceptable=False)], {A: ""})
    assert (accepted, stale) == ([], [])  # found, so not stale, but not accepted either
    assert failing[0]["detail"] == (
        "kata kunci judi: togel; tidak dapat diterima sebagai teks pengadilan: halaman, pos "
        "atau opsi ini juga memuat teks/tautan tersembunyi, cloaking atau markup yang tidak "
        "selesai diurai")
    assert content.settle_spam([spam_finding()], {})[0][0]["detail"] == "kata kunci judi: togel"


def test_many_spam_matches_are_counted_and_the_first_shown():
    fps = [f"{i:032x}" for i in range(30)]
    [finding], _accepted, _stale = content.settle_spam([spam_finding(*fps)], {})
    assert finding["unaccepted"] == 30
    assert [m["fingerprint"] for m in finding["matches"]] == fps[:content.SPAM_MATCHES_SHOWN]
    assert finding["detail"].endswith(f"{fps[19]} (dan 10 lagi)")


def test_an_accepted_entry_must_be_a_fingerprint():
    assert content.accepted_spam([{"fingerprint": f" {A.upper()} ", "note": None},
                                  {"fingerprint": B, "note": "berita"}]) == {A: "", B: "berita"}
    with pytest.raises(ValueError, match=r"^spam_accepted: 'kupon togel' is no fingerprint"):
        content.accepted_spam([{"fingerprint": "kupon togel", "note": None}])


def test_the_module_refuses_an_accepted_entry_that_is_no_fingerprint(tmp_path):
    rc, result = run_module("website_integrity", tmp_path, {
        "paths": [str(tmp_path)], "spam_accepted": [{"fingerprint": "togel"}]})
    assert rc == 1 and result["msg"] == (
        "spam_accepted: 'togel' is no fingerprint (32 hex digits, as a finding names it)")


def test_no_spam_words_select_no_database_row_for_words():
    """An empty REGEXP matches every row: without keywords and stems, every post and
    option was read (the pre-filter selected nothing out)."""
    assert content.sql_keyword_regexp([], [], content.SPAM_PREFIXES, content.SPAM_SUFFIXES) is None
    assert content.sql_prefilters([], [], content.SPAM_PREFIXES, content.SPAM_SUFFIXES) == []
    assert not prefilter_selects("Sidang perkara togel, slot gacor", [], [],
                                 content.SPAM_PREFIXES, content.SPAM_SUFFIXES)
    assert prefilter_selects("Sidang perkara togel", ["togel"], [], [], [])


def test_the_role_passes_its_accepted_spam_to_the_module():
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text())
    assert defaults["website_integrity_spam_accepted"] == []
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/pengunjung.yml").read_text())
    task = next(t for t in tasks if "website_integrity" in t)
    assert task["website_integrity"]["spam_accepted"] == "{{ website_integrity_spam_accepted }}"


WP_TABLES = """
CREATE TABLE wp_posts (ID BIGINT UNSIGNED PRIMARY KEY, post_title TEXT, post_content LONGTEXT,
  post_status VARCHAR(20), post_type VARCHAR(20));
CREATE TABLE wp_options (option_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  option_name VARCHAR(191) UNIQUE, option_value LONGTEXT);
"""


@pytest.mark.mariadb
def test_wordpress_posts_and_options(mariadb: MariaDB, tmp_path):
    mariadb.root_sql("DROP TABLE IF EXISTS wp_posts, wp_options;" + WP_TABLES)
    rows = [
        (1, "Jadwal Sidang", "<p>Sidang perkara perdata.</p>", "publish", "post"),
        (2, "Profil", '<div style="display:none">menu</div><p>Profil pengadilan.</p>',
         "publish", "page"),
        (42, "Pelantikan Hakim", "<p>Pelantikan.</p>" + HIDDEN_LINKS, "publish", "post"),
        (43, "Slot Gacor Maxwin", "<p>situs judi online terpercaya</p>", "draft", "post"),
        (44, "rev", "slot gacor", "inherit", "revision"),
        (45, "Hapus", "togel", "trash", "post"),
        # disguised for a filter, not for readers: references, a soft hyphen, a zero-width
        # space, a tag inside the word
        (46, "Info", "<p>Daftar sl&#111;t&nbsp;gac&#111;r</p>", "publish", "post"),
        (47, "Berita", "<p>Hasil to<span>gel</span> hari ini</p>", "publish", "post"),
        (48, "Pengumuman", "<p>to\u00adgel dan judi\u200bonline</p>", "publish", "post"),
        # drafts (their pages are never fetched): styled letters, a no-break space and
        # inline tags between the words; and typographic quotes, not read
        (49, "\U0001d409\U0001d414\U0001d403\U0001d408 \U0001d40e\U0001d40d\U0001d40b\U0001d408"
             "\U0001d40d\U0001d404", "<p>Segera hadir</p>", "draft", "post"),
        (50, "Draf", "<p>Toto\u00a0Macau dan judi <b>online</b></p>", "draft", "post"),
        (51, "Putusan", "<p>\u201cPutusan\u201d \u2013 Jum\u2019at</p>", "publish", "post"),
    ]
    values = ",".join("({}, '{}', '{}', '{}', '{}')".format(
        i, t, c.replace("'", "\\'"), s, p) for i, t, c, s, p in rows)
    mariadb.root_sql(
        f"INSERT INTO wp_posts VALUES {values};"
        "INSERT INTO wp_options (option_name, option_value) VALUES ('blogname', 'PN Contoh'),"
        "('widget_text', 'a:1:{i:2;a:1:{s:4:\"text\";s:30:\"<a href=x>bandar togel</a>\";}}'),"
        "('_transient_feed_x', 'slot gacor'),"
        "('theme_footer', '<p>PN Contoh</p><div style=\"display:none\">"
        "<a href=\"https://partner.example/\">partner</a></div>'),"
        "('custom_css', '.menu { display: none }'),"
        "('widget_block', '<p>Situs m&#97;xwin</p>'),"
        "('site_tagline', 'Melayani&nbsp;dengan&nbsp;sepenuh&nbsp;hati');")
    conn = connect(mariadb)
    site(tmp_path / "www")
    _changed, result = mod.run(params(tmp_path / "www", tmp_path / "state"), False, conn)
    found = {f["name"]: f for f in result["findings"]}
    assert set(found) == {"post_spam: post 42 (Pelantikan Hakim)",
                          "post_spam: post 43 (Slot Gacor Maxwin)", "option_spam: widget_text",
                          "option_spam: theme_footer", "post_spam: post 46 (Info)",
                          "post_spam: post 47 (Berita)", "post_spam: post 48 (Pengumuman)",
                          "option_spam: widget_block", "post_spam: post 50 (Draf)",
                          "post_spam: post 49 (\U0001d409\U0001d414\U0001d403\U0001d408 "
                          "\U0001d40e\U0001d40d\U0001d40b\U0001d408\U0001d40d\U0001d404)"}
    assert found["post_spam: post 50 (Draf)"]["keywords"] == ["judi online", "toto macau"]
    assert found["post_spam: post 48 (Pengumuman)"]["keywords"] == ["judionline", "togel"]
    assert found["post_spam: post 47 (Berita)"]["keywords"] == ["togel"]
    assert found["option_spam: theme_footer"]["links"] == ["partner.example"]
    assert found["post_spam: post 42 (Pelantikan Hakim)"]["post_id"] == 42
    assert found["post_spam: post 42 (Pelantikan Hakim)"]["hidden"][0]["links"] == [
        "gacor88.example", "togel.example"]
    assert found["post_spam: post 43 (Slot Gacor Maxwin)"]["keywords"] == [
        "judi online", "maxwin", "slot gacor"]
    assert found["option_spam: widget_text"]["keywords"] == ["bandar togel"]
    # posts 2 (hidden style), 42, 43, 46-50; options widget_text, theme_footer, custom_css,
    # widget_block and site_tagline (its &nbsp; may hide a keyword: read, nothing found)
    assert result["posts_checked"] == 13


@pytest.mark.mariadb
@pytest.mark.parametrize(("charset", "styled"), [
    ("utf8mb3", "\uff27\uff21\uff23\uff2f\uff32"), ("latin1", "G&#65;COR")])
def test_wordpress_tables_in_utf8mb3_or_latin1_are_read(mariadb: MariaDB, charset, styled):
    """Sites installed before WordPress 4.2 may keep utf8mb3 or latin1 tables: compared as
    they are with the pre-filter's utf8mb4 characters, the query fails ("Illegal mix of
    collations"; a latin1 table's did already) and no post is read."""
    mariadb.root_sql("DROP TABLE IF EXISTS wp_posts, wp_options;"
                     + WP_TABLES.replace(");", f") CHARACTER SET {charset};"))
    mariadb.root_sql("INSERT INTO wp_posts VALUES (1, 'Draf', '<p>judi <b>online</b></p>', "
                     f"'draft', 'post'), (2, 'Info', '<p>{styled}</p>', 'draft', 'post'), "
                     "(3, 'Jadwal', '<p>Sidang perkara</p>', 'publish', 'post');"
                     "INSERT INTO wp_options (option_name, option_value) "
                     "VALUES ('blogname', 'PN');")
    conn = connect(mariadb)
    checked, found = mod.check_database(conn, params(Path("/"), Path("/")))
    assert (checked, [(f["post_id"], f["keywords"]) for f in found]) == (
        2, [(1, ["judi online"]), (2, ["gacor"])])


@pytest.mark.mariadb
def test_a_court_s_own_post_and_widget_are_accepted_by_fingerprint(
        mariadb: MariaDB, tmp_path):
    """A news post and a widget about a gambling case: named until their fingerprints are
    accepted, then reported as accepted."""
    mariadb.root_sql("DROP TABLE IF EXISTS wp_posts, wp_options;" + WP_TABLES)
    mariadb.root_sql(
        "INSERT INTO wp_posts VALUES (7, 'Sidang perkara togel', "
        f"'{NEWS}', 'publish', 'post'), (8, 'Jadwal', '<p>Sidang perdata.</p>', "
        "'publish', 'post');"
        "INSERT INTO wp_options (option_name, option_value) VALUES "
        "('widget_text', '<p>Berita: sidang kupon togel</p>'), ('blogname', 'PN Contoh');")
    conn = connect(mariadb)
    site(tmp_path / "www")
    _changed, first = mod.run(params(tmp_path / "www", tmp_path / "state"), False, conn)
    assert names(first) == {"post_spam: post 7 (Sidang perkara togel)", "option_spam: widget_text"}
    assert all(f["acceptable"] for f in first["findings"])
    accept = [{"fingerprint": m["fingerprint"], "note": "berita perkara"}
              for f in first["findings"] for m in f["matches"]]
    assert len(accept) == 3  # the post's title and content, the widget
    _changed, accepted = mod.run(params(tmp_path / "www", tmp_path / "state",
                                        spam_accepted=accept), False, conn)
    assert accepted["findings"] == [] and accepted["spam_stale"] == []
    assert {f["name"] for f in accepted["spam_accepted"]} == names(first)


@pytest.mark.mariadb
def test_no_spam_words_select_no_post_or_option_for_words(mariadb: MariaDB):
    """Without keywords and stems the pre-filter's empty REGEXP selected every post and
    option; now only rows with a hiding style are read (for hidden links)."""
    mariadb.root_sql("DROP TABLE IF EXISTS wp_posts, wp_options;" + WP_TABLES)
    mariadb.root_sql("INSERT INTO wp_posts VALUES (7, 'Sidang perkara togel', "
                     "'<p>Barang bukti kupon togel.</p>', 'publish', 'post');"
                     "INSERT INTO wp_options (option_name, option_value) "
                     "VALUES ('blogname', 'PN Contoh');")
    conn = connect(mariadb)
    assert mod.check_database(conn, params(Path("/"), Path("/"), spam_keywords=[],
                                           spam_stems=[])) == (0, [])


def test_module_bad_input_is_one_line(tmp_path):
    rc, result = run_module("website_integrity", tmp_path,
                            {"paths": [str(tmp_path / "nope")],
                             "state_dir": str(tmp_path / "s")})
    assert rc != 0 and result["msg"] == f"website integrity: {tmp_path / 'nope'}: not a directory"
    rc, result = run_module("website_integrity", tmp_path,
                            {"paths": [str(tmp_path)], "similarity": 2})
    assert rc != 0 and result["msg"] == "similarity must be between 0 and 1"


@pytest.mark.parametrize(("option", "value"), [("timeout", 0), ("timeout", -3),
                                              ("query_timeout", 0)])
def test_a_time_limit_not_above_zero_is_a_bad_setting_not_an_unreachable_page(
        tmp_path, option, value):
    # timeout 0 was taken: every page's fetch failed at once and was recorded as
    # "page_unreachable: https://web/" (the lab's website_http_timeout=0), the site blamed;
    # nothing is read, nothing kept
    rc, result = run_module("website_integrity", tmp_path, {
        "paths": [str(tmp_path)], "state_dir": str(tmp_path / "s"),
        "urls": ["https://web/"], option: value})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"{option}: must be a positive number of seconds, not {value}", option)
    assert not (tmp_path / "s").exists()


def test_module_database_unreachable_is_one_line(tmp_path):
    (tmp_path / "www").mkdir()
    rc, result = run_module("website_integrity", tmp_path,
                            {"paths": [str(tmp_path / "www")],
                             "state_dir": str(tmp_path / "s"), "database": "wordpress",
                             "login_host": "127.0.0.1", "login_port": 9,
                             "login_password": "secret-pw"})
    assert rc != 0 and result["msg"].startswith("database CMS wordpress tidak dapat diperiksa: ")
    assert result["integrity"]["baseline"] == "created"  # the files were still checked
    assert "secret-pw" not in json.dumps(result)


def test_a_webshell_padded_past_the_scan_limit_or_across_a_block_is_found(tmp_path):
    theme = tmp_path / "wp-content" / "themes" / "pengadilan"
    theme.mkdir(parents=True)
    padded = theme / "functions.php"  # 9 MiB of comment, then the payload
    padded.write_bytes(b"<?php /*" + b"x" * (9 << 20) + b"*/ eval(base64_decode($k));")
    straddling = theme / "footer.php"  # the payload cut by the 1 MiB read
    straddling.write_bytes(b"<?php /*" + b"x" * ((1 << 20) - 15) + b"*/ eval(base64_decode($k));")
    video = tmp_path / "wp-content" / "uploads" / "sidang.mp4"  # a large upload: hashed only
    video.parent.mkdir(parents=True)
    video.write_bytes(b"eval(base64_decode(" + bytes(9 << 20))
    for path, found in ((padded, ["eval(base64_decode("]), (straddling, ["eval(base64_decode("]),
                        (video, [])):
        entry = integrity.read_entry(str(path), path.stat(), None, 8 << 20)
        assert entry.markers == found, path.name


def test_a_comment_across_blocks_hides_no_name(tmp_path):
    """Comments are shortened across the 1 MiB reads: a name whose pieces lie 3 MiB of
    comment apart, its first piece after a heredoc that goes on into the next block, is
    found; the same text in a string (a comment for nobody) is not."""
    heredoc = b"<?php $t = <<<EOT\n" + b"x" * (1 << 20) + b"\n  EOT;\n"
    hidden = tmp_path / "hidden.php"
    hidden.write_bytes(heredoc + b"$f = 'sy' /*" + b"* x / " * (1 << 19) + b"*/ . 'stem'; $f($c);")
    quoted = tmp_path / "quoted.php"
    quoted.write_bytes(heredoc + b"$f = \"'sy' /*" + b" x " * (1 << 20) + b"*/ . 'stem'\";")
    for path, found in ((hidden, ["'sys'.'tem'"]), (quoted, [])):
        entry = integrity.read_entry(str(path), path.stat(), None, 8 << 20)
        assert entry.markers == found, path.name


def test_a_file_swapped_for_a_fifo_after_it_was_listed_is_not_waited_for(tmp_path):
    """The site's account replaces a listed file with a FIFO: root's open() waited for a
    writer forever and the SOP never ended."""
    path = tmp_path / "index.php"
    path.write_text("<?php")
    listed = os.lstat(path)
    path.unlink()
    os.mkfifo(path)
    with within(10, "reading a FIFO"), pytest.raises(integrity.IntegrityError,
                                                     match=r"index\.php: not a regular file"):
        integrity.read_entry(str(path), listed, None, 8 << 20)


def test_a_folder_swapped_for_a_link_during_the_walk_is_not_read_through(tmp_path):
    """Between the walk listing uploads/2026/shadow and reading it, the site's account
    swaps uploads/2026 for a link to /etc: root hashed /etc/shadow (and searched it for
    markers) under the site's name. The file is read through its folder's descriptor."""
    site, etc = tmp_path / "site", tmp_path / "etc"
    folder = site / "uploads" / "2026"
    folder.mkdir(parents=True)
    (folder / "shadow").write_text("planted")
    etc.mkdir()
    (etc / "shadow").write_text("root:$6$secret")
    read = {}
    for path, info, dir_fd, _excluded in integrity.walk([str(site)], []):
        folder.rename(folder.with_name("2026.real"))
        folder.symlink_to(etc)
        read[path] = integrity.read_entry(path, info, None, 8 << 20, dir_fd)
    assert list(read) == [str(folder / "shadow")]
    assert read[str(folder / "shadow")].sha256 == hashlib.sha256(b"planted").hexdigest()


def test_a_baseline_in_a_shared_directory_leaves_the_directory_as_it_was(tmp_path):
    """state_dir=/tmp once made /tmp 0700 (every other user then failed to write there)."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    integrity.save_baseline(str(shared / "baseline.json"), [str(tmp_path)], {}, "now")
    assert oct(shared.stat().st_mode & 0o7777) == "0o1777"
    assert oct((shared / "baseline.json").stat().st_mode & 0o777) == "0o600"


def test_a_huge_sparse_script_is_a_finding_not_read_for_hours(tmp_path):
    """`truncate -s 100G uploads/x.php` costs the web server's account no disk; its
    markers were read at about 4 MiB/s and its sha256 of zeros computed, holding the
    check (and the SOP's lock) for hours. A script over max_script_bytes is not read for
    markers but is a finding naming its size; with holes, it is hashed by its data on
    disk, still compared with the baseline."""
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    mod.run(params(root, state), False, None)
    huge = root / "wp-content" / "uploads" / "x.php"
    with huge.open("wb") as handle:
        handle.write(b"<?php eval(base64_decode($_POST['k']));")
        handle.truncate(100 << 30)
    if os.stat(huge).st_blocks * 512 >= 1 << 30:
        pytest.skip("the file system here does not keep holes")
    with within(30, "the check of a 100 GiB sparse script"):
        _changed, result = mod.run(params(root, state), False, None)
    found = {f["kind"]: f for f in result["findings"]}
    assert set(found) == {"large_script", "php_in_uploads", "new_file"}
    assert found["large_script"]["name"] == f"large_script: {huge}"
    assert found["large_script"]["size"] == 100 << 30
    assert found["large_script"]["detail"] == (
        "berkas skrip sangat besar (100 GiB), tidak dipindai isinya: periksa manual")
    with within(30, "accepting a 100 GiB sparse script"):
        mod.run(params(root, state, accept_baseline=True), False, None)
    with huge.open("r+b") as handle:  # the data it holds changed, its size not
        handle.write(b"<?php system($_GET['c']); //")
    with within(30, "the check of a changed 100 GiB sparse script"):
        _changed, result = mod.run(params(root, state), False, None)
    assert {f["kind"] for f in result["findings"]} == {"large_script", "php_in_uploads",
                                                       "changed_file"}


def test_scripts_are_read_for_markers_up_to_max_script_bytes(tmp_path):
    """A script at the limit is read for markers, padding and all; one byte more and it
    is not, but is a large_script finding whatever the baseline says (its markers are
    never read, so an accept cannot clear it); an upload over max_scan_bytes is no
    finding, as before."""
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    theme = root / "wp-content" / "themes" / "court"
    payload = b"*/ eval(base64_decode($k));"
    at_limit, over = theme / "a.php", theme / "b.php"
    at_limit.write_bytes(b"<?php /*" + b"x" * ((1 << 20) - 8 - len(payload)) + payload)
    over.write_bytes(b"<?php /*" + b"x" * ((1 << 20) - 7 - len(payload)) + payload)
    video = root / "wp-content" / "uploads" / "sidang.mp4"
    video.write_bytes(bytes(2 << 20))
    for accept in (True, False):
        _changed, result = mod.run(params(root, state, max_script_bytes=1 << 20,
                                          max_scan_bytes=1 << 20, accept_baseline=accept),
                                   False, None)
        assert sorted((f["kind"], f["path"], f["detail"]) for f in result["findings"]) == [
            ("large_script", str(over),
             "berkas skrip sangat besar (1 MiB), tidak dipindai isinya: periksa manual"),
            ("webshell", str(at_limit), "penanda webshell/kode sisipan: eval(base64_decode(")]


def test_a_file_with_holes_is_hashed_by_its_data_on_disk(tmp_path):
    """A sparse file of any name (uploads/x.jpg) was read whole for its sha256, zeros
    and all, at disk speed without disk: it is hashed by the data it holds and where;
    the same data gives the same digest, other data or another place another one. A
    file without holes keeps its plain sha256 (baselines made before stay valid)."""
    def digest(path: Path) -> str:
        return integrity.read_entry(str(path), path.stat(), None, 8 << 20).sha256

    def sparse(name: str, data: bytes, at: int) -> Path:
        path = tmp_path / "uploads" / name
        path.parent.mkdir(exist_ok=True)
        with path.open("wb") as handle:
            handle.truncate(100 << 30)
            handle.seek(at)
            handle.write(data)
        return path

    first = sparse("x.jpg", b"JPEG", 1 << 30)
    if os.stat(first).st_blocks * 512 >= 1 << 30:
        pytest.skip("the file system here does not keep holes")
    with within(20, "hashing 100 GiB sparse files"):
        same, other, moved = (sparse("y.jpg", b"JPEG", 1 << 30), sparse("z.jpg", b"GIF8", 1 << 30),
                              sparse("w.jpg", b"JPEG", 2 << 30))
        digests = [digest(p) for p in (first, same, other, moved)]
    assert all(d.startswith("sparse-") and len(d) == 7 + 64 for d in digests)
    assert digests[0] == digests[1] and len(set(digests)) == 3
    dense = tmp_path / "uploads" / "dense.mp4"
    dense.write_bytes(bytes(9 << 20))
    assert digest(dense) == hashlib.sha256(bytes(9 << 20)).hexdigest()


def test_sizes_in_bahasa():
    assert [integrity.size_text(n) for n in (512, 1536, 32 << 20, 100 << 30, (3 << 40) // 2)] == [
        "512 B", "1,5 KiB", "32 MiB", "100 GiB", "1,5 TiB"]


def test_a_packaged_path_swapped_for_a_larger_file_is_not_read(tmp_path):
    """packaged() reads a new file again for dpkg's md5: a file swapped meanwhile for
    another size (a 100 GiB sparse one) is not read, and so is not the package's."""
    path = tmp_path / "index.php"
    path.write_bytes(b"<?php")
    assert mod.digests(str(path), 5) == (hashlib.md5(b"<?php").hexdigest(),
                                         hashlib.sha256(b"<?php").hexdigest())
    with path.open("r+b") as handle:
        handle.truncate(100 << 30)
    with within(10, "reading a swapped file"):
        assert mod.digests(str(path), 5) is None


def test_fifos_sockets_and_devices_in_the_web_root_are_findings_never_opened(tmp_path):
    """A FIFO, a socket or a device file in the web root was skipped without a word: the
    web server's account made it (a covert channel, a device node planted by root code),
    which is worth the administrator's look. Each is a finding of its own, in the cache
    too; none is opened (a FIFO without a writer would hold the check), none enters the
    baseline, and a baseline written before still loads."""
    root, state = tmp_path / "www", tmp_path / "state"
    site(root)
    _changed, first = mod.run(params(root, state), False, None)
    before = Path(first["baseline_file"]).read_bytes()
    uploads = root / "wp-content" / "uploads" / "2026"
    fifo = uploads / "pipe"
    os.mkfifo(fifo)
    cached = root / "wp-content" / "cache" / "q.fifo"
    os.mkfifo(cached)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "s.sock"))
    expected = {(f"special_file: {fifo}", "FIFO", "uploads"),
                (f"special_file: {cached}", "FIFO", "cache"),
                (f"special_file: {root / 's.sock'}", "socket", "core")}
    if os.geteuid() == 0:
        os.mknod(root / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        expected.add((f"special_file: {root / 'null'}", "perangkat karakter", "core"))
    try:
        for accept in (False, True, False):  # still a finding after an accept
            with within(30, "the check"):
                changed, found = mod.run(params(root, state, accept_baseline=accept),
                                         False, None)
            assert not changed and Path(first["baseline_file"]).read_bytes() == before
            assert {(f["name"], f["type"], f["area"]) for f in found["findings"]} == expected
            assert found["new"] == 0 and found["files"] == first["files"]
        detail = next(f["detail"] for f in found["findings"] if f["path"] == str(fifo))
        assert detail == ("berkas khusus (FIFO) di folder situs, dibuat oleh akun yang "
                          "menulis situs; tidak dibuka, periksa dan hapus bila tidak dikenal")
        _changed, allowed = mod.run(params(root, state, allow=[str(root / "*")]), False, None)
        assert allowed["findings"] == []
    finally:
        sock.close()


def test_a_web_root_that_is_a_symbolic_link_is_walked(tmp_path):
    """A web root /var/www/html linking to the site's real folder was walked as nothing
    (os.fwalk does not enter a link it is given): a baseline of no files, and a webshell
    there never a finding. The root's link is followed, its files named by the path given."""
    real = tmp_path / "srv-site"
    real.mkdir()
    (real / "x.php").write_text(WEBSHELL)
    root = tmp_path / "html"
    root.symlink_to(real)
    _changed, result = mod.run(params(root, tmp_path / "state"), False, None)
    assert result["files"] == 1
    assert [f["name"] for f in result["findings"]] == [f"webshell: {root / 'x.php'}"]


def test_a_file_removed_during_the_walk_is_not_there_not_a_failure(tmp_path, monkeypatch):
    """A file the site removes between the walk listing its folder and reading it (a
    plugin's temporary file, a backup plugin's archive) failed the whole check ("No such
    file or directory"); it is simply not there: removed against the baseline."""
    root, state = tmp_path / "www", tmp_path / "state"
    root.mkdir()
    for name in ("a.php", "b.php", "c.php"):
        (root / name).write_text("<?php echo 1;")
    _changed, first = mod.run(params(root, state), False, None)
    read = {}
    for path, info, dir_fd, _excluded in integrity.walk([str(root)], []):
        for other in ("b.php", "c.php"):  # gone before it is read, or before it is listed
            (root / other).unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            read[path] = integrity.read_entry(path, info, None, 8 << 20, dir_fd)
    assert list(read) == [str(root / "a.php")]
    (root / "b.php").write_text("<?php echo 1;")
    real_read = integrity.read_entry

    def vanishing(path, info, known, max_scan, dir_fd=None, *, max_script):
        if path.endswith("b.php"):
            os.unlink(os.path.basename(path), dir_fd=dir_fd)
        return real_read(path, info, None, max_scan, dir_fd, max_script=max_script)

    monkeypatch.setattr(integrity, "read_entry", vanishing)
    _changed, result = mod.run(params(root, state), False, None)
    assert (first["files"], result["files"], result["removed"]) == (3, 1, 2)
    assert sorted(f["name"] for f in result["findings"]) == [
        f"removed_file: {root / 'b.php'}", f"removed_file: {root / 'c.php'}"]


def test_folders_nested_too_deep_to_walk_fail_in_one_line(tmp_path):
    """The site's account nests a folder a thousand levels deep: os.fwalk, which
    recurses once per level, ended the module in a RecursionError traceback. (Here a
    tree of 200 levels against a recursion limit lowered to match: pytest's own
    rmtree recurses too, and could not remove a tree left deeper than its limit.)"""
    root = tmp_path / "www"
    root.joinpath(*["d"] * 200).mkdir(parents=True)
    (root / "index.php").write_text("<?php echo 1;")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        with pytest.raises(integrity.IntegrityError) as raised:
            mod.run(params(root, tmp_path / "state"), False, None)
    finally:
        sys.setrecursionlimit(limit)
    assert str(raised.value).startswith(f"{root}/d: folders nested too deep to walk (over ")


@pytest.mark.parametrize("forge", ["group-writable", "other-owner", "link", "open-folder"])
def test_a_baseline_another_account_could_write_is_refused(tmp_path, forge):
    """state_dir shared with the web server's account (/tmp, say): its account writes
    the baseline (named by the web root's path, known in advance) before the first check,
    listing its webshell with the size, times and inode it has and no markers: the
    check took the entry as unchanged, never read the file and reported nothing."""
    root, state = tmp_path / "www", tmp_path / "state"
    root.mkdir()
    shell = root / "x.php"
    shell.write_text(WEBSHELL)
    info = shell.stat()
    state.mkdir()
    baseline = Path(integrity.baseline_path(str(state), str(root)))
    forged = json.dumps({"version": 1, "roots": [str(root)], "accepted": "then", "files": {
        str(shell): ["0" * 64, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
                     []]}})
    written = tmp_path / "forged.json"
    written.write_text(forged)
    if forge == "link":
        baseline.symlink_to(written)
    else:
        baseline.write_text(forged)
        os.chmod(baseline, 0o600)
    if forge == "group-writable":
        os.chmod(baseline, 0o620)
    elif forge == "other-owner":
        if os.geteuid() != 0:
            pytest.skip("gives a file away")
        os.chown(baseline, 33, 33)
    elif forge == "open-folder":
        os.chmod(state, 0o777)
    with pytest.raises(integrity.IntegrityError, match=rf"baseline {baseline} is not trusted"):
        mod.run(params(root, state), False, None)
    if forge != "link":
        os.chmod(state, 0o700)
        os.chmod(baseline, 0o600)
        os.chown(baseline, os.geteuid(), os.getegid())
        # the same file, root's alone, is trusted: its entry is taken as read, the shell
        # unread (what the forgery got before it was refused)
        _changed, trusted = mod.run(params(root, state), False, None)
        assert trusted["baseline"] == "compared" and trusted["findings"] == []


def test_a_file_name_with_a_line_break_stays_on_its_finding_s_line(tmp_path):
    """The site's account names its shell "x<newline>bersih: ....php": the finding's
    name, one line in the report and the notifications, became two, the second one the
    account wrote. The name shows the break escaped; the path stays the file's own."""
    root = tmp_path / "www"
    root.mkdir()
    shell = root / "x\nbersih: tidak ada webshell\u2028.php"
    shell.write_text(WEBSHELL)
    _changed, result = mod.run(params(root, tmp_path / "state"), False, None)
    [finding] = result["findings"]
    assert finding["path"] == str(shell)
    assert finding["name"] == f"webshell: {root}/x\\x0abersih: tidak ada webshell\\u2028.php"
    assert len(mod.sop_output(result)["findings"][0].splitlines()) == 1
