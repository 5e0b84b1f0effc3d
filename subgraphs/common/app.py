"""The ASGI application every subgraph serves: GraphQL with token checks, and a health URL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors

from subgraphs.common.errors import DomainError
from subgraphs.common.tokens import (
    ANONYMOUS,
    Identity,
    IssuerUnreachable,
    TokenError,
    TokenVerifier,
    bearer_token,
)

B = TypeVar("B")
log = logging.getLogger(__name__)


@dataclass
class RequestContext(Generic[B]):
    """What a resolver gets as `info.context`: the caller and the subgraph's backend."""

    identity: Identity
    backend: B
    request: Request | None = None


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
    def __init__(self, schema: strawberry.Schema, backend: object) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=False)
        self._backend = backend

    async def get_context(self, request: Any, response: Any) -> RequestContext[Any]:
        identity = request.scope.get("state", {}).get("identity", ANONYMOUS)
        return RequestContext(identity=identity, backend=self._backend, request=request)


class BearerAuth:
    """ASGI wrapper: a valid bearer token becomes the request's identity, a bad one a 401."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier) -> None:
        self._app = app
        self._verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the Authorization header, then hand over to the wrapped app."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        try:
            token = bearer_token(authorization)
            identity = await self._verifier.verify(token) if token else ANONYMOUS
        except IssuerUnreachable as exc:
            await refusal(str(exc), "IDENTITY_PROVIDER_UNAVAILABLE", 503)(scope, receive, send)
            return
        except TokenError as exc:
            await refusal(str(exc), "UNAUTHENTICATED", 401)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        await self._app(scope, receive, send)


def refusal(message: str, code: str, status: int) -> Response:
    """A GraphQL error response refusing the request before any resolver runs."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else {}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def create_subgraph_app(
    *,
    service: str,
    schema: strawberry.Schema,
    backend: object,
    verifier: TokenVerifier,
    routes: Sequence[BaseRoute] = (),
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]] | None = None,
) -> Starlette:
    """A Starlette app serving `schema` at /graphql and health at /healthz."""
    graphql_app = BearerAuth(_GraphQLApp(schema, backend), verifier)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": service})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            *routes,
        ],
        lifespan=lifespan,
    )
