"""The configuration history on the backup computer is root's alone; the lab devices run."""

from __future__ import annotations

import pytest

STORE = "/var/lib/sop/jaringan"


@pytest.fixture
def backup(host):
    if host.backend.get_hostname() != "mol-network-backup":
        pytest.skip("backup computer only")
    return host


@pytest.fixture
def gw(host):
    if host.backend.get_hostname() != "mol-network-gw":
        pytest.skip("gateway only")
    return host


def test_store_is_root_only(backup):
    store = backup.file(STORE)
    assert store.is_directory and store.user == "root" and store.mode == 0o700
    for device in ("rb-mol", "rb-mol-lama", "rb-mol-tls", "mol-network-gw"):
        config = backup.file(f"{STORE}/{device}/config.txt")
        assert config.user == "root" and config.mode == 0o600
        assert backup.file(f"{STORE}/{device}").mode == 0o700


def test_history_keeps_the_previous_versions(backup):
    old = backup.run(f"cat {STORE}/rb-mol/history/*.txt")
    assert "set name=rb-lab\n" in old.stdout
    assert "set name=rb-lab-baru" in backup.file(f"{STORE}/rb-mol/config.txt").content_string
    # The gateway's ruleset gained a table in fault A (and changed again in later
    # faults): the version from before that change is kept in the history.
    gw_dir = f"{STORE}/mol-network-gw"
    before = backup.run(f"grep -L 'table inet sop_lab_change' {gw_dir}/history/*.txt")
    assert before.stdout.strip(), "no version from before the change was kept"
    after = backup.run(
        f"grep -l 'table inet sop_lab_change' {gw_dir}/config.txt {gw_dir}/history/*.txt")
    assert after.stdout.strip(), "the changed ruleset was never stored"


def test_secrets_hidden_in_stored_exports(backup):
    # the wifi profiles are stored, without their key (a store that cannot be read, or
    # holds nothing, must not pass as one without secrets)
    for device, line in (
            ("rb-mol", "add authentication-types=wpa2-psk name=kantor\n"),
            ("rb-mol-lama", "add authentication-types=wpa2-psk mode=dynamic-keys name=kantor\n")):
        stored = backup.file(f"{STORE}/{device}/config.txt").content_string
        assert line in stored, device
        assert "lab-wifi-Secret-123" not in stored, device


def test_lab_devices_run(gw):
    assert gw.service("dnsmasq").is_running
    assert gw.service("routeros-lab").is_running
    assert gw.socket("tcp://0.0.0.0:8728").is_listening
