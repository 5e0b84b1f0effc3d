"""The router's Starlette app: GraphQL over HTTP at /graphql, GraphiQL, and /healthz."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from renku_fed.identity.bearer import Refused, authenticate
from renku_fed.identity.settings import AuthSettings, load_settings
from renku_fed.identity.tokens import Identity, TokenVerifier
from renku_fed.observability.metrics import count_errors, metrics_route, observe_request
from renku_fed.observability.request_id import HEADER as REQUEST_ID_HEADER
from renku_fed.observability.request_id import RequestIdMiddleware
from renku_fed.observability.security_headers import SecurityHeaders
from renku_fed.observability.tracing import TracingMiddleware, configure_tracing
from renku_fed.router.auth import (
    BrowserLogin,
    CsrfRefused,
    SessionEnded,
    SessionStore,
)
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.incremental import IncrementalResponse
from renku_fed.router.gateway import Gateway
from renku_fed.router.http.client_info import client_info_routes
from renku_fed.router.http.graphiql import graphiql_page
from renku_fed.router.http.multipart import accepts_multipart, multipart_response
from renku_fed.router.http.readiness import readiness_route
from renku_fed.router.http.session_proxy import SessionProxy
from renku_fed.router.http.static import web_routes
from renku_fed.router.http.supergraph_source import Closer, load_supergraph, watching
from renku_fed.router.limits import RateLimiter, client_key
from renku_fed.router.redis_stores import (
    RedisBucketStore,
    RedisSessionStore,
    StoreUnavailable,
    redis_client,
)
from renku_fed.router.request import GraphQLRequest, GraphQLResponse
from renku_fed.router.settings import RouterSettings, log_deprecations
from renku_fed.router.streaming import execute_incremental
from renku_fed.router.subscriptions.multipart import (
    accepts_multipart_subscription,
    multipart_subscription,
)
from renku_fed.router.subscriptions.service import SubscriptionService
from renku_fed.router.subscriptions.websocket import GraphQLWebSocket
from renku_fed.router.supergraph import Supergraph

log = logging.getLogger("router.http")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def create_router_app(
    settings: RouterSettings,
    supergraph: Supergraph | None = None,
    verifier: TokenVerifier | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    auth_settings: AuthSettings | None = None,
    session_store: SessionStore | None = None,
    rate_limiter: RateLimiter | None = None,
) -> Starlette:
    """The router as an ASGI app; the supergraph is loaded or composed in the lifespan.

    `transport` replaces the network for subgraph calls (and SDL fetches), for tests;
    `session_store` replaces the browser sessions' store named by the login settings;
    `rate_limiter` replaces the one the limit settings describe (its clock, its store).
    """
    auth = auth_settings or (verifier.settings if verifier else load_settings(AuthSettings))
    verifier = verifier or TokenVerifier(auth)
    redis = redis_client(settings)
    prefix = settings.redis_key_prefix
    if session_store is None and redis is not None and settings.login.store == "redis":
        session_store = RedisSessionStore(redis, f"{prefix}sessions:")
    login = (
        BrowserLogin(settings.login, auth, verifier, store=session_store)
        if settings.login.enabled
        else None
    )
    limits = settings.limits
    if rate_limiter is None and limits.rate_per_second:
        buckets = (
            RedisBucketStore(redis, f"{prefix}rate:")
            if redis is not None and limits.rate_store == "redis"
            else None
        )
        rate_limiter = RateLimiter(limits.rate_per_second, limits.rate_burst, buckets)
    endpoint = GraphQLEndpoint(settings, verifier, login, rate_limiter)
    subscriptions = SubscriptionService(
        settings.subscriptions, lambda: endpoint.gateway, settings.subgraph_timeout_seconds
    )
    csrf_header = settings.login.csrf_headers[0] if settings.login.csrf_headers else None
    websocket = GraphQLWebSocket(
        subscriptions, verifier, login, csrf_header, settings.limits.client_ip_header, rate_limiter
    )
    if settings.subscriptions.enabled:
        endpoint.subscriptions = subscriptions

    def sessions_url() -> str | None:
        gateway = endpoint.gateway
        info = gateway.supergraph.subgraphs.get("sessions") if gateway else None
        return info.url.removesuffix("/graphql") if info else None

    csrf = settings.login.csrf_headers[0] if settings.login.csrf_headers else None
    proxy = SessionProxy(
        verifier, login, sessions_url, csrf, settings.login.cookie_name, transport=transport
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log_deprecations(settings)
        loaded = supergraph or await load_supergraph(settings, transport)
        gateway = Gateway(loaded, settings, transport)
        endpoint.gateway = gateway
        app.state.gateway = gateway
        log.info(
            "router ready",
            extra={"supergraph": loaded.version, "subgraphs": sorted(loaded.subgraphs)},
        )

        def swap(new: Supergraph) -> Closer:
            old = endpoint.gateway or gateway
            endpoint.gateway = app.state.gateway = Gateway(new, settings, transport)
            return old.aclose

        try:
            async with watching(settings, loaded, swap):
                yield
        finally:
            await (endpoint.gateway or gateway).aclose()
            await subscriptions.aclose()
            await proxy.aclose()
            if login is not None:
                await login.aclose()
            if redis is not None:
                await redis.aclose()

    configure_tracing("router")
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(TracingMiddleware),
        Middleware(SecurityHeaders),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "accept",
                    REQUEST_ID_HEADER,
                    *settings.login.csrf_headers,
                ],
                expose_headers=[REQUEST_ID_HEADER],
                max_age=600,
            )
        )
    return Starlette(
        middleware=middleware,
        routes=[
            Route("/graphql", endpoint.post, methods=["POST"]),
            Route("/graphql", endpoint.get, methods=["GET"]),
            *(
                [WebSocketRoute("/graphql", websocket.serve)]
                if settings.subscriptions.enabled
                else []
            ),
            Route("/healthz", endpoint.healthz, methods=["GET"]),
            metrics_route(),
            readiness_route(
                lambda: endpoint.gateway.supergraph if endpoint.gateway else None, transport
            ),
            *client_info_routes(
                lambda: endpoint.gateway.supergraph if endpoint.gateway else None, auth.issuer
            ),
            *(login.routes if login is not None else []),
            *proxy.routes,
            *web_routes(),
        ],
        exception_handlers={StoreUnavailable: _store_unavailable},
        lifespan=lifespan,
    )


class GraphQLEndpoint:
    """The request handlers; everything that depends only on settings is fixed in `__init__`."""

    def __init__(
        self,
        settings: RouterSettings,
        verifier: TokenVerifier,
        login: BrowserLogin | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._verifier = verifier
        self._login = login
        self._rate_limiter = rate_limiter
        self._client_ip_header = settings.limits.client_ip_header
        self.gateway: Gateway | None = None
        self.subscriptions: SubscriptionService | None = None

    async def post(self, request: Request) -> Response:
        """Execute a GraphQL request sent as a JSON body."""
        started = time.perf_counter()
        body = await self._read_body(request)
        if isinstance(body, _Rejection):
            return self._reject(request, body, started)
        return await self._handle(request, body, started, read_only=False)

    async def get(self, request: Request) -> Response:
        """Execute a query from the URL, or serve GraphiQL to a browser."""
        started = time.perf_counter()
        params = request.query_params
        if (
            "query" not in params
            and self._settings.graphiql
            and "text/html" in request.headers.get("accept", "")
        ):
            return graphiql_page()
        body: dict[str, Any] = {"query": params.get("query"), "operationName": None}
        if "operationName" in params:
            body["operationName"] = params["operationName"]
        for name in ("variables", "extensions"):
            if name in params:
                try:
                    body[name] = orjson.loads(params[name])
                except orjson.JSONDecodeError:
                    rejection = _Rejection(f"The `{name}` parameter is not valid JSON.")
                    return self._reject(request, rejection, started)
        return await self._handle(request, body, started, read_only=True)

    async def _read_body(self, request: Request) -> dict[str, Any] | _Rejection:
        content_type = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
        if content_type not in (JSON, GRAPHQL_RESPONSE_JSON):
            return _Rejection(f"Send the GraphQL request as {JSON}, not {content_type}.", 415)
        limit = self._settings.max_request_bytes
        too_large = _Rejection(
            f"The request body is larger than max_request_bytes ({limit} bytes).", 413
        )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return too_large
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > limit:
                return too_large
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return _Rejection(f"The request body is not valid JSON: {exc}.")
        if not isinstance(body, dict):
            return _Rejection("The request body must be a JSON object with a `query`.")
        return body

    def _reject(self, request: Request, rejection: _Rejection, started: float) -> Response:
        self._log(None, request.method, rejection.status, started, 1)
        return _error(rejection.message, ErrorCode.BAD_REQUEST, rejection.status)

    async def healthz(self, request: Request) -> Response:
        """The router's own health: its supergraph version and the subgraphs it routes to."""
        gateway = self.gateway
        if gateway is None:
            return _json({"status": "starting"}, 503)
        supergraph = gateway.supergraph
        subgraphs = {name: info.url for name, info in supergraph.subgraphs.items()}
        return _json({"status": "ok", "supergraph": supergraph.version, "subgraphs": subgraphs})

    async def _handle(
        self, request: Request, body: dict[str, Any], started: float, *, read_only: bool
    ) -> Response:
        malformed = _malformed(body)
        if malformed is not None:
            return self._reject(request, _Rejection(malformed), started)
        login = self._login
        # The cookie only without an Authorization header: a bearer token needs no CSRF check.
        cookie = (lambda: login.bearer_token(request)) if login is not None else None
        try:
            verdict = await authenticate(
                self._verifier, request.headers.get("authorization"), cookie
            )
        except CsrfRefused as exc:
            return self._reject(request, _Rejection(str(exc)), started)
        if isinstance(verdict, Refused):
            return self._refused(request, body, verdict, started)
        identity, headers = verdict.identity, verdict.forwarded
        limited = await self._rate_limited(request, identity)
        if limited is not None:
            self._log(body.get("operationName"), request.method, 429, started, 1)
            return limited
        gateway = self.gateway
        if gateway is None:
            return _error(
                "The router is still starting; retry in a moment.", ErrorCode.SERVICE_UNAVAILABLE
            )
        graphql_request = GraphQLRequest(
            body.get("query"),
            body.get("operationName"),
            body.get("variables"),
            body.get("extensions"),
        )
        accept = request.headers.get("accept", "")
        if self.subscriptions is not None and accepts_multipart_subscription(accept):
            client = self._client_key(request, identity)
            streamed = await multipart_subscription(
                self.subscriptions, graphql_request, identity, headers, client
            )
            self._log(body.get("operationName"), request.method, streamed.status_code, started, 0)
            return streamed
        execute = (
            partial(execute_incremental, gateway) if accepts_multipart(accept) else gateway.execute
        )
        result = await execute(graphql_request, headers, read_only=read_only, identity=identity)
        if isinstance(result, IncrementalResponse):
            return self._streamed(result, body, request.method, started)
        graphql_json = GRAPHQL_RESPONSE_JSON in accept
        status = result.status if graphql_json else _json_status(result)
        extra = {"Allow": "POST"} if status == 405 else None
        operation = result.operation_name or body.get("operationName")
        if result.errors:
            count_errors(result.errors)
        self._log(operation, request.method, status, started, len(result.errors))
        return _json(
            result.to_dict(),
            status,
            media_type=GRAPHQL_RESPONSE_JSON if graphql_json else JSON,
            headers=extra,
        )

    def _refused(
        self, request: Request, body: dict[str, Any], refused: Refused, started: float
    ) -> Response:
        """The answer to a refused token: 503 when the issuer is unreachable (a 401 would send
        the client to a login that fails), else 401, dropping a login cookie whose session ended."""
        code = ErrorCode[refused.code.name]
        self._log(body.get("operationName"), request.method, code.status, started, 1)
        if code is not ErrorCode.UNAUTHENTICATED:
            return _error(refused.message, code)
        response = _error(
            refused.message, code, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
        if isinstance(refused.error, SessionEnded) and self._login is not None:
            self._login.forget_cookie(response)
        return response

    def _streamed(
        self, result: IncrementalResponse, body: dict[str, Any], method: str, started: float
    ) -> Response:
        """A deferred operation's parts as a multipart stream, logged once it has ended."""
        operation = result.initial.operation_name or body.get("operationName")

        def done(errors: list[dict[str, Any]]) -> None:
            if errors:
                count_errors(errors)
            self._log(operation, method, 200, started, len(errors))

        return multipart_response(result, done)

    async def _rate_limited(self, request: Request, identity: Identity) -> Response | None:
        limiter = self._rate_limiter
        if limiter is None:
            return None
        retry_after = await limiter.acquire(self._client_key(request, identity))
        if not retry_after:
            return None
        error = limiter.exceeded(retry_after).error()
        count_errors([error])
        status = ErrorCode.RATE_LIMITED.status
        return _json({"errors": [error]}, status, headers={"Retry-After": str(retry_after)})

    def _client_key(self, request: Request, identity: Identity) -> str:
        forwarded = request.headers.get(self._client_ip_header) if self._client_ip_header else None
        peer = request.client.host if request.client else None
        return client_key(identity.subject, peer, forwarded)

    @staticmethod
    def _log(operation: Any, method: str, status: int, started: float, errors: int) -> None:
        seconds = time.perf_counter() - started
        observe_request(operation, status, seconds)
        log.info(
            "graphql request",
            extra={
                "operation": operation if isinstance(operation, str) else None,
                "method": method,
                "status": status,
                "errors": errors,
                "duration_ms": round(seconds * 1000, 2),
            },
        )


@dataclass(frozen=True, slots=True)
class _Rejection:
    """A request refused before it reaches the gateway."""

    message: str
    status: int = 400


def _json_status(result: GraphQLResponse) -> int:
    # Under application/json the GraphQL-over-HTTP spec keeps 200 for well-formed requests
    # whose document fails to parse or validate; only a malformed request gets a 4xx.
    if result.status == 400 and not any(
        (e.get("extensions") or {}).get("code") == ErrorCode.BAD_REQUEST for e in result.errors
    ):
        return 200
    return result.status


def _malformed(body: dict[str, Any]) -> str | None:
    if not isinstance(body.get("query"), str | None):
        return "`query` must be a string."
    if not isinstance(body.get("operationName"), str | None):
        return "`operationName` must be a string or null."
    if not isinstance(body.get("variables"), dict | None):
        return "`variables` must be a JSON object or null."
    if not isinstance(body.get("extensions"), dict | None):
        return "`extensions` must be a JSON object or null."
    return None


async def _store_unavailable(_: Request, exc: Exception) -> Response:
    return _error(str(exc), ErrorCode.SESSION_STORE_UNAVAILABLE)


def _error(
    message: str,
    code: ErrorCode,
    status: int | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    response = GraphQLResponse.request_error(message, code, status)
    count_errors(response.errors)
    return _json(response.to_dict(), response.status, headers=headers)


def _json(
    body: Any,
    status: int = 200,
    *,
    media_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=media_type, headers=headers)
