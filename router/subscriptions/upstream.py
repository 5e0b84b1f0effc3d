"""The router's side of a subgraph subscription: one graphql-transport-ws WebSocket per stream.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md): `connection_init` (the caller's
`Authorization` both on the upgrade and in the payload), `connection_ack`, one `subscribe`,
then `next` until `complete` or `error`; `ping` is answered with `pong`. Leaving the iterator
closes the socket, which ends the subgraph's resolver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import aiohttp
import orjson

from renku_fed.router.errors import ErrorCode

PROTOCOL = "graphql-transport-ws"
OPERATION_ID = "1"


class UpstreamError(Exception):
    """The subgraph's stream could not be opened or broke; `code` tells the client why."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.SUBGRAPH_UNAVAILABLE) -> None:
        super().__init__(message)
        self.code = code


class SubgraphRefused(Exception):
    """The subgraph answered the subscription with graphql-transport-ws's `error` message."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e.get("message")) for e in errors))
        self.errors = errors


def websocket_url(url: str) -> str:
    """The ws(s) URL of a subgraph's http(s) GraphQL URL."""
    if url.startswith("https://"):
        return "wss://" + url.removeprefix("https://")
    return "ws://" + url.removeprefix("http://")


async def subgraph_events(
    session: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any],
    headers: Mapping[str, str],
    timeout_seconds: float,
) -> AsyncGenerator[dict[str, Any], None]:
    """Each `next` payload ({data, errors}) of one subscription until `complete`.

    SubgraphRefused when the subgraph refuses it (an `error` message), UpstreamError when the
    stream cannot be opened or breaks.
    """
    init: dict[str, Any] = {}
    if "authorization" in headers:
        init["Authorization"] = headers["authorization"]
    try:
        async with asyncio.timeout(timeout_seconds):
            socket = await session.ws_connect(
                websocket_url(url),
                protocols=(PROTOCOL,),
                headers=dict(headers),
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=timeout_seconds),
            )
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise UpstreamError(
            f"The subgraph's subscription endpoint cannot be reached: {exc}"
        ) from exc
    async with socket:
        await socket.send_str(orjson.dumps({"type": "connection_init", "payload": init}).decode())
        async for message in _messages(socket):
            kind = message.get("type")
            if kind == "connection_ack":
                subscribe = {"id": OPERATION_ID, "type": "subscribe", "payload": payload}
                await socket.send_str(orjson.dumps(subscribe).decode())
            elif kind == "ping":
                await socket.send_str('{"type":"pong"}')
            elif kind == "next" and isinstance(message.get("payload"), dict):
                yield message["payload"]
            elif kind == "error":
                errors = message.get("payload")
                raise SubgraphRefused(errors if isinstance(errors, list) else [])
            elif kind == "complete":
                return
        code = socket.close_code
        raise UpstreamError(f"The subgraph closed the subscription (WebSocket code {code}).")


async def _messages(
    socket: aiohttp.ClientWebSocketResponse,
) -> AsyncGenerator[dict[str, Any], None]:
    async for frame in socket:
        if frame.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return
        try:
            message = orjson.loads(frame.data)
        except orjson.JSONDecodeError:
            raise UpstreamError("The subgraph sent a frame that is not JSON.") from None
        if isinstance(message, dict):
            yield message
