"""Use cases of what sessions are made from: environments, launchers, resource pools, classes.

Environments are shared: any signed-in user may add one, its author or an admin change it.
Launchers belong to a project and are changed by its editors. Pools and classes are admins'.
`changes` maps model field names to new values; what it leaves out stays as it was.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from ulid import ULID

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend
from renku_fed.subgraphs.sessions.core import validation
from renku_fed.subgraphs.sessions.core.access import (
    admin,
    blocking,
    editable_project,
    signed_in,
)
from renku_fed.subgraphs.sessions.models import (
    Environment,
    Launcher,
    ResourceClass,
    ResourcePool,
)

Changes = dict[str, Any]


def new_id() -> str:
    """A new record id: a lowercase ULID."""
    return str(ULID()).lower()


def _missing(kind: str, record_id: str, field: str = "id") -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"There is no {kind} {record_id!r}.", field)


async def environments(backend: SessionBackend) -> list[Environment]:
    """Every environment, by name."""
    return await blocking(backend.store.environments)


async def environment(backend: SessionBackend, environment_id: str) -> Environment:
    """An environment by id; NOT_FOUND when there is none."""
    found = await blocking(backend.store.environment, environment_id)
    if found is None:
        raise _missing("environment", environment_id, "environmentId")
    return found


async def create_environment(
    backend: SessionBackend, caller: Identity, changes: Changes
) -> Environment:
    """Add an environment (any signed-in user)."""
    author = signed_in(caller, "add an environment")
    validation.require(changes, "an environment", "name", "container_image")
    created = Environment(id=new_id(), created_by=author, **changes)
    validation.check_environment(created)
    await blocking(backend.store.save_environment, created)
    return created


async def _own_environment(
    backend: SessionBackend, caller: Identity, environment_id: str, action: str
) -> Environment:
    subject = signed_in(caller, action)
    found = await blocking(backend.store.environment, environment_id)
    if found is None:
        raise _missing("environment", environment_id)
    if found.created_by != subject and not caller.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN, f"Only its author or an admin may {action}.", "id")
    return found


async def update_environment(
    backend: SessionBackend, caller: Identity, environment_id: str, changes: Changes
) -> Environment:
    """Change an environment (its author or an admin)."""
    found = await _own_environment(backend, caller, environment_id, "change the environment")
    updated = replace(found, **changes)
    validation.check_environment(updated)
    await blocking(backend.store.save_environment, updated)
    return updated


async def delete_environment(
    backend: SessionBackend, caller: Identity, environment_id: str
) -> None:
    """Remove an environment no launcher uses (its author or an admin)."""
    await _own_environment(backend, caller, environment_id, "delete the environment")
    used = await blocking(backend.store.launchers_using, "environment_id", environment_id)
    if used:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"{used} launcher(s) use this environment; change or delete them first.",
            "id",
        )
    await blocking(backend.store.delete_environment, environment_id)


async def launcher(
    backend: SessionBackend, projects: ProjectLoader, launcher_id: str
) -> Launcher | None:
    """A launcher by id, when the loader's caller may see its project."""
    found = await blocking(backend.store.launcher, launcher_id)
    if found is None or await projects.load(found.project_id) is None:
        return None
    return found


async def launchers(
    backend: SessionBackend, projects: ProjectLoader, project_id: str
) -> list[Launcher]:
    """A project's launchers, by name; empty when the loader's caller may not see it."""
    # Loading at once lets the loader batch the lookups of every project in the request.
    found, project = await asyncio.gather(
        blocking(backend.store.launchers, project_id), projects.load(project_id)
    )
    return found if project is not None else []


async def _check_launcher_refs(backend: SessionBackend, launcher: Launcher) -> None:
    validation.check_launcher(launcher)
    await environment(backend, launcher.environment_id)
    if launcher.resource_class_id is not None:
        await resource_class(backend, launcher.resource_class_id)


async def create_launcher(
    backend: SessionBackend, caller: Identity, projects: ProjectLoader, changes: Changes
) -> Launcher:
    """Add a launcher to a project (its editors)."""
    author = signed_in(caller, "add a launcher")
    validation.require(changes, "a launcher", "project_id", "name", "environment_id")
    await editable_project(projects, caller, changes["project_id"], "projectId")
    created = Launcher(id=new_id(), created_by=author, **changes)
    await _check_launcher_refs(backend, created)
    await blocking(backend.store.save_launcher, created)
    return created


async def _editable_launcher(
    backend: SessionBackend, caller: Identity, projects: ProjectLoader, launcher_id: str
) -> Launcher:
    signed_in(caller, "change a launcher")
    found = await launcher(backend, projects, launcher_id)
    if found is None:
        raise _missing("launcher", launcher_id)
    await editable_project(projects, caller, found.project_id, "id")
    return found


