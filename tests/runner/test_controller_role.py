"""The sop_controller role's tasks that read this machine, run here for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON_LIBS = Path("/usr/lib/python3/dist-packages")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or not DEBIAN_PYTHON_LIBS.is_dir(),
    reason="needs root, unshare and Debian's python3 libraries (to hide python3-apt)",
)
def test_installed_packages_are_read_without_python3_apt(tmp_path: Path) -> None:
    """The role read the installed packages with package_facts, which needs python3-apt:
    on a Debian machine without it (a minimal or cloud image) the controller's install
    failed at its first task ("Could not detect a supported package manager"). Here
    python3-apt is hidden in a mount namespace of this test's own; the installed packages
    are found, so nothing is to be installed."""
    playbook = tmp_path / "packages.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars: {sop_controller_packages: [coreutils, dpkg]}\n"
        "  tasks:\n"
        f"    - ansible.builtin.import_tasks: {REPO}/roles/sop_controller/tasks/packages.yml\n"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    script = f'mount --bind "$1" {DEBIAN_PYTHON_LIBS} && shift && exec "$@"'
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
         str(empty), str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
         "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", "--check",
         str(playbook)],
        capture_output=True, text=True, check=False, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    # nothing to install: the apt task (which would need python3-apt in check mode) skipped
    assert "ok=1    changed=0    unreachable=0    failed=0    skipped=1" in done.stdout
