"""`python -m bench.defer`: time to the first and the last payload of a project query whose
knowledge-graph part is deferred, beside the same query answered in one response, over the real
subgraphs in process with the kg answering after an added delay; and the planner's cold time
for the query with and without `@defer`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from graphql import parse
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.planning import QueryPlanner
from renku_fed.router.supergraph import Supergraph
from tests.support.inprocess import SUBGRAPH_PORTS, inprocess_platform
from tests.support.meros import served

ISSUER = "http://127.0.0.1:4001/realms/renku"
QUERY = """{ me { username projects(first: 5) { edges { node {
  slug name createdBy { username }
  ... @defer(label: "kg") { datasets { edges { node { name keywords } } } }
} } } } }"""
ACCEPT = "multipart/mixed;deferSpec=20220824, application/json"


class Delayed:
    """An app whose GraphQL requests are answered after `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, a GraphQL one after the delay."""
        if scope["type"] == "http" and scope["path"] == "/graphql":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


async def _timed(
    client: httpx.AsyncClient, url: str, query: str, token: str
) -> tuple[float, float]:
    """Seconds to the first bytes and to the end of the response."""
    headers = {"authorization": f"Bearer {token}", "accept": ACCEPT}
    started = time.perf_counter()
    first = 0.0
    async with client.stream("POST", url, json={"query": query}, headers=headers) as r:
        async for _ in r.aiter_bytes():
            first = first or time.perf_counter() - started
    return first, time.perf_counter() - started


async def _measure(rounds: int, delay: float) -> None:
    with tempfile.TemporaryDirectory() as root:
        issuer = DevIssuer.create(Path(root) / "dev-issuer", ISSUER)
        keys = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=Starlette(routes=dev_issuer_routes(issuer))),
            base_url="http://127.0.0.1:4001",
        )
        verifier = TokenVerifier(AuthSettings(issuer=ISSUER), keys)
        async with inprocess_platform(Path(root), verifier) as platform:
            delayed = Delayed(platform.apps["kg"], delay)
            platform.transport.add(SUBGRAPH_PORTS["kg"], delayed)  # type: ignore[arg-type]
            token = issuer.sign("alice")
            plain = QUERY.replace('@defer(label: "kg") ', "")
            rows = {}
            assert platform.router is not None
            async with (
                served(platform.router, lifespan="off") as base,
                httpx.AsyncClient(timeout=60) as client,
            ):
                url = f"{base}/graphql"
                for name, query in (("one response", plain), ("@defer", QUERY)):
                    await _timed(client, url, query, token)
                    times = [await _timed(client, url, query, token) for _ in range(rounds)]
                    rows[name] = [statistics.median(t[i] for t in times) * 1000 for i in (0, 1)]
        await keys.aclose()
    print(f"kg delay {delay * 1000:.0f} ms, {rounds} rounds, median ms")
    print(f"{'':14} {'first bytes':>11} {'last part':>10}")
    for name, (first, last) in rows.items():
        print(f"{name:14} {first:11.1f} {last:10.1f}")


def _planning(rounds: int) -> None:
    supergraph_path = Path(__file__).parents[2] / "schema" / "supergraph.graphql"
    supergraph = Supergraph.parse(supergraph_path.read_text())
    plain = QUERY.replace('@defer(label: "kg") ', "")
    for name, query in (("plan, one response", plain), ("plan, @defer", QUERY)):
        samples = []
        for _ in range(rounds):
            planner = QueryPlanner(supergraph)
            document = parse(query)
            started = time.perf_counter()
            planner.plan(document, None)
            samples.append(time.perf_counter() - started)
        print(f"{name:20} {statistics.median(samples) * 1000:8.2f} ms (cold, median)")


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(prog="python -m bench.defer")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--kg-delay", type=float, default=0.2, help="seconds")
    args = parser.parse_args()
    asyncio.run(_measure(args.rounds, args.kg_delay))
    _planning(args.rounds)


main()
