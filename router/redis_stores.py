"""Browser sessions and rate buckets in Redis, shared by several router replicas."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from renku_fed.router.settings import RouterSettings

# Read, refill, take and write back in one step: a Lua script runs with no other command in
# between, so two replicas taking from the same bucket at once cannot both get its last token,
# which a GET then SET from Python would allow. The clock is the server's (TIME), because the
# replicas' monotonic clocks are not comparable. An idle bucket expires once it would be full.
TAKE_TOKEN = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(bucket[1]) or burst
local updated = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(now - updated, 0) * rate)
local wait = 0
if tokens >= 1 then
    tokens = tokens - 1
else
    wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
    'updated', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format('%.17g', wait)
"""


T = TypeVar("T")
# Unless the URL says otherwise: a Redis that stops answering must not hold requests for long.
DEFAULT_TIMEOUT_SECONDS = 2.0


class StoreUnavailable(Exception):
    """Redis did not answer; the router answers 503 rather than guess."""


async def _answer(call: Awaitable[T]) -> T:
    try:
        return await call
    except RedisError as exc:
        raise StoreUnavailable(
            f"The router's session and rate-limit store (Redis) did not answer "
            f"({exc.__class__.__name__}); try again in a moment."
        ) from exc


def redis_client(settings: RouterSettings) -> Redis | None:
    """A client of `RENKU_FED_ROUTER_REDIS_URL` when a store is set to `redis`, else None."""
    if settings.redis_url is None or "redis" not in (
        settings.login.store,
        settings.limits.rate_store,
    ):
        return None
    return Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_timeout=DEFAULT_TIMEOUT_SECONDS,
        socket_connect_timeout=DEFAULT_TIMEOUT_SECONDS,
    )


class RedisSessionStore:
    """Sessions (already encrypted, under hashed keys) in Redis, each key expiring with its TTL."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        # Without decode_responses (as redis_client makes it) the client returns the bytes stored.
        return cast(bytes | None, await _answer(self._redis.get(self._prefix + key)))

    async def put(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`, replacing what was there."""
        # One SET with its expiry: a SET then EXPIRE could leave a session without one.
        ttl = max(1, round(ttl_seconds * 1000))
        await _answer(self._redis.set(self._prefix + key, value, px=ttl))

    async def delete(self, key: str) -> None:
        """Forget `key`; nothing happens when it is absent."""
        await _answer(self._redis.delete(self._prefix + key))

    async def aclose(self) -> None:
        """Nothing: the client is shared, and closed by whoever made it."""


class RedisBucketStore:
    """Token buckets in Redis, so that every replica takes from the same bucket per client."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._take = redis.register_script(TAKE_TOKEN)
        self._prefix = prefix

    async def take(self, key: str, rate: float, burst: int, now: float) -> float:
        """Take one token from `key`'s bucket on the server's clock (`now` is the caller's)."""
        wait = await _answer(self._take(keys=[self._prefix + key], args=[repr(rate), burst]))
        return float(wait)
