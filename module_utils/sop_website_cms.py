# GPL-3.0-or-later
"""The website's CMS from its own configuration: kind, database login, content folders.

WordPress (``wp-config.php``, including the Debian ``wordpress`` package's layout, whose
``wp-config.php`` reads ``/etc/wordpress/config-<host>.php`` or ``config-default.php``),
Joomla (``configuration.php``), Drupal (``sites/<host>/settings.php``, 7 and 8 or later)
or a static site (no database). The PHP files are read, never run.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ansible.module_utils.sop_secrets import mask_text
from ansible.module_utils.sop_tree import read_start

DEBIAN_WP_ETC = "/etc/wordpress"
DEBIAN_WP_CONTENT = "/var/lib/wordpress/wp-content"
# Settings written as PHP string literals: the start of each (its name, its opening
# quote), then the literal read to its first unescaped quote (_PHP_STRING) and what must
# follow it. The file may be the web server's, so a compromised site's: each literal is
# read once, in time linear in the file (a pattern reading lazily ahead to any later
# quote, from every start, took time squared in a file repeating an unclosed start).
_WP_DEFINE = re.compile(
    r"""define\(\s*['"](DB_NAME|DB_USER|DB_PASSWORD|DB_HOST|WP_CONTENT_DIR|UPLOADS)['"]\s*,"""
    r"""\s*(['"])""")
_WP_PREFIX = re.compile(r"""\$table_prefix\s*=\s*(['"])([A-Za-z0-9_]*)\1""")
_JOOMLA_VAR = re.compile(r"""public\s+\$(host|user|password|db|dbprefix)\s*=\s*(['"])""")
_PHP_STRING = {quote: re.compile(rf"[^{quote}\\]*(?:\\.[^{quote}\\]*)*{quote}", re.DOTALL)
               for quote in "'\""}
_DEFINE_END = re.compile(r"\s*\)")
_STATEMENT_END = re.compile(r"\s*;")


class CmsError(Exception):
    """The configuration names something unusable; the message is one clear line."""


# A CMS configuration is a few KiB; one larger than this is not read.
CONFIG_BYTES = 1 << 20


def _read(path: str) -> str:
    """The configuration file (a link is followed: Debian's wp-config.php is one); a
    FIFO or device put in its place is not read, nor more than CONFIG_BYTES."""
    start, size = read_start(path, CONFIG_BYTES, follow=True)
    if size > CONFIG_BYTES:
        raise CmsError(f"{path}: {size} bytes, larger than a CMS configuration")
    return start.decode("utf-8", "replace")


def only_root_can_change(path: str) -> bool:
    """Whether only root can change what ``path`` says: the file it resolves to, and every
    folder above it and above the link itself, belong to root and are not writable by
    group or others (what OpenSSH's StrictModes asks of authorized_keys)."""
    checked = set()
    for start in (os.path.realpath(path), os.path.realpath(os.path.dirname(path))):
        current = start
        while current not in checked:
            checked.add(current)
            try:
                info = os.stat(current)
            except OSError:
                return False
            if info.st_uid != 0 or info.st_mode & 0o022:
                return False
            if current == "/":
                break
            current = os.path.dirname(current)
    return True


# PHP's escapes (php.net, Strings): in single quotes only \' and \\; in double quotes
# \n \t \r \v \e \f \\ \$ \", octal and \x hex (a byte each) and \u{...} (UTF-8). Any
# other backslash stays, as PHP keeps it: 'pa\"ss' is the six characters p a \ " s s.
_SINGLE_ESCAPE = re.compile(r"\\([\\'])")
_DOUBLE_ESCAPE = re.compile(
    r"\\(?:([ntrvef\\$\"])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]{1,6})\})")
_DOUBLE_CHARACTERS = {"n": b"\n", "t": b"\t", "r": b"\r", "v": b"\v", "e": b"\x1b",
                      "f": b"\f", "\\": b"\\", "$": b"$", '"': b'"'}
# A variable in a double-quoted literal: PHP puts its value there, which no reader of the
# file can know (an unescaped $ before a name or a brace; {$ starts one too).
_PHP_VARIABLE = re.compile(r"(?<!\\)(?:\\\\)*(?:\$[A-Za-z_\x80-\U0010ffff{]|\{\$)")


def _double_bytes(match: re.Match[str]) -> bytes:
    simple, octal, hexa, code = match.groups()
    if simple is not None:
        return _DOUBLE_CHARACTERS[simple]
    if octal is not None:
        return bytes([int(octal, 8) & 0xFF])  # PHP drops an octal escape's overflow
    if hexa is not None:
        return bytes([int(hexa, 16)])
    point = int(code, 16)
    return chr(point).encode("utf-8", "surrogatepass") if point <= 0x10FFFF else \
        match.group(0).encode()


def _unescape(name: str, value: str, quote: str) -> str:
    """A PHP string literal's value as PHP reads it (its bytes read as UTF-8); CmsError
    (naming the setting, never its value) for a double-quoted one holding a variable."""
    if quote == "'":
        return _SINGLE_ESCAPE.sub(r"\1", value)
    if _PHP_VARIABLE.search(value):
        raise CmsError(f"{name} is a double-quoted PHP string holding a variable ($...), "
                       "whose value only PHP knows: write it in single quotes")
    parts, pos = [], 0
    for match in _DOUBLE_ESCAPE.finditer(value):
        parts += [value[pos:match.start()].encode(), _double_bytes(match)]
        pos = match.end()
    parts.append(value[pos:].encode())
    return b"".join(parts).decode("utf-8", "replace")


def _php_settings(text: str, start: re.Pattern[str], end: re.Pattern[str]) -> dict[str, str]:
    """Name -> value of each match of ``start`` (the name, then the literal's opening
    quote) whose string literal is followed by ``end``; the last one of a name counts."""
    found: dict[str, str] = {}
    pos = 0
    while (match := start.search(text, pos)) is not None:
        pos = match.end()
        literal = _PHP_STRING[match.group(2)].match(text, pos)
        if literal is not None and end.match(text, literal.end()):
            found[match.group(1)] = _unescape(match.group(1), text[pos:literal.end() - 1],
                                              match.group(2))
    return found


def parse_wordpress(text: str) -> dict[str, str]:
    found = _php_settings(text, _WP_DEFINE, _DEFINE_END)
    prefix = _WP_PREFIX.search(text)
    if prefix:
        found["table_prefix"] = prefix.group(2)
    return found


def parse_joomla(text: str) -> dict[str, str]:
    return _php_settings(text, _JOOMLA_VAR, _STATEMENT_END)


def split_host(host: str, password: str) -> dict[str, Any]:
    """WordPress/Joomla DB_HOST (``localhost``, ``db:3307``, ``localhost:/run/x.sock``).
    One whose part after ':' is neither a port nor a socket path is a CmsError, which the
    record keeps as the activity's cause: it quotes neither that part (an admin may have
    typed ``user:password@db``) nor the configuration's ``password`` in the rest."""
    name, _, rest = host.partition(":")
    login: dict[str, Any] = {"host": None, "port": None, "socket": None}
    if rest.startswith("/"):
        login["socket"] = rest
    elif rest:
        if not rest.isdigit():
            shown = mask_text(f"{name}:…", [password])
            raise CmsError(f"DB_HOST {shown!r}: the part after ':' is neither a port number "
                           "nor a socket path")
        login["port"] = int(rest)
    if name and name != "localhost":
        login["host"] = name
    return login


def debian_wordpress_files(domain: str) -> list[str]:
    """Debian's per-host configuration files, in the order its wp-config.php tries them."""
    main = domain.split(".", 1)[1] if "." in domain else ""
    names = [f"config-{domain.lower()}.php"] + ([f"config-{main.lower()}.php"] if main else [])
    names.append("config-default.php")
    return [os.path.join(DEBIAN_WP_ETC, name) for name in names]


def wordpress_config(root: str) -> str:
    """The wp-config.php WordPress loads (its wp-load.php): the web root's, else the one
    a folder up, unless that folder holds a WordPress of its own (its wp-settings.php):
    then that configuration is the other site's, and this one has none. "Up" is from the
    web root's real folder, as PHP's __DIR__ has its links resolved (/var/www/html ->
    /srv/pn/public: /srv/pn/wp-config.php)."""
    config = os.path.join(root, "wp-config.php")
    parent = os.path.dirname(os.path.realpath(root))
    if os.path.exists(config) or os.path.exists(os.path.join(parent, "wp-settings.php")):
        return config
    return os.path.join(parent, "wp-config.php")


def wordpress(root: str, domain: str) -> dict[str, Any]:
    config = wordpress_config(root)
    text = _read(config)
    values = parse_wordpress(text)
    debian = "/etc/wordpress/config-" in text
    used = [config]
    content_from = config if "WP_CONTENT_DIR" in values else None
    if debian:
        host_file = next((p for p in debian_wordpress_files(domain) if os.path.exists(p)), None)
        if host_file is None:
            tried = ", ".join(debian_wordpress_files(domain))
            raise CmsError(f"Debian WordPress: none of {tried} exists")
        from_host = parse_wordpress(_read(host_file))
        values = {"DB_NAME": "wordpress", "DB_USER": "wordpress", "DB_HOST": "localhost",
                  "WP_CONTENT_DIR": DEBIAN_WP_CONTENT, **from_host}
        used.append(host_file)
        content_from = host_file if "WP_CONTENT_DIR" in from_host else None
    content = os.path.normpath(values.get("WP_CONTENT_DIR") or os.path.join(root, "wp-content"))
    inside = content.startswith(root.rstrip("/") + "/")
    ignored = []
    if not inside and content_from is not None and not only_root_can_change(content_from):
        # The site's folders are walked, backed up and quarantined from as root: a folder
        # outside the web root is taken only from a file the web server cannot change.
        ignored.append({"path": content, "config": content_from,
                        "reason": "di luar web root, dan berkas konfigurasinya dapat diubah "
                                  "oleh akun selain root"})
    paths = [root] + [p for p in (content, DEBIAN_WP_ETC if debian else "") if p
                      and not p.startswith(root.rstrip("/") + "/")
                      and p not in [i["path"] for i in ignored]]
    return {
        "cms": "wordpress", "config": used, "ignored_paths": ignored,
        "database": {"name": values.get("DB_NAME", ""), "user": values.get("DB_USER", ""),
                     "password": values.get("DB_PASSWORD", ""),
                     "table_prefix": values.get("table_prefix", "wp_"),
                     **split_host(values.get("DB_HOST", "localhost"),
                                  values.get("DB_PASSWORD", ""))},
        "content_dir": content,
        "uploads_dir": os.path.join(content, values.get("UPLOADS", "uploads")),
        "paths": paths,
        # A wp-config.php one folder up is the site's too (it holds the database login):
        # that one file, not the folder holding it, which may hold anything.
        "files": [] if config == os.path.join(root, "wp-config.php") else [config],
        "version": None, "notes": [],
    }


# PHP's string literals and comments, each matched once from its start: an unclosed one
# runs to the end of the file (a file repeating an unclosed start is read in linear time).
_PHP_TOKEN = re.compile(
    r"""'[^'\\]*(?:\\.?[^'\\]*)*(?:'|\Z)|"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)"""
    r"""|/\*[^*]*(?:\*(?!/)[^*]*)*(?:\*/|\Z)|(?://|#)[^\n]*|;|\$databases\b""", re.DOTALL)
_DRUPAL_KEY = re.compile(
    r"""(['"])(database|username|password|host|port|unix_socket|prefix|driver)\1"""
    r"""\s*(?:=>|\]\s*=(?!=))\s*""")
_DRUPAL_VALUE_END = re.compile(r"\s*[,;)\]]")
_DRUPAL_NUMBER = re.compile(r"(\d+)(?=\s*[,;)\]])")
_DRUPAL_CORE_VERSION = re.compile(r"""const\s+VERSION\s*=\s*['"]([0-9][0-9A-Za-z.+-]{0,39})['"]""")
_DRUPAL_7_VERSION = re.compile(
    r"""define\(\s*['"]VERSION['"]\s*,\s*['"]([0-9][0-9A-Za-z.+-]{0,39})['"]""")
_DRUPAL_INFO_VERSION = re.compile(
    r"""^(version|core)\s*=\s*["']?([0-9][0-9A-Za-z.+-]{0,39})""", re.MULTILINE)
# Drupal 11.1's mysqli driver talks to the same servers; pgsql and sqlite the SOP cannot dump.
DRUPAL_MYSQL_DRIVERS = ("mysql", "mysqli")


def _databases_statements(text: str) -> list[str]:
    """The statements of ``text`` (PHP) assigning ``$databases``, comments left out, in
    their order: ``$databases = array(...)``, ``$databases['default']['default'] = [...]``
    or one setting each (``$databases['default']['default']['host'] = 'db';``)."""
    statements: list[str] = []
    current: list[str] | None = None
    pos = 0
    for match in _PHP_TOKEN.finditer(text):
        piece = match.group(0)
        if piece == "$databases" and current is None:
            current = [text[match.start():match.end()]]
            pos = match.end()
        elif current is not None and piece[0] in "'\";$":
            current.append(text[pos:match.end()])
            pos = match.end()
            if piece == ";":
                statements.append("".join(current))
                current = None
        elif current is not None:  # a comment: left out
            current.append(text[pos:match.start()] + " ")
            pos = match.end()
    if current is not None:
        statements.append("".join(current) + text[pos:])
    return statements


def parse_drupal(text: str) -> dict[str, str]:
    """The first connection of ``$databases`` (``['default']['default']``, as Drupal's
    installer writes it first): its settings written as plain strings (a port also as a
    number), read up to a setting named again, the next connection's."""
    found: dict[str, str] = {}
    named: set[str] = set()
    for statement in _databases_statements(text):
        pos = 0
        while (match := _DRUPAL_KEY.search(statement, pos)) is not None:
            key, pos = match.group(2), match.end()
            if key in named:
                return found
            named.add(key)
            quote = statement[pos:pos + 1]
            if quote in ("'", '"'):
                literal = _PHP_STRING[quote].match(statement, pos + 1)
                if literal is not None and _DRUPAL_VALUE_END.match(statement, literal.end()):
                    found[key] = _unescape(key, statement[pos + 1:literal.end() - 1], quote)
                    pos = literal.end()
            elif number := _DRUPAL_NUMBER.match(statement, pos):
                found[key] = number.group(1)
    return found


def drupal_site_folder(root: str, domain: str) -> str:
    """The ``sites/`` folder Drupal serves ``domain`` from: ``sites/<host>`` for the host
    and each of its parent domains (www.pn-x.go.id, pn-x.go.id, go.id ...), the first
    holding a settings.php, else ``sites/default`` (sites.php aliases are not read)."""
    labels = domain.lower().strip(".").split(".") if domain else []
    for start in range(len(labels)):
        folder = os.path.join(root, "sites", ".".join(labels[start:]))
        if os.path.isfile(os.path.join(folder, "settings.php")):
            return folder
    return os.path.join(root, "sites", "default")


def drupal_generation(root: str) -> str | None:
    """``8`` for Drupal 8 or later (``core/lib/Drupal.php``), ``7`` for Drupal 7
    (``includes/bootstrap.inc`` with ``modules/system/system.info`` or its ``VERSION``),
    None for no Drupal."""
    if os.path.isfile(os.path.join(root, "core", "lib", "Drupal.php")):
        return "8"
    bootstrap = os.path.join(root, "includes", "bootstrap.inc")
    if os.path.isfile(bootstrap) and (
            os.path.isfile(os.path.join(root, "modules", "system", "system.info"))
            or _DRUPAL_7_VERSION.search(_read(bootstrap))):
        return "7"
    return None


def drupal_version(root: str, generation: str) -> str | None:
    """The version Drupal's own files say (``Drupal::VERSION``; Drupal 7's ``VERSION`` in
    bootstrap.inc, else system.info's ``version``, else its ``core = 7.x``), None when
    none does."""
    if generation == "8":
        found = _DRUPAL_CORE_VERSION.search(_read(os.path.join(root, "core", "lib", "Drupal.php")))
        return found.group(1) if found else None
    found = _DRUPAL_7_VERSION.search(_read(os.path.join(root, "includes", "bootstrap.inc")))
    if found:
        return found.group(1)
    info = os.path.join(root, "modules", "system", "system.info")
    if not os.path.isfile(info):
        return None
    values = {m.group(1): m.group(2) for m in _DRUPAL_INFO_VERSION.finditer(_read(info))}
    return values.get("version") or values.get("core")


def drupal(root: str, domain: str, generation: str) -> dict[str, Any]:
    folder = drupal_site_folder(root, domain)
    config = os.path.join(folder, "settings.php")
    text = _read(config)
    values = parse_drupal(text)
    used = [config]
    local = os.path.join(folder, "settings.local.php")
    # the include Drupal's settings.php ships commented out; settings.local.php's
    # $databases, read after it, win
    if os.path.isfile(local) and any(
            m.group(0)[0] in "'\"" and "settings.local.php" in m.group(0)
            for m in _PHP_TOKEN.finditer(text)):
        values.update(parse_drupal(_read(local)))
        used.append(local)
    version = drupal_version(root, generation)
    notes = [] if version else [
        f"versi Drupal tidak terbaca dari berkas intinya di {root}: tanggal konten terbaru "
        "tidak dibaca dari database"]
    driver = values.get("driver", "mysql")
    database: dict[str, Any] | None = None
    if driver in DRUPAL_MYSQL_DRIVERS:
        # the client ignores a port without a host (it takes the socket), and Drupal's
        # installer writes 'port' => '3306' beside 'host' => 'localhost'
        host = values.get("host", "")
        remote = host not in ("", "localhost")
        port = values.get("port", "")
        if remote and port and not port.isdigit():
            raise CmsError(f"{config}: $databases port is not a port number")
        database = {"name": values.get("database", ""), "user": values.get("username", ""),
                    "password": values.get("password", ""),
                    "table_prefix": values.get("prefix", ""),
                    "host": host if remote else None,
                    "port": int(port) if remote and port else None,
                    "socket": values.get("unix_socket") or None}
    else:  # the file may be the web server's: only a plain driver name is quoted
        shown = driver if re.fullmatch(r"[a-z0-9_]{1,32}", driver) else "lain"
        notes.append(f"database Drupal di {config} memakai driver {shown}, bukan "
                     "MySQL/MariaDB: tidak dicadangkan dan tidak dibaca oleh SOP")
    return {
        "cms": "drupal", "version": version, "config": used, "ignored_paths": [],
        "database": database, "content_dir": folder,
        "uploads_dir": os.path.join(folder, "files"), "paths": [root], "files": [],
        "notes": notes,
    }


def joomla(root: str) -> dict[str, Any]:
    config = os.path.join(root, "configuration.php")
    values = parse_joomla(_read(config))
    return {
        "cms": "joomla", "config": [config], "ignored_paths": [],
        "database": {"name": values.get("db", ""), "user": values.get("user", ""),
                     "password": values.get("password", ""),
                     "table_prefix": values.get("dbprefix", "jos_"),
                     **split_host(values.get("host", "localhost"),
                                  values.get("password", ""))},
        "content_dir": root, "uploads_dir": os.path.join(root, "images"), "paths": [root],
        "files": [], "version": None, "notes": [],
    }


def detect(root: str, cms: str, domain: str) -> dict[str, Any]:
    """The CMS of ``root`` (``cms`` auto|wordpress|joomla|drupal|static)."""
    if not os.path.isdir(root):
        raise CmsError(f"web root {root} does not exist")
    if cms == "auto":
        # WordPress's own files (wp-settings.php): a wp-config.php moved one folder up, as
        # hardening guides advise and WordPress reads, is no static site without a database.
        if any(os.path.exists(os.path.join(root, name))
               for name in ("wp-config.php", "wp-settings.php")):
            cms = "wordpress"
        elif os.path.exists(os.path.join(root, "configuration.php")):
            cms = "joomla"
        else:
            cms = "drupal" if drupal_generation(root) else "static"
    try:
        if cms == "wordpress":
            return wordpress(root, domain)
        if cms == "joomla":
            return joomla(root)
        if cms == "drupal":
            generation = drupal_generation(root)
            if generation is None:
                raise CmsError(f"no Drupal in {root}: neither core/lib/Drupal.php nor "
                               "includes/bootstrap.inc with modules/system/system.info")
            return drupal(root, domain, generation)
    except OSError as exc:
        raise CmsError(
            f"cannot read the {cms} configuration: {exc.strerror}: {exc.filename}") from exc
    return {"cms": "static", "config": [], "ignored_paths": [], "database": None,
            "content_dir": root, "uploads_dir": None, "paths": [root], "files": [],
            "version": None, "notes": []}


# The settings naming the database and its user, per CMS.
LOGIN_SETTINGS = {"wordpress": ("DB_NAME", "DB_USER"), "joomla": ("$db", "$user"),
                  "drupal": ("$databases database", "$databases username")}


def unset_login(site: dict[str, Any], database: dict[str, Any]) -> str | None:
    """Why the database cannot be asked (one line), when neither the configuration (as a
    plain string: a getenv(), a constant or another file's setting is not read) nor the
    module's options (``database``: the merged settings) name the database or its user."""
    missing = [setting for key, setting in zip(("name", "user"), LOGIN_SETTINGS[site["cms"]])
               if not database.get(key)]
    if not missing:
        return None
    return (f"{', '.join(site['config'])}: {', '.join(missing)} not defined as a plain "
            "string; give the database and login_user options (the website role's "
            "website_db_name and website_db_user)")


def newest_content_sql(cms: str, prefix: str, version: str | None = None) -> str:
    """SQL answering the newest published content's date as ISO 8601 UTC (``version``:
    Drupal's, whose nodes are in ``node`` up to 7 and ``node_field_data`` from 8 on)."""
    if not re.fullmatch(r"[A-Za-z0-9_]*", prefix):
        raise CmsError(f"table prefix {prefix!r} is not a plain name")
    if cms == "drupal":
        if not version:
            raise CmsError("Drupal version unknown: its content table cannot be told")
        major = re.match(r"\d+", version)
        table = "node" if major and int(major.group(0)) < 8 else "node_field_data"
        # `changed` is a Unix time: added to the epoch, not FROM_UNIXTIME's session zone
        return ("SELECT DATE_FORMAT(TIMESTAMPADD(SECOND, MAX(changed), '1970-01-01 00:00:00'), "  # noqa: S608
                f"'%Y-%m-%dT%H:%i:%sZ') FROM `{prefix}{table}` WHERE status = 1")
    table = f"`{prefix}posts`" if cms == "wordpress" else f"`{prefix}content`"
    if cms == "wordpress":
        newest = "MAX(post_date_gmt)"
        where = "post_status = 'publish' AND post_type IN ('post', 'page')"
    else:
        # An article published ahead (publish_up later than now) is not on the site yet;
        # Joomla 4 leaves publish_up NULL when none is set, and a GREATEST with a NULL is
        # NULL (MAX skipped such articles).
        newest = "MAX(GREATEST(COALESCE(publish_up, created), modified))"
        where = "state = 1 AND (publish_up IS NULL OR publish_up <= UTC_TIMESTAMP())"
    return f"SELECT DATE_FORMAT({newest}, '%Y-%m-%dT%H:%i:%sZ') FROM {table} WHERE {where}"  # noqa: S608
