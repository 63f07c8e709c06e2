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
    """A podman command failed; the message is its first error line."""


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


def run(*args: str, check: bool = True, input_text: str | None = None,
        what: str = "") -> subprocess.CompletedProcess[str]:
    """Run podman; with ``check``, a failure is PodmanError "WHAT: <podman's last error
    line>", WHAT being ``what`` (the command and what it acts on: "podman network create
    court-lab-lan") or else podman and the words before its first option."""
    proc = subprocess.run(
        ["podman", *args], text=True, input=input_text, capture_output=True, check=False)
    if check and proc.returncode != 0:
        err = (proc.stderr or "").strip().splitlines()
        first = err[-1] if err else f"exit status {proc.returncode}"
        words = takewhile(lambda arg: not arg.startswith("-"), args)
        raise PodmanError(f"{what or ' '.join(('podman', *words))}: {first}")
    return proc


def check_working() -> None:
    """Fail with podman's own first error line when podman does not work at all (broken
    storage, runtime, configuration): exists() and inspect() take any failure for "does
    not exist", and `up` would debootstrap for a minute before the import fails."""
    proc = run("info", check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("Error:")]
        first = (errors or lines[-1:] or [f"exit status {proc.returncode}"])[0]
        raise PodmanError(f"podman info: {first}")


def exists(kind: str, name: str) -> bool:
    return run(kind, "exists", name, check=False).returncode == 0


def inspect(kind: str, name: str) -> dict[str, Any] | None:
    proc = run(kind, "inspect", name, check=False)
    if proc.returncode != 0:
        return None
    data = json.loads(proc.stdout or "[]")
    return data[0] if data else None


def containers_with_label(label: str) -> list[dict[str, Any]]:
    proc = run("ps", "-a", "--filter", f"label={label}", "--format", "json")
    return list(json.loads(proc.stdout or "[]"))
