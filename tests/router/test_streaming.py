"""The streaming entry points' admission (`router/streaming.py`): what `subscribe` refuses, and
how a subgraph's subscription errors reach the client."""

from __future__ import annotations

from typing import Any

import pytest

from renku_fed.identity.tokens import Identity
from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GatewayRequestError, GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.streaming import subgraph_errors, subscribe
from renku_fed.router.supergraph import Supergraph
from tests.router.subscriptions.test_websocket_protocol import FOLLOW, SUPERGRAPH

ALICE = Identity(subject="alice")


@pytest.fixture
def platform() -> Supergraph:
    return Supergraph.parse(SUPERGRAPH.read_text())


async def refusal(gateway: Gateway, request: GraphQLRequest) -> dict[str, Any]:
    """The one error `subscribe` refuses the request with."""
    with pytest.raises(GatewayRequestError) as refused:
        await subscribe(gateway, request, ALICE)
    [error] = refused.value.response.to_dict()["errors"]
    return dict(error)


async def test_a_query_is_not_streamed(platform: Supergraph) -> None:
    gateway = Gateway(platform, RouterSettings())

    error = await refusal(gateway, GraphQLRequest("{ __typename }"))

    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"].startswith("Only subscriptions are streamed")


async def test_variables_must_be_an_object_as_for_a_query(platform: Supergraph) -> None:
    gateway = Gateway(platform, RouterSettings())

    error = await refusal(gateway, GraphQLRequest(FOLLOW, variables=["S"]))  # type: ignore[arg-type]

    assert error == {
        "message": "`variables` must be a JSON object.",
        "extensions": {"code": "BAD_REQUEST"},
    }


async def test_an_admitted_subscription_keeps_its_coerced_variables(
    platform: Supergraph,
) -> None:
    gateway = Gateway(platform, RouterSettings())

    subscription = await subscribe(gateway, GraphQLRequest(FOLLOW, variables={"id": "S"}), ALICE)

    assert subscription.service == "sessions"
    assert subscription.upstream_variables() == {"id": "S"}


@pytest.mark.parametrize("mask", [False, True])
def test_subgraph_errors_are_masked_as_the_settings_say(platform: Supergraph, mask: bool) -> None:
    gateway = Gateway(platform, RouterSettings(mask_subgraph_errors=mask))
    errors = [{"message": "database on fire", "extensions": {"code": "NOT_FOUND"}}]

    [error] = subgraph_errors(gateway, errors, "sessions")

    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["serviceName"] == "sessions"
    assert ("database on fire" in error["message"]) is not mask
