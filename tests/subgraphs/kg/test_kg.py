"""The kg subgraph through its GraphQL API: contract, entities, search, lineage, seeding."""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType, build_schema

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, BOB, CAROL, CLIMATE, FLIGHTS, SECRET_NOTES
from renku_fed.subgraphs.kg.app import build_app, build_knowledge_graph
from renku_fed.subgraphs.kg.backends import Row, Term
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import FLIGHT_DELAYS, seed_demo
from renku_fed.subgraphs.kg.models import ActivityRecord, DatasetRecord, ProjectMetadata, Visibility
from renku_fed.subgraphs.kg.settings import KgSettings

Post = Callable[..., Coroutine[Any, Any, dict[str, Any]]]

ENTITIES = """
query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Project {
      id
      datasets { id name title description keywords dateCreated files { path sizeBytes }
                 project { id } }
      lineage { nodes { id kind label } edges { source target relation } }
      activities { command startedAt used generated project { id } }
    }
    ... on User { id activity { command project { id } } }
    ... on Dataset { id name project { id } }
  }
}"""

SECRET_DATASET = DatasetRecord(id="d-secret", name="aviation-secrets", keywords=("aviation",))
SECRET_RUN = ActivityRecord(
    id="a-secret", command="python leak.py", agent_id=ALICE.id, generated=("notes.md",)
)
SECRET = ProjectMetadata(
    id=SECRET_NOTES.id,
    visibility=Visibility.PRIVATE,
    member_ids=frozenset({ALICE.id}),
    datasets=(SECRET_DATASET,),
    activities=(SECRET_RUN,),
)


def project(project_id: str) -> dict[str, str]:
    return {"__typename": "Project", "id": project_id}


@pytest.fixture
def graph(tmp_path: Path) -> KnowledgeGraph:
    """The demo graph plus a dataset and a run in alice's private project."""
    graph = build_knowledge_graph(KgSettings(data_dir=tmp_path / "kg", seed_demo=True))
    graph.index_project(SECRET)
    return graph


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
    assert "federation/v2" in sdl
    for line in (
        'type Dataset @key(fields: "id")',
        'type Project @key(fields: "id")',
        'type User @key(fields: "id")',
        "datasets(search: String, first: Int = 20): [Dataset!]!",
        "lineage: Lineage!",
        "activity: [Activity!]!",
        "sizeBytes: Int",
    ):
        assert line in sdl
    schema = build_schema(re.sub(r"^schema[^}]*}", "", sdl), assume_valid_sdl=True)
    relation = schema.get_type("LineageRelation")
    kind = schema.get_type("LineageNodeKind")
    assert isinstance(relation, GraphQLEnumType) and isinstance(kind, GraphQLEnumType)
    assert set(relation.values) == {"USED", "GENERATED"}
    assert set(kind.values) == {"ENTITY", "ACTIVITY"}


async def test_search_finds_public_datasets_case_insensitively(post: Post) -> None:
    query = "query($s: String) { datasets(search: $s) { name title keywords project { id } } }"
    found = (await post(query, s="AVIAT"))["data"]["datasets"]
    assert found == [
        {
            "name": "flight-delays",
            "title": "Flight delays 2023",
            "keywords": ["aviation", "delays"],
            "project": {"id": FLIGHTS.id},
        }
    ]
    by_title = (await post(query, s="flight DELAYS 2023"))["data"]["datasets"]
    assert [d["name"] for d in by_title] == ["flight-delays"]
    assert (await post(query, s='"} } DROP ALL #'))["data"]["datasets"] == []


async def test_search_leaves_out_private_projects_even_for_members(post: Post) -> None:
    query = '{ datasets(search: "aviation") { name } }'
    for user in (None, "alice"):
        names = [d["name"] for d in (await post(query, as_user=user))["data"]["datasets"]]
        assert names == ["flight-delays"]
    everything = (await post("{ datasets { name } }"))["data"]["datasets"]
    assert [d["name"] for d in everything] == ["flight-delays"]


