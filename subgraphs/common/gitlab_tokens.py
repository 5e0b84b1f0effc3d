"""Callers' GitLab tokens, read from Keycloak's identity-broker token endpoint and cached briefly.

Keycloak stores the token of a user's linked GitLab account; `GET
{keycloak}/realms/{realm}/broker/{alias}/token`, called with the user's own bearer token,
returns it. Tokens are cached per caller token (keyed by its SHA-256, never by the token
itself) for at most `ttl_seconds` and never past their expiry; no token is ever logged.

The projects subgraph calls GitLab's API with them; the kg pushes recorded metadata with them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

# Refresh a little before GitLab's own expiry so that a call never starts with a stale token.
EXPIRY_MARGIN_SECONDS = 30
MAX_CACHED_CALLERS = 4096


class AccountNotLinked(DomainError):
    """The caller has no GitLab account linked in Keycloak."""

    def __init__(self, alias: str) -> None:
        super().__init__(
            ErrorCode.FORBIDDEN,
            f"Your account is not linked to GitLab (identity provider {alias!r}); link it in "
            "Keycloak's account console, then try again.",
        )


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    expires_at: float


class GitLabTokenBroker:
    """The GitLab access token of each signed-in caller; None for anonymous callers."""

    def __init__(
        self,
        keycloak_url: str,
        realm: str,
        alias: str,
        *,
        ttl_seconds: float = 60.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._url = f"{keycloak_url.rstrip('/')}/realms/{realm}/broker/{alias}/token"
        self._alias = alias
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds
        self._cache: dict[str, _Cached] = {}

    async def token_for(self, caller: Identity, *, required: bool = True) -> str | None:
        """The caller's GitLab token, None for anonymous callers.

        A caller without a linked GitLab account gets a DomainError saying how to link one, or,
        when the token is not `required` (reads), None: they read as anonymous callers do.
        """
        if caller.token is None:
            return None
        key = _key(caller.token)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached.expires_at > now:
            return cached.token
        try:
            token, lifetime = await self._fetch(caller.token)
        except AccountNotLinked:
            if required:
                raise
            return None
        if len(self._cache) >= MAX_CACHED_CALLERS:
            self._cache = {k: v for k, v in self._cache.items() if v.expires_at > now}
            if len(self._cache) >= MAX_CACHED_CALLERS:
                self._cache.clear()
        self._cache[key] = _Cached(token, now + min(self._ttl, lifetime))
        return token

    def forget(self, caller: Identity) -> None:
        """Drop the caller's cached token (GitLab refused it: it was revoked or expired)."""
        if caller.token is not None:
            self._cache.pop(_key(caller.token), None)

    async def _fetch(self, bearer: str) -> tuple[str, float]:
        headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(self._url, headers=headers)
        except httpx.HTTPError as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                "Keycloak could not be reached for your GitLab token; try again later.",
            ) from exc
        if response.status_code == 400:
            raise AccountNotLinked(self._alias)
        if response.status_code == 401:
            raise DomainError(
                ErrorCode.UNAUTHENTICATED,
                "Keycloak refused your token when asked for your GitLab token; sign in again.",
            )
        if response.status_code == 403:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                "Keycloak does not let this client read GitLab tokens; grant its client the "
                "`broker` role `read-token`.",
            )
        if response.status_code != 200:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"Keycloak answered {response.status_code} for your GitLab token; try later.",
            )
        return _parse(response.text)


def _key(bearer: str) -> str:
    return hashlib.sha256(bearer.encode()).hexdigest()


def _parse(text: str) -> tuple[str, float]:
    # OpenID Connect brokers store the JSON token response; OAuth 2 ones may store it
    # form-encoded, as GitHub returns it.
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = {k: v[0] for k, v in parse_qs(text).items()}
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise DomainError(
            ErrorCode.UNAVAILABLE, "Keycloak's answer held no GitLab access token; sign in again."
        )
    lifetime = float("inf")
    expires_at = body.get("accessTokenExpiration")
    if isinstance(expires_at, int | float) and expires_at > 0:
        lifetime = expires_at - time.time()
    elif str(body.get("expires_in", "")).isdigit():
        lifetime = float(body["expires_in"])
    return token, max(lifetime - EXPIRY_MARGIN_SECONDS, 0.0)
