"""What runs sessions (`SessionBackend`) and where projects are looked up (`ProjectDirectory`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeAlias

from strawberry.dataloader import DataLoader

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.sessions.models import Launcher, ProjectInfo, Session

ProjectLoader: TypeAlias = DataLoader[str, ProjectInfo | None]
"""One GraphQL request's project lookups for its caller: batched, cached for that request only."""


class ProjectDirectory(Protocol):
    """Finds projects as the caller may see them."""

    async def projects(
        self, project_ids: Sequence[str], caller: Identity
    ) -> dict[str, ProjectInfo]:
        """The projects among these that exist and the caller may see, by id."""
        ...


class SessionBackend(Protocol):
    """Starts, lists and stops sessions, and keeps the projects' launchers."""

    async def start(self) -> None:
        """Prepare the backend when the service starts (reconcile what a crash left behind)."""
        ...

    async def close(self) -> None:
        """Stop every session this process runs; called when the service shuts down."""
        ...

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        ...

    async def launch(
        self, caller: Identity, projects: ProjectLoader, project_id: str, launcher_id: str | None
    ) -> Session:
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

    async def launcher(self, launcher_id: str, projects: ProjectLoader) -> Launcher | None:
        """A launcher by id; None when its project is hidden from the loader's caller."""
        ...

    async def launchers(self, project_id: str, projects: ProjectLoader) -> list[Launcher]:
        """A project's launchers, by name; empty when the project is hidden from its caller."""
        ...
