"""roles/it_security's D.7 restore drill, run by Ansible on localhost as the backup
computer in a tmp dir: up to its check that every kind has a backup (read-only), or whole
in check mode (the restores only say what they would restore). It chooses among the
backups the store's record holds whole and verified (backup_verified): one whose
verification failed is never drilled. A store not there yet (its backup SOP never ran),
and one whose backups none verified, is said in Bahasa."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import yaml
from backup_store import stored
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/it_security/tasks/kegiatan_16.yml"


def drill(tmp_path: pathlib.Path, sipp: pathlib.Path, website: pathlib.Path,
          whole: bool = False) -> list[dict[str, Any]]:
    """The drill's tasks before its restores (``whole``: all of them, in check mode), with
    the role's kinds and these stores; each task's localhost result."""
    tasks = yaml.safe_load(TASKS.read_text(encoding="utf-8"))
    if not whole:
        tasks = tasks[:next(i for i, t in enumerate(tasks) if "ansible.builtin.assert" in t) + 1]
    kinds = yaml.safe_load((ROOT / "roles/it_security/vars/main.yml").read_text(
        encoding="utf-8"))["it_security__drill_kinds"]
    play = [{"hosts": "backup_hosts", "gather_facts": False, "tasks": tasks,
             "vars": {"it_security__drill_kinds": kinds, "it_security_drill_sipp_store": str(sipp),
                      "it_security_drill_website_store": str(website),
                      "it_security_drill_website_prefix": "website",
                      "it_security_drill_website_db_prefix": "website-db",
                      "it_security_drill_kinds": ["sipp", "website_files", "website_db"],
                      "it_security_drill_older": 1, "it_security_month": "2026-12",
                      "it_security_drill_os_user": "nobody",
                      "it_security_drill_work_dir": str(tmp_path)}}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    (tmp_path / "hosts").write_text("[backup_hosts]\nlocalhost\n", encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    argv = [*LOCAL_PLAYBOOK, *(["--check"] if whole else []), str(tmp_path / "play.yml")]
    argv[argv.index("localhost,")] = str(tmp_path / "hosts")
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=env,
                          timeout=120)
    assert "access issue" not in proc.stdout + proc.stderr
    return [t["hosts"]["localhost"] for t in json.loads(proc.stdout)["plays"][0]["tasks"]]


def chosen(results: list[dict[str, Any]]) -> list[str]:
    """The names the drill chose (its set_fact's)."""
    return [pathlib.Path(row["path"]).name
            for row in results[1]["ansible_facts"]["it_security_drill_chosen"]]


def test_a_store_not_there_yet_is_said_in_bahasa(tmp_path):
    sipp = tmp_path / "sipp"
    stored(sipp, "sipp-20261201T180000.sql.zst")
    results = drill(tmp_path, sipp, tmp_path / "website")
    assert all(not r.get("warnings") for r in results), results
    check = results[-1]
    assert check.get("failed") and check["msg"].split() == (
        f"Tidak ada backup untuk uji restorasi: file website di {tmp_path}/website (folder itu "
        f"belum ada); database CMS website di {tmp_path}/website (folder itu belum ada)").split()


def test_every_kind_with_a_backup_passes_and_an_empty_store_is_named(tmp_path):
    sipp, website = tmp_path / "sipp", tmp_path / "website"
    website.mkdir()
    stored(sipp, "sipp-20261201T180000.sql.zst")
    stored(website, "website-20261201T180000.tar.zst")
    check = drill(tmp_path, sipp, website)[-1]
    assert check.get("failed") and check["msg"].split() == (
        f"Tidak ada backup untuk uji restorasi: database CMS website di {website}").split()
    stored(website, "website-db-20261201T180000.sql.zst")
    check = drill(tmp_path, sipp, website)[-1]
    assert not check.get("failed"), check


def test_a_backup_whose_verification_failed_is_never_chosen(tmp_path):
    """The lab's failure: a SIPP backup that failed its verification when it was taken
    (still in the store under its name) was chosen at random and failed the drill every
    month. Only the whole and verified ones are chosen, the newest the record took in
    last."""
    sipp, website = tmp_path / "sipp", tmp_path / "website"
    stored(sipp, "sipp-20261101T180000.sql.zst")
    stored(sipp, "sipp-20261102T180000.tar.zst", status="failed",
           reason="myloader failed: ERROR 1064")
    stored(sipp, "sipp-20261103T180000.sql.zst", status="failed", reason="checksum differs")
    stored(sipp, "sipp-20261104T180000.sql.zst")
    stored(sipp, "sipp-20261105T180000.sql.zst", status=None)  # not verified yet
    stored(website, "website-20261201T180000.tar.zst")
    stored(website, "website-db-20261201T180000.sql.zst")
    results = drill(tmp_path, sipp, website)
    assert not results[-1].get("failed"), results[-1]
    assert chosen(results) == ["sipp-20261104T180000.sql.zst", "sipp-20261101T180000.sql.zst",
                               "website-20261201T180000.tar.zst",
                               "website-db-20261201T180000.sql.zst"]


def test_a_store_whose_backups_none_verified_is_said_in_bahasa(tmp_path):
    sipp, website = tmp_path / "sipp", tmp_path / "website"
    stored(sipp, "sipp-20261201T180000.tar.zst", status="failed", reason="myloader failed")
    stored(sipp, "sipp-20261202T180000.sql.zst", status=None)
    stored(website, "website-20261201T180000.tar.zst")
    stored(website, "website-db-20261201T180000.sql.zst")
    check = drill(tmp_path, sipp, website)[-1]
    assert check.get("failed") and check["msg"].split() == (
        f"Tidak ada backup untuk uji restorasi: database SIPP di {sipp} (2 backup tercatat, "
        "tidak satu pun utuh dan terverifikasi)").split()


def test_a_verified_backup_no_longer_whole_fails_the_drill_naming_it(tmp_path):
    """A verified backup damaged in the store is no longer chosen (the restore of the
    whole ones still runs and is timed), and the drill fails naming it."""
    sipp, website = tmp_path / "sipp", tmp_path / "website"
    stored(sipp, "sipp-20261201T180000.sql.zst")
    stored(sipp, "sipp-20261202T180000.sql.zst")
    stored(website, "website-20261201T180000.tar.zst")
    stored(website, "website-db-20261201T180000.sql.zst")
    (sipp / "sipp-20261202T180000.sql.zst").unlink()
    results = drill(tmp_path, sipp, website, whole=True)
    assert chosen(results) == ["sipp-20261201T180000.sql.zst", "website-20261201T180000.tar.zst",
                               "website-db-20261201T180000.sql.zst"]
    assert results[-1].get("failed") and results[-1]["msg"] == (
        "Backup terverifikasi yang tidak utuh lagi di komputer backup: "
        f"sipp-20261202T180000.sql.zst (sipp-20261202T180000.sql.zst is gone from {sipp})")
    (sipp / "sipp-20261202T180000.sql.zst").write_bytes(b"sipp-20261202T180000.sql.zst")
    # put back (a new inode: read again, its recorded content), the drill passes
    results = drill(tmp_path, sipp, website, whole=True)
    assert not results[-1].get("failed"), results[-1]
    assert "sipp-20261202T180000.sql.zst" in chosen(results)
