"""Load project modules the way Ansible runs them: module_utils/<name>.py as
ansible.module_utils.<name> (conftest.py puts module_utils/ on that package's path),
library/<name>.py as a stand-alone module."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
