"""Batched entity fetches: planned for one subgraph from several paths, run as one request."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import parse

from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    FetchNode,
    FieldKey,
    FlattenNode,
    ListItems,
    QueryPlan,
    SequenceNode,
)
from tests.router.execution.test_executor import Subgraphs, entity_fetch, ok
from tests.support.planning import planner_for


def test_same_subgraph_fetches_waiting_for_the_same_fetch_share_one_request() -> None:
    query = "{ reviews { author { name email } plainAuthor { name } } }"
    plan = planner_for("provides").plan(parse(query), None, {})
    assert isinstance(plan.node, SequenceNode)
    batch = plan.node.nodes[1]
    assert isinstance(batch, BatchFetchNode)
    assert batch.fetch.service == "accounts"
    assert batch.fetch.operation == (
        "query($r0:[_Any!]!,$r1:[_Any!]!){"
        "_e0:_entities(representations:$r0){...on User{email}}"
        "_e1:_entities(representations:$r1){...on User{name}}}"
    )
    assert [len(entry.path) for entry in batch.entries] == [3, 3]


async def test_batch_fetch_sends_one_request_and_merges_each_call_at_its_path() -> None:
    def accounts(body: dict[str, Any]) -> httpx.Response:
        variables = body["variables"]
        return ok(
            {
                "_e0": [{"name": f"N{r['id']}"} for r in variables["r0"]],
                "_e1": [{"username": None} for _ in variables["r1"]],
            },
            [{"message": "hidden", "path": ["_e1", 0, "username"]}, {"message": "slow"}],
        )

    subgraphs = Subgraphs(
        root=lambda body: ok(
            {
                "me": {"__typename": "User", "id": "1"},
                "users": [{"__typename": "User", "id": "2"}, {"__typename": "User", "id": "3"}],
            }
        ),
        accounts=accounts,
    )
    batch = BatchFetchNode(
        FetchNode(
            service="accounts",
            operation="query($r0:[_Any!]!,$r1:[_Any!]!){"
            "_e0:_entities(representations:$r0){...on User{name}}"
            "_e1:_entities(representations:$r1){...on User{username}}}",
        ),
        (
            FlattenNode((FieldKey("me"),), entity_fetch("accounts", "User", "id", "name")),
            FlattenNode(
                (FieldKey("users"), ListItems()),
                entity_fetch("accounts", "User", "id", "username"),
            ),
        ),
    )
    root = FetchNode(service="root", operation="{me{__typename id}users{__typename id}}")
    plan = QueryPlan(SequenceNode((root, batch)))

    result = await subgraphs.executor().execute(plan, {}, {})

    (call,) = subgraphs.calls["accounts"]
    assert call["variables"] == {
        "r0": [{"__typename": "User", "id": "1"}],
        "r1": [{"__typename": "User", "id": "2"}, {"__typename": "User", "id": "3"}],
    }
    assert result.data["me"]["name"] == "N1"
    assert [user["username"] for user in result.data["users"]] == [None, None]
    assert [(e["message"], e.get("path")) for e in result.errors] == [
        ("slow", ["me"]),
        ("hidden", ["users", 0, "username"]),
    ]
