"""The projects subgraph over HTTP, asked with the caller's own token about a group's projects.

A group's rename moves its projects and its deletion deletes them (or is refused while it has
any); the projects subgraph checks with the users subgraph that the caller may do either.
"""

from __future__ import annotations

from typing import Any

import httpx

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

COUNT = "query($ns: String!) { projects(namespace: $ns, first: 1) { totalCount } }"
DELETE_ALL = """mutation($ns: String!) { deleteNamespaceProjects(namespace: $ns) {
  errors { code message field } } }"""
FOLLOW = """mutation($old: String!, $new: String!) { followNamespaceRename(old: $old, new: $new) {
  errors { code message field } } }"""


class ProjectsService:
    """A `ProjectsDirectory` that calls the projects subgraph's GraphQL API at `url`."""

    def __init__(self, url: str, client: httpx.AsyncClient | None = None) -> None:
        self._url = url
        self._client = client or httpx.AsyncClient(timeout=30.0)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _data(self, caller: Identity, query: str, variables: dict[str, str]) -> Any:
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        try:
            response = await self._client.post(
                self._url, json={"query": query, "variables": variables}, headers=headers
            )
            response.raise_for_status()
            return response.json()["data"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE,
                f"The projects service at {self._url} did not answer "
                f"({exc.__class__.__name__}); nothing was changed, try again later.",
                field="slug",
            ) from exc

    async def _mutate(self, caller: Identity, query: str, variables: dict[str, str]) -> None:
        data = await self._data(caller, query, variables)
        payload = next(iter((data or {}).values()), None)
        errors = (payload or {}).get("errors") if isinstance(payload, dict) else None
        if payload is None or errors:
            first = (errors or [{}])[0]
            codes = {code.value: code for code in ErrorCode}
            raise DomainError(
                codes.get(first.get("code"), ErrorCode.UNAVAILABLE),
                first.get("message", "The projects service refused the change."),
                field="slug",
            )

    async def count(self, caller: Identity, namespace: str) -> int:
        """How many projects the namespace holds that the caller sees."""
        data = await self._data(caller, COUNT, {"ns": namespace})
        try:
            return int(data["projects"]["totalCount"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The projects service did not count the group's projects."
            ) from exc

    async def delete_all(self, caller: Identity, namespace: str) -> None:
        """Delete every project of the group `namespace`."""
        await self._mutate(caller, DELETE_ALL, {"ns": namespace})

    async def follow_rename(self, caller: Identity, old: str, new: str) -> None:
        """Move the projects of a renamed group from `old` to `new`."""
        await self._mutate(caller, FOLLOW, {"old": old, "new": new})
