"""Settings of the kg service (env prefix `RENKU_FED_KG_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KgSettings(BaseSettings):
    """Where the knowledge graph is stored and whether to seed the demo graph."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_KG_", extra="ignore")

    backend: Literal["embedded"] = Field(
        default="embedded",
        description="Triple store: `embedded` keeps a pyoxigraph store in `data_dir/store`.",
    )
    data_dir: Path = Field(
        default=Path(".renku-fed/kg"),
        description="Folder of the embedded store (created when missing).",
    )
    seed_demo: bool = Field(
        default=False,
        description="Index the demo projects, dataset and lineage into an empty store.",
    )
    log_level: str = Field(
        default="INFO", description="Log level of the service (DEBUG, INFO, ...)."
    )
