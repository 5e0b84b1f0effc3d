"""The ASGI application every subgraph serves: GraphQL with token checks, and a health URL."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import MaskErrors
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from renku_fed.identity.bearer import Refused, authenticate
from renku_fed.identity.middleware import BearerAuth
from renku_fed.identity.subgraph_secret import configured_secret, holds_secret
from renku_fed.identity.tokens import ANONYMOUS, Identity, TokenVerifier
from renku_fed.observability.metrics import SubgraphMetrics, metrics_route
from renku_fed.observability.request_id import RequestIdMiddleware
from renku_fed.observability.security_headers import SecurityHeaders
from renku_fed.observability.tracing import TracingMiddleware, configure_tracing
from renku_fed.subgraphs.common.errors import DomainError
from renku_fed.subgraphs.common.federation_gate import apply_federation_gate
from renku_fed.subgraphs.common.limits import BodySizeLimit, apply_operation_limits

B = TypeVar("B")
log = logging.getLogger(__name__)


@dataclass
class RequestContext(Generic[B]):
    """What a resolver gets as `info.context`: the caller and the subgraph's backend."""

    identity: Identity
    backend: B
    request: Request | WebSocket | None = None
    connection_params: dict[str, Any] | None = None
    """A WebSocket's `connection_init` payload, where its token may come instead of a header."""
    federation: bool = True
    """Whether the caller may use `_entities` and `_service` (`federation_gate.py`)."""


def is_client_error(error: GraphQLError) -> bool:
    """True for errors meant for the client: GraphQL errors with a code, and domain errors."""
    original = error.original_error
    if original is None:
        return True
    if isinstance(original, DomainError):
        return True
    return isinstance(original, GraphQLError) and "code" in (original.extensions or {})


def _should_mask(error: GraphQLError) -> bool:
    if is_client_error(error):
        return False
    log.error("resolver failed", exc_info=error.original_error)
    return True


def mask_errors() -> MaskErrors:
    """An extension that hides unexpected exceptions behind a generic, coded message."""
    return MaskErrors(
        should_mask_error=_should_mask,
        error_message="Internal error in this subgraph; the failure has been logged.",
    )


class _GraphQLApp(GraphQL[RequestContext[Any], None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        backend: object,
        verifier: TokenVerifier,
        secret: str | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self._backend = backend
        self._verifier = verifier
        self._secret = secret

    def decode_json(self, data: str | bytes) -> object:
        # Strawberry reads fields of any JSON value it decodes (`null` raised, a 500), and lets
        # invalid UTF-8 raise: both are a 400 "Unable to parse request body as JSON".
        try:
            decoded = super().decode_json(data)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError("The body is not UTF-8", "", exc.start) from exc
        if not isinstance(decoded, dict):
            raise json.JSONDecodeError("A GraphQL request is a JSON object", "", 0)
        return decoded

    async def get_context(self, request: Any, response: Any) -> RequestContext[Any]:
        identity = request.scope.get("state", {}).get("identity", ANONYMOUS)
        federation = holds_secret(request.headers, self._secret)
        return RequestContext(identity, self._backend, request, federation=federation)

    async def on_ws_connect(self, context: RequestContext[Any]) -> None:
        """Take the caller from `connection_init`'s `Authorization`, when the upgrade had none."""
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if not isinstance(authorization, str) or context.identity.subject is not None:
            return
        verdict = await authenticate(self._verifier, authorization)
        if isinstance(verdict, Refused):
            raise ConnectionRejectionError({"message": verdict.message}) from verdict.error
        context.identity = verdict.identity


def create_subgraph_app(
    *,
    service: str,
    schema: strawberry.Schema,
    backend: object,
    verifier: TokenVerifier,
    routes: Sequence[BaseRoute] = (),
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]] | None = None,
) -> Starlette:
    """A Starlette app serving `schema` at /graphql (subscriptions over graphql-transport-ws),
    within `limits.py`, /healthz and /metrics."""
    apply_operation_limits(schema)
    apply_federation_gate(schema)
    configure_tracing(service)
    secret = configured_secret()
    graphql_app = BodySizeLimit(
        BearerAuth(_GraphQLApp(schema, backend, verifier, secret), verifier)
    )

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": service})

    return Starlette(
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(SubgraphMetrics, service=service),
            Middleware(TracingMiddleware),
            Middleware(SecurityHeaders),
        ],
        routes=[
            Route("/healthz", healthz),
            metrics_route(),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            *routes,
        ],
        lifespan=lifespan,
    )
