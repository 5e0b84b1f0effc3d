"""The sessions service's records in SQLite: environments, pools, classes, launchers, sessions.

Each record is a JSON document beside the columns it is looked up by; every call opens its own
short connection, so calls may run in worker threads (`asyncio.to_thread`).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from renku_fed.subgraphs.common.sqlite import transaction
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    Launcher,
    ResourceClass,
    ResourcePool,
    Resources,
    Session,
    SessionState,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS environments (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS classes (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS launchers (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, environment_id TEXT NOT NULL,
    resource_class_id TEXT, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS launchers_project ON launchers (project_id);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, project_id TEXT NOT NULL,
    launcher_id TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner_id, launcher_id);
"""

Record = TypeVar("Record", Environment, ResourcePool, ResourceClass, Launcher, Session)

SessionListener: TypeAlias = Callable[[str, Session | None], None]
"""Told a session's id and its saved record (None once deleted), from the thread that wrote it."""


def _encode(value: object) -> str:
    def default(item: object) -> object:
        if isinstance(item, datetime):
            return item.isoformat()
        if isinstance(item, SessionState):
            return item.value
        if isinstance(item, EnvVar):
            return {"name": item.name, "value": item.value}
        raise TypeError(type(item).__name__)

    data = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
    data = {k: dataclasses.asdict(v) if isinstance(v, Resources) else v for k, v in data.items()}
    return json.dumps(data, default=default)


def _decode(kind: type[Record], text: str) -> Record:
    data: dict[str, Any] = json.loads(text)
    for name in ("command", "args", "users"):
        if name in data:
            data[name] = tuple(data[name])
    if "env_variables" in data:
        data["env_variables"] = tuple(EnvVar(**item) for item in data["env_variables"])
    if kind is Session:
        data["state"] = SessionState(data["state"])
        data["resources"] = Resources(**data["resources"])
        for name in ("started_at", "last_interaction", "hibernated_at"):
            if data.get(name):
                data[name] = datetime.fromisoformat(data[name])
    return kind(**data)


