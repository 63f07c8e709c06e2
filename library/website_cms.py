#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find the website's CMS, its database and content folders; read the newest content date."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_cms
short_description: Find the court website's CMS, its database login and content folders from its own configuration
description:
  - Reads (never runs) the CMS configuration under O(root). WordPress C(wp-config.php),
    including the Debian C(wordpress) package's layout (C(/etc/wordpress/config-<domain>.php)
    or C(config-default.php), wp-content in C(/var/lib/wordpress/wp-content)); Joomla
    C(configuration.php); Drupal C(sites/<host>/settings.php) (the folder of the site's
    host or a parent domain of it, else C(sites/default); C(sites/sites.php) aliases are not
    read), its first C($databases) connection (C(['default']['default'])) written as plain
    strings, and a C(settings.local.php) beside it when settings.php includes it (outside a
    comment); otherwise a static site without a database.
  - Drupal's version is read from its core files (C(Drupal::VERSION) in
    C(core/lib/Drupal.php); Drupal 7's C(VERSION) in C(includes/bootstrap.inc), else
    C(modules/system/system.info)). A Drupal database with a driver other than MySQL or
    MariaDB (C(pgsql), C(sqlite)) is not returned (no RV(login), so neither backed up nor
    asked for its newest content), and a version that cannot be read leaves the newest
    content unread; RV(notes) says so. A private files folder outside O(root)
    (C($settings['file_private_path'])) is not among RV(paths); list it in the inventory.
  - Returns the folders that make up the site (O(root) plus a wp-content or configuration
    folder outside it), the uploads folder and the database login. A folder outside
    O(root) is taken from a configuration file only when root alone can change that file
    (it and the folders above it belong to root and are not group- or world-writable);
    otherwise it is returned in RV(ignored_paths) instead. O(database) and the
    C(login_*) options override what the configuration says; they are needed where it
    names the database or its user other than as a plain string (by C(getenv()), as the
    official WordPress image does, a constant or another file's setting), else the module
    fails naming the settings missing. A DB_HOST (Drupal's C($databases) host) naming another
    server (a host, port or socket) is used only when root alone can change the file;
    otherwise the local server is (a warning), unless O(login_host), O(login_port) or
    O(login_unix_socket) name one.
  - With O(newest_content), asks the CMS database for the newest published post or page
    date (Joomla, an article's publishing or last change, of articles already public; one
    published ahead of now is not counted; Drupal, the last change of a published node); a
    database that does not answer fails the module with one line naming the cause.
  - The result contains the database password (C(login.password)), so register it only on a
    C(no_log) task. Read-only; never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
options:
  root:
    description: The web root.
    type: path
    required: true
  cms:
    description: C(auto) detects from the files in O(root) (WordPress by its C(wp-config.php)
      or C(wp-settings.php), whose C(wp-config.php) may lie one folder up, as WordPress reads it;
      Joomla by C(configuration.php); Drupal 8 or later by C(core/lib/Drupal.php), Drupal 7 by
      C(includes/bootstrap.inc) with C(modules/system/system.info) or its C(VERSION)).
    type: str
    choices: [auto, wordpress, joomla, drupal, static]
    default: auto
  domain:
    description: The site's host name (picks Debian's per-host WordPress configuration).
    type: str
    default: ""
  database:
    description: Database name (empty for the configuration's).
    type: str
    default: ""
  newest_content:
    description: Read the newest published content date from the CMS database.
    type: bool
    default: true
  client_binary:
    description: C(mariadb) or C(mysql) client (empty to search).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Find the CMS of the court website
  website_cms:
    root: /usr/share/wordpress
    domain: pn-bangil.go.id
  register: website_cms_facts
  no_log: true
"""

RETURN = r"""
cms:
  description: wordpress, joomla, drupal or static.
  returned: always
  type: str
version:
  description: Drupal's version as its core files say it (C(10.2.5), C(7.98); C(7.x) when
    Drupal 7's system.info says no more); null when unread, and for WordPress, Joomla and a
    static site, whose version this module does not read.
  returned: always
  type: str
  sample: "10.2.5"
config:
  description: Configuration files read.
  returned: always
  type: list
  elements: str
paths:
  description: Folders that make up the site (web root first).
  returned: always
  type: list
  elements: str
files:
  description:
    - Single files outside RV(paths) that belong to the site, backed up beside them,
      WordPress's C(wp-config.php) one folder above O(root) (above its real folder when
      O(root) is a symbolic link, as PHP resolves it), where WordPress reads it when
      O(root) has none (and that folder holds no C(wp-settings.php), no WordPress of its
      own). The folder holding it is not among RV(paths).
  returned: always
  type: list
  elements: str
ignored_paths:
  description:
    - Folders the configuration names outside O(root) that are not among RV(paths),
      because a file another account than root can change names them (C(wp-config.php)
      owned or writable by the web server), each with C(path), C(config) and C(reason).
      The SOP walks, backs up and quarantines the site's folders as root, so a
      compromised site must not point them at C(/etc); list such a folder in the
      inventory when it really is the site's.
  returned: always
  type: list
  elements: dict
content_dir:
  description: The CMS content folder (wp-content; Drupal's site folder, C(sites/default)).
  returned: always
  type: str
uploads_dir:
  description: The uploads folder (Drupal's default public files folder, C(files) in its site
    folder; null for a static site).
  returned: always
  type: str
database:
  description: Database name, host, port, socket, user and table prefix (null for a static site); no password.
  returned: always
  type: dict
login:
  description:
    - The login options for the SOP's MariaDB modules, password included (a secret;
      register the result with C(no_log)).
    - Returned on failure too when only the database did not answer, with the folders and
      the database found, so that the backup still tries the database and fails naming it.
  returned: when the CMS has a database
  type: dict
newest_content:
  description: Newest published content date (ISO 8601 UTC), null when unknown.
  returned: always
  type: str
notes:
  description:
    - The module's warnings (Bahasa Indonesia), also returned as C(warnings), which a
      C(no_log) task hides; without secrets (the database password and a URL's
      credentials masked), for a task after it to show. Returned on failure too when
      only the database did not answer.
  returned: always
  type: list
  elements: str
  sample: ["DB_HOST db.lan:3307 dari /var/www/html/wp-config.php tidak dipakai (...)"]
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_mariadb import (  # noqa: E402
    LOGIN_ARGUMENT_SPEC,
    Connection,
    MariaDBError,
    find_binary,
    query,
)
from ansible.module_utils.sop_secrets import mask_text  # noqa: E402
from ansible.module_utils.sop_website_cms import (  # noqa: E402
    CmsError,
    detect,
    newest_content_sql,
    only_root_can_change,
    unset_login,
)

CLIENT_BINARIES = ("mariadb", "mysql")


TARGET = ("host", "port", "socket")


def merged_database(found: dict[str, Any], params: dict[str, Any], configs: list[str],
                    setting: str = "DB_HOST") -> tuple[dict[str, Any], str | None]:
    """The configuration's database settings with the given overrides, and a warning
    when the configuration's server was not used. A server other than the local one
    (DB_HOST with a host, port or socket) is taken from the configuration only when root
    alone can change it; else the local server is used, unless the administrator names
    one (login_host, login_port, login_unix_socket; the configuration's parts are then
    not mixed in). A configuration the web server's account can write must not choose
    the server: the inventory's password would be sent to it, a server of its own would
    talk to the dump, which runs as root (a client bug becomes the intruder's way in),
    and would serve a database of its choosing as the site's backup. ``setting`` is how
    the configuration names its server, for the warning."""
    database = dict(found)
    overrides = {"name": params["database"], "user": params["login_user"],
                 "password": params["login_password"], "host": params["login_host"],
                 "port": params["login_port"], "socket": params["login_unix_socket"]}
    warning = None
    written = {key: found.get(key) for key in TARGET if found.get(key)}
    if written and not all(only_root_can_change(config) for config in configs):
        database.update(dict.fromkeys(TARGET))
        if not any(overrides[key] for key in TARGET):
            # DB_HOST is the web server's to write: it may hold a URL with credentials,
            # or the password itself; the warning is recorded, so both are masked.
            shown = ":".join(str(value) for value in written.values())
            warning = mask_text(
                f"{setting} {shown} dari {', '.join(configs)} tidak dipakai (berkas itu "
                "dapat diubah oleh akun selain root): server database lokal yang "
                "dipakai; isi website_db_host bila database memang di host lain",
                [str(found.get("password") or ""), str(params["login_password"] or "")])
    database.update({k: v for k, v in overrides.items() if v})
    return database, warning


def main() -> None:
    spec: dict[str, Any] = {
        "root": {"type": "path", "required": True},
        "cms": {"type": "str", "default": "auto",
                "choices": ["auto", "wordpress", "joomla", "drupal", "static"]},
        "domain": {"type": "str", "default": ""},
        "database": {"type": "str", "default": ""},
        "newest_content": {"type": "bool", "default": True},
        "client_binary": {"type": "str", "default": ""},
        **LOGIN_ARGUMENT_SPEC,
    }
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    try:
        site = detect(p["root"], p["cms"], p["domain"])
    except CmsError as exc:
        module.fail_json(msg=f"CMS situs tidak dapat dibaca: {exc}")
    # The warnings in `notes` too: the role runs this module no_log (its `login` holds
    # the password), which hides `warnings` from the record; a task after it shows these.
    result: dict[str, Any] = {"changed": False, "newest_content": None, **site}
    for note in site["notes"]:
        module.warn(note)
    if site["database"] is not None:
        db, warning = merged_database(site["database"], p, site["config"],
                                      "$databases host" if site["cms"] == "drupal" else "DB_HOST")
        unset = unset_login(site, db)
        if unset:
            module.fail_json(msg=f"CMS situs tidak dapat dibaca: {unset}")
        if warning:
            module.warn(warning)
            result["notes"].append(warning)
        result["login"] = {"login_user": db["user"], "login_password": db["password"],
                           "login_host": db["host"], "login_port": db["port"],
                           "login_unix_socket": db["socket"], "database": db["name"]}
        result["database"] = {k: v for k, v in db.items() if k != "password"}
        # a Drupal whose version is unread: its content table unknown (notes say so)
        if p["newest_content"] and (site["cms"] != "drupal" or site["version"]):
            binary = p["client_binary"] or find_binary(CLIENT_BINARIES)
            if not binary:
                module.fail_json(msg="mariadb/mysql client not found on the web server")
            conn = Connection(binary=str(binary), database=db["name"], user=db["user"],
                              password=db["password"], host=db["host"], port=db["port"],
                              socket=db["socket"], timeout=60)
            try:
                rows = query(conn, newest_content_sql(site["cms"], db["table_prefix"],
                                                      site["version"]))
            except (MariaDBError, CmsError) as exc:
                # Everything found is still returned: the backup and the integrity check
                # must try the database (and fail naming it), not skip it silently.
                module.fail_json(msg=f"database CMS {db['name']} tidak menjawab: {exc}", **result)
            result["newest_content"] = rows[0][0] if rows and rows[0] else None
    module.exit_json(**result)


if __name__ == "__main__":
    main()
