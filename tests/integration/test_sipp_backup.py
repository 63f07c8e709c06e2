"""SOP Backup Database SIPP against real MariaDB in two lab-image containers.

The backup modules run through Ansible's podman connection; the playbook runs end to
end; each failure the SOP must survive is provoked for real: wrong password, database
down, backup host unreachable, disk full (a 1 MiB tmpfs), dump killed with SIGKILL, and a
failed verification. After each: a clear failed activity, no backup file or manifest
left from the failed run, older backups untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/sop-lab:latest"
NET = "it-sipp-backup"
SIPP = "it-sipp-backup-sipp"
STORE = "it-sipp-backup-store"
PASSWORD = 'it-pw#1 "q" \\x'
FULL = "/srv/backup-full"
LOCAL = "/var/backups/sipp"
REMOTE = "/srv/backup/sipp/400997"

pytestmark = [pytest.mark.mariadb]

SCHEMA = r"""
CREATE DATABASE sipp CHARACTER SET utf8mb4;
USE sipp;
CREATE TABLE perkara (perkara_id INT AUTO_INCREMENT PRIMARY KEY, nomor_perkara VARCHAR(100),
  tanggal_pendaftaran DATE, jenis_perkara_nama VARCHAR(100)) ENGINE=InnoDB;
CREATE TABLE pihak (id INT AUTO_INCREMENT PRIMARY KEY, nama VARCHAR(200), alamat TEXT);
CREATE TABLE perkara_pihak1 (id INT AUTO_INCREMENT PRIMARY KEY, perkara_id INT, pihak_id INT);
CREATE TABLE sys_audittrail (id INT AUTO_INCREMENT PRIMARY KEY, datetime DATETIME,
  username VARCHAR(50), action VARCHAR(50), description TEXT);
CREATE TABLE sys_config (id INT AUTO_INCREMENT PRIMARY KEY, category VARCHAR(50),
  name VARCHAR(50), value VARCHAR(200));
CREATE TABLE dokumen (id INT AUTO_INCREMENT PRIMARY KEY, isi LONGBLOB);
CREATE VIEW v_perkara AS SELECT perkara_id, nomor_perkara FROM perkara;
CREATE TRIGGER perkara_audit AFTER INSERT ON perkara FOR EACH ROW
  INSERT INTO sys_audittrail (datetime, username, action, description)
  VALUES (NOW(), 'trigger', 'insert', NEW.nomor_perkara);
CREATE PROCEDURE jumlah_perkara() SELECT COUNT(*) FROM perkara;
CREATE EVENT bersih ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM sys_audittrail WHERE 0;
INSERT INTO sys_config (category, name, value) VALUES ('sys', 'kode_satker', '400997');
INSERT INTO perkara (nomor_perkara, tanggal_pendaftaran, jenis_perkara_nama)
  SELECT CONCAT(seq, '/Pdt.G/2024/PN It'), '2024-01-01' + INTERVAL (seq % 300) DAY,
         IF(seq % 2, 'Gugatan', 'Pidana "Biasa" \\ it''s') FROM seq_1_to_3000;
INSERT INTO pihak (nama, alamat) SELECT CONCAT('Pihak ', seq), REPEAT('Jl. Lab ', 10)
  FROM seq_1_to_3000;
