"""`python -m bench.traffic [--calls 20000] [--requests 3000] [--concurrency 50]`: what traffic
shaping costs, printed as one JSON object.

- `guard_us`: one call through a subgraph's guard around an attempt that answers at once, with
  shaping off (no limit, retry or breaker), for a mutation (limit and breaker) and for a query
  (limit, breaker and the retry path);
- `http_rps`: `--requests` subgraph calls at `--concurrency` at once over the network to a
  local aiohttp subgraph, with shaping off and with the defaults (best of 5 alternated rounds);
- `fail_fast_us`: one call to a subgraph whose breaker is open, beside `refused_us`, one call to
  a closed port with the breaker off (what every call would cost without it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from renku_fed.router.execution import SubgraphRequestError, SubgraphTransport
from renku_fed.router.execution.shaping import SubgraphGuard
from renku_fed.router.execution.shaping_settings import SubgraphShaping, TrafficShaping

OFF = SubgraphShaping(max_concurrency=0, retry_attempts=0, breaker_failures=0)
BODY = b'{"query":"{ n }"}'
ROUNDS = 5


async def _instant() -> tuple[int, bytes]:
    return 200, b"{}"


async def guard_us(calls: int) -> dict[str, float]:
    """Microseconds per guarded call, by kind."""
    kinds = {"off": (OFF, False), "mutation": (SubgraphShaping(), False)}
    kinds["query"] = (SubgraphShaping(), True)
    out: dict[str, float] = {}
    for kind, (policy, retry) in kinds.items():
        guard = SubgraphGuard(f"bench-{kind}", policy)
        started = time.perf_counter()
        for _ in range(calls):
            await guard.call(_instant, retry=retry)
        out[kind] = round((time.perf_counter() - started) / calls * 1e6, 2)
    return out


async def _throughput(url: str, policy: SubgraphShaping, requests: int, concurrency: int) -> float:
    transport = SubgraphTransport(
        {"a": url}, timeout_seconds=30, shaping=TrafficShaping(all=policy)
    )
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await transport.send("a", BODY, {}, query=True)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        remaining = requests
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return round(requests / (time.perf_counter() - started))
    finally:
        await transport.aclose()


async def http_rps(requests: int, concurrency: int) -> dict[str, float]:
    """Subgraph calls per second over the network, shaping off and on."""

    async def answer(_: web.Request) -> web.Response:
        return web.Response(body=b'{"data":{"n":1}}', content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/graphql"))
    best = {"off": 0.0, "defaults": 0.0}
    try:
        # Alternated rounds, the best of each: the machine's other load varies between rounds.
        for _ in range(ROUNDS):
            for kind, policy in (("off", OFF), ("defaults", SubgraphShaping())):
                best[kind] = max(best[kind], await _throughput(url, policy, requests, concurrency))
        return best
    finally:
        await server.close()


async def _per_call_us(call: Callable[[], Awaitable[Any]], rounds: int = 200) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        with contextlib.suppress(SubgraphRequestError):
            await call()
    return round((time.perf_counter() - started) / rounds * 1e6, 1)


async def fail_fast() -> dict[str, float]:
    """A call refused by an open breaker, beside one refused by a closed port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/graphql"
    out: dict[str, float] = {}
    for kind, policy in {
        "refused_us": OFF,
        "fail_fast_us": SubgraphShaping(retry_attempts=0, breaker_failures=1),
    }.items():
        transport = SubgraphTransport(
            {"a": url}, timeout_seconds=5, shaping=TrafficShaping(all=policy)
        )
        try:
            call = partial(transport.send, "a", BODY, {})
            await _per_call_us(call, rounds=2)
            out[kind] = await _per_call_us(call)
        finally:
            await transport.aclose()
    return out


async def main() -> None:
    """Run every measurement and print them."""
    parser = argparse.ArgumentParser(prog="python -m bench.traffic")
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    result = {
        "guard_us": await guard_us(args.calls),
        "http_rps": await http_rps(args.requests, args.concurrency),
        **await fail_fast(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
