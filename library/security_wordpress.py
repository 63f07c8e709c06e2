#!/usr/bin/python
# GPL-3.0-or-later
"""WordPress core and plugin versions against the versions available, and the hardening
courts' WordPress sites commonly miss."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_wordpress
short_description: Report outdated WordPress core and plugins and missing WordPress hardening
description:
  - Reads the core version of each WordPress installation under O(roots)
    (C(wp-includes/version.php)) and the version header of each plugin under the
    C(wp-content/plugins) folders of those roots and O(plugin_dirs).
  - The core of Debian's C(wordpress) package is compared with apt's candidate
    (C(apt-cache policy wordpress), from the court's configured mirrors, which may be a
    local repository); any core is compared with O(available.core) when given.
  - Plugins are compared with O(available.plugins), a list the court keeps (offline) or
    fills from U(https://api.wordpress.org/plugins/info/1.2/?action=plugin_information&request[slug]=SLUG)
    where it has internet. A plugin not in the list is reported as C(unlisted), not as current;
    one without a C(Version) header as C(unknown).
  - "Hardening of each installation found under O(roots): its configuration (C(wp-config.php),
    or the one a folder up, as WordPress looks; with Debian's package the
    C(/etc/wordpress/config-*.php) files its C(wp-config.php) reads) holding the database
    password (C(DB_PASSWORD)) must not be readable by other users (mode o+r) nor writable by
    O(web_user) (owner, group or other bits as the kernel applies them; ACLs are not read):
    WordPress only reads it. A copy of C(wp-config.php) in the web root (C(wp-config.php.bak),
    C(.old), C(.orig), C(.save), C(.backup), C(.tmp), C(.txt), C(~), an editor's
    C(.wp-config.php.swp) or C(.swo)) is served as plain text, since only names ending in
    C(.php) run as PHP; so is C(debug.log) (C(WP_DEBUG_LOG)) in a root's C(wp-content) or the
    C(wp-content) holding a folder of O(plugin_dirs) (Debian's package serves
    C(/var/lib/wordpress/wp-content) as C(/wp-content)): each present is a finding."
  - >-
    With O(site_url), three GET requests to the site: C(xmlrpc.php) answering (password
    guessing many at a time through C(system.multicall), pingbacks), C(?author=1) redirecting to
    C(/author/LOGIN/) and C(?rest_route=/wp/v2/users) listing users (both give away login
    names). A site that does not answer is a finding too (C(wordpress_unreachable)).
  - Reports only; never changes anything (the HTTP checks only read).
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  roots:
    description: WordPress installations (folders holding C(wp-includes)); missing ones are skipped.
    type: list
    elements: path
    default: [/usr/share/wordpress, /var/www/html]
  plugin_dirs:
    description: Further plugin folders (Debian's package keeps them in C(/var/lib/wordpress/wp-content/plugins)).
    type: list
    elements: path
    default: [/var/lib/wordpress/wp-content/plugins]
  available:
    description:
      - >-
        Versions available, C({core: "6.4.3", plugins: {akismet: "5.3.1"}}) (plugin
        folder name, the wordpress.org slug, to version). Versions are quoted text: a
        number (YAML reads C(6.10) as 6.1) is refused.
    type: dict
    default: {}
  apt_package:
    description: Debian's package of the WordPress core; empty to skip apt.
    type: str
    default: wordpress
  timeout:
    description: Seconds C(apt-cache policy) may take; a hung one is stopped and fails the
      module naming it.
    type: int
    default: 60
  web_user:
    description: The web server's account (PHP runs as it); a configuration it can write is a
      finding. Empty to skip; an account the host does not have fails the module naming it
      when there is a configuration to judge (a host without WordPress needs none).
    type: str
    default: www-data
  site_url:
    description: The site's address (http or https, no query or credentials) for the HTTP
      checks (C(xmlrpc.php), user enumeration); empty to skip them.
    type: str
    default: ""
  validate_certs:
    description: Verify the site's certificate (against the system's trust store) for the HTTP checks.
    type: bool
    default: true
  http_timeout:
    description: Seconds each wait of an HTTP check may take; one answer (its redirects
      included) takes at most three times this.
    type: float
    default: 10
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: WordPress core and plugins against the court's list
  security_wordpress:
    available:
      core: "6.4.3"
      plugins: {akismet: "5.3.1", contact-form-7: "5.9"}
  register: wordpress

- name: Also the site's xmlrpc.php and user enumeration, over HTTPS from the host itself
  security_wordpress:
    site_url: https://pn-contoh.go.id/
    web_user: www-data
"""

