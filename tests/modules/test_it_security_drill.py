"""roles/it_security's D.7 restore drill, up to its check that every kind has a backup,
run by Ansible on localhost as the backup computer (stat and find only, in a tmp dir): a
store not there yet (its backup SOP never ran) is said in Bahasa, not as find's English
warning ("Skipped '...' path due to this access issue") in the SOP's record."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/it_security/tasks/kegiatan_16.yml"


def drill_until_the_check(tmp_path: pathlib.Path, sipp: pathlib.Path,
                          website: pathlib.Path) -> list[dict[str, Any]]:
    """The drill's tasks before its restores, with the role's kinds and these stores;
    each task's localhost result."""
    tasks = yaml.safe_load(TASKS.read_text(encoding="utf-8"))
    last = next(i for i, t in enumerate(tasks) if "ansible.builtin.assert" in t)
    kinds = yaml.safe_load((ROOT / "roles/it_security/vars/main.yml").read_text(
        encoding="utf-8"))["it_security__drill_kinds"]
    play = [{"hosts": "backup_hosts", "gather_facts": False, "tasks": tasks[:last + 1],
             "vars": {"it_security__drill_kinds": kinds, "it_security_drill_sipp_store": str(sipp),
                      "it_security_drill_website_store": str(website),
                      "it_security_drill_website_prefix": "website",
                      "it_security_drill_website_db_prefix": "website-db",
                      "it_security_drill_kinds": ["sipp", "website_files", "website_db"],
                      "it_security_drill_older": 1, "it_security_month": "2026-12"}}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    (tmp_path / "hosts").write_text("[backup_hosts]\nlocalhost\n", encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    argv = [*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")]
    argv[argv.index("localhost,")] = str(tmp_path / "hosts")
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=env,
                          timeout=120)
    assert "access issue" not in proc.stdout + proc.stderr
    return [t["hosts"]["localhost"] for t in json.loads(proc.stdout)["plays"][0]["tasks"]]


def test_a_store_not_there_yet_is_said_in_bahasa(tmp_path):
    sipp = tmp_path / "sipp"
    sipp.mkdir()
    (sipp / "sipp-20261201T180000.sql.zst").write_bytes(b"x")
    results = drill_until_the_check(tmp_path, sipp, tmp_path / "website")
    assert all(not r.get("warnings") for r in results), results
    check = results[-1]
    assert check.get("failed") and check["msg"].split() == (
        f"Tidak ada backup untuk uji restorasi: file website di {tmp_path}/website (folder itu "
        f"belum ada); database CMS website di {tmp_path}/website (folder itu belum ada)").split()


def test_every_kind_with_a_backup_passes_and_an_empty_store_is_named(tmp_path):
    sipp, website = tmp_path / "sipp", tmp_path / "website"
    sipp.mkdir()
    website.mkdir()
    (sipp / "sipp-20261201T180000.sql.zst").write_bytes(b"x")
    (website / "website-20261201T180000.tar.zst").write_bytes(b"x")
    check = drill_until_the_check(tmp_path, sipp, website)[-1]
    assert check.get("failed") and check["msg"].split() == (
        f"Tidak ada backup untuk uji restorasi: database CMS website di {website}").split()
    (website / "website-db-20261201T180000.sql.zst").write_bytes(b"x")
    check = drill_until_the_check(tmp_path, sipp, website)[-1]
    assert not check.get("failed"), check
