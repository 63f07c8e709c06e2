"""Make the project's module_utils importable as ansible.module_utils.<name>, as Ansible
does when it ships a module to a host, so module code imports the same way in tests."""

from __future__ import annotations

from pathlib import Path

import ansible.module_utils

_MODULE_UTILS = str(Path(__file__).resolve().parents[2] / "module_utils")
if _MODULE_UTILS not in ansible.module_utils.__path__:
    ansible.module_utils.__path__.append(_MODULE_UTILS)
