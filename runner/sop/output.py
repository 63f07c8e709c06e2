"""What `sop` writes to its stdout and stderr: the consoles' text, --json records, a
report, warnings, argparse's --help and usage errors. Once the terminal closed (an SSH
session dropped) or the reader left (`sop history --json | head`), writing is no error:
the command ends as it would have (a run the hangup canceled is recorded so and exits
5), never with a traceback. Output that cannot be written for another reason (`> FILE` on
a full disk: ENOSPC, EFBIG, EDQUOT, EROFS, ...) goes nowhere too and stops nothing (`sop
run` runs and records the SOP: the court's evidence is the store, not the output); the
first such failure is kept for `sop` to report as it ends (lost_output). So is a standard
stream closed as `sop` started (`sop history >&-`, a cron line's `2>&-`: reopen_closed),
once `sop` writes to it: one nothing is written to loses nothing (`sop list 2>&-` exits
0, as GNU's `ls 2>&-` does; `sop list >&-` exits 6, as `ls >&-` fails)."""

from __future__ import annotations

import errno
import io
import os
import sys
from contextlib import suppress
from typing import IO, TextIO, cast

# A terminal that closed under the command (an SSH session dropped) fails a write with
# EIO; a pipe whose reader left (`sop run | tee`, its session dropped), with EPIPE.
GONE = (errno.EIO, errno.EPIPE)
STANDARD = {1: "stdout", 2: "stderr"}

# The first output lost for another reason, "stdout: No space left on device", until
# lost_output() takes it.
_LOST: list[str] = []


class Output:
    """stdout or stderr as `sop` writes it. Once a write or flush failed (its terminal
    closed, its reader left, its file's disk is full), it is no error: its file
    descriptor, and the other standard one on the same terminal or file, are pointed at
    /dev/null and what is written goes nowhere. Python's flush of the stream at exit fails
    no more (exit 120, "Exception ignored ... BrokenPipeError")."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = stream.encoding

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            self._gone(exc)
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            self._gone(exc)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def _gone(self, exc: OSError) -> None:
        """The stream's file descriptor pointed at /dev/null after `exc`, the first failure
        not of a gone terminal or reader kept (_LOST). `exc` raised again when it carries
        no errno: no failure of the write itself."""
        if exc.errno is None:
            raise exc
        own = self.stream.fileno()
        if exc.errno not in GONE and not _LOST:
            _LOST.append(f"{STANDARD.get(own, f'fd {own}')}: {os.strerror(exc.errno)}")
        gone = os.fstat(own)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            for fd in {own, 1, 2}:
                with suppress(OSError):  # a standard stream closed (`2>&-`)
                    if os.path.samestat(os.fstat(fd), gone):
                        os.dup2(null, fd)
        finally:
            os.close(null)
        self.stream.flush()  # what it still held goes there too


def reopen_closed() -> None:
    """stdout and stderr closed as `sop` starts (`sop history >&-`: Python's sys.stdout is
    None, "internal error: AttributeError(...)"), their file descriptors opened on
    /dev/null and sys.stdout, sys.stderr written there (_Closed): the command runs, `sop
    run` records the SOP with its real status, and only if `sop` wrote to the closed
    stream does it say so as it ends, as for a full disk ("stdout: closed"). A child
    process (ansible-playbook) writing to the /dev/null it inherits is not `sop`'s output
    and loses nothing. Nothing the command opens later (the store, a run's files) takes
    fd 1 or 2."""
    closed = [fd for fd, name in STANDARD.items() if getattr(sys, name) is None or not _open(fd)]
    if not closed:
        return
    null = os.open(os.devnull, os.O_WRONLY)  # fd 1 itself when stdout is closed
    try:
        for fd in closed:
            os.dup2(null, fd)
            os.set_inheritable(fd, True)  # as a standard stream is (dup2 onto itself is not)
            setattr(sys, STANDARD[fd], _Closed(fd))
    finally:
        if null not in closed:
            os.close(null)


class _Closed(io.TextIOWrapper):
    """sys.stdout or sys.stderr for a standard stream closed as `sop` started, its file
    descriptor on /dev/null: the first text written to it (the consoles, --json records,
    print, argparse's --help and usage errors, Python's warnings: all write through
    sys.stdout and sys.stderr) is kept as lost ("stderr: closed") unless an earlier loss
    is. Open as long as the interpreter runs, as sys.stdout is; what it holds goes to
    /dev/null, never failing for a character its encoding lacks."""

    def __init__(self, fd: int) -> None:
        super().__init__(
            open(fd, "wb", closefd=False),  # noqa: SIM115
            encoding="utf-8",
            errors="backslashreplace",
        )

    def write(self, text: str) -> int:
        if text and not _LOST:
            _LOST.append(f"{STANDARD[self.fileno()]}: closed")
        return super().write(text)


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def guarded(stream: TextIO) -> IO[str]:
    """`stream` for a rich Console (which writes, flushes, asks isatty and encoding)."""
    return cast("IO[str]", Output(stream))


def write(stream: TextIO, text: str) -> None:
    """`text` written to `stream` (sys.stdout, sys.stderr) and flushed at once, through
    Output: a pipe's or a file's buffer otherwise fails only at the interpreter's exit."""
    output = Output(stream)
    output.write(text)
    output.flush()


def lost_output() -> str | None:
    """The first output that could not be written since the last call, not for a gone
    terminal or reader: the stream and why ("stdout: No space left on device"), then
    forgotten; None if none was lost."""
    lost = _LOST[0] if _LOST else None
    _LOST.clear()
    return lost
