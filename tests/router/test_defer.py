"""`@defer` through the gateway: the primary payload first, then each deferred part."""

from __future__ import annotations

import asyncio
from typing import Any

from renku_fed.router.execution.incremental import IncrementalResponse
from renku_fed.router.gateway import Gateway
from renku_fed.router.planning import print_plan
from renku_fed.router.request import GraphQLRequest, GraphQLResponse
from renku_fed.router.streaming import execute_incremental
from tests.support.fake_subgraphs import FakeSubgraphs

PRODUCTS = """{
  topProducts(first: 2) {
    name
    ... @defer(label: "reviews") { reviews { body author { name } } }
  }
}"""


async def incremental(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = await execute_incremental(gateway, GraphQLRequest(query, variables=variables), {})
    assert isinstance(result, IncrementalResponse)
    return result.initial.to_dict(), [payload async for payload in result.subsequent]


async def test_primary_first_then_one_item_per_object(gateway: Gateway) -> None:
    initial, rest = await incremental(gateway, PRODUCTS)

    assert initial == {"data": {"topProducts": [{"name": "Table"}, {"name": "Chair"}]}}
    assert rest == [
        {
            "hasNext": False,
            "incremental": [
                {
                    "data": {
                        "reviews": [
                            {"body": "Sturdy", "author": {"name": "Ann"}},
                            {"body": "Wobbly", "author": {"name": "Bob"}},
                        ]
                    },
                    "path": ["topProducts", 0],
                    "label": "reviews",
                },
                {
                    "data": {"reviews": [{"body": "Comfy", "author": {"name": "Ann"}}]},
                    "path": ["topProducts", 1],
                    "label": "reviews",
                },
            ],
        }
    ]


async def test_without_incremental_delivery_the_parts_are_merged(gateway: Gateway) -> None:
    deferred = await gateway.execute(GraphQLRequest(PRODUCTS), {})
    plain = await gateway.execute(
        GraphQLRequest(PRODUCTS.replace('@defer(label: "reviews")', "")), {}
    )

    assert deferred.to_dict() == plain.to_dict()
    assert deferred.to_dict()["data"]["topProducts"][1]["reviews"] == [
        {"body": "Comfy", "author": {"name": "Ann"}}
    ]


async def test_the_deferred_part_is_fetched_after_the_primary_from_its_keys(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    await incremental(gateway, PRODUCTS)

    [primary] = fakes.calls("products")[:1]
    assert "reviews" not in primary["query"] and "upc" in primary["query"]
    [deferred] = fakes.calls("reviews")
    assert deferred["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1"},
        {"__typename": "Product", "upc": "2"},
    ]


async def test_a_fast_part_is_sent_before_a_slow_one(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    fakes.delay["reviews"] = 0.3
    query = """{ topProducts(first: 1) {
      name
      ... @defer(label: "slow") { reviews { body } }
      ... @defer(label: "fast") { inStock }
    } }"""

    _, rest = await incremental(gateway, query)

    assert [[i["label"] for i in p["incremental"]] for p in rest] == [["fast"], ["slow"]]
    assert [p["hasNext"] for p in rest] == [True, False]
    assert rest[0]["incremental"][0]["data"] == {"inStock": True}


async def test_errors_of_a_deferred_part_stay_in_it(gateway: Gateway, fakes: FakeSubgraphs) -> None:
    fakes.down.add("reviews")

    initial, rest = await incremental(gateway, PRODUCTS)

    assert "errors" not in initial
    items = rest[0]["incremental"]
    # `reviews` is non-null: its null reaches the deferred fragment and stops there
    assert [(item["data"], item["path"]) for item in items] == [
        (None, ["topProducts", 0]),
        (None, ["topProducts", 1]),
    ]
    codes = {e["extensions"]["code"] for item in items for e in item.get("errors", [])}
    assert codes == {"SUBGRAPH_UNAVAILABLE"}


async def test_a_part_whose_parent_is_null_is_not_sent(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    fakes.down.add("accounts")
    query = (
        '{ topProducts(first: 1) { name } me { ... @defer(label: "mine") { reviews { body } } } }'
    )

    initial, rest = await incremental(gateway, query)

    assert initial["data"] == {"topProducts": [{"name": "Table"}], "me": None}
    assert initial["errors"]
    assert rest == [{"hasNext": False}]


async def test_defer_if_false_answers_in_one_response(gateway: Gateway) -> None:
    query = """query($d: Boolean! = true) {
      topProducts(first: 1) { name ... @defer(if: $d) { inStock } }
    }"""

    off = await execute_incremental(gateway, GraphQLRequest(query, variables={"d": False}), {})
    on = await execute_incremental(gateway, GraphQLRequest(query, variables={"d": True}), {})

    assert isinstance(off, GraphQLResponse)
    assert off.to_dict() == {"data": {"topProducts": [{"name": "Table", "inStock": True}]}}
    assert isinstance(on, IncrementalResponse)
    assert on.initial.to_dict() == {"data": {"topProducts": [{"name": "Table"}]}}
    [last] = [p async for p in on.subsequent]
    assert last["incremental"][0]["data"] == {"inStock": True}
    plan = print_plan(gateway.plan(query))
    assert plan.startswith("QueryPlan {\n  Include(if: $d) {\n    Defer {") and " Else {" in plan


async def test_a_fragment_on_the_root_is_its_own_query(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    query = '{ topProducts(first: 1) { name } ... @defer(label: "me") { me { name } } }'

    initial, rest = await incremental(gateway, query)

    assert initial == {"data": {"topProducts": [{"name": "Table"}]}}
    assert rest == [
        {
            "hasNext": False,
            "incremental": [{"data": {"me": {"name": "Ann"}}, "path": [], "label": "me"}],
        }
    ]
    assert len(fakes.calls("accounts")) == 1


async def test_a_mutation_defers_the_selection_after_its_root_fetch(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    query = """mutation {
      addReview(upc: "1", body: "Fine") { body product { ... @defer { name } } }
    }"""

    initial, rest = await incremental(gateway, query)

    assert initial == {"data": {"addReview": {"body": "Fine", "product": {}}}}
    assert rest[0]["incremental"] == [{"data": {"name": "Table"}, "path": ["addReview", "product"]}]
    assert len(fakes.calls("reviews")) == 1


async def test_cancel_stops_the_deferred_parts_in_flight(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    fakes.delay["reviews"] = 30
    result = await execute_incremental(gateway, GraphQLRequest(PRODUCTS), {})
    assert isinstance(result, IncrementalResponse)
    await asyncio.sleep(0.05)
    assert len(fakes.calls("reviews")) == 1
    running = len(asyncio.all_tasks())

    result.cancel()
    await asyncio.sleep(0.01)

    assert len(asyncio.all_tasks()) == running - 1
