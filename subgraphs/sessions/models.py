"""Plain domain types of sessions: launchers, sessions and what a launch needs of a project."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

LOCAL_JUPYTER = "LOCAL_JUPYTER"


class SessionState(Enum):
    """Where a session is in its life, as Renku names the states."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    FAILED = "FAILED"

    @property
    def is_live(self) -> bool:
        """True while a server process may exist for the session."""
        return self in (SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING)


@dataclass(frozen=True, slots=True)
class Launcher:
    """How to start a session for a project: a named environment."""

    id: str
    project_id: str
    name: str
    environment_kind: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A user's session of a project; `url` (with its secret) is set only for the owner."""

    id: str
    name: str
    project_id: str
    owner_id: str
    state: SessionState
    started_at: datetime
    launcher_id: str | None = None
    port: int | None = None
    pid: int | None = None
    url: str | None = None

    def with_state(self, state: SessionState) -> Session:
        """This session in another state."""
        return replace(self, state=state)


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """What a launch needs to know of a project, as the supergraph's `project` query tells it."""

    id: str
    namespace: str
    slug: str
    repositories: tuple[str, ...]
    can_write: bool
