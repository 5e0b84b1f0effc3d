"""The platform's own supergraph: anonymous callers are refused session fields at the router."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"


def _no_subgraph(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no subgraph may be called, {request.url} was")


@pytest.mark.parametrize(
    ("query", "data"),
    [
        ('mutation { launchSession(input: {projectId: "p"}) { errors { code } } }', None),
        ('mutation { deleteSession(id: "s") { id } }', None),
        ('{ session(id: "s") { id url } }', {"session": None}),
    ],
)
async def test_anonymous_session_fields_are_refused_before_any_subgraph_call(
    query: str, data: dict[str, None] | None
) -> None:
    supergraph = Supergraph.parse(SUPERGRAPH.read_text())
    gateway = Gateway(supergraph, RouterSettings(), httpx.MockTransport(_no_subgraph))

    body = (await gateway.execute(GraphQLRequest(query), {})).to_dict()
    await gateway.aclose()

    assert body["data"] == data
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHORIZED_FIELD_OR_TYPE"]
