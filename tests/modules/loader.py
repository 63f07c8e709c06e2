"""Load project modules the way Ansible runs them: module_utils/<name>.py as
ansible.module_utils.<name> (conftest.py puts module_utils/ on that package's path),
library/<name>.py as a stand-alone module."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ModuleType:
    if (ROOT / "module_utils" / f"{name}.py").is_file():
        return importlib.import_module(f"ansible.module_utils.{name}")
    qualified = f"sop_library_{name}"
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(qualified, ROOT / "library" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]


_DRIVER = """
import ansible.module_utils
ansible.module_utils.__path__.append({utils!r})
import runpy
runpy.run_path({module!r}, run_name="__main__")
"""


def run_module(name: str, tmp_path: Path, args: dict[str, Any],
               seconds: float = 300) -> tuple[int, dict[str, Any]]:
    """Run library/<name>.py in its own Python process with ``args``, as Ansible runs it
    on a host: its exit code and JSON result. A traceback fails the test; so does a
    module still running after ``seconds`` (killed: it fails its test instead of hanging
    the suite)."""
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    code = _DRIVER.format(utils=str(ROOT / "module_utils"),
                          module=str(ROOT / "library" / f"{name}.py"))
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(args_file)], capture_output=True,
                              text=True, check=False, timeout=seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} did not end within {seconds:g} s")
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.returncode, json.loads(proc.stdout)
