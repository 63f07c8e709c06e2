"""`sop run` reads the callback settings without importing Ansible: same answer as Ansible."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMPARE = (
    "import json; from sop import ansiblecfg as a; "
    "print(json.dumps([a.callback_settings(), a._from_ansible()]))"
)


def _both(cwd: Path, env: dict[str, str]) -> list[object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    out = subprocess.run(
        [sys.executable, "-c", COMPARE],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("ini", "env"),
    [
        ("[defaults]\nforks = 5\n", {}),
        ("[defaults]\ncallback_plugins = plugins/callback:~/cb:$HOME/x ; comment\n", {}),
        ("[defaults]\ncallbacks_enabled = profile_tasks, 'timer'\ncallback_plugins = a\n", {}),
        ("[defaults]\ncallback_plugins = a\n", {"ANSIBLE_CALLBACK_PLUGINS": "b:/c"}),
        ("[defaults]\ncallbacks_enabled = x\n", {"ANSIBLE_CALLBACKS_ENABLED": "y,z"}),
        ("[defaults]\nhome = ~/elsewhere\n", {}),
    ],
)
def test_same_as_ansible(tmp_path: Path, ini: str, env: dict[str, str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "ansible.cfg").write_text(ini)
    ours, ansible = _both(tmp_path, {"ANSIBLE_CONFIG": str(project / "ansible.cfg"), **env})
    assert ours == ansible
