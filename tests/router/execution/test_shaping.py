"""Traffic shaping against real HTTP servers on 127.0.0.1: retries, concurrency, circuit breaker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import REGISTRY
from pydantic import ValidationError

from renku_fed.router.execution import SubgraphRequestError, SubgraphTransport
from renku_fed.router.execution.shaping import BreakerState, CircuitBreaker
from renku_fed.router.execution.shaping_settings import SubgraphShaping, TrafficShaping
from renku_fed.router.settings import RouterSettings

BODY = b'{"query":"{ n }"}'
ANSWER = b'{"data":{"n":1}}'


class ReusedConnectionCloser:
    """A raw HTTP/1.1 server that keeps connections alive but drops each one when it is reused.

    What a server does that closes an idle keep-alive connection just as the client sends on it:
    the client's request gets no answer (aiohttp's ServerDisconnectedError).
    """

    def __init__(self) -> None:
        self.received = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; the GraphQL URL."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/graphql"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                await reader.readexactly(length)
                self.received += 1
                if answered:
                    break
                answered += 1
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"connection: keep-alive\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(ANSWER), ANSWER)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def close(self) -> None:
        """Stop listening."""
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


class Subgraph:
    """An aiohttp subgraph that answers with `status` after `delay`, counting what it received."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.received = 0
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Count, wait, answer."""
        self.received += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        if self.status != 200:
            return web.Response(status=self.status, text="unavailable")
        return web.Response(body=ANSWER, content_type="application/json")


@pytest.fixture
async def subgraph() -> AsyncIterator[tuple[str, Subgraph]]:
    state = Subgraph()
    app = web.Application()
    app.router.add_post("/graphql", state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/graphql")), state
    await server.close()


def shaped(url: str, **policy: Any) -> SubgraphTransport:
    """A transport to subgraph `a` at `url` with `policy` for all subgraphs."""
    shaping = TrafficShaping(all=SubgraphShaping(retry_min_seconds=0.01, **policy))
    return SubgraphTransport({"a": url}, timeout_seconds=5, shaping=shaping)


def sample(name: str, **labels: str) -> float:
    """A metric's current value (0 when never set)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(("query", "received", "answered"), [(True, 3, True), (False, 2, False)])
async def test_a_query_is_retried_after_a_reset_keep_alive_connection_a_mutation_never(
    query: bool, received: int, answered: bool
) -> None:
    server = ReusedConnectionCloser()
    transport = shaped(await server.start())
    retries = sample("renku_fed_router_subgraph_retries_total", subgraph="a")
    try:
        await transport.send("a", BODY, {}, query=True)
        if answered:
            second = await transport.send("a", BODY, {}, query=query)
            assert second.data == {"n": 1}
        else:
            with pytest.raises(SubgraphRequestError) as raised:
                await transport.send("a", BODY, {}, query=query)
            assert raised.value.code == "SUBGRAPH_UNAVAILABLE"
            assert "ServerDisconnectedError" in raised.value.message
    finally:
        await transport.aclose()
        await server.close()

    assert server.received == received
    added = sample("renku_fed_router_subgraph_retries_total", subgraph="a") - retries
    assert added == (1 if query else 0)


async def test_a_query_answered_503_is_retried_until_the_attempts_are_spent(
    subgraph: tuple[str, Subgraph],
) -> None:
    url, state = subgraph
    state.status = 503
    transport = shaped(url, retry_attempts=2, breaker_failures=0)
    try:
        with pytest.raises(SubgraphRequestError) as raised:
            await transport.send("a", BODY, {}, query=True)
    finally:
        await transport.aclose()

    assert raised.value.code == "SUBGRAPH_HTTP_ERROR"
    assert state.received == 3


async def test_the_concurrency_limit_queues_then_fails_with_overloaded(
    subgraph: tuple[str, Subgraph],
) -> None:
    url, state = subgraph
    state.delay = 0.3
    patient = shaped(url, max_concurrency=1, queue_timeout_seconds=5)
    hasty = shaped(url, max_concurrency=1, queue_timeout_seconds=0.1)
    try:
        queued = await asyncio.gather(*(patient.send("a", BODY, {}) for _ in range(3)))
        outcomes = await asyncio.gather(
            *(hasty.send("a", BODY, {}) for _ in range(2)), return_exceptions=True
        )
    finally:
        await patient.aclose()
        await hasty.aclose()

    assert [answer.data for answer in queued] == [{"n": 1}] * 3
    assert state.most_in_flight == 1
    failures = [o for o in outcomes if isinstance(o, SubgraphRequestError)]
    assert [f.code for f in failures] == ["SUBGRAPH_OVERLOADED"]
    assert "1 requests in flight" in failures[0].message


