"""Test containers that boot systemd (`podman run ... /sbin/init`): wait until it runs."""

from __future__ import annotations

import subprocess

# `systemctl is-system-running --wait` waits for the boot to finish, but only once systemd
# answers on its bus: asked right after `podman run` (on a busy machine) it fails at once
# ("Failed to connect to bus"), so it is asked again until it says running or degraded.
_WAIT = """for i in $(seq 1 {tries}); do
  state=$(systemctl is-system-running --wait 2>/dev/null)
  case "$state" in running|degraded) exit 0;; esac
  sleep 0.2
done
echo "systemd did not start within {seconds} s (state: ${{state:-no answer on its bus}})" >&2
exit 1
"""


def wait_for_systemd(container: str, seconds: int = 120) -> None:
    """Return once the container's systemd has booted; AssertionError naming why not."""
    script = _WAIT.format(tries=seconds * 5, seconds=seconds)
    proc = subprocess.run(["podman", "exec", container, "sh", "-c", script],
                          capture_output=True, text=True, check=False, timeout=seconds + 60)
    if proc.returncode != 0:
        raise AssertionError(f"{container}: {proc.stderr.strip()[-2000:]}")
