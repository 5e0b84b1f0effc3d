"""Subscriptions through the real router and subgraphs under uvicorn, with graphql-ws's client.

A session followed from launch to hibernation, another user's session refused, the limit per
client, the subgraph's stream ended when the client leaves, and Apollo's multipart framing.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from renku_fed.sdk import AsyncClient
from renku_fed.subgraphs.sessions.core.events import events_of
from renku_fed.subgraphs.sessions.demo import demo_launchers
from tests.support.sessions import git
from tests.support.subscriptions.platform import NodeClient, Platform, subscriptions_platform

pytestmark = pytest.mark.skipif(
    not (Path(__file__).parents[1] / "support/subscriptions/node_modules").is_dir()
    or shutil.which("node") is None,
    reason="needs node and `npm ci --prefix tests/support/subscriptions` (tox runs it)",
)

LAUNCH = """mutation($id: ID!) {
  launchSession(input: {launcherId: $id}) { session { id state } errors { code message } }
}"""
HIBERNATE = "mutation($id: ID!) { hibernateSession(id: $id) { session { state } } }"
FOLLOW = """subscription Follow($id: ID!) {
  sessionChanged(id: $id) { id state message user { username } }
}"""
MINE = "subscription { mySessionsChanged { id state } }"
MAX_PER_CLIENT = 2


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A bare repository of the demo project, cloned into each session."""
    bare, work = tmp_path / "flights.git", tmp_path / "flights-work"
    git("init", "--bare", "--quiet", str(bare))
    git("init", "--quiet", str(work))
    (work / "README.md").write_text("# Flights\n")
    git("add", "README.md", cwd=work)
    git("commit", "--quiet", "-m", "Start", cwd=work)
    git("push", "--quiet", str(bare), "HEAD:refs/heads/main", cwd=work)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    return bare


@pytest.fixture
async def platform(
    tmp_path: Path, verifier: TokenVerifier, dev_issuer: DevIssuer, repository: Path
) -> AsyncIterator[Platform]:
    limits = SubscriptionSettings(max_per_client=MAX_PER_CLIENT, heartbeat_seconds=0.2)
    async with subscriptions_platform(tmp_path, verifier, dev_issuer, repository, limits) as up:
        await up.graphql("alice", "{ me { username } }")
        yield up


def served() -> float:
    """The router's gauge of the subscriptions it serves."""
    return REGISTRY.get_sample_value("renku_fed_router_subscriptions") or 0.0


def job(platform: Platform, user: str | None, *subscriptions: dict[str, Any]) -> dict[str, Any]:
    """A Node client's job: the router's WebSocket URL, the user's token in connection_init."""
    params = {"Authorization": f"Bearer {platform.token(user)}"} if user else {}
    url = platform.url.replace("http://", "ws://") + "/graphql"
    return {"url": url, "connectionParams": params, "subscriptions": list(subscriptions)}


async def launched(platform: Platform) -> str:
    """Alice's new session of the demo flights launcher."""
    data = await platform.graphql("alice", LAUNCH, id=demo_launchers()[0].id)
    session_id: str = data["launchSession"]["session"]["id"]
    return session_id


async def states_until(client: NodeClient, last: str) -> list[str]:
    """The states the client is told of, up to `last`."""
    states: list[str] = []
    while not states or states[-1] != last:
        line = await client.line()
        assert "next" in line, line
        change = line["next"]["data"]["sessionChanged"]
        assert change["user"] == {"username": "alice"}
        assert change["state"] != "FAILED", change
        states.append(change["state"])
    return states


async def test_a_subscription_follows_a_session_from_start_to_hibernation(
    platform: Platform,
) -> None:
    session_id = await launched(platform)
    client = await NodeClient.start(
        job(platform, "alice", {"query": FOLLOW, "variables": {"id": session_id}})
    )
    try:
        seen = await states_until(client, "RUNNING")
        await platform.graphql("alice", HIBERNATE, id=session_id)
        seen += await states_until(client, "HIBERNATED")
    finally:
        await client.stop()
    assert seen == ["STARTING", "RUNNING", "STOPPING", "HIBERNATED"]