INSERT INTO perkara_pihak1 (perkara_id, pihak_id) SELECT seq, seq FROM seq_1_to_3000;
INSERT INTO dokumen (isi) SELECT RANDOM_BYTES(1024) FROM seq_1_to_2500;
CREATE USER sop_backup@localhost IDENTIFIED BY '{password}';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON sipp.* TO sop_backup@localhost;
GRANT PROCESS, RELOAD ON *.* TO sop_backup@localhost;
CREATE USER sop_noreload@localhost IDENTIFIED BY 'noreload-pw';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON sipp.* TO sop_noreload@localhost;
"""


def podman(*args: str, check: bool = True, stdin: str | None = None,
           ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["podman", *args], input=stdin, capture_output=True, text=True,
                          check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: {proc.stderr.strip()}")
    return proc


def sh(container: str, script: str, check: bool = True) -> str:
    return podman("exec", container, "sh", "-c", script, check=check).stdout


def sql_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@pytest.fixture(scope="module")
def hosts() -> Iterator[None]:
    if shutil.which("podman") is None or podman("image", "exists", IMAGE, check=False).returncode:
        pytest.skip(f"podman or the lab image {IMAGE} is missing")
    podman("rm", "-f", SIPP, STORE, check=False)
    podman("network", "rm", NET, check=False)
    podman("network", "create", NET)
    common = ["run", "-d", "--systemd=always", "--network", NET]
    podman(*common, "--name", SIPP, "--hostname", SIPP, "--tmpfs", f"{FULL}:size=1m", IMAGE,
           "/sbin/init")
    podman(*common, "--name", STORE, "--hostname", STORE, IMAGE, "/sbin/init")
    try:
        for name in (SIPP, STORE):
            sh(name, "systemctl is-system-running --wait >/dev/null", check=False)
        sh(SIPP, "systemctl start mariadb")
        podman("exec", "-i", SIPP, "mariadb", stdin=SCHEMA.replace("{password}",
                                                                      sql_quote(PASSWORD)))
        yield
    finally:
        podman("rm", "-f", SIPP, STORE, check=False)
        podman("network", "rm", NET, check=False)


@pytest.fixture(scope="module")
def ansible_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("ansible")
    cfg = work / "ansible.cfg"
    cfg.write_text(
        "[defaults]\n"
        f"library = {ROOT / 'library'}\nmodule_utils = {ROOT / 'module_utils'}\n"
        f"roles_path = {ROOT / 'roles'}\ncollections_path = {ROOT / 'collections'}\n"
        "interpreter_python = /usr/bin/python3\nhost_key_checking = False\n"
        "callback_result_format = json\nretry_files_enabled = False\n"
        "[connection]\npipelining = True\n")
    inventory = work / "hosts.yml"
    inventory.write_text(json.dumps({"all": {
        "vars": {"ansible_connection": "containers.podman.podman",
                 "court_kode_satker": "400997", "sipp_db_name": "sipp",
                 "sipp_db_host": "localhost", "sipp_db_user": "sop_backup",
                 "sipp_db_password": PASSWORD},
        "children": {
            "sipp_servers": {"hosts": {SIPP: {"sop_lan_address": SIPP}}},
            "backup_hosts": {"hosts": {STORE: {"sop_lan_address": STORE}}}}}}))
    env = dict(os.environ, ANSIBLE_CONFIG=str(cfg), ANSIBLE_INVENTORY=str(inventory),
               ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_FORCE_COLOR", None)  # module results are parsed as JSON
    env.setdefault("CONTAINERS_CONF", str(ROOT / ".lab" / "containers.conf"))
    return env


def module(env: dict[str, str], name: str, args: dict[str, Any], check_mode: bool = False,
           ) -> tuple[bool, dict[str, Any]]:
    """Run one module on the SIPP container: (ok, result)."""
    argv = [str(ROOT / ".venv/bin/ansible"), SIPP, "-b", "-o", "-m", name, "-a", json.dumps(args)]
    proc = subprocess.run(argv + (["--check"] if check_mode else []), env=env,
                          capture_output=True, text=True, check=False)
    head, _, body = proc.stdout.partition(" => ")
    return "FAILED" not in head and proc.returncode == 0, json.loads(body)


def playbook(env: dict[str, str], *extra: str, as_json: bool = False,
             ) -> subprocess.CompletedProcess[str]:
    argv = [str(ROOT / ".venv/bin/ansible-playbook"), str(ROOT / "playbooks/sipp_backup.yml")]
    for item in extra:
        argv += [item] if item.startswith("--") else ["-e", item]
    if as_json:
        env = dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


def task_results(proc: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    """Task name -> the SIPP host's result, from the json callback's output."""
    data = json.loads(proc.stdout)
    return {task["task"]["name"].split(" : ", 1)[-1]: task["hosts"].get(SIPP, {})
            for play in data["plays"] for task in play["tasks"]}


def dump_args(dest: str, **extra: Any) -> dict[str, Any]:
    return {"database": "sipp", "dest": dest, "login_user": "sop_backup",
            "login_password": PASSWORD, **extra}


def listing(container: str, directory: str) -> dict[str, str]:
    """name -> sha256 of every file in a directory (empty if missing)."""
    out = sh(container, f"cd {directory} 2>/dev/null && sha256sum -- * .[!.]* 2>/dev/null",
             check=False)
    return {line.split()[1]: line.split()[0] for line in out.splitlines()}


def backups_in(files: dict[str, str]) -> list[str]:
    return sorted(n for n in files if n.startswith("sipp-"))


# --- the modules ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["mariadb-dump", "mydumper"])
def test_dump_then_restore_verify(hosts: None, ansible_env: dict[str, str], engine: str) -> None:
    dest = f"/var/backups/it-{engine}"
    ok, dump = module(ansible_env, "mariadb_backup", dump_args(dest, engine=engine))
    assert ok, dump
    assert dump["changed"] and dump["engine"] == engine and dump["verified"] is False
    assert dump["tables"]["perkara"] == {"rows": 3000}
    assert dump["tables"]["sys_audittrail"] == {"rows": 3000}  # trigger rows
    assert "v_perkara" not in dump["tables"]
    assert sh(SIPP, f"stat -c %a {dest} {dump['path']} {dump['manifest']}").split() == [
        "700", "600", "600"]
    assert sh(SIPP, f"sha256sum {dump['path']}").split()[0] == dump["sha256"]
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
    assert ok, result
    assert result["verified"] and result["tables"]["dokumen"] == 2500
    manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
    assert manifest["verified"] is True and manifest["verification"]["status"] == "ok"
    assert manifest["engine"] == engine and manifest["server_version"].startswith("10.")
    assert manifest["row_counts"].startswith("exact COUNT(*) in the dump's own snapshot")
    routines = sh(SIPP, "mariadb -N -e \"SELECT COUNT(*) FROM information_schema.ROUTINES"
                        " WHERE ROUTINE_SCHEMA LIKE 'sipp_verify%'\"")
    assert routines.strip() == "0"  # scratch database dropped


def test_idempotent_per_period_force_and_check_mode(hosts: None,
                                                    ansible_env: dict[str, str]) -> None:
    dest = "/var/backups/it-mariadb-dump"  # verified backup of today from the test above
    before = listing(SIPP, dest)
    ok, again = module(ansible_env, "mariadb_backup", dump_args(dest, engine="mariadb-dump"))
    assert ok and not again["changed"] and again["verified"]
    ok, check = module(ansible_env, "mariadb_backup",
                       dump_args(dest, engine="mariadb-dump", force=True), check_mode=True)
    assert ok and check["changed"] and "would dump sipp" in check["msg"]
    assert listing(SIPP, dest) == before
    ok, forced = module(ansible_env, "mariadb_backup",
                        dump_args(dest, engine="mariadb-dump", force=True, compression="gzip"))
    assert ok and forced["changed"] and forced["path"].endswith(".sql.gz")
    after = listing(SIPP, dest)
    assert {k: v for k, v in after.items() if k in before} == before


def test_row_counts_bracketed_without_reload(hosts: None, ansible_env: dict[str, str]) -> None:
    """No RELOAD privilege: no global read lock, two snapshots bracket the dump's."""
    args = dump_args("/var/backups/it-noreload", engine="mariadb-dump",
                     login_user="sop_noreload", login_password="noreload-pw")
    ok, dump = module(ansible_env, "mariadb_backup", args)
    assert ok, dump
    assert dump["tables"]["perkara"] == {"rows": 3000}  # nothing written meanwhile
    manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
    assert "no global read lock" in manifest["row_counts"]
    assert "RELOAD" in manifest["row_counts"]
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
    assert ok and result["verified"], result


