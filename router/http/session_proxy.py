"""Sessions through the router: `/sessions/<id>/...` proxied over HTTP and WebSocket.

As Renku's gateway does, the router lets only a session's owner in (bearer token or login
cookie) and adds the session server's own secret, which never leaves the platform. It learns
where a session answers from the sessions subgraph (`GET /internal/sessions/<id>`, asked with
the caller's token), so the owner check is the subgraph's; answers are cached for two seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import httpx
import websockets
from cachetools import TTLCache
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect

from renku_fed.identity.bearer import Refused as TokenRefused
from renku_fed.identity.bearer import authenticate
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.router.auth import BrowserLogin, CsrfRefused

log = logging.getLogger("router.sessions")
PATH = "/sessions/{session_id}/{path:path}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Hop-by-hop headers (RFC 9110, 7.6.1) and what the router itself answers for.
_DROPPED = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "authorization", "content-length",
}  # fmt: skip


class SessionProxySettings(BaseSettings):
    """How the router reaches sessions (env prefix `RENKU_FED_ROUTER_SESSION_PROXY_`)."""

    model_config = SettingsConfigDict(env_prefix="RENKU_FED_ROUTER_SESSION_PROXY_", extra="ignore")

    secret: SecretStr | None = Field(
        default=None,
        description="Sent to the sessions subgraph when asking where a session runs; the same "
        "value as its RENKU_FED_SESSIONS_PROXY_SECRET.",
    )
    timeout_seconds: float = Field(
        default=300.0, gt=0, description="Longest one proxied HTTP request may take."
    )
    websocket_open_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest the session's server may take to accept a WebSocket; Jupyter "
        "accepts a kernel's only once the kernel answers, which can take long on a busy host.",
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where a session answers and the secret its server wants."""

    upstream: str
    secret: str


