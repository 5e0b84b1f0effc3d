"""Refuses `_entities` and `_service` to a caller without the router-to-subgraph secret."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from renku_fed.identity.subgraph_secret import HEADER, VARIABLE
from renku_fed.subgraphs.common.errors import ErrorCode

FEDERATION_FIELDS = frozenset({"_entities", "_service"})
MESSAGE = (
    f"`_entities` and `_service` answer only the router: send the secret of {VARIABLE} in the "
    f"{HEADER} header."
)


class FederationGate(SchemaExtension):
    """Answers an operation that selects a federation field with FORBIDDEN, unless the request
    context says the caller holds the secret (`federation` true)."""

    def on_execute(self) -> Iterator[None]:
        """Set the refusal as the result before execution, which then does not run."""
        execution = self.execution_context
        allowed = getattr(execution.context, "federation", True)
        document = execution.graphql_document
        if not allowed and document is not None and asks_federation_fields(document):
            error = GraphQLError(MESSAGE, extensions={"code": ErrorCode.FORBIDDEN.value})
            execution.result = ExecutionResult(data=None, errors=[error])
        yield


def asks_federation_fields(document: DocumentNode) -> bool:
    """Whether an operation of `document` selects `_entities` or `_service` at its root."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return any(
        _selects(d.selection_set, fragments, set())
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def _selects(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> bool:
    for selection in selections.selections:
        if isinstance(selection, FieldNode) and selection.name.value in FEDERATION_FIELDS:
            return True
        if isinstance(selection, InlineFragmentNode) and _selects(
            selection.selection_set, fragments, seen
        ):
            return True
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                seen.add(name)
                if _selects(fragment.selection_set, fragments, seen):
                    return True
    return False


def apply_federation_gate(schema: strawberry.Schema) -> None:
    """Add the gate to `schema`'s extensions, once."""
    if FederationGate not in schema.extensions:
        schema.extensions = (*schema.extensions, FederationGate)
