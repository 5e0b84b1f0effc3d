"""Load and checks: one GraphQL POST, and a wrk run with its figures parsed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.gateways.procs import LOAD_CPU, pinned

LUA_SCRIPT = Path(__file__).resolve().parent / "post.lua"
TIMEOUT = "2s"


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST a JSON body; the status and decoded JSON answer (None when not JSON)."""
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except OSError:
        return 0, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def check_answer(answer: Any, expected: dict[str, Any]) -> str | None:
    """None when `answer` holds exactly the expected data and no errors, else what is wrong."""
    if not isinstance(answer, dict):
        return "no JSON object in the answer"
    if answer.get("errors"):
        return f"errors: {json.dumps(answer['errors'])[:300]}"
    if answer.get("data") != expected:
        return f"data differs from the expected answer: {json.dumps(answer.get('data'))[:300]}"
    return None


def wrk_available() -> bool:
    """Whether `wrk` is on PATH."""
    return shutil.which("wrk") is not None


def run_wrk(
    url: str, body_file: Path, connections: int, seconds: float, headers: dict[str, str] | None
) -> dict[str, Any]:
    """Run wrk (pinned to the load CPU) for `seconds`; its figures as a dict."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        f"--timeout={TIMEOUT}", "-s", str(LUA_SCRIPT), url,
    ]  # fmt: skip
    env = {
        **os.environ,
        "BENCH_BODY_FILE": str(body_file),
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
    }
    done = subprocess.run(
        pinned(command, LOAD_CPU), env=env, capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            figures: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return figures
    raise RuntimeError(f"wrk gave no result: {done.stdout[-500:]} {done.stderr[-500:]}")


def summarize(figures: dict[str, Any]) -> dict[str, Any]:
    """Requests/s, latencies in ms and error counts from wrk's raw figures."""
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "rps": round(figures["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "timeouts": figures["timeouts"],
        "non_2xx": figures["non_2xx"],
        "socket_errors": figures["connect_errors"]
        + figures["read_errors"]
        + figures["write_errors"],
        "graphql_errors": figures["graphql_errors"],
    }
