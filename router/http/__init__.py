"""The router's HTTP service (Starlette)."""

from router.http.app import create_router_app
from router.http.supergraph_source import SupergraphUnavailable, load_supergraph

__all__ = ["SupergraphUnavailable", "create_router_app", "load_supergraph"]
