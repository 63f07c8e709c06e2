"""Real effects of the SOP Backup Database SIPP on the two molecule hosts."""

from __future__ import annotations

import json
import shlex

import pytest
import testinfra

SIPP = testinfra.get_host("podman://mol-sipp-backup-sipp")
STORE = testinfra.get_host("podman://mol-sipp-backup-store")
LOCAL_DIR = "/var/backups/sipp"
REMOTE_DIR = "/srv/backup/sipp/400998"
INCOMING = "/srv/backup/incoming/400998"


def backups(host: testinfra.host.Host, directory: str) -> list[str]:
    out = host.check_output(f"ls -1 {directory}")
    return sorted(n for n in out.split() if n.startswith("sipp-") and n.endswith((".zst", ".gz")))


@pytest.fixture(scope="module")
def backup() -> dict:
    names = backups(SIPP, LOCAL_DIR)
    assert len(names) == 1, names  # idempotence: the second run added nothing
    path = f"{LOCAL_DIR}/{names[0]}"
    manifest = json.loads(SIPP.file(path + ".manifest.json").content_string)
    return {"name": names[0], "path": path, "manifest": manifest}


def test_local_backup_permissions(backup: dict) -> None:
    directory = SIPP.file(LOCAL_DIR)
    assert directory.is_directory and directory.mode == 0o700 and directory.user == "root"
    for path in (backup["path"], backup["path"] + ".manifest.json"):
        assert SIPP.file(path).mode == 0o600
    assert not SIPP.run(f"ls {LOCAL_DIR}/*.partial").succeeded


def test_manifest_matches_file(backup: dict) -> None:
    manifest = backup["manifest"]
    assert manifest["verified"] is True
    assert manifest["verification"]["status"] == "ok"
    assert manifest["size"] == SIPP.file(backup["path"]).size
    assert SIPP.check_output(f"sha256sum {backup['path']}").split()[0] == manifest["sha256"]
    assert {"perkara", "sys_audittrail", "sys_config"} <= set(manifest["tables"])


def test_copy_in_the_backup_hosts_own_store(backup: dict) -> None:
    directory = STORE.file(REMOTE_DIR)
    assert directory.is_directory and directory.mode == 0o700 and directory.user == "root"
    remote = f"{REMOTE_DIR}/{backup['name']}"
    assert STORE.file(remote).mode == 0o600 and STORE.file(remote).user == "root"
    assert STORE.check_output(f"sha256sum {remote}").split()[0] == backup["manifest"]["sha256"]
    events = [json.loads(line) for line in
              STORE.file(f"{REMOTE_DIR}/ledger.jsonl").content_string.splitlines()]
    assert [(e["event"], e["name"]) for e in events] == [("ingested", backup["name"]),
                                                         ("verified", backup["name"])]
    assert events[0]["sha256"] == backup["manifest"]["sha256"] and events[1]["status"] == "ok"
    incoming = STORE.file(INCOMING)
    assert incoming.user == "sipbackup" and incoming.mode == 0o700
    assert STORE.check_output(f"ls -A {INCOMING}") == ""


# Planted by prepare.yml: another court's server pushing to the same user.
OTHER_COURT = ('command="/usr/local/sbin/sop-backup-receive --keep-free=5 --prefix=sipp '
               '/srv/backup/incoming/400997",restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvg'
               'tylnkGea6zZfJBl/LCSJ7Ca8W81Ijm5oDU1jO6aL sipp-backup@pn-other-sipp')


def test_push_key_is_append_only() -> None:
    """Each server's key forces the receiver into its own in-tray with its own prefix;
    another server's key stays (it was removed when two shared the push user), this
    server's older key (planted with another key body) is gone, and so is the key of the
    retired server (sipp_backup_retired_servers)."""
    keys = STORE.file("/var/lib/sipbackup/.ssh/authorized_keys").content_string.splitlines()
    ours = SIPP.file("/root/.ssh/sipp_backup_ed25519.pub").content_string.split()[1]
    assert keys == [OTHER_COURT, (
        f'command="/usr/local/sbin/sop-backup-receive --keep-free=5 --prefix=sipp {INCOMING}",'
        f"restrict ssh-ed25519 {ours} sipp-backup@mol-sipp-backup-sipp")]
    receiver = STORE.file("/usr/local/sbin/sop-backup-receive")
    assert receiver.user == "root" and receiver.mode == 0o755
    assert SIPP.file("/root/.ssh/sipp_backup_ed25519").mode == 0o600


def test_verify_account_is_limited_to_scratch_databases() -> None:
    grants = STORE.check_output("mariadb -N -B -r -e 'SHOW GRANTS FOR sop_verify@localhost'")
    assert "unix_socket" in grants
    assert "GRANT ALL PRIVILEGES ON `sop\\_verify\\_%`.* TO `sop_verify`@`localhost`" in grants
    assert STORE.user("sop_verify").shell == "/usr/sbin/nologin"
    # The tuned server refuses LOAD DATA LOCAL INFILE to every client.
    assert STORE.check_output("mariadb -N -B -e 'SELECT @@global.local_infile'") == "0"
    # No event of a restored dump fires during the comparison (prepare turned it on).
    assert STORE.check_output("mariadb -N -B -e 'SELECT @@global.event_scheduler'") == "OFF"


def test_no_credentials_left_behind() -> None:
    assert not SIPP.run("ls -d /tmp/sop-mariadb-*").succeeded


def test_restores_with_identical_row_counts(backup: dict) -> None:
    """Restore the backup host's copy into a fresh database; counts equal the manifest."""
    remote = f"{REMOTE_DIR}/{backup['name']}"
    db = "mol_restore_check"
    STORE.check_output(f"mariadb -e 'DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}'")
    try:
        if backup["manifest"]["format"] == "mydumper-tar":
            STORE.check_output(
                f"rm -rf /tmp/{db} && mkdir /tmp/{db} && zstd -dc {remote} | tar -x -C /tmp/{db}"
                f" && myloader -d /tmp/{db} -B {db} -o")
        else:
            STORE.check_output(f"zstd -dc {remote} | mariadb {db}")
        for table, entry in backup["manifest"]["tables"].items():
            sql = shlex.quote(f"SELECT COUNT(*) FROM `{table}`")  # noqa: S608
            count = int(STORE.check_output(f"mariadb -N -B {db} -e {sql}"))
            if entry.get("rows") is None:
                assert entry["rows_min"] <= count <= entry["rows_max"], table
            else:
                assert count == entry["rows"], table
    finally:
        STORE.run(f"mariadb -e 'DROP DATABASE IF EXISTS {db}'; rm -rf /tmp/{db}")


def test_no_scratch_database_left() -> None:
    out = STORE.check_output("mariadb -N -B -e 'SHOW DATABASES'")
    assert not [name for name in out.split() if name.startswith("sop_verify_")]
