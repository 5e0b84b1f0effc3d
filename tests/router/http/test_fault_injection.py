"""A broken subgraph costs its part of the answer, with errors, never the others' data or a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs

QUERY = "{ me { name } topProducts(first: 2) { upc } }"
Fault = Callable[[httpx.Request], Awaitable[httpx.Response]]


async def _invalid_json(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'{"data": {"me": ', request=request)


async def _wrong_shape(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[1, 2, 3], request=request)


async def _wrong_field_type(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": {"me": "not an object"}}, request=request)


async def _closes_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("server disconnected without a response", request=request)


async def _server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, text="Internal Server Error", request=request)


async def _slow(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(5)
    return httpx.Response(200, json={"data": None}, request=request)


@pytest.mark.parametrize(
    "fault",
    [_invalid_json, _wrong_shape, _wrong_field_type, _closes_connection, _server_error, _slow],
)
async def test_the_other_subgraphs_data_survives_a_broken_one(
    supergraph: Supergraph, verifier: TokenVerifier, fault: Fault
) -> None:
    fakes = FakeSubgraphs()
    healthy = fakes.transport

    broken = True

    async def handle(request: httpx.Request) -> httpx.Response:
        if broken and request.url.host == "accounts":
            return await fault(request)
        return await healthy.handle_async_request(request)

    settings = RouterSettings(subgraph_timeout_seconds=0.5)
    app = create_router_app(settings, supergraph, verifier, transport=httpx.MockTransport(handle))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        response = await client.post("/graphql", json={"query": QUERY})
        broken = False
        recovered = await client.post("/graphql", json={"query": QUERY})

    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["data"]["topProducts"]) == 2
    assert body["data"]["me"] is None
    assert body["errors"] and all("Traceback" not in e["message"] for e in body["errors"])
    assert recovered.json() == {
        "data": {"me": {"name": "Ann"}, "topProducts": body["data"]["topProducts"]}
    }
