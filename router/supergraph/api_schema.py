"""Deriving the API schema (what clients see) from the supergraph document."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    parse,
)

from renku_fed.router.supergraph.errors import SupergraphError
from renku_fed.router.supergraph.links import Links

_DEFER = "directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT"
_FIELD_HOLDERS = (
    ObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
)


def build_api_schema(document: DocumentNode, links: Links) -> GraphQLSchema:
    """Build the client-facing schema: no spec elements, nothing `@inaccessible`."""
    spec = _SpecFilter(links)
    inaccessible = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and spec.is_inaccessible(d)
    }
    definitions: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            definitions.append(replace(definition, directives=()))
        elif isinstance(definition, DirectiveDefinitionNode):
            if not spec.is_spec_directive(definition.name.value):
                definitions.append(definition)
        elif isinstance(definition, TypeDefinitionNode):
            name = definition.name.value
            if name in inaccessible or spec.is_spec_type(name):
                continue
            definitions.append(_clean_type(definition, spec, inaccessible))
    if not any(
        isinstance(d, DirectiveDefinitionNode) and d.name.value == "defer" for d in definitions
    ):
        # Apollo's API schemas declare `@defer`, which the router plans (router/planning/defer.py)
        definitions.extend(parse(_DEFER).definitions)
    try:
        return build_ast_schema(DocumentNode(definitions=tuple(definitions)))
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"cannot build the API schema: {error}") from error


class _SpecFilter:
    """Recognizes the directives and types that belong to declared specs."""

    def __init__(self, links: Links) -> None:
        self.prefixes = tuple(f"{p}__" for p in links.prefixes)
        self.own = frozenset(f.directive() for f in links.features.values())
        self.inaccessible = links.local_name("inaccessible")

    def is_spec_directive(self, name: str) -> bool:
        return name in self.own or name.startswith(self.prefixes) or name in ("core", "link")

    def is_spec_type(self, name: str) -> bool:
        return name.startswith(self.prefixes)

    def is_inaccessible(self, node: Any) -> bool:
        return any(d.name.value == self.inaccessible for d in node.directives or ())

    def directives(self, node: Any) -> tuple[ConstDirectiveNode, ...]:
        return tuple(d for d in node.directives or () if not self.is_spec_directive(d.name.value))


def _clean_type(node: TypeDefinitionNode, spec: _SpecFilter, hidden: set[str]) -> Any:
    changes: dict[str, Any] = {"directives": spec.directives(node)}
    if isinstance(node, _FIELD_HOLDERS):
        changes["fields"] = tuple(
            _clean_field(f, spec, hidden) for f in node.fields or () if not spec.is_inaccessible(f)
        )
    if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        changes["interfaces"] = _visible(node.interfaces, hidden)
    if isinstance(node, UnionTypeDefinitionNode):
        changes["types"] = _visible(node.types, hidden)
    if isinstance(node, EnumTypeDefinitionNode):
        changes["values"] = tuple(
            replace(v, directives=spec.directives(v))
            for v in node.values or ()
            if not spec.is_inaccessible(v)
        )
    return replace(node, **changes)


def _clean_field(
    node: FieldDefinitionNode | InputValueDefinitionNode, spec: _SpecFilter, hidden: set[str]
) -> FieldDefinitionNode | InputValueDefinitionNode:
    if isinstance(node, InputValueDefinitionNode):
        return replace(node, directives=spec.directives(node))
    arguments = tuple(
        replace(a, directives=spec.directives(a))
        for a in node.arguments or ()
        if not spec.is_inaccessible(a)
    )
    return replace(node, directives=spec.directives(node), arguments=arguments)


def _visible(
    names: tuple[NamedTypeNode, ...] | None, hidden: set[str]
) -> tuple[NamedTypeNode, ...]:
    return tuple(n for n in names or () if n.name.value not in hidden)
