"""The router's HTTP service (Starlette)."""

from renku_fed.router.http.app import create_router_app
from renku_fed.router.http.supergraph_source import SupergraphUnavailable, load_supergraph

__all__ = ["SupergraphUnavailable", "create_router_app", "load_supergraph"]
