"""`@defer` over HTTP: a `multipart/mixed` stream in Apollo's framing, or one JSON response."""

from __future__ import annotations

import logging

import pytest

from renku_fed.router.http.multipart import accepts_multipart
from renku_fed.router.persisted_queries import query_hash
from tests.support.multipart_reader import parse_multipart
from tests.support.router_client import RouterClient

QUERY = '{ topProducts(first: 1) { name ... @defer(label: "stock") { inStock } } }'
DEFER_ACCEPT = "multipart/mixed;deferSpec=20220824, application/json"


@pytest.mark.parametrize("accept", [DEFER_ACCEPT, "multipart/mixed"])
async def test_deferred_parts_stream_as_multipart(router_client: RouterClient, accept: str) -> None:
    async with router_client() as client:
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == 'multipart/mixed; boundary="-"; deferSpec=20220824'
    assert parse_multipart(response.content) == [
        {"data": {"topProducts": [{"name": "Table"}]}, "hasNext": True},
        {
            "hasNext": False,
            "incremental": [
                {"data": {"inStock": True}, "path": ["topProducts", 0], "label": "stock"}
            ],
        },
    ]


async def test_without_multipart_accept_one_json_response(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"topProducts": [{"name": "Table", "inStock": True}]}}


async def test_an_operation_without_defer_answers_json(router_client: RouterClient) -> None:
    async with router_client() as client:
        response = await client.post(
            "/graphql", json={"query": "{ me { name } }"}, headers={"accept": DEFER_ACCEPT}
        )

    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"me": {"name": "Ann"}}}


async def test_a_persisted_deferred_query_streams_and_is_logged(
    router_client: RouterClient, caplog: pytest.LogCaptureFixture
) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": query_hash(QUERY)}}
    async with router_client() as client:
        await client.post("/graphql", json={"query": QUERY, "extensions": extensions})
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="router.http"):
            response = await client.post(
                "/graphql", json={"extensions": extensions}, headers={"accept": DEFER_ACCEPT}
            )

    parts = parse_multipart(response.content)
    assert [p["hasNext"] for p in parts] == [True, False]
    logged = [r for r in caplog.records if r.getMessage() == "graphql request"]
    assert [getattr(r, "status", None) for r in logged] == [200]


def test_accept_headers() -> None:
    assert accepts_multipart("multipart/mixed; deferSpec=20220824")
    assert accepts_multipart("application/json, multipart/mixed")
    assert not accepts_multipart('multipart/mixed;subscriptionSpec="1.0"')
    assert not accepts_multipart("multipart/mixed;deferSpec=20220824;q=0")
    assert not accepts_multipart("application/json")
