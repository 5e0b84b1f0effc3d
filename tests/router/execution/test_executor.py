"""Executor: hand-built plans run against in-process subgraph doubles."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest
from graphql import build_schema

from renku_fed.router.execution import Executor, SubgraphTransport
from renku_fed.router.planning.nodes import (
    ConditionNode,
    FetchNode,
    FieldKey,
    FlattenNode,
    KeyRenamer,
    ListItems,
    ParallelNode,
    QueryPlan,
    SelectedField,
    SelectedFragment,
    SequenceNode,
    TypeCondition,
    TypenameEquals,
    ValueSetter,
)

API_SCHEMA = build_schema(
    """
    type Query {
      me: User
      users: [User!]!
      topProducts: [Product!]!
      books: [Book!]!
      nodes: [Node!]!
    }
    interface Node { id: ID! }
    type User implements Node { id: ID! name: String username: String! reviews: [Review!]! }
    type Product implements Node {
      id: ID! upc: String! name: String price: Int weight: Int shippingEstimate: Int
      reviews: [Review!]!
    }
    type Review { id: ID! body: String! author: User! }
    type Book { upc: String! id: ID author: String }
    """
)

Handler = Callable[[dict[str, Any]], Awaitable[httpx.Response] | httpx.Response]


class Subgraphs:
    """Subgraph doubles by name; each records the bodies and headers it received."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = handlers
        self.calls: dict[str, list[dict[str, Any]]] = {name: [] for name in handlers}
        self.headers: dict[str, list[httpx.Headers]] = {name: [] for name in handlers}

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host
        body = orjson.loads(request.content)
        self.calls[name].append(body)
        self.headers[name].append(request.headers)
        result = self.handlers[name](body)
        return await result if isinstance(result, Awaitable) else result

    def executor(self, timeout: float = 5.0) -> Executor:
        transport = SubgraphTransport(
            {name: f"http://{name}/graphql" for name in self.handlers},
            timeout_seconds=timeout,
            transport=httpx.MockTransport(self),
        )
        return Executor(API_SCHEMA, transport)


