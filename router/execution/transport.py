"""The HTTP client that sends subgraph operations: pooled connections, per-subgraph timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.clients import (
    AiohttpClient,
    ClientFailure,
    HttpClient,
    HttpxClient,
)

_REQUEST_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json",
}


@dataclass(frozen=True, slots=True)
class SubgraphResponse:
    """The `data` and `errors` a subgraph answered."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]


class SubgraphRequestError(Exception):
    """A subgraph call that produced no GraphQL response; `code` names the failure kind."""

    def __init__(self, service: str, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.service = service
        self.code = code
        self.message = message


class SubgraphTransport:
    """Sends GraphQL requests to subgraphs over pooled keep-alive connections."""

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        timeout_seconds: float,
        timeouts: Mapping[str, float] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._urls = dict(urls)
        overrides = timeouts or {}
        unknown = sorted(set(overrides) - set(self._urls))
        if unknown:
            raise ValueError(
                f"subgraph_timeouts names no subgraph of the supergraph: {', '.join(unknown)} "
                f"(its subgraphs: {', '.join(sorted(self._urls))})."
            )
        self._timeouts = {name: overrides.get(name, timeout_seconds) for name in self._urls}
        # aiohttp, not httpx, on the network: measured on one core at 50 concurrent calls, 5,364
        # against 103 requests/s (httpx's pool bookkeeping grows with its open connections).
        self._client: HttpClient = AiohttpClient() if transport is None else HttpxClient(transport)

    async def send(self, service: str, body: bytes, headers: Mapping[str, str]) -> SubgraphResponse:
        """POST the JSON `body` to the subgraph; SubgraphRequestError when no GraphQL answer."""
        url = self._urls.get(service)
        if url is None:
            raise SubgraphRequestError(
                service, ErrorCode.SUBGRAPH_UNKNOWN, f'No URL is known for subgraph "{service}".'
            )
        seconds = self._timeouts[service]
        try:
            async with asyncio.timeout(seconds):
                status, content = await self._client.post(
                    url, body, {**_REQUEST_HEADERS, **headers}
                )
        except TimeoutError as exc:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_TIMEOUT,
                f'Subgraph "{service}" did not answer within {seconds:g} seconds.',
            ) from exc
        except ClientFailure as exc:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_UNAVAILABLE,
                f'Subgraph "{service}" is unavailable: {exc}.',
            ) from exc
        return _read_response(service, status, content)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


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
