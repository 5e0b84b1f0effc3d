"""The router as an OIDC client: authorization-code flow with PKCE, refresh and logout."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import (
    ALLOWED_ALGORITHMS,
    IssuerUnavailable,
    JwksCache,
    TokenError,
)
from renku_fed.router.auth.settings import LoginSettings

log = logging.getLogger("router.auth")


class LoginError(Exception):
    """A login step failed; the message is safe to show to the user."""


class GrantRefused(LoginError):
    """The issuer refused a code or a refresh token (`invalid_grant` and the like)."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What the token endpoint answered, with expiry as absolute times (epoch seconds)."""

    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float
    refresh_expires_at: float | None

    @classmethod
    def from_response(cls, body: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
        """Read a token response; a refresh that returns no new refresh token keeps the old one."""
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise IssuerUnavailable("The identity provider answered without an access token.")
        now = time.time()
        refresh_token = body.get("refresh_token")
        refresh_in = body.get("refresh_expires_in")
        refresh_expires_at: float | None = None
        if not isinstance(refresh_token, str) or not refresh_token:
            refresh_token = previous.refresh_token if previous else None
            refresh_expires_at = previous.refresh_expires_at if previous else None
        elif isinstance(refresh_in, int | float) and refresh_in > 0:
            # Keycloak answers 0 for offline tokens, which do not expire.
            refresh_expires_at = now + float(refresh_in)
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            id_token = previous.id_token if previous else None
        return cls(
            access_token=access_token,
            refresh_token=refresh_token,
            id_token=id_token,
            expires_at=now + float(body.get("expires_in") or 60),
            refresh_expires_at=refresh_expires_at,
        )


def code_challenge(verifier: str) -> str:
    """The PKCE S256 challenge of a code verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# Ours: python-keycloak is barred from the router; Authlib would replace only the 2 token POSTs.
class OidcClient:
    """Calls the issuer's discovered endpoints as the confidential client of `LoginSettings`."""

    def __init__(
        self,
        auth: AuthSettings,
        login: LoginSettings,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._issuer = auth.issuer
        self._client_id = login.client_id or ""
        self._credentials = {
            "client_id": self._client_id,
            "client_secret": login.client_secret.get_secret_value(),
        }
        self._scope = " ".join(dict.fromkeys(["openid", *login.scope.split()]))
        self._leeway = auth.leeway_seconds
        self._owns_client = client is None
        self._http = client or httpx.AsyncClient(timeout=login.http_timeout_seconds)
        self._jwks = JwksCache(auth, self._http)
        self._metadata: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        """Close the HTTP client when this object opened it."""
        if self._owns_client:
            await self._http.aclose()

    async def authorization_url(
        self, redirect_uri: str, state: str, nonce: str, verifier: str
    ) -> str:
        """Where to send the browser to sign in: the issuer's authorization endpoint."""
        endpoint = await self._endpoint("authorization_endpoint")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": self._scope,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> TokenSet:
        """Trade an authorization code (and its PKCE verifier) for tokens."""
        body = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )
        return TokenSet.from_response(body)

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens for a refresh token; GrantRefused when the issuer ended the session."""
        if tokens.refresh_token is None:
            raise GrantRefused("The session has no refresh token; sign in again.")
        body = await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        )
        return TokenSet.from_response(body, tokens)

    async def end_session(self, tokens: TokenSet) -> bool:
        """End the user's session at the issuer (Keycloak's back-channel logout); True when done."""
        if tokens.refresh_token is None:
            return False
        try:
            endpoint = await self._endpoint("end_session_endpoint")
            response = await self._http.post(
                endpoint, data={**self._credentials, "refresh_token": tokens.refresh_token}
            )
        except (httpx.HTTPError, LoginError, IssuerUnavailable) as exc:
            log.warning("issuer logout failed", extra={"reason": type(exc).__name__})
            return False
        if response.status_code >= 400:
            log.warning("issuer logout refused", extra={"status": response.status_code})
            return False
        return True

    async def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of an ID token from this login (signature, issuer, audience and nonce)."""
        try:
            header = jwt.get_unverified_header(id_token)
            algorithm = header.get("alg")
            if algorithm not in ALLOWED_ALGORITHMS:
                raise LoginError(f"The ID token is signed with {algorithm!r}, which is refused.")
            key = await self._jwks.key(header.get("kid"))
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=[str(algorithm)],
                audience=self._client_id,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, TokenError) as exc:
            raise LoginError(f"The identity provider's ID token is invalid: {exc}") from exc
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise LoginError("The ID token does not belong to this login (nonce mismatch).")
        return claims

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        endpoint = await self._endpoint("token_endpoint")
        try:
            response = await self._http.post(endpoint, data={**form, **self._credentials})
        except httpx.HTTPError as exc:
            raise IssuerUnavailable(
                f"The identity provider {self._issuer} could not be reached; try again later."
            ) from exc
        body = _json_object(response)
        if response.status_code in (400, 401) and body.get("error"):
            # Only the error code is shown: descriptions may echo what was sent.
            raise GrantRefused(f"The identity provider refused the request ({body['error']}).")
        if response.status_code != 200:
            raise IssuerUnavailable(
                f"The identity provider answered {response.status_code} at its token endpoint."
            )
        return body

    async def _endpoint(self, name: str) -> str:
        metadata = await self._discover()
        endpoint = metadata.get(name)
        if not isinstance(endpoint, str) or not endpoint:
            raise IssuerUnavailable(f"The identity provider {self._issuer} publishes no {name}.")
        return endpoint

    async def _discover(self) -> dict[str, Any]:
        if self._metadata is not None:
            return self._metadata
        async with self._lock:
            if self._metadata is None:
                url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
                try:
                    response = await self._http.get(url)
                except httpx.HTTPError as exc:
                    raise IssuerUnavailable(
                        f"The identity provider {self._issuer} could not be reached; "
                        "try again later."
                    ) from exc
                metadata = _json_object(response)
                if response.status_code != 200 or metadata.get("issuer") != self._issuer:
                    raise IssuerUnavailable(
                        f"{url} is not the discovery document of the issuer {self._issuer}."
                    )
                self._metadata = metadata
            return self._metadata


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