async def test_nobody_else_may_follow_a_session(platform: Platform) -> None:
    session_id = await launched(platform)
    follow = {"query": FOLLOW, "variables": {"id": session_id}}
    for user, code in (("bob", "NOT_FOUND"), (None, "UNAUTHORIZED_FIELD_OR_TYPE")):
        client = await NodeClient.start(job(platform, user, follow))
        try:
            lines = [await client.line()]
            while not ({"error", "complete"} & lines[-1].keys()):
                lines.append(await client.line())
        finally:
            await client.stop()
        assert len(lines) == 1, lines
        assert [e["extensions"]["code"] for e in lines[0]["error"]] == [code]


async def test_a_client_over_its_limit_is_refused_with_a_code(platform: Platform) -> None:
    client = await NodeClient.start(job(platform, "alice", *[{"query": MINE}] * 3))
    try:
        line = await client.line()
    finally:
        await client.stop()
    assert line["index"] == MAX_PER_CLIENT
    assert [e["extensions"]["code"] for e in line["error"]] == ["SUBSCRIPTION_LIMIT_EXCEEDED"]


async def test_the_subgraph_stream_ends_when_the_client_leaves(platform: Platform) -> None:
    session_id = await launched(platform)
    hub = events_of(platform.sessions)
    before = served()
    client = await NodeClient.start(
        job(platform, "alice", {"query": FOLLOW, "variables": {"id": session_id}})
    )
    await client.line()
    assert hub.subscribers == 1
    assert served() == before + 1
    await client.stop()
    deadline = time.monotonic() + 10
    while hub.subscribers and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert hub.subscribers == 0
    assert served() == before


async def test_multipart_subscriptions_are_framed_as_apollo_clients_read_them(
    platform: Platform,
) -> None:
    session_id = await launched(platform)
    body = {"query": FOLLOW, "variables": {"id": session_id}}
    headers = {
        "Authorization": f"Bearer {platform.token('alice')}",
        "Accept": 'multipart/mixed;subscriptionSpec="1.0", application/json',
    }
    received = b""
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("POST", f"{platform.url}/graphql", json=body, headers=headers) as response,
    ):
        content_type = response.headers["content-type"]
        async for chunk in response.aiter_bytes():
            received += chunk
            if received.count(b"\r\n--graphql\r\n") >= 3:
                break
    assert content_type == 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
    parts = [p for p in received.split(b"\r\n--graphql\r\n") if p]
    assert all(p.startswith(b"content-type: application/json\r\n\r\n") for p in parts)
    bodies = [p.split(b"\r\n\r\n", 1)[1] for p in parts]
    assert bodies[0].startswith(
        b'{"payload":{"data":{"sessionChanged":{"id":"' + session_id.encode()
    )
    assert b"{}" in bodies[1:]
    hub = events_of(platform.sessions)
    deadline = time.monotonic() + 10
    while hub.subscribers and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert hub.subscribers == 0


class Recording(httpx.AsyncHTTPTransport):
    """The network, noting the operation name of each GraphQL request."""

    def __init__(self) -> None:
        super().__init__()
        self.operations: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Note the operation, then send the request."""
        name = request.content.decode().split('"query":"', 1)[-1].split("(")[0].split()[-1]
        self.operations.append(name)
        return await super().handle_async_request(request)


async def test_the_sdk_waits_for_a_session_on_its_subscription(platform: Platform) -> None:
    session_id = await launched(platform)
    network = Recording()
    async with AsyncClient(platform.url, platform.token("alice"), transport=network) as client:
        running = await client.sessions.wait(session_id, timeout=60)
    assert running.state.value == "RUNNING"
    assert network.operations == ["GetSession", "SessionChanged"]


async def test_my_sessions_changed_tells_of_a_session_launched_after_subscribing(
    platform: Platform,
) -> None:
    hub = events_of(platform.sessions)
    client = await NodeClient.start(job(platform, "alice", {"query": MINE}))
    try:
        deadline = time.monotonic() + 30
        while not hub.subscribers and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        session_id = await launched(platform)
        line = await client.line()
    finally:
        await client.stop()
    assert line["next"]["data"]["mySessionsChanged"] == {"id": session_id, "state": "STARTING"}
