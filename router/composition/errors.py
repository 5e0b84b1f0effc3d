"""Composition errors, coded as Apollo codes them (`INVALID_FIELD_SHARING`, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CompositionError:
    """One reason the subgraphs do not compose; the message names subgraph, type and field."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class CompositionFailed(Exception):
    """The subgraphs do not compose; `errors` lists every reason found."""

    def __init__(self, errors: Sequence[CompositionError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def quoted_subgraphs(names: Iterable[str]) -> str:
    """`subgraph "a"` or `subgraphs "a" and "b"`, as Apollo's messages say it."""
    items = [f'"{name}"' for name in names]
    if len(items) == 1:
        return f"subgraph {items[0]}"
    return f"subgraphs {', '.join(items[:-1])} and {items[-1]}"


def describe_by_value(opening: str, values: Sequence[tuple[str, str]]) -> str:
    """`it has type "Int" in subgraph "a" but type "String" in subgraph "b"` from (subgraph, value).

    Each value is written as the message wants it (`type "Int"`); subgraphs sharing one are grouped.
    """
    groups: dict[str, list[str]] = {}
    for subgraph, value in values:
        groups.setdefault(value, []).append(subgraph)
    parts = [f"{value} in {quoted_subgraphs(names)}" for value, names in groups.items()]
    text = f"{opening} {parts[0]}"
    if len(parts) > 1:
        text += f" but {parts[1]}" + "".join(f" and {part}" for part in parts[2:])
    return text
