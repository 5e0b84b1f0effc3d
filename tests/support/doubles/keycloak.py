"""A Keycloak double for one realm: the admin REST API and the broker token endpoint.

It follows Keycloak's documented admin REST responses (keycloak.org/docs-api, "Users" and
"Roles" resources) and its identity-broker token endpoint:

- `GET /admin/realms/{realm}/users` with `search`, `username`, `email`, `firstName`,
  `lastName`, `exact`, `first`, `max`, ordered by username, as `UserRepresentation` objects
  (`id`, `username`, `email`, `firstName`, `lastName`, `enabled`, `emailVerified`,
  `createdTimestamp`, ...); `/users/count` with the same filters; `/users/{id}` (404
  `{"error": "User not found"}`); `/roles/{role}/users` with `first` and `max` (404
  `{"error": "Could not find role"}`).
  Admin calls need a bearer token issued to the realm's service-account client.
- `GET /realms/{realm}/broker/{alias}/token` with a user's bearer token answers the token
  response stored for the user's linked account (JSON with `access_token`, `expires_in`,
  `token_type`, `accessTokenExpiration`); 400 `{"errorMessage": ...}` when the user has no
  linked account, 401 without a valid token.

Every other path under `/realms/` (token, certs, discovery) is passed on to the real OpenID
provider of `tests/support/oidc`, so python-keycloak sees one Keycloak base URL, as in
production, and all tokens are real ones signed by that provider.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class KeycloakUser:
    """A realm user: its representation fields and realm roles."""

    id: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    roles: set[str] = field(default_factory=set)
    created: int = field(default_factory=lambda: int(time.time() * 1000))

    def representation(self) -> dict[str, Any]:
        """Keycloak's `UserRepresentation` of this user."""
        body: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "enabled": True,
            "emailVerified": self.email is not None,
            "createdTimestamp": self.created,
            "totp": False,
            "disableableCredentialTypes": [],
            "requiredActions": [],
            "notBefore": 0,
        }
        for key, value in (
            ("email", self.email),
            ("firstName", self.first_name),
            ("lastName", self.last_name),
        ):
            if value is not None:
                body[key] = value
        return body


class KeycloakDouble:
    """The realm's admin API and broker endpoint, in front of a real provider at `provider_url`."""

    def __init__(self, provider_url: str, realm: str, service_client: str) -> None:
        self.provider_url = provider_url.rstrip("/")
        self.realm = realm
        self.service_client = service_client
        self.users: dict[str, KeycloakUser] = {}
        self.realm_roles: set[str] = {"renku-admin", "offline_access", "uma_authorization"}
        self.linked_tokens: dict[tuple[str, str], str] = {}
        self.broker_calls = 0
        issuer = f"{self.provider_url}/realms/{realm}"
        self._issuer = issuer
        self._jwks = jwt.PyJWKClient(f"{issuer}/protocol/openid-connect/certs")
        admin = f"/admin/realms/{realm}"
        self.app = Starlette(
            routes=[
                Route(f"{admin}/users", self._users),
                Route(f"{admin}/users/count", self._count),
                Route(f"{admin}/users/{{user_id}}", self._user),
                Route(f"{admin}/roles/{{role}}/users", self._role_users),
                Route(f"/realms/{realm}/broker/{{alias}}/token", self._broker_token),
                Route("/realms/{rest:path}", self._proxy, methods=["GET", "POST"]),
            ]
        )

    def add_user(self, user: KeycloakUser) -> KeycloakUser:
        """Store a realm user; its roles become realm roles."""
        self.users[user.id] = user
        self.realm_roles |= user.roles
        return user

    def link(self, subject: str, alias: str, access_token: str) -> None:
        """Link the user's account at identity provider `alias`, with its stored access token."""
        self.linked_tokens[(subject, alias)] = access_token

    def _claims(self, request: Request) -> dict[str, Any] | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self._issuer,
                options={"verify_aud": False},
            )
        except jwt.PyJWTError:
            return None
        return claims

    def _admin_error(self, request: Request) -> Response | None:
        claims = self._claims(request)
        if claims is None:
            return JSONResponse({"error": "HTTP 401 Unauthorized"}, status_code=401)
        if self.service_client not in (claims.get("azp"), claims.get("client_id")):
            return JSONResponse({"error": "HTTP 403 Forbidden"}, status_code=403)
        return None

    def _matching(self, request: Request) -> list[KeycloakUser]:
        params = request.query_params
        exact = params.get("exact", "false").lower() == "true"
        found = sorted(self.users.values(), key=lambda u: u.username)
        if params.get("search"):
            text = params["search"].strip("*").lower()
            found = [
                u
                for u in found
                if any(
                    text in (v or "").lower()
                    for v in (u.username, u.email, u.first_name, u.last_name)
                )
            ]
        for param, attribute in (
            ("username", "username"),
            ("email", "email"),
            ("firstName", "first_name"),
            ("lastName", "last_name"),
        ):
            if param in params:
                wanted = params[param].lower()
                found = [
                    u
                    for u in found
                    if (value := (getattr(u, attribute) or "").lower()) == wanted
                    or (not exact and wanted in value)
                ]
        return found

    @staticmethod
    def _window(request: Request, items: list[KeycloakUser]) -> list[dict[str, Any]]:
        first = int(request.query_params.get("first", 0))
        maximum = int(request.query_params.get("max", 100))
        return [u.representation() for u in items[first : first + maximum]]

    async def _users(self, request: Request) -> Response:
        if (error := self._admin_error(request)) is not None:
            return error
        return JSONResponse(self._window(request, self._matching(request)))

    async def _count(self, request: Request) -> Response:
        if (error := self._admin_error(request)) is not None:
            return error
        return JSONResponse(len(self._matching(request)))

    async def _user(self, request: Request) -> Response:
        if (error := self._admin_error(request)) is not None:
            return error
        user = self.users.get(request.path_params["user_id"])
        if user is None:
            return JSONResponse({"error": "User not found"}, status_code=404)
        return JSONResponse(user.representation())

    async def _role_users(self, request: Request) -> Response:
        if (error := self._admin_error(request)) is not None:
            return error
        role = request.path_params["role"]
        if role not in self.realm_roles:
            return JSONResponse({"error": "Could not find role"}, status_code=404)
        members = sorted(
            (u for u in self.users.values() if role in u.roles), key=lambda u: u.username
        )
        return JSONResponse(self._window(request, members))

    async def _broker_token(self, request: Request) -> Response:
        self.broker_calls += 1
        claims = self._claims(request)
        if claims is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        alias = request.path_params["alias"]
        token = self.linked_tokens.get((str(claims["sub"]), alias))
        if token is None:
            message = f"User [{claims['sub']}] is not associated with identity provider [{alias}]."
            return JSONResponse({"errorMessage": message}, status_code=400)
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 7200,
                "refresh_expires_in": 0,
                "scope": "api read_user openid",
                "accessTokenExpiration": int(time.time()) + 7200,
            }
        )

    async def _proxy(self, request: Request) -> Response:
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        async with httpx.AsyncClient() as client:
            answer = await client.request(
                request.method,
                f"{self.provider_url}{request.url.path}",
                params=request.query_params,
                headers=headers,
                content=await request.body(),
            )
        passed = {k: v for k, v in answer.headers.items() if k.lower() == "content-type"}
        return Response(answer.content, status_code=answer.status_code, headers=passed)
