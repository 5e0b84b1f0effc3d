"""Group roles from the users subgraph, asked over HTTP with the caller's own token.

Groups live in the users subgraph's store. The projects subgraph keeps no copy of their
memberships (a copy would go stale whenever `setGroupMembers` runs): it asks the users
subgraph's GraphQL API, as any client would, when a project is created in a namespace that is
not the caller's own. Reads never need the answer: access to a project comes from its own
members.
"""

from __future__ import annotations

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


class UsersServiceNamespaces:
    """A `NamespaceDirectory` that reads group members from the users subgraph at `url`."""

    def __init__(self, url: str, client: httpx.AsyncClient | None = None) -> None:
        self._url = url
        self._client = client or httpx.AsyncClient(timeout=5.0)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def group_role(self, caller: Identity, slug: str) -> Role | None:
        """The caller's role in the group `slug`; NOT_FOUND for no such group."""
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        try:
            response = await self._client.post(
                self._url,
                json={"query": GROUP_MEMBERS, "variables": {"slug": slug}},
                headers=headers,
            )
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            group, user = body["data"]["group"], body["data"]["userByUsername"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The users service at {self._url} did not say who belongs to group {slug!r} "
                f"({exc.__class__.__name__}); try again later.",
                field="namespace",
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
