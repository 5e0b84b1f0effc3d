"""The merged schema with its join metadata, as composition builds it before printing."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import ConstValueNode, DirectiveNode

from renku_fed.router.composition.subgraph import Alternatives, ComposedDirective, Kind, ListSize
from renku_fed.router.composition.typerefs import TypeRef


@dataclass(frozen=True)
class Graph:
    """A subgraph as the supergraph names it: `join__Graph` value, name and URL."""

    enum_value: str
    name: str
    url: str


@dataclass
class Directives:
    """Directives printed as they are: @inaccessible, @tag and kept ones (merged, deduplicated)."""

    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    kept: list[DirectiveNode] = field(default_factory=list)
    authenticated: bool = False
    scopes: Alternatives | None = None
    policies: Alternatives | None = None
    cost: int | None = None
    list_size: ListSize | None = None
    contexts: list[str] = field(default_factory=list)
    """`@context` names set on a type, prefixed with their subgraph's name as Apollo does."""


@dataclass(frozen=True)
class ContextArgument:
    """One `join__ContextArgument`: an argument a subgraph takes from an ancestor's context."""

    name: str
    type: str
    context: str
    selection: str


@dataclass(frozen=True)
class JoinField:
    """One `@join__field` application."""

    graph: str | None = None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None
    context_arguments: tuple[ContextArgument, ...] = ()


@dataclass(frozen=True)
class JoinType:
    """One `@join__type` application."""

    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    interface_object: bool = False


@dataclass
class MergedInput:
    """A merged argument or input field."""

    name: str
    type: TypeRef
    default: ConstValueNode | None
    description: str | None
    directives: Directives
    join_fields: list[JoinField] = field(default_factory=list)


@dataclass
class MergedField:
    """A merged object or interface field."""

    name: str
    type: TypeRef
    description: str | None
    args: dict[str, MergedInput]
    directives: Directives
    join_fields: list[JoinField] = field(default_factory=list)


@dataclass
class MergedEnumValue:
    """A merged enum value and the graphs that define it."""

    name: str
    description: str | None
    directives: Directives
    graphs: list[str] = field(default_factory=list)


@dataclass
class MergedType:
    """A merged named type with its `@join__type`, `@join__implements`, `@join__unionMember`."""

    name: str
    kind: Kind
    description: str | None
    directives: Directives
    join_types: list[JoinType] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    union_members: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    input_fields: dict[str, MergedInput] = field(default_factory=dict)
    values: dict[str, MergedEnumValue] = field(default_factory=dict)


@dataclass
class Supergraph:
    """Everything the supergraph SDL prints."""

    graphs: list[Graph]
    join_version: str
    types: dict[str, MergedType]
    roots: list[tuple[str, str]]
    composed: dict[str, ComposedDirective] = field(default_factory=dict)
    cost_names: dict[str, str] = field(default_factory=dict)
    """`cost` and `listSize` -> their name in the supergraph."""
