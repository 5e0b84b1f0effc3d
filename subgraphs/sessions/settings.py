"""Settings of the sessions service (env prefix `RENKU_FED_SESSIONS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SessionsSettings(BaseSettings):
    """Where sessions run, where their state is kept and how long their steps may take."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_SESSIONS_", extra="ignore")

    backend: Literal["local", "kubernetes"] = Field(
        default="local",
        description="Session backend: `local` runs each session as a sandboxed Jupyter server "
        "on 127.0.0.1; `kubernetes` creates an AmaltheaSession resource per session.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:4000",
        description="The router's public base URL; a session's `url` is "
        "`<public_url>/sessions/<id>/`, and code in a session calls the platform there.",
    )
    proxy_secret: SecretStr | None = Field(
        default=None,
        description="When set, only requests carrying it (the router's session proxy, set with "
        "the same value in RENKU_FED_ROUTER_SESSION_PROXY_SECRET) learn where a session runs.",
    )
    sandbox: Literal["bubblewrap", "none"] = Field(
        default="bubblewrap",
        description="How local sessions are isolated: `bubblewrap` (bwrap: own mount and PID "
        "namespaces, uid 1000, only the session's folder writable) or `none` (only for "
        "machines where every user may read everything the service reads).",
    )
    port_range_start: int = Field(
        default=20000, ge=1024, le=65535, description="Lowest loopback port a local session uses."
    )
    port_range_end: int = Field(
        default=20999, ge=1024, le=65535, description="Highest loopback port a local session uses."
    )
    max_live_sessions: int = Field(
        default=20, ge=1, description="Most sessions starting or running at once, all users."
    )
    reconcile_interval_seconds: float = Field(
        default=0.25,
        gt=0,
        description="How often the reconciler follows servers, hibernates idle sessions and "
        "deletes long-hibernated ones.",
    )
    data_dir: Path = Field(
        default=Path(".renku-fed/sessions"),
        description="Folder of the sessions database and of one working folder per session.",
    )
    seed_demo: bool = Field(
        default=False,
        description="Seed a resource pool, a Jupyter environment and one launcher per demo "
        "project into an empty store.",
    )
    max_live_sessions_per_user: int = Field(
        default=5,
        ge=1,
        description="Most sessions one user may have starting or running at once.",
    )
    graph_url: str = Field(
        default="http://127.0.0.1:4000/graphql",
        description="The router's GraphQL URL, asked which projects a caller may see and where "
        "their repositories are.",
    )
    graph_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of the project lookup through the router."
    )
    graph_batch_size: int = Field(
        default=20,
        ge=1,
        description="Most projects looked up in one router request, one aliased `project` field "
        "each; keep it within the router's max_root_fields and max_aliases (20 and 50 by default).",
    )
    clone_timeout_seconds: float = Field(
        default=120.0, gt=0, description="Longest a `git clone` of a project may take."
    )
    start_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Longest a server may take to answer before it FAILED."
    )
    stop_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Grace period after SIGTERM before a server is killed."
    )
    log_level: str = Field(
        default="INFO", description="Log level of the service (DEBUG, INFO, ...)."
    )
    kubernetes_namespace: str = Field(
        default="renku",
        description="Namespace of the AmaltheaSession resources and Secrets of the "
        "`kubernetes` backend.",
    )
    kubernetes_api_url: str | None = Field(
        default=None,
        description="The Kubernetes API server; unset: the pod's service account in a cluster, "
        "else the current kubeconfig context.",
    )
    kubernetes_git_image: str = Field(
        default="docker.io/alpine/git:v2.47.2",
        description="Image of the init container that clones the project into a session.",
    )
    kubernetes_storage_volume: str = Field(
        default="amalthea-volume",
        description="Name of the volume Amalthea gives a session's storage, where the init "
        "container clones the project.",
    )
    kubernetes_storage_class: str | None = Field(
        default=None, description="Storage class of sessions' volumes; unset: the cluster's."
    )
    kubernetes_service_account: str | None = Field(
        default=None,
        description="Service account of session pods; give it `automountServiceAccountToken: "
        "false` so that no session holds a Kubernetes token.",
    )
    storage_url: str | None = Field(
        default=None,
        description="The storage service's session-launch route "
        "(`<storage>/internal/session-launch`), asked at launch and resume which data connectors "
        "a session mounts and which secret files it gets; unset: none.",
    )
    storage_secret: SecretStr | None = Field(
        default=None,
        description="The secret sent to the session-launch route as `X-Renku-Internal-Token` "
        "(the storage service's RENKU_FED_STORAGE_INTERNAL_SECRET).",
    )
