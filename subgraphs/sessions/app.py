"""The sessions service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.sessions.backends.local import LocalSessionBackend
from renku_fed.subgraphs.sessions.backends.local_store import SessionStore
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.demo import seed_demo
from renku_fed.subgraphs.sessions.schema import schema
from renku_fed.subgraphs.sessions.settings import SessionsSettings

log = logging.getLogger(__name__)


def build_app(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    projects: GraphProjectDirectory | None = None,
) -> Starlette:
    """The sessions subgraph app; sessions are reconciled at start and stopped at shutdown."""
    store = SessionStore(settings.data_dir / "sessions.sqlite3")
    if settings.seed_demo and seed_demo(store):
        log.info("seeded the demo launchers", extra={"data_dir": str(settings.data_dir)})
    directory = projects or GraphProjectDirectory(
        settings.graph_url, settings.graph_timeout_seconds, settings.graph_batch_size
    )
    backend = LocalSessionBackend(settings, store, directory)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            await backend.close()
            await directory.aclose()
            store.close()

    return create_subgraph_app(
        service="sessions", schema=schema, backend=backend, verifier=verifier, lifespan=lifespan
    )


def create_app() -> Starlette:
    """The app as uvicorn's factory builds it, from the environment."""
    settings = SessionsSettings()
    configure_logging("sessions", settings.log_level)
    return build_app(settings, TokenVerifier(AuthSettings()))
