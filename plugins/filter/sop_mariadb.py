# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_ping_failure``: module_utils/sop_mariadb's ``ping_failure`` on
the controller, so a role judges ``mariadb-admin ping`` as server_diagnose does. Ansible
makes a project's ``module_utils`` importable only inside modules (it ships them to the
host), so the file is loaded here by its path, as plugins/filter/sop_secrets.py does."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

DOCUMENTATION = r"""
name: sop_ping_failure
short_description: Why mariadb-admin ping got no answer, in one line
description:
  - "The one judgement of C(mariadb-admin ping) (C(mysqladmin ping)) of the project,
    C(ping_failure) of C(module_utils/sop_mariadb.py), which server_diagnose uses too."
  - "Its C(error: '...') line names why (C(Too many connections), C(Can't connect to local
    server through socket)); a tool failing without one, the first line it wrote, else
    C(kode keluar N). The exit status alone does not say, as a server's error ends the ping
    with 0 (Too many connections before the 10.11.19 client). Access denied or an expired
    password with exit status 0 is an answer (the server refused this login only)."
  - "The line is cut to 300 characters; mask the lines before (C(sop_mask_command))."
options:
  _input:
    description: The ping's output lines (stdout and stderr), stripped, empty ones left out.
    type: list
    elements: str
    required: true
  rc:
    description: The ping's exit status.
    type: int
    required: true
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
- name: MariaDB answers
  ansible.builtin.assert:
    that: not problem
    fail_msg: "MariaDB tidak menjawab: {{ problem }}"
  vars:
    problem: >-
      {{ (ping.stdout_lines + ping.stderr_lines) | map('trim') | select
         | map('sop_mask_command') | list | sop_ping_failure(ping.rc) or '' }}
"""

RETURN = r"""
_value:
  description: Why the server did not answer, one line; None when it answered.
  type: str
"""

_SOURCE = Path(__file__).resolve().parents[2] / "module_utils" / "sop_mariadb.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sop_project_mariadb", _SOURCE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_SOURCE}")
    module = importlib.util.module_from_spec(spec)
    # registered before it runs, as importlib's recipe for a source file does: its
    # dataclasses look their module up in sys.modules
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_MARIADB = _load()


def ping_failure(lines: list[str], rc: int) -> str | None:
    """``module_utils/sop_mariadb.ping_failure`` with the lines as the filter's input."""
    failure: str | None = _MARIADB.ping_failure(int(rc), [str(line) for line in lines])
    return failure


class FilterModule:
    """The mariadb-admin ping filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_ping_failure": ping_failure}
