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


def test_a_manual_activitys_automated_part_is_shown_once_it_ran() -> None:
    """local-demo's activity 3 is manual with an automated part (tag tindakan): its
    tasks skipped (not asked for), it is shown as the manual step it is, not as an
    activity that ran; once one returned a result, as an automated activity is."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    screen = io.StringIO()
    progress = ConsoleProgress(Console(file=screen, width=200, force_terminal=False), sop)
    part = ActivityProgress(3, "tindakan", None)
    part.note_start(datetime(2026, 11, 3, 3, tzinfo=UTC), 100.0)
    part.counts["skipped"] = 2
    progress.activity(part)
    assert screen.getvalue() == "" and 3 not in progress.states
    part.counts["changed"] = 1
    progress.activity(part)
    assert screen.getvalue() == "  > 3. Melaporkan kepada Kasub PTIP\n"
    assert progress.states[3] is part
