"""Settings of the projects service (env prefix `RENKU_FED_PROJECTS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProjectsSettings(BaseSettings):
    """Where the projects service keeps its data and which project store it uses."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_PROJECTS_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".renku-fed/projects"),
        description="Directory of the embedded store's SQLite database and of the projects' "
        "bare git repositories (under `repositories/`); created if missing.",
    )
    seed_demo: bool = Field(
        default=False,
        description="Store the demo projects (alice/flights, alice/secret-notes, bob/climate) "
        "with their members and repositories when the store is empty.",
    )
    users_url: str = Field(
        default="http://127.0.0.1:4001/graphql",
        description="GraphQL URL of the users subgraph, asked for the caller's group role when "
        "a project is created in a group's namespace.",
    )
    backend: Literal["embedded"] = Field(
        default="embedded",
        description="Which project store to use: `embedded` (SQLite and git on disk).",
    )
