"""The sessions subgraph's schema: sessions and launchers; extends Project and User."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.sessions import core
from renku_fed.subgraphs.sessions.types import (
    DeleteSessionPayload,
    Info,
    LaunchSessionInput,
    Project,
    Session,
    SessionLauncher,
    SessionPayload,
    SessionsContext,
    User,
)


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


def resolve_session(info: Info, id: strawberry.ID) -> Session | None:
    """A session of the caller's."""
    return Session.resolve_reference(info, id)


def resolve_my_sessions(info: Info) -> list[Session]:
    """The caller's sessions."""
    found = core.sessions(info.context.backend, info.context.identity)
    return [Session.from_model(session) for session in found]


@strawberry.type
class Query:
    """The sessions subgraph's root fields."""

    session: Session | None = strawberry.field(
        resolver=resolve_session,
        description="One of your sessions; null for anyone else's.",
        directives=[Authenticated()],
    )
    my_sessions: list[Session] = strawberry.field(
        resolver=resolve_my_sessions,
        description="Your sessions, newest first; empty when anonymous.",
    )


async def resolve_launch_session(info: Info, input: LaunchSessionInput) -> SessionPayload:
    """Launch a session; STARTING until its server answers."""
    context = info.context
    launcher_id = str(input.launcher_id) if input.launcher_id else None
    try:
        session = await core.launch_session(
            context.backend, context.identity, context.projects, str(input.project_id), launcher_id
        )
    except DomainError as error:
        return SessionPayload(session=None, errors=[UserError.from_domain(error)])
    return SessionPayload(session=Session.from_model(session), errors=[])


async def resolve_delete_session(info: Info, id: strawberry.ID) -> DeleteSessionPayload:
    """Delete a session of the caller's."""
    try:
        await core.delete_session(info.context.backend, info.context.identity, str(id))
    except DomainError as error:
        return DeleteSessionPayload(id=None, errors=[UserError.from_domain(error)])
    return DeleteSessionPayload(id=id, errors=[])


@strawberry.type
class Mutation:
    """The sessions subgraph's mutations."""

    launch_session: SessionPayload = strawberry.mutation(
        resolver=resolve_launch_session,
        description="Start a session of a project (signed-in users only).",
        directives=[Authenticated()],
    )
    delete_session: DeleteSessionPayload = strawberry.mutation(
        resolver=resolve_delete_session,
        description="Stop one of your sessions and remove it.",
        directives=[Authenticated()],
    )


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[Project, User, Session, SessionLauncher],
    extensions=[mask_errors, PerRequestProjectLoader],
)
