# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_angka``: module_utils/sop_bahasa's number forms on the
controller, so a role's Bahasa Indonesia messages write ``1.250`` and ``93,5`` as the
modules' messages and the reports do. Ansible makes a project's ``module_utils``
importable only inside modules (it ships them to the host), so the file is loaded here
by its path, as plugins/filter/sop_secrets.py does."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

DOCUMENTATION = r"""
name: sop_angka
short_description: A number as the reports write it (1.250, 93,5)
description:
  - "C(angka) of C(module_utils/sop_bahasa.py): a dot between thousands and a decimal
    comma, by an explicit table, never the controller's locale."
  - "Anything but a number (None, a string, true or false) is written C(?), so a message
    naming a value a module did not return still renders (Ansible renders an assert's
    C(success_msg) even when the assert fails)."
options:
  _input:
    description: The number.
    type: raw
    required: true
  decimals:
    description:
      - Digits after the comma, rounded as Python's C(format) rounds.
      - Not given, the shortest form (C(angka_ringkas)): C(12,5), C(1.250), C(0,625).
    type: int
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
- name: Say the size of the backup
  ansible.builtin.debug:
    msg: "{{ (size / 1048576) | sop_angka(1) }} MiB, {{ rows | sop_angka }} baris"
"""

RETURN = r"""
_value:
  description: The number written the Indonesian way, or C(?).
  type: str
"""

_SOURCE = Path(__file__).resolve().parents[2] / "module_utils" / "sop_bahasa.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sop_project_bahasa", _SOURCE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_SOURCE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BAHASA = _load()


def angka(value: Any, decimals: int | None = None) -> str:
    """``value`` as module_utils/sop_bahasa writes it; ``?`` for anything but a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "?"
    text: str = (_BAHASA.angka_ringkas(value) if decimals is None
                 else _BAHASA.angka(value, int(decimals)))
    return text


class FilterModule:
    """The number filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_angka": angka}
