"""The kg subgraph through its GraphQL API: contract, entities, search, lineage, errors."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.kg.app import build_app, build_knowledge_graph
from renku_fed.subgraphs.kg.backends import Row
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.backends.vocabulary import Term
from renku_fed.subgraphs.kg.demo import FLIGHT_DELAYS
from renku_fed.subgraphs.kg.settings import KgSettings
from tests.subgraphs.kg.conftest import SECRET_DATASET, seed

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

ENTITIES = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Project {
      id
      datasets(first: 5) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id name slug title keywords dateCreated files { location }
          creators { name email user { id } } project { id } usedIn { id } versions { id } } } }
      workflows { name command inputs outputs }
      activities { command startedAt endedAt used generated agent { name } project { id } }
    }
    ... on User { id activity { command project { id } } }
    ... on Dataset { id name project { id } }
  }
}"""
LINEAGE = """query($reps: [_Any!]!, $path: String!) { _entities(representations: $reps) {
  ... on Project { lineage(path: $path) {
    nodes { id location label type } edges { source target } } } } }"""
SEARCH = """query($q: String, $after: String, $first: Int) {
  search(query: $q, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    byType { type count } byKeyword { keyword count }
    edges { node { __typename
      ... on Project { id } ... on Dataset { name } ... on Workflow { name }
      ... on Person { name } ... on SearchNamespace { slug } } } } }"""


def project(project_id: str) -> dict[str, str]:
    return {"__typename": "Project", "id": project_id}


@pytest.fixture
def graph(tmp_path: Path) -> KnowledgeGraph:
    """The demo graph plus a dataset and a run in alice's private project."""
    return seed(build_knowledge_graph(KgSettings(data_dir=tmp_path / "kg")))


@pytest.fixture
async def post(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer, graph: KnowledgeGraph
) -> AsyncIterator[Post]:
    app = build_app(KgSettings(data_dir=tmp_path / "kg"), verifier, graph)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://kg") as client,
    ):

        async def send(query: str, as_user: str | None = None, **variables: Any) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {dev_issuer.sign(as_user)}"} if as_user else {}
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        yield send


