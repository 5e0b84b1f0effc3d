"""Authorization of deferred operations: removed fields are null, in whichever part they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.router.execution.incremental import IncrementalResponse
from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.streaming import execute_incremental
from tests.router.authorization import test_authorization as authz
from tests.router.authorization.test_authorization import unauthorized, user

# the authorization tests' subgraphs and gateways, as fixtures of this module too
supergraph = authz.supergraph
subgraphs = authz.subgraphs
gateway_factory = authz.gateway_factory


async def parts(
    gateway: Gateway, query: str, identity: Identity = ANONYMOUS
) -> list[dict[str, Any]]:
    result = await execute_incremental(gateway, GraphQLRequest(query), {}, identity=identity)
    assert isinstance(result, IncrementalResponse)
    return [result.initial.to_dict(), *[p async for p in result.subsequent]]


async def test_a_removed_field_holding_a_deferred_fragment_is_null_in_the_first_part(
    gateway_factory: Callable[..., Gateway],
) -> None:
    gateway = gateway_factory()
    query = '{ answer me { id ... @defer { name } } author(id: "u1") { id ... @defer { name } } }'

    first, *rest = await parts(gateway, query)

    assert first == {
        "data": {"answer": 42, "me": None, "author": {"id": "u1"}},
        "errors": [unauthorized("me")],
    }
    assert rest == [
        {"hasNext": False, "incremental": [{"data": {"name": "Ann"}, "path": ["author"]}]}
    ]


async def test_a_removed_field_in_a_deferred_fragment_is_null_in_its_part(
    gateway_factory: Callable[..., Gateway],
) -> None:
    gateway = gateway_factory()
    query = '{ answer author(id: "u1") { id ... @defer { name email } } }'

    anonymous = await parts(gateway, query)
    allowed = await parts(gateway, query, user(scopes={"read:email"}))

    assert anonymous[0] == {"data": {"answer": 42, "author": {"id": "u1"}}}
    [item] = anonymous[1]["incremental"]
    assert item == {
        "data": {"name": "Ann", "email": None},
        "path": ["author"],
        "errors": [unauthorized("author", "email")],
    }
    assert allowed[1]["incremental"][0]["data"] == {"name": "Ann", "email": "ann@example.org"}
