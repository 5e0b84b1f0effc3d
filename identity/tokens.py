"""Bearer-token verification against an OIDC issuer's JWKS, shared by the router and subgraphs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from renku_fed.identity.settings import AuthSettings

ALLOWED_ALGORITHMS = ("RS256", "ES256")


class TokenError(Exception):
    """A bearer token was refused; the message says why and is safe to show to the client."""


class IssuerUnavailable(TokenError):
    """The issuer could not be reached or answered with something unusable; retry later."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: the token's subject and claims, or anonymous."""

    subject: str | None = None
    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    token: str | None = field(default=None, repr=False)

    @property
    def is_authenticated(self) -> bool:
        """True when a verified token identified the caller."""
        return self.subject is not None

    @property
    def is_admin(self) -> bool:
        """True for Renku administrators (realm role `renku-admin`)."""
        return "renku-admin" in self.roles

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], token: str) -> Identity:
        """Build an identity from verified JWT claims (Keycloak's claim names)."""
        realm_access = claims.get("realm_access") or {}
        roles = realm_access.get("roles", []) if isinstance(realm_access, dict) else []
        scope = claims.get("scope", "")
        return cls(
            subject=str(claims["sub"]),
            username=claims.get("preferred_username"),
            email=claims.get("email"),
            first_name=claims.get("given_name"),
            last_name=claims.get("family_name"),
            roles=frozenset(str(r) for r in roles),
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            token=token,
        )


ANONYMOUS = Identity()


# Ours: async fetch with a rotation policy; PyJWKClient is blocking urllib with no refetch limit.
class JwksCache:
    """The issuer's signing keys, found by OIDC discovery and refreshed on an unknown key id.

    After a key set is loaded, the first unknown key id refreshes it at once (the issuer may have
    rotated its keys); further misses refresh at most once per `jwks_refresh_seconds`, so forged
    key ids cannot make us hammer the issuer.
    """

    def __init__(self, settings: AuthSettings, client: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._client = client
        self._keys: dict[str, jwt.PyJWK] = {}
        self._jwks_uri: str | None = None
        self._attempted_at = float("-inf")
        self._immediate_refresh = True
        self._unreachable = False
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        """The key with this id, refreshing the key set when it is unknown and refreshing is due."""
        found = self._lookup(kid)
        if found is not None:
            return found
        async with self._lock:
            if self._lookup(kid) is None and self._refresh_due():
                await self._refresh()
                self._immediate_refresh = self._lookup(kid) is not None
        found = self._lookup(kid)
        if found is not None:
            return found
        if self._unreachable:
            raise IssuerUnavailable(
                f"The identity provider {self._settings.issuer} could not be reached to check "
                "the token; try again later."
            )
        raise TokenError("The token is signed with a key the issuer does not publish.")

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(str(kid)) if kid is not None else None

    def _refresh_due(self) -> bool:
        if self._immediate_refresh:
            self._immediate_refresh = False
            return True
        return time.monotonic() - self._attempted_at >= self._settings.jwks_refresh_seconds

    async def _refresh(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            if self._jwks_uri is None:
                discovery = await self._get_json(
                    self._settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
                )
                self._jwks_uri = str(discovery["jwks_uri"])
            jwks = await self._get_json(self._jwks_uri)
        except (httpx.HTTPError, KeyError, ValueError):
            self._unreachable = True
            return
        self._unreachable = False
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("use", "sig") != "sig" or jwk.get("kty") not in ("RSA", "EC"):
                continue
            try:
                keys[str(jwk.get("kid"))] = jwt.PyJWK(jwk)
            except jwt.PyJWKError:
                continue
        self._keys = keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        timeout = self._settings.http_timeout_seconds
        if self._client is not None:
            response = await self._client.get(url, timeout=timeout)
        else:
            async with httpx.AsyncClient() as client:
                response = await client.get(url, timeout=timeout)
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError(f"{url} did not return a JSON object")
        return data


class TokenVerifier:
    """Checks signature, issuer, audience, authorized party and lifetime of bearer tokens."""

    def __init__(self, settings: AuthSettings, client: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._jwks = JwksCache(settings, client)

    @property
    def settings(self) -> AuthSettings:
        """The settings this verifier checks tokens with."""
        return self._settings

    async def verify(self, token: str) -> Identity:
        """The identity a valid token carries; TokenError with the reason otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise TokenError("The bearer token is not a well-formed JWT.") from exc
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenError(
                f"Tokens signed with {algorithm!r} are not accepted; "
                f"use one of {', '.join(ALLOWED_ALGORITHMS)}."
            )
        key = await self._jwks.key(header.get("kid"))
        if key.algorithm_name != algorithm:
            raise TokenError(
                f"The token's header names {algorithm}, but its key is for {key.algorithm_name}."
            )
        claims = self._decode(token, key, str(algorithm))
        azp = self._settings.authorized_party
        if azp is not None and claims.get("azp") != azp:
            raise TokenError(f"The token was not issued to the client {azp!r}.")
        if "sub" not in claims:
            raise TokenError("The token has no subject (`sub`).")
        # Keycloak types its tokens; its ID and refresh tokens carry this API's audience too.
        token_type = claims.get("typ", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise TokenError(
                f"A {token_type!r} token is not an access token; send the access token."
            )
        return Identity.from_claims(claims, token)

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self._settings.audiences,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("The token has expired; sign in again or get a new token.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("The token is not valid yet (`nbf` or `iat` in the future).") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError(
                f"The token was issued by another issuer; expected {self._settings.issuer}."
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError(
                f"The token is not meant for this API; expected audience "
                f"{' or '.join(self._settings.audiences)}."
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("The token's signature is invalid.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"The token lacks the required claim {exc.claim!r}.") from exc
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise TokenError(f"The token is invalid: {exc}.") from exc
        return claims


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header; TokenError for another scheme."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError("The Authorization header must be `Bearer <token>`.")
    return token.strip()
