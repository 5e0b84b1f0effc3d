"""The durable journal of a GitLab-backed store's events for the kg.

GitLab keeps the projects, so no trigger of ours sees a change: `PublishingStore` wraps the
store and, after each change it made and before the mutation returns, appends the event's body
(JSON) to `<data dir>/kg-events.sqlite3`. `EventJournal` is that file as an `EventSource`: the
`EventDelivery` of `events` posts its rows oldest first, each as it was written, and deletes a
row once the kg acknowledged it, so a restart delivers what was left. A crash between GitLab's
answer and the journal's write loses that one event; the next change of the project, or
`reindexProject`, tells the kg again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.projects.backends import ProjectStore, namespace_changes
from renku_fed.subgraphs.projects.backends.events import (
    PendingEvent,
    deleted_event,
    project_event,
)
from renku_fed.subgraphs.projects.models import (
    Member,
    NewProject,
    Project,
    ProjectFilter,
    ProjectPage,
    ProjectPatch,
    ProjectSort,
)

JOURNAL_FILE = "kg-events.sqlite3"
_TABLE = """CREATE TABLE IF NOT EXISTS journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)"""


class EventJournal:
    """Events waiting for the kg, in `<data_dir>/kg-events.sqlite3`, oldest first."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / JOURNAL_FILE
        with transaction(self.path) as db:
            db.execute(_TABLE)

    def append(self, events: Sequence[dict[str, Any]]) -> None:
        """Store events, in this order, after every event stored before (one transaction)."""
        with transaction(self.path) as db:
            db.executemany(
                "INSERT INTO journal (body) VALUES (?)", [(json.dumps(e),) for e in events]
            )

    def oldest(self) -> PendingEvent | None:
        """The oldest stored event; its acknowledgement deletes it."""
        with transaction(self.path) as db:
            row = db.execute("SELECT id, body FROM journal ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        row_id = row["id"]

        def acknowledge() -> None:
            with transaction(self.path) as db:
                db.execute("DELETE FROM journal WHERE id = ?", (row_id,))

        return PendingEvent(json.loads(row["body"]), acknowledge)

    def refill(self, eager: bool) -> bool:
        """Nothing is noted elsewhere: every event is appended by `PublishingStore`."""
        return False


class PublishingStore:
    """A `ProjectStore` that journals an event for the kg after every change the wrapped store
    made, before it returns, and then calls `wake` (the delivery's)."""

    def __init__(
        self, store: ProjectStore, journal: EventJournal, wake: Callable[[], None]
    ) -> None:
        self._store = store
        self._journal = journal
        self._wake = wake

    async def _publish(self, events: Sequence[dict[str, Any]]) -> None:
        await asyncio.to_thread(self._journal.append, events)
        self._wake()

    async def _changed(self, project: Project) -> Project:
        await self._publish([project_event(project)])
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
        return await self._changed(await self._store.create(caller, new))

    async def update(
        self, caller: Identity, project_id: str, if_match: str, patch: ProjectPatch
    ) -> Project:
        """Update, then announce the project."""
        return await self._changed(await self._store.update(caller, project_id, if_match, patch))

    async def delete(self, caller: Identity, project_id: str) -> None:
        """Delete, then announce the deletion."""
        await self._store.delete(caller, project_id)
        await self._publish([deleted_event(project_id)])

    async def copy(self, caller: Identity, source_id: str, new: NewProject) -> Project:
        """Copy, then announce the copy."""
        return await self._changed(await self._store.copy(caller, source_id, new))

    async def set_members(
        self, caller: Identity, project_id: str, members: Sequence[Member]
    ) -> Project:
        """Change members, then announce the project."""
        return await self._changed(await self._store.set_members(caller, project_id, members))

    async def remove_member(self, caller: Identity, project_id: str, user_id: str) -> Project:
        """Remove a member, then announce the project."""
        return await self._changed(await self._store.remove_member(caller, project_id, user_id))

    async def move(self, caller: Identity, project_id: str, namespace: str) -> Project:
        """Move, then announce the project."""
        changes = namespace_changes(self._store)
        return await self._changed(await changes.move(caller, project_id, namespace))

    async def follow_rename(self, caller: Identity, old: str, new: str) -> list[str]:
        """Move a renamed group's projects, then announce each."""
        moved = await namespace_changes(self._store).follow_rename(caller, old, new)
        projects = [await self._store.get(project_id, caller) for project_id in moved]
        await self._publish([project_event(p) for p in projects if p is not None])
        return moved

    async def delete_namespace(self, caller: Identity, namespace: str) -> list[str]:
        """Delete a group's projects, then announce each deletion."""
        deleted = await namespace_changes(self._store).delete_namespace(caller, namespace)
        await self._publish([deleted_event(project_id) for project_id in deleted])
        return deleted
