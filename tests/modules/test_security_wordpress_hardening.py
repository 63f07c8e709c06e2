"""security_wordpress's hardening beyond names on disk: xmlrpc.php judged by a real
XML-RPC call, the files found in the web root asked from the site, a WP_DEBUG_LOG set to
a file, and who may read or replace the configuration (its ACL, its folder). Real files,
real extended attributes and real local HTTP servers (tests/httpd.py)."""

from __future__ import annotations

import errno
import json
import os
import ssl
import struct
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import within
from httpd import https_and_http, send_slowly, serving
from loader import load, run_module

wordpress = load("security_wordpress")
common = load("sop_security")

CONFIG = "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', 'rahasia' );\n"
CONTEXT = ssl.create_default_context()


def installation(tmp_path: Path) -> Path:
    root = tmp_path / "wordpress"
    (root / "wp-includes").mkdir(parents=True)
    (root / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.4.3';\n")
    (root / "wp-content").mkdir()
    return root


def method_response(names: list[str]) -> str:
    values = "".join(f"<value><string>{name}</string></value>" for name in names)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><params><param><value>'
            f"<array><data>{values}</data></array></value></param></params></methodResponse>\n")


FAULT = ('<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><fault><value><struct>'
         "<member><name>faultCode</name><value><int>405</int></value></member>"
         "<member><name>faultString</name><value><string>XML-RPC services are disabled on "
         "this site.</string></value></member></struct></value></fault></methodResponse>\n")


# An answer: status, body, headers.
Answer = tuple[int, str, dict[str, str]]


class Site(BaseHTTPRequestHandler):
    """A site whose answers to POST /xmlrpc.php and to GET of each path are class
    attributes (status, body, headers); GET /xmlrpc.php answers as WordPress always does,
    whatever a plugin disabled. Every other path: 404."""

    xmlrpc: Answer = (200, method_response(["wp.getUsersBlogs"]), {})
    pages: ClassVar[dict[str, Answer]] = {}
    asked: ClassVar[list[tuple[str, str | None]]] = []

    def log_message(self, *_: object) -> None:
        pass

    def answer(self, status: int, body: str, headers: dict[str, str]) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/xmlrpc.php":
            self.answer(*self.xmlrpc)
        else:
            self.answer(404, "", {})

    def do_GET(self) -> None:
        if self.path == "/xmlrpc.php":
            self.answer(405, "XML-RPC server accepts POST requests only.", {})
            return
        self.asked.append((self.path, self.headers["Range"]))
        self.answer(*self.pages.get(self.path, (404, "<html>404</html>", {})))


def site(xmlrpc: Answer, **pages: Answer) -> type[Site]:
    return type("Answers", (Site,), {"xmlrpc": xmlrpc, "pages": pages, "asked": []})


# --- xmlrpc.php: judged by what a POSTed system.listMethods gets ----------------------

@pytest.mark.parametrize(("xmlrpc", "why"), [
    # a plugin disabling XML-RPC: a fault (with 200, as WordPress answers faults) ...
    ((200, FAULT, {"Content-Type": "text/xml"}), "fault"),
    # ... or every method removed: only the XML-RPC server's own remain
    ((200, method_response(list(wordpress.XMLRPC_OWN)), {}), "own methods only"),
    ((403, "<html>403 Forbidden</html>", {}), "denied"),
    ((404, "<html>404</html>", {}), "no file"),
    ((405, "", {"Allow": "GET"}), "no POST"),
])
def test_xmlrpc_disabled_while_a_get_still_gets_its_post_only_answer(xmlrpc, why):
    """xmlrpc.php was asked with a GET, which WordPress answers 'XML-RPC server accepts
    POST requests only.' whatever a plugin disabled: every such site was a finding."""
    with serving(site(xmlrpc)) as url, within(30, "the HTTP checks"):
        assert wordpress.site_findings(url, [], 5, CONTEXT) == ([], []), why


