"""What runs sessions (`SessionBackend`) and where projects are looked up (`ProjectDirectory`)."""

from __future__ import annotations

from typing import Protocol

from subgraphs.common.tokens import Identity
from subgraphs.sessions.models import Launcher, ProjectInfo, Session


class ProjectDirectory(Protocol):
    """Finds a project as the caller may see it."""

    async def project(self, project_id: str, caller: Identity) -> ProjectInfo | None:
        """The project, or None when it does not exist or the caller may not see it."""
        ...


class SessionBackend(Protocol):
    """Starts, lists and stops sessions, and keeps the projects' launchers."""

    async def start(self) -> None:
        """Prepare the backend when the service starts (reconcile what a crash left behind)."""
        ...

    async def close(self) -> None:
        """Stop every session this process runs; called when the service shuts down."""
        ...

    async def launch(self, caller: Identity, project_id: str, launcher_id: str | None) -> Session:
        """Start a session of a project for the caller; DomainError when it cannot."""
        ...

    async def delete(self, caller: Identity, session_id: str) -> None:
        """Stop and remove one of the caller's sessions; DomainError when it cannot."""
        ...

    def session(self, session_id: str, caller: Identity) -> Session | None:
        """One of the caller's sessions; None for someone else's."""
        ...

    def sessions(self, caller: Identity, project_id: str | None = None) -> list[Session]:
        """The caller's sessions, newest first, optionally of one project only."""
        ...

    async def launcher(self, launcher_id: str, caller: Identity) -> Launcher | None:
        """A launcher by id; None when its project is hidden from the caller."""
        ...

    async def launchers(self, project_id: str, caller: Identity) -> list[Launcher]:
        """A project's launchers, by name; empty when the project is hidden from the caller."""
        ...
