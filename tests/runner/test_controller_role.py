"""The sop_controller role's tasks that read this machine, run here for real."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import http.server
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

# tests/ is on sys.path as this package's root (tests/runner is the package runner)
from modules.test_role_relative_paths import texts_refused

from . import systemd_envfile as systemdenv

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


def _commit_all(checkout: Path) -> None:
    """A new repository at ``checkout`` with its files (collections/ has none) committed."""
    _git(checkout, "init", "-q")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "one")


@pytest.fixture
def local_tmp() -> Iterator[Path]:
    """TMPDIR of the machine running the playbook, where the role packs its archives: a
    short path (ansible-playbook's own sockets go there too, and a socket's path is short)."""
    path = Path(tempfile.mkdtemp(prefix="sop-ctl-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# `python -m venv DIR` (its version: python3.version's when it exists, else this one's)
# making a venv whose python is this one and whose pip logs, in
# python3.pip.log beside this script, its arguments (the project it installs, its last, by
# name only: the fresh copy's is random) and PIP_INDEX_URL in python3.pip.index, and writes
# the editable install's .pth naming that project's runner/, as setuptools does; it fails
# as pip does when python3.pip.fails exists. A stand-in: a real `pip install -e` needs
# setuptools and wheel from PyPI.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = -c ]; then cat "$0.version" 2>/dev/null || exec {python} "$@"; exit; fi
[ "$1 $2" = "-m venv" ] || exit 2
mkdir -p "$3/bin" "$3/lib/python3.11/site-packages" || exit
printf '#!/bin/sh\\n[ "$1" = -c ] && cat %s 2>/dev/null && exit\\nexec %s "$@"\\n' \\
  "$0.version" {python} > "$3/bin/python"
printf '#!/bin/sh\\nlog=%s\\n' "$0.pip" > "$3/bin/pip"
cat >> "$3/bin/pip" <<'EOF'
for last; do :; done
all="$*"
echo "${{all%"$last"}}${{last##*/}}" >> "$log.log"
printf '%s\\n' "$PIP_INDEX_URL" > "$log.index"
if [ -e "$log.fails" ]; then
  echo "ERROR: No matching distribution found for weasyprint" >&2; exit 1
fi
printf '%s/runner\\n' "$last" > "${{0%/bin/pip}}/lib/python3.11/site-packages/__editable__.sop.pth"
EOF
chmod +x "$3/bin/python" "$3/bin/pip"
"""


def _pip_log(tmp_path: Path) -> list[str]:
    """What the venvs' pip was asked (FAKE_PYTHON), the project by its name only."""
    log = tmp_path / "python3.pip.log"
    return log.read_text().splitlines() if log.exists() else []


def _editable_path(dest: Path) -> str:
    """What the editable install of the venv in use names (FAKE_PYTHON's .pth)."""
    site = dest / ".venv" / "lib" / "python3.11" / "site-packages"
    return (site / "__editable__.sop.pth").read_text()


def _committed_checkout(tmp_path: Path) -> Path:
    """A project checkout at tmp_path/checkout, its collections folder and pyproject.toml
    committed."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    _commit_all(checkout)
    return checkout


def _install_project(
    tmp_path: Path,
    local_tmp: Path,
    checkout: Path,
    dest: Path,
    *extra: str,
    source: str = "archive",
    git_version: str | None = None,
    path_first: Path | None = None,
    whole_role: bool = False,
    hosts: dict[str, dict[str, Any]] | None = None,
) -> str:
    """checks.yml and project.yml (`source` archive, or git cloning `checkout` at `git_version`, its
    HEAD's commit id by default) from `checkout` into `dest`, on this machine, its venv
    made by FAKE_PYTHON; `path_first` put before the others in PATH. `whole_role`: the
    role itself (main.yml), `extra` pointing what else it writes elsewhere. These settings
    are the inventory's (`_inventory`), each of `hosts` with its own over them."""
    if git_version is None:
        git_version = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()  # fmt: skip
    python = tmp_path / "python3"
    python.write_text(FAKE_PYTHON.format(python=shlex.quote(sys.executable)))
    python.chmod(0o755)
    playbook = tmp_path / "project.yml"
    playbook.write_text(
        "- hosts: all\n"
        "  gather_facts: false\n"
        + ("  roles: [sop_controller]\n" if whole_role else
           "  tasks:\n"
           "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: checks}\n"
           "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: project}\n")
    )  # fmt: skip
    settings = {
        "sop_controller_source": source, "sop_controller_archive_src": str(checkout),
        "sop_controller_git_repo": str(checkout), "sop_controller_git_version": git_version,
        "sop_controller_archive_version": "HEAD", "sop_controller_dir": str(dest),
        "sop_controller_venv": f"{dest}/.venv", "sop_controller_python": str(python),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"),
         "-i", _inventory(tmp_path, settings, hosts), *extra, str(playbook)],
        capture_output=True, text=True, check=False, timeout=300, cwd=REPO,
        env={**os.environ, "TMPDIR": str(local_tmp),
             "PATH": os.pathsep.join([*([str(path_first)] if path_first else []),
                                      os.environ.get("PATH", os.defpath)])},
    )  # fmt: skip
    return done.stdout + done.stderr


def _inventory(
    tmp_path: Path, settings: dict[str, Any], hosts: dict[str, dict[str, Any]] | None
) -> str:
    """tmp_path/hosts.json, an inventory of `hosts` (localhost by default), each connected
    locally, with `settings` and its own variables over them: cases the role's checks
    refuse are run together, a host each. Its path."""
    inventory = tmp_path / "hosts.json"
    inventory.write_text(json.dumps({"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 **settings},
        "hosts": hosts or {"localhost": {}},
    }}))  # fmt: skip
    return str(inventory)


def _recap(output: str, host: str = "localhost") -> str:
    """`host`'s line of the play's recap."""
    lines = output.split("PLAY RECAP", 1)[1].splitlines()
    return next(line for line in lines if line.split(" ", 1)[0] == host)


def _failures(output: str) -> dict[str, str]:
    """The message of each host's failed result (a failed item's) `output` shows (in
    YAML, ansible.cfg's callback_result_format), by host."""
    found: dict[str, str] = {}
    for host, shown in re.findall(
        r"^(?:fatal|failed): \[([^\]]+)\].*=> *\n((?:[ \t].*\n?)*)", output, re.MULTILINE
    ):
        found[host] = found.get(host, "") + yaml.safe_load(textwrap.dedent(shown))["msg"]
    return found


def _said(output: str) -> str:
    """`output` on one line: the lines Ansible wraps a message into joined again."""
    return " ".join(output.split())


