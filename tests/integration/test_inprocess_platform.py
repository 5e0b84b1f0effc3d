"""The in-process platform answers federated queries through the real router app."""

from __future__ import annotations

from pathlib import Path

from renku_fed.identity.dev_issuer import DevIssuer
from renku_fed.identity.tokens import TokenVerifier
from tests.support.inprocess import inprocess_platform

QUERY = """
{ me { username projects(first: 5) { totalCount edges { node { slug
    createdBy { username } datasets { edges { node { name } } } } } } } }
"""


async def test_federated_query_through_router(
    tmp_path: Path, dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    async with inprocess_platform(tmp_path, verifier) as platform:
        body = await platform.query(QUERY, token=dev_issuer.sign("alice"))
        assert "errors" not in body, body
        me = body["data"]["me"]
        assert me["username"] == "alice"
        assert me["projects"]["totalCount"] == 3
        flights = next(e["node"] for e in me["projects"]["edges"] if e["node"]["slug"] == "flights")
        assert flights == {
            "slug": "flights",
            "createdBy": {"username": "alice"},
            "datasets": {"edges": [{"node": {"name": "flight-delays"}}]},
        }
        anonymous = await platform.query("{ me { username } }")
        assert anonymous["data"] == {"me": None}
        assert [e["extensions"]["code"] for e in anonymous["errors"]] == [
            "UNAUTHORIZED_FIELD_OR_TYPE"
        ]