RETURN = r"""
core:
  description: Each core found (root, version, available, source of the available version).
  returned: success
  type: list
  elements: dict
plugins:
  description:
    - Each plugin found (slug, path, version, available, status).
    - Status C(current), C(outdated), C(unlisted) (not in O(available)) or C(unknown) (no
      Version header, so it cannot be compared).
  returned: success
  type: list
  elements: dict
apt:
  description: The O(apt_package) versions apt-cache policy gives, C(installed) and
    C(candidate) (null when apt-cache or the package is missing).
  returned: success
  type: dict
findings:
  description:
    - Findings of kind C(wordpress_core) and C(wordpress_plugin) (versions),
      C(wordpress_config) (a configuration others can read or the web server can change),
      C(wordpress_exposed) (a C(wp-config.php) copy or C(debug.log) served from the web root),
      C(wordpress_xmlrpc), C(wordpress_users) (login names given away) and
      C(wordpress_unreachable) (O(site_url) did not answer).
  returned: success
  type: list
  elements: dict
site:
  description: O(site_url) as checked (credentials masked), null when the HTTP checks were skipped.
  returned: success
  type: str
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import glob  # noqa: E402
import grp  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import re  # noqa: E402
import ssl  # noqa: E402
import stat  # noqa: E402
import urllib.parse  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_http import context_for, fetch, redirect_target, redirects, url_error  # noqa: E402
from ansible.module_utils.sop_secrets import mask_url  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    SecurityInputError,
    finding,
    summary,
    version_key,
)
from ansible.module_utils.sop_server import apt_policy  # noqa: E402
from ansible.module_utils.sop_tree import read_start  # noqa: E402
from ansible.module_utils.sop_website_cms import DEBIAN_WP_ETC, parse_wordpress  # noqa: E402

WP_VERSION = re.compile(r"""^\$wp_version\s*=\s*['"]([^'"]+)['"]""", re.M)
# As WordPress's get_file_data: a header may follow '<?php' on its line, its first
# occurrence counts, and a closing '*/' or '?>' and what follows are cut off.
HEADERS = {key: re.compile(r"^(?:[ \t]*<\?php)?[ \t/*#@]*" + re.escape(key) + r":(.*)$", re.M | re.I)
           for key in ("Plugin Name", "Version")}
HEADER_END = re.compile(r"\s*(?:\*/|\?>).*")
# WordPress reads a plugin's headers from the first 8 KiB of its main file.
HEADER_BYTES = 8192
# wp-includes/version.php is about 1 KiB; its $wp_version line is near the top.
VERSION_BYTES = 64 << 10
# A wp-config.php is a few KiB; its settings are read from this much of it.
CONFIG_BYTES = 1 << 20
# Copies of wp-config.php editors and admins leave beside it (a hand-made .bak, nano's
# .save, emacs's ~, vim's .wp-config.php.swp): the web server serves them as plain text,
# since only a name ending in .php runs as PHP.
CONFIG_COPY = re.compile(
    r"^\.?wp-config\.php(?:~|\.(?:bak|backup|old|orig|save|swp|swo|tmp|txt))$", re.I)
# What xmlrpc.php answers a GET with while it serves XML-RPC (POST) requests.
XMLRPC_ANSWER = "XML-RPC server accepts POST requests only"
# An author archive's address, where WordPress redirects ?author=N.
AUTHOR_PATH = re.compile(r"/author/([^/?#]+)")
# Login names a site gives away shown in a finding, each at most NAME_CHARS long.
NAMES_SHOWN = 10
NAME_CHARS = 64


def read_text(path: str, limit: int) -> str | None:
    """The first ``limit`` bytes of a regular file (links followed, as WordPress does);
    None when it cannot be read or is not a regular file: a FIFO the site's account put
    in place of a plugin is not waited for."""
    try:
        start, _size = read_start(path, limit, follow=True)
    except OSError:
        return None
    return start.decode("utf-8", "replace")


def core_version(root: str) -> str | None:
    text = read_text(os.path.join(root, "wp-includes", "version.php"), VERSION_BYTES)
    match = WP_VERSION.search(text or "")
    return match[1] if match else None


def plugin_headers(path: str) -> dict[str, str]:
    text = read_text(path, HEADER_BYTES) or ""
    headers = {}
    for key, pattern in HEADERS.items():
        match = pattern.search(text)
        value = HEADER_END.sub("", match[1]).strip() if match else ""
        if value:
            headers[key.lower()] = value
    return headers


def plugins_in(folder: str) -> list[dict[str, Any]]:
    """Plugins of a plugins folder: each sub-folder's PHP file with a Plugin Name header,
    and single-file plugins (hello.php)."""
    found = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    for entry in entries:
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            try:  # the site's account may have removed or replaced it meanwhile
                candidates = [os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".php")]
            except OSError:
                continue
        else:
            candidates = [path] if entry.endswith(".php") else []
        for candidate in candidates:
            headers = plugin_headers(candidate)
            if "plugin name" in headers:
                found.append({"slug": entry.removesuffix(".php"), "path": candidate,
                              "version": headers.get("version", "")})
                break
    return found


def parse_policy(text: str) -> tuple[str | None, str | None]:
    """(installed, candidate) of `apt-cache policy PACKAGE`; None for '(none)'."""
    values = dict(re.findall(r"^\s+(Installed|Candidate):\s*(\S+)", text, re.M))
    return (None if values.get("Installed", "(none)") == "(none)" else values["Installed"],
            None if values.get("Candidate", "(none)") == "(none)" else values["Candidate"])


def version_text(where: str, value: Any) -> str:
    """A version of O(available) as text; a YAML number is refused: by then 6.10 is 6.1."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise SecurityInputError(f"{where} {value!r} is a number: write the version quoted "
                                 "(YAML reads 6.10 as the number 6.1)")
    raise SecurityInputError(f"{where}: expected a version, not {type(value).__name__}")


