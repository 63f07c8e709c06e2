# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_failure_cause``: why a role's activity failed, for its rescue."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: sop_failure_cause
short_description: Why a role's activity failed, naming the role's variable for a bad setting
description:
  - The cause a role's rescue shows of its failed task (C(ansible_failed_result)), the
    result's C(msg).
  - >-
    A module that refuses one of its settings (a time zone it does not know) returns
    C(setting), the option's name, and a C(msg) starting with that name
    (C(data_timezone: unknown time zone 'Asia/Jakrta')). The cause then names the role's
    variable a court sets, O(prefix) before the message, as bad input
    (C(pengaturan salah: sipp_maintenance_data_timezone: unknown time zone 'Asia/Jakrta')),
    never as what SIPP, its database or a page did.
  - >-
    A role whose variable is not O(prefix) before the option's name maps the option to
    it in O(names) (C({'timeout': 'sipp_sync_http_timeout'}) gives
    C(pengaturan salah: sipp_sync_http_timeout: must be a positive number of seconds)).
options:
  _input:
    description: The failed task's result, C(ansible_failed_result).
    type: dict
    required: true
  prefix:
    description: The prefix of the role's variables, C(sipp_sync_) for the option
      C(timezone) set by C(sipp_sync_timezone).
    type: str
    required: true
  names:
    description: The role's variable of each option whose variable is not O(prefix)
      before the option's name (option name to variable name); the other options keep
      O(prefix).
    type: dict
    default: {}
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
- name: Activity 1 failed
  ansible.builtin.fail:
    msg: "Kegiatan 1: {{ ansible_failed_result | sop_failure_cause('sipp_sync_') }}"

- name: Activity 2 failed, its module's option timeout set by sipp_sync_http_timeout
  ansible.builtin.fail:
    msg: >-
      Kegiatan 2: {{ ansible_failed_result
                     | sop_failure_cause('sipp_sync_', {'timeout': 'sipp_sync_http_timeout'}) }}
"""

RETURN = r"""
_value:
  description: The cause, the text of the result's C(msg).
  type: str
"""


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`dict`, not Ansible's tagged
    `_AnsibleTaggedDict`)."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


def failure_cause(result: Mapping[str, Any], prefix: str,
                  names: Mapping[str, str] | None = None) -> str:
    """``result``'s msg, as the refused setting of the role's variable when it names one:
    ``names``' variable for the option when it has one (the message starts with the
    option's name, which the variable's replaces), else ``prefix`` before the message.
    Arguments of other types fail in one line naming them, not in Python's words (a
    prefix of None was written ``None`` before the option's name)."""
    if not isinstance(result, Mapping):
        raise AnsibleFilterError("sop_failure_cause: the input must be the failed task's "
                                 f"result (ansible_failed_result), not {_kind(result)}")
    if not isinstance(prefix, str):
        raise AnsibleFilterError(f"sop_failure_cause: prefix must be a string, not {_kind(prefix)}")
    if names is not None and not isinstance(names, Mapping):
        raise AnsibleFilterError("sop_failure_cause: names must map option names to variable "
                                 f"names, not {_kind(names)}")
    message = str(result.get("msg", ""))
    if "setting" not in result:
        return message
    option = str(result["setting"])
    variable = (names or {}).get(option)
    if variable and message.startswith(option):
        return f"pengaturan salah: {variable}{message[len(option):]}"
    return f"pengaturan salah: {prefix}{message}"


class FilterModule:
    """The failure cause filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_failure_cause": failure_cause}
