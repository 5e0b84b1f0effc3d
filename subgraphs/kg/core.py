"""The kg subgraph's use cases: what a caller may read of the knowledge graph.

Access is decided in the graph's queries (a project is readable when public or when the caller
is a member); each use case hands them the caller's subject. Store calls block, so each runs
in a worker thread. Arguments are checked here and refused with a coded `DomainError`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.kg.backends import KgBackend
from renku_fed.subgraphs.kg.models import (
    Activity,
    Dataset,
    DatasetSort,
    EntityType,
    Lineage,
    Page,
    Role,
    SearchQuery,
    SearchResults,
    SearchSort,
    Visibility,
    Workflow,
)

MAX_QUERY_LENGTH = 200


def _offset(first: int | None, after: str | None) -> tuple[int, int]:
    page = PageRequest.of(first, after)
    offset = (page.after or {}).get("offset", 0)
    if not isinstance(offset, int) or offset < 0:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "The `after` cursor is malformed.", "after")
    return page.first, offset


async def dataset(graph: KgBackend, caller: Identity, dataset_id: str) -> Dataset | None:
    """One dataset, when the caller may read its project."""
    return await asyncio.to_thread(graph.dataset, dataset_id, caller.subject)


async def project_datasets(
    graph: KgBackend,
    caller: Identity,
    project_id: str,
    sort: DatasetSort,
    first: int | None,
    after: str | None,
) -> Page[Dataset]:
    """A page of a project's datasets; empty when the caller may not read the project."""
    size, offset = _offset(first, after)
    return await asyncio.to_thread(
        graph.project_datasets, project_id, caller.subject, sort, size, offset
    )


async def dataset_used_in(graph: KgBackend, caller: Identity, dataset_id: str) -> list[str]:
    """Other projects the caller may read that hold a copy of the dataset."""
    return await asyncio.to_thread(graph.dataset_used_in, dataset_id, caller.subject)


async def dataset_versions(graph: KgBackend, caller: Identity, dataset_id: str) -> list[Dataset]:
    """The dataset's other versions the caller may read, oldest first."""
    return await asyncio.to_thread(graph.dataset_versions, dataset_id, caller.subject)


async def project_workflows(graph: KgBackend, caller: Identity, project_id: str) -> list[Workflow]:
    """A project's workflows; empty when the caller may not read the project."""
    return await asyncio.to_thread(graph.project_workflows, project_id, caller.subject)


async def project_activities(graph: KgBackend, caller: Identity, project_id: str) -> list[Activity]:
    """A project's activities, oldest first; empty when the caller may not read the project."""
    return await asyncio.to_thread(graph.project_activities, project_id, caller.subject)


async def user_activities(graph: KgBackend, caller: Identity, user_id: str) -> list[Activity]:
    """Activities a user was the agent of, in projects the caller may read."""
    return await asyncio.to_thread(graph.user_activities, user_id, caller.subject)


async def lineage(graph: KgBackend, caller: Identity, project_id: str, path: str) -> Lineage:
    """Everything upstream and downstream of a file; NOT_FOUND when it is unknown to the caller."""
    path = path.strip().lstrip("/")
    if not path:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`path` must name a file.", "path")
    found = await asyncio.to_thread(graph.lineage, project_id, path, caller.subject)
    if found is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"No recorded file `{path}` in this project (or you may not read it); "
            "check the path against the project's datasets and runs.",
            "path",
        )
    return found


async def search(
    graph: KgBackend,
    caller: Identity,
    text: str | None,
    *,
    types: list[EntityType] | None = None,
    creators: list[str] | None = None,
    roles: list[Role] | None = None,
    visibilities: list[Visibility] | None = None,
    namespaces: list[str] | None = None,
    keywords: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: SearchSort = SearchSort.MATCHING_SCORE,
    first: int | None = None,
    after: str | None = None,
) -> SearchResults:
    """Entities the caller may read that match the query and filters."""
    if text is not None and len(text) > MAX_QUERY_LENGTH:
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            f"`query` is longer than {MAX_QUERY_LENGTH} characters; shorten it.",
            "query",
        )
    if since is not None and until is not None and since > until:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "`since` is after `until`.", "since")
    size, offset = _offset(first, after)
    query = SearchQuery(
        text=text or "",
        types=frozenset(types) if types else frozenset(EntityType),
        creators=tuple(creators or ()),
        roles=tuple(roles or ()),
        visibilities=tuple(visibilities or ()),
        namespaces=tuple(namespaces or ()),
        keywords=tuple(keywords or ()),
        since=since,
        until=until,
        sort=sort,
        first=size,
        offset=offset,
    )
    return await asyncio.to_thread(graph.search, query, caller.subject)
