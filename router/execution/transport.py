"""The HTTP client that sends subgraph operations: pooled connections, traffic shaping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from renku_fed.identity.subgraph_secret import configured_secret, secret_headers
from renku_fed.observability.metrics import observe_fetch
from renku_fed.observability.request_id import HEADER as REQUEST_ID_HEADER
from renku_fed.observability.tracing import inject_traceparent, span
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.clients import (
    AiohttpClient,
    ClientFailure,
    HttpClient,
    HttpxClient,
)
from renku_fed.router.execution.shaping import SubgraphGuard
from renku_fed.router.execution.shaping import SubgraphRequestError as SubgraphRequestError
from renku_fed.router.execution.shaping_settings import TrafficShaping

_Answer = asyncio.Future[tuple[int, bytes]]

_REQUEST_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


@dataclass(frozen=True, slots=True)
class SubgraphResponse:
    """The `data` and `errors` a subgraph answered."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]


class SubgraphTransport:
    """Sends GraphQL requests to subgraphs over pooled keep-alive connections."""

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
        deduplicate: bool = False,
        shaping: TrafficShaping | None = None,
    ) -> None:
        self._urls = dict(urls)
        shaping = shaping or TrafficShaping()
        shaping.check_names(self._urls)
        self._guards = {name: SubgraphGuard(name, shaping.for_subgraph(name)) for name in urls}
        # RouterSettings folds every timeout setting into the shaping (`with_timeouts`);
        # `timeout_seconds` serves a shaping that sets none.
        self._timeouts = {
            name: guard.policy.timeout_seconds or timeout_seconds
            for name, guard in self._guards.items()
        }
        # aiohttp, not httpx, on the network: measured on one core at 50 concurrent calls, 5,364
        # against 103 requests/s (httpx's pool bookkeeping grows with its open connections).
        self._client: HttpClient = AiohttpClient() if transport is None else HttpxClient(transport)
        self._deduplicate = deduplicate
        # The router-to-subgraph secret, after the forwarded headers so that none replaces it.
        self._secret_headers = secret_headers(configured_secret())
        self._in_flight: dict[tuple[str, bytes, tuple[tuple[str, str], ...]], _Answer] = {}

    async def send(
        self, service: str, body: bytes, headers: Mapping[str, str], *, query: bool = False
    ) -> SubgraphResponse:
        """POST the JSON `body` to the subgraph; SubgraphRequestError when no GraphQL answer.

        With deduplication on, a `query` identical to one in flight (same subgraph, body and
        headers but the request id) waits for that call's answer instead of sending its own;
        each caller decodes the answer for itself.
        """
        if not (query and self._deduplicate):
            return _read_response(service, *await self._shaped(service, body, headers, query))
        key = (service, body, _identity_headers(headers))
        answer = self._in_flight.get(key)
        if answer is None:
            answer = self._in_flight[key] = asyncio.ensure_future(
                self._shaped(service, body, headers, query)
            )
            answer.add_done_callback(lambda _: self._in_flight.pop(key, None))
        # Shielded: a caller that gives up does not cancel the call the others wait for.
        return _read_response(service, *await asyncio.shield(answer))

    async def _shaped(
        self, service: str, body: bytes, headers: Mapping[str, str], query: bool
    ) -> tuple[int, bytes]:
        """The answer through the subgraph's limit, breaker and (for a query) retries."""
        guard = self._guards.get(service)
        url = self._urls.get(service)
        if guard is None or url is None:
            raise SubgraphRequestError(
                service, ErrorCode.SUBGRAPH_UNKNOWN, f'No URL is known for subgraph "{service}".'
            )
        return await guard.call(lambda: self._post(service, url, body, headers), retry=query)

    async def _post(
        self, service: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        seconds = self._timeouts[service]
        started = time.perf_counter()
        try:
            with span("fetch", subgraph=service):
                sent = {**_REQUEST_HEADERS, **headers, **self._secret_headers}
                inject_traceparent(sent)
                async with asyncio.timeout(seconds):
                    status, content = await self._client.post(url, body, sent)
        except TimeoutError as exc:
            observe_fetch(service, "timeout", started)
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_TIMEOUT,
                f'Subgraph "{service}" did not answer within {seconds:g} seconds.',
            ) from exc
        except ClientFailure as exc:
            observe_fetch(service, "unavailable", started)
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_UNAVAILABLE,
                f'Subgraph "{service}" is unavailable: {exc}.',
            ) from exc
        observe_fetch(service, str(status), started)
        return status, content

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


def _identity_headers(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The headers that can change a subgraph's answer: all but the request id."""
    return tuple(sorted((k, v) for k, v in headers.items() if k != REQUEST_ID_HEADER))


def _read_response(service: str, status: int, content: bytes) -> SubgraphResponse:
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
        if 200 <= status < 300:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_INVALID_RESPONSE,
                f'Subgraph "{service}" answered with something that is not a GraphQL response.',
            )
        raise SubgraphRequestError(
            service,
            ErrorCode.SUBGRAPH_HTTP_ERROR,
            f'Subgraph "{service}" answered with HTTP status {status}.',
        )
    data = payload.get("data")
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        errors = [{"message": f'Subgraph "{service}" sent a malformed `errors` entry.'}]
    return SubgraphResponse(
        data if isinstance(data, dict) else None,
        [e if isinstance(e, dict) else {"message": str(e)} for e in errors],
    )
