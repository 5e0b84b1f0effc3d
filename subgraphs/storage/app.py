"""The storage service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.storage.backends import AccessDirectory, StorageService
from renku_fed.subgraphs.storage.backends.database import Database
from renku_fed.subgraphs.storage.backends.doi import DataCiteResolver
from renku_fed.subgraphs.storage.backends.embedded import EmbeddedConnectors
from renku_fed.subgraphs.storage.backends.embedded_secrets import EmbeddedSecrets
from renku_fed.subgraphs.storage.backends.graph import GraphAccess
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.demo import seed_demo
from renku_fed.subgraphs.storage.internal import internal_routes
from renku_fed.subgraphs.storage.providers import ProviderSchema
from renku_fed.subgraphs.storage.schema import schema
from renku_fed.subgraphs.storage.settings import StorageSettings

SERVICE = "storage"


def build_app(
    settings: StorageSettings,
    verifier: TokenVerifier,
    access: AccessDirectory | None = None,
    client: httpx.AsyncClient | None = None,
) -> Starlette:
    """The storage app for these settings, checking tokens with `verifier`.

    Roles and project rights come from `access`, by default the router at `settings.graph_url`
    (through `client` when given); DOIs are resolved through `client` too.
    """
    database = Database(settings.data_dir)
    connectors = EmbeddedConnectors(database)
    if settings.seed_demo:
        seed_demo(connectors)
    graph = GraphAccess(settings.graph_url, client)
    doi = DataCiteResolver(settings.doi_resolver_url, settings.doi_timeout_seconds, client)
    service = StorageService(
        connectors=connectors,
        secrets=EmbeddedSecrets(database, SecretBox(settings.keys())),
        access=access or graph,
        providers=ProviderSchema.from_rclone(settings.rclone_binary),
        doi=doi,
        secrets_mount_directory=settings.secrets_mount_directory,
    )
    secret = settings.internal_secret.get_secret_value() if settings.internal_secret else None

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        if client is None:
            await graph.aclose()
            await doi.aclose()

    app = create_subgraph_app(
        service=SERVICE,
        schema=schema,
        backend=service,
        verifier=verifier,
        routes=internal_routes(service, secret, verifier),
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def create_app() -> Starlette:
    """The storage app configured from the environment."""
    settings = load_settings(StorageSettings)
    configure_logging(SERVICE, settings.log_level)
    return build_app(settings, TokenVerifier(load_settings(AuthSettings)))
