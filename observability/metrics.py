"""Prometheus metrics of the router and the subgraphs, served at `/metrics`."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Operation names come from clients: only plain, short ones become label values, and only the
# first `_MAX_OPERATIONS` of them, so that a client cannot grow the metrics without bound.
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MAX_OPERATIONS = 500
OTHER = "other"
ANONYMOUS = "anonymous"

REQUESTS = Counter(
    "renku_fed_router_requests", "GraphQL requests answered by the router.", ["status"]
)
ERRORS = Counter(
    "renku_fed_router_errors", "GraphQL errors in the router's answers, by code.", ["code"]
)
LATENCY = Histogram(
    "renku_fed_router_request_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ["operation"],
)
FETCHES = Histogram(
    "renku_fed_router_subgraph_fetch_seconds",
    "Time of the router's subgraph calls, by subgraph and outcome.",
    ["subgraph", "outcome"],
)
RETRIES = Counter(
    "renku_fed_router_subgraph_retries",
    "Subgraph queries the router sent again after a failed try, by subgraph.",
    ["subgraph"],
)
SHED = Counter(
    "renku_fed_router_subgraph_shed",
    "Subgraph calls the router failed without sending them, by subgraph and reason "
    "(breaker_open, queue_timeout).",
    ["subgraph", "reason"],
)
BREAKER = Gauge(
    "renku_fed_router_subgraph_breaker_state",
    "State of each subgraph's circuit breaker: 0 closed, 1 half-open, 2 open.",
    ["subgraph"],
    multiprocess_mode="livemax",
)
SUBSCRIPTIONS = Gauge(
    "renku_fed_router_subscriptions",
    "Subscriptions the router serves now, over WebSocket and multipart.",
    multiprocess_mode="livesum",
)
SUBSCRIPTION_EVENTS = Counter(
    "renku_fed_router_subscription_events",
    "Subscription events the router completed and sent on, by the subgraph that sent them.",
    ["subgraph"],
)
CACHE = Counter(
    "renku_fed_router_cache_lookups",
    "Lookups in the router's operation and plan caches.",
    ["cache", "result"],
)
SUBGRAPH_REQUESTS = Counter(
    "renku_fed_subgraph_requests",
    "HTTP requests answered by a subgraph.",
    ["service", "path", "status"],
)
SUBGRAPH_LATENCY = Histogram(
    "renku_fed_subgraph_request_seconds",
    "Time a subgraph took to answer an HTTP request.",
    ["service", "path"],
)

OPERATION_HIT = CACHE.labels("operation", "hit")
OPERATION_MISS = CACHE.labels("operation", "miss")
PLAN_HIT = CACHE.labels("plan", "hit")
PLAN_MISS = CACHE.labels("plan", "miss")
_operations: set[str] = set()
# Children by label values, looked up once: `labels()` costs as much as the observation.
_requests: dict[int, Any] = {}
_latencies: dict[str, Any] = {}
_fetches: dict[tuple[str, str], Any] = {}


def operation_label(name: object) -> str:
    """The label value of an operation name: itself when plain and among the first seen."""
    if not isinstance(name, str):
        return ANONYMOUS
    if name in _operations:
        return name
    if len(_operations) >= _MAX_OPERATIONS or not _PLAIN_NAME.fullmatch(name):
        return OTHER
    _operations.add(name)
    return name


def observe_request(operation: object, status: int, seconds: float) -> None:
    """Count one router answer by HTTP status and time it under its operation name."""
    counter = _requests.get(status)
    if counter is None:
        counter = _requests[status] = REQUESTS.labels(str(status))
    counter.inc()
    histogram = _latencies.get(operation) if isinstance(operation, str) else None
    if histogram is None:
        label = operation_label(operation)
        histogram = _latencies.get(label)
        if histogram is None:
            histogram = _latencies[label] = LATENCY.labels(label)
    histogram.observe(seconds)


def count_errors(errors: Iterable[Mapping[str, Any]]) -> None:
    """Count the errors of one answer by their `extensions.code`."""
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        ERRORS.labels(code if isinstance(code, str) else "NO_CODE").inc()


def observe_fetch(subgraph: str, outcome: str, started: float) -> None:
    """Time one subgraph call that started at `started` (a `perf_counter` reading)."""
    key = (subgraph, outcome)
    histogram = _fetches.get(key)
    if histogram is None:
        histogram = _fetches[key] = FETCHES.labels(subgraph, outcome)
    histogram.observe(time.perf_counter() - started)


def count_retry(subgraph: str) -> None:
    """Count one retried subgraph query."""
    RETRIES.labels(subgraph).inc()


def count_shed(subgraph: str, reason: str) -> None:
    """Count one subgraph call failed without being sent."""
    SHED.labels(subgraph, reason).inc()


def set_breaker_state(subgraph: str, state: int) -> None:
    """Report the state of a subgraph's circuit breaker."""
    BREAKER.labels(subgraph).set(state)


def registry() -> CollectorRegistry:
    """The registry to scrape: every worker's under `PROMETHEUS_MULTIPROC_DIR`, else this one's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    merged = CollectorRegistry()
    MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return merged


async def metrics(_: Request) -> Response:
    """The metrics in Prometheus' text format."""
    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)


def metrics_route() -> Route:
    """The `GET /metrics` route."""
    return Route("/metrics", metrics, methods=["GET"])


class SubgraphMetrics:
    """ASGI wrapper counting and timing a subgraph's HTTP requests."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self._app = app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, then record its status and duration."""
        if scope["type"] != "http" or scope["path"] == "/metrics":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        path = scope["path"] if scope["path"] in ("/graphql", "/healthz") else OTHER
        try:
            await self._app(scope, receive, send_recording)
        finally:
            SUBGRAPH_REQUESTS.labels(self._service, path, str(status)).inc()
            SUBGRAPH_LATENCY.labels(self._service, path).observe(time.perf_counter() - started)
