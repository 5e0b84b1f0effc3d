"""Project events for the kg subgraph (created, changed, deleted, pushed) and their delivery.

Every event is on disk before it is posted: the embedded store's in its outbox table, written
by triggers in the same transaction as the change (`outbox`), a GitLab-backed store's in a
journal of its own that `PublishingStore` writes before the mutation returns (`journal`).
`EventDelivery` posts either source's events to the kg's internal route with the shared
secret, oldest first, from one background task, retried with backoff while the kg is down,
and lets the source delete an event only once the kg acknowledged it: neither a kg that is
down nor a restart of this service loses one. An event the kg rejects as malformed (4xx, not
401) is logged and dropped, since sending it again would be rejected again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from renku_fed.subgraphs.projects.models import Project

log = logging.getLogger(__name__)
TOKEN_HEADER = "X-Renku-Events-Token"


class EventRefused(Exception):
    """The kg answered an event with an error; retried like an unreachable kg."""


def project_event(project: Project) -> dict[str, Any]:
    """The body of a `project` event: who may read the project, its names, its repository."""
    return {
        "type": "project",
        "project": {
            "id": project.id,
            "namespace": project.namespace,
            "slug": project.slug,
            "visibility": project.visibility.value,
            "members": [{"userId": m.user_id, "role": m.role.value} for m in project.members],
            "name": project.name,
            "description": project.description,
            "keywords": list(project.keywords),
            "dateCreated": project.creation_date.isoformat(),
            "dateModified": project.updated_at.isoformat(),
        },
        "repository": project.repositories[0] if project.repositories else None,
    }


def deleted_event(project_id: str) -> dict[str, Any]:
    """The body of a `deleted` event."""
    return {"type": "deleted", "projectId": project_id}


async def post_event(
    client: httpx.AsyncClient, url: str, secret: str, event: dict[str, Any]
) -> None:
    """Post one event to the kg; EventRefused when the kg should be asked again later."""
    response = await client.post(url, json=event, headers={TOKEN_HEADER: secret})
    status, kind = response.status_code, event.get("type")
    if status >= 500 or status == 401:
        log.warning("kg refused an event", extra={"status": status, "event_type": kind})
        raise EventRefused(f"kg answered {status}")
    if status >= 400:
        log.error(
            "kg rejected an event as malformed; it is dropped",
            extra={"status": status, "event_type": kind, "body": response.text[:200]},
        )


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """The oldest waiting event, and what deletes it (and what it answers) from its source."""

    event: dict[str, Any]
    acknowledge: Callable[[], None]


class EventSource(Protocol):
    """Where waiting events are kept; its methods block (SQLite) and run in a worker thread."""

    def oldest(self) -> PendingEvent | None:
        """The oldest waiting event, or None when none waits."""
        ...

    def refill(self, eager: bool) -> bool:
        """With nothing waiting, collect events noted elsewhere; True when it found some.

        `eager` is true when the delivery was just woken (a flush, a write), else it was idle.
        """
        ...


class EventDelivery:
    """Posts a source's events to the kg from one background task (`start`, `wake`, `flush`,
    `aclose`); with nothing waiting it looks again every `poll_seconds` or when woken."""

    def __init__(
        self,
        source: EventSource,
        url: str,
        secret: str,
        client: httpx.AsyncClient | None = None,
        *,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._source = source
        self._url = url
        self._secret = secret
        self._client = client or httpx.AsyncClient(timeout=10.0)
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """Look at the source now rather than at the next poll."""
        self._idle.clear()
        self._wake.set()

    async def flush(self) -> None:
        """Wait until no event waits."""
        self.wake()
        await self._idle.wait()

    async def aclose(self) -> None:
        """Stop delivering (waiting events stay for the next start) and close the client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                await self._step()
            except (sqlite3.Error, OSError) as exc:
                log.warning("the kg events could not be read, retrying: %s", exc)
                await asyncio.sleep(self._poll)

    async def _step(self) -> None:
        self._wake.clear()
        pending = await asyncio.to_thread(self._source.oldest)
        if pending is not None:
            await self._deliver(pending.event)
            await asyncio.to_thread(pending.acknowledge)
            return
        if await asyncio.to_thread(self._source.refill, not self._idle.is_set()):
            return
        if self._wake.is_set():
            return  # woken while reading: an event written meanwhile is read at the next step
        self._idle.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._poll)

    async def _deliver(self, event: dict[str, Any]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((httpx.HTTPError, EventRefused)),
            wait=wait_exponential(multiplier=0.2, max=self._max_backoff),
        )
        async for attempt in retrying:
            with attempt:
                await post_event(self._client, self._url, self._secret, event)
