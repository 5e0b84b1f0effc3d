"""`@defer` through the real router under uvicorn, over the real subgraphs: the knowledge
graph's part of a project query arrives after the rest, which does not wait for it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import SUBGRAPH_PORTS, inprocess_platform
from tests.support.meros import served
from tests.support.multipart_reader import first_payload, parse_multipart

QUERY = """{ me { username projects(first: 5) { edges { node {
  slug
  ... @defer(label: "kg") { datasets { edges { node { name } } } }
} } } } }"""


class HeldQueries:
    """The kg app, its GraphQL requests held until `release` is set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.release = asyncio.Event()
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql":
            self.held += 1
            await self.release.wait()
        await self.app(scope, receive, send)


async def test_the_kg_part_streams_after_the_primary_part(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    async with inprocess_platform(tmp_path, verifier) as platform:
        kg = HeldQueries(platform.apps["kg"])
        platform.transport.add(SUBGRAPH_PORTS["kg"], kg)  # type: ignore[arg-type]
        assert platform.router is not None
        headers = {
            "authorization": f"Bearer {dev_issuer.sign('alice')}",
            "accept": "multipart/mixed;deferSpec=20220824, application/json",
        }
        received = b""
        first: dict[str, Any] | None = None
        async with (
            served(platform.router, lifespan="off") as url,
            httpx.AsyncClient(timeout=30) as client,
            client.stream("POST", f"{url}/graphql", json={"query": QUERY}, headers=headers) as r,
        ):
            assert r.headers["content-type"].startswith("multipart/mixed")
            async for chunk in r.aiter_bytes():
                received += chunk
                if first is None and (first := first_payload(received)) is not None:
                    # the primary part came while the kg could not answer
                    kg.release.set()

    payloads = parse_multipart(received)
    assert kg.held >= 1
    assert payloads[0] == first
    assert first is not None and first["hasNext"] is True
    nodes = [e["node"] for e in first["data"]["me"]["projects"]["edges"]]
    assert {n["slug"] for n in nodes} >= {"flights"} and all("datasets" not in n for n in nodes)
    items = [item for payload in payloads[1:] for item in payload["incremental"]]
    assert payloads[-1]["hasNext"] is False
    assert len(items) == len(nodes) and {i["label"] for i in items} == {"kg"}
    flights = nodes.index(next(n for n in nodes if n["slug"] == "flights"))
    [mine] = [i for i in items if i["path"][3] == flights]
    assert mine["path"] == ["me", "projects", "edges", flights, "node"]
    assert mine["data"] == {"datasets": {"edges": [{"node": {"name": "flight-delays"}}]}}