def available_versions(available: dict[str, Any]) -> dict[str, Any]:
    """O(available) with every version as text (version_text), checked before any use."""
    plugins = available.get("plugins") or {}
    if not isinstance(plugins, dict):
        raise SecurityInputError("available.plugins: expected a mapping of plugin folder "
                                 "name to version")
    core = available.get("core")
    return {"core": version_text("available.core", core) if core else None,
            "plugins": {str(slug): version_text(f"available.plugins.{slug}", version)
                        for slug, version in plugins.items()}}


def older(version: str, available: str) -> bool:
    return bool(version) and version_key(version) < version_key(available)


def assess(cores: list[dict[str, Any]], plugins: list[dict[str, Any]], available: dict[str, Any],
           apt: tuple[str | None, str | None]) -> list[dict[str, Any]]:
    """Fill in what is available and return the findings."""
    findings = []
    installed, candidate = apt
    if installed and candidate and installed != candidate:
        findings.append(finding("wordpress_core", f"Paket WordPress {installed} belum diperbarui ke {candidate}"))
    for core in cores:
        core["available"] = available.get("core") or None
        if core["available"] and older(core["version"], core["available"]):
            findings.append(finding("wordpress_core", f"WordPress {core['version']} di {core['root']} lebih lama "
                                    f"dari versi tersedia {core['available']}"))
    listed = {str(k): str(v) for k, v in (available.get("plugins") or {}).items()}
    outdated = []
    for plugin in plugins:
        plugin["available"] = listed.get(plugin["slug"])
        plugin["status"] = ("unlisted" if plugin["available"] is None else
                            "unknown" if not plugin["version"] else
                            "outdated" if older(plugin["version"], plugin["available"]) else "current")
        if plugin["status"] == "outdated":
            outdated.append(f"{plugin['slug']} {plugin['version']} (tersedia {plugin['available']}) di {plugin['path']}")
    if outdated:
        findings.append(finding("wordpress_plugin", f"{len(outdated)} plugin WordPress belum diperbarui: "
                                + "; ".join(outdated), len(outdated), outdated))
    return findings


def config_files(root: str) -> list[str]:
    """The configuration of the installation at ``root`` as WordPress finds it: its
    wp-config.php, else the one a folder up; with Debian's package (a wp-config.php
    reading /etc/wordpress/config-HOST.php) every per-host file there too."""
    config = os.path.join(root, "wp-config.php")
    if not os.path.isfile(config):
        config = os.path.join(os.path.dirname(root.rstrip("/")), "wp-config.php")
        if not os.path.isfile(config):
            return []
    found = [config]
    if f"{DEBIAN_WP_ETC}/config-" in (read_text(config, CONFIG_BYTES) or ""):
        found += sorted(glob.glob(os.path.join(glob.escape(DEBIAN_WP_ETC), "config-*.php")))
    return found


def web_account(name: str) -> tuple[str, int, set[int]] | None:
    """(name, uid, its groups) of the web server's account; None when ``name`` is empty."""
    if not name:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SecurityInputError(f"web_user: this host has no account {name!r} "
                                 "(empty to skip the check)") from None
    return name, entry.pw_uid, set(os.getgrouplist(name, entry.pw_gid))