def test_wrong_password_fails_clearly(hosts: None, ansible_env: dict[str, str]) -> None:
    args = dump_args("/var/backups/it-wrong")
    args["login_password"] = "wrong"
    ok, result = module(ansible_env, "mariadb_backup", args)
    assert not ok and "Access denied" in result["msg"]
    assert backups_in(listing(SIPP, "/var/backups/it-wrong")) == []


def test_disk_full_while_streaming(hosts: None, ansible_env: dict[str, str]) -> None:
    ok, result = module(ansible_env, "mariadb_backup", dump_args(FULL, engine="mariadb-dump"))
    assert not ok and "No space left on device" in result["msg"], result
    assert backups_in(listing(SIPP, FULL)) == []  # no .partial, no manifest
    assert sh(SIPP, f"df --output=used -B1 {FULL} | tail -1").strip() in {"0", "4096"}


def test_password_never_in_argv_and_kill_mid_dump(hosts: None,
                                                  ansible_env: dict[str, str]) -> None:
    dest = "/var/backups/it-mariadb-dump"
    before = listing(SIPP, dest)
    # Hold a write lock so the dump blocks inside its SELECT: the pipeline stays alive.
    podman("exec", "-d", SIPP, "mariadb", "-e",
           "LOCK TABLES sipp.perkara WRITE; SELECT SLEEP(120);")
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["ok"], outcome["result"] = module(
            ansible_env, "mariadb_backup", dump_args(dest, engine="mariadb-dump", force=True))

    worker = threading.Thread(target=run)
    worker.start()
    try:
        dump_pid = ""
        for _ in range(120):
            procs = sh(SIPP, "for p in /proc/[0-9]*; do [ -r $p/cmdline ] && printf '%s ' "
                             "${p#/proc/} && tr '\\0' ' ' < $p/cmdline; echo; done", check=False)
            dump = [line for line in procs.splitlines() if "mariadb-dump " in line]
            if dump and "zstd" in procs:
                dump_pid = dump[0].split()[0]
                break
            time.sleep(0.5)
        assert dump_pid, "the dump did not start"
        assert PASSWORD not in procs and "it-pw#1" not in procs
        environ = sh(SIPP, "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'", check=False)
        assert "it-pw#1" not in environ
        assert "--defaults-extra-file=" in procs
        sh(SIPP, f"kill -9 {dump_pid}")
        worker.join(120)
    finally:
        sh(SIPP, "mariadb -N -e \"SELECT ID FROM information_schema.PROCESSLIST WHERE "
                 "INFO LIKE 'SELECT SLEEP%'\" | xargs -r -n1 mariadb-admin kill", check=False)
        worker.join(120)
    assert outcome["ok"] is False
    assert "killed by signal 9" in outcome["result"]["msg"]
    assert listing(SIPP, dest) == before  # nothing new, nothing touched
    assert sh(SIPP, "ls -d /tmp/sop-mariadb-* 2>/dev/null", check=False) == ""


