"""Run the router: its ASGI factory for uvicorn, and a blocking `serve` for the command line."""

from __future__ import annotations

import json
import logging
import os

import uvicorn
from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.observability.logs import configure_logging
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

log = logging.getLogger("router.serve")

APP_FACTORY = "renku_fed.router.serve:create_app"


def create_app() -> Starlette:
    """The router app, with settings from `RENKU_FED_ROUTER_*` and `RENKU_FED_AUTH_*`."""
    configure_logging("router")
    return create_router_app(
        load_settings(RouterSettings), auth_settings=load_settings(AuthSettings)
    )


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, as `taskset` sets it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def trust_proxies() -> bool:
    """Read `X-Forwarded-For` only when `FORWARDED_ALLOW_IPS` names the proxies to trust.

    uvicorn would otherwise trust it from 127.0.0.1, letting local clients pick their address.
    """
    return bool(os.environ.get("FORWARDED_ALLOW_IPS"))


def worker_count(settings: RouterSettings, requested: int | None) -> int:
    """`requested` workers (default: the CPU count), or 1 when login sessions live in memory."""
    workers = requested or cpu_count()
    if workers > 1 and settings.login.enabled and settings.login.store == "memory":
        log.warning(
            "browser login sessions in memory need a single router worker; set "
            "RENKU_FED_ROUTER_LOGIN_STORE to sqlite or redis to run several",
            extra={"workers_requested": workers},
        )
        return 1
    return workers


def serve(
    settings: RouterSettings, supergraph: Supergraph | None = None, workers: int | None = None
) -> None:
    """Serve the router on `settings.host:settings.port` until interrupted.

    Several workers (default: the CPU count) are processes that each load the same supergraph
    and share only what the settings put in Redis or SQLite.
    """
    configure_logging("router")
    auth = load_settings(AuthSettings)
    count = worker_count(settings, workers)
    # No access log: the router logs each GraphQL request itself (as under `renku-fed up`).
    host, port = settings.host, settings.port
    if count == 1:
        app = create_router_app(settings, supergraph, auth_settings=auth)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            proxy_headers=trust_proxies(),
        )
        return
    # Each worker reads its settings from the environment, as `create_app` does.
    if settings.supergraph_path is not None:
        os.environ["RENKU_FED_ROUTER_SUPERGRAPH_PATH"] = str(settings.supergraph_path)
    if settings.subgraphs:
        os.environ["RENKU_FED_ROUTER_SUBGRAPHS"] = json.dumps(settings.subgraphs)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=trust_proxies(),
    )
