"""Traffic-shaping settings: one policy for all subgraphs and per-subgraph overrides."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field


class SubgraphShaping(BaseModel):
    """How the router calls one subgraph: timeout, concurrency, retries, circuit breaker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        description="How long one request to the subgraph may take (SUBGRAPH_TIMEOUT beyond); "
        "unset keeps subgraph_timeout_seconds and subgraph_timeouts.",
    )
    max_concurrency: int = Field(
        default=100,
        ge=0,
        description="Requests in flight to the subgraph at once; more wait. 0 is no limit.",
    )
    queue_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a request waits for a free slot before it fails "
        "(SUBGRAPH_OVERLOADED).",
    )
    retry_attempts: int = Field(
        default=2,
        ge=0,
        description="Further tries of a query whose connection failed or that was answered "
        "502, 503 or 504 (a reset keep-alive connection too); mutations are never retried.",
    )
    retry_min_seconds: float = Field(
        default=0.05, gt=0, description="Backoff of the first retry (jittered, doubled each try)."
    )
    retry_max_seconds: float = Field(default=1.0, gt=0, description="Longest backoff.")
    breaker_failures: int = Field(
        default=5,
        ge=0,
        description="Consecutive failed requests that open the circuit breaker; 0 turns the "
        "breaker off.",
    )
    breaker_failure_rate: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of failed requests among the last breaker_window that opens it too.",
    )
    breaker_window: int = Field(
        default=20, ge=1, description="Requests the failure rate is computed over."
    )
    breaker_cooldown_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long an open breaker fails requests fast (SUBGRAPH_UNAVAILABLE) before "
        "one probe request may try the subgraph again.",
    )


class TrafficShaping(BaseModel):
    """`all` applies to every subgraph; `subgraphs` overrides some of its fields by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: SubgraphShaping = Field(default_factory=SubgraphShaping)
    subgraphs: dict[str, SubgraphShaping] = Field(default_factory=dict)

    def for_subgraph(self, name: str) -> SubgraphShaping:
        """The policy of subgraph `name`: `all` with the fields its override sets."""
        override = self.subgraphs.get(name)
        if override is None:
            return self.all
        return self.all.model_copy(update=override.model_dump(exclude_unset=True))

    def check_names(self, known: Iterable[str]) -> None:
        """ValueError when an override names a subgraph that is not in `known`."""
        names = sorted(known)
        unknown = sorted(set(self.subgraphs) - set(names))
        if unknown:
            raise ValueError(
                "RENKU_FED_ROUTER_TRAFFIC_SHAPING: `subgraphs` names no subgraph of the "
                f"supergraph: {', '.join(unknown)} (its subgraphs: {', '.join(names)}); fix or "
                "remove the name."
            )
