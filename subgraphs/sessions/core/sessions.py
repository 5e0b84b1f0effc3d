"""Use cases of sessions: launch (once per user and launcher), hibernate, resume, touch, delete.

A session is personal: its owner and admins see and change it, nobody else learns that it
exists. Launching needs at least viewer access to the launcher's project, as the request's
project loader (the supergraph's `project`, asked with the caller's token) tells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend
from renku_fed.subgraphs.sessions.core import catalog, validation
from renku_fed.subgraphs.sessions.core.access import blocking, signed_in, visible_project
from renku_fed.subgraphs.sessions.models import (
    EnvVar,
    Launcher,
    ResourceClass,
    ResourcePool,
    Resources,
    Session,
    SessionState,
    SessionTarget,
)

MAX_LOG_LINES = 10_000


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    """What `launchSession` was asked: a launcher (or a project's first), class, storage, env."""

    launcher_id: str | None = None
    project_id: str | None = None
    resource_class_id: str | None = None
    disk_storage: int | None = None
    env_overrides: tuple[EnvVar, ...] = ()


def shown(backend: SessionBackend, session: Session) -> Session:
    """The session with its router URL while its server may answer."""
    if session.state in (SessionState.STARTING, SessionState.RUNNING):
        return replace(session, url=f"{backend.public_url.rstrip('/')}/sessions/{session.id}/")
    return session


async def session(backend: SessionBackend, caller: Identity, session_id: str) -> Session | None:
    """The session, when the caller owns it or is an admin."""
    found = await blocking(backend.store.session, session_id)
    if found is None or caller.subject is None:
        return None
    if found.owner_id != caller.subject and not caller.is_admin:
        return None
    return shown(backend, found)


async def sessions(
    backend: SessionBackend,
    caller: Identity,
    project_id: str | None = None,
    everyone: bool = False,
) -> list[Session]:
    """The caller's sessions (everyone's for an admin who asks), newest first."""
    if caller.subject is None:
        return []
    owner = None if everyone and caller.is_admin else caller.subject
    found = await blocking(backend.store.sessions, owner, project_id)
    return [shown(backend, item) for item in found]


async def user_sessions(backend: SessionBackend, caller: Identity, user_id: str) -> list[Session]:
    """A user's sessions for that user or an admin, otherwise empty."""
    if caller.subject != user_id and not caller.is_admin:
        return []
    found = await blocking(backend.store.sessions, user_id)
    return [shown(backend, item) for item in found]


async def _launcher_of(
    backend: SessionBackend, projects: ProjectLoader, request: LaunchRequest
) -> Launcher:
    if request.launcher_id is not None:
        found = await catalog.launcher(backend, projects, request.launcher_id)
        if found is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"There is no launcher {request.launcher_id!r}.", "launcherId"
            )
        return found
    if request.project_id is None:
        raise validation.invalid("launcherId", "Name the launcher (`launcherId`) to launch.")
    await visible_project(projects, request.project_id, "projectId")
    launchers = await catalog.launchers(backend, projects, request.project_id)
    if not launchers:
        raise validation.invalid(
            "projectId", "The project has no launcher; add one with `createSessionLauncher`."
        )
    return launchers[0]


async def _class_for(
    backend: SessionBackend, caller: Identity, owner: str, chosen: str | None
) -> ResourceClass:
    """The chosen class when the owner may use its pool, else the default class they may use."""
    if chosen is not None:
        found = await catalog.resource_class(backend, chosen)
        pool = await blocking(backend.store.pool, found.pool_id)
        if pool is None or not (pool.allows(owner) or caller.is_admin):
            raise validation.invalid(
                "resourceClassId",
                f"You may not use resource class {found.name!r}; pick one of the classes in "
                "`resourcePools`.",
            )
        return found
    usable = sorted(await catalog.pools(backend, caller), key=lambda pool: not pool.default)
    for pool in usable:
        classes = sorted(await catalog.classes(backend, pool.id), key=lambda c: not c.default)
        if classes:
            return classes[0]
    raise validation.invalid(
        "resourceClassId", "No resource class is open to you; ask an admin to add a pool."
    )


