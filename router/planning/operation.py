"""Normalizing a client operation into the planner's selection IR (fragments inlined, merged)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    print_ast,
    value_from_ast_untyped,
)

from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.supergraph.fed1 import parse_field_set

ROOT_INTROSPECTION = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class OpField:
    """A field selection; `args` keep the client's AST so values and variables print as sent."""

    name: str
    alias: str | None
    args: tuple[ArgumentNode, ...]
    items: tuple[OpItem, ...]

    @property
    def response_key(self) -> str:
        """The key the field's value sits under in the response."""
        return self.alias or self.name

    @property
    def signature(self) -> tuple[str, str]:
        """Name and printed arguments: fields with the same key must agree on it."""
        return self.name, ",".join(print_ast(a) for a in self.args)


@dataclass(frozen=True, slots=True)
class OpFragment:
    """An inline fragment with a type condition."""

    type_condition: str
    items: tuple[OpItem, ...]


OpItem: TypeAlias = OpField | OpFragment


@dataclass(frozen=True, slots=True)
class Operation:
    """A normalized operation: kind, name, variable definitions and root selections."""

    kind: str
    name: str | None
    variables: tuple[VariableDefinitionNode, ...]
    items: tuple[OpItem, ...]


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation `operation_name` names, or the document's only operation."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
        if not operations:
            raise PlanningError(f"unknown operation named {operation_name!r}")
    if len(operations) != 1:
        raise PlanningError("the document has several operations: an operation name is required")
    return operations[0]


def condition_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables used by `@skip`/`@include` anywhere in the document."""
    found: dict[str, None] = {}
    stack: list[object] = list(document.definitions)
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                for arg in directive.arguments or ():
                    if isinstance(arg.value, VariableNode):
                        found[arg.value.name.value] = None
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return tuple(sorted(found))


def normalize(
    operation: OperationDefinitionNode,
    document: DocumentNode,
    variables: Mapping[str, object],
) -> Operation:
    """Inline fragments, apply `@skip`/`@include` with the request's values, merge fields."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    normalizer = _Normalizer(fragments, values)
    items = normalizer.selection_set(operation.selection_set)
    items = _without_introspection(items)
    return Operation(
        kind=operation.operation.value,
        name=operation.name.value if operation.name else None,
        variables=tuple(operation.variable_definitions or ()),
        items=items,
    )


def _without_introspection(items: tuple[OpItem, ...]) -> tuple[OpItem, ...]:
    """Root items without `__schema`/`__type`, also inside root fragments (answered locally)."""
    kept: list[OpItem] = []
    for item in items:
        if isinstance(item, OpFragment):
            kept.append(OpFragment(item.type_condition, _without_introspection(item.items)))
        elif item.name not in ROOT_INTROSPECTION:
            kept.append(item)
    return tuple(kept)


class _Normalizer:
    def __init__(
        self, fragments: Mapping[str, FragmentDefinitionNode], values: Mapping[str, object]
    ) -> None:
        self.fragments = fragments
        self.values = values
        # A fragment normalizes the same wherever it is spread (the variables are fixed), so
        # each is done once: spreads doubling at every level stay linear, not exponential.
        self._bodies: dict[str, tuple[OpItem, ...]] = {}

    def selection_set(self, node: SelectionSetNode | None) -> tuple[OpItem, ...]:
        if node is None:
            return ()
        items: list[OpItem] = []
        for selection in node.selections:
            if not self._included(selection.directives or ()):
                continue
            if isinstance(selection, FieldNode):
                items.append(
                    OpField(
                        selection.name.value,
                        selection.alias.value if selection.alias else None,
                        tuple(selection.arguments or ()),
                        self.selection_set(selection.selection_set),
                    )
                )
            elif isinstance(selection, InlineFragmentNode):
                body = self.selection_set(selection.selection_set)
                if selection.type_condition is None:
                    items.extend(body)
                else:
                    items.append(OpFragment(selection.type_condition.name.value, body))
            elif isinstance(selection, FragmentSpreadNode):
                items.append(self._spread(selection.name.value))
        # a fragment left empty by `@skip`/`@include` selects nothing
        return merge_items([i for i in items if isinstance(i, OpField) or i.items])

    def _spread(self, name: str) -> OpFragment:
        fragment = self.fragments.get(name)
        if fragment is None:
            raise PlanningError(f"unknown fragment {name!r}")
        body = self._bodies.get(name)
        if body is None:
            body = self._bodies[name] = self.selection_set(fragment.selection_set)
        return OpFragment(fragment.type_condition.name.value, body)

    def _included(self, directives: Iterable[DirectiveNode]) -> bool:
        for directive in directives:
            if directive.name.value not in ("skip", "include"):
                continue
            value = self._condition(directive)
            if value == (directive.name.value == "skip"):
                return False
        return True

    def _condition(self, directive: DirectiveNode) -> bool:
        for arg in directive.arguments or ():
            if arg.name.value != "if":
                continue
            if isinstance(arg.value, BooleanValueNode):
                return arg.value.value
            if isinstance(arg.value, VariableNode):
                return self.values.get(arg.value.name.value) is True
        raise PlanningError(f"@{directive.name.value} needs a boolean `if` argument")


def merge_items(items: Iterable[OpItem]) -> tuple[OpItem, ...]:
    """Merge fields with one response key and fragments with one type condition, in order."""
    merged: dict[tuple[str, str], OpItem] = {}
    for item in items:
        key = ("f", item.response_key) if isinstance(item, OpField) else ("t", item.type_condition)
        previous = merged.get(key)
        if previous is None:
            merged[key] = item
        elif isinstance(previous, OpField) and isinstance(item, OpField):
            if previous.signature != item.signature:
                raise PlanningError(
                    f"fields {previous.name!r} and {item.name!r} conflict on response key "
                    f"{item.response_key!r}"
                )
            merged[key] = OpField(
                previous.name,
                previous.alias,
                previous.args,
                merge_items((*previous.items, *item.items)),
            )
        elif isinstance(previous, OpFragment) and isinstance(item, OpFragment):
            merged[key] = OpFragment(
                previous.type_condition, merge_items((*previous.items, *item.items))
            )
    return tuple(merged.values())


def parse_selection(text: str) -> tuple[OpItem, ...]:
    """Parse a field set (a key, `@requires` or `@provides` string) into merged IR items."""
    return _Normalizer({}, {}).selection_set(parse_field_set(text))
