"""The gateway forwards and NATs the court LAN, and keeps doing so after a restart."""


def test_nftables_enabled_and_running(host):
    svc = host.service("nftables")
    assert svc.is_enabled
    assert svc.is_running


def test_forwarding_and_nat_rules_loaded(host):
    rules = host.check_output("nft list ruleset")
    assert "policy drop" in rules
    assert "masquerade" in rules
    assert "10.231.10.0/24" in rules


def test_time_zone_is_western_indonesia(host):
    assert host.file("/etc/localtime").linked_to == "/usr/share/zoneinfo/Asia/Jakarta"


def test_own_host_keys_are_trusted_by_name(host):
    key = host.file("/etc/ssh/ssh_host_ed25519_key.pub").content_string.split()[:2]
    assert f"mol-lab-gw {' '.join(key)}" in host.file("/etc/ssh/ssh_known_hosts").content_string