async def _check_capacity(backend: SessionBackend, owner: str) -> None:
    live = await blocking(backend.store.sessions_in, *(s for s in SessionState if s.is_live))
    mine = sum(item.owner_id == owner for item in live)
    if mine >= backend.max_live_sessions_per_user:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"You may have at most {backend.max_live_sessions_per_user} sessions running at "
            f"once; hibernate or delete one (`hibernateSession`) before starting another.",
        )
    if len(live) >= backend.max_live_sessions:
        raise DomainError(
            ErrorCode.UNAVAILABLE,
            f"The platform runs as many sessions as it may ({backend.max_live_sessions}); "
            "try again later.",
        )


async def _check_quota(
    backend: SessionBackend, pool: ResourcePool, wanted: Resources, field: str
) -> None:
    """Refuse a session that would take the pool's running sessions past its quota."""
    quotas = {"CPUs": pool.cpu_quota, "GB of memory": pool.memory_quota, "GPUs": pool.gpu_quota}
    if all(quota is None for quota in quotas.values()):
        return
    classes = {item.id for item in await blocking(backend.store.classes, pool.id)}
    live = await blocking(backend.store.sessions_in, *(s for s in SessionState if s.is_live))
    used = [item.resources for item in live if item.resource_class_id in classes]
    totals = {
        "CPUs": (sum(r.cpu for r in used), wanted.cpu),
        "GB of memory": (sum(r.memory for r in used), wanted.memory),
        "GPUs": (sum(r.gpu for r in used), wanted.gpu),
    }
    for name, quota in quotas.items():
        in_use, more = totals[name]
        if quota is not None and more and in_use + more > quota:
            raise validation.invalid(
                field,
                f"The pool {pool.name!r} has {in_use:g} of its {quota:g} {name} in use and this "
                f"session needs {more:g}; pick a smaller class, or hibernate a session first.",
            )


def _merged_env(base: Sequence[EnvVar], overrides: Sequence[EnvVar]) -> tuple[EnvVar, ...]:
    values = {item.name: item.value for item in base}
    values.update((item.name, item.value) for item in overrides)
    return tuple(EnvVar(name, value) for name, value in values.items())


async def launch_session(
    backend: SessionBackend, caller: Identity, projects: ProjectLoader, request: LaunchRequest
) -> tuple[Session, bool]:
    """The caller's session of a launcher, started when there is none; True when it is new."""
    owner = signed_in(caller, "launch a session")
    validation.check_env(request.env_overrides, "envOverrides")
    launcher = await _launcher_of(backend, projects, request)
    project = await visible_project(projects, launcher.project_id, "launcherId")
    async with backend.launch_lock:
        existing = await blocking(backend.store.session_of, owner, launcher.id)
        if existing is not None:
            return shown(backend, existing), False
        chosen = request.resource_class_id or launcher.resource_class_id
        resource_class = await _class_for(backend, caller, owner, chosen)
        storage = request.disk_storage or launcher.disk_storage or resource_class.default_storage
        validation.check_range("diskStorage", storage, 1, resource_class.max_storage)
        environment = await catalog.environment(backend, launcher.environment_id)
        await _check_capacity(backend, owner)
        pool = await blocking(backend.store.pool, resource_class.pool_id)
        assert pool is not None
        resources = Resources(
            resource_class.cpu, resource_class.memory, resource_class.gpu, storage
        )
        await _check_quota(backend, pool, resources, "resourceClassId")
        now = datetime.now(UTC)
        session_id = catalog.new_id()
        record = Session(
            id=session_id,
            name=f"{project.slug}-{session_id[-6:]}",
            project_id=project.id,
            owner_id=owner,
            launcher_id=launcher.id,
            image=environment.container_image,
            state=SessionState.STARTING,
            resources=resources,
            resource_class_id=resource_class.id,
            started_at=now,
            last_interaction=now,
            idle_threshold_seconds=pool.idle_threshold_seconds,
            hibernation_threshold_seconds=pool.hibernation_threshold_seconds,
        )
        await blocking(backend.store.save_session, record)
        env = _merged_env(launcher.env_variables, request.env_overrides)
        try:
            started = await backend.launch(record, project, environment, env, caller)
        except BaseException:
            await blocking(backend.store.delete_session, session_id)
            raise
    return shown(backend, started), True


