"""Is the process that started an execution still alive? (pid + its start time.)"""

from __future__ import annotations

import os
from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may contain spaces): state first."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def process_token(pid: int) -> str | None:
    """The process start time in clock ticks since boot (Linux), guarding against pid reuse."""
    fields = _stat_fields(pid)
    return fields[19] if fields else None  # field 22 of stat (starttime)


def is_alive(pid: int, token: str | None) -> bool:
    """True while `pid` runs and (when known) still is the same process; a zombie (ended,
    not yet reaped by its parent) is not alive."""
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
    return token is None or fields[19] == token
