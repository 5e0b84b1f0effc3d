"""Settings of the sessions service (env prefix `RENKU_FED_SESSIONS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SessionsSettings(BaseSettings):
    """Where sessions run, where their state is kept and how long their steps may take."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_SESSIONS_", extra="ignore")

    backend: Literal["local"] = Field(
        default="local",
        description="Session backend: `local` runs each session as a `jupyter server` child "
        "process on 127.0.0.1.",
    )
    data_dir: Path = Field(
        default=Path(".renku-fed/sessions"),
        description="Folder of the sessions database and of one working folder per session.",
    )
    seed_demo: bool = Field(
        default=False,
        description="Create one LOCAL_JUPYTER launcher per demo project when there is none.",
    )
    max_live_sessions_per_user: int = Field(
        default=5,
        ge=1,
        description="Most sessions one user may have starting, running or stopping at once.",
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
        "each; keep it within the router's max_root_fields and max_aliases (20 and 30 by default).",
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
