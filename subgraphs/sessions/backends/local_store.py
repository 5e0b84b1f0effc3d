"""The local backend's SQLite tables of sessions and launchers, in the service's data folder."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from renku_fed.subgraphs.sessions.models import Launcher, Session, SessionState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS launchers (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    environment_kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS launchers_project ON launchers (project_id);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    project_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    launcher_id TEXT,
    state TEXT NOT NULL,
    started_at TEXT NOT NULL,
    port INTEGER,
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_owner ON sessions (owner_id, project_id);
"""
_SESSION_COLUMNS = "id, name, project_id, owner_id, launcher_id, state, started_at, port, pid"


class SessionStore:
    """Sessions and launchers in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def has_launchers(self) -> bool:
        """True when at least one launcher exists."""
        return self._db.execute("SELECT 1 FROM launchers LIMIT 1").fetchone() is not None

    def add_launcher(self, launcher: Launcher) -> None:
        """Store a new launcher."""
        self._db.execute(
            "INSERT INTO launchers (id, project_id, name, description, environment_kind) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                launcher.id,
                launcher.project_id,
                launcher.name,
                launcher.description,
                launcher.environment_kind,
            ),
        )

    def launcher(self, launcher_id: str) -> Launcher | None:
        """A launcher by id."""
        row = self._db.execute("SELECT * FROM launchers WHERE id = ?", (launcher_id,)).fetchone()
        return _launcher(row) if row else None

    def launchers(self, project_id: str) -> list[Launcher]:
        """A project's launchers, by name."""
        rows = self._db.execute(
            "SELECT * FROM launchers WHERE project_id = ? ORDER BY name, id", (project_id,)
        )
        return [_launcher(row) for row in rows]

    def save(self, session: Session) -> None:
        """Insert or update a session."""
        self._db.execute(
            f"INSERT OR REPLACE INTO sessions ({_SESSION_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.id,
                session.name,
                session.project_id,
                session.owner_id,
                session.launcher_id,
                session.state.value,
                session.started_at.isoformat(),
                session.port,
                session.pid,
            ),
        )

    def set_state(self, session_id: str, state: SessionState) -> None:
        """Change a session's state."""
        self._db.execute("UPDATE sessions SET state = ? WHERE id = ?", (state.value, session_id))

    def remove(self, session_id: str) -> None:
        """Forget a session."""
        self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def session(self, session_id: str) -> Session | None:
        """A session by id."""
        row = self._db.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        return _session(row) if row else None

    def sessions(self, owner_id: str, project_id: str | None = None) -> list[Session]:
        """An owner's sessions, newest first, optionally of one project."""
        query = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE owner_id = ?"
        parameters: tuple[str, ...] = (owner_id,)
        if project_id is not None:
            query += " AND project_id = ?"
            parameters += (project_id,)
        rows = self._db.execute(query + " ORDER BY started_at DESC, id DESC", parameters)
        return [_session(row) for row in rows]

    def live_sessions(self) -> list[Session]:
        """Sessions whose state says a server process may exist."""
        live = tuple(state.value for state in SessionState if state.is_live)
        rows = self._db.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE state IN (?, ?, ?)", live
        )
        return [_session(row) for row in rows]


def _launcher(row: sqlite3.Row) -> Launcher:
    return Launcher(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        description=row["description"],
        environment_kind=row["environment_kind"],
    )


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        name=row["name"],
        project_id=row["project_id"],
        owner_id=row["owner_id"],
        launcher_id=row["launcher_id"],
        state=SessionState(row["state"]),
        started_at=datetime.fromisoformat(row["started_at"]),
        port=row["port"],
        pid=row["pid"],
    )
