"""Shared pytest set-up: podman settings, and skipping lab tests when no lab is up."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("CONTAINERS_CONF", str(ROOT / ".lab" / "containers.conf"))
os.environ.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))


def lab_is_up() -> bool:
    if shutil.which("podman") is None or not (ROOT / ".lab/ssh/id_ed25519").is_file():
        return False
    proc = subprocess.run(["podman", "container", "inspect", "-f", "{{.State.Running}}",
                           "court-lab-sipp"], capture_output=True, text=True, check=False)
    return proc.stdout.strip() == "true"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if any(item.get_closest_marker("lab") for item in items) and not lab_is_up():
        skip = pytest.mark.skip(reason="the lab is not up (sop-lab up)")
        for item in items:
            if item.get_closest_marker("lab"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT
