"""roles/website/tasks/karantina.yml, activity 6's automated part (the catalogue's
`automated_part: karantina`), run by Ansible on localhost: its output, which the `sop`
runner records with activity 6, names each file moved and where to, each left outside
the site's folders and each the move refused, a failed move's too."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/website/tasks/karantina.yml"
RECORD = "Record each file moved (from -> to) and each left in place (the activity's output)"


def quarantine_tasks(tmp_path: pathlib.Path, findings: list[dict[str, str]],
                     *args: str) -> tuple[int, dict[str, Any]]:
    """The role's quarantine tasks on localhost with activity 3's ``findings`` of the
    site ``tmp_path/site``: the playbook's exit code and the output task's result."""
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"website__integrity": {"integrity": {"findings": findings}},
                      "website_quarantine_dir": str(tmp_path / "q"),
                      "website_integrity_paths": [str(tmp_path / "site")]},
             "tasks": [{"ansible.builtin.import_tasks": str(TASKS)}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, *args, str(tmp_path / "play.yml")],
                          capture_output=True, text=True, check=False, env=env, timeout=120,
                          cwd=ROOT)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    [recorded] = [t["hosts"]["localhost"] for t in tasks if t["task"]["name"] == RECORD]
    return proc.returncode, recorded


def planted(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, list[dict[str, str]]]:
    """A shell in the site's uploads, a changed wp-config.php above the site (outside
    its folders: left in place) and a PHP file behind an uploads folder that is a link
    (refused: the task fails), as activity 3 reports them."""
    uploads = tmp_path / "site" / "wp-content" / "uploads"
    uploads.mkdir(parents=True)
    shell = uploads / "x.php"
    shell.write_text("<?php eval($_POST['c']);")
    config = tmp_path / "wp-config.php"
    config.write_text("<?php define('DB_HOST', 'localhost');")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "y.php").write_text("<?php")
    (uploads / "l").symlink_to(elsewhere)
    findings = [{"kind": "php_in_uploads", "path": str(shell), "name": "php in uploads"},
                {"kind": "new_file", "path": str(config), "name": "new file"},
                {"kind": "php_in_uploads", "path": str(uploads / "l" / "y.php"), "name": "y"}]
    return shell, config, findings


def test_the_output_names_each_file_moved_left_and_refused_though_the_move_failed(tmp_path):
    """A refused file fails the move; the files moved before were recorded in the play's
    output only (a failed result's own output is not recorded): the record task runs
    after the move whatever its end, and the host still fails."""
    shell, config, findings = planted(tmp_path)
    rc, recorded = quarantine_tasks(tmp_path, findings)
    assert rc == 2 and not shell.exists() and config.exists()
    [moved] = [line for line in (tmp_path / "q" / "quarantine.jsonl").read_text().splitlines()]
    assert recorded["sop_output"] == {
        "dipindahkan": [f"{shell} -> {json.loads(moved)['quarantined']}"],
        "dibiarkan": [f"{config}: di luar folder situs (mis. wp-config.php di atas web root), "
                      "tidak dipindahkan: periksa, lalu pulihkan dari cadangan bila diubah"],
        "gagal": [f"karantina {shell.parent / 'l' / 'y.php'} gagal: folder {shell.parent / 'l'} "
                  f"adalah tautan simbolik ke {tmp_path / 'elsewhere'} (tidak diikuti; tidak ada "
                  "yang dipindahkan)"],
    }
    assert recorded["msg"] == ("Karantina: 1 berkas dipindahkan, 1 dibiarkan di luar folder "
                               "situs, 1 gagal (tetap di situs)")


def test_a_dry_run_names_the_files_it_would_move(tmp_path):
    shell, _config, findings = planted(tmp_path)
    rc, recorded = quarantine_tasks(tmp_path, findings[:2], "--check")
    assert rc == 0 and shell.exists()
    assert recorded["sop_output"]["dipindahkan"] == [f"{shell} -> (mode uji: tidak dipindahkan)"]
    assert recorded["msg"].startswith("Karantina: 1 berkas akan dipindahkan (mode uji), 1 ")
