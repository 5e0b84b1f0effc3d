"""The router-to-subgraph secret on the router's subscription WebSockets: a subgraph that has a
secret knows the router's subscription by it, and refuses the federation fields to a socket
without it, as it does over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import aiohttp
import pytest
import strawberry

from renku_fed.identity.subgraph_secret import HEADER, VARIABLE
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.subscriptions.upstream import subgraph_events
from renku_fed.subgraphs.common.app import create_subgraph_app
from tests.router.subscriptions.test_websocket_protocol import opened, received, send
from tests.support.subscriptions.platform import served

SECRET = "ws-secret-for-tests"


@strawberry.type
class Query:
    """A subgraph needs a query root."""

    @strawberry.field
    def ping(self) -> str:
        """A constant answer."""
        return "pong"


@strawberry.type
class Subscription:
    """One event telling whether the socket's caller held the secret."""

    @strawberry.subscription
    async def holds_secret(self, info: strawberry.Info) -> AsyncGenerator[bool, None]:
        """Whether the subgraph's check of the upgrade's secret header passed."""
        yield bool(info.context.federation)


SCHEMA = strawberry.federation.Schema(query=Query, subscription=Subscription)


@pytest.fixture
async def subgraph(verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The subgraph's GraphQL URL, served with the secret configured (as is the router)."""
    monkeypatch.setenv(VARIABLE, SECRET)
    app = create_subgraph_app(service="tiny", schema=SCHEMA, backend=None, verifier=verifier)
    async with served(app) as url:
        yield f"{url}/graphql"


async def events(url: str, query: str, **headers: str) -> list[dict[str, Any]]:
    """Every `next` payload the subgraph sends the router's client for `query`."""
    async with aiohttp.ClientSession() as session:
        stream = subgraph_events(session, url, {"query": query}, headers, 5)
        return [event async for event in stream]


async def test_the_subgraph_knows_the_routers_subscription_by_its_secret(
    subgraph: str, verifier: TokenVerifier
) -> None:
    settings = RouterSettings(subgraphs={"tiny": subgraph}, startup_timeout_seconds=5)
    app = create_router_app(settings, None, verifier)
    async with served(app) as url, opened(url.replace("http", "ws", 1) + "/graphql") as client:
        await send(client, {"type": "connection_init"})
        assert await received(client) == {"type": "connection_ack"}
        subscribe = {"query": "subscription { holdsSecret }"}
        await send(client, {"id": "1", "type": "subscribe", "payload": subscribe})
        answer = await asyncio.wait_for(received(client), 5)

    assert answer == {"id": "1", "type": "next", "payload": {"data": {"holdsSecret": True}}}


async def test_a_socket_without_the_secret_is_refused_the_federation_fields(
    subgraph: str,
) -> None:
    refused = await events(subgraph, "{ _service { sdl } }")
    wrong = await events(subgraph, "{ _service { sdl } }", **{HEADER: "wrong"})
    admitted = await events(subgraph, "{ _service { sdl } }", **{HEADER: SECRET})
    plain = await events(subgraph, "subscription { holdsSecret }")

    for answer in (refused, wrong):
        assert answer[0]["data"] is None
        assert answer[0]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "holdsSecret" in admitted[0]["data"]["_service"]["sdl"]
    assert plain == [{"data": {"holdsSecret": False}}]
