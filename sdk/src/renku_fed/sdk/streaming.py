"""Reads subscriptions the router streams over HTTP in Apollo's multipart protocol.

A POST with `Accept: multipart/mixed;subscriptionSpec="1.0"` is answered with JSON parts
between `--graphql` boundaries: `{}` heartbeats, `{"payload": <a GraphQL response>}` per event,
and `{"payload": null, "errors": [...]}` when the stream fails. A router that does not stream
the operation answers plain JSON instead; the readers then yield nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from renku_fed.sdk.errors import ErrorDetail, error_for

ACCEPT = 'multipart/mixed;subscriptionSpec="1.0", application/json'
_BOUNDARY = b"\r\n--graphql"


class PartReader:
    """Splits the streamed body into its JSON parts as bytes arrive."""

    def __init__(self) -> None:
        self._buffer = b""
        self.ended = False

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """The parts completed by `chunk`."""
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split(_BOUNDARY)
        parts = []
        for raw in complete:
            parts.extend(self._part(raw))
        if self._buffer.startswith(b"--"):
            self.ended = True
        elif self._buffer:
            # The router writes each part whole: read it now, not when the next one comes.
            try:
                parts.extend(self._part(self._buffer))
                self._buffer = b""
            except json.JSONDecodeError:
                pass
        return parts

    def close(self) -> list[dict[str, Any]]:
        """The last part, once the body has ended."""
        rest, self._buffer = self._buffer, b""
        return self._part(rest)

    def _part(self, raw: bytes) -> list[dict[str, Any]]:
        if raw.startswith(b"--"):
            self.ended = True
            return []
        _, separator, body = raw.partition(b"\r\n\r\n")
        if not separator or not body.strip():
            return []
        decoded = json.loads(body)
        return [decoded] if isinstance(decoded, dict) else []


def event_data(part: dict[str, Any]) -> dict[str, Any] | None:
    """An event's `data`, None for a heartbeat; the typed exception for errors."""
    if "payload" not in part:
        return None
    payload = part["payload"] or {}
    errors = [ErrorDetail.from_graphql(e) for e in part.get("errors") or []]
    errors += [ErrorDetail.from_graphql(e) for e in payload.get("errors") or []]
    if errors:
        raise error_for(errors)
    data = payload.get("data")
    return dict(data) if isinstance(data, dict) else None


def _streams(response: httpx.Response) -> bool:
    return bool(response.headers.get("content-type", "").startswith("multipart/mixed"))


def stream(
    http: httpx.Client, url: str, headers: dict[str, str], body: dict[str, Any]
) -> Iterator[dict[str, Any] | None]:
    """Each event's data (None for a heartbeat) while the router streams the subscription."""
    with http.stream("POST", url, json=body, headers={**headers, "accept": ACCEPT}) as response:
        if not _streams(response):
            return
        reader = PartReader()
        for chunk in response.iter_bytes():
            for part in reader.feed(chunk):
                yield event_data(part)
            if reader.ended:
                return
        for part in reader.close():
            yield event_data(part)


async def astream(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any]
) -> AsyncIterator[dict[str, Any] | None]:
    """`stream`, for the asyncio client."""
    request = http.stream("POST", url, json=body, headers={**headers, "accept": ACCEPT})
    async with request as response:
        if not _streams(response):
            return
        reader = PartReader()
        async for chunk in response.aiter_bytes():
            for part in reader.feed(chunk):
                yield event_data(part)
            if reader.ended:
                return
        for part in reader.close():
            yield event_data(part)
