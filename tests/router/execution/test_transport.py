"""Subgraph transport over the network (aiohttp): answers, headers, cookies, failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from renku_fed.router.execution import SubgraphRequestError, SubgraphTransport

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Recorder:
    """A subgraph that records each request's headers and answers with `handler`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.headers: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record the headers, then answer."""
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        return await self.handler(request)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[tuple[str, Recorder]]]]:
    servers: list[TestServer] = []

    async def start(handler: Handler) -> tuple[str, Recorder]:
        recorder = Recorder(handler)
        app = web.Application()
        app.router.add_post("/graphql", recorder.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/graphql")), recorder

    yield start
    for server in servers:
        await server.close()


async def _echo(request: web.Request) -> web.Response:
    body = orjson.loads(await request.read())
    data = {"echo": body["variables"], "query": body["query"]}
    return web.Response(
        body=orjson.dumps({"data": data}),
        content_type="application/json",
        headers={"set-cookie": "session=abc; Path=/"},
    )


async def test_answers_forward_headers_and_never_replay_cookies(serve: Any) -> None:
    url, recorder = await serve(_echo)
    transport = SubgraphTransport({"a": url}, timeout_seconds=5)
    try:
        body = b'{"query":"{ x }","variables":{"n":1}}'
        first = await transport.send("a", body, {"authorization": "Bearer t"})
        await transport.send("a", body, {})
    finally:
        await transport.aclose()

    assert first.data == {"echo": {"n": 1}, "query": "{ x }"}
    assert recorder.headers[0]["authorization"] == "Bearer t"
    assert recorder.headers[0]["content-type"] == "application/json"
    assert "cookie" not in recorder.headers[1]
    assert "authorization" not in recorder.headers[1]


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({"data": {}})


async def _bad_gateway(request: web.Request) -> web.Response:
    return web.Response(status=502, text="bad gateway")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPTemporaryRedirect("/elsewhere")


@pytest.mark.parametrize(
    ("handler", "code"),
    [
        (_slow, "SUBGRAPH_TIMEOUT"),
        (_bad_gateway, "SUBGRAPH_HTTP_ERROR"),
        (_redirect, "SUBGRAPH_HTTP_ERROR"),
    ],
)
async def test_failures_have_their_code(serve: Any, handler: Handler, code: str) -> None:
    url, _ = await serve(handler)
    transport = SubgraphTransport({"a": url}, timeout_seconds=0.3)
    try:
        with pytest.raises(SubgraphRequestError) as raised:
            await transport.send("a", b'{"query":"{ x }"}', {})
    finally:
        await transport.aclose()

    assert raised.value.code == code


async def test_a_closed_port_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = SubgraphTransport({"a": f"http://127.0.0.1:{port}/graphql"}, timeout_seconds=5)
    try:
        with pytest.raises(SubgraphRequestError) as raised:
            await transport.send("a", b'{"query":"{ x }"}', {})
    finally:
        await transport.aclose()

    assert raised.value.code == "SUBGRAPH_UNAVAILABLE"
    assert "ClientConnectorError" in raised.value.message