def test_xmlrpc_serving_methods_names_the_attack_surfaces():
    names = ["system.multicall", "system.listMethods", "system.getCapabilities", "wp.getUsersBlogs"]
    with serving(site((200, method_response(names), {}))) as url, within(30, "the HTTP checks"):
        found, notes = wordpress.site_findings(url, [], 5, CONTEXT)
    assert notes == [] and [f["message"] for f in found] == [
        f"xmlrpc.php situs {url} terbuka: 4 metode XML-RPC dilayani, termasuk system.multicall "
        "(menebak kata sandi secara massal)"]
    # a plugin leaving pingbacks only: open, without the mass login
    names = ["system.listMethods", "pingback.ping", "pingback.extensions.getPingbacks"]
    with serving(site((200, method_response(names), {}))) as url, within(30, "the HTTP checks"):
        found, _notes = wordpress.site_findings(url, [], 5, CONTEXT)
    assert found[0]["message"].endswith(
        "3 metode XML-RPC dilayani, termasuk pingback.ping (pingback)")
    assert found[0]["samples"] == ["pingback.ping"]


@pytest.mark.parametrize(("xmlrpc", "why"), [
    ((200, "<html>Pengadilan Negeri</html>", {}), "HTTP 200, bukan jawaban XML-RPC"),
    ((500, "", {}), "HTTP 500, bukan jawaban XML-RPC"),
])
def test_an_answer_that_cannot_tell_is_a_note(xmlrpc, why):
    with serving(site(xmlrpc)) as url, within(30, "the HTTP checks"):
        assert wordpress.site_findings(url, [], 5, CONTEXT) == ([], [{
            "kind": "wordpress_xmlrpc", "count": 1, "samples": [],
            "message": f"xmlrpc.php situs {url} tidak dapat dinilai: {why}"}])


def test_xmlrpc_redirects_are_posted_again_but_never_down_to_plain_http(tmp_path):
    """The call goes on to where http redirects it (its HTTPS address), POSTed again: a
    301 read as urllib does (a GET there) got WordPress's POST-only answer."""
    class Secure(Site):
        xmlrpc = (200, method_response(["wp.getUsersBlogs", "pingback.ping"]), {})

    class Plain(Site):
        target = ""

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.answer(301, "", {"Location": self.target + "/xmlrpc.php"})

    unverified = wordpress.context_for(False)
    with https_and_http(tmp_path, Secure, Plain) as (secure, plain), within(30, "the HTTP checks"):
        Plain.target = secure
        found, notes = wordpress.site_findings(plain, [], 5, unverified)
        assert notes == []
        assert found[0]["message"].startswith(f"xmlrpc.php situs {plain} terbuka: 2 metode")
        Secure.xmlrpc = (301, "", {"Location": plain + "/xmlrpc.php"})
        found, notes = wordpress.site_findings(secure, [], 5, unverified)
    assert found == [] and [n["message"] for n in notes] == [
        f"xmlrpc.php situs {secure} tidak dapat dinilai: dialihkan ke http tanpa TLS: "
        f"{plain}/xmlrpc.php"]


def test_author_enumeration_is_never_followed_down_to_plain_http(tmp_path):
    """?author=1 followed an https site's redirect to its plain-http address, and the
    login the unencrypted answer named was reported as the site's; now it is a note."""
    plain_author = {"/?author=1": (301, "", {"Location": "/author/admin/"})}
    with https_and_http(tmp_path, Site, site((404, "", {}), **plain_author)) as (
            secure, plain), within(30, "the HTTP checks"):
        Site.pages = {"/?author=1": (301, "", {"Location": plain + "/?author=1"})}
        try:
            found, notes = wordpress.site_findings(secure, [], 5, wordpress.context_for(False))
        finally:
            Site.pages = {}
    assert [f["kind"] for f in found] == ["wordpress_xmlrpc"]
    assert [n["message"] for n in notes] == [
        f"Nama login lewat ?author=1 situs {secure} tidak dapat diuji dari sini: dialihkan "
        f"ke http tanpa TLS: {plain}/?author=***"]  # masked as a credential would be


