"""The request pipeline end to end, in process: a real supergraph, planner and fake subgraphs."""

from __future__ import annotations

from typing import Any

import pytest

from renku_fed.router.gateway import Gateway
from renku_fed.router.persisted_queries import query_hash
from renku_fed.router.planning import PlanningError, print_plan
from renku_fed.router.request import GatewayRequestError, GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph
from tests.support.fake_subgraphs import FakeSubgraphs


async def run(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    response = await gateway.execute(GraphQLRequest(query, variables=variables), {}, **kwargs)
    return response.to_dict()


async def test_federated_query_across_four_subgraphs(gateway: Gateway) -> None:
    query = """{
      topProducts(first: 2) {
        name shippingEstimate inStock
        reviews { body author { username name } }
      }
    }"""

    body = await run(gateway, query)

    assert body == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "shippingEstimate": 100,
                    "inStock": True,
                    "reviews": [
                        {"body": "Sturdy", "author": {"username": "ann", "name": "Ann"}},
                        {"body": "Wobbly", "author": {"username": "bob", "name": "Bob"}},
                    ],
                },
                {
                    "name": "Chair",
                    "shippingEstimate": 25,
                    "inStock": False,
                    "reviews": [{"body": "Comfy", "author": {"username": "ann", "name": "Ann"}}],
                },
            ]
        }
    }


