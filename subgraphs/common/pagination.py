"""Relay-style pagination: opaque cursors, page arguments, the shared PageInfo type and the one
generic `Connection[T]` / `Edge[T]` every list is served as.

`strawberry.relay.Connection` is not used: it puts `pageInfo` before `edges` and brings its own
`PageInfo` (not `@shareable`, other descriptions), which would change every subgraph's schema.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

import strawberry
from strawberry.types import get_object_definition

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

MAX_PAGE_SIZE = 100
# Cursors we issue hold a sort key and an id; anything far longer is not one of ours.
MAX_CURSOR_LENGTH = 1024

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")
ModelT_co = TypeVar("ModelT_co", covariant=True)


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
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("longer than any cursor we issue")
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
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


class Page(Protocol[ModelT_co]):
    """One page of domain objects as a backend returns it (`UserPage`, `ProjectPage`...)."""

    @property
    def items(self) -> Sequence[ModelT_co]:
        """The objects of this page, in order."""
        ...

    @property
    def cursors(self) -> Sequence[str]:
        """One opaque cursor per item."""
        ...

    @property
    def total(self) -> int:
        """How many objects the whole result holds."""
        ...

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        ...


@strawberry.type
class Edge(Generic[NodeT]):
    """A node of a connection and its cursor.

    A list declares `class ProjectEdge(Edge[Project])`, the name Strawberry would give
    `Edge[Project]`, only to give the GraphQL type its own description.
    """

    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of nodes, where it sits, and the size of the whole result.

    A list declares `class ProjectConnection(Connection[Project])` with a description and
    `edges: Sequence[ProjectEdge]`, its own edge type.
    """

    edges: Sequence[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(
        cls, page: Page[ModelT], node: Callable[[ModelT], NodeT], after: str | None
    ) -> Self:
        """The connection of a backend's page, each item turned into a node by `node`."""
        edge = cls._edge_type()
        return cls(
            edges=[
                edge(cursor=cursor, node=node(item))
                for cursor, item in zip(page.cursors, page.items, strict=True)
            ],
            page_info=PageInfo.of(page.cursors, page.has_next, after),
            total_count=page.total,
        )

    @classmethod
    def _edge_type(cls) -> type[Edge[NodeT]]:
        edge = _EDGE_TYPES.get(cls)
        if edge is None:
            edges = get_object_definition(cls, strict=True).get_field("edges")
            if edges is None or not hasattr(edges.type, "of_type"):
                raise TypeError(f"{cls.__name__}.edges is not a list of edges")
            edge = _EDGE_TYPES[cls] = edges.type.of_type
        return edge


# The edge class of each connection class, as its `edges` field declares it; filled on first use.
_EDGE_TYPES: dict[type[Connection[Any]], type[Edge[Any]]] = {}
