"""Bring the lab court up, down, and report its state."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from courtlab import image, podman, reach, topology
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
    """The controller's key pair for the lab (made once per checkout, and again when an
    interrupted ssh-keygen left half of it: each `up` gives the hosts the new .pub)."""
    key = root / ".lab" / "ssh" / "id_ed25519"
    if not (key.is_file() and key.with_suffix(".pub").is_file()):
        key.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(key.parent, 0o700)
        if shutil.which("ssh-keygen") is None:
            raise podman.PodmanError("ssh-keygen is not installed (run scripts/setup.sh)")
        # ssh-keygen asks on the terminal before it overwrites a key; its .pub goes too
        key.unlink(missing_ok=True)
        key.with_suffix(".pub").unlink(missing_ok=True)
        proc = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sop-lab",
                               "-f", str(key)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            raise podman.PodmanError(f"ssh-keygen {key}: {tail[0]}")
    return key


def known_hosts(root: Path) -> Path:
    """The lab's known_hosts, which inventory/lab makes ssh check host keys against."""
    return root / ".lab" / "known_hosts"


def write_known_hosts(path: Path, host_keys: dict[Host, str]) -> None:
    """Write each host's public host keys (as read inside it) for its published port."""
    lines: list[str] = []
    owner: dict[str, str] = {}
    for host, text in host_keys.items():
        keys = [line.split()[:2] for line in text.splitlines()
                if line.startswith(("ssh-", "ecdsa-")) and len(line.split()) >= 2]
        if not keys:
            raise podman.PodmanError(f"lab host {host.name} has no SSH host key")
        for kind, key in keys:
            if key in owner:
                raise podman.PodmanError(
                    f"lab hosts {owner[key]} and {host.name} share an SSH host key "
                    "(the image must not contain host keys)")
            owner[key] = host.name
            lines.append(f"[127.0.0.1]:{host.ssh_port} {kind} {key}")
    partial = path.with_suffix(".partial")
    partial.write_text("".join(f"{line}\n" for line in lines))
    partial.replace(path)


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


def down(root: Path) -> int:
    """Remove every lab container and network; return how many containers went."""
    containers = podman.containers_with_label(LABEL)
    names = [c["Names"][0] if isinstance(c.get("Names"), list) else c["Names"]
             for c in containers]
    if names:
        # Stop first: an explicit stop turns the restart policy off (podman restarts a
        # container whose systemd ended, which races a plain `rm -f`).
        # Unchecked: podman refuses to stop a container whose start failed ("can only
        # stop created or running containers ... in state configured"), as a failed `up`
        # leaves one; `rm -f` below removes it and names any real failure.
        podman.run("stop", "-t", "1", *names, check=False)
        podman.run("rm", "-f", "--ignore", "-t", "1", *names,
                   what=f"podman rm {' '.join(names)}")
    for network, _subnet in NETWORKS:
        if podman.exists("network", network):
            podman.run("network", "rm", "-f", network, what=f"podman network rm {network}")
    known_hosts(root).unlink(missing_ok=True)
    return len(names)


def _create_networks() -> None:
    for network, subnet in NETWORKS:
        if not podman.exists("network", network):
            podman.run("network", "create", "--subnet", subnet, "--label", LABEL, network,
                       what=f"podman network create {network}")


def _run_host(host: Host, image_ref: str) -> None:
    args = ["run", "-d", "--name", host.container, "--hostname", host.name,
            "--label", LABEL, "--systemd", "always", "--cap-add", "NET_ADMIN",
            # A reboot ends the container's systemd; podman starts it again, as a server
            # comes back (SOP Pemeliharaan Server reboots hosts after upgrades).
            "--restart=always",
            "--publish", f"127.0.0.1:{host.ssh_port}:22"]
    for network, ip in host.networks:
        args += ["--network", f"{network}:ip={ip},alias={host.name}"]
    for name, ip in host.extra_hosts:
        args += ["--add-host", f"{name}:{ip}"]
    for sysctl in host.sysctls:
        args += ["--sysctl", sysctl]
    podman.run(*args, image_ref, "/sbin/init", what=f"podman run {host.container}")


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
cat /etc/ssh/ssh_host_*_key.pub
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
    podman.check_working()
    image_ref = image.ensure(root, force=rebuild)
    pubkey = (ssh_key(root).with_suffix(".pub")).read_text().strip()
    states = status()
    if _is_stale(states, image_ref):
        print("==> removing a stale or outdated lab", flush=True)
        down(root)
        states = status()
    _create_networks()
    for state in states:
        if state.status == "missing":
            _run_host(state.host, image_ref)
    host_keys = {
        host: podman.run("exec", "-i", host.container, "bash", "-s",
                         input_text=_bootstrap_script(host, pubkey),
                         what=f"podman exec {host.container}").stdout
        for host in HOSTS}
    # Host keys come through podman exec, never over an unchecked SSH connection.
    write_known_hosts(known_hosts(root), host_keys)
    _wait_ssh(list(HOSTS))
    check_names(routed=False)
    if provision:
        run_provision(root, cases)
        check_names(routed=True)


def check_names(*, routed: bool) -> None:
    """Each host resolves every host it needs by name and reaches its SSH port.

    Before provisioning (``routed=False``) hosts on another network are only resolved:
    reaching them takes the gateway's NAT, which provisioning sets up; afterwards
    (``routed=True``) they are reached too.
    """
    probes = []
    for h in HOSTS:
        via = topology.routed(h)
        direct = tuple(p for p in topology.peers(h) if p not in via)
        probes.append(reach.Probe(h.container, h.name, tuple(via) if routed else direct,
                                  () if routed else tuple(via), via))
    reach.check(probes, port=22)


def run_provision(root: Path, cases: int | None) -> None:
    cmd = [str(root / ".venv" / "bin" / "ansible-playbook"), "lab/provision.yml"]
    if cases is not None:
        cmd += ["-e", f"lab_sipp_cases={cases}"]
    print("==> provisioning the lab court (ansible-playbook lab/provision.yml)", flush=True)
    proc = subprocess.run(cmd, cwd=root, check=False)
    if proc.returncode != 0:
        raise podman.PodmanError(f"lab provisioning failed (ansible-playbook rc={proc.returncode})")
