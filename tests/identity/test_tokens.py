"""Token verification against the development issuer."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest
import strawberry

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import IssuerUnavailable, TokenError, TokenVerifier, bearer_token
from renku_fed.subgraphs.common.app import create_subgraph_app


async def test_valid_token_gives_identity(dev_issuer: DevIssuer, verifier: TokenVerifier) -> None:
    identity = await verifier.verify(dev_issuer.sign("alice"))
    assert identity.subject == dev_subject("alice")
    assert identity.username == "alice"
    assert identity.is_authenticated and not identity.is_admin


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda i: i.sign("alice", expires_in=timedelta(seconds=-120)), "expired"),
        (lambda i: i.sign("alice", audience="other"), "audience"),
        (lambda i: i.sign("alice", extra_claims={"iss": "http://evil/realms/renku"}), "issuer"),
        (lambda i: i.sign("alice")[:-10], "signature"),
        (lambda i: "not-a-jwt", "well-formed"),
        (lambda i: jwt.encode({"sub": "x"}, None, algorithm="none"), "not accepted"),
    ],
)
async def test_bad_tokens_are_refused(
    dev_issuer: DevIssuer, verifier: TokenVerifier, mutate: object, reason: str
) -> None:
    token = mutate(dev_issuer)  # type: ignore[operator]
    with pytest.raises(TokenError, match=reason):
        await verifier.verify(token)


def test_bearer_header_parsing() -> None:
    assert bearer_token(None) is None
    assert bearer_token("Bearer abc") == "abc"
    with pytest.raises(TokenError, match="Bearer"):
        bearer_token("Basic abc")


async def test_unreachable_issuer_is_not_a_bad_token(dev_issuer: DevIssuer) -> None:
    closed = AuthSettings(issuer="http://127.0.0.1:9/realms/renku", http_timeout_seconds=1)
    with pytest.raises(IssuerUnavailable, match="could not be reached"):
        await TokenVerifier(closed).verify(dev_issuer.sign("alice"))


async def test_subgraph_answers_503_when_the_issuer_is_down(dev_issuer: DevIssuer) -> None:
    closed = AuthSettings(issuer="http://127.0.0.1:9/realms/renku", http_timeout_seconds=1)
    app = create_subgraph_app(
        service="probe", schema=_schema(), backend=None, verifier=TokenVerifier(closed)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://probe"
    ) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ ping }"},
            headers={"Authorization": f"Bearer {dev_issuer.sign('alice')}"},
        )
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "IDENTITY_PROVIDER_UNAVAILABLE"


def _schema() -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def ping(self) -> str:
            return "pong"

    return strawberry.Schema(query=Query)
