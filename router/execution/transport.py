"""The HTTP client that sends subgraph operations: pooled connections, per-subgraph timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
import orjson

from renku_fed.router.errors import ErrorCode

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
    """Sends GraphQL requests to subgraphs over one shared keep-alive `httpx.AsyncClient`."""

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
        self._client = httpx.AsyncClient(
            transport=transport,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            # One client serves every caller: a cookie one subgraph sets must never be stored
            # and replayed on another caller's request.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    async def send(
        self, service: str, body: Mapping[str, Any], headers: Mapping[str, str]
    ) -> SubgraphResponse:
        """POST `body` to the subgraph; SubgraphRequestError when no GraphQL answer came back."""
        url = self._urls.get(service)
        if url is None:
            raise SubgraphRequestError(
                service, ErrorCode.SUBGRAPH_UNKNOWN, f'No URL is known for subgraph "{service}".'
            )
        seconds = self._timeouts[service]
        try:
            # httpx times each phase (connect, each read); the outer deadline bounds the whole call.
            async with asyncio.timeout(seconds):
                response = await self._client.post(
                    url,
                    content=orjson.dumps(body),
                    headers={**_REQUEST_HEADERS, **headers},
                    timeout=seconds,
                )
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_TIMEOUT,
                f'Subgraph "{service}" did not answer within {seconds:g} seconds.',
            ) from exc
        except httpx.HTTPError as exc:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_UNAVAILABLE,
                f'Subgraph "{service}" is unavailable: {type(exc).__name__}.',
            ) from exc
        return _read_response(service, response)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


def _read_response(service: str, response: httpx.Response) -> SubgraphResponse:
    try:
        payload = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
        if response.is_success:
            raise SubgraphRequestError(
                service,
                ErrorCode.SUBGRAPH_INVALID_RESPONSE,
                f'Subgraph "{service}" answered with something that is not a GraphQL response.',
            )
        raise SubgraphRequestError(
            service,
            ErrorCode.SUBGRAPH_HTTP_ERROR,
            f'Subgraph "{service}" answered with HTTP status {response.status_code}.',
        )
    data = payload.get("data")
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        errors = [{"message": f'Subgraph "{service}" sent a malformed `errors` entry.'}]
    return SubgraphResponse(
        data if isinstance(data, dict) else None,
        [e if isinstance(e, dict) else {"message": str(e)} for e in errors],
    )
