"""The live display of `sop run` (ConsoleProgress): which activity it shows running."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from sop.catalogue import load_catalogue
from sop.events import ActivityProgress
from sop.progress import ConsoleProgress

from .conftest import FIXTURES


def test_the_running_activity_is_the_one_started_last_on_the_monotonic_clock() -> None:
    """The display chose the activity whose first event had the latest wall-clock
    `created`: after the clock was set back an hour as activity 2 began (NTP stepping
    it), activity 1, long done, was shown running with its last task, and activity 2,
    the one working, without its task. The running one is the one whose first event
    arrived last, on the monotonic clock (EventRecorder.clock)."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    screen = io.StringIO()
    console = Console(file=screen, width=200, force_terminal=False)
    progress = ConsoleProgress(console, sop)
    wall = datetime(2026, 11, 3, 3, tzinfo=UTC)
    first, second = (ActivityProgress(n, f"t{n}", None) for n in (1, 2))
    first.note_start(wall, 100.0)
    first.note_end(wall + timedelta(seconds=5), 105.0)
    first.counts["ok"] = 1
    first.current_task = "Siapkan folder"
    second.note_start(wall - timedelta(hours=1), 106.0)  # the clock set back an hour
    second.current_task = "Salin berkas"
    for state in (first, second):
        progress.activity(state)
    console.print(progress._table())
    shown = screen.getvalue()
    assert "Salin berkas" in shown and "Siapkan folder" not in shown
