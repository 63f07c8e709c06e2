"""Bring the lab court up, down, and report its state."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from courtlab import image, podman
from courtlab.topology import HOSTS, LABEL, NETWORKS, Host

ADMIN_USER = "sopadmin"
READY_TIMEOUT = 90.0


@dataclass(frozen=True)
class HostState:
    host: Host
    status: str  # running, exited, missing, ...
    image: str
    ssh: bool


def ssh_key(root: Path) -> Path:
    """The controller's key for the lab (made once per checkout)."""
    key = root / ".lab" / "ssh" / "id_ed25519"
    if not key.is_file():
        key.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(key.parent, 0o700)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sop-lab",
                        "-f", str(key)], check=True)
    return key


def _ssh_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(4).startswith(b"SSH")
    except OSError:
        return False


def status() -> list[HostState]:
    states = []
    for host in HOSTS:
        info = podman.inspect("container", host.container)
        if info is None:
            states.append(HostState(host, "missing", "", False))
            continue
        state = str((info.get("State") or {}).get("Status", "unknown"))
        states.append(HostState(host, state, str(info.get("ImageName", "")),
                                state == "running" and _ssh_open(host.ssh_port)))
    return states


def down() -> int:
    """Remove every lab container and network; return how many containers went."""
    containers = podman.containers_with_label(LABEL)
    names = [c["Names"][0] if isinstance(c.get("Names"), list) else c["Names"]
             for c in containers]
    if names:
        podman.run("rm", "-f", "-t", "1", *names)
    for network, _subnet in NETWORKS:
        if podman.exists("network", network):
            podman.run("network", "rm", "-f", network)
    return len(names)


def _create_networks() -> None:
    for network, subnet in NETWORKS:
        if not podman.exists("network", network):
            podman.run("network", "create", "--subnet", subnet, "--label", LABEL, network)


def _run_host(host: Host, image_ref: str) -> None:
    args = ["run", "-d", "--name", host.container, "--hostname", host.name,
            "--label", LABEL, "--systemd", "always", "--cap-add", "NET_ADMIN",
            "--publish", f"127.0.0.1:{host.ssh_port}:22"]
    for network, ip in host.networks:
        args += ["--network", f"{network}:ip={ip},alias={host.name}"]
    for name, ip in host.extra_hosts:
        args += ["--add-host", f"{name}:{ip}"]
    for sysctl in host.sysctls:
        args += ["--sysctl", sysctl]
    podman.run(*args, image_ref, "/sbin/init")


def _bootstrap_script(host: Host, pubkey: str) -> str:
    routes = "\n".join(f"ip route replace {dst} via {via}" for dst, via in host.routes)
    return f"""set -e
for i in $(seq 1 100); do
  s=$(systemctl is-system-running 2>/dev/null || true)
  case "$s" in running|degraded) break;; esac
  sleep 0.1
done
id {ADMIN_USER} >/dev/null 2>&1 || useradd -m -s /bin/bash {ADMIN_USER}
install -d -m 0700 -o {ADMIN_USER} -g {ADMIN_USER} /home/{ADMIN_USER}/.ssh
printf '%s\\n' '{pubkey}' > /home/{ADMIN_USER}/.ssh/authorized_keys
chown {ADMIN_USER}: /home/{ADMIN_USER}/.ssh/authorized_keys
chmod 0600 /home/{ADMIN_USER}/.ssh/authorized_keys
printf '%s ALL=(ALL) NOPASSWD: ALL\\n' {ADMIN_USER} > /etc/sudoers.d/{ADMIN_USER}
chmod 0440 /etc/sudoers.d/{ADMIN_USER}
{routes}
systemctl enable --quiet --now ssh
"""


def _wait_ssh(hosts: list[Host]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    pending = list(hosts)
    while pending and time.monotonic() < deadline:
        pending = [h for h in pending if not _ssh_open(h.ssh_port)]
        if pending:
            time.sleep(0.3)
    if pending:
        names = ", ".join(h.name for h in pending)
        raise podman.PodmanError(f"SSH did not come up on: {names}")


def _is_stale(states: list[HostState], image_ref: str) -> bool:
    present = [s for s in states if s.status != "missing"]
    if not present:
        return False
    if len(present) != len(states):
        return True
    return any(s.status != "running" or s.image != image_ref for s in states)


def up(root: Path, *, cases: int | None, rebuild: bool = False,
       provision: bool = True) -> None:
    """Create (or repair) the lab, then provision it over SSH with Ansible."""
    image_ref = image.ensure(root, force=rebuild)
    pubkey = (ssh_key(root).with_suffix(".pub")).read_text().strip()
    states = status()
    if _is_stale(states, image_ref):
        print("==> removing a stale or outdated lab", flush=True)
        down()
        states = status()
    _create_networks()
    for state in states:
        if state.status == "missing":
            _run_host(state.host, image_ref)
    for host in HOSTS:
        podman.run("exec", "-i", host.container, "bash", "-s",
                   input_text=_bootstrap_script(host, pubkey))
    _wait_ssh(list(HOSTS))
    if provision:
        run_provision(root, cases)


def run_provision(root: Path, cases: int | None) -> None:
    cmd = [str(root / ".venv" / "bin" / "ansible-playbook"), "lab/provision.yml"]
    if cases is not None:
        cmd += ["-e", f"lab_sipp_cases={cases}"]
    print("==> provisioning the lab court (ansible-playbook lab/provision.yml)", flush=True)
    proc = subprocess.run(cmd, cwd=root, check=False)
    if proc.returncode != 0:
        raise podman.PodmanError(f"lab provisioning failed (ansible-playbook rc={proc.returncode})")
