"""Every SOP playbook against a lab server that does not answer SSH (`sop-lab up`): the
unreachable result says why (ssh's own "Connection refused"), whichever task contacts the
server first. Ansible hides every result of a no_log task, an unreachable one's message
included, so a playbook whose first task on a server is no_log (it reads the CMS's
database password, or a URL with a token) must reach the server once in the open first."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]

# playbook -> a lab server it runs on
PLAYBOOKS = {
    "sipp_backup.yml": "sipp",
    "sipp_maintenance.yml": "sipp",
    "sipp_sync.yml": "sipp",
    "website.yml": "web",
    "server_maintenance.yml": "backup",
    "server_incident.yml": "backup",
    "network.yml": "backup",
    "it_security.yml": "backup",
}


def unreachable_messages(report: dict[str, Any], host: str) -> list[str]:
    return [str(res.get("msg") or res.get("censored") or "")
            for play in report["plays"] for item in play["tasks"]
            for name, res in item["hosts"].items() if name == host and res.get("unreachable")]


@pytest.mark.parametrize("playbook", sorted(PLAYBOOKS))
def test_an_unreachable_server_is_named_with_ssh_s_reason(playbook: str) -> None:
    host = PLAYBOOKS[playbook]
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), f"playbooks/{playbook}", "--check",
         "--limit", host, "-e", "ansible_port=1"],  # nothing listens on port 1
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    messages = unreachable_messages(json.loads(proc.stdout), host)
    assert messages, proc.stdout[-2000:]
    assert "port 1: Connection refused" in messages[0], messages
