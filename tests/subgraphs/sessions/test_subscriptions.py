"""The sessions subgraph's own graphql-transport-ws endpoint: its token checks and NOT_FOUND."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.sessions.app import build_app
from renku_fed.subgraphs.sessions.backends.project_directory import GraphProjectDirectory
from renku_fed.subgraphs.sessions.settings import SessionsSettings
from tests.support.sessions import router_double
from tests.support.subscriptions.platform import served

FOLLOW = "subscription($id: ID!) { sessionChanged(id: $id) { id state } }"


@pytest.fixture
async def url(
    local_settings: SessionsSettings, verifier: TokenVerifier, repository: Path
) -> AsyncIterator[str]:
    router = httpx.ASGITransport(app=router_double(verifier, repository, []))
    directory = GraphProjectDirectory(
        "http://router/graphql", 5.0, 20, httpx.AsyncClient(transport=router)
    )
    async with served(build_app(local_settings, verifier, directory)) as base:
        yield base.replace("http://", "ws://") + "/graphql"


async def exchange(client: ClientConnection, *messages: dict[str, Any]) -> dict[str, Any]:
    for message in messages:
        await client.send(orjson.dumps(message).decode())
    answer: dict[str, Any] = orjson.loads(await client.recv())
    return answer


def opened(url: str, **headers: str) -> Any:
    return connect(url, subprotocols=["graphql-transport-ws"], additional_headers=headers)  # type: ignore[list-item]


async def test_a_forged_token_on_the_upgrade_is_refused_before_the_socket_opens(url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with opened(url, Authorization="Bearer forged"):
            pass
    assert refused.value.response.status_code == 403


async def test_a_forged_token_in_connection_init_closes_4403(url: str) -> None:
    async with opened(url) as client:
        init = {"type": "connection_init", "payload": {"Authorization": "Bearer forged"}}
        with pytest.raises(ConnectionClosed) as closed:
            await exchange(client, init)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_the_token_of_connection_init_is_the_caller(url: str, dev_issuer: DevIssuer) -> None:
    token = {"Authorization": f"Bearer {dev_issuer.sign('alice')}"}
    subscribe = {
        "id": "1", "type": "subscribe",
        "payload": {"query": FOLLOW, "variables": {"id": "nobody's"}},
    }  # fmt: skip
    async with opened(url) as client:
        ack = await exchange(client, {"type": "connection_init", "payload": token})
        answer = await exchange(client, subscribe)
    assert ack["type"] == "connection_ack"
    assert (answer["id"], answer["type"]) == ("1", "error")
    assert [e["extensions"]["code"] for e in answer["payload"]] == ["NOT_FOUND"]


async def test_anonymous_callers_are_told_to_sign_in(url: str) -> None:
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": "subscription { mySessionsChanged { id } }"},
    }
    async with opened(url) as client:
        await exchange(client, {"type": "connection_init"})
        answer = await exchange(client, subscribe)
    assert answer["type"] == "error"
    assert [e["extensions"]["code"] for e in answer["payload"]] == ["UNAUTHENTICATED"]
