"""Settings of the users service (env prefix `RENKU_FED_USERS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UsersSettings(BaseSettings):
    """Where the users service keeps its data and which directory backend it uses."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_USERS_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".renku-fed/users"),
        description="Directory of the embedded backend's SQLite database; created if missing.",
    )
    seed_demo: bool = Field(
        default=False,
        description="Store the demo users (alice, bob, carol) when the directory is empty.",
    )
    backend: Literal["embedded"] = Field(
        default="embedded", description="Which user directory to use: `embedded` (SQLite on disk)."
    )
    dev_issuer_dir: Path | None = Field(
        default=None,
        description="When set, also serve the development OIDC issuer whose key pair is in this "
        "directory (discovery and JWKS at Keycloak's paths).",
    )
