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
    """Starts, lists and stops sessions, and keeps the projects' launchers.

    It trusts its caller: who may see or change what is decided in `core`.
    """

    async def start(self) -> None:
        """Prepare the backend when the service starts (reconcile what a crash left behind)."""
        ...

    async def close(self) -> None:
        """Stop every session this process runs; called when the service shuts down."""
        ...

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        ...

    async def launch(self, owner: str, project: ProjectInfo, launcher: Launcher | None) -> Session:
        """Start a session of a project for its owner; DomainError when it cannot.

        FORBIDDEN when the owner already has as many live sessions as the backend allows.
        """
        ...

    async def delete(self, session_id: str) -> None:
        """Stop and remove a session and its working folder."""
        ...

    def session(self, session_id: str) -> Session | None:
        """A session by id, with its URL while it is live."""
        ...

    def sessions(self, owner_id: str, project_id: str | None = None) -> list[Session]:
        """An owner's sessions, newest first, optionally of one project only."""
        ...

    def launcher(self, launcher_id: str) -> Launcher | None:
        """A launcher by id."""
        ...

    def launchers(self, project_id: str) -> list[Launcher]:
        """A project's launchers, by name."""
        ...
