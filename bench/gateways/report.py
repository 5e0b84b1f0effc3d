"""The benchmark's one table, with each peer's ratio to renku-fed router."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    ("gateway", "gateway"), ("connections", "conns"), ("rps", "req/s"), ("ratio", "vs ours"),
    ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("timeouts", "timeouts"),
    ("non_2xx", "non-2xx"), ("socket_errors", "sock err"), ("graphql_errors", "gql err"),
    ("cpu_s", "CPU s"), ("cpu_pct", "CPU %"), ("peak_rss_mb", "peak RSS MB"),
    ("subgraph_calls_per_request", "subgraph calls/req"),
)  # fmt: skip


def rows(gateways: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per gateway and connection count; `ratio` is req/s over ours at that count."""
    ours = {
        run["connections"]: run["rps"]
        for result in gateways
        if result["gateway"] == "ours"
        for run in result["runs"]
    }
    table = []
    for result in gateways:
        if not result["runs"]:
            table.append({"gateway": result["gateway"], "connections": result["status"]})
        for run in result["runs"]:
            base = ours.get(run["connections"])
            ratio = f"{run['rps'] / base:.2f}x" if base else "-"
            table.append({"gateway": result["gateway"], **run, "ratio": ratio})
    return table


def render(table: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + " --- |" * len(COLUMNS),
    ]
    for row in table:
        cells = ["" if row.get(key) is None else str(row.get(key, "")) for key, _ in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
