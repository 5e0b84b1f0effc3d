"""The token bucket and its in-process store, on a clock the test moves."""

from __future__ import annotations

from renku_fed.router.limits import InMemoryBucketStore, RateLimiter, client_key


async def test_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    store = InMemoryBucketStore()

    taken = [await store.take("c", rate=2.0, burst=3, now=0.0) for _ in range(4)]
    after_quarter = await store.take("c", rate=2.0, burst=3, now=0.25)
    after_long_wait = [await store.take("c", rate=2.0, burst=3, now=100.0) for _ in range(4)]

    assert taken == [0.0, 0.0, 0.0, 0.5]
    assert after_quarter == 0.25
    assert after_long_wait == [0.0, 0.0, 0.0, 0.5]


async def test_retry_after_is_rounded_up_to_whole_seconds() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=0.4, burst=1, clock=lambda: now[0])

    assert await limiter.acquire("c") == 0
    assert await limiter.acquire("c") == 3
    now[0] = 2.5
    assert await limiter.acquire("c") == 0


async def test_the_least_recently_seen_client_is_forgotten_beyond_the_bound() -> None:
    store = InMemoryBucketStore(max_clients=2)
    for client in ("a", "b", "a", "c"):
        await store.take(client, rate=0.001, burst=1, now=0.0)

    # "a" was seen again after "b", so "b" went when "c" came: it starts over with a full bucket.
    assert await store.take("b", rate=0.001, burst=1, now=0.0) == 0.0
    assert await store.take("c", rate=0.001, burst=1, now=0.0) > 0.0


def test_client_key_prefers_the_user_then_the_proxy_then_the_peer() -> None:
    assert client_key("ann", "10.0.0.1", "1.2.3.4") == "user:ann"
    assert client_key(None, "10.0.0.1", "6.6.6.6, 1.2.3.4") == "ip:1.2.3.4"
    assert client_key(None, "10.0.0.1", None) == "ip:10.0.0.1"
