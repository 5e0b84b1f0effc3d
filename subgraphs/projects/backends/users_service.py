"""Group roles from the users subgraph, asked over HTTP with the caller's own token.

Groups live in the users subgraph's store. The projects subgraph keeps no copy of their
memberships (a copy would go stale whenever `setGroupMembers` runs): it asks the users
subgraph's GraphQL API, as any client would, when a project is created in a namespace that is
not the caller's own, and for the caller's group roles on every store call (a group's members
get their group role on the group's projects).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.projects.models import Role

GROUP_MEMBERS = """
query Namespace($slug: String!) {
  group(slug: $slug) { members { role user { id } } }
  userByUsername(username: $slug) { id }
}
"""
MY_GROUPS = """
query MyGroups { namespaces(kinds: [GROUP]) { slug role } }
"""


class UsersServiceNamespaces:
    """A `NamespaceDirectory` that reads group members from the users subgraph at `url`."""

    def __init__(self, url: str, client: httpx.AsyncClient | None = None) -> None:
        self._url = url
        self._client = client or httpx.AsyncClient(timeout=5.0)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _data(
        self, caller: Identity, query: str, variables: dict[str, Any], what: str
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        try:
            response = await self._client.post(
                self._url, json={"query": query, "variables": variables}, headers=headers
            )
            response.raise_for_status()
            data: dict[str, Any] = response.json()["data"]
            if not isinstance(data, dict):
                raise TypeError("no data")
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The users service at {self._url} did not say {what} "
                f"({exc.__class__.__name__}); try again later.",
                field="namespace",
            ) from exc
        return data

    async def group_roles(self, caller: Identity) -> Mapping[str, Role]:
        """The caller's role in each of their groups, by slug; empty for anonymous callers."""
        if caller.subject is None:
            return {}
        data = await self._data(caller, MY_GROUPS, {}, "which groups you belong to")
        try:
            return {entry["slug"]: Role(entry["role"]) for entry in data["namespaces"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The users service at {self._url} answered group roles in an unknown shape; "
                "try again later.",
            ) from exc

    async def group_role(self, caller: Identity, slug: str) -> Role | None:
        """The caller's role in the group `slug`; NOT_FOUND for no such group."""
        data = await self._data(
            caller, GROUP_MEMBERS, {"slug": slug}, f"who belongs to group {slug!r}"
        )
        try:
            group, user = data["group"], data["userByUsername"]
        except KeyError as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The users service answered without `group`."
            ) from exc
        if group is None and user is not None:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"`namespace` {slug!r} is another user's; set it to your own namespace "
                f"{caller.username!r} or to a group you are an EDITOR or OWNER of.",
                field="namespace",
            )
        if group is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"No user or group has the `namespace` {slug!r}; use your username or the "
                "slug of a group you are an EDITOR or OWNER of.",
                field="namespace",
            )
        for member in group["members"]:
            if member["user"]["id"] == caller.subject:
                return Role(member["role"])
        return None
