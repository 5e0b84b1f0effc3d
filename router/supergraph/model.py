"""The immutable supergraph model: which subgraph resolves which type, field, key and value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from graphql import GraphQLSchema


class TypeKind(Enum):
    """The kind of a named type in the supergraph."""

    OBJECT = "object"
    INTERFACE = "interface"
    UNION = "union"
    ENUM = "enum"
    INPUT = "input"
    SCALAR = "scalar"


@dataclass(frozen=True, slots=True)
class SubgraphInfo:
    """A subgraph: its name (as in `join__graph(name:)`) and URL."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """One `@key` of an entity in one subgraph."""

    graph: str
    fields: str
    resolvable: bool


@dataclass(frozen=True, slots=True)
class ContextArgumentInfo:
    """An argument a subgraph takes from an ancestor's context (`join__ContextArgument`)."""

    name: str
    type: str
    context: str
    selection: str


@dataclass(frozen=True, slots=True)
class FieldInGraph:
    """How one subgraph declares a field (from `@join__field`)."""

    graph: str
    type: str
    external: bool = False
    requires: str | None = None
    provides: str | None = None
    override_from: str | None = None
    override_label: str | None = None
    used_overridden: bool = False
    context_arguments: tuple[ContextArgumentInfo, ...] = ()

    @property
    def from_context(self) -> bool:
        """Whether some argument comes from an ancestor's context (an entity fetch sends it)."""
        return bool(self.context_arguments)

    def resolvable(self, active_labels: frozenset[str]) -> bool:
        """Whether this subgraph may return the field, given the active override labels."""
        if self.external or self.used_overridden:
            return False
        if self.override_label is None:
            return True
        active = self.override_label in active_labels
        return active if self.override_from is not None else not active


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A field of an object or interface type, with its per-subgraph declarations."""

    name: str
    type: str
    named_type: str
    graphs: Mapping[str, FieldInGraph]


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """A named type and its per-subgraph membership, keys and relations."""

    name: str
    kind: TypeKind
    graphs: frozenset[str]
    keys: tuple[KeyInfo, ...]
    interface_object_graphs: frozenset[str]
    fields: Mapping[str, FieldInfo]
    possible_types_by_graph: Mapping[str, frozenset[str]]
    enum_values_by_graph: Mapping[str, frozenset[str]]
    contexts: frozenset[str] = frozenset()
    """The `@context` names this type sets."""


@dataclass(frozen=True, slots=True)
class SupergraphModel:
    """Everything the planner needs to know about the supergraph, precomputed at load."""

    schema: GraphQLSchema
    subgraphs: Mapping[str, SubgraphInfo]
    types: Mapping[str, TypeInfo]
    root_types: Mapping[str, str]
    override_labels: frozenset[str]

    def field(self, type_name: str, field_name: str) -> FieldInfo | None:
        """The field `type_name.field_name`, or None when the type has no such field."""
        info = self.types.get(type_name)
        return None if info is None else info.fields.get(field_name)

    def is_abstract(self, type_name: str) -> bool:
        """Whether the named type is an interface or a union."""
        info = self.types.get(type_name)
        return info is not None and info.kind in (TypeKind.INTERFACE, TypeKind.UNION)

    def is_composite(self, type_name: str) -> bool:
        """Whether the named type has selections (object, interface or union)."""
        info = self.types.get(type_name)
        return info is not None and info.kind in (
            TypeKind.OBJECT,
            TypeKind.INTERFACE,
            TypeKind.UNION,
        )

    def possible_types(self, type_name: str) -> frozenset[str]:
        """Object types a value of `type_name` can have, in the supergraph."""
        gtype = self.schema.get_type(type_name)
        if gtype is None:
            return frozenset()
        if self.is_abstract(type_name):
            return frozenset(t.name for t in self.schema.get_possible_types(gtype))  # type: ignore[arg-type]
        return frozenset({type_name})

    def possible_types_in(self, type_name: str, graph: str) -> frozenset[str]:
        """Object types a value of `type_name` can have when `graph` returns it."""
        info = self.types[type_name]
        if graph in info.interface_object_graphs:
            return frozenset({type_name})
        if info.kind is TypeKind.OBJECT:
            return frozenset({type_name}) if graph in info.graphs else frozenset()
        return info.possible_types_by_graph.get(graph, frozenset())