async def test_entities_are_batched_and_deduplicated(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    await run(gateway, "{ topProducts { reviews { author { name } } } }")

    entity_calls = fakes.calls("accounts")
    assert len(entity_calls) == 1
    representations = entity_calls[0]["variables"]["representations"]
    assert sorted(r["id"] for r in representations) == ["u1", "u2"]


async def test_typename_aliases_and_order(gateway: Gateway) -> None:
    body = await run(gateway, "{ b: me { name __typename a: id } __typename }")

    assert body == {
        "data": {"b": {"name": "Ann", "__typename": "User", "a": "u1"}, "__typename": "Query"}
    }
    assert list(body["data"]["b"]) == ["name", "__typename", "a"]


async def test_introspection_merges_with_data_in_request_order(gateway: Gateway) -> None:
    body = await run(
        gateway,
        '{ me { id } __type(name: "Review") { fields { name } } __schema { queryType { name } } }',
    )

    data = body["data"]
    assert list(data) == ["me", "__type", "__schema"]
    assert {f["name"] for f in data["__type"]["fields"]} == {"id", "body", "author", "product"}
    assert data["__schema"] == {"queryType": {"name": "Query"}}
    assert "_entities" not in str(body)


async def test_introspection_can_be_disabled(supergraph: Supergraph, fakes: FakeSubgraphs) -> None:
    gateway = Gateway(supergraph, RouterSettings(introspection=False), fakes.transport)

    response = await gateway.execute(GraphQLRequest("{ __schema { types { name } } }"), {})

    assert not response.has_data
    assert response.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    await gateway.aclose()


async def test_mutation_then_entity_fetch(gateway: Gateway, fakes: FakeSubgraphs) -> None:
    body = await run(
        gateway,
        "mutation Add($body: String!) "
        '{ addReview(upc: "2", body: $body) { body author { name } } }',
        {"body": "Nice"},
    )

    assert body == {"data": {"addReview": {"body": "Nice", "author": {"name": "Ann"}}}}
    assert fakes.calls("reviews")[0]["variables"] == {"body": "Nice"}


async def test_variables_are_coerced_with_defaults(gateway: Gateway) -> None:
    body = await run(gateway, "query($n: Int = 1) { topProducts(first: $n) { upc } }")

    assert body == {"data": {"topProducts": [{"upc": "1"}]}}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ me { id ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ me { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { topProducts(first: $n) { upc } }", {"n": "x"}, "BAD_USER_INPUT"),
        ("query($n: Int!) { topProducts(first: $n) { upc } }", None, "BAD_USER_INPUT"),
        ("query A { me { id } } query B { me { id } }", None, "OPERATION_RESOLUTION_FAILURE"),
        ("", None, "BAD_REQUEST"),
    ],
)
async def test_request_errors_are_coded_and_not_executed(
    gateway: Gateway, fakes: FakeSubgraphs, query: str, variables: Any, code: str
) -> None:
    response = await gateway.execute(GraphQLRequest(query, variables=variables), {})

    assert not response.has_data
    assert "data" not in response.to_dict()
    assert response.status == 400
    assert [e["extensions"]["code"] for e in response.errors][:1] == [code]
    assert fakes.requests == []


async def test_operation_name_selects_and_unknown_name_is_refused(gateway: Gateway) -> None:
    query = "query A { me { id } } query B { me { name } }"

    chosen = await gateway.execute(GraphQLRequest(query, operation_name="B"), {})
    unknown = await gateway.execute(GraphQLRequest(query, operation_name="C"), {})

    assert chosen.to_dict() == {"data": {"me": {"name": "Ann"}}}
    assert chosen.operation_name == "B"
    assert unknown.errors[0]["message"] == 'Unknown operation named "C".'


async def test_empty_operation_name_means_none(gateway: Gateway) -> None:
    response = await gateway.execute(GraphQLRequest("{ me { id } }", operation_name=""), {})

    assert response.to_dict() == {"data": {"me": {"id": "u1"}}}


async def test_mutation_refused_when_read_only(gateway: Gateway, fakes: FakeSubgraphs) -> None:
    response = await gateway.execute(
        GraphQLRequest('mutation { addReview(upc: "1", body: "x") { id } }'), {}, read_only=True
    )

    assert response.status == 405
    assert "POST" in response.errors[0]["message"]
    assert fakes.requests == []


async def test_only_authorization_is_forwarded(gateway: Gateway, fakes: FakeSubgraphs) -> None:
    await gateway.execute(
        GraphQLRequest("{ me { id } }"),
        {"Authorization": "Bearer abc", "Cookie": "session=1", "X-Other": "y"},
    )

    (_, _, headers) = fakes.requests[0]
    assert headers["authorization"] == "Bearer abc"
    assert "cookie" not in headers
    assert "x-other" not in headers


async def test_down_subgraph_gives_partial_data(gateway: Gateway, fakes: FakeSubgraphs) -> None:
    fakes.down.add("inventory")

    body = await run(gateway, "{ topProducts { name inStock } }")

    assert body["data"] == {
        "topProducts": [{"name": "Table", "inStock": None}, {"name": "Chair", "inStock": None}]
    }
    assert body["errors"][0]["extensions"] == {
        "code": "SUBGRAPH_UNAVAILABLE",
        "serviceName": "inventory",
    }


async def test_failed_root_fetch_adds_no_null_errors(
    gateway: Gateway, fakes: FakeSubgraphs
) -> None:
    fakes.down.add("accounts")

    body = await run(gateway, "{ users { id } }")

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SUBGRAPH_UNAVAILABLE"]
    assert "path" not in body["errors"][0]


async def test_slow_subgraph_times_out(supergraph: Supergraph, fakes: FakeSubgraphs) -> None:
    fakes.delay["accounts"] = 5
    settings = RouterSettings(subgraph_timeouts={"accounts": 0.05})
    gateway = Gateway(supergraph, settings, fakes.transport)

    body = (
        await gateway.execute(GraphQLRequest("{ me { id } topProducts { upc } }"), {})
    ).to_dict()

    assert body["data"] == {"me": None, "topProducts": [{"upc": "1"}, {"upc": "2"}]}
    assert body["errors"][0]["extensions"]["code"] == "SUBGRAPH_TIMEOUT"
    await gateway.aclose()


def test_a_timeout_for_an_unknown_subgraph_fails_at_start(
    supergraph: Supergraph, fakes: FakeSubgraphs
) -> None:
    settings = RouterSettings(subgraph_timeouts={"acounts": 1.0})

    with pytest.raises(ValueError, match=r"subgraph_timeouts .*: acounts \(its subgraphs: acc"):
        Gateway(supergraph, settings, fakes.transport)


async def test_planning_error_is_coded(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise PlanningError("cannot resolve field Query.me")

    monkeypatch.setattr(gateway.planner, "plan", fail)

    body = await run(gateway, "{ me { id } }")

    assert body == {
        "data": None,
        "errors": [
            {
                "message": "cannot resolve field Query.me",
                "extensions": {"code": "QUERY_PLANNING_FAILED"},
            }
        ],
    }


async def test_internal_error_is_masked(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(gateway.planner, "plan", crash)

    response = await gateway.execute(GraphQLRequest("{ me { id } }"), {})

    assert response.status == 500
    assert response.errors[0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(response.to_dict())
    assert "secret detail" in caplog.text


async def test_automatic_persisted_queries(gateway: Gateway) -> None:
    query = "{ me { id } }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": query_hash(query)}}

    missing = await gateway.execute(GraphQLRequest(None, extensions=extensions), {})
    registered = await gateway.execute(GraphQLRequest(query, extensions=extensions), {})
    hit = await gateway.execute(GraphQLRequest(None, extensions=extensions), {})
    wrong = await gateway.execute(GraphQLRequest("{ me { name } }", extensions=extensions), {})

    assert missing.errors[0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.to_dict() == hit.to_dict() == {"data": {"me": {"id": "u1"}}}
    assert wrong.errors[0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


def test_plan_is_printable(gateway: Gateway) -> None:
    plan = gateway.plan("{ me { name reviews { body } } }")

    printed = print_plan(plan)
    assert 'Fetch(service: "accounts")' in printed
    assert 'Fetch(service: "reviews")' in printed


def test_plan_of_invalid_query_raises(gateway: Gateway) -> None:
    with pytest.raises(GatewayRequestError, match="Cannot query field"):
        gateway.plan("{ me { nope } }")


async def test_union_members_and_type_conditioned_entity_fetches(gateway: Gateway) -> None:
    query = """{
      catalog {
        __typename
        ... on Product { name inStock }
        ... on Bundle { id products { ...Stock } }
      }
    }
    fragment Stock on Product { upc inStock }"""

    body = await run(gateway, query)

    assert body == {
        "data": {
            "catalog": [
                {"__typename": "Product", "name": "Table", "inStock": True},
                {"__typename": "Bundle", "id": "b1", "products": [{"upc": "2", "inStock": False}]},
            ]
        }
    }


@pytest.mark.parametrize("with_reviews", [True, False])
async def test_include_with_a_variable(
    gateway: Gateway, fakes: FakeSubgraphs, with_reviews: bool
) -> None:
    query = """query($r: Boolean!) {
      me { name reviews @include(if: $r) { body } }
    }"""

    body = await run(gateway, query, {"r": with_reviews})

    expected: dict[str, Any] = {"name": "Ann"}
    if with_reviews:
        expected["reviews"] = [{"body": "Sturdy"}, {"body": "Comfy"}]
    assert body == {"data": {"me": expected}}
    assert bool(fakes.calls("reviews")) is with_reviews


async def test_variables_must_be_an_object(gateway: Gateway) -> None:
    request = GraphQLRequest("{ me { id } }", variables=[1])  # type: ignore[arg-type]

    response = await gateway.execute(request, {})

    assert response.status == 400
    assert response.errors[0]["extensions"]["code"] == "BAD_REQUEST"
