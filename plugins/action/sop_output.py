# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of `sop_output`: runs on the controller, no round trip to the host."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.parsing.vault import VaultHelper
from ansible.plugins.action import ActionBase

_SECRETS_FILE = Path(__file__).resolve().parents[2] / "module_utils" / "sop_secrets.py"


def _load_secrets() -> ModuleType:
    """module_utils/sop_secrets.py, loaded by its path as plugins/filter/sop_module_utils.py
    loads it (controller-side code cannot import a project's module_utils)."""
    spec = importlib.util.spec_from_file_location("sop_output_secrets", _SECRETS_FILE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_SECRETS_FILE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SECRETS = _load_secrets()


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`str`, not Ansible's tagged
    `_AnsibleTaggedStr`), as sop_warning names it."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


def _masked(value: Any) -> Any:
    """``value`` as the runner may record it: a vaulted value given whole (through any
    variable) as ***, every text by sop_secrets' ``mask_text`` (a URL's user:password@, a
    command's password option, a quoted ``password: x`` setting), at any depth."""
    if VaultHelper.get_ciphertext(value, with_tags=False) is not None:
        return _SECRETS.MASK
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return _SECRETS.mask_text(value)
    return value


class ActionModule(ActionBase):  # type: ignore[misc]
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("data", "msg"))

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        data = self._task.args.get("data")
        if not isinstance(data, (dict, list)):
            raise AnsibleActionFail("sop_output: 'data' must be a mapping or a list of mappings")
        # the runner records a list's mappings only: anything else would be shown, not recorded
        for number, item in enumerate(data if isinstance(data, list) else [], 1):
            if not isinstance(item, dict):
                raise AnsibleActionFail(f"sop_output: 'data' item {number} is {_kind(item)}, "
                                        "not a mapping")
        # the runner records the data as returned: its record of the outputs is not masked
        result.update(changed=False, sop_output=_masked(data))
        if self._task.args.get("msg"):
            result["msg"] = str(_masked(self._task.args["msg"]))
        return result
