"""Service logs written by the supervisor, rotated by size so that none grows without bound."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO

MAX_LOG_BYTES = 10_000_000
KEPT_LOGS = 3


class RotatingLog:
    """An append-only log file; past `max_bytes` it becomes `.1` (older ones `.2`, ...)."""

    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES, kept: int = KEPT_LOGS) -> None:
        self._path, self._max_bytes, self._kept = path, max_bytes, kept
        self._lock = threading.Lock()
        self._file = path.open("ab")

    def write(self, data: bytes) -> None:
        """Append `data`, rotating first when it would make the file too large."""
        with self._lock:
            if self._file.tell() and self._file.tell() + len(data) > self._max_bytes:
                self._rotate()
            self._file.write(data)
            self._file.flush()

    def _rotate(self) -> None:
        self._file.close()
        for number in range(self._kept - 1, 0, -1):
            older = self._path.with_name(f"{self._path.name}.{number}")
            if older.exists():
                older.replace(self._path.with_name(f"{self._path.name}.{number + 1}"))
        self._path.replace(self._path.with_name(f"{self._path.name}.1"))
        self._file = self._path.open("ab")

    def copy_from(self, stream: IO[bytes]) -> threading.Thread:
        """Copy `stream` line by line into this log from a daemon thread, until it ends."""

        def pump() -> None:
            for line in stream:
                self.write(line)
            stream.close()

        thread = threading.Thread(target=pump, name=f"log {self._path.name}", daemon=True)
        thread.start()
        return thread
