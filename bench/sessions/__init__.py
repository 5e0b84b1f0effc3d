"""Launch latency of sessions on the local backend (`python -m bench.sessions`)."""
