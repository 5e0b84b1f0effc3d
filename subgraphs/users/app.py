"""The users service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.users.backends import UserDirectory, UsersBackend
from renku_fed.subgraphs.users.backends.embedded import DATABASE_FILE, EmbeddedUserDirectory
from renku_fed.subgraphs.users.backends.embedded_groups import EmbeddedGroupStore
from renku_fed.subgraphs.users.backends.keycloak import connect_keycloak_directory
from renku_fed.subgraphs.users.backends.projects_service import ProjectsService
from renku_fed.subgraphs.users.demo import seed_demo
from renku_fed.subgraphs.users.schema import schema
from renku_fed.subgraphs.users.settings import UsersSettings

SERVICE = "users"


def build_app(
    settings: UsersSettings, verifier: TokenVerifier, client: httpx.AsyncClient | None = None
) -> Starlette:
    """The users app for these settings, checking tokens with `verifier`.

    `client` carries the calls to the projects subgraph (a default client when None).
    """
    directory: UserDirectory
    if settings.backend == "keycloak":
        directory = connect_keycloak_directory(settings)
    else:
        directory = embedded = EmbeddedUserDirectory(settings.data_dir)
        if settings.seed_demo:
            seed_demo(embedded)
    routes: list[BaseRoute] = []
    if settings.dev_issuer_dir is not None:
        routes.extend(dev_issuer_routes(DevIssuer.load(settings.dev_issuer_dir)))
    groups = EmbeddedGroupStore(settings.data_dir / DATABASE_FILE)
    projects = (
        None if settings.projects_url is None else ProjectsService(settings.projects_url, client)
    )
    backend = UsersBackend(
        directory=directory,
        groups=groups,
        namespaces=groups.user_namespaces(),
        projects=projects,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        if projects is not None:
            await projects.aclose()

    return create_subgraph_app(
        service=SERVICE,
        schema=schema,
        backend=backend,
        verifier=verifier,
        routes=routes,
        lifespan=lifespan,
    )


def create_app() -> Starlette:
    """The users app configured from the environment."""
    configure_logging(SERVICE)
    return build_app(load_settings(UsersSettings), TokenVerifier(load_settings(AuthSettings)))
