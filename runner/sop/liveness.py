"""Is the process that started an execution still alive? (pid + its start time, and the
boot it started in.)"""

from __future__ import annotations

import os
from pathlib import Path

# The kernel's random id of the running boot: pids and start times (clock ticks since
# boot) start over at each boot, so they name a process only together with it.
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
# Hex digits of the boot id a token keeps: 64 random bits tell boots apart, and the token
# (up to 20 digits of start time, "@", these) fits the 40 characters the store's
# pid_start and playbook_pid_start columns hold.
BOOT_DIGITS = 16


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may contain spaces): state first."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def boot_id() -> str | None:
    """The running boot's id as a token keeps it (BOOT_DIGITS hex digits); None without
    /proc."""
    try:
        text = BOOT_ID.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.strip().replace("-", "")[:BOOT_DIGITS] or None


def process_token(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux), guarding against pid reuse
    within a boot (`locking.flock_wait` subtracts two of them); `with_boot` makes it the
    token a record keeps."""
    fields = _stat_fields(pid)
    return fields[19] if fields else None  # field 22 of stat (starttime)


def with_boot(token: str | None) -> str | None:
    """`token` (process_token's, of a process of this boot) as a record keeps it:
    `START@BOOT`, so that after a reboot, when pids and start times start over, a record
    of the boot before is never taken for a process of this one. A token that has its
    boot already, or none (no /proc), stays as it is."""
    boot = boot_id()
    if token is None or "@" in token or boot is None:
        return token
    return f"{token}@{boot}"


def is_alive(pid: int, token: str | None) -> bool:
    """True while `pid` runs and (when known) still is the same process; a zombie (ended,
    not yet reaped by its parent) is not alive. A token of another boot is not alive.

    A token without a boot (a bare start time: recorded before tokens kept their boot, or
    where /proc had no boot id), or any token where /proc has none now, is judged by its
    start time alone, as every token was before: a running execution recorded so by an
    older `sop` may still have its process (an ansible-playbook orphaned before the
    upgrade, still waited for), and judging it dead would mark it interrupted and free
    its SOP for a second run at once; the pid reuse after a reboot this leaves open needs
    the same pid started at the same clock tick."""
    start, _, boot = (token or "").partition("@")
    current = boot_id()
    if boot and current is not None and boot != current:
        return False  # pids and start times started over since
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat_fields(pid)
    if fields is None:
        return True  # no /proc: the signal check is all there is
    if fields[0] == "Z":
        return False
    return not start or fields[19] == start
