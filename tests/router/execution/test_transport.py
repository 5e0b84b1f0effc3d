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


class Counting:
    """A slow subgraph that counts the calls it answers."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Answer after a moment, so that concurrent calls overlap."""
        self.calls += 1
        await asyncio.sleep(0.1)
        return web.json_response({"data": {"n": self.calls}})


@pytest.mark.parametrize(
    ("deduplicate", "query", "tokens", "calls"),
    [
        (True, True, ["a", "a", "a"], 1),
        (True, True, ["a", "b", "a"], 2),
        (True, False, ["a", "a", "a"], 3),
        (False, True, ["a", "a", "a"], 3),
    ],
)
async def test_identical_queries_in_flight_share_one_call(
    deduplicate: bool, query: bool, tokens: list[str], calls: int
) -> None:
    counting = Counting()
    app = web.Application()
    app.router.add_post("/graphql", counting.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/graphql"))
    transport = SubgraphTransport({"a": url}, timeout_seconds=5, deduplicate=deduplicate)
    body = b'{"query":"{ n }","variables":{}}'
    try:
        answers = await asyncio.gather(
            *(
                transport.send(
                    "a",
                    body,
                    {"authorization": f"Bearer {token}", "x-request-id": str(i)},
                    query=query,
                )
                for i, token in enumerate(tokens)
            )
        )
    finally:
        await transport.aclose()
        await server.close()

    assert counting.calls == calls
    # Each caller decodes its own copy: merging into one never changes another's.
    assert len({id(answer.data) for answer in answers}) == len(tokens)
