"""A seeded generator of operation variants: the same question asked in other GraphQL words."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    parse,
    print_ast,
    validate,
)


@dataclass
class Variant:
    """One operation to send to both gateways."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None


@dataclass
class Site:
    """A selection set and the type it selects on."""

    node: SelectionSetNode
    type_: GraphQLNamedType


def _set(node: Any, attribute: str, value: Any) -> None:
    """Rewrite an attribute of a (frozen) graphql-core AST node."""
    object.__setattr__(node, attribute, value)


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _sites(schema: GraphQLSchema, document: DocumentNode) -> list[Site]:
    """Every selection set of the document with its parent type."""
    found: list[Site] = []

    def walk(node: SelectionSetNode, type_: GraphQLNamedType) -> None:
        found.append(Site(node, type_))
        for selection in node.selections:
            if isinstance(selection, FieldNode) and selection.selection_set is not None:
                fields = getattr(type_, "fields", {})
                if selection.name.value in fields:
                    inner = get_named_type(fields[selection.name.value].type)
                    walk(selection.selection_set, inner)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = schema.get_type(condition.name.value) if condition else type_
                if inner is not None:
                    walk(selection.selection_set, inner)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            if root is not None:
                walk(definition.selection_set, root)
        elif isinstance(definition, FragmentDefinitionNode):
            condition = schema.get_type(definition.type_condition.name.value)
            if condition is not None:
                walk(definition.selection_set, condition)
    return found


