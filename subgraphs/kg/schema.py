"""The kg subgraph's schema: datasets, activities and lineage; extends Project and User."""

from __future__ import annotations

import strawberry

from renku_fed.subgraphs.common.app import mask_errors
from renku_fed.subgraphs.kg import core
from renku_fed.subgraphs.kg.types import Dataset, Info, Project, User


async def resolve_datasets(
    info: Info, search: str | None = strawberry.UNSET, first: int | None = 20
) -> list[Dataset]:
    """Search public datasets."""
    found = await core.search_datasets(info.context.backend, search, first)
    return [Dataset.from_model(dataset) for dataset in found]


@strawberry.type
class Query:
    """The kg subgraph's root fields."""

    datasets: list[Dataset] = strawberry.field(
        resolver=resolve_datasets,
        description="Datasets of public projects whose name, title or keywords contain "
        "`search` (case-insensitive), by name; `first` is 0 to 100.",
    )


schema = strawberry.federation.Schema(
    query=Query, types=[Project, User, Dataset], extensions=[mask_errors]
)
