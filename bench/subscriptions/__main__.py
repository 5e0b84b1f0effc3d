"""`python -m bench.subscriptions`: how long a session's change takes to reach a subscriber.

The users, projects and sessions subgraphs and the router run under uvicorn in this process;
each round saves one change of a session record in the sessions store (as a mutation or the
reconciler does) and times it until a client holds the event: over the router's WebSocket and
multipart, with and without an entity fetch per event, beside the sessions subgraph's own
WebSocket (the peer: what the router adds). Then one change fanned out to many subscribers.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from renku_fed.identity.dev_issuer import DevIssuer, dev_issuer_routes
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from renku_fed.subgraphs.common.demo import ALICE, FLIGHTS
from renku_fed.subgraphs.sessions.models import Resources, Session, SessionState
from tests.support.subscriptions.platform import Platform, subscriptions_platform

ISSUER = "http://127.0.0.1:4001/realms/renku"

PLAIN = "subscription($id: ID!) { sessionChanged(id: $id) { id state message } }"
ENTITY = "subscription($id: ID!) { sessionChanged(id: $id) { id message user { username } } }"
SESSION_ID = "01JBENCH000000000000SESS10"
Receiver = Callable[[], Awaitable[dict[str, Any]]]


def _record(message: str) -> Session:
    now = datetime.now(UTC)
    return Session(
        id=SESSION_ID, name="flights-bench", project_id=FLIGHTS.id, owner_id=ALICE.id,
        launcher_id="bench", image="bench", state=SessionState.HIBERNATED,
        resources=Resources(1, 1, 0, 1), resource_class_id=None, started_at=now,
        last_interaction=now, idle_threshold_seconds=0, hibernation_threshold_seconds=0,
        message=message, hibernated_at=now,
    )  # fmt: skip


@asynccontextmanager
async def websocket(url: str, token: str, query: str) -> AsyncIterator[Receiver]:
    """A graphql-transport-ws subscription; a function awaiting its next event."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as client:  # type: ignore[list-item]
        await _send(client, {"type": "connection_init", "payload": {"Authorization": token}})
        await _next(client)
        payload = {"query": query, "variables": {"id": SESSION_ID}}
        await _send(client, {"type": "subscribe", "id": "1", "payload": payload})
        await _next(client)  # the session as it is now

        async def receive() -> dict[str, Any]:
            return await _next(client)

        yield receive


async def _send(client: ClientConnection, message: dict[str, Any]) -> None:
    await client.send(orjson.dumps(message).decode())


async def _next(client: ClientConnection) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = orjson.loads(await client.recv())
        if message["type"] == "ping":
            await _send(client, {"type": "pong"})
        elif message["type"] != "pong":
            return message


@asynccontextmanager
async def multipart(url: str, token: str, query: str) -> AsyncIterator[Receiver]:
    """An Apollo multipart subscription; a function awaiting its next event."""
    headers = {"Authorization": token, "Accept": 'multipart/mixed;subscriptionSpec="1.0"'}
    body = {"query": query, "variables": {"id": SESSION_ID}}
    async with (
        httpx.AsyncClient(timeout=60) as http,
        http.stream("POST", f"{url}/graphql", json=body, headers=headers) as response,
    ):
        chunks = response.aiter_bytes()

        async def receive() -> dict[str, Any]:
            while True:
                part = (await anext(chunks)).rsplit(b"\r\n\r\n", 1)[-1]
                if part.startswith(b'{"payload"'):
                    decoded: dict[str, Any] = orjson.loads(part)
                    return decoded

        await receive()  # the session as it is now
        yield receive


async def _change(platform: Platform, number: int) -> None:
    await asyncio.to_thread(platform.sessions.store.save_session, _record(f"change {number}"))