def test_an_xmlrpc_answer_sent_without_end_keeps_the_time_limit():
    class Slow(Site):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            send_slowly(self, b"<", 0.2)

    with serving(Slow) as url, within(15, "the HTTP checks"):
        found, _notes = wordpress.site_findings(url, [], 1, CONTEXT)
    assert found[0]["message"] == (f"Situs {url} tidak dapat dihubungi untuk uji WordPress: "
                                   "no complete answer within 3 s (sent too slowly)")


def test_a_hostile_xmlrpc_answer_of_blanks_is_judged_at_once():
    """'<value>' and 64 KiB of blanks (what the probe reads at most) cost the method
    search half a minute: its two runs of blanks were tried at every split. Listing no
    method, such an answer cannot tell (it was judged closed)."""
    for body in ["<methodResponse><value>" + " " * wordpress.XMLRPC_BYTES,
                 "<methodResponse><value>wp.x" + " " * wordpress.XMLRPC_BYTES,
                 method_response([])]:
        answer = {"status": 200, "body": body, "location": None, "error": None, "url": "u"}
        with within(3, "the XML-RPC answer's judgement"):
            assert wordpress.xmlrpc_verdict(answer, "u") == ([], [{
                "kind": "wordpress_xmlrpc", "count": 1, "samples": [],
                "message": "xmlrpc.php situs u tidak dapat dinilai: HTTP 200, "
                           "bukan jawaban XML-RPC"}])


# --- Files found in the web root, asked from the site ---------------------------------

def planted(tmp_path: Path) -> tuple[Path, list]:
    root = installation(tmp_path)
    (root / "wp-config.php").write_text(CONFIG)
    (root / "wp-config.php").chmod(0o640)
    for name in ["wp-config.php.bak", "wp-config.php~", "wp-config.php.save", "wp-config.php.old"]:
        (root / name).write_text(CONFIG)
    (root / "wp-content" / "debug.log").write_text("")
    return root, wordpress.config_copies(str(root)) + wordpress.debug_logs([str(root)], [])


def test_files_in_the_web_root_served_or_refused_by_the_site(tmp_path):
    """Copies of wp-config.php and debug.log were findings by name even where the web
    server refuses them; now the site is asked (one byte, kept nowhere)."""
    root, exposed = planted(tmp_path)
    answers = site((404, "", {}),
                   **{"/wp-config.php.bak": (200, CONFIG, {}),  # a server ignoring the range
                      "/wp-config.php~": (403, "<html>403</html>", {}),
                      "/wp-config.php.save": (302, "", {"Location": "/"}),
                      "/wp-config.php.old": (500, "", {}),
                      # an empty log: no first byte to send, served all the same
                      "/wp-content/debug.log": (416, "", {"Content-Range": "bytes */0"})})
    with serving(answers) as url, within(30, "the HTTP checks"):
        found, notes = wordpress.site_findings(url + "/", exposed, 5, CONTEXT)
    # the site's files asked for their first byte, then ?author=1 and the REST API's users
    assert [asked[1] for asked in answers.asked[:5]] == ["bytes=0-0"] * 5
    assert [asked[1] for asked in answers.asked[5:]] == [None, None]
    served = "disajikan sebagai teks biasa, kata sandi database dapat terbaca publik"
    assert [f["message"] for f in found if f["kind"] == "wordpress_exposed"] == [
        f"Salinan konfigurasi WordPress {root}/wp-config.php.bak ada di web root: {served}; "
        f"{url}/wp-config.php.bak menjawab HTTP 200",
        f"Salinan konfigurasi WordPress {root}/wp-config.php.old ada di web root: {served}; "
        f"tidak dapat dipastikan lewat {url}/wp-config.php.old: HTTP 500",
        f"Log debug WordPress {root}/wp-content/debug.log (0 bita) ada di web root dan dapat "
        f"diunduh publik (WP_DEBUG_LOG); {url}/wp-content/debug.log menjawab HTTP 416"]
    assert [n["message"] for n in notes] == [
        f"Salinan konfigurasi WordPress {root}/wp-config.php.save ada di web root, tetapi web "
        f"server menolak menyajikannya ({url}/wp-config.php.save: dialihkan ke {url}/); "
        "sebaiknya dihapus",
        f"Salinan konfigurasi WordPress {root}/wp-config.php~ ada di web root, tetapi web "
        f"server menolak menyajikannya ({url}/wp-config.php~: HTTP 403); sebaiknya dihapus"]


