"""The shared bearer-token check: header, fallback, other schemes and coded refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from renku_fed.identity.bearer import Authenticated, Refused, authenticate
from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.errors import ErrorCode
from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import ANONYMOUS, TokenError, TokenVerifier


class Fallback:
    """A caller's fallback that hands over `token` and counts how often it was asked."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.asked = 0

    async def __call__(self) -> str | None:
        """The token."""
        self.asked += 1
        return self.token


async def test_a_valid_header_token_is_the_identity_and_is_forwarded(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    token = dev_issuer.sign("alice")
    cookie = Fallback(dev_issuer.sign("bob"))
    verdict = await authenticate(verifier, f"Bearer {token}", cookie)
    assert isinstance(verdict, Authenticated)
    assert verdict.identity.subject == dev_subject("alice")
    assert verdict.forwarded == {"authorization": f"Bearer {token}"}
    assert cookie.asked == 0


async def test_without_a_header_the_fallback_decides(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    verdict = await authenticate(verifier, None, Fallback(dev_issuer.sign("bob")))
    assert isinstance(verdict, Authenticated)
    assert verdict.identity.username == "bob"


async def test_no_token_anywhere_is_anonymous(verifier: TokenVerifier) -> None:
    cookie = Fallback(None)
    verdict = await authenticate(verifier, "", cookie)
    assert cookie.asked == 1
    assert verdict == Authenticated(ANONYMOUS, None)
    assert verdict.forwarded == {}


async def test_another_scheme_is_refused_unless_the_caller_allows_it(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    refused = await authenticate(verifier, "token jupyter-secret")
    assert isinstance(refused, Refused)
    assert refused.code is ErrorCode.UNAUTHENTICATED
    assert "Bearer <token>" in refused.message
    cookie = Fallback(dev_issuer.sign("carol"))
    allowed = await authenticate(verifier, "token jupyter-secret", cookie, other_schemes=True)
    assert isinstance(allowed, Authenticated)
    assert allowed.identity.username == "carol"


async def test_a_bad_token_is_unauthenticated_with_the_verifiers_reason(
    dev_issuer: DevIssuer, verifier: TokenVerifier
) -> None:
    expired = dev_issuer.sign("alice", expires_in=timedelta(seconds=-120))
    verdict = await authenticate(verifier, f"Bearer {expired}")
    assert isinstance(verdict, Refused)
    assert (verdict.code, verdict.code.status) == (ErrorCode.UNAUTHENTICATED, 401)
    assert "expired" in verdict.message
    assert isinstance(verdict.error, TokenError)


async def test_a_fallback_may_refuse_and_other_errors_reach_the_caller(
    verifier: TokenVerifier,
) -> None:
    async def ended() -> str | None:
        raise TokenError("Your session has ended; sign in again at /auth/login.")

    verdict = await authenticate(verifier, None, ended)
    assert isinstance(verdict, Refused) and verdict.message.startswith("Your session has ended")

    async def broken() -> str | None:
        raise LookupError("not a token problem")

    with pytest.raises(LookupError):
        await authenticate(verifier, None, broken)


async def test_an_unreachable_issuer_is_identity_provider_unavailable(
    dev_issuer: DevIssuer,
) -> None:
    closed = AuthSettings(issuer="http://127.0.0.1:9/realms/renku", http_timeout_seconds=1)
    verdict = await authenticate(TokenVerifier(closed), f"Bearer {dev_issuer.sign('alice')}")
    assert isinstance(verdict, Refused)
    assert verdict.code is ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE
    assert verdict.code.status == 503
