"""The client's view of each part of a deferred operation: the document that shapes the part's
data, and the key that matches it with its `Deferred` node of the plan.

The plan may come from a document authorization filtered, the projection from the client's own:
parts are matched by path, label and order among equals, never by position alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from renku_fed.router.planning.defer_document import (
    MAX_DEFER_VARIABLES,
    FoundDefer,
    defer_variables,
    find_defers,
    rewrite,
)
from renku_fed.router.planning.graph import QueryGraph
from renku_fed.router.planning.nodes import ResponsePath

PartKey: TypeAlias = tuple[ResponsePath, str | None, int]
"""A deferred part's path, label and place among the parts with the same path and label."""


@dataclass(frozen=True, slots=True)
class PartDocument:
    """The operation with only one deferred fragment, and the response keys the part delivers."""

    key: PartKey
    document: DocumentNode
    definition: OperationDefinitionNode
    keys: tuple[str, ...]


def part_keys(parts: Iterable[tuple[ResponsePath, str | None]]) -> list[PartKey]:
    """The key of each (path, label) in order."""
    seen: dict[tuple[ResponsePath, str | None], int] = {}
    keys: list[PartKey] = []
    for path, label in parts:
        count = seen.get((path, label), 0)
        seen[(path, label)] = count + 1
        keys.append((path, label, count))
    return keys


def deferrable(graph: QueryGraph) -> Callable[[str], bool]:
    """Whether objects of a type can be re-entered later: an object type with a resolvable key."""
    model = graph.model

    def check(type_name: str) -> bool:
        info = model.types.get(type_name)
        if info is None or model.is_abstract(type_name):
            return False
        return any(graph.re_entry_keys(type_name, g) for g in info.graphs)

    return check


def defer_values(document: DocumentNode, variables: Mapping[str, object]) -> tuple[bool, ...]:
    """The values of the `@defer(if:)` variables the plan branches on."""
    names = defer_variables(document)[:MAX_DEFER_VARIABLES]
    return tuple(bool(variables.get(name)) for name in names)


def deferred_documents(
    graph: QueryGraph,
    document: DocumentNode,
    definition: OperationDefinitionNode,
    values: tuple[bool, ...],
    copies: list[tuple[int, int]] | None = None,
) -> tuple[tuple[DocumentNode, OperationDefinitionNode], list[PartDocument]]:
    """The operation without its deferred fragments (the primary part's shape), and each part's
    document; `copies` gets the ids of the selections copied and of their copies (`rewrite`).
    """
    names = defer_variables(document)[:MAX_DEFER_VARIABLES]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    base = DocumentNode(definitions=(definition, *fragments.values()))
    branch = dict(zip(names, values, strict=True))
    found = find_defers(base, definition, graph.model, deferrable(graph), branch)

    def keeping(kept: FoundDefer | None) -> tuple[DocumentNode, OperationDefinitionNode]:
        rewritten = rewrite(base, {id(f.node): None for f in found if f is not kept}, copies)
        operation = rewritten.definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        return rewritten, operation

    keys = part_keys((f.path, f.label) for f in found)
    parts = [
        PartDocument(key, *keeping(f), tuple(dict.fromkeys(_keys(f.selection_set, fragments))))
        for key, f in zip(keys, found, strict=True)
    ]
    return keeping(None), parts


def _keys(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """The response keys a selection set selects at its own level."""
    keys: list[str] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            keys.append((selection.alias or selection.name).value)
        elif isinstance(selection, InlineFragmentNode):
            keys.extend(_keys(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            keys.extend(_keys(fragments[selection.name.value].selection_set, fragments))
    return keys
