"""Speed of the library swaps on the request path, each beside the hand-written code it replaced.

Run from the repository root: `python -m bench.request_path` (see bench/request_path/README.md).
The `HandWritten*` classes below are the replaced implementations, kept here only as peers.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import orjson
from cachetools import LRUCache
from graphql import DocumentNode, parse

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import JsonFormatter, redact
from renku_fed.observability.request_id import RequestIdFilter
from renku_fed.router.planning import QueryPlan, QueryPlanner
from renku_fed.router.planning.nodes import FetchNode, PlanNode
from renku_fed.router.planning.planner import _CacheKey, _document_hash
from renku_fed.router.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
QUERY = """query Project($id: ID!) {
  project(id: $id) { name namespace createdBy { username email } sessions { id } }
}"""
ISSUER = "http://127.0.0.1:4001/realms/renku"
K = TypeVar("K")
V = TypeVar("V")


class HandWrittenLruCache(Generic[K, V]):
    """The replaced `router/lru_cache.py` (plus `__setitem__` so it can stand in for LRUCache)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value under `key`, now the most recently used; None when absent."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        """Store `value` under `key`, forgetting the oldest entry beyond the size; return it."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return value

    __setitem__ = put


class HandWrittenLruPlanner(QueryPlanner):
    """The planner with its replaced OrderedDict LRU, as `plan` was written before."""

    def __init__(self, supergraph: Supergraph, cache_size: int = 1000) -> None:
        super().__init__(supergraph, cache_size)
        self._own_cache: OrderedDict[_CacheKey, QueryPlan] = OrderedDict()

    def plan(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, object] | None = None,
        override_labels: frozenset[str] = frozenset(),
    ) -> QueryPlan:
        """The plan, cached in the hand-written LRU."""
        labels = override_labels & self.supergraph.model.override_labels
        key: _CacheKey = (_document_hash(document), operation_name, self.supergraph.version, labels)
        cached = self._own_cache.get(key)
        if cached is not None:
            self._own_cache.move_to_end(key)
            return cached
        plan = super().plan(document, operation_name, variables, override_labels)
        self._own_cache[key] = plan
        if len(self._own_cache) > self.cache_size:
            self._own_cache.popitem(last=False)
        return plan


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class HandWrittenJsonFormatter(logging.Formatter):
    """The replaced JSON formatter of `observability/logs.py`."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """The record as a redacted JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


def ops_per_second(call: Callable[[], object], seconds: float = 0.3, rounds: int = 5) -> float:
    """The best of `rounds` runs of about `seconds` each, as calls per second."""
    batch = 1
    while _elapsed(call, batch) < 0.02:
        batch *= 2
    best = 0.0
    for _ in range(rounds):
        count = max(1, int(batch * seconds / 0.02))
        best = max(best, count / _elapsed(call, count))
    return best


