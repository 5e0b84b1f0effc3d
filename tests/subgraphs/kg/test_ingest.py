"""Ingestion: `.renku/` JSON-LD in a repository, the event log, the ingester and its routes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.subgraphs.common.demo import ALICE, FLIGHTS
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.kg import core
from renku_fed.subgraphs.kg.app import build_app
from renku_fed.subgraphs.kg.backends import StoreUnavailable
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import FLIGHTS_METADATA, demo_access, demo_files
from renku_fed.subgraphs.kg.events import EventKind, EventLog, access_to_json
from renku_fed.subgraphs.kg.ingest import Ingester, KgService
from renku_fed.subgraphs.kg.metadata import read_metadata
from renku_fed.subgraphs.kg.models import ActivityRecord, EventStatus, ProjectMetadata, SearchQuery
from renku_fed.subgraphs.kg.repository import Author, GitRepository
from renku_fed.subgraphs.kg.settings import KgSettings

SECRET = "test-events-secret"


def bare_repository(path: Path) -> GitRepository:
    """An empty bare repository with a main branch."""
    subprocess.run(["git", "init", "--bare", "-q", "-b", "main", str(path)], check=True)
    return GitRepository(path.as_uri())


def test_metadata_files_read_back_as_written() -> None:
    metadata, problems = read_metadata(demo_files(FLIGHTS_METADATA))
    assert problems == []
    assert metadata == FLIGHTS_METADATA
    broken, problems = read_metadata({".renku/datasets/x.jsonld": b"{not json"})
    assert broken == ProjectMetadata() and problems[0].startswith(".renku/datasets/x.jsonld")


def test_commits_land_on_main_with_the_author(tmp_path: Path) -> None:
    repository = bare_repository(tmp_path / "r.git")
    when = datetime(2025, 1, 1, tzinfo=UTC)
    first = repository.commit_files({".renku/a.jsonld": b"{}"}, Author("A", "a@x"), "one", when)
    second = repository.commit_files({".renku/b.jsonld": b"{}"}, Author("A", "a@x"), "two", when)
    assert repository.head() == second != first
    assert set(repository.metadata_files(second)) == {".renku/a.jsonld", ".renku/b.jsonld"}
    assert repository.read_file(first, ".renku/b.jsonld") is None


def test_events_survive_a_restart(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events.sqlite3")
    first = log.add(EventKind.PUSH, "p1", {"commit": "abc"})
    claimed = log.claim()
    assert claimed is not None and claimed.id == first
    restarted = EventLog(tmp_path / "events.sqlite3")
    status = restarted.status("p1")
    assert status is not None and status.status is EventStatus.NEW
    again = restarted.claim()
    assert again is not None and (again.id, again.attempts) == (first, 2)


class FlakyGraph(KnowledgeGraph):
    """A graph whose store is unreachable for the first `failures` writes."""

    failures = 2

    def replace_metadata(self, project_id: str, metadata: ProjectMetadata) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("connection refused")
        super().replace_metadata(project_id, metadata)


def flights_ingester(tmp_path: Path, graph: KnowledgeGraph) -> tuple[Ingester, GitRepository]:
    """An ingester that knows flights, whose repository holds the demo metadata."""
    repository = bare_repository(tmp_path / "flights.git")
    when = datetime(2025, 1, 1, tzinfo=UTC)
    repository.commit_files(demo_files(FLIGHTS_METADATA), Author("A", "a@x"), "demo", when)
    ingester = Ingester(graph, EventLog(tmp_path / "events.sqlite3"), max_backoff_seconds=0.01)
    payload = {
        "project": access_to_json(demo_access(FLIGHTS)),
        "repository": repository.path.as_uri(),
    }
    ingester.events.add(EventKind.ACCESS, FLIGHTS.id, payload)
    return ingester, repository


async def run_all(ingester: Ingester) -> None:
    while (event := ingester.events.claim()) is not None:
        await ingester.process(event)


async def test_store_outage_is_retried_and_reingesting_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedTripleStore(tmp_path / "store")
    ingester, repository = flights_ingester(tmp_path, FlakyGraph(store))
    await run_all(ingester)
    status = ingester.events.status(FLIGHTS.id)
    assert status is not None and (status.status, status.progress) == (EventStatus.DONE, 1.0)
    hits = ingester.graph.search(SearchQuery(text="flight"), None).page.items
    assert {h.name for h in hits} >= {"flight-delays", "clean.py"}
    quads = sorted(map(str, store._store))
    ingester.events.add(EventKind.PUSH, FLIGHTS.id, {"commit": repository.head()})
    await run_all(ingester)
    assert sorted(map(str, store._store)) == quads


async def test_an_event_that_cannot_apply_fails_with_its_reason(tmp_path: Path) -> None:
    graph = KnowledgeGraph(EmbeddedTripleStore(tmp_path / "store"))
    ingester = Ingester(graph, EventLog(tmp_path / "events.sqlite3"))
    ingester.events.add(EventKind.PUSH, "unknown", {})
    await run_all(ingester)
    status = ingester.events.status("unknown")
    assert status is not None and status.status is EventStatus.FAILED
    assert "project event must come first" in (status.message or "")


@pytest.mark.parametrize(
    ("path", "headers", "body", "expected"),
    [
        ("/internal/events", {}, {"type": "deleted", "projectId": "p"}, 401),
        ("/internal/events", {"X-Renku-Events-Token": "wrong"}, {"type": "x"}, 401),
        ("/internal/events", {"X-Renku-Events-Token": SECRET}, {"type": "x"}, 400),
        ("/internal/events", {"X-Renku-Events-Token": SECRET}, {"type": "deleted",
                                                                "projectId": "p"}, 202),
        ("/internal/gitlab/webhook", {"X-Gitlab-Token": "no"}, {}, 401),
        ("/internal/gitlab/webhook", {"X-Gitlab-Token": SECRET},
         {"object_kind": "push", "project_id": 7, "after": "abc"}, 202),
    ],
)  # fmt: skip
async def test_internal_routes_need_the_secret(
    tmp_path: Path,
    verifier: TokenVerifier,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    expected: int,
) -> None:
    settings = replace_secret(KgSettings(data_dir=tmp_path / "kg"))
    app = build_app(settings, verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
        response = await client.post(path, json=body, headers=headers)
    assert response.status_code == expected
    pending = EventLog(tmp_path / "kg" / "events.sqlite3").pending()
    assert pending == (1 if expected == 202 else 0)


def replace_secret(settings: KgSettings) -> KgSettings:
    """The settings with the test's events secret."""
    return KgSettings(**{**settings.model_dump(), "events_secret": SECRET})


