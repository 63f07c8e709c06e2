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


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def _install_project(tmp_path: Path, checkout: Path, dest: Path, *extra: str) -> str:
    """project.yml (source archive) from `checkout` into `dest`, on this machine."""
    playbook = tmp_path / "project.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        f"    - ansible.builtin.import_tasks: {REPO}/roles/sop_controller/tasks/project.yml\n"
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", "sop_controller_source=archive", "-e", f"sop_controller_archive_src={checkout}",
         "-e", "sop_controller_archive_version=HEAD", "-e", f"sop_controller_dir={dest}",
         "-e", f"sop_controller_venv={dest}/.venv", *extra, str(playbook)],
        capture_output=True, text=True, check=False, timeout=300, cwd=REPO,
        env={**os.environ, "TMPDIR": str(tmp_path / "local-tmp")},
    )  # fmt: skip
    return done.stdout + done.stderr


def _recap(output: str) -> str:
    return output.split("PLAY RECAP", 1)[1].splitlines()[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_archive_install_removes_what_the_project_no_longer_has(tmp_path: Path) -> None:
    """Unpacked over the installed tree, an archive never removed a file the project
    had deleted: a removed playbook or module stayed in /opt/court-it-sop and could
    still run. The installed tree is now the committed files (and the collections)
    exactly; the venv, Python's caches and pip's metadata are kept; a second run
    changes nothing."""
    checkout = tmp_path / "checkout"
    (checkout / "playbooks").mkdir(parents=True)
    (checkout / "playbooks" / "kept.yml").write_text("kept\n")
    (checkout / "playbooks" / "removed.yml").write_text("removed\n")
    (checkout / "library").mkdir()
    (checkout / "runner" / "sop").mkdir(parents=True)
    (checkout / "runner" / "sop" / "cli.py").write_text("cli\n")
    (checkout / "library" / "old_module.py").write_text("old\n")
    collections = checkout / "collections" / "ansible_collections" / "ns" / "col"
    collections.mkdir(parents=True)
    (collections / "MANIFEST.json").write_text("{}\n")
    (checkout / ".gitignore").write_text("collections/ansible_collections/\n")
    _git(checkout, "init", "-q")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "one")
    (tmp_path / "local-tmp").mkdir()
    dest = tmp_path / "opt" / "court-it-sop"

    first = _install_project(tmp_path, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    assert (dest / "playbooks" / "removed.yml").read_text() == "removed\n"
    assert (dest / "collections" / "ansible_collections" / "ns" / "col" / "MANIFEST.json").exists()
    # what the machine adds beside the project: the venv, Python's and pip's files
    (dest / ".venv" / "bin").mkdir(parents=True)
    (dest / ".venv" / "bin" / "python").write_text("venv\n")
    (dest / "library" / "__pycache__").mkdir()
    (dest / "library" / "__pycache__" / "old_module.cpython-311.pyc").write_text("pyc\n")
    (dest / "runner" / "court_it_sop.egg-info").mkdir(parents=True)
    # a file nobody committed (left by an earlier install, or put there by hand)
    (dest / "playbooks" / "stray.yml").write_text("stray\n")

    (checkout / "playbooks" / "removed.yml").unlink()
    (checkout / "library" / "old_module.py").unlink()
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "two")
    second = _install_project(tmp_path, checkout, dest)
    assert "failed=0" in _recap(second) and "changed=0" not in _recap(second), second[-3000:]
    assert not (dest / "playbooks" / "removed.yml").exists()
    assert not (dest / "playbooks" / "stray.yml").exists()
    assert not (dest / "library").exists()  # removed, its compiled files with it
    assert (dest / "playbooks" / "kept.yml").read_text() == "kept\n"
    for path in (dest, dest / "playbooks", dest / "playbooks" / "kept.yml"):
        assert not path.stat().st_mode & 0o022, path  # git archive's 0664/0775: no more
    assert (dest / ".venv" / "bin" / "python").read_text() == "venv\n"
    assert (dest / "runner" / "court_it_sop.egg-info").is_dir()
    assert (dest / "collections" / "ansible_collections" / "ns" / "col" / "MANIFEST.json").exists()

    third = _install_project(tmp_path, checkout, dest)
    assert "changed=0" in _recap(third) and "failed=0" in _recap(third), third[-3000:]
    check = _install_project(tmp_path, checkout, dest, "--check")
    assert "changed=0" in _recap(check) and "failed=0" in _recap(check), check[-3000:]
    # nothing left behind, on the machine running the playbook or beside the project
    assert list((tmp_path / "local-tmp").iterdir()) == []
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_archive_removed_when_the_install_fails(tmp_path: Path) -> None:
    """The temporary archive (the project's committed files, inventory and vault among
    them) stayed on the machine running the playbook when a step after packing failed."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "a.txt").write_text("a\n")
    _git(checkout, "init", "-q")
    _git(checkout, "add", "a.txt")
    _git(checkout, "commit", "-q", "-m", "one")
    (tmp_path / "local-tmp").mkdir()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # the project cannot be unpacked under a file
    output = _install_project(tmp_path, checkout, blocker / "court-it-sop")
    assert "failed=1" in _recap(output), output[-3000:]
    assert list((tmp_path / "local-tmp").iterdir()) == []