def _refused_each(output: str, refusals: dict[str, str]) -> None:
    """Each host of ``refusals`` (and no other) failed once, its failure's message holding
    its refusal."""
    failures = _failures(output)
    assert set(failures) == set(refusals), output[-3000:]
    for host, refusal in refusals.items():
        assert "failed=1" in _recap(output, host), output[-3000:]
        assert refusal in failures[host], output[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
@pytest.mark.parametrize("source", ["archive", "git"])
def test_install_removes_what_the_project_no_longer_has(
    tmp_path: Path, local_tmp: Path, source: str
) -> None:
    """Unpacked over the installed tree, an archive never removed a file the project
    had deleted: a removed playbook or module stayed in /opt/court-it-sop and could
    still run; so did one of a git source (pulled into the installed project, where it
    kept what was put there by hand). The installed tree is now the committed files (and
    the collections) exactly, from either source; the venv, Python's caches and pip's
    metadata are kept; a second run changes nothing."""
    checkout = tmp_path / "checkout"
    (checkout / "playbooks").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
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
    _git(checkout, "init", "-q", "-b", "main")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "one")
    dest = tmp_path / "opt" / "court-it-sop"

    first = _install_project(tmp_path, local_tmp, checkout, dest, source=source)
    assert "failed=0" in _recap(first), first[-3000:]
    assert (dest / "playbooks" / "removed.yml").read_text() == "removed\n"
    assert (dest / "collections" / "ansible_collections" / "ns" / "col" / "MANIFEST.json").exists()
    assert _pip_log(tmp_path) == ["install -q -e tree"]
    assert _editable_path(dest) == f"{dest}/runner\n"
    # what the machine adds beside the project: the venv, Python's and pip's files
    (dest / ".venv" / "kept").write_text("venv\n")
    (dest / "library" / "__pycache__").mkdir()
    (dest / "library" / "__pycache__" / "old_module.cpython-311.pyc").write_text("pyc\n")
    (dest / "runner" / "court_it_sop.egg-info").mkdir(parents=True)
    # a file nobody committed (left by an earlier install, or put there by hand)
    (dest / "playbooks" / "stray.yml").write_text("stray\n")

    (checkout / "playbooks" / "removed.yml").unlink()
    (checkout / "library" / "old_module.py").unlink()
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "two")
    second = _install_project(tmp_path, local_tmp, checkout, dest, source=source)
    assert "failed=0" in _recap(second) and "changed=0" not in _recap(second), second[-3000:]
    assert not (dest / "playbooks" / "removed.yml").exists()
    assert not (dest / "playbooks" / "stray.yml").exists()
    assert not (dest / "library").exists()  # removed, its compiled files with it
    assert (dest / "playbooks" / "kept.yml").read_text() == "kept\n"
    for path in (dest, dest / "playbooks", dest / "playbooks" / "kept.yml"):
        assert not path.stat().st_mode & 0o022, path  # git archive's 0664/0775: no more
    assert (dest / ".venv" / "kept").read_text() == "venv\n"
    assert (dest / "runner" / "court_it_sop.egg-info").is_dir()
    assert (dest / "collections" / "ansible_collections" / "ns" / "col" / "MANIFEST.json").exists()

    third = _install_project(tmp_path, local_tmp, checkout, dest, source=source)
    assert "changed=0" in _recap(third) and "failed=0" in _recap(third), third[-3000:]
    check = _install_project(tmp_path, local_tmp, checkout, dest, "--check", source=source)
    assert "changed=0" in _recap(check) and "failed=0" in _recap(check), check[-3000:]
    assert len(_pip_log(tmp_path)) == 1  # pyproject.toml unchanged: pip ran once
    # nothing left behind, on the machine running the playbook or beside the project
    assert list(local_tmp.iterdir()) == []
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_pips_index_and_arguments_stay_off_the_command_line(
    tmp_path: Path, local_tmp: Path
) -> None:
    """sop_controller_pip_environment (PIP_INDEX_URL of a mirror that asks a password)
    and sop_controller_pip_extra_args reached the install's command through Ansible's
    `environment`, which Ansible writes onto the command line it runs: the password was
    in sudo's log, in ps and in -vvv output. pip now reads them from a 0600 file in the
    private fresh directory and gets them unchanged."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    index = "https://court:Rah4sia$@mirror.example/simple"
    settings = tmp_path / "pip.json"
    settings.write_text(json.dumps({
        "sop_controller_pip_environment": {"PIP_INDEX_URL": index},
        "sop_controller_pip_extra_args": "--find-links /srv/Wheels-s3cret",
    }))  # fmt: skip
    output = _install_project(tmp_path, local_tmp, checkout, dest, "-vvv", "-e", f"@{settings}")
    assert "failed=0" in _recap(output), output[-3000:]
    assert "Rah4sia" not in output and "Wheels-s3cret" not in output
    assert _pip_log(tmp_path) == ["install -q --find-links /srv/Wheels-s3cret -e tree"]
    assert (tmp_path / "python3.pip.index").read_text() == index + "\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_install_waits_for_the_runs_in_progress(tmp_path: Path, local_tmp: Path) -> None:
    """The install copied the project over itself while a timer's `sop run` could be
    starting or running in it: the run read a mixture of two versions (and new code with
    the old venv's dependencies). Now the install replaces the project and switches to
    its venv (built beforehand) under the project directory's exclusive lock, which each timer's run
    holds shared (sop schedule): it waits for the runs in progress
    (sop_controller_install_wait seconds), then gives up with one line, the project as
    it was."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    (checkout / "old.yml").write_text("old\n")
    _commit_all(checkout)
    dest = tmp_path / "opt" / "court-it-sop"
    first = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    in_use = (dest / ".venv").resolve()

    (checkout / "old.yml").unlink()
    (checkout / "pyproject.toml").write_text("[project]\nname = 'two'\n")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "two")
    handle = os.open(dest, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)  # a run in progress
        refused = _install_project(
            tmp_path, local_tmp, checkout, dest, "-e", "sop_controller_install_wait=2"
        )
    finally:
        os.close(handle)
    assert "failed=1" in _recap(refused), refused[-3000:]
    assert f"{dest} is in use by a SOP run" in refused, refused[-3000:]
    assert (dest / "old.yml").exists() and len(_pip_log(tmp_path)) == 2  # built, not used
    assert (dest / ".venv").resolve() == in_use
    assert _editable_path(dest) == f"{dest}/runner\n"

    done = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(done), done[-3000:]
    assert not (dest / "old.yml").exists()
    assert len(_pip_log(tmp_path)) == 2  # the venv built before is used now
    assert (dest / ".venv").resolve() != in_use
    assert list(local_tmp.iterdir()) == []
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_failed_pip_leaves_the_install_in_use(tmp_path: Path, local_tmp: Path) -> None:
    """The install copied the new project over the old, then ran pip in the venv in use:
    when pip failed (the index down, a dependency gone) the timers ran the new code with
    the old venv's dependencies, pip's half-done changes among them, until an install
    succeeded. The new project's venv is now built beside the one in use first: a failure
    is told in one line and leaves the project and the venv in use as they were; the next
    install switches to the venv it builds, and one after that changes nothing. The venv
    directory of an earlier install (no symlink yet) is replaced and removed."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    (checkout / "old.yml").write_text("old\n")
    _commit_all(checkout)
    dest = tmp_path / "opt" / "court-it-sop"
    (dest / ".venv" / "bin").mkdir(parents=True)  # an earlier install's venv directory
    first = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    in_use = (dest / ".venv").resolve()
    assert (dest / ".venv").is_symlink() and in_use.parent == dest
    assert sorted(p.name for p in dest.glob(".venv*")) == [".venv", in_use.name]

    (checkout / "old.yml").unlink()
    (checkout / "new.yml").write_text("new\n")
    (checkout / "pyproject.toml").write_text("[project]\nname = 'two'\n")
    _git(checkout, "add", "-A")
    _git(checkout, "commit", "-q", "-m", "two")
    (tmp_path / "python3.pip.fails").touch()
    failed = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=1" in _recap(failed), failed[-3000:]
    assert "the venv of the new project could not be built" in failed, failed[-3000:]
    assert (
        "No matching distribution found for weasyprint; the project and the venv in use are"
        " unchanged" in failed
    ), failed[-3000:]
    assert (dest / "old.yml").exists() and not (dest / "new.yml").exists()
    assert (dest / ".venv").resolve() == in_use
    assert sorted(p.name for p in dest.glob(".venv*")) == [".venv", in_use.name]

    (tmp_path / "python3.pip.fails").unlink()
    done = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(done) and "changed=0" not in _recap(done), done[-3000:]
    assert (dest / "new.yml").exists() and not (dest / "old.yml").exists()
    now = (dest / ".venv").resolve()
    assert now != in_use and sorted(p.name for p in dest.glob(".venv*")) == [".venv", now.name]
    assert _editable_path(dest) == f"{dest}/runner\n"
    again = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "changed=0" in _recap(again) and "failed=0" in _recap(again), again[-3000:]
    check = _install_project(tmp_path, local_tmp, checkout, dest, "--check")
    assert "changed=0" in _recap(check) and "failed=0" in _recap(check), check[-3000:]
    assert len(_pip_log(tmp_path)) == 3 and list(local_tmp.iterdir()) == []
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_the_venv_is_rebuilt_for_another_python(tmp_path: Path, local_tmp: Path) -> None:
    """A venv was made once, then kept while its pyproject.toml was unchanged: after a
    Debian upgrade (python3 3.11 to 3.13) it named a Python whose packages it lacks, or
    one no longer there, and every `sop` failed until someone removed it by hand. A new
    one is now built when sop_controller_python's version changes, or the venv's python
    no longer runs, and switched to; a run after that changes nothing."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    first = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    in_use = (dest / ".venv").resolve()
    assert in_use.name.startswith(f".venv.sop-py{sys.version_info[0]}.{sys.version_info[1]}-")

    (tmp_path / "python3.version").write_text("3.13\n")  # a Debian upgrade
    upgraded = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(upgraded) and "changed=0" not in _recap(upgraded), upgraded
    now = (dest / ".venv").resolve()
    assert now.name.startswith(".venv.sop-py3.13-") and not in_use.exists()
    again = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "changed=0" in _recap(again) and "failed=0" in _recap(again), again[-3000:]

    (now / "bin" / "python").unlink()  # the interpreter the venv names is gone
    check = _install_project(tmp_path, local_tmp, checkout, dest, "--check")
    assert "changed=0" not in _recap(check) and "failed=0" in _recap(check), check[-3000:]
    rebuilt = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(rebuilt) and "changed=0" not in _recap(rebuilt), rebuilt
    assert (dest / ".venv").resolve() == now and (now / "bin" / "python").exists()
    assert len(_pip_log(tmp_path)) == 3
    assert sorted(p.name for p in dest.glob(".venv*")) == [".venv", now.name]


