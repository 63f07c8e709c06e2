"""Execution statuses (no heavy imports: the CLI's argument parser uses them)."""

from __future__ import annotations

FINAL_STATUSES = ("successful", "failed", "unreachable", "interrupted", "canceled")
STATUSES = ("running", *FINAL_STATUSES)
