"""The project's ansible.cfg, as every `sop run` (a timer's too, as root) uses it."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def ssh_setting(name: str) -> str:
    """The ssh connection's setting as ansible-config reads the project's ansible.cfg."""
    done = subprocess.run(
        ["ansible-config", "dump", "-t", "connection"],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    )  # fmt: skip
    section = done.stdout.split("\nssh:\n", 1)[1]
    line = next(x for x in section.splitlines() if x.startswith(f"{name}("))
    return line.split(" = ", 1)[1]


def test_ssh_control_sockets_are_in_no_directory_others_can_write() -> None:
    """The ControlPersist sockets were in /tmp/.sop-ansible-cp, a fixed name in a
    directory every account can write: any local account could make it first (a reboot
    empties /tmp) and put its own socket at root's predictable ControlPath (%C); root's
    ssh takes whatever answers there as its master and hands it the module arguments,
    database passwords among them, and takes the hosts' replies from it. No directory on
    the way to the sockets may be writable by others."""
    value = ssh_setting("control_path_dir")
    path = Path(os.path.expanduser(value))
    for directory in (path, *path.parents):
        if directory.exists():
            mode = directory.stat().st_mode
            assert not mode & stat.S_IWOTH, f"{directory} on the way to {value} is world-writable"
