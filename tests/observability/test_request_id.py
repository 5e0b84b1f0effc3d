"""Request ids: echoed to the caller, forwarded to the subgraphs, written on every log line."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import JsonFormatter
from renku_fed.observability.request_id import RequestIdFilter, RequestIdMiddleware
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
QUERY = {"query": "{ projects(first: 1) { totalCount } }"}


async def _ask_router(verifier: TokenVerifier, headers: dict[str, str]) -> tuple[str, list[str]]:
    """The response's request id, and the ids the projects subgraph was sent."""
    seen: list[str] = []

    def projects(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-request-id", ""))
        return httpx.Response(200, json={"data": {"projects": {"totalCount": 3}}})

    app = create_router_app(
        RouterSettings(),
        Supergraph.parse(SUPERGRAPH.read_text()),
        verifier,
        transport=httpx.MockTransport(projects),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        response = await client.post("/graphql", json=QUERY, headers=headers)
    assert response.json() == {"data": {"projects": {"totalCount": 3}}}
    return response.headers["x-request-id"], seen


async def test_the_callers_id_is_echoed_and_forwarded(verifier: TokenVerifier) -> None:
    echoed, seen = await _ask_router(verifier, {"x-request-id": "trace-42.a:b"})
    assert echoed == "trace-42.a:b"
    assert seen == ["trace-42.a:b"]


@pytest.mark.parametrize("given", [None, "x" * 129, "has space", 'quote"d'])
async def test_a_missing_or_unsafe_id_is_replaced(
    verifier: TokenVerifier, given: str | None
) -> None:
    headers = {} if given is None else {"x-request-id": given}
    echoed, seen = await _ask_router(verifier, headers)
    assert echoed != given
    assert len(echoed) == 32
    assert int(echoed, 16) >= 0
    assert seen == [echoed]


async def test_log_lines_written_during_a_request_carry_its_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    async def endpoint(_: Request) -> PlainTextResponse:
        logger.info("inside")
        return PlainTextResponse("ok")

    app = RequestIdMiddleware(Starlette(routes=[Route("/", endpoint)]))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            await client.get("/", headers={"x-request-id": "req-1"})
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = (orjson.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "inside"
    assert inside["request_id"] == "req-1"
    assert "request_id" not in outside
