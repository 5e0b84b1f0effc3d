"""Reads a subgraph SDL into a `Subgraph`: `@link` imports and renames resolved, `_service` gone."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    FieldNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    visit,
)
from graphql.language.visitor import Visitor

from renku_fed.router.composition.errors import CompositionError, CompositionFailed
from renku_fed.router.composition.fieldsets import field_set_coordinates, parse_field_set
from renku_fed.router.composition.links import (
    FEDERATION_DIRECTIVES,
    LinkContext,
    alternatives,
    argument,
    composed_directives,
    list_size,
    read_links,
    string_argument,
)
from renku_fed.router.composition.sources import SubgraphSource
from renku_fed.router.composition.subgraph import (
    Applied,
    EnumValue,
    Field,
    InputValue,
    Key,
    Kind,
    NamedType,
    Subgraph,
)
from renku_fed.router.composition.typerefs import type_ref

FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet"})
ROOT_KINDS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
KINDS: dict[type[object], Kind] = {
    ObjectTypeDefinitionNode: Kind.OBJECT,
    ObjectTypeExtensionNode: Kind.OBJECT,
    InterfaceTypeDefinitionNode: Kind.INTERFACE,
    InterfaceTypeExtensionNode: Kind.INTERFACE,
    UnionTypeDefinitionNode: Kind.UNION,
    UnionTypeExtensionNode: Kind.UNION,
    EnumTypeDefinitionNode: Kind.ENUM,
    EnumTypeExtensionNode: Kind.ENUM,
    InputObjectTypeDefinitionNode: Kind.INPUT_OBJECT,
    InputObjectTypeExtensionNode: Kind.INPUT_OBJECT,
    ScalarTypeDefinitionNode: Kind.SCALAR,
    ScalarTypeExtensionNode: Kind.SCALAR,
}
KEPT_AS_WRITTEN = frozenset({"deprecated", "specifiedBy"})
BUILT_IN_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "include", "skip", "oneOf", "link"})
MAX_FEDERATION_VERSION = (2, 14)

TypeNode = TypeDefinitionNode | TypeExtensionNode


def parse_subgraph(source: SubgraphSource) -> Subgraph:
    """Parse and normalise one subgraph; raises CompositionFailed on invalid GraphQL."""
    try:
        document = parse(source.sdl, no_location=True)
    except GraphQLSyntaxError as error:
        raise CompositionFailed(
            [CompositionError("INVALID_GRAPHQL", f"[{source.name}] {error.message}")]
        ) from error
    schema_nodes = [
        node
        for node in document.definitions
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode)
    ]
    context = read_links(schema_nodes)
    roots = root_names(schema_nodes)
    problems = definition_errors(document, context, roots)
    if problems:
        raise CompositionFailed(
            [CompositionError(code, f"[{source.name}] {message}") for code, message in problems]
        )
    rename = {name: ROOT_KINDS[kind] for kind, name in roots.items()}
    builder = SubgraphBuilder(context, rename)
    types = builder.build_types(document)
    # Every subgraph serves `_entities` and `_service`, so each one has a query root.
    types.setdefault("Query", NamedType("Query", Kind.OBJECT, None, Applied()))
    subgraph = Subgraph(
        name=source.name,
        url=source.url,
        fed2=context.fed2,
        version=context.version,
        types=types,
        composed=composed_directives(document, context),
        imported_as=context.imported_as,
        cost_names=builder.cost_names,
    )
    if not context.fed2:
        drop_unused_externals(subgraph)
    return subgraph


def root_names(
    schema_nodes: Sequence[SchemaDefinitionNode | SchemaExtensionNode],
) -> dict[str, str]:
    """The operation kinds this subgraph declares and the type that holds each."""
    declared: dict[str, str] = {}
    for node in schema_nodes:
        for operation in node.operation_types or ():
            declared[operation.operation.value] = operation.type.name.value
    return declared or dict(ROOT_KINDS)


def definition_errors(
    document: DocumentNode, context: LinkContext, roots: dict[str, str]
) -> list[tuple[str, str]]:
    """(code, message) for what makes a subgraph unusable before any federation rule applies."""
    problems = []
    if context.fed2 and not (2, 0) <= context.version <= MAX_FEDERATION_VERSION:
        version = f"v{context.version[0]}.{context.version[1]}"
        problems.append(
            (
                "UNKNOWN_FEDERATION_LINK_VERSION",
                f"Invalid version {version} for the federation feature in @link directive on "
                "schema",
            )
        )
    defined = {
        node.name.value for node in document.definitions if isinstance(node, TypeDefinitionNode)
    }
    for kind, name in roots.items():
        default = ROOT_KINDS[kind]
        if name != default and default in defined:
            problems.append(
                (
                    f"ROOT_{kind.upper()}_USED",
                    f'The schema has a type named "{default}" but it is not set as the {kind} '
                    f'root type ("{name}" is instead): this is not supported by federation. If a '
                    "root type does not use its default name, there should be no other type "
                    "with that default name.",
                )
            )
    known = (
        BUILT_IN_DIRECTIVES
        | context.names.keys()
        | {
            node.name.value
            for node in document.definitions
            if isinstance(node, DirectiveDefinitionNode)
        }
    )
    collector = DirectiveNames()
    visit(document, collector)
    for name in dict.fromkeys(collector.names):
        if name in known:
            continue
        message = f'Unknown directive "@{name}".'
        if not context.fed2 and name in FEDERATION_DIRECTIVES:
            message = (
                f'Unknown directive "@{name}". If you meant the "@{name}" federation 2 directive, '
                "note that this schema is a federation 1 schema. To be a federation 2 schema, it "
                "needs to @link to the federation specifcation v2."
            )
        problems.append(("INVALID_GRAPHQL", message))
    return problems


class DirectiveNames(Visitor):
    """Collects the name of every directive applied in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        """Record one application."""
        self.names.append(node.name.value)


