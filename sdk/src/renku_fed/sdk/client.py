"""`Client` and `AsyncClient`: the platform's API from Python."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from renku_fed.sdk import operations
from renku_fed.sdk.credentials import discover
from renku_fed.sdk.resources.aio import (
    AsyncKnowledgeGraph,
    AsyncProjects,
    AsyncSessions,
    AsyncUsers,
)
from renku_fed.sdk.resources.calls import Call
from renku_fed.sdk.resources.sync import KnowledgeGraph, Projects, Sessions, Users
from renku_fed.sdk.transport import AsyncTransport, SyncTransport

T = TypeVar("T")


class Client:
    """A blocking client; with no arguments it finds the URL and token on its own.

    The URL comes from `url`, else `RENKU_FED_URL`, else the credentials file of
    `renku-fed login`; the token from `token`, else `RENKU_FED_TOKEN`, else the file named by
    `RENKU_FED_TOKEN_FILE` (inside a platform session), else the credentials file (refreshed
    when it expires). Queries are retried `retries` times on transient failures; mutations never.
    `transport` replaces the network (for tests).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        connection = discover(url, token)
        self.url = connection.url
        self._transport = SyncTransport(
            connection, timeout=timeout, retries=retries, backoff_base=backoff, http=transport
        )
        self.projects = Projects(self._call)
        """Projects: list, read, create, change, delete, members."""
        self.sessions = Sessions(self._call, self._stream)
        """Your interactive sessions: launch, wait, hibernate, resume, logs, delete."""
        self.users = Users(self._call)
        """People with accounts: yourself, and others by id or username."""
        self.kg = KnowledgeGraph(self._call)
        """The knowledge graph: search, lineage, and recording datasets and activities."""

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Run any GraphQL operation and return its `data` (errors raise typed exceptions)."""
        return self._transport.execute(query, variables, operation_name)

    def _call(self, call: Call[T]) -> T:
        data = self._transport.execute(operations.document(call.operation), call.variables, None)
        return call.read(data)

    def _stream(self, call: Call[T]) -> Iterator[T | None]:
        for data in self._transport.subscribe(operations.document(call.operation), call.variables):
            yield None if data is None else call.read(data)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient:
    """An asyncio client; the same discovery, retries and resources as `Client`, awaited."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        connection = discover(url, token)
        self.url = connection.url
        self._transport = AsyncTransport(
            connection, timeout=timeout, retries=retries, backoff_base=backoff, http=transport
        )
        self.projects = AsyncProjects(self._call)
        """Projects: list, read, create, change, delete, members."""
        self.sessions = AsyncSessions(self._call, self._stream)
        """Your interactive sessions: launch, wait, hibernate, resume, logs, delete."""
        self.users = AsyncUsers(self._call)
        """People with accounts: yourself, and others by id or username."""
        self.kg = AsyncKnowledgeGraph(self._call)
        """The knowledge graph: search, lineage, and recording datasets and activities."""

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Run any GraphQL operation and return its `data`."""
        return await self._transport.execute(query, variables, operation_name)

    async def _call(self, call: Call[T]) -> T:
        document = operations.document(call.operation)
        return call.read(await self._transport.execute(document, call.variables, None))

    async def _stream(self, call: Call[T]) -> AsyncIterator[T | None]:
        document = operations.document(call.operation)
        async for data in self._transport.subscribe(document, call.variables):
            yield None if data is None else call.read(data)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
