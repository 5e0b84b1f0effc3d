"""Logs (JSON lines with a request id), for the router and every subgraph."""
