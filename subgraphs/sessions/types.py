"""The sessions subgraph's GraphQL types: sessions and launchers; Project and User extended.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy; they ask `core` and build each type from its model with `from_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.errors import UserError
from renku_fed.subgraphs.sessions import core, models
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend

SessionState = strawberry.enum(models.SessionState, description="Where a session is in its life.")


@dataclass(kw_only=True)
class SessionsContext(RequestContext[SessionBackend]):
    """A request's context with its own project loader, so its lookups batch and never leak."""

    projects: ProjectLoader


Info: TypeAlias = strawberry.Info[SessionsContext, None]


def resolve_launcher_project(root: SessionLauncher) -> Project:
    """The launcher's project."""
    return Project(id=strawberry.ID(root.project_id))


@strawberry.federation.type(keys=["id"], description="How to start a session for a project.")
class SessionLauncher:
    """A launcher: a named environment for a project's sessions."""

    id: strawberry.ID
    name: str
    description: str | None
    environment_kind: str = strawberry.field(
        description="The kind of environment, e.g. LOCAL_JUPYTER."
    )
    project_id: strawberry.Private[str]
    project: Project = strawberry.field(
        resolver=resolve_launcher_project, description="The project this launcher belongs to."
    )

    @classmethod
    def from_model(cls, launcher: models.Launcher) -> SessionLauncher:
        """The GraphQL view of a launcher."""
        return cls(
            id=strawberry.ID(launcher.id),
            name=launcher.name,
            description=launcher.description,
            environment_kind=launcher.environment_kind,
            project_id=launcher.project_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> SessionLauncher | None:
        """The launcher with this id, when the caller may see its project."""
        found = await core.launcher(info.context.backend, info.context.projects, str(id))
        return cls.from_model(found) if found else None


def resolve_session_project(root: Session) -> Project:
    """The session's project."""
    return Project(id=strawberry.ID(root.project_id))


async def resolve_session_launcher(root: Session, info: Info) -> SessionLauncher | None:
    """The session's launcher, if it still exists."""
    if root.launcher_id is None:
        return None
    return await SessionLauncher.resolve_reference(info, strawberry.ID(root.launcher_id))


def resolve_session_created_by(root: Session) -> User:
    """The session's owner."""
    return User(id=strawberry.ID(root.owner_id))


@strawberry.federation.type(keys=["id"], description="An interactive session of a project.")
class Session:
    """A user's running (or stopped) session; only its owner can see it."""

    id: strawberry.ID
    name: str
    state: SessionState  # type: ignore[valid-type]
    url: str | None = strawberry.field(
        description="Where to open the session in a browser; it carries the session's secret."
    )
    started_at: datetime
    project_id: strawberry.Private[str]
    owner_id: strawberry.Private[str]
    launcher_id: strawberry.Private[str | None]
    project: Project = strawberry.field(
        resolver=resolve_session_project, description="The project the session works on."
    )
    launcher: SessionLauncher | None = strawberry.field(
        resolver=resolve_session_launcher, description="The launcher the session was started from."
    )
    created_by: User = strawberry.field(
        resolver=resolve_session_created_by, description="Who started the session."
    )

    @classmethod
    def from_model(cls, session: models.Session) -> Session:
        """The GraphQL view of a session."""
        return cls(
            id=strawberry.ID(session.id),
            name=session.name,
            state=session.state,
            url=session.url,
            started_at=session.started_at,
            project_id=session.project_id,
            owner_id=session.owner_id,
            launcher_id=session.launcher_id,
        )

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> Session | None:
        """The session with this id, for its owner only."""
        found = core.session(info.context.backend, info.context.identity, str(id))
        return cls.from_model(found) if found else None


def resolve_project_sessions(root: Project, info: Info) -> list[Session]:
    """The caller's sessions of the project; empty when anonymous."""
    found = core.sessions(info.context.backend, info.context.identity, str(root.id))
    return [Session.from_model(session) for session in found]


async def resolve_project_launchers(root: Project, info: Info) -> list[SessionLauncher]:
    """The project's launchers, when the caller may see the project."""
    found = await core.launchers(info.context.backend, info.context.projects, str(root.id))
    return [SessionLauncher.from_model(launcher) for launcher in found]


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with sessions and launchers."""

    id: strawberry.ID
    sessions: list[Session] = strawberry.field(
        resolver=resolve_project_sessions,
        description="Your sessions of this project (sessions are personal).",
    )
    launchers: list[SessionLauncher] = strawberry.field(
        resolver=resolve_project_launchers,
        description="The ways to start a session of this project; empty when you may not see it.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub."""
        return cls(id=id)


def resolve_user_sessions(root: User, info: Info) -> list[Session]:
    """The user's sessions when the caller is that user, otherwise empty."""
    found = core.user_sessions(info.context.backend, info.context.identity, str(root.id))
    return [Session.from_model(session) for session in found]


@strawberry.federation.type(keys=["id"])
class User:
    """The user entity, extended with their sessions."""

    id: strawberry.ID
    sessions: list[Session] = strawberry.field(
        resolver=resolve_user_sessions,
        description="The user's sessions; only visible to the user themselves.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A user stub."""
        return cls(id=id)


@strawberry.input(description="Which project to open, and optionally with which launcher.")
class LaunchSessionInput:
    """Arguments of `launchSession`."""

    project_id: strawberry.ID
    launcher_id: strawberry.ID | None = strawberry.UNSET


@strawberry.type(description="The result of `launchSession`.")
class SessionPayload:
    """The launched session, or why there is none."""

    session: Session | None
    errors: list[UserError]


@strawberry.type(description="The result of `deleteSession`.")
class DeleteSessionPayload:
    """The id of the deleted session, or why nothing was deleted."""

    id: strawberry.ID | None
    errors: list[UserError]
