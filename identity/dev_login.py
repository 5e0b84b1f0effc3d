"""The development issuer's browser login: a login page and the code grant with PKCE (S256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from renku_fed.identity.dev_issuer import DevIssuer, dev_subject
from renku_fed.identity.dev_login_page import login_page

DEMO_USERS = ("alice", "bob", "carol")
# Written down in README ("Try it"): any username signs in with it; demo users need none.
DEMO_PASSWORD = "renku-demo"
CLIENTS_FILE = "clients.json"
FORM_LIMIT_BYTES = 64 * 1024
CODE_SECONDS = 60
ACCESS_SECONDS = 900
REFRESH_SECONDS = 36_000
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
AUTHORIZE_PARAMS = (
    "client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
    "code_challenge", "code_challenge_method",
)  # fmt: skip


@dataclass(frozen=True)
class DevClient:
    """A confidential OIDC client of the development issuer and where it may be sent back."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


def register_dev_client(directory: Path, client_id: str, redirect_uris: list[str]) -> DevClient:
    """Record a client in the issuer's directory, keeping its secret across restarts."""
    clients = load_dev_clients(directory)
    known = clients.get(client_id)
    secret = known.client_secret if known else secrets.token_urlsafe(32)
    clients[client_id] = DevClient(client_id, secret, tuple(redirect_uris))
    path = directory / CLIENTS_FILE
    path.write_text(
        json.dumps({c.client_id: [c.client_secret, *c.redirect_uris] for c in clients.values()})
    )
    path.chmod(0o600)
    return clients[client_id]


def load_dev_clients(directory: Path) -> dict[str, DevClient]:
    """The clients registered in the issuer's directory (none when the file is absent)."""
    path = directory / CLIENTS_FILE
    if not path.exists():
        return {}
    raw: dict[str, list[str]] = json.loads(path.read_text())
    return {cid: DevClient(cid, values[0], tuple(values[1:])) for cid, values in raw.items()}


@dataclass(frozen=True)
class _Grant:
    """An authorization code waiting to be traded at the token endpoint."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    username: str
    expires_at: float


class LoginRefused(Exception):
    """An OAuth error the token endpoint answers as `{"error": code}` with HTTP 400."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code


