"""A thin wrapper over the podman CLI (rootful), configured through CONTAINERS_CONF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from itertools import takewhile
from pathlib import Path
from typing import Any


class PodmanError(RuntimeError):
    """A lab step failed; the message is one line naming the cause (for a podman command,
    what it did and podman's error line: see error_line)."""


def project_root() -> Path:
    """The project checkout: the directory holding ansible.cfg above this package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "ansible.cfg").is_file() and (parent / "lab").is_dir():
            return parent
    raise PodmanError("cannot find the project checkout (ansible.cfg and lab/)")


def configure_environment(root: Path) -> None:
    """Point podman at the project's containers.conf (runc, ulimits, fast stop), unless
    CONTAINERS_CONF names another. Without the file (scripts/setup.sh never ran) podman
    would run with its defaults (crun) and fail later, with crun's message."""
    conf = os.environ.get("CONTAINERS_CONF") or str(root / ".lab" / "containers.conf")
    if not Path(conf).is_file():
        raise PodmanError(f"podman's configuration {conf} does not exist "
                          "(scripts/setup.sh writes it)")
    os.environ["CONTAINERS_CONF"] = conf


def available() -> bool:
    return shutil.which("podman") is not None


def error_line(stderr: str | None, returncode: int) -> str:
    """The line naming why a podman command failed: podman prints its cause on an
    "Error: ..." line, so the first such line (a later one, such as "Error: exit status
    125", only repeats that it failed), else the last non-empty line of ``stderr``, else
    the exit status."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    return (errors or lines[-1:] or [f"exit status {returncode}"])[0]


def run(*args: str, check: bool = True, input_text: str | None = None,
        what: str = "") -> subprocess.CompletedProcess[str]:
    """Run podman; with ``check``, a failure is PodmanError "WHAT: <error_line>", WHAT
    being ``what`` (the command and what it acts on: "podman network create
    court-lab-lan") or else podman and the words before its first option."""
    proc = subprocess.run(
        ["podman", *args], text=True, input=input_text, capture_output=True, check=False)
    if check and proc.returncode != 0:
        words = takewhile(lambda arg: not arg.startswith("-"), args)
        raise PodmanError(f"{what or ' '.join(('podman', *words))}: "
                          f"{error_line(proc.stderr, proc.returncode)}")
    return proc


def check_working() -> None:
    """Fail with podman's own error line, as `podman info`'s, when podman does not work
    at all (broken storage, runtime, configuration), before the first lab step."""
    run("info")


def exists(kind: str, name: str) -> bool:
    """Whether the ``kind`` (container, image, network) ``name`` exists: `podman KIND
    exists` exits 1 when it does not; any other failure (125: podman itself failed) is
    PodmanError."""
    proc = run(kind, "exists", name, check=False)
    if proc.returncode not in (0, 1):
        raise PodmanError(f"podman {kind} exists {name}: "
                          f"{error_line(proc.stderr, proc.returncode)}")
    return proc.returncode == 0


def inspect(kind: str, name: str) -> dict[str, Any] | None:
    """``name``'s `podman KIND inspect`, or None when it does not exist (as exists() tells:
    inspect's own exit status is 125 for both); another failure is PodmanError."""
    proc = run(kind, "inspect", name, check=False)
    if proc.returncode != 0:
        if run(kind, "exists", name, check=False).returncode == 1:
            return None
        raise PodmanError(f"podman {kind} inspect {name}: "
                          f"{error_line(proc.stderr, proc.returncode)}")
    data = json.loads(proc.stdout or "[]")
    return data[0] if data else None


def containers_with_label(label: str) -> list[dict[str, Any]]:
    proc = run("ps", "-a", "--filter", f"label={label}", "--format", "json")
    return list(json.loads(proc.stdout or "[]"))
