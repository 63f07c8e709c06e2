# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_list``: a role's list variable as the list its argument_specs
accepted it as (``-e name=a,b`` gives the string ``a,b``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.validation import check_type_list
from ansible.module_utils.datatag import native_type_name

DOCUMENTATION = r"""
name: sop_list
short_description: A role's list variable as the list its argument_specs accepted
description:
  - >-
    A variable given as key=value (C(-e website_log_alert_categories=webshell,probe)) is a
    string. A role's argument_specs (C(type: list)) accept it, as the list ansible-core
    converts it to for the check only: the variable stays the string. A module option of
    type list converts it too, but Jinja does not (C(list + string) fails, C(union) and
    C(length) take its characters, C(in) matches a part of it).
  - >-
    This filter converts it as argument_specs did, by ansible-core's own
    C(check_type_list): a list is kept, a string is split at each comma (C(webshell,probe)
    becomes C([webshell, probe]), a string without a comma is a list of itself), a number
    is the list of its text (C(22) becomes C(['22'])). The items are not converted further
    (an C(elements: int) list given as C(1,2) is C(['1', '2'])).
  - Any other value (a dict, null) fails in one line naming its type.
options:
  _input:
    description: The role's variable, a list or what argument_specs convert to one.
    type: raw
    required: true
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
# -e website_backup_extra_paths=/srv/a,/srv/b: both paths, not a failed concatenation
- name: Back up the site's files and the extra paths
  website_files_backup:
    paths: "{{ website__site.paths + website_backup_extra_paths | sop_list }}"
    dest: "{{ website_backup_local_dir }}"

# -e it_security_drill_kinds=website: the kinds named website, not those whose name is
# part of the text 'website'
- name: Pick the drills asked for
  ansible.builtin.set_fact:
    it_security__kinds: >-
      {{ it_security__drill_kinds
         | selectattr('kind', 'in', it_security_drill_kinds | sop_list) | list }}
"""

RETURN = r"""
_value:
  description: The list (the input itself when it is one).
  type: list
"""


def sop_list(value: Any) -> list[Any]:
    """``value`` as argument_specs' ``type: list`` accepted it (`check_type_list`); a
    value it refuses fails in one line naming its type."""
    try:
        converted: list[Any] = check_type_list(value)
    except TypeError:
        raise AnsibleFilterError(
            f"sop_list: expected a list, a comma-separated string or a number, "
            f"not {native_type_name(value)}") from None
    return converted


class FilterModule:
    """The list filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_list": sop_list}
