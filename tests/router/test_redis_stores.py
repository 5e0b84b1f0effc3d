"""The Redis session and bucket stores against a real Redis server, as several replicas use them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from redis.asyncio import Redis

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.auth import BrowserLogin, LoginSettings
from renku_fed.router.limits import LimitSettings, RateLimiter
from renku_fed.router.redis_stores import RedisBucketStore, RedisSessionStore
from renku_fed.router.settings import RouterSettings
from tests.support.router_client import RouterClient

pytest_plugins = ["tests.support.services.redis"]

Connect = Callable[[], Redis]


@pytest.fixture
async def connect(redis_url: str) -> AsyncIterator[Connect]:
    """Opens clients of the test server, one per replica, closed after the test."""
    clients: list[Redis] = []

    def open_client() -> Redis:
        clients.append(Redis.from_url(redis_url))
        return clients[-1]

    yield open_client
    for client in clients:
        await client.aclose()


async def test_session_store_puts_gets_deletes_and_expires(connect: Connect) -> None:
    redis = connect()
    store = RedisSessionStore(redis, "test:sessions:")
    await store.put("a", b"one", 60)
    await store.put("b", b"two", 0.3)
    await store.put("a", b"three", 60)
    assert await store.get("a") == b"three"
    assert 0 < await redis.pttl("test:sessions:b") <= 300
    await asyncio.sleep(1)
    assert await store.get("b") is None
    await store.delete("a")
    await store.delete("missing")
    assert await store.get("a") is None
    assert await redis.keys("*") == []


async def test_two_replicas_see_the_same_sessions(connect: Connect) -> None:
    first = RedisSessionStore(connect(), "test:sessions:")
    second = RedisSessionStore(connect(), "test:sessions:")
    other_deployment = RedisSessionStore(connect(), "other:sessions:")

    await first.put("session:x", b"sealed", 60)
    seen = await second.get("session:x")
    await second.delete("session:x")

    assert seen == b"sealed"
    assert await other_deployment.get("session:x") is None
    assert await first.get("session:x") is None


async def test_the_rate_limit_is_shared_between_replicas(connect: Connect) -> None:
    first = RateLimiter(rate=0.5, burst=3, store=RedisBucketStore(connect(), "test:rate:"))
    second = RateLimiter(rate=0.5, burst=3, store=RedisBucketStore(connect(), "test:rate:"))

    admitted = [await first.acquire("user:ann") for _ in range(3)]
    refused = await second.acquire("user:ann")
    other_client = await second.acquire("user:bob")

    assert admitted == [0, 0, 0]
    assert refused == 2
    assert other_client == 0


async def test_a_bucket_refills_and_an_idle_one_expires(connect: Connect) -> None:
    redis = connect()
    store = RedisBucketStore(redis, "test:rate:")

    assert await store.take("c", rate=4.0, burst=1, now=0.0) == 0.0
    assert 0.0 < await store.take("c", rate=4.0, burst=1, now=0.0) <= 0.25
    await asyncio.sleep(0.5)
    assert await store.take("c", rate=4.0, burst=1, now=0.0) == 0.0
    # Full again within 1/rate s; the key goes a second after that, as a full bucket.
    assert 0 < await redis.pttl("test:rate:c") <= 1250


async def test_concurrent_takes_never_grant_more_than_the_burst(connect: Connect) -> None:
    replicas = [RedisBucketStore(connect(), "test:rate:") for _ in range(3)]

    waits = await asyncio.gather(
        *(replicas[i % 3].take("ip:10.0.0.1", rate=0.001, burst=10, now=0.0) for i in range(90))
    )

    assert sum(1 for wait in waits if wait == 0.0) == 10


async def test_two_router_apps_sharing_redis_share_the_rate_limit(
    redis_url: str, router_client: RouterClient
) -> None:
    settings = RouterSettings(
        redis_url=SecretStr(redis_url),
        limits=LimitSettings(rate_store="redis", rate_per_second=0.01, rate_burst=2),
    )
    body = {"query": "{ __typename }"}
    async with router_client(settings) as first, router_client(settings) as second:
        admitted = [(await first.post("/graphql", json=body)).status_code for _ in range(2)]
        refused = await second.post("/graphql", json=body)

    assert admitted == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    client = Redis.from_url(redis_url)
    assert await client.keys("*") == [b"renku-fed:router:rate:ip:127.0.0.1"]
    await client.aclose()


async def test_redis_down_is_a_503_naming_the_store(router_client: RouterClient) -> None:
    settings = RouterSettings(
        redis_url=SecretStr("redis://127.0.0.1:9/0"),
        limits=LimitSettings(rate_store="redis"),
    )
    async with router_client(settings) as client:
        response = await client.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 503
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SESSION_STORE_UNAVAILABLE"
    assert "Redis" in error["message"]


def test_choosing_redis_without_its_url_fails_naming_the_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RENKU_FED_ROUTER_LOGIN_STORE", "redis")
    with pytest.raises(ValidationError) as login_only:
        RouterSettings()
    monkeypatch.setenv("RENKU_FED_ROUTER_LIMITS_RATE_STORE", "redis")
    with pytest.raises(ValidationError) as both:
        RouterSettings()
    monkeypatch.setenv("RENKU_FED_ROUTER_REDIS_URL", "redis://:s3cret@redis.example:6379/0")
    settings = RouterSettings()

    needed = "RENKU_FED_ROUTER_REDIS_URL must be set with RENKU_FED_ROUTER_LOGIN_STORE=redis"
    assert needed in str(login_only.value)
    assert "LOGIN_STORE=redis and RENKU_FED_ROUTER_LIMITS_RATE_STORE=redis" in str(both.value)
    assert settings.login.store == settings.limits.rate_store == "redis"
    assert "s3cret" not in repr(settings)
    with pytest.raises(ValidationError, match="memory"):
        LimitSettings(rate_store="etcd")  # type: ignore[arg-type]


def test_a_browser_login_outside_the_app_needs_its_redis_store_passed_in(
    tmp_path: Path, auth_settings: AuthSettings, verifier: TokenVerifier
) -> None:
    settings = LoginSettings(client_id="renku", store="redis", data_dir=tmp_path)
    with pytest.raises(ValueError, match="create_router_app"):
        BrowserLogin(settings, auth_settings, verifier)
