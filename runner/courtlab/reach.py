"""Before provisioning: every lab host resolves, and reaches, the hosts it needs by name.

A lab whose hosts cannot resolve each other (podman without netavark and aardvark-dns
falls back to CNI without DNS) provisions fine and then fails deep inside a SOP with
"Could not resolve hostname". This check fails first, with one line naming the cause.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from courtlab import podman

HELPER_DIRS = ("/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
               "/usr/lib/podman")

# Run inside a host: "$1" is the port (0: ping only), then the names to resolve and reach,
# then "--" and the names only to resolve. Prints "resolve NAME" or "reach NAME" for each
# name that fails.
PROBE = r"""port=$1; shift; reach=1
for name in "$@"; do
  [ "$name" = -- ] && { reach=0; continue; }
  getent hosts "$name" >/dev/null || { echo "resolve $name"; continue; }
  if [ "$reach" = 0 ]; then
    :
  elif [ "$port" = 0 ]; then
    ping -c 1 -W 3 "$name" >/dev/null 2>&1 || echo "reach $name"
  else
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$name" "$port" 2>/dev/null || echo "reach $name"
  fi
done
"""


@dataclass(frozen=True)
class Probe:
    """From ``container`` (shown as ``label``), resolve and reach each of ``peers`` by
    name, and resolve each of ``resolve_only``."""

    container: str
    label: str
    peers: tuple[str, ...]
    resolve_only: tuple[str, ...] = ()
    # peer -> the host routing to it, for peers on another network
    routed: dict[str, str] = field(default_factory=dict)


def check(probes: list[Probe], port: int) -> None:
    """Raise PodmanError with one line naming the first failure (all hosts tried at once)."""
    running = [
        (p, subprocess.Popen(["podman", "exec", "-i", p.container, "bash", "-s", "--",
                              str(port), *p.peers, "--", *p.resolve_only],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True))
        for p in probes]
    failures: list[str] = []
    for probe, proc in running:
        out, err = proc.communicate(PROBE)
        if proc.returncode != 0:
            failures.append(f"cannot check lab host {probe.label}: "
                            f"{podman.error_line(err, proc.returncode)}")
            continue
        for line in out.splitlines():
            what, _, peer = line.partition(" ")
            failures.append(_explain(probe, what, peer, port))
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise podman.PodmanError(failures[0] + more)


def _explain(probe: Probe, what: str, peer: str, port: int) -> str:
    if what == "resolve":
        return f"lab host {probe.label} cannot resolve '{peer}': {dns_cause(probe.container)}"
    how = "ping" if port == 0 else f"port {port}"
    via = f" (routed through {probe.routed[peer]})" if peer in probe.routed else ""
    return f"lab host {probe.label} resolves '{peer}' but cannot reach it on {how}{via}"


def dns_cause(container: str) -> str:
    """Why podman's DNS did not give a container the name of another."""
    proc = podman.run("info", "--format", "{{.Host.NetworkBackend}}", check=False)
    if proc.returncode != 0:
        return f"podman info: {podman.error_line(proc.stderr, proc.returncode)}"
    backend = proc.stdout.strip() or "unknown"
    if backend != "netavark":
        return f"podman DNS (aardvark-dns) is not working; network backend is {backend}"
    if not any(Path(d, "aardvark-dns").is_file() for d in HELPER_DIRS):
        return "podman DNS is not working: aardvark-dns is not installed (scripts/setup.sh)"
    info = podman.inspect("container", container) or {}
    for net in (info.get("NetworkSettings") or {}).get("Networks") or {}:
        net_info = podman.inspect("network", net) or {}
        if not net_info.get("dns_enabled", True):
            return f"podman network {net} has DNS disabled (created with --disable-dns)"
    return "podman DNS (aardvark-dns) did not answer"
