"""library/net_linux_router.py: its configuration text from the real ``ip`` in a network
namespace of its own (unshare -rn), and its error line from a real failing command."""

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
