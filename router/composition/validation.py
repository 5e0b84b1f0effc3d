"""Checks Apollo makes on each subgraph (field sets, externals) and on the merged schema."""

from __future__ import annotations

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from renku_fed.router.composition.cost_validation import check_cost_directives
from renku_fed.router.composition.errors import describe_by_value, quoted_subgraphs
from renku_fed.router.composition.fieldsets import parse_field_set
from renku_fed.router.composition.merge_context import MergeContext
from renku_fed.router.composition.subgraph import Field, Kind, NamedType, Subgraph

MISSING_HINTS = {
    "key": "the field should either be added to this subgraph or, if it should not be resolved "
    "by this subgraph, you need to add it to this subgraph with @external",
    "requires": "if the field is defined in another subgraph, you need to add it to this subgraph "
    "with @external",
    "provides": "if the field is defined in another subgraph, you need to add it to this subgraph "
    "with @external",
}


class SubgraphValidator:
    """Validates the federation directives of one subgraph."""

    def __init__(self, context: MergeContext, subgraph: Subgraph) -> None:
        self.context = context
        self.subgraph = subgraph

    def error(self, code: str, message: str) -> None:
        """Record an error, prefixed with the subgraph name as Apollo does."""
        self.context.error(code, f"[{self.subgraph.name}] {message}")

    def validate(self) -> None:
        """Check keys, requires, provides and externals."""
        for named in self.subgraph.types.values():
            for key in named.keys:
                where = f'On type "{named.name}", for @key(fields: "{key.fields}")'
                self.check_field_set("key", where, named.name, key.fields)
            for member in named.fields.values():
                self.check_field(named, member)
            if named.kind is Kind.INTERFACE:
                self.check_interface(named)
        if self.subgraph.fed2:
            self.check_unused_externals()
        check_cost_directives(self.subgraph, self.error)

    def check_interface(self, interface: NamedType) -> None:
        """Interface keys need federation 2.3 and every implementation; no @shareable, @override."""
        if interface.keys and self.subgraph.version < (2, 3):
            self.error(
                "KEY_UNSUPPORTED_ON_INTERFACE",
                f'Cannot use @key on interface "{interface.name}": @key is not yet supported on '
                "interfaces",
            )
        for key in interface.keys:
            for named in self.subgraph.types.values():
                implements = interface.name in named.interfaces and named.kind is Kind.OBJECT
                if implements and key.fields not in {k.fields for k in named.keys}:
                    self.error(
                        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                        f'Key @key(fields: "{key.fields}") on interface type '
                        f'"{interface.name}" is missing on implementation type "{named.name}".',
                    )
        for member in interface.fields.values():
            coordinate = f"{interface.name}.{member.name}"
            if member.shareable:
                self.error(
                    "INVALID_SHAREABLE_USAGE",
                    f'Invalid use of @shareable on field "{coordinate}": only object type fields '
                    "can be marked with @shareable",
                )
            if member.override_from is not None:
                self.context.error(
                    "OVERRIDE_ON_INTERFACE",
                    f'@override cannot be used on field "{coordinate}" on subgraph '
                    f'"{self.subgraph.name}": @override is not supported on interface type fields.',
                )

    def check_field(self, named: NamedType, member: Field) -> None:
        """The `@requires` and `@provides` of one field."""
        coordinate = f"{named.name}.{member.name}"
        if member.override_from is not None and member.external:
            self.context.error(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'@override cannot be used on field "{coordinate}" on subgraph '
                f'"{self.subgraph.name}" since "{coordinate}" on "{self.subgraph.name}" is marked '
                'with directive "@external"',
            )
        if member.requires is not None:
            where = f'On field "{coordinate}", for @requires(fields: "{member.requires}")'
            self.check_field_set("requires", where, named.name, member.requires)
        if member.provides is not None:
            target = self.subgraph.types.get(member.type.base)
            if target is None or target.kind not in (Kind.OBJECT, Kind.INTERFACE, Kind.UNION):
                self.error(
                    "PROVIDES_ON_NON_OBJECT_FIELD",
                    f'Invalid @provides directive on field "{coordinate}": field has type '
                    f'"{member.type}" which is not a Composite Type',
                )
                return
            where = f'On field "{coordinate}", for @provides(fields: "{member.provides}")'
            self.check_field_set("provides", where, target.name, member.provides)

    def check_field_set(self, directive: str, where: str, type_name: str, fields: str) -> None:
        """Every selected field exists; key fields take no arguments and are not abstract."""
        code = directive.upper()
        selection = parse_field_set(fields)
        if selection is None:
            self.error(f"{code}_INVALID_FIELDS", f"{where}: invalid field set syntax")
            return
        self.check_selection(directive, where, type_name, selection, external_parent=False)

    def check_selection(
        self,
        directive: str,
        where: str,
        type_name: str,
        selection: SelectionSetNode,
        external_parent: bool,
    ) -> None:
        """Walk one level of a field set; a leaf must be @external unless an ancestor is."""
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else type_name
                self.check_selection(
                    directive, where, condition, node.selection_set, external_parent
                )
            elif isinstance(node, FieldNode) and node.name.value != "__typename":
                self.check_field_node(directive, where, type_name, node, external_parent)

    def check_field_node(
        self, directive: str, where: str, type_name: str, node: FieldNode, external_parent: bool
    ) -> None:
        """One selected field of a field set, and its own selection."""
        code = directive.upper()
        member = self.subgraph.field(type_name, node.name.value)
        coordinate = f"{type_name}.{node.name.value}"
        if member is None:
            self.error(
                f"{code}_INVALID_FIELDS",
                f'{where}: Cannot query field "{node.name.value}" on type "{type_name}" '
                f"({MISSING_HINTS[directive]}).",
            )
            return
        if directive == "key":
            self.check_key_field(where, coordinate, member)
        elif (
            self.subgraph.fed2
            and node.selection_set is None
            and not external_parent
            and not member.external
        ):
            self.error(
                f"{code}_FIELDS_MISSING_EXTERNAL",
                f'{where}: field "{coordinate}" should not be part of a @{directive} since it '
                "is already provided by this subgraph (it is not marked @external)",
            )
        if node.selection_set is not None:
            external = external_parent or self.external_somewhere(type_name, member)
            self.check_selection(directive, where, member.type.base, node.selection_set, external)

    def external_somewhere(self, type_name: str, member: Field) -> bool:
        """The field is @external here or, on an interface, in one of its implementations."""
        if member.external:
            return True
        for named in self.subgraph.types.values():
            if type_name in named.interfaces:
                implementation = named.fields.get(member.name)
                if implementation is not None and implementation.external:
                    return True
        return False

    def check_key_field(self, where: str, coordinate: str, member: Field) -> None:
        """A key field has no arguments and is not an interface or a union."""
        if member.args:
            self.error(
                "KEY_FIELDS_HAS_ARGS",
                f"{where}: field {coordinate} cannot be included because it has arguments "
                "(fields with argument are not allowed in @key)",
            )
        target = self.subgraph.types.get(member.type.base)
        if target is not None and target.kind in (Kind.INTERFACE, Kind.UNION):
            kind = "Interface" if target.kind is Kind.INTERFACE else "Union"
            self.error(
                "KEY_FIELDS_SELECT_INVALID_TYPE",
                f'{where}: field "{coordinate}" is a {kind} type which is not allowed in @key',
            )

    def check_unused_externals(self) -> None:
        """EXTERNAL_UNUSED: an @external field no key, requires, provides or interface needs."""
        usage = self.context.usage[self.subgraph.name]
        used = usage.key_fields | usage.required | usage.provided
        for named in self.subgraph.types.values():
            interface_fields = {
                name
                for interface in named.interfaces
                for name in getattr(self.subgraph.types.get(interface), "fields", {})
            }
            for member in named.fields.values():
                if not member.external or (named.name, member.name) in used:
                    continue
                if member.name in interface_fields:
                    continue
                self.error(
                    "EXTERNAL_UNUSED",
                    f'Field "{named.name}.{member.name}" is marked @external but is not used in '
                    "any federation directive (@key, @provides, @requires) or to satisfy an "
                    "interface; the field declaration has no use and should be removed (or the "
                    "field should not be @external).",
                )


