"""Settings of the projects service (env prefix `RENKU_FED_PROJECTS_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProjectsSettings(BaseSettings):
    """Where the projects service keeps its data and which project store it uses."""

    # Errors leave out the input, which holds the admin token.
    model_config = SettingsConfigDict(
        env_prefix="RENKU_FED_PROJECTS_", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(
        default=Path(".renku-fed/projects"),
        description="Directory of the embedded store's SQLite database and of the projects' "
        "bare git repositories (under `repositories/`), or, on GitLab, of the projects' "
        "metadata and the journal of events waiting for the kg; created if missing.",
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
    kg_events_url: str | None = Field(
        default=None,
        description="The kg subgraph's event route (e.g. http://127.0.0.1:4004/internal/events), "
        "told of every project created, changed or deleted; unset: the kg is not told.",
    )
    events_secret: SecretStr | None = Field(
        default=None,
        description="The secret shared with the kg, sent in `X-Renku-Events-Token` with each "
        "event (`renku-fed up` generates one per data dir).",
    )
    backend: Literal["embedded", "gitlab"] = Field(
        default="embedded",
        description="Which project store to use: `embedded` (SQLite and git on disk) or "
        "`gitlab` (a GitLab instance, with each caller's own GitLab token).",
    )
    gitlab_url: str | None = Field(
        default=None,
        description="GitLab's base URL (backend `gitlab`), e.g. https://gitlab.example.org.",
    )
    gitlab_admin_token: SecretStr | None = Field(
        default=None,
        description="A GitLab administrator's token (scope `read_api`), used only to map GitLab "
        "users to Keycloak subjects: GitLab shows identities to administrators only "
        "(backend `gitlab`).",
    )
    keycloak_url: str | None = Field(
        default=None,
        description="Keycloak's base URL (backend `gitlab`), asked for callers' GitLab tokens at "
        "/realms/REALM/broker/ALIAS/token.",
    )
    keycloak_realm: str = Field(default="renku", description="The Keycloak realm of Renku's users.")
    gitlab_idp_alias: str = Field(
        default="gitlab", description="Alias of the GitLab identity provider in that realm."
    )
    gitlab_token_cache_seconds: float = Field(
        default=60.0, ge=0, description="How long a caller's GitLab token is reused at most."
    )

    @model_validator(mode="after")
    def _backend_is_configured(self) -> ProjectsSettings:
        if self.backend == "gitlab":
            needed = ("gitlab_url", "gitlab_admin_token", "keycloak_url")
            missing = [
                f"RENKU_FED_PROJECTS_{n.upper()}" for n in needed if getattr(self, n) is None
            ]
            if missing:
                raise ValueError(
                    f"RENKU_FED_PROJECTS_BACKEND=gitlab needs {', '.join(missing)}; set them or "
                    "use the embedded backend."
                )
        return self
