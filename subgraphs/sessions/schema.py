"""The sessions subgraph's schema: sessions and what they are made of; extends Project and User."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import aclosing
from typing import TypeVar

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.sessions.core import catalog, events
from renku_fed.subgraphs.sessions.core import sessions as cases
from renku_fed.subgraphs.sessions.models import EnvVar
from renku_fed.subgraphs.sessions.models import Session as SessionModel
from renku_fed.subgraphs.sessions.types import (
    Environment,
    Info,
    Project,
    ResourcePool,
    Session,
    SessionLauncher,
    SessionsContext,
    User,
)
from renku_fed.subgraphs.sessions.types_inputs import (
    DeletePayload,
    LaunchSessionInput,
    LaunchSessionPayload,
    SessionPayload,
    changes_of,
)
from renku_fed.subgraphs.sessions.types_mutations import CatalogMutation

T = TypeVar("T")


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


async def resolve_session(info: Info, id: strawberry.ID) -> Session | None:
    """A session of the caller's (any session for an admin)."""
    return await Session.resolve_reference(info, id)


async def resolve_sessions(info: Info, all_users: bool = False) -> list[Session]:
    """The caller's sessions; everyone's for an admin asking `allUsers`."""
    context = info.context
    found = await cases.sessions(context.backend, context.identity, everyone=all_users)
    return [Session.from_model(session) for session in found]


async def resolve_environments(info: Info) -> list[Environment]:
    """Every environment, by name."""
    found = await catalog.environments(info.context.backend)
    return [Environment.from_model(item) for item in found]


async def resolve_pools(info: Info) -> list[ResourcePool]:
    """The resource pools the caller may use (all of them for admins)."""
    found = await catalog.pools(info.context.backend, info.context.identity)
    return [ResourcePool.from_model(item) for item in found]


@strawberry.type
class Query:
    """The sessions subgraph's root fields."""

    session: Session | None = strawberry.field(
        resolver=resolve_session,
        description="One of your sessions; null for anyone else's.",
        directives=[Authenticated()],
    )
    sessions: list[Session] = strawberry.field(
        resolver=resolve_sessions, description="Your sessions, newest first; empty when anonymous."
    )
    environments: list[Environment] = strawberry.field(
        resolver=resolve_environments, description="The environments launchers may use."
    )
    resource_pools: list[ResourcePool] = strawberry.field(
        resolver=resolve_pools, description="The resource pools you may use."
    )


async def attempt(work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """The work's result, or the user error it raised."""
    try:
        return await work, []
    except DomainError as error:
        return None, [UserError.from_domain(error)]


async def resolve_launch(info: Info, input: LaunchSessionInput) -> LaunchSessionPayload:
    """Start your session of a launcher, or return the one you have."""
    changes = changes_of(input)
    request = cases.LaunchRequest(
        launcher_id=_str(changes.get("launcher_id")),
        project_id=_str(changes.get("project_id")),
        resource_class_id=_str(changes.get("resource_class_id")),
        disk_storage=changes.get("disk_storage"),
        env_overrides=tuple[EnvVar, ...](changes.get("env_overrides", ())),
    )
    context = info.context
    result, errors = await attempt(
        cases.launch_session(context.backend, context.identity, context.projects, request)
    )
    if result is None:
        return LaunchSessionPayload(session=None, created=False, errors=errors)
    session, created = result
    return LaunchSessionPayload(session=Session.from_model(session), created=created, errors=[])


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _session_change(
    case: Callable[..., Awaitable[object]],
) -> Callable[[Info, strawberry.ID], Awaitable[SessionPayload]]:
    async def resolve(info: Info, id: strawberry.ID) -> SessionPayload:
        found, errors = await attempt(case(info.context.backend, info.context.identity, str(id)))
        session = Session.from_model(found) if found is not None else None  # type: ignore[arg-type]
        return SessionPayload(session=session, errors=errors)

    resolve.__doc__ = case.__doc__
    return resolve


async def resolve_delete_session(info: Info, id: strawberry.ID) -> DeletePayload:
    """Stop one of your sessions and remove it with its files."""
    context = info.context
    _, errors = await attempt(cases.delete_session(context.backend, context.identity, str(id)))
    return DeletePayload(id=None if errors else id, errors=errors)


@strawberry.type
class Mutation(CatalogMutation):
    """The sessions subgraph's mutations."""

    launch_session: LaunchSessionPayload = strawberry.mutation(
        resolver=resolve_launch,
        description="Start your session of a launcher; a second call returns the same session.",
        directives=[Authenticated()],
    )
    hibernate_session: SessionPayload = strawberry.mutation(
        resolver=_session_change(cases.hibernate_session),
        description="Stop a session's server and keep its files.",
        directives=[Authenticated()],
    )
    resume_session: SessionPayload = strawberry.mutation(
        resolver=_session_change(cases.resume_session),
        description="Start a hibernated session again on its files.",
        directives=[Authenticated()],
    )
    touch_session: SessionPayload = strawberry.mutation(
        resolver=_session_change(cases.touch_session),
        description="Reset a session's idle timer.",
        directives=[Authenticated()],
    )
    delete_session: DeletePayload = strawberry.mutation(
        resolver=resolve_delete_session,
        description="Stop one of your sessions and remove it with its files.",
        directives=[Authenticated()],
    )


async def _typed(
    changes: AsyncGenerator[SessionModel, None],
) -> AsyncGenerator[Session | None, None]:
    async with aclosing(changes):
        async for item in changes:
            yield Session.from_model(item)


async def resolve_session_changed(
    info: Info, id: strawberry.ID
) -> AsyncGenerator[Session | None, None]:
    """One of your sessions now, then after each change of its state, message or URL."""
    context = info.context
    return _typed(await events.session_changes(context.backend, context.identity, str(id)))


async def resolve_my_sessions_changed(info: Info) -> AsyncGenerator[Session | None, None]:
    """Any of your sessions, after each change of its state, message or URL."""
    context = info.context
    return _typed(await events.my_session_changes(context.backend, context.identity))


@strawberry.type
class Subscription:
    """The sessions subgraph's live fields."""

    session_changed: AsyncGenerator[Session | None, None] = strawberry.subscription(
        resolver=resolve_session_changed,
        description="One of your sessions as it is now, then each time its state, message or "
        "URL changes; ends when it is deleted. NOT_FOUND for anyone else's.",
        directives=[Authenticated()],
    )
    my_sessions_changed: AsyncGenerator[Session | None, None] = strawberry.subscription(
        resolver=resolve_my_sessions_changed,
        description="Each change of state, message or URL of any of your sessions.",
        directives=[Authenticated()],
    )


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Project, User, Session, SessionLauncher],
    extensions=[mask_errors, PerRequestProjectLoader],
)
