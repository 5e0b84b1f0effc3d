"""Mutations of what sessions are made from: environments, launchers, resource pools, classes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.federation.schema_directives import Authenticated

from renku_fed.subgraphs.common.errors import DomainError, UserError
from renku_fed.subgraphs.sessions.core import catalog
from renku_fed.subgraphs.sessions.types import (
    Environment,
    Info,
    ResourceClass,
    ResourcePool,
    SessionLauncher,
)
from renku_fed.subgraphs.sessions.types_inputs import (
    DeletePayload,
    EnvironmentInput,
    EnvironmentPayload,
    ResourceClassInput,
    ResourceClassPayload,
    ResourcePoolInput,
    ResourcePoolPayload,
    SessionLauncherInput,
    SessionLauncherPayload,
    changes_of,
)

T = TypeVar("T")


async def _attempt(work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    try:
        return await work, []
    except DomainError as error:
        return None, [UserError.from_domain(error)]


async def _deleted(id: strawberry.ID, work: Awaitable[None]) -> DeletePayload:
    _, errors = await _attempt(work)
    return DeletePayload(id=None if errors else id, errors=errors)


def _environment(found: object | None, errors: list[UserError]) -> EnvironmentPayload:
    view = Environment.from_model(found) if found is not None else None  # type: ignore[arg-type]
    return EnvironmentPayload(environment=view, errors=errors)


async def create_environment(info: Info, input: EnvironmentInput) -> EnvironmentPayload:
    """Add an environment."""
    ctx = info.context
    return _environment(
        *await _attempt(catalog.create_environment(ctx.backend, ctx.identity, changes_of(input)))
    )


async def update_environment(
    info: Info, id: strawberry.ID, input: EnvironmentInput
) -> EnvironmentPayload:
    """Change an environment (its author or an admin)."""
    ctx = info.context
    work = catalog.update_environment(ctx.backend, ctx.identity, str(id), changes_of(input))
    return _environment(*await _attempt(work))


async def delete_environment(info: Info, id: strawberry.ID) -> DeletePayload:
    """Remove an environment no launcher uses."""
    ctx = info.context
    return await _deleted(id, catalog.delete_environment(ctx.backend, ctx.identity, str(id)))


def _launcher(found: object | None, errors: list[UserError]) -> SessionLauncherPayload:
    view = SessionLauncher.from_model(found) if found is not None else None  # type: ignore[arg-type]
    return SessionLauncherPayload(launcher=view, errors=errors)


async def create_launcher(info: Info, input: SessionLauncherInput) -> SessionLauncherPayload:
    """Add a launcher to a project you edit."""
    ctx = info.context
    changes = {k: str(v) if k.endswith("_id") else v for k, v in changes_of(input).items()}
    work = catalog.create_launcher(ctx.backend, ctx.identity, ctx.projects, changes)
    return _launcher(*await _attempt(work))


async def update_launcher(
    info: Info, id: strawberry.ID, input: SessionLauncherInput
) -> SessionLauncherPayload:
    """Change a launcher of a project you edit."""
    ctx = info.context
    changes = {k: str(v) if k.endswith("_id") else v for k, v in changes_of(input).items()}
    work = catalog.update_launcher(ctx.backend, ctx.identity, ctx.projects, str(id), changes)
    return _launcher(*await _attempt(work))


async def delete_launcher(info: Info, id: strawberry.ID) -> DeletePayload:
    """Remove a launcher of a project you edit."""
    ctx = info.context
    work = catalog.delete_launcher(ctx.backend, ctx.identity, ctx.projects, str(id))
    return await _deleted(id, work)


def _pool(found: object | None, errors: list[UserError]) -> ResourcePoolPayload:
    view = ResourcePool.from_model(found) if found is not None else None  # type: ignore[arg-type]
    return ResourcePoolPayload(resource_pool=view, errors=errors)


def _pool_changes(input: ResourcePoolInput) -> dict[str, object]:
    changes = changes_of(input)
    if "users" in changes:
        changes["users"] = tuple(str(user) for user in changes["users"])
    return changes


async def create_pool(info: Info, input: ResourcePoolInput) -> ResourcePoolPayload:
    """Add a resource pool (admins)."""
    ctx = info.context
    return _pool(
        *await _attempt(catalog.create_pool(ctx.backend, ctx.identity, _pool_changes(input)))
    )


async def update_pool(
    info: Info, id: strawberry.ID, input: ResourcePoolInput
) -> ResourcePoolPayload:
    """Change a resource pool (admins)."""
    ctx = info.context
    work = catalog.update_pool(ctx.backend, ctx.identity, str(id), _pool_changes(input))
    return _pool(*await _attempt(work))


async def delete_pool(info: Info, id: strawberry.ID) -> DeletePayload:
    """Remove a resource pool and its classes (admins)."""
    ctx = info.context
    return await _deleted(id, catalog.delete_pool(ctx.backend, ctx.identity, str(id)))


def _class(found: object | None, errors: list[UserError]) -> ResourceClassPayload:
    view = ResourceClass.from_model(found) if found is not None else None  # type: ignore[arg-type]
    return ResourceClassPayload(resource_class=view, errors=errors)


async def create_class(
    info: Info, pool_id: strawberry.ID, input: ResourceClassInput
) -> ResourceClassPayload:
    """Add a resource class to a pool (admins)."""
    ctx = info.context
    work = catalog.create_class(ctx.backend, ctx.identity, str(pool_id), changes_of(input))
    return _class(*await _attempt(work))


async def update_class(
    info: Info, id: strawberry.ID, input: ResourceClassInput
) -> ResourceClassPayload:
    """Change a resource class (admins)."""
    ctx = info.context
    work = catalog.update_class(ctx.backend, ctx.identity, str(id), changes_of(input))
    return _class(*await _attempt(work))


async def delete_class(info: Info, id: strawberry.ID) -> DeletePayload:
    """Remove a resource class no launcher uses (admins)."""
    ctx = info.context
    return await _deleted(id, catalog.delete_class(ctx.backend, ctx.identity, str(id)))


def _mutation(resolver: Callable[..., Any]) -> Any:
    description = (getattr(resolver, "__doc__", "") or "").strip()
    return strawberry.mutation(
        resolver=resolver, description=description, directives=[Authenticated()]
    )


@strawberry.type
class CatalogMutation:
    """Create, update and delete environments, launchers, pools and classes."""

    create_environment: EnvironmentPayload = _mutation(create_environment)
    update_environment: EnvironmentPayload = _mutation(update_environment)
    delete_environment: DeletePayload = _mutation(delete_environment)
    create_session_launcher: SessionLauncherPayload = _mutation(create_launcher)
    update_session_launcher: SessionLauncherPayload = _mutation(update_launcher)
    delete_session_launcher: DeletePayload = _mutation(delete_launcher)
    create_resource_pool: ResourcePoolPayload = _mutation(create_pool)
    update_resource_pool: ResourcePoolPayload = _mutation(update_pool)
    delete_resource_pool: DeletePayload = _mutation(delete_pool)
    create_resource_class: ResourceClassPayload = _mutation(create_class)
    update_resource_class: ResourceClassPayload = _mutation(update_class)
    delete_resource_class: DeletePayload = _mutation(delete_class)
