"""Shared helpers for planner and supergraph tests: fixture loading and plan printing."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path

from graphql import parse, validate

from router.planning import QueryPlanner, print_plan
from router.supergraph import Supergraph

FIXTURES = Path(__file__).parent / "fixtures"


@cache
def load_supergraph(name: str) -> Supergraph:
    return Supergraph.parse((FIXTURES / f"{name}.graphql").read_text())


@cache
def planner_for(name: str) -> QueryPlanner:
    return QueryPlanner(load_supergraph(name))


def plan_text(
    fixture: str,
    query: str,
    variables: dict[str, object] | None = None,
    labels: frozenset[str] = frozenset(),
    operation_name: str | None = None,
) -> str:
    supergraph = load_supergraph(fixture)
    document = parse(query)
    errors = validate(supergraph.api_schema, document)
    assert not errors, errors
    plan = planner_for(fixture).plan(document, operation_name, variables, labels)
    return print_plan(plan)


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