async def test_search_rejects_a_page_size_out_of_range(post: Post) -> None:
    body = await post("{ datasets(first: 101) { name } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await post("{ datasets(first: 0) { name } }"))["data"]["datasets"] == []


async def test_project_entity_carries_datasets_activities_and_lineage(post: Post) -> None:
    body = await post(ENTITIES, reps=[project(FLIGHTS.id)])
    flights = body["data"]["_entities"][0]
    assert flights["datasets"] == [
        {
            "id": FLIGHT_DELAYS.id,
            "name": "flight-delays",
            "title": "Flight delays 2023",
            "description": FLIGHT_DELAYS.description,
            "keywords": ["aviation", "delays"],
            "dateCreated": "2024-03-01T09:30:00+00:00",
            "files": [
                {"path": "data/clean.csv", "sizeBytes": 903_557},
                {"path": "data/raw.csv", "sizeBytes": 1_482_113},
            ],
            "project": {"id": FLIGHTS.id},
        }
    ]
    assert flights["activities"] == [
        {
            "command": "python clean.py",
            "startedAt": "2024-03-02T14:05:00+00:00",
            "used": ["data/raw.csv"],
            "generated": ["data/clean.csv"],
            "project": {"id": FLIGHTS.id},
        }
    ]


async def test_lineage_is_a_data_flow_graph(post: Post) -> None:
    body = await post(ENTITIES, reps=[project(FLIGHTS.id)])
    lineage = body["data"]["_entities"][0]["lineage"]
    nodes = {node["label"]: node for node in lineage["nodes"]}
    assert {label: node["kind"] for label, node in nodes.items()} == {
        "python clean.py": "ACTIVITY",
        "data/raw.csv": "ENTITY",
        "data/clean.csv": "ENTITY",
    }
    run, raw, clean = (
        nodes[k]["id"] for k in ("python clean.py", "data/raw.csv", "data/clean.csv")
    )
    assert len({run, raw, clean}) == 3
    assert sorted(lineage["edges"], key=lambda e: e["relation"]) == [
        {"source": run, "target": clean, "relation": "GENERATED"},
        {"source": raw, "target": run, "relation": "USED"},
    ]


async def test_private_project_graph_is_for_members_only(post: Post) -> None:
    reps = [project(SECRET_NOTES.id)]
    for outsider in (None, "bob"):
        secret = (await post(ENTITIES, as_user=outsider, reps=reps))["data"]["_entities"][0]
        assert secret["datasets"] == [] and secret["activities"] == []
        assert secret["lineage"] == {"nodes": [], "edges": []}
    secret = (await post(ENTITIES, as_user="alice", reps=reps))["data"]["_entities"][0]
    assert [d["name"] for d in secret["datasets"]] == ["aviation-secrets"]
    assert [a["command"] for a in secret["activities"]] == ["python leak.py"]
    hidden = {"__typename": "Dataset", "id": SECRET_DATASET.id}
    assert (await post(ENTITIES, as_user="bob", reps=[hidden]))["data"]["_entities"] == [None]
    found = (await post(ENTITIES, as_user="alice", reps=[hidden]))["data"]["_entities"]
    assert found == [{"id": "d-secret", "name": "aviation-secrets", "project": {"id": SECRET.id}}]


async def test_user_activity_lists_runs_the_user_was_agent_of(post: Post) -> None:
    reps = [{"__typename": "User", "id": u.id} for u in (ALICE, BOB)]
    alice, bob = (await post(ENTITIES, reps=reps))["data"]["_entities"]
    assert alice["activity"] == [{"command": "python clean.py", "project": {"id": FLIGHTS.id}}]
    assert bob["activity"] == []
    alice = (await post(ENTITIES, as_user="alice", reps=reps[:1]))["data"]["_entities"][0]
    assert sorted(a["command"] for a in alice["activity"]) == ["python clean.py", "python leak.py"]


async def test_projects_without_metadata_have_empty_graphs(post: Post) -> None:
    reps = [project(CLIMATE.id), project("01JNOTAPROJECT0000000000000")]
    for entity in (await post(ENTITIES, as_user="carol", reps=reps))["data"]["_entities"]:
        assert entity["datasets"] == [] and entity["lineage"]["nodes"] == []


def test_demo_seeds_only_into_an_empty_store(tmp_path: Path) -> None:
    settings = KgSettings(data_dir=tmp_path / "kg", seed_demo=True)
    other = KgSettings(data_dir=tmp_path / "other")
    graph = build_knowledge_graph(other)
    graph.index_project(SECRET)
    graph.close()
    del graph
    graph = build_knowledge_graph(other.model_copy(update={"seed_demo": True}))
    assert graph.project_datasets(FLIGHTS.id, None) == []
    assert [d.name for d in graph.project_datasets(SECRET.id, ALICE.id)] == ["aviation-secrets"]
    seeded = build_knowledge_graph(settings)
    assert [d.name for d in seeded.search_datasets(None, 20)] == ["flight-delays"]
    seeded.index_project(ProjectMetadata(id=FLIGHTS.id, visibility=Visibility.PUBLIC))
    assert seeded.search_datasets(None, 20) == []


def test_indexing_replaces_a_projects_graph(tmp_path: Path) -> None:
    graph = build_knowledge_graph(KgSettings(data_dir=tmp_path / "kg", seed_demo=True))
    renamed = DatasetRecord(
        id=FLIGHT_DELAYS.id,
        name="flight-delays-v2",
        keywords=("aviation",),
        date_created=datetime(2025, 1, 1, tzinfo=UTC),
    )
    graph.index_project(
        ProjectMetadata(id=FLIGHTS.id, visibility=Visibility.PRIVATE, datasets=(renamed,))
    )
    assert graph.search_datasets(None, 20) == []
    (found,) = graph.project_datasets(FLIGHTS.id, CAROL.id) or [None]
    assert found is None
    graph.index_project(
        ProjectMetadata(id=FLIGHTS.id, visibility=Visibility.PUBLIC, datasets=(renamed,))
    )
    (dataset,) = graph.search_datasets("V2", 20)
    assert (dataset.name, dataset.keywords, dataset.files) == ("flight-delays-v2", ["aviation"], [])
    assert graph.project_activities(FLIGHTS.id, None) == []


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
    seed_demo(graph)
    app = build_app(KgSettings(data_dir=tmp_path / "kg"), verifier, graph)
    reps = [
        project(FLIGHTS.id),
        {"__typename": "User", "id": ALICE.id},
        {"__typename": "Dataset", "id": FLIGHT_DELAYS.id},
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kg") as c:
        for body in (
            {"query": ENTITIES, "variables": {"reps": reps}},
            {"query": "{ datasets { id } }"},
        ):
            response = await c.post("/graphql", json=body)
            assert "errors" not in response.json()
    graph.close()
    assert len(store.threads) >= 6 and threading.get_ident() not in store.threads
