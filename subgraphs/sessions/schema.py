"""The sessions subgraph's schema: sessions and launchers; extends Project and User."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema_directives import Authenticated
from strawberry.types import Info

from renku_fed.subgraphs.common.app import RequestContext, mask_errors
from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.sessions import models
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend

SessionState = strawberry.enum(models.SessionState, description="Where a session is in its life.")


@dataclass(kw_only=True)
class SessionsContext(RequestContext[SessionBackend]):
    """A request's context with its own project loader, so its lookups batch and never leak."""

    projects: ProjectLoader


class PerRequestProjectLoader(SchemaExtension):
    """Gives each GraphQL request a `SessionsContext` with a new project loader for its caller."""

    def on_operation(self) -> Iterator[None]:
        """Swap the shared context for one with this request's loader, before anything runs."""
        context = self.execution_context.context
        self.execution_context.context = SessionsContext(
            identity=context.identity,
            backend=context.backend,
            request=context.request,
            projects=context.backend.project_loader(context.identity),
        )
        yield


SessionsInfo = Info[SessionsContext, Any]


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

    @strawberry.field(description="The project this launcher belongs to.")
    def project(self) -> Project:
        """The launcher's project."""
        return Project(id=strawberry.ID(self.project_id))

    @classmethod
    def of(cls, launcher: models.Launcher) -> SessionLauncher:
        """The GraphQL view of a launcher."""
        return cls(
            id=strawberry.ID(launcher.id),
            name=launcher.name,
            description=launcher.description,
            environment_kind=launcher.environment_kind,
            project_id=launcher.project_id,
        )

    @classmethod
    async def resolve_reference(
        cls, info: SessionsInfo, id: strawberry.ID
    ) -> SessionLauncher | None:
        """The launcher with this id, when the caller may see its project."""
        launcher = await info.context.backend.launcher(str(id), info.context.projects)
        return cls.of(launcher) if launcher else None


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

    @strawberry.field(description="The project the session works on.")
    def project(self) -> Project:
        """The session's project."""
        return Project(id=strawberry.ID(self.project_id))

    @strawberry.field(description="The launcher the session was started from.")
    async def launcher(self, info: SessionsInfo) -> SessionLauncher | None:
        """The session's launcher, if it still exists."""
        if self.launcher_id is None:
            return None
        return await SessionLauncher.resolve_reference(info, strawberry.ID(self.launcher_id))

    @strawberry.field(description="Who started the session.")
    def created_by(self) -> User:
        """The session's owner."""
        return User(id=strawberry.ID(self.owner_id))

    @classmethod
    def of(cls, session: models.Session) -> Session:
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
    def resolve_reference(cls, info: SessionsInfo, id: strawberry.ID) -> Session | None:
        """The session with this id, for its owner only."""
        session = info.context.backend.session(str(id), info.context.identity)
        return cls.of(session) if session else None


@strawberry.federation.type(keys=["id"])
class Project:
    """The project entity, extended with sessions and launchers."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Project:
        """A project stub."""
        return cls(id=id)

    @strawberry.field(description="Your sessions of this project (sessions are personal).")
    def sessions(self, info: SessionsInfo) -> list[Session]:
        """The caller's sessions of the project; empty when anonymous."""
        found = info.context.backend.sessions(info.context.identity, str(self.id))
        return [Session.of(s) for s in found]

    @strawberry.field(
        description="The ways to start a session of this project; empty when you may not see it."
    )
    async def launchers(self, info: SessionsInfo) -> list[SessionLauncher]:
        """The project's launchers, when the caller may see the project."""
        found = await info.context.backend.launchers(str(self.id), info.context.projects)
        return [SessionLauncher.of(x) for x in found]


@strawberry.federation.type(keys=["id"])
class User:
    """The user entity, extended with their sessions."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A user stub."""
        return cls(id=id)

    @strawberry.field(description="The user's sessions; only visible to the user themselves.")
    def sessions(self, info: SessionsInfo) -> list[Session]:
        """The user's sessions when the caller is that user, otherwise empty."""
        identity = info.context.identity
        if identity.subject != str(self.id):
            return []
        return [Session.of(s) for s in info.context.backend.sessions(identity)]


@strawberry.type
class Query:
    """The sessions subgraph's root fields."""

    @strawberry.field(
        description="One of your sessions; null for anyone else's.", directives=[Authenticated()]
    )
    def session(self, info: SessionsInfo, id: strawberry.ID) -> Session | None:
        """A session of the caller's."""
        return Session.resolve_reference(info, id)

    @strawberry.field(description="Your sessions, newest first; empty when anonymous.")
    def my_sessions(self, info: SessionsInfo) -> list[Session]:
        """The caller's sessions."""
        return [Session.of(s) for s in info.context.backend.sessions(info.context.identity)]


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


@strawberry.type
class Mutation:
    """The sessions subgraph's mutations."""

    @strawberry.mutation(
        description="Start a session of a project (signed-in users only).",
        directives=[Authenticated()],
    )
    async def launch_session(self, info: SessionsInfo, input: LaunchSessionInput) -> SessionPayload:
        """Launch a session; STARTING until its server answers."""
        launcher_id = str(input.launcher_id) if input.launcher_id else None
        try:
            session = await info.context.backend.launch(
                info.context.identity, info.context.projects, str(input.project_id), launcher_id
            )
        except DomainError as error:
            return SessionPayload(session=None, errors=[UserError.from_domain(error)])
        return SessionPayload(session=Session.of(session), errors=[])

    @strawberry.mutation(
        description="Stop one of your sessions and remove it.", directives=[Authenticated()]
    )
    async def delete_session(self, info: SessionsInfo, id: strawberry.ID) -> DeleteSessionPayload:
        """Delete a session of the caller's."""
        try:
            await info.context.backend.delete(info.context.identity, str(id))
        except DomainError as error:
            return DeleteSessionPayload(id=None, errors=[UserError.from_domain(error)])
        return DeleteSessionPayload(id=id, errors=[])


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[Project, User, Session, SessionLauncher],
    extensions=[mask_errors, PerRequestProjectLoader],
)
