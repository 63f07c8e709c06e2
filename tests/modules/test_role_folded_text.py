"""A folded YAML text (`>-`) of the roles and playbooks prints on one line: a line
indented deeper than the text's first (a Jinja expression's continuation) keeps its line
break in YAML, printed when the break falls outside the expression. The record cut the
message there: `-e sipp_backup_verify_timeout=0` left out the sentence after it, and
it_security's D.4 summary printed 'Debian GNU/Linux 12 (bookworm)' and 'didukung
sampai ...' on two lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("roles/*/*/*.yml"), *ROOT.glob("playbooks/*.yml")])


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.ScalarNode):
        yield node


def broken_lines(text: str) -> list[int]:
    """The lines of the folded texts in YAML ``text`` that print a line break."""
    lexer = jinja2.Environment()
    return [node.start_mark.line + 1 for node in _scalars(yaml.compose(text))
            if node.style == ">" and any(kind == "data" and "\n" in value
                                         for _, kind, value in lexer.lex(node.value))]


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_a_folded_text_prints_on_one_line(path: Path) -> None:
    assert broken_lines(path.read_text(encoding="utf-8")) == []


def test_a_deeper_continuation_outside_the_expression_is_found() -> None:
    text = ("msg: >-\n"
            "  Gagal: {{ a if b\n"
            "     else c }}.\n"
            "  Jalankan lagi.\n"
            "ok: >-\n"
            "  Gagal: {{ a if b\n"
            "  else c }}.\n"
            "  Jalankan lagi.\n"
            "rows: >-\n"
            "  {% for r in x %}\n"
            "  {%- set y = r\n"
            "         | list %}{% endfor %}\n")
    assert broken_lines(text) == [1]