async def update_launcher(
    backend: SessionBackend,
    caller: Identity,
    projects: ProjectLoader,
    launcher_id: str,
    changes: Changes,
) -> Launcher:
    """Change a launcher (its project's editors)."""
    found = await _editable_launcher(backend, caller, projects, launcher_id)
    if changes.get("project_id", found.project_id) != found.project_id:
        raise validation.invalid("projectId", "A launcher cannot move to another project.")
    updated = replace(found, **changes)
    await _check_launcher_refs(backend, updated)
    await blocking(backend.store.save_launcher, updated)
    return updated


async def delete_launcher(
    backend: SessionBackend, caller: Identity, projects: ProjectLoader, launcher_id: str
) -> None:
    """Remove a launcher (its project's editors); its sessions keep running."""
    await _editable_launcher(backend, caller, projects, launcher_id)
    await blocking(backend.store.delete_launcher, launcher_id)


async def pools(backend: SessionBackend, caller: Identity) -> list[ResourcePool]:
    """The pools the caller may use; every pool for admins."""
    found = await blocking(backend.store.pools)
    if caller.is_admin:
        return found
    return [pool for pool in found if caller.subject and pool.allows(caller.subject)]


async def classes(backend: SessionBackend, pool_id: str) -> list[ResourceClass]:
    """A pool's classes, by name."""
    return await blocking(backend.store.classes, pool_id)


async def resource_class(backend: SessionBackend, class_id: str) -> ResourceClass:
    """A class by id; NOT_FOUND naming `resourceClassId` when there is none."""
    found = await blocking(backend.store.resource_class, class_id)
    if found is None:
        raise _missing("resource class", class_id, "resourceClassId")
    return found


async def _save_pool(backend: SessionBackend, pool: ResourcePool) -> ResourcePool:
    validation.check_pool(pool)
    if pool.default:
        for other in await blocking(backend.store.pools):
            if other.default and other.id != pool.id:
                await blocking(backend.store.save_pool, replace(other, default=False))
    await blocking(backend.store.save_pool, pool)
    return pool


async def create_pool(backend: SessionBackend, caller: Identity, changes: Changes) -> ResourcePool:
    """Add a resource pool (admins); a default pool replaces the former default."""
    admin(caller, "add resource pools")
    validation.require(changes, "a resource pool", "name")
    return await _save_pool(backend, ResourcePool(id=new_id(), **changes))


async def update_pool(
    backend: SessionBackend, caller: Identity, pool_id: str, changes: Changes
) -> ResourcePool:
    """Change a resource pool (admins)."""
    admin(caller, "change resource pools")
    found = await blocking(backend.store.pool, pool_id)
    if found is None:
        raise _missing("resource pool", pool_id)
    return await _save_pool(backend, replace(found, **changes))


async def delete_pool(backend: SessionBackend, caller: Identity, pool_id: str) -> None:
    """Remove a pool and its classes (admins); refused while a launcher uses one of them."""
    admin(caller, "delete resource pools")
    for resource_class in await blocking(backend.store.classes, pool_id):
        await _refuse_used_class(backend, resource_class.id)
    if not await blocking(backend.store.delete_pool, pool_id):
        raise _missing("resource pool", pool_id)


async def _save_class(backend: SessionBackend, resource_class: ResourceClass) -> ResourceClass:
    validation.check_class(resource_class)
    if resource_class.default:
        for other in await blocking(backend.store.classes, resource_class.pool_id):
            if other.default and other.id != resource_class.id:
                await blocking(backend.store.save_class, replace(other, default=False))
    await blocking(backend.store.save_class, resource_class)
    return resource_class


async def create_class(
    backend: SessionBackend, caller: Identity, pool_id: str, changes: Changes
) -> ResourceClass:
    """Add a class to a pool (admins)."""
    admin(caller, "add resource classes")
    validation.require(changes, "a resource class", "name")
    if await blocking(backend.store.pool, pool_id) is None:
        raise _missing("resource pool", pool_id, "poolId")
    return await _save_class(backend, ResourceClass(id=new_id(), pool_id=pool_id, **changes))


async def update_class(
    backend: SessionBackend, caller: Identity, class_id: str, changes: Changes
) -> ResourceClass:
    """Change a class (admins)."""
    admin(caller, "change resource classes")
    found = await resource_class(backend, class_id)
    return await _save_class(backend, replace(found, **changes))


async def _refuse_used_class(backend: SessionBackend, class_id: str) -> None:
    used = await blocking(backend.store.launchers_using, "resource_class_id", class_id)
    if used:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"{used} launcher(s) use resource class {class_id!r}; change them first.",
            "id",
        )


async def delete_class(backend: SessionBackend, caller: Identity, class_id: str) -> None:
    """Remove a class no launcher uses (admins)."""
    admin(caller, "delete resource classes")
    await _refuse_used_class(backend, class_id)
    if not await blocking(backend.store.delete_class, class_id):
        raise _missing("resource class", class_id)
