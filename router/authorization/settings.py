"""Authorization settings, read from `RENKU_FED_ROUTER_AUTHORIZATION_*` environment variables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import Field, ImportString
from pydantic_settings import BaseSettings, SettingsConfigDict

from renku_fed.identity.tokens import Identity

PolicyEvaluator = Callable[[Identity, set[str]], set[str] | Awaitable[set[str]]]
"""Given the caller and every policy an operation mentions, the policies that pass."""


class AuthorizationSettings(BaseSettings):
    """How the router enforces the supergraph's `@authenticated`, `@requiresScopes`, `@policy`."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_ROUTER_AUTHORIZATION_", extra="ignore")

    enabled: bool = Field(
        default=True,
        description="Enforce the authorization directives; off serves every field to every "
        "caller (subgraphs still check the token themselves).",
    )
    policy_evaluator: ImportString[PolicyEvaluator] | None = Field(
        default=None,
        description="Dotted path (`package.module:function`) of a callable "
        "`(identity, policies: set[str]) -> set[str]` (or an awaitable of it) returning the "
        "policies that pass; called once per request with every policy the operation mentions. "
        "Unset, every `@policy` fails.",
    )
    reject_unauthorized: bool = Field(
        default=False,
        description="Refuse the whole request (HTTP 403, no data) when any field it selects is "
        "unauthorized, instead of answering those fields with null.",
    )
    emit_errors: bool = Field(
        default=True,
        description="Add an UNAUTHORIZED_FIELD_OR_TYPE error at the path of each field removed; "
        "off, removed fields are silently null.",
    )
