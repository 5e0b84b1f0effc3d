"""A single updating line on a terminal while a session starts (nothing when not interactive)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from renku_fed.sdk.models import Session

SPINNER = "|/-\\"
CLEAR_LINE = "\r\x1b[K"


class Progress:
    """Shows a session's state, message and the seconds waited on one line of `stream`.

    `stream` defaults to standard error at the time of each write; when it is not a terminal
    nothing is written at all, so scripts and pipes see no progress output.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._ticks = 0
        self._shown = False

    @property
    def stream(self) -> TextIO:
        """Where the line goes."""
        return self._stream if self._stream is not None else sys.stderr

    def interactive(self) -> bool:
        """Whether the stream is a terminal."""
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def update(self, session: Session) -> None:
        """Redraw the line for the session's current state."""
        if not self.interactive():
            return
        note = f": {session.message}" if session.message else ""
        elapsed = int(time.monotonic() - self._started)
        spin = SPINNER[self._ticks % len(SPINNER)]
        self._ticks += 1
        line = f"{spin} session {session.id}: {session.state.value}{note} ({elapsed} s)"
        self.stream.write(CLEAR_LINE + line)
        self.stream.flush()
        self._shown = True

    def finish(self, session: Session) -> None:
        """Leave the line with the final state and end it."""
        if not self._shown:
            return
        note = f": {session.message}" if session.message else ""
        elapsed = int(time.monotonic() - self._started)
        self.stream.write(f"{CLEAR_LINE}session {session.id}: {session.state.value}{note}")
        self.stream.write(f" ({elapsed} s)\n")
        self.stream.flush()
        self._shown = False
