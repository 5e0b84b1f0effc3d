"""The ingester: applies stored events to the graph one at a time, in the order they came.

A project event (created, changed, members) replaces the project's entry in the access-control
graph; a push re-reads `.renku/` at its commit and replaces the project's named graph whole, so
re-ingesting a commit changes nothing. While the store is unreachable the event stays
PROCESSING and is retried with exponential backoff; any other error fails it with its message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from renku_fed.subgraphs.kg.backends import KgBackend, StoreUnavailable
from renku_fed.subgraphs.kg.events import Event, EventKind, EventLog, access_from_json
from renku_fed.subgraphs.kg.groups import GroupDirectory
from renku_fed.subgraphs.kg.metadata import read_metadata
from renku_fed.subgraphs.kg.models import EventStatus, ProjectAccess, ProjectMetadata
from renku_fed.subgraphs.kg.repository import GitRepository

log = logging.getLogger(__name__)

NewProjectHook = Callable[[ProjectAccess, str | None], None]


@dataclass(frozen=True, slots=True)
class KgService:
    """What the kg's resolvers reach: the graph they read, the ingester they feed, who reads
    (the callers' groups), how a project's repository is opened, and whose GitLab token a
    recording pushes with (None: recording into GitLab projects is refused)."""

    graph: KgBackend
    ingester: Ingester
    groups: GroupDirectory = field(default_factory=lambda: GroupDirectory(None))
    open_repository: Callable[[str], GitRepository] = GitRepository
    gitlab_tokens: GitLabTokenBroker | None = None


class Ingester:
    """Runs the event log against the graph; `run()` is the service's background task."""

    def __init__(
        self,
        graph: KgBackend,
        events: EventLog,
        *,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        on_new_project: NewProjectHook | None = None,
        open_repository: Callable[[str], GitRepository] = GitRepository,
    ) -> None:
        self.graph = graph
        self._open_repository = open_repository
        self.events = events
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._on_new_project = on_new_project
        self._wake = asyncio.Event()
        self._watchers: set[asyncio.Queue[str]] = set()

    def watch(self) -> asyncio.Queue[str]:
        """A queue that gets a project's id each time one of its events changes status."""
        queue: asyncio.Queue[str] = asyncio.Queue(256)
        self._watchers.add(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[str]) -> None:
        """Stop filling a queue from `watch`."""
        self._watchers.discard(queue)

    def _changed(self, project_id: str) -> None:
        for queue in self._watchers:
            if not queue.full():
                queue.put_nowait(project_id)

    async def enqueue(
        self, kind: EventKind, project_id: str, payload: dict[str, Any] | None = None
    ) -> int:
        """Store an event on disk and wake the loop; the event's id."""
        event_id = await asyncio.to_thread(self.events.add, kind, project_id, payload)
        self._wake.set()
        self._changed(project_id)
        return event_id

    def wake(self) -> None:
        """Look for new events now (call on the event loop after adding events from a thread)."""
        self._wake.set()

    async def run(self) -> None:
        """Process events until cancelled."""
        while True:
            event = await asyncio.to_thread(self.events.claim)
            if event is None:
                self._wake.clear()
                # Not `wait_for`: on Python 3.11 it swallows a cancellation that comes as the
                # event is set, and the app's shutdown would wait for this loop forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()
                continue
            self._changed(event.project_id)
            await self.process(event)

    async def process(self, event: Event) -> None:
        """Apply one claimed event, retrying while the store is unreachable."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(StoreUnavailable),
            wait=wait_exponential(multiplier=0.5, max=self._max_backoff),
            before_sleep=lambda state: self._note_retry(event, state),
            reraise=True,
        )
        try:
            message = None
            async for attempt in retrying:
                with attempt:
                    message = await asyncio.to_thread(self.apply, event)
        except Exception as exc:  # an event that cannot be applied fails; the loop goes on
            log.warning("ingestion event failed", extra={"event": event.id, "error": str(exc)})
            await asyncio.to_thread(self.events.finish, event.id, EventStatus.FAILED, str(exc))
        else:
            await asyncio.to_thread(self.events.finish, event.id, EventStatus.DONE, message)
        self._changed(event.project_id)

    def _note_retry(self, event: Event, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        message = f"store unreachable, retry {state.attempt_number}: {error}"
        self.events.finish(event.id, EventStatus.PROCESSING, message)
        self._changed(event.project_id)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until no event is NEW or PROCESSING (for tests and `reindexAll` callers)."""
        async with asyncio.timeout(timeout):
            while await asyncio.to_thread(self.events.pending):
                self._wake.set()
                await asyncio.sleep(0.02)

    def apply(self, event: Event) -> str | None:
        """Apply an event to the graph (blocking); a note for the event's status, if any."""
        if event.kind is EventKind.ACCESS:
            return self._access(event)
        if event.kind is EventKind.DELETE:
            self.graph.delete_project(event.project_id)
            self.events.forget(event.project_id)
            return None
        if event.kind is EventKind.CLEAR:
            self.graph.clear()
            return None
        return self._push(event.project_id, event.payload.get("commit"))

    def _access(self, event: Event) -> str | None:
        access = access_from_json(event.payload["project"])
        repository = event.payload.get("repository")
        known = self.events.project(access.id)
        previous = known[0] if known is not None else None
        self.graph.set_access(access)
        self.events.register(access, repository)
        renamed = previous is not None and (previous.name, previous.slug, previous.namespace) != (
            access.name,
            access.slug,
            access.namespace,
        )
        if previous is None and self._on_new_project is not None:
            self._on_new_project(access, repository)
        if previous is None or renamed or event.payload.get("reindex"):
            # A new project may come with history (a copy); a renamed one is searched by name.
            self.events.add(EventKind.PUSH, access.id, {})
        return None

    def _push(self, project_id: str, commit: str | None) -> str | None:
        known = self.events.project(project_id)
        if known is None:
            raise LookupError(
                f"No project {project_id!r} is known yet; its project event must come first."
            )
        _, url = known
        if url is None:
            self.graph.replace_metadata(project_id, ProjectMetadata())
            return "the project has no repository"
        repository = self._open_repository(url)
        repository.sync()
        commit = commit or repository.head()
        if commit is None:
            self.graph.replace_metadata(project_id, ProjectMetadata())
            return None
        metadata, problems = read_metadata(repository.metadata_files(commit))
        self.graph.replace_metadata(project_id, metadata)
        return f"skipped unreadable files: {'; '.join(problems)}" if problems else None
