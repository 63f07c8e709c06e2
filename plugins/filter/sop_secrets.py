# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja filters for what roles record: module_utils/sop_secrets on the controller.

``sop_mask_url``, ``sop_mask_text`` and ``sop_mask_command`` are the functions of
``module_utils/sop_secrets.py`` themselves, so a role's messages and outputs are masked by
the same rules as the modules' results. Ansible makes a project's ``module_utils`` importable
only inside modules (it ships them to the host), so the file is loaded here by its path.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

_SOURCE = Path(__file__).resolve().parents[2] / "module_utils" / "sop_secrets.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sop_project_secrets", _SOURCE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_SOURCE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SECRETS = _load()


class FilterModule:
    """The masking filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "sop_mask_url": _SECRETS.mask_url,
            "sop_mask_text": _SECRETS.mask_text,
            "sop_mask_command": _SECRETS.mask_command,
        }
