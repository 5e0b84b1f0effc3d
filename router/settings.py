"""The router's settings, read from `RENKU_FED_ROUTER_*` environment variables."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from renku_fed.router.auth.settings import LoginSettings
from renku_fed.router.authorization.settings import AuthorizationSettings
from renku_fed.router.execution.response_policy import ResponseValidation
from renku_fed.router.execution.shaping_settings import TrafficShaping
from renku_fed.router.limits.settings import LimitSettings
from renku_fed.router.subscriptions.settings import SubscriptionSettings

log = logging.getLogger(__name__)


class RouterSettings(BaseSettings):
    """How the router listens, where its supergraph comes from and how it calls subgraphs."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_ROUTER_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(
        default=4000, ge=1, le=65535, description="TCP port the HTTP server listens on."
    )
    supergraph_path: Path | None = Field(
        default=None,
        description="A composed supergraph SDL file; when unset, the router composes one at "
        "start from the `subgraphs` it is given.",
    )
    supergraph_poll_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often the file at supergraph_path is checked for a new version, which "
        "is then served without a restart (a ConfigMap update on Kubernetes); 0 turns it off.",
    )
    subgraphs: dict[str, str] = Field(
        default_factory=dict,
        description="Subgraph name -> GraphQL URL, used to compose at start when no "
        'supergraph_path is set (JSON in the environment: {"users": "http://..."}).',
    )
    subgraph_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long one subgraph request may take before it fails, unless "
        "traffic_shaping sets a timeout.",
    )
    subgraph_timeouts: dict[str, float] = Field(
        default_factory=dict,
        description="Deprecated: per-subgraph timeouts (name -> seconds), folded at load into "
        "traffic_shaping's `subgraphs` where those set no `timeout_seconds`; set them there.",
    )
    deduplicate_subgraph_queries: bool = Field(
        default=True,
        description="A subgraph query identical to one already in flight (same operation, "
        "variables and forwarded headers, so the same caller) waits for that call's answer "
        "instead of sending its own; mutations are always sent.",
    )
    traffic_shaping: TrafficShaping = Field(
        default_factory=TrafficShaping,
        description="How the router calls subgraphs (README, Traffic shaping): timeout, "
        "concurrency limit, retries of queries, circuit breaker; `all` for every subgraph, "
        '`subgraphs` overrides by name (JSON in the environment: {"all": {"retry_attempts": '
        '1}, "subgraphs": {"kg": {"max_concurrency": 20}}}).',
    )
    startup_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long to keep retrying subgraphs that are not up yet when composing "
        "at start.",
    )
    plan_cache_size: int = Field(
        default=1000, ge=1, description="Entries of the parse, validation and query-plan caches."
    )
    max_request_bytes: int = Field(
        default=2_000_000, ge=1024, description="Largest request body accepted (HTTP 413 beyond)."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API cross-origin (["*"] for any); '
        "empty turns CORS off.",
    )
    mask_subgraph_errors: bool = Field(
        default=False,
        description="Replace the messages of subgraph errors with a generic one (paths and "
        "`extensions.code` are kept); the router's own errors stay readable.",
    )
    response_validation: ResponseValidation = Field(
        default=ResponseValidation.STRICT,
        description="Where a subgraph value that does not fit the API schema is reported once "
        "nulled: `strict`, a RESPONSE_VALIDATION_FAILED error at its path; `apollo`, as "
        "Apollo's gateway does, under `extensions.valueCompletion` when there is no other "
        "error (README, Errors).",
    )
    subscriptions: SubscriptionSettings = Field(
        default_factory=SubscriptionSettings,
        description="Subscriptions over WebSocket and HTTP multipart (README, Subscriptions); "
        'JSON in the environment: {"max_per_client": 5}.',
    )
    introspection: bool = Field(default=True, description="Answer `__schema` and `__type` queries.")
    graphiql: bool = Field(
        default=True, description="Serve the GraphiQL page to browsers that GET /graphql."
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="The Redis server that replicas share sessions and rate buckets on when "
        "`RENKU_FED_ROUTER_LOGIN_STORE` or `RENKU_FED_ROUTER_LIMITS_RATE_STORE` is `redis`: "
        "`redis://[:password@]host:6379/0`, `rediss://` for TLS; query parameters such as "
        "`?socket_timeout=2` tune the client.",
    )
    redis_key_prefix: str = Field(
        default="renku-fed:router:",
        description="Starts every key the router writes to Redis, so that several deployments "
        "can share one server.",
    )
    login: LoginSettings = Field(
        default_factory=LoginSettings,
        description="Browser login and cookie sessions (`RENKU_FED_ROUTER_LOGIN_*`); off until "
        "a client id is set.",
    )
    limits: LimitSettings = Field(
        default_factory=LimitSettings,
        description="Protection limits: depth, aliases, root fields, tokens, cost, rate, "
        "persisted-query safelist (`RENKU_FED_ROUTER_LIMITS_*`).",
    )
    authorization: AuthorizationSettings = Field(
        default_factory=AuthorizationSettings,
        description="Enforcement of @authenticated, @requiresScopes and @policy: policy "
        "evaluator, reject mode, errors (`RENKU_FED_ROUTER_AUTHORIZATION_*`).",
    )

    @model_validator(mode="after")
    def _fold_timeouts(self) -> RouterSettings:
        """Make traffic_shaping the one owner of every subgraph's timeout."""
        self.traffic_shaping = self.traffic_shaping.with_timeouts(
            self.subgraph_timeout_seconds, self.subgraph_timeouts
        )
        return self

    @model_validator(mode="after")
    def _redis_url_when_chosen(self) -> RouterSettings:
        chosen = [
            f"{variable}=redis"
            for variable, store in (
                ("RENKU_FED_ROUTER_LOGIN_STORE", self.login.store),
                ("RENKU_FED_ROUTER_LIMITS_RATE_STORE", self.limits.rate_store),
            )
            if store == "redis"
        ]
        if chosen and self.redis_url is None:
            raise ValueError(f"RENKU_FED_ROUTER_REDIS_URL must be set with {' and '.join(chosen)}")
        return self


def log_deprecations(settings: RouterSettings) -> None:
    """Log each deprecated setting in use and what replaces it (once, at start)."""
    if settings.subgraph_timeouts:
        log.warning(
            "RENKU_FED_ROUTER_SUBGRAPH_TIMEOUTS is deprecated: its timeouts now apply as "
            "`timeout_seconds` under RENKU_FED_ROUTER_TRAFFIC_SHAPING's `subgraphs`; move them "
            "there",
            extra={"subgraphs": sorted(settings.subgraph_timeouts)},
        )