class SubgraphBuilder:
    """Folds a document's definitions and extensions into `NamedType`s."""

    def __init__(self, context: LinkContext, rename: dict[str, str]) -> None:
        self.context = context
        self.rename = rename
        self.cost_names: dict[str, str] = {}

    def named(self, name: str) -> str:
        """The name a type has after root types are renamed to Query/Mutation/Subscription."""
        return self.rename.get(name, name)

    def federation(self, directive: DirectiveNode) -> str | None:
        """The federation directive this application is, if it is one."""
        return self.context.names.get(directive.name.value)

    def is_internal(self, type_name: str) -> bool:
        """Whether a type belongs to the federation machinery rather than the schema."""
        return type_name in FEDERATION_TYPES or type_name.startswith(self.context.internal_prefixes)

    def build_types(self, document: DocumentNode) -> dict[str, NamedType]:
        """Every schema type of the document, extensions folded into their definition."""
        grouped: dict[str, list[TypeNode]] = {}
        for node in document.definitions:
            if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                name = node.name.value
                if not self.is_internal(name):
                    grouped.setdefault(self.named(name), []).append(node)
        types = {name: self.build_type(name, nodes) for name, nodes in grouped.items()}
        if not self.context.fed2:
            for named in types.values():
                self.upgrade_fed1(named)
        return types

    def applied(self, directives: Sequence[ConstDirectiveNode] | None) -> Applied:
        """The directives the supergraph keeps: @inaccessible, @tag, composed and built-in ones."""
        result = Applied()
        for directive in directives or ():
            canonical = self.federation(directive)
            if canonical == "inaccessible":
                result.inaccessible = True
            elif canonical == "tag":
                result.tags.append(string_argument(directive, "name") or "")
            elif canonical == "authenticated":
                result.authenticated = True
            elif canonical == "requiresScopes":
                result.scopes.append(alternatives(argument(directive, "scopes")))
            elif canonical == "policy":
                result.policies.append(alternatives(argument(directive, "policies")))
            elif canonical in ("cost", "listSize"):
                self.cost_names[canonical] = directive.name.value
                weight = argument(directive, "weight")
                if canonical == "listSize":
                    result.list_size = list_size(directive)
                elif isinstance(weight, IntValueNode):
                    result.cost = int(weight.value)
            elif canonical is None and (
                directive.name.value in KEPT_AS_WRITTEN
                or directive.name.value in self.context.compose
            ):
                result.kept.append(directive)
        return result

    def build_type(self, name: str, nodes: list[TypeNode]) -> NamedType:
        """Fold the definition and extensions of one type."""
        descriptions = [getattr(node, "description", None) for node in nodes]
        description = next((d.value for d in descriptions if isinstance(d, StringValueNode)), None)
        directives = [d for node in nodes for d in node.directives or ()]
        named = NamedType(
            name=name,
            kind=KINDS[type(nodes[0])],
            description=description,
            applied=self.applied(directives),
            extension=all(isinstance(n, TypeExtensionNode) for n in nodes),
        )
        type_external = False
        for directive in directives:
            canonical = self.federation(directive)
            if canonical == "key":
                resolvable = argument(directive, "resolvable")
                named.keys.append(
                    Key(
                        string_argument(directive, "fields") or "",
                        not isinstance(resolvable, BooleanValueNode) or resolvable.value,
                    )
                )
            elif canonical == "shareable":
                named.shareable = True
            elif canonical == "extends":
                named.extension = named.extends = True
            elif canonical == "interfaceObject":
                named.interface_object = True
            elif canonical == "context":
                named.contexts.append(string_argument(directive, "name") or "")
            elif canonical == "external":
                type_external = True
        for node in nodes:
            self.add_members(named, node)
        if type_external:
            for member in named.fields.values():
                member.external = True
        return named

    def add_members(self, named: NamedType, node: TypeNode) -> None:
        """Add the fields, values, interfaces or union members one node declares."""
        for interface in getattr(node, "interfaces", None) or ():
            named.interfaces.append(interface.name.value)
        for member in getattr(node, "types", None) or ():
            named.members.append(self.named(member.name.value))
        for value in getattr(node, "values", None) or ():
            description = value.description.value if value.description else None
            named.values[value.name.value] = EnumValue(
                value.name.value, description, self.applied(value.directives)
            )
        for definition in getattr(node, "fields", None) or ():
            if isinstance(definition, InputValueDefinitionNode):
                named.input_fields[definition.name.value] = self.input_value(definition)
            elif not (named.name == "Query" and definition.name.value in ("_entities", "_service")):
                named.fields[definition.name.value] = self.field(definition)

    def input_value(self, node: InputValueDefinitionNode) -> InputValue:
        """An argument or input field."""
        return InputValue(
            name=node.name.value,
            type=type_ref(node.type).renamed(self.named),
            default=node.default_value,
            description=node.description.value if node.description else None,
            applied=self.applied(node.directives),
            from_context=next(
                (
                    string_argument(d, "field") or ""
                    for d in node.directives or ()
                    if self.federation(d) == "fromContext"
                ),
                None,
            ),
        )

    def field(self, node: FieldDefinitionNode) -> Field:
        """An object or interface field with its federation directives."""
        result = Field(
            name=node.name.value,
            type=type_ref(node.type).renamed(self.named),
            description=node.description.value if node.description else None,
            args={arg.name.value: self.input_value(arg) for arg in node.arguments or ()},
            applied=self.applied(node.directives),
        )
        for directive in node.directives or ():
            canonical = self.federation(directive)
            if canonical == "external":
                result.external = True
            elif canonical == "shareable":
                result.shareable = True
            elif canonical == "requires":
                result.requires = string_argument(directive, "fields")
            elif canonical == "provides":
                result.provides = string_argument(directive, "fields")
            elif canonical == "override":
                result.override_from = string_argument(directive, "from")
                result.override_label = string_argument(directive, "label")
        return result

    def upgrade_fed1(self, named: NamedType) -> None:
        """Federation 1 rules: value types shareable, key fields of extensions owned."""
        if named.kind is Kind.INTERFACE:
            named.keys.clear()
        if named.kind is not Kind.OBJECT:
            return
        named.shareable = True
        if named.extension:
            for key in named.keys:
                for member in key_top_level_fields(key.fields):
                    if member in named.fields:
                        named.fields[member].external = False


def key_top_level_fields(fields: str) -> list[str]:
    """The top-level field names of a key field set (Federation 1 treats them as owned)."""
    selection = parse_field_set(fields)
    if selection is None:
        return []
    return [node.name.value for node in selection.selections if isinstance(node, FieldNode)]


def drop_unused_externals(subgraph: Subgraph) -> None:
    """Federation 1 tolerated `@external` fields nothing uses; they are dropped, as Apollo does."""
    used: set[tuple[str, str]] = set()
    for named in subgraph.types.values():
        for key in named.keys:
            used |= field_set_coordinates(subgraph, named.name, key.fields)
        for member in named.fields.values():
            if member.requires:
                used |= field_set_coordinates(subgraph, named.name, member.requires)
            if member.provides:
                used |= field_set_coordinates(subgraph, member.type.base, member.provides)
    for named in subgraph.types.values():
        for name in [
            n for n, f in named.fields.items() if f.external and (named.name, n) not in used
        ]:
            del named.fields[name]
