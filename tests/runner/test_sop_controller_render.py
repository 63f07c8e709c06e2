"""What the sop_controller role's tasks render, rendered by Ansible itself (a `debug`
task on localhost: nothing on this machine is changed)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "sop_controller"
ANSIBLE_BIN = Path(sys.executable).parent


def _tasks(tasks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each of `tasks` and of their blocks, rescues and always sections."""
    for task in tasks:
        yield task
        for section in ("block", "rescue", "always"):
            yield from _tasks(task.get(section, []))


def _task(tasks_file: str, name: str) -> dict[str, Any]:
    """The task called `name` in the role's tasks/`tasks_file` (in a block too)."""
    tasks = yaml.safe_load((ROLE / "tasks" / tasks_file).read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = [task for task in _tasks(tasks) if task.get("name") == name]
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


@pytest.mark.parametrize(
    "project", ["/opt/court-it-sop", "/opt/court-it-sop/", "/opt/court-it-sop//"]
)
def test_a_project_directory_with_a_trailing_slash_is_replaced_from_beside_it(
    tmp_path: Path, project: str
) -> None:
    """`sop_controller_dir: /opt/court-it-sop/` (a trailing slash, as a shell completes a
    directory) put the fresh copy inside the project (the path's dirname is the project
    itself, its basename empty: `/opt/court-it-sop/..XXXX.new`), which the copy's rsync
    --delete then deleted while copying from it; and the venv inside the project was
    excluded from that copy as `//.venv`, which rsync matches to nothing, so --delete
    removed the venv in use (and the venv's path, `/opt/court-it-sop//.venv`, never
    matched the one `readlink -f` reads, so each run switched it again). The fresh copy
    is beside the project and the venv is `/opt/court-it-sop/.venv`, excluded as
    `/.venv`, however many slashes end the path."""
    fresh = _task("project.yml", "A fresh directory beside the project")["ansible.builtin.tempfile"]
    copy = _task("project.yml",
                 "Copy it over the project and switch to its venv, while no SOP runs")  # fmt: skip
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    variables = yaml.safe_dump({
        "sop_controller_dir": project,
        "sop_controller_venv": defaults["sop_controller_venv"],
        "fresh_path": fresh["path"],
        "fresh_prefix": fresh["prefix"],
        "venv_inside": copy["vars"]["sop_controller__venv_inside"],
    })  # fmt: skip
    expression = "[fresh_path, fresh_prefix, sop_controller_venv, venv_inside] | to_json"
    text = _rendered(tmp_path, expression, variables)
    assert json.loads(text) == ["/opt", ".court-it-sop.", "/opt/court-it-sop/.venv", ".venv"]
