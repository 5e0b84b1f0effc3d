"""Schemathesis (GraphQL mode) against the router's and each subgraph's HTTP endpoint: every
operation of each schema, with generated arguments and selections, is answered without a 5xx
or a traceback. RENKU_FED_SCHEMATHESIS_EXAMPLES cases per operation (default 3, about a minute
for all five endpoints); set it higher for a deeper run."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis import Case
from schemathesis.graphql import nodes
from schemathesis.schemas import BaseSchema

from tests.reliability.live_platform import LivePlatform
from tests.support.inprocess import SUBGRAPH_PORTS

EXAMPLES = int(os.environ.get("RENKU_FED_SCHEMATHESIS_EXAMPLES", "3"))
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# Scalars schemathesis generates itself (and federation's `_Any`, `_FieldSet`, which it skips).
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID", "DateTime", "Date", "Time", "UUID"}
TEXT = st.text(max_size=50).map(nodes.String)
SCALARS = {
    "JSON": st.one_of(
        TEXT,
        st.integers().map(nodes.Int),
        st.booleans().map(nodes.Boolean),
        st.lists(TEXT, max_size=3).map(nodes.List),
    )
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePlatform]:
    """The platform over HTTP, shared by every endpoint's run."""
    platform = LivePlatform(tmp_path_factory.mktemp("schemathesis"))
    yield platform
    platform.close()


def introspection_of(live: LivePlatform, name: str) -> dict[str, Any]:
    """The router's schema by introspection; a subgraph's from its Strawberry schema, since a
    subgraph may refuse introspection to an anonymous caller."""
    if name == "router":
        query = {"query": graphql.get_introspection_query()}
        answer: dict[str, Any] = httpx.post(live.urls["router"], json=query, timeout=30).json()
        return dict(answer["data"])
    module = importlib.import_module(f"renku_fed.subgraphs.{name}.schema")
    return dict(graphql.introspection_from_schema(module.schema._schema))


def schema_of(live: LivePlatform, name: str) -> BaseSchema:
    """The schema of endpoint `name`, with a strategy for each of its own scalars."""
    introspection = introspection_of(live, name)
    for scalar in introspection["__schema"]["types"]:
        own = scalar["name"]
        if scalar["kind"] == "SCALAR" and own not in BUILT_IN and not own.startswith("_"):
            schemathesis.graphql.scalar(own, SCALARS.get(own, TEXT))
    return schemathesis.graphql.from_dict({"data": introspection})


def headers_for(live: LivePlatform, name: str, label: str) -> dict[str, str]:
    """Alice's token, except for the sessions subgraph's mutations (which start servers)."""
    if name == "sessions" and not label.startswith("Query."):
        return {}
    return {"authorization": f"Bearer {live.issuer.sign('alice')}"}


def check(url: str, headers: dict[str, str], cases: SearchStrategy[Case]) -> None:
    """Send the budget's cases to `url`: each answered below 500 and without a traceback."""

    @BUDGET
    @given(case=cases)
    def run(case: Case) -> None:
        response = case.call(base_url=url, headers=headers, timeout=60)
        assert response.status_code < 500, (case.body, response.text[:500])
        assert b"Traceback" not in response.content, case.body
        assert b'File "' not in response.content, case.body

    run()


@pytest.mark.parametrize("name", ["router", *SUBGRAPH_PORTS])
def test_every_operation_is_answered_without_5xx_or_traceback(
    live: LivePlatform, name: str
) -> None:
    url = live.urls[name]
    checked = 0
    for result in schema_of(live, name).get_all_operations():
        operation = result.ok()
        check(url, headers_for(live, name, operation.label), operation.as_strategy())
        checked += 1

    assert checked >= 5
