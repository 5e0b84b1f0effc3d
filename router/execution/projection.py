"""Response shaping: merged data cut to exactly the client's selection, with null propagation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
    is_non_null_type,
    is_object_type,
)

from renku_fed.router.authorization import unauthorized_error
from renku_fed.router.errors import ErrorCode
from renku_fed.router.execution.collect import (
    COPY,
    INTROSPECTION_FIELDS,
    REQUIRED_SCALAR,
    TYPENAME,
    CollectedField,
    Collection,
    FieldCollector,
    ObjectCompletion,
)
from renku_fed.router.execution.response_policy import fits_scalar
from renku_fed.router.execution.typeindex import TypeIndex


class _Bubble:
    """A null in a non-null position, on its way to the nearest nullable parent."""


_BUBBLE = _Bubble()


class _Run:
    """Per-request state: the field collection, the errors so far and the paths they cover."""

    __slots__ = (
        "errors",
        "exact",
        "fields",
        "path",
        "prefixes",
        "problems",
        "removed",
        "report_removed",
        "shape",
    )

    def __init__(
        self,
        errors: list[dict[str, Any]],
        collection: Collection,
        covered: Iterable[tuple[str | int, ...]] = (),
        removed: frozenset[int] = frozenset(),
        report_removed: bool = True,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        self.errors = errors
        self.problems = errors if problems is None else problems
        self.fields = collection.fields
        self.shape = collection.shape
        self.removed = removed
        self.report_removed = report_removed
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
        """Record a value-completion problem at the current path (skipped if an error on it or
        near it exists), among the errors or the `problems` kept apart (response_policy.py).
        """
        path = tuple(self.path)
        if unless_covered and (
            path in self.prefixes or any(path[:i] in self.exact for i in range(len(path)))
        ):
            return
        self._cover(path)
        self.problems.append(
            {
                "message": message,
                "path": list(path),
                "extensions": {"code": ErrorCode.RESPONSE_VALIDATION_FAILED},
            }
        )

    def is_removed(self, field: CollectedField) -> bool:
        """Whether authorization removed every node of the field from the planned operation."""
        return all(id(node) in self.removed for node in field.nodes)

    def add_unauthorized(self) -> None:
        """Record the current path as unauthorized (with an error when they are reported)."""
        path = tuple(self.path)
        self._cover(path)
        if self.report_removed:
            self.errors.append(unauthorized_error(list(path)))


def _fits(field: CollectedField, value: Any) -> bool:
    """Whether a leaf's value may be copied as is (built-in scalars are checked)."""
    type_ = field.type
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return not isinstance(named, GraphQLScalarType) or fits_scalar(named, value)


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
        self._root_selection = (operation.selection_set,)
        self._collector = FieldCollector(schema, types, operation, self._fragments)
        self._introspection: dict[tuple[bool, ...], DocumentNode | None] = {}

    def introspection_document(self, variables: Mapping[str, Any]) -> DocumentNode | None:
        """A document of only the root `__schema`/`__type` fields, or None when none is asked."""
        collection = self._collector.for_variables(variables)
        conditions = collection.conditions
        if conditions not in self._introspection:
            fields = [
                node
                for c in collection.fields(self._root, self._root_selection)
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
        removed: frozenset[int] = frozenset(),
        report_removed: bool = True,
        problems: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any] | None:
        """The client's `data` (None when a null reached the root); `errors` gains new errors.

        `covered` lists paths whose absence is already explained (a failed fetch); `removed`
        holds the ids of field nodes authorization removed, answered with null (and an
        UNAUTHORIZED_FIELD_OR_TYPE error when `report_removed`); values that do not fit their
        type are reported in `problems` when given, else among the errors.
        """
        run = _Run(
            errors,
            self._collector.for_variables(variables),
            covered,
            removed,
            report_removed,
            problems,
        )
        result = self._object(run, data, self._root, self._root.name, self._root_selection)
        return None if isinstance(result, _Bubble) else result

    def _object(
        self,
        run: _Run,
        obj: dict[str, Any],
        runtime: GraphQLNamedType,
        typename: str,
        selection_sets: tuple[SelectionSetNode, ...],
    ) -> dict[str, Any] | _Bubble:
        shape = run.shape(runtime, selection_sets)
        if not shape.fast or run.removed:
            return self._checked_object(run, obj, runtime, typename, shape.fields)
        # Every value in one pass; only composite fields, and a missing non-null scalar (which
        # the checked walk reports), need more.
        get = obj.get
        out = {}
        for key, is_typename in shape.pairs:
            out[key] = typename if is_typename else get(key)
        for key in shape.required:
            if out[key] is None:
                return self._checked_object(run, obj, runtime, typename, shape.fields)
        for key, accepted in shape.scalars:
            if type(out[key]) not in accepted:
                return self._checked_object(run, obj, runtime, typename, shape.fields)
        path = run.path
        for field, completion in shape.composite:
            key = field.key
            path.append(key)
            if completion is None:
                assert field.type is not None
                value = self._complete(run, field, field.type, out[key])
            else:
                value = self._complete_objects(run, field, completion, out[key])
            path.pop()
            if isinstance(value, _Bubble):
                return _BUBBLE
            out[key] = value
        return out

    def _complete_objects(
        self, run: _Run, field: CollectedField, completion: ObjectCompletion, value: Any
    ) -> Any:
        """`_complete` for an object or a list of objects of one object type, with fewer calls."""
        result: list[Any] | dict[str, Any] | _Bubble | None
        if completion.is_list:
            if type(value) is not list:
                assert field.type is not None
                return self._complete(run, field, field.type, value)
            result = self._object_list(run, field, completion, value)
        else:
            if type(value) is not dict:
                assert field.type is not None
                return self._complete(run, field, field.type, value)
            object_type = completion.object_type
            result = self._object(run, value, object_type, object_type.name, field.selection_sets)
            if isinstance(result, _Bubble):
                result = None
        if result is None and completion.non_null:
            run.add_error(
                f"Cannot return null for non-nullable field {field.label}.", unless_covered=True
            )
            return _BUBBLE
        return result

    def _object_list(
        self, run: _Run, field: CollectedField, completion: ObjectCompletion, value: list[Any]
    ) -> list[Any] | None:
        object_type, item_type = completion.object_type, completion.item_type
        name, selection_sets = object_type.name, field.selection_sets
        item_non_null = isinstance(item_type, GraphQLNonNull)
        path = run.path
        items: list[Any] = []
        for index, item in enumerate(value):
            path.append(index)
            completed: Any
            if type(item) is dict:
                completed = self._object(run, item, object_type, name, selection_sets)
                if completed is _BUBBLE:
                    if item_non_null:
                        run.add_error(
                            f"Cannot return null for non-nullable field {field.label}.",
                            unless_covered=True,
                        )
                        path.pop()
                        return None
                    completed = None
            else:
                completed = self._complete(run, field, item_type, item)
                if completed is _BUBBLE:
                    path.pop()
                    return None
            path.pop()
            items.append(completed)
        return items

    def _checked_object(
        self,
        run: _Run,
        obj: dict[str, Any],
        runtime: GraphQLNamedType,
        typename: str,
        fields: tuple[CollectedField, ...],
    ) -> dict[str, Any] | _Bubble:
        out: dict[str, Any] = {}
        for field in fields:
            if run.removed and run.is_removed(field):
                run.path.append(field.key)
                run.add_unauthorized()
                run.path.pop()
                if field.type is not None and is_non_null_type(field.type):
                    return _BUBBLE
                out[field.key] = None
                continue
            kind = field.kind
            if kind == COPY and _fits(field, obj.get(field.key)):
                out[field.key] = obj.get(field.key)
                continue
            if kind == TYPENAME:
                if not is_object_type(runtime):
                    # the fetch of the real type failed: an interface name is no answer
                    run.path.append(field.key)
                    run.add_error(
                        f"Cannot return null for non-nullable field {runtime.name}.__typename.",
                        unless_covered=True,
                    )
                    run.path.pop()
                    return _BUBBLE
                out[field.key] = typename
                continue
            value = obj.get(field.key)
            if kind == REQUIRED_SCALAR and value is not None and _fits(field, value):
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
    ) -> tuple[GraphQLNamedType, str] | None:
        """The object's type and `__typename`; None when its type is hidden from clients."""
        if isinstance(static, GraphQLObjectType):
            return static, static.name
        typename = obj.get("__typename")
        if not isinstance(typename, str):
            return static, static.name
        named = self._schema.get_type(typename)
        if is_object_type(named):
            return (named, typename) if self._types.satisfies(typename, static.name) else None
        # An abstract name (an interface object's view) says nothing more than the static type.
        return (static, typename) if named is not None else None

    def _complete(
        self, run: _Run, field: CollectedField, type_: GraphQLOutputType, value: Any
    ) -> Any:
        if isinstance(type_, GraphQLNonNull):
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
        self, run: _Run, field: CollectedField, type_: GraphQLOutputType, value: Any
    ) -> Any:
        if value is None:
            return None
        if isinstance(type_, GraphQLList):
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
        if isinstance(type_, GraphQLScalarType):
            if not fits_scalar(type_, value):
                run.add_error(
                    f"Invalid value found for field {field.label}: "
                    f"{value!r} is not a valid {type_.name} value."
                )
                return None
            return value
        if isinstance(type_, GraphQLEnumType):
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
        runtime = self._runtime_type(value, type_)  # type: ignore[arg-type]
        if runtime is None:
            run.add_error(
                f"{field.label} returned a {value.get('__typename')!r} object, a type that is "
                f"not part of the API."
            )
            return None
        result = self._object(run, value, *runtime, field.selection_sets)
        return None if isinstance(result, _Bubble) else result
