"""Shared pytest set-up: podman settings, and skipping lab tests when no lab is up."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("CONTAINERS_CONF", str(ROOT / ".lab" / "containers.conf"))
os.environ.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
# The tests' own fact cache (each pytest process's): ansible.cfg's (~/.ansible/facts, kept
# a day) holds what this account's real runs learnt of their hosts, the Python discovered
# on localhost among them; the tests run hosts of the same names (localhost with this
# venv's Python, containers made again) and must neither read nor leave such facts.
_FACTS = tempfile.mkdtemp(prefix="sop-test-facts-")
atexit.register(shutil.rmtree, _FACTS, True)
os.environ["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = _FACTS


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
