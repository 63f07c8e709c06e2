"""The lab court: which hosts, on which networks, reachable on which SSH ports.

Court hosts sit on the court LAN; the stand-in for the Supreme Court's central SIPP MA
sits on a separate "WAN" network, reached only through the court gateway ``gw``,
which routes between the two like a court's RouterBoard does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAB = "court-lab"
LABEL = f"sop.lab={LAB}"
LAN = f"{LAB}-lan"
WAN = f"{LAB}-wan"
LAN_SUBNET = "10.231.10.0/24"
WAN_SUBNET = "10.231.20.0/24"
GW_LAN_IP = "10.231.10.254"
GW_WAN_IP = "10.231.20.254"


@dataclass(frozen=True)
class Host:
    name: str
    ssh_port: int
    networks: tuple[tuple[str, str], ...]
    # Routes added at boot: (destination subnet, via)
    routes: tuple[tuple[str, str], ...] = ()
    extra_hosts: tuple[tuple[str, str], ...] = ()
    sysctls: tuple[str, ...] = field(default=())

    @property
    def container(self) -> str:
        return f"{LAB}-{self.name}"


_TO_WAN = ((WAN_SUBNET, GW_LAN_IP),)
_CENTRAL = (("sippma", "10.231.20.10"),)

HOSTS: tuple[Host, ...] = (
    Host("sipp", 2221, ((LAN, "10.231.10.10"),), _TO_WAN, _CENTRAL),
    Host("web", 2222, ((LAN, "10.231.10.11"),), _TO_WAN, _CENTRAL),
    Host("backup", 2223, ((LAN, "10.231.10.12"),), _TO_WAN, _CENTRAL),
    Host("gw", 2224, ((LAN, GW_LAN_IP), (WAN, GW_WAN_IP)),
         sysctls=("net.ipv4.ip_forward=1",)),
    Host("sippma", 2225, ((WAN, "10.231.20.10"),), ((LAN_SUBNET, GW_WAN_IP),),
         (("gw", GW_WAN_IP),)),
)

NETWORKS: tuple[tuple[str, str], ...] = ((LAN, LAN_SUBNET), (WAN, WAN_SUBNET))


def by_name(name: str) -> Host:
    for host in HOSTS:
        if host.name == name:
            return host
    raise KeyError(name)


def peers(host: Host) -> tuple[str, ...]:
    """The hosts ``host`` must reach by name: those on its networks, and those it is
    given through the gateway (``extra_hosts``)."""
    nets = {net for net, _ip in host.networks}
    same = [h.name for h in HOSTS
            if h is not host and nets & {net for net, _ip in h.networks}]
    return (*same, *(name for name, _ip in host.extra_hosts if name not in same))


def routed(host: Host) -> dict[str, str]:
    """Peers of ``host`` on another network, each with the host that routes to it."""
    by_ip = {ip: h.name for h in HOSTS for _net, ip in h.networks}
    via = next((by_ip[gw] for _dst, gw in host.routes if gw in by_ip), None)
    nets = {net for net, _ip in host.networks}
    return {name: via for name in peers(host) if via is not None
            and not nets & {net for net, _ip in by_name(name).networks}}
