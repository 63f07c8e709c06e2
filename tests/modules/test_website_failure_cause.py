"""roles/website's rescue of activity 3, run by Ansible with the role's own audit task: a
setting website_log_audit refuses is recorded naming the role's variable a court sets
(website_log_proxy_share_percent), not the module's option (proxy_share_percent), which
no court's inventory has."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest
import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
ROLE = ROOT / "roles/website"


def outcome(tmp_path: pathlib.Path, settings: dict[str, object]) -> str:
    """The role's final message when activity 3 runs only its log audit with ``settings``."""
    main = yaml.safe_load((ROLE / "tasks/main.yml").read_text(encoding="utf-8"))
    activity = next(t for t in main if t["name"].startswith("Kegiatan 3:"))
    final = next(t for t in main if t["name"] == "Failed activities")
    visitors = yaml.safe_load((ROLE / "tasks/pengunjung.yml").read_text(encoding="utf-8"))
    audit = next(t for t in visitors if "website_log_audit" in t)
    log = tmp_path / "access.log"
    log.write_text("", encoding="utf-8")
    court = tmp_path / "court.yml"  # after the defaults, as a court's inventory sets them
    court.write_text(yaml.safe_dump({"website_log_paths": [str(log)],
                                     "website_log_state_dir": str(tmp_path / "state"),
                                     **settings}), encoding="utf-8")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROLE / "defaults/main.yml"), str(court),
                            str(ROLE / "vars/main.yml")],
             "tasks": [dict(activity, block=[audit]), final]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    return str(tasks[-1]["hosts"]["localhost"]["msg"])


@pytest.mark.parametrize(("settings", "expected"), [
    ({"website_log_proxy_share_percent": 150},
     "pengaturan salah: website_log_proxy_share_percent must be from 1 to 100"),
    ({"website_log_proxy_min_requests": 0},
     "pengaturan salah: website_log_proxy_min_requests must be at least 1"),
    ({"website_log_trusted_proxies": ["proxy.lan"]},
     "pengaturan salah: website_log_trusted_proxies: 'proxy.lan' is no IP address"),
    ({"website_log_bruteforce_threshold": 0},
     "pengaturan salah: website_log_bruteforce_threshold must be at least 1"),
])
def test_a_refused_log_audit_setting_names_the_roles_variable(tmp_path, settings, expected):
    assert outcome(tmp_path, settings).startswith("Kegiatan 3: " + expected)
