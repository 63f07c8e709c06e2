"""`-e` arguments: values go to ansible-playbook through a private file, only NAMES are
recorded (never values). A name with a project role's prefix (`sipp_backup_`) that the
role does not know is refused, in -e as in the court's inventory (`refuse_unknown_settings`):
Ansible ignores an unknown variable, so a typo ran as if the setting had been given."""

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
from typing import Any

import yaml

from sop import inventory
from sop.errors import SopError
from sop.untrusted import is_text


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
_JINJA = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
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

    def refuse_unknown(self, names: Iterable[str], given: str) -> None:
        """SopError for the first name with a role's prefix that no such role knows, or
        that is a role's internal variable (`<role>__name`); `given`: where the names are
        set, the start of the line (`-e `, `-e @vars.yml: `)."""
        for name in names:
            problem = self.problem(name)
            if problem:
                raise SopError(f"{given}{name}: {problem}")

    def problem(self, name: str) -> str | None:
        """Why `name` is refused, None when it is not (no role's prefix, or a variable
        of its role, or its role's files unreadable)."""
        import difflib

        # the longest prefix: of sipp_ and sipp_backup_, sipp_backup_
        role = max((r for r in self.roles if name.startswith(f"{r}_")), key=len, default=None)
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


def parse_extra_vars(arguments: Sequence[str], project: Path | None = None) -> ExtraVars:
    """Parse -e arguments like ansible-playbook does: key=value, JSON/YAML, @file; with
    `project`, a name with one of its roles' prefixes that the role does not know is
    refused (a vaulted @file's names are not read: not checked)."""
    parsed = ExtraVars()
    roles = _RoleVariables(project) if project is not None else None
    for argument in arguments:
        if not is_text(argument):  # ansible-playbook would run, and fail on it
            raise SopError("-e: not UTF-8 text (value not shown)")
        text = argument.strip()
        if text.startswith("@"):
            path = Path(text[1:]).expanduser()
            if not path.is_file():
                raise SopError(f"-e {text}: file not found")
            names = _file_names(text, path)
            if roles is not None:
                roles.refuse_unknown(names, f"-e {text}: ")
            parsed.names.extend(names)
            parsed.files.append(str(path.resolve()))
        elif text.startswith(("{", "[")):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                raise SopError("-e: not valid JSON/YAML (value not shown)") from None
            if not isinstance(data, dict):
                raise SopError("-e: JSON/YAML extra vars must be a mapping")
            if roles is not None:
                roles.refuse_unknown(map(str, data), "-e ")
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
            if roles is not None:
                roles.refuse_unknown(data, "-e ")
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
