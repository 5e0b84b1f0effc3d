"""Where subgraph SDL comes from: a file, or a running subgraph's `{ _service { sdl } }`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx

from renku_fed.identity.subgraph_secret import configured_secret, secret_headers

SERVICE_SDL_QUERY = "query SubgraphSdl { _service { sdl } }"


@dataclass(frozen=True)
class SubgraphSource:
    """A subgraph to compose: its name, routing URL and SDL."""

    name: str
    url: str
    sdl: str


class SubgraphSdlUnavailable(Exception):
    """A subgraph's SDL could not be read; the message names the URL or file and the reason."""


async def fetch_subgraph_sdl(client: httpx.AsyncClient, url: str) -> str:
    """POST `{ _service { sdl } }` to a subgraph and return its SDL."""
    try:
        response = await client.post(
            url,
            json={"query": SERVICE_SDL_QUERY},
            headers=secret_headers(configured_secret()),
        )
    except httpx.HTTPError as error:
        raise SubgraphSdlUnavailable(f"cannot fetch the SDL of {url}: {error!r}") from error
    if response.status_code != 200:
        raise SubgraphSdlUnavailable(
            f"cannot fetch the SDL of {url}: HTTP {response.status_code}: {response.text[:200]}"
        )
    try:
        body = response.json()
    except ValueError as error:
        raise SubgraphSdlUnavailable(f"cannot fetch the SDL of {url}: not JSON") from error
    sdl = _lookup(body, "data", "_service", "sdl")
    if not isinstance(sdl, str):
        reason = _lookup(body, "errors") or "no data._service.sdl in the response"
        raise SubgraphSdlUnavailable(f"cannot fetch the SDL of {url}: {reason}")
    return sdl


def _lookup(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def load_subgraph_source(
    name: str,
    url_or_file: str,
    *,
    routing_url: str | None = None,
    timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SubgraphSource:
    """A subgraph from an SDL file or an http(s) URL; a URL is also the routing URL by default."""
    if url_or_file.startswith(("http://", "https://")):
        sdl = asyncio.run(_fetch_once(url_or_file, timeout, transport))
        return SubgraphSource(name, routing_url or url_or_file, sdl)
    path = Path(url_or_file)
    try:
        sdl = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SubgraphSdlUnavailable(f"cannot read the SDL file {path}: {error}") from error
    return SubgraphSource(name, routing_url or "", sdl)


async def _fetch_once(url: str, timeout: float, transport: httpx.AsyncBaseTransport | None) -> str:
    async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
        return await fetch_subgraph_sdl(client, url)
