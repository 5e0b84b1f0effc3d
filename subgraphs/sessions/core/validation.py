"""Input rules of sessions: environments, launchers, pools, classes and launch arguments.

Limits follow Renku's session API (`session.api.spec.yaml`): ports below 65400, ids of users
and groups from 1 to 65535, at most 32 environment variables named as POSIX names them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.rules import check_name
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    Launcher,
    ResourceClass,
    ResourcePool,
)

ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MAX_ENV_VARIABLES = 32
# Set by the platform in every session; a launcher or a launch may not replace them.
RESERVED_ENV_PREFIXES = ("RENKU_FED_", "JUPYTER_", "GIT_")


def invalid(field: str, message: str) -> DomainError:
    """A BAD_USER_INPUT error naming the field."""
    return DomainError(ErrorCode.BAD_USER_INPUT, message, field=field)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def require(changes: Mapping[str, object], kind: str, *names: str) -> None:
    """Refuse to create a record without the fields it needs."""
    for name in names:
        if name not in changes:
            raise invalid(_camel(name), f"`{_camel(name)}` is required to create {kind}.")


def check_range(field: str, value: float, low: float, high: float | None = None) -> None:
    """Refuse a number outside `low..high`."""
    if value < low or (high is not None and value > high):
        upper = f" and at most {high:g}" if high is not None else ""
        raise invalid(field, f"`{field}` must be at least {low:g}{upper}, got {value:g}.")


def check_env(variables: Sequence[EnvVar], field: str) -> tuple[EnvVar, ...]:
    """Environment variables with valid, unique, unreserved names and short values."""
    if len(variables) > MAX_ENV_VARIABLES:
        raise invalid(field, f"At most {MAX_ENV_VARIABLES} environment variables, not more.")
    seen: set[str] = set()
    for variable in variables:
        if not ENV_NAME.match(variable.name) or len(variable.name) > 256:
            raise invalid(
                field,
                f"{variable.name!r} is not a variable name: use letters, digits and `_`, "
                "not starting with a digit.",
            )
        if variable.name.startswith(RESERVED_ENV_PREFIXES):
            raise invalid(field, f"{variable.name!r} is set by the platform; choose another name.")
        if variable.name in seen:
            raise invalid(field, f"{variable.name!r} is given twice.")
        if len(variable.value) > 500:
            raise invalid(field, f"The value of {variable.name!r} is longer than 500 characters.")
        seen.add(variable.name)
    return tuple(variables)


def check_environment(environment: Environment) -> None:
    """Refuse an environment the session API would refuse."""
    check_name(environment.name)
    if not 3 <= len(environment.container_image) <= 500:
        raise invalid("containerImage", "`containerImage` must be 3 to 500 characters long.")
    check_range("port", environment.port, 1, 65399)
    check_range("uid", environment.uid, 1, 65535)
    check_range("gid", environment.gid, 1, 65535)
    url = environment.default_url
    if not url.startswith("/") or len(url) > 200:
        raise invalid("defaultUrl", "`defaultUrl` must be a path such as /lab, of 200 at most.")
    for field in ("working_directory", "mount_directory"):
        path = getattr(environment, field)
        if path is not None and not path.startswith("/"):
            name = "workingDirectory" if field == "working_directory" else "mountDirectory"
            raise invalid(name, f"`{name}` must be an absolute path, got {path!r}.")


def check_launcher(launcher: Launcher) -> None:
    """Refuse a launcher with a bad name, storage or variables."""
    check_name(launcher.name)
    if launcher.disk_storage is not None:
        check_range("diskStorage", launcher.disk_storage, 1)
    check_env(launcher.env_variables, "envVariables")


def check_pool(pool: ResourcePool) -> None:
    """Refuse a pool with a bad name, quota or thresholds."""
    check_name(pool.name)
    for field, value in (
        ("cpuQuota", pool.cpu_quota),
        ("memoryQuota", pool.memory_quota),
        ("gpuQuota", pool.gpu_quota),
    ):
        if value is not None:
            check_range(field, value, 0)
    check_range("idleThresholdSeconds", pool.idle_threshold_seconds, 0)
    check_range("hibernationThresholdSeconds", pool.hibernation_threshold_seconds, 0)


def check_class(resource_class: ResourceClass) -> None:
    """Refuse a class with no CPU or memory, or whose default storage exceeds its maximum."""
    check_name(resource_class.name)
    check_range("cpu", resource_class.cpu, 0.1)
    check_range("memory", resource_class.memory, 1)
    check_range("gpu", resource_class.gpu, 0)
    check_range("maxStorage", resource_class.max_storage, 1)
    check_range("defaultStorage", resource_class.default_storage, 1, resource_class.max_storage)
