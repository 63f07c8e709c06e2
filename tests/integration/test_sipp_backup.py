"""SOP Backup Database SIPP against real MariaDB in two lab-image containers.

The backup modules run through Ansible's podman connection; the playbook runs end to
end; each failure the SOP must survive is provoked for real: wrong password, database
down, backup host unreachable, disk full (a 1 MiB tmpfs), dump killed with SIGKILL, and a
failed verification. After each: a clear failed activity, no backup file or manifest
left from the failed run, older backups untouched.

The attacks of a compromised SIPP server are tried for real, over SSH with the push
key against the backup computer: delete, overwrite, rename, list, a shell, a forged
future-dated "verified" manifest; and crafted dumps against the verify-restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import ansible_json
import pytest
from systemd_host import wait_for_systemd

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/sop-lab:latest"
NET = "itb-sipp-backup"
SIPP = "itb-sipp-backup-sipp"
STORE = "itb-sipp-backup-store"
PASSWORD = 'it-pw#1 "q" \\x'
FULL = "/srv/backup-full"
LOCAL = "/var/backups/sipp"
REMOTE = "/srv/backup/sipp/400997"
INCOMING = "/srv/backup/incoming/400997"
LEDGER = f"{REMOTE}/ledger.jsonl"
PUSH = ("ssh -i /root/.ssh/sipp_backup_ed25519 -o BatchMode=yes -o IdentitiesOnly=yes "
        "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/root/.ssh/sipp_backup_known_hosts "
        f"sipbackup@{STORE}")

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
CREATE TABLE ref_lama (id INT PRIMARY KEY, nama VARCHAR(50), nilai FLOAT) ENGINE=MyISAM;
INSERT INTO ref_lama SELECT seq, CONCAT('Ref ', seq), seq / 7 FROM seq_1_to_200;
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
GRANT PROCESS, RELOAD, BINLOG MONITOR ON *.* TO sop_backup@localhost;
GRANT SELECT ON mysql.proc TO sop_backup@localhost;
CREATE USER sop_noreload@localhost IDENTIFIED BY 'noreload-pw';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON sipp.* TO sop_noreload@localhost;
GRANT SELECT ON mysql.proc TO sop_noreload@localhost;
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


def verify_account(container: str) -> None:
    """The verify-restore's OS user and MariaDB account, as the role creates them."""
    sh(container, "id sop_verify >/dev/null 2>&1 || useradd --system --no-create-home "
                  "--shell /usr/sbin/nologin sop_verify")
    podman("exec", "-i", container, "mariadb", stdin=(
        "CREATE USER IF NOT EXISTS sop_verify@localhost IDENTIFIED VIA unix_socket;\n"
        "GRANT ALL ON `sop\\_verify\\_%`.* TO sop_verify@localhost;\n"))


def sql_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@pytest.fixture(scope="module")
def hosts() -> Iterator[None]:
    if shutil.which("podman") is None or podman("image", "exists", IMAGE, check=False).returncode:
        pytest.skip(f"podman or the lab image {IMAGE} is missing")
    podman("rm", "-f", SIPP, STORE, check=False)
    podman("network", "rm", "-f", NET, check=False)
    podman("network", "create", NET)
    common = ["run", "-d", "--systemd=always", "--network", NET]
    podman(*common, "--name", SIPP, "--hostname", SIPP, "--tmpfs", f"{FULL}:size=1m", IMAGE,
           "/sbin/init")
    podman(*common, "--name", STORE, "--hostname", STORE, IMAGE, "/sbin/init")
    try:
        for name in (SIPP, STORE):
            wait_for_systemd(name)
        # The SIPP server writes a binary log (its position goes into the manifest); the
        # module tests verify-restore on it too, so routines may be created without SUPER.
        sh(SIPP, "printf '[mariadbd]\\nlog_bin=sipp-bin\\nserver_id=1\\n"
                 "log_bin_trust_function_creators=1\\n' "
                 "> /etc/mysql/mariadb.conf.d/90-binlog.cnf && systemctl start mariadb")
        podman("exec", "-i", SIPP, "mariadb", stdin=SCHEMA.replace("{password}",
                                                                      sql_quote(PASSWORD)))
        verify_account(SIPP)  # the module tests verify on the SIPP container itself
        yield
    finally:
        podman("rm", "-f", SIPP, STORE, check=False)
        podman("network", "rm", "-f", NET, check=False)


