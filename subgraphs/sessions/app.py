"""The sessions service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.sessions.backends import ProjectDirectory, SessionBackend
from renku_fed.subgraphs.sessions.backends.local import LocalSessionBackend
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.demo import seed_demo
from renku_fed.subgraphs.sessions.proxy_targets import proxy_target_routes
from renku_fed.subgraphs.sessions.schema import schema
from renku_fed.subgraphs.sessions.settings import SessionsSettings

log = logging.getLogger(__name__)


def build_app(
    settings: SessionsSettings,
    verifier: TokenVerifier,
    projects: GraphProjectDirectory | None = None,
    backend: SessionBackend | None = None,
) -> Starlette:
    """The sessions subgraph app; its backend re-adopts sessions at start, hibernates at stop."""
    store = SqliteStore(settings.data_dir / "sessions.sqlite3")
    if settings.seed_demo and seed_demo(store):
        log.info("seeded the demo launchers", extra={"data_dir": str(settings.data_dir)})
    directory = projects or GraphProjectDirectory(
        settings.graph_url, settings.graph_timeout_seconds, settings.graph_batch_size
    )
    runner = backend or _backend(settings, store, directory)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await runner.start()
        try:
            yield
        finally:
            await runner.close()
            await directory.aclose()

    return create_subgraph_app(
        service="sessions",
        schema=schema,
        backend=runner,
        verifier=verifier,
        routes=proxy_target_routes(runner, verifier, _secret(settings)),
        lifespan=lifespan,
    )


def _backend(
    settings: SessionsSettings, store: SqliteStore, directory: ProjectDirectory
) -> SessionBackend:
    if settings.backend == "kubernetes":
        # Imported here: only a Kubernetes deployment needs the client loaded.
        from renku_fed.subgraphs.sessions.backends.kubernetes import KubernetesSessionBackend
        from renku_fed.subgraphs.sessions.backends.kubernetes_api import KubernetesApi, api_client

        api = KubernetesApi(api_client(settings.kubernetes_api_url), settings.kubernetes_namespace)
        return KubernetesSessionBackend(settings, store, directory, api)
    return LocalSessionBackend(settings, store, directory)


def _secret(settings: SessionsSettings) -> str | None:
    return settings.proxy_secret.get_secret_value() if settings.proxy_secret else None


def create_app() -> Starlette:
    """The app as uvicorn's factory builds it, from the environment."""
    settings = load_settings(SessionsSettings)
    configure_logging("sessions", settings.log_level)
    return build_app(settings, TokenVerifier(load_settings(AuthSettings)))
