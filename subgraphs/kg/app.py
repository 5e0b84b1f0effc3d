"""The kg service's ASGI app (`uvicorn renku_fed.subgraphs.kg.app:create_app --factory`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.observability.logs import configure_logging
from renku_fed.subgraphs.common.app import create_subgraph_app
from renku_fed.subgraphs.kg.backends import KgBackend
from renku_fed.subgraphs.kg.backends.embedded import EmbeddedTripleStore
from renku_fed.subgraphs.kg.backends.sparql import KnowledgeGraph
from renku_fed.subgraphs.kg.demo import seed_demo
from renku_fed.subgraphs.kg.schema import schema
from renku_fed.subgraphs.kg.settings import KgSettings

log = logging.getLogger(__name__)


def build_knowledge_graph(settings: KgSettings) -> KnowledgeGraph:
    """The knowledge graph on the configured store, seeded with the demo when asked."""
    graph = KnowledgeGraph(EmbeddedTripleStore(settings.data_dir / "store"))
    if settings.seed_demo and seed_demo(graph):
        log.info("seeded the demo knowledge graph", extra={"data_dir": str(settings.data_dir)})
    return graph


def build_app(
    settings: KgSettings, verifier: TokenVerifier, graph: KgBackend | None = None
) -> Starlette:
    """The kg subgraph app serving `graph` (default: the configured one), closed at shutdown."""
    graph = graph or build_knowledge_graph(settings)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            graph.close()

    return create_subgraph_app(
        service="kg", schema=schema, backend=graph, verifier=verifier, lifespan=lifespan
    )


def create_app() -> Starlette:
    """The app as uvicorn's factory builds it, from the environment."""
    settings = KgSettings()
    configure_logging("kg", settings.log_level)
    return build_app(settings, TokenVerifier(AuthSettings()))