NOBODY = 65534  # another account on the controller (Debian's nobody)


def _as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="the role installs the project as root; setpriv runs a command as nobody",
)
def test_no_other_account_can_lock_the_project(tmp_path: Path, local_tmp: Path) -> None:
    """The project directory, the lock every timer's run takes shared and the install
    exclusive (flock), was 0755: any account on the controller could open it and hold
    the lock, so every timer's run (the backups too) waited an hour and failed, or no
    install could ever replace the project. It is now 0711: its files are still reached
    by name, the directory cannot be opened, so not locked, by another account."""
    checkout = _committed_checkout(tmp_path)
    reachable = Path(tempfile.mkdtemp(prefix="sop-ctl-open-", dir="/tmp"))
    try:
        reachable.chmod(0o755)  # as /opt: every account may pass, the project's mode decides
        dest = reachable / "court-it-sop"
        output = _install_project(tmp_path, local_tmp, checkout, dest)
        assert "failed=0" in _recap(output), output[-3000:]
        locked = _as_nobody("flock", "--nonblock", "--exclusive", str(dest), "true")
        assert locked.returncode != 0 and "Permission denied" in locked.stderr, locked
        read = _as_nobody("cat", str(dest / "pyproject.toml"))
        assert read.returncode == 0 and read.stdout == "[project]\n", read
        again = _install_project(tmp_path, local_tmp, checkout, dest)
        assert "changed=0" in _recap(again) and "failed=0" in _recap(again), again[-3000:]
    finally:
        shutil.rmtree(reachable)


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_what_the_copy_keeps_is_made_roots(tmp_path: Path, local_tmp: Path) -> None:
    """rsync makes every committed file root's, but never touches what it keeps: the
    venv, __pycache__ and *.egg-info. Left by an install by hand (a clone and `make
    setup` under the admin's own account) they stayed that account's, or writable by
    others, so that account could change the code root's timers run (the venv's `sop`,
    a compiled module). They are now made root's without group or other write; check
    mode lists them and changes nothing; a run after that changes nothing."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    (checkout / "runner" / "sop").mkdir(parents=True)
    (checkout / "runner" / "sop" / "cli.py").write_text("cli\n")
    _commit_all(checkout)
    dest = tmp_path / "opt" / "court-it-sop"
    first = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    sop = dest / ".venv" / "bin" / "sop"
    sop.write_text("#!/bin/sh\n")
    cache = dest / "runner" / "sop" / "__pycache__"
    cache.mkdir()
    (cache / "cli.cpython-311.pyc").write_text("pyc\n")
    egg = dest / "runner" / "court_it_sop.egg-info"
    egg.mkdir()
    for path in (sop, sop.parent, cache, cache / "cli.cpython-311.pyc"):
        os.chown(path, NOBODY, NOBODY)
    egg.chmod(0o777)
    (dest / ".venv").chmod(0o757)
    unsafe = [sop, sop.parent, cache, cache / "cli.cpython-311.pyc", egg, dest / ".venv"]

    check = _install_project(tmp_path, local_tmp, checkout, dest, "--check")
    assert "failed=0" in _recap(check) and "changed=0" not in _recap(check), check[-3000:]
    assert sop.stat().st_uid == NOBODY and stat.S_IMODE(egg.stat().st_mode) == 0o777

    fixed = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(fixed) and "changed=0" not in _recap(fixed), fixed[-3000:]
    for path in unsafe:
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (0, 0) and not info.st_mode & 0o022, path
    assert sop.read_text() == "#!/bin/sh\n" and egg.is_dir()
    again = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "changed=0" in _recap(again) and "failed=0" in _recap(again), again[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_records_and_vault_password_inside_the_project_are_refused(
    tmp_path: Path, local_tmp: Path
) -> None:
    """The install makes the project directory the commit's files exactly (rsync
    --delete): a data directory inside it (`/opt/court-it-sop/var`) lost every record
    and backup at each install, a vault password file there was deleted and written
    again at every run. Either (a host each, in one run) is refused in one line naming
    the setting, before anything is copied; both beside the project are taken."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    first = _install_project(tmp_path, local_tmp, checkout, dest)
    assert "failed=0" in _recap(first), first[-3000:]
    kept = dest / "var" / "sop.db"
    kept.parent.mkdir()
    kept.write_text("records\n")
    settings = ["sop_controller_data_dir", "sop_controller_vault_password_file"]
    output = _install_project(
        tmp_path, local_tmp, checkout, dest,
        hosts={setting: {setting: f"{kept.parent}/"} for setting in settings},
    )  # fmt: skip
    _refused_each(output, {setting: f"{setting}: inside sop_controller_dir {dest},"
                           for setting in settings})  # fmt: skip
    assert kept.read_text() == "records\n"
    beside = _install_project(
        tmp_path, local_tmp, checkout, dest,
        "-e", json.dumps(dict.fromkeys(settings, f"{dest}-records/sop.db")),
    )  # fmt: skip
    assert "failed=0" in _recap(beside), beside[-3000:]


