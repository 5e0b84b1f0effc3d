"""The `UserDirectory` protocol every users backend (embedded, Keycloak) implements."""

from __future__ import annotations

from typing import Protocol

from subgraphs.common.pagination import PageRequest
from subgraphs.common.tokens import Identity
from subgraphs.users.models import UserPage, UserRecord


class UserDirectory(Protocol):
    """Where Renku accounts live: read by id, username or search, synced from tokens."""

    async def sync(self, identity: Identity) -> UserRecord:
        """Register or update the authenticated caller from their token's claims."""
        ...

    async def get(self, user_id: str) -> UserRecord | None:
        """The account with this id, or None."""
        ...

    async def get_by_username(self, username: str) -> UserRecord | None:
        """The account with this username, or None."""
        ...

    async def search(self, text: str | None, page: PageRequest) -> UserPage:
        """Accounts whose username, name or e-mail contains `text`, in (username, id) order."""
        ...
