"""Project events for the kg subgraph: created, changed (visibility, members, names), deleted.

The embedded store keeps its events in a durable outbox (`outbox`). A GitLab-backed store has
no database of its own: a `PublishingStore` wraps it and, after each change it made, hands the
project to `KgEvents`, which posts it to the kg's internal route with the shared secret, one
event at a time in the order they happened, retried with backoff while the kg is unreachable;
those are held in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.projects.backends import ProjectStore, namespace_changes
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
)

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


async def post_event(
    client: httpx.AsyncClient, url: str, secret: str, event: dict[str, Any]
) -> None:
    """Post one event to the kg; EventRefused when the kg should be asked again later."""
    response = await client.post(url, json=event, headers={TOKEN_HEADER: secret})
    if response.status_code >= 500 or response.status_code == 401:
        log.warning("kg refused an event", extra={"status": response.status_code})
        raise EventRefused(f"kg answered {response.status_code}")
    if response.status_code >= 400:
        log.error("kg rejected an event", extra={"status": response.status_code})


class KgEvents:
    """Posts events to the kg in order, from one background task."""

    def __init__(
        self,
        url: str,
        secret: str,
        client: httpx.AsyncClient | None = None,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._url = url
        self._secret = secret
        self._client = client or httpx.AsyncClient(timeout=10.0)
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._max_backoff = max_backoff_seconds
        self._task: asyncio.Task[None] | None = None

    def publish(self, event: dict[str, Any]) -> None:
        """Queue an event; it is sent after every event queued before it."""
        self._queue.put_nowait(event)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver())

    async def flush(self) -> None:
        """Wait until every queued event was delivered."""
        await self._queue.join()

    async def _deliver(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                retrying = AsyncRetrying(
                    retry=retry_if_exception_type((httpx.HTTPError, EventRefused)),
                    wait=wait_exponential(multiplier=0.2, max=self._max_backoff),
                )
                async for attempt in retrying:
                    with attempt:
                        await self._post(event)
            finally:
                self._queue.task_done()

    async def _post(self, event: dict[str, Any]) -> None:
        await post_event(self._client, self._url, self._secret, event)

    async def aclose(self) -> None:
        """Stop delivering and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()


class PublishingStore:
    """A `ProjectStore` that tells the kg about every change the wrapped store made."""

    def __init__(self, store: ProjectStore, events: KgEvents) -> None:
        self._store = store
        self._events = events

    def _changed(self, project: Project) -> Project:
        self._events.publish(project_event(project))
        return project

    async def get(self, project_id: str, caller: Identity) -> Project | None:
        """The wrapped store's answer."""
        return await self._store.get(project_id, caller)

    async def get_by_slug(self, namespace: str, slug: str, caller: Identity) -> Project | None:
        """The wrapped store's answer."""
        return await self._store.get_by_slug(namespace, slug, caller)

    async def search(
        self,
        caller: Identity,
        where: ProjectFilter,
        page: PageRequest,
        sort: ProjectSort = ProjectSort.CREATION_DATE,
    ) -> ProjectPage:
        """The wrapped store's answer."""
        return await self._store.search(caller, where, page, sort)

    async def create(self, caller: Identity, new: NewProject) -> Project:
        """Create, then announce the project."""
        return self._changed(await self._store.create(caller, new))

    async def update(
        self, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
    ) -> Project:
        """Update, then announce the project."""
        return self._changed(await self._store.update(caller, project_id, if_match, patch))

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete, then announce the deletion."""
        await self._store.delete(caller, project_id)
        self._events.publish({"type": "deleted", "projectId": project_id})

    async def copy(self, caller: Identity, source_id: str, new: NewProject) -> Project:
        """Copy, then announce the copy."""
        return self._changed(await self._store.copy(caller, source_id, new))

    async def set_members(
        self, caller: Identity, project_id: str, members: Sequence[Member]
    ) -> Project:
        """Change members, then announce the project."""
        return self._changed(await self._store.set_members(caller, project_id, members))

    async def remove_member(self, caller: Identity, project_id: str, user_id: str) -> Project:
        """Remove a member, then announce the project."""
        return self._changed(await self._store.remove_member(caller, project_id, user_id))

    async def move(self, caller: Identity, project_id: str, namespace: str) -> Project:
        """Move, then announce the project."""
        changes = namespace_changes(self._store)
        return self._changed(await changes.move(caller, project_id, namespace))

    async def follow_rename(self, caller: Identity, old: str, new: str) -> list[str]:
        """Move a renamed group's projects, then announce each."""
        moved = await namespace_changes(self._store).follow_rename(caller, old, new)
        for project_id in moved:
            project = await self._store.get(project_id, caller)
            if project is not None:
                self._changed(project)
        return moved

    async def delete_namespace(self, caller: Identity, namespace: str) -> list[str]:
        """Delete a group's projects, then announce each deletion."""
        deleted = await namespace_changes(self._store).delete_namespace(caller, namespace)
        for project_id in deleted:
            self._events.publish({"type": "deleted", "projectId": project_id})
        return deleted
