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


def test_sop_run_refuses_a_server_with_another_host_key(tmp_path: Path) -> None:
    """`sop run` checks host keys as ansible-playbook does: ansible-runner turns Ansible's
    check off unless told, and a SIPP server answering with another key than the
    inventory's known_hosts holds got the whole backup run (the database password
    included). Its own ssh control sockets: a master another test left would skip ssh's
    key check altogether."""
    known = tmp_path / "known_hosts"
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    key = " ".join(other.with_suffix(".pub").read_text(encoding="utf-8").split()[:2])
    known.write_text(f"[127.0.0.1]:2221 {key}\n", encoding="utf-8")
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps({"ansible_ssh_common_args":
                                 f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes"}),
                     encoding="utf-8")
    env = dict(os.environ, SOP_DATA_DIR=str(tmp_path / "data"), SOP_PROJECT_DIR=str(ROOT),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), COLUMNS="200",
               ANSIBLE_SSH_CONTROL_PATH_DIR=str(tmp_path / "cp"))
    env.pop("ANSIBLE_HOST_KEY_CHECKING", None)
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/sop"), "run", "sipp-backup", "-i", "inventory/lab", "--check",
         "--activity", "1", "-e", f"@{extra}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 3, proc.stdout[-3000:] + proc.stderr
    assert "sipp unreachable: the host answered with another SSH host key (ED25519 SHA256:" \
        in proc.stderr, proc.stderr
    assert f"than {known} holds for it" in proc.stderr
