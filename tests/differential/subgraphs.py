"""Subgraph doubles that refuse unprovided `@external` fields, served in-process and over HTTP."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from graphql import GraphQLError, GraphQLResolveInfo
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from renku_fed.router.planning.graph import provided_children
from renku_fed.router.planning.operation import OpItem, parse_selection
from renku_fed.router.supergraph import Supergraph
from tests.support.subgraph_doubles import SubgraphDoubles

PROVIDED = "__provided__"
HOST = "127.0.0.1"


def with_urls(supergraph_sdl: str, base: str) -> str:
    """The supergraph with every subgraph's URL pointing at `base/<subgraph name>`."""
    return re.sub(
        r'(@join__graph\(name: "([^"]+)", url: )"[^"]*"',
        lambda m: f'{m.group(1)}"{base}/{m.group(2)}"',
        supergraph_sdl,
    )


class StrictDoubles(SubgraphDoubles):
    """Doubles that answer an `@external` field only where a `@provides` or the
    representation supplies it, as a real subgraph (which has no data for it) would.
    """

    def __init__(self, supergraph: Supergraph) -> None:
        super().__init__(supergraph)
        self.graph_of = {id(schema): name for name, schema in self.schemas.items()}

    def _resolve(self, source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        if isinstance(source, dict) and info.field_name in source:
            return source[info.field_name]
        value = super()._resolve(source, info, **args)
        if info.field_name == "_entities":
            return value
        graph = self.graph_of[id(info.schema)]
        declared = self.model.field(info.parent_type.name, info.field_name)
        here = declared.graphs.get(graph) if declared is not None else None
        provided = self._provided(source, info.parent_type.name, info.field_name)
        if here is not None and here.external and provided is None:
            raise GraphQLError(
                f'{graph} cannot resolve the @external field "{info.parent_type.name}.'
                f'{info.field_name}" here (not provided)'
            )
        if here is not None and here.provides and provided is None:
            provided = parse_selection(here.provides)
        return _mark(value, provided) if provided else value

    def _provided(self, source: Any, type_name: str, field: str) -> tuple[OpItem, ...] | None:
        items = source.get(PROVIDED) if isinstance(source, dict) else None
        return None if items is None else provided_children(items, self.model, type_name, field)


def _mark(value: Any, provided: tuple[OpItem, ...]) -> Any:
    """The value with the provided sub-selection attached to each of its objects."""
    if isinstance(value, list):
        return [_mark(item, provided) for item in value]
    if isinstance(value, dict):
        return {**value, PROVIDED: provided}
    return value


def http_app(doubles: StrictDoubles) -> Starlette:
    """An ASGI app serving each subgraph at `/<name>`."""

    async def endpoint(request: Request) -> Response:
        name = request.path_params["name"]
        url = next(u for u, n in doubles.names.items() if n == name)
        answer = await doubles.transport.handle_async_request(
            httpx.Request("POST", url, content=await request.body())
        )
        await answer.aread()
        return Response(answer.content, media_type="application/json")

    return Starlette(routes=[Route("/{name}", endpoint, methods=["POST"])])


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve `app` on a free local port in a background thread; yields its base URL."""
    sock = socket.socket()
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
