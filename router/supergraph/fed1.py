"""Federation-1 quirks: key fields of extension types are owned, not external."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from graphql import FieldNode, GraphQLSyntaxError, SelectionSetNode, parse
from graphql.language import OperationDefinitionNode

from renku_fed.router.supergraph.errors import SupergraphError
from renku_fed.router.supergraph.model import KeyInfo


@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> SelectionSetNode:
    """Parse a `join__FieldSet` string such as "id owner { id }" into a selection set."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as error:
        raise SupergraphError(f"invalid field set {text!r}: {error.message}") from error
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def owned_key_fields(keys: Iterable[KeyInfo]) -> set[tuple[str, str]]:
    """(graph, field) pairs a subgraph owns because they are top-level fields of its keys.

    Federation-1 subgraphs mark the key fields of `extend type` entities `@external` although
    they resolve them; these keys are recorded with `extension: true` (or come from join v0.1).
    """
    owned: set[tuple[str, str]] = set()
    for key in keys:
        for selection in parse_field_set(key.fields).selections:
            if isinstance(selection, FieldNode):
                owned.add((key.graph, selection.name.value))
    return owned
