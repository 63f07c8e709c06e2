"""SOP Pengelolaan Website against the lab court (`sop-lab up`), over SSH with become: a
clean site passes, check mode changes nothing, a planted judi-online compromise fails
activity 3 naming each item, and the failures it must report in one clear line."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = str(ROOT / "inventory" / "lab")
UPLOADS = "/var/lib/wordpress/wp-content/uploads"
pytestmark = [pytest.mark.lab]


def run(playbook: str, *args: str) -> tuple[int, dict[str, Any]]:
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_ROLES_PATH=f"{ROOT / 'roles'}:{ROOT / 'lab' / 'roles'}")
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "-i", INVENTORY, playbook,
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    return proc.returncode, json.loads(proc.stdout)


def on_web(command: str, host: str = "web") -> str:
    """Run a shell command as root on a lab host; its output."""
    return subprocess.run([str(ROOT / ".venv/bin/ansible"), "-i", INVENTORY, host, "-b", "-m",
                           "ansible.builtin.shell", "-a", command], cwd=ROOT, check=True,
                          capture_output=True, text=True,
                          env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))).stdout


def failures(report: dict[str, Any]) -> str:
    return " ".join(h.get("msg", "") for p in report["plays"] for t in p["tasks"]
                    for name, h in t["hosts"].items() if name == "web" and h.get("failed"))


def situation_report(report: dict[str, Any]) -> str:
    """Activity 5's report (the message of its output task)."""
    task = "website : Record the situation report (the activity's output)"
    return next(h["msg"] for p in report["plays"] for t in p["tasks"] if t["task"]["name"] == task
                for name, h in t["hosts"].items() if name == "web")


def changed(report: dict[str, Any]) -> int:
    return int(report["stats"]["web"]["changed"])


def test_clean_site_passes_and_a_second_run_changes_nothing():
    rc, report = run("playbooks/website.yml")
    assert rc == 0, failures(report)
    assert re.search(r"backup berkas website-\S+ \(terverifikasi\), database website-db-\S+ "
                     r"\(terverifikasi\)\.", situation_report(report))
    rc, report = run("playbooks/website.yml")
    assert rc == 0 and changed(report) == 0


def test_check_mode_passes():
    rc, report = run("playbooks/website.yml", "--check")
    assert rc == 0, failures(report)


def test_planted_compromise_is_named_and_fails_the_run():
    rc, _ = run("lab/web_compromise.yml", "-e", "lab_web_compromise=planted")
    assert rc == 0
    try:
        rc, report = run("playbooks/website.yml", "--tags", "pengunjung")
        assert rc != 0
        message = failures(report)
        for planted in ("themes/pengadilan/functions.php", "/etc/wordpress/htaccess",
                        f"{UPLOADS}/.htaccess", f"{UPLOADS}/2026/11/wp-cache.php", "cloaking",
                        "hidden_text: https://web/ (.wp-ft9 {position:absolute;left:-9999px"):
            assert planted in message, planted
    finally:
        run("lab/web_compromise.yml", "-e", "lab_web_compromise=removed")


def test_site_down_and_database_down_fail_each_activity_in_one_line():
    on_web("systemctl stop nginx")
    try:
        rc, report = run("playbooks/website.yml", "--tags", "ketersediaan")
        assert rc != 0 and "https://web/ tidak dapat diakses" in failures(report)
    finally:
        on_web("systemctl start nginx")
    on_web("systemctl stop mariadb")
    try:
        # The database is never skipped silently: activity 2 backs up the files and fails
        # naming the database, activity 3 checks files and pages and fails naming it.
        rc, report = run("playbooks/website.yml", "--tags",
                         "ketersediaan,backup,pengunjung,laporan",
                         "-e", "website_backup_force=true")
        message = failures(report)
        assert rc != 0 and "Kegiatan 1: https://web/ menjawab status HTTP 500; https://web/ " \
            "menampilkan galat PHP/database: Error establishing a database connection; " \
            "database CMS wordpress tidak menjawab" in message
        assert "Kegiatan 2: Backup database CMS gagal: backup of wordpress failed" in message
        assert "Kegiatan 3: database CMS wordpress tidak dapat diperiksa" in message
        assert re.search(r"backup berkas website-\S+ \(terverifikasi\), database GAGAL\.",
                         situation_report(report))
        assert "Traceback" not in message
    finally:
        on_web("systemctl start mariadb")


