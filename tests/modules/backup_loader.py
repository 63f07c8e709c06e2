"""Load the backup module_utils and library modules as Ansible would (no install)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ModuleType:
    """module_utils/<name>.py as ansible.module_utils.<name>, or library/<name>.py."""
    utils = ROOT / "module_utils" / f"{name}.py"
    qualified = f"ansible.module_utils.{name}" if utils.is_file() else f"sop_library_{name}"
    if qualified not in sys.modules:
        if name in {"mariadb_backup", "mariadb_restore_verify", "backup_retention"}:
            for dep in ("sop_mariadb", "sop_backup_files", "sop_retention"):
                load(dep)
        path = utils if utils.is_file() else ROOT / "library" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(qualified, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]
