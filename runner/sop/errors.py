"""Exit codes and the one error type the CLI turns into a one-line message."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes of `sop` (documented in `sop --help` and the README)."""

    OK = 0
    SOP_FAILED = 1
    USAGE = 2
    UNREACHABLE = 3
    LOCKED = 4
    CANCELED = 5
    INTERNAL = 6
    OVERDUE = 7
    NOT_NOTIFIED = 8


class SopError(Exception):
    """An expected problem: printed as one line, the process exits with `code`."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def interrupted(exc: BaseException) -> bool:
    """A Ctrl-C, or one Python wrapped in another exception (a KeyboardInterrupt while a
    module being imported defines a class is "RuntimeError: Error calling __set_name__")."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, KeyboardInterrupt):
        cause = cause.__cause__ or cause.__context__
    return cause is not None
