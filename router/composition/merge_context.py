"""What the mergers share: the subgraphs in order, graph names, type relations and errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import print_ast

from renku_fed.router.composition.errors import CompositionError
from renku_fed.router.composition.fieldsets import field_set_coordinates
from renku_fed.router.composition.subgraph import (
    Alternatives,
    Applied,
    ListSize,
    NamedType,
    Subgraph,
)
from renku_fed.router.composition.supergraph import Directives

Coordinate = tuple[str, str]
TypeSources = Sequence[tuple[Subgraph, NamedType]]


@dataclass
class SubgraphUsage:
    """Which fields a subgraph's keys, requires and provides select."""

    key_fields: set[Coordinate] = field(default_factory=set)
    required: set[Coordinate] = field(default_factory=set)
    provided: set[Coordinate] = field(default_factory=set)


def subgraph_usage(subgraph: Subgraph) -> SubgraphUsage:
    """Collect the fields selected by every field set of a subgraph."""
    usage = SubgraphUsage()
    for named in subgraph.types.values():
        for key in named.keys:
            usage.key_fields |= field_set_coordinates(subgraph, named.name, key.fields)
        for member in named.fields.values():
            if member.requires:
                usage.required |= field_set_coordinates(subgraph, named.name, member.requires)
            if member.provides:
                usage.provided |= field_set_coordinates(subgraph, member.type.base, member.provides)
    return usage


@dataclass
class MergeContext:
    """Shared state of one composition."""

    subgraphs: list[Subgraph]
    graphs: dict[str, str]
    errors: list[CompositionError] = field(default_factory=list)
    supertypes: dict[str, set[str]] = field(default_factory=dict)
    usage: dict[str, SubgraphUsage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.usage = {subgraph.name: subgraph_usage(subgraph) for subgraph in self.subgraphs}

    def error(self, code: str, message: str) -> None:
        """Record one composition error."""
        self.errors.append(CompositionError(code, message))

    def is_named_subtype(self, sub: str, sup: str) -> bool:
        """Whether `sub` implements interface `sup` or is a member of union `sup`."""
        return sup in self.supertypes.get(sub, set())


def most_common(values: list[str | None]) -> str | None:
    """The description most subgraphs agree on (the first one on a tie)."""
    present = [value for value in values if value]
    if not present:
        return None
    counts = Counter(present)
    return max(present, key=lambda value: counts[value])


def conjunction(current: Alternatives | None, more: Alternatives) -> Alternatives:
    """Both requirements at once: every pair of alternatives joined, duplicates dropped."""
    if current is None or current == more:
        return more
    joined: dict[tuple[str, ...], None] = {}
    for left in current:
        for right in more:
            joined[tuple(dict.fromkeys((*left, *right)))] = None
    return tuple(joined)


def merge_list_sizes(left: ListSize | None, right: ListSize) -> ListSize:
    """Two `@listSize`s as Apollo merges them: largest size, union of names, all required."""
    if left is None:
        return right

    def union(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return b if a is None else a if b is None else tuple(dict.fromkeys((*a, *b)))

    sizes = [s for s in (left.assumed_size, right.assumed_size) if s is not None]
    requires = [
        r
        for r in (left.require_one_slicing_argument, right.require_one_slicing_argument)
        if r is not None
    ]
    return ListSize(
        max(sizes) if sizes else None,
        union(left.slicing_arguments, right.slicing_arguments),
        union(left.sized_fields, right.sized_fields),
        all(requires) if requires else None,
    )


def merge_directives(applied: list[Applied]) -> Directives:
    """Union of @inaccessible, @tag names and kept directives across subgraphs."""
    merged = Directives()
    seen: set[str] = set()
    for item in applied:
        merged.inaccessible = merged.inaccessible or item.inaccessible
        merged.authenticated = merged.authenticated or item.authenticated
        for scopes in item.scopes:
            merged.scopes = conjunction(merged.scopes, scopes)
        for policies in item.policies:
            merged.policies = conjunction(merged.policies, policies)
        if item.cost is not None:
            merged.cost = item.cost if merged.cost is None else max(merged.cost, item.cost)
        if item.list_size is not None:
            merged.list_size = merge_list_sizes(merged.list_size, item.list_size)
        for tag in item.tags:
            if tag not in merged.tags:
                merged.tags.append(tag)
        for directive in item.kept:
            text = print_ast(directive)
            if text not in seen:
                seen.add(text)
                merged.kept.append(directive)
    return merged
