# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of `sop_warning`: runs on the controller, no round trip to the host."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.parsing.vault import VaultHelper
from ansible.plugins.action import ActionBase

# What a vaulted value given whole as a warning is shown and recorded as (sop_secrets.MASK):
# the runner masks warnings by its text rules, which cannot know a vault's plaintext.
MASK = "***"


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`dict`, not Ansible's tagged
    `_AnsibleTaggedDict`)."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


class ActionModule(ActionBase):  # type: ignore[misc]
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("msg",))

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        msg = self._task.args.get("msg")
        if msg is None:
            raise AnsibleActionFail("sop_warning: 'msg' is required")
        messages = [msg] if isinstance(msg, str) else msg
        if not isinstance(messages, list):
            raise AnsibleActionFail("sop_warning: 'msg' must be a string or a list of strings, "
                                    f"not {_kind(msg)}")
        for number, message in enumerate(messages, 1):
            if not isinstance(message, str):
                raise AnsibleActionFail(f"sop_warning: 'msg' item {number} is {_kind(message)}, "
                                        "not a string")
        shown = [MASK if VaultHelper.get_ciphertext(m, with_tags=False) is not None else str(m)
                 for m in messages]
        # a blank message is no warning: Ansible would show an empty [WARNING] line
        result.update(changed=False, msg=shown[0] if isinstance(msg, str) else shown,
                      warnings=[m for m in shown if m.strip()])
        return result
