"""Where browser sessions are kept: a small key-value protocol with expiry, and two stores.

Values arrive here already encrypted and keys are hashes of the session ids, so a store never
holds a token or a cookie value in clear. Several router replicas share the Redis store of
`router.redis_stores`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol


class SessionStore(Protocol):
    """Bytes by key, each forgotten after its time to live."""

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        ...

    async def put(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`, replacing what was there."""
        ...

    async def delete(self, key: str) -> None:
        """Forget `key`; nothing happens when it is absent."""
        ...

    async def aclose(self) -> None:
        """Release the store's resources."""
        ...


class MemorySessionStore:
    """Sessions in this process: the default, lost when the router stops."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[bytes, float]] = {}
        self._puts = 0

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= time.monotonic():
            del self._items[key]
            return None
        return item[0]

    async def put(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`, replacing what was there."""
        self._items[key] = (value, time.monotonic() + ttl_seconds)
        self._puts += 1
        # Sweeping now and then keeps abandoned sessions from piling up without a timer task.
        if self._puts % 1000 == 0:
            now = time.monotonic()
            for stale in [k for k, (_, expires) in self._items.items() if expires <= now]:
                del self._items[stale]

    async def delete(self, key: str) -> None:
        """Forget `key`; nothing happens when it is absent."""
        self._items.pop(key, None)

    async def aclose(self) -> None:
        """Forget every session."""
        self._items.clear()


class SqliteSessionStore:
    """Sessions in a SQLite file, for one router whose users stay signed in across restarts."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS sessions "
            "(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL NOT NULL)"
        )
        self._lock = threading.Lock()
        self._puts = 0

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`, replacing what was there."""
        await asyncio.to_thread(self._put, key, value, time.time() + ttl_seconds)

    async def delete(self, key: str) -> None:
        """Forget `key`; nothing happens when it is absent."""
        await asyncio.to_thread(self._execute, "DELETE FROM sessions WHERE key = ?", (key,))

    async def aclose(self) -> None:
        """Close the database file."""
        with self._lock:
            self._connection.close()

    def _get(self, key: str) -> bytes | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT value FROM sessions WHERE key = ? AND expires > ?", (key, time.time())
            ).fetchone()
        return bytes(row[0]) if row is not None else None

    def _put(self, key: str, value: bytes, expires: float) -> None:
        with self._lock:
            self._connection.execute(
                "INSERT OR REPLACE INTO sessions (key, value, expires) VALUES (?, ?, ?)",
                (key, value, expires),
            )
            self._puts += 1
            if self._puts % 1000 == 0:
                self._connection.execute("DELETE FROM sessions WHERE expires <= ?", (time.time(),))

    def _execute(self, statement: str, parameters: tuple[str, ...]) -> None:
        with self._lock:
            self._connection.execute(statement, parameters)
