"""plugins/filter/sop_mariadb.py: ``sop_ping_failure``, module_utils/sop_mariadb's
judgement of mariadb-admin ping for roles (server maintenance's post-check; the role's
own cases are in test_server_role_ping.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = ["mysqladmin: connect to server at 'localhost' failed",
            "error: 'Too many connections'"]


def _plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sop_filter_mariadb", ROOT / "plugins" / "filter" / "sop_mariadb.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_filter_judges_as_the_module_utils_do():
    failure = _plugin().FilterModule().filters()["sop_ping_failure"]
    assert failure(["mysqld is alive"], 0) is None
    assert failure(["error: 'Access denied for user 'root'@'localhost''"], 0) is None
    assert failure(TOO_MANY, 0) == "Too many connections"  # exit 0 before 10.11.19
    assert failure([], "1") == "kode keluar 1"  # Ansible may hand the status as text


def test_ansible_doc_renders_the_filter():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", "sop_ping_failure"],
                          capture_output=True, text=True, check=False, env=env, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    assert set(doc["options"]) == {"_input", "rc"}