def validate_subgraph(context: MergeContext, subgraph: Subgraph) -> None:
    """Record the errors of one subgraph's federation directives."""
    SubgraphValidator(context, subgraph).validate()


def check_import_names(context: MergeContext) -> None:
    """LINK_IMPORT_NAME_MISMATCH: a directive kept in the supergraph needs one name everywhere."""
    for directive in ("authenticated", "requiresScopes", "policy", "cost", "listSize"):
        names = [
            (subgraph.name, f'"@{subgraph.imported_as[directive]}"')
            for subgraph in context.subgraphs
            if directive in subgraph.imported_as
        ]
        if len({name for _, name in names}) > 1:
            version = max(s.version for s in context.subgraphs)
            context.error(
                "LINK_IMPORT_NAME_MISMATCH",
                f'The "@{directive}" directive (from https://specs.apollo.dev/federation/'
                f"v{version[0]}.{version[1]}) is imported with mismatched name between subgraphs: "
                + describe_by_value("it is imported as", names),
            )


def validate_across_subgraphs(context: MergeContext) -> None:
    """Errors about a type as all subgraphs see it: extensions without base, interface objects."""
    check_import_names(context)
    sources: dict[str, list[tuple[Subgraph, NamedType]]] = {}
    for subgraph in context.subgraphs:
        for named in subgraph.types.values():
            sources.setdefault(named.name, []).append((subgraph, named))
    for name, defined in sources.items():
        if name not in ("Query", "Mutation", "Subscription") and all(
            named.extension and not named.extends for _, named in defined
        ):
            context.error(
                "EXTENSION_WITH_NO_BASE",
                f'[{defined[0][0].name}] Type "{name}" is an extension type, but there is no type '
                f'definition for "{name}" in any subgraph.',
            )
        if all(named.interface_object for _, named in defined):
            context.error(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it '
                f"is is defined (it is defined in {quoted_subgraphs(s.name for s, _ in defined)} "
                "but should be defined as an interface in at least one subgraph)",
            )