async def test_service_sdl_is_the_documented_contract(post: Post) -> None:
    sdl = (await post("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    for line in (
        'type Dataset @key(fields: "id")',
        "union SearchResult = Project | Dataset | Workflow | Person | SearchNamespace",
        "lineage(path: String!): Lineage!",
        "datasets(sort: DatasetSort! = NAME, first: Int = 20, after: String = null)",
        "activity: [Activity!]!",
    ):
        assert line in sdl


async def test_project_entity_carries_datasets_workflows_and_runs(post: Post) -> None:
    flights = (await post(ENTITIES, reps=[project(FLIGHTS.id)]))["data"]["_entities"][0]
    datasets = flights["datasets"]
    assert (datasets["totalCount"], datasets["pageInfo"]["hasNextPage"]) == (1, False)
    node = datasets["edges"][0]["node"]
    assert node["id"] == FLIGHT_DELAYS.id and node["slug"] == "flight-delays"
    assert node["files"] == [{"location": "data/clean.csv"}, {"location": "data/raw.csv"}]
    assert node["creators"] == [
        {"name": "Alice Liddell", "email": "alice@example.org", "user": {"id": ALICE.id}}
    ]
    assert node["dateCreated"] == "2024-03-01T09:30:00+00:00"
    assert flights["workflows"] == [
        {
            "name": "clean.py",
            "command": "python clean.py",
            "inputs": ["data/raw.csv"],
            "outputs": ["data/clean.csv"],
        }
    ]
    (run,) = flights["activities"]
    assert (run["used"], run["generated"], run["agent"]) == (
        ["data/raw.csv"],
        ["data/clean.csv"],
        {"name": "Alice Liddell"},
    )


async def test_datasets_reject_a_bad_cursor_and_page_size(post: Post) -> None:
    query = (
        "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Project {"
        ' datasets(first: 1, after: "nope") { totalCount } } } }'
    )
    body = await post(query, reps=[project(FLIGHTS.id)])
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await post(SEARCH, first=101)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_lineage_of_a_file_and_its_errors(post: Post) -> None:
    body = await post(LINEAGE, reps=[project(FLIGHTS.id)], path="data/clean.csv")
    lineage = body["data"]["_entities"][0]["lineage"]
    labels = {node["label"]: node for node in lineage["nodes"]}
    assert {k: v["type"] for k, v in labels.items()} == {
        "python clean.py": "ACTIVITY",
        "data/raw.csv": "FILE",
        "data/clean.csv": "FILE",
    }
    run, raw, clean = (
        labels[k]["id"] for k in ("python clean.py", "data/raw.csv", "data/clean.csv")
    )
    assert sorted(lineage["edges"], key=lambda e: e["source"] == run) == [
        {"source": raw, "target": run},
        {"source": run, "target": clean},
    ]
    missing = await post(LINEAGE, reps=[project(FLIGHTS.id)], path="nope.csv")
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    hidden = await post(LINEAGE, as_user="bob", reps=[project(SECRET_NOTES.id)], path="notes.md")
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_search_through_graphql(post: Post) -> None:
    body = await post(SEARCH, as_user="alice", q="flight")
    found = body["data"]["search"]
    nodes = [edge["node"] for edge in found["edges"]]
    assert nodes == [
        {"__typename": "Dataset", "name": "flight-delays"},
        {"__typename": "Project", "id": FLIGHTS.id},
        {"__typename": "Workflow", "name": "clean.py"},
    ]
    assert found["totalCount"] == 3
    assert {"type": "DATASET", "count": 1} in found["byType"]
    assert {"keyword": "aviation", "count": 2} in found["byKeyword"]
    anonymous = await post(SEARCH, q="secret")
    assert anonymous["data"]["search"]["edges"] == []
    first = (await post(SEARCH, first=2))["data"]["search"]
    after = first["pageInfo"]["endCursor"]
    rest = (await post(SEARCH, first=100, after=after))["data"]["search"]
    assert len(first["edges"]) + len(rest["edges"]) == first["totalCount"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_private_graph_is_for_members_only(post: Post) -> None:
    hidden = {"__typename": "Dataset", "id": SECRET_DATASET.id}
    assert (await post(ENTITIES, as_user="bob", reps=[hidden]))["data"]["_entities"] == [None]
    found = (await post(ENTITIES, as_user="alice", reps=[hidden]))["data"]["_entities"]
    assert found == [
        {"id": "d-secret", "name": "aviation-secrets", "project": {"id": SECRET_NOTES.id}}
    ]
    reps = [{"__typename": "User", "id": ALICE.id}]
    for viewer, commands in (
        (None, ["python clean.py"]),
        ("alice", ["python clean.py", "python leak.py"]),
    ):
        alice = (await post(ENTITIES, as_user=viewer, reps=reps))["data"]["_entities"][0]
        assert sorted(a["command"] for a in alice["activity"]) == commands
    bob = (await post(ENTITIES, reps=[{"__typename": "User", "id": BOB.id}]))["data"]["_entities"]
    assert bob == [{"id": BOB.id, "activity": []}]
    query = "query($id: ID!) { dataset(id: $id) { name } }"
    assert (await post(query, id=SECRET_DATASET.id))["data"]["dataset"] is None


class ThreadRecordingStore(EmbeddedTripleStore):
    """An embedded store that notes which thread runs each query."""

    threads: list[int]

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        self.threads.append(threading.get_ident())
        return super().select(query, bindings)


async def test_store_queries_run_off_the_event_loop(
    tmp_path: Path, verifier: TokenVerifier
) -> None:
    store = ThreadRecordingStore(tmp_path / "store")
    store.threads = []
    graph = KnowledgeGraph(store)
    seed(graph)
    store.threads.clear()
    app = build_app(KgSettings(data_dir=tmp_path / "kg"), verifier, graph)
    reps = [project(FLIGHTS.id), {"__typename": "User", "id": ALICE.id}]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kg") as c:
        for body in (
            {"query": ENTITIES, "variables": {"reps": reps}},
            {"query": "{ search { totalCount } }"},
        ):
            response = await c.post("/graphql", json=body)
            assert "errors" not in response.json()
    graph.close()
    assert len(store.threads) >= 5 and threading.get_ident() not in store.threads


def test_sparql_backend_needs_its_url() -> None:
    with pytest.raises(ValueError, match="RENKU_FED_KG_SPARQL_QUERY_URL"):
        KgSettings(backend="sparql")
