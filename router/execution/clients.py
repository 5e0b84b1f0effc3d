"""The HTTP/1.1 clients subgraph calls go through: aiohttp on the network, httpx in-process."""

from __future__ import annotations

from collections.abc import Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Protocol

import aiohttp
import httpx

# Connections kept to all subgraphs together; a request beyond waits for a free one.
MAX_CONNECTIONS = 200


class ClientFailure(Exception):
    """The request got no HTTP answer (refused, reset, closed); the message names the cause."""


class HttpClient(Protocol):
    """POSTs a body and returns the status and the body of the answer."""

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """The answer's status and body; ClientFailure when none came, TimeoutError on timeout."""
        ...

    async def aclose(self) -> None:
        """Close the pooled connections."""
        ...


class AiohttpClient:
    """Keep-alive connections through one lazily opened `aiohttp.ClientSession`."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """The answer's status and body; ClientFailure when none came, TimeoutError on timeout."""
        session = self._session
        if session is None:
            session = self._session = _session()
        try:
            async with session.post(
                url, data=content, headers=headers, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except aiohttp.ClientError as exc:
            raise ClientFailure(type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _session() -> aiohttp.ClientSession:
    # Opened in the running event loop; the caller's deadline bounds each request, and one
    # session serves every caller, so a cookie a subgraph sets is never stored or replayed.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS),
        timeout=aiohttp.ClientTimeout(total=None),
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent",),
    )


class HttpxClient:
    """Requests through an `httpx` transport: an app in the same process, or a test double."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=None,
            # One client serves every caller: a cookie one subgraph sets must never be stored
            # and replayed on another caller's request.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    async def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """The answer's status and body; ClientFailure when none came, TimeoutError on timeout."""
        try:
            response = await self._client.post(url, content=content, headers=headers)
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise ClientFailure(type(exc).__name__) from exc
        return response.status_code, response.content

    async def aclose(self) -> None:
        """Close the client."""
        await self._client.aclose()
