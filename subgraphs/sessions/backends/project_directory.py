"""Projects as the supergraph serves them: the router's `project` query, with the caller's token."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from subgraphs.common.errors import DomainError, ErrorCode
from subgraphs.common.tokens import Identity
from subgraphs.sessions.models import ProjectInfo

log = logging.getLogger(__name__)

PROJECT_QUERY = (
    "query($id: ID!) { project(id: $id) { id namespace slug repositories permissions { write } } }"
)


class GraphProjectDirectory:
    """A `ProjectDirectory` that asks the router, so the projects subgraph's access rules apply."""

    def __init__(
        self, graph_url: str, timeout: float, client: httpx.AsyncClient | None = None
    ) -> None:
        self._graph_url = graph_url
        self._timeout = timeout
        self._client = client or httpx.AsyncClient()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def project(self, project_id: str, caller: Identity) -> ProjectInfo | None:
        """The project as the caller sees it; UNAVAILABLE when the graph cannot answer."""
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        body = {"query": PROJECT_QUERY, "variables": {"id": project_id}}
        try:
            response = await self._client.post(
                self._graph_url, json=body, headers=headers, timeout=self._timeout
            )
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("project lookup failed", extra={"error": type(exc).__name__})
            raise _unavailable() from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            log.warning("project lookup failed", extra={"status": response.status_code})
            raise _unavailable()
        return _project_info(payload["data"].get("project"))


def _unavailable() -> DomainError:
    return DomainError(
        ErrorCode.UNAVAILABLE, "The projects service could not be reached; try again later."
    )


def _project_info(project: Any) -> ProjectInfo | None:
    if project is None:
        return None
    try:
        return ProjectInfo(
            id=str(project["id"]),
            namespace=str(project["namespace"]),
            slug=str(project["slug"]),
            repositories=tuple(str(url) for url in project["repositories"] or ()),
            can_write=bool((project.get("permissions") or {}).get("write")),
        )
    except (KeyError, TypeError) as exc:
        raise _unavailable() from exc
