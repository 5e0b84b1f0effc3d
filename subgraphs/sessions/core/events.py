"""Live sessions: every save or removal of a session record, fanned out to subscriptions.

The store tells its listeners of each write, from whichever thread made it (a mutation, a
backend's reconciler); `SessionEvents` moves each onto the event loop and into every open
subscription's queue. `session_changes` and `my_session_changes` are the use cases behind
`sessionChanged` and `mySessionsChanged`: the same access rules as `session(id)` and `sessions`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncGenerator
from typing import TypeAlias

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import SessionBackend, SqliteStore
from renku_fed.subgraphs.sessions.core.access import signed_in
from renku_fed.subgraphs.sessions.core.sessions import session, shown
from renku_fed.subgraphs.sessions.models import Session

log = logging.getLogger(__name__)

Change: TypeAlias = tuple[str, Session | None]
"""A session's id and its record as saved, None once it was deleted."""

MAX_QUEUED = 256
"""Changes one subscription may fall behind by before the oldest are dropped."""


class SessionEvents:
    """Fans each change a store reports out to the queues of the open subscriptions."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queues: set[asyncio.Queue[Change]] = set()

    @property
    def subscribers(self) -> int:
        """How many subscriptions listen now."""
        return len(self._queues)

    def publish(self, session_id: str, record: Session | None) -> None:
        """Hand a change to the event loop; safe from any thread."""
        if self._queues and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._deliver, (session_id, record))

    def _deliver(self, change: Change) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
                log.warning("session subscription fell behind; dropped its oldest change")
            queue.put_nowait(change)

    def open(self) -> asyncio.Queue[Change]:
        """A queue that receives every change until it is closed."""
        queue: asyncio.Queue[Change] = asyncio.Queue(MAX_QUEUED)
        self._queues.add(queue)
        return queue

    def close(self, queue: asyncio.Queue[Change]) -> None:
        """Stop filling a queue."""
        self._queues.discard(queue)


_HUBS: weakref.WeakKeyDictionary[SqliteStore, SessionEvents] = weakref.WeakKeyDictionary()


def events_of(backend: SessionBackend) -> SessionEvents:
    """The hub of the backend's store on the running loop, listening from its first use."""
    loop = asyncio.get_running_loop()
    hub = _HUBS.get(backend.store)
    if hub is None or hub.loop is not loop:
        if hub is not None:
            backend.store.listeners.remove(hub.publish)
        hub = _HUBS[backend.store] = SessionEvents(loop)
        backend.store.listeners.append(hub.publish)
    return hub


def _seen(item: Session) -> tuple[object, ...]:
    """What a subscriber is told about: a change of any of these is a new event."""
    return (item.state, item.message, item.url)


async def session_changes(
    backend: SessionBackend, caller: Identity, session_id: str
) -> AsyncGenerator[Session, None]:
    """The caller's session as it is now, then as each change of its state, message or URL
    leaves it; ends when it is deleted. NOT_FOUND as `session(id)` is null."""
    signed_in(caller, "follow a session")
    hub = events_of(backend)
    # Listening before reading: a change between the two is not lost.
    queue = hub.open()
    try:
        current = await session(backend, caller, session_id)
        if current is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"You have no session {session_id!r}.", "id")
    except BaseException:
        hub.close(queue)
        raise
    return _follow_one(backend, hub, queue, current)


async def _follow_one(
    backend: SessionBackend, hub: SessionEvents, queue: asyncio.Queue[Change], current: Session
) -> AsyncGenerator[Session, None]:
    try:
        yield current
        last = _seen(current)
        while True:
            session_id, record = await queue.get()
            if session_id != current.id:
                continue
            if record is None:
                return
            changed = shown(backend, record)
            if _seen(changed) != last:
                last = _seen(changed)
                yield changed
    finally:
        hub.close(queue)


async def my_session_changes(
    backend: SessionBackend, caller: Identity
) -> AsyncGenerator[Session, None]:
    """Each change of state, message or URL of any of the caller's sessions."""
    owner = signed_in(caller, "follow your sessions")
    return _follow_owner(backend, owner)


async def _follow_owner(backend: SessionBackend, owner: str) -> AsyncGenerator[Session, None]:
    last: dict[str, tuple[object, ...]] = {}
    hub = events_of(backend)
    queue = hub.open()
    try:
        while True:
            session_id, record = await queue.get()
            if record is None:
                last.pop(session_id, None)
                continue
            if record.owner_id != owner:
                continue
            changed = shown(backend, record)
            if last.get(session_id) != _seen(changed):
                last[session_id] = _seen(changed)
                yield changed
    finally:
        hub.close(queue)
