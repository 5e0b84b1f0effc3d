"""Field collection (the spec's CollectFields), cached per type and @skip/@include values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_enum_type,
    is_interface_type,
    is_leaf_type,
    is_object_type,
)

from renku_fed.router.execution.response_policy import scalar_types
from renku_fed.router.execution.typeindex import TypeIndex

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})

# How a collected field is completed; leaves that need no checks skip the generic walk.
TYPENAME, COPY, REQUIRED_SCALAR, COMPLETE = range(4)

_CacheKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class CollectedField:
    """The field nodes sharing one response key, with the field's type on the runtime type."""

    key: str
    name: str
    label: str
    type: GraphQLOutputType | None
    selection_sets: tuple[SelectionSetNode, ...]
    nodes: tuple[FieldNode, ...]
    kind: int


@dataclass(frozen=True, slots=True)
class ObjectCompletion:
    """A field whose values are objects of one object type, or a list of them."""

    object_type: GraphQLObjectType
    is_list: bool
    non_null: bool
    item_type: GraphQLOutputType
    """The type of the list's items (the field's type without `!` when it is no list)."""


def object_completion(type_: GraphQLOutputType) -> ObjectCompletion | None:
    """How values of `type_` are completed when it is `T`, `[T]` or those with `!`, T an object."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    is_list = isinstance(inner, GraphQLList)
    item = inner.of_type if isinstance(inner, GraphQLList) else inner
    named = item.of_type if isinstance(item, GraphQLNonNull) else item
    if not isinstance(named, GraphQLObjectType):
        return None
    return ObjectCompletion(named, is_list, non_null, item)


@dataclass(frozen=True, slots=True)
class Shape:
    """The collected fields of one selection on one type, sorted for a fast projection.

    `pairs` are (response key, is `__typename`) in order, every field's value read in one pass;
    `required` are keys of non-null scalars, `scalars` the built-in scalar fields' keys with the
    JSON types their values may have, `composite` the fields completed one by one, with their
    object completion when they have one.
    `fast` is False when a field needs the generic walk (`__typename` on an abstract type).
    """

    fields: tuple[CollectedField, ...]
    pairs: tuple[tuple[str, bool], ...]
    required: tuple[str, ...]
    scalars: tuple[tuple[str, frozenset[type]], ...]
    composite: tuple[tuple[CollectedField, ObjectCompletion | None], ...]
    fast: bool


def _shape(runtime: GraphQLNamedType, fields: tuple[CollectedField, ...]) -> Shape:
    return Shape(
        fields,
        tuple((f.key, f.kind == TYPENAME) for f in fields),
        tuple(f.key for f in fields if f.kind == REQUIRED_SCALAR),
        tuple(
            (f.key, accepted)
            for f in fields
            if f.kind in (COPY, REQUIRED_SCALAR) and (accepted := _scalar_types(f.type)) is not None
        ),
        tuple(
            (f, object_completion(f.type) if f.type is not None else None)
            for f in fields
            if f.kind == COMPLETE
        ),
        is_object_type(runtime) or all(f.kind != TYPENAME for f in fields),
    )


class FieldCollector:
    """Collects the fields of one operation; requests with equal conditions share results."""

    def __init__(
        self,
        schema: GraphQLSchema,
        types: TypeIndex,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> None:
        self._schema = schema
        self._types = types
        self._fragments = fragments
        self._condition_variables = tuple(
            sorted(_condition_variables([operation, *fragments.values()]))
        )
        self._caches: dict[tuple[bool, ...], dict[_CacheKey, tuple[CollectedField, ...]]] = {}
        self._shapes: dict[tuple[bool, ...], dict[_CacheKey, Shape]] = {}

    def for_variables(self, variables: Mapping[str, Any]) -> Collection:
        """The collection under one request's variables."""
        conditions = tuple(bool(variables.get(name)) for name in self._condition_variables)
        cache = self._caches.get(conditions)
        if cache is None:
            cache = self._caches[conditions] = {}
            self._shapes[conditions] = {}
        return Collection(self, cache, self._shapes[conditions], variables, conditions)

    def collect(
        self,
        cache: dict[_CacheKey, tuple[CollectedField, ...]],
        variables: Mapping[str, Any],
        runtime: GraphQLNamedType,
        selection_sets: tuple[SelectionSetNode, ...],
    ) -> tuple[CollectedField, ...]:
        """The fields `selection_sets` select on `runtime`, grouped by response key, in order."""
        # Every tuple passed here lives as long as the cache (the operation's root tuple, or one
        # held by a cached CollectedField), so its identity is a safe and cheap key.
        key = (runtime.name, id(selection_sets))
        cached = cache.get(key)
        if cached is not None:
            return cached
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(variables, runtime, selection_set, grouped, visited)
        fields = (
            getattr(runtime, "fields", {})
            if is_object_type(runtime) or is_interface_type(runtime)
            else {}
        )
        collected: list[CollectedField] = []
        for response_key, nodes in grouped.items():
            name = nodes[0].name.value
            definition: GraphQLField | None = fields.get(name)
            if definition is None and name in INTROSPECTION_FIELDS:
                definition = self._schema.get_field(runtime, name)  # type: ignore[arg-type]
            type_ = definition.type if definition is not None else None
            collected.append(
                CollectedField(
                    key=response_key,
                    name=name,
                    label=f"{runtime.name}.{name}",
                    type=type_,
                    selection_sets=tuple(n.selection_set for n in nodes if n.selection_set),
                    nodes=tuple(nodes),
                    kind=_kind(name, type_),
                )
            )
        result = cache[key] = tuple(collected)
        return result

    def _collect_into(
        self,
        variables: Mapping[str, Any],
        runtime: GraphQLNamedType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not _included(selection, variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._types.satisfies(runtime.name, condition.name.value):
                    self._collect_into(
                        variables, runtime, selection.selection_set, grouped, visited
                    )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._types.satisfies(runtime.name, fragment.type_condition.name.value):
                    self._collect_into(variables, runtime, fragment.selection_set, grouped, visited)


class Collection:
    """An operation's fields under one request's variables."""

    __slots__ = ("_cache", "_collector", "_shapes", "conditions", "variables")

    def __init__(
        self,
        collector: FieldCollector,
        cache: dict[_CacheKey, tuple[CollectedField, ...]],
        shapes: dict[_CacheKey, Shape],
        variables: Mapping[str, Any],
        conditions: tuple[bool, ...],
    ) -> None:
        self._collector = collector
        self._cache = cache
        self._shapes = shapes
        self.variables = variables
        self.conditions = conditions

    def shape(
        self, runtime: GraphQLNamedType, selection_sets: tuple[SelectionSetNode, ...]
    ) -> Shape:
        """The fields of `fields`, sorted for a fast projection (cached like them)."""
        key = (runtime.name, id(selection_sets))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _shape(runtime, self.fields(runtime, selection_sets))
        return shape

    def fields(
        self, runtime: GraphQLNamedType, selection_sets: tuple[SelectionSetNode, ...]
    ) -> tuple[CollectedField, ...]:
        """The fields `selection_sets` select on `runtime`, grouped by response key, in order."""
        return self._collector.collect(self._cache, self.variables, runtime, selection_sets)


def _scalar_types(type_: GraphQLOutputType | None) -> frozenset[type] | None:
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return scalar_types(named) if isinstance(named, GraphQLScalarType) else None


def _kind(name: str, type_: GraphQLOutputType | None) -> int:
    if name == "__typename":
        return TYPENAME
    if type_ is None:
        return COPY
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not is_leaf_type(named) or is_enum_type(named):
        return COMPLETE
    return REQUIRED_SCALAR if named is not type_ else COPY


def _included(node: Any, variables: Mapping[str, Any]) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value = False
        for argument in directive.arguments:
            if argument.name.value != "if":
                continue
            if isinstance(argument.value, BooleanValueNode):
                value = argument.value.value
            elif isinstance(argument.value, VariableNode):
                value = bool(variables.get(argument.value.name.value))
        if value == (name == "skip"):
            return False
    return True


def _condition_variables(roots: Iterable[Any]) -> set[str]:
    names: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                names.update(
                    a.value.name.value
                    for a in directive.arguments
                    if isinstance(a.value, VariableNode)
                )
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return names
