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
  - >-
    A command's C(msg) says only C(non-zero return code): the cause is followed by the
    last non-empty line of its stderr in parentheses, of its stdout when stderr has none
    (nmap's C(no route to host)). Not for a no_log result, whose output stays hidden.
  - >-
    A task failed by its C(failed_when) says nothing itself (a command that exited 0 has
    an empty C(msg)): the cause is the last non-empty line of its stderr, else of its
    stdout (not for a no_log result), else C(kondisi gagal tugas terpenuhi (failed_when)).
    Any other failure with an empty C(msg) and no output is C(tugas gagal tanpa pesan).
    The cause is never empty.
  - >-
    A loop's result (C(results)), whose C(msg) is only Ansible's C(One or more items
    failed), gives the cause of each failed item, found as a single result's, after the
    item's label and joined with C(; ) (C(website: ingest failed: No space left on device;
    website-db: ...)). The label is the item's C(loop_control.label), else the item
    itself, when it is a string or a number; an item that is a dict without a label is
    named by nothing. A loop with no failed item gives its own C(msg).
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

# A loop task failed (loop_control.label item.prefix), one item's ingest:
# "Kegiatan 2: website: ingest failed: website-20261206T151727.tar.zst: No space left on device"
- name: Remember why activity 2 failed
  ansible.builtin.set_fact:
    website__failed: >-
      {{ website__failed | default([])
         + ['Kegiatan 2: ' ~ ansible_failed_result | sop_failure_cause('website_')] }}
"""

RETURN = r"""
_value:
  description:
    - The cause, the text of the result's C(msg), a refused setting named by the role's
      variable.
    - >-
      A command's C(non-zero return code) followed by its last line of output in
      parentheses.
    - >-
      For an empty C(msg) (a task failed by its C(failed_when)), the last line of its
      output, else a fixed text saying the task's failure condition held; never empty.
    - >-
      For a loop, each failed item's cause after its label (C(label: cause)), joined with
      C(; ).
  type: str
"""


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`dict`, not Ansible's tagged
    `_AnsibleTaggedDict`)."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


# A command's msg when it exited with another status than 0: says nothing of why.
_NONZERO = "non-zero return code"
# The cause of a task that failed saying nothing (its msg empty) and printing nothing:
# failed by its failed_when (a command that exited 0), or by a module's empty msg.
_FAILED_WHEN = "kondisi gagal tugas terpenuhi (failed_when)"
_NO_MESSAGE = "tugas gagal tanpa pesan"


def _output_line(result: Mapping[str, Any]) -> str:
    """The last non-empty line of the command's stderr, else of its stdout; empty for a
    no_log result (what no_log hides) and for a command that printed nothing."""
    if result.get("_ansible_no_log"):
        return ""
    for stream in ("stderr", "stdout"):
        lines = [line.strip() for line in str(result.get(stream) or "").splitlines()]
        lines = [line for line in lines if line]
        if lines:
            return lines[-1]
    return ""


def _label(item: Mapping[str, Any]) -> str:
    """The loop item's name: its loop_control.label (Ansible's default label is the item
    itself), when it is a string or a number; empty for a dict or a list."""
    value = item.get("_ansible_item_label", item.get(str(item.get("ansible_loop_var") or "item")))
    if isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return str(value)
    return ""


def _cause(result: Mapping[str, Any], prefix: str, names: Mapping[str, str]) -> str:
    """One result's cause, never empty: a loop's failed items' (each after its label),
    else its msg, as the refused setting of the role's variable when it names one, a
    command's output line after its 'non-zero return code'; for an empty msg (a task its
    failed_when failed) the output line alone, else a fixed text saying so."""
    items = result.get("results")
    failed = [item for item in (items if isinstance(items, list) else [])
              if isinstance(item, Mapping) and item.get("failed")]
    if failed:
        causes = ((_label(item), _cause(item, prefix, names)) for item in failed)
        return "; ".join(f"{label}: {cause}" if label else cause for label, cause in causes)
    message = str(result.get("msg", ""))
    if not message.strip():
        return _output_line(result) or (_FAILED_WHEN if result.get("failed_when_result")
                                        else _NO_MESSAGE)
    if message.strip() == _NONZERO:
        line = _output_line(result)
        return f"{message} ({line})" if line else message
    if "setting" not in result:
        return message
    option = str(result["setting"])
    variable = names.get(option)
    if variable and message.startswith(option):
        return f"pengaturan salah: {variable}{message[len(option):]}"
    return f"pengaturan salah: {prefix}{message}"


def failure_cause(result: Mapping[str, Any], prefix: str,
                  names: Mapping[str, str] | None = None) -> str:
    """``result``'s cause (`_cause`): for a loop each failed item's, named by its label;
    a refused setting named by ``names``' variable for the option when it has one (the
    message starts with the option's name, which the variable's replaces), else by
    ``prefix`` before the message. Arguments of other types fail in one line naming them,
    not in Python's words (a prefix of None was written ``None`` before the option's
    name)."""
    if not isinstance(result, Mapping):
        raise AnsibleFilterError("sop_failure_cause: the input must be the failed task's "
                                 f"result (ansible_failed_result), not {_kind(result)}")
    if not isinstance(prefix, str):
        raise AnsibleFilterError(f"sop_failure_cause: prefix must be a string, not {_kind(prefix)}")
    if names is not None and not isinstance(names, Mapping):
        raise AnsibleFilterError("sop_failure_cause: names must map option names to variable "
                                 f"names, not {_kind(names)}")
    return _cause(result, prefix, names or {})


class FilterModule:
    """The failure cause filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_failure_cause": failure_cause}
