"""The Kubernetes resources of a session: an `AmaltheaSession` and the Secret it reads.

The resource follows the AmaltheaSession CRD (`amalthea.dev/v1alpha1`, the reference copy is
`amaltheasessions.crd.yaml` beside the repository). Every credential (the Jupyter server's
secret, the owner's access token, git credentials) lives in the Secret and reaches the pod as a
file or a `secretKeyRef`, never as plain text in the resource.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from renku_fed.subgraphs.sessions.backends.launch_storage import (
    DataConnectorMount,
    LaunchStorage,
)
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    ProjectInfo,
    Session,
    SessionState,
)

GROUP, VERSION, PLURAL, KIND = "amalthea.dev", "v1alpha1", "amaltheasessions", "AmaltheaSession"
LABEL_PREFIX = "renku.io/"
MANAGED = {f"{LABEL_PREFIX}managed-by": "renku-fed"}
SECRETS_VOLUME, SECRETS_PATH = "renku-secrets", "/renku-secrets"
SLOTS_VOLUME = "renku-secret-slots"
HOME = "/home/renku"
CLONE_CONTAINER = "git-clone"
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_STATES = {
    "Running": SessionState.RUNNING,
    "RunningDegraded": SessionState.RUNNING,
    "Hibernated": SessionState.HIBERNATED,
    "Failed": SessionState.FAILED,
    "Succeeded": SessionState.SUCCEEDED,
    "NotReady": SessionState.STARTING,
}


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and how the backend creates sessions: namespace, images, volumes, account."""

    namespace: str
    public_url: str
    git_image: str
    storage_volume: str
    storage_class: str | None = None
    service_account: str | None = None


def resource_name(session_id: str) -> str:
    """The AmaltheaSession's name (also its Secret's prefix): a DNS label."""
    return f"renku-{session_id.lower()}"


def secret_name(session_id: str) -> str:
    """The name of the session's Secret."""
    return f"{resource_name(session_id)}-secrets"


def data_source_secret_name(session_id: str, index: int) -> str:
    """The name of the Secret holding the session's `index`th data connector's configuration."""
    return f"{resource_name(session_id)}-ds{index}"


def slots_secret_name(session_id: str) -> str:
    """The name of the Secret holding the session's secret slots, one key per file."""
    return f"{resource_name(session_id)}-slots"


def label_value(value: str) -> str:
    """A value Kubernetes accepts as a label: as is when it may, else a digest of it."""
    return value if _LABEL_VALUE.match(value) else hashlib.sha256(value.encode()).hexdigest()[:40]


def labels(session: Session) -> dict[str, str]:
    """The labels naming a session's user, project, launcher and id."""
    return {
        **MANAGED,
        f"{LABEL_PREFIX}session-id": label_value(session.id),
        f"{LABEL_PREFIX}user-id": label_value(session.owner_id),
        f"{LABEL_PREFIX}project-id": label_value(session.project_id),
        f"{LABEL_PREFIX}launcher-id": label_value(session.launcher_id),
    }


def remote_of(resource: Mapping[str, Any]) -> str:
    """The repository the resource's init container clones; empty when none."""
    for container in (resource.get("spec") or {}).get("initContainers") or ():
        for variable in container.get("env") or ():
            if container.get("name") == CLONE_CONTAINER and variable.get("name") == "REMOTE":
                return str(variable.get("value") or "")
    return ""


def session_secret(
    session: Session, jupyter_secret: str, owner_token: str | None, credentials: str
) -> dict[str, Any]:
    """The Secret holding what only this session may read."""
    auth = f"token: {jupyter_secret}\ncookie_key: renku-session-token\n"
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": secret_name(session.id), "labels": labels(session)},
        "type": "Opaque",
        "stringData": {
            "auth": auth,
            "jupyter-token": jupyter_secret,
            "token": owner_token or "",
            "git-credentials": credentials,
        },
    }


def data_source_secret(
    session: Session, index: int, connector: DataConnectorMount, config_data: str
) -> dict[str, Any]:
    """The Secret of one data connector, as the rclone CSI driver reads it."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": data_source_secret_name(session.id, index), "labels": labels(session)},
        "type": "Opaque",
        "stringData": {
            "remote": f"dc{index}",
            "remotePath": connector.source_path,
            "configData": config_data,
        },
    }


def slots_secret(session: Session, storage: LaunchStorage) -> dict[str, Any]:
    """The Secret of the session's filled secret slots, one key per file name."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": slots_secret_name(session.id), "labels": labels(session)},
        "type": "Opaque",
        "stringData": {slot.filename: slot.value or "" for slot in storage.filled()},
    }


def data_sources(session: Session, storage: LaunchStorage) -> list[dict[str, Any]]:
    """The AmaltheaSession's `dataSources`: one rclone source per connector with credentials."""
    return [
        {
            "type": "rclone",
            "mountPath": connector.target_path.lstrip("/") or connector.slug,
            "accessMode": "ReadOnlyMany" if connector.read_only else "ReadWriteMany",
            "secretRef": {
                "name": data_source_secret_name(session.id, index),
                "key": "configData",
                "adopt": True,
            },
        }
        for index, connector in enumerate(storage.usable())
    ]


def _quantity_gb(gigabytes: float) -> str:
    return f"{gigabytes:g}Gi"


def _resources(session: Session) -> dict[str, Any]:
    requests = {
        "cpu": f"{session.resources.cpu:g}",
        "memory": _quantity_gb(session.resources.memory),
    }
    limits: dict[str, str] = {"memory": requests["memory"]}
    if session.resources.gpu:
        limits["nvidia.com/gpu"] = str(session.resources.gpu)
    return {"requests": requests, "limits": limits}