class Refused(Exception):
    """The caller may not reach the session; `status` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SessionProxy:
    """The `/sessions/<id>/` routes of the router."""

    def __init__(
        self,
        verifier: TokenVerifier,
        login: BrowserLogin | None,
        sessions_url: Callable[[], str | None],
        csrf_header: str | None = None,
        login_cookie: str | None = None,
        settings: SessionProxySettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._verifier = verifier
        self._login = login
        self._sessions_url = sessions_url
        self._csrf_header = csrf_header
        self._login_cookie = login_cookie
        self._settings = settings or SessionProxySettings()
        self._lookups = httpx.AsyncClient(transport=transport, timeout=10.0)
        self._upstream = httpx.AsyncClient(timeout=self._settings.timeout_seconds)
        self._targets: TTLCache[tuple[str, str], Target] = TTLCache(maxsize=4096, ttl=2.0)

    @property
    def routes(self) -> list[BaseRoute]:
        """The HTTP and WebSocket routes."""
        return [
            Route(PATH, self.http, methods=METHODS),
            WebSocketRoute(PATH, self.websocket),
        ]

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        await self._lookups.aclose()
        await self._upstream.aclose()

    async def _cookie_token(
        self, login: BrowserLogin, connection: HTTPConnection, safe: bool
    ) -> str | None:
        if (safe or _same_origin(connection)) and self._csrf_header:
            # Navigations and WebSockets (whose Origin is checked) cannot carry a CSRF
            # header; they change nothing a cross-site page could abuse, as Apollo's rule says.
            # JupyterLab's own changes (POST, PUT, DELETE) carry no such header, but a browser
            # sends the page's Origin with each of them, which a cross-site page cannot forge.
            scope = dict(connection.scope)
            scope["headers"] = [*scope["headers"], (self._csrf_header.lower().encode(), b"1")]
            connection = HTTPConnection(scope)
        return await login.bearer_token(connection)  # type: ignore[arg-type]

    async def _target(self, connection: HTTPConnection, safe: bool) -> Target:
        # Another scheme (JupyterLab's `token ...`) is the session server's business, not a
        # sign-in: the cookie decides then, and the header is replaced before forwarding.
        login = self._login
        cookie = (lambda: self._cookie_token(login, connection, safe)) if login else None
        try:
            verdict = await authenticate(
                self._verifier, connection.headers.get("authorization"), cookie, other_schemes=True
            )
        except CsrfRefused as exc:
            raise Refused(403, str(exc)) from exc
        if isinstance(verdict, TokenRefused):
            raise Refused(verdict.code.status, verdict.message) from verdict.error
        token = verdict.token
        if token is None:
            raise Refused(401, "Sign in to open this session.")
        session_id = connection.path_params["session_id"]
        key = (session_id, hashlib.sha256(token.encode()).hexdigest())
        cached = self._targets.get(key)
        if cached is not None:
            return cached
        target = await self._ask(session_id, token)
        self._targets[key] = target
        return target

    async def _ask(self, session_id: str, token: str) -> Target:
        base = self._sessions_url()
        if base is None:
            raise Refused(503, "The router knows no sessions service.")
        headers = {"Authorization": f"Bearer {token}"}
        if self._settings.secret is not None:
            headers["X-Renku-Proxy-Secret"] = self._settings.secret.get_secret_value()
        try:
            answer = await self._lookups.get(
                f"{base}/internal/sessions/{session_id}", headers=headers
            )
        except httpx.HTTPError as exc:
            raise Refused(503, "The sessions service cannot be reached; retry later.") from exc
        if answer.status_code in (403, 404):
            raise Refused(answer.status_code, answer.json().get("error", "No such session."))
        if answer.status_code != 200:
            raise Refused(503, "The sessions service could not say where the session runs.")
        body = answer.json()
        return Target(upstream=str(body["upstream"]), secret=str(body["secret"]))

    async def http(self, request: Request) -> Response:
        """Forward one HTTP request to the session's server and stream its answer back."""
        try:
            target = await self._target(request, request.method in SAFE_METHODS)
        except Refused as refused:
            return self._refusal(request, refused)
        headers = self._forwarded_headers(request, target)
        url = target.upstream + request.url.path
        upstream = self._upstream.build_request(
            request.method,
            url,
            params=request.url.query,
            headers=headers,
            content=request.stream(),
        )
        try:
            answer = await self._upstream.send(upstream, stream=True)
        except httpx.HTTPError:
            return JSONResponse({"error": "The session's server does not answer."}, 502)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED}
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=kept,
            background=BackgroundTask(answer.aclose),
        )

    def _forwarded_headers(self, connection: HTTPConnection, target: Target) -> dict[str, str]:
        headers = {k: v for k, v in connection.headers.items() if k.lower() not in _DROPPED}
        headers.pop("cookie", None)
        cookies = _without_cookie(connection.headers.get("cookie"), self._login_cookie)
        if cookies:
            headers["cookie"] = cookies
        headers["authorization"] = f"token {target.secret}"
        headers["host"] = urlsplit(target.upstream).netloc
        headers.pop("origin", None)
        return headers

    def _refusal(self, request: Request, refused: Refused) -> Response:
        wants_page = "text/html" in request.headers.get("accept", "")
        if refused.status == 401 and wants_page and self._login is not None:
            return RedirectResponse(f"/auth/login?redirect={request.url.path}", 302)
        return JSONResponse({"error": str(refused)}, refused.status)

    async def websocket(self, socket: WebSocket) -> None:
        """Join the client's WebSocket to one on the session's server (Jupyter kernels)."""
        origin = socket.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != socket.headers.get("host"):
            await socket.close(code=1008, reason="cross-site WebSocket")
            return
        try:
            target = await self._target(socket, safe=True)
        except Refused as refused:
            await socket.close(code=1008, reason=str(refused)[:120])
            return
        url = "ws" + target.upstream.removeprefix("http") + socket.url.path
        if socket.url.query:
            url += "?" + socket.url.query
        offered = socket.headers.get("sec-websocket-protocol")
        protocols = [p.strip() for p in offered.split(",")] if offered else None
        try:
            upstream = await connect(
                url,
                additional_headers={"Authorization": f"token {target.secret}"},
                subprotocols=protocols,  # type: ignore[arg-type]
                max_size=None,
                open_timeout=self._settings.websocket_open_seconds,
            )
        except (OSError, websockets.WebSocketException):
            await socket.close(code=1011, reason="The session's server does not answer.")
            return
        await socket.accept(subprotocol=upstream.subprotocol)
        await _pump(socket, upstream)


def _same_origin(connection: HTTPConnection) -> bool:
    origin = connection.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == connection.headers.get("host")


async def _pump(socket: WebSocket, upstream: ClientConnection) -> None:
    async def to_upstream() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                await upstream.send(data if data is not None else message.get("text") or "")

    async def to_client() -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for data in upstream:
                if isinstance(data, bytes):
                    await socket.send_bytes(data)
                else:
                    await socket.send_text(data)

    tasks = [asyncio.create_task(to_upstream()), asyncio.create_task(to_client())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await upstream.close()
        # The browser may have gone first (a closed tab): nothing is left to close then.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await socket.close()


def _without_cookie(header: str | None, name: str | None) -> str:
    """The Cookie header without the router's login cookie (a session must never see it)."""
    if not header:
        return ""
    cookies: SimpleCookie = SimpleCookie()
    with contextlib.suppress(Exception):
        cookies.load(header)
    return "; ".join(f"{k}={m.value}" for k, m in cookies.items() if k != name)
