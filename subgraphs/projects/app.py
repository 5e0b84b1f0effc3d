"""The projects service's ASGI app; uvicorn serves `create_app` with `--factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.projects.backends import NamespaceDirectory, ProjectStore
from renku_fed.subgraphs.projects.backends.embedded import EmbeddedProjectStore
from renku_fed.subgraphs.projects.backends.events import EventDelivery
from renku_fed.subgraphs.projects.backends.gitlab import connect_gitlab_store
from renku_fed.subgraphs.projects.backends.journal import EventJournal, PublishingStore
from renku_fed.subgraphs.projects.backends.outbox import (
    OutboxSource,
    disable_outbox,
    enable_outbox,
)
from renku_fed.subgraphs.projects.backends.users_service import UsersServiceNamespaces
from renku_fed.subgraphs.projects.demo import seed_demo
from renku_fed.subgraphs.projects.schema import schema
from renku_fed.subgraphs.projects.settings import ProjectsSettings

SERVICE = "projects"


def _kg_events(
    settings: ProjectsSettings, store: ProjectStore, client: httpx.AsyncClient | None
) -> tuple[ProjectStore, EventDelivery | None]:
    """The store that tells the kg of its changes, and what delivers them (None: no kg)."""
    url, secret = settings.kg_events_url, settings.events_secret
    embedded = store if isinstance(store, EmbeddedProjectStore) else None
    if url is None or secret is None:
        if embedded is not None:
            disable_outbox(embedded.database)
        return store, None
    if embedded is not None:
        enable_outbox(embedded.database)
        outbox = OutboxSource(embedded.database, embedded.repositories, embedded.stored)
        return store, EventDelivery(outbox, url, secret.get_secret_value(), client)
    journal = EventJournal(settings.data_dir)
    delivery = EventDelivery(journal, url, secret.get_secret_value(), client)
    return PublishingStore(store, journal, delivery.wake), delivery


def build_app(
    settings: ProjectsSettings,
    verifier: TokenVerifier,
    namespaces: NamespaceDirectory | None = None,
    events_client: httpx.AsyncClient | None = None,
) -> Starlette:
    """The projects app for these settings, checking tokens with `verifier`.

    Group roles come from `namespaces`, by default the users subgraph at `settings.users_url`.
    With `kg_events_url` set, every change is told to the kg (through `events_client`, by
    default a client of its own) from a durable store of events: the embedded store's outbox,
    pushes into its repositories included, or a GitLab-backed store's journal in the data dir.
    """
    users_service = UsersServiceNamespaces(settings.users_url)
    store: ProjectStore
    if settings.backend == "gitlab":
        store = connect_gitlab_store(settings)
    else:
        store = EmbeddedProjectStore(settings.data_dir, namespaces or users_service)
        if settings.seed_demo:
            seed_demo(store)
    store, events = _kg_events(settings, store, events_client)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if events is not None:
            events.start()
        yield
        if events is not None:
            await events.aclose()
        await users_service.aclose()

    app = create_subgraph_app(
        service=SERVICE, schema=schema, backend=store, verifier=verifier, lifespan=lifespan
    )
    app.state.kg_events = events
    return app


def create_app() -> Starlette:
    """The projects app configured from the environment."""
    configure_logging(SERVICE)
    return build_app(load_settings(ProjectsSettings), TokenVerifier(load_settings(AuthSettings)))
