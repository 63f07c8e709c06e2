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


def test_copy_on_backup_host(backup: dict) -> None:
    directory = STORE.file(REMOTE_DIR)
    assert directory.is_directory and directory.mode == 0o700
    assert directory.user == "sipbackup"
    remote = f"{REMOTE_DIR}/{backup['name']}"
    assert STORE.file(remote).mode == 0o600
    assert STORE.check_output(f"sha256sum {remote}").split()[0] == backup["manifest"]["sha256"]
    remote_manifest = json.loads(STORE.file(remote + ".manifest.json").content_string)
    assert remote_manifest == backup["manifest"]


def test_push_key_is_confined() -> None:
    keys = STORE.file("/var/lib/sipbackup/.ssh/authorized_keys").content_string
    assert 'command="/usr/bin/rrsync -wo -no-del /srv/backup/sipp/400998"' in keys
    assert "restrict" in keys
    assert SIPP.file("/root/.ssh/sipp_backup_ed25519").mode == 0o600


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
            if entry["rows"] is None:
                assert entry["rows_min"] <= count <= entry["rows_max"], table
            else:
                assert count == entry["rows"], table
    finally:
        STORE.run(f"mariadb -e 'DROP DATABASE IF EXISTS {db}'; rm -rf /tmp/{db}")


def test_no_scratch_database_left() -> None:
    out = STORE.check_output("mariadb -N -B -e 'SHOW DATABASES'")
    assert not [name for name in out.split() if "_verify_" in name]
