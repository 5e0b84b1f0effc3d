"""Settings of the kg service (env prefix `RENKU_FED_KG_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KgSettings(BaseSettings):
    """Which triple store holds the knowledge graph, and whether to seed the demo graph."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_KG_", extra="ignore")

    backend: Literal["embedded", "sparql"] = Field(
        default="embedded",
        description="Triple store: `embedded` keeps a pyoxigraph store in `data_dir/store`; "
        "`sparql` uses a SPARQL 1.1 endpoint (Virtuoso, Jena Fuseki, GraphDB) at `sparql_*`.",
    )
    data_dir: Path = Field(
        default=Path(".renku-fed/kg"),
        description="Folder of the embedded store (created when missing).",
    )
    seed_demo: bool = Field(
        default=False,
        description="Commit the demo metadata (flights' dataset, workflow and run) into the "
        "demo repositories as the projects subgraph announces them, then ingest it.",
    )
    sparql_query_url: str | None = Field(
        default=None, description="SPARQL query endpoint, e.g. http://virtuoso:8890/sparql."
    )
    sparql_update_url: str | None = Field(
        default=None,
        description="SPARQL update endpoint, e.g. http://virtuoso:8890/sparql-auth "
        "(default: the query URL).",
    )
    sparql_graph_store_url: str | None = Field(
        default=None,
        description="SPARQL 1.1 Graph Store endpoint for bulk loads, e.g. "
        "http://virtuoso:8890/sparql-graph-crud-auth; unset: loads by INSERT DATA batches.",
    )
    sparql_graph_store_parameter: str = Field(
        default="graph",
        description="The Graph Store endpoint's graph parameter: `graph` (the standard, "
        "Fuseki, GraphDB) or `graph-uri` (Virtuoso).",
    )
    sparql_user: str | None = Field(default=None, description="User for updates and loads.")
    sparql_password: SecretStr | None = Field(default=None, description="Its password.")
    sparql_digest_auth: bool = Field(
        default=True, description="HTTP digest auth (Virtuoso); false for basic auth."
    )
    sparql_timeout_seconds: float = Field(
        default=60.0, gt=0, description="How long one SPARQL request may take."
    )
    events_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret the projects subgraph sends in `X-Renku-Events-Token` with "
        "its events, and GitLab in `X-Gitlab-Token` with its push webhooks; unset: the "
        "internal event routes refuse every request.",
    )
    repository_token: SecretStr | None = Field(
        default=None,
        description="A token that reads every project's repository over http(s) (a GitLab "
        "token with scope `read_repository`, sent as the password of user `oauth2`); the kg "
        "keeps a mirror of each under `data_dir/mirrors`. Unset: http(s) repositories are "
        "fetched without credentials, so only public ones are read.",
    )
    keycloak_url: str | None = Field(
        default=None,
        description="Keycloak's base URL, asked for callers' GitLab tokens at "
        "/realms/REALM/broker/ALIAS/token: recording into a GitLab project pushes with the "
        "caller's own token. Unset: recording into http(s) repositories is refused.",
    )
    keycloak_realm: str = Field(default="renku", description="The Keycloak realm of Renku's users.")
    gitlab_idp_alias: str = Field(
        default="gitlab", description="Alias of the GitLab identity provider in that realm."
    )
    users_url: str | None = Field(
        default="http://127.0.0.1:4001/graphql",
        description="GraphQL URL of the users subgraph, asked (with the caller's token) for the "
        "caller's groups: a group's members read its private projects. Unset: groups grant "
        "no access in the knowledge graph.",
    )
    group_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a caller's group roles are reused; a removal from a group takes "
        "effect in the knowledge graph within this time.",
    )
    ingestion_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the ingester looks for events when idle."
    )
    ingestion_max_backoff_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait between retries of an event while the store is unreachable.",
    )
    log_level: str = Field(
        default="INFO", description="Log level of the service (DEBUG, INFO, ...)."
    )

    @model_validator(mode="after")
    def _sparql_is_configured(self) -> KgSettings:
        if self.backend == "sparql" and not self.sparql_query_url:
            raise ValueError("RENKU_FED_KG_SPARQL_QUERY_URL is required with backend `sparql`")
        return self
