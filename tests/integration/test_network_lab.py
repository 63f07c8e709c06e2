"""SOP Perawatan dan Mengatasi Permasalahan Jaringan against the lab court (`sop-lab up`,
provisioned with lab_gw's resolver, lab_routeros on gw and lab_nut on backup): a healthy
network passes, each injected fault is localised to its segment, a renamed RouterBoard
shows as a diff, the UPS on battery warns and low battery fails, check mode changes
nothing. The RouterBoards here are the lab's RouterOS API test service, not RouterOS."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_json import failures, result

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lab]
COURT = ("sipp", "web", "backup", "gw")
# The upstream link cut on gw: nothing forwarded to the outside network and nothing from
# gw itself, except gw's SSH replies: the controller may reach gw's published SSH port
# through either of its networks (podman picks one), and must still reach it to undo this.
DROP_UPSTREAM = """table inet sop_fault {
  chain forward { type filter hook forward priority -10; ip daddr 10.231.20.0/24 drop; }
  chain output { type filter hook output priority -10; tcp sport 22 accept;
                 ip daddr 10.231.20.0/24 drop; }
}"""


def env() -> dict[str, str]:
    return dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
    )


def play(*args: str) -> tuple[int, dict[str, Any]]:
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/network.yml", *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc.returncode, json.loads(proc.stdout)


def adhoc(host: str, *argv: str) -> None:
    subprocess.run(
        [
            str(ROOT / ".venv/bin/ansible"),
            host,
            "-b",
            "-m",
            "ansible.builtin.command",
            "-a",
            json.dumps({"argv": list(argv)}),
        ],
        cwd=ROOT,
        env=dict(env(), ANSIBLE_STDOUT_CALLBACK="default"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


REACH = "Check the path LAN, gateway, DNS, upstream, central services from this host"


def faults(report: dict[str, Any]) -> dict[str, str | None]:
    return {h: result(report, REACH, h)["fault"] for h in COURT}


def test_healthy_network_passes_and_second_run_changes_nothing():
    rc, report = play()
    assert rc == 0, failures(report)
    assert faults(report) == dict.fromkeys(COURT)
    rc, report = play()
    assert rc == 0 and report["stats"], report["stats"]
    assert all(s["changed"] == 0 for s in report["stats"].values()), report["stats"]


def test_check_mode_changes_nothing():
    rc, report = play("--check")
    assert rc == 0, failures(report)
    assert report["stats"] and all(s["changed"] == 0 for s in report["stats"].values())


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    adhoc("gw", "systemctl", "start", "dnsmasq")
    adhoc(
        "gw",
        "sh",
        "-c",
        "nft list table inet sop_fault >/dev/null 2>&1 && nft delete table inet sop_fault || true",
    )
    adhoc("sippma", "systemctl", "start", "sippma")
    adhoc("backup", "lab-ups-state", "OL")


@pytest.mark.usefixtures("restore")
@pytest.mark.parametrize(
    ("host", "argv", "segment"),
    [
        ("gw", ["systemctl", "stop", "dnsmasq"], "dns"),
        ("gw", ["sh", "-c", f"echo '{DROP_UPSTREAM}' | nft -f -"], "upstream"),
        ("sippma", ["systemctl", "stop", "sippma"], "central"),
    ],
)
def test_each_fault_is_localised(host, argv, segment):
    adhoc(host, *argv)
    rc, report = play()
    assert rc != 0
    court = ("sipp", "web", "backup")
    assert {h: faults(report)[h] for h in court} == dict.fromkeys(court, segment)


@pytest.mark.usefixtures("restore")
def test_ups_on_battery_warns_and_low_battery_fails():
    adhoc("backup", "lab-ups-state", "OB")
    rc, report = play()
    assert rc == 0, failures(report)
    adhoc("backup", "lab-ups-state", "LB")
    rc, report = play()
    assert rc != 0


def test_renamed_routerboard_shows_as_a_diff():
    script = (
        "import librouteros, sys\n"
        "password = sys.stdin.readline().strip()\n"
        "api = librouteros.connect('10.231.10.254', 'sop', password, port=8728)\n"
        "tuple(api('/system/identity/set', name=sys.stdin.readline().strip()))\n"
    )
    for name in ("rb-lab-diganti", "rb-lab"):
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-c", script],
            input=f"lab-routeros-pw\n{name}\n",
            text=True,
            check=True,
            timeout=30,
        )
        rc, report = play()
        assert rc == 0, failures(report)
        stored = result(
            report,
            "Keep the RouterBoards' configurations in the history on the backup computer",
            "sipp",
        )
        assert stored["changed_names"] == ["rb-lab"]
        assert f"+set name={name}\n" in stored["devices"][0]["diff"]


def test_routerboards_that_cannot_be_read_fail_naming_why_without_the_password():
    routers = [{"name": "rb", "host": "10.231.10.254", "port": 8728, "username": "sop",
                "password": "secret-not-shown"}] * 2  # names must be unique
    rc, report = play("--limit", "gw", "-e", json.dumps({"network_routeros_routers": routers}))
    assert rc != 0
    assert any("Each RouterBoard has its keys, each of its type: pengaturan salah: "
               "network_routeros_routers: name rb given to more than one router" in f
               for f in failures(report)), failures(report)
    assert "secret-not-shown" not in json.dumps(report)
