"""Sends GraphQL operations over HTTP: the token, refresh, retries for queries, typed errors."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx

from renku_fed.sdk import streaming
from renku_fed.sdk.credentials import Connection, Credentials, save_credentials
from renku_fed.sdk.errors import (
    LOGIN_HINT,
    ErrorDetail,
    RenkuError,
    ServerError,
    Unauthenticated,
    error_for,
)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 30.0
_COMMENT = re.compile(r"#[^\n]*")
_OPERATION = re.compile(r"\b(query|mutation|subscription)\s*(\w*)")


def is_mutation(document: str, operation_name: str | None = None) -> bool:
    """Whether the operation to run is a mutation (never retried)."""
    text = _COMMENT.sub("", document)
    for kind, name in _OPERATION.findall(text):
        if operation_name is None or name == operation_name:
            return bool(kind == "mutation")
    return False


def backoff(attempt: int, response: httpx.Response | None, base: float) -> float:
    """Seconds before retry `attempt` (1, 2, ...): Retry-After when given, else exponential."""
    header = response.headers.get("retry-after") if response is not None else None
    if header is not None:
        try:
            return min(float(header), MAX_RETRY_AFTER_SECONDS)
        except ValueError:
            pass
    return float(base * 2 ** (attempt - 1))


def interpret(response: httpx.Response) -> dict[str, Any]:
    """The `data` of a GraphQL response, or the typed exception for its errors."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ServerError(f"HTTP {response.status_code} from {response.url}, not a GraphQL answer")
    errors = [ErrorDetail.from_graphql(e) for e in body.get("errors") or []]
    if errors:
        retry_after = response.headers.get("retry-after")
        raise error_for(errors, float(retry_after) if retry_after else None)
    if response.status_code >= 400 or not isinstance(body.get("data"), dict):
        raise ServerError(f"HTTP {response.status_code} from {response.url} without data")
    return dict(body["data"])


class _Auth:
    """The bearer token to send, refreshed from the credentials file's refresh token."""

    def __init__(self, connection: Connection) -> None:
        self.token = connection.token
        self.credentials = connection.credentials

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"} if self.token else {}

    def refresh_request(self) -> tuple[str, dict[str, str]] | None:
        creds = self.credentials
        if creds is None or not creds.expired():
            return None
        if not creds.refresh_token:
            raise Unauthenticated(f"Your login has expired: {LOGIN_HINT}.")
        form = {
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "refresh_token": creds.refresh_token,
        }
        return creds.token_endpoint, form

    def refreshed(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise Unauthenticated(f"Your login could not be renewed: {LOGIN_HINT}.")
        body = response.json()
        assert self.credentials is not None
        renewed: Credentials = self.credentials.renewed(
            body["access_token"], body.get("refresh_token"), float(body.get("expires_in", 300))
        )
        save_credentials(renewed)
        self.credentials, self.token = renewed, renewed.access_token


class SyncTransport:
    """Runs operations with httpx's blocking client."""

    def __init__(
        self,
        connection: Connection,
        *,
        timeout: float,
        retries: int,
        backoff_base: float,
        http: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = connection.url
        self._auth = _Auth(connection)
        self._http = httpx.Client(timeout=timeout, transport=http)
        self._retries, self._base = retries, backoff_base

    def execute(
        self, document: str, variables: Mapping[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """Run one operation; retry transient failures when it is a query."""
        attempts = 1 if is_mutation(document, operation_name) else 1 + self._retries
        body = {"query": document, "variables": dict(variables or {})}
        if operation_name:
            body["operationName"] = operation_name
        for attempt in range(1, attempts + 1):
            refresh = self._auth.refresh_request()
            if refresh is not None:
                self._auth.refreshed(self._http.post(refresh[0], data=refresh[1]))
            try:
                response = self._http.post(
                    f"{self.url}/graphql", json=body, headers=self._auth.headers()
                )
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise ServerError(f"cannot reach {self.url}: {exc}") from exc
                time.sleep(backoff(attempt, None, self._base))
                continue
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                time.sleep(backoff(attempt, response, self._base))
                continue
            return interpret(response)
        raise RenkuError("unreachable")  # pragma: no cover

    def subscribe(
        self, document: str, variables: Mapping[str, Any]
    ) -> Iterator[dict[str, Any] | None]:
        """Each event's data (None for a heartbeat); nothing when the router does not stream."""
        refresh = self._auth.refresh_request()
        if refresh is not None:
            self._auth.refreshed(self._http.post(refresh[0], data=refresh[1]))
        body = {"query": document, "variables": dict(variables)}
        try:
            yield from streaming.stream(
                self._http, f"{self.url}/graphql", self._auth.headers(), body
            )
        except httpx.TransportError:
            return

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


class AsyncTransport:
    """Runs operations with httpx's asyncio client."""

    def __init__(
        self,
        connection: Connection,
        *,
        timeout: float,
        retries: int,
        backoff_base: float,
        http: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = connection.url
        self._auth = _Auth(connection)
        self._http = httpx.AsyncClient(timeout=timeout, transport=http)
        self._retries, self._base = retries, backoff_base

    async def execute(
        self, document: str, variables: Mapping[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """Run one operation; retry transient failures when it is a query."""
        attempts = 1 if is_mutation(document, operation_name) else 1 + self._retries
        body = {"query": document, "variables": dict(variables or {})}
        if operation_name:
            body["operationName"] = operation_name
        for attempt in range(1, attempts + 1):
            refresh = self._auth.refresh_request()
            if refresh is not None:
                self._auth.refreshed(await self._http.post(refresh[0], data=refresh[1]))
            try:
                response = await self._http.post(
                    f"{self.url}/graphql", json=body, headers=self._auth.headers()
                )
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise ServerError(f"cannot reach {self.url}: {exc}") from exc
                await asyncio.sleep(backoff(attempt, None, self._base))
                continue
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                await asyncio.sleep(backoff(attempt, response, self._base))
                continue
            return interpret(response)
        raise RenkuError("unreachable")  # pragma: no cover

    async def subscribe(
        self, document: str, variables: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any] | None]:
        """Each event's data (None for a heartbeat); nothing when the router does not stream."""
        refresh = self._auth.refresh_request()
        if refresh is not None:
            self._auth.refreshed(await self._http.post(refresh[0], data=refresh[1]))
        body = {"query": document, "variables": dict(variables)}
        events = streaming.astream(self._http, f"{self.url}/graphql", self._auth.headers(), body)
        try:
            async for data in events:
                yield data
        except httpx.TransportError:
            return

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
