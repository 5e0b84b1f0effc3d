"""The kg service's ASGI app (`uvicorn renku_fed.subgraphs.kg.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.common.gitlab_tokens import GitLabTokenBroker
from renku_fed.subgraphs.kg.backends import KgBackend, TripleStore
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.endpoint import Endpoint, EndpointTripleStore
from renku_fed.subgraphs.kg.backends.search_index import SearchIndex
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import seed_repository
from renku_fed.subgraphs.kg.events import EventLog
from renku_fed.subgraphs.kg.groups import GroupDirectory
from renku_fed.subgraphs.kg.ingest import Ingester, KgService
from renku_fed.subgraphs.kg.internal import internal_routes
from renku_fed.subgraphs.kg.repository import GitRepository
from renku_fed.subgraphs.kg.schema import schema
from renku_fed.subgraphs.kg.settings import KgSettings

log = logging.getLogger(__name__)
EVENTS_FILE = "events.sqlite3"
SEARCH_FILE = "search.sqlite3"
MIRRORS_DIR = "mirrors"


def build_store(settings: KgSettings) -> TripleStore:
    """The configured triple store."""
    if settings.backend == "embedded":
        return EmbeddedTripleStore(settings.data_dir / "store")
    query_url = settings.sparql_query_url or ""
    password = settings.sparql_password
    return EndpointTripleStore(
        Endpoint(
            query_url=query_url,
            update_url=settings.sparql_update_url or query_url,
            graph_store_url=settings.sparql_graph_store_url,
            graph_store_parameter=settings.sparql_graph_store_parameter,
            user=settings.sparql_user,
            password=password.get_secret_value() if password else None,
            digest=settings.sparql_digest_auth,
            timeout=settings.sparql_timeout_seconds,
        )
    )


def build_knowledge_graph(settings: KgSettings) -> KnowledgeGraph:
    """The knowledge graph on the configured store."""
    return KnowledgeGraph(build_store(settings), SearchIndex(settings.data_dir / SEARCH_FILE))


def build_service(
    settings: KgSettings,
    graph: KgBackend | None = None,
    groups_client: httpx.AsyncClient | None = None,
) -> KgService:
    """The graph (default: the configured one) and its ingester, with its event log on disk;
    callers' groups are asked of the users subgraph (through `groups_client` if given), and
    their GitLab tokens of Keycloak's broker when a Keycloak URL is set."""
    graph = graph or build_knowledge_graph(settings)
    secret = settings.repository_token
    token = secret.get_secret_value() if secret is not None else None
    open_repository = partial(GitRepository, mirrors=settings.data_dir / MIRRORS_DIR, token=token)
    ingester = Ingester(
        graph,
        EventLog(settings.data_dir / EVENTS_FILE),
        poll_seconds=settings.ingestion_poll_seconds,
        max_backoff_seconds=settings.ingestion_max_backoff_seconds,
        on_new_project=seed_repository if settings.seed_demo else None,
        open_repository=open_repository,
    )
    groups = GroupDirectory(settings.users_url, groups_client, settings.group_cache_seconds)
    return KgService(graph, ingester, groups, open_repository, gitlab_tokens(settings))


def gitlab_tokens(settings: KgSettings) -> GitLabTokenBroker | None:
    """The broker of callers' GitLab tokens, None without a Keycloak URL."""
    if settings.keycloak_url is None:
        return None
    return GitLabTokenBroker(
        settings.keycloak_url, settings.keycloak_realm, settings.gitlab_idp_alias
    )


def build_app(
    settings: KgSettings,
    verifier: TokenVerifier,
    graph: KgBackend | None = None,
    groups_client: httpx.AsyncClient | None = None,
) -> Starlette:
    """The kg subgraph app serving `graph` (default: the configured one), closed at shutdown.

    Its ingester runs as a background task for the app's lifetime; `groups_client` (default:
    its own) asks the users subgraph for callers' groups.
    """
    service = build_service(settings, graph, groups_client)
    secret = settings.events_secret.get_secret_value() if settings.events_secret else None

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(service.ingester.run(), name="kg-ingester")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            service.graph.close()
            await service.groups.aclose()

    app = create_subgraph_app(
        service="kg",
        schema=schema,
        backend=service,
        verifier=verifier,
        routes=internal_routes(service.ingester, secret),
        lifespan=lifespan,
    )
    app.state.ingester = service.ingester
    return app


def create_app() -> Starlette:
    """The app as uvicorn's factory builds it, from the environment."""
    settings = load_settings(KgSettings)
    configure_logging("kg", settings.log_level)
    return build_app(settings, TokenVerifier(load_settings(AuthSettings)))
