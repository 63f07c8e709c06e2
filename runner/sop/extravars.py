"""`-e` arguments: values go to ansible-playbook through a private file, only NAMES are
recorded (never values)."""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sop.errors import SopError
from sop.untrusted import is_text


@dataclass
class ExtraVars:
    values: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _file_names(path: Path) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return [f"@{path.name}"]  # vaulted or not YAML: record the file, not its content
    return sorted(map(str, data)) if isinstance(data, dict) else [f"@{path.name}"]


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
            parsed.files.append(str(path.resolve()))
            parsed.names.extend(_file_names(path))
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