def _elapsed(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    return time.perf_counter() - start


def async_ops_per_second(call: Callable[[], Awaitable[object]], count: int = 4000) -> float:
    """Calls per second of an awaitable, awaited one after another, best of 5 runs."""

    async def run() -> float:
        await call()
        best = 0.0
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(count):
                await call()
            best = max(best, count / (time.perf_counter() - start))
        return best

    return asyncio.run(run())


def report(name: str, library: float, hand_written: float | None) -> None:
    """Print one line: ops/s of the library version and its ratio to the hand-written one."""
    ratio = f"{library / hand_written:5.2f}x" if hand_written else "  (kept)"
    peer = f"{hand_written:12,.0f}" if hand_written else f"{'-':>12}"
    print(f"{name:<38} {library:12,.0f} {peer} {ratio}")


def bench_plan_cache(supergraph: Supergraph) -> None:
    """A cached-plan lookup: QueryPlanner.plan on an operation planned before."""
    document = parse(QUERY)
    variables = {"id": "01"}
    library, hand_written = QueryPlanner(supergraph), HandWrittenLruPlanner(supergraph)
    library.plan(document, "Project", variables)
    hand_written.plan(document, "Project", variables)
    report(
        "plan-cache hit (QueryPlanner.plan)",
        ops_per_second(lambda: library.plan(document, "Project", variables)),
        ops_per_second(lambda: hand_written.plan(document, "Project", variables)),
    )


def bench_lru_hit(supergraph: Supergraph) -> None:
    """A hit in the executor's compiled-fetch cache (the gateway's caches are the same LRU)."""
    nodes = _fetch_nodes(QueryPlanner(supergraph).plan(parse(QUERY), "Project").node)
    library: LRUCache[FetchNode, int] = LRUCache(1000)
    hand_written: HandWrittenLruCache[FetchNode, int] = HandWrittenLruCache(1000)
    for index, node in enumerate(nodes):
        library[node] = hand_written[node] = index
    node = nodes[-1]
    report(
        "compiled-fetch cache hit (LRU get)",
        ops_per_second(lambda: library.get(node)),
        ops_per_second(lambda: hand_written.get(node)),
    )


def _fetch_nodes(node: PlanNode | None) -> list[FetchNode]:
    if isinstance(node, FetchNode):
        return [node]
    children = getattr(node, "nodes", None) or [getattr(node, "node", None)]
    return [fetch for child in children if child is not None for fetch in _fetch_nodes(child)]


def bench_log_record() -> None:
    """Formatting one log record with a request id, an extra field and a token to redact."""
    record = logging.getLogger("router.http").makeRecord(
        "router.http",
        logging.INFO,
        __file__,
        1,
        "subgraph %s answered %d",
        ("users", 200),
        None,
        extra={"url": "http://users:4001/graphql?token=abc123", "elapsed_ms": 3.2},
    )
    RequestIdFilter().filter(record)
    library, hand_written = JsonFormatter("router"), HandWrittenJsonFormatter("router")
    assert orjson.loads(library.format(record)) == orjson.loads(hand_written.format(record))
    report(
        "log record (JsonFormatter.format)",
        ops_per_second(lambda: library.format(record)),
        ops_per_second(lambda: hand_written.format(record)),
    )


def bench_token_verification() -> None:
    """TokenVerifier.verify on a valid RS256 token, keys already fetched (our code, kept)."""
    with tempfile.TemporaryDirectory() as directory:
        issuer = DevIssuer.create(Path(directory), ISSUER)
        token = issuer.sign("alice", timedelta(hours=1))

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json=issuer.discovery())
        return httpx.Response(200, json=issuer.jwks())

    async def verify() -> object:
        return await verifier.verify(token)

    verifier = TokenVerifier(
        AuthSettings(issuer=ISSUER), httpx.AsyncClient(transport=httpx.MockTransport(serve))
    )
    report("token verification (TokenVerifier.verify)", async_ops_per_second(verify), None)


def bench_observability_hooks() -> None:
    """The per-request metrics and (no-op) tracing hooks, beside the request without them."""
    from renku_fed.observability import metrics
    from renku_fed.observability.tracing import inject_traceparent, span

    def hooks() -> None:
        started = time.perf_counter()
        metrics.OPERATION_HIT.inc()
        metrics.PLAN_HIT.inc()
        with span("fetch", subgraph="users"):
            inject_traceparent({})
        metrics.observe_fetch("users", "200", started)
        metrics.observe_request("ProjectPage", 200, time.perf_counter() - started)

    report("metrics + no-op tracing hooks (1 fetch)", ops_per_second(hooks), None)


def main() -> None:
    """Run every benchmark and print a table."""
    logging.disable(logging.CRITICAL)
    supergraph = Supergraph.parse(SUPERGRAPH.read_text(encoding="utf-8"))
    print(f"Python {sys.version.split()[0]}; best of 5 runs each")
    print(f"{'request-path step':<38} {'library op/s':>12} {'hand-written':>12} {'ratio':>6}")
    bench_plan_cache(supergraph)
    bench_lru_hit(supergraph)
    bench_log_record()
    bench_token_verification()
    bench_observability_hooks()


if __name__ == "__main__":
    main()