class Mutator:
    """Applies random rewrites to one parsed operation."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, rng: random.Random) -> None:
        self.schema = schema
        self.document = document
        self.rng = rng
        self.variables: dict[str, Any] = {}
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        """A new name for an alias, fragment or variable."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    @property
    def operation(self) -> OperationDefinitionNode:
        """The document's operation."""
        return next(d for d in self.document.definitions if isinstance(d, OperationDefinitionNode))

    def fields_of(self, site: Site) -> list[FieldNode]:
        """The site's field selections other than `__typename`."""
        return [
            s
            for s in site.node.selections
            if isinstance(s, FieldNode) and s.name.value != "__typename"
        ]

    def condition(self) -> DirectiveNode:
        """A random `@skip` or `@include`, with a literal or a (possibly defaulted) variable."""
        name = self.rng.choice(("skip", "include"))
        value: Any
        if self.rng.random() < 0.5:
            value = BooleanValueNode(value=self.rng.random() < 0.5)
        else:
            variable = self.fresh("c")
            default = self.rng.choice((None, True, False))
            definition = VariableDefinitionNode(
                variable=VariableNode(name=_name(variable)),
                type=NonNullTypeNode(type=NamedTypeNode(name=_name("Boolean")))
                if default is None
                else NamedTypeNode(name=_name("Boolean")),
                default_value=None if default is None else BooleanValueNode(value=default),
                directives=(),
            )
            operation = self.operation
            _set(
                operation,
                "variable_definitions",
                (*(operation.variable_definitions or ()), definition),
            )
            if default is None or self.rng.random() < 0.5:
                self.variables[variable] = self.rng.random() < 0.5
            value = VariableNode(name=_name(variable))
        argument = ArgumentNode(name=_name("if"), value=value)
        return DirectiveNode(name=_name(name), arguments=(argument,))

    def alias(self, site: Site) -> None:
        """Alias one field."""
        fields = self.fields_of(site)
        if fields:
            _set(self.rng.choice(fields), "alias", _name(self.fresh("a")))

    def typename(self, site: Site) -> None:
        """Select `__typename`, sometimes aliased."""
        alias = _name(self.fresh("t")) if self.rng.random() < 0.3 else None
        node = FieldNode(name=_name("__typename"), alias=alias, arguments=(), directives=())
        _set(site.node, "selections", self._insert(site.node.selections, node))

    def inline(self, site: Site) -> None:
        """Wrap the selection in an inline fragment on its type (or on an abstract type of it)."""
        condition = self.rng.choice(self._conditions(site.type_))
        wrapped = InlineFragmentNode(
            type_condition=NamedTypeNode(name=_name(condition)) if condition else None,
            directives=(),
            selection_set=SelectionSetNode(selections=site.node.selections),
        )
        _set(site.node, "selections", (wrapped,))

    def named(self, site: Site) -> None:
        """Move the selection into a named fragment."""
        condition = self.rng.choice([c for c in self._conditions(site.type_) if c])
        name = self.fresh("F")
        fragment = FragmentDefinitionNode(
            name=_name(name),
            type_condition=NamedTypeNode(name=_name(condition)),
            directives=(),
            selection_set=SelectionSetNode(selections=site.node.selections),
        )
        _set(self.document, "definitions", (*self.document.definitions, fragment))
        _set(site.node, "selections", (FragmentSpreadNode(name=_name(name), directives=()),))

    def conditional(self, site: Site) -> None:
        """Put `@skip`/`@include` on one field."""
        fields = self.fields_of(site)
        if fields:
            chosen = self.rng.choice(fields)
            _set(chosen, "directives", (*(chosen.directives or ()), self.condition()))

    def duplicate(self, site: Site) -> None:
        """Select one field again under an alias and a condition, inside a fragment."""
        fields = self.fields_of(site)
        if not fields:
            return
        twin = copy.deepcopy(self.rng.choice(fields))
        _set(twin, "alias", _name(self.fresh("d")))
        _set(twin, "directives", (*(twin.directives or ()), self.condition()))
        fragment = InlineFragmentNode(
            type_condition=NamedTypeNode(name=_name(site.type_.name)),
            directives=(),
            selection_set=SelectionSetNode(selections=(twin,)),
        )
        _set(site.node, "selections", self._insert(site.node.selections, fragment))

    def drop(self, site: Site) -> None:
        """Drop one leaf field when others remain."""
        leaves = [f for f in self.fields_of(site) if f.selection_set is None]
        if leaves and len(site.node.selections) > 1:
            dropped = self.rng.choice(leaves)
            _set(
                site.node, "selections", tuple(s for s in site.node.selections if s is not dropped)
            )

    def _insert(
        self, selections: tuple[SelectionNode, ...], node: SelectionNode
    ) -> tuple[SelectionNode, ...]:
        index = self.rng.randint(0, len(selections))
        return (*selections[:index], node, *selections[index:])

    def _conditions(self, type_: GraphQLNamedType) -> list[str | None]:
        """Type conditions that match every object of `type_`: itself, none, or an interface
        of an object type (a fragment on an abstract type).
        """
        choices: list[str | None] = [type_.name, None]
        if isinstance(type_, GraphQLObjectType):
            choices.extend(i.name for i in type_.interfaces)
        elif isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            possible = self.schema.get_possible_types(type_)
            if len(possible) == 1:
                choices.append(possible[0].name)
        return choices


REWRITES: tuple[Callable[[Mutator, Site], None], ...] = (
    Mutator.alias,
    Mutator.typename,
    Mutator.inline,
    Mutator.named,
    Mutator.conditional,
    Mutator.duplicate,
    Mutator.drop,
)


def variant(schema: GraphQLSchema, base: Variant, rng: random.Random) -> Variant | None:
    """One random rewrite of `base`, or None when the rewrite made it invalid."""
    document = parse(base.query, no_location=True)
    mutator = Mutator(schema, document, rng)
    for _ in range(rng.randint(1, 4)):
        sites = _sites(schema, document)
        rewrite = rng.choice(REWRITES)
        rewrite(mutator, rng.choice(sites))
    query = print_ast(document)
    if validate(schema, parse(query)):
        return None
    return Variant(query, {**base.variables, **mutator.variables}, base.operation_name)


def variants(schema: GraphQLSchema, base: Variant, seed: int, count: int) -> Iterator[Variant]:
    """`count` distinct valid variants of `base`, from `seed`."""
    rng = random.Random(seed)
    seen = {base.query}
    for _ in range(count * 4):
        found = variant(schema, base, rng)
        if found is not None and found.query not in seen:
            seen.add(found.query)
            yield found
            count -= 1
            if count == 0:
                return
