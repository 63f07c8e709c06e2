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
    password (C(DB_PASSWORD)) must not be readable by other users (mode o+r, or a POSIX ACL
    entry naming a user or group other than its owner, its group and O(web_user)) nor
    writable by O(web_user) (its mode bits or ACL as the kernel applies them), nor lie in a
    folder O(web_user) can write (that of its link too), where that account can replace it
    (unless the folder is sticky and neither it nor the file is that account's): WordPress
    only reads it. ACLs are read from the C(system.posix_acl_access) attribute; where the
    system or file system keeps none, the mode bits alone decide."
  - "A copy of C(wp-config.php) in the web root (C(wp-config.php.bak),
    C(.old), C(.orig), C(.save), C(.backup), C(.tmp), C(.txt), C(~), an editor's
    C(.wp-config.php.swp) or C(.swo)) is served as plain text, since only names ending in
    C(.php) run as PHP; so is C(debug.log) (C(WP_DEBUG_LOG)) in a root's C(wp-content) or the
    C(wp-content) holding a folder of O(plugin_dirs) (Debian's package serves
    C(/var/lib/wordpress/wp-content) as C(/wp-content)), and the file a configuration's
    C(WP_DEBUG_LOG) names (a string literal, relative ones from the root) when it lies in a
    root or one of those C(wp-content) folders. Without O(site_url) each present is a finding."
  - >-
    With O(site_url), each such file is asked from the site (its path under the root after
    O(site_url), or after the root's own address in O(root_urls); a GET of its first byte, the body neither kept nor shown): served (2xx, or
    416 for an empty file) or an answer that cannot tell (no answer, 5xx, a redirect down to
    plain http) is a finding; refused (4xx, or a redirect to another path) a note in
    C(notes): it exists, the web server refuses it. C(xmlrpc.php) is asked for its methods by
    a POSTed C(system.listMethods) call (no login, never C(system.multicall)), following
    redirects but never from https down to plain http: methods listed beside the XML-RPC
    server's own C(system.*) ones are a finding naming C(system.multicall) (password guessing
    many at a time) and C(pingback.ping) among them; a fault, 403, 404, 405 or the C(system.*)
    methods alone (a plugin removed the rest) mean closed; any other answer is a note.
    C(?author=1) redirecting to C(/author/LOGIN/) and C(?rest_route=/wp/v2/users) listing
    users give away login names; both follow redirects within the site only (its host
    with or without C(www.), never from https down to plain http): one to another site is
    not followed (the login names of that site are not this one's) and is a note naming
    its host alone, as is one within the site refused for its scheme: neither can tell
    from here. A site that does not answer is a finding too
    (C(wordpress_unreachable)), and the files found are then findings as without O(site_url).
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
        number (YAML reads C(6.10) as 6.1) is refused, with C(setting) C(available).
    type: dict
    default: {}
  apt_package:
    description: Debian's package of the WordPress core; empty to skip apt.
    type: str
    default: wordpress
  timeout:
    description: Seconds C(apt-cache policy) may take; a hung one is stopped and fails the
      module naming it. Above 0 and at most 86400 (one day), else the module fails with
      C(setting) C(timeout).
    type: int
    default: 60
  web_user:
    description: The web server's account (PHP runs as it); a configuration it can write is a
      finding. Empty to skip; an account the host does not have fails the module naming it
      (C(setting) C(web_user)) when there is a configuration to judge (a host without
      WordPress needs none).
    type: str
    default: www-data
  site_url:
    description: The site's address (http or https, no query or credentials) for the HTTP
      checks (the files found in the web root, C(xmlrpc.php), user enumeration); empty to
      skip them. Any other value fails the module with C(setting) C(site_url).
    type: str
    default: ""
  root_urls:
    description:
      - "The address each root of O(roots) is served at where it is not O(site_url)'s
        (several sites on one server, C({/usr/share/wordpress: https://blog.pn-contoh.go.id/})):
        the files found under that root are asked there. A root not named is asked at
        O(site_url), where a root it does not serve answers 404: a note, naming the root
        and that address."
      - Each key one of O(roots), each address as O(site_url)'s; needs O(site_url) (where
        C(xmlrpc.php) and the user names are asked), else the module fails with C(setting)
        C(root_urls).
    type: dict
    default: {}
  validate_certs:
    description: Verify the site's certificate (against the system's trust store) for the HTTP checks.
    type: bool
    default: true
  http_timeout:
    description: Seconds each wait of an HTTP check may take; one answer (its redirects
      included) takes at most three times this.
      Above 0 and at most 86400 (one day), else the module fails with C(setting)
      C(http_timeout).
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
      C(wordpress_config) (a configuration others can read or the web server can change or
      replace), C(wordpress_exposed) (a C(wp-config.php) copy or debug log served from the web
      root), C(wordpress_xmlrpc), C(wordpress_users) (login names given away) and
      C(wordpress_unreachable) (O(site_url) did not answer).
  returned: success
  type: list
  elements: dict
notes:
  description:
    - What is worth knowing but no finding, as findings are written - C(wordpress_exposed) a
      file in the web root that the site refuses to serve, C(wordpress_xmlrpc) an answer of
      C(xmlrpc.php) that cannot tell whether it is open, C(wordpress_users) a user-name check
      redirected to another site (its host) or down to plain http, not followed. Empty
      without O(site_url).
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
import struct  # noqa: E402
import urllib.parse  # noqa: E402
from itertools import islice  # noqa: E402
from typing import Any, NamedTuple  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_http import (  # noqa: E402
    context_for,
    not_followed,
    redirect_target,
    redirects,
    refused_target,
    scheme_followed,
    tls_downgrade,
)
from ansible.module_utils.sop_integrity_content import link_host, page_follows, same_site  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_secrets import mask_data, mask_url, url_secrets  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    WORDPRESS_ROOTS,
    SecurityInputError,
    finding,
    summary,
    version_key,
    with_slash,
    wordpress_settings,
)
from ansible.module_utils.sop_server import apt_policy, installed_and_candidate  # noqa: E402
from ansible.module_utils.sop_tree import read_start  # noqa: E402
from ansible.module_utils.sop_website_cms import (  # noqa: E402
    DEBIAN_WP_ETC,
    CmsError,
    parse_wordpress,
)

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
# WP_DEBUG_LOG set to a file: a string literal (true means wp-content/debug.log, which is
# looked at anyway); a double-quoted one with a variable inside is no literal. The first
# few count: each found in the web root is asked from the site.
DEBUG_LOG_SETTING = re.compile(
    r"""define\(\s*(['"])WP_DEBUG_LOG\1\s*,\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\$]|\\.)*)")\s*\)""")
DEBUG_LOGS_READ = 10
# POSIX ACLs as Linux keeps a file's access ACL in an extended attribute
# (linux/posix_acl_xattr.h): a little-endian version (2), then 8 bytes an entry: its tag
# and permissions (16 bits each) and the user or group id it names (32 bits).
ACL_XATTR = "system.posix_acl_access"
ACL_VERSION = 2
ACL_HEADER = struct.Struct("<I")
ACL_ENTRY = struct.Struct("<HHI")
# Its tags (the owner, a named user, the owning group, a named group, the mask, others)
# and permission bits.
USER_OBJ = 0x01
USER = 0x02
GROUP_OBJ = 0x04
GROUP = 0x08
MASK = 0x10
OTHER = 0x20
READ = 4
WRITE = 2
SEARCH = 1
# The harmless XML-RPC call xmlrpc.php is asked: the names of the methods it serves (no
# login, nothing changed).
XMLRPC_CALL = (b'<?xml version="1.0"?>\n<methodCall><methodName>system.listMethods</methodName>'
               b"<params></params></methodCall>\n")
# An answer's method names (WordPress writes <value><string>NAME</string></value>; a
# <value> without a type is a string too). No two runs of \s* meet: a hostile answer of
# '<value>' and 64 KiB of blanks took the search half a minute (each split tried).
XMLRPC_NAME = re.compile(r"<value>\s*(?:<string>\s*)?([\w.]{1,128})\s*(?:</string>\s*)?</value>")
# The XML-RPC server's own methods, which WordPress lists even when a plugin removed all
# the others: with none beside them there is nothing to log in to or to ping.
XMLRPC_OWN = ("system.getCapabilities", "system.listMethods", "system.multicall")
# The methods attacks use: many passwords tried in one request, and pingbacks.
XMLRPC_ATTACKS = {"system.multicall": "menebak kata sandi secara massal",
                  "pingback.ping": "pingback"}
# What a site serving no XML-RPC answers: denied, no such file, POST not allowed.
XMLRPC_CLOSED = (403, 404, 405)
XMLRPC_BYTES = 64 << 10

# An access ACL's entries (tag, permissions, id); the web server's account (name, uid,
# groups).
Acl = list[tuple[int, int, int]]
Web = tuple[str, int, set[int]]
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


def web_account(name: str) -> Web | None:
    """(name, uid, its groups) of the web server's account; None when ``name`` is empty."""
    if not name:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SecurityInputError(f"web_user: this host has no account {name!r} "
                                 "(empty to skip the check)", "web_user") from None
    return name, entry.pw_uid, set(os.getgrouplist(name, entry.pw_gid))


def parse_acl(raw: bytes) -> Acl | None:
    """The entries (tag, permissions, id) of an access ACL in the form Linux keeps it;
    None for anything else (the kernel keeps no other)."""
    if (len(raw) < ACL_HEADER.size or (len(raw) - ACL_HEADER.size) % ACL_ENTRY.size
            or ACL_HEADER.unpack_from(raw)[0] != ACL_VERSION):
        return None
    return [ACL_ENTRY.unpack_from(raw, offset) for offset in range(ACL_HEADER.size, len(raw), ACL_ENTRY.size)]


def read_acl(path: str) -> Acl | None:
    """The access ACL of ``path`` (links followed); None when it has none beyond its mode
    bits, or the platform or file system keeps none: the mode bits alone then decide."""
    getxattr = getattr(os, "getxattr", None)
    if getxattr is None:  # not Linux
        return None
    try:
        return parse_acl(getxattr(path, ACL_XATTR))
    except OSError:  # ENODATA: no ACL; ENOTSUP: none on this file system
        return None


def mode_acl(info: os.stat_result) -> Acl:
    """The mode bits as the ACL they are (owner, group, others)."""
    return [(USER_OBJ, info.st_mode >> 6 & 7, 0), (GROUP_OBJ, info.st_mode >> 3 & 7, 0),
            (OTHER, info.st_mode & 7, 0)]


def acl_mask(acl: Acl) -> int:
    """What the ACL's mask lets named entries and the group grant (all without a mask)."""
    return next((perm for tag, perm, _id in acl if tag == MASK), 7)


def allowed(info: os.stat_result, acl: Acl | None, uid: int, gids: set[int], want: int) -> bool:
    """Whether an account (``uid`` in ``gids``) gets ``want`` on the file ``info``
    describes, as the kernel decides (posix_acl_permission; the mode bits when ``acl`` is
    None): its owner entry to its owner, else a named user entry within the mask, else
    the group entries it is in (one granting ``want``, within the mask; in one and none
    granting it: refused), else the others' entry. Root may do anything. With no
    group-class bits in the mode (the ACL's mask ---) the kernel reads no ACL
    (acl_permission_check): a named entry then gets the group's or the others' bits."""
    if uid == 0:
        return True
    entries = (acl if info.st_mode & stat.S_IRWXG else None) or mode_acl(info)
    in_group = False
    for tag, perm, ident in entries:
        if tag == USER_OBJ and info.st_uid == uid:
            return (perm & want) == want
        if tag == USER and ident == uid:
            return (perm & acl_mask(entries) & want) == want
        if (tag == GROUP_OBJ and info.st_gid in gids) or (tag == GROUP and ident in gids):
            in_group = True
            if (perm & want) == want:
                return (perm & acl_mask(entries) & want) == want
        if tag == OTHER:
            return not in_group and (perm & want) == want
    return False


def writable_by(info: os.stat_result, uid: int, gids: set[int], acl: Acl | None = None) -> bool:
    """Whether an account may write the file ``info`` describes, by its mode bits or its
    ACL as the kernel applies them (allowed)."""
    return allowed(info, acl, uid, gids, WRITE)


def replaceable_by(path: str, web: Web) -> str | None:
    """The folder of ``path`` (as named, or of the file a link leads to) in which the web
    server's account may replace it: write and search access, and, in a sticky folder
    (/tmp's t bit), the folder or the file its own. None when there is none."""
    for name in dict.fromkeys((path, os.path.realpath(path))):
        folder = os.path.dirname(name)
        try:
            info, own = os.stat(folder), os.stat(name, follow_symlinks=False)
        except OSError:  # removed meanwhile
            continue
        sticky_kept = info.st_mode & stat.S_ISVTX and web[1] not in (0, info.st_uid, own.st_uid)
        if allowed(info, read_acl(folder), web[1], web[2], WRITE | SEARCH) and not sticky_kept:
            return folder
    return None


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def owner(info: os.stat_result) -> str:
    return f"{user_name(info.st_uid)}:{group_name(info.st_gid)}"


def acl_readers(acl: Acl, info: os.stat_result, web: Web | None) -> list[str]:
    """The named entries of ``acl`` that let read (within its mask) an account other than
    the file's owner, its group and the web server's account (which must read it):
    ``user:NAME``, ``group:NAME``."""
    readers = []
    for tag, perm, ident in acl:
        if not perm & acl_mask(acl) & READ:
            continue
        if tag == USER and ident != info.st_uid and (web is None or ident != web[1]):
            readers.append(f"user:{user_name(ident)}")
        if tag == GROUP and ident != info.st_gid and (web is None or ident not in web[2]):
            readers.append(f"group:{group_name(ident)}")
    return readers


def _holds_password(text: str) -> bool:
    """Whether a wp-config.php defines DB_PASSWORD; one PHP builds from a variable (which
    parse_wordpress refuses to read) still holds a password."""
    try:
        return "DB_PASSWORD" in parse_wordpress(text)
    except CmsError:
        return True


def config_findings(paths: list[str], web: Web | None) -> list[dict[str, Any]]:
    """A configuration holding the database password that others can read (its mode or
    its ACL), or that the web server's account can change or replace (WordPress only
    reads it)."""
    findings = []
    for path in paths:
        text = read_text(path, CONFIG_BYTES)
        if text is None or not _holds_password(text):
            continue
        try:
            info = os.stat(path)
        except OSError:  # removed meanwhile
            continue
        acl = read_acl(path)
        mode = f"{stat.S_IMODE(info.st_mode):04o}, {owner(info)}"
        secret = f"Konfigurasi WordPress {path} berisi kata sandi database dan dapat dibaca"
        if info.st_mode & stat.S_IROTH:
            findings.append(finding("wordpress_config", f"{secret} semua pengguna ({mode})"))
        readers = acl_readers(acl or [], info, web)
        if readers:
            findings.append(finding("wordpress_config", f"{secret} lewat ACL oleh {', '.join(readers)} ({mode})",
                                    len(readers), readers))
        if web is None:
            continue
        if writable_by(info, web[1], web[2], acl):
            findings.append(finding("wordpress_config", f"Konfigurasi WordPress {path} dapat diubah oleh "
                                    f"akun web server {web[0]} ({mode}); cukup dapat dibaca"))
        folder = replaceable_by(path, web)
        if folder is not None:
            findings.append(finding("wordpress_config", f"Konfigurasi WordPress {path} dapat diganti oleh akun "
                                    f"web server {web[0]}: folder {folder} dapat ditulisnya"))
    return findings


class Exposed(NamedTuple):
    """A file found in the web root that the site may serve: its path, its address under
    the site (the part after its root's address), what it is, the finding's message, and
    the root it is served under ("" for a wp-content of O(plugin_dirs) outside every root:
    O(site_url)'s)."""

    path: str
    web: str
    subject: str
    message: str
    root: str = ""


def config_copies(root: str) -> list[Exposed]:
    """Copies of wp-config.php in the web root, which the web server serves as plain text."""
    found = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(root, name)
        if CONFIG_COPY.match(name) and os.path.isfile(path):
            subject = f"Salinan konfigurasi WordPress {path}"
            found.append(Exposed(path, name, subject, f"{subject} ada di web root: disajikan sebagai "
                                 "teks biasa, kata sandi database dapat terbaca publik", root))
    return found


def content_dirs(roots: list[str], plugin_dirs: list[str]) -> dict[str, str]:
    """The wp-content folders the site serves (real paths), each with the root it is
    served under: each root's, and the one holding each of ``plugin_dirs`` (Debian's
    package serves /var/lib/wordpress/wp-content as /wp-content: the root whose
    wp-content links there, else "")."""
    dirs: dict[str, str] = {}
    for root in roots:
        dirs.setdefault(os.path.realpath(os.path.join(root, "wp-content")), root)
    for folder in plugin_dirs:
        if os.path.basename(folder.rstrip("/")) == "plugins":
            dirs.setdefault(os.path.realpath(os.path.dirname(folder.rstrip("/"))), "")
    return dirs


def debug_log_settings(text: str) -> list[str]:
    """The files a configuration's WP_DEBUG_LOG names (string literals; the first
    DEBUG_LOGS_READ, a commented-out one included: a file there is served all the same);
    one holding a NUL names no file (PHP refuses such a path; os.stat raised ValueError)."""
    names = [re.sub(r"\\([\\'\"])", r"\1", match[2] if match[2] is not None else match[3])
             for match in islice(DEBUG_LOG_SETTING.finditer(text), DEBUG_LOGS_READ)]
    return [name for name in names if "\0" not in name]


def web_path(path: str, served: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """(the address under its root's site, the root) of ``path``, by the first of
    ``served`` (folder, its address under the root, the root) holding it as named or with
    its links resolved; None outside them all."""
    for candidate in dict.fromkeys((os.path.abspath(path), os.path.realpath(path))):
        for folder, prefix, root in served:
            if candidate != folder and os.path.commonpath((folder, candidate)) == folder:
                return prefix + os.path.relpath(candidate, folder), root
    return None


def debug_log(path: str, web: str, root: str) -> Exposed | None:
    """The debug log at ``path`` when it is a regular file (none is the usual case)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    subject = f"Log debug WordPress {path} ({angka(info.st_size)} bita)"
    return Exposed(path, web, subject, f"{subject} ada di web root dan dapat diunduh publik (WP_DEBUG_LOG)",
                   root)


def debug_logs(roots: list[str], plugin_dirs: list[str]) -> list[Exposed]:
    """The debug logs in the web root: wp-content/debug.log in each wp-content the site
    serves (content_dirs), and each file a root's configuration names in WP_DEBUG_LOG
    that lies in the root or those wp-content folders (a relative one from the root,
    the front page's working folder); one elsewhere is not served."""
    folders = content_dirs(roots, plugin_dirs)
    served = [(folder, "", root) for root in roots  # absolute: a relative root beside them raised
              for folder in dict.fromkeys((os.path.abspath(root), os.path.realpath(root)))]
    served += [(folder, "wp-content/", root) for folder, root in folders.items()]
    logs = {os.path.join(folder, "debug.log"): ("wp-content/debug.log", root)
            for folder, root in folders.items()}
    for root in roots:
        for config in config_files(root):
            for setting in debug_log_settings(read_text(config, CONFIG_BYTES) or ""):
                path = os.path.join(root, setting)
                web = web_path(path, served)
                if web is not None:
                    logs.setdefault(os.path.realpath(path), web)
    return [item for path, (web, root) in logs.items()
            if (item := debug_log(path, web, root)) is not None]


def served_answer(url: str, timeout: float, context: ssl.SSLContext) -> dict[str, Any]:
    """The last answer to a GET of the first byte of ``url`` (a range: the body is
    neither read further nor kept), following redirects to the same path (to HTTPS, to
    the site's main name), never down to plain http."""
    path = urllib.parse.urlsplit(url).path

    def same_file(old: str, new: str) -> bool:
        return scheme_followed(old, new) and urllib.parse.urlsplit(new).path == path

    return redirects(url, timeout, context, follow=same_file, headers={"Range": "bytes=0-0"}, limit=0)[-1]


def exposed_on_site(item: Exposed, base: str, timeout: float,
                    context: ssl.SSLContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """([finding], []) when the site serves ``item`` (an answer with its content, or 416:
    an empty file's range) or its answer cannot tell; ([], [note]) when the web server
    refuses it (4xx, or a redirect elsewhere): it exists all the same."""
    url = base + urllib.parse.quote(item.web)
    shown = mask_url(url) or url
    answer = served_answer(url, timeout, context)
    status = answer["status"]
    if 200 <= status < 300 or status == 416:
        return [finding("wordpress_exposed", f"{item.message}; {shown} menjawab HTTP {status}")], []
    target = redirect_target(answer)
    refused = f"HTTP {status}" if 400 <= status < 500 else (
        f"dialihkan ke {mask_url(target)}" if target and not tls_downgrade(url, target) else None)
    if refused:
        # 404 may be the root's files asked at another root's site
        unserved = (f"; bila root {item.root} tidak dilayani di {mask_url(base)}, tetapkan "
                    "alamatnya di root_urls" if status == 404 and item.root else "")
        return [], [finding("wordpress_exposed", f"{item.subject} ada di web root, tetapi web server menolak "
                            f"menyajikannya ({shown}: {refused}); sebaiknya dihapus{unserved}")]
    why = answer["error"] or (not_followed(target) if target else f"HTTP {status}")
    return [finding("wordpress_exposed", f"{item.message}; tidak dapat dipastikan lewat {shown}: {why}")], []


def shown_names(names: list[str]) -> str:
    more = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + (f" dan {more} lainnya" if more > 0 else "")


def unfollowed(answer: dict[str, Any]) -> str | None:
    """Why the last answer of a chain following page_follows is a redirect not followed:
    to another site (named by its host alone: the check asks this site, not that one),
    or within the site down to plain http or to another scheme; None for any other end."""
    target = refused_target(answer, page_follows)
    if target is None:
        return None
    if same_site(str(answer["url"]), target):
        return not_followed(target)
    where = link_host(target) or f"{urllib.parse.urlsplit(target).scheme[:20]}:"
    return f"dialihkan ke situs lain ({where}), tidak diikuti"


def author_login(base: str, timeout: float,
                 context: ssl.SSLContext) -> tuple[str | None, str | None]:
    """(the login ?author=1 is redirected to (/author/LOGIN/ of the site), None) following the site's
    other redirects within it (page_follows: to HTTPS, to its www. name) until there;
    (None, why not from here) when a redirect leads elsewhere (unfollowed); (None, None)
    when the site gives no login away."""
    def to_author(target: str) -> re.Match[str] | None:
        return AUTHOR_PATH.search(urllib.parse.urlsplit(target).path)

    chain = redirects(base + "?author=1", timeout, context,
                      follow=lambda old, new: to_author(new) is None and page_follows(old, new))
    for answer in chain:
        target = redirect_target(answer) or ""
        match = to_author(target) if same_site(str(answer["url"]), target) else None
        if match:
            return urllib.parse.unquote(match[1])[:NAME_CHARS], None
    return None, unfollowed(chain[-1])


def rest_users(base: str, timeout: float,
               context: ssl.SSLContext) -> tuple[list[str], str | None]:
    """The user names (slugs) the REST API lists to anyone, following redirects within
    the site (page_follows); with why not from here when one leads elsewhere (unfollowed)."""
    answer = redirects(base + "?rest_route=/wp/v2/users", timeout, context,
                       follow=page_follows, limit=1 << 20)[-1]
    if answer["status"] != 200:
        return [], unfollowed(answer)
    try:
        users = json.loads(answer["body"])
    except ValueError:
        return [], None
    if not isinstance(users, list):
        return [], None
    return [str(user["slug"])[:NAME_CHARS] for user in users
            if isinstance(user, dict) and user.get("slug")], None


def xmlrpc_methods(body: str) -> list[str] | None:
    """The method names a system.listMethods answer lists (none for a fault); None when
    ``body`` is no XML-RPC answer, or one listing no method: every XML-RPC server lists
    its own system.* ones, so it cannot tell (it was judged closed)."""
    if "<methodResponse>" not in body:
        return None
    if "<fault>" in body:
        return []
    return XMLRPC_NAME.findall(body) or None


def xmlrpc_verdict(answer: dict[str, Any], shown: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """([finding], []) when xmlrpc.php lists methods beside the XML-RPC server's own
    (naming system.multicall and pingback.ping among them); ([], []) when it is closed (a
    fault, 403, 404 or 405, or only the server's own methods); ([], [note]) for any other
    answer, which cannot tell."""
    methods = xmlrpc_methods(answer["body"])
    if methods is None and answer["status"] in XMLRPC_CLOSED:
        return [], []
    if methods is not None:
        if not set(methods) - set(XMLRPC_OWN):
            return [], []
        attacks = [name for name in XMLRPC_ATTACKS if name in methods]
        named = " dan ".join(f"{name} ({XMLRPC_ATTACKS[name]})" for name in attacks)
        return [finding("wordpress_xmlrpc", f"xmlrpc.php situs {shown} terbuka: {len(methods)} metode "
                        "XML-RPC dilayani" + (f", termasuk {named}" if named else ""),
                        len(methods), attacks)], []
    target = redirect_target(answer)
    why = answer["error"] or (not_followed(target) if target else
                              f"HTTP {answer['status']}, bukan jawaban XML-RPC")
    return [], [finding("wordpress_xmlrpc", f"xmlrpc.php situs {shown} tidak dapat dinilai: {why}")]


def site_findings(url: str, exposed: list[Exposed], timeout: float, context: ssl.SSLContext,
                  bases: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(findings, notes) of the site: each of ``exposed`` asked from it (exposed_on_site),
    xmlrpc.php asked for its methods (a system.listMethods call POSTed, following
    redirects never down to plain http) and login names given away (?author=1, the REST
    API's users). A site that does not answer is a finding, and ``exposed`` are then
    findings as found on disk."""
    shown = mask_url(url) or url
    base = with_slash(url)
    chain = redirects(base + "xmlrpc.php", timeout, context, follow=scheme_followed,
                      headers={"Content-Type": "text/xml"}, data=XMLRPC_CALL, limit=XMLRPC_BYTES)
    if chain[0]["status"] < 0:
        return [finding("wordpress_unreachable", f"Situs {shown} tidak dapat dihubungi untuk uji WordPress: "
                        f"{chain[0]['error']}")] + [finding("wordpress_exposed", item.message) for item in exposed], []
    findings: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for result in [exposed_on_site(item, (bases or {}).get(item.root, base), timeout, context)
                   for item in exposed] + [
            xmlrpc_verdict(chain[-1], shown)]:
        findings += result[0]
        notes += result[1]
    login, why = author_login(base, timeout, context)
    if login:
        findings.append(finding("wordpress_users", f"Situs {shown} membuka nama login pengguna: ?author=1 "
                                f"dialihkan ke /author/{login}/", 1, [login]))
    elif why:
        notes.append(finding("wordpress_users", f"Nama login lewat ?author=1 situs {shown} tidak "
                             f"dapat diuji dari sini: {why}"))
    users, why = rest_users(base, timeout, context)
    if users:
        findings.append(finding("wordpress_users", f"Situs {shown} membuka daftar pengguna lewat REST API "
                                f"(wp/v2/users): {shown_names(users)}", len(users), users))
    elif why:
        notes.append(finding("wordpress_users", f"Daftar pengguna lewat REST API (wp/v2/users) situs "
                             f"{shown} tidak dapat diuji dari sini: {why}"))
    return findings, notes


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "roots": {"type": "list", "elements": "path", "default": list(WORDPRESS_ROOTS)},
            "plugin_dirs": {"type": "list", "elements": "path",
                            "default": ["/var/lib/wordpress/wp-content/plugins"]},
            "available": {"type": "dict", "default": {}},
            "apt_package": {"type": "str", "default": "wordpress"},
            "timeout": {"type": "int", "default": 60},
            "web_user": {"type": "str", "default": "www-data"},
            "site_url": {"type": "str", "default": ""},
            "root_urls": {"type": "dict", "default": {}},
            "validate_certs": {"type": "bool", "default": True},
            "http_timeout": {"type": "float", "default": 10},
        },
        supports_check_mode=True,
    )
    p = module.params
    # a refused address's credentials masked in the invocation too, not in the message only
    secrets = [secret for url in [p["site_url"], *p["root_urls"].values()]
               if isinstance(url, str) for secret in url_secrets(url)]
    invocation = {"module_args": mask_data(dict(p), secrets)}
    # each refused option named as its setting, for the role's rescue to name its variable
    try:
        available, bases = wordpress_settings(p["available"], p["site_url"], p["root_urls"],
                                              p["roots"])
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc), setting=exc.setting, invocation=invocation)
    bad_seconds = seconds_error(p, "timeout", "http_timeout")
    if bad_seconds:
        module.fail_json(**bad_seconds, invocation=invocation)
    cores = [{"root": root, "version": version} for root in p["roots"]
             if (version := core_version(root)) is not None]
    folders = list(dict.fromkeys(
        [os.path.realpath(os.path.join(root, "wp-content", "plugins")) for root in p["roots"]]
        + [os.path.realpath(folder) for folder in p["plugin_dirs"]]))
    plugins = [plugin for folder in folders for plugin in plugins_in(folder)]
    apt: tuple[str | None, str | None] = (None, None)
    apt_cache = module.get_bin_path("apt-cache") if p["apt_package"] else None
    if apt_cache:
        apt = installed_and_candidate(apt_policy(module, apt_cache, [p["apt_package"]], p["timeout"]))
    findings = assess(cores, plugins, available, apt)
    roots = [core["root"] for core in cores]
    configs = list(dict.fromkeys(path for root in roots for path in config_files(root)))
    try:  # looked up only for a configuration to judge: a host without one may have no www-data
        web = web_account(p["web_user"]) if configs else None
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc), setting=exc.setting)
    findings += config_findings(configs, web)
    exposed = [item for root in roots for item in config_copies(root)] + debug_logs(roots, p["plugin_dirs"])
    notes: list[dict[str, Any]] = []
    if p["site_url"]:
        site, notes = site_findings(p["site_url"], exposed, p["http_timeout"], context_for(p["validate_certs"]),
                                    bases)
        findings += site
    else:
        findings += [finding("wordpress_exposed", item.message) for item in exposed]
    module.exit_json(changed=False, core=cores, plugins=plugins, apt={"installed": apt[0], "candidate": apt[1]},
                     site=mask_url(p["site_url"]) or None, findings=findings, notes=notes, sop_output={
                         "wordpress": [f"{c['root']}: {c['version']}" for c in cores],
                         "plugins": list(dict.fromkeys(f"{x['slug']} {x['version'] or '?'} ({x['status']})"
                                                       for x in plugins)),
                         "site": mask_url(p["site_url"]) or None,
                         "findings": summary(findings),
                         "notes": summary(notes)})


if __name__ == "__main__":
    main()
