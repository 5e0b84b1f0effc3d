"""The projects service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.projects.backends import NamespaceDirectory, ProjectStore
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.gitlab import connect_gitlab_store
from renku_fed.subgraphs.projects.backends.users_service import UsersServiceNamespaces
from renku_fed.subgraphs.projects.demo import seed_demo
from renku_fed.subgraphs.projects.schema import schema
from renku_fed.subgraphs.projects.settings import ProjectsSettings

SERVICE = "projects"


def build_app(
    settings: ProjectsSettings,
    verifier: TokenVerifier,
    namespaces: NamespaceDirectory | None = None,
) -> Starlette:
    """The projects app for these settings, checking tokens with `verifier`.

    Group roles come from `namespaces`, by default the users subgraph at `settings.users_url`.
    """
    users_service = UsersServiceNamespaces(settings.users_url)
    store: ProjectStore
    if settings.backend == "gitlab":
        store = connect_gitlab_store(settings)
    else:
        store = embedded = EmbeddedProjectStore(settings.data_dir, namespaces or users_service)
        if settings.seed_demo:
            seed_demo(embedded)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await users_service.aclose()

    return create_subgraph_app(
        service=SERVICE, schema=schema, backend=store, verifier=verifier, lifespan=lifespan
    )


def create_app() -> Starlette:
    """The projects app configured from the environment."""
    configure_logging(SERVICE)
    return build_app(load_settings(ProjectsSettings), TokenVerifier(load_settings(AuthSettings)))