def test_retention_prunes_real_directory(hosts: None, ansible_env: dict[str, str]) -> None:
    dest = "/var/backups/it-retention"
    script = [f"mkdir -p {dest} && cd {dest}"]
    for day in range(1, 21):
        name = f"sipp-202610{day:02d}T020000.sql.zst"
        script.append(f"printf data > {name} && printf '{{\"size\": 4, \"verified\": true}}'"
                      f" > {name}.manifest.json")
    script.append("printf x > sipp-20261001T030000.sql.zst.partial && "
                  "touch -d '2026-10-01' sipp-20261001T030000.sql.zst.partial")
    sh(SIPP, " && ".join(script))
    ok, check = module(ansible_env, "backup_retention",
                       {"path": dest, "prefix": "sipp", "keep_daily": 3, "keep_weekly": 2,
                        "keep_monthly": 1}, check_mode=True)
    assert ok and check["changed"]
    assert len(listing(SIPP, dest)) == 41  # check mode removes nothing
    ok, done = module(ansible_env, "backup_retention",
                      {"path": dest, "prefix": "sipp", "keep_daily": 3, "keep_weekly": 2,
                       "keep_monthly": 1})
    assert ok and [p["name"] for p in done["pruned"]] == [p["name"] for p in check["pruned"]]
    # restic semantics: the weekly and monthly buckets start from the newest backup too,
    # so 2 weeks (Oct 20 and Oct 18, a Sunday) and 1 month add nothing to the 3 days.
    kept = backups_in(listing(SIPP, dest))
    assert kept == ["sipp-20261018T020000.sql.zst", "sipp-20261018T020000.sql.zst.manifest.json",
                    "sipp-20261019T020000.sql.zst", "sipp-20261019T020000.sql.zst.manifest.json",
                    "sipp-20261020T020000.sql.zst", "sipp-20261020T020000.sql.zst.manifest.json"]


# --- the playbook --------------------------------------------------------------------


def test_playbook_check_mode_on_fresh_hosts(hosts: None, ansible_env: dict[str, str]) -> None:
    proc = playbook(ansible_env, "--check")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "would create /var/backups/sipp and dump sipp" in proc.stdout
    assert sh(SIPP, f"ls -d {LOCAL} /root/.ssh/sipp_backup_ed25519 2>/dev/null", check=False) == ""
    assert sh(STORE, f"id sipbackup 2>/dev/null; ls -d {REMOTE} 2>/dev/null", check=False) == ""


