"""`_entities` and `_service` answer only a caller with the router-to-subgraph secret, when one is
configured: the router's transport and composition send it, `renku-fed up` makes it."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from renku_fed.cli.up import SUBGRAPH_SECRET_FILE, PlatformLayout
from renku_fed.identity.subgraph_secret import HEADER, VARIABLE
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.composition.sources import fetch_subgraph_sdl
from renku_fed.router.execution import SubgraphTransport
from renku_fed.subgraphs.users.app import build_app
from renku_fed.subgraphs.users.settings import UsersSettings

SECRET = "s3cret-for-tests"
URL = "http://users/graphql"
SERVICE = "{ _service { sdl } }"
HIDDEN = "query { ...F } fragment F on Query { _entities(representations: []) { __typename } }"


@pytest.fixture
async def users(
    tmp_path: Path, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The users subgraph, started with the secret configured."""
    monkeypatch.setenv(VARIABLE, SECRET)
    app = build_app(UsersSettings(data_dir=tmp_path), verifier, httpx.AsyncClient())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
    ):
        yield client


async def post(client: httpx.AsyncClient, query: str, **headers: str) -> dict[str, Any]:
    """The JSON answer to `query`."""
    response = await client.post(URL, json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("query", [SERVICE, HIDDEN])
@pytest.mark.parametrize("sent", [None, "wrong"])
async def test_federation_fields_are_refused_without_the_secret(
    users: httpx.AsyncClient, query: str, sent: str | None
) -> None:
    body = await post(users, query, **({HEADER: sent} if sent else {}))

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert VARIABLE in body["errors"][0]["message"]


async def test_the_secret_opens_them_and_other_fields_need_none(users: httpx.AsyncClient) -> None:
    opened = await post(users, SERVICE, **{HEADER: SECRET})
    plain = await post(users, "{ __typename }")

    assert "type Query" in opened["data"]["_service"]["sdl"]
    assert plain == {"data": {"__typename": "Query"}}


async def test_composition_fetches_the_sdl_with_the_secret(users: httpx.AsyncClient) -> None:
    sdl = await fetch_subgraph_sdl(users, URL)

    assert "type Query" in sdl


async def test_without_a_configured_secret_they_stay_open(
    tmp_path: Path, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    app = build_app(UsersSettings(data_dir=tmp_path), verifier, httpx.AsyncClient())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
    ):
        body = await post(client, SERVICE)

    assert "type Query" in body["data"]["_service"]["sdl"]


async def test_the_router_sends_the_secret_over_any_forwarded_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str | None] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.headers.get(HEADER))
        return web.json_response({"data": {}})

    app = web.Application()
    app.router.add_post("/graphql", record)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    monkeypatch.setenv(VARIABLE, SECRET)
    transport = SubgraphTransport({"a": str(server.make_url("/graphql"))}, timeout_seconds=5)
    try:
        await transport.send("a", b'{"query":"{ x }"}', {HEADER: "from-a-client"})
    finally:
        await transport.aclose()
        await server.close()

    assert seen == [SECRET]


def test_up_gives_every_service_one_secret_kept_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)

    secrets = {layout.environment(s, False)[VARIABLE] for s in layout.services}

    assert len(secrets) == 1 and len(secrets.pop()) >= 32
    assert stat.S_IMODE((tmp_path / SUBGRAPH_SECRET_FILE).stat().st_mode) == 0o600
