"""The project's ansible.cfg, as every `sop run` (a timer's too, as root) uses it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
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


def test_fact_cache_is_private(tmp_path: Path) -> None:
    """The fact cache was .cache/ansible-facts in the project: Ansible makes the directory
    with the umask (0755) and writes each host's facts 0644 by design (it has no setting
    for their modes), so on the controller (/opt/court-it-sop, root's timers) any local
    account could read every server's facts: addresses, mounts, packages, environment. It
    is now in the user's Ansible home, ~/.ansible/facts: behind the home directory (root's
    is 0700; the controller role makes the cache itself 0700)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    playbook = tmp_path / "facts.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: true\n"
        "  gather_subset: [min]\n"
        "  tasks: []\n"
    )
    project_cache = REPO / ".cache" / "ansible-facts"
    before = set(project_cache.iterdir()) if project_cache.is_dir() else set()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    done = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)],
        capture_output=True, text=True, check=False, timeout=120, cwd=REPO,
        env={**env, "HOME": str(home), "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (set(project_cache.iterdir()) if project_cache.is_dir() else set()) == before
    [cached] = [p for p in home.rglob("*localhost") if p.is_file()]
    assert cached.parent == home / ".ansible" / "facts"