def test_the_module_asks_the_site_only_with_site_url_and_keeps_no_body(tmp_path):
    root, _exposed = planted(tmp_path)
    (root / "wp-content" / "debug.log").unlink()
    args = {"roots": [str(root)], "plugin_dirs": [], "apt_package": "", "web_user": ""}
    rc, result = run_module("security_wordpress", tmp_path, args)
    assert rc == 0 and result["notes"] == [] and len(result["findings"]) == 4
    assert all(f["message"].endswith("kata sandi database dapat terbaca publik")
               for f in result["findings"])
    answers = site((404, "", {}), **{"/wp-config.php.bak": (200, CONFIG, {}),
                                     "/wp-config.php~": (403, "", {}),
                                     "/wp-config.php.save": (404, "", {}),
                                     "/wp-config.php.old": (206, CONFIG[:1], {})})
    with serving(answers) as url:
        rc, result = run_module("security_wordpress", tmp_path, {**args, "site_url": url})
    assert rc == 0 and len(result["findings"]) == 2 and len(result["notes"]) == 2
    assert result["sop_output"]["notes"][0].startswith(
        f"wordpress_exposed: Salinan konfigurasi WordPress {root}/wp-config.php.save ada di web "
        "root, tetapi")
    assert "rahasia" not in json.dumps(result)


def test_a_root_served_at_its_own_address_is_asked_there(tmp_path):
    """Every root was asked at site_url: a second site's root answered 404 there, its
    served wp-config.php copy a note "refused". Now root_urls gives a root its address,
    and a 404 note names the root and the address it was asked at."""
    main, blog = installation(tmp_path / "main"), installation(tmp_path / "blog")
    (blog / "wp-config.php.bak").write_text(CONFIG)
    exposed = wordpress.config_copies(str(main)) + wordpress.config_copies(str(blog))
    blog_site = site((404, "", {}), **{"/wp-config.php.bak": (200, CONFIG, {})})
    with serving(site((404, "", {}))) as url, serving(blog_site) as blog_url, \
            within(30, "the HTTP checks"):
        found, notes = wordpress.site_findings(url, exposed, 5, CONTEXT)
        assert found == [] and [n["message"] for n in notes] == [
            f"Salinan konfigurasi WordPress {blog}/wp-config.php.bak ada di web root, tetapi web "
            f"server menolak menyajikannya ({url}/wp-config.php.bak: HTTP 404); sebaiknya "
            f"dihapus; bila root {blog} tidak dilayani di {url}/, tetapkan alamatnya di root_urls"]
        bases = common.root_bases({str(blog) + "/": blog_url}, [str(main), str(blog)])
        found, notes = wordpress.site_findings(url, exposed, 5, CONTEXT, bases)
    assert notes == [] and [f["message"] for f in found] == [
        exposed[0].message + f"; {blog_url}/wp-config.php.bak menjawab HTTP 200"]


@pytest.mark.parametrize(("root_urls", "site_url", "msg"), [
    ({"/srv/other": "https://blog.example/"}, "https://pn.example/",
     "root_urls: /srv/other is not one of roots ({root})"),
    ({"{root}": "https://blog.example/?x=1"}, "https://pn.example/",
     "root_urls[{root}]: 'https://blog.example/?x=1': expected the site's address without "
     "credentials, query or fragment"),
    ({"{root}": "blog.example"}, "https://pn.example/",
     "root_urls[{root}]: 'blog.example' is not an http(s) URL with a host"),
    ({"{root}": "https://blog.example/"}, "",
     "root_urls: needs site_url (the site xmlrpc.php and the user names are asked at; the "
     "HTTP checks run only with it)"),
])
def test_a_wrong_root_url_fails_in_one_line_naming_it(tmp_path, root_urls, site_url, msg):
    root = str(installation(tmp_path))
    rc, result = run_module("security_wordpress", tmp_path, {
        "roots": [root], "plugin_dirs": [], "apt_package": "", "web_user": "",
        "site_url": site_url,
        "root_urls": {key.format(root=root): url for key, url in root_urls.items()}})
    assert (rc, result["msg"]) == (1, msg.format(root=root))


