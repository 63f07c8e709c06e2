from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from courtlab import topology


def test_hosts_have_distinct_names_ports_and_addresses() -> None:
    hosts = topology.HOSTS
    assert len({h.name for h in hosts}) == len(hosts)
    assert len({h.ssh_port for h in hosts}) == len(hosts)
    ips = [ip for h in hosts for _net, ip in h.networks]
    assert len(set(ips)) == len(ips)


def test_court_hosts_reach_the_outside_only_through_the_gateway() -> None:
    gw = topology.by_name("gw")
    assert {net for net, _ip in gw.networks} == {topology.LAN, topology.WAN}
    for name in ("sipp", "web", "backup"):
        host = topology.by_name(name)
        assert [net for net, _ip in host.networks] == [topology.LAN]
        assert (topology.WAN_SUBNET, topology.GW_LAN_IP) in host.routes
    central = topology.by_name("sippma")
    assert [net for net, _ip in central.networks] == [topology.WAN]


def test_inventory_ports_match_the_topology(project_root: Path) -> None:
    inv = yaml.safe_load((project_root / "inventory/lab/hosts.yml").read_text())
    ports: dict[str, int] = {}

    def walk(node: dict[str, Any]) -> None:
        for name, hostvars in (node.get("hosts") or {}).items():
            ports[name] = hostvars["ansible_port"]
        for child in (node.get("children") or {}).values():
            walk(child)

    walk(inv["all"])
    assert ports == {h.name: h.ssh_port for h in topology.HOSTS}


def test_each_host_must_reach_its_lan_and_the_central_sipp_through_the_gateway() -> None:
    sipp, gw, central = (topology.by_name(n) for n in ("sipp", "gw", "sippma"))
    assert topology.peers(sipp) == ("web", "backup", "gw", "sippma")
    assert topology.routed(sipp) == {"sippma": "gw"}
    assert topology.peers(gw) == ("sipp", "web", "backup", "sippma")
    assert topology.routed(gw) == {}
    assert topology.peers(central) == ("gw",)
