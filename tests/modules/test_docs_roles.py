"""Each role's documented interface matches its code: every variable of
defaults/main.yml is in meta/argument_specs.yml and the other way round, with the
documented type, choices and default; every role variable the READMEs name exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(path.parent.parent for path in ROOT.glob("roles/*/meta/argument_specs.yml"))
# What a court's admin reads to set a role's variables.
DOCS = [ROOT / "README.md", *sorted(ROOT.glob("roles/*/README.md"))]
TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str, "path": str, "int": int, "float": (int, float), "bool": bool,
    "list": list, "dict": dict,
}
# The keys of an option in a role argument spec (Ansible's validate_argument_spec); any
# other is a slip, e.g. a flow mapping's description cut at a comma into a second key.
SPEC_KEYS = {"type", "elements", "description", "default", "required", "choices", "options",
             "no_log", "aliases", "apply_defaults", "version_added", "mutually_exclusive",
             "required_if", "required_one_of", "required_together", "required_by"}


# A description of what true (or false) does: a bool's. A variable of another type
# carrying one has its switch's description copied (website_quarantine_dir had
# website_quarantine's 'true: move each planted file ...').
_SWITCH = re.compile(r"(true|false):", re.IGNORECASE)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), path
    return data


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _default_matches(documented: Any, value: Any) -> bool:
    """The default in defaults/main.yml is the documented one, or a court-wide variable
    falling back to it (``{{ sipp_db_name | default('sipp') }}``)."""
    if documented == value:
        return True
    if _templated(value):
        fallback = re.fullmatch(r"\{\{ *[a-z_]+ *\| *default\((['\"]?)(.*?)\1\) *\}\}", value)
        return fallback is not None and fallback.group(2) == str(documented)
    return False


def problems(role: Path) -> list[str]:
    defaults = _load(role / "defaults" / "main.yml")
    specs = _load(role / "meta" / "argument_specs.yml")["argument_specs"]
    found: list[str] = []
    documented: set[str] = set()
    for entry, spec in specs.items():
        options = spec.get("options") or {}
        documented |= set(options)
        for name, option in options.items():
            where = f"{role.name} {entry}: {name}"
            if "description" not in option:
                found.append(f"{where} has no description")
            elif _SWITCH.match(str(option["description"])) and option.get("type") != "bool":
                found.append(f"{where} is {option.get('type', 'str')} but describes a switch "
                             "(a true/false variable's description copied)")
            for key in sorted(set(option) - SPEC_KEYS):
                found.append(f"{where} has the unknown key {key!r}")
            if name not in defaults:
                found.append(f"{where} is documented but has no default in defaults/main.yml")
                continue
            value = defaults[name]
            kind = option.get("type", "str")
            wrong_type = kind in TYPES and (not isinstance(value, TYPES[kind]) or (
                kind in ("int", "float") and isinstance(value, bool)))
            if value is not None and not _templated(value) and wrong_type:
                found.append(f"{where} is {kind} but defaults to {value!r}")
            for item in (value if isinstance(value, list) else [value]):
                if "choices" in option and not _templated(item) and item not in option["choices"]:
                    found.append(f"{where} defaults to {item!r}, not one of {option['choices']}")
            if "default" in option and not _default_matches(option["default"], value):
                found.append(f"{where} documents default {option['default']!r}, "
                             f"defaults/main.yml has {value!r}")
    for name in sorted(set(defaults) - documented):
        found.append(f"{role.name}: {name} is in defaults/main.yml but not in argument_specs.yml")
    return found


# Inline code and code blocks of a README, and the snake_case names in them.
_CODE = re.compile(r"`([^`]+)`")
_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _variables(role: Path) -> set[str]:
    options: set[str] = set()
    for spec in _load(role / "meta" / "argument_specs.yml")["argument_specs"].values():
        options |= set(spec.get("options") or {})
    return set(_load(role / "defaults" / "main.yml")) | options


def unknown_variables(text: str, variables: dict[str, set[str]], others: set[str]) -> list[str]:
    """The names in `code` that start with a role's prefix (`website_`) but are none of
    that role's variables (a variable renamed or removed, still in the README), nor one
    of `others`: a module (`website_check`) or a variable a playbook reads
    (`server_maintenance_hosts`)."""
    prefixes = sorted(variables, key=len, reverse=True)  # sipp_backup_ before a sipp_ role
    found: list[str] = []
    for code in _CODE.findall(text):
        for name in _NAME.findall(code):
            role = next((r for r in prefixes if name.startswith(r + "_")), None)
            if role is not None and name not in variables[role] and name not in others:
                found.append(f"{name} (role {role})")
    return sorted(set(found))


@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_role_defaults_match_argument_specs(role: Path) -> None:
    assert problems(role) == []


@pytest.fixture(scope="module")
def known() -> tuple[dict[str, set[str]], set[str]]:
    """Each role's variables; the modules and the names the playbooks use."""
    others = {path.stem for path in (ROOT / "library").glob("*.py")}
    for playbook in (ROOT / "playbooks").glob("*.yml"):
        others |= set(_NAME.findall(playbook.read_text(encoding="utf-8")))
    return {role.name: _variables(role) for role in ROLES}, others


@pytest.mark.parametrize("doc", DOCS, ids=[doc.relative_to(ROOT).as_posix() for doc in DOCS])
def test_documented_role_variables_exist(
        doc: Path, known: tuple[dict[str, set[str]], set[str]]) -> None:
    assert unknown_variables(doc.read_text(encoding="utf-8"), *known) == []


def test_an_unknown_documented_variable_is_found() -> None:
    text = ("Set `demo_port` (22) and `demo_gone: 1`; `demo_check` is a module, `demo_hosts`\n"
            "a playbook's; `demo_sub_mode` is demo_sub's.\n```sh\nsop run demo -e demo_old=1\n```")
    variables = {"demo": {"demo_port"}, "demo_sub": {"demo_sub_mode"}}
    assert unknown_variables(text, variables, {"demo_check", "demo_hosts"}) == [
        "demo_gone (role demo)", "demo_old (role demo)"]


def test_a_mismatch_is_found(tmp_path: Path) -> None:
    role = tmp_path / "demo"
    (role / "defaults").mkdir(parents=True)
    (role / "meta").mkdir()
    (role / "defaults" / "main.yml").write_text(
        "demo_port: '22'\ndemo_mode: fast\ndemo_user: \"{{ court_user | default('x') }}\"\n"
        "demo_extra: 1\n")
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": {"main": {
        "options": {
            "demo_port": {"type": "int", "description": "d"},
            "demo_mode": {"choices": ["slow"], "description": "d"},
            "demo_user": {"default": "y", "description": "d"},
            "demo_gone": {"type": "str"},
            "demo_cut": {"description": "one", "two).": None},
            "demo_dir": {"type": "str", "description": "true: move files into demo_dir."},
        }}}}))
    assert sorted(problems(role)) == sorted([
        "demo main: demo_port is int but defaults to '22'",
        "demo main: demo_mode defaults to 'fast', not one of ['slow']",
        "demo main: demo_user documents default 'y', defaults/main.yml has "
        "\"{{ court_user | default('x') }}\"",
        "demo main: demo_gone has no description",
        "demo main: demo_gone is documented but has no default in defaults/main.yml",
        "demo main: demo_cut has the unknown key 'two).'",
        "demo main: demo_cut is documented but has no default in defaults/main.yml",
        "demo main: demo_dir is str but describes a switch (a true/false variable's "
        "description copied)",
        "demo main: demo_dir is documented but has no default in defaults/main.yml",
        "demo: demo_extra is in defaults/main.yml but not in argument_specs.yml",
    ])
