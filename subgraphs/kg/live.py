"""Live indexing status: a project's status each time the ingester moves one of its events."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.kg import core
from renku_fed.subgraphs.kg.ingest import KgService
from renku_fed.subgraphs.kg.models import IndexingStatus


async def indexing_status_changes(
    service: KgService, caller: Identity, project_id: str
) -> AsyncGenerator[IndexingStatus, None]:
    """The project's status now and after each change, as `Project.indexingStatus` shows it.

    Nothing is sent while the caller may not read the project or it has no events, so a
    subscriber learns nothing of a project it may not see.
    """
    ingester = service.ingester
    # Listening before reading: a change between the two is not lost.
    queue = ingester.watch()
    try:
        last = await core.indexing_status(service, caller, project_id)
        if last is not None:
            yield last
        while True:
            if await queue.get() != project_id:
                continue
            status = await core.indexing_status(service, caller, project_id)
            if status is not None and status != last:
                last = status
                yield status
    finally:
        ingester.unwatch(queue)
