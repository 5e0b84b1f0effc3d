"""The router serves the web front end and GraphiQL from its own files, never from a CDN."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from renku_fed.identity.settings import AuthSettings
from renku_fed.router.http import create_router_app
from renku_fed.router.http.static import WEB_DIR
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.conftest import TEST_ISSUER
from tests.support.fake_subgraphs import FakeSubgraphs

HTML = {"accept": "text/html,application/xhtml+xml"}
REFERENCE = re.compile(r'(?:src|href)="([^"]*)"')


@pytest.fixture
async def client(supergraph: Supergraph, fakes: FakeSubgraphs) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a router with default settings."""
    app = create_router_app(
        RouterSettings(),
        supergraph,
        transport=fakes.transport,
        auth_settings=AuthSettings(issuer=TEST_ISSUER),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:4000"
        ) as client,
    ):
        yield client


async def test_every_page_of_the_app_is_index_html_not_cached_under_a_strict_csp(
    client: httpx.AsyncClient,
) -> None:
    root = await client.get("/", headers=HTML)
    deep = await client.get("/p/alice/flights", headers=HTML)
    assert root.status_code == deep.status_code == 200
    assert root.text == deep.text == (WEB_DIR / "index.html").read_text()
    assert root.headers["cache-control"] == "no-cache"
    csp = root.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


async def test_hashed_assets_are_immutable_and_unknown_ones_are_404(
    client: httpx.AsyncClient,
) -> None:
    scripts = re.findall(r'src="(/assets/[^"]+\.js)"', (WEB_DIR / "index.html").read_text())
    assert scripts, "index.html loads no hashed script"
    asset = await client.get(scripts[0])
    missing = await client.get("/assets/index-nothere.js")
    not_html = await client.get("/no/such/file.json", headers={"accept": "application/json"})
    assert asset.status_code == 200 and asset.headers["content-type"].startswith("text/javascript")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert missing.status_code == 404 and not_html.status_code == 404


async def test_graphiql_loads_only_files_of_the_router_and_sends_the_login_cookie(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200 and "GraphiQL" in page.text
    references = REFERENCE.findall(page.text)
    assert references and all(ref.startswith("/graphiql/") for ref in references)
    for ref in references:
        served = await client.get(ref)
        assert served.status_code == 200, ref
    init = (await client.get("/graphiql/init.js")).text
    assert 'credentials: "same-origin"' in init and '"x-renku-csrf": "1"' in init
    assert "query Dashboard {" in init


async def test_no_page_the_router_serves_references_an_external_host(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/graphql", "/search"):
        page = await client.get(path, headers=HTML)
        assert not [
            ref for ref in REFERENCE.findall(page.text) if not ref.startswith(("/", "data:"))
        ]
        assert "http" not in page.headers["content-security-policy"]
        assert "unpkg" not in page.text and "cdn" not in page.text.lower()


def test_graphiql_starts_with_the_dashboard_query_of_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[3] / "README.md").read_text()
    dashboard = re.search(r"```graphql\n(query Dashboard \{.*?\n\})\n```", readme, re.S)
    assert dashboard is not None
    init = (WEB_DIR / "graphiql" / "init.js").read_text()
    lines = re.findall(r'^    "(.*)",$', init, re.M)
    assert "\n".join(lines).strip() == dashboard.group(1)
