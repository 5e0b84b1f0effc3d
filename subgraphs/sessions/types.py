"""The sessions subgraph's GraphQL types: sessions, launchers, environments, resource pools.

Resolvers are module functions handed to `strawberry.field(resolver=...)`, which keeps them
typed for mypy; they ask `core` and build each type from its model with `from_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

import strawberry

from renku_fed.subgraphs.common.app import RequestContext
from renku_fed.subgraphs.common.errors import DomainError
from renku_fed.subgraphs.sessions import models
from renku_fed.subgraphs.sessions.backends import ProjectLoader, SessionBackend
from renku_fed.subgraphs.sessions.core import catalog
from renku_fed.subgraphs.sessions.core import sessions as session_cases

SessionState = strawberry.enum(models.SessionState, description="Where a session is in its life.")


@dataclass(kw_only=True)
class SessionsContext(RequestContext[SessionBackend]):
    """A request's context with its own project loader, so its lookups batch and never leak."""

    projects: ProjectLoader


Info: TypeAlias = strawberry.Info[SessionsContext, None]


@strawberry.type(description="An environment variable set in a session.")
class EnvironmentVariable:
    """A variable's name and value."""

    name: str
    value: str


@strawberry.type(description="What a session runs: a container image and how to start it.")
class Environment:
    """An environment, as Renku's session API describes it."""

    id: strawberry.ID
    name: str
    description: str | None
    container_image: str
    default_url: str = strawberry.field(description="The path a session opens first.")
    port: int
    uid: int
    gid: int
    working_directory: str | None
    mount_directory: str | None
    command: list[str]
    args: list[str]

    @classmethod
    def from_model(cls, environment: models.Environment) -> Environment:
        """The GraphQL view of an environment."""
        return cls(
            id=strawberry.ID(environment.id),
            name=environment.name,
            description=environment.description,
            container_image=environment.container_image,
            default_url=environment.default_url,
            port=environment.port,
            uid=environment.uid,
            gid=environment.gid,
            working_directory=environment.working_directory,
            mount_directory=environment.mount_directory,
            command=list(environment.command),
            args=list(environment.args),
        )


@strawberry.type(description="CPUs, memory (GB), GPUs and storage (GB) a session may get.")
class ResourceClass:
    """A resource class of a pool."""

    id: strawberry.ID
    name: str
    cpu: float
    memory: int
    gpu: int
    default_storage: int
    max_storage: int
    default: bool

    @classmethod
    def from_model(cls, found: models.ResourceClass) -> ResourceClass:
        """The GraphQL view of a resource class."""
        return cls(
            id=strawberry.ID(found.id),
            name=found.name,
            cpu=found.cpu,
            memory=found.memory,
            gpu=found.gpu,
            default_storage=found.default_storage,
            max_storage=found.max_storage,
            default=found.default,
        )


async def resolve_pool_classes(root: ResourcePool, info: Info) -> list[ResourceClass]:
    """The pool's classes."""
    found = await catalog.classes(info.context.backend, str(root.id))
    return [ResourceClass.from_model(item) for item in found]


@strawberry.type(description="Resource classes with a quota, culling thresholds and users.")
class ResourcePool:
    """A resource pool."""

    id: strawberry.ID
    name: str
    public: bool = strawberry.field(description="True when every signed-in user may use it.")
    default: bool
    users: list[strawberry.ID] = strawberry.field(description="Who may use a non-public pool.")
    cpu_quota: float | None
    memory_quota: int | None
    gpu_quota: int | None
    idle_threshold_seconds: int = strawberry.field(
        description="A session unused this long is hibernated (0: never)."
    )
    hibernation_threshold_seconds: int = strawberry.field(
        description="A session hibernated this long is deleted (0: never)."
    )
    classes: list[ResourceClass] = strawberry.field(resolver=resolve_pool_classes)

    @classmethod
    def from_model(cls, pool: models.ResourcePool) -> ResourcePool:
        """The GraphQL view of a pool."""
        return cls(
            id=strawberry.ID(pool.id),
            name=pool.name,
            public=pool.public,
            default=pool.default,
            users=[strawberry.ID(user) for user in pool.users],
            cpu_quota=pool.cpu_quota,
            memory_quota=pool.memory_quota,
            gpu_quota=pool.gpu_quota,
            idle_threshold_seconds=pool.idle_threshold_seconds,
            hibernation_threshold_seconds=pool.hibernation_threshold_seconds,
        )


def resolve_launcher_project(root: SessionLauncher) -> Project:
    """The launcher's project."""
    return Project(id=strawberry.ID(root.model.project_id))


async def resolve_launcher_environment(root: SessionLauncher, info: Info) -> Environment | None:
    """The launcher's environment."""
    try:
        found = await catalog.environment(info.context.backend, root.model.environment_id)
    except DomainError:
        return None
    return Environment.from_model(found)


async def resolve_launcher_class(root: SessionLauncher, info: Info) -> ResourceClass | None:
    """The launcher's resource class, when it names one."""
    class_id = root.model.resource_class_id
    if class_id is None:
        return None
    try:
        return ResourceClass.from_model(
            await catalog.resource_class(info.context.backend, class_id)
        )
    except DomainError:
        return None


