"""`-e` arguments: values go to ansible-playbook through a private file, only NAMES are
recorded (never values)."""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sop.errors import SopError
from sop.inventory import VAULT_HEADER
from sop.untrusted import is_text


@dataclass
class ExtraVars:
    values: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


class _VarsLoader(yaml.SafeLoader):
    """YAML as Ansible reads a vars file, for its names: a value tagged `!vault` or
    `!unsafe` (Ansible's tags) is a value, not an error."""


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
    if raw.lstrip().startswith(VAULT_HEADER):
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


def parse_extra_vars(arguments: Sequence[str]) -> ExtraVars:
    """Parse -e arguments like ansible-playbook does: key=value, JSON/YAML, @file."""
    parsed = ExtraVars()
    for argument in arguments:
        if not is_text(argument):  # ansible-playbook would run, and fail on it
            raise SopError("-e: not UTF-8 text (value not shown)")
        text = argument.strip()
        if text.startswith("@"):
            path = Path(text[1:]).expanduser()
            if not path.is_file():
                raise SopError(f"-e {text}: file not found")
            parsed.names.extend(_file_names(text, path))
            parsed.files.append(str(path.resolve()))
        elif text.startswith(("{", "[")):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                raise SopError("-e: not valid JSON/YAML (value not shown)") from None
            if not isinstance(data, dict):
                raise SopError("-e: JSON/YAML extra vars must be a mapping")
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
            parsed.values.update(data)
            parsed.names.extend(data)
    parsed.names = sorted(set(parsed.names))
    return parsed
