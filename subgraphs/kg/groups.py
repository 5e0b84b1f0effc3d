"""Who reads the graph: the caller's subject and group roles, asked of the users subgraph.

Groups live in the users subgraph, and changing a group's members sends no event, so the kg
keeps no copy of memberships: as the projects subgraph does, it asks the users subgraph's
GraphQL API with the caller's own token for the caller's groups. Answers are cached per caller
for `ttl` seconds (the kg's `group_cache_seconds`), so a removal from a group takes effect
within that time. When the users subgraph cannot answer, the caller reads as a non-member of
every group (failing closed).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from cachetools import TTLCache

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.kg.models import Role, Viewer

log = logging.getLogger(__name__)
MY_GROUPS = """
query MyGroups($after: String) { namespaces(kind: GROUP, first: 100, after: $after) {
  edges { node { slug role } } pageInfo { hasNextPage endCursor } } }
"""
MAX_PAGES = 20


class GroupsUnavailable(Exception):
    """The users subgraph did not say which groups the caller belongs to."""


class GroupDirectory:
    """The caller's group roles from the users subgraph at `url` (None: groups grant nothing)."""

    def __init__(
        self,
        url: str | None,
        client: httpx.AsyncClient | None = None,
        ttl: float = 10.0,
        capacity: int = 10_000,
    ) -> None:
        self._url = url
        self._client = client
        self._cache: TTLCache[str, dict[str, Role]] = TTLCache(capacity, ttl)

    async def viewer(self, caller: Identity) -> Viewer | None:
        """Who the caller reads the graph as; None when anonymous."""
        if caller.subject is None:
            return None
        return Viewer(caller.subject, await self._roles(caller))

    async def _roles(self, caller: Identity) -> dict[str, Role]:
        subject = caller.subject or ""
        cached = self._cache.get(subject)
        if cached is not None or self._url is None or caller.token is None:
            return cached or {}
        try:
            roles = await self._ask(caller.token)
        except GroupsUnavailable as exc:
            log.warning("group roles unavailable, granting none: %s", exc)
            return {}
        self._cache[subject] = roles
        return roles

    async def _ask(self, token: str) -> dict[str, Role]:
        roles: dict[str, Role] = {}
        after: str | None = None
        for _ in range(MAX_PAGES):
            found = await self._page(token, after)
            try:
                for edge in found["edges"]:
                    roles[str(edge["node"]["slug"])] = Role(edge["node"]["role"])
                if not found["pageInfo"]["hasNextPage"]:
                    return roles
                after = found["pageInfo"]["endCursor"]
            except (KeyError, TypeError, ValueError) as exc:
                raise GroupsUnavailable(f"an answer of unknown shape ({exc!r})") from exc
        return roles

    async def _page(self, token: str, after: str | None) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=5.0)
        try:
            response = await self._client.post(
                str(self._url),
                json={"query": MY_GROUPS, "variables": {"after": after}},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            found: dict[str, Any] = response.json()["data"]["namespaces"]
            if not isinstance(found, dict):
                raise TypeError("no namespaces")
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise GroupsUnavailable(
                f"{self._url} did not answer ({exc.__class__.__name__})"
            ) from exc
        return found

    async def aclose(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
