"""Traffic-shaping settings: one policy for all subgraphs and per-subgraph overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class SubgraphShaping(BaseModel):
    """How the router calls one subgraph: timeout, concurrency, retries, circuit breaker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        description="How long one request to the subgraph may take (SUBGRAPH_TIMEOUT beyond); "
        "unset under `all`, the router's subgraph_timeout_seconds.",
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
    _aliased: frozenset[str] = PrivateAttr(default_factory=frozenset)
    """Names whose timeout came from the deprecated `subgraph_timeouts`."""

    def with_timeouts(self, default: float, per_subgraph: Mapping[str, float]) -> TrafficShaping:
        """This shaping with `default` as `all`'s timeout and `per_subgraph` (the deprecated
        `subgraph_timeouts`) as the timeouts of `subgraphs`, each where it sets none itself."""
        common = self.all
        if common.timeout_seconds is None:
            common = common.model_copy(update={"timeout_seconds": default})
        subgraphs = dict(self.subgraphs)
        for name, seconds in per_subgraph.items():
            override = subgraphs.get(name, SubgraphShaping())
            if override.timeout_seconds is None:
                subgraphs[name] = override.model_copy(update={"timeout_seconds": seconds})
        folded = TrafficShaping(all=common, subgraphs=subgraphs)
        folded._aliased = self._aliased | frozenset(per_subgraph)
        return folded

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
        if not unknown:
            return
        source = (
            "subgraph_timeouts (RENKU_FED_ROUTER_SUBGRAPH_TIMEOUTS, deprecated: set "
            "`timeout_seconds` under RENKU_FED_ROUTER_TRAFFIC_SHAPING's `subgraphs` instead)"
            if self._aliased.intersection(unknown)
            else "RENKU_FED_ROUTER_TRAFFIC_SHAPING: `subgraphs`"
        )
        raise ValueError(
            f"{source} names no subgraph of the supergraph: {', '.join(unknown)} (its subgraphs: "
            f"{', '.join(names)}); fix or remove the name."
        )
