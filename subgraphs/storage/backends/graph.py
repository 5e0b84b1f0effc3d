"""Who may do what, asked of the router with the caller's own token.

The users subgraph answers the caller's namespaces with their role in each (their own first),
the projects subgraph whether they may see and change a project; the storage subgraph keeps no
copy it would have to keep fresh (a session launch asks too, with the launching user's token).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.backends import ProjectAccess
from renku_fed.subgraphs.storage.models import Role

log = logging.getLogger(__name__)
NAMESPACES = """
query StorageNamespaces($after: String) { namespaces(first: 100, after: $after) {
  edges { node { slug role } } pageInfo { hasNextPage endCursor } } }
"""
PROJECT = """
query StorageProject($id: ID!) { project(id: $id) { id namespace slug permissions { write } } }
"""


class GraphAccess:
    """An `AccessDirectory` that asks the router at `graph_url`."""

    def __init__(self, graph_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._url = graph_url
        self._client = client or httpx.AsyncClient(timeout=10.0)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _data(self, caller: Identity, query: str, variables: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        try:
            response = await self._client.post(
                self._url, json={"query": query, "variables": variables}, headers=headers
            )
            data = response.json()["data"]
            if not isinstance(data, dict):
                raise TypeError("no data")
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("access lookup failed", extra={"error": type(exc).__name__})
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                "The router could not say what you may access; try again later.",
            ) from exc
        return data

    async def namespace_roles(self, caller: Identity) -> dict[str, Role]:
        """The caller's role in their own namespace and each of their groups, by slug."""
        if caller.subject is None:
            return {}
        roles: dict[str, Role] = {}
        after: str | None = None
        while True:
            found = (await self._data(caller, NAMESPACES, {"after": after}))["namespaces"]
            for edge in found["edges"]:
                if edge["node"].get("role"):
                    roles[edge["node"]["slug"]] = Role(edge["node"]["role"])
            if not found["pageInfo"]["hasNextPage"]:
                return roles
            after = found["pageInfo"]["endCursor"]

    async def project(self, caller: Identity, project_id: str) -> ProjectAccess | None:
        """The project if the caller may see it."""
        found = (await self._data(caller, PROJECT, {"id": project_id})).get("project")
        if not isinstance(found, dict):
            return None
        return ProjectAccess(
            id=str(found["id"]),
            namespace=str(found["namespace"]),
            slug=str(found["slug"]),
            can_write=bool((found.get("permissions") or {}).get("write")),
        )
