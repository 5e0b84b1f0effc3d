"""The durable outbox of the embedded store's events for the kg, in its SQLite database.

Triggers on `projects` and `members` add a `project` row in the same transaction as every
change, and each push that a repository's post-receive hook noted becomes a `push` row
(`push_hook`), so an event exists as soon as its change does. `OutboxDelivery` posts the rows
to the kg oldest first, retried with backoff while the kg is down, and deletes a row only once
the kg acknowledged it: neither a kg that is down nor a restart of this service loses an event.
A `project` row is posted as the project's state at delivery time (a `deleted` event once it
is gone), and one post answers every earlier row of that project.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.projects.backends.events import EventRefused, post_event, project_event
from renku_fed.subgraphs.projects.backends.push_hook import sweep_pushes
from renku_fed.subgraphs.projects.models import Project

log = logging.getLogger(__name__)

_TRIGGERS = {
    "outbox_project_insert": "AFTER INSERT ON projects BEGIN "
    "INSERT INTO outbox (project_id, kind) VALUES (NEW.id, 'project'); END",
    "outbox_project_update": "AFTER UPDATE ON projects BEGIN "
    "INSERT INTO outbox (project_id, kind) VALUES (NEW.id, 'project'); END",
    "outbox_project_delete": "AFTER DELETE ON projects BEGIN "
    "INSERT INTO outbox (project_id, kind) VALUES (OLD.id, 'project'); END",
    "outbox_member_insert": "AFTER INSERT ON members BEGIN "
    "INSERT INTO outbox (project_id, kind) VALUES (NEW.project_id, 'project'); END",
    "outbox_member_delete": "AFTER DELETE ON members BEGIN "
    "INSERT INTO outbox (project_id, kind) VALUES (OLD.project_id, 'project'); END",
}
_TABLE = """CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id TEXT NOT NULL, kind TEXT NOT NULL, commit_sha TEXT)"""

Lookup = Callable[[str], Project | None]


def enable_outbox(database: Path) -> None:
    """Create the outbox and its triggers; a new outbox starts with every stored project."""
    with transaction(database) as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone()
        if exists is None:
            db.execute(_TABLE)
            db.execute(
                "INSERT INTO outbox (project_id, kind) "
                "SELECT id, 'project' FROM projects ORDER BY creation_date, id"
            )
        for name, body in _TRIGGERS.items():
            db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def disable_outbox(database: Path) -> None:
    """Drop the outbox and its triggers: without a kg to tell, no event is kept."""
    with transaction(database) as db:
        for name in _TRIGGERS:
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute("DROP TABLE IF EXISTS outbox")


@dataclass(frozen=True, slots=True)
class _Pending:
    """The oldest row's event, and which rows its acknowledgement answers."""

    event: dict[str, Any]
    project_id: str
    kind: str
    up_to: int


class OutboxDelivery:
    """Posts the outbox to the kg from one background task (`start`, `flush`, `aclose`); when
    the outbox is empty, it collects the pushes the repositories' hooks left, every
    `sweep_seconds` and at each `flush`."""

    def __init__(
        self,
        database: Path,
        repositories: Path,
        lookup: Lookup,
        url: str,
        secret: str,
        client: httpx.AsyncClient | None = None,
        *,
        poll_seconds: float = 1.0,
        sweep_seconds: float = 5.0,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._database = database
        self._repositories = repositories
        self._lookup = lookup
        self._url = url
        self._secret = secret
        self._client = client or httpx.AsyncClient(timeout=10.0)
        self._poll = poll_seconds
        self._sweep = sweep_seconds
        self._swept = -math.inf
        self._max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._idle.clear()
        self._wake.set()

    async def flush(self) -> None:
        """Wait until the outbox is empty."""
        self.wake()
        await self._idle.wait()

    async def aclose(self) -> None:
        """Stop delivering (undelivered rows stay for the next start) and close the client."""
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
                log.warning("the kg event outbox could not be read, retrying: %s", exc)
                await asyncio.sleep(self._poll)

    async def _step(self) -> None:
        pending = await asyncio.to_thread(self._oldest)
        if pending is None:
            if await self._swept_new_pushes():
                return
            self._idle.set()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            return
        await self._deliver(pending.event)
        await asyncio.to_thread(self._acknowledge, pending)

    async def _swept_new_pushes(self) -> bool:
        # Looking into every repository costs a directory read each, so not at every poll.
        if not self._idle.is_set() or time.monotonic() - self._swept >= self._sweep:
            self._swept = time.monotonic()
            return bool(await asyncio.to_thread(sweep_pushes, self._database, self._repositories))
        return False

    async def _deliver(self, event: dict[str, Any]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((httpx.HTTPError, EventRefused)),
            wait=wait_exponential(multiplier=0.2, max=self._max_backoff),
        )
        async for attempt in retrying:
            with attempt:
                await post_event(self._client, self._url, self._secret, event)

    def _oldest(self) -> _Pending | None:
        with transaction(self._database) as db:
            row = db.execute("SELECT * FROM outbox ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            project_id, kind = row["project_id"], row["kind"]
            if kind == "push":
                event = {"type": "push", "projectId": project_id, "commit": row["commit_sha"]}
                return _Pending(event, project_id, kind, row["id"])
            (up_to,) = db.execute(
                "SELECT MAX(id) FROM outbox WHERE project_id = ? AND kind = 'project'",
                (project_id,),
            ).fetchone()
        # Read after the rows it answers: a change committed since has a later row of its own.
        project = self._lookup(project_id)
        if project is None:
            return _Pending({"type": "deleted", "projectId": project_id}, project_id, kind, up_to)
        return _Pending(project_event(project), project_id, kind, up_to)

    def _acknowledge(self, pending: _Pending) -> None:
        with transaction(self._database) as db:
            db.execute(
                "DELETE FROM outbox WHERE project_id = ? AND kind = ? AND id <= ?",
                (pending.project_id, pending.kind, pending.up_to),
            )
