"""roles/sipp_maintenance: what the records show when activity 1 fails (ansible-playbook
on localhost, nothing listening on the discard port)."""

from __future__ import annotations

import os
import pathlib
import subprocess

from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
SECRETS = ("UrlPa55", "T0kLocal", "DbPa55")
PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_maintenance_local_url: "http://sipp:UrlPa55@127.0.0.1:9/sipp/?token=T0kLocal"
    sipp_maintenance_db_host: 127.0.0.1
    sipp_maintenance_db_user: sop
    sipp_maintenance_db_password: DbPa55
    sipp_maintenance_disk_paths: [/]
  roles: [sipp_maintenance]
"""


def test_credentials_in_the_local_url_never_reach_the_failure(tmp_path):
    # sipp_http_check sends the URL's user:password@ as basic credentials and masks the
    # URL in its result; the verdict's message named the raw sipp_maintenance_local_url:
    # 'SIPP tidak dapat diakses dengan baik di http://sipp:UrlPa55@...?token=T0kLocal'.
    play = tmp_path / "play.yml"
    play.write_text(PLAY, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_ROLES_PATH=str(ROOT / "roles"))
    proc = subprocess.run([*LOCAL_PLAYBOOK, "-v", "--tags", "monitor_akses", str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    shown = proc.stdout + proc.stderr
    assert "Kegiatan 1: SIPP tidak dapat diakses dengan baik di http://***@127.0.0.1:9/" in shown
    leaked = [line for line in shown.splitlines() if any(s in line for s in SECRETS)]
    assert not leaked, leaked[:5]