class DevLogin:
    """The authorization, token and logout endpoints, at Keycloak's paths under the issuer."""

    def __init__(
        self,
        issuer: DevIssuer,
        clients: Mapping[str, DevClient],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._clients = dict(clients)
        self._clock = clock
        self._codes: dict[str, _Grant] = {}
        self._ended: set[str] = set()
        self._base = urlsplit(issuer.issuer).path.rstrip("/") + "/protocol/openid-connect"

    @property
    def routes(self) -> list[Route]:
        """The routes to mount beside the discovery and JWKS endpoints."""
        return [
            Route(f"{self._base}/auth", self.authorize, methods=["GET", "POST"]),
            Route(f"{self._base}/token", self.token, methods=["POST"]),
            Route(f"{self._base}/logout", self.logout, methods=["POST"]),
        ]

    async def authorize(self, request: Request) -> Response:
        """Show the login page (GET), or sign the user in and send the code back (POST)."""
        form = await _form(request) if request.method == "POST" else None
        params: Mapping[str, str] = form if form is not None else request.query_params
        request_params = {name: params.get(name, "") for name in AUTHORIZE_PARAMS}
        problem = self._bad_request(request_params)
        if problem is not None:
            return HTMLResponse(login_page(request_params, DEMO_USERS, error=problem), 400)
        client = self._clients[request_params["client_id"]]
        if form is None:
            return self._page(request_params, client)
        username = _signed_in_user(form)
        if username is None:
            error = "Unknown username or wrong password."
            return self._page(request_params, client, error=error, status=401)
        code = secrets.token_urlsafe(32)
        self._forget_expired_codes()
        self._codes[code] = _Grant(
            client_id=client.client_id,
            redirect_uri=request_params["redirect_uri"],
            challenge=request_params["code_challenge"],
            nonce=request_params["nonce"] or None,
            username=username,
            expires_at=self._clock() + CODE_SECONDS,
        )
        query = urlencode({"code": code, "state": request_params["state"]})
        return RedirectResponse(f"{request_params['redirect_uri']}?{query}", 302)

    async def token(self, request: Request) -> Response:
        """Trade a code (with its PKCE verifier) or a refresh token for tokens."""
        form = await _form(request)
        try:
            client = self._client(request, form)
            grant_type = form.get("grant_type", "")
            if grant_type == "authorization_code":
                body = self._trade_code(client, form)
            elif grant_type == "refresh_token":
                body = self._refresh(client, form.get("refresh_token", ""))
            else:
                raise LoginRefused("unsupported_grant_type", f"{grant_type!r} is not supported.")
        except LoginRefused as exc:
            return JSONResponse({"error": exc.code, "error_description": str(exc)}, 400)
        return JSONResponse(body, headers={"cache-control": "no-store"})

    async def logout(self, request: Request) -> Response:
        """End the session of a refresh token (Keycloak's back-channel logout)."""
        form = await _form(request)
        try:
            client = self._client(request, form)
            claims = self._refresh_claims(client, form.get("refresh_token", ""))
        except LoginRefused as exc:
            return JSONResponse({"error": exc.code, "error_description": str(exc)}, 400)
        self._ended.add(str(claims["sid"]))
        return Response(status_code=204)

    def _bad_request(self, params: Mapping[str, str]) -> str | None:
        client = self._clients.get(params["client_id"])
        if client is None:
            return "This application is not registered with the development issuer."
        if params["redirect_uri"] not in client.redirect_uris:
            return "This application may not be sent back to the address it asked for."
        if params["response_type"] != "code":
            return "Only the authorization-code flow (response_type=code) is supported."
        if params["code_challenge_method"] != "S256" or not params["code_challenge"]:
            return "The request needs a PKCE code challenge with code_challenge_method=S256."
        return None

    def _page(
        self, params: Mapping[str, str], client: DevClient, *, error: str = "", status: int = 200
    ) -> Response:
        response = HTMLResponse(login_page(params, DEMO_USERS, error=error), status)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(params["redirect_uri"]))
        response.headers["content-security-policy"] = (
            f"default-src 'none'; style-src 'unsafe-inline'; form-action 'self' {origin}; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["cache-control"] = "no-store"
        return response

    def _client(self, request: Request, form: Mapping[str, str]) -> DevClient:
        client_id, secret = _client_credentials(request, form)
        client = self._clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret, secret):
            raise LoginRefused("invalid_client", "Unknown client or wrong client secret.")
        return client

    def _trade_code(self, client: DevClient, form: Mapping[str, str]) -> dict[str, Any]:
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at < self._clock() or grant.client_id != client.client_id:
            raise LoginRefused("invalid_grant", "The code is unknown, used or expired.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise LoginRefused("invalid_grant", "redirect_uri differs from the authorization's.")
        verifier = form.get("code_verifier", "")
        if not hmac.compare_digest(_challenge(verifier), grant.challenge):
            raise LoginRefused("invalid_grant", "The PKCE code verifier does not match.")
        return self._tokens(client, grant.username, grant.nonce, str(uuid.uuid4()))

    def _refresh(self, client: DevClient, refresh_token: str) -> dict[str, Any]:
        claims = self._refresh_claims(client, refresh_token)
        return self._tokens(client, str(claims["preferred_username"]), None, str(claims["sid"]))

    def _refresh_claims(self, client: DevClient, refresh_token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                refresh_token,
                self._issuer.private_key.public_key(),
                algorithms=["RS256"],
                audience=self._issuer.issuer,
                issuer=self._issuer.issuer,
                options={"require": ["exp", "sid", "azp"]},
            )
        except jwt.PyJWTError as exc:
            raise LoginRefused("invalid_grant", "The refresh token is invalid.") from exc
        if claims.get("typ") != "Refresh" or claims["azp"] != client.client_id:
            raise LoginRefused("invalid_grant", "This is not a refresh token of this client.")
        if claims["sid"] in self._ended:
            raise LoginRefused("invalid_grant", "The session has ended.")
        return claims

    def _tokens(
        self, client: DevClient, username: str, nonce: str | None, sid: str
    ) -> dict[str, Any]:
        issuer, now = self._issuer, int(self._clock())
        common = {"iss": issuer.issuer, "sub": dev_subject(username), "iat": now, "sid": sid}
        common |= {"azp": client.client_id, "preferred_username": username}
        id_claims = {**common, "aud": client.client_id, "exp": now + ACCESS_SECONDS, "typ": "ID"}
        if nonce:
            id_claims["nonce"] = nonce
        refresh = {**common, "aud": issuer.issuer, "exp": now + REFRESH_SECONDS, "typ": "Refresh"}
        extra = {"sid": sid, "azp": client.client_id}
        return {
            "access_token": issuer.sign(
                username, timedelta(seconds=ACCESS_SECONDS), extra_claims=extra
            ),
            "token_type": "Bearer",
            "expires_in": ACCESS_SECONDS,
            "refresh_token": self._sign(refresh),
            "refresh_expires_in": REFRESH_SECONDS,
            "id_token": self._sign(id_claims),
            "scope": "openid profile email",
        }

    def _sign(self, claims: dict[str, Any]) -> str:
        key, kid = self._issuer.private_key, self._issuer.kid
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def _forget_expired_codes(self) -> None:
        now = self._clock()
        for code in [code for code, grant in self._codes.items() if grant.expires_at < now]:
            del self._codes[code]


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form a request posts (its first value per name)."""
    body = await request.body()
    if len(body) > FORM_LIMIT_BYTES:
        return {}
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(reversed(pairs))


def _signed_in_user(form: Mapping[str, str]) -> str | None:
    demo_user = form.get("demo_user", "")
    if demo_user in DEMO_USERS:
        return demo_user
    username = form.get("username", "").strip().lower()
    password = form.get("password", "")
    if USERNAME.fullmatch(username) and hmac.compare_digest(password, DEMO_PASSWORD):
        return username
    return None


def _client_credentials(request: Request, form: Mapping[str, str]) -> tuple[str, str]:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:]).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
