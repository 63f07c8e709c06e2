"""The website SOP on a compromised WordPress: each planted injection is named by
activity 3 and the run fails; the optional quarantine moves the webshell, never deletes."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UPLOADS = "/var/lib/wordpress/wp-content/uploads"
RECORD = "Record each file moved (from -> to) and each left in place (the activity's output)"


def playbook(*args):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_ROLES_PATH=f"{ROOT / 'roles'}:{ROOT / 'lab' / 'roles'}",
               ANSIBLE_LIBRARY=str(ROOT / "library"),
               ANSIBLE_MODULE_UTILS=str(ROOT / "module_utils"),
               ANSIBLE_ACTION_PLUGINS=str(ROOT / "plugins" / "action"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"),
                           "-i", os.environ["MOLECULE_INVENTORY_FILE"], *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                          check=False)


def failures(proc):
    report = json.loads(proc.stdout)
    return [h["msg"] for p in report["plays"] for t in p["tasks"]
            for name, h in t["hosts"].items() if name == "mol-website-web" and h.get("failed")]


@pytest.fixture(scope="module")
def compromised():
    planted = playbook("lab/web_compromise.yml", "-e", "lab_web_compromise=planted")
    assert planted.returncode == 0, planted.stdout[-2000:]
    yield
    removed = playbook("lab/web_compromise.yml", "-e", "lab_web_compromise=removed")
    assert removed.returncode == 0, removed.stdout[-2000:]


@pytest.fixture
def web(host):
    if host.backend.get_hostname() != "mol-website-web":
        pytest.skip("web server checks")
    return host


def test_activity_3_names_each_planted_injection(web, compromised):
    run = playbook("playbooks/website.yml", "--tags", "pengunjung")
    assert run.returncode != 0
    message = " ".join(failures(run))
    for planted in ("themes/pengadilan/functions.php", "/etc/wordpress/htaccess",
                    f"{UPLOADS}/.htaccess", f"{UPLOADS}/2026/11/wp-cache.php"):
        assert planted in message, planted
    post_id = web.check_output("mariadb -N wordpress -e \"SELECT ID FROM wp_posts "
                               "WHERE post_name='info-layanan-lab'\"").strip()
    # the finding as website_integrity names it ("post_spam: post ID (TITLE)"); a bare
    # post_id (one or two digits, or empty without the post) is in any message
    assert post_id.isdigit(), post_id
    assert f"post_spam: post {post_id} (Info layanan)" in message
    assert "cloaking" in message


def test_quarantine_moves_the_webshell_out_of_the_web_root(web, compromised):
    shell = f"{UPLOADS}/2026/11/wp-cache.php"
    run = playbook("playbooks/website.yml", "--tags", "pengunjung,karantina",
                   "-e", "website_quarantine=true")
    assert run.returncode != 0  # the other findings stay findings
    assert not web.file(shell).exists
    record = web.file("/var/lib/sop/website-quarantine/quarantine.jsonl")
    assert record.exists and record.user == "root"
    moved = [json.loads(line) for line in record.content_string.splitlines()]
    entry = next(m for m in moved if m["path"] == shell)
    kept = web.file(entry["quarantined"])
    assert kept.exists and kept.mode == 0o600 and "eval(base64_decode" in kept.content_string
    assert web.file("/var/lib/sop/website-quarantine").mode == 0o700
    # the output `sop run` records with activity 6 (its automated part, tag karantina)
    [output] = [h["sop_output"] for p in json.loads(run.stdout)["plays"] for t in p["tasks"]
                if t["task"]["name"].endswith(RECORD)
                for name, h in t["hosts"].items() if name == "mol-website-web"]
    [line] = [m for m in output["dipindahkan"] if m.startswith(f"{shell} -> ")]
    assert line.split(" -> ")[1] in {m["quarantined"] for m in moved if m["path"] == shell}
