"""Entity representations: projected from merged objects by a fetch's `requires`, deduplicated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    GraphQLNamedType,
    GraphQLSchema,
    get_named_type,
    is_interface_type,
    is_non_null_type,
    is_object_type,
)

from renku_fed.router.execution.rewrites import apply_rewrites
from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import Rewrite, SelectedField, SelectedFragment, Selection

_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Field:
    read_key: str
    name: str
    nullable: bool
    selections: tuple[_Field | _Fragment, ...] | None


@dataclass(frozen=True, slots=True)
class _Fragment:
    type_condition: str
    selections: tuple[_Field | _Fragment, ...]


@dataclass(slots=True)
class Representations:
    """The deduplicated representations of one fetch and the merged objects each one stands for."""

    items: list[dict[str, Any]] = field(default_factory=list)
    targets: list[list[dict[str, Any]]] = field(default_factory=list)


class RepresentationBuilder:
    """Builds `_entities` representations for one fetch; compiled once from its `requires`."""

    def __init__(
        self,
        requires: tuple[Selection, ...],
        input_rewrites: tuple[Rewrite, ...],
        schema: GraphQLSchema,
        types: TypeIndex,
    ) -> None:
        self._selections = _compile(requires, None, schema)
        self._conditions = tuple(
            s.type_condition for s in self._selections if isinstance(s, _Fragment)
        )
        self._rewrites = input_rewrites
        self._types = types
        self._matches: dict[object, bool] = {}
        self._keys = None if input_rewrites else _flat_keys(self._selections)

    def build(self, reached: list[dict[str, Any]]) -> Representations:
        """One representation per distinct projected object; objects lacking a key are skipped."""
        if self._keys is not None:
            return self._build_flat(reached, *self._keys)
        result = Representations()
        index_of: dict[bytes, int] = {}
        for obj in reached:
            representation = self.project(obj)
            if representation is None:
                continue
            canonical = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            index = index_of.get(canonical)
            if index is None:
                index_of[canonical] = len(result.items)
                result.items.append(representation)
                result.targets.append([obj])
            else:
                result.targets[index].append(obj)
        return result

    def _build_flat(
        self, reached: list[dict[str, Any]], condition: str | None, fields: tuple[_Field, ...]
    ) -> Representations:
        """`build` for a selection of leaf fields (under at most one type condition)."""
        result = Representations()
        items, targets = result.items, result.targets
        index_of: dict[object, int] = {}
        matches = self._matches
        for obj in reached:
            if condition is not None:
                match = matches.get(obj.get("__typename"))
                if not (self._matches_condition(obj, condition) if match is None else match):
                    continue
            representation: dict[str, Any] = {}
            strings = True
            for selection in fields:
                value = obj.get(selection.read_key, _MISSING)
                if value is _MISSING or (value is None and not selection.nullable):
                    break
                representation[selection.name] = value
                strings = strings and type(value) is str
            else:
                # Strings compare as JSON does; anything else is compared by its JSON text.
                key: object = (
                    tuple(representation.values())
                    if strings
                    else orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
                )
                index = index_of.get(key)
                if index is None:
                    index_of[key] = len(items)
                    items.append(representation)
                    targets.append([obj])
                else:
                    targets[index].append(obj)
        return result

    def _matches_condition(self, obj: dict[str, Any], condition: str) -> bool:
        typename = obj.get("__typename")
        matches = self._matches.get(typename)
        if matches is None:
            matches = isinstance(typename, str) and self._types.related(typename, condition)
            self._matches[typename] = matches
        return matches

    def project(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The representation of one object, or None when it lacks a required value."""
        if self._conditions:
            typename = obj.get("__typename")
            if not isinstance(typename, str) or not any(
                self._types.related(typename, c) for c in self._conditions
            ):
                return None
        out: dict[str, Any] = {}
        if not _project_into(obj, self._selections, out, self._types):
            return None
        if self._rewrites:
            apply_rewrites(out, self._rewrites, self._types)
        return out


def _flat_keys(
    selections: tuple[_Field | _Fragment, ...],
) -> tuple[str | None, tuple[_Field, ...]] | None:
    """(type condition, leaf fields) when the selection is that simple (most keys), else None."""
    condition = None
    if len(selections) == 1 and isinstance(selections[0], _Fragment):
        condition, selections = selections[0].type_condition, selections[0].selections
    fields = tuple(s for s in selections if isinstance(s, _Field) and s.selections is None)
    return (condition, fields) if len(fields) == len(selections) else None


def _project_into(
    obj: dict[str, Any],
    selections: tuple[_Field | _Fragment, ...],
    out: dict[str, Any],
    types: TypeIndex,
) -> bool:
    for selection in selections:
        if isinstance(selection, _Fragment):
            typename = obj.get("__typename")
            if isinstance(typename, str) and not types.related(typename, selection.type_condition):
                continue
            if not _project_into(obj, selection.selections, out, types):
                return False
            continue
        value = obj.get(selection.read_key, _MISSING)
        if value is _MISSING or (value is None and not selection.nullable):
            return False
        if value is not None and selection.selections is not None:
            value = _project_value(value, selection.selections, types)
            if value is _MISSING:
                return False
        out[selection.name] = value
    return True


def _project_value(value: Any, selections: tuple[_Field | _Fragment, ...], types: TypeIndex) -> Any:
    if isinstance(value, list):
        items = []
        for item in value:
            projected = item if item is None else _project_value(item, selections, types)
            if projected is _MISSING:
                return _MISSING
            items.append(projected)
        return items
    if not isinstance(value, dict):
        return value
    nested: dict[str, Any] = {}
    return nested if _project_into(value, selections, nested, types) else _MISSING


def _compile(
    selections: tuple[Selection, ...], parent: GraphQLNamedType | None, schema: GraphQLSchema
) -> tuple[_Field | _Fragment, ...]:
    compiled: list[_Field | _Fragment] = []
    for selection in selections:
        if isinstance(selection, SelectedFragment):
            target = schema.get_type(selection.type_condition)
            compiled.append(
                _Fragment(selection.type_condition, _compile(selection.selections, target, schema))
            )
            continue
        compiled.append(_compile_field(selection, parent, schema))
    return tuple(compiled)


def _compile_field(
    selection: SelectedField, parent: GraphQLNamedType | None, schema: GraphQLSchema
) -> _Field:
    definition = None
    if (is_object_type(parent) or is_interface_type(parent)) and parent is not None:
        definition = parent.fields.get(selection.name)
    # A field the API schema hides (inaccessible) has no known nullability: accept a null.
    nullable = selection.name != "__typename" and (
        definition is None or not is_non_null_type(definition.type)
    )
    child = get_named_type(definition.type) if definition is not None else None
    nested = _compile(selection.selections, child, schema) if selection.selections else None
    return _Field(selection.response_key, selection.name, nullable, nested)
