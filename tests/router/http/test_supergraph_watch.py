"""The router serves a new supergraph file without a restart (a ConfigMap update on Kubernetes)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from renku_fed.identity.settings import AuthSettings
from renku_fed.router.http import create_router_app
from renku_fed.router.http.supergraph_source import Closer, SupergraphWatcher
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.conftest import TEST_ISSUER
from tests.support.fake_subgraphs import SUPERGRAPH_PATH

ORIGINAL = SUPERGRAPH_PATH.read_text()
MOVED = ORIGINAL.replace('"http://accounts/graphql"', '"http://accounts-v2/graphql"')


class Swaps:
    """Records the supergraphs swapped in and the closing of what they replaced."""

    def __init__(self) -> None:
        self.versions: list[str] = []
        self.closed = 0

    def swap(self, supergraph: Supergraph) -> Closer:
        self.versions.append(supergraph.version)

        async def close() -> None:
            self.closed += 1

        return close


@pytest.fixture
def supergraph_file(tmp_path: Path) -> Path:
    path = tmp_path / "supergraph.graphql"
    path.write_text(ORIGINAL)
    return path


async def test_a_changed_file_is_swapped_in_and_the_old_one_closed(supergraph_file: Path) -> None:
    swaps = Swaps()
    watcher = SupergraphWatcher(
        supergraph_file, Supergraph.parse(ORIGINAL).version, swaps.swap, grace=0
    )
    assert await watcher.check() is False
    supergraph_file.write_text(MOVED)
    assert await watcher.check() is True
    assert await watcher.check() is False
    assert swaps.versions == [Supergraph.parse(MOVED).version]
    await asyncio.sleep(0.01)
    assert swaps.closed == 1


async def test_an_invalid_file_keeps_the_served_version(
    supergraph_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    swaps = Swaps()
    watcher = SupergraphWatcher(supergraph_file, Supergraph.parse(ORIGINAL).version, swaps.swap, 0)
    supergraph_file.write_text("type Query {")
    with caplog.at_level(logging.ERROR):
        assert await watcher.check() is False
    assert "new supergraph refused" in caplog.text
    supergraph_file.unlink()
    assert await watcher.check() is False
    supergraph_file.write_text(MOVED)
    assert await watcher.check() is True
    assert swaps.versions == [Supergraph.parse(MOVED).version]


async def test_shutdown_closes_what_waits_for_its_grace(supergraph_file: Path) -> None:
    swaps = Swaps()
    watcher = SupergraphWatcher(supergraph_file, "other", swaps.swap, grace=3600)
    assert await watcher.check() is True
    assert swaps.closed == 0
    await watcher.aclose()
    assert swaps.closed == 1


async def test_the_router_serves_the_new_supergraph_without_restart(
    supergraph_file: Path,
) -> None:
    settings = RouterSettings(supergraph_path=supergraph_file, supergraph_poll_seconds=0.02)
    app = create_router_app(settings, auth_settings=AuthSettings(issuer=TEST_ISSUER))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        before = (await client.get("/healthz")).json()
        assert before["subgraphs"]["accounts"] == "http://accounts/graphql"
        supergraph_file.write_text(MOVED)
        for _ in range(200):
            after = (await client.get("/healthz")).json()
            if after["supergraph"] != before["supergraph"]:
                break
            await asyncio.sleep(0.01)
        assert after["supergraph"] == Supergraph.parse(MOVED).version
        assert after["subgraphs"]["accounts"] == "http://accounts-v2/graphql"
