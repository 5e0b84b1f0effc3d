"""The knowledge graph on each store: embedded pyoxigraph and a real Virtuoso."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from renku_fed.subgraphs.common.demo import ALICE, SECRET_NOTES
from renku_fed.subgraphs.kg.backends import TripleStore
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.endpoint import Endpoint, EndpointTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import ALICE_PERSON, DEMO
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    ProjectMetadata,
)
from tests.support.services.virtuoso import VirtuosoServer

SECRET_DATASET = DatasetRecord(
    id="d-secret", name="aviation-secrets", keywords=("aviation",), files=("notes.md",)
)
SECRET_RUN = ActivityRecord(
    id="a-secret",
    workflow_id=None,
    command="python leak.py",
    agent=ALICE_PERSON,
    generated=("notes.md",),
)
SECRET_METADATA = ProjectMetadata(datasets=(SECRET_DATASET,), activities=(SECRET_RUN,))
ALICE_ID = ALICE.id


def virtuoso_store(server: VirtuosoServer) -> EndpointTripleStore:
    """A store on the test Virtuoso, bulk-loading through its Graph Store endpoint."""
    return EndpointTripleStore(
        Endpoint(
            query_url=server.query_url,
            update_url=server.update_url,
            graph_store_url=server.graph_store_url,
            graph_store_parameter="graph-uri",
            user=server.user,
            password=server.password,
        )
    )


@pytest.fixture(params=["embedded", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TripleStore]:
    """Each store in turn, empty."""
    if request.param == "embedded":
        yield EmbeddedTripleStore(tmp_path / "store")
        return
    server: VirtuosoServer = request.getfixturevalue("virtuoso_server")
    store = virtuoso_store(server)
    KnowledgeGraph(store).clear()
    yield store


def seed(graph: KnowledgeGraph) -> KnowledgeGraph:
    """The demo graph plus a dataset and a run in alice's private project."""
    for access, metadata in DEMO:
        graph.set_access(access)
        graph.replace_metadata(access.id, metadata)
    graph.replace_metadata(SECRET_NOTES.id, SECRET_METADATA)
    return graph


@pytest.fixture
def graph(store: TripleStore) -> KnowledgeGraph:
    """The seeded knowledge graph on each store."""
    return seed(KnowledgeGraph(store))
