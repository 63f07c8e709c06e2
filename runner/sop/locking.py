"""One run of a SOP per host at a time: a second `sop run` of the same SOP on an
overlapping set of hosts is refused, naming the execution that holds them."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sop.durations import format_seconds
from sop.errors import ExitCode, SopError
from sop.store import Row, Store, now


@contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """Serialise check-and-record between `sop` processes of this machine."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "run.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_execution(
    store: Store,
    data_dir: Path,
    values: Mapping[str, Any],
    activities: Sequence[Mapping[str, Any]],
) -> int:
    """Record the execution as running unless a running one of the SOP shares a host
    (its `sop` alive, or dead with its ansible-playbook still running), on this controller
    or on another one sharing the store."""
    hosts = set(values["hosts"])

    def refuse(running_executions: list[Row]) -> None:
        for running in running_executions:
            shared = sorted(hosts & set(running["hosts"]))
            if shared:
                age = format_seconds((now() - running["started_at"]).total_seconds())
                holder = f"pid {running['pid']} on {running['hostname']}, started {age} ago"
                if running["error"]:  # sop died, its ansible-playbook still runs (reap_stale)
                    holder += f"; {running['error']}"
                raise SopError(
                    f"SOP {values['sop_id']} is already running on {', '.join(shared)}: "
                    f"execution {running['id']} by {running['operator']} ({holder})",
                    ExitCode.LOCKED,
                )

    with _exclusive(data_dir):
        store.reap_stale()
        return store.create_execution(values, activities, refuse=refuse)