async def latencies(platform: Platform, receive: Receiver, rounds: int) -> list[float]:
    """Milliseconds from each saved change to its event in the client's hands."""
    timings = []
    for number in range(rounds):
        started = time.perf_counter()
        await _change(platform, number + 1)
        await receive()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def fan_out(platform: Platform, token: str, subscribers: int) -> tuple[float, float, int]:
    """ms until the first and the last of `subscribers` holds one change; KB of RSS each."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    async with _many(platform.url, token, subscribers) as receivers:
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        started = time.perf_counter()
        await _change(platform, 0)
        done = []
        for finished in asyncio.as_completed([r() for r in receivers]):
            await finished
            done.append((time.perf_counter() - started) * 1000)
    return done[0], done[-1], grown // subscribers


@asynccontextmanager
async def _many(url: str, token: str, count: int) -> AsyncIterator[list[Receiver]]:
    async with AsyncExitStack() as stack:
        opened = [websocket(url, token, PLAIN) for _ in range(count)]
        yield list(await asyncio.gather(*(stack.enter_async_context(o) for o in opened)))


async def _queries(platform: Platform, rounds: int) -> list[float]:
    """Milliseconds of the entity case's fields asked as a query, for comparison."""
    query = ENTITY.replace("subscription", "query").replace("sessionChanged", "session")
    body = {"query": query, "variables": {"id": SESSION_ID}}
    headers = {"Authorization": f"Bearer {platform.token('alice')}"}
    timings = []
    async with httpx.AsyncClient(timeout=60) as http:
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await http.post(f"{platform.url}/graphql", json=body, headers=headers)
            assert answer.json()["data"]["session"]["user"] == {"username": "alice"}
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _row(name: str, timings: list[float], peer: float | None) -> str:
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    ratio = f"{p50 / peer:5.2f}x" if peer else "     "
    return f"{name:<44} {p50:8.2f} {p95:8.2f}  {ratio}"


async def run(rounds: int, subscribers: int) -> None:
    """Start the platform, measure, print one table."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        issuer = DevIssuer.create(tmp / "dev-issuer", ISSUER)
        keys = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=Starlette(routes=dev_issuer_routes(issuer))),
            base_url="http://127.0.0.1:4001",
        )
        verifier = TokenVerifier(AuthSettings(issuer=ISSUER), keys)
        limits = SubscriptionSettings(max_per_client=subscribers + 10)
        async with subscriptions_platform(tmp, verifier, issuer, tmp, limits) as platform:
            await platform.graphql("alice", "{ me { username } }")
            await _change(platform, 0)
            await _measure(platform, f"Bearer {platform.token('alice')}", rounds, subscribers)


async def _measure(platform: Platform, token: str, rounds: int, subscribers: int) -> None:
    async with websocket(platform.sessions_url, token, PLAIN) as receive:
        peer = await latencies(platform, receive, rounds)
    cases: list[tuple[str, list[float]]] = [("sessions subgraph WebSocket (peer)", peer)]
    for name, opener, query in (
        ("router WebSocket", websocket, PLAIN),
        ("router multipart", multipart, PLAIN),
        ("router WebSocket, + users entity fetch", websocket, ENTITY),
    ):
        async with opener(platform.url, token, query) as receive:
            cases.append((name, await latencies(platform, receive, rounds)))
    cases.append(("router query of the same fields (no event)", await _queries(platform, rounds)))
    print(f"{rounds} changes each; ms from the store write to the client holding the event")
    print(f"{'':<44} {'p50':>8} {'p95':>8}  vs peer")
    base = statistics.median(peer)
    for name, timings in cases:
        print(_row(name, timings, None if timings is peer else base))
    first, last, per = await fan_out(platform, token, subscribers)
    print(
        f"one change to {subscribers} router WebSocket subscribers: first {first:.1f} ms, "
        f"last {last:.1f} ms; max RSS grew {per} KB per subscription (router, subgraph and "
        "client in this one process)"
    )


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions", description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="changes per case")
    parser.add_argument("--subscribers", type=int, default=100, help="fan-out subscribers")
    options = parser.parse_args()
    asyncio.run(run(options.rounds, options.subscribers))


if __name__ == "__main__":
    main()
