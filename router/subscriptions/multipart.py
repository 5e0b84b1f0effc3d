"""Subscriptions over HTTP multipart, as Apollo's routers and clients speak it.

The client POSTs the subscription with `Accept: multipart/mixed;subscriptionSpec="1.0"`; the
answer is `multipart/mixed;boundary="graphql";subscriptionSpec="1.0"`, one JSON part per event
as `{"payload": <the GraphQL response>}`, a `{}` part as heartbeat every few seconds while
nothing else is sent, and `{"payload": null, "errors": [...]}` when the stream fails.
Apollo documents the protocol as "Multipart HTTP protocol for GraphQL subscriptions".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

from renku_fed.identity.tokens import Identity
from renku_fed.router.errors import ErrorCode
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse
from renku_fed.router.subscriptions.plan import Subscription
from renku_fed.router.subscriptions.service import LimitExceeded, SubscriptionService

MEDIA_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
_PART = b"\r\n--graphql\r\ncontent-type: application/json\r\n\r\n"
_END = b"\r\n--graphql--\r\n"
HEARTBEAT = _PART + b"{}"


def accepts_multipart_subscription(accept: str) -> bool:
    """True when the Accept header asks for Apollo's multipart subscriptions."""
    lowered = accept.lower()
    return "multipart/mixed" in lowered and "subscriptionspec" in lowered


def part(body: Any) -> bytes:
    """One JSON part of the multipart body."""
    return _PART + orjson.dumps(body)


async def multipart_subscription(
    service: SubscriptionService,
    request: GraphQLRequest,
    identity: Identity,
    headers: Mapping[str, str],
    client: str,
) -> Response:
    """The streamed answer to a subscription, or a JSON response refusing it."""
    try:
        subscription = await service.admit(request, identity)
        service.acquire(client)
    except GatewayRequestError as exc:
        return _json(exc.response.to_dict(), exc.response.status)
    except LimitExceeded as exc:
        refused = GraphQLResponse.request_error(str(exc), ErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED)
        return _json(refused.to_dict(), refused.status)
    body = _parts(service, subscription, headers, client)
    return StreamingResponse(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "no-cache"})


async def _parts(
    service: SubscriptionService,
    subscription: Subscription,
    headers: Mapping[str, str],
    client: str,
) -> AsyncGenerator[bytes, None]:
    results = service.results(subscription, headers)
    pending: asyncio.Future[GraphQLResponse] = asyncio.ensure_future(anext(results))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=service.settings.heartbeat_seconds)
            if not done:
                yield HEARTBEAT
                continue
            try:
                result = pending.result()
            except StopAsyncIteration:
                break
            if not result.has_data:
                yield part({"payload": None, "errors": result.errors})
                break
            yield part({"payload": result.to_dict()})
            pending = asyncio.ensure_future(anext(results))
        yield _END
    finally:
        # The client left, or the stream ended: close the subgraph's socket and free the slot.
        pending.cancel()
        with contextlib.suppress(BaseException):
            await pending
        await results.aclose()
        service.release(client)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")