def resolve_launcher_env(root: SessionLauncher) -> list[EnvironmentVariable]:
    """The variables the launcher sets."""
    return [EnvironmentVariable(name=v.name, value=v.value) for v in root.model.env_variables]


@strawberry.federation.type(keys=["id"], description="How to start a session of a project.")
class SessionLauncher:
    """A launcher: an environment, a resource class, storage and variables for a project."""

    id: strawberry.ID
    name: str
    description: str | None
    disk_storage: int | None = strawberry.field(description="Storage in GB (default: class's).")
    model: strawberry.Private[models.Launcher]
    project: Project = strawberry.field(resolver=resolve_launcher_project)
    environment: Environment | None = strawberry.field(resolver=resolve_launcher_environment)
    resource_class: ResourceClass | None = strawberry.field(resolver=resolve_launcher_class)
    env_variables: list[EnvironmentVariable] = strawberry.field(resolver=resolve_launcher_env)

    @classmethod
    def from_model(cls, launcher: models.Launcher) -> SessionLauncher:
        """The GraphQL view of a launcher."""
        return cls(
            id=strawberry.ID(launcher.id),
            name=launcher.name,
            description=launcher.description,
            disk_storage=launcher.disk_storage,
            model=launcher,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> SessionLauncher | None:
        """The launcher with this id, when the caller may see its project."""
        found = await catalog.launcher(info.context.backend, info.context.projects, str(id))
        return cls.from_model(found) if found else None


@strawberry.type(description="What a session was given, from its resource class.")
class SessionResources:
    """CPUs, memory (GB), GPUs and storage (GB)."""

    cpu: float
    memory: int
    gpu: int
    storage: int


def resolve_session_project(root: Session) -> Project:
    """The session's project."""
    return Project(id=strawberry.ID(root.model.project_id))


def resolve_session_user(root: Session) -> User:
    """The session's owner."""
    return User(id=strawberry.ID(root.model.owner_id))


async def resolve_session_launcher(root: Session, info: Info) -> SessionLauncher | None:
    """The session's launcher, if it still exists."""
    return await SessionLauncher.resolve_reference(info, strawberry.ID(root.model.launcher_id))


async def resolve_session_logs(root: Session, info: Info, max_lines: int = 250) -> str:
    """The last lines the session's server wrote."""
    return await session_cases.session_logs(info.context.backend, root.model, max_lines)


@strawberry.federation.type(keys=["id"], description="An interactive session of a project.")
class Session:
    """A user's session; only its owner (and admins) can see it."""

    id: strawberry.ID
    name: str
    image: str
    state: SessionState  # type: ignore[valid-type]
    message: str | None = strawberry.field(description="Why the session is in its state.")
    url: str | None = strawberry.field(
        description="Where to open the session: on the router, for its owner's login only."
    )
    ready_containers: int
    total_containers: int
    resources: SessionResources
    started_at: datetime
    last_interaction: datetime
    will_hibernate_at: datetime | None
    will_delete_at: datetime | None
    model: strawberry.Private[models.Session]
    project: Project = strawberry.field(resolver=resolve_session_project)
    user: User = strawberry.field(resolver=resolve_session_user, description="Its owner.")
    launcher: SessionLauncher | None = strawberry.field(resolver=resolve_session_launcher)
    logs: str = strawberry.field(resolver=resolve_session_logs)

    @classmethod
    def from_model(cls, session: models.Session) -> Session:
        """The GraphQL view of a session."""
        running = session.state is models.SessionState.RUNNING
        resources = session.resources
        return cls(
            id=strawberry.ID(session.id),
            name=session.name,
            image=session.image,
            state=session.state,
            message=session.message,
            url=session.url,
            ready_containers=1 if running else 0,
            total_containers=1,
            resources=SessionResources(
                cpu=resources.cpu,
                memory=resources.memory,
                gpu=resources.gpu,
                storage=resources.storage,
            ),
            started_at=session.started_at,
            last_interaction=session.last_interaction,
            will_hibernate_at=session.will_hibernate_at,
            will_delete_at=session.will_delete_at,
            model=session,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Session | None:
        """The session with this id, for its owner (or an admin) only."""
        found = await session_cases.session(info.context.backend, info.context.identity, str(id))
        return cls.from_model(found) if found else None


async def resolve_project_sessions(root: Project, info: Info) -> list[Session]:
    """The caller's sessions of the project; empty when anonymous."""
    context = info.context
    found = await session_cases.sessions(context.backend, context.identity, str(root.id))
    return [Session.from_model(session) for session in found]


async def resolve_project_launchers(root: Project, info: Info) -> list[SessionLauncher]:
    """The project's launchers, when the caller may see the project."""
    found = await catalog.launchers(info.context.backend, info.context.projects, str(root.id))
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


async def resolve_user_sessions(root: User, info: Info) -> list[Session]:
    """The user's sessions, for that user or an admin; otherwise empty."""
    context = info.context
    found = await session_cases.user_sessions(context.backend, context.identity, str(root.id))
    return [Session.from_model(session) for session in found]


@strawberry.federation.type(keys=["id"])
class User:
    """The user entity, extended with their sessions."""

    id: strawberry.ID
    sessions: list[Session] = strawberry.field(
        resolver=resolve_user_sessions,
        description="The user's sessions; visible to the user themselves and admins.",
    )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        """A user stub."""
        return cls(id=id)
