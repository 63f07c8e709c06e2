#!/usr/bin/python
# GPL-3.0-or-later
"""WordPress core and plugin versions against the versions available."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_wordpress
short_description: Report WordPress core and plugins older than the versions available
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
  - Reports only; never changes anything.
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
  description: Findings of kind wordpress_core and wordpress_plugin.
  returned: success
  type: list
  elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import os  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_security import (  # noqa: E402
    SecurityInputError,
    finding,
    summary,
    version_key,
)
from ansible.module_utils.sop_tree import read_start  # noqa: E402

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
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        available = available_versions(p["available"])
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    cores = [{"root": root, "version": version} for root in p["roots"]
             if (version := core_version(root)) is not None]
    folders = list(dict.fromkeys(
        [os.path.realpath(os.path.join(root, "wp-content", "plugins")) for root in p["roots"]]
        + [os.path.realpath(folder) for folder in p["plugin_dirs"]]))
    plugins = [plugin for folder in folders for plugin in plugins_in(folder)]
    apt: tuple[str | None, str | None] = (None, None)
    apt_cache = module.get_bin_path("apt-cache") if p["apt_package"] else None
    if apt_cache:
        rc, out, err = run_limited(module, [apt_cache, "policy", p["apt_package"]],
                                   p["timeout"], environ_update={"LC_ALL": "C"})
        if rc is None:
            module.fail_json(msg=f"apt-cache policy {p['apt_package']} tidak selesai dalam "
                                 f"{p['timeout']} detik")
        if rc != 0:
            module.fail_json(msg=f"apt-cache policy {p['apt_package']} failed: {err.strip() or rc}")
        apt = parse_policy(out)
    findings = assess(cores, plugins, available, apt)
    module.exit_json(changed=False, core=cores, plugins=plugins, apt={"installed": apt[0], "candidate": apt[1]},
                     findings=findings, sop_output={
                         "wordpress": [f"{c['root']}: {c['version']}" for c in cores],
                         "plugins": list(dict.fromkeys(f"{x['slug']} {x['version'] or '?'} ({x['status']})"
                                                       for x in plugins)),
                         "findings": summary(findings)})


if __name__ == "__main__":
    main()
