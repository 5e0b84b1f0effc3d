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
)

from renku_fed.router.planning.errors import PlanningError
from renku_fed.router.supergraph.fed1 import parse_field_set

ROOT_INTROSPECTION = frozenset({"__schema", "__type"})

Condition: TypeAlias = tuple[str, bool]
"""A `@skip`/`@include` on a variable: the variable and the value that includes the field."""


@dataclass(frozen=True, slots=True)
class OpField:
    """A field selection; `args` keep the client's AST so values and variables print as sent;
    `conditions` are the variable `@skip`/`@include` that must all hold for it to be selected.
    """

    name: str
    alias: str | None
    args: tuple[ArgumentNode, ...]
    items: tuple[OpItem, ...]
    conditions: tuple[Condition, ...] = ()

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


def normalize(
    operation: OperationDefinitionNode,
    document: DocumentNode,
) -> Operation:
    """Inline fragments, apply literal `@skip`/`@include`, keep variable ones as field
    conditions (so the plan holds for every variable value), merge fields.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    normalizer = _Normalizer(fragments)
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
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        # A fragment normalizes the same wherever it is spread, so each is done once: spreads
        # doubling at every level stay linear, not exponential.
        self._bodies: dict[str, tuple[OpItem, ...]] = {}

    def selection_set(self, node: SelectionSetNode | None) -> tuple[OpItem, ...]:
        if node is None:
            return ()
        items: list[OpItem] = []
        for selection in node.selections:
            conditions = _conditions(selection.directives or ())
            if conditions is None:
                continue
            if isinstance(selection, FieldNode):
                items.append(
                    OpField(
                        selection.name.value,
                        selection.alias.value if selection.alias else None,
                        tuple(selection.arguments or ()),
                        self.selection_set(selection.selection_set),
                        conditions,
                    )
                )
            elif isinstance(selection, InlineFragmentNode):
                body = with_conditions(self.selection_set(selection.selection_set), conditions)
                if selection.type_condition is None:
                    items.extend(body)
                else:
                    items.append(OpFragment(selection.type_condition.name.value, body))
            elif isinstance(selection, FragmentSpreadNode):
                spread = self._spread(selection.name.value)
                body = with_conditions(spread.items, conditions)
                items.append(OpFragment(spread.type_condition, body))
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


def _conditions(directives: Iterable[DirectiveNode]) -> tuple[Condition, ...] | None:
    """The variable conditions of a selection, or None when a literal one excludes it."""
    found: list[Condition] = []
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        if isinstance(value, BooleanValueNode):
            if value.value == (name == "skip"):
                return None
        elif isinstance(value, VariableNode):
            condition = (value.name.value, name == "include")
            if condition not in found:
                found.append(condition)
        else:
            raise PlanningError(f"@{name} needs a boolean `if` argument")
    return tuple(found)


def with_conditions(
    items: tuple[OpItem, ...], conditions: tuple[Condition, ...]
) -> tuple[OpItem, ...]:
    """`items` with `conditions` added to every field (fragments passed through)."""
    if not conditions:
        return items
    result: list[OpItem] = []
    for item in items:
        if isinstance(item, OpFragment):
            result.append(OpFragment(item.type_condition, with_conditions(item.items, conditions)))
        else:
            added = tuple(dict.fromkeys((*item.conditions, *conditions)))
            result.append(OpField(item.name, item.alias, item.args, item.items, added))
    return tuple(result)


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
            merged[key] = _merge_fields(previous, item)
        elif isinstance(previous, OpFragment) and isinstance(item, OpFragment):
            merged[key] = OpFragment(
                previous.type_condition, merge_items((*previous.items, *item.items))
            )
    return tuple(merged.values())


def _merge_fields(first: OpField, second: OpField) -> OpField:
    """One field for two selections of it: under differing conditions the field is selected
    whenever either is, and each one's children keep that one's conditions.
    """
    if first.conditions == second.conditions:
        children = (*first.items, *second.items)
        conditions = first.conditions
    else:
        children = (
            *with_conditions(first.items, first.conditions),
            *with_conditions(second.items, second.conditions),
        )
        conditions = ()
    return OpField(first.name, first.alias, first.args, merge_items(children), conditions)


def parse_selection(text: str) -> tuple[OpItem, ...]:
    """Parse a field set (a key, `@requires` or `@provides` string) into merged IR items."""
    return _Normalizer({}).selection_set(parse_field_set(text))