@pytest.fixture(scope="module")
def ansible_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("ansible")
    cfg = work / "ansible.cfg"
    cfg.write_text(
        "[defaults]\n"
        f"library = {ROOT / 'library'}\nmodule_utils = {ROOT / 'module_utils'}\n"
        f"roles_path = {ROOT / 'roles'}\ncollections_path = {ROOT / 'collections'}\n"
        f"filter_plugins = {ROOT / 'plugins' / 'filter'}\n"
        "interpreter_python = /usr/bin/python3\n"
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
           host: str = SIPP) -> tuple[bool, dict[str, Any]]:
    """Run one module on a container (the SIPP one by default): (ok, result)."""
    argv = [str(ROOT / ".venv/bin/ansible"), host, "-b", "-m", name, "-a", json.dumps(args)]
    proc = subprocess.run(argv + (["--check"] if check_mode else []), capture_output=True,
                          text=True, check=False,
                          env=dict(env, ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"))
    # An ad-hoc command's one task is named after its module.
    outcome = ansible_json.result(json.loads(proc.stdout), name, host)
    return proc.returncode == 0 and not outcome.get("failed"), outcome


def playbook(env: dict[str, str], *extra: str, as_json: bool = False,
             ) -> subprocess.CompletedProcess[str]:
    # A dump that writes nothing is stopped after 60 s here instead of 15 min.
    argv = [str(ROOT / ".venv/bin/ansible-playbook"), str(ROOT / "playbooks/sipp_backup.yml"),
            "-e", "sipp_backup_stall_timeout=60"]
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


# ref_lama's FLOAT values (seq / 7) are written with 6 significant digits by MariaDB and
# both dumps: 172 of its 200 rows come back rounded, which every backup's message names.
ROUNDED = ("; FLOAT values rounded to 6 significant digits, as MariaDB writes them and both "
           "dumps take them (the backup holds the rounded values): ref_lama (172 rows); "
           "change those FLOAT columns to DOUBLE (lossless) to back them up whole")


def dump_args(dest: str, **extra: Any) -> dict[str, Any]:
    return {"database": "sipp", "dest": dest, "login_user": "sop_backup",
            "login_password": PASSWORD, **extra}


@contextmanager
def innodb_only() -> Iterator[None]:
    """ref_lama in InnoDB meanwhile: mydumper runs only where every table is InnoDB."""
    podman("exec", SIPP, "mariadb", "sipp", "-e", "ALTER TABLE ref_lama ENGINE=InnoDB")
    try:
        yield
    finally:
        podman("exec", SIPP, "mariadb", "sipp", "-e", "ALTER TABLE ref_lama ENGINE=MyISAM")


def dumped(env: dict[str, str], dest: str, engine: str) -> tuple[bool, dict[str, Any]]:
    """mariadb_backup of sipp into ``dest`` with ``engine`` (for mydumper, innodb_only)."""
    with innodb_only() if engine == "mydumper" else nullcontext():
        return module(env, "mariadb_backup", dump_args(dest, engine=engine))


def listing(container: str, directory: str) -> dict[str, str]:
    """name -> sha256 of every file in a directory (empty if missing)."""
    out = sh(container, f"cd {directory} 2>/dev/null && sha256sum -- * .[!.]* 2>/dev/null",
             check=False)
    return {line.split()[1]: line.split()[0] for line in out.splitlines()}


def backups_in(files: dict[str, str]) -> list[str]:
    return sorted(n for n in files if n.startswith("sipp-"))


# --- the modules ---------------------------------------------------------------------


STALLED = "mydumper wrote nothing for 2 s and was stopped (hung?); no backup was written"
FAILED = ("mydumper failed (exit 1): ** (mydumper:1): CRITICAL **: Error: cannot dump table "
          "sipp.x")


@pytest.mark.parametrize(("script", "cause"), [
    # as Debian 12's 0.10 hangs now and then after its last file: stopped after stall_timeout
    ("exec sleep 600", STALLED),
    # an option or a table it cannot handle
    ('echo "** (mydumper:1): CRITICAL **: Error: cannot dump table sipp.x" >&2; exit 1',
     FAILED),
], ids=["hung", "failed"])
def test_a_hung_or_failed_mydumper_is_followed_by_mariadb_dump_with_auto(
        hosts: None, ansible_env: dict[str, str], script: str, cause: str) -> None:
    """With engine auto the backup is taken again with mariadb-dump, and nothing of the
    failed attempt is left; an explicit mydumper fails naming the cause."""
    dest = "/var/backups/it-mydumper-fails"
    podman("exec", "-i", SIPP, "sh", "-c", "cat > /usr/local/bin/mydumper && "
           "chmod 755 /usr/local/bin/mydumper", stdin=f"#!/bin/sh\n{script}\n")
    try:
        with innodb_only():
            ok, dump = module(ansible_env, "mariadb_backup",
                              dump_args(dest, engine="auto", stall_timeout=2))
            assert ok, dump
            assert dump["engine"] == "mariadb-dump"
            assert dump["msg"].endswith(f"after: {cause}{ROUNDED}")
            assert sorted(listing(SIPP, dest)) == sorted(
                [os.path.basename(dump["path"]), os.path.basename(dump["manifest"]), ".sipp.lock"])
            ok, failed = module(ansible_env, "mariadb_backup",
                                dump_args(dest, engine="mydumper", stall_timeout=2, force=True))
            assert not ok
            assert failed["msg"] == f"backup of sipp failed: {cause}"
            assert sh(SIPP, "pgrep -x sleep || true").strip() == ""
    finally:
        sh(SIPP, f"rm -f /usr/local/bin/mydumper; rm -rf {dest}")


@pytest.mark.parametrize("engine", ["mariadb-dump", "mydumper"])
def test_dump_then_restore_verify(hosts: None, ansible_env: dict[str, str], engine: str) -> None:
    dest = f"/var/backups/it-{engine}"
    args = dump_args(dest, engine=engine, stall_timeout=60)
    with innodb_only() if engine == "mydumper" else nullcontext():
        ok, dump = module(ansible_env, "mariadb_backup", args)
    assert ok, dump
    assert dump["changed"] and dump["engine"] == engine and dump["verified"] is False
    assert dump["tables"]["perkara"]["rows"] == 3000
    assert dump["tables"]["sys_audittrail"]["rows"] == 3000  # trigger rows
    assert "v_perkara" not in dump["tables"]
    assert sh(SIPP, f"stat -c %a {dest} {dump['path']} {dump['manifest']}").split() == [
        "700", "600", "600"]
    assert sh(SIPP, f"sha256sum {dump['path']}").split()[0] == dump["sha256"]
    manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
    assert set(manifest["objects"]) == {"view:v_perkara", "trigger:perkara_audit",
                                        "procedure:jumlah_perkara", "event:bersih"}
    assert all(t["checksum"] for t in manifest["tables"].values())
    assert manifest["non_transactional"] == ({"tables": [], "consistent": True}
                                             if engine == "mydumper" else {
        "tables": ["ref_lama"], "consistent": True,
        "how": "dumped under FLUSH TABLES WITH READ LOCK, writes held for the time they took"})
    assert manifest["binlog"]["binary_log"] is True
    assert manifest["binlog"]["file"].startswith("sipp-bin.")
    assert manifest["binlog"]["gtid_binlog_pos"] is not None
    ok, result = module(ansible_env, "mariadb_restore_verify",
                        {"path": dump["path"], "update_manifest": True})
    assert ok, result.get("msg")
    assert result["verified"] and result["tables"]["dokumen"] == 2500
    assert "content checksums match for 7 tables" in result["verification"]["reason"]
    assert "4 views/triggers/routines/events match" in result["verification"]["reason"]
    manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
    assert manifest["verified"] is True and manifest["verification"]["status"] == "ok"
    assert manifest["engine"] == engine and manifest["server_version"].startswith("10.")
    assert manifest["row_counts"].startswith("exact COUNT(*) and content checksum in the dump's")
    assert scratch_databases(SIPP) == []


def test_sequences_versioned_and_invisible_columns_are_dumped_and_verified(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """A sequence and a system-versioned table are tables to MariaDB apart from BASE
    TABLE: they were dumped but neither measured nor verified. An INVISIBLE column's
    values mydumper 0.10 loses (SELECT *), and an INET6 or UUID column's (their text
    written under SET NAMES binary, loaded as NULL): auto dumps with mariadb-dump, saying
    why, and engine mydumper is refused naming them (before: every backup failed its
    content check)."""
    dest = "/var/backups/it-kinds"
    podman("exec", SIPP, "mariadb", "sipp", "-e",
           "CREATE SEQUENCE s_nomor START WITH 100; SELECT NEXTVAL(s_nomor); "
           "CREATE TABLE t_riwayat (id INT PRIMARY KEY, v VARCHAR(9)) WITH SYSTEM VERSIONING; "
           "INSERT INTO t_riwayat VALUES (1, 'a'), (2, 'b'); UPDATE t_riwayat SET v = 'c'; "
           "CREATE TABLE t_catatan (id INT PRIMARY KEY, isi VARCHAR(9) INVISIBLE); "
           "INSERT INTO t_catatan (id, isi) VALUES (1, 'rahasia'); "
           "CREATE TABLE t_akses (id INT PRIMARY KEY, ip INET6, kunci UUID); "
           "INSERT INTO t_akses VALUES (1, '::ffff:10.0.0.1', "
           "'123e4567-e89b-12d3-a456-426614174000')")
    try:
        with innodb_only():
            ok, refused = module(ansible_env, "mariadb_backup",
                                 dump_args(dest, engine="mydumper", stall_timeout=60))
            assert not ok
            assert refused["msg"].endswith(
                "invisible columns: t_catatan.isi (mydumper 0.10 leaves them out of the dump: "
                "their values would be lost); columns of a type read from binary: "
                "t_akses.ip (inet6), t_akses.kunci (uuid) (mydumper 0.10 writes their text "
                "under SET NAMES binary: their values would be lost); use engine auto or "
                "mariadb-dump")
            engines = []
            for drop in ("", "DROP TABLE t_catatan, t_akses"):
                if drop:
                    podman("exec", SIPP, "mariadb", "sipp", "-e", drop)
                ok, dump = module(ansible_env, "mariadb_backup",
                                  dump_args(dest, engine="auto", stall_timeout=60, force=True))
                assert ok, dump
                engines.append(dump["engine"])
                assert ("mydumper not used: invisible columns: t_catatan.isi (" in dump["msg"]) \
                    is not drop
                assert dump["tables"]["s_nomor"]["rows"] == 1
                assert dump["tables"]["t_riwayat"]["rows"] == 2
                ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
                assert ok and result["verified"], result.get("verification")
                assert result["tables"]["t_riwayat"] == 2
        assert engines == ["mariadb-dump", "mydumper"]
    finally:
        podman("exec", SIPP, "mariadb", "sipp", "-e", "DROP TABLE IF EXISTS t_catatan, "
               "t_akses, t_riwayat; DROP SEQUENCE IF EXISTS s_nomor")
        sh(SIPP, f"rm -rf {dest}")
    assert scratch_databases(SIPP) == []


def test_no_room_to_verify_is_no_verdict_on_the_backup(hosts: None,
                                                       ansible_env: dict[str, str]) -> None:
    """A full work directory (the 1 MiB tmpfs) or a stopped MariaDB on the verifying
    computer fails the task naming that cause; the backup is not judged: its manifest
    stays unverified, not marked failed."""
    dest = "/var/backups/it-mydumper"
    source = next(f"{dest}/{n}" for n in backups_in(listing(SIPP, dest)) if n.endswith(".zst"))
    before = sh(SIPP, f"sha256sum {source}.manifest.json")  # update_manifest: unchanged
    ok, result = module(ansible_env, "mariadb_restore_verify",
                        {"path": source, "work_dir": FULL, "update_manifest": True})
    assert not ok and result["verification"]["status"] == "error", result
    assert result["msg"].startswith(f"cannot verify {source} on {SIPP}: no space left in "
                                    f"{FULL} to unpack the backup (unpack failed: tar: ")
    assert result["msg"].endswith("(a problem of this computer, not of the backup: it stays "
                                  "unverified, neither recorded nor marked failed)")
    sh(SIPP, "systemctl stop mariadb")
    try:
        ok, result = module(ansible_env, "mariadb_restore_verify",
                            {"path": source, "update_manifest": True})
    finally:
        sh(SIPP, "systemctl start mariadb")
    assert not ok and result["verification"]["status"] == "error", result
    assert "on itb-sipp-backup-sipp: MariaDB: ERROR 2002" in result["msg"]
    assert sh(SIPP, f"sha256sum {source}.manifest.json") == before  # not judged
    assert sh(SIPP, f"ls -A {FULL}") == "" and scratch_databases(SIPP) == []


def test_a_verification_that_outlasts_its_timeout_is_stopped(hosts: None,
                                                              ansible_env: dict[str, str]) -> None:
    """A myloader that never ends (hung, or loading a compressed bomb) is stopped at the
    timeout, with everything it started; the backup is not judged."""
    dest = "/var/backups/it-mydumper"
    source = next(f"{dest}/{n}" for n in backups_in(listing(SIPP, dest)) if n.endswith(".zst"))
    sh(SIPP, "printf '#!/bin/sh\\nexec sleep 600\\n' > /usr/local/bin/myloader && "
             "chmod 755 /usr/local/bin/myloader")
    try:
        started = time.monotonic()
        ok, result = module(ansible_env, "mariadb_restore_verify",
                            {"path": source, "timeout": 3})
        assert time.monotonic() - started < 60
    finally:
        sh(SIPP, "rm -f /usr/local/bin/myloader")
    assert not ok and result["verification"]["status"] == "error", result
    assert f"on {SIPP}: not finished within 3 s (timeout): stopped" in result["msg"]
    assert sh(SIPP, "pgrep -x sleep || true").strip() == ""
    assert scratch_databases(SIPP) == []


def scratch_databases(container: str) -> list[str]:
    out = sh(container, "mariadb -N -B -e 'SHOW DATABASES'")
    return [name for name in out.split() if name.startswith("sop_verify_")]


def tampered(ansible_env: dict[str, str], source: str, target: str, edit: str) -> None:
    """A copy of a verified SQL backup whose dump text ``edit`` (a sed script) changed,
    with the manifest's sha256 and size updated: only the content check can notice."""
    sh(SIPP, f"zstd -qdc {source} | sed -E {edit!r} | zstd -q > {target} && "
             f"cp {source}.manifest.json {target}.manifest.json")
    digest = sh(SIPP, f"sha256sum {target}").split()[0]
    size = int(sh(SIPP, f"stat -c %s {target}"))
    manifest = json.loads(sh(SIPP, f"cat {target}.manifest.json"))
    manifest.update(sha256=digest, size=size, verified=False)
    podman("exec", "-i", SIPP, "sh", "-c", f"cat > {target}.manifest.json",
           stdin=json.dumps(manifest))


def test_verification_proves_content_not_counts(hosts: None, ansible_env: dict[str, str]) -> None:
    dest = "/var/backups/it-mariadb-dump"
    source = next(f"{dest}/{n}" for n in backups_in(listing(SIPP, dest)) if n.endswith(".zst"))
    cases = {
        # one value changed in one row: same row counts
        "row": ("s/'Pihak 17'/'Pihak 71'/", "table pihak: content differs"),
        # the view's definition changed
        "view": ("s/AS `nomor_perkara` from/AS `nomor_perkara2` from/",
                 "view:v_perkara: definition differs"),
    }
    for case, (edit, expect) in cases.items():
        target = f"/var/backups/it-tampered-{case}.sql.zst"
        tampered(ansible_env, source, target, edit)
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": target})
        assert not ok and not result["verified"], result
        assert expect in result["verification"]["reason"], result["verification"]["reason"]
    assert scratch_databases(SIPP) == []


def crafted_sql(name: str, statement: str) -> str:
    """A SQL backup in /var/backups/it-crafted of table t with one row and ``statement``
    in between, with a manifest that matches it; its path."""
    target = f"/var/backups/it-crafted/{name}"
    body = f"CREATE TABLE t (id INT);\n{statement}\nINSERT INTO t VALUES (1);\n"
    podman("exec", "-i", SIPP, "sh", "-c",
           f"mkdir -p /var/backups/it-crafted && zstd -qf -o {target}", stdin=body)
    digest = sh(SIPP, f"sha256sum {target}").split()[0]
    manifest = {"database": "sipp", "format": "sql", "sha256": digest,
                "tables": {"t": {"rows": 1}}, "objects": {}, "verified": False}
    podman("exec", "-i", SIPP, "sh", "-c", f"cat > {target}.manifest.json",
           stdin=json.dumps(manifest))
    return target


@pytest.mark.parametrize("attack", [
    "\\! touch /tmp/pwned-bang",
    "system touch /tmp/pwned-system",
    "source /etc/mysql/debian-start",
    "DROP DATABASE mysql;",
    "GRANT ALL ON *.* TO sop_verify@localhost;",
    "CREATE DATABASE outside_scratch;",
    "CREATE DATABASE sop_verify_x; CREATE TABLE sop_verify_x.t (a INT);",
    "CREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT 1;",
])
def test_crafted_dump_runs_nothing(hosts: None, ansible_env: dict[str, str], attack: str) -> None:
    """A crafted dump against the verify-restore: the client runs no shell command, the
    account changes nothing outside scratch databases, nothing runs as root."""
    target = crafted_sql("sipp-20260101T000000.sql.zst", attack)
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": target})
    assert not ok and not result["verified"], result
    assert sh(SIPP, "ls /tmp/pwned* 2>/dev/null", check=False) == ""
    databases = sh(SIPP, "mariadb -N -B -e 'SHOW DATABASES'").split()
    assert "mysql" in databases and "outside_scratch" not in databases
    grants = sh(SIPP, "mariadb -N -B -e 'SHOW GRANTS FOR sop_verify@localhost'")
    assert "ON *.*" not in grants.replace("GRANT USAGE ON *.*", "")
    assert sh(SIPP, "mariadb -N -B -e \"SELECT COUNT(*) FROM information_schema.ROUTINES "
                    "WHERE DEFINER LIKE 'root@%'\"").strip() == "1"  # the SIPP one only
    assert scratch_databases(SIPP) == []


def test_crafted_dump_newer_than_the_verifying_server_does_not_verify(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """Statements in versioned executable comments above the verifying server's version
    (MariaDB 10.11.19 in the lab) were skipped by it and the dump returned verified: true;
    restored by hand as root on MariaDB 11.8 or newer, they run. The verification fails
    before they are sent, naming the version they need."""
    version = sh(SIPP, "mariadb -N -B -e 'SELECT VERSION()'").strip().split("-")[0]
    assert tuple(int(part) for part in version.split(".")) < (11, 8, 0), version
    target = crafted_sql("sipp-20260103T000000.sql.zst",
                         "/*!110800 GRANT ALL ON *.* TO sop_verify@localhost */;\n"
                         "/*M!110800 CREATE DATABASE smuggled */;")
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": target})
    assert not ok and not result["verified"], result
    assert result["verification"]["status"] == "failed", result
    assert result["verification"]["reason"] == (
        "the dump holds a statement only MariaDB 11.8.0 or newer runs (/*!110800 ...), which "
        f"this computer's MariaDB {version} skips: what it does is not verified (to verify "
        "such a backup, upgrade this computer's MariaDB to 11.8.0 or newer)")
    grants = sh(SIPP, "mariadb -N -B -e 'SHOW GRANTS FOR sop_verify@localhost'")
    assert "ON *.*" not in grants.replace("GRANT USAGE ON *.*", "")
    assert "smuggled" not in sh(SIPP, "mariadb -N -B -e 'SHOW DATABASES'").split()
    assert scratch_databases(SIPP) == []


def test_the_verifying_processes_are_the_first_the_kernel_stops(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """A crafted dump can make the restore's tools grow without end (one statement that
    never ends: sed and the client keep it whole). Each process of the verify account
    (the batch sessions that create, check and drop the scratch database too) runs with
    oom_score_adj 1000, so
    when memory runs out the kernel stops them, not the backup computer's MariaDB, sshd
    or the receiver. Seen in /proc while the client waits on the dump's SLEEP."""
    target = crafted_sql("sipp-20260102T000000.sql.zst", "SELECT SLEEP(4);")
    seen: set[tuple[str, str]] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            out = sh(SIPP, "for p in $(pgrep -u sop_verify); do echo "
                           "$(cat /proc/$p/comm /proc/$p/oom_score_adj 2>/dev/null); done",
                     check=False)
            seen.update((line.split()[0], line.split()[-1]) for line in out.splitlines()
                        if len(line.split()) == 2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": target})
    finally:
        done.set()
        watcher.join()
    assert ok and result["verified"], result
    assert ("mariadb", "1000") in seen, seen
    assert {adj for _, adj in seen} == {"1000"}, seen


LOCAL_INFILE = "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t;\n"


@pytest.mark.parametrize(("kind", "expect"), [
    ("sql", "disabled the local infile capability"),
    ("mydumper-tar", "disabled the local infile capability"),
    ("symlink", "the archive holds a symbolic link sipp.t.sql; a mydumper backup holds only "
                "plain files"),
], ids=["sql", "mydumper-tar", "symlink"])
def test_crafted_dump_reads_no_local_file(hosts: None, ansible_env: dict[str, str],
                                          kind: str, expect: str) -> None:
    """A crafted dump that reads a file of the verifying computer, /etc/passwd, into the
    scratch database, with a manifest forged to match what it would give: LOAD DATA LOCAL
    INFILE (neither the client nor myloader sends the file; the SIPP container's MariaDB
    allows local infile, as MariaDB does by default, so the refusal is the clients' own),
    and a mydumper archive whose data file is a symbolic link to it."""
    folder = "/var/backups/it-infile"
    target = f"{folder}/sipp-20260101T000000.{'sql' if kind == 'sql' else 'tar'}.zst"
    if kind == "sql":
        podman("exec", "-i", SIPP, "sh", "-c", f"mkdir -p {folder} && zstd -qf -o {target}",
               stdin=f"CREATE TABLE t (line TEXT);\n{LOCAL_INFILE}")
    else:  # the files mydumper 0.10 writes
        sh(SIPP, f"rm -rf /tmp/it-infile && mkdir -p /tmp/it-infile {folder} && cd /tmp/it-infile"
                 " && printf 'Started dump at: 2026-01-01 00:00:00\\n' > metadata"
                 " && echo 'CREATE DATABASE `sipp`;' > sipp-schema-create.sql"
                 " && echo 'CREATE TABLE `t` (line TEXT);' > sipp.t-schema.sql")
        if kind == "symlink":
            sh(SIPP, "ln -s /etc/passwd /tmp/it-infile/sipp.t.sql")
        else:
            podman("exec", "-i", SIPP, "sh", "-c", "cat > /tmp/it-infile/sipp.t.sql",
                   stdin=LOCAL_INFILE)
        sh(SIPP, f"tar -C /tmp/it-infile -cf - . | zstd -qf -o {target}")
    digest = sh(SIPP, f"sha256sum {target}").split()[0]
    rows = int(sh(SIPP, "wc -l < /etc/passwd"))  # what a loaded /etc/passwd would give
    manifest = {"database": "sipp", "format": "sql" if kind == "sql" else "mydumper-tar",
                "sha256": digest, "tables": {"t": {"rows": rows}}, "objects": {},
                "verified": False}
    podman("exec", "-i", SIPP, "sh", "-c", f"cat > {target}.manifest.json",
           stdin=json.dumps(manifest))
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": target})
    assert not ok and not result["verified"], result
    assert expect in result["verification"]["reason"], result
    assert sh(SIPP, "mariadb -N -B -e 'SELECT @@global.local_infile'").strip() == "1"
    assert scratch_databases(SIPP) == []


def test_scratch_database_of_a_killed_verification_is_swept(
        hosts: None, ansible_env: dict[str, str]) -> None:
    sh(SIPP, "runuser -u sop_verify -- mariadb -e 'CREATE DATABASE sop_verify_20000101000000_1'")
    dest = "/var/backups/it-mariadb-dump"
    source = next(f"{dest}/{n}" for n in backups_in(listing(SIPP, dest)) if n.endswith(".zst"))
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": source})
    assert ok, result
    assert result["verification"]["swept"] == ["sop_verify_20000101000000_1"]
    assert scratch_databases(SIPP) == []


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
    assert dump["tables"]["perkara"]["rows"] == 3000  # nothing written meanwhile
    assert dump["tables"]["perkara"]["checksum"]
    manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
    assert "no global read lock" in manifest["row_counts"]
    assert "RELOAD" in manifest["row_counts"]
    assert manifest["non_transactional"]["tables"] == ["ref_lama"]
    assert manifest["non_transactional"]["consistent"] is False
    assert "RELOAD" in manifest["non_transactional"]["how"]
    assert manifest["binlog"]["note"] == "not recorded (no lock)"
    ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
    assert ok and result["verified"], result


def test_wrong_password_fails_clearly(hosts: None, ansible_env: dict[str, str]) -> None:
    args = dump_args("/var/backups/it-wrong")
    args["login_password"] = "Salah-Sandi-2026"  # no part of the paths (see mariadb_backup)
    ok, result = module(ansible_env, "mariadb_backup", args)
    assert not ok and "Access denied" in result["msg"]
    assert backups_in(listing(SIPP, "/var/backups/it-wrong")) == []


@pytest.mark.parametrize("engine", ["mariadb-dump", "mydumper"])
def test_a_broken_view_is_left_out_named_and_the_backup_verifies(
        hosts: None, ansible_env: dict[str, str], engine: str) -> None:
    """A view naming a table that is gone (left by an upgrade) stopped mariadb-dump every
    night ('View ... references invalid table(s)', exit 2) and mydumper left it out with
    a warning of its own, so every verification failed ('view:v_rusak missing after
    restore'), both seen in the lab: it is left out, named, and the rest verifies."""
    dest = f"/var/backups/it-broken-{engine}"
    podman("exec", "-i", SIPP, "mariadb", "sipp", stdin=(
        "CREATE TABLE hilang (id INT) ENGINE=InnoDB;\n"
        "CREATE VIEW v_rusak AS SELECT * FROM hilang;\nDROP TABLE hilang;\n"))
    try:
        ok, dump = dumped(ansible_env, dest, engine)
        assert ok, dump.get("msg")
        assert dump["broken_views"] == ["v_rusak"]
        cause = ("View 'sipp.v_rusak' references invalid table(s) or column(s) or "
                 "function(s) or definer/invoker of view lack rights to use them")
        assert dump["broken_view_causes"] == {"v_rusak": cause}
        assert dump["msg"].endswith(f"; views left out, the dump account cannot open them: "
                                    f"v_rusak ({cause}); repair or drop a view whose table, "
                                    f"column or function is gone{ROUNDED}")
        assert any("v_rusak" in warning for warning in dump.get("warnings", [])), dump
        manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
        assert manifest["broken_views"] == ["v_rusak"]
        assert "view:v_rusak" not in manifest["objects"] and "view:v_perkara" in manifest[
            "objects"]
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
        assert ok and result["verified"], result.get("msg")
    finally:
        podman("exec", "-i", SIPP, "mariadb", "sipp", stdin="DROP VIEW IF EXISTS v_rusak;\n")
        sh(SIPP, f"rm -rf {dest}")


@pytest.mark.parametrize("engine", ["mariadb-dump", "mydumper"])
def test_a_view_calling_a_function_the_dump_account_may_not_run_is_named_with_the_grant(
        hosts: None, ansible_env: dict[str, str], engine: str) -> None:
    """A healthy view calling a stored function: the dump account, without EXECUTE on it,
    can SELECT from it (its definer's rights) but not list its columns, so the view was
    left out as 'no longer open (a table, column or function they name is gone)', the
    admin sent to repair a view that works (seen in the lab). The warning names the
    denied routine and the grant; granted, the view is backed up and verified."""
    dest = f"/var/backups/it-viewfn-{engine}"
    podman("exec", "-i", SIPP, "mariadb", "sipp", stdin=(
        "CREATE FUNCTION f_dua() RETURNS INT DETERMINISTIC RETURN 2;\n"
        "CREATE VIEW v_fungsi AS SELECT f_dua() AS dua;\n"))
    try:
        ok, dump = dumped(ansible_env, dest, engine)
        assert ok, dump.get("msg")
        assert dump["broken_views"] == ["v_fungsi"]
        assert dump["broken_view_causes"] == {"v_fungsi": (
            "execute command denied to user 'sop_backup'@'localhost' for routine "
            "'sipp.f_dua'")}
        assert dump["msg"].endswith("; grant the dump account what it is denied (a function a "
                                    f"view calls: GRANT EXECUTE ON FUNCTION){ROUNDED}"), dump["msg"]
        sh(SIPP, f"rm -rf {dest}")
        podman("exec", SIPP, "mariadb", "-e",
               "GRANT EXECUTE ON FUNCTION sipp.f_dua TO sop_backup@localhost")
        ok, dump = dumped(ansible_env, dest, engine)
        assert ok and dump["broken_views"] == [], dump
        assert dump["warnings"] == [ROUNDED[2:]], dump
        manifest = json.loads(sh(SIPP, f"cat {dump['manifest']}"))
        assert "view:v_fungsi" in manifest["objects"]
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
        assert ok and result["verified"], result.get("msg")
    finally:
        podman("exec", "-i", SIPP, "mariadb", "sipp", stdin=(
            "DROP VIEW IF EXISTS v_fungsi;\nDROP FUNCTION IF EXISTS f_dua;\n"))
        sh(SIPP, f"rm -rf {dest}")


def test_disk_full_while_streaming(hosts: None, ansible_env: dict[str, str]) -> None:
    ok, result = module(ansible_env, "mariadb_backup", dump_args(FULL, engine="mariadb-dump"))
    assert not ok and "No space left on device" in result["msg"], result
    assert backups_in(listing(SIPP, FULL)) == []  # no .partial, no manifest
    assert sh(SIPP, f"df --output=used -B1 {FULL} | tail -1").strip() in {"0", "4096"}


def test_disk_full_under_the_read_lock_fails_at_once(hosts: None,
                                                    ansible_env: dict[str, str]) -> None:
    """A full disk while the MyISAM tables are dumped under FLUSH TABLES WITH READ LOCK:
    the lock that holds every write to SIPP is released at once, with the real cause
    (before, the dump waited for the stall guard: 15 minutes of a frozen SIPP)."""
    podman("exec", "-i", SIPP, "mariadb", "sipp", stdin=(
        "CREATE TABLE arsip_lama (id INT PRIMARY KEY, isi BLOB) ENGINE=MyISAM;\n"
        # 40 MB of random bytes: more than the pipes and zstd's own buffers hold.
        "INSERT INTO arsip_lama SELECT seq, RANDOM_BYTES(1024) FROM seq_1_to_40000;\n"))
    try:
        clock = time.monotonic()
        ok, result = module(ansible_env, "mariadb_backup",
                            dump_args(FULL, engine="mariadb-dump", stall_timeout=120))
        took = time.monotonic() - clock
        assert not ok and "No space left on device" in result["msg"], result
        assert took < 60, took
        assert sh(SIPP, "mariadb -N -e \"SELECT COUNT(*) FROM information_schema.processlist "
                        "WHERE user = 'sop_backup'\"").strip() == "0"
        assert backups_in(listing(SIPP, FULL)) == []
    finally:
        podman("exec", "-i", SIPP, "mariadb", "sipp", stdin="DROP TABLE arsip_lama;\n")


def test_mydumper_dumps_in_mariadb_dumps_sql_mode_whatever_the_servers(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """A SIPP server whose global SQL mode has ANSI_QUOTES and NO_BACKSLASH_ESCAPES:
    mydumper's sessions took it, wrote its table definitions in double quotes, and the
    restore refused them ('You have an error in your SQL syntax ... near "ref_tab_084"'),
    every backup marked failed (seen in the lab). Its sessions now run in mariadb-dump's
    SQL mode; the values with backslashes and quotes come back whole."""
    dest = "/var/backups/it-sqlmode"
    podman("exec", SIPP, "mariadb", "sipp", "-e",
           "CREATE TABLE t_mode (id INT PRIMARY KEY, p VARCHAR(40)) ENGINE=InnoDB; "
           "INSERT INTO t_mode VALUES (1, 'C:\\\\baru\\\\n \"x\" it''s')")
    mode = sh(SIPP, "mariadb -N -B -e 'SELECT @@GLOBAL.sql_mode'").strip()
    podman("exec", SIPP, "mariadb", "-e", "SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, "
           "',ANSI_QUOTES,NO_BACKSLASH_ESCAPES,PIPES_AS_CONCAT')")
    try:
        with innodb_only():
            ok, dump = module(ansible_env, "mariadb_backup", dump_args(dest, engine="mydumper"))
        assert ok and dump["engine"] == "mydumper", dump.get("msg")
        # verified here, where the backup computer's SQL mode is the default one: a restore
        # takes its server's (mydumper 0.10 writes no routine's or trigger's own)
        podman("exec", SIPP, "mariadb", "-e", f"SET GLOBAL sql_mode = '{mode}'")
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
        assert ok and result["verified"], result.get("msg")
    finally:
        podman("exec", SIPP, "mariadb", "-e", f"SET GLOBAL sql_mode = '{mode}'")
        podman("exec", SIPP, "mariadb", "sipp", "-e", "DROP TABLE IF EXISTS t_mode")
        sh(SIPP, f"rm -rf {dest}")


def test_objects_made_under_their_own_sql_mode_keep_mydumper_away(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """A trigger made under sql_mode='' (SIPP servers run so for their old PHP):
    mydumper 0.10 writes no object's SQL mode, its restore made the trigger under the
    backup computer's and every verification failed ('trigger:t_bi: definition differs',
    seen in the lab). mydumper is refused naming it; auto dumps with mariadb-dump, which
    keeps the mode, and the backup verifies."""
    dest = "/var/backups/it-ownmode"
    podman("exec", SIPP, "mariadb", "sipp", "-e",
           "SET SESSION sql_mode=''; CREATE TRIGGER pihak_bi BEFORE INSERT ON pihak "
           "FOR EACH ROW SET NEW.nama = TRIM(NEW.nama)")
    why = ("made under an SQL mode of their own: pihak_bi (trigger) (mydumper 0.10 does "
           "not keep it: they would be restored under the restoring server's)")
    try:
        with innodb_only():
            ok, refused = module(ansible_env, "mariadb_backup", dump_args(dest, engine="mydumper"))
            assert not ok and refused["msg"] == (f"backup of sipp failed: engine mydumper "
                                                 f"refused: {why}; use engine auto or "
                                                 "mariadb-dump"), refused
            ok, dump = module(ansible_env, "mariadb_backup", dump_args(dest))
        assert ok and dump["engine"] == "mariadb-dump", dump
        assert f"(mydumper not used: {why})" in dump["msg"]
        ok, result = module(ansible_env, "mariadb_restore_verify", {"path": dump["path"]})
        assert ok and result["verified"], result.get("msg")
    finally:
        podman("exec", SIPP, "mariadb", "sipp", "-e", "DROP TRIGGER IF EXISTS pihak_bi")
        sh(SIPP, f"rm -rf {dest}")


def test_mydumper_never_runs_on_tables_not_in_innodb(hosts: None,
                                                     ansible_env: dict[str, str]) -> None:
    """mydumper 0.10 can wait forever holding its global read lock where a table is not
    InnoDB, every write to SIPP waiting until the stall guard stops it: asked for, it is
    refused before anything starts, naming the table; auto dumps with mariadb-dump, which
    dumps that table under the module's lock, and says why."""
    dest = "/var/backups/it-not-innodb"
    why = ("not InnoDB: ref_lama (mydumper 0.10 can hang holding its global read lock on such "
           "tables, every write waiting; 0.20 and later stop at them)")
    try:
        ok, refused = module(ansible_env, "mariadb_backup", dump_args(dest, engine="mydumper"))
        assert not ok
        assert refused["msg"] == (f"backup of sipp failed: engine mydumper refused: {why}; use "
                                  "engine auto or mariadb-dump")
        assert backups_in(listing(SIPP, dest)) == []
        ok, dump = module(ansible_env, "mariadb_backup", dump_args(dest, engine="auto"))
        assert ok and dump["engine"] == "mariadb-dump", dump
        assert dump["msg"].endswith(f" (mydumper not used: {why}){ROUNDED}")
        assert dump["non_transactional"]["consistent"] is True
    finally:
        sh(SIPP, f"rm -rf {dest}")


def test_website_files_disk_full_while_streaming(hosts: None,
                                                ansible_env: dict[str, str]) -> None:
    """The website SOP's files step on the same full medium: one line, nothing left."""
    ok, result = module(ansible_env, "website_files_backup",
                        {"paths": ["/usr/lib"], "dest": FULL, "prefix": "website"})
    assert not ok and result["msg"] == f"backup file situs gagal: No space left on device: {FULL}"
    assert [n for n in listing(SIPP, FULL) if n.startswith("website")] == []  # nor .partial
    assert sh(SIPP, f"df --output=used -B1 {FULL} | tail -1").strip() in {"0", "4096"}
    assert sh(SIPP, "pgrep -x tar || pgrep -x zstd || echo none").strip() == "none"


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


@contextmanager
def table_locked(table: str) -> Iterator[str]:
    """Another session holding LOCK TABLES ``table`` WRITE (an admin's tool, a long
    report) for up to 120 s: its id; ended (KILL) on leaving."""
    podman("exec", "-d", SIPP, "mariadb", "sipp", "-e",
           f"LOCK TABLES {table} WRITE; SELECT SLEEP(120)")
    try:
        holder = ""
        for _ in range(60):
            holder = sh(SIPP, "mariadb -N -e \"SELECT ID FROM information_schema.PROCESSLIST "
                              "WHERE INFO LIKE 'SELECT SLEEP%'\"", check=False).strip()
            if holder:
                break
            time.sleep(0.5)
        assert holder.isdigit(), "the session holding the lock did not start"
        yield holder
    finally:
        sh(SIPP, "mariadb -N -e \"SELECT ID FROM information_schema.PROCESSLIST WHERE "
                 "INFO LIKE 'SELECT SLEEP%'\" | xargs -r -n1 mariadb-admin kill", check=False)


def test_a_dump_waiting_for_another_sessions_lock_names_it_and_its_holder(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """An admin's LOCK TABLES perkara WRITE held through the backup: the dump waits for
    it, is stopped at the stall timeout, and the failure says it waited for a lock and
    which session may hold it (to end with KILL), not "(hung?)"."""
    dest = "/var/backups/it-lockwait"
    try:
        with table_locked("perkara") as holder:
            started = time.monotonic()
            ok, result = module(ansible_env, "mariadb_backup",
                                dump_args(dest, engine="mariadb-dump", stall_timeout=15,
                                          force=True))
            assert time.monotonic() - started < 100  # stopped, not let go by the SLEEP's end
        assert not ok, result
        assert result["msg"].startswith("backup of sipp failed: mariadb-dump wrote nothing for "
                                         "15 s and was stopped: it was waiting for a lock (")
        assert f"id {holder} root@localhost " in result["msg"]
        assert "'SELECT SLEEP(120)'" in result["msg"]
        assert f"end the one holding it (KILL {holder}) or run the backup later" in result["msg"]
        assert result["msg"].endswith("; no backup was written")
        assert "hung?" not in result["msg"] and "\n" not in result["msg"]
        assert backups_in(listing(SIPP, dest)) == []
    finally:
        sh(SIPP, f"rm -rf {dest}", check=False)


def test_mydumper_is_not_started_behind_a_lock_that_would_hold_every_write(
        hosts: None, ansible_env: dict[str, str]) -> None:
    """Behind an admin's LOCK TABLES perkara WRITE, mydumper's own FLUSH TABLES WITH READ
    LOCK waited without limit, and SIPP's writes to every other table waited with it (40 s
    of a 40 s stall timeout in the lab). The module's own lock (5 s at most) was not had,
    so mydumper is not started: mariadb-dump dumps, waiting for that table only."""
    dest = "/var/backups/it-lockwait-auto"
    waits: list[float] = []
    done = threading.Event()

    def write_elsewhere() -> None:  # SIPP's work on another table meanwhile
        while not done.is_set():
            began = time.monotonic()
            sh(SIPP, "mariadb sipp -e 'UPDATE pihak SET alamat = alamat WHERE id = 1'")
            waits.append(time.monotonic() - began)
            done.wait(1)

    try:
        with innodb_only(), table_locked("perkara"):
            writer = threading.Thread(target=write_elsewhere)
            writer.start()
            try:
                ok, result = module(ansible_env, "mariadb_backup",
                                    dump_args(dest, engine="auto", stall_timeout=20, force=True))
            finally:
                done.set()
                writer.join()
        assert not ok, result
        assert any(warning.startswith("mydumper not started: FLUSH TABLES WITH READ LOCK was "
                                      "not had within 5 s (")
                   for warning in result.get("warnings", [])), result
        assert result["msg"].startswith("backup of sipp failed: mariadb-dump wrote nothing for "
                                         "20 s and was stopped: it was waiting for a lock (")
        assert len(waits) >= 10 and max(waits) < 8, waits  # the module's 5 s, not the 20 s
        assert backups_in(listing(SIPP, dest)) == []
    finally:
        sh(SIPP, f"rm -rf {dest}", check=False)


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


def ledger() -> list[dict[str, Any]]:
    return [json.loads(line) for line in sh(STORE, f"cat {LEDGER}").splitlines()]


def test_playbook_backs_up_verifies_copies_and_reports(
        first_run: subprocess.CompletedProcess[str]) -> None:
    local = backups_in(listing(SIPP, LOCAL))
    assert len(local) == 2
    name = local[0]
    store = listing(STORE, REMOTE)
    assert store[name] == listing(SIPP, LOCAL)[name]
    assert sh(STORE, f"stat -c '%U %a' {REMOTE} {REMOTE}/{name} {LEDGER}").split() == [
        "root", "700", "root", "600", "root", "600"]
    assert sh(STORE, f"ls -A {INCOMING}") == ""  # everything taken into the store
    manifest = json.loads(sh(SIPP, f"cat {LOCAL}/{local[1]}"))
    assert manifest["verified"] is True
    assert manifest["verification"]["verified_on"] == STORE
    events = ledger()
    assert [e["event"] for e in events] == ["ingested", "verified"]
    assert events[0]["sha256"] == manifest["sha256"] == events[0]["reported_sha256"]
    assert events[1]["status"] == "ok" and events[1]["sha256"] == manifest["sha256"]
    results = task_results(first_run)
    report = results["Report the backup (outputs for the sop record)"]
    output = report["sop_output"]
    assert output["path"] == f"{LOCAL}/{name}" and output["verified"] is True
    assert output["sha256"] == manifest["sha256"] and output["size"] == manifest["size"]
    assert output["tables"]["perkara"]["rows"] == 3000 and output["duration"] > 0
    assert output["non_transactional_tables"] == ["ref_lama"]
    assert output["non_transactional_consistent"] is True
    assert output["binlog"]["file"].startswith("sipp-bin.")
    assert output["copies"][0] == {"location": f"{STORE}:{REMOTE}/{name}",
                                   "sha256_match": True, "verified_there": True}
    recorded = results["Record the backup of this period (the activity's output file)"]
    assert recorded["sop_output"]["sha256"] == manifest["sha256"]
    marked = results["Record the verification result in the SIPP server's manifest"]
    assert "sop_output" not in marked
    assert "Kepada Kasubbag PTIP" in first_run.stdout
    assert "Tabel non-transaksional (MyISAM/Aria) ref_lama: konsisten" in first_run.stdout
    assert "Posisi binlog (untuk pemulihan titik waktu): GTID" in first_run.stdout
    assert "SOP Backup Database SIPP selesai" in first_run.stdout


def test_playbook_second_run_changes_nothing(first_run: subprocess.CompletedProcess[str],
                                             ansible_env: dict[str, str]) -> None:
    # Removable media configured but not plugged in: a warning, not a failure.
    proc = playbook(ansible_env, "sipp_backup_removable_path=/media/usb-sipp")
    assert proc.returncode == 0 and "changed=0" in proc.stdout, proc.stdout[-3000:]
    assert "removable media not present" in proc.stderr + proc.stdout


def push(command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``command`` over SSH with the SIPP server's push key (as an intruder would)."""
    return podman("exec", "-i", SIPP, "sh", "-c", f"{PUSH} {command}", stdin=stdin, check=False)


def put(name: str, data: str) -> subprocess.CompletedProcess[str]:
    digest = hashlib.sha256(data.encode()).hexdigest()
    return push(f"put {name} {len(data.encode())} {digest}", stdin=data)


def test_push_key_cannot_erase_overwrite_or_forge(first_run: subprocess.CompletedProcess[str],
                                                   ansible_env: dict[str, str]) -> None:
    """The attacks of a compromised SIPP server, with its own push key over real SSH."""
    name = backups_in(listing(SIPP, LOCAL))[0]
    store_before = listing(STORE, REMOTE)
    ledger_before = ledger()
    for command in (f"rm -f {REMOTE}/{name}", f"rm -rf {INCOMING}", "sh -c id",
                    f"mv {REMOTE}/{name} /tmp/x", "rename a b", "delete a", "list",
                    "ls -la", f"rsync --server -e.LsfxC . {REMOTE}/"):
        proc = push(command)
        assert proc.returncode != 0 and "sop-backup-receive: refused" in proc.stderr, command
    sftp = podman("exec", SIPP, "sh", "-c", f"echo ls | sftp -b - -i "
                  f"/root/.ssh/sipp_backup_ed25519 -o UserKnownHostsFile="
                  f"/root/.ssh/sipp_backup_known_hosts sipbackup@{STORE}", check=False)
    assert sftp.returncode != 0
    for bad in ("../sipp/400997/ledger.jsonl", ".hidden", "x.partial", "a/b", "backdoor.php",
                "sipp-x-20991231T020000.sql.zst"):  # names of no backup of prefix sipp
        assert put(bad, "x").returncode != 0, bad
    # A new file with the name of a stored backup lands in the incoming directory only.
    assert put(name, "overwritten").returncode == 0
    assert put(name, "again").returncode != 0  # and cannot be replaced there either
    # A forged, future-dated "verified" backup with its manifest.
    future = "sipp-20991231T020000.sql.zst"
    assert put(future, "junk").returncode == 0
    forged = json.dumps({"file": future, "size": 4, "sha256": hashlib.sha256(b"junk").hexdigest(),
                         "verified": True, "period": "2099-12-31",
                         "verification": {"status": "ok", "reason": "forged"}})
    assert put(future + ".manifest.json", forged).returncode == 0
    # The next SOP runs: the forged files are never taken in, nothing it keeps is pruned.
    proc = playbook(ansible_env, "sipp_backup_force=true")
    assert proc.returncode == 0, proc.stdout[-3000:]
    store_after = listing(STORE, REMOTE)
    # The record is appended to (checked below); the store's lock file names its last
    # holder (backup_ingest's note of who takes what in), no backup.
    kept = {k for k in store_before if k not in ("ledger.jsonl", ".ingest.lock")}
    assert {k: v for k, v in store_after.items() if k in kept} \
        == {k: v for k, v in store_before.items() if k in store_after and k in kept}
    events = ledger()
    assert events[: len(ledger_before)] == ledger_before  # the record is only appended to
    assert not [e for e in events if e.get("name", "").startswith("sipp-2099")]
    new = events[len(ledger_before):]
    assert [e["event"] for e in new] == ["ingested", "verified", "pruned"]
    # Only the older backup of the same day goes (keep_daily keeps the newest of a day);
    # the newest is the real new one, never the forged future-dated "verified" one.
    assert new[2]["name"] == name and new[2]["reason"] == "outside keep rules"
    kept = new[0]["name"]
    assert sorted(store_after) == sorted([".ingest.lock", "ledger.jsonl", kept,
                                          f"{kept}.manifest.json"])
    assert store_after[kept] == listing(SIPP, LOCAL)[kept]
    assert "was never asked for by the SOP" in proc.stdout + proc.stderr


def test_a_key_authorized_for_another_server_is_refused(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str]) -> None:
    """A SIPP server presenting a public key that is authorized for another server (a
    compromised server copying it) would move that server's pushes into its own in-tray:
    the run is refused and the other server's line stays as it was."""
    keys = "/var/lib/sipbackup/.ssh/authorized_keys"
    before = podman("exec", STORE, "cat", keys).stdout
    planted = before.replace(f" sipp-backup@{SIPP}\n", " sipp-backup@pn-other-sipp\n")
    assert planted != before
    podman("exec", "-i", STORE, "sh", "-c", f"cat > {keys}", stdin=planted)
    try:
        proc = playbook(ansible_env)
        assert proc.returncode != 0
        assert (f"the push key of {SIPP} is authorized on {STORE} for "
                "sipp-backup@pn-other-sipp: two SIPP servers must not share a key"
                ) in proc.stdout, proc.stdout[-3000:]
        assert podman("exec", STORE, "cat", keys).stdout == planted
    finally:
        podman("exec", "-i", STORE, "sh", "-c", f"cat > {keys}", stdin=before)


def test_removable_copy_to_a_mounted_medium(first_run: subprocess.CompletedProcess[str],
                                            ansible_env: dict[str, str]) -> None:
    source = backups_in(listing(SIPP, LOCAL))[0]
    sh(SIPP, "printf x > /dev/shm/sipp-20200101T000000.sql.zst.partial && "
             "printf y > /dev/shm/sipp-test-20200101T000000.sql.zst.partial")
    args = {"src": f"{LOCAL}/{source}", "dest": "/dev/shm"}  # a tmpfs mount point
    ok, copied = module(ansible_env, "backup_copy", args)
    assert ok and copied["changed"] and copied["copied"]
    assert copied["leftovers_removed"] == ["sipp-20200101T000000.sql.zst.partial"]
    shm = listing(SIPP, "/dev/shm")
    assert shm[source] == listing(SIPP, LOCAL)[source]
    assert "sipp-20200101T000000.sql.zst.partial" not in shm
    assert "sipp-test-20200101T000000.sql.zst.partial" in shm  # another prefix: untouched
    ok, again = module(ansible_env, "backup_copy", args)
    assert ok and not again["changed"] and again["copied"]
    # A full medium (1 MiB tmpfs, no copy on it to prune) is a warning, never a failure.
    ok, full = module(ansible_env, "backup_copy", {"src": f"{LOCAL}/{source}", "dest": FULL})
    assert ok and not full["copied"] and full["pruned"] == [], full
    assert f"{FULL} is too small for the copy (1.0 MiB (1048576 bytes) in all; no copy of " \
        "sipp is on it; " in full["msg"], full["msg"]
    assert full["msg"].endswith("): use a larger medium"), full["msg"]
    assert backups_in(listing(SIPP, FULL)) == []
    sh(SIPP, "rm -f /dev/shm/sipp*")


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


def test_playbook_verification_that_cannot_run_judges_nothing(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str]) -> None:
    """The backup computer's MariaDB out of reach: the activity fails naming it, and the
    new backup stays as it was, unverified, neither renamed .failed nor recorded."""
    before, events = backups_in(listing(SIPP, LOCAL)), len(ledger())
    proc = playbook(ansible_env, "sipp_backup_force=true",
                    "sipp_backup_verify_socket=/run/mysqld/missing.sock")
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert f"Verifikasi tidak dapat dijalankan di komputer backup {STORE}: MariaDB: ERROR 2002 " \
        "(HY000): Can't connect to local server through socket '/run/mysqld/missing.sock'" \
        in proc.stdout, proc.stdout[-3000:]
    assert "belum terverifikasi dan tidak ditandai gagal" in proc.stdout
    new = sorted(set(backups_in(listing(SIPP, LOCAL))) - set(before))
    # ref_lama is MyISAM: engine auto dumps with mariadb-dump
    assert [n.split(".", 1)[1] for n in new] == ["sql.zst", "sql.zst.manifest.json"], new
    assert json.loads(sh(SIPP, f"cat {LOCAL}/{new[1]}"))["verified"] is False
    assert [e["event"] for e in ledger()[events:]] == ["ingested"]


def test_playbook_failed_verification_leaves_no_final_named_file(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str]) -> None:
    """A restore that loads nothing (a broken myloader on the backup computer, every table
    in InnoDB so that engine auto uses mydumper): the content check fails, the backup is
    renamed .failed and recorded as failed."""
    before = backups_in(listing(SIPP, LOCAL))
    sh(STORE, "printf '#!/bin/sh\\nexit 0\\n' > /usr/local/bin/myloader && "
              "chmod 755 /usr/local/bin/myloader")
    try:
        with innodb_only():
            proc = playbook(ansible_env, "sipp_backup_force=true")
    finally:
        sh(STORE, "rm -f /usr/local/bin/myloader")
    assert proc.returncode != 0 and "Verifikasi backup gagal" in proc.stdout, proc.stdout[-3000:]
    after = backups_in(listing(SIPP, LOCAL))
    new = sorted(set(after) - set(before))
    assert [n.rsplit(".", 1)[-1] for n in new] == ["failed", "json"]  # NAME.failed(.json)
    manifest = json.loads(sh(SIPP, f"cat {LOCAL}/{new[1]}"))
    assert manifest["verified"] is False and manifest["verification"]["status"] == "failed"
    assert "table perkara missing after restore" in manifest["verification"]["reason"]
    assert ledger()[-1]["event"] == "verified" and ledger()[-1]["status"] == "failed"
    # A normal run afterwards is fine (today's earlier verified backup counts, the
    # failed one does not) and the failed file is kept for inspection.
    proc = playbook(ansible_env)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert set(after) <= set(backups_in(listing(SIPP, LOCAL)))



RECONCILE = "Record the backup computer's verdicts in this server's manifests still pending"


def test_a_run_killed_before_it_marked_its_manifest_is_healed_from_the_record(
        first_run: subprocess.CompletedProcess[str], ansible_env: dict[str, str]) -> None:
    """The lab's state: run B's backup verified on the backup computer, the run killed
    before the SIPP server's manifest of it was marked (pending), run A's backup of the
    same day pruned there since but still verified here. Every run of the day failed
    ("A's manifest did not arrive"); now the sweep's verdict marks B's manifest, B is the
    day's backup (no dump, no push, no restore) and the next run changes nothing."""
    assert playbook(ansible_env).returncode == 0  # the day's backup verified on both sides
    sh(SIPP, f"rm -rf /root/sipp-saved && cp -a {LOCAL} /root/sipp-saved")
    start = len(ledger())
    proc = playbook(ansible_env, "sipp_backup_force=true")
    assert proc.returncode == 0, proc.stdout[-3000:]
    new = ledger()[start:]
    assert [e["event"] for e in new][:2] == ["ingested", "verified"], new
    newer = new[0]["name"]
    pruned = [e["name"] for e in new if e["event"] == "pruned"]
    assert pruned, new
    saved, local = listing(SIPP, "/root/sipp-saved"), listing(SIPP, LOCAL)
    for name in pruned:  # as the killed run left them: its local retention never ran
        if name in saved and name not in local:
            sh(SIPP, f"cp -a /root/sipp-saved/{name} /root/sipp-saved/{name}.manifest.json "
                     f"{LOCAL}/")
    sh(SIPP, "python3 -c 'import json, sys; p = sys.argv[1]; m = json.load(open(p)); "
             "m.update(verified=False, verification={\"status\": \"pending\"}); "
             f"json.dump(m, open(p, \"w\"))' {LOCAL}/{newer}.manifest.json")
    events = ledger()
    proc = playbook(ansible_env, as_json=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "did not arrive" not in proc.stdout
    results = task_results(proc)
    assert results[RECONCILE]["marked"] == [newer], results[RECONCILE]
    dump = results["Dump the SIPP database into the local backup directory"]
    assert (dump["changed"], dump["path"]) == (False, f"{LOCAL}/{newer}"), dump
    assert ledger() == events  # no restore again, nothing pushed or taken in
    manifest = json.loads(sh(SIPP, f"cat {LOCAL}/{newer}.manifest.json"))
    assert manifest["verified"] is True
    assert manifest["verification"]["verified_on"] == STORE
    again = playbook(ansible_env)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout[-3000:]
    sh(SIPP, "rm -rf /root/sipp-saved")