# Each a setting, its value (a text, as -e NAME=VALUE gives it) and what its refusal says.
TIME_LIMITS_REFUSED = [
    ("sop_controller_notify_timeout", "0", "must be a positive number of seconds, not 0"),
    ("sop_controller_notify_timeout", "86401",
     "must be at most 86400 seconds (one day), not 86401"),
    ("sop_controller_install_wait", "-1",
     "must be 0 (does not wait for the SOP runs) or a positive number of seconds, not -1"),
    ("sop_controller_install_wait", "1000000000000",
     "must be at most 86400 seconds (one day), not 1e+12"),
]  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_time_limit_sop_or_flock_would_refuse_later_is_refused_first(
    tmp_path: Path, local_tmp: Path
) -> None:
    """notify.yml's timeout was checked by sop only when a run's notifications were
    sent, after the run; flock took the install's wait only after the new venv was built
    (-1: 'cannot set up timer'), 1e12 waited on a stuck run for good. Each (a host each,
    in one run) is refused in one line naming the setting, before anything is installed."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    output = _install_project(
        tmp_path, local_tmp, checkout, dest,
        hosts={f"case{index}": {setting: value}
               for index, (setting, value, _) in enumerate(TIME_LIMITS_REFUSED)},
    )  # fmt: skip
    _refused_each(output, {
        f"case{index}": f"{setting}: {said}"
        for index, (setting, _, said) in enumerate(TIME_LIMITS_REFUSED)
    })  # fmt: skip
    assert not dest.exists()


RELATIVE_PATHS = [
    ("sop_controller_dir", "opt/court-it-sop"), ("sop_controller_venv", ".venv"),
    ("sop_controller_data_dir", "var/sop"), ("sop_controller_data_dir", ""),
    ("sop_controller_vault_password_file", ".sop-vault"),
]  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_relative_path_on_the_controller_is_refused_first(
    tmp_path: Path, local_tmp: Path
) -> None:
    """A relative directory was taken from the SSH user's home on the controller
    (-e sop_controller_data_dir=var/sop made the records' directory there, and escaped
    the check of what lies inside the project). Each (a host each, in one run) is refused
    in one line naming the setting, before anything is installed; the inventory may stay
    relative (read in the project)."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    output = _install_project(
        tmp_path, local_tmp, checkout, dest, "-e", "sop_controller_inventory=inventory/example",
        hosts={f"case{index}": {setting: value}
               for index, (setting, value) in enumerate(RELATIVE_PATHS)},
    )  # fmt: skip
    _refused_each(output, {
        f"case{index}": f"{setting}: expected an absolute path, got '{value}'"
        for index, (setting, value) in enumerate(RELATIVE_PATHS)
    })  # fmt: skip
    assert not dest.exists()


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "null"), (["VaultPa55"], "a list"), ({"VaultPa55": "/var/lib/sop"}, "a mapping")],
)  # fmt: skip
def test_a_text_given_as_null_a_list_or_a_mapping_is_refused_first(
    tmp_path: Path, value: object, shown: str
) -> None:
    """argument_specs let a text given as null, a list or a mapping through (written as
    'None' or "['VaultPa55']", the variable left as it was): the archive's version read as
    the revision 'None', a path's null skipped by the path check or a list's items taken
    as paths, the vault password's length failing in Ansible's words. Each text (a host
    each, in one run of the role's checks, tagged always before anything is installed)
    refused in one line naming the setting; its value never shown (the password's
    neither)."""
    results = texts_refused(tmp_path, "sop_controller", value, shown)
    assert "VaultPa55" not in json.dumps(results)


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_an_archive_version_git_would_read_as_an_option_is_refused_first(
    tmp_path: Path, local_tmp: Path
) -> None:
    """git archive's last argument: --output=... (or --remote, --exec) was git's option,
    run on the controller. Each (a host each, in one run) refused in one line naming the
    setting, nothing installed."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    versions = {"option": "--output=/dev/null", "spaced": "HEAD extra", "empty": ""}
    output = _install_project(
        tmp_path, local_tmp, checkout, dest,
        hosts={host: {"sop_controller_archive_version": version}
               for host, version in versions.items()},
    )  # fmt: skip
    refusal = "pengaturan salah: sop_controller_archive_version: must be a revision"
    _refused_each(output, dict.fromkeys(versions, refusal))
    assert not dest.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_an_install_wait_of_0_tries_the_lock_once(tmp_path: Path, local_tmp: Path) -> None:
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    output = _install_project(tmp_path, local_tmp, checkout, dest,
                              "-e", "sop_controller_install_wait=0")  # fmt: skip
    assert "failed=0" in _recap(output), output[-3000:]
    assert (dest / "pyproject.toml").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_git_source_is_installed_only_at_a_commit_it_names_in_full(
    tmp_path: Path, local_tmp: Path
) -> None:
    """A git source was installed at sop_controller_git_version, `main` by default: the
    role, run again to change a notification URL or a secret, put whatever the branch had
    reached by then under root's unattended timers (reviewed or not, and a different
    version on each controller). A branch, tag, short id or nothing (a host each, in one
    run) is now refused in one line naming the setting, before anything is cloned or
    installed."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "a.txt").write_text("a\n")
    _git(checkout, "init", "-q", "-b", "main")
    _git(checkout, "add", "a.txt")
    _git(checkout, "commit", "-q", "-m", "one")
    _git(checkout, "tag", "v1")
    dest = tmp_path / "opt" / "court-it-sop"
    versions = ["main", "v1", "HEAD", "0d3240c", ""]
    output = _install_project(
        tmp_path, local_tmp, checkout, dest, source="git",
        hosts={f"case{index}": {"sop_controller_git_version": version}
               for index, version in enumerate(versions)},
    )  # fmt: skip
    _refused_each(output, {
        f"case{index}": f'sop_controller_git_version: "{version}" is not a commit id'
        for index, version in enumerate(versions)
    })  # fmt: skip
    assert not dest.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_archive_removed_when_the_install_fails(tmp_path: Path, local_tmp: Path) -> None:
    """The temporary archive (the project's committed files, inventory and vault among
    them) stayed on the machine running the playbook when a step after packing failed."""
    checkout = tmp_path / "checkout"
    (checkout / "collections" / "ansible_collections").mkdir(parents=True)
    (checkout / "a.txt").write_text("a\n")
    _commit_all(checkout)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # the project cannot be unpacked under a file
    output = _install_project(tmp_path, local_tmp, checkout, blocker / "court-it-sop")
    assert "failed=1" in _recap(output), output[-3000:]
    assert list(local_tmp.iterdir()) == []