@pytest.fixture(scope="module")
def first_run(hosts: None, ansible_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = playbook(ansible_env, as_json=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc


def test_playbook_backs_up_verifies_copies_and_reports(
        first_run: subprocess.CompletedProcess[str]) -> None:
    local = backups_in(listing(SIPP, LOCAL))
    remote = listing(STORE, REMOTE)
    assert len(local) == 2 and all(remote[n] == listing(SIPP, LOCAL)[n] for n in local)
    manifest = json.loads(sh(SIPP, f"cat {LOCAL}/{local[1]}"))
    assert manifest["verified"] is True
    assert manifest["verification"]["verified_on"] == STORE
    results = task_results(first_run)
    report = results["Report the backup (outputs for the sop record)"]
    output = report["sop_output"]
    assert output["path"] == f"{LOCAL}/{local[0]}" and output["verified"] is True
    assert output["sha256"] == manifest["sha256"] and output["size"] == manifest["size"]
    assert output["tables"]["perkara"] == {"rows": 3000} and output["duration"] > 0
    assert output["copies"][0] == {"location": f"{STORE}:{REMOTE}/{local[0]}",
                                   "sha256_match": True}
    recorded = results["Record the backup of this period (the activity's output file)"]
    assert recorded["sop_output"]["sha256"] == manifest["sha256"]
    assert "sop_output" not in results["Record the verification result in the manifest"]
    assert "Kepada Kasubbag PTIP" in first_run.stdout
    assert "SOP Backup Database SIPP selesai" in first_run.stdout


def test_playbook_second_run_changes_nothing(first_run: subprocess.CompletedProcess[str],
                                             ansible_env: dict[str, str]) -> None:
    # Removable media configured but not plugged in: a warning, not a failure.
    proc = playbook(ansible_env, "sipp_backup_removable_path=/media/usb-sipp")
    assert proc.returncode == 0 and "changed=0" in proc.stdout, proc.stdout[-3000:]
    assert "removable media not present" in proc.stderr + proc.stdout


def test_removable_copy_to_a_mounted_medium(first_run: subprocess.CompletedProcess[str],
                                            ansible_env: dict[str, str]) -> None:
    source = backups_in(listing(SIPP, LOCAL))[0]
    args = {"src": f"{LOCAL}/{source}", "dest": "/dev/shm"}  # a tmpfs mount point
    ok, copied = module(ansible_env, "backup_copy", args)
    assert ok and copied["changed"] and copied["copied"]
    assert listing(SIPP, "/dev/shm")[source] == listing(SIPP, LOCAL)[source]
    ok, again = module(ansible_env, "backup_copy", args)
    assert ok and not again["changed"] and again["copied"]
    sh(SIPP, f"rm -f /dev/shm/{source}*")


@pytest.mark.parametrize("case", ["wrong_password", "database_down", "backup_host_unreachable",
                                  "disk_full"])
def test_playbook_failures_leave_backups_untouched(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str],
        case: str) -> None:
    before_local, before_remote = listing(SIPP, LOCAL), listing(STORE, REMOTE)
    extra = ["sipp_backup_force=true"]
    expect = ""
    try:
        if case == "wrong_password":
            extra.append("sipp_db_password=salah")
            expect = "Access denied"
        elif case == "database_down":
            sh(SIPP, "systemctl stop mariadb")
            expect = "Can't connect"
        elif case == "backup_host_unreachable":
            podman("pause", STORE)
            expect = "tidak dapat dijangkau"
        else:
            extra.append(f"sipp_backup_local_dir={FULL}")
            expect = "not enough free space"
        proc = playbook(ansible_env, *extra)
    finally:
        if case == "database_down":
            sh(SIPP, "systemctl start mariadb")
        if case == "backup_host_unreachable":
            podman("unpause", STORE)
    assert proc.returncode != 0
    assert expect in proc.stdout, proc.stdout[-3000:]
    assert "Persiapan gagal" in proc.stdout
    assert listing(SIPP, LOCAL) == before_local
    assert listing(STORE, REMOTE) == before_remote
    assert backups_in(listing(SIPP, FULL)) == []


def test_playbook_failed_verification_marks_backup_unverified(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str]) -> None:
    before = backups_in(listing(SIPP, LOCAL))
    proc = playbook(ansible_env, "sipp_backup_force=true", "sipp_backup_verify_on=local",
                    "sipp_backup_verify_login_user=nobody")
    assert proc.returncode != 0 and "Verifikasi backup gagal" in proc.stdout
    after = backups_in(listing(SIPP, LOCAL))
    assert set(before) < set(after)
    new = sorted(set(after) - set(before))
    manifest = json.loads(sh(SIPP, f"cat {LOCAL}/{next(n for n in new if n.endswith('.json'))}"))
    assert manifest["verified"] is False and manifest["verification"]["status"] == "failed"
    assert "Access denied" in manifest["verification"]["reason"]
    # A normal run afterwards is fine (today's earlier verified backup counts, the
    # unverified one does not) and the unverified file is kept for inspection.
    proc = playbook(ansible_env)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert set(after) <= set(backups_in(listing(SIPP, LOCAL)))
