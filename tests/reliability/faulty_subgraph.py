"""One of the fake subgraphs served over real HTTP by aiohttp, with a fault the test switches on.

Run as `python -m tests.reliability.faulty_subgraph NAME PORT` it serves the fake subgraph NAME
on 127.0.0.1:PORT until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

import httpx
from aiohttp import web

from tests.support.fake_subgraphs import FakeSubgraphs

Fault = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def slow(_: web.Request) -> web.StreamResponse:
    """Answer only after a long while."""
    await asyncio.sleep(30)
    return web.json_response({"data": None})


async def invalid_json(_: web.Request) -> web.StreamResponse:
    """A body cut in the middle."""
    return web.Response(body=b'{"data": {"me": ', content_type="application/json")


async def wrong_shape(_: web.Request) -> web.StreamResponse:
    """JSON that is no GraphQL response."""
    return web.json_response([1, 2, 3])


async def wrong_field_type(_: web.Request) -> web.StreamResponse:
    """A GraphQL response whose value does not fit the field's type."""
    return web.json_response({"data": {"me": "not an object"}})


async def closes_connection(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer."""
    assert request.transport is not None
    request.transport.close()
    raise ConnectionResetError("closed by the faulty subgraph")


FAULTS: dict[str, Fault] = {
    "slow": slow,
    "invalid_json": invalid_json,
    "wrong_shape": wrong_shape,
    "wrong_field_type": wrong_field_type,
    "closes_connection": closes_connection,
}


class FaultySubgraph:
    """The fake subgraph `name`, answering through `fault` while it is set."""

    def __init__(self, name: str, fakes: FakeSubgraphs | None = None) -> None:
        self.name = name
        self.fakes = fakes or FakeSubgraphs()
        self.fault: Fault | None = None
        self.received = 0

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/graphql", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer with the fault, or as the fake subgraph does."""
        self.received += 1
        if self.fault is not None:
            return await self.fault(request)
        forwarded = httpx.Request(
            "POST", f"http://{self.name}/graphql", content=await request.read()
        )
        answer = await self.fakes.transport.handle_async_request(forwarded)
        await answer.aread()
        return web.Response(
            status=answer.status_code, body=answer.content, content_type="application/json"
        )


def main() -> None:
    """Serve `argv[1]` on 127.0.0.1:`argv[2]`."""
    name, port = sys.argv[1], int(sys.argv[2])
    web.run_app(FaultySubgraph(name).app(), host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
