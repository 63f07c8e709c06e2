"""Execution statuses (no heavy imports: the CLI's argument parser uses them)."""

from __future__ import annotations

FINAL_STATUSES = ("successful", "failed", "unreachable", "interrupted", "canceled")
STATUSES = ("running", *FINAL_STATUSES)


def cut_short_status(execution_status: str) -> str:
    """The status of the activity an execution ended in before the playbook's end."""
    return "canceled" if execution_status == "canceled" else "failed"