@pytest.mark.parametrize(("site_url", "root_url"), [
    ("https://pn.example/", "https://court:s3cretpw@blog.example/"),
    ("https://court:s3cretpw@pn.example/", "https://blog.example/"),
])
def test_a_refused_address_s_credentials_are_not_in_the_result(tmp_path, site_url, root_url):
    # the message masked them, the invocation echoed the module's arguments as given
    root = str(installation(tmp_path))
    rc, result = run_module("security_wordpress", tmp_path, {
        "roots": [root], "plugin_dirs": [], "apt_package": "", "web_user": "",
        "site_url": site_url, "root_urls": {root: root_url}})
    assert rc == 1 and "***@" in result["msg"]
    assert "s3cretpw" not in json.dumps(result)


def test_an_unreachable_site_leaves_the_files_found_on_disk_as_findings(tmp_path):
    _root, exposed = planted(tmp_path)
    with serving(site((200, "", {}))) as url:
        pass  # its port is free again
    found, notes = wordpress.site_findings(url, exposed, 2, CONTEXT)
    assert notes == []
    assert [f["kind"] for f in found] == ["wordpress_unreachable"] + ["wordpress_exposed"] * 5
    assert found[1]["message"] == exposed[0].message


# --- WP_DEBUG_LOG set to a file ---------------------------------------------------------

def test_a_debug_log_set_to_a_file_in_the_web_root_is_looked_for(tmp_path):
    """define('WP_DEBUG_LOG', '/var/www/site/wp-content/logs/dbg.log') was not followed:
    only wp-content/debug.log was looked for."""
    root = installation(tmp_path)
    logs = root / "wp-content" / "logs"
    logs.mkdir()
    outside = tmp_path / "var-log" / "wordpress.log"
    outside.parent.mkdir()
    for path in [logs / "dbg.log", root / "rel.log", outside, root / "wp-content" / "debug.log"]:
        path.write_text("PHP Notice: x\n")
    (root / "wp-config.php").write_text(
        CONFIG + f"define( 'WP_DEBUG', true );\ndefine( 'WP_DEBUG_LOG', '{logs}/dbg.log' );\n"
        f"// define( \"WP_DEBUG_LOG\", '{outside}' );\n"
        "define( 'WP_DEBUG_LOG', true );\ndefine( 'WP_DEBUG_LOG', \"rel.log\" );\n"
        "define( 'WP_DEBUG_LOG', \"$dir/x.log\" );\n"
        f"define( 'WP_DEBUG_LOG', '{root}/wp-content/../wp-content/debug.log' );\n")
    found = wordpress.debug_logs([str(root)], [])
    assert [(item.path, item.web) for item in found] == [
        (f"{root}/wp-content/debug.log", "wp-content/debug.log"),
        (f"{logs}/dbg.log", "wp-content/logs/dbg.log"),
        (f"{root}/rel.log", "rel.log")]
    assert found[1].message == (f"Log debug WordPress {logs}/dbg.log (14 bita) ada di web root dan "
                                "dapat diunduh publik (WP_DEBUG_LOG)")
    answers = site((404, "", {}), **{"/wp-content/logs/dbg.log": (206, "P", {})})
    with serving(answers) as url, within(30, "the HTTP checks"):
        found, _notes = wordpress.site_findings(url, found, 5, CONTEXT)
    assert found[0]["message"].endswith(f"{url}/wp-content/logs/dbg.log menjawab HTTP 206")


