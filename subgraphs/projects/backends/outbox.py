"""The durable outbox of the embedded store's events for the kg, in its SQLite database.

Triggers on `projects` and `members` add a `project` row in the same transaction as every
change, and each push that a repository's post-receive hook noted becomes a `push` row
(`push_hook`), so an event exists as soon as its change does. `OutboxSource` hands the rows,
oldest first, to the `EventDelivery` of `events`, which posts them and deletes a row only once
the kg acknowledged it. A `project` row is posted as the project's state at delivery time (a
`deleted` event once it is gone), and one post answers every earlier row of that project.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.projects.backends.events import (
    PendingEvent,
    deleted_event,
    project_event,
)
from renku_fed.subgraphs.projects.backends.push_hook import sweep_pushes
from renku_fed.subgraphs.projects.models import Project

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


class OutboxSource:
    """The outbox as an `EventSource`: its oldest row as an event, and, when it is empty, the
    pushes the repositories' hooks left, every `sweep_seconds` and whenever it is woken."""

    def __init__(
        self, database: Path, repositories: Path, lookup: Lookup, *, sweep_seconds: float = 5.0
    ) -> None:
        self._database = database
        self._repositories = repositories
        self._lookup = lookup
        self._sweep = sweep_seconds
        self._swept = -math.inf

    def refill(self, eager: bool) -> bool:
        """Move the pushes noted in the repositories into the outbox; True when there were any."""
        # Looking into every repository costs a directory read each, so not at every poll.
        if not eager and time.monotonic() - self._swept < self._sweep:
            return False
        self._swept = time.monotonic()
        return bool(sweep_pushes(self._database, self._repositories))

    def oldest(self) -> PendingEvent | None:
        """The oldest row's event; its acknowledgement deletes every row it answers."""
        with transaction(self._database) as db:
            row = db.execute("SELECT * FROM outbox ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            project_id, kind = row["project_id"], row["kind"]
            if kind == "push":
                event = {"type": "push", "projectId": project_id, "commit": row["commit_sha"]}
                return self._pending(event, project_id, kind, row["id"])
            (up_to,) = db.execute(
                "SELECT MAX(id) FROM outbox WHERE project_id = ? AND kind = 'project'",
                (project_id,),
            ).fetchone()
        # Read after the rows it answers: a change committed since has a later row of its own.
        project = self._lookup(project_id)
        event = deleted_event(project_id) if project is None else project_event(project)
        return self._pending(event, project_id, kind, up_to)

    def _pending(
        self, event: dict[str, Any], project_id: str, kind: str, up_to: int
    ) -> PendingEvent:
        def acknowledge() -> None:
            with transaction(self._database) as db:
                db.execute(
                    "DELETE FROM outbox WHERE project_id = ? AND kind = ? AND id <= ?",
                    (project_id, kind, up_to),
                )

        return PendingEvent(event, acknowledge)