def writable_by(info: os.stat_result, uid: int, gids: set[int]) -> bool:
    """Whether an account may write the file ``info`` describes, by its mode bits as the
    kernel applies them: the owner's to its owner, else the group's to its members, else
    the others'."""
    if uid == 0:
        return True
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IWUSR)
    if info.st_gid in gids:
        return bool(info.st_mode & stat.S_IWGRP)
    return bool(info.st_mode & stat.S_IWOTH)


def owner(info: os.stat_result) -> str:
    try:
        user = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        user = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return f"{user}:{group}"


def config_findings(paths: list[str], web: tuple[str, int, set[int]] | None) -> list[dict[str, Any]]:
    """A configuration holding the database password that others can read, or that the
    web server's account can change (WordPress only reads it)."""
    findings = []
    for path in paths:
        text = read_text(path, CONFIG_BYTES)
        if text is None or "DB_PASSWORD" not in parse_wordpress(text):
            continue
        try:
            info = os.stat(path)
        except OSError:  # removed meanwhile
            continue
        mode = f"{stat.S_IMODE(info.st_mode):04o}, {owner(info)}"
        if info.st_mode & stat.S_IROTH:
            findings.append(finding("wordpress_config", f"Konfigurasi WordPress {path} berisi kata sandi "
                                    f"database dan dapat dibaca semua pengguna ({mode})"))
        if web is not None and writable_by(info, web[1], web[2]):
            findings.append(finding("wordpress_config", f"Konfigurasi WordPress {path} dapat diubah oleh "
                                    f"akun web server {web[0]} ({mode}); cukup dapat dibaca"))
    return findings


def exposed_findings(root: str) -> list[dict[str, Any]]:
    """Copies of wp-config.php in the web root, which the web server serves as plain text."""
    findings = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(root, name)
        if CONFIG_COPY.match(name) and os.path.isfile(path):
            findings.append(finding("wordpress_exposed", f"Salinan konfigurasi WordPress {path} ada di web root: "
                                    "disajikan sebagai teks biasa, kata sandi database dapat terbaca publik"))
    return findings


def content_dirs(roots: list[str], plugin_dirs: list[str]) -> list[str]:
    """The wp-content folders the site serves: each root's, and the one holding each of
    ``plugin_dirs`` (Debian's package serves /var/lib/wordpress/wp-content as /wp-content)."""
    dirs = [os.path.join(root, "wp-content") for root in roots]
    dirs += [os.path.dirname(folder.rstrip("/")) for folder in plugin_dirs
             if os.path.basename(folder.rstrip("/")) == "plugins"]
    return list(dict.fromkeys(os.path.realpath(folder) for folder in dirs))


def debug_log_findings(folder: str) -> list[dict[str, Any]]:
    """The debug log WP_DEBUG_LOG writes in wp-content, served publicly with it."""
    log = os.path.join(folder, "debug.log")
    try:
        info = os.stat(log)
    except OSError:  # none, the usual case
        return []
    if not stat.S_ISREG(info.st_mode):
        return []
    return [finding("wordpress_exposed", f"Log debug WordPress {log} ({info.st_size} bita) "
                    "ada di web root dan dapat diunduh publik (WP_DEBUG_LOG)")]


def site_url_error(url: str) -> str | None:
    """Why ``url`` cannot be the site the HTTP checks ask (one line naming the option)."""
    error = url_error(url)
    if error is None:
        parts = urllib.parse.urlsplit(url)
        if parts.username is not None or parts.query or parts.fragment:
            error = f"{mask_url(url)!r}: expected the site's address without credentials, query or fragment"
    return f"site_url: {error}" if error else None


def shown_names(names: list[str]) -> str:
    more = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + (f" dan {more} lainnya" if more > 0 else "")


def author_login(base: str, timeout: float, context: ssl.SSLContext) -> str | None:
    """The login ?author=1 is redirected to (/author/LOGIN/), following the site's other
    redirects (to HTTPS, to its www. name) until there."""
    def to_author(target: str) -> re.Match[str] | None:
        return AUTHOR_PATH.search(urllib.parse.urlsplit(target).path)

    chain = redirects(base + "?author=1", timeout, context, follow=lambda _old, new: to_author(new) is None)
    for answer in chain:
        match = to_author(redirect_target(answer) or "")
        if match:
            return urllib.parse.unquote(match[1])[:NAME_CHARS]
    return None