async def test_the_breaker_opens_fails_fast_half_opens_and_closes(
    subgraph: tuple[str, Subgraph],
) -> None:
    url, state = subgraph
    state.status = 503
    transport = shaped(url, retry_attempts=0, breaker_failures=2, breaker_cooldown_seconds=0.3)
    try:
        for _ in range(2):
            with pytest.raises(SubgraphRequestError):
                await transport.send("a", BODY, {}, query=True)
        assert sample("renku_fed_router_subgraph_breaker_state", subgraph="a") == 2
        with pytest.raises(SubgraphRequestError) as fast:
            await transport.send("a", BODY, {}, query=True)
        assert state.received == 2
        state.status = 200
        await asyncio.sleep(0.35)
        back = await transport.send("a", BODY, {}, query=True)
    finally:
        await transport.aclose()

    assert fast.value.code == "SUBGRAPH_UNAVAILABLE"
    assert "stops calling it for 0.3 seconds" in fast.value.message
    assert back.data == {"n": 1}
    assert state.received == 3
    assert sample("renku_fed_router_subgraph_breaker_state", subgraph="a") == 0


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_probe_opens_the_breaker_again_and_only_one_probe_goes() -> None:
    clock = Clock()
    breaker = CircuitBreaker("b", SubgraphShaping(breaker_failures=1), clock)
    assert breaker.admit()
    breaker.record(True)
    assert breaker.state is BreakerState.OPEN
    clock.now = 10.0
    assert breaker.admit()
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.admit()
    breaker.record(True)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.admit()


def test_the_failure_rate_opens_the_breaker_without_consecutive_failures() -> None:
    policy = SubgraphShaping(breaker_failures=5, breaker_window=4, breaker_failure_rate=0.5)
    breaker = CircuitBreaker("c", policy, Clock())
    for failed in (False, True, False, True):
        assert breaker.admit()
        breaker.record(failed)

    assert breaker.state is BreakerState.OPEN


def test_a_cancelled_probe_lets_the_next_request_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker("d", SubgraphShaping(breaker_failures=1), clock)
    breaker.admit()
    breaker.record(True)
    clock.now = 10.0
    assert breaker.admit()
    breaker.record(None)

    assert breaker.admit()


def test_overrides_change_only_the_fields_they_set() -> None:
    shaping = TrafficShaping.model_validate(
        {"all": {"max_concurrency": 7}, "subgraphs": {"kg": {"timeout_seconds": 2}}}
    )

    kg = shaping.for_subgraph("kg")
    assert (kg.max_concurrency, kg.timeout_seconds) == (7, 2)
    assert shaping.for_subgraph("users").timeout_seconds is None


def test_the_setting_is_json_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "RENKU_FED_ROUTER_TRAFFIC_SHAPING", orjson.dumps({"all": {"retries": 3}}).decode()
    )
    with pytest.raises(ValidationError, match="retries"):
        RouterSettings()

    shaping = TrafficShaping(subgraphs={"nowhere": SubgraphShaping()})
    with pytest.raises(ValueError, match="names no subgraph of the supergraph: nowhere"):
        SubgraphTransport({"a": "http://127.0.0.1:1/graphql"}, timeout_seconds=1, shaping=shaping)


async def test_a_subgraph_override_sets_its_timeout(subgraph: tuple[str, Subgraph]) -> None:
    url, state = subgraph
    state.delay = 1.0
    shaping = TrafficShaping(subgraphs={"a": SubgraphShaping(timeout_seconds=0.2)})
    transport = SubgraphTransport({"a": url}, timeout_seconds=30, shaping=shaping)
    try:
        with pytest.raises(SubgraphRequestError) as raised:
            await transport.send("a", BODY, {}, query=True)
    finally:
        await transport.aclose()

    assert raised.value.code == "SUBGRAPH_TIMEOUT"
    assert "within 0.2 seconds" in raised.value.message
