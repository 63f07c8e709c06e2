"""`-e` arguments: values go to ansible-playbook through a private file, only NAMES are
recorded (never values); a secret (a password, a token) is taken only from an @file. A
name with a project role's prefix (`sipp_backup_`) that the role does not know is
refused, in -e as in the court's inventory (`refuse_unknown_settings`): Ansible ignores
an unknown variable, so a typo ran as if the setting had been given. An -e name of a
role the SOP's playbook does not play (`sop run network -e website_backup_force=1`) is
refused too, unless what it plays reads that name (`_SopRoles`); the inventory's are
not: it holds every SOP's settings."""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sop import inventory
from sop.errors import SopError
from sop.paths import not_a_file
from sop.untrusted import is_text

if TYPE_CHECKING:
    from sop.catalogue import Sop


@dataclass
class ExtraVars:
    values: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


# YAML as Ansible reads a vars file, for its names (libyaml's loader where installed: a
# run reads its roles' files): a value tagged `!vault` or `!unsafe` (Ansible's tags) is a
# value, not an error.
_VarsLoader: type[yaml.SafeLoader] = type(
    "_VarsLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {}
)


def _any_value(_loader: yaml.SafeLoader, _node: yaml.Node) -> None:
    return None


for _tag in ("!vault", "!unsafe"):
    _VarsLoader.add_constructor(_tag, _any_value)


