# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of `sop_output`: runs on the controller, no round trip to the host."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`str`, not Ansible's tagged
    `_AnsibleTaggedStr`), as sop_warning names it."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


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
        result.update(changed=False, sop_output=data)
        if self._task.args.get("msg"):
            result["msg"] = str(self._task.args["msg"])
        return result
