"""Fault injection over real HTTP: a broken subgraph costs its part of the answer, never the
others' data or a 5xx, and the router recovers by itself once it is back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer
from prometheus_client import REGISTRY

from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.execution.shaping_settings import SubgraphShaping, TrafficShaping
from renku_fed.router.http import create_router_app
from renku_fed.router.limits.settings import LimitSettings
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.reliability.faulty_subgraph import FAULTS, FaultySubgraph
from tests.support.fake_subgraphs import SDL, SUPERGRAPH_PATH
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
QUERY = {"query": "{ me { name } topProducts(first: 2) { upc name } }"}
FULL = {
    "me": {"name": "Ann"},
    "topProducts": [{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Chair"}],
}
SETTINGS = RouterSettings(
    subgraph_timeout_seconds=1.0,
    limits=LimitSettings(rate_per_second=0),
    traffic_shaping=TrafficShaping(
        all=SubgraphShaping(retry_min_seconds=0.01, breaker_cooldown_seconds=0.5)
    ),
)


def supergraph_at(urls: dict[str, str]) -> Supergraph:
    """The fake supergraph with its subgraphs at `urls`."""
    sdl = SUPERGRAPH_PATH.read_text()
    for name, url in urls.items():
        sdl = sdl.replace(f'url: "http://{name}/graphql"', f'url: "{url}"')
    return Supergraph.parse(sdl)


@contextlib.asynccontextmanager
async def router(verifier: TokenVerifier, urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the router app, which calls the subgraphs at `urls` over the network."""
    app = create_router_app(SETTINGS, supergraph_at(urls), verifier)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        yield client


@pytest.fixture
async def subgraphs() -> AsyncIterator[dict[str, tuple[str, FaultySubgraph]]]:
    """The four fake subgraphs, each on its own port of 127.0.0.1."""
    served: dict[str, tuple[str, FaultySubgraph]] = {}
    servers: list[TestServer] = []
    for name in SDL:
        subgraph = FaultySubgraph(name)
        server = TestServer(subgraph.app(), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        served[name] = (str(server.make_url("/graphql")), subgraph)
    yield served
    for server in servers:
        await server.close()


def assert_partial(response: httpx.Response) -> list[dict[str, Any]]:
    """A 200 with the products' data, `me` null, and errors without tracebacks; the errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"]["topProducts"] == FULL["topProducts"]
    assert body["data"]["me"] is None
    assert body["errors"]
    assert "Traceback" not in response.text
    return list(body["errors"])


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_a_broken_subgraph_costs_only_its_part(
    verifier: TokenVerifier, subgraphs: dict[str, tuple[str, FaultySubgraph]], fault: str
) -> None:
    urls = {name: url for name, (url, _) in subgraphs.items()}
    accounts = subgraphs["accounts"][1]
    async with router(verifier, urls) as client:
        accounts.fault = FAULTS[fault]
        errors = assert_partial(await client.post("/graphql", json=QUERY))
        accounts.fault = None
        recovered = await client.post("/graphql", json=QUERY)

    assert all(
        e["extensions"].get("serviceName") == "accounts" or e.get("path") == ["me"] for e in errors
    ), errors
    assert recovered.json() == {"data": FULL}


def start_accounts(port: int) -> subprocess.Popen[bytes]:
    """The accounts subgraph in a process of its own, once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.faulty_subgraph", "accounts", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the accounts subgraph did not start")


async def load(client: httpx.AsyncClient, until: float) -> list[httpx.Response]:
    """Queries one after another until the `until` reading of the loop's clock."""
    answers: list[httpx.Response] = []
    while asyncio.get_running_loop().time() < until:
        answers.append(await client.post("/graphql", json=QUERY))
        await asyncio.sleep(0.01)
    return answers


def shed(reason: str) -> float:
    """Calls to the accounts subgraph failed without being sent so far."""
    labels = {"subgraph": "accounts", "reason": reason}
    return REGISTRY.get_sample_value("renku_fed_router_subgraph_shed_total", labels) or 0.0


async def test_a_subgraph_killed_mid_load_is_served_around_and_recovers(
    verifier: TokenVerifier, subgraphs: dict[str, tuple[str, FaultySubgraph]]
) -> None:
    port = free_port()
    urls = {name: url for name, (url, _) in subgraphs.items()}
    urls["accounts"] = f"http://127.0.0.1:{port}/graphql"
    process = start_accounts(port)
    shed_before = shed("breaker_open")
    try:
        async with router(verifier, urls) as client:
            until = asyncio.get_running_loop().time() + 3
            loading = asyncio.gather(*(load(client, until) for _ in range(8)))
            await asyncio.sleep(0.7)
            process.send_signal(signal.SIGKILL)
            process.wait()
            await asyncio.sleep(1.0)
            process = await asyncio.to_thread(start_accounts, port)
            answers = [answer for worker in await loading for answer in worker]
            await asyncio.sleep(0.6)
            recovered = await client.post("/graphql", json=QUERY)
    finally:
        process.kill()
        process.wait()

    assert all(answer.status_code == 200 for answer in answers)
    bodies = [answer.json() for answer in answers]
    assert all(body["data"]["topProducts"] == FULL["topProducts"] for body in bodies)
    broken = [body for body in bodies if body.get("errors")]
    assert broken and len(broken) < len(bodies)
    codes = {e["extensions"]["code"] for body in broken for e in body["errors"]}
    assert codes == {"SUBGRAPH_UNAVAILABLE"}
    assert shed("breaker_open") > shed_before
    assert recovered.json() == {"data": FULL}
