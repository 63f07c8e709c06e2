"""Every `sop` command the documentation shows is one the command accepts: each is parsed
by the real argument parser, and the SOP it runs or shows is in the catalogue."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from sop.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "runner/sop/README.md", ROOT / "docs/CONVENTIONS.md",
        *sorted(ROOT.glob("roles/*/README.md")), *sorted(ROOT.glob("inventory/**/*.yml"))]
# Placeholders the documentation writes for a number.
NUMBERS = re.compile(r"^(ID|EXEC_ID|N|EXECUTION|\d+)$")
SOPS = {path.stem for path in (ROOT / "runner/sop/catalogue").glob("*.yml")}
_SUBPARSERS = next(action for action in build_parser()._actions
                   if isinstance(action, argparse._SubParsersAction))
SUBCOMMANDS: dict[str, argparse.ArgumentParser] = dict(_SUBPARSERS.choices)
INLINE = re.compile(r"`((?:sudo )?(?:\S*/)?sop [^`]+)`")


def commands(text: str) -> list[str]:
    """`sop ...` in inline code, and lines of code blocks starting with `sop `."""
    found = [m.group(1) for m in INLINE.finditer(text.replace("\n   ", " "))]
    in_block = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_block = not in_block
        elif in_block and re.match(r"\s*(sudo )?(\S*/)?sop ", line):
            found.append(line.strip())
    return found


def argv(command: str) -> list[str] | None:
    """The arguments of a documented command, None for a synopsis (`[-i INV | ...]`)."""
    words = shlex.split(command, comments=True)
    while words and words[0] != "sop" and not words[0].endswith("/sop"):
        words.pop(0)
    words = words[1:]
    if any(w.startswith("[") or w == "|" or w.endswith("|") or "|" in w.split("=")[0]
           for w in words):
        return None
    return ["1" if NUMBERS.match(w) else w for w in words]


def documented() -> list[tuple[str, str]]:
    return [(path.relative_to(ROOT).as_posix(), command)
            for path in DOCS for command in commands(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("doc", "command"), documented())
def test_documented_command_parses(doc: str, command: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = argv(command)
    if args is None:
        synopsis_options(doc, command)
        return
    if len(args) == 1 and args[0] in SUBCOMMANDS:
        return  # the command named in a sentence ("confirmed with `sop ack`")
    try:
        parsed = build_parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"{doc}: `{command}` is refused: {capsys.readouterr().err.strip()}")
    sop_id = getattr(parsed, "sop", None)
    if args[0] in ("run", "show") and isinstance(sop_id, str) \
            and not (sop_id.startswith("<") or sop_id.isupper()):  # a placeholder
        assert sop_id in SOPS, f"{doc}: `{command}` names no SOP of the catalogue"


def synopsis_options(doc: str, command: str) -> None:
    """A synopsis (`sop list [-i INV | --court NAME] [--json]`): its command exists and
    takes every option it shows."""
    words = re.findall(r"[^\s\[\]|]+", command.split("#", maxsplit=1)[0])
    name = words[1]
    parser = build_parser() if name.startswith("-") else SUBCOMMANDS.get(name)
    assert parser is not None, f"{doc}: `{command}`: no command {name!r}"
    for word in words[2:3]:  # `sop incident open ...`: the options of `open`
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) and word in action.choices:
                parser = action.choices[word]
    known = {option for action in parser._actions for option in action.option_strings}
    for word in words[1:]:
        option = word.split("=")[0]
        if option.startswith("-"):
            assert option in known, f"{doc}: `{command}`: sop {name} has no option {option}"
