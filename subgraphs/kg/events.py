"""The ingestion event log and project registry of the kg, in SQLite.

An event is written (committed) before the route or mutation that raised it answers, so none
is lost across restarts. Events move NEW -> PROCESSING -> DONE | FAILED(message); events left
PROCESSING by a crash go back to NEW at start. The registry keeps each project's latest access
entry and repository URL, what `reindexAll` rebuilds the graph from beside the repositories.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from renku_fed.subgraphs.kg.models import (
    EventStatus,
    IndexingStatus,
    ProjectAccess,
    Role,
    Visibility,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  project_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_pending ON events (status, id);
CREATE INDEX IF NOT EXISTS events_project ON events (project_id, id);
CREATE TABLE IF NOT EXISTS projects (
  id TEXT PRIMARY KEY,
  access TEXT NOT NULL,
  repository TEXT
);
"""


class EventKind(Enum):
    """What an event asks of the ingester."""

    ACCESS = "ACCESS"  # a project created or changed: visibility, members, names
    DELETE = "DELETE"  # a project deleted
    PUSH = "PUSH"  # a commit reached the repository: re-read `.renku/` at `commit`
    CLEAR = "CLEAR"  # drop every graph (the start of `reindexAll`)


@dataclass(frozen=True, slots=True)
class Event:
    """One stored event."""

    id: int
    kind: EventKind
    project_id: str
    payload: dict[str, Any]
    attempts: int


def access_to_json(access: ProjectAccess) -> dict[str, Any]:
    """A project's access entry as JSON (the projects subgraph's event body)."""
    return {
        "id": access.id,
        "namespace": access.namespace,
        "slug": access.slug,
        "visibility": access.visibility.value,
        "members": [{"userId": u, "role": r.value} for u, r in access.members],
        "name": access.name,
        "description": access.description,
        "keywords": list(access.keywords),
        "dateCreated": access.date_created.isoformat() if access.date_created else None,
        "dateModified": access.date_modified.isoformat() if access.date_modified else None,
    }


def access_from_json(body: dict[str, Any]) -> ProjectAccess:
    """A project's access entry from JSON; KeyError or ValueError when malformed."""

    def moment(key: str) -> datetime | None:
        value = body.get(key)
        return datetime.fromisoformat(value) if value else None

    return ProjectAccess(
        id=str(body["id"]),
        namespace=str(body["namespace"]),
        slug=str(body["slug"]),
        visibility=Visibility(body["visibility"]),
        members=tuple((str(m["userId"]), Role(m["role"])) for m in body.get("members", [])),
        name=body.get("name"),
        description=body.get("description"),
        keywords=tuple(str(k) for k in body.get("keywords", [])),
        date_created=moment("dateCreated"),
        date_modified=moment("dateModified"),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


class EventLog:
    """Events and the project registry in `<data_dir>/events.sqlite3`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._db() as db:
            db.executescript(_SCHEMA)
            db.execute(
                "UPDATE events SET status = 'NEW', updated_at = ? WHERE status = 'PROCESSING'",
                (_now(),),
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self._path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def add(self, kind: EventKind, project_id: str, payload: dict[str, Any] | None = None) -> int:
        """Store a NEW event; its id once it is on disk."""
        now = _now()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO events (kind, project_id, payload, status, created_at, updated_at) "
                "VALUES (?, ?, ?, 'NEW', ?, ?)",
                (kind.value, project_id, json.dumps(payload or {}), now, now),
            )
            return int(cursor.lastrowid or 0)

    def claim(self) -> Event | None:
        """The oldest NEW event, now PROCESSING; None when none waits."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT * FROM events WHERE status = 'NEW' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE events SET status = 'PROCESSING', attempts = attempts + 1, "
                "updated_at = ? WHERE id = ?",
                (_now(), row["id"]),
            )
        return Event(
            row["id"], EventKind(row["kind"]), row["project_id"], json.loads(row["payload"]),
            row["attempts"] + 1,
        )  # fmt: skip

    def finish(self, event_id: int, status: EventStatus, message: str | None = None) -> None:
        """Move an event to DONE or FAILED, or note a retry's reason while it stays PROCESSING."""
        with self._db() as db:
            db.execute(
                "UPDATE events SET status = ?, message = ?, updated_at = ? WHERE id = ?",
                (status.value, message, _now(), event_id),
            )

    def pending(self) -> int:
        """How many events are NEW or PROCESSING."""
        with self._db() as db:
            row = db.execute(
                "SELECT COUNT(*) FROM events WHERE status IN ('NEW', 'PROCESSING')"
            ).fetchone()
        return int(row[0])

    def status(self, project_id: str) -> IndexingStatus | None:
        """Where a project's ingestion is: its oldest unfinished event, else its latest one.

        `progress` is the share of the project's events since its last finished one that are
        done (1.0 when nothing waits).
        """
        with self._db() as db:
            rows = db.execute(
                "SELECT status, message FROM events WHERE project_id = ? ORDER BY id DESC "
                "LIMIT 100",
                (project_id,),
            ).fetchall()
        if not rows:
            return None
        unfinished = [r for r in rows if r["status"] in ("NEW", "PROCESSING")]
        if not unfinished:
            return IndexingStatus(EventStatus(rows[0]["status"]), rows[0]["message"], 1.0)
        oldest = unfinished[-1]
        started = sum(1 for r in unfinished if r["status"] == "PROCESSING") * 0.5
        return IndexingStatus(
            EventStatus(oldest["status"]), oldest["message"], started / len(unfinished)
        )

    def register(self, access: ProjectAccess, repository: str | None) -> ProjectAccess | None:
        """Remember a project's access entry and repository; the entry it had before."""
        with self._db() as db:
            row = db.execute("SELECT access FROM projects WHERE id = ?", (access.id,)).fetchone()
            db.execute(
                "INSERT INTO projects (id, access, repository) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET access = excluded.access, "
                "repository = COALESCE(excluded.repository, projects.repository)",
                (access.id, json.dumps(access_to_json(access)), repository),
            )
        return access_from_json(json.loads(row["access"])) if row else None

    def forget(self, project_id: str) -> None:
        """Drop a deleted project from the registry."""
        with self._db() as db:
            db.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    def project(self, project_id: str) -> tuple[ProjectAccess, str | None] | None:
        """A registered project's access entry and repository URL."""
        with self._db() as db:
            row = db.execute(
                "SELECT access, repository FROM projects WHERE id = ?", (project_id,)
            ).fetchone()
        if row is None:
            return None
        return access_from_json(json.loads(row["access"])), row["repository"]

    def project_ids(self) -> list[str]:
        """Every registered project's id."""
        with self._db() as db:
            return [row[0] for row in db.execute("SELECT id FROM projects ORDER BY id")]
