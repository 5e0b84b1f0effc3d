"""Field sets (`@key(fields:)`, `@requires`, `@provides`): parsing and the fields they select."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from renku_fed.router.composition.subgraph import Subgraph


@lru_cache(maxsize=1024)
def parse_field_set(fields: str) -> SelectionSetNode | None:
    """The selection set of a field set string, or None when it is not valid syntax."""
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLSyntaxError:
        return None
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def selected_fields(
    subgraph: Subgraph, type_name: str, selection: SelectionSetNode
) -> Iterator[tuple[str, FieldNode]]:
    """(parent type, field node) for every field a selection reaches, nested ones included."""
    for node in selection.selections:
        if isinstance(node, FieldNode):
            yield type_name, node
            child = subgraph.field(type_name, node.name.value)
            if node.selection_set is not None and child is not None:
                yield from selected_fields(subgraph, child.type.base, node.selection_set)
        elif isinstance(node, InlineFragmentNode):
            inner = node.type_condition.name.value if node.type_condition else type_name
            yield from selected_fields(subgraph, inner, node.selection_set)


def field_set_coordinates(subgraph: Subgraph, type_name: str, fields: str) -> set[tuple[str, str]]:
    """The (type, field) pairs a field set selects in `subgraph`; empty when it does not parse."""
    selection = parse_field_set(fields)
    if selection is None:
        return set()
    return {
        (parent, node.name.value)
        for parent, node in selected_fields(subgraph, type_name, selection)
        if node.name.value != "__typename"
    }