def _file_names(given: str, path: Path) -> list[str]:
    """The names an @file sets; SopError for one ansible-playbook refuses (after the
    execution is recorded): no YAML, or YAML that is no mapping (empty, a list). A vaulted
    file is recorded by its name, its content unread."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SopError(f"-e {given}: {exc.strerror}") from None
    if raw.lstrip().startswith(inventory.VAULT_HEADER):
        return [f"@{path.name}"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SopError(f"-e {given}: not UTF-8 text (content not shown)") from None
    try:
        data = json.loads(text)  # as Ansible: JSON first (a tab-indented file), then YAML
    except ValueError:
        try:
            data = yaml.load(text, Loader=_VarsLoader)  # noqa: S506 (a SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise SopError(f"-e {given}: not valid YAML{where} (content not shown)") from None
    if not isinstance(data, dict):
        raise SopError(f"-e {given}: extra vars must be a mapping (name: value lines)")
    return sorted(map(str, data))


# A role's variables: its defaults', its vars' and its argument specs' options.
_ROLE_FILES = ("defaults/main.yml", "vars/main.yml", "meta/argument_specs.yml")
# A secret's name (a role's `*_password`, a router's `password`, an inventory's `vault_*`):
# not taken as key=value or inline JSON/YAML, which every account of this computer reads
# in the process list and the shell keeps in its history; -e @FILE (vaulted) or the
# inventory's vault carry it. Narrower than the masking's sop_secrets.SECRET_SETTING_KEY on
# purpose: masking a path too is harmless, refusing one is not (website_backup_ssh_key,
# sop_controller_vault_password_file name files, which that key pattern matches).
_SECRET = re.compile(r"(?:^|_)(?:password|passwd|passphrase|secret|token)$|^vault_", re.I)
_JINJA = re.compile(r"\{[{%](.*?)[}%]\}", re.DOTALL)  # {{ expression }}, {% statement %}
_NAME = re.compile(r"[A-Za-z_]\w*")


class _RoleVariables:
    """The variables the project's roles know, read (their small YAML files) only for a
    name that carries a role's prefix: `<role>_` for each directory under roles/."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self._known: dict[str, set[str] | None] = {}

    @cached_property
    def roles(self) -> list[str]:
        try:
            with os.scandir(self.project / "roles") as entries:
                return [e.name for e in entries if e.is_dir() and not e.name.startswith(".")]
        except OSError:
            return []

    @cached_property
    def playbook_names(self) -> set[str]:
        """The names the playbooks read in their Jinja, as playbooks/server_maintenance.yml
        reads `server_maintenance_hosts | default(...)`: a role's prefix, no role's file."""
        names: set[str] = set()
        for path in (self.project / "playbooks").glob("*.yml"):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # ansible-playbook names it, if it is the SOP's
            for expression in _JINJA.findall(text):
                names.update(_NAME.findall(expression))
        return names

    def known(self, role: str) -> set[str] | None:
        """The role's variables; None when one of its files cannot be read (the playbook
        names it): then nothing is refused for that role."""
        if role not in self._known:
            names = {name for name in self.playbook_names if name.startswith(f"{role}_")}
            try:
                for relative in _ROLE_FILES:
                    path = self.project / "roles" / role / relative
                    if path.is_file():
                        names.update(_declared(relative, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                self._known[role] = None
            else:
                self._known[role] = names
        return self._known[role]

    def listing(self, role: str) -> str:
        """Where the role's settings are listed: its defaults, else its README."""
        defaults = Path("roles", role, "defaults", "main.yml")
        if (self.project / defaults).is_file():
            return str(defaults)
        return str(Path("roles", role, "README.md"))

    def refuse_unknown(
        self, names: Iterable[str], given: str, sop: _SopRoles | None = None
    ) -> None:
        """SopError for the first name with a role's prefix that no such role knows, or
        that is a role's internal variable (`<role>__name`), or, with `sop`, a variable of
        a role that SOP neither plays nor reads; `given`: where the names are set, the
        start of the line (`-e `, `-e @vars.yml: `)."""
        for name in names:
            problem = self.problem(name)
            if problem is None and sop is not None:
                problem = sop.problem(name, self.role_of(name))
            if problem:
                raise SopError(f"{given}{name}: {problem}")

    def role_of(self, name: str) -> str | None:
        """The role whose prefix `name` has, the longest: of sipp_ and sipp_backup_,
        sipp_backup_."""
        return max((r for r in self.roles if name.startswith(f"{r}_")), key=len, default=None)

    def problem(self, name: str) -> str | None:
        """Why `name` is refused, None when it is not (no role's prefix, or a variable
        of its role, or its role's files unreadable)."""
        import difflib

        role = self.role_of(name)
        if role is None:
            return None
        if name.startswith(f"{role}__"):
            return (
                f"an internal variable of role {role} (two underscores), not a setting; "
                f"{self.listing(role)} lists its settings"
            )
        known = self.known(role)
        if known is None or name in known:
            return None
        # the part after the prefix: network_ping_count is not network_probe_timeout
        settings = {
            variable[len(role) + 1 :]: variable
            for variable in sorted(known)
            if variable.startswith(f"{role}_") and not variable.startswith(f"{role}__")
        }
        close = difflib.get_close_matches(name[len(role) + 1 :], list(settings), n=1)
        hint = (
            f"did you mean {settings[close[0]]}?" if close
            else f"{self.listing(role)} lists them"
        )
        return f"role {role} has no variable of that name ({hint})"


def _declared(relative: str, text: str) -> list[str]:
    """The variables a role's file declares: a vars file's keys, every entry point's
    options of meta/argument_specs.yml."""
    data = yaml.load(text, Loader=_VarsLoader)  # noqa: S506 (a SafeLoader)
    if not isinstance(data, dict):
        return []  # an empty file
    if relative != "meta/argument_specs.yml":
        return list(map(str, data))
    specs = data.get("argument_specs")
    return [
        str(option)
        for spec in (specs.values() if isinstance(specs, dict) else ())
        if isinstance(spec, dict) and isinstance(spec.get("options"), dict)
        for option in spec["options"]
    ]


# What names the roles a playbook plays: a play's `roles:`, a role's meta `dependencies:`,
# a task importing or including a role (whole or `tasks_from`); and a playbook it imports.
_ROLE_TASKS = frozenset(
    f"{prefix}{action}"
    for prefix in ("", "ansible.builtin.", "ansible.legacy.")
    for action in ("import_role", "include_role")
)
_ROLE_LISTS = ("roles", "dependencies")
_PLAYBOOK_TASKS = frozenset(("import_playbook", "ansible.builtin.import_playbook"))
# A played role's files read: those that name roles (tasks, handlers, meta) and those
# that read variables (these and its defaults and vars); its templates for their Jinja.
_PLAYED_DIRS = ("tasks", "handlers", "meta", "defaults", "vars")


class _Untold(Exception):
    """A role or playbook named by a template (or in a form not read here), or a file that
    cannot be read: what the SOP plays is not told, nothing refused (ansible-playbook
    names a bad file)."""


class _SopRoles:
    """The project roles a SOP's playbook plays, with the playbooks it imports and the
    roles those roles play in turn (the website SOP plays sipp_backup's push set-up by
    include_role `tasks_from`), and the names all of these read, as it_security's defaults
    read website_backup_remote_user: read only for an -e name with a role's prefix."""

    def __init__(self, project: Path, sop: Sop, inventory_source: str | None) -> None:
        self.project = project
        self.sop = sop
        self.inventory_source = inventory_source
        self._files: dict[Path, Any] = {}  # each YAML file of the SOP's plays, as read

    def _read(self, path: Path) -> Any:
        if path not in self._files:
            try:
                self._files[path] = yaml.load(path.read_bytes(), Loader=_VarsLoader)  # noqa: S506
            except (OSError, yaml.YAMLError):
                raise _Untold from None
        return self._files[path]

    @cached_property
    def played(self) -> list[str] | None:
        """The project roles played, in the order found; None when that is not told."""
        if self.sop.playbook is None:
            return []
        roles_dir = self.project / "roles"
        played: list[str] = []
        playbooks = [self.project / self.sop.playbook]
        try:
            names: list[Any] = []
            while playbooks:
                path = playbooks.pop()
                if path not in self._files:
                    imported = _named(self._read(path), names)
                    playbooks += [path.parent / _literal(name) for name in imported]
            while names:
                role = Path(_literal(names.pop())).name  # a role's path: its directory's name
                if role in played or not (roles_dir / role).is_dir():
                    continue  # a collection's role (namespace.collection.name): not the project's
                played.append(role)
                for directory in _PLAYED_DIRS:
                    for path in sorted((roles_dir / role / directory).rglob("*.y*ml")):
                        data = self._read(path)
                        if directory not in ("defaults", "vars"):  # variables, no roles
                            _named(data, names)
        except _Untold:
            return None
        return played

    @cached_property
    def reads(self) -> set[str]:
        """The names in the strings of the SOP's plays' files (their Jinja, `when:`, a
        variable's name given as a value), in its roles' templates' Jinja, and in the
        Jinja of the court's inventory (`it_security_x: "{{ website_y }}"`): given with
        -e, each is read. Of plain files only: a vaulted inventory file is not decrypted."""
        names: set[str] = set()
        for data in self._files.values():
            _strings(data, names)
        templates = [
            path
            for role in self.played or ()
            for path in (self.project / "roles" / role / "templates").rglob("*")
        ]
        if self.inventory_source is not None:
            templates += inventory.inventory_files(self.inventory_source)
        for path in templates:
            try:
                raw = path.read_bytes()
            except OSError:
                continue  # a directory; else ansible-playbook names it
            if not raw.startswith(inventory.VAULT_HEADER):
                for expression in _JINJA.findall(raw.decode("utf-8", "replace")):
                    names.update(_NAME.findall(expression))
        return names

    def problem(self, name: str, role: str | None) -> str | None:
        """Why `name`, of `role` (its prefix's), is refused for this SOP: the role is not
        played and nothing played reads the name. None when it is, or when what the SOP
        plays is not told."""
        if role is None or self.played is None or role in self.played or name in self.reads:
            return None
        roles = (
            "it has no playbook" if self.sop.playbook is None
            else f"its roles: {', '.join(sorted(self.played))}" if self.played
            else "it plays no role of the project"
        )
        return f"a setting of role {role}, which SOP {self.sop.id} does not play ({roles})"


def _literal(name: Any) -> str:
    """A role's or playbook's name as given; _Untold for a template or no name."""
    if not isinstance(name, str) or not name or "{" in name:
        raise _Untold
    return name


def _named(node: Any, roles: list[Any]) -> list[Any]:
    """The playbooks `node` (a playbook, a role's file) imports; the roles it plays
    appended to `roles`."""
    imported: list[Any] = []
    if isinstance(node, list):
        for item in node:
            imported += _named(item, roles)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _ROLE_TASKS:
                roles.append(value.get("name") if isinstance(value, dict) else None)
            elif key in _ROLE_LISTS and isinstance(value, list):
                roles += [
                    item.get("role", item.get("name")) if isinstance(item, dict) else item
                    for item in value
                ]
            elif key in _PLAYBOOK_TASKS:
                imported.append(value)
            else:
                imported += _named(value, roles)
    return imported


def _strings(node: Any, names: set[str]) -> None:
    """The names in `node`'s strings, keys and values, added to `names`."""
    if isinstance(node, str):
        names.update(_NAME.findall(node))
    elif isinstance(node, list):
        for item in node:
            _strings(item, names)
    elif isinstance(node, dict):
        for key, value in node.items():
            _strings(key, names)
            _strings(value, names)


def _secrets(data: Any, where: str = "") -> list[str]:
    """Where secrets (_SECRET) are among the keys of ``data``, at any depth (the
    routers' list of mappings holds each one's password): `network_routeros_routers[0].password`."""
    if isinstance(data, dict):
        return [
            found
            for key, value in data.items()
            for path in [f"{where}.{key}" if where else str(key)]
            for found in ([path] if _SECRET.search(str(key)) else []) + _secrets(value, path)
        ]
    if isinstance(data, list):
        return [found for i, item in enumerate(data) for found in _secrets(item, f"{where}[{i}]")]
    return []


def _refuse_secrets(data: dict[str, Any]) -> None:
    """SopError naming the first secret given inline (key=value, JSON/YAML)."""
    secrets = _secrets(data)
    if secrets:
        raise SopError(
            f"-e {secrets[0]}: a secret is not taken on the command line (every account of "
            "this computer can read it in the process list, and the shell keeps it in its "
            "history): put it in the inventory's vault, or in a file given as -e @FILE "
            "(encrypted with ansible-vault)"
        )


def parse_extra_vars(
    arguments: Sequence[str],
    project: Path | None = None,
    sop: Sop | None = None,
    inventory_source: str | None = None,
) -> ExtraVars:
    """Parse -e arguments like ansible-playbook does: key=value, JSON/YAML, @file; with
    `project`, a name with one of its roles' prefixes that the role does not know is
    refused (a vaulted @file's names are not read: not checked), and with `sop` too, one
    of a role the SOP's playbook does not play and nothing it plays reads, nor the Jinja
    of `inventory_source`."""
    parsed = ExtraVars()
    roles = _RoleVariables(project) if project is not None else None
    played = _SopRoles(project, sop, inventory_source) if project and sop else None
    for argument in arguments:
        if not is_text(argument):  # ansible-playbook would run, and fail on it
            raise SopError("-e: not UTF-8 text (value not shown)")
        text = argument.strip()
        if text.startswith("@"):
            path = Path(text[1:]).expanduser()
            problem = not_a_file(path)
            if problem:
                raise SopError(f"-e {text}: {problem}")
            names = _file_names(text, path)
            if roles is not None:
                roles.refuse_unknown(names, f"-e {text}: ", played)
            parsed.names.extend(names)
            parsed.files.append(str(path.resolve()))
        elif text.startswith(("{", "[")):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                raise SopError("-e: not valid JSON/YAML (value not shown)") from None
            if not isinstance(data, dict):
                raise SopError("-e: JSON/YAML extra vars must be a mapping")
            _refuse_secrets(data)
            if roles is not None:
                roles.refuse_unknown(map(str, data), "-e ", played)
            parsed.values.update(data)
            parsed.names.extend(map(str, data))
        else:
            from ansible.errors import AnsibleError
            from ansible.parsing.splitter import parse_kv

            try:
                data = parse_kv(text)
            except AnsibleError:  # an unbalanced quote or jinja2 block; its message quotes it
                data = {}
            if not data or "_raw_params" in data:
                raise SopError("-e: expected key=value, JSON or @file (value not shown)")
            _refuse_secrets(data)
            if roles is not None:
                roles.refuse_unknown(data, "-e ", played)
            parsed.values.update(data)
            parsed.names.extend(data)
    parsed.names = sorted(set(parsed.names))
    return parsed


def refuse_unknown_settings(
    project: Path, source: str, limit: str | None, vault: inventory.VaultOptions
) -> None:
    """SopError for the first variable the inventory `source` sets for its hosts in scope
    (--limit's) and their groups that the role of its prefix does not know, as for -e,
    naming where it is set (inventory.set_variables). Ansible reads the inventory only
    when its files hold such a name (inventory.words): a run's start stays short."""
    roles = _RoleVariables(project)
    words = inventory.words(source, vault)
    if words is not None and not any(map(roles.problem, words)):
        return
    for where, name in inventory.set_variables(source, limit, vault):
        roles.refuse_unknown([name], f"inventory: {where}: ")
