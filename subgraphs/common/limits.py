"""Limits every subgraph applies on its own: body size, depth, aliases and tokens per request.

A subgraph listens on its own port, so it cannot count on the router's limits: these are wider
than the router's (`router/limits/settings.py`), so that no request the router plans is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql import ValidationContext, ValidationRule
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import create_validator

MAX_BODY_BYTES = 4_000_000
MAX_DEPTH = 24
MAX_ALIASES = 60
MAX_TOKENS = 20_000


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was read."""


def _guarded(rule: type[ValidationRule]) -> type[ValidationRule]:
    """`rule`, skipped on a document it cannot measure (an empty selection, an unknown fragment).

    Strawberry's depth rule assumes a valid document and raises on those; graphql-core's own
    rules, which run beside it, report what is wrong with the document instead.
    """

    class Guarded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            try:
                rule(context)
            except (KeyError, ValueError):
                return

    return Guarded


def _depth_limit() -> SchemaExtension:
    return AddValidationRules([_guarded(create_validator(MAX_DEPTH, None))])


def _alias_limit() -> SchemaExtension:
    return MaxAliasesLimiter(max_alias_count=MAX_ALIASES)


def _token_limit() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


LIMIT_EXTENSIONS: Sequence[Callable[[], SchemaExtension]] = (
    _token_limit,
    _depth_limit,
    _alias_limit,
)


def apply_operation_limits(schema: strawberry.Schema) -> None:
    """Add the depth, alias and token limits to `schema`'s extensions, once."""
    missing = [limit for limit in LIMIT_EXTENSIONS if limit not in schema.extensions]
    schema.extensions = (*schema.extensions, *missing)


class BodySizeLimit:
    """ASGI wrapper answering 413 to a body larger than `limit` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self._app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an oversized body before the app reads it, or as soon as it grows past."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self._limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self._limit:
                raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"The request body is larger than {self._limit} bytes.",
                        "extensions": {"code": "BAD_REQUEST"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)
