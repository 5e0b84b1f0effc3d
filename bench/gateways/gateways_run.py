"""Start each gateway on the same port and CPU, check its answer, then load it with wrk."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.gateways.load import check_answer, post, run_wrk, summarize
from bench.gateways.peers import Gateway
from bench.gateways.procs import (
    GATEWAY_CPU,
    cpu_seconds,
    peak_rss_mb,
    pinned,
    start,
    stop,
    tree,
    wait_until,
)
from bench.gateways.stack import Subgraphs

START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Plan:
    """What to measure: connection counts, seconds of warm-up and of measurement."""

    connections: list[int]
    warmup: float
    duration: float


def measure_gateway(
    gateway: Gateway,
    supergraph: Path,
    port: int,
    workdir: Path,
    subgraphs: Subgraphs,
    expected: dict[str, Any],
    plan: Plan,
) -> dict[str, Any]:
    """Every figure of one gateway, or why it could not be measured."""
    result: dict[str, Any] = {"gateway": gateway.key, "label": gateway.label, "runs": []}
    if not gateway.installed():
        return {**result, "status": "not installed (npm ci --prefix bench/gateways)"}
    url = f"http://127.0.0.1:{port}/graphql"
    body = workdir / "query.json"
    log = workdir / f"{gateway.key}.log"
    process = start(pinned(gateway.command(supergraph, port), GATEWAY_CPU), gateway.env, log)
    try:
        answered: list[Any] = []

        def answers() -> bool:
            status, answer = post(url, body.read_bytes())
            answered[:] = [status, answer]
            return status != 0

        if not wait_until(answers, START_TIMEOUT, process):
            tail = log.read_text(errors="replace")[-1500:]
            return {**result, "status": "failed to start", "detail": tail}
        problem = check_answer(answered[1], expected)
        if answered[0] != 200 or problem:
            return {**result, "status": "wrong answer", "detail": f"HTTP {answered[0]}; {problem}"}
        result["status"] = "ok"
        result["runs"] = [
            _measure_load(process.pid, url, body, subgraphs, connections, plan)
            for connections in plan.connections
        ]
        return result
    finally:
        stop(process)


def _measure_load(
    pid: int, url: str, body: Path, subgraphs: Subgraphs, connections: int, plan: Plan
) -> dict[str, Any]:
    if plan.warmup > 0:
        run_wrk(url, body, connections, plan.warmup, None)
    pids = tree(pid)
    cpu_before, served_before, started = cpu_seconds(pids), subgraphs.served(), time.monotonic()
    figures = summarize(run_wrk(url, body, connections, plan.duration, None))
    wall = time.monotonic() - started
    cpu = cpu_seconds(pids) - cpu_before
    calls = subgraphs.served() - served_before
    return {
        "connections": connections,
        **figures,
        "cpu_s": round(cpu, 2),
        "cpu_pct": round(100 * cpu / wall, 1),
        "peak_rss_mb": round(peak_rss_mb(tree(pid)), 1),
        "subgraph_calls_per_request": round(calls / figures["requests"], 2)
        if figures["requests"]
        else None,
    }


def query_body(path: Path, query: str) -> None:
    """Write the benchmark request body to `path`."""
    path.write_text(json.dumps({"query": query, "operationName": "TestQuery"}))