RECORD_DATASET = """mutation($input: RecordDatasetInput!) { recordDataset(input: $input) {
  datasetId commit errors { code field } } }"""


async def test_record_dataset_commits_and_is_ingested(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer
) -> None:
    repository = bare_repository(tmp_path / "flights.git")
    settings = replace_secret(KgSettings(data_dir=tmp_path / "kg", ingestion_poll_seconds=0.05))
    app = build_app(settings, verifier)
    event = {"type": "project", "project": access_to_json(demo_access(FLIGHTS)),
             "repository": repository.path.as_uri()}  # fmt: skip
    dataset = {"projectId": FLIGHTS.id, "name": "flight-delays", "files": ["data/raw.csv"],
               "keywords": ["aviation"]}  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://kg") as client,
    ):
        headers = {"X-Renku-Events-Token": SECRET}
        assert (await client.post("/internal/events", json=event, headers=headers)).is_success
        await app.state.ingester.drain()

        async def record(user: str, **changes: Any) -> dict[str, Any]:
            body = {"query": RECORD_DATASET, "variables": {"input": {**dataset, **changes}}}
            auth = {"Authorization": f"Bearer {dev_issuer.sign(user)}"}
            response = await client.post("/graphql", json=body, headers=auth)
            result: dict[str, Any] = response.json()["data"]["recordDataset"]
            return result

        recorded = await record("alice")
        assert recorded["errors"] == [] and recorded["commit"] == repository.head()
        assert (await record("bob"))["errors"][0]["code"] == "FORBIDDEN"
        bad = await record("alice", files=["../etc/passwd"])
        assert bad["errors"] == [{"code": "BAD_USER_INPUT", "field": "files"}]
        await app.state.ingester.drain()
        found = app.state.ingester.graph.dataset(recorded["datasetId"], None)
    assert found is not None and (found.name, found.files) == ("flight-delays", ["data/raw.csv"])


async def test_recording_into_a_repository_the_kg_cannot_reach_is_unavailable(
    tmp_path: Path,
) -> None:
    graph = KnowledgeGraph(EmbeddedTripleStore(tmp_path / "store"))
    ingester = Ingester(graph, EventLog(tmp_path / "events.sqlite3"))
    ingester.events.register(demo_access(FLIGHTS), "https://gitlab.example.org/alice/flights.git")
    run = ActivityRecord(id="", workflow_id=None, command="python clean.py")
    alice = Identity(subject=ALICE.id, username="alice")
    with pytest.raises(DomainError) as refused:
        await core.record_activity(KgService(graph, ingester), alice, FLIGHTS.id, run, None)
    assert (refused.value.code, refused.value.field) == (ErrorCode.UNAVAILABLE, "projectId")
