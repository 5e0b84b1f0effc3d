"""The router's ASGI factory for uvicorn, configured from the environment."""

from __future__ import annotations

from starlette.applications import Starlette

from router.http import create_router_app
from router.settings import RouterSettings
from subgraphs.common.logs import configure_logging


def create_app() -> Starlette:
    """The router app, with settings from `RENKU_FED_ROUTER_*` and `RENKU_FED_AUTH_*`."""
    configure_logging("router")
    return create_router_app(RouterSettings())
