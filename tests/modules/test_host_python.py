"""What the modules and their shared code do alike on every host Python (3.9+), where
vermin's static check (scripts/test.sh lint) cannot see the difference."""

from __future__ import annotations

import ast

from loader import ROOT

HOST_CODE = sorted([*ROOT.glob("library/*.py"), *ROOT.glob("module_utils/*.py")])


def test_socket_timeouts_are_caught_as_socket_timeout():
    # socket.timeout is TimeoutError from Python 3.10 on; on a 3.9 host it is an OSError
    # of its own that `except TimeoutError` lets through (to an `except OSError` that
    # calls a silent server a refusing one).
    named = [f"{path.relative_to(ROOT)}:{node.lineno}"
             for path in HOST_CODE for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Name) and node.id == "TimeoutError"]
    assert HOST_CODE
    assert named == []
