"""The one bearer-token check: a request's `Authorization` header, or the caller's fallback,
verified into an `Identity` or refused with a coded reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from renku_fed.identity.errors import ErrorCode
from renku_fed.identity.tokens import (
    ANONYMOUS,
    Identity,
    IssuerUnavailable,
    TokenError,
    TokenVerifier,
    bearer_token,
)

Fallback = Callable[[], Awaitable[str | None]]
"""Where a caller finds a token when the header carries none (a login cookie, say); it may
raise TokenError to refuse, or its own exception, which reaches the caller unchanged."""


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The caller's identity and the token it was read from (None: anonymous)."""

    identity: Identity
    token: str | None

    @property
    def forwarded(self) -> dict[str, str]:
        """The `authorization` header that carries the token on to a subgraph."""
        return {"authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass(frozen=True, slots=True)
class Refused:
    """A token that was refused: the error code, the reason for the client, and the error."""

    code: ErrorCode
    message: str
    error: TokenError


async def authenticate(
    verifier: TokenVerifier,
    authorization: str | None,
    fallback: Fallback | None = None,
    *,
    other_schemes: bool = False,
) -> Authenticated | Refused:
    """Verify the bearer token of `authorization`, else of `fallback`; anonymous without one.

    `other_schemes` treats an `Authorization` header of another scheme (Jupyter's `token ...`)
    as absent instead of refusing it. An unreachable issuer is IDENTITY_PROVIDER_UNAVAILABLE
    (the token may well be valid); any other refused token is UNAUTHENTICATED.
    """
    try:
        token = _header_token(authorization, other_schemes)
        if token is None and fallback is not None:
            token = await fallback()
        if token is None:
            return Authenticated(ANONYMOUS, None)
        return Authenticated(await verifier.verify(token), token)
    except IssuerUnavailable as exc:
        return Refused(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, str(exc), exc)
    except TokenError as exc:
        return Refused(ErrorCode.UNAUTHENTICATED, str(exc), exc)


def _header_token(authorization: str | None, other_schemes: bool) -> str | None:
    if other_schemes and not (authorization or "").lower().startswith("bearer "):
        return None
    return bearer_token(authorization)
