"""A subscription's plan: the planner's plan cut into the root fetch and the rest per event."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse

from renku_fed.router.planning import PlanningError, QueryPlan, QueryPlanner, print_plan
from renku_fed.router.planning.nodes import FetchNode, FlattenNode, ParallelNode
from renku_fed.router.subscriptions.plan import split
from renku_fed.router.supergraph import Supergraph

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"


@pytest.fixture(scope="module")
def planner() -> QueryPlanner:
    return QueryPlanner(Supergraph.parse(SUPERGRAPH.read_text()))


def test_the_root_field_is_the_primary_fetch_and_other_subgraphs_are_the_rest(
    planner: QueryPlanner,
) -> None:
    document = parse(
        "subscription Follow($id: ID!) {"
        " sessionChanged(id: $id) { state user { username } project { name } } }"
    )
    plan = split(planner.plan(document, "Follow"))
    assert plan.primary.service == "sessions"
    assert plan.primary.operation_kind == "subscription"
    assert plan.primary.operation.startswith("subscription Follow__sessions__0($id:ID!)")
    assert plan.primary.variable_usages == ("id",)
    rest = plan.rest.node
    assert isinstance(rest, ParallelNode)
    fetched = {n.node.service for n in rest.nodes if isinstance(n, FlattenNode)}
    assert fetched == {"users", "projects"}


def test_a_subscription_its_subgraph_answers_whole_has_no_rest(planner: QueryPlanner) -> None:
    document = parse('subscription { indexingStatusChanged(projectId: "P") { status } }')
    plan = split(planner.plan(document, None))
    assert plan.primary.service == "kg"
    assert plan.rest.node is None


def test_a_plan_that_does_not_start_with_a_root_fetch_is_refused() -> None:
    entity = FetchNode("users", "query{_entities{id}}", requires=())
    with pytest.raises(PlanningError):
        split(QueryPlan(FlattenNode((), entity)))


def test_the_plan_prints_as_apollo_prints_a_subscription(planner: QueryPlanner) -> None:
    document = parse("subscription($id: ID!) { sessionChanged(id: $id) { user { username } } }")
    printed = print_plan(planner.plan(document, None))
    lines = [line.strip() for line in printed.splitlines()]
    assert lines[:4] == [
        "QueryPlan {",
        "Subscription {",
        "Primary: {",
        'Fetch(service: "sessions") {',
    ]
    rest = lines.index("Rest: {")
    assert lines[rest + 1 : rest + 3] == [
        'Flatten(path: "sessionChanged.user") {',
        'Fetch(service: "users") {',
    ]
    assert lines[-3:] == ["}", "},", "}"]
