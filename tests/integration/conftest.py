"""Lab-test set-up shared by several SOPs' tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def playbook(*args: str) -> None:
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), *args],
        cwd=ROOT, env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
        capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


@pytest.fixture(scope="session")
def sipp_backup_made() -> None:
    """A verified SIPP backup in the lab's store, as the daily SOP leaves one: patching a
    SIPP server (server maintenance) needs one younger than 26 hours and the restore drill
    (IT security) needs one to restore. Made once per session, whatever order the test
    files run in."""
    playbook("playbooks/sipp_backup.yml")


@pytest.fixture(scope="session")
def website_backup_made() -> None:
    """A verified website backup (files archive and CMS database) on the backup computer,
    as the weekly website SOP leaves one: the restore drill restores it."""
    playbook("playbooks/website.yml", "--tags", "backup")
