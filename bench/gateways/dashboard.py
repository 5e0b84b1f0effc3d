"""The Renku `Dashboard` query (README, "Try it"): router overhead and throughput on `up`.

The overhead is the router's median latency minus the median time of the same subgraph calls
made directly: a second router, pointed at a recording proxy, shows which calls it makes and
which of them overlap; they are replayed in those waves, overlapping calls concurrently.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.gateways.gateways_run import Plan
from bench.gateways.load import post, run_wrk, summarize
from bench.gateways.peers import ROUTER_OVERRIDES
from bench.gateways.procs import free_port, start, stop, wait_until

QUERY = """query Dashboard { me { username projects(first: 10) { totalCount edges { node {
  name namespace visibility createdBy { username } members { role user { username } }
  sessions { state url } datasets(first: 5) { edges { node { name keywords } } } } } } } }"""
SUBGRAPHS = ("users", "projects", "sessions", "kg")
SAMPLES = 30
_SKIP_HEADERS = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}
Call = tuple[str, dict[str, str], bytes, float, float]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "renku_fed.cli", *args]


def _base_port() -> int:
    """A port P with P..P+4 free, as `renku-fed up --port P` needs."""
    while True:
        base = free_port()
        if base < 60000 and all(_free(base + n) for n in range(1, 5)):
            return base


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _recording_proxy(base: int, calls: list[Call]) -> ThreadingHTTPServer:
    """A proxy on a free port: /NAME/graphql goes to subgraph NAME of `up`, and is recorded."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            name, _, rest = self.path.lstrip("/").partition("/")
            target = f"http://127.0.0.1:{base + 1 + SUBGRAPHS.index(name)}/{rest}"
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _SKIP_HEADERS}
            started = time.monotonic()
            request = urllib.request.Request(target, data=body, headers=headers)
            with urllib.request.urlopen(request) as response:
                answer, status = response.read(), response.status
            calls.append((target, headers, body, started, time.monotonic()))
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _waves(calls: list[Call]) -> list[list[Call]]:
    """Calls grouped so that each group starts after the previous one has ended."""
    waves: list[list[Call]] = []
    end = -1.0
    for call in sorted(calls, key=lambda c: c[3]):
        if call[3] >= end:
            waves.append([])
        waves[-1].append(call)
        end = max(end, call[4])
    return waves


def _replay(waves: list[list[Call]], pool: ThreadPoolExecutor) -> float:
    """Seconds to make the recorded calls directly, wave after wave."""
    started = time.monotonic()
    for wave in waves:
        list(pool.map(lambda c: post(c[0], c[2], c[1]), wave))
    return time.monotonic() - started


def _median_ms(action: Callable[[], float]) -> float:
    samples = [action() for _ in range(SAMPLES)]
    return round(1000 * statistics.median(samples), 2)


def _overhead(workdir: Path, base: int, url: str, body: bytes, auth: dict[str, str]) -> Any:
    calls: list[Call] = []
    proxy = _recording_proxy(base, calls)
    port = proxy.server_address[1]
    subgraphs = [f"--subgraph={n}=http://127.0.0.1:{port}/{n}/graphql" for n in SUBGRAPHS]
    env = {**ROUTER_OVERRIDES, "RENKU_FED_AUTH_ISSUER": f"http://127.0.0.1:{base + 1}/realms/renku"}
    router_port = free_port()
    recorder = start(
        _cli("router", *subgraphs, "--port", str(router_port)), env, workdir / "recorder.log"
    )
    recorder_url = f"http://127.0.0.1:{router_port}/graphql"
    try:
        wait_until(lambda: post(recorder_url, body, auth)[0] == 200, 60, recorder)
        calls.clear()
        post(recorder_url, body, auth)
        waves = _waves(list(calls))
    finally:
        stop(recorder)
        proxy.shutdown()
    with ThreadPoolExecutor(max_workers=8) as pool:
        direct = _median_ms(lambda: _replay(waves, pool))

    def through_router() -> float:
        started = time.monotonic()
        post(url, body, auth)
        return time.monotonic() - started

    routed = _median_ms(through_router)
    return {
        "subgraph_calls": sum(len(w) for w in waves),
        "waves": len(waves),
        "router_median_ms": routed,
        "direct_median_ms": direct,
        "router_overhead_ms": round(routed - direct, 2),
    }


def measure_dashboard(workdir: Path, plan: Plan) -> dict[str, Any]:
    """Overhead and 20-connection throughput of the Dashboard query on `renku-fed up`."""
    base, data_dir = _base_port(), workdir / "renku-data"
    platform = start(
        _cli("up", "--port", str(base), "--data-dir", str(data_dir)),
        dict(ROUTER_OVERRIDES),
        workdir / "up.log",
    )
    try:
        health = f"http://127.0.0.1:{base}/healthz"
        if not wait_until(lambda: _get_ok(health), 120, platform):
            return {"status": "renku-fed up did not start", "detail": _tail(workdir / "up.log")}
        token = _token(data_dir)
        auth = {"authorization": f"Bearer {token}"}
        url, body = f"http://127.0.0.1:{base}/graphql", json.dumps({"query": QUERY}).encode()
        status, answer = post(url, body, auth)
        if status != 200 or not isinstance(answer, dict) or answer.get("errors"):
            return {"status": "wrong answer", "detail": json.dumps(answer)[:500]}
        result: dict[str, Any] = {"status": "ok", **_overhead(workdir, base, url, body, auth)}
        body_file = workdir / "dashboard.json"
        body_file.write_bytes(body)
        run_wrk(url, body_file, 20, plan.warmup, auth)
        result["connections_20"] = summarize(run_wrk(url, body_file, 20, plan.duration, auth))
        return result
    finally:
        stop(platform)


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _token(data_dir: Path) -> str:
    import subprocess

    done = subprocess.run(
        _cli("token", "alice", "--data-dir", str(data_dir)),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-1500:]
