"""indexingStatusChanged's use case: a project's status after each move of the ingester."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from pathlib import Path

import pytest

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.demo import ALICE, CAROL, SECRET_NOTES
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import demo_access
from renku_fed.subgraphs.kg.events import EventKind, EventLog, access_to_json
from renku_fed.subgraphs.kg.ingest import Ingester, KgService
from renku_fed.subgraphs.kg.live import indexing_status_changes
from renku_fed.subgraphs.kg.models import EventStatus

ALICE_ID = Identity(subject=ALICE.id, username="alice")
CAROL_ID = Identity(subject=CAROL.id, username="carol")


@pytest.fixture
def service(tmp_path: Path) -> KgService:
    graph = KnowledgeGraph(EmbeddedTripleStore(tmp_path / "store"))
    ingester = Ingester(graph, EventLog(tmp_path / "events.sqlite3"), poll_seconds=0.05)
    ingester.events.register(demo_access(SECRET_NOTES), None)
    return KgService(graph=graph, ingester=ingester)


async def test_a_member_sees_each_status_the_ingester_moves_the_project_through(
    service: KgService,
) -> None:
    changes = indexing_status_changes(service, ALICE_ID, SECRET_NOTES.id)
    seen: list[EventStatus] = []
    async with aclosing(changes):
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.05)
        project = {"project": access_to_json(demo_access(SECRET_NOTES))}
        await service.ingester.enqueue(EventKind.ACCESS, SECRET_NOTES.id, project)
        seen.append((await asyncio.wait_for(first, 10)).status)
        running = asyncio.create_task(service.ingester.run())
        try:
            while seen[-1] is not EventStatus.DONE:
                seen.append((await asyncio.wait_for(anext(changes), 10)).status)
        finally:
            running.cancel()
    # Statuses are read after each move, so a quick PROCESSING may be read as DONE already.
    assert seen[0] is EventStatus.NEW
    assert seen[-1] is EventStatus.DONE
    assert set(seen) <= {EventStatus.NEW, EventStatus.PROCESSING, EventStatus.DONE}


async def test_someone_who_may_not_read_the_project_is_told_nothing(service: KgService) -> None:
    changes = indexing_status_changes(service, CAROL_ID, SECRET_NOTES.id)
    async with aclosing(changes):
        waiting = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.05)
        await service.ingester.enqueue(EventKind.PUSH, SECRET_NOTES.id, {})
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(waiting, 0.5)
    assert service.ingester.events.status(SECRET_NOTES.id) is not None
