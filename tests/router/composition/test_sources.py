"""Reading subgraph SDL from files and from running subgraphs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import strawberry
from strawberry.asgi import GraphQL

from renku_fed.router.composition import (
    SubgraphSdlUnavailable,
    SubgraphSource,
    compose,
    fetch_subgraph_sdl,
    load_subgraph_source,
)


@strawberry.federation.type(keys=["id"])
class Widget:
    """A widget entity."""

    id: strawberry.ID


@strawberry.type
class Query:
    """Widget queries."""

    @strawberry.field
    def widget(self) -> Widget | None:
        return None


WIDGETS = strawberry.federation.Schema(query=Query)


def strawberry_transport() -> httpx.ASGITransport:
    return httpx.ASGITransport(app=GraphQL(WIDGETS))


async def test_fetches_sdl_from_a_strawberry_subgraph() -> None:
    async with httpx.AsyncClient(transport=strawberry_transport()) as client:
        sdl = await fetch_subgraph_sdl(client, "http://widgets/graphql")
    assert 'type Widget @key(fields: "id")' in sdl


def failing(status: int, body: object) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


@pytest.mark.parametrize(
    ("transport", "reason"),
    [
        (failing(502, {"errors": []}), "HTTP 502"),
        (failing(200, {"errors": [{"message": "Cannot query field '_service'"}]}), "_service"),
        (failing(200, {"data": None}), "no data._service.sdl"),
        (httpx.MockTransport(lambda request: httpx.Response(200, text="<html>")), "not JSON"),
        (failing(200, ["not", "an", "object"]), "no data._service.sdl"),
        (failing(200, {"data": "text"}), "no data._service.sdl"),
        (failing(200, {"data": {"_service": ["sdl"]}}), "no data._service.sdl"),
    ],
)
async def test_fetch_failures_name_the_url_and_the_reason(
    transport: httpx.MockTransport, reason: str
) -> None:
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(SubgraphSdlUnavailable) as failure:
            await fetch_subgraph_sdl(client, "http://users:8000/graphql")
    assert "http://users:8000/graphql" in str(failure.value)
    assert reason in str(failure.value)


async def test_an_unreachable_subgraph_is_named() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(SubgraphSdlUnavailable, match=r"http://kg:8000/graphql.*refused"):
            await fetch_subgraph_sdl(client, "http://kg:8000/graphql")


def test_loads_a_file_with_its_routing_url(tmp_path: Path) -> None:
    path = tmp_path / "users.graphql"
    path.write_text("type Query { me: String }")
    source = load_subgraph_source("users", str(path), routing_url="http://users/graphql")
    assert source == SubgraphSource("users", "http://users/graphql", "type Query { me: String }")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SubgraphSdlUnavailable, match=r"nope\.graphql"):
        load_subgraph_source("users", str(tmp_path / "nope.graphql"))


def test_loads_a_url_which_is_also_the_routing_url() -> None:
    source = load_subgraph_source(
        "widgets", "http://widgets:8000/graphql", transport=strawberry_transport()
    )
    assert source.url == "http://widgets:8000/graphql"
    assert "_service" not in compose([source]).split("type Query")[1]