def test_a_crafted_debug_log_setting_or_a_relative_root_raises_nothing(tmp_path, monkeypatch):
    """A WP_DEBUG_LOG holding a NUL (a configuration the site's account wrote) raised
    ValueError from os.stat; a relative root, its setting outside it, raised ValueError
    mixing absolute and relative paths: a traceback, not a report."""
    root = installation(tmp_path)
    (root / "wp-config.php").write_bytes(b"<?php define('WP_DEBUG_LOG', '/srv/a\0b.log');\n"
                                         b"define('WP_DEBUG_LOG', '../outside.log');\n"
                                         b"define('WP_DEBUG_LOG', 'in.log');\n")
    (tmp_path / "outside.log").write_text("x")
    (root / "in.log").write_text("x")
    monkeypatch.chdir(tmp_path)
    for roots in [[str(root)], [root.name]]:
        assert [(item.path, item.web) for item in wordpress.debug_logs(roots, [])] == [
            (str(root / "in.log"), "in.log")]


def test_a_debug_log_under_debians_served_wp_content_by_its_link(tmp_path):
    root = installation(tmp_path)
    (root / "wp-content").rmdir()
    debian = tmp_path / "var-lib-wordpress" / "wp-content"
    (debian / "plugins").mkdir(parents=True)
    (root / "wp-content").symlink_to(debian)
    (debian / "log.txt").write_text("x")
    (root / "wp-config.php").write_text(
        f"<?php define('WP_DEBUG_LOG', '{root}/wp-content/log.txt');\n")
    found = wordpress.debug_logs([str(root)], [str(debian / "plugins")])
    assert [(item.path, item.web) for item in found] == [
        (str(debian / "log.txt"), "wp-content/log.txt")]


# --- Who may read or replace the configuration: ACLs and its folder -------------------

# The entries' tags, and the id of those that name no user or group.
USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
NONE = 0xFFFFFFFF