@contextlib.contextmanager
def _repository_asking_a_password(root: Path, user: str, password: str) -> Iterator[str]:
    """The bare repositories under ``root`` served over git's dumb HTTP protocol (their
    files) only to a request with HTTP basic credentials ``user``:``password``: its
    ``host:port``."""
    wanted = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            if self.headers.get("Authorization") == wanted:
                super().do_GET()
                return
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _served_checkout(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A checkout, its bare copy ``served/repo.git`` ready for git's dumb HTTP protocol,
    and a `git` (in the directory returned third) logging each command it runs, as ps
    would show it, to the file returned last."""
    checkout = _committed_checkout(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(checkout), str(served / "repo.git")],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    _git(served / "repo.git", "update-server-info")
    real_git = shutil.which("git")
    assert real_git is not None
    shims = tmp_path / "bin"
    shims.mkdir()
    argv_log = tmp_path / "git-argv.log"
    (shims / "git").write_text(
        f'#!/bin/sh\nprintf \'%s\\n\' "$*" >> {argv_log}\nexec {real_git} "$@"\n'
    )
    (shims / "git").chmod(0o755)
    return checkout, served, shims, argv_log


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_the_git_token_stays_off_the_command_line_and_out_of_the_output(
    tmp_path: Path, local_tmp: Path
) -> None:
    """A token in sop_controller_git_repo (https://user:TOKEN@host/repo.git) was on `git
    clone`'s command line, where every account sees it (ps), and in the clone's output
    and errors (-vvv, a failure's message). Git now gets the URL without it and the
    credentials from a helper of the clone's own, for that host only; a failed clone is
    told with the URL masked. The scheme is read whatever its case, as URLs' are
    (`HTTP://user:TOKEN@...` went to git whole, and git 2.39 then looked for a
    `git-remote-HTTP` it does not have): git gets it lowercase."""
    checkout, served, shims, argv_log = _served_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    # %40 and + as git reads them: @ and +
    with _repository_asking_a_password(served, "court", "s3cr3t-Tok3n@x+y") as host:
        wrong = _install_project(
            tmp_path, local_tmp, checkout, dest, "-vvv",
            "-e", f"sop_controller_git_repo=http://court:s3cr3t-WRONG@{host}/repo.git",
            source="git", path_first=shims,
        )  # fmt: skip
        right = _install_project(
            tmp_path, local_tmp, checkout, dest, "-vvv",
            "-e", f"sop_controller_git_repo=Http://court:s3cr3t-Tok3n%40x+y@{host}/repo.git",
            source="git", path_first=shims,
        )  # fmt: skip
    assert "failed=1" in _recap(wrong), wrong[-3000:]
    assert "failed=0" in _recap(right), right[-3000:]
    argv = argv_log.read_text()
    for output in (wrong, right, argv):
        assert "s3cr3t" not in output
    assert f"git clone of http://***@{host}/repo.git at " in wrong, wrong[-3000:]
    assert "Authentication failed" in wrong, wrong[-3000:]
    assert (dest / "pyproject.toml").read_text() == "[project]\n"
    assert f"clone --origin origin http://{host}/repo.git" in argv, argv
    assert sorted(p.name for p in dest.parent.iterdir()) == ["court-it-sop"]


PIP_VARIABLES_REFUSED = [
    ("X=1; touch {made}; Y", "a name must"),
    ("SOP_CONTROLLER_VENV", "the install script's own"),
    ("PATH", "the install script's own"),
    ("IFS", "changes what the shell, the dynamic loader or Python runs"),
    ("LD_PRELOAD", "changes what the shell, the dynamic loader or Python runs"),
    ("PYTHONPATH", "changes what the shell, the dynamic loader or Python runs"),
]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_pip_variable_no_name_or_the_install_scripts_own_is_refused(
    tmp_path: Path, local_tmp: Path
) -> None:
    """pip.env, sourced by the shell as root inside the install's own script, wrote each
    of sop_controller_pip_environment's names as given: a name that is not a variable's
    was shell code, run as root; SOP_CONTROLLER_VENV put the venv (and the root-owned
    files the script fixes) elsewhere, PATH chose which python made it; IFS split pip's
    arguments otherwise, LD_PRELOAD and PYTHONPATH put other code in what ran as root.
    Each (a host each, in one run) is refused in one line naming it, before anything is
    installed."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    made = tmp_path / "made"
    cases = {f"case{index}": (name.format(made=made), refusal)
             for index, (name, refusal) in enumerate(PIP_VARIABLES_REFUSED)}  # fmt: skip
    output = _install_project(
        tmp_path, local_tmp, checkout, dest,
        hosts={host: {"sop_controller_pip_environment": {name: str(made), "PIP_CERT": "/c"}}
               for host, (name, _) in cases.items()},
    )  # fmt: skip
    _refused_each(output, {host: f"sop_controller_pip_environment: {name}: {refusal}"
                           for host, (name, refusal) in cases.items()})  # fmt: skip
    assert not made.exists() and not dest.exists()


BAD_ENVIRONMENTS = [
    ({"SOP_PROJECT_DIR": "/srv/elsewhere"},
     "sop_controller_environment: SOP_PROJECT_DIR: the role's own"),
    ({"SOP_DATABASE_URL": "postgresql://a\nEXTRA=injected"},
     "sop_controller_environment: SOP_DATABASE_URL: a name must"),
    ({"PYTHONHOME": "/srv/elsewhere"},
     "sop_controller_environment: PYTHONHOME: changes what the shell, the dynamic loader"),
    ({"LD_LIBRARY_PATH": "/srv/elsewhere"},
     "sop_controller_environment: LD_LIBRARY_PATH: changes what the shell, the dynamic loader"),
]  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="the role installs the project as root")
def test_a_bad_setting_is_refused_before_anything_changes(
    tmp_path: Path, local_tmp: Path
) -> None:
    """sop_controller_environment was checked in secrets.yml, after the project and its
    venv were installed: a name the role owns, or a value holding a newline, was refused
    only once the controller ran a new version. Every check of the settings now comes
    first in the role: the refusal (a host each, in one run) leaves the controller as it
    was."""
    checkout = _committed_checkout(tmp_path)
    dest = tmp_path / "opt" / "court-it-sop"
    elsewhere = {
        "sop_controller__config_dir": str(tmp_path / "etc-sop"),
        "sop_controller__fact_cache_dir": str(tmp_path / "root" / ".ansible" / "facts"),
        "sop_controller_data_dir": str(tmp_path / "data"),
        "sop_controller_vault_password_file": str(tmp_path / "vault"),
        "sop_controller_notify_urls": [],
    }
    output = _install_project(
        tmp_path, local_tmp, checkout, dest, "-e", json.dumps(elsewhere),
        "--skip-tags", "sop_controller_packages", whole_role=True,
        hosts={f"case{index}": {"sop_controller_environment": environment}
               for index, (environment, _) in enumerate(BAD_ENVIRONMENTS)},
    )  # fmt: skip
    _refused_each(output, {f"case{index}": refusal
                           for index, (_, refusal) in enumerate(BAD_ENVIRONMENTS)})  # fmt: skip
    assert "injected" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkout", "hosts.json", "project.yml", "python3"
    ]  # fmt: skip


ENV_GENERATOR = Path(
    "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
)
# What a database URL or another value may hold: backslash, quotes, $, backtick, spaces
# (leading and trailing too), comment and assignment characters, non-ASCII.
HOSTILE_VALUES = {
    "SOP_DATABASE_URL": 'postgresql://sop:p\\a"s$ s`w\'d#;=@db.example/sop',
    "SOP_SPACES": "  two  spaces  ",
    "SOP_DOLLAR": "$HOME ${HOME} $$ \\$",
    "SOP_TEXT": "Pengadilan Negeri Contoh ✓",
    "SOP_EMPTY": "",
}


