"""The kg subgraph's use cases: what a caller may read of the knowledge graph.

Access is decided by the backend (a project is readable when public or when the caller is a
member); each use case hands it the caller's subject. A SPARQL query may take a while, so the
backend is asked in a worker thread and the event loop serves other requests meanwhile.
"""

from __future__ import annotations

import asyncio

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.pagination import PageRequest
from renku_fed.subgraphs.kg.backends import KgBackend
from renku_fed.subgraphs.kg.models import Activity, Dataset, Lineage


async def search_datasets(graph: KgBackend, search: str | None, first: int | None) -> list[Dataset]:
    """Public datasets matching `search`, by name; `first` is checked as a page size."""
    page = PageRequest.of(first, None)
    return await asyncio.to_thread(graph.search_datasets, search or None, page.first)


async def dataset(graph: KgBackend, caller: Identity, dataset_id: str) -> Dataset | None:
    """One dataset, when the caller may read its project."""
    return await asyncio.to_thread(graph.dataset, dataset_id, caller.subject)


async def project_datasets(graph: KgBackend, caller: Identity, project_id: str) -> list[Dataset]:
    """A project's datasets; empty when the caller may not read the project."""
    return await asyncio.to_thread(graph.project_datasets, project_id, caller.subject)


async def project_lineage(graph: KgBackend, caller: Identity, project_id: str) -> Lineage:
    """A project's lineage; empty when the caller may not read the project."""
    return await asyncio.to_thread(graph.project_lineage, project_id, caller.subject)


async def project_activities(graph: KgBackend, caller: Identity, project_id: str) -> list[Activity]:
    """A project's activities, oldest first; empty when the caller may not read the project."""
    return await asyncio.to_thread(graph.project_activities, project_id, caller.subject)


async def user_activities(graph: KgBackend, caller: Identity, user_id: str) -> list[Activity]:
    """Activities a user was the agent of, in projects the caller may read."""
    return await asyncio.to_thread(graph.user_activities, user_id, caller.subject)
