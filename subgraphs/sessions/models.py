"""Plain domain types of sessions: environments, launchers, resource pools and sessions.

Field names and states follow Renku's session API (`session.api.spec.yaml` in the reference
documents the team keeps beside the repository).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum


class SessionState(Enum):
    """Where a session is in its life, as Renku names the states."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    HIBERNATED = "HIBERNATED"
    STOPPING = "STOPPING"
    FAILED = "FAILED"
    SUCCEEDED = "SUCCEEDED"

    @property
    def is_live(self) -> bool:
        """True while a server process may exist for the session."""
        return self in (SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING)


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable set in a session."""

    name: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Environment:
    """What a session runs: an image and how to start it."""

    id: str
    name: str
    container_image: str
    created_by: str
    description: str | None = None
    default_url: str = "/lab"
    port: int = 8888
    uid: int = 1000
    gid: int = 1000
    working_directory: str | None = None
    mount_directory: str | None = None
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourcePool:
    """A group of resource classes with a quota, culling thresholds and who may use it."""

    id: str
    name: str
    public: bool = True
    default: bool = False
    users: tuple[str, ...] = ()
    cpu_quota: float | None = None
    memory_quota: int | None = None
    gpu_quota: int | None = None
    idle_threshold_seconds: int = 3600
    hibernation_threshold_seconds: int = 86400

    def allows(self, user_id: str) -> bool:
        """True when the user may launch sessions with this pool's classes."""
        return self.public or user_id in self.users


@dataclass(frozen=True, slots=True)
class ResourceClass:
    """The CPU, memory (GB), GPUs and storage (GB) a session of this class gets."""

    id: str
    pool_id: str
    name: str
    cpu: float = 1.0
    memory: int = 2
    gpu: int = 0
    default_storage: int = 1
    max_storage: int = 10
    default: bool = False


@dataclass(frozen=True, slots=True)
class Launcher:
    """How to start a session of a project: an environment, a class, storage and variables."""

    id: str
    project_id: str
    name: str
    environment_id: str
    created_by: str
    description: str | None = None
    resource_class_id: str | None = None
    disk_storage: int | None = None
    env_variables: tuple[EnvVar, ...] = ()


@dataclass(frozen=True, slots=True)
class Resources:
    """What a session was given, from its resource class."""

    cpu: float
    memory: int
    gpu: int
    storage: int


@dataclass(frozen=True, slots=True)
class Session:
    """A user's session of a project, from one launcher; `url` is set while it may answer."""

    id: str
    name: str
    project_id: str
    owner_id: str
    launcher_id: str
    image: str
    state: SessionState
    resources: Resources
    resource_class_id: str | None
    started_at: datetime
    last_interaction: datetime
    idle_threshold_seconds: int
    hibernation_threshold_seconds: int
    message: str | None = None
    hibernated_at: datetime | None = None
    port: int | None = None
    pid: int | None = None
    url: str | None = None
    secret: str | None = field(default=None, repr=False)

    @property
    def will_hibernate_at(self) -> datetime | None:
        """When the reconciler hibernates the session if nobody uses it; None unless live."""
        if self.state is not SessionState.RUNNING or self.idle_threshold_seconds <= 0:
            return None
        return self.last_interaction + timedelta(seconds=self.idle_threshold_seconds)

    @property
    def will_delete_at(self) -> datetime | None:
        """When the reconciler deletes the hibernated session; None unless hibernated."""
        threshold = self.hibernation_threshold_seconds
        if (
            self.state is not SessionState.HIBERNATED
            or self.hibernated_at is None
            or threshold <= 0
        ):
            return None
        return self.hibernated_at + timedelta(seconds=threshold)

    def with_state(self, state: SessionState, message: str | None = None) -> Session:
        """This session in another state, with a message saying why (or none)."""
        return replace(self, state=state, message=message)


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """What a launch needs to know of a project, as the supergraph's `project` query tells it."""

    id: str
    namespace: str
    slug: str
    repositories: tuple[str, ...]
    can_write: bool


@dataclass(frozen=True, slots=True)
class SessionTarget:
    """Where the router sends a session's traffic, and the server's own secret."""

    session_id: str
    upstream: str
    secret: str = field(repr=False)
