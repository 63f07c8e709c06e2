"""What `sop` writes to its stdout and stderr: the consoles' text, --json records, a
report, warnings, argparse's --help and usage errors. Once the terminal closed (an SSH
session dropped) or the reader left (`sop history --json | head`), writing is no error:
the command ends as it would have (a run the hangup canceled is recorded so and exits
5), never with a traceback."""

from __future__ import annotations

import errno
import os
from contextlib import suppress
from typing import IO, TextIO, cast

# A terminal that closed under the command (an SSH session dropped) fails a write with
# EIO; a pipe whose reader left (`sop run | tee`, its session dropped), with EPIPE.
GONE = (errno.EIO, errno.EPIPE)


class Output:
    """stdout or stderr as `sop` writes it. Once its terminal closed or its reader left, a
    write is no error: its file descriptor, and the other standard one on the same
    terminal, are pointed at /dev/null and what is written goes nowhere. Python's flush of
    the stream at exit fails no more (exit 120, "Exception ignored ... BrokenPipeError")."""

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
        """`exc` raised again unless the terminal or the reader is gone."""
        if exc.errno not in GONE:
            raise exc
        own = self.stream.fileno()
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


def guarded(stream: TextIO) -> IO[str]:
    """`stream` for a rich Console (which writes, flushes, asks isatty and encoding)."""
    return cast("IO[str]", Output(stream))


def write(stream: TextIO, text: str) -> None:
    """`text` written to `stream` (sys.stdout, sys.stderr) and flushed at once, through
    Output: a pipe's or a file's buffer otherwise fails only at the interpreter's exit."""
    output = Output(stream)
    output.write(text)
    output.flush()
