"""`python -m bench`: the gateway benchmark, from the subgraphs to the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.gateways.expected import expected_data
from bench.gateways.gateways_run import Plan, measure_gateway, query_body
from bench.gateways.load import wrk_available
from bench.gateways.peers import GATEWAYS, router_setting_changes
from bench.gateways.procs import free_port, pinning_available, stop
from bench.gateways.report import render, rows
from bench.gateways.schemas import QUERY
from bench.gateways.stack import compose_supergraph, measure_subgraphs, start_subgraphs


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--duration", type=float, help="seconds measured per run (10; quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per run (3; quick 1)")
    parser.add_argument("--connections", default="1,10,50", help="connection counts (1,10,50)")
    parser.add_argument(
        "--gateways", default=",".join(GATEWAYS), help=f"which of {','.join(GATEWAYS)}"
    )
    parser.add_argument("--quick", action="store_true", help="short runs, for a first look")
    parser.add_argument("--skip-dashboard", action="store_true", help="skip the Renku query")
    parser.add_argument("--json", type=Path, help="also write every figure here as JSON")
    return parser


def _machine() -> dict[str, Any]:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return {
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "pinned": pinning_available(),
        "python": platform.python_version(),
        "node": node.stdout.strip(),
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Measure the subgraphs, each gateway and (unless skipped) the Renku query."""
    duration = args.duration or (3.0 if args.quick else 10.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    plan = Plan([int(c) for c in _list(args.connections)], warmup, duration)
    report: dict[str, Any] = {"machine": _machine(), "router_settings_changed": []}
    report["router_settings_changed"] = router_setting_changes()
    print(f"load average {report['machine']['load_average']}; router settings changed:")
    print("\n".join(f"  {change}" for change in report["router_settings_changed"]), flush=True)
    subgraphs = start_subgraphs(workdir)
    try:
        supergraph = workdir / "supergraph.graphql"
        compose_supergraph(subgraphs, supergraph)
        query_body(workdir / "query.json", QUERY)
        expected = expected_data()
        report["answer_bytes"] = len(json.dumps({"data": expected}, separators=(",", ":")))
        report["subgraph_direct_rps"] = measure_subgraphs(subgraphs, workdir, min(duration, 3))
        print(f"subgraphs alone, req/s at 10 connections: {report['subgraph_direct_rps']}")
        port = free_port()
        report["gateways"] = []
        for key in _list(args.gateways):
            print(f"measuring {key} ...", flush=True)
            result = measure_gateway(
                GATEWAYS[key], supergraph, port, workdir, subgraphs, expected, plan
            )
            print(f"  {result['status']} {result.get('detail', '')}", flush=True)
            report["gateways"].append(result)
    finally:
        stop(subgraphs.process)
    if not args.skip_dashboard:
        from bench.gateways.dashboard import measure_dashboard

        report["dashboard"] = measure_dashboard(workdir, plan)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON; the exit code."""
    args = build_parser().parse_args(argv)
    unknown = set(_list(args.gateways)) - set(GATEWAYS)
    if unknown:
        print(f"unknown gateways: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if not wrk_available():
        print("wrk is missing: apt-get install wrk (Debian, Ubuntu)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="renku-bench-") as tmp:
        report = run(args, Path(tmp))
    report["table"] = rows(report["gateways"])
    print(render(report["table"]))
    if "dashboard" in report:
        print("Renku Dashboard query:", json.dumps(report["dashboard"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0