async def _own_session(
    backend: SessionBackend, caller: Identity, session_id: str, action: str
) -> Session:
    signed_in(caller, action)
    found = await session(backend, caller, session_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"You have no session {session_id!r}.", "id")
    return found


async def hibernate_session(backend: SessionBackend, caller: Identity, session_id: str) -> Session:
    """Stop a session's server and keep its files; a hibernated session stays as it is."""
    found = await _own_session(backend, caller, session_id, "hibernate a session")
    if found.state not in (SessionState.STARTING, SessionState.RUNNING):
        return found
    return shown(backend, await backend.hibernate(found))


async def resume_session(backend: SessionBackend, caller: Identity, session_id: str) -> Session:
    """Start a hibernated (or failed) session again on its files; a live one stays as it is."""
    found = await _own_session(backend, caller, session_id, "resume a session")
    if found.state.is_live:
        return found
    async with backend.launch_lock:
        await _check_capacity(backend, found.owner_id)
        pool = await _pool_of(backend, found)
        if pool is not None:
            await _check_quota(backend, pool, found.resources, "id")
        resumed = await backend.resume(found, caller)
    return shown(backend, resumed)


async def _pool_of(backend: SessionBackend, found: Session) -> ResourcePool | None:
    if found.resource_class_id is None:
        return None
    resource_class = await blocking(backend.store.resource_class, found.resource_class_id)
    if resource_class is None:
        return None
    return await blocking(backend.store.pool, resource_class.pool_id)


async def touch_session(backend: SessionBackend, caller: Identity, session_id: str) -> Session:
    """Reset a session's idle timer, as using it does."""
    found = await _own_session(backend, caller, session_id, "touch a session")
    touched = replace(found, last_interaction=datetime.now(UTC))
    await blocking(backend.store.touch, session_id, touched.last_interaction)
    return shown(backend, touched)


async def delete_session(backend: SessionBackend, caller: Identity, session_id: str) -> None:
    """Stop a session and remove it with its files."""
    found = await _own_session(backend, caller, session_id, "delete a session")
    await backend.delete(found)


async def session_logs(backend: SessionBackend, session: Session, max_lines: int) -> str:
    """The last `max_lines` lines of the session's server output."""
    validation.check_range("maxLines", max_lines, 1, MAX_LOG_LINES)
    return await backend.logs(session, max_lines)


async def session_target(
    backend: SessionBackend, caller: Identity, session_id: str
) -> SessionTarget | None:
    """Where the owner's running session answers, for the router's proxy; counts as use.

    None when the session does not exist or does not run; FORBIDDEN for anyone but its owner
    (admins too: the proxy acts as the session's user). The owner's
    token in the session is renewed with the caller's, which is the newest the platform saw.
    """
    found = await blocking(backend.store.session, session_id)
    if found is None:
        return None
    if found.owner_id != caller.subject:
        raise DomainError(ErrorCode.FORBIDDEN, "Only the session's owner may open it.")
    target = backend.target(found)
    if target is None:
        return None
    backend.renew_token(found, caller)
    now = datetime.now(UTC)
    if (now - found.last_interaction).total_seconds() > 5:
        await blocking(backend.store.touch, session_id, now)
    return target
