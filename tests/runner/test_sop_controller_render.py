"""What the sop_controller role's tasks render, rendered by Ansible itself (a `debug`
task on localhost: nothing on this machine is changed)."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "sop_controller"
ANSIBLE_BIN = Path(sys.executable).parent


def _task(tasks_file: str, name: str) -> dict[str, Any]:
    """The task called `name` in the role's tasks/`tasks_file`."""
    tasks = yaml.safe_load((ROLE / "tasks" / tasks_file).read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = [task for task in tasks if task.get("name") == name]
    assert len(found) == 1, f"{tasks_file}: no single task {name!r}"
    return found[0]


def _rendered(tmp_path: Path, expression: str, variables: str) -> str:
    """`expression` (a task's Jinja) rendered by ansible-playbook with `variables` (a
    vars file, which may hold values vaulted with the password `vault-pw`)."""
    (tmp_path / "pw").write_text("vault-pw\n", encoding="utf-8")
    (tmp_path / "vars.yml").write_text(variables, encoding="utf-8")
    playbook = tmp_path / "render.yml"
    playbook.write_text(
        yaml.safe_dump(
            [{"hosts": "localhost", "gather_facts": False, "vars_files": ["vars.yml"],
              "tasks": [{"ansible.builtin.debug": {
                  "msg": "{{ (" + expression.strip().removeprefix("{{").removesuffix("}}")
                         + ") | b64encode }}"}}]}]
        ),
        encoding="utf-8",
    )  # fmt: skip
    done = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}",
         "--vault-password-file", str(tmp_path / "pw"), str(playbook)],
        capture_output=True, text=True, check=False, timeout=120, cwd=REPO,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    encoded = re.search(r'"?msg"?: "?([A-Za-z0-9+/=]+)', done.stdout)
    assert encoded is not None, done.stdout[-3000:]
    return base64.b64decode(encoded.group(1)).decode()


def _vaulted(tmp_path: Path, name: str, value: str) -> str:
    """`name: !vault |` ... (ansible-vault encrypt_string) of `value`."""
    (tmp_path / "pw").write_text("vault-pw\n", encoding="utf-8")
    done = subprocess.run(
        [str(ANSIBLE_BIN / "ansible-vault"), "encrypt_string", "--vault-password-file",
         str(tmp_path / "pw"), "--name", name, value],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout


def test_notify_urls_vaulted_one_by_one_are_written_decrypted(tmp_path: Path) -> None:
    """A court's URL vaulted on its own (`ansible-vault encrypt_string`, beside plain
    vars) reached /etc/sop/notify.yml as its `!vault |` ciphertext: ansible-core 2.19's
    to_nice_yaml writes a vaulted value so, and sop, reading the file with yaml.safe_load,
    could send no notification at all. The file now holds the URL itself, written as a
    plain one is."""
    name = "The notification URLs and time limit (0600 root, read by sop after each run)"
    task = _task("secrets.yml", name)
    variables = (
        _vaulted(tmp_path, "vault_telegram", "tgram://123:BOT-token/456")
        + 'sop_controller_notify_urls: ["{{ vault_telegram }}", "json://monitor.example/hook"]\n'
        + "sop_controller_notify_timeout: 60\n"
    )
    text = _rendered(tmp_path, task["ansible.builtin.copy"]["content"], variables)
    assert yaml.safe_load(text) == {
        "urls": ["tgram://123:BOT-token/456", "json://monitor.example/hook"],
        "timeout": 60,
    }
    # as to_nice_yaml wrote plain URLs before: an installed notify.yml is left unchanged
    assert text == "timeout: 60\nurls:\n- tgram://123:BOT-token/456\n- json://monitor.example/hook\n"


def test_a_notify_timeout_given_as_text_is_written_as_a_number(tmp_path: Path) -> None:
    """`-e sop_controller_notify_timeout=120` is the text '120' (the role's checks read it
    as a number, argument_specs do not convert it): notify.yml held `timeout: '120'`,
    which sop refuses after every run, so no notification was ever sent."""
    name = "The notification URLs and time limit (0600 root, read by sop after each run)"
    task = _task("secrets.yml", name)
    variables = ('sop_controller_notify_urls: ["json://monitor.example/hook"]\n'
                 "sop_controller_notify_timeout: '120'\n")
    text = _rendered(tmp_path, task["ansible.builtin.copy"]["content"], variables)
    assert yaml.safe_load(text) == {"urls": ["json://monitor.example/hook"], "timeout": 120}
