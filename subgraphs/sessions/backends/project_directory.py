"""Projects as the supergraph serves them: the router's `project` query, with the caller's token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx
from strawberry.dataloader import DataLoader

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectDirectory, ProjectLoader
from renku_fed.subgraphs.sessions.models import ProjectInfo

log = logging.getLogger(__name__)

_PROJECT_FIELDS = "id namespace slug repositories permissions { write }"


def _batch_query(size: int) -> str:
    """The router query for `size` projects: `p0: project(id: $id0) { ... }` and so on."""
    variables = ", ".join(f"$id{i}: ID!" for i in range(size))
    fields = " ".join(f"p{i}: project(id: $id{i}) {{ {_PROJECT_FIELDS} }}" for i in range(size))
    return f"query({variables}) {{ {fields} }}"


class GraphProjectDirectory:
    """A `ProjectDirectory` that asks the router, so the projects subgraph's access rules apply."""

    def __init__(
        self,
        graph_url: str,
        timeout: float,
        batch_size: int,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._graph_url = graph_url
        self._timeout = timeout
        self._batch_size = batch_size
        self._queries = [_batch_query(size) for size in range(batch_size + 1)]
        self._client = client or httpx.AsyncClient()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def projects(
        self, project_ids: Sequence[str], caller: Identity
    ) -> dict[str, ProjectInfo]:
        """The projects the caller may see, one request per batch; UNAVAILABLE on failure."""
        ids = list(dict.fromkeys(project_ids))
        batches = [ids[i : i + self._batch_size] for i in range(0, len(ids), self._batch_size)]
        found: dict[str, ProjectInfo] = {}
        for batch in await asyncio.gather(*(self._batch(batch, caller) for batch in batches)):
            found.update(batch)
        return found

    async def _batch(self, project_ids: list[str], caller: Identity) -> dict[str, ProjectInfo]:
        headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        body = {
            "query": self._queries[len(project_ids)],
            "variables": {f"id{i}": project_id for i, project_id in enumerate(project_ids)},
        }
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
        data = payload["data"]
        found = {pid: _project_info(data.get(f"p{i}")) for i, pid in enumerate(project_ids)}
        return {pid: info for pid, info in found.items() if info is not None}


def project_loader(directory: ProjectDirectory, caller: Identity) -> ProjectLoader:
    """A loader that sends the lookups made together to `directory` as one batch."""

    async def load(project_ids: list[str]) -> list[ProjectInfo | None]:
        found = await directory.projects(project_ids, caller)
        return [found.get(project_id) for project_id in project_ids]

    return DataLoader(load_fn=load)


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
