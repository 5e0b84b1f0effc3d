"""What both client protocols share: admission through the gateway, the per-client limit, the
subgraph sockets, and each event completed by the rest of the plan."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing

import aiohttp

from renku_fed.identity.subgraph_secret import configured_secret, secret_headers
from renku_fed.identity.tokens import Identity
from renku_fed.observability import metrics
from renku_fed.observability.request_id import HEADER as REQUEST_ID_HEADER
from renku_fed.observability.request_id import current_request_id
from renku_fed.observability.tracing import inject_traceparent, span
from renku_fed.router.errors import ErrorCode
from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GatewayRequestError, GraphQLRequest, GraphQLResponse
from renku_fed.router.streaming import subgraph_errors, subscribe
from renku_fed.router.subscriptions.plan import Subscription
from renku_fed.router.subscriptions.settings import SubscriptionSettings
from renku_fed.router.subscriptions.upstream import (
    SubgraphRefused,
    UpstreamError,
    subgraph_events,
)

log = logging.getLogger(__name__)

RELOADED = "The supergraph changed since this subscription started; subscribe again."


class LimitExceeded(Exception):
    """The client holds as many subscriptions as it may."""


class SubscriptionService:
    """Runs subscriptions for the HTTP and WebSocket endpoints of one router."""

    def __init__(
        self,
        settings: SubscriptionSettings,
        gateway: Callable[[], Gateway | None],
        timeout_seconds: float,
    ) -> None:
        self.settings = settings
        self._gateway = gateway
        self._timeout = timeout_seconds
        self._held: dict[str, int] = {}
        self._session: aiohttp.ClientSession | None = None
        # The router-to-subgraph secret on each upgrade, after the forwarded headers, as the
        # HTTP transport sends it (`router/execution/transport.py`).
        self._secret_headers = secret_headers(configured_secret())

    def held(self, client: str) -> int:
        """How many subscriptions the client holds now."""
        return self._held.get(client, 0)

    def acquire(self, client: str) -> None:
        """Count one more subscription of the client; LimitExceeded past `max_per_client`."""
        if self.held(client) >= self.settings.max_per_client:
            raise LimitExceeded(
                f"You hold {self.settings.max_per_client} subscriptions, as many as one client "
                "may; complete one before you start another."
            )
        self._held[client] = self.held(client) + 1
        metrics.SUBSCRIPTIONS.inc()

    def release(self, client: str) -> None:
        """Count one subscription of the client less."""
        left = self.held(client) - 1
        metrics.SUBSCRIPTIONS.dec()
        if left > 0:
            self._held[client] = left
        else:
            self._held.pop(client, None)

    async def admit(self, request: GraphQLRequest, identity: Identity) -> Subscription:
        """The subscription planned for the caller; GatewayRequestError when refused."""
        gateway = self._gateway()
        if gateway is None:
            raise GatewayRequestError(
                GraphQLResponse.request_error(
                    "The router is still starting; retry in a moment.",
                    ErrorCode.SERVICE_UNAVAILABLE,
                )
            )
        return await subscribe(gateway, request, identity)

    async def results(
        self, subscription: Subscription, headers: Mapping[str, str]
    ) -> AsyncGenerator[GraphQLResponse, None]:
        """The client's response to each event, until the subgraph completes the stream.

        A subgraph that refuses the subscription, cannot be reached or breaks the stream, and a
        new supergraph, end it with one response holding only the errors (`has_data` False).
        Leaving the iterator closes the subgraph's socket.
        """
        gateway = self._gateway()
        info = gateway.supergraph.subgraphs.get(subscription.service) if gateway else None
        if info is None:
            yield _failure(subscription, RELOADED)
            return
        primary = subscription.plan.primary
        payload = {
            "query": primary.operation,
            "operationName": primary.operation_name,
            "variables": subscription.upstream_variables(),
        }
        sent = {**_traced(headers, subscription.service), **self._secret_headers}
        events = subgraph_events(self._client(), info.url, payload, sent, self._timeout)
        try:
            async with aclosing(events):
                async for event in events:
                    if self._gateway() is not gateway:
                        # As Apollo Router does on a schema reload: the plan may no longer hold.
                        yield _failure(subscription, RELOADED)
                        return
                    metrics.SUBSCRIPTION_EVENTS.labels(subscription.service).inc()
                    yield await subscription.complete(event, headers)
        except SubgraphRefused as exc:
            errors = subgraph_errors(gateway, exc.errors, subscription.service) if gateway else []
            yield GraphQLResponse(None, errors, False, 200, subscription.operation_name)
        except UpstreamError as exc:
            log.warning(
                "subgraph subscription failed",
                extra={"service": subscription.service, "error": str(exc)},
            )
            yield _failure(subscription, str(exc), exc.code)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        """Close the connections to the subgraphs."""
        if self._session is not None:
            await self._session.close()


def _traced(headers: Mapping[str, str], service: str) -> dict[str, str]:
    """The subgraph socket's headers with the request id and `traceparent`, as fetches send."""
    sent = dict(headers)
    request_id = current_request_id()
    if request_id is not None:
        sent[REQUEST_ID_HEADER] = request_id
    with span("subscribe", subgraph=service):
        inject_traceparent(sent)
    return sent


def _failure(
    subscription: Subscription, message: str, code: ErrorCode = ErrorCode.SUBGRAPH_UNAVAILABLE
) -> GraphQLResponse:
    error = {"message": message, "extensions": {"code": code, "serviceName": subscription.service}}
    return GraphQLResponse(None, [error], False, 200, subscription.operation_name)
