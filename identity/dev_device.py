"""The development issuer's device authorization grant (RFC 8628), for `renku-fed login`.

The command line is the public client `renku-cli` (no secret), as with Renku's Keycloak: it asks
for a device code, the user approves it on the issuer's `/device` page, and the command polls the
token endpoint until the tokens come.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import urlsplit

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.dev_login import DEMO_USERS, _form, _signed_in_user
from renku_fed.identity.dev_login_page import STYLE, login_page

CLI_CLIENT_ID = "renku-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_SECONDS = 600
POLL_INTERVAL = 1
ACCESS_SECONDS = 900
REFRESH_SECONDS = 36_000
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class _Pending:
    """A device code waiting for the user's approval on the `/device` page."""

    user_code: str
    expires_at: float
    username: str | None = field(default=None)


class DevDeviceFlow:
    """The device authorization endpoint, the verification page and the device token grant."""

    def __init__(
        self,
        issuer: DevIssuer,
        other_grants: Endpoint | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._other_grants = other_grants
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._revoked: set[str] = set()
        self._prefix = urlsplit(issuer.issuer).path.rstrip("/")

    @property
    def routes(self) -> list[Route]:
        """Mount before the code grant's routes: this token endpoint hands it other grants."""
        base = f"{self._prefix}/protocol/openid-connect"
        return [
            Route(f"{base}/auth/device", self.authorize_device, methods=["POST"]),
            Route(f"{self._prefix}/device", self.verify, methods=["GET", "POST"]),
            Route(f"{base}/token", self.token, methods=["POST"]),
            Route(f"{base}/revoke", self.revoke, methods=["POST"]),
        ]

    async def authorize_device(self, request: Request) -> Response:
        """Start a device login: a device code for the client, a user code for the person."""
        form = await _form(request)
        if form.get("client_id") != CLI_CLIENT_ID:
            return _refused("invalid_client", f"Only the public client {CLI_CLIENT_ID} may.")
        self._forget_expired()
        device_code = secrets.token_urlsafe(32)
        user_code = "-".join(
            "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(4)) for _ in range(2)
        )
        self._pending[device_code] = _Pending(user_code, self._clock() + DEVICE_SECONDS)
        verification = f"{self._issuer.issuer}/device"
        return JSONResponse(
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": verification,
                "verification_uri_complete": f"{verification}?user_code={user_code}",
                "expires_in": DEVICE_SECONDS,
                "interval": POLL_INTERVAL,
            },
            headers={"cache-control": "no-store"},
        )

    async def verify(self, request: Request) -> Response:
        """The page where the person signs in and so approves the code their terminal shows."""
        form = await _form(request) if request.method == "POST" else None
        source = form if form is not None else request.query_params
        user_code = source.get("user_code", "").strip().upper()
        pending = self._by_user_code(user_code)
        if pending is None:
            error = "Unknown or expired code." if user_code else ""
            return _page(_code_form(error), 400 if user_code else 200)
        if form is None:
            return _page(login_page({"user_code": user_code}, DEMO_USERS))
        username = _signed_in_user(form)
        if username is None:
            error = "Unknown username or wrong password."
            return _page(login_page({"user_code": user_code}, DEMO_USERS, error=error), 401)
        pending.username = username
        return _page(_done(username))

    async def token(self, request: Request) -> Response:
        """The device-code and public refresh grants; other grants go to the code grant."""
        form = await _form(request)
        grant_type = form.get("grant_type", "")
        public_refresh = grant_type == "refresh_token" and form.get("client_id") == CLI_CLIENT_ID
        if grant_type != DEVICE_GRANT and not public_refresh:
            if self._other_grants is not None:
                return await self._other_grants(request)
            return _refused("unsupported_grant_type", f"{grant_type!r} is not supported.")
        if public_refresh:
            return self._refresh(form.get("refresh_token", ""))
        return self._poll(form.get("device_code", ""), form.get("client_id", ""))

    def _poll(self, device_code: str, client_id: str) -> Response:
        pending = self._pending.get(device_code)
        if client_id != CLI_CLIENT_ID:
            return _refused("invalid_client", f"Only the public client {CLI_CLIENT_ID} may.")
        if pending is None or pending.expires_at < self._clock():
            self._pending.pop(device_code, None)
            return _refused("expired_token", "The device code is unknown or expired.")
        if pending.username is None:
            return _refused("authorization_pending", "The user has not signed in yet.")
        del self._pending[device_code]
        return self._tokens(pending.username, str(uuid.uuid4()))

    async def revoke(self, request: Request) -> Response:
        """Token revocation (RFC 7009) for the public client: its refresh token stops working."""
        form = await _form(request)
        if form.get("client_id") != CLI_CLIENT_ID:
            return JSONResponse({"error": "invalid_client"}, 401)
        claims = self._refresh_claims(form.get("token", ""))
        if claims is not None:
            self._revoked.add(str(claims["sid"]))
        return Response(status_code=200)

    def _refresh(self, refresh_token: str) -> Response:
        claims = self._refresh_claims(refresh_token)
        if claims is None:
            return _refused("invalid_grant", "The refresh token is invalid or expired.")
        if claims["sid"] in self._revoked:
            return _refused("invalid_grant", "The refresh token was revoked.")
        return self._tokens(str(claims["preferred_username"]), str(claims["sid"]))

    def _refresh_claims(self, refresh_token: str) -> dict[str, Any] | None:
        try:
            claims: dict[str, Any] = jwt.decode(
                refresh_token,
                self._issuer.private_key.public_key(),
                algorithms=["RS256"],
                audience=self._issuer.issuer,
                issuer=self._issuer.issuer,
                options={"require": ["exp", "sid", "azp"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != "Refresh" or claims["azp"] != CLI_CLIENT_ID:
            return None
        return claims

    def _tokens(self, username: str, sid: str) -> Response:
        issuer, now = self._issuer, int(self._clock())
        refresh = {
            "iss": issuer.issuer, "aud": issuer.issuer, "sub": dev_subject(username),
            "iat": now, "exp": now + REFRESH_SECONDS, "sid": sid, "azp": CLI_CLIENT_ID,
            "typ": "Refresh", "preferred_username": username,
        }  # fmt: skip
        access = issuer.sign(
            username,
            timedelta(seconds=ACCESS_SECONDS),
            extra_claims={"sid": sid, "azp": CLI_CLIENT_ID},
        )
        headers = {"kid": issuer.kid}
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_SECONDS,
            "refresh_token": jwt.encode(refresh, issuer.private_key, "RS256", headers=headers),
            "refresh_expires_in": REFRESH_SECONDS,
            "scope": "openid profile email",
        }
        return JSONResponse(body, headers={"cache-control": "no-store"})

    def _by_user_code(self, user_code: str) -> _Pending | None:
        now = self._clock()
        for pending in self._pending.values():
            if pending.user_code == user_code and pending.expires_at >= now:
                return pending
        return None

    def _forget_expired(self) -> None:
        now = self._clock()
        for code in [c for c, p in self._pending.items() if p.expires_at < now]:
            del self._pending[code]


def _refused(code: str, description: str) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, 400)


def _page(body: str, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(body, status)
    response.headers["content-security-policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["cache-control"] = "no-store"
    return response


def _shell(title: str, content: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><main><h1>{title}</h1>{content}</main></body></html>"
    )


def _code_form(error: str) -> str:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _shell(
        "Sign in a device",
        f'{alert}<form method="get"><label for="user_code">The code your terminal shows</label>'
        f'<input id="user_code" name="user_code" required><button type="submit">Next</button>'
        "</form>",
    )


def _done(username: str) -> str:
    return _shell(
        "Device signed in",
        f"<p>Signed in as <strong>{escape(username)}</strong>. You may close this window and "
        "return to your terminal.</p>",
    )
