"""Steady load on `renku-fed up` for minutes, with error rate and each service's RSS over time.

Run from the repository root: `python -m bench.soak [--minutes 10]` (bench/soak/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.gateways.dashboard import QUERY
from bench.gateways.procs import free_port, start, stop, tree, wait_until

SERVICE = re.compile(r"renku_fed\.(?:router|subgraphs\.(\w+))\.")
ME = "query Me { me { username } }"
# Growth allowed between the end of warm-up and the end of the run before RSS counts as growing.
GROWTH_TOLERANCE = 0.10


@dataclass
class Window:
    """What one sampling interval saw."""

    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


def cli(*args: str) -> list[str]:
    """The `renku-fed` command line."""
    return [sys.executable, "-m", "renku_fed.cli", *args]


def services(supervisor: int) -> dict[str, list[int]]:
    """Each service's processes (a router's workers with it), by service name."""
    found: dict[str, list[int]] = {}
    for pid in tree(supervisor)[1:]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        match = SERVICE.search(command)
        if match and "uvicorn" in command:
            found[match[1] or "router"] = tree(pid)
    return found


def rss_mb(pids: list[int]) -> float:
    """The processes' summed resident set size (VmRSS), in MB."""
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += sum(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
        )
    return total_kb / 1024


async def client_loop(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    rate: float,
    window: list[Window],
    stop_at: float,
) -> None:
    """Send one request every 1/rate seconds until `stop_at`, counting into the current window."""
    next_send = time.monotonic()
    while next_send < stop_at:
        await asyncio.sleep(max(0.0, next_send - time.monotonic()))
        next_send += 1 / rate
        started = time.perf_counter()
        current = window[0]
        current.requests += 1
        try:
            response = await client.post(url, content=body)
            failed = response.status_code != 200 or bool(response.json().get("errors"))
        except (httpx.HTTPError, ValueError):
            failed = True
        current.errors += failed
        current.latencies.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of `values`, in ms."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def soak(
    url: str, token: str, supervisor: int, args: argparse.Namespace
) -> list[dict[str, object]]:
    """Run the load and sample every `args.interval` seconds; the samples."""
    body = json.dumps({"query": QUERY if args.query == "dashboard" else ME}).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    stop_at = time.monotonic() + args.minutes * 60
    window = [Window()]
    samples: list[dict[str, object]] = []
    limits = httpx.Limits(max_connections=args.clients)
    async with httpx.AsyncClient(headers=headers, timeout=30, limits=limits) as client:
        rate = args.rate / args.clients
        loops = [
            asyncio.create_task(client_loop(client, url, body, rate, window, stop_at))
            for _ in range(args.clients)
        ]
        started = time.monotonic()
        while time.monotonic() < stop_at:
            await asyncio.sleep(min(args.interval, max(0.0, stop_at - time.monotonic())))
            seen, window[0] = window[0], Window()
            sample: dict[str, object] = {
                "seconds": round(time.monotonic() - started),
                "requests": seen.requests,
                "errors": seen.errors,
                "error_rate": round(seen.errors / seen.requests, 4) if seen.requests else 0.0,
                "p50_ms": round(percentile(seen.latencies, 0.5), 1),
                "p99_ms": round(percentile(seen.latencies, 0.99), 1),
                "rss_mb": {
                    name: round(rss_mb(pids), 1)
                    for name, pids in sorted(services(supervisor).items())
                },
            }
            samples.append(sample)
            print(json.dumps(sample), flush=True)
        await asyncio.gather(*loops)
    return samples


def verdict(samples: list[dict[str, object]], warmup_seconds: float) -> tuple[str, bool]:
    """The totals and, per service, RSS after warm-up against RSS at the end; True if none grew."""
    requests = sum(int(str(s["requests"])) for s in samples)
    errors = sum(int(str(s["errors"])) for s in samples)
    lines = [f"requests {requests}, errors {errors} ({errors / max(requests, 1):.4%})"]
    steady = [s for s in samples if float(str(s["seconds"])) > warmup_seconds] or samples[-1:]
    flat = True
    first, last = steady[0]["rss_mb"], steady[-1]["rss_mb"]
    assert isinstance(first, dict) and isinstance(last, dict)
    for name in sorted(last):
        before, after = float(first.get(name, 0.0)), float(last[name])
        grew = before > 0 and after > before * (1 + GROWTH_TOLERANCE)
        flat = flat and not grew
        mark = "  GREW" if grew else ""
        lines.append(
            f"{name:<9} RSS after warm-up {before:8.1f} MB, at the end {after:8.1f} MB{mark}"
        )
    return "\n".join(lines), flat


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the run (10)")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second (20)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds per sample (30)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds of warm-up (60)")
    parser.add_argument("--query", choices=["dashboard", "me"], default="dashboard")
    parser.add_argument("--workers", type=int, default=1, help="router workers (1)")
    parser.add_argument("--json", type=Path, help="write the samples to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start `renku-fed up`, soak it, print samples and a verdict; 1 when RSS grew or errors."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="renku-soak-") as workdir:
        data_dir, port = Path(workdir) / "data", free_port()
        command = cli(
            "up", "--port", str(port), "--data-dir", str(data_dir), "--workers", str(args.workers)
        )
        platform = start(command, {}, Path(workdir) / "up.log")
        try:
            ready = f"http://127.0.0.1:{port}/readyz"
            if not wait_until(lambda: _ok(ready), 180, platform):
                print(
                    (Path(workdir) / "up.log").read_text(errors="replace")[-2000:], file=sys.stderr
                )
                return 2
            token = subprocess.run(
                cli("token", "alice", "--data-dir", str(data_dir)),
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            url = f"http://127.0.0.1:{port}/graphql"
            samples = asyncio.run(soak(url, token, platform.pid, args))
        finally:
            stop(platform)
    if args.json:
        args.json.write_text(json.dumps(samples, indent=2))
    summary, flat = verdict(samples, args.warmup)
    print(summary)
    errors = sum(int(str(s["errors"])) for s in samples)
    return 0 if flat and not errors else 1


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
