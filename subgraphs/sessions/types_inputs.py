"""The sessions subgraph's mutation inputs and payloads, and how an input becomes `changes`."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from renku_fed.subgraphs.common.errors import UserError
from renku_fed.subgraphs.sessions.models import EnvVar
from renku_fed.subgraphs.sessions.types import (
    Environment,
    ResourceClass,
    ResourcePool,
    Session,
    SessionLauncher,
)


@strawberry.input(description="An environment variable to set in a session.")
class EnvironmentVariableInput:
    """A variable's name and value."""

    name: str
    value: str = ""


def changes_of(given: object) -> dict[str, Any]:
    """The fields an input sets (unset and null ones left out), as model field values."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(given):  # type: ignore[arg-type]
        value = getattr(given, field.name)
        if value is strawberry.UNSET or value is None:
            continue
        if isinstance(value, list):
            value = tuple(
                EnvVar(item.name, item.value)
                if isinstance(item, EnvironmentVariableInput)
                else item
                for item in value
            )
        changes[field.name] = value
    return changes


@strawberry.input(description="Which launcher to start, with which class, storage and variables.")
class LaunchSessionInput:
    """Arguments of `launchSession`; without `launcherId`, the project's first launcher."""

    launcher_id: strawberry.ID | None = strawberry.UNSET
    project_id: strawberry.ID | None = strawberry.UNSET
    resource_class_id: strawberry.ID | None = strawberry.UNSET
    disk_storage: int | None = strawberry.UNSET
    env_overrides: list[EnvironmentVariableInput] | None = strawberry.UNSET


@strawberry.input(description="An environment's fields; `name` and `containerImage` to create.")
class EnvironmentInput:
    """Fields of `createEnvironment` and `updateEnvironment`; unset ones stay as they are."""

    name: str | None = strawberry.UNSET
    container_image: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    default_url: str | None = strawberry.UNSET
    port: int | None = strawberry.UNSET
    uid: int | None = strawberry.UNSET
    gid: int | None = strawberry.UNSET
    working_directory: str | None = strawberry.UNSET
    mount_directory: str | None = strawberry.UNSET
    command: list[str] | None = strawberry.UNSET
    args: list[str] | None = strawberry.UNSET


@strawberry.input(
    description="A launcher's fields; `projectId`, `name`, `environmentId` to create."
)
class SessionLauncherInput:
    """Fields of `createSessionLauncher` and `updateSessionLauncher`."""

    project_id: strawberry.ID | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    environment_id: strawberry.ID | None = strawberry.UNSET
    resource_class_id: strawberry.ID | None = strawberry.UNSET
    disk_storage: int | None = strawberry.UNSET
    env_variables: list[EnvironmentVariableInput] | None = strawberry.UNSET


@strawberry.input(description="A resource pool's fields; `name` to create.")
class ResourcePoolInput:
    """Fields of `createResourcePool` and `updateResourcePool`."""

    name: str | None = strawberry.UNSET
    public: bool | None = strawberry.UNSET
    default: bool | None = strawberry.UNSET
    users: list[strawberry.ID] | None = strawberry.UNSET
    cpu_quota: float | None = strawberry.UNSET
    memory_quota: int | None = strawberry.UNSET
    gpu_quota: int | None = strawberry.UNSET
    idle_threshold_seconds: int | None = strawberry.UNSET
    hibernation_threshold_seconds: int | None = strawberry.UNSET


@strawberry.input(description="A resource class's fields; `name` to create.")
class ResourceClassInput:
    """Fields of `createResourceClass` and `updateResourceClass`."""

    name: str | None = strawberry.UNSET
    cpu: float | None = strawberry.UNSET
    memory: int | None = strawberry.UNSET
    gpu: int | None = strawberry.UNSET
    default_storage: int | None = strawberry.UNSET
    max_storage: int | None = strawberry.UNSET
    default: bool | None = strawberry.UNSET


@strawberry.type(description="The result of `launchSession`.")
class LaunchSessionPayload:
    """The session, whether this call created it, or why there is none."""

    session: Session | None
    created: bool = strawberry.field(description="False when your session existed already.")
    errors: list[UserError]


@strawberry.type(description="The result of a change to a session.")
class SessionPayload:
    """The session as changed, or why nothing changed."""

    session: Session | None
    errors: list[UserError]


@strawberry.type(description="The result of a deletion.")
class DeletePayload:
    """The id of what was deleted, or why nothing was."""

    id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type(description="The result of a change to an environment.")
class EnvironmentPayload:
    """The environment as saved, or why it was not."""

    environment: Environment | None
    errors: list[UserError]


@strawberry.type(description="The result of a change to a launcher.")
class SessionLauncherPayload:
    """The launcher as saved, or why it was not."""

    launcher: SessionLauncher | None
    errors: list[UserError]


@strawberry.type(description="The result of a change to a resource pool.")
class ResourcePoolPayload:
    """The pool as saved, or why it was not."""

    resource_pool: ResourcePool | None
    errors: list[UserError]


@strawberry.type(description="The result of a change to a resource class.")
class ResourceClassPayload:
    """The class as saved, or why it was not."""

    resource_class: ResourceClass | None
    errors: list[UserError]
