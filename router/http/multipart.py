"""`@defer` over HTTP: incremental payloads as a `multipart/mixed` response (deferSpec=20220824).

The framing is Apollo Router's: boundary `-`, every part opened by `\\r\\n---\\r\\n` and its own
`content-type` header, the stream closed by `\\r\\n-----\\r\\n` right after the last part.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from renku_fed.router.execution.incremental import IncrementalResponse

DEFER_SPEC = "deferSpec=20220824"
MEDIA_TYPE = f'multipart/mixed; boundary="-"; {DEFER_SPEC}'
_PART = b"\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n"
_END = b"\r\n-----\r\n"


def accepts_multipart(accept: str) -> bool:
    """Whether an `Accept` header takes `multipart/mixed` with the defer spec, or with no spec
    at all, as Apollo Router reads it (`subscriptionSpec` alone asks for subscriptions only).
    """
    for entry in accept.split(","):
        media, *params = (p.replace(" ", "").lower() for p in entry.split(";"))
        if media != "multipart/mixed" or "q=0" in params:
            continue
        if DEFER_SPEC.lower() in params:
            return True
        if all(p.split("=", 1)[0] in ("q", "boundary") for p in params if p):
            return True
    return False


def part(payload: dict[str, Any]) -> bytes:
    """One part of the stream: its boundary, headers and JSON payload."""
    return _PART + orjson.dumps(payload)


async def payloads(
    response: IncrementalResponse, on_done: Callable[[list[dict[str, Any]]], None]
) -> AsyncIterator[bytes]:
    """The stream's bytes: the initial payload with `hasNext: true`, each subsequent payload,
    then the closing boundary; `on_done` gets every payload's errors once the stream ends.
    """
    errors = list(response.initial.errors)
    try:
        yield part({**response.initial.to_dict(), "hasNext": True})
        async for payload in response.subsequent:
            for item in payload.get("incremental", ()):
                errors.extend(item.get("errors", ()))
            yield part(payload)
        yield _END
    finally:
        # a client gone mid-stream: the deferred parts still running are cancelled
        response.cancel()
        on_done(errors)


def multipart_response(
    response: IncrementalResponse, on_done: Callable[[list[dict[str, Any]]], None]
) -> StreamingResponse:
    """The HTTP response streaming `response`'s payloads as they complete."""
    return StreamingResponse(
        payloads(response, on_done),
        media_type=MEDIA_TYPE,
        headers={"cache-control": "no-cache"},
    )