def test_domain_near_expiry_warns_and_expired_fails():
    on_web("cp /etc/lab-rdap.json /etc/lab-rdap.json.orig && "
           "sed -i 's/\"expiration\": \"[^\"]*\"/\"expiration\": \"2020-01-01T00:00:00Z\"/' "
           "/etc/lab-rdap.json")
    try:
        rc, report = run("playbooks/website.yml", "--tags", "pembaruan")
        assert rc != 0 and "Domain pn-lab.go.id sudah berakhir pada 2020-01-01" in failures(report)
    finally:
        on_web("mv /etc/lab-rdap.json.orig /etc/lab-rdap.json")


def test_an_unreadable_domain_date_is_a_warning_named_in_the_report():
    on_web("systemctl stop lab-rdap")
    try:
        rc, report = run("playbooks/website.yml", "--tags", "pembaruan,laporan")
    finally:
        on_web("systemctl start lab-rdap")
    assert rc == 0, failures(report)
    text = situation_report(report)
    assert re.search(r"masa berlaku Domain pn-lab\.go\.id tidak terbaca, Sertifikat TLS web "
                     r"\d{4}-\d\d-\d\d \(\d+ hari\)", text), text
    assert "Semua kegiatan otomatis berhasil. Peringatan: Domain pn-lab.go.id: tanggal berakhir " \
        "tidak terbaca (RDAP http://localhost:8043/rdap/domain/pn-lab.go.id: " in text, text


def test_an_unreadable_cms_is_recorded_with_its_cause_in_each_activity():
    # The CMS lookup is no_log (it reads the database password); its failure must still
    # reach each activity's record, not "output hidden".
    rc, report = run("playbooks/website.yml", "--tags", "backup,pengunjung",
                     "-e", "website_root=/srv/nothing-here")
    assert rc != 0
    causes = [h.get("msg") for p in report["plays"] for t in p["tasks"]
              if t["task"]["name"] == "website : Stop when the CMS cannot be read"
              for name, h in t["hosts"].items() if name == "web" and h.get("failed")]
    assert causes == ["CMS situs tidak dapat dibaca: web root /srv/nothing-here does not "
                      "exist"] * 2


def test_a_database_verification_that_cannot_run_judges_nothing():
    """The verification account's connection limit reached on the backup computer (ERROR
    1226): activity 2 fails naming it; the files archive is verified and recorded, the
    database backup stays unverified, not renamed .failed. The one connection allowed is
    held by another session of the account for the whole run (the verification's own
    connections follow one another: a limit alone is reached only now and then)."""
    limit = "mariadb -e 'ALTER USER sop_verify@localhost WITH MAX_USER_CONNECTIONS {}'"
    held = ("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'sop_verify' "
            "AND INFO LIKE 'SELECT SLEEP%'")
    on_web(limit.format(1), host="backup")
    try:
        on_web("setsid -f setpriv --reuid=sop_verify --regid=sop_verify --clear-groups "
               "mariadb --no-defaults --user=sop_verify -e 'SELECT SLEEP(900)' "
               "</dev/null >/dev/null 2>&1", host="backup")
        on_web(f'for i in $(seq 100); do [ "$(mariadb -N -e "{held}")" = 1 ] && exit 0; '
               "sleep 0.1; done; exit 1", host="backup")
        rc, report = run("playbooks/website.yml", "--tags", "backup",
                         "-e", "website_backup_force=true")
    finally:
        on_web("mariadb -e 'KILL USER sop_verify'; " + limit.format(0), host="backup")
    assert rc != 0
    message = failures(report)
    assert "Verifikasi database CMS tidak dapat dijalankan di komputer backup backup: " \
        "MariaDB: ERROR 1226" in message, message
    assert "belum terverifikasi dan tidak ditandai gagal" in message
    local = on_web("cd /var/backups/website && ls -1t").split()
    assert not [name for name in local if ".failed" in name], local
    newest = next(n for n in local if n.startswith("website-2") and n.endswith(".json"))
    assert '"verified": true' in on_web(f"cat /var/backups/website/{newest}")
