"""Response shaping: merged data cut to exactly the client's selection, with null propagation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    execute_sync,
    is_enum_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)

from router.execution.typeindex import TypeIndex

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class _Bubble:
    """A null in a non-null position, on its way to the nearest nullable parent."""


_BUBBLE = _Bubble()

# How a collected field is completed; leaves that need no checks skip the generic walk.
_TYPENAME, _COPY, _REQUIRED_SCALAR, _COMPLETE = range(4)


@dataclass(frozen=True, slots=True)
class _Collected:
    key: str
    name: str
    label: str
    type: GraphQLOutputType | None
    selection_sets: tuple[SelectionSetNode, ...]
    nodes: tuple[FieldNode, ...]
    kind: int


class _Run:
    """Per-request state: variables, the errors so far and the paths they cover."""

    __slots__ = ("collected", "errors", "exact", "path", "prefixes", "variables")

    def __init__(
        self,
        errors: list[dict[str, Any]],
        variables: Mapping[str, Any],
        collected: dict[tuple[str, tuple[int, ...]], tuple[_Collected, ...]],
        covered: Iterable[tuple[str | int, ...]] = (),
    ) -> None:
        self.errors = errors
        self.variables = variables
        self.collected = collected
        self.path: list[str | int] = []
        self.exact: set[tuple[str | int, ...]] = set()
        self.prefixes: set[tuple[str | int, ...]] = set()
        for error in errors:
            path = error.get("path")
            if isinstance(path, list):
                self._cover(tuple(path))
        for path in covered:
            self._cover(path)

    def _cover(self, path: tuple[str | int, ...]) -> None:
        self.exact.add(path)
        self.prefixes.update(path[:i] for i in range(len(path) + 1))

    def add_error(self, message: str, *, unless_covered: bool = False) -> None:
        """Record an error at the current path (skipped if an error on it or near it exists)."""
        path = tuple(self.path)
        if unless_covered and (
            path in self.prefixes or any(path[:i] in self.exact for i in range(len(path)))
        ):
            return
        self._cover(path)
        self.errors.append({"message": message, "path": list(path)})


class OperationProjector:
    """Shapes merged data for one operation of one document; collected fields are cached."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        types: TypeIndex,
    ) -> None:
        self._schema = schema
        self._types = types
        self._operation = operation
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        root = schema.get_root_type(operation.operation)
        if root is None:
            raise ValueError(f"The schema has no {operation.operation.value} type.")
        self._root = root
        self._condition_variables = tuple(
            sorted(_condition_variables([operation, *self._fragments.values()]))
        )
        self._collected_by_conditions: dict[
            tuple[bool, ...], dict[tuple[str, tuple[int, ...]], tuple[_Collected, ...]]
        ] = {}
        self._introspection: dict[tuple[bool, ...], DocumentNode | None] = {}

    @property
    def root_type(self) -> GraphQLObjectType:
        """The operation's root type (Query, Mutation or Subscription)."""
        return self._root

    def introspection_document(self, variables: Mapping[str, Any]) -> DocumentNode | None:
        """A document of only the root `__schema`/`__type` fields, or None when none is asked."""
        conditions = self._conditions(variables)
        if conditions not in self._introspection:
            run = _Run([], variables, self._collected_for(conditions))
            fields = [
                node
                for c in self._collect(run, self._root, (self._operation.selection_set,))
                if c.name in INTROSPECTION_FIELDS
                for node in c.nodes
            ]
            self._introspection[conditions] = (
                DocumentNode(
                    definitions=(
                        OperationDefinitionNode(
                            operation=OperationType.QUERY,
                            variable_definitions=self._operation.variable_definitions,
                            directives=(),
                            selection_set=SelectionSetNode(selections=tuple(fields)),
                        ),
                        *self._fragments.values(),
                    )
                )
                if fields
                else None
            )
        return self._introspection[conditions]

    def introspect(
        self, variables: Mapping[str, Any], raw_variables: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Answer the root introspection fields from the API schema (empty when none is asked)."""
        document = self.introspection_document(variables)
        if document is None:
            return {}, []
        result = execute_sync(self._schema, document, variable_values=dict(raw_variables or {}))
        return result.data or {}, [dict(e.formatted) for e in result.errors or ()]

    def project(
        self,
        data: dict[str, Any],
        errors: list[dict[str, Any]],
        variables: Mapping[str, Any],
        covered: Iterable[tuple[str | int, ...]] = (),
    ) -> dict[str, Any] | None:
        """The client's `data` (None when a null reached the root); `errors` gains new errors.

        `covered` lists paths whose absence is already explained (a failed fetch).
        """
        run = _Run(errors, variables, self._collected_for(self._conditions(variables)), covered)
        result = self._object(run, data, self._root, (self._operation.selection_set,))
        return None if isinstance(result, _Bubble) else result

    def _conditions(self, variables: Mapping[str, Any]) -> tuple[bool, ...]:
        return tuple(bool(variables.get(name)) for name in self._condition_variables)

    def _collected_for(
        self, conditions: tuple[bool, ...]
    ) -> dict[tuple[str, tuple[int, ...]], tuple[_Collected, ...]]:
        cache = self._collected_by_conditions.get(conditions)
        if cache is None:
            cache = self._collected_by_conditions[conditions] = {}
        return cache

    def _object(
        self,
        run: _Run,
        obj: dict[str, Any],
        static: GraphQLNamedType,
        selection_sets: tuple[SelectionSetNode, ...],
    ) -> dict[str, Any] | _Bubble:
        runtime, typename = self._runtime_type(obj, static)
        out: dict[str, Any] = {}
        for field in self._collect(run, runtime, selection_sets):
            kind = field.kind
            if kind == _COPY:
                out[field.key] = obj.get(field.key)
                continue
            if kind == _TYPENAME:
                out[field.key] = typename
                continue
            value = obj.get(field.key)
            if kind == _REQUIRED_SCALAR and value is not None:
                out[field.key] = value
                continue
            assert field.type is not None
            run.path.append(field.key)
            value = self._complete(run, field, field.type, value)
            run.path.pop()
            if isinstance(value, _Bubble):
                return _BUBBLE
            out[field.key] = value
        return out

    def _runtime_type(
        self, obj: dict[str, Any], static: GraphQLNamedType
    ) -> tuple[GraphQLNamedType, str]:
        if is_object_type(static):
            return static, static.name
        typename = obj.get("__typename")
        if isinstance(typename, str):
            named = self._schema.get_type(typename)
            if is_object_type(named) and self._types.satisfies(typename, static.name):
                return named, typename
            return static, typename
        return static, static.name

    def _complete(self, run: _Run, field: _Collected, type_: GraphQLOutputType, value: Any) -> Any:
        if is_non_null_type(type_):
            assert isinstance(type_, GraphQLNonNull)
            result = self._complete_nullable(run, field, type_.of_type, value)
            if result is None:
                run.add_error(
                    f"Cannot return null for non-nullable field {field.label}.",
                    unless_covered=True,
                )
                return _BUBBLE
            return result
        return self._complete_nullable(run, field, type_, value)

    def _complete_nullable(
        self, run: _Run, field: _Collected, type_: GraphQLOutputType, value: Any
    ) -> Any:
        if value is None:
            return None
        if is_list_type(type_):
            assert isinstance(type_, GraphQLList)
            if not isinstance(value, list):
                run.add_error(f"Expected a list for field {field.label}.")
                return None
            items = []
            for index, item in enumerate(value):
                run.path.append(index)
                completed = self._complete(run, field, type_.of_type, item)
                run.path.pop()
                if isinstance(completed, _Bubble):
                    return None
                items.append(completed)
            return items
        if is_leaf_type(type_):
            if is_enum_type(type_):
                assert isinstance(type_, GraphQLEnumType)
                if not isinstance(value, str) or value not in type_.values:
                    run.add_error(
                        f"Invalid value found for field {field.label}: "
                        f"{value!r} is not a valid {type_.name} enum value."
                    )
                    return None
            return value
        if not isinstance(value, dict):
            run.add_error(f"Expected an object for field {field.label}.")
            return None
        result = self._object(run, value, type_, field.selection_sets)  # type: ignore[arg-type]
        return None if isinstance(result, _Bubble) else result

    def _collect(
        self,
        run: _Run,
        runtime: GraphQLNamedType,
        selection_sets: tuple[SelectionSetNode, ...],
    ) -> tuple[_Collected, ...]:
        key = (runtime.name, tuple(id(s) for s in selection_sets))
        cached = run.collected.get(key)
        if cached is not None:
            return cached
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(run, runtime, selection_set, grouped, visited)
        fields = (
            getattr(runtime, "fields", {})
            if is_object_type(runtime) or is_interface_type(runtime)
            else {}
        )
        collected = []
        for response_key, nodes in grouped.items():
            name = nodes[0].name.value
            definition: GraphQLField | None = fields.get(name)
            if definition is None and name in INTROSPECTION_FIELDS:
                definition = self._schema.get_field(runtime, name)  # type: ignore[arg-type]
            type_ = definition.type if definition is not None else None
            collected.append(
                _Collected(
                    key=response_key,
                    name=name,
                    label=f"{runtime.name}.{name}",
                    type=type_,
                    selection_sets=tuple(n.selection_set for n in nodes if n.selection_set),
                    nodes=tuple(nodes),
                    kind=_kind(name, type_),
                )
            )
        result = run.collected[key] = tuple(collected)
        return result

    def _collect_into(
        self,
        run: _Run,
        runtime: GraphQLNamedType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not _included(selection, run.variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._types.satisfies(runtime.name, condition.name.value):
                    self._collect_into(run, runtime, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._types.satisfies(runtime.name, fragment.type_condition.name.value):
                    self._collect_into(run, runtime, fragment.selection_set, grouped, visited)


def _kind(name: str, type_: GraphQLOutputType | None) -> int:
    if name == "__typename":
        return _TYPENAME
    if type_ is None:
        return _COPY
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not is_leaf_type(named) or is_enum_type(named):
        return _COMPLETE
    return _REQUIRED_SCALAR if named is not type_ else _COPY


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
