"""The kg subgraph's schema: search and datasets, recording mutations; extends Project and User."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime

import strawberry

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.kg import core, live, models
from renku_fed.subgraphs.kg.mutations import Mutation
from renku_fed.subgraphs.kg.types import Dataset, IndexingStatus, Info, Project, User
from renku_fed.subgraphs.kg.types_search import EntityType, SearchResultConnection, SearchSort

Role = strawberry.enum(models.Role, description="A member's role in a project.")
Visibility = strawberry.enum(models.Visibility, description="Who may read a project.")


async def resolve_search(
    info: Info,
    query: str | None = None,
    types: list[EntityType] | None = None,  # type: ignore[valid-type]
    creators: list[str] | None = None,
    roles: list[Role] | None = None,  # type: ignore[valid-type]
    visibilities: list[Visibility] | None = None,  # type: ignore[valid-type]
    namespaces: list[str] | None = None,
    keywords: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: SearchSort = models.SearchSort.MATCHING_SCORE,  # type: ignore[valid-type]
    first: int | None = 20,
    after: str | None = None,
) -> SearchResultConnection:
    """Projects, groups, datasets, workflows and people you may read that match."""
    results = await core.search(
        info.context.backend,
        info.context.identity,
        query,
        types=types,
        creators=creators,
        roles=roles,
        visibilities=visibilities,
        namespaces=namespaces,
        keywords=keywords,
        since=since,
        until=until,
        sort=sort,
        first=first,
        after=after,
    )
    return SearchResultConnection.from_results(results, after)


async def resolve_dataset(info: Info, id: strawberry.ID) -> Dataset | None:
    """One dataset, null when it does not exist or you may not read its project."""
    found = await core.dataset(info.context.backend, info.context.identity, str(id))
    return Dataset.from_model(found) if found else None


@strawberry.type
class Query:
    """The kg subgraph's root fields."""

    search: SearchResultConnection = strawberry.field(
        resolver=resolve_search,
        description="Free text over names, slugs, descriptions, keywords and creators (word "
        "prefixes, case and accents ignored), ranked, filtered; `first` is 0 to 100.",
    )
    dataset: Dataset | None = strawberry.field(
        resolver=resolve_dataset, description="One dataset, when you may read its project."
    )


async def resolve_indexing_status_changed(
    info: Info, project_id: strawberry.ID
) -> AsyncGenerator[IndexingStatus | None, None]:
    """A project's indexing status now and each time it changes."""
    changes = live.indexing_status_changes(
        info.context.backend, info.context.identity, str(project_id)
    )
    async with aclosing(changes):
        async for status in changes:
            yield IndexingStatus.from_model(status)


@strawberry.type
class Subscription:
    """The kg subgraph's live fields."""

    indexing_status_changed: AsyncGenerator[IndexingStatus | None, None] = strawberry.subscription(
        resolver=resolve_indexing_status_changed,
        description="A project's indexing status now and each time the ingester moves one of "
        "its events; nothing while you may not read the project.",
    )


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Project, User, Dataset],
    extensions=[mask_errors],
)
