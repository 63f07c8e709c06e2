# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filters ``sop_list``: a role's list variable as the list its argument_specs
accepted it as (``-e name=a,b`` gives the string ``a,b``), and ``sop_list_names_error``:
an empty name, or one with a space around it, that key=value gives such a list
(documented in sop_list.yml and sop_list_names_error.yml beside this file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.validation import check_type_list
from ansible.module_utils.datatag import native_type_name


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


def sop_list_names_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the first name of the list setting ``value``
    (named ``name``, read as ``sop_list`` reads it) that is empty (``-e name=`` gives
    ['']) or has a space before or after it (``-e "name='nginx, php8.2-fpm'"`` gives
    ' php8.2-fpm', a unit or a host no one has); None when none is. Entries that are no
    text are left to the setting's other checks."""
    if not isinstance(name, str):
        raise AnsibleFilterError(f"sop_list_names_error: name must be a string, not "
                                 f"{native_type_name(name)}")
    for entry in sop_list(value):
        if not isinstance(entry, str):
            continue
        if entry == "":
            why = f"an empty name ({name}= given as key=value gives one; [] names none)"
        elif entry != entry.strip():
            why = (f"{entry!r} has a space before or after it (given as key=value, no "
                   "space after the commas: a,b)")
        else:
            continue
        return {"msg": f"{name}: {why}", "setting": name}
    return None


class FilterModule:
    """The list filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_list": sop_list, "sop_list_names_error": sop_list_names_error}
