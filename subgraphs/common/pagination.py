"""Relay-style pagination: opaque cursors, page arguments and the shared PageInfo type."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

MAX_PAGE_SIZE = 100


@strawberry.federation.type(shareable=True, description="Where a page sits in its connection.")
class PageInfo:
    """Relay page information."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, cursors: Sequence[str], has_next: bool, after: str | None) -> PageInfo:
        """The page info of a page whose items have `cursors`, asked for `after` a cursor."""
        return cls(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


def encode_cursor(position: dict[str, Any]) -> str:
    """An opaque cursor for a position (e.g. the sort key and id of the last item)."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The position a cursor encodes; a BAD_USER_INPUT error for a cursor we did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor is not one this API issued; pass an `endCursor` from `pageInfo`.",
            field="after",
        ) from exc
    if not isinstance(position, dict):
        raise DomainError(ErrorCode.BAD_USER_INPUT, "The `after` cursor is malformed.", "after")
    return position


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated `first`/`after` arguments."""

    first: int
    after: dict[str, Any] | None

    @classmethod
    def of(cls, first: int | None, after: str | None, default: int = 20) -> PageRequest:
        """Check the page size (0 to 100; `default` when unset) and decode the cursor."""
        size = default if first is None else first
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise DomainError(
                ErrorCode.BAD_USER_INPUT,
                f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {size}.",
                field="first",
            )
        return cls(first=size, after=decode_cursor(after) if after else None)
