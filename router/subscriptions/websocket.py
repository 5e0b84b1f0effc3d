"""Subscriptions over WebSocket, speaking graphql-transport-ws (github.com/enisdenjo/graphql-ws,
PROTOCOL.md) at the router's GraphQL path.

The caller's token comes in the upgrade's `Authorization` header, in `connection_init`'s
payload `{"Authorization": "Bearer ..."}`, or from the browser-login cookie of a same-origin
page. Close codes are the protocol's: 4400 a malformed message, 4401 `subscribe` before the
connection was acknowledged, 4403 a refused token, 4408 no `connection_init` in time, 4409 a
second subscription with one id, 4429 a second `connection_init`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

import orjson
from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from renku_fed.identity.bearer import Authenticated, Refused, authenticate
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.observability.metrics import count_errors
from renku_fed.router.auth import BrowserLogin
from renku_fed.router.auth.login import CsrfRefused
from renku_fed.router.errors import ErrorCode
from renku_fed.router.limits import RateLimiter, client_key
from renku_fed.router.request import GatewayRequestError, GraphQLRequest
from renku_fed.router.subscriptions.service import LimitExceeded, SubscriptionService
from renku_fed.router.subscriptions.upstream import PROTOCOL

log = logging.getLogger(__name__)

BAD_MESSAGE, UNAUTHORIZED, FORBIDDEN = 4400, 4401, 4403
INIT_TIMEOUT, DUPLICATE_ID, TOO_MANY_INITS = 4408, 4409, 4429


class _Closed(Exception):
    """The connection is closed with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class GraphQLWebSocket:
    """The WebSocket endpoint: one `Connection` per client socket."""

    def __init__(
        self,
        service: SubscriptionService,
        verifier: TokenVerifier,
        login: BrowserLogin | None,
        csrf_header: str | None,
        client_ip_header: str | None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.service = service
        self._verifier = verifier
        self._login = login
        self._csrf_header = csrf_header
        self._client_ip_header = client_ip_header
        self._rate_limiter = rate_limiter

    async def serve(self, websocket: WebSocket) -> None:
        """Serve one client socket until it or the router closes it."""
        if PROTOCOL not in websocket.scope.get("subprotocols", []):
            await websocket.close(4406, "Subprotocol not acceptable; use graphql-transport-ws.")
            return
        await websocket.accept(PROTOCOL)
        await Connection(websocket, self).serve()

    async def identify(
        self, websocket: WebSocket, params: Mapping[str, Any]
    ) -> Authenticated | Refused:
        """The caller, from `connection_init`'s payload, the upgrade or a same-origin page's
        login cookie; CsrfRefused when that cookie could have been sent cross-site."""
        authorization = params.get("Authorization") or params.get("authorization")
        if not isinstance(authorization, str):
            authorization = websocket.headers.get("authorization")
        login, csrf_header = self._login, self._csrf_header
        cookie = None
        if login is not None and csrf_header and _same_origin(websocket):
            # A same-origin page's cookie: the Origin check stands in for the CSRF header.
            cookie = partial(login.bearer_token, _as_preflighted(websocket, csrf_header))
        return await authenticate(self._verifier, authorization, cookie)

    async def rate_limited(self, client: str) -> dict[str, Any] | None:
        """The RATE_LIMITED error when the client has used up its requests, as over HTTP."""
        limiter = self._rate_limiter
        if limiter is None:
            return None
        retry_after = await limiter.acquire(client)
        if not retry_after:
            return None
        error = limiter.exceeded(retry_after).error()
        count_errors([error])
        return error

    def client(self, websocket: WebSocket, identity: Identity) -> str:
        """The key the subscription limit counts by."""
        header = self._client_ip_header
        forwarded = websocket.headers.get(header) if header else None
        peer = websocket.client.host if websocket.client else None
        return client_key(identity.subject, peer, forwarded)


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin", "")
    host = websocket.headers.get("host", "")
    return bool(host) and origin.split("://", 1)[-1] == host


def _as_preflighted(websocket: WebSocket, csrf_header: str) -> Request:
    scope = dict(websocket.scope, type="http")
    scope["headers"] = [*websocket.scope["headers"], (csrf_header.lower().encode(), b"1")]
    return Request(scope)


class Connection:
    """One client socket: its handshake, its subscriptions by id, its pings."""

    def __init__(self, websocket: WebSocket, endpoint: GraphQLWebSocket) -> None:
        self._socket = websocket
        self._endpoint = endpoint
        self._service = endpoint.service
        self._send_lock = asyncio.Lock()
        self._operations: dict[str, asyncio.Task[None]] = {}
        self._identity: Identity | None = None
        self._headers: dict[str, str] = {}
        self._client = ""

    async def serve(self) -> None:
        """Read messages until the socket closes; every subscription ends with it."""
        keepalive = asyncio.create_task(self._ping())
        try:
            await self._handle(await self._first())
            while True:
                await self._handle(await self._receive())
        except _Closed as closed:
            await self._close(closed.code, str(closed))
        except WebSocketDisconnect:
            pass
        finally:
            keepalive.cancel()
            for task in self._operations.values():
                task.cancel()
            await asyncio.gather(keepalive, *self._operations.values(), return_exceptions=True)

    async def _first(self) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._service.settings.connection_init_timeout_seconds):
                return await self._receive()
        except TimeoutError:
            raise _Closed(INIT_TIMEOUT, "Connection initialisation timeout") from None

    async def _receive(self) -> dict[str, Any]:
        message = await self._socket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text") or message.get("bytes") or b""
        try:
            decoded = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _Closed(BAD_MESSAGE, "Invalid message received: not JSON") from None
        if not isinstance(decoded, dict) or not isinstance(decoded.get("type"), str):
            raise _Closed(BAD_MESSAGE, "Invalid message received: no type")
        return decoded

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            return
        elif kind == "subscribe":
            self._subscribe(message)
        elif kind == "complete":
            task = self._operations.pop(str(message.get("id")), None)
            if task is not None:
                # Ended before the next message is read: its slot is free for the next one.
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        else:
            raise _Closed(BAD_MESSAGE, f"Invalid message received: unknown type {kind!r}")

    async def _init(self, payload: Any) -> None:
        if self._identity is not None:
            raise _Closed(TOO_MANY_INITS, "Too many initialisation requests")
        if payload is not None and not isinstance(payload, dict):
            raise _Closed(BAD_MESSAGE, "Invalid connection_init payload")
        try:
            verdict = await self._endpoint.identify(self._socket, payload or {})
        except CsrfRefused as exc:
            raise _Closed(FORBIDDEN, f"Forbidden: {exc}") from exc
        if isinstance(verdict, Refused):
            raise _Closed(FORBIDDEN, f"Forbidden: {verdict.message}")
        self._identity, self._headers = verdict.identity, verdict.forwarded
        self._client = self._endpoint.client(self._socket, verdict.identity)
        await self._send({"type": "connection_ack"})

    def _subscribe(self, message: dict[str, Any]) -> None:
        if self._identity is None:
            raise _Closed(UNAUTHORIZED, "Unauthorized")
        operation_id, payload = message.get("id"), message.get("payload")
        if not isinstance(operation_id, str) or not isinstance(payload, dict):
            raise _Closed(BAD_MESSAGE, "Invalid message received: subscribe needs id, payload")
        if operation_id in self._operations:
            raise _Closed(DUPLICATE_ID, f"Subscriber for {operation_id} already exists")
        request = GraphQLRequest(
            payload.get("query"),
            payload.get("operationName"),
            payload.get("variables"),
            payload.get("extensions"),
        )
        task = asyncio.create_task(self._run(operation_id, request, self._identity))
        self._operations[operation_id] = task

    async def _run(self, operation_id: str, request: GraphQLRequest, identity: Identity) -> None:
        service = self._service
        limited = await self._endpoint.rate_limited(self._client)
        if limited is not None:
            await self._finish(operation_id, {"type": "error", "payload": [limited]})
            return
        try:
            subscription = await service.admit(request, identity)
            service.acquire(self._client)
        except GatewayRequestError as exc:
            await self._finish(operation_id, {"type": "error", "payload": exc.response.errors})
            return
        except LimitExceeded as exc:
            error = {
                "message": str(exc),
                "extensions": {"code": ErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED},
            }
            await self._finish(operation_id, {"type": "error", "payload": [error]})
            return
        try:
            results = service.results(subscription, self._headers)
            async with contextlib.aclosing(results):
                async for result in results:
                    if not result.has_data:
                        await self._finish(
                            operation_id, {"type": "error", "payload": result.errors}
                        )
                        return
                    await self._send(
                        {"id": operation_id, "type": "next", "payload": result.to_dict()}
                    )
            await self._finish(operation_id, {"type": "complete"})
        finally:
            service.release(self._client)

    async def _finish(self, operation_id: str, message: dict[str, Any]) -> None:
        if self._operations.pop(operation_id, None) is not None:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self._send({"id": operation_id, **message})

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(self._service.settings.heartbeat_seconds)
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self._send({"type": "ping"})

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._socket.send_text(orjson.dumps(message).decode())

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self._socket.close(code, reason)
