# GPL-3.0-or-later
"""Commands run with a time limit: a hung tool (a dying disk, D-Bus, a database that
does not answer, a scan of a huge or hostile tree) must not hold the SOP forever."""

from __future__ import annotations

import threading
from typing import Any


def run_limited(module: Any, argv: list[str], seconds: float,
                **kwargs: Any) -> tuple[int | None, str, str]:
    """module.run_command(argv), the tool killed when it runs longer than ``seconds``:
    its exit status is then None. Only the tool itself is killed (run_command starts no
    process group); its output so far is returned."""
    expired = threading.Event()
    timers: list[threading.Timer] = []

    def watch(proc: Any) -> None:
        def stop() -> None:
            if proc.poll() is None:
                expired.set()
                proc.kill()
        timer = threading.Timer(seconds, stop)
        timer.daemon = True
        timer.start()
        timers.append(timer)

    try:
        rc, out, err = module.run_command(argv, before_communicate_callback=watch, **kwargs)
    finally:
        for timer in timers:
            timer.cancel()
    return (None if expired.is_set() else int(rc)), str(out), str(err)