def _env(session: Session, env: Sequence[EnvVar], public_url: str) -> list[dict[str, Any]]:
    secret = secret_name(session.id)
    return [
        *({"name": item.name, "value": item.value} for item in env),
        {"name": "RENKU_FED_URL", "value": public_url},
        {"name": "RENKU_FED_TOKEN_FILE", "value": f"{SECRETS_PATH}/token"},
        {"name": "RENKU_FED_SESSION_ID", "value": session.id},
        {
            "name": "JUPYTER_TOKEN",
            "valueFrom": {"secretKeyRef": {"name": secret, "key": "jupyter-token"}},
        },
    ]


def _work_dir(environment: Environment) -> str:
    return environment.working_directory or f"{HOME}/work"


def _clone_container(
    session: Session, project: ProjectInfo, environment: Environment, placement: Placement
) -> dict[str, Any]:
    """The init container that clones the project once, with the credentials from the Secret."""
    work = _work_dir(environment)
    helper = f"store --file={SECRETS_PATH}/git-credentials"
    script = (
        f'if [ -n "$REMOTE" ] && [ ! -d {shlex.quote(work)}/.git ]; then '
        f'git -c credential.helper={shlex.quote(helper)} clone -- "$REMOTE" {shlex.quote(work)}'
        f" && git -C {shlex.quote(work)} config credential.helper {shlex.quote(helper)}; fi"
    )
    mount = environment.mount_directory or work
    return {
        "name": CLONE_CONTAINER,
        "image": placement.git_image,
        "command": ["sh", "-c", script],
        "env": [
            {"name": "REMOTE", "value": project.repositories[0] if project.repositories else ""},
            {"name": "HOME", "value": "/tmp"},
            {"name": "GIT_TERMINAL_PROMPT", "value": "0"},
        ],
        "volumeMounts": [
            {"name": placement.storage_volume, "mountPath": mount},
            {"name": SECRETS_VOLUME, "mountPath": SECRETS_PATH, "readOnly": True},
        ],
        "securityContext": _container_security(environment),
    }


def _container_security(environment: Environment) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": environment.uid,
        "runAsGroup": environment.gid,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _session_spec(
    session: Session, environment: Environment, env: Sequence[EnvVar], placement: Placement
) -> dict[str, Any]:
    storage: dict[str, Any] = {
        "size": _quantity_gb(session.resources.storage),
        "mountPath": environment.mount_directory or _work_dir(environment),
    }
    if placement.storage_class:
        storage["className"] = placement.storage_class
    spec: dict[str, Any] = {
        "image": session.image,
        "port": environment.port,
        "workingDir": _work_dir(environment),
        "urlPath": f"/sessions/{session.id}/",
        "runAsUser": environment.uid,
        "runAsGroup": environment.gid,
        "resources": _resources(session),
        "storage": storage,
        "env": _env(session, env, placement.public_url),
        "extraVolumeMounts": [
            {"name": SECRETS_VOLUME, "mountPath": SECRETS_PATH, "readOnly": True}
        ],
        "readinessProbe": {"type": "tcp"},
    }
    if environment.command:
        spec["command"] = list(environment.command)
    if environment.args:
        spec["args"] = list(environment.args)
    return spec


def _culling(session: Session) -> dict[str, Any]:
    return {
        "maxIdleDuration": f"{session.idle_threshold_seconds}s",
        "maxHibernatedDuration": f"{session.hibernation_threshold_seconds}s",
        "lastInteraction": session.last_interaction.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def amalthea_session(
    session: Session,
    project: ProjectInfo,
    environment: Environment,
    env: Sequence[EnvVar],
    placement: Placement,
    storage: LaunchStorage | None = None,
) -> dict[str, Any]:
    """The AmaltheaSession that runs the session, with its data connectors and secret slots."""
    secret = secret_name(session.id)
    spec: dict[str, Any] = {
        "hibernated": False,
        "session": _session_spec(session, environment, env, placement),
        "authentication": {
            "enabled": True,
            "type": "token",
            "secretRef": {"name": secret, "key": "auth"},
        },
        "culling": _culling(session),
        "initContainers": [_clone_container(session, project, environment, placement)],
        "extraVolumes": [
            {"name": SECRETS_VOLUME, "secret": {"secretName": secret, "defaultMode": 0o440}}
        ],
        "template": {"metadata": {"labels": labels(session)}},
    }
    if placement.service_account:
        spec["serviceAccountName"] = placement.service_account
    if storage is not None:
        spec["dataSources"] = data_sources(session, storage)
        slots = {"secretName": slots_secret_name(session.id), "defaultMode": 0o400}
        spec["extraVolumes"].append({"name": SLOTS_VOLUME, "secret": slots})
        spec["session"]["extraVolumeMounts"].append(
            {"name": SLOTS_VOLUME, "mountPath": storage.secrets_directory, "readOnly": True}
        )
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "metadata": {"name": resource_name(session.id), "labels": labels(session)},
        "spec": spec,
    }


def observed_state(resource: Mapping[str, Any]) -> tuple[SessionState, str | None]:
    """Our state of a session from its resource's `status` (and whether it is to hibernate)."""
    status = resource.get("status") or {}
    hibernating = bool((resource.get("spec") or {}).get("hibernated"))
    state = _STATES.get(str(status.get("state", "")), SessionState.STARTING)
    if hibernating and state is not SessionState.HIBERNATED:
        return SessionState.STOPPING, None
    if state is SessionState.FAILED:
        return state, str(status.get("error") or "The session's pod failed; see its logs.")
    return state, None
