"""`/readyz` says whether the router can serve: a supergraph loaded and every subgraph answering."""

from __future__ import annotations

from tests.support.fake_subgraphs import FakeSubgraphs
from tests.support.router_client import RouterClient

HTML = {"accept": "text/html,application/xhtml+xml"}


async def test_ready_when_every_subgraph_answers(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.get("/readyz")

    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["subgraphs"] and set(body["subgraphs"].values()) == {"ok"}


async def test_not_ready_while_a_subgraph_is_down_though_alive(
    router_client: RouterClient, fakes: FakeSubgraphs
) -> None:
    down = "reviews"
    fakes.down.add(down)
    async with router_client() as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json()["subgraphs"][down] == "unreachable (ConnectError)"
    assert alive.status_code == 200


async def test_html_pages_carry_the_security_headers(router_client: RouterClient) -> None:
    async with router_client() as client:
        page = await client.get("/graphql", headers=HTML)

    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
