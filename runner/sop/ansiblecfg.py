"""The two Ansible settings `sop run` needs before it starts ansible-playbook (callback
plugin paths, enabled callbacks), read as Ansible reads them without importing Ansible
(`ansible.constants` costs 0.1-0.2 s); anything unusual falls back to Ansible itself."""

# ruff: noqa: PLC0415

from __future__ import annotations

import configparser
import os
import stat
from pathlib import Path

_DEFAULT_CALLBACK_PATH = "~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback"


def _config_file() -> Path | None:
    """ANSIBLE_CONFIG, ./ansible.cfg (unless cwd is world-writable), ~/.ansible.cfg,
    /etc/ansible/ansible.cfg: the first readable one."""
    candidates = []
    explicit = os.environ.get("ANSIBLE_CONFIG")
    if explicit is not None:
        path = Path(os.path.normpath(os.path.abspath(os.path.expanduser(explicit))))
        candidates.append(path / "ansible.cfg" if path.is_dir() else path)
    try:
        if not os.stat(os.getcwd()).st_mode & stat.S_IWOTH:
            candidates.append(Path.cwd() / "ansible.cfg")
    except OSError:
        pass
    candidates += [Path("~/.ansible.cfg").expanduser(), Path("/etc/ansible/ansible.cfg")]
    return next((p for p in candidates if p.exists() and os.access(p, os.R_OK)), None)


def _resolve(path: str, basedir: Path) -> str:
    path = path.replace("{{CWD}}", os.getcwd())
    final = os.path.expanduser(os.path.expandvars(path))
    return os.path.normpath(os.path.join(basedir, final))


def _unquote(text: str) -> str:
    quoted = len(text) > 1 and text[0] == text[-1] and text[0] in "\"'" and text[-2] != "\\"
    return text[1:-1] if quoted else text


def _from_ansible() -> tuple[list[str], list[str]]:
    import ansible.constants as C

    paths = [str(p) for p in (C.DEFAULT_CALLBACK_PLUGIN_PATH or [])]
    return paths, [str(c) for c in (C.CALLBACKS_ENABLED or [])]


def callback_settings() -> tuple[list[str], list[str]]:
    """(DEFAULT_CALLBACK_PLUGIN_PATH, CALLBACKS_ENABLED) as ansible-playbook would see them."""
    config = _config_file()
    defaults: dict[str, str] = {}
    if config is not None:
        if config.suffix not in (".cfg", ".ini"):
            return _from_ansible()
        parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
        try:
            parser.read_string(config.read_text(encoding="utf-8"))
            if parser.has_section("defaults"):
                defaults = dict(parser.items("defaults"))
        except (configparser.Error, OSError, UnicodeDecodeError):
            return _from_ansible()
    env_paths = os.environ.get("ANSIBLE_CALLBACK_PLUGINS")
    if env_paths is not None:
        paths, basedir = env_paths, Path.cwd()
    elif "callback_plugins" in defaults and config is not None:
        paths, basedir = defaults["callback_plugins"], config.parent
    elif "ANSIBLE_HOME" in os.environ or "home" in defaults:
        return _from_ansible()  # the default path depends on ANSIBLE_HOME
    else:
        paths, basedir = _DEFAULT_CALLBACK_PATH, Path.cwd()
    enabled = os.environ.get("ANSIBLE_CALLBACKS_ENABLED", defaults.get("callbacks_enabled", ""))
    if "{{" in paths.replace("{{CWD}}", "") or "{{" in enabled:
        return _from_ansible()
    return (
        [_resolve(p, basedir) for p in paths.split(os.pathsep)],
        [name for name in (_unquote(x.strip()) for x in enabled.split(",")) if name],
    )
