"""library/net_linux_router.py: its configuration text from the real ``ip`` in a network
namespace of its own (unshare -rn) and from ``nft list ruleset`` text (no nft here), and
its error line from a real failing command."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from ansible.module_utils import basic
from loader import load

mod = load("net_linux_router")


@pytest.fixture
def module(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS",
                        json.dumps({"ANSIBLE_MODULE_ARGS": {}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    return basic.AnsibleModule(argument_spec={})


def test_a_failing_command_is_one_plain_line(module, capsys):
    ip = shutil.which("ip") or pytest.skip("no ip on this machine")
    with pytest.raises(SystemExit):
        mod.run(module, ip, "nosuchobject")
    msg = json.loads(capsys.readouterr().out)["msg"]
    assert msg == f'{ip} nosuchobject failed: Object "nosuchobject" is unknown, try "ip help".'


def test_a_failing_command_without_output_names_its_exit(module, capsys):
    false = shutil.which("false") or pytest.skip("no false on this machine")
    with pytest.raises(SystemExit):
        mod.run(module, false)
    assert json.loads(capsys.readouterr().out)["msg"] == f"{false} failed: exit 1"


SEP = "=== cable pulled ==="
READ = "ip -br address; echo @@; ip -4 route; echo @@; ip -6 route"


def netns(script: str) -> str:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    proc = subprocess.run(["unshare", "-rn", "sh", "-ec", script], capture_output=True,
                          text=True, check=False, timeout=30)
    if proc.returncode != 0:
        pytest.skip(f"no network namespace here: {proc.stderr.strip()}")
    return proc.stdout


def sections(text: str) -> list[tuple[str, str]]:
    titles = ("ip -br address", "ip -4 route", "ip -6 route")
    return [(t, mod.normalise(t, part)) for t, part in zip(titles, text.split("@@\n"), strict=True)]


def test_a_carrier_lost_and_a_route_lifetime_are_no_configuration_change():
    # v0 is the gateway's port, v1 the far end of its cable; a route learnt with a
    # lifetime (as router advertisements give) counts down between two runs
    out = netns(
        "ip link add v0 type veth peer name v1; ip link set v1 addrgenmode none;"
        " ip addr add 10.9.0.1/24 dev v0;"
        " ip -6 addr add 2001:db8:1::1/64 dev v0 nodad; ip link set v0 up; ip link set v1 up;"
        " ip -6 route add 2001:db8:2::/64 dev v0 expires 300; sleep 2.5;"
        f" {READ}; echo '{SEP}'; ip link set v1 down; sleep 1.1; {READ}"
    )
    before, after = out.split(SEP + "\n")
    assert "LOWERLAYERDOWN" in after and "linkdown" in after  # what ip really printed
    assert sections(before) == sections(after)
    text = dict(sections(after))
    assert "10.9.0.1/24" in text["ip -br address"]
    assert "2001:db8:2::/64 dev v0 metric 1024 pref medium" in text["ip -6 route"]


# `nft list ruleset` as nftables 1.0 prints it: fail2ban's table (its nftables action's
# ban set), an administrator's allowlist, a set filled by a rule with a timeout on each
# element, and a port-knocking set with a timeout that a rule updates. Between two runs
# fail2ban banned and released addresses and the filled sets' elements came and went.
RULESET = """\
table inet filter {
	set allowlist {
		type ipv4_addr
		flags interval
		elements = { 10.20.0.0/24, 192.0.2.50,
			     198.51.100.7 }
	}

	set ssh_flood {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
		elements = { 203.0.113.9 timeout 1m expires %(flood)s limit rate over 5/minute burst 5 packets }
	}

	set knocked {
		type ipv4_addr
		timeout 30s
		%(knocked)s
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ip saddr @allowlist accept
		tcp dport 22 ct state new add @ssh_flood { ip saddr limit rate over 5/minute burst 5 packets } counter packets %(packets)s bytes %(bytes)s drop
		tcp dport 7001 update @knocked { ip saddr }
		tcp dport 22 ip saddr @knocked accept
	}
}
table inet f2b-table {
	set addr-set-sshd {
		type ipv4_addr
		flags interval
		%(bans)s
	}

	chain f2b-chain {
		type filter hook input priority filter - 1; policy accept;
		tcp dport { 22 } ip saddr @addr-set-sshd reject with icmp port-unreachable
	}
}
"""  # noqa: E101, E501 (nft's lines as it prints them: tabs, wrapped elements aligned by spaces)
MORNING = RULESET % {
    "flood": "41s880ms", "packets": 12, "bytes": 720,
    "knocked": "elements = { 192.0.2.99 expires 21s3ms }",
    "bans": "elements = { 45.148.10.81, 141.98.11.11 }"}
EVENING = RULESET % {
    "flood": "3s4ms", "packets": 90, "bytes": 5400,
    "knocked": "elements = { 192.0.2.99 expires 2s, 198.51.100.23 expires 29s990ms }",
    "bans": "elements = { 80.94.95.115, 141.98.11.11,\n\t\t\t     185.156.73.233 }"}


def test_bans_and_the_elements_of_sets_filled_at_runtime_are_no_configuration_change():
    assert mod.normalise("nft list ruleset", MORNING) == mod.normalise("nft list ruleset", EVENING)


def test_the_sets_definitions_and_a_static_sets_elements_stay_configuration():
    text = mod.normalise("nft list ruleset", EVENING)
    assert "\t\telements = { 10.20.0.0/24, 192.0.2.50,\n\t\t\t     198.51.100.7 }\n" in text
    assert "\tset ssh_flood {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n" \
        "\t\ttimeout 1m\n\t}\n" in text
    assert "\tset knocked {\n\t\ttype ipv4_addr\n\t\ttimeout 30s\n\t}\n" in text
    assert "\tset addr-set-sshd {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n" in text
    for address in ("203.0.113.9", "192.0.2.99", "141.98.11.11", "185.156.73.233"):
        assert address not in text
    assert "expires" not in text
    assert "add @ssh_flood { ip saddr limit rate over 5/minute burst 5 packets } counter drop" \
        in text
    widened = EVENING.replace("192.0.2.50,", "192.0.2.50, 192.0.2.51,")
    assert mod.normalise("nft list ruleset", widened) != text


def test_the_expiry_of_an_element_is_left_out_wherever_it_is():
    # a map with elements that carry their own timeout, in a set without the flag shown
    ruleset = ("table ip nat {\n\tmap pinned {\n\t\ttype ipv4_addr : ipv4_addr\n"
               "\t\telements = { 192.0.2.1 timeout 1h expires 59m58s : 10.0.0.5 }\n\t}\n}\n")
    assert mod.normalise("nft list ruleset", ruleset) == ruleset.replace(" expires 59m58s", "")
