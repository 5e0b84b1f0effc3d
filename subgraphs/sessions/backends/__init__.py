"""What runs sessions (`SessionBackend`), where they are recorded and where projects are found.

Both backends (local processes, Kubernetes resources) keep their records in the same SQLite
store (`SqliteStore`); they differ in how a session's server is run, stopped and observed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol, TypeAlias

from strawberry.dataloader import DataLoader

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    ProjectInfo,
    Session,
    SessionTarget,
)

ProjectLoader: TypeAlias = DataLoader[str, ProjectInfo | None]
"""One GraphQL request's project lookups for its caller: batched, cached for that request only."""

__all__ = ["ProjectDirectory", "ProjectLoader", "SessionBackend", "SqliteStore"]


class ProjectDirectory(Protocol):
    """Finds projects as the caller may see them."""

    async def projects(
        self, project_ids: Sequence[str], caller: Identity
    ) -> dict[str, ProjectInfo]:
        """The projects among these that exist and the caller may see, by id."""
        ...


class SessionBackend(Protocol):
    """Runs, hibernates, resumes and removes sessions; `store` keeps every record.

    It trusts its caller: who may see or change what is decided in `core`. Every method that
    changes a session saves it in `store` and returns it as saved.
    """

    store: SqliteStore
    public_url: str
    launch_lock: asyncio.Lock
    max_live_sessions: int
    max_live_sessions_per_user: int

    async def start(self) -> None:
        """Re-adopt sessions still running from an earlier run; mark vanished ones FAILED."""
        ...

    async def close(self) -> None:
        """Hibernate every session this process runs; called when the service shuts down."""
        ...

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        ...

    async def launch(
        self,
        session: Session,
        project: ProjectInfo,
        environment: Environment,
        env: Sequence[EnvVar],
        owner: Identity,
    ) -> Session:
        """Start a recorded STARTING session: clone the project and run its server."""
        ...

    async def hibernate(self, session: Session) -> Session:
        """Stop the session's server and keep its files; HIBERNATED."""
        ...

    async def resume(self, session: Session, owner: Identity) -> Session:
        """Start a hibernated session's server again on its files; STARTING."""
        ...

    async def delete(self, session: Session) -> None:
        """Stop the session and remove it with its files."""
        ...

    async def logs(self, session: Session, max_lines: int) -> str:
        """The last lines the session's server wrote."""
        ...

    def target(self, session: Session) -> SessionTarget | None:
        """Where the session's server answers, while it may."""
        ...

    def renew_token(self, session: Session, owner: Identity) -> None:
        """Give the running session the owner's newest access token."""
        ...
