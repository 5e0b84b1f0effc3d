"""Building the supergraph model from the `join__*` directives (join v0.1 to v0.5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    FieldDefinitionNode,
    FieldNode,
    GraphQLSchema,
    InlineFragmentNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    ValueNode,
    get_named_type,
    print_ast,
)

from renku_fed.router.supergraph.contexts import context_arguments, type_contexts
from renku_fed.router.supergraph.errors import SupergraphError
from renku_fed.router.supergraph.fed1 import owned_key_fields, parse_field_set
from renku_fed.router.supergraph.links import Links
from renku_fed.router.supergraph.model import (
    FieldInfo,
    FieldInGraph,
    KeyInfo,
    SubgraphInfo,
    SupergraphModel,
    TypeInfo,
    TypeKind,
)

_KINDS: dict[type[TypeDefinitionNode], TypeKind] = {
    ObjectTypeDefinitionNode: TypeKind.OBJECT,
    InterfaceTypeDefinitionNode: TypeKind.INTERFACE,
    UnionTypeDefinitionNode: TypeKind.UNION,
    EnumTypeDefinitionNode: TypeKind.ENUM,
    InputObjectTypeDefinitionNode: TypeKind.INPUT,
    ScalarTypeDefinitionNode: TypeKind.SCALAR,
}


class _Reader:
    """Reads the join directives of one supergraph document."""

    def __init__(self, document: DocumentNode, links: Links, schema: GraphQLSchema) -> None:
        self.links = links
        self.schema = schema
        self.legacy = links.join_version == "0.1"
        self.names = {
            element: links.local_name("join", element)
            for element in (
                "graph",
                "type",
                "field",
                "implements",
                "unionMember",
                "enumValue",
                "owner",
                "Graph",
            )
        }
        spec_prefixes = tuple(f"{p}__" for p in links.prefixes)
        self.definitions = [
            d
            for d in document.definitions
            if isinstance(d, TypeDefinitionNode) and not d.name.value.startswith(spec_prefixes)
        ]
        self.graph_ids = self._read_graphs(document)
        self.externals = self._legacy_externals() if self.legacy else {}

    def _read_graphs(self, document: DocumentNode) -> dict[str, SubgraphInfo]:
        enum_name = self.names["Graph"]
        for d in document.definitions:
            if isinstance(d, EnumTypeDefinitionNode) and d.name.value == enum_name:
                graphs: dict[str, SubgraphInfo] = {}
                for value in d.values or ():
                    found = [
                        x for x in value.directives or () if x.name.value == self.names["graph"]
                    ]
                    if not found:
                        raise SupergraphError(f"{enum_name}.{value.name.value} has no @join__graph")
                    args = _args(found[0])
                    graphs[value.name.value] = SubgraphInfo(
                        name=_str(args.get("name")) or value.name.value.lower(),
                        url=_str(args.get("url")) or "",
                    )
                return graphs
        raise SupergraphError(f"not a supergraph: the enum {enum_name} is missing")

    def _directives(
        self, node: TypeDefinitionNode | FieldDefinitionNode, element: str
    ) -> list[dict[str, ValueNode]]:
        name = self.names[element]
        return [_args(d) for d in node.directives or () if d.name.value == name]

    def _graph(self, args: dict[str, ValueNode]) -> str | None:
        node = args.get("graph")
        if node is None:
            return None
        if not isinstance(node, EnumValueNode) or node.value not in self.graph_ids:
            raise SupergraphError(f"unknown join graph {print_ast(node)}")
        return self.graph_ids[node.value].name

    def build(self) -> SupergraphModel:
        """Build the immutable model."""
        all_graphs = frozenset(g.name for g in self.graph_ids.values())
        type_graphs: dict[str, frozenset[str]] = {}
        keys: dict[str, tuple[KeyInfo, ...]] = {}
        extension_keys: dict[str, list[KeyInfo]] = defaultdict(list)
        io_graphs: dict[str, frozenset[str]] = {}
        owners: dict[str, str] = {}
        for d in self.definitions:
            name = d.name.value
            graphs: set[str] = set()
            type_keys: list[KeyInfo] = []
            interface_objects: set[str] = set()
            for args in self._directives(d, "type"):
                graph = self._graph(args)
                if graph is None:
                    continue
                graphs.add(graph)
                if _bool(args.get("isInterfaceObject"), False):
                    interface_objects.add(graph)
                key = _str(args.get("key"))
                if key is not None:
                    info = KeyInfo(graph, key, _bool(args.get("resolvable"), True))
                    type_keys.append(info)
                    if _bool(args.get("extension"), False) or self.legacy:
                        extension_keys[name].append(info)
            for args in self._directives(d, "owner"):
                owner = self._graph(args)
                if owner is not None:
                    owners[name] = owner
                    graphs.add(owner)
            if not graphs and self.legacy:
                graphs = set(self._legacy_graphs(d) or all_graphs)
            type_graphs[name] = frozenset(graphs)
            keys[name] = tuple(type_keys)
            io_graphs[name] = frozenset(interface_objects)
        fields = {
            d.name.value: self._fields(d, type_graphs, owners, extension_keys)
            for d in self.definitions
        }
        types = {
            d.name.value: TypeInfo(
                name=d.name.value,
                kind=_KINDS[type(d)],
                graphs=type_graphs[d.name.value],
                keys=keys[d.name.value],
                interface_object_graphs=io_graphs[d.name.value],
                fields=fields[d.name.value],
                possible_types_by_graph=self._possible_types(d, type_graphs),
                enum_values_by_graph=self._enum_values(d, type_graphs[d.name.value]),
                contexts=type_contexts(d, self.links),
            )
            for d in self.definitions
            if type(d) in _KINDS
        }
        labels = frozenset(
            fig.override_label
            for t in types.values()
            for f in t.fields.values()
            for fig in f.graphs.values()
            if fig.override_label is not None
        )
        roots = {
            kind: root.name
            for kind, root in (
                ("query", self.schema.query_type),
                ("mutation", self.schema.mutation_type),
                ("subscription", self.schema.subscription_type),
            )
            if root is not None
        }
        subgraphs = {g.name: g for g in self.graph_ids.values()}
        return SupergraphModel(self.schema, subgraphs, types, roots, labels)

    def _legacy_graphs(self, d: TypeDefinitionNode) -> set[str]:
        found: set[str] = set()
        for field in getattr(d, "fields", None) or ():
            for args in self._directives(field, "field"):
                graph = self._graph(args)
                if graph is not None:
                    found.add(graph)
        return found

    def _fields(
        self,
        d: TypeDefinitionNode,
        type_graphs: dict[str, frozenset[str]],
        owners: dict[str, str],
        extension_keys: dict[str, list[KeyInfo]],
    ) -> dict[str, FieldInfo]:
        if not isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            return {}
        name = d.name.value
        owned = owned_key_fields(extension_keys.get(name, ()))
        required = self._required_names(d)
        result: dict[str, FieldInfo] = {}
        for field in d.fields or ():
            type_text = print_ast(field.type)
            per_graph: dict[str, FieldInGraph] = {}
            joins = self._directives(field, "field")
            for args in joins:
                graph = self._graph(args)
                if graph is None:
                    continue
                per_graph[graph] = FieldInGraph(
                    graph=graph,
                    type=_str(args.get("type")) or type_text,
                    external=_bool(args.get("external"), False)
                    and (graph, field.name.value) not in owned,
                    requires=_str(args.get("requires")),
                    provides=_str(args.get("provides")),
                    override_from=_str(args.get("override")),
                    override_label=_str(args.get("overrideLabel")),
                    used_overridden=_bool(args.get("usedOverridden"), False),
                    context_arguments=context_arguments(args.get("contextArguments")),
                )
            if not joins:
                default_graphs: Iterable[str] = type_graphs[name]
                if self.legacy and name in owners:
                    default_graphs = (owners[name],)
                # a field some subgraph `@requires` is external there, even when a composer
                # leaves out its join__field
                per_graph = {
                    g: FieldInGraph(g, type_text, external=field.name.value in required.get(g, ()))
                    for g in sorted(default_graphs)
                }
            for graph, field_name in owned:
                if field_name == field.name.value and graph not in per_graph:
                    per_graph[graph] = FieldInGraph(graph, type_text)
            for graph in sorted(self.externals.get((name, field.name.value), ())):
                per_graph.setdefault(graph, FieldInGraph(graph, type_text, external=True))
            result[field.name.value] = FieldInfo(
                field.name.value, type_text, _named(field), dict(per_graph)
            )
        return result

    def _legacy_externals(self) -> dict[tuple[str, str], set[str]]:
        """(type, field) -> graphs that declare the field `@external` for their `@provides` or
        `@requires`: join v0.1 writes `join__field` only for the fields a graph resolves.
        """
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for d in self.definitions:
            if not isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                continue
            for field in d.fields or ():
                for args in self._directives(field, "field"):
                    graph = self._graph(args)
                    for text, on in (
                        (_str(args.get("provides")), _named(field)),
                        (_str(args.get("requires")), d.name.value),
                    ):
                        if graph is not None and text is not None:
                            self._mark(parse_field_set(text), on, graph, found)
        return found

    def _mark(
        self,
        selection_set: SelectionSetNode,
        type_name: str,
        graph: str,
        found: dict[tuple[str, str], set[str]],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode) and selection.type_condition:
                condition = selection.type_condition.name.value
                self._mark(selection.selection_set, condition, graph, found)
            elif isinstance(selection, FieldNode) and selection.name.value != "__typename":
                found[(type_name, selection.name.value)].add(graph)
                gtype = self.schema.get_type(type_name)
                field = getattr(gtype, "fields", {}).get(selection.name.value)
                if selection.selection_set is not None and field is not None:
                    inner = get_named_type(field.type).name
                    self._mark(selection.selection_set, inner, graph, found)

    def _required_names(self, d: TypeDefinitionNode) -> dict[str, set[str]]:
        """Top-level field names each subgraph's `@requires` selections on this type use."""
        found: dict[str, set[str]] = defaultdict(set)
        for field in getattr(d, "fields", None) or ():
            for args in self._directives(field, "field"):
                graph = self._graph(args)
                requires = _str(args.get("requires"))
                if graph is not None and requires is not None:
                    found[graph] |= {
                        s.name.value
                        for s in parse_field_set(requires).selections
                        if isinstance(s, FieldNode)
                    }
        return found

    def _possible_types(
        self, d: TypeDefinitionNode, type_graphs: dict[str, frozenset[str]]
    ) -> dict[str, frozenset[str]]:
        name = d.name.value
        result: dict[str, set[str]] = defaultdict(set)
        if isinstance(d, UnionTypeDefinitionNode):
            members = self._directives(d, "unionMember")
            if members:
                for args in members:
                    graph = self._graph(args)
                    if graph is not None:
                        result[graph].add(_str(args.get("member")) or "")
            else:
                for member in d.types or ():
                    for graph in type_graphs[name] & type_graphs.get(
                        member.name.value, frozenset()
                    ):
                        result[graph].add(member.name.value)
        elif isinstance(d, InterfaceTypeDefinitionNode):
            for obj in self.definitions:
                if not isinstance(obj, ObjectTypeDefinitionNode):
                    continue
                declared = {i.name.value for i in obj.interfaces or ()}
                if name not in declared:
                    continue
                joined = self._directives(obj, "implements")
                if joined:
                    for args in joined:
                        graph = self._graph(args)
                        if graph is not None and _str(args.get("interface")) == name:
                            result[graph].add(obj.name.value)
                else:
                    for graph in type_graphs[name] & type_graphs[obj.name.value]:
                        result[graph].add(obj.name.value)
        return {g: frozenset(members) for g, members in result.items()}

    def _enum_values(
        self, d: TypeDefinitionNode, graphs: frozenset[str]
    ) -> dict[str, frozenset[str]]:
        if not isinstance(d, EnumTypeDefinitionNode):
            return {}
        result: dict[str, set[str]] = {g: set() for g in graphs}
        for value in d.values or ():
            joined = [
                _args(x) for x in value.directives or () if x.name.value == self.names["enumValue"]
            ]
            value_graphs = {self._graph(a) for a in joined} if joined else set(graphs)
            for graph in value_graphs:
                if graph is not None:
                    result.setdefault(graph, set()).add(value.name.value)
        return {g: frozenset(v) for g, v in result.items()}


def build_model(document: DocumentNode, links: Links, schema: GraphQLSchema) -> SupergraphModel:
    """Read the join directives of `document` into a `SupergraphModel`."""
    return _Reader(document, links, schema).build()


def _args(directive: ConstDirectiveNode) -> dict[str, ValueNode]:
    return {a.name.value: a.value for a in directive.arguments or ()}


def _str(node: ValueNode | None) -> str | None:
    return node.value if isinstance(node, StringValueNode) else None


def _bool(node: ValueNode | None, default: bool) -> bool:
    return node.value if isinstance(node, BooleanValueNode) else default


def _named(field: FieldDefinitionNode) -> str:
    node = field.type
    while not hasattr(node, "name"):
        node = node.type  # type: ignore[attr-defined]
    return str(node.name.value)
