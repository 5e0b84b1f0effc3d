"""Group roles from the users subgraph, asked over HTTP with the caller's own token.

Groups live in the users subgraph's store. The projects subgraph keeps no copy of their
memberships (a copy would go stale whenever `setGroupMembers` runs): it asks the users
subgraph's GraphQL API, as any client would, when a project is created in a namespace that is
not the caller's own, and for the caller's group roles on every store call (a group's members
get their group role on the group's projects).

The caller's own namespace is the users subgraph's too (`me { namespace }`): their username, or
a numbered slug when a group held it at their first sign-in. It never changes once chosen, so
it is cached per subject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from cachetools import TTLCache

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.projects.models import NamespaceInfo, Role

GROUP_MEMBERS = """
query Namespace($slug: String!) {
  group(slug: $slug) { members { role user { id } } }
  namespace(slug: $slug) { kind }
}
"""
OWN_NAMESPACE = "query OwnNamespace { me { namespace } }"
MY_GROUPS = """
query MyGroups($after: String) { namespaces(kind: GROUP, first: 100, after: $after) {
  edges { node { slug role } } pageInfo { hasNextPage endCursor } } }
"""
NAMESPACE = """
query Namespace($slug: String!) { namespace(slug: $slug) { kind slug role redirectedFrom } }
"""


class UsersServiceNamespaces:
    """A `NamespaceDirectory` that reads group members from the users subgraph at `url`."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient | None = None,
        own_namespace_ttl: float = 600.0,
        capacity: int = 10_000,
    ) -> None:
        self._url = url
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._own: TTLCache[str, str] = TTLCache(capacity, own_namespace_ttl)

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
        roles: dict[str, Role] = {}
        after: str | None = None
        while True:
            data = await self._data(caller, MY_GROUPS, {"after": after}, "your groups")
            try:
                found = data["namespaces"]
                for edge in found["edges"]:
                    roles[edge["node"]["slug"]] = Role(edge["node"]["role"])
                if not found["pageInfo"]["hasNextPage"]:
                    return roles
                after = found["pageInfo"]["endCursor"]
            except (KeyError, TypeError, ValueError) as exc:
                raise DomainError(
                    ErrorCode.UNAVAILABLE,
                    f"The users service at {self._url} answered group roles in an unknown "
                    "shape; try again later.",
                ) from exc

    async def namespace(self, caller: Identity, slug: str) -> NamespaceInfo | None:
        """The user or group namespace `slug` as the users subgraph shows it to the caller."""
        data = await self._data(caller, NAMESPACE, {"slug": slug}, f"who owns {slug!r}")
        found = data.get("namespace")
        if not isinstance(found, dict):
            return None
        role = found.get("role")
        return NamespaceInfo(
            kind=str(found.get("kind")),
            slug=str(found.get("slug")),
            role=None if role is None else Role(role),
            redirected_from=found.get("redirectedFrom"),
        )

    async def own_namespace(self, caller: Identity) -> str:
        """The slug of the caller's own namespace, cached per subject; UNAVAILABLE if unsaid."""
        subject = caller.subject or ""
        cached = self._own.get(subject)
        if cached is not None:
            return cached
        data = await self._data(caller, OWN_NAMESPACE, {}, "which namespace is yours")
        me = data.get("me")
        slug = me.get("namespace") if isinstance(me, dict) else None
        if not isinstance(slug, str) or not slug:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The users service at {self._url} did not say which namespace is yours; "
                "try again later.",
                field="namespace",
            )
        self._own[subject] = slug
        return slug

    async def unknown_users(self, caller: Identity, user_ids: Sequence[str]) -> list[str]:
        """Those of `user_ids` the users subgraph has no account for."""
        if not user_ids:
            return []
        variables = {f"u{i}": user_id for i, user_id in enumerate(user_ids)}
        declared = ", ".join(f"$u{i}: ID!" for i in range(len(user_ids)))
        fields = " ".join(f"u{i}: user(id: $u{i}) {{ id }}" for i in range(len(user_ids)))
        data = await self._data(
            caller, f"query Members({declared}) {{ {fields} }}", variables, "who your members are"
        )
        return [user_id for key, user_id in variables.items() if data.get(key) is None]

    async def group_role(self, caller: Identity, slug: str) -> Role | None:
        """The caller's role in the group `slug`; NOT_FOUND for no such group."""
        data = await self._data(
            caller, GROUP_MEMBERS, {"slug": slug}, f"who belongs to group {slug!r}"
        )
        try:
            group, found = data["group"], data["namespace"]
        except KeyError as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The users service answered without `group`."
            ) from exc
        if group is None and isinstance(found, dict) and found.get("kind") == "USER":
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"`namespace` {slug!r} is another user's; set it to your own namespace "
                f"{await self.own_namespace(caller)!r} or to a group you are an EDITOR or "
                "OWNER of.",
                field="namespace",
            )
        if group is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"No user or group has the `namespace` {slug!r}; omit it for your own namespace "
                "or use the slug of a group you are an EDITOR or OWNER of.",
                field="namespace",
            )
        for member in group["members"]:
            if member["user"]["id"] == caller.subject:
                return Role(member["role"])
        return None
