"""Run the router: its ASGI factory for uvicorn, and a blocking `serve` for the command line."""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette

from renku_fed.observability.logs import configure_logging
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph


def create_app() -> Starlette:
    """The router app, with settings from `RENKU_FED_ROUTER_*` and `RENKU_FED_AUTH_*`."""
    configure_logging("router")
    return create_router_app(RouterSettings())


def serve(settings: RouterSettings, supergraph: Supergraph | None = None) -> None:
    """Serve the router on `settings.host:settings.port` until interrupted."""
    configure_logging("router")
    app = create_router_app(settings, supergraph)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)
