"""In-process subgraphs for a fixture supergraph, for executing plans without a network.

Each subgraph's schema is read back from the supergraph's join metadata (its types, fields as it
declares them, implementations, union members and enum values, plus `_entities`), and executed
by graphql-core with resolvers that answer every field with a deterministic, schema-valid value:
values a representation carries are echoed, everything else is made up from the field's type.
An invalid subgraph operation therefore comes back as a GraphQL error, as a real subgraph's would.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    SelectionSetNode,
    Visitor,
    build_schema,
    graphql,
    is_specified_scalar_type,
    parse,
    print_ast,
    visit,
)

from renku_fed.router.planning.graph import field_named_type
from renku_fed.router.supergraph import Supergraph
from renku_fed.router.supergraph.model import FieldInfo, TypeKind

_LIST_LENGTH = 2


class SubgraphDoubles:
    """Every subgraph of a supergraph, served through `transport`."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.api_schema = supergraph.api_schema
        self.model = supergraph.model
        self.schemas = {
            name: build_schema(subgraph_sdl(supergraph, name), assume_valid=True)
            for name in supergraph.subgraphs
        }
        self.names = {str(httpx.URL(info.url)): name for name, info in supergraph.subgraphs.items()}
        self.transport = httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if _has_empty_selection(body["query"]):
            # graphql-core parses `{}`, the JavaScript reference parser (and the spec) does not
            error = {"message": 'Syntax Error: Expected Name, found "}".'}
            return httpx.Response(200, json={"errors": [error]})
        result = await graphql(
            self.schemas[self.names[str(request.url)]],
            body["query"],
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
            field_resolver=self._resolve,
            type_resolver=_resolve_type,
        )
        return httpx.Response(200, json=result.formatted)

    def _resolve(self, source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        if info.field_name == "_entities":
            return [_entity(info.schema, r) for r in args["representations"]]
        if isinstance(source, dict) and info.field_name in source:
            return source[info.field_name]
        shared = self._shared_types(info.parent_type.name, info.field_name)
        label = f"{info.parent_type.name}.{info.field_name}"
        return self._value(info.schema, info.return_type, label, 0, shared)

    def _shared_types(self, type_name: str, field_name: str) -> frozenset[str] | None:
        """Object types every subgraph resolving the field can return: a shareable field
        answers the same object whichever subgraph serves it, so it is one of those.
        """
        info = self.model.field(type_name, field_name)
        if info is None or not self.model.is_abstract(info.named_type):
            return None
        shared = self.model.possible_types(info.named_type)
        for declared in info.graphs.values():
            if not declared.external:
                named = field_named_type(self.model, declared)
                shared &= self.model.possible_types_in(named, declared.graph)
        return shared

    def _value(
        self,
        schema: GraphQLSchema,
        type_: GraphQLOutputType,
        label: str,
        index: int,
        shared: frozenset[str] | None,
    ) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self._value(schema, type_.of_type, label, index, shared)
        if isinstance(type_, GraphQLList):
            items = range(_LIST_LENGTH)
            return [self._value(schema, type_.of_type, label, i, shared) for i in items]
        if isinstance(type_, GraphQLEnumType):
            visible = self.api_schema.get_type(type_.name)
            names = sorted(v for v in type_.values if v in getattr(visible, "values", ()))
            choices = names or sorted(type_.values)
            return choices[index % len(choices)]
        if isinstance(type_, GraphQLScalarType):
            return _scalar(type_.name, f"{label}#{index}", index)
        if isinstance(type_, GraphQLObjectType):
            return {}
        assert isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        runtime = sorted(
            t.name
            for t in schema.get_possible_types(type_)
            if self.api_schema.get_type(t.name) is not None
        )
        runtime = [t for t in runtime if shared is None or t in shared] or runtime
        return {"__typename": runtime[index % len(runtime)]} if runtime else None


class _EmptySelections(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> None:
        self.found = self.found or not node.selections


def _has_empty_selection(query: str) -> bool:
    visitor = _EmptySelections()
    visit(parse(query), visitor)
    return visitor.found


def _scalar(name: str, text: str, index: int) -> Any:
    if name == "Int":
        return index
    if name == "Float":
        return index + 0.5
    if name == "Boolean":
        return index % 2 == 0
    return text


def _resolve_type(value: Any, info: GraphQLResolveInfo[Any], abstract_type: Any) -> str:
    return str(value["__typename"])


def _entity(schema: GraphQLSchema, representation: dict[str, Any]) -> dict[str, Any]:
    """The entity of a representation; one sent as an entity interface becomes the first of
    its implementations, as a subgraph that knows the interface would say.
    """
    gtype = schema.get_type(representation["__typename"])
    if isinstance(gtype, GraphQLInterfaceType):
        first = sorted(t.name for t in schema.get_possible_types(gtype))[0]
        return {**representation, "__typename": first}
    return dict(representation)


def subgraph_sdl(supergraph: Supergraph, graph: str) -> str:
    """The SDL of `graph` as the join metadata describes it, with `_entities` on its Query."""
    model = supergraph.model
    schema = model.schema
    roots = set(model.root_types.values())
    entities = [
        name
        for name, info in model.types.items()
        if graph in info.graphs
        and (info.kind is TypeKind.OBJECT or graph in info.interface_object_graphs)
        and name not in roots
    ]
    parts = ["scalar _Any"]
    if entities:
        parts.append(f"union _Entity = {' | '.join(entities)}")
    for info in model.types.values():
        if graph not in info.graphs:
            continue
        gtype = schema.get_type(info.name)
        object_like = info.kind is TypeKind.OBJECT or graph in info.interface_object_graphs
        if object_like or info.kind is TypeKind.INTERFACE:
            fields = [_field_sdl(supergraph, info.name, f, graph) for f in info.fields.values()]
            fields = [f for f in fields if f]
            if info.name == model.root_types.get("query") and entities:
                fields.append("_entities(representations: [_Any!]!): [_Entity]!")
            keyword = "type" if object_like else "interface"
            implements = _implements(supergraph, info.name, graph) if object_like else ""
            parts.append(f"{keyword} {info.name}{implements} {{ {' '.join(fields)} }}")
        elif info.kind is TypeKind.UNION:
            members = sorted(info.possible_types_by_graph.get(graph, ()))
            parts.append(f"union {info.name} = {' | '.join(members)}")
        elif info.kind is TypeKind.ENUM:
            values = info.enum_values_by_graph.get(graph) or getattr(gtype, "values", {})
            parts.append(f"enum {info.name} {{ {' '.join(sorted(values))} }}")
        elif isinstance(gtype, GraphQLInputObjectType):
            fields = [f"{n}: {f.type}" for n, f in gtype.fields.items()]
            parts.append(f"input {info.name} {{ {' '.join(fields)} }}")
        elif isinstance(gtype, GraphQLScalarType) and not is_specified_scalar_type(gtype):
            parts.append(f"scalar {info.name}")
    return "\n".join(parts)


def _field_sdl(supergraph: Supergraph, type_name: str, info: FieldInfo, graph: str) -> str:
    declared = info.graphs.get(graph)
    if declared is None:
        return ""
    gtype = supergraph.model.schema.get_type(type_name)
    assert isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType)
    args = []
    for name, arg in gtype.fields[info.name].args.items():
        text = f"{name}: {arg.type}"
        if arg.ast_node is not None and arg.ast_node.default_value is not None:
            text += f" = {print_ast(arg.ast_node.default_value)}"
        args.append(text)
    signature = f"({', '.join(args)})" if args else ""
    return f"{info.name}{signature}: {declared.type}"


def _implements(supergraph: Supergraph, type_name: str, graph: str) -> str:
    model = supergraph.model
    interfaces = [
        name
        for name, info in model.types.items()
        if info.kind is TypeKind.INTERFACE
        and graph not in info.interface_object_graphs
        and type_name in info.possible_types_by_graph.get(graph, ())
    ]
    return f" implements {' & '.join(interfaces)}" if interfaces else ""
