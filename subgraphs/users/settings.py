"""Settings of the users service (env prefix `RENKU_FED_USERS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class UsersSettings(BaseSettings):
    """Where the users service keeps its data and which directory backend it uses."""

    # Errors leave out the input, which holds the client secret.
    model_config = SettingsConfigDict(
        env_prefix="RENKU_FED_USERS_", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(
        default=Path(".renku-fed/users"),
        description="Directory of the embedded backend's SQLite database; created if missing.",
    )
    seed_demo: bool = Field(
        default=False,
        description="Store the demo users (alice, bob, carol) when the directory is empty.",
    )
    backend: Literal["embedded", "keycloak"] = Field(
        default="embedded",
        description="Which user directory to use: `embedded` (SQLite on disk) or `keycloak` (the "
        "realm's users through Keycloak's admin API; groups stay in the embedded store).",
    )
    keycloak_url: str | None = Field(
        default=None,
        description="Keycloak's base URL (backend `keycloak`), e.g. https://id.example.org/.",
    )
    keycloak_realm: str = Field(default="renku", description="The realm of Renku's users.")
    keycloak_client_id: str | None = Field(
        default=None,
        description="A confidential client with a service account holding the `realm-management` "
        "roles `view-users` and `view-realm` (backend `keycloak`).",
    )
    keycloak_client_secret: SecretStr | None = Field(
        default=None, description="That client's secret (backend `keycloak`)."
    )
    projects_url: str | None = Field(
        default="http://127.0.0.1:4002/graphql",
        description="GraphQL URL of the projects subgraph, asked to move a renamed group's "
        "projects and to count or delete a deleted group's; unset, groups change alone.",
    )
    dev_issuer_dir: Path | None = Field(
        default=None,
        description="When set, also serve the development OIDC issuer whose key pair is in this "
        "directory (discovery and JWKS at Keycloak's paths).",
    )

    @model_validator(mode="after")
    def _backend_is_configured(self) -> UsersSettings:
        if self.backend == "keycloak":
            needed = ("keycloak_url", "keycloak_client_id", "keycloak_client_secret")
            missing = [f"RENKU_FED_USERS_{n.upper()}" for n in needed if getattr(self, n) is None]
            if missing:
                raise ValueError(
                    f"RENKU_FED_USERS_BACKEND=keycloak needs {', '.join(missing)}; set them or "
                    "use the embedded backend."
                )
        return self
