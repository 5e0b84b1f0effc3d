"""Fixtures for router tests: the test supergraph, fake subgraphs, a gateway and an app client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.gateway import Gateway
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import SUPERGRAPH_PATH, FakeSubgraphs
from tests.support.router_client import RouterClient


@pytest.fixture(scope="session")
def supergraph() -> Supergraph:
    """The supergraph of the four fake subgraphs."""
    return Supergraph.parse(SUPERGRAPH_PATH.read_text())


@pytest.fixture
def fakes() -> FakeSubgraphs:
    """Fresh fake subgraphs that record their requests."""
    return FakeSubgraphs()


@pytest.fixture
async def gateway(supergraph: Supergraph, fakes: FakeSubgraphs) -> AsyncIterator[Gateway]:
    """A gateway over the fake subgraphs."""
    gateway = Gateway(supergraph, RouterSettings(), fakes.transport)
    yield gateway
    await gateway.aclose()


@pytest.fixture
def router_client(
    supergraph: Supergraph, fakes: FakeSubgraphs, verifier: TokenVerifier
) -> RouterClient:
    """Opens a client to a started router app (lifespan run) with the given settings."""

    @asynccontextmanager
    async def open_client(
        settings: RouterSettings | None = None, *, with_supergraph: bool = True
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_router_app(
            settings or RouterSettings(),
            supergraph if with_supergraph else None,
            verifier,
            transport=fakes.transport,
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://router"
            ) as client,
        ):
            yield client

    return open_client
