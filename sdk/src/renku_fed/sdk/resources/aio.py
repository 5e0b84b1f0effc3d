"""The asyncio client's resources: the same methods as `resources.sync`, awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from renku_fed.sdk.models import Lineage, Project, Role, SearchHit, Session, User, Visibility
from renku_fed.sdk.resources import calls
from renku_fed.sdk.resources.calls import Call, Page
from renku_fed.sdk.resources.sync import POLL_SECONDS, report_progress, settled

T = TypeVar("T")
Run = Callable[[Call[Any]], Awaitable[Any]]


async def _pages(run: Run, first: Callable[[str | None], Call[Page[T]]]) -> AsyncIterator[T]:
    cursor: str | None = None
    while True:
        page: Page[T] = await run(first(cursor))
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


async def resolve_project(run: Run, project: Project | str) -> Project:
    """A project given as a model, an id, or `namespace/slug`."""
    if isinstance(project, Project):
        return project
    call = calls.get_project_by_slug(project) if "/" in project else calls.get_project(project)
    result: Project = await run(call)
    return result


class AsyncProjects:
    """Projects: list, read, create, change, delete."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def list(
        self,
        search: str | None = None,
        visibility: Visibility | str | None = None,
        namespace: str | None = None,
        minimum_role: Role | str | None = None,
    ) -> AsyncIterator[Project]:
        """Every project you may see that matches, fetched page by page as you iterate."""
        return _pages(
            self._run,
            lambda after: calls.list_projects(search, visibility, namespace, minimum_role, after),
        )

    async def get(self, project_id: str) -> Project:
        """The project with this id (NotFound when missing or hidden)."""
        result: Project = await self._run(calls.get_project(project_id))
        return result

    async def get_by_slug(self, path: str) -> Project:
        """The project at `namespace/slug`."""
        result: Project = await self._run(calls.get_project_by_slug(path))
        return result

    async def create(self, name: str, **fields: Any) -> Project:
        """Create a project; `namespace`, `slug`, `visibility`, `description`, `keywords`."""
        result: Project = await self._run(calls.create_project({"name": name, **fields}))
        return result

    async def update(self, project: Project | str, **fields: Any) -> Project:
        """Change a project; Conflict when it changed since `project` was read (its etag)."""
        current = await resolve_project(self._run, project)
        result: Project = await self._run(calls.update_project(current, fields))
        return result

    async def delete(self, project: Project | str) -> None:
        """Delete a project and its repository."""
        target = await resolve_project(self._run, project)
        await self._run(calls.delete_project(target.id))


class AsyncUsers:
    """People with accounts."""

    def __init__(self, run: Run) -> None:
        self._run = run

    async def me(self) -> User:
        """The signed-in user."""
        result: User = await self._run(calls.me())
        return result


class AsyncSessions:
    """Your interactive sessions."""

    def __init__(self, run: Run) -> None:
        self._run = run

    async def get(self, session_id: str) -> Session:
        """One of your sessions."""
        result: Session = await self._run(calls.get_session(session_id))
        return result

    async def launch(
        self,
        project: Project | str,
        launcher: str | None = None,
        wait: bool = True,
        timeout: float = 600.0,
    ) -> Session:
        """Start your session of a project and wait until it runs."""
        target = await resolve_project(self._run, project)
        session: Session = await self._run(calls.launch_session(target.id, launcher))
        if not wait:
            return session
        deadline, last = time.monotonic() + timeout, None
        while True:
            report_progress(session, last)
            if settled(session):
                return session
            if time.monotonic() > deadline:
                raise TimeoutError(f"session {session.id} is still {session.state.value}")
            last = session.state
            await asyncio.sleep(POLL_SECONDS)
            session = await self.get(session.id)

    async def delete(self, session: Session | str) -> None:
        """Stop a session and remove it with its files."""
        sid = session.id if isinstance(session, Session) else session
        await self._run(calls.delete_session(sid))


class AsyncKnowledgeGraph:
    """Search and lineage over the knowledge graph."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def search(
        self,
        query: str | None = None,
        types: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
    ) -> AsyncIterator[SearchHit]:
        """Everything matching, best first, fetched page by page as you iterate."""
        return _pages(self._run, lambda after: calls.search(query, types, keywords, after))

    async def lineage(self, project: Project | str, path: str) -> Lineage:
        """The graph of files and activities that led to `path`."""
        target = await resolve_project(self._run, project)
        result: Lineage = await self._run(calls.lineage(target.id, path))
        return result
