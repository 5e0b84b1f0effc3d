"""The Keycloak user directory: the realm's users through its admin REST API (python-keycloak).

A service-account client (a confidential client with the `realm-management` roles
`view-users` and `view-realm`) reads `/admin/realms/{realm}/users`, `/users/count`,
`/users/{id}` and `/roles/renku-admin/users`. Keycloak is the source of truth, so `sync` writes
nothing. Search is Keycloak's infix search (`*text*`) over username, e-mail, first and last
name, in Keycloak's username order; cursors are offsets into that order. `isAdmin` is
membership of the realm role `renku-admin`, whose member list is cached briefly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakConnectionError, KeycloakError

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest, encode_cursor
from renku_fed.subgraphs.users.models import UserPage, UserRecord
from renku_fed.subgraphs.users.settings import UsersSettings

ADMIN_ROLE = "renku-admin"
T = TypeVar("T")


def user_from_representation(user: Mapping[str, Any], admins: frozenset[str]) -> UserRecord:
    """The account for Keycloak's `UserRepresentation`; admin when its id is in `admins`."""
    return UserRecord(
        id=str(user["id"]),
        username=str(user["username"]),
        email=user.get("email") or None,
        first_name=user.get("firstName") or None,
        last_name=user.get("lastName") or None,
        is_admin=str(user["id"]) in admins,
    )


def connect_keycloak_directory(settings: UsersSettings) -> KeycloakUserDirectory:
    """The Keycloak directory the settings describe (their validator ensured every value is set)."""
    url, client = settings.keycloak_url, settings.keycloak_client_id
    secret = settings.keycloak_client_secret
    if not (url and client and secret):
        raise ValueError("the keycloak backend needs a Keycloak URL, client id and secret")
    admin = KeycloakAdmin(
        server_url=url,
        realm_name=settings.keycloak_realm,
        client_id=client,
        client_secret_key=secret.get_secret_value(),
    )
    return KeycloakUserDirectory(admin)


class KeycloakUserDirectory:
    """A `UserDirectory` reading a Keycloak realm through its admin API."""

    def __init__(
        self, admin: KeycloakAdmin, *, admin_role: str = ADMIN_ROLE, role_ttl_seconds: float = 30
    ) -> None:
        self._admin = admin
        self._admin_role = admin_role
        self._role_ttl = role_ttl_seconds
        self._admins: frozenset[str] = frozenset()
        self._admins_read_at = float("-inf")
        self._admins_lock = asyncio.Lock()

    async def aclose(self) -> None:
        """Close the admin API's HTTP connections."""
        await self._admin.connection.aclose()

    async def sync(self, identity: Identity) -> UserRecord:
        """The caller's account as their token describes it; Keycloak already holds it."""
        return UserRecord.from_identity(identity)

    async def get(self, user_id: str) -> UserRecord | None:
        """The realm user with this id, or None."""
        try:
            # Quoted, so that an id like `x/role-mappings` cannot reach another admin endpoint.
            user: dict[str, Any] = await self._admin.a_get_user(quote(user_id, safe=""))
        except KeycloakError as exc:
            if exc.response_code == 404:
                return None
            raise _unavailable(exc) from exc
        return user_from_representation(user, await self._admin_ids())

    async def get_by_username(self, username: str) -> UserRecord | None:
        """The realm user with exactly this username, or None."""
        query = {"username": username, "exact": True, "first": 0, "max": 2}
        users = await self._call(self._admin.a_get_users(query))
        for user in users:
            if str(user["username"]).lower() == username.lower():
                return user_from_representation(user, await self._admin_ids())
        return None

    async def search(
        self, text: str | None, page: PageRequest, *, match_email: bool = True
    ) -> UserPage:
        """Realm users whose username, name or e-mail contains `text`, in username order.

        Keycloak's `search` always matches e-mails too; without `match_email` only usernames
        are searched, so that a hidden address cannot be confirmed.
        """
        offset = _offset(page.after)
        key = "search" if match_email else "username"
        filters = {key: f"*{text}*" if match_email else text} if text else {}
        query = {**filters, "first": offset, "max": page.first + 1, "briefRepresentation": True}
        users, total = await asyncio.gather(
            self._call(self._admin.a_get_users(query)),
            self._call(self._admin.a_users_count(filters)),
        )
        admins = await self._admin_ids()
        items = tuple(user_from_representation(u, admins) for u in users[: page.first])
        cursors = tuple(encode_cursor({"offset": offset + i + 1}) for i in range(len(items)))
        return UserPage(items, cursors, int(total), has_next=len(users) > page.first)

    async def _admin_ids(self) -> frozenset[str]:
        async with self._admins_lock:
            if time.monotonic() - self._admins_read_at >= self._role_ttl:
                try:
                    members = await self._admin.a_get_realm_role_members(self._admin_role)
                except KeycloakError as exc:
                    if exc.response_code != 404:
                        raise _unavailable(exc) from exc
                    members = []
                self._admins = frozenset(str(m["id"]) for m in members)
                self._admins_read_at = time.monotonic()
            return self._admins

    @staticmethod
    async def _call(call: Awaitable[T]) -> T:
        try:
            return await call
        except KeycloakError as exc:
            raise _unavailable(exc) from exc


def _unavailable(exc: KeycloakError) -> DomainError:
    if isinstance(exc, KeycloakConnectionError):
        return DomainError(ErrorCode.UNAVAILABLE, "Keycloak could not be reached; try again later.")
    return DomainError(
        ErrorCode.UNAVAILABLE,
        f"Keycloak's admin API answered {exc.response_code}; check the users service's client "
        "(its service account needs `view-users` and `view-realm`).",
    )


def _offset(after: dict[str, Any] | None) -> int:
    if after is None:
        return 0
    offset = after.get("offset")
    if not isinstance(offset, int) or offset < 0:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The `after` cursor does not come from `users`; pass an `endCursor` it returned.",
            field="after",
        )
    return offset