def ok(data: Any, errors: list[dict[str, Any]] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = errors
    return httpx.Response(200, json=body)


def entities(field_values: Callable[[dict[str, Any]], Any]) -> Handler:
    """A subgraph that answers `_entities` by mapping each representation."""

    def handle(body: dict[str, Any]) -> httpx.Response:
        return ok({"_entities": [field_values(r) for r in body["variables"]["representations"]]})

    return handle


def entity_fetch(service: str, type_name: str, key: str, selection: str) -> FetchNode:
    return FetchNode(
        service=service,
        operation=f"query($representations:[_Any!]!){{_entities(representations:$representations)"
        f"{{...on {type_name}{{{selection}}}}}}}",
        requires=(SelectedFragment(type_name, (SelectedField("__typename"), SelectedField(key))),),
    )


PRODUCTS_ROOT = FetchNode(service="products", operation="{topProducts{__typename upc name}}")
REVIEWS_OF_PRODUCTS = FlattenNode(
    (FieldKey("topProducts"), ListItems()),
    entity_fetch("reviews", "Product", "upc", "reviews{body}"),
)


async def test_entity_batching_sends_each_representation_once_and_merges_everywhere() -> None:
    products = [
        {"__typename": "Product", "upc": "1", "name": "Table"},
        {"__typename": "Product", "upc": "2", "name": "Chair"},
        {"__typename": "Product", "upc": "1", "name": "Table"},
    ]
    subgraphs = Subgraphs(
        products=lambda body: ok({"topProducts": products}),
        reviews=entities(lambda r: {"reviews": [{"body": f"review of {r['upc']}"}]}),
    )
    plan = QueryPlan(SequenceNode((PRODUCTS_ROOT, REVIEWS_OF_PRODUCTS)))

    result = await subgraphs.executor().execute(plan, {}, {})

    assert len(subgraphs.calls["reviews"]) == 1
    assert subgraphs.calls["reviews"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1"},
        {"__typename": "Product", "upc": "2"},
    ]
    assert [p["reviews"][0]["body"] for p in result.data["topProducts"]] == [
        "review of 1",
        "review of 2",
        "review of 1",
    ]
    assert result.errors == []


async def test_duplicate_positions_get_independent_copies() -> None:
    products = [{"__typename": "Product", "upc": "1"}, {"__typename": "Product", "upc": "1"}]
    subgraphs = Subgraphs(
        products=lambda body: ok({"topProducts": products}),
        reviews=entities(lambda r: {"reviews": [{"body": "x"}]}),
    )
    plan = QueryPlan(SequenceNode((PRODUCTS_ROOT, REVIEWS_OF_PRODUCTS)))

    result = await subgraphs.executor().execute(plan, {}, {})

    first, second = result.data["topProducts"]
    assert first["reviews"] == second["reviews"]
    assert first["reviews"] is not second["reviews"]


async def test_null_entity_is_skipped_in_the_next_hop() -> None:
    subgraphs = Subgraphs(
        a=lambda body: ok(
            {"books": [{"__typename": "Book", "upc": "b1"}, {"__typename": "Book", "upc": "b3"}]}
        ),
        b=entities(lambda r: {"id": "1"} if r["upc"] == "b1" else None),
        c=entities(lambda r: {"author": f"author of {r['id']}"}),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="a", operation="{books{__typename upc}}"),
                FlattenNode(
                    (FieldKey("books"), ListItems()), entity_fetch("b", "Book", "upc", "id")
                ),
                FlattenNode(
                    (FieldKey("books"), ListItems()), entity_fetch("c", "Book", "id", "author")
                ),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["c"][0]["variables"]["representations"] == [
        {"__typename": "Book", "id": "1"}
    ]
    assert result.data["books"] == [
        {"__typename": "Book", "upc": "b1", "id": "1", "author": "author of 1"},
        {"__typename": "Book", "upc": "b3"},
    ]


async def test_null_in_a_non_null_key_field_sends_no_call() -> None:
    subgraphs = Subgraphs(
        products=lambda body: ok({"topProducts": [{"__typename": "Product", "upc": None}]}),
        reviews=entities(lambda r: {"reviews": []}),
    )
    plan = QueryPlan(SequenceNode((PRODUCTS_ROOT, REVIEWS_OF_PRODUCTS)))

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["reviews"] == []
    assert result.data == {"topProducts": [{"__typename": "Product", "upc": None}]}


async def test_nullable_required_field_is_sent_as_null() -> None:
    subgraphs = Subgraphs(
        products=lambda body: ok(
            {"topProducts": [{"__typename": "Product", "upc": "1", "price": None, "weight": 3}]}
        ),
        inventory=entities(lambda r: {"shippingEstimate": r["weight"]}),
    )
    requires = (
        SelectedFragment(
            "Product",
            (
                SelectedField("__typename"),
                SelectedField("upc"),
                SelectedField("price"),
                SelectedField("weight"),
            ),
        ),
    )
    fetch = FetchNode(service="inventory", operation="q", requires=requires)
    plan = QueryPlan(
        SequenceNode((PRODUCTS_ROOT, FlattenNode((FieldKey("topProducts"), ListItems()), fetch)))
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["inventory"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1", "price": None, "weight": 3}
    ]
    assert result.data["topProducts"][0]["shippingEstimate"] == 3


async def test_alias_keys_are_read_and_sent_under_the_field_name() -> None:
    subgraphs = Subgraphs(
        products=lambda body: ok(
            {"topProducts": [{"__typename": "Product", "upc": "1", "_internal_qp_alias_0": 7}]}
        ),
        inventory=entities(lambda r: {"shippingEstimate": r["price"] * 2}),
    )
    requires = (
        SelectedFragment(
            "Product",
            (
                SelectedField("__typename"),
                SelectedField("upc"),
                SelectedField("price", alias="_internal_qp_alias_0"),
            ),
        ),
    )
    fetch = FetchNode(service="inventory", operation="q", requires=requires)
    plan = QueryPlan(
        SequenceNode((PRODUCTS_ROOT, FlattenNode((FieldKey("topProducts"), ListItems()), fetch)))
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["inventory"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1", "price": 7}
    ]
    assert result.data["topProducts"][0]["shippingEstimate"] == 14


async def test_input_value_setter_and_output_key_renamer() -> None:
    subgraphs = Subgraphs(
        accounts=lambda body: ok({"users": [{"__typename": "User", "id": "u1"}]}),
        names=entities(lambda r: {"__typename": r["__typename"], "_internal_qp_alias_0": "Ann"}),
    )
    fetch = FetchNode(
        service="names",
        operation="q",
        requires=(SelectedFragment("User", (SelectedField("__typename"), SelectedField("id"))),),
        input_rewrites=(ValueSetter((TypenameEquals("User"), FieldKey("__typename")), "Node"),),
        output_rewrites=(KeyRenamer((FieldKey("_internal_qp_alias_0"),), "name"),),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="accounts", operation="{users{__typename id}}"),
                FlattenNode((FieldKey("users"), ListItems()), fetch),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["names"][0]["variables"]["representations"] == [
        {"__typename": "Node", "id": "u1"}
    ]
    # The interface name the subgraph echoes never replaces the concrete type.
    assert result.data["users"] == [{"__typename": "User", "id": "u1", "name": "Ann"}]


async def test_entity_output_rewrite_scoped_to_a_type_the_entity_does_not_echo() -> None:
    subgraphs = Subgraphs(
        accounts=lambda body: ok({"users": [{"__typename": "User", "id": "u1"}]}),
        names=entities(lambda r: {"_internal_qp_alias_0": "Ann"}),
    )
    fetch = FetchNode(
        service="names",
        operation="q",
        requires=(SelectedFragment("User", (SelectedField("__typename"), SelectedField("id"))),),
        output_rewrites=(
            KeyRenamer((TypenameEquals("User"), FieldKey("_internal_qp_alias_0")), "name"),
        ),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="accounts", operation="q"),
                FlattenNode((FieldKey("users"), ListItems()), fetch),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.data["users"] == [{"__typename": "User", "id": "u1", "name": "Ann"}]


async def test_type_condition_filters_by_typename_and_interface() -> None:
    nodes = [
        {"__typename": "User", "id": "u1"},
        {"__typename": "Product", "id": "p1", "upc": "1"},
    ]
    subgraphs = Subgraphs(
        root=lambda body: ok({"nodes": nodes}),
        reviews=entities(lambda r: {"reviews": []}),
        stock=entities(lambda r: {"name": "n-" + r["id"]}),
    )
    only_products = FlattenNode(
        (FieldKey("nodes"), ListItems(), TypeCondition(("Product",))),
        entity_fetch("reviews", "Product", "upc", "reviews{body}"),
    )
    all_nodes = FlattenNode(
        (FieldKey("nodes"), ListItems(), TypeCondition(("Node",))),
        FetchNode(
            service="stock",
            operation="q",
            requires=(
                SelectedFragment("Node", (SelectedField("__typename"), SelectedField("id"))),
            ),
        ),
    )
    plan = QueryPlan(
        SequenceNode(
            (FetchNode(service="root", operation="q"), ParallelNode((only_products, all_nodes)))
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert subgraphs.calls["reviews"][0]["variables"]["representations"] == [
        {"__typename": "Product", "upc": "1"}
    ]
    assert len(subgraphs.calls["stock"][0]["variables"]["representations"]) == 2
    assert result.data["nodes"][0] == {"__typename": "User", "id": "u1", "name": "n-u1"}
    assert result.data["nodes"][1]["reviews"] == []


async def test_parallel_fetches_run_concurrently() -> None:
    both_started = asyncio.Event()
    started: list[str] = []

    async def slow(name: str, data: dict[str, Any]) -> httpx.Response:
        started.append(name)
        if len(started) == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), timeout=2)
        return ok(data)

    subgraphs = Subgraphs(
        accounts=lambda body: slow("accounts", {"me": {"__typename": "User", "id": "u1"}}),
        products=lambda body: slow("products", {"topProducts": []}),
    )
    plan = QueryPlan(
        ParallelNode(
            (
                FetchNode(service="accounts", operation="{me{__typename id}}"),
                FetchNode(service="products", operation="{topProducts{upc}}"),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.data == {"me": {"__typename": "User", "id": "u1"}, "topProducts": []}
    assert result.errors == []


async def test_sequence_runs_in_order_and_condition_reads_the_variable() -> None:
    order: list[str] = []

    def record(name: str, data: dict[str, Any]) -> Handler:
        def handle(body: dict[str, Any]) -> httpx.Response:
            order.append(name)
            return ok(data)

        return handle

    subgraphs = Subgraphs(
        first=record("first", {"me": {"id": "1"}}),
        second=record("second", {"me": {"name": "Ann"}}),
        third=record("third", {"me": {"username": "ann"}}),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="first", operation="q"),
                ConditionNode(
                    "withName",
                    FetchNode(service="second", operation="q"),
                    FetchNode(service="third", operation="q"),
                ),
            )
        )
    )
    executor = subgraphs.executor()

    with_name = await executor.execute(plan, {"withName": True}, {})
    without = await executor.execute(plan, {"withName": False}, {})

    assert order == ["first", "second", "first", "third"]
    assert with_name.data == {"me": {"id": "1", "name": "Ann"}}
    assert without.data == {"me": {"id": "1", "username": "ann"}}


async def test_only_used_variables_and_the_given_headers_are_sent() -> None:
    subgraphs = Subgraphs(accounts=lambda body: ok({"me": None}))
    plan = QueryPlan(
        FetchNode(
            service="accounts",
            operation="query($a:Int){me{id}}",
            operation_name="Op__accounts__0",
            variable_usages=("a",),
        )
    )

    await subgraphs.executor().execute(plan, {"a": 1, "secret": "x"}, {"authorization": "Bearer t"})

    body = subgraphs.calls["accounts"][0]
    assert body == {
        "query": "query($a:Int){me{id}}",
        "variables": {"a": 1},
        "operationName": "Op__accounts__0",
    }
    headers = subgraphs.headers["accounts"][0]
    assert headers["authorization"] == "Bearer t"
    assert "cookie" not in headers


async def test_cookies_set_by_a_subgraph_are_never_replayed() -> None:
    def set_cookie(body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(
            200, json={"data": {"me": None}}, headers={"set-cookie": "session=abc; Path=/"}
        )

    subgraphs = Subgraphs(accounts=set_cookie)
    executor = subgraphs.executor()
    plan = QueryPlan(FetchNode(service="accounts", operation="q"))

    await executor.execute(plan, {}, {})
    await executor.execute(plan, {}, {})

    assert "cookie" not in subgraphs.headers["accounts"][1]


async def test_null_never_overwrites_merged_data() -> None:
    subgraphs = Subgraphs(
        a=lambda body: ok({"me": {"__typename": "User", "id": "1", "name": "Ann"}}),
        b=lambda body: ok({"me": {"name": None, "username": "ann"}}),
    )
    plan = QueryPlan(
        SequenceNode((FetchNode(service="a", operation="q"), FetchNode(service="b", operation="q")))
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.data == {
        "me": {"__typename": "User", "id": "1", "name": "Ann", "username": "ann"}
    }


async def test_entity_errors_are_repathed_to_every_position() -> None:
    users = [{"__typename": "User", "id": i} for i in ("1", "2", "1")]

    def handle(body: dict[str, Any]) -> httpx.Response:
        return ok(
            {"_entities": [{"name": "one"}, None]},
            [
                {
                    "message": "no name",
                    "path": ["_entities", 1, "name"],
                    "locations": [{"line": 1, "column": 2}],
                    "extensions": {"code": "NOT_FOUND"},
                },
                {"message": "first failed", "path": ["_entities", 0]},
                {"message": "something else"},
            ],
        )

    subgraphs = Subgraphs(
        accounts=lambda body: ok({"users": users}),
        names=handle,
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="accounts", operation="q"),
                FlattenNode(
                    (FieldKey("users"), ListItems()), entity_fetch("names", "User", "id", "name")
                ),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.errors == [
        {
            "message": "no name",
            "path": ["users", 1, "name"],
            "extensions": {"code": "NOT_FOUND", "serviceName": "names"},
        },
        {"message": "first failed", "path": ["users", 0], "extensions": {"serviceName": "names"}},
        {"message": "first failed", "path": ["users", 2], "extensions": {"serviceName": "names"}},
        {"message": "something else", "path": ["users"], "extensions": {"serviceName": "names"}},
    ]
    assert [u.get("name") for u in result.data["users"]] == ["one", None, "one"]


async def test_root_errors_keep_their_path_and_lose_locations() -> None:
    subgraphs = Subgraphs(
        accounts=lambda body: ok(
            {"me": None},
            [{"message": "denied", "path": ["me"], "locations": [{"line": 1, "column": 1}]}],
        )
    )

    result = await subgraphs.executor().execute(
        QueryPlan(FetchNode(service="accounts", operation="q")), {}, {}
    )

    assert result.errors == [
        {"message": "denied", "path": ["me"], "extensions": {"serviceName": "accounts"}}
    ]


async def test_masked_subgraph_errors_keep_path_code_and_service() -> None:
    subgraphs = Subgraphs(
        accounts=lambda body: ok(
            {"me": None},
            [{"message": "db password wrong", "path": ["me"], "extensions": {"code": "X"}}],
        )
    )
    executor = Executor(
        API_SCHEMA,
        SubgraphTransport(
            {"accounts": "http://accounts/graphql"},
            timeout_seconds=5,
            transport=httpx.MockTransport(subgraphs),
        ),
        mask_subgraph_errors=True,
    )

    result = await executor.execute(QueryPlan(FetchNode(service="accounts", operation="q")), {}, {})

    assert result.errors == [
        {
            "message": "Subgraph errors redacted.",
            "path": ["me"],
            "extensions": {"code": "X", "serviceName": "accounts"},
        }
    ]


def _down(body: dict[str, Any]) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


@pytest.mark.parametrize(
    ("handler", "code"),
    [
        (_down, "SUBGRAPH_UNAVAILABLE"),
        (lambda body: httpx.Response(502, text="bad gateway"), "SUBGRAPH_HTTP_ERROR"),
        (lambda body: httpx.Response(200, text="<html>"), "SUBGRAPH_INVALID_RESPONSE"),
    ],
)
async def test_failed_subgraph_gives_coded_error_and_keeps_the_rest(
    handler: Handler, code: str
) -> None:
    products = [{"__typename": "Product", "upc": "1", "name": "Table"}]
    subgraphs = Subgraphs(
        products=lambda body: ok({"topProducts": products}),
        reviews=handler,
        accounts=lambda body: ok({"me": {"id": "1"}}),
    )
    plan = QueryPlan(
        ParallelNode(
            (
                SequenceNode((PRODUCTS_ROOT, REVIEWS_OF_PRODUCTS)),
                FetchNode(service="accounts", operation="q"),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.data == {"topProducts": products, "me": {"id": "1"}}
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error["path"] == ["topProducts"]
    assert error["extensions"] == {"code": code, "serviceName": "reviews"}
    assert '"reviews"' in error["message"]


async def test_slow_subgraph_times_out_with_coded_error() -> None:
    async def slow(body: dict[str, Any]) -> httpx.Response:
        await asyncio.sleep(5)
        return ok({"me": {"id": "late"}})

    subgraphs = Subgraphs(accounts=slow, products=lambda body: ok({"topProducts": []}))
    plan = QueryPlan(
        ParallelNode(
            (
                FetchNode(service="accounts", operation="q"),
                FetchNode(service="products", operation="q"),
            )
        )
    )

    result = await subgraphs.executor(timeout=0.05).execute(plan, {}, {})

    assert result.data == {"topProducts": []}
    assert result.errors == [
        {
            "message": 'Subgraph "accounts" did not answer within 0.05 seconds.',
            "extensions": {"code": "SUBGRAPH_TIMEOUT", "serviceName": "accounts"},
        }
    ]


async def test_missing_entities_without_errors_is_reported() -> None:
    subgraphs = Subgraphs(
        products=lambda body: ok({"topProducts": [{"__typename": "Product", "upc": "1"}]}),
        reviews=lambda body: ok(None),
    )
    plan = QueryPlan(SequenceNode((PRODUCTS_ROOT, REVIEWS_OF_PRODUCTS)))

    result = await subgraphs.executor().execute(plan, {}, {})

    assert [e["extensions"]["serviceName"] for e in result.errors] == ["reviews"]
    assert result.errors[0]["path"] == ["topProducts"]


async def test_root_fetch_under_a_flatten_merges_at_every_reached_object() -> None:
    subgraphs = Subgraphs(
        a=lambda body: ok({"users": [{"id": "1"}, {"id": "2"}, None]}),
        b=lambda body: ok({"topProducts": [{"upc": "9"}]}),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="a", operation="q"),
                FlattenNode(
                    (FieldKey("users"), ListItems()), FetchNode(service="b", operation="q")
                ),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert len(subgraphs.calls["b"]) == 1
    assert result.data["users"] == [
        {"id": "1", "topProducts": [{"upc": "9"}]},
        {"id": "2", "topProducts": [{"upc": "9"}]},
        None,
    ]
    result.data["users"][0]["topProducts"][0]["upc"] = "changed"
    assert result.data["users"][1]["topProducts"][0]["upc"] == "9"


async def test_nested_lists_fan_out_and_errors_hoist_above_the_first_list() -> None:
    grid = {"rows": [[{"__typename": "User", "id": "1"}], [{"__typename": "User", "id": "2"}]]}

    subgraphs = Subgraphs(
        a=lambda body: ok({"me": grid}),
        b=lambda body: ok({"_entities": [{"name": "x"}, {"name": "y"}]}, [{"message": "partial"}]),
    )
    plan = QueryPlan(
        SequenceNode(
            (
                FetchNode(service="a", operation="q"),
                FlattenNode(
                    (FieldKey("me"), FieldKey("rows"), ListItems(), ListItems()),
                    entity_fetch("b", "User", "id", "name"),
                ),
            )
        )
    )

    result = await subgraphs.executor().execute(plan, {}, {})

    assert result.data["me"]["rows"] == [
        [{"__typename": "User", "id": "1", "name": "x"}],
        [{"__typename": "User", "id": "2", "name": "y"}],
    ]
    assert result.errors == [
        {"message": "partial", "path": ["me", "rows"], "extensions": {"serviceName": "b"}}
    ]


async def test_empty_plan_calls_nobody() -> None:
    subgraphs = Subgraphs(accounts=lambda body: ok({}))

    result = await subgraphs.executor().execute(QueryPlan(None), {}, {})

    assert result.data == {}
    assert subgraphs.calls["accounts"] == []
