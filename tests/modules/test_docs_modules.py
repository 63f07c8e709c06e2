"""Each module's documentation matches its code: DOCUMENTATION's options (doc fragments
merged, as ansible-doc renders them) are exactly the argument_spec the module gives
AnsibleModule, with the same type, default, choices, elements and aliases, and every
EXAMPLES task parses as YAML, uses the module and only options it accepts, with every
required one."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.module_utils import basic
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

ROOT = Path(__file__).resolve().parents[2]
# library/sop_output.py and library/sop_warning.py document the action plugins of their
# names in plugins/action/.
DOC_ONLY = {"sop_output", "sop_warning"}
MODULES = sorted(path.stem for path in ROOT.glob("library/*.py"))
FIELDS: dict[str, Any] = {"type": "str", "required": False, "default": None, "choices": None,
                          "elements": None, "aliases": None}
TASK_KEYWORDS = {"name", "register", "when", "become", "become_user", "delegate_to",
                 "run_once", "no_log", "check_mode", "changed_when", "failed_when", "loop",
                 "loop_control", "vars", "tags", "environment", "ignore_errors", "until",
                 "retries", "delay", "notify", "timeout"}


class _Captured(Exception):
    pass


def argument_spec(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the module's main() hands AnsibleModule (read before anything runs)."""
    got: dict[str, Any] = {}

    class Capture:
        def __init__(self, **kwargs: Any) -> None:
            got.update(kwargs)
            raise _Captured

    spec = importlib.util.spec_from_file_location(f"sop_docs_{name}",
                                                  ROOT / "library" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(basic, "AnsibleModule", Capture)
    spec.loader.exec_module(module)
    with pytest.raises(_Captured):
        module.main()
    result = got["argument_spec"]
    assert isinstance(result, dict)
    return result


def documented(name: str) -> tuple[dict[str, Any], str]:
    os.environ.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
    doc, examples, _, _ = get_docstring(str(ROOT / "library" / f"{name}.py"), fragment_loader)
    assert doc, f"{name}: DOCUMENTATION does not parse"
    return doc, examples


def _normal(field: str, value: Any) -> Any:
    if field in ("aliases", "choices") and value is not None:
        return sorted(value, key=str)
    return value


def differences(where: str, docs: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    found = []
    for option in sorted(set(docs) | set(spec)):
        if option not in spec:
            found.append(f"{where}{option}: documented, not accepted")
            continue
        if option not in docs:
            found.append(f"{where}{option}: accepted, not documented")
            continue
        for field, absent in FIELDS.items():
            doc_value = _normal(field, docs[option].get(field, absent))
            code_value = _normal(field, spec[option].get(field, absent))
            if doc_value != code_value:
                found.append(f"{where}{option}: {field} documented {doc_value!r}, "
                             f"code {code_value!r}")
        if "options" in spec[option] or "suboptions" in docs[option]:
            found += differences(f"{where}{option}.", docs[option].get("suboptions") or {},
                                 spec[option].get("options") or {})
    return found


@pytest.mark.parametrize("name", [m for m in MODULES if m not in DOC_ONLY])
def test_documented_options_are_the_argument_spec(name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    doc, _ = documented(name)
    assert differences(f"{name}: ", doc.get("options") or {},
                       argument_spec(name, monkeypatch)) == []


def example_problems(name: str, options: dict[str, Any], examples: str) -> list[str]:
    try:
        tasks = yaml.safe_load(examples)
    except yaml.YAMLError as exc:
        return [f"{name}: EXAMPLES is not YAML: {exc}"]
    if not isinstance(tasks, list) or not tasks:
        return [f"{name}: EXAMPLES holds no task"]
    accepted = set(options) | {alias for option in options.values()
                               for alias in option.get("aliases") or []}
    found, used = [], False
    for task in tasks:
        actions = [key for key in task if key not in TASK_KEYWORDS]
        if len(actions) != 1:
            found.append(f"{name}: example {task.get('name')!r} has actions {actions}")
            continue
        if actions[0].rsplit(".", 1)[-1] != name:
            continue
        used = True
        args = task[actions[0]] or {}
        where = f"{name}: example {task.get('name')!r}"
        if not isinstance(args, dict):
            found.append(f"{where}: arguments are not a mapping")
            continue
        found += [f"{where}: unknown option {arg}" for arg in args if arg not in accepted]
        for option, spec in options.items():
            names = {option, *(spec.get("aliases") or [])}
            given = [args[n] for n in names if n in args]
            if spec.get("required") and not given:
                found.append(f"{where}: required option {option} missing")
            for value in given:
                if (spec.get("choices") and isinstance(value, str) and "{{" not in value
                        and value not in spec["choices"]):
                    found.append(f"{where}: {option}={value!r} is not one of {spec['choices']}")
    if not used:
        found.append(f"{name}: no example uses the module")
    return found


@pytest.mark.parametrize("name", MODULES)
def test_examples_use_documented_options(name: str) -> None:
    doc, examples = documented(name)
    assert example_problems(name, doc.get("options") or {}, examples) == []


def test_example_problems_are_found() -> None:
    options = {"path": {"type": "path", "required": True, "aliases": ["dest"]},
               "state": {"choices": ["read", "mark"]}}
    examples = ("- name: A\n  demo: {dest: /x, state: write}\n"
                "- name: B\n  demo: {path: /x, colour: red}\n"
                "- name: C\n  demo: {state: read}\n")
    assert example_problems("demo", options, examples) == [
        "demo: example 'A': state='write' is not one of ['read', 'mark']",
        "demo: example 'B': unknown option colour",
        "demo: example 'C': required option path missing",
    ]
    assert example_problems("demo", options, "- name: A\n  other: {}\n") == [
        "demo: no example uses the module"]
    assert example_problems("demo", options, "- a: [\n") [0].startswith(
        "demo: EXAMPLES is not YAML")


def test_option_differences_are_found() -> None:
    docs = {"a": {"type": "int", "default": 1}, "b": {"type": "str"},
            "c": {"type": "dict", "suboptions": {"x": {"type": "str"}}}}
    spec = {"a": {"type": "int", "default": 2}, "d": {"type": "str"},
            "c": {"type": "dict", "options": {"x": {"type": "bool"}}}}
    assert differences("m: ", docs, spec) == [
        "m: a: default documented 1, code 2",
        "m: b: documented, not accepted",
        "m: c.x: type documented 'str', code 'bool'",
        "m: d: accepted, not documented",
    ]


# The options a module checks with sop_sipp_schema.zone_error (its source's call).
ZONE_CHECK = re.compile(r"zone_error\(\w+, \[([^\]]*)\]\)")
ZONE_MODULES = {name: re.findall(r'"(\w+)"', check.group(1))
                for name in MODULES
                for check in [ZONE_CHECK.search((ROOT / "library" / f"{name}.py").read_text())]
                if check}


@pytest.mark.parametrize("name", sorted(ZONE_MODULES))
def test_zone_options_say_the_zones_they_take(name: str) -> None:
    # sop_sipp_schema.offset_minutes takes WIB, WITA and WIT (any case) besides IANA
    # names and offsets; sipp_online_users' data_timezone and sipp_audit_summary's
    # options did not say so (sipp_sync_status's did, in its own words).
    doc, _ = documented(name)
    for option in ZONE_MODULES[name]:
        description = doc["options"][option]["description"]
        text = description if isinstance(description, str) else " ".join(description)
        assert all(re.search(rf"C\({zone}\)", text) for zone in ("WIB", "WITA", "WIT")), \
            f"{name}: {option}: {text}"
    notes = " ".join(doc.get("notes") or [])
    assert "in any case" in notes and "C(-12:00) to C(+14:00)" in notes, notes
    assert "C(setting)" in notes, notes


# How an option's limit is said: "(more than 0)", "Above 0", "at least 1", "finite".
LIMIT = re.compile(r"(?i)\b(?:more than 0|above 0|positive|at least 1|finite)\b")


def limit_items(description: Any) -> list[str]:
    """The items of an option's description that state its limit."""
    items = [description] if isinstance(description, str) else list(description or [])
    return [item for item in items if LIMIT.search(item)]


def test_an_options_limit_is_stated_in_one_item_only() -> None:
    # routeros_check's and ups_status's timeout said it twice, "(more than 0, finite)"
    # and "Above 0, else the module fails with C(setting) C(timeout)"
    twice = []
    for name in (m for m in MODULES if m not in DOC_ONLY):
        doc, _ = documented(name)
        for option, spec in doc["options"].items():
            if len(limit_items(spec.get("description"))) > 1:
                twice.append(f"{name}: {option}")
    assert twice == []


def test_a_limit_stated_twice_is_found() -> None:
    assert limit_items(["Seconds it may take (more than 0).",
                        "Above 0, else the module fails with C(setting) C(timeout)."]) == [
        "Seconds it may take (more than 0).",
        "Above 0, else the module fails with C(setting) C(timeout)."]
    assert limit_items("Seconds, more than 0 and finite.") == ["Seconds, more than 0 and finite."]
