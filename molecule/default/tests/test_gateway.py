"""The gateway forwards and NATs the court LAN, lets in only the LAN and SSH, and answers
court-internal names."""


def test_nftables_enabled_and_running(host):
    svc = host.service("nftables")
    assert svc.is_enabled
    assert svc.is_running


def test_forwarding_and_nat_rules_loaded(host):
    rules = host.check_output("nft list ruleset")
    assert "policy drop" in rules
    assert "masquerade" in rules
    assert "10.231.10.0/24" in rules


def test_input_chain_drops_what_is_not_the_lan_or_ssh(host):
    chain = host.check_output("nft list chain inet filter input")
    assert "policy drop" in chain
    assert "ip saddr 10.231.10.0/24 accept" in chain
    assert "tcp dport 22 accept" in chain


def test_resolver_answers_court_names(host):
    assert host.service("dnsmasq").is_running
    assert host.socket("udp://127.0.0.1:53").is_listening
    answer = host.check_output("dig +short +time=2 @127.0.0.1 sipp.pn-lab.court A")
    assert answer.strip() == "10.231.10.10"


def test_time_zone_is_western_indonesia(host):
    assert host.file("/etc/localtime").linked_to == "/usr/share/zoneinfo/Asia/Jakarta"


def test_own_host_keys_are_trusted_by_name(host):
    key = host.file("/etc/ssh/ssh_host_ed25519_key.pub").content_string.split()[:2]
    assert f"mol-lab-gw {' '.join(key)}" in host.file("/etc/ssh/ssh_known_hosts").content_string
