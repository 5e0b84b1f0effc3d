"""Classifies every difference between two API schemas as breaking, dangerous or safe."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    print_ast,
)


class Level(Enum):
    """How a change affects existing clients."""

    BREAKING = "breaking"  # an operation valid before fails, or a response changes shape
    DANGEROUS = "dangerous"  # operations stay valid but may behave differently
    SAFE = "safe"  # nothing a client relied on changes


@dataclass(frozen=True, order=True)
class Change:
    """One difference, at a schema coordinate such as `Project.name` or `Query.project(id:)`."""

    level: Level
    coordinate: str
    description: str

    def __str__(self) -> str:
        return f"{self.level.value.upper():9}  {self.coordinate}  {self.description}"


def _kind(named: GraphQLNamedType) -> str:
    return type(named).__name__.removeprefix("GraphQL").removesuffix("Type").lower()


def _safe_output(old: Any, new: Any) -> bool:
    """Whether a field's type may change from `old` to `new` without breaking a reader."""
    if isinstance(old, GraphQLList):
        return (isinstance(new, GraphQLList) and _safe_output(old.of_type, new.of_type)) or (
            isinstance(new, GraphQLNonNull) and _safe_output(old, new.of_type)
        )
    if isinstance(old, GraphQLNonNull):
        return isinstance(new, GraphQLNonNull) and _safe_output(old.of_type, new.of_type)
    if isinstance(new, GraphQLNonNull):
        return _safe_output(old, new.of_type)
    return isinstance(new, GraphQLNamedType) and new.name == old.name


def _safe_input(old: Any, new: Any) -> bool:
    """Whether an argument's or input field's type may change without breaking a writer."""
    if isinstance(old, GraphQLList):
        return isinstance(new, GraphQLList) and _safe_input(old.of_type, new.of_type)
    if isinstance(old, GraphQLNonNull):
        inner = new.of_type if isinstance(new, GraphQLNonNull) else new
        return _safe_input(old.of_type, inner)
    return isinstance(new, GraphQLNamedType) and new.name == old.name


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    """The default as GraphQL text (graphql-core 3.3 keeps a literal in `default`), or None."""
    default = getattr(value, "default", None)
    if default is not None:
        literal = getattr(default, "literal", None)
        return print_ast(literal) if literal is not None else repr(default.value)
    return None if value.default_value is Undefined else repr(value.default_value)


def _required(value: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(value.type, GraphQLNonNull) and _default(value) is None


def _inputs(
    where: str,
    old: Mapping[str, GraphQLArgument] | Mapping[str, GraphQLInputField],
    new: Mapping[str, GraphQLArgument] | Mapping[str, GraphQLInputField],
    added_level: Level,
) -> Iterator[Change]:
    """Arguments of a field (`where` ends in `(`) or fields of an input type (ends in `.`)."""
    close = ":)" if where.endswith("(") else ""
    for name, before in old.items():
        at = f"{where}{name}{close}"
        after = new.get(name)
        if after is None:
            yield Change(Level.BREAKING, at, "removed")
            continue
        old_type: GraphQLInputType = before.type
        new_type: GraphQLInputType = after.type
        if str(old_type) != str(new_type):
            level = Level.SAFE if _safe_input(old_type, new_type) else Level.BREAKING
            yield Change(level, at, f"type changed from {old_type} to {new_type}")
        if _default(before) != _default(after):
            yield Change(Level.DANGEROUS, at, "default value changed")
    for name, after in new.items():
        if name not in old:
            at = f"{where}{name}{close}"
            if _required(after):
                yield Change(Level.BREAKING, at, f"required {after.type} added")
            else:
                yield Change(added_level, at, f"optional {after.type} added")


def _fields(
    name: str,
    old: GraphQLObjectType | GraphQLInterfaceType,
    new: GraphQLObjectType | GraphQLInterfaceType,
) -> Iterator[Change]:
    for field_name, before in old.fields.items():
        after = new.fields.get(field_name)
        at = f"{name}.{field_name}"
        if after is None:
            yield Change(Level.BREAKING, at, "field removed")
            continue
        old_type: GraphQLOutputType = before.type
        new_type: GraphQLOutputType = after.type
        if str(old_type) != str(new_type):
            level = Level.SAFE if _safe_output(old_type, new_type) else Level.BREAKING
            yield Change(level, at, f"type changed from {old_type} to {new_type}")
        yield from _inputs(f"{at}(", before.args, after.args, Level.SAFE)
        if after.deprecation_reason and not before.deprecation_reason:
            yield Change(Level.SAFE, at, "deprecated")
    for field_name in new.fields.keys() - old.fields.keys():
        yield Change(Level.SAFE, f"{name}.{field_name}", "field added")
    old_ifaces = {i.name for i in old.interfaces}
    new_ifaces = {i.name for i in new.interfaces}
    for iface in sorted(old_ifaces - new_ifaces):
        yield Change(Level.BREAKING, name, f"no longer implements {iface}")
    for iface in sorted(new_ifaces - old_ifaces):
        yield Change(Level.DANGEROUS, name, f"now implements {iface}")


def _members(name: str, old: set[str], new: set[str], what: str) -> Iterator[Change]:
    for member in sorted(old - new):
        yield Change(Level.BREAKING, f"{name}.{member}", f"{what} removed")
    for member in sorted(new - old):
        yield Change(Level.DANGEROUS, f"{name}.{member}", f"{what} added")


def _type(name: str, old: GraphQLNamedType, new: GraphQLNamedType) -> Iterator[Change]:
    if type(old) is not type(new):
        yield Change(Level.BREAKING, name, f"changed from {_kind(old)} to {_kind(new)}")
    elif isinstance(old, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(new, GraphQLObjectType | GraphQLInterfaceType)
        yield from _fields(name, old, new)
    elif isinstance(old, GraphQLInputObjectType):
        assert isinstance(new, GraphQLInputObjectType)
        yield from _inputs(f"{name}.", old.fields, new.fields, Level.DANGEROUS)
    elif isinstance(old, GraphQLEnumType):
        assert isinstance(new, GraphQLEnumType)
        yield from _members(name, set(old.values), set(new.values), "enum value")
    elif isinstance(old, GraphQLUnionType):
        assert isinstance(new, GraphQLUnionType)
        old_members, new_members = {t.name for t in old.types}, {t.name for t in new.types}
        yield from _members(name, old_members, new_members, "union member")


def diff_schemas(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Every difference from `old` to `new`, breaking first, then by coordinate."""
    changes: list[Change] = []
    old_types = {n: t for n, t in old.type_map.items() if not n.startswith("__")}
    new_types = {n: t for n, t in new.type_map.items() if not n.startswith("__")}
    for name, before in old_types.items():
        after = new_types.get(name)
        if after is None:
            changes.append(Change(Level.BREAKING, name, f"{_kind(before)} removed"))
        else:
            changes.extend(_type(name, before, after))
    for name in new_types.keys() - old_types.keys():
        changes.append(Change(Level.SAFE, name, f"{_kind(new_types[name])} added"))
    old_directives = {d.name for d in old.directives}
    for directive in old_directives - {d.name for d in new.directives}:
        changes.append(Change(Level.BREAKING, f"@{directive}", "directive removed"))
    order = list(Level)
    return sorted(changes, key=lambda c: (order.index(c.level), c.coordinate, c.description))
