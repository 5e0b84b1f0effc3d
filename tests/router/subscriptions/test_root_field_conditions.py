"""`@skip` and `@include` on a subscription's root field are refused at validation, as the GraphQL
spec's "Single root field" rule (graphql-spec #860), graphql-js 17 and Apollo Router do: the
number of root fields must not depend on variables, which validation cannot see."""

from __future__ import annotations

import pytest

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GatewayRequestError, GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.streaming import subscribe
from renku_fed.router.supergraph import Supergraph
from tests.router.subscriptions.test_websocket_protocol import SUPERGRAPH

CONDITIONAL = [
    'subscription Follow($on: Boolean!) { sessionChanged(id: "S") @include(if: $on) { id } }',
    'subscription Follow { sessionChanged(id: "S") @skip(if: false) { id } }',
    "subscription Follow { ...F @include(if: true) } "
    "fragment F on Subscription { mySessionsChanged { id } }",
    "subscription Follow { ... @skip(if: false) { mySessionsChanged { id } } }",
]


@pytest.fixture
def gateway() -> Gateway:
    return Gateway(Supergraph.parse(SUPERGRAPH.read_text()), RouterSettings())


@pytest.mark.parametrize("query", CONDITIONAL)
async def test_a_condition_on_the_root_field_is_refused_with_the_reason(
    gateway: Gateway, query: str
) -> None:
    with pytest.raises(GatewayRequestError) as refused:
        await subscribe(gateway, GraphQLRequest(query, variables={"on": True}), ANONYMOUS)

    body = refused.value.response.to_dict()
    [error] = body["errors"]
    assert refused.value.response.status == 400
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == (
        "Subscription 'Follow' must not use `@skip` or `@include` directives in the top level "
        "selection."
    )
    await gateway.aclose()


async def test_conditions_below_the_root_field_are_allowed(gateway: Gateway) -> None:
    query = 'subscription($on: Boolean!) { sessionChanged(id: "S") { id state @include(if: $on) } }'

    subscription = await subscribe(
        gateway, GraphQLRequest(query, variables={"on": False}), Identity(subject="alice")
    )

    assert subscription.service == "sessions"
    await gateway.aclose()
