"""The response-validation policy: values that do not fit the API schema, in both modes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from renku_fed.router.execution.response_policy import ResponseValidation
from renku_fed.router.gateway import Gateway
from renku_fed.router.request import GraphQLRequest
from renku_fed.router.settings import RouterSettings
from renku_fed.router.supergraph import Supergraph

# What the accounts subgraph answers to `me`: a number for a String, an enum value the API
# schema does not have, and (with `username` selected) a null for a non-null field.
BROKEN_ME = {"__typename": "User", "id": "u1", "name": 5, "role": "OWNER", "username": None}


def _answering(me: dict[str, Any]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"me": me}})

    return httpx.MockTransport(handle)


async def _ask(
    supergraph: Supergraph, mode: ResponseValidation, query: str, me: dict[str, Any]
) -> dict[str, Any]:
    settings = RouterSettings(response_validation=mode)
    gateway = Gateway(supergraph, settings, _answering(me))
    try:
        return (await gateway.execute(GraphQLRequest(query), {})).to_dict()
    finally:
        await gateway.aclose()


async def test_strict_mode_nulls_and_reports_each_value(supergraph: Supergraph) -> None:
    body = await _ask(supergraph, ResponseValidation.STRICT, "{ me { id name role } }", BROKEN_ME)

    assert body["data"] == {"me": {"id": "u1", "name": None, "role": None}}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["me", "name"], "RESPONSE_VALIDATION_FAILED"),
        (["me", "role"], "RESPONSE_VALIDATION_FAILED"),
    ]
    assert "extensions" not in body


async def test_apollo_mode_nulls_silently_and_lists_value_completion(
    supergraph: Supergraph,
) -> None:
    body = await _ask(supergraph, ResponseValidation.APOLLO, "{ me { id name role } }", BROKEN_ME)

    assert body["data"] == {"me": {"id": "u1", "name": None, "role": None}}
    assert "errors" not in body
    assert [p["path"] for p in body["extensions"]["valueCompletion"]] == [
        ["me", "name"],
        ["me", "role"],
    ]


@pytest.mark.parametrize("mode", list(ResponseValidation))
async def test_a_null_for_a_non_null_field_propagates_in_both_modes(
    supergraph: Supergraph, mode: ResponseValidation
) -> None:
    body = await _ask(supergraph, mode, "{ me { id username } }", BROKEN_ME)

    assert body["data"] == {"me": None}
    reported = body.get("errors") or body["extensions"]["valueCompletion"]
    assert [e["path"] for e in reported] == [["me", "username"]]


async def test_extra_fields_are_dropped_and_valid_values_kept(supergraph: Supergraph) -> None:
    me = {"id": "u1", "name": "Ann", "role": "ADMIN", "username": "ann", "extra": True}

    body = await _ask(supergraph, ResponseValidation.STRICT, "{ me { name role } }", me)

    assert body == {"data": {"me": {"name": "Ann", "role": "ADMIN"}}}
