"""`/readyz`: ready once a supergraph is loaded and every subgraph it routes to answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from renku_fed.router.supergraph import Supergraph

PROBE_TIMEOUT_SECONDS = 2.0
# The smallest operation every GraphQL server answers.
PROBE = {"query": "{ __typename }"}


async def probe(client: httpx.AsyncClient, url: str) -> str:
    """ "ok" when the subgraph at `url` answers a GraphQL request, else why not."""
    try:
        response = await client.post(url, json=PROBE, timeout=PROBE_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        return f"unreachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return "ok"


def readiness_route(
    supergraph: Callable[[], Supergraph | None],
    transport: httpx.AsyncBaseTransport | None = None,
) -> Route:
    """GET /readyz: 200 with each subgraph's state when all answer, else 503 with the same."""

    async def readyz(_: Request) -> JSONResponse:
        current = supergraph()
        if current is None:
            return JSONResponse({"status": "starting", "supergraph": None}, 503)
        names = list(current.subgraphs)
        async with httpx.AsyncClient(transport=transport) as client:
            states = await asyncio.gather(
                *(probe(client, current.subgraphs[name].url) for name in names)
            )
        subgraphs = dict(zip(names, states, strict=True))
        ready = all(state == "ok" for state in states)
        body = {
            "status": "ready" if ready else "unavailable",
            "supergraph": current.version,
            "subgraphs": subgraphs,
        }
        return JSONResponse(body, 200 if ready else 503)

    return Route("/readyz", readyz, methods=["GET"])