def acl(*entries: tuple[int, int, int]) -> bytes:
    """An access ACL in the form Linux keeps it (linux/posix_acl_xattr.h)."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


def test_acls_are_parsed_and_applied_as_the_kernel_does():
    web, other, group = 4242, 4343, 4444
    info = os.stat_result((0o100640, 0, 0, 1, 0, 0, 0, 0, 0, 0))
    base = [(USER_OBJ, 6, NONE), (GROUP_OBJ, 4, NONE)]
    other_none = (OTHER, 0, NONE)
    entries = wordpress.parse_acl(acl(*base, (USER, 6, web), (MASK, 6, NONE),
                                      other_none))
    assert entries is not None and wordpress.writable_by(info, web, set(), entries)
    assert not wordpress.writable_by(info, other, set(), entries)
    # the mask limits a named entry
    masked = wordpress.parse_acl(acl(*base, (USER, 6, web), (MASK, 4, NONE),
                                     other_none))
    assert not wordpress.writable_by(info, web, set(), masked)
    # in a group whose entry refuses it: refused, whatever the others' entry grants
    grouped = wordpress.parse_acl(acl(*base, (GROUP, 4, group), (MASK, 6, NONE),
                                      (OTHER, 6, NONE)))
    assert not wordpress.writable_by(info, web, {group}, grouped)
    assert wordpress.writable_by(info, web, {group + 1}, grouped)
    # the mask ---, so the mode's group bits none (0606): the kernel reads no ACL, and the
    # named user, in no group of the file, gets the others' rw- (it was judged refused)
    unmasked = os.stat_result((0o100606, 0, 0, 1, 0, 0, 0, 0, 0, 0))
    closed = wordpress.parse_acl(acl(*base, (USER, 6, web), (MASK, 0, NONE), (OTHER, 6, NONE)))
    assert wordpress.writable_by(unmasked, web, set(), closed)
    assert not wordpress.writable_by(unmasked, web, {0}, closed)
    for bad in [b"", acl()[:3], struct.pack("<I", 1) + acl()[4:], acl(other_none)[:-1]]:
        assert wordpress.parse_acl(bad) is None


def set_acl(path: Path, raw: bytes) -> None:
    try:
        os.setxattr(path, "system.posix_acl_access", raw)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            pytest.skip(f"no POSIX ACLs on {path.parent}")
        raise


def test_acl_entries_letting_others_read_or_the_web_server_write_are_findings(tmp_path):
    """ACLs were not read: a 0640 wp-config.php with user:backup:r-- or user:www-data:rw-
    looked hardened."""
    root = installation(tmp_path)
    config = root / "wp-config.php"
    config.write_text(CONFIG)
    config.chmod(0o640)
    web = ("www-data", os.getuid() + 4242, {os.getgid() + 4242})
    reader = os.getuid() + 4343
    assert wordpress.config_findings([str(config)], web) == []
    set_acl(config, acl((USER_OBJ, 6, NONE), (USER, 4, reader),
                        (USER, 6, web[1]), (GROUP_OBJ, 4, NONE),
                        (GROUP, 4, next(iter(web[2]))), (MASK, 6, NONE),
                        (OTHER, 0, NONE)))
    assert oct(os.stat(config).st_mode & 0o777) == "0o660"  # the group bits are the mask
    found = wordpress.config_findings([str(config)], web)
    mode = f"0660, {wordpress.owner(os.stat(config))}"
    assert [f["message"] for f in found] == [
        f"Konfigurasi WordPress {config} berisi kata sandi database dan dapat dibaca lewat ACL "
        f"oleh user:{reader} ({mode})",
        f"Konfigurasi WordPress {config} dapat diubah oleh akun web server www-data ({mode}); "
        "cukup dapat dibaca"]
    assert found[0]["samples"] == [f"user:{reader}"]


def test_file_systems_without_acls_leave_the_mode_bits_to_decide(tmp_path, monkeypatch):
    root = installation(tmp_path)
    config = root / "wp-config.php"
    config.write_text(CONFIG)
    config.chmod(0o644)

    def unsupported(*_: object) -> bytes:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "getxattr", unsupported)
    args = {"roots": [str(root)], "plugin_dirs": [], "apt_package": "", "web_user": "nobody"}
    rc, result = run_module("security_wordpress", tmp_path, args)
    assert rc == 0 and [f["message"].split(" (")[0] for f in result["findings"]] == [
        f"Konfigurasi WordPress {config} berisi kata sandi database dan dapat dibaca semua "
        "pengguna"]
    assert wordpress.read_acl(str(config)) is None
    monkeypatch.delattr(os, "getxattr")  # a platform without extended attributes
    assert wordpress.read_acl(str(config)) is None
    assert len(wordpress.config_findings([str(config)], None)) == 1


def test_a_configuration_in_a_folder_the_web_server_can_write_can_be_replaced(tmp_path):
    """Its folder's write access was not read: the web server's account may rename a
    root-owned 0640 wp-config.php away and put its own in place."""
    root = installation(tmp_path)
    config = root / "wp-config.php"
    config.write_text(CONFIG)
    config.chmod(0o640)
    web = ("www-data", os.getuid() + 4242, {os.getgid() + 4242})
    root.chmod(0o755)
    assert wordpress.config_findings([str(config)], web) == []
    root.chmod(0o757)
    found = wordpress.config_findings([str(config)], web)
    assert [f["message"] for f in found] == [
        f"Konfigurasi WordPress {config} dapat diganti oleh akun web server www-data: folder "
        f"{root} dapat ditulisnya"]
    root.chmod(0o1777)  # sticky: another's file stays
    assert wordpress.config_findings([str(config)], web) == []
    root.chmod(0o755)
    set_acl(root, acl((USER_OBJ, 7, NONE), (GROUP_OBJ, 5, NONE),
                      (GROUP, 7, next(iter(web[2]))), (MASK, 7, NONE),
                      (OTHER, 5, NONE)))
    assert len(wordpress.config_findings([str(config)], web)) == 1
    # Debian's wp-config.php is a link: the folder of the file it leads to counts too
    etc = tmp_path / "etc-wordpress"
    etc.mkdir(mode=0o755)
    root.chmod(0o755)
    os.removexattr(root, "system.posix_acl_access")
    (etc / "wp-config.php").write_text(CONFIG)
    (etc / "wp-config.php").chmod(0o640)
    config.unlink()
    config.symlink_to(etc / "wp-config.php")
    assert wordpress.config_findings([str(config)], web) == []
    etc.chmod(0o757)
    found = wordpress.config_findings([str(config)], web)
    assert found[0]["message"].endswith(f"folder {etc} dapat ditulisnya")
