"""The router's WebSocket subscriptions against a subgraph that sends the events a test queues:
what the router sends the subgraph, what a supergraph reload does, and the rate limit."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability import tracing
from renku_fed.router.http import create_router_app
from renku_fed.router.limits import RateLimiter
from renku_fed.router.settings import RouterSettings
from renku_fed.router.subscriptions.service import RELOADED
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from tests.router.subscriptions.test_websocket_protocol import (
    FOLLOW,
    SUPERGRAPH,
    opened,
    received,
    send,
    token,
)
from tests.support.subscriptions.platform import served

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
SUBSCRIBE = {"type": "subscribe", "payload": {"query": FOLLOW, "variables": {"id": "S"}}}


class StreamingSubgraph:
    """A subgraph's graphql-transport-ws endpoint: each queued payload goes out as `next`."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.upgrades: list[dict[str, str]] = []
        self.closed = asyncio.Event()

    async def serve(self, socket: WebSocket) -> None:
        """Acknowledge, take one subscription, and stream until the router leaves."""
        self.upgrades.append(dict(socket.headers))
        await socket.accept("graphql-transport-ws")
        try:
            await socket.receive_json()
            await socket.send_json({"type": "connection_ack"})
            subscribe = await socket.receive_json()
            gone = asyncio.ensure_future(socket.receive())
            while not gone.done():
                event = asyncio.ensure_future(self.events.get())
                await asyncio.wait({gone, event}, return_when=asyncio.FIRST_COMPLETED)
                if event.done():
                    payload = event.result()
                    await socket.send_json(
                        {"id": subscribe["id"], "type": "next", "payload": payload}
                    )
                else:
                    event.cancel()
        except WebSocketDisconnect:
            pass
        finally:
            self.closed.set()


def event(state: str) -> dict[str, Any]:
    """A sessionChanged event as the sessions subgraph sends it."""
    return {"data": {"sessionChanged": {"__typename": "Session", "id": "S", "state": state}}}


@pytest.fixture
async def subgraph() -> AsyncIterator[tuple[StreamingSubgraph, str]]:
    fake = StreamingSubgraph()
    app = Starlette(routes=[WebSocketRoute("/graphql", fake.serve)])
    async with served(app) as url:
        yield fake, f"{url}/graphql"


@pytest.fixture
def supergraph_file(tmp_path: Path, subgraph: tuple[StreamingSubgraph, str]) -> Path:
    """The platform's supergraph with every subgraph at the streaming one, in a watched file."""
    pattern = r'(@join__graph\(name: "\w+", url: )"[^"]*"'
    path = tmp_path / "supergraph.graphql"
    path.write_text(re.sub(pattern, rf'\1"{subgraph[1]}"', SUPERGRAPH.read_text()))
    return path


@contextlib.asynccontextmanager
async def router(
    supergraph_file: Path, verifier: TokenVerifier, limiter: RateLimiter | None = None
) -> AsyncIterator[str]:
    settings = RouterSettings(
        supergraph_path=supergraph_file,
        supergraph_poll_seconds=0.05,
        subscriptions=SubscriptionSettings(heartbeat_seconds=5),
    )
    app = create_router_app(settings, None, verifier, rate_limiter=limiter)
    async with served(app) as url:
        yield url


@contextlib.asynccontextmanager
async def acknowledged(url: str, **headers: str) -> AsyncIterator[ClientConnection]:
    """A client socket to the router at `url`, its connection acknowledged."""
    async with opened(url.replace("http", "ws", 1) + "/graphql", **headers) as client:
        await send(client, {"type": "connection_init"})
        assert await received(client) == {"type": "connection_ack"}
        yield client


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    assert tracing.configure_tracing("router", memory)
    yield memory
    tracing.disable_tracing()


async def test_the_request_id_and_traceparent_reach_the_subgraph(
    subgraph: tuple[StreamingSubgraph, str],
    supergraph_file: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
    exporter: InMemorySpanExporter,
) -> None:
    fake, _ = subgraph
    headers = {**token(dev_issuer), "X-Request-ID": "sub-42", "traceparent": TRACEPARENT}
    async with router(supergraph_file, verifier) as url, acknowledged(url, **headers) as client:
        await send(client, {**SUBSCRIBE, "id": "1"})
        fake.events.put_nowait(event("RUNNING"))
        answer = await received(client)
    assert answer["payload"]["data"]["sessionChanged"]["state"] == "RUNNING"
    upgrade = fake.upgrades[0]
    assert upgrade["x-request-id"] == "sub-42"
    assert upgrade["traceparent"].split("-")[1] == TRACE_ID
    assert upgrade["authorization"] == headers["Authorization"]


async def test_a_reload_ends_an_open_subscription_at_its_next_event(
    subgraph: tuple[StreamingSubgraph, str],
    supergraph_file: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
) -> None:
    fake, _ = subgraph
    signed_in = token(dev_issuer)
    async with router(supergraph_file, verifier) as url, acknowledged(url, **signed_in) as client:
        await send(client, {**SUBSCRIBE, "id": "1"})
        fake.events.put_nowait(event("STARTING"))
        before = await received(client)
        await reload(url, supergraph_file)
        assert not fake.closed.is_set()  # nothing ends before the next event
        fake.events.put_nowait(event("RUNNING"))
        after = await received(client)
        await asyncio.wait_for(fake.closed.wait(), 5)
    assert before["type"] == "next"
    assert (after["id"], after["type"]) == ("1", "error")
    assert [e["message"] for e in after["payload"]] == [RELOADED]


async def reload(url: str, supergraph_file: Path) -> None:
    """Change the supergraph file and wait until the router serves the new version."""
    async with httpx.AsyncClient(base_url=url) as http:
        served_version = (await http.get("/healthz")).json()["supergraph"]
        supergraph_file.write_text(supergraph_file.read_text() + "\n# reloaded\n")
        async with asyncio.timeout(5):
            while (await http.get("/healthz")).json()["supergraph"] == served_version:
                await asyncio.sleep(0.02)


async def test_websocket_subscriptions_share_the_http_rate_limit(
    subgraph: tuple[StreamingSubgraph, str],
    supergraph_file: Path,
    verifier: TokenVerifier,
    dev_issuer: DevIssuer,
) -> None:
    limiter = RateLimiter(rate=0.01, burst=1)
    signed_in = token(dev_issuer)
    async with (
        router(supergraph_file, verifier, limiter) as url,
        acknowledged(url, **signed_in) as client,
    ):
        await send(client, {**SUBSCRIBE, "id": "a"})
        await send(client, {**SUBSCRIBE, "id": "b"})
        refused = await received(client)
        async with httpx.AsyncClient(base_url=url) as http:
            query = await http.post("/graphql", json={"query": "{ __typename }"}, headers=signed_in)
    assert (refused["id"], refused["type"]) == ("b", "error")
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert query.status_code == 429
