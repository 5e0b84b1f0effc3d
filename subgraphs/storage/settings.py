"""Settings of the storage service (env prefix `RENKU_FED_STORAGE_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class StorageSettings(BaseSettings):
    """Where the storage service keeps its data, its keys, and whom it asks."""

    # Errors leave out the input, which holds the keys.
    model_config = SettingsConfigDict(
        env_prefix="RENKU_FED_STORAGE_", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(
        default=Path(".renku-fed/storage"),
        description="Folder of the SQLite database (`storage.sqlite3`, mode 0600, folder 0700).",
    )
    seed_demo: bool = Field(
        default=False,
        description="Store the demo data connector alice/flights-archive (a public WebDAV "
        "folder on 127.0.0.1:8080, linked to no project) when it is missing.",
    )
    secrets_keys: SecretStr = Field(
        description="Fernet keys, comma-separated: the first encrypts, every one decrypts. To "
        "rotate, put a new key first and run `renku-fed storage rotate-keys` (or the "
        "`rotateSecretsKeys` mutation as an admin); then drop the old key.",
    )
    internal_secret: SecretStr | None = Field(
        default=None,
        description="Shared with the sessions service, which sends it in "
        "`X-Renku-Internal-Token` to POST /internal/session-launch; unset: the route refuses "
        "every request.",
    )
    graph_url: str = Field(
        default="http://127.0.0.1:4000/graphql",
        description="The router's GraphQL URL, asked (with the caller's token) for their "
        "namespace roles and their rights on a project.",
    )
    rclone_binary: str = Field(
        default="rclone",
        description="The rclone binary whose `config providers` schema lists the storage types.",
    )
    doi_resolver_url: str = Field(
        default="https://api.datacite.org/dois",
        description="DataCite's REST API for DOI metadata (GET <url>/<doi>), asked when a "
        "global data connector is created from a DOI.",
    )
    doi_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long resolving one DOI may take."
    )
    secrets_mount_directory: str = Field(
        default="/secrets",
        description="Where sessions get a project's secret slots, unless the project sets it.",
    )
    log_level: str = Field(default="INFO", description="Log level (DEBUG, INFO, ...).")

    def keys(self) -> list[str]:
        """The Fernet keys, first the one that encrypts."""
        return [k.strip() for k in self.secrets_keys.get_secret_value().split(",") if k.strip()]
