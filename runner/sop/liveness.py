"""Is the process that started an execution still alive? (pid + its start time.)"""

from __future__ import annotations

import os
from pathlib import Path


def process_token(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux), guarding against pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 22 (starttime); the command name in parentheses may contain spaces.
    return stat.rsplit(")", 1)[1].split()[19]


def is_alive(pid: int, token: str | None) -> bool:
    """True while `pid` runs and (when known) still is the same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if token is None:
        return True
    current = process_token(pid)
    return current is None or current == token