def _systemd_reads(text: str) -> dict[str, str]:
    """What systemd's own env-file parser (the one EnvironmentFile= uses, here through
    systemd-environment-d-generator, which prints each variable it read, double-quoted
    with \\ before "\\`$) makes of `text`. The generator expands $NAME afterwards (which
    EnvironmentFile= does not do), so text given here has no $ before a name."""
    with tempfile.TemporaryDirectory() as home:
        conf = Path(home, "environment.d")
        conf.mkdir()
        (conf / "sop.conf").write_text(text, encoding="utf-8")
        done = subprocess.run(
            [str(ENV_GENERATOR)], capture_output=True, text=True, check=True, timeout=30,
            env={"HOME": home, "XDG_CONFIG_HOME": home, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    values: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("=")
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        values[name] = value
    return values


@pytest.mark.skipif(not ENV_GENERATOR.exists(), reason="needs systemd's environment generator")
def test_the_man_page_parser_reads_as_systemd_does() -> None:
    """tests/runner/systemd_envfile.py (systemd.exec(5)'s rules) agrees with systemd 's
    own parser on each form of value: unquoted, '-quoted and "-quoted with escapes."""
    text = (
        "# comment\n; comment\nnot an assignment\n"
        "A=  unquoted \\\\ back\\slash \"quotes\" kept  \n"
        "B='single \\ \"verbatim\" $ '\n"
        'C="double \\\\ \\" \\` \\$ \\q $ end"\n'
        'D="  spaced  "\n'
    )
    systemd = _systemd_reads(text)
    ours = systemdenv.parse(text)
    assert ours == {k: v for k, v in systemd.items() if k in ours}
    assert ours["C"] == 'double \\ " ` $ \\q $ end'


def _environment_file(
    tmp_path: Path,
    environment: dict[str, str],
    vault_password: str = "vault-password",
    *options: str,
    vault_file: str = "vault",
    environments: dict[str, dict[str, str]] | None = None,
) -> tuple[str, Path]:
    """checks.yml, secrets.yml and vault_moved.yml with their files under tmp_path (the
    vault password file tmp_path/`vault_file`): the run's output and the environment file.
    `environment` is the inventory's (`_inventory`), each host of `environments` (a host
    each, in one run) with its own over it; the other settings are tmp_path/vars.json."""
    playbook = tmp_path / "secrets.yml"
    playbook.write_text(
        "- hosts: all\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: checks}\n"
        "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: secrets}\n"
        "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: vault_moved}\n"
    )
    variables = tmp_path / "vars.json"
    variables.write_text(
        json.dumps(
            {
                "sop_controller__config_dir": str(tmp_path / "etc-sop"),
                "sop_controller__fact_cache_dir": str(tmp_path / "root" / ".ansible" / "facts"),
                "sop_controller_data_dir": str(tmp_path / "data"),
                "sop_controller_dir": "/opt/court-it-sop",
                "sop_controller_vault_password": vault_password,
                "sop_controller_vault_password_file": str(tmp_path / vault_file),
                "sop_controller_notify_urls": [],
            }
        )
    )
    hosts = {host: {"sop_controller_environment": given}
             for host, given in (environments or {}).items()}  # fmt: skip
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"),
         "-i", _inventory(tmp_path, {"sop_controller_environment": environment}, hosts),
         "-e", f"@{variables}", *options, str(playbook)],
        capture_output=True, text=True, check=False, timeout=120, cwd=REPO,
    )  # fmt: skip
    return done.stdout + done.stderr, tmp_path / "etc-sop" / "environment"


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_environment_values_reach_the_services_unchanged(tmp_path: Path) -> None:
    """/etc/sop/environment had NAME=value lines as given: systemd's EnvironmentFile=
    parser then dropped a backslash and the character it escapes, trimmed spaces and
    ended a value at a quote's pair, so a SOP_DATABASE_URL whose password holds a
    backslash or a quote reached `sop` changed. Each value is now double-quoted with
    \\ " ` $ escaped, and read back exactly, by systemd's own parser where it is
    installed and by the man page's rules (systemd_envfile)."""
    output, path = _environment_file(tmp_path, HOSTILE_VALUES)
    assert "failed=0" in _recap(output), output[-3000:]
    text = path.read_text(encoding="utf-8")
    expected = {
        **HOSTILE_VALUES,
        "SOP_DATA_DIR": str(tmp_path / "data"),
        "SOP_PROJECT_DIR": "/opt/court-it-sop",
        "ANSIBLE_VAULT_PASSWORD_FILE": str(tmp_path / "vault"),
    }
    assert systemdenv.parse(text) == expected
    if ENV_GENERATOR.exists():  # systemd itself, but for the $NAME it would expand
        plain = "".join(line + "\n" for line in text.splitlines() if "SOP_DOLLAR" not in line)
        read = _systemd_reads(plain)
        # (it leaves out the empty ones, which EnvironmentFile= sets empty)
        compared = [k for k, v in expected.items() if k != "SOP_DOLLAR" and v]
        assert {k: read[k] for k in compared} == {k: expected[k] for k in compared}
    again, _ = _environment_file(tmp_path, HOSTILE_VALUES)
    assert "changed=0" in _recap(again), again[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_environment_value_with_a_newline_is_refused(tmp_path: Path) -> None:
    """A newline in a value (or a name that is not a variable's) would have made more
    than one line of the file: a value cut short, or an assignment nobody asked for. It
    is refused (a host each, in one run), naming the variable and never showing its
    value."""
    environments = {"newline": {"SOP_DATABASE_URL": "postgresql://a\nEXTRA=injected"},
                    "no_name": {"BAD NAME": "x"}}  # fmt: skip
    output, path = _environment_file(tmp_path, {}, environments=environments)
    _refused_each(output, {host: f"sop_controller_environment: {next(iter(given))}:"
                           for host, given in environments.items()})  # fmt: skip
    assert "injected" not in output
    assert not path.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_the_environment_cannot_move_the_records_or_the_project(tmp_path: Path) -> None:
    """sop_controller_environment, applied last, replaced the SOP_DATA_DIR and
    SOP_PROJECT_DIR the role sets: the timers' records went to a directory the role never
    made 0700 (or SOPs ran from another tree). Either name (a host each, in one run) is
    refused in one line naming the setting to use."""
    settings = {"SOP_DATA_DIR": "sop_controller_data_dir", "SOP_PROJECT_DIR": "sop_controller_dir"}
    output, path = _environment_file(
        tmp_path, {}, environments={name: {name: str(tmp_path / "elsewhere")} for name in settings}
    )
    _refused_each(output, {
        name: f"sop_controller_environment: {name}: the role's own, set from {setting} instead"
        for name, setting in settings.items()
    })  # fmt: skip
    assert not path.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_no_vault_password_leaves_no_password_file(tmp_path: Path) -> None:
    """sop_controller_vault_password emptied (an inventory with nothing vaulted any more)
    left the old password in its file, which nothing named any more. The file is removed
    (a directory given as that file is left alone)."""
    output, path = _environment_file(tmp_path, {})
    vault = tmp_path / "vault"
    assert "failed=0" in _recap(output) and vault.read_text() == "vault-password\n", output
    output, path = _environment_file(tmp_path, {}, vault_password="")
    assert "failed=0" in _recap(output), output[-3000:]
    assert not vault.exists()
    assert "ANSIBLE_VAULT_PASSWORD_FILE" not in systemdenv.parse(path.read_text())
    again, _ = _environment_file(tmp_path, {}, vault_password="")
    assert "changed=0" in _recap(again), again[-3000:]
    (vault / "kept").mkdir(parents=True)
    output, _ = _environment_file(tmp_path, {}, vault_password="")
    assert "failed=0" in _recap(output) and (vault / "kept").is_dir(), output[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_a_moved_vault_password_file_is_removed(tmp_path: Path) -> None:
    """sop_controller_vault_password_file moved to a new path left the old file, the vault
    password in it, which nothing named any more. The old file the role wrote is removed
    (after the timers name the new one), said so; check mode only says it would be; a
    second run changes nothing."""
    output, path = _environment_file(tmp_path, {}, vault_file="vault-old")
    old, new = tmp_path / "vault-old", tmp_path / "vault-new"
    assert "failed=0" in _recap(output) and old.read_text() == "vault-password\n", output
    checked, _ = _environment_file(
        tmp_path, {}, "vault-password", "--check", vault_file="vault-new"
    )
    assert "failed=0" in _recap(checked), checked[-3000:]
    assert f"{old}: would be removed (check mode)" in _said(checked), checked[-3000:]
    assert old.exists() and not new.exists()
    output, path = _environment_file(tmp_path, {}, vault_file="vault-new")
    assert "failed=0" in _recap(output), output[-3000:]
    removed = "removed: the vault password file the last install wrote"
    assert f"{old}: {removed}" in _said(output), output[-3000:]
    assert not old.exists() and new.read_text() == "vault-password\n"
    assert systemdenv.parse(path.read_text())["ANSIBLE_VAULT_PASSWORD_FILE"] == str(new)
    again, _ = _environment_file(tmp_path, {}, vault_file="vault-new")
    assert "changed=0" in _recap(again) and ": removed:" not in again, again[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_a_moved_vault_password_file_left_when_no_link_or_no_role_file(tmp_path: Path) -> None:
    """The old path is removed only when it is a regular file the role wrote itself: a link
    (its target may be anyone's) is left, and so is a path sop_controller_environment named
    (the admin's own, combined over the role's), each said so; a second run says nothing."""
    target = tmp_path / "target"
    target.write_text("the admin's\n")
    output, _ = _environment_file(tmp_path, {}, vault_file="vault-old")
    assert "failed=0" in _recap(output), output[-3000:]
    old = tmp_path / "vault-old"
    old.unlink()
    old.symlink_to(target)
    output, _ = _environment_file(tmp_path, {}, vault_file="vault-new")
    left = "left: the vault password file the last install named, but not a regular file"
    assert f"{old}: {left}" in _said(output), output[-3000:]
    assert old.is_symlink() and target.read_text() == "the admin's\n"
    admins = tmp_path / "admins-vault"
    admins.write_text("the admin's\n")
    given = {"ANSIBLE_VAULT_PASSWORD_FILE": str(admins)}
    output, path = _environment_file(tmp_path, given, vault_file="vault-new")
    assert systemdenv.parse(path.read_text())["ANSIBLE_VAULT_PASSWORD_FILE"] == str(admins)
    output, path = _environment_file(tmp_path, {}, vault_file="vault-new")
    assert "failed=0" in _recap(output), output[-3000:]
    assert f"{admins}: left: sop_controller_environment named it last time" in _said(output), output
    assert admins.read_text() == "the admin's\n"
    again, _ = _environment_file(tmp_path, {}, vault_file="vault-new")
    assert "changed=0" in _recap(again) and ": left:" not in again, again[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_a_vault_password_file_an_earlier_role_named_is_left(tmp_path: Path) -> None:
    """An environment file an install before this one wrote does not say whether its vault
    password file was sop_controller_vault_password_file or sop_controller_environment's
    (the admin's): moved, it is left and said so."""
    old = tmp_path / "vault-old"
    old.write_text("vault-password\n")
    (tmp_path / "etc-sop").mkdir(mode=0o700)
    (tmp_path / "etc-sop" / "environment").write_text(f'ANSIBLE_VAULT_PASSWORD_FILE="{old}"\n')
    output, _ = _environment_file(tmp_path, {}, vault_file="vault-new")
    assert "failed=0" in _recap(output), output[-3000:]
    assert f"{old}: left: an install that did not record whether" in _said(output), output[-3000:]
    assert old.read_text() == "vault-password\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_the_timers_fact_cache_is_private(tmp_path: Path) -> None:
    """ansible.cfg keeps the facts in ~/.ansible/facts (root's, for the timers): Ansible
    makes that directory with the umask and each host's file 0644, so the role makes it
    and ~/.ansible 0700 (an existing one too)."""
    facts = tmp_path / "root" / ".ansible" / "facts"
    facts.mkdir(parents=True, mode=0o755)
    facts.chmod(0o755)
    facts.parent.chmod(0o755)
    output, _ = _environment_file(tmp_path, {})
    assert "failed=0" in _recap(output), output[-3000:]
    assert stat.S_IMODE(facts.stat().st_mode) == 0o700
    assert stat.S_IMODE(facts.parent.stat().st_mode) == 0o700


# A stand-in for the venv's `sop`: writes the environment it was given (as JSON, into the
# file beside it) and says that nothing changed, as `sop schedule install` does then.
FAKE_SOP = """#!{python}
import json, os, sys
with open(sys.argv[0] + ".env.json", "w", encoding="utf-8") as handle:
    json.dump(dict(os.environ), handle)
print("4 timers enabled; 0 units changed, 0 removed.")
"""


def _timers_play(
    tmp_path: Path, fake_sop: str, *options: str, project: Path | None = None
) -> tuple[str, Path]:
    """The role's timers.yml run on localhost with ``fake_sop`` as the venv's `sop` and
    ``project`` (tmp_path) as the project directory: what ansible-playbook showed, and
    that stand-in's path."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    sop = venv / "bin" / "sop"
    sop.write_text(fake_sop)
    sop.chmod(0o755)
    (venv / "bin" / "python").symlink_to(sys.executable)  # the role runs `sop` with it
    playbook = tmp_path / "timers.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - ansible.builtin.include_role: {name: sop_controller, tasks_from: timers}\n"
    )
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
         "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", *options,
         "-e", f"sop_controller_venv={venv}", "-e", f"sop_controller_dir={project or tmp_path}",
         "-e", "sop_controller_inventory=inventory/court", str(playbook)],
        capture_output=True, text=True, check=False, timeout=120, cwd=REPO,
        env={**os.environ, "SOP_DATABASE_URL": ""},
    )  # fmt: skip
    return done.stdout + done.stderr, sop


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_the_timers_install_gets_the_environment_off_the_command_line(tmp_path: Path) -> None:
    """`sop schedule install` was given sop_controller_environment through Ansible's
    `environment`, which Ansible writes onto the command line it runs (`SOP_DATABASE_URL=
    postgresql://sop:PASSWORD@... python3 AnsiballZ_command.py`): the password was in
    sudo's log of the controller's install, in ps and in -vvv output. The command now
    reads /etc/sop/environment itself, as the services do, and gets each value unchanged."""
    output, _ = _environment_file(tmp_path, HOSTILE_VALUES)
    assert "failed=0" in _recap(output), output[-3000:]
    output, sop = _timers_play(
        tmp_path, FAKE_SOP.format(python=sys.executable), "-vvv", "-e", f"@{tmp_path / 'vars.json'}"
    )
    assert "changed=0" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    assert "p\\a" not in output and "db.example" not in output
    got = json.loads(Path(f"{sop}.env.json").read_text(encoding="utf-8"))
    expected = {
        **HOSTILE_VALUES,
        "SOP_DATA_DIR": str(tmp_path / "data"),
        "SOP_PROJECT_DIR": "/opt/court-it-sop",
        "ANSIBLE_VAULT_PASSWORD_FILE": str(tmp_path / "vault"),
    }
    assert {name: got.get(name) for name in expected} == expected


FAKE_SOP_ARGV = """#!{python}
import sys
with open(sys.argv[0] + ".calls", "a", encoding="utf-8") as handle:
    handle.write(" ".join(sys.argv[1:]) + "\\n")
print("{answer}")
"""


@pytest.mark.parametrize(
    ("answer", "changed"),
    [("8 units removed from /etc/systemd/system.", 1),
     ("0 units removed from /etc/systemd/system.", 0)],
)
def test_timers_turned_off_are_removed(tmp_path: Path, answer: str, changed: int) -> None:
    """sop_controller_timers: false skipped the timers' task, so the timers an earlier
    install left went on running every SOP; now `sop schedule remove` runs (changed only
    when it removed units) and `schedule install` does not."""
    fake = FAKE_SOP_ARGV.format(python=sys.executable, answer=answer)
    (tmp_path / "etc-sop").mkdir()
    (tmp_path / "etc-sop" / "environment").write_text("")  # secrets.yml's, read by the shell
    output, sop = _timers_play(
        tmp_path, fake, "-e", "sop_controller_timers=false",
        "-e", f"sop_controller__config_dir={tmp_path / 'etc-sop'}",
    )  # fmt: skip
    assert f"changed={changed}" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    assert Path(f"{sop}.calls").read_text(encoding="utf-8") == "schedule remove\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="the role writes root's files")
def test_the_timers_removal_gets_the_environment(tmp_path: Path) -> None:
    """`sop schedule remove` records in the store that the timers no longer expect runs
    (`sop overdue`): run without /etc/sop/environment, it wrote that into root's default
    SQLite store, not the court's (SOP_DATABASE_URL, SOP_DATA_DIR), where every SOP then
    fell overdue."""
    output, _ = _environment_file(tmp_path, HOSTILE_VALUES)
    assert "failed=0" in _recap(output), output[-3000:]
    fake = FAKE_SOP.format(python=sys.executable).replace("4 timers enabled; ", "")
    output, sop = _timers_play(
        tmp_path, fake, "-e", f"@{tmp_path / 'vars.json'}", "-e", "sop_controller_timers=false"
    )
    assert "failed=0" in _recap(output), output[-3000:]
    got = json.loads(Path(f"{sop}.env.json").read_text(encoding="utf-8"))
    expected = {**HOSTILE_VALUES, "SOP_DATA_DIR": str(tmp_path / "data")}
    assert {name: got.get(name) for name in expected} == expected


@pytest.mark.parametrize("timers", ["true", "false"])
def test_check_mode_of_a_first_install_passes_the_timers(tmp_path: Path, timers: str) -> None:
    """--check of a first install failed at the timers' task ("Unable to change
    directory before execution"): the project it runs in is not there yet, and command
    checks its chdir even in check mode. The task (which has no dry run) is skipped in
    check mode, and `sop` is not run."""
    fake = FAKE_SOP_ARGV.format(python=sys.executable, answer="0 units removed from x.")
    output, sop = _timers_play(
        tmp_path, fake, "--check", "-e", f"sop_controller_timers={timers}",
        project=tmp_path / "opt" / "court-it-sop",
    )  # fmt: skip
    assert "changed=0" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    assert not Path(f"{sop}.calls").exists()
    if timers == "true":
        assert "not there yet (a first install, or moved)" in _said(output)


PLAN_UNCHANGED = (
    "unchanged /etc/systemd/system/sop-sipp-backup.timer\\n"
    "Check only, nothing changed: 0 units to create, 0 to rewrite, 0 to retire, 1 unchanged;"
    " install would then reload systemd and enable --now 1 timers."
)
PLAN_REWRITE = (
    "would rewrite /etc/systemd/system/sop-sipp-backup.timer: OnCalendar 02:00 -> 03:00\\n"
    "Check only, nothing changed: 0 units to create, 1 to rewrite, 0 to retire, 0 unchanged;"
    " install would then reload systemd and enable --now 1 timers."
)


@pytest.mark.parametrize(("plan", "changed"), [(PLAN_UNCHANGED, 0), (PLAN_REWRITE, 1)])
def test_check_mode_shows_what_the_timers_would_become(
    tmp_path: Path, plan: str, changed: int
) -> None:
    """Check mode skipped the timers (`sop schedule` had no dry run): a changed schedule
    showed nothing. It runs `sop schedule install --check` (which changes nothing), shows
    its plan and is changed unless every unit is unchanged."""
    fake = FAKE_SOP_ARGV.format(python=sys.executable, answer=plan)
    (tmp_path / "etc-sop").mkdir()
    (tmp_path / "etc-sop" / "environment").write_text("")  # secrets.yml's, read by the shell
    (tmp_path / "inventory" / "court").mkdir(parents=True)
    vault = tmp_path / "vault"
    vault.write_text("vault-password\n")
    output, sop = _timers_play(
        tmp_path, fake, "--check", "-e", f"sop_controller__config_dir={tmp_path / 'etc-sop'}",
        "-e", "sop_controller_vault_password=vault-password",
        "-e", f"sop_controller_vault_password_file={vault}",
    )  # fmt: skip
    assert f"changed={changed}" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    assert Path(f"{sop}.calls").read_text(encoding="utf-8") == (
        f"schedule install --check -i inventory/court --vault-password-file {vault}\n"
    )
    assert plan.split("\\n", maxsplit=1)[0] in _said(output), output[-3000:]


def test_check_mode_without_what_the_timers_check_reads(tmp_path: Path) -> None:
    """A check whose vault password file is not written yet (moved: check mode writes
    nothing) cannot read the inventory: the timers are not checked, said so, naming it."""
    fake = FAKE_SOP_ARGV.format(python=sys.executable, answer="never run")
    (tmp_path / "etc-sop").mkdir()
    (tmp_path / "etc-sop" / "environment").write_text("")
    (tmp_path / "inventory" / "court").mkdir(parents=True)
    output, sop = _timers_play(
        tmp_path, fake, "--check", "-e", f"sop_controller__config_dir={tmp_path / 'etc-sop'}",
        "-e", "sop_controller_vault_password=vault-password",
        "-e", f"sop_controller_vault_password_file={tmp_path / 'vault-new'}",
    )  # fmt: skip
    assert "changed=0" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    assert f"timers not checked: {tmp_path / 'vault-new'} not there yet" in _said(output)
    assert not Path(f"{sop}.calls").exists()


OLD_SOP = """#!{python}
import sys
print("usage: sop [-h] ...", file=sys.stderr)
print("sop: error: unrecognized arguments: --check", file=sys.stderr)
sys.exit(2)
"""


def test_check_mode_with_a_sop_from_before_its_check(tmp_path: Path) -> None:
    """The installed `sop` may predate `sop schedule install --check` (check mode installs
    no new one): the timers are not checked, said so, and the check does not fail."""
    (tmp_path / "etc-sop").mkdir()
    (tmp_path / "etc-sop" / "environment").write_text("")
    (tmp_path / "inventory" / "court").mkdir(parents=True)
    output, _ = _timers_play(
        tmp_path, OLD_SOP.format(python=sys.executable), "--check",
        "-e", f"sop_controller__config_dir={tmp_path / 'etc-sop'}",
    )  # fmt: skip
    assert "changed=0" in _recap(output) and "failed=0" in _recap(output), output[-3000:]
    said = "timers not checked: the installed sop has no `sop schedule install --check`"
    assert said in _said(output), output[-3000:]
