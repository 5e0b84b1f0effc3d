"""The supergraph's authorization directives, read once and folded into per-field requirements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    ValueNode,
    get_named_type,
    is_interface_type,
    is_object_type,
    parse,
)

from renku_fed.router.supergraph import Supergraph
from renku_fed.router.supergraph.links import read_links

Alternatives = frozenset[frozenset[str]]
"""Any one of these groups, every name of the group (`[[String!]!]!` of the directives)."""

_FIELD_HOLDERS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a caller needs to see an element; each `scopes`/`policies` entry must be met."""

    authenticated: bool = False
    scopes: frozenset[Alternatives] = frozenset()
    policies: frozenset[Alternatives] = frozenset()

    def __and__(self, other: Requirement) -> Requirement:
        if not other:
            return self
        if not self:
            return other
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes | other.scopes,
            self.policies | other.policies,
        )

    def __bool__(self) -> bool:
        return self.authenticated or bool(self.scopes) or bool(self.policies)


NO_REQUIREMENT = Requirement()


@dataclass(frozen=True, slots=True)
class Grant:
    """What one caller has: authentication, the token's scopes, the policies that passed."""

    authenticated: bool
    scopes: frozenset[str]
    policies: frozenset[str]

    def allows(self, requirement: Requirement) -> bool:
        """Whether the caller meets every part of `requirement`."""
        if requirement.authenticated and not self.authenticated:
            return False
        return all(
            any(group <= self.scopes for group in alternatives)
            for alternatives in requirement.scopes
        ) and all(
            any(group <= self.policies for group in alternatives)
            for alternatives in requirement.policies
        )


class AuthorizationRules:
    """Requirements of the API schema's types and fields, precomputed for one supergraph.

    A type's directive applies to every field returning it and to fragments on it. As Apollo's
    composition propagates them, an interface also needs what each implementation needs, and a
    field selected on an interface what that field needs on each implementation.
    """

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, names: Mapping[str, str]):
        own_types, own_fields = _read_directives(document, names)
        self.types: dict[str, Requirement] = {}
        for named in schema.type_map.values():
            requirement = own_types.get(named.name, NO_REQUIREMENT)
            if is_interface_type(named):
                for implementation in schema.get_possible_types(named):
                    requirement &= own_types.get(implementation.name, NO_REQUIREMENT)
            if requirement:
                self.types[named.name] = requirement
        self.fields: dict[tuple[str, str], Requirement] = {}
        for named in schema.type_map.values():
            if not (is_object_type(named) or is_interface_type(named)):
                continue
            implementations = schema.get_possible_types(named) if is_interface_type(named) else ()
            for field_name, field in named.fields.items():
                requirement = own_fields.get((named.name, field_name), NO_REQUIREMENT)
                requirement &= self.type(get_named_type(field.type).name)
                for implementation in implementations:
                    implemented = implementation.fields.get(field_name)
                    if implemented is not None:
                        requirement &= own_fields.get(
                            (implementation.name, field_name), NO_REQUIREMENT
                        )
                        requirement &= self.type(get_named_type(implemented.type).name)
                if requirement:
                    self.fields[named.name, field_name] = requirement

    @classmethod
    def of(cls, supergraph: Supergraph) -> AuthorizationRules | None:
        """The rules of a supergraph, or None when it uses none of the directives."""
        document = parse(supergraph.sdl, no_location=True)
        links = read_links(document)
        names = {
            links.local_name(feature): feature
            for feature in ("authenticated", "requiresScopes", "policy")
            if feature in links.features
        }
        if not names:
            return None
        rules = cls(supergraph.api_schema, document, names)
        return rules if rules.types or rules.fields else None

    def type(self, name: str) -> Requirement:
        """What a field returning the named type, or a fragment on it, needs for the type."""
        return self.types.get(name, NO_REQUIREMENT)

    def field(self, type_name: str, field_name: str) -> Requirement:
        """What selecting `type_name.field_name` needs, its return type included."""
        return self.fields.get((type_name, field_name), NO_REQUIREMENT)


def _read_directives(
    document: DocumentNode, names: Mapping[str, str]
) -> tuple[dict[str, Requirement], dict[tuple[str, str], Requirement]]:
    types: dict[str, Requirement] = {}
    fields: dict[tuple[str, str], Requirement] = {}
    for definition in document.definitions:
        if not isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            continue
        type_name = definition.name.value
        requirement = _requirement(definition.directives or (), names)
        if requirement:
            types[type_name] = types.get(type_name, NO_REQUIREMENT) & requirement
        if isinstance(definition, _FIELD_HOLDERS):
            for field in definition.fields or ():
                requirement = _requirement(field.directives or (), names)
                if requirement:
                    key = (type_name, field.name.value)
                    fields[key] = fields.get(key, NO_REQUIREMENT) & requirement
    return types, fields


def _requirement(directives: Iterable[ConstDirectiveNode], names: Mapping[str, str]) -> Requirement:
    requirement = NO_REQUIREMENT
    for directive in directives:
        feature = names.get(directive.name.value)
        if feature == "authenticated":
            requirement &= Requirement(authenticated=True)
        elif feature == "requiresScopes":
            requirement &= Requirement(scopes=frozenset({_alternatives(directive, "scopes")}))
        elif feature == "policy":
            requirement &= Requirement(policies=frozenset({_alternatives(directive, "policies")}))
    return requirement


def _alternatives(directive: ConstDirectiveNode, argument: str) -> Alternatives:
    value = next((a.value for a in directive.arguments or () if a.name.value == argument), None)
    return frozenset(frozenset(_strings(group)) for group in _items(value))


def _items(value: ValueNode | None) -> tuple[ValueNode, ...]:
    """A list value's items; a single value counts as a list of one, as input coercion does."""
    if value is None:
        return ()
    return tuple(value.values) if isinstance(value, ListValueNode) else (value,)


def _strings(value: ValueNode) -> Iterable[str]:
    return (item.value for item in _items(value) if isinstance(item, StringValueNode))
