"""A strict reader of incremental delivery over HTTP (`multipart/mixed`, boundary `-`)."""

from __future__ import annotations

from typing import Any

import orjson

PART_HEADER = b"content-type: application/json; charset=utf-8"


def parse_multipart(body: bytes, boundary: str = "-") -> list[dict[str, Any]]:
    """Every part's JSON payload; fails unless each part opens with the delimiter and a JSON
    content type and the body ends with the closing delimiter.
    """
    delimiter = b"\r\n--" + boundary.encode()
    closing = delimiter + b"--\r\n"
    assert body.endswith(closing), body[-40:]
    chunks = body[: -len(closing)].split(delimiter)
    assert chunks[0] == b"", "the body must start with a delimiter"
    payloads = []
    for chunk in chunks[1:]:
        assert chunk.startswith(b"\r\n"), chunk[:20]
        head, separator, payload = chunk[2:].partition(b"\r\n\r\n")
        assert separator, chunk
        assert head.lower() == PART_HEADER
        payloads.append(orjson.loads(payload))
    return payloads


def first_payload(received: bytes) -> dict[str, Any] | None:
    """The first part's payload once all of it has arrived, else None."""
    start = b"\r\n---\r\n" + PART_HEADER + b"\r\n\r\n"
    if not received.startswith(start):
        return None
    body = received[len(start) :].split(b"\r\n---", 1)[0]
    try:
        payload: dict[str, Any] = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return payload
