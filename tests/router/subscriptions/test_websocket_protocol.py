"""The router's graphql-transport-ws endpoint, message by message, under uvicorn.

The subgraphs are a socket that takes connections and never answers, so a subscription stays
open as long as a test needs it.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.auth import LoginSettings, MemorySessionStore
from renku_fed.router.auth.oidc import OidcClient, TokenSet
from renku_fed.router.auth.sessions import SessionManager, load_session_key
from renku_fed.router.http import create_router_app
from renku_fed.router.settings import RouterSettings
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.subscriptions.platform import served

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"
FOLLOW = "subscription($id: ID!) { sessionChanged(id: $id) { id state } }"


@pytest.fixture
def silent() -> Iterator[str]:
    """A URL whose server accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/graphql"
    finally:
        listener.close()


def silent_supergraph(silent: str) -> Supergraph:
    """The platform's supergraph with every subgraph at the silent URL."""
    pattern = r'(@join__graph\(name: "\w+", url: )"[^"]*"'
    return Supergraph.parse(re.sub(pattern, rf'\1"{silent}"', SUPERGRAPH.read_text()))


LIMITS = SubscriptionSettings(
    max_per_client=1, heartbeat_seconds=0.2, connection_init_timeout_seconds=0.5
)


@pytest.fixture
async def router_url(silent: str, verifier: TokenVerifier) -> AsyncIterator[str]:
    settings = RouterSettings(subscriptions=LIMITS)
    app = create_router_app(settings, silent_supergraph(silent), verifier)
    async with served(app) as url:
        yield url.replace("http://", "ws://") + "/graphql"


async def send(client: ClientConnection, message: dict[str, Any]) -> None:
    await client.send(orjson.dumps(message).decode())


async def received(client: ClientConnection) -> dict[str, Any]:
    """The next message that is not the router's ping."""
    while True:
        message: dict[str, Any] = orjson.loads(await client.recv())
        if message["type"] != "ping":
            return message


async def close_code(client: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


def opened(url: str, **headers: str) -> Any:
    return connect(url, subprotocols=["graphql-transport-ws"], additional_headers=headers)  # type: ignore[list-item]


def token(dev_issuer: DevIssuer, user: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {dev_issuer.sign(user)}"}


async def test_the_connection_is_acknowledged_and_answers_pings(
    router_url: str, dev_issuer: DevIssuer
) -> None:
    async with opened(router_url) as client:
        assert client.subprotocol == "graphql-transport-ws"
        await send(client, {"type": "connection_init", "payload": token(dev_issuer)})
        assert await received(client) == {"type": "connection_ack"}
        await send(client, {"type": "ping"})
        assert await received(client) == {"type": "pong"}
        router_ping: dict[str, Any] = orjson.loads(await client.recv())
        assert router_ping == {"type": "ping"}


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([], 4408),
        ([{"type": "subscribe", "id": "1", "payload": {"query": FOLLOW}}], 4401),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        ([{"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}], 4403),
        ([{"type": "connection_init"}, {"type": "unheard-of"}], 4400),
        ([{"type": "connection_init", "payload": "not an object"}], 4400),
    ],
)
async def test_protocol_mistakes_close_with_the_protocols_codes(
    router_url: str, messages: list[dict[str, Any]], code: int
) -> None:
    async with opened(router_url) as client:
        for message in messages:
            await send(client, message)
        assert await close_code(client) == code


async def test_a_second_subscription_with_one_id_closes_4409(
    router_url: str, dev_issuer: DevIssuer
) -> None:
    subscribe = {
        "type": "subscribe",
        "id": "a",
        "payload": {"query": FOLLOW, "variables": {"id": "S"}},
    }
    async with opened(router_url, **token(dev_issuer)) as client:
        await send(client, {"type": "connection_init"})
        assert await received(client) == {"type": "connection_ack"}
        await send(client, subscribe)
        await send(client, subscribe)
        assert await close_code(client) == 4409


async def test_one_subscription_over_the_limit_gets_an_error_and_the_first_goes_on(
    router_url: str, dev_issuer: DevIssuer
) -> None:
    payload = {"query": FOLLOW, "variables": {"id": "S"}}
    async with opened(router_url, **token(dev_issuer)) as client:
        await send(client, {"type": "connection_init"})
        assert await received(client) == {"type": "connection_ack"}
        await send(client, {"type": "subscribe", "id": "a", "payload": payload})
        await send(client, {"type": "subscribe", "id": "b", "payload": payload})
        refused = await received(client)
        assert refused["id"] == "b" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
        await send(client, {"type": "complete", "id": "a"})
        await send(client, {"type": "subscribe", "id": "c", "payload": payload})
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(received(client), 0.5)


async def test_queries_and_invalid_documents_are_refused_per_operation(
    router_url: str, dev_issuer: DevIssuer
) -> None:
    async with opened(router_url, **token(dev_issuer)) as client:
        await send(client, {"type": "connection_init"})
        await received(client)
        await send(
            client, {"type": "subscribe", "id": "q", "payload": {"query": "{ sessions { id } }"}}
        )
        query = await received(client)
        await send(
            client, {"type": "subscribe", "id": "v", "payload": {"query": "subscription { nope }"}}
        )
        invalid = await received(client)
    assert (query["id"], query["type"]) == ("q", "error")
    assert query["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert (invalid["id"], invalid["type"]) == ("v", "error")
    assert invalid["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_same_origin_page_subscribes_with_its_login_cookie(
    silent: str, verifier: TokenVerifier, dev_issuer: DevIssuer, tmp_path: Path
) -> None:
    login = LoginSettings(client_id="renku-ui", data_dir=tmp_path)
    store = MemorySessionStore()
    sessions = SessionManager(
        store, load_session_key(login), OidcClient(verifier.settings, login), login
    )
    tokens = TokenSet(dev_issuer.sign("alice"), None, None, time.time() + 600, None)
    cookie = f"{login.cookie_name}={await sessions.create(tokens, 'alice')}"
    settings = RouterSettings(subscriptions=LIMITS, login=login)
    app = create_router_app(settings, silent_supergraph(silent), verifier, session_store=store)
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": FOLLOW, "variables": {"id": "S"}},
    }
    async with served(app) as url:
        host = url.removeprefix("http://")
        ws_url = f"ws://{host}/graphql"
        for origin, signed_in in ((f"http://{host}", True), ("https://elsewhere.example", False)):
            async with opened(ws_url, Cookie=cookie, Origin=origin) as client:
                await send(client, {"type": "connection_init"})
                assert await received(client) == {"type": "connection_ack"}
                await send(client, subscribe)
                if signed_in:
                    # alice may follow sessions: the subscription waits on the (silent) subgraph.
                    with pytest.raises(TimeoutError):
                        await asyncio.wait_for(received(client), 0.5)
                else:
                    refused = await received(client)
                    codes = [e["extensions"]["code"] for e in refused["payload"]]
                    assert codes == ["UNAUTHORIZED_FIELD_OR_TYPE"]
