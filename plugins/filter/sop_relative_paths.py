# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_relative_paths``: the lines that refuse a role's path settings
that are not absolute, one rule for every role's checks.yml."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleFilterError
from ansible.module_utils.datatag import native_type_name
from ansible.plugins.filter.core import flatten

DOCUMENTATION = r"""
name: sop_relative_paths
short_description: The lines refusing a role's path settings that are not absolute
description:
  - >-
    A relative path is taken from the folder a module runs in on the host, the SSH
    user's home (C(-e sipp_backup_local_dir=relative/dir) wrote the SIPP backup into
    C(/home/sopadmin/relative/dir), where neither the retention nor the reports look).
    Each role's checks refuse them before anything changes, by this filter.
  - >-
    The input maps each setting's name to its value, read by the role (a value that
    cannot be rendered is given as C([]), left to the task that uses it). A mapping's
    values are checked (C(it_security_scan_paths_by_group), each group's list); a
    setting whose name ends in C(_paths) is read as the list its argument_specs accepted
    (the filter C(sop_list): C(-e website_log_paths=/a,b) is the paths C(/a) and C(b));
    lists are flattened, nulls skipped, as the C(flatten) filter does.
  - >-
    A path is absolute as the test C(ansible.builtin.abs) says (Python's
    C(os.path.isabs)); the empty text is refused unless its setting is in O(empty_ok).
options:
  _input:
    description: The settings, each name with its value, in the order they are checked.
    type: dict
    required: true
  empty_ok:
    description: The settings whose empty value means none (not refused).
    type: list
    elements: str
    default: []
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
- name: Refuse a relative path in the settings
  ansible.builtin.assert:
    that: sipp_backup__relative_paths | length == 0
    fail_msg: "{{ sipp_backup__relative_paths }}"
    quiet: true
  vars:
    sipp_backup__relative_paths: >-
      {%- set read = namespace(settings={}) -%}
      {%- for name in ['sipp_backup_local_dir', 'sipp_backup_removable_path'] -%}
      {%- set read.settings = read.settings
            | combine({name: lookup('ansible.builtin.vars', name) | default([])}) -%}
      {%- endfor -%}
      {{ read.settings | sop_relative_paths(empty_ok=['sipp_backup_removable_path'])
         | join('; ') }}
"""

RETURN = r"""
_value:
  description:
    - >-
      One line for each path that is not absolute, in the order of the settings and of
      their paths, C(pengaturan salah: NAME: expected an absolute path, got 'PATH') as
      every other refused setting; empty when all are.
  type: list
  elements: str
"""


def _sop_list() -> Callable[[Any], list[Any]]:
    """plugins/filter/sop_list.py's ``sop_list``, the file loaded by its path (Ansible
    loads filter plugins by path, not as an importable package), registered before it
    runs as importlib's recipe for a source file does."""
    path = Path(__file__).resolve().with_name("sop_list.py")
    spec = importlib.util.spec_from_file_location("sop_filter_sop_list", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found: Callable[[Any], list[Any]] = module.sop_list
    return found


_SOP_LIST = _sop_list()


def _paths(name: str, value: Any) -> list[Any]:
    """A setting's paths: a mapping's values, a ``*_paths`` setting as ``sop_list`` reads
    it, lists flattened and nulls skipped as the ``flatten`` filter does."""
    if isinstance(value, Mapping):
        listed = list(value.values())
    elif name.endswith("_paths"):
        listed = _SOP_LIST(value)
    else:
        listed = [value]
    paths: list[Any] = flatten(listed)
    return paths


def relative_paths(settings: Mapping[str, Any], empty_ok: Collection[str] = ()) -> list[str]:
    """The line ``pengaturan salah: NAME: expected an absolute path, got 'PATH'`` for each
    path of ``settings`` (name: value) that ``os.path.isabs`` refuses, '' kept for the
    names of ``empty_ok``."""
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("sop_relative_paths: the input must be the settings by "
                                 f"name (a dict), not {native_type_name(settings)}")
    return [f"pengaturan salah: {name}: expected an absolute path, got '{path}'"
            for name, value in settings.items() for path in _paths(name, value)
            if not os.path.isabs(str(path)) and (path != "" or name not in empty_ok)]


class FilterModule:
    """The relative-path filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_relative_paths": relative_paths}
