"""The router's `@defer` stream, served by uvicorn, read by meros, as JavaScript clients read it."""

from __future__ import annotations

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs
from tests.support.meros import read_with_meros, served

QUERY = """{
  topProducts(first: 2) {
    name
    ... @defer(label: "stock") { inStock }
    ... @defer(label: "reviews") { reviews { body } }
  }
}"""


async def test_meros_reads_every_part_as_json(
    supergraph: Supergraph, fakes: FakeSubgraphs, verifier: TokenVerifier
) -> None:
    fakes.delay["reviews"] = 0.2
    app = create_router_app(RouterSettings(), supergraph, verifier, transport=fakes.transport)

    async with served(app) as url:
        head, *parts = await read_with_meros(f"{url}/graphql", QUERY)

    assert head == {
        "status": 200,
        "contentType": 'multipart/mixed; boundary="-"; deferSpec=20220824',
    }
    assert all(p["json"] for p in parts)
    assert {p["headers"]["content-type"] for p in parts} == {"application/json; charset=utf-8"}
    bodies = [p["body"] for p in parts]
    assert bodies[0] == {
        "data": {"topProducts": [{"name": "Table"}, {"name": "Chair"}]},
        "hasNext": True,
    }
    assert [[i["label"] for i in b["incremental"]] for b in bodies[1:]] == [
        ["stock", "stock"],
        ["reviews", "reviews"],
    ]
    assert [b["hasNext"] for b in bodies] == [True, True, False]
    assert bodies[2]["incremental"][1] == {
        "data": {"reviews": [{"body": "Comfy"}]},
        "path": ["topProducts", 1],
        "label": "reviews",
    }
