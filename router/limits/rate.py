"""Per-client rate limiting: a token bucket per client, kept in a pluggable store."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from cachetools import LRUCache

from renku_fed.router.errors import ErrorCode
from renku_fed.router.limits.errors import LimitExceeded


class BucketStore(Protocol):
    """Where the buckets live; one atomic take per request (a Redis script can implement it)."""

    async def take(self, key: str, rate: float, burst: int, now: float) -> float:
        """Take one token from `key`'s bucket: 0 when taken, else seconds until one is there."""
        ...


class InMemoryBucketStore:
    """Buckets in this process, the least recently used forgotten beyond `max_clients`.

    A forgotten client starts again with a full bucket, the generous side of the error.
    """

    def __init__(self, max_clients: int = 100_000) -> None:
        self._buckets: LRUCache[str, tuple[float, float]] = LRUCache(max_clients)

    async def take(self, key: str, rate: float, burst: int, now: float) -> float:
        """Refill for the time elapsed, then take one token if there is one."""
        tokens, updated = self._buckets.get(key) or (float(burst), now)
        tokens = min(float(burst), tokens + max(now - updated, 0.0) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate
        self._buckets[key] = (tokens, now)
        return wait


class RateLimiter:
    """Admits `rate` requests per second per client on average, `burst` at once."""

    def __init__(
        self,
        rate: float,
        burst: int,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._store = store or InMemoryBucketStore()
        self._clock = clock

    async def acquire(self, client: str) -> int:
        """Whole seconds the client should wait before retrying; 0 when the request may run."""
        wait = await self._store.take(client, self._rate, self._burst, self._clock())
        return math.ceil(wait) if wait > 0 else 0

    def exceeded(self, retry_after: int) -> LimitExceeded:
        """The error of a refused request."""
        return LimitExceeded(
            ErrorCode.RATE_LIMITED,
            "rate_per_second",
            self._rate,
            f"Too many requests: at most {self._rate:g} per second (bursts of {self._burst}) "
            f"per client; retry in {retry_after} s.",
        )


def client_key(subject: str | None, peer: str | None, forwarded: str | None) -> str:
    """Whose bucket a request takes from: the user when authenticated, else the client IP.

    `forwarded` is the trusted proxy's header; its last entry is the address the proxy saw.
    """
    if subject:
        return f"user:{subject}"
    if forwarded:
        return "ip:" + forwarded.rsplit(",", 1)[-1].strip()
    return f"ip:{peer or 'unknown'}"
