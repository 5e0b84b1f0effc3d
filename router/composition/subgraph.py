"""One subgraph, read for composition: its types and fields with their federation directives."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from graphql import ConstValueNode, DirectiveDefinitionNode, DirectiveNode

from renku_fed.router.composition.typerefs import TypeRef

Alternatives = tuple[tuple[str, ...], ...]
"""`@requiresScopes` and `@policy` values: any one of these groups, all names of the group."""


class Kind(Enum):
    """The kind of a named type, as Apollo's messages spell it."""

    OBJECT = "Object Type"
    INTERFACE = "Interface Type"
    UNION = "Union Type"
    ENUM = "Enum Type"
    INPUT_OBJECT = "Input Object Type"
    SCALAR = "Scalar Type"


@dataclass(frozen=True)
class ListSize:
    """A `@listSize`: each argument None when not given (so merging can tell)."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] | None = None
    sized_fields: tuple[str, ...] | None = None
    require_one_slicing_argument: bool | None = None


@dataclass
class Applied:
    """Directives that travel to the supergraph as they are written: tags, @inaccessible, others."""

    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    kept: list[DirectiveNode] = field(default_factory=list)
    authenticated: bool = False
    scopes: list[Alternatives] = field(default_factory=list)
    policies: list[Alternatives] = field(default_factory=list)
    cost: int | None = None
    list_size: ListSize | None = None


@dataclass
class InputValue:
    """An argument or an input object field."""

    name: str
    type: TypeRef
    default: ConstValueNode | None
    description: str | None
    applied: Applied
    from_context: str | None = None
    """An argument's `@fromContext(field:)`: `$<context> <selection>`."""


@dataclass
class Field:
    """A field of an object or interface type, with its federation directives."""

    name: str
    type: TypeRef
    description: str | None
    args: dict[str, InputValue]
    applied: Applied
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override_from: str | None = None
    override_label: str | None = None


@dataclass(frozen=True)
class Key:
    """One `@key` of an entity."""

    fields: str
    resolvable: bool


@dataclass
class EnumValue:
    """A value of an enum type."""

    name: str
    description: str | None
    applied: Applied


@dataclass
class NamedType:
    """A named type of one subgraph, its extensions already folded in."""

    name: str
    kind: Kind
    description: str | None
    applied: Applied
    fields: dict[str, Field] = field(default_factory=dict)
    input_fields: dict[str, InputValue] = field(default_factory=dict)
    values: dict[str, EnumValue] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    extension: bool = False
    extends: bool = False
    shareable: bool = False
    interface_object: bool = False
    contexts: list[str] = field(default_factory=list)
    """The names of the `@context`s this type sets."""


@dataclass(frozen=True)
class ComposedDirective:
    """A custom directive a subgraph asks to keep in the supergraph (`@composeDirective`)."""

    definition: DirectiveDefinitionNode
    link: DirectiveNode | None


@dataclass
class Subgraph:
    """A parsed subgraph: name, routing URL, federation version and types."""

    name: str
    url: str
    fed2: bool
    version: tuple[int, int]
    types: dict[str, NamedType]
    composed: dict[str, ComposedDirective] = field(default_factory=dict)
    imported_as: dict[str, str] = field(default_factory=dict)
    cost_names: dict[str, str] = field(default_factory=dict)
    """`cost` and `listSize` -> the name this subgraph applies them under, when it does."""

    def field(self, type_name: str, field_name: str) -> Field | None:
        """The field `type_name.field_name`, if this subgraph defines it."""
        named = self.types.get(type_name)
        return named.fields.get(field_name) if named is not None else None
