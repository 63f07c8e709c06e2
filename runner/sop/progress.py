"""Live progress per activity while `sop run` works (plain lines when not a terminal)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from sop.catalogue import Sop
from sop.durations import format_seconds
from sop.events import ActivityProgress
from sop.runner import Progress
from sop.views import plain, status_text


class ConsoleProgress(Progress):
    def __init__(self, console: Console, sop: Sop) -> None:
        self.console = console
        self.sop = sop
        self.states: dict[int, ActivityProgress] = {}
        self.live: Live | None = None
        self.done = False
        self.started_at = time.monotonic()

    def started(self, execution_id: int, target: str) -> None:
        self.console.print(
            Text.assemble(
                (f"Execution {execution_id}", "bold"),
                f": {self.sop.title} ({self.sop.id}) on {target}",
            )
        )
        self.started_at = time.monotonic()
        if self.console.is_terminal:
            self.live = Live(
                console=self.console,
                refresh_per_second=4,
                transient=False,
                get_renderable=self._table,
            )
            self.live.start()

    def activity(self, progress: ActivityProgress) -> None:
        activity = self.sop.activities[progress.number - 1]
        if not activity.automated and not progress.ran:
            return  # a manual activity's automated part not run (skipped): shown manual
        if self.live is None and progress.number not in self.states:
            self.console.print(plain(f"  > {activity.label}. {activity.kegiatan}"))
        self.states[progress.number] = progress

    def finished(self) -> None:
        self.done = True
        if self.live is not None:
            self.live.stop()
            self.live = None

    def _table(self) -> Table:
        table = Table(box=None, padding=(0, 1))
        table.add_column("No", justify="right")
        table.add_column("Kegiatan", max_width=60, no_wrap=True)
        table.add_column("Status")
        table.add_column("Hosts")
        table.add_column("Time")
        table.add_column("Task", max_width=40, no_wrap=True, style="dim")
        # The activity whose first event arrived last, on the monotonic clock: the events'
        # wall-clock `started` misorders them after a clock step.
        current = max(
            (p for p in self.states.values() if p.started_clock is not None),
            key=lambda p: p.started_clock or 0.0,
            default=None,
        )
        for activity in self.sop.activities:
            state = self.states.get(activity.number)
            if not activity.automated and state is None:
                table.add_row(
                    plain(activity.label), plain(activity.kegiatan), Text("manual", style="magenta")
                )
                continue
            if state is None:
                table.add_row(
                    plain(activity.label), plain(activity.kegiatan), Text("waiting", style="dim")
                )
                continue
            running = state is current and not self.done
            status: Text | Spinner = (
                Spinner("dots", text=status_text(state.status if state.counts else "running"))
                if running
                else status_text(state.status)
            )
            table.add_row(
                plain(activity.label),
                plain(activity.kegiatan),
                status,
                str(len(state.hosts)),
                format_seconds(state.duration),
                plain(state.current_task if running else ""),
            )
        table.caption = f"elapsed {format_seconds(time.monotonic() - self.started_at)}"
        return table
