"""Property test: every valid operation over a composed supergraph gets a well-formed plan.

Composition only accepts supergraphs in which every field is reachable, so for these fixtures a
`PlanningError` on a valid operation is always a planner bug.
"""

from __future__ import annotations

import re

from graphql import FieldNode, OperationDefinitionNode, parse, validate
from hypothesis import HealthCheck, given, settings

from renku_fed.router.planning import PlanningError, print_plan
from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    SequenceNode,
)
from tests.support.planning import UNPLANNABLE, load_supergraph, operations, planner_for


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return _fetches(node.node)
    if isinstance(node, SequenceNode | ParallelNode):
        return [f for child in node.nodes for f in _fetches(child)]
    if isinstance(node, BatchFetchNode):
        assert {f.service for f in _fetches(node.entries[0])} == {node.fetch.service}
        return [node.fetch, *(f for entry in node.entries for f in _fetches(entry))]
    assert isinstance(node, ConditionNode)
    return _fetches(node.if_clause) + _fetches(node.else_clause)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations())
def test_valid_operations_always_plan(case: tuple[str, str]) -> None:
    fixture, query = case
    supergraph = load_supergraph(fixture)
    document = parse(query)
    if validate(supergraph.api_schema, document):
        return
    try:
        plan = planner_for(fixture).plan(document, None, {})
    except PlanningError as error:
        assert fixture in UNPLANNABLE, (query, error)
        assert re.search(UNPLANNABLE[fixture], str(error)), (query, error)
        return
    fetches = _fetches(plan.node)
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    roots = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
    assert fetches or roots == {"__typename"}, query
    for fetch in fetches:
        assert fetch.service in supergraph.subgraphs
        parse(fetch.operation)
        assert "{}" not in fetch.operation, fetch.operation  # an empty selection is invalid
        assert "__schema" not in fetch.operation
        if fetch.requires is not None:
            assert fetch.operation.startswith("query($representations:[_Any!]!")
        elif fetch.operation.startswith("query($r0:"):
            assert "_e1:_entities(representations:$r1)" in fetch.operation
    assert print_plan(plan).startswith("QueryPlan {")
