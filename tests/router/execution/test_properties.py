"""Property test: random valid operations over the fixture supergraphs, executed through the
`Gateway` against in-process subgraphs, give responses that validate against the operation.

The subgraph doubles answer every field with a schema-valid value, so a correct router returns
every selected key, in order, with values of the API schema's types and no error. An error
means a subgraph rejected the operation the planner wrote, or the router lost or broke data.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings

from renku_fed.router.gateway import Gateway
from renku_fed.router.limits import LimitSettings
from renku_fed.router.request import GraphQLRequest, GraphQLResponse
from renku_fed.router.settings import RouterSettings
from tests.support.planning import UNPLANNABLE, load_supergraph, operations
from tests.support.subgraph_doubles import SubgraphDoubles

Path = tuple[str | int, ...]
# random operations are often wider and costlier than the default limits allow
_SETTINGS = RouterSettings(
    limits=LimitSettings(max_depth=0, max_aliases=0, max_root_fields=0, max_cost=0)
)
_SCALARS: dict[str, tuple[type, ...]] = {
    "Int": (int,),
    "Float": (int, float),
    "String": (str,),
    "Boolean": (bool,),
    "ID": (str,),
}
# No subgraph implements `Node` there, so nothing can tell the real type of a `backNode` value.
SUBGRAPH_ERRORS = {"unreachable_interface_object": r"Cannot query field '_entities'"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations())
def test_random_operations_execute_to_responses_that_match_them(case: tuple[str, str]) -> None:
    fixture, query = case
    supergraph = load_supergraph(fixture)
    document = parse(query)
    if validate(supergraph.api_schema, document):
        return
    response = asyncio.run(_execute(fixture, query))
    if fixture in UNPLANNABLE and response.data is None:
        assert all(re.search(UNPLANNABLE[fixture], e["message"]) for e in response.errors)
        return
    allowed = SUBGRAPH_ERRORS.get(fixture, "^$")
    assert all(re.search(allowed, e["message"]) for e in response.errors), (query, response)
    assert response.data is not None, query
    check_response(supergraph.api_schema, document, response.data)


@cache
def _doubles(fixture: str) -> SubgraphDoubles:
    return SubgraphDoubles(load_supergraph(fixture))


async def _execute(fixture: str, query: str) -> GraphQLResponse:
    gateway = Gateway(load_supergraph(fixture), _SETTINGS, _doubles(fixture).transport)
    try:
        return await gateway.execute(GraphQLRequest(query), {})
    finally:
        await gateway.aclose()


def check_response(schema: GraphQLSchema, document: DocumentNode, data: dict[str, Any]) -> None:
    """Assert that `data` holds exactly the operation's selection, in its order and types."""
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert schema.query_type is not None
    _check_object(schema, schema.query_type, operation.selection_set.selections, data, ())


def _check_value(
    schema: GraphQLSchema,
    type_: GraphQLOutputType,
    selections: Sequence[SelectionNode],
    value: Any,
    path: Path,
) -> None:
    if isinstance(type_, GraphQLNonNull):
        assert value is not None, f"null in the non-null position {path}"
        _check_value(schema, type_.of_type, selections, value, path)
    elif value is None:
        return
    elif isinstance(type_, GraphQLList):
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            _check_value(schema, type_.of_type, selections, item, (*path, index))
    elif isinstance(type_, GraphQLEnumType):
        assert value in type_.values, (path, value)
    elif isinstance(type_, GraphQLScalarType):
        expected = _SCALARS.get(type_.name)
        if expected is not None:
            assert isinstance(value, expected), (path, value)
            assert type_.name == "Boolean" or not isinstance(value, bool), (path, value)
    else:
        assert isinstance(value, dict), (path, value)
        runtime: Any = type_
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            runtime = schema.get_type(value.get("__typename", ""))
            assert isinstance(runtime, GraphQLObjectType), (path, value)
            assert schema.is_sub_type(type_, runtime), (path, runtime.name)
        assert isinstance(runtime, GraphQLObjectType), (path, value)
        _check_object(schema, runtime, selections, value, path)


def _check_object(
    schema: GraphQLSchema,
    runtime: GraphQLObjectType,
    selections: Sequence[SelectionNode],
    value: dict[str, Any],
    path: Path,
) -> None:
    fields: dict[str, list[FieldNode]] = {}
    _collect(schema, runtime, selections, fields)
    assert list(value) == list(fields), (path, list(value), list(fields))
    for key, nodes in fields.items():
        name = nodes[0].name.value
        if name == "__typename":
            assert value[key] == runtime.name, (path, key, value[key])
            continue
        children = [s for n in nodes if n.selection_set for s in n.selection_set.selections]
        field_type = runtime.fields[name].type
        _check_value(schema, field_type, children, value[key], (*path, key))


def _collect(
    schema: GraphQLSchema,
    runtime: GraphQLObjectType,
    selections: Sequence[SelectionNode],
    fields: dict[str, list[FieldNode]],
) -> None:
    """Field collection of the spec for the runtime type (the generator writes no spreads
    and no `@skip`/`@include`).
    """
    for selection in selections:
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            fields.setdefault(key, []).append(selection)
            continue
        assert isinstance(selection, InlineFragmentNode)
        condition = selection.type_condition
        target = None if condition is None else schema.get_type(condition.name.value)
        if target is None or target is runtime or schema.is_sub_type(target, runtime):  # type: ignore[arg-type]
            _collect(schema, runtime, selection.selection_set.selections, fields)
