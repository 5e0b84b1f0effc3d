"""The protection limits' settings, read from `RENKU_FED_ROUTER_LIMITS_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LimitSettings(BaseSettings):
    """What the router refuses before planning: too deep, too wide, too costly, too frequent.

    Every maximum is checked before any subgraph is called; 0 turns that limit off.
    """

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_ROUTER_LIMITS_", extra="ignore")

    max_depth: int = Field(
        default=15,
        ge=0,
        description="Deepest field nesting of an operation, fragments expanded; a root field "
        "is at depth 1 (MAX_DEPTH_EXCEEDED).",
    )
    max_aliases: int = Field(
        default=50,
        ge=0,
        description="Aliased fields in an operation, each fragment counted as often as it is "
        "spread (MAX_ALIASES_EXCEEDED).",
    )
    max_root_fields: int = Field(
        default=20,
        ge=0,
        description="Fields selected on the operation's root type, fragments expanded "
        "(MAX_ROOT_FIELDS_EXCEEDED).",
    )
    max_fields: int = Field(
        default=2_000,
        ge=0,
        description="Field selections in an operation, each fragment counted as often as it is "
        "spread, so that fragments spread within fragments cannot multiply the work of "
        "authorization and planning (MAX_FIELDS_EXCEEDED).",
    )
    max_tokens: int = Field(
        default=15_000,
        ge=0,
        description="Lexical tokens, and separately comments, in a document; parsing stops "
        "at the first token beyond it (MAX_TOKENS_EXCEEDED).",
    )
    max_cost: int = Field(
        default=5_000,
        ge=0,
        description="Largest static cost estimate of an operation, as router.limits.cost "
        "computes it (COST_ESTIMATED_TOO_EXPENSIVE).",
    )
    default_list_size: int = Field(
        default=5,
        ge=0,
        description="Items assumed for a list field whose size no argument or @listSize gives "
        "(nested unsized lists multiply: 5 keeps four levels of them at 625 objects).",
    )
    rate_per_second: float = Field(
        default=50.0,
        ge=0,
        description="Requests per second one client may send on average: the user (token "
        "subject) when authenticated, else the client IP (RATE_LIMITED, HTTP 429).",
    )
    rate_burst: int = Field(
        default=100,
        ge=1,
        description="Requests one client may send at once before rate_per_second applies.",
    )
    rate_store: Literal["memory", "redis"] = Field(
        default="memory",
        description="Where the rate buckets are kept: `memory` (each replica counts alone) or "
        "`redis` (replicas share one limit at `RENKU_FED_ROUTER_REDIS_URL`).",
    )
    client_ip_header: str = Field(
        default="",
        description="A header set by a trusted reverse proxy whose last comma-separated entry "
        "is the client IP (e.g. x-forwarded-for); empty uses the TCP peer address.",
    )
    safelist_manifest: Path | None = Field(
        default=None,
        description="An Apollo persisted-query manifest (apollo-persisted-query-manifest, "
        "version 1); when set, only its operations are executed, by id "
        "(extensions.persistedQuery.sha256Hash) or by identical body "
        "(PERSISTED_QUERY_NOT_IN_SAFELIST), and automatic persisted queries register nothing.",
    )