def rest_users(base: str, timeout: float, context: ssl.SSLContext) -> list[str]:
    """The user names (slugs) the REST API lists to anyone."""
    answer = fetch(base + "?rest_route=/wp/v2/users", timeout, context, limit=1 << 20)
    if answer["status"] != 200:
        return []
    try:
        users = json.loads(answer["body"])
    except ValueError:
        return []
    if not isinstance(users, list):
        return []
    return [str(user["slug"])[:NAME_CHARS] for user in users if isinstance(user, dict) and user.get("slug")]


def site_findings(url: str, timeout: float, context: ssl.SSLContext) -> list[dict[str, Any]]:
    """xmlrpc.php answering and login names given away (?author=1, the REST API's users)."""
    shown = mask_url(url)
    base = url if url.endswith("/") else url + "/"
    xmlrpc = fetch(base + "xmlrpc.php", timeout, context, limit=4096)
    if xmlrpc["status"] < 0:
        return [finding("wordpress_unreachable", f"Situs {shown} tidak dapat dihubungi untuk uji WordPress: "
                        f"{xmlrpc['error']}")]
    findings = []
    if XMLRPC_ANSWER in xmlrpc["body"]:
        findings.append(finding("wordpress_xmlrpc", f"xmlrpc.php situs {shown} terbuka: dapat dipakai menebak "
                                "kata sandi secara massal (system.multicall) dan untuk pingback"))
    login = author_login(base, timeout, context)
    if login:
        findings.append(finding("wordpress_users", f"Situs {shown} membuka nama login pengguna: ?author=1 "
                                f"dialihkan ke /author/{login}/", 1, [login]))
    users = rest_users(base, timeout, context)
    if users:
        findings.append(finding("wordpress_users", f"Situs {shown} membuka daftar pengguna lewat REST API "
                                f"(wp/v2/users): {shown_names(users)}", len(users), users))
    return findings


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "roots": {"type": "list", "elements": "path",
                      "default": ["/usr/share/wordpress", "/var/www/html"]},
            "plugin_dirs": {"type": "list", "elements": "path",
                            "default": ["/var/lib/wordpress/wp-content/plugins"]},
            "available": {"type": "dict", "default": {}},
            "apt_package": {"type": "str", "default": "wordpress"},
            "timeout": {"type": "int", "default": 60},
            "web_user": {"type": "str", "default": "www-data"},
            "site_url": {"type": "str", "default": ""},
            "validate_certs": {"type": "bool", "default": True},
            "http_timeout": {"type": "float", "default": 10},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        available = available_versions(p["available"])
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    error = site_url_error(p["site_url"]) if p["site_url"] else None
    if error:
        module.fail_json(msg=error)
    if p["http_timeout"] <= 0:
        module.fail_json(msg="http_timeout must be more than 0 seconds")
    cores = [{"root": root, "version": version} for root in p["roots"]
             if (version := core_version(root)) is not None]
    folders = list(dict.fromkeys(
        [os.path.realpath(os.path.join(root, "wp-content", "plugins")) for root in p["roots"]]
        + [os.path.realpath(folder) for folder in p["plugin_dirs"]]))
    plugins = [plugin for folder in folders for plugin in plugins_in(folder)]
    apt: tuple[str | None, str | None] = (None, None)
    apt_cache = module.get_bin_path("apt-cache") if p["apt_package"] else None
    if apt_cache:
        apt = parse_policy(apt_policy(module, apt_cache, [p["apt_package"]], p["timeout"]))
    findings = assess(cores, plugins, available, apt)
    roots = [core["root"] for core in cores]
    configs = list(dict.fromkeys(path for root in roots for path in config_files(root)))
    try:  # looked up only for a configuration to judge: a host without one may have no www-data
        web = web_account(p["web_user"]) if configs else None
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    findings += config_findings(configs, web)
    findings += [item for root in roots for item in exposed_findings(root)]
    findings += [item for folder in content_dirs(roots, p["plugin_dirs"]) for item in debug_log_findings(folder)]
    if p["site_url"]:
        findings += site_findings(p["site_url"], p["http_timeout"], context_for(p["validate_certs"]))
    module.exit_json(changed=False, core=cores, plugins=plugins, apt={"installed": apt[0], "candidate": apt[1]},
                     site=mask_url(p["site_url"]) or None, findings=findings, sop_output={
                         "wordpress": [f"{c['root']}: {c['version']}" for c in cores],
                         "plugins": list(dict.fromkeys(f"{x['slug']} {x['version'] or '?'} ({x['status']})"
                                                       for x in plugins)),
                         "site": mask_url(p["site_url"]) or None,
                         "findings": summary(findings)})


if __name__ == "__main__":
    main()