class SqliteStore:
    """The records of one sessions service, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self.listeners: list[SessionListener] = []
        with transaction(path) as db:
            db.executescript(_SCHEMA)

    def _rows(self, query: str, *parameters: object) -> list[sqlite3.Row]:
        with transaction(self._path) as db:
            return list(db.execute(query, parameters))

    def _one(self, kind: type[Record], table: str, record_id: str) -> Record | None:
        rows = self._rows(f"SELECT data FROM {table} WHERE id = ?", record_id)
        return _decode(kind, rows[0]["data"]) if rows else None

    def _all(self, kind: type[Record], query: str, *parameters: object) -> list[Record]:
        return [_decode(kind, row["data"]) for row in self._rows(query, *parameters)]

    def _delete(self, table: str, record_id: str) -> bool:
        with transaction(self._path) as db:
            return db.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,)).rowcount > 0

    def is_empty(self) -> bool:
        """True when there is no environment, pool or launcher yet."""
        query = (
            "SELECT (SELECT COUNT(*) FROM environments) + (SELECT COUNT(*) FROM pools) "
            "+ (SELECT COUNT(*) FROM launchers) AS n"
        )
        return int(self._rows(query)[0]["n"]) == 0

    def save_environment(self, environment: Environment) -> None:
        """Insert or replace an environment."""
        with transaction(self._path) as db:
            db.execute(
                "INSERT OR REPLACE INTO environments VALUES (?, ?)",
                (environment.id, _encode(environment)),
            )

    def environment(self, environment_id: str) -> Environment | None:
        """An environment by id."""
        return self._one(Environment, "environments", environment_id)

    def environments(self) -> list[Environment]:
        """Every environment, by name."""
        found = self._all(Environment, "SELECT data FROM environments")
        return sorted(found, key=lambda item: (item.name, item.id))

    def delete_environment(self, environment_id: str) -> bool:
        """Remove an environment; True when it existed."""
        return self._delete("environments", environment_id)

    def save_pool(self, pool: ResourcePool) -> None:
        """Insert or replace a resource pool."""
        with transaction(self._path) as db:
            db.execute("INSERT OR REPLACE INTO pools VALUES (?, ?)", (pool.id, _encode(pool)))

    def pool(self, pool_id: str) -> ResourcePool | None:
        """A resource pool by id."""
        return self._one(ResourcePool, "pools", pool_id)

    def pools(self) -> list[ResourcePool]:
        """Every resource pool, by name."""
        found = self._all(ResourcePool, "SELECT data FROM pools")
        return sorted(found, key=lambda item: (item.name, item.id))

    def delete_pool(self, pool_id: str) -> bool:
        """Remove a pool and its classes; True when it existed."""
        with transaction(self._path) as db:
            db.execute("DELETE FROM classes WHERE pool_id = ?", (pool_id,))
            return db.execute("DELETE FROM pools WHERE id = ?", (pool_id,)).rowcount > 0

    def save_class(self, resource_class: ResourceClass) -> None:
        """Insert or replace a resource class."""
        with transaction(self._path) as db:
            db.execute(
                "INSERT OR REPLACE INTO classes VALUES (?, ?, ?)",
                (resource_class.id, resource_class.pool_id, _encode(resource_class)),
            )

    def resource_class(self, class_id: str) -> ResourceClass | None:
        """A resource class by id."""
        return self._one(ResourceClass, "classes", class_id)

    def classes(self, pool_id: str) -> list[ResourceClass]:
        """A pool's classes, by name."""
        found = self._all(ResourceClass, "SELECT data FROM classes WHERE pool_id = ?", pool_id)
        return sorted(found, key=lambda item: (item.name, item.id))

    def delete_class(self, class_id: str) -> bool:
        """Remove a resource class; True when it existed."""
        return self._delete("classes", class_id)

    def save_launcher(self, launcher: Launcher) -> None:
        """Insert or replace a launcher."""
        with transaction(self._path) as db:
            db.execute(
                "INSERT OR REPLACE INTO launchers VALUES (?, ?, ?, ?, ?)",
                (
                    launcher.id,
                    launcher.project_id,
                    launcher.environment_id,
                    launcher.resource_class_id,
                    _encode(launcher),
                ),
            )

    def launcher(self, launcher_id: str) -> Launcher | None:
        """A launcher by id."""
        return self._one(Launcher, "launchers", launcher_id)

    def launchers(self, project_id: str) -> list[Launcher]:
        """A project's launchers, by name."""
        found = self._all(Launcher, "SELECT data FROM launchers WHERE project_id = ?", project_id)
        return sorted(found, key=lambda item: (item.name, item.id))

    def launchers_using(self, column: str, value: str) -> int:
        """How many launchers name this environment or class (`column` picks which)."""
        assert column in ("environment_id", "resource_class_id")
        rows = self._rows(f"SELECT COUNT(*) AS n FROM launchers WHERE {column} = ?", value)
        return int(rows[0]["n"])

    def delete_launcher(self, launcher_id: str) -> bool:
        """Remove a launcher; True when it existed."""
        return self._delete("launchers", launcher_id)

    def save_session(self, session: Session) -> None:
        """Insert or replace a session (its URL is not stored: it is derived)."""
        stored = dataclasses.replace(session, url=None)
        with transaction(self._path) as db:
            db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    session.id,
                    session.owner_id,
                    session.project_id,
                    session.launcher_id,
                    session.state.value,
                    session.started_at.isoformat(),
                    _encode(stored),
                ),
            )
        for listener in self.listeners:
            listener(session.id, stored)

    def session(self, session_id: str) -> Session | None:
        """A session by id."""
        return self._one(Session, "sessions", session_id)

    def sessions(self, owner_id: str | None, project_id: str | None = None) -> list[Session]:
        """Sessions newest first, of one owner (None: everyone's), optionally of one project."""
        query, parameters = "SELECT data FROM sessions WHERE 1 = 1", []
        if owner_id is not None:
            query, parameters = query + " AND owner_id = ?", [owner_id]
        if project_id is not None:
            query += " AND project_id = ?"
            parameters.append(project_id)
        return self._all(Session, query + " ORDER BY started_at DESC, id DESC", *parameters)

    def session_of(self, owner_id: str, launcher_id: str) -> Session | None:
        """The owner's session from this launcher, if any."""
        found = self._all(
            Session,
            "SELECT data FROM sessions WHERE owner_id = ? AND launcher_id = ?",
            owner_id,
            launcher_id,
        )
        return found[0] if found else None

    def sessions_in(self, *states: SessionState) -> list[Session]:
        """Every session in one of these states."""
        marks = ", ".join("?" for _ in states)
        query = f"SELECT data FROM sessions WHERE state IN ({marks})"
        return self._all(Session, query, *(state.value for state in states))

    def touch(self, session_id: str, when: datetime) -> None:
        """Record a use of the session, changing nothing else of it."""
        with transaction(self._path) as db:
            db.execute(
                "UPDATE sessions SET data = json_set(data, '$.last_interaction', ?) WHERE id = ?",
                (when.isoformat(), session_id),
            )

    def delete_session(self, session_id: str) -> bool:
        """Forget a session; True when it existed."""
        deleted = self._delete("sessions", session_id)
        for listener in self.listeners:
            listener(session_id, None)
        return deleted
