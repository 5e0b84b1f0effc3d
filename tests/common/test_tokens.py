"""Token verification against the development issuer."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from subgraphs.common.dev_issuer import DevIssuer, dev_subject
from subgraphs.common.tokens import TokenError, TokenVerifier, bearer_token


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
