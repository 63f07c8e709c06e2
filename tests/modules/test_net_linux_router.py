"""library/net_linux_router.py: its configuration from the real ``ip`` (and the real
``nft`` where installed) in a network namespace of its own (unshare -rn), from
``nft --stateless list ruleset`` text, and its error line from a real failing command."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time

import pytest
from ansible.module_utils import basic
from loader import load, module_argv, run_module

mod = load("net_linux_router")


@pytest.fixture
def module(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS",
                        json.dumps({"ANSIBLE_MODULE_ARGS": {"timeout": 2}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    return basic.AnsibleModule(argument_spec={"timeout": {"type": "int"}})


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


def test_a_hung_command_is_killed_and_named(module, capsys):
    sleep = shutil.which("sleep") or pytest.skip("no sleep on this machine")
    started = time.monotonic()
    with pytest.raises(SystemExit):
        mod.run(module, sleep, "30")
    assert time.monotonic() - started < 15
    assert json.loads(capsys.readouterr().out)["msg"] == f"{sleep} 30 tidak selesai dalam 2 detik"


SEP = "=== cable pulled ==="
READ = ("ip -br address; echo @@; ip -o -6 address show temporary; echo @@; ip -4 route;"
        " echo @@; ip -6 route")


def netns(script: str) -> str:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    proc = subprocess.run(["unshare", "-rn", "sh", "-ec", script], capture_output=True,
                          text=True, check=False, timeout=30)
    if proc.returncode != 0:
        pytest.skip(f"no network namespace here: {proc.stderr.strip()}")
    return proc.stdout


def sections(text: str) -> list[tuple[str, str]]:
    brief, temporary, *routes = text.split("@@\n")
    titles = ("ip -4 route", "ip -6 route")
    return [("ip -br address", mod.addresses(brief, temporary))] + [
        (t, mod.normalise(t, part)) for t, part in zip(titles, routes, strict=True)]


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


# `nft --stateless list ruleset` as nftables 1.0 prints it: fail2ban's table (its
# nftables action's ban set), an administrator's allowlist, a set filled by a rule with a
# timeout on each element, and a port-knocking set with a timeout that a rule updates.
# Between two runs fail2ban banned and released addresses and the filled sets' elements
# came and went.
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
		elements = { %(flood)s limit rate over 5/minute burst 5 packets }
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
		tcp dport 22 ct state new add @ssh_flood { ip saddr limit rate over 5/minute burst 5 packets } counter drop
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
    "flood": "203.0.113.9 timeout 1m",
    "knocked": "elements = { 192.0.2.99 }",
    "bans": "elements = { 45.148.10.81, 141.98.11.11 }"}
EVENING = RULESET % {
    "flood": "198.51.100.60 timeout 1m",
    "knocked": "elements = { 192.0.2.99, 198.51.100.23 }",
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
    for address in ("198.51.100.60", "192.0.2.99", "141.98.11.11", "185.156.73.233"):
        assert address not in text
    assert "add @ssh_flood { ip saddr limit rate over 5/minute burst 5 packets } counter drop" \
        in text
    widened = EVENING.replace("192.0.2.50,", "192.0.2.50, 192.0.2.51,")
    assert mod.normalise("nft list ruleset", widened) != text


# The bans of other blockers, as `nft --stateless list ruleset` shows them: sshguard's
# tables (ip and ip6 `sshguard`, set `attackers`, flags interval only), fail2ban's
# nftables action given another table (`table = fail2ban` in a jail, and a local action's
# `f2b-<jail>` table: its sets keep fail2ban's names, addr-set-JAIL and addr6-set-JAIL,
# without a timeout) and CrowdSec's firewall bouncer (its sets' flag timeout).
BLOCKERS = """\
table ip sshguard {
	set attackers {
		type ipv4_addr
		flags interval
%(sshguard)s	}

	chain blacklist {
		type filter hook input priority filter - 10; policy accept;
		ip saddr @attackers drop
	}
}
table ip6 sshguard {
	set attackers {
		type ipv6_addr
		flags interval
%(sshguard6)s	}

	chain blacklist {
		type filter hook input priority filter - 10; policy accept;
		ip6 saddr @attackers drop
	}
}
table inet fail2ban {
	set addr-set-sshd {
		type ipv4_addr
		flags interval
%(f2b)s	}

	set addr6-set-sshd {
		type ipv6_addr
		flags interval
%(f2b6)s	}

	chain f2b-chain {
		type filter hook input priority filter - 1; policy accept;
		tcp dport { 22 } ip saddr @addr-set-sshd reject with icmp port-unreachable
		tcp dport { 22 } ip6 saddr @addr6-set-sshd reject with icmpv6 port-unreachable
	}
}
table inet f2b-sipp {
	set sipp-login {
		type ipv4_addr
%(sipp)s	}

	chain f2b-chain {
		type filter hook input priority filter - 1; policy accept;
		tcp dport { 80, 443 } ip saddr @sipp-login drop
	}
}
table ip crowdsec {
	set crowdsec-blacklists {
		type ipv4_addr
		flags timeout
%(crowdsec)s	}

	chain crowdsec-chain {
		type filter hook input priority filter; policy accept;
		ip saddr @crowdsec-blacklists drop
	}
}
table inet filter {
	set allowlist {
		type ipv4_addr
		flags interval
		elements = { 10.20.0.0/24, 192.0.2.50 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		tcp dport 22 ip saddr @allowlist accept
		tcp dport { 80, 443 } accept
	}
}
"""


def held(*addresses: str) -> str:
    """A ban set's elements line, as nft prints it (none when the set is empty)."""
    return f"\t\telements = {{ {', '.join(addresses)} }}\n" if addresses else ""


BLOCKED_MORNING = BLOCKERS % {
    "sshguard": held("203.0.113.5"), "sshguard6": "",
    "f2b": held("45.148.10.81"), "f2b6": held("2001:db8:bad::1"),
    "sipp": "", "crowdsec": held("198.51.100.9 timeout 4h")}
BLOCKED_EVENING = BLOCKERS % {
    "sshguard": held("203.0.113.5", "203.0.113.77"),
    "sshguard6": held("2001:db8:666::/64"), "f2b": "", "f2b6": "",
    "sipp": held("80.94.95.115"),
    "crowdsec": held("141.98.11.11 timeout 24h", "185.156.73.233 timeout 4h")}


def test_the_bans_of_sshguard_crowdsec_and_fail2ban_in_any_table_are_no_configuration_change():
    morning = mod.normalise("nft list ruleset", BLOCKED_MORNING)
    assert morning == mod.normalise("nft list ruleset", BLOCKED_EVENING)
    for address in ("203.0.113.5", "45.148.10.81", "2001:db8:bad::1", "198.51.100.9"):
        assert address not in morning
    assert "\tset attackers {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n" in morning
    assert "elements = { 10.20.0.0/24, 192.0.2.50 }" in morning


@pytest.mark.parametrize(("change", "old", "new"), [
    ("a new rule", "\t\ttcp dport { 80, 443 } accept\n",
     "\t\ttcp dport { 80, 443 } accept\n\t\ttcp dport 3306 accept\n"),
    ("a changed port", "tcp dport 22 ip saddr @allowlist", "tcp dport 2222 ip saddr @allowlist"),
    ("a removed set", "\tset addr6-set-sshd {\n\t\ttype ipv6_addr\n\t\tflags interval\n"
     "\t\telements = { 2001:db8:bad::1 }\n\t}\n\n", ""),
    ("a static element", "10.20.0.0/24, 192.0.2.50", "10.20.0.0/24, 192.0.2.50, 203.0.113.5"),
])
def test_a_real_configuration_change_beside_the_bans_is_one(change, old, new):
    changed = BLOCKED_MORNING.replace(old, new)
    assert changed != BLOCKED_MORNING, change
    assert mod.normalise("nft list ruleset", changed) != \
        mod.normalise("nft list ruleset", BLOCKED_MORNING), change


# What nftables 1.0.6 printed for one ruleset before and after two pings: the values of
# a counter object, a quota object's and a quota statement's use and the counters of a
# set's elements and of a rule change; its --stateless output stays the same.
STATEFUL = """\
table inet filter {
	counter icmp_in {
		packets %(packets)s bytes %(bytes)s
	}

	quota tamu {
		over 500 mbytes%(used)s
	}

	set counted {
		type ipv4_addr
		counter
		elements = { 127.0.0.1 counter packets %(packets)s bytes %(bytes)s }
	}

	chain input {
		type filter hook input priority filter; policy accept;
		ip protocol icmp counter name "icmp_in"
		ip protocol icmp quota name "tamu"
		ip protocol icmp quota over 100 mbytes%(used)s
		ip saddr @counted counter packets %(packets)s bytes %(bytes)s
	}
}
"""
STATELESS = """\
table inet filter {
	counter icmp_in {
	}

	quota tamu {
		over 500 mbytes
	}

	set counted {
		type ipv4_addr
		counter
		elements = { 127.0.0.1 counter }
	}

	chain input {
		type filter hook input priority filter; policy accept;
		ip protocol icmp counter name "icmp_in"
		ip protocol icmp quota name "tamu"
		ip protocol icmp quota over 100 mbytes
		ip saddr @counted counter
	}
}
"""


def test_counter_objects_and_quotas_use_are_no_configuration_change(tmp_path, monkeypatch):
    # runs where nft is not installed too: an nft on PATH that prints what nftables 1.0.6
    # printed, its --stateless output when asked for it
    tools = tmp_path / "bin"
    tools.mkdir()
    nft = tools / "nft"
    nft.write_text(f'#!/bin/sh\n[ "$1" = --stateless ] && exec cat {tmp_path}/stateless\n'
                   f"exec cat {tmp_path}/stateful\n")
    nft.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    (tmp_path / "stateless").write_text(STATELESS)
    rulesets = []
    for moment in ({"packets": 0, "bytes": 0, "used": ""},
                   {"packets": 4, "bytes": 336, "used": " used 336 bytes"}):
        (tmp_path / "stateful").write_text(STATEFUL % moment)
        rc, out = run_module("net_linux_router", tmp_path, {})
        assert rc == 0, out
        rulesets.append(out["config"].split("# ip -br address")[0])
    assert rulesets[0] == rulesets[1] == f"# nft list ruleset\n{STATELESS}\n"


# A court gateway's configuration for the real nft: named counter, quota, limit and ct
# helper objects, a quota in a rule, a set that counts its elements' packets, a set a
# rule fills, and the tables of sshguard, CrowdSec's bouncer and fail2ban (its action
# given the table `fail2ban`).
GATEWAY = """\
table inet filter {
	counter icmp_in {
		comment "ICMP ke gateway"
	}
	quota tamu {
		over 500 mbytes
	}
	limit icmp_rate {
		rate 10/second
	}
	ct helper ftp-std {
		type "ftp" protocol tcp
		l3proto inet
	}
	set allowlist {
		type ipv4_addr
		flags interval
		elements = { 10.20.0.0/24, 127.0.0.1 }
	}
	set counted {
		type ipv4_addr
		counter
		elements = { 127.0.0.1 }
	}
	set seen {
		type ipv4_addr
		size 65535
		flags dynamic
	}
	chain input {
		type filter hook input priority filter; policy drop;
		ip protocol icmp counter name "icmp_in"
		ip protocol icmp quota name "tamu"
		ip protocol icmp quota over 100 mbytes
		ip saddr @counted
		ip protocol icmp add @seen { ip saddr }
		ip protocol icmp limit name "icmp_rate" counter accept
		tcp dport 22 ip saddr @allowlist accept
	}
}
table ip sshguard {
	set attackers {
		type ipv4_addr
		flags interval
	}
	chain blacklist {
		type filter hook input priority filter - 10; policy accept;
		ip saddr @attackers drop
	}
}
table ip crowdsec {
	set crowdsec-blacklists {
		type ipv4_addr
		flags timeout
	}
	chain crowdsec-chain {
		type filter hook input priority filter - 5; policy accept;
		ip saddr @crowdsec-blacklists drop
	}
}
table inet fail2ban {
	set addr-set-sshd {
		type ipv4_addr
		flags interval
	}
	chain f2b-chain {
		type filter hook input priority filter - 1; policy accept;
		tcp dport { 22 } ip saddr @addr-set-sshd reject
	}
}
"""
# What happens on a gateway between two runs: traffic, and the blockers' bans
TRAFFIC_AND_BANS = (
    "ping -c 3 -i 0.2 -q 127.0.0.1 >/dev/null;"
    " nft add element ip sshguard attackers '{ 203.0.113.5 }';"
    " nft add element ip crowdsec crowdsec-blacklists '{ 198.51.100.9 timeout 4h }';"
    " nft add element inet fail2ban addr-set-sshd '{ 45.148.10.81 }'")


def gateway_configs(tmp_path, *steps: str) -> list[str]:
    """net_linux_router's configuration after each shell step, run with the real nft and
    ip in a network namespace of its own holding GATEWAY's ruleset."""
    for tool in ("unshare", "ip", "nft", "ping"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            pytest.skip(f"needs {tool}")
    rules = tmp_path / "gateway.nft"
    rules.write_text(GATEWAY)
    run = " ".join(shlex.quote(word) for word in module_argv("net_linux_router", tmp_path, {}))
    script = f"ip link set lo up; nft -f {shlex.quote(str(rules))};" + "".join(
        f" {{ {step}; }} >&2; {run}; echo;" for step in steps)
    proc = subprocess.run(["unshare", "-rn", "sh", "-ec", script], capture_output=True,
                          text=True, check=False, timeout=120,
                          env={**os.environ, "PATH": os.environ["PATH"] + ":/usr/sbin"})
    if proc.stderr.startswith("unshare:"):
        pytest.skip(f"no network namespace here: {proc.stderr.strip()}")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return [json.loads(line)["config"] for line in proc.stdout.splitlines() if line]


def test_counters_quotas_and_bans_of_a_real_gateway_are_no_configuration_change(tmp_path):
    before, after = gateway_configs(tmp_path, "true", TRAFFIC_AND_BANS)
    assert before == after
    for kept in ('\tcounter icmp_in {\n\t\tcomment "ICMP ke gateway"\n\t}\n',
                 "\tquota tamu {\n\t\tover 500 mbytes\n\t}\n",
                 "ip protocol icmp quota over 100 mbytes\n",
                 "elements = { 10.20.0.0/24, 127.0.0.1 }",
                 "elements = { 127.0.0.1 counter }",
                 "\tset seen {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic\n\t}\n",
                 "ip protocol icmp limit name \"icmp_rate\" counter accept\n"):
        assert kept in after


def test_a_real_gateways_configuration_change_is_one(tmp_path):
    unchanged, rule, port, removed = gateway_configs(
        tmp_path, "true",
        "nft add rule inet filter input tcp dport 3306 accept",
        "nft flush chain inet fail2ban f2b-chain;"
        " nft add rule inet fail2ban f2b-chain tcp dport '{ 2222 }' ip saddr @addr-set-sshd reject",
        "nft 'flush chain inet fail2ban f2b-chain; delete set inet fail2ban addr-set-sshd'")
    assert "tcp dport 3306 accept\n" in rule and "tcp dport 3306" not in unchanged
    assert "tcp dport 2222 ip saddr @addr-set-sshd reject" in port
    assert "tcp dport 22 ip saddr @addr-set-sshd reject" in rule
    assert "addr-set-sshd" in port and "addr-set-sshd" not in removed
    assert len({unchanged, rule, port, removed}) == 4


def test_an_ignore_pattern_that_is_no_regular_expression_is_one_line(tmp_path):
    # "eth[0" failed the gateway's check with re.error's traceback, after nft and ip ran
    rc, out = run_module("net_linux_router", tmp_path, {"ignore_interfaces": ["^lo$", "eth[0"]})
    assert rc == 1
    assert out["msg"] == ("ignore_interfaces: 'eth[0' is not a regular expression: "
                          "unterminated character set at position 3")


def test_a_byte_that_is_not_utf8_is_kept_escaped_not_as_a_surrogate(tmp_path, monkeypatch):
    # an nft comment written in Latin-1 came back as a surrogate escape, which the
    # controller refuses ("Refusing to deserialize an invalid UTF8 string value"): the
    # gateway check failed without naming its cause, and no configuration was kept
    tools = tmp_path / "bin"
    tools.mkdir()
    (tmp_path / "ruleset").write_bytes(b'table inet filter {\n\tchain input {\n'
                                       b'\t\tcomment "caf\xe9"\n\t}\n}\n')
    nft = tools / "nft"
    nft.write_text(f"#!/bin/sh\nexec cat {tmp_path}/ruleset\n")
    nft.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    rc, out = run_module("net_linux_router", tmp_path, {})
    assert rc == 0, out
    assert '\t\tcomment "caf\\xe9"\n' in out["config"]
    out["config"].encode("utf-8")  # no surrogate left


def test_ipv6_temporary_addresses_replaced_daily_are_no_configuration_change(tmp_path):
    # use_tempaddr=2 (Ubuntu's default) on a SLAAC prefix: the kernel makes a temporary
    # (privacy) address and replaces it about daily, each new one stored as a change; a
    # new one is made here by the stable address added again. The stable address and an
    # IPv4 secondary address (the same flag as temporary, for IPv4) stay configuration.
    seen = tmp_path / "temporary"
    stable = "ip -6 addr add 2001:db8:1::1/64 dev v0 mngtmpaddr nodad"
    listed = f"ip -o -6 address show temporary >> {seen}; echo @@ >> {seen}"
    before, after = gateway_configs(
        tmp_path,
        "ip link add v0 type veth peer name v1; sysctl -qw net.ipv6.conf.v0.use_tempaddr=2;"
        " ip link set v0 up; ip link set v1 up; ip addr add 10.9.0.1/24 dev v0;"
        f" ip addr add 10.9.0.2/24 dev v0; {stable}; {listed}",
        f"ip -6 addr del 2001:db8:1::1/64 dev v0 mngtmpaddr; {stable}; {listed}")
    first, second = (part.split()[3] for part in seen.read_text().split("@@\n")[:2])
    assert first != second and first.startswith("2001:db8:1:0:")  # replaced for real
    assert before == after
    assert "\nv0@v1 10.9.0.1/24 10.9.0.2/24 2001:db8:1::1/64 fe80::" in after
    assert first not in before and second not in after


def test_an_interface_name_that_is_not_utf8_and_its_escape_spelled_out_read_differently(
        tmp_path, monkeypatch):
    """/sys/class/net's name came back as a surrogate escape in the health, which the
    controller refuses ("invalid UTF8 string value"); then it was decoded with its byte
    as the text \\xe9, before shown escaped it: a name holding the byte 0xe9 and one
    spelled with the four characters \\xe9 (Linux allows a backslash) read alike in the
    health and its lines, and one pattern left both out. The byte is \\udce9, the
    spelling's backslash doubled; a pattern matches the name itself."""
    net = tmp_path / "net"
    for name in (b"caf\xe9", b"caf\\xe9", b"lo"):
        (net / os.fsdecode(name)).mkdir(parents=True)
        (net / os.fsdecode(name) / "operstate").write_text("down\n")
    monkeypatch.setattr(mod, "NET", net)
    ifaces = mod.interfaces(["^lo$"])
    assert [i["name"] for i in ifaces] == ["caf\\\\xe9", "caf\\udce9"]
    assert mod.interface_lines(ifaces)[0] == ["interface caf\\\\xe9 mati",
                                              "interface caf\\udce9 mati"]
    assert [i["name"] for i in mod.interfaces(["^lo$", r"^caf\\xe9$"])] == ["caf\\udce9"]
    assert [i["name"] for i in mod.interfaces(["^lo$", r"^caf\udce9$"])] == ["caf\\\\xe9"]


def test_an_interface_name_with_a_control_character_is_escaped_in_its_lines(tmp_path, monkeypatch):
    """Linux allows control characters other than whitespace in an interface's name: an
    ESC in one reached the problem and warning lines, and the health (the record's
    gateway), as it was. A pattern still matches the name itself."""
    net = tmp_path / "net"
    (net / "eth\x1b[2K0" / "statistics").mkdir(parents=True)
    (net / "eth\x1b[2K0" / "operstate").write_text("down\n")
    (net / "eth\x1b[2K0" / "statistics" / "rx_errors").write_text("3\n")
    monkeypatch.setattr(mod, "NET", net)
    ifaces = mod.interfaces(["^lo$"])
    assert [i["name"] for i in ifaces] == ["eth\\x1b[2K0"]
    assert [i["name"] for i in mod.interfaces(["^lo$", r"^eth\x1b"])] == []  # the name itself
    assert mod.interface_lines(ifaces) == (["interface eth\\x1b[2K0 mati"],
                                           ["interface eth\\x1b[2K0 error rx 3 tx 0"])
